"""Runs the three vendor sandboxes as real HTTP(S) servers on loopback, in one process.

`SandboxCluster` serves each vendor app with uvicorn on its own socket (port 0 picks a free
one), all in one background event loop, so the CLI can run them in the foreground and the
test fixture can start them in-process.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from sandboxes.common.clockheader import SimulatedDateHeader
from sandboxes.common.faults import FaultInjector
from sandboxes.common.tls import TlsFiles, issue
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.store import Store


def build_app(system: str, store: Store, settings: SandboxSettings, injector: FaultInjector) -> FastAPI:
    """The ASGI app of one vendor (imported lazily so each vendor stays its own module)."""
    if system == "salesforce":
        from sandboxes.salesforce.app import create_app
    elif system == "harvest":
        from sandboxes.harvest.app import create_app
    elif system == "netsuite":
        from sandboxes.netsuite.app import create_app
    else:
        raise ValueError(f"unknown sandbox system {system!r}")
    app = create_app(store, settings, injector)
    app.add_middleware(SimulatedDateHeader, store=store)
    return app


@dataclass
class RunningSandbox:
    system: str
    base_url: str  # scheme://host:port (vendor paths such as /services/data/v62.0 go after it)
    injector: FaultInjector
    app: FastAPI


@dataclass
class SandboxCluster:
    """The three sandboxes, started together on one store."""

    settings: SandboxSettings = field(default_factory=SandboxSettings)
    systems: tuple[str, ...] = SYSTEMS
    running: dict[str, RunningSandbox] = field(default_factory=dict)
    tls_files: TlsFiles | None = None

    def __post_init__(self) -> None:
        self.store = Store(self.settings.store_dir)
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, timeout: float = 20.0) -> SandboxCluster:
        if not self.store.exists():
            self.store.create()
        if self.settings.tls:
            self.tls_files = issue(Path(self.settings.store_dir))
        scheme = "https" if self.settings.tls else "http"
        sockets: list[socket.socket] = []
        configs: list[uvicorn.Config] = []
        for index, system in enumerate(self.systems):
            injector = FaultInjector(self.settings.faults[system], seed=self.settings.fault_seed + index)
            app = build_app(system, self.store, self.settings, injector)
            sock = _bind(self.settings.host, self.settings.ports.get(system, 0))
            port = sock.getsockname()[1]
            host = self.settings.host if ":" not in self.settings.host else f"[{self.settings.host}]"
            self.running[system] = RunningSandbox(system, f"{scheme}://{host}:{port}", injector, app)
            sockets.append(sock)
            configs.append(
                uvicorn.Config(
                    app,
                    log_level="warning",
                    access_log=False,
                    lifespan="off",
                    timeout_keep_alive=30,
                    timeout_graceful_shutdown=2,
                    date_header=False,  # SimulatedDateHeader sends the firm's clock instead
                    ssl_certfile=str(self.tls_files.server_pem) if self.tls_files else None,
                    ssl_keyfile=str(self.tls_files.server_pem) if self.tls_files else None,
                )
            )
        self._servers = [uvicorn.Server(config) for config in configs]
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)

            async def serve_all() -> None:
                tasks = [
                    asyncio.create_task(server.serve(sockets=[sock]))
                    for server, sock in zip(self._servers, sockets, strict=True)
                ]
                while not all(server.started for server in self._servers):
                    if any(task.done() for task in tasks):
                        break
                    await asyncio.sleep(0.02)
                started.set()
                await asyncio.gather(*tasks, return_exceptions=True)

            loop.run_until_complete(serve_all())
            loop.close()

        for server in self._servers:
            server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=run, name="concord-sandboxes", daemon=True)
        self._thread.start()
        if not started.wait(timeout) or not all(server.started for server in self._servers):
            self.stop()
            raise RuntimeError("the sandbox servers did not start; is a port already in use?")
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.store.close()

    def __enter__(self) -> SandboxCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, system: str) -> str:
        return self.running[system].base_url

    def describe(self) -> dict:
        """What a client needs to connect: base URLs and credentials per system."""
        s = self.settings
        info = {
            "salesforce": {
                "base_url": self.url("salesforce") if "salesforce" in self.running else None,
                "token_url": f"{self.url('salesforce')}/services/oauth2/token"
                if "salesforce" in self.running
                else None,
                "api_version": s.salesforce.api_version,
                "client_id": s.salesforce.client_id,
                "client_secret": s.salesforce.client_secret,
                "username": s.salesforce.username,
                "password": s.salesforce.password,
                "password_flow_enabled": s.salesforce.password_flow_enabled,
                "private_key_path": s.source_credentials("salesforce")["private_key_path"],
            },
            "harvest": {
                "base_url": f"{self.url('harvest')}/v2" if "harvest" in self.running else None,
                "access_token": s.harvest.access_token,
                "account_id": s.harvest.account_id,
            },
            "netsuite": {
                "base_url": f"{self.url('netsuite')}/services/rest" if "netsuite" in self.running else None,
                **s.source_credentials("netsuite"),  # account, client id, certificate id, private key path
            },
        }
        if self.tls_files:
            info["ca_cert"] = str(self.tls_files.ca_cert)
        return info

    def source_settings(self) -> dict[str, dict[str, str]]:
        """The `sources.<system>.*` values that point Concord at these servers: the same
        settings an administrator gives it for a real vendor (base URL and credentials)."""
        base_urls = {
            "salesforce": self.url("salesforce") if "salesforce" in self.running else "",
            "harvest": f"{self.url('harvest')}/v2" if "harvest" in self.running else "",
            "netsuite": f"{self.url('netsuite')}/services/rest" if "netsuite" in self.running else "",
        }
        settings = {
            system: {"base_url": base_urls[system], **self.settings.source_credentials(system)}
            for system in self.running
        }
        if "salesforce" in settings:
            # The sandbox plays the login server at its own address: the JWT's `aud` names it.
            settings["salesforce"]["login_url"] = base_urls["salesforce"]
        return settings

    def source_environment(self) -> dict[str, str]:
        """`source_settings()` as the environment variables dlt reads (`SOURCES__HARVEST__BASE_URL`...)."""
        return {
            f"SOURCES__{system.upper()}__{key.upper()}": value
            for system, values in self.source_settings().items()
            for key, value in values.items()
        }

    def write_endpoints_file(self) -> Path:
        """Records where the running servers are, for `concord sandbox faults` and friends."""
        path = Path(self.settings.store_dir) / "endpoints.json"
        path.write_text(json.dumps({name: r.base_url for name, r in self.running.items()}, indent=2))
        return path


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto is
    # IPPROTO_TCP, and without it every response waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise RuntimeError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another port") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock

"""`concord sandbox …`: start the vendor sandboxes, move the simulated firm, inject faults,
export the ground truth. Installed as `concord sandbox` by this package's entry point."""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import typer
from rich.console import Console
from rich.table import Table

from core.errors import ConcordError
from sandboxes import dlt_secrets
from sandboxes.common.faults import FaultRates
from sandboxes.settings import DEFAULT_PORTS, SYSTEMS, SandboxSettings
from sandboxes.store import DEFAULT_STORE_DIR, Store

if TYPE_CHECKING:
    from sandboxes.serving import SandboxCluster

app = typer.Typer(help="Local Salesforce, Harvest and NetSuite sandboxes and the firm simulator.", no_args_is_help=True)
console = Console()

SIZES = ("test", "demo", "bench")
# The simulator's NOISE_LEVELS, kept here so `--help` does not import the simulator.
NOISE_LEVELS = ("clean", "messy", "messy_no_identifiers")
DEFAULT_NOISE = "messy_no_identifiers"
DEFAULT_SIZE, DEFAULT_SEED = "demo", 42
StoreOption = typer.Option(DEFAULT_STORE_DIR, "--store", help="Sandbox store directory.")
NoiseOption = typer.Option(
    None,
    "--noise",
    help="How messy the firm's records are for customer matching: clean | messy | messy_no_identifiers "
    "(default: the held firm's, else messy_no_identifiers).",
)
SizeOption = typer.Option(None, help="test | demo | bench (default: the held firm's, else demo).")
SeedOption = typer.Option(None, help="Same seed, same firm (default: the held firm's, else 42).")


def open_store(directory: Path) -> Store:
    store = Store(directory)
    if not store.exists() or store.get_state("size") is None:
        raise ConcordError(f"no simulated firm in {directory}; run `concord sandbox up` (or `generate`) first")
    return store


def ensure_firm(
    directory: Path,
    size: str | None = None,
    seed: int | None = None,
    fresh: bool = False,
    noise: str | None = None,
) -> tuple[Store, bool]:
    """The store with its simulated firm: the one it holds, unless asked for another.

    A size, seed or noise level left out means the held firm's (or, in an empty store, the
    defaults: demo, 42, messy without identifiers). The firm is generated when the store has
    none, when one given differs from the held firm's (with a one-line notice: generating
    replaces the held firm and everything the systems did since), or when `fresh`.
    Returns (store, generated_now)."""
    from sandboxes.simulator import generate

    if size is not None and size not in SIZES:
        raise ConcordError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    if noise is not None and noise not in NOISE_LEVELS:
        raise ConcordError(f"unknown noise level {noise!r}; use one of {', '.join(NOISE_LEVELS)}")
    store = Store(directory).create()
    held = _held_firm(store)
    wanted = FirmSpec(
        size or (held.size if held else DEFAULT_SIZE),
        seed if seed is not None else (held.seed if held else DEFAULT_SEED),
        noise or (held.noise if held else DEFAULT_NOISE),
    )
    if held == wanted and not fresh:
        return store, False
    if held is not None and held != wanted:
        console.print(f"The store holds the {held}; generating the {wanted} in its place.")
    with console.status(f"Generating the {wanted}…"):
        generate(store, size=wanted.size, seed=wanted.seed, noise=wanted.noise)
    return store, True


@dataclass(frozen=True)
class FirmSpec:
    size: str
    seed: int
    noise: str

    def __str__(self) -> str:
        return f"{self.size} firm (seed {self.seed}, {self.noise})"


def _held_firm(store: Store) -> FirmSpec | None:
    size, seed = store.get_state("size"), store.get_state("seed")
    if size is None or seed is None:
        return None
    return FirmSpec(size, int(seed), store.get_state("noise_level") or DEFAULT_NOISE)


def print_connection_info(describe: dict) -> None:
    table = Table(title="Concord sandboxes", show_lines=False)
    table.add_column("system")
    table.add_column("base URL")
    table.add_column("credentials")
    sf, hv, ns = describe["salesforce"], describe["harvest"], describe["netsuite"]
    if sf["base_url"]:
        table.add_row(
            "Salesforce",
            sf["base_url"],
            f"token URL {sf['token_url']} (JWT bearer: aud = the base URL)\n"
            f"consumer key={sf['client_id']} username={sf['username']}\n"
            f"private key {sf['private_key_path']}\nclient_secret={sf['client_secret']} (client credentials)",
        )
    if hv["base_url"]:
        table.add_row("Harvest", hv["base_url"], f"Bearer {hv['access_token']}\nHarvest-Account-Id: {hv['account_id']}")
    if ns["base_url"]:
        table.add_row(
            "NetSuite",
            ns["base_url"],
            f"account {ns['account_id']}\nclient_id={ns['client_id']} certificate_id={ns['certificate_id']}\n"
            f"private key {ns['private_key_path']}",
        )
    console.print(table)
    if "ca_cert" in describe:
        console.print(f"TLS: trust the sandbox CA at [bold]{describe['ca_cert']}[/] (e.g. SSL_CERT_FILE=…)")


def tell_concord(cluster: SandboxCluster, secrets_file: Path) -> None:
    """Writes the sandboxes' `sources.*` values where Concord reads a real deployment's."""
    if dlt_secrets.write(secrets_file, cluster.source_settings()):
        console.print(f"Concord's sources point at these sandboxes ({secrets_file}).")
        return
    console.print(f"[yellow]{secrets_file} is not the sandbox's; left it alone.[/] To use the sandboxes, export:")
    for name, value in cluster.source_environment().items():
        console.print(f"  export {name}={value}")


@app.command()
def generate(
    size: str | None = SizeOption,
    seed: int | None = SeedOption,
    noise: str | None = NoiseOption,
    store_dir: Path = StoreOption,
) -> None:
    """Generate (or regenerate) the simulated firm in the store, without serving it."""
    started = time.perf_counter()
    store, _ = ensure_firm(store_dir, size, seed, fresh=True, noise=noise)
    firm = _held_firm(store)
    store.close()
    console.print(f"Generated the {firm} in {time.perf_counter() - started:.1f}s into {store_dir}")


@app.command()
def up(
    size: str | None = SizeOption,
    seed: int | None = SeedOption,
    noise: str | None = NoiseOption,
    tls: bool = typer.Option(False, "--tls", help="Serve HTTPS with a locally generated CA."),
    fresh: bool = typer.Option(False, "--fresh", help="Regenerate the firm even if the store has it."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on (loopback by default)."),
    salesforce_port: int = typer.Option(DEFAULT_PORTS["salesforce"]),
    harvest_port: int = typer.Option(DEFAULT_PORTS["harvest"]),
    netsuite_port: int = typer.Option(DEFAULT_PORTS["netsuite"]),
    store_dir: Path = StoreOption,
    secrets_file: Path = typer.Option(
        Path(".dlt") / "secrets.toml", "--secrets-file", help="Where to tell Concord where the sandboxes are."
    ),
) -> None:
    """Start the Salesforce, Harvest and NetSuite sandboxes on the firm the store holds, or on a
    newly generated one when the store has none or another is asked for (Ctrl-C stops)."""
    from sandboxes.serving import SandboxCluster

    store, _ = ensure_firm(store_dir, size, seed, fresh, noise=noise)
    console.print(f"Serving the {_held_firm(store)} from {store_dir}.")
    store.close()
    settings = SandboxSettings(
        store_dir=store_dir,
        host=host,
        tls=tls,
        ports={"salesforce": salesforce_port, "harvest": harvest_port, "netsuite": netsuite_port},
    )
    cluster = SandboxCluster(settings=settings)
    try:
        cluster.start()
    except RuntimeError as exc:
        raise ConcordError(str(exc)) from exc
    # Stop on Ctrl-C or SIGTERM. Installed explicitly: a process started in the background
    # by a non-interactive shell inherits SIGINT as ignored, and Python then never raises
    # KeyboardInterrupt.
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    endpoints_file = None
    try:
        print_connection_info(cluster.describe())
        tell_concord(cluster, secrets_file)
        console.print("Serving. Press Ctrl-C to stop.")
        endpoints_file = cluster.write_endpoints_file()
        while not stop.wait(0.5):
            pass
        console.print("Stopping…")
    finally:
        cluster.stop()
        if endpoints_file is not None:
            endpoints_file.unlink(missing_ok=True)  # a stale file would point `faults` at nothing


@app.command()
def tick(
    days: int = typer.Argument(1, help="How many simulated days to advance."),
    store_dir: Path = StoreOption,
) -> None:
    """Advance the simulated firm N days (works while the sandboxes run)."""
    from sandboxes.simulator import tick as run_tick

    if days < 1:
        raise ConcordError("days must be at least 1")
    store = open_store(store_dir)
    summary = run_tick(store, days)
    console.print(f"Advanced {days} day(s); the firm's clock is now {_clock(store)}")
    _print_counts("Changes", summary.counts)


@app.command()
def faults(
    system: str = typer.Option("all", help="salesforce | harvest | netsuite | all"),
    rate_429: float = typer.Option(0.0, help="Share of requests answered 429."),
    rate_500: float = typer.Option(0.0, help="Share answered 500."),
    rate_503: float = typer.Option(0.0, help="Share answered 503."),
    rate_slow: float = typer.Option(0.0, help="Share delayed by --slow-seconds."),
    rate_drop: float = typer.Option(0.0, help="Share whose connection is dropped mid-response."),
    slow_seconds: float = typer.Option(2.0),
    seed: int | None = typer.Option(None, help="Reseed the injector's RNG."),
    show: bool = typer.Option(False, "--show", help="Only print the current rates and counts."),
    store_dir: Path = StoreOption,
) -> None:
    """Change the fault rates of running sandboxes (all zero turns faults off)."""
    endpoints_file = store_dir / "endpoints.json"
    if not endpoints_file.exists():
        raise ConcordError(f"no running sandboxes recorded in {endpoints_file}; start them with `concord sandbox up`")
    endpoints = json.loads(endpoints_file.read_text())
    targets = list(SYSTEMS) if system == "all" else [system]
    if any(t not in endpoints for t in targets):
        raise ConcordError(f"unknown system {system!r}; use one of {', '.join(SYSTEMS)} or all")
    rates = {
        "rate_429": rate_429,
        "rate_500": rate_500,
        "rate_503": rate_503,
        "rate_slow": rate_slow,
        "rate_drop": rate_drop,
        "slow_seconds": slow_seconds,
    }
    try:
        FaultRates.from_dict(rates)
    except ValueError as exc:
        raise ConcordError(str(exc)) from exc
    ca = store_dir / "tls" / "ca.pem"
    verify: str | bool = str(ca) if ca.exists() else True
    for target in targets:
        url = f"{endpoints[target]}/__sandbox/faults"
        try:
            if show:
                response = httpx.get(url, verify=verify)
            else:
                response = httpx.put(url, json={**rates, **({"seed": seed} if seed is not None else {})}, verify=verify)
        except httpx.HTTPError as exc:
            raise ConcordError(
                f"cannot reach the {target} sandbox at {endpoints[target]} ({exc}); is it running?"
            ) from exc
        if response.status_code != 200:
            raise ConcordError(f"{target} refused the fault settings: {response.text}")
        console.print(f"{target}: {json.dumps(response.json())}")


@app.command()
def truth(
    out: Path = typer.Option(..., "--out", help="Where to write the ground truth JSON."),
    store_dir: Path = StoreOption,
) -> None:
    """Export the ground truth: which records are the same real-world thing, every injected drift."""
    from sandboxes.simulator import export_truth

    store = open_store(store_dir)
    result = export_truth(store, out)
    console.print(f"Wrote the ground truth to {out} ({out.stat().st_size:,} bytes, {len(result)} sections)")


def _clock(store: Store) -> str:
    from sandboxes.common.timefmt import to_datetime

    return to_datetime(store.now_ms()).strftime("%Y-%m-%d %H:%M UTC")


def _print_counts(title: str, counts: dict[str, dict[str, int]]) -> None:
    table = Table(title=title)
    table.add_column("system")
    table.add_column("object")
    table.add_column("records", justify="right")
    for system, objects in counts.items():
        for name, n in objects.items():
            table.add_row(system, name, f"{n:,}")
    console.print(table)


__all__ = ["app", "ensure_firm", "print_connection_info"]

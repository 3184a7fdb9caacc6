"""`concord dev`: the whole thing live on this machine - the sandboxes serving the demo firm on
their usual ports, a simulator clock that moves the firm forward (a day every N seconds: deals
won, time logged and approved, invoices raised), and `dagster dev` with the loop scheduled, so
a user watches new changes flow through the assets."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import typer
from rich.console import Console

from concord.cycles import REPO_ROOT, dagster_home
from core.errors import ConcordError
from sandboxes.cli import ensure_firm, print_connection_info, tell_concord
from sandboxes.settings import DEFAULT_PORTS, SandboxSettings
from sandboxes.store import DEFAULT_STORE_DIR, Store

console = Console()


def tick_forever(store_dir: Path, every_seconds: float, stop: threading.Event) -> None:
    from sandboxes.simulator import tick

    store = Store(store_dir)
    try:
        while not stop.wait(every_seconds):
            summary = tick(store, 1)
            changes = sum(n for counts in summary.counts.values() for n in counts.values())
            console.print(f"[dim]firm clock: one more day ({changes:,} changes in the systems)[/dim]")
    finally:
        store.close()


def dev_command(
    size: str | None = typer.Option(None, help="test | demo | bench (default: the held firm's, else demo)."),
    seed: int | None = typer.Option(None, help="Seed of the firm (default: the held firm's, else 42)."),
    tick_seconds: float = typer.Option(120.0, "--tick-seconds", help="Real seconds per simulated day."),
    loop_cron: str = typer.Option("*/15 * * * *", "--loop-cron", help="When the loop runs."),
    port: int = typer.Option(3000, help="Port of the Dagster UI."),
    store_dir: Path = typer.Option(DEFAULT_STORE_DIR, "--store", help="Sandbox store directory."),
) -> None:
    """Serve the sandboxes, tick the firm forward and run `dagster dev` with the loop scheduled."""
    run_dev(store_dir, size, seed, tick_seconds, loop_cron, port)


def run_dev(
    store_dir: Path, size: str | None, seed: int | None, tick_seconds: float, loop_cron: str, port: int
) -> None:
    from sandboxes.serving import SandboxCluster

    store, _ = ensure_firm(store_dir, size, seed)
    store.close()
    cluster = SandboxCluster(settings=SandboxSettings(store_dir=store_dir, ports=dict(DEFAULT_PORTS)))
    try:
        cluster.start()
    except RuntimeError as exc:
        raise ConcordError(f"{exc} (is `concord sandbox up` or another `concord dev` running?)") from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    clock = threading.Thread(target=tick_forever, args=(store_dir, tick_seconds, stop), daemon=True)
    env = {
        **os.environ,
        **cluster.source_environment(),  # `dagster dev` and its code server talk to these sandboxes
        "DAGSTER_HOME": str(dagster_home()),
        "CONCORD_SCHEDULES_RUNNING": "1",
        "CONCORD_LOOP_CRON": loop_cron,
    }
    command = [sys.executable, "-m", "dagster", "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-p", str(port)]
    # Run from Dagster's home, where its dagster.yaml is (the code server still runs from the
    # repository: workspace.yaml says so).
    dagster = subprocess.Popen(command, env=env, cwd=env["DAGSTER_HOME"])
    try:
        print_connection_info(cluster.describe())
        tell_concord(cluster, Path(".dlt") / "secrets.toml")  # for `concord ingest`, `status`… in another terminal
        console.print(f"Dagster UI: http://127.0.0.1:{port} (the loop runs on '{loop_cron}'; Ctrl-C stops everything)")
        clock.start()
        while not stop.wait(0.5):
            if dagster.poll() is not None:
                raise ConcordError(f"dagster dev exited with code {dagster.returncode}")
    finally:
        stop.set()
        if dagster.poll() is None:
            dagster.send_signal(signal.SIGINT)
            try:
                dagster.wait(timeout=30)
            except subprocess.TimeoutExpired:
                dagster.kill()
        cluster.stop()

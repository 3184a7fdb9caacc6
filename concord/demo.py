"""`concord demo`: the first thing a newcomer runs. Today it starts the three sandboxes on
the demo firm and shows what each system holds, read through the vendors' APIs."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from concord.errors import ConcordError
from concord.sandbox_cli import ensure_firm
from concord.sandbox_report import all_counts
from sandboxes.settings import SYSTEMS, SandboxSettings

console = Console()


def run_demo(store_dir: Path, seed: int = 42, fresh: bool = False) -> dict[str, dict[str, int]]:
    from sandboxes.serving import SandboxCluster

    started = time.perf_counter()
    store, generated = ensure_firm(store_dir, "demo", seed, fresh)
    console.print(f"{'Generated' if generated else 'Reusing'} the demo firm (seed {seed}) in {store_dir}")
    settings = SandboxSettings(store_dir=store_dir, ports={s: 0 for s in SYSTEMS})
    try:
        cluster = SandboxCluster(settings=settings).start()
    except RuntimeError as exc:
        raise ConcordError(str(exc)) from exc
    try:
        describe = cluster.describe()
        with console.status("Asking each sandbox's API what it holds…"):
            counts = all_counts(describe)
    finally:
        cluster.stop()
    table = Table(title="What each system holds (counted through its API)")
    table.add_column("system")
    table.add_column("object")
    table.add_column("records", justify="right")
    for system, objects in counts.items():
        for index, (name, n) in enumerate(objects.items()):
            table.add_row(system if index == 0 else "", name, f"{n:,}")
    console.print(table)
    drift = (
        store.connect("simulation").execute("SELECT drift_type, COUNT(*) FROM drift GROUP BY 1 ORDER BY 1").fetchall()
    )
    if drift:
        drift_table = Table(title="Drift already in the firm's systems (ground truth)")
        drift_table.add_column("drift")
        drift_table.add_column("records", justify="right")
        for drift_type, n in drift:
            drift_table.add_row(drift_type, f"{n:,}")
        console.print(drift_table)
    console.print(f"Done in {time.perf_counter() - started:.1f}s. Serve the sandboxes yourself with:")
    console.print("  .venv/bin/concord sandbox up      # Ctrl-C stops; credentials are printed")
    return counts

"""What one run of the loop did, printed for `concord run`."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table

from concord.cycles import CycleResult
from core.systems import SYSTEMS

console = Console(file=sys.stdout)  # bound now: a run sends stdout to its log file


def print_cycle(cycle: CycleResult) -> None:
    for line in cycle.recovered:
        console.print(f"[yellow]Recovered a dead run:[/] {line}")
    landed = Table(title="Landed")
    for column in ("system", "new", "changed", "deleted", "quarantined"):
        landed.add_column(column, justify="left" if column == "system" else "right")
    for system in SYSTEMS:
        counts = cycle.landed(system)
        landed.add_row(system, *(f"{counts[name]:,}" for name in ("new", "changed", "deleted", "quarantined")))
    console.print(landed)
    writes = Table(title="Written back")
    for column in ("sync", "written", "created", "failed", "held", "unchanged"):
        writes.add_column(column, justify="left" if column == "sync" else "right")
    for sync, counts in cycle.written().items():
        writes.add_row(
            sync, *(f"{counts.get(name, 0):,}" for name in ("written", "created", "failed", "held", "unchanged"))
        )
    console.print(writes)
    console.print(f"{'Done' if cycle.success else 'Failed'} in {cycle.seconds:.0f}s (Dagster run {cycle.run_id})")

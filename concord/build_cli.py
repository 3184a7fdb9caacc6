"""`concord build`: the dbt project (staging → canonical → marts, with every check) on the
configured warehouse, then what it found: golden customers and open exceptions."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from core.errors import ConcordError

console = Console()


def build_command(
    select: str | None = typer.Option(None, "--select", "-s", help="dbt selection, e.g. 'canonical.customers+'."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Rebuild incremental models from scratch."),
) -> None:
    """Build the canonical model and run its tests and consistency checks."""
    from core.settings import settings
    from transform.build import build

    warehouse = settings().warehouse
    started = time.perf_counter()
    with console.status("dbt build…") as status:
        result = build(
            warehouse, select=select, full_refresh=full_refresh, on_line=lambda line: status.update(line[-100:])
        )
    if not result.ok:
        console.print(result.output[-4000:])
        raise ConcordError(f"dbt build failed (exit {result.returncode}); its output is above")
    summary_line = next((line for line in reversed(result.output.splitlines()) if "PASS=" in line), "")
    console.print(summary_line.split("Done. ")[-1])
    if select is None:
        print_findings(warehouse)
    console.print(f"Built on {warehouse.describe()} in {time.perf_counter() - started:.1f}s")


def print_findings(warehouse) -> None:  # type: ignore[no-untyped-def]
    from concord.findings import findings

    found = findings(warehouse)
    console.print(
        f"{found.golden_customers:,} golden customers from {found.customer_records:,} source records "
        f"({found.merged_customers:,} merge records from more than one system or duplicates)"
    )
    if found.open_exceptions:
        table = Table(title="Open exceptions")
        for column in ("check", "severity", "open"):
            table.add_column(column, justify="right" if column == "open" else "left")
        for check, severity, count in found.open_exceptions:
            table.add_row(check, severity, f"{count:,}")
        console.print(table)

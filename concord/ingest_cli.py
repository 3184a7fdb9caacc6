"""`concord ingest`: one incremental run of every (or one) system into the warehouse, with
progress while it works and a summary of what changed: rows per table, deletes a key
reconciliation withheld as too many (and how to confirm them), quarantined records replayed."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from core.systems import SYSTEMS

if TYPE_CHECKING:
    from ingestion.runner import SystemSummary

console = Console()


def ingest_command(
    system: str | None = typer.Option(None, "--system", help="Only this system: salesforce | harvest | netsuite."),
    full_refresh: bool = typer.Option(
        False, "--full-refresh", help="Re-extract everything from the beginning (history is kept)."
    ),
    reconcile: bool = typer.Option(
        False, "--reconcile", help="Reconcile deletes on every table now, whatever their cadence."
    ),
    confirm_deletes: list[str] = typer.Option(
        [],
        "--confirm-deletes",
        metavar="SYSTEM.TABLE",
        help=(
            "Mark deleted, in this run, the records a key reconciliation withheld as too many of "
            "the table (CONCORD_MAX_DELETE_SHARE), e.g. harvest.clients; repeat for more tables."
        ),
    ),
    replay_quarantine: bool = typer.Option(
        False,
        "--replay-quarantine",
        help="After the run, land the quarantined records the contract now accepts; the rest stay.",
    ),
) -> None:
    """Land the changes (inserts, updates, deletes) of each system in the warehouse."""
    from ingestion.runner import ingest  # dlt is slow to import; only pay for it here

    systems = (system,) if system else SYSTEMS
    started = time.perf_counter()
    with console.status("Starting…") as status:
        summaries = ingest(
            systems,
            full_refresh=full_refresh,
            reconcile_all=reconcile or full_refresh,
            on_progress=lambda message: status.update(message),
            confirm_deletes=confirm_deletes,
            replay_quarantine=replay_quarantine,
        )
    print_summary(summaries)
    console.print(f"Ingested {', '.join(systems)} in {time.perf_counter() - started:.1f}s")


def print_summary(summaries: list[SystemSummary]) -> None:
    table = Table(title="Rows landed")
    for column in ("system", "table", "new", "changed", "deleted", "quarantined", "replayed"):
        table.add_column(column, justify="left" if column in ("system", "table") else "right")
    warnings = []
    for summary in summaries:
        for index, (name, t) in enumerate(sorted(summary.tables.items())):
            table.add_row(
                summary.system if index == 0 else "",
                name,
                f"{t.new:,}",
                f"{t.changed:,}",
                f"{t.deleted:,}",
                f"[red]{t.quarantined:,}[/]" if t.quarantined else "0",
                f"{t.replayed:,}",
            )
            if t.withheld_deletes:
                warnings.append(t.withheld_deletes.message)
            if t.missing_fields:
                warnings.append(f"{summary.system}.{name}: fields no longer sent: {', '.join(t.missing_fields)}")
    console.print(table)
    for warning in warnings:
        console.print(f"[yellow]warning[/] {warning}")

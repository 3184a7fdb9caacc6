"""`concord status`: is Concord keeping up? The run in progress (and any dead run it found and
recovered), how fresh each system's data is, the open exceptions, the writes held for a person,
the vendors down (a sync seeing only transient failures) and the latest alerts - read from Dagster's instance, the warehouse and the alert log, without
starting anything.

While a run holds the embedded warehouse (DuckDB admits one process), freshness is read from
Dagster's records of the landings instead, and the rest waits for the run to end: the
status says which run, since when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import dagster as dg
from rich.console import Console
from rich.table import Table

from concord.cycles import dagster_home
from concord.findings import findings
from core.errors import WarehouseBusy
from core.settings import settings
from core.systems import SYSTEMS
from core.warehouse import Warehouse
from ingestion.registry import registries
from orchestration.automation.alerts import AlertLog
from orchestration.automation.runs import RunInProgress, loop_run_in_progress, recover_dead_runs
from orchestration.landing.assets import FRESHNESS_FAIL, FRESHNESS_WARN, landed_tables

console = Console()


def last_landed(warehouse: Warehouse, system: str) -> datetime | None:
    """When the system's last successful load finished (dlt's own load log)."""
    try:
        [(at,)] = warehouse.query(f"SELECT MAX(inserted_at) FROM raw_{system}._dlt_loads WHERE status = 0")
    except WarehouseBusy:
        raise
    except Exception:  # never landed: no schema yet
        return None
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def freshness(age: timedelta | None) -> str:
    if age is None:
        return "never landed"
    if age > FRESHNESS_FAIL:
        return "stale"
    return "late" if age > FRESHNESS_WARN else "fresh"


def last_materialized(instance: dg.DagsterInstance, system: str) -> datetime | None:
    """When Dagster last recorded a landing of one of the system's tables."""
    registry = registries()[system]
    keys = [dg.AssetKey(registry.asset_key(table)) for table, _ in landed_tables()[system]]
    events = instance.get_latest_materialization_events(keys).values()
    stamps = [event.timestamp for event in events if event is not None]
    return datetime.fromtimestamp(max(stamps), UTC) if stamps else None


def show_runs(instance: dg.DagsterInstance) -> RunInProgress | None:
    """Recovers dead runs, says so, and prints the run of the loop in progress, if any."""
    with AlertLog(settings().alerts_file) as log:
        for run in recover_dead_runs(instance, settings().run_time_limit, log):
            console.print(f"[yellow]Recovered a dead run:[/] {run.describe()}")
    running = loop_run_in_progress(instance)
    console.print(f"In progress: {running.describe()}." if running else "No run of the loop in progress.")
    return running


def show_status(warehouse: Warehouse) -> None:
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        running = show_runs(instance)
        try:
            show_freshness(lambda system: last_landed(warehouse, system), warehouse.describe())
        except WarehouseBusy:
            holder = running.describe() if running else "another process"
            console.print(
                f"The warehouse is in use by {holder}: freshness from Dagster's records of the landings; "
                "open exceptions and held writes once it ends."
            )
            show_freshness(lambda system: last_materialized(instance, system), "Dagster's records")
            show_alerts()
            return
        try:
            show_findings(warehouse)
        except WarehouseBusy:  # a run took the warehouse between the freshness and the findings
            holder = running.describe() if running else "another process"
            console.print(f"The warehouse is in use by {holder}: open exceptions and held writes once it ends.")
    show_alerts()


def show_freshness(landed_at: Callable[[str], datetime | None], source: str) -> None:
    now = datetime.now(UTC)
    table = Table(title=f"Freshness ({source})")
    for column in ("system", "last landed (UTC)", "age", "state"):
        table.add_column(column)
    for system in SYSTEMS:
        at = landed_at(system)
        age = now - at if at else None
        table.add_row(
            system,
            at.strftime("%Y-%m-%d %H:%M:%S") if at else "-",
            str(age).split(".")[0] if age is not None else "-",
            freshness(age),
        )
    console.print(table)


def show_findings(warehouse: Warehouse) -> None:
    try:
        found = findings(warehouse)
    except WarehouseBusy:
        raise
    except Exception:
        console.print("No canonical model yet: run `concord run` (or `concord build`).")
    else:
        exceptions = Table(title="Open exceptions")
        for column in ("check", "severity", "open"):
            exceptions.add_column(column, justify="right" if column == "open" else "left")
        for check, severity, count in found.open_exceptions:
            exceptions.add_row(check, severity, f"{count:,}")
        console.print(exceptions if found.open_exceptions else "No open exceptions.")

    try:
        held = warehouse.query("SELECT sync, COUNT(*) FROM reverse_etl.holds WHERE status = 'held' GROUP BY 1")
    except WarehouseBusy:
        raise
    except Exception:
        held = []
    total = sum(n for _, n in held)
    detail = ", ".join(f"{sync}: {n:,}" for sync, n in held)
    console.print(f"Writes held for a person: {total:,}" + (f" ({detail}); see `concord sync held`" if held else ""))

    try:
        outages = warehouse.query("SELECT sync, since, message FROM reverse_etl.outages ORDER BY since")
    except WarehouseBusy:
        raise
    except Exception:  # no write-back yet
        outages = []
    for sync, since, message in outages:
        console.print(
            f"[yellow]Vendor outage[/] {sync}: only transient failures since {since:%Y-%m-%d %H:%M} UTC ({message}); retrying"
        )


def show_alerts() -> None:
    with AlertLog(settings().alerts_file) as log:
        alerts = log.latest(5)
    for alert in alerts:
        console.print(f"alert {alert.raised_at} {alert.kind} {alert.subject}: {alert.message}")

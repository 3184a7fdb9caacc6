"""`concord status`: is Concord keeping up? How fresh each system's data is, the open
exceptions, the writes held for a person and the latest alerts - read from the warehouse and
the alert log, without starting anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.table import Table

from concord.findings import findings
from core.settings import settings
from core.systems import SYSTEMS
from core.warehouse import Warehouse
from orchestration.automation.alerts import AlertLog
from orchestration.landing.assets import FRESHNESS_FAIL, FRESHNESS_WARN

console = Console()


def last_landed(warehouse: Warehouse, system: str) -> datetime | None:
    """When the system's last successful load finished (dlt's own load log)."""
    try:
        [(at,)] = warehouse.query(f"SELECT MAX(inserted_at) FROM raw_{system}._dlt_loads WHERE status = 0")
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


def show_status(warehouse: Warehouse) -> None:
    now = datetime.now(UTC)
    table = Table(title=f"Freshness ({warehouse.describe()})")
    for column in ("system", "last landed (UTC)", "age", "state"):
        table.add_column(column)
    for system in SYSTEMS:
        at = last_landed(warehouse, system)
        age = now - at if at else None
        table.add_row(
            system,
            at.strftime("%Y-%m-%d %H:%M:%S") if at else "-",
            str(age).split(".")[0] if age is not None else "-",
            freshness(age),
        )
    console.print(table)

    try:
        found = findings(warehouse)
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
    except Exception:
        held = []
    total = sum(n for _, n in held)
    detail = ", ".join(f"{sync}: {n:,}" for sync, n in held)
    console.print(f"Writes held for a person: {total:,}" + (f" ({detail}); see `concord sync held`" if held else ""))

    with AlertLog(settings().alerts_file) as log:
        alerts = log.latest(5)
    for alert in alerts:
        console.print(f"alert {alert.raised_at} {alert.kind} {alert.subject}: {alert.message}")

"""`concord demo`, what `make demo` runs: the demo firm served by the three sandboxes, the
loop run twice through Dagster (land -> build -> check -> write back, then again so the written
values land and the checks see them fixed), and a summary a person can read."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from concord.cycles import CycleResult, dagster_home, run_cycle
from concord.findings import findings
from core.errors import ConcordError
from core.settings import settings
from core.systems import REGISTRY, SYSTEMS
from core.warehouse import Warehouse
from sandboxes.cli import ensure_firm
from sandboxes.settings import SandboxSettings
from sandboxes.store import DEFAULT_STORE_DIR

console = Console(file=sys.stdout)  # bound now: a run sends stdout to its log file
MIN_OBSERVATIONS = 5
OPEN_EXCEPTIONS = "SELECT exception_id, check_name FROM marts.exceptions WHERE is_open"


@dataclass
class DemoSummary:
    cycles: list[CycleResult]
    seconds: float
    found: dict[str, int] = field(default_factory=dict)  # check -> open after the first build
    fixed: dict[str, int] = field(default_factory=dict)  # check -> of those, resolved by the second
    held: int = 0


def demo_command(
    seed: int | None = typer.Option(None, help="Seed of the demo firm (default: the held demo firm's, else 42)."),
    fresh: bool = typer.Option(False, "--fresh", help="Regenerate the demo firm."),
    store_dir: Path = typer.Option(DEFAULT_STORE_DIR, "--store", help="Sandbox store directory."),
) -> None:
    """Serve the demo firm, run the loop twice through Dagster and summarise what it did."""
    run_demo(store_dir, seed=seed, fresh=fresh)


def run_demo(store_dir: Path, seed: int | None = None, fresh: bool = False) -> DemoSummary:
    from sandboxes.serving import SandboxCluster

    started = time.perf_counter()
    store, generated = ensure_firm(store_dir, "demo", seed, fresh)
    console.print(
        f"{'Generated' if generated else 'Reusing'} the demo firm (seed {store.get_state('seed')}) in {store_dir}"
    )
    sandbox_settings = SandboxSettings(store_dir=store_dir, ports={s: 0 for s in SYSTEMS})
    try:
        cluster = SandboxCluster(settings=sandbox_settings).start()
    except RuntimeError as exc:
        raise ConcordError(str(exc)) from exc
    # The demo hosts Concord in this process and points it at these sandboxes, and at nothing
    # else, the way a deployment does: the sources' settings in the environment (over any
    # `.dlt/secrets.toml`), set here at the start, before Concord reads a setting.
    os.environ.update(cluster.source_environment())
    warehouse = settings().warehouse
    cycles: list[CycleResult] = []
    try:
        for number in (1, 2):
            with console.status(f"Loop {number} of 2: starting…") as status:
                cycle = run_cycle(on_progress=lambda step, n=number: status.update(f"Loop {n} of 2: {step}…"))
            if not cycle.success:
                raise ConcordError(f"loop {number} failed: {cycle.failure}")
            console.print(f"Loop {number} of 2 done in {cycle.seconds:.0f}s (Dagster run {cycle.run_id[:8]})")
            cycles.append(cycle)
            if number == 1:
                open_after_first = dict(warehouse.query(OPEN_EXCEPTIONS))
    finally:
        cluster.stop()
    summary = DemoSummary(cycles, time.perf_counter() - started)
    still_open = dict(warehouse.query(OPEN_EXCEPTIONS))
    for exception_id, check in open_after_first.items():
        summary.found[check] = summary.found.get(check, 0) + 1
        if exception_id not in still_open:
            summary.fixed[check] = summary.fixed.get(check, 0) + 1
    summary.held = warehouse.query("SELECT COUNT(*) FROM reverse_etl.holds WHERE status = 'held'")[0][0]
    print_summary(summary, warehouse)
    return summary


def print_summary(summary: DemoSummary, warehouse: Warehouse) -> None:
    landed = Table(title="Records landed per system (dlt, change data capture)")
    for column in ("system", "in the warehouse", "new (loop 1)", "changed (loop 2)", "quarantined"):
        landed.add_column(column, justify="left" if column == "system" else "right")
    for system in SYSTEMS:
        first, second = (cycle.landed(system) for cycle in summary.cycles)
        landed.add_row(
            REGISTRY[system].label,
            f"{records_in_warehouse(warehouse, system):,}",
            f"{first['new']:,}",
            f"{second['changed']:,}",
            f"{first['quarantined'] + second['quarantined']:,}",
        )
    console.print(landed)

    found = findings(warehouse)
    console.print(
        f"Golden customers: {found.golden_customers:,}, merged from {found.customer_records:,} source records "
        f"({found.merged_customers:,} golden customers join records from several systems or duplicates)"
    )

    exceptions = Table(title="Exceptions: found by the checks, fixed by the write-back, held for a person")
    for column in ("check", "found", "fixed by write-back", "still open"):
        exceptions.add_column(column, justify="left" if column == "check" else "right")
    for check, n in sorted(summary.found.items(), key=lambda item: -item[1]):
        fixed = summary.fixed.get(check, 0)
        exceptions.add_row(check, f"{n:,}", f"{fixed:,}", f"{n - fixed:,}")
    console.print(exceptions)
    console.print(f"Writes held for a person (conflicts, refusals): {summary.held:,}")

    writes = Table(title="Writes per target (both loops)")
    for column in ("sync", "written", "created", "failed", "held"):
        writes.add_column(column, justify="left" if column == "sync" else "right")
    totals: dict[str, dict[str, int]] = {}
    for cycle in summary.cycles:
        for sync, counts in cycle.written().items():
            for name, value in counts.items():
                totals.setdefault(sync, {}).setdefault(name, 0)
                totals[sync][name] += value
    for sync, counts in totals.items():
        writes.add_row(sync, *(f"{counts.get(name, 0):,}" for name in ("written", "created", "failed", "held")))
    console.print(writes)

    kpis = Table(title="KPIs (marts.kpis, the firm as a whole)")
    for column in ("KPI", "latest month", "value", "observations"):
        kpis.add_column(column, justify="left" if column == "KPI" else "right")
    for kpi, month, value, unit, observations in latest_kpis(warehouse):
        kpis.add_row(kpi, month, f"{value:,.1f} {unit}", f"{observations:,}")
    console.print(kpis)

    path = warehouse.duckdb_path
    console.print(f"\nDone in {summary.seconds:.0f}s. The warehouse is {warehouse.describe()}; query it with:")
    console.print(
        f"  .venv/bin/python -c \"import duckdb; duckdb.connect('{path}', read_only=True)"
        ".sql('select * from marts.kpis').show()\""
    )
    console.print("Models: canonical.* (golden records, xref), marts.exceptions, marts.pipeline_to_revenue, …")
    console.print(f"Open the Dagster UI on these runs (Dagster's home is {dagster_home()}):")
    console.print("  .venv/bin/concord dev      # sandboxes, a ticking firm and dagster dev on http://127.0.0.1:3000")


def records_in_warehouse(warehouse: Warehouse, system: str) -> int:
    from orchestration.landing.assets import landed_tables

    # Current-state tables only: not the change logs, nor the quarantine (records that did not land).
    tables = [t for t, _ in landed_tables().get(system, []) if not t.endswith("_history") and not t.startswith("_")]
    sql = " + ".join(f"(SELECT COUNT(*) FROM raw_{system}.{table})" for table in tables)
    return int(warehouse.query(f"SELECT {sql}")[0][0]) if tables else 0


def latest_kpis(warehouse: Warehouse) -> list[tuple[str, str, float, str, int]]:
    rows = warehouse.query(
        """
        SELECT kpi, CAST(month AS VARCHAR), value, unit, observation_count
        FROM marts.kpis
        WHERE dimension = 'firm' AND value IS NOT NULL
          AND kpi IN ('quote_to_project_days', 'quote_to_ready_days', 'time_to_invoice_days',
                      'approved_unposted_hours')
        ORDER BY kpi, month DESC NULLS FIRST
        """,
    )
    latest: dict[str, tuple[str, str, float, str, int]] = {}
    for kpi, month, value, unit, observations in rows:
        if month is not None and int(observations or 0) < MIN_OBSERVATIONS:
            continue  # a month with a handful of cases says little: show the latest that has enough
        latest.setdefault(kpi, (kpi, (month or "now")[:7], float(value), unit, int(observations or 0)))
    return list(latest.values())

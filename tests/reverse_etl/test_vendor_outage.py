"""A vendor that is down is not a person's problem: writes that fail because it answers 503 or
refuses connections are retried, run after run, with a capped backoff, are never held, and land
once it is back; a sync that has seen only such failures for longer than the outage time raises
one `vendor_outage` alert (through its Dagster asset), not one per run. Against real sandboxes
with their fault injection, on DuckDB and PostgreSQL."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SandboxSettings
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import HttpSettings, NetSuiteConfig
from orchestration.automation.alerts import AlertLog
from orchestration.settings import ConcordSettings
from orchestration.write_back.assets import write_back_asset
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger, now_utc
from reverse_etl.syncs import find
from reverse_etl.targets.harvest import HarvestTarget
from reverse_etl.targets.netsuite import NetSuiteTarget
from tests.conftest import StartSandboxes
from tests.reverse_etl.conftest import clients, harvest_config, plan_renames, serve_test_firm
from tests.reverse_etl.test_kill_and_rerun import CUSTOMERS, created, plan_creates

SYNC = "harvest__customers"
RUNS = engine.MAX_FAILURES + 3  # more runs than the refusals that end in a hold
NOW = timedelta(0)  # a retry cap of nothing: every run of a test retries at once
LATER = timedelta(minutes=15)  # the retries wait: a run in between sends nothing


@pytest.fixture
def harvest_down(tmp_path: Path, start_sandboxes: StartSandboxes) -> SandboxCluster:
    """A Harvest sandbox answering every request with 503 until the test switches it back on."""
    return serve_test_firm(tmp_path, start_sandboxes, "harvest", faults={"harvest": FaultRates(rate_503=1.0)})


def back_up(cluster: SandboxCluster, system: str) -> None:
    cluster.running[system].injector.set(FaultRates(), seed=0)


def first_clients(cluster: SandboxCluster, n: int = 3) -> dict[str, tuple[str, str]]:
    """Renames of the first clients, read from the store (the API is down)."""
    store = Store(cluster.settings.store_dir)
    try:
        rows = store.connect("harvest").execute("SELECT id, name FROM clients ORDER BY id LIMIT ?", (n,)).fetchall()
    finally:
        store.close()
    return {str(client_id): (name, f"{name} (renamed)") for client_id, name in rows}


def holds(warehouse: Warehouse) -> list[str]:
    with Ledger(warehouse, read_only=True) as ledger:
        return [h.reason for h in ledger.holds()]


def test_a_vendor_answering_503_through_many_runs_never_holds_and_its_writes_land_once_it_is_back(
    warehouse: Warehouse, harvest_down: SandboxCluster
) -> None:
    renames = first_clients(harvest_down)
    plan_renames(warehouse, renames)
    target = {"harvest": HarvestTarget(harvest_config(harvest_down))}

    during = [engine.execute(warehouse, target, [SYNC], retry_cap=NOW)[0] for _ in range(RUNS)]

    assert [(r.failed, r.transient_failures, r.held) for r in during] == [(3, 3, 0)] * RUNS
    assert holds(warehouse) == []
    back_up(harvest_down, "harvest")
    [after] = engine.execute(warehouse, target, [SYNC], retry_cap=NOW)
    assert (after.written, after.failed, after.held, after.outage) == (3, 0, 0, None)
    assert {clients(harvest_down)[client_id] for client_id in renames} == {new for _, new in renames.values()}


def test_a_transient_failure_is_retried_after_at_most_the_retry_cap(
    warehouse: Warehouse, harvest_down: SandboxCluster
) -> None:
    plan_renames(warehouse, first_clients(harvest_down, 1))
    target = {"harvest": HarvestTarget(harvest_config(harvest_down))}
    for _ in range(RUNS):  # doubling from a minute, the wait would be 2 ** (RUNS - 1) minutes by now
        engine.execute(warehouse, target, [SYNC], retry_cap=NOW)

    engine.execute(warehouse, target, [SYNC], retry_cap=timedelta(minutes=15))

    with Ledger(warehouse, read_only=True) as ledger:
        [(failures, refusals, wait)] = ledger.rows(
            f"SELECT failures, refusals, next_attempt_at - updated_at FROM {SCHEMA}.dead_letters"
        )
    assert (failures, refusals) == (RUNS + 1, 0)
    assert timedelta(minutes=14, seconds=59) < wait <= timedelta(minutes=15)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_vendor_refusing_connections_through_many_runs_never_holds_and_its_creates_land_once_each(
    tmp_path: Path, start_sandboxes: StartSandboxes
) -> None:
    cluster = serve_test_firm(tmp_path, start_sandboxes, "netsuite")
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_creates(warehouse)
    credentials = SandboxSettings(store_dir=tmp_path / "sandbox").source_credentials("netsuite")
    http = HttpSettings(max_attempts=2, backoff_factor=0.01)
    unreachable = NetSuiteConfig(**credentials, base_url=f"http://127.0.0.1:{closed_port()}/services/rest", http=http)
    reachable = NetSuiteConfig(**credentials, base_url=f"{cluster.url('netsuite')}/services/rest", http=http)

    during = [
        engine.execute(warehouse, {"netsuite": NetSuiteTarget(unreachable)}, ["netsuite__customers"], retry_cap=NOW)[0]
        for _ in range(RUNS)
    ]

    assert [(r.failed, r.transient_failures, r.held) for r in during] == [(CUSTOMERS, CUSTOMERS, 0)] * RUNS
    assert all(r.unavailable and r.outage is not None for r in during)
    assert holds(warehouse) == [] and created(tmp_path / "sandbox") == []
    [after] = engine.execute(warehouse, {"netsuite": NetSuiteTarget(reachable)}, ["netsuite__customers"], retry_cap=NOW)
    assert (after.created, after.failed, after.held) == (CUSTOMERS, 0, 0)
    counts = dict(created(tmp_path / "sandbox"))
    assert len(counts) == CUSTOMERS and set(counts.values()) == {1}


# -- the outage alert, raised by the write-back asset -----------------------------------------


def concord_environment(
    monkeypatch: pytest.MonkeyPatch,
    warehouse: Warehouse,
    alerts_file: Path,
    cluster: SandboxCluster,
) -> None:
    """What the Dagster definitions read: the warehouse, the alert log, the outage time, Harvest."""
    for name, value in {
        "CONCORD_WAREHOUSE": "duckdb",
        "CONCORD_DUCKDB_PATH": str(warehouse.duckdb_path),
        "CONCORD_ALERTS_FILE": str(alerts_file),
        "CONCORD_WRITE_BACK_OUTAGE_MINUTES": "60",
        **cluster.source_environment(),
    }.items():
        monkeypatch.setenv(name, value)


def materialize_write_back(sync: str) -> None:
    result = dg.materialize([write_back_asset(find(sync), None)], resources={"concord": ConcordSettings()})
    assert result.success


def outage_alerts(alerts_file: Path) -> list[str]:
    with AlertLog(alerts_file) as log:
        return [a.subject for a in log.latest(100) if a.kind == "vendor_outage"]


def test_a_sync_seeing_only_transient_failures_past_the_outage_time_raises_one_alert_per_outage(
    tmp_path: Path, harvest_down: SandboxCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    alerts_file = tmp_path / "alerts.sqlite"
    concord_environment(monkeypatch, warehouse, alerts_file, harvest_down)
    plan_renames(warehouse, first_clients(harvest_down))
    target = {"harvest": HarvestTarget(harvest_config(harvest_down))}
    [first] = engine.execute(warehouse, target, [SYNC], retry_cap=LATER)  # the outage begins
    assert first.outage is not None and first.outage.reported_at is None
    outage_began_ago(warehouse, timedelta(minutes=61))

    for _ in range(3):  # runs of the loop while it lasts (the retries wait their backoff)
        materialize_write_back(SYNC)

    assert outage_alerts(alerts_file) == [SYNC]
    back_up(harvest_down, "harvest")
    retry_now(warehouse)
    [after] = engine.execute(warehouse, target, [SYNC], retry_cap=LATER)
    assert (after.written, after.outage) == (3, None)
    # down again, with new writes to make: a new outage, a new alert
    harvest_down.running["harvest"].injector.set(FaultRates(rate_503=1.0), seed=0)
    plan_renames(warehouse, {cid: (name, f"{name} again") for cid, (name, _) in first_clients(harvest_down).items()})
    engine.execute(warehouse, target, [SYNC], retry_cap=LATER)
    outage_began_ago(warehouse, timedelta(minutes=61))
    materialize_write_back(SYNC)
    assert outage_alerts(alerts_file) == [SYNC, SYNC]


def test_a_sync_seeing_only_transient_failures_for_less_than_the_outage_time_raises_no_alert(
    tmp_path: Path, harvest_down: SandboxCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    alerts_file = tmp_path / "alerts.sqlite"
    concord_environment(monkeypatch, warehouse, alerts_file, harvest_down)
    plan_renames(warehouse, first_clients(harvest_down))
    engine.execute(warehouse, {"harvest": HarvestTarget(harvest_config(harvest_down))}, [SYNC], retry_cap=LATER)

    materialize_write_back(SYNC)

    assert outage_alerts(alerts_file) == []


def outage_began_ago(warehouse: Warehouse, age: timedelta) -> None:
    """The outage began `age` ago (the ledger's clock moved, as the retry tests move it)."""
    with Ledger(warehouse) as ledger:
        ledger.execute(f"UPDATE {SCHEMA}.outages SET since = %s", (now_utc() - age,))


def retry_now(warehouse: Warehouse) -> None:
    """The dead letters' retry time has come."""
    with Ledger(warehouse) as ledger:
        ledger.execute(f"UPDATE {SCHEMA}.dead_letters SET next_attempt_at = updated_at")

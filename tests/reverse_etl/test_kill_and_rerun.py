"""A write-back run killed mid-batch and run again creates no record twice, loses no write,
and the re-run settles what the killed run left `in_flight` in the ledger by reading the
target back: `confirmed` where the vendor holds the write, `lost` (and written again) where
it does not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sandboxes.common.faults import FaultRates
from sandboxes.settings import SandboxSettings
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import HttpSettings, NetSuiteConfig
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger
from reverse_etl.targets.netsuite import NetSuiteTarget
from tests.conftest import StartSandboxes
from tests.reverse_etl.conftest import serve_test_firm

CUSTOMERS = 60
MODEL = "marts.sync_netsuite__customers"
RUN = """
import sys
from pathlib import Path
from ingestion.config import HttpSettings, NetSuiteConfig
from sandboxes.settings import SandboxSettings
from core.warehouse import Warehouse
from reverse_etl import engine
from reverse_etl.targets.netsuite import NetSuiteTarget
credentials = SandboxSettings(store_dir=Path(sys.argv[3])).source_credentials("netsuite")
config = NetSuiteConfig(**credentials, base_url=sys.argv[2], http=HttpSettings(max_attempts=3, backoff_factor=0.01))
engine.execute(Warehouse(kind="duckdb", duckdb_path=Path(sys.argv[1])), {"netsuite": NetSuiteTarget(config, max_in_flight=1)}, ["netsuite__customers"])
"""


def plan_creates(warehouse: Warehouse) -> None:
    """The sync model as dbt would build it: CUSTOMERS won deals whose ERP customer is missing."""
    rows = ", ".join(
        f"('golden:GC-KILL-{i:03d}', 'GC-KILL-{i:03d}', 'create', NULL, 'GC-KILL-{i:03d}', '{field}', '{value}', NULL, NULL)"
        for i in range(CUSTOMERS)
        for field, value in (("legal_name", f"Kill Test Client {i:03d} Ltd"), ("legal_entity_id", "1"))
    )
    warehouse.execute("CREATE SCHEMA IF NOT EXISTS marts")
    warehouse.execute(
        f"""CREATE TABLE {MODEL} AS SELECT sync_key, golden_id, operation, target_record_id, external_id, field,
            desired_value, current_value, CAST(current_as_of AS TIMESTAMP) AS current_as_of
            FROM (VALUES {rows}) AS model (sync_key, golden_id, operation, target_record_id, external_id, field,
            desired_value, current_value, current_as_of)""",
    )


def created(store_dir: Path) -> list[tuple[str, int]]:
    store = Store(store_dir)
    try:
        return (
            store.connect("netsuite")
            .execute("SELECT externalid, COUNT(*) FROM customer WHERE externalid LIKE 'GC-KILL-%' GROUP BY externalid")
            .fetchall()
        )
    finally:
        store.close()


def test_a_run_killed_mid_batch_is_settled_from_the_target_and_run_again_creates_every_record_once(
    tmp_path: Path, start_sandboxes: StartSandboxes
) -> None:
    # every request slowed a little, so the kill lands in the middle of the batch
    slow = {"netsuite": FaultRates(rate_slow=1.0, slow_seconds=0.05)}
    cluster = serve_test_firm(tmp_path, start_sandboxes, "netsuite", faults=slow)
    base_url = f"{cluster.url('netsuite')}/services/rest"
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_creates(warehouse)

    run = subprocess.Popen(
        [sys.executable, "-c", RUN, str(warehouse.duckdb_path), base_url, str(tmp_path / "sandbox")],
        cwd=Path(__file__).parents[2],
        env=os.environ,
    )
    deadline = time.monotonic() + 60
    while len(created(tmp_path / "sandbox")) < CUSTOMERS // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    time.sleep(0.5)  # a request the sandbox was still serving when the client died completes
    killed_at = len(created(tmp_path / "sandbox"))
    assert 0 < killed_at < CUSTOMERS, "the kill should land mid-batch"
    with Ledger(warehouse, read_only=True) as ledger:
        [(left_in_flight,)] = ledger.rows(f"SELECT COUNT(*) FROM {SCHEMA}.attempts WHERE status = 'in_flight'")
    assert left_in_flight == CUSTOMERS  # the whole batch was recorded before any of it was sent

    config = NetSuiteConfig(
        **SandboxSettings(store_dir=tmp_path / "sandbox").source_credentials("netsuite"),
        base_url=base_url,
        http=HttpSettings(max_attempts=3, backoff_factor=0.01),
    )
    [result] = engine.execute(warehouse, {"netsuite": NetSuiteTarget(config)}, ["netsuite__customers"])

    counts = dict(created(tmp_path / "sandbox"))
    assert len(counts) == CUSTOMERS and set(counts.values()) == {1}  # every client once, none twice
    with Ledger(warehouse, read_only=True) as ledger:
        by_status = dict(ledger.rows(f"SELECT status, COUNT(*) FROM {SCHEMA}.attempts GROUP BY 1"))
    # the killed run's rows: confirmed where NetSuite holds the customer, lost where it does not
    assert by_status == {"confirmed": killed_at, "lost": CUSTOMERS - killed_at, "written": CUSTOMERS - killed_at}
    assert (result.confirmed, result.lost, result.unsettled) == (killed_at, CUSTOMERS - killed_at, 0)
    # only what never landed was sent again; the confirmed ones wait for the next load to show them
    assert (result.written, result.failed) == (CUSTOMERS - killed_at, 0)
    assert engine.plan(warehouse, ["netsuite__customers"]).syncs[0].waiting_to_land == CUSTOMERS

"""All three systems landed together, as `concord ingest` runs them, on DuckDB and on
PostgreSQL: the warehouse ends with exactly the sandboxes' data after a first load, after
the firm lives a week, and after faults and a run killed mid-load."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.salesforce.keys import jwt_bearer_form
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS
from sandboxes.simulator import generate, tick
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import NetSuiteConfig
from ingestion.netsuite.client import NetSuiteClient
from ingestion.runner import ingest
from tests.firm import configs
from tests.ingestion.warehouse_state import differences
from tests.sandboxes.harvest_store import harvest_time_of_one_user_only

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


@pytest.fixture
def firm(tmp_path: Path, start_sandboxes) -> tuple[Store, SandboxCluster]:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=11)
    return store, start_sandboxes()


def test_first_load_equals_the_sandboxes(firm, warehouse: Warehouse, tmp_path: Path) -> None:
    store, cluster = firm
    summaries = ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")
    assert differences(store, warehouse) == []
    landed = {s.system: sum(t.new for t in s.tables.values()) for s in summaries}
    assert all(landed[system] > 0 for system in SYSTEMS), landed


def delete_one_record_in_each_system(cluster: SandboxCluster, store: Store) -> None:
    """Deletes through each vendor's API: a soft delete (Salesforce), two hard deletes (a Harvest
    time entry, a NetSuite payment, which reopens its invoice)."""
    sf = cluster.describe()["salesforce"]
    form = jwt_bearer_form(sf["private_key_path"], sf["client_id"], sf["username"], sf["base_url"])
    with httpx.Client(timeout=30) as http:
        token = http.post(sf["token_url"], data=form).json()["access_token"]
        line_item = (
            store.connect("salesforce").execute("SELECT Id FROM OpportunityLineItem WHERE IsDeleted = 0").fetchone()[0]
        )
        response = http.delete(
            f"{cluster.url('salesforce')}/services/data/v62.0/sobjects/OpportunityLineItem/{line_item}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 204
        hv = cluster.settings.harvest
        entry = (
            store.connect("harvest")
            .execute("SELECT id FROM time_entries WHERE is_locked = 0 ORDER BY id")
            .fetchone()[0]
        )
        response = http.delete(
            f"{cluster.url('harvest')}/v2/time_entries/{entry}",
            headers={"Authorization": f"Bearer {hv.access_token}", "Harvest-Account-Id": hv.account_id}
            | {"User-Agent": "Concord tests"},
        )
        assert response.status_code == 200
        ns_token = NetSuiteClient(NetSuiteConfig(**cluster.source_settings()["netsuite"])).fetch_token()
        payment = (
            store.connect("netsuite")
            .execute("SELECT id FROM \"transaction\" WHERE type = 'CustPymt' ORDER BY id")
            .fetchone()[0]
        )
        response = http.delete(
            f"{cluster.url('netsuite')}/services/rest/record/v1/customerpayment/{payment}",
            headers={"Authorization": f"Bearer {ns_token}"},
        )
        assert response.status_code == 204


def test_an_incremental_run_after_a_week_lands_exactly_the_changes(firm, warehouse: Warehouse, tmp_path: Path) -> None:
    store, cluster = firm
    ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")
    tick(store, 7)
    delete_one_record_in_each_system(cluster, store)
    # Windows end at the server clock's whole second: what changed in this very second is the
    # next run's. Let a minute pass, as it would between two scheduled runs.
    store.advance_clock(60_000)

    summaries = ingest(
        warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt", reconcile_all=True
    )

    assert differences(store, warehouse) == []
    by_system = {s.system: s.tables for s in summaries}
    assert by_system["salesforce"]["opportunity_line_item"].deleted >= 1
    assert by_system["harvest"]["time_entries"].deleted >= 1
    assert by_system["harvest"]["time_entries"].new > 0
    assert by_system["netsuite"]["transaction"].deleted >= 1


def test_a_second_run_with_nothing_new_changes_nothing(firm, tmp_path: Path) -> None:
    store, cluster = firm
    warehouse = Warehouse(duckdb_path=tmp_path / "w.duckdb")
    ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")
    again = ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt", reconcile_all=True)
    assert all(t.new == t.changed == t.deleted == 0 for s in again for t in s.tables.values()), again
    assert differences(store, warehouse) == []


def test_a_deleted_warehouse_file_is_landed_again_from_scratch(firm, tmp_path: Path) -> None:
    store, cluster = firm
    warehouse = Warehouse(duckdb_path=tmp_path / "w.duckdb")
    ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")
    warehouse.duckdb_path.unlink()

    ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")

    assert differences(store, warehouse) == []


INGEST_IN_A_CHILD = """
import json, sys
from pathlib import Path
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig
from sandboxes.settings import SandboxSettings
from core.warehouse import Warehouse
from ingestion.runner import ingest
urls = json.loads(sys.argv[1])
ingest(
    warehouse=Warehouse(duckdb_path=Path(sys.argv[2])),
    configs={
        "salesforce": SalesforceConfig(
            **SandboxSettings(store_dir=Path(sys.argv[4])).source_credentials("salesforce"),
            base_url=urls["salesforce"],
            login_url=urls["salesforce"],
        ),
        "harvest": HarvestConfig(**SandboxSettings().source_credentials("harvest"), base_url=urls["harvest"] + "/v2"),
        "netsuite": NetSuiteConfig(
            **SandboxSettings(store_dir=Path(sys.argv[4])).source_credentials("netsuite"),
            base_url=urls["netsuite"] + "/services/rest",
        ),
    },
    pipelines_dir=Path(sys.argv[3]),
)
"""


def test_faults_and_a_run_killed_mid_load_still_end_with_exactly_the_sources_data(firm, tmp_path: Path) -> None:
    store, cluster = firm
    for system in SYSTEMS:
        cluster.running[system].injector.set(
            FaultRates(rate_429=0.08, rate_500=0.04, rate_503=0.04, rate_drop=0.04), seed=5
        )
    warehouse = Warehouse(duckdb_path=tmp_path / "w.duckdb")
    urls = json.dumps({s: cluster.url(s) for s in SYSTEMS})
    for kill_after in (4.0, 9.0):
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                INGEST_IN_A_CHILD,
                urls,
                str(warehouse.duckdb_path),
                str(tmp_path / "dlt"),
                str(store.directory),
            ],
            cwd=Path(__file__).parents[2],
        )
        time.sleep(kill_after)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
        tick(store, 1)

    ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt", reconcile_all=True)

    assert differences(store, warehouse) == []


def test_concord_ingest_prints_a_summary_per_table(firm, tmp_path: Path) -> None:
    _, cluster = firm
    env = {
        **os.environ,
        "COLUMNS": "200",
        "CONCORD_DUCKDB_PATH": str(tmp_path / "cli.duckdb"),
        **cluster.source_environment(),
    }
    result = subprocess.run([*CONCORD, "ingest"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    row = re.search(r"time_entries\s*│\s*([\d,]+)\s*│", result.stdout)  # the `new` column
    assert row and int(row.group(1).replace(",", "")) > 0, result.stdout


def test_concord_ingest_withholds_a_mass_delete_says_how_to_confirm_it_and_lands_it_when_confirmed(
    firm, tmp_path: Path
) -> None:
    store, cluster = firm
    env = {**os.environ, "COLUMNS": "200", "CONCORD_DUCKDB_PATH": str(tmp_path / "cli.duckdb")}
    env |= cluster.source_environment()

    def concord_ingest(*options: str) -> str:
        command = [*CONCORD, "ingest", "--system", "harvest", *options]
        result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def deleted_time_entries(output: str) -> int:
        row = re.search(r"time_entries\s*│\s*[\d,]+\s*│\s*[\d,]+\s*│\s*([\d,]+)\s*│", output)
        assert row, output
        return int(row.group(1).replace(",", ""))

    concord_ingest()
    missing = harvest_time_of_one_user_only(store)

    withheld = concord_ingest("--reconcile")
    confirmed = concord_ingest("--reconcile", "--confirm-deletes", "harvest.time_entries")

    assert deleted_time_entries(withheld) == 0
    assert "concord ingest --reconcile --confirm-deletes harvest.time_entries" in " ".join(withheld.split())
    assert deleted_time_entries(confirmed) == missing
    assert "confirm-deletes" not in confirmed


def test_concord_ingest_with_a_wrong_credential_says_what_to_fix(firm, tmp_path: Path) -> None:
    _, cluster = firm
    env = {
        **os.environ,
        "CONCORD_DUCKDB_PATH": str(tmp_path / "cli.duckdb"),
        **cluster.source_environment(),
        "SOURCES__HARVEST__ACCESS_TOKEN": "wrong-token",
    }
    result = subprocess.run(
        [*CONCORD, "ingest", "--system", "harvest"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "harvest" in result.stderr and "SOURCES__HARVEST__" in result.stderr

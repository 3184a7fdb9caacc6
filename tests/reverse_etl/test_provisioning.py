"""Scenario 1, deal won -> ready to deliver, on the demo firm: a won deal of a customer known
only to the CRM gets its ERP customer, then its PSA client, then its PSA project (code = the
opportunity number, budget = the sold hours, one task per sold role at the contract's rate),
and a readiness event once the systems' records have landed. A second run creates nothing; if
the ERP step fails the PSA step waits, and the next run completes both, once; a project
create retried after its answer was lost finds the project instead of making a second."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, HarvestSettings, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import HarvestConfig, HttpSettings, NetSuiteConfig
from ingestion.runner import ingest
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger
from reverse_etl.targets.base import Write
from reverse_etl.targets.harvest import HarvestTarget
from reverse_etl.targets.netsuite import NetSuiteTarget
from tests.conftest import StartSandboxes
from tests.firm import LandedFirm, configs, firm_copy
from tests.reverse_etl.conftest import TargetSandboxes
from transform.build import build

PROVISIONING = ["netsuite__customers", "harvest__customers", "harvest__projects"]
# Harvest's throttle here: the real 100 requests per 15 s, its window shortened to keep tests short.
HARVEST_LIMIT, HARVEST_WINDOW = 100, 1.0
QUICK = HttpSettings(max_attempts=3, backoff_factor=0.01, max_retry_delay_seconds=0.2, timeout_seconds=15)


@contextmanager
def served(firm: LandedFirm) -> Iterator[SandboxCluster]:
    settings = SandboxSettings(
        store_dir=firm.root / "sandbox",
        ports={s: 0 for s in SYSTEMS},
        harvest=HarvestSettings(rate_limit_requests=HARVEST_LIMIT, rate_limit_window_seconds=HARVEST_WINDOW),
    )
    cluster = SandboxCluster(settings=settings).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def targets(cluster: SandboxCluster) -> dict[str, Any]:
    return {
        "netsuite": NetSuiteTarget(
            NetSuiteConfig(**cluster.source_settings()["netsuite"], http=QUICK), max_in_flight=2
        ),
        "harvest": HarvestTarget(
            HarvestConfig(**cluster.source_settings()["harvest"], http=QUICK),
            rate_limit_requests=HARVEST_LIMIT,
            rate_limit_window_seconds=HARVEST_WINDOW,
        ),
    }


def build_ok(firm: LandedFirm) -> None:
    result = build(firm.warehouse, target_dir=firm.root / "dbt_target")
    assert result.ok, result.output[-4000:]


def land(firm: LandedFirm, cluster: SandboxCluster) -> None:
    time.sleep(1.1)  # the next load reads up to the servers' clock: let it pass the writes' second
    ingest(warehouse=firm.warehouse, configs=configs(cluster), pipelines_dir=firm.pipelines_dir)


def new_customer_deal(warehouse: Warehouse) -> dict[str, Any]:
    """A won deal planned for provisioning whose customer neither the ERP nor the PSA holds."""
    rows = warehouse.query(
        """
        SELECT p.golden_id, p.external_id, o.opportunity_id, o.golden_customer_id, c.legal_name
        FROM marts.sync_harvest__projects AS p
        INNER JOIN canonical.opportunities AS o ON o.opportunity_number = p.external_id
        INNER JOIN canonical.customers AS c ON c.golden_customer_id = o.golden_customer_id
        WHERE p.operation = 'create' AND p.field = 'requires:netsuite__customers'
        ORDER BY p.external_id
        """,
    )
    assert rows, "the demo firm has a won deal of a customer only the CRM knows"
    golden_project_id, code, opportunity_id, golden_customer_id, legal_name = rows[0]
    [(budget,)] = warehouse.query(
        f"SELECT desired_value FROM marts.sync_harvest__projects WHERE golden_id = '{golden_project_id}' AND field = 'budget'",
    )
    [(rates,)] = warehouse.query(
        f"SELECT desired_value FROM marts.sync_harvest__projects WHERE golden_id = '{golden_project_id}' AND field = 'hourly_rate'",
    )
    return {
        "golden_project_id": golden_project_id,
        "code": code,
        "opportunity_id": opportunity_id,
        "golden_customer_id": golden_customer_id,
        "legal_name": legal_name,
        "budget": float(budget),
        "rates": {role: float(rate) for role, rate in json.loads(rates).items()},
    }


def erp_customers(firm: LandedFirm, golden_customer_id: str) -> list[int]:
    rows = firm.store.connect("netsuite").execute("SELECT id FROM customer WHERE externalid = ?", (golden_customer_id,))
    return [row[0] for row in rows.fetchall()]


def psa_clients(firm: LandedFirm, name: str) -> list[int]:
    rows = firm.store.connect("harvest").execute("SELECT id FROM clients WHERE name = ? COLLATE NOCASE", (name,))
    return [row[0] for row in rows.fetchall()]


def psa_projects(firm: LandedFirm, code: str) -> list[dict[str, Any]]:
    db = firm.store.connect("harvest")
    db.row_factory = None
    rows = db.execute("SELECT id, client_id, budget, bill_by FROM projects WHERE code = ?", (code,)).fetchall()
    return [dict(zip(("id", "client_id", "budget", "bill_by"), row, strict=True)) for row in rows]


def task_rates(firm: LandedFirm, project_id: int) -> dict[str, float]:
    rows = (
        firm.store.connect("harvest")
        .execute(
            "SELECT t.name, a.hourly_rate FROM task_assignments AS a JOIN tasks AS t ON t.id = a.task_id WHERE a.project_id = ?",
            (project_id,),
        )
        .fetchall()
    )
    return {name: rate for name, rate in rows}


def test_a_won_deal_gets_erp_customer_psa_client_and_project_with_tasks_and_rates_then_a_readiness_event(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = firm_copy(landed_demo_firm, tmp_path)
    with served(firm) as cluster:
        build_ok(firm)
        deal = new_customer_deal(firm.warehouse)
        assert erp_customers(firm, deal["golden_customer_id"]) == []
        assert psa_clients(firm, deal["legal_name"]) == [] and psa_projects(firm, deal["code"]) == []

        engine.execute(firm.warehouse, targets(cluster), PROVISIONING)

        [erp_customer] = erp_customers(firm, deal["golden_customer_id"])
        [client] = psa_clients(firm, deal["legal_name"])
        [project] = psa_projects(firm, deal["code"])
        assert project["client_id"] == client and project["bill_by"] == "Tasks"
        assert project["budget"] == deal["budget"] > 0
        assert task_rates(firm, project["id"]) == deal["rates"] and len(deal["rates"]) >= 1

        land(firm, cluster)
        build_ok(firm)
        events = firm.warehouse.query(
            f"""SELECT golden_customer_id, golden_project_id, netsuite_customer_id, harvest_client_id,
                       harvest_project_id, ready_at >= won_at
                FROM marts.readiness_events WHERE opportunity_id = '{deal["opportunity_id"]}'""",
        )
        assert events == [
            (
                deal["golden_customer_id"],
                deal["golden_project_id"],  # the golden id the create planned is the landed project's
                str(erp_customer),
                str(client),
                str(project["id"]),
                True,
            )
        ]
        # the new client and ERP customer joined the deal's golden customer (no new duplicate)
        linked = firm.warehouse.query(
            f"SELECT source_system, source_record_id FROM canonical.customer_xref "
            f"WHERE golden_customer_id = '{deal['golden_customer_id']}' AND source_system <> 'salesforce' ORDER BY 1",
        )
        assert linked == [("harvest", str(client)), ("netsuite", str(erp_customer))]

        # the project as provisioned is the contract's: nothing left to correct in it
        remaining = firm.warehouse.query(
            f"SELECT field FROM marts.sync_harvest__projects WHERE golden_id = '{deal['golden_project_id']}'",
        )
        assert remaining == []
        # the second run finds everything in place: it creates nothing
        again = engine.plan(firm.warehouse, PROVISIONING)
        assert sum(s.creates for s in again.syncs) == 0
        results = engine.execute(firm.warehouse, targets(cluster), PROVISIONING)
        assert sum(r.created for r in results) == 0
        assert len(psa_projects(firm, deal["code"])) == 1 and len(psa_clients(firm, deal["legal_name"])) == 1


def test_a_deals_project_lacking_a_sold_role_is_completed_once_and_its_other_rates_are_left_as_they_are(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = firm_copy(landed_demo_firm, tmp_path)
    with served(firm) as cluster:
        build_ok(firm)
        deal = new_customer_deal(firm.warehouse)
        engine.execute(firm.warehouse, targets(cluster), PROVISIONING)
        [project] = psa_projects(firm, deal["code"])
        missing = min(deal["rates"])
        # before Concord lands it: the create stopped before the last role's assignment (a kill),
        # and a person changed the rate of another
        with firm.store.transaction("harvest") as conn:
            [(task_id,)] = conn.execute("SELECT id FROM tasks WHERE name = ?", (missing,)).fetchall()
            conn.execute("DELETE FROM task_assignments WHERE project_id = ? AND task_id = ?", (project["id"], task_id))
            conn.execute(
                "UPDATE task_assignments SET hourly_rate = 1.0 WHERE project_id = ? AND task_id <> ?",
                (project["id"], task_id),
            )
        by_hand = {role: 1.0 for role in deal["rates"] if role != missing}
        assert task_rates(firm, project["id"]) == by_hand
        land(firm, cluster)
        build_ok(firm)

        completion = firm.warehouse.query(
            f"SELECT field, desired_value FROM marts.sync_harvest__projects "
            f"WHERE golden_id = '{deal['golden_project_id']}' AND operation = 'create' ORDER BY field",
        )
        assert [field for field, _ in completion] == [
            "harvest_client_id",
            "hourly_rate",
            "project_code",
            "project_name",
        ]
        engine.execute(firm.warehouse, targets(cluster), PROVISIONING)

        assert task_rates(firm, project["id"]) == {**by_hand, missing: deal["rates"][missing]}
        assert len(psa_projects(firm, deal["code"])) == 1
        land(firm, cluster)
        build_ok(firm)
        again = firm.warehouse.query(
            f"SELECT COUNT(*) FROM marts.sync_harvest__projects "
            f"WHERE golden_id = '{deal['golden_project_id']}' AND operation = 'create'",
        )
        assert again == [(0,)]


def test_when_the_erp_refuses_the_customer_the_psa_step_waits_and_the_next_run_completes_both_once(
    landed_demo_firm: LandedFirm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "FIRST_RETRY_AFTER", timedelta(0))  # the failed create's backoff has passed
    firm = firm_copy(landed_demo_firm, tmp_path)
    with served(firm) as cluster:
        build_ok(firm)
        deal = new_customer_deal(firm.warehouse)

        cluster.running["netsuite"].injector.set(FaultRates(rate_503=1.0))
        results = {r.sync.name: r for r in engine.execute(firm.warehouse, targets(cluster), PROVISIONING)}

        assert results["netsuite__customers"].failed > 0
        assert erp_customers(firm, deal["golden_customer_id"]) == []
        assert psa_clients(firm, deal["legal_name"]) == [] and psa_projects(firm, deal["code"]) == []
        assert results["harvest__customers"].waiting_for_parent > 0
        assert results["harvest__projects"].waiting_for_parent > 0

        cluster.running["netsuite"].injector.set(FaultRates())
        land(firm, cluster)
        build_ok(firm)
        engine.execute(firm.warehouse, targets(cluster), PROVISIONING)

        assert len(erp_customers(firm, deal["golden_customer_id"])) == 1
        [client] = psa_clients(firm, deal["legal_name"])
        [project] = psa_projects(firm, deal["code"])
        assert project["client_id"] == client and task_rates(firm, project["id"]) == deal["rates"]


# -- the Harvest target alone, on the shared test-size firm (tests/reverse_etl/conftest.py) ----


def project_create(client_id: int, code: str) -> Write:
    return Write(
        f"golden:PRJ-{code}",
        "create",
        None,
        code,
        {
            "project_name": f"Provisioning test {code}",
            "project_code": code,
            "harvest_client_id": str(client_id),
            "budget": "120.00",
            "hourly_rate": json.dumps({"Analyst": "150.00", "Partner": "400.00"}),
        },
    )


def harvest_get(vendors: TargetSandboxes, path: str) -> dict[str, Any]:
    config = vendors.harvest_config()
    headers = {
        "Authorization": f"Bearer {config.access_token}",
        "Harvest-Account-Id": config.account_id,
        "User-Agent": "Concord tests",
    }
    for _ in range(10):
        response = requests.get(f"{config.base_url}{path}", headers=headers, timeout=15)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers.get("Retry-After", "1")))
    response.raise_for_status()
    return response.json()


def test_a_project_create_run_again_after_its_answer_was_lost_finds_the_project_and_makes_no_second(
    vendors: TargetSandboxes,
) -> None:
    from tests.reverse_etl.conftest import HARVEST_LIMIT as LIMIT
    from tests.reverse_etl.conftest import HARVEST_WINDOW_SECONDS as WINDOW

    [(client_id,)] = vendors.sql("harvest", "SELECT MIN(id) FROM clients")
    target = HarvestTarget(vendors.harvest_config(), rate_limit_requests=LIMIT, rate_limit_window_seconds=WINDOW)

    [first] = target.write("project", [project_create(client_id, "PROV-RETRY-1")])
    # the same create again, as a run killed before it recorded the answer would send it
    [second] = target.write("project", [project_create(client_id, "PROV-RETRY-1")])

    assert first.ok and first.created and second.ok and not second.created
    assert second.target_record_id == first.target_record_id
    projects = vendors.sql("harvest", "SELECT id FROM projects WHERE code = 'PROV-RETRY-1'")
    assert projects == [(int(first.target_record_id),)]
    assigned = harvest_get(vendors, f"/projects/{first.target_record_id}/task_assignments")["task_assignments"]
    assert sorted((a["task"]["name"], a["hourly_rate"]) for a in assigned) == [("Analyst", 150.0), ("Partner", 400.0)]


def test_an_update_patches_the_budget_and_each_rate_that_differs_and_assigns_a_role_harvest_lacks(
    vendors: TargetSandboxes,
) -> None:
    from tests.reverse_etl.conftest import HARVEST_LIMIT as LIMIT
    from tests.reverse_etl.conftest import HARVEST_WINDOW_SECONDS as WINDOW

    [(client_id,)] = vendors.sql("harvest", "SELECT MIN(id) FROM clients")
    target = HarvestTarget(vendors.harvest_config(), rate_limit_requests=LIMIT, rate_limit_window_seconds=WINDOW)
    [created] = target.write("project", [project_create(client_id, "PROV-UPDATE-1")])
    project_id = created.target_record_id
    amended = {"budget": "150.00", "hourly_rate": json.dumps({"Analyst": "165.00", "Consultant": "200.00"})}

    [updated] = target.write("project", [Write("harvest:" + str(project_id), "update", project_id, None, amended)])

    assert updated.ok and updated.target_record_id == project_id and not updated.created
    assert vendors.sql("harvest", "SELECT budget FROM projects WHERE id = ?", int(project_id)) == [(150.0,)]
    assigned = harvest_get(vendors, f"/projects/{project_id}/task_assignments")["task_assignments"]
    # Partner, sold before and not in the update, is left as it was
    assert sorted((a["task"]["name"], a["hourly_rate"]) for a in assigned) == [
        ("Analyst", 165.0),
        ("Consultant", 200.0),
        ("Partner", 400.0),
    ]


def test_a_project_create_under_injected_faults_makes_exactly_one_project(vendors: TargetSandboxes) -> None:
    from tests.reverse_etl.conftest import HARVEST_LIMIT as LIMIT
    from tests.reverse_etl.conftest import HARVEST_WINDOW_SECONDS as WINDOW

    [(client_id,)] = vendors.sql("harvest", "SELECT MIN(id) FROM clients")
    target = HarvestTarget(vendors.harvest_config(), rate_limit_requests=LIMIT, rate_limit_window_seconds=WINDOW)
    vendors.faults("harvest", FaultRates(rate_503=0.2, rate_drop=0.1), seed=3)
    codes = [f"PROV-FAULT-{n}" for n in range(8)]

    outcomes = target.write("project", [project_create(client_id, code) for code in codes])

    assert all(o.ok for o in outcomes), [o.message for o in outcomes if not o.ok]
    for code in codes:
        assert len(vendors.sql("harvest", "SELECT id FROM projects WHERE code = ?", code)) == 1, code


def client_create(name: str, address: str) -> Write:
    values = {"legal_name": name, "currency_code": "EUR", "billing_address": address}
    return Write(f"golden:GC-{name}", "create", None, f"GC-{name}", values)


def test_a_client_create_finds_its_own_earlier_client_but_never_writes_into_another_customers_of_that_name(
    vendors: TargetSandboxes,
) -> None:
    target = HarvestTarget(vendors.harvest_config())
    [(other_id, other_name, other_address)] = vendors.sql(
        "harvest", "SELECT id, name, address FROM clients WHERE address IS NOT NULL ORDER BY id LIMIT 1"
    )
    [made] = target.write("customer", [client_create("Provisioning Client GmbH", "Hauptstr. 1\n10115 Berlin\nGermany")])

    [again] = target.write(
        "customer", [client_create("Provisioning Client GmbH", "Hauptstr. 1\n10115 Berlin\nGermany")]
    )
    [other] = target.write("customer", [client_create(other_name, "Elsewhere 9\n75001 Paris\nFrance")])

    assert made.ok and made.created and again.ok and again.target_record_id == made.target_record_id
    assert not other.ok and other.error_category == "validation" and str(other_id) in (other.message or "")
    assert vendors.sql("harvest", "SELECT name, address, currency FROM clients WHERE id = ?", other_id)[0][:2] == (
        other_name,
        other_address,
    )


def test_rates_that_are_not_a_json_object_of_role_to_rate_are_refused_before_any_request(
    vendors: TargetSandboxes,
) -> None:
    target = HarvestTarget(vendors.harvest_config())
    write = project_create(1, "PROV-BAD")
    bad = Write(write.sync_key, "create", None, "PROV-BAD", {**write.values, "hourly_rate": "150"})

    [outcome] = target.write("project", [bad])

    assert not outcome.ok and outcome.error_category == "validation" and outcome.attempts == 0
    assert "role -> rate" in (outcome.message or "")


# -- a provisioning run killed mid-batch and run again ----------------------------------------

PROJECTS = 30
RUN = """
import sys
from pathlib import Path
from ingestion.config import HarvestConfig, HttpSettings
from sandboxes.settings import SandboxSettings
from core.warehouse import Warehouse
from reverse_etl import engine
from reverse_etl.targets.harvest import HarvestTarget
config = HarvestConfig(**SandboxSettings().source_credentials("harvest"), base_url=sys.argv[2], http=HttpSettings(max_attempts=3, backoff_factor=0.01))
target = HarvestTarget(config, rate_limit_requests=1000, rate_limit_window_seconds=1.0)
engine.execute(Warehouse(kind="duckdb", duckdb_path=Path(sys.argv[1])), {"harvest": target}, ["harvest__projects"])
"""


def plan_project_creates(warehouse: Warehouse, client_ids: list[int]) -> None:
    """The projects sync model as dbt would build it: PROJECTS won deals under existing clients."""
    rows = ", ".join(
        f"('golden:PRJ-KILL-{n:03d}', 'PRJ-KILL-{n:03d}', 'create', NULL, 'KILL-{n:03d}', '{field}', '{value}', NULL, NULL)"
        for n in range(PROJECTS)
        for field, value in (
            ("project_name", f"Kill test project {n:03d}"),
            ("project_code", f"KILL-{n:03d}"),
            ("harvest_client_id", str(client_ids[n % len(client_ids)])),
            ("budget", "100.00"),
            ("hourly_rate", '{"Analyst": "150.00", "Consultant": "190.00"}'),
        )
    )
    warehouse.execute("CREATE SCHEMA IF NOT EXISTS marts")
    warehouse.execute(
        f"""CREATE TABLE marts.sync_harvest__projects AS SELECT sync_key, golden_id, operation, target_record_id,
            external_id, field, desired_value, current_value, CAST(current_as_of AS TIMESTAMP) AS current_as_of
            FROM (VALUES {rows}) AS model (sync_key, golden_id, operation, target_record_id, external_id, field,
            desired_value, current_value, current_as_of)""",
    )


def kill_projects(store_dir: Path) -> dict[str, int]:
    store = Store(store_dir)
    try:
        rows = store.connect("harvest").execute(
            "SELECT code, COUNT(*) FROM projects WHERE code LIKE 'KILL-%' GROUP BY code"
        )
        return dict(rows.fetchall())
    finally:
        store.close()


def test_a_provisioning_run_killed_mid_batch_and_run_again_creates_every_project_once_with_its_tasks(
    tmp_path: Path, start_sandboxes: StartSandboxes
) -> None:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    client_ids = [row[0] for row in store.connect("harvest").execute("SELECT id FROM clients ORDER BY id LIMIT 5")]
    store.close()
    cluster = start_sandboxes(
        systems=("harvest",),
        harvest=HarvestSettings(rate_limit_enabled=False),
        faults={"harvest": FaultRates(rate_slow=1.0, slow_seconds=0.03)},  # so the kill lands mid-batch
    )
    base_url = f"{cluster.url('harvest')}/v2"
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_project_creates(warehouse, client_ids)

    run = subprocess.Popen(
        [sys.executable, "-c", RUN, str(warehouse.duckdb_path), base_url], cwd=Path(__file__).parents[2], env=os.environ
    )
    deadline = time.monotonic() + 60
    while len(kill_projects(tmp_path / "sandbox")) < PROJECTS // 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.send_signal(signal.SIGKILL)
    run.wait()
    killed_at = len(kill_projects(tmp_path / "sandbox"))
    assert 0 < killed_at < PROJECTS, "the kill should land mid-batch"

    config = HarvestConfig(**SandboxSettings().source_credentials("harvest"), base_url=base_url, http=QUICK)
    target = HarvestTarget(config, rate_limit_requests=1000, rate_limit_window_seconds=1.0)
    [result] = engine.execute(warehouse, {"harvest": target}, ["harvest__projects"])

    counts = kill_projects(tmp_path / "sandbox")
    assert len(counts) == PROJECTS and set(counts.values()) == {1}  # every project once, none twice
    # the killed run's rows, read back by client and code: confirmed where the project holds its
    # budget and rates, lost (and written again) where it is missing or not fully assigned
    assert (result.confirmed + result.lost, result.unsettled) == (PROJECTS, 0)
    assert (result.written, result.failed) == (result.lost, 0)
    assert result.created == PROJECTS - killed_at  # the killed run's projects were found by their code
    with Ledger(warehouse, read_only=True) as ledger:
        in_flight = ledger.rows(f"SELECT COUNT(*) FROM {SCHEMA}.attempts WHERE status = 'in_flight'")
    assert in_flight == [(0,)]
    store = Store(tmp_path / "sandbox")
    try:
        assigned = store.connect("harvest").execute(
            """SELECT p.code, COUNT(*), SUM(a.hourly_rate) FROM projects AS p
               JOIN task_assignments AS a ON a.project_id = p.id WHERE p.code LIKE 'KILL-%' GROUP BY p.code"""
        )
        assert {(count, total) for _, count, total in assigned.fetchall()} == {(2, 340.0)}
    finally:
        store.close()

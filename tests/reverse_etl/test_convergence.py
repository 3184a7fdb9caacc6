"""The loop converges on the demo firm: ingest -> build -> write back -> ingest -> build fixes
every customer attribute the systems disagreed on, stamps the golden ids and cross-references,
creates the ERP customers of won deals without duplicates, provisions their PSA clients and
projects, posts the approved time and expenses that match their contracts as ERP charges, once
each (what stays unbilled is what cannot be posted), holds exactly the stale PSA rates the
simulator injected for a person (their policy is hold_on_conflict), and the next cycle has
nothing left to write. A dry run before it changes nothing in any sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sandboxes.serving import SandboxCluster

from core.warehouse import Warehouse
from ingestion.runner import ingest
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger
from reverse_etl.targets.harvest import HarvestTarget
from reverse_etl.targets.netsuite import NetSuiteTarget
from reverse_etl.targets.salesforce import SalesforceTarget
from tests.firm import LandedFirm, awaiting_a_steward, configs, firm_copy, served
from transform.build import build

pytestmark = pytest.mark.minutes(5)  # about this many on two cores

SYNCS = None  # every sync the ownership file derives


def targets(cluster: SandboxCluster) -> dict:
    c = configs(cluster)
    return {
        "salesforce": SalesforceTarget(c["salesforce"]),
        "harvest": HarvestTarget(c["harvest"]),
        "netsuite": NetSuiteTarget(c["netsuite"]),
    }


def open_exceptions(warehouse: Warehouse) -> dict[str, int]:
    return dict(warehouse.query("SELECT check_name, COUNT(*) FROM marts.exceptions WHERE is_open GROUP BY 1"))


def sandbox_fingerprint(firm: LandedFirm) -> dict[str, int]:
    """The newest change stamp of every system's main records."""
    return {
        "salesforce": firm.store.connect("salesforce").execute("SELECT MAX(SystemModstamp) FROM Account").fetchone()[0],
        "netsuite": firm.store.connect("netsuite").execute("SELECT MAX(lastmodifieddate) FROM customer").fetchone()[0],
        "netsuite charges": firm.store.connect("netsuite").execute("SELECT COUNT(*) FROM charge").fetchone()[0],
        "harvest": firm.store.connect("harvest").execute("SELECT MAX(updated_at) FROM clients").fetchone()[0],
    }


def cycle(firm: LandedFirm, cluster: SandboxCluster) -> None:
    assert build(firm.warehouse, target_dir=firm.root / "dbt_target").ok
    engine.execute(firm.warehouse, targets(cluster), SYNCS)
    time.sleep(1.1)  # the next load reads up to the servers' clock: let it pass the writes' second
    ingest(warehouse=firm.warehouse, configs=configs(cluster), pipelines_dir=firm.pipelines_dir)


def unbilled_reasons(warehouse: Warehouse, what: str = "time") -> list[str]:
    return [
        r
        for (r,) in warehouse.query(
            f"SELECT reason FROM marts.exceptions WHERE is_open AND check_name = 'unbilled_{what}'"
        )
    ]


def charges_per_valid_expense(firm: LandedFirm) -> set[int]:
    """How many NetSuite charges name each approved billable expense that validates (the
    sandbox's ground truth, not the landed copy)."""
    valid = [
        e for (e,) in firm.warehouse.query("SELECT expense_id FROM intermediate.int_expenses_validated WHERE is_valid")
    ]
    assert valid
    netsuite = firm.store.connect("netsuite")
    posted = dict(
        netsuite.execute(
            "SELECT substr(externalid, 12, instr(substr(externalid, 12), '-') - 1), COUNT(*) FROM charge "
            "WHERE externalid LIKE 'harvest-ex-%' GROUP BY 1"
        ).fetchall()
    )
    return {posted.get(e, 0) for e in valid}


@pytest.mark.timeout(900)
def test_write_back_fixes_drift_provisions_posts_time_holds_conflicts_and_a_second_cycle_plans_no_writes(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = firm_copy(landed_demo_firm, tmp_path)
    [(customers_in_netsuite,)] = firm.store.connect("netsuite").execute("SELECT COUNT(*) FROM customer").fetchall()
    with served(firm) as cluster:
        assert build(firm.warehouse, target_dir=firm.root / "dbt_target").ok
        before = open_exceptions(firm.warehouse)
        charges_before = firm.store.connect("netsuite").execute("SELECT COUNT(*) FROM charge").fetchone()[0]
        untouched = sandbox_fingerprint(firm)
        dry_run = engine.plan(firm.warehouse, SYNCS)
        assert dry_run.writes > 0 and sandbox_fingerprint(firm) == untouched

        cycle(firm, cluster)
        cycle(firm, cluster)
        assert build(firm.warehouse, target_dir=firm.root / "dbt_target").ok

        after = open_exceptions(firm.warehouse)
        still_unbilled = unbilled_reasons(firm.warehouse)
        valid_expenses_posted = charges_per_valid_expense(firm)
        final_plan = engine.plan(firm.warehouse, SYNCS)
        _, customers_in_review = awaiting_a_steward(firm.warehouse)
        not_provisioned = {
            golden_id
            for (golden_id,) in firm.warehouse.query(
                "SELECT golden_customer_id FROM marts.exceptions "
                "WHERE is_open AND check_name = 'won_opportunity_not_provisioned'"
            )
        }
    creates = {s.sync.name: s.creates for s in dry_run.syncs}

    assert before["customer_attribute_drift"] > 0 and "customer_attribute_drift" not in after
    assert after.get("customer_missing_cross_reference", 0) < before["customer_missing_cross_reference"]
    # approved time: every valid entry posted once; what stays unbilled is what fails validation
    posted = creates["netsuite__time_entries"]
    assert posted > 0 and after["unbilled_time"] == before["unbilled_time"] - posted
    assert all("cannot be posted to the ERP: " in reason for reason in still_unbilled)
    charges_after = firm.store.connect("netsuite").execute("SELECT COUNT(*) FROM charge").fetchone()[0]
    assert charges_after == charges_before + posted
    # approved expenses: every one that validates is posted exactly once, and nothing is unbilled
    # but what cannot be posted
    assert valid_expenses_posted == {1}
    assert all("cannot be posted to the ERP: " in reason for reason in unbilled_reasons(firm.warehouse, "expense"))
    assert final_plan.writes == 0
    # A won deal whose customer waits for a steward (its ERP customer may be the record in
    # review) is provisioned once the steward has decided, not before.
    assert not_provisioned <= customers_in_review
    # held for a person: exactly the projects whose PSA rates the simulator left stale
    stale_assignments = [str(d["record_id"]) for d in firm.truth["drift"] if d["drift_type"] == "stale_rate"]
    harvest = firm.store.connect("harvest")
    stale_projects = {
        f"harvest:{project_id}"
        for (project_id,) in harvest.execute(
            f"SELECT DISTINCT project_id FROM task_assignments WHERE id IN ({', '.join('?' * len(stale_assignments))})",
            stale_assignments,
        ).fetchall()
    }
    with Ledger(firm.warehouse, read_only=True) as ledger:
        held = {key for (key,) in ledger.rows(f"SELECT sync_key FROM {SCHEMA}.holds WHERE status = 'held'")}
    assert stale_projects and held == stale_projects
    assert sum(s.held for s in final_plan.syncs) == len(stale_projects)
    # each won deal's ERP customer was created once, however many cycles ran
    created = firm.store.connect("netsuite").execute("SELECT COUNT(*) FROM customer").fetchone()[0]
    assert created == customers_in_netsuite + creates["netsuite__customers"] > customers_in_netsuite
    [(duplicated,)] = (
        firm.store.connect("netsuite")
        .execute(
            "SELECT COUNT(*) FROM (SELECT externalid FROM customer WHERE externalid IS NOT NULL GROUP BY 1 HAVING COUNT(*) > 1)"
        )
        .fetchall()
    )
    assert duplicated == 0
    with Ledger(firm.warehouse, read_only=True) as ledger:
        statuses = dict(ledger.rows(f"SELECT status, COUNT(*) FROM {SCHEMA}.attempts GROUP BY 1"))
    assert set(statuses) == {"written", "held"} and statuses["written"] >= dry_run.writes - len(stale_projects)

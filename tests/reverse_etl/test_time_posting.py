"""Scenario 2, approved time -> billable in the ERP, on a test-size firm through the whole loop
(ingest -> build -> write back -> ingest -> build): approved billable time that matches its
contract is posted to NetSuite once, as a charge at the contract's rate; a second run posts
nothing; an entry edited after posting gets its charge corrected in place; an entry at a rate
other than the contract's, on a task with no billing item, or edited after its charge was
invoiced is an exception with its reason and is not written. And the NetSuite target alone:
charge creates outlast injected faults and a re-run without a second charge; NetSuite's
refusal to change a billed charge comes back as a validation outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster

from core.warehouse import Warehouse
from ingestion.runner import ingest
from reverse_etl import engine
from reverse_etl.engine import PlannedWrite
from reverse_etl.targets.base import Write
from reverse_etl.targets.netsuite import NetSuiteTarget
from tests.firm import LandedFirm, configs, land_firm, served
from tests.reverse_etl.conftest import TargetSandboxes
from transform.build import build

# About this many minutes on two cores; its story builds three times, past the default timeout.
pytestmark = [pytest.mark.minutes(4), pytest.mark.timeout(900)]

SYNC = "netsuite__time_entries"
UNMAPPED_TASK = "Solution Architect"
RATE_OFF_BY = 17.5


@dataclass
class Story:
    """What the loop did, step by step, and what each system held after it."""

    posted: str = ""  # valid, not posted: posted by the first run, then edited
    mispriced: str = ""  # valid until the PSA priced it off the contract
    unmapped: str = ""  # valid until moved to a task with no billing item
    invoiced: str = ""  # posted and invoiced, then edited
    charges_before: int = 0
    first_plan: dict[str, PlannedWrite] = field(default_factory=dict)
    charges_after_first_run: int = 0
    second_plan_writes: int = -1
    charges_after_second_run: int = 0
    first_charge: dict = field(default_factory=dict)
    correction_plan: dict[str, PlannedWrite] = field(default_factory=dict)
    corrected_charges: list[dict] = field(default_factory=list)
    final_plan_writes: int = -1
    exceptions: dict[str, str] = field(default_factory=dict)  # entry -> reason (open unbilled_time)
    charges_of: dict[str, int] = field(default_factory=dict)  # entry -> charges naming it, at the end


def cycle_build(firm: LandedFirm) -> None:
    result = build(firm.warehouse, target_dir=firm.root / "dbt_target", selector="loop")
    assert result.ok, result.output[-4000:]


def land_again(firm: LandedFirm, cluster: SandboxCluster) -> None:
    time.sleep(1.1)  # the next load reads up to the servers' clock: let it pass the last change's second
    ingest(warehouse=firm.warehouse, configs=configs(cluster), pipelines_dir=firm.pipelines_dir)
    cycle_build(firm)


def time_plan(warehouse: Warehouse) -> dict[str, PlannedWrite]:
    [sync_plan] = engine.plan(warehouse, [SYNC]).syncs
    assert not sync_plan.missing_model
    return {w.sync_key.removeprefix("harvest:"): w for w in sync_plan.writes}


def post(firm: LandedFirm, cluster: SandboxCluster) -> None:
    [result] = engine.execute(firm.warehouse, {"netsuite": NetSuiteTarget(configs(cluster)["netsuite"])}, [SYNC])
    assert result.failed == 0 and result.fatal is None


def charges(firm: LandedFirm, entry: str | None = None) -> list[dict]:
    netsuite = firm.store.connect("netsuite")
    sql = "SELECT * FROM charge"
    if entry is None:
        return [dict(r) for r in netsuite.execute(sql).fetchall()]
    rows = netsuite.execute(f"{sql} WHERE externalid LIKE ?", (f"harvest-te-{entry}-v%",)).fetchall()
    return [dict(r) for r in rows]


def harvest_edit(firm: LandedFirm, sql: str, **values: object) -> None:
    """A person's change in the PSA, stamped (`:now`) with the store's clock as Harvest would."""
    harvest = firm.store.connect("harvest")
    harvest.execute(sql, {**values, "now": firm.store.now_ms() // 1000 * 1000})
    harvest.commit()


def pick(firm: LandedFirm, where: str, but_not: tuple[str, ...] = ()) -> str:
    excluded = ", ".join(f"'{e}'" for e in but_not) or "''"
    [(entry,)] = firm.warehouse.query(
        f"""SELECT time_entry_id FROM intermediate.int_time_entries_validated
            WHERE {where} AND time_entry_id NOT IN ({excluded}) ORDER BY time_entry_id LIMIT 1""",
    )
    return str(entry)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    root = tmp_path_factory.mktemp("time_posting")
    firm = land_firm(root, Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb"), size="test", seed=7)
    told = Story()
    with served(firm) as cluster:
        cycle_build(firm)
        told.posted = pick(firm, "is_valid AND NOT is_posted")
        told.mispriced = pick(firm, "is_valid AND NOT is_posted", (told.posted,))
        told.unmapped = pick(firm, "is_valid AND NOT is_posted", (told.posted, told.mispriced))
        told.invoiced = pick(firm, "is_valid AND is_posted AND is_invoiced")
        harvest_edit(
            firm,
            "UPDATE time_entries SET billable_rate = billable_rate + :off, updated_at = :now WHERE id = :id",
            off=RATE_OFF_BY,
            id=int(told.mispriced),
        )
        [(task_id,)] = firm.store.connect("harvest").execute("SELECT MAX(id) + 1 FROM tasks").fetchall()
        harvest_edit(
            firm,
            "INSERT INTO tasks (id, name, billable_by_default, created_at, updated_at) VALUES (:id, :name, 1, :now, :now)",
            id=task_id,
            name=UNMAPPED_TASK,
        )
        harvest_edit(
            firm,
            "UPDATE time_entries SET task_id = :task, updated_at = :now WHERE id = :id",
            task=task_id,
            id=int(told.unmapped),
        )
        told.charges_before = len(charges(firm))

        land_again(firm, cluster)
        told.first_plan = time_plan(firm.warehouse)
        post(firm, cluster)
        told.charges_after_first_run = len(charges(firm))
        [told.first_charge] = charges(firm, told.posted)

        land_again(firm, cluster)
        told.second_plan_writes = len(time_plan(firm.warehouse))
        post(firm, cluster)
        told.charges_after_second_run = len(charges(firm))

        for entry in (told.posted, told.invoiced):
            harvest_edit(
                firm, "UPDATE time_entries SET hours = hours + 1, updated_at = :now WHERE id = :id", id=int(entry)
            )
        land_again(firm, cluster)
        told.correction_plan = time_plan(firm.warehouse)
        post(firm, cluster)
        told.corrected_charges = charges(firm, told.posted)

        land_again(firm, cluster)
        told.final_plan_writes = len(time_plan(firm.warehouse))
    told.exceptions = dict(
        firm.warehouse.query(
            "SELECT source_record_id, reason FROM marts.exceptions WHERE is_open AND check_name = 'unbilled_time'",
        )
    )
    told.charges_of = {e: len(charges(firm, e)) for e in (told.posted, told.mispriced, told.unmapped, told.invoiced)}
    return told


def test_approved_time_matching_its_contract_is_posted_once_as_a_charge_ready_for_billing(story: Story) -> None:
    creates = [w for w in story.first_plan.values() if w.operation == "create"]
    charge = story.first_charge

    assert story.posted in story.first_plan and len(creates) == len(story.first_plan)
    assert story.charges_after_first_run == story.charges_before + len(creates)
    assert charge["externalid"] == f"harvest-te-{story.posted}-v1"
    assert (charge["chargetype"], charge["stage"], charge["invoice"]) == ("Time", "Ready For Billing", None)
    desired = story.first_plan[story.posted].desired
    assert charge["quantity"] == float(desired["approved_hours"]) and charge["rate"] == float(desired["billable_rate"])
    assert charge["amount"] == round(charge["quantity"] * charge["rate"], 2)
    assert str(charge["project"]) == desired["netsuite_project_id"]
    assert str(charge["billingitem"]) == desired["billing_item_id"]
    assert charge["chargedate"] == desired["spent_date"]


def test_running_the_loop_again_posts_nothing_new(story: Story) -> None:
    assert story.second_plan_writes == 0
    assert story.charges_after_second_run == story.charges_after_first_run


def test_an_entry_edited_after_posting_corrects_the_same_charge(story: Story) -> None:
    correction = story.correction_plan[story.posted]
    [charge] = story.corrected_charges

    assert (correction.operation, correction.target_record_id) == ("update", str(story.first_charge["id"]))
    assert correction.desired == {"approved_hours": f"{story.first_charge['quantity'] + 1:.2f}"}
    assert charge["id"] == story.first_charge["id"]
    assert charge["quantity"] == story.first_charge["quantity"] + 1
    assert charge["amount"] == round(charge["quantity"] * charge["rate"], 2)
    assert charge["externalid"] == f"harvest-te-{story.posted}-v2"
    assert story.final_plan_writes == 0


def test_an_entry_priced_off_the_contract_is_an_exception_naming_both_rates_and_is_not_posted(story: Story) -> None:
    reason = story.exceptions[story.mispriced]

    assert story.mispriced not in story.first_plan and story.charges_of[story.mispriced] == 0
    assert "cannot be posted to the ERP: rate " in reason
    assert "differs from" in reason and "contract" in reason


def test_an_entry_on_a_task_with_no_billing_item_is_an_exception_and_is_not_posted(story: Story) -> None:
    assert story.unmapped not in story.first_plan and story.charges_of[story.unmapped] == 0
    assert f"task {UNMAPPED_TASK} is mapped to no ERP billing item" in story.exceptions[story.unmapped]


def test_an_entry_edited_after_its_charge_was_invoiced_is_an_exception_not_a_write(story: Story) -> None:
    assert story.invoiced not in story.correction_plan and story.charges_of[story.invoiced] == 1
    assert "after charge" in story.exceptions[story.invoiced]
    assert "was invoiced" in story.exceptions[story.invoiced]


# -- the NetSuite target alone, on the shared test-size sandboxes ------------------------------

FAULTS_20_PERCENT = FaultRates(rate_429=0.05, rate_500=0.05, rate_503=0.05, rate_drop=0.05, retry_after_seconds=0)


def charge_values(vendors: TargetSandboxes, where: str) -> tuple[str, dict[str, str]]:
    """An existing charge's id and its values, in the sync model's vocabulary."""
    [row] = vendors.sql(
        "netsuite",
        "SELECT c.id, c.billto, c.project, c.subsidiary, cur.symbol, c.billingitem, c.chargedate, c.quantity, c.rate "
        f"FROM charge c JOIN currency cur ON cur.id = c.currency WHERE {where} ORDER BY c.id LIMIT 1",
    )
    charge_id, customer, project, subsidiary, currency, item, day, hours, rate = row
    return str(charge_id), {
        "netsuite_customer_id": str(customer),
        "netsuite_project_id": str(project),
        "legal_entity_id": str(subsidiary),
        "currency_code": currency,
        "billing_item_id": str(item),
        "spent_date": day,
        "approved_hours": f"{hours:.2f}",
        "billable_rate": f"{rate:.2f}",
    }


def test_charge_creates_outlast_20_percent_faults_and_a_rerun_posts_no_second_charge(
    vendors: TargetSandboxes,
) -> None:
    _, values = charge_values(vendors, "c.invoice IS NULL")
    writes = [Write(f"harvest:99{i:05d}", "create", None, f"harvest-te-99{i:05d}-v1", values) for i in range(40)]
    vendors.faults("netsuite", FAULTS_20_PERCENT, seed=21)

    first = NetSuiteTarget(vendors.netsuite_config()).write("time_entry", writes)
    again = NetSuiteTarget(vendors.netsuite_config()).write("time_entry", writes)

    assert all(o.ok for o in first + again), [o.message for o in first + again if not o.ok]
    assert any(o.attempts > 1 for o in first)
    assert [o.target_record_id for o in again] == [o.target_record_id for o in first]
    assert not any(o.created for o in again)
    assert vendors.sql(
        "netsuite",
        "SELECT COUNT(*), COUNT(DISTINCT externalid), MIN(chargetype), MIN(stage) FROM charge "
        "WHERE externalid LIKE 'harvest-te-99%'",
    ) == [(40, 40, "Time", "Ready For Billing")]


def test_a_correction_of_a_billed_charge_is_refused_as_validation_with_netsuites_message(
    vendors: TargetSandboxes,
) -> None:
    charge_id, values = charge_values(vendors, "c.invoice IS NOT NULL")
    hours = f"{float(values['approved_hours']) + 1:.2f}"
    correction = Write("harvest:1", "update", charge_id, "harvest-te-1-v2", {"approved_hours": hours})

    [outcome] = NetSuiteTarget(vendors.netsuite_config()).write("time_entry", [correction])

    assert (outcome.ok, outcome.error_category, outcome.http_status) == (False, "validation", 400)
    assert "billed on invoice" in str(outcome.message)
    assert vendors.sql("netsuite", "SELECT quantity FROM charge WHERE id = ?", int(charge_id)) == [
        (float(values["approved_hours"]),)
    ]

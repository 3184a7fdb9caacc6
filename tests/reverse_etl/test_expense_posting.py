"""Scenario 2, approved expenses -> billable in the ERP, on a test-size firm through the whole
loop (ingest -> build -> write back -> ingest -> build): an approved billable expense that
matches its contract is posted to NetSuite once, as an Expense charge of one unit at the
expense's amount; a second run posts nothing; an expense edited after posting gets its charge
corrected in place; an expense in a category with no billing item, or edited after its charge
was invoiced, is an exception with its reason and is not written. And the NetSuite target
alone: an expense create outlasts injected faults and a re-run without a second charge."""

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

SYNC = "netsuite__expenses"
UNMAPPED_CATEGORY = "Client Gifts"
NEW_AMOUNT = 212.4
CORRECTED_AMOUNT = 248.15


@dataclass
class Story:
    """What the loop did, step by step, and what each system held after it."""

    posted: str = ""  # a new approved expense: posted by the first run, then edited
    unmapped: str = ""  # a new approved expense in a category with no billing item
    invoiced: str = ""  # posted and invoiced, then edited
    charges_before: int = 0
    first_plan: dict[str, PlannedWrite] = field(default_factory=dict)
    charges_after_first_run: int = 0
    first_charge: dict = field(default_factory=dict)
    second_plan_writes: int = -1
    charges_after_second_run: int = 0
    correction_plan: dict[str, PlannedWrite] = field(default_factory=dict)
    corrected_charges: list[dict] = field(default_factory=list)
    final_plan_writes: int = -1
    exceptions: dict[str, str] = field(default_factory=dict)  # expense -> reason (open unbilled_expense)
    charges_of: dict[str, int] = field(default_factory=dict)  # expense -> charges naming it, at the end


def cycle_build(firm: LandedFirm) -> None:
    result = build(firm.warehouse, target_dir=firm.root / "dbt_target", selector="loop")
    assert result.ok, result.output[-4000:]


def land_again(firm: LandedFirm, cluster: SandboxCluster) -> None:
    time.sleep(1.1)  # the next load reads up to the servers' clock: let it pass the last change's second
    ingest(warehouse=firm.warehouse, configs=configs(cluster), pipelines_dir=firm.pipelines_dir)
    cycle_build(firm)


def expense_plan(warehouse: Warehouse) -> dict[str, PlannedWrite]:
    [sync_plan] = engine.plan(warehouse, [SYNC]).syncs
    assert not sync_plan.missing_model
    return {w.sync_key.removeprefix("harvest:"): w for w in sync_plan.writes}


def post(firm: LandedFirm, cluster: SandboxCluster) -> None:
    [result] = engine.execute(firm.warehouse, {"netsuite": NetSuiteTarget(configs(cluster)["netsuite"])}, [SYNC])
    assert result.failed == 0 and result.fatal is None


def charges(firm: LandedFirm, expense: str | None = None) -> list[dict]:
    netsuite = firm.store.connect("netsuite")
    sql = "SELECT * FROM charge"
    if expense is None:
        return [dict(r) for r in netsuite.execute(sql).fetchall()]
    rows = netsuite.execute(f"{sql} WHERE externalid LIKE ?", (f"harvest-ex-{expense}-v%",)).fetchall()
    return [dict(r) for r in rows]


def harvest_edit(firm: LandedFirm, sql: str, **values: object) -> None:
    """A person's change in the PSA, stamped (`:now`) with the store's clock as Harvest would."""
    harvest = firm.store.connect("harvest")
    harvest.execute(sql, {**values, "now": firm.store.now_ms() // 1000 * 1000})
    harvest.commit()


def new_approved_expense(firm: LandedFirm, like: str, category: str, amount: float) -> str:
    """A consultant's new billable expense on the same project as expense `like`, approved."""
    harvest = firm.store.connect("harvest")
    [(expense_id,)] = harvest.execute("SELECT MAX(id) + 1 FROM expenses").fetchall()
    harvest_edit(
        firm,
        """INSERT INTO expenses (id, client_id, project_id, user_id, expense_category, spent_date, notes,
               total_cost, billable, is_locked, locked_reason, approval_status, created_at, updated_at)
           SELECT :id, client_id, project_id, user_id, :category, spent_date, 'added by the test', :amount,
               1, 1, 'Item Approved and Locked for this Time Period', 'approved', :now, :now
           FROM expenses WHERE id = :like""",
        id=expense_id,
        category=category,
        amount=amount,
        like=int(like),
    )
    return str(expense_id)


def pick(firm: LandedFirm, where: str) -> str:
    [(expense,)] = firm.warehouse.query(
        f"SELECT expense_id FROM intermediate.int_expenses_validated WHERE {where} ORDER BY expense_id LIMIT 1",
    )
    return str(expense)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    root = tmp_path_factory.mktemp("expense_posting")
    firm = land_firm(root, Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb"), size="test", seed=7)
    told = Story()
    with served(firm) as cluster:
        cycle_build(firm)
        valid = pick(firm, "is_valid")
        told.invoiced = pick(firm, "is_valid AND is_posted AND is_invoiced")
        told.posted = new_approved_expense(firm, valid, "Travel", NEW_AMOUNT)
        [(category_id,)] = (
            firm.store.connect("harvest").execute("SELECT MAX(id) + 1 FROM expense_categories").fetchall()
        )
        harvest_edit(
            firm,
            "INSERT INTO expense_categories (id, name, is_active, created_at, updated_at) VALUES (:id, :name, 1, :now, :now)",
            id=category_id,
            name=UNMAPPED_CATEGORY,
        )
        told.unmapped = new_approved_expense(firm, valid, UNMAPPED_CATEGORY, 80.0)
        told.charges_before = len(charges(firm))

        land_again(firm, cluster)
        told.first_plan = expense_plan(firm.warehouse)
        post(firm, cluster)
        told.charges_after_first_run = len(charges(firm))
        [told.first_charge] = charges(firm, told.posted)

        land_again(firm, cluster)
        told.second_plan_writes = len(expense_plan(firm.warehouse))
        post(firm, cluster)
        told.charges_after_second_run = len(charges(firm))

        for expense in (told.posted, told.invoiced):
            harvest_edit(
                firm,
                "UPDATE expenses SET total_cost = :amount, updated_at = :now WHERE id = :id",
                amount=CORRECTED_AMOUNT,
                id=int(expense),
            )
        land_again(firm, cluster)
        told.correction_plan = expense_plan(firm.warehouse)
        post(firm, cluster)
        told.corrected_charges = charges(firm, told.posted)

        land_again(firm, cluster)
        told.final_plan_writes = len(expense_plan(firm.warehouse))
    told.exceptions = dict(
        firm.warehouse.query(
            "SELECT source_record_id, reason FROM marts.exceptions WHERE is_open AND check_name = 'unbilled_expense'",
        )
    )
    told.charges_of = {e: len(charges(firm, e)) for e in (told.posted, told.unmapped, told.invoiced)}
    return told


def test_an_approved_expense_matching_its_contract_is_posted_once_as_an_expense_charge(story: Story) -> None:
    creates = [w for w in story.first_plan.values() if w.operation == "create"]
    charge = story.first_charge
    desired = story.first_plan[story.posted].desired

    assert set(story.first_plan) == {story.posted} and len(creates) == 1
    assert story.charges_after_first_run == story.charges_before + 1
    assert charge["externalid"] == f"harvest-ex-{story.posted}-v1"
    assert (charge["chargetype"], charge["stage"], charge["invoice"]) == ("Expense", "Ready For Billing", None)
    assert desired["amount"] == f"{NEW_AMOUNT:.2f}"
    assert (charge["quantity"], charge["rate"], charge["amount"]) == (1.0, NEW_AMOUNT, NEW_AMOUNT)
    assert str(charge["project"]) == desired["netsuite_project_id"]
    assert str(charge["billto"]) == desired["netsuite_customer_id"]
    assert str(charge["billingitem"]) == desired["billing_item_id"]
    assert charge["chargedate"] == desired["spent_date"]


def test_running_the_loop_again_posts_no_expense(story: Story) -> None:
    assert story.second_plan_writes == 0
    assert story.charges_after_second_run == story.charges_after_first_run


def test_an_expense_edited_after_posting_corrects_the_same_charge(story: Story) -> None:
    correction = story.correction_plan[story.posted]
    [charge] = story.corrected_charges

    assert (correction.operation, correction.target_record_id) == ("update", str(story.first_charge["id"]))
    assert correction.desired == {"amount": f"{CORRECTED_AMOUNT:.2f}"}
    assert charge["id"] == story.first_charge["id"]
    assert (charge["quantity"], charge["rate"], charge["amount"]) == (1.0, CORRECTED_AMOUNT, CORRECTED_AMOUNT)
    assert charge["externalid"] == f"harvest-ex-{story.posted}-v2"
    assert story.final_plan_writes == 0


def test_an_expense_in_a_category_with_no_billing_item_is_an_exception_and_is_not_posted(story: Story) -> None:
    assert story.unmapped not in story.first_plan and story.charges_of[story.unmapped] == 0
    reason = story.exceptions[story.unmapped]
    assert "cannot be posted to the ERP: " in reason
    assert f"expense category {UNMAPPED_CATEGORY} is mapped to no ERP billing item" in reason


def test_an_expense_edited_after_its_charge_was_invoiced_is_an_exception_not_a_write(story: Story) -> None:
    assert story.invoiced not in story.correction_plan and story.charges_of[story.invoiced] == 1
    assert "after charge" in story.exceptions[story.invoiced]
    assert "was invoiced" in story.exceptions[story.invoiced]
    assert set(story.exceptions) == {story.unmapped, story.invoiced}


# -- the NetSuite target alone, on the shared test-size sandboxes ------------------------------

FAULTS_20_PERCENT = FaultRates(rate_429=0.05, rate_500=0.05, rate_503=0.05, rate_drop=0.05, retry_after_seconds=0)


def test_expense_charge_creates_outlast_20_percent_faults_and_a_rerun_posts_no_second_charge(
    vendors: TargetSandboxes,
) -> None:
    [row] = vendors.sql(
        "netsuite",
        "SELECT c.billto, c.project, c.subsidiary, cur.symbol, c.billingitem, c.chargedate FROM charge c "
        "JOIN currency cur ON cur.id = c.currency WHERE c.invoice IS NULL AND c.chargetype = 'Expense' "
        "ORDER BY c.id LIMIT 1",
    )
    customer, project, subsidiary, currency, item, day = row
    values = {
        "netsuite_customer_id": str(customer),
        "netsuite_project_id": str(project),
        "legal_entity_id": str(subsidiary),
        "currency_code": currency,
        "billing_item_id": str(item),
        "spent_date": day,
    }
    writes = [
        Write(f"harvest:88{i:05d}", "create", None, f"harvest-ex-88{i:05d}-v1", {**values, "amount": f"{10 + i}.50"})
        for i in range(30)
    ]
    vendors.faults("netsuite", FAULTS_20_PERCENT, seed=22)

    first = NetSuiteTarget(vendors.netsuite_config()).write("expense", writes)
    again = NetSuiteTarget(vendors.netsuite_config()).write("expense", writes)

    assert all(o.ok for o in first + again), [o.message for o in first + again if not o.ok]
    assert [o.target_record_id for o in again] == [o.target_record_id for o in first]
    assert not any(o.created for o in again)
    assert vendors.sql(
        "netsuite",
        "SELECT COUNT(*), COUNT(DISTINCT externalid), MIN(chargetype), MAX(quantity), SUM(amount) FROM charge "
        "WHERE externalid LIKE 'harvest-ex-88%'",
    ) == [(30, 30, "Expense", 1.0, sum(10.5 + i for i in range(30)))]


def test_a_time_field_is_refused_on_an_expense_charge_without_a_request(vendors: TargetSandboxes) -> None:
    write = Write("harvest:1", "create", None, "harvest-ex-1-v1", {"approved_hours": "2.00"})

    [outcome] = NetSuiteTarget(vendors.netsuite_config()).write("expense", [write])

    assert (outcome.ok, outcome.error_category, outcome.http_status) == (False, "validation", None)
    assert "cannot be written to a NetSuite expense charge" in str(outcome.message)

"""The write-back's circuit breaker relative to the target's size
(dbt_project/tests/generic/changes_at_most_records_per_run.sql): a sync that would overwrite
more than `sync_max_share_per_run` of the records its target holds trips its guard, far below
the absolute count; the demo firm's first cycle, which stamps ids on nearly every record,
does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from core.dbt import PROJECT_DIR, DbtResult, run_dbt
from core.warehouse import Warehouse
from tests.firm import LandedFirm, built_copy

# a build of the landed demo firm and two of its customer sync, after the firm is landed
pytestmark = pytest.mark.timeout(600)

GUARD = "changes_at_most_records_per_run_sync_netsuite__customers"
VARS = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def overwrites_allowed(target_records: int) -> float:
    """How many records the share lets a sync overwrite in a target of this size, by default."""
    return max(VARS["sync_share_floor_records"], VARS["sync_max_share_per_run"] * target_records)


def build_customer_sync(warehouse: Warehouse, target_dir: Path, **dbt_vars: object) -> DbtResult:
    args = ["build", "--select", "sync_netsuite__customers", "--exclude-resource-type", "unit_test"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    return run_dbt(args, warehouse, target_dir=target_dir)


def failed_tests(result: DbtResult) -> set[str]:
    return {
        name
        for line in result.output.splitlines()
        if "FAIL" in line
        for name in line.split()
        if name.startswith("changes_at_most")
    }


def netsuite_customers(warehouse: Warehouse) -> int:
    [(count,)] = warehouse.query("SELECT count(*) FROM staging.stg_netsuite__customers WHERE NOT is_deleted")
    return count


def test_a_sync_overwriting_more_than_its_share_of_the_target_trips_its_guard(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    # A bad migration in the ERP renames every customer: the sync would write every name back.
    firm.warehouse.execute("UPDATE raw_netsuite.customer SET companyname = companyname || ' (migrated)'")

    tripped = build_customer_sync(firm.warehouse, tmp_path / "dbt_target")
    allowed_by_a_larger_share = build_customer_sync(firm.warehouse, tmp_path / "dbt_target", sync_max_share_per_run=1)

    [(overwrites,)] = firm.warehouse.query(
        "SELECT count(DISTINCT sync_key) FROM marts.sync_netsuite__customers WHERE current_value IS NOT NULL"
    )
    assert overwrites_allowed(netsuite_customers(firm.warehouse)) < overwrites < VARS["sync_max_records_per_run"]
    assert not tripped.ok
    assert failed_tests(tripped) == {GUARD}
    assert allowed_by_a_larger_share.ok, allowed_by_a_larger_share.output[-3000:]


def test_the_first_cycle_filling_blanks_in_most_records_does_not_trip_the_share(built_demo_firm: LandedFirm) -> None:
    warehouse = built_demo_firm.warehouse
    [(records_to_update,)] = warehouse.query(
        "SELECT count(DISTINCT sync_key) FROM marts.sync_netsuite__customers WHERE operation = 'update'"
    )

    # the demo firm was built with every guard passing (built_copy asserts it)
    assert records_to_update > overwrites_allowed(netsuite_customers(warehouse))

"""The dbt project builds, with every test passing, on DuckDB and on PostgreSQL from the same
landed firm, and both engines reach the same golden customers."""

from __future__ import annotations

from tests.firm import LandedFirm
from transform.build import build

XREF = "SELECT record_key, golden_customer_id, match_method FROM canonical.customer_xref ORDER BY record_key"


def test_the_project_builds_on_postgres_to_the_same_golden_customers_as_on_duckdb(
    postgres_demo_firm: LandedFirm, built_demo_firm: LandedFirm
) -> None:
    result = build(postgres_demo_firm.warehouse, target_dir=postgres_demo_firm.root / "dbt_target", unit_tests=True)

    assert result.ok, result.output[-6000:]
    assert postgres_demo_firm.warehouse.query(XREF) == built_demo_firm.warehouse.query(XREF)


def test_a_second_build_with_nothing_new_keeps_the_same_open_exceptions(built_demo_firm: LandedFirm) -> None:
    open_exceptions = "SELECT exception_id FROM marts.exceptions WHERE is_open ORDER BY 1"
    before = built_demo_firm.warehouse.query(open_exceptions)

    assert build(built_demo_firm.warehouse, target_dir=built_demo_firm.root / "dbt_target").ok

    assert built_demo_firm.warehouse.query(open_exceptions) == before
    assert built_demo_firm.warehouse.query("SELECT COUNT(*) FROM marts.exceptions WHERE NOT is_open") == [(0,)]

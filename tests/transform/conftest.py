"""The demo firm (seed 42) landed once per test session, on DuckDB and on PostgreSQL, and
built with dbt; tests that change the warehouse work on their own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingestion.config import Warehouse
from tests.conftest import postgres_database
from tests.firm import LandedFirm, land_firm
from transform.runner import build


@pytest.fixture(scope="session")
def landed_demo_firm(tmp_path_factory: pytest.TempPathFactory) -> LandedFirm:
    """The demo firm landed in a DuckDB file (not built: copy it before building)."""
    root = tmp_path_factory.mktemp("demo_firm")
    return land_firm(root, Warehouse(kind="duckdb", duckdb_path=root / "landed.duckdb"))


@pytest.fixture(scope="session")
def built_demo_firm(landed_demo_firm: LandedFirm, tmp_path_factory: pytest.TempPathFactory) -> LandedFirm:
    """The demo firm landed and built once (`dbt build`) on DuckDB; read it, do not change it."""
    root = tmp_path_factory.mktemp("built")
    return built_copy(landed_demo_firm, root)


def built_copy(firm: LandedFirm, root: Path) -> LandedFirm:
    """A copy of the landed firm's warehouse, built with dbt."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "warehouse.duckdb"
    shutil.copyfile(firm.warehouse.duckdb_path, path)
    warehouse = Warehouse(kind="duckdb", duckdb_path=path)
    result = build(warehouse, target_dir=root / "dbt_target", unit_tests=True)
    assert result.ok, result.output[-6000:]
    return LandedFirm(root, firm.store, firm.truth, warehouse, firm.pipelines_dir)


@pytest.fixture(scope="session")
def postgres_demo_firm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LandedFirm]:
    """The demo firm landed in a fresh PostgreSQL database (dropped at the end of the session)."""
    root = tmp_path_factory.mktemp("demo_firm_postgres")
    with postgres_database() as dsn:
        yield land_firm(root, Warehouse(kind="postgres", postgres_dsn=dsn))

"""Fixtures for ingestion tests: warehouses (a DuckDB file, or a fresh PostgreSQL database
that is dropped afterwards) and a running firm to ingest from."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from ingestion.config import Warehouse

POSTGRES_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test; dropped when it ends."""
    name = f"concord_test_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(POSTGRES_ADMIN_DSN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        # dlt insists on a password in the DSN; the local server trusts loopback and ignores it.
        yield f"postgresql://postgres:trust@127.0.0.1:5432/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Warehouse:
    """Each test using it runs once on DuckDB and once on PostgreSQL."""
    if request.param == "duckdb":
        return Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    return Warehouse(kind="postgres", postgres_dsn=request.getfixturevalue("postgres_dsn"))

"""Plain SQL against the warehouse, whichever it is (DuckDB file or PostgreSQL)."""

from __future__ import annotations

from typing import Any

from ingestion.config import Warehouse


def query(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one read-only query."""
    if warehouse.kind == "duckdb":
        import duckdb

        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as connection:
            return connection.execute(sql).fetchall()
    import psycopg2

    with psycopg2.connect(warehouse.postgres_dsn) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def execute(warehouse: Warehouse, sql: str) -> None:
    """One statement that changes the warehouse, committed."""
    if warehouse.kind == "duckdb":
        import duckdb

        with duckdb.connect(str(warehouse.duckdb_path)) as connection:
            connection.execute(sql)
        return
    import psycopg2

    with psycopg2.connect(warehouse.postgres_dsn) as connection, connection.cursor() as cursor:
        cursor.execute(sql)

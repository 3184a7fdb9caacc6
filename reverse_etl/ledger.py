"""The write-back's memory, in the warehouse (schema `reverse_etl`), on DuckDB or PostgreSQL.

- `attempts`: the ledger, every attempt to write a record: which sync, target and record, the
  golden id, the operation, the values before (as last landed) and after, the outcome, the
  HTTP status, the error category, the correlation id and when. The audit trail.
- `written_values`: per sync, record and field, the last value Concord wrote and when; how a
  later run tells "not landed yet" from "someone changed it since" (a conflict).
- `dead_letters`: records whose last write failed, their failure count and when to try again.
- `holds`: records held for a person, why, and what they decided (`held`, `released`,
  `dropped`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ingestion.config import Warehouse

SCHEMA = "reverse_etl"

DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.attempts (
        attempt_id VARCHAR PRIMARY KEY,
        run_id VARCHAR NOT NULL,
        sync VARCHAR NOT NULL,
        target_system VARCHAR NOT NULL,
        entity VARCHAR NOT NULL,
        sync_key VARCHAR NOT NULL,
        golden_id VARCHAR,
        operation VARCHAR NOT NULL,
        target_record_id VARCHAR,
        values_before VARCHAR,
        values_after VARCHAR,
        status VARCHAR NOT NULL,
        http_status INTEGER,
        error_category VARCHAR,
        message VARCHAR,
        correlation_id VARCHAR,
        http_attempts INTEGER,
        attempted_at TIMESTAMP NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.written_values (
        sync VARCHAR NOT NULL,
        sync_key VARCHAR NOT NULL,
        field VARCHAR NOT NULL,
        value VARCHAR,
        target_record_id VARCHAR,
        written_at TIMESTAMP NOT NULL,
        PRIMARY KEY (sync, sync_key, field)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.dead_letters (
        sync VARCHAR NOT NULL,
        sync_key VARCHAR NOT NULL,
        failures INTEGER NOT NULL,
        error_category VARCHAR,
        message VARCHAR,
        next_attempt_at TIMESTAMP NOT NULL,
        updated_at TIMESTAMP NOT NULL,
        PRIMARY KEY (sync, sync_key)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.holds (
        hold_id VARCHAR PRIMARY KEY,
        sync VARCHAR NOT NULL,
        sync_key VARCHAR NOT NULL,
        golden_id VARCHAR,
        reason VARCHAR NOT NULL,
        hold_values VARCHAR,
        status VARCHAR NOT NULL,
        held_at TIMESTAMP NOT NULL,
        decided_at TIMESTAMP,
        decided_by VARCHAR
    )""",
)


def now_utc() -> datetime:
    """Naive UTC, as the ledger's TIMESTAMP columns hold it on both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, default=str)


@dataclass(frozen=True)
class Hold:
    hold_id: str
    sync: str
    sync_key: str
    golden_id: str | None
    reason: str
    values: dict[str, Any]
    status: str
    held_at: datetime


class Ledger:
    """One open connection to the warehouse's `reverse_etl` schema (created on first use)."""

    def __init__(self, warehouse: Warehouse, read_only: bool = False) -> None:
        self.warehouse = warehouse
        self.read_only = read_only
        if warehouse.kind == "duckdb":
            import duckdb

            self._connection = duckdb.connect(str(warehouse.duckdb_path), read_only=read_only)
        else:
            import psycopg2

            self._connection = psycopg2.connect(warehouse.postgres_dsn)
            self._connection.autocommit = True
        if not read_only:
            for statement in DDL:
                self.execute(statement)
        self.ready = not read_only or self.relation_exists(SCHEMA, "holds")  # read-only before any run: empty

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plain SQL, one placeholder style (%s) on both engines ---------------------------------

    def _sql(self, sql: str) -> str:
        return sql.replace("%s", "?") if self.warehouse.kind == "duckdb" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        if self.warehouse.kind == "duckdb":
            self._connection.execute(self._sql(sql), list(params))
        else:
            with self._connection.cursor() as cursor:
                cursor.execute(sql, tuple(params))

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.warehouse.kind == "duckdb":
            return self._connection.execute(self._sql(sql), list(params)).fetchall()
        with self._connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            return cursor.fetchall()

    def columns_and_rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        if self.warehouse.kind == "duckdb":
            result = self._connection.execute(sql)
            return [d[0] for d in result.description], result.fetchall()
        with self._connection.cursor() as cursor:
            cursor.execute(sql)
            return [d[0] for d in cursor.description], cursor.fetchall()

    def relation_exists(self, schema: str, name: str) -> bool:
        found = self.rows(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, name),
        )
        return bool(found[0][0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.warehouse.kind == "duckdb":
            self._connection.execute("BEGIN TRANSACTION")
            try:
                yield
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")
            return
        self._connection.autocommit = False
        try:
            yield
        except BaseException:
            self._connection.rollback()
            raise
        else:
            self._connection.commit()
        finally:
            self._connection.autocommit = True

    # -- reads the planner needs ------------------------------------------------------------

    def written_values(self, sync: str) -> dict[tuple[str, str], tuple[str | None, datetime]]:
        """(sync_key, field) -> (the last value Concord wrote, when)."""
        if not self.ready:
            return {}
        rows = self.rows(
            f"SELECT sync_key, field, value, written_at FROM {SCHEMA}.written_values WHERE sync = %s", (sync,)
        )
        return {(key, field): (value, at) for key, field, value, at in rows}

    def written_records(self, sync: str) -> dict[str, str]:
        """sync_key -> the target's id of the record Concord last wrote (a created record's new id):
        how a child finds the parent Concord created before that parent has landed."""
        if not self.ready:
            return {}
        rows = self.rows(
            f"""SELECT sync_key, MAX(target_record_id) FROM {SCHEMA}.written_values
                WHERE sync = %s AND target_record_id IS NOT NULL GROUP BY sync_key""",
            (sync,),
        )
        return {key: record_id for key, record_id in rows}

    def dead_letters(self, sync: str) -> dict[str, tuple[int, datetime]]:
        """sync_key -> (failures so far, not before)."""
        if not self.ready:
            return {}
        rows = self.rows(
            f"SELECT sync_key, failures, next_attempt_at FROM {SCHEMA}.dead_letters WHERE sync = %s", (sync,)
        )
        return {key: (failures, at) for key, failures, at in rows}

    def holds(self, sync: str | None = None, status: str | None = "held") -> list[Hold]:
        if not self.ready:
            return []
        sql = f"SELECT hold_id, sync, sync_key, golden_id, reason, hold_values, status, held_at FROM {SCHEMA}.holds WHERE 1 = 1"
        params: list[Any] = []
        if sync is not None:
            sql += " AND sync = %s"
            params.append(sync)
        if status is not None:
            sql += " AND status = %s"
            params.append(status)
        return [
            Hold(hold_id, s, key, golden, reason, json.loads(values or "{}"), st, at)
            for hold_id, s, key, golden, reason, values, st, at in self.rows(sql + " ORDER BY held_at, hold_id", params)
        ]

    # -- writes the executor makes -------------------------------------------------------------

    def record_attempt(self, **row: Any) -> None:
        columns = ", ".join(row)
        placeholders = ", ".join(["%s"] * len(row))
        self.execute(f"INSERT INTO {SCHEMA}.attempts ({columns}) VALUES ({placeholders})", list(row.values()))

    def remember_written(
        self, sync: str, sync_key: str, values: dict[str, str | None], target_record_id: str | None, at: datetime
    ) -> None:
        if not values:
            return
        fields = list(values)
        self.execute(
            f"DELETE FROM {SCHEMA}.written_values WHERE sync = %s AND sync_key = %s "
            f"AND field IN ({', '.join(['%s'] * len(fields))})",
            (sync, sync_key, *fields),
        )
        self.execute(
            f"INSERT INTO {SCHEMA}.written_values VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(fields)),
            [p for field in fields for p in (sync, sync_key, field, values[field], target_record_id, at)],
        )

    def clear_dead_letter(self, sync: str, sync_key: str) -> None:
        self.execute(f"DELETE FROM {SCHEMA}.dead_letters WHERE sync = %s AND sync_key = %s", (sync, sync_key))

    def dead_letter(
        self, sync: str, sync_key: str, failures: int, category: str | None, message: str | None, retry_at: datetime
    ) -> None:
        self.clear_dead_letter(sync, sync_key)
        self.execute(
            f"INSERT INTO {SCHEMA}.dead_letters VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (sync, sync_key, failures, category, message, retry_at, now_utc()),
        )

    def hold(self, hold_id: str, sync: str, sync_key: str, golden_id: str | None, reason: str, values: dict) -> None:
        self.execute(
            f"INSERT INTO {SCHEMA}.holds VALUES (%s, %s, %s, %s, %s, %s, 'held', %s, NULL, NULL)",
            (hold_id, sync, sync_key, golden_id, reason, as_json(values), now_utc()),
        )

    def decide(self, hold_id: str, status: str, decided_by: str) -> Hold | None:
        """Marks a held row `released` (write it on the next run) or `dropped` (leave the target as
        it is); returns the hold, or None if no held row has that id."""
        found = [h for h in self.holds(status="held") if h.hold_id == hold_id]
        if not found:
            return None
        self.execute(
            f"UPDATE {SCHEMA}.holds SET status = %s, decided_at = %s, decided_by = %s WHERE hold_id = %s",
            (status, now_utc(), decided_by, hold_id),
        )
        return found[0]

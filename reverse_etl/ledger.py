"""The write-back's memory, in the warehouse (schema `reverse_etl`), on DuckDB or PostgreSQL.

- `attempts`: the ledger, every attempt to write a record: which sync, target and record, the
  golden id, the operation, the values before (as last landed) and after, the outcome, the
  HTTP status, the error category, the correlation id and when. The audit trail.
- `written_values`: per sync, record and field, the last value Concord wrote and when; how a
  later run tells "not landed yet" from "someone changed it since" (a conflict).
- `dead_letters`: records whose last write failed, their failure count and when to try again.
- `holds`: records held for a person, why, and what they decided (`held`, `released`,
  `dropped`).
- `outages`: per sync, since when its vendor has answered nothing but transient failures
  (network errors, 429s, 5xx), and when that outage was reported: one alert per outage.

An attempt's `status`: `in_flight` (recorded before it is sent), then `written`, `failed` or
`held`; an `in_flight` row a killed run left behind is settled by the next run of its sync,
which reads the target back: `confirmed` (the vendor holds the written values: the write
landed before the run died) or `lost` (it does not: the record is planned again).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.warehouse import Warehouse

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
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.outages (
        sync VARCHAR PRIMARY KEY,
        since TIMESTAMP NOT NULL,
        last_failure_at TIMESTAMP NOT NULL,
        message VARCHAR,
        reported_at TIMESTAMP
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

# Columns added since the tables were first made: a ledger made before gains them when it is
# next opened for writing (a create's idempotency key, read back to settle an in_flight row; a
# dead letter's failures that were not transient).
ADDED_COLUMNS = (("attempts", "external_id", "VARCHAR"), ("dead_letters", "refusals", "INTEGER DEFAULT 0"))


# The columns of a staged batch (see `Ledger.staged`), in the order its rows hold them.
ATTEMPT_COLUMNS = {
    "attempt_id": "text",
    "run_id": "text",
    "sync": "text",
    "target_system": "text",
    "entity": "text",
    "sync_key": "text",
    "golden_id": "text",
    "operation": "text",
    "target_record_id": "text",
    "external_id": "text",
    "values_before": "text",
    "values_after": "text",
    "status": "text",
    "attempted_at": "timestamp",
}
OUTCOME_COLUMNS = {
    "attempt_id": "text",
    "status": "text",
    "http_status": "integer",
    "error_category": "text",
    "message": "text",
    "correlation_id": "text",
    "http_attempts": "integer",
    "target_record_id": "text",
}
WRITTEN_COLUMNS = {"sync_key": "text", "field": "text", "value": "text", "target_record_id": "text"}


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


@dataclass(frozen=True)
class DeadLetter:
    """A record whose last write failed: its failures so far, those of them that were not
    transient (`refusals`: what can end in a hold), and when to try again."""

    failures: int
    refusals: int
    retry_at: datetime


@dataclass(frozen=True)
class InFlight:
    """An attempt recorded before it was sent and never settled: the run died mid-batch."""

    attempt_id: str
    sync_key: str
    operation: str
    target_record_id: str | None
    external_id: str | None
    values: dict[str, Any]  # what it was writing


@dataclass(frozen=True)
class Outage:
    """A sync whose vendor has answered only transient failures since `since`."""

    sync: str
    since: datetime
    last_failure_at: datetime
    message: str | None
    reported_at: datetime | None


class Ledger:
    """One open connection to the warehouse's `reverse_etl` schema (created on first use)."""

    def __init__(self, warehouse: Warehouse, read_only: bool = False) -> None:
        self.warehouse = warehouse
        self.read_only = read_only
        self._connection = warehouse.connect(read_only=read_only)
        if not read_only:
            for statement in DDL:
                self.execute(statement)
            self._add_columns()
        self.ready = not read_only or self.relation_exists(SCHEMA, "holds")  # read-only before any run: empty

    def close(self) -> None:
        self._connection.close()

    def _add_columns(self) -> None:
        # looked up first: an ALTER, even one with nothing to do, would lock the table each run
        present = set(
            self.rows(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", (SCHEMA,)
            )
        )
        for table, column, definition in ADDED_COLUMNS:
            if (table, column) not in present:
                self.execute(f"ALTER TABLE {SCHEMA}.{table} ADD COLUMN {column} {definition}")

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plain SQL, one placeholder style (%s) on both engines ---------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._connection.execute(sql, params)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._connection.rows(sql, params)

    def columns_and_rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        return self._connection.columns_and_rows(sql)

    def relation_exists(self, schema: str, name: str) -> bool:
        found = self.rows(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, name),
        )
        return bool(found[0][0])

    def transaction(self) -> AbstractContextManager[None]:
        return self._connection.transaction()

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

    def dead_letters(self, sync: str) -> dict[str, DeadLetter]:
        """sync_key -> its failures so far and when to try again."""
        if not self.ready:
            return {}
        rows = self.rows(
            f"""SELECT sync_key, failures, COALESCE(refusals, 0), next_attempt_at FROM {SCHEMA}.dead_letters
                WHERE sync = %s""",
            (sync,),
        )
        return {key: DeadLetter(failures, refusals, at) for key, failures, refusals, at in rows}

    def in_flight(self, sync: str, other_than_run: str) -> list[InFlight]:
        """The attempts of a sync that earlier runs recorded and never settled (the run died)."""
        if not self.ready:
            return []
        rows = self.rows(
            f"""SELECT attempt_id, sync_key, operation, target_record_id, external_id, values_after
                FROM {SCHEMA}.attempts WHERE sync = %s AND status = 'in_flight' AND run_id <> %s
                ORDER BY attempted_at, attempt_id""",
            (sync, other_than_run),
        )
        return [
            InFlight(attempt_id, key, operation, record_id, external_id, json.loads(values or "{}"))
            for attempt_id, key, operation, record_id, external_id, values in rows
        ]

    def outage(self, sync: str) -> Outage | None:
        if not self.ready:
            return None
        rows = self.rows(
            f"SELECT since, last_failure_at, message, reported_at FROM {SCHEMA}.outages WHERE sync = %s", (sync,)
        )
        return Outage(sync, *rows[0]) if rows else None

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

    # -- a batch at a time: a few statements per batch of writes, not a few per row ----------

    def staged(
        self, name: str, columns: Mapping[str, str], rows: Sequence[Sequence[Any]]
    ) -> AbstractContextManager[None]:
        """`rows` as a table `name` the statements inside the block can read (see `Connection.staged`)."""
        return self._connection.staged(name, columns, rows)

    def record_attempts(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Many attempts (rows with the keys of `ATTEMPT_COLUMNS`), recorded together."""
        if not rows:
            return
        names = ", ".join(ATTEMPT_COLUMNS)
        with self.staged("staged_attempts", ATTEMPT_COLUMNS, [[row[c] for c in ATTEMPT_COLUMNS] for row in rows]):
            self.execute(f"INSERT INTO {SCHEMA}.attempts ({names}) SELECT {names} FROM staged_attempts")

    def finish_attempts(self, rows: Sequence[Sequence[Any]]) -> None:
        """Settles many attempts: each row is (attempt_id, status, http_status, error_category,
        message, correlation_id, http_attempts, target_record_id)."""
        if not rows:
            return
        with self.staged("staged_outcomes", OUTCOME_COLUMNS, rows):
            self.execute(
                f"""UPDATE {SCHEMA}.attempts AS a SET status = v.status, http_status = v.http_status,
                    error_category = v.error_category, message = v.message, correlation_id = v.correlation_id,
                    http_attempts = v.http_attempts,
                    target_record_id = COALESCE(v.target_record_id, a.target_record_id)
                    FROM staged_outcomes AS v WHERE a.attempt_id = v.attempt_id"""
            )

    def remember_written_many(self, sync: str, rows: Sequence[Sequence[Any]], at: datetime) -> None:
        """Many records' written values: each row is (sync_key, field, value, target_record_id)."""
        if not rows:
            return
        with self.staged("staged_written", WRITTEN_COLUMNS, rows):
            self.execute(
                f"""DELETE FROM {SCHEMA}.written_values AS w USING staged_written AS v
                    WHERE w.sync = %s AND w.sync_key = v.sync_key AND w.field = v.field""",
                (sync,),
            )
            self.execute(
                f"""INSERT INTO {SCHEMA}.written_values
                    SELECT %s, sync_key, field, value, target_record_id, %s FROM staged_written""",
                (sync, at),
            )

    def settle_written(self, sync: str, sync_keys: Sequence[str]) -> None:
        """Records written: no longer dead letters, and a hold a person released on them is applied."""
        if not sync_keys:
            return
        with self.staged("staged_keys", {"sync_key": "text"}, [(key,) for key in sync_keys]):
            self.execute(
                f"DELETE FROM {SCHEMA}.dead_letters WHERE sync = %s AND sync_key IN (SELECT sync_key FROM staged_keys)",
                (sync,),
            )
            self.execute(
                f"""UPDATE {SCHEMA}.holds SET status = 'applied' WHERE sync = %s AND status = 'released'
                    AND sync_key IN (SELECT sync_key FROM staged_keys)""",
                (sync,),
            )

    def clear_dead_letter(self, sync: str, sync_key: str) -> None:
        self.execute(f"DELETE FROM {SCHEMA}.dead_letters WHERE sync = %s AND sync_key = %s", (sync, sync_key))

    def dead_letter(
        self,
        sync: str,
        sync_key: str,
        failed: DeadLetter,
        category: str | None,
        message: str | None,
    ) -> None:
        self.clear_dead_letter(sync, sync_key)
        self.execute(
            f"""INSERT INTO {SCHEMA}.dead_letters (sync, sync_key, failures, refusals, error_category, message,
                next_attempt_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            (sync, sync_key, failed.failures, failed.refusals, category, message, failed.retry_at, now_utc()),
        )

    def outage_continues(self, sync: str, at: datetime, message: str | None) -> Outage:
        """Another run of nothing but transient failures: the outage starts now, or goes on."""
        current = self.outage(sync)
        if current is None:
            self.execute(
                f"INSERT INTO {SCHEMA}.outages VALUES (%s, %s, %s, %s, NULL)", (sync, at, at, trimmed(message))
            )
        else:
            self.execute(
                f"UPDATE {SCHEMA}.outages SET last_failure_at = %s, message = %s WHERE sync = %s",
                (at, trimmed(message), sync),
            )
        return self.outage(sync)  # type: ignore[return-value]

    def outage_over(self, sync: str) -> None:
        self.execute(f"DELETE FROM {SCHEMA}.outages WHERE sync = %s", (sync,))

    def outage_reported(self, sync: str, since: datetime, at: datetime) -> None:
        """The outage of `sync` that began at `since` was reported (not a later one)."""
        self.execute(f"UPDATE {SCHEMA}.outages SET reported_at = %s WHERE sync = %s AND since = %s", (at, sync, since))

    def hold(self, hold_id: str, sync: str, sync_key: str, golden_id: str | None, reason: str, values: dict) -> None:
        self.execute(
            f"INSERT INTO {SCHEMA}.holds VALUES (%s, %s, %s, %s, %s, %s, 'held', %s, NULL, NULL)",
            (hold_id, sync, sync_key, golden_id, reason, as_json(values), now_utc()),
        )

    def decide(self, holds: Sequence[Hold], status: str, decided_by: str) -> None:
        """Marks held rows `released` (write them on the next run) or `dropped` (leave the target
        as it is)."""
        if not holds:
            return
        with self.staged("staged_holds", {"hold_id": "text"}, [(h.hold_id,) for h in holds]):
            self.execute(
                f"""UPDATE {SCHEMA}.holds SET status = %s, decided_at = %s, decided_by = %s
                    WHERE status = 'held' AND hold_id IN (SELECT hold_id FROM staged_holds)""",
                (status, now_utc(), decided_by),
            )


def trimmed(message: str | None, limit: int = 500) -> str | None:
    return None if message is None else message[:limit]

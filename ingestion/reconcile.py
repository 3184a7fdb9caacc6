"""Deletes for systems without tombstones (Harvest, NetSuite): a key-only reconciliation.

The source lists every key it still has (cheaply: ids only where the API allows), the
warehouse says which keys it holds as live, and each key the source no longer has becomes
a tombstone: the record's last landed values with `_concord_is_deleted` true and the time
the deletion was noticed, merged into the current state and appended to the history, so
the models can tell a deleted record from one that never existed.

How often each table is reconciled is configuration (every run for small tables, nightly
for time entries); the last reconciliation time lives in the resource's dlt state, which
is committed with the load, so a killed run reconciles again next time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import dlt

from ingestion.landing import DELETED_AT, EXTRACTED_AT, IS_DELETED, TableContract, now_utc, to_current

_STATE_KEY = "last_reconciled_at"


def is_due(interval: timedelta | None, state: dict[str, Any], force: bool = False) -> bool:
    """Whether a table's reconciliation should run now (None interval: never, unless forced)."""
    if force:
        return True
    if interval is None:
        return False
    last = state.get(_STATE_KEY)
    return last is None or now_utc() - datetime.fromisoformat(last) >= interval


def mark_done(state: dict[str, Any], at: datetime) -> None:
    state[_STATE_KEY] = at.isoformat()


def _normalized(name: str) -> str:
    return dlt.current.source_schema().naming.normalize_identifier(name)


def landed_live_keys(contract: TableContract) -> set[str]:
    """Keys the warehouse holds as live for this table (empty before the first load)."""
    pipeline = dlt.current.pipeline()
    table = _normalized(contract.table)
    key = _normalized(contract.primary_key)
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return set()
        qualified = client.make_qualified_table_name(table)
        try:
            rows = client.execute_sql(f"SELECT CAST({key} AS VARCHAR) FROM {qualified} WHERE NOT {IS_DELETED}")
        except Exception as exc:  # the table does not exist yet
            if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                return set()
            raise
    return {row[0] for row in rows or []}


def _last_landed_rows(contract: TableContract, keys: list[str]) -> list[dict[str, Any]]:
    pipeline = dlt.current.pipeline()
    table = _normalized(contract.table)
    key = _normalized(contract.primary_key)
    rows: list[dict[str, Any]] = []
    with pipeline.sql_client() as client:
        qualified = client.make_qualified_table_name(table)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            with client.execute_query(
                f"SELECT * FROM {qualified} WHERE CAST({key} AS VARCHAR) IN ({placeholders})", *chunk
            ) as cursor:
                names = [d[0] for d in cursor.description]
                rows += [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    return rows


def tombstones(
    contract: TableContract, source_keys: Iterable[str], noticed_at: datetime | None = None
) -> Iterator[Any]:
    """Yields tombstones (current state + history) for landed keys missing from the source."""
    noticed_at = noticed_at or now_utc()
    missing = sorted(landed_live_keys(contract) - {str(k) for k in source_keys})
    if not missing:
        return
    rows = [_tombstone(contract, row, noticed_at, noticed_at) for row in _last_landed_rows(contract, missing)]
    yield from to_current(rows, contract.table)


def tombstones_for(
    contract: TableContract, deleted_at: Mapping[str, datetime], noticed_at: datetime | None = None
) -> Iterator[Any]:
    """Yields tombstones for keys the source reports deleted, with the time each was deleted
    (e.g. Salesforce's deleted feed), among those the warehouse still holds as live."""
    noticed_at = noticed_at or now_utc()
    live = sorted(landed_live_keys(contract) & {str(k) for k in deleted_at})
    if not live:
        return
    key = _normalized(contract.primary_key)
    rows = [
        _tombstone(contract, row, deleted_at[str(row[key])], noticed_at) for row in _last_landed_rows(contract, live)
    ]
    yield from to_current(rows, contract.table)


def _tombstone(contract: TableContract, row: dict[str, Any], deleted_at: datetime, noticed_at: datetime) -> dict:
    """The last landed row, marked deleted (and the vendor's own deleted flag set, if it has one)."""
    tomb = {k: v for k, v in row.items() if not k.startswith("_dlt_")}
    if contract.deleted_flag:
        tomb[_normalized(contract.deleted_flag)] = True
    tomb[IS_DELETED] = True
    tomb[DELETED_AT] = deleted_at
    tomb[EXTRACTED_AT] = noticed_at
    return tomb

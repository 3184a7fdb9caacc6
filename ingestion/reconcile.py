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

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import dlt

from ingestion.landing import DELETED_AT, EXTRACTED_AT, IS_DELETED, TableContract, current_and_history, now_utc

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
    return dlt.current.pipeline().schema.naming.normalize_identifier(name)


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
    rows = []
    for row in _last_landed_rows(contract, missing):
        tomb = {k: v for k, v in row.items() if not k.startswith("_dlt_")}
        tomb[IS_DELETED] = True
        tomb[DELETED_AT] = noticed_at
        tomb[EXTRACTED_AT] = noticed_at
        rows.append(tomb)
    yield from current_and_history(rows, contract.table)

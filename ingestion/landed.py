"""What the warehouse already holds for a table, read while a source extracts (through dlt's
current pipeline): its live keys, the last landed rows of some keys, and the table's
quarantined records. A table that does not exist yet (before its first load, or a quarantine
nothing was sent to) holds nothing."""

from __future__ import annotations

from typing import Any

import dlt

from ingestion.landing import IS_DELETED, QUARANTINE_TABLE, TableContract

# Keys per `IN (…)` list: well inside both engines' limits on parameters.
CHUNK = 500


def normalized(name: str) -> str:
    """A vendor name as the warehouse spells it (dlt's naming convention)."""
    return dlt.current.source_schema().naming.normalize_identifier(name)


def _select(table: str, columns: str, condition: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of one of this pipeline's tables; none when the table does not exist."""
    pipeline = dlt.current.pipeline()
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return []
        qualified = client.make_qualified_table_name(table)
        try:
            with client.execute_query(f"SELECT {columns} FROM {qualified} WHERE {condition}", *args) as cursor:
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
        except Exception as exc:
            if "does not exist" in str(exc).lower() or "not found" in str(exc).lower():
                return []
            raise


def live_keys(contract: TableContract) -> set[str]:
    """Keys the warehouse holds as live for this table (empty before the first load)."""
    key = normalized(contract.primary_key)
    rows = _select(normalized(contract.table), f"CAST({key} AS VARCHAR) AS k", f"NOT {IS_DELETED}")
    return {row["k"] for row in rows}


def rows_of(contract: TableContract, keys: list[str]) -> list[dict[str, Any]]:
    """The current rows of these keys (those the warehouse holds, deleted ones included)."""
    table, key = normalized(contract.table), normalized(contract.primary_key)
    rows: list[dict[str, Any]] = []
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        placeholders = ", ".join(["%s"] * len(chunk))
        rows += _select(table, "*", f"CAST({key} AS VARCHAR) IN ({placeholders})", *chunk)
    return rows


def quarantined(contract: TableContract) -> list[dict[str, Any]]:
    """The table's records in the quarantine, oldest first."""
    rows = _select(QUARANTINE_TABLE, "*", "table_name = %s", contract.table)
    return sorted(rows, key=lambda row: (row["_concord_extracted_at"], row["_dlt_id"]))

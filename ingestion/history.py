"""The change log beside the current state: `<table>_history`.

dlt merges each load into the current-state table; right after, the rows that load merged
(every version it landed, tombstones included) are appended to `<table>_history` by one
set-based `INSERT … SELECT … WHERE _dlt_load_id = …` in the warehouse. Doing it in SQL
rather than sending every row through dlt twice halves extraction and normalisation.

Which loads each history has taken is recorded in `_concord_history_loads`, in the same
transaction as the copy. Before each run the loads not yet copied are caught up, while their
rows are still the current ones (nothing newer has been merged over them), so a run killed
between dlt's load and the copy loses no version.
"""

from __future__ import annotations

from typing import Any

import dlt

from ingestion.landing import HISTORY_SUFFIX, VERSION

LEDGER = "_concord_history_loads"


def tracked_tables(schema: Any) -> list[str]:
    """Current-state tables landed through the landing contract (they carry versions)."""
    return [
        name
        for name in schema.data_table_names()
        if schema.get_table(name).get("parent") is None and VERSION in schema.get_table_columns(name)
    ]


def record(pipeline: dlt.Pipeline) -> int:
    """Appends every completed load not yet in its table's history; returns rows appended."""
    if not pipeline.default_schema_name:
        return 0  # nothing has run yet
    schema = pipeline.default_schema
    tables = tracked_tables(schema)
    if not tables:
        return 0
    appended = 0
    with pipeline.sql_client() as client:
        if not client.has_dataset():
            return 0
        ledger = client.make_qualified_table_name(LEDGER)
        client.execute_sql(
            f"CREATE TABLE IF NOT EXISTS {ledger} (table_name VARCHAR NOT NULL, load_id VARCHAR NOT NULL)"
        )
        loads = client.make_qualified_table_name(schema.loads_table_name)
        for table in tables:
            current = client.make_qualified_table_name(table)
            history = client.make_qualified_table_name(table + HISTORY_SUFFIX)
            pending = [
                row[0]
                for row in client.execute_sql(
                    f"SELECT load_id FROM {loads} WHERE status = 0 AND load_id NOT IN "
                    f"(SELECT load_id FROM {ledger} WHERE table_name = %s) ORDER BY load_id",
                    table,
                )
            ]
            if not pending:
                continue
            columns = _ensure_history_table(client, table, current, history)
            column_list = ", ".join(client.escape_column_name(c) for c in columns)
            for load_id in pending:
                with client.begin_transaction():
                    client.execute_sql(
                        f"INSERT INTO {history} ({column_list}) SELECT {column_list} FROM {current} "
                        f"WHERE _dlt_load_id = %s",
                        load_id,
                    )
                    client.execute_sql(f"INSERT INTO {ledger} (table_name, load_id) VALUES (%s, %s)", table, load_id)
                [(count,)] = client.execute_sql(f"SELECT COUNT(*) FROM {history} WHERE _dlt_load_id = %s", load_id)
                appended += count
    return appended


def _columns(client: Any, table: str) -> dict[str, str]:
    rows = client.execute_sql(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
        client.dataset_name,
        table,
    )
    return {name: data_type for name, data_type in rows}


def _ensure_history_table(client: Any, table: str, current: str, history: str) -> list[str]:
    """Creates the history table like the current one, and adds the columns the current
    table has gained since (schema evolution); returns the columns to copy."""
    current_columns = _columns(client, table)
    history_columns = _columns(client, table + HISTORY_SUFFIX)
    if not history_columns:
        client.execute_sql(f"CREATE TABLE {history} AS SELECT * FROM {current} WHERE 1 = 0")
        return list(current_columns)
    for name, data_type in current_columns.items():
        if name not in history_columns:
            client.execute_sql(f"ALTER TABLE {history} ADD COLUMN {client.escape_column_name(name)} {data_type}")
    return list(current_columns)

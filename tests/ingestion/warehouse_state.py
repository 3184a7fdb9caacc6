"""Compares what landed in the warehouse with what the sandboxes hold, table by table:
the same live keys, each at the same version (a content hash over key and version), and
soft-deleted Salesforce records marked deleted. The tables are the registries' (each sandbox
stores a table under the name the vendor's API gives it)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import duckdb
import psycopg2
from sandboxes.common.timefmt import parse_iso
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.registry import registries


@dataclass(frozen=True)
class Mapping:
    system: str
    store_table: str  # table in the sandbox store
    landed_table: str  # table in raw_<system>
    key: str  # key column in the store (served as the vendor's id)
    landed_key: str  # the same key's column in the warehouse
    version: str  # the store column whose value is the record's version (epoch ms)


TABLES = [
    Mapping(
        system,
        table.vendor_name,
        table.name,
        registry.key_of(table),
        registry.key_of(table).lower(),  # dlt's snake_case names
        registry.cursor_of(table),
    )
    for system, registry in registries().items()
    for table in registry.tables
]


@dataclass
class TableState:
    live: dict[str, int]  # key -> version (epoch ms)
    deleted: set[str]

    def digest(self) -> str:
        text = "\n".join(f"{k}:{v}" for k, v in sorted(self.live.items()))
        return hashlib.sha256(text.encode()).hexdigest()


def in_store(store: Store, m: Mapping) -> TableState:
    conn = store.connect(m.system)
    deleted_column = "IsDeleted" if m.system == "salesforce" else "0"
    rows = conn.execute(f'SELECT "{m.key}", "{m.version}", {deleted_column} FROM "{m.store_table}"').fetchall()
    return TableState(
        live={str(k): int(v) for k, v, d in rows if not d},
        deleted={str(k) for k, _, d in rows if d},
    )


def _rows(warehouse: Warehouse, sql: str) -> list[tuple[Any, ...]]:
    if warehouse.kind == "duckdb":
        with duckdb.connect(str(warehouse.duckdb_path), read_only=True) as conn:
            return conn.execute(sql).fetchall()
    with psycopg2.connect(warehouse.postgres_dsn) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def in_warehouse(warehouse: Warehouse, m: Mapping) -> TableState:
    rows = _rows(
        warehouse,
        f"SELECT CAST({m.landed_key} AS VARCHAR), _concord_version, _concord_is_deleted "
        f"FROM raw_{m.system}.{m.landed_table}",
    )
    return TableState(
        live={str(k): parse_iso(str(v).replace("+0000", "+00:00")) for k, v, d in rows if not d},
        deleted={str(k) for k, _, d in rows if d},
    )


def differences(store: Store, warehouse: Warehouse, systems: tuple[str, ...] | None = None) -> list[str]:
    """Every way the warehouse differs from the sandboxes; empty when they agree exactly."""
    problems = []
    for m in TABLES:
        if systems and m.system not in systems:
            continue
        expected, landed = in_store(store, m), in_warehouse(warehouse, m)
        name = f"{m.system}.{m.landed_table}"
        if expected.digest() != landed.digest():
            missing = expected.live.keys() - landed.live.keys()
            extra = landed.live.keys() - expected.live.keys()
            stale = [k for k in expected.live.keys() & landed.live.keys() if expected.live[k] != landed.live[k]]
            problems.append(
                f"{name}: {len(expected.live)} live in the source, {len(landed.live)} landed; "
                f"missing {sorted(missing)[:5]} ({len(missing)}), extra {sorted(extra)[:5]} ({len(extra)}), "
                f"stale versions {stale[:5]} ({len(stale)})"
            )
        if m.system == "salesforce" and expected.deleted != landed.deleted:
            problems.append(
                f"{name}: deleted in the source {len(expected.deleted)}, marked deleted {len(landed.deleted)}"
            )
    return problems

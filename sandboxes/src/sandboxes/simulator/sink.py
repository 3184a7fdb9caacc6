"""Batched writes: rows are buffered per table and inserted with `executemany`.

The generator builds plain tuples and dicts; the sink turns them into a handful of
`INSERT` statements per table, flushing every `batch` rows, and counts what it wrote.
Entity-map rows (which real-world thing each record is) go through the same sink.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from sandboxes.store import Store

_ENTITY_MAP_SQL = "INSERT INTO entity_map(system, object, record_id, entity_type, entity_id) VALUES (?, ?, ?, ?, ?)"


class Sink:
    """Buffers inserts for every system of a store; call `flush()` at the end."""

    def __init__(self, store: Store, batch: int = 20_000, conns: dict[str, sqlite3.Connection] | None = None):
        self.store = store
        self.batch = batch
        self.conns = conns or {}
        self._buffers: dict[tuple[str, str, tuple[str, ...]], list[tuple]] = defaultdict(list)
        self._map_rows: list[tuple[str, str, str, str, str]] = []
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def conn(self, system: str) -> sqlite3.Connection:
        if system not in self.conns:
            self.conns[system] = self.store.connect(system)
        return self.conns[system]

    def put(self, system: str, table: str, values: dict[str, object]) -> None:
        """Queues one row given as {column: value}."""
        key = (system, table, tuple(values))
        buffer = self._buffers[key]
        buffer.append(tuple(values.values()))
        if len(buffer) >= self.batch:
            self._flush_key(key)

    def put_rows(self, system: str, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Queues many rows given as tuples in `columns` order."""
        key = (system, table, columns)
        buffer = self._buffers[key]
        buffer.extend(rows)
        if len(buffer) >= self.batch:
            self._flush_key(key)

    def map(self, system: str, obj: str, record_id: object, entity_type: str, entity_id: str) -> None:
        """Records which real-world entity a record belongs to."""
        self._map_rows.append((system, obj, str(record_id), entity_type, entity_id))
        if len(self._map_rows) >= self.batch:
            self._flush_map()

    def map_many(self, rows: list[tuple[str, str, str, str, str]]) -> None:
        self._map_rows.extend(rows)
        if len(self._map_rows) >= self.batch:
            self._flush_map()

    def _flush_key(self, key: tuple[str, str, tuple[str, ...]]) -> None:
        rows = self._buffers[key]
        if not rows:
            return
        system, table, columns = key
        quoted = ", ".join(f'"{column}"' for column in columns)
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
        self.conn(system).executemany(sql, rows)
        self.counts[system][table] += len(rows)
        rows.clear()

    def _flush_map(self) -> None:
        if self._map_rows:
            self.conn("simulation").executemany(_ENTITY_MAP_SQL, self._map_rows)
            self.counts["simulation"]["entity_map"] += len(self._map_rows)
            self._map_rows.clear()

    def flush(self) -> None:
        for key in sorted(self._buffers):
            self._flush_key(key)
        self._flush_map()

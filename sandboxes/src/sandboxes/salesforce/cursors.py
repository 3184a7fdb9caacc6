"""Open query cursors (Salesforce's query locators), kept in memory.

A cursor is the snapshot of matching rowids taken when the query started, so every page
of one query comes from the same result set however the data changes meanwhile. As in
Salesforce, a user has at most `max_open` cursors (opening another releases the least
recently used) and a cursor idle for `ttl_seconds` (15 minutes) expires. A cursor stays
readable until it expires, so a client may re-fetch a page after a failed request.
"""

from __future__ import annotations

import secrets
import threading
import time
from array import array
from collections import OrderedDict
from dataclasses import dataclass

from sandboxes.common.ids import to_18
from sandboxes.salesforce.soql_sql import CompiledQuery

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass
class Cursor:
    query: CompiledQuery
    row_ids: array
    batch_size: int
    endpoint: str  # "query" or "queryAll": the path nextRecordsUrl points back to


class CursorStore:
    def __init__(self, max_open: int, ttl_seconds: float) -> None:
        self._max_open = max_open
        self._ttl = ttl_seconds
        self._open: OrderedDict[str, tuple[Cursor, float]] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, cursor: Cursor) -> str:
        """Registers `cursor` and returns its locator (an 18-character `01g…` id)."""
        locator = to_18("01g5g" + "".join(secrets.choice(_BASE62) for _ in range(10)))
        with self._lock:
            self._expire(time.monotonic())
            while len(self._open) >= self._max_open:
                self._open.popitem(last=False)
            self._open[locator] = (cursor, time.monotonic())
        return locator

    def get(self, locator: str) -> Cursor | None:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            entry = self._open.get(locator)
            if entry is None:
                return None
            self._open[locator] = (entry[0], now)
            self._open.move_to_end(locator)
            return entry[0]

    def _expire(self, now: float) -> None:
        stale = [key for key, (_, used) in self._open.items() if now - used > self._ttl]
        for key in stale:
            del self._open[key]

"""Harvest's request throttle: N requests per sliding window per access token (100 per 15 s).

Only accepted requests take a slot, so `Retry-After` is exact: after that many seconds the
oldest request in the window has aged out and the next one is served. The window runs on
wall-clock time (monotonic), not on the simulated clock: throttling is about real traffic.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class SlidingWindowLimiter:
    """Admits at most `limit` requests per key in any `window_seconds` interval."""

    def __init__(self, limit: int, window_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> int:
        """Takes a slot for `key`: 0 if admitted, else whole seconds (>= 1) until a slot frees."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                return 0
            return max(1, math.ceil(hits[0] + self.window - now))

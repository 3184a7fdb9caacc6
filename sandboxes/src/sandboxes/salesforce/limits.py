"""The org's daily API request allowance, counted per simulated UTC day.

Salesforce counts over a rolling 24 hours; the sandbox counts per calendar day of the
store clock instead, so advancing the simulated clock past midnight restores the
allowance (what a test of "wait, then succeed" needs).
"""

from __future__ import annotations

import threading

from sandboxes.store import Store

_DAY_MS = 86_400_000


class ApiUsage:
    def __init__(self, store: Store, daily_limit: int) -> None:
        self.store = store
        self.daily_limit = daily_limit
        self._day = -1
        self._used = 0
        self._lock = threading.Lock()

    def _roll(self) -> None:
        day = self.store.now_ms() // _DAY_MS
        if day != self._day:
            self._day, self._used = day, 0

    def consume(self) -> tuple[bool, int]:
        """Counts one call if the allowance has room: (allowed, calls used today)."""
        with self._lock:
            self._roll()
            if self._used >= self.daily_limit:
                return False, self._used
            self._used += 1
            return True, self._used

    def used(self) -> int:
        with self._lock:
            self._roll()
            return self._used

    def header(self, used: int) -> str:
        return f"api-usage={used}/{self.daily_limit}"

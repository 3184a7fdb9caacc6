"""Seeded fault injection for a sandbox server: 429s, 500/503s, slow responses, dropped
connections, at configured rates. Off by default; set at start-up or at run time through
the admin endpoint (`PUT /__sandbox/faults`) or `concord sandbox faults`.

Each vendor supplies the body its API would send for a fault status, so a connector sees
the same error it would see from the vendor.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

ADMIN_PREFIX = "/__sandbox"


class InjectedDrop(ConnectionAbortedError):
    """Raised mid-response to drop a connection on purpose."""


class _HideInjectedDrops(logging.Filter):
    # uvicorn logs an app exception with a traceback; an injected drop is not an error.
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedDrop))


logging.getLogger("uvicorn.error").addFilter(_HideInjectedDrops())


@dataclass
class FaultRates:
    """Probabilities per request (0..1) of each fault; the slow delay in seconds."""

    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_slow: float = 0.0
    rate_drop: float = 0.0
    slow_seconds: float = 2.0
    retry_after_seconds: int = 1

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0 or (f.name.startswith("rate_") and value > 1):
                raise ValueError(f"fault setting {f.name}={value} is out of range (rates are 0..1)")
        if self.rate_429 + self.rate_500 + self.rate_503 + self.rate_drop > 1:
            raise ValueError("fault rates 429 + 500 + 503 + drop must add up to at most 1")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, float]) -> FaultRates:
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(**values)


# A vendor's body for an injected fault: (status, retry_after_seconds) -> Response.
FaultResponder = Callable[[int, int], Response]


class FaultInjector:
    """Decides per request, from a seeded RNG, whether to inject a fault; counts what it did."""

    def __init__(self, rates: FaultRates | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.rates = rates or FaultRates()
        self.counts: Counter[str] = Counter()

    def set(self, rates: FaultRates, seed: int | None = None) -> None:
        with self._lock:
            self.rates = rates
            if seed is not None:
                self._rng = random.Random(seed)
            self.counts.clear()

    def decide(self) -> tuple[str | None, bool]:
        """(fault, slow): fault is '429', '500', '503', 'drop' or None; slow adds a delay."""
        with self._lock:
            r = self.rates
            self.counts["requests"] += 1
            slow = self._rng.random() < r.rate_slow
            roll = self._rng.random()
            fault = None
            for name, rate in (("429", r.rate_429), ("500", r.rate_500), ("503", r.rate_503), ("drop", r.rate_drop)):
                if roll < rate:
                    fault = name
                    break
                roll -= rate
            if fault:
                self.counts[fault] += 1
            if slow:
                self.counts["slow"] += 1
            return fault, slow


class FaultMiddleware:
    """ASGI middleware applying a FaultInjector to every vendor request (not admin ones)."""

    def __init__(self, app: ASGIApp, injector: FaultInjector, responder: FaultResponder) -> None:
        self.app = app
        self.injector = injector
        self.responder = responder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        fault, slow = self.injector.decide()
        if slow:
            await asyncio.sleep(self.injector.rates.slow_seconds)
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "drop":
            # Promise a body, send half of it, then fail: the server closes the connection
            # mid-response, which a client sees as a dropped connection.
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
            await send({"type": "http.response.body", "body": b"{" * 32, "more_body": True})
            raise InjectedDrop("sandbox fault injector dropped the connection")
        else:
            response = self.responder(int(fault), self.injector.rates.retry_after_seconds)
            await response(scope, receive, send)

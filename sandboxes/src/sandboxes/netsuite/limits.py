"""NetSuite's per-account concurrency limit: at most N REST requests in flight at once.

The request over the limit is refused at once with 429 CONCURRENCY_LIMIT_EXCEEDED and no
`Retry-After` (NetSuite sends none). The token endpoint and the sandbox's admin routes do
not count. A request counts from its arrival until its response is fully sent.
"""

from __future__ import annotations

import threading

from starlette.types import ASGIApp, Receive, Scope, Send

from sandboxes.netsuite import errors
from sandboxes.netsuite.auth import TOKEN_PATH

_COUNTED_PREFIX = "/services/rest/"


class ConcurrencyLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(_COUNTED_PREFIX) or path == TOKEN_PATH:
            await self.app(scope, receive, send)
            return
        with self._lock:
            admitted = self.in_flight < self.limit
            if admitted:
                self.in_flight += 1
        if not admitted:
            await errors.concurrency_exceeded()(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.in_flight -= 1

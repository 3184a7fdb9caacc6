"""Every sandbox response carries the simulated clock in its `Date` header, as a real
vendor's response carries its own clock: connectors end their incremental windows at the
server's time, never at the client's (the firm's clock jumps ahead when it ticks)."""

from __future__ import annotations

from email.utils import formatdate

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandboxes.store import Store


class SimulatedDateHeader:
    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                date = formatdate(self.store.now_ms() / 1000, usegmt=True).encode()
                message = {**message, "headers": [*headers, (b"date", date)]}
            await send(message)

        await self.app(scope, receive, send_with_date)

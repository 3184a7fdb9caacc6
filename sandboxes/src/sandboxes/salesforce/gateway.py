"""The checks in front of every `/services/data/vNN.N/…` call: API version, session, daily
allowance; and the `Sforce-Limit-Info` header on every API response.

It runs as ASGI middleware (not a route dependency) so error responses, unknown paths
and 405s carry the header too, and so an unauthenticated call is refused before routing,
as Salesforce does.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandboxes.salesforce.auth import SessionStore
from sandboxes.salesforce.errors import error_response
from sandboxes.salesforce.limits import ApiUsage

_VERSIONED = re.compile(r"^/services/data/v(\d+\.\d)(?:/|$)")
OLDEST_VERSION = 31.0


def supported_versions(latest: str) -> list[str]:
    return [f"{v:.1f}" for v in range(int(OLDEST_VERSION), int(float(latest)) + 1)]


class ApiGateway:
    def __init__(self, app: ASGIApp, sessions: SessionStore, usage: ApiUsage, latest_version: str) -> None:
        self.app = app
        self.sessions = sessions
        self.usage = usage
        self.versions = set(supported_versions(latest_version))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        match = _VERSIONED.match(scope["path"])
        if match is None:
            await self.app(scope, receive, send)
            return
        if match.group(1) not in self.versions:
            await error_response(404, "NOT_FOUND", "The requested resource does not exist")(scope, receive, send)
            return
        if not self.sessions.touch(_bearer_token(scope)):
            response = error_response(
                401, "INVALID_SESSION_ID", "Session expired or invalid", headers={"WWW-Authenticate": "Token"}
            )
            await response(scope, receive, send)
            return
        allowed, used = self.usage.consume()
        limit_header = self.usage.header(used)
        if not allowed:
            response = error_response(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
                headers={"Sforce-Limit-Info": limit_header},
            )
            await response(scope, receive, send)
            return

        async def send_with_usage(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"sforce-limit-info", limit_header.encode())]
            await send(message)

        await self.app(scope, receive, send_with_usage)


def _bearer_token(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            # Salesforce accepts the legacy "OAuth" scheme as well as "Bearer".
            if scheme.lower() in {"bearer", "oauth"}:
                return token.strip()
    return ""

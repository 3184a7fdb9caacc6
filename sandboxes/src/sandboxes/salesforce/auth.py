"""OAuth 2.0 token endpoint (username-password and client-credentials flows) and the
in-memory session store every API call is checked against.

Tokens look like Salesforce's (`00D…!…`), are random, live only in this process and
expire after `session_timeout_seconds` without use (Salesforce's session timeout).
The response `signature` is what Salesforce computes: base64(HMAC-SHA256(client_secret,
id + issued_at)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandboxes.salesforce.errors import json_response
from sandboxes.settings import SalesforceSettings
from sandboxes.store import Store

ORG_ID = "00D5g000004ConcAAA"
USER_ID = "0055g00000ConcIAAQ"


class SessionStore:
    """Issued access tokens and when each was last used (monotonic seconds)."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._last_used: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = f"{ORG_ID[:15]}!{secrets.token_urlsafe(72)}"
        with self._lock:
            self._last_used[token] = time.monotonic()
        return token

    def touch(self, token: str) -> bool:
        """True if `token` is a live session (and keeps it alive)."""
        now = time.monotonic()
        with self._lock:
            last = self._last_used.get(token)
            if last is None:
                return False
            if now - last > self._timeout:
                del self._last_used[token]
                return False
            self._last_used[token] = now
            return True


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def router(settings: SalesforceSettings, sessions: SessionStore, store: Store) -> APIRouter:
    api = APIRouter()

    @api.post("/services/oauth2/token")
    async def token(request: Request) -> Response:
        # Salesforce reads the parameters from the form body (or, leniently, the query string).
        params = dict(request.query_params)
        params.update(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        grant_type = params.get("grant_type", "")
        if grant_type not in {"password", "client_credentials"}:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        if params.get("client_id") != settings.client_id:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(params.get("client_secret", ""), settings.client_secret):
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant_type == "password" and (
            params.get("username") != settings.username
            or not hmac.compare_digest(params.get("password", ""), settings.password)
        ):
            return _oauth_error("invalid_grant", "authentication failure")
        instance_url = str(request.base_url).rstrip("/")
        identity = f"{instance_url}/id/{ORG_ID}/{USER_ID}"
        issued_at = str(store.now_ms())
        digest = hmac.new(settings.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
        return json_response(
            {
                "access_token": sessions.issue(),
                "instance_url": instance_url,
                "id": identity,
                "token_type": "Bearer",
                "issued_at": issued_at,
                "signature": base64.b64encode(digest).decode(),
            }
        )

    return api

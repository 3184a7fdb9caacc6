"""Harvest ID's OAuth2 token endpoint (`POST /api/v2/oauth2/token`, served under the
sandbox's base URL in place of `https://id.getharvest.com`) for the refresh of
authorization-code tokens, and the expiring access tokens it issues.

Form-encoded (`application/x-www-form-urlencoded`) or JSON, as Harvest's examples show:
`refresh_token`, `client_id`, `client_secret`, `grant_type=refresh_token` answer
`{access_token, refresh_token, token_type: "bearer", expires_in}`. The refresh token is
the one configured (`oauth_refresh_token`, as if the authorization code had been
exchanged) and is not rotated [unverified]. The authorization-code exchange itself needs a
browser and is not simulated (`unsupported_grant_type`).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandboxes.harvest.errors import json_response
from sandboxes.settings import HarvestSettings


class OAuthTokens:
    """Issued OAuth access tokens and when each expires (monotonic seconds)."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._expires: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = f"{secrets.randbelow(9_000_000) + 1_000_000}.at.{secrets.token_urlsafe(48)}"
        with self._lock:
            self._expires[token] = time.monotonic() + self.ttl
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expires = self._expires.get(token)
            return expires is not None and time.monotonic() < expires


def _error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def router(settings: HarvestSettings, tokens: OAuthTokens) -> APIRouter:
    api = APIRouter()

    @api.post("/api/v2/oauth2/token")
    async def token(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", "replace")
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                params = {k: str(v) for k, v in json.loads(raw or "{}").items()}
            except (ValueError, AttributeError):
                return _error(400, "invalid_request", "The request is missing a required parameter.")
        else:
            params = dict(parse_qsl(raw, keep_blank_values=True))
        if params.get("grant_type") != "refresh_token":
            return _error(400, "unsupported_grant_type", "The authorization grant type is not supported.")
        if params.get("client_id") != settings.oauth_client_id or not hmac.compare_digest(
            params.get("client_secret", "").encode(), settings.oauth_client_secret.encode()
        ):
            return _error(401, "invalid_client", "Client authentication failed.")
        if not hmac.compare_digest(params.get("refresh_token", "").encode(), settings.oauth_refresh_token.encode()):
            return _error(400, "invalid_grant", "The provided authorization grant is invalid, expired or revoked.")
        return json_response(
            {
                "access_token": tokens.issue(),
                "refresh_token": settings.oauth_refresh_token,
                "token_type": "bearer",
                "expires_in": int(tokens.ttl),
            }
        )

    return api

"""OAuth 2.0 client credentials for the sandbox: the token endpoint and the bearer check.

`POST /services/rest/auth/oauth2/v1/token` with `grant_type=client_credentials` issues a
bearer token valid for `token_ttl_seconds` (3600, as NetSuite). The client is identified by
one of:
- HTTP Basic `client_id:client_secret`, or `client_id`/`client_secret` form fields;
- NetSuite's machine-to-machine flow: `client_assertion_type=
  urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and a `client_assertion` JWT whose
  `iss` is the client id. The sandbox has no certificate to check it against, so the JWT's
  signature is NOT verified; only its `iss` (and `exp`, when present) are.

Token endpoint errors follow RFC 6749 (`{"error": "invalid_client", ...}`), not the REST
error format, as OAuth endpoints do. Tokens live in memory and expire by wall-clock time
(not the simulated clock, which may jump days ahead).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from sandboxes.settings import NetSuiteSettings

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenRegistry:
    """Issued bearer tokens and their expiry (monotonic seconds)."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self) -> str:
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            # Forget expired tokens now and then, so the registry does not grow forever.
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + self.ttl_seconds
        return token

    def is_valid(self, authorization: str | None) -> bool:
        if not authorization or not authorization.lower().startswith("bearer "):
            return False
        token = authorization[7:].strip()
        expiry = self._tokens.get(token)
        return expiry is not None and expiry > time.monotonic()


def _oauth_error(status: int, error: str, description: str) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _assertion_issuer(assertion: str) -> tuple[str | None, float | None]:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None, None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = orjson.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None, None
    if not isinstance(claims, dict):
        return None, None
    exp = claims.get("exp")
    return claims.get("iss"), exp if isinstance(exp, int | float) else None


def router(settings: NetSuiteSettings, tokens: TokenRegistry) -> APIRouter:
    api = APIRouter()

    @api.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials.")
        if form.get("client_assertion_type"):
            if form["client_assertion_type"] != JWT_BEARER:
                return _oauth_error(400, "invalid_request", "Unsupported client_assertion_type.")
            issuer, expires = _assertion_issuer(form.get("client_assertion", ""))
            if issuer is None:
                return _oauth_error(400, "invalid_request", "client_assertion is not a JWT.")
            if issuer != settings.client_id or (expires is not None and expires < time.time()):
                return _oauth_error(401, "invalid_client", "Invalid client assertion.")
        else:
            credentials = _basic_credentials(request.headers.get("authorization"))
            if credentials is None:
                credentials = (form.get("client_id", ""), form.get("client_secret", ""))
            if credentials != (settings.client_id, settings.client_secret):
                return _oauth_error(401, "invalid_client", "Invalid client credentials.")
        return JSONResponse(
            {"access_token": tokens.issue(), "expires_in": tokens.ttl_seconds, "token_type": "bearer"},
            headers={"Cache-Control": "no-store"},
        )

    return api

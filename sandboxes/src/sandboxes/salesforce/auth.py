"""OAuth 2.0 token endpoint (JWT bearer, client credentials and, when the org allows it,
username-password flows) and the in-memory session store every API call is checked against.

- JWT bearer (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`):
  the assertion's RS256 signature is verified with PyJWT against the connected app's
  certificate; `iss` must be the consumer key, `aud` a login URL (`login_urls`, or this
  server's own base URL), `exp` in the future, `sub` a user who approved the app.
- Client credentials: consumer key and secret; the token belongs to the app's run-as user.
- Username-password: refused as `invalid_grant` "authentication failure" unless the
  settings enable it (new orgs block the flow).

Tokens look like Salesforce's (`00D…!…`), are random, live only in this process and
expire after `session_timeout_seconds` without use (Salesforce's session timeout).
The response `signature` (client credentials and password flows) is what Salesforce
computes: base64(HMAC-SHA256(client_secret, id + issued_at)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl

import jwt
from cryptography import x509
from fastapi import APIRouter, Request
from starlette.responses import Response

from sandboxes.salesforce.errors import json_response
from sandboxes.salesforce.keys import ensure_key_pair
from sandboxes.settings import SalesforceSettings
from sandboxes.store import Store

ORG_ID = "00D5g000004ConcAAA"
USER_ID = "0055g00000ConcIAAQ"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "api"


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


def connected_app_public_key(settings: SalesforceSettings, store: Store) -> object:
    """The public key of the certificate uploaded to the connected app."""
    path = (
        Path(settings.certificate_path) if settings.certificate_path else ensure_key_pair(store.directory).certificate
    )
    return x509.load_pem_x509_certificate(path.read_bytes()).public_key()


class JwtRefusal(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.response = _oauth_error(error, description)


def verify_assertion(assertion: str, settings: SalesforceSettings, public_key: object, own_url: str) -> str:
    """The username a JWT bearer assertion logs in, or JwtRefusal with Salesforce's answer."""
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise JwtRefusal("invalid_grant", "invalid assertion") from None
    if claims.get("iss") != settings.client_id:
        raise JwtRefusal("invalid_client_id", "client identifier invalid")
    if header.get("alg") != "RS256":  # Salesforce supports RS256 only
        raise JwtRefusal("invalid_grant", "invalid assertion")
    try:
        jwt.decode(assertion, public_key, algorithms=["RS256"], options={"verify_exp": False, "verify_aud": False})
    except jwt.PyJWTError:
        raise JwtRefusal("invalid_grant", "invalid assertion") from None
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    accepted = {url.rstrip("/") for url in (*settings.login_urls, own_url)}
    if not any(isinstance(a, str) and a.rstrip("/") in accepted for a in audiences):
        raise JwtRefusal("invalid_grant", "audience is invalid")
    exp = claims.get("exp")
    try:
        expires = float(exp)  # Salesforce's own example sends it as a string of digits
    except (TypeError, ValueError):
        raise JwtRefusal("invalid_grant", "invalid assertion") from None
    if expires <= time.time():  # the caller's wall clock, not the firm's simulated one
        raise JwtRefusal("invalid_grant", "expired authorization code")
    user = claims.get("prn") or claims.get("sub")  # the older `prn` wins when both are present
    if user != settings.username:  # unknown, or known but never approved the app (`unapproved_users`)
        raise JwtRefusal("invalid_grant", "user hasn't approved this consumer")
    return str(user)


def router(settings: SalesforceSettings, sessions: SessionStore, store: Store) -> APIRouter:
    api = APIRouter()
    public_key = connected_app_public_key(settings, store)

    @api.post("/services/oauth2/token")
    async def token(request: Request) -> Response:
        # Salesforce reads the parameters from the form body (or, leniently, the query string).
        params = dict(request.query_params)
        params.update(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        grant_type = params.get("grant_type", "")
        instance_url = str(request.base_url).rstrip("/")
        identity = f"{instance_url}/id/{ORG_ID}/{USER_ID}"
        if grant_type == JWT_BEARER:
            if not params.get("assertion"):
                return _oauth_error("invalid_request", "assertion is required")  # [unverified] wording
            try:
                verify_assertion(params["assertion"], settings, public_key, instance_url)
            except JwtRefusal as refusal:
                return refusal.response
            return json_response(
                {
                    "access_token": sessions.issue(),
                    "scope": SCOPE,
                    "instance_url": instance_url,
                    "id": identity,
                    "token_type": "Bearer",
                }
            )
        if grant_type not in {"password", "client_credentials"}:
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        if params.get("client_id") != settings.client_id:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not hmac.compare_digest(params.get("client_secret", ""), settings.client_secret):
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant_type == "client_credentials" and not settings.client_credentials_run_as:
            return _oauth_error("invalid_grant", "no client credentials user enabled")
        if grant_type == "password" and (
            not settings.password_flow_enabled
            or params.get("username") != settings.username
            or not hmac.compare_digest(params.get("password", ""), settings.password)
        ):
            return _oauth_error("invalid_grant", "authentication failure")
        issued_at = str(store.now_ms())
        digest = hmac.new(settings.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256).digest()
        body = {
            "access_token": sessions.issue(),
            "instance_url": instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": base64.b64encode(digest).decode(),
        }
        if grant_type == "client_credentials":
            body["scope"] = SCOPE
        return json_response(body)

    return api

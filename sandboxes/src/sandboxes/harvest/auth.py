"""Request admission, in Harvest's order: User-Agent (400), then access token and account id
(401), then the per-token throttle (429).

Credentials come as Harvest accepts them (a personal access token or an OAuth access token): `Authorization: Bearer <token>` or the
`access_token` query parameter, and `Harvest-Account-Id` or the `account_id` query parameter.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request

from sandboxes.harvest.errors import MISSING_USER_AGENT, HarvestError, throttled, unauthorized
from sandboxes.harvest.limits import SlidingWindowLimiter
from sandboxes.harvest.oauth import OAuthTokens
from sandboxes.settings import HarvestSettings


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query_params.get("access_token")


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def authenticator(settings: HarvestSettings, oauth: OAuthTokens | None = None) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency admitting a request or raising Harvest's error for it. The token
    is the personal access token or a live OAuth access token (`oauth`); an expired one is
    a 401 like any other refused token."""
    limiter = (
        SlidingWindowLimiter(settings.rate_limit_requests, settings.rate_limit_window_seconds)
        if settings.rate_limit_enabled
        else None
    )

    async def authenticate(request: Request) -> None:
        if not request.headers.get("user-agent", "").strip():
            raise HarvestError(400, dict(MISSING_USER_AGENT))
        token = _token(request)
        account = request.headers.get("harvest-account-id") or request.query_params.get("account_id")
        known = _same(token, settings.access_token) or (oauth is not None and oauth.valid(token))
        if not (known and _same(account, settings.account_id)):
            raise unauthorized()
        if limiter is not None:
            wait = limiter.acquire(token or "")
            if wait:
                raise throttled(wait)

    return authenticate

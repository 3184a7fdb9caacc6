"""Harvest's OAuth 2.0 (authorization code) access tokens and their refresh.

A personal access token never expires and is used as given. An OAuth access token does:
when the config holds its `refresh_token`, `client_id` and `client_secret`, the token is
refreshed at `token_url` (`https://id.getharvest.com/api/v2/oauth2/token`,
`grant_type=refresh_token`, form-encoded) before its known expiry, when none was given, or
after a 401, and the request is retried once.

The refreshed tokens live only in this process, shared by every client and write-back target
built from the same refresh credentials (so two of them never race to refresh). Nothing is
written to a secrets file: a long-lived deployment that must survive restarts with a rotated
refresh token stores it in its secret store.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import orjson
import requests

from ingestion.config import HarvestConfig
from ingestion.http import SourceFatalError

log = logging.getLogger(__name__)
EXPIRY_MARGIN_SECONDS = 60.0  # refresh this long before the known expiry
REFRESH_HINT = (
    "check SOURCES__HARVEST__REFRESH_TOKEN, SOURCES__HARVEST__CLIENT_ID and SOURCES__HARVEST__CLIENT_SECRET "
    "(the OAuth2 application in Harvest ID > Developers); an expired or revoked refresh token needs the "
    "authorization to be granted again"
)


@dataclass
class _State:
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds; 0: unknown


_STATES: dict[tuple[str, str, str], _State] = {}
_LOCK = threading.Lock()


class HarvestTokens:
    """The access token to send, refreshed when it is due or refused."""

    def __init__(self, config: HarvestConfig, http: requests.Session) -> None:
        self.config = config
        self.http = http
        self.refreshable = bool(config.refresh_token)
        key = (config.token_url, config.client_id, config.refresh_token)
        with _LOCK:
            if not self.refreshable:
                self._state = _State(config.access_token, "", 0.0)
            else:
                self._state = _STATES.setdefault(
                    key, _State(config.access_token, config.refresh_token, config.token_expires_at)
                )

    @property
    def access_token(self) -> str:
        return self._state.access_token

    def due(self) -> bool:
        """True when the token should be refreshed before the next request."""
        if not self.refreshable:
            return False
        s = self._state
        return not s.access_token or (s.expires_at > 0 and time.time() >= s.expires_at - EXPIRY_MARGIN_SECONDS)

    def refresh(self, refused: str | None = None) -> str:
        """A fresh access token. `refused`: the token a 401 answered; if another client
        already replaced it, that replacement is returned without a second refresh."""
        with _LOCK:
            s = self._state
            if refused is not None and s.access_token and s.access_token != refused:
                return s.access_token
            c = self.config
            form = {
                "refresh_token": s.refresh_token,
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "grant_type": "refresh_token",
            }
            log.info("Refreshing Harvest's OAuth access token at %s", c.token_url)
            try:
                response = self.http.post(
                    c.token_url, data=form, headers={"Accept": "application/json", "User-Agent": c.user_agent}
                )
            except requests.RequestException as exc:
                raise SourceFatalError(f"Harvest's token endpoint {c.token_url} could not be reached ({exc})") from None
            try:
                body = orjson.loads(response.content)
            except orjson.JSONDecodeError:
                body = None
            if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
                detail = (
                    f"{body.get('error')}: {body.get('error_description', '')}".rstrip(": ")
                    if isinstance(body, dict) and body.get("error")
                    else f"HTTP {response.status_code}"
                )
                raise SourceFatalError(
                    f"Harvest refused to refresh the OAuth access token at {c.token_url} ({detail}); {REFRESH_HINT}"
                )
            s.access_token = str(body["access_token"])
            s.refresh_token = str(body.get("refresh_token") or s.refresh_token)
            expires_in = body.get("expires_in")
            s.expires_at = time.time() + float(expires_in) if isinstance(expires_in, int | float) else 0.0
            return s.access_token

"""Salesforce REST calls the source needs: OAuth login, the server's clock, describe,
queryAll pages and the deleted feed, with Salesforce's fatal errors told apart.

Login is by the configured flow (`auth_flow`): the JWT bearer flow (default; a JWT signed
with the connected app certificate's private key, posted to `login_url`), the client
credentials flow (consumer key and secret at the org's My Domain) or, only when chosen, the
username-password flow. API calls go to the `instance_url` the login answers with.

Transient failures (429, 5xx, timeouts, dropped connections) are retried by the shared
session. What retrying cannot fix stops the run with a SourceFatalError saying what to do:
a refused login, an exhausted daily API allowance (403 REQUEST_LIMIT_EXCEEDED), and a
session refused again right after a fresh login (401 INVALID_SESSION_ID). A session that
merely expired during a long run is renewed once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import jwt
import orjson
import requests

from ingestion.config import SalesforceConfig
from ingestion.http import SourceFatalError, check, session

SYSTEM = "salesforce"
SECRETS_HINT = "check sources.salesforce.* in .dlt/secrets.toml or the SOURCES__SALESFORCE__* environment variables"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
JWT_LIFETIME_SECONDS = 180  # Salesforce wants the assertion's exp within about 3 minutes
# What to check when the org refuses a flow's login (the settings it used, and the org's side).
FLOW_HINTS = {
    "jwt_bearer": (
        "check SOURCES__SALESFORCE__CLIENT_ID (the connected app's consumer key), SOURCES__SALESFORCE__USERNAME "
        "(a user pre-authorized for the app), SOURCES__SALESFORCE__PRIVATE_KEY or SOURCES__SALESFORCE__PRIVATE_KEY_PATH "
        "(the key of the certificate uploaded to the app) and SOURCES__SALESFORCE__LOGIN_URL "
        "(https://login.salesforce.com, or https://test.salesforce.com for a sandbox org)"
    ),
    "client_credentials": (
        "check SOURCES__SALESFORCE__CLIENT_ID and SOURCES__SALESFORCE__CLIENT_SECRET, that "
        "SOURCES__SALESFORCE__BASE_URL is the org's My Domain, and that the connected app enables the "
        "client credentials flow with a run-as user"
    ),
    "password": (
        "check SOURCES__SALESFORCE__CLIENT_ID, SOURCES__SALESFORCE__CLIENT_SECRET, SOURCES__SALESFORCE__USERNAME, "
        "SOURCES__SALESFORCE__PASSWORD (with the security token) and SOURCES__SALESFORCE__BASE_URL, and that "
        "the org allows the OAuth username-password flow"
    ),
}
# Compound fields repeat their components (BillingAddress = BillingStreet, BillingCity, ...);
# base64 bodies are fetched one record at a time. Neither belongs in a bulk extract.
SKIPPED_FIELD_TYPES = frozenset({"address", "location", "base64"})

log = logging.getLogger(__name__)


class InvalidReplicationDate(Exception):
    """The deleted feed refused the window (older than its retention)."""


def soql_datetime(value: datetime) -> str:
    """An unquoted SOQL datetime literal in UTC with milliseconds."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime:
    """Salesforce's `2013-05-20T20:49:32.000+0000` (any ISO 8601 form is accepted)."""
    return datetime.fromisoformat(text)


def _errors(response: requests.Response) -> list[dict[str, Any]]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return []
    return [e for e in body if isinstance(e, dict)] if isinstance(body, list) else []


def _error_codes(response: requests.Response) -> set[str]:
    return {str(e.get("errorCode")) for e in _errors(response)}


def _private_key(config: SalesforceConfig) -> str:
    if config.private_key:
        return config.private_key
    try:
        return Path(config.private_key_path).read_text()
    except OSError as exc:
        raise SourceFatalError(
            f"Salesforce's JWT private key cannot be read ({exc.strerror}: {config.private_key_path}); "
            "check SOURCES__SALESFORCE__PRIVATE_KEY_PATH"
        ) from None


def jwt_assertion(config: SalesforceConfig, now: float | None = None) -> str:
    """The JWT bearer assertion: iss = consumer key, sub = username, aud = the login URL,
    exp a few minutes ahead; RS256-signed with the connected app certificate's private key."""
    issued = time.time() if now is None else now
    claims = {
        "iss": config.client_id,
        "sub": config.username,
        "aud": config.login_url.rstrip("/"),
        "exp": int(issued) + JWT_LIFETIME_SECONDS,
    }
    try:
        return jwt.encode(claims, _private_key(config), algorithm="RS256")
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        setting = "PRIVATE_KEY" if config.private_key else "PRIVATE_KEY_PATH"
        raise SourceFatalError(
            f"Salesforce's JWT private key is not a usable RSA key in PEM form ({type(exc).__name__}); "
            f"check SOURCES__SALESFORCE__{setting}"
        ) from None


def salesforce_login(config: SalesforceConfig, http: requests.Session) -> tuple[str, str]:
    """(access token, instance URL) from the org's token endpoint by `config.auth_flow`.
    The one login of the connector and the write-back target. A refused login is a one-line
    SourceFatalError with Salesforce's error and the settings to check; secrets never appear
    in it or in the log."""
    flow = config.auth_flow
    if flow == "jwt_bearer":
        url = f"{config.login_url.rstrip('/')}/services/oauth2/token"
        form = {"grant_type": JWT_BEARER_GRANT, "assertion": jwt_assertion(config)}
    elif flow == "client_credentials":
        url = f"{config.base_url.rstrip('/')}/services/oauth2/token"
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
        }
    elif flow == "password":
        url = f"{config.base_url.rstrip('/')}/services/oauth2/token"
        form = {
            "grant_type": "password",
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "username": config.username,
            "password": config.password,
        }
    else:
        raise SourceFatalError(
            f"SOURCES__SALESFORCE__AUTH_FLOW is {flow!r}; use jwt_bearer, client_credentials or password"
        )
    log.info("Logging in to Salesforce at %s (%s flow)", url, flow)
    response = http.post(url, data=form)
    if response.status_code in (400, 401, 403):
        try:
            body = orjson.loads(response.content)
            reason = f"{body.get('error')}: {body.get('error_description')}"
        except (orjson.JSONDecodeError, AttributeError):
            reason = f"HTTP {response.status_code}: {response.text[:200]}"
        raise SourceFatalError(f"Salesforce refused the {flow} login at {url} ({reason}); {FLOW_HINTS[flow]}")
    try:
        body = orjson.loads(check(response, SYSTEM).content)
    except orjson.JSONDecodeError as exc:
        raise SourceFatalError(f"Salesforce's token response from {url} is not JSON ({exc})") from None
    try:
        return body["access_token"], body["instance_url"].rstrip("/")
    except (KeyError, TypeError, AttributeError):
        raise SourceFatalError(f"Salesforce's token response from {url} has no access_token/instance_url") from None


class SalesforceClient:
    """One run's connection: logs in lazily, renews an expired session once."""

    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self.http = session(config.http, {"Accept": "application/json"})
        self._instance_url: str | None = None
        self._server_now: datetime | None = None

    @property
    def api(self) -> str:
        return f"/services/data/v{self.config.api_version}"

    @property
    def instance_url(self) -> str | None:
        """The org's URL the login answered with (None before the first login)."""
        return self._instance_url

    def login(self) -> None:
        """Logs in by the configured flow (`salesforce_login`) and keeps the session."""
        token, self._instance_url = salesforce_login(self.config, self.http)
        self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Any:
        """GET an API path (or a nextRecordsUrl) and return the parsed JSON body."""
        return self._json(self.get_response(path, params, headers), path)

    def get_response(
        self, path: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> requests.Response:
        if self._instance_url is None:
            self.login()
        for attempt in (1, 2):
            response = self.http.get(f"{self._instance_url}{path}", params=params, headers=headers)
            if response.status_code != 401:
                break
            if attempt == 1:
                log.info("Salesforce session expired; logging in again")
                self.login()
        else:
            raise SourceFatalError(
                "Salesforce refused a fresh session (401 INVALID_SESSION_ID) right after login: the "
                f"integration user may lack API access or the org may have revoked its sessions; {SECRETS_HINT}"
            )
        if response.status_code == 403 and "REQUEST_LIMIT_EXCEEDED" in _error_codes(response):
            usage = response.headers.get("Sforce-Limit-Info", "api-usage unknown")
            raise SourceFatalError(
                f"Salesforce's daily API request limit is exhausted (403 REQUEST_LIMIT_EXCEEDED, {usage}); "
                "the run stopped without losing its place: run again once the org's 24-hour allowance "
                "frees up, or raise the limit (or lower how often Concord runs)"
            )
        if response.status_code == 400 and "INVALID_REPLICATION_DATE" in _error_codes(response):
            raise InvalidReplicationDate(_errors(response)[0].get("message", ""))
        if response.status_code >= 400 and response.status_code not in (401, 403):
            detail = "; ".join(f"{e.get('errorCode')}: {e.get('message')}" for e in _errors(response))
            raise requests.HTTPError(
                f"Salesforce answered {response.status_code} to GET {path}: {detail or response.text[:300]}",
                response=response,
            )
        return check(response, SYSTEM)

    @staticmethod
    def _json(response: requests.Response, what: str) -> Any:
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise SourceFatalError(
                f"Salesforce sent a response that is not JSON for {what} ({exc}); it starts: {response.content[:120]!r}"
            ) from None

    def server_now(self) -> datetime:
        """The server's clock (its `Date` header), read once per run so every object's
        window ends at the same instant."""
        if self._server_now is None:
            response = self.get_response(f"{self.api}/limits")
            date = response.headers.get("Date")
            if not date:
                raise SourceFatalError("Salesforce's response has no Date header; cannot read the server's clock")
            self._server_now = parsedate_to_datetime(date).astimezone(UTC)
        return self._server_now

    def window_end(self) -> datetime:
        """Where this run's windows end: the server's clock minus the configured lag."""
        return self.server_now() - timedelta(seconds=self.config.window_lag_seconds)

    def fields(self, sobject: str) -> list[dict[str, Any]]:
        """The object's field descriptions (describe), without compound and binary fields."""
        body = self.get(f"{self.api}/sobjects/{sobject}/describe")
        return [f for f in body["fields"] if f.get("type") not in SKIPPED_FIELD_TYPES]

    def query_all(self, soql: str) -> Iterator[list[Any]]:
        """The pages (record lists) of a queryAll, following nextRecordsUrl."""
        headers = {"Sforce-Query-Options": f"batchSize={self.config.batch_size}"}
        body = self.get(f"{self.api}/queryAll", params={"q": soql}, headers=headers)
        while True:
            records = body.get("records") if isinstance(body, dict) else None
            if not isinstance(records, list):
                raise SourceFatalError(f"Salesforce sent a query page without a records list: {str(body)[:200]}")
            yield records
            next_url = body.get("nextRecordsUrl")
            if body.get("done", True) or not next_url:
                return
            body = self.get(next_url, headers=headers)

    def deleted(self, sobject: str, start: datetime, end: datetime) -> dict[str, datetime]:
        """Ids deleted in [start, end) by the deleted feed, with when each was deleted.
        Raises InvalidReplicationDate when the window reaches past the feed's retention."""
        body = self.get(
            f"{self.api}/sobjects/{sobject}/deleted/",
            params={"start": soql_datetime(start), "end": soql_datetime(end)},
        )
        deleted = {}
        for entry in body.get("deletedRecords") or []:
            when = parse_datetime(entry["deletedDate"])
            # The feed truncates `start` to the minute and includes `end`; the queryAll
            # pass owns exactly [start, end), so the rest belongs to the neighbouring runs.
            if start <= when < end:
                deleted[entry["id"]] = when
        return deleted

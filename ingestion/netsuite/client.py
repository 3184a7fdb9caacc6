"""A small NetSuite REST client: the OAuth 2.0 client credentials (M2M) login
(`ingestion.netsuite.auth`), SuiteQL pages, the server's clock, and NetSuite's error bodies
turned into messages a person can act on.

Transient failures (429 CONCURRENCY_LIMIT_EXCEEDED, which carries no Retry-After, 5xx,
timeouts, dropped connections) are retried with backoff by the shared session
(`ingestion.http`). A 401 on a query is retried once with a fresh token (tokens last an
hour and are renewed a minute before; a 401 still gets one fresh login); a refused login
stops the run with `SourceFatalError`.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import requests

from ingestion.config import NetSuiteConfig
from ingestion.http import SourceFatalError, check, session
from ingestion.netsuite.auth import NetSuiteLogin
from ingestion.netsuite.tables import SYSTEM

log = logging.getLogger(__name__)

_MISSING_FIELD = re.compile(r"Field '([^']+)' for record '[^']+' was not found")


class SuiteQLError(Exception):
    """NetSuite refused a query (400); `detail` is NetSuite's message."""

    def __init__(self, detail: str, query: str) -> None:
        super().__init__(f"NetSuite refused a SuiteQL query: {detail} (query: {query[:300]})")
        self.detail = detail

    @property
    def missing_field(self) -> str | None:
        """The field NetSuite says the record does not have, if that is the complaint."""
        match = _MISSING_FIELD.search(self.detail)
        return match.group(1) if match else None


class NetSuiteClient:
    def __init__(self, config: NetSuiteConfig) -> None:
        self.config = config
        self.base_url = config.base_url.rstrip("/")
        self.session = session(config.http, {"Accept": "application/json"})
        self.login = NetSuiteLogin(config, self.session)  # the one login, shared with the write-back target

    def fetch_token(self) -> str:
        """The current OAuth 2.0 access token (logging in when needed)."""
        return self.login.token()

    def suiteql(self, query: str, limit: int, offset: int = 0) -> tuple[dict[str, Any], requests.Response]:
        """One page of a SuiteQL query: the parsed body and the response (for its headers)."""
        url = f"{self.base_url}/query/v1/suiteql"
        params = {"limit": limit, "offset": offset}
        body = orjson.dumps({"q": query})
        for attempt in (1, 2):
            token = self.login.token()
            headers = {
                "Authorization": f"Bearer {token}",
                "Prefer": "transient",
                "Content-Type": "application/json",
            }
            response = self.session.post(url, params=params, data=body, headers=headers)
            if response.status_code == 401 and attempt == 1:
                self.login.discard(token)  # expired mid-run: one fresh token, then a 401 is fatal
                continue
            break
        if response.status_code == 400:
            raise SuiteQLError(_error_detail(response), query)
        if response.status_code in (401, 403):
            raise SourceFatalError(
                f"NetSuite refused the query ({response.status_code} {_error_detail(response)}); check that the "
                "integration's role may run SuiteQL on the Concord tables (REST Web Services, SuiteAnalytics Workbook)"
            )
        check(response, SYSTEM)
        page = _json(response, "a SuiteQL page")
        if not isinstance(page.get("items"), list):
            raise ValueError(f"NetSuite returned a SuiteQL page without an items list: {response.text[:300]}")
        return page, response


def server_time(response: requests.Response) -> datetime:
    """The server's clock from its `Date` header (whole seconds, UTC)."""
    header = response.headers.get("Date")
    if header:
        try:
            return parsedate_to_datetime(header).astimezone(UTC)
        except (TypeError, ValueError):
            pass
    raise ValueError(f"NetSuite's response has no usable Date header ({header!r}); cannot end the window safely")


def _json(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        value = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"NetSuite returned {what} that is not JSON ({exc}): {response.text[:300]!r}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"NetSuite returned {what} that is not a JSON object: {response.text[:300]!r}")
    return value


def _error_detail(response: requests.Response) -> str:
    """NetSuite's `o:errorDetails` as one line, or the raw body."""
    try:
        details = orjson.loads(response.content).get("o:errorDetails") or []
        return "; ".join(f"{d.get('o:errorCode', '')}: {d.get('detail', '')}" for d in details) or response.text[:300]
    except (orjson.JSONDecodeError, AttributeError):
        return response.text[:300]

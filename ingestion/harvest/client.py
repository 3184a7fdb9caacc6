"""The Harvest v2 HTTP client: the account headers, the server's clock, and list paging.

Every request carries `Authorization: Bearer` (a personal access token, or an OAuth access
token refreshed as `harvest/auth.py` describes), `Harvest-Account-Id` and a `User-Agent`
(Harvest answers a request without one with a 400). Retries of 429 (`Retry-After`), 5xx,
timeouts and dropped connections are the shared session's (`ingestion.http`); a 401/403
stops the run with a SourceFatalError.

Lists are read by following `links.next` (Harvest's cursor links) until it is null. Each
page is decoded with orjson (pages of 2,000 time entries are the bulk of a run's CPU) and
must be a JSON object holding the resource's list: anything else fails the run with the URL
and the first bytes of the body, rather than being taken for an empty page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import requests

from ingestion.config import HarvestConfig
from ingestion.harvest.auth import HarvestTokens
from ingestion.harvest.tables import SYSTEM
from ingestion.http import check, session
from ingestion.landing import now_utc


class HarvestResponseError(RuntimeError):
    """Harvest answered 200 with a body that is not the page it should be."""


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    server_time: datetime  # the response's `Date`: Harvest's clock when it served the page


def server_time(response: requests.Response) -> datetime:
    """The server's clock from the `Date` header (whole seconds, UTC); the local clock if the
    header is missing or unreadable (then the lag setting must cover the clock skew)."""
    header = response.headers.get("Date")
    if header:
        try:
            stamp = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            stamp = None
        if stamp is not None and stamp.tzinfo is not None:
            return stamp.astimezone(UTC)
    return now_utc().replace(microsecond=0)


class HarvestClient:
    def __init__(self, config: HarvestConfig) -> None:
        self.base_url = config.base_url.rstrip("/")
        self.per_page = config.per_page
        self.session = session(
            config.http,
            {
                "Harvest-Account-Id": str(config.account_id),
                "User-Agent": config.user_agent,
                "Accept": "application/json",
            },
        )
        self.tokens = HarvestTokens(config, self.session)

    def get(self, url: str, params: dict[str, Any] | None = None) -> requests.Response:
        """GET with the current token; an OAuth token that is due, or refused with a 401, is
        refreshed and the request sent once more."""
        token = self.tokens.refresh() if self.tokens.due() else self.tokens.access_token
        response = self.session.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        if response.status_code == 401 and self.tokens.refreshable:
            token = self.tokens.refresh(refused=token)
            response = self.session.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        return check(response, SYSTEM)

    def clock(self) -> datetime:
        """Harvest's time now, from the cheapest authenticated request (`/company`); also
        proves the credentials before any table is read."""
        return server_time(self.get(f"{self.base_url}/company"))

    def pages(self, resource: str, params: dict[str, Any] | None = None) -> Iterator[Page]:
        """Every page of `/resource` matching `params`, following `links.next`."""
        url: str | None = f"{self.base_url}/{resource}"
        query: dict[str, Any] | None = {"per_page": self.per_page, **(params or {})}
        while url is not None:
            response = self.get(url, query)
            body = _decode(response, resource)
            yield Page(body[resource], server_time(response))
            url = (body.get("links") or {}).get("next")
            query = None  # the next link repeats the filters and carries the cursor


def _decode(response: requests.Response, resource: str) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise HarvestResponseError(
            f"Harvest sent a page that is not JSON ({exc}) from {response.url}: {response.content[:200]!r}"
        ) from None
    if not isinstance(body, dict) or not isinstance(body.get(resource), list):
        raise HarvestResponseError(
            f"Harvest sent a page without a {resource!r} list from {response.url}: {response.content[:200]!r}"
        )
    return body

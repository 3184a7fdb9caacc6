"""`POST /services/rest/query/v1/suiteql`: runs a SuiteQL query on the store, one page at a time.

Rendering follows NetSuite: every value is a string (numbers as Oracle writes them, booleans
'T'/'F'), null values are left out of the item, keys are lowercase, dates and datetimes come
back date-only in the user's format (`M/D/YYYY`) unless the query wraps them in TO_CHAR, and
each item carries `"links": []`. Dates and times are the integration user's local time
(`NetSuiteSettings.time_zone`, see `oracle`); the HTTP `Date` header stays GMT.

Paging: `limit` 1..1000, `offset` a multiple of `limit`; at most 100,000 results of one query
are reachable (an offset at or past that is refused, and `hasMore` turns false at the cap).
The query runs with LIMIT/OFFSET per page, so pages are only stable under an ORDER BY, as in
NetSuite. The `Prefer: transient` header is required; without it the sandbox answers 400
USER_ERROR (NetSuite's exact message for this is unverified).
"""

from __future__ import annotations

import sqlite3
from datetime import tzinfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandboxes.common.timefmt import netsuite_date
from sandboxes.netsuite import oracle
from sandboxes.netsuite.errors import bad_request
from sandboxes.netsuite.suiteql import ERROR_PREFIX, UNSUPPORTED, OutputColumn, QueryError, Translated, translate
from sandboxes.netsuite.wire import (
    COLLECTION_MEDIA_TYPE,
    base_url,
    collection_links,
    json_object,
    json_response,
    paging,
    raw_body,
)
from sandboxes.store import Store

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
MAX_RESULTS = 100_000


def router(store: Store, time_zone: str = "UTC") -> APIRouter:
    """The SuiteQL route, reading and writing dates in the user's `time_zone` (IANA name)."""
    api = APIRouter()
    tz = oracle.zone(time_zone)

    @api.post(SUITEQL_PATH)
    def suiteql(request: Request, body: bytes = Depends(raw_body)) -> Response:
        prefer = {p.strip().lower() for p in request.headers.get("prefer", "").split(",")}
        if "transient" not in prefer:
            raise bad_request("USER_ERROR", "The 'Prefer: transient' header is required for SuiteQL queries.")
        limit, offset = paging(request)
        if offset >= MAX_RESULTS:
            raise bad_request(
                "INVALID_PARAMETER",
                f"Invalid value for the parameter 'offset'. A query can return at most {MAX_RESULTS} results.",
            )
        query = json_object(body).get("q")
        if not isinstance(query, str):
            raise bad_request("USER_ERROR", "The request body must contain the query as a string in 'q'.", "q")
        try:
            translated = translate(query, store.now_ms, tz)
        except QueryError as exc:
            raise bad_request("INVALID_PARAMETER", exc.detail) from exc
        rows, total = _run(store, translated, limit, offset, tz)
        reachable = min(total, MAX_RESULTS)
        has_more = offset + len(rows) < reachable
        url = f"{base_url(request)}{SUITEQL_PATH}"
        page = {
            "links": collection_links(url, limit, offset, reachable, has_more),
            "count": len(rows),
            "hasMore": has_more,
            "items": [_item(translated.columns, row, tz) for row in rows],
            "offset": offset,
            "totalResults": total,
        }
        return json_response(page, COLLECTION_MEDIA_TYPE)

    return api


def _run(store: Store, translated: Translated, limit: int, offset: int, tz: tzinfo) -> tuple[list[tuple], int]:
    conn = store.connect("netsuite")
    oracle.register(conn, tz)
    # One read snapshot for the page and its count.
    conn.execute("BEGIN")
    try:
        sql = f"SELECT * FROM ({translated.sql}) LIMIT ? OFFSET ?"
        rows = [tuple(r) for r in conn.execute(sql, (limit, offset))]
        # A short first page is the whole result: no need to count.
        short = offset == 0 and len(rows) < limit
        total = len(rows) if short else conn.execute(translated.count_sql).fetchone()[0]
    except (sqlite3.Error, oracle.FormatError) as exc:
        raise bad_request("INVALID_PARAMETER", ERROR_PREFIX + UNSUPPORTED) from exc
    finally:
        conn.commit()
    return rows, total


def _item(columns: list[OutputColumn], row: tuple, tz: tzinfo) -> dict[str, object]:
    item: dict[str, object] = {"links": []}
    for column, value in zip(columns, row, strict=False):
        if value is None:
            continue
        if column.is_date and isinstance(value, int | float):
            item[column.name] = netsuite_date(int(value), tz)
        elif isinstance(value, int | float):
            item[column.name] = oracle.number_text(value)
        else:
            item[column.name] = str(value)
    return item

"""List endpoints: Harvest's filters, paging and page body.

Paging follows Harvest's pagination doc. `per_page` is 1..2000 (default 2000; anything else
is a 422). `page=N` serves the N-th page (OFFSET); `links.next` is always cursor-style,
`?cursor=…&per_page=…&ref=next_cursor`, where the cursor is base64 JSON naming the last row
served (`{"after":{"id":3007}}`, or `{"after":{"spent_date":…,"id":…}}` for time entries and
expenses), so following `links.next` is a keyset scan: constant cost per page however deep,
and stable while rows are inserted or deleted. `cursor` wins over `page` when both are given.
On a cursor page `page`, `next_page` and `previous_page` are null unless it is the last page,
and `links.previous` is null [unverified]. `total_pages` is at least 1 [unverified]. Links
are absolute and repeat the request's filters (credentials given as query parameters are not
repeated).

`updated_since` is inclusive: `updated_at >= updated_since` [unverified; Harvest does not say.
Inclusive is the safe reading for a client, which re-reads the boundary second and de-duplicates
by id, since many records share a whole-second `updated_at`]. `from`/`to` are inclusive dates on
`spent_date`.
"""

from __future__ import annotations

import base64
import binascii
import math
import sqlite3
from collections.abc import Mapping
from urllib.parse import urlencode

import orjson
from fastapi import Request
from starlette.responses import Response

from sandboxes.harvest import params as p
from sandboxes.harvest.errors import json_response, not_found, unprocessable
from sandboxes.harvest.resources import Resource, Row, query

MAX_PER_PAGE = 2000


class Filters:
    """The WHERE clause of one list request, built from its query parameters; remembers the
    parameters it used so that the page links can repeat them."""

    def __init__(self, query: Mapping[str, str]) -> None:
        self.query = query
        self.where: list[str] = []
        self.args: list[object] = []
        self.carried: list[tuple[str, str]] = []

    def _add(self, name: str, clause: str, value: object) -> None:
        self.where.append(clause)
        self.args.append(value)
        self.carried.append((name, self.query[name]))

    def fixed(self, clause: str, value: object) -> Filters:
        """A condition from the path (e.g. the project of a nested list), not carried in links."""
        self.where.append(clause)
        self.args.append(value)
        return self

    def boolean(self, name: str, column: str | None = None) -> Filters:
        value = p.query_bool(self.query, name)
        if value is not None:
            self._add(name, f"t.{column or name} = ?", int(value))
        return self

    def integer(self, name: str, column: str | None = None) -> Filters:
        value = p.query_int(self.query, name)
        if value is not None:
            self._add(name, f"t.{column or name} = ?", value)
        return self

    def choice(self, name: str, choices: tuple[str, ...]) -> Filters:
        value = p.query_choice(self.query, name, choices)
        if value is not None:
            self._add(name, f"t.{name} = ?", value)
        return self

    def text(self, name: str, expression: str) -> Filters:
        value = self.query.get(name)
        if value:
            self._add(name, f"{expression} = ?", value)
        return self

    def updated_since(self) -> Filters:
        value = p.query_datetime_ms(self.query, "updated_since")
        if value is not None:
            self._add("updated_since", "t.updated_at >= ?", value)
        return self

    def spent_between(self) -> Filters:
        start = p.query_date(self.query, "from")
        end = p.query_date(self.query, "to")
        if start is not None:
            self._add("from", "t.spent_date >= ?", start)
        if end is not None:
            self._add("to", "t.spent_date <= ?", end)
        return self


def _encode_cursor(resource: Resource, row: Row) -> str:
    after = {column: row[column] for column in resource.order}
    return base64.urlsafe_b64encode(orjson.dumps({"after": after})).decode().rstrip("=")


def _decode_cursor(resource: Resource, cursor: str) -> list[object]:
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = data["after"]
        values = [after[column] for column in resource.order]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise unprocessable("Invalid cursor") from None
    if not isinstance(values[-1], int) or any(not isinstance(v, int | str) for v in values):
        raise unprocessable("Invalid cursor")
    return values


def _paging(query: Mapping[str, str]) -> tuple[int, int, str | None]:
    per_page = p.query_int(query, "per_page")
    if per_page is None:
        per_page = MAX_PER_PAGE
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise unprocessable(f"per_page must be between 1 and {MAX_PER_PAGE}")
    page = p.query_int(query, "page")
    if page is None:
        page = 1
    if page < 1:
        raise unprocessable("page must be greater than or equal to 1")
    return per_page, page, query.get("cursor") or None


def list_page(conn: sqlite3.Connection, resource: Resource, request: Request, filters: Filters) -> Response:
    """One page of `resource` matching `filters`, as Harvest's list body."""
    per_page, page, cursor = _paging(request.query_params)
    where = " AND ".join(filters.where) or "1"
    total = conn.execute(f"SELECT COUNT(*) FROM {resource.table} AS t WHERE {where}", filters.args).fetchone()[0]
    total_pages = max(1, math.ceil(total / per_page))

    columns = [f"t.{column}" for column in resource.order]
    order = ", ".join(f"{column} DESC" for column in columns)
    args = list(filters.args)
    if cursor is not None:
        keyset = (
            f"({', '.join(columns)}) < ({', '.join('?' * len(columns))})" if len(columns) > 1 else f"{columns[0]} < ?"
        )
        where = f"{where} AND {keyset}"
        args += _decode_cursor(resource, cursor)
        offset = 0
    else:
        offset = (page - 1) * per_page
    rows = query(
        conn, f"{resource.select} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?", [*args, per_page + 1, offset]
    )
    has_more = len(rows) > per_page
    rows = rows[:per_page]

    if cursor is None:
        page_no: int | None = page
        next_page = page + 1 if has_more else None
        previous_page = page - 1 if page > 1 else None
    elif has_more:
        page_no = next_page = previous_page = None
    else:
        page_no, next_page, previous_page = total_pages, None, (total_pages - 1 or None)

    base = str(request.base_url).rstrip("/") + request.url.path

    def link(ref: str, **paging: object) -> str:
        return f"{base}?{urlencode([*paging.items(), ('per_page', per_page), *filters.carried, ('ref', ref)])}"

    body = {
        resource.name: [resource.serialize(row) for row in rows],
        "per_page": per_page,
        "total_pages": total_pages,
        "total_entries": total,
        "next_page": next_page,
        "previous_page": previous_page,
        "page": page_no,
        "links": {
            "first": link("first", page=1),
            "next": link("next_cursor", cursor=_encode_cursor(resource, rows[-1])) if has_more else None,
            "previous": link("previous", page=page - 1) if cursor is None and page > 1 else None,
            "last": link("last", page=total_pages),
        },
    }
    return json_response(body)


def fetch(conn: sqlite3.Connection, resource: Resource, record_id: int, where: str = "", args: tuple = ()) -> dict:
    """One record as Harvest serves it, or Harvest's 404."""
    rows = query(conn, f"{resource.select} WHERE t.id = ? {where}", (record_id, *args))
    if not rows:
        raise not_found()
    return resource.serialize(rows[0])

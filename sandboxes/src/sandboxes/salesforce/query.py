"""`GET query?q=` / `queryAll?q=` and their `nextRecordsUrl` pages.

`totalSize` is the size of the whole result; a result larger than one batch opens a
cursor and the page carries `nextRecordsUrl` = `/services/data/vNN.N/query/<locator>-<offset>`
(`queryAll/…` for queryAll; both paths serve any locator). The batch size is the
`Sforce-Query-Options: batchSize=N` header clamped to 200..2000, else the configured default.
As in Salesforce, the offset in a locator URL may be changed to jump within the result.
"""

from __future__ import annotations

import re
from array import array

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from sandboxes.salesforce.cursors import Cursor, CursorStore
from sandboxes.salesforce.errors import SalesforceError, json_response
from sandboxes.salesforce.soql_sql import CompiledQuery, compile_query
from sandboxes.salesforce.wire import api_prefix, record_builder, select_list
from sandboxes.settings import SalesforceSettings
from sandboxes.store import Store

MIN_BATCH, MAX_BATCH = 200, 2000
_BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def _batch_size(request: Request, default: int) -> int:
    match = _BATCH_OPTION.search(request.headers.get("sforce-query-options", ""))
    if match is None:
        return default
    return min(max(int(match.group(1)), MIN_BATCH), MAX_BATCH)


def _invalid_locator() -> SalesforceError:
    return SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")


def router(store: Store, settings: SalesforceSettings, cursors: CursorStore) -> APIRouter:
    api = APIRouter(prefix="/services/data/v{version}")
    default_batch = min(max(settings.default_batch_size, MIN_BATCH), MAX_BATCH)

    def page(
        version: str, query: CompiledQuery, row_ids: array, offset: int, batch: int, next_url: str | None
    ) -> Response:
        chunk = row_ids[offset : offset + batch]
        conn = store.connect("salesforce")
        build = record_builder(query.sobject, query.fields, version)
        rows = conn.execute(
            f"SELECT {select_list(query.fields, 't')} FROM json_each(?) AS j "
            f'JOIN "{query.sobject.name}" AS t ON t.rowid = j.value ORDER BY j.key',
            (orjson.dumps(chunk.tolist()).decode(),),
        )
        body: dict = {"totalSize": len(row_ids), "done": next_url is None}
        if next_url is not None:
            body["nextRecordsUrl"] = next_url
        body["records"] = [build(row) for row in rows]
        return json_response(body)

    def start(request: Request, version: str, endpoint: str) -> Response:
        text = request.query_params.get("q")
        if not text:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
        query = compile_query(text, include_deleted=endpoint == "queryAll", now_ms=store.now_ms())
        conn = store.connect("salesforce")
        if query.count_only:
            sql, params = query.count_sql()
            total = conn.execute(sql, params).fetchone()[0]
            return json_response({"totalSize": total, "done": True, "records": []})
        sql, params = query.row_ids_sql()
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples: this can be a million rows
        row_ids = array("q", (row[0] for row in cur.execute(sql, params)))
        batch = _batch_size(request, default_batch)
        next_url = None
        if len(row_ids) > batch:
            locator = cursors.open(Cursor(query, row_ids, batch, endpoint))
            next_url = f"{api_prefix(version)}/{endpoint}/{locator}-{batch}"
        return page(version, query, row_ids, 0, batch, next_url)

    def more(request: Request, version: str, locator_offset: str) -> Response:
        locator, _, offset_text = locator_offset.rpartition("-")
        cursor = cursors.get(locator) if locator and offset_text.isdigit() else None
        if cursor is None:
            raise _invalid_locator()
        offset = int(offset_text)
        if offset >= len(cursor.row_ids):
            raise _invalid_locator()
        batch = _batch_size(request, cursor.batch_size)
        end = offset + batch
        next_url = f"{api_prefix(version)}/{cursor.endpoint}/{locator}-{end}" if end < len(cursor.row_ids) else None
        return page(version, cursor.query, cursor.row_ids, offset, batch, next_url)

    @api.get("/query")
    def query(request: Request, version: str) -> Response:
        return start(request, version, "query")

    @api.get("/queryAll")
    def query_all(request: Request, version: str) -> Response:
        return start(request, version, "queryAll")

    @api.get("/query/{locator_offset}")
    def query_more(request: Request, version: str, locator_offset: str) -> Response:
        return more(request, version, locator_offset)

    @api.get("/queryAll/{locator_offset}")
    def query_all_more(request: Request, version: str, locator_offset: str) -> Response:
        return more(request, version, locator_offset)

    return api

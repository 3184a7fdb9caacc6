"""`/services/rest/record/v1/{type}[/{id}]`: the REST record API routes.

- `GET …/{type}?limit=&offset=`: the record ids, `{"links","count","hasMore","items":[{"links","id"}],"offset","totalResults"}`
  (the `q` filter is not implemented: 400).
- `GET …/{type}/{id}` and `…/{type}/eid:{externalId}`: the record; sublists (an invoice's
  `item`, a payment's `apply`) are links unless `expandSubResources=true`.
- `POST …/{type}`: 204 with `Location: …/record/v1/{type}/{new id}`.
- `PATCH …/{type}/{id}`: 204; sublist lines are added, or replace the sublist with
  `?replace=item`. A customer's `addressBook` is a keyed sublist: a line with the `id` of an
  existing line updates it, `?replace=addressBook` also removes the lines not sent
  (`sandboxes/netsuite/addresses.py`).
- `PUT …/{type}/eid:{externalId}`: upsert by external id, 204 with `Location` (PUT without
  `eid:` is refused with 400); `?replace=` as for PATCH ([unverified] that NetSuite's upsert
  takes it).
- `DELETE …/{type}/{id}`: 204, a hard delete.

Record type names are matched case-insensitively. An unknown type answers 404
NONEXISTENT_ID (NetSuite's exact body for this is unverified). `Prefer: respond-async` is
not implemented: every request runs synchronously, which NetSuite also does when it cannot
go async (the idempotency key is then ignored).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandboxes.netsuite import records
from sandboxes.netsuite.errors import NetSuiteError, bad_request
from sandboxes.netsuite.recordtypes import RECORD_TYPES, RecordType
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

RECORD_PATH = "/services/rest/record/v1"


def _record_type(name: str) -> RecordType:
    rtype = RECORD_TYPES.get(name.lower())
    if rtype is None:
        raise NetSuiteError(404, "NONEXISTENT_ID", f"Record type '{name}' does not exist.")
    return rtype


def _created(request: Request, rtype: RecordType, record_id: int) -> Response:
    location = f"{base_url(request)}{RECORD_PATH}/{rtype.name}/{record_id}"
    return Response(status_code=204, headers={"Location": location})


def router(store: Store) -> APIRouter:
    api = APIRouter(prefix=RECORD_PATH)

    @api.get("/{record_type}")
    def list_records(record_type: str, request: Request) -> Response:
        rtype = _record_type(record_type)
        if "q" in request.query_params:
            raise bad_request("INVALID_PARAMETER", "The sandbox does not implement the 'q' parameter; use SuiteQL.")
        limit, offset = paging(request)
        ids, total = records.list_ids(store, rtype, limit, offset)
        base = f"{base_url(request)}{RECORD_PATH}/{rtype.name}"
        has_more = offset + len(ids) < total
        page = {
            "links": collection_links(base, limit, offset, total, has_more),
            "count": len(ids),
            "hasMore": has_more,
            "items": [{"links": [{"rel": "self", "href": f"{base}/{i}"}], "id": str(i)} for i in ids],
            "offset": offset,
            "totalResults": total,
        }
        return json_response(page, COLLECTION_MEDIA_TYPE)

    @api.get("/{record_type}/{key}")
    def get_record(record_type: str, key: str, request: Request) -> Response:
        rtype = _record_type(record_type)
        expand = request.query_params.get("expandSubResources", "").lower() == "true"
        return json_response(records.read(store, rtype, key, f"{base_url(request)}{RECORD_PATH}", expand))

    @api.post("/{record_type}")
    def create_record(record_type: str, request: Request, body: bytes = Depends(raw_body)) -> Response:
        rtype = _record_type(record_type)
        return _created(request, rtype, records.create(store, rtype, json_object(body)))

    @api.patch("/{record_type}/{key}")
    def update_record(record_type: str, key: str, request: Request, body: bytes = Depends(raw_body)) -> Response:
        rtype = _record_type(record_type)
        replace = {s.strip().lower() for s in request.query_params.get("replace", "").split(",") if s.strip()}
        records.update(store, rtype, key, json_object(body), replace)
        return Response(status_code=204)

    @api.put("/{record_type}/{key}")
    def upsert_record(record_type: str, key: str, request: Request, body: bytes = Depends(raw_body)) -> Response:
        rtype = _record_type(record_type)
        if not key.startswith("eid:") or len(key) == 4:
            raise bad_request("INVALID_PARAMETER", "PUT (upsert) needs an external ID in the URL: eid:<value>.")
        replace = {s.strip().lower() for s in request.query_params.get("replace", "").split(",") if s.strip()}
        return _created(request, rtype, records.upsert(store, rtype, key[4:], json_object(body), replace))

    @api.delete("/{record_type}/{key}")
    def delete_record(record_type: str, key: str) -> Response:
        records.delete(store, _record_type(record_type), key)
        return Response(status_code=204)

    return api

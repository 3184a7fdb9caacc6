"""sObject Collections: create, update, upsert and delete up to 200 records per call.

A well-formed request always answers 200 with one result per record, in input order:
`{"id","success":true,"errors":[]}` (upserts add `created`), or `success:false` with
`errors:[{"statusCode","message","fields"}]`. The batch runs in one SQLite transaction
with a savepoint per record: with `allOrNone:false` a failed record is undone alone;
with `allOrNone:true` any failure rolls the whole batch back, failed records keep their
own error and the others report ALL_OR_NONE_OPERATION_ROLLED_BACK. More than 200 records
is a 400 EXCEEDED_ID_LIMIT for the whole request.

Per-record codes where Salesforce's are not documented [unverified, chosen]: an unknown
id is INVALID_CROSS_REFERENCE_KEY, an already deleted one ENTITY_IS_DELETED, a missing
Id or external-ID value MISSING_ARGUMENT, a key matching several records
DUPLICATE_EXTERNAL_ID.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandboxes.common import ids
from sandboxes.salesforce import sobjects, writes
from sandboxes.salesforce.errors import SalesforceError, json_parser_error, json_response, not_found, parse_json_body
from sandboxes.salesforce.records import raw_body
from sandboxes.salesforce.sobjects import SObject
from sandboxes.store import Store

MAX_RECORDS = 200
_ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}

# One record's operation: returns its success result or raises SalesforceError.
Operation = Callable[[sqlite3.Connection, object], dict]


def _too_many() -> SalesforceError:
    return SalesforceError(
        400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call"
    )


def _parse_batch(body: bytes) -> tuple[bool, list]:
    payload = parse_json_body(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise json_parser_error("Expected a JSON object with a records array")
    all_or_none = payload.get("allOrNone", False)
    if not isinstance(all_or_none, bool):
        raise json_parser_error(f"Cannot deserialize instance of boolean from value {all_or_none}")
    if len(payload["records"]) > MAX_RECORDS:
        raise _too_many()
    return all_or_none, payload["records"]


def _record_type(record: object) -> SObject:
    if not isinstance(record, dict):
        raise json_parser_error("Each record must be a JSON object")
    attributes = record.get("attributes")
    type_name = attributes.get("type") if isinstance(attributes, dict) else None
    if not type_name:
        raise SalesforceError(400, "INVALID_TYPE", "Must send a concrete entity type.")
    sobject = sobjects.lookup(str(type_name))
    if sobject is None:
        raise SalesforceError(400, "INVALID_TYPE", f"sObject type '{type_name}' is not supported.")
    return sobject


def _live_row(conn: sqlite3.Connection, record_id: object) -> tuple[SObject, sqlite3.Row]:
    text = record_id if isinstance(record_id, str) else ""
    if not ids.is_valid_id(text):
        raise SalesforceError(400, "MALFORMED_ID", f"malformed id {record_id}", ["Id"])
    sobject = sobjects.lookup(ids.OBJECT_BY_PREFIX.get(text[:3], ""))
    row = writes.find(conn, sobject, text) if sobject else None
    if row is None or sobject is None:
        raise SalesforceError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["Id"])
    if row["IsDeleted"]:
        raise SalesforceError(400, "ENTITY_IS_DELETED", "entity is deleted", [])
    return sobject, row


def router(store: Store) -> APIRouter:
    api = APIRouter(prefix="/services/data/v{version}/composite/sobjects")

    def run(items: list, all_or_none: bool, operation: Operation, id_of: Callable[[object], str | None]) -> Response:
        results: list[dict] = []
        failed = False
        conn = store.connect("salesforce")
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in items:
                conn.execute("SAVEPOINT record")
                try:
                    results.append(operation(conn, item))
                    conn.execute("RELEASE record")
                except SalesforceError as exc:
                    conn.execute("ROLLBACK TO record")
                    conn.execute("RELEASE record")
                    failure: dict = {"success": False, "errors": [exc.as_collection_item()]}
                    record_id = id_of(item)
                    if record_id:
                        failure = {"id": record_id, **failure}
                    results.append(failure)
                    failed = True
        except BaseException:
            conn.rollback()
            raise
        if all_or_none and failed:
            conn.rollback()
            results = [
                result if not result["success"] else _rolled_back(result, keep_id=id_of(item) is not None)
                for result, item in zip(results, items, strict=True)
            ]
        else:
            conn.commit()
        return json_response(results)

    @api.post("")
    def create(body: bytes = Depends(raw_body)) -> Response:
        all_or_none, records = _parse_batch(body)
        now = store.now_ms()

        def create_one(conn: sqlite3.Connection, record: object) -> dict:
            sobject = _record_type(record)
            if any(k.lower() == "id" for k in record):  # type: ignore[union-attr]
                raise SalesforceError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
            record_id = writes.insert(conn, sobject, writes.validate(sobject, record, creating=True), now)
            return {"id": record_id, "success": True, "errors": []}

        return run(records, all_or_none, create_one, lambda _: None)

    @api.patch("")
    def update(body: bytes = Depends(raw_body)) -> Response:
        all_or_none, records = _parse_batch(body)
        now = store.now_ms()

        def update_one(conn: sqlite3.Connection, record: object) -> dict:
            declared = _record_type(record)
            fields = {k: v for k, v in record.items() if k.lower() != "id"}  # type: ignore[union-attr]
            record_id = _id_in(record)
            if not record_id:
                raise SalesforceError(400, "MISSING_ARGUMENT", "Id not specified in an update call", ["Id"])
            sobject, row = _live_row(conn, record_id)
            if sobject is not declared:
                raise SalesforceError(
                    400, "MALFORMED_ID", f"{declared.name} ID: id value of incorrect type: {record_id}"
                )
            writes.update(conn, sobject, row, writes.validate(sobject, fields, creating=False), now)
            return {"id": row["Id"], "success": True, "errors": []}

        return run(records, all_or_none, update_one, _id_in)

    @api.patch("/{name}/{field}")
    def upsert(name: str, field: str, body: bytes = Depends(raw_body)) -> Response:
        sobject = sobjects.lookup(name)
        if sobject is None:
            raise not_found()
        key_field = sobject.field_named(field)
        if key_field is None or not (key_field.external_id or key_field.type == "id"):
            raise SalesforceError(
                400, "INVALID_FIELD", f"Provided external ID field does not exist or is not accessible: {field}"
            )
        all_or_none, records = _parse_batch(body)
        now = store.now_ms()

        def upsert_one(conn: sqlite3.Connection, record: object) -> dict:
            declared = _record_type(record)
            if declared is not sobject:
                raise SalesforceError(400, "INVALID_TYPE", f"Record type {declared.name} does not match {sobject.name}")
            key = next((v for k, v in record.items() if k.lower() == key_field.name.lower()), None)  # type: ignore[union-attr]
            if key is None or key == "":
                raise SalesforceError(400, "MISSING_ARGUMENT", f"{key_field.name} not specified", [key_field.name])
            result = writes.upsert(conn, sobject, key_field.name, str(key), record, now)
            return {"id": result.id, "success": True, "errors": [], "created": result.created}

        return run(records, all_or_none, upsert_one, lambda _: None)

    @api.delete("")
    def delete(request: Request) -> Response:
        raw_ids = request.query_params.get("ids", "")
        record_ids = [i.strip() for i in raw_ids.split(",") if i.strip()]
        if not record_ids:
            raise SalesforceError(400, "MISSING_ARGUMENT", "ids not specified")
        if len(record_ids) > MAX_RECORDS:
            raise _too_many()
        all_or_none = request.query_params.get("allOrNone", "false").lower() == "true"
        now = store.now_ms()

        def delete_one(conn: sqlite3.Connection, record_id: object) -> dict:
            sobject, row = _live_row(conn, record_id)
            writes.delete(conn, sobject, row, now)
            return {"id": row["Id"], "success": True, "errors": []}

        return run(record_ids, all_or_none, delete_one, lambda record_id: str(record_id))

    return api


def _id_in(record: object) -> str | None:
    if not isinstance(record, dict):
        return None
    value = next((v for k, v in record.items() if k.lower() == "id"), None)
    return str(value) if value else None


def _rolled_back(result: dict, keep_id: bool) -> dict:
    rolled: dict = {"success": False, "errors": [dict(_ROLLED_BACK)]}
    return {"id": result["id"], **rolled} if keep_id else rolled

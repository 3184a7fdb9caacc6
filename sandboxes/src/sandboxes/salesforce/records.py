"""sObject endpoints: global and per-object describe, read/create/update/delete one
record, and read/upsert by external ID (`sobjects/{Obj}/{ExtIdField}/{value}`).

Upsert outcomes follow Salesforce (API v46+): 201 `created:true`, 200 `created:false`,
300 with the matching records' URLs when the key matches several, 404 with
`?updateOnly=true` and no match. A field that is not an external ID (or does not exist)
in the upsert path gets Salesforce's 404 "Provided external ID field does not exist or
is not accessible". A 15-character id is accepted wherever an id is.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandboxes.salesforce import sobjects, writes
from sandboxes.salesforce.errors import SalesforceError, json_response, not_found, parse_json_body
from sandboxes.salesforce.sobjects import SObject
from sandboxes.salesforce.wire import api_prefix, record_builder, select_list
from sandboxes.store import Store


async def raw_body(request: Request) -> bytes:
    """The request body, read on the event loop so the handler itself can stay a plain def."""
    return await request.body()


def sobject_or_404(name: str) -> SObject:
    sobject = sobjects.lookup(name)
    if sobject is None:
        raise not_found()
    return sobject


def upsert_response(result: writes.UpsertResult) -> Response:
    return json_response(
        {"id": result.id, "success": True, "errors": [], "created": result.created}, 201 if result.created else 200
    )


def router(store: Store, fields_not_created: tuple[str, ...] = ()) -> APIRouter:
    """`fields_not_created` ('Account.Tax_ID__c', ...) are left out of describe, as in an org
    whose administrator has not created them yet (queries naming them still work here)."""
    api = APIRouter(prefix="/services/data/v{version}")
    hidden = {tuple(name.split(".", 1)) for name in fields_not_created}

    def read(sobject: SObject, row_id: str, version: str, fields_param: str | None, column: str = "Id") -> Response:
        fields = list(sobject.fields)
        if fields_param:
            fields = []
            for name in (n.strip() for n in fields_param.split(",") if n.strip()):
                f = sobject.field_named(name)
                if f is None:
                    raise SalesforceError(
                        400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject.name}"
                    )
                fields.append(f)
        conn = store.connect("salesforce")
        rows = conn.execute(
            f'SELECT {select_list(fields)} FROM "{sobject.name}" WHERE rowid = ? AND "IsDeleted" = 0', (row_id,)
        ).fetchall()
        if not rows:
            raise not_found()
        return json_response(record_builder(sobject, fields, version)(rows[0]))

    @api.get("/sobjects")
    def global_describe(version: str) -> Response:
        prefix = api_prefix(version)
        return json_response(
            {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [sobjects.global_entry(s, prefix) for s in sobjects.SOBJECTS.values()],
            }
        )

    @api.get("/sobjects/{name}")
    def basic_info(version: str, name: str) -> Response:
        sobject = sobject_or_404(name)
        return json_response({"objectDescribe": sobjects.global_entry(sobject, api_prefix(version)), "recentItems": []})

    @api.get("/sobjects/{name}/describe")
    def describe(version: str, name: str) -> Response:
        body = sobjects.describe(sobject_or_404(name), api_prefix(version))
        body["fields"] = [f for f in body["fields"] if (body["name"], f["name"]) not in hidden]
        return json_response(body)

    @api.post("/sobjects/{name}")
    def create(name: str, body: bytes = Depends(raw_body)) -> Response:
        sobject = sobject_or_404(name)
        record = parse_json_body(body)
        if isinstance(record, dict) and any(k.lower() == "id" for k in record):
            raise SalesforceError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        values = writes.validate(sobject, record, creating=True)
        with store.transaction("salesforce") as conn:
            record_id = writes.insert(conn, sobject, values, store.now_ms())
        return json_response({"id": record_id, "success": True, "errors": []}, 201)

    @api.get("/sobjects/{name}/{record_id}")
    def get_record(version: str, name: str, record_id: str, fields: str | None = None) -> Response:
        sobject = sobject_or_404(name)
        row = writes.find(store.connect("salesforce"), sobject, record_id)
        if row is None:
            raise not_found()
        return read(sobject, row["rowid"], version, fields)

    @api.patch("/sobjects/{name}/{record_id}")
    def update_record(name: str, record_id: str, body: bytes = Depends(raw_body)) -> Response:
        sobject = sobject_or_404(name)
        record = parse_json_body(body)
        if isinstance(record, dict):
            # An Id in the body is accepted when it names the record being updated.
            record = {k: v for k, v in record.items() if not (k.lower() == "id" and v in (record_id, record_id[:15]))}
        values = writes.validate(sobject, record, creating=False)
        with store.transaction("salesforce") as conn:
            writes.update(conn, sobject, writes.find_live(conn, sobject, record_id), values, store.now_ms())
        return Response(status_code=204)

    @api.delete("/sobjects/{name}/{record_id}")
    def delete_record(name: str, record_id: str) -> Response:
        sobject = sobject_or_404(name)
        with store.transaction("salesforce") as conn:
            writes.delete(conn, sobject, writes.find_live(conn, sobject, record_id), store.now_ms())
        return Response(status_code=204)

    @api.get("/sobjects/{name}/{field}/{key}")
    def get_by_external_id(version: str, name: str, field: str, key: str, fields: str | None = None) -> Response:
        sobject = sobject_or_404(name)
        f = sobject.field_named(field)
        if f is None or not (f.external_id or f.type == "id"):
            raise SalesforceError(
                404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field}"
            )
        conn = store.connect("salesforce")
        if f.type == "id":
            row = writes.find(conn, sobject, key)
            matches = [row] if row is not None and not row["IsDeleted"] else []
        else:
            matches = conn.execute(
                f'SELECT rowid, "Id" FROM "{sobject.name}" WHERE "{f.name}" = ? COLLATE NOCASE AND "IsDeleted" = 0 '
                "LIMIT 10",
                (key,),
            ).fetchall()
        if len(matches) > 1:
            prefix = api_prefix(version)
            return json_response([f"{prefix}/sobjects/{sobject.name}/{m['Id']}" for m in matches], 300)
        if not matches:
            raise not_found()
        return read(sobject, matches[0]["rowid"], version, fields)

    @api.patch("/sobjects/{name}/{field}/{key}")
    def upsert(
        request: Request, version: str, name: str, field: str, key: str, body: bytes = Depends(raw_body)
    ) -> Response:
        sobject = sobject_or_404(name)
        record = parse_json_body(body)
        update_only = request.query_params.get("updateOnly", "").lower() == "true"
        try:
            with store.transaction("salesforce") as conn:
                result = writes.upsert(conn, sobject, field, key, record, store.now_ms(), update_only)
        except writes.MultipleMatches as exc:
            prefix = api_prefix(version)
            return json_response([f"{prefix}/sobjects/{sobject.name}/{rid}" for rid in exc.record_ids], 300)
        return upsert_response(result)

    return api

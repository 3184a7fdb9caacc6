"""Record writes as Salesforce performs them: validation of a JSON record against the
catalog, insert, update, soft delete and upsert by external ID, on a connection inside
the caller's transaction (so sObject Collections can roll a whole batch back).

What Salesforce derives, the sandbox derives too: Opportunity IsClosed/IsWon from the
stage, line-item TotalPrice (Quantity × UnitPrice) and Name, Contract ContractNumber
(auto-number) and EndDate (StartDate + ContractTerm months − 1 day), a custom object's
Name (its Id when omitted), CurrencyIsoCode (the corporate currency, USD, when omitted).
Deleting a parent soft-deletes its children (Account → Opportunities, Contracts;
Opportunity → line items; Contract → rates), stamping them with the same DeletedDate.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

import orjson

from sandboxes.common import ids, timefmt
from sandboxes.salesforce.errors import SalesforceError, json_parser_error
from sandboxes.salesforce.sobjects import (
    CASCADE_DELETES,
    ID_TYPES,
    NUMBER_TYPES,
    SOBJECTS,
    STRING_TYPES,
    Field,
    SObject,
)

CORPORATE_CURRENCY = "USD"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORDS = {"double": "double", "currency": "double", "percent": "double", "int": "int", "boolean": "boolean"}


class MultipleMatches(SalesforceError):
    """An upsert key matching several records: REST answers 300 with their URLs."""

    def __init__(self, field: str, record_ids: list[str], sobject: str) -> None:
        super().__init__(
            300,
            "DUPLICATE_EXTERNAL_ID",
            f"{field}: more than one record found for external id field: [{', '.join(record_ids)}]",
            [field],
        )
        self.record_ids = record_ids
        self.sobject = sobject


@dataclass(frozen=True)
class UpsertResult:
    id: str
    created: bool


def _json_token(raw: object) -> str:
    if isinstance(raw, bool):
        return "VALUE_TRUE" if raw else "VALUE_FALSE"
    if isinstance(raw, int):
        return "VALUE_NUMBER_INT"
    if isinstance(raw, float):
        return "VALUE_NUMBER_FLOAT"
    if isinstance(raw, dict):
        return "START_OBJECT"
    if isinstance(raw, list):
        return "START_ARRAY"
    return "VALUE_STRING"


def _cannot_deserialize(f: Field, raw: object) -> SalesforceError:
    word = _WORDS.get(f.type, f.type if f.type in ("date", "datetime") else "string")
    shown = orjson.dumps(raw).decode() if isinstance(raw, dict | list) else raw
    return json_parser_error(
        f"Cannot deserialize instance of {word} from {_json_token(raw)} value {shown} "
        "or request may be missing a required field"
    )


def coerce(f: Field, raw: object) -> object:
    """A JSON value for field `f` as the store keeps it; Salesforce's error otherwise."""
    if isinstance(raw, dict | list):
        raise _cannot_deserialize(f, raw)
    if f.type == "boolean":
        if raw is None:
            return 0  # checkboxes are never null in Salesforce
        if isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return int(raw.lower() == "true")
        raise _cannot_deserialize(f, raw)
    if raw is None or raw == "":
        return None  # Salesforce stores an empty string as null
    if f.type in ID_TYPES:
        text = raw if isinstance(raw, str) else ""
        if not ids.is_valid_id(text):
            raise SalesforceError(400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {raw}", [f.name])
        full = ids.to_18(text) if len(text) == 15 else text
        if f.reference_to and not full.startswith(SOBJECTS[f.reference_to].key_prefix):
            raise SalesforceError(
                400, "FIELD_INTEGRITY_EXCEPTION", f"{f.label}: id value of incorrect type: {raw}", [f.name]
            )
        return full
    if f.type in STRING_TYPES:
        text = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        if f.length and len(text) > f.length:
            raise SalesforceError(
                400, "STRING_TOO_LONG", f"{f.label}: data value too large: {text} (max length={f.length})", [f.name]
            )
        return text
    if f.type in NUMBER_TYPES:
        if isinstance(raw, bool):
            raise _cannot_deserialize(f, raw)
        try:
            number = float(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise _cannot_deserialize(f, raw) from None
        if f.type == "int":
            if float(number) != int(number):  # type: ignore[arg-type]
                raise _cannot_deserialize(f, raw)
            return int(number)  # type: ignore[arg-type]
        return float(number)  # type: ignore[arg-type]
    if not isinstance(raw, str):
        raise _cannot_deserialize(f, raw)
    if f.type == "date":
        try:
            if not _DATE.match(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise _cannot_deserialize(f, raw) from None
    try:
        return timefmt.parse_iso(raw)
    except ValueError:
        raise _cannot_deserialize(f, raw) from None


def validate(sobject: SObject, body: object, creating: bool) -> dict[str, object]:
    """The writable values of a JSON record (column → store value), or Salesforce's error."""
    if not isinstance(body, dict):
        raise json_parser_error(
            f"Cannot deserialize instance of {sobject.name} from {_json_token(body)} value "
            "or request may be missing a required field"
        )
    values: dict[str, object] = {}
    read_only: list[str] = []
    for key, raw in body.items():
        if key == "attributes":
            continue
        f = sobject.field_named(key)
        if f is None:
            raise SalesforceError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobject.name}")
        if not (f.createable if creating else f.updateable):
            read_only.append(f.name)
            continue
        values[f.name] = coerce(f, raw)
    if read_only:
        raise SalesforceError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(read_only)}. Please check the security settings of this "
            "field and verify that it is read/write for your profile or permission set.",
            read_only,
        )
    missing = [
        f.name
        for f in sobject.fields
        if (creating and f.required_on_create and values.get(f.name) is None)
        or (not f.nillable and f.name in values and values[f.name] is None)
    ]
    if missing:
        raise SalesforceError(
            400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
        )
    return values


def find(conn: sqlite3.Connection, sobject: SObject, record_id: str) -> sqlite3.Row | None:
    """The row with this 15- or 18-character id (deleted or not), or None."""
    if not ids.is_valid_id(record_id):
        return None
    full = ids.to_18(record_id) if len(record_id) == 15 else record_id
    return conn.execute(f'SELECT rowid, * FROM "{sobject.name}" WHERE "Id" = ?', (full,)).fetchone()


def find_live(conn: sqlite3.Connection, sobject: SObject, record_id: str) -> sqlite3.Row:
    """The non-deleted row with this id; NOT_FOUND / ENTITY_IS_DELETED otherwise."""
    row = find(conn, sobject, record_id)
    if row is None:
        raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
    if row["IsDeleted"]:
        raise SalesforceError(404, "ENTITY_IS_DELETED", "entity is deleted")
    return row


def _add_months(start: date, months: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(start.day, (next_first - timedelta(days=1)).day))


def _derive(conn: sqlite3.Connection, sobject: SObject, values: dict[str, object], current: dict) -> None:
    merged = {**current, **values}
    if sobject.name == "Opportunity" and "StageName" in values:
        stage = str(values["StageName"]).lower()
        values["IsClosed"] = int(stage in ("closed won", "closed lost"))
        values["IsWon"] = int(stage == "closed won")
    elif sobject.name == "OpportunityLineItem":
        if "Quantity" in values or "UnitPrice" in values:
            values["TotalPrice"] = round(float(merged["Quantity"]) * float(merged["UnitPrice"]), 2)
        if not current:
            opp = conn.execute('SELECT "Name" FROM "Opportunity" WHERE "Id" = ?', (merged["OpportunityId"],)).fetchone()
            values["Name"] = f"{opp[0]} {merged['Role__c']}" if opp else merged["Role__c"]
    elif sobject.name == "Contract" and ("StartDate" in values or "ContractTerm" in values):
        start, term = merged.get("StartDate"), merged.get("ContractTerm")
        values["EndDate"] = (
            (_add_months(date.fromisoformat(start), int(term)) - timedelta(days=1)).isoformat()
            if start and term
            else None
        )


def insert(conn: sqlite3.Connection, sobject: SObject, values: dict[str, object], now_ms: int) -> str:
    """Inserts a validated record; returns its new Id."""
    row = dict(values)
    if sobject.field_named("CurrencyIsoCode") and row.get("CurrencyIsoCode") is None:
        row["CurrencyIsoCode"] = CORPORATE_CURRENCY
    _derive(conn, sobject, row, {})
    number = conn.execute(f'SELECT coalesce(max(rowid), 0) + 1 FROM "{sobject.name}"').fetchone()[0]
    record_id = ids.salesforce_id(sobject.name, number)
    while conn.execute(f'SELECT 1 FROM "{sobject.name}" WHERE "Id" = ?', (record_id,)).fetchone():
        number += 1
        record_id = ids.salesforce_id(sobject.name, number)
    if sobject.name == "Contract":
        row["ContractNumber"] = f"{number:08d}"
    if sobject.name == "Contract_Rate__c":
        row["Name"] = row.get("Name") or record_id
        row["Amendment_Number__c"] = row.get("Amendment_Number__c") or 0.0
    row.update(
        rowid=number, Id=record_id, IsDeleted=0, CreatedDate=now_ms, LastModifiedDate=now_ms, SystemModstamp=now_ms
    )
    columns = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f'INSERT INTO "{sobject.name}" ({columns}) VALUES ({marks})', tuple(row.values()))
    return record_id


def update(
    conn: sqlite3.Connection, sobject: SObject, current: sqlite3.Row, values: dict[str, object], now_ms: int
) -> None:
    """Applies validated values to a live row; every update moves LastModifiedDate and SystemModstamp."""
    row = dict(values)
    _derive(conn, sobject, row, dict(current))
    row.update(LastModifiedDate=now_ms, SystemModstamp=now_ms)
    assignments = ", ".join(f'"{name}" = ?' for name in row)
    conn.execute(f'UPDATE "{sobject.name}" SET {assignments} WHERE rowid = ?', (*row.values(), current["rowid"]))


def delete(conn: sqlite3.Connection, sobject: SObject, current: sqlite3.Row, now_ms: int) -> None:
    """Moves a live row (and its children) to the recycle bin."""
    conn.execute(
        f'UPDATE "{sobject.name}" SET "IsDeleted" = 1, "DeletedDate" = ?, "SystemModstamp" = ? WHERE rowid = ?',
        (now_ms, now_ms, current["rowid"]),
    )
    for child_name, parent_field in CASCADE_DELETES.get(sobject.name, ()):
        child = SOBJECTS[child_name]
        children = conn.execute(
            f'SELECT rowid, * FROM "{child_name}" WHERE "{parent_field}" = ? AND "IsDeleted" = 0', (current["Id"],)
        ).fetchall()
        for row in children:
            delete(conn, child, row, now_ms)


def upsert(
    conn: sqlite3.Connection,
    sobject: SObject,
    field_name: str,
    key: str,
    body: object,
    now_ms: int,
    update_only: bool = False,
) -> UpsertResult:
    """Updates the one live record whose external ID `field_name` equals `key`, or creates it."""
    f = sobject.field_named(field_name)
    if f is None or not (f.external_id or f.type == "id"):
        raise SalesforceError(
            404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: {field_name}"
        )
    if isinstance(body, dict):
        # The key comes from the URL; the same field in the body is redundant.
        body = {k: v for k, v in body.items() if k.lower() != f.name.lower()}
    if f.type == "id":
        row = find_live(conn, sobject, key)
        update(conn, sobject, row, validate(sobject, body, creating=False), now_ms)
        return UpsertResult(row["Id"], False)
    matches = conn.execute(
        f'SELECT rowid, * FROM "{sobject.name}" WHERE "{f.name}" = ? COLLATE NOCASE AND "IsDeleted" = 0 LIMIT 10',
        (key,),
    ).fetchall()
    if len(matches) > 1:
        raise MultipleMatches(f.name, [m["Id"] for m in matches], sobject.name)
    if matches:
        update(conn, sobject, matches[0], validate(sobject, body, creating=False), now_ms)
        return UpsertResult(matches[0]["Id"], False)
    if update_only:
        raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
    values = validate(sobject, body, creating=True)
    values[f.name] = coerce(f, key)
    return UpsertResult(insert(conn, sobject, values, now_ms), True)

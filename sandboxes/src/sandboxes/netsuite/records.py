"""Reads and writes of records for the REST record API, with NetSuite's validation and side
effects:

- References are checked: an id (or externalId) that does not exist is a 400 INVALID_CONTENT
  naming the field, as NetSuite does for an invalid reference.
- Defaults NetSuite fills in: a customer's currency from its subsidiary; a project's, a
  charge's and a transaction's subsidiary and currency from the customer; `entityId`/`tranId`
  numbered when not given; an invoice's date today (simulated clock) and its due date from
  the customer's terms.
- Amounts: a charge's and an invoice line's amount is quantity x rate; an invoice's total is
  the sum of its lines and all of it is open (status Open) when created. Billing a charge on
  an invoice marks it Processed and links it to the invoice; deleting the invoice releases it.
  A billed charge's amount, customer, project, item and date cannot be changed (400
  USER_ERROR); its description and external id can.
- A customer payment applies amounts to open invoices of its customer, lowering their
  amount remaining (status Paid In Full at zero); deleting the payment restores them.
- Read-only fields in a request body (`id`, `links`, `lastModifiedDate`, `total`, ...) are
  ignored, so a record read with GET can be sent back. Deletes are hard and refused while
  other records depend on the record.
- Every write stamps `lastModifiedDate` (and the created date) from the simulated clock,
  floored to whole seconds as NetSuite stores them.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

from sandboxes.common import timefmt
from sandboxes.netsuite import addresses
from sandboxes.netsuite.errors import NetSuiteError, bad_request
from sandboxes.netsuite.recordtypes import (
    CHARGE,
    CUSTOMER,
    CUSTOMER_PAYMENT,
    DEPENDENTS,
    INVOICE,
    RECORD_TYPES,
    REFERENCE_TYPES,
    Field,
    RecordType,
)
from sandboxes.store import Store

SYSTEM = "netsuite"


def not_found(key: str) -> NetSuiteError:
    return NetSuiteError(
        404, "NONEXISTENT_ID", f"The record instance does not exist. Provide a valid record instance ID: {key}."
    )


def _now(store: Store) -> int:
    return store.now_ms() // 1000 * 1000


def _where(rtype: RecordType) -> tuple[str, list[Any]]:
    clauses = "".join(f' AND "{col}" = ?' for col in rtype.fixed)
    return clauses, list(rtype.fixed.values())


def find_id(conn: sqlite3.Connection, rtype: RecordType, key: str) -> int | None:
    """The internal id of `key`: an internal id, or `eid:<external id>`."""
    extra, params = _where(rtype)
    if key.startswith("eid:"):
        sql = f'SELECT id FROM "{rtype.table}" WHERE externalid = ?{extra}'
        row = conn.execute(sql, [key[4:], *params]).fetchone()
    elif key.isdigit():
        row = conn.execute(f'SELECT id FROM "{rtype.table}" WHERE id = ?{extra}', [int(key), *params]).fetchone()
    else:
        row = None
    return None if row is None else row[0]


# -- reading ---------------------------------------------------------------------------


def read(store: Store, rtype: RecordType, key: str, base: str, expand: bool) -> dict[str, Any]:
    conn = store.connect(SYSTEM)
    record_id = find_id(conn, rtype, key)
    if record_id is None:
        raise not_found(key)
    row = conn.execute(f'SELECT * FROM "{rtype.table}" WHERE id = ?', (record_id,)).fetchone()
    href = f"{base}/{rtype.name}/{record_id}"
    out: dict[str, Any] = {"links": [{"rel": "self", "href": href}], "id": str(record_id)}
    for f in rtype.fields:
        value = row[f.column]
        if value is not None:
            out[f.name] = _render(conn, f, value, base)
    if rtype is INVOICE:
        out["item"] = _sublist(conn, record_id, f"{href}/item", expand, base, _invoice_line)
    elif rtype is CUSTOMER_PAYMENT:
        out["apply"] = _sublist(conn, record_id, f"{href}/apply", expand, base, _apply_line)
    elif rtype is CUSTOMER:
        out["addressBook"] = addresses.read_book(conn, record_id, f"{href}/addressBook", expand)
    return out


def _render(conn: sqlite3.Connection, f: Field, value: Any, base: str) -> Any:
    if f.kind == "ref":
        return reference(conn, REFERENCE_TYPES[f.ref or ""], value, base)
    if f.kind == "bool":
        return value == "T"
    if f.kind == "datetime":
        return timefmt.netsuite_record(value)
    return value


def reference(conn: sqlite3.Connection, rtype: RecordType, record_id: int, base: str) -> dict[str, Any]:
    row = conn.execute(f'SELECT "{rtype.ref_name}" FROM "{rtype.table}" WHERE id = ?', (record_id,)).fetchone()
    ref: dict[str, Any] = {"links": [{"rel": "self", "href": f"{base}/{rtype.name}/{record_id}"}], "id": str(record_id)}
    if row is not None and row[0] is not None:
        ref["refName"] = str(row[0])
    return ref


def _sublist(conn: sqlite3.Connection, record_id: int, href: str, expand: bool, base: str, render) -> dict:  # noqa: ANN001
    if not expand:
        return {"links": [{"rel": "self", "href": href}]}
    rows = conn.execute(
        'SELECT * FROM transactionline WHERE "transaction" = ? ORDER BY linesequencenumber', (record_id,)
    ).fetchall()
    items = [render(conn, row, base) for row in rows]
    return {
        "links": [{"rel": "self", "href": href}],
        "count": len(items),
        "hasMore": False,
        "items": items,
        "offset": 0,
        "totalResults": len(items),
    }


def _invoice_line(conn: sqlite3.Connection, row: sqlite3.Row, base: str) -> dict[str, Any]:
    line: dict[str, Any] = {"links": [], "line": row["id"]}
    if row["item"] is not None:
        line["item"] = reference(conn, RECORD_TYPES["serviceitem"], row["item"], base)
    for name, column in (("quantity", "quantity"), ("rate", "rate"), ("amount", "foreignamount")):
        if row[column] is not None:
            line[name] = row[column]
    if row["charge"] is not None:
        line["charge"] = reference(conn, CHARGE, row["charge"], base)
    if row["memo"] is not None:
        line["description"] = row["memo"]
    return line


def _apply_line(conn: sqlite3.Connection, row: sqlite3.Row, base: str) -> dict[str, Any]:
    return {
        "links": [],
        "line": row["id"],
        "doc": reference(conn, INVOICE, row["appliedtotransaction"], base),
        "apply": True,
        "amount": row["foreignamount"],
    }


def list_ids(store: Store, rtype: RecordType, limit: int, offset: int) -> tuple[list[int], int]:
    conn = store.connect(SYSTEM)
    extra, params = _where(rtype)
    where = f"WHERE 1 = 1{extra}"
    total = conn.execute(f'SELECT COUNT(*) FROM "{rtype.table}" {where}', params).fetchone()[0]
    rows = conn.execute(
        f'SELECT id FROM "{rtype.table}" {where} ORDER BY id LIMIT ? OFFSET ?', [*params, limit, offset]
    ).fetchall()
    return [r[0] for r in rows], total


# -- writing ---------------------------------------------------------------------------


def create(store: Store, rtype: RecordType, body: dict[str, Any], external_id: str | None = None) -> int:
    with store.transaction(SYSTEM) as conn:
        return _create(conn, store, rtype, body, external_id)


def update(store: Store, rtype: RecordType, key: str, body: dict[str, Any], replace: set[str]) -> int:
    with store.transaction(SYSTEM) as conn:
        record_id = find_id(conn, rtype, key)
        if record_id is None:
            raise not_found(key)
        _update(conn, store, rtype, record_id, body, replace)
        return record_id


def upsert(
    store: Store, rtype: RecordType, external_id: str, body: dict[str, Any], replace: set[str] | None = None
) -> int:
    """PUT …/eid:VALUE: updates the record with that external id, or creates it."""
    with store.transaction(SYSTEM) as conn:
        record_id = find_id(conn, rtype, f"eid:{external_id}")
        body = {k: v for k, v in body.items() if k.lower() != "externalid"}
        if record_id is None:
            return _create(conn, store, rtype, body, external_id)
        _update(conn, store, rtype, record_id, body, replace or set())
        return record_id


def delete(store: Store, rtype: RecordType, key: str) -> None:
    with store.transaction(SYSTEM) as conn:
        record_id = find_id(conn, rtype, key)
        if record_id is None:
            raise not_found(key)
        for table, column in DEPENDENTS.get(rtype.name, ()):
            # A record pointing at itself (a customer its own parent) does not hold it back.
            sql = f'SELECT 1 FROM "{table}" WHERE "{column}" = ? AND id != ? LIMIT 1'
            not_self = record_id if table == rtype.table else -1
            if conn.execute(sql, (record_id, not_self)).fetchone():
                raise bad_request("USER_ERROR", "This record cannot be deleted because it has dependent records.")
        now = _now(store)
        if rtype is CHARGE:
            if conn.execute("SELECT invoice FROM charge WHERE id = ?", (record_id,)).fetchone()[0] is not None:
                raise bad_request("USER_ERROR", "This record cannot be deleted because it has been invoiced.")
        elif rtype is INVOICE:
            _release_charges(conn, record_id, now)
        elif rtype is CUSTOMER_PAYMENT:
            _unapply(conn, record_id, now)
        if rtype.table == "transaction":
            conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
        if rtype is CUSTOMER:
            addresses.delete_book(conn, record_id)
        conn.execute(f'DELETE FROM "{rtype.table}" WHERE id = ?', (record_id,))


def _create(
    conn: sqlite3.Connection, store: Store, rtype: RecordType, body: dict[str, Any], external_id: str | None
) -> int:
    values, sublists = _parse(conn, rtype, body)
    if external_id is not None:
        values["externalid"] = external_id
    record_id = conn.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{rtype.table}"').fetchone()[0]
    now = _now(store)
    _defaults(conn, store, rtype, values, record_id)
    for f in rtype.fields:
        if f.required and values.get(f.column) is None:
            raise _missing(f)
    _check_unique_external_id(conn, rtype, values, None)
    values.update(rtype.fixed)
    values["id"] = record_id
    values["lastmodifieddate"] = now
    if rtype.created_column:
        values[rtype.created_column] = now
    if rtype is CHARGE:
        values["amount"] = _money(values["quantity"] * values["rate"])
    if rtype is INVOICE:
        values.update(status="Open", foreigntotal=0.0, foreignamountremaining=0.0)
    if rtype is CUSTOMER_PAYMENT:
        values.update(status="Deposited", foreignamountremaining=values["foreigntotal"])
    columns = ", ".join(f'"{c}"' for c in values)
    conn.execute(
        f'INSERT INTO "{rtype.table}" ({columns}) VALUES ({", ".join("?" * len(values))})', list(values.values())
    )
    if rtype is INVOICE:
        _add_invoice_lines(conn, record_id, values["entity"], sublists.get("item", []), now)
        _refresh_invoice(conn, record_id, now)
    elif rtype is CUSTOMER_PAYMENT:
        _apply_payment(conn, record_id, values, sublists.get("apply", []), now)
    elif rtype is CUSTOMER and addresses.SUBLIST in sublists:
        addresses.write_book(conn, record_id, sublists[addresses.SUBLIST], False, now)
    return record_id


def _update(
    conn: sqlite3.Connection, store: Store, rtype: RecordType, record_id: int, body: dict[str, Any], replace: set[str]
) -> None:
    values, sublists = _parse(conn, rtype, body)
    for f in rtype.fields:
        if f.required and f.column in values and values[f.column] is None:
            raise _missing(f)
    _check_unique_external_id(conn, rtype, values, record_id)
    now = _now(store)
    values["lastmodifieddate"] = now
    if rtype is CHARGE and _BILLED_CHARGE_COLUMNS & values.keys():
        invoice = conn.execute("SELECT invoice FROM charge WHERE id = ?", (record_id,)).fetchone()[0]
        if invoice is not None:
            raise bad_request(
                "USER_ERROR",
                f"Charge {record_id} has been billed on invoice {invoice}; its amount, customer, project, item "
                "and date cannot be changed.",
            )
    if rtype is CHARGE and ({"quantity", "rate"} & values.keys()):
        current = conn.execute("SELECT quantity, rate FROM charge WHERE id = ?", (record_id,)).fetchone()
        values["amount"] = _money(values.get("quantity", current[0]) * values.get("rate", current[1]))
    if rtype is CUSTOMER_PAYMENT and (sublists or {"foreigntotal", "entity"} & values.keys()):
        raise bad_request(
            "USER_ERROR",
            "The sandbox cannot change a payment's customer, amount or applications; delete and re-create it.",
        )
    assignments = ", ".join(f'"{c}" = ?' for c in values)
    conn.execute(f'UPDATE "{rtype.table}" SET {assignments} WHERE id = ?', [*values.values(), record_id])
    if rtype is INVOICE and "item" in sublists:
        entity = conn.execute('SELECT entity FROM "transaction" WHERE id = ?', (record_id,)).fetchone()[0]
        if "item" in replace:
            _release_charges(conn, record_id, now)
            conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (record_id,))
        _add_invoice_lines(conn, record_id, entity, sublists["item"], now)
        _refresh_invoice(conn, record_id, now)
    if rtype is CUSTOMER and addresses.SUBLIST in sublists:
        addresses.write_book(conn, record_id, sublists[addresses.SUBLIST], addresses.SUBLIST in replace, now)


# What a billed charge's invoice line was made from: frozen once the charge is invoiced.
_BILLED_CHARGE_COLUMNS = frozenset(
    {"billto", "project", "subsidiary", "currency", "billingitem", "chargedate", "quantity", "rate"}
)


def _missing(f: Field) -> NetSuiteError:
    return bad_request("USER_ERROR", f"Please enter value(s) for: {f.name}.", f.name)


def _check_unique_external_id(
    conn: sqlite3.Connection, rtype: RecordType, values: dict[str, Any], record_id: int | None
) -> None:
    external_id = values.get("externalid")
    if external_id is None:
        return
    row = conn.execute(f'SELECT id FROM "{rtype.table}" WHERE externalid = ?', (external_id,)).fetchone()
    if row is not None and row[0] != record_id:
        raise bad_request("USER_ERROR", f"A record with the external ID '{external_id}' already exists.", "externalId")


def _defaults(
    conn: sqlite3.Connection, store: Store, rtype: RecordType, values: dict[str, Any], record_id: int
) -> None:
    if rtype.number_column and not values.get(rtype.number_column):
        values[rtype.number_column] = f"{rtype.number_prefix}{record_id:06d}"
    if rtype.name == "customer" and values.get("currency") is None and values.get("subsidiary") is not None:
        values["currency"] = conn.execute(
            "SELECT currency FROM subsidiary WHERE id = ?", (values["subsidiary"],)
        ).fetchone()[0]
    customer_column = {"job": "parent", "charge": "billto", "invoice": "entity", "customerpayment": "entity"}
    column = customer_column.get(rtype.name)
    if column and values.get(column) is not None:
        customer = conn.execute(
            "SELECT subsidiary, currency, terms FROM customer WHERE id = ?", (values[column],)
        ).fetchone()
        values.setdefault("subsidiary", customer["subsidiary"])
        values.setdefault("currency", customer["currency"])
        if rtype.table == "transaction":
            values.setdefault("trandate", timefmt.iso_date(store.now_ms()))
        if rtype is INVOICE and values.get("duedate") is None and customer["terms"] is not None:
            days = conn.execute("SELECT daysuntilnetdue FROM term WHERE id = ?", (customer["terms"],)).fetchone()
            if days is not None:
                values["duedate"] = (date.fromisoformat(values["trandate"]) + timedelta(days=days[0])).isoformat()


# -- body parsing ----------------------------------------------------------------------


def _parse(conn: sqlite3.Connection, rtype: RecordType, body: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    values: dict[str, Any] = {}
    sublists: dict[str, list[dict[str, Any]]] = {}
    for key, raw in body.items():
        lowered = key.lower()
        if lowered in ("id", "links", "refname"):
            continue
        if lowered in rtype.sublists:
            if isinstance(raw, dict) and set(raw) <= {"links"}:
                continue  # the sublist's link, as an unexpanded GET shows it
            sublists[lowered] = _sublist_items(key, raw)
            continue
        f = rtype.field(key)
        if f is None:
            raise bad_request(
                "NONEXISTENT_FIELD",
                f"Error while accessing a resource. The field '{key}' does not exist on record type '{rtype.name}'.",
                key,
            )
        if f.readonly:
            continue
        values[f.column] = coerce(conn, f, raw, f.name)
    return values, sublists


def _sublist_items(key: str, raw: Any) -> list[dict[str, Any]]:
    items = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_request("INVALID_CONTENT", f"The sublist '{key}' must be an object with an 'items' array.", key)
    return items


def _invalid(f: Field, raw: Any, path: str) -> NetSuiteError:
    return bad_request(
        "INVALID_CONTENT",
        f"Error while accessing a resource. You have entered an Invalid Field Value {raw} for the following field: {f.name}",
        path,
    )


def coerce(conn: sqlite3.Connection, f: Field, raw: Any, path: str) -> Any:
    """One field value from JSON to its store representation (raises NetSuite's 400)."""
    if raw is None:
        return None
    kind = f.kind
    if kind == "text" and isinstance(raw, str):
        return raw
    if kind == "int" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind == "float" and isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if kind == "bool" and isinstance(raw, bool):
        return "T" if raw else "F"
    if kind == "date" and isinstance(raw, str):
        try:
            return timefmt.iso_date(timefmt.parse_iso(raw))
        except ValueError:
            raise _invalid(f, raw, path) from None
    if kind == "choice":
        value = raw.get("id", raw.get("refName")) if isinstance(raw, dict) else raw
        if value in f.choices:
            return value
    if kind == "ref" and isinstance(raw, dict):
        return _resolve_reference(conn, f, raw, path)
    raise _invalid(f, raw, path)


def _resolve_reference(conn: sqlite3.Connection, f: Field, raw: dict[str, Any], path: str) -> int:
    target = REFERENCE_TYPES[f.ref or ""]
    if "id" in raw:
        key = str(raw["id"])
    elif "externalId" in raw or "externalid" in raw:
        key = f"eid:{raw.get('externalId', raw.get('externalid'))}"
    else:
        raise _invalid(f, raw, path)
    record_id = find_id(conn, target, key)
    if record_id is None:
        raise _invalid(f, key.removeprefix("eid:"), path)
    return record_id


def _money(value: float) -> float:
    return round(value + 0.0, 2)


# -- invoices, charges and payments ----------------------------------------------------

_LINE_FIELDS = {
    "item": Field("item", "item", "ref", ref="serviceitem"),
    "charge": Field("charge", "charge", "ref", ref="charge"),
    "quantity": Field("quantity", "quantity", "float"),
    "rate": Field("rate", "rate", "float"),
    "amount": Field("amount", "foreignamount", "float"),
    "description": Field("description", "memo", "text"),
}
_APPLY_FIELDS = {
    "doc": Field("doc", "doc", "ref", ref="invoice"),
    "apply": Field("apply", "apply", "bool"),
    "amount": Field("amount", "amount", "float"),
}


def _line_values(conn: sqlite3.Connection, spec: dict[str, Field], sublist: str, index: int, item: dict) -> dict:
    values: dict[str, Any] = {}
    for key, raw in item.items():
        lowered = key.lower()
        if lowered in ("links", "line"):
            continue
        path = f"{sublist}.items[{index}].{key}"
        f = spec.get(lowered)
        if f is None:
            raise bad_request(
                "NONEXISTENT_FIELD", f"Error while accessing a resource. The field '{key}' does not exist.", path
            )
        values[f.name] = coerce(conn, f, raw, path)
    return values


def _add_invoice_lines(conn: sqlite3.Connection, invoice_id: int, entity: int, items: list[dict], now: int) -> None:
    start = conn.execute(
        'SELECT COALESCE(MAX(id), 0) FROM transactionline WHERE "transaction" = ?', (invoice_id,)
    ).fetchone()[0]
    for index, item in enumerate(items):
        line = _line_values(conn, _LINE_FIELDS, "item", index, item)
        path = f"item.items[{index}]"
        if line.get("charge") is not None:
            charge = conn.execute("SELECT * FROM charge WHERE id = ?", (line["charge"],)).fetchone()
            if charge["invoice"] is not None or charge["stage"] != "Ready For Billing":
                raise bad_request("USER_ERROR", f"Charge {charge['id']} is not ready for billing.", f"{path}.charge")
            if charge["billto"] != entity:
                raise bad_request("USER_ERROR", f"Charge {charge['id']} bills another customer.", f"{path}.charge")
            line.setdefault("item", charge["billingitem"])
            line.setdefault("quantity", charge["quantity"])
            line.setdefault("rate", charge["rate"])
            conn.execute(
                "UPDATE charge SET stage = 'Processed', invoice = ?, lastmodifieddate = ? WHERE id = ?",
                (invoice_id, now, charge["id"]),
            )
        if line.get("item") is None:
            raise bad_request("USER_ERROR", "Please enter value(s) for: item.", f"{path}.item")
        if line.get("quantity") is not None and line.get("rate") is not None:
            line["amount"] = _money(line["quantity"] * line["rate"])
        if line.get("amount") is None:
            raise bad_request("USER_ERROR", "Please enter value(s) for: amount.", f"{path}.amount")
        conn.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, item, charge, quantity, rate, '
            "foreignamount, memo, linelastmodifieddate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                start + index + 1,  # a line's id is its number within the invoice
                invoice_id,
                start + index + 1,
                line["item"],
                line.get("charge"),
                line.get("quantity"),
                line.get("rate"),
                line["amount"],
                line.get("description"),
                now,
            ),
        )


def _refresh_invoice(conn: sqlite3.Connection, invoice_id: int, now: int) -> None:
    """Total = sum of the item lines; remaining = total less what payments applied."""
    total = conn.execute(
        'SELECT COALESCE(SUM(foreignamount), 0) FROM transactionline WHERE "transaction" = ?', (invoice_id,)
    ).fetchone()[0]
    paid = conn.execute(
        "SELECT COALESCE(SUM(foreignamount), 0) FROM transactionline WHERE appliedtotransaction = ?", (invoice_id,)
    ).fetchone()[0]
    remaining = _money(max(total - paid, 0.0))
    status = "Paid In Full" if paid > 0 and remaining == 0 else "Open"
    conn.execute(
        'UPDATE "transaction" SET foreigntotal = ?, foreignamountremaining = ?, status = ?, lastmodifieddate = ? '
        "WHERE id = ?",
        (_money(total), remaining, status, now, invoice_id),
    )


def _release_charges(conn: sqlite3.Connection, invoice_id: int, now: int) -> None:
    conn.execute(
        "UPDATE charge SET stage = 'Ready For Billing', invoice = NULL, lastmodifieddate = ? WHERE invoice = ?",
        (now, invoice_id),
    )


def _apply_payment(conn: sqlite3.Connection, payment_id: int, values: dict, items: list[dict], now: int) -> None:
    unapplied = values["foreigntotal"]
    sequence = 0
    for index, item in enumerate(items):
        line = _line_values(conn, _APPLY_FIELDS, "apply", index, item)
        path = f"apply.items[{index}]"
        if line.get("apply") == "F":
            continue
        if line.get("doc") is None:
            raise bad_request("USER_ERROR", "Please enter value(s) for: doc.", f"{path}.doc")
        invoice = conn.execute(
            'SELECT entity, foreignamountremaining FROM "transaction" WHERE id = ?', (line["doc"],)
        ).fetchone()
        if invoice["entity"] != values["entity"]:
            raise bad_request("USER_ERROR", f"Invoice {line['doc']} belongs to another customer.", f"{path}.doc")
        amount = line.get("amount")
        if amount is None:
            amount = min(invoice["foreignamountremaining"], unapplied)
        if amount <= 0 or amount > invoice["foreignamountremaining"] + 0.005:
            raise bad_request(
                "USER_ERROR",
                f"The amount applied to invoice {line['doc']} must be positive and at most its amount remaining.",
                f"{path}.amount",
            )
        if amount > unapplied + 0.005:
            raise bad_request("USER_ERROR", "The amounts applied exceed the payment.", f"{path}.amount")
        unapplied -= amount
        sequence += 1
        conn.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, foreignamount, appliedtotransaction, '
            "linelastmodifieddate) VALUES (?, ?, ?, ?, ?, ?)",
            (sequence, payment_id, sequence, _money(amount), line["doc"], now),
        )
        _refresh_invoice(conn, line["doc"], now)
    conn.execute('UPDATE "transaction" SET foreignamountremaining = ? WHERE id = ?', (_money(unapplied), payment_id))


def _unapply(conn: sqlite3.Connection, payment_id: int, now: int) -> None:
    invoices = [
        r[0]
        for r in conn.execute(
            'SELECT DISTINCT appliedtotransaction FROM transactionline WHERE "transaction" = ? '
            "AND appliedtotransaction IS NOT NULL",
            (payment_id,),
        )
    ]
    conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (payment_id,))
    for invoice_id in invoices:
        _refresh_invoice(conn, invoice_id, now)

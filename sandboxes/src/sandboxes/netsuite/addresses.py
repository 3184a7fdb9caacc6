"""A customer's address book: the `addressBook` sublist of the REST record API, stored as
SuiteQL has it.

Store (SuiteQL's tables): one `customeraddressbook` row per line (`entity`, `defaultbilling`,
`defaultshipping`, `isresidential`, `label`, `addressbookaddress` = the address's nkey) and
one `entityaddress` row per address subrecord (`nkey`, `addr1`, `addr2`, `addr3`, `city`,
`state`, `zip`, `country`, `addressee`, `attention`, `addrtext`, `lastmodifieddate`). The
customer's `defaultbillingaddress` / `defaultshippingaddress` hold the nkey of its default
lines, as in NetSuite (`LEFT JOIN entityaddress ON entityaddress.nkey =
customer.defaultbillingaddress`). A customer has no `billaddr1`/`billcity`/… body fields.

REST shape (Oracle's "Format of Sublists and Subrecords": the sublist is a link unless
`expandSubResources=true`, which also expands the address subrecord):

    "addressBook": {"links": [...], "items": [{"links": [...], "id": 39, "defaultBilling": true,
        "defaultShipping": false, "isResidential": false, "label": "Head office",
        "addressBookAddress": {"links": [...], "addr1": "…", "city": "…", "zip": "…",
        "country": "GB", "addrText": "…"}, "addressBookAddress_text": "…"}], …}

[unverified] the exact casing NetSuite serves (Oracle's example shows `addressbook` /
`addressbookaddress` in lower case, the REST API Browser and connectors camelCase); writes
match names case-insensitively here. [unverified] `country` is served as the ISO code text
(NetSuite may serve it as `{"id": "GB", "refName": "United Kingdom"}`; writes accept both).
[unverified] that the line's `id` is the key NetSuite matches lines on.

Writes follow Oracle's keyed-sublist rules ("Updating a Sublist", "Replacing a Sublist"): a
line whose `id` matches an existing line updates it (only the fields given; the address
subrecord's given fields too), a line without `id` is added; with `?replace=addressBook` the
lines not named are removed as well. A line naming an `id` the customer does not have is 400
USER_ERROR ([unverified] NetSuite's message). Setting `defaultBilling` (or `defaultShipping`)
on a line clears it on the others; no line is made a default unless asked ([unverified]
whether NetSuite defaults a customer's first address).

Stamps: a write of the address book stamps the customer's `lastModifiedDate` (the customer
record is saved) and the `lastmodifieddate` of every address it creates or changes.
[unverified] whether NetSuite moves `customer.lastmodifieddate` when only an address changes;
the simulator's address drift assumes it does not (it changes `entityaddress` alone), so the
connector must not rely on it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sandboxes.netsuite.errors import NetSuiteError, bad_request
from sandboxes.netsuite.recordtypes import Field

SUBLIST = "addressbook"
LINE_FIELDS = {
    "defaultbilling": Field("defaultBilling", "defaultbilling", "bool"),
    "defaultshipping": Field("defaultShipping", "defaultshipping", "bool"),
    "isresidential": Field("isResidential", "isresidential", "bool"),
    "label": Field("label", "label", "text"),
}
ADDRESS_FIELDS = {
    f.name.lower(): f
    for f in (
        Field("addressee", "addressee", "text"),
        Field("attention", "attention", "text"),
        Field("addr1", "addr1", "text"),
        Field("addr2", "addr2", "text"),
        Field("addr3", "addr3", "text"),
        Field("city", "city", "text"),
        Field("state", "state", "text"),
        Field("zip", "zip", "text"),
        Field("country", "country", "text"),
    )
}
_SUBRECORD = "addressbookaddress"
# Read-only parts of a line or subrecord a client may send back unchanged.
_IGNORED = {"links", "addrtext", "addressbookaddress_text", "internalid"}


def address_text(parts: dict[str, Any]) -> str | None:
    """The address as NetSuite prints it: addressee, street lines, `city state zip`, country."""
    place = " ".join(str(parts[k]) for k in ("city", "state", "zip") if parts.get(k))
    lines = [parts.get(k) for k in ("addressee", "attention", "addr1", "addr2", "addr3")] + [
        place,
        parts.get("country"),
    ]
    text = "\n".join(str(line) for line in lines if line)
    return text or None


# -- reading ---------------------------------------------------------------------------


def read_book(conn: sqlite3.Connection, customer_id: int, href: str, expand: bool) -> dict[str, Any]:
    if not expand:
        return {"links": [{"rel": "self", "href": href}]}
    rows = conn.execute(
        "SELECT b.*, a.* FROM customeraddressbook b JOIN entityaddress a ON a.nkey = b.addressbookaddress "
        "WHERE b.entity = ? ORDER BY b.id",
        (customer_id,),
    ).fetchall()
    items = [_line(row, f"{href}/{row['id']}") for row in rows]
    return {
        "links": [{"rel": "self", "href": href}],
        "count": len(items),
        "hasMore": False,
        "items": items,
        "offset": 0,
        "totalResults": len(items),
    }


def _line(row: sqlite3.Row, href: str) -> dict[str, Any]:
    address: dict[str, Any] = {"links": [{"rel": "self", "href": f"{href}/addressBookAddress"}]}
    for f in ADDRESS_FIELDS.values():
        if row[f.column] is not None:
            address[f.name] = row[f.column]
    if row["addrtext"] is not None:
        address["addrText"] = row["addrtext"]
    line: dict[str, Any] = {"links": [{"rel": "self", "href": href}], "id": row["id"]}
    for f in LINE_FIELDS.values():
        if f.kind == "bool":
            line[f.name] = row[f.column] == "T"
        elif row[f.column] is not None:
            line[f.name] = row[f.column]
    line["addressBookAddress"] = address
    if row["addrtext"] is not None:
        line["addressBookAddress_text"] = row["addrtext"]
    return line


# -- writing ---------------------------------------------------------------------------


def write_book(conn: sqlite3.Connection, customer_id: int, items: list[dict], replace: bool, now: int) -> None:
    """Applies the addressBook lines of a create or update (see the module docstring)."""
    existing = {
        r["id"]: r["addressbookaddress"]
        for r in conn.execute("SELECT id, addressbookaddress FROM customeraddressbook WHERE entity = ?", (customer_id,))
    }
    kept: set[int] = set()
    for index, item in enumerate(items):
        path = f"addressBook.items[{index}]"
        line_id, line, address = _parse_line(item, path)
        if line_id is not None and line_id not in existing:
            raise bad_request(
                "USER_ERROR", f"The address book line {line_id} does not exist on customer {customer_id}.", f"{path}.id"
            )
        if line_id is None:
            nkey = conn.execute("SELECT COALESCE(MAX(nkey), 0) + 1 FROM entityaddress").fetchone()[0]
            conn.execute(
                "INSERT INTO entityaddress (nkey, recordowner, addrtext, lastmodifieddate) VALUES (?, ?, ?, ?)",
                (nkey, customer_id, None, now),
            )
            line_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM customeraddressbook").fetchone()[0]
            conn.execute(
                "INSERT INTO customeraddressbook (id, entity, addressbookaddress) VALUES (?, ?, ?)",
                (line_id, customer_id, nkey),
            )
            existing[line_id] = nkey
            address = {f.column: None for f in ADDRESS_FIELDS.values()} | address
        if line:
            for flag in ("defaultbilling", "defaultshipping"):
                if line.get(flag) == "T":
                    conn.execute(f"UPDATE customeraddressbook SET {flag} = 'F' WHERE entity = ?", (customer_id,))
            assignments = ", ".join(f'"{c}" = ?' for c in line)
            conn.execute(f"UPDATE customeraddressbook SET {assignments} WHERE id = ?", [*line.values(), line_id])
        if address:
            _update_address(conn, existing[line_id], address, now)
        kept.add(line_id)
    if replace:
        for line_id, nkey in existing.items():
            if line_id not in kept:
                conn.execute("DELETE FROM customeraddressbook WHERE id = ?", (line_id,))
                conn.execute("DELETE FROM entityaddress WHERE nkey = ?", (nkey,))
    refresh_defaults(conn, customer_id)


def _update_address(conn: sqlite3.Connection, nkey: int, values: dict[str, Any], now: int) -> None:
    current = dict(conn.execute("SELECT * FROM entityaddress WHERE nkey = ?", (nkey,)).fetchone())
    merged = current | values
    if merged == current:
        return
    merged["addrtext"] = address_text(merged)
    merged["lastmodifieddate"] = now
    columns = [*values, "addrtext", "lastmodifieddate"]
    assignments = ", ".join(f'"{c}" = ?' for c in columns)
    conn.execute(f"UPDATE entityaddress SET {assignments} WHERE nkey = ?", [*(merged[c] for c in columns), nkey])


def refresh_defaults(conn: sqlite3.Connection, customer_id: int) -> None:
    """customer.defaultbillingaddress / defaultshippingaddress: the nkey of the default lines."""
    conn.execute(
        "UPDATE customer SET "
        "defaultbillingaddress = (SELECT addressbookaddress FROM customeraddressbook "
        "WHERE entity = customer.id AND defaultbilling = 'T' ORDER BY id LIMIT 1), "
        "defaultshippingaddress = (SELECT addressbookaddress FROM customeraddressbook "
        "WHERE entity = customer.id AND defaultshipping = 'T' ORDER BY id LIMIT 1) WHERE id = ?",
        (customer_id,),
    )


def delete_book(conn: sqlite3.Connection, customer_id: int) -> None:
    conn.execute(
        "DELETE FROM entityaddress WHERE nkey IN (SELECT addressbookaddress FROM customeraddressbook WHERE entity = ?)",
        (customer_id,),
    )
    conn.execute("DELETE FROM customeraddressbook WHERE entity = ?", (customer_id,))


def _parse_line(item: dict[str, Any], path: str) -> tuple[int | None, dict[str, Any], dict[str, Any]]:
    line_id: int | None = None
    line: dict[str, Any] = {}
    address: dict[str, Any] = {}
    for key, raw in item.items():
        lowered = key.lower()
        if lowered in _IGNORED:
            continue
        if lowered == "id":
            if raw is None or not str(raw).isdigit():
                raise _invalid("id", raw, f"{path}.{key}")
            line_id = int(raw)
        elif lowered == _SUBRECORD:
            if not isinstance(raw, dict):
                raise _invalid("addressBookAddress", raw, f"{path}.{key}")
            address = _parse_address(raw, f"{path}.{key}")
        elif lowered in LINE_FIELDS:
            f = LINE_FIELDS[lowered]
            line[f.column] = _value(f, raw, f"{path}.{key}")
        else:
            raise _nonexistent(key, f"{path}.{key}")
    return line_id, line, address


def _parse_address(raw: dict[str, Any], path: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        lowered = key.lower()
        if lowered in _IGNORED:
            continue
        f = ADDRESS_FIELDS.get(lowered)
        if f is None:
            raise _nonexistent(key, f"{path}.{key}")
        if lowered == "country" and isinstance(value, dict):
            value = value.get("id")
        values[f.column] = _value(f, value, f"{path}.{key}")
    return values


def _value(f: Field, raw: Any, path: str) -> Any:
    if raw is None:
        return None
    if f.kind == "bool" and isinstance(raw, bool):
        return "T" if raw else "F"
    if f.kind == "text" and isinstance(raw, str):
        return raw
    raise _invalid(f.name, raw, path)


def _invalid(name: str, raw: Any, path: str) -> NetSuiteError:
    return bad_request(
        "INVALID_CONTENT",
        f"Error while accessing a resource. You have entered an Invalid Field Value {raw} for the following field: {name}",
        path,
    )


def _nonexistent(key: str, path: str) -> NetSuiteError:
    return bad_request(
        "NONEXISTENT_FIELD", f"Error while accessing a resource. The field '{key}' does not exist.", path
    )

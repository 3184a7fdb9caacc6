"""The SuiteQL Concord sends: which columns to select (found at run start), the window and
keyset conditions, and the keyset pager every listing goes through.

Column discovery: the known fields of `tables.py` are the contract (they carry the types).
At run start a sample `SELECT * … FETCH FIRST n ROWS ONLY` shows the fields the vendor has
now; fields not in the catalog are selected too and land as text (or as timestamps when
their sample values are dates), so new vendor fields evolve the schema. SuiteQL leaves
nulls out of its items, so a known field missing from the sample may be null or may be gone:
those are checked with a one-row query, and a field NetSuite says does not exist is dropped
with a warning (the run summary then reports it as a missing field) instead of failing.

Window bounds are UTC instants written as literals in the integration user's local time, made
safe around a fall-back hour (`timezone.step_literals`; the source steps its windows at each
fall-back); the rows a widened literal brings in are dropped by the source.

Paging: by keyset, not by offset. Each page is `… AND id > :last ORDER BY id` (the table's key:
`uniquekey` for transaction lines, whose `id` repeats across transactions) fetched at
offset 0, until NetSuite says `hasMore: false`. Offsets are unsafe for a window: a record
modified during the extract leaves the window (its new lastmodifieddate is past the end),
the rows behind it shift up one offset and one is never read; a hard delete does the same.
Keyset pages are immune to both, and never meet NetSuite's 100,000-results-per-query cap,
since every page is a new query. (Following `links` rel=next is the same offset paging.)
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from ingestion.netsuite.client import NetSuiteClient, SuiteQLError
from ingestion.netsuite.tables import DATE_MASK, DATETIME_MASK, PRIMARY_KEY, NetSuiteTable

log = logging.getLogger(__name__)

SAMPLE_ROWS = 100
# How SuiteQL renders a date or datetime that is not wrapped in TO_CHAR (the user's format).
_USER_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def literal(local_text: str) -> str:
    """A local wall-clock time (`YYYY-MM-DD HH:MM:SS`) as a SuiteQL datetime literal."""
    return f"TO_DATE('{local_text}', '{DATETIME_MASK}')"


def select_list(kinds: dict[str, str], table: str, joined: dict[str, tuple[str, str]] | None = None) -> str:
    """Every field qualified with its table (a scope may join another table) and named as the
    field itself, then the joined tables' columns (`NetSuiteTable.joined`) named as landed;
    dates and times formatted explicitly."""
    columns = {name: (f"{table}.{name}", kind) for name, kind in kinds.items()} | (joined or {})
    parts = []
    for name, (column, kind) in columns.items():
        if kind == "datetime":
            parts.append(f"TO_CHAR({column}, '{DATETIME_MASK}') AS {name}")
        elif kind == "date":
            parts.append(f"TO_CHAR({column}, '{DATE_MASK}') AS {name}")
        else:
            parts.append(f"{column} AS {name}")
    return ", ".join(parts)


def window_conditions(table: NetSuiteTable, lower: str | None, upper: str) -> list[str]:
    """Half-open on the table's change stamp, `>= lower AND < upper`, the bounds local text
    (`timezone.step_literals`: possibly wider than the UTC window; the caller keeps only the
    rows inside it). A table that lands a joined record's columns (`also_modified`) is also
    read when the joined record changed in the window."""
    scope = [table.scope] if table.scope else []
    own = [f"{table.cursor_column} < {literal(upper)}"]
    if lower is not None:
        own.insert(0, f"{table.cursor_column} >= {literal(lower)}")
    if not table.also_modified:
        return [*scope, *own]
    joined = [c.replace(table.cursor_column, table.also_modified) for c in own]
    return [*scope, f"({' AND '.join(own)}) OR ({' AND '.join(joined)})"]


def keyset_pages(
    client: NetSuiteClient,
    source: str,
    select: str,
    conditions: list[str],
    page_size: int,
    key: str = PRIMARY_KEY,
    key_name: str = PRIMARY_KEY,
) -> Iterator[list[dict[str, Any]]]:
    """Pages of `SELECT select FROM source WHERE conditions`, in `key` order (the selected
    key field `key_name`; `key` is it as the query names it, e.g. qualified when `source` joins).

    Each page is its own query capped with `FETCH FIRST n ROWS ONLY`: NetSuite counts a
    query's `totalResults` on every page, and uncapped keyset queries would make it count
    the rest of the table each time (quadratic over a large table)."""
    last: int | None = None
    while True:
        where = [*conditions, f"{key} > {last}"] if last is not None else conditions
        query = f"SELECT {select} FROM {source}"
        if where:
            query += " WHERE " + " AND ".join(f"({c})" for c in where)
        page, _ = client.suiteql(f"{query} ORDER BY {key} FETCH FIRST {page_size} ROWS ONLY", limit=page_size)
        items = page["items"]
        if items:
            yield items
        if len(items) < page_size:
            return
        last = int(items[-1][key_name])


def discover_columns(client: NetSuiteClient, table: NetSuiteTable, discover: bool) -> dict[str, str]:
    """The fields to select now (name -> kind): the known ones NetSuite still has, plus any new."""
    kinds = dict(table.kinds)
    seen: set[str] = set()
    if discover:
        page, _ = client.suiteql(f"SELECT * FROM {table.name} FETCH FIRST {SAMPLE_ROWS} ROWS ONLY", limit=SAMPLE_ROWS)
        samples: dict[str, list[Any]] = {}
        for item in page["items"]:
            for name, value in item.items():
                if name != "links":
                    seen.add(name)
                    if name not in table.kinds:
                        samples.setdefault(name, []).append(value)
        for name, values in samples.items():
            dated = all(isinstance(v, str) and _USER_DATE.match(v) for v in values)
            kinds[name] = "datetime" if dated else "text"
        if samples:
            log.info("netsuite %s: selecting fields the connector does not know yet: %s", table.name, sorted(samples))
    unconfirmed = [name for name in table.kinds if name not in seen]
    while unconfirmed:
        query = f"SELECT {', '.join(unconfirmed)} FROM {table.name} FETCH FIRST 1 ROWS ONLY"
        try:
            client.suiteql(query, limit=1)
            break
        except SuiteQLError as exc:
            gone = exc.missing_field
            if gone is None or gone.lower() not in unconfirmed or gone.lower() in (table.key, table.cursor_field):
                raise
            log.warning("netsuite %s: field %s no longer exists; it is no longer selected", table.name, gone)
            unconfirmed.remove(gone.lower())
            kinds.pop(gone.lower())
    return kinds

"""The landing contract every source follows.

A source fetches pages of vendor records and hands each page to `land()`, which
- checks every record against its table's contract (primary key present, cursor timestamp
  parseable, numbers numeric, currency an ISO 4217 code) and sends the ones that break it to
  the `_concord_quarantine` table with the reason and the raw payload, so the rest go on
  (`ingestion.replay` lands them later, once the contract or its reference data allows);
- adds the lineage columns every landed row carries: source system, extraction time, and
  the deletion flags (dlt adds the load id as `_dlt_load_id`);
- yields the good rows to the table itself (merged on the primary key: the current state);
  after each load, `ingestion.history` appends the versions it merged to `<table>_history`
  (every version seen, so models can ask when a record changed state).

The history table is an append-only change log rather than dlt's scd2 strategy: scd2 with
incremental extracts needs a merge key and retires rows by absence, which is wrong for
partial windows, and it mishandles compound keys; a log plus the current state is simpler.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from dlt.extract.hints import HintsMeta
from dlt.extract.items import DataItemWithMeta, TableNameMeta

from ingestion.arrow_pages import UTC_TIMESTAMP, PageTypeError, column_name, typed_page

QUARANTINE_TABLE = "_concord_quarantine"
HISTORY_SUFFIX = "_history"
# Every ISO 4217 alphabetic code, current or withdrawn (a record from before a currency was
# replaced, HRK before the euro, still holds it), from ISO's lists one and three as data:
# `iso4217.csv` (code, name, month withdrawn). The contract asks a currency to be a real code;
# whether a firm's systems trade in it is for the consistency checks, not for landing.
ISO_4217_FILE = Path(__file__).with_name("iso4217.csv")
with ISO_4217_FILE.open(newline="") as _codes:
    CURRENCY_CODES = frozenset(row["code"] for row in csv.DictReader(_codes))

# Columns Concord adds to every landed row.
SOURCE_SYSTEM = "_concord_source_system"
EXTRACTED_AT = "_concord_extracted_at"
IS_DELETED = "_concord_is_deleted"
DELETED_AT = "_concord_deleted_at"
VERSION = "_concord_version"

LINEAGE_COLUMNS = {
    SOURCE_SYSTEM: {"data_type": "text", "nullable": False},
    EXTRACTED_AT: {"data_type": "timestamp", "nullable": False},
    IS_DELETED: {"data_type": "bool", "nullable": False},
    DELETED_AT: {"data_type": "timestamp", "nullable": True},
    VERSION: {"data_type": "text", "nullable": True},
}


class BadRecord(ValueError):
    """A record that breaks its table's contract; the message is the quarantine reason."""


@dataclass(frozen=True)
class TableContract:
    """What a landed table promises about its records."""

    table: str  # destination table name
    primary_key: str  # field name as the vendor sends it
    cursor: str | None = None  # the field that changes with every version (e.g. SystemModstamp)
    parse_cursor: Callable[[str], datetime] | None = None
    required: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    currency: str | None = None  # a field that must hold a known ISO 4217 code
    deleted_flag: str | None = None  # a vendor field that marks soft-deleted records (Salesforce IsDeleted)
    # field -> dlt data type, for the fields whose type is known before any record arrives
    column_types: Mapping[str, str] = field(default_factory=dict)
    nested: bool = False  # records hold objects, landed as `parent__child` columns (Harvest)
    # Stamps of joined records landed with the row (NetSuite's customer address): the version is
    # the latest of the cursor and these, so an edit of the joined record alone is a new version.
    also_versioned: tuple[str, ...] = ()


class FieldObserver:
    """Which fields each table's records carried in this process's runs, so a run can
    report fields that have disappeared from the vendor's records."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], set[str]] = defaultdict(set)

    def reset(self) -> None:
        self.seen.clear()


FIELDS_SEEN = FieldObserver()


def now_utc() -> datetime:
    return datetime.now(UTC)


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Nested objects become `parent__child` columns (dlt's own naming), one level deep
    per call recursively; lists stay lists (dlt lands them as child tables)."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub_key, sub_value in flatten(value).items():
                flat[f"{key}__{sub_key}"] = sub_value
        else:
            flat[key] = value
    return flat


def _check(record: dict[str, Any], contract: TableContract, numeric: tuple[str, ...]) -> datetime | None:
    key = record.get(contract.primary_key)
    if key is None or key == "":
        raise BadRecord(f"no primary key {contract.primary_key}")
    for name in contract.required:
        if record.get(name) in (None, ""):
            raise BadRecord(f"required field {name} is missing")
    for name in numeric:
        value = record.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise BadRecord(f"{name} is not a number: {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise BadRecord(f"{name} is not a number: {value!r}") from None
        if not math.isfinite(number):
            raise BadRecord(f"{name} is not a finite number: {value!r}")
    if contract.currency:
        code = record.get(contract.currency)
        if code is not None and code not in CURRENCY_CODES:
            raise BadRecord(f"unknown currency {code!r} in {contract.currency}")
    if contract.cursor is None:
        return None
    stamp = record.get(contract.cursor)
    if stamp in (None, ""):
        raise BadRecord(f"cursor field {contract.cursor} is missing")
    try:
        return contract.parse_cursor(stamp) if contract.parse_cursor else None
    except (TypeError, ValueError):
        raise BadRecord(f"cursor field {contract.cursor} is not a valid timestamp: {stamp!r}") from None


def land(
    records: list[dict[str, Any]],
    contract: TableContract,
    system: str,
    extracted_at: datetime | None = None,
    deleted_at: Callable[[dict[str, Any]], datetime | None] | None = None,
) -> Iterator[Any]:
    """Yields the dlt items for one page: one typed Arrow table of current-state rows (see
    `ingestion.arrow_pages`) and the quarantined rows.

    `deleted_at(record)` tells when a soft-deleted record was deleted (e.g. its SystemModstamp);
    by default a record flagged by `contract.deleted_flag` is deleted at its cursor time."""
    extracted_at = extracted_at or now_utc()
    good: list[dict[str, Any]] = []
    good_records: list[dict[str, Any]] = []
    deletions: list[datetime | None] = []
    bad: list[dict[str, Any]] = []
    # Declared numeric columns are checked column-wise when the page is typed.
    numeric = tuple(name for name in contract.numeric if name not in contract.column_types)
    deleted_flag = contract.deleted_flag
    for record in records:
        try:
            cursor_time = _check(record, contract, numeric)
        except BadRecord as exc:
            bad.append(quarantine_row(system, contract, record, str(exc), extracted_at))
            continue
        good.append(flatten(record) if contract.nested else record)
        good_records.append(record)
        if deleted_flag and record.get(deleted_flag):
            deletions.append((deleted_at(record) if deleted_at else cursor_time) or extracted_at)
        else:
            deletions.append(None)
    names: dict[str, None] = {}
    for row in good:
        names.update(dict.fromkeys(row))
    FIELDS_SEEN.seen[(system, contract.table)].update(names)
    page, kept, mistyped = _typed(good, names, _known_types(contract), frozenset({column_name(contract.primary_key)}))
    for index, reason in mistyped.items():
        bad.append(quarantine_row(system, contract, good_records[index], reason, extracted_at))
    if page is not None and page.num_rows:
        yield dlt.mark.with_table_name(
            _with_lineage(
                page, [good_records[i] for i in kept], [deletions[i] for i in kept], contract, system, extracted_at
            ),
            contract.table,
        )
    if bad:
        yield to_quarantine(bad)


def version_of(record: dict[str, Any], contract: TableContract) -> str | None:
    """The record's `_concord_version`: its change stamp, as landed."""
    return _version(record, contract.cursor, contract.also_versioned) if contract.cursor else None


def _version(record: dict[str, Any], cursor: str, also: tuple[str, ...]) -> str | None:
    stamps = [str(record[name]) for name in (cursor, *also) if record.get(name) is not None]
    if not also:
        return stamps[0] if stamps else None
    # The stamps are one vendor's timestamps in one text format, so the latest sorts last.
    return max(stamps) if record.get(cursor) is not None else None


def _with_lineage(
    page: pa.Table,
    records: list[dict[str, Any]],
    deletions: list[datetime | None],
    contract: TableContract,
    system: str,
    extracted_at: datetime,
) -> pa.Table:
    """The page with the columns Concord adds to every landed row."""
    rows = page.num_rows
    deleted_at = pa.array(deletions, UTC_TIMESTAMP)
    cursor = contract.cursor
    versions = [_version(r, cursor, contract.also_versioned) for r in records] if cursor else [None] * rows
    for lineage_field, array in (
        (pa.field(SOURCE_SYSTEM, pa.string(), nullable=False), pa.array([system] * rows, pa.string())),
        (pa.field(EXTRACTED_AT, UTC_TIMESTAMP, nullable=False), pa.array([extracted_at] * rows, UTC_TIMESTAMP)),
        (pa.field(IS_DELETED, pa.bool_(), nullable=False), pc.is_valid(deleted_at)),
        (pa.field(DELETED_AT, UTC_TIMESTAMP), deleted_at),
        (pa.field(VERSION, pa.string()), pa.array(versions, pa.string())),
    ):
        page = page.append_column(lineage_field, array)
    return page


def _typed(
    rows: list[dict[str, Any]], names: dict[str, None], types: Mapping[str, str], not_null: frozenset[str]
) -> tuple[pa.Table | None, list[int], dict[int, str]]:
    """The page as an Arrow table, the indexes of the rows it holds, and the rows set aside
    because a value is not of its column's type (index -> reason), so the rest land."""
    if not rows:
        return None, [], {}
    try:
        return typed_page(rows, types, not_null, names), list(range(len(rows))), {}
    except PageTypeError as exc:
        mistyped = exc.bad_rows
    kept = [index for index in range(len(rows)) if index not in mistyped]
    page = typed_page([rows[i] for i in kept], types, not_null, names) if kept else None
    return page, kept, mistyped


def _known_types(contract: TableContract) -> dict[str, str]:
    """The contract's declared types, then the types the table's columns already have in the
    schema (so a column keeps the type it was first landed with)."""
    types: dict[str, str] = {}
    try:
        schema = dlt.current.source_schema()
    except Exception:  # outside a dlt extraction (unit tests of the landing contract)
        schema = None
    if schema is not None and contract.table in schema.tables:
        for name, column in schema.get_table_columns(contract.table).items():
            if "data_type" in column and not name.startswith("_dlt_"):
                types[name] = column["data_type"]
    types.update((column_name(name), data_type) for name, data_type in contract.column_types.items())
    return types


# Pages are joined into Arrow tables of at least this many rows before dlt sees them: dlt
# computes and merges a table schema for every Arrow item it receives, which for 1,000-row
# pages costs more than writing them.
COALESCE_ROWS = 50_000


def coalesced(items: Iterable[Any], min_rows: int = COALESCE_ROWS) -> Iterator[Any]:
    """The items of a resource, with consecutive Arrow pages of each table joined into tables
    of at least `min_rows` rows (the rest, quarantine and tombstone rows, pass through)."""
    pending: dict[str, list[pa.Table]] = defaultdict(list)
    pending_rows: dict[str, int] = defaultdict(int)

    def flush(table: str) -> Any:
        joined = pa.concat_tables(pending.pop(table), promote_options="permissive")
        pending_rows.pop(table)
        return dlt.mark.with_table_name(joined, table)

    for item in items:
        if (
            isinstance(item, DataItemWithMeta)
            and isinstance(item.meta, TableNameMeta)
            and isinstance(item.data, pa.Table)
        ):
            table = item.meta.table_name
            pending[table].append(item.data)
            pending_rows[table] += item.data.num_rows
            if pending_rows[table] >= min_rows:
                yield flush(table)
        else:
            yield item
    for table in list(pending):
        yield flush(table)


def to_current(rows: list[dict[str, Any]], table: str) -> Iterator[Any]:
    """The rows for the current-state table; `ingestion.history` appends what each load
    merged to `<table>_history` in the warehouse."""
    yield dlt.mark.with_table_name(rows, table)


def quarantine_row(
    system: str, contract: TableContract, record: Any, reason: str, extracted_at: datetime
) -> dict[str, Any]:
    key = record.get(contract.primary_key) if isinstance(record, dict) else None
    return {
        "source_system": system,
        "table_name": contract.table,
        "record_key": None if key is None else str(key),
        "reason": reason,
        "raw_payload": orjson.dumps(record, default=str).decode(),
        EXTRACTED_AT: extracted_at,
    }


def is_quarantine(item: Any) -> bool:
    """Whether an item `land()` yielded is quarantined rows (`to_quarantine`)."""
    return (
        isinstance(item, DataItemWithMeta)
        and isinstance(item.meta, HintsMeta)
        and item.meta.hints.get("table_name") == QUARANTINE_TABLE
    )


def to_quarantine(rows: list[dict[str, Any]]) -> Any:
    # A table variant starts from a copy of its resource's hints, columns included; `columns={}`
    # drops them, else the quarantine would inherit the vendor columns and the non-nullable
    # lineage columns its rows do not carry.
    return dlt.mark.with_hints(
        rows,
        dlt.mark.make_hints(
            table_name=QUARANTINE_TABLE, write_disposition="append", primary_key=[], merge_key=[], columns={}
        ),
        create_table_variant=True,
    )

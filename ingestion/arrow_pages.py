"""One typed Arrow table per landed page.

dlt loads Arrow tables without its row-by-row normaliser (which coerces every value of
every row in Python): an Arrow page is written to Parquet at extraction and imported by
the destination as it is. That is what makes the full load of a million-row table cost
little more than fetching it. The types must then come from here rather than from dlt's
inference, so every column a table declares (Salesforce describe, NetSuite's field kinds,
Harvest's documented fields) is built as that type, whatever the page holds:

- a declared column is converted column-wise (ISO 8601 strings to UTC timestamps, numbers
  to int64/float64); a value that does not convert makes its row a bad record (the caller
  quarantines it with the reason) and the rest of the page still lands;
- an undeclared column (a field the vendor added) is inferred from its values the way dlt
  infers a row's: an ISO 8601 time with a zone becomes a timestamp, mixed values become
  text, lists and objects JSON text; a column that is null in the whole page is left out
  until a value arrives, as dlt does;
- column names are normalised with the schema's naming convention (`BillingCity` →
  `billing_city`, flattened `client__id` kept as a path), so dlt does not rewrite the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.normalizers.naming.snake_case import NamingConvention

UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": UTC_TIMESTAMP,
    "date": pa.date32(),
    "json": pa.string(),
}
# How a quarantine reason names each type ("amount is not a number: 'lots'").
TYPE_WORDS = {
    "bigint": "a whole number",
    "double": "a number",
    "bool": "a boolean",
    "timestamp": "a valid timestamp",
    "date": "a valid date",
}
# Booleans as vendors send them in text: NetSuite's 'T'/'F', and JSON-ish true/false.
_TRUE, _FALSE = ("T", "true", "True"), ("F", "false", "False")
# What dlt's `iso_timestamp` detection takes for a timestamp: a date, a time and a zone.
_ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_NAMING = NamingConvention()


class PageTypeError(ValueError):
    """Values of a declared column that are not of its type: {row index: reason}."""

    def __init__(self, bad_rows: dict[int, str]) -> None:
        super().__init__(f"{len(bad_rows)} rows with values not of their column's type")
        self.bad_rows = bad_rows


def column_name(name: str) -> str:
    return _normalized_path(name)


_NAME_CACHE: dict[str, str] = {}


def _normalized_path(name: str) -> str:
    normalized = _NAME_CACHE.get(name)
    if normalized is None:
        normalized = _NAMING.normalize_path(name)
        _NAME_CACHE[name] = normalized
    return normalized


def typed_page(
    rows: Sequence[Mapping[str, Any]],
    declared: Mapping[str, str],
    not_null: frozenset[str] = frozenset(),
    names: Iterable[str] | None = None,
) -> pa.Table:
    """The rows as one Arrow table; `declared` maps a field name (as the vendor sends it,
    or already normalised) to its dlt data type, `not_null` names the columns that never
    hold a null (as the schema declares them, so dlt takes the page as it is), `names` the
    fields the rows hold (default: every key of every row). Raises PageTypeError naming the
    rows whose declared values do not convert, so the caller can set them aside and call again.

    Each column is built by pyarrow in C from the page's values, and converted with Arrow
    compute: per-value Python runs only to name the rows of a column that does not convert."""
    if names is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        names = seen
    declared_types = {column_name(name): data_type for name, data_type in declared.items()}
    arrays: list[pa.Array] = []
    fields: list[pa.Field] = []
    bad_rows: dict[int, str] = {}
    for name in names:
        values = [row.get(name) for row in rows]
        target = column_name(name)
        data_type = declared_types.get(target)
        array = _inferred(values) if data_type is None else _declared(values, data_type, name, bad_rows)
        if array is None:
            continue
        arrays.append(array)
        fields.append(pa.field(target, array.type, nullable=target not in not_null))
    if bad_rows:
        raise PageTypeError(bad_rows)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


_CONVERSION_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)


def _declared(values: list[Any], data_type: str, name: str, bad_rows: dict[int, str]) -> pa.Array | None:
    arrow_type = ARROW_TYPES.get(data_type, pa.string())
    try:
        return _convert(values, arrow_type)
    except _CONVERSION_ERRORS:
        pass
    for index, value in enumerate(values):
        try:
            _convert([value], arrow_type)
        except _CONVERSION_ERRORS:
            bad_rows.setdefault(index, f"{name} is not {TYPE_WORDS.get(data_type, data_type)}: {value!r}")
    return None


def _convert(values: list[Any], arrow_type: pa.DataType) -> pa.Array:
    """The values as `arrow_type`, or an exception if one of them is not of it."""
    if pa.types.is_string(arrow_type):
        try:
            return pa.array(values, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([_as_text(v) for v in values], pa.string())
    inferred = pa.array(values)  # raises on a mix of kinds (text and numbers...)
    kind = inferred.type
    if pa.types.is_null(kind):
        return pa.nulls(len(values), arrow_type)
    if pa.types.is_string(kind):
        array = _parse_text(inferred, arrow_type)
    elif pa.types.is_boolean(kind) != pa.types.is_boolean(arrow_type):
        raise TypeError(f"{kind} values in a {arrow_type} column")
    else:
        # A safe cast: 1.5 does not become an integer; naive datetimes are taken as UTC.
        array = pc.cast(inferred, arrow_type)
    if pa.types.is_floating(arrow_type) and pc.all(pc.is_finite(array)).as_py() is False:
        raise ValueError("not a finite number")
    return array


def _parse_text(array: pa.Array, arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_boolean(arrow_type):
        known = pc.is_in(array, value_set=pa.array(_TRUE + _FALSE))
        if not pc.all(pc.or_kleene(known, pc.is_null(array))).as_py():
            raise ValueError("not a boolean")
        return pc.if_else(pc.is_null(array), None, pc.is_in(array, value_set=pa.array(_TRUE)))
    if arrow_type == UTC_TIMESTAMP:
        try:
            return pc.cast(array, UTC_TIMESTAMP)
        except pa.ArrowInvalid:
            # A time without a zone is taken as UTC, as dlt takes it.
            return pc.cast(pc.cast(array, pa.timestamp("us")), UTC_TIMESTAMP)
    return pc.cast(array, arrow_type)


def _as_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value, default=str).decode()
    return str(value)


def _inferred(values: list[Any]) -> pa.Array | None:
    sample = next((v for v in values if v is not None), None)
    if sample is None:
        return None
    if isinstance(sample, dict | list):
        return pa.array([_as_text(v) for v in values], pa.string())
    if isinstance(sample, str) and _ISO_TIMESTAMP.match(sample):
        try:
            return pc.cast(pa.array(values, pa.string()), UTC_TIMESTAMP)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    try:
        array = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([_as_text(v) for v in values], pa.string())
    if pa.types.is_null(array.type):
        return None
    if pa.types.is_nested(array.type):
        return pa.array([_as_text(v) for v in values], pa.string())
    return array

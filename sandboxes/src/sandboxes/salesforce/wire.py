"""Store rows to Salesforce JSON records: `attributes` first, then the fields in the
requested order with their canonical names; booleans as JSON booleans, datetimes as
`2013-05-20T20:49:32.000+0000`, dates as `YYYY-MM-DD`, numbers as numbers, nulls as null."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sandboxes.salesforce.sobjects import Field, SObject

_SECONDS_CACHE: dict[int, str] = {}
_SECONDS_CACHE_MAX = 200_000


def salesforce_datetime(ms: int) -> str:
    """`timefmt.salesforce`, made cheap for pages of thousands of rows: the formatted
    second is cached, since many timestamps in a page share it (and formatting dominated)."""
    seconds, millis = divmod(ms, 1000)
    prefix = _SECONDS_CACHE.get(seconds)
    if prefix is None:
        if len(_SECONDS_CACHE) >= _SECONDS_CACHE_MAX:
            _SECONDS_CACHE.clear()
        prefix = _SECONDS_CACHE[seconds] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{prefix}.{millis:03d}+0000"


def _boolean(value: object) -> object:
    return None if value is None else bool(value)


def _converter(f: Field) -> Callable[[object], object] | None:
    if f.type == "boolean":
        return _boolean
    if f.type == "datetime":
        return salesforce_datetime  # type: ignore[return-value]
    if f.type in ("double", "currency", "percent"):
        return lambda v: None if v is None else float(v)  # type: ignore[arg-type]
    return None


def api_prefix(version: str) -> str:
    return f"/services/data/v{version}"


def select_list(fields: Sequence[Field], alias: str | None = None) -> str:
    """The SQL column list for `fields`, with Id always fetched first (the record URL needs it)."""
    qualifier = f"{alias}." if alias else ""
    return ", ".join(f'{qualifier}"{name}"' for name in ["Id", *(f.name for f in fields)])


def record_builder(sobject: SObject, fields: Sequence[Field], version: str) -> Callable[[Sequence[object]], dict]:
    """A function turning a row fetched with `select_list(fields)` into a record dict."""
    url_base = f"{api_prefix(version)}/sobjects/{sobject.name}/"
    type_name = sobject.name
    names = [f.name for f in fields]
    converted = [(index + 1, convert) for index, f in enumerate(fields) if (convert := _converter(f)) is not None]

    def build(row: Sequence[object]) -> dict:
        values = list(row)
        for index, convert in converted:
            if values[index] is not None:
                values[index] = convert(values[index])
        record: dict = {"attributes": {"type": type_name, "url": f"{url_base}{values[0]}"}}
        record.update(zip(names, values[1:], strict=True))
        return record

    return build

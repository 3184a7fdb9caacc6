"""Oracle semantics SuiteQL inherits: datetime format masks (TO_CHAR, TO_DATE) and the way
Oracle turns a number into text (`0.5` -> `.5`).

Dates inside a translated query are epoch milliseconds UTC, the store's own timestamp
representation, so `TO_DATE(...)` compares directly with `lastmodifieddate`.

Time zone: as in NetSuite, dates and times are read and written in the integration user's
time zone (the user's preferences; here `NetSuiteSettings.time_zone`, an IANA name, daylight
saving included), not UTC: `TO_CHAR` renders local wall-clock time, a `TO_DATE` literal is
local time, and a date-only value (`trandate`) is the instant of local midnight of that day.
Local text that names no single instant is resolved the same way on every call:
- in the fall-back hour (America/New_York, first Sunday of November, 01:00-01:59 twice) a
  literal is read as standard time, its second occurrence (Python's `fold=1`), as Oracle does
  by default (ERROR_ON_OVERLAP_TIME = FALSE: "ambiguous boundary times are interpreted as
  standard time"; from Oracle's documentation as remembered, [unverified] for NetSuite). Both
  instants render the same text, so a reader cannot tell them apart from TO_CHAR alone;
- in the spring-forward gap (02:00-02:59 on the second Sunday of March, never shown on a
  clock) a local text is read with the offset in force before the gap, i.e. one hour later
  on the clock (02:30 is 03:30 daylight time). No stored instant ever renders as gap text.
How real NetSuite resolves such literals is [unverified].
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from sandboxes.common.timefmt import from_datetime, to_datetime

# Longest tokens first, so HH24 wins over HH and MONTH over MON and MM.
_TOKENS = [
    ("YYYY", "%Y"),
    ("MONTH", "%B"),
    ("HH24", "%H"),
    ("HH12", "%I"),
    ("FF3", "FF"),
    ("FF", "FF"),
    ("MON", "%b"),
    ("DAY", "%A"),
    ("YY", "%y"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("DY", "%a"),
    ("HH", "%I"),
    ("MI", "%M"),
    ("SS", "%S"),
    ("AM", "%p"),
    ("PM", "%p"),
]
_PUNCTUATION = set(" -/:,.;T")
_TOKEN_RE = re.compile("|".join(t for t, _ in _TOKENS) + r'|"[^"]*"|.', re.IGNORECASE | re.DOTALL)


class FormatError(ValueError):
    """A format mask or a value that does not match its mask."""


@lru_cache(maxsize=256)
def _compile(mask: str) -> tuple[tuple[str, str], ...]:
    """The mask as a list of ('field', strftime directive) and ('text', literal) parts."""
    lookup = dict(_TOKENS)
    parts: list[tuple[str, str]] = []
    for match in _TOKEN_RE.finditer(mask):
        token = match.group(0)
        if token.upper() in lookup:
            parts.append(("field", lookup[token.upper()]))
        elif token.startswith('"'):
            parts.append(("text", token[1:-1]))
        elif token in _PUNCTUATION:
            parts.append(("text", token))
        else:
            raise FormatError(f"date format not recognized: {mask!r}")
    return tuple(parts)


@lru_cache(maxsize=256)
def _strftime_format(mask: str) -> str | None:
    """The whole mask as one strftime format (None when it has fractional seconds, which
    strftime cannot write in milliseconds): one call per value instead of one per field."""
    parts = _compile(mask)
    if any(kind == "field" and value == "FF" for kind, value in parts):
        return None
    return "".join(value.replace("%", "%%") if kind == "text" else value for kind, value in parts)


@lru_cache(maxsize=32)
def zone(name: str) -> ZoneInfo:
    """The user's time zone by IANA name (`America/New_York`, `UTC`)."""
    return ZoneInfo(name)


def local_ms(naive: datetime, tz: tzinfo) -> int:
    """Epoch ms of a local wall-clock time: standard time in the fall-back hour, the offset
    before the gap in the spring-forward gap (see the module docstring)."""
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset() and second.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return from_datetime(second.astimezone(UTC))  # a repeated time: its standard-time occurrence
    return from_datetime(first.astimezone(UTC))


def to_char(ms: int, mask: str, tz: tzinfo = UTC) -> str:
    """TO_CHAR(datetime, mask) for an epoch-milliseconds value, in the user's time zone."""
    dt = to_datetime(int(ms)).astimezone(tz)
    fmt = _strftime_format(mask)
    if fmt is not None:
        return dt.strftime(fmt)
    out = []
    for kind, value in _compile(mask):
        if kind == "text":
            out.append(value)
        elif value == "FF":
            out.append(f"{dt.microsecond // 1000:03d}")
        else:
            out.append(dt.strftime(value))
    return "".join(out)


def to_date(text: str, mask: str | None, tz: tzinfo = UTC) -> int:
    """TO_DATE/TO_TIMESTAMP(text, mask), read as local time in `tz`, as epoch milliseconds
    UTC. As in Oracle, the text may stop early (`TO_DATE('2026-01-31', 'YYYY-MM-DD HH24:MI:SS')`
    is midnight)."""
    parts = _compile(mask or "MM/DD/YYYY")
    text = text.strip()
    # Try the whole mask, then ever shorter prefixes that end on a field.
    for end in range(len(parts), 0, -1):
        if parts[end - 1][0] != "field":
            continue
        fmt = "".join(v.replace("%", "%%") if k == "text" else ("%f" if v == "FF" else v) for k, v in parts[:end])
        try:
            return local_ms(datetime.strptime(text, fmt), tz)
        except ValueError:
            continue
    raise FormatError(f"the value {text!r} does not match the date format {mask!r}")


def number_text(value: int | float) -> str:
    """How Oracle (and so SuiteQL) writes a number as text: no trailing zeros, no leading
    zero before the decimal point, no exponent."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("0."):
        text = text[1:]
    elif text.startswith("-0."):
        text = "-" + text[2:]
    return text


def _sql_to_char(value: object, mask: object, is_date: int, tz: tzinfo) -> str | None:
    if value is None:
        return None
    if is_date:
        return to_char(int(value), str(mask or "MM/DD/YYYY"), tz)  # type: ignore[arg-type]
    if isinstance(value, int | float):
        return number_text(value)
    return str(value)


def _sql_to_date(text: object, mask: object, tz: tzinfo) -> int | None:
    if text is None:
        return None
    return to_date(str(text), None if mask is None else str(mask), tz)


@lru_cache(maxsize=65_536)
def date_ms(text: object, tz: tzinfo = UTC) -> int | None:
    """A YYYY-MM-DD text date as epoch ms: local midnight, the representation of dates in
    queries. Called for every row a filter on a date column looks at, hence the cache."""
    if text is None:
        return None
    return local_ms(datetime.combine(date.fromisoformat(str(text)[:10]), datetime.min.time()), tz)


def today_ms(now_ms: int, tz: tzinfo) -> int:
    """Local midnight of the day `now_ms` falls on (CURRENT_DATE, TRUNC(SYSDATE))."""
    local = to_datetime(now_ms).astimezone(tz)
    return local_ms(datetime(local.year, local.month, local.day), tz)


def register(conn: sqlite3.Connection, tz: tzinfo = UTC) -> None:
    """Adds the functions translated SuiteQL calls to one SQLite connection, rendering and
    reading dates in the user's time zone `tz` (calling it again replaces them)."""
    conn.create_function("ns_to_char", 3, lambda v, m, d: _sql_to_char(v, m, d, tz), deterministic=True)
    conn.create_function("ns_to_date", 2, lambda t, m: _sql_to_date(t, m, tz), deterministic=True)
    conn.create_function("ns_date_ms", 1, lambda t: date_ms(t, tz), deterministic=True)

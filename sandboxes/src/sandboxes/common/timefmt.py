"""Each vendor's own timestamp formats, to and from the store's epoch milliseconds."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_datetime(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def from_datetime(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int((value - _EPOCH) / timedelta(milliseconds=1))


def salesforce(ms: int | None) -> str | None:
    """`2013-05-20T20:49:32.000+0000`: milliseconds, numeric UTC offset without a colon."""
    if ms is None:
        return None
    dt = to_datetime(ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}+0000"


def harvest(ms: int | None) -> str | None:
    """`2017-06-26T21:52:18Z`: whole seconds, UTC."""
    if ms is None:
        return None
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def netsuite_date(ms: int | None, tz: tzinfo = UTC) -> str | None:
    """How SuiteQL returns a date/datetime column unless TO_CHAR is used: the user's date
    preference, here the US default `M/D/YYYY`, date only, in the user's time zone `tz`."""
    if ms is None:
        return None
    dt = to_datetime(ms).astimezone(tz)
    return f"{dt.month}/{dt.day}/{dt.year}"


def netsuite_record(ms: int | None) -> str | None:
    """Record API datetimes: `2026-03-01T10:15:00Z` (seconds, UTC). Unlike SuiteQL's local
    text, an ISO 8601 instant with its zone, so the user's time zone does not change it and
    the fall-back hour is not ambiguous (whether NetSuite writes `Z` or the user's offset is
    [unverified]; both name the same instant)."""
    return harvest(ms)


_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)


def parse_iso(text: str) -> int:
    """Parses ISO 8601 (`2026-01-02`, `…T10:00:00Z`, `…T10:00:00.123+01:00`, `…+0100`) to
    epoch ms. A value without an offset is UTC. Raises ValueError on anything else."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 date/time: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    dt = datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=UTC
    )
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        dt -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return from_datetime(dt)


def iso_date(ms: int) -> str:
    return to_datetime(ms).date().isoformat()


def date_to_ms(value: date | str) -> int:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return from_datetime(datetime(value.year, value.month, value.day, tzinfo=UTC))

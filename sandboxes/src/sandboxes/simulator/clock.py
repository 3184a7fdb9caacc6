"""Calendar helpers: simulated days, working hours, and each vendor's timestamp precision."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sandboxes.common.timefmt import date_to_ms

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
_ORDINAL_EPOCH = date(1970, 1, 1).toordinal()


def midnight_ms(day: date) -> int:
    return (day.toordinal() - _ORDINAL_EPOCH) * DAY_MS


def ms_to_date(ms: int) -> date:
    return date.fromordinal(ms // DAY_MS + _ORDINAL_EPOCH)


def at(day: date, rng: random.Random, start_hour: float = 8.0, end_hour: float = 19.0) -> int:
    """A random millisecond inside the working hours of `day`."""
    return midnight_ms(day) + int(start_hour * HOUR_MS) + rng.randrange(int((end_hour - start_hour) * HOUR_MS))


def seconds(ms: int) -> int:
    """Truncates to whole seconds (Harvest and NetSuite precision), still in ms."""
    return ms - ms % 1000


def is_weekday(day: date) -> bool:
    return day.weekday() < 5


def weekdays(start: date, end: date) -> list[date]:
    """Weekdays from `start` to `end` inclusive."""
    out = []
    day = start
    one = timedelta(days=1)
    while day <= end:
        if day.weekday() < 5:
            out.append(day)
        day += one
    return out


def count_weekdays(start: date, end: date) -> int:
    if end < start:
        return 0
    days = (end - start).days + 1
    full, rest = divmod(days, 7)
    count = full * 5
    first = start.weekday()
    for offset in range(rest):
        if (first + offset) % 7 < 5:
            count += 1
    return count


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year = day.year + month0 // 12
    month = month0 % 12 + 1
    for dom in (day.day, 30, 29, 28):
        try:
            return date(year, month, dom)
        except ValueError:
            continue
    raise ValueError(day)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


__all__ = [
    "DAY_MS",
    "HOUR_MS",
    "add_months",
    "at",
    "count_weekdays",
    "date_to_ms",
    "is_weekday",
    "midnight_ms",
    "month_start",
    "ms_to_date",
    "next_weekday",
    "seconds",
    "weekdays",
]

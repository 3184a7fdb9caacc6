"""NetSuite's local times: SuiteQL reads and writes dates and times in the integration user's
time zone (its NetSuite preferences, daylight saving included), not UTC. `TO_CHAR` renders
local wall-clock text, a `TO_DATE` literal is read as local time and `SYSDATE` is local; the
HTTP `Date` header stays GMT. The connector works in UTC and converts at the edge: window
bounds become local literals, returned local text becomes UTC before it lands.

NetSuite does not say the user's zone to SuiteQL or REST in a way found documented, so it is
configuration, `sources.netsuite.time_zone` (an IANA name), required: a wrong default would
silently shift every window. A run checks it at start (`check_offset`): SuiteQL's SYSDATE,
rendered by TO_CHAR, against the response's `Date` header.

Daylight saving:
- spring forward (02:00 becomes 03:00): no instant renders as the skipped text, and UTC
  bounds never render as it either; nothing to do.
- fall back (02:00 becomes 01:00): the repeated hour's text names two instants an hour apart.
  The window is stepped at every fall-back transition inside it (`fall_backs`), so within
  one step each local text names at most one instant of the step, and a row's text is
  resolved to the instant inside the step (`in_window`). A bound at a transition, and a
  bound that would otherwise let rows of the other half of the repeated hour in, is written
  as the transition's own text (01:00:00), which Oracle, SuiteQL's base, reads as standard
  time, i.e. the transition itself (ERROR_ON_OVERLAP_TIME defaults to FALSE; [unverified]
  that NetSuite keeps Oracle's default); any other ambiguous bound is widened by the repeat
  to unambiguous text (`step_literals`), safe however NetSuite reads it. Rows
  a widened bound brings in from outside the step are dropped there and read by the step
  (or run) they belong to, so each version lands once. Were NetSuite to read the ambiguous
  cut as daylight time instead, nothing would be lost or landed twice, but versions stamped
  in the daylight half of the repeated hour would land an hour late. Other datetime fields of a row in the repeated hour are resolved to the instant of
  the row's change stamp when the text is the same, else to the first occurrence
  (`first_instant`): [unverified] whether that is the instant NetSuite stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.http import SourceFatalError

TEXT_FORMAT = "%Y-%m-%d %H:%M:%S"  # what TO_CHAR(x, 'YYYY-MM-DD HH24:MI:SS') writes
SETTING = "sources.netsuite.time_zone (SOURCES__NETSUITE__TIME_ZONE)"
TOLERANCE = timedelta(minutes=1)


def zone(name: str) -> ZoneInfo:
    """The configured zone, or a one-line error naming the setting."""
    if not name:
        raise SourceFatalError(
            f"netsuite is not configured: set {SETTING} to the integration user's time zone, an IANA name "
            "such as America/New_York (NetSuite: the user's Set Preferences > Time Zone)"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceFatalError(f"{SETTING} = {name!r} is not an IANA time zone name") from exc


def local_text(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime(TEXT_FORMAT)


def candidates(text: str, tz: tzinfo) -> list[datetime]:
    """The UTC instants that render as this local text: one, or two in the fall-back hour
    (earlier first). Text no instant renders as (the spring-forward gap) gives its `fold=0`
    reading, so a value NetSuite should never send still converts."""
    naive = datetime.strptime(text, TEXT_FORMAT)
    found = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == naive and instant not in found:
            found.append(instant)
    return sorted(found) or [naive.replace(tzinfo=tz).astimezone(UTC)]


def _repeat(moment: datetime, tz: tzinfo) -> timedelta | None:
    """How long the local text of `moment` repeats (None: it names one instant)."""
    found = candidates(local_text(moment, tz), tz)
    return found[-1] - found[0] if len(found) > 1 else None


def lower_literal(start: datetime, tz: tzinfo) -> str:
    """Local text at or before `start` that names one instant: `start`'s own text, or in the
    fall-back hour the text one repeat earlier (before the repeated hour)."""
    repeat = _repeat(start, tz)
    naive = start.astimezone(tz).replace(tzinfo=None)
    return (naive - repeat if repeat else naive).strftime(TEXT_FORMAT)


def upper_literal(end: datetime, tz: tzinfo) -> str:
    """Local text at or after `end` that names one instant (see `lower_literal`)."""
    repeat = _repeat(end, tz)
    naive = end.astimezone(tz).replace(tzinfo=None)
    return (naive + repeat if repeat else naive).strftime(TEXT_FORMAT)


def step_literals(start: datetime | None, end: datetime, tz: tzinfo) -> tuple[str | None, str]:
    """The local literals of one step's `[start, end)`, safe around a fall-back transition T
    (the repeated hour's UTC instants are [T - repeat, T + repeat)):
    - a bound whose text is unambiguous is written as it is (exact);
    - a lower bound in [T, T + repeat) and an upper bound in (T - repeat, T] are written as
      T's own text (01:00:00, its standard-time reading is T): the query then never returns
      a row from the other half of the repeated hour whose twin text would fall in the step;
    - a lower bound in the daylight half and an upper bound in the standard half are widened
      by the repeat to unambiguous text; the extra rows' instants both lie outside the step.
    The caller keeps only the rows whose text names an instant inside the step."""
    lower = None if start is None else _bound(start, tz, lower=True)
    return lower, _bound(end, tz, lower=False)


def _bound(moment: datetime, tz: tzinfo, lower: bool) -> str:
    repeat = _repeat(moment, tz)
    if repeat is None:
        return local_text(moment, tz)
    [transition] = [t for t in fall_backs(moment - 2 * repeat, moment + 2 * repeat, tz) if abs(t - moment) <= repeat]
    if (moment >= transition) if lower else (moment <= transition):
        return local_text(transition, tz)
    return lower_literal(moment, tz) if lower else upper_literal(moment, tz)


def fall_backs(start: datetime, end: datetime, tz: tzinfo) -> list[datetime]:
    """The UTC instants in (start, end) at which the zone's offset drops (fall back), found
    hour by hour (every zone's transitions are on a whole quarter hour; the offset is
    compared at each hour and the drop then located to the second)."""
    found = []
    step = timedelta(hours=1)
    at = start.replace(minute=0, second=0, microsecond=0) + step
    before = start.astimezone(tz).utcoffset()
    while at < end + step:
        offset = at.astimezone(tz).utcoffset()
        if before is not None and offset is not None and offset < before:
            low, high = at - step, at  # the drop is in (low, high]: bisect to the second
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                mid = mid.replace(microsecond=0)
                if mid <= low:
                    break
                if mid.astimezone(tz).utcoffset() == before:
                    low = mid
                else:
                    high = mid
            if start < high < end:
                found.append(high)
        before = offset
        at += step
    return found


def in_window(text: str, tz: tzinfo, start: datetime | None, end: datetime) -> datetime | None:
    """The instant this local text names inside `[start, end)` (a window holding no
    fall-back transition, so at most one does), or None when it names none there."""
    for instant in candidates(text, tz):
        if (start is None or instant >= start) and instant < end:
            return instant
    return None


def first_instant(text: str, tz: tzinfo) -> datetime:
    return candidates(text, tz)[0]


def utc_text(instant: datetime) -> str:
    """How a converted value lands: UTC text without a zone, which the landing reads as UTC."""
    return instant.astimezone(UTC).strftime(TEXT_FORMAT)


def check_offset(sysdate_text: str, date_header: datetime, tz: tzinfo) -> None:
    """Stops the run when SYSDATE's local text is not the configured zone's time at the
    `Date` header's instant (give or take a minute)."""
    observed = datetime.strptime(sysdate_text, TEXT_FORMAT) - date_header.astimezone(UTC).replace(tzinfo=None)
    expected = date_header.astimezone(tz).utcoffset() or timedelta(0)
    if abs(observed - expected) > TOLERANCE:
        raise SourceFatalError(
            f"NetSuite's SYSDATE is {_offset(observed)} from its Date header, but {SETTING} = "
            f"{getattr(tz, 'key', tz)!s} is {_offset(expected)} now: set it to the integration user's time zone"
        )


def _offset(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

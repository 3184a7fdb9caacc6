"""`GET sobjects/{Obj}/deleted/?start=&end=`: records moved to the recycle bin in a window.

Choices (Salesforce documents the shape, not every edge):
- As in the SOAP getDeleted call, the seconds of `start` are ignored (truncated to the
  minute). An `end` later than now is clamped to now.
- The records served are those deleted in [start, end], so a deletion is visible at once.
- `latestDateCovered` is that end truncated to the minute. A client that takes it as its
  next `start` (as Salesforce recommends) sees every deletion at least once; deletions in
  the last partial minute may be served again by the next call.
- `earliestDateAvailable` is now − 15 days (to the minute); a `start` before it is 400
  INVALID_REPLICATION_DATE, as is `end` before `start`. A missing parameter is 400
  MISSING_ARGUMENT; an unparsable one 400 INVALID_REPLICATION_DATE.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sandboxes.common import timefmt
from sandboxes.salesforce.errors import SalesforceError, json_response
from sandboxes.salesforce.records import sobject_or_404
from sandboxes.store import Store

RETENTION_MS = 15 * 86_400_000
_MINUTE_MS = 60_000


def _instant(request: Request, name: str) -> int:
    text = request.query_params.get(name)
    if not text:
        raise SalesforceError(400, "MISSING_ARGUMENT", f"{name} not specified")
    try:
        return timefmt.parse_iso(text)
    except ValueError:
        raise SalesforceError(400, "INVALID_REPLICATION_DATE", f"{name}: invalid date/time format: {text}") from None


def router(store: Store) -> APIRouter:
    api = APIRouter(prefix="/services/data/v{version}")

    def deleted(request: Request, name: str) -> Response:
        sobject = sobject_or_404(name)
        start = _instant(request, "start") // _MINUTE_MS * _MINUTE_MS
        end = _instant(request, "end")
        now = store.now_ms()
        earliest = (now - RETENTION_MS) // _MINUTE_MS * _MINUTE_MS
        end = min(end, now)
        covered = end // _MINUTE_MS * _MINUTE_MS
        if start < earliest:
            raise SalesforceError(
                400,
                "INVALID_REPLICATION_DATE",
                f"startDate {timefmt.salesforce(start)} is before the earliest date available "
                f"{timefmt.salesforce(earliest)}",
            )
        if end < start:
            raise SalesforceError(400, "INVALID_REPLICATION_DATE", "startDate must chronologically precede endDate")
        rows = store.connect("salesforce").execute(
            f'SELECT "Id", "DeletedDate" FROM "{sobject.name}" WHERE "IsDeleted" = 1 '
            'AND "DeletedDate" >= ? AND "DeletedDate" <= ? ORDER BY "DeletedDate", rowid',
            (start, end),
        )
        return json_response(
            {
                "deletedRecords": [{"id": row[0], "deletedDate": timefmt.salesforce(row[1])} for row in rows],
                "earliestDateAvailable": timefmt.salesforce(earliest),
                "latestDateCovered": timefmt.salesforce(covered),
            }
        )

    @api.get("/sobjects/{name}/deleted/")
    def deleted_slash(request: Request, name: str) -> Response:
        return deleted(request, name)

    @api.get("/sobjects/{name}/deleted")
    def deleted_plain(request: Request, name: str) -> Response:
        return deleted(request, name)

    return api

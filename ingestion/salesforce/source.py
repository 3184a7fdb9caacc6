"""The Salesforce dlt source: Account, Opportunity, OpportunityLineItem, Contract and
Contract_Rate__c, landed incrementally on SystemModstamp with their deletions.

Each run, per object:
1. `describe` gives the field list (compound and binary fields left out), so a field the
   org adds is extracted from the next run on, and the landing contract (fields the org
   declares not nillable, numeric fields, the currency code) follows the org's metadata.
2. The window is half-open, `[start, end)`: `start` is the previous run's `end` (the
   beginning of time on the first run or a full refresh), `end` is the server's clock (the
   `Date` header of a cheap `limits` call, read once per run so all objects share it)
   minus `window_lag_seconds`. `queryAll` with
   `SystemModstamp >= start AND SystemModstamp < end ORDER BY SystemModstamp, Id` returns
   every version in it, soft-deleted ones included; records sharing the boundary
   timestamp belong to exactly one window, so nothing is missed or landed twice without
   any per-record state. Each page goes through `land()` as it arrives.
3. Deletes: a soft-deleted record comes back from `queryAll` with `IsDeleted = true` and
   its deletion's SystemModstamp, and `land()` marks it deleted at that time (contract
   `deleted_flag`). The deleted feed `sobjects/X/deleted` is read for the same window too,
   because a record emptied from the recycle bin no longer appears in `queryAll`: each id it
   reports that the `queryAll` pass did not return becomes a tombstone with the feed's
   `deletedDate`. Those tombstones are the warehouse's last landed row marked deleted
   (`reconcile.tombstones_for`), not a `land()` of the feed entry: the feed carries only
   the id and the date, and merging such a sparse row would blank every other column of
   the current state. The feed keeps 15 days; a window starting earlier skips it, since
   older deletions that were not purged are in `queryAll` anyway.
4. Key reconciliation (ids of `queryAll` against the live keys landed), every
   `reconcile_every` or when forced, catches records purged before the feed was read.

Why hand-written rather than dlt's declarative `rest_api`: the query is built per run from
`describe` and a window whose end comes from the server's clock, each page must pass
through `land()` (contract, lineage, history, quarantine), and the deleted feed is
cross-checked against what `queryAll` returned in the same run.

Why the window end lives in `dlt.current.resource_state()` rather than
`dlt.sources.incremental`: the window ends at the server's clock, not at the largest
cursor value seen (records committed after the clock reading must fall in the next
window even if a later SystemModstamp was seen), and a full refresh must restart the
window without dropping the tables and their history. The state is committed with the
load, so a run killed anywhere restarts from the last committed window.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
from dlt.extract.resource import DltResource
from dlt.extract.source import DltSource

from ingestion.config import SalesforceConfig
from ingestion.landing import (
    LINEAGE_COLUMNS,
    TableContract,
    coalesced,
    land,
    now_utc,
    quarantine_row,
    to_quarantine,
)
from ingestion.prefetch import prefetched
from ingestion.reconcile import is_due, mark_done, tombstones, tombstones_for
from ingestion.salesforce.client import SYSTEM, InvalidReplicationDate, SalesforceClient, soql_datetime
from ingestion.salesforce.objects import CURSOR, OBJECTS, PRIMARY_KEY, SalesforceObject, column_hints, contract_for

BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
# The deleted feed's retention, less a margin for its minute truncation and clock skew.
DELETED_FEED_REACH = timedelta(days=15) - timedelta(minutes=5)
_WINDOW_END = "window_end"

log = logging.getLogger(__name__)


def source(config: SalesforceConfig, full_refresh: bool = False, reconcile_all: bool = False) -> DltSource:
    """The Salesforce source for one run (what `ingestion.runner` calls)."""
    client = SalesforceClient(config)
    resources = [
        _object_resource(client, obj, config.reconcile_every, full_refresh, full_refresh or reconcile_all)
        for obj in OBJECTS
    ]
    return _salesforce(resources)


@dlt.source(name=SYSTEM, max_table_nesting=0)
def _salesforce(resources: list[DltResource]) -> list[DltResource]:
    return resources


def _object_resource(
    client: SalesforceClient,
    obj: SalesforceObject,
    reconcile_every: timedelta | None,
    full_refresh: bool,
    force_reconcile: bool,
) -> DltResource:
    def extract() -> Iterator[Any]:
        yield from coalesced(_object_items())

    def _object_items() -> Iterator[Any]:
        state = dlt.current.resource_state()
        fields = client.fields(obj.name)
        contract = contract_for(obj.table, fields)
        # Typed from describe before the first page: `land()`'s history table is a variant of
        # this resource and starts from a copy of its hints, so both tables get the same types.
        dlt.current.resource().apply_hints(columns={**column_hints(fields), **LINEAGE_COLUMNS})
        end = client.window_end()
        stored = None if full_refresh else state.get(_WINDOW_END)
        start = datetime.fromisoformat(stored) if stored else BEGINNING
        if start < end:
            yield from _window(client, obj, contract, [f["name"] for f in fields], start, end)
            state[_WINDOW_END] = end.isoformat()
        if is_due(reconcile_every, state, force=force_reconcile):
            yield from _purged(client, obj, contract)
            mark_done(state, now_utc())

    return dlt.resource(
        extract, name=obj.table, write_disposition="merge", primary_key=PRIMARY_KEY, columns=LINEAGE_COLUMNS
    )


def _window(
    client: SalesforceClient,
    obj: SalesforceObject,
    contract: TableContract,
    field_names: list[str],
    start: datetime,
    end: datetime,
) -> Iterator[Any]:
    """Every version in [start, end) from queryAll, then tombstones for the deleted feed's
    ids that queryAll did not return."""
    unseen_deletions = _deleted_feed(client, obj, start, end)
    soql = (
        f"SELECT {', '.join(field_names)} FROM {obj.name} "
        f"WHERE {CURSOR} >= {soql_datetime(start)} AND {CURSOR} < {soql_datetime(end)} "
        f"ORDER BY {CURSOR}, {PRIMARY_KEY}"
    )
    for page in prefetched(client.query_all(soql)):
        records, malformed = _split(page)
        if unseen_deletions:
            for record in records:
                unseen_deletions.pop(record.get(PRIMARY_KEY), None)
        yield from land(records, contract, SYSTEM)
        if malformed:
            yield to_quarantine(
                [quarantine_row(SYSTEM, contract, item, "not a JSON object", now_utc()) for item in malformed]
            )
    if unseen_deletions:
        yield from tombstones_for(contract, unseen_deletions)


def _deleted_feed(
    client: SalesforceClient, obj: SalesforceObject, start: datetime, end: datetime
) -> dict[str, datetime]:
    if start < client.server_now() - DELETED_FEED_REACH:
        return {}
    try:
        return client.deleted(obj.name, start, end)
    except InvalidReplicationDate as exc:
        log.warning("skipping the %s deleted feed for this window (%s); queryAll covers it", obj.name, exc)
        return {}


def _split(page: list[Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The page's records without their `attributes` (type and URL), and any item that is
    not a record at all."""
    records, malformed = [], []
    for item in page:
        if type(item) is dict:
            item.pop("attributes", None)
            records.append(item)
        else:
            malformed.append(item)
    return records, malformed


def _purged(client: SalesforceClient, obj: SalesforceObject, contract: TableContract) -> Iterator[Any]:
    """Tombstones for landed records whose ids queryAll no longer returns at all."""
    ids: set[str] = set()
    for page in client.query_all(f"SELECT {PRIMARY_KEY} FROM {obj.name}"):
        ids.update(item[PRIMARY_KEY] for item in page if type(item) is dict)
    yield from tombstones(contract, ids)

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
4. Key reconciliation (ids of `queryAll` against the live keys landed), on the registry's
   cadence (`objects.py`, daily; `SalesforceConfig.reconcile_every` may override it) or when
   forced, catches records purged before the feed was read.

The window, cursor state, reconciliation cadence and tombstones of steps 2 and 4 are the
shared skeleton's (`ingestion.source_skeleton`); this module fills in describe, queryAll
and the deleted feed.

Why hand-written rather than dlt's declarative `rest_api`: the query is built per run from
`describe` and a window whose end comes from the server's clock, each page must pass
through `land()` (contract, lineage, history, quarantine), and the deleted feed is
cross-checked against what `queryAll` returned in the same run.

"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
from dlt.extract.source import DltSource

from ingestion import source_skeleton
from ingestion.config import SalesforceConfig
from ingestion.landing import LINEAGE_COLUMNS, TableContract, land, now_utc, quarantine_row, to_quarantine
from ingestion.prefetch import prefetched
from ingestion.reconcile import tombstones_for
from ingestion.registry import LandedTable
from ingestion.salesforce.client import SYSTEM, InvalidReplicationDate, SalesforceClient, soql_datetime
from ingestion.salesforce.objects import CURSOR, PRIMARY_KEY, REGISTRY, column_hints, contract_for
from ingestion.source_skeleton import KeyListing, Run, Vendor, Window

BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
# The deleted feed's retention, less a margin for its minute truncation and clock skew.
DELETED_FEED_REACH = timedelta(days=15) - timedelta(minutes=5)

log = logging.getLogger(__name__)


def source(config: SalesforceConfig | None = None, run: Run | None = None) -> DltSource:
    """The Salesforce source for one run (`ingestion.runner` calls this)."""
    return source_skeleton.source(Salesforce(config or SalesforceConfig.resolve()), run or Run())


class Salesforce(Vendor[LandedTable]):
    registry = REGISTRY

    def __init__(self, config: SalesforceConfig) -> None:
        super().__init__(config.reconcile_every)
        self.client = SalesforceClient(config)

    def contract(self, table: LandedTable) -> TableContract:
        fields = self.client.fields(table.vendor_name)
        # Typed from describe before the first page: `land()`'s history table is a variant of
        # this resource and starts from a copy of its hints, so both tables get the same types.
        dlt.current.resource().apply_hints(columns={**column_hints(fields), **LINEAGE_COLUMNS})
        return contract_for(table.name, fields)

    def window_end(self, table: LandedTable) -> datetime:
        return self.client.window_end()

    def changes(self, table: LandedTable, contract: TableContract, window: Window) -> Iterator[Any]:
        """Every version in the window from queryAll (the contract's columns are describe's
        fields), then tombstones for the deleted feed's ids that queryAll did not return."""
        yield from _window(
            self.client, table.vendor_name, contract, list(contract.column_types), window.start or BEGINNING, window.end
        )

    def list_keys(
        self, table: LandedTable, contract: TableContract, window: Window, listing: KeyListing
    ) -> Iterator[Any]:
        """The ids queryAll still returns at all (records purged from the recycle bin are gone)."""
        for page in self.client.query_all(f"SELECT {PRIMARY_KEY} FROM {table.vendor_name}"):
            listing.keys.update(item[PRIMARY_KEY] for item in page if type(item) is dict)
        yield from ()


def _window(
    client: SalesforceClient,
    sobject: str,
    contract: TableContract,
    field_names: list[str],
    start: datetime,
    end: datetime,
) -> Iterator[Any]:
    """Every version in [start, end) from queryAll, then tombstones for the deleted feed's
    ids that queryAll did not return."""
    unseen_deletions = _deleted_feed(client, sobject, start, end)
    soql = (
        f"SELECT {', '.join(field_names)} FROM {sobject} "
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


def _deleted_feed(client: SalesforceClient, sobject: str, start: datetime, end: datetime) -> dict[str, datetime]:
    if start < client.server_now() - DELETED_FEED_REACH:
        return {}
    try:
        return client.deleted(sobject, start, end)
    except InvalidReplicationDate as exc:
        log.warning("skipping the %s deleted feed for this window (%s); queryAll covers it", sobject, exc)
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

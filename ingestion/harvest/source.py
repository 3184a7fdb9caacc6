"""The Harvest v2 dlt source: every table incremental on `updated_at`, hard deletes found by
key reconciliation, every page landed through the landing contract.

Why hand-written resources rather than dlt's `rest_api` source: `rest_api` would page
`links.next` and pass `updated_since` well, but its resources yield records straight into
their own tables, whereas every page here must go through `land()` (quarantine, lineage,
current state + history), be cut at a window end taken from Harvest's clock, and, on a
reconciliation pass, feed a key set into the tombstone step after the last page. With
`rest_api` that is a hidden resource plus a transformer doing all of that anyway; the
paging loop itself is ten lines (`client.py`).

The window, cursor state, reconciliation cadence and tombstones are the shared skeleton's
(`ingestion.source_skeleton`); this module fills in Harvest's clock, paging and stamps.

Incremental windows. Harvest has `updated_since` (inclusive, `>=`) and no upper bound, and
stamps `updated_at` in whole seconds, so many records share one. Each table's run reads
`[start, end)`: `updated_since=start` on the server, `< end` on the client, where `end` is
Harvest's clock (the `Date` header of a request made when the table's extraction starts)
minus `window_lag_seconds`; the next run starts at this `end`. A record stamped at or after
`end` (written during the run, or in the same second as the end) is simply read next run.

Deletes. Harvest deletes hard and keeps no tombstones, and a list is the only way to learn
which ids exist (there is no ids-only mode), so a reconciliation pass pages the whole table.
How often each table gets one is its registry entry's (`tables.py`: every run for the small
tables, nightly for time entries and expenses), which `HarvestConfig.reconcile_every` may
override; `reconcile_all` or a full refresh forces all.
Such a pass already holds every live record, so it replaces the incremental read: it lands
the records of the current window (stamped since the last run) and uses the rest only for
their ids, so the history stays a change log rather than a nightly copy of every time entry
(a full refresh lands everything). Each landed
live id the pass did not see becomes a tombstone, marked deleted as of the `Date` of the
listing's last page (when the deletion was noticed; Harvest does not say when it happened).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from dlt.common.schema.typing import TTableSchemaColumns
from dlt.sources import DltSource

from ingestion import source_skeleton
from ingestion.config import HarvestConfig
from ingestion.harvest.client import HarvestClient
from ingestion.harvest.tables import REGISTRY, HarvestTable, format_timestamp, parse_timestamp
from ingestion.landing import TableContract
from ingestion.prefetch import prefetched
from ingestion.source_skeleton import KeyListing, Run, Vendor, Window


def source(config: HarvestConfig | None = None, run: Run | None = None) -> DltSource:
    """The Harvest source for one run (`ingestion.runner` calls this)."""
    return source_skeleton.source(Harvest(config or HarvestConfig.resolve()), run or Run())


class Harvest(Vendor[HarvestTable]):
    registry = REGISTRY
    max_table_nesting = None  # `land()` flattens nested objects itself (the contract is `nested`)
    listing_lands_window = True  # Harvest has no ids-only mode: a key listing pages every record

    def __init__(self, config: HarvestConfig) -> None:
        super().__init__(config.reconcile_every)
        self.config = config
        self.client = HarvestClient(config)

    def column_hints(self, table: HarvestTable) -> TTableSchemaColumns:
        return table.column_hints

    def contract(self, table: HarvestTable) -> TableContract:
        return table.contract

    def window_end(self, table: HarvestTable) -> datetime:
        # Harvest's stamps are whole seconds, and so is the window's end.
        end = self.client.clock() - timedelta(seconds=self.config.window_lag_seconds)
        return end.replace(microsecond=0)

    def changes(self, table: HarvestTable, contract: TableContract, window: Window) -> Iterator[Any]:
        params = {"updated_since": format_timestamp(window.start)} if window.start else {}
        end_text = format_timestamp(window.end)
        for page in prefetched(self.client.pages(table.vendor_name, params)):
            yield from self.land_page(table, contract, before(page.records, end_text))

    def list_keys(
        self, table: HarvestTable, contract: TableContract, window: Window, listing: KeyListing
    ) -> Iterator[Any]:
        """Every record, for its key; those of the current window are landed too. Deletions
        are noticed as of the `Date` of the listing's last page (Harvest does not say when
        they happened)."""
        start_text = format_timestamp(window.start) if window.start else None
        end_text = format_timestamp(window.end)
        listing.noticed_at = window.end
        for page in prefetched(self.client.pages(table.vendor_name)):
            keys = (record.get(contract.primary_key) for record in page.records)
            listing.keys.update(str(key) for key in keys if key is not None)
            listing.noticed_at = page.server_time
            records = before(page.records, end_text)
            if start_text is not None:
                records = since(records, start_text)
            yield from self.land_page(table, contract, records)


def before(records: list[dict[str, Any]], end_text: str) -> list[dict[str, Any]]:
    """The records stamped before the window end; the rest belong to the next window.

    Harvest's stamps compare as text (fixed-width UTC); the rare stamp at or after the end
    is parsed to confirm it, so that a malformed one (text sorting after any date) is kept
    for `land()` to quarantine instead of being deferred forever."""
    return [
        record
        for record in records
        if not (type(stamp := record.get("updated_at")) is str and stamp >= end_text and _at_or_after(stamp, end_text))
    ]


def since(records: list[dict[str, Any]], start_text: str) -> list[dict[str, Any]]:
    """The records stamped at or after the window start (and any whose stamp is malformed,
    for `land()` to quarantine); older ones were landed by earlier runs."""
    return [
        record
        for record in records
        if not (
            type(stamp := record.get("updated_at")) is str and stamp < start_text and _at_or_after(start_text, stamp)
        )
    ]


def _at_or_after(stamp: str, end_text: str) -> bool:
    try:
        return parse_timestamp(stamp) >= parse_timestamp(end_text)
    except ValueError:
        return False

"""The Harvest v2 dlt source: every table incremental on `updated_at`, hard deletes found by
key reconciliation, every page landed through the landing contract.

Why hand-written resources rather than dlt's `rest_api` source: `rest_api` would page
`links.next` and pass `updated_since` well, but its resources yield records straight into
their own tables, whereas every page here must go through `land()` (quarantine, lineage,
current state + history), be cut at a window end taken from Harvest's clock, and, on a
reconciliation pass, feed a key set into the tombstone step after the last page. With
`rest_api` that is a hidden resource plus a transformer doing all of that anyway; the
paging loop itself is ten lines (`client.py`).

Incremental windows. Harvest has `updated_since` (inclusive, `>=`) and no upper bound, and
stamps `updated_at` in whole seconds, so many records share one. Each table's run reads
`[start, end)`: `updated_since=start` on the server, `< end` on the client, where `end` is
Harvest's clock (the `Date` header of a request made when the table's extraction starts)
minus `window_lag_seconds`; the next run starts at this `end`. A record stamped at or after
`end` (written during the run, or in the same second as the end) is simply read next run:
no gap, no duplicate, and no per-record de-duplication state. The cursor lives in
`dlt.current.resource_state()`, committed atomically with the load, so a run killed
anywhere restarts from the last committed window; it is managed by hand rather than with
`dlt.sources.incremental` because the window ends at the server's clock (not at the largest
value seen) and a full refresh must restart it without touching the landed history.

Deletes. Harvest deletes hard and keeps no tombstones, and a list is the only way to learn
which ids exist (there is no ids-only mode), so a reconciliation pass pages the whole table.
How often each table gets one is `HarvestConfig.reconcile_every` (every run for the small
tables, nightly for time entries and expenses; `reconcile_all` or a full refresh forces all).
Such a pass already holds every live record, so it replaces the incremental read: it lands
the records of the current window (stamped since the last run) and uses the rest only for
their ids, so the history stays a change log rather than a nightly copy of every time entry
(a full refresh lands everything). Each landed
live id the pass did not see becomes a tombstone, marked deleted as of the `Date` of the
listing's last page (when the deletion was noticed; Harvest does not say when it happened).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import dlt
from dlt.sources import DltResource, DltSource

from ingestion import reconcile
from ingestion.config import HarvestConfig
from ingestion.harvest.client import SYSTEM, HarvestClient
from ingestion.harvest.tables import COLUMN_HINTS, CONTRACTS, format_timestamp, parse_timestamp
from ingestion.landing import LINEAGE_COLUMNS, TableContract, coalesced, land, now_utc
from ingestion.prefetch import prefetched

CURSOR_STATE_KEY = "updated_since"


def source(config: HarvestConfig | None = None, full_refresh: bool = False, reconcile_all: bool = False) -> DltSource:
    """The Harvest source for one run (`ingestion.runner` calls this)."""
    config = config or HarvestConfig.resolve()
    return _harvest(config, full_refresh, reconcile_all)


@dlt.source(name=SYSTEM)
def _harvest(config: HarvestConfig, full_refresh: bool, reconcile_all: bool) -> list[DltResource]:
    client = HarvestClient(config)
    return [_resource(client, config, contract, full_refresh, reconcile_all) for contract in CONTRACTS.values()]


def _resource(
    client: HarvestClient, config: HarvestConfig, contract: TableContract, full_refresh: bool, reconcile_all: bool
) -> DltResource:
    @dlt.resource(
        name=contract.table,
        write_disposition="merge",
        primary_key=contract.primary_key,
        columns={**COLUMN_HINTS[contract.table], **LINEAGE_COLUMNS},
    )
    def pages() -> Iterator[Any]:
        yield from coalesced(_table_pages(client, config, contract, full_refresh, reconcile_all))

    return pages


def _table_pages(
    client: HarvestClient, config: HarvestConfig, contract: TableContract, full_refresh: bool, reconcile_all: bool
) -> Iterator[Any]:
    state = dlt.current.resource_state()
    end = client.clock() - timedelta(seconds=config.window_lag_seconds)
    end_text = format_timestamp(end)
    start_text = None if full_refresh else state.get(CURSOR_STATE_KEY)
    reconciling = reconcile.is_due(
        config.reconcile_every.get(contract.table), state, force=full_refresh or reconcile_all
    )
    if reconciling:
        params: dict[str, str] = {}
    elif start_text is not None and start_text >= end_text:
        return  # the clock has not passed the last window's end (a large lag, or a clock step back)
    else:
        params = {"updated_since": start_text} if start_text else {}

    live_ids: set[Any] = set()
    noticed_at = end
    for page in prefetched(client.pages(contract.table, params)):
        if reconciling:
            live_ids.update(record.get(contract.primary_key) for record in page.records)
            noticed_at = page.server_time
        records = before(page.records, end_text)
        if reconciling and start_text is not None:
            records = since(records, start_text)
        yield from land(records, contract, SYSTEM)

    if reconciling:
        yield from reconcile.tombstones(contract, (key for key in live_ids if key is not None), noticed_at)
        reconcile.mark_done(state, now_utc())
    if start_text is None or end_text > start_text:
        state[CURSOR_STATE_KEY] = end_text


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

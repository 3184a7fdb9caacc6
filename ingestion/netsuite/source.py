"""The NetSuite dlt source: subsidiary, currency, term, customer, job, item, charge,
transaction (invoices and customer payments) and transactionline, landed under their
SuiteQL names into `raw_netsuite`, merged on `id`, each page through `land()`.

Why hand-written resources rather than the declarative `rest_api` source: SuiteQL is a POST
whose body carries the query, each page is a new keyset query (see `queries.py`), values need
converting to their types before the contract checks, and every page goes through `land()`.

Incremental: one half-open window per run and table, `lastmodifieddate >= start AND < end`,
where `end` is the server's clock (the `Date` header of a request at run start) minus
`window_lag_seconds`, and the next run's `start` is this `end`. NetSuite stores whole
seconds, so a record stamped at the end itself is read by the next run: no gaps, no
duplicates, however many records share a timestamp, with no per-record state. The cursor
lives in `dlt.current.resource_state()`, committed atomically with the load, so a killed run
restarts from the last committed window. It is hand-managed rather than
`dlt.sources.incremental` because the window ends at the server's clock, not at the largest
value seen, and `full_refresh` must restart it without dropping the tables (history is kept).

Deletes: REST has no deleted-records feed, so each table's keys are reconciled (`SELECT id
… ORDER BY id`, keyset-paged) on the cadence `NetSuiteConfig.reconcile_every` sets (every run
for small tables, daily for charge and transactionline); `reconcile_all` and `full_refresh`
force all. A key the warehouse holds but NetSuite no longer has becomes a tombstone marked
deleted at the server time of the run.

Contract: SuiteQL sends strings and leaves nulls out. Every selected field missing from an
item is filled with None (so a null is not mistaken for a vanished field), and values are
converted to the field's type (`tables.py`); a value that does not convert, or a currency id
that is not one of NetSuite's currencies with a known ISO code, sends the record to the
quarantine with the reason; the rest of the page lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dlt
from dlt.extract.source import DltSource

from ingestion.config import NetSuiteConfig
from ingestion.landing import (
    FIELDS_SEEN,
    KNOWN_CURRENCIES,
    LINEAGE_COLUMNS,
    coalesced,
    land,
    now_utc,
    quarantine_row,
    to_quarantine,
)
from ingestion.netsuite.client import NetSuiteClient, server_time
from ingestion.netsuite.queries import discover_columns, keyset_pages, select_list, window_conditions
from ingestion.netsuite.tables import PRIMARY_KEY, SYSTEM, TABLES, NetSuiteTable
from ingestion.prefetch import prefetched
from ingestion.reconcile import is_due, mark_done, tombstones

_CURSOR_STATE = "window_end"


class NetSuiteRun:
    """What the tables of one run share, fetched once at the start: the server's clock and
    the currency ids a record may reference."""

    def __init__(self, config: NetSuiteConfig) -> None:
        self.config = config
        self.client = NetSuiteClient(config)
        self._server_now: datetime | None = None
        self._currency_ids: frozenset[str] = frozenset()

    def _started(self) -> NetSuiteRun:
        if self._server_now is None:
            _, response = self.client.suiteql("SELECT id FROM currency FETCH FIRST 1 ROWS ONLY", limit=1)
            server_now = server_time(response)
            ids: set[str] = set()
            for items in keyset_pages(self.client, "currency", "id, symbol", [], self.config.page_size):
                ids.update(item["id"] for item in items if item.get("symbol") in KNOWN_CURRENCIES)
            self._currency_ids = frozenset(ids)
            self._server_now = server_now
        return self

    @property
    def server_now(self) -> datetime:
        return self._started()._server_now  # type: ignore[return-value]

    @property
    def window_end(self) -> datetime:
        return self.server_now - timedelta(seconds=self.config.window_lag_seconds)

    @property
    def currency_ids(self) -> frozenset[str]:
        """Ids (as SuiteQL sends them, strings) of the currencies with a known ISO code."""
        return self._started()._currency_ids


def source(config: NetSuiteConfig | None = None, full_refresh: bool = False, reconcile_all: bool = False) -> DltSource:
    """The NetSuite source for one run (`full_refresh`: every table from the beginning and
    reconciled; `reconcile_all`: every table's keys reconciled now, whatever its cadence)."""
    run = NetSuiteRun(config or NetSuiteConfig.resolve())

    @dlt.source(name=SYSTEM, max_table_nesting=0)
    def netsuite() -> list[Any]:
        return [_resource(table, run, full_refresh, reconcile_all) for table in TABLES]

    return netsuite()


def _resource(table: NetSuiteTable, run: NetSuiteRun, full_refresh: bool, reconcile_all: bool) -> Any:
    def extract() -> Iterator[Any]:
        yield from coalesced(_table_items())

    def _table_items() -> Iterator[Any]:
        state = dlt.current.resource_state()
        config, client = run.config, run.client
        end = run.window_end
        stored = state.get(_CURSOR_STATE)
        if stored is None and not full_refresh:
            mark_done(state, now_utc())  # a first load lands every key there is: nothing to reconcile
        elif is_due(config.reconcile_every.get(table.name), state, force=full_refresh or reconcile_all):
            yield from _deletes(run, table)
            mark_done(state, now_utc())
        start = None if full_refresh or stored is None else datetime.fromisoformat(stored)
        if start is not None and start >= end:
            return  # the server's clock has not moved past the last window
        kinds = discover_columns(client, table, config.discover_columns)
        # SuiteQL leaves null fields out of its items: a field exists if it can be selected.
        FIELDS_SEEN.seen[(SYSTEM, table.name)].update(kinds)
        conditions = window_conditions(table, start, end)
        select = select_list(kinds, table.name)
        pages = keyset_pages(client, table.from_clause, select, conditions, config.page_size, table.key_column)
        for items in prefetched(pages):
            yield from _land_page(items, table, run.currency_ids)
        state[_CURSOR_STATE] = end.isoformat()

    # SuiteQL's strings become typed columns in `land()` (the contract declares each field's
    # type); the column hints make a field that is null everywhere still a typed column.
    return dlt.resource(
        extract,
        name=table.name,
        write_disposition="merge",
        primary_key=PRIMARY_KEY,
        columns={**table.column_hints(), **LINEAGE_COLUMNS},
    )


def _deletes(run: NetSuiteRun, table: NetSuiteTable) -> Iterator[Any]:
    """Tombstones for the landed records NetSuite no longer has (ids only, keyset-paged)."""
    scope = [table.scope] if table.scope else []
    keys = []
    select = f"{table.key_column} AS {PRIMARY_KEY}"
    for items in keyset_pages(run.client, table.from_clause, select, scope, run.config.page_size, table.key_column):
        keys += [item[PRIMARY_KEY] for item in items]
    yield from tombstones(table.contract, keys, noticed_at=run.server_now)


def _land_page(items: list[dict[str, Any]], table: NetSuiteTable, currency_ids: frozenset[str]) -> Iterator[Any]:
    """A page through `land()`, after the check only NetSuite needs: a currency reference
    must be to a currency with a known ISO code."""
    extracted_at = now_utc()
    rows: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    currency = table.currency_id
    for item in items:
        item.pop("links", None)
        code = item.get(currency) if currency else None
        if code is not None and code not in currency_ids:
            reason = f"unknown currency id {code} in {currency}"
            bad.append(quarantine_row(SYSTEM, table.contract, item, reason, extracted_at))
        else:
            rows.append(item)
    yield from land(rows, table.contract, SYSTEM, extracted_at)
    if bad:
        yield to_quarantine(bad)

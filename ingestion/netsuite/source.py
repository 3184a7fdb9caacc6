"""The NetSuite dlt source: subsidiary, currency, term, customer, job, item, charge,
transaction (invoices and customer payments) and transactionline, landed under their
SuiteQL names into `raw_netsuite`, merged on `id`, each page through `land()`.

Why hand-written resources rather than the declarative `rest_api` source: SuiteQL is a POST
whose body carries the query, each page is a new keyset query (see `queries.py`), values need
converting to their types before the contract checks, and every page goes through `land()`.

The window, cursor state, reconciliation cadence and tombstones are the shared skeleton's
(`ingestion.source_skeleton`); this module fills in NetSuite's clock, queries and paging.

Incremental: one half-open window per run and table, `lastmodifieddate >= start AND < end`,
where `end` is the server's clock (the `Date` header of a request at run start) minus
`window_lag_seconds`, and the next run's `start` is this `end`. NetSuite stores whole
seconds, so a record stamped at the end itself is read by the next run.

Deletes: REST has no deleted-records feed, so each table's keys are reconciled (`SELECT id
… ORDER BY id`, keyset-paged) on the registry's cadence (`tables.py`: every run for small
tables, daily for charge and transactionline; `NetSuiteConfig.reconcile_every` may override
it); `reconcile_all` and `full_refresh` force all. A key the warehouse holds but NetSuite no longer has becomes a tombstone marked
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

from dlt.common.schema.typing import TTableSchemaColumns
from dlt.sources import DltSource

from ingestion import source_skeleton
from ingestion.config import NetSuiteConfig
from ingestion.landing import FIELDS_SEEN, KNOWN_CURRENCIES, TableContract, land, now_utc, quarantine_row, to_quarantine
from ingestion.netsuite.client import NetSuiteClient, server_time
from ingestion.netsuite.queries import (
    discover_columns,
    joined_select_list,
    keyset_pages,
    select_list,
    window_conditions,
)
from ingestion.netsuite.tables import PRIMARY_KEY, REGISTRY, SYSTEM, NetSuiteTable
from ingestion.prefetch import prefetched
from ingestion.source_skeleton import KeyListing, Vendor, Window


def source(config: NetSuiteConfig | None = None, full_refresh: bool = False, reconcile_all: bool = False) -> DltSource:
    """The NetSuite source for one run (`ingestion.runner` calls this)."""
    return source_skeleton.source(NetSuite(config or NetSuiteConfig.resolve()), full_refresh, reconcile_all)


class NetSuite(Vendor[NetSuiteTable]):
    """One run's NetSuite; what its tables share is fetched once, as the first table starts:
    the server's clock and the currency ids a record may reference."""

    registry = REGISTRY

    def __init__(self, config: NetSuiteConfig) -> None:
        super().__init__(config.reconcile_every)
        self.config = config
        self.client = NetSuiteClient(config)
        self._server_now: datetime | None = None
        self._currency_ids: frozenset[str] = frozenset()

    def _started(self) -> NetSuite:
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
    def currency_ids(self) -> frozenset[str]:
        """Ids (as SuiteQL sends them, strings) of the currencies with a known ISO code."""
        return self._started()._currency_ids

    def column_hints(self, table: NetSuiteTable) -> TTableSchemaColumns:
        # SuiteQL's strings become typed columns in `land()` (the contract declares each
        # field's type); the hints make a field that is null everywhere still a typed column.
        return table.column_hints()  # type: ignore[return-value]

    def contract(self, table: NetSuiteTable) -> TableContract:
        return table.contract

    def window_end(self, table: NetSuiteTable) -> datetime:
        return self.server_now - timedelta(seconds=self.config.window_lag_seconds)

    def changes(self, table: NetSuiteTable, contract: TableContract, window: Window) -> Iterator[Any]:
        kinds = discover_columns(self.client, table, self.config.discover_columns)
        # SuiteQL leaves null fields out of its items: a field exists if it can be selected.
        FIELDS_SEEN.seen[(SYSTEM, table.name)].update([*kinds, *table.joined])
        conditions = window_conditions(table, window.start, window.end)
        select = select_list(kinds, table.name)
        if table.joined:
            select += ", " + joined_select_list(table.joined)
        pages = keyset_pages(
            self.client, table.from_clause, select, conditions, self.config.page_size, table.key_column
        )
        for items in prefetched(pages):
            yield from _land_page(items, table, self.currency_ids)

    def list_keys(
        self, table: NetSuiteTable, contract: TableContract, window: Window, listing: KeyListing
    ) -> Iterator[Any]:
        """Ids only, keyset-paged; deletions are noticed at the server time of the run."""
        scope = [table.scope] if table.scope else []
        select = f"{table.key_column} AS {PRIMARY_KEY}"
        pages = keyset_pages(self.client, table.from_clause, select, scope, self.config.page_size, table.key_column)
        for items in pages:
            listing.keys.update(item[PRIMARY_KEY] for item in items)
        listing.noticed_at = self.server_now
        yield from ()


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

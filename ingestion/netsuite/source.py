"""The NetSuite dlt source: subsidiary, currency, term, customer, job, item, charge,
transaction (invoices and customer payments) and transactionline, landed under their
SuiteQL names into `raw_netsuite`, merged on `id` (transaction lines on `uniquekey`: a line's
`id` is only its number within its transaction), each page through `land()`.

Why hand-written resources rather than the declarative `rest_api` source: SuiteQL is a POST
whose body carries the query, each page is a new keyset query (see `queries.py`), values need
converting to their types before the contract checks, and every page goes through `land()`.

The window, cursor state, reconciliation cadence and tombstones are the shared skeleton's
(`ingestion.source_skeleton`); this module fills in NetSuite's clock, queries and paging.

Incremental: one half-open window per run and table on its change stamp (`lastmodifieddate`;
`linelastmodifieddate` for transaction lines), `>= start AND < end`, where `end` is the
server's clock (the `Date` header of a request at run start) minus `window_lag_seconds`, and
the next run's `start` is this `end`. NetSuite stores whole seconds, so a record stamped at
the end itself is read by the next run.

Time zone: SuiteQL's dates and times are the integration user's local time
(`sources.netsuite.time_zone`, required; see `timezone.py`). The window is kept in UTC and
written as local literals; every datetime read lands converted to UTC. At run start SYSDATE
(rendered by TO_CHAR) is compared with the `Date` header, and a zone that disagrees by more
than a minute stops the run naming SOURCES__NETSUITE__TIME_ZONE. Across a fall-back hour the
local text of two instants is the same: a window is read in steps split at each fall-back
transition, each step's literals widened to unambiguous text and its rows resolved to the
instant inside the step (rows from outside it are dropped there and read by their own step),
so every version lands once with its UTC stamp. A first load (no start) asks the table's
earliest change stamp to know which transitions to step at.

Deletes: REST has no deleted-records feed, so each table's keys are reconciled (`SELECT id
… ORDER BY id`, keyset-paged) on the registry's cadence (`tables.py`: every run for small
tables, daily for charge and transactionline; `NetSuiteConfig.reconcile_every` may override
it); `reconcile_all` and `full_refresh` force all. A key the warehouse holds but NetSuite no longer has becomes a tombstone marked
deleted at the server time of the run.

Contract: SuiteQL sends strings and leaves nulls out. Every selected field missing from an
item is filled with None (so a null is not mistaken for a vanished field), and values are
converted to the field's type (`tables.py`); a value that does not convert, or a currency id
that is not one of the account's own currency records (read at run start) with an ISO 4217
code, sends the record to the quarantine with the reason; the rest of the page lands. A replay
(`ingestion.replay`) checks quarantined records against the currencies of its own run, so a
record waiting for a currency NetSuite has since been given lands then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo
from typing import Any

from dlt.common.schema.typing import TTableSchemaColumns
from dlt.sources import DltSource

from ingestion import source_skeleton
from ingestion.config import NetSuiteConfig
from ingestion.landing import (
    CURRENCY_CODES,
    FIELDS_SEEN,
    TableContract,
    land,
    now_utc,
    quarantine_row,
    to_quarantine,
)
from ingestion.netsuite import timezone
from ingestion.netsuite.client import NetSuiteClient, server_time
from ingestion.netsuite.queries import (
    discover_columns,
    keyset_pages,
    select_list,
    window_conditions,
)
from ingestion.netsuite.tables import DATETIME_MASK, REGISTRY, SYSTEM, NetSuiteTable
from ingestion.prefetch import prefetched
from ingestion.source_skeleton import KeyListing, Run, Vendor, Window


def source(config: NetSuiteConfig | None = None, run: Run | None = None) -> DltSource:
    """The NetSuite source for one run (`ingestion.runner` calls this)."""
    return source_skeleton.source(NetSuite(config or NetSuiteConfig.resolve()), run or Run())


class NetSuite(Vendor[NetSuiteTable]):
    """One run's NetSuite; what its tables share is fetched once, as the first table starts:
    the server's clock and the currency ids a record may reference."""

    registry = REGISTRY

    def __init__(self, config: NetSuiteConfig) -> None:
        super().__init__(config.reconcile_every)
        self.config = config
        self.tz = timezone.zone(config.time_zone)
        self.client = NetSuiteClient(config)
        self._server_now: datetime | None = None
        self._currency_ids: frozenset[str] = frozenset()

    def _started(self) -> NetSuite:
        if self._server_now is None:
            page, response = self.client.suiteql(
                f"SELECT TO_CHAR(SYSDATE, '{DATETIME_MASK}') AS servernow FROM currency FETCH FIRST 1 ROWS ONLY",
                limit=1,
            )
            server_now = server_time(response)
            for item in page["items"]:  # none only in an account without currencies
                timezone.check_offset(str(item.get("servernow")), server_now, self.tz)
            ids: set[str] = set()
            for items in keyset_pages(self.client, "currency", "id, symbol", [], self.config.page_size):
                ids.update(item["id"] for item in items if item.get("symbol") in CURRENCY_CODES)
            self._currency_ids = frozenset(ids)
            self._server_now = server_now
        return self

    @property
    def server_now(self) -> datetime:
        return self._started()._server_now  # type: ignore[return-value]

    @property
    def currency_ids(self) -> frozenset[str]:
        """Ids (as SuiteQL sends them, strings) of NetSuite's currencies with an ISO 4217 code."""
        return self._started()._currency_ids

    def land_page(self, table: NetSuiteTable, contract: TableContract, records: list[dict[str, Any]]) -> Iterator[Any]:
        yield from _land_page(records, table, self.currency_ids)

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
        select = select_list(kinds, table.name, table.joined)
        landed = {**kinds, **{name: kind for name, (_, kind) in table.joined.items()}}
        datetimes = [name for name, kind in landed.items() if kind == "datetime"]
        cursors = (table.cursor_field, *table.contract.also_versioned)
        for start, end in self._steps(table, window):
            lower, upper = timezone.step_literals(start, end, self.tz)
            conditions = window_conditions(table, lower, upper)
            pages = keyset_pages(
                self.client, table.from_clause, select, conditions, self.config.page_size, table.key_column, table.key
            )
            for items in prefetched(pages):
                inside = _to_utc(items, cursors, datetimes, self.tz, start, end)
                yield from self.land_page(table, contract, inside)

    def _steps(self, table: NetSuiteTable, window: Window) -> list[tuple[datetime | None, datetime]]:
        """The window split at each fall-back transition inside it (see the module docstring)."""
        earliest = window.start or self._earliest(table)
        cuts = timezone.fall_backs(earliest, window.end, self.tz) if earliest is not None else []
        starts: list[datetime | None] = [window.start, *cuts]
        return list(zip(starts, [*cuts, window.end], strict=True))

    def _earliest(self, table: NetSuiteTable) -> datetime | None:
        """A lower bound of the table's change stamps (None: no rows), for a window with no start."""
        where = f" WHERE {table.scope}" if table.scope else ""
        query = f"SELECT TO_CHAR(MIN({table.cursor_column}), '{DATETIME_MASK}') AS earliest FROM {table.from_clause}"
        page, _ = self.client.suiteql(query + where, limit=1)
        text = page["items"][0].get("earliest") if page["items"] else None
        return timezone.first_instant(text, self.tz) - timedelta(hours=1) if text else None

    def list_keys(
        self, table: NetSuiteTable, contract: TableContract, window: Window, listing: KeyListing
    ) -> Iterator[Any]:
        """Keys only (`uniquekey` for transaction lines), keyset-paged; deletions are noticed at
        the server time of the run."""
        scope = [table.scope] if table.scope else []
        select = f"{table.key_column} AS {table.key}"
        pages = keyset_pages(
            self.client, table.from_clause, select, scope, self.config.page_size, table.key_column, table.key
        )
        for items in pages:
            listing.keys.update(item[table.key] for item in items)
        listing.noticed_at = self.server_now
        yield from ()


def _to_utc(
    items: list[dict[str, Any]],
    cursors: tuple[str, ...],
    datetimes: list[str],
    tz: tzinfo,
    start: datetime | None,
    end: datetime,
) -> list[dict[str, Any]]:
    """The items one of whose change stamps (`cursors`: the table's own, then a joined
    record's) falls in `[start, end)`, with every datetime field's local text converted to UTC
    text: a stamp to its instant inside the step, the other fields to that instant when their
    text is the same, else to their first occurrence. An item whose own stamp is missing or
    unreadable is kept unconverted (the contract then quarantines it)."""
    kept = []
    for item in items:
        texts = [text for text in (item.get(c) for c in cursors) if isinstance(text, str)]
        if not isinstance(item.get(cursors[0]), str):
            kept.append(item)
            continue
        try:
            stamps = {text: timezone.in_window(text, tz, start, end) for text in texts}
        except ValueError:
            kept.append(item)
            continue
        inside = {text: stamp for text, stamp in stamps.items() if stamp is not None}
        if not inside:
            continue  # brought in by a widened literal: another step's row
        for name in datetimes:
            value = item.get(name)
            if not isinstance(value, str):
                continue
            try:
                instant = inside[value] if value in inside else timezone.first_instant(value, tz)
            except ValueError:
                continue  # not a time: the contract says so
            item[name] = timezone.utc_text(instant)
        kept.append(item)
    return kept


def _land_page(items: list[dict[str, Any]], table: NetSuiteTable, currency_ids: frozenset[str]) -> Iterator[Any]:
    """A page through `land()`, after the check only NetSuite needs: a currency reference
    must be to one of the account's currencies with an ISO 4217 code."""
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

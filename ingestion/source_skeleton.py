"""The one shape of every Concord dlt source; each vendor fills in what differs.

The skeleton owns, for every table of the system's registry (`ingestion.registry`):
- the window. Each run reads `[start, end)`: `start` is the previous run's `end` (the
  beginning of time on a first load or a full refresh), `end` is the vendor's clock minus
  the configured lag, so a record stamped at or after `end`, however many share that stamp,
  is read by the next run: no gap, no duplicate, no per-record state;
- the cursor: `end`, kept under `window_end` in `dlt.current.resource_state()` and committed
  atomically with the load, so a run killed anywhere restarts from the last committed
  window. It is managed by hand rather than with `dlt.sources.incremental` because the
  window ends at the server's clock (not at the largest value seen) and a full refresh must
  restart it without dropping the tables and their history;
- reconciliation of key sets, for deletes the vendor does not report: on the registry's
  cadence (a run's config may override it per table), or for every table on a full refresh
  or `reconcile_all`. A first load skips it: it lands every key there is;
- the tombstones: each landed live key a reconciliation did not list (`ingestion.reconcile`),
  unless they are too many of the table for the run's `DeleteGuard`;
- the replay of quarantined records (`ingestion.replay`), in a run of its own that reads no
  window and moves no cursor.

A vendor (a `Vendor` subclass) says how to reach its system: its clock, the contract each
table's records are checked against, how to read a window's changes (paging, queries,
timestamp formats, any deleted feed of its own) and how to list the keys it still has.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

import dlt
from dlt.common.schema.typing import TTableSchemaColumns
from dlt.sources import DltResource, DltSource

from core.settings import DEFAULT_MAX_DELETE_SHARE
from ingestion import reconcile
from ingestion.landing import LINEAGE_COLUMNS, TableContract, coalesced, land, now_utc
from ingestion.reconcile import DeleteGuard
from ingestion.registry import LandedTable, SystemRegistry
from ingestion.replay import QuarantineReplay

CURSOR_STATE_KEY = "window_end"
# Keys a source kept its cursor under before the sources shared this skeleton (Harvest's
# `updated_since`): read when `window_end` is absent, and replaced by it on the next save,
# so a warehouse landed by the older code carries on incrementally.
LEGACY_CURSOR_STATE_KEYS = ("updated_since",)

T = TypeVar("T", bound=LandedTable)


@dataclass(frozen=True)
class Window:
    """The half-open `[start, end)` of cursor values one run reads."""

    start: datetime | None  # None: from the beginning
    end: datetime

    @property
    def is_empty(self) -> bool:
        """Whether the clock has not passed the last window's end (a large lag, a clock step back)."""
        return self.start is not None and self.start >= self.end


@dataclass
class KeyListing:
    """What a reconciliation pass found: every key the vendor still has, and when it finished
    looking (None: now)."""

    keys: set[str] = field(default_factory=set)
    noticed_at: datetime | None = None


class Vendor(ABC, Generic[T]):
    """What one system's source fills in."""

    registry: ClassVar[SystemRegistry[Any]]
    # dlt's nesting of the items the source yields (None: dlt's default).
    max_table_nesting: ClassVar[int | None] = 0
    # True when a key listing pages whole records (no ids-only mode): the listing then lands
    # the window's records itself, and the window is not read a second time.
    listing_lands_window: ClassVar[bool] = False

    def __init__(self, reconcile_every: Mapping[str, timedelta | None]) -> None:
        self.reconcile_overrides = reconcile_every

    def reconcile_every(self, table: T) -> timedelta | None:
        """The table's cadence: the run's override if it has one, else the registry's."""
        return self.reconcile_overrides.get(table.name, table.reconcile_every)

    def column_hints(self, table: T) -> TTableSchemaColumns:
        """The columns known before any record arrives (the lineage columns are added)."""
        return {}

    @abstractmethod
    def contract(self, table: T) -> TableContract:
        """The table's contract, asked for as its extraction starts (a vendor that learns its
        fields at run time, Salesforce, describes the object here)."""

    @abstractmethod
    def window_end(self, table: T) -> datetime:
        """Where this run's window ends for the table: the vendor's clock minus the lag."""

    @abstractmethod
    def changes(self, table: T, contract: TableContract, window: Window) -> Iterator[Any]:
        """The landed items (through `ingestion.landing.land`) of every record in the window."""

    def land_page(self, table: T, contract: TableContract, records: list[dict[str, Any]]) -> Iterator[Any]:
        """One page of the table's records through the landing contract, with any check only
        this vendor needs (a quarantined record is replayed through it too)."""
        yield from land(records, contract, self.registry.system)

    @abstractmethod
    def list_keys(self, table: T, contract: TableContract, window: Window, listing: KeyListing) -> Iterator[Any]:
        """Fills `listing` with every key the vendor still has for the table; yields the
        window's landed items when the class sets `listing_lands_window`, else nothing."""


def stored_window_end(state: Mapping[str, Any]) -> datetime | None:
    """The end of the last committed window, under the current key or a legacy one."""
    for key in (CURSOR_STATE_KEY, *LEGACY_CURSOR_STATE_KEYS):
        if state.get(key):
            return datetime.fromisoformat(state[key])
    return None


def store_window_end(state: dict[str, Any], end: datetime) -> None:
    state[CURSOR_STATE_KEY] = end.isoformat()
    for key in LEGACY_CURSOR_STATE_KEYS:
        state.pop(key, None)


@dataclass(frozen=True)
class Run:
    """What one run of a source does besides reading each table's window."""

    full_refresh: bool = False  # read every window from the beginning (and reconcile every table)
    reconcile_all: bool = False  # reconcile every table's keys, whatever its cadence
    guard: DeleteGuard | None = None  # None: the default share, nothing confirmed
    replay: QuarantineReplay | None = None  # set: only replay the quarantine (no window, no cursor)


def source(vendor: Vendor[Any], run: Run) -> DltSource:
    """The dlt source of one run: a merge resource per registry table."""
    registry = vendor.registry
    guard = run.guard or DeleteGuard(registry.system, DEFAULT_MAX_DELETE_SHARE)

    @dlt.source(name=registry.system, max_table_nesting=vendor.max_table_nesting)
    def landed() -> list[DltResource]:
        return [_resource(vendor, table, run, guard) for table in registry.tables]

    return landed()


def _resource(vendor: Vendor[Any], table: LandedTable, run: Run, guard: DeleteGuard) -> DltResource:
    def extract() -> Iterator[Any]:
        if run.replay is not None:
            contract = vendor.contract(table)
            pages = run.replay.items(contract, lambda records: vendor.land_page(table, contract, records))
        else:
            pages = _table_items(vendor, table, run, guard)
        yield from coalesced(pages)

    return dlt.resource(
        extract,
        name=table.name,
        write_disposition="merge",
        primary_key=vendor.registry.key_of(table),
        columns={**vendor.column_hints(table), **LINEAGE_COLUMNS},
    )


def _table_items(vendor: Vendor[Any], table: LandedTable, run: Run, guard: DeleteGuard) -> Iterator[Any]:
    state = dlt.current.resource_state()
    contract = vendor.contract(table)
    stored = stored_window_end(state)
    window = Window(None if run.full_refresh else stored, vendor.window_end(table))
    reconciling = False
    if stored is None and not run.full_refresh:
        reconcile.mark_done(state, now_utc())  # a first load lands every key there is
    else:
        forced = run.full_refresh or run.reconcile_all or table.name in guard.confirmed
        reconciling = reconcile.is_due(vendor.reconcile_every(table), state, force=forced)
    if reconciling:
        listing = KeyListing()
        yield from vendor.list_keys(table, contract, window, listing)
        yield from reconcile.tombstones(contract, listing.keys, guard, listing.noticed_at)
        reconcile.mark_done(state, now_utc())
    if window.is_empty:
        return
    if not (reconciling and vendor.listing_lands_window):
        yield from vendor.changes(table, contract, window)
    store_window_end(state, window.end)

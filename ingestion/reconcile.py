"""Deletes for systems without tombstones (Harvest, NetSuite): a key-only reconciliation.

The source lists every key it still has (cheaply: ids only where the API allows), the
warehouse says which keys it holds as live, and each key the source no longer has becomes
a tombstone: the record's last landed values with `_concord_is_deleted` true and the time
the deletion was noticed, merged into the current state and appended to the history, so
the models can tell a deleted record from one that never existed.

A listing can succeed and still be partial (a permission changed, a token that sees only
some records): its missing keys would tombstone most of a table, and the write-back would
then create those records again in the other systems. So a reconciliation that would mark
more than a share of a table's live records deleted (`CONCORD_MAX_DELETE_SHARE`, 5% by
default; a few records always may be) marks none and reports the table (`DeleteGuard`);
`concord ingest --reconcile --confirm-deletes system.table` lands them in one run.

How often each table is reconciled is configuration (every run for small tables, nightly
for time entries); the last reconciliation time lives in the resource's dlt state, which
is committed with the load, so a killed run reconciles again next time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ingestion.landed import live_keys, normalized, rows_of
from ingestion.landing import DELETED_AT, EXTRACTED_AT, IS_DELETED, TableContract, now_utc, to_current

_STATE_KEY = "last_reconciled_at"
# A reconciliation may always delete this many records, whatever the share: in a table of a
# few dozen records one real deletion is several percent of it.
ALWAYS_ALLOWED_DELETES = 10


@dataclass(frozen=True)
class WithheldDeletes:
    """A reconciliation that would have deleted too much of a table, and so deleted nothing."""

    system: str
    table: str
    missing: int  # live records the listing did not return
    live: int  # live records the warehouse holds
    max_share: float

    @property
    def name(self) -> str:
        """The table as `concord ingest --confirm-deletes` names it."""
        return f"{self.system}.{self.table}"

    @property
    def message(self) -> str:
        return (
            f"{self.name}: the key listing lacks {self.missing:,} of its {self.live:,} live records "
            f"({self.missing / self.live:.0%}, above the {self.max_share:.0%} of CONCORD_MAX_DELETE_SHARE), "
            "so none was marked deleted (a partial listing, e.g. a token that sees less, would otherwise "
            "delete them all); if they really were deleted: "
            f"concord ingest --reconcile --confirm-deletes {self.name}"
        )


@dataclass
class DeleteGuard:
    """How much of a table one key reconciliation may mark deleted: more than `max_share` of
    its live records (and more than ALWAYS_ALLOWED_DELETES) is taken for a partial listing and
    lands no tombstone, unless the table is `confirmed` for this run. What it withheld is
    reported in `withheld`, per table."""

    system: str
    max_share: float
    confirmed: Collection[str] = ()  # tables of `system` whose deletes this run lands anyway
    withheld: dict[str, WithheldDeletes] = field(default_factory=dict)
    reconciled: set[str] = field(default_factory=set)  # tables whose keys this run compared

    def allows(self, table: str, missing: int, live: int) -> bool:
        if table in self.confirmed or missing <= max(ALWAYS_ALLOWED_DELETES, self.max_share * live):
            return True
        self.withheld[table] = WithheldDeletes(self.system, table, missing, live, self.max_share)
        return False


def is_due(interval: timedelta | None, state: dict[str, Any], force: bool = False) -> bool:
    """Whether a table's reconciliation should run now (None interval: never, unless forced)."""
    if force:
        return True
    if interval is None:
        return False
    last = state.get(_STATE_KEY)
    return last is None or now_utc() - datetime.fromisoformat(last) >= interval


def mark_done(state: dict[str, Any], at: datetime) -> None:
    state[_STATE_KEY] = at.isoformat()


def tombstones(
    contract: TableContract, source_keys: Iterable[str], guard: DeleteGuard, noticed_at: datetime | None = None
) -> Iterator[Any]:
    """Yields tombstones (current state + history) for landed keys missing from the source,
    unless the guard takes them for too many."""
    noticed_at = noticed_at or now_utc()
    live = live_keys(contract)
    missing = sorted(live - {str(k) for k in source_keys})
    guard.reconciled.add(contract.table)
    if not missing or not guard.allows(contract.table, len(missing), len(live)):
        return
    rows = [_tombstone(contract, row, noticed_at, noticed_at) for row in rows_of(contract, missing)]
    yield from to_current(rows, contract.table)


def tombstones_for(
    contract: TableContract, deleted_at: Mapping[str, datetime], noticed_at: datetime | None = None
) -> Iterator[Any]:
    """Yields tombstones for keys the source reports deleted, with the time each was deleted
    (e.g. Salesforce's deleted feed), among those the warehouse still holds as live."""
    noticed_at = noticed_at or now_utc()
    live = sorted(live_keys(contract) & {str(k) for k in deleted_at})
    if not live:
        return
    key = normalized(contract.primary_key)
    rows = [_tombstone(contract, row, deleted_at[str(row[key])], noticed_at) for row in rows_of(contract, live)]
    yield from to_current(rows, contract.table)


def _tombstone(contract: TableContract, row: dict[str, Any], deleted_at: datetime, noticed_at: datetime) -> dict:
    """The last landed row, marked deleted (and the vendor's own deleted flag set, if it has one)."""
    tomb = {k: v for k, v in row.items() if not k.startswith("_dlt_")}
    if contract.deleted_flag:
        tomb[normalized(contract.deleted_flag)] = True
    tomb[IS_DELETED] = True
    tomb[DELETED_AT] = deleted_at
    tomb[EXTRACTED_AT] = noticed_at
    return tomb

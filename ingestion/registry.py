"""The shape of each system's registry of the tables it lands: the one place a landed table is
declared.

Each system declares its registry beside its source (`ingestion/salesforce/objects.py`,
`ingestion/harvest/tables.py`, `ingestion/netsuite/tables.py`): per table, its name in
`raw_<system>`, what the vendor's API calls it, its description, how often its keys are
reconciled, and whatever the vendor's source needs to read and check it (column types, the
quarantine contract). Everything else that lists landed tables is derived from the registry
or checked against it: the dlt resources (`ingestion.source_skeleton`), the Dagster landing
assets, the dbt sources YAML (`ingestion.dbt_sources` writes it), the sandbox report and the
tests' comparison of warehouse and sandboxes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from ingestion.landing import HISTORY_SUFFIX, QUARANTINE_TABLE

QUARANTINE_DESCRIPTION = (
    "Records that broke their table's contract and did not land: system, table, record key, the "
    "reason and the raw payload (`concord ingest --replay-quarantine` lands those the contract "
    "now accepts). Created with the first record quarantined."
)

# Where each system's registry is declared (`REGISTRY` in each module).
_REGISTRY_MODULES = {
    "salesforce": "ingestion.salesforce.objects",
    "harvest": "ingestion.harvest.tables",
    "netsuite": "ingestion.netsuite.tables",
}

# The reconciliation cadences the registries use.
EVERY_RUN = timedelta(0)
DAILY = timedelta(days=1)


@dataclass(frozen=True, kw_only=True)
class LandedTable:
    """One table a system lands."""

    name: str  # the table in `raw_<system>` (its change log is `<name>_history`)
    description: str
    # How often its keys are reconciled to find hard deletes: timedelta(0) every run, None only
    # on a full refresh or `reconcile_all`. A run's config may override it per table.
    reconcile_every: timedelta | None
    api_name: str | None = None  # what the vendor's API calls it, when that differs from `name`
    # The description of `<name>_history` when the dbt project reads the change log too.
    history_description: str | None = None
    # The table's own key and change stamp, when they are not the system's (NetSuite's
    # transaction lines: `uniquekey`, `linelastmodifieddate`); see `SystemRegistry.key_of`.
    primary_key: str | None = None
    cursor: str | None = None

    @property
    def vendor_name(self) -> str:
        return self.api_name or self.name


T = TypeVar("T", bound=LandedTable)


@dataclass(frozen=True)
class SystemRegistry(Generic[T]):
    """Every table one system lands, and what they share."""

    system: str
    description: str  # the system's landed dataset, as dbt documents its source
    primary_key: str  # the vendor's key field, shared by every table that does not name its own
    cursor: str  # the vendor's field that changes with every version (likewise)
    tables: tuple[T, ...]

    def key_of(self, table: LandedTable) -> str:
        """The field a table's records are merged and reconciled on."""
        return table.primary_key or self.primary_key

    def cursor_of(self, table: LandedTable) -> str:
        """The field a table's windows are read on."""
        return table.cursor or self.cursor

    def asset_key(self, table: str) -> list[str]:
        """The Dagster asset key of a landed table, which its dbt source also declares."""
        return ["raw", self.system, table]

    def table(self, name: str) -> T:
        [found] = [table for table in self.tables if table.name == name]
        return found

    def modelled_tables(self) -> list[tuple[str, str]]:
        """(table, description) of each table the dbt project reads: every landed table, the
        change logs declared as read, and the quarantine (its exceptions)."""
        found = []
        for table in self.tables:
            found.append((table.name, table.description))
            if table.history_description:
                found.append((table.name + HISTORY_SUFFIX, table.history_description))
        found.append((QUARANTINE_TABLE, QUARANTINE_DESCRIPTION))
        return found


def registry(system: str) -> SystemRegistry[LandedTable]:
    return importlib.import_module(_REGISTRY_MODULES[system]).REGISTRY


def registries() -> dict[str, SystemRegistry[LandedTable]]:
    return {system: registry(system) for system in _REGISTRY_MODULES}

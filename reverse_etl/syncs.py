"""The syncs, derived from the ownership file (`dbt_project/seeds/ownership.csv`): one per
(target system, entity) that some field names as a receiver. The same file decides the golden
records' survivorship in dbt, so what is written where is declared once.

A sync `<system>__<entity>s` reads its dbt model `marts.sync_<system>__<entity>s` (the rows
whose desired values differ from what the target holds as last landed). Syncs run parents
first: customers before projects before time before expenses, and within an entity the ERP
before the PSA before the CRM (a PSA client or project may need the ERP record to exist).

A record to create may need more than the values the ownership file routes to it: what gives
it its identity in the target (a Harvest project's name and code, a Harvest client's address
block) and its parent's id there (the Harvest client a project belongs to). `CREATE_FIELDS`
names those; a sync model may send them on a create, never on an update. A create whose parent
does not exist yet (as landed) names it instead with a `requires:<sync>` field holding the
parent's sync key: the engine writes the child only once Concord has written that parent, and
hands the child the parent's new id under the parent sync's `id_field`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ConcordError

OWNERSHIP_FILE = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "ownership.csv"
ENTITY_ORDER = ("customer", "project", "time_entry", "expense", "invoice")
SYSTEM_ORDER = ("netsuite", "harvest", "salesforce")
CONFLICT_POLICIES = ("authority_wins", "hold_on_conflict")
REQUIRES = "requires:"  # a create's parent, by sync and sync key: `requires:<sync>` = <its sync key>
# Per (target, entity): the fields that identify a record to create there besides the owned ones.
CREATE_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("harvest", "customer"): ("billing_address",),
    ("harvest", "project"): ("project_name", "project_code", "harvest_client_id"),
}
# Per (target, entity): the canonical field naming a record's id in that target (the ownership
# file's names for the cross-system ids), how a child receives its parent's new id.
ID_FIELDS: dict[tuple[str, str], str] = {
    ("netsuite", "customer"): "netsuite_customer_id",
    ("harvest", "customer"): "harvest_client_id",
    ("harvest", "project"): "harvest_project_id",
    ("salesforce", "customer"): "salesforce_account_id",
}


@dataclass(frozen=True)
class FieldOwnership:
    entity: str
    field: str
    authority: str
    receivers: tuple[str, ...]
    conflict_policy: str


@dataclass(frozen=True)
class Sync:
    target: str  # the system written to
    entity: str
    fields: tuple[str, ...]  # canonical fields the ownership file sends to this target

    @property
    def name(self) -> str:
        plural = self.entity[:-1] + "ies" if self.entity.endswith("y") else self.entity + "s"
        return f"{self.target}__{plural}"

    @property
    def model(self) -> str:
        """The dbt model that plans this sync."""
        return f"sync_{self.name}"

    @property
    def create_fields(self) -> tuple[str, ...]:
        """Fields a create may carry besides the owned ones: the record's identity and parents."""
        return CREATE_FIELDS.get((self.target, self.entity), ())

    @property
    def id_field(self) -> str | None:
        """The canonical field holding this sync's record ids (what a child is handed)."""
        return ID_FIELDS.get((self.target, self.entity))


@cache
def ownership(path: Path = OWNERSHIP_FILE) -> dict[tuple[str, str], FieldOwnership]:
    """(entity, field) -> who owns it, who receives it, and what to do on a conflict."""
    rows: dict[tuple[str, str], FieldOwnership] = {}
    with path.open(newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            policy = row["conflict_policy"].strip()
            if policy not in CONFLICT_POLICIES:
                raise ConcordError(
                    f"{path.name} line {line}: conflict_policy {policy!r} is not one of {', '.join(CONFLICT_POLICIES)}"
                )
            rows[(row["entity"], row["field"])] = FieldOwnership(
                entity=row["entity"],
                field=row["field"],
                authority=row["authority"],
                receivers=tuple(row["receivers"].split()),
                conflict_policy=policy,
            )
    return rows


def syncs(path: Path = OWNERSHIP_FILE) -> list[Sync]:
    """Every sync the ownership file implies, parents first."""
    fields: dict[tuple[str, str], list[str]] = {}
    for owned in ownership(path).values():
        for receiver in owned.receivers:
            if receiver == owned.authority:
                raise ConcordError(
                    f"{path.name}: {owned.entity}.{owned.field} names {receiver} as its owner and receiver"
                )
            fields.setdefault((receiver, owned.entity), []).append(owned.field)
    found = [Sync(target, entity, tuple(names)) for (target, entity), names in fields.items()]
    return sorted(found, key=_run_order)


def find(name: str, path: Path = OWNERSHIP_FILE) -> Sync:
    for sync in syncs(path):
        if sync.name == name:
            return sync
    known = ", ".join(s.name for s in syncs(path))
    raise ConcordError(f"no sync named {name!r}; the ownership file implies: {known}")


def _run_order(sync: Sync) -> tuple[int, int, str]:
    entity = ENTITY_ORDER.index(sync.entity) if sync.entity in ENTITY_ORDER else len(ENTITY_ORDER)
    system = SYSTEM_ORDER.index(sync.target) if sync.target in SYSTEM_ORDER else len(SYSTEM_ORDER)
    return entity, system, sync.name

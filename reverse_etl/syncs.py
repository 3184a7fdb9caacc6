"""The syncs, derived from the ownership file (`dbt_project/seeds/ownership.csv`): one per
(target system, entity) that some field names as a receiver. The same file decides the golden
records' survivorship in dbt, so what is written where is declared once.

A sync `<system>__<entity>s` reads its dbt model `marts.sync_<system>__<entity>s` (the rows
whose desired values differ from what the target holds as last landed). Syncs run parents
first: customers before projects before time, and within an entity the ERP before the PSA
before the CRM (a PSA client or project may need the ERP record to exist).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from concord.errors import ConcordError

OWNERSHIP_FILE = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "ownership.csv"
ENTITY_ORDER = ("customer", "project", "time_entry", "invoice")
SYSTEM_ORDER = ("netsuite", "harvest", "salesforce")
CONFLICT_POLICIES = ("authority_wins", "hold_on_conflict")


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

"""The systems Concord connects, and the names people know them by."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ConcordError


@dataclass(frozen=True)
class System:
    name: str  # the key used everywhere: config sections, schemas, asset keys
    product: str  # the vendor's product, as a person would write it
    role: str  # what the firm uses it for

    @property
    def label(self) -> str:
        return f"{self.product} ({self.role})"

    @property
    def raw_schema(self) -> str:
        """Where its landed tables live in the warehouse."""
        return f"raw_{self.name}"


REGISTRY: dict[str, System] = {
    system.name: system
    for system in (
        System("salesforce", "Salesforce", "CRM"),
        System("harvest", "Harvest", "PSA"),
        System("netsuite", "NetSuite", "ERP"),
    )
}
SYSTEMS: tuple[str, ...] = tuple(REGISTRY)


def system(name: str) -> System:
    if name not in REGISTRY:
        raise ConcordError(f"unknown system {name!r}; use one of {', '.join(SYSTEMS)}")
    return REGISTRY[name]

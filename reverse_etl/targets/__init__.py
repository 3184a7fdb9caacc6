"""The systems Concord writes to, one Target per vendor (see `base.py` for the contract)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from core.systems import SYSTEMS
from reverse_etl.targets.base import Target


def configured_target(system: str) -> Target:
    """The Target of one system, configured like ingestion (`.dlt/config.toml`, `secrets.toml`,
    `SOURCES__<SYSTEM>__*` environment variables); a missing setting is a ConcordError naming it."""
    from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig
    from reverse_etl.targets.harvest import HarvestTarget
    from reverse_etl.targets.netsuite import NetSuiteTarget
    from reverse_etl.targets.salesforce import SalesforceTarget

    if system == "salesforce":
        return SalesforceTarget(SalesforceConfig.resolve())
    if system == "harvest":
        return HarvestTarget(HarvestConfig.resolve())
    if system == "netsuite":
        return NetSuiteTarget(NetSuiteConfig.resolve())
    raise KeyError(system)


class ConfiguredTargets(Mapping[str, Target]):
    """Every system's Target, each configured when a sync first needs it: a run of Harvest's
    syncs needs Harvest's credentials only."""

    def __init__(self) -> None:
        self._built: dict[str, Target] = {}

    def __getitem__(self, system: str) -> Target:
        if system not in SYSTEMS:
            raise KeyError(system)
        if system not in self._built:
            self._built[system] = configured_target(system)
        return self._built[system]

    def __iter__(self) -> Iterator[str]:
        return iter(SYSTEMS)

    def __len__(self) -> int:
        return len(SYSTEMS)


def configured_targets() -> ConfiguredTargets:
    return ConfiguredTargets()

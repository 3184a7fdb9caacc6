"""The systems Concord writes to, one Target per vendor (see `base.py` for the contract)."""

from __future__ import annotations

from reverse_etl.targets.base import Target


def configured_targets() -> dict[str, Target]:
    """A Target per system, configured like ingestion (`.dlt/config.toml`, `secrets.toml`,
    `SOURCES__<SYSTEM>__*` environment variables)."""
    from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig
    from reverse_etl.targets.harvest import HarvestTarget
    from reverse_etl.targets.netsuite import NetSuiteTarget
    from reverse_etl.targets.salesforce import SalesforceTarget

    return {
        "salesforce": SalesforceTarget(SalesforceConfig.resolve()),
        "harvest": HarvestTarget(HarvestConfig.resolve()),
        "netsuite": NetSuiteTarget(NetSuiteConfig.resolve()),
    }

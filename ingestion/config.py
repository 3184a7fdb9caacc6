"""How to reach each source system: base URL, credentials, paging and patience.

Every value is dlt's `sources.<system>.<key>`: the environment (`SOURCES__HARVEST__ACCESS_TOKEN`,
`SOURCES__NETSUITE__BASE_URL`, ...), `.dlt/secrets.toml` (git-ignored) or `.dlt/config.toml`.
There are no built-in credentials and no built-in hosts: a base URL or credential that is not
set is a one-line error naming the setting. `concord sandbox up` writes the local sandboxes'
values to `.dlt/secrets.toml` the same way an administrator writes a real vendor's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import Any, TypeVar

import dlt

from core.errors import ConcordError

Config = TypeVar("Config")


def resolve_config(cls: type[Config], system: str, secrets: tuple[str, ...], **overrides: Any) -> Config:
    """`cls` filled from dlt's `sources.<system>.*` values over its defaults, then `overrides`.
    Only fields of plain types (text, numbers) are read from config; `secrets` name the ones
    read from the secrets providers, and every field whose default is empty text must be set."""
    values: dict[str, Any] = {}
    missing = []
    for spec in fields(cls):  # type: ignore[arg-type]
        if spec.name in overrides or spec.type not in ("str", "int", "float"):
            continue
        provider = dlt.secrets if spec.name in secrets else dlt.config
        value = provider.get(f"sources.{system}.{spec.name}")
        if value not in (None, ""):
            values[spec.name] = {"str": str, "int": int, "float": float}[spec.type](value)
        elif spec.default == "":
            missing.append(spec.name)
    if missing:
        names = ", ".join(f"SOURCES__{system.upper()}__{name.upper()}" for name in missing)
        raise ConcordError(
            f"{system} is not configured: set {names} (or sources.{system}.* in .dlt/secrets.toml; "
            "`concord sandbox up` writes the local sandboxes' values there)"
        )
    return cls(**{**values, **overrides})


@dataclass
class HttpSettings:
    """How patient the clients are: attempts and backoff for 429/5xx/timeouts/drops."""

    max_attempts: int = 8
    backoff_factor: float = 0.2
    max_retry_delay_seconds: float = 20.0
    timeout_seconds: float = 60.0
    verify: str | bool = True  # a CA bundle path for the sandboxes' --tls mode


@dataclass
class SalesforceConfig:
    base_url: str = ""  # https://yourdomain.my.salesforce.com
    api_version: str = "62.0"
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""
    batch_size: int = 2000
    # Windows end this long before the server's clock, for records committed late with an
    # earlier SystemModstamp (0 against the sandboxes; a few seconds against a busy org).
    window_lag_seconds: float = 0.0
    # Per-run overrides of how often an object's key set is reconciled (table -> interval;
    # None: only when forced); the cadence itself is in the registry, `salesforce/objects.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def resolve(cls, **overrides: Any) -> SalesforceConfig:
        return resolve_config(
            cls, "salesforce", secrets=("client_id", "client_secret", "username", "password"), **overrides
        )


@dataclass
class HarvestConfig:
    base_url: str = ""  # https://api.harvestapp.com/v2
    access_token: str = ""
    account_id: str = ""
    user_agent: str = "Concord ingestion (data-team@example.com)"
    per_page: int = 2000
    window_lag_seconds: float = 0.0  # end each window this far behind the server's clock
    # Per-run overrides of how often a table's key set is reconciled (table -> interval;
    # timedelta(0): every run; None: only when forced); the cadence itself is in the
    # registry, `harvest/tables.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def resolve(cls, **overrides: Any) -> HarvestConfig:
        return resolve_config(cls, "harvest", secrets=("access_token", "account_id"), **overrides)


@dataclass
class NetSuiteConfig:
    base_url: str = ""  # https://1234567.suitetalk.api.netsuite.com/services/rest
    account_id: str = ""
    client_id: str = ""
    client_secret: str = ""
    page_size: int = 1000  # SuiteQL's maximum `limit`
    window_lag_seconds: int = 0  # windows end this far behind the server's clock
    # Per-run overrides of how often a table's keys are reconciled to find hard deletes (table
    # -> interval; None: only when forced); the cadence itself is in the registry, `netsuite/tables.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    discover_columns: bool = True  # also select vendor fields the connector does not know yet
    http: HttpSettings = field(default_factory=HttpSettings)
    # The integration user's time zone (IANA name, e.g. America/New_York), as set in its
    # NetSuite preferences: SuiteQL reads and writes dates and times in it. Required, no
    # default: a wrong zone would silently shift every window (a run checks it at start).
    time_zone: str = ""

    @classmethod
    def resolve(cls, **overrides: Any) -> NetSuiteConfig:
        return resolve_config(cls, "netsuite", secrets=("account_id", "client_id", "client_secret"), **overrides)

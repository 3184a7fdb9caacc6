"""Where the warehouse is and how to reach each system.

Values resolve in this order: explicit arguments, dlt config/secrets (environment variables
such as `SOURCES__SALESFORCE__CLIENT_SECRET`, or `.dlt/secrets.toml`, git-ignored), then
the local sandboxes' defaults, so a fresh clone talks to `concord sandbox up` unconfigured.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import dlt
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from concord.errors import ConcordError
from sandboxes.settings import DEFAULT_PORTS, HarvestSettings, NetSuiteSettings, SalesforceSettings

DEFAULT_WAREHOUSE = Path(".concord") / "warehouse.duckdb"
DEFAULT_PIPELINES_DIR = Path(".concord") / "dlt"
WAREHOUSE_KINDS = ("duckdb", "postgres")


def _setting(system: str, key: str, default: Any, secret: bool = False) -> Any:
    """dlt config/secret `sources.<system>.<key>`, else the default."""
    provider = dlt.secrets if secret else dlt.config
    value = provider.get(f"sources.{system}.{key}")
    return default if value in (None, "") else value


def postgres_credentials(dsn: str) -> PostgresCredentials:
    """dlt's credentials for a connection string. A DSN without a password (trust or peer auth,
    ~/.pgpass) is valid for PostgreSQL, but dlt would re-resolve the missing password from its
    config whenever it opens a new client, and fail: it gets an empty one instead."""
    credentials = PostgresCredentials(dsn)
    if credentials.password is None:
        credentials.password = ""
    return credentials


@dataclass
class Warehouse:
    """The destination of every pipeline: one DuckDB file, or a PostgreSQL database."""

    kind: str = "duckdb"
    duckdb_path: Path = DEFAULT_WAREHOUSE
    postgres_dsn: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in WAREHOUSE_KINDS:
            raise ConcordError(f"unknown warehouse {self.kind!r}; set CONCORD_WAREHOUSE to duckdb or postgres")
        if self.kind == "postgres" and not self.postgres_dsn:
            raise ConcordError(
                "the postgres warehouse needs a connection string: set CONCORD_POSTGRES_DSN "
                "(e.g. postgresql://user@127.0.0.1:5432/concord)"
            )

    def destination(self) -> Any:
        if self.kind == "duckdb":
            self.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=str(self.duckdb_path))
        return dlt.destinations.postgres(credentials=postgres_credentials(self.postgres_dsn or ""))

    @property
    def file_format(self) -> str:
        # DuckDB loads Parquet natively and fast; PostgreSQL loads through COPY of CSV.
        return "parquet" if self.kind == "duckdb" else "csv"

    def describe(self) -> str:
        if self.kind == "duckdb":
            return f"DuckDB {self.duckdb_path}"
        return "PostgreSQL " + (self.postgres_dsn or "").split("@")[-1]

    @classmethod
    def from_env(cls) -> Warehouse:
        kind = os.environ.get("CONCORD_WAREHOUSE", "duckdb")
        path = Path(os.environ.get("CONCORD_DUCKDB_PATH", str(DEFAULT_WAREHOUSE)))
        dsn = os.environ.get("CONCORD_POSTGRES_DSN") or dlt.secrets.get("destination.postgres.credentials")
        return cls(kind=kind, duckdb_path=path, postgres_dsn=dsn if isinstance(dsn, str) else None)


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
    base_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['salesforce']}"
    api_version: str = "62.0"
    client_id: str = field(default_factory=lambda: SalesforceSettings().client_id)
    client_secret: str = field(default_factory=lambda: SalesforceSettings().client_secret)
    username: str = field(default_factory=lambda: SalesforceSettings().username)
    password: str = field(default_factory=lambda: SalesforceSettings().password)
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
        d = cls()
        values = {
            "base_url": _setting("salesforce", "base_url", d.base_url),
            "api_version": str(_setting("salesforce", "api_version", d.api_version)),
            "client_id": _setting("salesforce", "client_id", d.client_id, secret=True),
            "client_secret": _setting("salesforce", "client_secret", d.client_secret, secret=True),
            "username": _setting("salesforce", "username", d.username, secret=True),
            "password": _setting("salesforce", "password", d.password, secret=True),
            "batch_size": int(_setting("salesforce", "batch_size", d.batch_size)),
            "window_lag_seconds": float(_setting("salesforce", "window_lag_seconds", d.window_lag_seconds)),
        }
        return cls(**{**values, **overrides})


@dataclass
class HarvestConfig:
    base_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['harvest']}/v2"
    access_token: str = field(default_factory=lambda: HarvestSettings().access_token)
    account_id: str = field(default_factory=lambda: HarvestSettings().account_id)
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
        d = cls()
        values = {
            "base_url": _setting("harvest", "base_url", d.base_url),
            "access_token": _setting("harvest", "access_token", d.access_token, secret=True),
            "account_id": str(_setting("harvest", "account_id", d.account_id, secret=True)),
            "user_agent": _setting("harvest", "user_agent", d.user_agent),
            "window_lag_seconds": float(_setting("harvest", "window_lag_seconds", d.window_lag_seconds)),
        }
        return cls(**{**values, **overrides})


@dataclass
class NetSuiteConfig:
    base_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['netsuite']}/services/rest"
    account_id: str = field(default_factory=lambda: NetSuiteSettings().account_id)
    client_id: str = field(default_factory=lambda: NetSuiteSettings().client_id)
    client_secret: str = field(default_factory=lambda: NetSuiteSettings().client_secret)
    page_size: int = 1000  # SuiteQL's maximum `limit`
    window_lag_seconds: int = 0  # windows end this far behind the server's clock
    # Per-run overrides of how often a table's keys are reconciled to find hard deletes (table
    # -> interval; None: only when forced); the cadence itself is in the registry, `netsuite/tables.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    discover_columns: bool = True  # also select vendor fields the connector does not know yet
    http: HttpSettings = field(default_factory=HttpSettings)

    @classmethod
    def resolve(cls, **overrides: Any) -> NetSuiteConfig:
        d = cls()
        values = {
            "base_url": _setting("netsuite", "base_url", d.base_url),
            "account_id": _setting("netsuite", "account_id", d.account_id, secret=True),
            "client_id": _setting("netsuite", "client_id", d.client_id, secret=True),
            "client_secret": _setting("netsuite", "client_secret", d.client_secret, secret=True),
            "window_lag_seconds": int(_setting("netsuite", "window_lag_seconds", d.window_lag_seconds)),
        }
        return cls(**{**values, **overrides})

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
    read from the secrets providers. Which settings must be set is the class's
    `missing_settings()` if it has one (settings that depend on a chosen auth flow; a name
    `a|b` means either will do), else every field whose default is empty text."""
    values: dict[str, Any] = {}
    for spec in fields(cls):  # type: ignore[arg-type]
        if spec.name in overrides or spec.type not in ("str", "int", "float"):
            continue
        provider = dlt.secrets if spec.name in secrets else dlt.config
        value = provider.get(f"sources.{system}.{spec.name}")
        if value not in (None, ""):
            values[spec.name] = {"str": str, "int": int, "float": float}[spec.type](value)
    config = cls(**{**values, **overrides})
    checker = getattr(config, "missing_settings", None)
    if checker is not None:
        missing = list(checker())
    else:
        missing = [spec.name for spec in fields(cls) if spec.default == "" and getattr(config, spec.name) == ""]  # type: ignore[arg-type]
    if missing:
        names = ", ".join(_setting_names(system, name) for name in missing)
        raise ConcordError(
            f"{system} is not configured: set {names} (or sources.{system}.* in .dlt/secrets.toml; "
            "`concord sandbox up` writes the local sandboxes' values there)"
        )
    return config


def _setting_names(system: str, name: str) -> str:
    first, *others = (f"SOURCES__{system.upper()}__{n.upper()}" for n in name.split("|"))
    return f"{first} (or {', '.join(others)})" if others else first


@dataclass
class HttpSettings:
    """How patient the clients are: attempts and backoff for 429/5xx/timeouts/drops."""

    max_attempts: int = 8
    backoff_factor: float = 0.2
    max_retry_delay_seconds: float = 20.0
    timeout_seconds: float = 60.0
    verify: str | bool = True  # a CA bundle path for the sandboxes' --tls mode


SALESFORCE_AUTH_FLOWS = ("jwt_bearer", "client_credentials", "password")
SALESFORCE_SECRETS = ("client_id", "client_secret", "username", "password", "private_key", "private_key_path")


@dataclass
class SalesforceConfig:
    """How Concord logs in to the org (`auth_flow`) and reads it.

    - `jwt_bearer` (default): a JWT signed with the private key of the certificate uploaded
      to the connected app; needs `client_id` (the consumer key), `username` (the
      integration user, pre-authorized for the app) and `private_key` (PEM text) or
      `private_key_path`. `login_url` is both the token endpoint's host and the JWT's `aud`.
    - `client_credentials`: `client_id` and `client_secret` against the org's My Domain
      (`base_url`); the token runs as the connected app's run-as user.
    - `password` (blocked by default in new orgs; only when chosen): `base_url`,
      `client_id`, `client_secret`, `username` and `password` (+ security token).

    API calls go to the `instance_url` the login answers with.
    """

    base_url: str = ""  # My Domain, https://yourdomain.my.salesforce.com (client_credentials, password)
    auth_flow: str = "jwt_bearer"
    login_url: str = "https://login.salesforce.com"  # https://test.salesforce.com for sandbox orgs
    api_version: str = "62.0"
    client_id: str = ""
    client_secret: str = ""
    username: str = ""
    password: str = ""
    private_key: str = ""  # PEM text of the connected app certificate's private key
    private_key_path: str = ""  # ... or the path of a PEM file holding it
    batch_size: int = 2000
    # Windows end this long before the server's clock, for records committed late with an
    # earlier SystemModstamp (0 against the sandboxes; a few seconds against a busy org).
    window_lag_seconds: float = 0.0
    # Per-run overrides of how often an object's key set is reconciled (table -> interval;
    # None: only when forced); the cadence itself is in the registry, `salesforce/objects.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)

    def missing_settings(self) -> list[str]:
        """The settings the chosen flow needs that are not set (`auth_flow` itself if unknown)."""
        if self.auth_flow not in SALESFORCE_AUTH_FLOWS:
            return ["auth_flow"]
        needed = {
            "jwt_bearer": ("client_id", "username", "login_url"),
            "client_credentials": ("base_url", "client_id", "client_secret"),
            "password": ("base_url", "client_id", "client_secret", "username", "password"),
        }[self.auth_flow]
        missing = [name for name in needed if not getattr(self, name)]
        if self.auth_flow == "jwt_bearer" and not (self.private_key or self.private_key_path):
            missing.append("private_key_path|private_key")
        return missing

    @classmethod
    def resolve(cls, **overrides: Any) -> SalesforceConfig:
        return resolve_config(cls, "salesforce", secrets=SALESFORCE_SECRETS, **overrides)


HARVEST_TOKEN_URL = "https://id.getharvest.com/api/v2/oauth2/token"


@dataclass
class HarvestConfig:
    """Harvest's personal access token, or an OAuth 2.0 (authorization code) access token
    with its `refresh_token`, `client_id` and `client_secret`: then an expired token (a 401,
    or `token_expires_at` passed) is refreshed at `token_url` and the request retried once.
    The refreshed tokens are kept in memory only; a long-lived deployment stores the
    refresh token in its secret store."""

    base_url: str = ""  # https://api.harvestapp.com/v2
    access_token: str = ""
    account_id: str = ""
    refresh_token: str = ""
    client_id: str = ""  # the OAuth2 application's (Harvest ID > Developers)
    client_secret: str = ""
    token_url: str = HARVEST_TOKEN_URL
    token_expires_at: float = 0.0  # the access token's expiry (epoch seconds; 0: unknown)
    user_agent: str = "Concord ingestion (data-team@example.com)"
    per_page: int = 2000
    window_lag_seconds: float = 0.0  # end each window this far behind the server's clock
    # Per-run overrides of how often a table's key set is reconciled (table -> interval;
    # timedelta(0): every run; None: only when forced); the cadence itself is in the
    # registry, `harvest/tables.py`.
    reconcile_every: dict[str, timedelta | None] = field(default_factory=dict)
    http: HttpSettings = field(default_factory=HttpSettings)

    @property
    def refreshable(self) -> bool:
        return bool(self.refresh_token)

    def missing_settings(self) -> list[str]:
        missing = [name for name in ("base_url", "account_id") if not getattr(self, name)]
        if self.refresh_token:
            missing += [name for name in ("client_id", "client_secret", "token_url") if not getattr(self, name)]
        elif not self.access_token:
            missing.append("access_token")  # or refresh_token with client_id and client_secret
        return missing

    @classmethod
    def resolve(cls, **overrides: Any) -> HarvestConfig:
        return resolve_config(
            cls,
            "harvest",
            secrets=("access_token", "account_id", "refresh_token", "client_id", "client_secret"),
            **overrides,
        )


NETSUITE_ALGORITHMS = ("PS256", "PS384", "PS512", "ES256", "ES384", "ES512")  # the JWT algorithms NetSuite accepts
NETSUITE_SECRETS = ("account_id", "client_id", "certificate_id", "private_key", "private_key_path")


def netsuite_base_url(account_id: str) -> str:
    """The REST web services root of a NetSuite account: `1234567` ->
    https://1234567.suitetalk.api.netsuite.com/services/rest; a sandbox account `1234567_SB1`
    -> https://1234567-sb1.suitetalk.api.netsuite.com/services/rest (lower case, `_` -> `-`)."""
    host = account_id.strip().lower().replace("_", "-")
    return f"https://{host}.suitetalk.api.netsuite.com/services/rest"


@dataclass
class NetSuiteConfig:
    """NetSuite's OAuth 2.0 client credentials (machine-to-machine) login: a JWT signed with
    the private key of the certificate mapped to the integration record."""

    base_url: str = ""  # derived from account_id when not set (the sandboxes set their loopback URL)
    account_id: str = ""  # 1234567, or 1234567_SB1 for a sandbox account
    client_id: str = ""  # the integration record's client id: the JWT's `iss`
    certificate_id: str = field(default="", repr=False)  # the Certificate ID of the M2M mapping: the JWT's `kid`
    private_key: str = field(default="", repr=False)  # the certificate's private key as PEM text, or:
    private_key_path: str = ""  # a PEM file holding it (one of the two is required)
    algorithm: str = "PS256"  # one of NETSUITE_ALGORITHMS (RSA-PSS or ECDSA; NetSuite refuses RS256)
    scope: str = "rest_webservices"  # comma-separated: rest_webservices, restlets, suite_analytics
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

    def __post_init__(self) -> None:
        if not self.base_url and self.account_id:
            self.base_url = netsuite_base_url(self.account_id)

    def missing_settings(self) -> list[str]:
        """The settings that are not set: the login's, and the user's time zone (`base_url`
        follows from `account_id`)."""
        required = ("account_id", "client_id", "certificate_id", "time_zone")
        missing = [name for name in required if not getattr(self, name)]
        if not (self.private_key or self.private_key_path):
            missing.append("private_key_path|private_key")
        return missing

    @classmethod
    def resolve(cls, **overrides: Any) -> NetSuiteConfig:
        return resolve_config(cls, "netsuite", secrets=NETSUITE_SECRETS, **overrides)

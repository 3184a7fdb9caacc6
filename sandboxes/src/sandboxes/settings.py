"""Start-up settings of the three sandbox servers: ports, credentials, limits, faults, TLS.

The credentials are the sandbox's own and are printed by `concord sandbox up`; they are
not secrets of any real system. Each can be overridden from the environment
(`CONCORD_SANDBOX_<NAME>`), so a test can prove that a wrong credential is refused.
NetSuite's login key pair is not a setting: it is generated into the store when the NetSuite
sandbox starts (`sandboxes.netsuite.keys`), and only the path of its private key is handed out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sandboxes.common.faults import FaultRates
from sandboxes.netsuite.keys import private_key_path as netsuite_private_key_path
from sandboxes.salesforce.keys import key_files as salesforce_key_files
from sandboxes.store import DEFAULT_STORE_DIR

SYSTEMS = ("salesforce", "harvest", "netsuite")  # the sandboxes served; Concord keeps its own list
DEFAULT_PORTS = {"salesforce": 8701, "harvest": 8702, "netsuite": 8703}


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CONCORD_SANDBOX_{name}", default)


@dataclass
class SalesforceSettings:
    """The org and its connected app. `client_id` is the app's consumer key, `username` the
    integration user (pre-authorized for the app: the JWT bearer flow's `sub`, and the client
    credentials flow's run-as user)."""

    client_id: str = field(default_factory=lambda: _env("SALESFORCE_CLIENT_ID", "concord-sandbox-client"))
    client_secret: str = field(default_factory=lambda: _env("SALESFORCE_CLIENT_SECRET", "sf-sandbox-secret"))
    username: str = field(default_factory=lambda: _env("SALESFORCE_USERNAME", "integration@concord.sandbox"))
    password: str = field(default_factory=lambda: _env("SALESFORCE_PASSWORD", "sf-sandbox-password"))
    # Other users of the org: they exist but never approved the connected app.
    unapproved_users: tuple[str, ...] = ("analyst@concord.sandbox",)
    # The certificate uploaded to the connected app (PEM); "": the one generated in the store
    # directory with its private key (`salesforce/keys.py`).
    certificate_path: str = field(default_factory=lambda: _env("SALESFORCE_CERTIFICATE_PATH", ""))
    # The login URLs a JWT's `aud` may name; the sandbox's own base URL is accepted too (it
    # plays the login server at its own address).
    login_urls: tuple[str, ...] = ("https://login.salesforce.com", "https://test.salesforce.com")
    # The connected app's client credentials flow runs as `username`; False: no run-as user set.
    client_credentials_run_as: bool = True
    # New orgs block the OAuth username-password flow (Setup > OAuth and OpenID Connect Settings).
    password_flow_enabled: bool = False
    api_version: str = "62.0"
    daily_api_limit: int = 1_000_000
    default_batch_size: int = 2000
    session_timeout_seconds: float = 7200.0  # idle time after which a token is refused
    max_open_cursors: int = 10  # per Salesforce user; opening another releases the oldest
    cursor_ttl_seconds: float = 900.0  # a query locator expires after 15 idle minutes
    # Custom fields describe leaves out ('Account.Tax_ID__c'): an org not yet set up for Concord.
    fields_not_created: tuple[str, ...] = ()


@dataclass
class HarvestSettings:
    access_token: str = field(default_factory=lambda: _env("HARVEST_TOKEN", "harvest-sandbox-token"))
    account_id: str = field(default_factory=lambda: _env("HARVEST_ACCOUNT_ID", "1234567"))
    rate_limit_requests: int = 100
    rate_limit_window_seconds: float = 15.0
    rate_limit_enabled: bool = True
    authenticated_user_id: int | None = None  # the token's user; None: the first administrator
    # An OAuth2 application (Harvest ID > Developers) and the refresh token its authorization
    # code was exchanged for; access tokens from `POST /api/v2/oauth2/token` expire.
    oauth_client_id: str = field(default_factory=lambda: _env("HARVEST_OAUTH_CLIENT_ID", "concord-harvest-oauth"))
    oauth_client_secret: str = field(default_factory=lambda: _env("HARVEST_OAUTH_CLIENT_SECRET", "hv-oauth-secret"))
    oauth_refresh_token: str = field(default_factory=lambda: _env("HARVEST_REFRESH_TOKEN", "harvest-sandbox-refresh"))
    oauth_access_token_ttl_seconds: float = 1_209_600.0  # [unverified] 14 days
    company_name: str = "Concord Consulting"


@dataclass
class NetSuiteCertificate:
    """A certificate mapped to an integration record (NetSuite's OAuth 2.0 Client Credentials
    (M2M) Setup): the public key a client's JWT is verified with, and the client id it serves."""

    public_key_pem: str  # an X.509 certificate or a public key, PEM
    client_id: str  # the integration record the certificate is mapped to (the JWT's `iss`)


@dataclass
class NetSuiteSettings:
    account_id: str = field(default_factory=lambda: _env("NETSUITE_ACCOUNT_ID", "1234567_SB1"))
    client_id: str = field(default_factory=lambda: _env("NETSUITE_CLIENT_ID", "concord-netsuite-client"))
    # The Certificate ID of the key pair generated in the store (`netsuite/keys.py`), mapped to client_id.
    certificate_id: str = field(default_factory=lambda: _env("NETSUITE_CERTIFICATE_ID", "concord-sandbox-m2m-cert"))
    # More mappings (Certificate ID -> certificate), e.g. a test's own key pair.
    certificates: dict[str, NetSuiteCertificate] = field(default_factory=dict)
    scopes: tuple[str, ...] = ("rest_webservices", "restlets", "suite_analytics")  # what the integration allows
    concurrency_limit: int = 5
    token_ttl_seconds: int = 3600
    # The integration user's time zone (an IANA name; NetSuite's user preferences), in which
    # SuiteQL reads and writes dates and times. Not UTC by default, with daylight saving, so
    # every test meets NetSuite's local times.
    time_zone: str = field(default_factory=lambda: _env("NETSUITE_TIME_ZONE", "America/New_York"))


@dataclass
class SandboxSettings:
    store_dir: Path = DEFAULT_STORE_DIR
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    tls: bool = False
    fault_seed: int = 0
    faults: dict[str, FaultRates] = field(default_factory=lambda: {s: FaultRates() for s in SYSTEMS})
    salesforce: SalesforceSettings = field(default_factory=SalesforceSettings)
    harvest: HarvestSettings = field(default_factory=HarvestSettings)
    netsuite: NetSuiteSettings = field(default_factory=NetSuiteSettings)

    def source_credentials(self, system: str) -> dict[str, str]:
        """The credentials a client of this system's sandbox presents (and, for NetSuite, the
        integration user's time zone), under the names of Concord's `sources.<system>.*`
        settings. Salesforce's are the JWT bearer flow's (the key pairs are generated in the
        store directory when the sandboxes start); its `login_url` is the running server's
        address (`SandboxCluster.source_settings`)."""
        return {
            "salesforce": lambda s: {
                "auth_flow": "jwt_bearer",
                "client_id": s.client_id,
                "username": s.username,
                "private_key_path": str(salesforce_key_files(self.store_dir).private_key),
            },
            "harvest": lambda s: {"access_token": s.access_token, "account_id": s.account_id},
            "netsuite": lambda s: {
                "account_id": s.account_id,
                "client_id": s.client_id,
                "certificate_id": s.certificate_id,
                "private_key_path": str(netsuite_private_key_path(self.store_dir)),
                "time_zone": s.time_zone,
            },
        }[system](getattr(self, system))

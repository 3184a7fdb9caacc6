"""Start-up settings of the three sandbox servers: ports, credentials, limits, faults, TLS.

The credentials are the sandbox's own and are printed by `concord sandbox up`; they are
not secrets of any real system. Each can be overridden from the environment
(`CONCORD_SANDBOX_<NAME>`), so a test can prove that a wrong credential is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sandboxes.common.faults import FaultRates
from sandboxes.store import DEFAULT_STORE_DIR

SYSTEMS = ("salesforce", "harvest", "netsuite")  # the sandboxes served; Concord keeps its own list
DEFAULT_PORTS = {"salesforce": 8701, "harvest": 8702, "netsuite": 8703}


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CONCORD_SANDBOX_{name}", default)


@dataclass
class SalesforceSettings:
    client_id: str = field(default_factory=lambda: _env("SALESFORCE_CLIENT_ID", "concord-sandbox-client"))
    client_secret: str = field(default_factory=lambda: _env("SALESFORCE_CLIENT_SECRET", "sf-sandbox-secret"))
    username: str = field(default_factory=lambda: _env("SALESFORCE_USERNAME", "integration@concord.sandbox"))
    password: str = field(default_factory=lambda: _env("SALESFORCE_PASSWORD", "sf-sandbox-password"))
    api_version: str = "62.0"
    daily_api_limit: int = 1_000_000
    default_batch_size: int = 2000
    session_timeout_seconds: float = 7200.0  # idle time after which a token is refused
    max_open_cursors: int = 10  # per Salesforce user; opening another releases the oldest
    cursor_ttl_seconds: float = 900.0  # a query locator expires after 15 idle minutes


@dataclass
class HarvestSettings:
    access_token: str = field(default_factory=lambda: _env("HARVEST_TOKEN", "harvest-sandbox-token"))
    account_id: str = field(default_factory=lambda: _env("HARVEST_ACCOUNT_ID", "1234567"))
    rate_limit_requests: int = 100
    rate_limit_window_seconds: float = 15.0
    rate_limit_enabled: bool = True
    authenticated_user_id: int | None = None  # the token's user; None: the first administrator
    company_name: str = "Concord Consulting"


@dataclass
class NetSuiteSettings:
    account_id: str = field(default_factory=lambda: _env("NETSUITE_ACCOUNT_ID", "1234567_SB1"))
    client_id: str = field(default_factory=lambda: _env("NETSUITE_CLIENT_ID", "concord-netsuite-client"))
    client_secret: str = field(default_factory=lambda: _env("NETSUITE_CLIENT_SECRET", "ns-sandbox-secret"))
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
        integration user's time zone), under the names of Concord's `sources.<system>.*` settings."""
        return {
            "salesforce": lambda s: {
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "username": s.username,
                "password": s.password,
            },
            "harvest": lambda s: {"access_token": s.access_token, "account_id": s.account_id},
            "netsuite": lambda s: {
                "account_id": s.account_id,
                "client_id": s.client_id,
                "client_secret": s.client_secret,
                "time_zone": s.time_zone,
            },
        }[system](getattr(self, system))

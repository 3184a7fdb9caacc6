"""Fixtures for the write-back tests: one `test`-size firm served by all three sandboxes
(module-scoped: generating and serving it once keeps the target tests fast), the targets'
configs pointing at it, and plain API readers to check what a write did."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, HarvestSettings, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import HarvestConfig, HttpSettings, NetSuiteConfig, SalesforceConfig
from ingestion.netsuite.client import NetSuiteClient
from ingestion.salesforce.client import SalesforceClient
from reverse_etl.ledger import now_utc
from tests.conftest import StartSandboxes

# Harvest's throttle in these tests: the real 100 per 15 s, scaled down to keep tests short.
HARVEST_LIMIT = 25
HARVEST_WINDOW_SECONDS = 1.0

# Patient enough to outlast 20% injected faults, quick enough for a test.
FAST_RETRIES = HttpSettings(max_attempts=8, backoff_factor=0.01, max_retry_delay_seconds=0.2, timeout_seconds=15)


@dataclass
class TargetSandboxes:
    """The firm's store and the three sandboxes serving it."""

    store_dir: Path
    cluster: SandboxCluster

    def salesforce_config(self, **overrides: Any) -> SalesforceConfig:
        return SalesforceConfig(**{**self.cluster.source_settings()["salesforce"], "http": FAST_RETRIES, **overrides})

    def harvest_config(self, **overrides: Any) -> HarvestConfig:
        return HarvestConfig(**{**self.cluster.source_settings()["harvest"], "http": FAST_RETRIES, **overrides})

    def netsuite_config(self, **overrides: Any) -> NetSuiteConfig:
        return NetSuiteConfig(**{**self.cluster.source_settings()["netsuite"], "http": FAST_RETRIES, **overrides})

    def faults(self, system: str, rates: FaultRates, seed: int = 0) -> None:
        self.cluster.running[system].injector.set(rates, seed=seed)

    def sql(self, system: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
        """Reads the store directly (the ground truth behind the APIs)."""
        store = Store(self.store_dir)
        try:
            return [tuple(row) for row in store.connect(system).execute(query, args).fetchall()]
        finally:
            store.close()

    # -- reading records back through the vendors' APIs ------------------------------------

    def salesforce_record(self, sobject: str, record_id: str) -> dict[str, Any]:
        client = SalesforceClient(self.salesforce_config())
        return client.get(f"{client.api}/sobjects/{sobject}/{record_id}")

    def harvest_client(self, client_id: str | int) -> dict[str, Any]:
        config = self.harvest_config()
        headers = {
            "Authorization": f"Bearer {config.access_token}",
            "Harvest-Account-Id": config.account_id,
            "User-Agent": "Concord tests",
        }
        for _ in range(10):  # the test throttle is tight: wait out a 429 like a client should
            response = requests.get(f"{config.base_url}/clients/{client_id}", headers=headers, timeout=15)
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        response.raise_for_status()
        return response.json()

    def netsuite_customer(self, customer_id: str | int, expand: bool = False) -> dict[str, Any]:
        config = self.netsuite_config()
        token = NetSuiteClient(config).fetch_token()
        response = requests.get(
            f"{config.base_url}/record/v1/customer/{customer_id}",
            params={"expandSubResources": "true"} if expand else None,
            headers={"Authorization": f"Bearer {token}"},
            timeout=15,
        )
        response.raise_for_status()
        return response.json()

    def netsuite_address_book(self, customer_id: str | int) -> list[dict[str, Any]]:
        """The customer's address book lines, as the record API serves them expanded."""
        return self.netsuite_customer(customer_id, expand=True)["addressBook"]["items"]

    def netsuite_billing_address(self, customer_id: str | int) -> dict[str, Any]:
        """The address of the customer's default billing line."""
        [line] = [line for line in self.netsuite_address_book(customer_id) if line["defaultBilling"]]
        return line["addressBookAddress"]


@pytest.fixture(scope="module")
def target_sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TargetSandboxes]:
    root = tmp_path_factory.mktemp("retl_targets")
    store = Store(root / "sandbox").create()
    generate(store, size="test", seed=7)
    store.close()
    settings = SandboxSettings(
        store_dir=root / "sandbox",
        ports={s: 0 for s in SYSTEMS},
        harvest=HarvestSettings(rate_limit_requests=HARVEST_LIMIT, rate_limit_window_seconds=HARVEST_WINDOW_SECONDS),
    )
    cluster = SandboxCluster(settings=settings).start()
    try:
        yield TargetSandboxes(root / "sandbox", cluster)
    finally:
        cluster.stop()


@pytest.fixture
def vendors(target_sandboxes: TargetSandboxes) -> Iterator[TargetSandboxes]:
    """The shared sandboxes, with faults switched off again after each test."""
    yield target_sandboxes
    for system in SYSTEMS:
        target_sandboxes.faults(system, FaultRates())


# -- one Harvest sandbox of its own and a hand-made sync model (engine and CLI tests) ----

MODEL = "marts.sync_harvest__customers"


def serve_test_firm(tmp_path: Path, start_sandboxes: StartSandboxes, *systems: str, **overrides: Any) -> SandboxCluster:
    """A `test`-size firm of its own in `tmp_path/sandbox`, served by the given sandboxes
    (`overrides`: SandboxSettings fields, e.g. faults)."""
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    store.close()
    return start_sandboxes(systems=systems, **overrides)


@pytest.fixture
def harvest(tmp_path: Path, start_sandboxes: StartSandboxes) -> SandboxCluster:
    return serve_test_firm(tmp_path, start_sandboxes, "harvest")


def harvest_config(cluster: SandboxCluster) -> HarvestConfig:
    return HarvestConfig(**cluster.source_settings()["harvest"], http=HttpSettings(max_attempts=2, backoff_factor=0.01))


def clients(cluster: SandboxCluster) -> dict[str, str]:
    config = harvest_config(cluster)
    headers = {"Authorization": f"Bearer {config.access_token}", "Harvest-Account-Id": config.account_id}
    body = requests.get(f"{config.base_url}/clients", headers={**headers, "User-Agent": "test"}, timeout=10).json()
    return {str(c["id"]): c["name"] for c in body["clients"]}


def plan_renames(warehouse: Warehouse, renames: dict[str, tuple[str, str]], landed_at=None) -> None:  # type: ignore[no-untyped-def]
    """The sync model, as dbt would build it: client id -> (name landed, authoritative name)."""
    stamp = (landed_at or now_utc()).isoformat(sep=" ")
    rows = ", ".join(
        f"('harvest:{client_id}', 'GC-{client_id}', 'update', '{client_id}', NULL, 'legal_name', "
        f"{sql_text(desired)}, {sql_text(current)}, CAST('{stamp}' AS TIMESTAMP))"
        for client_id, (current, desired) in renames.items()
    )
    warehouse.execute("CREATE SCHEMA IF NOT EXISTS marts")
    warehouse.execute(f"DROP TABLE IF EXISTS {MODEL}")
    warehouse.execute(
        f"""CREATE TABLE {MODEL} AS SELECT * FROM (VALUES {rows}) AS model (sync_key, golden_id, operation,
            target_record_id, external_id, field, desired_value, current_value, current_as_of)""",
    )


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture
def renames(harvest: SandboxCluster) -> dict[str, tuple[str, str]]:
    first_three = sorted(clients(harvest).items())[:3]
    return {client_id: (name, f"{name} (renamed)") for client_id, name in first_three}

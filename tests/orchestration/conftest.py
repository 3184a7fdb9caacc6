"""A test-size firm served by the three sandboxes on free ports, and the environment that
points Concord's Dagster definitions at it: the warehouse file, dlt's state, the alert log and
each system's base URL, as a user would set them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from core.warehouse import Warehouse


@dataclass
class ServedFirm:
    root: Path
    store: Store
    cluster: SandboxCluster

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(duckdb_path=self.root / "warehouse.duckdb")

    def newest_change(self) -> dict[str, object]:
        """The newest change stamp of each system's customers (to see that nothing was written)."""
        return {
            "salesforce": self.store.connect("salesforce")
            .execute("SELECT MAX(SystemModstamp) FROM Account")
            .fetchone(),
            "netsuite": self.store.connect("netsuite").execute("SELECT MAX(lastmodifieddate) FROM customer").fetchone(),
            "harvest": self.store.connect("harvest").execute("SELECT MAX(updated_at) FROM clients").fetchone(),
        }


def concord_environment(root: Path, cluster: SandboxCluster) -> dict[str, str]:
    return {
        "CONCORD_WAREHOUSE": "duckdb",
        "CONCORD_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "CONCORD_PIPELINES_DIR": str(root / "dlt"),
        "CONCORD_ALERTS_FILE": str(root / "alerts.sqlite"),
        **cluster.source_environment(),
    }


@pytest.fixture
def served_firm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServedFirm]:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    cluster = SandboxCluster(settings=SandboxSettings(store_dir=tmp_path / "sandbox", ports={s: 0 for s in SYSTEMS}))
    cluster.start()
    try:
        for name, value in concord_environment(tmp_path, cluster).items():
            monkeypatch.setenv(name, value)
        yield ServedFirm(tmp_path, store, cluster)
    finally:
        cluster.stop()
        store.close()

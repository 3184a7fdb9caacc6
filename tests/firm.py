"""Helpers for tests that need a whole firm: source configs pointing at in-process sandboxes,
and a firm landed in a warehouse."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.simulator import export_truth, generate
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig
from ingestion.runner import ingest
from transform.build import build


def configs(cluster: SandboxCluster) -> dict[str, Any]:
    """Source configs for every system of a running sandbox cluster."""
    return {
        "salesforce": SalesforceConfig(**cluster.source_settings()["salesforce"]),
        "harvest": HarvestConfig(**cluster.source_settings()["harvest"]),
        "netsuite": NetSuiteConfig(**cluster.source_settings()["netsuite"]),
    }


@dataclass
class LandedFirm:
    """A simulated firm, its ground truth, and a warehouse holding what ingestion landed."""

    root: Path
    store: Store
    truth: dict[str, Any]
    warehouse: Warehouse
    pipelines_dir: Path


def land_firm(root: Path, warehouse: Warehouse, size: str = "demo", seed: int = 42) -> LandedFirm:
    """Generates a firm under `root`, serves it on free ports and lands it in `warehouse`."""
    store = Store(root / "sandbox").create()
    generate(store, size=size, seed=seed)
    truth = export_truth(store, root / "truth.json")
    cluster = SandboxCluster(settings=SandboxSettings(store_dir=root / "sandbox", ports={s: 0 for s in SYSTEMS}))
    cluster.start()
    try:
        ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=root / "dlt")
    finally:
        cluster.stop()
    return LandedFirm(root, store, truth, warehouse, root / "dlt")


def built_copy(firm: LandedFirm, root: Path) -> LandedFirm:
    """A copy of the landed firm's warehouse, built with dbt."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "warehouse.duckdb"
    shutil.copyfile(firm.warehouse.duckdb_path, path)
    warehouse = Warehouse(kind="duckdb", duckdb_path=path)
    result = build(warehouse, target_dir=root / "dbt_target", unit_tests=True)
    assert result.ok, result.output[-6000:]
    return LandedFirm(root, firm.store, firm.truth, warehouse, firm.pipelines_dir)


def firm_copy(firm: LandedFirm, root: Path) -> LandedFirm:
    """A copy of the whole landed firm (sandbox store, pipelines' state and the warehouse, not
    built) that a test may change, serve and land again without touching the original."""
    shutil.copytree(firm.root / "sandbox", root / "sandbox")
    shutil.copytree(firm.pipelines_dir, root / "dlt")
    shutil.copyfile(firm.warehouse.duckdb_path, root / "warehouse.duckdb")
    warehouse = Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb")
    return LandedFirm(root, Store(root / "sandbox"), firm.truth, warehouse, root / "dlt")


@contextmanager
def served(firm: LandedFirm) -> Iterator[SandboxCluster]:
    """The firm's sandboxes on free ports while the block runs."""
    cluster = SandboxCluster(settings=SandboxSettings(store_dir=firm.root / "sandbox", ports={s: 0 for s in SYSTEMS}))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def awaiting_a_steward(warehouse: Warehouse) -> tuple[set[str], set[str]]:
    """The record keys and golden customer ids of the pairs waiting in the steward's queue: the
    model could not place them for sure, so their drift shows, and the write-back writes or
    creates for them, only once a steward has decided."""
    rows = warehouse.query(
        "SELECT record_key_a, record_key_b, golden_customer_id_a, golden_customer_id_b "
        "FROM canonical.customer_match_reviews"
    )
    return {key for row in rows for key in row[:2]}, {golden for row in rows for golden in row[2:]}

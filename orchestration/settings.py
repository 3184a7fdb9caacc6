"""What every Concord asset shares: the warehouse (chosen from the environment, as for the
CLI), where dlt keeps its pipeline state, and the one concurrency pool guarding the warehouse.

DuckDB takes one writer process at a time, so every step that writes to it (a load, a dbt
build, a write-back run, which records its ledger there) claims a slot of the `warehouse`
pool; `dagster.yaml` gives that pool one slot. On PostgreSQL the pool can be widened there.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from ingestion.config import DEFAULT_PIPELINES_DIR, Warehouse
from orchestration.automation.alerts import DEFAULT_ALERTS

WAREHOUSE_POOL = "warehouse"
# A step that fails on something transient (a vendor down, the warehouse busy) is tried again.
RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL)


class ConcordSettings(dg.ConfigurableResource):
    """Where the dlt pipelines keep their state (the warehouse itself comes from
    CONCORD_WAREHOUSE / CONCORD_DUCKDB_PATH / CONCORD_POSTGRES_DSN, one place for all of Concord)."""

    pipelines_dir: str | None = None  # default: CONCORD_PIPELINES_DIR, else .concord/dlt
    alerts_file: str | None = None  # default: CONCORD_ALERTS_FILE, else .concord/alerts.sqlite

    def warehouse(self) -> Warehouse:
        return Warehouse.from_env()

    def pipelines_path(self) -> Path:
        return Path(self.pipelines_dir or os.environ.get("CONCORD_PIPELINES_DIR") or DEFAULT_PIPELINES_DIR)

    def alerts_path(self) -> Path:
        return Path(self.alerts_file or os.environ.get("CONCORD_ALERTS_FILE") or DEFAULT_ALERTS)

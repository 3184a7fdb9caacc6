"""What every Concord asset shares: Concord's settings as a Dagster resource, and the one
concurrency pool guarding the warehouse.

DuckDB takes one writer process at a time, so every step that writes to it (a load, a dbt
build, a write-back run, which records its ledger there) claims a slot of the `warehouse`
pool; `dagster.yaml` gives that pool one slot. On PostgreSQL the pool can be widened there.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from core.settings import Settings, settings
from core.warehouse import Warehouse
from orchestration.run_process import process_tags

WAREHOUSE_POOL = "warehouse"
# A step that fails on something transient (a vendor down, the warehouse busy) is tried again.
RETRY_POLICY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL)


class ConcordSettings(dg.ConfigurableResource):
    """Concord's settings (`core.settings`, read once from the environment of the process that
    loads the definitions). The two paths may be overridden in a run's resource config."""

    pipelines_dir: str | None = None  # default: the settings' (CONCORD_PIPELINES_DIR, else .concord/dlt)
    alerts_file: str | None = None  # default: the settings' (CONCORD_ALERTS_FILE, else .concord/alerts.sqlite)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # A run names the process it runs in, so that one left in progress by a killed process is
        # recognised as dead (automation/runs.py). The jobs run in process, so this is the run's.
        if context.instance is not None and context.run is not None:
            context.instance.add_run_tags(context.run.run_id, process_tags())

    def settings(self) -> Settings:
        return settings()

    def warehouse(self) -> Warehouse:
        return self.settings().warehouse

    def pipelines_path(self) -> Path:
        return Path(self.pipelines_dir) if self.pipelines_dir else self.settings().pipelines_dir

    def alerts_path(self) -> Path:
        return Path(self.alerts_file) if self.alerts_file else self.settings().alerts_file

"""The dbt models as assets, their data tests as asset checks. Two runs of dbt: the models
(staging to marts) and then the sync models the write-back reads, so that a failing guard on
a sync model (its tests are errors, which Dagster treats as blocking) stops the write-back
without hiding the rest of the build."""

import json
from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets

from ingestion.config import Warehouse
from orchestration.modelling.project import ConcordDbtResource, ConcordTranslator, dbt_project, manifest_path
from orchestration.settings import WAREHOUSE_POOL

SYNC_MODELS = "path:models/marts/sync"
PROJECT = {
    "manifest": manifest_path(),
    "project": dbt_project(),
    "dagster_dbt_translator": ConcordTranslator(),
    "pool": WAREHOUSE_POOL,
}


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    dbt_vars: dict[str, Any] = {}


def _build(context: dg.AssetExecutionContext, dbt: ConcordDbtResource, config: DbtBuildConfig) -> Iterator[Any]:
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    if config.dbt_vars:
        args += ["--vars", json.dumps(config.dbt_vars)]
    events = dbt.cli(args, context=context).stream()
    if Warehouse.from_env().kind == "postgres":
        # Row counts are read over a second connection while dbt runs: PostgreSQL only, as a
        # DuckDB file admits one process at a time.
        events = events.fetch_row_counts()
    yield from events


@dbt_assets(exclude=SYNC_MODELS, name="dbt_models", **PROJECT)
def dbt_models(context: dg.AssetExecutionContext, dbt: ConcordDbtResource, config: DbtBuildConfig) -> Iterator[Any]:
    """Seeds, staging, intermediate, canonical and marts models with their tests and the
    consistency checks; incremental models pick up only what the last loads changed."""
    yield from _build(context, dbt, config)


@dbt_assets(select=SYNC_MODELS, name="dbt_sync_models", **PROJECT)
def dbt_sync_models(
    context: dg.AssetExecutionContext, dbt: ConcordDbtResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """The sync models (what each write-back would change) and their guards."""
    yield from _build(context, dbt, config)

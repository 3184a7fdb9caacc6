"""The dbt project as assets: every model and seed, with its data tests as asset checks, in one
dbt invocation per step. The tests of the sync models are the
write-back's guards: errors, which Dagster treats as blocking, so a failing guard fails this
step and no write-back runs on what it planned."""

from collections.abc import Iterator
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets

from core.settings import settings
from orchestration.modelling.in_process import stream_build
from orchestration.modelling.project import ConcordTranslator, dbt_project, manifest_path
from orchestration.settings import RETRY_POLICY, WAREHOUSE_POOL, ConcordSettings
from transform.matching import match_customers


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from scratch
    dbt_vars: dict[str, Any] = {}  # dbt --vars, e.g. {"sync_max_records_per_run": 100000}


@dbt_assets(
    manifest=manifest_path(),
    project=dbt_project(),
    dagster_dbt_translator=ConcordTranslator(),
    name="dbt_models",
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: dg.AssetExecutionContext, config: DbtBuildConfig) -> Iterator[Any]:
    """Seeds, staging, intermediate, canonical and marts models with their tests, the consistency
    checks and the sync models; incremental models pick up only what the last loads changed.
    dbt's unit tests (specs of the SQL on hand-made rows) run in CI, not on the firm's data.
    dbt runs in this process (`in_process`), on the project parsed once per process."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if config.full_refresh:
        args.append("--full-refresh")
    yield from stream_build(context, args, settings().warehouse.dbt_env(), config.dbt_vars)


_MATCHING_INPUTS = [
    dg.AssetKey(["intermediate", "int_customer_records"]),
    dg.AssetKey(["staging", "stg_governance__steward_match_decisions"]),
]


@dg.multi_asset(
    name="matching_customers",
    specs=[
        dg.AssetSpec(
            ["matching", table],
            deps=_MATCHING_INPUTS,
            group_name="intermediate",
            kinds={"python", "splink"},
            owners=["team:data-platform"],
            description=description,
        )
        for table, description in (
            ("customer_pairs", "Pairs of customer records with their evidence and decision."),
            ("customer_clusters", "Each customer record's cluster."),
        )
    ],
    pool=WAREHOUSE_POOL,
    retry_policy=RETRY_POLICY,
)
def matching_customers(context: dg.AssetExecutionContext, concord: ConcordSettings) -> Iterator[dg.MaterializeResult]:
    """Which customer records are the same client (transform/matching, Splink): the pairs with
    their evidence and decision, and the clusters the canonical customers are built from. Runs
    between the customer records and the models that read `source('matching', ...)`; Dagster
    runs the dbt models on either side of it as two steps of one run."""
    summary = match_customers(concord.warehouse())
    context.log.info(summary.describe())
    yield dg.MaterializeResult(
        asset_key=["matching", "customer_pairs"],
        metadata={
            "scored_pairs": summary.scored_pairs,
            "matched_pairs": summary.matched_pairs,
            "review_pairs": summary.review_pairs,
        },
    )
    yield dg.MaterializeResult(
        asset_key=["matching", "customer_clusters"],
        metadata={"records": summary.records, "customers": summary.clusters},
    )

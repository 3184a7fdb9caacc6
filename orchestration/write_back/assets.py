"""One asset per reverse-ETL sync (`["write_back", "<system>__<entity>s"]`), downstream of the
dbt sync model that plans it. Materializing it runs the write-back engine for that sync and
reports what happened as metadata. Syncs run parents first (each depends on the one before it
in the engine's order), so a PSA project waits for its ERP customer."""

import dagster as dg

from core.systems import REGISTRY
from orchestration.modelling.project import manifest
from orchestration.settings import RETRY_POLICY, WAREHOUSE_POOL, ConcordSettings
from reverse_etl import engine
from reverse_etl.syncs import Sync, syncs
from reverse_etl.targets import configured_target


def modelled_syncs() -> list[Sync]:
    """The ownership file's syncs that have their dbt model, in the order they run."""
    parsed = manifest()
    models = {node["name"] for node in parsed["nodes"].values() if node["resource_type"] == "model"}
    return [sync for sync in syncs() if sync.model in models]


def write_back_asset(sync: Sync, runs_after: Sync | None) -> dg.AssetsDefinition:
    deps = [dg.AssetKey(["marts", sync.model])]
    if runs_after is not None:
        deps.append(dg.AssetKey(["write_back", runs_after.name]))

    @dg.asset(
        key=["write_back", sync.name],
        deps=deps,
        description=(
            f"Writes {', '.join(sync.fields)} of each {sync.entity.replace('_', ' ')} into "
            f"{REGISTRY[sync.target].product} where it differs from the golden record "
            f"(`marts.{sync.model}`), recording every attempt in the `reverse_etl` ledger."
        ),
        group_name="write_back",
        kinds={"python", sync.target},
        owners=["team:data-platform"],
        pool=WAREHOUSE_POOL,
        retry_policy=RETRY_POLICY,
    )
    def write_back(context: dg.AssetExecutionContext, concord: ConcordSettings) -> dg.MaterializeResult:
        target = configured_target(sync.target)
        results = engine.execute(concord.warehouse(), {sync.target: target}, [sync.name], on_progress=context.log.info)
        result = results[0] if results else engine.SyncResult(sync)
        metadata = {
            "written": result.written,
            "created": result.created,
            "failed": result.failed,
            "held": result.held,
            "waiting_for_parent": result.waiting_for_parent,
            "unchanged": result.unchanged,
        }
        if result.fatal:
            # The vendor refused the credentials or the configuration: retrying will not help.
            raise dg.Failure(description=f"{sync.name}: {result.fatal}", metadata=metadata, allow_retries=False)
        return dg.MaterializeResult(metadata=metadata)

    return write_back


def write_back_assets() -> list[dg.AssetsDefinition]:
    ordered = modelled_syncs()
    return [write_back_asset(sync, ordered[i - 1] if i else None) for i, sync in enumerate(ordered)]

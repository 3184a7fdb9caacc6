"""One asset per reverse-ETL sync (`["write_back", "<system>__<entity>s"]`), downstream of the
dbt sync model that plans it. Materializing it runs the write-back engine for that sync and
reports what happened as metadata. Syncs run parents first (each depends on the one before it
in the engine's order), so a PSA project waits for its ERP customer.

A vendor that is down does not fail the asset (its writes are retried on later runs, never held):
when the engine reports that a sync has seen only transient failures for longer than
`CONCORD_WRITE_BACK_OUTAGE_MINUTES`, the asset raises one `vendor_outage` alert for that outage."""

from datetime import timedelta

import dagster as dg

from core.systems import REGISTRY
from orchestration.automation.alerts import AlertLog
from orchestration.modelling.project import manifest
from orchestration.settings import RETRY_POLICY, WAREHOUSE_POOL, ConcordSettings
from reverse_etl import engine
from reverse_etl.ledger import now_utc
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
        settings = concord.settings()
        target = configured_target(sync.target)
        results = engine.execute(
            concord.warehouse(),
            {sync.target: target},
            [sync.name],
            on_progress=context.log.info,
            retry_cap=settings.write_back_retry_cap,
        )
        result = results[0] if results else engine.SyncResult(sync)
        metadata = {
            "written": result.written,
            "created": result.created,
            "failed": result.failed,
            "transient_failures": result.transient_failures,
            "held": result.held,
            "waiting_for_parent": result.waiting_for_parent,
            "unchanged": result.unchanged,
            "confirmed_after_crash": result.confirmed,
            "lost_in_crash": result.lost,
        }
        if result.outage is not None:
            metadata["outage_since"] = f"{result.outage.since:%Y-%m-%d %H:%M} UTC"
            if report_outage(concord, result, settings.write_back_outage):
                context.log.warning(f"{sync.name}: vendor outage alert raised")
        if result.fatal:
            # The vendor refused the credentials or the configuration: retrying will not help.
            raise dg.Failure(description=f"{sync.name}: {result.fatal}", metadata=metadata, allow_retries=False)
        return dg.MaterializeResult(metadata=metadata)

    return write_back


def report_outage(concord: ConcordSettings, result: engine.SyncResult, outage_after: timedelta) -> bool:
    """Raises the `vendor_outage` alert of a sync whose vendor has answered only transient
    failures for longer than `outage_after`, once per outage; whether it raised it now."""
    outage, now = result.outage, now_utc()
    if outage is None or outage.reported_at is not None or now - outage.since < outage_after:
        return False
    sync = result.sync
    minutes = int((now - outage.since).total_seconds() // 60)
    with AlertLog(concord.alerts_path()) as log:
        log.raise_alert(
            "vendor_outage",
            sync.name,
            f"{REGISTRY[sync.target].product} has answered {sync.name}'s writes with nothing but transient "
            f"failures since {outage.since:%Y-%m-%d %H:%M} UTC ({minutes} min); they are retried until it is back, "
            f"none is held; last: {outage.message or 'unknown'}",
        )
    engine.outage_reported(concord.warehouse(), outage)
    return True


def write_back_assets() -> list[dg.AssetsDefinition]:
    ordered = modelled_syncs()
    return [write_back_asset(sync, ordered[i - 1] if i else None) for i, sync in enumerate(ordered)]

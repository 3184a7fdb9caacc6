"""One multi-asset per source system: a dlt run of Concord's source for that system, whose
assets are the tables its registry declares (`ingestion.registry`), keyed
`["raw", system, table]`. The dbt sources YAML is generated from the same registry
(`ingestion.dbt_sources`), under the same keys, so lineage runs unbroken from each vendor's
table through the canonical model to the write-back.

A key reconciliation the delete guard withheld (it would have marked too much of a table
deleted: `ingestion.reconcile`) does not fail the load: the table's metadata says so
(`deletes_withheld`) and the asset raises a `mass_delete` alert naming how to confirm it."""

from collections.abc import Iterator
from datetime import timedelta

import dagster as dg

from core.errors import ConcordError
from core.systems import REGISTRY
from ingestion.landing import QUARANTINE_TABLE
from ingestion.registry import registries
from ingestion.runner import SystemSummary, ingest
from orchestration.automation.alerts import AlertLog
from orchestration.settings import RETRY_POLICY, WAREHOUSE_POOL, ConcordSettings

# Each system's data is expected to be this recent (the loop runs every 15 minutes): a source
# that has not landed for longer is stale in the UI, and the exceptions it feeds are too.
FRESHNESS_WARN = timedelta(minutes=45)
FRESHNESS_FAIL = timedelta(hours=2)
FRESHNESS = dg.FreshnessPolicy.time_window(warn_window=FRESHNESS_WARN, fail_window=FRESHNESS_FAIL)


class LandingConfig(dg.Config):
    reconcile_all: bool = False  # also reconcile every table's keys now, to find hard deletes
    full_refresh: bool = False  # land everything again, from the start of each cursor
    # `system.table`s whose withheld deletes this run lands (as `concord ingest --confirm-deletes`)
    confirm_deletes: list[str] = []
    replay_quarantine: bool = False  # then land the quarantined records the contract now accepts


def landed_tables() -> dict[str, list[tuple[str, str]]]:
    """system -> [(table, description)] for every landed table the dbt project reads."""
    return {system: sorted(registry.modelled_tables()) for system, registry in sorted(registries().items())}


def landing_asset(system: str, tables: list[tuple[str, str]]) -> dg.AssetsDefinition:
    registry = registries()[system]
    specs = [
        dg.AssetSpec(
            registry.asset_key(table),
            description=description,
            group_name=f"raw_{system}",
            kinds={"dlt", system},
            owners=["team:data-platform"],
            freshness_policy=FRESHNESS,
        )
        for table, description in tables
    ]

    @dg.multi_asset(
        specs=specs,
        name=f"land_{system}",
        description=f"Lands every change in {REGISTRY[system].label} since the last run (dlt).",
        pool=WAREHOUSE_POOL,
        retry_policy=RETRY_POLICY,
    )
    def land(
        context: dg.AssetExecutionContext, concord: ConcordSettings, config: LandingConfig
    ) -> Iterator[dg.MaterializeResult]:
        try:
            [summary] = ingest(
                systems=(system,),
                warehouse=concord.warehouse(),
                full_refresh=config.full_refresh,
                reconcile_all=config.reconcile_all,
                pipelines_dir=concord.pipelines_path(),
                on_progress=context.log.info,
                max_delete_share=concord.settings().max_delete_share,
                confirm_deletes=config.confirm_deletes,
                replay_quarantine=config.replay_quarantine,
            )
        except ConcordError as exc:  # a wrong credential or config: retrying will not help
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        with AlertLog(concord.alerts_path()) as log:
            for table, landed in summary.tables.items():
                if landed.withheld_deletes:
                    context.log.warning(f"deletes withheld: {landed.withheld_deletes.message}")
                    log.raise_while("mass_delete", landed.withheld_deletes.name, landed.withheld_deletes.message)
                elif landed.reconciled:
                    log.cleared("mass_delete", f"{system}.{table}")
        for table, _ in tables:
            yield dg.MaterializeResult(asset_key=registry.asset_key(table), metadata=_metadata(summary, table))

    return land


def _metadata(summary: SystemSummary, table: str) -> dict[str, int | str]:
    """What the run did to one landed table. The quarantine's asset counts what the tables'
    own `quarantined` and `replayed` say, under names of its own so that totals over a
    system's assets count each record once."""
    if table == QUARANTINE_TABLE:
        tables = summary.tables.values()
        counts = {
            "records_added": sum(t.quarantined for t in tables),
            "records_replayed": sum(t.replayed for t in tables),
        }
    else:
        landed = summary.tables.get(table)
        withheld = landed.withheld_deletes if landed else None
        counts = {
            "new": landed.new if landed else 0,
            "changed": landed.changed if landed else 0,
            "deleted": landed.deleted if landed else 0,
            "deletes_withheld": withheld.missing if withheld else 0,
            "quarantined": landed.quarantined if landed else 0,
            "replayed": landed.replayed if landed else 0,
        }
    return {**counts, "load_ids": ", ".join(summary.load_ids)}


def landing_assets() -> list[dg.AssetsDefinition]:
    return [landing_asset(system, tables) for system, tables in landed_tables().items()]

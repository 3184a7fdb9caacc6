"""Concord's Dagster definitions: they load, the asset graph runs unbroken from every landed
table to the write-back, every warehouse writer shares the one pool, and the schedules ask for
the runs they should."""

from __future__ import annotations

import dagster as dg
from sandboxes.settings import SYSTEMS

from ingestion.registry import registries
from orchestration.automation.jobs import nightly_job
from orchestration.automation.schedules import loop_schedule, nightly_schedule
from orchestration.definitions import defs
from orchestration.settings import WAREHOUSE_POOL

graph = defs.resolve_asset_graph()
KEYS = set(graph.get_all_asset_keys())
RAW = {key for key in KEYS if key.path[0] == "raw"}
WRITE_BACK = {key for key in KEYS if key.path[0] == "write_back"}


def upstream(key: dg.AssetKey) -> set[dg.AssetKey]:
    seen: set[dg.AssetKey] = set()
    todo = [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_the_definitions_load_with_every_concern() -> None:
    dg.Definitions.validate_loadable(defs)
    groups = {graph.get(key).group_name for key in KEYS}
    assert {f"raw_{system}" for system in SYSTEMS} <= groups
    assert {f"staging_{system}" for system in SYSTEMS} <= groups
    assert {
        "intermediate",
        "canonical",
        "marts_reconciliation",
        "marts_reporting",
        "marts_sync",
        "write_back",
    } <= groups
    assert len(graph.asset_check_keys) > 100  # dbt's data tests, as asset checks
    assert {"concord_loop", "concord_nightly"} <= {job.name for job in defs.resolve_all_job_defs()}


def test_every_landed_table_is_a_dlt_asset_feeding_the_model_and_every_sync_reads_all_three_systems() -> None:
    assert {key.path[1] for key in RAW} == set(SYSTEMS)
    assert all(graph.get(key).is_materializable for key in RAW)  # landed by Concord, not external
    for key in RAW:  # the dbt source of each landed table is this very asset
        assert {child.path[0] for child in graph.get(key).child_keys} == {"staging"}, key
    assert WRITE_BACK
    for key in WRITE_BACK:
        systems = {parent.path[1] for parent in upstream(key) if parent.path[0] == "raw"}
        assert systems == set(SYSTEMS), key


def test_the_landed_assets_are_the_registries_tables_under_their_keys() -> None:
    declared = {
        dg.AssetKey(registry.asset_key(table))
        for registry in registries().values()
        for table, _ in registry.modelled_tables()
    }
    assert declared == RAW


def test_every_step_that_writes_the_warehouse_claims_the_warehouse_pool() -> None:
    writers = {graph.get(key).assets_def for key in RAW | WRITE_BACK | {dg.AssetKey(["canonical", "customers"])}}
    assert {assets_def.op.pool for assets_def in writers} == {WAREHOUSE_POOL}


def test_the_schedules_request_the_loop_every_15_minutes_and_the_thorough_run_nightly() -> None:
    assert loop_schedule.cron_schedule == "*/15 * * * *"
    assert loop_schedule.job_name == "concord_loop" and nightly_schedule.job_name == "concord_nightly"
    for schedule in (loop_schedule, nightly_schedule):
        requests = schedule.evaluate_tick(dg.build_schedule_context()).run_requests or []
        assert len(requests) == 1
    assert nightly_job.config == {
        "ops": {f"land_{system}": {"config": {"reconcile_all": True}} for system in sorted(SYSTEMS)}
    }
    # the frequent loop leaves the staging tests to the nightly run, as dbt's `loop` selector does
    loop_checks = defs.resolve_job_def("concord_loop").asset_layer.asset_graph.asset_check_keys
    nightly_checks = defs.resolve_job_def("concord_nightly").asset_layer.asset_graph.asset_check_keys
    assert not {check for check in loop_checks if check.asset_key.path[0] == "staging"}
    assert {check for check in nightly_checks if check.asset_key.path[0] == "staging"}
    assert {check for check in loop_checks if check.asset_key.path[0] == "marts"}

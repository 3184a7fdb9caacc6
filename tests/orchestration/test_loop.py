"""The loop as Dagster runs it, in process, against a firm served by the sandboxes: every
asset materializes, the write-back converges, a failing guard stops the writes, and the
sensors record alerts."""

from __future__ import annotations

import dagster as dg

from orchestration.automation.sensors import exceptions_sensor
from orchestration.definitions import defs
from orchestration.settings import ConcordSettings
from tests.orchestration.conftest import ServedFirm
from transform.sql import query


def run_loop(instance: dg.DagsterInstance, run_config: dict | None = None) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("concord_loop")
    return job.execute_in_process(instance=instance, run_config=run_config or {}, raise_on_error=False)


def written(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    return {
        event.asset_key.path[-1]: event.step_materialization_data.materialization.metadata["written"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "write_back"
    }


def test_the_loop_materializes_everything_writes_back_and_then_has_nothing_to_write(served_firm: ServedFirm) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        first = run_loop(instance)
        assert first.success
        materialized = {event.asset_key for event in first.get_asset_materialization_events()}
        assert materialized == set(defs.resolve_job_def("concord_loop").asset_layer.selected_asset_keys)
        assert sum(written(first).values()) > 0

        assert run_loop(instance).success  # lands what was written; writes what became writable
        third = run_loop(instance)
    assert third.success
    assert written(third) and sum(written(third).values()) == 0
    [(attempts,)] = query(served_firm.warehouse, "SELECT COUNT(*) FROM reverse_etl.attempts WHERE status = 'in_flight'")
    assert attempts == 0


def test_a_failing_guard_stops_the_write_back_and_nothing_is_written(served_firm: ServedFirm) -> None:
    untouched = served_firm.newest_change()
    guard_tripped = {"ops": {"dbt_sync_models": {"config": {"dbt_vars": {"sync_max_records_per_run": 0}}}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_loop(instance, guard_tripped)
    assert not result.success
    failed_checks = {
        evaluation.check_name for evaluation in result.get_asset_check_evaluations() if not evaluation.passed
    }
    assert any(name.startswith("changes_at_most_records_per_run_sync_") for name in failed_checks)
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "write_back"]
    assert served_firm.newest_change() == untouched


def test_the_exceptions_sensor_alerts_once_when_open_exceptions_cross_a_threshold(
    served_firm: ServedFirm, monkeypatch
) -> None:
    monkeypatch.setenv("CONCORD_ALERT_THRESHOLDS", "error=0,warn=0")
    only_the_model = dg.AssetSelection.all() - dg.AssetSelection.groups("write_back")
    with dg.DagsterInstance.ephemeral() as instance:
        job = dg.define_asset_job("concord_loop", selection=only_the_model).resolve(
            asset_graph=defs.resolve_asset_graph(), resource_defs=defs.resources
        )
        run = job.execute_in_process(instance=instance)
        success = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS).records[0]
        context = dg.build_run_status_sensor_context(
            sensor_name="concord_exceptions_sensor",
            dagster_instance=instance,
            dagster_run=run.dagster_run,
            dagster_event=success.event_log_entry.dagster_event,
        )
        list(exceptions_sensor(context, concord=ConcordSettings()) or [])
        list(exceptions_sensor(context, concord=ConcordSettings()) or [])
    from orchestration.automation.alerts import AlertLog

    with AlertLog(ConcordSettings().alerts_path()) as log:
        alerts = log.latest()
    assert {alert.subject for alert in alerts} <= {"error", "warn"} and alerts
    assert len(alerts) == len({alert.subject for alert in alerts})  # once per crossing, not per evaluation

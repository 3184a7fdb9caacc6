"""The loop as Dagster runs it, in process, against a firm served by the sandboxes: a failing
guard on a sync model stops every write-back, the sensors turn what happened into alerts, and
`concord run` / `concord status` run a cycle and report on it.
(A whole loop that converges is `tests/test_demo.py`: the demo runs it through Dagster.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import dagster as dg
import pytest

from core.settings import settings
from orchestration.automation.alerts import AlertLog
from orchestration.automation.sensors import exceptions_sensor, run_failure_sensor
from orchestration.definitions import defs
from orchestration.settings import ConcordSettings
from tests.orchestration.conftest import ServedFirm

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]
GUARD_TRIPPED = {"ops": {"dbt_models": {"config": {"dbt_vars": {"sync_max_records_per_run": 0}}}}}
# The test firm is tiny: the share's floor (which keeps a tiny firm's cycles running) lowered to nothing.
NO_SHARE_FLOOR = {"ops": {"dbt_models": {"config": {"dbt_vars": {"sync_share_floor_records": 0}}}}}


def failed_guards(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}


def assert_nothing_written(result: dg.ExecuteInProcessResult, firm: ServedFirm, untouched: dict[str, object]) -> None:
    """The run failed before any write-back step, and no system changed."""
    assert not result.success
    assert not [e for e in result.get_asset_materialization_events() if e.asset_key.path[0] == "write_back"]
    assert firm.newest_change() == untouched


def test_a_failing_guard_stops_the_write_back_and_the_sensors_record_alerts(
    served_firm: ServedFirm, monkeypatch: pytest.MonkeyPatch
) -> None:
    untouched = served_firm.newest_change()
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("concord_loop").execute_in_process(
            instance=instance, run_config=GUARD_TRIPPED, raise_on_error=False
        )
        assert any(name.startswith("changes_at_most_records_per_run_sync_") for name in failed_guards(result))
        assert_nothing_written(result, served_firm, untouched)
        assert {e.asset_key.path[0] for e in result.get_asset_materialization_events()} >= {"raw", "canonical", "marts"}

        failure = instance.get_records_for_run(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[0]
        failure_context = dg.build_run_status_sensor_context(
            sensor_name="concord_run_failure_sensor",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure.event_log_entry.dagster_event,
        ).for_run_failure()
        run_failure_sensor(failure_context, concord=ConcordSettings())

        # The model was built before the guard stopped the run: count its open exceptions.
        monkeypatch.setenv("CONCORD_ALERT_THRESHOLDS", "error=0,warn=0")
        settings.cache_clear()  # as a daemon started with these thresholds would read them
        status_context = dg.build_run_status_sensor_context(
            sensor_name="concord_exceptions_sensor",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure.event_log_entry.dagster_event,
        )
        for _ in range(2):
            list(exceptions_sensor(status_context, concord=ConcordSettings()) or [])

    with AlertLog(ConcordSettings().alerts_path()) as log:
        alerts = log.latest()
    assert [alert.subject for alert in alerts if alert.kind == "run_failure"] == ["concord_loop"]
    open_severities = {
        s for (s,) in served_firm.warehouse.query("SELECT DISTINCT severity FROM marts.exceptions WHERE is_open")
    }
    # one alert per severity that crossed its threshold, not one per evaluation
    assert sorted(alert.subject for alert in alerts if alert.kind == "exceptions") == sorted(
        open_severities & {"error", "warn"}
    )


def test_concord_run_runs_one_cycle_and_concord_status_reports_it(served_firm: ServedFirm) -> None:
    env = {**os.environ, "COLUMNS": "160", "DAGSTER_HOME": str(served_firm.root / "dagster")}
    ran = subprocess.run([*CONCORD, "run"], capture_output=True, text=True, timeout=600, env=env)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert re.search(r"│ harvest\s*│\s*[1-9][\d,]* │", ran.stdout)  # new records landed
    assert re.search(r"│ netsuite__customers\s*│\s*[1-9]", ran.stdout)  # and written back
    assert "Done in" in ran.stdout

    status = subprocess.run([*CONCORD, "status"], capture_output=True, text=True, timeout=120, env=env)
    assert status.returncode == 0, status.stderr
    assert len(re.findall(r"│ (salesforce|harvest|netsuite)\s*│.*│ fresh\s*│", status.stdout)) == 3
    [(held,)] = served_firm.warehouse.query("SELECT COUNT(*) FROM reverse_etl.holds WHERE status = 'held'")
    assert "Open exceptions" in status.stdout and f"Writes held for a person: {held:,}" in status.stdout


def test_a_sync_overwriting_more_than_its_share_of_the_target_stops_the_write_back(served_firm: ServedFirm) -> None:
    # A bad migration in the ERP renames every customer: the sync would write every name back.
    netsuite = served_firm.store.connect("netsuite")
    netsuite.execute("UPDATE customer SET companyname = companyname || ' (migrated)'")
    netsuite.commit()
    untouched = served_firm.newest_change()

    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("concord_loop").execute_in_process(
            instance=instance, run_config=NO_SHARE_FLOOR, raise_on_error=False
        )

    assert "changes_at_most_records_per_run_sync_netsuite__customers" in failed_guards(result)
    assert_nothing_written(result, served_firm, untouched)

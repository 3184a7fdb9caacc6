"""Sensors that record alerts (see `alerts.py`): a run of Concord that failed, open
exceptions of a severity crossing their threshold after a run of the loop, and runs whose
process died (recovered: marked failed, their warehouse slots freed; see `runs.py`)."""

from collections.abc import Iterator

import dagster as dg

from orchestration.automation.alerts import AlertLog
from orchestration.automation.jobs import loop_job, nightly_job
from orchestration.automation.runs import recover_dead_runs
from orchestration.settings import ConcordSettings


@dg.run_failure_sensor(
    name="concord_run_failure_sensor",
    monitored_jobs=[loop_job, nightly_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Records an alert for every failed run of the loop.",
)
def run_failure_sensor(context: dg.RunFailureSensorContext, concord: ConcordSettings) -> None:
    message = context.failure_event.message or "the run failed"
    with AlertLog(concord.alerts_path()) as log:
        log.raise_alert("run_failure", context.dagster_run.job_name, f"run {context.dagster_run.run_id}: {message}")


@dg.run_status_sensor(
    name="concord_exceptions_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[loop_job, nightly_job],
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "After each successful run, counts open exceptions by severity (marts.exceptions) and records "
        "an alert when a severity goes above its threshold (CONCORD_ALERT_THRESHOLDS)."
    ),
)
def exceptions_sensor(context: dg.RunStatusSensorContext, concord: ConcordSettings) -> Iterator[dg.SkipReason]:
    try:
        rows = concord.warehouse().query(
            "SELECT severity, COUNT(*) FROM marts.exceptions WHERE is_open GROUP BY severity"
        )
    except Exception as exc:  # a run that started since holds the DuckDB file: count after the next one
        yield dg.SkipReason(f"could not read marts.exceptions now: {str(exc).splitlines()[0]}")
        return
    with AlertLog(concord.alerts_path()) as log:
        raised = log.exceptions_crossing({severity: n for severity, n in rows}, concord.settings().alert_thresholds)
    for alert in raised:
        context.log.warning(f"alert: {alert.message}")


@dg.sensor(
    name="concord_dead_runs_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Every minute: a run left in progress by a process that died is marked failed and the "
        "warehouse slots it held are freed, so the loop never waits on a dead run."
    ),
)
def dead_runs_sensor(context: dg.SensorEvaluationContext, concord: ConcordSettings) -> dg.SkipReason:
    with AlertLog(concord.alerts_path()) as log:
        recovered = recover_dead_runs(context.instance, concord.settings().run_time_limit, log)
    for run in recovered:
        context.log.warning(run.describe())
    return dg.SkipReason(f"recovered {len(recovered)} dead run(s)" if recovered else "no dead runs")

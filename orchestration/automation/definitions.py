"""The automation concern's definitions."""

import dagster as dg

from orchestration.automation.jobs import loop_job, nightly_job
from orchestration.automation.schedules import loop_schedule, nightly_schedule
from orchestration.automation.sensors import dead_runs_sensor, exceptions_sensor, run_failure_sensor

defs = dg.Definitions(
    jobs=[loop_job, nightly_job],
    schedules=[loop_schedule, nightly_schedule],
    sensors=[run_failure_sensor, exceptions_sensor, dead_runs_sensor],
)

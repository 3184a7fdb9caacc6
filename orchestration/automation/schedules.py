"""When the loop runs: every 15 minutes (CONCORD_LOOP_CRON to change it) and the thorough run
nightly. They start stopped, so a `dagster dev` does not write to real systems until someone
turns them on; `concord dev` turns them on for the sandboxes (CONCORD_SCHEDULES_RUNNING=1)."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.automation.jobs import loop_job, nightly_job


def _default_status() -> dg.DefaultScheduleStatus:
    running = os.environ.get("CONCORD_SCHEDULES_RUNNING") == "1"
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


loop_schedule = dg.ScheduleDefinition(
    name="concord_loop_schedule",
    job=loop_job,
    cron_schedule=os.environ.get("CONCORD_LOOP_CRON", "*/15 * * * *"),
    default_status=_default_status(),
    description="The incremental loop.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="concord_nightly_schedule",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=_default_status(),
    description="Delete reconciliation and every check, at 02:00 UTC.",
)

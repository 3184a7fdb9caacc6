"""When the loop runs: every 15 minutes (CONCORD_LOOP_CRON to change it) and the thorough run
nightly. They start stopped, so a `dagster dev` does not write to real systems until someone
turns them on; `concord dev` turns them on for the sandboxes (CONCORD_SCHEDULES_RUNNING=1).
Both settings are read once, with the rest of Concord's (`core.settings`)."""

from __future__ import annotations

import dagster as dg

from core.settings import settings
from orchestration.automation.jobs import loop_job, nightly_job


def _default_status() -> dg.DefaultScheduleStatus:
    running = settings().schedules_running
    return dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED


loop_schedule = dg.ScheduleDefinition(
    name="concord_loop_schedule",
    job=loop_job,
    cron_schedule=settings().loop_cron,
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

"""The loop's runs as processes: which run is in progress, which died, and how a dead one is
recovered, so that a killed run (SIGKILL, an out-of-memory kill, a machine restart, a deploy
during a run) never wedges the loop.

A run of Concord records the process it runs in (host, pid and the process's start time, so a
reused pid is not taken for it) as run tags when its resources start. A run still marked in
progress whose process is gone is dead: it is marked failed and the `warehouse` pool slots it
claimed are freed, which Dagster itself does not do for runs it cannot watch (its run
monitoring detects crashed run workers only for launchers that can check them, and
`concord run` executes in its own process). A run whose process Concord cannot see (another
host) is taken for dead only once it is older than the run time limit.

The recovery runs at the start of every `concord run`, in `concord status`, and every minute
in the daemon (`concord_dead_runs_sensor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.automation.alerts import AlertLog
from orchestration.run_process import HOST_TAG, PID_TAG, process_alive
from orchestration.settings import WAREHOUSE_POOL

IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
LOOP_JOBS = ("concord_loop", "concord_nightly")


@dataclass(frozen=True)
class RunInProgress:
    run_id: str
    job_name: str
    started_at: datetime
    process: str  # "pid 123 on host", or "" when not recorded yet

    def describe(self) -> str:
        since = self.started_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        return f"run {self.run_id} of {self.job_name}, in progress since {since}" + (
            f" ({self.process})" if self.process else ""
        )


@dataclass(frozen=True)
class RecoveredRun:
    run_id: str
    job_name: str
    reason: str

    def describe(self) -> str:
        return f"run {self.run_id} of {self.job_name} marked failed: {self.reason}; its warehouse slots are freed"


def _in_progress(record: dg.RunRecord) -> RunInProgress:
    run = record.dagster_run
    started = record.start_time or record.create_timestamp.timestamp()
    process = f"pid {run.tags[PID_TAG]} on {run.tags.get(HOST_TAG)}" if PID_TAG in run.tags else ""
    return RunInProgress(run.run_id, run.job_name, datetime.fromtimestamp(started, UTC), process)


def recover_dead_runs(
    instance: dg.DagsterInstance, time_limit: timedelta, alerts: AlertLog | None = None
) -> list[RecoveredRun]:
    """Marks failed every run in progress whose process is gone (or, where it cannot be seen,
    that has outlived the time limit), frees the pool slots of every run no longer in progress,
    and records an alert per recovered run."""
    now = datetime.now(UTC)
    recovered = []
    for record in instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS)):
        run, seen = record.dagster_run, _in_progress(record)
        alive = process_alive(run)
        if alive is False:
            reason = f"its process ({seen.process}) is gone"
        elif alive is None and now - seen.started_at > time_limit:
            reason = f"it ran longer than the time limit of {time_limit} and Concord cannot see its process"
        else:
            continue
        instance.report_run_failed(run, message=f"Concord marked this run failed: {reason}.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(RecoveredRun(run.run_id, run.job_name, reason))
        if alerts is not None:
            alerts.raise_alert("dead_run", run.job_name, recovered[-1].describe())
    _free_slots_of_finished_runs(instance)
    return recovered


def _free_slots_of_finished_runs(instance: dg.DagsterInstance) -> None:
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    holders = {slot.run_id for slot in info.claimed_slots} | {step.run_id for step in info.pending_steps}
    for run_id in holders:
        run = instance.get_run_by_id(run_id)
        if run is None or run.status not in IN_PROGRESS + [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def loop_run_in_progress(instance: dg.DagsterInstance) -> RunInProgress | None:
    """The run of the loop or the nightly run in progress, if any (after recovering dead ones)."""
    for job_name in LOOP_JOBS:
        records = instance.get_run_records(dg.RunsFilter(statuses=IN_PROGRESS, job_name=job_name), limit=1)
        if records:
            return _in_progress(records[0])
    return None


def stop_overdue_run(instance: dg.DagsterInstance, run_id: str, time_limit: timedelta) -> RecoveredRun | None:
    """For a run executing in this process that has outlived its time limit: marked failed with
    its slots freed, so the caller can end the process."""
    run = instance.get_run_by_id(run_id)
    if run is None or run.status not in [dg.DagsterRunStatus.NOT_STARTED, *IN_PROGRESS]:
        return None
    reason = f"it ran longer than the time limit of {time_limit} (CONCORD_RUN_TIME_LIMIT) and was stopped"
    instance.report_run_failed(run, message=f"Concord marked this run failed: {reason}.")
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)
    return RecoveredRun(run_id, run.job_name, reason)

"""Runs Concord's Dagster jobs from the command line (`concord run`, `concord demo`): in this
process, on the persistent Dagster instance in `.concord/dagster` (DAGSTER_HOME), so every run
also shows in the UI afterwards. Progress is read back from the run's own event log.

Before a run starts, runs left in progress by a process that died are recovered (marked
failed, their warehouse slots freed: `orchestration.automation.runs`), and a run of the loop
still in progress stops this one from starting, with a one-line reason. A run that outlives its
time limit (CONCORD_RUN_TIME_LIMIT) is interrupted and marked failed."""

from __future__ import annotations

import _thread
import contextlib
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.errors import ConcordError
from core.settings import settings

REPO_ROOT = Path(__file__).resolve().parents[1]
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def dagster_home() -> Path:
    """Dagster's home (DAGSTER_HOME, default `.concord/dagster`), holding the repository's
    `dagster.yaml`."""
    home = settings().dagster_home
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return home


@dataclass
class CycleResult:
    run_id: str
    success: bool
    seconds: float
    failure: str | None = None
    log_path: Path | None = None
    recovered: list[str] = field(default_factory=list)  # dead runs this run found and marked failed
    # asset key ("raw/harvest/clients", "write_back/netsuite__customers") -> its metadata
    materialized: dict[str, dict[str, Any]] = field(default_factory=dict)

    def landed(self, system: str) -> dict[str, int]:
        totals = {"new": 0, "changed": 0, "deleted": 0, "quarantined": 0}
        for key, metadata in self.materialized.items():
            if key.startswith(f"raw/{system}/"):
                for name in totals:
                    totals[name] += int(metadata.get(name, 0))
        return totals

    def written(self) -> dict[str, dict[str, int]]:
        return {
            key.split("/", 1)[1]: {name: int(value) for name, value in metadata.items()}
            for key, metadata in self.materialized.items()
            if key.startswith("write_back/")
        }


def run_log(run_id: str) -> Path:
    logs = dagster_home().parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / f"run-{run_id}.log"


def run_cycle(
    job_name: str = "concord_loop",
    on_progress: Callable[[str], None] = lambda message: None,
    time_limit: timedelta | None = None,
) -> CycleResult:
    """One run of a Concord job (the loop by default), reporting each step as it starts.
    `time_limit` defaults to the settings' (CONCORD_RUN_TIME_LIMIT)."""
    import dagster as dg

    from orchestration.automation.alerts import AlertLog
    from orchestration.automation.runs import loop_run_in_progress, recover_dead_runs, stop_overdue_run

    home = dagster_home()
    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    time_limit = time_limit or settings().run_time_limit
    run_id = str(uuid.uuid4())
    started = time.perf_counter()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        with AlertLog(settings().alerts_file) as alerts:
            recovered = [run.describe() for run in recover_dead_runs(instance, time_limit, alerts)]
        for line in recovered:
            on_progress(f"recovered a dead run: {line}")
        if (busy := loop_run_in_progress(instance)) is not None:
            raise ConcordError(f"{job_name} cannot start: {busy.describe()}; it must end first (`concord status`)")
        done, overdue, deciding = threading.Event(), threading.Event(), threading.Lock()
        watcher = threading.Thread(target=_report_steps, args=(instance, run_id, done, on_progress), daemon=True)
        watcher.start()
        watchdog = threading.Thread(target=_interrupt_after, args=(time_limit, done, overdue, deciding), daemon=True)
        watchdog.start()
        log_path = run_log(run_id)
        try:
            try:
                # dbt's log lines (dagster-dbt echoes them to stdout) go to the run's log file;
                # the same output is in the Dagster UI.
                with log_path.open("w") as log, contextlib.redirect_stdout(log):
                    result = job.execute_in_process(
                        instance=instance,
                        run_id=run_id,
                        run_config=QUIET,
                        raise_on_error=False,
                        tags={"concord/via": "cli"},
                    )
            finally:
                with deciding:  # once done is set the watchdog no longer interrupts
                    done.set()
                watcher.join()
        except KeyboardInterrupt:  # the watchdog's, or the user's
            if not overdue.is_set():
                raise
        if overdue.is_set():  # interrupted in a step (Dagster fails the run) or before one
            stop_overdue_run(instance, run_id, time_limit)  # unless Dagster has already failed it
            raise ConcordError(
                f"run {run_id} of {job_name} was stopped after {time_limit}, its time limit "
                f"(CONCORD_RUN_TIME_LIMIT), and marked failed; the run's log: {log_path}"
            )
        cycle = CycleResult(
            run_id, result.success, time.perf_counter() - started, log_path=log_path, recovered=recovered
        )
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            cycle.materialized[materialization.asset_key.to_user_string()] = {
                name: value.value for name, value in materialization.metadata.items()
            }
        if not result.success:
            failures = [e for e in result.all_events if e.is_step_failure]
            cycle.failure = (
                "; ".join(
                    f"{e.step_key}: {(e.step_failure_data.error.message if e.step_failure_data.error else '').strip()}"
                    for e in failures
                )
                + f" (the run's log: {log_path})"
            )
    return cycle


def _interrupt_after(
    time_limit: timedelta, done: threading.Event, overdue: threading.Event, deciding: threading.Lock
) -> None:
    """Interrupts the run executing in the main thread once it outlives its time limit (Dagster
    ends an interrupted in-process run and releases what it holds); never once the run has
    ended, which the main thread says under `deciding`."""
    if done.wait(time_limit.total_seconds()):
        return
    with deciding:
        if not done.is_set():
            overdue.set()
            _thread.interrupt_main()


def _report_steps(instance: Any, run_id: str, done: threading.Event, on_progress: Callable[[str], None]) -> None:
    import dagster as dg

    cursor = None
    while True:
        finished = done.wait(0.5)
        records = instance.get_records_for_run(run_id, cursor=cursor, of_type={dg.DagsterEventType.STEP_START})
        cursor = records.cursor
        for record in records.records:
            on_progress(_step_label(record.event_log_entry.dagster_event.step_key))
        if finished:
            return


def _step_label(step_key: str) -> str:
    if step_key.startswith("land_"):
        return f"landing {step_key.removeprefix('land_').title()} (dlt)"
    if step_key.startswith("dbt_models"):
        return "building the canonical model, its checks and the sync plans (dbt)"
    if step_key.startswith("matching"):
        return "matching customer records (Splink)"
    if step_key.startswith("write_back"):
        return f"writing back: {step_key.split('__', 1)[-1].replace('__', ' ').replace('_', ' ')}"
    return step_key

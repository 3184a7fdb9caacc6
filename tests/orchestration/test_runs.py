"""A killed run never wedges the loop: a run left in progress by a process that died is marked
failed and the warehouse slot it held is freed (by the next `concord run`, by `concord status`
and by the daemon's sensor); a run of the loop still alive stops another from starting, with a
one-line reason (a whole run killed with SIGKILL and the next one completing is the chaos suite,
`tests/test_chaos.py`); a run past its time limit is stopped and marked failed; `concord status` works
while a run holds the warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster._core.test_utils import create_run_for_test

from concord.cycles import dagster_home, run_cycle
from core.errors import ConcordError
from core.settings import settings
from orchestration.automation.alerts import AlertLog
from orchestration.automation.runs import loop_run_in_progress, recover_dead_runs
from orchestration.automation.sensors import dead_runs_sensor
from orchestration.run_process import process_tags
from orchestration.settings import WAREHOUSE_POOL, ConcordSettings
from tests.orchestration.conftest import ServedFirm

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("CONCORD_ALERTS_FILE", str(tmp_path / "alerts.sqlite"))
    monkeypatch.setenv("CONCORD_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    settings.cache_clear()
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        yield instance
    settings.cache_clear()


def a_dead_process_tags() -> dict[str, str]:
    """The tags a run would have recorded in a process that has since exited."""
    script = "import json; from orchestration.run_process import process_tags; print(json.dumps(process_tags()))"
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(child.stdout)


def a_run_holding_the_warehouse_slot(instance: dg.DagsterInstance, tags: dict[str, str]) -> str:
    run = create_run_for_test(
        instance, job_name="concord_loop", status=dg.DagsterRunStatus.STARTED, tags={"concord/cycle": "loop", **tags}
    )
    instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 1)
    claimed = instance.event_log_storage.claim_concurrency_slot(WAREHOUSE_POOL, run.run_id, "land_harvest")
    assert claimed.is_claimed
    return run.run_id


def slot_holders(instance: dg.DagsterInstance) -> set[str]:
    return {slot.run_id for slot in instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots}


def test_concord_status_marks_a_dead_run_failed_frees_its_slot_and_says_so(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    run_id = a_run_holding_the_warehouse_slot(instance, a_dead_process_tags())
    status = subprocess.run(
        [*CONCORD, "status"], capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
    )
    assert status.returncode == 0, status.stderr
    assert f"Recovered a dead run: run {run_id} of concord_loop marked failed: its process (pid" in status.stdout
    assert "No run of the loop in progress." in status.stdout
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert slot_holders(instance) == set()
    with AlertLog(tmp_path / "alerts.sqlite") as log:
        assert [(a.kind, a.subject) for a in log.latest()] == [("dead_run", "concord_loop")]


def test_the_daemons_sensor_recovers_a_dead_run(instance: dg.DagsterInstance) -> None:
    run_id = a_run_holding_the_warehouse_slot(instance, a_dead_process_tags())
    result = dead_runs_sensor(dg.build_sensor_context(instance=instance), concord=ConcordSettings())
    assert "recovered 1 dead run" in result.skip_message
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert slot_holders(instance) == set()


def test_a_live_run_of_the_loop_is_left_alone_and_stops_another_from_starting(instance: dg.DagsterInstance) -> None:
    run_id = a_run_holding_the_warehouse_slot(instance, process_tags())  # this process: alive
    with pytest.raises(ConcordError, match=rf"concord_nightly cannot start: run {run_id} of concord_loop, in progress"):
        run_cycle("concord_nightly")
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    assert slot_holders(instance) == {run_id}
    assert loop_run_in_progress(instance).run_id == run_id


def test_a_run_whose_process_cannot_be_seen_is_recovered_only_past_the_time_limit(
    instance: dg.DagsterInstance,
) -> None:
    elsewhere = {**process_tags(), "concord/host": "another-host"}
    run_id = a_run_holding_the_warehouse_slot(instance, elsewhere)

    assert recover_dead_runs(instance, timedelta(hours=2)) == []
    time.sleep(1.1)
    [recovered] = recover_dead_runs(instance, timedelta(seconds=1))  # its start: the run's creation
    assert recovered.run_id == run_id and "time limit" in recovered.reason
    assert slot_holders(instance) == set()


def test_a_run_past_its_time_limit_is_stopped_and_marked_failed(
    served_firm: ServedFirm, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(served_firm.root / "dagster"))
    settings.cache_clear()
    with pytest.raises(ConcordError, match=r"was stopped after 0:00:30, its time limit \(CONCORD_RUN_TIME_LIMIT\)"):
        run_cycle(time_limit=timedelta(seconds=30))
    with dg.DagsterInstance.from_config(str(dagster_home())) as instance:
        [record] = instance.get_run_records(limit=1)
        assert record.dagster_run.status == dg.DagsterRunStatus.FAILURE
        assert slot_holders(instance) == set()
        assert loop_run_in_progress(instance) is None


def test_concord_status_during_a_run_names_the_run_and_reads_freshness_from_dagster(
    instance: dg.DagsterInstance, tmp_path: Path
) -> None:
    run_id = a_run_holding_the_warehouse_slot(instance, process_tags())
    writer = duckdb.connect(str(tmp_path / "warehouse.duckdb"))  # what a run holds while it runs
    try:
        status = subprocess.run(
            [*CONCORD, "status"], capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"}
        )
    finally:
        writer.close()
    assert status.returncode == 0, status.stderr
    said = " ".join(status.stdout.split())
    assert f"In progress: run {run_id} of concord_loop, in progress since" in said
    assert f"The warehouse is in use by run {run_id} of concord_loop" in said
    assert "Freshness (Dagster's records)" in said and "never landed" in said
    assert "Traceback" not in status.stderr

"""The chaos suite, one firm (in the default run; `pytest -m chaos` runs it alone): `concord run` killed with SIGKILL once in every
phase of the loop (landing, building, writing, between two batches of a write) while every vendor
fails 20% of requests (429, 500, 503, dropped connections); then one run to its end with the
faults, and runs without them until the loop converges. Every system then holds exactly what a
clean world (the same firm, no faults, no kills) holds after converging: no duplicate customer,
client, project, task assignment or charge, nothing lost; the ledger holds no write left in
flight; and the cycle after convergence plans no write. `bench/chaos.py` runs many seeds."""

from __future__ import annotations

import random
from pathlib import Path

import dagster as dg
import pytest

from tests.chaos import PHASES, TRANSIENT_FAULTS, chaos_world, compare, kill_plan

SEED = 11
# Two worlds and about a dozen runs of the loop: the longest module, so it starts first.
pytestmark = [pytest.mark.chaos, pytest.mark.minutes(15), pytest.mark.timeout(3600)]


def test_after_kills_in_every_phase_and_transient_faults_every_system_holds_what_a_clean_run_wrote(
    tmp_path: Path,
) -> None:
    with chaos_world(tmp_path / "clean", "test", SEED) as clean:
        converged = clean.converge()
        assert converged[-1].returncode == 0 and converged[-1].writes == 0, converged
        expected = clean.state()

    with chaos_world(tmp_path / "chaos", "test", SEED) as world:
        world.set_faults(TRANSIENT_FAULTS)
        killed = [world.run(kill) for kill in kill_plan(random.Random(SEED), kills=len(PHASES))]
        assert [run.killed_in for run in killed] == list(PHASES), killed
        with_faults = world.run()
        assert with_faults.returncode == 0, with_faults
        # each killed run was found dead by the next one: marked failed, its slot freed
        assert {world.run_status(run.run_id) for run in killed} == {dg.DagsterRunStatus.FAILURE}
        assert world.faults_injected() > 0
        converged = world.converge()
        assert converged[-1].returncode == 0 and converged[-1].writes == 0, converged

        difference = compare(expected, world.state())
        assert difference.extra == {}, "duplicates or writes a clean run did not do"
        assert difference.lost == {}, "writes lost"
        [(in_flight,)] = world.warehouse.query("SELECT COUNT(*) FROM reverse_etl.attempts WHERE status = 'in_flight'")
        assert in_flight == 0

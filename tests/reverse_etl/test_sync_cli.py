"""`concord sync` as a user runs it (a real process): plan is a dry run that lists the
writes, run writes them and prints what happened, held lists what waits for a person, and a
wrong id is a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sandboxes.serving import SandboxCluster

from core.warehouse import Warehouse
from tests.reverse_etl.conftest import clients, plan_renames

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def concord(warehouse: Warehouse, harvest: SandboxCluster, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COLUMNS": "200",
        "CONCORD_WAREHOUSE": "duckdb",
        "CONCORD_DUCKDB_PATH": str(warehouse.duckdb_path),
        **harvest.source_environment(),
    }
    return subprocess.run([*CONCORD, "sync", *args], capture_output=True, text=True, timeout=120, env=env)


def test_plan_lists_the_writes_run_makes_them_and_held_says_nothing_waits(
    tmp_path: Path, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_renames(warehouse, renames)
    before = clients(harvest)

    plan = concord(warehouse, harvest, "plan", "--sync", "harvest__customers")

    assert plan.returncode == 0, plan.stderr
    assert "3 writes (dry run, nothing written)" in plan.stdout
    assert all(f"update {client_id}: legal_name" in plan.stdout for client_id in renames)
    assert clients(harvest) == before

    run = concord(warehouse, harvest, "run", "--sync", "harvest__customers")

    assert run.returncode == 0, run.stderr
    assert "harvest__customers" in run.stdout and "│       3 │" in run.stdout
    assert {clients(harvest)[client_id] for client_id in renames} == {new for _, new in renames.values()}
    assert "Nothing is held." in concord(warehouse, harvest, "held").stdout


def test_releasing_an_unknown_hold_is_a_one_line_error(tmp_path: Path, harvest: SandboxCluster) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")

    result = concord(warehouse, harvest, "release", "nope")

    assert result.returncode == 2
    assert result.stderr.strip() == "concord: no held row with id 'nope'; `concord sync held` lists them"

"""`concord sync` as a user runs it (a real process): plan is a dry run that lists the
writes, run writes them and prints what happened, held lists what waits for a person, release
and drop take many ids and/or a filter and say in one line what they did, and a wrong id, a
filter nothing matches or neither is a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sandboxes.serving import SandboxCluster

from core.warehouse import Warehouse
from reverse_etl import engine
from reverse_etl.ledger import Ledger
from reverse_etl.targets.harvest import HarvestTarget
from tests.reverse_etl.conftest import clients, harvest_config, plan_renames

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


def hold_two_refused_renames(warehouse: Warehouse, harvest: SandboxCluster) -> list[str]:
    """Two renames Harvest refuses (each to a name another client has), held; their ids."""
    names = sorted(clients(harvest).items())
    (first, first_name), (second, second_name), (_, third_name), (_, fourth_name) = names[:4]
    plan_renames(warehouse, {first: (first_name, third_name), second: (second_name, fourth_name)})
    engine.execute(warehouse, {"harvest": HarvestTarget(harvest_config(harvest))}, ["harvest__customers"])
    with Ledger(warehouse, read_only=True) as ledger:
        return [h.hold_id for h in ledger.holds()]


def test_release_takes_many_ids_and_says_in_one_line_what_it_released(tmp_path: Path, harvest: SandboxCluster) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    held = hold_two_refused_renames(warehouse, harvest)

    result = concord(warehouse, harvest, "release", *held)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "Released 2 held rows (harvest__customers 2): the next `concord sync run` writes them."
    )
    assert "Nothing is held." in concord(warehouse, harvest, "held").stdout


def test_drop_by_sync_and_reason_drops_every_matching_row(tmp_path: Path, harvest: SandboxCluster) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    hold_two_refused_renames(warehouse, harvest)

    result = concord(warehouse, harvest, "drop", "--sync", "harvest__customers", "--reason", "REFUSED")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Dropped 2 held rows (harvest__customers 2): the targets keep their values."
    assert "Nothing is held." in concord(warehouse, harvest, "held").stdout


def test_a_filter_no_held_row_matches_is_a_one_line_error(tmp_path: Path, harvest: SandboxCluster) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    hold_two_refused_renames(warehouse, harvest)

    result = concord(warehouse, harvest, "release", "--reason", "conflict")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "concord: no held row matches a reason containing 'conflict'; `concord sync held` lists them"
    )


def test_release_without_ids_or_a_filter_is_a_one_line_error(tmp_path: Path, harvest: SandboxCluster) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")

    result = concord(warehouse, harvest, "release")

    assert result.returncode == 2
    assert result.stderr.strip() == (
        "concord: name the held rows: their ids, --sync NAME and/or --reason TEXT; `concord sync held` lists them"
    )

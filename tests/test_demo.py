"""`concord demo`, what `make demo` runs: the demo firm served by the sandboxes, the loop run
twice through Dagster, and a summary with real numbers; run again on the same machine it
works the same way (nothing left locked) and, the systems having converged, writes nothing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

pytestmark = pytest.mark.minutes(8)  # about this many on two cores

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def run_demo(root: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COLUMNS": "160",
        "CONCORD_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "CONCORD_PIPELINES_DIR": str(root / "dlt"),
        "CONCORD_ALERTS_FILE": str(root / "alerts.sqlite"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    return subprocess.run(
        [*CONCORD, "demo", "--store", str(root / "store")], capture_output=True, text=True, timeout=600, env=env
    )


def row(output: str, label: str) -> list[int]:
    """The numbers of the table row starting with `label`."""
    match = re.search(rf"│ {re.escape(label)}\s*│(.*)│", output)
    assert match, f"{label} missing from the demo output:\n{output}"
    return [int(cell.strip().replace(",", "")) for cell in match.group(1).split("│")]


def total_written(output: str) -> int:
    syncs = re.findall(r"│ (\w+__\w+)\s*│\s*([\d,]+) │", output)
    assert syncs, output
    return sum(int(written.replace(",", "")) for _, written in syncs)


@pytest.mark.timeout(1200)
def test_demo_runs_the_loop_twice_prints_a_summary_and_runs_again(tmp_path: Path) -> None:
    first = run_demo(tmp_path)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    out = first.stdout
    assert "Generated the demo firm" in out and "Loop 2 of 2 done" in out
    in_warehouse, new, _, quarantined = row(out, "Harvest (PSA)")
    # the second loop lands what the first wrote (e.g. the PSA clients and projects it provisioned)
    assert 40_000 <= new <= in_warehouse and quarantined == 0
    golden = int(re.search(r"Golden customers: ([\d,]+)", out).group(1).replace(",", ""))
    assert 150 <= golden <= 400
    found, fixed, still_open = row(out, "customer_attribute_drift")
    assert found > 0 and fixed == found and still_open == 0
    assert total_written(out) > 0
    assert re.search(r"│ quote_to_project_days\s*│\s*\d{4}-\d\d\s*│\s*[\d.]+ days", out)
    assert "warehouse.duckdb" in out and "concord dev" in out

    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(tmp_path / "dagster"))) as instance:
        from orchestration.definitions import defs

        runs = instance.get_runs()
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
        loop_assets = defs.resolve_job_def("concord_loop").asset_layer.selected_asset_keys
        assert all(instance.get_latest_materialization_event(key) for key in loop_assets)

    second = run_demo(tmp_path)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "Reusing the demo firm" in second.stdout
    assert row(second.stdout, "Harvest (PSA)")[0] == in_warehouse
    assert total_written(second.stdout) == 0  # converged: the first demo left nothing to write

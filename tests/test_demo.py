"""`concord demo`, what `make demo` runs: the demo firm served and counted through the APIs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def run_demo(store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CONCORD, "demo", "--store", str(store)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "160"},
    )


def count(output: str, name: str) -> int:
    match = re.search(rf"│\s*\w*\s*│\s*{re.escape(name)}\s*│\s*([\d,]+)\s*│", output)
    assert match, f"{name} missing from the demo output:\n{output}"
    return int(match.group(1).replace(",", ""))


def test_demo_prints_what_each_system_holds_and_runs_again(tmp_path: Path) -> None:
    first = run_demo(tmp_path / "store")
    assert first.returncode == 0, first.stderr
    assert "Generated the demo firm" in first.stdout
    assert 150 <= count(first.stdout, "Account") <= 400
    assert 1_500 <= count(first.stdout, "Opportunity") <= 2_500
    assert 40_000 <= count(first.stdout, "time_entries") <= 60_000
    assert count(first.stdout, "customer") > 100
    assert count(first.stdout, "duplicate_account") > 0

    second = run_demo(tmp_path / "store")
    assert second.returncode == 0, second.stderr
    assert "Reusing the demo firm" in second.stdout
    assert count(second.stdout, "time_entries") == count(first.stdout, "time_entries")

"""Runs the dbt project (`dbt_project/`) on a warehouse.

The dbt profile (`dbt_project/profiles.yml`) reads the variables `Warehouse.dbt_env()` gives;
they are handed to dbt's own process, which runs as a subprocess of this Python (its CLI), so
its logs stream as it works and a failure in one run cannot leave state behind in ours.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConcordError
from core.settings import settings
from core.warehouse import Warehouse

PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"
# dbt's saved parse of the project: a run in another target folder starts from a copy of it and
# re-parses only what changed since (a full parse of the project costs about five seconds).
PARTIAL_PARSE = PROJECT_DIR / "target" / "partial_parse.msgpack"


def seed_partial_parse(target_dir: Path) -> None:
    """Give a fresh dbt target folder the project's saved parse, when there is one."""
    destination = target_dir / PARTIAL_PARSE.name
    if PARTIAL_PARSE.exists() and not destination.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PARTIAL_PARSE, destination)


@dataclass(frozen=True)
class DbtResult:
    command: list[str]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_dbt(
    args: Sequence[str],
    warehouse: Warehouse | None = None,
    on_line: Callable[[str], None] = lambda line: None,
    target_dir: Path | None = None,
    require_warehouse: bool = True,
) -> DbtResult:
    """`dbt <args>` in the project, against the warehouse; returns its exit code and output.
    `require_warehouse=False` for commands that do not connect (`parse`)."""
    warehouse = warehouse or settings().warehouse
    if require_warehouse and not warehouse.exists():
        raise ConcordError(f"no warehouse at {warehouse.duckdb_path}: run `concord ingest` first")
    # What the `dbt` script runs (`-m dbt.cli.main` would warn that the module is imported twice).
    command = [sys.executable, "-c", "import sys; from dbt.cli.main import cli; sys.exit(cli())", *args]
    command += ["--project-dir", str(PROJECT_DIR)]
    command += ["--profiles-dir", str(PROJECT_DIR)]
    if target_dir is not None:
        seed_partial_parse(target_dir)
        command += ["--target-path", str(target_dir)]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **warehouse.dbt_env()}
    lines: list[str] = []
    with subprocess.Popen(
        command, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            on_line(line.rstrip("\n"))
    return DbtResult(command, process.returncode, "".join(lines))


def build(
    warehouse: Warehouse | None = None,
    select: str | None = None,
    full_refresh: bool = False,
    on_line: Callable[[str], None] = lambda line: None,
    target_dir: Path | None = None,
    unit_tests: bool = False,
    selector: str | None = None,
) -> DbtResult:
    """`dbt build`: seeds, models and data tests, in dependency order. dbt's unit tests (specs
    of the models' logic on hand-made rows, not checks of the data) run only when asked, as in
    development and CI; a build of the firm's data does not need them. `selector` names one of
    `dbt_project/selectors.yml` (`loop`: what the frequent incremental loop builds)."""
    args = ["build"]
    if select:
        args += ["--select", select]
    if selector:
        args += ["--selector", selector]
    if full_refresh:
        args.append("--full-refresh")
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    return run_dbt(args, warehouse, on_line, target_dir)

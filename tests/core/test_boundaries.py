"""The seams of the code base, as specifications: the product stands on `core` and never on its
test doubles; layers import downwards only; the engine branches live in the warehouse module."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCT = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
LAYERS = ("ingestion", "reverse_etl", "orchestration", "concord")


def imported_packages(package: str) -> dict[str, set[str]]:
    """module path -> the top-level packages it imports."""
    found: dict[str, set[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


def test_the_wheel_is_the_product_and_the_product_is_not_its_sandboxes() -> None:
    assert "sandboxes" not in PRODUCT
    offenders = [
        module for package in PRODUCT for module, names in imported_packages(package).items() if "sandboxes" in names
    ]
    assert offenders == []


def test_core_imports_no_layer_and_no_layer_below_the_cli_imports_it() -> None:
    core = [module for module, names in imported_packages("core").items() if names & set(LAYERS)]
    assert core == []
    lower = [
        module
        for package in ("ingestion", "reverse_etl", "orchestration")
        for module, names in imported_packages(package).items()
        if "concord" in names
    ]
    assert lower == []


def test_only_the_warehouse_module_branches_on_the_engine() -> None:
    branching = [
        str(path.relative_to(REPO))
        for package in PRODUCT
        for path in (REPO / package).rglob("*.py")
        if 'kind == "duckdb"' in path.read_text() or 'kind == "postgres"' in path.read_text()
    ]
    assert branching == ["core/warehouse.py"]


def test_the_built_wheel_holds_no_sandbox_code(tmp_path: Path) -> None:
    uv = REPO / ".tools" / "bin" / "uv"
    uv_command = str(uv) if uv.exists() else shutil.which("uv")
    if uv_command is None:
        pytest.skip("uv is not installed (`make install` puts it in .tools/)")
    subprocess.run(
        [uv_command, "build", "--wheel", "--out-dir", str(tmp_path), "--python", sys.executable, str(REPO)],
        check=True,
        capture_output=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
        timeout=300,
    )
    [wheel] = tmp_path.glob("concord-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.startswith("core/") for name in names)
    assert not [name for name in names if name.startswith("sandboxes/") or "/sandboxes/" in name]

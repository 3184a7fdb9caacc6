"""The Dagster UI a data team opens: `dagster-webserver` on `workspace.yaml`, asked through its
GraphQL API what it shows - the assets of every layer, the dbt tests as asset checks, the
schedules and the sensors."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        name
        schedules { name }
        sensors { name }
        assetNodes {
          assetKey { path }
          groupName
          assetChecksOrError { ... on AssetChecks { checks { name } } }
        }
      }
    }
  }
}
"""
LOAD_ERRORS = """
{ workspaceOrError { ... on Workspace { locationEntries { name
  locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webserver(tmp_path: Path) -> Iterator[str]:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "CONCORD_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb")}
    command = [sys.executable, "-m", "dagster_webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "webserver.log").read_text()
            try:
                if requests.get(f"{url}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_the_ui_lists_the_assets_checks_schedules_and_sensors(webserver: str) -> None:
    repositories = []
    deadline = time.monotonic() + 120
    while not repositories and time.monotonic() < deadline:  # the code location loads in the background
        answer = requests.post(f"{webserver}/graphql", json={"query": QUERY}, timeout=60).json()
        repositories = answer["data"]["repositoriesOrError"].get("nodes") or []
        time.sleep(0 if repositories else 1)
    assert len(repositories) == 1, requests.post(f"{webserver}/graphql", json={"query": LOAD_ERRORS}, timeout=60).text
    [repository] = repositories
    assets = repository["assetNodes"]
    prefixes = {node["assetKey"]["path"][0] for node in assets}
    assert {"raw", "staging", "intermediate", "canonical", "marts", "write_back"} <= prefixes
    assert {node["groupName"] for node in assets} >= {"raw_harvest", "write_back"}
    checks = [check["name"] for node in assets for check in (node["assetChecksOrError"].get("checks") or [])]
    assert any(name.startswith("writes_only_fields_it_receives_") for name in checks)
    assert {s["name"] for s in repository["schedules"]} == {"concord_loop_schedule", "concord_nightly_schedule"}
    assert {s["name"] for s in repository["sensors"]} == {
        "concord_run_failure_sensor",
        "concord_exceptions_sensor",
        "concord_dead_runs_sensor",
    }

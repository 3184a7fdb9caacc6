"""The `concord sandbox` command line, run as a user runs it: a real process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CONCORD, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def running_sandboxes(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], subprocess.Popen[str]]]:
    """`concord sandbox up --size test` on free ports, in its own process, run from `tmp_path`
    (where it writes `.dlt/secrets.toml`)."""
    yield from sandbox_up(tmp_path)


def sandbox_up(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], subprocess.Popen[str]]]:
    store_dir = tmp_path / "store"
    process = subprocess.Popen(
        [*CONCORD, "sandbox", "up", "--size", "test", "--store", str(store_dir)]
        + ["--salesforce-port", "0", "--harvest-port", "0", "--netsuite-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        cwd=tmp_path,
    )
    endpoints_file = store_dir / "endpoints.json"
    deadline = time.monotonic() + 90
    while not endpoints_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"sandboxes did not start: {process.communicate()}")
        time.sleep(0.2)
    yield store_dir, json.loads(endpoints_file.read_text()), process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_up_tells_concord_where_the_sandboxes_are_in_dlt_secrets(running_sandboxes, tmp_path: Path) -> None:
    _, endpoints, _ = running_sandboxes
    secrets = (tmp_path / ".dlt" / "secrets.toml").read_text()
    assert secrets.startswith("# Written by `concord sandbox up`")
    assert f'base_url = "{endpoints["harvest"]}/v2"' in secrets
    assert 'access_token = "harvest-sandbox-token"' in secrets
    assert f'base_url = "{endpoints["netsuite"]}/services/rest"' in secrets
    netsuite = secrets.split("[sources.netsuite]")[1]
    assert 'certificate_id = "concord-sandbox-m2m-cert"' in netsuite and "client_secret" not in netsuite
    assert 'private_key_path = "' in netsuite and "netsuite-m2m/private_key.pem" in netsuite


def test_up_leaves_a_hand_written_secrets_file_alone_and_prints_what_to_export(tmp_path: Path) -> None:
    secrets = tmp_path / ".dlt" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[sources.harvest]\nbase_url = "https://api.harvestapp.com/v2"\naccess_token = "real"\n')
    process = None
    for _, endpoints, process in sandbox_up(tmp_path):
        assert "real" in secrets.read_text() and "sandbox" not in secrets.read_text()
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
        assert f"export SOURCES__HARVEST__BASE_URL={endpoints['harvest']}/v2" in out
    assert process is not None


def harvest_get(base_url: str, path: str) -> httpx.Response:
    return httpx.get(
        f"{base_url}/v2/{path}",
        headers={
            "Authorization": "Bearer harvest-sandbox-token",
            "Harvest-Account-Id": "1234567",
            "User-Agent": "Concord tests",
        },
    )


def test_a_command_on_a_store_without_a_firm_fails_with_one_line(tmp_path: Path) -> None:
    result = run("sandbox", "tick", "1", "--store", str(tmp_path / "empty"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no simulated firm" in result.stderr and "concord sandbox up" in result.stderr


def test_faults_without_running_sandboxes_fails_with_one_line(tmp_path: Path) -> None:
    result = run("sandbox", "faults", "--rate-429", "0.5", "--store", str(tmp_path))
    assert result.returncode == 2
    assert "concord sandbox up" in result.stderr and "Traceback" not in result.stderr


def test_up_serves_the_generated_firm_and_prints_urls_and_credentials(running_sandboxes) -> None:
    store_dir, endpoints, process = running_sandboxes
    assert set(endpoints) == {"salesforce", "harvest", "netsuite"}
    response = harvest_get(endpoints["harvest"], "clients?per_page=1")
    assert response.status_code == 200
    assert response.json()["total_entries"] > 0
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=30)
    assert endpoints["harvest"] in out
    assert "harvest-sandbox-token" in out


def test_faults_changes_the_rates_of_a_running_sandbox(running_sandboxes) -> None:
    store_dir, endpoints, _ = running_sandboxes
    result = run("sandbox", "faults", "--system", "harvest", "--rate-503", "1", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert harvest_get(endpoints["harvest"], "clients").status_code == 503

    result = run("sandbox", "faults", "--system", "harvest", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert harvest_get(endpoints["harvest"], "clients").status_code == 200


def test_faults_rejects_rates_out_of_range(running_sandboxes) -> None:
    store_dir, _, _ = running_sandboxes
    result = run("sandbox", "faults", "--rate-429", "1.5", "--store", str(store_dir))
    assert result.returncode == 2
    assert "rate_429" in result.stderr


def test_tick_moves_the_firm_while_the_sandboxes_serve_it(running_sandboxes) -> None:
    store_dir, endpoints, _ = running_sandboxes
    before = harvest_get(endpoints["harvest"], "time_entries?per_page=1").json()["total_entries"]
    result = run("sandbox", "tick", "5", "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    after = harvest_get(endpoints["harvest"], "time_entries?per_page=1").json()["total_entries"]
    assert after > before


def test_truth_exports_json(running_sandboxes, tmp_path: Path) -> None:
    store_dir, _, _ = running_sandboxes
    out = tmp_path / "truth.json"
    result = run("sandbox", "truth", "--out", str(out), "--store", str(store_dir))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text())


def test_up_on_a_port_in_use_fails_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run("sandbox", "up", "--size", "test", "--store", str(tmp_path / "s"), "--harvest-port", port)
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr

"""`concord doctor` as an administrator runs it before the first run (a real process against
the sandboxes): every check holds on a system set up for Concord (exit 0); a missing custom
field is named with its object, a refused login with what to check, a host that does not
answer with its name (exit 2); it writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sandboxes.cli import ensure_firm
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SalesforceSettings

from tests.conftest import StartSandboxes

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def doctor(cluster: SandboxCluster, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "COLUMNS": "250", **cluster.source_environment(), **env}
    return subprocess.run([*CONCORD, "doctor", *args], capture_output=True, text=True, timeout=180, env=environment)


def lines(result: subprocess.CompletedProcess[str], system: str) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.split()[1:2] == [system]]


@pytest.fixture
def firm_dir(tmp_path: Path) -> Path:
    store, _ = ensure_firm(tmp_path / "sandbox", "test", seed=7)
    store.close()
    return tmp_path / "sandbox"


def test_every_check_holds_against_sandboxes_set_up_for_concord(
    firm_dir: Path, start_sandboxes: StartSandboxes
) -> None:
    cluster = start_sandboxes(store_dir=firm_dir)

    result = doctor(cluster)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    for system in ("salesforce", "harvest", "netsuite"):
        checks = {line.split()[2] for line in lines(result, system)}
        assert {"reachable", "login", "read", "write", "limits"} <= checks, (system, checks)
    assert any("read Account" in line and "8 custom fields" in line for line in lines(result, "salesforce"))
    assert "Everything Concord needs is in place." in result.stdout


def test_a_custom_field_the_org_lacks_is_named_with_its_object(firm_dir: Path, start_sandboxes: StartSandboxes) -> None:
    org = replace(SalesforceSettings(), fields_not_created=("Account.Tax_ID__c", "Opportunity.Delivery_Status__c"))
    cluster = start_sandboxes(systems=("salesforce",), store_dir=firm_dir, salesforce=org)

    result = doctor(cluster, "--system", "salesforce")

    assert result.returncode == 2
    failures = [line for line in lines(result, "salesforce") if line.startswith("FAIL")]
    assert any("custom field Account.Tax_ID__c is missing: create it on Account" in f for f in failures)
    assert any("Opportunity.Delivery_Status__c is missing" in f and "write Opportunity" in f for f in failures)
    assert "1 check failed" not in result.stdout and "checks failed" in result.stdout


def test_a_refused_login_says_what_to_check_and_stops_that_systems_checks(
    firm_dir: Path, start_sandboxes: StartSandboxes
) -> None:
    cluster = start_sandboxes(systems=("harvest",), store_dir=firm_dir)

    result = doctor(cluster, "--system", "harvest", SOURCES__HARVEST__ACCESS_TOKEN="not-the-token")

    assert result.returncode == 2
    [failure] = [line for line in lines(result, "harvest") if line.startswith("FAIL")]
    assert "login" in failure and "SOURCES__HARVEST__" in failure
    assert not any(" read " in line for line in lines(result, "harvest"))


def test_a_time_zone_other_than_the_integration_users_is_named(firm_dir: Path, start_sandboxes: StartSandboxes) -> None:
    cluster = start_sandboxes(systems=("netsuite",), store_dir=firm_dir)  # the user's zone: America/New_York

    result = doctor(cluster, "--system", "netsuite", SOURCES__NETSUITE__TIME_ZONE="Asia/Tokyo")

    assert result.returncode == 2
    [failure] = [line for line in lines(result, "netsuite") if line.startswith("FAIL")]
    assert "time zone" in failure and "Asia/Tokyo" in failure and "UTC+09:00" in failure


def test_a_host_that_does_not_answer_is_named(firm_dir: Path, start_sandboxes: StartSandboxes) -> None:
    cluster = start_sandboxes(systems=("netsuite",), store_dir=firm_dir)

    result = doctor(cluster, "--system", "netsuite", SOURCES__NETSUITE__BASE_URL="http://127.0.0.1:9/services/rest")

    assert result.returncode == 2
    [failure] = lines(result, "netsuite")
    assert failure.startswith("FAIL") and "reachable" in failure and "127.0.0.1:9 does not answer" in failure


def test_an_unconfigured_system_is_one_line_naming_the_settings(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__")}
    result = subprocess.run(
        [*CONCORD, "doctor", "--system", "harvest"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,  # no .dlt/secrets.toml here
        env={**environment, "COLUMNS": "250"},
    )

    assert result.returncode == 2
    [failure] = lines(result, "harvest")
    assert "settings" in failure and "SOURCES__HARVEST__BASE_URL" in failure

"""Settings: read once from the environment and dlt's providers, with no built-in host or
credential to fall back on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConcordError
from core.settings import Settings
from ingestion.config import HarvestConfig

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]


def test_the_defaults_are_the_embedded_warehouse_and_stopped_schedules() -> None:
    settings = Settings.from_environment({})
    assert settings.warehouse.kind == "duckdb" and settings.warehouse.duckdb_path == Path(".concord/warehouse.duckdb")
    assert settings.schedules_running is False and settings.loop_cron == "*/15 * * * *"
    assert settings.alert_thresholds == {"error": 25, "warn": 500}


def test_a_postgres_warehouse_without_a_connection_string_says_which_variable_to_set(monkeypatch) -> None:
    monkeypatch.delenv("DESTINATION__POSTGRES__CREDENTIALS", raising=False)
    with pytest.raises(ConcordError, match="CONCORD_POSTGRES_DSN"):
        Settings.from_environment({"CONCORD_WAREHOUSE": "postgres", "CONCORD_POSTGRES_DSN": "not-a-dsn"})


def test_alert_thresholds_that_are_not_numbers_are_refused() -> None:
    with pytest.raises(ConcordError, match="error=many"):
        Settings.from_environment({"CONCORD_ALERT_THRESHOLDS": "error=many"})


def test_the_share_of_a_table_a_reconciliation_may_delete_is_five_percent_unless_set() -> None:
    assert Settings.from_environment({}).max_delete_share == 0.05
    assert Settings.from_environment({"CONCORD_MAX_DELETE_SHARE": "0.2"}).max_delete_share == 0.2


@pytest.mark.parametrize("value", ["lots", "0", "1.5", "nan"])
def test_a_delete_share_that_is_not_a_share_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConcordError, match=f"CONCORD_MAX_DELETE_SHARE: '{value}'"):
        Settings.from_environment({"CONCORD_MAX_DELETE_SHARE": value})


def test_a_source_resolves_from_the_sources_settings(monkeypatch) -> None:
    monkeypatch.setenv("SOURCES__HARVEST__BASE_URL", "https://api.harvestapp.com/v2")
    monkeypatch.setenv("SOURCES__HARVEST__ACCESS_TOKEN", "token")
    monkeypatch.setenv("SOURCES__HARVEST__ACCOUNT_ID", "42")
    monkeypatch.setenv("SOURCES__HARVEST__PER_PAGE", "500")
    config = HarvestConfig.resolve()
    assert (config.base_url, config.access_token, config.account_id, config.per_page) == (
        "https://api.harvestapp.com/v2",
        "token",
        "42",
        500,
    )


def test_an_unconfigured_source_is_one_line_naming_the_settings_not_a_sandbox_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOURCES__")}
    result = subprocess.run(
        [*CONCORD, "ingest", "--system", "harvest"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no .dlt/ here
        env={**env, "CONCORD_DUCKDB_PATH": str(tmp_path / "w.duckdb")},
        timeout=120,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "SOURCES__HARVEST__BASE_URL" in result.stderr and "SOURCES__HARVEST__ACCESS_TOKEN" in result.stderr

"""Concord's own settings, read once from the environment at the edge (the CLI, the Dagster
definitions) into one typed object that is passed in; nothing deeper reads the environment.

| variable | what it sets | default |
|---|---|---|
| `CONCORD_WAREHOUSE` | `duckdb` or `postgres` | `duckdb` |
| `CONCORD_DUCKDB_PATH` | the DuckDB file | `.concord/warehouse.duckdb` |
| `CONCORD_POSTGRES_DSN` | the PostgreSQL database (else dlt's `destination.postgres.credentials`) | – |
| `CONCORD_PIPELINES_DIR` | where dlt keeps pipeline state | `.concord/dlt` |
| `CONCORD_ALERTS_FILE` | the sensors' alert log | `.concord/alerts.sqlite` |
| `DAGSTER_HOME` | Dagster's instance (runs, schedules) | `.concord/dagster` |
| `CONCORD_LOOP_CRON` | when the loop runs | `*/15 * * * *` |
| `CONCORD_SCHEDULES_RUNNING` | `1`: schedules start running | stopped |
| `CONCORD_ALERT_THRESHOLDS` | open exceptions per severity that raise an alert | `error=25,warn=500` |
| `CONCORD_RUN_TIME_LIMIT` | minutes a run of the loop may take before it is stopped and marked failed | `120` |
| `CONCORD_MAX_DELETE_SHARE` | the share of a table's live records one key reconciliation may mark deleted; more is taken for a partial listing and deletes nothing until confirmed (`ingestion.reconcile`) | `0.05` |
| `CONCORD_WRITE_BACK_RETRY_CAP_MINUTES` | the longest wait before a write that failed transiently (vendor down, 429, 5xx) is retried | `15` |
| `CONCORD_WRITE_BACK_OUTAGE_MINUTES` | how long a sync may see only transient failures before a `vendor_outage` alert | `60` |

The source systems' base URLs and credentials are dlt's `sources.<system>.*` values
(environment or `.dlt/secrets.toml`), read by `ingestion.config`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path

from core.errors import ConcordError
from core.warehouse import DEFAULT_WAREHOUSE, Warehouse

STATE_DIR = Path(".concord")
DEFAULT_ALERT_THRESHOLDS = {"error": 25, "warn": 500}
DEFAULT_MAX_DELETE_SHARE = 0.05
# the write-back's patience with a vendor that is down (reverse_etl.engine, the write-back assets)
DEFAULT_WRITE_BACK_RETRY_CAP = timedelta(minutes=15)
DEFAULT_WRITE_BACK_OUTAGE = timedelta(minutes=60)


@dataclass(frozen=True)
class Settings:
    warehouse: Warehouse = field(default_factory=Warehouse)
    pipelines_dir: Path = STATE_DIR / "dlt"
    alerts_file: Path = STATE_DIR / "alerts.sqlite"
    dagster_home: Path = STATE_DIR / "dagster"
    loop_cron: str = "*/15 * * * *"
    schedules_running: bool = False
    alert_thresholds: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_ALERT_THRESHOLDS))
    run_time_limit: timedelta = timedelta(minutes=120)
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE
    write_back_retry_cap: timedelta = DEFAULT_WRITE_BACK_RETRY_CAP
    write_back_outage: timedelta = DEFAULT_WRITE_BACK_OUTAGE

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls.__dataclass_fields__
        return cls(
            warehouse=Warehouse.configured(
                env.get("CONCORD_WAREHOUSE", "duckdb"),
                Path(env.get("CONCORD_DUCKDB_PATH", str(DEFAULT_WAREHOUSE))),
                env.get("CONCORD_POSTGRES_DSN") or None,
            ),
            pipelines_dir=Path(env.get("CONCORD_PIPELINES_DIR") or defaults["pipelines_dir"].default),
            alerts_file=Path(env.get("CONCORD_ALERTS_FILE") or defaults["alerts_file"].default),
            dagster_home=Path(env.get("DAGSTER_HOME") or defaults["dagster_home"].default).resolve(),
            loop_cron=env.get("CONCORD_LOOP_CRON") or defaults["loop_cron"].default,
            schedules_running=env.get("CONCORD_SCHEDULES_RUNNING") == "1",
            alert_thresholds=parse_thresholds(env.get("CONCORD_ALERT_THRESHOLDS", "")),
            run_time_limit=parse_minutes("CONCORD_RUN_TIME_LIMIT", env.get("CONCORD_RUN_TIME_LIMIT"))
            or defaults["run_time_limit"].default,
            max_delete_share=parse_share(env.get("CONCORD_MAX_DELETE_SHARE", "")),
            write_back_retry_cap=parse_minutes(
                "CONCORD_WRITE_BACK_RETRY_CAP_MINUTES", env.get("CONCORD_WRITE_BACK_RETRY_CAP_MINUTES")
            )
            or DEFAULT_WRITE_BACK_RETRY_CAP,
            write_back_outage=parse_minutes(
                "CONCORD_WRITE_BACK_OUTAGE_MINUTES", env.get("CONCORD_WRITE_BACK_OUTAGE_MINUTES")
            )
            or DEFAULT_WRITE_BACK_OUTAGE,
        )


def parse_thresholds(text: str) -> dict[str, int]:
    """`error=10,warn=500` over the defaults."""
    thresholds = dict(DEFAULT_ALERT_THRESHOLDS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        severity, _, value = item.partition("=")
        if not value.strip().isdigit():
            raise ConcordError(f"CONCORD_ALERT_THRESHOLDS: {item!r} is not severity=number")
        thresholds[severity.strip()] = int(value)
    return thresholds


def parse_minutes(variable: str, text: str | None) -> timedelta | None:
    """A whole, positive number of minutes, or None when the variable is not set."""
    if not text:
        return None
    if not text.strip().isdigit() or int(text) == 0:
        raise ConcordError(f"{variable}: {text!r} is not a whole number of minutes above 0")
    return timedelta(minutes=int(text))


def parse_share(text: str) -> float:
    """`0.05` (a share above 0, at most 1); empty: the default."""
    if not text.strip():
        return DEFAULT_MAX_DELETE_SHARE
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 < share <= 1:
        raise ConcordError(f"CONCORD_MAX_DELETE_SHARE: {text!r} is not a share above 0 and at most 1, e.g. 0.05")
    return share


@cache
def settings() -> Settings:
    """This process's settings, read from the environment the first time they are asked for."""
    return Settings.from_environment()

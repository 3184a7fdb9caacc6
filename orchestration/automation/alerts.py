"""The alert log: what the sensors raise (a failed run, open exceptions of a severity above
their threshold), kept in a small SQLite file next to the warehouse so a sensor can write it
while a run holds the warehouse. `concord status` lists the latest alerts."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_ALERTS = Path(".concord") / "alerts.sqlite"
# Open exceptions of a severity above which the exceptions sensor raises an alert;
# CONCORD_ALERT_THRESHOLDS overrides them, e.g. "error=10,warn=500".
DEFAULT_THRESHOLDS = {"error": 25, "warn": 500}


@dataclass(frozen=True)
class Alert:
    raised_at: str
    kind: str  # run_failure | exceptions
    subject: str
    message: str


def thresholds() -> dict[str, int]:
    configured = dict(DEFAULT_THRESHOLDS)
    for item in filter(None, os.environ.get("CONCORD_ALERT_THRESHOLDS", "").split(",")):
        severity, _, value = item.partition("=")
        if not value.strip().isdigit():
            raise ValueError(f"CONCORD_ALERT_THRESHOLDS: {item!r} is not severity=number")
        configured[severity.strip()] = int(value)
    return configured


class AlertLog:
    def __init__(self, path: Path = DEFAULT_ALERTS) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS alerts (raised_at TEXT, kind TEXT, subject TEXT, message TEXT)"
        )
        self.connection.execute("CREATE TABLE IF NOT EXISTS exception_levels (severity TEXT PRIMARY KEY, open INT)")

    def __enter__(self) -> AlertLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.commit()
        self.connection.close()

    def raise_alert(self, kind: str, subject: str, message: str) -> Alert:
        alert = Alert(datetime.now(UTC).isoformat(timespec="seconds"), kind, subject, message)
        self.connection.execute("INSERT INTO alerts VALUES (?, ?, ?, ?)", (alert.raised_at, kind, subject, message))
        return alert

    def latest(self, limit: int = 10) -> list[Alert]:
        rows = self.connection.execute("SELECT * FROM alerts ORDER BY raised_at DESC, rowid DESC LIMIT ?", (limit,))
        return [Alert(*row) for row in rows]

    def exceptions_crossing(self, open_by_severity: dict[str, int], limits: dict[str, int]) -> list[Alert]:
        """Alerts for the severities whose open exceptions went above their threshold since the
        last time they were counted (one alert per crossing, not one per run)."""
        previous = dict(self.connection.execute("SELECT severity, open FROM exception_levels").fetchall())
        raised = []
        for severity, limit in sorted(limits.items()):
            now = open_by_severity.get(severity, 0)
            if now > limit and previous.get(severity, 0) <= limit:
                raised.append(
                    self.raise_alert(
                        "exceptions", severity, f"{now} open {severity} exceptions, above the threshold of {limit}"
                    )
                )
            self.connection.execute("INSERT OR REPLACE INTO exception_levels VALUES (?, ?)", (severity, now))
        return raised

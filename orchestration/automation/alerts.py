"""The alert log: what the sensors raise (a failed run, open exceptions of a severity above
their threshold), kept in a small SQLite file next to the warehouse so a sensor can write it
while a run holds the warehouse. `concord status` lists the latest alerts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Alert:
    raised_at: str
    kind: str  # run_failure | exceptions | dead_run | mass_delete | vendor_outage
    subject: str
    message: str


class AlertLog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS alerts (raised_at TEXT, kind TEXT, subject TEXT, message TEXT)"
        )
        self.connection.execute("CREATE TABLE IF NOT EXISTS exception_levels (severity TEXT PRIMARY KEY, open INT)")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS open_conditions (kind TEXT, subject TEXT, PRIMARY KEY (kind, subject))"
        )

    def __enter__(self) -> AlertLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.commit()
        self.connection.close()

    def raise_alert(self, kind: str, subject: str, message: str) -> Alert:
        alert = Alert(datetime.now(UTC).isoformat(timespec="seconds"), kind, subject, message)
        self.connection.execute("INSERT INTO alerts VALUES (?, ?, ?, ?)", (alert.raised_at, kind, subject, message))
        return alert

    def raise_while(self, kind: str, subject: str, message: str) -> Alert | None:
        """The alert of a condition that lasts (a table whose deletes are withheld): raised when
        the condition begins, not again on every run that still finds it, until it is `cleared`."""
        opened = self.connection.execute("INSERT OR IGNORE INTO open_conditions VALUES (?, ?)", (kind, subject))
        return self.raise_alert(kind, subject, message) if opened.rowcount else None

    def cleared(self, kind: str, subject: str) -> None:
        """The condition no longer holds: the next time it begins raises its alert again."""
        self.connection.execute("DELETE FROM open_conditions WHERE kind = ? AND subject = ?", (kind, subject))

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

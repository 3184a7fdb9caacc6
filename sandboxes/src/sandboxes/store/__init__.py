"""The sandbox store: one SQLite database per vendor, shared by the servers and the simulator.

A store is a directory (default `.concord/sandbox`) holding `salesforce.db`, `harvest.db`,
`netsuite.db` and `simulation.db`. Any process may open it: the servers read and write
through it, `concord sandbox tick` advances the firm through it while they run. SQLite's
WAL mode lets readers go on while one writer commits.

The store also owns the simulated clock. Its time is wall-clock time plus an offset kept
in `sim_state`, so it moves with real time (API writes get fresh, increasing timestamps)
and jumps forward when the simulator ticks days ahead. Every timestamp any server or the
simulator writes comes from `Store.now_ms()`, so cursors in every system only move forward.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sandboxes.store.schema import SYSTEMS

DEFAULT_STORE_DIR = Path(".concord") / "sandbox"
_OFFSET_KEY = "clock_offset_ms"


class Store:
    """Opens the per-system SQLite databases of one sandbox store directory."""

    def __init__(self, directory: Path | str = DEFAULT_STORE_DIR) -> None:
        self.directory = Path(directory)
        self._local = threading.local()
        self._clock_lock = threading.Lock()
        self._last_now_ms = 0

    # -- connections -------------------------------------------------------------------

    def path(self, system: str) -> Path:
        if system not in SYSTEMS:
            raise ValueError(f"unknown system {system!r}; expected one of {sorted(SYSTEMS)}")
        return self.directory / f"{system}.db"

    def create(self) -> Store:
        """Creates the directory and every table (idempotent)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for system, ddl in SYSTEMS.items():
            conn = self.connect(system)
            conn.executescript(ddl)
            conn.commit()
        return self

    def exists(self) -> bool:
        return all(self.path(system).exists() for system in SYSTEMS)

    def connect(self, system: str) -> sqlite3.Connection:
        """This thread's connection to one system's database (rows as sqlite3.Row)."""
        conns: dict[str, sqlite3.Connection] = getattr(self._local, "conns", None) or {}
        self._local.conns = conns
        conn = conns.get(system)
        if conn is None:
            conn = sqlite3.connect(self.path(system), timeout=30, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=OFF")
            conns[system] = conn
        return conn

    @contextmanager
    def transaction(self, system: str) -> Iterator[sqlite3.Connection]:
        """A write transaction on one system's database, committed on success."""
        conn = self.connect(system)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()

    def close(self) -> None:
        for conn in (getattr(self._local, "conns", None) or {}).values():
            conn.close()
        self._local.conns = {}

    # -- simulator state ---------------------------------------------------------------

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self.connect("simulation").execute("SELECT value FROM sim_state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        target = conn or self.connect("simulation")
        target.execute(
            "INSERT INTO sim_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        if conn is None:
            target.commit()

    # -- the simulated clock -----------------------------------------------------------

    def clock_offset_ms(self) -> int:
        # Read every time (a primary-key lookup): another process may have just ticked.
        return int(self.get_state(_OFFSET_KEY, "0") or 0)

    def set_clock(self, sim_now_ms: int) -> None:
        """Sets the simulated time to `sim_now_ms` as of this wall-clock instant."""
        self.set_state(_OFFSET_KEY, str(sim_now_ms - int(time.time() * 1000)))

    def advance_clock(self, delta_ms: int) -> None:
        self.set_state(_OFFSET_KEY, str(self.clock_offset_ms() + delta_ms))

    def now_ms(self) -> int:
        """The simulated time now, in epoch milliseconds; strictly increasing per process."""
        with self._clock_lock:
            now = int(time.time() * 1000) + self.clock_offset_ms()
            if now <= self._last_now_ms:
                now = self._last_now_ms + 1
            self._last_now_ms = now
            return now

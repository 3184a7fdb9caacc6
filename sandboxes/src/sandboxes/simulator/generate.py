"""`generate`: wipes a store and fills it with a seeded firm's history up to `as_of`."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, timedelta

from sandboxes.simulator.clock import midnight_ms, month_start, next_weekday
from sandboxes.simulator.config import DRIFT_TYPES, SIZES, DriftRates, GenerationSummary, MatchingNoise, resolve_noise
from sandboxes.simulator.drift import DRIFT_COLUMNS
from sandboxes.simulator.history import HistoryWriter
from sandboxes.simulator.sink import Sink
from sandboxes.simulator.truth import table_counts
from sandboxes.simulator.world import plan_world, slot_count
from sandboxes.store import Store
from sandboxes.store.schema import SYSTEMS

DEFAULT_AS_OF = date(2026, 11, 1)
MAX_TIME_PROBABILITY = 0.95


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in rows]


def _wipe(conn: sqlite3.Connection) -> None:
    for table in _tables(conn):
        conn.execute(f'DELETE FROM "{table}"')
    conn.commit()


def _bulk_mode(conn: sqlite3.Connection, on: bool) -> None:
    """Fast, unsafe writes while generating (a crash mid-generation means regenerate)."""
    if on:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA cache_size=-100000")
    else:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-2000")


def _last_invoice_month(as_of: date) -> str:
    """The month (YYYY-MM) of the last monthly invoice run before `as_of` (runs on the
    first weekday from the 3rd of the month)."""
    start = month_start(as_of)
    if next_weekday(start + timedelta(days=2)) >= as_of:
        start = month_start(start - timedelta(days=1))
    return start.isoformat()[:7]


def generate(
    store: Store,
    size: str = "demo",
    seed: int = 42,
    as_of: date = DEFAULT_AS_OF,
    drift: DriftRates | None = None,
    noise: MatchingNoise | str | None = None,
) -> GenerationSummary:
    """Wipes all four databases and fills them with a firm's history up to (not including)
    `as_of`; sets the store's clock to midnight UTC of `as_of`. `noise` is a `NOISE_LEVELS`
    name or `MatchingNoise` rates; None is `messy_no_identifiers`, as hard as a real firm."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    noise_level, noise_rates = resolve_noise(noise)
    started = time.perf_counter()
    profile = SIZES[size]
    rates = drift or DriftRates()
    store.create()
    conns = {system: store.connect(system) for system in SYSTEMS}
    for conn in conns.values():
        conn.commit()
        _wipe(conn)
        _bulk_mode(conn, True)
    try:
        world = plan_world(profile, seed, as_of, rates, noise_rates)
        probability = min(MAX_TIME_PROBABILITY, profile.time_entries / max(1, slot_count(world)))
        sink = Sink(store, conns=conns)
        writer = HistoryWriter(world, sink, rates, seed, probability)
        writer.write_reference()
        writer.write_crm()
        writer.write_accounts_downstream()
        writer.write_projects()
        sink.put_rows("simulation", "drift", DRIFT_COLUMNS, writer.recorder.take_rows())
        sink.flush()
        counters = {
            "client": len(world.clients),
            "opportunity": len(world.opportunities),
            "contract": len(world.contracts),
            "project": len(world.projects),
            "time": writer.n_time,
            "expense": writer.n_expense,
            "transaction": writer.n_transaction,
        }
        state = {
            "seed": str(seed),
            "size": size,
            "as_of": as_of.isoformat(),
            "history_start": world.history_start.isoformat(),
            "day": "0",
            "last_date": date.fromordinal(as_of.toordinal() - 1).isoformat(),
            "time_probability": repr(probability),
            "counters": json.dumps(counters, sort_keys=True),
            "last_invoice_month": _last_invoice_month(as_of),
            "drift_rates": json.dumps(rates.as_dict(), sort_keys=True),
            "drift_candidates": json.dumps(dict(sorted(writer.recorder.candidates.items()))),
            "drift_counts": json.dumps(dict(sorted(writer.recorder.drifted.items()))),
            "noise_level": noise_level,
            "noise_rates": json.dumps(noise_rates.as_dict(), sort_keys=True),
            # Ground truth the entity map cannot say: look-alike pairs of distinct clients.
            "false_friends": json.dumps(
                [[c.mimics.entity_id, c.entity_id] for c in world.clients if c.mimics is not None]
            ),
            "subsidiaries_abroad": json.dumps(
                [[c.parent.entity_id, c.entity_id] for c in world.clients if c.abroad and c.parent is not None]
            ),
        }
        for key, value in state.items():
            store.set_state(key, value, conn=conns["simulation"])
        for conn in conns.values():
            conn.commit()
    finally:
        for conn in conns.values():
            conn.commit()
            _bulk_mode(conn, False)
    store.set_clock(midnight_ms(as_of))
    drifted = {name: writer.recorder.drifted.get(name, 0) for name in DRIFT_TYPES}
    candidates = {name: writer.recorder.candidates.get(name, 0) for name in DRIFT_TYPES}
    counts = table_counts(store)
    return GenerationSummary(
        seed=seed,
        size=size,
        as_of=as_of.isoformat(),
        counts=counts,
        drift=drifted,
        drift_candidates=candidates,
        drift_rows=counts["simulation"].get("drift", 0),
        noise=noise_level,
        noise_rates=noise_rates.as_dict(),
        seconds=round(time.perf_counter() - started, 3),
    )

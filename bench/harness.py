"""What the benchmarks share: the bench firm's store, the sandboxes in a child process with the
vendors' rate limits off, source configs pointing at them, a scratch PostgreSQL database, a 1%
change of every system, and a timer."""

from __future__ import annotations

import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.settings import SandboxSettings  # noqa: E402
from sandboxes.simulator import generate  # noqa: E402
from sandboxes.store import Store  # noqa: E402

from ingestion.registry import registry  # noqa: E402

SALESFORCE_OBJECTS = tuple(table.vendor_name for table in registry("salesforce").tables)
HARVEST_RESOURCES = tuple(table.vendor_name for table in registry("harvest").tables)

NETSUITE = registry("netsuite")
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig  # noqa: E402


def print_machine() -> None:
    print(f"machine: {platform.platform()} | python {platform.python_version()} | cpus {os.cpu_count()}")


def bench_store(store_dir: Path, size: str) -> Store:
    """The store at `store_dir`, holding the firm of `size` (generated unless it already does)."""
    store = Store(store_dir).create()
    if store.get_state("size") != size:
        timed(f"generate the {size} firm", lambda: generate(store, size=size))
    return store


@contextmanager
def served(store_dir: Path) -> Iterator[dict[str, str]]:
    """The sandboxes serving the store while the block runs; yields their base URLs."""
    sandboxes, urls = start_sandboxes(store_dir)
    try:
        yield urls
    finally:
        sandboxes.send_signal(signal.SIGTERM)
        sandboxes.wait(timeout=30)


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A new PostgreSQL database on the local server, dropped afterwards; yields its DSN."""
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    database = f"concord_bench_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{database}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{database}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


def start_sandboxes(store_dir: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    """The sandboxes in a child process, with the vendors' rate limits off."""
    code = f"""
import json, signal, sys
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SandboxSettings
s = SandboxSettings(store_dir={str(store_dir)!r}, ports={{"salesforce": 0, "harvest": 0, "netsuite": 0}})
s.harvest.rate_limit_enabled = False
s.salesforce.daily_api_limit = 10**9
s.netsuite.concurrency_limit = 1000
c = SandboxCluster(settings=s).start()
print(json.dumps({{n: r.base_url for n, r in c.running.items()}}), flush=True)
signal.sigwait([signal.SIGTERM, signal.SIGINT])
c.stop()
"""
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[1]
    )
    urls = json.loads(process.stdout.readline())
    urls["store"] = str(store_dir)  # where NetSuite's M2M private key is
    return process, urls


def change_one_percent(store: Store, seed: int = 7) -> int:
    """Touches about 1% of every system's records, as the vendors' users would."""
    rng = random.Random(seed)
    now = store.now_ms()
    changed = 0
    plan = {
        "salesforce": [(t, "rowid", "SystemModstamp = ?, LastModifiedDate = ?", 2) for t in SALESFORCE_OBJECTS],
        "harvest": [(t, "id", "updated_at = ?", 1) for t in HARVEST_RESOURCES],
        "netsuite": [(f'"{t.name}"', NETSUITE.key_of(t), f"{NETSUITE.cursor_of(t)} = ?", 1) for t in NETSUITE.tables],
    }
    for system, tables in plan.items():
        with store.transaction(system) as conn:
            for table, key, assignment, n_params in tables:
                keys = [row[0] for row in conn.execute(f"SELECT {key} FROM {table}")]
                picked = rng.sample(keys, max(1, len(keys) // 100)) if keys else []
                stamp = (now // 1000) * 1000 if system != "salesforce" else now
                conn.executemany(
                    f"UPDATE {table} SET {assignment} WHERE {key} = ?", [(*([stamp] * n_params), k) for k in picked]
                )
                changed += len(picked)
    return changed


def configs(urls: dict[str, str]) -> dict:
    return {
        "salesforce": SalesforceConfig(
            **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("salesforce"),
            base_url=urls["salesforce"],
            login_url=urls["salesforce"],
        ),
        "harvest": HarvestConfig(**SandboxSettings().source_credentials("harvest"), base_url=f"{urls['harvest']}/v2"),
        "netsuite": NetSuiteConfig(
            **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("netsuite"),
            base_url=f"{urls['netsuite']}/services/rest",
        ),
    }


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:,.1f} s", flush=True)
    return elapsed, result

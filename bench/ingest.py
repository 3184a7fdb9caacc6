"""Benchmark: ingestion at `bench` size (about 1M time entries), in one run.

Prints, each against the sandboxes with their rate limits off:
  (a) raw fetch: paging through the same endpoints the sources use with a plain HTTP client
      and parsing the JSON, storing nothing (the floor any connector pays);
  (b) the full initial load into DuckDB (`concord ingest` machinery);
  (c) an incremental run after about 1% of the records changed;
  (d) the same full load into PostgreSQL.
and the ratios the targets are stated in: (b)/(a) <= 2, (c)/(b) <= 0.10, and the peak memory
of this process (the sandboxes run in a child process, so they are not counted).

Run by hand: `.venv/bin/python bench/ingest.py [--store DIR]` (a store already holding the
bench firm is reused; otherwise it is generated, which takes about a minute more).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from concord.sandbox_report import HARVEST_RESOURCES, NETSUITE_TABLES, SALESFORCE_OBJECTS  # noqa: E402
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig, Warehouse  # noqa: E402
from ingestion.runner import ingest  # noqa: E402
from sandboxes.simulator import generate  # noqa: E402
from sandboxes.store import Store  # noqa: E402


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
    return process, urls


def raw_fetch(urls: dict[str, str]) -> tuple[int, dict[str, float]]:
    """Pages through every endpoint the sources read; returns the number of records parsed
    and the seconds each system took."""
    http = requests.Session()
    http.trust_env = False
    rows, seconds = 0, {}
    for system, fetch in (("salesforce", _raw_salesforce), ("harvest", _raw_harvest), ("netsuite", _raw_netsuite)):
        started = time.perf_counter()
        rows += fetch(http, urls)
        seconds[system] = time.perf_counter() - started
    return rows, seconds


def _raw_salesforce(http: requests.Session, urls: dict[str, str]) -> int:
    rows = 0
    token = http.post(
        f"{urls['salesforce']}/services/oauth2/token",
        data={
            "grant_type": "password",
            **{k: getattr(SalesforceConfig(), k) for k in ("client_id", "client_secret", "username", "password")},
        },
    ).json()["access_token"]
    sf = {"Authorization": f"Bearer {token}"}
    for sobject in SALESFORCE_OBJECTS:
        fields = [
            f["name"]
            for f in http.get(
                f"{urls['salesforce']}/services/data/v62.0/sobjects/{sobject}/describe", headers=sf
            ).json()["fields"]
        ]
        page = http.get(
            f"{urls['salesforce']}/services/data/v62.0/queryAll",
            params={"q": f"SELECT {', '.join(fields)} FROM {sobject} ORDER BY SystemModstamp, Id"},
            headers=sf,
        ).json()
        rows += len(page["records"])
        while not page["done"]:
            page = http.get(urls["salesforce"] + page["nextRecordsUrl"], headers=sf).json()
            rows += len(page["records"])
    return rows


def _raw_harvest(http: requests.Session, urls: dict[str, str]) -> int:
    rows = 0
    hv_config = HarvestConfig()
    hv = {
        "Authorization": f"Bearer {hv_config.access_token}",
        "Harvest-Account-Id": hv_config.account_id,
        "User-Agent": "bench",
    }
    for resource_name in HARVEST_RESOURCES:
        url: str | None = f"{urls['harvest']}/v2/{resource_name}?per_page=2000"
        while url:
            page = http.get(url, headers=hv).json()
            rows += len(page[resource_name])
            url = page["links"]["next"]
    return rows


def _raw_netsuite(http: requests.Session, urls: dict[str, str]) -> int:
    rows = 0
    ns_config = NetSuiteConfig()
    ns_token = http.post(
        f"{urls['netsuite']}/services/rest/auth/oauth2/v1/token",
        data={"grant_type": "client_credentials"},
        auth=(ns_config.client_id, ns_config.client_secret),
    ).json()["access_token"]
    ns = {"Authorization": f"Bearer {ns_token}", "Prefer": "transient"}
    for table in NETSUITE_TABLES:
        last_id = 0
        while True:
            page = http.post(
                f"{urls['netsuite']}/services/rest/query/v1/suiteql",
                params={"limit": 1000},
                json={"q": f"SELECT * FROM {table} WHERE id > {last_id} ORDER BY id FETCH FIRST 1000 ROWS ONLY"},
                headers=ns,
            ).json()
            items = page["items"]
            rows += len(items)
            if len(items) < 1000:
                break
            last_id = int(items[-1]["id"])
    return rows


def change_one_percent(store: Store, seed: int = 7) -> int:
    """Touches about 1% of every system's records, as the vendors' users would."""
    rng = random.Random(seed)
    now = store.now_ms()
    changed = 0
    plan = {
        "salesforce": [(t, "rowid", "SystemModstamp = ?, LastModifiedDate = ?", 2) for t in SALESFORCE_OBJECTS],
        "harvest": [(t, "id", "updated_at = ?", 1) for t in HARVEST_RESOURCES],
        "netsuite": [(f'"{t}"', "id", "lastmodifieddate = ?", 1) for t in NETSUITE_TABLES],
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
        "salesforce": SalesforceConfig(base_url=urls["salesforce"]),
        "harvest": HarvestConfig(base_url=f"{urls['harvest']}/v2"),
        "netsuite": NetSuiteConfig(base_url=f"{urls['netsuite']}/services/rest"),
    }


def timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:,.1f} s", flush=True)
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", help="a store holding (or to hold) the bench firm; default: a temporary one")
    parser.add_argument("--size", default="bench")
    args = parser.parse_args()
    print(f"machine: {platform.platform()} | python {platform.python_version()} | cpus {os.cpu_count()}")
    work = Path(tempfile.mkdtemp(prefix="concord-bench-ingest-"))
    store_dir = Path(args.store) if args.store else work / "store"
    store = Store(store_dir).create()
    if store.get_state("size") != args.size:
        timed(f"generate the {args.size} firm", lambda: generate(store, size=args.size))
    sandboxes, urls = start_sandboxes(store_dir)
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    database = f"concord_bench_{uuid.uuid4().hex[:8]}"
    try:
        a, (rows, per_system) = timed("(a) raw fetch", lambda: raw_fetch(urls))
        print(f"    {rows:,} records fetched and parsed ({rows / a:,.0f}/s)")
        print("    " + ", ".join(f"{system} {seconds:,.0f} s" for system, seconds in per_system.items()))
        duck = Warehouse(kind="duckdb", duckdb_path=work / "warehouse.duckdb")
        b, first = timed(
            "(b) full load into DuckDB",
            lambda: ingest(warehouse=duck, configs=configs(urls), pipelines_dir=work / "dlt"),
        )
        print("    " + ", ".join(f"{s.system} {s.seconds:,.0f} s" for s in first))
        changed = change_one_percent(store)
        print(f"    changed {changed:,} records (about 1%)")
        c, summaries = timed(
            "(c) incremental run", lambda: ingest(warehouse=duck, configs=configs(urls), pipelines_dir=work / "dlt")
        )
        landed = sum(t.new + t.changed for s in summaries for t in s.tables.values())
        print(f"    landed {landed:,} new/changed rows")
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
        pg = Warehouse(kind="postgres", postgres_dsn=f"postgresql://postgres:trust@127.0.0.1:5432/{database}")
        d, _ = timed(
            "(d) full load into PostgreSQL",
            lambda: ingest(warehouse=pg, configs=configs(urls), pipelines_dir=work / "dlt-pg"),
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"ratios: (b)/(a) = {b / a:.2f} (target <= 2); (c)/(b) = {c / b:.3f} (target <= 0.10); (d)/(b) = {d / b:.2f}"
        )
        print(f"peak RSS of the ingesting process: {peak:,.0f} MB (target < 4,096 MB)")
    finally:
        sandboxes.send_signal(signal.SIGTERM)
        sandboxes.wait(timeout=30)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()

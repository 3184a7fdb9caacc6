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
import resource
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.settings import SandboxSettings  # noqa: E402

from core.warehouse import Warehouse  # noqa: E402
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig  # noqa: E402
from ingestion.netsuite.client import NetSuiteClient  # noqa: E402
from ingestion.registry import registry  # noqa: E402
from ingestion.runner import ingest  # noqa: E402
from ingestion.salesforce.client import salesforce_login  # noqa: E402

SANDBOX = SandboxSettings()  # the credentials the sandboxes accept

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    HARVEST_RESOURCES,
    SALESFORCE_OBJECTS,
    bench_store,
    change_one_percent,
    configs,
    print_machine,
    scratch_postgres_database,
    served,
    timed,
)
from results import recorded  # noqa: E402


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
    sf_config = SalesforceConfig(
        **{
            **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("salesforce"),
            "login_url": urls["salesforce"],
        }
    )
    token, _ = salesforce_login(sf_config, http)  # the connector's own JWT bearer login
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
    hv_config = HarvestConfig(**SANDBOX.source_credentials("harvest"))
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
    ns_config = NetSuiteConfig(
        **{
            **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("netsuite"),
            "base_url": f"{urls['netsuite']}/services/rest",
        }
    )
    ns_token = NetSuiteClient(ns_config).fetch_token()  # the connector's own M2M login
    ns = {"Authorization": f"Bearer {ns_token}", "Prefer": "transient"}
    netsuite = registry("netsuite")
    for landed in netsuite.tables:
        table, key = landed.name, netsuite.key_of(landed)  # transaction lines: uniquekey (ids repeat per transaction)
        last_id = 0
        while True:
            page = http.post(
                f"{urls['netsuite']}/services/rest/query/v1/suiteql",
                params={"limit": 1000},
                json={"q": f"SELECT * FROM {table} WHERE {key} > {last_id} ORDER BY {key} FETCH FIRST 1000 ROWS ONLY"},
                headers=ns,
            ).json()
            items = page["items"]
            rows += len(items)
            if len(items) < 1000:
                break
            last_id = int(items[-1][key])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", help="a store holding (or to hold) the bench firm; default: a temporary one")
    parser.add_argument("--size", default="bench")
    args = parser.parse_args()
    print_machine()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-ingest-"))
    store_dir = Path(args.store) if args.store else work / "store"
    store = bench_store(store_dir, args.size)
    with served(store_dir) as urls:
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
        with scratch_postgres_database() as dsn:
            pg = Warehouse(kind="postgres", postgres_dsn=dsn)
            d, _ = timed(
                "(d) full load into PostgreSQL",
                lambda: ingest(warehouse=pg, configs=configs(urls), pipelines_dir=work / "dlt-pg"),
            )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"ratios: (b)/(a) = {b / a:.2f} (target <= 2); (c)/(b) = {c / b:.3f} (target <= 0.10); (d)/(b) = {d / b:.2f}"
        )
        print(f"peak RSS of the ingesting process: {peak:,.0f} MB (target < 4,096 MB)")


if __name__ == "__main__":
    with recorded("ingestion"):
        main()

"""Benchmark: write-back throughput of the reverse ETL against each vendor's rate limit.

For each target (Harvest, Salesforce, NetSuite) it builds a backlog of at least `--writes`
records to write (a hand-made sync model `marts.sync_<target>__customers` in a fresh DuckDB
warehouse: updates of the firm's existing records, then creates for the rest where the firm has
too few), and runs the real engine (`reverse_etl.engine.execute`) with the real target against
the sandboxes serving that firm, with their rate limits on as the vendors enforce them:

- Harvest: 100 requests per sliding 15 s per token. A write costs one PATCH (update) or POST
  (create), plus the GETs of the check-before-create listing; the ceiling is the best rate the
  window allows for that many requests (a first burst of 100, then 100 per 15 s).
- Salesforce: sObject Collections of 200 records per call; the org's daily API allowance
  (1,000,000 calls a day in the sandbox) is its only limit, so the ceiling is that allowance
  spread over the day.
- NetSuite: at most 5 requests in flight per account (429 CONCURRENCY_LIMIT_EXCEEDED beyond);
  creates are `eid:` upserts. A concurrency limit allows a rate that depends on how fast the
  server answers, so the ceiling is measured in the same run: a bare client sending the same
  writes with exactly 5 in flight, just before and just after the engine (averaged).

It prints per target: writes, seconds, writes/s, requests/s, the ceiling, % of the ceiling, 429s
seen, rows failed (and how many of those failed on a 429), and checks in the sandbox's store that
every written value landed. Requests are counted on the wire (every request this process sends,
logins and look-ups included). Unless `--no-overhead`, each target first runs a backlog with the
sandboxes' limits off (and Harvest's client-side pacing opened up): the software's own rate.

Run by hand (a 5,000-write Harvest run at its ceiling takes about 12.5 minutes):
`.venv/bin/python bench/sync_throughput.py [--writes 5000] [--targets harvest,salesforce,netsuite]
[--quick] [--store DIR] [--no-overhead]`. A store already holding the firm is reused (the
bench writes to it; each run toggles the values back and forth, so it stays reusable).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import duckdb
import pyarrow as pa
import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.settings import SandboxSettings  # noqa: E402

from core.warehouse import Warehouse  # noqa: E402
from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig  # noqa: E402
from ingestion.netsuite.client import NetSuiteClient  # noqa: E402
from reverse_etl import engine  # noqa: E402
from reverse_etl.ledger import SCHEMA, Ledger, now_utc  # noqa: E402
from reverse_etl.targets.base import Target  # noqa: E402
from reverse_etl.targets.harvest import HarvestTarget  # noqa: E402
from reverse_etl.targets.netsuite import NetSuiteTarget  # noqa: E402
from reverse_etl.targets.salesforce import SalesforceTarget  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_store, print_machine  # noqa: E402
from results import recorded  # noqa: E402

TARGETS = ("harvest", "salesforce", "netsuite")
SUFFIX = " (bench)"  # toggled on and off a name, so every run has a real change to write
CREATED_PREFIX = "BENCH-"  # external ids / names of the records the bench itself creates
DAY_SECONDS = 86_400
LIMITS = SandboxSettings()  # the sandboxes' limits, as the vendors enforce them


# -- the sandboxes, in a child process (so the server's work is not this process's) -------


@contextmanager
def sandboxes(store_dir: Path, limits_on: bool) -> Iterator[dict[str, str]]:
    """The three sandboxes serving the store, with the vendors' limits on or off; yields base URLs."""
    code = f"""
import json, signal
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SandboxSettings
s = SandboxSettings(store_dir={str(store_dir)!r}, ports={{"salesforce": 0, "harvest": 0, "netsuite": 0}})
if not {limits_on!r}:
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
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise SystemExit("the sandboxes did not start (their error is above)")
        yield {**json.loads(line), "store": str(store_dir)}  # the store holds NetSuite's M2M private key
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


# -- counting requests on the wire -----------------------------------------------------------


@dataclass
class Wire:
    """Requests this process sent, per (port, HTTP status)."""

    counts: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, port: int) -> int:
        return sum(n for (p, _), n in self.counts.items() if p == port)

    def status(self, port: int, status: int) -> int:
        return self.counts[(port, status)]


@contextmanager
def counted() -> Iterator[Wire]:
    """Counts every request any `requests` session sends while the block runs. The targets send
    some requests through the ingestion clients (logins, SuiteQL look-ups), so counting at the
    transport is the one place that sees them all."""
    wire = Wire()
    original = HTTPAdapter.send

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs):  # type: ignore[no-untyped-def]
        response = original(self, request, **kwargs)
        with wire.lock:
            wire.counts[(urlsplit(request.url).port, response.status_code)] += 1
        return response

    HTTPAdapter.send = send  # type: ignore[method-assign]
    try:
        yield wire
    finally:
        HTTPAdapter.send = original  # type: ignore[method-assign]


# -- backlogs: what to write, from the firm as the store holds it ---------------------------


@dataclass
class Row:
    """One record of a sync model: its fields' (current, desired) values."""

    sync_key: str
    operation: str
    target_record_id: str | None
    external_id: str | None
    fields: dict[str, tuple[str | None, str]]


def toggled(name: str) -> str:
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else name + SUFFIX


def read_store(store_dir: Path, system: str, sql: str) -> list[tuple]:
    with sqlite3.connect(store_dir / f"{system}.db") as conn:
        return conn.execute(sql).fetchall()


def harvest_backlog(store_dir: Path, n: int) -> list[Row]:
    """Renames of the firm's clients, then clients to create (check-before-create by name)."""
    existing = read_store(
        store_dir, "harvest", f"SELECT id, name FROM clients WHERE name NOT LIKE '{CREATED_PREFIX}%' ORDER BY id"
    )
    rows = [
        Row(f"harvest:{cid}", "update", str(cid), None, {"legal_name": (name, toggled(name))})
        for cid, name in existing[:n]
    ]
    # created by an earlier run: the check before creating finds them and updates instead
    rows += [
        Row(f"harvest:new:{i}", "create", None, None, {"legal_name": (None, f"{CREATED_PREFIX}Client {i:05d}")})
        for i in range(n - len(rows))
    ]
    return rows


def salesforce_backlog(store_dir: Path, n: int) -> list[Row]:
    """AR balances for the firm's accounts (the Salesforce sync sends no name, so it cannot
    create an Account: the backlog is capped at the accounts the firm has)."""
    accounts = read_store(store_dir, "salesforce", "SELECT Id, AR_Balance__c FROM Account ORDER BY rowid")
    if len(accounts) < n:
        print(f"  the firm has {len(accounts):,} Salesforce accounts: writing those, not {n:,}")
    stamp = time.time_ns() % 1_000_000  # a new value every run
    return [
        Row(
            f"salesforce:{account_id}",
            "update",
            account_id,
            None,
            {"ar_balance": (None if ar is None else f"{ar:.2f}", f"{(i * 37 + stamp) % 100_000}.25")},
        )
        for i, (account_id, ar) in enumerate(accounts[:n])
    ]


def netsuite_backlog(store_dir: Path, n: int) -> list[Row]:
    """Renames of the firm's customers, then customers to create by `eid:` upsert."""
    existing = read_store(
        store_dir,
        "netsuite",
        f"SELECT id, companyname FROM customer WHERE COALESCE(externalid, '') NOT LIKE '{CREATED_PREFIX}%' ORDER BY id",
    )
    subsidiaries = [str(s) for (s,) in read_store(store_dir, "netsuite", "SELECT id FROM subsidiary ORDER BY id")]
    made_before = dict(
        read_store(
            store_dir,
            "netsuite",
            f"SELECT externalid, companyname FROM customer WHERE externalid LIKE '{CREATED_PREFIX}%'",
        )
    )
    rows = [
        Row(f"netsuite:{cid}", "update", str(cid), None, {"legal_name": (name, toggled(name))})
        for cid, name in existing[:n]
    ]
    for i in range(n - len(rows)):
        eid = f"{CREATED_PREFIX}GC-{i:05d}"
        name = f"{CREATED_PREFIX}Customer {i:05d}"
        # upserted onto the customer an earlier run created: toggle its name like the others
        desired = toggled(made_before[eid]) if eid in made_before else name
        rows.append(
            Row(
                f"netsuite:new:{i}",
                "create",
                None,
                eid,
                {
                    "legal_name": (None, desired),
                    "legal_entity_id": (None, subsidiaries[i % len(subsidiaries)]),
                },
            )
        )
    return rows


BACKLOGS: dict[str, Callable[[Path, int], list[Row]]] = {
    "harvest": harvest_backlog,
    "salesforce": salesforce_backlog,
    "netsuite": netsuite_backlog,
}


def write_sync_model(warehouse: Warehouse, system: str, rows: list[Row]) -> str:
    """The sync model as dbt would build it; returns the sync's name."""
    sync = f"{system}__customers"
    columns: dict[str, list] = {
        c: [] for c in ("sync_key", "golden_id", "operation", "target_record_id", "external_id", "field")
    }
    columns |= {"desired_value": [], "current_value": []}
    for row in rows:
        for name, (current, desired) in row.fields.items():
            columns["sync_key"].append(row.sync_key)
            columns["golden_id"].append(row.external_id or f"GC-{row.sync_key}")
            columns["operation"].append(row.operation)
            columns["target_record_id"].append(row.target_record_id)
            columns["external_id"].append(row.external_id)
            columns["field"].append(name)
            columns["desired_value"].append(desired)
            columns["current_value"].append(current)
    model = pa.table(columns)  # noqa: F841 (read by DuckDB below, by name)
    with duckdb.connect(str(warehouse.duckdb_path)) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute(
            f"CREATE OR REPLACE TABLE marts.sync_{sync} AS SELECT *, CAST(? AS TIMESTAMP) AS current_as_of FROM model",
            [now_utc()],
        )
    return sync


# -- what landed --------------------------------------------------------------------------


def landed(store_dir: Path, system: str, rows: list[Row]) -> int:
    """How many backlog rows the sandbox's store now holds with every desired value."""
    if system == "harvest":
        by_id = dict(read_store(store_dir, "harvest", "SELECT id, name FROM clients"))
        names = {str(name).lower() for name in by_id.values()}
        return sum(
            (by_id.get(int(r.target_record_id)) == r.fields["legal_name"][1])
            if r.operation == "update"
            else (r.fields["legal_name"][1].lower() in names)
            for r in rows
        )
    if system == "salesforce":
        ar = dict(read_store(store_dir, "salesforce", "SELECT Id, AR_Balance__c FROM Account"))
        return sum(ar.get(r.target_record_id) == float(r.fields["ar_balance"][1]) for r in rows)
    by_id = {str(i): n for i, n in read_store(store_dir, "netsuite", "SELECT id, companyname FROM customer")}
    by_eid = dict(read_store(store_dir, "netsuite", "SELECT externalid, companyname FROM customer"))
    return sum(
        (by_id if r.operation == "update" else by_eid).get(r.target_record_id or r.external_id)
        == r.fields["legal_name"][1]
        for r in rows
    )


# -- one measured run ---------------------------------------------------------------------


@dataclass
class Measured:
    target: str
    limits: str
    writes: int = 0
    creates: int = 0
    seconds: float = 0.0
    requests: int = 0
    throttled: int = 0  # 429s seen on the wire
    failed: int = 0
    failed_on_429: int = 0
    landed: int = 0
    ceiling_rps: float | None = None
    ceiling_note: str = ""

    @property
    def writes_per_s(self) -> float:
        return self.writes / self.seconds if self.seconds else 0.0

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def of_ceiling(self) -> float | None:
        return None if not self.ceiling_rps else self.requests_per_s / self.ceiling_rps


def make_target(system: str, urls: dict[str, str], limits_on: bool) -> Target:
    if system == "harvest":
        config = HarvestConfig(**SandboxSettings().source_credentials("harvest"), base_url=f"{urls['harvest']}/v2")
        if limits_on:
            return HarvestTarget(config)
        # the sandbox does not throttle: open the client-side pacing up too (software overhead)
        return HarvestTarget(config, rate_limit_requests=10**9, rate_limit_window_seconds=1.0)
    if system == "salesforce":
        return SalesforceTarget(
            SalesforceConfig(
                **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("salesforce"),
                base_url=urls["salesforce"],
                login_url=urls["salesforce"],
            )
        )
    return NetSuiteTarget(
        NetSuiteConfig(
            **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("netsuite"),
            base_url=f"{urls['netsuite']}/services/rest",
        )
    )


def run_engine(store_dir: Path, work: Path, system: str, n: int, limits_on: bool) -> Measured:
    label = "on" if limits_on else "off"
    rows = BACKLOGS[system](store_dir, n)
    warehouse = Warehouse(kind="duckdb", duckdb_path=work / f"{system}-limits-{label}-{time.time_ns()}.duckdb")
    sync = write_sync_model(warehouse, system, rows)
    measured = Measured(system, label, creates=sum(r.operation == "create" for r in rows))
    with sandboxes(store_dir, limits_on) as urls:
        port = urlsplit(urls[system]).port or 0
        if system == "netsuite" and limits_on:
            # an interim value, so that the engine has every name to write again
            bare_before = bare_netsuite_rate(urls, rows, " (raw)")
        target = make_target(system, urls, limits_on)
        print(f"{system} (limits {label}): writing {len(rows):,} records ...", flush=True)
        with counted() as wire:
            started = time.perf_counter()
            [result] = engine.execute(warehouse, {system: target}, [sync], on_progress=progress)
            measured.seconds = time.perf_counter() - started
        measured.requests = wire.requests(port)
        measured.throttled = wire.status(port, 429)
        measured.landed = landed(store_dir, system, rows)
        if system == "netsuite" and limits_on:
            # the same values the engine wrote: the store is left as the engine left it
            measured.ceiling_rps, measured.ceiling_note = netsuite_ceiling(
                bare_before, bare_netsuite_rate(urls, rows, "")
            )
    measured.writes, measured.failed = result.written, result.failed
    if result.fatal:
        print(f"  fatal: {result.fatal}")
    with Ledger(warehouse, read_only=True) as ledger:
        [(measured.failed_on_429,)] = ledger.rows(
            f"SELECT COUNT(*) FROM {SCHEMA}.attempts WHERE status = 'failed' AND http_status = 429"
        )
    if limits_on and system == "harvest":
        measured.ceiling_rps, measured.ceiling_note = harvest_ceiling(measured.requests)
    if limits_on and system == "salesforce":
        measured.ceiling_rps, measured.ceiling_note = salesforce_ceiling(measured.requests)
    return measured


def progress(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", flush=True)


# -- ceilings -----------------------------------------------------------------------------


def harvest_ceiling(requests_sent: int) -> tuple[float, str]:
    """The rate at which a sliding window of L requests per W seconds lets `requests_sent`
    through at best: L at once, then L more each time the window has moved on, so the last
    request goes W * (ceil(R / L) - 1) seconds after the first. Over a long run it tends to L/W;
    a run within one window has no wait at all (the steady L/W is the ceiling then)."""
    limit, window = LIMITS.harvest.rate_limit_requests, LIMITS.harvest.rate_limit_window_seconds
    least_seconds = window * (math.ceil(requests_sent / limit) - 1)
    rate = requests_sent / least_seconds if least_seconds else limit / window
    return rate, f"{limit} req / {window:g} s sliding window: {requests_sent:,} requests need >= {least_seconds:g} s"


def salesforce_ceiling(requests_sent: int) -> tuple[float, str]:
    """The daily allowance spread over the day: a run may go faster for a while (the sandbox, like
    the org, has no shorter limit), but not all day."""
    daily = LIMITS.salesforce.daily_api_limit
    return daily / DAY_SECONDS, (
        f"{daily:,} API calls / day spread over the day, no shorter limit; "
        f"this run used {requests_sent:,} calls ({requests_sent / daily:.4%} of a day's allowance)"
    )


def bare_netsuite_rate(urls: dict[str, str], rows: list[Row], suffix: str) -> float:
    """Requests per second of a bare client sending the backlog's writes (each name + `suffix`)
    with exactly `limit` in flight: no ledger, no retries. What the concurrency limit allows on
    this machine now."""
    limit = LIMITS.netsuite.concurrency_limit
    config = NetSuiteConfig(
        **SandboxSettings(store_dir=Path(urls["store"])).source_credentials("netsuite"),
        base_url=f"{urls['netsuite']}/services/rest",
    )
    token = NetSuiteClient(config).fetch_token()
    base = config.base_url.rstrip("/")
    todo = iter(rows)
    lock = threading.Lock()
    statuses: Counter = Counter()

    def worker() -> None:
        http = requests.Session()
        http.trust_env = False
        http.headers.update({"Authorization": f"Bearer {token}", "Accept": "application/json"})
        while True:
            with lock:
                row = next(todo, None)
            if row is None:
                return
            name = row.fields["legal_name"][1] + suffix
            if row.operation == "update":
                response = http.patch(
                    f"{base}/record/v1/customer/{row.target_record_id}", json={"companyName": name}, timeout=60
                )
            else:
                subsidiary = row.fields["legal_entity_id"][1]
                response = http.put(
                    f"{base}/record/v1/customer/eid:{quote(str(row.external_id), safe='')}",
                    json={"companyName": name, "subsidiary": {"id": subsidiary}},
                    timeout=60,
                )
            with lock:
                statuses[response.status_code] += 1

    threads = [threading.Thread(target=worker) for _ in range(limit)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    rate = len(rows) / seconds
    print(
        f"  netsuite, a bare client, {limit} in flight: {len(rows):,} requests in {seconds:.1f} s "
        f"({rate:.1f} req/s; statuses {dict(statuses)})",
        flush=True,
    )
    return rate


def netsuite_ceiling(before: float, after: float) -> tuple[float, str]:
    """The bare client's rate measured just before and just after the engine's run, averaged:
    this machine is shared, so its speed drifts within a run."""
    limit = LIMITS.netsuite.concurrency_limit
    return (before + after) / 2, (
        f"{limit} in flight; measured: a bare client sending the same writes, "
        f"{before:.0f} req/s before the run and {after:.0f} after"
    )


# -- the report ---------------------------------------------------------------------------


def report(results: list[Measured]) -> None:
    header = (
        f"{'target':<11} {'limits':<6} {'writes':>7} {'creates':>7} {'seconds':>8} {'writes/s':>9} "
        f"{'req':>6} {'req/write':>9} {'req/s':>7} {'ceiling':>8} {'% ceil':>7} {'429s':>5} "
        f"{'failed':>6} {'on 429':>6} {'landed':>7}"
    )
    print()
    print(header)
    print("-" * len(header))
    for m in results:
        ceiling = f"{m.ceiling_rps:.2f}" if m.ceiling_rps else "-"
        share = f"{m.of_ceiling:.1%}" if m.of_ceiling is not None else "-"
        print(
            f"{m.target:<11} {m.limits:<6} {m.writes:>7,} {m.creates:>7,} {m.seconds:>8.1f} {m.writes_per_s:>9.2f} "
            f"{m.requests:>6,} {m.requests / max(m.writes, 1):>9.3f} {m.requests_per_s:>7.2f} {ceiling:>8} "
            f"{share:>7} {m.throttled:>5} {m.failed:>6} {m.failed_on_429:>6} {m.landed:>7,}"
        )
    print()
    for m in results:
        if m.ceiling_note:
            print(f"ceiling {m.target} (req/s): {m.ceiling_note}")
    print("% ceil = requests/s over the requests/s the limit allows; writes/s = that share x ceiling / req/write")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writes", type=int, default=5000, help="records to write per target (default 5000)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated, of " + ", ".join(TARGETS))
    parser.add_argument("--quick", action="store_true", help="a small run (250 writes on the demo firm)")
    parser.add_argument("--store", type=Path, help="a sandbox store to use (generated unless it holds the firm)")
    parser.add_argument("--no-overhead", action="store_true", help="skip the runs with the limits off")
    args = parser.parse_args()
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    writes = 250 if args.quick and args.writes == parser.get_default("writes") else args.writes
    if writes < 1:
        parser.error("--writes must be at least 1")
    size = "demo" if args.quick else "bench"
    print_machine()
    print(f"firm: {size}; {writes:,} writes per target; targets: {', '.join(targets)}")
    with tempfile.TemporaryDirectory(prefix="concord-sync-bench-") as tmp:
        store_dir = args.store or Path(tmp) / "store"
        bench_store(store_dir, size).close()
        results = []
        for system in targets:
            if not args.no_overhead:
                results.append(run_engine(store_dir, Path(tmp), system, writes, limits_on=False))
            results.append(run_engine(store_dir, Path(tmp), system, writes, limits_on=True))
        report(results)


if __name__ == "__main__":
    with recorded("write-back throughput"):
        main()

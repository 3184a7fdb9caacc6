"""Chaos for the loop, shared by the CI chaos test and `bench/chaos.py`: a firm served by the
sandboxes with transient faults on every vendor (429, 500, 503, dropped connections), whole
`concord run` processes killed with SIGKILL at chosen phases (landing, building, writing, and
between two batches of a write), then runs without faults until the loop converges; and what the
vendors hold afterwards, compared with what a clean world (same firm, no faults, no kills)
holds after converging.

A kill lands on the phase it names or is reported as missed: a phase is seen in the Dagster
event log of the run (the step it started), "between batches" as a write to the vendor after the
write-back step started (a charge posted to the ERP) and before it ended.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from core.warehouse import Warehouse

CONCORD = [sys.executable, "-c", "from concord.cli import app; app()"]
PHASES = ("landing", "building", "writing", "between_batches")
TRANSIENT_FAULTS = FaultRates(rate_429=0.05, rate_500=0.05, rate_503=0.05, rate_drop=0.05, retry_after_seconds=1)
NO_FAULTS = FaultRates()
# The write-back whose batches a "between batches" kill splits: the most records per run.
BATCHED_STEP = "write_back__netsuite__time_entries"

# What each system holds that Concord writes or could duplicate, without the ids a vendor
# assigns (they differ between two worlds that created the same records in another order).
VENDOR_STATE = {
    ("netsuite", "customers"): """SELECT companyname, externalid, subsidiary, currency, terms, isinactive,
        custentity_concord_golden_id, custentity_sf_account_id FROM customer""",
    ("netsuite", "projects"): """SELECT j.companyname, j.externalid, c.companyname, j.entitystatus, j.isinactive,
        j.custentity_sf_opportunity_id FROM job j LEFT JOIN customer c ON c.id = j.parent""",
    ("netsuite", "charges"): """SELECT ch.externalid, c.companyname, ch.chargetype, ch.chargedate, ch.quantity,
        ch.rate, ch.amount, ch.stage FROM charge ch LEFT JOIN customer c ON c.id = ch.billto""",
    ("harvest", "clients"): "SELECT name, is_active, address, currency FROM clients",
    ("harvest", "projects"): """SELECT c.name, p.name, p.code, p.is_active, p.is_billable, p.bill_by, p.hourly_rate,
        p.budget FROM projects p LEFT JOIN clients c ON c.id = p.client_id""",
    ("harvest", "task_assignments"): """SELECT p.code, t.name, a.is_active, a.billable, a.hourly_rate
        FROM task_assignments a JOIN projects p ON p.id = a.project_id JOIN tasks t ON t.id = a.task_id""",
    ("salesforce", "accounts"): """SELECT Id, Concord_Golden_Id__c, AR_Balance__c, Invoice_Status__c,
        NetSuite_Customer_Id__c IS NOT NULL, Harvest_Client_Id__c IS NOT NULL FROM Account""",
    ("salesforce", "opportunities"): """SELECT Id, Delivery_Status__c, Harvest_Project_Id__c IS NOT NULL,
        NetSuite_Project_Id__c IS NOT NULL FROM Opportunity""",
}


def vendor_state(store: Store) -> dict[str, Counter[tuple]]:
    """entity -> the multiset of its records' values (a record held twice counts twice)."""
    return {
        f"{system}.{entity}": Counter(tuple(row) for row in store.connect(system).execute(sql).fetchall())
        for (system, entity), sql in VENDOR_STATE.items()
    }


@dataclass
class Difference:
    extra: dict[str, list[tuple]]  # held by the chaotic world only: duplicates, or writes a clean run did not do
    lost: dict[str, list[tuple]]  # held by the clean world only: writes the chaos lost

    @property
    def duplicates(self) -> int:
        return sum(len(rows) for rows in self.extra.values())

    @property
    def records_lost(self) -> int:
        return sum(len(rows) for rows in self.lost.values())


def compare(clean: dict[str, Counter[tuple]], chaotic: dict[str, Counter[tuple]]) -> Difference:
    extra = {entity: sorted((chaotic[entity] - clean[entity]).elements(), key=str) for entity in clean}
    lost = {entity: sorted((clean[entity] - chaotic[entity]).elements(), key=str) for entity in clean}
    return Difference({k: v for k, v in extra.items() if v}, {k: v for k, v in lost.items() if v})


@dataclass(frozen=True)
class Kill:
    phase: str  # one of PHASES
    delay: float = 0.0  # seconds after the phase is seen


@dataclass
class RunOutcome:
    run_id: str | None
    returncode: int
    seconds: float
    killed_in: str | None = None  # the phase the kill landed in; None: not killed
    steps: list[str] = field(default_factory=list)
    writes: int = 0  # records written, created or failed by the write-back (a run that ended)


@dataclass
class ChaosWorld:
    """One firm, served, with Concord's state (warehouse, dlt, Dagster, alerts) of its own."""

    root: Path
    size: str
    seed: int
    store: Store = field(init=False)
    cluster: SandboxCluster = field(init=False)
    env: dict[str, str] = field(init=False)
    faults: int = 0  # faults injected so far (the servers' counters restart when the rates change)

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(kind="duckdb", duckdb_path=self.root / "warehouse.duckdb")

    def set_faults(self, rates: FaultRates) -> None:
        self.faults = self.faults_injected()
        for running in self.cluster.running.values():
            running.injector.set(rates)

    def faults_injected(self) -> int:
        counted = (r.injector.counts for r in self.cluster.running.values())
        return self.faults + sum(
            n for counts in counted for kind, n in counts.items() if kind not in ("requests", "slow")
        )

    def _new_run_id(self, instance: dg.DagsterInstance, before: set[str]) -> str | None:
        for record in instance.get_run_records(limit=5):
            if record.dagster_run.run_id not in before:
                return record.dagster_run.run_id
        return None

    def _charges_mark(self) -> tuple:
        return tuple(self.store.connect("netsuite").execute("SELECT COUNT(*), MAX(lastmodifieddate) FROM charge"))

    def run(self, kill: Kill | None = None, timeout: float = 1800) -> RunOutcome:
        """One `concord run` in its own process, killed with SIGKILL at `kill` if it gets there."""
        started = time.monotonic()
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            before = {r.dagster_run.run_id for r in instance.get_run_records()}
            process = subprocess.Popen(
                [*CONCORD, "run"], env=self.env, cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            run_id, steps, killed_in = None, [], None
            phase_seen_at: float | None = None
            mark: tuple | None = None
            while process.poll() is None and time.monotonic() - started < timeout:
                time.sleep(0.1)
                run_id = run_id or self._new_run_id(instance, before)
                if run_id is None:
                    continue
                records = instance.get_records_for_run(run_id, of_type={dg.DagsterEventType.STEP_START}).records
                steps = [r.event_log_entry.dagster_event.step_key for r in records]
                if kill is None or not steps:
                    continue
                if phase_seen_at is None and _in_phase(kill.phase, steps[-1]):
                    phase_seen_at, mark = time.monotonic(), self._charges_mark()
                if phase_seen_at is None or time.monotonic() - phase_seen_at < kill.delay:
                    continue
                if kill.phase == "between_batches" and (steps[-1] != BATCHED_STEP or self._charges_mark() == mark):
                    continue
                if _in_phase(kill.phase, steps[-1]):
                    process.send_signal(signal.SIGKILL)
                    killed_in = kill.phase
                    break
            if process.poll() is None and killed_in is None:
                process.kill()
            _, stderr = process.communicate()
            outcome = RunOutcome(run_id, process.returncode, time.monotonic() - started, killed_in, steps)
            if killed_in is None and run_id is not None:
                outcome.writes = _writes(instance, run_id)
            if killed_in is None and process.returncode != 0:
                outcome.steps.append(f"failed: {stderr.decode()[-500:]}")
            return outcome

    def converge(self, max_runs: int = 4) -> list[RunOutcome]:
        """Runs without faults until a run succeeds with nothing left to write."""
        self.set_faults(NO_FAULTS)
        runs = []
        for _ in range(max_runs):
            runs.append(self.run())
            if runs[-1].returncode == 0 and runs[-1].writes == 0:
                break
        return runs

    def run_status(self, run_id: str) -> dg.DagsterRunStatus:
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            return instance.get_run_by_id(run_id).status

    def state(self) -> dict[str, Counter[tuple]]:
        return vendor_state(self.store)


def _in_phase(phase: str, step_key: str) -> bool:
    if phase == "landing":
        return step_key.startswith("land_")
    if phase == "building":
        return step_key.startswith(("dbt_models", "matching"))
    return step_key.startswith("write_back__")


def _writes(instance: dg.DagsterInstance, run_id: str) -> int:
    records = instance.get_records_for_run(run_id, of_type={dg.DagsterEventType.ASSET_MATERIALIZATION}).records
    total = 0
    for record in records:
        materialization = record.event_log_entry.dagster_event.step_materialization_data.materialization
        if materialization.asset_key.path[0] == "write_back":
            metadata = materialization.metadata
            total += sum(int(metadata[name].value) for name in ("written", "created", "failed") if name in metadata)
    return total


@contextmanager
def chaos_world(root: Path, size: str, seed: int) -> Iterator[ChaosWorld]:
    """A firm generated with `seed`, served on free ports, and Concord pointed at it."""
    root.mkdir(parents=True, exist_ok=True)
    store = Store(root / "sandbox").create()
    generate(store, size=size, seed=seed)
    cluster = SandboxCluster(
        settings=SandboxSettings(store_dir=root / "sandbox", ports={s: 0 for s in SYSTEMS}, fault_seed=seed)
    )
    cluster.start()
    world = ChaosWorld(root, size, seed)
    world.store, world.cluster = store, cluster
    world.env = {
        **os.environ,
        "CONCORD_WAREHOUSE": "duckdb",
        "CONCORD_DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "CONCORD_PIPELINES_DIR": str(root / "dlt"),
        "CONCORD_ALERTS_FILE": str(root / "alerts.sqlite"),
        "DAGSTER_HOME": str(world.dagster_home),
        **cluster.source_environment(),
    }
    world.dagster_home.mkdir(parents=True, exist_ok=True)
    (world.dagster_home / "dagster.yaml").write_text((Path(__file__).parents[1] / "dagster.yaml").read_text())
    try:
        yield world
    finally:
        cluster.stop()
        store.close()


def kill_plan(rng: random.Random, kills: int) -> list[Kill]:
    """Every phase once, in the loop's order, then `kills - 4` more at random phases."""
    plan = [Kill("landing", rng.uniform(0, 3)), Kill("building", rng.uniform(0, 10))]
    plan += [Kill("writing", rng.uniform(0, 2)), Kill("between_batches", rng.uniform(0, 1))]
    plan += [Kill(rng.choice(PHASES), rng.uniform(0, 5)) for _ in range(max(0, kills - len(plan)))]
    return plan

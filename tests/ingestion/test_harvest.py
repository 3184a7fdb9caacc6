"""The Harvest source, through real HTTP against the Harvest sandbox, into DuckDB: exact
first loads and incremental runs, safe window boundaries, deletes found by key
reconciliation on each table's cadence, quarantine, retries under 429/5xx and the rate
limit, auth failures, full refresh, and a history that says when time was approved."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import dlt
import duckdb
import httpx
import orjson
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import HarvestSettings, SandboxSettings
from sandboxes.simulator import generate, tick
from sandboxes.store import Store

from core.errors import ConcordError
from core.warehouse import Warehouse
from ingestion import harvest
from ingestion.config import HarvestConfig
from ingestion.harvest.client import HarvestClient
from ingestion.harvest.tables import REGISTRY, format_timestamp
from ingestion.runner import SystemSummary, ingest, make_pipeline
from tests.ingestion.warehouse_state import differences
from tests.sandboxes.harvest_store import harvest_time_of_one_user_only

TABLES = tuple(table.name for table in REGISTRY.tables)
NEVER_RECONCILE: dict[str, timedelta | None] = dict.fromkeys(TABLES)


# -- helpers ------------------------------------------------------------------------------


def harvest_config(cluster: SandboxCluster | str, **overrides: Any) -> HarvestConfig:
    base = cluster if isinstance(cluster, str) else f"{cluster.url('harvest')}/v2"
    return HarvestConfig(**{**SandboxSettings().source_credentials("harvest"), "base_url": base, **overrides})


def warehouse(tmp_path: Path) -> Warehouse:
    return Warehouse(duckdb_path=tmp_path / "w.duckdb")


def run(tmp_path: Path, config: HarvestConfig, **options: Any) -> SystemSummary:
    return ingest(
        systems=("harvest",),
        warehouse=warehouse(tmp_path),
        configs={"harvest": config},
        pipelines_dir=tmp_path / "dlt",
        **options,
    )[0]


def landed(tmp_path: Path, sql: str, *args: Any) -> list[tuple]:
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as conn:
        return conn.execute(sql, list(args)).fetchall()


def versions(store: Store) -> dict[str, dict[int, int]]:
    """Every Harvest record the store holds: table -> id -> updated_at (epoch ms)."""
    conn = store.connect("harvest")
    return {t: dict(conn.execute(f"SELECT id, updated_at FROM {t}").fetchall()) for t in TABLES}


def api(cluster: SandboxCluster) -> httpx.Client:
    hv = cluster.settings.harvest
    return httpx.Client(
        base_url=f"{cluster.url('harvest')}/v2",
        headers={"Authorization": f"Bearer {hv.access_token}", "Harvest-Account-Id": hv.account_id}
        | {"User-Agent": "Concord tests"},
        timeout=30,
    )


def stamp(ms: int) -> datetime:
    return datetime.fromtimestamp(ms // 1000, UTC)


@pytest.fixture
def firm(tmp_path: Path, start_sandboxes) -> tuple[Store, SandboxCluster]:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    return store, start_sandboxes(systems=("harvest",))


@dataclass
class SmallFirm:
    """One client's project with its assignments, three time entries, an expense and two
    expense categories (one unused), made through the API (cheap to land: for behaviours that need a few records, not a firm)."""

    store: Store
    cluster: SandboxCluster
    ids: dict[str, Any]


@pytest.fixture
def small_firm(sandbox_store: Store, start_sandboxes) -> SmallFirm:
    cluster = start_sandboxes(systems=("harvest",))
    ids: dict[str, Any] = {}
    with api(cluster) as http:

        def post(path: str, body: dict) -> int:
            response = http.post(path, json=body)
            assert response.status_code == 201, response.text
            return response.json()["id"]

        ids["client"] = post("/clients", {"name": "Acme", "currency": "EUR"})
        ids["project"] = post(
            "/projects",
            {"client_id": ids["client"], "name": "Rollout", "is_billable": True, "bill_by": "Tasks"}
            | {"budget_by": "project"},
        )
        ids["task"] = post("/tasks", {"name": "Consulting"})
        ids["user"] = post("/users", {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com"})
        ids["task_assignment"] = post(
            f"/projects/{ids['project']}/task_assignments", {"task_id": ids["task"], "hourly_rate": 150}
        )
        ids["user_assignment"] = post(f"/projects/{ids['project']}/user_assignments", {"user_id": ids["user"]})
        ids["time_entries"] = [
            post(
                "/time_entries",
                {"project_id": ids["project"], "task_id": ids["task"], "user_id": ids["user"]}
                | {"spent_date": f"2026-10-0{day}", "hours": 4},
            )
            for day in (1, 2, 3)
        ]
        ids["expense_category"] = post("/expense_categories", {"name": "Travel"})
        ids["unused_expense_category"] = post("/expense_categories", {"name": "Meals"})
        ids["expense"] = post(
            "/expenses",
            {"project_id": ids["project"], "expense_category_id": ids["expense_category"], "user_id": ids["user"]}
            | {"spent_date": "2026-10-02", "total_cost": 120.5},
        )
    sandbox_store.advance_clock(60_000)  # out of the current second, which a run leaves to the next one
    return SmallFirm(sandbox_store, cluster, ids)


# -- loads ----------------------------------------------------------------------------------


def test_the_first_load_equals_the_sandbox_table_by_table(firm, tmp_path: Path) -> None:
    store, cluster = firm

    summary = run(tmp_path, harvest_config(cluster))

    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []
    counts = {table: len(ids) for table, ids in versions(store).items()}
    assert {table: summary.tables[table].new for table in TABLES} == counts
    for table in TABLES:
        assert landed(tmp_path, f"SELECT COUNT(*) FROM raw_harvest.{table}")[0][0] == counts[table]
    assert summary.tables["time_entries"].missing_fields == []


def test_an_incremental_run_after_a_tick_lands_exactly_the_changes_and_reconciliation_the_deletes(
    firm, tmp_path: Path
) -> None:
    store, cluster = firm
    run(tmp_path, harvest_config(cluster))
    before = versions(store)
    tick(store, 5)
    with api(cluster) as http:
        doomed = store.connect("harvest").execute("SELECT MIN(id) FROM time_entries").fetchone()[0]
        assert http.delete(f"/time_entries/{doomed}").status_code == 200
    after = versions(store)

    incremental = run(tmp_path, harvest_config(cluster))  # time entries: `updated_since`, not reconciled yet
    nightly = run(tmp_path, harvest_config(cluster), reconcile_all=True)

    for table in TABLES:
        old, new = before[table], after[table]
        new_ids = new.keys() - old.keys()
        changed = {k for k in new.keys() & old.keys() if new[k] != old[k]}
        got = incremental.tables[table]
        assert (got.new, got.changed) == (len(new_ids), len(changed)), table
        assert nightly.tables[table].deleted == len(old.keys() - new.keys()), table
        assert nightly.tables[table].new == nightly.tables[table].changed == 0, table
    assert incremental.tables["time_entries"].new > 0 and incremental.tables["time_entries"].changed > 0
    assert incremental.tables["time_entries"].deleted == 0 and nightly.tables["time_entries"].deleted > 0
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_a_full_refresh_re_reads_everything_and_keeps_the_history(firm, tmp_path: Path) -> None:
    store, cluster = firm
    run(tmp_path, harvest_config(cluster))
    counts = {table: len(ids) for table, ids in versions(store).items()}

    summary = run(tmp_path, harvest_config(cluster, reconcile_every=NEVER_RECONCILE), full_refresh=True)

    assert all(t.new == t.changed == t.deleted == 0 for t in summary.tables.values()), summary.tables
    for table in TABLES:
        assert landed(tmp_path, f"SELECT COUNT(*) FROM raw_harvest.{table}_history")[0][0] == 2 * counts[table]
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


# -- window boundaries ------------------------------------------------------------------------


def add_clients(store: Store, first_id: int, count: int, updated_at_ms: int) -> list[int]:
    ids = list(range(first_id, first_id + count))
    with store.transaction("harvest") as conn:
        conn.executemany(
            "INSERT INTO clients(id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(i, f"Client {i}", updated_at_ms, updated_at_ms) for i in ids],
        )
    return ids


def attached(tmp_path: Path) -> dlt.Pipeline:
    return dlt.attach(pipeline_name="concord_harvest_duckdb", pipelines_dir=str(tmp_path / "dlt"))


def window_end(tmp_path: Path, table: str) -> datetime:
    text = attached(tmp_path).state["sources"]["harvest"]["resources"][table]["window_end"]
    return datetime.fromisoformat(text)


def test_records_sharing_the_boundary_second_are_landed_once_each(sandbox_store: Store, start_sandboxes, tmp_path):
    store = sandbox_store
    cluster = start_sandboxes(systems=("harvest",))
    config = harvest_config(cluster, per_page=7, reconcile_every=NEVER_RECONCILE)
    second = store.now_ms() // 1000 * 1000
    early = add_clients(store, 1, 25, second - 1000)  # 25 records in one second, over 4 pages
    ahead = add_clients(store, 100, 3, second + 3_600_000)  # stamped ahead of the server's clock

    first = run(tmp_path, config)
    end = window_end(tmp_path, "clients")
    # Written after the first run read its window, in the very second that window ended.
    at_end = add_clients(store, 200, 20, int(end.timestamp() * 1000))
    store.advance_clock(2 * 3_600_000)
    second_run = run(tmp_path, config)

    assert first.tables["clients"].new == len(early)
    assert second_run.tables["clients"].new == len(ahead) + len(at_end)
    history = landed(tmp_path, "SELECT id, COUNT(*) FROM raw_harvest.clients_history GROUP BY id")
    assert sorted(history) == [(i, 1) for i in sorted(early + ahead + at_end)]
    current = landed(tmp_path, "SELECT id FROM raw_harvest.clients ORDER BY id")
    assert [i for (i,) in current] == sorted(versions(store)["clients"])


def test_a_warehouse_landed_with_the_cursor_under_its_old_key_carries_on_incrementally(
    sandbox_store: Store, start_sandboxes, tmp_path
):
    store = sandbox_store
    cluster = start_sandboxes(systems=("harvest",))
    config = harvest_config(cluster, reconcile_every=NEVER_RECONCILE)
    second = store.now_ms() // 1000 * 1000
    landed_before = add_clients(store, 1, 5, second - 1000)
    run(tmp_path, config)
    # The state as the source kept it before the sources shared one skeleton: Harvest's
    # own stamp format under `updated_since`.
    with attached(tmp_path).managed_state() as state:
        for resource in state["sources"]["harvest"]["resources"].values():
            end = datetime.fromisoformat(resource.pop("window_end"))
            resource["updated_since"] = format_timestamp(end)
    store.advance_clock(3_600_000)
    added = add_clients(store, 100, 2, store.now_ms() // 1000 * 1000 - 1000)

    resumed = run(tmp_path, config)

    assert resumed.tables["clients"].new == len(added)
    history = landed(tmp_path, "SELECT id, COUNT(*) FROM raw_harvest.clients_history GROUP BY id")
    assert sorted(history) == [(i, 1) for i in sorted(landed_before + added)]  # nothing landed twice
    clients_state = attached(tmp_path).state["sources"]["harvest"]["resources"]["clients"]
    assert "updated_since" not in clients_state and "window_end" in clients_state


# -- deletes ------------------------------------------------------------------------------------


def test_a_load_a_killed_run_left_pending_lands_before_the_next_run_reconciles(small_firm, tmp_path) -> None:
    store, cluster, ids = small_firm.store, small_firm.cluster, small_firm.ids
    config = harvest_config(cluster)
    run(tmp_path, config)
    with api(cluster) as http:
        entry = {"project_id": ids["project"], "task_id": ids["task"], "user_id": ids["user"]}
        created = http.post("/time_entries", json=entry | {"spent_date": "2026-01-05", "hours": 2})
        assert created.status_code == 201, created.text
        # A run killed after its extract: the package and the local state are written, nothing loaded.
        make_pipeline("harvest", warehouse(tmp_path), tmp_path / "dlt").extract(harvest.source(config))
        assert http.delete(f"/time_entries/{created.json()['id']}").status_code == 200

    run(tmp_path, config, reconcile_all=True)

    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_a_deleted_project_and_everything_under_it_are_marked_deleted_when_noticed(small_firm, tmp_path) -> None:
    store, cluster, ids = small_firm.store, small_firm.cluster, small_firm.ids
    run(tmp_path, harvest_config(cluster))
    gone = {
        "projects": {ids["project"]},
        "task_assignments": {ids["task_assignment"]},
        "user_assignments": {ids["user_assignment"]},
        "time_entries": set(ids["time_entries"]),
        "expenses": {ids["expense"]},
    }
    deleted_after = stamp(store.now_ms())
    with api(cluster) as http:  # Harvest deletes a project's assignments, time and expenses with it
        assert http.delete(f"/projects/{ids['project']}").status_code == 200

    summary = run(tmp_path, harvest_config(cluster), reconcile_all=True)
    noticed_by = stamp(store.now_ms())

    for table in TABLES:
        ids_gone = gone.get(table, set())
        assert summary.tables[table].deleted == len(ids_gone), table
        rows = landed(tmp_path, f"SELECT id, _concord_deleted_at FROM raw_harvest.{table} WHERE _concord_is_deleted")
        assert {r[0] for r in rows} == ids_gone, table
        assert all(deleted_after <= r[1] <= noticed_by for r in rows), table
        history = f"SELECT COUNT(*) FROM raw_harvest.{table}_history WHERE _concord_is_deleted"
        assert landed(tmp_path, history)[0][0] == len(ids_gone), table
    assert landed(tmp_path, "SELECT COUNT(*) FROM raw_harvest.clients WHERE NOT _concord_is_deleted") == [(1,)]


def test_time_entries_are_reconciled_nightly_and_small_tables_every_run(small_firm, tmp_path: Path) -> None:
    cluster, ids = small_firm.cluster, small_firm.ids
    run(tmp_path, harvest_config(cluster))
    entry = ids["time_entries"][0]
    with api(cluster) as http:
        assert http.delete(f"/time_entries/{entry}").status_code == 200
        assert http.delete(f"/expense_categories/{ids['unused_expense_category']}").status_code == 200

    soon = run(tmp_path, harvest_config(cluster))
    nightly = run(tmp_path, harvest_config(cluster), reconcile_all=True)

    assert (soon.tables["expense_categories"].deleted, soon.tables["time_entries"].deleted) == (1, 0)
    assert (nightly.tables["expense_categories"].deleted, nightly.tables["time_entries"].deleted) == (0, 1)
    assert landed(tmp_path, "SELECT _concord_is_deleted FROM raw_harvest.time_entries WHERE id = ?", entry) == [(True,)]


# -- the delete guard -------------------------------------------------------------------------


def test_a_listing_missing_most_of_a_table_marks_none_of_it_deleted_and_says_how_to_confirm(
    firm, tmp_path: Path
) -> None:
    store, cluster = firm
    run(tmp_path, harvest_config(cluster))
    live = landed(tmp_path, "SELECT COUNT(*) FROM raw_harvest.time_entries")[0][0]
    with store.transaction("harvest") as conn:  # a real deletion in a table whose listing is whole
        conn.execute("DELETE FROM clients WHERE id = (SELECT MAX(id) FROM clients)")
    missing = harvest_time_of_one_user_only(store)

    summary = run(tmp_path, harvest_config(cluster), reconcile_all=True)

    withheld = summary.tables["time_entries"].withheld_deletes
    assert withheld is not None and (withheld.missing, withheld.live) == (missing, live)
    assert "concord ingest --reconcile --confirm-deletes harvest.time_entries" in withheld.message
    assert summary.tables["time_entries"].deleted == 0
    assert landed(tmp_path, "SELECT COUNT(*) FROM raw_harvest.time_entries WHERE _concord_is_deleted") == [(0,)]
    assert summary.tables["clients"].deleted == 1  # the rest of the load goes on
    assert summary.tables["clients"].withheld_deletes is None


def test_a_reconciliation_deleting_less_than_the_share_marks_its_deletes_as_before(firm, tmp_path: Path) -> None:
    store, cluster = firm
    run(tmp_path, harvest_config(cluster))
    with store.transaction("harvest") as conn:
        live = conn.execute("SELECT COUNT(*) FROM time_entries").fetchone()[0]
        doomed = int(live * 0.04)  # under the 5% default, and more than the few always allowed
        conn.execute(
            "DELETE FROM time_entries WHERE id IN (SELECT id FROM time_entries ORDER BY id LIMIT ?)", (doomed,)
        )

    summary = run(tmp_path, harvest_config(cluster), reconcile_all=True)

    assert doomed > 10 and summary.tables["time_entries"].deleted == doomed
    assert summary.tables["time_entries"].withheld_deletes is None
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_confirmed_deletes_of_a_guarded_table_land_in_one_run(firm, tmp_path: Path) -> None:
    store, cluster = firm
    run(tmp_path, harvest_config(cluster))
    missing = harvest_time_of_one_user_only(store)
    run(tmp_path, harvest_config(cluster), reconcile_all=True)  # withheld, and marked reconciled today

    confirmed = run(tmp_path, harvest_config(cluster), confirm_deletes=["harvest.time_entries"])
    after = run(tmp_path, harvest_config(cluster), reconcile_all=True)

    assert confirmed.tables["time_entries"].deleted == missing
    assert confirmed.tables["time_entries"].withheld_deletes is None
    assert after.tables["time_entries"].deleted == 0 and after.tables["time_entries"].withheld_deletes is None
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_confirming_deletes_of_a_table_the_run_does_not_land_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConcordError, match=r"--confirm-deletes harvest\.timesheets: not a table this run lands"):
        run(tmp_path, harvest_config("http://127.0.0.1:9/v2"), confirm_deletes=["harvest.timesheets"])
    with pytest.raises(ConcordError, match=r"--confirm-deletes netsuite\.customer: not a table this run lands"):
        run(tmp_path, harvest_config("http://127.0.0.1:9/v2"), confirm_deletes=["netsuite.customer"])


# -- history ----------------------------------------------------------------------------------


def test_the_history_says_when_a_time_entry_was_approved(small_firm, tmp_path: Path) -> None:
    store, cluster, ids = small_firm.store, small_firm.cluster, small_firm.ids
    entry = ids["time_entries"][0]
    changes = []
    with api(cluster) as http:
        for status in ("submitted", "approved"):
            changes.append(http.patch(f"/time_entries/{entry}", json={"approval_status": status}).json())
            store.advance_clock(3 * 3_600_000)
            run(tmp_path, harvest_config(cluster))

    history = landed(
        tmp_path,
        "SELECT approval_status, updated_at, is_locked FROM raw_harvest.time_entries_history WHERE id = ? "
        "ORDER BY updated_at",
        entry,
    )
    approved_at = datetime.fromisoformat(changes[1]["updated_at"])
    assert [(status, locked) for status, _, locked in history] == [("submitted", False), ("approved", True)]
    assert min(at for status, at, _ in history if status == "approved") == approved_at


# -- failures -----------------------------------------------------------------------------------


def test_a_record_breaking_the_contract_is_quarantined_while_the_rest_loads(small_firm, tmp_path: Path) -> None:
    store, cluster, ids = small_firm.store, small_firm.cluster, small_firm.ids
    entry = ids["time_entries"][1]
    with store.transaction("harvest") as conn:
        conn.execute("UPDATE clients SET currency = 'XYZ' WHERE id = ?", (ids["client"],))
        conn.execute("UPDATE time_entries SET hours = 'lots' WHERE id = ?", (entry,))

    summary = run(tmp_path, harvest_config(cluster))

    quarantined = landed(
        tmp_path, "SELECT table_name, record_key, reason FROM raw_harvest._concord_quarantine ORDER BY table_name"
    )
    assert quarantined == [
        ("clients", str(ids["client"]), "unknown currency 'XYZ' in currency"),
        ("time_entries", str(entry), "hours is not a number: 'lots'"),
    ]
    assert (summary.tables["clients"].quarantined, summary.tables["time_entries"].quarantined) == (1, 1)
    assert (summary.tables["clients"].new, summary.tables["time_entries"].new) == (0, 2)
    assert summary.tables["projects"].new == summary.tables["expenses"].new == 1


@pytest.mark.parametrize("currency", ["NZD", "HKD", "ZAR", "MXN", "HRK"])
def test_a_client_in_any_iso_4217_currency_lands(small_firm, tmp_path: Path, currency: str) -> None:
    with small_firm.store.transaction("harvest") as conn:
        conn.execute("UPDATE clients SET currency = ? WHERE id = ?", (currency, small_firm.ids["client"]))

    summary = run(tmp_path, harvest_config(small_firm.cluster))

    assert (summary.tables["clients"].new, summary.tables["clients"].quarantined) == (1, 0)
    assert landed(tmp_path, "SELECT currency FROM raw_harvest.clients") == [(currency,)]


def test_a_replay_clears_a_quarantined_record_whose_fixed_version_has_landed_without_landing_it_again(
    small_firm, tmp_path: Path
) -> None:
    store, cluster, ids = small_firm.store, small_firm.cluster, small_firm.ids
    with store.transaction("harvest") as conn:
        conn.execute("UPDATE clients SET currency = 'XYZ' WHERE id = ?", (ids["client"],))
        conn.execute("UPDATE time_entries SET hours = 'lots' WHERE id = ?", (ids["time_entries"][1],))
    run(tmp_path, harvest_config(cluster))
    store.advance_clock(60_000)
    with api(cluster) as http:  # someone fixes the client in Harvest: a new version
        assert http.patch(f"/clients/{ids['client']}", json={"currency": "EUR"}).status_code == 200
    store.advance_clock(60_000)

    summary = run(tmp_path, harvest_config(cluster), replay_quarantine=True)

    assert summary.tables["clients"].new == 1 and summary.tables["clients"].replayed == 0
    assert landed(tmp_path, "SELECT currency FROM raw_harvest.clients_history") == [("EUR",)]
    quarantined = landed(tmp_path, "SELECT table_name, record_key, reason FROM raw_harvest._concord_quarantine")
    assert quarantined == [("time_entries", str(ids["time_entries"][1]), "hours is not a number: 'lots'")]


def test_429s_and_5xxs_still_give_an_exact_load(firm, tmp_path: Path) -> None:
    store, cluster = firm
    injector = cluster.running["harvest"].injector
    injector.set(FaultRates(rate_503=0.2, rate_429=0.1), seed=3)

    run(tmp_path, harvest_config(cluster, per_page=1000))

    assert injector.counts["503"] > 0 and injector.counts["429"] > 0
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_a_load_needing_more_requests_than_the_rate_limit_allows_still_lands_exactly(tmp_path, start_sandboxes):
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    cluster = start_sandboxes(
        systems=("harvest",), harvest=HarvestSettings(rate_limit_requests=5, rate_limit_window_seconds=1.0)
    )
    started = time.perf_counter()

    run(tmp_path, harvest_config(cluster, per_page=400))

    assert time.perf_counter() - started > 3  # 9 clock reads + ~25 pages at 5 requests per second
    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_a_refused_token_stops_the_run_with_a_one_line_message(firm, tmp_path: Path) -> None:
    _, cluster = firm
    with pytest.raises(ConcordError) as refused:
        run(tmp_path, harvest_config(cluster, access_token="wrong-token"))
    message = str(refused.value)
    assert "harvest" in message and "401" in message and "SOURCES__HARVEST__" in message
    assert "\n" not in message


# -- a fake Harvest serving malformed pages ---------------------------------------------------


@pytest.fixture
def fake_harvest() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A loopback server answering like Harvest with canned bodies per list (empty lists
    for the rest), for what the sandbox never sends: records without valid ids or stamps,
    and pages that are not JSON."""
    bodies: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            name = urlparse(self.path).path.rsplit("/", 1)[-1]
            body = bodies.get(name) or orjson.dumps({name: [], "links": {"next": None}})
            self.send_response(200)  # also sends `Date`
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2", bodies
    server.shutdown()
    thread.join()


def test_records_without_a_valid_id_or_updated_at_are_quarantined(fake_harvest, tmp_path: Path) -> None:
    base_url, bodies = fake_harvest
    good = {"id": 1, "name": "Good", "currency": "USD", "updated_at": "2026-01-01T00:00:00Z"}
    bodies["clients"] = orjson.dumps(
        {
            "clients": [
                good,
                {**good, "id": 2, "updated_at": None},
                {**good, "id": 3, "updated_at": "yesterday"},
                {**good, "id": 4, "updated_at": "2026-01-01T00:00:00"},
                {k: v for k, v in good.items() if k != "id"},
            ],
            "links": {"next": None},
        }
    )

    summary = run(tmp_path, harvest_config(base_url))

    assert summary.tables["clients"].new == 1
    reasons = landed(tmp_path, "SELECT record_key, reason FROM raw_harvest._concord_quarantine ORDER BY record_key")
    assert reasons == [
        ("2", "cursor field updated_at is missing"),
        ("3", "cursor field updated_at is not a valid timestamp: 'yesterday'"),
        ("4", "cursor field updated_at is not a valid timestamp: '2026-01-01T00:00:00'"),
        (None, "no primary key id"),
    ]


def test_a_page_that_is_not_json_fails_the_run_naming_the_page(fake_harvest, tmp_path: Path) -> None:
    base_url, bodies = fake_harvest
    bodies["time_entries"] = b"<html>upstream proxy error</html>"

    with pytest.raises(PipelineStepFailed, match=r"not JSON .*time_entries.*upstream proxy error"):
        run(tmp_path, harvest_config(base_url))


def test_a_value_not_of_its_columns_type_is_quarantined_and_a_new_field_lands(fake_harvest, tmp_path: Path) -> None:
    base_url, bodies = fake_harvest
    good = {"id": 1, "name": "Good", "currency": "USD", "updated_at": "2026-01-01T00:00:00Z"}
    bodies["clients"] = orjson.dumps(
        {
            "clients": [
                {**good, "loyalty_tier": "gold"},  # a field Harvest has just added
                {**good, "id": "C-2"},  # ids are integers
                {**good, "id": 3, "created_at": "last week"},
            ],
            "links": {"next": None},
        }
    )

    summary = run(tmp_path, harvest_config(base_url))

    assert summary.tables["clients"].new == 1
    assert landed(tmp_path, "SELECT id, loyalty_tier FROM raw_harvest.clients") == [(1, "gold")]
    reasons = landed(tmp_path, "SELECT record_key, reason FROM raw_harvest._concord_quarantine ORDER BY record_key")
    assert reasons == [
        ("3", "created_at is not a valid timestamp: 'last week'"),
        ("C-2", "id is not a whole number: 'C-2'"),
    ]


# -- OAuth 2.0 access tokens ------------------------------------------------------------------


def oauth_config(cluster: SandboxCluster, **overrides: Any) -> HarvestConfig:
    """An OAuth2 application's tokens instead of the personal access token: a stale access
    token (a previous run's) with the refresh credentials and the sandbox's Harvest ID host."""
    s = cluster.settings.harvest
    values = {
        **cluster.source_settings()["harvest"],
        "access_token": "a-previous-runs-expired-token",
        "refresh_token": s.oauth_refresh_token,
        "client_id": s.oauth_client_id,
        "client_secret": s.oauth_client_secret,
        "token_url": f"{cluster.url('harvest')}/api/v2/oauth2/token",
        **overrides,
    }
    return HarvestConfig(**values)


def test_an_expired_oauth_token_is_refreshed_once_and_the_load_is_exact(firm, tmp_path: Path) -> None:
    store, cluster = firm

    run(tmp_path, oauth_config(cluster))

    assert differences(store, warehouse(tmp_path), systems=("harvest",)) == []


def test_a_token_at_its_known_expiry_is_refreshed_before_the_request(tmp_path, start_sandboxes) -> None:
    Store(tmp_path / "sandbox").create()
    cluster = start_sandboxes(systems=("harvest",), harvest=HarvestSettings(oauth_access_token_ttl_seconds=0.4))
    client = HarvestClient(oauth_config(cluster, access_token=""))
    client.clock()  # no access token given: refreshed before the first request
    first = client.tokens.access_token
    time.sleep(0.6)  # past `expires_in`: refreshed before the next request
    client.clock()
    assert client.tokens.access_token != first


def test_a_refused_refresh_is_a_one_line_error_naming_the_settings(firm, tmp_path: Path) -> None:
    _, cluster = firm
    config = oauth_config(cluster, client_secret="not-the-secret", refresh_token="revoked-refresh-token")
    with pytest.raises(ConcordError) as error:
        run(tmp_path, config)
    message = str(error.value)
    assert "\n" not in message and "invalid_client" in message and "not-the-secret" not in message
    assert "SOURCES__HARVEST__REFRESH_TOKEN" in message and "SOURCES__HARVEST__CLIENT_SECRET" in message

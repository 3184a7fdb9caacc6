"""The NetSuite source, specified through real HTTP against the NetSuite sandbox and a real
DuckDB warehouse: first load, incremental windows, boundaries, deletes by key
reconciliation, quarantine, faults, auth, column discovery and change history."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
import requests
from sandboxes.common.faults import FaultRates
from sandboxes.netsuite import catalog
from sandboxes.serving import SandboxCluster
from sandboxes.simulator import generate, tick
from sandboxes.store import Store

from core.errors import ConcordError
from core.warehouse import Warehouse
from ingestion.config import HttpSettings, NetSuiteConfig
from ingestion.netsuite.client import NetSuiteClient
from ingestion.netsuite.tables import REGISTRY
from ingestion.runner import SystemSummary, ingest
from tests.sandboxes.netsuite_seed import T0, seed_charge, seed_customers, seed_invoice, seed_reference_data

DAY_MS = 86_400_000
# Per table, the columns whose values the content hash compares (besides its key and change
# stamp: id and lastmodifieddate; uniquekey and linelastmodifieddate for transaction lines).
KEY_COLUMNS = {
    "subsidiary": ("name", "currency"),
    "currency": ("symbol", "exchangerate"),
    "term": ("name", "daysuntilnetdue"),
    "customer": ("companyname", "currency", "terms"),
    "job": ("companyname", "parent", "entitystatus"),
    "item": ("itemid",),
    "charge": ("billto", "amount", "stage", "invoice"),
    "transaction": ("type", "status", "foreignamountremaining"),
    "transactionline": ("id", "transaction", "foreignamount", "appliedtotransaction"),
}


@dataclass
class Harness:
    tmp_path: Path
    store: Store
    cluster: SandboxCluster
    config: NetSuiteConfig

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(duckdb_path=self.tmp_path / "w.duckdb")

    def ingest(self, **kwargs: Any) -> dict[str, Any]:
        [summary] = ingest(
            systems=("netsuite",),
            warehouse=self.warehouse,
            configs={"netsuite": self.config},
            pipelines_dir=self.tmp_path / "dlt",
            **kwargs,
        )
        assert isinstance(summary, SystemSummary)
        return summary.tables

    def sql(self, query: str) -> list[tuple]:
        with duckdb.connect(str(self.tmp_path / "w.duckdb"), read_only=True) as con:
            return con.execute(query).fetchall()

    def api(self) -> requests.Session:
        """An authenticated session on the record API."""
        token = NetSuiteClient(self.config).fetch_token()  # the connector's M2M login
        client = requests.Session()
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    def record_url(self, record_type: str, record_id: object = "") -> str:
        return f"{self.config.base_url}/record/v1/{record_type}/{record_id}".rstrip("/")


@pytest.fixture
def netsuite(tmp_path: Path, start_sandboxes: Callable[..., SandboxCluster]) -> Callable[..., Harness]:
    """`netsuite(firm=True)`: a generated test firm (or an empty store to seed), served by the
    NetSuite sandbox, and a config pointing at it."""

    def start(firm: bool = True, **config: Any) -> Harness:
        store = Store(tmp_path / "sandbox").create()
        if firm:
            generate(store, size="test")
        cluster = start_sandboxes(systems=("netsuite",))
        http = HttpSettings(backoff_factor=0.01, max_retry_delay_seconds=0.5, max_attempts=12)
        settings = NetSuiteConfig(**{**cluster.source_settings()["netsuite"], "http": http, **config})
        return Harness(tmp_path, store, cluster, settings)

    return start


def _store_rows(store: Store, table: str) -> dict[int, tuple]:
    columns = ", ".join(f'"{c}"' for c in KEY_COLUMNS[table])
    key, cursor = REGISTRY.table(table).key, REGISTRY.table(table).cursor_field
    conn = store.connect("netsuite")
    rows = conn.execute(f'SELECT "{key}", "{cursor}" / 1000, {columns} FROM "{table}"').fetchall()
    return {row[0]: _normal(row) for row in rows}


def _landed_rows(h: Harness, table: str) -> dict[int, tuple]:
    columns = ", ".join(f'"{c}"' for c in KEY_COLUMNS[table])
    key, cursor = REGISTRY.table(table).key, REGISTRY.table(table).cursor_field
    rows = h.sql(
        f'SELECT "{key}", CAST(epoch("{cursor}") AS BIGINT), {columns} FROM raw_netsuite."{table}" '
        "WHERE NOT _concord_is_deleted"
    )
    return {row[0]: _normal(row) for row in rows}


def _normal(row: tuple) -> tuple:
    return tuple(round(v, 4) if isinstance(v, float) else v for v in row)


def _digest(rows: dict[int, tuple]) -> str:
    return hashlib.sha256(repr(sorted(rows.values())).encode()).hexdigest()


def _assert_matches_sandbox(h: Harness) -> None:
    for table in KEY_COLUMNS:
        expected, landed = _store_rows(h.store, table), _landed_rows(h, table)
        assert len(landed) == len(expected), table
        assert _digest(landed) == _digest(expected), table


def _server_now(h: Harness) -> datetime:
    return datetime.fromtimestamp(h.store.now_ms() // 1000, UTC)


def test_first_load_equals_the_sandbox_state_table_by_table(netsuite: Callable[..., Harness]) -> None:
    h = netsuite()
    summary = h.ingest()
    _assert_matches_sandbox(h)
    for table in KEY_COLUMNS:
        assert summary[table].new == len(_store_rows(h.store, table)), table
    types = dict(
        h.sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw_netsuite' AND table_name = 'charge'"
        )
    )
    assert types["id"] == "BIGINT" and types["amount"] == "DOUBLE" and types["chargedate"] == "DATE"
    assert types["lastmodifieddate"].startswith("TIMESTAMP") and types["datecreated"].startswith("TIMESTAMP")


def test_an_incremental_run_after_a_tick_lands_exactly_the_changes(netsuite: Callable[..., Harness]) -> None:
    h = netsuite()
    h.ingest()
    before = {table: _store_rows(h.store, table) for table in KEY_COLUMNS}
    loads_before = h.sql("SELECT COUNT(*) FROM raw_netsuite.transaction_history")[0][0]
    tick(h.store, 10)
    summary = h.ingest()
    _assert_matches_sandbox(h)
    for table, old in before.items():
        now = _store_rows(h.store, table)
        new = {k for k in now if k not in old}
        changed = {k for k in now if k in old and now[k][1] != old[k][1]}
        assert (summary[table].new, summary[table].changed, summary[table].deleted) == (len(new), len(changed), 0), (
            table
        )
    assert summary["transaction"].new > 0 and summary["charge"].changed > 0
    landed_again = h.sql("SELECT COUNT(*) FROM raw_netsuite.transaction_history")[0][0] - loads_before
    assert landed_again == summary["transaction"].new + summary["transaction"].changed
    quiet = h.ingest()
    assert all((s.new, s.changed, s.deleted) == (0, 0, 0) for s in quiet.values())


def test_records_sharing_the_window_end_land_once_in_the_next_window(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False, page_size=200, window_lag_seconds=60)
    seed_reference_data(h.store)
    h.store.set_clock(T0 + 60_000)  # the window ends at T0 (give or take the second the run starts in)
    seed_customers(h.store, 450, lastmodified=T0 - 1000, first_id=1)  # inside the first window
    seed_customers(h.store, 450, lastmodified=T0 + 1000, first_id=1001)  # at/after its end
    seed_customers(h.store, 10, lastmodified=T0 + 30_000, first_id=2001)  # in the lag
    h.ingest()
    first = {row[0] for row in h.sql("SELECT id FROM raw_netsuite.customer")}
    assert set(range(1, 451)) <= first and not first & set(range(2001, 2011))
    h.store.set_clock(T0 + 200_000)
    h.ingest()
    landed = h.sql("SELECT id, COUNT(*) FROM raw_netsuite.customer_history GROUP BY id")
    assert {row[0] for row in landed} == set(range(1, 451)) | set(range(1001, 1451)) | set(range(2001, 2011))
    assert {row[1] for row in landed} == {1}


def test_records_stamped_at_the_exact_window_end_land_in_the_next_run(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False, page_size=100)
    seed_reference_data(h.store)
    seed_customers(h.store, 50, lastmodified=T0)
    h.store.set_clock(T0 + 60_000)
    h.ingest()
    pipeline = dlt.attach(pipeline_name="concord_netsuite_duckdb", pipelines_dir=str(h.tmp_path / "dlt"))
    window_end = pipeline.state["sources"]["netsuite"]["resources"]["customer"]["window_end"]
    # Modified in the very second the first run's window ended at, after it read the clock.
    end_ms = int(datetime.fromisoformat(window_end).timestamp() * 1000)
    seed_customers(h.store, 250, lastmodified=end_ms, first_id=1001)
    h.store.set_clock(end_ms + 5000)
    summary = h.ingest()
    assert summary["customer"].new == 250
    assert h.sql("SELECT COUNT(*), COUNT(DISTINCT id) FROM raw_netsuite.customer_history") == [(300, 300)]


def test_hard_deletes_are_marked_deleted_at_the_server_time(netsuite: Callable[..., Harness]) -> None:
    h = netsuite()
    h.ingest()
    conn = h.store.connect("netsuite")
    payment = conn.execute("SELECT id FROM \"transaction\" WHERE type = 'CustPymt' ORDER BY id DESC").fetchone()[0]
    lines = {r[0] for r in conn.execute('SELECT uniquekey FROM transactionline WHERE "transaction" = ?', (payment,))}
    charge = conn.execute("SELECT id FROM charge WHERE invoice IS NULL ORDER BY id").fetchone()[0]
    api = h.api()
    assert api.delete(h.record_url("customerpayment", payment)).status_code == 204
    assert api.delete(h.record_url("charge", charge)).status_code == 204
    h.store.advance_clock(5000)  # past the second the deletes modified the paid invoices in
    noticed = _server_now(h)
    summary = h.ingest(reconcile_all=True)
    assert summary["transaction"].deleted == 1 and summary["charge"].deleted == 1
    assert summary["transactionline"].deleted == len(lines)
    deleted = h.sql(
        "SELECT 'transaction', id, _concord_deleted_at FROM raw_netsuite.transaction WHERE _concord_is_deleted "
        "UNION ALL SELECT 'charge', id, _concord_deleted_at FROM raw_netsuite.charge WHERE _concord_is_deleted "
        "UNION ALL SELECT 'line', uniquekey, _concord_deleted_at FROM raw_netsuite.transactionline "
        "WHERE _concord_is_deleted"
    )
    assert {(kind, key) for kind, key, _ in deleted} == {("transaction", payment), ("charge", charge)} | {
        ("line", key) for key in lines
    }
    assert all(noticed <= at <= noticed + timedelta(seconds=30) for *_, at in deleted)
    _assert_matches_sandbox(h)


def test_daily_tables_are_reconciled_only_when_due(netsuite: Callable[..., Harness]) -> None:
    h = netsuite()
    h.ingest()
    conn = h.store.connect("netsuite")
    payment = conn.execute("SELECT id FROM \"transaction\" WHERE type = 'CustPymt' ORDER BY id DESC").fetchone()[0]
    assert h.api().delete(h.record_url("customerpayment", payment)).status_code == 204
    summary = h.ingest()
    assert summary["transaction"].deleted == 1  # reconciled every run
    assert summary["transactionline"].deleted == 0  # daily: reconciled by the first run
    assert h.ingest(reconcile_all=True)["transactionline"].deleted > 0


@pytest.mark.parametrize(
    ("table", "mutation", "reason"),
    [
        ("customer", "UPDATE customer SET currency = 99 WHERE id = 7", "unknown currency id 99 in currency"),
        ("customer", "UPDATE customer SET companyname = '' WHERE id = 7", "required field companyname is missing"),
        ("charge", "UPDATE charge SET amount = 'lots' WHERE id = 7", "amount is not a number: 'lots'"),
    ],
)
def test_a_record_breaking_the_contract_is_quarantined_while_the_rest_loads(
    netsuite: Callable[..., Harness], table: str, mutation: str, reason: str
) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    seed_customers(h.store, 10)
    for charge_id in range(1, 11):
        seed_charge(h.store, charge_id, customer=1, quantity=2, rate=100, day="2026-02-02")
    with h.store.transaction("netsuite") as conn:
        conn.execute(mutation)
    summary = h.ingest()
    assert summary[table].quarantined == 1 and summary[table].new == 9
    [(key, why, payload)] = h.sql("SELECT record_key, reason, raw_payload FROM raw_netsuite._concord_quarantine")
    assert (key, why) == ("7", reason) and str(json.loads(payload)["id"]) == "7"
    assert 7 not in {row[0] for row in h.sql(f"SELECT id FROM raw_netsuite.{table}")}


def test_a_replay_lands_the_records_whose_currency_netsuite_lists_since_and_keeps_the_rest(
    netsuite: Callable[..., Harness],
) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    seed_customers(h.store, 5)
    with h.store.transaction("netsuite") as conn:  # a currency the run's list of currencies did not have yet
        conn.execute("UPDATE customer SET currency = 3 WHERE id IN (2, 3)")
        conn.execute("UPDATE customer SET currency = 99 WHERE id = 4")
    assert h.ingest()["customer"].quarantined == 3
    with h.store.transaction("netsuite") as conn:
        conn.execute(
            "INSERT INTO currency (id, name, symbol, isbasecurrency, exchangerate, lastmodifieddate) "
            "VALUES (3, 'New Zealand Dollar', 'NZD', 'F', 0.55, ?)",
            (h.store.now_ms(),),
        )
    h.store.advance_clock(60_000)

    incremental = h.ingest()
    replay = h.ingest(replay_quarantine=True)

    assert incremental["currency"].new == 1 and incremental["customer"].new == 0  # the cursor is past them
    assert (replay["customer"].replayed, replay["customer"].new, replay["customer"].changed) == (2, 2, 0)
    assert h.sql("SELECT id, currency FROM raw_netsuite.customer ORDER BY id") == [(1, 2), (2, 3), (3, 3), (5, 2)]
    assert h.sql("SELECT id FROM raw_netsuite.customer_history ORDER BY id") == [(1,), (2,), (3,), (5,)]
    assert h.sql("SELECT record_key, reason FROM raw_netsuite._concord_quarantine") == [
        ("4", "unknown currency id 99 in currency")
    ]
    assert h.ingest(replay_quarantine=True)["customer"].replayed == 0  # nothing twice


def test_429_and_5xx_faults_still_give_an_exact_load(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(page_size=500)
    injector = h.cluster.running["netsuite"].injector
    injector.set(FaultRates(rate_503=0.2, rate_429=0.1))
    h.ingest()
    tick(h.store, 3)
    h.ingest(reconcile_all=True)
    _assert_matches_sandbox(h)
    assert injector.counts["429"] > 0 and injector.counts["503"] > 0


def test_bad_credentials_stop_the_run_with_a_one_line_message(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False, certificate_id="wrong-certificate")
    with pytest.raises(ConcordError) as failure:
        h.ingest()
    message = str(failure.value)
    assert "\n" not in message and "SOURCES__NETSUITE__CERTIFICATE_ID" in message and "invalid_client" in message
    assert "wrong-certificate" not in message and "PRIVATE KEY" not in message


def test_when_an_invoice_was_paid_is_answered_from_its_history(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    seed_customers(h.store, 1)
    seed_invoice(h.store, 1, customer=1, day="2026-02-01", total=500.0)
    h.store.set_clock(T0 + 60_000)
    h.ingest()
    h.store.set_clock(T0 + 3 * DAY_MS)
    body = {"customer": {"id": "1"}, "payment": 500, "apply": {"items": [{"doc": {"id": "1"}, "amount": 500}]}}
    assert h.api().post(h.record_url("customerpayment"), json=body).status_code == 204
    h.store.set_clock(T0 + 3 * DAY_MS + 60_000)
    h.ingest()
    versions = h.sql(
        "SELECT status, lastmodifieddate FROM raw_netsuite.transaction_history WHERE id = 1 ORDER BY lastmodifieddate"
    )
    assert [status for status, _ in versions] == ["Open", "Paid In Full"]
    [(paid_at,)] = h.sql(
        "SELECT MIN(lastmodifieddate) FROM raw_netsuite.transaction_history WHERE id = 1 AND status = 'Paid In Full'"
    )
    assert paid_at == datetime.fromtimestamp((T0 + 3 * DAY_MS) // 1000, UTC)


@pytest.fixture
def customer_gains_a_field(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """NetSuite adds a custom field to customers (the sandbox serves it from now on)."""
    tables = {name: dict(columns) for name, columns in catalog.tables().items()}
    tables["customer"]["custentity_region"] = catalog.Column("custentity_region", "plain", False)
    monkeypatch.setattr(catalog, "tables", lambda: tables)
    yield "custentity_region"


def test_a_new_vendor_field_is_discovered_and_lands(
    netsuite: Callable[..., Harness], customer_gains_a_field: str
) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    seed_customers(h.store, 3)
    with h.store.transaction("netsuite") as conn:
        conn.execute(f"ALTER TABLE customer ADD COLUMN {customer_gains_a_field} TEXT")
        conn.execute(f"UPDATE customer SET {customer_gains_a_field} = 'EMEA' WHERE id = 2")
    h.ingest()
    rows = h.sql(f"SELECT id, {customer_gains_a_field} FROM raw_netsuite.customer ORDER BY id")
    assert rows == [(1, None), (2, "EMEA"), (3, None)]


def test_a_field_that_disappears_is_reported_and_the_rest_loads(netsuite: Callable[..., Harness], monkeypatch) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    seed_customers(h.store, 3)
    h.ingest()
    tables = {name: dict(columns) for name, columns in catalog.tables().items()}
    del tables["customer"]["url"]
    monkeypatch.setattr(catalog, "tables", lambda: tables)
    with h.store.transaction("netsuite") as conn:  # NetSuite users rename the customers
        now = h.store.now_ms() // 1000 * 1000
        conn.execute("UPDATE customer SET companyname = 'Renamed Ltd', lastmodifieddate = ?", (now,))
    h.store.advance_clock(60_000)
    tables_summary = h.ingest()
    assert tables_summary["customer"].missing_fields == ["url"]
    assert h.sql("SELECT count(*) FROM raw_netsuite.customer WHERE companyname = 'Renamed Ltd'") == [(3,)]


# -- the integration user's time zone (the sandbox serves America/New_York) ------------------

MINUTE_MS = 60_000
SPRING = 1_772_953_200_000  # 2026-03-08T07:00:00Z: 02:00 EST becomes 03:00 EDT
FALL = 1_793_512_800_000  # 2026-11-01T06:00:00Z: 02:00 EDT becomes 01:00 EST


def _landed_stamps(h: Harness) -> dict[int, list[int]]:
    rows = h.sql("SELECT id, CAST(epoch(lastmodifieddate) * 1000 AS BIGINT) FROM raw_netsuite.customer_history")
    found: dict[int, list[int]] = {}
    for key, stamp in rows:
        found.setdefault(key, []).append(stamp)
    return found


@pytest.mark.parametrize(
    ("switch", "offsets_min", "runs_at_min"),
    [
        # spring forward: 01:59 EST and 03:00/03:01 EDT, runs ending on both sides of the switch
        (SPRING, (-61, -1, 0, 1, 30, 59, 61), (-30, 0, 30, 90)),
        # fall back: the repeated hour (01:xx EDT, then 01:xx EST), runs ending inside it too
        (FALL, (-61, -59, -31, -1, 0, 1, 29, 31, 59, 61), (-90, -30, 0, 30, 90)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_records_changed_around_a_dst_switch_land_once_with_their_utc_stamps(
    netsuite: Callable[..., Harness], switch: int, offsets_min: tuple[int, ...], runs_at_min: tuple[int, ...]
) -> None:
    h = netsuite(firm=False, page_size=100)
    seed_reference_data(h.store)
    stamps = {i: switch + minutes * MINUTE_MS for i, minutes in enumerate(offsets_min, start=1)}
    h.store.set_clock(switch - 3 * 3600_000)
    h.ingest()  # the first window ends before any of them
    seeded: set[int] = set()
    for at in (*runs_at_min, 180):
        clock = switch + at * MINUTE_MS
        # Each record appears before the first run whose clock passes it (give or take the
        # seconds a run takes to start: a stamp just after the window end is the next run's).
        for key, stamp in stamps.items():
            if key not in seeded and stamp < clock + 5000:
                seed_customers(h.store, 1, lastmodified=stamp, first_id=key)
                seeded.add(key)
        h.store.set_clock(clock)
        h.ingest()
    assert _landed_stamps(h) == {key: [stamp] for key, stamp in stamps.items()}


def test_a_configured_zone_that_is_not_the_users_stops_the_run(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False, time_zone="Europe/London")
    seed_reference_data(h.store)
    with pytest.raises(ConcordError) as raised:
        h.ingest()
    message = str(raised.value)
    assert "SOURCES__NETSUITE__TIME_ZONE" in message and "Europe/London" in message
    assert "UTC-05:00" in message and "\n" not in message.strip()


def test_a_missing_zone_is_a_one_line_error_naming_the_setting(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False, time_zone="")
    seed_reference_data(h.store)
    with pytest.raises(ConcordError, match="SOURCES__NETSUITE__TIME_ZONE"):
        h.ingest()


# -- transaction line keys ---------------------------------------------------------------------


def _lines(h: Harness) -> list[tuple]:
    return h.sql(
        'SELECT "transaction", id, uniquekey, foreignamount, CAST(epoch(linelastmodifieddate) * 1000 AS BIGINT) '
        "FROM raw_netsuite.transactionline ORDER BY uniquekey"
    )


def test_lines_of_two_invoices_sharing_line_ids_all_land_and_a_changed_line_lands_once(
    netsuite: Callable[..., Harness],
) -> None:
    h = netsuite(firm=False, page_size=100)
    seed_reference_data(h.store)
    seed_customers(h.store, 1)
    h.store.set_clock(T0 + 60_000)
    with h.store.transaction("netsuite") as conn:
        for invoice in (101, 102):
            conn.execute(
                'INSERT INTO "transaction" (id, tranid, type, entity, subsidiary, currency, trandate, status, '
                "foreigntotal, foreignamountremaining, createddate, lastmodifieddate) "
                "VALUES (?, ?, 'CustInvc', 1, 2, 2, '2026-03-01', 'Open', 30, 30, ?, ?)",
                (invoice, f"INV-{invoice}", T0, T0),
            )
            conn.executemany(
                'INSERT INTO transactionline (id, "transaction", linesequencenumber, item, quantity, rate, '
                "foreignamount, linelastmodifieddate) VALUES (?, ?, ?, 1, 1, ?, ?, ?)",
                [(line, invoice, line, invoice / 10 + line, invoice / 10 + line, T0) for line in (1, 2)],
            )
    h.ingest()
    assert [row[:4] for row in _lines(h)] == [
        (101, 1, 1, 11.1),
        (101, 2, 2, 12.1),
        (102, 1, 3, 11.2),
        (102, 2, 4, 12.2),
    ]
    changed = T0 + 90_000
    h.store.set_clock(T0 + 120_000)
    with h.store.transaction("netsuite") as conn:
        conn.execute(
            'UPDATE transactionline SET foreignamount = 99, linelastmodifieddate = ? WHERE "transaction" = 102 AND id = 1',
            (changed,),
        )
    summary = h.ingest()
    assert (summary["transactionline"].new, summary["transactionline"].changed) == (0, 1)
    assert [row[:4] for row in _lines(h)] == [
        (101, 1, 1, 11.1),
        (101, 2, 2, 12.1),
        (102, 1, 3, 99.0),
        (102, 2, 4, 12.2),
    ]
    assert _lines(h)[2][4] == changed
    versions = h.sql("SELECT uniquekey, COUNT(*) FROM raw_netsuite.transactionline_history GROUP BY uniquekey")
    assert dict(versions) == {1: 1, 2: 1, 3: 2, 4: 1}


# -- addresses ----------------------------------------------------------------------------


def _two_address_customer(h: Harness) -> tuple[str, list[dict[str, Any]]]:
    """A customer made through the record API with a delivery site and a billing address."""
    api = h.api()
    book = {
        "items": [
            {
                "label": "Delivery",
                "defaultShipping": True,
                "addressBookAddress": {"addr1": "1 Dock Road", "city": "Hull", "zip": "HU1 1AA", "country": "GB"},
            },
            {
                "label": "Billing",
                "defaultBilling": True,
                "addressBookAddress": {"addr1": "2 Park Row", "city": "Leeds", "zip": "LS1 5HD", "country": "GB"},
            },
        ]
    }
    body = {"companyName": "Two Sites Ltd", "subsidiary": {"id": "2"}, "addressBook": book}
    created = api.post(h.record_url("customer"), json=body)
    assert created.status_code == 204, created.text
    customer_id = created.headers["Location"].rsplit("/", 1)[-1]
    record = api.get(h.record_url("customer", customer_id), params={"expandSubResources": "true"}).json()
    return customer_id, record["addressBook"]["items"]


def _landed_address(h: Harness, customer_id: str) -> tuple:
    return h.sql(
        "SELECT billing_addr1, billing_city, billing_zip, billing_country FROM raw_netsuite.customer "
        f"WHERE id = {customer_id}"
    )[0]


def test_a_customer_with_two_addresses_lands_its_default_billing_one(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    customer_id, _ = _two_address_customer(h)
    h.store.advance_clock(60_000)
    h.ingest()
    assert _landed_address(h, customer_id) == ("2 Park Row", "Leeds", "LS1 5HD", "GB")
    assert h.sql(f"SELECT COUNT(*) FROM raw_netsuite.customer WHERE id = {customer_id}") == [(1,)]


def test_an_edit_of_the_default_billing_address_alone_lands(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    customer_id, _ = _two_address_customer(h)
    h.store.advance_clock(60_000)
    h.ingest()
    [(modified,)] = h.sql(f"SELECT lastmodifieddate FROM raw_netsuite.customer WHERE id = {customer_id}")
    # The address changes and the customer's own lastmodifieddate does not (the worst case).
    with h.store.transaction("netsuite") as conn:
        now = h.store.now_ms() // 1000 * 1000
        conn.execute(
            "UPDATE entityaddress SET addr1 = '9 New Street', city = 'York', zip = 'YO1 7HH', lastmodifieddate = ? "
            "WHERE nkey = (SELECT defaultbillingaddress FROM customer WHERE id = ?)",
            (now, int(customer_id)),
        )
    h.store.advance_clock(60_000)
    summary = h.ingest()
    assert summary["customer"].changed == 1
    assert _landed_address(h, customer_id) == ("9 New Street", "York", "YO1 7HH", "GB")
    assert h.sql(f"SELECT lastmodifieddate FROM raw_netsuite.customer WHERE id = {customer_id}") == [(modified,)]


def test_making_another_line_the_default_billing_one_lands_its_address(netsuite: Callable[..., Harness]) -> None:
    h = netsuite(firm=False)
    seed_reference_data(h.store)
    customer_id, lines = _two_address_customer(h)
    h.store.advance_clock(60_000)
    h.ingest()
    delivery = next(line for line in lines if line["label"] == "Delivery")
    patch = {"addressBook": {"items": [{"id": delivery["id"], "defaultBilling": True}]}}
    assert h.api().patch(h.record_url("customer", customer_id), json=patch).status_code == 204
    h.store.advance_clock(60_000)
    h.ingest()
    assert _landed_address(h, customer_id) == ("1 Dock Road", "Hull", "HU1 1AA", "GB")

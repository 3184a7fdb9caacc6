"""The firm simulator: determinism, plausible volumes, injected drift, entity map, ticks, truth export."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sandboxes.simulator import (
    DRIFT_TYPES,
    RATED_DRIFT_TYPES,
    DriftRates,
    dump_digest,
    export_truth,
    generate,
    tick,
)
from sandboxes.simulator.clock import DAY_MS, midnight_ms
from sandboxes.store import Store

AS_OF = date(2026, 11, 1)


def _store(path: Path) -> Store:
    return Store(path).create()


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """One generated 'test' firm shared by the read-only tests."""
    store = _store(tmp_path_factory.mktemp("firm"))
    generate(store, size="test", seed=42, as_of=AS_OF)
    return store


def _rows(store: Store, system: str, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    return store.connect(system).execute(sql, params).fetchall()


def _one(store: Store, system: str, sql: str, params: tuple = ()) -> sqlite3.Row | None:
    return store.connect(system).execute(sql, params).fetchone()


def _entity(store: Store, system: str, obj: str, record_id: str) -> str | None:
    row = _one(
        store,
        "simulation",
        "SELECT entity_id FROM entity_map WHERE system = ? AND object = ? AND record_id = ?",
        (system, obj, str(record_id)),
    )
    return row[0] if row else None


def _primary_account(store: Store, client_entity: str) -> sqlite3.Row:
    duplicates = {
        r[0] for r in _rows(store, "simulation", "SELECT record_id FROM drift WHERE drift_type = 'duplicate_account'")
    }
    ids = [
        r[0]
        for r in _rows(
            store,
            "simulation",
            "SELECT record_id FROM entity_map WHERE system = 'salesforce' AND object = 'Account' AND entity_id = ?",
            (client_entity,),
        )
        if r[0] not in duplicates
    ]
    assert len(ids) == 1, (client_entity, ids)
    return _one(store, "salesforce", "SELECT * FROM Account WHERE Id = ?", (ids[0],))


def _latest_contract_rates(store: Store, opportunity_number: str, as_of: date) -> dict[str, float]:
    opp = _one(
        store,
        "salesforce",
        "SELECT Id FROM Opportunity WHERE Opportunity_Number__c = ?",
        (opportunity_number,),
    )
    contract = _one(store, "salesforce", "SELECT Id FROM Contract WHERE Opportunity__c = ?", (opp["Id"],))
    rates: dict[str, tuple[int, float]] = {}
    for row in _rows(
        store,
        "salesforce",
        "SELECT Role__c, Rate__c, Amendment_Number__c FROM Contract_Rate__c "
        "WHERE Contract__c = ? AND Effective_Date__c < ? ORDER BY Amendment_Number__c",
        (contract["Id"], as_of.isoformat()),
    ):
        rates[row["Role__c"]] = (row["Amendment_Number__c"], row["Rate__c"])
    return {role: rate for role, (_, rate) in rates.items()}


# -- determinism --------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_data(tmp_path: Path, firm: Store) -> None:
    again = _store(tmp_path / "again")
    generate(again, size="test", seed=42, as_of=AS_OF)
    assert dump_digest(again) == dump_digest(firm)


def test_different_seed_gives_different_data(tmp_path: Path, firm: Store) -> None:
    other = _store(tmp_path / "other")
    generate(other, size="test", seed=7, as_of=AS_OF)
    assert dump_digest(other) != dump_digest(firm)


# -- volumes ------------------------------------------------------------------------------


def test_counts_are_plausible_for_the_test_size(firm: Store) -> None:
    def count(system: str, table: str, where: str = "1") -> int:
        return _one(firm, system, f'SELECT COUNT(*) FROM "{table}" WHERE {where}')[0]

    assert 20 <= count("salesforce", "Account") <= 30
    assert count("salesforce", "Opportunity") == 150
    assert 30 <= count("salesforce", "Opportunity", "IsWon = 1") <= 100
    assert count("salesforce", "Contract") == count("salesforce", "Opportunity", "IsWon = 1")
    assert 2_000 <= count("harvest", "time_entries") <= 4_000
    assert count("harvest", "tasks") == 7
    assert count("netsuite", "subsidiary") == 3
    assert count("netsuite", "term") == 4
    assert count("netsuite", "charge") > 1_000
    assert count("netsuite", "transaction", "type = 'CustInvc'") > 50
    assert count("netsuite", "transaction", "type = 'CustPymt'") > 20
    assert count("harvest", "time_entries", "approval_status = 'approved'") > count(
        "harvest", "time_entries", "approval_status != 'approved'"
    )


def test_generate_sets_the_clock_to_midnight_of_as_of(firm: Store) -> None:
    assert abs(firm.now_ms() - midnight_ms(AS_OF)) < 60_000
    assert firm.get_state("seed") == "42"
    assert firm.get_state("size") == "test"
    assert firm.get_state("as_of") == AS_OF.isoformat()
    assert firm.get_state("day") == "0"


def test_no_history_timestamp_is_after_as_of(firm: Store) -> None:
    limit = midnight_ms(AS_OF)
    assert _one(firm, "salesforce", "SELECT MAX(SystemModstamp) FROM Opportunity")[0] < limit
    assert _one(firm, "harvest", "SELECT MAX(updated_at) FROM time_entries")[0] < limit
    assert _one(firm, "netsuite", 'SELECT MAX(lastmodifieddate) FROM "transaction"')[0] < limit
    assert _one(firm, "harvest", "SELECT COUNT(*) FROM time_entries WHERE updated_at % 1000 != 0")[0] == 0


def test_recent_wins_have_no_psa_project_or_erp_job(firm: Store) -> None:
    recent = _rows(
        firm,
        "salesforce",
        "SELECT Opportunity_Number__c, Id FROM Opportunity WHERE IsWon = 1 AND CloseDate >= '2026-10-02'",
    )
    assert recent, "the test firm should have recently won deals"
    for opp in recent:
        assert _one(firm, "harvest", "SELECT 1 FROM projects WHERE code = ?", (opp[0],)) is None
        assert _one(firm, "netsuite", "SELECT 1 FROM job WHERE custentity_sf_opportunity_id = ?", (opp[1],)) is None


# -- drift ----------------------------------------------------------------------------------


def test_every_drift_type_is_present(firm: Store) -> None:
    present = {r[0] for r in _rows(firm, "simulation", "SELECT DISTINCT drift_type FROM drift")}
    assert present == set(DRIFT_TYPES)


def _shows_drift(store: Store, drift: sqlite3.Row) -> bool:
    kind, record_id = drift["drift_type"], drift["record_id"]
    as_of = date.fromisoformat(store.get_state("as_of"))
    if kind == "duplicate_account":
        client = _entity(store, "salesforce", "Account", record_id)
        others = _rows(
            store,
            "simulation",
            "SELECT record_id FROM entity_map WHERE object = 'Account' AND entity_id = ? AND record_id != ?",
            (client, record_id),
        )
        dup = _one(store, "salesforce", "SELECT Name FROM Account WHERE Id = ?", (record_id,))
        original = (
            _one(store, "salesforce", "SELECT Name FROM Account WHERE Id = ?", (others[0][0],)) if others else None
        )
        return dup is not None and original is not None and dup["Name"] != original["Name"]
    if kind == "name_mismatch":
        if drift["system"] == "harvest":
            row = _one(store, "harvest", "SELECT name FROM clients WHERE id = ?", (int(record_id),))
        else:
            row = _one(store, "netsuite", "SELECT companyname FROM customer WHERE id = ?", (int(record_id),))
        account = _primary_account(store, drift["entity_id"])
        return row is not None and row[0] != account["Name"]
    if kind in ("address_mismatch", "unlinked_customer", "currency_mismatch", "terms_mismatch"):
        customer = _one(
            store,
            "netsuite",
            "SELECT c.*, cur.symbol AS currency_code, t.name AS terms_name, a.addr1, a.city, a.zip FROM customer c "
            "JOIN currency cur ON cur.id = c.currency LEFT JOIN term t ON t.id = c.terms "
            "LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress WHERE c.id = ?",
            (int(record_id),),
        )
        account = _primary_account(store, drift["entity_id"])
        if customer is None:
            return False
        if kind == "address_mismatch":
            erp = (customer["addr1"], customer["city"], customer["zip"])
            return erp != (account["BillingStreet"], account["BillingCity"], account["BillingPostalCode"])
        if kind == "unlinked_customer":
            linked = _one(store, "salesforce", "SELECT 1 FROM Account WHERE NetSuite_Customer_Id__c = ?", (record_id,))
            return customer["externalid"] is None and customer["custentity_sf_account_id"] is None and linked is None
        if kind == "currency_mismatch":
            return customer["currency_code"] != account["CurrencyIsoCode"]
        return customer["terms_name"] != account["Payment_Terms__c"]
    if kind == "missing_tax_id":
        customer = _one(store, "netsuite", "SELECT vatregnumber FROM customer WHERE id = ?", (int(record_id),))
        account = _primary_account(store, drift["entity_id"])
        return customer is not None and customer[0] is None and account["Tax_ID__c"] is not None
    if kind == "stale_rate":
        ta = _one(
            store,
            "harvest",
            "SELECT ta.hourly_rate, t.name AS role, p.code FROM task_assignments ta JOIN tasks t ON t.id = ta.task_id "
            "JOIN projects p ON p.id = ta.project_id WHERE ta.id = ?",
            (int(record_id),),
        )
        return ta is not None and ta["hourly_rate"] != _latest_contract_rates(store, ta["code"], as_of)[ta["role"]]
    if kind == "unbilled_time":
        entry = _one(store, "harvest", "SELECT * FROM time_entries WHERE id = ?", (int(record_id),))
        charge = _one(store, "netsuite", "SELECT 1 FROM charge WHERE externalid = ?", (f"harvest-te-{record_id}-v1",))
        return (
            entry is not None
            and entry["approval_status"] == "approved"
            and entry["billable"] == 1
            and entry["spent_date"] < as_of.isoformat()
            and charge is None
        )
    if kind == "wrong_legal_entity":
        invoice = _one(
            store,
            "netsuite",
            'SELECT s.name AS subsidiary, j.custentity_sf_opportunity_id AS opp FROM "transaction" t '
            "JOIN subsidiary s ON s.id = t.subsidiary JOIN job j ON j.id = t.job WHERE t.id = ? AND t.type = 'CustInvc'",
            (int(record_id),),
        )
        opp = _one(store, "salesforce", "SELECT Legal_Entity__c FROM Opportunity WHERE Id = ?", (invoice["opp"],))
        return opp is not None and invoice["subsidiary"] != opp["Legal_Entity__c"]
    if kind == "orphan_project":
        project = _one(store, "harvest", "SELECT code FROM projects WHERE id = ?", (int(record_id),))
        if project is None:
            return False
        opp = _one(
            store,
            "salesforce",
            "SELECT 1 FROM Opportunity WHERE Opportunity_Number__c = ?",
            (project["code"],),
        )
        return opp is None
    raise AssertionError(f"unknown drift type {kind}")


@pytest.mark.parametrize("drift_type", DRIFT_TYPES)
def test_drift_rows_point_at_records_that_show_the_drift(firm: Store, drift_type: str) -> None:
    rows = _rows(firm, "simulation", "SELECT * FROM drift WHERE drift_type = ? ORDER BY drift_id", (drift_type,))
    assert rows
    for row in rows:
        assert _entity(firm, row["system"], row["object"], row["record_id"]) is not None, dict(row)
        assert _shows_drift(firm, row), dict(row)


def test_undrifted_projects_carry_the_latest_contract_rates(firm: Store) -> None:
    stale = {r[0] for r in _rows(firm, "simulation", "SELECT record_id FROM drift WHERE drift_type = 'stale_rate'")}
    checked = 0
    for ta in _rows(
        firm,
        "harvest",
        "SELECT ta.id, ta.hourly_rate, t.name AS role, p.code FROM task_assignments ta "
        "JOIN tasks t ON t.id = ta.task_id JOIN projects p ON p.id = ta.project_id "
        "WHERE ta.billable = 1 AND p.code LIKE 'OPP-%'",
    ):
        if str(ta["id"]) not in stale:
            assert ta["hourly_rate"] == _latest_contract_rates(firm, ta["code"], AS_OF)[ta["role"]]
            checked += 1
    assert checked > 50


def test_approved_time_is_posted_unless_drifted(firm: Store) -> None:
    unbilled = {
        r[0] for r in _rows(firm, "simulation", "SELECT record_id FROM drift WHERE drift_type = 'unbilled_time'")
    }
    charged = {r[0] for r in _rows(firm, "netsuite", "SELECT externalid FROM charge WHERE chargetype = 'Time'")}
    due = _rows(
        firm,
        "harvest",
        "SELECT id FROM time_entries WHERE approval_status = 'approved' AND billable = 1 AND spent_date < '2026-10-01'",
    )
    assert due
    for entry in due:
        assert (str(entry[0]) in unbilled) != (f"harvest-te-{entry[0]}-v1" in charged)


def test_observed_drift_rates_match_the_configured_rates(tmp_path: Path) -> None:
    rate = 0.3
    store = _store(tmp_path / "drifty")
    # Clean names: with name noise, unlinked customers typed in again add name mismatches on
    # top of the configured rate.
    summary = generate(
        store,
        size="test",
        seed=3,
        as_of=AS_OF,
        drift=DriftRates(**{name: rate for name in RATED_DRIFT_TYPES}),
        noise="clean",
    )
    for name in RATED_DRIFT_TYPES:
        candidates, drifted = summary.drift_candidates[name], summary.drift[name]
        assert candidates > 0, name
        tolerance = 4 * (rate * (1 - rate) / candidates) ** 0.5 + 1 / candidates
        assert abs(drifted / candidates - rate) <= tolerance, (name, drifted, candidates)
    # The high-volume type at the default rate, counted from the drift table itself.
    default = DriftRates().unbilled_time
    store2 = _store(tmp_path / "default")
    summary2 = generate(store2, size="test", seed=5, as_of=AS_OF)
    rows = _one(store2, "simulation", "SELECT COUNT(*) FROM drift WHERE drift_type = 'unbilled_time'")[0]
    assert abs(rows / summary2.drift_candidates["unbilled_time"] - default) < 0.02


# -- entity map -----------------------------------------------------------------------------


def _assert_every_record_mapped(store: Store) -> None:
    mapped: dict[tuple[str, str], set[str]] = {}
    for system, obj, record_id in _rows(store, "simulation", "SELECT system, object, record_id FROM entity_map"):
        mapped.setdefault((system, obj), set()).add(record_id)
    for system, key in (("salesforce", "Id"), ("harvest", "id"), ("netsuite", "id")):
        conn = store.connect(system)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            # A transaction line's id is unique only within its transaction: it is mapped by
            # uniquekey; addresses are keyed by nkey.
            column = {("netsuite", "transactionline"): "uniquekey", ("netsuite", "entityaddress"): "nkey"}.get(
                (system, table), key
            )
            ids = {str(r[0]) for r in conn.execute(f'SELECT "{column}" FROM "{table}"')}
            missing = ids - mapped.get((system, table), set())
            assert not missing, (system, table, sorted(missing)[:5])
            stale = mapped.get((system, table), set()) - ids
            assert not stale, (system, table, sorted(stale)[:5])


def test_every_record_of_every_table_has_an_entity_map_row(firm: Store) -> None:
    _assert_every_record_mapped(firm)


# -- ticks ----------------------------------------------------------------------------------


@pytest.fixture
def ticked(tmp_path: Path) -> tuple[Store, int, dict[str, int]]:
    store = _store(tmp_path / "ticked")
    generate(store, size="test", seed=42, as_of=AS_OF)
    before = store.now_ms()
    counts = {
        "projects": _one(store, "harvest", "SELECT COUNT(*) FROM projects")[0],
        "jobs": _one(store, "netsuite", "SELECT COUNT(*) FROM job")[0],
        "charges": _one(store, "netsuite", "SELECT COUNT(*) FROM charge")[0],
        "customers": _one(store, "netsuite", "SELECT COUNT(*) FROM customer")[0],
        "harvest_clients": _one(store, "harvest", "SELECT COUNT(*) FROM clients")[0],
    }
    tick(store, 14)
    return store, before, counts


def test_tick_advances_the_clock_by_n_days(ticked: tuple[Store, int, dict[str, int]]) -> None:
    store, before, _ = ticked
    assert 14 * DAY_MS <= store.now_ms() - before < 14 * DAY_MS + 60_000
    assert store.get_state("day") == "14"


def test_tick_adds_time_and_opportunity_changes_after_the_previous_now(
    ticked: tuple[Store, int, dict[str, int]],
) -> None:
    store, before, _ = ticked
    new_time = _rows(
        store, "harvest", "SELECT created_at, spent_date FROM time_entries WHERE created_at > ?", (before,)
    )
    assert len(new_time) > 20
    assert all(row["spent_date"] >= AS_OF.isoformat() for row in new_time)
    assert all(row["created_at"] < store.now_ms() for row in new_time)
    changed = _rows(store, "salesforce", "SELECT SystemModstamp FROM Opportunity WHERE SystemModstamp > ?", (before,))
    assert changed
    assert _one(store, "harvest", "SELECT MAX(updated_at) FROM time_entries")[0] < store.now_ms()


def test_tick_never_does_cross_system_work(ticked: tuple[Store, int, dict[str, int]]) -> None:
    store, _, counts = ticked
    assert _one(store, "harvest", "SELECT COUNT(*) FROM projects")[0] == counts["projects"]
    assert _one(store, "netsuite", "SELECT COUNT(*) FROM job")[0] == counts["jobs"]
    assert _one(store, "netsuite", "SELECT COUNT(*) FROM charge")[0] == counts["charges"]
    assert _one(store, "netsuite", "SELECT COUNT(*) FROM customer")[0] == counts["customers"]
    assert _one(store, "harvest", "SELECT COUNT(*) FROM clients")[0] == counts["harvest_clients"]


def test_tick_keeps_the_entity_map_in_sync(ticked: tuple[Store, int, dict[str, int]]) -> None:
    store, _, _ = ticked
    _assert_every_record_mapped(store)


def test_tick_is_deterministic(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        store = _store(tmp_path / name)
        generate(store, size="test", seed=11, as_of=AS_OF)
        tick(store, 5)
        tick(store, 3)
        digests.append(dump_digest(store))
    assert digests[0] == digests[1]


# -- ground truth ---------------------------------------------------------------------------


def test_export_truth_writes_valid_json(firm: Store, tmp_path: Path) -> None:
    path = tmp_path / "truth.json"
    truth = export_truth(firm, path)
    loaded = json.loads(path.read_text())
    assert loaded["seed"] == truth["seed"] == 42
    assert {entity["name"] for entity in loaded["legal_entities"]} >= {"Concord Consulting Ltd (UK)"}
    assert len(loaded["drift"]) == _one(firm, "simulation", "SELECT COUNT(*) FROM drift")[0]
    assert loaded["entity_map"]["client"]
    assert all(client["name"] for client in loaded["clients"])

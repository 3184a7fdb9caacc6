"""The firm simulator: determinism, plausible volumes, injected drift, entity map, ticks, truth export."""

from __future__ import annotations

import difflib
import json
import random
import re
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sandboxes.simulator import (
    DEFAULT_NOISE,
    DRIFT_TYPES,
    NOISE_LEVELS,
    RATED_DRIFT_TYPES,
    DriftRates,
    MatchingNoise,
    dump_digest,
    export_truth,
    generate,
    names,
    tick,
)
from sandboxes.simulator.clock import DAY_MS, midnight_ms
from sandboxes.store import Store

from sandboxes import cli

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


# -- matching noise -------------------------------------------------------------------------

# Enough duplicates, name variants and unlinked customers on the test size to see the noise.
MANY_VARIANTS = DriftRates(duplicate_account=0.5, name_mismatch=0.5, unlinked_customer=0.5)
_LEGAL_WORDS = {
    "inc",
    "incorporated",
    "llc",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "plc",
    "public",
    "company",
    "gmbh",
    "ag",
    "aktiengesellschaft",
    "the",
    "group",
    "grp",
}


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The default noise on many variants, with every child abroad and more false friends."""
    store = _store(tmp_path_factory.mktemp("noisy"))
    noise = replace(NOISE_LEVELS[DEFAULT_NOISE], subsidiary_abroad=1.0, false_friend=0.2)
    generate(store, size="test", seed=42, as_of=AS_OF, drift=MANY_VARIANTS, noise=noise)
    return store


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = _store(tmp_path_factory.mktemp("clean"))
    generate(store, size="test", seed=42, as_of=AS_OF, drift=MANY_VARIANTS, noise="clean")
    return store


def _normalised(name: str) -> str:
    """What a naive matcher compares: lower case, no punctuation, accents or legal forms."""
    text = re.sub(r"[^\w\s]", "", name.replace("-", " ").replace("&", " and ").lower())
    return names.fold_accents(" ".join(word for word in text.split() if word not in _LEGAL_WORDS))


def _similarity(original: str, variant: str) -> float:
    """How much of the normalised name survives, whatever the word order."""
    words = _normalised(variant).split()
    return max(
        difflib.SequenceMatcher(None, _normalised(original), " ".join(words[i:] + words[:i])).ratio()
        for i in range(max(1, len(words)))
    )


def _variants(store: Store) -> list[tuple[str, str]]:
    """(CRM name, variant) of every duplicate account and name-mismatched PSA client / ERP customer."""
    pairs = []
    for row in _rows(
        store,
        "simulation",
        "SELECT drift_type, detail FROM drift WHERE drift_type IN "
        "('duplicate_account', 'name_mismatch') ORDER BY drift_id",
    ):
        detail = json.loads(row["detail"])
        if row["drift_type"] == "duplicate_account":
            pairs.append((detail["original_name"], detail["duplicate_name"]))
        else:
            pairs.append((detail["crm_name"], detail["system_name"]))
    return pairs


def _duplicates(store: Store) -> list[sqlite3.Row]:
    ids = [
        r[0] for r in _rows(store, "simulation", "SELECT record_id FROM drift WHERE drift_type = 'duplicate_account'")
    ]
    assert ids
    return [_one(store, "salesforce", "SELECT * FROM Account WHERE Id = ?", (i,)) for i in ids]


def _unlinked_customers(store: Store) -> list[sqlite3.Row]:
    ids = [
        r[0] for r in _rows(store, "simulation", "SELECT record_id FROM drift WHERE drift_type = 'unlinked_customer'")
    ]
    assert ids
    return [_one(store, "netsuite", "SELECT * FROM customer WHERE id = ?", (int(i),)) for i in ids]


def test_the_default_firm_is_as_hard_as_a_real_one(firm: Store, tmp_path: Path) -> None:
    assert DEFAULT_NOISE == "messy_no_identifiers"
    assert firm.get_state("noise_level") == "messy_no_identifiers"
    assert export_truth(firm, tmp_path / "truth.json")["summary"]["noise"] == {
        "level": "messy_no_identifiers",
        "rates": NOISE_LEVELS["messy_no_identifiers"].as_dict(),
    }
    for dup in _duplicates(firm):
        assert (dup["Website"], dup["Phone"], dup["Tax_ID__c"]) == (None, None, None), dict(dup)
    for customer in _unlinked_customers(firm):
        assert customer["vatregnumber"] is None and customer["url"] is None, dict(customer)
        assert customer["email"] is None or customer["email"].split("@")[1] in names.FREE_MAIL_DOMAINS


def test_messy_name_variants_do_not_all_normalise_back_but_stay_recognisable(noisy: Store) -> None:
    variants = _variants(noisy)
    assert len(variants) > 10
    assert all(variant != original for original, variant in variants)
    changed = [(o, v) for o, v in variants if _normalised(o) != _normalised(v)]
    assert len(changed) >= len(variants) / 4, variants
    assert all(_similarity(o, v) >= 0.5 for o, v in variants), sorted(variants, key=lambda p: _similarity(*p))[:3]


def test_clean_variants_are_format_variants_and_duplicates_keep_their_website(clean: Store) -> None:
    variants = _variants(clean)
    assert len(variants) > 10
    assert all(_normalised(o) == _normalised(v) for o, v in variants), variants
    for dup in _duplicates(clean):
        assert dup["Website"] is not None and (dup["Phone"], dup["Tax_ID__c"]) == (None, None), dict(dup)
    for customer in _unlinked_customers(clean):
        assert customer["vatregnumber"] is not None and customer["url"] is not None, dict(customer)
    assert not _rows(clean, "simulation", "SELECT 1 FROM drift WHERE drift_type = 'missing_tax_id'")
    assert json.loads(clean.get_state("false_friends")) == []
    assert json.loads(clean.get_state("subsidiaries_abroad")) == []


@pytest.mark.parametrize("store_name", ["firm", "noisy"])
def test_false_friends_are_distinct_clients_in_the_same_country_with_near_identical_names(
    request: pytest.FixtureRequest, store_name: str, tmp_path: Path
) -> None:
    store = request.getfixturevalue(store_name)
    pairs = export_truth(store, tmp_path / "truth.json")["false_friends"]
    assert pairs
    for mimicked, friend in pairs:
        assert mimicked != friend
        a, b = _primary_account(store, mimicked), _primary_account(store, friend)
        assert a["BillingCountry"] == b["BillingCountry"]
        assert a["Name"] != b["Name"]
        assert a["Name"].split()[0] == b["Name"].split()[0], (a["Name"], b["Name"])
        assert _similarity(a["Name"], b["Name"]) >= 0.5, (a["Name"], b["Name"])
        assert a["Tax_ID__c"] != b["Tax_ID__c"] and a["Website"] != b["Website"] and a["Phone"] != b["Phone"]
        assert b["ParentId"] is None


def test_subsidiaries_abroad_share_the_parents_website_in_another_country(noisy: Store, tmp_path: Path) -> None:
    pairs = export_truth(noisy, tmp_path / "truth.json")["subsidiaries_abroad"]
    assert pairs
    for parent, child in pairs:
        p, c = _primary_account(noisy, parent), _primary_account(noisy, child)
        assert c["ParentId"] == p["Id"]
        assert c["Website"] == p["Website"]
        assert c["BillingCountry"] != p["BillingCountry"]
        assert c["Tax_ID__c"] != p["Tax_ID__c"] and c["BillingStreet"] != p["BillingStreet"]


def test_free_mail_customers_have_no_url_and_others_mail_at_their_website(noisy: Store) -> None:
    customers = _rows(noisy, "netsuite", "SELECT * FROM customer ORDER BY id")
    free = [c for c in customers if c["email"] and c["email"].split("@")[1] in names.FREE_MAIL_DOMAINS]
    assert free
    assert all(c["url"] is None for c in free)
    for customer in customers:
        if customer["email"] and customer not in free:
            assert customer["url"] == "https://www." + customer["email"].split("@")[1], dict(customer)


def test_every_difference_between_a_downstream_record_and_its_crm_account_is_drift(noisy: Store) -> None:
    """The consistency checks compare these fields; an unrecorded difference would be scored as
    a consistent record flagged."""
    drifted = {
        (r["drift_type"], r["system"], r["record_id"])
        for r in _rows(noisy, "simulation", "SELECT drift_type, system, record_id FROM drift")
    }
    customers = _rows(
        noisy,
        "netsuite",
        "SELECT c.*, cur.symbol AS currency_code, t.name AS terms_name, a.addr1, a.city, a.zip FROM customer c "
        "JOIN currency cur ON cur.id = c.currency LEFT JOIN term t ON t.id = c.terms "
        "LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress ORDER BY c.id",
    )
    assert customers
    for c in customers:
        account = _primary_account(noisy, _entity(noisy, "netsuite", "customer", c["id"]))
        for drift_type, erp, crm in (
            ("name_mismatch", c["companyname"], account["Name"]),
            ("missing_tax_id", c["vatregnumber"], account["Tax_ID__c"]),
            ("currency_mismatch", c["currency_code"], account["CurrencyIsoCode"]),
            ("terms_mismatch", c["terms_name"], account["Payment_Terms__c"]),
            (
                "address_mismatch",
                (c["addr1"], c["city"], c["zip"]),
                (account["BillingStreet"], account["BillingCity"], account["BillingPostalCode"]),
            ),
        ):
            assert (erp != crm) == ((drift_type, "netsuite", str(c["id"])) in drifted), (drift_type, erp, crm)
    for client in _rows(noisy, "harvest", "SELECT id, name FROM clients ORDER BY id"):
        account = _primary_account(noisy, _entity(noisy, "harvest", "clients", client["id"]))
        recorded = ("name_mismatch", "harvest", str(client["id"])) in drifted
        assert (client["name"] != account["Name"]) == recorded, (client["name"], account["Name"])


def test_same_seed_and_noise_give_the_same_firm_another_noise_another(
    tmp_path: Path, firm: Store, clean: Store
) -> None:
    again = _store(tmp_path / "clean")
    generate(again, size="test", seed=42, as_of=AS_OF, drift=MANY_VARIANTS, noise=NOISE_LEVELS["clean"])
    assert dump_digest(again) == dump_digest(clean)
    messy = _store(tmp_path / "messy")
    generate(messy, size="test", seed=42, as_of=AS_OF, noise="messy")
    assert messy.get_state("noise_level") == "messy"
    assert dump_digest(messy) != dump_digest(firm)


def test_unknown_noise_levels_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="noise level"):
        generate(_store(tmp_path / "x"), size="test", noise="filthy")


def test_name_variants_are_deterministic_and_never_the_name_itself() -> None:
    noise = NOISE_LEVELS["messy"]
    for name in ("Whitmore Health Ltd", "Summit Logistics Inc", "Fraser & Wood Systems LLC", "Zürich Foods GmbH"):
        first = [names.name_variant(name, random.Random(n), noise, None) for n in range(50)]
        again = [names.name_variant(name, random.Random(n), noise, None) for n in range(50)]
        assert first == again
        assert name not in first
        assert len(set(first)) > 10
        assert names.name_variant(name, random.Random(1)) != name  # without noise (ticks' renames)


def test_accented_names_lose_or_change_their_accents() -> None:
    noise = MatchingNoise(accents=1.0)
    variants = {names.name_variant("Müller Bergström GmbH", random.Random(n), noise, "DE") for n in range(40)}
    assert all(not names.has_accents(v) for v in variants)
    assert {"Muller Bergstrom GmbH", "Mueller Bergstroem GmbH"} <= variants
    assert names.domain("Zürich Foods", "DE") == "www.zurichfoods.de"


def test_a_typo_sometimes_hits_the_first_letters() -> None:
    typos = {names.typo("Whitmore", random.Random(n)) for n in range(200)}
    assert "Whitmore" not in typos
    assert any(t[:2].lower() != "wh" for t in typos)
    assert all(abs(len(t) - len("Whitmore")) <= 1 for t in typos)


def test_the_cli_regenerates_the_firm_for_another_noise_level(tmp_path: Path) -> None:
    assert tuple(NOISE_LEVELS) == cli.NOISE_LEVELS and cli.DEFAULT_NOISE == DEFAULT_NOISE
    store, generated = cli.ensure_firm(tmp_path, "test", 42, noise="clean")
    assert generated and store.get_state("noise_level") == "clean"
    store.close()
    store, generated = cli.ensure_firm(tmp_path, "test", 42, noise="messy")
    assert generated and store.get_state("noise_level") == "messy"
    store.close()


def test_the_cli_serves_the_firm_the_store_holds_when_not_told_otherwise(tmp_path: Path, capsys) -> None:
    store, generated = cli.ensure_firm(tmp_path, "test", 7, noise="clean")
    store.close()
    store, generated = cli.ensure_firm(tmp_path)
    assert generated is False
    assert (store.get_state("size"), store.get_state("seed"), store.get_state("noise_level")) == ("test", "7", "clean")
    store.close()
    assert "generating" not in capsys.readouterr().out


def test_the_cli_says_so_when_another_firm_replaces_the_held_one(tmp_path: Path, capsys) -> None:
    cli.ensure_firm(tmp_path, "test", 7, noise="clean")[0].close()
    capsys.readouterr()
    store, generated = cli.ensure_firm(tmp_path, seed=8)
    assert generated and (store.get_state("size"), store.get_state("seed")) == ("test", "8")
    store.close()
    notice = " ".join(capsys.readouterr().out.split())
    assert "holds the test firm (seed 7, clean); generating the test firm (seed 8, clean) in its place" in notice


def test_the_cli_generates_the_default_firm_into_an_empty_store(tmp_path: Path) -> None:
    store, generated = cli.ensure_firm(tmp_path, size="test")
    assert generated and (store.get_state("seed"), store.get_state("noise_level")) == ("42", DEFAULT_NOISE)
    store.close()

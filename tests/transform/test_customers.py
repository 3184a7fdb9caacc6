"""The canonical model on the demo firm, scored against the simulator's ground truth: customer
matching precision and recall, every injected drift caught by its check and nothing consistent
flagged, stable golden ids, survivorship by the ownership file, stewards overriding the
algorithm, and exceptions resolved rather than deleted."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from sandboxes.simulator.scoring import MatchingScores, score_matching

from core.warehouse import Warehouse
from tests.firm import LandedFirm, awaiting_a_steward, built_copy, land_firm
from transform.build import build, build_matching_inputs
from transform.matching import match_customers

pytestmark = pytest.mark.minutes(7)  # about this many on two cores

# Which check and field catches each kind of customer drift the simulator injects.
DRIFT_CHECKS = {
    "name_mismatch": ("customer_attribute_drift", {"legal_name"}),
    "address_mismatch": ("customer_attribute_drift", {"billing_street", "billing_city", "billing_postal_code"}),
    "currency_mismatch": ("customer_attribute_drift", {"currency_code"}),
    "terms_mismatch": ("customer_attribute_drift", {"payment_terms"}),
    "missing_tax_id": ("customer_attribute_drift", {"tax_id"}),
    "unlinked_customer": ("customer_missing_cross_reference", {"cross_reference"}),
    "duplicate_account": ("duplicate_customer", {"record"}),
    "stale_rate": ("stale_rate", {"hourly_rate"}),
    "orphan_project": ("orphan_project", {"opportunity_id"}),
    "unbilled_time": ("unbilled_time", {"charge"}),
    "wrong_legal_entity": ("wrong_legal_entity", {"legal_entity"}),
}
# A check with no drift type of its own: won deals the simulator has not provisioned yet (it
# provisions a deal 30 days after the win) are real backlog, not injected drift.
CHECKS_WITHOUT_DRIFT = {"won_opportunity_not_provisioned"}


def golden_ids(firm: LandedFirm) -> dict[str, str]:
    return dict(firm.warehouse.query("SELECT record_key, golden_customer_id FROM canonical.customer_xref"))


def matching_scores(warehouse: Warehouse, truth: dict) -> MatchingScores:
    """The clusters and review queue the matching wrote, scored against the simulator's truth."""
    cluster_of = dict(warehouse.query("SELECT record_key, cluster_key FROM matching.customer_clusters"))
    reviews = warehouse.query(
        "SELECT record_key_a, record_key_b FROM matching.customer_pairs WHERE decision = 'review'"
    )
    return score_matching(truth, cluster_of, reviews)


def assert_matching_meets_its_targets(scores: MatchingScores) -> None:
    print(scores)
    assert scores.precision >= 0.99
    assert scores.recall >= 0.97
    assert scores.false_friends_merged == 0
    assert scores.review_share <= 0.03
    assert scores.true_share_of_review >= 0.5


def test_customer_matching_holds_on_the_messy_demo_firm(built_demo_firm: LandedFirm) -> None:
    # The demo firm is messy: duplicates and unlinked ERP customers have lost their identifiers.
    assert built_demo_firm.truth["summary"]["noise"]["level"] == "messy_no_identifiers"
    assert_matching_meets_its_targets(matching_scores(built_demo_firm.warehouse, built_demo_firm.truth))


def test_customer_matching_holds_on_a_second_messy_firm(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("second_firm")
    firm = land_firm(root, Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb"), seed=7)
    assert build_matching_inputs(firm.warehouse, target_dir=root / "dbt_target").ok
    match_customers(firm.warehouse)
    assert_matching_meets_its_targets(matching_scores(firm.warehouse, firm.truth))


def test_matched_records_share_one_golden_customer(built_demo_firm: LandedFirm) -> None:
    golden_of = golden_ids(built_demo_firm)
    clusters = defaultdict(set)
    for record_key, cluster_key in built_demo_firm.warehouse.query(
        "SELECT record_key, cluster_key FROM matching.customer_clusters"
    ):
        clusters[cluster_key].add(golden_of[record_key])
    assert all(len(ids) == 1 for ids in clusters.values())
    assert len({next(iter(ids)) for ids in clusters.values()}) == len(clusters)


def test_every_injected_drift_is_caught_or_waits_for_a_steward_and_no_consistent_record_is_flagged(
    built_demo_firm: LandedFirm,
) -> None:
    found = defaultdict(set)
    for check, system, record_id, field in built_demo_firm.warehouse.query(
        "SELECT check_name, source_system, source_record_id, field FROM marts.exceptions WHERE is_open",
    ):
        found[(check, system, record_id)].add(field)
    expected = defaultdict(set)
    for drift in built_demo_firm.truth["drift"]:
        if drift["drift_type"] in DRIFT_CHECKS:
            check, fields = DRIFT_CHECKS[drift["drift_type"]]
            expected[(check, drift["system"], str(drift["record_id"]))] |= fields

    # A record the model could not place for sure (a typo in its name, another address, no
    # identifier) waits in the steward's queue; its drift shows once the steward has matched it.
    in_review, _ = awaiting_a_steward(built_demo_firm.warehouse)
    missed = {
        key: fields
        for key, fields in expected.items()
        if not found.get(key, set()) & fields and f"{key[1]}:{key[2]}" not in in_review
    }
    unexpected = {
        key: fields
        for key, fields in found.items()
        if key[0] not in CHECKS_WITHOUT_DRIFT and not fields & expected.get(key, set())
    }
    assert missed == {}
    assert unexpected == {}


def test_exceptions_explain_themselves_in_business_terms(built_demo_firm: LandedFirm) -> None:
    reasons = built_demo_firm.warehouse.query(
        "SELECT reason FROM marts.exceptions WHERE check_name = 'customer_attribute_drift' AND field = 'payment_terms'",
    )

    assert reasons
    assert all("payment terms" in reason and "salesforce" in reason for (reason,) in reasons)


def test_each_golden_attribute_comes_from_its_authority_then_its_fallback(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    [(golden_id, account_id, customer_id)] = firm.warehouse.query(
        """
        SELECT a.golden_customer_id, a.source_record_id, n.source_record_id
        FROM canonical.customer_xref a
        JOIN canonical.customer_xref n ON n.golden_customer_id = a.golden_customer_id AND n.source_system = 'netsuite'
        WHERE a.source_system = 'salesforce' AND a.is_anchor
        ORDER BY a.golden_customer_id LIMIT 1
        """,
    )
    [(crm_name,)] = firm.warehouse.query(f"SELECT name FROM raw_salesforce.account WHERE id = '{account_id}'")
    assert firm.warehouse.query(
        f"SELECT legal_name, legal_name_source FROM canonical.customers WHERE golden_customer_id = '{golden_id}'",
    ) == [(crm_name, f"salesforce:{account_id}")]

    firm.warehouse.execute(f"UPDATE raw_salesforce.account SET billing_city = NULL WHERE id = '{account_id}'")
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok

    [(erp_city,)] = firm.warehouse.query(f"SELECT billing_city FROM raw_netsuite.customer WHERE id = {customer_id}")
    assert firm.warehouse.query(
        f"SELECT billing_city, billing_city_source FROM canonical.customers WHERE golden_customer_id = '{golden_id}'",
    ) == [(erp_city, f"netsuite:{customer_id}")]


def test_golden_ids_survive_rebuilds_new_links_and_attribute_changes(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    # Build first without one PSA client (as if it had not been created yet).
    firm = built_copy(landed_demo_firm, tmp_path / "first")
    [(client_id, its_golden_id)] = firm.warehouse.query(
        "SELECT source_record_id, golden_customer_id FROM canonical.customer_xref "
        "WHERE source_system = 'harvest' AND match_method = 'cross_reference' ORDER BY 1 LIMIT 1",
    )
    before_everything = golden_ids(firm)
    firm.warehouse.execute(
        "UPDATE raw_harvest.clients SET _concord_is_deleted = true, _concord_deleted_at = _concord_extracted_at "
        f"WHERE id = {client_id}",
    )
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok
    without_client = golden_ids(firm)

    # The client arrives and links to its customer; an account is renamed; then a rebuild from scratch.
    firm.warehouse.execute(
        f"UPDATE raw_harvest.clients SET _concord_is_deleted = false, _concord_deleted_at = NULL WHERE id = {client_id}",
    )
    firm.warehouse.execute(
        "UPDATE raw_salesforce.account SET name = name || ' (renamed)' WHERE id IN "
        "(SELECT id FROM raw_salesforce.account ORDER BY id LIMIT 3)",
    )
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok
    after_link = golden_ids(firm)
    rebuilt = built_copy(landed_demo_firm, tmp_path / "scratch")

    assert {k: v for k, v in after_link.items() if k in without_client} == without_client
    assert after_link[f"harvest:{client_id}"] == its_golden_id
    assert golden_ids(rebuilt) == before_everything


def test_a_steward_decision_overrides_the_algorithm(landed_demo_firm: LandedFirm, tmp_path: Path) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    [(account_key, customer_key)] = firm.warehouse.query(
        """
        SELECT a.record_key, n.record_key FROM canonical.customer_xref a
        JOIN canonical.customer_xref n ON n.golden_customer_id = a.golden_customer_id AND n.source_system = 'netsuite'
        WHERE a.source_system = 'salesforce' AND a.is_anchor AND n.match_method = 'cross_reference'
        ORDER BY 1 LIMIT 1
        """,
    )
    [(other_key,)] = firm.warehouse.query(
        "SELECT record_key FROM canonical.customer_xref WHERE source_system = 'harvest' "
        f"AND golden_customer_id <> (SELECT golden_customer_id FROM canonical.customer_xref "
        f"WHERE record_key = '{account_key}') ORDER BY 1 LIMIT 1",
    )
    firm.warehouse.execute(
        "INSERT INTO governance.steward_match_decisions (record_key_a, record_key_b, decision, decided_by) VALUES "
        f"('{account_key}', '{customer_key}', 'no_match', 'test'), ('{other_key}', '{account_key}', 'match', 'test')",
    )
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok

    after = golden_ids(firm)
    assert after[account_key] != after[customer_key]
    assert after[other_key] == after[account_key]
    assert firm.warehouse.query(
        f"SELECT match_method FROM canonical.customer_xref WHERE record_key = '{other_key}'"
    ) == [("steward",)]


def test_a_steward_no_match_holds_after_golden_ids_were_written_back_and_a_later_match_undoes_it(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    [(golden_id, account_key, account_id, customer_key, customer_id)] = firm.warehouse.query(
        """
        SELECT a.golden_customer_id, a.record_key, a.source_record_id, n.record_key, n.source_record_id
        FROM canonical.customer_xref a
        JOIN canonical.customer_xref n ON n.golden_customer_id = a.golden_customer_id AND n.source_system = 'netsuite'
        WHERE a.source_system = 'salesforce' AND a.is_anchor AND n.match_method = 'cross_reference'
        ORDER BY 1 LIMIT 1
        """,
    )
    # The write-back stamped the golden id on both records.
    firm.warehouse.execute(
        f"UPDATE raw_salesforce.account SET concord_golden_id__c = '{golden_id}' WHERE id = '{account_id}'"
    )
    firm.warehouse.execute(
        f"UPDATE raw_netsuite.customer SET custentity_concord_golden_id = '{golden_id}' WHERE id = {customer_id}"
    )
    decide = (
        "INSERT INTO governance.steward_match_decisions (record_key_a, record_key_b, decision, decided_by, decided_at) "
        "VALUES ('{}', '{}', '{}', '{}', TIMESTAMP '{}')"
    )
    firm.warehouse.execute(decide.format(customer_key, account_key, "no_match", "ana", "2026-11-02 09:00:00"))
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok

    split = golden_ids(firm)
    assert split[account_key] == golden_id
    assert split[customer_key] != golden_id
    assert firm.warehouse.query(
        "SELECT desired_value FROM marts.sync_netsuite__customers "
        f"WHERE target_record_id = '{customer_id}' AND field = 'golden_customer_id'"
    ) == [(split[customer_key],)]

    firm.warehouse.execute(decide.format(account_key, customer_key, "match", "ben", "2026-11-03 09:00:00"))
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok

    merged = golden_ids(firm)
    assert merged[customer_key] == merged[account_key] == golden_id
    assert firm.warehouse.query(
        "SELECT decision, decided_by FROM intermediate.int_customer_pairs_scored "
        f"WHERE record_key_a = '{min(account_key, customer_key)}' AND record_key_b = '{max(account_key, customer_key)}'"
    ) == [("match", "ben")]


def test_a_problem_that_disappears_is_marked_resolved_not_deleted(landed_demo_firm: LandedFirm, tmp_path: Path) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    [(exception_id, customer_id, expected)] = firm.warehouse.query(
        "SELECT exception_id, source_record_id, expected_value FROM marts.exceptions "
        "WHERE check_name = 'customer_attribute_drift' AND field = 'legal_name' AND source_system = 'netsuite' "
        "ORDER BY 1 LIMIT 1",
    )
    escaped = expected.replace("'", "''")
    firm.warehouse.execute(f"UPDATE raw_netsuite.customer SET companyname = '{escaped}' WHERE id = {customer_id}")
    assert build(firm.warehouse, target_dir=tmp_path / "dbt_target").ok

    [(is_open, resolved_at, first_seen_at, last_seen_at)] = firm.warehouse.query(
        f"SELECT is_open, resolved_at, first_seen_at, last_seen_at FROM marts.exceptions WHERE exception_id = '{exception_id}'",
    )
    assert not is_open
    assert resolved_at is not None and first_seen_at <= last_seen_at <= resolved_at

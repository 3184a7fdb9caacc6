"""The reverse-ETL sync models (marts.sync_*) on the demo firm, scored against the simulator's
ground truth: every injected attribute drift in a system that receives the attribute becomes a
write of the CRM's value, no consistent customer gets a write, ids are stamped where a system
lacks them, a won deal's customer missing from the ERP is created once, and records a person
must deduplicate first are left alone."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.firm import LandedFirm, awaiting_a_steward, built_copy
from transform.build import build

ATTRIBUTE_FIELDS = {
    "legal_name",
    "billing_street",
    "billing_city",
    "billing_postal_code",
    "billing_country",
    "currency_code",
    "payment_terms",
}
SYNC_OF_SYSTEM = {"netsuite": "marts.sync_netsuite__customers", "harvest": "marts.sync_harvest__customers"}


def injected_writes(truth: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    """(system, record id, field) -> the CRM's value, for every attribute drift the simulator injected
    into a system that receives the attribute."""
    writes: dict[tuple[str, str, str], str] = {}
    for drift in truth["drift"]:
        system, record_id, detail = drift["system"], str(drift["record_id"]), drift["detail"]
        if drift["drift_type"] == "name_mismatch":
            writes[(system, record_id, "legal_name")] = detail["crm_name"]
        elif drift["drift_type"] in ("terms_mismatch", "currency_mismatch"):
            field = "payment_terms" if drift["drift_type"] == "terms_mismatch" else "currency_code"
            writes[(system, record_id, field)] = detail["crm"]
        elif drift["drift_type"] == "address_mismatch":
            for part, field in (("street", "billing_street"), ("city", "billing_city"), ("zip", "billing_postal_code")):
                if detail["crm"][part] != detail["erp"][part]:
                    writes[(system, record_id, field)] = detail["crm"][part]
    return writes


def attribute_updates(firm: LandedFirm) -> dict[tuple[str, str, str], str]:
    """(system, record id, field) -> desired value, for every attribute update the customer syncs plan."""
    fields = ", ".join(f"'{field}'" for field in sorted(ATTRIBUTE_FIELDS))
    return {
        (system, record_id, field): desired
        for system, model in SYNC_OF_SYSTEM.items()
        for record_id, field, desired in firm.warehouse.query(
            f"SELECT target_record_id, field, desired_value FROM {model} "
            f"WHERE operation = 'update' AND field IN ({fields})",
        )
    }


def test_every_injected_attribute_drift_is_written_back_with_the_crms_value(built_demo_firm: LandedFirm) -> None:
    expected = injected_writes(built_demo_firm.truth)
    planned = attribute_updates(built_demo_firm)
    in_review, _ = awaiting_a_steward(built_demo_firm.warehouse)

    missed = {
        key: value
        for key, value in expected.items()
        if planned.get(key) != value and f"{key[0]}:{key[1]}" not in in_review
    }
    print(f"customer attribute writes: {len(planned)} planned, {len(expected)} injected drifts")
    assert {system for system, _, _ in expected} == {"netsuite", "harvest"}
    assert missed == {}


def test_no_consistent_customer_gets_an_attribute_write(built_demo_firm: LandedFirm) -> None:
    expected = injected_writes(built_demo_firm.truth)

    false_writes = {key: value for key, value in attribute_updates(built_demo_firm).items() if key not in expected}

    assert false_writes == {}


def test_a_value_differing_only_in_formatting_is_not_written_but_a_real_change_is(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = built_copy(landed_demo_firm, tmp_path)
    planned_fields = "SELECT field FROM marts.sync_netsuite__customers WHERE target_record_id = '{}' ORDER BY field"
    [(customer_id,)] = firm.warehouse.query(
        """
        SELECT s.target_record_id FROM marts.sync_netsuite__customers AS s
        JOIN staging.stg_netsuite__customers AS c ON c.customer_id = s.target_record_id
        WHERE s.operation = 'update' AND c.tax_id IS NOT NULL AND c.billing_postal_code LIKE '% %'
        GROUP BY s.target_record_id HAVING max(s.field) = 'golden_customer_id' AND min(s.field) = 'golden_customer_id'
        ORDER BY 1 LIMIT 1
        """,
    )

    firm.warehouse.execute(
        "UPDATE raw_netsuite.customer SET companyname = ' ' || replace(companyname, ' ', '  ') || ' ', "
        "vatregnumber = lower(vatregnumber) || ' ', billing_zip = replace(billing_zip, ' ', ''), billing_city = 'Nowhere' "
        f"WHERE id = {customer_id}",
    )
    assert build(firm.warehouse, select="+sync_netsuite__customers", target_dir=tmp_path / "dbt_target").ok

    assert firm.warehouse.query(planned_fields.format(customer_id)) == [("billing_city",), ("golden_customer_id",)]


def test_erp_customers_missing_the_crm_account_id_get_it_stamped(built_demo_firm: LandedFirm) -> None:
    firm = built_demo_firm
    unlinked = {
        str(drift["record_id"]): drift["detail"]["account_id"]
        for drift in firm.truth["drift"]
        if drift["drift_type"] == "unlinked_customer"
    }
    accounts_per_client = {
        entity: sum(1 for system, _, _ in records if system == "salesforce")
        for entity, records in firm.truth["entity_map"]["client"].items()
    }
    client_of_customer = {
        record_id: entity
        for entity, records in firm.truth["entity_map"]["client"].items()
        for system, _, record_id in records
        if system == "netsuite"
    }
    # A client with two CRM accounts is a person's to resolve: which account id to stamp is open.
    expected = {
        customer_id: account_id
        for customer_id, account_id in unlinked.items()
        if accounts_per_client[client_of_customer[customer_id]] == 1
    }

    stamped = dict(
        firm.warehouse.query(
            "SELECT target_record_id, desired_value FROM marts.sync_netsuite__customers "
            "WHERE operation = 'update' AND field = 'salesforce_account_id'",
        )
    )

    assert expected
    assert stamped == expected


def test_every_synced_record_is_stamped_with_its_golden_id_once(built_demo_firm: LandedFirm) -> None:
    for model in ("marts.sync_netsuite__customers", "marts.sync_salesforce__customers"):
        rows = built_demo_firm.warehouse.query(
            f"SELECT sync_key, golden_id, desired_value, current_value FROM {model} WHERE field = 'golden_customer_id'",
        )

        assert rows
        assert all(desired == golden_id and current is None for _, golden_id, desired, current in rows)
        assert len({sync_key for sync_key, _, _, _ in rows}) == len(rows)


def test_a_won_customer_without_an_erp_customer_is_created_in_its_deals_subsidiary(
    built_demo_firm: LandedFirm,
) -> None:
    firm = built_demo_firm
    creates: dict[str, dict[str, str]] = defaultdict(dict)
    for sync_key, golden_id, external_id, target_record_id, field, desired in firm.warehouse.query(
        "SELECT sync_key, golden_id, external_id, target_record_id, field, desired_value "
        "FROM marts.sync_netsuite__customers WHERE operation = 'create'",
    ):
        assert (sync_key, external_id, target_record_id) == (f"golden:{golden_id}", golden_id, None)
        creates[golden_id][field] = desired
    latest_won: dict[str, tuple[Any, str, str]] = {}
    for golden_id, won_at, opportunity_id, legal_entity_id in firm.warehouse.query(
        """
        SELECT o.golden_customer_id, o.won_at, o.opportunity_id, o.legal_entity_id
        FROM canonical.opportunities AS o
        JOIN canonical.customers AS c ON c.golden_customer_id = o.golden_customer_id
        WHERE o.is_won AND c.netsuite_record_count = 0
        """,
    ):
        if golden_id not in latest_won or (won_at, opportunity_id) > latest_won[golden_id][:2]:
            latest_won[golden_id] = (won_at, opportunity_id, legal_entity_id)
    # A customer waiting for a steward may already have its ERP customer (the one in review).
    _, in_review = awaiting_a_steward(firm.warehouse)
    won_without_erp = {
        golden_id: legal_entity_id
        for golden_id, (_, _, legal_entity_id) in latest_won.items()
        if golden_id not in in_review
    }
    subsidiaries = {str(entity["id"]) for entity in firm.truth["legal_entities"]}

    assert won_without_erp
    assert {golden_id: values["legal_entity_id"] for golden_id, values in creates.items()} == won_without_erp
    assert all(values["legal_entity_id"] in subsidiaries for values in creates.values())
    assert all({"legal_name", "currency_code", "golden_customer_id"} <= values.keys() for values in creates.values())


def test_records_of_a_client_with_a_duplicate_in_their_system_are_not_written(built_demo_firm: LandedFirm) -> None:
    duplicated_accounts = {
        account_id
        for drift in built_demo_firm.truth["drift"]
        if drift["drift_type"] == "duplicate_account"
        for account_id in (drift["record_id"], drift["detail"]["original_id"])
    }

    written = {
        account_id
        for (account_id,) in built_demo_firm.warehouse.query(
            "SELECT DISTINCT target_record_id FROM marts.sync_salesforce__customers"
        )
    }

    assert duplicated_accounts
    assert written
    assert written & duplicated_accounts == set()


def test_ar_balance_is_the_open_invoices_remaining_amount_and_status_follows_due_dates(
    built_demo_firm: LandedFirm,
) -> None:
    # Customers invoiced only in their account's currency, so no conversion is involved.
    rows = built_demo_firm.warehouse.query(
        """
        WITH as_of AS (
            SELECT CAST(max(changed_at) AS DATE) AS as_of_date FROM (
                SELECT max(updated_at) AS changed_at FROM staging.stg_harvest__time_entries
                UNION ALL SELECT max(updated_at) FROM staging.stg_salesforce__opportunities
            ) AS latest
        ),
        open_invoices AS (
            SELECT golden_customer_id, currency_code, amount_remaining, due_date
            FROM canonical.invoices WHERE NOT is_paid AND amount_remaining > 0
        )
        SELECT
            s.target_record_id,
            max(CASE WHEN s.field = 'ar_balance' THEN s.desired_value END),
            max(CASE WHEN s.field = 'invoice_status' THEN s.desired_value END),
            (SELECT round(sum(amount_remaining), 2) FROM open_invoices AS o WHERE o.golden_customer_id = s.golden_id),
            (SELECT count(*) FROM open_invoices AS o, as_of
             WHERE o.golden_customer_id = s.golden_id AND o.due_date < as_of.as_of_date)
        FROM marts.sync_salesforce__customers AS s
        JOIN canonical.customers AS c ON c.golden_customer_id = s.golden_id
        WHERE s.field IN ('ar_balance', 'invoice_status')
          AND NOT EXISTS (
            SELECT 1 FROM open_invoices AS o
            WHERE o.golden_customer_id = s.golden_id AND o.currency_code <> c.currency_code
          )
        GROUP BY s.target_record_id, s.golden_id
        """,
    )

    assert len(rows) > 100
    for account_id, balance, status, open_total, overdue in rows:
        assert balance == f"{open_total or 0:.2f}", account_id
        if status is not None:
            expected_status = "Overdue" if overdue else ("Open" if open_total else "Paid")
            assert status == expected_status, account_id


def test_opportunities_receive_the_delivery_status_of_their_psa_project(built_demo_firm: LandedFirm) -> None:
    rows = built_demo_firm.warehouse.query(
        """
        SELECT s.target_record_id, s.desired_value, p.status, p.opportunity_id
        FROM marts.sync_salesforce__projects AS s
        JOIN canonical.projects AS p ON p.golden_project_id = s.golden_id
        WHERE s.field = 'project_status'
        """,
    )

    assert rows
    assert all(desired == status and opportunity_id == target for target, desired, status, opportunity_id in rows)
    assert {desired for _, desired, _, _ in rows} <= {"active", "closed"}

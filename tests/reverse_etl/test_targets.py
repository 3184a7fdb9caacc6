"""The write-back targets against the real sandboxes (a `test`-size firm): updates change
exactly what they are given, creates are idempotent, injected faults are outlasted without
duplicates, the vendor's refusals come back as `validation` Outcomes with its message while
the rest of the batch is written, Harvest's throttle is never hit, and refused credentials
stop the run with a one-line message."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.store import Store

from ingestion.config import HttpSettings
from reverse_etl.targets.base import Outcome, ReadBack, TargetFatalError, Write
from reverse_etl.targets.harvest import HarvestTarget
from reverse_etl.targets.netsuite import NetSuiteTarget
from reverse_etl.targets.salesforce import SalesforceTarget
from tests.reverse_etl.conftest import HARVEST_LIMIT, HARVEST_WINDOW_SECONDS, TargetSandboxes

# 20% of requests fail: 429s, 500s, 503s and dropped connections in equal parts.
FAULTS_20_PERCENT = FaultRates(rate_429=0.05, rate_500=0.05, rate_503=0.05, rate_drop=0.05, retry_after_seconds=0)


def update(record_id: str | int, **values: str | None) -> Write:
    return Write(f"test:{record_id}", "update", str(record_id), None, values)


def create(external_id: str, **values: str | None) -> Write:
    return Write(f"golden:{external_id}", "create", None, external_id, values)


def changed(before: dict[str, Any], after: dict[str, Any], ignore: set[str]) -> dict[str, Any]:
    return {k: after[k] for k in after if k not in ignore and after[k] != before.get(k)}


def harvest_target(vendors: TargetSandboxes, **overrides: Any) -> HarvestTarget:
    return HarvestTarget(
        vendors.harvest_config(**overrides),
        rate_limit_requests=HARVEST_LIMIT,
        rate_limit_window_seconds=HARVEST_WINDOW_SECONDS,
    )


def assert_all_ok(outcomes: list[Outcome]) -> None:
    failed = [(o.sync_key, o.error_category, o.message) for o in outcomes if not o.ok]
    assert failed == []


# -- updates change exactly the given fields ----------------------------------------------------


def test_a_salesforce_update_changes_exactly_the_given_fields(vendors: TargetSandboxes) -> None:
    [(account_id,)] = vendors.sql("salesforce", "SELECT Id FROM Account WHERE IsDeleted = 0 ORDER BY Id LIMIT 1")
    [(opportunity_id,)] = vendors.sql(
        "salesforce", "SELECT Id FROM Opportunity WHERE IsDeleted = 0 ORDER BY Id LIMIT 1"
    )
    account_before = vendors.salesforce_record("Account", account_id)
    opportunity_before = vendors.salesforce_record("Opportunity", opportunity_id)
    target = SalesforceTarget(vendors.salesforce_config())

    [account] = target.write(
        "customer",
        [update(account_id, ar_balance="1234.50", invoice_status="Overdue", harvest_client_id="H-999")],
    )
    [opportunity] = target.write("project", [update(opportunity_id, project_status="At Risk")])

    assert account.ok and opportunity.ok
    assert (account.target_record_id, account.attempts, account.created) == (account_id, 1, False)
    assert account.correlation_id and account.correlation_id != opportunity.correlation_id
    stamps = {"LastModifiedDate", "SystemModstamp"}
    assert changed(account_before, vendors.salesforce_record("Account", account_id), stamps) == {
        "AR_Balance__c": 1234.5,
        "Invoice_Status__c": "Overdue",
        "Harvest_Client_Id__c": "H-999",
    }
    assert changed(opportunity_before, vendors.salesforce_record("Opportunity", opportunity_id), stamps) == {
        "Delivery_Status__c": "At Risk"
    }


def test_a_harvest_update_changes_exactly_the_given_fields(vendors: TargetSandboxes) -> None:
    [(client_id, currency)] = vendors.sql("harvest", "SELECT id, currency FROM clients ORDER BY id LIMIT 1")
    before = vendors.harvest_client(client_id)
    new_currency = "EUR" if currency != "EUR" else "GBP"

    [outcome] = harvest_target(vendors).write(
        "customer", [update(client_id, legal_name="Renamed Client Ltd", currency_code=new_currency)]
    )

    assert outcome.ok and outcome.http_status == 200 and outcome.correlation_id
    after = vendors.harvest_client(client_id)
    assert changed(before, after, {"updated_at"}) == {"name": "Renamed Client Ltd", "currency": new_currency}


def test_a_harvest_target_with_an_expired_oauth_token_refreshes_it_once_and_writes(vendors: TargetSandboxes) -> None:
    [(client_id,)] = vendors.sql("harvest", "SELECT id FROM clients ORDER BY id LIMIT 1")
    s = vendors.cluster.settings.harvest
    oauth = {
        "access_token": "a-previous-runs-expired-token",
        "refresh_token": s.oauth_refresh_token,
        "client_id": s.oauth_client_id,
        "client_secret": s.oauth_client_secret,
        "token_url": f"{vendors.cluster.url('harvest')}/api/v2/oauth2/token",
    }

    [outcome] = harvest_target(vendors, **oauth).write("customer", [update(client_id, legal_name="Refreshed Ltd")])

    assert outcome.ok and outcome.http_status == 200
    assert vendors.harvest_client(client_id)["name"] == "Refreshed Ltd"


def test_a_netsuite_update_changes_exactly_the_given_fields(vendors: TargetSandboxes) -> None:
    [(customer_id,)] = vendors.sql("netsuite", "SELECT id FROM customer WHERE terms != 4 AND currency != 3 LIMIT 1")
    before = vendors.netsuite_customer(customer_id)
    book_before = vendors.netsuite_address_book(customer_id)

    [outcome] = NetSuiteTarget(vendors.netsuite_config()).write(
        "customer",
        [update(customer_id, billing_city="Leeds", payment_terms="Net 60", currency_code="EUR", tax_id=None)],
    )

    assert outcome.ok and outcome.http_status == 204
    assert outcome.target_record_id == str(customer_id)
    after = vendors.netsuite_customer(customer_id)
    diff = changed(before, after, {"lastModifiedDate"})
    assert {k: v.get("id") if isinstance(v, dict) else v for k, v in diff.items()} == {
        "terms": "4",  # Net 60
        "currency": "3",  # EUR
    }
    assert "vatRegNumber" in before and "vatRegNumber" not in after  # empty clears the field
    # The city of the default billing line's address changed, nothing else in the address book.
    book_after = vendors.netsuite_address_book(customer_id)
    assert [line["id"] for line in book_after] == [line["id"] for line in book_before]
    for old, new in zip(book_before, book_after, strict=True):
        old_address, new_address = old.pop("addressBookAddress"), new.pop("addressBookAddress")
        new.pop("addressBookAddress_text", None), old.pop("addressBookAddress_text", None)
        assert new == old
        address_diff = changed(old_address, new_address, {"addrText"})
        assert address_diff == ({"city": "Leeds"} if old["defaultBilling"] else {})


# -- creates are idempotent -------------------------------------------------------------------


def test_a_netsuite_create_run_twice_leaves_one_customer(vendors: TargetSandboxes) -> None:
    target = NetSuiteTarget(vendors.netsuite_config())
    write = create(
        "GC-NS-0001",
        legal_name="Brand New Customer GmbH",
        legal_entity_id="1",
        billing_street="Hauptstrasse 1",
        billing_city="Berlin",
        billing_postal_code="10115",
        billing_country="DE",
        currency_code="EUR",
        payment_terms="Net 30",
        golden_customer_id="GC-NS-0001",
        salesforce_account_id="001000000000NEWAAA",
    )

    [first] = target.write("customer", [write])
    [second] = NetSuiteTarget(vendors.netsuite_config()).write("customer", [write])

    assert (first.ok, first.created, second.ok, second.created) == (True, True, True, False)
    assert first.target_record_id == second.target_record_id
    assert vendors.sql("netsuite", "SELECT COUNT(*) FROM customer WHERE externalid = 'GC-NS-0001'") == [(1,)]
    record = vendors.netsuite_customer(str(first.target_record_id))
    assert record["companyName"] == "Brand New Customer GmbH"
    [line] = vendors.netsuite_address_book(str(first.target_record_id))  # the retry replaced it
    assert line["defaultBilling"] is True
    assert {k: line["addressBookAddress"].get(k) for k in ("addr1", "city", "zip", "country")} == {
        "addr1": "Hauptstrasse 1",
        "city": "Berlin",
        "zip": "10115",
        "country": "DE",
    }
    assert record["subsidiary"]["id"] == "1" and record["currency"]["id"] == "3" and record["terms"]["id"] == "2"
    assert record["custentity_concord_golden_id"] == "GC-NS-0001" and record["externalId"] == "GC-NS-0001"


def test_a_harvest_create_of_a_name_that_exists_updates_that_client(vendors: TargetSandboxes) -> None:
    [(client_id, name)] = vendors.sql("harvest", "SELECT id, name FROM clients ORDER BY id DESC LIMIT 1")
    count_before = vendors.sql("harvest", "SELECT COUNT(*) FROM clients")
    target = harvest_target(vendors)

    [existing, new, again] = target.write(
        "customer",
        [
            create("GC-H-1", legal_name=name.upper(), currency_code="CHF"),
            create("GC-H-2", legal_name="Wholly New Client AG", currency_code="CHF"),
            create("GC-H-2", legal_name="wholly new client ag", currency_code="CHF"),
        ],
    )

    assert (existing.ok, existing.created, existing.target_record_id) == (True, False, str(client_id))
    assert vendors.harvest_client(client_id)["currency"] == "CHF"
    assert (new.ok, new.created, again.ok, again.created) == (True, True, True, False)
    assert again.target_record_id == new.target_record_id
    assert vendors.sql("harvest", "SELECT COUNT(*) FROM clients") == [(count_before[0][0] + 1,)]


def test_a_salesforce_upsert_run_twice_leaves_one_account(vendors: TargetSandboxes) -> None:
    write = create("GC-SF-0001", legal_name="Upserted Account Ltd", netsuite_customer_id="1001")

    [first] = SalesforceTarget(vendors.salesforce_config()).write("customer", [write])
    [second] = SalesforceTarget(vendors.salesforce_config()).write("customer", [write])

    assert (first.ok, first.created, second.ok, second.created) == (True, True, True, False)
    assert first.target_record_id == second.target_record_id
    assert vendors.sql("salesforce", "SELECT COUNT(*) FROM Account WHERE Concord_Golden_Id__c = 'GC-SF-0001'") == [(1,)]
    record = vendors.salesforce_record("Account", str(first.target_record_id))
    assert (record["Name"], record["NetSuite_Customer_Id__c"]) == ("Upserted Account Ltd", "1001")


def test_a_project_cannot_be_created_in_salesforce(vendors: TargetSandboxes) -> None:
    [outcome] = SalesforceTarget(vendors.salesforce_config()).write(
        "project", [create("GP-1", project_status="Active")]
    )
    assert (outcome.ok, outcome.error_category, outcome.attempts) == (False, "validation", 0)


# -- 20% injected faults: everything lands once -----------------------------------------------


def test_salesforce_writes_outlast_20_percent_faults_without_duplicates(vendors: TargetSandboxes) -> None:
    vendors.faults("salesforce", FAULTS_20_PERCENT, seed=11)
    target = SalesforceTarget(vendors.salesforce_config(), batch_size=5)
    writes = [create(f"GC-SF-F{i:03d}", legal_name=f"Fault Account {i:03d}") for i in range(50)]

    outcomes = target.write("customer", writes)

    assert_all_ok(outcomes)
    assert any(o.attempts > 1 for o in outcomes)
    assert vendors.sql(
        "salesforce",
        "SELECT COUNT(*), COUNT(DISTINCT Concord_Golden_Id__c) FROM Account WHERE Name LIKE 'Fault Account %'",
    ) == [(50, 50)]


def test_harvest_writes_outlast_20_percent_faults_without_duplicates(vendors: TargetSandboxes) -> None:
    vendors.faults("harvest", FAULTS_20_PERCENT, seed=12)
    writes = [create(f"GC-H-F{i:03d}", legal_name=f"Fault Client {i:03d}", currency_code="EUR") for i in range(50)]

    outcomes = harvest_target(vendors).write("customer", writes)

    assert_all_ok(outcomes)
    assert all(o.created for o in outcomes)
    assert any(o.attempts > 1 for o in outcomes)
    assert vendors.sql(
        "harvest", "SELECT COUNT(*), COUNT(DISTINCT name) FROM clients WHERE name LIKE 'Fault Client %'"
    ) == [(50, 50)]


def test_netsuite_writes_outlast_20_percent_faults_without_duplicates(vendors: TargetSandboxes) -> None:
    vendors.faults("netsuite", FAULTS_20_PERCENT, seed=13)
    writes = [
        create(f"GC-NS-F{i:03d}", legal_name=f"Fault Customer {i:03d}", legal_entity_id="2", currency_code="GBP")
        for i in range(50)
    ]

    outcomes = NetSuiteTarget(vendors.netsuite_config()).write("customer", writes)

    assert_all_ok(outcomes)
    assert any(o.attempts > 1 for o in outcomes)
    assert len({o.target_record_id for o in outcomes}) == 50
    assert vendors.sql(
        "netsuite", "SELECT COUNT(*), COUNT(DISTINCT externalid) FROM customer WHERE externalid LIKE 'GC-NS-F%'"
    ) == [(50, 50)]


# -- refused values: a validation Outcome with the vendor's message, the rest written -----------


def test_salesforce_reports_a_refused_value_and_writes_the_rest(vendors: TargetSandboxes) -> None:
    ids = [
        i
        for (i,) in vendors.sql("salesforce", "SELECT Id FROM Account WHERE IsDeleted = 0 ORDER BY Id LIMIT 3 OFFSET 3")
    ]
    writes = [
        update(ids[0], invoice_status="Current"),
        update(ids[1], netsuite_customer_id="9" * 60),  # the field holds 50 characters
        update(ids[2], invoice_status="Current"),
        update(ids[2], ar_balance="not a number"),
    ]

    ok1, refused, ok2, unconvertible = SalesforceTarget(vendors.salesforce_config()).write("customer", writes)

    assert ok1.ok and ok2.ok
    assert (refused.ok, refused.error_category, refused.extra["vendor_code"]) == (
        False,
        "validation",
        "STRING_TOO_LONG",
    )
    assert "NetSuite_Customer_Id__c" in str(refused.message)
    assert (unconvertible.error_category, unconvertible.attempts) == ("validation", 0)
    assert vendors.salesforce_record("Account", ids[2])["Invoice_Status__c"] == "Current"


def test_harvest_reports_a_refused_value_and_writes_the_rest(vendors: TargetSandboxes) -> None:
    ids = [i for (i,) in vendors.sql("harvest", "SELECT id FROM clients ORDER BY id LIMIT 3 OFFSET 2")]

    outcomes = harvest_target(vendors).write(
        "customer",
        [
            update(ids[0], currency_code="USD"),
            update(ids[1], currency_code="EURO"),
            update(ids[2], currency_code="USD"),
        ],
    )

    assert [o.ok for o in outcomes] == [True, False, True]
    refused = outcomes[1]
    assert (refused.error_category, refused.http_status, refused.attempts) == ("validation", 422, 1)
    assert "urrency" in str(refused.message)
    assert vendors.harvest_client(ids[2])["currency"] == "USD"


def test_netsuite_reports_refused_values_and_writes_the_rest(vendors: TargetSandboxes) -> None:
    ids = [i for (i,) in vendors.sql("netsuite", "SELECT id FROM customer ORDER BY id LIMIT 2 OFFSET 5")]

    outcomes = NetSuiteTarget(vendors.netsuite_config()).write(
        "customer",
        [
            update(ids[0], billing_postal_code="LS1 1AA"),
            create("GC-NS-BAD", legal_name="No Such Subsidiary Ltd", legal_entity_id="999"),
            update(ids[1], currency_code="XXX"),
            update(ids[1], billing_postal_code="LS2 2BB"),
        ],
    )

    assert [o.ok for o in outcomes] == [True, False, False, True]
    vendor_refusal, unknown_currency = outcomes[1], outcomes[2]
    assert (vendor_refusal.error_category, vendor_refusal.http_status) == ("validation", 400)
    assert "INVALID_CONTENT" in str(vendor_refusal.message) and "subsidiary" in str(vendor_refusal.message)
    assert (unknown_currency.error_category, unknown_currency.attempts) == ("validation", 0)
    assert "XXX" in str(unknown_currency.message)
    assert vendors.netsuite_billing_address(ids[1])["zip"] == "LS2 2BB"


def test_a_netsuite_billing_address_goes_to_a_new_default_billing_line_when_there_is_none(
    vendors: TargetSandboxes,
) -> None:
    [(customer_id,)] = vendors.sql("netsuite", "SELECT id FROM customer ORDER BY id LIMIT 1 OFFSET 9")
    store = Store(vendors.store_dir)
    try:
        with store.transaction("netsuite") as conn:  # the customer's default billing line is unset
            conn.execute("UPDATE customeraddressbook SET defaultbilling = 'F' WHERE entity = ?", (customer_id,))
            conn.execute("UPDATE customer SET defaultbillingaddress = NULL WHERE id = ?", (customer_id,))
    finally:
        store.close()
    lines_before = len(vendors.netsuite_address_book(customer_id))
    write = update(customer_id, billing_street="5 New Lane", billing_city="Bath", billing_postal_code="BA1 1AA")

    [outcome] = NetSuiteTarget(vendors.netsuite_config()).write("customer", [write])

    assert outcome.ok
    assert len(vendors.netsuite_address_book(customer_id)) == lines_before + 1
    address = vendors.netsuite_billing_address(customer_id)
    assert (address["addr1"], address["city"], address["zip"]) == ("5 New Lane", "Bath", "BA1 1AA")
    # What the connector lands (SuiteQL, through customer.defaultbillingaddress) is the written address.
    [(landed,)] = vendors.sql(
        "netsuite",
        "SELECT a.addr1 FROM customer c LEFT JOIN entityaddress a ON a.nkey = c.defaultbillingaddress WHERE c.id = ?",
        customer_id,
    )
    assert landed == "5 New Lane"


def test_an_update_of_a_record_that_is_gone_is_not_found(vendors: TargetSandboxes) -> None:
    [harvest] = harvest_target(vendors).write("customer", [update(999999, legal_name="Ghost")])
    [netsuite] = NetSuiteTarget(vendors.netsuite_config()).write("customer", [update(999999, legal_name="Ghost")])
    [salesforce] = SalesforceTarget(vendors.salesforce_config()).write(
        "customer", [update("0015g00000009ZZAAY", invoice_status="Current")]
    )
    assert [o.error_category for o in (harvest, netsuite, salesforce)] == ["not_found"] * 3


# -- Harvest's throttle ------------------------------------------------------------------------


def test_harvest_paces_a_backlog_under_the_rate_limit_without_a_single_429(vendors: TargetSandboxes) -> None:
    clients = vendors.sql("harvest", "SELECT id, name FROM clients WHERE name NOT LIKE 'Fault Client %' ORDER BY id")
    writes = [update(cid, legal_name=f"{name} v{round_}") for round_ in range(10) for cid, name in clients[:15]]
    assert len(writes) == 150
    time.sleep(HARVEST_WINDOW_SECONDS)  # let the earlier tests' requests age out of the window
    started = time.monotonic()

    outcomes = harvest_target(vendors).write("customer", writes)

    elapsed = time.monotonic() - started
    assert_all_ok(outcomes)
    assert {o.attempts for o in outcomes} == {1}  # not one request was throttled and retried
    assert elapsed >= (len(writes) / HARVEST_LIMIT - 1) * HARVEST_WINDOW_SECONDS
    assert vendors.harvest_client(clients[0][0])["name"] == f"{clients[0][1]} v9"


# -- refused credentials ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_target", "hint"),
    [
        (lambda v: SalesforceTarget(v.salesforce_config(username="wrong")), "SOURCES__SALESFORCE__USERNAME"),
        (lambda v: harvest_target(v, access_token="wrong"), "SOURCES__HARVEST__ACCESS_TOKEN"),
        (lambda v: NetSuiteTarget(v.netsuite_config(certificate_id="wrong")), "SOURCES__NETSUITE__CERTIFICATE_ID"),
    ],
    ids=["salesforce", "harvest", "netsuite"],
)
def test_refused_credentials_stop_with_a_one_line_message(vendors: TargetSandboxes, make_target, hint: str) -> None:  # type: ignore[no-untyped-def]
    target = make_target(vendors)
    with pytest.raises(TargetFatalError) as refused:
        target.write("customer", [update("1", legal_name="Anything")])
    message = str(refused.value)
    assert hint in message and "\n" not in message
    assert "wrong" not in message  # the refused secret is never echoed


def test_writable_fields_are_the_mapped_canonical_fields() -> None:
    from ingestion.config import HarvestConfig, NetSuiteConfig, SalesforceConfig

    assert SalesforceTarget(SalesforceConfig()).writable_fields() == {
        "customer": frozenset(
            {
                "legal_name",
                "ar_balance",
                "invoice_status",
                "netsuite_customer_id",
                "harvest_client_id",
                "golden_customer_id",
            }
        ),
        "project": frozenset({"project_status"}),
    }
    assert HarvestTarget(HarvestConfig()).writable_fields() == {
        "customer": frozenset({"legal_name", "currency_code", "billing_address"}),
        "project": frozenset({"project_name", "project_code", "harvest_client_id", "budget", "hourly_rate"}),
    }
    assert NetSuiteTarget(NetSuiteConfig()).writable_fields()["customer"] >= {
        "legal_name",
        "billing_street",
        "billing_city",
        "billing_postal_code",
        "billing_country",
        "currency_code",
        "payment_terms",
        "tax_id",
        "golden_customer_id",
        "salesforce_account_id",
        "legal_entity_id",
    }


# -- NetSuite's concurrency limit (5 in flight in the sandbox) ----------------------------------


def test_netsuite_stays_under_the_concurrency_limit_and_backs_off_when_over_it(vendors: TargetSandboxes) -> None:
    ids = [
        i for (i,) in vendors.sql("netsuite", "SELECT id FROM customer WHERE externalid NOT LIKE 'GC-%' ORDER BY id")
    ]
    writes = [update(cid, billing_city=f"City {round_}") for round_ in range(8) for cid in ids]

    # Twelve in flight against five slots: each row may meet many 429s on a busy machine, so
    # this target may retry longer than the fast test default before it must succeed.
    patient = HttpSettings(max_attempts=40, backoff_factor=0.02, max_retry_delay_seconds=0.5, timeout_seconds=15)

    within = NetSuiteTarget(vendors.netsuite_config(), max_in_flight=4).write("customer", writes)
    over = NetSuiteTarget(vendors.netsuite_config(http=patient), max_in_flight=12).write("customer", writes)

    assert_all_ok(within + over)
    assert {o.attempts for o in within} == {1}
    assert any(o.attempts > 1 for o in over)  # 429 CONCURRENCY_LIMIT_EXCEEDED, retried after a backoff


# -- reading back what a write sent (how a killed run's in_flight writes are settled) --------


def test_salesforce_confirms_an_upserted_account_by_its_golden_id_and_nothing_it_does_not_hold(
    vendors: TargetSandboxes,
) -> None:
    target = SalesforceTarget(vendors.salesforce_config())
    written = create("GC-SF-RB-1", legal_name="Read Back Account Ltd", ar_balance="10.50")
    [outcome] = target.write("customer", [written])

    found = target.confirm(
        "customer",
        [
            written,
            create("GC-SF-RB-NEVER", legal_name="Never Written Ltd"),
            update(str(outcome.target_record_id), ar_balance="99.00"),
        ],
    )

    assert found == [
        ReadBack(True, outcome.target_record_id),
        ReadBack(False),
        ReadBack(False, outcome.target_record_id),
    ]


def test_netsuite_confirms_a_customer_by_its_external_id_with_its_billing_address(vendors: TargetSandboxes) -> None:
    target = NetSuiteTarget(vendors.netsuite_config())
    written = create(
        "GC-NS-RB-1", legal_name="Read Back GmbH", legal_entity_id="1", billing_city="Hamburg", currency_code="EUR"
    )
    [outcome] = target.write("customer", [written])

    found = target.confirm(
        "customer",
        [
            written,
            create("GC-NS-RB-NEVER", legal_name="Never Written GmbH", legal_entity_id="1"),
            update(str(outcome.target_record_id), billing_city="Bremen"),
        ],
    )

    assert [f.holds if f else None for f in found] == [True, False, False]
    assert found[0] == ReadBack(True, outcome.target_record_id)


def test_harvest_confirms_a_client_by_its_name_and_a_project_by_its_code_with_its_rates(
    vendors: TargetSandboxes,
) -> None:
    [(client_id,)] = vendors.sql("harvest", "SELECT MIN(id) FROM clients")
    target = harvest_target(vendors)
    client = create("GC-H-RB-1", legal_name="Read Back Client AG", currency_code="CHF")
    project = Write(
        "golden:PRJ-RB-1",
        "create",
        None,
        "RB-1",
        {
            "project_name": "Read back",
            "project_code": "RB-1",
            "harvest_client_id": str(client_id),
            "budget": "40.00",
            "hourly_rate": '{"Analyst": "150.00"}',
        },
    )
    [client_written] = target.write("customer", [client])
    [project_written] = target.write("project", [project])

    clients_found = target.confirm("customer", [client, create("GC-H-RB-NEVER", legal_name="Never Written AG")])
    other_rate = Write(project.sync_key, "create", None, "RB-1", {**project.values, "hourly_rate": '{"Analyst": "1"}'})
    projects_found = target.confirm("project", [project, other_rate])

    assert clients_found == [ReadBack(True, client_written.target_record_id), ReadBack(False)]
    assert projects_found == [
        ReadBack(True, project_written.target_record_id),
        ReadBack(False, project_written.target_record_id),
    ]

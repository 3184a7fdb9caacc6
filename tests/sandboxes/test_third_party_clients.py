"""An unmodified third-party vendor client works against the sandbox over HTTPS.

simple-salesforce is the most used Python Salesforce client; it only speaks https, builds
its own URLs and parses the vendor's error bodies into its own exceptions. If it works
here unchanged, a connector tested against the sandbox is talking real Salesforce.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import requests
from sandboxes.salesforce.keys import jwt_bearer_form, key_files
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceMalformedRequest


@pytest.fixture
def salesforce(start_sandboxes) -> Iterator[Salesforce]:
    cluster = start_sandboxes(systems=("salesforce",), tls=True)
    settings = cluster.settings.salesforce
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
    session.verify = str(cluster.tls_files.ca_cert)
    # A session obtained by the JWT bearer flow, as an integration does (simple-salesforce's own
    # JWT login builds https://{domain}.salesforce.com, which cannot name a loopback server).
    key = key_files(cluster.settings.store_dir).private_key
    form = jwt_bearer_form(key, settings.client_id, settings.username, cluster.url("salesforce"))
    token = session.post(f"{cluster.url('salesforce')}/services/oauth2/token", data=form)
    token.raise_for_status()
    body = token.json()
    yield Salesforce(
        instance_url=body["instance_url"],
        session_id=body["access_token"],
        session=session,
        version=settings.api_version,
    )
    session.close()


def create_accounts(sf: Salesforce, n: int) -> list[str]:
    ids: list[str] = []
    for start in range(0, n, 200):
        records = [
            {"attributes": {"type": "Account"}, "Name": f"Client {i:04d} Ltd", "BillingCountry": "GB"}
            for i in range(start, min(n, start + 200))
        ]
        results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": records})
        assert all(r["success"] for r in results)
        ids += [r["id"] for r in results]
    return ids


def test_query_all_follows_next_records_url_across_pages(salesforce: Salesforce) -> None:
    create_accounts(salesforce, 450)
    salesforce.headers["Sforce-Query-Options"] = "batchSize=200"
    first = salesforce.query("SELECT Id, Name FROM Account ORDER BY Name")
    assert first["totalSize"] == 450 and not first["done"] and len(first["records"]) == 200
    everything = salesforce.query_all("SELECT Id, Name FROM Account ORDER BY Name")
    assert [r["Name"] for r in everything["records"]] == [f"Client {i:04d} Ltd" for i in range(450)]


def test_create_update_upsert_and_soft_delete(salesforce: Salesforce) -> None:
    created = salesforce.Account.create({"Name": "Acme Consulting GmbH", "BillingCountry": "DE"})
    assert created["success"]
    assert salesforce.Account.update(created["id"], {"BillingCity": "Berlin"}) == 204
    assert salesforce.Account.get(created["id"])["BillingCity"] == "Berlin"

    assert salesforce.Account.upsert("Concord_Golden_Id__c/G-000001", {"Name": "Globex Inc"}) == 201
    assert salesforce.Account.upsert("Concord_Golden_Id__c/G-000001", {"Name": "Globex, Inc."}) == 200

    assert salesforce.Account.delete(created["id"]) == 204
    live = salesforce.query("SELECT Id FROM Account")["records"]
    assert created["id"] not in {r["Id"] for r in live}
    everything = salesforce.query_all("SELECT Id, IsDeleted FROM Account", include_deleted=True)["records"]
    assert {r["Id"]: r["IsDeleted"] for r in everything}[created["id"]] is True


def test_deleted_records_feed(salesforce: Salesforce) -> None:
    created = salesforce.Account.create({"Name": "Initech LLC"})
    salesforce.Account.delete(created["id"])
    rows = salesforce.query_all(
        f"SELECT SystemModstamp FROM Account WHERE Id = '{created['id']}'", include_deleted=True
    )["records"]
    deleted_at = datetime.strptime(rows[0]["SystemModstamp"], "%Y-%m-%dT%H:%M:%S.%f%z")
    feed = salesforce.Account.deleted(deleted_at - timedelta(days=1), deleted_at + timedelta(minutes=5))
    assert created["id"] in {r["id"] for r in feed["deletedRecords"]}


def test_vendor_errors_become_the_clients_own_exceptions(salesforce: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        salesforce.query("SELECT Id FROM Account WHERE")
    with pytest.raises(SalesforceMalformedRequest):
        salesforce.query("SELECT NoSuchField__c FROM Account")
    salesforce.session_id = "not-a-token"
    salesforce.headers["Authorization"] = "Bearer not-a-token"
    with pytest.raises(SalesforceExpiredSession):
        salesforce.query("SELECT Id FROM Account")

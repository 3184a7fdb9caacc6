"""The Salesforce sandbox, spoken to over real HTTP as a connector would speak to Salesforce."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt
import pytest
from sandboxes.common import ids, timefmt
from sandboxes.common.faults import FaultRates
from sandboxes.salesforce.keys import JWT_BEARER_GRANT, jwt_bearer_form, key_files, new_private_key, private_key_pem
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SalesforceSettings
from sandboxes.store import Store

API = "/services/data/v62.0"
T0 = timefmt.parse_iso("2026-01-31T10:00:00Z")
DAY_MS = 86_400_000


# -- seeding ---------------------------------------------------------------------------

_DEFAULTS = {
    "Account": {"Name": "Account"},
    "Opportunity": {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-03-31"},
    "OpportunityLineItem": {"Role__c": "Consultant", "Quantity": 10.0, "UnitPrice": 100.0},
    "Contract": {"ContractNumber": "00000001", "Status": "Draft"},
    "Contract_Rate__c": {"Role__c": "Consultant", "Rate__c": 100.0, "Effective_Date__c": "2026-01-01"},
}


def seed(store: Store, sobject: str, rows: list[dict]) -> list[str]:
    """Inserts rows straight into the store (as the simulator does); returns their Ids."""
    conn = store.connect("salesforce")
    start = conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{sobject}"').fetchone()[0] + 1
    record_ids = []
    for number, values in enumerate(rows, start):
        row = {
            **_DEFAULTS[sobject],
            "CreatedDate": T0,
            "LastModifiedDate": T0,
            "SystemModstamp": T0,
            **values,
            "rowid": number,
            "Id": ids.salesforce_id(sobject, number),
        }
        conn.execute(
            f'INSERT INTO "{sobject}" ({", ".join(row)}) VALUES ({", ".join("?" for _ in row)})', tuple(row.values())
        )
        record_ids.append(row["Id"])
    conn.commit()
    return record_ids


def accounts(store: Store, n: int, **values: object) -> list[str]:
    return seed(store, "Account", [{"Name": f"Client {i:04d}", **values} for i in range(n)])


# -- fixtures --------------------------------------------------------------------------


@dataclass
class Sandbox:
    cluster: SandboxCluster
    http: httpx.Client

    @property
    def base(self) -> str:
        return self.cluster.url("salesforce")

    def token_request(self, **overrides: str) -> httpx.Response:
        """A username-password flow token request (refused unless the org enables the flow)."""
        s = self.cluster.settings.salesforce
        form = {
            "grant_type": "password",
            "client_id": s.client_id,
            "client_secret": s.client_secret,
            "username": s.username,
            "password": s.password,
            **overrides,
        }
        return self.http.post("/services/oauth2/token", data=form)

    def jwt_request(self, key_path: Path | None = None, **claims: object) -> httpx.Response:
        """A JWT bearer flow token request, signed with the store's key unless `key_path`."""
        s = self.cluster.settings.salesforce
        key = key_path or key_files(self.cluster.settings.store_dir).private_key
        return self.http.post(
            "/services/oauth2/token", data=jwt_bearer_form(key, s.client_id, s.username, self.base, **claims)
        )

    def client_credentials_request(self, **overrides: str) -> httpx.Response:
        s = self.cluster.settings.salesforce
        form = {"grant_type": "client_credentials", "client_id": s.client_id, "client_secret": s.client_secret}
        return self.http.post("/services/oauth2/token", data={**form, **overrides})

    def query(self, soql: str, endpoint: str = "query", **headers: str) -> httpx.Response:
        return self.http.get(f"{API}/{endpoint}", params={"q": soql}, headers=headers)

    def records(self, soql: str, endpoint: str = "query") -> list[dict]:
        response = self.query(soql, endpoint)
        assert response.status_code == 200, response.text
        return response.json()["records"]


def _connect(cluster: SandboxCluster, verify: object = True) -> Sandbox:
    http = httpx.Client(base_url=cluster.url("salesforce"), timeout=30, verify=verify)
    sandbox = Sandbox(cluster, http)
    token = sandbox.jwt_request().json()["access_token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return sandbox


@pytest.fixture
def start_salesforce(start_sandboxes) -> Iterator:
    clients: list[httpx.Client] = []

    def start(**overrides: object) -> Sandbox:
        sandbox = _connect(start_sandboxes(systems=("salesforce",), **overrides))
        clients.append(sandbox.http)
        return sandbox

    yield start
    for client in clients:
        client.close()


@pytest.fixture
def sf(start_salesforce) -> Sandbox:
    return start_salesforce()


def error_of(response: httpx.Response) -> dict:
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    return body[0]


# -- OAuth and sessions ----------------------------------------------------------------


def test_jwt_bearer_grant_returns_a_bearer_token_without_a_refresh_token(sf: Sandbox) -> None:
    response = sf.jwt_request()
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "scope", "instance_url", "id", "token_type"}
    assert body["token_type"] == "Bearer" and body["instance_url"] == sf.base
    assert body["id"].startswith(f"{sf.base}/id/00D")
    limits = sf.http.get(f"{API}/limits", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert limits.status_code == 200


@pytest.mark.parametrize("aud", ["https://login.salesforce.com", "https://test.salesforce.com"])
def test_the_documented_login_urls_are_accepted_audiences(sf: Sandbox, aud: str) -> None:
    assert sf.jwt_request(aud=aud).status_code == 200


def test_the_store_key_pair_is_private_to_its_owner(sf: Sandbox) -> None:
    files = key_files(sf.cluster.settings.store_dir)
    for path in (files.private_key, files.certificate):
        assert path.stat().st_mode & 0o777 == 0o600


def test_an_assertion_signed_with_another_key_is_invalid_assertion(sf: Sandbox, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    other.write_bytes(private_key_pem(new_private_key()))
    response = sf.jwt_request(key_path=other)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_an_unsigned_or_garbled_assertion_is_invalid_assertion(sf: Sandbox) -> None:
    unsigned = jwt.encode({"iss": "x", "sub": "y", "aud": sf.base, "exp": 9999999999}, key=None, algorithm="none")
    for assertion in ("not-a-jwt", unsigned):
        response = sf.http.post("/services/oauth2/token", data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion})
        assert response.status_code == 400
        assert response.json()["error"] in {"invalid_grant", "invalid_client_id"}


def test_an_unknown_consumer_key_is_invalid_client_id(sf: Sandbox) -> None:
    response = sf.jwt_request(iss="3MVG9-someone-else")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client_id", "error_description": "client identifier invalid"}


@pytest.mark.parametrize("user", ["analyst@concord.sandbox", "nobody@elsewhere.example"], ids=["unapproved", "unknown"])
def test_a_user_who_has_not_approved_the_app_is_refused(sf: Sandbox, user: str) -> None:
    response = sf.jwt_request(sub=user)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}


def test_a_wrong_audience_is_audience_is_invalid(sf: Sandbox) -> None:
    response = sf.jwt_request(aud="https://example.my.salesforce.com")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "audience is invalid"}


def test_an_expired_assertion_is_refused(sf: Sandbox) -> None:
    response = sf.jwt_request(exp=int(time.time()) - 60)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "expired authorization code"}


def test_client_credentials_grant_returns_a_token_that_works(sf: Sandbox) -> None:
    body = sf.client_credentials_request().json()
    assert {"access_token", "instance_url", "id", "token_type", "issued_at", "signature", "scope"} <= set(body)
    response = sf.http.get(f"{API}/limits", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert response.status_code == 200


def test_a_wrong_client_secret_is_invalid_client(sf: Sandbox) -> None:
    response = sf.client_credentials_request(client_secret="nope")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}


def test_client_credentials_without_a_run_as_user_is_refused(start_salesforce) -> None:
    sf = start_salesforce(salesforce=SalesforceSettings(client_credentials_run_as=False))
    response = sf.client_credentials_request()
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "no client credentials user enabled"}


def test_the_password_flow_is_blocked_unless_the_org_enables_it(sf: Sandbox) -> None:
    response = sf.token_request()
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_an_enabled_password_grant_returns_a_bearer_token_and_refuses_a_wrong_password(start_salesforce) -> None:
    sf = start_salesforce(salesforce=SalesforceSettings(password_flow_enabled=True))
    body = sf.token_request().json()
    assert body["token_type"] == "Bearer" and body["instance_url"] == sf.base
    assert body["issued_at"].isdigit() and body["signature"]
    response = sf.token_request(password="nope")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "authentication failure"}


def test_a_call_without_a_token_is_refused_with_invalid_session_id(sf: Sandbox) -> None:
    response = httpx.get(f"{sf.base}{API}/query", params={"q": "SELECT Id FROM Account"})
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_an_unknown_token_is_refused_with_invalid_session_id(sf: Sandbox) -> None:
    response = httpx.get(f"{sf.base}{API}/limits", headers={"Authorization": "Bearer 00Dforged!token"})
    assert response.status_code == 401
    assert error_of(response)["errorCode"] == "INVALID_SESSION_ID"


def test_the_versions_list_needs_no_session(sf: Sandbox) -> None:
    versions = httpx.get(f"{sf.base}/services/data/").json()
    assert {"label": "Winter '25", "url": API, "version": "62.0"} in versions


# -- SOQL query: results -----------------------------------------------------------------


def test_query_returns_typed_values_in_salesforce_wire_formats(sf: Sandbox, sandbox_store: Store) -> None:
    (opp_id,) = seed(
        sandbox_store,
        "Opportunity",
        [{"Name": "Big deal", "Amount": 1500, "IsWon": 1, "IsClosed": 1, "CloseDate": "2026-02-01"}],
    )
    (record,) = sf.records("SELECT Id, Name, Amount, IsWon, CloseDate, SystemModstamp, Type FROM Opportunity")
    assert record == {
        "attributes": {"type": "Opportunity", "url": f"{API}/sobjects/Opportunity/{opp_id}"},
        "Id": opp_id,
        "Name": "Big deal",
        "Amount": 1500.0,
        "IsWon": True,
        "CloseDate": "2026-02-01",
        "SystemModstamp": "2026-01-31T10:00:00.000+0000",
        "Type": None,
    }


def test_names_are_case_insensitive_and_come_back_in_canonical_casing(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 1)
    (record,) = sf.records("select id, NAME, billingcountry from ACCOUNT where name = 'CLIENT 0000'")
    assert list(record) == ["attributes", "Id", "Name", "BillingCountry"]


def test_a_small_result_is_one_page_marked_done(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 3)
    body = sf.query("SELECT Id FROM Account").json()
    assert body["totalSize"] == 3 and body["done"] is True and "nextRecordsUrl" not in body


def test_paging_follows_next_records_url_with_the_requested_batch_size(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 450)
    page = sf.query("SELECT Id, Name FROM Account ORDER BY Name", **{"Sforce-Query-Options": "batchSize=200"}).json()
    sizes, names = [], []
    while True:
        assert page["totalSize"] == 450
        sizes.append(len(page["records"]))
        names += [r["Name"] for r in page["records"]]
        if page["done"]:
            assert "nextRecordsUrl" not in page
            break
        assert page["nextRecordsUrl"].startswith(f"{API}/query/01g")
        page = sf.http.get(page["nextRecordsUrl"]).json()
    assert sizes == [200, 200, 50]
    assert names == sorted(names) and len(set(names)) == 450


def test_the_default_batch_size_is_2000(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 2001)
    body = sf.query("SELECT Id FROM Account").json()
    assert len(body["records"]) == 2000 and body["nextRecordsUrl"].endswith("-2000")


def test_a_batch_size_below_200_is_raised_to_200(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 250)
    body = sf.query("SELECT Id FROM Account", **{"Sforce-Query-Options": "batchSize=10"}).json()
    assert len(body["records"]) == 200


def test_query_all_pages_point_back_to_query_all(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 250)
    body = sf.query("SELECT Id FROM Account", "queryAll", **{"Sforce-Query-Options": "batchSize=200"}).json()
    assert body["nextRecordsUrl"].startswith(f"{API}/queryAll/")
    assert len(sf.http.get(body["nextRecordsUrl"]).json()["records"]) == 50


def test_pages_come_from_the_result_as_it_was_when_the_query_started(sf: Sandbox, sandbox_store: Store) -> None:
    record_ids = accounts(sandbox_store, 400)
    first = sf.query(
        "SELECT Id FROM Account ORDER BY SystemModstamp", **{"Sforce-Query-Options": "batchSize=200"}
    ).json()
    # An edit that would move an already served record to the end of the ordering.
    assert sf.http.patch(f"{API}/sobjects/Account/{record_ids[0]}", json={"Phone": "1"}).status_code == 204
    accounts(sandbox_store, 5)
    second = sf.http.get(first["nextRecordsUrl"]).json()
    served = [r["Id"] for r in first["records"] + second["records"]]
    assert sorted(served) == sorted(record_ids) and second["totalSize"] == 400


def test_an_unknown_query_locator_is_invalid_query_locator(sf: Sandbox) -> None:
    response = sf.http.get(f"{API}/query/01g5g00000AbCdEfGH-200")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_a_modstamp_window_is_half_open_even_when_many_records_share_a_timestamp(
    sf: Sandbox, sandbox_store: Store
) -> None:
    accounts(sandbox_store, 3, SystemModstamp=T0 - 1)
    accounts(sandbox_store, 40, SystemModstamp=T0)
    accounts(sandbox_store, 4, SystemModstamp=T0 + 1)
    window = sf.records(
        "SELECT Id FROM Account WHERE SystemModstamp >= 2026-01-31T10:00:00.000Z AND SystemModstamp < 2026-01-31T10:00:00.001Z"
    )
    after = sf.records("SELECT Id FROM Account WHERE SystemModstamp > 2026-01-31T10:00:00Z")
    assert len(window) == 40 and len(after) == 4


def test_datetime_literals_with_offsets_compare_as_instants(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 2, SystemModstamp=T0)
    assert len(sf.records("SELECT Id FROM Account WHERE SystemModstamp = 2026-01-31T11:00:00+01:00")) == 2
    assert len(sf.records("SELECT Id FROM Account WHERE SystemModstamp < 2026-01-31T10:00:00.000+0000")) == 0


def test_date_fields_compare_as_dates(sf: Sandbox, sandbox_store: Store) -> None:
    seed(sandbox_store, "Opportunity", [{"CloseDate": d} for d in ("2026-01-30", "2026-01-31", "2026-02-01")])
    assert len(sf.records("SELECT Id FROM Opportunity WHERE CloseDate >= 2026-01-31")) == 2


def test_relative_date_literals_follow_the_store_clock(sf: Sandbox, sandbox_store: Store) -> None:
    now = sandbox_store.now_ms()
    accounts(sandbox_store, 2, CreatedDate=now)
    accounts(sandbox_store, 3, CreatedDate=now - 10 * DAY_MS)
    assert len(sf.records("SELECT Id FROM Account WHERE CreatedDate = TODAY")) == 2
    assert len(sf.records("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:30")) == 5
    assert len(sf.records("SELECT Id FROM Account WHERE CreatedDate < YESTERDAY")) == 3


def test_query_hides_deleted_rows_and_query_all_shows_them(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 2)
    accounts(sandbox_store, 1, IsDeleted=1, DeletedDate=T0)
    assert len(sf.records("SELECT Id FROM Account")) == 2
    assert len(sf.records("SELECT Id FROM Account WHERE IsDeleted = true")) == 0
    deleted = sf.records("SELECT Id, IsDeleted FROM Account WHERE IsDeleted = true", "queryAll")
    assert [r["IsDeleted"] for r in deleted] == [True]


def test_where_combines_like_in_not_in_and_parentheses(sf: Sandbox, sandbox_store: Store) -> None:
    seed(
        sandbox_store,
        "Account",
        [
            {"Name": "Acme UK", "BillingCountry": "GB", "Type": "Customer"},
            {"Name": "Acme DE", "BillingCountry": "DE", "Type": "Prospect"},
            {"Name": "Globex", "BillingCountry": "US", "Type": "Customer"},
            {"Name": "Initech", "BillingCountry": "FR", "Type": None},
        ],
    )
    rows = sf.records(
        "SELECT Name FROM Account WHERE (Name LIKE 'acme%' AND BillingCountry IN ('GB','US')) "
        "OR (NOT Name LIKE 'A%' AND Type NOT IN ('Customer')) ORDER BY Name"
    )
    assert [r["Name"] for r in rows] == ["Acme UK", "Initech"]


def test_not_equal_matches_null_values_as_soql_does(sf: Sandbox, sandbox_store: Store) -> None:
    seed(sandbox_store, "Account", [{"Type": "Customer"}, {"Type": None}, {"Type": "Partner"}])
    assert len(sf.records("SELECT Id FROM Account WHERE Type != 'Customer'")) == 2
    assert len(sf.records("SELECT Id FROM Account WHERE Type = null")) == 1


def test_order_by_puts_nulls_first_ascending_and_last_descending(sf: Sandbox, sandbox_store: Store) -> None:
    seed(
        sandbox_store,
        "Account",
        [{"Name": "b", "Phone": "2"}, {"Name": "n", "Phone": None}, {"Name": "a", "Phone": "1"}],
    )
    ascending = [r["Name"] for r in sf.records("SELECT Name FROM Account ORDER BY Phone")]
    descending = [r["Name"] for r in sf.records("SELECT Name FROM Account ORDER BY Phone DESC")]
    nulls_last = [r["Name"] for r in sf.records("SELECT Name FROM Account ORDER BY Phone ASC NULLS LAST")]
    assert (ascending, descending, nulls_last) == (["n", "a", "b"], ["b", "a", "n"], ["a", "b", "n"])


def test_count_returns_only_the_total_size(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 7)
    body = sf.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Client%'").json()
    assert body == {"totalSize": 7, "done": True, "records": []}


def test_limit_and_offset_slice_the_ordered_result(sf: Sandbox, sandbox_store: Store) -> None:
    accounts(sandbox_store, 10)
    rows = sf.records("SELECT Name FROM Account ORDER BY Name DESC LIMIT 3 OFFSET 2")
    assert [r["Name"] for r in rows] == ["Client 0007", "Client 0006", "Client 0005"]


def test_string_values_are_bound_so_quotes_cannot_change_the_query(sf: Sandbox, sandbox_store: Store) -> None:
    seed(sandbox_store, "Account", [{"Name": "O'Brien & Co"}, {"Name": "Other"}])
    assert len(sf.records("SELECT Id FROM Account WHERE Name = 'O\\'Brien & Co'")) == 1
    assert sf.records("SELECT Id FROM Account WHERE Name = 'x\\' OR Name != \\'y'") == []


# -- SOQL query: errors ------------------------------------------------------------------


def test_an_unknown_object_is_invalid_type(sf: Sandbox) -> None:
    response = sf.query("SELECT Id FROM Foo")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "INVALID_TYPE"
    assert "sObject type 'Foo' is not supported" in error["message"]


def test_an_unknown_field_is_invalid_field_with_salesforce_wording(sf: Sandbox) -> None:
    response = sf.query("SELECT Id, Foo FROM Account")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "INVALID_FIELD"
    assert error["message"].startswith("\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\n")
    assert "No such column 'Foo' on entity 'Account'" in error["message"]


def test_a_syntax_error_is_malformed_query(sf: Sandbox) -> None:
    response = sf.query("SELECT Id FORM Account")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "MALFORMED_QUERY"
    assert "unexpected token: FORM" in error_of(response)["message"]


def test_mixing_and_with_or_without_parentheses_is_malformed_query(sf: Sandbox) -> None:
    response = sf.query("SELECT Id FROM Account WHERE Name = 'a' AND Type = 'b' OR Phone = 'c'")
    assert error_of(response)["errorCode"] == "MALFORMED_QUERY"


def test_an_impossible_datetime_literal_is_malformed_query(sf: Sandbox) -> None:
    response = sf.query("SELECT Id FROM Account WHERE SystemModstamp > 2026-13-45T10:00:00Z")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "MALFORMED_QUERY"


def test_a_quoted_datetime_is_refused_as_the_wrong_type(sf: Sandbox) -> None:
    response = sf.query("SELECT Id FROM Account WHERE SystemModstamp > '2026-01-01T00:00:00Z'")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "INVALID_FIELD"
    assert "must be of type dateTime and should not be enclosed in quotes" in error["message"]


# -- single records ----------------------------------------------------------------------


def test_create_returns_201_with_the_new_id_and_stamps_the_system_fields(sf: Sandbox) -> None:
    response = sf.http.post(f"{API}/sobjects/Account", json={"Name": "Acme", "BillingCountry": "GB"})
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["errors"] == [] and body["id"].startswith("001")
    record = sf.http.get(f"{API}/sobjects/Account/{body['id']}").json()
    assert record["Name"] == "Acme" and record["IsDeleted"] is False
    assert record["CreatedDate"] == record["SystemModstamp"] == record["LastModifiedDate"]
    assert record["CurrencyIsoCode"] == "USD"


def test_create_without_a_required_field_is_required_field_missing(sf: Sandbox) -> None:
    response = sf.http.post(f"{API}/sobjects/Opportunity", json={"Name": "Deal"})
    assert response.status_code == 400
    assert error_of(response) == {
        "message": "Required fields are missing: [StageName, CloseDate]",
        "errorCode": "REQUIRED_FIELD_MISSING",
        "fields": ["StageName", "CloseDate"],
    }


def test_an_unknown_field_in_a_record_is_invalid_field(sf: Sandbox) -> None:
    response = sf.http.post(f"{API}/sobjects/Account", json={"Name": "Acme", "Colour__c": "red"})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_FIELD"


def test_writing_a_read_only_field_is_invalid_field_for_insert_update(sf: Sandbox) -> None:
    response = sf.http.post(
        f"{API}/sobjects/Opportunity",
        json={"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-03-01", "IsWon": True},
    )
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error_of(response)["fields"] == ["IsWon"]


def test_a_bad_date_is_json_parser_error(sf: Sandbox) -> None:
    response = sf.http.post(
        f"{API}/sobjects/Opportunity", json={"Name": "Deal", "StageName": "Prospecting", "CloseDate": "31/01/2026"}
    )
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_a_number_field_given_text_is_json_parser_error(sf: Sandbox) -> None:
    response = sf.http.post(f"{API}/sobjects/Account", json={"Name": "Acme", "AR_Balance__c": "lots"})
    assert error_of(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_a_body_that_is_not_json_is_json_parser_error(sf: Sandbox) -> None:
    response = sf.http.post(
        f"{API}/sobjects/Account", content=b"{Name: Acme", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "JSON_PARSER_ERROR"


def test_get_with_fields_returns_only_those_fields(sf: Sandbox, sandbox_store: Store) -> None:
    (account_id,) = accounts(sandbox_store, 1, BillingCity="Leeds")
    record = sf.http.get(f"{API}/sobjects/Account/{account_id}", params={"fields": "name,BillingCity"}).json()
    assert record == {
        "attributes": {"type": "Account", "url": f"{API}/sobjects/Account/{account_id}"},
        "Name": "Client 0000",
        "BillingCity": "Leeds",
    }


def test_a_15_character_id_finds_the_record(sf: Sandbox, sandbox_store: Store) -> None:
    (account_id,) = accounts(sandbox_store, 1)
    assert sf.http.get(f"{API}/sobjects/Account/{account_id[:15]}").json()["Id"] == account_id


def test_update_returns_204_and_moves_system_modstamp(sf: Sandbox, sandbox_store: Store) -> None:
    (account_id,) = accounts(sandbox_store, 1)
    response = sf.http.patch(f"{API}/sobjects/Account/{account_id}", json={"BillingCity": "York"})
    assert response.status_code == 204 and response.content == b""
    record = sf.http.get(f"{API}/sobjects/Account/{account_id}").json()
    assert record["BillingCity"] == "York"
    assert timefmt.parse_iso(record["SystemModstamp"]) > T0
    assert record["CreatedDate"] == "2026-01-31T10:00:00.000+0000"


def test_the_stage_decides_is_closed_and_is_won(sf: Sandbox) -> None:
    created = sf.http.post(
        f"{API}/sobjects/Opportunity", json={"Name": "Deal", "StageName": "Negotiation", "CloseDate": "2026-03-01"}
    ).json()
    url = f"{API}/sobjects/Opportunity/{created['id']}"
    flags = []
    for stage in ("Negotiation", "Closed Won", "Closed Lost"):
        sf.http.patch(url, json={"StageName": stage})
        record = sf.http.get(url).json()
        flags.append((record["IsClosed"], record["IsWon"]))
    assert flags == [(False, False), (True, True), (True, False)]


def test_a_line_items_total_price_is_quantity_times_unit_price(sf: Sandbox, sandbox_store: Store) -> None:
    (opp_id,) = seed(sandbox_store, "Opportunity", [{"Name": "Deal"}])
    created = sf.http.post(
        f"{API}/sobjects/OpportunityLineItem",
        json={"OpportunityId": opp_id, "Role__c": "Architect", "Quantity": 12.5, "UnitPrice": 200},
    ).json()
    record = sf.http.get(f"{API}/sobjects/OpportunityLineItem/{created['id']}").json()
    assert record["TotalPrice"] == 2500.0 and record["Name"] == "Deal Architect"


def test_delete_is_a_soft_delete_seen_by_query_all(sf: Sandbox, sandbox_store: Store) -> None:
    (account_id,) = accounts(sandbox_store, 1)
    assert sf.http.delete(f"{API}/sobjects/Account/{account_id}").status_code == 204
    assert sf.http.get(f"{API}/sobjects/Account/{account_id}").status_code == 404
    (row,) = sf.records("SELECT Id, IsDeleted, SystemModstamp FROM Account", "queryAll")
    assert row["IsDeleted"] is True and timefmt.parse_iso(row["SystemModstamp"]) > T0


def test_deleting_an_opportunity_deletes_its_line_items(sf: Sandbox, sandbox_store: Store) -> None:
    (opp_id,) = seed(sandbox_store, "Opportunity", [{}])
    seed(sandbox_store, "OpportunityLineItem", [{"OpportunityId": opp_id}, {"OpportunityId": opp_id}])
    sf.http.delete(f"{API}/sobjects/Opportunity/{opp_id}")
    assert sf.records("SELECT Id FROM OpportunityLineItem") == []
    assert len(sf.records("SELECT Id FROM OpportunityLineItem WHERE IsDeleted = true", "queryAll")) == 2


def test_an_unknown_id_is_not_found(sf: Sandbox) -> None:
    missing = ids.salesforce_id("Account", 999)
    for response in (
        sf.http.get(f"{API}/sobjects/Account/{missing}"),
        sf.http.patch(f"{API}/sobjects/Account/{missing}", json={"Name": "x"}),
        sf.http.delete(f"{API}/sobjects/Account/{missing}"),
    ):
        assert response.status_code == 404
        assert error_of(response)["errorCode"] == "NOT_FOUND"


def test_an_unknown_path_is_not_found_in_salesforce_shape(sf: Sandbox) -> None:
    response = sf.http.get(f"{API}/nothing/here")
    assert response.status_code == 404
    assert error_of(response)["errorCode"] == "NOT_FOUND"


def test_describe_lists_fields_with_types_and_external_ids(sf: Sandbox) -> None:
    body = sf.http.get(f"{API}/sobjects/Account/describe").json()
    fields = {f["name"]: f for f in body["fields"]}
    assert body["name"] == "Account" and body["keyPrefix"] == "001"
    assert fields["Concord_Golden_Id__c"]["externalId"] is True
    assert fields["SystemModstamp"]["type"] == "datetime" and fields["SystemModstamp"]["updateable"] is False
    assert fields["Name"]["nillable"] is False


# -- upsert by external ID ---------------------------------------------------------------


def test_upsert_without_a_match_creates_with_201(sf: Sandbox) -> None:
    response = sf.http.patch(f"{API}/sobjects/Account/Concord_Golden_Id__c/G-1", json={"Name": "Acme"})
    assert response.status_code == 201
    body = response.json()
    assert body["created"] is True and body["success"] is True
    assert sf.http.get(f"{API}/sobjects/Account/{body['id']}").json()["Concord_Golden_Id__c"] == "G-1"


def test_upsert_with_one_match_updates_with_200(sf: Sandbox, sandbox_store: Store) -> None:
    (account_id,) = accounts(sandbox_store, 1, Concord_Golden_Id__c="G-1")
    response = sf.http.patch(f"{API}/sobjects/Account/Concord_Golden_Id__c/G-1", json={"Name": "Renamed"})
    assert response.status_code == 200
    assert response.json() == {"id": account_id, "success": True, "errors": [], "created": False}
    assert sf.records("SELECT Name FROM Account")[0]["Name"] == "Renamed"


def test_upsert_with_several_matches_is_300_with_their_urls(sf: Sandbox, sandbox_store: Store) -> None:
    record_ids = accounts(sandbox_store, 2, Concord_Golden_Id__c="G-1")
    response = sf.http.patch(f"{API}/sobjects/Account/Concord_Golden_Id__c/G-1", json={"Name": "x"})
    assert response.status_code == 300
    assert response.json() == [f"{API}/sobjects/Account/{i}" for i in record_ids]


def test_upsert_update_only_without_a_match_is_404(sf: Sandbox) -> None:
    response = sf.http.patch(
        f"{API}/sobjects/Opportunity/Opportunity_Number__c/OPP-1", params={"updateOnly": "true"}, json={"Name": "x"}
    )
    assert response.status_code == 404
    assert sf.records("SELECT Id FROM Opportunity") == []


def test_upsert_on_a_field_that_is_not_an_external_id_is_404(sf: Sandbox) -> None:
    response = sf.http.patch(f"{API}/sobjects/Account/Name/Acme", json={"Phone": "1"})
    assert response.status_code == 404
    assert "Provided external ID field does not exist or is not accessible: Name" in error_of(response)["message"]


# -- sObject Collections -----------------------------------------------------------------


def test_collection_create_keeps_the_good_records_when_not_all_or_none(sf: Sandbox) -> None:
    records = [
        {"attributes": {"type": "Account"}, "Name": "Good"},
        {"attributes": {"type": "Account"}, "Phone": "no name"},
        {"attributes": {"type": "Contract_Rate__c"}, "Role__c": "x"},
    ]
    response = sf.http.post(f"{API}/composite/sobjects", json={"allOrNone": False, "records": records})
    assert response.status_code == 200
    good, no_name, rate = response.json()
    assert good["success"] is True and good["id"].startswith("001")
    assert no_name == {
        "success": False,
        "errors": [
            {
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [Name]",
                "fields": ["Name"],
            }
        ],
    }
    assert rate["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert [r["Name"] for r in sf.records("SELECT Name FROM Account")] == ["Good"]


def test_collection_all_or_none_writes_nothing_when_one_record_fails(sf: Sandbox) -> None:
    records = [
        {"attributes": {"type": "Account"}, "Name": "Good"},
        {"attributes": {"type": "Account"}, "Name": "Bad", "AR_Balance__c": "lots"},
    ]
    results = sf.http.post(f"{API}/composite/sobjects", json={"allOrNone": True, "records": records}).json()
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "JSON_PARSER_ERROR"
    assert sf.records("SELECT Id FROM Account", "queryAll") == []


def test_collection_update_changes_each_record_by_id(sf: Sandbox, sandbox_store: Store) -> None:
    first, second = accounts(sandbox_store, 2)
    missing = ids.salesforce_id("Account", 99)
    records = [
        {"attributes": {"type": "Account"}, "Id": first, "Phone": "1"},
        {"attributes": {"type": "Account"}, "Id": missing, "Phone": "2"},
        {"attributes": {"type": "Account"}, "Id": second, "Phone": "3"},
    ]
    results = sf.http.patch(f"{API}/composite/sobjects", json={"records": records}).json()
    assert [r["success"] for r in results] == [True, False, True]
    assert results[1]["id"] == missing
    assert [r["Phone"] for r in sf.records("SELECT Phone FROM Account ORDER BY Name")] == ["1", "3"]


def test_collection_upsert_reports_created_per_record(sf: Sandbox, sandbox_store: Store) -> None:
    seed(sandbox_store, "Opportunity", [{"Opportunity_Number__c": "OPP-1"}])
    records = [
        {"attributes": {"type": "Opportunity"}, "Opportunity_Number__c": "OPP-1", "Amount": 10},
        {
            "attributes": {"type": "Opportunity"},
            "Opportunity_Number__c": "OPP-2",
            "Name": "New",
            "StageName": "Closed Won",
            "CloseDate": "2026-02-01",
        },
    ]
    results = sf.http.patch(
        f"{API}/composite/sobjects/Opportunity/Opportunity_Number__c", json={"records": records}
    ).json()
    assert [(r["success"], r["created"]) for r in results] == [(True, False), (True, True)]
    rows = sf.records("SELECT Opportunity_Number__c, Amount, IsWon FROM Opportunity ORDER BY Opportunity_Number__c")
    assert [(r["Amount"], r["IsWon"]) for r in rows] == [(10.0, False), (None, True)]


def test_collection_delete_soft_deletes_and_reports_each_id(sf: Sandbox, sandbox_store: Store) -> None:
    first, second = accounts(sandbox_store, 2)
    sf.http.delete(f"{API}/sobjects/Account/{second}")
    response = sf.http.delete(f"{API}/composite/sobjects", params={"ids": f"{first},{second}", "allOrNone": "false"})
    assert response.status_code == 200
    assert response.json() == [
        {"id": first, "success": True, "errors": []},
        {
            "id": second,
            "success": False,
            "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "entity is deleted", "fields": []}],
        },
    ]


def test_a_collection_of_more_than_200_records_is_refused(sf: Sandbox) -> None:
    records = [{"attributes": {"type": "Account"}, "Name": f"A{i}"} for i in range(201)]
    response = sf.http.post(f"{API}/composite/sobjects", json={"records": records})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "EXCEEDED_ID_LIMIT"


# -- deleted records feed ----------------------------------------------------------------


def test_the_deleted_feed_serves_deletions_between_start_and_end(sf: Sandbox, sandbox_store: Store) -> None:
    minute = sandbox_store.now_ms() // 60_000 * 60_000
    end = minute - 1000  # 10:41:59 when now is 10:42:xx
    at_start = accounts(sandbox_store, 1, IsDeleted=1, DeletedDate=minute - 5 * DAY_MS)
    inside = accounts(sandbox_store, 2, IsDeleted=1, DeletedDate=minute - 3 * DAY_MS)
    at_end = accounts(sandbox_store, 1, IsDeleted=1, DeletedDate=end)
    accounts(sandbox_store, 1, IsDeleted=1, DeletedDate=end + 1)
    accounts(sandbox_store, 1, IsDeleted=1, DeletedDate=minute - 5 * DAY_MS - 1)
    params = {"start": timefmt.salesforce(minute - 5 * DAY_MS), "end": timefmt.salesforce(end)}
    body = sf.http.get(f"{API}/sobjects/Account/deleted/", params=params).json()
    assert [r["id"] for r in body["deletedRecords"]] == at_start + inside + at_end
    assert body["deletedRecords"][1]["deletedDate"] == timefmt.salesforce(minute - 3 * DAY_MS)


def test_the_deleted_feed_covers_up_to_the_end_truncated_to_the_minute(sf: Sandbox, sandbox_store: Store) -> None:
    now = sandbox_store.now_ms()
    minute = now // 60_000 * 60_000
    params = {"start": timefmt.salesforce(now - DAY_MS), "end": timefmt.salesforce(minute - 60_000 + 59_000)}
    body = sf.http.get(f"{API}/sobjects/Account/deleted", params=params).json()
    assert body["latestDateCovered"] == timefmt.salesforce(minute - 60_000)
    assert body["earliestDateAvailable"] == timefmt.salesforce((now - 15 * DAY_MS) // 60_000 * 60_000)
    assert timefmt.parse_iso(body["earliestDateAvailable"]) <= now - 15 * DAY_MS


def test_the_deleted_feed_refuses_a_start_older_than_15_days(sf: Sandbox, sandbox_store: Store) -> None:
    now = sandbox_store.now_ms()
    params = {"start": timefmt.salesforce(now - 16 * DAY_MS), "end": timefmt.salesforce(now)}
    response = sf.http.get(f"{API}/sobjects/Account/deleted/", params=params)
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_REPLICATION_DATE"


def test_the_deleted_feed_refuses_an_end_before_the_start(sf: Sandbox, sandbox_store: Store) -> None:
    now = sandbox_store.now_ms()
    params = {"start": timefmt.salesforce(now - DAY_MS), "end": timefmt.salesforce(now - 2 * DAY_MS)}
    response = sf.http.get(f"{API}/sobjects/Account/deleted/", params=params)
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_REPLICATION_DATE"


# -- limits, faults, TLS -----------------------------------------------------------------


def test_every_api_response_reports_api_usage(sf: Sandbox) -> None:
    first = sf.http.get(f"{API}/limits")
    failed = sf.query("SELECT Nope FROM Account")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/1000000"
    assert failed.headers["Sforce-Limit-Info"] == "api-usage=2/1000000"
    assert first.json()["DailyApiRequests"] == {"Max": 1000000, "Remaining": 999999}


def test_over_the_daily_limit_calls_fail_until_the_next_day(start_salesforce) -> None:
    sf = start_salesforce(salesforce=SalesforceSettings(daily_api_limit=3))
    assert [sf.http.get(f"{API}/limits").status_code for _ in range(4)] == [200, 200, 200, 403]
    refused = sf.http.get(f"{API}/limits")
    assert refused.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert refused.headers["Sforce-Limit-Info"] == "api-usage=3/3"
    sf.cluster.store.advance_clock(DAY_MS)
    assert sf.http.get(f"{API}/limits").status_code == 200


def inject(sf: Sandbox, rates: FaultRates) -> None:
    # Set after the token request, which would otherwise be faulted too.
    sf.cluster.running["salesforce"].injector.set(rates, seed=7)


def test_injected_429s_carry_retry_after_and_a_salesforce_body(sf: Sandbox) -> None:
    inject(sf, FaultRates(rate_429=1.0, retry_after_seconds=3))
    response = sf.http.get(f"{API}/limits")
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert error_of(response) == {"message": "Too many requests", "errorCode": "REQUEST_RATE_EXCEEDED"}


def test_injected_503s_are_server_unavailable(sf: Sandbox) -> None:
    inject(sf, FaultRates(rate_503=1.0))
    response = sf.http.get(f"{API}/limits")
    assert response.status_code == 503 and error_of(response)["errorCode"] == "SERVER_UNAVAILABLE"


def test_injected_faults_happen_at_the_configured_rate(sf: Sandbox) -> None:
    inject(sf, FaultRates(rate_429=0.25))
    statuses = [sf.http.get(f"{API}/limits").status_code for _ in range(400)]
    assert 0.18 <= statuses.count(429) / 400 <= 0.32
    assert set(statuses) == {200, 429}


def test_the_api_is_served_over_verified_tls(start_sandboxes) -> None:
    cluster = start_sandboxes(systems=("salesforce",), tls=True)
    sf = _connect(cluster, verify=ssl.create_default_context(cafile=str(cluster.tls_files.ca_cert)))
    try:
        assert sf.base.startswith("https://")
        assert sf.query("SELECT COUNT() FROM Account").json()["totalSize"] == 0
    finally:
        sf.http.close()

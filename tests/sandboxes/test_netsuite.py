"""The NetSuite REST web services sandbox, specified through real HTTP: OAuth 2.0 tokens,
SuiteQL paging and rendering, the record API's writes and errors, the concurrency limit,
injected faults and TLS."""

from __future__ import annotations

import base64
import json
import ssl
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.settings import NetSuiteCertificate, NetSuiteSettings
from sandboxes.store import Store

from tests.sandboxes import netsuite_jwt
from tests.sandboxes.netsuite_jwt import OMIT
from tests.sandboxes.netsuite_seed import T0, seed_charge, seed_customers, seed_invoice, seed_reference_data

REST = "/services/rest"
TOKEN_URL = f"{REST}/auth/oauth2/v1/token"
SUITEQL = f"{REST}/query/v1/suiteql"
RECORD = f"{REST}/record/v1"
CLIENT_ID = NetSuiteSettings().client_id
CERTIFICATE_ID = NetSuiteSettings().certificate_id


@dataclass
class NetSuite:
    url: str
    client: httpx.Client  # authenticated, base_url = the server root
    store: Store
    cluster: SandboxCluster

    @property
    def token_url(self) -> str:
        return f"{self.url}{TOKEN_URL}"

    def assertion(self, key: object = None, **overrides: object) -> str:
        """A valid client assertion for the sandbox's own certificate; `overrides` break it."""
        claims = {"kid": CERTIFICATE_ID, "iss": CLIENT_ID, "aud": self.token_url, **overrides}
        signing_key = key if key is not None else netsuite_jwt.sandbox_key(self.cluster.source_settings()["netsuite"])
        return netsuite_jwt.assertion(signing_key, **claims)  # type: ignore[arg-type]

    def login(self, client_assertion: str, **kwargs: object) -> httpx.Response:
        return httpx.post(self.token_url, data=netsuite_jwt.form(client_assertion), **kwargs)  # type: ignore[arg-type]

    def query(self, q: str, limit: int | None = None, offset: int = 0) -> httpx.Response:
        params = {"offset": offset} if limit is None else {"limit": limit, "offset": offset}
        return self.client.post(SUITEQL, params=params, json={"q": q}, headers={"Prefer": "transient"})

    def items(self, q: str) -> list[dict]:
        response = self.query(q)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def created_id(self, response: httpx.Response) -> str:
        assert response.status_code == 204, response.text
        return response.headers["location"].rsplit("/", 1)[1]


def _token(url: str, **kwargs: object) -> str:
    response = httpx.post(f"{url}{TOKEN_URL}", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture
def start_netsuite(start_sandboxes, sandbox_store: Store) -> Callable[..., NetSuite]:
    clients: list[httpx.Client] = []

    def start(**overrides: object) -> NetSuite:
        seed_reference_data(sandbox_store)
        cluster = start_sandboxes(systems=("netsuite",), **overrides)
        url = cluster.url("netsuite")
        verify = ssl.create_default_context(cafile=cluster.tls_files.ca_cert) if cluster.tls_files else True
        key = netsuite_jwt.sandbox_key(cluster.source_settings()["netsuite"])
        jwt = netsuite_jwt.assertion(key, kid=CERTIFICATE_ID, iss=CLIENT_ID, aud=f"{url}{TOKEN_URL}")
        token = _token(url, data=netsuite_jwt.form(jwt), verify=verify)
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, verify=verify, timeout=30)
        clients.append(client)
        return NetSuite(url, client, sandbox_store, cluster)

    yield start
    for client in clients:
        client.close()


@pytest.fixture
def ns(start_netsuite) -> NetSuite:
    return start_netsuite()


def _error(response: httpx.Response) -> dict:
    details = response.json()["o:errorDetails"]
    assert len(details) == 1
    return details[0]


# -- OAuth 2.0 -------------------------------------------------------------------------


def _refusal(response: httpx.Response, status: int, error: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error, body
    return body["error_description"]


def test_a_signed_client_assertion_gets_a_bearer_token_for_60_minutes(ns: NetSuite) -> None:
    response = ns.login(ns.assertion())
    body = response.json()
    assert response.status_code == 200, response.text
    assert body["expires_in"] == 3600 and body["token_type"] == "bearer" and body["access_token"]
    assert response.headers["cache-control"] == "no-store"
    record = httpx.get(f"{ns.url}{RECORD}/currency/1", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert record.status_code == 200


@pytest.mark.parametrize("scope", ["rest_webservices", "rest_webservices,restlets", ["restlets", "rest_webservices"]])
def test_scope_may_be_a_comma_separated_list_or_an_array(ns: NetSuite, scope: object) -> None:
    assert ns.login(ns.assertion(scope=scope)).status_code == 200


def test_the_generated_key_pair_is_in_the_store_readable_only_by_its_owner(ns: NetSuite) -> None:
    settings = ns.cluster.source_settings()["netsuite"]
    key_path = Path(settings["private_key_path"])
    assert settings["certificate_id"] == CERTIFICATE_ID and "client_secret" not in settings
    assert key_path.is_relative_to(Path(ns.cluster.settings.store_dir).absolute())
    for pem in (key_path, key_path.with_name("certificate.pem")):
        assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert key_path.read_text().startswith("-----BEGIN PRIVATE KEY-----")


def test_a_restarted_sandbox_keeps_its_key_pair(start_sandboxes, sandbox_store: Store) -> None:
    first = start_sandboxes(systems=("netsuite",))
    key = Path(first.source_settings()["netsuite"]["private_key_path"]).read_bytes()
    first.stop()
    second = start_sandboxes(systems=("netsuite",))
    assert Path(second.source_settings()["netsuite"]["private_key_path"]).read_bytes() == key


def test_an_ec_certificate_mapped_to_the_client_accepts_es256(start_netsuite) -> None:
    key = netsuite_jwt.new_ec_key()
    mapped = NetSuiteCertificate(netsuite_jwt.public_pem(key), CLIENT_ID)
    ns = start_netsuite(netsuite=NetSuiteSettings(certificates={"ec-cert": mapped}))
    assert ns.login(ns.assertion(key, kid="ec-cert", alg="ES256")).status_code == 200


def test_http_basic_client_credentials_are_refused(ns: NetSuite) -> None:
    response = httpx.post(ns.token_url, data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, "a-secret"))
    _refusal(response, 401, "invalid_client")


def test_a_client_secret_is_refused_even_beside_a_valid_assertion(ns: NetSuite) -> None:
    form = {**netsuite_jwt.form(ns.assertion()), "client_id": CLIENT_ID, "client_secret": "a-secret"}
    _refusal(httpx.post(ns.token_url, data=form), 401, "invalid_client")


@pytest.mark.parametrize("assertion_type", [None, "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"])
def test_a_missing_or_wrong_client_assertion_type_is_refused(ns: NetSuite, assertion_type: str | None) -> None:
    form = netsuite_jwt.form(ns.assertion())
    if assertion_type is None:
        del form["client_assertion_type"]
    else:
        form["client_assertion_type"] = assertion_type
    assert "client_assertion_type" in _refusal(httpx.post(ns.token_url, data=form), 400, "invalid_request")


@pytest.mark.parametrize("malformed", ["not-a-jwt", "a.b.c", "eyJhbGciOiJQUzI1NiJ9.bm90IGpzb24.c2ln", ""])
def test_a_malformed_assertion_is_refused(ns: NetSuite, malformed: str) -> None:
    _refusal(ns.login(malformed), 400, "invalid_request")


def test_a_wrong_grant_type_is_refused(ns: NetSuite) -> None:
    form = {**netsuite_jwt.form(ns.assertion()), "grant_type": "password"}
    _refusal(httpx.post(ns.token_url, data=form), 400, "unsupported_grant_type")


@pytest.mark.parametrize("alg", ["RS256", "HS256", "none"])
def test_an_algorithm_outside_rsa_pss_and_ecdsa_is_refused(ns: NetSuite, alg: str) -> None:
    key = {"RS256": None, "HS256": "a-shared-secret-of-at-least-32-bytes!", "none": ""}[alg]
    if alg == "RS256":
        key = netsuite_jwt.sandbox_key(ns.cluster.source_settings()["netsuite"])  # the right key, the wrong padding
    jwt = netsuite_jwt.assertion(key, kid=CERTIFICATE_ID, iss=CLIENT_ID, aud=ns.token_url, alg=alg)
    assert alg in _refusal(ns.login(jwt), 401, "invalid_client")


def test_an_unknown_certificate_id_is_refused(ns: NetSuite) -> None:
    _refusal(ns.login(ns.assertion(kid="not-a-certificate")), 401, "invalid_client")


def test_a_key_that_is_not_the_registered_certificates_is_refused(ns: NetSuite) -> None:
    description = _refusal(ns.login(ns.assertion(netsuite_jwt.new_rsa_key())), 401, "invalid_client")
    assert "signature" in description


def test_a_tampered_assertion_is_refused(ns: NetSuite) -> None:
    header, payload, signature = ns.assertion().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "iss": "someone-else"}).encode()).rstrip(b"=").decode()
    _refusal(ns.login(f"{header}.{forged}.{signature}"), 401, "invalid_client")


def test_an_ec_alg_with_an_rsa_certificate_is_refused(ns: NetSuite) -> None:
    _refusal(ns.login(ns.assertion(netsuite_jwt.new_ec_key(), alg="ES256")), 401, "invalid_client")


def test_an_issuer_other_than_the_mapped_client_id_is_refused(ns: NetSuite) -> None:
    assert "iss" in _refusal(ns.login(ns.assertion(iss="another-integration")), 401, "invalid_client")


def test_a_certificate_mapped_to_another_integration_is_refused_for_this_client(start_netsuite) -> None:
    key = netsuite_jwt.new_rsa_key()
    mapped = NetSuiteCertificate(netsuite_jwt.public_pem(key), "another-integration")
    ns = start_netsuite(netsuite=NetSuiteSettings(certificates={"other": mapped}))
    assert ns.login(ns.assertion(key, kid="other", iss="another-integration")).status_code == 200
    _refusal(ns.login(ns.assertion(key, kid="other")), 401, "invalid_client")


@pytest.mark.parametrize(
    "aud",
    [
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token",
        "http://127.0.0.1:1/services/rest/auth/oauth2/v1/token",
        ["https://example.com/token"],
    ],
)
def test_an_audience_other_than_this_token_endpoint_is_refused(ns: NetSuite, aud: object) -> None:
    assert "aud" in _refusal(ns.login(ns.assertion(aud=aud)), 401, "invalid_client")


def test_an_expired_assertion_is_refused(ns: NetSuite) -> None:
    now = int(time.time())
    assert "expired" in _refusal(ns.login(ns.assertion(iat=now - 600, exp=now - 60)), 401, "invalid_client")


def test_an_assertion_valid_for_more_than_60_minutes_is_refused(ns: NetSuite) -> None:
    now = int(time.time())
    assert ns.login(ns.assertion(iat=now, exp=now + 3600)).status_code == 200
    assert "60 minutes" in _refusal(ns.login(ns.assertion(iat=now, exp=now + 3601)), 401, "invalid_client")


@pytest.mark.parametrize("claim", ["iss", "aud", "iat", "exp"])
def test_an_assertion_missing_a_required_claim_is_refused(ns: NetSuite, claim: str) -> None:
    _refusal(ns.login(ns.assertion(**{claim: OMIT})), 401, "invalid_client")


@pytest.mark.parametrize("scope", [OMIT, "", [], "rest_webservices,openid", "rest_web_services"])
def test_a_missing_or_unknown_scope_is_refused(ns: NetSuite, scope: object) -> None:
    _refusal(ns.login(ns.assertion(scope=scope)), 400, "invalid_scope")


def test_a_scope_the_integration_does_not_allow_is_refused(start_netsuite) -> None:
    ns = start_netsuite(netsuite=NetSuiteSettings(scopes=("rest_webservices",)))
    _refusal(ns.login(ns.assertion(scope="rest_webservices,restlets")), 400, "invalid_scope")


def test_request_without_a_token_is_401_invalid_login(ns: NetSuite) -> None:
    response = httpx.post(f"{ns.url}{SUITEQL}", json={"q": "SELECT id FROM customer"}, headers={"Prefer": "transient"})
    assert response.status_code == 401
    assert response.json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2",
        "title": "Unauthorized",
        "status": 401,
        "o:errorDetails": [
            {
                "detail": "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
                "Setup > Users/Roles > User Management > View Login Audit Trail.",
                "o:errorCode": "INVALID_LOGIN",
            }
        ],
    }


def test_request_with_an_unknown_token_is_401_invalid_login(ns: NetSuite) -> None:
    response = httpx.get(f"{ns.url}{RECORD}/customer/1", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert _error(response)["o:errorCode"] == "INVALID_LOGIN"


# -- SuiteQL: rendering ----------------------------------------------------------------


def test_suiteql_renders_every_value_as_a_string_and_leaves_out_nulls(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    [item] = ns.items("SELECT id, companyname, email, isinactive, terms FROM customer")
    assert item == {"links": [], "id": "1", "companyname": "Client 001 Ltd", "isinactive": "F", "terms": "1"}


def test_suiteql_writes_numbers_as_oracle_does(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=0.5, rate=150.0, day="2026-02-27")
    [item] = ns.items("SELECT quantity, rate, amount FROM charge")
    assert (item["quantity"], item["rate"], item["amount"]) == (".5", "150", "75")


def test_suiteql_returns_dates_and_datetimes_date_only_in_the_user_format(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=1, rate=1, day="2026-02-07")
    [item] = ns.items("SELECT chargedate, lastmodifieddate FROM charge")
    assert (item["chargedate"], item["lastmodifieddate"]) == ("2/7/2026", "3/1/2026")


def test_to_char_returns_the_full_timestamp(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    [item] = ns.items("SELECT TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM customer")
    assert item["modified"] == "2026-03-01 05:15:00"  # T0 is 10:15 UTC; the user is in New York (EST)


# -- the user's time zone -----------------------------------------------------------------

# 2026's US daylight-saving switches: spring forward at 2026-03-08 07:00 UTC (02:00 EST
# becomes 03:00 EDT), fall back at 2026-11-01 06:00 UTC (02:00 EDT becomes 01:00 EST).
SPRING = 1_772_953_200_000
FALL = 1_793_512_800_000
MINUTE_MS = 60_000


def _modified_text(ns: NetSuite) -> dict[int, str]:
    items = ns.items("SELECT id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS m FROM customer ORDER BY id")
    return {int(i["id"]): i["m"] for i in items}


def test_datetimes_render_in_the_users_zone_across_the_spring_switch(ns: NetSuite) -> None:
    seed_customers(ns.store, 1, lastmodified=SPRING - MINUTE_MS, first_id=1)
    seed_customers(ns.store, 1, lastmodified=SPRING, first_id=2)
    assert _modified_text(ns) == {1: "2026-03-08 01:59:00", 2: "2026-03-08 03:00:00"}


def test_the_fall_back_hour_renders_two_instants_as_the_same_local_text(ns: NetSuite) -> None:
    seed_customers(ns.store, 1, lastmodified=FALL - 30 * MINUTE_MS, first_id=1)  # 01:30 EDT
    seed_customers(ns.store, 1, lastmodified=FALL + 30 * MINUTE_MS, first_id=2)  # 01:30 EST
    assert _modified_text(ns) == {1: "2026-11-01 01:30:00", 2: "2026-11-01 01:30:00"}
    # An ambiguous literal is read as standard time (its second occurrence), as Oracle does.
    at = "TO_DATE('2026-11-01 01:30:00', 'YYYY-MM-DD HH24:MI:SS')"
    assert [i["id"] for i in ns.items(f"SELECT id FROM customer WHERE lastmodifieddate = {at}")] == ["2"]
    # An unambiguous literal is exact on either side.
    before = "TO_DATE('2026-11-01 00:59:59', 'YYYY-MM-DD HH24:MI:SS')"
    after = "TO_DATE('2026-11-01 02:00:00', 'YYYY-MM-DD HH24:MI:SS')"
    where = f"lastmodifieddate > {before} AND lastmodifieddate < {after}"
    assert [i["id"] for i in ns.items(f"SELECT id FROM customer WHERE {where} ORDER BY id")] == ["1", "2"]


def test_a_literal_in_the_spring_gap_is_read_with_the_offset_before_it(ns: NetSuite) -> None:
    seed_customers(ns.store, 1, lastmodified=SPRING + 30 * MINUTE_MS)  # 03:30 EDT
    gap = "TO_DATE('2026-03-08 02:30:00', 'YYYY-MM-DD HH24:MI:SS')"
    assert [i["id"] for i in ns.items(f"SELECT id FROM customer WHERE lastmodifieddate = {gap}")] == ["1"]


def test_sysdate_is_local_time_while_the_date_header_stays_gmt(ns: NetSuite) -> None:
    ns.store.set_clock(1_909_137_600_000)  # 2030-07-01T12:00:00Z (forward: the clock never steps back)
    response = ns.query("SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD HH24:MI') AS now FROM currency FETCH FIRST 1 ROWS ONLY")
    assert response.json()["items"][0]["now"] == "2030-07-01 08:00"  # EDT
    assert response.headers["date"].startswith("Mon, 01 Jul 2030 12:00")


def test_dates_are_local_days_compared_with_local_literals(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=1, rate=1, day="2026-02-07")
    literal = "TO_DATE('2026-02-07', 'YYYY-MM-DD')"
    [item] = ns.items(f"SELECT TO_CHAR(chargedate, 'YYYY-MM-DD') AS d FROM charge WHERE chargedate = {literal}")
    assert item["d"] == "2026-02-07"


def test_the_users_zone_is_a_setting(start_netsuite: Callable[..., NetSuite], sandbox_store: Store) -> None:
    ns = start_netsuite(netsuite=NetSuiteSettings(time_zone="UTC"))
    seed_customers(sandbox_store, 1)
    assert _modified_text(ns) == {1: "2026-03-01 10:15:00"}


def test_select_star_returns_lowercase_column_keys(ns: NetSuite) -> None:
    [item] = ns.items("SELECT * FROM Currency WHERE Symbol = 'GBP'")
    assert item["symbol"] == "GBP" and item["exchangerate"] == "1.25" and item["lastmodifieddate"] == "3/1/2026"


def test_unaliased_expressions_are_named_expr1_expr2(ns: NetSuite) -> None:
    seed_customers(ns.store, 3)
    [item] = ns.items("SELECT COUNT(*), MAX(id) FROM customer")
    assert item == {"links": [], "expr1": "3", "expr2": "3"}


def test_builtin_df_shows_the_name_of_the_referenced_record(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    [item] = ns.items("SELECT BUILTIN.DF(c.subsidiary) AS sub, BUILTIN.DF(terms) AS terms FROM customer c")
    assert item["sub"] == "Concord Consulting Ltd (UK)" and item["terms"] == "Net 30"


def test_joins_group_by_and_sum_over_transactions(ns: NetSuite) -> None:
    seed_customers(ns.store, 2)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=100.0)
    seed_invoice(ns.store, 2, customer=1, day="2026-02-02", total=50.25)
    seed_invoice(ns.store, 3, customer=2, day="2026-02-03", total=10.0)
    items = ns.items(
        "SELECT c.entityid, COUNT(*) AS n, SUM(t.foreigntotal) AS total FROM transaction t "
        "JOIN customer c ON c.id = t.entity WHERE t.type = 'CustInvc' GROUP BY c.entityid ORDER BY c.entityid"
    )
    assert [(i["entityid"], i["n"], i["total"]) for i in items] == [
        ("CUST-00001", "2", "150.25"),
        ("CUST-00002", "1", "10"),
    ]


def test_where_supports_in_between_like_is_null_and_or(ns: NetSuite) -> None:
    seed_customers(ns.store, 10)
    q = (
        "SELECT id FROM customer WHERE (id IN (1, 2) OR id BETWEEN 8 AND 9 OR companyname LIKE '%005%') "
        "AND email IS NULL ORDER BY id DESC"
    )
    assert [i["id"] for i in ns.items(q)] == ["9", "8", "5", "2", "1"]


def test_text_date_columns_compare_with_to_date(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    for i, day in enumerate(["2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"], start=1):
        seed_invoice(ns.store, i, customer=1, day=day, total=1.0)
    q = (
        "SELECT tranid FROM transaction WHERE trandate BETWEEN TO_DATE('2026-02-01', 'YYYY-MM-DD') "
        "AND TO_DATE('2/28/2026', 'MM/DD/YYYY') ORDER BY id"
    )
    assert [i["tranid"] for i in ns.items(q)] == ["INV-UK-000002", "INV-UK-000003"]


def test_nulls_sort_last_in_ascending_order_as_in_oracle(ns: NetSuite) -> None:
    seed_customers(ns.store, 3)
    ns.store.connect("netsuite").execute("UPDATE customer SET email = 'a@x.example' WHERE id = 3")
    ns.store.connect("netsuite").commit()
    assert [i["id"] for i in ns.items("SELECT id FROM customer ORDER BY email, id")] == ["3", "1", "2"]


def test_dates_of_a_derived_table_compare_and_render_as_dates(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=1.0)
    q = "SELECT x.d FROM (SELECT trandate AS d FROM transaction) x WHERE x.d >= TO_DATE('2026-02-01', 'YYYY-MM-DD')"
    assert ns.items(q) == [{"links": [], "d": "2/1/2026"}]


# -- SuiteQL: paging and cursors -------------------------------------------------------


def test_paging_follows_next_links_across_several_pages(ns: NetSuite) -> None:
    seed_customers(ns.store, 25)
    response = ns.query("SELECT id FROM customer ORDER BY id", limit=10)
    seen, counts = [], []
    while True:
        body = response.json()
        assert body["totalResults"] == 25
        seen += [int(i["id"]) for i in body["items"]]
        counts.append((body["offset"], body["count"], body["hasMore"]))
        links = {link["rel"]: link["href"] for link in body["links"]}
        if not body["hasMore"]:
            assert "next" not in links
            break
        response = ns.client.post(
            links["next"], json={"q": "SELECT id FROM customer ORDER BY id"}, headers={"Prefer": "transient"}
        )
    assert counts == [(0, 10, True), (10, 10, True), (20, 5, False)]
    assert seen == list(range(1, 26))


def test_cursor_at_a_shared_timestamp_is_inclusive_with_ge_and_exclusive_with_gt(ns: NetSuite) -> None:
    seed_customers(ns.store, 30, lastmodified=T0)
    seed_customers(ns.store, 5, lastmodified=T0 + 1000, first_id=31)
    cursor = "TO_DATE('2026-03-01 05:15:00', 'YYYY-MM-DD HH24:MI:SS')"  # T0 in the user's zone (EST)
    at_or_after = ns.query(f"SELECT id FROM customer WHERE lastmodifieddate >= {cursor} ORDER BY id", limit=1000)
    after = ns.query(f"SELECT id FROM customer WHERE lastmodifieddate > {cursor} ORDER BY id", limit=1000)
    assert at_or_after.json()["totalResults"] == 35
    assert [i["id"] for i in after.json()["items"]] == [str(i) for i in range(31, 36)]


def test_limit_defaults_to_1000(ns: NetSuite) -> None:
    seed_customers(ns.store, 1005)
    body = ns.query("SELECT id FROM customer ORDER BY id").json()
    assert (body["count"], body["hasMore"], body["totalResults"]) == (1000, True, 1005)


def test_limit_above_1000_is_400_invalid_parameter(ns: NetSuite) -> None:
    response = ns.query("SELECT id FROM customer", limit=1001)
    assert response.status_code == 400 and _error(response)["o:errorCode"] == "INVALID_PARAMETER"


def test_offset_that_is_not_a_multiple_of_limit_is_400(ns: NetSuite) -> None:
    response = ns.query("SELECT id FROM customer", limit=10, offset=15)
    assert response.status_code == 400 and _error(response)["o:errorCode"] == "INVALID_PARAMETER"


def test_offset_past_100000_results_is_400(ns: NetSuite) -> None:
    response = ns.query("SELECT id FROM customer", limit=1000, offset=100_000)
    assert response.status_code == 400 and "100000" in _error(response)["detail"]


# -- SuiteQL: errors -------------------------------------------------------------------


def test_unknown_table_is_400_record_not_found(ns: NetSuite) -> None:
    response = ns.query("SELECT id FROM foo")
    assert response.status_code == 400
    assert response.json() == {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [
            {
                "detail": "Invalid search query. Detailed unprocessed description follows. "
                "Search error occurred: Record 'foo' was not found.",
                "o:errorCode": "INVALID_PARAMETER",
            }
        ],
    }


def test_unknown_column_is_400_field_not_found(ns: NetSuite) -> None:
    response = ns.query("SELECT c.id, c.bar FROM customer c")
    assert response.status_code == 400
    assert _error(response)["detail"].endswith(
        "Search error occurred: Field 'bar' for record 'customer' was not found."
    )


def test_syntax_error_is_400_invalid_search(ns: NetSuite) -> None:
    response = ns.query("SELECT id FROM customer WHERE")
    assert response.status_code == 400
    assert _error(response)["detail"].endswith("Invalid or unsupported search.")


def test_only_select_statements_are_run(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    response = ns.query("DELETE FROM customer")
    assert response.status_code == 400
    assert len(ns.items("SELECT id FROM customer")) == 1


def test_suiteql_without_prefer_transient_is_400(ns: NetSuite) -> None:
    response = ns.client.post(SUITEQL, json={"q": "SELECT id FROM customer"})
    assert response.status_code == 400
    assert "Prefer: transient" in _error(response)["detail"]


def test_suiteql_with_a_body_that_is_not_json_is_400(ns: NetSuite) -> None:
    response = ns.client.post(SUITEQL, content=b"{q:", headers={"Prefer": "transient"})
    assert response.status_code == 400 and _error(response)["o:errorCode"] == "INVALID_CONTENT"


# -- record API: reads and writes ------------------------------------------------------


def test_create_returns_204_with_the_location_of_the_new_record(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/customer", json={"companyName": "Acme GmbH", "subsidiary": {"id": "2"}})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["location"] == f"{ns.url}{RECORD}/customer/1"


def test_created_customer_gets_numbering_currency_and_timestamps_in_whole_seconds(ns: NetSuite) -> None:
    customer_id = ns.created_id(
        ns.client.post(f"{RECORD}/customer", json={"companyname": "Acme", "subsidiary": {"id": 2}})
    )
    [row] = ns.store.connect("netsuite").execute("SELECT * FROM customer WHERE id = ?", (customer_id,)).fetchall()
    assert (row["entityid"], row["currency"]) == ("CUST-000001", 2)
    assert row["lastmodifieddate"] % 1000 == 0 and row["datecreated"] == row["lastmodifieddate"]


def test_get_renders_references_with_ref_names_and_iso_datetimes(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    body = ns.client.get(f"{RECORD}/customer/1").json()
    assert body["companyName"] == "Client 001 Ltd" and body["isInactive"] is False
    assert body["subsidiary"]["id"] == "2" and body["subsidiary"]["refName"] == "Concord Consulting Ltd (UK)"
    assert body["lastModifiedDate"] == "2026-03-01T10:15:00Z"
    assert body["links"] == [{"rel": "self", "href": f"{ns.url}{RECORD}/customer/1"}]


def test_get_by_external_id(ns: NetSuite) -> None:
    seed_customers(ns.store, 3)
    assert ns.client.get(f"{RECORD}/customer/eid:CID002").json()["id"] == "2"


def test_patch_changes_only_the_given_fields_and_stamps_lastmodifieddate(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    response = ns.client.patch(f"{RECORD}/customer/1", json={"email": "ap@client.example", "terms": None})
    assert response.status_code == 204
    row = ns.store.connect("netsuite").execute("SELECT * FROM customer WHERE id = 1").fetchone()
    assert (row["email"], row["terms"], row["companyname"]) == ("ap@client.example", None, "Client 001 Ltd")
    assert row["lastmodifieddate"] > T0 and row["lastmodifieddate"] % 1000 == 0


def test_upsert_by_external_id_creates_a_record_that_does_not_exist(ns: NetSuite) -> None:
    response = ns.client.put(f"{RECORD}/customer/eid:CID777", json={"companyName": "New Co", "subsidiary": {"id": "1"}})
    new_id = ns.created_id(response)
    assert ns.client.get(f"{RECORD}/customer/{new_id}").json()["externalId"] == "CID777"


def test_upsert_by_external_id_updates_the_record_that_has_it(ns: NetSuite) -> None:
    seed_customers(ns.store, 2)
    response = ns.client.put(f"{RECORD}/customer/eid:CID002", json={"companyName": "Renamed Ltd"})
    assert ns.created_id(response) == "2"
    assert ns.items("SELECT companyname FROM customer WHERE id = 2")[0]["companyname"] == "Renamed Ltd"
    assert len(ns.items("SELECT id FROM customer")) == 2


def test_put_without_an_external_id_is_400(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    assert ns.client.put(f"{RECORD}/customer/1", json={"companyName": "X"}).status_code == 400


def test_delete_is_hard_and_the_record_is_then_404(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    assert ns.client.delete(f"{RECORD}/customer/1").status_code == 204
    assert ns.client.get(f"{RECORD}/customer/1").status_code == 404
    assert ns.items("SELECT id FROM customer") == []


def test_delete_of_a_record_others_depend_on_is_refused(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=5.0)
    response = ns.client.delete(f"{RECORD}/customer/1")
    assert response.status_code == 400 and _error(response)["o:errorCode"] == "USER_ERROR"


def test_record_list_pages_ids(ns: NetSuite) -> None:
    seed_customers(ns.store, 5)
    body = ns.client.get(f"{RECORD}/customer", params={"limit": 2, "offset": 2}).json()
    assert [i["id"] for i in body["items"]] == ["3", "4"]
    assert (body["count"], body["hasMore"], body["totalResults"]) == (2, True, 5)


def test_record_writes_are_visible_to_suiteql(ns: NetSuite) -> None:
    ns.created_id(ns.client.post(f"{RECORD}/customer", json={"companyName": "Visible", "subsidiary": {"id": "1"}}))
    [item] = ns.items("SELECT companyname, currency FROM customer")
    assert item["companyname"] == "Visible" and item["currency"] == "1"


# -- record API: errors ----------------------------------------------------------------


def test_missing_required_field_is_400_user_error_with_its_path(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/customer", json={"companyName": "No Subsidiary"})
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Bad Request" and body["status"] == 400
    assert body["o:errorDetails"] == [
        {"detail": "Please enter value(s) for: subsidiary.", "o:errorPath": "subsidiary", "o:errorCode": "USER_ERROR"}
    ]


def test_unknown_field_is_400_nonexistent_field(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/customer", json={"companyName": "X", "subsidiary": {"id": 1}, "shoeSize": 9})
    assert response.status_code == 400
    assert (_error(response)["o:errorCode"], _error(response)["o:errorPath"]) == ("NONEXISTENT_FIELD", "shoeSize")


def test_unknown_reference_is_400_invalid_content(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/customer", json={"companyName": "X", "subsidiary": {"id": "99"}})
    assert response.status_code == 400
    error = _error(response)
    assert (error["o:errorCode"], error["o:errorPath"]) == ("INVALID_CONTENT", "subsidiary")
    assert "Invalid Field Value 99" in error["detail"]


def test_wrong_value_type_is_400_invalid_content(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/term", json={"name": "Net 10", "daysUntilNetDue": "ten"})
    assert response.status_code == 400 and _error(response)["o:errorPath"] == "daysUntilNetDue"


def test_unknown_record_id_is_404_nonexistent_id(ns: NetSuite) -> None:
    response = ns.client.get(f"{RECORD}/customer/424242")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found" and _error(response)["o:errorCode"] == "NONEXISTENT_ID"


def test_record_body_that_is_not_json_is_400(ns: NetSuite) -> None:
    response = ns.client.post(f"{RECORD}/customer", content=b"not json")
    assert response.status_code == 400 and _error(response)["o:errorCode"] == "INVALID_CONTENT"


def test_unknown_record_type_is_404(ns: NetSuite) -> None:
    assert ns.client.get(f"{RECORD}/spaceship/1").status_code == 404


def test_charge_missing_billing_item_is_400(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    body = {"billTo": {"id": "1"}, "chargeDate": "2026-02-02", "quantity": 2, "rate": 100}
    response = ns.client.post(f"{RECORD}/charge", json=body)
    assert response.status_code == 400 and _error(response)["o:errorPath"] == "billingItem"


# -- record API: billing ---------------------------------------------------------------


def test_charge_amount_is_quantity_times_rate(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    body = {"billTo": {"id": "1"}, "billingItem": {"id": "2"}, "chargeDate": "2026-02-02", "quantity": 7.5, "rate": 120}
    charge_id = ns.created_id(ns.client.post(f"{RECORD}/charge", json=body))
    record = ns.client.get(f"{RECORD}/charge/{charge_id}").json()
    assert (record["amount"], record["stage"], record["currency"]["id"]) == (900.0, "Ready For Billing", "2")


def test_a_charge_upserted_twice_by_external_id_is_one_charge_with_the_second_values(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    body = {"billTo": {"id": "1"}, "billingItem": {"id": "2"}, "chargeDate": "2026-02-02", "quantity": 8, "rate": 100}
    first = ns.created_id(ns.client.put(f"{RECORD}/charge/eid:harvest-te-7-v1", json=body))
    second = ns.created_id(ns.client.put(f"{RECORD}/charge/eid:harvest-te-7-v1", json={**body, "quantity": 6}))

    assert first == second
    assert ns.items("SELECT externalid, quantity, amount FROM charge") == [
        {"links": [], "externalid": "harvest-te-7-v1", "quantity": "6", "amount": "600"}
    ]


def test_a_billed_charge_keeps_its_amount_but_may_take_a_new_external_id(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=8, rate=150, day="2026-02-02")
    ns.created_id(
        ns.client.post(f"{RECORD}/invoice", json={"entity": {"id": "1"}, "item": {"items": [{"charge": {"id": "1"}}]}})
    )

    refused = ns.client.patch(f"{RECORD}/charge/1", json={"quantity": 6})
    renamed = ns.client.patch(f"{RECORD}/charge/1", json={"externalId": "harvest-te-7-v2"})

    assert refused.status_code == 400 and _error(refused)["o:errorCode"] == "USER_ERROR"
    assert "billed on invoice" in _error(refused)["detail"]
    assert renamed.status_code == 204
    assert ns.items("SELECT externalid, quantity FROM charge") == [
        {"links": [], "externalid": "harvest-te-7-v2", "quantity": "8"}
    ]


def test_invoicing_charges_totals_the_lines_and_marks_the_charges_processed(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=8, rate=150, day="2026-02-02")
    body = {
        "entity": {"id": "1"},
        "trandate": "2026-02-28",
        "item": {"items": [{"charge": {"id": "1"}}, {"item": {"id": "2"}, "quantity": 2, "rate": 99.5}]},
    }
    invoice_id = ns.created_id(ns.client.post(f"{RECORD}/invoice", json=body))
    invoice = ns.client.get(f"{RECORD}/invoice/{invoice_id}", params={"expandSubResources": "true"}).json()
    assert (invoice["total"], invoice["amountRemaining"], invoice["status"]) == (1399.0, 1399.0, "Open")
    assert invoice["dueDate"] == "2026-03-30"
    assert [line["amount"] for line in invoice["item"]["items"]] == [1200.0, 199.0]
    [charge] = ns.items("SELECT stage, invoice FROM charge")
    assert charge == {"links": [], "stage": "Processed", "invoice": invoice_id}


def test_a_processed_charge_cannot_be_invoiced_twice(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=1, rate=1, day="2026-02-02")
    body = {"entity": {"id": "1"}, "item": {"items": [{"charge": {"id": "1"}}]}}
    ns.created_id(ns.client.post(f"{RECORD}/invoice", json=body))
    response = ns.client.post(f"{RECORD}/invoice", json=body)
    assert response.status_code == 400 and _error(response)["o:errorPath"] == "item.items[0].charge"


def test_payment_of_the_whole_amount_sets_the_invoice_paid_in_full(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=500.0)
    body = {
        "customer": {"id": "1"},
        "payment": 500,
        "apply": {"items": [{"doc": {"id": "1"}, "apply": True, "amount": 500}]},
    }
    ns.created_id(ns.client.post(f"{RECORD}/customerpayment", json=body))
    [invoice] = ns.items("SELECT status, foreignamountremaining FROM transaction WHERE id = 1")
    assert invoice == {"links": [], "status": "Paid In Full", "foreignamountremaining": "0"}


def test_partial_payment_lowers_the_amount_remaining_and_leaves_the_invoice_open(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=500.0)
    body = {
        "customer": {"id": "1"},
        "payment": 200,
        "apply": {"items": [{"doc": {"id": "1"}, "apply": True, "amount": 200}]},
    }
    ns.created_id(ns.client.post(f"{RECORD}/customerpayment", json=body))
    [invoice] = ns.items("SELECT status, foreignamountremaining FROM transaction WHERE id = 1")
    assert invoice == {"links": [], "status": "Open", "foreignamountremaining": "300"}


def test_deleting_an_invoice_deletes_its_lines_and_releases_its_charges(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_charge(ns.store, 1, customer=1, quantity=1, rate=10, day="2026-02-02")
    invoice_id = ns.created_id(
        ns.client.post(f"{RECORD}/invoice", json={"entity": {"id": "1"}, "item": {"items": [{"charge": {"id": "1"}}]}})
    )
    assert ns.client.delete(f"{RECORD}/invoice/{invoice_id}").status_code == 204
    assert ns.items("SELECT id FROM transactionline") == []
    assert ns.items("SELECT stage FROM charge")[0]["stage"] == "Ready For Billing"


def test_deleting_a_payment_restores_the_amount_remaining_of_the_invoice(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=500.0)
    body = {"customer": {"id": "1"}, "payment": 500, "apply": {"items": [{"doc": {"id": "1"}, "apply": True}]}}
    payment_id = ns.created_id(ns.client.post(f"{RECORD}/customerpayment", json=body))
    assert ns.client.delete(f"{RECORD}/customerpayment/{payment_id}").status_code == 204
    [invoice] = ns.items("SELECT status, foreignamountremaining FROM transaction")
    assert invoice == {"links": [], "status": "Open", "foreignamountremaining": "500"}


def test_patch_with_replace_item_replaces_the_invoice_lines(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=500.0)
    body = {"item": {"items": [{"item": {"id": "2"}, "quantity": 3, "rate": 10}]}}
    assert ns.client.patch(f"{RECORD}/invoice/1", params={"replace": "item"}, json=body).status_code == 204
    invoice = ns.client.get(f"{RECORD}/invoice/1", params={"expandSubResources": "true"}).json()
    assert [line["amount"] for line in invoice["item"]["items"]] == [30.0]
    assert (invoice["total"], invoice["amountRemaining"]) == (30.0, 30.0)


def test_patch_without_replace_adds_invoice_lines(ns: NetSuite) -> None:
    seed_customers(ns.store, 1)
    seed_invoice(ns.store, 1, customer=1, day="2026-02-01", total=500.0)
    body = {"item": {"items": [{"item": {"id": "2"}, "quantity": 3, "rate": 10}]}}
    assert ns.client.patch(f"{RECORD}/invoice/1", json=body).status_code == 204
    assert ns.client.get(f"{RECORD}/invoice/1").json()["total"] == 530.0


# -- customers' address books -----------------------------------------------------------


def _address_line(label: str, street: str, city: str, **flags: bool) -> dict:
    return {
        "label": label,
        **flags,
        "addressBookAddress": {"addr1": street, "city": city, "zip": "LS1 1AA", "country": "GB"},
    }


def _customer_with_addresses(ns: NetSuite) -> str:
    book = {
        "items": [
            _address_line("Delivery", "1 Dock Road", "Hull", defaultShipping=True),
            _address_line("Billing", "2 Park Row", "Leeds", defaultBilling=True),
        ]
    }
    body = {"companyName": "Two Sites Ltd", "subsidiary": {"id": 2}, "addressBook": book}
    return ns.created_id(ns.client.post(f"{RECORD}/customer", json=body))


def _book(ns: NetSuite, customer_id: str) -> list[dict]:
    record = ns.client.get(f"{RECORD}/customer/{customer_id}", params={"expandSubResources": "true"}).json()
    return record["addressBook"]["items"]


def test_the_address_book_is_a_link_unless_expanded_and_then_holds_its_addresses(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    plain = ns.client.get(f"{RECORD}/customer/{customer_id}").json()
    assert set(plain["addressBook"]) == {"links"}
    assert plain["addressBook"]["links"][0]["href"].endswith(f"/customer/{customer_id}/addressBook")
    lines = _book(ns, customer_id)
    assert [(line["label"], line["defaultBilling"], line["defaultShipping"]) for line in lines] == [
        ("Delivery", False, True),
        ("Billing", True, False),
    ]
    billing = lines[1]["addressBookAddress"]
    assert (billing["addr1"], billing["city"], billing["zip"], billing["country"]) == (
        "2 Park Row",
        "Leeds",
        "LS1 1AA",
        "GB",
    )
    assert billing["addrText"] == "2 Park Row\nLeeds LS1 1AA\nGB" == lines[1]["addressBookAddress_text"]


def test_suiteql_joins_the_default_billing_address_through_defaultbillingaddress(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    [row] = ns.items(
        "SELECT customer.id, entityaddress.addr1, entityaddress.city FROM customer "
        "LEFT JOIN entityaddress ON entityaddress.nkey = customer.defaultbillingaddress "
        f"WHERE customer.id = {customer_id}"
    )
    assert (row["addr1"], row["city"]) == ("2 Park Row", "Leeds")
    lines = ns.items(
        "SELECT b.label, b.defaultbilling, a.city FROM customeraddressbook b "
        f"JOIN entityaddress a ON a.nkey = b.addressbookaddress WHERE b.entity = {customer_id} ORDER BY b.id"
    )
    assert [(r["label"], r["defaultbilling"], r["city"]) for r in lines] == [
        ("Delivery", "F", "Hull"),
        ("Billing", "T", "Leeds"),
    ]


def test_the_old_billing_body_fields_do_not_exist(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    response = ns.query("SELECT id, billaddr1, billcity FROM customer")
    assert response.status_code == 400
    assert _error(response)["detail"].endswith("Field 'billaddr1' for record 'customer' was not found.")
    response = ns.client.patch(f"{RECORD}/customer/{customer_id}", json={"billCity": "York"})
    assert response.status_code == 400
    assert (_error(response)["o:errorCode"], _error(response)["o:errorPath"]) == ("NONEXISTENT_FIELD", "billCity")


def test_patch_of_a_line_by_id_updates_its_address_and_other_lines_stay(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    delivery, billing = _book(ns, customer_id)
    stamp_sql = (
        "SELECT a.lastmodifieddate FROM customer c JOIN entityaddress a ON a.nkey = c.defaultbillingaddress "
        "WHERE c.id = ?"
    )
    [(before,)] = ns.store.connect("netsuite").execute(stamp_sql, (int(customer_id),)).fetchall()
    ns.store.advance_clock(5_000)
    body = {"addressBook": {"items": [{"id": billing["id"], "addressBookAddress": {"city": "York"}}]}}
    assert ns.client.patch(f"{RECORD}/customer/{customer_id}", json=body).status_code == 204
    after_delivery, after_billing = _book(ns, customer_id)
    assert after_delivery == delivery
    assert after_billing["id"] == billing["id"]
    assert after_billing["addressBookAddress"]["city"] == "York"
    assert after_billing["addressBookAddress"]["addr1"] == "2 Park Row"  # fields not sent are kept
    [(after,)] = ns.store.connect("netsuite").execute(stamp_sql, (int(customer_id),)).fetchall()
    assert after >= before + 5_000  # the address carries its own stamp


def test_a_line_without_id_is_added_and_defaultbilling_moves_to_it(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    body = {"addressBook": {"items": [_address_line("New office", "3 Mill Lane", "Bath", defaultBilling=True)]}}
    assert ns.client.patch(f"{RECORD}/customer/{customer_id}", json=body).status_code == 204
    lines = _book(ns, customer_id)
    assert [(line["label"], line["defaultBilling"]) for line in lines] == [
        ("Delivery", False),
        ("Billing", False),
        ("New office", True),
    ]
    [row] = ns.items(
        "SELECT entityaddress.city FROM customer JOIN entityaddress ON entityaddress.nkey = customer.defaultbillingaddress "
        f"WHERE customer.id = {customer_id}"
    )
    assert row["city"] == "Bath"


def test_replace_addressbook_removes_the_lines_not_sent(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    _, billing = _book(ns, customer_id)
    body = {"addressBook": {"items": [{"id": billing["id"], "defaultShipping": True}]}}
    response = ns.client.patch(f"{RECORD}/customer/{customer_id}", params={"replace": "addressBook"}, json=body)
    assert response.status_code == 204
    [line] = _book(ns, customer_id)
    assert (line["id"], line["defaultBilling"], line["defaultShipping"]) == (billing["id"], True, True)
    assert ns.items("SELECT COUNT(*) AS n FROM entityaddress") == [{"links": [], "n": "1"}]


def test_a_line_id_the_customer_does_not_have_is_400(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    body = {"addressBook": {"items": [{"id": 999, "addressBookAddress": {"city": "York"}}]}}
    response = ns.client.patch(f"{RECORD}/customer/{customer_id}", json=body)
    assert response.status_code == 400
    assert (_error(response)["o:errorCode"], _error(response)["o:errorPath"]) == (
        "USER_ERROR",
        "addressBook.items[0].id",
    )


def test_a_customer_read_expanded_can_be_sent_back_unchanged(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    record = ns.client.get(f"{RECORD}/customer/{customer_id}", params={"expandSubResources": "true"}).json()
    assert ns.client.patch(f"{RECORD}/customer/{customer_id}", json=record).status_code == 204
    assert _book(ns, customer_id) == record["addressBook"]["items"]
    plain = ns.client.get(f"{RECORD}/customer/{customer_id}").json()
    assert ns.client.patch(f"{RECORD}/customer/{customer_id}", json=plain).status_code == 204


def test_deleting_a_customer_deletes_its_addresses(ns: NetSuite) -> None:
    customer_id = _customer_with_addresses(ns)
    assert ns.client.delete(f"{RECORD}/customer/{customer_id}").status_code == 204
    assert ns.items("SELECT COUNT(*) AS n FROM customeraddressbook") == [{"links": [], "n": "0"}]
    assert ns.items("SELECT COUNT(*) AS n FROM entityaddress") == [{"links": [], "n": "0"}]


# -- concurrency limit, faults, TLS ----------------------------------------------------


def test_requests_over_the_concurrency_limit_get_429_without_retry_after(start_netsuite) -> None:
    ns = start_netsuite(
        netsuite=NetSuiteSettings(concurrency_limit=2),
        faults={"netsuite": FaultRates(rate_slow=1.0, slow_seconds=0.8)},
    )
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def call() -> None:
        response = ns.client.get(f"{RECORD}/currency/1")
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=call) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [r for r in responses if r.status_code == 429]
    assert sorted(r.status_code for r in responses) == [200, 200, 429, 429, 429, 429]
    assert all("retry-after" not in r.headers for r in refused)
    assert _error(refused[0])["o:errorCode"] == "CONCURRENCY_LIMIT_EXCEEDED"
    assert ns.client.get(f"{RECORD}/currency/1").status_code == 200


def test_injected_429s_happen_at_the_configured_rate_with_netsuite_body(start_netsuite) -> None:
    ns = start_netsuite(faults={"netsuite": FaultRates(rate_429=0.25)})
    statuses = [ns.client.get(f"{RECORD}/currency/1").status_code for _ in range(400)]
    share = statuses.count(429) / len(statuses)
    assert 0.18 <= share <= 0.32
    assert set(statuses) == {200, 429}


def test_injected_500_and_503_use_netsuite_error_bodies(ns: NetSuite) -> None:
    ns.client.put("/__sandbox/faults", json={"rate_500": 1.0})
    failed = ns.client.get(f"{RECORD}/currency/1")
    ns.client.put("/__sandbox/faults", json={"rate_503": 1.0})
    unavailable = ns.client.get(f"{RECORD}/currency/1")
    assert failed.status_code == 500 and _error(failed)["o:errorCode"] == "UNEXPECTED_ERROR"
    assert unavailable.status_code == 503 and unavailable.json()["title"] == "Service Unavailable"


def test_tls_mode_serves_https_verified_with_the_sandbox_ca(start_netsuite) -> None:
    ns = start_netsuite(tls=True)
    assert ns.url.startswith("https://")
    assert ns.client.get(f"{RECORD}/currency/2").json()["symbol"] == "GBP"

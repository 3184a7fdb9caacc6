"""Whatever a client sends, a sandbox answers like its vendor: a 4xx with the vendor's error
body, never a 500 or a traceback. Hypothesis generates the queries and bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandboxes.salesforce.keys import jwt_bearer_form
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from tests.sandboxes import netsuite_jwt

EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SOQL_TOKENS = st.sampled_from(
    "SELECT Id Name Amount CloseDate SystemModstamp IsDeleted FROM Account Opportunity Contract Foo__c WHERE "
    "= != < >= LIKE IN NOT AND OR ( ) , 'x' '%a%' 'it''s' 42 -1.5 true null 2026-01-01 2026-01-01T00:00:00Z "
    "2026-02-30T25:61:00Z 2026-01-01T00:00:00.000+0000 TODAY LAST_N_DAYS:3 ORDER BY ASC DESC NULLS LAST "
    "LIMIT OFFSET COUNT() \\ ' ;".split()
)
SUITEQL_TOKENS = st.sampled_from(
    "SELECT id companyname lastmodifieddate foreigntotal * FROM customer transaction charge nosuchtable WHERE "
    "= <> < >= LIKE IN BETWEEN IS NULL NOT AND OR ( ) , 'x' '%a%' 42 TO_DATE( TO_CHAR( 'YYYY-MM-DD HH24:MI:SS' "
    "'2026-01-01 00:00:00' BUILTIN.DF( ORDER BY ASC DESC GROUP COUNT(*) SUM( JOIN ON t.id c.id DELETE UPDATE ; '".split()
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELD_NAMES = st.sampled_from(
    "Name BillingCountry Amount CloseDate StageName AccountId Id IsDeleted name client_id project_id task_id "
    "spent_date hours companyname subsidiary currency billto billingitem quantity rate chargedate entity item".split()
)
RECORDS = st.dictionaries(FIELD_NAMES | st.text(max_size=10), JSON, max_size=6)


class Clients:
    """Authenticated clients for the three sandboxes of one cluster."""

    def __init__(self, cluster: SandboxCluster) -> None:
        info = cluster.describe()
        self.http = httpx.Client(timeout=30, headers={"User-Agent": "Concord robustness tests"})
        sf = info["salesforce"]
        form = jwt_bearer_form(sf["private_key_path"], sf["client_id"], sf["username"], sf["base_url"])
        token = self.http.post(sf["token_url"], data=form).json()["access_token"]
        self.salesforce = f"{sf['base_url']}/services/data/v{sf['api_version']}"
        self.salesforce_auth = {"Authorization": f"Bearer {token}"}
        hv = info["harvest"]
        self.harvest = hv["base_url"]
        self.harvest_auth = {"Authorization": f"Bearer {hv['access_token']}", "Harvest-Account-Id": hv["account_id"]}
        ns = info["netsuite"]
        self.netsuite = ns["base_url"]
        key = netsuite_jwt.sandbox_key(ns)
        token_url = f"{ns['base_url']}/auth/oauth2/v1/token"
        jwt = netsuite_jwt.assertion(key, kid=ns["certificate_id"], iss=ns["client_id"], aud=token_url)
        ns_token = self.http.post(token_url, data=netsuite_jwt.form(jwt)).json()["access_token"]
        self.netsuite_auth = {"Authorization": f"Bearer {ns_token}", "Prefer": "transient"}


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clients]:
    store_dir: Path = tmp_path_factory.mktemp("robustness") / "sandbox"
    generate(Store(store_dir).create(), size="test", seed=3)
    settings_ = replace(SandboxSettings(store_dir=store_dir, ports={s: 0 for s in SYSTEMS}))
    settings_.harvest.rate_limit_enabled = False
    cluster = SandboxCluster(settings=settings_).start()
    client = Clients(cluster)
    yield client
    client.http.close()
    cluster.stop()


def assert_vendor_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        json.loads(response.text)  # the vendor's JSON error body, not an HTML or text traceback


@EXAMPLES
@given(tokens=st.lists(SOQL_TOKENS, min_size=1, max_size=14), endpoint=st.sampled_from(["query", "queryAll"]))
def test_any_soql_gets_a_salesforce_answer(clients: Clients, tokens: list[str], endpoint: str) -> None:
    response = clients.http.get(
        f"{clients.salesforce}/{endpoint}", params={"q": " ".join(tokens)}, headers=clients.salesforce_auth
    )
    assert_vendor_answer(response)


@EXAMPLES
@given(body=RECORDS, sobject=st.sampled_from(["Account", "Opportunity", "Contract", "Nope__c"]))
def test_any_salesforce_record_body_gets_a_salesforce_answer(clients: Clients, body: dict, sobject: str) -> None:
    response = clients.http.post(f"{clients.salesforce}/sobjects/{sobject}", json=body, headers=clients.salesforce_auth)
    assert_vendor_answer(response)


@EXAMPLES
@given(body=JSON)
def test_any_collections_body_gets_a_salesforce_answer(clients: Clients, body: object) -> None:
    response = clients.http.patch(
        f"{clients.salesforce}/composite/sobjects", json=body, headers=clients.salesforce_auth
    )
    assert_vendor_answer(response)


@EXAMPLES
@given(
    params=st.dictionaries(
        st.sampled_from(["updated_since", "per_page", "page", "from", "to", "is_billed"]),
        st.text(max_size=25),
        max_size=3,
    )
)
def test_any_harvest_list_filter_gets_a_harvest_answer(clients: Clients, params: dict) -> None:
    response = clients.http.get(f"{clients.harvest}/time_entries", params=params, headers=clients.harvest_auth)
    assert_vendor_answer(response)


@EXAMPLES
@given(body=RECORDS, resource=st.sampled_from(["time_entries", "clients", "projects", "expenses"]))
def test_any_harvest_body_gets_a_harvest_answer(clients: Clients, body: dict, resource: str) -> None:
    response = clients.http.post(f"{clients.harvest}/{resource}", json=body, headers=clients.harvest_auth)
    assert_vendor_answer(response)


@EXAMPLES
@given(
    tokens=st.lists(SUITEQL_TOKENS, min_size=1, max_size=14),
    limit=st.sampled_from(["", "0", "1", "1000", "1001", "-5", "x"]),
    offset=st.sampled_from(["", "0", "3", "1000", "100000", "y"]),
)
def test_any_suiteql_gets_a_netsuite_answer(clients: Clients, tokens: list[str], limit: str, offset: str) -> None:
    params = {k: v for k, v in {"limit": limit, "offset": offset}.items() if v}
    response = clients.http.post(
        f"{clients.netsuite}/query/v1/suiteql",
        params=params,
        json={"q": " ".join(tokens)},
        headers=clients.netsuite_auth,
    )
    assert_vendor_answer(response)


@EXAMPLES
@given(body=RECORDS, record_type=st.sampled_from(["customer", "job", "charge", "invoice", "customerpayment"]))
def test_any_netsuite_record_body_gets_a_netsuite_answer(clients: Clients, body: dict, record_type: str) -> None:
    response = clients.http.post(
        f"{clients.netsuite}/record/v1/{record_type}", json=body, headers=clients.netsuite_auth
    )
    assert_vendor_answer(response)

"""The Salesforce source against the Salesforce sandbox over real HTTP, landing into a
real warehouse: what lands is exactly what the org holds, run after run."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import jwt
import pytest
from sandboxes.common import ids, timefmt
from sandboxes.common.faults import FaultRates
from sandboxes.salesforce.keys import jwt_bearer_form
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SalesforceSettings
from sandboxes.simulator import generate, tick
from sandboxes.store import Store

from core.errors import ConcordError
from core.warehouse import Warehouse
from ingestion.config import SalesforceConfig
from ingestion.runner import TableSummary, ingest, make_pipeline
from ingestion.salesforce.client import SalesforceClient, jwt_assertion
from tests.ingestion.warehouse_state import TABLES, differences, in_store

API = "/services/data/v62.0"
MINUTE_MS = 60_000


@dataclass
class Org:
    """A sandbox org, its store, and a warehouse to land it in."""

    store: Store
    cluster: SandboxCluster
    warehouse: Warehouse
    pipelines_dir: Path

    def ingest(self, **options: Any) -> dict[str, TableSummary]:
        config = SalesforceConfig(**self.cluster.source_settings()["salesforce"], batch_size=200)
        (summary,) = ingest(
            systems=("salesforce",),
            warehouse=self.warehouse,
            configs={"salesforce": config},
            pipelines_dir=self.pipelines_dir,
            **options,
        )
        return summary.tables

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse.duckdb_path), read_only=True) as conn:
            return conn.execute(query, params).fetchall()

    def api(self) -> httpx.Client:
        """An authenticated client for writing to the org as a user would."""
        sf = self.cluster.describe()["salesforce"]
        base = sf["base_url"]
        form = jwt_bearer_form(sf["private_key_path"], sf["client_id"], sf["username"], base)
        token = httpx.post(f"{base}/services/oauth2/token", data=form)
        return httpx.Client(
            base_url=f"{base}{API}", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )

    def window_end(self, table: str) -> str:
        state = make_pipeline("salesforce", self.warehouse, self.pipelines_dir).state
        return state["sources"]["salesforce"]["resources"][table]["window_end"]

    def later(self, ms: int = MINUTE_MS) -> None:
        """Moves the org's clock on, so what was just written lies before the next window's
        end (the `Date` header has whole seconds)."""
        self.store.advance_clock(ms)


@pytest.fixture
def firm(tmp_path: Path, start_sandboxes) -> Iterator[Org]:
    """A simulated firm's org (size "test") and a DuckDB warehouse."""
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    yield Org(
        store,
        start_sandboxes(systems=("salesforce",)),
        Warehouse(duckdb_path=tmp_path / "w.duckdb"),
        tmp_path / "dlt",
    )
    store.close()


@pytest.fixture
def empty_org(tmp_path: Path, start_sandboxes) -> Iterator[Org]:
    store = Store(tmp_path / "sandbox").create()
    yield Org(
        store, start_sandboxes(systems=("salesforce",)), Warehouse(duckdb_path=tmp_path / "w.duckdb"), tmp_path / "dlt"
    )
    store.close()


def seed_accounts(store: Store, n: int, stamp_ms: int) -> list[str]:
    """Accounts written straight into the org's store, all with one SystemModstamp."""
    conn = store.connect("salesforce")
    first = conn.execute('SELECT coalesce(max(rowid), 0) FROM "Account"').fetchone()[0] + 1
    rows = [
        (number, ids.salesforce_id("Account", number), f"Client {number:05d}", stamp_ms, stamp_ms, stamp_ms)
        for number in range(first, first + n)
    ]
    conn.executemany(
        'INSERT INTO "Account" (rowid, Id, Name, CreatedDate, LastModifiedDate, SystemModstamp) '
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.commit()
    return [row[1] for row in rows]


def salesforce_tables() -> list:
    return [m for m in TABLES if m.system == "salesforce"]


def ms(value: datetime) -> int:
    return timefmt.from_datetime(value)


# -- loads -------------------------------------------------------------------------------


def test_the_first_load_equals_the_org_table_by_table(firm: Org) -> None:
    summary = firm.ingest()

    assert differences(firm.store, firm.warehouse, systems=("salesforce",)) == []
    for m in salesforce_tables():
        state = in_store(firm.store, m)
        assert summary[m.landed_table].new == len(state.live), m.landed_table
        assert summary[m.landed_table].quarantined == 0


def test_an_incremental_run_after_the_firm_lives_a_week_lands_exactly_the_changes(
    firm: Org, warehouse: Warehouse
) -> None:
    if warehouse.kind == "postgres" and warehouse.postgres_dsn and "postgres@" in warehouse.postgres_dsn:
        # dlt's postgres credentials insist on a password; the local server trusts any.
        warehouse = Warehouse(kind="postgres", postgres_dsn=warehouse.postgres_dsn.replace("postgres@", "postgres:x@"))
    firm.warehouse = warehouse
    firm.ingest()
    before = {m.landed_table: in_store(firm.store, m) for m in salesforce_tables()}
    tick(firm.store, 7)

    summary = firm.ingest()

    assert differences(firm.store, warehouse, systems=("salesforce",)) == []
    changes = 0
    for m in salesforce_tables():
        old, new = before[m.landed_table], in_store(firm.store, m)
        expected = TableSummary(
            new=len(new.live.keys() - old.live.keys() - old.deleted),
            changed=sum(1 for k, v in new.live.items() if k in old.live and old.live[k] != v),
            deleted=len(new.deleted - old.deleted),
        )
        assert summary[m.landed_table] == expected, m.landed_table
        changes += expected.new + expected.changed + expected.deleted
    assert changes > 0


def test_a_full_refresh_re_extracts_everything_and_keeps_the_history(firm: Org) -> None:
    firm.ingest()

    summary = firm.ingest(full_refresh=True)

    assert all(t.new == t.changed == t.deleted == 0 for t in summary.values()), summary
    assert differences(firm.store, firm.warehouse, systems=("salesforce",)) == []
    for m in salesforce_tables():
        (current,) = firm.sql(f"SELECT count(*) FROM raw_salesforce.{m.landed_table}")[0]
        (history,) = firm.sql(f"SELECT count(*) FROM raw_salesforce.{m.landed_table}_history")[0]
        assert history == 2 * current, m.landed_table


# -- window boundaries ---------------------------------------------------------------------


def test_many_records_sharing_a_timestamp_across_pages_land_exactly_once(empty_org: Org) -> None:
    stamp = (empty_org.store.now_ms() - 3_600_000) // 1000 * 1000
    seeded = seed_accounts(empty_org.store, 650, stamp)  # four pages of 200 sharing one SystemModstamp

    summary = empty_org.ingest()

    assert summary["account"].new == 650
    landed = empty_org.sql("SELECT id, count(*) FROM raw_salesforce.account_history GROUP BY id")
    assert sorted(landed) == sorted((i, 1) for i in seeded)


def test_records_stamped_exactly_at_the_window_end_land_in_the_next_run_once(empty_org: Org) -> None:
    seed_accounts(empty_org.store, 10, empty_org.store.now_ms() - 3_600_000)
    empty_org.ingest()
    end = ms(datetime.fromisoformat(empty_org.window_end("account")))
    at_the_end = seed_accounts(empty_org.store, 450, end)
    empty_org.later()

    second = empty_org.ingest()
    third = empty_org.ingest()

    assert second["account"].new == 450
    # nothing landed: a run that loads nothing at all (not even state) reports no tables
    assert third.get("account", TableSummary()) == TableSummary()
    counts = dict(empty_org.sql("SELECT id, count(*) FROM raw_salesforce.account_history GROUP BY id"))
    assert len(counts) == 460 and set(counts.values()) == {1}
    assert set(at_the_end) <= counts.keys()


# -- deletes -----------------------------------------------------------------------------


def test_a_soft_delete_is_marked_deleted_at_its_time_with_its_cascade(firm: Org) -> None:
    firm.ingest()
    conn = firm.store.connect("salesforce")
    opportunity, lines = conn.execute(
        "SELECT o.Id, count(l.Id) FROM Opportunity o JOIN OpportunityLineItem l ON l.OpportunityId = o.Id "
        "WHERE o.IsDeleted = 0 AND l.IsDeleted = 0 GROUP BY o.Id ORDER BY o.rowid LIMIT 1"
    ).fetchone()
    with firm.api() as api:
        assert api.delete(f"/sobjects/Opportunity/{opportunity}").status_code == 204
    firm.later()

    summary = firm.ingest()

    assert (summary["opportunity"].deleted, summary["opportunity_line_item"].deleted) == (1, lines)
    (deleted_ms,) = conn.execute("SELECT DeletedDate FROM Opportunity WHERE Id = ?", (opportunity,)).fetchone()
    rows = firm.sql(
        "SELECT _concord_is_deleted, is_deleted, _concord_deleted_at FROM raw_salesforce.opportunity WHERE id = ?",
        opportunity,
    )
    assert [(d, flag, ms(at)) for d, flag, at in rows] == [(True, True, deleted_ms)]
    line_rows = firm.sql(
        "SELECT _concord_is_deleted, _concord_deleted_at FROM raw_salesforce.opportunity_line_item "
        "WHERE opportunity_id = ?",
        opportunity,
    )
    assert len(line_rows) == lines and all(d and ms(at) == deleted_ms for d, at in line_rows)


def test_a_deletion_only_the_deleted_feed_reports_becomes_a_tombstone_at_its_time(firm: Org) -> None:
    firm.ingest()
    conn = firm.store.connect("salesforce")
    (rate,) = conn.execute("SELECT Id FROM Contract_Rate__c WHERE IsDeleted = 0 ORDER BY rowid LIMIT 1").fetchone()
    deleted_ms = firm.store.now_ms()
    # In the recycle bin, but its SystemModstamp is outside the window: queryAll's window misses it.
    conn.execute("UPDATE Contract_Rate__c SET IsDeleted = 1, DeletedDate = ? WHERE Id = ?", (deleted_ms, rate))
    conn.commit()
    firm.later()

    summary = firm.ingest()

    assert summary["contract_rate"].deleted == 1
    rows = firm.sql(
        "SELECT _concord_is_deleted, is_deleted, _concord_deleted_at, role__c FROM raw_salesforce.contract_rate "
        "WHERE id = ?",
        rate,
    )
    assert [(d, flag, ms(at), role is not None) for d, flag, at, role in rows] == [(True, True, deleted_ms, True)]
    assert differences(firm.store, firm.warehouse, systems=("salesforce",)) == []


def test_a_record_purged_from_the_recycle_bin_is_tombstoned_by_key_reconciliation(firm: Org) -> None:
    firm.ingest()
    conn = firm.store.connect("salesforce")
    (contract,) = conn.execute("SELECT Id FROM Contract WHERE IsDeleted = 0 ORDER BY rowid LIMIT 1").fetchone()
    conn.execute("DELETE FROM Contract WHERE Id = ?", (contract,))  # gone from queryAll and the feed
    conn.commit()

    summary = firm.ingest(reconcile_all=True)

    assert summary["contract"].deleted == 1
    rows = firm.sql(
        "SELECT _concord_is_deleted, _concord_deleted_at FROM raw_salesforce.contract WHERE id = ?", contract
    )
    assert rows[0][0] is True and rows[0][1] is not None


# -- contract, faults, failures ------------------------------------------------------------


def test_records_breaking_the_contract_are_quarantined_with_their_reason_while_the_rest_load(firm: Org) -> None:
    conn = firm.store.connect("salesforce")
    (opportunity,) = conn.execute("SELECT Id FROM Opportunity ORDER BY rowid LIMIT 1").fetchone()
    (account,) = conn.execute("SELECT Id FROM Account ORDER BY rowid LIMIT 1").fetchone()
    conn.execute("UPDATE Opportunity SET CurrencyIsoCode = 'XYZ' WHERE Id = ?", (opportunity,))
    conn.execute("UPDATE Account SET Name = '' WHERE Id = ?", (account,))
    conn.commit()

    summary = firm.ingest()

    assert (summary["opportunity"].quarantined, summary["account"].quarantined) == (1, 1)
    quarantined = firm.sql("SELECT table_name, record_key, reason FROM raw_salesforce._concord_quarantine ORDER BY 1")
    assert quarantined == [
        ("account", account, "required field Name is missing"),
        ("opportunity", opportunity, "unknown currency 'XYZ' in CurrencyIsoCode"),
    ]
    for table, bad in (("opportunity", opportunity), ("account", account)):
        m = next(m for m in salesforce_tables() if m.landed_table == table)
        landed = {row[0] for row in firm.sql(f"SELECT id FROM raw_salesforce.{table}")}
        assert landed == set(in_store(firm.store, m).live) - {bad}


def test_429s_and_5xxs_are_retried_to_an_exact_load(firm: Org) -> None:
    firm.cluster.running["salesforce"].injector.set(FaultRates(rate_503=0.2, rate_429=0.1), seed=3)

    firm.ingest()

    assert differences(firm.store, firm.warehouse, systems=("salesforce",)) == []


def test_a_refused_login_stops_the_run_with_a_one_line_message(firm: Org) -> None:
    config = SalesforceConfig(**{**firm.cluster.source_settings()["salesforce"], "username": "nobody@concord.sandbox"})
    with pytest.raises(ConcordError) as error:
        ingest(
            systems=("salesforce",),
            warehouse=firm.warehouse,
            configs={"salesforce": config},
            pipelines_dir=firm.pipelines_dir,
        )
    message = str(error.value)
    assert "\n" not in message
    assert "invalid_grant" in message and "SOURCES__SALESFORCE__" in message


def test_an_exhausted_daily_api_limit_stops_the_run_with_request_limit_exceeded(
    tmp_path: Path, start_sandboxes
) -> None:
    store = Store(tmp_path / "sandbox").create()
    seed_accounts(store, 5, store.now_ms() - 3_600_000)
    cluster = start_sandboxes(systems=("salesforce",), salesforce=SalesforceSettings(daily_api_limit=4))
    org = Org(store, cluster, Warehouse(duckdb_path=tmp_path / "w.duckdb"), tmp_path / "dlt")

    with pytest.raises(ConcordError, match="REQUEST_LIMIT_EXCEEDED") as error:
        org.ingest()
    assert "\n" not in str(error.value)


def test_a_session_refused_right_after_login_stops_the_run_with_invalid_session_id(
    tmp_path: Path, start_sandboxes
) -> None:
    store = Store(tmp_path / "sandbox").create()
    cluster = start_sandboxes(systems=("salesforce",), salesforce=SalesforceSettings(session_timeout_seconds=0))
    org = Org(store, cluster, Warehouse(duckdb_path=tmp_path / "w.duckdb"), tmp_path / "dlt")

    with pytest.raises(ConcordError, match="INVALID_SESSION_ID"):
        org.ingest()


# -- login flows -----------------------------------------------------------------------------


def land_accounts(org: Org, **config: Any) -> int:
    """Lands the org with the sandbox's settings overridden by `config`; the Accounts landed."""
    settings = {**org.cluster.source_settings()["salesforce"], **config}
    ingest(
        systems=("salesforce",),
        warehouse=org.warehouse,
        configs={"salesforce": SalesforceConfig(**settings)},
        pipelines_dir=org.pipelines_dir,
    )
    return org.sql("SELECT count(DISTINCT id) FROM raw_salesforce.account_history")[0][0]


def test_the_jwt_assertion_names_the_app_the_user_and_the_login_url_and_expires_in_minutes(empty_org: Org) -> None:
    config = SalesforceConfig(**empty_org.cluster.source_settings()["salesforce"])
    before = time.time()
    claims = jwt.decode(jwt_assertion(config), options={"verify_signature": False})
    assert claims["iss"] == config.client_id and claims["sub"] == config.username
    assert claims["aud"] == empty_org.cluster.url("salesforce")
    assert before < claims["exp"] <= before + 181
    assert jwt.get_unverified_header(jwt_assertion(config))["alg"] == "RS256"


def test_a_private_key_given_as_pem_text_logs_in_and_lands(empty_org: Org) -> None:
    seed_accounts(empty_org.store, 3, empty_org.store.now_ms() - 3_600_000)
    pem = Path(empty_org.cluster.source_settings()["salesforce"]["private_key_path"]).read_text()
    assert land_accounts(empty_org, private_key=pem, private_key_path="") == 3


def test_the_client_credentials_flow_logs_in_at_my_domain_and_lands(empty_org: Org) -> None:
    seed_accounts(empty_org.store, 3, empty_org.store.now_ms() - 3_600_000)
    secret = empty_org.cluster.settings.salesforce.client_secret
    flow = {"auth_flow": "client_credentials", "client_secret": secret, "private_key_path": "", "login_url": ""}
    assert land_accounts(empty_org, **flow) == 3


def test_the_password_flow_lands_only_where_the_org_allows_it(tmp_path: Path, start_sandboxes) -> None:
    store = Store(tmp_path / "sandbox").create()
    seed_accounts(store, 2, store.now_ms() - 3_600_000)
    s = SalesforceSettings(password_flow_enabled=True)
    cluster = start_sandboxes(systems=("salesforce",), salesforce=s)
    org = Org(store, cluster, Warehouse(duckdb_path=tmp_path / "w.duckdb"), tmp_path / "dlt")
    flow = {"auth_flow": "password", "client_secret": s.client_secret, "password": s.password}
    assert land_accounts(org, **flow) == 2


def test_the_password_flow_blocked_by_the_org_is_a_one_line_refusal(empty_org: Org) -> None:
    s = empty_org.cluster.settings.salesforce
    flow = {"auth_flow": "password", "client_secret": s.client_secret, "password": s.password}
    with pytest.raises(ConcordError) as error:
        land_accounts(empty_org, **flow)
    message = str(error.value)
    assert "\n" not in message and "invalid_grant: authentication failure" in message
    assert "SOURCES__SALESFORCE__PASSWORD" in message and s.password not in message


def test_a_wrong_client_secret_is_a_one_line_refusal_that_does_not_echo_it(empty_org: Org) -> None:
    with pytest.raises(ConcordError) as error:
        land_accounts(empty_org, auth_flow="client_credentials", client_secret="not-the-secret")
    message = str(error.value)
    assert "\n" not in message and "invalid_client" in message and "not-the-secret" not in message
    assert "SOURCES__SALESFORCE__CLIENT_SECRET" in message


def test_an_expired_session_is_renewed_once_with_a_fresh_assertion(tmp_path: Path, start_sandboxes) -> None:
    Store(tmp_path / "sandbox").create()
    cluster = start_sandboxes(systems=("salesforce",), salesforce=SalesforceSettings(session_timeout_seconds=0.5))
    client = SalesforceClient(SalesforceConfig(**cluster.source_settings()["salesforce"]))
    client.get(f"{client.api}/limits")
    first = client.http.headers["Authorization"]
    time.sleep(0.7)
    assert "DailyApiRequests" in client.get(f"{client.api}/limits")
    assert client.http.headers["Authorization"] != first
    assert client.instance_url == cluster.url("salesforce")


@pytest.mark.parametrize(
    ("flow", "given", "missing", "not_missing"),
    [
        (
            "jwt_bearer",
            {"CLIENT_ID": "3MVG9"},
            ["USERNAME", "PRIVATE_KEY_PATH"],
            ["BASE_URL", "CLIENT_SECRET", "PASSWORD"],
        ),
        ("client_credentials", {"CLIENT_ID": "3MVG9"}, ["BASE_URL", "CLIENT_SECRET"], ["USERNAME", "PRIVATE_KEY"]),
        ("password", {"BASE_URL": "https://x.my.salesforce.com"}, ["CLIENT_ID", "PASSWORD"], ["PRIVATE_KEY"]),
    ],
)
def test_only_the_chosen_flows_missing_settings_are_named(
    monkeypatch, tmp_path: Path, flow: str, given: dict, missing: list, not_missing: list
) -> None:
    monkeypatch.chdir(tmp_path)  # no .dlt/ here
    for name in [k for k in os.environ if k.startswith("SOURCES__SALESFORCE__")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SOURCES__SALESFORCE__AUTH_FLOW", flow)
    for key, value in given.items():
        monkeypatch.setenv(f"SOURCES__SALESFORCE__{key}", value)
    with pytest.raises(ConcordError) as error:
        SalesforceConfig.resolve()
    message = str(error.value)
    assert "\n" not in message
    named = set(message.split("set ", 1)[1].split(" (or", 1)[0].split(", "))
    assert {f"SOURCES__SALESFORCE__{name}" for name in missing} <= named, message
    assert not {f"SOURCES__SALESFORCE__{name}" for name in not_missing} & named, message


def test_an_unknown_auth_flow_is_named(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCES__SALESFORCE__AUTH_FLOW", "oauth")
    with pytest.raises(ConcordError, match="SOURCES__SALESFORCE__AUTH_FLOW"):
        SalesforceConfig.resolve()


# -- history -------------------------------------------------------------------------------


def test_the_history_tells_when_an_opportunity_became_closed_won(firm: Org) -> None:
    firm.ingest()
    (opportunity, stage) = (
        firm.store.connect("salesforce")
        .execute("SELECT Id, StageName FROM Opportunity WHERE IsClosed = 0 AND IsDeleted = 0 ORDER BY rowid LIMIT 1")
        .fetchone()
    )
    with firm.api() as api:
        assert api.patch(f"/sobjects/Opportunity/{opportunity}", json={"StageName": "Closed Won"}).status_code == 204
        won_at = api.get(f"/sobjects/Opportunity/{opportunity}").json()["SystemModstamp"]
    firm.later()
    firm.ingest()

    became_won = firm.sql(
        """
        SELECT _concord_version, system_modstamp
        FROM raw_salesforce.opportunity_history
        WHERE id = ? AND stage_name = 'Closed Won'
        ORDER BY system_modstamp
        LIMIT 1
        """,
        opportunity,
    )
    assert [(version, ms(at)) for version, at in became_won] == [(won_at, timefmt.parse_iso(won_at))]
    stages = firm.sql(
        "SELECT stage_name, is_won FROM raw_salesforce.opportunity_history WHERE id = ? ORDER BY system_modstamp",
        opportunity,
    )
    assert stages == [(stage, False), ("Closed Won", True)]

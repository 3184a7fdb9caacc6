"""The Harvest API v2 sandbox, specified through real HTTP against a served store."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
import pytest
from sandboxes.common.faults import FaultRates
from sandboxes.common.timefmt import parse_iso
from sandboxes.settings import HarvestSettings
from sandboxes.store import Store

TOKEN = "harvest-test-token"
ACCOUNT = "9876543"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Harvest-Account-Id": ACCOUNT,
    "User-Agent": "Concord tests (data-team@concord.example)",
}
T0 = parse_iso("2026-01-02T10:00:00Z")
INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
}


# -- seeding ---------------------------------------------------------------------------------


class Seed:
    """Inserts Harvest rows straight into the store, with explicit timestamps."""

    def __init__(self, store: Store) -> None:
        self.conn = store.connect("harvest")

    def insert(self, table: str, **values: Any) -> int:
        values.setdefault("created_at", T0)
        values.setdefault("updated_at", values["created_at"])
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})", list(values.values())
        )
        self.conn.commit()
        return cursor.lastrowid

    def client(self, name: str = "Acme Ltd", **kw: Any) -> int:
        return self.insert("clients", name=name, currency=kw.pop("currency", "GBP"), **kw)

    def project(self, client_id: int, name: str = "Acme ERP rollout", **kw: Any) -> int:
        return self.insert("projects", client_id=client_id, name=name, **kw)

    def task(self, name: str = "Senior Consultant", **kw: Any) -> int:
        return self.insert("tasks", name=name, **kw)

    def user(self, first: str = "Ada", last: str = "Lovelace", **kw: Any) -> int:
        kw.setdefault("email", f"{first.lower()}@concord.example")
        return self.insert("users", first_name=first, last_name=last, **kw)

    def time_entry(self, firm: Firm, spent_date: str = "2026-01-01", hours: float = 2.0, **kw: Any) -> int:
        return self.insert(
            "time_entries",
            spent_date=spent_date,
            user_id=kw.pop("user_id", firm.user_id),
            client_id=firm.client_id,
            project_id=kw.pop("project_id", firm.project_id),
            task_id=kw.pop("task_id", firm.task_id),
            hours=hours,
            rounded_hours=hours,
            **kw,
        )


@dataclass
class Firm:
    client_id: int
    project_id: int
    task_id: int
    user_id: int
    task_assignment_id: int
    user_assignment_id: int


def seed_firm(seed: Seed) -> Firm:
    client_id = seed.client()
    project_id = seed.project(client_id, code="OPP-000123", bill_by="Tasks", hourly_rate=120.0, budget=50000.0)
    task_id = seed.task(default_hourly_rate=100.0)
    user_id = seed.user(
        access_roles='["administrator"]', roles='["Consulting"]', cost_rate=60.0, default_hourly_rate=110.0
    )
    ta = seed.insert("task_assignments", project_id=project_id, task_id=task_id, hourly_rate=150.0)
    ua = seed.insert("user_assignments", project_id=project_id, user_id=user_id, hourly_rate=140.0)
    return Firm(client_id, project_id, task_id, user_id, ta, ua)


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def seed(sandbox_store: Store) -> Seed:
    return Seed(sandbox_store)


@pytest.fixture
def firm(seed: Seed) -> Firm:
    return seed_firm(seed)


@pytest.fixture
def serve(start_sandboxes: Callable, sandbox_store: Store) -> Callable[..., httpx.Client]:
    """Starts the Harvest sandbox; returns a client for `/v2` sending Harvest's headers."""
    clients: list[httpx.Client] = []

    def start(faults: FaultRates | None = None, tls: bool = False, **harvest: Any) -> httpx.Client:
        harvest.setdefault("rate_limit_enabled", False)
        settings = HarvestSettings(access_token=TOKEN, account_id=ACCOUNT, **harvest)
        extra: dict[str, Any] = {"faults": {"harvest": faults}} if faults else {}
        cluster = start_sandboxes(systems=("harvest",), harvest=settings, tls=tls, **extra)
        verify: Any = ssl.create_default_context(cafile=str(cluster.tls_files.ca_cert)) if tls else True
        client = httpx.Client(base_url=f"{cluster.url('harvest')}/v2", headers=HEADERS, verify=verify, timeout=30)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()


@pytest.fixture
def api(serve: Callable[..., httpx.Client]) -> httpx.Client:
    return serve()


def url(api: httpx.Client, path: str = "") -> str:
    """The absolute URL of a `/v2` path."""
    return str(api.base_url).rstrip("/") + path


def all_pages(api: httpx.Client, path: str, **params: Any) -> tuple[list[dict], list[dict]]:
    """Follows links.next from the first page: (records, page bodies)."""
    key = path.strip("/").split("/")[-1]
    body = api.get(path, params=params).json()
    pages = [body]
    while body["links"]["next"]:
        response = api.get(body["links"]["next"])
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body)
    return [record for page in pages for record in page[key]], pages


# -- headers and authentication -----------------------------------------------------------------


def test_a_request_without_user_agent_is_a_400(api: httpx.Client) -> None:
    response = api.get("/clients", headers={"User-Agent": ""})
    assert response.status_code == 400
    assert response.json() == {"error": "bad_request", "error_description": "Missing User-Agent header"}


def test_a_request_without_a_token_is_a_401_invalid_token(api: httpx.Client) -> None:
    response = httpx.get(url(api, "/clients"), headers={"User-Agent": "x", "Harvest-Account-Id": ACCOUNT})
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_a_wrong_token_is_a_401_invalid_token(api: httpx.Client) -> None:
    response = api.get("/clients", headers={"Authorization": "Bearer not-the-token"})
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


def test_a_missing_or_wrong_account_id_is_a_401_with_the_same_body(api: httpx.Client) -> None:
    wrong = api.get("/clients", headers={"Harvest-Account-Id": "1"})
    missing = httpx.get(url(api, "/clients"), headers={"User-Agent": "x", "Authorization": f"Bearer {TOKEN}"})
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert wrong.json() == missing.json() == INVALID_TOKEN


def test_credentials_may_be_given_as_query_parameters(api: httpx.Client) -> None:
    response = httpx.get(
        url(api, "/clients"), params={"access_token": TOKEN, "account_id": ACCOUNT}, headers={"User-Agent": "x"}
    )
    assert response.status_code == 200


def test_users_me_is_the_first_administrator(seed: Seed, api: httpx.Client) -> None:
    seed.user("Bob", "Member")
    admin_id = seed.user("Grace", "Hopper", access_roles='["administrator"]')
    me = api.get("/users/me").json()
    assert (me["id"], me["first_name"], me["access_roles"]) == (admin_id, "Grace", ["administrator"])


def test_company_describes_the_account(api: httpx.Client) -> None:
    company = api.get("/company").json()
    assert company["is_active"] is True
    assert company["name"] == "Concord Consulting"


# -- lists and paging ---------------------------------------------------------------------------------


def test_following_links_next_serves_every_record_once_newest_first(seed: Seed, api: httpx.Client) -> None:
    ids = [seed.client(f"Client {n:02d}") for n in range(25)]
    records, pages = all_pages(api, "/clients", per_page=10)
    assert [c["id"] for c in records] == sorted(ids, reverse=True)
    assert [len(p["clients"]) for p in pages] == [10, 10, 5]
    assert all((p["total_entries"], p["total_pages"], p["per_page"]) == (25, 3, 10) for p in pages)


def test_the_first_page_has_harvests_paging_metadata_and_a_cursor_next_link(seed: Seed, api: httpx.Client) -> None:
    for n in range(5):
        seed.client(f"Client {n}")
    body = api.get("/clients", params={"per_page": 2}).json()
    assert (body["page"], body["next_page"], body["previous_page"]) == (1, 2, None)
    assert body["links"]["first"] == f"{url(api)}/clients?page=1&per_page=2&ref=first"
    assert body["links"]["last"] == f"{url(api)}/clients?page=3&per_page=2&ref=last"
    assert "cursor=" in body["links"]["next"] and body["links"]["next"].endswith("ref=next_cursor")
    assert body["links"]["previous"] is None


def test_the_last_page_reached_by_cursor_has_no_next(seed: Seed, api: httpx.Client) -> None:
    for n in range(5):
        seed.client(f"Client {n}")
    _, pages = all_pages(api, "/clients", per_page=2)
    middle, last = pages[1], pages[-1]
    assert (middle["page"], middle["next_page"], middle["previous_page"]) == (None, None, None)
    assert (last["page"], last["next_page"], last["previous_page"], last["links"]["next"]) == (3, None, 2, None)


def test_page_numbers_serve_the_nth_page(seed: Seed, api: httpx.Client) -> None:
    ids = sorted((seed.client(f"Client {n}") for n in range(5)), reverse=True)
    body = api.get("/clients", params={"per_page": 2, "page": 2}).json()
    assert [c["id"] for c in body["clients"]] == ids[2:4]
    assert (body["page"], body["next_page"], body["previous_page"]) == (2, 3, 1)
    assert body["links"]["previous"] == f"{url(api)}/clients?page=1&per_page=2&ref=previous"


def test_an_empty_list_has_one_empty_page(api: httpx.Client) -> None:
    body = api.get("/clients").json()
    assert body["clients"] == []
    assert (body["total_entries"], body["total_pages"], body["per_page"], body["links"]["next"]) == (0, 1, 2000, None)


@pytest.mark.parametrize("per_page", ["0", "2001", "ten"])
def test_per_page_outside_1_to_2000_is_a_422(api: httpx.Client, per_page: str) -> None:
    response = api.get("/clients", params={"per_page": per_page})
    assert response.status_code == 422
    assert "per_page" in response.json()["message"]


def test_an_invalid_cursor_is_a_422(api: httpx.Client) -> None:
    response = api.get("/clients", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json() == {"message": "Invalid cursor"}


def test_links_repeat_the_filters(seed: Seed, api: httpx.Client) -> None:
    for n in range(4):
        seed.client(f"Active {n}")
    seed.client("Archived", is_active=0)
    records, pages = all_pages(api, "/clients", per_page=2, is_active="true")
    assert "is_active=true" in pages[0]["links"]["next"]
    assert len(records) == 4 and all(c["is_active"] for c in records)


def test_cursor_paging_is_stable_while_records_are_added_and_deleted(seed: Seed, api: httpx.Client) -> None:
    ids = sorted((seed.client(f"Client {n}") for n in range(6)), reverse=True)
    first = api.get("/clients", params={"per_page": 3}).json()
    seed.client("Created mid-sync")
    assert api.delete(f"/clients/{ids[0]}").status_code == 200
    second = api.get(first["links"]["next"]).json()
    assert [c["id"] for c in second["clients"]] == ids[3:]


def test_updated_since_includes_every_record_at_the_boundary_second(seed: Seed, api: httpx.Client) -> None:
    seed.client("Before", updated_at=T0 - 1000)
    same_second = {seed.client(f"At boundary {n}", updated_at=T0) for n in range(5)}
    after = seed.client("After", updated_at=T0 + 1000)
    at = api.get("/clients", params={"updated_since": "2026-01-02T10:00:00Z"}).json()
    assert {c["id"] for c in at["clients"]} == same_second | {after}
    past = api.get("/clients", params={"updated_since": "2026-01-02T10:00:01Z"}).json()
    assert [c["id"] for c in past["clients"]] == [after]


def test_updated_since_accepts_offsets_and_fractions(seed: Seed, api: httpx.Client) -> None:
    client_id = seed.client(updated_at=T0)
    body = api.get("/clients", params={"updated_since": "2026-01-02T11:00:00.000+01:00"}).json()
    assert [c["id"] for c in body["clients"]] == [client_id]


def test_an_unparseable_updated_since_is_a_422(api: httpx.Client) -> None:
    response = api.get("/clients", params={"updated_since": "yesterday"})
    assert response.status_code == 422
    assert "updated_since" in response.json()["message"]


def test_time_entries_are_newest_spent_date_first_then_newest_id(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    a = seed.time_entry(firm, "2026-01-05")
    b = seed.time_entry(firm, "2026-01-07")
    c = seed.time_entry(firm, "2026-01-05")
    records, _ = all_pages(api, "/time_entries", per_page=1)
    assert [t["id"] for t in records] == [b, c, a]


def test_time_entry_from_and_to_are_inclusive_on_spent_date(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    for day in ("2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07"):
        seed.time_entry(firm, day)
    body = api.get("/time_entries", params={"from": "2026-01-05", "to": "2026-01-06"}).json()
    assert [t["spent_date"] for t in body["time_entries"]] == ["2026-01-06", "2026-01-05"]


def test_time_entries_filter_by_user_project_billed_running_and_approval(
    seed: Seed, firm: Firm, api: httpx.Client
) -> None:
    other_user = seed.user("Bob", "Builder")
    wanted = seed.time_entry(firm, is_billed=1, approval_status="approved")
    seed.time_entry(firm, user_id=other_user, is_billed=1, approval_status="approved")
    seed.time_entry(firm, is_billed=0, approval_status="approved")
    seed.time_entry(firm, is_billed=1, approval_status="submitted")
    seed.time_entry(firm, is_billed=1, approval_status="approved", is_running=1)
    params = {
        "user_id": firm.user_id,
        "project_id": firm.project_id,
        "client_id": firm.client_id,
        "task_id": firm.task_id,
        "is_billed": "true",
        "is_running": "false",
        "approval_status": "approved",
    }
    body = api.get("/time_entries", params=params).json()
    assert [t["id"] for t in body["time_entries"]] == [wanted]


def test_an_unknown_approval_status_filter_is_a_422(api: httpx.Client) -> None:
    assert api.get("/time_entries", params={"approval_status": "pending"}).status_code == 422


def test_projects_filter_by_client(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    other = seed.project(seed.client("Globex"), "Globex audit")
    body = api.get("/projects", params={"client_id": firm.client_id}).json()
    assert [p["id"] for p in body["projects"]] == [firm.project_id]
    assert other not in [p["id"] for p in body["projects"]]


def test_expenses_filter_by_date_range_and_project(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    seed.insert("expense_categories", name="Travel")
    common = {"client_id": firm.client_id, "user_id": firm.user_id, "expense_category": "Travel", "total_cost": 10.0}
    inside = seed.insert("expenses", project_id=firm.project_id, spent_date="2026-01-05", **common)
    seed.insert("expenses", project_id=firm.project_id, spent_date="2026-02-05", **common)
    params = {"project_id": firm.project_id, "from": "2026-01-01", "to": "2026-01-31"}
    body = api.get("/expenses", params=params).json()
    assert [e["id"] for e in body["expenses"]] == [inside]
    assert body["expenses"][0]["expense_category"]["name"] == "Travel"


def test_a_projects_task_assignments_are_listed_under_it(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    other_project = seed.project(firm.client_id, "Other")
    seed.insert("task_assignments", project_id=other_project, task_id=firm.task_id)
    body = api.get(f"/projects/{firm.project_id}/task_assignments").json()
    assert [a["id"] for a in body["task_assignments"]] == [firm.task_assignment_id]
    assert body["task_assignments"][0]["task"] == {"id": firm.task_id, "name": "Senior Consultant"}
    assert body["links"]["first"].startswith(f"{url(api)}/projects/{firm.project_id}/task_assignments?")


def test_account_wide_user_assignments_filter_by_user(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    other = seed.user("Bob", "Builder")
    seed.insert("user_assignments", project_id=firm.project_id, user_id=other)
    body = api.get("/user_assignments", params={"user_id": firm.user_id}).json()
    assert [a["id"] for a in body["user_assignments"]] == [firm.user_assignment_id]
    assert body["user_assignments"][0]["user"] == {"id": firm.user_id, "name": "Ada Lovelace"}


# -- object shapes ----------------------------------------------------------------------------------


def test_a_time_entry_has_harvests_shape(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    entry_id = seed.time_entry(
        firm,
        hours=1.5,
        notes="Workshop",
        billable_rate=150.0,
        cost_rate=60.0,
        invoice_id=77,
        external_reference='{"id":"JIRA-1","group_id":"G","permalink":"https://jira.example/JIRA-1"}',
    )
    entry = api.get(f"/time_entries/{entry_id}").json()
    assert entry["client"] == {"id": firm.client_id, "name": "Acme Ltd", "currency": "GBP"}
    assert entry["project"] == {"id": firm.project_id, "name": "Acme ERP rollout", "code": "OPP-000123"}
    assert entry["task"] == {"id": firm.task_id, "name": "Senior Consultant"}
    assert entry["user"] == {"id": firm.user_id, "name": "Ada Lovelace"}
    assert entry["task_assignment"]["id"] == firm.task_assignment_id
    assert entry["task_assignment"]["hourly_rate"] == 150.0
    assert entry["user_assignment"]["id"] == firm.user_assignment_id
    assert entry["invoice"] == {"id": 77, "number": "77"}
    assert entry["external_reference"]["id"] == "JIRA-1"
    assert (entry["hours"], entry["rounded_hours"], entry["billable_rate"], entry["cost_rate"]) == (
        1.5,
        1.5,
        150.0,
        60.0,
    )
    assert entry["is_locked"] is False and entry["billable"] is True and entry["is_running"] is False
    assert (entry["spent_date"], entry["created_at"]) == ("2026-01-01", "2026-01-02T10:00:00Z")


def test_a_project_carries_its_client_and_a_user_its_roles(firm: Firm, api: httpx.Client) -> None:
    project = api.get(f"/projects/{firm.project_id}").json()
    user = api.get(f"/users/{firm.user_id}").json()
    assert project["client"] == {"id": firm.client_id, "name": "Acme Ltd", "currency": "GBP"}
    assert (project["bill_by"], project["budget"], project["is_billable"]) == ("Tasks", 50000.0, True)
    assert (user["roles"], user["access_roles"]) == (["Consulting"], ["administrator"])


def test_a_missing_record_is_a_404(api: httpx.Client) -> None:
    for path in ("/clients/424242", "/clients/not-a-number", "/nothing-here"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json() == {"status": 404, "error": "Not Found"}


# -- writes ---------------------------------------------------------------------------------------------


def test_creating_a_client_answers_201_with_the_full_object(sandbox_store: Store, api: httpx.Client) -> None:
    sandbox_store.set_clock(parse_iso("2026-03-01T09:30:00.700Z"))
    response = api.post("/clients", json={"name": "Initech", "currency": "EUR"})
    assert response.status_code == 201
    client = response.json()
    assert (client["name"], client["currency"], client["is_active"]) == ("Initech", "EUR", True)
    assert client["created_at"] == client["updated_at"]
    assert client["created_at"].startswith("2026-03-01T09:3") and client["created_at"].endswith("Z")
    assert api.get(f"/clients/{client['id']}").json() == client


def test_patching_changes_only_the_given_fields_and_stamps_updated_at(seed: Seed, api: httpx.Client) -> None:
    client_id = seed.client(address="1 Main St", updated_at=T0 - 86_400_000)
    response = api.patch(f"/clients/{client_id}", json={"name": "Acme Group"})
    assert response.status_code == 200
    client = response.json()
    assert (client["name"], client["address"], client["currency"]) == ("Acme Group", "1 Main St", "GBP")
    assert parse_iso(client["updated_at"]) > T0 and parse_iso(client["updated_at"]) % 1000 == 0


def test_a_duplicate_client_name_is_a_422(seed: Seed, api: httpx.Client) -> None:
    seed.client("Acme Ltd")
    response = api.post("/clients", json={"name": "Acme Ltd"})
    assert response.status_code == 422
    assert response.json() == {"message": "Name has already been taken"}


def test_deleting_a_client_removes_it_for_good(seed: Seed, api: httpx.Client) -> None:
    client_id = seed.client()
    response = api.delete(f"/clients/{client_id}")
    assert (response.status_code, response.content) == (200, b"")
    assert api.get(f"/clients/{client_id}").status_code == 404
    assert api.get("/clients").json()["total_entries"] == 0


def test_a_client_with_projects_cannot_be_deleted(firm: Firm, api: httpx.Client) -> None:
    response = api.delete(f"/clients/{firm.client_id}")
    assert response.status_code == 422
    assert "cannot be deleted" in response.json()["message"]


def test_deleting_a_project_deletes_its_assignments_time_and_expenses(
    seed: Seed, firm: Firm, api: httpx.Client
) -> None:
    entry_id = seed.time_entry(firm)
    seed.insert("expense_categories", name="Travel")
    expense = {"client_id": firm.client_id, "user_id": firm.user_id, "expense_category": "Travel", "total_cost": 5.0}
    seed.insert("expenses", project_id=firm.project_id, spent_date="2026-01-01", **expense)
    assert api.delete(f"/projects/{firm.project_id}").status_code == 200
    assert api.get(f"/time_entries/{entry_id}").status_code == 404
    for path in ("/time_entries", "/expenses", "/task_assignments", "/user_assignments", "/projects"):
        assert api.get(path).json()["total_entries"] == 0, path


def test_a_task_assignment_with_time_tracked_cannot_be_deleted(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    seed.time_entry(firm)
    response = api.delete(f"/projects/{firm.project_id}/task_assignments/{firm.task_assignment_id}")
    assert response.status_code == 422
    assert "has time tracked" in response.json()["message"]


def test_a_user_assignment_without_time_is_deleted(firm: Firm, api: httpx.Client) -> None:
    path = f"/projects/{firm.project_id}/user_assignments/{firm.user_assignment_id}"
    assert api.delete(path).status_code == 200
    assert api.get(path).status_code == 404


def test_an_unsupported_method_is_a_405(api: httpx.Client) -> None:
    response = api.put("/clients")
    assert (response.status_code, response.json()) == (405, {"status": 405, "error": "Method Not Allowed"})


def test_ids_are_never_reused_after_the_newest_record_is_deleted(seed: Seed, api: httpx.Client) -> None:
    newest = seed.client("Newest")
    api.delete(f"/clients/{newest}")
    assert api.post("/clients", json={"name": "Next"}).json()["id"] > newest


def test_creating_a_project_requires_harvests_required_fields(firm: Firm, api: httpx.Client) -> None:
    response = api.post("/projects", json={"client_id": firm.client_id, "name": "No billing set"})
    assert response.status_code == 422
    assert response.json() == {"message": "Is billable can't be blank"}


def test_creating_a_project_for_an_unknown_client_is_a_422(api: httpx.Client) -> None:
    body = {"client_id": 999, "name": "P", "is_billable": True, "bill_by": "Project", "budget_by": "project"}
    response = api.post("/projects", json=body)
    assert (response.status_code, response.json()) == (422, {"message": "Client must exist"})


def test_a_task_assignment_is_created_once_per_project_and_task(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    task_id = seed.task("Architect", default_hourly_rate=200.0)
    path = f"/projects/{firm.project_id}/task_assignments"
    created = api.post(path, json={"task_id": task_id, "billable": True})
    assert created.status_code == 201
    assert (created.json()["hourly_rate"], created.json()["task"]["name"]) == (200.0, "Architect")
    again = api.post(path, json={"task_id": task_id})
    assert (again.status_code, again.json()) == (422, {"message": "Task has already been taken"})


def test_a_task_assignment_rate_can_be_changed(firm: Firm, api: httpx.Client) -> None:
    path = f"/projects/{firm.project_id}/task_assignments/{firm.task_assignment_id}"
    assert api.patch(path, json={"hourly_rate": 175}).json()["hourly_rate"] == 175.0


def test_a_user_assignment_is_created_under_a_project(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    user_id = seed.user("Grace", "Hopper")
    response = api.post(f"/projects/{firm.project_id}/user_assignments", json={"user_id": user_id, "hourly_rate": 130})
    assert response.status_code == 201
    assert (response.json()["user"]["name"], response.json()["hourly_rate"]) == ("Grace Hopper", 130.0)


def test_creating_a_time_entry_derives_client_rates_and_user(firm: Firm, api: httpx.Client) -> None:
    body = {
        "project_id": firm.project_id,
        "task_id": firm.task_id,
        "spent_date": "2026-01-03",
        "hours": 3.25,
        "notes": "Design",
        "external_reference": {"id": "CONCORD-1", "group_id": "g1", "permalink": "https://concord.example/1"},
    }
    response = api.post("/time_entries", json=body)
    assert response.status_code == 201
    entry = response.json()
    assert entry["client"]["id"] == firm.client_id
    assert entry["user"]["id"] == firm.user_id  # the authenticated user
    assert (entry["billable_rate"], entry["cost_rate"], entry["hours"]) == (150.0, 60.0, 3.25)
    assert entry["external_reference"]["id"] == "CONCORD-1"
    assert (entry["approval_status"], entry["is_running"]) == ("unsubmitted", False)


def test_a_time_entry_without_hours_starts_a_running_timer(firm: Firm, api: httpx.Client) -> None:
    body = {"project_id": firm.project_id, "task_id": firm.task_id, "spent_date": "2026-01-03"}
    entry = api.post("/time_entries", json=body).json()
    assert (entry["hours"], entry["is_running"]) == (0.0, True)


@pytest.mark.parametrize(("bill_by", "rate"), [("Project", 120.0), ("Tasks", 150.0), ("People", 140.0), ("none", None)])
def test_a_time_entrys_billable_rate_follows_the_projects_bill_by(
    seed: Seed, firm: Firm, api: httpx.Client, bill_by: str, rate: float | None
) -> None:
    seed.conn.execute("UPDATE projects SET bill_by = ?", (bill_by,))
    seed.conn.commit()
    body = {"project_id": firm.project_id, "task_id": firm.task_id, "spent_date": "2026-01-03", "hours": 1}
    assert api.post("/time_entries", json=body).json()["billable_rate"] == rate


def test_a_time_entry_for_a_task_not_on_the_project_is_a_422(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    other_task = seed.task("Unassigned")
    body = {"project_id": firm.project_id, "task_id": other_task, "spent_date": "2026-01-03", "hours": 1}
    response = api.post("/time_entries", json=body)
    assert (response.status_code, response.json()) == (422, {"message": "Task is not assigned to the project"})


def test_a_time_entry_for_an_unknown_project_is_a_422(firm: Firm, api: httpx.Client) -> None:
    body = {"project_id": 999, "task_id": firm.task_id, "spent_date": "2026-01-03", "hours": 1}
    response = api.post("/time_entries", json=body)
    assert (response.status_code, response.json()) == (422, {"message": "Project must exist"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spent_date": None}, "Spent date can't be blank"),
        ({"spent_date": "2026-02-30"}, "Spent date is not a valid date (YYYY-MM-DD)"),
        ({"hours": "lots"}, "Hours is not a number"),
        ({"project_id": "abc"}, "Project must be an integer"),
        ({"external_reference": "JIRA-1"}, "External reference must be an object"),
    ],
)
def test_invalid_time_entry_fields_are_a_422_with_a_message(
    firm: Firm, api: httpx.Client, change: dict, message: str
) -> None:
    body = {"project_id": firm.project_id, "task_id": firm.task_id, "spent_date": "2026-01-03", "hours": 1, **change}
    response = api.post("/time_entries", json={k: v for k, v in body.items() if v is not None})
    assert (response.status_code, response.json()) == (422, {"message": message})


def test_a_malformed_json_body_is_a_400(api: httpx.Client) -> None:
    response = api.post("/clients", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


def test_form_encoded_parameters_are_accepted(api: httpx.Client) -> None:
    response = api.post("/tasks", data={"name": "Analyst", "billable_by_default": "false", "default_hourly_rate": "90"})
    assert response.status_code == 201
    assert (response.json()["billable_by_default"], response.json()["default_hourly_rate"]) == (False, 90.0)


def test_approving_a_time_entry_locks_it(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    entry_id = seed.time_entry(firm, notes="kept")
    entry = api.patch(f"/time_entries/{entry_id}", json={"approval_status": "approved"}).json()
    assert (entry["approval_status"], entry["is_locked"], entry["notes"]) == ("approved", True, "kept")
    assert entry["locked_reason"]


def test_deleting_a_time_entry_removes_it_without_a_trace(seed: Seed, firm: Firm, api: httpx.Client) -> None:
    entry_id = seed.time_entry(firm)
    assert api.delete(f"/time_entries/{entry_id}").status_code == 200
    assert api.get("/time_entries", params={"updated_since": "2000-01-01T00:00:00Z"}).json()["time_entries"] == []


def test_an_expense_in_a_unit_priced_category_costs_units_times_price(firm: Firm, api: httpx.Client) -> None:
    category = api.post("/expense_categories", json={"name": "Mileage", "unit_name": "mile", "unit_price": 0.5}).json()
    body = {
        "project_id": firm.project_id,
        "expense_category_id": category["id"],
        "spent_date": "2026-01-03",
        "units": 30,
    }
    expense = api.post("/expenses", json=body).json()
    assert (expense["total_cost"], expense["expense_category"]["name"], expense["client"]["id"]) == (
        15.0,
        "Mileage",
        firm.client_id,
    )


# -- rate limit, faults, TLS -----------------------------------------------------------------------------


def test_over_the_rate_limit_is_a_429_with_retry_after_then_served_again(serve: Callable[..., httpx.Client]) -> None:
    api = serve(rate_limit_enabled=True, rate_limit_requests=3, rate_limit_window_seconds=1.0)
    assert [api.get("/clients").status_code for _ in range(3)] == [200, 200, 200]
    throttled = api.get("/clients")
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json() == {"message": "Too many requests. Retry after 1 seconds."}
    time.sleep(1.05)
    assert api.get("/clients").status_code == 200


def test_with_the_rate_limit_off_nothing_is_throttled(serve: Callable[..., httpx.Client]) -> None:
    api = serve(rate_limit_enabled=False, rate_limit_requests=1, rate_limit_window_seconds=60.0)
    assert {api.get("/clients").status_code for _ in range(5)} == {200}


def test_injected_429s_happen_at_the_configured_rate(serve: Callable[..., httpx.Client]) -> None:
    api = serve(faults=FaultRates(rate_429=0.25, retry_after_seconds=2))
    responses = [api.get("/company") for _ in range(400)]
    throttled = [r for r in responses if r.status_code == 429]
    assert 0.18 <= len(throttled) / 400 <= 0.32
    assert throttled[0].headers["Retry-After"] == "2"
    assert throttled[0].json() == {"message": "Too many requests. Retry after 2 seconds."}


def test_injected_server_errors_carry_a_json_message(serve: Callable[..., httpx.Client]) -> None:
    api = serve(faults=FaultRates(rate_500=0.5, rate_503=0.5))
    statuses = {}
    for _ in range(20):
        response = api.get("/company")
        statuses[response.status_code] = orjson.loads(response.content)
    assert set(statuses) == {500, 503}
    assert all(isinstance(body["message"], str) for body in statuses.values())


def test_the_sandbox_serves_https_verified_by_its_ca(serve: Callable[..., httpx.Client]) -> None:
    api = serve(tls=True)
    assert str(api.base_url).startswith("https://")
    assert api.get("/company").status_code == 200


# -- OAuth 2.0: Harvest ID's token endpoint and expiring access tokens ------------------


def refresh(api: httpx.Client, **overrides: str) -> httpx.Response:
    s = HarvestSettings()
    form = {
        "refresh_token": s.oauth_refresh_token,
        "client_id": s.oauth_client_id,
        "client_secret": s.oauth_client_secret,
        "grant_type": "refresh_token",
        **overrides,
    }
    return httpx.post(url(api).removesuffix("/v2") + "/api/v2/oauth2/token", data=form, timeout=30)


def test_a_refresh_returns_a_bearer_access_token_that_the_api_accepts(api: httpx.Client) -> None:
    response = refresh(api)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    me = api.get("/company", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200, me.text


def test_an_expired_oauth_access_token_is_refused_with_invalid_token(serve: Callable[..., httpx.Client]) -> None:
    api = serve(oauth_access_token_ttl_seconds=0.3)
    token = refresh(api).json()["access_token"]
    assert api.get("/company", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    time.sleep(0.5)
    response = api.get("/company", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json() == INVALID_TOKEN


def test_a_refresh_with_a_wrong_client_secret_or_refresh_token_is_refused(api: httpx.Client) -> None:
    wrong_secret = refresh(api, client_secret="nope")
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    wrong_token = refresh(api, refresh_token="nope")
    assert wrong_token.status_code == 400 and wrong_token.json()["error"] == "invalid_grant"
    assert refresh(api, grant_type="authorization_code").json()["error"] == "unsupported_grant_type"

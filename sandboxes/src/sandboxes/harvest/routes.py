"""The `/v2` routes: lists with each resource's filters, single records, writes, and the
account endpoints (`/users/me`, `/company`) clients call first."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from sandboxes.harvest import resources as r
from sandboxes.harvest import writes as w
from sandboxes.harvest.errors import json_response, not_found
from sandboxes.harvest.listing import Filters, fetch, list_page
from sandboxes.harvest.params import read_body
from sandboxes.settings import HarvestSettings
from sandboxes.store import Store

APPROVAL_STATUSES = ("unsubmitted", "submitted", "approved")
FilterBuilder = Callable[[Filters], Filters]
Create = Callable[[sqlite3.Connection, dict, w.WriteContext], int]
Update = Callable[[sqlite3.Connection, int, dict, w.WriteContext], None]
Delete = Callable[[sqlite3.Connection, int, w.WriteContext], None]


def _active(f: Filters) -> Filters:
    return f.boolean("is_active").updated_since()


def _projects(f: Filters) -> Filters:
    return f.boolean("is_active").integer("client_id").updated_since()


def _user_assignments(f: Filters) -> Filters:
    return f.integer("user_id").boolean("is_active").updated_since()


def _time_entries(f: Filters) -> Filters:
    return (
        f.integer("user_id")
        .integer("client_id")
        .integer("project_id")
        .integer("task_id")
        .text("external_reference_id", "json_extract(t.external_reference, '$.id')")
        .boolean("is_billed")
        .boolean("is_running")
        .choice("approval_status", APPROVAL_STATUSES)
        .updated_since()
        .spent_between()
    )


def _expenses(f: Filters) -> Filters:
    return (
        f.integer("user_id")
        .integer("client_id")
        .integer("project_id")
        .boolean("is_billed")
        .choice("approval_status", APPROVAL_STATUSES)
        .updated_since()
        .spent_between()
    )


def _record_id(text: str) -> int:
    if not text.isdigit():
        raise not_found()
    return int(text)


def build_router(store: Store, settings: HarvestSettings) -> APIRouter:
    router = APIRouter(prefix="/v2")

    def conn() -> sqlite3.Connection:
        return store.connect("harvest")

    def authenticated_user_id() -> int | None:
        if settings.authenticated_user_id is not None:
            return settings.authenticated_user_id
        # The token's owner: the first administrator, else the first user.
        row = (
            conn()
            .execute(
                "SELECT id FROM users ORDER BY instr(access_roles, '\"administrator\"') > 0 DESC, is_active DESC, id LIMIT 1"
            )
            .fetchone()
        )
        return None if row is None else row[0]

    def context(project_id: int | None = None) -> w.WriteContext:
        return w.WriteContext(store.now_ms() // 1000 * 1000, authenticated_user_id(), project_id)

    def created(resource: r.Resource, action: Callable[[sqlite3.Connection], int]) -> Response:
        with store.transaction("harvest") as tx:
            record_id = action(tx)
        return json_response(fetch(conn(), resource, record_id), 201)

    def updated(resource: r.Resource, record_id: int, action: Callable[[sqlite3.Connection], None]) -> Response:
        with store.transaction("harvest") as tx:
            action(tx)
        return json_response(fetch(conn(), resource, record_id))

    def delete(action: Callable[[sqlite3.Connection], None]) -> Response:
        with store.transaction("harvest") as tx:
            action(tx)
        return Response(status_code=200)

    def add_collection(
        resource: r.Resource, filters: FilterBuilder, create: Create, update: Update, remove: Delete
    ) -> None:
        path = f"/{resource.name}"

        def list_records(request: Request) -> Response:
            return list_page(conn(), resource, request, filters(Filters(request.query_params)))

        def get_record(record_id: str) -> Response:
            return json_response(fetch(conn(), resource, _record_id(record_id)))

        def create_record(body: dict = Depends(read_body)) -> Response:
            return created(resource, lambda tx: create(tx, body, context()))

        def update_record(record_id: str, body: dict = Depends(read_body)) -> Response:
            rid = _record_id(record_id)
            return updated(resource, rid, lambda tx: update(tx, rid, body, context()))

        def delete_record(record_id: str) -> Response:
            rid = _record_id(record_id)
            return delete(lambda tx: remove(tx, rid, context()))

        router.add_api_route(path, list_records, methods=["GET"])
        router.add_api_route(f"{path}/{{record_id}}", get_record, methods=["GET"])
        router.add_api_route(path, create_record, methods=["POST"], status_code=201)
        router.add_api_route(f"{path}/{{record_id}}", update_record, methods=["PATCH"])
        router.add_api_route(f"{path}/{{record_id}}", delete_record, methods=["DELETE"])

    def add_project_assignments(
        resource: r.Resource, filters: FilterBuilder, create: Create, update: Update, remove: Delete
    ) -> None:
        path = f"/projects/{{project_id}}/{resource.name}"

        def project_id_of(text: str) -> int:
            pid = _record_id(text)
            if conn().execute("SELECT 1 FROM projects WHERE id = ?", (pid,)).fetchone() is None:
                raise not_found()
            return pid

        def list_records(project_id: str, request: Request) -> Response:
            pid = project_id_of(project_id)
            scoped = Filters(request.query_params).fixed("t.project_id = ?", pid)
            return list_page(conn(), resource, request, filters(scoped))

        def get_record(project_id: str, record_id: str) -> Response:
            pid = project_id_of(project_id)
            return json_response(fetch(conn(), resource, _record_id(record_id), "AND t.project_id = ?", (pid,)))

        def create_record(project_id: str, body: dict = Depends(read_body)) -> Response:
            pid = _record_id(project_id)
            return created(resource, lambda tx: create(tx, body, context(pid)))

        def update_record(project_id: str, record_id: str, body: dict = Depends(read_body)) -> Response:
            pid, rid = _record_id(project_id), _record_id(record_id)
            return updated(resource, rid, lambda tx: update(tx, rid, body, context(pid)))

        def delete_record(project_id: str, record_id: str) -> Response:
            pid, rid = _record_id(project_id), _record_id(record_id)
            return delete(lambda tx: remove(tx, rid, context(pid)))

        router.add_api_route(path, list_records, methods=["GET"])
        router.add_api_route(f"{path}/{{record_id}}", get_record, methods=["GET"])
        router.add_api_route(path, create_record, methods=["POST"], status_code=201)
        router.add_api_route(f"{path}/{{record_id}}", update_record, methods=["PATCH"])
        router.add_api_route(f"{path}/{{record_id}}", delete_record, methods=["DELETE"])

    # Account endpoints first, so that `/users/me` is not taken for a user id.
    @router.get("/users/me")
    def me() -> Response:
        user_id = authenticated_user_id()
        if user_id is None:
            raise not_found()
        return json_response(fetch(conn(), r.USERS, user_id))

    @router.get("/company")
    def company(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        return json_response(
            {
                "base_uri": base,
                "full_domain": request.url.netloc,
                "name": settings.company_name,
                "is_active": True,
                "week_start_day": "Monday",
                "wants_timestamp_timers": False,
                "time_format": "decimal",
                "date_format": "%Y-%m-%d",
                "plan_type": "sponsored",
                "clock": "24h",
                "currency_code_display": "iso_code_none",
                "currency_symbol_display": "symbol_before",
                "decimal_symbol": ".",
                "thousands_separator": ",",
                "color_scheme": "orange",
                "weekly_capacity": 144000,
                "expense_feature": True,
                "invoice_feature": True,
                "estimate_feature": True,
                "approval_feature": True,
                "team_feature": True,
            }
        )

    add_collection(r.CLIENTS, _active, w.create_client, w.update_client, w.delete_client)
    add_collection(r.PROJECTS, _projects, w.create_project, w.update_project, w.delete_project)
    add_collection(r.TASKS, _active, w.create_task, w.update_task, w.delete_task)
    add_collection(r.USERS, _active, w.create_user, w.update_user, w.delete_user)
    add_collection(
        r.EXPENSE_CATEGORIES, _active, w.create_expense_category, w.update_expense_category, w.delete_expense_category
    )
    add_collection(r.TIME_ENTRIES, _time_entries, w.create_time_entry, w.update_time_entry, w.delete_time_entry)
    add_collection(r.EXPENSES, _expenses, w.create_expense, w.update_expense, w.delete_expense)
    add_project_assignments(
        r.TASK_ASSIGNMENTS, _active, w.create_task_assignment, w.update_task_assignment, w.delete_task_assignment
    )
    add_project_assignments(
        r.USER_ASSIGNMENTS,
        _user_assignments,
        w.create_user_assignment,
        w.update_user_assignment,
        w.delete_user_assignment,
    )

    # The account-wide assignment lists (read only).
    @router.get("/task_assignments")
    def all_task_assignments(request: Request) -> Response:
        return list_page(conn(), r.TASK_ASSIGNMENTS, request, _active(Filters(request.query_params)))

    @router.get("/user_assignments")
    def all_user_assignments(request: Request) -> Response:
        return list_page(conn(), r.USER_ASSIGNMENTS, request, _user_assignments(Filters(request.query_params)))

    return router

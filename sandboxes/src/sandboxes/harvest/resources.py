"""The Harvest resources: how each is read from the store and what it looks like on the wire.

Each resource is one table plus the joins that fill its nested references
(`{"client":{"id","name","currency"}}` …), one SELECT for lists and single records alike,
and the order Harvest lists it in: newest first, i.e. by id descending, except time entries
and expenses, which Harvest sorts by `spent_date` (most recent first; id descending breaks
ties). Serialisers build plain dicts from rows; pages are encoded once with orjson.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

Row = Mapping[str, Any]


@lru_cache(maxsize=65536)
def _format_seconds(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def ts(ms: int | None) -> str | None:
    """Harvest's timestamp, `2017-06-26T21:52:18Z` (what `timefmt.harvest` gives, faster: pages
    format tens of thousands of them, most shared by many rows)."""
    return None if ms is None else _format_seconds(ms // 1000)


def query(conn: sqlite3.Connection, sql: str, args: Any = ()) -> list[dict[str, Any]]:
    """Rows as plain dicts: much cheaper to read by name than sqlite3.Row on wide joins."""
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(sql, args).fetchall()
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in rows]


@dataclass(frozen=True)
class Resource:
    name: str  # the list key and path segment, e.g. "time_entries"
    table: str
    select: str  # "SELECT … FROM <table> AS t …"; filters and order refer to `t`
    serialize: Callable[[Row], dict]
    order: tuple[str, ...] = ("id",)  # keyset columns, all descending; the last is `id`


def _bool(value: int | None) -> bool:
    return bool(value)


def _json(text: str | None, default: object = None) -> object:
    return orjson.loads(text) if text else default


def _ref(id_: int | None, **fields: object) -> dict | None:
    return None if id_ is None else {"id": id_, **fields}


def _name(first: str | None, last: str | None) -> str | None:
    if first is None and last is None:
        return None
    return f"{first or ''} {last or ''}".strip()


# -- clients ------------------------------------------------------------------------------


def client(r: Row) -> dict:
    return {
        "id": r["id"],
        "name": r["name"],
        "is_active": _bool(r["is_active"]),
        "address": r["address"],
        "statement_key": r["statement_key"],
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "currency": r["currency"],
    }


# -- projects -----------------------------------------------------------------------------


def project(r: Row) -> dict:
    return {
        "id": r["id"],
        "name": r["name"],
        "code": r["code"],
        "is_active": _bool(r["is_active"]),
        "is_billable": _bool(r["is_billable"]),
        "is_fixed_fee": _bool(r["is_fixed_fee"]),
        "bill_by": r["bill_by"],
        "budget": r["budget"],
        "budget_by": r["budget_by"],
        "budget_is_monthly": _bool(r["budget_is_monthly"]),
        "notify_when_over_budget": _bool(r["notify_when_over_budget"]),
        "over_budget_notification_percentage": r["over_budget_notification_percentage"],
        "show_budget_to_all": _bool(r["show_budget_to_all"]),
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "starts_on": r["starts_on"],
        "ends_on": r["ends_on"],
        "over_budget_notification_date": None,
        "notes": r["notes"],
        "cost_budget": r["cost_budget"],
        "cost_budget_include_expenses": _bool(r["cost_budget_include_expenses"]),
        "hourly_rate": r["hourly_rate"],
        "fee": r["fee"],
        "client": _ref(r["client_id"], name=r["c_name"], currency=r["c_currency"]),
    }


# -- tasks, users, expense categories ----------------------------------------------------


def task(r: Row) -> dict:
    return {
        "id": r["id"],
        "name": r["name"],
        "billable_by_default": _bool(r["billable_by_default"]),
        "default_hourly_rate": r["default_hourly_rate"],
        "is_default": _bool(r["is_default"]),
        "is_active": _bool(r["is_active"]),
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
    }


def user(r: Row) -> dict:
    return {
        "id": r["id"],
        "first_name": r["first_name"],
        "last_name": r["last_name"],
        "email": r["email"],
        "telephone": r["telephone"] or "",
        "timezone": r["timezone"],
        "has_access_to_all_future_projects": _bool(r["has_access_to_all_future_projects"]),
        "is_contractor": _bool(r["is_contractor"]),
        "is_active": _bool(r["is_active"]),
        "weekly_capacity": r["weekly_capacity"],
        "default_hourly_rate": r["default_hourly_rate"],
        "cost_rate": r["cost_rate"],
        "roles": _json(r["roles"], []),
        "access_roles": _json(r["access_roles"], []),
        "avatar_url": None,
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
    }


def expense_category(r: Row) -> dict:
    return {
        "id": r["id"],
        "name": r["name"],
        "unit_name": r["unit_name"],
        "unit_price": r["unit_price"],
        "is_active": _bool(r["is_active"]),
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
    }


# -- project assignments ------------------------------------------------------------------


def task_assignment(r: Row) -> dict:
    return {
        "id": r["id"],
        "billable": _bool(r["billable"]),
        "is_active": _bool(r["is_active"]),
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "hourly_rate": r["hourly_rate"],
        "budget": r["budget"],
        "project": _ref(r["project_id"], name=r["p_name"], code=r["p_code"]),
        "task": _ref(r["task_id"], name=r["k_name"]),
    }


def user_assignment(r: Row) -> dict:
    return {
        "id": r["id"],
        "is_project_manager": _bool(r["is_project_manager"]),
        "is_active": _bool(r["is_active"]),
        "use_default_rates": _bool(r["use_default_rates"]),
        "budget": r["budget"],
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "hourly_rate": r["hourly_rate"],
        "project": _ref(r["project_id"], name=r["p_name"], code=r["p_code"]),
        "user": _ref(r["user_id"], name=_name(r["u_first"], r["u_last"])),
    }


# -- time entries and expenses --------------------------------------------------------------


def _external_reference(text: str | None) -> dict | None:
    ref = _json(text)
    if not isinstance(ref, dict):
        return None
    # Harvest echoes the reference with the read-only service fields filled in.
    return {"service": None, "service_icon_url": None, **ref}


def time_entry(r: Row) -> dict:
    ua_id = r["ua_id"]
    ta_id = r["ta_id"]
    return {
        "id": r["id"],
        "spent_date": r["spent_date"],
        "hours": r["hours"],
        "hours_without_timer": r["hours"],
        "rounded_hours": r["rounded_hours"],
        "notes": r["notes"],
        "is_locked": _bool(r["is_locked"]),
        "locked_reason": r["locked_reason"],
        "approval_status": r["approval_status"],
        "is_closed": _bool(r["is_closed"]),
        "is_billed": _bool(r["is_billed"]),
        "timer_started_at": None,
        "started_time": None,
        "ended_time": None,
        "is_running": _bool(r["is_running"]),
        "billable": _bool(r["billable"]),
        "budgeted": _bool(r["budgeted"]),
        "billable_rate": r["billable_rate"],
        "cost_rate": r["cost_rate"],
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "user": _ref(r["user_id"], name=_name(r["u_first"], r["u_last"])),
        "client": _ref(r["client_id"], name=r["c_name"], currency=r["c_currency"]),
        "project": _ref(r["project_id"], name=r["p_name"], code=r["p_code"]),
        "task": _ref(r["task_id"], name=r["k_name"]),
        "user_assignment": None
        if ua_id is None
        else {
            "id": ua_id,
            "is_project_manager": _bool(r["ua_pm"]),
            "is_active": _bool(r["ua_active"]),
            "use_default_rates": _bool(r["ua_default"]),
            "budget": r["ua_budget"],
            "created_at": ts(r["ua_created"]),
            "updated_at": ts(r["ua_updated"]),
            "hourly_rate": r["ua_rate"],
        },
        "task_assignment": None
        if ta_id is None
        else {
            "id": ta_id,
            "billable": _bool(r["ta_billable"]),
            "is_active": _bool(r["ta_active"]),
            "created_at": ts(r["ta_created"]),
            "updated_at": ts(r["ta_updated"]),
            "hourly_rate": r["ta_rate"],
            "budget": r["ta_budget"],
        },
        "invoice": _ref(r["invoice_id"], number=None if r["invoice_id"] is None else str(r["invoice_id"])),
        "external_reference": _external_reference(r["external_reference"]),
    }


def expense(r: Row) -> dict:
    return {
        "id": r["id"],
        "notes": r["notes"],
        "total_cost": r["total_cost"],
        "units": r["units"],
        "is_closed": _bool(r["is_closed"]),
        "is_locked": _bool(r["is_locked"]),
        "is_billed": _bool(r["is_billed"]),
        "locked_reason": r["locked_reason"],
        "spent_date": r["spent_date"],
        "created_at": ts(r["created_at"]),
        "updated_at": ts(r["updated_at"]),
        "billable": _bool(r["billable"]),
        "approval_status": r["approval_status"],
        "receipt": None,
        "user": _ref(r["user_id"], name=_name(r["u_first"], r["u_last"])),
        "project": _ref(r["project_id"], name=r["p_name"], code=r["p_code"]),
        "expense_category": _ref(r["e_id"], name=r["expense_category"], unit_price=r["e_price"], unit_name=r["e_unit"])
        if r["e_id"] is not None
        else {"id": None, "name": r["expense_category"], "unit_price": None, "unit_name": None},
        "client": _ref(r["client_id"], name=r["c_name"], currency=r["c_currency"]),
        "invoice": None,
    }


# -- the SELECTs --------------------------------------------------------------------------

_PROJECT_JOIN = "LEFT JOIN projects AS p ON p.id = t.project_id"
_PROJECT_COLS = "p.name AS p_name, p.code AS p_code"
_CLIENT_JOIN = "LEFT JOIN clients AS c ON c.id = t.client_id"
_CLIENT_COLS = "c.name AS c_name, c.currency AS c_currency"
_USER_JOIN = "LEFT JOIN users AS u ON u.id = t.user_id"
_USER_COLS = "u.first_name AS u_first, u.last_name AS u_last"

CLIENTS = Resource("clients", "clients", "SELECT t.* FROM clients AS t", client)
PROJECTS = Resource("projects", "projects", f"SELECT t.*, {_CLIENT_COLS} FROM projects AS t {_CLIENT_JOIN}", project)
TASKS = Resource("tasks", "tasks", "SELECT t.* FROM tasks AS t", task)
USERS = Resource("users", "users", "SELECT t.* FROM users AS t", user)
EXPENSE_CATEGORIES = Resource(
    "expense_categories", "expense_categories", "SELECT t.* FROM expense_categories AS t", expense_category
)
TASK_ASSIGNMENTS = Resource(
    "task_assignments",
    "task_assignments",
    f"SELECT t.*, {_PROJECT_COLS}, k.name AS k_name FROM task_assignments AS t {_PROJECT_JOIN} "
    "LEFT JOIN tasks AS k ON k.id = t.task_id",
    task_assignment,
)
USER_ASSIGNMENTS = Resource(
    "user_assignments",
    "user_assignments",
    f"SELECT t.*, {_PROJECT_COLS}, {_USER_COLS} FROM user_assignments AS t {_PROJECT_JOIN} {_USER_JOIN}",
    user_assignment,
)
# A time entry's assignments are its stored ids, or else the assignment of its user / task
# on its project (the simulator may leave the ids empty).
TIME_ENTRIES = Resource(
    "time_entries",
    "time_entries",
    f"SELECT t.*, {_USER_COLS}, {_CLIENT_COLS}, {_PROJECT_COLS}, k.name AS k_name, "
    "ua.id AS ua_id, ua.is_project_manager AS ua_pm, ua.is_active AS ua_active, "
    "ua.use_default_rates AS ua_default, ua.budget AS ua_budget, ua.created_at AS ua_created, "
    "ua.updated_at AS ua_updated, ua.hourly_rate AS ua_rate, "
    "ta.id AS ta_id, ta.billable AS ta_billable, ta.is_active AS ta_active, ta.created_at AS ta_created, "
    "ta.updated_at AS ta_updated, ta.hourly_rate AS ta_rate, ta.budget AS ta_budget "
    f"FROM time_entries AS t {_USER_JOIN} {_CLIENT_JOIN} {_PROJECT_JOIN} "
    "LEFT JOIN tasks AS k ON k.id = t.task_id "
    "LEFT JOIN user_assignments AS ua ON ua.id = COALESCE(t.user_assignment_id, "
    "(SELECT x.id FROM user_assignments AS x WHERE x.project_id = t.project_id AND x.user_id = t.user_id LIMIT 1)) "
    "LEFT JOIN task_assignments AS ta ON ta.id = COALESCE(t.task_assignment_id, "
    "(SELECT y.id FROM task_assignments AS y WHERE y.project_id = t.project_id AND y.task_id = t.task_id LIMIT 1))",
    time_entry,
    order=("spent_date", "id"),
)
EXPENSES = Resource(
    "expenses",
    "expenses",
    f"SELECT t.*, {_USER_COLS}, {_CLIENT_COLS}, {_PROJECT_COLS}, "
    "e.id AS e_id, e.unit_price AS e_price, e.unit_name AS e_unit "
    f"FROM expenses AS t {_USER_JOIN} {_CLIENT_JOIN} {_PROJECT_JOIN} "
    "LEFT JOIN expense_categories AS e ON e.name = t.expense_category",
    expense,
    order=("spent_date", "id"),
)

# Indexes the sandbox adds at start-up so that its filters and orders use keyset scans.
INDEXES = (
    "CREATE INDEX IF NOT EXISTS time_entries_spent ON time_entries(spent_date)",
    "CREATE INDEX IF NOT EXISTS time_entries_user ON time_entries(user_id)",
    "CREATE INDEX IF NOT EXISTS expenses_spent ON expenses(spent_date)",
    "CREATE INDEX IF NOT EXISTS projects_client ON projects(client_id)",
    "CREATE INDEX IF NOT EXISTS task_assignments_project ON task_assignments(project_id, task_id)",
    "CREATE INDEX IF NOT EXISTS user_assignments_project ON user_assignments(project_id, user_id)",
    "CREATE INDEX IF NOT EXISTS task_assignments_updated ON task_assignments(updated_at)",
    "CREATE INDEX IF NOT EXISTS user_assignments_updated ON user_assignments(updated_at)",
    "CREATE INDEX IF NOT EXISTS users_updated ON users(updated_at)",
    "CREATE INDEX IF NOT EXISTS tasks_updated ON tasks(updated_at)",
)

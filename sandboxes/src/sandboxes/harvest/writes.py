"""Creates, updates and deletes, with Harvest's validation and derived fields.

- POST creates (the route answers 201 with the full object), PATCH changes only the fields
  given, DELETE removes the row for good: Harvest keeps no tombstones.
- Deleting a project deletes its task/user assignments, time entries and expenses. A client
  with projects, a task or user with time, an expense category in use, and a project
  assignment with time cannot be deleted (422), as in Harvest.
- Every write stamps `updated_at` (and `created_at` on create) with the simulated clock
  floored to whole seconds, Harvest's precision.
- Ids are never reused, even after the newest row is deleted (Harvest's ids only grow): the
  highest id ever handed out per table is kept in `_sandbox_ids`, a sandbox-only table.
- A time entry takes its client from its project, its billable rate from the project's
  `bill_by` (Project: the project's rate; Tasks: the task assignment's; People: the user
  assignment's, or the user's default rate), its cost rate from the user; without `hours`
  it starts as a running timer with 0 hours, as in Harvest.
- `approval_status` on PATCH /time_entries/{id} is a sandbox convenience (real Harvest
  approves through its web UI): `approved` locks the entry, anything else unlocks it.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import orjson

from sandboxes.harvest.errors import not_found, unprocessable
from sandboxes.harvest.params import Field, label, parse_fields, require

ID_SEQUENCE_DDL = "CREATE TABLE IF NOT EXISTS _sandbox_ids (tbl TEXT PRIMARY KEY, last_id INTEGER NOT NULL)"
APPROVED_LOCK_REASON = "Item Approved and Locked for this Time Period"
ACCESS_ROLES = (
    "administrator",
    "manager",
    "member",
    "project_creator",
    "billable_rates_manager",
    "managed_projects_invoice_drafter",
    "managed_projects_invoice_manager",
    "client_and_task_manager",
    "time_and_expenses_manager",
    "estimates_manager",
)
EXTERNAL_REFERENCE_KEYS = ("id", "group_id", "account_id", "permalink")


@dataclass(frozen=True)
class WriteContext:
    now: int  # whole-second epoch ms from the simulated clock
    authenticated_user_id: int | None  # whose time a POST without user_id records
    project_id: int | None = None  # the project of a nested assignment route


# -- row helpers ----------------------------------------------------------------------------


def _row(conn: sqlite3.Connection, table: str, record_id: int) -> sqlite3.Row | None:
    return conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()


def _existing(conn: sqlite3.Connection, table: str, record_id: int) -> sqlite3.Row:
    row = _row(conn, table, record_id)
    if row is None:
        raise not_found()
    return row


def _referenced(conn: sqlite3.Connection, table: str, record_id: object, name: str) -> sqlite3.Row:
    row = _row(conn, table, record_id) if isinstance(record_id, int) else None
    if row is None:
        raise unprocessable(f"{label(name)} must exist")
    return row


def _any(conn: sqlite3.Connection, sql: str, *args: object) -> bool:
    return conn.execute(f"SELECT EXISTS({sql})", args).fetchone()[0] == 1


def _remember_ids(conn: sqlite3.Connection, table: str) -> int:
    """The highest id `table` has ever had, recorded so that it is never handed out again."""
    top = conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
    seen = conn.execute("SELECT last_id FROM _sandbox_ids WHERE tbl = ?", (table,)).fetchone()
    highest = max(top, seen[0] if seen else 0)
    conn.execute(
        "INSERT INTO _sandbox_ids(tbl, last_id) VALUES (?, ?) ON CONFLICT(tbl) DO UPDATE SET last_id = excluded.last_id",
        (table, highest),
    )
    return highest


def _insert(conn: sqlite3.Connection, table: str, values: Mapping[str, object], now: int) -> int:
    record_id = _remember_ids(conn, table) + 1
    row = {**values, "id": record_id, "created_at": now, "updated_at": now}
    conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    _remember_ids(conn, table)
    return record_id


def _update(conn: sqlite3.Connection, table: str, record_id: int, values: Mapping[str, object], now: int) -> None:
    row = {**values, "updated_at": now}
    assignments = ", ".join(f"{column} = ?" for column in row)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*row.values(), record_id])


def _delete(conn: sqlite3.Connection, table: str, record_id: int) -> None:
    _remember_ids(conn, table)
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))


def _unique(conn: sqlite3.Connection, table: str, column: str, value: object, record_id: int | None = None) -> None:
    if _any(conn, f"SELECT 1 FROM {table} WHERE {column} = ? COLLATE NOCASE AND id IS NOT ?", value, record_id):
        raise unprocessable(f"{label(column)} has already been taken")


def _authenticated_user(ctx: WriteContext) -> int:
    if ctx.authenticated_user_id is None:
        raise unprocessable("User must exist")
    return ctx.authenticated_user_id


# -- clients ----------------------------------------------------------------------------------

CLIENT_FIELDS = {
    "name": Field("str"),
    "is_active": Field("bool"),
    "address": Field("str", nullable=True),
    "currency": Field("currency"),
}


def create_client(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, CLIENT_FIELDS)
    require(values, "name")
    _unique(conn, "clients", "name", values["name"])
    values["statement_key"] = secrets.token_hex(16)
    return _insert(conn, "clients", values, ctx.now)


def update_client(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _existing(conn, "clients", record_id)
    values = parse_fields(body, CLIENT_FIELDS)
    if "name" in values:
        _unique(conn, "clients", "name", values["name"], record_id)
    _update(conn, "clients", record_id, values, ctx.now)


def delete_client(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "clients", record_id)
    if _any(conn, "SELECT 1 FROM projects WHERE client_id = ?", record_id):
        raise unprocessable(
            "This client cannot be deleted because it has projects, invoices or estimates associated with it. "
            "Archive it instead."
        )
    _delete(conn, "clients", record_id)


# -- projects ---------------------------------------------------------------------------------

PROJECT_FIELDS = {
    "client_id": Field("int"),
    "name": Field("str"),
    "code": Field("str", nullable=True),
    "is_active": Field("bool"),
    "is_billable": Field("bool"),
    "is_fixed_fee": Field("bool"),
    "bill_by": Field("choice", choices=("Project", "Tasks", "People", "none")),
    "hourly_rate": Field("num", nullable=True),
    "budget": Field("num", nullable=True),
    "budget_by": Field("choice", choices=("project", "project_cost", "task", "task_fees", "person", "none")),
    "budget_is_monthly": Field("bool"),
    "notify_when_over_budget": Field("bool"),
    "over_budget_notification_percentage": Field("num"),
    "show_budget_to_all": Field("bool"),
    "cost_budget": Field("num", nullable=True),
    "cost_budget_include_expenses": Field("bool"),
    "fee": Field("num", nullable=True),
    "notes": Field("str", nullable=True),
    "starts_on": Field("date", nullable=True),
    "ends_on": Field("date", nullable=True),
}


def create_project(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, PROJECT_FIELDS)
    require(values, "client_id", "name", "is_billable", "bill_by", "budget_by")
    _referenced(conn, "clients", values["client_id"], "client_id")
    return _insert(conn, "projects", values, ctx.now)


def update_project(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    current = _existing(conn, "projects", record_id)
    values = parse_fields(body, PROJECT_FIELDS)
    if "client_id" in values and values["client_id"] != current["client_id"]:
        _referenced(conn, "clients", values["client_id"], "client_id")
        # The project's time and expenses move with it; they change, so they are stamped.
        for table in ("time_entries", "expenses"):
            conn.execute(
                f"UPDATE {table} SET client_id = ?, updated_at = ? WHERE project_id = ?",
                (values["client_id"], ctx.now, record_id),
            )
    _update(conn, "projects", record_id, values, ctx.now)


def delete_project(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "projects", record_id)
    for table in ("task_assignments", "user_assignments", "time_entries", "expenses"):
        _remember_ids(conn, table)
        conn.execute(f"DELETE FROM {table} WHERE project_id = ?", (record_id,))
    _delete(conn, "projects", record_id)


# -- tasks --------------------------------------------------------------------------------------

TASK_FIELDS = {
    "name": Field("str"),
    "billable_by_default": Field("bool"),
    "default_hourly_rate": Field("num", nullable=True),
    "is_default": Field("bool"),
    "is_active": Field("bool"),
}


def create_task(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, TASK_FIELDS)
    require(values, "name")
    _unique(conn, "tasks", "name", values["name"])
    return _insert(conn, "tasks", values, ctx.now)


def update_task(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _existing(conn, "tasks", record_id)
    values = parse_fields(body, TASK_FIELDS)
    if "name" in values:
        _unique(conn, "tasks", "name", values["name"], record_id)
    _update(conn, "tasks", record_id, values, ctx.now)


def delete_task(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "tasks", record_id)
    if _any(conn, "SELECT 1 FROM time_entries WHERE task_id = ?", record_id):
        raise unprocessable("This task cannot be deleted because it has time entries associated with it.")
    _remember_ids(conn, "task_assignments")
    conn.execute("DELETE FROM task_assignments WHERE task_id = ?", (record_id,))
    _delete(conn, "tasks", record_id)


# -- users ----------------------------------------------------------------------------------------

USER_FIELDS = {
    "first_name": Field("str"),
    "last_name": Field("str"),
    "email": Field("str"),
    "telephone": Field("str", nullable=True),
    "timezone": Field("str"),
    "has_access_to_all_future_projects": Field("bool"),
    "is_contractor": Field("bool"),
    "is_active": Field("bool"),
    "weekly_capacity": Field("int"),
    "default_hourly_rate": Field("num", nullable=True),
    "cost_rate": Field("num", nullable=True),
    "roles": Field("strings"),
    "access_roles": Field("strings", choices=ACCESS_ROLES),
}


def _check_email(conn: sqlite3.Connection, email: object, record_id: int | None = None) -> None:
    if not isinstance(email, str) or "@" not in email:
        raise unprocessable("Email is invalid")
    _unique(conn, "users", "email", email, record_id)


def create_user(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, USER_FIELDS)
    require(values, "first_name", "last_name", "email")
    _check_email(conn, values["email"])
    return _insert(conn, "users", values, ctx.now)


def update_user(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _existing(conn, "users", record_id)
    values = parse_fields(body, USER_FIELDS)
    if "email" in values:
        _check_email(conn, values["email"], record_id)
    _update(conn, "users", record_id, values, ctx.now)


def delete_user(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "users", record_id)
    tracked = "SELECT 1 FROM time_entries WHERE user_id = ? UNION ALL SELECT 1 FROM expenses WHERE user_id = ?"
    if _any(conn, tracked, record_id, record_id):
        raise unprocessable(
            "This user cannot be deleted because they have time entries or expenses. Archive them instead."
        )
    _remember_ids(conn, "user_assignments")
    conn.execute("DELETE FROM user_assignments WHERE user_id = ?", (record_id,))
    _delete(conn, "users", record_id)


# -- expense categories -----------------------------------------------------------------------------

EXPENSE_CATEGORY_FIELDS = {
    "name": Field("str"),
    "unit_name": Field("str", nullable=True),
    "unit_price": Field("num", nullable=True),
    "is_active": Field("bool"),
}


def create_expense_category(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, EXPENSE_CATEGORY_FIELDS)
    require(values, "name")
    _unique(conn, "expense_categories", "name", values["name"])
    return _insert(conn, "expense_categories", values, ctx.now)


def update_expense_category(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    current = _existing(conn, "expense_categories", record_id)
    values = parse_fields(body, EXPENSE_CATEGORY_FIELDS)
    if "name" in values:
        _unique(conn, "expense_categories", "name", values["name"], record_id)
        # Expenses name their category; a rename is not a change to the expenses themselves.
        conn.execute(
            "UPDATE expenses SET expense_category = ? WHERE expense_category = ?", (values["name"], current["name"])
        )
    _update(conn, "expense_categories", record_id, values, ctx.now)


def delete_expense_category(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    current = _existing(conn, "expense_categories", record_id)
    if _any(conn, "SELECT 1 FROM expenses WHERE expense_category = ?", current["name"]):
        raise unprocessable("This expense category cannot be deleted because it has expenses. Archive it instead.")
    _delete(conn, "expense_categories", record_id)


# -- project assignments ---------------------------------------------------------------------------

TASK_ASSIGNMENT_FIELDS = {
    "task_id": Field("int"),
    "is_active": Field("bool"),
    "billable": Field("bool"),
    "hourly_rate": Field("num", nullable=True),
    "budget": Field("num", nullable=True),
}
USER_ASSIGNMENT_FIELDS = {
    "user_id": Field("int"),
    "is_active": Field("bool"),
    "is_project_manager": Field("bool"),
    "use_default_rates": Field("bool"),
    "hourly_rate": Field("num", nullable=True),
    "budget": Field("num", nullable=True),
}


def _project_of(conn: sqlite3.Connection, ctx: WriteContext) -> int:
    if ctx.project_id is None or _row(conn, "projects", ctx.project_id) is None:
        raise not_found()
    return ctx.project_id


def _assignment(conn: sqlite3.Connection, table: str, record_id: int, ctx: WriteContext) -> sqlite3.Row:
    row = _existing(conn, table, record_id)
    if row["project_id"] != _project_of(conn, ctx):
        raise not_found()
    return row


def create_task_assignment(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    project_id = _project_of(conn, ctx)
    values = parse_fields(body, TASK_ASSIGNMENT_FIELDS)
    require(values, "task_id")
    task = _referenced(conn, "tasks", values["task_id"], "task_id")
    if _any(conn, "SELECT 1 FROM task_assignments WHERE project_id = ? AND task_id = ?", project_id, task["id"]):
        raise unprocessable("Task has already been taken")
    values.setdefault("billable", task["billable_by_default"])
    values.setdefault("hourly_rate", task["default_hourly_rate"])
    return _insert(conn, "task_assignments", {**values, "project_id": project_id}, ctx.now)


def update_task_assignment(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _assignment(conn, "task_assignments", record_id, ctx)
    values = parse_fields(body, TASK_ASSIGNMENT_FIELDS)
    values.pop("task_id", None)  # an assignment's task is fixed; Harvest ignores it on update
    _update(conn, "task_assignments", record_id, values, ctx.now)


def delete_task_assignment(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    row = _assignment(conn, "task_assignments", record_id, ctx)
    if _any(conn, "SELECT 1 FROM time_entries WHERE project_id = ? AND task_id = ?", row["project_id"], row["task_id"]):
        raise unprocessable("This task cannot be removed from the project because it has time tracked to it.")
    _delete(conn, "task_assignments", record_id)


def create_user_assignment(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    project_id = _project_of(conn, ctx)
    values = parse_fields(body, USER_ASSIGNMENT_FIELDS)
    require(values, "user_id")
    person = _referenced(conn, "users", values["user_id"], "user_id")
    if _any(conn, "SELECT 1 FROM user_assignments WHERE project_id = ? AND user_id = ?", project_id, person["id"]):
        raise unprocessable("User has already been taken")
    values.setdefault("hourly_rate", person["default_hourly_rate"])
    return _insert(conn, "user_assignments", {**values, "project_id": project_id}, ctx.now)


def update_user_assignment(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _assignment(conn, "user_assignments", record_id, ctx)
    values = parse_fields(body, USER_ASSIGNMENT_FIELDS)
    values.pop("user_id", None)
    _update(conn, "user_assignments", record_id, values, ctx.now)


def delete_user_assignment(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    row = _assignment(conn, "user_assignments", record_id, ctx)
    if _any(conn, "SELECT 1 FROM time_entries WHERE project_id = ? AND user_id = ?", row["project_id"], row["user_id"]):
        raise unprocessable("This person cannot be removed from the project because they have time tracked to it.")
    _delete(conn, "user_assignments", record_id)


# -- time entries -------------------------------------------------------------------------------------

TIME_ENTRY_FIELDS = {
    "user_id": Field("int"),
    "project_id": Field("int"),
    "task_id": Field("int"),
    "spent_date": Field("date"),
    "hours": Field("num"),
    "notes": Field("str", nullable=True),
    "external_reference": Field("object", nullable=True),
}
TIME_ENTRY_UPDATE_FIELDS = {
    **TIME_ENTRY_FIELDS,
    "approval_status": Field("choice", choices=("unsubmitted", "submitted", "approved")),
}


def _placement(conn: sqlite3.Connection, project_id: object, task_id: object, user_id: object) -> dict[str, object]:
    """What a time entry derives from its project, task and user: client, assignments, rates."""
    project = _referenced(conn, "projects", project_id, "project_id")
    task = _referenced(conn, "tasks", task_id, "task_id")
    person = _referenced(conn, "users", user_id, "user_id")
    ta = conn.execute(
        "SELECT * FROM task_assignments WHERE project_id = ? AND task_id = ?", (project["id"], task["id"])
    ).fetchone()
    if ta is None:
        raise unprocessable("Task is not assigned to the project")
    ua = conn.execute(
        "SELECT * FROM user_assignments WHERE project_id = ? AND user_id = ?", (project["id"], person["id"])
    ).fetchone()
    billable = bool(project["is_billable"]) and bool(ta["billable"])
    rate_by: dict[str, Callable[[], object]] = {
        "Project": lambda: project["hourly_rate"],
        "Tasks": lambda: ta["hourly_rate"],
        "People": lambda: person["default_hourly_rate"] if ua is None or ua["use_default_rates"] else ua["hourly_rate"],
    }
    rate = rate_by.get(project["bill_by"], lambda: None)() if billable else None
    return {
        "client_id": project["client_id"],
        "task_assignment_id": ta["id"],
        "user_assignment_id": None if ua is None else ua["id"],
        "billable": int(billable),
        "billable_rate": rate,
        "cost_rate": person["cost_rate"],
    }


def _external_reference(values: dict[str, object]) -> None:
    text = values.get("external_reference")
    if isinstance(text, str):
        given = orjson.loads(text)
        kept = {key: given[key] for key in EXTERNAL_REFERENCE_KEYS if key in given}
        values["external_reference"] = orjson.dumps(kept).decode()


def _check_hours(values: Mapping[str, object]) -> None:
    hours = values.get("hours")
    if isinstance(hours, float) and not 0 <= hours <= 24:
        raise unprocessable("Hours must be between 0 and 24")


def create_time_entry(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, TIME_ENTRY_FIELDS)
    require(values, "project_id", "task_id", "spent_date")
    values.setdefault("user_id", _authenticated_user(ctx))
    _check_hours(values)
    _external_reference(values)
    values.update(_placement(conn, values["project_id"], values["task_id"], values["user_id"]))
    running = "hours" not in values
    hours = 0.0 if running else values["hours"]
    values.update(hours=hours, rounded_hours=round(hours, 2), is_running=int(running))
    return _insert(conn, "time_entries", values, ctx.now)


def update_time_entry(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    current = _existing(conn, "time_entries", record_id)
    values = parse_fields(body, TIME_ENTRY_UPDATE_FIELDS)
    _check_hours(values)
    _external_reference(values)
    placed = {key: values.get(key, current[key]) for key in ("project_id", "task_id", "user_id")}
    if any(placed[key] != current[key] for key in placed):
        values.update(_placement(conn, placed["project_id"], placed["task_id"], placed["user_id"]))
    if "hours" in values:
        values["rounded_hours"] = round(values["hours"], 2)
    if "approval_status" in values:
        approved = values["approval_status"] == "approved"
        values.update(is_locked=int(approved), locked_reason=APPROVED_LOCK_REASON if approved else None)
    _update(conn, "time_entries", record_id, values, ctx.now)


def delete_time_entry(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "time_entries", record_id)
    _delete(conn, "time_entries", record_id)


# -- expenses -------------------------------------------------------------------------------------------

EXPENSE_FIELDS = {
    "user_id": Field("int"),
    "project_id": Field("int"),
    "expense_category_id": Field("int"),
    "spent_date": Field("date"),
    "units": Field("num", nullable=True),
    "total_cost": Field("num"),
    "notes": Field("str", nullable=True),
    "billable": Field("bool"),
}


def _expense_values(conn: sqlite3.Connection, values: dict[str, object]) -> dict[str, object]:
    """The stored columns for parsed expense fields: the category by name, client from project,
    the cost from units for a unit-priced category."""
    if "project_id" in values:
        values["client_id"] = _referenced(conn, "projects", values["project_id"], "project_id")["client_id"]
    if "user_id" in values:
        _referenced(conn, "users", values["user_id"], "user_id")
    if "expense_category_id" in values:
        category = _referenced(conn, "expense_categories", values.pop("expense_category_id"), "expense_category_id")
        values["expense_category"] = category["name"]
        if values.get("units") is not None and category["unit_price"] is not None:
            values["total_cost"] = round(values["units"] * category["unit_price"], 2)
    return values


def create_expense(conn: sqlite3.Connection, body: Mapping, ctx: WriteContext) -> int:
    values = parse_fields(body, EXPENSE_FIELDS)
    require(values, "project_id", "expense_category_id", "spent_date")
    values.setdefault("user_id", _authenticated_user(ctx))
    values = _expense_values(conn, values)
    require(values, "total_cost")
    return _insert(conn, "expenses", values, ctx.now)


def update_expense(conn: sqlite3.Connection, record_id: int, body: Mapping, ctx: WriteContext) -> None:
    _existing(conn, "expenses", record_id)
    values = _expense_values(conn, parse_fields(body, EXPENSE_FIELDS))
    _update(conn, "expenses", record_id, values, ctx.now)


def delete_expense(conn: sqlite3.Connection, record_id: int, ctx: WriteContext) -> None:
    _existing(conn, "expenses", record_id)
    _delete(conn, "expenses", record_id)

"""Harvest projects as a write-back target: a won deal's project provisioned with its tasks
and rates, and the budget and rates of existing projects corrected.

- Fields (canonical -> Harvest): project_name -> `name`, project_code -> `code`,
  harvest_client_id -> `client_id`, budget -> `budget` (hours: `budget_by` "project"),
  hourly_rate -> one task assignment per role: a JSON object {"<role>": "<rate>", ...} whose
  keys are Harvest task names (a task missing from the account is created) and whose values
  become each assignment's `hourly_rate` (`bill_by` "Tasks", so time is billed at them).
- Create, check-before-create by code: Harvest has no upsert and does not keep codes unique,
  so the projects are listed first (once per call, `GET /projects`, indexed by client and
  code) and a project already holding the code under that client is completed instead of
  created (a retried or killed run's project is found, not made twice). The POST itself is never retried blindly: a POST that got no answer
  (a timeout, a dropped connection, a 5xx or 429) is followed by the same check before it is
  sent again, so a create whose response was lost is found, not repeated.
- Task assignments: listed per project; a role without one is assigned (`POST
  /projects/{id}/task_assignments`), one at another rate is patched. A POST refused with "Task
  has already been taken" (an earlier attempt landed) is settled by listing again and patching.
- A project made but not fully assigned is reported as failed (with its id): the engine
  retries it, and the retry finds the project by its code and finishes the assignments.
- Read back (`confirm`): a create's project by its client and code, an update's by id; it
  holds the write when its name, code and budget are the ones sent and every role is
  assigned at its rate.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from reverse_etl.targets.base import Outcome, ReadBack, Write
from reverse_etl.targets.http import RETRIED_STATUSES, Sent, json_body, local_failure, read_back

PROJECT_FIELDS = ("project_name", "project_code", "harvest_client_id", "budget", "hourly_rate")
NEW_PROJECT = {"is_billable": True, "bill_by": "Tasks", "budget_by": "project"}
TAKEN = "has already been taken"

Send = Callable[..., Sent]  # (method, path, json=..., params=..., retry=bool) -> Sent
Message = Callable[[Sent], str | None]


class ProjectsWriter:
    """Writes canonical projects through a Harvest target's paced, authenticated requests."""

    def __init__(self, send: Send, message: Message, max_attempts: int, pause: Callable[[int], float]) -> None:
        self._send = send
        self._message = message
        self._max_attempts = max(max_attempts, 1)
        self._pause = pause
        self._tasks: dict[str, int] | None = None  # lower-cased task name -> id, listed once a call
        self._projects: dict[tuple[str, str], str] | None = None  # (client id, code) -> project id

    def write(self, writes: Sequence[Write]) -> list[Outcome]:
        return [self._write(w) for w in writes]

    def confirm(self, writes: Sequence[Write]) -> list[ReadBack | None]:
        return [self._confirm(w) for w in writes]

    def _confirm(self, w: Write) -> ReadBack | None:
        values, problem = _parse(w)
        if problem:  # it could not have been sent
            return ReadBack(False)
        project_id: str | None = str(w.target_record_id) if w.operation == "update" else None
        if project_id is None:
            project_id, failed = self._project_with_code(values["harvest_client_id"], values["project_code"])
            if failed is not None:
                return None  # no answer: asked again by a later run
            if project_id is None:
                return ReadBack(False)
        fields = {"project_name": "name", "project_code": "code"}
        found = read_back(
            self._send("GET", f"/projects/{project_id}"),
            lambda project: (
                all(str(project.get(fields[n])) == str(values[n]) for n in fields if n in values)
                and ("budget" not in values or _same_rate(project.get("budget"), values["budget"]))
            ),
        )
        if found is None or not found.holds or "hourly_rate" not in values:
            return found
        assigned, failed = self._list(f"/projects/{project_id}/task_assignments", "task_assignments")
        if failed is not None:
            return None
        rates = {
            str(a["task"]["name"]).lower(): a.get("hourly_rate") for a in assigned or [] if a.get("is_active", True)
        }
        held = all(
            role.lower() in rates and _same_rate(rates[role.lower()], rate)
            for role, rate in values["hourly_rate"].items()
        )
        return ReadBack(held, project_id)

    # -- one record -----------------------------------------------------------------------------

    def _write(self, w: Write) -> Outcome:
        values, problem = _parse(w)
        if problem:
            return local_failure(w.sync_key, problem)
        if w.operation == "update":
            return self._complete(w.sync_key, str(w.target_record_id), values, created=False)
        if self._projects is None:
            projects, failed = self._list("/projects", "projects")
            if failed is not None:
                return _with(failed.failure(w.sync_key, self._message(failed)), failed.attempts)
            self._projects = {}
            for p in sorted(projects or [], key=lambda p: -int(p["id"])):  # the oldest wins
                self._projects[(str((p.get("client") or {}).get("id")), str(p.get("code")))] = str(p["id"])
        key = (str(values["harvest_client_id"]), str(values["project_code"]))
        found = self._projects.get(key)
        if found is not None:  # checked before creating: it exists (an earlier attempt made it)
            return self._complete(w.sync_key, found, values, created=False, fields=("budget",))
        outcome = self._create(w.sync_key, values)
        if outcome.target_record_id:
            self._projects[key] = outcome.target_record_id
        return outcome

    def _create(self, sync_key: str, values: dict[str, Any]) -> Outcome:
        body = {
            **NEW_PROJECT,
            "client_id": int(values["harvest_client_id"]),
            "name": values["project_name"],
            "code": values["project_code"],
        }
        if values.get("budget") is not None:
            body["budget"] = values["budget"]
        attempts = 0
        for attempt in range(1, self._max_attempts + 1):
            if attempt > 1:  # the last POST may have landed without an answer: look before resending
                time.sleep(self._pause(attempt - 1))
                found, listing = self._project_with_code(values["harvest_client_id"], values["project_code"])
                if found is not None:
                    outcome = self._complete(sync_key, found, values, created=True, fields=(), fresh=False)
                    return _with(outcome, attempts + outcome.attempts, note="created by an earlier attempt")
                if listing is not None:
                    return listing.failure(sync_key, self._message(listing))
            sent = self._send("POST", "/projects", json=body, retry=False)
            attempts += sent.attempts
            created = json_body(sent.response) if sent.status == 201 and sent.response is not None else None
            if isinstance(created, dict) and "id" in created:
                outcome = self._complete(sync_key, str(created["id"]), values, created=True, fields=(), fresh=True)
                return _with(outcome, attempts + outcome.attempts, correlation_id=sent.correlation_id, status=201)
            if sent.response is not None and sent.status not in RETRIED_STATUSES:
                break
        return _with(sent.failure(sync_key, self._message(sent)), attempts)

    def _complete(
        self,
        sync_key: str,
        project_id: str,
        values: dict[str, Any],
        created: bool,
        fields: Sequence[str] = ("budget",),
        fresh: bool = False,
    ) -> Outcome:
        """Patches the given project fields that are set, then the rates (a project made just
        now has no assignments to list): one Outcome."""
        attempts = 0
        body = {name: values[name] for name in fields if name in values}
        if body:
            sent = self._send("PATCH", f"/projects/{project_id}", json=body)
            attempts += sent.attempts
            if sent.status != 200:
                return _with(sent.failure(sync_key, self._message(sent)), attempts, target_record_id=project_id)
        last: Sent | None = None
        if "hourly_rate" in values:
            failed, spent, last = self._assign(project_id, values["hourly_rate"], fresh)
            attempts += spent
            if failed is not None:
                return _with(
                    failed.failure(sync_key, self._assign_message(failed)), attempts, target_record_id=project_id
                )
        return Outcome(
            sync_key,
            ok=True,
            target_record_id=project_id,
            http_status=last.status if last else (200 if attempts else None),
            correlation_id=last.correlation_id if last else "",
            attempts=attempts,
            created=created,
        )

    # -- task assignments ----------------------------------------------------------------------

    def _assign(
        self, project_id: str, rates: dict[str, float | None], fresh: bool = False
    ) -> tuple[Sent | None, int, Sent | None]:
        """Every role assigned to the project at its rate; (the failed request or None, HTTP
        attempts spent, the last request)."""
        attempts = 0
        tasks, failed, spent = self._task_ids(rates)
        attempts += spent
        if failed is not None:
            return failed, attempts, failed
        assigned: list | None = []
        if not fresh:
            assigned, failed = self._list(f"/projects/{project_id}/task_assignments", "task_assignments")
            attempts += 1
            if failed is not None:
                return failed, attempts, failed
        by_task = {int(a["task"]["id"]): a for a in assigned or []}
        last: Sent | None = None
        for role, rate in sorted(rates.items()):
            task_id = tasks[role.lower()]
            current = by_task.get(task_id)
            if current is None:
                last = self._send(
                    "POST",
                    f"/projects/{project_id}/task_assignments",
                    json={"task_id": task_id, "hourly_rate": rate, "billable": True, "is_active": True},
                )
                attempts += last.attempts
                if last.status == 201:
                    continue
                if not (last.status == 422 and TAKEN in (self._message(last) or "")):
                    return last, attempts, last
                # an earlier attempt assigned it and its answer was lost: find it and patch it
                assigned, failed = self._list(f"/projects/{project_id}/task_assignments", "task_assignments")
                attempts += 1
                if failed is not None:
                    return failed, attempts, failed
                current = next((a for a in assigned or [] if int(a["task"]["id"]) == task_id), None)
                if current is None:
                    return last, attempts, last
            if _same_rate(current.get("hourly_rate"), rate) and current.get("is_active", True):
                continue
            last = self._send(
                "PATCH",
                f"/projects/{project_id}/task_assignments/{current['id']}",
                json={"hourly_rate": rate, "is_active": True},
            )
            attempts += last.attempts
            if last.status != 200:
                return last, attempts, last
        return None, attempts, last

    def _task_ids(
        self, rates: dict[str, float | None], relisted: bool = False
    ) -> tuple[dict[str, int], Sent | None, int]:
        """Harvest task ids by lower-cased name, creating a sold role's task if the account
        has none (task names are unique: a lost answer shows as "Name has already been taken")."""
        attempts = 0
        if self._tasks is None:
            tasks, failed = self._list("/tasks", "tasks")
            attempts += 1
            if failed is not None:
                return {}, failed, attempts
            self._tasks = {str(t["name"]).lower(): int(t["id"]) for t in tasks or []}
        for role in rates:
            if role.lower() in self._tasks:
                continue
            sent = self._send("POST", "/tasks", json={"name": role, "billable_by_default": True})
            attempts += sent.attempts
            body = json_body(sent.response) if sent.status == 201 and sent.response is not None else None
            if isinstance(body, dict) and "id" in body:
                self._tasks[role.lower()] = int(body["id"])
                continue
            if sent.status == 422 and TAKEN in (self._message(sent) or "") and not relisted:
                self._tasks = None
                tasks, failed, spent = self._task_ids(rates, relisted=True)
                return tasks, failed, attempts + spent
            return {}, sent, attempts
        return self._tasks, None, attempts

    # -- reads --------------------------------------------------------------------------------

    def _project_with_code(self, client_id: str, code: str) -> tuple[str | None, Sent | None]:
        """(the id of the client's project holding `code`, or None; the failed listing, or None)."""
        projects, failed = self._list("/projects", "projects", {"client_id": client_id})
        if failed is not None:
            return None, failed
        matches = sorted(int(p["id"]) for p in projects or [] if p.get("code") == code)
        return (str(matches[0]) if matches else None), None

    def _list(self, path: str, key: str, params: dict[str, Any] | None = None) -> tuple[list | None, Sent | None]:
        """Every record of a Harvest list (following links.next), or the request that failed."""
        found: list = []
        url: str | None = path
        query: dict[str, Any] | None = {"per_page": 2000, **(params or {})}
        while url:
            sent = self._send("GET", url, params=query)
            body = json_body(sent.response) if sent.status == 200 and sent.response is not None else None
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                return None, sent
            found.extend(body[key])
            url, query = (body.get("links") or {}).get("next"), None
        return found, None

    def _assign_message(self, sent: Sent) -> str | None:
        return f"the project exists, its task assignments failed: {self._message(sent) or sent.network_error}"


def _parse(w: Write) -> tuple[dict[str, Any], str | None]:
    """The Write's values as Harvest takes them, or why they cannot be sent."""
    if w.operation == "update" and not w.target_record_id:
        return {}, "an update needs the Harvest project id (target_record_id)"
    values: dict[str, Any] = {}
    for name, value in w.values.items():
        if name not in PROJECT_FIELDS:
            return {}, f"field {name!r} cannot be written to Harvest projects"
        if name == "budget":
            try:
                values[name] = None if value in (None, "") else float(value)
            except ValueError:
                return {}, f"budget {value!r} is not a number of hours"
        elif name == "hourly_rate":
            rates, problem = _rates(value)
            if problem:
                return {}, problem
            values[name] = rates
        else:
            values[name] = value
    if w.operation == "create":
        missing = [n for n in ("project_name", "project_code", "harvest_client_id") if not values.get(n)]
        if missing:
            return {}, f"creating a Harvest project needs {', '.join(missing)}"
        if not str(values["harvest_client_id"]).isdigit():
            return {}, f"harvest_client_id {values['harvest_client_id']!r} is not a Harvest client id"
    return values, None


def _rates(value: str | None) -> tuple[dict[str, float | None], str | None]:
    try:
        given = json.loads(value or "{}")
    except json.JSONDecodeError:
        return {}, f"hourly_rate {value!r} is not a JSON object of role -> rate"
    if not isinstance(given, dict) or not all(isinstance(role, str) and role.strip() for role in given):
        return {}, f"hourly_rate {value!r} is not a JSON object of role -> rate"
    rates: dict[str, float | None] = {}
    for role, rate in given.items():
        try:
            rates[role.strip()] = None if rate is None else float(rate)
        except (TypeError, ValueError):
            return {}, f"hourly_rate of {role!r} is {rate!r}, not a number"
    return rates, None


def _same_rate(held: object, wanted: float | None) -> bool:
    if held is None or wanted is None:
        return held is None and wanted is None
    return abs(float(held) - wanted) < 0.005  # type: ignore[arg-type]


def _with(outcome: Outcome, attempts: int, **changes: Any) -> Outcome:
    """The outcome with the row's total HTTP attempts and the given facts changed."""
    note = changes.pop("note", None)
    status = changes.pop("status", None)
    if status is not None:
        changes["http_status"] = status
    if note:
        changes["extra"] = {**outcome.extra, "note": note}
    return replace(outcome, attempts=attempts, **changes)

"""Plan and execute the write-back.

`plan()` reads each sync's dbt model (the records whose desired values differ from what the
target holds as last landed) and the ledger, and decides per record:
- write it (create or update, the fields that differ);
- wait: written already and not landed back yet (the landed copy predates the write), or
  failed before and its retry time has not come;
- hold it for a person: the target changed a field since Concord last wrote it and now holds
  neither that value nor the new one (a conflict); or the field's conflict policy is
  `hold_on_conflict` and the target holds another value; held rows stay held until released
  (`concord sync release`) or dropped (`concord sync drop`).
- wait for its parent: a create naming a parent (`requires:<sync>`, e.g. a Harvest project
  whose client, or a Harvest client whose ERP customer, does not exist yet as landed) is written
  only once Concord has written that parent; it then receives the parent's new id. If the ERP
  step fails, the PSA step waits, and the run that completes the parent completes the child.
A plan changes nothing: it is the dry run (a child whose parent the same plan would write is
counted as a write: it follows its parent).

`execute()` plans each sync just before writing it, parents first (so a child sees the parents
this run wrote), through each system's Target (batched, rate-limited,
idempotent), and records every attempt in the ledger before and after it is made, so a run
killed mid-batch leaves `in_flight` rows that say which writes may or may not have happened
(re-running is safe: creates are idempotent). A failed write is retried on later runs with
exponential backoff; a validation error (the vendor refused the values) or a record that
failed `MAX_FAILURES` times is held with the vendor's message instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import ConcordError
from core.warehouse import Warehouse
from reverse_etl.ledger import SCHEMA, Ledger, as_json, now_utc
from reverse_etl.syncs import REQUIRES, Sync, ownership, syncs
from reverse_etl.syncs import find as find_sync
from reverse_etl.targets.base import Outcome, Target, TargetFatalError, Write

SYNC_SCHEMA = "marts"
MAX_FAILURES = 5
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(hours=6)
BATCH = 500  # writes handed to a target at once (it batches further within its vendor's limits)
MODEL_COLUMNS = (
    "sync_key",
    "golden_id",
    "operation",
    "target_record_id",
    "external_id",
    "field",
    "desired_value",
    "current_value",
    "current_as_of",
)


@dataclass
class PlannedWrite:
    sync: Sync
    sync_key: str
    golden_id: str | None
    operation: str
    target_record_id: str | None
    external_id: str | None
    desired: dict[str, str | None] = field(default_factory=dict)
    current: dict[str, str | None] = field(default_factory=dict)
    current_as_of: datetime | None = None
    requires: dict[str, str] = field(default_factory=dict)  # parent sync -> the parent's sync key

    def as_write(self) -> Write:
        return Write(self.sync_key, self.operation, self.target_record_id, self.external_id, dict(self.desired))  # type: ignore[arg-type]


@dataclass
class SyncPlan:
    sync: Sync
    writes: list[PlannedWrite] = field(default_factory=list)
    to_hold: list[tuple[PlannedWrite, str]] = field(default_factory=list)  # new holds, with reasons
    held: int = 0  # already held, waiting for a person
    dropped: int = 0  # a person chose to leave the target as it is
    waiting_to_land: int = 0  # written, not landed back yet
    waiting_to_retry: int = 0  # failed, retry time not reached
    waiting_for_parent: int = 0  # a create whose parent is not written yet (e.g. the ERP customer)
    missing_model: bool = False

    @property
    def creates(self) -> int:
        return sum(1 for w in self.writes if w.operation == "create")

    @property
    def updates(self) -> int:
        return sum(1 for w in self.writes if w.operation == "update")


@dataclass
class Plan:
    syncs: list[SyncPlan]

    @property
    def writes(self) -> int:
        return sum(len(s.writes) for s in self.syncs)


@dataclass
class SyncResult:
    sync: Sync
    written: int = 0
    created: int = 0
    failed: int = 0
    held: int = 0
    waiting_for_parent: int = 0  # creates left for a later run: their parent was not written
    # records left as they are this run: written before and not landed back yet, waiting to
    # retry, still held for a person, or dropped by one
    unchanged: int = 0
    fatal: str | None = None


def plan(warehouse: Warehouse, only: Sequence[str] | None = None, at: datetime | None = None) -> Plan:
    """What a run would write now (a dry run: nothing is changed anywhere)."""
    with Ledger(warehouse, read_only=True) as ledger:
        return _plan(ledger, _selected(only), at or now_utc())


def execute(
    warehouse: Warehouse,
    targets: Mapping[str, Target],
    only: Sequence[str] | None = None,
    on_progress: Callable[[str], None] = lambda message: None,
) -> list[SyncResult]:
    """Plans, then writes, parents first; returns what happened per sync."""
    run_id = uuid.uuid4().hex
    results = []
    with Ledger(warehouse) as ledger:
        for sync in _selected(only):
            target = targets.get(sync.target)
            if target is None:
                continue
            # planned now, after the parents' syncs ran: a child sees the parents this run wrote
            sync_plan = _plan_sync(ledger, sync, now_utc(), {})
            if sync_plan.missing_model:
                continue
            results.append(_execute_sync(ledger, target, sync_plan, run_id, on_progress))
    return results


def release(warehouse: Warehouse, hold_id: str, decided_by: str) -> None:
    _decide(warehouse, hold_id, "released", decided_by)


def drop(warehouse: Warehouse, hold_id: str, decided_by: str) -> None:
    _decide(warehouse, hold_id, "dropped", decided_by)


# -- planning -------------------------------------------------------------------------------


def _selected(only: Sequence[str] | None) -> list[Sync]:
    every = syncs()
    if not only:
        return every
    unknown = sorted(set(only) - {s.name for s in every})
    if unknown:
        raise ConcordError(f"no sync named {', '.join(unknown)}; known: {', '.join(s.name for s in every)}")
    return [s for s in every if s.name in only]


def _plan(ledger: Ledger, selected: list[Sync], at: datetime) -> Plan:
    planned: list[SyncPlan] = []
    to_be_written: dict[str, set[str]] = {}  # sync -> keys this plan writes: their children follow
    for sync in selected:
        sync_plan = _plan_sync(ledger, sync, at, to_be_written)
        to_be_written[sync.name] = {w.sync_key for w in sync_plan.writes}
        planned.append(sync_plan)
    return Plan(planned)


def _plan_sync(ledger: Ledger, sync: Sync, at: datetime, to_be_written: dict[str, set[str]]) -> SyncPlan:
    result = SyncPlan(sync)
    if not ledger.relation_exists(SYNC_SCHEMA, sync.model):
        result.missing_model = True
        return result
    written = ledger.written_values(sync.name)
    dead = ledger.dead_letters(sync.name)
    held = {h.sync_key for h in ledger.holds(sync.name, status="held")}
    released = {h.sync_key for h in ledger.holds(sync.name, status="released")}
    dropped = {h.sync_key: h.values.get("desired", {}) for h in ledger.holds(sync.name, status="dropped")}
    policies = {f: ownership()[(sync.entity, f)].conflict_policy for f in sync.fields}
    parents: dict[str, dict[str, str]] = {}  # parent sync -> its records Concord wrote, by key

    for planned in _read_model(ledger, sync):
        if planned.sync_key in held:
            result.held += 1
            continue
        if planned.sync_key in dropped and dropped[planned.sync_key] == planned.desired:
            result.dropped += 1
            continue
        failures, retry_at = dead.get(planned.sync_key, (0, None))
        if retry_at is not None and retry_at > at:
            result.waiting_to_retry += 1
            continue
        if not _parents_written(ledger, planned, parents, to_be_written):
            result.waiting_for_parent += 1
            continue
        _drop_fields_waiting_to_land(planned, written)
        if not planned.desired:
            result.waiting_to_land += 1
            continue
        reason = None if planned.sync_key in released else _hold_reason(planned, written, policies)
        if reason:
            result.to_hold.append((planned, reason))
        else:
            result.writes.append(planned)
    return result


def _parents_written(
    ledger: Ledger, planned: PlannedWrite, parents: dict[str, dict[str, str]], to_be_written: dict[str, set[str]]
) -> bool:
    """Whether every parent this create names has been written by Concord (or, in a dry run,
    is written earlier in the same plan); hands the child each written parent's id."""
    ready = True
    for parent_name, parent_key in planned.requires.items():
        if parent_name not in parents:
            parents[parent_name] = ledger.written_records(parent_name)
        parent_id = parents[parent_name].get(parent_key)
        if parent_id is None:
            ready = ready and parent_key in to_be_written.get(parent_name, set())
            continue
        id_field = find_sync(parent_name).id_field
        if id_field in planned.sync.create_fields and planned.desired.get(id_field) is None:
            planned.desired[id_field] = parent_id
            planned.current[id_field] = None
    return ready


def _read_model(ledger: Ledger, sync: Sync) -> list[PlannedWrite]:
    columns, rows = ledger.columns_and_rows(f"SELECT {', '.join(MODEL_COLUMNS)} FROM {SYNC_SCHEMA}.{sync.model}")
    by_key: dict[str, PlannedWrite] = {}
    unknown_fields = set()
    known_syncs = {s.name for s in syncs()}
    for row in rows:
        r = dict(zip(columns, row, strict=True))
        name = r["field"]
        creating = r["operation"] == "create"
        is_parent = name.startswith(REQUIRES) and name[len(REQUIRES) :] in known_syncs
        if not (name in sync.fields or (creating and (is_parent or name in sync.create_fields))):
            unknown_fields.add(name)
            continue
        planned = by_key.get(r["sync_key"])
        if planned is None:
            planned = by_key[r["sync_key"]] = PlannedWrite(
                sync,
                r["sync_key"],
                r["golden_id"],
                r["operation"],
                r["target_record_id"],
                r["external_id"],
                current_as_of=_naive_utc(r["current_as_of"]),
            )
        if is_parent:
            if r["desired_value"] is not None:
                planned.requires[name[len(REQUIRES) :]] = r["desired_value"]
            continue
        planned.desired[name] = r["desired_value"]
        planned.current[name] = r["current_value"]
    if unknown_fields:
        raise ConcordError(
            f"{SYNC_SCHEMA}.{sync.model} writes {', '.join(sorted(unknown_fields))} into {sync.target}, "
            f"which the ownership file does not send there (nor names as what a create needs: "
            f"reverse_etl/syncs.py CREATE_FIELDS); fix the model or dbt_project/seeds/ownership.csv"
        )
    return list(by_key.values())


def _drop_fields_waiting_to_land(planned: PlannedWrite, written: dict) -> None:
    """Fields Concord already wrote with this very value after the target's copy was landed:
    the next load will show them; writing again would only repeat the write."""
    for name in list(planned.desired):
        value, written_at = written.get((planned.sync_key, name), (None, None))
        if written_at is None or value != planned.desired[name]:
            continue
        if planned.current_as_of is None or written_at >= planned.current_as_of:
            del planned.desired[name]
            del planned.current[name]


def _hold_reason(planned: PlannedWrite, written: dict, policies: dict[str, str]) -> str | None:
    reasons = []
    system = planned.sync.target
    for name, desired in planned.desired.items():
        current = planned.current.get(name)
        last, _ = written.get((planned.sync_key, name), (None, None))
        if planned.operation != "update" or current is None:
            continue
        if (planned.sync_key, name) in written and current not in (last, desired):
            reasons.append(
                f"{name} was changed in {system} to {current!r} after Concord wrote {last!r}; "
                f"the authority now says {desired!r}"
            )
        elif policies.get(name) == "hold_on_conflict" and (planned.sync_key, name) not in written:
            reasons.append(
                f"{name}: {system} holds {current!r}, the authority says {desired!r} "
                f"(policy hold_on_conflict: a person decides)"
            )
    return "; ".join(reasons) or None


def _naive_utc(value: datetime | None) -> datetime | None:
    """The ledger's clock: naive UTC (the warehouses hand back aware or naive timestamps)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


# -- execution ------------------------------------------------------------------------------


def _execute_sync(
    ledger: Ledger, target: Target, sync_plan: SyncPlan, run_id: str, on_progress: Callable[[str], None]
) -> SyncResult:
    sync = sync_plan.sync
    result = SyncResult(sync, waiting_for_parent=sync_plan.waiting_for_parent)
    result.unchanged = sync_plan.waiting_to_land + sync_plan.waiting_to_retry + sync_plan.held + sync_plan.dropped
    failures = ledger.dead_letters(sync.name)
    # The ledger's rows of a batch are committed together (one commit per row made the ledger,
    # not the vendor, the slowest part of a run); the in_flight rows still commit before the
    # batch is sent, so a run killed mid-batch leaves them behind.
    with ledger.transaction():
        for planned, reason in sync_plan.to_hold:
            _hold(ledger, planned, reason, run_id)
            result.held += 1
    for start in range(0, len(sync_plan.writes), BATCH):
        batch = sync_plan.writes[start : start + BATCH]
        attempt_ids = _record_in_flight_batch(ledger, batch, run_id)
        try:
            outcomes = target.write(sync.entity, [p.as_write() for p in batch])
        except TargetFatalError as exc:
            for attempt_id in attempt_ids:
                _finish(ledger, attempt_id, "failed", Outcome("", False, error_category="auth", message=str(exc)))
            result.fatal = str(exc)
            result.failed += len(batch)
            return result
        if len(outcomes) != len(batch):
            raise ConcordError(f"the {sync.target} target answered {len(outcomes)} outcomes for {len(batch)} writes")
        settled = list(zip(batch, attempt_ids, outcomes, strict=True))
        with ledger.transaction():
            _settle_written(ledger, [(p, a, o) for p, a, o in settled if o.ok], result)
            for planned, attempt_id, outcome in settled:
                if not outcome.ok:
                    failures_before = failures.get(planned.sync_key, (0, None))[0]
                    _settle_failed(ledger, planned, attempt_id, outcome, failures_before, run_id, result)
        on_progress(f"{sync.name}: {min(start + BATCH, len(sync_plan.writes)):,}/{len(sync_plan.writes):,} written")
    return result


def _in_flight_row(planned: PlannedWrite, run_id: str) -> dict[str, Any]:
    return {
        "attempt_id": uuid.uuid4().hex,
        "run_id": run_id,
        "sync": planned.sync.name,
        "target_system": planned.sync.target,
        "entity": planned.sync.entity,
        "sync_key": planned.sync_key,
        "golden_id": planned.golden_id,
        "operation": planned.operation,
        "target_record_id": planned.target_record_id,
        "values_before": as_json(planned.current),
        "values_after": as_json(planned.desired),
        "status": "in_flight",
        "attempted_at": now_utc(),
    }


def _record_in_flight(ledger: Ledger, planned: PlannedWrite, run_id: str) -> str:
    row = _in_flight_row(planned, run_id)
    ledger.record_attempt(**row)
    return row["attempt_id"]


def _record_in_flight_batch(ledger: Ledger, batch: Sequence[PlannedWrite], run_id: str) -> list[str]:
    """A batch's attempts, recorded (and committed) in one statement before any is made: one
    statement per row, not the vendor, was what held a large backlog back."""
    rows = [_in_flight_row(planned, run_id) for planned in batch]
    ledger.record_attempts(rows)
    return [row["attempt_id"] for row in rows]


def _settle_written(ledger: Ledger, written: Sequence[tuple[PlannedWrite, str, Outcome]], result: SyncResult) -> None:
    """The written rows of a batch, settled set-wise: attempts, written values, dead letters, holds."""
    if not written:
        return
    sync = written[0][0].sync.name
    ledger.finish_attempts(
        [
            (
                attempt_id,
                "written",
                o.http_status,
                o.error_category,
                (o.message or "")[:500] or None,
                o.correlation_id,
                o.attempts,
                o.target_record_id,
            )
            for _, attempt_id, o in written
        ]
    )
    ledger.remember_written_many(
        sync,
        [
            (p.sync_key, name, value, o.target_record_id or p.target_record_id)
            for p, _, o in written
            for name, value in p.desired.items()
        ],
        now_utc(),
    )
    ledger.settle_written(sync, [p.sync_key for p, _, _ in written])
    result.written += len(written)
    result.created += sum(int(o.created) for _, _, o in written)


def _finish(ledger: Ledger, attempt_id: str, status: str, outcome: Outcome) -> None:
    ledger.execute(
        f"""UPDATE {SCHEMA}.attempts SET status = %s, http_status = %s, error_category = %s, message = %s,
            correlation_id = %s, http_attempts = %s, target_record_id = COALESCE(%s, target_record_id)
            WHERE attempt_id = %s""",
        (
            status,
            outcome.http_status,
            outcome.error_category,
            (outcome.message or "")[:500] or None,
            outcome.correlation_id,
            outcome.attempts,
            outcome.target_record_id,
            attempt_id,
        ),
    )


def _settle_failed(
    ledger: Ledger,
    planned: PlannedWrite,
    attempt_id: str,
    outcome: Outcome,
    failures_before: int,
    run_id: str,
    result: SyncResult,
) -> None:
    sync = planned.sync.name
    _finish(ledger, attempt_id, "failed", outcome)
    result.failed += 1
    failures = failures_before + 1
    if outcome.error_category == "validation":
        ledger.clear_dead_letter(sync, planned.sync_key)
        _hold(ledger, planned, f"{planned.sync.target} refused the values: {outcome.message}", run_id, record=False)
        result.held += 1
    elif failures >= MAX_FAILURES:
        ledger.clear_dead_letter(sync, planned.sync_key)
        _hold(
            ledger,
            planned,
            f"failed {failures} times, last: {outcome.error_category} {outcome.http_status or ''} {outcome.message or ''}".strip(),
            run_id,
            record=False,
        )
        result.held += 1
    else:
        wait = min(FIRST_RETRY_AFTER * 2 ** (failures - 1), LONGEST_RETRY_AFTER)
        ledger.dead_letter(sync, planned.sync_key, failures, outcome.error_category, outcome.message, now_utc() + wait)


def _hold(ledger: Ledger, planned: PlannedWrite, reason: str, run_id: str, record: bool = True) -> None:
    ledger.hold(
        uuid.uuid4().hex[:12],
        planned.sync.name,
        planned.sync_key,
        planned.golden_id,
        reason,
        {"desired": planned.desired, "current": planned.current, "operation": planned.operation},
    )
    if record:
        attempt_id = _record_in_flight(ledger, planned, run_id)
        _finish(ledger, attempt_id, "held", Outcome(planned.sync_key, False, error_category="conflict", message=reason))


def _decide(warehouse: Warehouse, hold_id: str, status: str, decided_by: str) -> None:
    with Ledger(warehouse) as ledger:
        if ledger.decide(hold_id, status, decided_by) is None:
            raise ConcordError(f"no held row with id {hold_id!r}; `concord sync held` lists them")

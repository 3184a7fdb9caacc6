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
(re-running is safe: creates are idempotent). The next run of that sync settles them first,
before it plans: it reads each record back from the target and records the attempt
`confirmed` (the vendor holds the values: remembered as written) or `lost` (planned again).

A failed write is retried on later runs with exponential backoff. A transient failure (the
vendor unreachable, a 429, a 5xx) is retried for as long as the vendor is down, the wait
capped at `retry_cap`, and never held; the sync's outage (only transient failures since when)
is kept in the ledger and reported in the result, for the orchestration to alert on. A
validation error (the vendor refused the values) is held with the vendor's message, and so is
a record refused otherwise (a conflict, not found) `MAX_FAILURES` times.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.errors import ConcordError
from core.settings import DEFAULT_WRITE_BACK_RETRY_CAP
from core.warehouse import Warehouse
from reverse_etl.ledger import SCHEMA, DeadLetter, Hold, Ledger, Outage, as_json, now_utc
from reverse_etl.syncs import REQUIRES, Sync, ownership, syncs
from reverse_etl.syncs import find as find_sync
from reverse_etl.targets.base import (
    TRANSIENT_CATEGORIES,
    Outcome,
    Target,
    TargetFatalError,
    TargetUnavailableError,
    Write,
)

SYNC_SCHEMA = "marts"
MAX_FAILURES = 5  # refusals (not transient failures) of one record before it is held
FIRST_RETRY_AFTER = timedelta(minutes=1)
LONGEST_RETRY_AFTER = timedelta(hours=6)  # after a refusal; a transient failure's wait is `retry_cap`
LONGEST_DOUBLING = 20  # 2**20 minutes is beyond every cap: keeps the doubling from overflowing
DECISIONS = ("released", "dropped")  # what a person may decide on a held row
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
    transient_failures: int = 0  # failed this run as the vendor was down or busy: retried, never held
    last_transient: str | None = None  # the last of them (category, status, the vendor's message)
    unavailable: str | None = None  # the vendor could not be reached for the run's writes at all
    confirmed: int = 0  # in_flight writes of a killed run that the vendor holds (read back)
    lost: int = 0  # in_flight writes of a killed run that never landed: planned again
    unsettled: int = 0  # in_flight writes that could not be read back (the vendor did not answer)
    outage: Outage | None = None  # since when the vendor has answered only transient failures


def plan(warehouse: Warehouse, only: Sequence[str] | None = None, at: datetime | None = None) -> Plan:
    """What a run would write now (a dry run: nothing is changed anywhere)."""
    with Ledger(warehouse, read_only=True) as ledger:
        return _plan(ledger, _selected(only), at or now_utc())


def execute(
    warehouse: Warehouse,
    targets: Mapping[str, Target],
    only: Sequence[str] | None = None,
    on_progress: Callable[[str], None] = lambda message: None,
    retry_cap: timedelta = DEFAULT_WRITE_BACK_RETRY_CAP,
) -> list[SyncResult]:
    """Settles what killed runs left in flight, plans, then writes, parents first; returns what
    happened per sync. `retry_cap`: the longest wait before a transient failure is retried."""
    run_id = uuid.uuid4().hex
    results = []
    with Ledger(warehouse) as ledger:
        for sync in _selected(only):
            target = targets.get(sync.target)
            if target is None or not ledger.relation_exists(SYNC_SCHEMA, sync.model):
                continue
            settled = _settle_in_flight(ledger, target, sync, run_id)
            # planned now, after the parents' syncs ran: a child sees the parents this run wrote
            sync_plan = _plan_sync(ledger, sync, now_utc(), {})
            result = _execute_sync(ledger, target, sync_plan, run_id, on_progress, retry_cap)
            result.confirmed, result.lost, result.unsettled = settled
            results.append(result)
    return results


def decide(
    warehouse: Warehouse,
    decision: str,
    hold_ids: Sequence[str],
    decided_by: str,
    sync: str | None = None,
    reason: str | None = None,
) -> list[Hold]:
    """A person's decision on held rows: `released` (the next run writes them, the authority's
    values win) or `dropped` (the targets keep their values). The rows are those named by id
    and/or matching the filters (all that is given must match); returns them. Naming nothing,
    or what matches nothing, is a ConcordError."""
    if decision not in DECISIONS:
        raise ValueError(f"a decision is one of {DECISIONS}, not {decision!r}")
    if not hold_ids and sync is None and reason is None:
        raise ConcordError(
            "name the held rows: their ids, --sync NAME and/or --reason TEXT; `concord sync held` lists them"
        )
    if sync is not None:
        _selected([sync])  # an unknown sync is a mistake, not "nothing held"
    with Ledger(warehouse) as ledger:
        held = ledger.holds(status="held")
        unknown = sorted(set(hold_ids) - {h.hold_id for h in held})
        if unknown:
            ids = ", ".join(repr(i) for i in unknown)
            raise ConcordError(
                f"no held row with id{'s' if len(unknown) > 1 else ''} {ids}; `concord sync held` lists them"
            )
        chosen = [
            h
            for h in held
            if (not hold_ids or h.hold_id in hold_ids)
            and (sync is None or h.sync == sync)
            and (reason is None or reason.lower() in h.reason.lower())
        ]
        if not chosen:
            wanted = " and ".join(
                part
                for part in (
                    f"ids {', '.join(hold_ids)}" if hold_ids else "",
                    f"sync {sync}" if sync else "",
                    f"a reason containing {reason!r}" if reason is not None else "",
                )
                if part
            )
            raise ConcordError(f"no held row matches {wanted}; `concord sync held` lists them")
        ledger.decide(chosen, decision, decided_by)
    return chosen


def outage_reported(warehouse: Warehouse, outage: Outage) -> None:
    """Remembers that `outage` was alerted on: the runs it goes on through raise no other alert."""
    with Ledger(warehouse) as ledger:
        ledger.outage_reported(outage.sync, outage.since, now_utc())


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
        failed = dead.get(planned.sync_key)
        if failed is not None and failed.retry_at > at:
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


def _settle_in_flight(ledger: Ledger, target: Target, sync: Sync, run_id: str) -> tuple[int, int, int]:
    """The sync's attempts that killed runs left `in_flight`, read back from the target and
    settled: `confirmed` (the vendor holds the values: remembered as written, so the record
    waits to land instead of being written again, and a child finds a created parent's id) or
    `lost` (planned again). Left in flight when the vendor cannot be asked now.
    Returns (confirmed, lost, unsettled)."""
    rows = ledger.in_flight(sync.name, run_id)
    if not rows:
        return 0, 0, 0
    writes = [Write(r.sync_key, r.operation, r.target_record_id, r.external_id, r.values) for r in rows]  # type: ignore[arg-type]
    try:
        found = target.confirm(sync.entity, writes)
    except (TargetFatalError, TargetUnavailableError):
        return 0, 0, len(rows)  # asked again by the next run
    confirmed = [(r, f) for r, f in zip(rows, found, strict=True) if f is not None and f.holds]
    lost = [r for r, f in zip(rows, found, strict=True) if f is not None and not f.holds]
    with ledger.transaction():
        ledger.finish_attempts(
            [(r.attempt_id, "confirmed", None, None, CONFIRMED, None, None, f.target_record_id) for r, f in confirmed]
            + [(r.attempt_id, "lost", None, None, LOST, None, None, None) for r in lost]
        )
        ledger.remember_written_many(
            sync.name,
            [
                (r.sync_key, name, value, f.target_record_id or r.target_record_id)
                for r, f in confirmed
                for name, value in r.values.items()
            ],
            now_utc(),
        )
        ledger.settle_written(sync.name, [r.sync_key for r, _ in confirmed])
    return len(confirmed), len(lost), len(rows) - len(confirmed) - len(lost)


CONFIRMED = "read back after the run that sent it died: the target holds the written values"
LOST = "read back after the run that sent it died: the target does not hold the written values; planned again"


def _execute_sync(
    ledger: Ledger,
    target: Target,
    sync_plan: SyncPlan,
    run_id: str,
    on_progress: Callable[[str], None],
    retry_cap: timedelta,
) -> SyncResult:
    sync = sync_plan.sync
    result = SyncResult(sync, waiting_for_parent=sync_plan.waiting_for_parent)
    result.unchanged = sync_plan.waiting_to_land + sync_plan.waiting_to_retry + sync_plan.held + sync_plan.dropped
    # The ledger's rows of a batch are committed together (one commit per row made the ledger,
    # not the vendor, the slowest part of a run); the in_flight rows still commit before the
    # batch is sent, so a run killed mid-batch leaves them behind.
    with ledger.transaction():
        for planned, reason in sync_plan.to_hold:
            _hold(ledger, planned, reason, run_id)
            result.held += 1
    failures = ledger.dead_letters(sync.name)
    answered = False  # whether the vendor answered anything but a transient failure (it is up)
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
            answered = True
            break
        except TargetUnavailableError as exc:
            # nothing of the batch was sent; the rest of the plan is left for the next run
            result.unavailable = str(exc)
            outcomes = [Outcome(p.sync_key, False, error_category=exc.category, message=str(exc)) for p in batch]
        if len(outcomes) != len(batch):
            raise ConcordError(f"the {sync.target} target answered {len(outcomes)} outcomes for {len(batch)} writes")
        settled = list(zip(batch, attempt_ids, outcomes, strict=True))
        with ledger.transaction():
            _settle_written(ledger, [(p, a, o) for p, a, o in settled if o.ok], result)
            for planned, attempt_id, outcome in settled:
                if not outcome.ok:
                    before = failures.get(planned.sync_key)
                    _settle_failed(ledger, planned, attempt_id, outcome, before, run_id, retry_cap, result)
        answered = answered or any(
            o.ok or (o.error_category not in TRANSIENT_CATEGORIES and o.attempts > 0) for o in outcomes
        )
        if result.unavailable:
            break
        on_progress(f"{sync.name}: {min(start + BATCH, len(sync_plan.writes)):,}/{len(sync_plan.writes):,} written")
    if answered:
        ledger.outage_over(sync.name)
    elif result.transient_failures:
        result.outage = ledger.outage_continues(sync.name, now_utc(), result.unavailable or result.last_transient)
    elif sync_plan.waiting_to_retry:  # nothing tried: the retries wait their backoff, the outage goes on
        result.outage = ledger.outage(sync.name)
    else:  # nothing waits on the vendor any more
        ledger.outage_over(sync.name)
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
        "external_id": planned.external_id,
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
    before: DeadLetter | None,
    run_id: str,
    retry_cap: timedelta,
    result: SyncResult,
) -> None:
    sync = planned.sync.name
    _finish(ledger, attempt_id, "failed", outcome)
    result.failed += 1
    transient = outcome.error_category in TRANSIENT_CATEGORIES
    failures = (before.failures if before else 0) + 1
    refusals = (before.refusals if before else 0) + (0 if transient else 1)
    if outcome.error_category == "validation":
        ledger.clear_dead_letter(sync, planned.sync_key)
        _hold(ledger, planned, f"{planned.sync.target} refused the values: {outcome.message}", run_id, record=False)
        result.held += 1
    elif not transient and refusals >= MAX_FAILURES:
        ledger.clear_dead_letter(sync, planned.sync_key)
        _hold(
            ledger,
            planned,
            f"failed {refusals} times, last: {outcome.error_category} {outcome.http_status or ''} {outcome.message or ''}".strip(),
            run_id,
            record=False,
        )
        result.held += 1
    else:
        # a vendor that is down is retried for as long as it is down, never held: its wait
        # stops growing at `retry_cap`, so writes land soon after it is back
        doublings, longest = (failures - 1, retry_cap) if transient else (refusals - 1, LONGEST_RETRY_AFTER)
        wait = min(FIRST_RETRY_AFTER * 2 ** min(doublings, LONGEST_DOUBLING), longest)
        retry = DeadLetter(failures, refusals, now_utc() + wait)
        ledger.dead_letter(sync, planned.sync_key, retry, outcome.error_category, outcome.message)
        if transient:
            result.transient_failures += 1
            result.last_transient = " ".join(
                str(part) for part in (outcome.error_category, outcome.http_status, outcome.message) if part
            )


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

"""The write-back engine: dry runs, the ledger, waiting for a write to land, conflicts held
for a person, refused values, retries with backoff. Against a real Harvest sandbox (the `test`
firm) and a sync model table written by hand, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ingestion.config import Warehouse
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger, now_utc
from reverse_etl.targets.harvest import HarvestTarget
from sandboxes.common.faults import FaultRates
from sandboxes.serving import SandboxCluster
from sandboxes.simulator import generate
from sandboxes.store import Store
from tests.conftest import StartSandboxes
from tests.reverse_etl.conftest import clients, harvest_config, plan_renames

SYNC = "harvest__customers"


def attempts(warehouse: Warehouse) -> list[tuple]:
    with Ledger(warehouse) as ledger:
        return ledger.rows(f"SELECT sync_key, status, correlation_id FROM {SCHEMA}.attempts ORDER BY attempted_at")


def test_a_dry_run_changes_nothing_anywhere(
    warehouse: Warehouse, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    plan_renames(warehouse, renames)
    before = clients(harvest)

    plan = engine.plan(warehouse, [SYNC])

    assert [w.target_record_id for w in plan.syncs[0].writes] == sorted(renames)
    assert clients(harvest) == before
    with Ledger(warehouse, read_only=True) as ledger:
        assert not ledger.relation_exists(SCHEMA, "attempts")


def test_a_run_writes_each_difference_once_and_the_ledger_records_every_attempt(
    warehouse: Warehouse, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    plan_renames(warehouse, renames)

    [result] = engine.execute(warehouse, {"harvest": HarvestTarget(harvest_config(harvest))}, [SYNC])

    assert (result.written, result.failed, result.held) == (3, 0, 0)
    names = clients(harvest)
    assert {names[client_id] for client_id in renames} == {desired for _, desired in renames.values()}
    recorded = attempts(warehouse)
    assert [status for _, status, _ in recorded] == ["written"] * 3
    assert all(correlation_id for *_, correlation_id in recorded)
    # the landed copy still shows the old names: the writes wait to land, nothing is written twice
    again = engine.plan(warehouse, [SYNC]).syncs[0]
    assert (len(again.writes), again.waiting_to_land) == (0, 3)


def test_a_value_changed_in_the_target_after_concord_wrote_it_is_held_for_a_person(
    warehouse: Warehouse, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    target = {"harvest": HarvestTarget(harvest_config(harvest))}
    plan_renames(warehouse, renames)
    engine.execute(warehouse, target, [SYNC])
    client_id = sorted(renames)[0]
    # landed later: someone renamed it by hand since, and the CRM now has a third name
    later = now_utc() + timedelta(seconds=5)
    plan_renames(warehouse, {client_id: ("Renamed By Hand", "Newer CRM Name")}, landed_at=later)

    [result] = engine.execute(warehouse, target, [SYNC])

    assert (result.written, result.held) == (0, 1)
    with Ledger(warehouse) as ledger:
        [hold] = ledger.holds(SYNC)
    assert hold.sync_key == f"harvest:{client_id}"
    assert "legal_name was changed in harvest to 'Renamed By Hand'" in hold.reason
    assert clients(harvest)[client_id] == renames[client_id][1]  # not overwritten with the CRM's newer name
    assert engine.plan(warehouse, [SYNC]).syncs[0].held == 1

    engine.release(warehouse, hold.hold_id, "a steward")
    [result] = engine.execute(warehouse, target, [SYNC])

    assert result.written == 1
    assert clients(harvest)[client_id] == "Newer CRM Name"


def test_a_dropped_hold_leaves_the_target_as_it_is(
    warehouse: Warehouse, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    target = {"harvest": HarvestTarget(harvest_config(harvest))}
    plan_renames(warehouse, renames)
    engine.execute(warehouse, target, [SYNC])
    client_id = sorted(renames)[0]
    plan_renames(
        warehouse, {client_id: ("Renamed By Hand", "Newer CRM Name")}, landed_at=now_utc() + timedelta(seconds=5)
    )
    engine.execute(warehouse, target, [SYNC])
    with Ledger(warehouse) as ledger:
        [hold] = ledger.holds(SYNC)

    engine.drop(warehouse, hold.hold_id, "a steward")

    sync_plan = engine.plan(warehouse, [SYNC]).syncs[0]
    assert (len(sync_plan.writes), sync_plan.dropped) == (0, 1)


def test_values_the_vendor_refuses_are_held_with_its_message_and_the_rest_is_written(
    warehouse: Warehouse, harvest: SandboxCluster, renames: dict[str, tuple[str, str]]
) -> None:
    first, second, third = sorted(renames)
    # Harvest client names are unique: the second client cannot take the third one's name
    plan_renames(
        warehouse,
        {first: renames[first], second: (renames[second][0], renames[third][0]), third: renames[third]},
    )

    [result] = engine.execute(warehouse, {"harvest": HarvestTarget(harvest_config(harvest))}, [SYNC])

    assert (result.written, result.failed, result.held) == (2, 1, 1)
    with Ledger(warehouse) as ledger:
        [hold] = ledger.holds(SYNC)
    assert hold.sync_key == f"harvest:{second}"
    assert "harvest refused the values" in hold.reason and "taken" in hold.reason


def test_a_failed_write_is_retried_later_with_backoff_then_held(
    warehouse: Warehouse, tmp_path: Path, start_sandboxes: StartSandboxes
) -> None:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    store.close()
    down = start_sandboxes(systems=("harvest",), faults={"harvest": FaultRates(rate_503=1.0)})
    client_id, name = sorted(clients_via_store(tmp_path).items())[0]
    plan_renames(warehouse, {client_id: (name, f"{name} (renamed)")})
    target = {"harvest": HarvestTarget(harvest_config(down))}

    [result] = engine.execute(warehouse, target, [SYNC])

    assert (result.written, result.failed, result.held) == (0, 1, 0)
    assert engine.plan(warehouse, [SYNC]).syncs[0].waiting_to_retry == 1
    for _ in range(engine.MAX_FAILURES - 1):
        with Ledger(warehouse) as ledger:  # the retry time has come
            ledger.execute(
                f"UPDATE {SCHEMA}.dead_letters SET next_attempt_at = %s", (now_utc() - timedelta(seconds=1),)
            )
        engine.execute(warehouse, target, [SYNC])
    with Ledger(warehouse) as ledger:
        [hold] = ledger.holds(SYNC)
        failed = ledger.rows(f"SELECT COUNT(*) FROM {SCHEMA}.attempts WHERE status = 'failed'")
    assert hold.reason.startswith(f"failed {engine.MAX_FAILURES} times, last: server 503")
    assert failed == [(engine.MAX_FAILURES,)]


def clients_via_store(root: Path) -> dict[str, str]:
    store = Store(root / "sandbox")
    try:
        return {str(i): n for i, n in store.connect("harvest").execute("SELECT id, name FROM clients")}
    finally:
        store.close()

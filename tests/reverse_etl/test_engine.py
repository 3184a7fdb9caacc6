"""The write-back engine: dry runs, the ledger, waiting for a write to land, conflicts held
for a person, refused values, refusals retried with backoff then held. Against a real Harvest sandbox (the `test`
firm) and a sync model table written by hand, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sandboxes.serving import SandboxCluster
from sandboxes.store import Store

from core.errors import ConcordError
from core.warehouse import Warehouse
from reverse_etl import engine
from reverse_etl.ledger import SCHEMA, Ledger, now_utc
from reverse_etl.targets.harvest import HarvestTarget
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

    engine.decide(warehouse, "released", [hold.hold_id], "a steward")
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

    engine.decide(warehouse, "dropped", [hold.hold_id], "a steward")

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


def test_ids_and_filters_given_together_release_only_the_named_rows_that_match_them_all(
    warehouse: Warehouse, harvest: SandboxCluster
) -> None:
    (first, first_name), (second, second_name), (_, third_name), (_, fourth_name) = sorted(clients(harvest).items())[:4]
    # two renames to names other clients hold: both refused, both held
    plan_renames(warehouse, {first: (first_name, third_name), second: (second_name, fourth_name)})
    engine.execute(warehouse, {"harvest": HarvestTarget(harvest_config(harvest))}, [SYNC])
    with Ledger(warehouse) as ledger:
        one, other = (h.hold_id for h in ledger.holds(SYNC))

    with pytest.raises(ConcordError, match="no held row matches ids .* and sync harvest__projects"):
        engine.decide(warehouse, "released", [one, other], "a steward", sync="harvest__projects")
    released = engine.decide(warehouse, "released", [one], "a steward", sync=SYNC, reason="refused")

    assert [h.hold_id for h in released] == [one]
    with Ledger(warehouse) as ledger:
        assert [h.hold_id for h in ledger.holds(SYNC)] == [other]


def test_a_record_the_vendor_refuses_again_and_again_is_retried_with_backoff_then_held(
    warehouse: Warehouse, harvest: SandboxCluster
) -> None:
    # a client deleted in Harvest since it was landed: every rename is refused (404), not transient
    plan_renames(warehouse, {"999999999": ("Gone Ltd", "Gone Ltd (renamed)")})
    target = {"harvest": HarvestTarget(harvest_config(harvest))}

    [result] = engine.execute(warehouse, target, [SYNC])

    assert (result.written, result.failed, result.held, result.transient_failures) == (0, 1, 0, 0)
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
    assert hold.reason.startswith(f"failed {engine.MAX_FAILURES} times, last: not_found 404")
    assert failed == [(engine.MAX_FAILURES,)]


# -- parents first: a create that names its parent (requires:<sync>) waits for it ------------

COLUMNS = (
    "sync_key, golden_id, operation, target_record_id, external_id, field, desired_value, current_value, current_as_of"
)


def hand_made_model(warehouse: Warehouse, model: str, rows: list[tuple[str, str, str, str | None]]) -> None:
    """A sync model of creates: (sync_key, external id, field, desired value) rows."""
    values = ", ".join(
        f"('{key}', '{key[7:]}', 'create', NULL, '{external}', '{field}', "
        f"{'NULL' if desired is None else repr(desired)}, NULL, NULL)"
        for key, external, field, desired in rows
    )
    warehouse.execute("CREATE SCHEMA IF NOT EXISTS marts")
    warehouse.execute(f"DROP TABLE IF EXISTS marts.{model}")
    warehouse.execute(
        f"""CREATE TABLE marts.{model} AS SELECT sync_key, golden_id, operation, target_record_id, external_id,
            field, desired_value, current_value, CAST(current_as_of AS TIMESTAMP) AS current_as_of
            FROM (VALUES {values}) AS model ({COLUMNS})""",
    )


def plan_client_and_project(warehouse: Warehouse, client_name: str) -> None:
    hand_made_model(
        warehouse,
        "sync_harvest__customers",
        [("golden:GC-NEW", "GC-NEW", "legal_name", client_name), ("golden:GC-NEW", "GC-NEW", "currency_code", "EUR")],
    )
    hand_made_model(
        warehouse,
        "sync_harvest__projects",
        [
            ("golden:PRJ-NEW", "OPP-NEW", "project_name", f"{client_name} - rollout"),
            ("golden:PRJ-NEW", "OPP-NEW", "project_code", "OPP-NEW"),
            ("golden:PRJ-NEW", "OPP-NEW", "harvest_client_id", None),
            ("golden:PRJ-NEW", "OPP-NEW", "requires:harvest__customers", "golden:GC-NEW"),
            ("golden:PRJ-NEW", "OPP-NEW", "budget", "80.00"),
            ("golden:PRJ-NEW", "OPP-NEW", "hourly_rate", '{"Analyst": "155.00"}'),
        ],
    )


def projects_coded(cluster: SandboxCluster, code: str) -> list[tuple[int, int]]:
    store = Store(cluster.settings.store_dir)
    try:
        return store.connect("harvest").execute("SELECT id, client_id FROM projects WHERE code = ?", (code,)).fetchall()
    finally:
        store.close()


def test_a_create_naming_its_parent_is_written_after_the_parent_in_the_same_run_with_its_new_id(
    tmp_path: Path, harvest: SandboxCluster
) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_client_and_project(warehouse, "Parent First GmbH")

    dry_run = {s.sync.name: s for s in engine.plan(warehouse, ["harvest__customers", "harvest__projects"]).syncs}
    results = engine.execute(
        warehouse, {"harvest": HarvestTarget(harvest_config(harvest))}, ["harvest__projects", SYNC]
    )

    assert (dry_run["harvest__projects"].creates, dry_run["harvest__projects"].waiting_for_parent) == (1, 0)
    assert [(r.sync.name, r.created) for r in results] == [(SYNC, 1), ("harvest__projects", 1)]
    [client_id] = [cid for cid, name in clients(harvest).items() if name == "Parent First GmbH"]
    assert [(client,) for _, client in projects_coded(harvest, "OPP-NEW")] == [(int(client_id),)]


def test_a_create_whose_parent_failed_waits_and_follows_it_on_the_run_that_writes_the_parent(
    tmp_path: Path, harvest: SandboxCluster
) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    plan_client_and_project(warehouse, "Parent First GmbH")
    target = {"harvest": HarvestTarget(harvest_config(harvest))}
    # the parent's create refused for now: a currency Harvest does not know (a 422)
    warehouse.execute("UPDATE marts.sync_harvest__customers SET desired_value = 'EURO' WHERE field = 'currency_code'")

    first = {r.sync.name: r for r in engine.execute(warehouse, target, [SYNC, "harvest__projects"])}
    assert (first[SYNC].created, first[SYNC].held) == (0, 1)
    assert (first["harvest__projects"].created, first["harvest__projects"].waiting_for_parent) == (0, 1)
    assert projects_coded(harvest, "OPP-NEW") == []

    # a person fixes the currency and releases the hold: the next run writes the parent, then the child
    warehouse.execute("UPDATE marts.sync_harvest__customers SET desired_value = 'EUR' WHERE field = 'currency_code'")
    [held] = engine_holds(warehouse)
    engine.decide(warehouse, "released", [held], "a steward")
    second = {r.sync.name: r for r in engine.execute(warehouse, target, [SYNC, "harvest__projects"])}

    assert (second[SYNC].created, second["harvest__projects"].created) == (1, 1)
    assert len(projects_coded(harvest, "OPP-NEW")) == 1


def engine_holds(warehouse: Warehouse) -> list[str]:
    with Ledger(warehouse, read_only=True) as ledger:
        return [h.hold_id for h in ledger.holds(status="held")]


def test_a_parent_named_by_an_unknown_sync_is_a_one_line_error(tmp_path: Path) -> None:
    warehouse = Warehouse(kind="duckdb", duckdb_path=tmp_path / "warehouse.duckdb")
    hand_made_model(
        warehouse,
        "sync_harvest__projects",
        [("golden:PRJ-X", "OPP-X", "project_code", "OPP-X"), ("golden:PRJ-X", "OPP-X", "requires:crm__deals", "k")],
    )

    with pytest.raises(ConcordError, match="requires:crm__deals"):
        engine.plan(warehouse, ["harvest__projects"])

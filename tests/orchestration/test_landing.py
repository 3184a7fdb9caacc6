"""The landing assets as Dagster runs them, in process, against a firm served by the sandboxes:
a key reconciliation the delete guard withheld does not fail the load, says so in the table's
metadata and raises a `mass_delete` alert saying how to confirm the deletes, once while the
deletes stay withheld, and again only after they were confirmed and a new mass delete appears."""

from __future__ import annotations

import dagster as dg

from orchestration.automation.alerts import AlertLog
from orchestration.landing.assets import landed_tables, landing_asset
from orchestration.settings import ConcordSettings
from tests.orchestration.conftest import ServedFirm
from tests.sandboxes.harvest_store import harvest_time_of_one_user_only

LAND_HARVEST = landing_asset("harvest", landed_tables()["harvest"])
TIME_ENTRIES = dg.AssetKey(["raw", "harvest", "time_entries"])


def land(config: dict[str, object] | None = None) -> dg.ExecuteInProcessResult:
    run_config = {"ops": {"land_harvest": {"config": config or {}}}}
    return dg.materialize([LAND_HARVEST], resources={"concord": ConcordSettings()}, run_config=run_config)


def test_a_withheld_mass_delete_does_not_fail_the_load_and_raises_an_alert_saying_how_to_confirm(
    served_firm: ServedFirm,
) -> None:
    land()
    missing = harvest_time_of_one_user_only(served_firm.store)

    result = land({"reconcile_all": True})

    assert result.success
    metadata = {m.asset_key: m.metadata for m in result.asset_materializations_for_node("land_harvest")}
    assert metadata[TIME_ENTRIES]["deletes_withheld"].value == missing
    assert metadata[TIME_ENTRIES]["deleted"].value == 0
    with AlertLog(served_firm.root / "alerts.sqlite") as log:
        [alert] = [a for a in log.latest() if a.kind == "mass_delete"]
    assert alert.subject == "harvest.time_entries"
    assert "concord ingest --reconcile --confirm-deletes harvest.time_entries" in alert.message


def test_the_mass_delete_alert_is_raised_once_while_the_deletes_stay_withheld(served_firm: ServedFirm) -> None:
    land()
    harvest_time_of_one_user_only(served_firm.store)

    def alerts() -> int:
        with AlertLog(served_firm.root / "alerts.sqlite") as log:
            return sum(1 for a in log.latest(100) if a.kind == "mass_delete")

    land({"reconcile_all": True})
    land({"reconcile_all": True})
    assert alerts() == 1  # the second run still withholds them, and says so in its log only

    land({"reconcile_all": True, "confirm_deletes": ["harvest.time_entries"]})
    with served_firm.store.transaction("harvest") as conn:  # then most of that user's entries go too
        assert conn.execute("DELETE FROM time_entries WHERE id NOT IN (SELECT MIN(id) FROM time_entries)").rowcount > 10
    land({"reconcile_all": True})
    assert alerts() == 2  # a new mass delete after the confirmed one

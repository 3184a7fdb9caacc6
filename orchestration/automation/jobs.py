"""The two runs of the loop. Both land every system, build the model, check it and write
back; they differ in how thorough they are."""

from __future__ import annotations

import dagster as dg

from orchestration.landing.assets import landed_tables

# What the frequent loop leaves to the nightly run, as dbt's `loop` selector does: the staging
# tests (each vendor's own integrity, also guarded by the canonical tests downstream).
STAGING = dg.AssetSelection.key_prefixes(["staging"])
STAGING_CHECKS = STAGING - STAGING.without_checks()

loop_job = dg.define_asset_job(
    "concord_loop",
    selection=dg.AssetSelection.all() - STAGING_CHECKS,
    description="One cycle: land what changed in each system, rebuild the model, check it, write back.",
    tags={"concord/cycle": "loop"},
)

nightly_job = dg.define_asset_job(
    "concord_nightly",
    selection=dg.AssetSelection.all(),
    description=(
        "The loop with every check, and every table's keys reconciled against each system to find "
        "records deleted for good (Harvest has no tombstones)."
    ),
    config={"ops": {f"land_{system}": {"config": {"reconcile_all": True}} for system in landed_tables()}},
    tags={"concord/cycle": "nightly"},
)

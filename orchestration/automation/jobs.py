"""The two runs of the loop. Both land every system, build the model, check it and write
back; they differ in how thorough they are."""

from __future__ import annotations

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from core.settings import settings
from orchestration.landing.assets import landed_tables
from orchestration.modelling.assets import dbt_models

# The frequent loop builds what dbt's `loop` selector (dbt_project/selectors.yml, the one place
# it is stated) selects of the dbt project, and everything that is not dbt.
LOOP_SELECTION = (dg.AssetSelection.all() - dg.AssetSelection.assets(dbt_models)) | build_dbt_asset_selection(
    [dbt_models], dbt_selector="loop"
)

# At most one of the two runs at a time, whichever started them (`dagster.yaml`'s run queue
# limits runs by the `concord/cycle` tag), each stopped by run monitoring after the time limit.
# Steps run in the run's own process: on DuckDB they take the one warehouse slot in turn anyway,
# and the run's process is then the one the dead-run recovery watches (automation/runs.py).
RUN_TAGS = {"dagster/max_runtime": str(int(settings().run_time_limit.total_seconds()))}

loop_job = dg.define_asset_job(
    "concord_loop",
    selection=LOOP_SELECTION,
    description="One cycle: land what changed in each system, rebuild the model, check it, write back.",
    tags={"concord/cycle": "loop", **RUN_TAGS},
    executor_def=dg.in_process_executor,
)

nightly_job = dg.define_asset_job(
    "concord_nightly",
    selection=dg.AssetSelection.all(),
    description=(
        "The loop with every check, and every table's keys reconciled against each system to find "
        "records deleted for good (Harvest has no tombstones)."
    ),
    config={"ops": {f"land_{system}": {"config": {"reconcile_all": True}} for system in landed_tables()}},
    tags={"concord/cycle": "nightly", **RUN_TAGS},
    executor_def=dg.in_process_executor,
)

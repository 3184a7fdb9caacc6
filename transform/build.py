"""The build of the canonical model: dbt, with the customer matching in the middle.

Matching runs in Python (Splink), between the customer records dbt prepares and the models
that read its clusters, so one build is three steps:
1. `dbt build` of what matching reads (`MATCHING_INPUTS`: the customer records and the
   stewards' decisions, with the seeds and staging models under them; models only, their
   tests run in step 3);
2. `match_customers`, which writes the `matching` tables;
3. the build that was asked for (the whole project, a selection or a selector).
Step 3 builds the inputs again when they are selected; they are views and one small table,
and building them twice keeps the selection exactly what the caller asked.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.dbt import DbtResult, run_dbt
from core.dbt import build as dbt_build
from core.settings import settings
from core.warehouse import Warehouse
from transform.matching import match_customers

MATCHING_INPUTS = "+int_customer_records +stg_governance__steward_match_decisions"


def build_matching_inputs(
    warehouse: Warehouse, on_line: Callable[[str], None] = lambda line: None, target_dir: Path | None = None
) -> DbtResult:
    """Step 1: the models (and seeds) matching reads."""
    args = ["build", "--select", MATCHING_INPUTS, "--resource-type", "model", "--resource-type", "seed"]
    return run_dbt(args, warehouse, on_line, target_dir)


def build(
    warehouse: Warehouse | None = None, on_line: Callable[[str], None] = lambda line: None, **options: Any
) -> DbtResult:
    """Builds the project with matching in the middle; `options` are `core.dbt.build`'s (select,
    selector, full_refresh, target_dir, unit_tests). Returns the failing step's result, or the
    last one's."""
    warehouse = warehouse or settings().warehouse
    inputs = build_matching_inputs(warehouse, on_line, options.get("target_dir"))
    if not inputs.ok:
        return inputs
    summary = match_customers(warehouse)
    on_line(summary.describe())
    return dbt_build(warehouse, on_line=on_line, **options)

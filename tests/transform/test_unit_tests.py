"""The dbt unit tests (matching, survivorship, rate selection) pass on their own: the specs of
the canonical model's logic, run in isolation from the data-dependent build. Unit tests read
their inputs' column types from the warehouse, so they run on the built demo firm (they
leave its tables as they are)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from core.dbt import PROJECT_DIR, run_dbt
from tests.firm import LandedFirm

UNIT_TEST_FILES = [
    "models/intermediate/customers/_customers__unit_tests.yml",
    "models/canonical/_canonical__unit_tests.yml",
    "models/marts/reconciliation/_reconciliation__unit_tests.yml",
]


def unit_tests_written() -> int:
    return sum(len(yaml.safe_load((PROJECT_DIR / path).read_text())["unit_tests"]) for path in UNIT_TEST_FILES)


def test_the_unit_tests_of_matching_survivorship_and_rate_selection_pass(
    built_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    result = run_dbt(
        ["test", "--select", "test_type:unit", "--log-path", str(tmp_path / "dbt_logs")],
        built_demo_firm.warehouse,
        target_dir=tmp_path / "dbt_target",
    )

    assert result.ok, result.output[-6000:]
    ran = re.search(r"Finished running .*?(\d+) unit tests?", result.output)
    assert ran is not None, result.output[-2000:]
    assert int(ran.group(1)) >= unit_tests_written()

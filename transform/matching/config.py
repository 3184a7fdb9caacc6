"""The matching thresholds, read from the one place they are set: `vars.matching` in
`dbt_project/dbt_project.yml` (the same block holds the name normalisation the SQL applies)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from core.dbt import PROJECT_DIR
from core.errors import ConcordError


@dataclass(frozen=True)
class MatchingConfig:
    match_probability: float  # a pair at or above merges
    review_probability: float  # a pair at or above (and below the match) waits for a steward
    # A pair below this is evidence that two records are different clients (e.g. different tax
    # ids): two groups holding such a pair are never merged, whatever else links them.
    contradiction_probability: float


@cache
def matching_config() -> MatchingConfig:
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    try:
        values = project["vars"]["matching"]
        config = MatchingConfig(
            match_probability=float(values["match_probability"]),
            review_probability=float(values["review_probability"]),
            contradiction_probability=float(values["contradiction_probability"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ConcordError(f"dbt_project.yml: vars.matching needs a number for {error}") from None
    if not 0 < config.contradiction_probability < config.review_probability <= config.match_probability < 1:
        raise ConcordError(
            "dbt_project.yml: vars.matching needs 0 < contradiction_probability < review_probability "
            "<= match_probability < 1"
        )
    return config

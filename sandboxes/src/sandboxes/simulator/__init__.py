"""The firm simulator: a seeded professional-services firm and the clock that moves it.

- `generate(store, size, seed, as_of, drift, noise)` wipes a store and writes the firm's
  history, already drifted between the CRM, PSA and ERP (see `DriftRates`) and as messy as a
  real firm's records (see `MatchingNoise`, `NOISE_LEVELS`).
- `tick(store, days)` plays the people inside each system for N simulated days.
- `export_truth(store, path)` writes the ground truth (entity map, drift) as JSON.
- `dump_digest(store)` hashes every table, for determinism checks.
"""

from sandboxes.simulator.config import (
    DEFAULT_NOISE,
    DRIFT_TYPES,
    NOISE_DRIFT_TYPES,
    NOISE_LEVELS,
    RATED_DRIFT_TYPES,
    SIZES,
    DriftRates,
    GenerationSummary,
    MatchingNoise,
    SizeProfile,
    TickSummary,
)
from sandboxes.simulator.generate import generate
from sandboxes.simulator.tick import tick
from sandboxes.simulator.truth import dump_digest, export_truth, table_counts

__all__ = [
    "DEFAULT_NOISE",
    "DRIFT_TYPES",
    "NOISE_DRIFT_TYPES",
    "NOISE_LEVELS",
    "RATED_DRIFT_TYPES",
    "SIZES",
    "DriftRates",
    "GenerationSummary",
    "MatchingNoise",
    "SizeProfile",
    "TickSummary",
    "dump_digest",
    "export_truth",
    "generate",
    "table_counts",
    "tick",
]

"""The firm simulator: a seeded professional-services firm and the clock that moves it.

- `generate(store, size, seed, as_of, drift)` wipes a store and writes the firm's history,
  already drifted between the CRM, PSA and ERP (see `DriftRates`).
- `tick(store, days)` plays the people inside each system for N simulated days.
- `export_truth(store, path)` writes the ground truth (entity map, drift) as JSON.
- `dump_digest(store)` hashes every table, for determinism checks.
"""

from sandboxes.simulator.config import (
    DRIFT_TYPES,
    SIZES,
    DriftRates,
    GenerationSummary,
    SizeProfile,
    TickSummary,
)
from sandboxes.simulator.generate import generate
from sandboxes.simulator.tick import tick
from sandboxes.simulator.truth import dump_digest, export_truth, table_counts

__all__ = [
    "DRIFT_TYPES",
    "SIZES",
    "DriftRates",
    "GenerationSummary",
    "SizeProfile",
    "TickSummary",
    "dump_digest",
    "export_truth",
    "generate",
    "table_counts",
    "tick",
]

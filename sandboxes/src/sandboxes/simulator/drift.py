"""Drift bookkeeping: deciding which candidates drift, and recording each injected drift.

Every injected drift becomes a row of the simulation `drift` table; the recorder also
counts candidates and drifted candidates per type, so observed rates can be checked
against the configured `DriftRates`.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

DRIFT_COLUMNS = ("drift_type", "system", "object", "record_id", "entity_id", "detail")


def pick(rng: random.Random, candidates: Sequence[T], rate: float, ensure_one: bool = True) -> list[T]:
    """Each candidate with probability `rate`; at least one when there are candidates and
    `ensure_one` (so small firms still show every drift type)."""
    chosen = [candidate for candidate in candidates if rng.random() < rate]
    if not chosen and ensure_one and candidates and rate > 0:
        chosen = [candidates[rng.randrange(len(candidates))]]
    return chosen


class DriftRecorder:
    """Collects drift rows and per-type candidate / drifted counts."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str | None, str]] = []
        self.candidates: Counter[str] = Counter()
        self.drifted: Counter[str] = Counter()

    def consider(self, drift_type: str, candidates: int = 1, drifted: int = 0) -> None:
        self.candidates[drift_type] += candidates
        self.drifted[drift_type] += drifted

    def record(
        self,
        drift_type: str,
        system: str,
        obj: str,
        record_id: object,
        entity_id: str | None,
        detail: dict[str, object],
    ) -> None:
        self.rows.append(
            (
                drift_type,
                system,
                obj,
                str(record_id),
                entity_id,
                json.dumps(detail, sort_keys=True, default=str),
            )
        )

    def take_rows(self) -> list[tuple[str, str, str, str, str | None, str]]:
        rows, self.rows = self.rows, []
        return rows

"""The fault injector: seeded, at the configured rates, changeable at run time."""

from __future__ import annotations

import pytest
from sandboxes.common.faults import FaultInjector, FaultRates


def decisions(injector: FaultInjector, n: int) -> list[tuple[str | None, bool]]:
    return [injector.decide() for _ in range(n)]


def test_faults_are_off_by_default() -> None:
    assert all(d == (None, False) for d in decisions(FaultInjector(), 1000))


def test_the_same_seed_injects_the_same_faults() -> None:
    rates = FaultRates(rate_429=0.2, rate_503=0.1, rate_slow=0.1)
    assert decisions(FaultInjector(rates, seed=7), 500) == decisions(FaultInjector(rates, seed=7), 500)


def test_each_fault_happens_at_its_configured_rate() -> None:
    injector = FaultInjector(FaultRates(rate_429=0.2, rate_500=0.05, rate_503=0.1, rate_drop=0.05, rate_slow=0.3))
    decisions(injector, 20_000)
    for name, rate in (("429", 0.2), ("500", 0.05), ("503", 0.1), ("drop", 0.05), ("slow", 0.3)):
        assert injector.counts[name] / 20_000 == pytest.approx(rate, abs=0.015), name


def test_rates_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="rate_429"):
        FaultRates(rate_429=1.2)
    with pytest.raises(ValueError, match="at most 1"):
        FaultRates(rate_429=0.6, rate_503=0.6)
    with pytest.raises(ValueError, match="unknown fault setting"):
        FaultRates.from_dict({"rate_418": 0.1})

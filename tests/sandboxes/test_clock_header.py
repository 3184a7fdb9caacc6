"""Every sandbox's `Date` header is the firm's simulated clock, which connectors use as
the end of their incremental windows."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
from sandboxes.common.timefmt import from_datetime
from sandboxes.store import Store


def test_date_header_is_the_simulated_clock_and_moves_with_a_tick(sandbox_store: Store, start_sandboxes) -> None:
    sandbox_store.set_clock(1_893_456_000_000)  # 2030-01-01T00:00:00Z
    cluster = start_sandboxes()
    for system in ("salesforce", "harvest", "netsuite"):
        response = httpx.get(f"{cluster.url(system)}/__sandbox/health")
        served = from_datetime(parsedate_to_datetime(response.headers["date"]))
        assert abs(served - 1_893_456_000_000) < 60_000, system
        assert len(response.headers.get_list("date")) == 1

    sandbox_store.advance_clock(3 * 86_400_000)
    response = httpx.get(f"{cluster.url('harvest')}/v2/clients")  # also on vendor errors (401 here)
    served = from_datetime(parsedate_to_datetime(response.headers["date"]))
    assert abs(served - (1_893_456_000_000 + 3 * 86_400_000)) < 60_000

"""A pager run one page ahead gives the same pages in order, raises its errors in the
consumer, and stops when the consumer does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from ingestion.prefetch import prefetched


def test_pages_arrive_in_order() -> None:
    assert list(prefetched(iter(range(50)))) == list(range(50))


def test_an_error_in_the_pager_is_raised_in_the_consumer_after_the_pages_before_it() -> None:
    def pages() -> Iterator[int]:
        yield 1
        raise ConnectionError("vendor went away")

    received = []
    with pytest.raises(ConnectionError, match="vendor went away"):
        for page in prefetched(pages()):
            received.append(page)
    assert received == [1]


def test_the_pager_runs_at_most_one_page_ahead_and_stops_with_the_consumer() -> None:
    fetched = []

    def pages() -> Iterator[int]:
        for n in range(1000):
            fetched.append(n)
            yield n

    consumer = prefetched(pages())
    assert next(consumer) == 0
    time.sleep(0.3)
    assert len(fetched) <= 3  # the page consumed, one queued, one waiting to be queued
    consumer.close()
    time.sleep(0.3)
    assert len(fetched) <= 3
    assert not any(t.name == "concord-prefetch" and t.is_alive() for t in threading.enumerate())

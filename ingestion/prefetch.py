"""Fetching the next page while this one lands.

A source's pager is sequential: request a page, land it, request the next. Landing costs
CPU, the request is mostly waiting on the vendor, so running the pager one page ahead in a
background thread overlaps the two (the vendor is preparing page n+1 while page n is typed
and written). The pager runs entirely in that thread, in order, one request in flight at a
time, so vendor limits (Harvest's request rate, NetSuite's concurrency) are unaffected; an
error in the pager is raised in the consumer, and a consumer that stops early stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from queue import Empty, Full, Queue
from typing import TypeVar

T = TypeVar("T")
_PAGE, _ERROR, _END = "page", "error", "end"


def prefetched(pages: Iterable[T], ahead: int = 1) -> Iterator[T]:
    """The pages of `pages`, fetched up to `ahead` pages ahead of the consumer."""
    queue: Queue[tuple[str, object]] = Queue(maxsize=ahead)
    stopped = threading.Event()

    def put(item: tuple[str, object]) -> bool:
        while not stopped.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put((_PAGE, page)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            put((_ERROR, exc))

    thread = threading.Thread(target=produce, name="concord-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            try:
                kind, value = queue.get(timeout=0.5)
            except Empty:
                if not thread.is_alive() and queue.empty():
                    raise RuntimeError("the page fetcher stopped without a result") from None
                continue
            if kind == _PAGE:
                yield value  # type: ignore[misc]
            elif kind == _ERROR:
                raise value  # type: ignore[misc]
            else:
                return
    finally:
        stopped.set()
        thread.join(timeout=10)

"""The source skeleton's cursor: one key for every source, and a cursor stored under an older
key still read, so a warehouse landed by older code resumes incrementally (the end-to-end
case is `test_harvest.py`'s)."""

from __future__ import annotations

from datetime import UTC, datetime

from ingestion.source_skeleton import CURSOR_STATE_KEY, store_window_end, stored_window_end


def test_a_cursor_stored_under_the_old_key_is_read_and_replaced_by_the_next_save() -> None:
    state = {"updated_since": "2026-01-02T10:00:00Z"}
    assert stored_window_end(state) == datetime(2026, 1, 2, 10, tzinfo=UTC)

    store_window_end(state, datetime(2026, 1, 2, 11, tzinfo=UTC))

    assert state == {CURSOR_STATE_KEY: "2026-01-02T11:00:00+00:00"}


def test_a_table_never_landed_has_no_cursor() -> None:
    assert stored_window_end({}) is None

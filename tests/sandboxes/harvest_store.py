"""Changes made straight in the Harvest sandbox's store (no API), for the ingestion tests."""

from __future__ import annotations

from sandboxes.store import Store


def harvest_time_of_one_user_only(store: Store) -> int:
    """Harvest's time entries listing as a token that is not an administrator's lists them: one
    user's entries only (the others are removed from the store, so the listing lacks them);
    returns how many are missing."""
    with store.transaction("harvest") as conn:
        [(user,)] = conn.execute("SELECT MIN(user_id) FROM time_entries").fetchall()
        return conn.execute("DELETE FROM time_entries WHERE user_id <> ?", (user,)).rowcount

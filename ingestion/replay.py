"""Replays quarantined records into their tables (`concord ingest --replay-quarantine`).

A record the landing contract refused waits in `_concord_quarantine` with its reason and its
payload, and its table's cursor has moved past it: no later window reads it again until the
vendor changes it. Once the contract or the reference data it was checked against allows it
(a currency code the contract did not know, a NetSuite currency record created since), a
replay sends each table's quarantined records through the vendor's own landing path
(`Vendor.land_page`, the same checks as a page of the vendor's): those that pass land, merged
into the current state and appended to the history like any other version, and leave the
quarantine once their load is committed (`remove_resolved`); the rest stay, with their reason.

Only the latest quarantined version of a key is replayed (the earlier ones leave the
quarantine with it). A record whose key has since landed at that version or a later one, or
been marked deleted, is not landed again, which would put an older version over a newer one:
it leaves the quarantine as superseded. That also makes a replay killed between its load and
the removal safe to run again: its records are landed by then, so they are superseded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import dlt
import orjson

from ingestion import landed
from ingestion.landing import IS_DELETED, QUARANTINE_TABLE, VERSION, TableContract, is_quarantine, version_of


@dataclass
class QuarantineReplay:
    """One replay run of one system: per table, the records it landed, those a later version
    superseded and those the contract still refuses; and the quarantine rows to remove."""

    replayed: Counter[str] = field(default_factory=Counter)
    superseded: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    resolved: list[str] = field(default_factory=list)  # quarantine rows' `_dlt_id`

    def items(
        self, contract: TableContract, land_page: Callable[[list[dict[str, Any]]], Iterator[Any]]
    ) -> Iterator[Any]:
        """The landed items of the table's quarantined records that the contract now accepts."""
        table = contract.table
        latest: dict[str, tuple[str, dict[str, Any]]] = {}  # key -> (quarantine row id, record)
        for row in landed.quarantined(contract):  # oldest first: a later version replaces an earlier
            record = _record(row["raw_payload"])
            if record is None or row["record_key"] is None:
                self.refused[table] += 1  # not a record, or no key: it can never land
                continue
            if row["record_key"] in latest:
                self.resolved.append(latest[row["record_key"]][0])
                self.superseded[table] += 1
            latest[row["record_key"]] = (row["_dlt_id"], record)
        if not latest:
            return
        key = landed.normalized(contract.primary_key)
        current = {str(row[key]): row for row in landed.rows_of(contract, sorted(latest))}
        candidates = {}
        for record_key, (row_id, record) in latest.items():
            now = current.get(record_key)
            if now is not None and (now[IS_DELETED] or _not_older(now[VERSION], version_of(record, contract))):
                self.resolved.append(row_id)
                self.superseded[table] += 1
            else:
                candidates[record_key] = (row_id, record)
        still_refused: set[str] = set()
        for item in land_page([record for _, record in candidates.values()]):
            if is_quarantine(item):
                still_refused.update(str(row["record_key"]) for row in item.data)
            else:
                yield item
        for record_key, (row_id, _) in candidates.items():
            if record_key in still_refused:
                self.refused[table] += 1
            else:
                self.resolved.append(row_id)
                self.replayed[table] += 1

    def remove_resolved(self, pipeline: dlt.Pipeline) -> None:
        """Removes the replayed and superseded records from the quarantine (after their load)."""
        if not self.resolved:
            return
        with pipeline.sql_client() as client:
            quarantine = client.make_qualified_table_name(QUARANTINE_TABLE)
            for start in range(0, len(self.resolved), landed.CHUNK):
                chunk = self.resolved[start : start + landed.CHUNK]
                placeholders = ", ".join(["%s"] * len(chunk))
                client.execute_sql(f"DELETE FROM {quarantine} WHERE _dlt_id IN ({placeholders})", *chunk)
        self.resolved.clear()


def _record(payload: str) -> dict[str, Any] | None:
    try:
        record = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _not_older(landed_version: str | None, version: str | None) -> bool:
    """Whether the landed version is at least the quarantined one (one vendor's stamps in one
    text format sort as they happened)."""
    return landed_version is not None and (version is None or landed_version >= version)

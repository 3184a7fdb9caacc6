"""Reading the ground truth back: row counts, a digest of every table, and the truth export."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

from sandboxes.store import Store
from sandboxes.store.schema import SYSTEMS

# sim_state keys that depend on the wall clock (the store's clock offset): not part of the digest.
_WALL_CLOCK_STATE = ("clock_offset_ms",)


def _tables(store: Store, system: str) -> list[str]:
    rows = store.connect(system).execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    return [row[0] for row in rows]


def table_counts(store: Store) -> dict[str, dict[str, int]]:
    """Rows per table per system."""
    counts: dict[str, dict[str, int]] = {}
    for system in SYSTEMS:
        conn = store.connect(system)
        counts[system] = {
            table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in _tables(store, system)
        }
    return counts


def dump_digest(store: Store) -> str:
    """sha256 over every row of every table of every database, rows in primary-key order.

    The store's wall-clock offset (`sim_state.clock_offset_ms`) is left out: it is the only
    value that depends on when, not what, was generated."""
    digest = hashlib.sha256()
    for system in sorted(SYSTEMS):
        conn = store.connect(system)
        for table in _tables(store, system):
            info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
            keys = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]] or ["rowid"]
            order = ", ".join(f'"{key}"' for key in keys)
            digest.update(f"\x00{system}.{table}\x00".encode())
            where = ""
            if table == "sim_state":
                where = " WHERE key NOT IN (" + ", ".join(f"'{k}'" for k in _WALL_CLOCK_STATE) + ")"
            for row in conn.execute(f'SELECT * FROM "{table}"{where} ORDER BY {order}'):
                digest.update(repr(tuple(row)).encode())
                digest.update(b"\n")
    return digest.hexdigest()


def export_truth(store: Store, path: Path | str) -> dict:
    """Writes the ground truth as JSON and returns it: the firm's legal entities, every client
    with its consistent (CRM-authoritative) values and its records in each system, the full
    entity map, and every injected drift."""
    sim = store.connect("simulation")
    sf = store.connect("salesforce")
    ns = store.connect("netsuite")
    state = {row[0]: row[1] for row in sim.execute("SELECT key, value FROM sim_state ORDER BY key")}
    drift_rows = [
        {
            "drift_id": row[0],
            "drift_type": row[1],
            "system": row[2],
            "object": row[3],
            "record_id": row[4],
            "entity_id": row[5],
            "detail": json.loads(row[6]),
        }
        for row in sim.execute(
            "SELECT drift_id, drift_type, system, object, record_id, entity_id, detail FROM drift ORDER BY drift_id"
        )
    ]
    duplicates = {d["record_id"] for d in drift_rows if d["drift_type"] == "duplicate_account"}
    entities: dict[str, dict[str, list[list[str]]]] = defaultdict(lambda: defaultdict(list))
    for system, obj, record_id, entity_type, entity_id in sim.execute(
        "SELECT system, object, record_id, entity_type, entity_id FROM entity_map ORDER BY entity_type, entity_id, "
        "system, object, record_id"
    ):
        entities[entity_type][entity_id].append([system, obj, record_id])
    accounts = {
        row["Id"]: dict(row)
        for row in sf.execute(
            "SELECT Id, Name, ParentId, Website, BillingStreet, BillingCity, BillingPostalCode, BillingCountry, "
            "CurrencyIsoCode, Tax_ID__c, Payment_Terms__c, Region__c, IsDeleted FROM Account ORDER BY Id"
        )
    }
    client_of_account = {
        records[0][2]: entity_id
        for entity_id, all_records in entities.get("client", {}).items()
        for records in [[r for r in all_records if r[1] == "Account" and r[2] not in duplicates]]
        if records
    }
    clients = []
    for entity_id, records in sorted(entities.get("client", {}).items()):
        primary = next((r[2] for r in records if r[1] == "Account" and r[2] not in duplicates), None)
        account = accounts.get(primary or "", {})
        clients.append(
            {
                "entity_id": entity_id,
                "name": account.get("Name"),
                "parent": client_of_account.get(account.get("ParentId") or ""),
                "website": account.get("Website"),
                "billing_address": {
                    "street": account.get("BillingStreet"),
                    "city": account.get("BillingCity"),
                    "postal_code": account.get("BillingPostalCode"),
                    "country": account.get("BillingCountry"),
                },
                "currency": account.get("CurrencyIsoCode"),
                "tax_id": account.get("Tax_ID__c"),
                "payment_terms": account.get("Payment_Terms__c"),
                "region": account.get("Region__c"),
                "records": {
                    system: sorted(f"{obj}/{rid}" for s, obj, rid in records if s == system)
                    for system in ("salesforce", "harvest", "netsuite")
                },
            }
        )
    legal_entities = [
        dict(row)
        for row in ns.execute(
            "SELECT s.id, s.name, s.legalname, s.country, c.symbol AS currency FROM subsidiary s "
            "JOIN currency c ON c.id = s.currency ORDER BY s.id"
        )
    ]
    drift_counts: dict[str, int] = defaultdict(int)
    for row in drift_rows:
        drift_counts[row["drift_type"]] += 1
    truth = {
        "seed": int(state.get("seed", "0")),
        "size": state.get("size"),
        "as_of": state.get("as_of"),
        "day": int(state.get("day", "0")),
        "now_ms": store.now_ms(),
        "legal_entities": legal_entities,
        "summary": {
            "counts": table_counts(store),
            "entities": {entity_type: len(ids) for entity_type, ids in sorted(entities.items())},
            "drift_rows": dict(sorted(drift_counts.items())),
            "drift_candidates": json.loads(state.get("drift_candidates", "{}")),
            "drifted_candidates": json.loads(state.get("drift_counts", "{}")),
            "drift_rates": json.loads(state.get("drift_rates", "{}")),
            "noise": {
                "level": state.get("noise_level"),
                "rates": json.loads(state.get("noise_rates", "{}")),
            },
        },
        "clients": clients,
        "entity_map": {etype: dict(sorted(ids.items())) for etype, ids in sorted(entities.items())},
        "drift": drift_rows,
        # Distinct clients that look alike: (mimicked client, its false friend) with a near-identical
        # name in the same country, and (parent, subsidiary abroad) on one web domain.
        "false_friends": json.loads(state.get("false_friends", "[]")),
        "subsidiaries_abroad": json.loads(state.get("subsidiaries_abroad", "[]")),
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(truth, indent=1, sort_keys=False, default=str))
    return truth

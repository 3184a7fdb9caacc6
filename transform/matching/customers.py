"""Matching the customer records of a warehouse: reads `int_customer_records` and the stewards'
decisions, links and clusters the records, and writes `matching.customer_pairs` and
`matching.customer_clusters` for the dbt models downstream.

Splink runs on its DuckDB backend in this process, over the records read from the warehouse,
whatever the warehouse is: a PostgreSQL warehouse gets exactly the clusters a DuckDB one
does, and a million records fit one machine (for more, Splink's Spark backend takes the same
model). The trained parameters are read from `customer_model.json`, so a build is
deterministic; `python -m transform.matching.train` retrains them.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on

from core.warehouse import Connection, Warehouse
from transform.matching.clustering import Clustering, Groups, MustLink, Pair, cluster, pair
from transform.matching.config import MatchingConfig, matching_config
from transform.matching.model import MODEL_PATH, prepare_records_sql

RECORDS_RELATION = "intermediate.int_customer_records"
DECISIONS_RELATION = "staging.stg_governance__steward_match_decisions"
# The write-back's ledger: each record Concord created, and for which golden customer. A PSA
# client has no field to stamp a golden id on, so this is its written-back golden id.
LEDGER_ATTEMPTS = ("reverse_etl", "attempts")
SCHEMA = "matching"

# (column a record carries, system whose record id it holds): a cross-reference.
_CROSS_REFERENCES = (
    ("salesforce_account_id", "salesforce"),
    ("netsuite_customer_id", "netsuite"),
    ("harvest_client_id", "harvest"),
)

PAIR_COLUMNS = {
    "record_key_a": "text",
    "record_key_b": "text",
    "match_method": "text",
    "decision": "text",
    "match_probability": "float",
    "match_weight": "float",
    "evidence": "text",
    "is_steward_decision": "boolean",
    "decided_by": "text",
    "decided_at": "timestamp",
}
CLUSTER_COLUMNS = {"record_key": "text", "cluster_key": "text"}


@dataclass(frozen=True)
class MatchSummary:
    records: int
    scored_pairs: int
    matched_pairs: int
    review_pairs: int
    clusters: int
    seconds: float

    def describe(self) -> str:
        return (
            f"matched {self.records} customer records into {self.clusters} customers "
            f"({self.scored_pairs} pairs scored, {self.matched_pairs} matched, {self.review_pairs} for review) "
            f"in {self.seconds:.1f}s"
        )


@dataclass(frozen=True)
class StewardDecision:
    decision: str  # match | no_match
    decided_by: str | None
    decided_at: datetime | None


def latest_decisions(rows: list[tuple[Any, ...]]) -> dict[Pair, StewardDecision]:
    """The decision in force for each pair: the latest one (by `decided_at`; a decision without
    a time counts as older than any with one, and of two at the same time the later row wins)."""
    latest: dict[Pair, tuple[tuple[bool, Any, int], StewardDecision]] = {}
    for position, (key_a, key_b, decision, decided_by, decided_at) in enumerate(rows):
        if decision not in ("match", "no_match") or key_a == key_b:
            continue
        order = (decided_at is not None, decided_at or datetime.min, position)
        key = pair(key_a, key_b)
        if key not in latest or order >= latest[key][0]:
            latest[key] = (order, StewardDecision(decision, decided_by, decided_at))
    return {key: value for key, (_, value) in latest.items()}


def _must_links(local: duckdb.DuckDBPyConnection) -> list[MustLink]:
    links = []
    for column, system in _CROSS_REFERENCES:
        for a, b in local.execute(
            f"""select a.record_key, b.record_key from input as a join input as b
                on b.source_system = '{system}' and a.source_system <> '{system}'
                and a.{column} = b.source_record_id"""
        ).fetchall():
            links.append(MustLink(a, b, "cross_reference"))
    for a, b in local.execute(
        """select a.record_key, b.record_key from input as a join input as b
           on a.stamped_golden_id = b.stamped_golden_id and a.record_key < b.record_key"""
    ).fetchall():
        links.append(MustLink(a, b, "golden_id"))
    # A record Concord created for a golden customer joins the records carrying that golden id,
    # or the record it derives from (the customer's anchor: see int_customer_golden_ids).
    for a, b in local.execute(
        """select created.record_key, input.record_key from created join input
           on input.record_key <> created.record_key
           and (input.stamped_golden_id = created.golden_id
                or 'GC-' || upper(substr(md5(input.record_key), 1, 12)) = created.golden_id)"""
    ).fetchall():
        links.append(MustLink(a, b, "golden_id"))
    return links


def _created_records(connection: Connection) -> pa.Table:
    """(record_key, golden_id) of every customer record the write-back created (`written`, or
    `confirmed`: read back after the run that sent it died; see reverse_etl/README.md)."""
    schema, table = LEDGER_ATTEMPTS
    [(exists,)] = connection.rows(
        "select count(*) from information_schema.tables where table_schema = %s and table_name = %s", (schema, table)
    )
    rows = []
    if exists:
        rows = connection.rows(
            f"""select distinct split_part(sync, '__', 1) || ':' || target_record_id, golden_id
                from {schema}.{table}
                where sync in ('salesforce__customers', 'harvest__customers', 'netsuite__customers')
                  and operation = 'create' and status in ('written', 'confirmed')
                  and target_record_id is not null and golden_id is not null"""
        )
    return pa.table(
        {"record_key": [r[0] for r in rows], "golden_id": [r[1] for r in rows]},
        schema=pa.schema([("record_key", pa.string()), ("golden_id", pa.string())]),
    )


def describe_evidence(weights: dict[str, float]) -> str:
    """What each comparison says, strongest first, as match weights (log2 of the Bayes factor:
    +10 is about a thousand times likelier for the same client, -10 as much against), e.g.
    'tax_id -9.7, name +11.2, country_code +0.6'. Comparisons that said nothing are left out."""
    said = sorted(((name, weight) for name, weight in weights.items() if abs(weight) >= 0.05), key=lambda x: -abs(x[1]))
    return ", ".join(f"{name} {weight:+.1f}" for name, weight in said)


def score_candidates(
    local: duckdb.DuckDBPyConnection, config: MatchingConfig, extra_edges: list[Pair]
) -> tuple[dict[Pair, float], dict[Pair, float], dict[Pair, str], set[Pair]]:
    """Scores the pairs the blocking rules find, then every pair within each candidate cluster
    (records linked by a pair above the review bar or by `extra_edges`), so that clustering
    sees every pair across two groups it might merge. Returns each pair's match probability,
    match weight, a reader's account of the evidence, and the contradicted pairs."""
    model = json.loads(MODEL_PATH.read_text())
    local.execute(f"create or replace table records as {prepare_records_sql('input')}")
    db_api = DuckDBAPI(local)
    linker = Linker(db_api.register("records"), model, log_level=logging.WARNING)
    linker.table_management.compute_tf_table("first_token")
    blocked = linker.inference.predict(threshold_match_probability=config.review_probability, warning_mode="never")
    edges = local.execute(f"select unique_id_l, unique_id_r from {blocked.physical_name}").fetchall()
    keys = [row[0] for row in local.execute("select unique_id from records").fetchall()]
    components = Groups(keys)
    for a, b in [*edges, *extra_edges]:
        if a in components.parent and b in components.parent:
            components.union(a, b)
    groups = {key: components.find(key) for key in keys}
    local.register("candidate_groups", pa.table({"unique_id": list(groups), "candidate": list(groups.values())}))
    local.execute(
        """create or replace table candidate_records as
           select records.*, candidate_groups.candidate from records
           join candidate_groups using (unique_id)
           where candidate in (select candidate from candidate_groups group by candidate having count(*) > 1)"""
    )
    local.unregister("candidate_groups")
    scored = linker.inference.predict_within(
        db_api.register("candidate_records"),
        blocking_rules_to_generate_predictions=[block_on("candidate")],
        warning_mode="never",
    )
    comparisons = [c["output_column_name"] for c in model["comparisons"]]
    prior = model["probability_two_random_records_match"]
    prior_weight = math.log2(prior / (1 - prior))
    floor = config.contradiction_probability
    contradiction_weight = math.log2(floor / (1 - floor))
    # Each comparison's match weight, its term-frequency adjustment included where it has one.
    tf_adjusted = {
        c["output_column_name"]
        for c in model["comparisons"]
        for level in c["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    weight_columns = ", ".join(f"mw_{c} + mw_tf_adj_{c}" if c in tf_adjusted else f"mw_{c}" for c in comparisons)
    probabilities: dict[Pair, float] = {}
    weights: dict[Pair, float] = {}
    evidence: dict[Pair, str] = {}
    contradicted: set[Pair] = set()
    for left, right, probability, weight, *comparison_weights in local.execute(
        f"select unique_id_l, unique_id_r, match_probability, match_weight, {weight_columns} from {scored.physical_name}"
    ).fetchall():
        key = pair(left, right)
        probabilities[key] = float(probability)
        weights[key] = float(weight)
        evidence[key] = describe_evidence(dict(zip(comparisons, comparison_weights, strict=True)))
        if weight - prior_weight < contradiction_weight:
            contradicted.add(key)
    return probabilities, weights, evidence, contradicted


def match_customers(warehouse: Warehouse, config: MatchingConfig | None = None) -> MatchSummary:
    """Matches the warehouse's customer records and replaces the `matching` tables."""
    started = time.perf_counter()
    config = config or matching_config()
    with warehouse.connect() as connection:
        records = connection.arrow(f"select * from {RECORDS_RELATION}")
        decision_rows = connection.rows(
            f"select record_key_a, record_key_b, decision, decided_by, decided_at from {DECISIONS_RELATION}"
        )
        created = _created_records(connection)
    decisions = latest_decisions(decision_rows)
    local = duckdb.connect()
    try:
        local.register("input", records)
        local.register("created", created)
        must_links = _must_links(local)
        must_links += [MustLink(a, b, "steward") for (a, b), d in decisions.items() if d.decision == "match"]
        cannot_links = [key for key, d in decisions.items() if d.decision == "no_match"]
        keys = records.column("record_key").to_pylist()
        if len(keys) > 1:
            extra = [pair(link.a, link.b) for link in must_links] + cannot_links
            probabilities, weights, evidence, contradicted = score_candidates(local, config, extra)
        else:
            probabilities, weights, evidence, contradicted = {}, {}, {}, set()
    finally:
        local.close()
    result = cluster(keys, must_links, cannot_links, probabilities, contradicted, config)
    pair_rows = _pair_rows(result, probabilities, weights, evidence, decisions)
    cluster_rows = sorted(result.cluster_of.items())
    with warehouse.connect() as connection:
        _replace(connection, "customer_pairs", PAIR_COLUMNS, pair_rows)
        _replace(connection, "customer_clusters", CLUSTER_COLUMNS, cluster_rows)
    return MatchSummary(
        records=len(keys),
        scored_pairs=len(probabilities),
        matched_pairs=sum(1 for row in pair_rows if row[3] == "match"),
        review_pairs=sum(1 for row in pair_rows if row[3] == "review"),
        clusters=len(set(result.cluster_of.values())),
        seconds=time.perf_counter() - started,
    )


def _pair_rows(
    result: Clustering,
    probabilities: dict[Pair, float],
    weights: dict[Pair, float],
    evidence: dict[Pair, str],
    decisions: dict[Pair, StewardDecision],
) -> list[tuple[Any, ...]]:
    """One row per pair that clustering decided, scored or a steward decided."""
    rows = []
    for key in sorted(set(result.decisions) | set(decisions)):
        steward = decisions.get(key)
        if steward is not None:
            method = "steward"
        else:
            method = result.methods.get(key, "probabilistic" if key in probabilities else "none")
        rows.append(
            (
                key[0],
                key[1],
                method,
                result.decisions.get(key, "no_match"),
                probabilities.get(key),
                weights.get(key),
                evidence.get(key),
                steward is not None,
                steward.decided_by if steward else None,
                steward.decided_at if steward else None,
            )
        )
    return rows


def _replace(connection: Connection, table: str, columns: dict[str, str], rows: list[tuple[Any, ...]]) -> None:
    """Replaces `matching.<table>` with `rows`, in one transaction."""
    staged = f"_concord_new_{table}"
    with connection.staged(staged, columns, rows), connection.transaction():
        connection.execute(f"create schema if not exists {SCHEMA}")
        connection.execute(f"drop table if exists {SCHEMA}.{table}")
        connection.execute(f"create table {SCHEMA}.{table} as select * from {staged}")

"""Specs of customer clustering (transform/matching/clustering.py) and of the stewards'
decisions in force, on hand-made scores: what merges, what waits for a steward, and what a
steward's decision does."""

from __future__ import annotations

import random
from datetime import datetime

from transform.matching.clustering import MustLink, cluster, pair
from transform.matching.config import MatchingConfig
from transform.matching.customers import describe_evidence, latest_decisions

CONFIG = MatchingConfig(match_probability=0.99, review_probability=0.80, contradiction_probability=0.01)


def clusters_of(result) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, cluster_key in result.cluster_of.items():
        groups.setdefault(cluster_key, set()).add(key)
    return {frozenset(members) for members in groups.values()}


def test_a_strong_pair_merges_a_duplicate_into_its_client() -> None:
    keys = ["sf:A", "ns:A", "sf:dup"]
    result = cluster(
        keys,
        [MustLink("sf:A", "ns:A", "cross_reference")],
        [],
        {pair("sf:A", "sf:dup"): 0.999, pair("ns:A", "sf:dup"): 0.95},
        [],
        CONFIG,
    )
    assert clusters_of(result) == {frozenset(keys)}
    assert result.methods[pair("sf:A", "sf:dup")] == "probabilistic"


def test_one_look_alike_pair_does_not_join_two_whole_clients() -> None:
    # Clearwater Holdings (sf:1, ns:1) and Clearwater Group (sf:2, ns:2): their accounts look
    # alike, nothing else across them does.
    keys = ["sf:1", "ns:1", "sf:2", "ns:2"]
    scores = {
        pair("sf:1", "sf:2"): 0.995,
        pair("sf:1", "ns:2"): 0.30,
        pair("ns:1", "sf:2"): 0.20,
        pair("ns:1", "ns:2"): 0.10,
    }
    result = cluster(
        keys,
        [MustLink("sf:1", "ns:1", "cross_reference"), MustLink("sf:2", "ns:2", "cross_reference")],
        [],
        scores,
        [],
        CONFIG,
    )
    assert clusters_of(result) == {frozenset({"sf:1", "ns:1"}), frozenset({"sf:2", "ns:2"})}


def test_a_contradicted_pair_keeps_two_groups_apart_whatever_else_links_them() -> None:
    # The duplicate's name matches the account, but the ERP customer holds another tax id.
    keys = ["sf:A", "ns:A", "sf:B"]
    result = cluster(
        keys,
        [MustLink("sf:A", "ns:A", "cross_reference")],
        [],
        {pair("sf:A", "sf:B"): 0.999, pair("ns:A", "sf:B"): 0.001},
        [pair("ns:A", "sf:B")],
        CONFIG,
    )
    assert clusters_of(result) == {frozenset({"sf:A", "ns:A"}), frozenset({"sf:B"})}
    assert result.decisions[pair("sf:A", "sf:B")] == "no_match"


def test_a_pair_in_the_review_band_waits_for_a_steward_once_per_two_groups() -> None:
    keys = ["sf:A", "ns:A", "sf:B"]
    result = cluster(
        keys,
        [MustLink("sf:A", "ns:A", "cross_reference")],
        [],
        {pair("sf:A", "sf:B"): 0.90, pair("ns:A", "sf:B"): 0.85},
        [],
        CONFIG,
    )
    assert len(clusters_of(result)) == 2
    assert result.decisions[pair("sf:A", "sf:B")] == "review"
    assert result.decisions[pair("ns:A", "sf:B")] == "no_match"


def test_a_steward_no_match_splits_records_that_share_a_written_back_golden_id() -> None:
    keys = ["sf:A", "ns:A", "sf:dup"]
    must_links = [
        MustLink("sf:A", "ns:A", "cross_reference"),
        MustLink("sf:A", "sf:dup", "golden_id"),
        MustLink("ns:A", "sf:dup", "golden_id"),
    ]
    result = cluster(keys, must_links, [pair("sf:dup", "sf:A")], {pair("sf:A", "sf:dup"): 0.999}, [], CONFIG)
    assert clusters_of(result) == {frozenset({"sf:A", "ns:A"}), frozenset({"sf:dup"})}
    assert result.decisions[pair("sf:A", "sf:dup")] == "no_match"


def test_a_steward_match_merges_what_the_model_kept_apart() -> None:
    result = cluster(
        ["sf:A", "hv:9"], [MustLink("hv:9", "sf:A", "steward")], [], {pair("sf:A", "hv:9"): 0.2}, [], CONFIG
    )
    assert clusters_of(result) == {frozenset({"sf:A", "hv:9"})}
    assert result.methods[pair("sf:A", "hv:9")] == "steward"


def test_clusters_do_not_depend_on_the_order_pairs_arrive_in() -> None:
    keys = [f"sf:{i}" for i in range(8)]
    scores = {pair(a, b): round(random.Random(f"{a}{b}").random(), 3) for a in keys for b in keys if a < b}
    first = cluster(keys, [], [], scores, [], CONFIG)
    shuffled = list(scores.items())
    random.Random(1).shuffle(shuffled)
    second = cluster(list(reversed(keys)), [], [], dict(shuffled), [], CONFIG)
    assert first.cluster_of == second.cluster_of and first.decisions == second.decisions


def test_the_latest_steward_decision_on_a_pair_is_the_one_in_force() -> None:
    earlier, later = datetime(2026, 1, 1), datetime(2026, 2, 1)
    decisions = latest_decisions(
        [
            ("sf:A", "ns:B", "no_match", "ana", earlier),
            ("ns:B", "sf:A", "match", "ben", later),  # the same pair, written the other way round
            ("sf:C", "ns:D", "match", "ana", later),
            ("ns:D", "sf:C", "no_match", "ben", earlier),
            ("sf:E", "ns:F", "match", "ana", None),
            ("sf:E", "ns:F", "no_match", "ben", earlier),
        ]
    )
    assert decisions[pair("sf:A", "ns:B")].decision == "match"
    assert decisions[pair("sf:A", "ns:B")].decided_by == "ben"
    assert decisions[pair("sf:C", "ns:D")].decision == "match"
    assert decisions[pair("sf:E", "ns:F")].decision == "no_match"


def test_evidence_reads_strongest_first_and_leaves_out_what_said_nothing() -> None:
    assert describe_evidence({"name": 8.04, "tax_id": -9.71, "city": 0.0}) == "tax_id -9.7, name +8.0"

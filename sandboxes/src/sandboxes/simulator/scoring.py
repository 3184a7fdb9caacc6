"""Scoring a customer matching against the ground truth: which records the simulator made the
same client (`entity_map.client`), which clients are false friends of each other. Pairwise:
a pair of records is a true pair when both are records of one client."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

Pair = tuple[str, str]


@dataclass(frozen=True)
class MatchingScores:
    precision: float
    recall: float
    true_pairs: int
    false_friends_merged: int
    records: int
    review_pairs: int
    true_pairs_in_review: int
    name_only_recall: float | None = None  # of the true pairs only a name can link
    name_only_pairs: int = 0

    @property
    def review_share(self) -> float:
        """The review queue as a share of the customer records."""
        return self.review_pairs / self.records if self.records else 0.0

    @property
    def true_share_of_review(self) -> float:
        return self.true_pairs_in_review / self.review_pairs if self.review_pairs else 1.0


def true_clients(truth: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each client's record keys (`<system>:<record id>`)."""
    return {
        entity: {f"{system}:{record_id}" for system, _, record_id in records}
        for entity, records in truth["entity_map"]["client"].items()
    }


def pairs_within(groups: Iterable[set[str]]) -> set[Pair]:
    return {pair for members in groups for pair in combinations(sorted(members), 2)}


def score_matching(
    truth: Mapping[str, Any],
    cluster_of: Mapping[str, str],
    review_pairs: Iterable[Pair],
    name_only_pairs: set[Pair] | None = None,
) -> MatchingScores:
    """Scores predicted clusters (record key -> cluster key) and the review queue."""
    predicted_groups: dict[str, set[str]] = defaultdict(set)
    for record_key, cluster_key in cluster_of.items():
        predicted_groups[cluster_key].add(record_key)
    clients = true_clients(truth)
    predicted, actual = pairs_within(predicted_groups.values()), pairs_within(clients.values())
    merged_friends = sum(
        1
        for client, friend in truth.get("false_friends", [])
        if {cluster_of.get(k) for k in clients[client]} & {cluster_of.get(k) for k in clients[friend]} - {None}
    )
    reviews = [tuple(sorted(p)) for p in review_pairs]
    name_only = (name_only_pairs or set()) & actual
    return MatchingScores(
        precision=len(predicted & actual) / len(predicted) if predicted else 1.0,
        recall=len(predicted & actual) / len(actual) if actual else 1.0,
        true_pairs=len(actual),
        false_friends_merged=merged_friends,
        records=len(cluster_of),
        review_pairs=len(reviews),
        true_pairs_in_review=sum(1 for p in reviews if p in actual),
        name_only_recall=len(predicted & name_only) / len(name_only) if name_only else None,
        name_only_pairs=len(name_only),
    )

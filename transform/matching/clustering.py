"""Clustering customer records from scored pairs, without chaining weak links.

Plain connected components (what `cluster_pairwise_predictions_at_threshold` computes) merge
two whole clusters through one pair: "Clearwater Holdings" and "Clearwater Group" become one
client because one record of each looks alike. Here records are merged group by group:

1. Must-links first: the stewards' `match` decisions, then cross-references one system holds
   for another and golden ids written back. A steward's `no_match` is a cannot-link: two groups
   that would hold a cannot-link pair are never merged, by anything (so a `no_match` also splits
   records that share a written-back golden id).
2. Then the scored pairs, strongest first (single linkage on a high bar), each merging two
   groups only if the merge is coherent: the pair is at least `match_probability`, no pair
   across the two groups is contradicted (its comparisons alone, without the prior, say at
   least 1/`contradiction_probability` to one that the two are different clients, as different
   tax ids do: little evidence, as a PSA client's name and country give, is no contradiction),
   and, when both groups already hold several
   records, the pairs across them average at least `review_probability`, so that one look-alike
   record cannot carry a whole cluster into another.
3. The strongest remaining pair between two groups that scores at least `review_probability`
   and is not contradicted goes to a steward (`review`).

The pairs across two groups are those Splink scored; `customers.py` scores every pair within a
candidate cluster, so none that matters is missing. Everything is ordered, so the same input
gives the same clusters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from transform.matching.config import MatchingConfig

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class MustLink:
    a: str
    b: str
    method: str  # steward, cross_reference, golden_id


@dataclass
class Clustering:
    cluster_of: dict[str, str]  # record key -> cluster key (its smallest record key)
    decisions: dict[Pair, str] = field(default_factory=dict)  # match | review | no_match
    methods: dict[Pair, str] = field(default_factory=dict)  # how a `match` pair was decided


class Groups:
    """Union-find over record keys that keeps each group's members."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {key: key for key in keys}
        self.members = {key: [key] for key in self.parent}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.members[root_a] += self.members.pop(root_b)


def cluster(
    keys: Iterable[str],
    must_links: Iterable[MustLink],
    cannot_links: Iterable[Pair],
    scores: Mapping[Pair, float],
    contradicted: Iterable[Pair],
    config: MatchingConfig,
) -> Clustering:
    """Clusters `keys`; `scores` holds each scored pair's match probability, `contradicted`
    the scored pairs whose evidence is against a match (pairs with ordered keys)."""
    groups = Groups(sorted(set(keys)))
    cannot = {pair(*p) for p in cannot_links}
    against = {pair(*p) for p in contradicted}
    decisions: dict[Pair, str] = {}
    methods: dict[Pair, str] = {}

    def forbidden(root_a: str, root_b: str) -> bool:
        return any(pair(x, y) in cannot for x, y in product(groups.members[root_a], groups.members[root_b]))

    rank = {"steward": 0, "cross_reference": 1, "golden_id": 2}
    for link in sorted(must_links, key=lambda m: (rank[m.method], pair(m.a, m.b))):
        key = pair(link.a, link.b)
        if key in cannot or link.a not in groups.parent or link.b not in groups.parent:
            continue
        root_a, root_b = groups.find(link.a), groups.find(link.b)
        if root_a != root_b and forbidden(root_a, root_b):
            decisions[key] = "no_match"
            continue
        groups.union(link.a, link.b)
        decisions[key] = "match"
        methods.setdefault(key, link.method)

    def across(root_a: str, root_b: str) -> list[float]:
        return [
            scores[pair(x, y)]
            for x, y in product(groups.members[root_a], groups.members[root_b])
            if pair(x, y) in scores
        ]

    def contradiction(root_a: str, root_b: str) -> bool:
        return any(pair(x, y) in against for x, y in product(groups.members[root_a], groups.members[root_b]))

    def coherent(root_a: str, root_b: str) -> bool:
        if contradiction(root_a, root_b):
            return False
        cross = across(root_a, root_b)
        if len(groups.members[root_a]) > 1 and len(groups.members[root_b]) > 1:
            return sum(cross) / len(cross) >= config.review_probability
        return True

    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    for key, probability in ordered:
        if probability < config.match_probability:
            break
        if key in decisions or key[0] not in groups.parent or key[1] not in groups.parent:
            continue
        root_a, root_b = groups.find(key[0]), groups.find(key[1])
        if root_a == root_b:
            continue
        if not forbidden(root_a, root_b) and coherent(root_a, root_b):
            groups.union(*key)
            decisions[key] = "match"
            methods[key] = "probabilistic"

    reviewed: set[Pair] = set()
    for key, probability in ordered:
        if key in decisions or key[0] not in groups.parent or key[1] not in groups.parent:
            continue
        root_a, root_b = groups.find(key[0]), groups.find(key[1])
        if root_a == root_b:
            decisions[key] = "match"
            methods[key] = "probabilistic"
            continue
        groups_pair = pair(root_a, root_b)
        if (
            probability >= config.review_probability
            and groups_pair not in reviewed
            and not forbidden(root_a, root_b)
            and not contradiction(root_a, root_b)
        ):
            reviewed.add(groups_pair)
            decisions[key] = "review"
        else:
            decisions[key] = "no_match"
    for key in cannot:
        decisions[key] = "no_match"

    cluster_of = {}
    for members in groups.members.values():
        cluster_key = min(members)
        for member in members:
            cluster_of[member] = cluster_key
    return Clustering(cluster_of, decisions, methods)

"""Sizes, drift rates and the summaries the simulator returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True, slots=True)
class SizeProfile:
    """How big a generated firm is."""

    name: str
    clients: int
    opportunities: int
    consultants: int
    time_entries: int  # target; the generated count lands near it
    history_days: int


SIZES: dict[str, SizeProfile] = {
    "test": SizeProfile("test", clients=20, opportunities=150, consultants=16, time_entries=3_000, history_days=540),
    "demo": SizeProfile(
        "demo", clients=200, opportunities=2_000, consultants=90, time_entries=50_000, history_days=730
    ),
    "bench": SizeProfile(
        "bench",
        clients=5_000,
        opportunities=40_000,
        consultants=1_500,
        time_entries=1_000_000,
        history_days=730,
    ),
}


@dataclass(frozen=True, slots=True)
class DriftRates:
    """Probability of each kind of drift, per candidate record (see `DRIFT_CANDIDATES`)."""

    duplicate_account: float = 0.08  # per client: a second CRM Account under a name variant
    name_mismatch: float = 0.08  # per PSA client / ERP customer: name differs from the CRM
    address_mismatch: float = 0.06  # per ERP customer: billing address differs from the CRM
    unlinked_customer: float = 0.06  # per ERP customer: no cross-reference to/from the CRM Account
    currency_mismatch: float = 0.05  # per ERP customer: currency differs from the CRM Account
    terms_mismatch: float = 0.07  # per ERP customer: payment terms differ from the CRM Account
    stale_rate: float = 0.10  # per contract with an effective amendment: PSA kept the old rates
    unbilled_time: float = 0.05  # per approved billable time entry due for posting: never posted
    wrong_legal_entity: float = 0.05  # per invoice: issued by another subsidiary than contracted
    orphan_project: float = 0.06  # per opportunity-backed project: an extra PSA project with no deal

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DRIFT_TYPES: tuple[str, ...] = tuple(f.name for f in fields(DriftRates))

# What each rate is a probability of, for readers of the ground truth.
DRIFT_CANDIDATES: dict[str, str] = {
    "duplicate_account": "clients",
    "name_mismatch": "harvest clients + netsuite customers",
    "address_mismatch": "netsuite customers",
    "unlinked_customer": "netsuite customers",
    "currency_mismatch": "netsuite customers",
    "terms_mismatch": "netsuite customers",
    "stale_rate": "contracts with an effective amendment and a PSA project",
    "unbilled_time": "approved billable time entries due for posting",
    "wrong_legal_entity": "invoices of opportunity-backed projects",
    "orphan_project": "opportunity-backed projects",
}


@dataclass(slots=True)
class GenerationSummary:
    """What `generate` produced: rows per system and table, and the drift it injected."""

    seed: int
    size: str
    as_of: str
    counts: dict[str, dict[str, int]]
    drift: dict[str, int]  # drifted candidates per drift type (not drift rows)
    drift_candidates: dict[str, int]
    drift_rows: int
    seconds: float = 0.0

    def total_rows(self) -> int:
        return sum(sum(tables.values()) for tables in self.counts.values())


@dataclass(slots=True)
class TickSummary:
    """What `tick` did: rows created, updated and deleted per system and table."""

    days: int
    first_day: str
    last_day: str
    start_ms: int
    end_ms: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # created
    updated: dict[str, dict[str, int]] = field(default_factory=dict)
    deleted: dict[str, dict[str, int]] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)  # e.g. opportunities_won, invoices_paid

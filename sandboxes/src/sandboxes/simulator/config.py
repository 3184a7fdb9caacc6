"""Sizes, drift rates, matching noise and the summaries the simulator returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace


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


# Drift types whose rate is a `DriftRates` field.
RATED_DRIFT_TYPES: tuple[str, ...] = tuple(f.name for f in fields(DriftRates))
# Drift types decided by the `MatchingNoise` of the firm, not by a `DriftRates` rate: an unlinked
# ERP customer typed in again without its tax id (rate `MatchingNoise.customer_missing_tax_id`).
# The recorder counts their candidates and drifted candidates like any other type, so `summary`
# and the drift table agree; only their rate lives elsewhere.
NOISE_DRIFT_TYPES: tuple[str, ...] = ("missing_tax_id",)
DRIFT_TYPES: tuple[str, ...] = RATED_DRIFT_TYPES + NOISE_DRIFT_TYPES

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
    "missing_tax_id": "unlinked netsuite customers (rate: MatchingNoise.customer_missing_tax_id)",
}


@dataclass(frozen=True, slots=True)
class MatchingNoise:
    """How messy the records of one client look across the systems, beyond `DriftRates`: what
    makes deciding which CRM accounts, PSA clients and ERP customers are the same client hard.

    Name noise applies to every name variant (a duplicate CRM account's name, a `name_mismatch`
    PSA client or ERP customer name) and to the names of unlinked ERP customers (typed in again
    by someone in finance). Each is a probability per variant; several may combine, but never
    more than two edits of the distinctive words (typo, abbreviation, word order), so a person
    still recognises the company."""

    typo: float = 0.0  # one transposed / dropped / doubled / substituted letter, sometimes the first ones
    abbreviation: float = 0.0  # International -> Intl, Manufacturing -> Mfg, & <-> and, ... (when a word has one)
    suffix_change: float = 0.0  # another legal form of the country (Ltd -> PLC, Inc -> Corp) or ", Inc." punctuation
    suffix_drop: float = 0.0  # no legal form at all
    word_order: float = 0.0  # "Summit Logistics" -> "Logistics Summit"
    accents: float = 0.0  # per accented name: "Müller" -> "Muller" / "Mueller", "Zürich" -> "Zurich"
    # Identifiers a duplicate CRM account lacks (it was typed in by someone who did not look
    # the client up). Today's duplicates never have a phone or a tax id: `clean` keeps that.
    duplicate_missing_website: float = 0.0
    duplicate_missing_tax_id: float = 1.0
    duplicate_missing_phone: float = 1.0
    # Identifiers an unlinked ERP customer lacks. A lost website leaves the customer without
    # `url` and without an e-mail at the company's domain; a lost tax id is a `missing_tax_id`
    # drift row (the ERP's vatregnumber differs from the CRM's tax id). The ERP has no phone.
    customer_missing_website: float = 0.0
    customer_missing_tax_id: float = 0.0
    free_mail: float = 0.0  # per ERP customer: e-mail on gmail.com & co., and no url
    subsidiary_abroad: float = 0.0  # per child client: in another country than its parent, on the parent's website
    false_friend: float = 0.0  # per top-level client: a distinct client next to it with a near-identical name

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    @property
    def names_noisy(self) -> bool:
        return any((self.typo, self.abbreviation, self.suffix_change, self.suffix_drop, self.word_order, self.accents))


_MESSY = MatchingNoise(
    typo=0.3,
    abbreviation=0.3,
    suffix_change=0.25,
    suffix_drop=0.25,
    word_order=0.08,
    accents=0.8,
    duplicate_missing_website=0.5,
    duplicate_missing_tax_id=0.5,
    duplicate_missing_phone=0.5,
    customer_missing_website=0.5,
    customer_missing_tax_id=0.5,
    free_mail=0.3,
    subsidiary_abroad=0.4,
    false_friend=0.04,
)
NOISE_LEVELS: dict[str, MatchingNoise] = {
    # Format variants only (long/short legal form, upper case, "The", hyphens, "Group"), as
    # before matching noise existed: duplicates keep the website but have no phone or tax id.
    "clean": MatchingNoise(),
    # As messy as a real firm's CRM, PSA and ERP.
    "messy": _MESSY,
    # Messy, and duplicates and unlinked ERP customers never carry a website, tax id or phone:
    # names (and addresses) are the only evidence. The default: as hard as the real world.
    "messy_no_identifiers": replace(
        _MESSY,
        duplicate_missing_website=1.0,
        duplicate_missing_tax_id=1.0,
        duplicate_missing_phone=1.0,
        customer_missing_website=1.0,
        customer_missing_tax_id=1.0,
    ),
}
DEFAULT_NOISE = "messy_no_identifiers"


def resolve_noise(noise: MatchingNoise | str | None) -> tuple[str, MatchingNoise]:
    """(level name, rates) of a level name, rates or None (the default level); rates that are
    no named level are 'custom'."""
    if noise is None:
        noise = DEFAULT_NOISE
    if isinstance(noise, str):
        if noise not in NOISE_LEVELS:
            raise ValueError(f"unknown noise level {noise!r}; expected one of {sorted(NOISE_LEVELS)}")
        return noise, NOISE_LEVELS[noise]
    level = next((name for name, rates in NOISE_LEVELS.items() if rates == noise), "custom")
    return level, noise


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
    noise: str = "clean"  # the `NOISE_LEVELS` name, or 'custom'
    noise_rates: dict[str, float] = field(default_factory=dict)
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

"""The firm's fixed reference data: legal entities, currencies, terms, roles, rate cards, billing codes.

Everything here is constant (no randomness), so every seed shares the same firm structure.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LegalEntity:
    """A subsidiary of the firm that contracts with clients and issues invoices."""

    code: str  # US, UK, DE: used in entity ids and invoice numbers
    name: str  # the NetSuite subsidiary name, also Opportunity.Legal_Entity__c
    legal_name: str
    country: str  # ISO 3166 alpha-2
    country_name: str
    currency: str
    region: str
    timezone: str
    default_terms: str

    @property
    def entity_id(self) -> str:
        return f"legal_entity-{self.code.lower()}"


LEGAL_ENTITIES: tuple[LegalEntity, ...] = (
    LegalEntity(
        "US",
        "Concord Consulting Inc (US)",
        "Concord Consulting Inc.",
        "US",
        "United States",
        "USD",
        "NA",
        "America/New_York",
        "Net 30",
    ),
    LegalEntity(
        "UK",
        "Concord Consulting Ltd (UK)",
        "Concord Consulting Ltd",
        "GB",
        "United Kingdom",
        "GBP",
        "UKI",
        "Europe/London",
        "Net 30",
    ),
    LegalEntity(
        "DE",
        "Concord Consulting GmbH (DE)",
        "Concord Consulting GmbH",
        "DE",
        "Germany",
        "EUR",
        "DACH",
        "Europe/Berlin",
        "Net 45",
    ),
)
ENTITY_BY_CODE = {entity.code: entity for entity in LEGAL_ENTITIES}
ENTITY_BY_NAME = {entity.name: entity for entity in LEGAL_ENTITIES}

# (ISO code, name, exchange rate to USD); USD is the base currency.
CURRENCIES: tuple[tuple[str, str, float], ...] = (
    ("USD", "US Dollar", 1.0),
    ("GBP", "British Pound", 1.27),
    ("EUR", "Euro", 1.08),
)

# (name, days until net due)
TERMS: tuple[tuple[str, int], ...] = (("Net 15", 15), ("Net 30", 30), ("Net 45", 45), ("Net 60", 60))
TERM_DAYS = dict(TERMS)

SERVICE_LINES: tuple[str, ...] = ("Strategy", "Technology", "Data & Analytics", "Change Management")
REGIONS: tuple[str, ...] = ("NA", "UKI", "DACH")


@dataclass(frozen=True, slots=True)
class Role:
    """A billable role: a Harvest task, a NetSuite service item, a line on a rate card."""

    name: str
    rates: dict[str, float]  # standard hourly rate per currency
    cost: dict[str, float]  # loaded hourly cost per currency
    share: float  # share of the consultant pool
    hours: tuple[int, int]  # typical hours sold on one deal

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")

    @property
    def item_code(self) -> str:
        return "SVC-" + self.name.upper().replace(" ", "-")


ROLES: tuple[Role, ...] = (
    Role("Partner", {"USD": 450, "GBP": 360, "EUR": 420}, {"USD": 190, "GBP": 150, "EUR": 175}, 0.07, (16, 80)),
    Role(
        "Principal",
        {"USD": 350, "GBP": 280, "EUR": 320},
        {"USD": 140, "GBP": 110, "EUR": 130},
        0.13,
        (60, 240),
    ),
    Role(
        "Senior Consultant",
        {"USD": 250, "GBP": 200, "EUR": 230},
        {"USD": 100, "GBP": 80, "EUR": 92},
        0.25,
        (120, 600),
    ),
    Role(
        "Consultant",
        {"USD": 190, "GBP": 150, "EUR": 175},
        {"USD": 75, "GBP": 60, "EUR": 70},
        0.30,
        (160, 800),
    ),
    Role("Analyst", {"USD": 140, "GBP": 110, "EUR": 130}, {"USD": 55, "GBP": 44, "EUR": 50}, 0.25, (160, 800)),
)
ROLE_BY_NAME = {role.name: role for role in ROLES}
LEAD_ROLES = ("Partner", "Principal")
DELIVERY_ROLES = ("Senior Consultant", "Consultant", "Analyst")

# Non-billable Harvest tasks (no NetSuite item).
NON_BILLABLE_TASKS: tuple[str, ...] = ("Internal", "Business Development")
PROJECT_NON_BILLABLE_TASK = "Internal"

# Harvest expense categories: (name, unit_name, unit_price, NetSuite billing code)
EXPENSE_CATEGORIES: tuple[tuple[str, str | None, float | None, str], ...] = (
    ("Travel", None, None, "EXP-TRAVEL"),
    ("Accommodation", None, None, "EXP-ACCOMMODATION"),
    ("Meals", None, None, "EXP-MEALS"),
    ("Mileage", "mile", 0.67, "EXP-MILEAGE"),
)
EXPENSE_ITEM = {name: code for name, _, _, code in EXPENSE_CATEGORIES}

OPEN_STAGES: tuple[tuple[str, float], ...] = (
    ("Prospecting", 10.0),
    ("Qualification", 20.0),
    ("Proposal", 50.0),
    ("Negotiation", 75.0),
)
STAGE_PROBABILITY = dict(OPEN_STAGES) | {"Closed Won": 100.0, "Closed Lost": 0.0}
WIN_RATE = 0.45

INDUSTRIES: tuple[str, ...] = (
    "Banking",
    "Insurance",
    "Retail",
    "Manufacturing",
    "Healthcare",
    "Energy",
    "Telecommunications",
    "Technology",
    "Transportation",
    "Media",
    "Government",
    "Pharmaceuticals",
)

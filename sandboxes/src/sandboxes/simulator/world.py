"""The firm as the simulator knows it: clients, consultants, deals, contracts and projects.

`plan_world` decides everything about the real world (who the clients are, which deals
were won when, at what rates, who worked on what) with one seeded RNG per concern, and
assigns every record id up front. Writing those records into the vendor databases, with
the drift the systems accumulated, is `history`'s job.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sandboxes.common.ids import salesforce_id
from sandboxes.simulator import names
from sandboxes.simulator.clock import add_months, count_weekdays
from sandboxes.simulator.config import DriftRates, MatchingNoise, SizeProfile
from sandboxes.simulator.drift import pick
from sandboxes.simulator.reference import (
    DELIVERY_ROLES,
    ENTITY_BY_CODE,
    INDUSTRIES,
    LEAD_ROLES,
    LEGAL_ENTITIES,
    OPEN_STAGES,
    ROLE_BY_NAME,
    ROLES,
    SERVICE_LINES,
    TERMS,
    WIN_RATE,
    LegalEntity,
)

# First ids per Harvest table (Harvest ids are large integers) and NetSuite table.
HARVEST_BASE = {
    "clients": 5_000_000,
    "projects": 20_000_000,
    "tasks": 8_000_000,
    "users": 3_000_000,
    "task_assignments": 150_000_000,
    "user_assignments": 250_000_000,
    "time_entries": 1_500_000_000,
    "expenses": 700_000_000,
    "expense_categories": 4_000_000,
}
NETSUITE_BASE = {
    "customer": 1_000,
    "job": 100_000,
    "item": 100,
    "charge": 0,
    "transaction": 0,
    "transactionline": 0,
}
RECENT_WIN_DAYS = 30
_CHILD_WORDS = ("Europe", "Americas", "Digital", "Services", "Retail")
# What a subsidiary abroad is called after its country: 'Summit Deutschland', 'Summit UK'.
_ABROAD_WORDS = {"US": ("Americas", "USA", "North America"), "GB": ("UK", "Europe"), "DE": ("Deutschland", "Germany")}
_DEAL_WORDS = (
    "Assessment",
    "Programme",
    "Implementation",
    "Roadmap",
    "Support",
    "Transformation",
)  # deals won this recently have no PSA project / ERP job yet


@dataclass(slots=True)
class Client:
    idx: int
    base: str
    name: str
    country: str
    entity: LegalEntity
    terms: str
    industry: str
    street: str
    city: str
    zip: str
    website: str
    phone: str
    tax_id: str
    created: date
    parent: Client | None = None
    abroad: bool = False  # a subsidiary in another country than its parent, on the parent's website
    mimics: Client | None = None  # a false friend: another company whose name is near `mimics`'s
    account_rowid: int = 0
    duplicate_rowid: int = 0  # a second CRM Account (drift), 0 if none
    duplicate_name: str = ""
    harvest_id: int = 0
    customer_id: int = 0
    first_project: date | None = None
    projects: list[Project] = field(default_factory=list)

    @property
    def entity_id(self) -> str:
        return f"client-{self.idx:04d}"

    @property
    def currency(self) -> str:
        return self.entity.currency

    @property
    def account_id(self) -> str:
        return salesforce_id("Account", self.account_rowid)


@dataclass(slots=True)
class Consultant:
    idx: int
    first: str
    last: str
    role: str
    entity: LegalEntity
    created: date
    harvest_id: int = 0

    @property
    def entity_id(self) -> str:
        return f"consultant-{self.idx:04d}"


@dataclass(slots=True)
class Contract:
    idx: int
    number: str
    start: date
    end: date
    months: int
    # (amendment number, effective date, {role: rate}); amendment 0 is the original contract
    rates: list[tuple[int, date, dict[str, float]]]
    rowid: int = 0

    @property
    def entity_id(self) -> str:
        return f"contract-{self.idx:04d}"

    @property
    def sf_id(self) -> str:
        return salesforce_id("Contract", self.rowid)

    def rates_on(self, day: date) -> tuple[int, dict[str, float]]:
        """The amendment number and rates in effect on `day`."""
        current = self.rates[0]
        for amendment in self.rates:
            if amendment[1] <= day:
                current = amendment
        return current[0], current[2]


@dataclass(slots=True)
class Opportunity:
    idx: int
    client: Client
    on_duplicate: bool  # booked against the client's duplicate Account
    name: str
    service_line: str
    entity: LegalEntity
    created: date
    close: date
    stage: str
    lines: list[tuple[str, float, float]]  # (role, hours, rate)
    kind: str
    rowid: int = 0
    contract: Contract | None = None
    project: Project | None = None

    @property
    def entity_id(self) -> str:
        return f"opportunity-{self.idx:04d}"

    @property
    def number(self) -> str:
        return f"OPP-{self.idx:06d}"

    @property
    def sf_id(self) -> str:
        return salesforce_id("Opportunity", self.rowid)

    @property
    def currency(self) -> str:
        return self.entity.currency

    @property
    def amount(self) -> float:
        return round(sum(hours * rate for _, hours, rate in self.lines), 2)


@dataclass(slots=True)
class Project:
    idx: int
    client: Client
    opportunity: Opportunity | None
    entity: LegalEntity
    name: str
    code: str | None
    created: date
    start: date
    end: date
    # what the PSA applies: [(effective date, {role: rate})], the latest effective one on the task
    psa_rates: list[tuple[date, dict[str, float]]]
    roles: list[str]
    budget: float
    staffing: list[tuple[Consultant, str]] = field(default_factory=list)
    stale_from: int = 0  # amendment number the PSA missed (stale_rate drift), 0 if none
    harvest_id: int = 0
    job_id: int = 0

    @property
    def entity_id(self) -> str:
        return f"project-{self.idx:04d}"

    @property
    def currency(self) -> str:
        return self.entity.currency

    def psa_rate_on(self, day: date) -> dict[str, float]:
        current = self.psa_rates[0][1]
        for effective, rates in self.psa_rates:
            if effective <= day:
                current = rates
        return current


@dataclass(slots=True)
class World:
    as_of: date
    history_start: date
    clients: list[Client]
    consultants: list[Consultant]
    opportunities: list[Opportunity]
    contracts: list[Contract]
    projects: list[Project]
    noise: MatchingNoise = field(default_factory=MatchingNoise)
    orphan_candidates: int = 0
    stale_candidates: int = 0


def _rate(value: float) -> float:
    return float(round(value / 5) * 5)


def plan_world(
    size: SizeProfile, seed: int, as_of: date, drift: DriftRates, noise: MatchingNoise | None = None
) -> World:
    """Decides the whole history of the firm up to the day before `as_of`."""
    noise = noise or MatchingNoise()
    history_start = as_of - timedelta(days=size.history_days)
    clients = _plan_clients(size, seed, as_of, history_start, noise)
    consultants = _plan_consultants(size, seed, history_start)
    opportunities, contracts = _plan_opportunities(size, seed, as_of, history_start, clients)
    world = World(as_of, history_start, clients, consultants, opportunities, contracts, [], noise)
    _plan_projects(world, seed, drift)
    return world


def _plan_clients(size: SizeProfile, seed: int, as_of: date, history_start: date, noise: MatchingNoise) -> list[Client]:
    """The firm's clients. A share of the children (~12% of clients have a parent) are
    subsidiaries abroad: another country and legal entity than the parent, on the parent's web
    domain. After some top-level clients comes a false friend: a distinct company in the same
    country whose name a person could take for theirs (both count towards `size.clients`)."""
    rng = random.Random(f"{seed}:clients")
    # Which clients get a false friend right after them, decided apart from the rest so the
    # number of clients stays `size.clients`; at least one when the rate is not 0.
    mimicked = set(pick(random.Random(f"{seed}:false_friends"), range(1, size.clients), noise.false_friend))
    clients: list[Client] = []
    used: set[str] = set()
    websites: set[str] = set()
    weights = [0.5, 0.3, 0.2]  # US, UK, DE
    pending = False  # a false friend is due after the next top-level client
    for idx in range(1, size.clients + 1):
        previous = clients[-1] if clients else None
        pending = pending or (previous is not None and previous.idx in mimicked)
        if pending and previous is not None and previous.parent is None and previous.mimics is None:
            clients.append(_false_friend(rng, idx, previous, used, websites, as_of, history_start))
            pending = False
            continue
        entity = rng.choices(LEGAL_ENTITIES, weights)[0]
        country = entity.country
        parent = None
        if clients and rng.random() < 0.12:
            parent = clients[rng.randrange(len(clients))]
            while parent.parent is not None:
                parent = parent.parent
        abroad = parent is not None and names.chance(rng, noise.subsidiary_abroad)
        if abroad:
            assert parent is not None
            entity = rng.choice([e for e in LEGAL_ENTITIES if e.country != parent.country])
            country = entity.country
        base = names.company_base(rng)
        if parent is not None:
            words = _ABROAD_WORDS[country] if abroad else _CHILD_WORDS
            base = f"{parent.base.split()[0]} {rng.choice(words)}"
        while names.fold_key(base) in used:
            base = f"{base} {rng.choice(('International', 'Global', 'Solutions', 'Direct', 'One'))}"
        used.add(names.fold_key(base))
        street, city, zip_code = names.address(country, rng)
        terms = entity.default_terms if rng.random() < 0.6 else rng.choice(TERMS)[0]
        created = _client_created(rng, as_of, history_start)
        website = parent.website if abroad and parent is not None else names.domain(base, country)
        websites.add(website)
        clients.append(
            Client(
                idx=idx,
                base=base,
                name=names.legal_name(base, country, rng),
                country=country,
                entity=entity,
                terms=terms,
                industry=rng.choice(INDUSTRIES),
                street=street,
                city=city,
                zip=zip_code,
                website=website,
                phone=names.phone(country, rng),
                tax_id=names.tax_id(country, rng),
                created=created,
                parent=parent,
                abroad=abroad,
                account_rowid=idx,
            )
        )
    return clients


def _client_created(rng: random.Random, as_of: date, history_start: date) -> date:
    created = history_start - timedelta(days=rng.randint(0, 900))
    if rng.random() < 0.4:  # acquired during the history
        created = history_start + timedelta(days=rng.randint(0, max(1, (as_of - history_start).days - 60)))
    return created


def _false_friend(
    rng: random.Random,
    idx: int,
    mimicked: Client,
    used: set[str],
    websites: set[str],
    as_of: date,
    history_start: date,
) -> Client:
    """A real, separate company in `mimicked`'s country whose name is near-identical to its
    name: its own tax id, website, address and phone."""
    country = mimicked.country
    for _ in range(10):
        base, name, kind = names.false_friend_name(mimicked.base, mimicked.name, country, rng)
        if name != mimicked.name and (kind == "suffix" or names.fold_key(base) not in used):
            break
    else:  # the same base under another legal form is always possible
        others = [s for s in names.SUFFIXES[country] if s != mimicked.name.split()[-1]]
        base, name = mimicked.base, f"{mimicked.base} {rng.choice(others)}"
    used.add(names.fold_key(base))
    website = names.domain(base, country)
    if website in websites:
        website = names.domain(base, country, hyphen=True)
    websites.add(website)
    street, city, zip_code = names.address(country, rng)
    terms = mimicked.entity.default_terms if rng.random() < 0.6 else rng.choice(TERMS)[0]
    return Client(
        idx=idx,
        base=base,
        name=name,
        country=country,
        entity=mimicked.entity,
        terms=terms,
        industry=rng.choice(INDUSTRIES),
        street=street,
        city=city,
        zip=zip_code,
        website=website,
        phone=names.phone(country, rng),
        tax_id=names.tax_id(country, rng),
        created=_client_created(rng, as_of, history_start),
        mimics=mimicked,
        account_rowid=idx,
    )


def _plan_consultants(size: SizeProfile, seed: int, history_start: date) -> list[Consultant]:
    rng = random.Random(f"{seed}:consultants")
    consultants = []
    roles = [role.name for role in ROLES]
    shares = [role.share for role in ROLES]
    for idx in range(1, size.consultants + 1):
        # Every role exists in every entity: the first 15 consultants cover the grid.
        if idx <= len(ROLES) * len(LEGAL_ENTITIES):
            role = roles[(idx - 1) % len(ROLES)]
            entity = LEGAL_ENTITIES[(idx - 1) // len(ROLES)]
        else:
            role = rng.choices(roles, shares)[0]
            entity = rng.choices(LEGAL_ENTITIES, (0.5, 0.3, 0.2))[0]
        first, last = names.person(rng)
        created = history_start - timedelta(days=rng.randint(30, 1500))
        consultants.append(Consultant(idx, first, last, role, entity, created, HARVEST_BASE["users"] + idx))
    return consultants


def _plan_opportunities(
    size: SizeProfile, seed: int, as_of: date, history_start: date, clients: list[Client]
) -> tuple[list[Opportunity], list[Contract]]:
    rng = random.Random(f"{seed}:opportunities")
    weights = [rng.paretovariate(1.3) for _ in clients]
    span = (as_of - history_start).days
    opportunities: list[Opportunity] = []
    contracts: list[Contract] = []
    planned = []
    for _ in range(size.opportunities):
        client = rng.choices(clients, weights)[0]
        created = history_start + timedelta(days=rng.randrange(span))
        if created < client.created:
            created = client.created + timedelta(days=rng.randint(1, 20))
        if created >= as_of:
            created = as_of - timedelta(days=rng.randint(1, 10))
        planned.append((created, client))
    planned.sort(key=lambda item: (item[0], item[1].idx))
    for idx, (created, client) in enumerate(planned, start=1):
        entity = client.entity if rng.random() < 0.92 else rng.choice(LEGAL_ENTITIES)
        cycle = rng.randint(20, 100)
        close = created + timedelta(days=cycle)
        lines = []
        sold = [rng.choice(LEAD_ROLES)] + rng.sample(DELIVERY_ROLES, rng.randint(1, 3))
        for role_name in sorted(sold, key=[role.name for role in ROLES].index):
            role = ROLE_BY_NAME[role_name]
            hours = float(rng.randint(*role.hours) // 4 * 4)
            rate = _rate(role.rates[entity.currency] * rng.uniform(0.88, 1.02))
            lines.append((role_name, hours, rate))
        if close < as_of:
            stage = "Closed Won" if rng.random() < WIN_RATE else "Closed Lost"
        else:
            progress = rng.random()
            stage = OPEN_STAGES[min(len(OPEN_STAGES) - 1, int(progress * len(OPEN_STAGES)))][0]
        service_line = rng.choice(SERVICE_LINES)
        opp = Opportunity(
            idx=idx,
            client=client,
            on_duplicate=False,
            name=f"{client.base} - {service_line} {rng.choice(_DEAL_WORDS)}",
            service_line=service_line,
            entity=entity,
            created=created,
            close=close,
            stage=stage,
            lines=lines,
            kind="Existing Business" if any(o.client is client for o in opportunities[-50:]) else "New Business",
            rowid=idx,
        )
        opportunities.append(opp)
        if stage == "Closed Won":
            contracts.append(_plan_contract(rng, len(contracts) + 1, opp, as_of))
            opp.contract = contracts[-1]
    return opportunities, contracts


def _not_on_the_first_day(day: date, as_of: date) -> date:
    """An amendment never takes effect on `as_of` itself: the store's clock starts at its
    midnight, when the amendment would be in force before anyone in the PSA could have applied
    it (a tick applies amendments during their day), a state the ground truth does not hold."""
    return day + timedelta(days=1) if day == as_of else day


def _plan_contract(rng: random.Random, idx: int, opp: Opportunity, as_of: date) -> Contract:
    start = opp.close + timedelta(days=rng.randint(3, 21))
    months = rng.choice((2, 3, 4, 6, 6, 9, 12))
    end = add_months(start, months) - timedelta(days=1)
    rates = [(0, start, {role: rate for role, _, rate in opp.lines})]
    if months >= 4 and rng.random() < 0.35:
        effective = _not_on_the_first_day(
            start + timedelta(days=int((end - start).days * rng.uniform(0.3, 0.6))), as_of
        )
        uplift = rng.uniform(1.03, 1.10)
        rates.append((1, effective, {role: _rate(rate * uplift) for role, rate in rates[0][2].items()}))
        if rng.random() < 0.3:
            effective2 = _not_on_the_first_day(
                effective + timedelta(days=int((end - effective).days * rng.uniform(0.3, 0.6))), as_of
            )
            uplift = rng.uniform(1.02, 1.06)
            rates.append((2, effective2, {role: _rate(rate * uplift) for role, rate in rates[1][2].items()}))
    return Contract(idx, f"{idx:08d}", start, end, months, rates, rowid=idx)


def _plan_projects(world: World, seed: int, drift: DriftRates) -> None:
    """Projects for deals won more than RECENT_WIN_DAYS ago, plus orphan PSA projects (drift)."""
    rng = random.Random(f"{seed}:projects")
    as_of = world.as_of
    pool: dict[tuple[str, str], list[Consultant]] = {}
    for consultant in world.consultants:
        pool.setdefault((consultant.role, consultant.entity.code), []).append(consultant)
    by_role: dict[str, list[Consultant]] = {}
    for consultant in world.consultants:
        by_role.setdefault(consultant.role, []).append(consultant)

    def staff(project: Project, hours_by_role: dict[str, float]) -> None:
        for role in project.roles:
            count = 1 if hours_by_role.get(role, 0) < 400 else 2
            local = pool.get((role, project.entity.code)) or by_role[role]
            chosen: list[Consultant] = []
            for _ in range(count):
                candidates = local if rng.random() < 0.85 else by_role[role]
                person = rng.choice(candidates)
                if person not in chosen:
                    chosen.append(person)
            project.staffing.extend((person, role) for person in chosen)

    projects: list[Project] = []
    stale_candidates: list[Project] = []
    for opp in world.opportunities:
        contract = opp.contract
        if contract is None or opp.close > as_of - timedelta(days=RECENT_WIN_DAYS):
            continue
        created = min(opp.close + timedelta(days=rng.randint(2, 20)), as_of - timedelta(days=2))
        psa_rates = [(effective, rates) for _, effective, rates in contract.rates if effective < as_of]
        project = Project(
            idx=len(projects) + 1,
            client=opp.client,
            opportunity=opp,
            entity=opp.entity,
            name=opp.name,
            code=opp.number,
            created=created,
            start=contract.start,
            end=contract.end,
            psa_rates=psa_rates,
            roles=[role for role, _, _ in opp.lines],
            budget=sum(hours for _, hours, _ in opp.lines),
        )
        if len(psa_rates) > 1 and psa_rates[-1][0] > created:
            stale_candidates.append(project)
        staff(project, {role: hours for role, hours, _ in opp.lines})
        opp.project = project
        projects.append(project)
    world.orphan_candidates = len(projects)
    world.stale_candidates = len(stale_candidates)
    for project in pick(rng, stale_candidates, drift.stale_rate):
        # The PSA never got the latest amendment: its task rates stayed at the previous ones.
        project.stale_from = len(project.psa_rates) - 1
        project.psa_rates = project.psa_rates[:-1]
    # Orphan projects: set up in the PSA by hand, with no deal behind them (drift).
    with_projects = sorted({p.client.idx: p.client for p in projects}.values(), key=lambda c: c.idx)
    orphans = sum(1 for _ in projects if rng.random() < drift.orphan_project)
    if orphans == 0 and projects and drift.orphan_project > 0:
        orphans = 1
    span_end = as_of - timedelta(days=40)
    for n in range(orphans):
        client = rng.choice(with_projects)
        start = world.history_start + timedelta(days=rng.randint(30, max(31, (span_end - world.history_start).days)))
        months = rng.choice((2, 3, 4, 6))
        roles = [rng.choice(LEAD_ROLES)] + sorted(rng.sample(DELIVERY_ROLES, rng.randint(1, 2)))
        rates = {role: ROLE_BY_NAME[role].rates[client.currency] for role in roles}
        code = None if rng.random() < 0.5 else f"INT-{start.year}-{n + 1:03d}"
        project = Project(
            idx=len(projects) + 1,
            client=client,
            opportunity=None,
            entity=ENTITY_BY_CODE[client.entity.code],
            name=f"{client.base} - {rng.choice(('Extension', 'Follow-on work', 'Pilot', 'Health check'))}",
            code=code,
            created=start - timedelta(days=rng.randint(1, 10)),
            start=start,
            end=add_months(start, months) - timedelta(days=1),
            psa_rates=[(start, rates)],
            roles=roles,
            budget=float(rng.randint(100, 600)),
        )
        staff(project, {})
        projects.append(project)
    projects.sort(key=lambda p: (p.created, p.idx))
    for number, project in enumerate(projects, start=1):
        project.harvest_id = HARVEST_BASE["projects"] + number
        project.job_id = NETSUITE_BASE["job"] + number
        project.client.projects.append(project)
    world.projects = projects
    # PSA clients and ERP customers exist for clients with projects, numbered in order of first project.
    customers = sorted({p.client.idx: p for p in reversed(projects)}.values(), key=lambda p: (p.created, p.idx))
    for number, project in enumerate(customers, start=1):
        client = project.client
        client.first_project = project.created
        client.harvest_id = HARVEST_BASE["clients"] + number
        client.customer_id = NETSUITE_BASE["customer"] + number


def slot_count(world: World) -> int:
    """Consultant-weekdays on projects up to the day before as-of (time-entry opportunities)."""
    last = world.as_of - timedelta(days=1)
    total = 0
    for project in world.projects:
        total += len(project.staffing) * count_weekdays(project.start, min(project.end, last))
    return total

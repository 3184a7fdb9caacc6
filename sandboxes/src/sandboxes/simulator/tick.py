"""`tick`: the firm's people at work for N simulated days, each inside their own system.

Sales reps create, advance, win and lose opportunities, sign contracts and edit accounts in
the CRM (and now and then delete a record: a soft delete, IsDeleted=1); consultants log
time and expenses in the PSA, submit it, managers approve it, and now and then someone
deletes an unsubmitted entry (a hard delete: the row and its entity-map row are removed);
finance invoices ready-for-billing charges once a month and records incoming payments in
the ERP. Nothing crosses systems: no PSA project for a newly won deal, no posting of time
to the ERP. That is Concord's job.

Each simulated day gets its own RNG seeded from (seed, day number), and its timestamps fall
inside that day's working hours, after the store's clock at the start of the tick.
"""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import date, timedelta

from sandboxes.common.ids import salesforce_id
from sandboxes.simulator import names
from sandboxes.simulator.clock import (
    DAY_MS,
    HOUR_MS,
    midnight_ms,
    month_start,
    ms_to_date,
    next_weekday,
    seconds,
)
from sandboxes.simulator.config import SIZES, TickSummary
from sandboxes.simulator.history import LOCK_APPROVED
from sandboxes.simulator.reference import (
    DELIVERY_ROLES,
    EXPENSE_CATEGORIES,
    LEAD_ROLES,
    LEGAL_ENTITIES,
    OPEN_STAGES,
    PROJECT_NON_BILLABLE_TASK,
    ROLE_BY_NAME,
    ROLES,
    SERVICE_LINES,
    STAGE_PROBABILITY,
    WIN_RATE,
)
from sandboxes.simulator.world import _DEAL_WORDS
from sandboxes.store import Store

_ENTITY_BY_REGION = {entity.region: entity for entity in LEGAL_ENTITIES}
_COUNTRY_CODE = {name: code for code, name in names.COUNTRY_NAME.items()}
_STAGES = [stage for stage, _ in OPEN_STAGES]


class _Day:
    """One simulated day: its date, RNG, time window and what happened."""

    def __init__(self, store: Store, seed: int, day: date, number: int, not_before_ms: int, summary: TickSummary):
        self.store = store
        self.date = day
        self.iso = day.isoformat()
        self.number = number
        self.rng = random.Random(f"{seed}:tick:{number}")
        start = max(midnight_ms(day) + 7 * HOUR_MS, not_before_ms + 1000)
        end = max(midnight_ms(day) + 20 * HOUR_MS, start + HOUR_MS)
        self.window = (start, end)
        self.summary = summary
        self.maps: list[tuple[str, str, str, str, str]] = []
        self.unmaps: list[tuple[str, str, str]] = []

    def stamp(self) -> int:
        """A random millisecond inside today's window (Salesforce precision)."""
        return self.rng.randrange(*self.window)

    def stamp_s(self) -> int:
        """A random whole second inside today's window (Harvest / NetSuite precision)."""
        return seconds(self.rng.randrange(self.window[0] + 1000, self.window[1]))

    def created(self, system: str, table: str, n: int = 1) -> None:
        self.summary.counts.setdefault(system, {}).setdefault(table, 0)
        self.summary.counts[system][table] += n

    def updated(self, system: str, table: str, n: int = 1) -> None:
        self.summary.updated.setdefault(system, {}).setdefault(table, 0)
        self.summary.updated[system][table] += n

    def deleted(self, system: str, table: str, n: int = 1) -> None:
        self.summary.deleted.setdefault(system, {}).setdefault(table, 0)
        self.summary.deleted[system][table] += n

    def event(self, name: str, n: int = 1) -> None:
        self.summary.events[name] = self.summary.events.get(name, 0) + n


def _next_rowid(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f'SELECT MAX(rowid) FROM "{table}"').fetchone()[0] or 0) + 1


def _new_sf_id(conn: sqlite3.Connection, table: str) -> tuple[int, str]:
    """The next rowid and its Salesforce Id (skipping any Id a server already used)."""
    rowid = _next_rowid(conn, table)
    while conn.execute(f'SELECT 1 FROM "{table}" WHERE Id = ?', (salesforce_id(table, rowid),)).fetchone():
        rowid += 1
    return rowid, salesforce_id(table, rowid)


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return (conn.execute(f'SELECT MAX(id) FROM "{table}"').fetchone()[0] or 0) + 1


def _next_line_key(conn: sqlite3.Connection) -> int:
    """The next `transactionline.uniquekey` (a line's `id` is its number within its transaction)."""
    return (conn.execute("SELECT MAX(uniquekey) FROM transactionline").fetchone()[0] or 0) + 1


def _count(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)


def tick(store: Store, days: int) -> TickSummary:
    """Advances the simulated firm `days` days and the store's clock by as many days."""
    if days < 0:
        raise ValueError("days must be >= 0")
    seed = int(store.get_state("seed") or 0)
    as_of = date.fromisoformat(store.get_state("as_of") or "2026-11-01")
    last = date.fromisoformat(store.get_state("last_date") or (as_of - timedelta(days=1)).isoformat())
    counters: dict[str, int] = json.loads(store.get_state("counters") or "{}")
    start_ms = store.now_ms()
    first = max(last + timedelta(days=1), ms_to_date(start_ms))
    summary = TickSummary(
        days=days,
        first_day=first.isoformat(),
        last_day=(first + timedelta(days=max(days, 1) - 1)).isoformat(),
        start_ms=start_ms,
        end_ms=start_ms,
    )
    size = SIZES.get(store.get_state("size") or "test", SIZES["test"])
    probability = float(store.get_state("time_probability") or 0.5)
    for offset in range(days):
        current = first + timedelta(days=offset)
        number = (current - as_of).days + 1
        day = _Day(store, seed, current, number, start_ms, summary)
        if current.weekday() < 5:
            _sales(day, counters, size.opportunities / (size.history_days * 5 / 7), size.clients)
            _delivery(day, counters, probability)
            _finance(day, counters)
        with store.transaction("simulation") as sim:
            sim.executemany(
                "INSERT OR REPLACE INTO entity_map(system, object, record_id, entity_type, entity_id) "
                "VALUES (?, ?, ?, ?, ?)",
                day.maps,
            )
            sim.executemany("DELETE FROM entity_map WHERE system = ? AND object = ? AND record_id = ?", day.unmaps)
            store.set_state("counters", json.dumps(counters, sort_keys=True), conn=sim)
            store.set_state("last_date", current.isoformat(), conn=sim)
            store.set_state("day", str(number), conn=sim)
        day.created("simulation", "entity_map", len(day.maps))
        day.deleted("simulation", "entity_map", len(day.unmaps))
    store.advance_clock(days * DAY_MS)
    summary.end_ms = store.now_ms()
    return summary


# -- CRM: sales reps ---------------------------------------------------------------------


def _sales(day: _Day, counters: dict[str, int], opps_per_day: float, clients: int) -> None:
    rng, store = day.rng, day.store
    with store.transaction("salesforce") as sf:
        accounts = sf.execute(
            "SELECT Id, Name, BillingCountry, Region__c FROM Account WHERE IsDeleted = 0 ORDER BY rowid"
        ).fetchall()
        for _ in range(_count(rng, opps_per_day)):
            if not accounts or rng.random() < 0.12:
                accounts.append(_new_account(day, sf, counters))
            account = accounts[rng.randrange(len(accounts))]
            _new_opportunity(day, sf, counters, account)
        for row in sf.execute(
            "SELECT Id, StageName, CloseDate, AccountId, CurrencyIsoCode, Legal_Entity__c FROM Opportunity "
            "WHERE IsClosed = 0 AND IsDeleted = 0 ORDER BY rowid"
        ).fetchall():
            if row["CloseDate"] <= day.iso:
                if rng.random() < 0.5:
                    _close(day, sf, counters, row, won=rng.random() < WIN_RATE)
                else:
                    ts = day.stamp()
                    push = (day.date + timedelta(days=rng.randint(7, 30))).isoformat()
                    sf.execute(
                        "UPDATE Opportunity SET CloseDate = ?, LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
                        (push, ts, ts, row["Id"]),
                    )
                    day.updated("salesforce", "Opportunity")
            elif row["StageName"] != _STAGES[-1] and rng.random() < 0.08:
                stage = _STAGES[_STAGES.index(row["StageName"]) + 1] if row["StageName"] in _STAGES else _STAGES[1]
                ts = day.stamp()
                sf.execute(
                    "UPDATE Opportunity SET StageName = ?, Probability = ?, LastModifiedDate = ?, SystemModstamp = ? "
                    "WHERE Id = ?",
                    (stage, STAGE_PROBABILITY[stage], ts, ts, row["Id"]),
                )
                day.updated("salesforce", "Opportunity")
        # Account maintenance: moves and renames.
        for _ in range(_count(rng, max(0.3, clients * 0.002))):
            if not accounts:
                break
            account = accounts[rng.randrange(len(accounts))]
            ts = day.stamp()
            if rng.random() < 0.8:
                country = _COUNTRY_CODE.get(account["BillingCountry"] or "", "US")
                street, city, zip_code = names.address(country, rng)
                sf.execute(
                    "UPDATE Account SET BillingStreet = ?, BillingCity = ?, BillingPostalCode = ?, "
                    "LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
                    (street, city, zip_code, ts, ts, account["Id"]),
                )
                day.event("accounts_moved")
            else:
                sf.execute(
                    "UPDATE Account SET Name = ?, LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
                    (names.name_variant(account["Name"], rng), ts, ts, account["Id"]),
                )
                day.event("accounts_renamed")
            day.updated("salesforce", "Account")
        # Now and then a rep deletes a dead early-stage deal (soft delete: recycle bin).
        if rng.random() < 0.25:
            dead = sf.execute(
                "SELECT Id FROM Opportunity WHERE IsDeleted = 0 AND IsClosed = 0 AND StageName = 'Prospecting' "
                "ORDER BY rowid"
            ).fetchall()
            if dead:
                target = dead[rng.randrange(len(dead))]["Id"]
                ts = day.stamp()
                sf.execute(
                    "UPDATE Opportunity SET IsDeleted = 1, DeletedDate = ?, LastModifiedDate = ?, SystemModstamp = ? "
                    "WHERE Id = ?",
                    (ts, ts, ts, target),
                )
                sf.execute(
                    "UPDATE OpportunityLineItem SET IsDeleted = 1, DeletedDate = ?, SystemModstamp = ? "
                    "WHERE OpportunityId = ? AND IsDeleted = 0",
                    (ts, ts, target),
                )
                day.deleted("salesforce", "Opportunity")
                day.event("opportunities_deleted")


def _new_account(day: _Day, sf: sqlite3.Connection, counters: dict[str, int]) -> sqlite3.Row:
    rng = day.rng
    counters["client"] = counters.get("client", 0) + 1
    entity = rng.choices(LEGAL_ENTITIES, (0.5, 0.3, 0.2))[0]
    base = names.company_base(rng) + " " + rng.choice(("Labs", "Ventures", "Works", "Solutions"))
    street, city, zip_code = names.address(entity.country, rng)
    rowid, account_id = _new_sf_id(sf, "Account")
    ts = day.stamp()
    sf.execute(
        "INSERT INTO Account(rowid, Id, Name, Type, Website, Phone, Industry, BillingStreet, BillingCity, "
        "BillingPostalCode, BillingCountry, CurrencyIsoCode, Tax_ID__c, Payment_Terms__c, Region__c, CreatedDate, "
        "LastModifiedDate, SystemModstamp) VALUES (?, ?, ?, 'Prospect', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rowid,
            account_id,
            names.legal_name(base, entity.country, rng),
            names.domain(base, entity.country),
            names.phone(entity.country, rng),
            "Technology",
            street,
            city,
            zip_code,
            names.COUNTRY_NAME[entity.country],
            entity.currency,
            names.tax_id(entity.country, rng),
            entity.default_terms,
            entity.region,
            ts,
            ts,
            ts,
        ),
    )
    day.created("salesforce", "Account")
    day.maps.append(("salesforce", "Account", account_id, "client", f"client-{counters['client']:04d}"))
    return sf.execute("SELECT Id, Name, BillingCountry, Region__c FROM Account WHERE Id = ?", (account_id,)).fetchone()


def _new_opportunity(day: _Day, sf: sqlite3.Connection, counters: dict[str, int], account: sqlite3.Row) -> None:
    rng = day.rng
    counters["opportunity"] = counters.get("opportunity", 0) + 1
    number = counters["opportunity"]
    entity = _ENTITY_BY_REGION.get(account["Region__c"] or "", LEGAL_ENTITIES[0])
    service_line = rng.choice(SERVICE_LINES)
    sold = [rng.choice(LEAD_ROLES)] + rng.sample(DELIVERY_ROLES, rng.randint(1, 3))
    order = [role.name for role in ROLES]
    lines = []
    for role_name in sorted(sold, key=order.index):
        role = ROLE_BY_NAME[role_name]
        hours = float(rng.randint(*role.hours) // 4 * 4)
        lines.append((role_name, hours, float(round(role.rates[entity.currency] * rng.uniform(0.88, 1.02) / 5) * 5)))
    rowid, opp_id = _new_sf_id(sf, "Opportunity")
    ts = day.stamp()
    base = account["Name"].rsplit(" ", 1)[0] if " " in account["Name"] else account["Name"]
    sf.execute(
        "INSERT INTO Opportunity(rowid, Id, AccountId, Name, StageName, Amount, Probability, CloseDate, IsClosed, "
        "IsWon, Type, CurrencyIsoCode, Service_Line__c, Legal_Entity__c, Opportunity_Number__c, CreatedDate, "
        "LastModifiedDate, SystemModstamp) VALUES (?, ?, ?, ?, 'Prospecting', ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rowid,
            opp_id,
            account["Id"],
            f"{base} - {service_line} {rng.choice(_DEAL_WORDS)}",
            round(sum(h * r for _, h, r in lines), 2),
            STAGE_PROBABILITY["Prospecting"],
            (day.date + timedelta(days=rng.randint(20, 100))).isoformat(),
            "New Business",
            entity.currency,
            service_line,
            entity.name,
            f"OPP-{number:06d}",
            ts,
            ts,
            ts,
        ),
    )
    entity_id = f"opportunity-{number:04d}"
    day.maps.append(("salesforce", "Opportunity", opp_id, "opportunity", entity_id))
    day.created("salesforce", "Opportunity")
    for role, hours, rate in lines:
        line_rowid, line_id = _new_sf_id(sf, "OpportunityLineItem")
        sf.execute(
            "INSERT INTO OpportunityLineItem(rowid, Id, OpportunityId, Name, Role__c, Quantity, UnitPrice, TotalPrice, "
            "Description, CreatedDate, LastModifiedDate, SystemModstamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                line_rowid,
                line_id,
                opp_id,
                f"OPP-{number:06d} {role}",
                role,
                hours,
                rate,
                round(hours * rate, 2),
                f"{role} hours",
                ts,
                ts,
                ts,
            ),
        )
        slug = ROLE_BY_NAME[role].slug
        day.maps.append(("salesforce", "OpportunityLineItem", line_id, "opportunity_line", f"{entity_id}-line-{slug}"))
        day.created("salesforce", "OpportunityLineItem")
    day.event("opportunities_created")


def _close(
    day: _Day,
    sf: sqlite3.Connection,
    counters: dict[str, int],
    opp: sqlite3.Row,
    won: bool,
) -> None:
    rng = day.rng
    ts = day.stamp()
    stage = "Closed Won" if won else "Closed Lost"
    sf.execute(
        "UPDATE Opportunity SET StageName = ?, Probability = ?, IsClosed = 1, IsWon = ?, CloseDate = ?, "
        "LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
        (stage, STAGE_PROBABILITY[stage], 1 if won else 0, day.iso, ts, ts, opp["Id"]),
    )
    day.updated("salesforce", "Opportunity")
    if not won:
        day.event("opportunities_lost")
        return
    day.event("opportunities_won")
    counters["contract"] = counters.get("contract", 0) + 1
    contract_entity = f"contract-{counters['contract']:04d}"
    rowid, contract_id = _new_sf_id(sf, "Contract")
    start = day.date + timedelta(days=rng.randint(3, 21))
    months = rng.choice((2, 3, 4, 6, 6, 9, 12))
    end_month = start.month - 1 + months
    end = date(start.year + end_month // 12, end_month % 12 + 1, 1) - timedelta(days=1)
    terms = sf.execute("SELECT Payment_Terms__c FROM Account WHERE Id = ?", (opp["AccountId"],)).fetchone()
    sf.execute(
        "INSERT INTO Contract(rowid, Id, AccountId, ContractNumber, Status, StartDate, EndDate, ContractTerm, "
        "CurrencyIsoCode, Opportunity__c, Legal_Entity__c, Payment_Terms__c, CreatedDate, LastModifiedDate, "
        "SystemModstamp) VALUES (?, ?, ?, ?, 'Activated', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            rowid,
            contract_id,
            opp["AccountId"],
            f"{counters['contract']:08d}",
            start.isoformat(),
            end.isoformat(),
            months,
            opp["CurrencyIsoCode"],
            opp["Id"],
            opp["Legal_Entity__c"],
            terms[0] if terms else None,
            ts,
            ts,
            ts,
        ),
    )
    day.created("salesforce", "Contract")
    day.maps.append(("salesforce", "Contract", contract_id, "contract", contract_entity))
    lines = sf.execute(
        "SELECT Role__c, UnitPrice FROM OpportunityLineItem WHERE OpportunityId = ? AND IsDeleted = 0 ORDER BY rowid",
        (opp["Id"],),
    ).fetchall()
    for line in lines:
        rate_rowid, rate_id = _new_sf_id(sf, "Contract_Rate__c")
        role = line["Role__c"]
        code = ROLE_BY_NAME[role].item_code[4:] if role in ROLE_BY_NAME else role.upper()
        sf.execute(
            "INSERT INTO Contract_Rate__c(rowid, Id, Name, Contract__c, Role__c, Rate__c, CurrencyIsoCode, "
            "Effective_Date__c, Amendment_Number__c, CreatedDate, LastModifiedDate, SystemModstamp) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                rate_rowid,
                rate_id,
                f"{counters['contract']:08d}-A0-{code}",
                contract_id,
                role,
                line["UnitPrice"],
                opp["CurrencyIsoCode"],
                start.isoformat(),
                ts,
                ts,
                ts,
            ),
        )
        slug = role.lower().replace(" ", "-")
        day.maps.append(("salesforce", "Contract_Rate__c", rate_id, "contract_rate", f"{contract_entity}-a0-{slug}"))
        day.created("salesforce", "Contract_Rate__c")


# -- PSA: consultants and managers ---------------------------------------------------------


def _delivery(day: _Day, counters: dict[str, int], probability: float) -> None:
    rng = day.rng
    with day.store.transaction("harvest") as hv:
        tasks = {row["name"]: row["id"] for row in hv.execute("SELECT id, name FROM tasks ORDER BY id")}
        assignments: dict[tuple[int, int], tuple[int, float | None, int]] = {
            (row["project_id"], row["task_id"]): (row["id"], row["hourly_rate"], row["billable"])
            for row in hv.execute(
                "SELECT id, project_id, task_id, hourly_rate, billable FROM task_assignments WHERE is_active = 1 "
                "ORDER BY id"
            )
        }
        staffing = hv.execute(
            "SELECT ua.id AS ua_id, p.id AS project_id, p.client_id, u.id AS user_id, u.roles, u.cost_rate "
            "FROM projects p JOIN user_assignments ua ON ua.project_id = p.id AND ua.is_active = 1 "
            "JOIN users u ON u.id = ua.user_id AND u.is_active = 1 "
            "WHERE p.is_active = 1 AND (p.starts_on IS NULL OR p.starts_on <= ?) "
            "AND (p.ends_on IS NULL OR p.ends_on >= ?) ORDER BY p.id, ua.id",
            (day.iso, day.iso),
        ).fetchall()
        next_te = _next_id(hv, "time_entries")
        next_ex = _next_id(hv, "expenses")
        internal = tasks.get(PROJECT_NON_BILLABLE_TASK)
        entries = []
        for row in staffing:
            if rng.random() >= probability:
                continue
            roles = json.loads(row["roles"] or "[]")
            task_id = tasks.get(roles[0]) if roles else None
            billable = rng.random() >= 0.06
            if not billable and internal is not None and (row["project_id"], internal) in assignments:
                task_id = internal
            assignment = assignments.get((row["project_id"], task_id)) if task_id else None
            if assignment is None:
                continue
            ta_id, rate, ta_billable = assignment
            billable = bool(ta_billable) and task_id != internal
            hours = rng.choice((1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 7.5, 8.0))
            ts = day.stamp_s()
            counters["time"] = counters.get("time", 0) + 1
            entries.append(
                (
                    next_te,
                    day.iso,
                    row["user_id"],
                    row["client_id"],
                    row["project_id"],
                    task_id,
                    row["ua_id"],
                    ta_id,
                    hours,
                    hours,
                    rng.choice(("Client workshop", "Analysis", "Status meeting", "Build", "Documentation", None)),
                    1 if billable else 0,
                    rate if billable else None,
                    row["cost_rate"],
                    ts,
                    ts,
                )
            )
            day.maps.append(("harvest", "time_entries", str(next_te), "time", f"time-{counters['time']:07d}"))
            next_te += 1
            if rng.random() < 0.03:
                name = EXPENSE_CATEGORIES[rng.randrange(len(EXPENSE_CATEGORIES))][0]
                counters["expense"] = counters.get("expense", 0) + 1
                hv.execute(
                    "INSERT INTO expenses(id, client_id, project_id, user_id, expense_category, spent_date, notes, "
                    "total_cost, billable, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (
                        next_ex,
                        row["client_id"],
                        row["project_id"],
                        row["user_id"],
                        name,
                        day.iso,
                        name,
                        round(rng.uniform(15, 600), 2),
                        ts,
                        ts,
                    ),
                )
                day.maps.append(("harvest", "expenses", str(next_ex), "expense", f"expense-{counters['expense']:06d}"))
                day.created("harvest", "expenses")
                next_ex += 1
        hv.executemany(
            "INSERT INTO time_entries(id, spent_date, user_id, client_id, project_id, task_id, user_assignment_id, "
            "task_assignment_id, hours, rounded_hours, notes, billable, billable_rate, cost_rate, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
        day.created("harvest", "time_entries", len(entries))
        # Submitting timesheets: the whole week on Fridays, stragglers older than a week otherwise.
        cutoff = day.iso if day.date.weekday() == 4 else (day.date - timedelta(days=7)).isoformat()
        for table in ("time_entries", "expenses"):
            cursor = hv.execute(
                f"UPDATE {table} SET approval_status = 'submitted', updated_at = ? "
                "WHERE approval_status = 'unsubmitted' AND spent_date <= ? AND created_at < ?",
                (day.stamp_s(), cutoff, day.window[0]),
            )
            day.updated("harvest", table, cursor.rowcount)
            # Managers approve submitted work a few days old.
            due = hv.execute(
                f"SELECT id FROM {table} WHERE approval_status = 'submitted' AND spent_date <= ? ORDER BY id",
                ((day.date - timedelta(days=3)).isoformat(),),
            ).fetchall()
            approved = [(day.stamp_s(), row[0]) for row in due if rng.random() < 0.6]
            hv.executemany(
                f"UPDATE {table} SET approval_status = 'approved', is_closed = 1, is_locked = 1, "
                f"locked_reason = '{LOCK_APPROVED}', updated_at = ? WHERE id = ?",
                approved,
            )
            day.updated("harvest", table, len(approved))
            day.event(f"{table}_approved", len(approved))
        # Now and then someone deletes an unsubmitted entry (a hard delete).
        if rng.random() < 0.3:
            drafts = hv.execute(
                "SELECT id FROM time_entries WHERE approval_status = 'unsubmitted' ORDER BY id"
            ).fetchall()
            if drafts:
                target = drafts[rng.randrange(len(drafts))][0]
                hv.execute("DELETE FROM time_entries WHERE id = ?", (target,))
                day.unmaps.append(("harvest", "time_entries", str(target)))
                day.deleted("harvest", "time_entries")
        # Archiving projects that ended two weeks ago.
        ts = day.stamp_s()
        cursor = hv.execute(
            "UPDATE projects SET is_active = 0, updated_at = ? WHERE is_active = 1 AND ends_on < ?",
            (ts, (day.date - timedelta(days=14)).isoformat()),
        )
        day.updated("harvest", "projects", cursor.rowcount)


# -- ERP: finance ---------------------------------------------------------------------------


def _finance(day: _Day, counters: dict[str, int]) -> None:
    rng, store = day.rng, day.store
    last_run = store.get_state("last_invoice_month") or ""
    month = day.iso[:7]
    run_invoices = month != last_run and day.date >= next_weekday(month_start(day.date) + timedelta(days=2))
    with store.transaction("netsuite") as ns:
        codes = {
            row["id"]: {"GB": "UK"}.get(row["country"], row["country"])
            for row in ns.execute("SELECT id, country FROM subsidiary ORDER BY id")
        }
        if run_invoices:
            _invoice_run(day, ns, counters, codes)
            store.set_state("last_invoice_month", month)
        open_invoices = ns.execute(
            'SELECT id, tranid, entity, subsidiary, currency, duedate, foreignamountremaining FROM "transaction" '
            "WHERE type = 'CustInvc' AND status = 'Open' ORDER BY id"
        ).fetchall()
        for invoice in open_invoices:
            chance = 0.12 if (invoice["duedate"] or day.iso) < day.iso else 0.03
            if rng.random() >= chance:
                continue
            ts = day.stamp_s()
            amount = invoice["foreignamountremaining"]
            counters["transaction"] = counters.get("transaction", 0) + 1
            payment_entity = f"payment-{counters['transaction']:06d}"
            payment_id = _next_id(ns, "transaction")
            code = codes.get(invoice["subsidiary"], "US")
            ns.execute(
                'INSERT INTO "transaction"(id, tranid, type, entity, subsidiary, currency, trandate, status, '
                "foreigntotal, foreignamountremaining, memo, createddate, lastmodifieddate) "
                "VALUES (?, ?, 'CustPymt', ?, ?, ?, ?, 'Deposited', ?, 0, ?, ?, ?)",
                (
                    payment_id,
                    _next_tranid(ns, "PYMT", code),
                    invoice["entity"],
                    invoice["subsidiary"],
                    invoice["currency"],
                    day.iso,
                    amount,
                    f"Payment {invoice['tranid']}",
                    ts,
                    ts,
                ),
            )
            line_id = _next_line_key(ns)
            ns.execute(
                'INSERT INTO transactionline(uniquekey, id, "transaction", linesequencenumber, foreignamount, '
                "appliedtotransaction, memo, linelastmodifieddate) VALUES (?, 1, ?, 1, ?, ?, ?, ?)",
                (line_id, payment_id, amount, invoice["id"], invoice["tranid"], ts),
            )
            ns.execute(
                "UPDATE \"transaction\" SET status = 'Paid In Full', foreignamountremaining = 0, lastmodifieddate = ? "
                "WHERE id = ?",
                (ts, invoice["id"]),
            )
            day.maps.append(("netsuite", "transaction", str(payment_id), "payment", payment_entity))
            day.maps.append(("netsuite", "transactionline", str(line_id), "payment_line", f"{payment_entity}-line-1"))
            day.created("netsuite", "transaction")
            day.created("netsuite", "transactionline")
            day.updated("netsuite", "transaction")
            day.event("invoices_paid")


def _next_tranid(ns: sqlite3.Connection, prefix: str, code: str) -> str:
    key = f"{prefix}-{code}-"
    row = ns.execute(
        'SELECT MAX(CAST(SUBSTR(tranid, ?) AS INTEGER)) FROM "transaction" WHERE tranid LIKE ?',
        (len(key) + 1, key + "%"),
    ).fetchone()
    return f"{key}{(row[0] or 0) + 1:06d}"


def _invoice_run(day: _Day, ns: sqlite3.Connection, counters: dict[str, int], codes: dict[int, str]) -> None:
    """Invoices every Ready For Billing charge dated before today, one invoice per customer,
    project, subsidiary and currency."""
    charges = ns.execute(
        "SELECT id, billto, project, subsidiary, currency, billingitem, quantity, rate, amount, description "
        "FROM charge WHERE stage = 'Ready For Billing' AND chargedate < ? "
        "ORDER BY billto, project, subsidiary, currency, id",
        (day.iso,),
    ).fetchall()
    groups: dict[tuple, list[sqlite3.Row]] = {}
    for charge in charges:
        groups.setdefault((charge["billto"], charge["project"], charge["subsidiary"], charge["currency"]), []).append(
            charge
        )
    terms = {
        row[0]: row[1]
        for row in ns.execute("SELECT c.id, t.daysuntilnetdue FROM customer c JOIN term t ON t.id = c.terms")
    }
    for (billto, job, subsidiary, currency), batch in groups.items():
        ts = day.stamp_s()
        invoice_id = _next_id(ns, "transaction")
        counters["transaction"] = counters.get("transaction", 0) + 1
        invoice_entity = f"invoice-{counters['transaction']:06d}"
        total = round(sum(charge["amount"] for charge in batch), 2)
        due = day.date + timedelta(days=terms.get(billto, 30))
        ns.execute(
            'INSERT INTO "transaction"(id, tranid, type, entity, job, subsidiary, currency, trandate, duedate, status, '
            "foreigntotal, foreignamountremaining, memo, createddate, lastmodifieddate) "
            "VALUES (?, ?, 'CustInvc', ?, ?, ?, ?, ?, ?, 'Open', ?, ?, ?, ?, ?)",
            (
                invoice_id,
                _next_tranid(ns, "INV", codes.get(subsidiary, "US")),
                billto,
                job,
                subsidiary,
                currency,
                day.iso,
                due.isoformat(),
                total,
                total,
                f"Services to {day.iso}",
                ts,
                ts,
            ),
        )
        day.maps.append(("netsuite", "transaction", str(invoice_id), "invoice", invoice_entity))
        day.created("netsuite", "transaction")
        line_id = _next_line_key(ns)
        lines = []
        for sequence, charge in enumerate(batch, start=1):
            lines.append(
                (
                    line_id,
                    sequence,  # a line's id is its number within the invoice
                    invoice_id,
                    sequence,
                    charge["billingitem"],
                    charge["id"],
                    charge["quantity"],
                    charge["rate"],
                    charge["amount"],
                    charge["description"],
                    ts,
                )
            )
            day.maps.append(
                (
                    "netsuite",
                    "transactionline",
                    str(line_id),
                    "invoice_line",
                    f"{invoice_entity}-line-{sequence}",
                )
            )
            line_id += 1
        ns.executemany(
            'INSERT INTO transactionline(uniquekey, id, "transaction", linesequencenumber, item, charge, quantity, '
            "rate, foreignamount, memo, linelastmodifieddate) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            lines,
        )
        ns.executemany(
            "UPDATE charge SET stage = 'Processed', invoice = ?, lastmodifieddate = ? WHERE id = ?",
            [(invoice_id, ts, charge["id"]) for charge in batch],
        )
        day.created("netsuite", "transactionline", len(lines))
        day.updated("netsuite", "charge", len(batch))
        day.event("invoices_issued")

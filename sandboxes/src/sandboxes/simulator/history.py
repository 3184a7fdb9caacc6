"""Writes the planned world into the vendor databases as the firm's people left it.

The records are what the historical, manual processes produced: CRM accounts and deals,
PSA clients, projects and time, ERP customers, jobs, charges, invoices and payments,
cross-references filled in by hand, and the drift that accumulated along the way
(`DriftRates`), made as messy as real data by the firm's `MatchingNoise` (names mistyped,
identifiers missing, free-mail addresses). Every record gets an entity-map row; every drift
gets a drift row.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from sandboxes.common.ids import salesforce_id
from sandboxes.netsuite.addresses import address_text as netsuite_address_text
from sandboxes.simulator import names
from sandboxes.simulator.clock import add_months, at, month_start, next_weekday, seconds, weekdays
from sandboxes.simulator.config import DriftRates
from sandboxes.simulator.drift import DriftRecorder, pick
from sandboxes.simulator.reference import (
    CURRENCIES,
    EXPENSE_CATEGORIES,
    LEGAL_ENTITIES,
    NON_BILLABLE_TASKS,
    PROJECT_NON_BILLABLE_TASK,
    ROLE_BY_NAME,
    ROLES,
    STAGE_PROBABILITY,
    TERM_DAYS,
    TERMS,
)
from sandboxes.simulator.sink import Sink
from sandboxes.simulator.world import HARVEST_BASE, NETSUITE_BASE, Client, Project, World

SUBSIDIARY_ID = {entity.code: number for number, entity in enumerate(LEGAL_ENTITIES, start=1)}
CURRENCY_ID = {code: number for number, (code, _, _) in enumerate(CURRENCIES, start=1)}
TERM_ID = {name: number for number, (name, _) in enumerate(TERMS, start=1)}
ROLE_ITEM_ID = {role.name: NETSUITE_BASE["item"] + n for n, role in enumerate(ROLES, start=1)}
EXPENSE_ITEM_ID = {
    name: NETSUITE_BASE["item"] + len(ROLES) + n for n, (name, _, _, _) in enumerate(EXPENSE_CATEGORIES, start=1)
}
TASK_ID = {
    name: HARVEST_BASE["tasks"] + n
    for n, name in enumerate([role.name for role in ROLES] + list(NON_BILLABLE_TASKS), start=1)
}
EXPENSE_CATEGORY_ID = {
    name: HARVEST_BASE["expense_categories"] + n for n, (name, _, _, _) in enumerate(EXPENSE_CATEGORIES, start=1)
}

TIME_COLUMNS = (
    "id",
    "spent_date",
    "user_id",
    "client_id",
    "project_id",
    "task_id",
    "user_assignment_id",
    "task_assignment_id",
    "hours",
    "rounded_hours",
    "notes",
    "is_locked",
    "locked_reason",
    "approval_status",
    "is_closed",
    "is_billed",
    "billable",
    "billable_rate",
    "cost_rate",
    "created_at",
    "updated_at",
)
EXPENSE_COLUMNS = (
    "id",
    "client_id",
    "project_id",
    "user_id",
    "expense_category",
    "spent_date",
    "notes",
    "units",
    "total_cost",
    "billable",
    "is_closed",
    "is_locked",
    "locked_reason",
    "is_billed",
    "approval_status",
    "created_at",
    "updated_at",
)
CHARGE_COLUMNS = (
    "id",
    "externalid",
    "billto",
    "project",
    "subsidiary",
    "currency",
    "billingitem",
    "chargetype",
    "chargedate",
    "quantity",
    "rate",
    "amount",
    "description",
    "stage",
    "invoice",
    "datecreated",
    "lastmodifieddate",
)
LINE_COLUMNS = (
    "uniquekey",
    "id",
    "transaction",
    "linesequencenumber",
    "item",
    "charge",
    "quantity",
    "rate",
    "foreignamount",
    "appliedtotransaction",
    "memo",
    "linelastmodifieddate",
)
_NOTES = (
    "Workshop preparation",
    "Client workshop",
    "Stakeholder interviews",
    "Analysis",
    "Status meeting",
    "Requirements",
    "Solution design",
    "Data modelling",
    "Testing",
    "Documentation",
    "Steering committee",
    "Review and QA",
    "Build",
    None,
)
_HOURS = (1.0, 2.0, 2.5, 3.0, 4.0, 4.0, 5.0, 6.0, 6.0, 7.0, 7.5, 8.0, 8.0)
LOCK_APPROVED = "Item Approved and Locked for this Time Period"
LOCK_INVOICED = "Item Invoiced"


def address_text(street: str, city: str, zip_code: str, country: str) -> str:
    return f"{street}\n{city} {zip_code}\n{names.COUNTRY_NAME[country]}"


class HistoryWriter:
    """Writes one planned world; `counters` holds the next entity numbers for `tick`."""

    def __init__(self, world: World, sink: Sink, drift: DriftRates, seed: int, time_probability: float):
        self.world = world
        self.sink = sink
        self.rates = drift
        self.noise = world.noise
        self.seed = seed
        self.as_of = world.as_of
        self.recorder = DriftRecorder()
        self.time_probability = time_probability
        # ERP view of each customer after drift: client idx -> (currency, terms)
        self.erp_terms: dict[int, str] = {}
        self.n_time = 0
        self.n_expense = 0
        self.n_charge = 0
        self.n_transaction = 0
        self.n_line = 0
        self.n_task_assignment = 0
        self.n_user_assignment = 0
        self.tranid_seq: dict[str, int] = {}
        self._address_nkey = 0  # entityaddress nkeys (and address book line ids) handed out

    # -- reference data -----------------------------------------------------------------

    def write_reference(self) -> None:
        sink, ts = self.sink, seconds(at(self.world.history_start - timedelta(days=1500), random.Random(0)))
        for code, name, rate in CURRENCIES:
            cid = CURRENCY_ID[code]
            sink.put(
                "netsuite",
                "currency",
                {
                    "id": cid,
                    "name": name,
                    "symbol": code,
                    "isbasecurrency": "T" if code == "USD" else "F",
                    "exchangerate": rate,
                    "lastmodifieddate": ts,
                },
            )
            sink.map("netsuite", "currency", cid, "currency", f"currency-{code.lower()}")
        for name, days in TERMS:
            tid = TERM_ID[name]
            sink.put("netsuite", "term", {"id": tid, "name": name, "daysuntilnetdue": days, "lastmodifieddate": ts})
            sink.map("netsuite", "term", tid, "payment_term", f"payment_term-net-{days}")
        for entity in LEGAL_ENTITIES:
            sid = SUBSIDIARY_ID[entity.code]
            sink.put(
                "netsuite",
                "subsidiary",
                {
                    "id": sid,
                    "name": entity.name,
                    "legalname": entity.legal_name,
                    "country": entity.country,
                    "currency": CURRENCY_ID[entity.currency],
                    "lastmodifieddate": ts,
                },
            )
            sink.map("netsuite", "subsidiary", sid, "legal_entity", entity.entity_id)
        for role in ROLES:
            iid = ROLE_ITEM_ID[role.name]
            sink.put(
                "netsuite",
                "item",
                {
                    "id": iid,
                    "itemid": role.item_code,
                    "displayname": f"{role.name} services",
                    "lastmodifieddate": ts,
                },
            )
            sink.map("netsuite", "item", iid, "billing_code", f"billing_code-{role.item_code.lower()}")
        for name, unit_name, unit_price, code in EXPENSE_CATEGORIES:
            iid = EXPENSE_ITEM_ID[name]
            sink.put(
                "netsuite",
                "item",
                {
                    "id": iid,
                    "itemid": code,
                    "displayname": f"{name} expenses",
                    "itemtype": "OthCharge",
                    "lastmodifieddate": ts,
                },
            )
            sink.map("netsuite", "item", iid, "billing_code", f"billing_code-{code.lower()}")
            hid = EXPENSE_CATEGORY_ID[name]
            sink.put(
                "harvest",
                "expense_categories",
                {
                    "id": hid,
                    "name": name,
                    "unit_name": unit_name,
                    "unit_price": unit_price,
                    "created_at": ts,
                    "updated_at": ts,
                },
            )
            sink.map("harvest", "expense_categories", hid, "expense_category", f"expense_category-{name.lower()}")
        for role in ROLES:
            tid = TASK_ID[role.name]
            sink.put(
                "harvest",
                "tasks",
                {
                    "id": tid,
                    "name": role.name,
                    "billable_by_default": 1,
                    "default_hourly_rate": role.rates["USD"],
                    "is_default": 0,
                    "created_at": ts,
                    "updated_at": ts,
                },
            )
            sink.map("harvest", "tasks", tid, "role", f"role-{role.slug}")
        for name in NON_BILLABLE_TASKS:
            tid = TASK_ID[name]
            sink.put(
                "harvest",
                "tasks",
                {
                    "id": tid,
                    "name": name,
                    "billable_by_default": 0,
                    "default_hourly_rate": None,
                    "is_default": 0,
                    "created_at": ts,
                    "updated_at": ts,
                },
            )
            sink.map("harvest", "tasks", tid, "task", f"task-{name.lower().replace(' ', '-')}")
        rng = random.Random(f"{self.seed}:users")
        for consultant in self.world.consultants:
            role = ROLE_BY_NAME[consultant.role]
            created = seconds(at(consultant.created, rng))
            sink.put(
                "harvest",
                "users",
                {
                    "id": consultant.harvest_id,
                    "first_name": consultant.first,
                    "last_name": consultant.last,
                    "email": names.email(consultant.first, consultant.last, consultant.idx),
                    "timezone": consultant.entity.timezone,
                    "is_contractor": 1 if rng.random() < 0.05 else 0,
                    "weekly_capacity": 144000 if consultant.entity.code == "US" else 135000,
                    "default_hourly_rate": role.rates[consultant.entity.currency],
                    "cost_rate": role.cost[consultant.entity.currency],
                    "roles": json.dumps([consultant.role, consultant.entity.region]),
                    # Partners administer the account (every Harvest account has an
                    # administrator; the integration's token is one of theirs).
                    "access_roles": json.dumps(
                        ["administrator"]
                        if consultant.role == "Partner"
                        else ["manager"]
                        if consultant.role == "Principal"
                        else ["member"]
                    ),
                    "created_at": created,
                    "updated_at": created,
                },
            )
            sink.map("harvest", "users", consultant.harvest_id, "consultant", consultant.entity_id)

    # -- CRM ----------------------------------------------------------------------------

    def write_crm(self) -> None:
        world, sink, as_of = self.world, self.sink, self.as_of
        rng = random.Random(f"{self.seed}:crm")
        clients = world.clients
        # Duplicate accounts (drift): a second Account for the same client under a name variant.
        self.recorder.consider("duplicate_account", len(clients))
        duplicates = pick(rng, clients, self.rates.duplicate_account)
        self.recorder.consider("duplicate_account", 0, len(duplicates))
        next_rowid = len(clients)
        for client in sorted(duplicates, key=lambda c: c.idx):
            next_rowid += 1
            client.duplicate_rowid = next_rowid
            client.duplicate_name = names.name_variant(client.name, rng, self.noise, client.country)
        won_clients = {opp.client.idx for opp in world.opportunities if opp.stage == "Closed Won"}
        # Customer-level drift decided here, because the CRM side (cross-references) depends on it.
        customers = [c for c in clients if c.customer_id]
        self.customer_drift: dict[str, set[int]] = {}
        for drift_type in ("address_mismatch", "unlinked_customer", "currency_mismatch", "terms_mismatch"):
            chosen = pick(rng, customers, getattr(self.rates, drift_type))
            self.customer_drift[drift_type] = {c.idx for c in chosen}
            self.recorder.consider(drift_type, len(customers), len(chosen))
        with_projects = [c for c in clients if c.harvest_id]
        harvest_names = pick(rng, with_projects, self.rates.name_mismatch)
        erp_names = pick(rng, customers, self.rates.name_mismatch)
        self.recorder.consider(
            "name_mismatch", len(with_projects) + len(customers), len(harvest_names) + len(erp_names)
        )
        noise = self.noise
        self.name_variant = {
            ("harvest", c.idx): names.name_variant(c.name, rng, noise, c.country) for c in harvest_names
        }
        self.name_variant |= {("netsuite", c.idx): names.name_variant(c.name, rng, noise, c.country) for c in erp_names}
        # An unlinked customer was typed in again by someone in finance: its name gets the name
        # noise (maybe none). A changed name is a `name_mismatch` like any other, counted as a
        # drifted candidate too (so name_mismatch's observed rate is above its `DriftRates`
        # rate when the names are noisy).
        retyping = random.Random(f"{self.seed}:noise:retyped")
        retyped = 0
        for client in customers:
            if (
                client.idx in self.customer_drift["unlinked_customer"]
                and ("netsuite", client.idx) not in self.name_variant
            ):
                name = names.noisy_name(client.name, retyping, noise, client.country)
                if name != client.name:
                    self.name_variant[("netsuite", client.idx)] = name
                    retyped += 1
        self.recorder.consider("name_mismatch", 0, retyped)
        # Unlinked customers are the candidates for losing their tax id (`missing_tax_id`).
        self.recorder.consider("missing_tax_id", len(self.customer_drift["unlinked_customer"]))

        for client in clients:
            created = at(client.created, rng)
            modified = created
            if client.first_project is not None:
                modified = at(client.first_project, rng)
            unlinked = client.idx in self.customer_drift["unlinked_customer"]
            row = {
                "rowid": client.account_rowid,
                "Id": client.account_id,
                "Name": client.name,
                "Type": "Customer" if client.idx in won_clients else "Prospect",
                "ParentId": client.parent.account_id if client.parent else None,
                "Website": client.website,
                "Phone": client.phone,
                "Industry": client.industry,
                "BillingStreet": client.street,
                "BillingCity": client.city,
                "BillingPostalCode": client.zip,
                "BillingCountry": names.COUNTRY_NAME[client.country],
                "CurrencyIsoCode": client.currency,
                "Tax_ID__c": client.tax_id,
                "Payment_Terms__c": client.terms,
                "Region__c": client.entity.region,
                "NetSuite_Customer_Id__c": str(client.customer_id) if client.customer_id and not unlinked else None,
                "Harvest_Client_Id__c": str(client.harvest_id) if client.harvest_id else None,
                "CreatedDate": created,
                "LastModifiedDate": modified,
                "SystemModstamp": modified,
            }
            sink.put("salesforce", "Account", row)
            sink.map("salesforce", "Account", client.account_id, "client", client.entity_id)
            if client.duplicate_rowid:
                dup_day = min(client.created + timedelta(days=rng.randint(30, 400)), as_of - timedelta(days=1))
                dup_created = at(dup_day, rng)
                dup_id = salesforce_id("Account", client.duplicate_rowid)
                street = client.street if rng.random() < 0.5 else names.address(client.country, rng)[0]
                # What the person who typed the duplicate in did not know (MatchingNoise).
                losing = random.Random(f"{self.seed}:noise:duplicate:{client.idx}")
                missing = [
                    column
                    for column, rate in (
                        ("Website", self.noise.duplicate_missing_website),
                        ("Phone", self.noise.duplicate_missing_phone),
                        ("Tax_ID__c", self.noise.duplicate_missing_tax_id),
                    )
                    if names.chance(losing, rate)
                ]
                dup = row | {
                    "rowid": client.duplicate_rowid,
                    "Id": dup_id,
                    "Name": client.duplicate_name,
                    "Type": "Prospect",
                    "ParentId": None,
                    "BillingStreet": street,
                    **dict.fromkeys(missing),
                    "NetSuite_Customer_Id__c": None,
                    "Harvest_Client_Id__c": None,
                    "CreatedDate": dup_created,
                    "LastModifiedDate": dup_created,
                    "SystemModstamp": dup_created,
                }
                client.duplicate_name = dup["Name"]
                sink.put("salesforce", "Account", dup)
                sink.map("salesforce", "Account", dup_id, "client", client.entity_id)
                self.recorder.record(
                    "duplicate_account",
                    "salesforce",
                    "Account",
                    dup_id,
                    client.entity_id,
                    {
                        "original_id": client.account_id,
                        "original_name": client.name,
                        "duplicate_name": dup["Name"],
                        "missing": missing,
                    },
                )
                # Some later deals were booked against the duplicate.
                for opp in world.opportunities:
                    if opp.client is client and opp.created > dup_day and rng.random() < 0.4:
                        opp.on_duplicate = True

        for opp in world.opportunities:
            self._write_opportunity(opp, rng)

    def _write_opportunity(self, opp, rng: random.Random) -> None:
        sink, as_of = self.sink, self.as_of
        client: Client = opp.client
        account_id = salesforce_id("Account", client.duplicate_rowid) if opp.on_duplicate else client.account_id
        created = at(opp.created, rng)
        closed = opp.stage in ("Closed Won", "Closed Lost")
        if closed:
            modified = at(opp.close, rng)
        else:
            step = max(0, (as_of - opp.created).days - 1)
            modified = at(opp.created + timedelta(days=rng.randint(0, step)), rng)
        modified = max(modified, created)
        project: Project | None = opp.project
        if project is not None:
            modified = max(modified, at(project.created, rng))
        sink.put(
            "salesforce",
            "Opportunity",
            {
                "rowid": opp.rowid,
                "Id": opp.sf_id,
                "AccountId": account_id,
                "Name": opp.name,
                "StageName": opp.stage,
                "Amount": opp.amount,
                "Probability": STAGE_PROBABILITY[opp.stage],
                "CloseDate": opp.close.isoformat(),
                "IsClosed": 1 if closed else 0,
                "IsWon": 1 if opp.stage == "Closed Won" else 0,
                "Type": opp.kind,
                "CurrencyIsoCode": opp.currency,
                "Service_Line__c": opp.service_line,
                "Legal_Entity__c": opp.entity.name,
                "Opportunity_Number__c": opp.number,
                "Harvest_Project_Id__c": str(project.harvest_id) if project else None,
                "NetSuite_Project_Id__c": str(project.job_id) if project else None,
                "CreatedDate": created,
                "LastModifiedDate": modified,
                "SystemModstamp": modified,
            },
        )
        sink.map("salesforce", "Opportunity", opp.sf_id, "opportunity", opp.entity_id)
        for n, (role, hours, rate) in enumerate(opp.lines, start=1):
            rowid = opp.rowid * 10 + n
            line_id = salesforce_id("OpportunityLineItem", rowid)
            sink.put(
                "salesforce",
                "OpportunityLineItem",
                {
                    "rowid": rowid,
                    "Id": line_id,
                    "OpportunityId": opp.sf_id,
                    "Name": f"{opp.number} {role}",
                    "Role__c": role,
                    "Quantity": hours,
                    "UnitPrice": rate,
                    "TotalPrice": round(hours * rate, 2),
                    "ServiceDate": (opp.contract.start if opp.contract else opp.close).isoformat(),
                    "Description": f"{role} hours",
                    "CreatedDate": created,
                    "LastModifiedDate": created,
                    "SystemModstamp": created,
                },
            )
            sink.map(
                "salesforce",
                "OpportunityLineItem",
                line_id,
                "opportunity_line",
                f"{opp.entity_id}-line-{ROLE_BY_NAME[role].slug}",
            )
        contract = opp.contract
        if contract is None:
            return
        signed = at(opp.close, rng)
        sink.put(
            "salesforce",
            "Contract",
            {
                "rowid": contract.rowid,
                "Id": contract.sf_id,
                "AccountId": account_id,
                "ContractNumber": contract.number,
                "Status": "Activated" if contract.end >= as_of else "Expired",
                "StartDate": contract.start.isoformat(),
                "EndDate": contract.end.isoformat(),
                "ContractTerm": contract.months,
                "CurrencyIsoCode": opp.currency,
                "Opportunity__c": opp.sf_id,
                "Legal_Entity__c": opp.entity.name,
                "Payment_Terms__c": client.terms,
                "CreatedDate": signed,
                "LastModifiedDate": signed,
                "SystemModstamp": signed,
            },
        )
        sink.map("salesforce", "Contract", contract.sf_id, "contract", contract.entity_id)
        for amendment, effective, rates in contract.rates:
            created_day = opp.close if amendment == 0 else effective - timedelta(days=14)
            if created_day >= as_of:
                continue  # not negotiated yet
            stamp = signed if amendment == 0 else at(created_day, rng)
            for role, rate in rates.items():
                rowid = contract.rowid * 100 + amendment * 10 + [r.name for r in ROLES].index(role)
                rate_id = salesforce_id("Contract_Rate__c", rowid)
                sink.put(
                    "salesforce",
                    "Contract_Rate__c",
                    {
                        "rowid": rowid,
                        "Id": rate_id,
                        "Name": f"{contract.number}-A{amendment}-{ROLE_BY_NAME[role].item_code[4:]}",
                        "Contract__c": contract.sf_id,
                        "Role__c": role,
                        "Rate__c": rate,
                        "CurrencyIsoCode": opp.currency,
                        "Effective_Date__c": effective.isoformat(),
                        "Amendment_Number__c": amendment,
                        "CreatedDate": stamp,
                        "LastModifiedDate": stamp,
                        "SystemModstamp": stamp,
                    },
                )
                sink.map(
                    "salesforce",
                    "Contract_Rate__c",
                    rate_id,
                    "contract_rate",
                    f"{contract.entity_id}-a{amendment}-{ROLE_BY_NAME[role].slug}",
                )

    # -- PSA clients and ERP customers ---------------------------------------------------

    def write_accounts_downstream(self) -> None:
        sink = self.sink
        rng = random.Random(f"{self.seed}:downstream")
        for client in self.world.clients:
            if not client.harvest_id:
                continue
            created = seconds(at(client.first_project, rng))
            name = self.name_variant.get(("harvest", client.idx), client.name)
            sink.put(
                "harvest",
                "clients",
                {
                    "id": client.harvest_id,
                    "name": name,
                    "is_active": 1,
                    "address": address_text(client.street, client.city, client.zip, client.country),
                    "currency": client.currency,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            sink.map("harvest", "clients", client.harvest_id, "client", client.entity_id)
            if name != client.name:
                self.recorder.record(
                    "name_mismatch",
                    "harvest",
                    "clients",
                    client.harvest_id,
                    client.entity_id,
                    {"crm_name": client.name, "system_name": name, "account_id": client.account_id},
                )
            self._write_customer(client, created, rng)

    def _write_customer(self, client: Client, created: int, rng: random.Random) -> None:
        sink, drift = self.sink, self.customer_drift
        cid = client.customer_id
        name = self.name_variant.get(("netsuite", client.idx), client.name)
        street, city, zip_code = client.street, client.city, client.zip
        if client.idx in drift["address_mismatch"]:
            while (street, city, zip_code) == (client.street, client.city, client.zip):
                street, city, zip_code = names.address(client.country, rng)
        currency = client.currency
        if client.idx in drift["currency_mismatch"]:
            currency = rng.choice(sorted({code for code, _, _ in CURRENCIES} - {client.currency}))
        terms = client.terms
        if client.idx in drift["terms_mismatch"]:
            terms = rng.choice(sorted(set(TERM_DAYS) - {client.terms}))
        self.erp_terms[client.idx] = terms
        unlinked = client.idx in drift["unlinked_customer"]
        parent = client.parent.customer_id if client.parent and client.parent.customer_id else None
        # Matching noise: an unlinked customer, typed in again, may lack the company's website
        # (no url, no e-mail at its domain) and tax id; any customer may have a free-mail e-mail.
        noisy = random.Random(f"{self.seed}:noise:customer:{client.idx}")
        email: str | None = "accounts.payable@" + client.website.removeprefix("www.")
        url: str | None = "https://" + client.website
        tax_id: str | None = client.tax_id
        if unlinked and names.chance(noisy, self.noise.customer_missing_website):
            email = url = None
        if unlinked and names.chance(noisy, self.noise.customer_missing_tax_id):
            tax_id = None
        if names.chance(noisy, self.noise.free_mail):
            email, url = names.free_mail(client.base, noisy), None
        sink.put(
            "netsuite",
            "customer",
            {
                "id": cid,
                "entityid": f"CUST-{cid - NETSUITE_BASE['customer']:05d}",
                "companyname": name,
                "externalid": None if unlinked else client.account_id,
                "parent": parent,
                "subsidiary": SUBSIDIARY_ID[client.entity.code],
                "currency": CURRENCY_ID[currency],
                "terms": TERM_ID[terms],
                "email": email,
                "url": url,
                "vatregnumber": tax_id,
                **self._write_address_book(client, (street, city, zip_code), created),
                "custentity_sf_account_id": None if unlinked else client.account_id,
                "datecreated": created,
                "lastmodifieddate": created,
            },
        )
        sink.map("netsuite", "customer", cid, "client", client.entity_id)
        record = self.recorder.record
        eid = client.entity_id
        if name != client.name:
            record(
                "name_mismatch",
                "netsuite",
                "customer",
                cid,
                eid,
                {"crm_name": client.name, "system_name": name},
            )
        if (street, city, zip_code) != (client.street, client.city, client.zip):
            record(
                "address_mismatch",
                "netsuite",
                "customer",
                cid,
                eid,
                {
                    "crm": {"street": client.street, "city": client.city, "zip": client.zip},
                    "erp": {"street": street, "city": city, "zip": zip_code},
                },
            )
        if unlinked:
            record("unlinked_customer", "netsuite", "customer", cid, eid, {"account_id": client.account_id})
        if currency != client.currency:
            record(
                "currency_mismatch",
                "netsuite",
                "customer",
                cid,
                eid,
                {"crm": client.currency, "erp": currency},
            )
        if terms != client.terms:
            record("terms_mismatch", "netsuite", "customer", cid, eid, {"crm": client.terms, "erp": terms})
        if tax_id != client.tax_id:
            self.recorder.consider("missing_tax_id", 0, 1)
            record("missing_tax_id", "netsuite", "customer", cid, eid, {"crm": client.tax_id})

    def _write_address_book(self, client: Client, billing: tuple[str, str, str], created: int) -> dict[str, int]:
        """The customer's address book: its billing address as the default billing line, and for
        about a third of customers a second line (a delivery site, default shipping). A customer
        whose ERP address drifted from the CRM's keeps, half of the time, the CRM's address as
        that second line: the connector must land the default billing one, not any."""
        rng = random.Random(f"{self.seed}:addressbook:{client.idx}")
        crm = (client.street, client.city, client.zip)
        lines: list[tuple[str, tuple[str, str, str], bool]] = [("Billing", billing, True)]
        if billing != crm and rng.random() < 0.5:
            lines.append(("Head office", crm, False))
        elif rng.random() < 0.33:
            lines.append(("Delivery", names.address(client.country, rng), False))
        defaults: dict[str, int] = {}
        for number, (label, (street, city, zip_code), is_billing) in enumerate(lines, 1):
            self._address_nkey += 1
            nkey = self._address_nkey
            parts = {"addr1": street, "city": city, "zip": zip_code, "country": client.country}
            self.sink.put(
                "netsuite",
                "entityaddress",
                {
                    "nkey": nkey,
                    "recordowner": client.customer_id,
                    **parts,
                    "addrtext": netsuite_address_text(parts),
                    "lastmodifieddate": created,
                },
            )
            shipping = not is_billing or len(lines) == 1
            self.sink.put(
                "netsuite",
                "customeraddressbook",
                {
                    "id": nkey,
                    "entity": client.customer_id,
                    "addressbookaddress": nkey,
                    "defaultbilling": "T" if is_billing else "F",
                    "defaultshipping": "T" if shipping else "F",
                    "label": label,
                },
            )
            address_entity = f"{client.entity_id}-address-{number}"
            self.sink.map("netsuite", "entityaddress", nkey, "client_address", address_entity)
            self.sink.map("netsuite", "customeraddressbook", nkey, "client_address", address_entity)
            if is_billing:
                defaults["defaultbillingaddress"] = nkey
            if shipping:
                defaults["defaultshippingaddress"] = nkey
        return defaults

    # -- delivery: projects, time, expenses, charges, invoices, payments ---------------

    def write_projects(self) -> None:
        self.recorder.consider("orphan_project", self.world.orphan_candidates)
        self.recorder.consider("stale_rate", self.world.stale_candidates)
        for project in self.world.projects:
            self._write_project(project)

    def _write_project(self, project: Project) -> None:
        sink, as_of, record = self.sink, self.as_of, self.recorder.record
        rng = random.Random(f"{self.seed}:project:{project.idx}")
        client = project.client
        opp = project.opportunity
        created = seconds(at(project.created, rng))
        active = project.end >= as_of
        updated = created if active else seconds(at(min(project.end + timedelta(days=7), as_of - timedelta(1)), rng))
        sink.put(
            "harvest",
            "projects",
            {
                "id": project.harvest_id,
                "client_id": client.harvest_id,
                "name": project.name,
                "code": project.code,
                "is_active": 1 if active else 0,
                "is_billable": 1,
                "bill_by": "Tasks",
                "budget": project.budget,
                "budget_by": "project",
                "notes": f"{opp.service_line} engagement" if opp else None,
                "starts_on": project.start.isoformat(),
                "ends_on": project.end.isoformat(),
                "created_at": created,
                "updated_at": updated,
            },
        )
        sink.map("harvest", "projects", project.harvest_id, "project", project.entity_id)
        if opp is None:
            self.recorder.consider("orphan_project", 0, 1)
            record(
                "orphan_project",
                "harvest",
                "projects",
                project.harvest_id,
                project.entity_id,
                {"code": project.code, "client_id": client.harvest_id},
            )
        customer_entityid = f"CUST-{client.customer_id - NETSUITE_BASE['customer']:05d}"
        sink.put(
            "netsuite",
            "job",
            {
                "id": project.job_id,
                "entityid": f"{customer_entityid} : PRJ-{project.job_id - NETSUITE_BASE['job']:05d}",
                "companyname": project.name,
                "parent": client.customer_id,
                "subsidiary": SUBSIDIARY_ID[project.entity.code],
                "currency": CURRENCY_ID[project.currency],
                "entitystatus": "In Progress" if active else "Closed",
                "startdate": project.start.isoformat(),
                "projectedenddate": project.end.isoformat(),
                "custentity_harvest_project_id": str(project.harvest_id),
                "custentity_sf_opportunity_id": opp.sf_id if opp else None,
                "datecreated": created,
                "lastmodifieddate": updated,
            },
        )
        sink.map("netsuite", "job", project.job_id, "project", project.entity_id)

        # Task assignments: one per sold role at the PSA's current rate, plus the non-billable task.
        latest_day, latest_rates = project.psa_rates[-1]
        ta_updated = max(created, seconds(at(latest_day, rng))) if len(project.psa_rates) > 1 else created
        ta_ids: dict[str, int] = {}
        for role in [*project.roles, PROJECT_NON_BILLABLE_TASK]:
            self.n_task_assignment += 1
            ta_id = HARVEST_BASE["task_assignments"] + self.n_task_assignment
            ta_ids[role] = ta_id
            billable = role != PROJECT_NON_BILLABLE_TASK
            sink.put(
                "harvest",
                "task_assignments",
                {
                    "id": ta_id,
                    "project_id": project.harvest_id,
                    "task_id": TASK_ID[role],
                    "billable": 1 if billable else 0,
                    "hourly_rate": latest_rates[role] if billable else None,
                    "created_at": created,
                    "updated_at": ta_updated if billable else created,
                },
            )
            slug = role.lower().replace(" ", "-")
            sink.map("harvest", "task_assignments", ta_id, "project_task", f"{project.entity_id}-task-{slug}")
            if billable and project.stale_from and opp is not None and opp.contract is not None:
                number, effective, contract_rates = opp.contract.rates[project.stale_from]
                if contract_rates[role] != latest_rates[role]:
                    record(
                        "stale_rate",
                        "harvest",
                        "task_assignments",
                        ta_id,
                        project.entity_id,
                        {
                            "role": role,
                            "psa_rate": latest_rates[role],
                            "contract_rate": contract_rates[role],
                            "amendment_number": number,
                            "effective_date": effective.isoformat(),
                            "contract_id": opp.contract.sf_id,
                        },
                    )
        if project.stale_from:
            self.recorder.consider("stale_rate", 0, 1)
        ua_ids = []
        for consultant, role in project.staffing:
            self.n_user_assignment += 1
            ua_id = HARVEST_BASE["user_assignments"] + self.n_user_assignment
            ua_ids.append(ua_id)
            sink.put(
                "harvest",
                "user_assignments",
                {
                    "id": ua_id,
                    "project_id": project.harvest_id,
                    "user_id": consultant.harvest_id,
                    "is_project_manager": 1 if role in ("Partner", "Principal") else 0,
                    "use_default_rates": 0,
                    "created_at": created,
                    "updated_at": created,
                },
            )
            sink.map(
                "harvest",
                "user_assignments",
                ua_id,
                "project_member",
                f"{project.entity_id}-{consultant.entity_id}",
            )
        self._write_delivery(project, rng, ta_ids, ua_ids, created)

    def _approval(self, day: date, rng: random.Random) -> tuple[str, date | None]:
        """Approval status of work done on `day`, and the day it was approved."""
        age = (self.as_of - day).days
        friday = day + timedelta(days=4 - day.weekday())
        approved_day = min(friday + timedelta(days=rng.randint(1, 6)), self.as_of - timedelta(days=1))
        if age > 14 or (age > 7 and rng.random() < 0.5):
            return "approved", max(approved_day, day)
        if age > 7 or rng.random() < 0.35:
            return "submitted", None
        return "unsubmitted", None

    def _write_delivery(
        self, project: Project, rng: random.Random, ta_ids: dict[str, int], ua_ids: list[int], created: int
    ) -> None:
        sink, as_of, recorder = self.sink, self.as_of, self.recorder
        client = project.client
        last = as_of - timedelta(days=1)
        post_limit = as_of - timedelta(days=2)
        p = self.time_probability
        rand = rng.random
        sub_id = SUBSIDIARY_ID[project.entity.code]
        cur_id = CURRENCY_ID[project.currency]
        internal_task = TASK_ID[PROJECT_NON_BILLABLE_TASK]
        internal_ta = ta_ids[PROJECT_NON_BILLABLE_TASK]
        staffing = [
            (consultant, role, ua_id, ROLE_BY_NAME[role].cost[consultant.entity.currency])
            for (consultant, role), ua_id in zip(project.staffing, ua_ids, strict=True)
        ]
        entries: list[list] = []  # TIME_COLUMNS, mutable for is_billed
        expenses: list[list] = []
        charges: list[list] = []  # CHARGE_COLUMNS + [source row]
        maps: list[tuple[str, str, str, str, str]] = []
        unbilled = 0
        candidates = 0
        for day in weekdays(max(project.start, project.created), min(project.end, last)):
            rates = project.psa_rate_on(day)
            spent = day.isoformat()
            for consultant, role, ua_id, cost in staffing:
                if rand() >= p:
                    continue
                self.n_time += 1
                te_id = HARVEST_BASE["time_entries"] + self.n_time
                billable = rand() >= 0.06
                hours = _HOURS[int(rand() * len(_HOURS))]
                status, approved_day = self._approval(day, rng)
                created_at = seconds(at(day, rng, 16.0, 21.0))
                updated_at = created_at
                if approved_day is not None:
                    updated_at = max(created_at, seconds(at(approved_day, rng)))
                elif status == "submitted":
                    updated_at = max(created_at, seconds(at(min(day + timedelta(days=2), last), rng)))
                entry = [
                    te_id,
                    spent,
                    consultant.harvest_id,
                    client.harvest_id,
                    project.harvest_id,
                    TASK_ID[role] if billable else internal_task,
                    ua_id,
                    ta_ids[role] if billable else internal_ta,
                    hours,
                    hours,
                    _NOTES[int(rand() * len(_NOTES))],
                    1 if status == "approved" else 0,
                    LOCK_APPROVED if status == "approved" else None,
                    status,
                    1 if status == "approved" else 0,
                    0,
                    1 if billable else 0,
                    rates[role] if billable else None,
                    cost,
                    created_at,
                    updated_at,
                ]
                entries.append(entry)
                entity_id = f"time-{self.n_time:07d}"
                maps.append(("harvest", "time_entries", str(te_id), "time", entity_id))
                if billable and approved_day is not None and approved_day <= post_limit and (as_of - day).days > 7:
                    candidates += 1
                    if rand() < self.rates.unbilled_time:
                        unbilled += 1
                        recorder.record(
                            "unbilled_time",
                            "harvest",
                            "time_entries",
                            te_id,
                            entity_id,
                            {
                                "project_id": project.harvest_id,
                                "spent_date": spent,
                                "hours": hours,
                                "amount": round(hours * rates[role], 2),
                            },
                        )
                    else:
                        posted = min(approved_day + timedelta(days=rng.randint(1, 3)), last)
                        self.n_charge += 1
                        charge_id = NETSUITE_BASE["charge"] + self.n_charge
                        stamp = seconds(at(posted, rng))
                        charges.append(
                            [
                                charge_id,
                                f"harvest-te-{te_id}-v1",
                                client.customer_id,
                                project.job_id,
                                sub_id,
                                cur_id,
                                ROLE_ITEM_ID[role],
                                "Time",
                                spent,
                                hours,
                                rates[role],
                                round(hours * rates[role], 2),
                                f"{consultant.first} {consultant.last}: {role} {spent}",
                                "Ready For Billing",
                                None,
                                stamp,
                                stamp,
                                posted,
                                entry,
                            ]
                        )
                        maps.append(("netsuite", "charge", str(charge_id), "time", entity_id))
                if rand() < 0.03:
                    self._expense(project, consultant, day, rng, expenses, charges, maps, sub_id, cur_id)
        recorder.consider("unbilled_time", candidates, unbilled)
        self._invoice(project, rng, charges, maps)
        sink.put_rows("harvest", "time_entries", TIME_COLUMNS, [tuple(e) for e in entries])
        sink.put_rows("harvest", "expenses", EXPENSE_COLUMNS, [tuple(e) for e in expenses])
        sink.put_rows("netsuite", "charge", CHARGE_COLUMNS, [tuple(c[:-2]) for c in charges])
        sink.map_many(maps)

    def _expense(self, project, consultant, day, rng, expenses, charges, maps, sub_id, cur_id) -> None:
        name, unit_name, unit_price, _ = EXPENSE_CATEGORIES[rng.randrange(len(EXPENSE_CATEGORIES))]
        units = None
        if unit_price is not None:
            units = float(rng.randint(10, 200))
            total = round(units * unit_price, 2)
        else:
            total = round(rng.uniform(15, 600), 2)
        billable = rng.random() < 0.85
        status, approved_day = self._approval(day, rng)
        self.n_expense += 1
        ex_id = HARVEST_BASE["expenses"] + self.n_expense
        created_at = seconds(at(day, rng, 17.0, 22.0))
        updated_at = max(created_at, seconds(at(approved_day, rng))) if approved_day else created_at
        row = [
            ex_id,
            project.client.harvest_id,
            project.harvest_id,
            consultant.harvest_id,
            name,
            day.isoformat(),
            f"{name} - {project.client.city}",
            units,
            total,
            1 if billable else 0,
            1 if status == "approved" else 0,
            1 if status == "approved" else 0,
            LOCK_APPROVED if status == "approved" else None,
            0,
            status,
            created_at,
            updated_at,
        ]
        expenses.append(row)
        entity_id = f"expense-{self.n_expense:06d}"
        maps.append(("harvest", "expenses", str(ex_id), "expense", entity_id))
        if billable and approved_day is not None and approved_day <= self.as_of - timedelta(days=2):
            posted = min(approved_day + timedelta(days=rng.randint(1, 3)), self.as_of - timedelta(days=1))
            self.n_charge += 1
            charge_id = NETSUITE_BASE["charge"] + self.n_charge
            stamp = seconds(at(posted, rng))
            charges.append(
                [
                    charge_id,
                    f"harvest-ex-{ex_id}-v1",
                    project.client.customer_id,
                    project.job_id,
                    sub_id,
                    cur_id,
                    EXPENSE_ITEM_ID[name],
                    "Expense",
                    day.isoformat(),
                    1.0,
                    total,
                    total,
                    f"{consultant.first} {consultant.last}: {name} {day.isoformat()}",
                    "Ready For Billing",
                    None,
                    stamp,
                    stamp,
                    posted,
                    row,
                ]
            )
            maps.append(("netsuite", "charge", str(charge_id), "expense", entity_id))

    def _next_tranid(self, prefix: str, entity_code: str) -> str:
        key = f"{prefix}-{entity_code}"
        self.tranid_seq[key] = self.tranid_seq.get(key, 0) + 1
        return f"{key}-{self.tranid_seq[key]:06d}"

    def _invoice(self, project: Project, rng: random.Random, charges: list[list], maps: list) -> None:
        """Monthly invoices of the project's posted charges, and the payments that settled them."""
        if not charges:
            return
        sink, as_of = self.sink, self.as_of
        client = project.client
        opp = project.opportunity
        charges.sort(key=lambda c: (c[17], c[0]))
        terms_days = TERM_DAYS[self.erp_terms.get(client.idx, client.terms)]
        position = 0
        month = add_months(month_start(charges[0][17]), 1)
        while position < len(charges):
            invoice_day = next_weekday(month + timedelta(days=2))
            if invoice_day >= as_of:
                break
            batch = []
            while position < len(charges) and charges[position][17] < invoice_day:
                batch.append(charges[position])
                position += 1
            billed_month = add_months(month, -1)
            month = add_months(month, 1)
            if not batch:
                continue
            entity = project.entity
            if opp is not None:
                self.recorder.consider("wrong_legal_entity")
                if rng.random() < self.rates.wrong_legal_entity:
                    entity = rng.choice([e for e in LEGAL_ENTITIES if e.code != project.entity.code])
                    self.recorder.consider("wrong_legal_entity", 0, 1)
            self.n_transaction += 1
            invoice_id = NETSUITE_BASE["transaction"] + self.n_transaction
            invoice_entity = f"invoice-{self.n_transaction:06d}"
            stamp = seconds(at(invoice_day, rng))
            total = round(sum(c[11] for c in batch), 2)
            due = invoice_day + timedelta(days=terms_days)
            paid_day = None
            if due < as_of and rng.random() < 0.9:
                paid_day = due + timedelta(days=rng.randint(-10, 25))
            elif rng.random() < 0.25:
                paid_day = invoice_day + timedelta(days=rng.randint(5, max(5, terms_days)))
            if paid_day is not None:
                paid_day = max(paid_day, invoice_day + timedelta(days=1))
                if paid_day >= as_of:
                    paid_day = None
            paid_stamp = seconds(at(paid_day, rng)) if paid_day else None
            tranid = self._next_tranid("INV", entity.code)
            sink.put(
                "netsuite",
                "transaction",
                {
                    "id": invoice_id,
                    "tranid": tranid,
                    "type": "CustInvc",
                    "entity": client.customer_id,
                    "job": project.job_id,
                    "subsidiary": SUBSIDIARY_ID[entity.code],
                    "currency": CURRENCY_ID[project.currency],
                    "trandate": invoice_day.isoformat(),
                    "duedate": due.isoformat(),
                    "status": "Paid In Full" if paid_day else "Open",
                    "foreigntotal": total,
                    "foreignamountremaining": 0.0 if paid_day else total,
                    "memo": f"{project.code or project.name} {billed_month.strftime('%B %Y')}",
                    "createddate": stamp,
                    "lastmodifieddate": paid_stamp or stamp,
                },
            )
            maps.append(("netsuite", "transaction", str(invoice_id), "invoice", invoice_entity))
            if entity is not project.entity and opp is not None:
                self.recorder.record(
                    "wrong_legal_entity",
                    "netsuite",
                    "transaction",
                    invoice_id,
                    invoice_entity,
                    {
                        "expected_subsidiary": SUBSIDIARY_ID[project.entity.code],
                        "expected_name": project.entity.name,
                        "actual_subsidiary": SUBSIDIARY_ID[entity.code],
                        "opportunity_id": opp.sf_id,
                        "tranid": tranid,
                    },
                )
            lines = []
            for sequence, charge in enumerate(batch, start=1):
                self.n_line += 1
                line_id = NETSUITE_BASE["transactionline"] + self.n_line
                lines.append(
                    (
                        line_id,
                        sequence,  # a line's id is its number within the invoice
                        invoice_id,
                        sequence,
                        charge[6],
                        charge[0],
                        charge[9],
                        charge[10],
                        charge[11],
                        None,
                        charge[12],
                        stamp,
                    )
                )
                maps.append(
                    (
                        "netsuite",
                        "transactionline",
                        str(line_id),
                        "invoice_line",
                        f"{invoice_entity}-line-{sequence}",
                    )
                )
                charge[13] = "Processed"
                charge[14] = invoice_id
                charge[16] = stamp
                source = charge[18]
                if len(source) == len(TIME_COLUMNS):
                    source[15] = 1  # is_billed
                    source[12] = LOCK_INVOICED
                    source[20] = max(source[20], stamp)
                else:
                    source[13] = 1
                    source[12] = LOCK_INVOICED
                    source[16] = max(source[16], stamp)
            sink.put_rows("netsuite", "transactionline", LINE_COLUMNS, lines)
            if paid_day is not None:
                self.n_transaction += 1
                payment_id = NETSUITE_BASE["transaction"] + self.n_transaction
                payment_entity = f"payment-{self.n_transaction:06d}"
                sink.put(
                    "netsuite",
                    "transaction",
                    {
                        "id": payment_id,
                        "tranid": self._next_tranid("PYMT", entity.code),
                        "type": "CustPymt",
                        "entity": client.customer_id,
                        "job": None,
                        "subsidiary": SUBSIDIARY_ID[entity.code],
                        "currency": CURRENCY_ID[project.currency],
                        "trandate": paid_day.isoformat(),
                        "duedate": None,
                        "status": "Deposited",
                        "foreigntotal": total,
                        "foreignamountremaining": 0.0,
                        "memo": f"Payment {tranid}",
                        "createddate": paid_stamp,
                        "lastmodifieddate": paid_stamp,
                    },
                )
                maps.append(("netsuite", "transaction", str(payment_id), "payment", payment_entity))
                self.n_line += 1
                line_id = NETSUITE_BASE["transactionline"] + self.n_line
                sink.put_rows(
                    "netsuite",
                    "transactionline",
                    LINE_COLUMNS,
                    [(line_id, 1, payment_id, 1, None, None, None, None, total, invoice_id, tranid, paid_stamp)],
                )
                maps.append(("netsuite", "transactionline", str(line_id), "payment_line", f"{payment_entity}-line-1"))

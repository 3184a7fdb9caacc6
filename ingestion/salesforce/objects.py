"""The Salesforce objects Concord lands (Salesforce's registry), their warehouse tables, and
each table's landing contract, built from the object's describe so fields the org adds flow
in unasked (hence no column types here: describe gives them at run start).

Each object's ids are reconciled daily, for records purged from the recycle bin (gone from
queryAll and from the 15-day deleted feed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingestion.landing import TableContract
from ingestion.registry import DAILY, LandedTable, SystemRegistry
from ingestion.salesforce.client import SYSTEM, parse_datetime

PRIMARY_KEY = "Id"
CURSOR = "SystemModstamp"
DELETED_FLAG = "IsDeleted"
CURRENCY_FIELD = "CurrencyIsoCode"
NUMERIC_TYPES = frozenset({"double", "currency", "percent", "int", "long"})
# Describe's field types as warehouse types; everything else (ids, picklists, text, urls…) is text.
DATA_TYPES = {
    "boolean": "bool",
    "double": "double",
    "currency": "double",
    "percent": "double",
    "int": "bigint",
    "long": "bigint",
    "date": "date",
    "datetime": "timestamp",
}


@dataclass(frozen=True, kw_only=True)
class SalesforceObject(LandedTable):
    """An sObject Concord lands, and the custom fields the canonical model reads from it: an
    org's administrator creates them (docs/connecting.md), `concord doctor` checks they exist.
    The object itself is custom when its API name ends in `__c`."""

    custom_fields: tuple[str, ...] = ()


REGISTRY = SystemRegistry(
    system=SYSTEM,
    description=(
        "Salesforce (the CRM), landed by the `salesforce` dlt pipeline. Each table holds the "
        "current state of one sObject merged on `id`, deleted records kept and flagged "
        "(`_concord_is_deleted`); `<table>_history` holds every version landed."
    ),
    primary_key=PRIMARY_KEY,
    cursor=CURSOR,
    tables=(
        SalesforceObject(
            name="account",
            api_name="Account",
            description="Accounts (customers and prospects).",
            reconcile_every=DAILY,
            custom_fields=(
                "Tax_ID__c",
                "Payment_Terms__c",
                "Region__c",
                "NetSuite_Customer_Id__c",
                "Harvest_Client_Id__c",
                "Concord_Golden_Id__c",
                "AR_Balance__c",
                "Invoice_Status__c",
            ),
        ),
        SalesforceObject(
            name="opportunity",
            api_name="Opportunity",
            description="Opportunities (deals), with the stage they are in.",
            history_description="Every landed version of each opportunity.",
            reconcile_every=DAILY,
            custom_fields=(
                "Service_Line__c",
                "Legal_Entity__c",
                "Opportunity_Number__c",
                "Harvest_Project_Id__c",
                "NetSuite_Project_Id__c",
                "Delivery_Status__c",
            ),
        ),
        SalesforceObject(
            name="opportunity_line_item",
            api_name="OpportunityLineItem",
            description="Opportunity products (sold roles, hours and prices).",
            reconcile_every=DAILY,
            custom_fields=("Role__c",),
        ),
        SalesforceObject(
            name="contract",
            api_name="Contract",
            description="Contracts signed for won opportunities.",
            reconcile_every=DAILY,
            custom_fields=("Opportunity__c", "Legal_Entity__c", "Payment_Terms__c"),
        ),
        SalesforceObject(
            name="contract_rate",
            api_name="Contract_Rate__c",
            description="Contract rate cards (custom object Contract_Rate__c), one rate per role and amendment.",
            history_description="Every landed version of each contract rate.",
            reconcile_every=DAILY,
            custom_fields=("Contract__c", "Role__c", "Rate__c", "Effective_Date__c", "Amendment_Number__c"),
        ),
    ),
)


def contract_for(table: str, fields: list[dict[str, Any]]) -> TableContract:
    """What every record must satisfy: fields the org declares not nillable are present
    (booleans are never null), numbers are numbers, the currency code is known."""
    names = {f["name"] for f in fields}
    return TableContract(
        table=table,
        primary_key=PRIMARY_KEY,
        cursor=CURSOR,
        parse_cursor=parse_datetime,
        required=tuple(f["name"] for f in fields if not f.get("nillable", True) and f.get("type") != "boolean"),
        numeric=tuple(f["name"] for f in fields if f.get("type") in NUMERIC_TYPES),
        currency=CURRENCY_FIELD if CURRENCY_FIELD in names else None,
        deleted_flag=DELETED_FLAG,
        column_types={f["name"]: DATA_TYPES.get(f.get("type", ""), "text") for f in fields},
    )


def column_hints(fields: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every described field as a typed column, so a field no record has filled yet still
    exists in the warehouse (the models can select it) and types never depend on the data."""
    return {f["name"]: {"data_type": DATA_TYPES.get(f.get("type", ""), "text")} for f in fields}

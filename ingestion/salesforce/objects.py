"""The Salesforce objects Concord lands, their warehouse tables, and each table's landing
contract, built from the object's describe so fields the org adds flow in unasked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingestion.landing import TableContract
from ingestion.salesforce.client import parse_datetime

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


@dataclass(frozen=True)
class SalesforceObject:
    name: str  # the sObject API name
    table: str  # the warehouse table (its history is `<table>_history`)


OBJECTS = (
    SalesforceObject("Account", "account"),
    SalesforceObject("Opportunity", "opportunity"),
    SalesforceObject("OpportunityLineItem", "opportunity_line_item"),
    SalesforceObject("Contract", "contract"),
    SalesforceObject("Contract_Rate__c", "contract_rate"),
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

"""The sObjects the sandbox serves and their fields, as Salesforce's describe reports them.

One catalog drives everything field-related: SOQL validation and typing, JSON output,
write validation (required, read-only, create-only, external-ID fields) and `describe`.
Field names are the store's column names; lookups by name are case-insensitive, as
Salesforce's are.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from sandboxes.common.ids import KEY_PREFIX

STRING_TYPES = frozenset({"string", "picklist", "textarea", "url", "phone", "email"})
ID_TYPES = frozenset({"id", "reference"})
NUMBER_TYPES = frozenset({"double", "currency", "percent", "int"})

# Describe's soapType per field type.
_SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str = ""
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    external_id: bool = False
    length: int = 0
    reference_to: str | None = None
    defaulted_on_create: bool = False

    @property
    def soap_type(self) -> str:
        return _SOAP_TYPES.get(self.type, "xsd:string")

    @property
    def required_on_create(self) -> bool:
        return not self.nillable and self.createable and not self.defaulted_on_create


@dataclass(frozen=True)
class SObject:
    name: str
    label: str
    label_plural: str
    custom: bool
    fields: tuple[Field, ...]
    by_lower: dict[str, Field] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_lower.update({f.name.lower(): f for f in self.fields})

    @property
    def key_prefix(self) -> str:
        return KEY_PREFIX[self.name]

    def field_named(self, name: str) -> Field | None:
        return self.by_lower.get(name.lower())

    @property
    def external_id_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.external_id)


def _system_fields() -> tuple[Field, ...]:
    return (
        Field("IsDeleted", "boolean", "Deleted", nillable=False, createable=False, updateable=False),
        Field("CreatedDate", "datetime", "Created Date", nillable=False, createable=False, updateable=False),
        Field("LastModifiedDate", "datetime", "Last Modified Date", nillable=False, createable=False, updateable=False),
        Field("SystemModstamp", "datetime", "System Modstamp", nillable=False, createable=False, updateable=False),
    )


def _id() -> Field:
    return Field("Id", "id", "Record ID", nillable=False, createable=False, updateable=False, length=18)


def _text(name: str, label: str, length: int = 255, **kw: object) -> Field:
    return Field(name, "string", label, length=length, **kw)  # type: ignore[arg-type]


def _pick(name: str, label: str, **kw: object) -> Field:
    return Field(name, "picklist", label, **{"length": 255, **kw})  # type: ignore[arg-type]


def _ref(name: str, label: str, to: str, **kw: object) -> Field:
    return Field(name, "reference", label, length=18, reference_to=to, **kw)  # type: ignore[arg-type]


# CurrencyIsoCode: a multi-currency org fills it with the corporate currency when omitted.
def _currency_code() -> Field:
    return _pick("CurrencyIsoCode", "Currency ISO Code", defaulted_on_create=True, length=3)


ACCOUNT = SObject(
    "Account",
    "Account",
    "Accounts",
    False,
    (
        _id(),
        _text("Name", "Account Name", nillable=False),
        _pick("Type", "Account Type"),
        _ref("ParentId", "Parent Account ID", "Account"),
        Field("Website", "url", "Website", length=255),
        Field("Phone", "phone", "Account Phone", length=40),
        _pick("Industry", "Industry"),
        Field("BillingStreet", "textarea", "Billing Street", length=255),
        _text("BillingCity", "Billing City", 40),
        _text("BillingPostalCode", "Billing Zip/Postal Code", 20),
        _text("BillingCountry", "Billing Country", 80),
        _currency_code(),
        _text("Tax_ID__c", "Tax ID", 50),
        _pick("Payment_Terms__c", "Payment Terms"),
        _pick("Region__c", "Region"),
        _text("NetSuite_Customer_Id__c", "NetSuite Customer Id", 50),
        _text("Harvest_Client_Id__c", "Harvest Client Id", 50),
        _text("Concord_Golden_Id__c", "Concord Golden Id", 64, external_id=True),
        Field("AR_Balance__c", "currency", "AR Balance"),
        _pick("Invoice_Status__c", "Invoice Status"),
        *_system_fields(),
    ),
)

OPPORTUNITY = SObject(
    "Opportunity",
    "Opportunity",
    "Opportunities",
    False,
    (
        _id(),
        _ref("AccountId", "Account ID", "Account"),
        _text("Name", "Name", 120, nillable=False),
        _pick("StageName", "Stage", nillable=False),
        Field("Amount", "currency", "Amount"),
        Field("Probability", "percent", "Probability (%)"),
        Field("CloseDate", "date", "Close Date", nillable=False),
        # Derived from StageName, as the stage's "closed"/"won" flags are in Salesforce.
        Field("IsClosed", "boolean", "Closed", nillable=False, createable=False, updateable=False),
        Field("IsWon", "boolean", "Won", nillable=False, createable=False, updateable=False),
        _pick("Type", "Opportunity Type"),
        _currency_code(),
        _pick("Service_Line__c", "Service Line"),
        _text("Legal_Entity__c", "Legal Entity", 255),
        _text("Opportunity_Number__c", "Opportunity Number", 30, external_id=True),
        _text("Harvest_Project_Id__c", "Harvest Project Id", 50),
        _text("NetSuite_Project_Id__c", "NetSuite Project Id", 50),
        _pick("Delivery_Status__c", "Delivery Status"),
        *_system_fields(),
    ),
)

OPPORTUNITY_LINE_ITEM = SObject(
    "OpportunityLineItem",
    "Opportunity Product",
    "Opportunity Product",
    False,
    (
        _id(),
        # The parent opportunity is set on create and never changes, as in Salesforce.
        _ref("OpportunityId", "Opportunity ID", "Opportunity", nillable=False, updateable=False),
        # Salesforce derives the line name from the opportunity and the product.
        _text("Name", "Opportunity Product Name", 376, createable=False, updateable=False),
        _pick("Role__c", "Role", nillable=False),
        Field("Quantity", "double", "Quantity", nillable=False),
        Field("UnitPrice", "currency", "Sales Price", nillable=False),
        Field("TotalPrice", "currency", "Total Price", createable=False, updateable=False),
        Field("ServiceDate", "date", "Date"),
        Field("Description", "textarea", "Line Description", length=255),
        *_system_fields(),
    ),
)

CONTRACT = SObject(
    "Contract",
    "Contract",
    "Contracts",
    False,
    (
        _id(),
        _ref("AccountId", "Account ID", "Account", nillable=False),
        # An auto-number in Salesforce.
        _text("ContractNumber", "Contract Number", 30, nillable=False, createable=False, updateable=False),
        _pick("Status", "Status", nillable=False),
        Field("StartDate", "date", "Contract Start Date"),
        # Salesforce computes the end date from StartDate and ContractTerm.
        Field("EndDate", "date", "Contract End Date", createable=False, updateable=False),
        Field("ContractTerm", "int", "Contract Term"),
        _currency_code(),
        _ref("Opportunity__c", "Opportunity", "Opportunity"),
        _text("Legal_Entity__c", "Legal Entity", 255),
        _pick("Payment_Terms__c", "Payment Terms"),
        *_system_fields(),
    ),
)

CONTRACT_RATE = SObject(
    "Contract_Rate__c",
    "Contract Rate",
    "Contract Rates",
    True,
    (
        _id(),
        # A custom object's text Name defaults to the record Id when omitted.
        _text("Name", "Contract Rate Name", 80, defaulted_on_create=True),
        # Master-detail to Contract: not reparentable.
        _ref("Contract__c", "Contract", "Contract", nillable=False, updateable=False),
        _pick("Role__c", "Role", nillable=False),
        Field("Rate__c", "currency", "Rate", nillable=False),
        _currency_code(),
        Field("Effective_Date__c", "date", "Effective Date", nillable=False),
        Field("Amendment_Number__c", "double", "Amendment Number", nillable=False, defaulted_on_create=True),
        *_system_fields(),
    ),
)

SOBJECTS: dict[str, SObject] = {
    s.name: s for s in (ACCOUNT, OPPORTUNITY, OPPORTUNITY_LINE_ITEM, CONTRACT, CONTRACT_RATE)
}
_BY_LOWER = {name.lower(): s for name, s in SOBJECTS.items()}

# Children soft-deleted with their parent (master-detail and Salesforce's standard cascades).
CASCADE_DELETES: dict[str, tuple[tuple[str, str], ...]] = {
    "Account": (("Opportunity", "AccountId"), ("Contract", "AccountId")),
    "Opportunity": (("OpportunityLineItem", "OpportunityId"),),
    "Contract": (("Contract_Rate__c", "Contract__c"),),
}


def lookup(name: str) -> SObject | None:
    """The sObject called `name` (any casing), or None."""
    return _BY_LOWER.get(name.lower())


def check_against_store(conn: sqlite3.Connection) -> None:
    """Fails fast if the catalog and the store's tables disagree on the columns."""
    for sobject in SOBJECTS.values():
        columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{sobject.name}")')}
        expected = {f.name for f in sobject.fields} | {"rowid", "DeletedDate"}
        if columns != expected:
            raise RuntimeError(
                f"Salesforce catalog and store schema differ for {sobject.name}: "
                f"catalog-only {sorted(expected - columns)}, store-only {sorted(columns - expected)}"
            )


def describe_field(f: Field) -> dict:
    return {
        "name": f.name,
        "label": f.label,
        "type": f.type,
        "soapType": f.soap_type,
        "length": f.length if f.type in STRING_TYPES | ID_TYPES else 0,
        "precision": 18 if f.type in {"double", "currency", "percent"} else 0,
        "scale": 2 if f.type in {"double", "currency", "percent"} else 0,
        "digits": 9 if f.type == "int" else 0,
        "nillable": f.nillable and f.type != "boolean",
        "createable": f.createable,
        "updateable": f.updateable,
        "defaultedOnCreate": f.defaulted_on_create or f.type == "boolean" or not f.createable,
        "externalId": f.external_id,
        "idLookup": f.external_id or f.type == "id",
        "unique": False,
        "caseSensitive": False,
        "calculated": False,
        "custom": f.name.endswith("__c"),
        "filterable": True,
        "sortable": f.type != "textarea",
        "groupable": f.type not in {"textarea", "double", "currency", "percent", "datetime"},
        "referenceTo": [f.reference_to] if f.reference_to else [],
        "relationshipName": (f.name[:-2] if f.name.endswith("Id") else f.name[:-1] + "r") if f.reference_to else None,
        "picklistValues": [],
        "autoNumber": f.name == "ContractNumber",
    }


def describe(sobject: SObject, prefix: str) -> dict:
    """The body of `GET sobjects/{name}/describe` (the subset connectors read)."""
    base = f"{prefix}/sobjects/{sobject.name}"
    return {
        "name": sobject.name,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "keyPrefix": sobject.key_prefix,
        "custom": sobject.custom,
        "createable": True,
        "updateable": True,
        "deletable": True,
        "undeletable": False,
        "queryable": True,
        "retrieveable": True,
        "replicateable": True,
        "searchable": True,
        "fields": [describe_field(f) for f in sobject.fields],
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


def global_entry(sobject: SObject, prefix: str) -> dict:
    base = f"{prefix}/sobjects/{sobject.name}"
    return {
        "name": sobject.name,
        "label": sobject.label,
        "labelPlural": sobject.label_plural,
        "keyPrefix": sobject.key_prefix,
        "custom": sobject.custom,
        "createable": True,
        "updateable": True,
        "deletable": True,
        "queryable": True,
        "replicateable": True,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
    }

"""The record types the REST record API serves, and how their fields map onto the store.

Field names on the wire are NetSuite's record API names (camelCase: `companyName`,
`tranDate`, custom fields as `custentity_...`); the columns are SuiteQL's (lowercase). On
writes the sandbox matches field names case-insensitively, so `companyname` is accepted too
(NetSuite's own case rules here are unverified).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str  # the record API name
    column: str
    kind: str  # text, int, float, bool, date, datetime, ref, choice
    ref: str | None = None  # record type a `ref` points at
    required: bool = False
    readonly: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordType:
    name: str
    table: str
    fields: tuple[Field, ...]
    ref_name: str  # the column shown as `refName` when another record points here
    fixed: dict[str, str] = field(default_factory=dict)  # columns that select (and stamp) this type
    sublists: tuple[str, ...] = ()
    created_column: str | None = None
    number_prefix: str | None = None  # auto-numbering of entityid / tranid on create
    number_column: str | None = None

    def field(self, name: str) -> Field | None:
        lowered = name.lower()
        for f in self.fields:
            if f.name.lower() == lowered:
                return f
        return None


def _ro(name: str, column: str, kind: str) -> Field:
    return Field(name, column, kind, readonly=True)


_INACTIVE = Field("isInactive", "isinactive", "bool")
_EXTERNAL = Field("externalId", "externalid", "text")
_MODIFIED = _ro("lastModifiedDate", "lastmodifieddate", "datetime")
_CREATED = _ro("dateCreated", "datecreated", "datetime")

CUSTOMER = RecordType(
    name="customer",
    table="customer",
    ref_name="companyname",
    created_column="datecreated",
    number_prefix="CUST-",
    number_column="entityid",
    sublists=("addressbook",),  # addresses: sandboxes/netsuite/addresses.py
    fields=(
        Field("entityId", "entityid", "text"),
        Field("companyName", "companyname", "text", required=True),
        _EXTERNAL,
        Field("parent", "parent", "ref", ref="customer"),
        Field("subsidiary", "subsidiary", "ref", ref="subsidiary", required=True),
        Field("currency", "currency", "ref", ref="currency"),
        Field("terms", "terms", "ref", ref="term"),
        Field("email", "email", "text"),
        Field("url", "url", "text"),
        Field("vatRegNumber", "vatregnumber", "text"),
        _INACTIVE,
        Field("custentity_sf_account_id", "custentity_sf_account_id", "text"),
        Field("custentity_concord_golden_id", "custentity_concord_golden_id", "text"),
        _CREATED,
        _MODIFIED,
    ),
)

JOB = RecordType(
    name="job",
    table="job",
    ref_name="companyname",
    created_column="datecreated",
    number_prefix="PRJ-",
    number_column="entityid",
    fields=(
        Field("entityId", "entityid", "text"),
        Field("companyName", "companyname", "text", required=True),
        _EXTERNAL,
        Field("parent", "parent", "ref", ref="customer", required=True),
        Field("subsidiary", "subsidiary", "ref", ref="subsidiary"),
        Field("currency", "currency", "ref", ref="currency"),
        Field("entityStatus", "entitystatus", "choice", choices=("Not Started", "In Progress", "Closed")),
        Field("startDate", "startdate", "date"),
        Field("projectedEndDate", "projectedenddate", "date"),
        Field("custentity_harvest_project_id", "custentity_harvest_project_id", "text"),
        Field("custentity_sf_opportunity_id", "custentity_sf_opportunity_id", "text"),
        _INACTIVE,
        _CREATED,
        _MODIFIED,
    ),
)

SUBSIDIARY = RecordType(
    name="subsidiary",
    table="subsidiary",
    ref_name="name",
    fields=(
        Field("name", "name", "text", required=True),
        Field("legalName", "legalname", "text"),
        Field("country", "country", "text", required=True),
        Field("currency", "currency", "ref", ref="currency", required=True),
        _INACTIVE,
        _EXTERNAL,
        _MODIFIED,
    ),
)

CURRENCY = RecordType(
    name="currency",
    table="currency",
    ref_name="name",
    fields=(
        Field("name", "name", "text", required=True),
        Field("symbol", "symbol", "text", required=True),
        Field("isBaseCurrency", "isbasecurrency", "bool"),
        Field("exchangeRate", "exchangerate", "float"),
        _INACTIVE,
        _EXTERNAL,
        _MODIFIED,
    ),
)

TERM = RecordType(
    name="term",
    table="term",
    ref_name="name",
    fields=(
        Field("name", "name", "text", required=True),
        Field("daysUntilNetDue", "daysuntilnetdue", "int", required=True),
        _INACTIVE,
        _EXTERNAL,
        _MODIFIED,
    ),
)

SERVICE_ITEM = RecordType(
    name="serviceitem",
    table="item",
    ref_name="itemid",
    fixed={"itemtype": "Service"},
    fields=(
        Field("itemId", "itemid", "text", required=True),
        Field("displayName", "displayname", "text"),
        _EXTERNAL,
        _INACTIVE,
        _MODIFIED,
    ),
)

OTHER_CHARGE_ITEM = RecordType(
    name="otherchargeitem",
    table="item",
    ref_name="itemid",
    fixed={"itemtype": "OthCharge"},
    fields=SERVICE_ITEM.fields,
)

# Any item, whatever its type: what a charge bills (a service item for time, an other-charge
# item for an expense). Only a reference target, not a record type of the record API.
ANY_ITEM = RecordType(name="item", table="item", ref_name="itemid", fields=SERVICE_ITEM.fields)

CHARGE = RecordType(
    name="charge",
    table="charge",
    ref_name="id",
    created_column="datecreated",
    fields=(
        _EXTERNAL,
        Field("billTo", "billto", "ref", ref="customer", required=True),
        Field("project", "project", "ref", ref="job"),
        Field("subsidiary", "subsidiary", "ref", ref="subsidiary"),
        Field("currency", "currency", "ref", ref="currency"),
        Field("billingItem", "billingitem", "ref", ref="item", required=True),
        Field("chargeType", "chargetype", "choice", choices=("Time", "Expense", "Fixed Fee")),
        Field("chargeDate", "chargedate", "date", required=True),
        Field("quantity", "quantity", "float", required=True),
        Field("rate", "rate", "float", required=True),
        _ro("amount", "amount", "float"),
        Field("description", "description", "text"),
        Field("stage", "stage", "choice", choices=("Ready For Billing", "Non-Billable", "Processed")),
        Field("invoice", "invoice", "ref", ref="invoice", readonly=True),
        _CREATED,
        _MODIFIED,
    ),
)

INVOICE = RecordType(
    name="invoice",
    table="transaction",
    ref_name="tranid",
    fixed={"type": "CustInvc"},
    sublists=("item",),
    created_column="createddate",
    number_prefix="INV-",
    number_column="tranid",
    fields=(
        Field("tranId", "tranid", "text"),
        _EXTERNAL,
        Field("entity", "entity", "ref", ref="customer", required=True),
        Field("job", "job", "ref", ref="job"),
        Field("subsidiary", "subsidiary", "ref", ref="subsidiary"),
        Field("currency", "currency", "ref", ref="currency"),
        Field("tranDate", "trandate", "date"),
        Field("dueDate", "duedate", "date"),
        _ro("status", "status", "text"),
        _ro("total", "foreigntotal", "float"),
        _ro("amountRemaining", "foreignamountremaining", "float"),
        Field("memo", "memo", "text"),
        _ro("createdDate", "createddate", "datetime"),
        _MODIFIED,
    ),
)

CUSTOMER_PAYMENT = RecordType(
    name="customerpayment",
    table="transaction",
    ref_name="tranid",
    fixed={"type": "CustPymt"},
    sublists=("apply",),
    created_column="createddate",
    number_prefix="PYMT-",
    number_column="tranid",
    fields=(
        Field("tranId", "tranid", "text"),
        _EXTERNAL,
        Field("customer", "entity", "ref", ref="customer", required=True),
        Field("subsidiary", "subsidiary", "ref", ref="subsidiary"),
        Field("currency", "currency", "ref", ref="currency"),
        Field("tranDate", "trandate", "date"),
        Field("payment", "foreigntotal", "float", required=True),
        _ro("unapplied", "foreignamountremaining", "float"),
        _ro("status", "status", "text"),
        Field("memo", "memo", "text"),
        _ro("createdDate", "createddate", "datetime"),
        _MODIFIED,
    ),
)

RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        CUSTOMER,
        JOB,
        SUBSIDIARY,
        CURRENCY,
        TERM,
        SERVICE_ITEM,
        OTHER_CHARGE_ITEM,
        CHARGE,
        INVOICE,
        CUSTOMER_PAYMENT,
    )
}
# What a `ref` field may point at: the record types, and any item.
REFERENCE_TYPES: dict[str, RecordType] = {**RECORD_TYPES, ANY_ITEM.name: ANY_ITEM}

# Records that must go before the record they point at can be deleted: (type, table, column).
DEPENDENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "customer": (("customer", "parent"), ("job", "parent"), ("charge", "billto"), ("transaction", "entity")),
    "job": (("charge", "project"), ("transaction", "job")),
    "subsidiary": (("customer", "subsidiary"), ("job", "subsidiary"), ("transaction", "subsidiary")),
    "currency": (("subsidiary", "currency"), ("customer", "currency"), ("transaction", "currency")),
    "term": (("customer", "terms"),),
    "serviceitem": (("charge", "billingitem"), ("transactionline", "item")),
    "otherchargeitem": (("charge", "billingitem"), ("transactionline", "item")),
    "invoice": (("transactionline", "appliedtotransaction"),),
}

"""The NetSuite tables Concord lands, with the type of every field it knows: NetSuite's registry.

SuiteQL returns every value as a string and leaves null fields out, so the connector must
know each field's type to land typed columns (the strings are converted column-wise when
the page becomes an Arrow table, `ingestion.arrow_pages`): the kinds below follow NetSuite's Records
Catalog for these records (the sandbox's `sandboxes/store/schema.py` mirrors it). A field
the vendor adds later is found at run start (`queries.discover_columns`) and lands as text.

Keys are reconciled every run (an ids-only, keyset-paged listing), except for the two large
tables, charge and transactionline, reconciled daily.

Addresses: NetSuite keeps a customer's addresses in its address book (`customeraddressbook`
lines, each an `entityaddress` row keyed by `nkey`); `customer.defaultbillingaddress` is the
nkey of the default billing one. The customer table lands that address beside the customer's
own fields (`joined`: `billing_addr1`, `billing_city`, `billing_zip`, `billing_country`, …,
through `LEFT JOIN entityaddress ON entityaddress.nkey = customer.defaultbillingaddress`)
rather than as a table of its own: the warehouse needs one billing address per customer, and
a join keeps that one row per customer, merged on `id` like the rest. An address edit may not
move `customer.lastmodifieddate` ([unverified]; the address has its own
`entityaddress.lastmodifieddate`, CData's SuiteQL table reference lists it), so a joined column
alone could miss it: the customer's window is `customer.lastmodifieddate OR
entityaddress.lastmodifieddate` in the window (`also_modified`), and the address's own stamp
lands as `billing_lastmodifieddate` and counts in the row's version (`_concord_version`, the
later of the two), so such an edit is a new version in the history and the run summary. A change of which line is the default billing one changes
`customer.defaultbillingaddress`, a customer body field ([unverified] that this moves the
customer's `lastmodifieddate`; the new line's address is then usually older than the window).

Kinds: `int` (ids and references), `float` (amounts, quantities, rates), `bool` (NetSuite's
'T'/'F'), `date` (date-only, selected as `TO_CHAR(x, 'YYYY-MM-DD')`, no time zone),
`datetime` (selected as `TO_CHAR(x, 'YYYY-MM-DD HH24:MI:SS')`, which SuiteQL renders in the
integration user's time zone; landed as a UTC timestamp, see `timezone.py`), `text`.

Keys and change stamps: every table is merged on `id` and windowed on `lastmodifieddate`,
except transactionline. A line's `id` is its number within its transaction (1, 2, 3... on
every transaction again), so lines land merged on `uniquekey`, unique across all lines (both
`id` and `transaction` are kept), and are windowed on `linelastmodifieddate`: a line has no
`lastmodifieddate`. (Public SuiteQL connectors agree: tap-suiteql's transactionline stream
has primary keys id and transaction and replication key linelastmodifieddate.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingestion.landing import TableContract
from ingestion.registry import DAILY, EVERY_RUN, LandedTable, SystemRegistry

SYSTEM = "netsuite"
PRIMARY_KEY = "id"
CURSOR = "lastmodifieddate"
DATETIME_MASK = "YYYY-MM-DD HH24:MI:SS"
DATE_MASK = "YYYY-MM-DD"
# The transactions Concord reads: invoices and customer payments.
TRANSACTION_TYPES = ("CustInvc", "CustPymt")
_TYPES_SQL = ", ".join(f"'{t}'" for t in TRANSACTION_TYPES)


# The dlt column type of each kind, so a field that is null in every row still lands as a column.
DLT_TYPES = {
    "int": "bigint",
    "float": "double",
    "bool": "bool",
    "date": "date",
    "datetime": "timestamp",
    "text": "text",
}


@dataclass(frozen=True, kw_only=True)
class NetSuiteTable(LandedTable):
    """A SuiteQL table (also the landed table's name) and the fields Concord reads from it."""

    kinds: dict[str, str]  # known field -> kind, in the order they are selected
    required: tuple[str, ...] = ()
    currency_id: str | None = None  # a field referencing the currency table
    scope: str | None = None  # a SuiteQL condition limiting the rows Concord reads
    # A join the scope needs (columns are always qualified with the table's name). A join, not
    # an `IN (SELECT …)`: the subquery would be evaluated over the whole parent table per page.
    join: str | None = None
    # Columns of a joined table landed with each row: landed name -> (qualified column, kind).
    joined: dict[str, tuple[str, str]] = field(default_factory=dict)
    # A joined table's cursor: a row is also in a window when this moved in it.
    also_modified: str | None = None
    contract: TableContract = field(init=False)

    @property
    def from_clause(self) -> str:
        return f"{self.name} {self.join}" if self.join else self.name

    @property
    def key(self) -> str:
        """The field the table is merged, keyset-paged and reconciled on."""
        return self.primary_key or PRIMARY_KEY

    @property
    def cursor_field(self) -> str:
        """The field the table's windows are read on."""
        return self.cursor or CURSOR

    @property
    def key_column(self) -> str:
        return f"{self.name}.{self.key}"

    @property
    def cursor_column(self) -> str:
        return f"{self.name}.{self.cursor_field}"

    @property
    def landed_kinds(self) -> dict[str, str]:
        """Every landed field's kind: the table's own, then the joined ones."""
        return {**self.kinds, **{name: kind for name, (_, kind) in self.joined.items()}}

    def column_hints(self) -> dict[str, dict[str, Any]]:
        return {
            name: {"data_type": DLT_TYPES[kind], "nullable": name != self.key}
            for name, kind in self.landed_kinds.items()
        }

    def __post_init__(self) -> None:
        numeric = tuple(name for name, kind in self.landed_kinds.items() if kind in ("int", "float"))
        contract = TableContract(
            table=self.name,
            primary_key=self.key,
            cursor=self.cursor_field,
            required=self.required,
            numeric=numeric,
            currency="symbol" if self.name == "currency" else None,
            column_types={name: DLT_TYPES[kind] for name, kind in self.landed_kinds.items()},
            also_versioned=tuple(name for name, (column, _) in self.joined.items() if column == self.also_modified),
        )
        object.__setattr__(self, "contract", contract)


def _kinds(spec: str) -> dict[str, str]:
    """'id:int name currency:int' -> {'id': 'int', 'name': 'text', 'currency': 'int'}."""
    kinds = {}
    for part in spec.split():
        name, _, kind = part.partition(":")
        kinds[name] = kind or "text"
    return kinds


_COMMON_TAIL = "isinactive:bool externalid lastmodifieddate:datetime"

REGISTRY = SystemRegistry(
    system=SYSTEM,
    description=(
        "NetSuite (the ERP), landed by the `netsuite` dlt pipeline from SuiteQL. Each table holds "
        "the current state of one record type merged on `id` (transaction lines on `uniquekey`), "
        "with 'T'/'F' fields landed as booleans and times as UTC timestamps; records found missing "
        "by key reconciliation are kept and flagged "
        "(`_concord_is_deleted`); `<table>_history` holds every version landed."
    ),
    primary_key=PRIMARY_KEY,
    cursor=CURSOR,
    tables=(
        NetSuiteTable(
            name="subsidiary",
            description="Subsidiaries: the firm's legal entities.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(f"id:int name legalname country currency:int {_COMMON_TAIL}"),
            required=("name", "currency"),
            currency_id="currency",
        ),
        NetSuiteTable(
            name="currency",
            description="Currencies, with exchange rates to the base currency.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(f"id:int name symbol isbasecurrency:bool exchangerate:float {_COMMON_TAIL}"),
            required=("symbol",),
        ),
        NetSuiteTable(
            name="term",
            description="Payment terms.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(f"id:int name daysuntilnetdue:int {_COMMON_TAIL}"),
            required=("name",),
        ),
        NetSuiteTable(
            name="customer",
            description="Customers, each with its default billing address (billing_*, from its address book).",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(
                "id:int entityid companyname externalid parent:int subsidiary:int currency:int terms:int email url "
                "vatregnumber defaultbillingaddress:int isinactive:bool custentity_sf_account_id "
                "custentity_concord_golden_id datecreated:datetime lastmodifieddate:datetime"
            ),
            required=("companyname", "subsidiary", "currency"),
            currency_id="currency",
            join="LEFT JOIN entityaddress ON entityaddress.nkey = customer.defaultbillingaddress",
            joined={
                "billing_addr1": ("entityaddress.addr1", "text"),
                "billing_addr2": ("entityaddress.addr2", "text"),
                "billing_city": ("entityaddress.city", "text"),
                "billing_state": ("entityaddress.state", "text"),
                "billing_zip": ("entityaddress.zip", "text"),
                "billing_country": ("entityaddress.country", "text"),
                "billing_lastmodifieddate": ("entityaddress.lastmodifieddate", "datetime"),
            },
            also_modified="entityaddress.lastmodifieddate",
        ),
        NetSuiteTable(
            name="entityaddress",
            description=(
                "Every address of every customer's address book (the default billing one also lands "
                "with its customer); `recordowner` is the customer."
            ),
            primary_key="nkey",
            reconcile_every=EVERY_RUN,
            kinds=_kinds("nkey:int recordowner:int addr1 addr2 city state zip country lastmodifieddate:datetime"),
            required=("recordowner",),
        ),
        NetSuiteTable(
            name="job",
            description="Jobs: NetSuite's projects, each under one customer.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(
                "id:int entityid companyname externalid parent:int subsidiary:int currency:int entitystatus "
                "startdate:date projectedenddate:date custentity_harvest_project_id custentity_sf_opportunity_id "
                "isinactive:bool datecreated:datetime lastmodifieddate:datetime"
            ),
            required=("parent", "subsidiary"),
            currency_id="currency",
        ),
        NetSuiteTable(
            name="item",
            description="Items: service and expense billing codes.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(f"id:int itemid displayname itemtype {_COMMON_TAIL}"),
            required=("itemid",),
        ),
        NetSuiteTable(
            name="charge",
            description="Billable charges posted from approved time and expenses.",
            history_description="Every landed version of each billable charge.",
            reconcile_every=DAILY,
            kinds=_kinds(
                "id:int externalid billto:int project:int subsidiary:int currency:int billingitem:int chargetype "
                "chargedate:date quantity:float rate:float amount:float description stage invoice:int "
                "datecreated:datetime lastmodifieddate:datetime"
            ),
            required=("billto", "currency", "amount"),
            currency_id="currency",
        ),
        NetSuiteTable(
            name="transaction",
            description="Transactions Concord reads: invoices (type CustInvc) and customer payments (CustPymt).",
            history_description="Every landed version of each invoice and payment.",
            reconcile_every=EVERY_RUN,
            kinds=_kinds(
                "id:int tranid type entity:int job:int subsidiary:int currency:int trandate:date duedate:date status "
                "foreigntotal:float foreignamountremaining:float externalid memo createddate:datetime "
                "lastmodifieddate:datetime"
            ),
            required=("type", "entity", "currency", "status"),
            currency_id="currency",
            scope=f"transaction.type IN ({_TYPES_SQL})",
        ),
        NetSuiteTable(
            name="transactionline",
            description=(
                "Transaction lines: invoice lines (one per charge) and payment applications, merged on "
                "`uniquekey`; `id` is the line's number within its `transaction`."
            ),
            reconcile_every=DAILY,
            primary_key="uniquekey",
            cursor="linelastmodifieddate",
            kinds=_kinds(
                "uniquekey:int id:int transaction:int linesequencenumber:int item:int charge:int quantity:float "
                "rate:float foreignamount:float appliedtotransaction:int memo linelastmodifieddate:datetime"
            ),
            required=("transaction", "foreignamount"),
            scope=f"transaction.type IN ({_TYPES_SQL})",
            join="INNER JOIN transaction ON transaction.id = transactionline.transaction",
        ),
    ),
)

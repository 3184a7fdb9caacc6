"""What SuiteQL can see: the tables and columns of the sandbox's NetSuite database.

Read from the store's DDL (not hand-copied), so a column added to the schema is queryable
at once. Each column has a kind that decides how SuiteQL renders it: `datetime` columns are
epoch milliseconds in the store (`lastmodifieddate`, `datecreated`, `createddate`), `date`
columns are `YYYY-MM-DD` text (`trandate`, `chargedate`, `startdate`, ...), everything else
is `plain`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache

from sandboxes.store.schema import NETSUITE


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # 'datetime' (epoch ms), 'date' (YYYY-MM-DD text) or 'plain'
    not_null: bool


# What BUILTIN.DF(table.column) shows for a reference column: the referenced record's name.
DISPLAY_REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    **{(t, "subsidiary"): ("subsidiary", "name") for t in ("customer", "job", "charge", "transaction")},
    **{(t, "currency"): ("currency", "name") for t in ("subsidiary", "customer", "job", "charge", "transaction")},
    ("customer", "terms"): ("term", "name"),
    ("customer", "parent"): ("customer", "companyname"),
    ("job", "parent"): ("customer", "companyname"),
    ("charge", "billto"): ("customer", "companyname"),
    ("charge", "project"): ("job", "companyname"),
    ("charge", "billingitem"): ("item", "itemid"),
    ("charge", "invoice"): ("transaction", "tranid"),
    ("transaction", "entity"): ("customer", "companyname"),
    ("transaction", "job"): ("job", "companyname"),
    ("transactionline", "transaction"): ("transaction", "tranid"),
    ("transactionline", "item"): ("item", "itemid"),
    ("transactionline", "appliedtotransaction"): ("transaction", "tranid"),
}


@cache
def tables() -> dict[str, dict[str, Column]]:
    """Table name -> column name -> Column, in DDL order."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(NETSUITE)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")]
        result: dict[str, dict[str, Column]] = {}
        for table in names:
            columns: dict[str, Column] = {}
            for _cid, name, declared, notnull, _default, pk in conn.execute(f'PRAGMA table_info("{table}")'):
                columns[name] = Column(name, _kind(name, declared), bool(notnull or pk))
            result[table] = columns
        return result
    finally:
        conn.close()


def _kind(name: str, declared: str) -> str:
    if not (name.endswith("date") or name.startswith("date")):  # `datecreated` is a datetime too
        return "plain"
    return "datetime" if declared.upper() == "INTEGER" else "date"

"""Rows for the NetSuite sandbox tests, written straight into the store (no simulator)."""

from __future__ import annotations

from sandboxes.store import Store

# 2026-03-01T10:15:00Z, a whole second as NetSuite stores timestamps.
T0 = 1_772_360_100_000


def seed_reference_data(store: Store) -> None:
    """Two currencies, two subsidiaries, a Net 30 term and two service items."""
    with store.transaction("netsuite") as conn:
        conn.executemany(
            "INSERT INTO currency (id, name, symbol, isbasecurrency, exchangerate, lastmodifieddate) VALUES (?, ?, ?, ?, ?, ?)",
            [(1, "US Dollar", "USD", "T", 1.0, T0), (2, "British Pound", "GBP", "F", 1.25, T0)],
        )
        conn.executemany(
            "INSERT INTO subsidiary (id, name, legalname, country, currency, lastmodifieddate) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (1, "Concord Consulting Inc", "Concord Consulting Inc.", "US", 1, T0),
                (2, "Concord Consulting Ltd (UK)", "Concord Consulting Ltd", "GB", 2, T0),
            ],
        )
        conn.execute(
            "INSERT INTO term (id, name, daysuntilnetdue, lastmodifieddate) VALUES (1, 'Net 30', 30, ?)", (T0,)
        )
        conn.executemany(
            "INSERT INTO item (id, itemid, displayname, lastmodifieddate) VALUES (?, ?, ?, ?)",
            [(1, "SVC-CONSULTANT", "Consultant", T0), (2, "SVC-SENIOR-CONSULTANT", "Senior Consultant", T0)],
        )


def seed_customers(store: Store, count: int, lastmodified: int = T0, first_id: int = 1) -> None:
    """`count` UK customers, all modified at `lastmodified`."""
    with store.transaction("netsuite") as conn:
        conn.executemany(
            "INSERT INTO customer (id, entityid, companyname, externalid, subsidiary, currency, terms, "
            "datecreated, lastmodifieddate) VALUES (?, ?, ?, ?, 2, 2, 1, ?, ?)",
            [
                (i, f"CUST-{i:05d}", f"Client {i:03d} Ltd", f"CID{i:03d}", lastmodified, lastmodified)
                for i in range(first_id, first_id + count)
            ],
        )


def seed_charge(store: Store, charge_id: int, customer: int, quantity: float, rate: float, day: str) -> None:
    with store.transaction("netsuite") as conn:
        conn.execute(
            "INSERT INTO charge (id, billto, subsidiary, currency, billingitem, chargedate, quantity, rate, amount, "
            "datecreated, lastmodifieddate) VALUES (?, ?, 2, 2, 1, ?, ?, ?, ?, ?, ?)",
            (charge_id, customer, day, quantity, rate, quantity * rate, T0, T0),
        )


def seed_invoice(store: Store, invoice_id: int, customer: int, day: str, total: float) -> None:
    with store.transaction("netsuite") as conn:
        conn.execute(
            'INSERT INTO "transaction" (id, tranid, type, entity, subsidiary, currency, trandate, status, '
            "foreigntotal, foreignamountremaining, createddate, lastmodifieddate) "
            "VALUES (?, ?, 'CustInvc', ?, 2, 2, ?, 'Open', ?, ?, ?, ?)",
            (invoice_id, f"INV-UK-{invoice_id:06d}", customer, day, total, total, T0, T0),
        )
        conn.execute(
            'INSERT INTO transactionline (id, "transaction", linesequencenumber, item, quantity, rate, foreignamount, '
            "linelastmodifieddate) VALUES (1, ?, 1, 1, 1, ?, ?, ?)",
            (invoice_id, total, total, T0),
        )

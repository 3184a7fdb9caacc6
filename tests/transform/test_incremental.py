"""The large facts (time entries, charges, invoice lines) and the validation of approved time
are incremental: after the systems change - edits, an invoice re-dated, a charge deleted, a
contract rate amended, approved time made non-billable - and the changes are landed, an
incremental build holds exactly what a build from scratch holds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sandboxes.store import Store

from core.dbt import DbtResult
from core.warehouse import Warehouse
from ingestion.runner import ingest
from tests.firm import LandedFirm, configs, firm_copy, served
from transform.build import build

pytestmark = pytest.mark.minutes(3)  # about this many on two cores

FACTS = {
    "canonical.time_entries": "time_entry_id",
    "canonical.charges": "charge_id",
    "canonical.invoice_lines": "invoice_line_id",
    "intermediate.int_time_entries_validated": "time_entry_id",
}


def change_the_firm(store: Store, rate_in_use: str) -> dict[str, int]:
    """A day's edits in every system, stamped with the store's clock as the vendors would;
    `rate_in_use` is a contract rate that approved time is validated against."""
    now = (store.now_ms() // 1000) * 1000  # whole seconds, as the vendors stamp them
    netsuite = store.connect("netsuite")
    [(deleted_charge,)] = netsuite.execute("SELECT id FROM charge WHERE invoice IS NULL ORDER BY id LIMIT 1").fetchall()
    [(edited_charge,)] = netsuite.execute(
        "SELECT id FROM charge WHERE invoice IS NULL AND id <> ? ORDER BY id LIMIT 1", (deleted_charge,)
    ).fetchall()
    [(invoice,)] = netsuite.execute(
        "SELECT id FROM \"transaction\" WHERE type = 'CustInvc' ORDER BY id LIMIT 1"
    ).fetchall()
    netsuite.execute("DELETE FROM charge WHERE id = ?", (deleted_charge,))
    netsuite.execute("UPDATE charge SET amount = amount + 100, lastmodifieddate = ? WHERE id = ?", (now, edited_charge))
    [(edited_amount,)] = netsuite.execute("SELECT amount FROM charge WHERE id = ?", (edited_charge,)).fetchall()
    netsuite.execute(
        "UPDATE \"transaction\" SET trandate = '2020-01-31', lastmodifieddate = ? WHERE id = ?", (now, invoice)
    )
    netsuite.commit()
    harvest = store.connect("harvest")
    [(entry,)] = harvest.execute("SELECT id FROM time_entries ORDER BY id LIMIT 1").fetchall()
    harvest.execute("UPDATE time_entries SET hours = hours + 1, updated_at = ? WHERE id = ?", (now, entry))
    [(entry_hours,)] = harvest.execute("SELECT hours FROM time_entries WHERE id = ?", (entry,)).fetchall()
    [(unbilled_entry,)] = harvest.execute(
        "SELECT id FROM time_entries WHERE approval_status = 'approved' AND billable = 1 AND id <> ? ORDER BY id LIMIT 1",
        (entry,),
    ).fetchall()
    harvest.execute("UPDATE time_entries SET billable = 0, updated_at = ? WHERE id = ?", (now, unbilled_entry))
    harvest.commit()
    # a contract rate amended in place: the time validated against it must be validated again
    salesforce = store.connect("salesforce")
    salesforce.execute(
        "UPDATE Contract_Rate__c SET Rate__c = Rate__c + 10, LastModifiedDate = ?, SystemModstamp = ? WHERE Id = ?",
        (now, now, rate_in_use),
    )
    salesforce.commit()
    return {
        "deleted_charge": deleted_charge,
        "edited_charge": edited_charge,
        "edited_amount": edited_amount,
        "invoice": invoice,
        "entry": entry,
        "entry_hours": entry_hours,
        "unbilled_entry": unbilled_entry,
        "amended_rate": rate_in_use,
    }


def built(result: DbtResult) -> None:
    failures = [line for line in result.output.splitlines() if "ERROR" in line or "FAIL" in line]
    assert result.ok, "\n".join(failures[-20:])


def facts(warehouse: Warehouse) -> dict[str, list[tuple]]:
    return {table: warehouse.query(f"SELECT * FROM {table} ORDER BY {key}") for table, key in FACTS.items()}


def test_an_incremental_build_after_changes_holds_what_a_build_from_scratch_holds(
    landed_demo_firm: LandedFirm, tmp_path: Path
) -> None:
    firm = firm_copy(landed_demo_firm, tmp_path)
    warehouse = firm.warehouse
    target = tmp_path / "dbt_target"
    built(build(warehouse, target_dir=target))
    [(rate_in_use,)] = warehouse.query(
        "SELECT min(rate_card_id) FROM intermediate.int_time_entries_validated WHERE rate_card_id IS NOT NULL",
    )
    changed = change_the_firm(firm.store, rate_in_use)
    firm.store.close()
    time.sleep(1.1)  # the sources read up to the servers' clock: let it pass the edits' second
    with served(firm) as cluster:
        ingest(
            ("harvest", "salesforce"), warehouse=warehouse, configs=configs(cluster), pipelines_dir=firm.pipelines_dir
        )
        # NetSuite has no deleted-records feed: the charge's delete is found by reconciling keys
        ingest(
            ("netsuite",),
            warehouse=warehouse,
            configs=configs(cluster),
            pipelines_dir=firm.pipelines_dir,
            reconcile_all=True,
        )

    built(build(warehouse, target_dir=target))
    incremental = facts(warehouse)
    revalidated_at_the_new_rate = warehouse.query(
        f"""SELECT count(*) FROM intermediate.int_time_entries_validated AS v
            JOIN canonical.rate_cards AS r ON r.rate_card_id = v.rate_card_id
            WHERE v.rate_card_id = '{rate_in_use}' AND v.contract_rate = r.hourly_rate""",
    )
    built(build(warehouse, target_dir=target, full_refresh=True))
    from_scratch = facts(warehouse)

    for table in FACTS:
        assert incremental[table] == from_scratch[table], table
    charge_ids = {row[0] for row in incremental["canonical.charges"]}
    assert str(changed["deleted_charge"]) not in charge_ids
    assert warehouse.query(f"SELECT amount FROM canonical.charges WHERE charge_id = '{changed['edited_charge']}'") == [
        (changed["edited_amount"],)
    ]
    assert warehouse.query(f"SELECT hours FROM canonical.time_entries WHERE time_entry_id = '{changed['entry']}'") == [
        (changed["entry_hours"],)
    ]
    assert warehouse.query(
        f"SELECT DISTINCT CAST(invoice_date AS VARCHAR) FROM canonical.invoice_lines WHERE invoice_id = '{changed['invoice']}'",
    ) == [("2020-01-31",)]
    assert warehouse.query(
        f"SELECT count(*) FROM intermediate.int_time_entries_validated WHERE time_entry_id = '{changed['unbilled_entry']}'",
    ) == [(0,)]
    # the amended rate reached the entries validated against it (and a build from scratch agrees)
    assert revalidated_at_the_new_rate != [(0,)]

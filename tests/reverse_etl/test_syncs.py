"""The syncs come from the ownership file: one per (receiving system, entity), with exactly the
fields the file sends there, parents first; a malformed file is a one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConcordError
from reverse_etl.syncs import find, ownership, syncs

HEADER = "entity,field,authority,fallback_1,fallback_2,receivers,conflict_policy,description\n"


def test_each_receiving_system_and_entity_is_one_sync_with_the_fields_sent_there() -> None:
    by_name = {s.name: s for s in syncs()}

    assert set(by_name) >= {
        "netsuite__customers",
        "harvest__customers",
        "salesforce__customers",
        "salesforce__projects",
    }
    assert set(by_name["netsuite__customers"].fields) >= {"legal_name", "payment_terms", "tax_id", "golden_customer_id"}
    assert "ar_balance" not in by_name["netsuite__customers"].fields  # NetSuite owns it
    assert set(by_name["salesforce__customers"].fields) >= {"ar_balance", "invoice_status", "netsuite_customer_id"}
    assert "legal_name" not in by_name["salesforce__customers"].fields  # the CRM owns it
    assert by_name["harvest__customers"].model == "sync_harvest__customers"


def test_syncs_run_parents_first_and_the_erp_before_the_psa() -> None:
    order = [s.name for s in syncs()]

    assert order.index("netsuite__customers") < order.index("harvest__customers") < order.index("salesforce__projects")
    assert order.index("harvest__customers") < order.index("harvest__projects")


def test_an_unknown_conflict_policy_names_the_line_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "ownership.csv"
    path.write_text(HEADER + "customer,legal_name,salesforce,,,netsuite,overwrite,x\n")

    with pytest.raises(ConcordError, match=r"ownership.csv line 2: conflict_policy 'overwrite'"):
        ownership(path)


def test_a_system_cannot_both_own_and_receive_a_field(tmp_path: Path) -> None:
    path = tmp_path / "ownership.csv"
    path.write_text(HEADER + "customer,legal_name,salesforce,,,salesforce netsuite,authority_wins,x\n")

    with pytest.raises(ConcordError, match="customer.legal_name names salesforce as its owner and receiver"):
        syncs(path)


def test_an_unknown_sync_name_lists_the_known_ones() -> None:
    with pytest.raises(
        ConcordError, match="no sync named 'erp__things'; the ownership file implies: netsuite__customers"
    ):
        find("erp__things")

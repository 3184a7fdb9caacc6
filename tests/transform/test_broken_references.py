"""One bad vendor record never blocks the rest: orphans injected into the demo firm's landed
data - a Harvest project of a client Harvest does not have, the time of a project deleted in
Harvest, a NetSuite invoice line of an invoice NetSuite does not have - and the build still
succeeds; each is an exception with a reason and the systems' own ids, the records involved
are left out of the canonical model, and the write-back plans nothing for them and everything
else as it did before."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.dbt import DbtResult
from core.warehouse import Warehouse
from reverse_etl.engine import plan
from tests.conftest import postgres_database
from tests.firm import LandedFirm
from transform.build import build

# About this many minutes on two cores; the first test waits for the demo firm to be landed and
# built, then built again with its orphans (and the PostgreSQL one for a copy landed there).
pytestmark = [pytest.mark.minutes(4), pytest.mark.timeout(900)]

MISSING_CLIENT = "990000001"
MISSING_INVOICE = "990000002"


@dataclass
class Orphans:
    """The records made orphans, by their systems' ids."""

    project: str  # a Harvest project whose client Harvest does not have
    project_entries: set[str]  # that project's time entries
    deleted_project: str  # a Harvest project deleted in Harvest, its time entries still live
    deleted_project_entries: set[str]
    invoice_line: str  # a NetSuite invoice line of an invoice NetSuite does not have
    invoice: str  # the invoice the line belonged to
    golden_project: str  # the first project's golden project (its deal's), as the baseline had it
    deleted_golden_project: str  # the deleted project's
    project_expenses: set[str]  # the two projects' expenses

    def involved(self, sync: str) -> set[str]:
        """The ids a write of this sync would name (as its record, target or golden id) if it
        were for an orphan: the projects themselves, the project left out's deal (which has its
        project, whatever the model says), the delivery status the deals receive from them, their
        time entries and their expenses."""
        return {
            "harvest__projects": {self.project, self.deleted_project, self.golden_project},
            "salesforce__projects": {self.golden_project, self.deleted_golden_project},
            "netsuite__time_entries": self.project_entries | self.deleted_project_entries,
            "netsuite__expenses": self.project_expenses,
        }.get(sync, set())


@dataclass
class OrphanedFirm:
    warehouse: Warehouse
    orphans: Orphans
    result: DbtResult


def choose_orphans(built: Warehouse) -> Orphans:
    """Two Harvest projects whose approved time the baseline build posts (so leaving them out
    changes the plan), and an invoice line."""
    projects = [
        project
        for (project,) in built.query(
            "SELECT harvest_project_id FROM intermediate.int_time_entries_validated "
            "WHERE is_valid AND NOT is_posted GROUP BY harvest_project_id ORDER BY count(*) DESC, 1 LIMIT 2"
        )
    ]

    def entries(project: str) -> set[str]:
        rows = built.query(f"SELECT time_entry_id FROM canonical.time_entries WHERE harvest_project_id = '{project}'")
        return {entry for (entry,) in rows}

    [(line, invoice)] = built.query(
        "SELECT invoice_line_id, invoice_id FROM canonical.invoice_lines ORDER BY 1 LIMIT 1"
    )
    both = f"('{projects[0]}', '{projects[1]}')"
    golden = dict(
        built.query(
            f"SELECT harvest_project_id, golden_project_id FROM canonical.projects WHERE harvest_project_id IN {both}"
        )
    )
    expenses = built.query(f"SELECT expense_id FROM canonical.expenses WHERE harvest_project_id IN {both}")
    return Orphans(
        projects[0],
        entries(projects[0]),
        projects[1],
        entries(projects[1]),
        line,
        invoice,
        golden[projects[0]],
        golden[projects[1]],
        {e for (e,) in expenses},
    )


def inject(warehouse: Warehouse, orphans: Orphans) -> None:
    """The orphans, written into the landed raw tables as a vendor's data would have them."""
    warehouse.execute(f"UPDATE raw_harvest.projects SET client__id = {MISSING_CLIENT} WHERE id = {orphans.project}")
    warehouse.execute(
        "UPDATE raw_harvest.projects SET _concord_is_deleted = true, _concord_deleted_at = _concord_extracted_at "
        f"WHERE id = {orphans.deleted_project}"
    )
    warehouse.execute(
        f'UPDATE raw_netsuite.transactionline SET "transaction" = {MISSING_INVOICE} '
        f"WHERE uniquekey = {orphans.invoice_line}"
    )


def orphaned_build(warehouse: Warehouse, orphans: Orphans, root: Path) -> OrphanedFirm:
    inject(warehouse, orphans)
    return OrphanedFirm(warehouse, orphans, build(warehouse, target_dir=root / "dbt_target"))


@pytest.fixture(scope="module")
def orphaned_firm(
    landed_demo_firm: LandedFirm, built_demo_firm: LandedFirm, tmp_path_factory: pytest.TempPathFactory
) -> OrphanedFirm:
    """The demo firm, its orphans injected into the landed data, built once on DuckDB."""
    root = tmp_path_factory.mktemp("orphaned")
    shutil.copyfile(landed_demo_firm.warehouse.duckdb_path, root / "warehouse.duckdb")
    warehouse = Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb")
    return orphaned_build(warehouse, choose_orphans(built_demo_firm.warehouse), root)


def broken_references(warehouse: Warehouse) -> dict[tuple[str, str, str], tuple[str, str]]:
    """(system, record id, field) -> (the id it names, reason), for each open broken_reference exception."""
    rows = warehouse.query(
        "SELECT source_system, source_record_id, field, reference_record_id, reason FROM marts.exceptions "
        "WHERE check_name = 'broken_reference' AND is_open"
    )
    return {(system, record, field): (reference, reason) for system, record, field, reference, reason in rows}


def planned_writes(warehouse: Warehouse) -> dict[str, set[tuple]]:
    """Per sync, every write the write-back would make now: (sync key, golden id, operation,
    target, values)."""
    return {
        sync_plan.sync.name: {
            (w.sync_key, w.golden_id, w.operation, w.target_record_id, tuple(sorted(w.desired.items())))
            for w in sync_plan.writes
        }
        for sync_plan in plan(warehouse).syncs
    }


def involving(orphans: Orphans, sync: str, write: tuple) -> bool:
    """Whether a write the sync plans is for one of the orphans."""
    sync_key, golden_id, _, target, _ = write
    return bool({sync_key.split(":", 1)[1], golden_id, target} & orphans.involved(sync))


def test_a_build_with_orphaned_vendor_records_succeeds(orphaned_firm: OrphanedFirm) -> None:
    failures = [line for line in orphaned_firm.result.output.splitlines() if "ERROR" in line or "FAIL" in line]

    assert orphaned_firm.result.ok, "\n".join(failures[-20:])


def test_each_orphan_is_an_exception_naming_both_records_with_a_reason(orphaned_firm: OrphanedFirm) -> None:
    found = broken_references(orphaned_firm.warehouse)
    orphans = orphaned_firm.orphans

    reference, reason = found[("harvest", orphans.project, "project.client_id")]
    assert reference == MISSING_CLIENT
    assert reason.startswith(
        f"Harvest project {orphans.project} names client {MISSING_CLIENT}, which Harvest does not have"
    )
    assert "left out of the canonical model" in reason
    entry = min(orphans.deleted_project_entries)
    reference, reason = found[("harvest", entry, "time_entry.project_id")]
    assert reference == orphans.deleted_project
    assert f"names project {orphans.deleted_project}, which was deleted in Harvest" in reason
    reference, reason = found[("netsuite", orphans.invoice_line, "transaction_line.transaction_id")]
    assert reference == MISSING_INVOICE
    assert "which NetSuite does not have" in reason
    severities = orphaned_firm.warehouse.query(
        "SELECT DISTINCT severity FROM marts.exceptions WHERE check_name = 'broken_reference'"
    )
    assert severities == [("error",)]


def test_the_time_of_a_project_left_out_is_left_out_too_and_reported(orphaned_firm: OrphanedFirm) -> None:
    found = broken_references(orphaned_firm.warehouse)
    orphans = orphaned_firm.orphans

    reported = {record for (system, record, field) in found if field == "time_entry.project_id"}

    assert reported >= orphans.project_entries | orphans.deleted_project_entries
    _, reason = found[("harvest", min(orphans.project_entries), "time_entry.project_id")]
    assert f"names project {orphans.project}, which is left out for a broken reference of its own" in reason


def test_the_records_involved_are_left_out_of_the_canonical_model(orphaned_firm: OrphanedFirm) -> None:
    warehouse, orphans = orphaned_firm.warehouse, orphaned_firm.orphans
    projects = {p for (p,) in warehouse.query("SELECT harvest_project_id FROM canonical.projects")}
    entries = {e for (e,) in warehouse.query("SELECT time_entry_id FROM canonical.time_entries")}
    validated = {e for (e,) in warehouse.query("SELECT time_entry_id FROM intermediate.int_time_entries_validated")}
    lines = {line for (line,) in warehouse.query("SELECT invoice_line_id FROM canonical.invoice_lines")}

    assert {orphans.project, orphans.deleted_project} & projects == set()
    assert (orphans.project_entries | orphans.deleted_project_entries) & (entries | validated) == set()
    assert orphans.invoice_line not in lines
    assert warehouse.query(f"SELECT count(*) FROM canonical.invoices WHERE invoice_id = '{orphans.invoice}'") == [(1,)]


def test_the_write_back_plans_nothing_for_the_orphans_and_the_rest_as_before(
    orphaned_firm: OrphanedFirm, built_demo_firm: LandedFirm
) -> None:
    before = planned_writes(built_demo_firm.warehouse)
    after = planned_writes(orphaned_firm.warehouse)
    orphans = orphaned_firm.orphans
    # A won deal whose Harvest project was deleted gets a new one, orphans or not.
    reprovisioned = {
        w
        for w in after["harvest__projects"]
        if w[:3] == (f"golden:{orphans.deleted_golden_project}", orphans.deleted_golden_project, "create")
    }

    assert len(reprovisioned) == 1
    assert {sync: {w for w in writes if involving(orphans, sync, w)} for sync, writes in after.items()} == {
        sync: set() for sync in after
    }
    # there was something to leave out
    assert any(involving(orphans, "netsuite__time_entries", w) for w in before["netsuite__time_entries"])
    assert {sync: writes - reprovisioned for sync, writes in after.items()} == {
        sync: {w for w in writes if not involving(orphans, sync, w)} for sync, writes in before.items()
    }


@pytest.fixture(scope="module")
def orphaned_postgres_firm(
    postgres_demo_firm: LandedFirm, built_demo_firm: LandedFirm, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OrphanedFirm]:
    """The same orphans in a copy of the demo firm landed in PostgreSQL (a database made from
    the landed one as its template), built once."""
    landed = postgres_demo_firm.warehouse.postgres_dsn
    with postgres_database(template=landed.rsplit("/", 1)[1]) as dsn:
        warehouse = Warehouse(kind="postgres", postgres_dsn=dsn)
        root = tmp_path_factory.mktemp("orphaned_postgres")
        yield orphaned_build(warehouse, choose_orphans(built_demo_firm.warehouse), root)


def test_on_postgres_the_build_succeeds_with_the_same_orphans_reported(
    orphaned_postgres_firm: OrphanedFirm, orphaned_firm: OrphanedFirm
) -> None:
    assert orphaned_postgres_firm.result.ok, orphaned_postgres_firm.result.output[-6000:]
    assert broken_references(orphaned_postgres_firm.warehouse) == broken_references(orphaned_firm.warehouse)
    orphans = orphaned_postgres_firm.orphans
    planned = planned_writes(orphaned_postgres_firm.warehouse)
    assert {sync: {w for w in writes if involving(orphans, sync, w)} for sync, writes in planned.items()} == {
        sync: set() for sync in planned
    }

"""What a build found, read back from the warehouse: golden customers and open exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.warehouse import Warehouse


@dataclass
class Findings:
    golden_customers: int = 0
    customer_records: int = 0
    merged_customers: int = 0
    open_exceptions: list[tuple[str, str, int]] = field(default_factory=list)


def findings(warehouse: Warehouse) -> Findings:
    rows = warehouse.query(
        "SELECT COUNT(*), SUM(source_record_count), SUM(CASE WHEN source_record_count > 1 THEN 1 ELSE 0 END) "
        "FROM canonical.customers",
    )
    golden, records, merged = rows[0]
    exceptions = warehouse.query(
        "SELECT check_name, severity, COUNT(*) FROM marts.exceptions WHERE is_open "
        "GROUP BY check_name, severity ORDER BY 3 DESC",
    )
    return Findings(int(golden or 0), int(records or 0), int(merged or 0), [tuple(r) for r in exceptions])

"""Records quarantined on landing are exceptions in marts.exceptions, with the system, the record
and the quarantine's reason, open until the replay lands or clears them: a test-size firm
served by the sandboxes, landed and built on DuckDB."""

from __future__ import annotations

from pathlib import Path

import httpx
from sandboxes.serving import SandboxCluster
from sandboxes.settings import SYSTEMS, SandboxSettings
from sandboxes.simulator import generate
from sandboxes.store import Store

from core.warehouse import Warehouse
from ingestion.runner import ingest
from tests.firm import configs
from transform.build import build

QUARANTINED = (
    "SELECT source_system, source_record_id, field, severity, reason, is_open FROM marts.exceptions "
    "WHERE check_name = 'quarantined_record'"
)


def test_a_quarantined_record_is_an_open_exception_until_the_replay_clears_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "sandbox").create()
    generate(store, size="test", seed=7)
    with store.transaction("harvest") as conn:  # a time entry nothing else refers to yet
        [(entry,)] = conn.execute("SELECT MIN(id) FROM time_entries WHERE NOT is_locked").fetchall()
        conn.execute("UPDATE time_entries SET hours = 'lots' WHERE id = ?", (entry,))
    warehouse = Warehouse(duckdb_path=tmp_path / "warehouse.duckdb")
    cluster = SandboxCluster(settings=SandboxSettings(store_dir=tmp_path / "sandbox", ports={s: 0 for s in SYSTEMS}))
    cluster.start()
    try:
        ingest(warehouse=warehouse, configs=configs(cluster), pipelines_dir=tmp_path / "dlt")
        assert build(warehouse, target_dir=tmp_path / "dbt_target").ok

        [(system, record, table, severity, reason, is_open)] = warehouse.query(QUARANTINED)
        assert (system, record, table, severity, is_open) == ("harvest", str(entry), "time_entries", "error", True)
        assert f"harvest time_entries record {entry} did not land: hours is not a number: 'lots'" in reason

        store.advance_clock(60_000)
        hv = cluster.settings.harvest
        headers = {"Authorization": f"Bearer {hv.access_token}", "Harvest-Account-Id": hv.account_id}
        fixed = httpx.patch(
            f"{cluster.url('harvest')}/v2/time_entries/{entry}", json={"hours": 3}, headers=headers, timeout=30
        )
        assert fixed.status_code == 200, fixed.text
        store.advance_clock(60_000)
        ingest(
            systems=("harvest",),
            warehouse=warehouse,
            configs=configs(cluster),
            pipelines_dir=tmp_path / "dlt",
            replay_quarantine=True,
        )
    finally:
        cluster.stop()
    assert build(warehouse, target_dir=tmp_path / "dbt_target").ok

    assert [row[-1] for row in warehouse.query(QUARANTINED)] == [False]

"""Benchmark: the dbt build of the canonical model at `bench` size (about 1M time entries).

Prints, for DuckDB and then PostgreSQL:
  - the full `dbt build` (every seed, model and data test) of a freshly landed firm;
  - the same full build after about 1% of every system's records changed and were landed
    incrementally (large facts such as time entries are incremental models);
  - the frequent loop's build (`--selector loop`: every model, the consistency checks and the
    tests of the intermediate, canonical and mart layers) after another 1% change;
and the slowest dbt nodes of each build, and how much of each build is dbt starting. On DuckDB
it also prints the loop build's floor: the same nodes over zero rows (`dbt build --empty`), which
is dbt's own cost per node. Targets on DuckDB: full <= 60 s, after 1% <= 15 s.

Run by hand: `.venv/bin/python bench/dbt_build.py [--store DIR] [--landed DIR] [--skip-postgres]`.
`--store` reuses a store holding the bench firm (else it is generated, about a minute).
`--landed` keeps the landed (not built) DuckDB warehouse in DIR and reuses it on later runs,
which saves the 5-minute load; the incremental load then lands every change made to the store
since DIR was filled (1% more per run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.store import Store  # noqa: E402

from core.dbt import run_dbt  # noqa: E402
from core.warehouse import Warehouse  # noqa: E402
from ingestion.runner import ingest  # noqa: E402
from transform.build import build  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_store, change_one_percent, configs, print_machine, scratch_postgres_database, served, timed  # noqa: E402
from results import recorded  # noqa: E402


def dbt_build(label: str, warehouse: Warehouse, target_dir: Path, selector: str | None = None) -> float:
    """Times one `dbt build`, fails loudly if it does not pass, prints the slowest nodes."""
    seconds, result = timed(label, lambda: build(warehouse, target_dir=target_dir, selector=selector))
    if not result.ok:
        sys.exit(f"dbt build failed:\n{result.output[-4000:]}")
    summary = next((line for line in result.output.splitlines() if "Done. PASS=" in line), "")
    print(f"    {summary.split('Done. ')[-1]}")
    run_results = json.loads((target_dir / "run_results.json").read_text())
    results = run_results["results"]
    print(
        f"    of which dbt starting (imports, manifest, graph): {seconds - run_results['elapsed_time']:.1f} s, "
        f"running its {len(results)} nodes: {run_results['elapsed_time']:.1f} s"
    )
    slowest = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:6]
    print("    slowest: " + ", ".join(f"{r['unique_id'].split('.')[-1]} {r['execution_time']:.1f} s" for r in slowest))
    return seconds


def landed_rows(summaries) -> int:
    return sum(t.new + t.changed for s in summaries for t in s.tables.values())


def bench_engine(name: str, warehouse: Warehouse, pipelines_dir: Path, store: Store, urls: dict, work: Path) -> None:
    """Full build; then, after a 1% change landed incrementally, the full build again; then,
    after another 1% change, the frequent loop's build (selector `loop`)."""
    target = work / f"target-{name}"
    full = dbt_build(f"[{name}] full dbt build", warehouse, target)
    change_and_land(store, warehouse, pipelines_dir, urls)
    again = dbt_build(f"[{name}] full dbt build after the 1% change", warehouse, target)
    change_and_land(store, warehouse, pipelines_dir, urls)
    loop = dbt_build(f"[{name}] loop build (selector loop) after another 1% change", warehouse, target, "loop")
    print(f"[{name}] after 1%: full build / first build = {again / full:.2f}, loop build = {loop:.1f} s")
    if warehouse.is_embedded:
        loop_floor(warehouse, work, target)


def loop_floor(warehouse: Warehouse, work: Path, target: Path) -> None:
    """dbt's own cost of the loop's nodes: the same build with `--empty` (every ref and source
    read as zero rows) on a copy of the warehouse - what no SQL change can take off. Run twice:
    the first parses the project again for the new flag."""
    copy = Warehouse(kind="duckdb", duckdb_path=work / "floor.duckdb")
    shutil.copyfile(warehouse.duckdb_path, copy.duckdb_path)
    args = ["build", "--selector", "loop", "--exclude-resource-type", "unit_test", "--empty"]
    for label in ("parsing the project for --empty, not the floor", "the floor: the loop build over zero rows"):
        seconds, result = timed(f"[duckdb] {label}", lambda: run_dbt(args, copy, target_dir=target))
        if not result.ok:
            sys.exit(f"dbt build --empty failed:\n{result.output[-4000:]}")
    elapsed = json.loads((target / "run_results.json").read_text())["elapsed_time"]
    print(f"    of which dbt starting: {seconds - elapsed:.1f} s, running the nodes over zero rows: {elapsed:.1f} s")
    copy.duckdb_path.unlink()


def change_and_land(store: Store, warehouse: Warehouse, pipelines_dir: Path, urls: dict) -> None:
    changed = change_one_percent(store)
    summaries = ingest(warehouse=warehouse, configs=configs(urls), pipelines_dir=pipelines_dir)
    print(f"    changed {changed:,} records in the sandboxes; the incremental load landed {landed_rows(summaries):,}")


def landed_duckdb(urls: dict, work: Path, keep: Path | None) -> tuple[Warehouse, Path]:
    """A DuckDB warehouse holding the landed firm (not built) and its pipelines' state, in `work`."""
    warehouse = Warehouse(kind="duckdb", duckdb_path=work / "warehouse.duckdb")
    if keep is not None and (keep / "warehouse.duckdb").exists():
        shutil.copyfile(keep / "warehouse.duckdb", warehouse.duckdb_path)
        shutil.copytree(keep / "dlt", work / "dlt")
        print(f"landed DuckDB warehouse reused from {keep}")
        return warehouse, work / "dlt"
    timed("[duckdb] full load", lambda: ingest(warehouse=warehouse, configs=configs(urls), pipelines_dir=work / "dlt"))
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(warehouse.duckdb_path, keep / "warehouse.duckdb")
        shutil.copytree(work / "dlt", keep / "dlt")
    return warehouse, work / "dlt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", help="a store holding (or to hold) the bench firm; default: a temporary one")
    parser.add_argument("--size", default="bench")
    parser.add_argument("--landed", help="keep (and reuse) the landed DuckDB warehouse in this directory")
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    print_machine()
    work = Path(tempfile.mkdtemp(prefix="concord-bench-dbt-"))
    store_dir = Path(args.store) if args.store else work / "store"
    store = bench_store(store_dir, args.size)
    try:
        with served(store_dir) as urls:
            duck, duck_pipelines = landed_duckdb(urls, work, Path(args.landed) if args.landed else None)
            bench_engine("duckdb", duck, duck_pipelines, store, urls, work)
            if not args.skip_postgres:
                with scratch_postgres_database() as dsn:
                    pg = Warehouse(kind="postgres", postgres_dsn=dsn)
                    timed(
                        "[postgres] full load",
                        lambda: ingest(warehouse=pg, configs=configs(urls), pipelines_dir=work / "dlt-pg"),
                    )
                    bench_engine("postgres", pg, work / "dlt-pg", store, urls, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    with recorded("dbt build"):
        main()

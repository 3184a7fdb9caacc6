"""Benchmark: customer matching scored against the simulator's truth, and its speed.

For each noise level (clean, messy, messy without identifiers) and seed, generates a firm,
lands it through the sandboxes, builds the customer records, matches them and prints:
precision, recall (all true pairs, and the pairs only a name can link: no shared tax id, web
domain, phone or cross-reference), false friends merged, the review queue (as a share of the
customer records) and the share of true pairs in it, and how long matching took.

Then the time to match 1,000,000 customer records: the last firm's records, repeated with
varied names and identifiers (each copy a different client), in its scratch DuckDB warehouse.

    python bench/matching.py [--size demo] [--seeds 42,7] [--levels clean,messy,messy_no_identifiers]
                             [--records 1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.simulator import export_truth, generate  # noqa: E402
from sandboxes.simulator.scoring import score_matching  # noqa: E402
from sandboxes.store import Store  # noqa: E402

from core.warehouse import Warehouse  # noqa: E402
from ingestion.runner import ingest  # noqa: E402
from transform.build import build_matching_inputs  # noqa: E402
from transform.matching import match_customers  # noqa: E402
from transform.matching.customers import RECORDS_RELATION  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import configs, print_machine, served  # noqa: E402
from results import recorded  # noqa: E402

# True pairs a name alone must link: the two records share no identifier and neither points
# at the other.
NAME_ONLY_PAIRS = f"""
    select a.record_key, b.record_key from {RECORDS_RELATION} a join {RECORDS_RELATION} b on a.record_key < b.record_key
    where not coalesce(a.tax_id = b.tax_id, false) and not coalesce(a.web_domain = b.web_domain, false)
      and not coalesce(a.phone = b.phone, false)
      and not coalesce(a.salesforce_account_id = b.source_record_id or b.salesforce_account_id = a.source_record_id
                       or a.harvest_client_id = b.source_record_id or b.harvest_client_id = a.source_record_id
                       or a.netsuite_customer_id = b.source_record_id or b.netsuite_customer_id = a.source_record_id,
                       false)
"""


def land(root: Path, size: str, seed: int, noise: str) -> tuple[Warehouse, dict]:
    store = Store(root / "sandbox").create()
    generate(store, size=size, seed=seed, noise=noise)
    truth = export_truth(store, root / "truth.json")
    warehouse = Warehouse(kind="duckdb", duckdb_path=root / "warehouse.duckdb")
    with served(root / "sandbox") as urls:
        ingest(warehouse=warehouse, configs=configs(urls), pipelines_dir=root / "dlt")
    result = build_matching_inputs(warehouse, target_dir=root / "dbt_target")
    if not result.ok:
        sys.exit(f"dbt build of the customer records failed:\n{result.output[-4000:]}")
    return warehouse, truth


def score_level(root: Path, size: str, seed: int, noise: str) -> Warehouse:
    """Prints one row of the table; returns the firm's warehouse."""
    warehouse, truth = land(root, size, seed, noise)
    summary = match_customers(warehouse)
    cluster_of = dict(warehouse.query("SELECT record_key, cluster_key FROM matching.customer_clusters"))
    reviews = warehouse.query(
        "SELECT record_key_a, record_key_b FROM matching.customer_pairs WHERE decision = 'review'"
    )
    name_only = set(warehouse.query(NAME_ONLY_PAIRS))
    s = score_matching(truth, cluster_of, reviews, name_only)
    name_only_recall = f"{s.name_only_recall:.4f}" if s.name_only_recall is not None else "-"
    print(
        f"| {noise} | {seed} | {s.records} | {s.true_pairs} | {s.precision:.4f} | {s.recall:.4f} | "
        f"{name_only_recall} ({s.name_only_pairs}) | {s.false_friends_merged} | {s.review_pairs} "
        f"({s.review_share:.1%}) | {s.true_share_of_review:.0%} | {summary.seconds:.1f} s |",
        flush=True,
    )
    return warehouse


def time_matching(warehouse: Warehouse, records: int) -> None:
    """Matches `records` customer records: the demo firm's, copied with their names (three
    letters before and after the first word) and identifiers varied per copy, so that each copy
    is a different set of clients, as diverse as a real million would be."""
    with warehouse.connect() as connection:
        [(base,)] = connection.rows(f"select count(*) from {RECORDS_RELATION}")
        copies = -(-records // base)
        connection.execute(
            f"""create or replace table {RECORDS_RELATION} as
                with copies as (select range as copy from range({copies}))
                select
                    r.record_key || '#' || copy as record_key, r.source_system, r.source_object,
                    r.source_record_id || '#' || copy as source_record_id, r.legal_name,
                    case when copy = 0 then r.normalized_name
                         else regexp_replace(r.normalized_name, '^([a-z0-9]+)', tag || '\\1' || tag) end
                        as normalized_name,
                    r.country_code,
                    case when r.web_domain is null then null else copy || r.web_domain end as web_domain,
                    case when r.tax_id is null then null else r.tax_id || copy end as tax_id,
                    case when r.phone is null then null else r.phone || copy end as phone,
                    case when r.postal_code is null then null else r.postal_code || (copy % 997) end as postal_code,
                    r.city,
                    r.salesforce_account_id || '#' || copy as salesforce_account_id,
                    r.netsuite_customer_id || '#' || copy as netsuite_customer_id,
                    r.harvest_client_id || '#' || copy as harvest_client_id,
                    r.stamped_golden_id, r.created_at
                from {RECORDS_RELATION} r
                cross join (
                    select copy, substr(letters, 1 + copy % 26, 1) || substr(letters, 1 + (copy // 26) % 26, 1)
                                 || substr(letters, 1 + (copy // 676) % 26, 1) as tag
                    from copies, (select 'abcdefghijklmnopqrstuvwxyz' as letters)
                ) as tagged
                limit {records}"""
        )
    started = time.perf_counter()
    summary = match_customers(warehouse)
    seconds = time.perf_counter() - started
    print(f"- matching {summary.records:,} customer records: {seconds:.1f} s ({summary.describe()})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="demo")
    parser.add_argument("--seeds", default="42,7")
    parser.add_argument("--levels", default="clean,messy,messy_no_identifiers")
    parser.add_argument("--records", type=int, default=1_000_000, help="0 to skip the scale run")
    args = parser.parse_args()
    with recorded("customer matching"):
        print_machine()
        print(f"Firms of size {args.size}; scores are pairwise (a pair of records of one client).\n")
        print(
            "| noise | seed | records | true pairs | precision | recall | name-only recall (pairs) "
            "| false friends merged | review queue | true pairs in queue | matching |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        with tempfile.TemporaryDirectory(prefix="concord-bench-matching-") as scratch:
            for level in args.levels.split(","):
                for seed in (int(s) for s in args.seeds.split(",")):
                    warehouse = score_level(Path(scratch) / f"{level}-{seed}", args.size, seed, level)
            if args.records:
                print()
                time_matching(warehouse, args.records)  # the last firm's records, multiplied


if __name__ == "__main__":
    main()

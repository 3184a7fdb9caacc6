"""Benchmark: generate the `bench` firm (~1M time entries) into a temporary store.

Prints generation time, row counts, peak memory (ru_maxrss) and the machine. Run by hand:
`.venv/bin/python bench/generate.py [--size bench] [--seed 42] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandboxes.simulator import generate  # noqa: E402
from sandboxes.store import Store  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results import recorded  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="bench")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", help="generate into this directory instead of a temporary one")
    args = parser.parse_args()
    print(f"machine: {platform.platform()} | python {platform.python_version()} | cpus {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="concord-bench-") as tmp:
        store = Store(args.keep or tmp).create()
        started = time.perf_counter()
        summary = generate(store, size=args.size, seed=args.seed)
        elapsed = time.perf_counter() - started
        size_bytes = sum(f.stat().st_size for f in Path(store.directory).glob("*.db"))
        store.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(f"size {args.size} seed {args.seed}: generated in {elapsed:.1f} s")
    for system, tables in summary.counts.items():
        for table, count in tables.items():
            print(f"  {system:<10} {table:<22} {count:>10,}")
    print(f"total rows {summary.total_rows():,}; database files {size_bytes / 1e6:,.0f} MB")
    print(
        f"drift (drifted/candidates): {', '.join(f'{k} {v}/{summary.drift_candidates[k]}' for k, v in summary.drift.items())}"
    )
    print(f"peak RSS {peak_kb / 1024:,.0f} MB")


if __name__ == "__main__":
    with recorded("firm generation"):
        main()

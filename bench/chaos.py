"""Benchmark: the chaos suite at scale, by hand. For each seed, a firm converged in a clean world
(no faults, no kills) and the same firm put through `concord run` processes killed with SIGKILL
at random points of every phase (landing, building, writing, between the batches of a write)
while every vendor fails a share of requests (429, 500, 503, dropped connections), then one run
to its end with the faults and runs without them until the loop converges. Prints, per seed, the
kills that landed per phase, the faults injected, the runs it took, and what differs from the
clean world: duplicates (records held twice or written only by the chaotic world), records lost,
and ledger rows left in flight; then the totals.

    python bench/chaos.py [--seeds 20 | --seeds 3,5,8] [--kills 8] [--size test]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.chaos import PHASES, TRANSIENT_FAULTS, chaos_world, compare, kill_plan  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import print_machine  # noqa: E402
from results import recorded, write_section  # noqa: E402


def one_seed(root: Path, size: str, seed: int, kills: int) -> dict[str, object]:
    started = time.perf_counter()
    with chaos_world(root / "clean", size, seed) as clean:
        clean.converge()
        expected = clean.state()
    with chaos_world(root / "chaos", size, seed) as world:
        world.set_faults(TRANSIENT_FAULTS)
        outcomes = [world.run(kill) for kill in kill_plan(random.Random(seed), kills)]
        finished = world.run()
        converged = world.converge()
        difference = compare(expected, world.state())
        [(in_flight,)] = world.warehouse.query("SELECT COUNT(*) FROM reverse_etl.attempts WHERE status = 'in_flight'")
        return {
            "landed": Counter(o.killed_in for o in outcomes if o.killed_in),
            "missed": sum(1 for o in outcomes if not o.killed_in),
            "faults": world.faults_injected(),
            "runs": len(outcomes) + 1 + len(converged),
            "converged": converged[-1].returncode == 0 and converged[-1].writes == 0 and finished.returncode == 0,
            "duplicates": difference.duplicates,
            "lost": difference.records_lost,
            "in_flight": in_flight,
            "minutes": (time.perf_counter() - started) / 60,
            "difference": difference,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="20", help="how many seeds (1..N), or a comma-separated list")
    parser.add_argument("--kills", type=int, default=8, help="kills per seed (every phase at least once)")
    parser.add_argument("--size", default="test")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")] if "," in args.seeds else list(range(1, int(args.seeds) + 1))
    with recorded("chaos") as captured:
        print_machine()
        print(f"Firms of size {args.size}; {args.kills} kills per seed; faults {TRANSIENT_FAULTS.as_dict()}.\n")
        header = ["seed", *PHASES, "missed", "faults", "runs", "converged", "duplicates", "lost", "in flight", "min"]
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        totals: Counter[str] = Counter()
        for seed in seeds:
            with tempfile.TemporaryDirectory(prefix=f"concord-chaos-{seed}-") as scratch:
                r = one_seed(Path(scratch), args.size, seed, args.kills)
            landed: Counter[str] = r["landed"]  # type: ignore[assignment]
            cells = [seed, *(landed[p] for p in PHASES), r["missed"], r["faults"], r["runs"], r["converged"]]
            cells += [r["duplicates"], r["lost"], r["in_flight"], f"{r['minutes']:.1f}"]
            print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)
            totals.update({"kills": sum(landed.values()), "faults": r["faults"], "duplicates": r["duplicates"]})
            totals.update({"lost": r["lost"], "in_flight": r["in_flight"], "not converged": not r["converged"]})
            if r["duplicates"] or r["lost"]:
                print(f"  seed {seed} differs from its clean world: {r['difference']}", flush=True)
            done = seeds.index(seed) + 1
            if done < len(seeds):  # a run stopped part way still leaves the seeds it finished on record
                write_section("chaos", captured.getvalue() + f"\n(in progress: {done} of {len(seeds)} seeds done)")
        print(
            f"\n{len(seeds)} seeds: {totals['kills']} kills landed, {totals['faults']:,} faults injected, "
            f"{totals['duplicates']} duplicates, {totals['lost']} records lost, {totals['in_flight']} ledger rows "
            f"in flight, {totals['not converged']} seeds not converged"
        )


if __name__ == "__main__":
    main()

"""The long kill -9 run (issue 11, section 5): hundreds of kills of a process recording answers.

    .venv/bin/python bench/kill_harness.py [--runs 300]

Prints the runs, acknowledged writes, and any write lost or half-present, or integrity failure.
tests/test_kill.py runs the same harness a dozen times in CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kill_harness import run_harness


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        totals = run_harness(Path(folder), args.runs, args.seed)
    print(
        f"kill -9 runs: {totals.runs}; acknowledged writes: {totals.acknowledged}; lost: {totals.lost}; "
        f"half-written: {totals.half_written}; integrity failures: {totals.integrity_failures} "
        f"({time.perf_counter() - started:.0f} s)"
    )
    for problem in totals.problems[:20]:
        print("  " + problem)
    return 0 if not totals.problems else 1


if __name__ == "__main__":
    sys.exit(main())

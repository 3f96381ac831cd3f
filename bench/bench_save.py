"""What one grade costs in the walkthrough: a save through the round session (one item read back,
its sections counted again) against the same save followed by a full re-score, as before.

    .venv/bin/python bench/bench_save.py [--rounds N]

Prints the median time per save of each and their ratio (same process, alternating; the machine
may be shared, so compare the ratio, not the times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MQSC_DATA_DIR", tempfile.mkdtemp(prefix="mqsc-bench-"))

from app.catalog import load_catalog
from app.domain.kinds import kind_of
from app.services import rounds as round_service
from app.services.demo import create_demo
from app.services.session import RoundSession
from app.store import Actor, open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60, help="saves of each kind (default 60)")
    args = parser.parse_args()
    store = open_store(Path(tempfile.mkdtemp()) / "bench.db")
    actor = Actor("基准", "bench")
    round_id = create_demo(store, load_catalog(), actor)
    session = RoundSession(store, actor, round_id)
    items = [i.id for i in session.items.values() if kind_of(i).graded and i.applies_to(session.view.profile)]
    incremental, full = [], []
    for n in range(args.rounds):
        item_id, grade = items[n % len(items)], "ABCD"[n % 4]
        start = time.perf_counter()
        session.set_answer(item_id, {"grade": grade})
        incremental.append(time.perf_counter() - start)
        start = time.perf_counter()
        session.set_answer(item_id, {"grade": "ABCD"[(n + 1) % 4]})
        round_service.score(store, round_id, session.view)  # what every save did before the session
        full.append(time.perf_counter() - start)
    a, b = statistics.median(incremental) * 1000, statistics.median(full) * 1000
    print(f"{len(session.items)} items, {args.rounds} saves each")
    print(f"session save (incremental score): {a:.1f} ms")
    print(f"save + full re-score (before):    {b:.1f} ms")
    print(f"ratio: {a / b:.2f}")


if __name__ == "__main__":
    main()

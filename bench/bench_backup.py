"""Benchmark: backup, quick_check and the full check on the demo database and on a generated year.

    .venv/bin/python bench/bench_backup.py [--runs 5] [--attachments 8] [--attachment-kb 300]

The year: the demo hospital with 12 monthly rounds over all checklists (the demo service, one
seed per month), each with ``--attachments`` attachments of ``--attachment-kb`` KB (random bytes,
as scans and photos do not compress). Prints, in milliseconds (best and median of the runs):
``PRAGMA quick_check`` (the GUI's start-up check), ``PRAGMA integrity_check`` (``check``), and a
backup (online backup API into a temporary file, integrity_check of the copy, fsync, rename), with
the database size. The issue's target: a backup of a year well under a second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.catalog import load_catalog  # noqa: E402
from app.services.demo import create_demo  # noqa: E402
from app.store import Actor, open_store  # noqa: E402
from app.store.backup import make_backup  # noqa: E402
from app.store.health import quick_check  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return min(times), statistics.median(times)


def make_year(path: Path, attachments: int, size_kb: int) -> None:
    catalog, actor = load_catalog(), Actor("基准", "bench")
    store = open_store(path)
    rng = random.Random(7)
    for month in range(1, 13):
        round_id = create_demo(
            store,
            catalog,
            actor,
            seed=2025 + month,
            all_checklists=True,
            name=f"2025年{month}月医疗质量自查",
            started_on=dt.date(2025, month, 10),
        )
        answered = [a.item_id for a in store.answers(round_id)]
        for n in range(attachments):
            data = rng.randbytes(size_kb * 1024)
            store.add_attachment(
                {
                    "round_id": round_id,
                    "item_id": answered[n % len(answered)],
                    "filename": f"扫描件{n + 1}.jpg",
                    "media_type": "image/jpeg",
                    "size": len(data),
                    "sha256": "bench",
                },
                data,
                actor,
            )
    store.close()


def measure(label: str, path: Path, runs: int) -> None:
    store = open_store(path)
    size = path.stat().st_size / 1024 / 1024
    counts = {
        t: store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("rounds", "answers", "samples", "rectifications", "attachments")
    }
    out = path.parent / "bench-backup.db"

    def backup() -> None:
        make_backup(store.conn, out)

    def integrity() -> None:
        store.conn.execute("PRAGMA integrity_check").fetchall()

    print(f"{label}: {size:.1f} MB; " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for name, fn in (
        ("quick_check", lambda: quick_check(store.conn)),
        ("integrity_check", integrity),
        ("backup (checked, fsynced)", backup),
    ):
        best, median = timed(fn, runs)
        print(f"  {name:<28} best {best:8.1f} ms   median {median:8.1f} ms")
    store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--attachments", type=int, default=8, help="attachments per round")
    parser.add_argument("--attachment-kb", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo.db"
        store = open_store(demo)
        create_demo(store, load_catalog(), Actor("基准", "bench"))
        store.close()
        measure("demo database", demo, args.runs)
        year = Path(folder) / "year.db"
        began = time.perf_counter()
        make_year(year, args.attachments, args.attachment_kb)
        print(f"(year generated in {time.perf_counter() - began:.0f} s)")
        measure("a year: 12 monthly rounds over all checklists, with attachments", year, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

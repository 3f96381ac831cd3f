"""The kill -9 harness (issue 11, section 5), shared by tests/test_kill.py (a few runs) and
bench/kill_harness.py (hundreds).

A writer process records answers through the services (the same calls as the GUI and the CLI)
and prints one line per acknowledged write; it is killed with SIGKILL at a random moment. Then:
``integrity_check`` is ok, every acknowledged write is present (the value of each item is its
last acknowledged write, or the one write that may have committed just before the kill), and no
write is half-present (an answer's fields and its rectification always belong to the same write).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = r"""
import sys
from app.services.answers import record_answer
from app.services.rounds import load_round
from app.store import Actor, open_store

db, round_id, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = open_store(db)
view = load_round(store, round_id)
items = [i.id for i in view.items() if i.kind == "judgement" and i.applies_to(view.profile)][:40]
actor = Actor("kill-test", "kill-device")
print("ready", flush=True)
n = start
while True:
    n += 1
    item = items[n % len(items)]
    grade = "ABCD"[n % 4]
    finding = f"w{n}|" + "问" * (n % 97 * 13)
    record_answer(store, round_id, item, actor, view=view, grade=grade, finding=finding, department=f"d{n}")
    print(n, item, grade, flush=True)
"""


def expected_finding(n: int) -> str:
    return f"w{n}|" + "问" * (n % 97 * 13)


@dataclass
class Totals:
    runs: int = 0
    acknowledged: int = 0
    lost: int = 0
    half_written: int = 0
    integrity_failures: int = 0
    problems: list[str] = field(default_factory=list)


def make_database(path: Path) -> str:
    import datetime as dt

    from app.catalog import load_catalog
    from app.services.demo import create_demo
    from app.services.rounds import start_round
    from app.store import Actor, open_store

    store = open_store(path)
    catalog, actor = load_catalog(), Actor("kill-test", "kill-device")
    create_demo(store, catalog, actor)  # the hospital profile, and a year's worth of other data
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(store, entries, "kill -9", dt.date(2025, 6, 1), actor)
    store.close()
    return round_id


def one_run(path: Path, round_id: str, start: int, rng: random.Random, totals: Totals) -> int:
    """Start the writer, kill it at a random moment, check the file. Returns the last write number."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), round_id, str(start)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    if first.strip() != b"ready":
        raise RuntimeError(f"writer did not start: {first!r} {proc.stderr.read()!r}")  # type: ignore[union-attr]
    time.sleep(rng.uniform(0.0, 0.6))
    os.kill(proc.pid, signal.SIGKILL)
    out = proc.stdout.read()
    proc.wait()
    lines = out.split(b"\n")
    complete = [line.decode().split() for line in lines[:-1] if line]  # the last one may be cut off
    acked = {}  # item → (n, grade) of its last acknowledged write
    last = start
    for n_text, item, grade in complete:
        acked[item] = (int(n_text), grade)
        last = int(n_text)
    totals.runs += 1
    totals.acknowledged += len(complete)
    conn = sqlite3.connect(path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            totals.integrity_failures += 1
            totals.problems.append(f"run {totals.runs}: integrity_check failed")
        rows = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT item_id, grade, finding, department FROM answers WHERE round_id = ?", (round_id,)
            )
        }
        open_rects = {r[0] for r in conn.execute("SELECT item_id FROM rectifications WHERE round_id = ?", (round_id,))}
    finally:
        conn.close()
    for item, (n, _grade) in acked.items():
        stored_grade, finding, department = rows.get(item, (None, "", ""))
        stored_n = int(department[1:]) if department.startswith("d") and department[1:].isdigit() else -1
        if stored_n < n or stored_n > last + 1:
            totals.lost += 1
            totals.problems.append(f"run {totals.runs}: {item} acknowledged write {n}, found {department}")
            continue
        # D opens a rectification, A and B close an untouched one, C may keep it: the same write
        rect_ok = item in open_rects if stored_grade == "D" else stored_grade == "C" or item not in open_rects
        if finding != expected_finding(stored_n) or stored_grade != "ABCD"[stored_n % 4] or not rect_ok:
            totals.half_written += 1
            totals.problems.append(f"run {totals.runs}: {item} write {stored_n} half-present")
    return last + 1  # the next writer starts after the one write that may have committed unacknowledged


def run_harness(folder: Path, runs: int, seed: int = 1) -> Totals:
    path = folder / "kill.db"
    round_id = make_database(path)
    rng = random.Random(seed)
    totals = Totals()
    start = 0
    for _ in range(runs):
        start = one_run(path, round_id, start, rng, totals) + 1
    return totals

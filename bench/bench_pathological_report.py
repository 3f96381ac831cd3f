"""Benchmark: reports of pathological but valid data against the demo report (issue 11, defect 6.3).

    .venv/bin/python bench/bench_pathological_report.py [--cases normal,latin20k,...] [--timeout 300]

Each case is the demo round with something a hostile (or careless) user can enter through the
services, then its 自查报告 or 整改报告, rendered in a fresh process (so a run that never ends
is stopped at ``--timeout`` and memory is measured per case). Prints seconds, pages and the
peak memory of each, and the ratio to the normal report of the same kind. The target is a
report of pathological data within 3× the normal one.

Cases:

- ``normal`` / ``normal-rect``: the demo round's 自查报告 / 整改报告;
- ``latin20k``: one finding of 20,000 Latin letters without a space (the longest text allowed);
- ``digits20k``: one finding of 20,000 digits;
- ``cjk20k``: one finding of 20,000 Chinese characters without punctuation;
- ``five20k``: five findings of 20,000 letters each;
- ``rect2k``: five rectifications whose problem, cause and measure are 2,000 letters each (the
  longest allowed; 整改报告);
- ``png12k``: a 12,000 × 12,000 RGB PNG attached to a rectification (整改报告);
- ``photos``: four 4,000 × 3,000 JPEG photos on each of five rectifications (整改报告).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = dt.date(2025, 6, 30)
TARGET_RATIO = 3.0
LONG = 20_000

CASES = {
    "normal": "self",
    "latin20k": "self",
    "digits20k": "self",
    "cjk20k": "self",
    "five20k": "self",
    "normal-rect": "rectification",
    "rect2k": "rectification",
    "png12k": "rectification",
    "photos": "rectification",
}


def big_png(path: Path, side: int) -> None:
    """A side × side RGB PNG (a gradient: a few hundred KB), written row by row (never the whole
    image in memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    parts = []
    for y in range(side):
        parts.append(compressor.compress(b"\0" + bytes([(y * 255) // side, 128, 255 - (y * 255) // side]) * side))
    parts.append(compressor.flush())
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", b"".join(parts))
        + chunk(b"IEND", b"")
    )


def photo(path: Path, seed: int) -> None:
    from PIL import Image

    # noise makes a JPEG as big as a real phone photo (≈3 MB), under the report's 5 MB cap
    image = Image.merge("RGB", [Image.effect_noise((4000, 3000), 10 + (seed + k) % 3) for k in range(3)])
    image.save(path, quality=85)


def prepare(case: str, folder: Path) -> tuple[Path, str]:
    """The demo database with the case's data; returns (database, round id)."""
    from app.catalog import load_catalog
    from app.services import answers as answer_service
    from app.services import attachments as attachment_service
    from app.services import rectifications as rect_service
    from app.services.demo import create_demo
    from app.services.rounds import load_round
    from app.store import Actor, open_store

    db = folder / f"{case}.db"
    store = open_store(db)
    actor = Actor("bench", "bench")
    round_id = create_demo(store, load_catalog(), actor)
    view = load_round(store, round_id)
    judged = [i for i in view.items() if i.kind == "judgement" and i.applies_to(view.profile)]
    letters = ("abcdefghijklmnopqrstuvwxyz" * (LONG // 26 + 1))[:LONG]
    if case in ("latin20k", "digits20k", "cjk20k"):
        text = {
            "latin20k": letters,
            "digits20k": ("0123456789" * (LONG // 10))[:LONG],
            "cjk20k": ("医疗质量安全核心制度落实情况" * (LONG // 14 + 1))[:LONG],
        }[case]
        answer_service.record_answer(store, round_id, judged[0].id, actor, view=view, grade="D", finding=text)
    elif case == "five20k":
        for item in judged[:5]:
            answer_service.record_answer(store, round_id, item.id, actor, view=view, grade="D", finding=letters)
    entries = rect_service.list_rectifications(store, round_id, TODAY, view)
    if case == "rect2k":
        for entry in entries[:5]:
            rect_service.update_rectification(
                store,
                entry.rectification.id,
                actor,
                problem=letters[:2000],
                cause=letters[:2000],
                measure=letters[:2000],
            )
    elif case == "png12k":
        big_png(folder / "scan.png", 12_000)
        attachment_service.add_attachment(
            store, round_id, folder / "scan.png", actor, rectification_id=entries[0].rectification.id
        )
    elif case == "photos":
        for n, entry in enumerate(entries[:5]):
            for k in range(4):
                path = folder / f"photo-{n}-{k}.jpg"
                photo(path, n * 4 + k)
                attachment_service.add_attachment(store, round_id, path, actor, rectification_id=entry.rectification.id)
    store.close()
    return db, round_id


def render_once(db: str, round_id: str, kind: str, out: str) -> None:
    """In the child process: import, warm up on nothing, render once, print JSON."""
    from app.render import render_report
    from app.render.fonts import resolve_fonts
    from app.store import open_store

    resolve_fonts()
    import weasyprint  # noqa: F401  (import time is not the report's)

    store = open_store(Path(db))
    started = time.perf_counter()
    result = render_report(store, round_id, kind, Path(out), today=TODAY)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "pages": result.pages,
                "peak_mb": peak,
                "warnings": len(result.warnings),
                "size_kb": Path(out).stat().st_size / 1024,
            }
        )
    )


def measure(case: str, folder: Path, timeout: float) -> dict:
    db, round_id = prepare(case, folder)
    out = folder / f"{case}.pdf"
    cmd = [sys.executable, __file__, "--child", str(db), round_id, CASES[case], str(out)]
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "note": f"no PDF within {timeout:.0f} s"}
    if done.returncode != 0:
        return {"seconds": None, "note": "failed: " + done.stderr.strip().splitlines()[-1][:200]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--keep", type=Path, help="copy the PDFs into this folder")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        render_once(*args.child)
        return 0

    cases = [c for c in args.cases.split(",") if c]
    unknown = set(cases) - CASES.keys()
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s); seconds of render_report in a fresh process")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            folder = Path(tmp) / case
            folder.mkdir()
            r = results[case] = measure(case, folder, args.timeout)
            base = results.get("normal" if CASES[case] == "self" else "normal-rect")
            ratio = ""
            if r.get("seconds") and base and base.get("seconds") and not case.startswith("normal"):
                ratio = f"{r['seconds'] / base['seconds']:5.1f}×"
            if r.get("seconds") is None:
                print(f"  {case:<12} {r['note']}")
            else:
                print(
                    f"  {case:<12} {r['seconds']:7.2f} s {ratio:>7}  {r['pages']:3d} pages  "
                    f"{r['size_kb']:7.0f} KB  peak {r['peak_mb']:6.0f} MB  warnings {r['warnings']}",
                    flush=True,
                )
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                pdf = folder / f"{case}.pdf"
                if pdf.exists():
                    (args.keep / pdf.name).write_bytes(pdf.read_bytes())
    worst = [
        r["seconds"] / results[("normal" if CASES[c] == "self" else "normal-rect")]["seconds"]
        for c, r in results.items()
        if not c.startswith("normal")
        and r.get("seconds")
        and results.get("normal" if CASES[c] == "self" else "normal-rect", {}).get("seconds")
    ]
    failed = [c for c, r in results.items() if r.get("seconds") is None]
    if worst or failed:
        ok = not failed and max(worst, default=0) <= TARGET_RATIO
        print(
            f"目标：不超过正常报告的 {TARGET_RATIO:.0f} 倍：{'OK' if ok else 'NOT MET'}"
            + (f"（最大 {max(worst):.1f} 倍）" if worst else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exchange timings: export of the demo round, and aggregation of many generated packages.

    .venv/bin/python bench/bench_exchange.py [--packages 1000] [--steps 100,300,1000] [--keep DIR]

Packages are generated from a few real exports (different hospitals and seeds), each copy
given its own round id, hospital name and code and re-hashed, so every one verifies as a
real package would; their PDFs are the same bytes, which costs aggregation the same hashing.
Prints seconds per step so the growth can be read (it should be linear).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.catalog import load_catalog
from app.exchange import format as fmt
from app.exchange.aggregate import aggregate, write_outputs
from app.exchange.export import export_package
from app.services.demo import create_demo
from app.store import Actor, open_store

SOURCES = 8


def clone(source: Path, out: Path, n: int) -> None:
    """A copy of ``source`` as another hospital's round: new round id, name and code."""
    with zipfile.ZipFile(source) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    data = json.loads(members[fmt.DATA])
    manifest = json.loads(members[fmt.MANIFEST])
    round_id = str(uuid.UUID(int=n))
    name = f"第{n:04d}县人民医院"
    data["round"]["id"] = round_id
    data["round"]["profile"]["name"] = name
    data["round"]["profile"]["code"] = ""
    data["hospital"]["name"] = name
    manifest["round"]["id"] = round_id
    manifest["hospital"]["name"] = name
    manifest["hospital"]["code"] = ""
    members[fmt.DATA] = json.dumps(data, ensure_ascii=False).encode()
    write_package(members, manifest, out)


def write_package(members: dict[str, bytes], manifest: dict, out: Path) -> None:
    """``members`` zipped to ``out`` under ``manifest``, its file list (paths, hashes, sizes) made
    again from them: a package as the program writes it, whatever was changed in it."""
    manifest["files"] = [
        {"path": k, "sha256": hashlib.sha256(v).hexdigest(), "size": len(v)}
        for k, v in members.items()
        if k != fmt.MANIFEST
    ]
    members[fmt.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in members.items():
            zf.writestr(k, v, compress_type=zipfile.ZIP_DEFLATED if k.endswith(".json") else zipfile.ZIP_STORED)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--steps", default="100,300,1000")
    parser.add_argument("--keep", type=Path, help="keep the generated packages in this folder")
    args = parser.parse_args()
    catalog = load_catalog()
    actor = Actor("基准", "bench")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = []
        export_times = []
        for n in range(SOURCES):
            store = open_store(work / f"s{n}.db")
            round_id = create_demo(store, catalog, actor, seed=n, hospital=f"样本医院{n}")
            started = time.perf_counter()
            sources.append(export_package(store, round_id, work / f"s{n}.zip").path)
            export_times.append(time.perf_counter() - started)
            store.close()
        print(
            f"export of a demo-sized round: median {statistics.median(export_times):.2f} s "
            f"(min {min(export_times):.2f}, max {max(export_times):.2f}, {SOURCES} rounds)"
        )
        folder = args.keep or work / "packages"
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = []
        for n in range(args.packages):
            path = folder / f"{n:04d}.zip"
            clone(sources[n % SOURCES], path, n)
            paths.append(path)
        size = sum(p.stat().st_size for p in paths) / 1048576
        print(f"generated {args.packages} packages ({size:.0f} MB) in {time.perf_counter() - started:.1f} s")
        for count in [int(s) for s in args.steps.split(",") if int(s) <= args.packages]:
            started = time.perf_counter()
            result = aggregate(paths[:count])
            verified = time.perf_counter() - started
            write_outputs(result, xlsx=work / "a.xlsx", sqlite=work / f"a{count}.db")
            total = time.perf_counter() - started
            print(
                f"aggregate {count:>5} packages: verify+score {verified:6.1f} s, with Excel+SQLite {total:6.1f} s "
                f"({total / count * 1000:.0f} ms a package; {len(result.rounds)} rounds, "
                f"{len(result.refused)} refused)"
            )
        started = time.perf_counter()
        write_outputs(result, xlsx=work / "b.xlsx", pdf=work / "b.pdf")
        print(f"summary PDF of {len(result.rounds)} hospitals: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

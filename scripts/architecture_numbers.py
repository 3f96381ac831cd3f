"""The architecture issue's measurements, taken again on the current tree.

    .venv/bin/python scripts/architecture_numbers.py

Counts what the issue counted: Chinese string literals and the modules holding them, item-kind
branches, the files that spell the outcome words, store calls from screens, places that turn a
row into an ``Answer``, places that format a score.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
CJK = re.compile(r"[\u4e00-\u9fff]")
KIND_BRANCH = re.compile(r"\bkind\s*(==|!=|in\b)|\.kind\s*(==|!=)")
OUTCOME_WORDS = ("达标", "未达标", "待判定")
DATABASE_MODULES = {"application.py", "single_instance.py"}  # start-up and the lock: not screens


def modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "forms" not in p.parts)


def chinese_literals() -> Counter:
    counts: Counter = Counter()
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and CJK.search(node.value)
            ):
                counts[str(path.relative_to(ROOT))] += 1
    return counts


def main() -> None:
    literals = chinese_literals()
    print(f"Chinese string literals (docstrings aside): {sum(literals.values())} in {len(literals)} modules")
    for name, n in literals.most_common(8):
        print(f"    {n:4}  {name}")
    kinds = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in modules()
        if "kinds" not in p.parts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if KIND_BRANCH.search(line) and "item" in line
    ]
    print(f"item-kind branches outside app/domain/kinds: {len(kinds)}", *kinds[:5], sep="\n    ")
    for word in OUTCOME_WORDS:
        files = [p for p in modules() if f'"{word}"' in p.read_text(encoding="utf-8")]
        print(f"files spelling “{word}” as a literal: {len(files)}", *(str(f.relative_to(ROOT)) for f in files))
    screens = [p for p in (APP / "ui").glob("*.py") if p.name not in DATABASE_MODULES]
    calls = sum(len(re.findall(r"\bstore\.[a-z_]+\(", p.read_text(encoding="utf-8"))) for p in screens)
    print(f"store method calls in screens: {calls}")
    answers = sum(len(re.findall(r"Answer\(\*\*", p.read_text(encoding="utf-8"))) for p in modules())
    print(f"places building an Answer from a row (Answer(**…)): {answers}")
    scores = sum(len(re.findall(r"score:\.1f", p.read_text(encoding="utf-8"))) for p in modules())
    print(f"places formatting a score themselves (score:.1f): {scores}")


if __name__ == "__main__":
    main()

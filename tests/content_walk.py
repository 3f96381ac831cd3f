"""Helpers shared by the content tests: read a checklist file's plain data and its source text, and
walk the data (no project imports, so that the content tests check the files independently of
the loader). conftest.py's ``doc`` and ``seed`` fixtures read a test module's ``CHECKLIST`` and
``SEED`` through these."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def read_checklist(checklist_id: str) -> dict:
    """checklists/<id>.yaml as plain data."""
    return yaml.safe_load((ROOT / "checklists" / f"{checklist_id}.yaml").read_text(encoding="utf-8"))


def read_seed(name: str, start: str | None = None, end: str | None = None) -> str:
    """A source text from ../shared/seeds without white space, from ``start`` up to ``end`` when
    given (a seed may hold several documents); the test is skipped where the seeds are absent."""
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed not found: {path}")
    text = path.read_text(encoding="utf-8")
    if start is not None:
        text = text[text.index(start) :]
    if end is not None:
        text = text[: text.index(end)]
    return norm(text)


def walk_sections(sections, parent_if=None):
    """(section, the nearest applies_if above or on it), depth first."""
    for s in sections:
        eff = s.get("applies_if", parent_if)
        yield s, eff
        yield from walk_sections(s.get("sections", []), eff)


def all_sections(doc):
    return {s["id"]: s for s, _ in walk_sections(doc["sections"])}


def all_items(doc):
    """item id -> (item, section id, inherited section condition)"""
    out = {}
    for s, eff in walk_sections(doc["sections"]):
        for it in s.get("items", []):
            assert it["id"] not in out, f"duplicate id {it['id']}"
            out[it["id"]] = (it, s["id"], eff)
    return out


def items_by_id(doc):
    """item id -> item, in the file's order"""
    return {iid: it for iid, (it, _, _) in all_items(doc).items()}


def norm(text):
    """Text without white space: the seeds' OCR breaks lines and spaces at random."""
    return re.sub(r"\s+", "", text)

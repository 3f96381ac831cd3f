"""Helpers shared by the content tests: walk a checklist file's plain data (no project imports,
so that the content tests check the files independently of the loader)."""

from __future__ import annotations

import re


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


def norm(text):
    """Text without white space: the seeds' OCR breaks lines and spaces at random."""
    return re.sub(r"\s+", "", text)

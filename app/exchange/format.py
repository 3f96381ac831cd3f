"""The upload package format: names, version, limits and the JSON Schemas."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

#: ``manifest.json``'s ``format``: what a reader checks before anything else
FORMAT = "mqsc-selfcheck-upload"
#: Raised when the package layout changes incompatibly; a reader refuses newer versions
FORMAT_VERSION = 1

MANIFEST = "manifest.json"
DATA = "data.json"
WORKBOOK = "自查结果.xlsx"
REPORTS = {"self": "自查报告.pdf", "rectification": "整改报告.pdf"}
ATTACHMENT_DIR = "attachments"

#: 病案号 in a package made without patient ids: a keyed hash, marked so that no one takes it
#: for a real number
PSEUDONYM_PREFIX = "脱敏-"

# Limits checked before a single byte is inflated: a package comes from outside.
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # an attachment is at most 20 MB; data.json of a year is a few MB
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
#: inflated / compressed: text compresses ≈10×, zeros 1000×; anything above this is refused
MAX_RATIO = 200
MAX_MANIFEST_BYTES = 4 * 1024 * 1024


def _schema_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    return (Path(frozen) if frozen else Path(__file__).resolve().parents[2]) / "docs" / "schema"


SCHEMA_DIR = _schema_dir()


@cache
def schema(name: str) -> dict[str, Any]:
    """``manifest`` or ``data``: the published JSON Schema of that file."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def schema_errors(instance: Any, name: str, limit: int = 5) -> list[str]:
    """What is wrong with ``instance`` against the schema, as `where: what` lines (empty: valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(name))
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))[:limit]:
        where = "/".join(str(p) for p in error.absolute_path) or "（根）"
        out.append(f"{where}: {error.message[:200]}")
    return out

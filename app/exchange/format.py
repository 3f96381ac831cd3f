"""The upload package format: names, version, limits and the JSON Schemas."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

#: ``manifest.json``'s ``format``: what a reader checks before anything else
FORMAT = "mqsc-selfcheck-upload"
#: Raised when the package layout changes incompatibly; a reader refuses newer versions.
#: 2: a frozen checklist may carry ``numbering`` (how its 编号 print). A reader of 1 checks a
#: package's checklists as strictly as checklist files and refused that field as 不符合检查表格式
#: (diff review); it now says the package is from a newer program instead.
#: 3: a package with 病案号 may carry the database's pseudonym key (``patient_key``), which a
#: reader of 2 refused as a field it does not know.
FORMAT_VERSION = 3


def format_version_for(checklists: list[dict[str, Any]], *, patient_key: bool = False) -> int:
    """The oldest format that holds these frozen checklists (and the pseudonym key, if the
    package carries it): a package any reader of it can read (a round over checklists without
    ``numbering``, such as the default two, exported with 病案号 脱敏, stays at 1)."""
    if patient_key:
        return 3
    return 2 if any("numbering" in c.get("content", {}) for c in checklists) else 1


MANIFEST = "manifest.json"
DATA = "data.json"
WORKBOOK = "自查结果.xlsx"
REPORTS = {"self": "自查报告.pdf", "rectification": "整改报告.pdf"}
ATTACHMENT_DIR = "attachments"

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


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local ``$ref`` replaced by what it names (a ref's siblings narrow it).

    The same schema, validated about three times faster: jsonschema resolves each reference
    anew at every use, and a year's data.json uses them a hundred thousand times."""
    if isinstance(node, list):
        return [_inlined(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inlined(v, defs) for k, v in node.items() if k not in ("$ref", "$defs")}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        out = {**_inlined(defs[ref.removeprefix("#/$defs/")], defs), **out}
    return out


@cache
def _validator(name: str) -> Any:
    """The schema compiled to Python by fastjsonschema: twenty times faster than interpreting it
    with jsonschema (a thousand packages are aggregated in well under a minute). Its references
    are inlined first, so the draft-07 keywords it knows are all the schema uses."""
    import fastjsonschema

    document = schema(name)
    inlined = _inlined(document, document.get("$defs", {}))
    inlined["$schema"] = "http://json-schema.org/draft-07/schema#"
    return fastjsonschema.compile(inlined)


def schema_errors(instance: Any, name: str) -> list[str]:
    """What is wrong with ``instance`` against the schema, as `where: what` lines (empty: valid)."""
    import fastjsonschema

    try:
        _validator(name)(instance)
    except fastjsonschema.JsonSchemaValueException as exc:  # the one a validator raises: it says where
        where = (exc.name or "data").removeprefix("data").lstrip(".") or "（根）"
        what = _RULES.get(exc.rule or "", "不符合格式要求")
        if exc.rule == "required":
            what += "：" + "、".join(str(f) for f in exc.rule_definition or ())
        return [f"{where}：{what}"]
    return []


#: fastjsonschema's rule → what is wrong, in Chinese
_RULES = {
    "required": "缺少必填字段",
    "type": "类型不对",
    "maxLength": "文字过长",
    "minLength": "不能为空或过短",
    "pattern": "格式不对",
    "enum": "取值无效",
    "const": "取值无效",
    "maxItems": "条目过多",
    "minItems": "条目过少",
    "minimum": "数值过小",
    "maximum": "数值过大",
    "additionalProperties": "有不允许的字段",
    "maxProperties": "字段过多",
    "format": "格式不对",
}

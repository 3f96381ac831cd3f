"""The checklists a package froze: bound to their hash, valid as checklist files, built once.

A round's rules (items, targets, applicability) come from its frozen checklists, so a package's
copy is checked as strictly as a checklist file: its content must hash to the SHA-256 the round
recorded, and must pass the checklist schema and checks. Each distinct version is validated and
built once per process (a thousand hospitals share a handful of versions).
"""

from __future__ import annotations

from typing import Any

from ..domain.checklist import Checklist
from ..errors import AppError


def frozen_checklists(data: dict[str, Any]) -> list[Checklist]:
    """The round's checklists, in their order; raises AppError (in Chinese) naming the bad one."""
    from ..catalog import content_hash

    out = []
    for frozen in sorted(data["checklists"], key=lambda c: c["position"]):
        name = frozen["checklist_id"]
        try:
            digest = content_hash(frozen["content"])
        except (TypeError, ValueError, RecursionError):
            raise AppError(f"检查表“{name}”的内容无法读取。") from None
        if digest != frozen["sha256"]:
            raise AppError(f"检查表“{name}”的内容与其校验值不符（被改动过）。")
        if digest not in _BUILT:
            _BUILT[digest] = _build(frozen["content"])
        out.append(_BUILT[digest])
    return out


#: content hash → checklist: each version validated and built once per process
_BUILT: dict[str, Checklist] = {}


def _build(content: Any) -> Checklist:
    from ..catalog.loader import ChecklistError, validate_data

    name = content.get("id", "?") if isinstance(content, dict) else "?"
    try:
        data = validate_data(content, f"检查表 {name}")
        return Checklist.from_dict(data)
    except ChecklistError as err:
        first = err.problems[0] if err.problems else None
        raise AppError(
            f"检查表“{name}”不符合检查表格式：{first.field}：{first.message}"
            if first
            else f"检查表“{name}”不符合检查表格式。"
        ) from None
    except Exception:
        raise AppError(f"检查表“{name}”的内容无法读取。") from None

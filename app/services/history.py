"""修改记录 as people read it: who changed what on an item, when and on which PC, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..domain.labels import ACTION_LABELS, FIELD_LABELS, ORIGIN_LABELS, TABLE_LABELS
from ..store import Store

#: history fields that say how a merge was settled, not what a value was
_RESOLUTION = "resolved"
#: how ours relates to the package's version after an import (the second of the two values)
_RESOLUTION_TEXT = {
    "local": "冲突处理：保留本机的值",
    "package": "冲突处理：采用上报包的值",
    "merged": "合并：本机和上报包各自修改的内容都已保留",
}


#: an empty value, wherever a value is shown (修改记录, an import's conflicts and what it merged):
#: the word the board, the filter and the reports use for an item not yet answered
EMPTY = "未填"


@dataclass(frozen=True)
class HistoryLine:
    at: str
    author: str
    device_id: str
    what: str
    action: str
    changes: tuple[str, ...]


def local_time(iso: str) -> str:
    """A stored UTC time as the user reads it: local, to the minute."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return iso or "—"


def describe(field: str, value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if field == "records" and isinstance(value, list):
        failing = sum(1 for r in value if not r.get("compliant"))
        return f"{len(value)} 份，不符合 {failing} 份"
    if field == "recheck_passed":
        return "是" if value else "否"
    if field == "grade" and value == "NA":
        return "不适用"
    if field == "origin":
        return ORIGIN_LABELS.get(value, str(value))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if len(text) <= 80 else text[:80] + "…"


def records_apart(ours: Any, theirs: Any, shown: int = 5) -> tuple[str, str]:
    """Each side's sampled records where two lists differ, by 病案号: ``ZY002 不符合（备注：漏签）``,
    ``ZY003 无``. A conflict of 抽查记录 said only “10 份，不符合 1 份 ≠ 10 份，不符合 0 份”, not
    which record, when the other side had changed one note."""
    if not isinstance(ours, list) or not isinstance(theirs, list):
        return describe("records", ours), describe("records", theirs)
    mine = {r.get("record_no"): r for r in ours}
    other = {r.get("record_no"): r for r in theirs}
    apart = [n for n in dict.fromkeys([*mine, *other]) if mine.get(n) != other.get(n)]

    def side(rows: dict[Any, Any], total: list[Any]) -> str:
        lines = [_record_text(n, rows.get(n)) for n in apart[:shown]]
        more = f"等 {len(apart)} 份" if len(apart) > shown else ""
        return f"{describe('records', total)}：{'；'.join(lines)}{more}"

    return side(mine, ours), side(other, theirs)


def _record_text(record_no: Any, row: Any) -> str:
    if row is None:
        return f"{record_no} 无"
    note = f"（备注：{row['note']}）" if row.get("note") else ""
    return f"{record_no} {'符合' if row.get('compliant') else '不符合'}{note}"


def quoted(field: str, value: Any, limit: int | None = None) -> str | None:
    """A value as an import's lines quote it (``“B”``), cut to ``limit`` characters; None for an
    empty one, which each line words as the side's (``本机未填``, ``按上报包清空``)."""
    if value is None or value == "":
        return None
    text = describe(field, value)
    return f"“{text if limit is None or len(text) <= limit else text[: limit - 1] + '…'}”"


def item_history(store: Store, round_id: str, item_id: str, device_id: str | None = None) -> list[HistoryLine]:
    """Every change to the item's answer, sampled records, rectification and attachments.

    With ``device_id`` (this PC's), a record's arrival on another PC by import is left out: the
    packages of six departments each carry their PC's import of the round (``未填 → C``, by the
    department), which read as if each department had set what 质控办 set. Imports here, and a
    conflict settled or fields merged on another PC, are listed."""
    lines = []
    for entry in reversed(store.history(round_id=round_id, item_id=item_id)):
        if _copied_elsewhere(entry, device_id):
            continue
        if _RESOLUTION in entry.changes:
            changes: tuple[str, ...] = (_RESOLUTION_TEXT.get(entry.changes[_RESOLUTION][1], "冲突处理"),)
        else:
            changes = tuple(
                f"{FIELD_LABELS.get(field, field)}：{describe(field, old)} → {describe(field, new)}"
                for field, (old, new) in entry.changes.items()
                # the item is the dialog's own; None → "" is no change a reader could see
                if field != "item_id" and describe(field, old) != describe(field, new)
            )
        lines.append(
            HistoryLine(
                local_time(entry.at),
                entry.author or "—",
                entry.device_id,
                TABLE_LABELS.get(entry.record_table, entry.record_table),
                ACTION_LABELS.get(entry.action, entry.action),
                changes,
            )
        )
    return lines


def _copied_elsewhere(entry: Any, device_id: str | None) -> bool:
    """An import on another PC: a copy of what was changed somewhere else, not a change."""
    return (
        device_id is not None
        and entry.action == "merge"
        and entry.device_id != device_id
        and _RESOLUTION not in entry.changes
    )

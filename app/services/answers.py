"""Record answers, indicator values and sampled records (录入自查结果).

Every call validates and writes in one transaction, so invalid input changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..domain.checklist import NOT_APPLICABLE, Item
from ..domain.identifiers import normalize_record_no
from ..domain.kinds import kind_of
from ..domain.records import Answer
from ..domain.text import MAX_TEXT, clean_text
from ..errors import InputError
from ..store import Actor, Store
from . import UNSET
from .rectifications import sync_rectification
from .rounds import RoundView, load_round

_TEXT_FIELDS = {"na_reason": "不适用原因", "finding": "问题描述", "evidence": "佐证材料说明", "department": "责任科室"}
_NUMBER_FIELDS = {"value": "指标值", "numerator": "分子", "denominator": "分母", "baseline": "基线值"}


@dataclass(frozen=True)
class SampleInput:
    """One sampled record as typed in the grid (病案号, 符合/不符合, 备注)."""

    record_no: str
    compliant: bool
    note: str = ""

    def stored(self) -> SampleInput:
        """The record as it is saved: the 病案号 normalised (full-width made half-width, spaces
        out, letters upper-case), the note cleaned."""
        return SampleInput(normalize_record_no(self.record_no), self.compliant, clean_text(self.note).strip())


#: the longest 病案号 kept (a hospital's own are 6–20 characters)
MAX_RECORD_NO = 100


def record_problem(record: SampleInput) -> str:
    """Why a record, as saved (``SampleInput.stored``), cannot be kept ('' when it can): the
    grid leaves such a row out and says so, as it does a repeated 病案号, and saves the others."""
    if len(record.record_no) > MAX_RECORD_NO:
        return f"病案号过长（{len(record.record_no)} 个字符，最多 {MAX_RECORD_NO} 个）"
    if len(record.note) > MAX_TEXT:
        return f"备注过长（超过 {MAX_TEXT} 字）"
    return ""


def repeated_records(records: Sequence[SampleInput]) -> list[tuple[int, int]]:
    """``(first, repeat)`` positions (from 0) of each record whose 病案号, as saved, was given
    before in ``records``; records without a 病案号 are not compared."""
    first: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for n, record in enumerate(records):
        number = normalize_record_no(record.record_no)
        if number in first:
            repeats.append((first[number], n))
        elif number:
            first[number] = n
    return repeats


def repeat_message(record_no: str, first: int, repeat: int) -> str:
    """Why a repeated 病案号 is refused; ``first`` and ``repeat`` are numbered from 1, as shown."""
    return (
        f"病案号“{record_no}”重复（第 {first} 条和第 {repeat} 条）：一份病历在本条目中只能记录一次，"
        "请改正或删除其中一条。"
    )


def parse_number(text: str | float | None, label: str, field: str) -> float | None:
    """A number typed by a user ('' → None); full-width digits and a trailing % are accepted."""
    if text is None or isinstance(text, int | float):
        # stored as REAL: an integer beyond SQLite's 64 bits would not be stored at all
        value = None if text is None else float(text)
    else:
        cleaned = text.strip().translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
        cleaned = cleaned.removesuffix("%").removesuffix("％").strip()
        if not cleaned:
            return None
        try:
            value = float(cleaned)
        except ValueError:
            raise InputError(f"{label}“{text}”不是有效的数字。", field) from None
    if value is not None and (math.isnan(value) or math.isinf(value)):
        raise InputError(f"{label}不是有效的数字。", field)
    if value is not None and value < 0:
        raise InputError(f"{label}不能为负数。", field)
    if value is not None and value > MAX_NUMBER:
        raise InputError(f"{label}过大（{text}），请检查：本程序录入的数值不超过 1 万亿。", field)
    return value


#: more than any count or value a hospital enters (a year's 门急诊人次 is in the millions); beyond
#: it a slip of the finger (thirty 9s, 1e30) is caught, not stored
MAX_NUMBER = 1e12


def record_answer(
    store: Store,
    round_id: str,
    item_id: str,
    actor: Actor,
    *,
    view: RoundView | None = None,
    grade: str | None = UNSET,
    na_reason: str = UNSET,
    value: float | str | None = UNSET,
    numerator: float | str | None = UNSET,
    denominator: float | str | None = UNSET,
    baseline: float | str | None = UNSET,
    finding: str = UNSET,
    evidence: str = UNSET,
    department: str = UNSET,
) -> Answer:
    """Set the given fields of an item's answer (fields left UNSET keep their value)."""
    view = view or load_round(store, round_id)
    _, item = view.find_item(item_id)
    given: dict[str, Any] = {
        k: v
        for k, v in {
            "grade": grade,
            "na_reason": na_reason,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "baseline": baseline,
            "finding": finding,
            "evidence": evidence,
            "department": department,
        }.items()
        if v is not UNSET
    }
    for key, label in _NUMBER_FIELDS.items():
        if key in given:
            given[key] = parse_number(given[key], label, key)
    for key, label in _TEXT_FIELDS.items():
        if key in given:
            given[key] = clean_text(given[key] or "").strip()  # no bidi or control characters
            if len(given[key]) > MAX_TEXT:
                raise InputError(f"{label}过长（超过 {MAX_TEXT} 字）。", key)
    # Validation reads the stored answer inside the write transaction (BEGIN IMMEDIATE holds the
    # write lock): another program writing between the read and the write cannot make the
    # combination invalid (e.g. a numerator above the denominator just stored elsewhere).
    with store.transaction():  # the answer and the rectification it opens or closes, together
        existing = store.answer(round_id, item_id)
        merged = {**{k: getattr(existing, k, None) for k in (*_TEXT_FIELDS, *_NUMBER_FIELDS, "grade")}, **given}
        _validate(item, view, merged, given)
        if merged.get("grade") != NOT_APPLICABLE and "grade" in given:
            given["na_reason"] = ""
        answer = store.save_answer(round_id, item_id, given, actor)
        sync_rectification(store, view, item_id, actor, previous_department=existing.department if existing else "")
    return answer


def _validate(item: Item, view: RoundView, merged: dict, given: dict) -> None:
    """What every kind shares (applicability, 不适用 needs a reason), then what the item's kind takes."""
    if not item.applies_to(view.profile) and ({"grade", "value", "numerator", "denominator"} & given.keys()):
        raise InputError(f"本条目不适用于本院：{item.not_applicable_reason(view.profile)}", "grade")
    if merged.get("grade") == NOT_APPLICABLE and not merged.get("na_reason"):
        raise InputError("选择“不适用”时须填写原因。", "na_reason")
    scale = next(c.scale for c in view.checklists if c.id == item.checklist_id)
    kind_of(item).validate(item, scale, merged, given)


def set_samples(
    store: Store,
    round_id: str,
    item_id: str,
    records: Sequence[SampleInput],
    actor: Actor,
    view: RoundView | None = None,
) -> None:
    """Replace the item's sampled records (抽查记录) with ``records``, in order, their 病案号
    normalised (:meth:`SampleInput.stored`). A 病案号 given twice is refused, naming it: one
    record counted twice, perhaps once 符合 and once 不符合, would skew the rate. Records already
    stored are not checked here: an older database or an imported package may hold a repeat,
    and it is read and scored as stored until the item's records are saved again."""
    view = view or load_round(store, round_id)
    _, item = view.find_item(item_id)
    if not kind_of(item).sampled:
        raise InputError("只有抽查条目可以录入抽查记录。", "samples")
    if records and not item.applies_to(view.profile):
        raise InputError(f"本条目不适用于本院：{item.not_applicable_reason(view.profile)}", "samples")
    stored = [r.stored() for r in records]
    for n, record in enumerate(stored, 1):
        if not record.record_no:
            raise InputError(f"第 {n} 条抽查记录缺少病案号。", "samples")
        if problem := record_problem(record):
            raise InputError(f"第 {n} 条抽查记录{problem}。", "samples")
    if repeats := repeated_records(stored):
        first, repeat = repeats[0]
        raise InputError(repeat_message(stored[repeat].record_no, first + 1, repeat + 1), "samples")
    with store.transaction():
        store.replace_samples(
            round_id,
            item_id,
            [{"record_no": r.record_no, "compliant": r.compliant, "note": r.note} for r in stored],
            actor,
        )
        sync_rectification(store, view, item_id, actor)

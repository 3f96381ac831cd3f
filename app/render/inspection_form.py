"""现场检查记录表: a round's checklists as a paper form, to take round the departments.

The inspection itself is often done on foot, away from the office PC: the 检查组 carries the
items that apply to the hospital, ticks a grade, writes what it found and which records it
sampled, and the results are typed into the program afterwards. The form lists what the
walkthrough asks, in its order and numbering, with nothing filled in: it is the same for every
department and can be printed before the round has a single answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from ..domain.checklist import Checklist, Grade, Item, item_number
from ..domain.kinds import kind_of
from ..services.rounds import RoundView, load_round
from ..store import Store
from .model import Cover, SectionBlock, round_cover, section_blocks

__all__ = ["FORM_TITLE", "InspectionForm", "build_inspection_form"]

FORM_TITLE = "医疗质量现场检查记录表"
#: the last choice of every item: the walkthrough's 不适用, its reason written under 问题记录
NOT_APPLICABLE = "不适用"
#: who signs a sheet: the inspector and the department inspected
FORM_SIGNATURES = ("检查人", "被检查科室负责人")


@dataclass(frozen=True)
class FormRow:
    """One item on the form: what is asked, what to tick, what to fill in."""

    number: str
    text: str
    #: under the text: how it is judged (评价方法), the target, how many records to sample
    notes: tuple[str, ...]
    #: boxes to tick, e.g. ``A`` … ``D``, ``不适用``
    choices: tuple[str, ...]
    #: numbers to write down, each on a line of its own: ``分子``, ``分母``, ``抽查份数`` …
    blanks: tuple[str, ...]
    #: a prompt at the head of the 问题记录 cell ('' for none)
    record_hint: str = ""


@dataclass(frozen=True)
class FormChecklist:
    title: str
    document: str
    #: how many items are on the form, and how many were left out as not applicable
    lead: str
    #: the grades of the checklist's scale, as the legend above its table gives them
    legend: str
    sections: tuple[SectionBlock[FormRow], ...]


@dataclass(frozen=True)
class InspectionForm:
    cover: Cover
    checklists: list[FormChecklist]
    #: what to do with the form, over the first table
    instructions: list[str]
    signatures: tuple[str, ...] = FORM_SIGNATURES
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "form"


def _form_row(checklist: Checklist, item: Item, year: int) -> FormRow:
    notes = [f"评价方法：{item.guidance}"] if item.guidance else []
    kind = kind_of(item)
    number = item_number(item)
    if kind.sampled:
        wanted = f"至少抽查 {item.min_samples} 份，" if item.min_samples else ""
        notes.append(f"{wanted}要求：{kind.target_words(item, year)}")
        counts = ("抽查份数", "符合份数")
        return FormRow(number, item.text, tuple(notes), (NOT_APPLICABLE,), counts, "不符合的病历号及问题：")
    if kind.measured:
        if item.input == "ratio":
            numerator, denominator = item.numerator_label or "分子", item.denominator_label or "分母"
            if item.numerator_label or item.denominator_label:
                notes.append(f"分子：{numerator}；分母：{denominator}")
            blanks: tuple[str, ...] = ("分子", "分母")
        else:
            blanks = (f"数值（{item.unit}）" if item.unit else "数值",)
        if item.direction in ("increase", "decrease"):
            blanks += ("基线值",)  # 逐步提高/降低: against a baseline, or else the last round's value
        notes.append(f"{year}年目标：{kind.target_words(item, year)}")
        return FormRow(number, item.text, tuple(notes), (NOT_APPLICABLE,), blanks)
    # the codes only (□A □B □C □D): the legend over the table says what each means
    return FormRow(number, item.text, tuple(notes), (*checklist.scale.codes(), NOT_APPLICABLE), ())


def _grade(grade: Grade) -> str:
    """``A 持续改进``; a grade named by its code alone (符合) once."""
    return grade.code if grade.code == grade.label else f"{grade.code} {grade.label}"


def _legend(checklist: Checklist) -> str:
    grades = "；".join(_grade(g) for g in checklist.scale.grades)
    return f"评价等级（{checklist.scale.label}）：{grades}。"


def build_inspection_form(store: Store, round_id: str, today: dt.date, font_family: str) -> InspectionForm:
    """The 现场检查记录表 of a round: the items that apply to the hospital, blank."""
    view = load_round(store, round_id)
    profile = view.profile
    checklists = []
    for checklist in view.checklists:
        rows = {
            item.id: _form_row(checklist, item, view.year) for item in checklist.all_items() if item.applies_to(profile)
        }
        total = sum(1 for _ in checklist.all_items())
        left_out = total - len(rows)
        lead = f"依据：{checklist.citation}。本表列出适用于本院的条目 {len(rows)} 条" + (
            f"（按医院基本情况不适用的 {left_out} 条未列出）。" if left_out else "。"
        )
        checklists.append(
            FormChecklist(
                checklist.title,
                checklist.citation,
                lead,
                _legend(checklist),
                tuple(section_blocks(checklist.sections, rows)),
            )
        )
    cover = replace(round_cover(view, FORM_TITLE, today), draft=False)  # a blank form reports nothing yet
    return InspectionForm(cover, checklists, _instructions(view))


def _instructions(view: RoundView) -> list[str]:
    return [
        f"本表按《{view.name}》所选的检查表和本院基本情况打印，条目编号与程序中的逐条自查相同，现场检查后按编号录入程序。",
        "评价条目在相应等级前的“□”内打“√”；指标条目填写分子、分母（或数值）；抽查条目填写抽查份数、符合份数，"
        "并在问题记录栏写明不符合的病历号及问题。不适用的条目勾“不适用”，在问题记录栏注明原因。",
        f"指标目标为 {view.year} 年度的目标值。",
    ]

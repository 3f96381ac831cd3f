"""现场检查记录表: a round's checklists as a paper form, to take round the departments.

The inspection itself is often done on foot, away from the office PC: the 检查组 carries the
items that apply to the hospital, ticks a grade, writes what it found and which records it
sampled, and the results are typed into the program afterwards. The form lists what the
walkthrough asks, in its order and numbering, with nothing filled in: it is the same for every
department and can be printed before the round has a single answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..domain.checklist import Checklist, Item, item_number
from ..domain.kinds import ItemKind, kind_of
from ..services.rounds import RoundView, load_round
from ..store import Store
from .model import Cover, SectionBlock, round_cover, section_blocks

__all__ = ["FORM_TITLE", "InspectionForm", "build_inspection_form"]

FORM_TITLE = "医疗质量现场检查记录表"
#: the last box of every item: the walkthrough's 不适用, its reason written under 问题记录
NA_CHOICE = "不适用"
#: who signs a sheet: the inspector and the department inspected
FORM_SIGNATURES = ("检查人", "被检查科室负责人")
#: lines for sampled records when the item names no least number (the built-in ones ask for 10)
DEFAULT_SAMPLE_LINES = 10


@dataclass(frozen=True)
class FormRow:
    """One item on the form: what is asked, what to tick, what to fill in."""

    number: str
    text: str
    #: under the text: how it is judged (评价方法), the target, how many records to sample
    notes: tuple[str, ...]
    #: grades to tick (``A`` … ``D``); every item has a 不适用 box besides, on a line of its own
    choices: tuple[str, ...]
    #: numbers to write down, each on a line of its own: ``分子``, ``分母``, ``基线值（%）``
    blanks: tuple[str, ...]
    #: a sampling item's lines for its records (病案号, 符合/不符合, 问题), as the program takes
    #: them: one per record it asks for; 0 for other items
    sample_lines: int = 0


@dataclass(frozen=True)
class FormChecklist:
    title: str
    #: its short name, with the section in the page header: item numbers repeat across checklists
    label: str
    #: where it comes from, how many items are on the form and how many were left out as not applicable
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
    #: the box every item has: the walkthrough's 不适用
    not_applicable: str = NA_CHOICE
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "form"


def _form_row(checklist: Checklist, item: Item, year: int) -> FormRow:
    notes = [f"评价方法：{item.guidance}"] if item.guidance else []
    kind = kind_of(item)
    number = item_number(item)
    if kind.sampled:
        wanted = f"至少抽查 {item.min_samples} 份，" if item.min_samples else ""
        notes.append(f"{wanted}要求：{_target(kind, item, year)}")
        lines = item.min_samples or DEFAULT_SAMPLE_LINES
        return FormRow(number, item.text, tuple(notes), (), (), lines)
    if kind.measured:
        if item.input == "ratio":
            if item.numerator_label or item.denominator_label:
                notes.append(f"分子：{item.numerator_label or '—'}；分母：{item.denominator_label or '—'}")
            blanks: tuple[str, ...] = ("分子", "分母")
        else:
            blanks = (f"数值（{item.unit}）" if item.unit else "数值",)
        notes.append(f"{year}年目标：{_target(kind, item, year)}")
        if item.direction in ("increase", "decrease"):
            blanks += (f"基线值（{item.unit}）" if item.unit else "基线值",)
            notes.append("没有基线值的留空：与上一轮自查的数值比较")
        return FormRow(number, item.text, tuple(notes), (), blanks)
    # the codes only (□A □B □C □D): the legend over the table says what each means
    return FormRow(number, item.text, tuple(notes), tuple(checklist.scale.codes()), ())


def _target(kind: ItemKind, item: Item, year: int) -> str:
    """The target in words, where the form has said which year it is (the indicator's label, or the
    instructions for a sampling item's 要求): ``无目标值``, not ``2025年目标：2025年无目标值`` (an
    item whose targets end before the round's year)."""
    if item.direction not in ("increase", "decrease") and item.target_for(year) is None:
        return "无目标值"
    return kind.target_words(item, year)


def _legend(checklist: Checklist) -> str:
    grades = "；".join(g.display for g in checklist.scale.grades)
    return f"评价等级（{checklist.scale.label}）：{grades}。"


def build_inspection_form(store: Store, round_id: str, today: dt.date, font_family: str) -> InspectionForm:
    """The 现场检查记录表 of a round: the items that apply to the hospital, blank."""
    view = load_round(store, round_id)
    profile = view.profile
    checklists = []
    for checklist in view.checklists:
        items = list(checklist.all_items())
        rows = {item.id: _form_row(checklist, item, view.year) for item in items if item.applies_to(profile)}
        left_out = len(items) - len(rows)
        # by the profile: the 自查报告's 适用 also leaves out what this round judged 不适用 (its
        # 69 beside the form's 71 read as a contradiction: PDF review 3); the form asks about those too
        lead = f"依据：{checklist.citation}。本表列出按本院基本情况适用的条目 {len(rows)} 条" + (
            f"（不适用的 {left_out} 条未列出）。" if left_out else "。"
        )
        blocks = section_blocks(checklist.sections, rows, listed_only=True)
        checklists.append(FormChecklist(checklist.title, checklist.label, lead, _legend(checklist), tuple(blocks)))
    return InspectionForm(round_cover(view, "form", FORM_TITLE, today), checklists, _instructions(view))


def _instructions(view: RoundView) -> list[str]:
    return [
        f"本表按《{view.name}》所选的检查表和本院基本情况打印，条目编号与程序中的逐条自查相同"
        "（不同检查表的编号可能相同，页眉写明检查表和章节），现场检查后按检查表和编号录入程序。",
        "评价条目在相应等级前的“□”内打“√”，评为 C、D 的在问题记录栏写明存在的问题（录入时作为问题描述）；"
        "指标条目填写分子、分母（或数值）；抽查条目逐份填写病案号、是否符合，不符合的写明问题。"
        "不适用的条目勾“不适用”，在问题记录栏注明原因。",
        "同一条目在几个科室检查的，录入时综合各科室的情况评定一个等级，问题描述中写明各科室的问题；"
        "各科室的抽查记录合并录入，同一病案号只录一次。",
        f"指标目标为 {view.year} 年度的目标值。",
    ]

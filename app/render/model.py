"""报告模型: everything a report prints, gathered from the services into plain dataclasses.

Templates only lay this out: no database access and no business rule lives in them. Numbers
are formatted here, once, so that the reports and the GUI say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Generic, TypeVar

from markupsafe import Markup

from .. import APP_NAME, __version__
from ..domain.checklist import Checklist, Item, Section, item_number, item_references, section_label
from ..domain.evaluation import MET, NA_PROFILE, NA_USER, NOT_MET, UNANSWERED, UNDETERMINED, Outcome, problem_sentence
from ..domain.formats import (
    NONE_YET,
    cn_date,
    counts_text,
    earlier_name,
    percent_text,
    rate_text,
    regrade_sentence,
    status_text,
)
from ..domain.kinds import kind_of
from ..domain.kinds.sampling import samples_text
from ..domain.labels import ORIGIN_LABELS
from ..domain.outcome import verdict
from ..domain.records import (
    ORIGIN_CARRIED,
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_OVERDUE,
    STATUS_PENDING,
    UNFINISHED_STATUSES,
    Answer,
    Attachment,
    listed_statuses,
)
from ..domain.reports import REPORTS
from ..domain.scoring import Tally, score_rule
from ..services.rectifications import (
    NO_DEPARTMENT,
    LedgerCells,
    RectificationEntry,
    RectificationTotals,
    earlier_evidence,
    follow_up_text,
    ledger_cells,
    list_rectifications,
    totals,
)
from ..services.rounds import RoundView, answers_by_item, items_found_earlier, load_round, score
from ..services.rounds import references as round_references
from ..store import Store
from .assets import attachment_url
from .charts import TONE_KEY, Bar, bar_chart
from .images import ImageProblem, for_print

if TYPE_CHECKING:
    from ..services.overview import Trend

__all__ = [
    "Cover",
    "RectificationReport",
    "SectionBlock",
    "SelfReport",
    "build_rectification_report",
    "build_self_report",
    "round_cover",
    "section_blocks",
]

#: a report's row for one item, under the section headings (SectionBlock)
Row = TypeVar("Row")

SELF_TITLE = "医疗质量自查报告"
RECTIFICATION_TITLE = "医疗质量自查整改报告"
#: who signs both reports (审核签字), in this order; the hospital seals them
SIGNATURE_ROLES = ("检查组组长", "质控办负责人", "院长")

#: Image attachments printed as thumbnails (others are listed by name), scaled to print resolution
#: while the model is built (app/render/images.py); an image over its pixel limit is listed by
#: name, never decoded.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGES_PER_RECTIFICATION = 4

#: css class of a result: how it is printed (bold, a mark), never colour alone
FAIL, WARN, OK, NA, NONE = "fail", "warn", "ok", "na", "none"
#: the result of a carried-over rectification's item that this round does not check
NOT_CHECKED, NOT_CHECKED_DETAIL = "未检查", "本轮未选用该检查表"


# --- shared parts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hospital:
    name: str
    code: str
    level: str
    type: str
    beds: str
    services: str
    departments: int


@dataclass(frozen=True)
class Cover:
    """What both reports print on their first page and in their running header."""

    title: str
    hospital: Hospital
    round_name: str
    year: int
    started_on: str
    report_date: str
    leader: str
    members: tuple[str, ...]
    draft: bool
    generator: str = f"{APP_NAME} {__version__}"

    @property
    def header_name(self) -> str:
        """The hospital's name in the running header: two lines of its half of the page at most
        (a name of 100 characters took five lines over the rule)."""
        name = self.hospital.name
        return name if len(name) <= HEADER_CHARS else name[: HEADER_CHARS - 1] + "…"

    @property
    def sign_room_mm(self) -> float:
        """The room the 自查报告 cover keeps at its foot for the signature (the hospital's name and
        the date, absolutely placed): 26 mm held one line of name and the date, and a name of 61
        characters or more, which the profile takes up to 100, was printed over the 检查组."""
        name_lines = -(-len(self.hospital.name) // SIGN_CHARS_PER_LINE)  # ceiling
        return round((name_lines + 1) * SIGN_LINE_MM + 6, 1)


#: characters of the running header's two lines (half of the 版心, at its size)
HEADER_CHARS = 40
#: characters of the signature's 12 pt line across the cover's 156 mm 版心 (36.9 fit)
SIGN_CHARS_PER_LINE = 36
#: one line of the signature: 12 pt at line-height 2
SIGN_LINE_MM = 8.5


def round_cover(view: RoundView, kind: str, title: str, today: dt.date) -> Cover:
    """The cover and running header of a round's ``kind`` report dated ``today``: marked 自查稿
    while the round is not 定稿, if the registry says the kind carries the mark."""
    p = view.profile
    hospital = Hospital(
        p.name,
        p.code,
        p.level_label,
        p.type,
        "" if p.beds is None else f"{p.beds} 张",
        p.describe_flags(),
        len(p.departments),
    )
    return Cover(
        title,
        hospital,
        view.name,
        view.year,
        cn_date(view.started_on),
        cn_date(today),
        view.leader,
        view.members,
        draft=REPORTS[kind].draft(view.is_final),
    )


# --- 自查报告 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    """自查范围: one checklist of the round."""

    title: str
    document: str
    version: str
    items: int
    applicable: int
    scale: str


@dataclass(frozen=True)
class SummaryRow:
    label: str
    depth: int
    applicable: int
    answered: int
    completion: str
    score: str
    grades: tuple[int, ...]
    failing: int


@dataclass(frozen=True)
class ItemRow:
    """One item's result (自查结果)."""

    number: str
    text: str
    kind: str
    #: grade code, 达标/未达标/待判定, 不适用 or 未填
    result: str
    #: grade name or the value, e.g. 有制度有落实, 90.0%（10 份）
    detail: str
    tone: str
    #: 问题描述, or the reason it does not apply / cannot be judged
    finding: str
    evidence: str
    department: str


@dataclass(frozen=True)
class SectionBlock(Generic[Row]):
    """A section's rows, under its heading and those of the empty parent sections just above it
    (printed together, so that a heading never ends a page alone)."""

    headings: tuple[tuple[str, int], ...]
    items: tuple[Row, ...]
    #: the section's title as the page header gives it on every page its rows are on, so that a
    #: page continuing a section names it (its heading row is on an earlier page)
    running: str


@dataclass(frozen=True)
class ChecklistResult:
    title: str
    document: str
    summary: str
    sections: tuple[SectionBlock[ItemRow], ...]
    chart: Markup


@dataclass(frozen=True)
class IndicatorRow:
    """指标（及抽查）与目标值对照."""

    number: str
    text: str
    kind: str
    target: str
    value: str
    #: 分子/分母 the value was computed from (符合份数/抽查份数 for sampling), printed under it
    counts: str
    result: str
    tone: str
    note: str


@dataclass(frozen=True)
class TrendRow:
    """An indicator the 历次自查趋势 lists without a chart: its name (with its unit), its target
    as the tables print it, and per round its value as printed with its tone: FAIL where that
    round found it short of its target, else ''."""

    name: str
    target: str
    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ProblemRow:
    """发现的问题: a failing item and where its rectification stands."""

    #: 序号: 1, 2, 3 in the list of this round's problems; 转1, 转2 in the list carried over, whose
    #: pages could not be told from the first list's once the heading had scrolled off
    number: str
    item: str
    text: str
    result: str
    detail: str
    tone: str
    finding: str
    department: str
    rectification: str
    #: its rectification was carried over from the previous round (上轮转入)
    carried: bool = False
    #: carried over, and its item not graded again in this round yet
    pending: bool = False
    #: its rectification is 已完成 (re-checked and passed)
    done: bool = False
    #: the rectification it is listed with (None: none opened); items of one requirement share one
    rectification_id: str | None = None
    #: counted in 不符合 (False: a C grade the 检查组 chose to put right all the same)
    failing: bool = True


@dataclass
class SelfReport:
    cover: Cover
    scope: list[ScopeRow]
    method: list[str]
    key_figures: list[tuple[str, str]]
    grade_codes: tuple[str, ...]
    summary: list[SummaryRow]
    grade_chart: Markup
    checklist_chart: Markup
    results: list[ChecklistResult]
    indicators: list[IndicatorRow]
    #: what the indicator table's columns hold, printed under it
    indicator_note: str
    #: 发现的问题: found in this round, and the sentence that counts them
    problems: list[ProblemRow]
    problems_intro: str
    #: rectifications carried over from the previous round whose items no longer have a problem
    carried_problems: list[ProblemRow]
    carried_intro: str
    #: 历次自查趋势 (nothing for a hospital's first round): which rounds the trend compares, this
    #: one marked （本轮）, and those it leaves out ('' for none); a chart each for the scores, the
    #: failing items and the first MAX_INDICATOR_TRENDS indicators; the others as rows of a table
    #: whose columns are the rounds, headed by their years (each over its rounds' columns: year,
    #: columns) and under them their days, a line for the month and one for the day
    trend_intro: str = ""
    trend_left_out: str = ""
    trend_charts: list[Markup] = field(default_factory=list)
    #: under each chart ('' for none): 不符合条目数's rounds out of their items, when they differ
    trend_captions: list[str] = field(default_factory=list)
    trend_rest: list[TrendRow] = field(default_factory=list)
    trend_years: list[tuple[int, int]] = field(default_factory=list)
    trend_days: list[tuple[str, str]] = field(default_factory=list)
    #: how 得分率 is computed, with the round's grade points (under the summary table)
    score_note: str = ""
    #: what the bars' colours say (under the charts): dark to light on a black-and-white printer
    chart_key: str = TONE_KEY
    signatures: tuple[str, ...] = SIGNATURE_ROLES
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "self"


#: printed under the indicator table: what its columns hold (the 对照值 is named in 说明 by what it is)
INDICATOR_NOTE = (
    "目标值为考核年度的目标；目标为“逐步提高”“逐步降低”的指标没有数值目标，与对照值比较：本轮录入了基线值的"
    "与基线值比较，未录入的与上一轮自查的数值比较，说明栏写明所比较的是哪一个及其数值。"
    "本期值下方为计算所用的分子/分母（抽查条目为符合份数/抽查份数）。"
)


def _result(item: Item, outcome: Outcome) -> tuple[str, str, str]:
    """(result, detail, tone) of an item's result."""
    if outcome.state in (NA_PROFILE, NA_USER):
        return "不适用", "", NA
    if outcome.state == UNANSWERED:
        return "未填", "", NONE
    if outcome.grade is not None:
        grade = outcome.grade
        tone = FAIL if grade.failing else WARN if grade.offers_rectification else OK
        return grade.code, "" if grade.label == grade.code else grade.label, tone
    value = kind_of(item).value_text(item, outcome)
    tone = {MET: OK, NOT_MET: FAIL}.get(outcome.state, NONE)
    return verdict(outcome.state, otherwise=verdict(UNDETERMINED)), value, tone


def _indicator_row(checklist: Checklist, item: Item, outcome: Outcome, tone: str) -> IndicatorRow:
    state = verdict(outcome.state)
    kind = kind_of(item)
    note = "；".join(x for x in (samples_text(outcome), outcome.reason) if x)  # the counts of sampled records
    value = kind.value_text(item, outcome) or "—"
    return IndicatorRow(
        item_number(item),
        item.text,
        f"{checklist.label}·{kind.label}",
        kind.target_column(outcome),
        value,
        counts_text(outcome.counts),
        state,
        tone,
        note,
    )


def _finding(item: Item, outcome: Outcome, answer: Answer | None, year: int) -> str:
    """问题描述 of an item's row: a failing item's problem sentence (the one the 整改报告 and the
    workbook print); else the finding, the records checked and why it cannot be judged."""
    if outcome.state in (NA_PROFILE, NA_USER):
        return f"不适用原因：{outcome.reason}" if outcome.reason else ""
    if outcome.failing:
        return problem_sentence(item, outcome, answer, year)
    parts = [answer.finding] if answer and answer.finding else []
    parts.append(samples_text(outcome))
    if outcome.state in (UNDETERMINED, MET):
        parts.append(outcome.reason)
    return "；".join(p for p in parts if p)


def evidence_text(answer: Answer | None, files: Sequence[str]) -> str:
    """佐证材料 as the reports print it: what was typed, then the files attached to the item."""
    parts = [answer.evidence] if answer and answer.evidence else []
    if files:
        parts.append("附件：" + "、".join(files))
    return "；".join(parts)


def _grade_codes(checklists: Sequence[Checklist]) -> tuple[str, ...]:
    codes: list[str] = []
    for checklist in checklists:
        codes += [c for c in checklist.scale.codes() if c not in codes]
    return tuple(codes)


def _summary_row(label: str, depth: int, tally: Tally, codes: Sequence[str]) -> SummaryRow:
    return SummaryRow(
        label,
        depth,
        tally.applicable,
        tally.answered,
        percent_text(tally.completion),
        rate_text(tally.score),
        tuple(tally.grade_counts.get(c, 0) for c in codes),
        tally.failing,
    )


def section_blocks(
    sections: Sequence[Section], rows: Mapping[str, Row], *, listed_only: bool = False
) -> list[SectionBlock[Row]]:
    """The sections in reading order, each with the rows of its items; an empty section's heading
    goes with the next block. ``listed_only``: items without a row are left out (the 现场检查记录表
    lists only those that apply), and a section none of whose items has one prints no heading."""
    out: list[SectionBlock[Row]] = []
    pending: list[tuple[str, int]] = []

    def walk(section: Section, depth: int) -> None:
        mark = len(pending)
        pending.append((section.title, depth))
        items = tuple(rows[i.id] for i in section.items if not listed_only or i.id in rows)
        if items:
            out.append(SectionBlock(tuple(pending), items, section_label(section.title)))
            pending.clear()
        for sub in section.sections:
            walk(sub, depth + 1)
        del pending[mark:]  # nothing of it printed: its heading would stand over the next section

    for section in sections:
        walk(section, 1)
    return out


def _score_tone(score: float | None) -> str:
    if score is None:
        return "muted"
    return "fail" if score < 50 else "warn" if score < 75 else "ok"


def key_figures(total: Tally, rectifications: int) -> list[tuple[str, str]]:
    """二 结果概况's figures, as printed: also the 自查结果 workbook's 说明, which had none of them
    to check the workbook against the PDF by."""
    return [
        ("适用条目", f"{total.applicable} 条"),
        ("已评条目", f"{total.answered} 条"),
        ("完成率", percent_text(total.completion)),
        ("得分率", rate_text(total.score)),
        ("不符合", f"{total.failing} 条"),
        ("指标、抽查达标", _of_judged(total.met, total.met + total.not_met + total.undetermined)),
        ("整改项", f"{rectifications} 项"),
    ]


def _of_judged(met: int, judged: int) -> str:
    """``14 条中 9 条`` (“9 / 14” left the reader to guess which count was which); ``—`` before any
    indicator or sampling item has a result (it read “0 / 0”)."""
    return f"{judged} 条中 {met} 条" if judged else NONE_YET


def build_self_report(store: Store, round_id: str, today: dt.date, font_family: str) -> SelfReport:
    """The 自查报告 of a round; ``today`` is the report's date (and the day statuses are told on)."""
    view = load_round(store, round_id)
    result = score(store, round_id, view)
    answers = answers_by_item(store, round_id)
    files: dict[str, list[str]] = {}
    for a in store.attachments(round_id):
        if a.item_id:
            files.setdefault(a.item_id, []).append(a.filename)
    rects = list_rectifications(store, round_id, today, view)
    codes = _grade_codes(view.checklists)

    rows: dict[str, ItemRow] = {}
    indicators: list[IndicatorRow] = []
    for checklist in view.checklists:
        for item in checklist.all_items():
            outcome = result.outcomes[item.id]
            answer = answers.get(item.id)
            text, detail, tone = _result(item, outcome)
            rows[item.id] = ItemRow(
                item_number(item),
                item.text,
                kind_of(item).label,
                text,
                detail,
                tone,
                _finding(item, outcome, answer, view.year),
                evidence_text(answer, files.get(item.id, ())),
                answer.department if answer else "",
            )
            if kind_of(item).measured and outcome.applicable:
                indicators.append(_indicator_row(checklist, item, outcome, tone))

    results = []
    checklist_bars = []
    for cs in result.checklists:
        blocks = section_blocks(cs.checklist.sections, rows)
        t = cs.tally
        summary = (
            f"适用条目 {t.applicable} 条，已评 {t.answered} 条（完成率 {percent_text(t.completion)}），"
            f"得分率 {rate_text(t.score)}，不符合 {t.failing} 条。"
        )
        chart = bar_chart(
            [
                Bar(s.section.title, s.tally.score, rate_text(s.tally.score), _score_tone(s.tally.score))
                for s in cs.sections
            ],
            maximum=100,
            font_family=font_family,
            title=f"{cs.checklist.label}：各部分得分率",
        )
        results.append(ChecklistResult(cs.checklist.title, cs.checklist.citation, summary, tuple(blocks), chart))
        checklist_bars.append(Bar(cs.checklist.label, t.score, rate_text(t.score), _score_tone(t.score)))

    summary_rows = [_summary_row("合计", 0, result.tally, codes)]
    for cs in result.checklists:
        summary_rows.append(_summary_row(cs.checklist.label, 1, cs.tally, codes))
    total = result.tally
    from ..services.overview import outcome_bars

    grade_bars = [Bar(b.label, b.value, b.text, b.tone) for b in outcome_bars(view.checklists, total)]
    biggest = max([b.value or 0 for b in grade_bars] + [1])

    in_round = {item.id for item in view.items()}
    elsewhere = items_found_earlier(store, view, {i for e in rects if e.carried for i in e.item_ids} - in_round)
    problems, carried = _problems(view, result.outcomes, answers, rects, elsewhere)
    in_ledger = {i for e in rects for i in e.item_ids}
    noted = sum(  # a finding written on a passing grade: 三 prints it, 五 would say nothing of it
        1
        for item in view.items()
        if not result.outcomes[item.id].failing
        and item.id not in in_ledger
        and (answer := answers.get(item.id)) is not None
        and answer.finding.strip()
    )
    problems_intro, carried_intro = _problems_intro(problems, carried, rects, view.name, noted)
    figures = key_figures(total, len(rects))
    scope = [
        ScopeRow(
            cs.checklist.title,
            cs.checklist.citation,
            cs.checklist.version,
            cs.tally.total,
            cs.tally.applicable,
            cs.checklist.scale.label,
        )
        for cs in result.checklists
    ]
    return SelfReport(
        cover=round_cover(view, "self", SELF_TITLE, today),
        scope=scope,
        method=_method(view, rects),
        key_figures=figures,
        grade_codes=codes,
        summary=summary_rows,
        grade_chart=bar_chart(grade_bars, maximum=biggest, font_family=font_family, title="评价结果分布"),
        checklist_chart=bar_chart(checklist_bars, maximum=100, font_family=font_family, title="各检查表得分率"),
        results=results,
        indicators=indicators,
        indicator_note=INDICATOR_NOTE,
        problems=problems,
        problems_intro=problems_intro,
        carried_problems=carried,
        carried_intro=carried_intro,
        score_note=score_rule(view.checklists)
        + "指标、抽查条目按目标值判定是否达标（见“四、指标完成情况”），与不适用条目一样不计入得分率；"
        "表中“已评”含指标、抽查条目。",
        **_trend(store, round_id, today, font_family),
    )


def _method(view: RoundView, rects: Sequence[RectificationEntry]) -> list[str]:
    """自查方法; the last point says what “五、发现的问题” lists, in the grades of the round's scales."""
    scales = "、".join(dict.fromkeys(c.scale.label for c in view.checklists))

    def grades(which: str) -> str:
        return "、".join(
            dict.fromkeys(f"“{g.display}”" for c in view.checklists for g in c.scale.grades if getattr(g, which))
        )

    carried = "，以及上轮转入本轮的整改项所涉条目" if any(e.rectification.carried_from for e in rects) else ""
    return [
        f"对照 {len(view.checklists)} 张检查表逐条开展自查，采取查阅制度文件和记录、现场查看、询问访谈、"
        "抽查病历等方式。",
        f"评价条目按“{scales}”标准评定等级；指标条目将本期数值与 {view.year} 年目标值比较（“逐步提高/降低”类"
        "与基线或上一轮比较）；抽查条目逐份记录病案号及是否符合，计算符合率。",
        "依据医院基本情况判定条目是否适用，不适用的条目注明原因，不计入完成率和得分。",
        f"评为{grades('failing')}的评价条目与未达标的指标、抽查条目合计为“不符合”条目；不符合条目和评为"
        f"{grades('offers_rectification')}并决定整改的条目{carried}，列入“五、发现的问题”，逐项制定整改措施，"
        f"整改情况见《{RECTIFICATION_TITLE}》。",
    ]


#: indicator trends a report draws at most (each is a chart, four to a page); the others are
#: listed with their values in a table under the charts. The 概览 page draws them all.
MAX_INDICATOR_TRENDS = 8


def _trend_row(trend: Trend) -> TrendRow:
    """An indicator's row of the table under the charts: its values oldest round first, with the
    decimals of its unit (named beside its name), — where a round has none, FAIL where that
    round found the value short of its target."""
    values = trend.series["指标值"]
    short = trend.not_met or [False] * len(values)
    return TrendRow(
        f"{trend.title}（{trend.unit}）" if trend.unit else trend.title,
        trend.target_text or "—",
        tuple(
            (trend.value_text(v, n), FAIL if v is not None and failed else "")
            for n, (v, failed) in enumerate(zip(values, short, strict=True))
        ),
    )


def _trend(store: Store, round_id: str, today: dt.date, font_family: str) -> dict:
    """历次自查趋势: the same charts as the 概览 page, when the hospital has earlier rounds."""
    from ..services.overview import build_overview
    from .charts import trend_chart

    overview = build_overview(store, round_id, today)
    if overview.score_trend is None or overview.failing_trend is None:
        return {}
    # (trend, the value axis's top, whether it may start above 0, the caption under the chart)
    trends = [(overview.score_trend, 100.0, True, ""), (overview.failing_trend, None, False, overview.failing_note())]
    trends += [(t, None, False, "") for t in overview.indicator_trends[:MAX_INDICATOR_TRENDS]]
    rest = [_trend_row(t) for t in overview.indicator_trends[MAX_INDICATOR_TRENDS:]]
    charts = [
        trend_chart(
            overview.rounds,
            t,
            font_family=font_family,
            dates=overview.round_dates,
            maximum=maximum,
            floor=floor,
            height_mm=55,
        )
        for t, maximum, floor, _ in trends
    ]
    return {
        "trend_intro": overview.trend_intro(),
        "trend_left_out": overview.left_out_note(),
        "trend_charts": charts,
        "trend_captions": [caption for *_, caption in trends],
        "trend_rest": rest,
        "trend_years": [(year, len(list(days))) for year, days in groupby(overview.round_dates, lambda d: d.year)],
        "trend_days": [(f"{day.month}月", f"{day.day}日") for day in overview.round_dates],
    }


def _problems(
    view: RoundView,
    outcomes: dict[str, Outcome],
    answers: dict[str, Answer],
    rects: Sequence[RectificationEntry],
    elsewhere: Mapping[str, tuple[str, Item]],
) -> tuple[list[ProblemRow], list[ProblemRow]]:
    """发现的问题, in checklist order: the problems found in this round (failing items, and items
    given a rectification on a C grade), and apart from them the rectifications carried over from
    the previous round whose items this round finds no problem with (their results now), last
    those whose items this round does not check (``elsewhere``: item id → the reference and item
    of the round that found them; the report counted them and listed none of them)."""
    by_item = {item_id: e for e in rects for item_id in e.item_ids}
    references = item_references(view.checklists)  # this round's problems: its own items
    found: list[ProblemRow] = []
    carried: list[ProblemRow] = []
    for item in view.items():
        outcome = outcomes[item.id]
        entry = by_item.get(item.id)
        if outcome.failing or (entry and not entry.carried):
            finding = problem_sentence(item, outcome, answers.get(item.id), view.year)
            rows = found
        elif entry:
            finding, rows = entry.rectification.problem, carried  # the problem the previous round found
        else:
            continue
        text, detail, tone = _result(item, outcome)
        answer = answers.get(item.id)
        rows.append(
            ProblemRow(
                f"{'转' if rows is carried else ''}{len(rows) + 1}",
                references[item.id],
                item.text,
                text,
                detail,
                tone,
                finding or "—",
                answer.department if answer and answer.department else "",
                _rectification_state(entry, origin=rows is found),  # the other list is all carried over
                bool(entry and entry.carried),
                rows is carried and not outcome.answered,
                bool(entry and entry.status == STATUS_DONE),
                entry.id if entry else None,
                outcome.failing,
            )
        )
    listed = {p.rectification_id for p in found + carried}
    for entry in rects:
        if entry.carried and entry.id not in listed and entry.item_ids[0] in elsewhere:
            reference, item = elsewhere[entry.item_ids[0]]
            carried.append(
                ProblemRow(
                    f"转{len(carried) + 1}",
                    reference,
                    item.text,
                    NOT_CHECKED,
                    NOT_CHECKED_DETAIL,
                    NONE,
                    entry.rectification.problem or "—",
                    entry.rectification.department,
                    _rectification_state(entry, origin=False),
                    True,
                    True,
                    entry.status == STATUS_DONE,
                    entry.id,
                )
            )
            listed.add(entry.id)
    return found, carried


def _rectification_state(entry: RectificationEntry | None, origin: bool) -> str:
    """整改情况 of a problem: where its rectification stands (and, with ``origin``, whence it came)."""
    if entry is None:
        return "未生成整改项"
    r = entry.rectification
    parts = [ORIGIN_LABELS[ORIGIN_CARRIED]] if origin and entry.carried else []
    if entry.recurred:  # closed last round, found again: not a problem met for the first time
        parts.append(entry.recurred)
    if entry.regraded:
        parts.append(regrade_sentence(entry.regraded))
    status = status_text(entry.status, entry.days_late, "（", "）")  # as the 整改报告 says it
    if entry.status == STATUS_CARRIED:  # and where: 已转入复查（《2025年第二季度医疗质量自查》）
        status += "（" + "、".join(f"《{name}》" for name in entry.carried_to) + "）"
    parts.append(
        "，".join([status, r.department or NO_DEPARTMENT] + ([f"期限 {cn_date(r.deadline)}"] if r.deadline else []))
    )
    return "；".join(parts)


def _problems_intro(
    found: Sequence[ProblemRow],
    carried: Sequence[ProblemRow],
    rects: Sequence[RectificationEntry],
    round_name: str,
    noted: int = 0,
) -> tuple[str, str]:
    """The sentences before the two lists: the problems found in this round counted apart from
    the carried-over rectifications, which were found in the previous round; and ``noted``, the
    items graded as passing with a finding written and no rectification (a reviewer reading 三
    found “抽查10份病历，3份记录不完整” on a C and asked why 五 did not list it)."""
    again = sum(1 for p in found if p.carried)
    carried_total = sum(1 for e in rects if e.carried)
    # items of one requirement in two checklists share a rectification: 9 problems made 7, and the
    # 整改报告 counts 7 with nothing to say why
    listed = [p.rectification_id for p in found if p.rectification_id]
    rectifications = len(set(listed))
    notes = []
    chosen = sum(1 for p in found if not p.failing)
    if chosen:  # 问题 15 beside 不符合 13 in 二, with nothing to say why (PDF review 10)
        notes.append(f"其中 {chosen} 项未评为不符合，由检查组决定整改，不计入“不符合”条数")
    if rectifications < len(listed):
        notes.append("同一要求的问题合用一个整改项" + ("" if carried_total else f"，共形成整改项 {rectifications} 项"))
    if again:
        notes.append(f"其中 {again} 项问题上轮已发现、整改未完成，标注“{ORIGIN_LABELS[ORIGIN_CARRIED]}”")
    head = (
        f"本轮自查共发现问题 {len(found)} 项"
        + (f"（{'；'.join(notes)}）" if notes else "")
        + f"，整改情况见《{RECTIFICATION_TITLE}》。"
        if found
        else "本轮自查未发现不符合项。"
    )
    if noted:
        head += (
            f"另有 {noted} 条未评为不符合的条目记录了问题描述，未形成整改项（见“三、各检查表自查结果”），不在下表中。"
        )
    if carried_total:
        # the 整改报告's own sentence: problems and rectifications were told in one breath (“其中
        # 27 项上轮已发现” of 98 problems, 24 rectifications) and read as disagreeing with it
        head += _ledger_origin(round_name, rects, see="见本节末")
    if not carried:
        return head, ""
    # each counted once: 已完成; graded again without a problem, awaiting the re-check that closes
    # it (as the 整改报告 counts them); not graded yet
    done = sum(1 for p in carried if p.done)
    unchecked = sum(1 for p in carried if p.result == NOT_CHECKED and not p.done)
    pending = sum(1 for p in carried if p.pending and not p.done) - unchecked
    clear = len(carried) - done - pending - unchecked
    parts = [
        (done, "已复查通过（已完成）"),
        (clear, "的条目本轮复评未再发现问题，复查确认整改到位后可销号"),
        (pending, "的条目本轮尚未评价"),
        (unchecked, "的条目不在本轮选用的检查表中"),
    ]
    shown = [(n, words) for n, words in parts if n]
    if len(shown) == 1:  # 均已复查通过……, 其条目本轮……
        words = shown[0][1]
        said = "均" + words if words.startswith("已") else "其" + words.removeprefix("的")
    else:
        said = "其中 " + "；".join(f"{n} 项{words}" for n, words in shown)
    tail = f"另有上轮转入的整改项 {len(carried)} 项，本轮未列为问题（本轮结果见下表）：{said}。"
    return head, tail


# --- 整改报告 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thumbnail:
    #: our own ``attachment:<id>`` (Markup: printed as it is, never broken or cleaned)
    url: Markup
    name: str


@dataclass(frozen=True)
class LedgerRow:
    """整改台账 one line."""

    number: int
    items: str
    problem: str
    cause: str
    measure: str
    department: str
    owner: str
    deadline: str
    status: str
    tone: str
    recheck: str
    attachments: tuple[str, ...]
    images: tuple[Thumbnail, ...]
    origin: str


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    counts: tuple[int, ...]
    total: int


@dataclass
class RectificationReport:
    cover: Cover
    overview: str
    statuses: tuple[str, ...]
    by_department: list[DepartmentRow]
    status_totals: DepartmentRow
    ledger: list[LedgerRow]
    status_chart: Markup
    #: how the statuses are told (under the totals)
    status_note: str = ""
    signatures: tuple[str, ...] = SIGNATURE_ROLES
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "rectification"


def _ledger_origin(round_name: str, entries: Sequence[RectificationEntry], see: str = "见复查情况栏") -> str:
    """How many rectifications the round has, those found in it counted apart from those carried
    over from the previous round (and of these, the ones whose items no longer have a problem)."""
    carried = [e for e in entries if e.carried]
    if not carried:
        return f"本轮自查（{round_name}）共形成整改项 {len(entries)} 项。"
    regraded = sum(1 for e in carried if e.regraded)
    return (
        f"本轮自查（{round_name}）共有整改项 {len(entries)} 项：本轮新发现 {len(entries) - len(carried)} 项，"
        f"上轮转入 {len(carried)} 项"
        + (f"（其中 {regraded} 项的条目本轮复评未再发现问题，复查确认整改到位后可销号，{see}）" if regraded else "")
        + "。"
    )


def build_rectification_report(store: Store, round_id: str, today: dt.date, font_family: str) -> RectificationReport:
    """The 整改报告 / 整改台账 of a round, statuses told on ``today``."""
    view = load_round(store, round_id)
    entries = list_rectifications(store, round_id, today, view)
    counts = totals(entries)
    references = round_references(store, view)
    files: dict[str, list[Attachment]] = {}
    for a in store.attachments(round_id):
        if a.rectification_id:
            files.setdefault(a.rectification_id, []).append(a)

    images: dict[str, tuple[bytes, str]] = {}
    ledger = []
    for n, entry in enumerate(entries, 1):
        r = entry.rectification
        thumbs: list[Thumbnail] = []
        names = []
        earlier = earlier_evidence(store, r) if r.carried_from else []  # the round before's photos
        from_before = {a.id for a in earlier}
        for a in [*earlier, *files.get(r.id, [])]:
            name = earlier_name(a.filename) if a.id in from_before else a.filename
            if a.media_type in IMAGE_TYPES and a.size <= MAX_IMAGE_BYTES and len(thumbs) < MAX_IMAGES_PER_RECTIFICATION:
                try:  # kept at print resolution (≈100 KB), not as the photo: a round may have hundreds
                    images[a.id] = for_print(store.attachment_data(a.id))  # a huge image is never decoded
                except ImageProblem as problem:
                    name = f"{name}（{problem}，未印出）"
                else:
                    thumbs.append(Thumbnail(Markup(attachment_url(a.id)), a.filename))
            names.append(name)
        tone = FAIL if entry.status == STATUS_OVERDUE else OK if entry.status == STATUS_DONE else NONE
        cells = ledger_cells(entry, references)
        if entry.status in UNFINISHED_STATUSES:
            cells = _undecided_named(cells)
        ledger.append(
            LedgerRow(
                n,
                *cells,
                tone,
                follow_up_text(entry),
                tuple(names),
                tuple(thumbs),
                ORIGIN_LABELS[ORIGIN_CARRIED] if entry.carried else "",
            )
        )

    statuses = listed_statuses(counts.by_status)  # 已转入复查 once a 复查轮次 carried some over
    by_department = [
        DepartmentRow(d, tuple(c[s] for s in statuses), sum(c.values()))
        for d, c in sorted(counts.by_department.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    status_totals = DepartmentRow("合计", tuple(counts.by_status[s] for s in statuses), counts.total)
    done = counts.by_status[STATUS_DONE]
    # 已转入复查 is followed up, and counted, in the 复查轮次 (its 整改完成率 holds it): counted
    # here as well, the same problem would lower two rounds' rates, and this round would read
    # 33.3% complete with nothing left to do in it
    followed = counts.by_status[STATUS_CARRIED]
    tracked = counts.total - followed
    rate = rate_text(done / tracked * 100 if tracked else None)
    overview = (
        _ledger_origin(view.name, entries)
        + f"截至{cn_date(today)}，"
        + "，".join(f"{s} {counts.by_status[s]} 项" for s in statuses)
        # “整改完成率 100%” alone, with 2 of 15 done and 13 carried over, was the figure a reader
        # quoted (rectification review): where some went on, it is named for what it counts
        + (f"，本轮跟踪项的整改完成率 {rate}" if followed else f"，整改完成率 {rate}")
        + (f"（已完成 {done} 项 ÷ 本轮跟踪的 {tracked} 项，不含已转入复查的 {followed} 项）" if followed else "")
        + "。"
        + _late_closes(counts)
        + _undecided(entries)
        + _carried_on(entries)
    )
    tones = {
        STATUS_PENDING: "muted",
        STATUS_IN_PROGRESS: "warn",
        STATUS_DONE: "good",
        STATUS_OVERDUE: "fail",
        STATUS_CARRIED: "ok",
    }
    chart = bar_chart(
        [Bar(s, counts.by_status[s], f"{counts.by_status[s]} 项", tones[s]) for s in statuses],
        maximum=max([*counts.by_status.values(), 1]),
        font_family=font_family,
        title="整改项状态",
        width_mm=105,
    )
    return RectificationReport(
        round_cover(view, "rectification", RECTIFICATION_TITLE, today),
        overview,
        statuses,
        by_department,
        status_totals,
        ledger,
        chart,
        _status_note(STATUS_CARRIED in statuses),
        images=images,
    )


#: printed in the 责任科室, 责任人 and 整改期限 of an unfinished rectification nobody filled in
UNDECIDED = "未定"


def _late_closes(counts: RectificationTotals) -> str:
    """按期完成: how many of those done were closed after their deadline (逾期完成), which looked
    the same as those closed in time (rectification review)."""
    done, late = counts.by_status[STATUS_DONE], counts.done_late
    if not late:
        return ""
    return f"已完成的 {done} 项中，按期完成 {done - late} 项，逾期完成 {late} 项（复查通过晚于整改期限）。"


def _undecided_named(cells: LedgerCells) -> LedgerCells:
    """An unfinished rectification's blank 责任科室, 责任人 and 整改期限 as 未定: a blank cell is
    passed over by a signer, 未定 is seen (rectification review)."""
    item, problem, cause, measure, department, owner, deadline, status = cells
    department, owner, deadline = (v or UNDECIDED for v in (department, owner, deadline))
    return item, problem, cause, measure, department, owner, deadline, status


def _undecided(entries: Sequence[RectificationEntry]) -> str:
    """How many unfinished rectifications have no 整改期限: they are never 逾期, and a report
    signed with blank cells said nothing of it (rectification review)."""
    n = sum(1 for e in entries if e.status in UNFINISHED_STATUSES and e.rectification.deadline is None)
    return (
        f"其中 {n} 项尚未确定整改期限（表中为“{UNDECIDED}”），没有期限就不会显示为逾期，请确定后再签字。" if n else ""
    )


def _carried_on(entries: Sequence[RectificationEntry]) -> str:
    """Where the rectifications a later 复查轮次 carried over are followed up ('' when none)."""
    carried = [e for e in entries if e.status == STATUS_CARRIED]
    if not carried:
        return ""
    rounds = "、".join(f"《{n}》" for n in dict.fromkeys(n for e in carried for n in e.carried_to))
    return f"已转入复查的 {len(carried)} 项在{rounds}中继续整改和复查，计入该轮的整改完成率，不再计为本轮未完成或逾期。"


def _status_note(carried: bool) -> str:
    """How each status follows from the data, as the 整改报告 explains it under the totals."""
    note = (
        "状态按统计日期判定：复查通过为“已完成”；超过整改期限仍未完成为“逾期”；已填写原因分析、整改措施或复查未通过为"
        "“整改中”；其余为“待整改”"
    )
    if carried:
        note += "；已由之后的复查轮次转入、在该轮继续整改和复查的为“已转入复查”（复查情况栏写明转入哪一轮）"
    return note + "。"

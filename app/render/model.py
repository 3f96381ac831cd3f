"""报告模型: everything a report prints, gathered from the services into plain dataclasses.

Templates only lay this out: no database access and no business rule lives in them. Numbers
are formatted here, once, so that the two reports and the GUI say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from .. import APP_NAME, __version__
from ..domain.checklist import Checklist, Item, Section, item_references
from ..domain.evaluation import MET, NA_PROFILE, NA_USER, NOT_MET, UNANSWERED, UNDETERMINED, Outcome
from ..domain.formats import cn_date, number_text, percent_text, rate_text, recheck_sentence
from ..domain.kinds import kind_of
from ..domain.outcome import verdict
from ..domain.records import RECTIFICATION_STATUSES, STATUS_DONE, STATUS_OVERDUE, Answer, Attachment
from ..domain.scoring import Tally, score_rule
from ..services.rectifications import NO_DEPARTMENT, RectificationEntry, ledger_cells, list_rectifications, totals
from ..services.rounds import RoundView, answers_by_item, load_round, score
from ..store import Store
from .assets import attachment_url
from .charts import Bar, bar_chart
from .images import ImageProblem, probe

__all__ = ["RectificationReport", "SelfReport", "build_rectification_report", "build_self_report"]

SELF_TITLE = "医疗质量自查报告"
RECTIFICATION_TITLE = "医疗质量自查整改报告"
#: who signs both reports (审核签字), in this order; the hospital seals them
SIGNATURE_ROLES = ("检查组组长", "质控办负责人", "院长")

#: Image attachments printed as thumbnails (others are listed by name), scaled to print resolution
#: (app/render/images.py); an image over its pixel limit is listed by name, never decoded.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGES_PER_RECTIFICATION = 4

#: css class of a result: how it is printed (bold, a mark), never colour alone
FAIL, WARN, OK, NA, NONE = "fail", "warn", "ok", "na", "none"


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


def _cover(view: RoundView, title: str, today: dt.date) -> Cover:
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
        draft=not view.is_final,
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
class SectionBlock:
    """A section's items, under its heading and those of the empty parent sections just above it
    (printed together, so that a heading never ends a page alone)."""

    headings: tuple[tuple[str, int], ...]
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class ChecklistResult:
    title: str
    document: str
    summary: str
    sections: tuple[SectionBlock, ...]
    chart: Markup


@dataclass(frozen=True)
class IndicatorRow:
    """指标（及抽查）与目标值对照."""

    number: str
    text: str
    kind: str
    target: str
    value: str
    result: str
    tone: str
    note: str


@dataclass(frozen=True)
class ProblemRow:
    """发现的问题: a failing item and where its rectification stands."""

    number: int
    item: str
    text: str
    result: str
    detail: str
    tone: str
    finding: str
    department: str
    rectification: str


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
    problems: list[ProblemRow]
    #: 历次自查趋势: the rounds compared, this one marked （本轮）, and a chart each (empty for a
    #: hospital's first round); the indicators beyond MAX_INDICATOR_TRENDS as (name, values) rows
    trend_rounds: list[str] = field(default_factory=list)
    trend_charts: list[Markup] = field(default_factory=list)
    trend_rest: list[tuple[str, str]] = field(default_factory=list)
    #: how 得分率 is computed, with the round's grade points (under the summary table)
    score_note: str = ""
    signatures: tuple[str, ...] = SIGNATURE_ROLES
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "self"


def _short(item: Item) -> str:
    """The number printed beside an item under its checklist's headings: ``05.1``, ``2.3`` (an
    indicator's ``.rate`` suffix is an id's business, not a reader's)."""
    return item.id.removeprefix(item.checklist_id + ".").removesuffix(".rate")


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


def _samples_text(outcome: Outcome) -> str:
    if not outcome.sample_count or outcome.value is None:
        return ""
    failed = round(outcome.sample_count * (1 - outcome.value / 100))
    return f"抽查 {outcome.sample_count} 份，不符合 {failed} 份"


def _indicator_row(checklist: Checklist, item: Item, outcome: Outcome, tone: str) -> IndicatorRow:
    state = verdict(outcome.state)
    kind = kind_of(item)
    note = "；".join(x for x in (_samples_text(outcome), outcome.reason) if x)  # the counts of sampled records
    value = kind.value_text(item, outcome) or "—"
    return IndicatorRow(
        _short(item),
        item.text,
        f"{checklist.label}·{kind.label}",
        kind.target_column(outcome),
        value,
        state,
        tone,
        note,
    )


def _finding(outcome: Outcome, answer: Answer | None) -> str:
    if outcome.state in (NA_PROFILE, NA_USER):
        return f"不适用原因：{outcome.reason}" if outcome.reason else ""
    parts = [answer.finding] if answer and answer.finding else []
    parts.append(_samples_text(outcome))
    if outcome.state in (NOT_MET, UNDETERMINED, MET):
        parts.append(outcome.reason)
    return "；".join(p for p in parts if p)


def _evidence(answer: Answer | None, files: Sequence[str]) -> str:
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


def _sections(sections: Sequence[Section], rows: dict[str, ItemRow]) -> list[SectionBlock]:
    """The sections in reading order; an empty section's heading goes with the next block."""
    out: list[SectionBlock] = []
    pending: list[tuple[str, int]] = []

    def walk(section: Section, depth: int) -> None:
        pending.append((section.title, depth))
        if section.items:
            out.append(SectionBlock(tuple(pending), tuple(rows[i.id] for i in section.items)))
            pending.clear()
        for sub in section.sections:
            walk(sub, depth + 1)

    for section in sections:
        walk(section, 1)
    return out


def _score_tone(score: float | None) -> str:
    if score is None:
        return "muted"
    return "fail" if score < 50 else "warn" if score < 75 else "ok"


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
                _short(item),
                item.text,
                kind_of(item).label,
                text,
                detail,
                tone,
                _finding(outcome, answer),
                _evidence(answer, files.get(item.id, ())),
                answer.department if answer else "",
            )
            if kind_of(item).measured and outcome.applicable:
                indicators.append(_indicator_row(checklist, item, outcome, tone))

    results = []
    checklist_bars = []
    for cs in result.checklists:
        blocks = _sections(cs.checklist.sections, rows)
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

    problems = _problems(view, result.outcomes, answers, rects)
    key_figures = [
        ("适用条目", f"{total.applicable} 条"),
        ("已评条目", f"{total.answered} 条"),
        ("完成率", percent_text(total.completion)),
        ("得分率", rate_text(total.score)),
        ("不符合", f"{total.failing} 条"),
        ("指标、抽查达标", f"{total.met} / {total.met + total.not_met + total.undetermined}"),
        ("整改项", f"{len(rects)} 项"),
    ]
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
        cover=_cover(view, SELF_TITLE, today),
        scope=scope,
        method=_method(view, rects),
        key_figures=key_figures,
        grade_codes=codes,
        summary=summary_rows,
        grade_chart=bar_chart(grade_bars, maximum=biggest, font_family=font_family, title="评价结果分布"),
        checklist_chart=bar_chart(checklist_bars, maximum=100, font_family=font_family, title="各检查表得分率"),
        results=results,
        indicators=indicators,
        problems=problems,
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


def _trend_values(values: Sequence[float | None]) -> str:
    """An indicator's values, oldest round first: ``38.6 → 66.01`` (— where a round has none)."""
    return " → ".join(number_text(v) for v in values)


def _trend(store: Store, round_id: str, today: dt.date, font_family: str) -> dict:
    """历次自查趋势: the same charts as the 概览 page, when the hospital has earlier rounds."""
    from ..services.overview import build_overview
    from .charts import Line, line_chart

    overview = build_overview(store, round_id, today)
    if overview.score_trend is None or overview.failing_trend is None:
        return {}
    trends = [(overview.score_trend, 100.0), (overview.failing_trend, None)]
    trends += [(t, None) for t in overview.indicator_trends[:MAX_INDICATOR_TRENDS]]
    rest = [
        (f"{t.title}（{t.unit}）" if t.unit else t.title, _trend_values(t.series["指标值"]))
        for t in overview.indicator_trends[MAX_INDICATOR_TRENDS:]
    ]
    # rounds are in the order of their dates: this one is the last, unless another began the same day
    current = max(n for n, name in enumerate(overview.rounds) if name == overview.round_name)
    rounds = [f"{name}（本轮）" if n == current else name for n, name in enumerate(overview.rounds)]
    charts = [
        line_chart(
            overview.rounds,
            [Line(name, tuple(values)) for name, values in t.series.items()],
            font_family=font_family,
            title=t.title,
            maximum=maximum,
            target=t.target,
            target_text=f"目标 {t.target:g}{t.unit}" if t.target is not None else "",
            unit=t.unit,
            height_mm=55,
        )
        for t, maximum in trends
    ]
    return {"trend_rounds": rounds, "trend_charts": charts, "trend_rest": rest}


def _problems(
    view: RoundView, outcomes: dict[str, Outcome], answers: dict[str, Answer], rects: Sequence[RectificationEntry]
) -> list[ProblemRow]:
    """Failing items, and items with a rectification by choice (C), in checklist order."""
    by_item = {item_id: e for e in rects for item_id in e.item_ids}
    references = item_references(view.checklists)
    out: list[ProblemRow] = []
    for item in view.items():
        outcome = outcomes[item.id]
        entry = by_item.get(item.id)
        if not (outcome.failing or entry):
            continue
        if entry is None:
            status = "未生成整改项"
        else:
            r = entry.rectification
            parts = [entry.status, r.department or NO_DEPARTMENT]
            if r.deadline:
                parts.append(f"期限 {r.deadline.isoformat()}")
            status = "，".join(parts)
        text, detail, tone = _result(item, outcome)
        answer = answers.get(item.id)
        out.append(
            ProblemRow(
                len(out) + 1,
                references[item.id],
                item.text,
                text,
                detail,
                tone,
                _finding(outcome, answer) or "—",
                answer.department if answer and answer.department else "",
                status,
            )
        )
    return out


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
    signatures: tuple[str, ...] = SIGNATURE_ROLES
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "rectification"


def _recheck_text(entry: RectificationEntry) -> str:
    r = entry.rectification
    return recheck_sentence(r.recheck_passed, r.recheck_date, r.rechecked_by, r.recheck_result)


def build_rectification_report(store: Store, round_id: str, today: dt.date, font_family: str) -> RectificationReport:
    """The 整改报告 / 整改台账 of a round, statuses told on ``today``."""
    view = load_round(store, round_id)
    entries = list_rectifications(store, round_id, today, view)
    counts = totals(entries)
    references = item_references(view.checklists)
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
        for a in files.get(r.id, []):
            name = a.filename
            if a.media_type in IMAGE_TYPES and a.size <= MAX_IMAGE_BYTES and len(thumbs) < MAX_IMAGES_PER_RECTIFICATION:
                data = store.attachment_data(a.id)
                try:
                    probe(data)  # the header only: a huge or damaged image is never decoded
                except ImageProblem as problem:
                    name = f"{name}（{problem}，未印出）"
                else:
                    images[a.id] = (data, a.media_type)
                    thumbs.append(Thumbnail(Markup(attachment_url(a.id)), a.filename))
            names.append(name)
        tone = FAIL if entry.status == STATUS_OVERDUE else OK if entry.status == STATUS_DONE else NONE
        ledger.append(
            LedgerRow(
                n,
                *ledger_cells(entry, references),
                tone,
                _recheck_text(entry),
                tuple(names),
                tuple(thumbs),
                "上轮转入" if r.carried_from else "",
            )
        )

    statuses = RECTIFICATION_STATUSES
    by_department = [
        DepartmentRow(d, tuple(c[s] for s in statuses), sum(c.values()))
        for d, c in sorted(counts.by_department.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    status_totals = DepartmentRow("合计", tuple(counts.by_status[s] for s in statuses), counts.total)
    done = counts.by_status[STATUS_DONE]
    rate = rate_text(done / counts.total * 100 if counts.total else None)
    overview = (
        f"本轮自查（{view.name}）共形成整改项 {counts.total} 项。截至{cn_date(today)}，"
        + "，".join(f"{s} {counts.by_status[s]} 项" for s in statuses)
        + f"，整改完成率 {rate}。"
    )
    tones = {"待整改": "muted", "整改中": "warn", "已完成": "good", "逾期": "fail"}
    chart = bar_chart(
        [Bar(s, counts.by_status[s], f"{counts.by_status[s]} 项", tones[s]) for s in statuses],
        maximum=max([*counts.by_status.values(), 1]),
        font_family=font_family,
        title="整改项状态",
        width_mm=105,
    )
    return RectificationReport(
        _cover(view, RECTIFICATION_TITLE, today),
        overview,
        statuses,
        by_department,
        status_totals,
        ledger,
        chart,
        images=images,
    )

"""概览: what a round comes to, and how the hospital's rounds compare over time.

Plain numbers for the overview page and the 自查报告's 趋势 section; the charts are drawn from
them by app.render.charts, one code path for the screen and the PDF.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..domain.checklist import Checklist, Grade
from ..domain.evaluation import indicator_value
from ..domain.formats import cn_date, number_text, open_rectifications_text, rate_text, rounds_left_out_sentence
from ..domain.kinds import kind_of
from ..domain.outcome import MET, NOT_MET, UNDETERMINED, verdict
from ..domain.records import (
    RECTIFICATION_STATUSES,
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_OVERDUE,
    UNFINISHED_STATUSES,
    Answer,
)
from ..domain.scoring import RoundScore, Tally, score_round
from ..store import Store
from ..store.records import RoundRecord
from .rectifications import NO_DEPARTMENT, RectificationEntry, list_rectifications
from .rounds import RoundView, answers_by_item, load_round, previous_values, samples_by_item, score


@dataclass(frozen=True)
class Bar:
    """One bar: what it shows, its value, and what clicking it filters to."""

    label: str
    value: float | None
    text: str
    tone: str = "ok"
    #: ("section", section id) · ("mode", walkthrough filter) · ("department", name)
    target: tuple[str, str] | None = None


@dataclass(frozen=True)
class Trend:
    """A value per round (None where the round lacks it), and the target line if there is one."""

    title: str
    series: dict[str, list[float | None]]
    target: float | None = None
    unit: str = ""
    #: computed from counts (a rate) rather than entered: decides its decimals (formats.measure_decimals)
    computed: bool = True
    #: the target as the checklist states it for the round's year, e.g. ``≥80%``
    target_text: str = ""
    #: per round, whether that round found its value short of its target (that year's, or the
    #: baseline's); empty where nothing has a target (the scores, the failing items)
    not_met: list[bool] = field(default_factory=list)
    #: per round, the decimals that round shows its value with where its usual ones would round
    #: it to its target (79.96% beside ≥80%; Outcome.decimals), else None; empty: none anywhere
    decimals: list[int | None] = field(default_factory=list)

    def value_text(self, value: float | None, n: int) -> str:
        """Round ``n``'s value as the trend's chart and table write it: its unit's decimals, or
        the more that round's own report shows it with (``decimals``)."""
        return number_text(value, self.unit, self.computed, self.decimals[n] if self.decimals else None)


@dataclass
class Overview:
    round_name: str
    checklists: list[Bar] = field(default_factory=list)
    sections: dict[str, list[Bar]] = field(default_factory=dict)
    grades: list[Bar] = field(default_factory=list)
    departments: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    #: 未完成 per department (逾期 named): those a later 复查轮次 follows up are not open here
    department_bars: list[Bar] = field(default_factory=list)
    closed_per_month: list[Bar] = field(default_factory=list)
    #: earlier rounds of the same hospital, oldest first, then this one: those the trend shows
    rounds: list[str] = field(default_factory=list)
    round_dates: list[dt.date] = field(default_factory=list)
    #: the hospital's rounds before those (name, date), oldest first: beyond the trend's window
    earlier_rounds: list[tuple[str, dt.date]] = field(default_factory=list)
    #: the hospital's rounds after this one, oldest first: the trend of a round stops at it
    later_rounds: list[str] = field(default_factory=list)
    score_trend: Trend | None = None
    failing_trend: Trend | None = None
    #: each round's applicable items, as the trend's rounds: what its 不符合条目数 is out of
    applicable: list[int] = field(default_factory=list)
    #: each round's checklists (ids), as the trend's rounds
    checklist_ids: list[tuple[str, ...]] = field(default_factory=list)
    indicator_trends: list[Trend] = field(default_factory=list)

    def trend_intro(self) -> str:
        """The sentence above the trend charts, on the 概览 page and in the 自查报告: the rounds they
        compare, in order, each with its date (the charts write the dates where names do not fit):
        ``本院各轮自查按自查日期先后比较如下：一季度自查（2025年3月15日）、二季度自查（本轮，2025年6月15日）。``"""
        # rounds are in the order of their dates: this one is the last, unless another began the same day
        current = max(n for n, name in enumerate(self.rounds) if name == self.round_name)
        listed = "、".join(
            f"{name}（{'本轮，' if n == current else ''}{cn_date(day)}）"
            for n, (name, day) in enumerate(zip(self.rounds, self.round_dates, strict=True))
        )
        whose = f"本院最近 {len(self.rounds)} 轮自查" if self.earlier_rounds else "本院各轮自查"
        return f"{whose}按自查日期先后比较如下：{listed}。"

    def failing_note(self) -> str:
        """When the rounds used different checklists, their 不符合条目数 are out of different
        numbers of items: 90, 13, 14, 17, 80, 98 read as a collapse and a relapse where seven
        checklists alternated with two (review of the printed reports). '' when all are alike."""
        # not for items graded 不适用 or a changed profile: the sentence says the checklists differ
        if len(set(self.checklist_ids)) <= 1 or len(set(self.applicable)) <= 1 or self.failing_trend is None:
            return ""
        failing = self.failing_trend.series["不符合"]
        pairs = "、".join(
            f"{name} {int(n or 0)}/{total}"
            for name, n, total in zip(self.rounds, failing, self.applicable, strict=True)
        )
        return f"各轮所选检查表不同，适用条目数不同，不符合条目数请对照适用条目数看（不符合/适用）：{pairs}。"

    def left_out_note(self) -> str:
        """What the trend leaves out, said where the charts are ('' when it shows every round)."""
        return rounds_left_out_sentence(self.earlier_rounds)

    def later_note(self) -> str:
        """On the 概览 of an earlier round: the rounds after it, which its trend does not show
        ('' when it is the latest). A first round of several did say “本院只有这一轮自查”."""
        if not self.later_rounds:
            return ""
        return (
            f"本轮之后另有 {len(self.later_rounds)} 轮自查，不在此比较；"
            f"打开最近一轮（{self.later_rounds[-1]}）的概览，可看到包括本轮在内的变化趋势。"
        )

    def no_trend_note(self) -> str:
        """Where the trend charts would be, when no earlier round can be compared with this one."""
        if self.later_rounds:
            return "本轮之前没有自查可比较。" + self.later_note()
        return "本院只有这一轮自查：开展复查或下一轮自查后，这里显示各轮得分、不符合条目和指标的变化趋势。"


#: a bar of failing items filters the walkthrough to 不符合
FAILING = ("mode", "failing")


def _tone(score: float | None) -> str:
    return "muted" if score is None else "fail" if score < 50 else "warn" if score < 75 else "ok"


def same_hospital_rounds(store: Store, view: RoundView) -> tuple[list[RoundRecord], list[RoundRecord]]:
    """The rounds of this round's hospital up to it, and those after it, oldest first (a
    database that collects several hospitals keeps each one's trend apart): their records, read
    without their checklists or answers (two years of monthly rounds are 24; the trend shows 12)."""
    every = sorted(
        (record for record in store.rounds() if record.profile.get("name") == view.profile.name),
        key=lambda r: (r.started_on, r.name),
    )
    day = view.started_on.isoformat()
    return [r for r in every if r.started_on <= day], [r for r in every if r.started_on > day]


#: the earlier rounds a trend has read, by id: the stamp they were read at (their own newest change
#: and their previous round's, whose values 逐步提高/降低 compares with), the round, its answers and
#: its score. A session keeps them: 概览 scored 11 rounds again on every redraw, whatever had changed
EarlierRounds = dict[str, tuple[tuple[int | None, int | None], RoundView, dict[str, Answer], RoundScore]]


def build_overview(
    store: Store, round_id: str, today: dt.date, *, max_trends: int = 12, earlier: EarlierRounds | None = None
) -> Overview:
    """The 概览 of a round; ``earlier`` (kept by the caller between calls) spares reading again the
    earlier rounds of the trend that have not changed since."""
    view = load_round(store, round_id)
    result = score(store, round_id, view)
    out = Overview(view.name)
    _add_scores(out, result)
    out.grades = outcome_bars(view.checklists, result.tally)
    _add_rectifications(out, list_rectifications(store, round_id, today, view))
    every, later = same_hospital_rounds(store, view)
    out.later_rounds = [r.name for r in later]
    shown, left_out = every[-max_trends:], every[: max(len(every) - max_trends, 0)]
    out.rounds = [r.name for r in shown]
    out.round_dates = [dt.date.fromisoformat(r.started_on) for r in shown]
    out.earlier_rounds = [(r.name, dt.date.fromisoformat(r.started_on)) for r in left_out]
    if len(shown) > 1:  # only the rounds the trend shows are opened and scored
        _add_trends(out, store, view, result, _earlier_rounds(store, view, shown, {} if earlier is None else earlier))
    return out


def _earlier_rounds(
    store: Store, view: RoundView, shown: Sequence[RoundRecord], earlier: EarlierRounds
) -> list[tuple[RoundView, dict[str, Answer], RoundScore | None]]:
    """The rounds the trend draws, each with its answers and score (None: ``view``, scored by the
    caller), read from ``earlier`` where they have not changed since, and kept there."""
    stamps = store.change_stamps()
    out: list[tuple[RoundView, dict[str, Answer], RoundScore | None]] = []
    known: dict[str, tuple[RoundView, dict[str, Answer]]] = {}
    for record in shown:  # oldest first: a round's previous one is read before it
        if record.id == view.id:
            answers = answers_by_item(store, view.id)
            out.append((view, answers, None))
            known[view.id] = (view, answers)
            continue
        stamp = (stamps.get(record.id), stamps.get(record.previous_round_id or ""))
        kept = earlier.get(record.id)
        if kept is None or kept[0] != stamp:
            round_view = load_round(store, record.id)
            answers = answers_by_item(store, record.id)
            scored = score_round(
                round_view.checklists,
                round_view.profile,
                round_view.year,
                answers,
                samples_by_item(store, record.id),
                previous_values(store, round_view, known),
            )
            kept = earlier[record.id] = (stamp, round_view, answers, scored)
        out.append(kept[1:])
        known[record.id] = (kept[1], kept[2])
    return out


def _add_scores(out: Overview, result: RoundScore) -> None:
    """A bar per checklist, and per checklist a bar per section."""
    for cs in result.checklists:
        t = cs.tally
        out.checklists.append(
            Bar(
                cs.checklist.label,
                t.score,
                f"{rate_text(t.score)}（已评 {t.answered}/{t.applicable}）",  # not the score's own fraction
                _tone(t.score),
                ("checklist", cs.checklist.id),
            )
        )
        out.sections[cs.checklist.label] = [
            Bar(
                s.section.title,
                s.tally.score,
                rate_text(s.tally.score) + (f"（{s.tally.failing}✗）" if s.tally.failing else ""),
                _tone(s.tally.score),
                ("section", s.section.id),
            )
            for s in cs.sections
        ]


def outcome_bars(checklists: Sequence[Checklist], total: Tally) -> list[Bar]:
    """评价结果分布: the items per grade (every scale of the round, each grade once, in the
    checklists' order), the indicator and sampling items per verdict, then 不适用 and 未填.
    The failing bars add up to the 不符合 count the header, the CLI and the reports show."""
    grades: dict[str, Grade] = {}
    for checklist in checklists:
        for grade in checklist.scale.grades:
            grades.setdefault(grade.code, grade)  # the first scale's wording wins
    bars = []
    for code, grade in grades.items():
        count = total.grade_counts.get(code, 0)
        tone = "fail" if grade.failing else "warn" if grade.offers_rectification else "ok"
        bars.append(_items_bar(grade.display, count, tone, FAILING if grade.failing else None))
    if total.met + total.not_met + total.undetermined:
        bars.append(_items_bar(f"指标、抽查{verdict(MET)}", total.met, "ok"))
        bars.append(_items_bar(f"指标、抽查{verdict(NOT_MET)}", total.not_met, "fail", FAILING))
        if total.undetermined:
            bars.append(_items_bar(f"指标、抽查{verdict(UNDETERMINED)}", total.undetermined, "warn"))
    bars.append(_items_bar("不适用", total.not_applicable, "muted", ("mode", "na")))
    bars.append(_items_bar("未填", total.unanswered, "muted", ("mode", "unanswered")))
    return bars


def _items_bar(label: str, count: int, tone: str, target: tuple[str, str] | None = None) -> Bar:
    return Bar(label, count, f"{count} 条", tone, target)


def _add_rectifications(out: Overview, entries: list[RectificationEntry]) -> None:
    """Rectifications per department and status (most first), and those closed per month."""
    by_department: dict[str, Counter] = {}
    closed: Counter = Counter()
    for e in entries:
        r = e.rectification
        by_department.setdefault(r.department or NO_DEPARTMENT, Counter())[e.status] += 1
        if e.status == STATUS_DONE and r.recheck_date:
            closed[r.recheck_date.strftime("%Y-%m")] += 1
    out.departments = [
        (d, {s: c[s] for s in RECTIFICATION_STATUSES})
        for d, c in sorted(by_department.items(), key=lambda kv: -sum(kv[1].values()))
    ]
    out.department_bars = [
        Bar(
            d,
            unfinished := sum(c[s] for s in UNFINISHED_STATUSES),
            open_rectifications_text(unfinished, c[STATUS_OVERDUE], c[STATUS_CARRIED]),
            "fail" if c[STATUS_OVERDUE] else "warn",
            ("department", d),
        )
        for d, c in out.departments
    ]
    out.closed_per_month = [Bar(month, count, f"{count} 项", "good") for month, count in sorted(closed.items())]


def _add_trends(
    out: Overview,
    store: Store,
    view: RoundView,
    result: RoundScore,
    rounds: list[tuple[RoundView, dict[str, Answer], RoundScore | None]],
) -> None:
    """Scores and failing items across the hospital's rounds, and each indicator with two values or more."""
    history = [v for v, _, _ in rounds]
    answers = [a for _, a, _ in rounds]
    results = [result if scored is None else scored for _, _, scored in rounds]
    labels = {c.id: c.label for v in history for c in v.checklists}
    series: dict[str, list[float | None]] = {label: [] for label in labels.values()}
    for res in results:
        scores = {c.checklist.id: c.tally.score for c in res.checklists}
        for checklist_id, label in labels.items():
            series[label].append(scores.get(checklist_id))
    out.score_trend = Trend("各检查表得分率", series, unit="%")
    out.failing_trend = Trend(
        "不符合条目数", {"不符合": [float(r.tally.failing) for r in results]}, unit="条", computed=False
    )
    out.applicable = [r.tally.applicable for r in results]
    out.checklist_ids = [tuple(c.id for c in v.checklists) for v in history]
    items = [{i.id: i for i in v.items()} for v in history]  # looked up for every indicator
    for item in view.items():
        if not kind_of(item).numeric or not item.applies_to(view.profile):
            continue
        values: list[float | None] = []
        for ans, found_in, res in zip(answers, items, results, strict=True):
            found = found_in.get(item.id)
            if found is None or not res.outcomes[item.id].applicable:
                # 不适用 there keeps the numbers typed before it: its own report says 不适用, and
                # the trend drew the old value (numbers review)
                values.append(None)
                continue
            # a rate is recomputed in this round's unit (an older round may have kept % for ‰)
            definition = item if found.input == "ratio" else found
            values.append(indicator_value(definition, ans.get(item.id)))
        if sum(value is not None for value in values) >= 2:
            label = next(c.label for c in view.checklists if c.id == item.checklist_id)
            out.indicator_trends.append(
                Trend(
                    f"{label}：{item.text}",
                    {"指标值": values},
                    item.target_for(view.year),
                    item.unit,
                    kind_of(item).computed(item),
                    result.outcomes[item.id].target_text,  # as the tables print it
                    [item.id in r.outcomes and r.outcomes[item.id].state == NOT_MET for r in results],
                    [r.outcomes[item.id].decimals if item.id in r.outcomes else None for r in results],
                )
            )

"""Completion and scores of a round, per checklist and section (完成率、得分、等级分布)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .checklist import Checklist, Item, Scale, Section
from .evaluation import MET, NOT_MET, UNDETERMINED, Outcome, evaluate
from .formats import fixed
from .kinds import kind_of
from .profile import HospitalProfile
from .records import Answer, SampleRecord


def completion_percent(completion: float) -> int:
    """完成率 as a whole percentage, rounded half up (2 of 3 is 67%), but 100% only when nothing is
    left to answer (510 of 511 is 99%). The epsilon absorbs binary fractions (29/100 × 100 = 28.999…)."""
    percent = int(completion * 100 + 0.5 + 1e-9)
    return 99 if percent == 100 and completion < 1 else percent


@dataclass
class Tally:
    """Counts over a set of items (统计): answered, not applicable, failing, points."""

    total: int = 0
    not_applicable: int = 0
    answered: int = 0
    failing: int = 0
    grade_counts: Counter = field(default_factory=Counter)
    points: float = 0.0
    max_points: float = 0.0
    met: int = 0
    not_met: int = 0
    undetermined: int = 0

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def unanswered(self) -> int:
        return self.applicable - self.answered

    @property
    def completion(self) -> float:
        """完成率 in 0..1; a section with nothing applicable counts as complete."""
        return self.answered / self.applicable if self.applicable else 1.0

    @property
    def score(self) -> float | None:
        """得分率 in %, over the scored items (graded judgements); None until something is scored."""
        return self.points / self.max_points * 100 if self.max_points else None

    def count(self, item: Item, scale: Scale, outcome: Outcome) -> None:
        self.total += 1
        if not outcome.applicable:
            self.not_applicable += 1
            return
        if not outcome.answered:
            return
        self.answered += 1
        self.failing += outcome.failing
        if outcome.grade is not None:
            self.grade_counts[outcome.grade.code] += 1
        scored = kind_of(item).points(scale, outcome)
        if scored is not None:
            self.points += scored[0]
            self.max_points += scored[1]
        self.met += outcome.state == MET
        self.not_met += outcome.state == NOT_MET
        self.undetermined += outcome.state == UNDETERMINED

    def add(self, other: Tally) -> None:
        for name in (
            "total",
            "not_applicable",
            "answered",
            "failing",
            "points",
            "max_points",
            "met",
            "not_met",
            "undetermined",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.grade_counts.update(other.grade_counts)

    def to_dict(self) -> dict:
        return {
            "items": self.total,
            "applicable": self.applicable,
            "not_applicable": self.not_applicable,
            "answered": self.answered,
            # half up, as every screen and report rounds (round() gave 56.2 for the 56.25 they print 56.3)
            "completion": float(fixed(self.completion * 100, 1)),
            "score": None if self.score is None else float(fixed(self.score, 1)),
            "grades": dict(self.grade_counts),
            "failing": self.failing,
            "indicators_met": self.met,
            "indicators_not_met": self.not_met,
            "indicators_undetermined": self.undetermined,
        }


@dataclass
class SectionScore:
    """A section's tally, with its sub-sections'."""

    section: Section
    tally: Tally
    sections: list[SectionScore]


@dataclass
class ChecklistScore:
    """A checklist's tally, with its sections'."""

    checklist: Checklist
    tally: Tally
    sections: list[SectionScore]


@dataclass
class RoundScore:
    """A round's score (得分): the whole tally, per checklist, and every item's outcome."""

    tally: Tally
    checklists: list[ChecklistScore]
    outcomes: dict[str, Outcome]

    def to_dict(self) -> dict:
        def section(s: SectionScore) -> dict:
            return {
                "id": s.section.id,
                "title": s.section.title,
                **s.tally.to_dict(),
                "sections": [section(sub) for sub in s.sections],
            }

        return {
            **self.tally.to_dict(),
            "checklists": [
                {
                    "id": c.checklist.id,
                    "title": c.checklist.title,
                    **c.tally.to_dict(),
                    "sections": [section(s) for s in c.sections],
                }
                for c in self.checklists
            ],
        }


def score_rule(checklists: Sequence[Checklist]) -> str:
    """How :attr:`Tally.score` is computed, in words, with the grade points of the checklists'
    scales: only graded judgements count, each its grade's points out of its scale's top points."""
    scales: dict[str, tuple[Scale, list[str]]] = {}
    for checklist in checklists:
        scales.setdefault(checklist.scale.id, (checklist.scale, []))[1].append(checklist.label)

    def points(scale: Scale) -> str:
        return "、".join(f"{g.code} {g.points:g} 分" for g in scale.grades)

    if len(scales) == 1:
        scale = next(iter(scales.values()))[0]
        each = points(scale)
        formula = f"÷（{'、'.join(scale.codes())} 条目数之和 × {scale.max_points:g} 分）× 100%"
    else:
        each = "；".join(f"{'、'.join(labels)}：{points(scale)}" for scale, labels in scales.values())
        formula = "÷ 各条满分（其评分标准的最高分）之和 × 100%"
    return f"得分率只计评定了等级的评价条目，每条按等级计分（{each}）：得分率 = 各条得分之和 {formula}。"


def score_round(
    checklists: Sequence[Checklist],
    profile: HospitalProfile,
    year: int,
    answers: Mapping[str, Answer],
    samples: Mapping[str, Sequence[SampleRecord]],
    previous_values: Mapping[str, float] | None = None,
) -> RoundScore:
    """Evaluate every item of the round and add the results up by section and checklist."""
    previous_values = previous_values or {}
    outcomes: dict[str, Outcome] = {}

    def score_section(section: Section, scale: Scale) -> SectionScore:
        tally = Tally()
        for item in section.items:
            outcome = evaluate(
                item, scale, profile, year, answers.get(item.id), samples.get(item.id, ()), previous_values.get(item.id)
            )
            outcomes[item.id] = outcome
            tally.count(item, scale, outcome)
        subs = [score_section(sub, scale) for sub in section.sections]
        for sub in subs:
            tally.add(sub.tally)
        return SectionScore(section, tally, subs)

    overall = Tally()
    results = []
    for checklist in checklists:
        sections = [score_section(s, checklist.scale) for s in checklist.sections]
        tally = Tally()
        for s in sections:
            tally.add(s.tally)
        overall.add(tally)
        results.append(ChecklistScore(checklist, tally, sections))
    return RoundScore(overall, results, outcomes)


def rescore(result: RoundScore, changed: Mapping[str, Outcome]) -> tuple[RoundScore, frozenset[str]]:
    """``result`` with the outcomes of a few items replaced, and the ids of the sections whose
    tally was counted again.

    Only the sections that hold a changed item (and their parents, their checklist and the round)
    are counted again; every other section's tally is reused, so a save that changes one answer
    costs its section, not the round.
    """
    outcomes = {**result.outcomes, **changed}
    touched: set[str] = set()

    def recount(score: SectionScore, scale: Scale) -> SectionScore:
        subs = [recount(sub, scale) for sub in score.sections]
        own = any(item.id in changed for item in score.section.items)
        if not own and all(new is old for new, old in zip(subs, score.sections, strict=True)):
            return score
        touched.add(score.section.id)
        tally = Tally()
        for item in score.section.items:
            tally.count(item, scale, outcomes[item.id])
        for sub in subs:
            tally.add(sub.tally)
        return SectionScore(score.section, tally, subs)

    checklists = []
    for checklist_score in result.checklists:
        sections = [recount(s, checklist_score.checklist.scale) for s in checklist_score.sections]
        if all(new is old for new, old in zip(sections, checklist_score.sections, strict=True)):
            checklists.append(checklist_score)
            continue
        tally = Tally()
        for s in sections:
            tally.add(s.tally)
        checklists.append(ChecklistScore(checklist_score.checklist, tally, sections))
    overall = Tally()
    for c in checklists:
        overall.add(c.tally)
    return RoundScore(overall, checklists, outcomes), frozenset(touched)

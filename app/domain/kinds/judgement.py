"""评价: an item graded on the checklist's scale (A–D, 符合/部分符合/不符合, 是/否)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...errors import InputError
from ..outcome import GRADED, UNANSWERED, Outcome
from .base import DefinitionProblem, ItemKind

if TYPE_CHECKING:
    from ..checklist import Item, Scale
    from ..records import Answer, SampleRecord

#: Fields of the measured kinds that a judgement item must not carry (a sign of a wrong ``kind``).
_NOT_USED = ("unit", "direction", "targets", "target", "input", "min_samples")


class Judgement(ItemKind):
    name = "judgement"
    label = "评价"
    graded = True

    def definition_problems(self, item: Mapping[str, Any]) -> Iterable[DefinitionProblem]:
        for key in _NOT_USED:
            if key in item:
                yield key, f"评价条目不使用字段“{key}”"

    def validate_grade(self, scale: Scale, grade: str) -> None:
        if scale.grade(grade) is None:
            raise InputError(f"等级“{grade}”无效，可选：{'、'.join(scale.codes())}、不适用（NA）。", "grade")

    def evaluate(
        self,
        item: Item,
        scale: Scale,
        year: int,
        answer: Answer | None,
        samples: Sequence[SampleRecord],
        previous_value: float | None,
    ) -> Outcome:
        grade = scale.grade(answer.grade) if answer and answer.grade else None
        return Outcome(GRADED, grade=grade) if grade else Outcome(UNANSWERED)

    def points(self, scale: Scale, outcome: Outcome) -> tuple[float, float] | None:
        return None if outcome.grade is None else (outcome.grade.points, scale.max_points)

    def problem_text(self, item: Item, outcome: Outcome, year: int) -> str:
        return f"评价为“{outcome.grade.display}”" if outcome.grade is not None else ""

    @property
    def reference_suffix(self) -> str:
        return ""  # most items are judgements: only the others say what they are

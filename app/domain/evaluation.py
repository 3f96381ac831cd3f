"""How one item stands in a round: answered or not, met or not, failing or not.

What differs between item kinds is the kind's (:mod:`.kinds`); this module applies what all kinds
share (applicability, 不适用 chosen by the user) and asks the item's kind for the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from .checklist import NOT_APPLICABLE, Item, Scale
from .kinds import kind_of
from .kinds.indicator import compare, indicator_value
from .kinds.sampling import sampling_outcome, sampling_rate
from .outcome import (
    GRADED,
    MET,
    NA_PROFILE,
    NA_USER,
    NOT_MET,
    STATE_LABELS,
    UNANSWERED,
    UNDETERMINED,
    Outcome,
)
from .profile import HospitalProfile
from .records import Answer, SampleRecord

__all__ = [
    "GRADED",
    "MET",
    "NA_PROFILE",
    "NA_USER",
    "NOT_MET",
    "STATE_LABELS",
    "UNANSWERED",
    "UNDETERMINED",
    "Outcome",
    "compare",
    "evaluate",
    "indicator_value",
    "problem_sentence",
    "result_text",
    "sampling_outcome",
    "sampling_rate",
]


def evaluate(
    item: Item,
    scale: Scale,
    profile: HospitalProfile,
    year: int,
    answer: Answer | None = None,
    samples: Sequence[SampleRecord] = (),
    previous_value: float | None = None,
) -> Outcome:
    """The item's outcome in a round for this hospital."""
    if not item.applies_to(profile):
        return Outcome(NA_PROFILE, reason=item.not_applicable_reason(profile))
    if answer is not None and answer.grade == NOT_APPLICABLE:
        return Outcome(NA_USER, reason=answer.na_reason)
    return kind_of(item).evaluate(item, scale, year, answer, samples, previous_value)


def problem_sentence(item: Item, outcome: Outcome, answer: Answer | None, year: int) -> str:
    """问题描述 of an item with a problem (failing, or given a rectification on a C grade): the one
    sentence both reports, the workbook and the 整改台账 print for it.

    A value below its target says what is wrong with it against what target, then the finding the
    user wrote (``指标值 2.33例次/千导管日（6/2580），未低于基线值 1.00例次/千导管日（要求逐步降低）``,
    ``抽查 10 份，1 份不符合（要求全部符合）``); a graded item gives the finding, or its grade when
    none is written (``评价为“D 不符合”``).
    """
    finding = answer.finding if answer is not None and answer.finding else ""
    stated = kind_of(item).problem_text(item, outcome, year)
    if outcome.state == NOT_MET:
        return "；".join(x for x in (stated, finding) if x)
    return finding or stated


def result_text(item: Item, outcome: Outcome) -> str:
    """An item's result in a few words: ``B 有监管``, ``达标 66.0%``, ``不适用``, ``未填``."""
    if outcome.grade is not None:
        return outcome.grade.display
    value = kind_of(item).value_text(item, outcome) if outcome.applicable else ""
    return f"{outcome.label} {value}" if value else outcome.label

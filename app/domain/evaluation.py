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

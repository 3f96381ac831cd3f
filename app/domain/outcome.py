"""The outcome of one item in a round (评价结果): its state, grade or value against the target.

Kept apart from :mod:`.evaluation` so that the item kinds (:mod:`.kinds`), which make outcomes,
and ``evaluate``, which looks the kinds up, do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checklist import Grade

# Outcome states
UNANSWERED = "unanswered"
NA_PROFILE = "na_profile"  # 不适用 because of the hospital profile
NA_USER = "na_user"  # 不适用 chosen by the user, with a reason
GRADED = "graded"  # judgement item with a grade
MET = "met"  # indicator / sampling meets its target
NOT_MET = "not_met"
UNDETERMINED = "undetermined"  # value entered, but no target or reference to compare with

STATE_LABELS = {
    UNANSWERED: "未填",
    NA_PROFILE: "不适用",
    NA_USER: "不适用",
    GRADED: "已评",
    MET: "达标",
    NOT_MET: "未达标",
    UNDETERMINED: "待判定",
}


#: the states of an item measured against a target
MEASURED_STATES = (MET, NOT_MET, UNDETERMINED)


def verdict(state: str, otherwise: str = STATE_LABELS[UNANSWERED]) -> str:
    """达标 / 未达标 / 待判定 of a measured item, as every report, workbook and screen words it;
    ``otherwise`` for any other state."""
    return STATE_LABELS[state] if state in MEASURED_STATES else otherwise


@dataclass(frozen=True)
class Outcome:
    """What an item's answer comes to (评价结果): its state, grade or value against the target."""

    state: str
    grade: Grade | None = None
    #: indicator value or sampling compliance rate (%)
    value: float | None = None
    target_text: str = ""
    #: why it is not applicable, or why it cannot be judged
    reason: str = ""
    sample_count: int = 0
    #: (分子, 分母) the value was computed from: records 符合 and checked, or an indicator's counts
    counts: tuple[float, float] | None = None
    #: decimals the value is shown with where its usual ones would round it to its target's
    #: side (89.96% against ≥90% printed “90.0%, 未达标”); None: the unit's usual ones
    decimals: int | None = None
    #: fewer records checked than the item requires: shown, but not yet done (待判定, unfinished)
    incomplete: bool = False

    @property
    def answered(self) -> bool:
        return self.state not in (UNANSWERED, NA_PROFILE) and not self.incomplete

    @property
    def applicable(self) -> bool:
        return self.state not in (NA_PROFILE, NA_USER)

    @property
    def unfinished(self) -> bool:
        """未填 as completion counts it: applicable and not answered, a sampling item with too few
        records (待判定) too; the 未填 filter, F3 and the 未填 bar all go by it."""
        return self.applicable and not self.answered

    @property
    def failing(self) -> bool:
        """不符合: grade D (or the scale's failing grade), target not met."""
        return self.state == NOT_MET or (self.grade is not None and self.grade.failing)

    @property
    def offers_rectification(self) -> bool:
        return self.grade is not None and self.grade.offers_rectification

    @property
    def label(self) -> str:
        if self.grade is not None:
            return self.grade.code
        return STATE_LABELS[self.state]

"""How one item stands in a round: answered or not, met or not, failing or not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .checklist import INDICATOR, JUDGEMENT, NOT_APPLICABLE, SAMPLING, Grade, Item, Scale
from .profile import HospitalProfile
from .records import Answer, SampleRecord

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
    #: fewer records checked than the item requires: shown, but not yet done (待判定, unfinished)
    incomplete: bool = False

    @property
    def answered(self) -> bool:
        return self.state not in (UNANSWERED, NA_PROFILE) and not self.incomplete

    @property
    def applicable(self) -> bool:
        return self.state not in (NA_PROFILE, NA_USER)

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


def indicator_value(item: Item, answer: Answer | None) -> float | None:
    """The indicator's value: entered directly, or numerator / denominator × the unit's multiplier."""
    if answer is None:
        return None
    if item.input == "ratio":
        if answer.numerator is None or not answer.denominator:
            return None
        return answer.numerator / answer.denominator * item.rate_multiplier
    return answer.value


def sampling_rate(samples: Sequence[SampleRecord]) -> float | None:
    if not samples:
        return None
    return sum(1 for s in samples if s.compliant) / len(samples) * 100


def compare(item: Item, value: float, year: int, reference: float | None) -> tuple[str, str]:
    """(state, reason) of a value against the item's target for ``year``.

    Direction-only indicators (逐步提高/逐步降低) compare with ``reference``: the baseline the
    user entered, or the value of the previous round.
    """
    if item.direction in ("increase", "decrease"):
        if reference is None:
            return UNDETERMINED, "无基线或上一轮数值，无法判断是否改进"
        improved = value > reference if item.direction == "increase" else value < reference
        return (MET if improved else NOT_MET), f"对照值 {reference:g}{item.unit}"
    target = item.target_for(year)
    if target is None:
        return UNDETERMINED, f"{year}年无目标值"
    if item.direction == "<=":
        ok = value <= target
    elif item.direction == ">":  # 大于: the target itself does not meet it
        ok = value > target
    else:
        ok = value >= target
    return (MET if ok else NOT_MET), ""


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
    if item.kind == JUDGEMENT:
        grade = scale.grade(answer.grade) if answer and answer.grade else None
        return Outcome(GRADED, grade=grade) if grade else Outcome(UNANSWERED)
    target_text = item.target_text(year) if item.kind == INDICATOR else _sampling_target(item, year)
    if item.kind == INDICATOR:
        value = indicator_value(item, answer)
        if value is None:
            return Outcome(UNANSWERED, target_text=target_text)
        reference = answer.baseline if answer and answer.baseline is not None else previous_value
        state, reason = compare(item, value, year, reference)
        return Outcome(state, value=value, target_text=target_text, reason=reason)
    assert item.kind == SAMPLING
    return sampling_outcome(item, samples, year)


def sampling_outcome(item: Item, samples: Sequence[SampleRecord], year: int) -> Outcome:
    """抽查: the compliance rate against the year's target.

    Fewer records than ``min_samples`` can show a failure but not a pass: 待判定 until enough
    records are checked.
    """
    target_text = _sampling_target(item, year)
    rate = sampling_rate(samples)
    if rate is None:
        return Outcome(UNANSWERED, target_text=target_text)
    target = item.target_for(year)
    if target is None:
        return Outcome(
            UNDETERMINED, value=rate, target_text=target_text, reason=f"{year}年无目标值", sample_count=len(samples)
        )
    state = MET if rate >= target else NOT_MET
    reason = ""
    incomplete = False
    if item.min_samples and len(samples) < item.min_samples:
        reason = f"份数少于要求的 {item.min_samples} 份"  # the count itself is printed beside it
        if state == MET:
            state, reason, incomplete = UNDETERMINED, reason + "，暂不能判定达标", True
    return Outcome(
        state, value=rate, target_text=target_text, reason=reason, sample_count=len(samples), incomplete=incomplete
    )


def _sampling_target(item: Item, year: int) -> str:
    target = item.target_for(year)
    if target is None:
        return f"{year}年无目标值"
    return "全部符合" if target >= 100 else f"符合率≥{target:g}%"

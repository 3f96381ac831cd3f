"""抽查: records checked one by one (符合/不符合), the compliance rate against a required rate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..outcome import MET, NOT_MET, UNANSWERED, UNDETERMINED, Outcome
from .base import DefinitionProblem, ItemKind

if TYPE_CHECKING:
    from ..checklist import Item, Scale
    from ..records import Answer, SampleRecord

RATE_PREFIX = "符合率"
#: the target of a rate of 100%
ALL_COMPLIANT = "全部符合"


def sampling_rate(samples: Sequence[SampleRecord]) -> float | None:
    if not samples:
        return None
    return sum(1 for s in samples if s.compliant) / len(samples) * 100


def sampling_outcome(item: Item, samples: Sequence[SampleRecord], year: int) -> Outcome:
    """抽查: the compliance rate against the year's target.

    Fewer records than ``min_samples`` can show a failure but not a pass: 待判定 until enough
    records are checked.
    """
    target_text = _target_text(item, year)
    rate = sampling_rate(samples)
    if rate is None:
        return Outcome(UNANSWERED, target_text=target_text)
    counts = (sum(1 for s in samples if s.compliant), len(samples))
    target = item.target_for(year)
    if target is None:
        return Outcome(
            UNDETERMINED,
            value=rate,
            target_text=target_text,
            reason=f"{year}年无目标值",
            sample_count=len(samples),
            counts=counts,
        )
    state = MET if rate >= target else NOT_MET
    reason = ""
    incomplete = False
    if item.min_samples and len(samples) < item.min_samples:
        reason = f"份数少于要求的 {item.min_samples} 份"  # the count itself is printed beside it
        if state == MET:
            state, reason, incomplete = UNDETERMINED, reason + "，暂不能判定达标", True
        elif _could_still_meet(counts, item.min_samples, target):
            # 1 of 3 failing against ≥90% of 10: nine compliant records of ten would meet it
            state, reason, incomplete = UNDETERMINED, reason + "，补足份数后可能达标，暂不能判定", True
    return Outcome(
        state,
        value=rate,
        target_text=target_text,
        reason=reason,
        sample_count=len(samples),
        incomplete=incomplete,
        counts=counts,
    )


def _could_still_meet(counts: tuple[float, float], required: int, target: float) -> bool:
    """Whether the records still to check, all compliant, would bring the rate up to ``target``.

    Compared in whole records (100·符合 ≥ target·份数), so 9 of 10 against ≥90% is not lost
    to floating-point rounding."""
    compliant, checked = counts
    return 100 * (compliant + required - checked) >= target * required


def samples_text(outcome: Outcome) -> str:
    """The records checked, in the words of the problem sentence: ``抽查 10 份，1 份不符合``,
    ``抽查 10 份，全部符合`` ('' before any is checked)."""
    if not outcome.sample_count or outcome.counts is None:  # an indicator's counts are 分子/分母
        return ""
    compliant, checked = outcome.counts
    failed = checked - compliant
    return f"抽查 {checked:.0f} 份，" + (f"{failed:.0f} 份不符合" if failed else "全部符合")


def _target_text(item: Item, year: int) -> str:
    target = item.target_for(year)
    if target is None:
        return f"{year}年无目标值"
    return ALL_COMPLIANT if target >= 100 else f"{RATE_PREFIX}≥{target:g}%"


class Sampling(ItemKind):
    name = "sampling"
    label = "抽查"
    sampled = True
    measured = True
    fields: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "targets": {"$ref": "#/$defs/targets"},
        "target": {"type": "number"},
        "min_samples": {"type": "integer", "minimum": 1},
    }

    def definition_problems(self, item: Mapping[str, Any]) -> Iterable[DefinitionProblem]:
        if "targets" not in item and "target" not in item:
            yield "target", "抽查条目须给出符合率目标（target 或 targets）"

    def evaluate(
        self,
        item: Item,
        scale: Scale,
        year: int,
        answer: Answer | None,
        samples: Sequence[SampleRecord],
        previous_value: float | None,
    ) -> Outcome:
        return sampling_outcome(item, samples, year)

    def unit(self, item: Item) -> str:
        return "%"

    def computed(self, item: Item) -> bool:
        return True  # the share of the records checked

    def target_column(self, outcome: Outcome) -> str:
        return outcome.target_text.removeprefix(RATE_PREFIX)  # the column is the rate's

    def target_words(self, item: Item, year: int) -> str:
        return _target_text(item, year)  # 全部符合, 符合率≥90%

    def counts(self, item: Item, outcome: Outcome, answer: Answer | None) -> tuple[float | None, float | None]:
        return outcome.counts or (None, None)

    def problem_text(self, item: Item, outcome: Outcome, year: int) -> str:
        if outcome.state != NOT_MET or outcome.value is None:
            return ""
        target = self.target_column(outcome)
        required = f"要求{target}"
        if target != ALL_COMPLIANT:
            required = f"符合率 {self.measure(item, outcome.value)}，{required}"
        return "；".join(x for x in (f"{samples_text(outcome)}（{required}）", outcome.reason) if x)

"""指标: a value, entered or computed from 分子/分母, against the year's target or a reference."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InputError
from ..checklist import RATE_UNITS
from ..formats import fixed, measure_decimals, measure_text
from ..outcome import MET, NOT_MET, UNANSWERED, UNDETERMINED, Outcome
from .base import DefinitionProblem, ItemKind

if TYPE_CHECKING:
    from ..checklist import Item, Scale
    from ..records import Answer, SampleRecord

#: Directions that compare with a baseline or the previous round instead of a target.
TREND_DIRECTIONS = ("increase", "decrease")


def indicator_value(item: Item, answer: Answer | None) -> float | None:
    """The indicator's value: entered directly, or numerator / denominator × the unit's multiplier."""
    if answer is None:
        return None
    if item.input == "ratio":
        if answer.numerator is None or not answer.denominator:
            return None
        return answer.numerator / answer.denominator * item.rate_multiplier
    return answer.value


#: what a 逐步提高/降低 indicator is compared with (its 对照值), named wherever the comparison is
#: shown: the baseline entered in this round, else the value of the previous round
BASELINE, PREVIOUS = "基线值", "上一轮数值"


def compare(item: Item, value: float, year: int, baseline: float | None, previous: float | None) -> tuple[str, str]:
    """(state, reason) of a value against the item's target for ``year``.

    Direction-only indicators (逐步提高/逐步降低) compare with the ``baseline`` the user entered,
    or else with the value of the ``previous`` round; the reason names which, with its value
    (``基线值 38.6%``, ``上一轮数值 66.0%``).
    """
    if item.direction in TREND_DIRECTIONS:
        reference, label = (baseline, BASELINE) if baseline is not None else (previous, PREVIOUS)
        if reference is None:
            return UNDETERMINED, "无基线值或上一轮数值，无法判断是否改进"
        improved = value > reference if item.direction == "increase" else value < reference
        said = f"{label} {measure_text(reference, item.unit, item.input == 'ratio')}"
        if not improved and _at_best(item, value):  # 100% again, 0 again: kept, not failed
            return MET, f"{said}，保持最佳值"
        return (MET if improved else NOT_MET), said
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


def _at_best(item: Item, value: float) -> bool:
    """A value no round can improve on: a rate to raise at 100%, anything to lower at 0. A
    危急值报告及时率 of 130/130 after 120/120, or an ICU death rate of 0 after 0, was 未达标 with a
    整改项 of its own (“未高于上一轮数值 100.0%”)."""
    if item.direction == "increase":
        return item.unit == "%" and value >= 100
    return value <= 0


def _counts(item: Item, answer: Answer | None) -> tuple[float, float] | None:
    """(分子, 分母) of a value computed from them."""
    if answer is None or item.input != "ratio" or answer.numerator is None or answer.denominator is None:
        return None
    return answer.numerator, answer.denominator


def indicator_outcome(item: Item, year: int, answer: Answer | None, previous_value: float | None) -> Outcome:
    """The value (entered or computed) against the year's target or the 对照值; the editor shows it live."""
    target_text = item.target_text(year)
    value = indicator_value(item, answer)
    if value is None:
        return Outcome(UNANSWERED, target_text=target_text)
    baseline = answer.baseline if answer else None
    state, reason = compare(item, value, year, baseline, previous_value)
    decimals = _telling_decimals(item, value, state, lambda shown: compare(item, shown, year, baseline, previous_value))
    return Outcome(
        state, value=value, target_text=target_text, reason=reason, counts=_counts(item, answer), decimals=decimals
    )


def _telling_decimals(item: Item, value: float, state: str, judge: Callable[[float], tuple[str, str]]) -> int | None:
    """More decimals than the unit's (up to three more) when the value as usually shown would
    read as the other verdict: 2249/2500 = 89.96% against ≥90% printed “90.0%, 未达标”, and the
    problem text “指标值 90.0%，未达到目标 ≥90%”. None when the usual ones tell it."""
    if state not in (MET, NOT_MET):
        return None
    usual = measure_decimals(item.unit, item.input == "ratio")
    start = 2 if usual is None else usual  # a value entered as it is: shown to at most 0.01
    if judge(float(fixed(value, start)))[0] == state:
        return None
    more = range(start + 1, start + 4)
    return next((d for d in more if judge(float(fixed(value, d)))[0] == state), more[-1])


class Indicator(ItemKind):
    name = "indicator"
    label = "指标"
    numeric = True
    measured = True
    fields: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "unit": {"type": "string", "minLength": 1},
        "input": {"enum": ["ratio", "value"]},
        "per": {"type": "number", "exclusiveMinimum": 0},
        "numerator": {"type": "string"},
        "denominator": {"type": "string"},
        "direction": {"enum": [">=", ">", "<=", "increase", "decrease"]},
        "targets": {"$ref": "#/$defs/targets"},
        "target": {"type": "number"},
    }

    def definition_problems(self, item: Mapping[str, Any]) -> Iterable[DefinitionProblem]:
        has_target = "targets" in item or "target" in item
        if "unit" not in item:
            yield "unit", "指标缺少单位（unit），如 %、‰、例"
        if "direction" not in item:
            yield "direction", "指标缺少方向（direction）：>=、>、<=、increase 或 decrease"
        elif item["direction"] in (">=", ">", "<=") and not has_target:
            yield "targets", "方向为 >=、> 或 <= 的指标须给出目标值（targets 或 target）"
        if item.get("input") == "ratio" and item.get("unit") not in RATE_UNITS and "per" not in item:
            yield "per", f"单位“{item.get('unit')}”的比率指标须给出倍数（per）"

    def validate_numbers(
        self, item: Item, merged: Mapping[str, Any], given: Mapping[str, Any], numbers: set[str]
    ) -> None:
        ratio = item.input == "ratio"
        if ratio and "value" in numbers:
            raise InputError("本指标按分子/分母计算，请录入分子和分母。", "value")
        if not ratio and {"numerator", "denominator"} & numbers:
            raise InputError("本指标直接录入数值，不使用分子/分母。", "numerator")
        if ratio and given.get("denominator", 1) == 0:
            raise InputError("分母不能为 0。", "denominator")
        num, den = merged.get("numerator"), merged.get("denominator")
        if ratio and item.unit in RATE_UNITS and num is not None and den is not None and num > den:
            raise InputError(f"分子（{num:g}）不能大于分母（{den:g}）。", "numerator")
        # a percentage typed as it is (预约诊疗率 150) is a slip, as a numerator over its denominator
        for name in ("value", "baseline"):
            typed = given.get(name)
            if item.unit == "%" and isinstance(typed, int | float) and not 0 <= typed <= 100:
                what = "指标值" if name == "value" else "基线值"
                raise InputError(f"{what}是百分比，应在 0 到 100 之间（录入的是 {typed:g}）。", name)

    def evaluate(
        self,
        item: Item,
        scale: Scale,
        year: int,
        answer: Answer | None,
        samples: Sequence[SampleRecord],
        previous_value: float | None,
    ) -> Outcome:
        return indicator_outcome(item, year, answer, previous_value)

    def computed(self, item: Item) -> bool:
        return item.input == "ratio"

    def compares_with_previous(self, item: Item, answer: Answer | None) -> bool:
        return item.direction in TREND_DIRECTIONS and (answer is None or answer.baseline is None)

    def counts(self, item: Item, outcome: Outcome, answer: Answer | None) -> tuple[float | None, float | None]:
        if answer is not None and item.input == "ratio":
            return answer.numerator, answer.denominator
        return None, None

    def problem_text(self, item: Item, outcome: Outcome, year: int) -> str:
        if outcome.state != NOT_MET or outcome.value is None:
            return ""
        value = f"指标值 {self.value_text(item, outcome, with_counts=True)}"
        if item.direction in TREND_DIRECTIONS:  # the reason names what it was compared with
            beyond = "高于" if item.direction == "increase" else "低于"
            return f"{value}，未{beyond}{outcome.reason}（要求{outcome.target_text}）"
        return f"{value}，未达到目标 {outcome.target_text}"

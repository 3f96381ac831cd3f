"""Outcomes of single items and the sums per section and checklist."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.domain.checklist import NOT_APPLICABLE, SCALES, Checklist, Item, Section
from app.domain.evaluation import MET, NA_PROFILE, NA_USER, NOT_MET, UNDETERMINED, evaluate
from app.domain.profile import Condition, HospitalProfile
from app.domain.records import Answer, SampleRecord
from app.domain.scoring import completion_percent, score_round, score_rule

PDCA = SCALES["pdca"]
HOSPITAL = HospitalProfile(name="某医院", level="二级", type="综合")


def judgement(n, **kw):
    return Item(id=f"t.1.{n}", kind="judgement", text=f"是否{n}", source="一", **kw)


def indicator(**kw):
    base = {
        "id": "t.2.1",
        "kind": "indicator",
        "text": "某率",
        "source": "二",
        "unit": "%",
        "input": "ratio",
        "direction": ">=",
        "targets": {2024: 70.0, 2025: 80.0},
    }
    return Item(**{**base, **kw})


def checklist_of(*sections: Section) -> Checklist:
    return Checklist(
        id="t",
        version="1",
        title="T",
        source_document="",
        source_title="",
        region="河南省",
        scale=PDCA,
        sections=sections,
    )


SAMPLING = Item(id="t.3.1", kind="sampling", text="抽查", source="三", target=90.0, min_samples=5)


@pytest.mark.parametrize(
    ("item", "answer", "year", "state", "value"),
    [
        (indicator(), Answer("t.2.1", numerator=75, denominator=100), 2024, MET, 75.0),
        (indicator(), Answer("t.2.1", numerator=75, denominator=100), 2025, NOT_MET, 75.0),
        (indicator(), Answer("t.2.1", numerator=75, denominator=100), 2026, UNDETERMINED, 75.0),
        (
            indicator(direction="<=", targets={2025: 1.8}),
            Answer("t.2.1", numerator=2, denominator=100),
            2025,
            NOT_MET,
            2.0,
        ),
        (
            indicator(unit="‰", direction="<=", targets={2025: 7.5}),
            Answer("t.2.1", numerator=5, denominator=1000),
            2025,
            MET,
            5.0,
        ),
        (indicator(input="value", unit="张", targets={}, target=100.0), Answer("t.2.1", value=120), 2025, MET, 120),
        # 大于 (strict): exactly the target does not meet it
        (
            indicator(unit="例次/百出院人次", per=100, direction=">", targets={2025: 2.5}),
            Answer("t.2.1", numerator=5, denominator=200),
            2025,
            NOT_MET,
            2.5,
        ),
        (
            indicator(unit="例次/百出院人次", per=100, direction=">", targets={2025: 2.5}),
            Answer("t.2.1", numerator=6, denominator=200),
            2025,
            MET,
            3.0,
        ),
        (
            indicator(direction="increase", targets={}),
            Answer("t.2.1", numerator=50, denominator=100),
            2025,
            UNDETERMINED,
            50.0,
        ),
        (
            indicator(direction="increase", targets={}),
            Answer("t.2.1", numerator=50, denominator=100, baseline=40),
            2025,
            MET,
            50.0,
        ),
        (
            indicator(direction="decrease", targets={}),
            Answer("t.2.1", numerator=50, denominator=100, baseline=40),
            2025,
            NOT_MET,
            50.0,
        ),
    ],
)
def test_indicator_outcome(item, answer, year, state, value):
    outcome = evaluate(item, PDCA, HOSPITAL, year, answer)
    assert outcome.state == state
    assert outcome.value == pytest.approx(value)
    assert outcome.failing is (state == NOT_MET)


def test_direction_only_indicator_compares_with_previous_round():
    item = indicator(direction="increase", targets={})
    answer = Answer("t.2.1", numerator=50, denominator=100)
    assert evaluate(item, PDCA, HOSPITAL, 2025, answer, previous_value=45).state == MET
    assert evaluate(item, PDCA, HOSPITAL, 2025, answer, previous_value=55).state == NOT_MET
    # a baseline the user entered wins over the previous round
    with_baseline = Answer("t.2.1", numerator=50, denominator=100, baseline=60)
    assert evaluate(item, PDCA, HOSPITAL, 2025, with_baseline, previous_value=45).state == NOT_MET


def test_a_trend_indicator_kept_at_its_best_value_is_met():
    """危急值报告及时率 130/130 after 120/120, an ICU death rate of 0 after 0: 未达标, each with a
    整改项 (“未高于上一轮数值 100.0%”). Kept at the best value there is, it is met; a value that
    falls back, or a 逐步提高 in ‰ (no ceiling), is judged as before."""
    rate = indicator(direction="increase", targets={})
    full = evaluate(rate, PDCA, HOSPITAL, 2025, Answer("t.2.1", numerator=130, denominator=130), previous_value=100)
    assert full.state == MET and full.reason == "上一轮数值 100.0%，保持最佳值"
    deaths = indicator(direction="decrease", targets={})
    none = evaluate(deaths, PDCA, HOSPITAL, 2025, Answer("t.2.1", numerator=0, denominator=40), previous_value=0)
    assert none.state == MET
    lower = Answer("t.2.1", numerator=99, denominator=100)
    assert evaluate(rate, PDCA, HOSPITAL, 2025, lower, previous_value=100).state == NOT_MET
    per_mille = indicator(direction="increase", targets={}, unit="‰", per=1000)
    same = Answer("t.2.1", numerator=1, denominator=1000)
    assert evaluate(per_mille, PDCA, HOSPITAL, 2025, same, previous_value=1.0).state == NOT_MET


def test_a_value_just_short_of_its_target_is_shown_with_the_decimals_that_tell_it():
    """2249/2500 = 89.96% against ≥90% printed “90.0%, 未达标” and “指标值 90.0%（2249/2500），未达到
    目标 ≥90%” in the PDF, the workbook and the window."""
    from app.domain.kinds import kind_of

    item = indicator(targets={2025: 90.0})
    short = evaluate(item, PDCA, HOSPITAL, 2025, Answer("t.2.1", numerator=2249, denominator=2500))
    assert short.state == NOT_MET and short.decimals == 2
    assert kind_of(item).problem_text(item, short, 2025) == "指标值 89.96%（2249/2500），未达到目标 ≥90%"
    met = evaluate(item, PDCA, HOSPITAL, 2025, Answer("t.2.1", numerator=2250, denominator=2500))
    assert met.decimals is None and kind_of(item).value_text(item, met) == "90.0%"
    above = indicator(unit="例次/百出院人次", per=100, direction=">", targets={2025: 2.5})
    barely = evaluate(above, PDCA, HOSPITAL, 2025, Answer("t.2.1", numerator=25001, denominator=1_000_000))
    assert barely.state == MET and kind_of(above).value_text(above, barely) == "2.5001例次/百出院人次"


def test_sampling_rate_against_target():
    records = [SampleRecord("t.3.1", str(n), compliant=n != 0) for n in range(10)]
    outcome = evaluate(SAMPLING, PDCA, HOSPITAL, 2025, None, records)
    assert outcome.value == pytest.approx(90.0) and outcome.state == MET
    outcome = evaluate(SAMPLING, PDCA, HOSPITAL, 2025, None, records[:4])
    assert outcome.state == NOT_MET and "少于要求的 5 份" in outcome.reason


def test_too_few_records_fail_only_when_the_rest_could_not_bring_the_rate_up():
    """1 record of 3 failing, against ≥80% of 5: two more compliant records make 4 of 5 = 80%, so
    the item is not yet 未达标 but 待判定 and unfinished; a second failure settles it."""
    one_failing = [SampleRecord("t.3.1", str(n), compliant=n != 0) for n in range(3)]
    item = Item(id="t.3.1", kind="sampling", text="抽查", source="三", target=80.0, min_samples=5)
    open_ = evaluate(item, PDCA, HOSPITAL, 2025, None, one_failing)
    assert open_.state == UNDETERMINED and open_.incomplete and not open_.answered
    assert "补足份数后可能达标" in open_.reason
    two_failing = [*one_failing, SampleRecord("t.3.1", "3", compliant=False)]
    settled = evaluate(item, PDCA, HOSPITAL, 2025, None, two_failing)
    assert settled.state == NOT_MET and settled.answered and "少于要求的 5 份" in settled.reason


def test_a_sampling_item_short_of_records_is_unfinished_where_the_unanswered_are_counted():
    """3 of 10 records: the 未填 bar counted it (19) and the 未填 filter left it out (18), so a
    click on the bar showed one item fewer (numbers review)."""
    from app.services.item_filter import UNANSWERED_ONLY, ItemFilter, mode_counts
    from app.services.overview import outcome_bars

    short = [SampleRecord("t.3.1", str(n), compliant=True) for n in range(3)]
    items = [judgement(1), judgement(2), SAMPLING]
    checklist = checklist_of(Section("t.s", "节", items=tuple(items)))
    answers = {"t.1.1": Answer("t.1.1", grade="A")}
    result = score_round([checklist], HOSPITAL, 2025, answers, {"t.3.1": short})
    outcome = result.outcomes["t.3.1"]
    assert outcome.state == UNDETERMINED and outcome.unfinished
    unanswered_bar = next(b for b in outcome_bars([checklist], result.tally) if b.label == "未填")
    assert unanswered_bar.value == 2
    assert mode_counts(items, result.outcomes, answers)[UNANSWERED_ONLY] == 2
    assert ItemFilter(UNANSWERED_ONLY).matches(SAMPLING, outcome, None)


def test_not_applicable_by_profile_and_by_user():
    obstetric = judgement(9, conditions=(Condition(flags=("has_obstetrics",)),))
    outcome = evaluate(obstetric, PDCA, HOSPITAL, 2025, Answer(obstetric.id, grade="A"))
    assert outcome.state == NA_PROFILE and outcome.reason == "本院无产科，本条仅适用于有产科的医院"
    outcome = evaluate(judgement(1), PDCA, HOSPITAL, 2025, Answer("t.1.1", grade=NOT_APPLICABLE, na_reason="未开展"))
    assert outcome.state == NA_USER and outcome.reason == "未开展"


def test_round_score_adds_up_by_section():
    checklist = checklist_of(
        Section(
            "t.1",
            "一",
            items=(
                judgement(1),
                judgement(2),
                judgement(3),
                judgement(4),
                judgement(5, conditions=(Condition(levels=("三级",)),)),
            ),
        ),
        Section("t.2", "二", items=(indicator(),)),
    )
    answers = {
        "t.1.1": Answer("t.1.1", grade="A"),
        "t.1.2": Answer("t.1.2", grade="C"),
        "t.1.3": Answer("t.1.3", grade="D"),
        "t.1.4": Answer("t.1.4", grade=NOT_APPLICABLE, na_reason="本院无此业务"),
        "t.2.1": Answer("t.2.1", numerator=60, denominator=100),
    }
    result = score_round([checklist], HOSPITAL, 2025, answers, {})
    first, second = result.checklists[0].sections
    assert (first.tally.total, first.tally.not_applicable, first.tally.answered) == (5, 2, 3)
    assert first.tally.completion == 1.0
    assert first.tally.score == pytest.approx((4 + 2 + 0) / 12 * 100)
    assert dict(first.tally.grade_counts) == {"A": 1, "C": 1, "D": 1}
    assert first.tally.failing == 1
    assert second.tally.not_met == 1 and second.tally.failing == 1
    total = result.tally
    assert (total.applicable, total.answered, total.failing) == (4, 4, 2)
    assert result.outcomes["t.1.5"].state == NA_PROFILE
    assert result.to_dict()["checklists"][0]["sections"][0]["score"] == 50.0


def test_score_rule_gives_each_scales_points_and_the_score_it_describes():
    def checklist(id_, scale, count):
        items = tuple(Item(f"{id_}.{n}", "judgement", "是否", "一", checklist_id=id_) for n in range(1, count + 1))
        return Checklist(id_, "1", id_, "", "", "", scale, (Section(f"{id_}.s", "一", items=items),), short_title=id_)

    pdca = checklist("甲", PDCA, 2)
    compliance = checklist("乙", SCALES["compliance"], 1)
    assert score_rule([pdca]) == (
        "得分率只计评定了等级的评价条目，每条按等级计分（A 4 分、B 3 分、C 2 分、D 0 分）："
        "得分率 = 各条得分之和 ÷（A、B、C、D 条目数之和 × 4 分）× 100%。"
    )
    rule = score_rule([pdca, compliance])
    assert "甲：A 4 分、B 3 分、C 2 分、D 0 分；乙：符合 2 分、部分符合 1 分、不符合 0 分" in rule
    assert "÷ 各条满分（其评分标准的最高分）之和" in rule
    grades = {"甲.1": "A", "甲.2": "D", "乙.1": "部分符合"}
    answers = {item_id: Answer(item_id, grade=grade) for item_id, grade in grades.items()}
    result = score_round([pdca, compliance], HOSPITAL, 2025, answers, {})
    assert result.tally.score == pytest.approx((4 + 0 + 1) / (4 + 4 + 2) * 100)  # as the rule says


def test_empty_round_has_no_score_and_zero_completion():
    checklist = checklist_of(Section("t.1", "一", items=(judgement(1),)))
    result = score_round([checklist], HOSPITAL, 2025, {}, {})
    assert result.tally.score is None and result.tally.completion == 0.0


def test_too_few_records_can_fail_but_not_pass():
    passing = [SampleRecord("t.3.1", str(n), compliant=True) for n in range(3)]
    outcome = evaluate(SAMPLING, PDCA, HOSPITAL, 2025, None, passing)
    assert outcome.state == UNDETERMINED and "暂不能判定达标" in outcome.reason
    assert not outcome.answered, "too few records: the item is not finished yet"
    failing = [*passing, SampleRecord("t.3.1", "x", compliant=False)]
    assert evaluate(SAMPLING, PDCA, HOSPITAL, 2025, None, failing).state == NOT_MET


@pytest.mark.parametrize(
    ("answered", "applicable", "percent"),
    [(510, 511, 99), (29, 100, 29), (0, 5, 0), (5, 5, 100), (2, 3, 67), (1, 3, 33), (1, 8, 13), (199, 200, 99)],
)
def test_completion_shows_100_percent_only_when_everything_is_answered(answered, applicable, percent):
    assert completion_percent(answered / applicable) == percent


def test_strict_target_text():
    item = indicator(unit="例次/百出院人次", per=100, direction=">", targets={2025: 2.5})
    assert item.target_text(2025) == ">2.5例次/百出院人次"
    assert item.target_text(2024) == "2024年无目标值"


@given(
    required=st.integers(1, 40),
    checked=st.integers(1, 40),
    failing=st.integers(0, 40),
    target=st.sampled_from([60.0, 80.0, 85.0, 90.0, 95.0, 100.0]),
)
def test_a_verdict_on_too_few_records_is_the_one_every_completion_would_give(required, checked, failing, target):
    """未达标 before enough records are checked only when no completion could meet the target."""
    assume(checked < required and failing <= checked)
    item = Item(id="t.3.1", kind="sampling", text="抽查", source="三", target=target, min_samples=required)
    records = [SampleRecord("t.3.1", str(n), compliant=n >= failing) for n in range(checked)]
    outcome = evaluate(item, PDCA, HOSPITAL, 2025, None, records)
    best = (checked - failing + required - checked) / required * 100
    assert outcome.state == (NOT_MET if best < target else UNDETERMINED)
    assert outcome.incomplete == (best >= target)


def test_the_json_figures_round_half_up_as_every_report_prints_them():
    """`score --json` gave 56.2 for the score the window, the CLI text and the PDF print 56.3%:
    round() rounds the binary value, half to even in effect (numbers review)."""
    from app.domain.formats import rate_text
    from app.domain.scoring import Tally

    tally = Tally(total=16, answered=1, points=56.25, max_points=100)
    assert tally.to_dict()["score"] == 56.3 and rate_text(tally.score) == "56.3%"
    assert tally.to_dict()["completion"] == 6.3  # 1 of 16: 6.25%

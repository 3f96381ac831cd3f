"""The use cases the GUI and the CLI share: profile, rounds, answers, samples, scores."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil

import pytest

from app.catalog import load_catalog
from app.domain.checklist import NOT_APPLICABLE
from app.errors import InputError
from app.services import answers as svc
from app.services.profile import get_profile, save_profile
from app.services.rounds import list_rounds, load_round, rename_round, score, start_round
from tests.conftest import PROFILE_2_GENERAL

DAY = dt.date(2025, 3, 15)


@pytest.fixture
def round_id(profiled_store, catalog, actor):
    entries = [e for e in catalog.entries if e.checklist.default]
    return start_round(
        profiled_store, entries, "2025年一季度", DAY, actor, leader="王院长", members=["李敏", " ", "张华"]
    )


def test_profile_round_trip_and_validation(store, actor):
    save_profile(store, PROFILE_2_GENERAL, actor)
    assert get_profile(store) == PROFILE_2_GENERAL
    bad = dataclasses.replace(PROFILE_2_GENERAL, code="12345")
    with pytest.raises(InputError, match="机构代码格式不正确") as excinfo:
        save_profile(store, bad, actor)
    assert excinfo.value.field == "code"
    for invisible in ("  ", "\u200b\u200b\u200b", "\u3000\u200d"):  # zero-width spaces: a name on no page
        with pytest.raises(InputError, match="医院名称"):
            save_profile(store, dataclasses.replace(PROFILE_2_GENERAL, name=invisible), actor)
    assert get_profile(store) == PROFILE_2_GENERAL
    with pytest.raises(InputError, match="最多 50 字") as excinfo:  # the 整改台账 takes no longer ones
        save_profile(store, dataclasses.replace(PROFILE_2_GENERAL, departments=("医务科", "科" * 51)), actor)
    assert excinfo.value.field == "departments"


def test_a_code_typed_full_width_or_with_spaces_is_saved_half_width(store, actor):
    typed = "１２４１００００ＭＢ１２３４５６７Ｌ"  # an input method in full-width mode
    save_profile(store, dataclasses.replace(PROFILE_2_GENERAL, code=typed), actor)
    assert get_profile(store).code == "12410000MB1234567L"
    save_profile(store, dataclasses.replace(PROFILE_2_GENERAL, code="12410000 mb1234567l"), actor)
    assert get_profile(store).code == "12410000MB1234567L"


def test_start_round_needs_a_profile_a_unique_name_and_checklists(store, catalog, actor):
    with pytest.raises(InputError, match="医院基本情况"):
        start_round(store, catalog.entries, "一", DAY, actor)
    save_profile(store, PROFILE_2_GENERAL, actor)
    start_round(store, catalog.entries[:1], "一", DAY, actor)
    with pytest.raises(InputError, match="已有名为“一”"):
        start_round(store, catalog.entries[:1], " 一 ", DAY, actor)
    with pytest.raises(InputError, match="至少选择一张"):
        start_round(store, [], "二", DAY, actor)


def test_round_keeps_its_team_profile_and_year(profiled_store, round_id):
    view = load_round(profiled_store, round_id)
    assert (view.name, view.year, view.leader, view.members) == ("2025年一季度", 2025, "王院长", ("李敏", "张华"))
    assert view.profile == PROFILE_2_GENERAL
    assert [c.id for c in view.checklists] == ["qyx-core", "qyx-targets-2021"]


def test_round_freezes_checklist_content(tmp_path, profiled_store, actor):
    folder = tmp_path / "lists"
    folder.mkdir()
    source = load_catalog().get("qyx-core").path
    shutil.copy(source, folder / "qyx-core.yaml")
    entry = load_catalog([folder]).get("qyx-core")
    round_id = start_round(profiled_store, [entry], "冻结", DAY, actor)
    # the file changes after the round started: the round still shows what it started with
    text = (folder / "qyx-core.yaml").read_text(encoding="utf-8")
    (folder / "qyx-core.yaml").write_text(text.replace("首诊负责制度", "首诊负责制（新版）", 1), encoding="utf-8")
    changed = load_catalog([folder]).get("qyx-core")
    view = load_round(profiled_store, round_id)
    assert view.checklists[0].sections[0].title == "首诊负责制度"
    assert view.hashes["qyx-core"] == entry.sha256 != changed.sha256


def test_rename_round_refuses_a_used_name(profiled_store, catalog, actor, round_id):
    start_round(profiled_store, catalog.entries[:1], "二季度", DAY, actor)
    with pytest.raises(InputError, match="已有名为"):
        rename_round(profiled_store, round_id, "二季度", actor)
    rename_round(profiled_store, round_id, "一季度（复查）", actor)
    assert load_round(profiled_store, round_id).name == "一季度（复查）"


@pytest.mark.parametrize(
    "lookalike", ["2025年第１季度", "２０２５年第1季度", "2025年 第1季度", "2025年第1季度\u200b", "2025年第1季度　"]
)
def test_a_name_that_only_looks_different_is_refused(profiled_store, catalog, actor, lookalike):
    start_round(profiled_store, catalog.entries[:1], "2025年第1季度", DAY, actor)
    with pytest.raises(InputError, match="已有名为“2025年第1季度”"):
        start_round(profiled_store, catalog.entries[:1], lookalike, DAY, actor)


def test_a_name_of_invisible_characters_is_no_name(profiled_store, catalog, actor):
    with pytest.raises(InputError, match="请填写自查轮次名称"):
        start_round(profiled_store, catalog.entries[:1], "\u200b\u200b", DAY, actor)


def test_a_name_longer_than_the_form_allows_is_refused_on_rename(profiled_store, actor, round_id):
    with pytest.raises(InputError, match="最多 60 字"):
        rename_round(profiled_store, round_id, "长" * 61, actor)


@pytest.mark.parametrize(
    ("leader", "members", "message"),
    [
        ("张" * 5000, [], "检查组组长过长（5000 字，最多 50 字）"),
        ("张三", ["李四", "王" * 51], "检查组成员“王王王王王王王王王王…”过长（51 字，每人最多 50 字）"),
        ("张三", [f"成员{n}" for n in range(31)], "检查组成员过多（31 人，最多 30 人）"),
    ],
)
def test_a_check_team_longer_than_any_is_refused(profiled_store, catalog, actor, leader, members, message):
    """5,000 characters pasted into 检查组组长 were taken, and the 自查报告's cover ran over about
    15 pages (review); other names are capped at 50 characters."""
    with pytest.raises(InputError, match=re.escape(message)):
        start_round(profiled_store, catalog.entries[:1], "一季度", DAY, actor, leader=leader, members=members)
    assert profiled_store.rounds() == []


def test_record_grade_finding_and_partial_update(profiled_store, actor, round_id):
    svc.record_answer(profiled_store, round_id, "qyx-core.01.1", actor, grade="D", finding="未落实")
    svc.record_answer(profiled_store, round_id, "qyx-core.01.1", actor, department="医务科")
    row = profiled_store.answer(round_id, "qyx-core.01.1")
    assert (row.grade, row.finding, row.department) == ("D", "未落实", "医务科")
    result = score(profiled_store, round_id)
    assert result.outcomes["qyx-core.01.1"].failing


BAD_ANSWERS = [
    ("qyx-core.01.1", {"grade": "E"}, "等级“E”无效", "grade"),
    ("qyx-core.01.1", {"grade": NOT_APPLICABLE}, "须填写原因", "na_reason"),
    ("qyx-core.01.1", {"value": "12"}, "只有指标条目", "value"),
    ("qyx-targets-2021.1.1.rate", {"numerator": "abc", "denominator": "10"}, "不是有效的数字", "numerator"),
    ("qyx-targets-2021.1.1.rate", {"numerator": "3", "denominator": "0"}, "分母不能为 0", "denominator"),
    ("qyx-targets-2021.1.1.rate", {"numerator": "30", "denominator": "10"}, "不能大于分母", "numerator"),
    ("qyx-targets-2021.1.1.rate", {"numerator": "-1", "denominator": "10"}, "不能为负数", "numerator"),
    ("qyx-targets-2021.1.1.rate", {"grade": "A"}, "不评等级", "grade"),
    ("qyx-core.11.2", {"grade": "A"}, "不适用于本院", "grade"),
    ("qyx-core.01.1", {"finding": "长" * 20_001}, "过长", "finding"),
]


@pytest.mark.parametrize(("item_id", "fields", "message", "field"), BAD_ANSWERS, ids=[b[2] for b in BAD_ANSWERS])
def test_invalid_answer_is_refused_and_nothing_is_written(
    profiled_store, actor, round_id, item_id, fields, message, field
):
    with pytest.raises(InputError, match=message) as excinfo:
        svc.record_answer(profiled_store, round_id, item_id, actor, **fields)
    assert excinfo.value.field == field
    assert profiled_store.answer(round_id, item_id) is None


def test_not_applicable_with_reason_is_excluded_from_the_score(profiled_store, actor, round_id):
    svc.record_answer(
        profiled_store, round_id, "qyx-core.01.1", actor, grade="NA", na_reason="本院为专科医院，无门诊首诊"
    )
    result = score(profiled_store, round_id)
    assert result.outcomes["qyx-core.01.1"].reason == "本院为专科医院，无门诊首诊"
    assert result.tally.not_applicable >= 1
    # grading it later clears the reason
    svc.record_answer(profiled_store, round_id, "qyx-core.01.1", actor, grade="B")
    assert profiled_store.answer(round_id, "qyx-core.01.1").na_reason == ""


def test_indicator_ratio_with_full_width_digits(profiled_store, actor, round_id):
    svc.record_answer(
        profiled_store, round_id, "qyx-targets-2021.1.1.rate", actor, numerator="４５", denominator="60", baseline="70%"
    )
    outcome = score(profiled_store, round_id).outcomes["qyx-targets-2021.1.1.rate"]
    assert outcome.value == pytest.approx(75.0)
    assert outcome.state == "met"


def test_samples_replace_and_rate(profiled_store, actor, round_id):
    records = [svc.SampleInput(f"ZY{n:04d}", compliant=n < 8) for n in range(10)]
    svc.set_samples(profiled_store, round_id, "qyx-core.07.3", records, actor)
    outcome = score(profiled_store, round_id).outcomes["qyx-core.07.3"]
    assert (outcome.value, outcome.state, outcome.sample_count) == (80.0, "not_met", 10)
    with pytest.raises(InputError, match="只有抽查条目"):
        svc.set_samples(profiled_store, round_id, "qyx-core.01.1", records, actor)


def test_repeated_departments_are_named_with_their_rows():
    from app.services.profile import check_departments

    assert check_departments(["内科", "外科", "儿科"]) == ""
    assert check_departments(["内科", "外科", "质控办", "儿科", "质控办", "外科"]) == (
        "科室名称有重复：“质控办”（第 3、5 行）、“外科”（第 2、6 行）。请删除或改名，每个科室只保留一行。"
    )
    many = [name for name in "甲乙丙丁" for _ in range(2)]
    assert check_departments(many).startswith(
        "科室名称有重复：“甲”（第 1、2 行）、“乙”（第 3、4 行）、“丙”（第 5、6 行）等 4 个。"
    )


def test_sampled_record_numbers_are_saved_normalised_like_typed_codes(profiled_store, actor, round_id):
    typed = [
        svc.SampleInput("ｚｙ２０２５ ００１", True),  # an input method in full-width mode
        svc.SampleInput(" 123\u202e ", False, " 缺签字 "),
        svc.SampleInput("脱敏-0a1b2c", True),  # an imported pseudonym: its hex digits stay as they are
    ]
    svc.set_samples(profiled_store, round_id, "qyx-core.07.3", typed, actor)
    saved = profiled_store.samples(round_id, "qyx-core.07.3")
    assert [(r.record_no, r.compliant, r.note) for r in saved] == [
        ("ZY2025001", True, ""),
        ("123", False, "缺签字"),
        ("脱敏-0a1b2c", True, ""),
    ]


def test_a_repeated_record_number_is_refused_naming_it(profiled_store, actor, round_id):
    item_id = "qyx-core.07.3"
    svc.set_samples(profiled_store, round_id, item_id, [svc.SampleInput("ZY2025001", True)], actor)
    before = profiled_store.samples(round_id, item_id)
    again = [
        svc.SampleInput("ZY2025001", True),
        svc.SampleInput("ZY2025002", True),
        svc.SampleInput("ｚｙ２０２５００１", False),  # the same record, typed full-width
    ]
    with pytest.raises(InputError, match="病案号“ZY2025001”重复（第 1 条和第 3 条）") as excinfo:
        svc.set_samples(profiled_store, round_id, item_id, again, actor)
    assert excinfo.value.field == "samples"
    assert profiled_store.samples(round_id, item_id) == before  # nothing saved, ZY2025002 neither
    assert score(profiled_store, round_id).outcomes[item_id].sample_count == 1


def test_repeats_an_older_version_stored_are_read_and_scored_as_stored(profiled_store, actor, round_id):
    item_id = "qyx-core.07.3"
    # as a database from before the check, or an imported package, may hold them
    profiled_store.replace_samples(
        round_id,
        item_id,
        [{"record_no": "ZY2025001", "compliant": True}, {"record_no": "ZY2025001", "compliant": False}],
        actor,
    )
    outcome = score(profiled_store, round_id).outcomes[item_id]
    assert (outcome.sample_count, outcome.value) == (2, 50.0)


def test_direction_only_indicator_against_the_previous_round(profiled_store, catalog, actor, round_id):
    item = "qyx-targets-2021.1.1.rate"
    svc.record_answer(profiled_store, round_id, item, actor, numerator=40, denominator=100)
    entries = [e for e in catalog.entries if e.checklist.default]
    second = start_round(profiled_store, entries, "二季度", dt.date(2025, 6, 15), actor, previous_round_id=round_id)
    svc.record_answer(profiled_store, second, item, actor, numerator=45, denominator=100)
    assert score(profiled_store, second).outcomes[item].state == "met"
    svc.record_answer(profiled_store, second, item, actor, numerator=35, denominator=100)
    assert score(profiled_store, second).outcomes[item].state == "not_met"
    # 不适用 in the previous round (its numbers left from before): nothing to compare with, not 40%
    svc.record_answer(profiled_store, round_id, item, actor, grade="NA", na_reason="本季度未开展")
    assert score(profiled_store, second).outcomes[item].state == "undetermined"  # 待判定


def test_a_percentage_typed_over_100_is_refused(profiled_store, catalog, actor):
    """门诊患者预约诊疗率 typed as 150 (baseline 90) was saved and 达标 150.0%."""
    item = "nat-experience-2023.ind.01"
    round_id = start_round(profiled_store, [catalog.get("nat-experience-2023")], "体验", dt.date(2025, 6, 1), actor)
    with pytest.raises(InputError, match=r"指标值是百分比，应在 0 到 100 之间（录入的是 150）") as refused:
        svc.record_answer(profiled_store, round_id, item, actor, value="150", baseline="90")
    assert refused.value.field == "value" and profiled_store.answer(round_id, item) is None
    with pytest.raises(InputError, match="基线值是百分比"):
        svc.record_answer(profiled_store, round_id, item, actor, value="95", baseline="101")
    svc.record_answer(profiled_store, round_id, item, actor, value="100", baseline="90")
    assert score(profiled_store, round_id).outcomes[item].state == "met"


def test_list_rounds_with_progress(profiled_store, actor, round_id):
    svc.record_answer(profiled_store, round_id, "qyx-core.01.1", actor, grade="A")
    [summary] = list_rounds(profiled_store)
    assert summary.name == "2025年一季度"
    assert 0 < summary.completion < 1
    assert summary.score == 100.0


def test_demo_round_has_every_kind_and_some_failures(store, demo_round):
    result = score(store, demo_round)
    states = {o.state for o in result.outcomes.values()}
    assert {"graded", "na_profile", "na_user", "unanswered"} <= states
    assert result.tally.failing > 0
    assert any(s for s in store.samples(demo_round))
    assert 0.6 < result.tally.completion < 1.0


def test_the_demos_findings_fit_the_items_they_are_found_on(store, demo_round):
    """Trainees read the demo: an item on 药品、设备 read “抽查病历中记录不完整”."""
    view = load_round(store, demo_round)
    texts = {item.id: item.text for item in view.items()}
    found = [(texts[a.item_id], a.finding) for a in store.answers(demo_round) if a.finding]
    assert len(found) > 10
    equipment = [finding for text, finding in found if "设备" in text or "药品" in text]
    assert equipment and all("设备" in f or "药品" in f for f in equipment)


def test_the_demos_typed_values_are_near_their_baselines(tmp_path, catalog, actor):
    """Over every checklist (bench/make_packages.py, the backup benchmark), a value typed with no
    target was about 10 beside a baseline of 30–70: a CMI of 8.5 against “基线值 67CMI”, every
    such indicator failing in every hospital and crowding the summary's 常见问题."""
    from app.services.demo import create_demo
    from app.store import open_store

    store = open_store(tmp_path / "all.db")
    round_id = create_demo(store, catalog, actor, all_checklists=True)
    view = load_round(store, round_id)
    outcomes = score(store, round_id, view).outcomes
    trend = ("increase", "decrease")
    typed = [i for i in view.items() if i.kind == "indicator" and i.input != "ratio" and i.direction in trend]
    answers = {a.item_id: a for a in store.answers(round_id)}
    given = [i for i in typed if i.id in answers and answers[i.id].value is not None]
    assert len(given) > 5
    for item in given:
        answer = answers[item.id]
        assert 0.8 <= answer.baseline / answer.value <= 1.2, (item.text, answer.value, answer.baseline)
    cmi = next(i for i in given if i.unit == "CMI")
    assert 0.5 < answers[cmi.id].value < 1.5
    assert all(answers[i.id].value == int(answers[i.id].value) for i in given if i.unit == "个")  # counted
    states = {outcomes[i.id].state for i in given}
    assert {"met", "not_met"} <= states  # some each way, as in real hospitals


def test_sampled_record_needs_a_record_number(profiled_store, actor, round_id):
    with pytest.raises(InputError, match="第 2 条抽查记录缺少病案号"):
        svc.set_samples(
            profiled_store,
            round_id,
            "qyx-core.07.3",
            [svc.SampleInput("ZY1", True), svc.SampleInput("  ", True)],
            actor,
        )
    assert profiled_store.samples(round_id) == []


def test_the_rounds_list_opens_only_the_rounds_changed_since_it_was_drawn(store, demo_round, catalog, actor):
    """Two years of monthly rounds: drawing the list scored every round (its checklists, answers
    and samples) each time it was shown. Each round's figures are kept with its change stamp;
    a change to one round, whoever makes it, opens that round again and no other."""
    from tests.helpers import start_recheck_of_demo

    second = start_recheck_of_demo(store, catalog, actor, demo_round)

    def listed() -> tuple[list, set[str]]:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        try:
            summaries = list_rounds(store)
        finally:
            store.conn.set_trace_callback(None)
        opened = {r for s in statements if "FROM answers" in s for r in (demo_round, second) if r in s}
        return summaries, opened

    def as_scored(summaries) -> None:
        for summary in summaries:
            tally = score(store, summary.id).tally  # with the previous round's values, as everywhere
            assert (summary.completion, summary.score) == (tally.completion, tally.score)
            assert summary.checklists == tuple(c.label for c in load_round(store, summary.id).checklists)

    first, opened = listed()
    assert opened == {demo_round, second}
    as_scored(first)
    again, opened = listed()
    assert opened == set() and again == first
    svc.record_answer(store, demo_round, "qyx-core.01.1", actor, grade="D", finding="未见记录")
    changed, opened = listed()
    assert opened == {demo_round}
    as_scored(changed)
    assert changed != first
    rename_round(store, second, "复查（改名）", actor)
    renamed, opened = listed()
    assert opened == {second} and renamed[0].name == "复查（改名）"


def test_rounds_frozen_from_the_same_file_share_the_checklist_built_from_it(store, demo_round, catalog, actor):
    """Building a checklist from its frozen copy took 70 ms for two years of rounds each time the
    rounds were opened for a list or a trend: rounds frozen from the same file (same SHA-256)
    share the one built, which is immutable; another version is built on its own."""
    import dataclasses

    from app.services.rounds import frozen_checklist

    second = start_round(
        store, [e for e in catalog.entries if e.checklist.default], "二季度", dt.date(2025, 6, 1), actor
    )
    first, again = load_round(store, demo_round), load_round(store, second)
    assert all(a is b for a, b in zip(first.checklists, again.checklists, strict=True))
    [frozen, *_] = store.round_checklists(second)
    other = dataclasses.replace(frozen, sha256="0" * 64, content={**frozen.content, "title": "另一版本"})
    assert frozen_checklist(other).title == "另一版本" and frozen_checklist(frozen).title != "另一版本"


def test_the_year_advice_names_each_checklist_once(catalog):
    """Two versions of one checklist chosen (this year's file and last year's) were named twice:
    “医政要点”“医政要点”依据的文件适用于 2024 年."""
    import dataclasses

    from app.services.rounds import year_advice

    yizheng = catalog.get("hn-yizheng-2024").checklist
    later = dataclasses.replace(yizheng, version=f"{yizheng.version}-2026")
    advice = year_advice([yizheng, later], 2026)
    assert "“医政要点”依据的文件适用于 2024年，不含 2026 年" in advice and advice.count("医政要点") == 1

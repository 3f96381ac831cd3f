"""Issue 14 (content corrections), checked on the real checklist files as the app loads them.

Each test loads the built-in files through the catalog and asserts on the real items: their units,
targets and conditions, and how a value or a hospital profile is judged against them.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from app.catalog import CatalogEntry, ChecklistError, read_checklist_file
from app.domain.checklist import SCALES, Checklist
from app.domain.evaluation import MET, NOT_MET, UNDETERMINED, evaluate
from app.domain.profile import HospitalProfile
from app.domain.records import Answer
from app.services import answers as svc
from app.services.rounds import score, start_round

PDCA = SCALES["pdca"]
COUNTY = HospitalProfile(name="县医院", level="二级", type="综合", flags=frozenset({"performs_surgery"}))
TERTIARY = HospitalProfile(
    name="市医院", level="三级", type="综合", flags=frozenset({"performs_surgery", "performs_grade4_surgery"})
)
NO_SURGERY = HospitalProfile(name="专科医院", level="二级", type="专科")


@pytest.fixture(scope="module")
def item(catalog):
    items = {it.id: it for c in catalog.checklists for it in c.all_items()}
    return items.__getitem__


def outcome(item, profile, year, **answer):
    return evaluate(item, PDCA, profile, year, Answer(item.id, **answer))


# --- 1. per-mille ceilings; one unit per topic ---------------------------------------------------

CEILINGS = {  # id: (year, ceiling in ‰)
    "hn-7measures-2024.2.08": (2024, 1.9),  # 非计划重返手术室再手术率 1.9‰、1.8‰
    "hn-7measures-2024.2.09": (2024, 7.7),  # 手术后获得性指标发生率 7.7‰、7.5‰
    "nat-quality-2023.sa1.5": (2025, 1.8),
    "nat-quality-2023.sa1.6": (2025, 7.5),
}


@pytest.mark.parametrize("iid", sorted(CEILINGS))
def test_reoperation_and_complication_ceilings_are_per_mille(item, iid):
    it = item(iid)
    year, ceiling = CEILINGS[iid]
    assert it.unit == "‰" and it.rate_multiplier == 1000
    assert f"{ceiling:g}‰" in it.text
    assert it.target_text(year) == f"≤{ceiling:g}‰"
    # ten times the ceiling (the reading as %) fails; just under it passes
    assert outcome(it, TERTIARY, year, numerator=ceiling * 10, denominator=1000).state == NOT_MET
    assert outcome(it, TERTIARY, year, numerator=ceiling, denominator=1000).state == MET
    assert outcome(it, TERTIARY, year, numerator=ceiling + 0.1, denominator=1000).state == NOT_MET


def test_per_mille_reading_is_noted_with_the_source_wording(item):
    assert "“分别不高于1.9%、1.8‰”" in item("hn-7measures-2024.2.08").note
    assert "“分别不高于 7.7‰、7.5‰”" in item("hn-7measures-2024.2.09").note
    assert "“1.8%”" in item("nat-quality-2023.sa1.5").note
    assert "“7.5%”" in item("nat-quality-2023.sa1.6").note


def test_the_two_programmes_agree_on_the_2025_ceilings(item):
    for a, b in (
        ("hn-7measures-2024.2.08", "nat-quality-2023.sa1.5"),
        ("hn-7measures-2024.2.09", "nat-quality-2023.sa1.6"),
    ):
        assert item(a).topic == item(b).topic
        assert (item(a).unit, item(a).target_for(2025)) == (item(b).unit, item(b).target_for(2025))


def test_items_of_a_topic_share_one_unit(catalog):
    units: dict[str, set[str]] = {}
    for c in catalog.checklists:
        for it in c.all_items():
            if it.topic and it.kind == "indicator":
                units.setdefault(it.topic, set()).add(it.unit)
    for topic, found in units.items():
        assert len(found) == 1, (topic, found)
    assert units["unplanned_reoperation"] == units["postoperative_complications"] == {"‰"}


def test_every_ratio_indicator_says_what_to_count(catalog):
    """Entering 分子/分母 under bare labels leaves the clerk guessing what to count; the source
    gives no formula, so each file says in its notes that the names are its own."""
    for c in catalog.checklists:
        ratios = [it for it in c.all_items() if it.kind == "indicator" and it.input == "ratio"]
        for it in ratios:
            assert it.numerator_label and it.denominator_label, it.id
            assert it.numerator_label != it.denominator_label, it.id
        if ratios:
            raw = read_checklist_file(Path(__file__).resolve().parents[1] / "checklists" / f"{c.id}.yaml")
            assert any("分子、分母名称" in note for note in raw.get("notes", [])), c.id
    # the same measure reads the same in every programme
    assert item_labels(catalog, "qyx-targets-2021.1.1.rate") == item_labels(catalog, "hn-7measures-2024.4.12")
    assert item_labels(catalog, "nat-quality-2023.m.38") == item_labels(catalog, "hn-7measures-2024.6.07")


def item_labels(catalog, iid):
    it = next(it for c in catalog.checklists for it in c.all_items() if it.id == iid)
    return it.numerator_label, it.denominator_label


def test_catheter_infection_rate_is_per_thousand_catheter_days_in_both_programmes(item):
    for iid in ("qyx-targets-2021.2.4.rate", "nat-quality-2023.m.34"):
        it = item(iid)
        assert it.unit == "例次/千导管日"
        assert it.rate_multiplier == 1000
        assert "导管日" in it.denominator_label
        # 3 infections in 2,000 catheter days: 1.5 per 1,000, whichever programme asks
        o = outcome(it, COUNTY, 2023, numerator=3, denominator=2000, baseline=2.0)
        assert o.value == pytest.approx(1.5) and o.state == MET


# --- 4. 大于 is strict; 阜新's 到2025年末 targets hold for 2025 only -------------------------------


@pytest.mark.parametrize("iid", ["nat-quality-2023.sa4.9", "fx-quality-2023.5-2.zx5.rate"])
def test_more_than_2_5_adverse_event_reports_is_strict(item, iid):
    it = item(iid)
    assert "大于2.5例次" in it.text
    assert it.direction == ">" and it.unit == "例次/百出院人次"
    assert it.target_text(2025) == ">2.5例次/百出院人次"
    assert outcome(it, COUNTY, 2025, numerator=25, denominator=1000).state == NOT_MET  # exactly 2.5
    assert outcome(it, COUNTY, 2025, numerator=26, denominator=1000).state == MET


@pytest.mark.parametrize("iid", ["fx-quality-2023.5-2.zx4.rate", "fx-quality-2023.5-2.zx5.rate"])
def test_fuxin_end_of_2025_targets_hold_for_2025_only(item, iid):
    it = item(iid)
    assert it.text.startswith("到2025年末")
    assert "2025" in it.note
    assert it.target_for(2023) is None and it.target_for(2024) is None
    assert it.target_for(2025) is not None
    o = outcome(it, COUNTY, 2024, numerator=1, denominator=1000)
    assert o.state == UNDETERMINED and o.target_text == "2024年无目标值"


def test_a_strict_target_needs_a_number_like_the_others(tmp_path):
    text = """\
id: t-list
version: "1"
title: 测试
source: {document: 测试〔2024〕1号, title: 测试文件}
region: 河南省
scale: pdca
sections:
  - id: t-list.1
    title: 一
    items:
      - id: t-list.1.1
        kind: indicator
        text: 某率大于2.5
        source: 一
        unit: "%"
        direction: ">"
"""
    path = tmp_path / "t.yaml"
    path.write_text(text + "        target: 2.5\n", encoding="utf-8")
    assert read_checklist_file(path)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError, match="目标值"):
        read_checklist_file(path)


# --- 3. surgery items apply where the hospital 开展手术, in every programme -----------------------

SURGERY_ITEMS = (
    [f"hn-7measures-2024.2.{n:02d}" for n in (1, 2, 3, 4, 8, 9, 10, 11, 12)]
    + [f"nat-quality-2023.t10.{n}" for n in range(1, 10)]
    + [f"nat-quality-2023.sa1.{n}" for n in range(1, 8)]
    + [f"nat-quality-2023.m.{n}" for n in (14, 24, 30, 31, 32)]
    + ["nat-experience-2023.ind.04", "nat-experience-2023.ind.13"]
    + ["fx-quality-2023.5-1.10.1", "fx-quality-2023.5-1.zx2.1"]
    + ["qyx-core.08.1", "qyx-core.11.1", "qyx-core.12.1"]  # as 千院行 already did
)


@pytest.mark.parametrize("iid", SURGERY_ITEMS)
def test_surgery_items_do_not_apply_without_surgery(item, iid):
    it = item(iid)
    assert not it.applies_to(NO_SURGERY)
    assert "，本条仅适用于开展" in it.not_applicable_reason(NO_SURGERY)


def test_pathology_items_of_the_surgery_action_apply_to_every_hospital(item):
    for n in (5, 6, 7):  # 加强病理科规范化建设, 室间质评
        assert item(f"hn-7measures-2024.2.{n:02d}").applies_to(NO_SURGERY)


def test_grade4_preoperative_discussion_twins_apply_alike(catalog):
    twins = [it for c in catalog.checklists for it in c.all_items() if it.topic == "grade4_preop_discussion"]
    assert {it.id for it in twins} == {"hn-7measures-2024.2.04", "nat-quality-2023.sa1.7"}
    for profile in (COUNTY, TERTIARY, NO_SURGERY):
        assert len({it.applies_to(profile) for it in twins}) == 1, profile.name
    assert not any(it.applies_to(COUNTY) for it in twins)  # surgery, but no grade-4 surgery
    assert all(it.applies_to(TERTIARY) for it in twins)
    assert "开展四级手术" in twins[1].not_applicable_reason(COUNTY)


def test_topic_twins_share_their_surgery_condition(catalog):
    """Items of one topic about surgery do not apply to one hospital in one programme and not another."""
    by_topic: dict[str, list] = {}
    for c in catalog.checklists:
        for it in c.all_items():
            if it.topic in ("unplanned_reoperation", "postoperative_complications", "day_surgery"):
                by_topic.setdefault(it.topic, []).append(it)
    for topic, its in by_topic.items():
        assert not any(it.applies_to(NO_SURGERY) for it in its if it.kind == "indicator"), topic


# --- 2. hospital duties that were missing -------------------------------------------------------

DUTIES = {  # id: (source, words from the source)
    "hn-7measures-2024.zw2.01": ("正文 二", "三级医院全面梳理好质量安全问题清单"),
    "hn-7measures-2024.zw3.01": ("正文 三", "七项举措的主体责任"),
    "hn-7measures-2024.zw3.04": ("正文 三", "以医疗纠纷、医疗质量安全不良事件、死亡病例等为切入点"),
    "hn-7measures-2024.zw3.08": ("正文 三", "统筹七项举措推进与医院评审、绩效考核、专科建设等工作协同开展"),
    "qyx-core.20.1": ("五(一)", "精准全面自查"),
    "qyx-core.20.2": ("五(一)", "精准整改完善"),
    "qyx-core.20.4": ("六(一)", "成立由医院主要负责人为组长的领导小组"),
    "qyx-core.20.5": ("六(二)", "及时、准确地报送本机构医疗质量安全相关数据信息"),
}


@pytest.mark.parametrize("iid", sorted(DUTIES))
def test_missing_hospital_duties_are_judgement_items_with_their_citation(item, iid):
    it = item(iid)
    source, words = DUTIES[iid]
    assert it.kind == "judgement"
    assert it.source == source
    assert words in it.text


def test_problem_list_applies_to_tertiary_hospitals_only(item):
    it = item("hn-7measures-2024.zw2.01")
    assert it.applies_to(TERTIARY) and not it.applies_to(COUNTY)
    assert "本条仅适用于三级医院" in it.not_applicable_reason(COUNTY)


def test_new_duties_are_scored_in_a_default_round(catalog):
    """千院行's new items are in the default checklists, so a first round asks them."""
    default = [c for c in catalog.checklists if c.default]
    ids = {it.id for c in default for it in c.all_items()}
    assert {f"qyx-core.20.{n}" for n in range(1, 9)} <= ids


# --- 5. one principle for what is left out, in every programme ----------------------------------

PRINCIPLE = "收录单家医院能做、能查的要求；未收的是单家医院做不了或查不了的内容"


def test_out_of_scope_doc_states_one_principle_for_every_programme(catalog):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "out-of-scope.md").read_text(encoding="utf-8")
    assert "**检查表收录单家医院能做、并且能被检查的要求；单家医院做不了、或无从检查的内容不收。**" in doc
    for kind in ("〔行政〕", "〔区域〕", "〔表述〕"):
        assert kind in doc
    for c in catalog.checklists:
        assert c.source_document in doc, c.id
        assert f"`{c.id}`" in doc, c.id
    # what the checklists now score is no longer listed as left out
    assert "成立由医院主要负责人为组长的领导小组" in doc.split("已收录（医院职责）：四(二)")[1]
    assert "没有医院可判定的要求" not in doc


def test_every_checklist_states_the_principle_in_its_notes(catalog):
    for c in catalog.checklists:
        assert any(PRINCIPLE in note for note in c.notes), c.id


# --- a unit that changed between versions (% → per 1,000) ---------------------------------------


def test_previous_round_in_the_old_unit_is_compared_in_the_new_one(profiled_store, catalog, actor):
    """A round started before issue 14 froze the catheter infection rate in %; the next round
    counts it per 1,000 catheter days. The previous value is recomputed, not compared 10× off."""

    iid = "qyx-targets-2021.2.4.rate"
    entry = catalog.get("qyx-targets-2021")
    old_data = copy.deepcopy(entry.data)

    def walk(sections):
        for s in sections:
            for it in s.get("items", []):
                if it["id"] == iid:
                    it["unit"] = "%"
                    del it["per"]
            walk(s.get("sections", []))

    walk(old_data["sections"])
    old = CatalogEntry(Checklist.from_dict(old_data), old_data, entry.path)
    assert old.checklist.item(iid).unit == "%"
    first = start_round(profiled_store, [old], "一季度", dt.date(2025, 3, 15), actor)
    svc.record_answer(profiled_store, first, iid, actor, numerator=3, denominator=2000)  # 0.15 %
    second = start_round(profiled_store, [entry], "二季度", dt.date(2025, 6, 15), actor, previous_round_id=first)
    svc.record_answer(profiled_store, second, iid, actor, numerator=2, denominator=2000)  # 1.0 per 1,000
    outcome = score(profiled_store, second).outcomes[iid]
    assert outcome.value == pytest.approx(1.0)
    assert outcome.state == "met"  # down from 1.5 per 1,000, not up from "0.15"
    assert outcome.reason == "上一轮数值 1.50例次/千导管日"

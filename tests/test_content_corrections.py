"""Issue 14 (content corrections), checked on the real checklist files as the app loads them.

Each test loads the built-in files through the catalog and asserts on the real items: their units,
targets and conditions, and how a value or a hospital profile is judged against them.
"""

from __future__ import annotations

import pytest

from app.catalog import BUILTIN_DIR, ChecklistError, load_catalog, read_checklist_file
from app.domain.checklist import SCALES
from app.domain.evaluation import MET, NOT_MET, UNDETERMINED, evaluate
from app.domain.profile import HospitalProfile
from app.domain.records import Answer

PDCA = SCALES["pdca"]
COUNTY = HospitalProfile(name="县医院", level="二级", type="综合", flags=frozenset({"performs_surgery"}))
TERTIARY = HospitalProfile(
    name="市医院", level="三级", type="综合", flags=frozenset({"performs_surgery", "performs_grade4_surgery"})
)
NO_SURGERY = HospitalProfile(name="专科医院", level="二级", type="专科")


@pytest.fixture(scope="module")
def catalog():
    catalog = load_catalog([BUILTIN_DIR])
    assert catalog.problems == []
    return catalog


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
    for topic in ("unplanned_reoperation", "postoperative_complications", "clabsi"):
        assert len(units[topic]) == 1, (topic, units[topic])
    assert units["unplanned_reoperation"] == units["postoperative_complications"] == {"‰"}


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

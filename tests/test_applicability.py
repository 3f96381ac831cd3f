"""Which items apply to which hospital, and the reason shown when one does not."""

from __future__ import annotations

import re

import pytest

from app.domain.profile import Condition, HospitalProfile


def profile(level="二级", type_="综合", flags=()):
    return HospitalProfile(name="某医院", level=level, type=type_, flags=frozenset(flags))


@pytest.mark.parametrize(
    ("condition", "hospital", "holds"),
    [
        (Condition(levels=("二级", "三级")), profile("一级"), False),
        (Condition(levels=("二级", "三级")), profile("二级"), True),
        (Condition(types=("综合",)), profile(type_="中医"), False),
        (Condition(flags=("has_obstetrics",)), profile(flags={"has_obstetrics"}), True),
        (Condition(flags=("has_obstetrics",)), profile(), False),
        (Condition(not_flags=("pci_capable",)), profile(flags={"pci_capable"}), False),
        (Condition(not_flags=("pci_capable",)), profile(), True),
        (
            Condition(any_of=(Condition(levels=("三级",)), Condition(flags=("alliance_lead",)))),
            profile("二级", flags={"alliance_lead"}),
            True,
        ),
        (Condition(any_of=(Condition(levels=("三级",)), Condition(flags=("alliance_lead",)))), profile("二级"), False),
    ],
)
def test_condition(condition, hospital, holds):
    assert condition.holds(hospital) is holds
    assert (condition.unmet(hospital) == []) is holds  # a reason exactly when it does not hold


def test_reason_names_the_condition():
    condition = Condition(levels=("三级",), not_flags=("pci_capable",))
    assert condition.describe() == "三级医院；不具备PCI能力"


def items_by_id(catalog, checklist_id):
    return {i.id: i for i in catalog.get(checklist_id).checklist.all_items()}


def test_pci_branch_applies_only_without_pci(catalog):
    items = items_by_id(catalog, "qyx-targets-2021")
    branch = [i for i in items.values() if "不具备 PCI 能力" in i.text]
    assert len(branch) == 1
    item = branch[0]
    assert item.applies_to(profile())
    assert not item.applies_to(profile(flags={"pci_capable"}))
    assert "不具备PCI能力" in item.not_applicable_reason(profile(flags={"pci_capable"}))


def test_reperfusion_branch_applies_only_without_reperfusion_capability(catalog):
    items = items_by_id(catalog, "qyx-targets-2021")
    branch = [i for i in items.values() if "不具备再灌注治疗能力" in i.text]
    assert len(branch) == 1
    assert branch[0].applies_to(profile())
    assert not branch[0].applies_to(profile(flags={"reperfusion_capable"}))
    assert branch[0].not_applicable_reason(profile(flags={"reperfusion_capable"})) == (
        "本院具备静脉溶栓/取栓（再灌注治疗）能力，本条仅适用于不具备再灌注治疗能力的医院"
    )


REASONS = [
    (Condition(levels=("二级", "三级")), profile("一级"), "本院为一级医院，本条仅适用于二级、三级医院"),
    (Condition(types=("中医",)), profile(), "本院为综合医院，本条仅适用于中医医院"),
    (Condition(flags=("has_obstetrics",)), profile(), "本院无产科，本条仅适用于有产科的医院"),
    (Condition(flags=("county_medical_center",)), profile(), "本院非县域医疗中心，本条仅适用于县域医疗中心"),
    (
        Condition(any_of=(Condition(levels=("三级",)), Condition(flags=("alliance_lead",)))),
        profile("二级"),
        "本院为二级医院、非医联体牵头医院，本条仅适用于三级医院或医联体牵头医院",
    ),
    (  # only the failing part is named: the hospital is 二级 as asked
        Condition(levels=("二级", "三级"), types=("综合",)),
        profile("二级", "专科"),
        "本院为专科医院，本条仅适用于综合医院",
    ),
]


@pytest.mark.parametrize(("condition", "hospital", "reason"), REASONS, ids=[r[2][:12] for r in REASONS])
def test_reason_says_what_the_hospital_is_and_whom_the_item_is_for(condition, hospital, reason):
    from app.domain.checklist import Item

    item = Item("t.1", "judgement", "条目", "一", conditions=(condition,), applies_note="原文：某某医疗机构")
    assert item.not_applicable_reason(hospital) == reason  # the editors' note is no part of it


def test_vaginal_delivery_target_only_with_obstetrics(catalog):
    checklist = catalog.get("qyx-targets-2021").checklist
    section = next(s for s in checklist.all_sections() if "阴道分娩" in s.title)
    items = list(section.all_items())
    assert items
    without = profile()
    assert not any(i.applies_to(without) for i in items)
    assert all(i.applies_to(profile(flags={"has_obstetrics"})) for i in items)
    assert "有产科" in items[0].not_applicable_reason(without)


def test_a_second_level_general_hospital_without_obstetrics_sees_the_right_items(catalog):
    hospital = profile("二级", "综合", {"performs_surgery", "transfusion"})
    core = catalog.get("qyx-core").checklist
    targets = catalog.get("qyx-targets-2021").checklist
    not_applicable = sorted(i.id for c in (core, targets) for i in c.all_items() if not i.applies_to(hospital))
    # obstetric delivery check (core system 11) and the whole vaginal-delivery target
    delivery = sorted(i.id for s in targets.all_sections() if "阴道分娩" in s.title for i in s.all_items())
    assert not_applicable == sorted(["qyx-core.11.2", *delivery])


#: What a 二级综合 hospital that operates (not grade-4), transfuses and has an emergency
#: department, but has no obstetrics, PCI or reperfusion capability, is not asked — reviewed item
#: by item against the sources' own applicability words.
NOT_APPLICABLE_TO_SECOND_LEVEL_GENERAL = {
    "qyx-core": ["qyx-core.11.2"],
    "qyx-targets-2021": [
        "qyx-targets-2021.2.5.1",
        "qyx-targets-2021.2.5.2",
        "qyx-targets-2021.2.5.3",
        "qyx-targets-2021.2.5.rate",
    ],
    "hn-7measures-2024": [
        "hn-7measures-2024.zw2.01",
        "hn-7measures-2024.2.04",
        "hn-7measures-2024.5.07",
        "hn-7measures-2024.6.10",
        "hn-7measures-2024.6.11",
    ],
    "nat-quality-2023": [
        "nat-quality-2023.sa1.4",
        "nat-quality-2023.sa1.5",
        "nat-quality-2023.sa1.7",
        "nat-quality-2023.m.24",
        "nat-quality-2023.m.27",
    ],
    "nat-experience-2023": [
        "nat-experience-2023.t05.10",
        "nat-experience-2023.t10.2",
        "nat-experience-2023.t10.10",
        "nat-experience-2023.t11.1",
        "nat-experience-2023.t17.3",
        "nat-experience-2023.ind.02",
        "nat-experience-2023.ind.06",
        "nat-experience-2023.ind.07",
        "nat-experience-2023.ind.11",
        "nat-experience-2023.ind.15",
        "nat-experience-2023.ind.16",
        "nat-experience-2023.ind.20",
        "nat-experience-2023.ind.24",
    ],
    "fx-quality-2023": ["fx-quality-2023.5-1.12.2"],
    "hn-yizheng-2024": ["hn-yizheng-2024.07.1", "hn-yizheng-2024.07.2", "hn-yizheng-2024.07.3"],
}


@pytest.mark.parametrize("checklist_id", sorted(NOT_APPLICABLE_TO_SECOND_LEVEL_GENERAL))
def test_second_level_general_hospital_sees_exactly_its_items(catalog, checklist_id):
    hospital = profile("二级", "综合", {"performs_surgery", "transfusion", "has_emergency"})
    checklist = catalog.get(checklist_id).checklist
    not_applicable = [i.id for i in checklist.all_items() if not i.applies_to(hospital)]
    assert not_applicable == NOT_APPLICABLE_TO_SECOND_LEVEL_GENERAL[checklist_id]
    # and every one of them says why, in sentences “本院…，本条仅适用于…”
    sentence = r"本院[^，；]+，本条仅适用于[^，；]+"
    assert all(
        re.fullmatch(rf"{sentence}(；{sentence})*", i.not_applicable_reason(hospital))
        for i in checklist.all_items()
        if not i.applies_to(hospital)
    )


def test_with_obstetrics_the_obstetric_items_come_back(catalog):
    hospital = profile("二级", "综合", {"has_obstetrics"})
    experience = catalog.get("nat-experience-2023").checklist
    assert experience.item("nat-experience-2023.ind.16").applies_to(hospital)
    assert catalog.get("qyx-core").checklist.item("qyx-core.11.2").applies_to(hospital)


def test_regional_checklist_is_marked_and_not_default(catalog):
    fuxin = catalog.get("fx-quality-2023").checklist
    assert fuxin.region == "辽宁省阜新市" and not fuxin.default
    assert [c.id for c in catalog.checklists if c.default] == ["qyx-core", "qyx-targets-2021"]
    assert all(c.region in ("河南省", "全国") for c in catalog.checklists if c.id != "fx-quality-2023")


def test_the_round_year_picks_the_target(catalog):
    measures = catalog.get("hn-7measures-2024").checklist
    pain = next(i for i in measures.all_items() if i.id == "hn-7measures-2024.3.06")  # 疼痛评估率
    assert pain.target_text(2024) == "≥70%" and pain.target_text(2025) == "≥80%"
    assert pain.target_text(2026) == "2026年无目标值"

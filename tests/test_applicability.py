"""Which items apply to which hospital, and the reason shown when one does not."""

from __future__ import annotations

import pytest

from app.domain.profile import Condition, HospitalProfile


def profile(level="二级", type_="综合", flags=()):
    return HospitalProfile(name="某医院", level=level, type=type_, flags=frozenset(flags))


@pytest.mark.parametrize(("condition", "hospital", "holds"), [
    (Condition(levels=("二级", "三级")), profile("一级"), False),
    (Condition(levels=("二级", "三级")), profile("二级"), True),
    (Condition(types=("综合",)), profile(type_="中医"), False),
    (Condition(flags=("has_obstetrics",)), profile(flags={"has_obstetrics"}), True),
    (Condition(flags=("has_obstetrics",)), profile(), False),
    (Condition(not_flags=("pci_capable",)), profile(flags={"pci_capable"}), False),
    (Condition(not_flags=("pci_capable",)), profile(), True),
    (Condition(any_of=(Condition(levels=("三级",)), Condition(flags=("alliance_lead",)))),
     profile("二级", flags={"alliance_lead"}), True),
    (Condition(any_of=(Condition(levels=("三级",)), Condition(flags=("alliance_lead",)))),
     profile("二级"), False),
])
def test_condition(condition, hospital, holds):
    assert condition.holds(hospital) is holds


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
    not_applicable = sorted(i.id for c in (core, targets) for i in c.all_items()
                            if not i.applies_to(hospital))
    # obstetric delivery check (core system 11) and the whole vaginal-delivery target
    delivery = sorted(i.id for s in targets.all_sections() if "阴道分娩" in s.title
                      for i in s.all_items())
    assert not_applicable == sorted(["qyx-core.11.2", *delivery])

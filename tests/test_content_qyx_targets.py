"""Content checks for checklists/qyx-targets-2021.yaml.

Source: 豫卫医〔2021〕26号《河南省医疗质量千院行活动方案（2021—2025年）》三(二)
落实国家年度医疗质量安全改进目标 (10 targets of 2021 in three 领域 + closing paragraph).
The expectations below are written from a reading of the source, not from the YAML.
"""

from tests.content_walk import all_items, all_sections, norm

CHECKLIST = "qyx-targets-2021"
SEED = "001_2c05ede950f61ea1.txt"
P = "qyx-targets-2021"

# Items per section: 现场评价方法 split one item per 是否-question, + 1 indicator per target.
EXPECTED_COUNTS = {
    f"{P}.1": 0,
    f"{P}.1.1": 6,  # 1), 2)×3 (制订并培训 / 医务人员到位 / 药品设备设施可用), 3), rate
    f"{P}.1.2": 6,  # same shape as STEMI
    f"{P}.1.3": 3,  # 2 是否 + rate
    f"{P}.2": 0,
    f"{P}.2.1": 3,  # 2 是否 + rate
    f"{P}.2.2": 4,  # 3 是否 + rate
    f"{P}.2.3": 5,  # 4 是否 + rate
    f"{P}.2.4": 3,  # 2 是否 + rate
    f"{P}.2.5": 4,  # 3 是否 + rate
    f"{P}.3": 0,
    f"{P}.3.1": 4,  # 3 是否 + rate
    f"{P}.3.2": 3,  # 2 是否 + rate
    f"{P}.4": 5,  # closing paragraph
}

# indicator id -> (text, direction, topic)
EXPECTED_INDICATORS = {
    f"{P}.1.1.rate": ("急性ST段抬高型心肌梗死再灌注治疗率", "increase", "stemi_reperfusion"),
    f"{P}.1.2.rate": ("急性脑梗死再灌注治疗率", "increase", "stroke_reperfusion"),
    f"{P}.1.3.rate": ("肿瘤治疗前临床 TNM 分期评估率", "increase", "tnm_staging"),
    f"{P}.2.1.rate": ("住院患者抗菌药物治疗前病原学送检率", "increase", "pathogen_testing"),
    f"{P}.2.2.rate": ("静脉血栓栓塞症规范预防率", "increase", "vte_prevention"),
    f"{P}.2.3.rate": ("住院患者静脉输液使用率", "decrease", "infusion_rate"),
    f"{P}.2.4.rate": ("血管内导管相关血流感染发生率", "decrease", "clabsi"),
    f"{P}.2.5.rate": ("阴道分娩并发症发生率", "decrease", "vaginal_delivery_complications"),
    f"{P}.3.1.rate": ("病案首页主要诊断编码正确率", "increase", "coding_accuracy"),
    f"{P}.3.2.rate": ("医疗质量安全不良事件报告率", "increase", "adverse_event_reporting"),
}

NOTE = "原文仅规定改进方向（提高/降低），未给出目标值；与本院上一轮或基线比较判断是否改进。"


def test_top_level(doc):
    assert doc["id"] == P
    assert doc["version"] == "2021.4"
    assert doc["title"] == "国家医疗质量安全改进目标（2021年）落实情况自查表"
    assert doc["short_title"] == "改进目标"
    assert doc["source"] == {
        "document": "豫卫医〔2021〕26号",
        "title": "河南省医疗质量千院行活动方案（2021—2025年）",
        "seed": "001_2c05ede950f61ea1.txt",
    }
    assert doc["region"] == "河南省"
    assert doc["valid_years"] == {"from": 2021, "to": 2025}
    assert doc["default"] is True
    assert doc["scale"] == "pdca"
    assert doc.get("notes"), "left-out parts must be listed in notes"


def test_section_structure(doc):
    assert [s["id"] for s in doc["sections"]] == [f"{P}.1", f"{P}.2", f"{P}.3", f"{P}.4"]
    secs = all_sections(doc)
    assert set(secs) == set(EXPECTED_COUNTS)
    # 10 targets in total: 3 + 5 + 2
    targets = [sid for sid in secs if sid.count(".") == 2]
    assert len(targets) == 10
    assert secs[f"{P}.1"]["title"] == "心脑血管和肿瘤性疾病等重大疾病领域"
    assert secs[f"{P}.2"]["title"] == "诊疗行为领域"
    assert secs[f"{P}.3"]["title"] == "医疗管理领域"
    assert secs[f"{P}.4"]["title"] == "监测与评价机制"
    assert secs[f"{P}.4"]["source"] == "三(二)"
    assert secs[f"{P}.1.1"]["title"] == "提高急性ST段抬高型心肌梗死（以下简称急性STEMI）再灌注治疗率"
    assert secs[f"{P}.1.1"]["source"] == "三(二)1(1)"
    assert secs[f"{P}.3.2"]["source"] == "三(二)3(2)"
    for sid, s in secs.items():
        assert s.get("source"), sid
        if sid.count(".") == 2:
            assert s.get("guidance"), f"{sid}: 基本要求 missing"


def test_item_counts_per_section(doc):
    secs = all_sections(doc)
    counts = {sid: len(s.get("items", [])) for sid, s in secs.items()}
    assert counts == EXPECTED_COUNTS
    items = all_items(doc)
    kinds = [it["kind"] for it, _, _ in items.values()]
    assert kinds.count("judgement") == 36
    assert kinds.count("indicator") == 10
    assert kinds.count("sampling") == 0


def test_ids_and_sources(doc):
    for iid, (it, sid, _) in all_items(doc).items():
        assert iid.startswith(sid + "."), iid
        assert it["source"].startswith("三(二)"), iid


def test_judgements_are_atomic(doc):
    """Every 现场评价方法 item asks exactly one 是否-question (fails if two are merged)."""
    for iid, (it, sid, _) in all_items(doc).items():
        if it["kind"] == "judgement" and not sid.startswith(f"{P}.4"):
            assert it["text"].count("是否") == 1, iid
            assert "现场评价方法" in it["source"], iid


def test_split_items_of_stemi_and_stroke(doc):
    items = all_items(doc)
    for sec, n in (("1.1", "1(1)"), ("1.2", "1(2)")):
        for suffix in ("2a", "2b", "2c"):
            it = items[f"{P}.{sec}.{suffix}"][0]
            assert it["source"] == f"三(二){n} 现场评价方法2)"
        assert items[f"{P}.{sec}.2b"][0]["text"] == "医务人员是否能够随时到位"
        assert items[f"{P}.{sec}.2c"][0]["text"] == "药品、设备、设施是否处于可用状态。"
    assert items[f"{P}.1.1.3"][0]["source"] == "三(二)1(1) 现场评价方法3)"


def test_indicators(doc):
    items = all_items(doc)
    found = {iid for iid, (it, _, _) in items.items() if it["kind"] == "indicator"}
    assert found == set(EXPECTED_INDICATORS)
    for iid, (text, direction, topic) in EXPECTED_INDICATORS.items():
        it, sid, _ = items[iid]
        assert it["text"] == text, iid
        assert it["input"] == "ratio", iid
        # one unit per topic across programmes (issue 14): catheter infections per 1,000 catheter
        # days, adverse-event reports per 100 discharges, as in the national plan
        units = {"clabsi": "例次/千导管日", "adverse_event_reporting": "例次/百出院人次"}
        assert it["unit"] == units.get(topic, "%"), iid
        assert it["direction"] == direction, iid
        assert "targets" not in it and "target" not in it, f"{iid}: source gives no numeric target"
        assert it["topic"] == topic, iid
        assert it["source"] == all_sections(doc)[sid]["source"], iid
        assert it["note"].startswith(NOTE), iid
        # direction matches the target's wording 提高…/降低…
        title = all_sections(doc)[sid]["title"]
        assert title.startswith("提高" if direction == "increase" else "降低"), iid


def test_applicability(doc):
    items = all_items(doc)
    secs = all_sections(doc)
    # only these carry conditions
    conditional_items = {iid for iid, (it, _, _) in items.items() if "applies_if" in it}
    assert conditional_items == {f"{P}.1.1.3", f"{P}.1.2.3"}
    conditional_secs = {sid for sid, s in secs.items() if "applies_if" in s}
    assert conditional_secs == {f"{P}.2.5"}

    stemi = items[f"{P}.1.1.3"][0]
    assert stemi["applies_if"] == {"not_flags": ["pci_capable"]}
    assert "不具备 PCI 能力的医疗机构" in stemi["applies_note"]
    stroke = items[f"{P}.1.2.3"][0]
    assert stroke["applies_if"] == {"not_flags": ["reperfusion_capable"]}
    assert "不具备再灌注治疗能力的医疗机构" in stroke["applies_note"]

    obst = secs[f"{P}.2.5"]
    assert obst["applies_if"] == {"flags": ["has_obstetrics"]}
    assert obst["applies_note"] == "本目标仅涉及开展阴道分娩（有产科）的医疗机构"
    # every item of the vaginal-delivery target, incl. the indicator, inherits it
    for iid, (_it, sid, eff) in items.items():
        if sid == f"{P}.2.5":
            assert eff == {"flags": ["has_obstetrics"]}, iid
        elif iid not in conditional_items:
            assert eff is None, iid
    # the STEMI/stroke rates apply to every hospital
    assert "applies_if" not in items[f"{P}.1.1.rate"][0]
    assert "applies_if" not in items[f"{P}.1.2.rate"][0]


def test_monitoring_section(doc):
    items = all_items(doc)
    sec4 = [it for iid, (it, sid, _) in items.items() if sid == f"{P}.4"]
    assert all(it["kind"] == "judgement" for it in sec4)
    assert [it["text"] for it in sec4] == [
        "上述 10 项国家年度医疗质量安全改进指标，医疗机构要注重信息化日常监测与评价。",
        "应建立监测与评价机制，明确相关数据采集方法和验证程序",
        "按季度、分科室对数据分析、反馈",
        "建立激励约束机制。",
        "要运用质量管理工具，查找、分析影响本机构实现目标的因素，提出改进措施并落实。",
    ]
    assert sec4[-1]["topic"] == "quality_management_tools"


def test_topics(doc):
    topics = {iid: it["topic"] for iid, (it, _, _) in all_items(doc).items() if "topic" in it}
    expected = {iid: t for iid, (_, _, t) in EXPECTED_INDICATORS.items()}
    expected[f"{P}.1.3.2"] = "mdt"
    expected[f"{P}.4.5"] = "quality_management_tools"
    assert topics == expected


def test_all_judgement_texts_verbatim_in_seed(doc, seed):
    for iid, (it, _, _) in all_items(doc).items():
        if it["kind"] == "judgement":
            assert norm(it["text"]) in seed, iid


def test_titles_and_guidance_verbatim_in_seed(doc, seed):
    for sid, s in all_sections(doc).items():
        assert norm(s["title"]) in seed, sid
        for line in s.get("guidance", "").splitlines():
            if line.strip():
                assert norm(line) in seed, f"{sid}: {line}"


def test_page_break_joins(doc, seed):
    """Sentences the OCR broke across page breaks are joined in the checklist."""
    secs = all_sections(doc)
    items = all_items(doc)
    assert "保障医务人员随时到位" in secs[f"{P}.1.1"]["guidance"]
    assert "要建立本机构急性脑梗死患者急救转诊方案及流程" in secs[f"{P}.1.2"]["guidance"]
    assert items[f"{P}.3.2.2"][0]["text"] == (
        "是否开展相关培训，持续提高医务人员识别与防范医疗质量安全不良事件的意识和能力。"
    )


def test_spot_checks(doc, seed):
    items = all_items(doc)
    assert items[f"{P}.1.1.3"][0]["text"] == "不具备 PCI 能力的医疗机构，是否建立急性 STEMI 患者急救转诊方案及流程。"
    assert items[f"{P}.1.3.2"][0]["text"] == "是否对肿瘤患者（特别是初诊患者）采取多学科协作诊疗。"
    assert items[f"{P}.2.3.2"][0]["text"] == "是否建立无需静脉输液治疗的病种清单。"
    assert items[f"{P}.2.5.3"][0]["text"] == "是否规范开展分娩前评估和核查。"
    assert items[f"{P}.3.1.2"][0]["text"] == "是否制订病案首页规范化填报技术指南并实施。"
    for iid in (f"{P}.1.1.3", f"{P}.2.2.2", f"{P}.3.1.1"):
        assert norm(items[iid][0]["text"]) in seed

"""Content checks for checklists/fx-quality-2023.yaml and checklists/hn-yizheng-2024.yaml.

fx-quality-2023: 阜卫便字〔2023〕92号《阜新市全面提升医疗质量行动工作方案（2023-2025年）》,
  only the hospital duties that go beyond or sharpen the national action plan
  (国卫医政发〔2023〕12号), plus the hospital-level quantitative targets.
hn-yizheng-2024: 豫卫医〔2024〕11号《2024年河南省医政工作要点》, only the points a hospital carries out.

The expectations below are written from a reading of the sources, not from the YAML:
dropping, merging or re-targeting an item must make a test fail.
"""

import pytest

from tests.content_walk import ROOT, all_items, all_sections, norm, read_checklist, read_seed

FX = "fx-quality-2023"
HN = "hn-yizheng-2024"


@pytest.fixture(scope="module")
def fx():
    return read_checklist(FX)


@pytest.fixture(scope="module")
def hn():
    return read_checklist(HN)


# ---------------------------------------------------------------- fx-quality-2023

FX_COUNTS = {
    f"{FX}.5-1": 0,
    f"{FX}.5-1.01": 2,  # 明确具体工作内容和标准 / 每月质量检查和通报
    f"{FX}.5-1.02": 1,  # 每年一次全覆盖核心制度培训和考核
    f"{FX}.5-1.zx1": 4,  # 再梳理…再考核 / 每月自查 / 应知应会 / 知晓率≥90%
    f"{FX}.5-1.04": 3,  # 实习进修规培管理 / 长效培训考核机制 / 三基每年≥2次
    f"{FX}.5-1.05": 7,  # 药品使用 / 采购…养护 / 器械使用 / 不良反应上报 / 监测培训 / 药剂科职能 / 内部自查
    f"{FX}.5-1.06": 2,  # 清单化管理 / 信息化管理水平
    f"{FX}.5-1.07": 4,  # 资源向急诊倾斜 / 急诊培训考核 / 细化制度 / 急诊与住院、手术科室衔接
    f"{FX}.5-1.08": 3,  # 门诊质量管理暂行规定 / 服务评价和监管体系 / 满意度调查
    f"{FX}.5-1.09": 1,  # 日间医疗全流程管理
    f"{FX}.5-1.10": 1,  # 手术技能培训
    f"{FX}.5-1.zx2": 1,  # 手术质量安全提升行动与加速康复外科
    f"{FX}.5-1.11": 2,  # 随访登记本或微信群 / 根据随访提出改进措施
    f"{FX}.5-1.12": 2,  # 兄弟学科交流协助 / 三级医疗机构 MDT 团队
    f"{FX}.5-2": 0,
    f"{FX}.5-2.15": 1,  # 示范查房制度
    f"{FX}.5-2.16": 2,  # 完善相关制度 / 开展质量监控
    f"{FX}.5-2.17": 1,  # 室间质评并及时上报
    f"{FX}.5-2.18": 1,  # 病历抽查、评价、通报机制
    f"{FX}.5-2.zx4": 1,  # 编码正确率≥90%
    f"{FX}.5-2.19": 1,  # 会诊流程和时限
    f"{FX}.5-2.20": 3,  # 绿色通道 / 患者分类 / 部门科室协同
    f"{FX}.5-2.21": 5,  # 报告制度 / 牵头部门 / 科室每月会议 / 分析 / 整改
    f"{FX}.5-2.zx5": 1,  # 每百出院人次主动报告>2.5
    f"{FX}.5-2.22": 2,  # 创新护理管理模式 / 定期护理核心制度考核
    f"{FX}.5-3": 0,
    f"{FX}.5-3.25": 1,  # 质量指标在绩效考核、评价体系中明确
    f"{FX}.5-3.26": 1,  # 按国家、省改进目标等细化本机构改进目标（国家行动计划无“省”）
    f"{FX}.6": 0,
    f"{FX}.6-2": 3,  # 按年度部署 / 落实、总结和数据收集 / 发掘并上报经验
    f"{FX}.6-3": 3,  # 总结推广好的做法和经验 / 完善制度建设 / 推广先进经验、建立长效机制（“各单位”含医院）
    f"{FX}.7": 0,
    f"{FX}.7-1": 3,  # 主要负责人第一责任人 / 明确目标任务 / 与医改重点任务相结合
    f"{FX}.7-2": 4,  # 制度规范和日常监管 / 部门协同 / 全员培训 / 长效机制
    f"{FX}.7-3": 3,  # 宣传同步推进 / 挖掘案例组织学习 / 书面报送
}

FX_SECTION_SOURCES = {
    f"{FX}.5-1": "五(一)",
    f"{FX}.5-1.01": "五(一)1",
    f"{FX}.5-1.02": "五(一)2",
    f"{FX}.5-1.zx1": "五(一)专项行动一",
    f"{FX}.5-1.04": "五(一)4",
    f"{FX}.5-1.05": "五(一)5",
    f"{FX}.5-1.06": "五(一)6",
    f"{FX}.5-1.07": "五(一)7",
    f"{FX}.5-1.08": "五(一)8",
    f"{FX}.5-1.09": "五(一)9",
    f"{FX}.5-1.10": "五(一)10",
    f"{FX}.5-1.zx2": "五(一)专项行动之二",
    f"{FX}.5-1.11": "五(一)11",
    f"{FX}.5-1.12": "五(一)12",
    f"{FX}.5-2": "五(二)",
    f"{FX}.5-2.15": "五(二)15",
    f"{FX}.5-2.16": "五(二)16",
    f"{FX}.5-2.17": "五(二)17",
    f"{FX}.5-2.18": "五(二)18",
    f"{FX}.5-2.zx4": "五(二)专项行动之四",
    f"{FX}.5-2.19": "五(二)19",
    f"{FX}.5-2.20": "五(二)20",
    f"{FX}.5-2.21": "五(二)21",
    f"{FX}.5-2.zx5": "五(二)专项行动之五",
    f"{FX}.5-2.22": "五(二)22",
    f"{FX}.5-3": "五(三)",
    f"{FX}.5-3.25": "五(三)25",
    f"{FX}.5-3.26": "五(三)26",
    f"{FX}.6": "六",
    f"{FX}.6-2": "六(二)",
    f"{FX}.6-3": "六(三)",
    f"{FX}.7": "七",
    f"{FX}.7-1": "七(一)",
    f"{FX}.7-2": "七(二)",
    f"{FX}.7-3": "七(三)",
}

# id -> (text, unit, input, per, direction, target, topic)
FX_INDICATORS = {
    f"{FX}.5-1.zx1.rate": (
        "2023年11月底，确保每名职工对医疗质量安全核心制度知晓率不低于90%。",
        "%",
        "ratio",
        None,
        ">=",
        {2023: 90},  # 2023年11月底: that year only, as 专项行动之四、之五 (content review)
        None,
    ),
    f"{FX}.5-1.04.3": (
        "对全体医务人员加强基本理论、基本知识、基本技能培训及考核，每年不少于2次",
        "次",
        "value",
        None,
        ">=",
        2,
        None,
    ),
    f"{FX}.5-2.zx4.rate": (
        "到2025年末，病案首页主要诊断编码正确率不低于90%",
        "%",
        "ratio",
        None,
        ">=",
        {2025: 90},
        "coding_accuracy",
    ),
    f"{FX}.5-2.zx5.rate": (
        "到2025年末，每百出院人次主动报告不良事件年均大于2.5例次。",
        "例次/百出院人次",
        "ratio",
        100,
        ">",
        {2025: 2.5},
        "adverse_event_reporting",
    ),
}

FX_TOPICS = {
    f"{FX}.5-1.zx1.1": "core_system_implementation",
    f"{FX}.5-1.zx1.2": "core_system_implementation",
    f"{FX}.5-1.11.1": "follow_up",
    f"{FX}.5-1.11.2": "follow_up",
    f"{FX}.5-1.12.2": "mdt",
    f"{FX}.5-2.zx4.rate": "coding_accuracy",
    f"{FX}.5-2.21.1": "adverse_event_reporting",
    f"{FX}.5-2.zx5.rate": "adverse_event_reporting",
}

# the sharper duties named in the brief, with their exact wording
FX_SPOT = {
    f"{FX}.5-1.01.2": "每个月至少开展一次医疗质量检查和通报。",
    f"{FX}.5-1.02.1": "每年开展一次全覆盖医疗质量安全核心制度培训和考核。",
    f"{FX}.5-1.zx1.2": "每个月开展1次自查",
    f"{FX}.5-1.11.1": "重点关注患者出院后随访管理，建立出院随访登记本或建立微信群",
    f"{FX}.5-1.11.2": "根据随访情况提出改进医疗质量措施。",
    f"{FX}.5-1.12.2": "三级医疗机构建立多学科协作诊疗团队，为患者提供重大疾病诊疗一站式服务。",
    f"{FX}.5-2.21.3": "临床科室每月召开医疗质量（安全）会议",
    f"{FX}.5-2.19.1": "明确各类会诊的具体流程和会诊时限",
    f"{FX}.5-1.06.1": "医疗技术实行清单化管理",
    f"{FX}.5-3.25.1": "医疗质量管理相关指标要在医疗机构绩效考核、医务人员评价体系中予以明确。",
}


def test_fx_top_level(fx):
    assert fx["id"] == FX
    assert fx["version"] == "2023.6"
    assert fx["title"] == "阜新市全面提升医疗质量行动自查表"
    assert fx["short_title"] == "阜新方案"
    assert fx["source"] == {
        "document": "阜卫便字〔2023〕92号",
        "title": "阜新市全面提升医疗质量行动工作方案（2023-2025年）",
        "seed": "003_8c4da45d3cddf5d2.txt",
    }
    assert fx["region"] == "辽宁省阜新市"
    assert fx["valid_years"] == {"from": 2023, "to": 2025}
    assert fx["default"] is False
    assert fx["scale"] == "pdca"
    assert "阜新" in fx["description"] and "参考" in fx["description"]
    notes = " ".join(fx["notes"])
    # city-level parts and national duplicates are named as left out
    for left_out in ("织网", "市医疗质控办", "国家", "县区", "23", "24", "27"):
        assert left_out in notes, left_out


def test_fx_sections(fx):
    assert [s["id"] for s in fx["sections"]] == [f"{FX}.5-1", f"{FX}.5-2", f"{FX}.5-3", f"{FX}.6", f"{FX}.7"]
    secs = all_sections(fx)
    assert set(secs) == set(FX_COUNTS)
    assert len(secs) == 35
    for sid, src in FX_SECTION_SOURCES.items():
        assert secs[sid]["source"] == src, sid
    assert secs[f"{FX}.5-1"]["title"] == "加强基础质量安全管理，夯实结构质量"
    assert secs[f"{FX}.5-2"]["title"] == "强化关键环节和行为管理，提高过程质量"
    assert secs[f"{FX}.5-3"]["title"] == "织密质量管理网络，完善工作机制"
    assert secs[f"{FX}.5-1.zx1"]["title"] == "专项行动一：18项核心制度“强基”行动"
    assert secs[f"{FX}.5-1.11"]["title"] == "提高患者随访质量"
    # every section with items carries the task's original paragraph as guidance
    for sid, s in secs.items():
        if s.get("items"):
            assert s.get("guidance"), sid


def test_fx_item_counts(fx):
    secs = all_sections(fx)
    counts = {sid: len(s.get("items", [])) for sid, s in secs.items()}
    assert counts == FX_COUNTS
    kinds = [it["kind"] for it, _, _ in all_items(fx).values()]
    assert len(kinds) == 69
    assert kinds.count("judgement") == 65
    assert kinds.count("indicator") == 4
    assert kinds.count("sampling") == 0


def test_fx_ids_and_sources(fx):
    secs = all_sections(fx)
    for iid, (it, sid, _) in all_items(fx).items():
        assert iid.startswith(sid + "."), iid
        assert it["source"] == secs[sid]["source"], iid


def test_fx_indicators(fx):
    items = all_items(fx)
    found = {iid for iid, (it, _, _) in items.items() if it["kind"] == "indicator"}
    assert found == set(FX_INDICATORS)
    for iid, (text, unit, inp, per, direction, target, topic) in FX_INDICATORS.items():
        it = items[iid][0]
        assert it["text"] == text, iid
        assert it["unit"] == unit, iid
        assert it.get("input", "value") == inp, iid
        assert it.get("per") == per, iid
        assert it["direction"] == direction, iid
        if isinstance(target, dict):  # 到2025年末: that year only (issue 14)
            assert it["targets"] == target, iid
            assert "target" not in it, iid
        else:
            assert it["target"] == target, iid
            assert "targets" not in it, iid
        assert it.get("topic") == topic, iid
    ae = items[f"{FX}.5-2.zx5.rate"][0]
    assert "大于" in ae["note"] and ">2.5" in ae["note"], "the strict > must be noted"


def test_fx_topics(fx):
    found = {iid: it["topic"] for iid, (it, _, _) in all_items(fx).items() if "topic" in it}
    assert found == FX_TOPICS


def test_fx_applicability(fx):
    items = all_items(fx)
    secs = all_sections(fx)
    assert not any("applies_if" in s for s in secs.values())
    cond = {iid for iid, (it, _, _) in items.items() if "applies_if" in it}
    assert cond == {f"{FX}.5-1.12.2", f"{FX}.5-1.10.1", f"{FX}.5-1.zx2.1", f"{FX}.5-1.01.1", f"{FX}.5-1.01.2"}
    # “全市二级以上医疗机构……明确具体工作内容和标准，每个月至少开展一次医疗质量检查和通报”
    for iid in (f"{FX}.5-1.01.1", f"{FX}.5-1.01.2"):
        assert items[iid][0]["applies_if"] == {"levels": ["二级", "三级"]}, iid
    # surgery items apply only where the hospital 开展手术, as in 千院行 (issue 14)
    for iid in (f"{FX}.5-1.10.1", f"{FX}.5-1.zx2.1"):
        assert items[iid][0]["applies_if"] == {"flags": ["performs_surgery"]}, iid
    it = items[f"{FX}.5-1.12.2"][0]
    assert it["applies_if"] == {"levels": ["三级"]}
    assert "三级医疗机构" in it["applies_note"]


def test_fx_spot_texts(fx):
    items = all_items(fx)
    for iid, text in FX_SPOT.items():
        assert items[iid][0]["text"] == text, iid


def test_fx_texts_verbatim_in_seed(fx):
    seed = read_seed("003_8c4da45d3cddf5d2.txt")
    for iid, (it, _, _) in all_items(fx).items():
        for part in norm(it["text"]).split("……"):  # the parts around an elision
            assert part in seed, iid
        if "……" in it["text"]:
            assert it.get("note"), f"{iid}: an elision says what was left out"
    for sid, s in all_sections(fx).items():
        assert norm(s["title"]) in seed, sid
        for line in s.get("guidance", "").splitlines():
            assert norm(line) in seed, sid
    for text in FX_SPOT.values():
        assert norm(text) in seed


def test_fx_judgements_are_atomic(fx):
    """No judgement repeats a monthly/annual duty that belongs to another item."""
    for iid, (it, _, _) in all_items(fx).items():
        if it["kind"] == "judgement":
            t = it["text"]
            assert t.count("每个月") + t.count("每月") + t.count("每年") <= 1, iid
    items = all_items(fx)
    # the three monthly duties are three separate items
    assert "检查和通报" in items[f"{FX}.5-1.01.2"][0]["text"]
    assert "自查" in items[f"{FX}.5-1.zx1.2"][0]["text"]
    assert "会议" in items[f"{FX}.5-2.21.3"][0]["text"]


# ---------------------------------------------------------------- hn-yizheng-2024

HN_COUNTS = {
    f"{HN}.02": 9,  # 核心制度 / 质量管理体系 / 质量管理工具 / 绩效分配 / 院感×5
    f"{HN}.06": 2,  # CDSS / 医疗废弃物信息化
    f"{HN}.07": 3,  # 急诊急救三大中心 / 临床服务五大中心 / 医共体“五大中心”
    f"{HN}.09": 4,  # 上门护理 / 抗微生物药物闭环 / 特殊管理药品 / 处方审核点评
    f"{HN}.12": 1,  # 廉洁从业九项准则
}

HN_SOURCES = {f"{HN}.02": "二", f"{HN}.06": "六", f"{HN}.07": "七", f"{HN}.09": "九", f"{HN}.12": "十二"}

HN_TEXTS = {
    f"{HN}.02.1": "严格落实18项医疗质量安全核心制度",
    f"{HN}.02.2": "持续完善医疗质量管理体系、组织架构、制度机制",
    f"{HN}.02.3": "运用质量管理工具寻求提升突破点",
    f"{HN}.02.4": "建立以质量安全为导向的绩效分配机制",
    f"{HN}.02.5": "切实加强院感防控体系建设",
    f"{HN}.02.6": "完善院感防控制度",
    f"{HN}.02.7": "严格落实防控措施",
    f"{HN}.02.8": "强化院感风险评估",
    f"{HN}.02.9": "确保不发生院内严重感染事件。",
    f"{HN}.06.1": "加强医疗机构临床决策支持系统（CDSS）应用，促进医疗质量安全核心制度规范落实",
    f"{HN}.06.2": "完成全省二级以上医院医疗废弃物信息化管理部署，并与省、市“智能医废”监管平台对接",
    f"{HN}.07.1": "持续推动胸痛、卒中、创伤等急诊急救三大中心平稳运行和持续完善发展。",
    f"{HN}.07.2": "重点推进肿瘤、微创介入、麻醉疼痛、重症监护、静脉血栓栓塞症等临床服务五大中心建设",
    f"{HN}.07.3": "依托县域医共体有序推动资源共享“五大中心”和高质量管理“五大中心”。",
    f"{HN}.09.1": "依托全省统一的互联网+护理信息平台—“豫健护理到家”，全面推广上门护理服务，基本实现二级以上医院全覆盖。",
    f"{HN}.09.2": "利用信息化手段实现抗微生物药物全闭环管理",
    f"{HN}.09.3": "加强麻精药品、抗肿瘤药物等特殊管理药品管理",
    f"{HN}.09.4": "加大处方审核点评力度，提高临床合理用药水平。",
    f"{HN}.12.1": "严格贯彻落实《医疗机构工作人员廉洁从业九项准则》",
}

HN_TOPICS = {
    f"{HN}.02.1": "core_system_implementation",
    f"{HN}.02.3": "quality_management_tools",
    f"{HN}.02.5": "infection_control",
    f"{HN}.02.6": "infection_control",
    f"{HN}.02.7": "infection_control",
    f"{HN}.02.8": "infection_control",
    f"{HN}.02.9": "infection_control",
    f"{HN}.09.4": "prescription_review",
}


def test_hn_top_level(hn):
    assert hn["id"] == HN
    assert hn["version"] == "2024.3"
    assert hn["title"] == "2024年河南省医政工作要点（医院落实部分）自查表"
    assert hn["short_title"] == "医政要点"
    assert hn["source"] == {
        "document": "豫卫医〔2024〕11号",
        "title": "2024年河南省医政工作要点",
        "seed": "002_9f8c18cf987ebd95.txt",
    }
    assert hn["region"] == "河南省"
    assert hn["valid_years"] == {"from": 2024, "to": 2024}
    assert hn["default"] is False
    assert hn["scale"] == "pdca"
    notes = " ".join(hn["notes"])
    for left_out in ("双中心", "28项", "织网", "临床重点专科", "公立医院", "分级诊疗", "精神卫生", "人才", "120"):
        assert left_out in notes, left_out


def test_hn_sections_and_counts(hn):
    assert [s["id"] for s in hn["sections"]] == list(HN_COUNTS)
    secs = all_sections(hn)
    assert {sid: len(s.get("items", [])) for sid, s in secs.items()} == HN_COUNTS
    for sid, src in HN_SOURCES.items():
        assert secs[sid]["source"] == src, sid
        assert secs[sid].get("guidance"), sid
    items = all_items(hn)
    assert len(items) == 19
    assert all(it["kind"] == "judgement" for it, _, _ in items.values()), "judgement checklist"


def test_hn_texts_and_sources(hn):
    items = all_items(hn)
    assert set(items) == set(HN_TEXTS)
    secs = all_sections(hn)
    for iid, text in HN_TEXTS.items():
        it, sid, _ = items[iid]
        assert it["text"] == text, iid
        assert iid.startswith(sid + "."), iid
        assert it["source"] == secs[sid]["source"], iid


def test_hn_topics(hn):
    found = {iid: it["topic"] for iid, (it, _, _) in all_items(hn).items() if "topic" in it}
    assert found == HN_TOPICS


def test_hn_applicability(hn):
    items = all_items(hn)
    secs = all_sections(hn)
    cond_secs = {sid for sid, s in secs.items() if "applies_if" in s}
    assert cond_secs == {f"{HN}.07"}
    assert secs[f"{HN}.07"]["applies_if"] == {"flags": ["county_medical_center"]}
    assert "县域医疗中心" in secs[f"{HN}.07"]["applies_note"]
    for iid in (f"{HN}.07.1", f"{HN}.07.2", f"{HN}.07.3"):
        assert items[iid][2] == {"flags": ["county_medical_center"]}, iid
    cond_items = {iid for iid, (it, _, _) in items.items() if "applies_if" in it}
    assert cond_items == {f"{HN}.06.2", f"{HN}.09.1"}
    for iid in cond_items:
        it = items[iid][0]
        assert it["applies_if"] == {"levels": ["二级", "三级"]}, iid
        assert "二级以上医院" in it["applies_note"], iid


def test_hn_texts_verbatim_in_seed(hn):
    seed = read_seed("002_9f8c18cf987ebd95.txt")
    for iid, (it, _, _) in all_items(hn).items():
        assert norm(it["text"]) in seed, iid
    for sid, s in all_sections(hn).items():
        assert norm(s["title"]) in seed, sid
        for line in s.get("guidance", "").splitlines():
            assert norm(line) in seed, sid


# ---------------------------------------------------------------- out-of-scope note


def test_out_of_scope_doc_lists_both_sources():
    doc = (ROOT / "docs" / "out-of-scope.md").read_text(encoding="utf-8")
    for needle in ("阜卫便字〔2023〕92号", "豫卫医〔2024〕11号", "织网", "双中心", "28项"):
        assert needle in doc, needle

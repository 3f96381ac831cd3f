"""Content tests for checklists/hn-7measures-2024.yaml (豫改办发〔2024〕4号 七项举措).

Expectations are written from a reading of the source text (seed 000_298cb80779cdd7f8.txt),
not from the YAML: dropping, merging or re-targeting an item must make a test fail.
"""

import re

import pytest

from tests.content_walk import items_by_id, norm

CHECKLIST = "hn-7measures-2024"
SEED = "000_298cb80779cdd7f8.txt"
P = CHECKLIST


@pytest.fixture(scope="module")
def items(doc):
    return items_by_id(doc)


# --- top level ---------------------------------------------------------------------------


def test_notice_duties(items, seed):
    """正文's hospital duties (issue 14): the 三级 problem list and 三 落实主体责任, as written."""
    it = items[f"{P}.zw2.01"]
    assert it["text"] == "6月底前，三级医院全面梳理好质量安全问题清单"
    assert "2024" in it["note"]
    zw3 = "".join(items[f"{P}.zw3.{n:02d}"]["text"] for n in range(1, 9))
    for words in (
        "主体责任",
        "医疗纠纷",
        "不良事件",
        "死亡病例",
        "切入点",
        "医疗质量管理委员会专题会议",
        "院周会质量安全反馈机制",
        "医院评审、绩效考核",
    ):
        assert words in zw3, words


def test_top_level(doc):
    assert doc["id"] == P
    assert doc["version"] == "2024.5"
    assert doc["title"] == "“便民就医提质量”七项举措落实情况自查表"
    assert doc["short_title"] == "七项举措"
    assert doc["source"] == {
        "document": "豫改办发〔2024〕4号",
        "title": "关于推行“便民就医提质量”七项举措的通知",
        "seed": "000_298cb80779cdd7f8.txt",
    }
    assert doc["region"] == "河南省"
    assert doc["valid_years"] == {"from": 2024, "to": 2025}
    assert doc["default"] is False
    assert doc["scale"] == "pdca"
    notes = " ".join(doc["notes"])
    # left out: government / 质控中心 work and the 三甲评审 incentive
    for word in ("医保局", "织网", "《河南省医疗服务与质量安全报告》", "三级甲等医院评审优先考虑"):
        assert word in notes


# --- structure ---------------------------------------------------------------------------

SECTIONS = {
    # the notice's own text: the hospital duties in 二, 三 and 五 (issue 14)
    f"{P}.zw2": ("科学组织实施（医院职责）", "正文 二"),
    f"{P}.zw3": ("落实主体责任", "正文 三"),
    f"{P}.zw5": ("强化宣传引导（医院职责）", "正文 五"),
    f"{P}.1": ("推行患者安全行动", "附件 一"),
    f"{P}.2": ("推行手术质量安全行动", "附件 二"),
    f"{P}.3": ("推行疼痛综合管理行动", "附件 三"),
    f"{P}.4": ("推行多学科诊疗行动", "附件 四"),
    f"{P}.5": ("推行合理用药行动", "附件 五"),
    f"{P}.6": ("推行电子病历提升行动", "附件 六"),
    f"{P}.7": ("推行质控织网行动", "附件 七"),
}

ITEMS_PER_SECTION = {
    f"{P}.zw2": 1,  # 三级医院梳理质量安全问题清单
    f"{P}.zw3": 8,  # 主体责任/目标/难点堵点/切入点 + 委员会/院周会/数据三途径 + 统筹协同
    f"{P}.zw5": 6,  # 宣传引导/解读政策/培训指导/宣传做法成效/回应关切/医患沟通
    f"{P}.1": 12,  # 总体要求1 + 机制2 + 查对/院感/危急值/应急/不良事件5 + 监测指标4
    f"{P}.2": 12,  # 总体1 + 目录/授权2 + 四级手术MDT1 + 病理科1+2 + 重返/获得性2 + 低体温/I类切口/日间3
    f"{P}.3": 8,  # 制度/流程/联动3 + 主诉/多学科模式2 + 指标3
    f"{P}.4": 14,  # 一站式1 + 目录/团队2 + 扩展1 + 门诊/匹配/会诊/记录4 + 专病中心/信息系统/路径3 + 指标3
    f"{P}.5": 15,  # 药事会/点评制度2 + 抽样4 + 专项点评1 + 双十1 + 抗菌药物办法/信息化2 + 药师1 + 指标4
    f"{P}.6": 11,  # 智慧医院/人员/病历质量/评估/抽查/示范6 + 编码1 + 结构化2 + 5级/4级2
    f"{P}.7": 5,  # 国家目标/省级目标/工具/方案/指标
}


def test_sections(doc):
    secs = doc["sections"]
    assert len(secs) == 10
    assert [s["id"] for s in secs] == list(SECTIONS)
    for s in secs:
        title, source = SECTIONS[s["id"]]
        assert s["title"] == title
        assert s["source"] == source
        assert not s.get("sections")


def test_items_per_section(doc):
    got = {s["id"]: len(s["items"]) for s in doc["sections"]}
    assert got == ITEMS_PER_SECTION
    for s in doc["sections"]:
        for n, it in enumerate(s["items"], 1):
            assert it["id"] == f"{s['id']}.{n:02d}", "ids must be numbered in source order"
            assert it["source"] == s["source"]


def test_kind_counts(items):
    kinds = {}
    for it in items.values():
        kinds[it["kind"]] = kinds.get(it["kind"], 0) + 1
    assert kinds == {"judgement": 69, "indicator": 23}


# --- indicators --------------------------------------------------------------------------

# id: (unit, input, direction, targets or single target or None)
INDICATORS = {
    f"{P}.2.06": ("%", "ratio", "increase", None),  # 室间质评参加率
    f"{P}.2.07": ("%", "ratio", "increase", None),  # 室间质评合格率
    f"{P}.2.08": ("‰", "ratio", "<=", {2024: 1.9, 2025: 1.8}),  # 非计划重返手术室再手术率
    f"{P}.2.09": ("‰", "ratio", "<=", {2024: 7.7, 2025: 7.5}),  # 手术后获得性指标发生率
    f"{P}.2.10": ("%", "ratio", "decrease", None),  # 手术麻醉期间低体温发生率
    f"{P}.2.11": ("%", "ratio", "decrease", None),  # I类切口预防使用率
    f"{P}.2.12": ("%", "ratio", "increase", None),  # 日间手术占比
    f"{P}.3.06": ("%", "ratio", ">=", {2024: 70, 2025: 80}),  # 疼痛评估率
    f"{P}.3.07": ("%", "ratio", ">=", {2024: 70, 2025: 80}),  # 4分以上疼痛诊疗率
    f"{P}.3.08": ("%", "ratio", ">=", {2024: 60, 2025: 70}),  # 癌痛规范诊疗率
    f"{P}.4.12": ("%", "ratio", ">=", {2024: 83, 2025: 85}),  # STEMI再灌注
    f"{P}.4.13": ("%", "ratio", ">=", {2024: 45, 2025: 55}),  # 急性脑梗死再灌注
    f"{P}.4.14": ("个", "value", "increase", None),  # MDT门诊病种数
    f"{P}.5.03": ("%", "ratio", ">=", 1),  # 门（急）诊处方抽样率
    f"{P}.5.04": ("张", "value", ">=", 100),  # 每月点评处方数
    f"{P}.5.05": ("%", "ratio", ">=", 1),  # 医嘱单抽样率
    f"{P}.5.06": ("份", "value", ">=", 30),  # 每月点评出院病历数
    f"{P}.5.12": ("%", "ratio", ">=", {2024: 73, 2025: 75}),  # 门诊抗菌药物处方适宜率
    f"{P}.5.13": ("%", "ratio", ">=", {2024: 73, 2025: 75}),  # 住院抗菌药物医嘱适宜率
    f"{P}.5.14": ("%", "ratio", ">=", {2024: 78, 2025: 80}),  # 处方适宜率
    f"{P}.5.15": ("%", "ratio", ">=", {2024: 93, 2025: 95}),  # 处方规范率
    f"{P}.6.07": ("%", "ratio", ">=", {2024: 88, 2025: 90}),  # 主要诊断编码正确率
    f"{P}.6.09": ("%", "ratio", "increase", None),  # 门（急）诊结构化病历使用比例
}


def test_indicator_set(items):
    got = {i for i, it in items.items() if it["kind"] != "judgement"}
    assert got == set(INDICATORS)


@pytest.mark.parametrize("iid", sorted(INDICATORS))
def test_indicator(items, iid):
    unit, inp, direction, target = INDICATORS[iid]
    it = items[iid]
    assert it["kind"] == "indicator"
    assert it["unit"] == unit
    assert it.get("input", "value") == inp
    assert it["direction"] == direction
    if target is None:
        assert "targets" not in it and "target" not in it
    elif isinstance(target, dict):
        assert it["targets"] == target
        assert all(isinstance(k, int) for k in it["targets"])
        assert "target" not in it
    else:
        assert it["target"] == target
        assert "targets" not in it


def test_reoperation_unit_correction_noted(items, seed):
    it = items[f"{P}.2.08"]
    assert "1.9%、1.8‰" in it["note"]  # the original reading, named
    assert "1.9‰、1.8‰" in it["text"]
    assert "1.9%、1.8‰" in seed  # the original reading the note refers to


# --- applicability -----------------------------------------------------------------------

L23 = {"levels": ["二级", "三级"]}
L23_GENERAL = {"levels": ["二级", "三级"], "types": ["综合"]}
SURGERY = {"flags": ["performs_surgery"]}
APPLIES = {
    # 附件二's surgery items apply where the hospital 开展手术, as in 千院行; 病理科 (2.05-2.07) to all
    **{f"{P}.2.{n:02d}": SURGERY for n in (1, 2, 3, 8, 9, 10, 11, 12)},
    f"{P}.2.04": {"flags": ["performs_grade4_surgery"]},
    f"{P}.zw2.01": {"levels": ["三级"]},
    f"{P}.3.06": L23_GENERAL,
    f"{P}.3.07": L23_GENERAL,
    f"{P}.3.08": L23_GENERAL,
    f"{P}.5.01": L23,
    f"{P}.5.02": L23,
    f"{P}.5.03": L23,
    f"{P}.5.04": L23,
    f"{P}.5.05": L23,
    f"{P}.5.06": L23,
    f"{P}.5.07": {"levels": ["三级"]},
    f"{P}.5.09": L23,
    f"{P}.5.10": L23,
    f"{P}.5.12": L23,
    f"{P}.5.13": L23,
    f"{P}.5.14": L23,
    f"{P}.5.15": L23,
    f"{P}.6.10": {"levels": ["三级"]},
    f"{P}.6.11": {"flags": ["county_medical_center"]},
}


def test_applicability(doc, items):
    for s in doc["sections"]:
        assert "applies_if" not in s
    got = {i: it["applies_if"] for i, it in items.items() if "applies_if" in it}
    assert got == APPLIES
    for i in APPLIES:
        assert items[i]["applies_note"].startswith("原文：")


def test_pain_department_scope_in_note(items):
    for i in (f"{P}.3.06", f"{P}.3.07", f"{P}.3.08"):
        assert "二级以上综合医院疼痛相关重点科室" in items[i]["applies_note"]
        assert "肿瘤科" in items[i]["applies_note"]


def test_applies_notes_quote_source(items, seed):
    for i, it in items.items():
        note = it.get("applies_note")
        if not note:
            continue
        quoted = re.sub(r"（[^（）]*无法[^（）]*）$|（原文未[^（）]*）$", "", note[len("原文：") :])
        for frag in quoted.split("……"):
            assert norm(frag) in seed, f"{i}: applies_note fragment not in seed: {frag}"


# --- topics ------------------------------------------------------------------------------

TOPICS = {
    f"{P}.zw3.05": "quality_committee",
    f"{P}.1.05": "infection_control",
    f"{P}.1.08": "adverse_event_reporting",
    f"{P}.2.04": "grade4_preop_discussion",
    f"{P}.2.08": "unplanned_reoperation",
    f"{P}.2.09": "postoperative_complications",
    f"{P}.2.12": "day_surgery",
    f"{P}.3.08": "cancer_pain",
    f"{P}.4.02": "mdt",
    f"{P}.4.12": "stemi_reperfusion",
    f"{P}.4.13": "stroke_reperfusion",
    f"{P}.5.02": "prescription_review",
    f"{P}.5.12": "antimicrobial_appropriateness",
    f"{P}.5.13": "antimicrobial_appropriateness",
    f"{P}.6.07": "coding_accuracy",
    f"{P}.7.03": "quality_management_tools",
}


def test_topics(items):
    assert {i: it["topic"] for i, it in items.items() if "topic" in it} == TOPICS


# --- wording -----------------------------------------------------------------------------

CORRECTED = {f"{P}.2.08": ("1.9‰", "1.9%")}  # id: (text reading, seed reading)


def test_every_text_is_from_seed(items, seed):
    """Every item text (fragments around an elision mark ……) occurs verbatim in the seed."""
    for i, it in items.items():
        text = it["text"]
        if i in CORRECTED:
            new, old = CORRECTED[i]
            assert new in text
            text = text.replace(new, old)
        for frag in text.split("……"):
            assert norm(frag) in seed, f"{i}: not verbatim in seed: {frag}"
        if "……" in it["text"]:
            assert "拆分自原句" in it.get("note", ""), f"{i}: split without note"


SPOT = {
    f"{P}.2.04": "每例四级手术均需完成术前多学科讨论。",
    f"{P}.3.06": "对住院患者疼痛评估率不低于 70%、80%",
    f"{P}.4.11": "将涉及专业的医师链接进入 MDT 路径，有效提高心脑血管疾病、恶性肿瘤等重大疾病以及罕见、疑难疾病的诊疗水平。",
    f"{P}.5.01": "二级以上医院设立药事管理与药物治疗学委员会",
    f"{P}.5.03": "门（急）诊处方的抽样率不少于总处方量的 1%",
    f"{P}.5.04": "且每月点评处方绝对数不少于 100 张",
    f"{P}.5.08": "建立并落实“双十”管理制度。",
    f"{P}.6.07": "2024年底、2025年底，病案首页主要诊断编码正确率分别不低于88%、90%；",
}


@pytest.mark.parametrize("iid", sorted(SPOT))
def test_spot_texts(items, seed, iid):
    assert items[iid]["text"] == SPOT[iid]
    assert norm(SPOT[iid]) in seed


def test_left_out_not_present(items):
    texts = "".join(it["text"] for it in items.values())
    assert "织网" not in texts
    assert "发布系列" not in texts
    assert "三级甲等医院评审优先考虑" not in texts

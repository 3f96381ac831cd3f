"""Content checks for checklists/qyx-core.yaml (豫卫医〔2021〕26号 三(一) 核心制度 and 四(二) 自我监管机制).

Counts and kinds are from a reading of the seed text; dropping or merging an item must fail here.
"""

import re

from tests.content_walk import ROOT, all_sections, items_by_id, norm

CHECKLIST = "qyx-core"
SEED = "001_2c05ede950f61ea1.txt"

# Items per section: one per "是否" (or clause with its own subject) of each 现场评价方法.
EXPECTED_COUNTS = {
    "qyx-core.01": 1,
    "qyx-core.02": 2,
    "qyx-core.03": 2,
    "qyx-core.04": 3,
    "qyx-core.05": 9,
    "qyx-core.06": 3,
    "qyx-core.07": 3,
    "qyx-core.08": 3,
    "qyx-core.09": 2,
    "qyx-core.10": 2,
    "qyx-core.11": 4,
    "qyx-core.12": 3,
    "qyx-core.13": 5,
    "qyx-core.14": 3,
    "qyx-core.15": 4,
    "qyx-core.16": 1,
    "qyx-core.17": 2,
    "qyx-core.18": 4,
    "qyx-core.19": 7,
    "qyx-core.20": 8,  # 五(一) 自查/整改, 五(二)1, 六(一) 领导小组, 六(二) 报送/配合质控, 六(三) 宣传/推广
}

EXPECTED_TITLES = {
    "qyx-core.01": "首诊负责制度",
    "qyx-core.02": "三级查房制度",
    "qyx-core.03": "会诊制度",
    "qyx-core.04": "分级护理制度",
    "qyx-core.05": "值班与交接班制度",
    "qyx-core.06": "疑难病例讨论制度",
    "qyx-core.07": "急危重患者抢救制度",
    "qyx-core.08": "术前讨论制度",
    "qyx-core.09": "死亡病例讨论制度",
    "qyx-core.10": "查对制度",
    "qyx-core.11": "手术安全核查制度",
    "qyx-core.12": "手术分级管理制度",
    "qyx-core.13": "新技术和新项目准入制度",
    "qyx-core.14": "危急值报告制度",
    "qyx-core.15": "病历管理制度",
    "qyx-core.16": "抗菌药物分级管理制度",
    "qyx-core.17": "临床用血审核制度",
    "qyx-core.18": "信息安全管理制度",
    "qyx-core.19": "医院自我监管机制",
    "qyx-core.20": "活动实施与工作要求（医院职责）",
}

SAMPLING = {
    "qyx-core.06.3",  # 讨论结论是否记入病历
    "qyx-core.07.3",  # 抢救完成 6 小时内是否将抢救记录记入病历
    "qyx-core.08.3",  # 术前讨论的结论是否记入病历
    "qyx-core.09.2",  # 死亡病例讨论范围、参加人员、时限和记录是否符合规定
    "qyx-core.11.4",  # 手术安全核查表是否纳入病历
    "qyx-core.14.3",  # 临床危急值信息是否专册登记
}

# Every applicability condition set in the file (section or item id -> applies_if).
EXPECTED_CONDITIONS = {
    "qyx-core.19.5": {"levels": ["二级", "三级"]},  # “二级以上医院……各业务科室还应当……”: one sentence
    "qyx-core.08": {"flags": ["performs_surgery"]},
    "qyx-core.11.1": {"flags": ["performs_surgery"]},
    "qyx-core.11.2": {"flags": ["has_obstetrics"]},
    "qyx-core.11.3": {"flags": ["performs_surgery"]},
    "qyx-core.11.4": {"flags": ["performs_surgery"]},
    "qyx-core.12": {"flags": ["performs_surgery"]},
    "qyx-core.17": {"flags": ["transfusion"]},
    "qyx-core.19.4": {"levels": ["二级", "三级"]},
}

# OCR corrections: (node id, corrected reading, original reading).
OCR_FIXES = {
    "qyx-core.18": ("信息安全管理制度", "信息安全管理制"),
    "qyx-core.18.1": ("技术", "技術"),
}


def test_top_level(doc):
    assert doc["id"] == "qyx-core"
    assert doc["version"] == "2021.3"
    assert doc["title"] == "医疗质量安全核心制度落实情况自查表"
    assert doc["short_title"] == "核心制度"
    assert doc["source"] == {
        "document": "豫卫医〔2021〕26号",
        "title": "河南省医疗质量千院行活动方案（2021—2025年）",
        "seed": "001_2c05ede950f61ea1.txt",
    }
    assert doc["region"] == "河南省"
    assert doc["valid_years"] == {"from": 2021, "to": 2025}
    assert doc["default"] is True
    assert doc["scale"] == "pdca"
    assert doc["notes"], "left-out parts of the source must be listed in notes"


def test_sections_and_counts(doc):
    secs = all_sections(doc)
    assert list(secs) == list(EXPECTED_COUNTS)
    assert {sid: len(s.get("items", [])) for sid, s in secs.items()} == EXPECTED_COUNTS
    assert sum(EXPECTED_COUNTS.values()) == 71  # 56 check points in 三(一) + 7 in 四(二) + 8 in 五、六
    assert {sid: s["title"] for sid, s in secs.items()} == EXPECTED_TITLES
    for n in range(1, 19):
        sid = f"qyx-core.{n:02d}"
        assert secs[sid]["source"] == f"三(一){n}"
        assert secs[sid]["guidance"].strip(), sid
    assert secs["qyx-core.19"]["source"] == "四(二)"
    assert secs["qyx-core.20"]["source"] == "五、六"


def test_item_ids_and_sources(doc):
    for s in doc["sections"]:
        sec_no = s["id"].split(".")[1]
        for k, it in enumerate(s["items"], start=1):
            assert it["id"] == f"{s['id']}.{k}"
            if sec_no == "19":
                assert it["source"].startswith("四(二)"), it["id"]
            elif sec_no == "20":
                assert it["source"] in ("五(一)", "五(二)1", "六(一)", "六(二)", "六(三)"), it["id"]
            else:
                n = int(sec_no)
                assert re.fullmatch(rf"三\(一\){n} 现场评价方法(\(\d\))?", it["source"]), it["id"]


def test_numbered_sources(doc):
    its = items_by_id(doc)
    assert its["qyx-core.05.3"]["source"] == "三(一)5 现场评价方法(2)"
    assert its["qyx-core.05.7"]["source"] == "三(一)5 现场评价方法(3)"
    assert its["qyx-core.05.9"]["source"] == "三(一)5 现场评价方法(5)"
    assert its["qyx-core.12.3"]["source"] == "三(一)12 现场评价方法(2)"
    assert its["qyx-core.13.5"]["source"] == "三(一)13 现场评价方法(4)"
    assert its["qyx-core.14.3"]["source"] == "三(一)14 现场评价方法(3)"
    assert its["qyx-core.15.4"]["source"] == "三(一)15 现场评价方法(4)"
    assert its["qyx-core.02.1"]["source"] == "三(一)2 现场评价方法"


def test_kinds(doc):
    for iid, it in items_by_id(doc).items():
        if iid in SAMPLING:
            assert it["kind"] == "sampling", iid
            assert it["target"] == 100, iid
            assert it["min_samples"] == 10, iid
            assert "targets" not in it, iid
            assert it["note"].startswith("原文未规定比例；制度要求每例做到，按全部抽查病历符合为达标。"), iid
        else:
            assert it["kind"] == "judgement", iid
        for key in ("unit", "direction", "input", "per"):
            assert key not in it, (iid, key)


def test_applicability(doc):
    found = {}
    for s in doc["sections"]:
        if "applies_if" in s:
            found[s["id"]] = s["applies_if"]
            assert s.get("applies_note"), s["id"]
        for it in s["items"]:
            if "applies_if" in it:
                found[it["id"]] = it["applies_if"]
                assert it.get("applies_note"), it["id"]
    assert found == EXPECTED_CONDITIONS
    its = items_by_id(doc)
    assert its["qyx-core.19.4"]["applies_note"] == "原文：二级以上医院"
    assert "产房分娩核查" in its["qyx-core.11.2"]["text"]
    # 11 sets its conditions per item so that 产房分娩核查 depends on 有产科 alone.
    assert "applies_if" not in all_sections(doc)["qyx-core.11"]


def test_topics(doc):
    topics = {iid: it["topic"] for iid, it in items_by_id(doc).items() if "topic" in it}
    assert topics == {"qyx-core.19.4": "quality_committee"}


def test_ocr_corrections_are_noted(doc):
    nodes = {**all_sections(doc), **items_by_id(doc)}
    for nid, (fixed, original) in OCR_FIXES.items():
        node = nodes[nid]
        assert fixed in (node.get("title", "") + node.get("text", "")), nid
        assert original in node["note"] and fixed in node["note"], nid
    assert "技術" not in (ROOT / "checklists" / "qyx-core.yaml").read_text(encoding="utf-8").replace("“技術”", "")


def _as_in_seed(nid, text):
    if nid in OCR_FIXES:
        fixed, original = OCR_FIXES[nid]
        text = text.replace(fixed, original)
    return norm(text)


def test_all_item_texts_verbatim(doc, seed):
    for iid, it in items_by_id(doc).items():
        for part in _as_in_seed(iid, it["text"]).split("……"):  # “……”: words left out of a split sentence
            assert part in seed, iid
        if "……" in it["text"]:
            assert "拆分自原句" in it.get("note", ""), iid


def test_hospital_duties_of_sections_5_and_6(doc):
    """五(一) 自查整改, 六(一) 领导小组, 六(二) 数据报送 are a hospital's to do (issue 14)."""
    its = items_by_id(doc)
    assert its["qyx-core.20.1"]["text"].endswith("精准全面自查，精准发现问题")
    assert its["qyx-core.20.2"]["text"].endswith("精准整改完善。")
    assert "成立由医院主要负责人为组长的领导小组" in its["qyx-core.20.4"]["text"]
    assert "及时、准确地报送本机构医疗质量安全相关数据信息" in its["qyx-core.20.5"]["text"]
    for n in range(1, 9):
        assert its[f"qyx-core.20.{n}"]["kind"] == "judgement"
    notes = "".join(doc["notes"])
    assert "医疗机构自觉接受人大代表、政协委员监督" in notes  # left out, and why


def test_spot_texts(doc, seed):
    its = items_by_id(doc)
    assert its["qyx-core.07.3"]["text"] == "抢救完成 6 小时内是否将抢救记录记入病历。"
    assert its["qyx-core.11.4"]["text"] == "手术安全核查表是否纳入病历。"
    assert its["qyx-core.14.3"]["text"] == "临床危急值信息是否专册登记。"
    assert its["qyx-core.18.4"]["text"] == "是否为员工使用患者诊疗信息提供便利和保障。"
    assert its["qyx-core.19.4"]["text"] == "二级以上医院应当成立医疗质量管理委员会"
    for iid in ("qyx-core.05.8", "qyx-core.13.3", "qyx-core.16.1", "qyx-core.19.6"):
        assert norm(its[iid]["text"]) in seed, iid


def test_guidance_verbatim(doc, seed):
    for s in doc["sections"][:18]:
        lines = [ln for ln in s["guidance"].splitlines() if ln.strip()]
        assert [ln.split(")")[0] for ln in lines] == [f"({k}" for k in range(1, len(lines) + 1)], s["id"]
        for ln in lines:
            assert norm(ln) in seed, (s["id"], ln)
        # the next numbered point must not exist in the source's 基本要求 (none dropped)
        n = int(s["id"].split(".")[1])
        start = seed.index(norm(f"{n}. {s['title'] if n != 18 else '信息安全管理制'}"))
        block = seed[start : seed.index("现场评价方法", start)]
        assert f"({len(lines) + 1})" not in block, s["id"]

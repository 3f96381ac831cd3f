"""Content checks for checklists/nat-experience-2023.yaml.

Expected values below are written from the source, 国卫医政发〔2023〕11号《改善就医感受提升患者体验
主题活动方案（2023—2025年）》 and its 附件《改善就医感受提升患者体验评估指标（试行）》, as printed in
shared/seeds/004_30e8a0af0eab940c.txt (国家卫生健康委公报 2023年第5期).
"""

import re

import pytest

from tests.content_walk import all_sections, items_by_id, norm, read_seed

CHECKLIST = "nat-experience-2023"
SEED = "004_30e8a0af0eab940c.txt"
P = "nat-experience-2023."

LEVEL_2_3 = {"levels": ["二级", "三级"]}
TRIANGLE = {"any_of": [{"levels": ["三级"]}, {"flags": ["alliance_lead"]}]}
HASH = {"flags": ["has_obstetrics"]}

# Top-level sections: 二、重点任务; 四(四) 建立长效机制 (the hospitals' own duties); 附件 评估指标.
TOP_SECTIONS = [P + "tasks", P + "org", P + "ind"]

# 二、重点任务 is grouped (一)…(六); each task is one sub-section. Task 15 (非急救转运, a city-level
# pilot) has no hospital duties and so no sub-section.
TASK_GROUPS = {
    P + "tasks.1": [P + "t01", P + "t02", P + "t03"],
    P + "tasks.2": [P + "t04", P + "t05", P + "t06"],
    P + "tasks.3": [P + "t07", P + "t08", P + "t09"],
    P + "tasks.4": [P + "t10", P + "t11", P + "t12"],
    P + "tasks.5": [P + "t13", P + "t14"],
    P + "tasks.6": [P + "t16", P + "t17", P + "t18", P + "t19", P + "t20"],
}

# Items per section (leaf sections), counted from the source's clauses.
ITEM_COUNTS = {
    P + "t01": 15,  # 建立制度; 人工智能; 一是×4; 二是×3; 三是×2; 四是×4
    P + "t02": 2,
    P + "t03": 1,
    P + "t04": 7,
    P + "t05": 12,
    P + "t06": 7,
    P + "t07": 4,
    P + "t08": 3,
    P + "t09": 5,
    P + "t10": 10,
    P + "t11": 6,
    P + "t12": 5,
    P + "t13": 5,
    P + "t14": 4,
    P + "t16": 7,
    P + "t17": 8,
    P + "t18": 6,
    P + "t19": 12,
    P + "t20": 7,
    P + "org": 2,
    P + "ind.pre": 4,
    P + "ind.outpatient": 4,
    P + "ind.emergency": 4,
    P + "ind.inpatient": 8,  # rows 13-19, row 14 split into 14a/14b
    P + "ind.post": 3,
    P + "ind.whole": 5,
}

# 附件: table rows by 维度.
ROWS_BY_GROUP = {
    P + "ind.pre": [1, 2, 3, 4],
    P + "ind.outpatient": [5, 6, 7, 8],
    P + "ind.emergency": [9, 10, 11, 12],
    P + "ind.inpatient": [13, 14, 15, 16, 17, 18, 19],
    P + "ind.post": [20, 21, 22],
    P + "ind.whole": [23, 24, 25, 26, 27],
}

# Marks printed after each row of the table: [▲] 三级医院和医联体的牵头医院, [#] 有产科的医疗机构.
MARKS = {
    1: None,
    2: "▲",
    3: None,
    4: None,
    5: None,
    6: "▲",
    7: "▲",
    8: None,
    9: None,
    10: None,
    11: "▲",
    12: None,
    13: None,
    14: None,
    15: None,
    16: "#",
    17: None,
    18: None,
    19: None,
    20: "▲",
    21: None,
    22: None,
    23: None,
    24: "▲",
    25: None,
    26: None,
    27: None,
}
# Row 15 is unmarked but names its own scope: “中医医院以中医为主治疗的出院患者比例”.
OWN_SCOPE = {
    15: {"types": ["中医"]},
    # surgery rows: only where the hospital 开展手术 (issue 14)
    4: {"flags": ["performs_surgery"]},
    13: {"flags": ["performs_surgery"]},
}

# Yes/no rows (是否…) are judgement items; the rest are indicators: id suffix -> (unit, direction).
JUDGEMENT_ROWS = {3, 7, 8, 11, 17, 23, 24, 26, 27}
INDICATORS = {
    "01": ("%", "increase"),
    "02": ("%", "increase"),
    "04": ("天", "decrease"),
    "05": ("分钟", "decrease"),
    "06": ("个", "increase"),
    "09": ("分钟", "decrease"),
    "10": ("%", "increase"),
    "12": ("小时", "decrease"),
    "13": ("%", "increase"),
    "14a": ("%", "increase"),
    "14b": ("%", "increase"),
    "15": ("%", "increase"),
    "16": ("%", "increase"),
    "18": ("%", "increase"),
    "19": ("%", "increase"),
    "20": ("人次", "increase"),
    "21": ("%", "increase"),
    "22": ("%", "increase"),
    "25": ("级", "increase"),
}

# Applicability set by the task texts themselves (item id suffix -> condition).
TASK_APPLIES = {
    "t01.1": LEVEL_2_3,  # 二级及以上医院应普遍建立预约诊疗制度
    "t01.2": LEVEL_2_3,
    "t01.8": LEVEL_2_3,  # 二三级医院向基层医疗机构开放一定比例号源
    "t01.9": LEVEL_2_3,
    "t05.10": {"types": ["中医"]},  # 中医医疗机构要总结推广……
    "t08.1": LEVEL_2_3,  # 二级及以上医疗机构应当加强……中心建设
    "t08.2": LEVEL_2_3,
    "t08.3": LEVEL_2_3,
    "t10.2": {"levels": ["三级"]},  # 三级医院普遍建立日间手术管理制度
    "t10.10": {"types": ["中医"]},  # 中医医院的中医优势病种……
    "t11.1": {"levels": ["三级"]},  # 鼓励三级医院……疼痛管理新模式
    "t11.2": LEVEL_2_3,  # 在二级及以上医院推广普及分娩镇痛
    "t11.3": LEVEL_2_3,  # 鼓励二级及以上医院……临床营养服务
    "t12.1": LEVEL_2_3,  # 二级及以上医院建立患者入出院服务中心
    "t12.2": LEVEL_2_3,
    "t12.3": LEVEL_2_3,
    "t17.1": LEVEL_2_3,  # 二级及以上医院对……处方进行审核
    "t17.2": LEVEL_2_3,
    "t17.3": {"levels": ["三级"], "types": ["综合"]},  # 三级甲等综合医院
    "t18.6": LEVEL_2_3,  # 具备条件的二级及以上医院
    "t20.1": LEVEL_2_3,  # 二级及以上医院应建立医务社工和志愿者制度
}

# Items whose text corrects an OCR slip or is split from a compound row (not verbatim in the seed).
NOT_VERBATIM = {P + "t01.11", P + "ind.14b"}


def test_top_level(doc):
    assert doc["id"] == "nat-experience-2023"
    assert doc["version"] == "2023.4"
    assert doc["title"] == "改善就医感受提升患者体验主题活动自查表"
    assert doc["short_title"] == "患者体验"
    assert doc["source"] == {
        "document": "国卫医政发〔2023〕11号",
        "title": "改善就医感受提升患者体验主题活动方案（2023—2025年）",
        "seed": "004_30e8a0af0eab940c.txt",
    }
    assert doc["region"] == "全国"
    assert doc["valid_years"] == {"from": 2023, "to": 2025}
    assert doc["default"] is False
    assert doc["scale"] == "pdca"
    notes = " ".join(doc["notes"])
    for left_out in ("非急救转运", "工作安排", "卫生健康行政部门"):
        assert left_out in notes


def test_section_structure(doc):
    assert [s["id"] for s in doc["sections"]] == TOP_SECTIONS
    secs = all_sections(doc)
    tasks = secs[P + "tasks"]
    assert [s["id"] for s in tasks["sections"]] == list(TASK_GROUPS)
    for gid, task_ids in TASK_GROUPS.items():
        assert [s["id"] for s in secs[gid]["sections"]] == task_ids, gid
    assert sum(len(v) for v in TASK_GROUPS.values()) == 19  # 20 tasks less task 15
    assert [s["id"] for s in secs[P + "ind"]["sections"]] == list(ROWS_BY_GROUP)
    for sid, sec in secs.items():
        assert sec.get("source"), sid


def test_item_counts(doc):
    secs = all_sections(doc)
    leaf = {sid: len(s.get("items", [])) for sid, s in secs.items() if s.get("items")}
    assert leaf == ITEM_COUNTS
    assert len(items_by_id(doc)) == sum(ITEM_COUNTS.values()) == 156


def test_ids_unique_and_prefixed(doc):
    ids = list(items_by_id(doc)) + list(all_sections(doc))
    assert len(ids) == len(set(ids))
    assert all(i.startswith(P) for i in ids)


def test_task_items_are_judgements_and_cited(doc):
    secs = all_sections(doc)
    for task_ids in TASK_GROUPS.values():
        for tid in task_ids:
            sec = secs[tid]
            n = int(tid[len(P) + 1 :])
            for it in sec["items"]:
                assert it["kind"] == "judgement", it["id"]
                assert it["id"].startswith(tid + "."), it["id"]
                assert re.match(r"^二\([一二三四五六]\)%d( |$)" % n, it["source"]), it["id"]


def row_of(item_id):
    return int(re.match(r"(\d+)", item_id.rsplit(".", 1)[1]).group(1))


def test_indicator_rows(doc):
    secs = all_sections(doc)
    rows = {}
    for gid, expected_rows in ROWS_BY_GROUP.items():
        got = sorted({row_of(it["id"]) for it in secs[gid]["items"]})
        assert got == expected_rows, gid
        for it in secs[gid]["items"]:
            rows.setdefault(row_of(it["id"]), []).append(it)
            assert it["source"] == "附件 指标%d" % row_of(it["id"])
    assert sorted(rows) == list(range(1, 28))
    assert len(rows) == 27
    assert [len(v) for k, v in sorted(rows.items()) if len(v) != 1] == [2]  # only row 14 split
    assert sorted(it["id"] for it in rows[14]) == [P + "ind.14a", P + "ind.14b"]


def test_indicator_kinds_units_directions(doc):
    secs = all_sections(doc)
    items = [it for gid in ROWS_BY_GROUP for it in secs[gid]["items"]]
    seen = set()
    for it in items:
        suffix = it["id"].rsplit(".", 1)[1]
        if row_of(it["id"]) in JUDGEMENT_ROWS:
            assert it["kind"] == "judgement", it["id"]
            assert it["text"].startswith("是否"), it["id"]
        else:
            assert it["kind"] == "indicator", it["id"]
            unit, direction = INDICATORS[suffix]
            assert it["unit"] == unit, it["id"]
            assert it["direction"] == direction, it["id"]
            assert "target" not in it and "targets" not in it  # the table gives no numbers
            assert it.get("note"), it["id"]  # the editor's reading of unit/direction
            seen.add(suffix)
    assert seen == set(INDICATORS)


def test_indicator_applicability_matches_marks(doc):
    secs = all_sections(doc)
    for gid in ROWS_BY_GROUP:
        for it in secs[gid]["items"]:
            row = row_of(it["id"])
            mark = MARKS[row]
            if mark == "▲":
                assert it.get("applies_if") == TRIANGLE, it["id"]
                assert it["applies_note"] == "原文标注▲：适用于三级医院和医联体的牵头医院"
            elif mark == "#":
                assert it.get("applies_if") == HASH, it["id"]
                assert it["applies_note"] == "原文标注#：适用于有产科的医疗机构"
            elif row in OWN_SCOPE:
                assert it.get("applies_if") == OWN_SCOPE[row], it["id"]
            else:
                assert "applies_if" not in it, it["id"]
    assert sum(1 for m in MARKS.values() if m == "▲") == 6
    assert sum(1 for m in MARKS.values() if m == "#") == 1


def test_task_applicability(doc):
    got = {
        it["id"][len(P) :]: it["applies_if"]
        for it in items_by_id(doc).values()
        if "applies_if" in it and not it["id"].startswith(P + "ind.")
    }
    assert got == TASK_APPLIES
    for it in items_by_id(doc).values():
        if "applies_if" in it:
            assert it.get("applies_note", "").startswith("原文"), it["id"]
    for sid, sec in all_sections(doc).items():
        assert "applies_if" not in sec, sid


def test_topics(doc):
    topics = {}
    for it in items_by_id(doc).values():
        if "topic" in it:
            topics.setdefault(it["topic"], []).append(it["id"][len(P) :])
    assert topics == {
        "appointment_service": ["t01.1", "ind.01"],
        "mdt": ["t05.3", "t05.4", "t05.5", "ind.06"],
        "day_surgery": ["t10.1", "t10.2", "t10.3", "ind.13"],
        "follow_up": ["t14.1", "t14.2", "t14.3", "t14.4"],  # not 出院患者随访比例: another rate (content review)
        "core_system_implementation": ["t16.2"],
    }


def test_ocr_corrections_noted(doc):
    items = items_by_id(doc)
    t = items[P + "t01.11"]
    assert "智能问诊—分诊—预约—病史采集流程" in t["text"]
    assert "OCR" in t["note"] and "智能问诊一分诊一预约一病史采集流程" in t["note"]
    assert items[P + "ind.14b"]["text"] == "临床路径出径率"


@pytest.fixture(scope="module")
def seed_part():
    """The seed holds several documents; this one runs from its number to the next one's title."""
    return read_seed(SEED, "国卫医政发〔2023〕11号\n", "关于开展全面提升医疗质量行动（2023—2025年）的通知")


def test_texts_verbatim_in_seed(doc, seed_part):
    checked = 0
    for it in items_by_id(doc).values():
        if it["id"] in NOT_VERBATIM:
            continue
        assert norm(it["text"]) in seed_part, it["id"]
        checked += 1
    assert checked == 154


def test_seed_table_marks(seed_part):
    # The table as printed: every row number followed by its name and optional mark.
    start = seed_part.index("改善就医感受提升患者体验评估指标（试行）维度指标")
    table = seed_part[start : seed_part.index("注：", start) + 2]
    for row, mark in MARKS.items():
        m = re.search(r"(?<!\d)%d\.([^\[]+?)(\[(▲|#)\])?(?=(?:[^\d\[]{0,4})\d+\.|注：)" % row, table)
        assert m, row
        assert (m.group(3) or None) == mark, row


def test_seed_spot_checks(doc, seed_part):
    items = items_by_id(doc)
    assert "二级及以上医院应普遍建立预约诊疗制度" in seed_part  # joined across a page break
    assert norm(items[P + "t09.3"]["text"]) in seed_part  # joined across a page break
    assert norm(items[P + "t18.4"]["text"]) in seed_part  # joined across a page break
    assert "智能问诊一分诊一预约一病史采集流程" in seed_part  # the OCR slip corrected in t01.11
    assert "临床路径入径率和出径率" in seed_part

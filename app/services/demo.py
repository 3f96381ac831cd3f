"""A realistic demo: a 二级综合 county hospital and a round with most items answered.

Deterministic (fixed seed), so that screenshots, reports and benchmarks are repeatable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from ..catalog import Catalog
from ..domain.checklist import NOT_APPLICABLE, Item
from ..domain.identifiers import uscc_check_char
from ..domain.kinds import kind_of
from ..domain.profile import COMMON_DEPARTMENTS, HospitalProfile
from ..errors import InputError
from ..store import Actor, Store
from . import answers as answer_service
from . import rectifications as rect_service
from .profile import get_profile, save_profile
from .rounds import RoundView, load_round, start_round

DEMO_PROFILE = HospitalProfile(
    name="示例县人民医院",
    code="12410000MB1234567L",
    level="二级",
    level_grade="甲等",
    type="综合",
    beds=480,
    departments=COMMON_DEPARTMENTS,
    flags=frozenset(
        {
            "has_obstetrics",
            "performs_surgery",
            "transfusion",
            "has_emergency",
            "reperfusion_capable",
            "county_medical_center",
        }
    ),
)

_FINDINGS = (
    "抽查3个临床科室，未见该项制度的年度培训记录。",
    "制度已制定，但部分科室执行不到位，抽查病历中记录不完整。",
    "职能部门未开展定期督查，无督查记录和反馈意见。",
    "相关登记本记录不全，部分记录缺少签字和时间。",
    "科室人员对制度要求知晓率低，现场询问5人仅2人能说清流程。",
)
#: findings that fit what an item asks, by the first of its words met in its text: a demo whose
#: 药品、设备 item read “抽查病历中记录不完整” taught a trainee nothing (review of the notices)
_FINDINGS_BY_WORD = (
    (("设备", "药品", "设施", "物资", "仪器"), "现场查看，1台急救设备未按期检测，部分药品未定位放置、无交接记录。"),
    (("培训", "考核", "知晓"), "抽查3个临床科室，未见该项内容的年度培训和考核记录。"),
    (("病历", "病程", "记录", "登记", "签字"), "抽查10份病历，3份记录不完整，部分缺少签字和时间。"),
    (("监测", "分析", "评估", "督查", "反馈", "监管"), "职能部门未开展定期督查，无督查记录和反馈意见。"),
    (("制度", "规范", "流程", "职责", "预案"), "制度已制定，但部分科室执行不到位，现场询问5人仅2人能说清流程。"),
)
_CAUSES_NA = "本院未开展该项诊疗服务，经医务科确认不适用。"

#: The demo round's 自查日期, and the date its rectification statuses are told on (reports,
#: screenshots, benchmark): every date of the demo moves with the start (``create_demo``).
DEMO_START = dt.date(2025, 3, 15)
DEMO_REPORT_DATE = dt.date(2025, 6, 30)


def recent_demo_start(today: dt.date) -> dt.date:
    """The 自查日期 that makes ``today`` the demo's report date: shown on the day it is made, the
    fixed demo had every deadline a year or more behind it, 10 of 15 rectifications 逾期."""
    return today - (DEMO_REPORT_DATE - DEMO_START)


def demo_round_name(started_on: dt.date) -> str:
    """``2025年第一季度医疗质量自查``: the quarter the round starts in."""
    return f"{started_on.year}年第{'一二三四'[(started_on.month - 1) // 3]}季度医疗质量自查"


_CAUSES = (
    "科室对制度要求学习不够，未建立常态化培训机制，新入职人员岗前培训未覆盖该项内容。",
    "职能部门督查频次不足，发现问题后未跟踪整改，未形成PDCA闭环。",
    "信息系统缺少时限提醒和必填项控制，依赖人工登记，容易遗漏。",
    "科室质控小组职责不清，自查流于形式，未按月统计分析。",
)
_MEASURES = (
    "修订科室执行细则；一个月内完成全员培训和考核，留存签到表和试卷。",
    "医务科每月抽查并全院通报，结果纳入科室绩效考核。",
    "信息科在电子病历系统中增加时限提醒和必填项控制，上线后由医务科验证。",
    "明确科室质控员，每周检查登记本的签字和时间，每月在科务会上分析反馈。",
)
#: who answers for a rectification in each department (the 检查组 re-checks: 刘洋, 质控办)
_OWNER_OF = {
    "医务科": "李敏",
    "护理部": "张华",
    "内科": "赵磊",
    "外科": "孙丽",
    "妇产科": "周强",
    "急诊科": "王芳",
    "药剂科": "陈静",
    "病案室": "马红",
}
#: the department an item's words point to, by the first met; else the one drawn at random
_DEPARTMENT_BY_WORD = (
    (("护理", "护士"), "护理部"),
    (("分娩", "产科", "孕产", "新生儿"), "妇产科"),
    (("手术", "术前", "麻醉", "围手术"), "外科"),
    (("药品", "药物", "抗菌", "处方"), "药剂科"),
    (("急诊", "抢救", "再灌注", "溶栓", "卒中", "胸痛", "STEMI"), "急诊科"),
    (("病历", "病案", "首页"), "病案室"),
)
_OWNERS = ("李敏", "张华", "刘洋", "陈静", "赵磊", "孙丽", "周强")


def demo_profile(hospital: str | None = None) -> HospitalProfile:
    """The demo hospital, or another one named ``hospital`` that differs in code, beds and services
    (for aggregation tests, the benchmark and training)."""
    if not hospital or hospital == DEMO_PROFILE.name:
        return DEMO_PROFILE
    rng = random.Random(hospital)
    body = "12410000" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    code = body + uscc_check_char(body)
    optional = ["has_obstetrics", "reperfusion_capable", "county_medical_center", "pci_capable"]
    flags = {"performs_surgery", "transfusion", "has_emergency"} | {f for f in optional if rng.random() < 0.5}
    level = rng.choice(["二级", "二级", "三级"])
    return dataclasses.replace(
        DEMO_PROFILE,
        name=hospital.strip(),
        code=code,
        level=level,
        level_grade=rng.choice(["甲等", "乙等"]),
        beds=rng.randrange(150, 1200, 10),
        flags=frozenset(flags),
    )


def create_demo(
    store: Store,
    catalog: Catalog,
    actor: Actor,
    seed: int = 2025,
    hospital: str | None = None,
    *,
    all_checklists: bool = False,
    name: str | None = None,
    started_on: dt.date = DEMO_START,
) -> str:
    """Fill ``store`` with the demo profile (or the hospital named ``hospital``) and a round;
    returns the round id. A database that already holds another hospital's profile is refused:
    the demo would overwrite it. ``all_checklists``, ``name`` and ``started_on`` make other
    rounds of the same hospital (bench/bench_backup.py generates a year of monthly rounds); the
    name is the quarter's (:func:`demo_round_name`) unless given."""
    profile = demo_profile(hospital)
    existing = get_profile(store)
    if existing is not None and existing.name != profile.name:
        raise InputError(
            f"数据库“{store.path}”中已有“{existing.name}”的资料，写入演示数据会改掉医院基本情况，"
            "未作任何修改。演示请用 --db 指定一个新的数据库文件。",
            "db",
        )
    rng = random.Random(seed)
    save_profile(store, profile, actor)
    entries = (
        list(catalog.entries)
        if all_checklists
        else ([e for e in catalog.entries if e.checklist.default] or catalog.entries[:1])
    )
    name = name or demo_round_name(started_on)
    base, n = name, 1
    while any(r.name == name for r in store.rounds()):
        n += 1
        name = f"{base}（{n}）"
    round_id = start_round(
        store,
        entries,
        name,
        started_on,
        actor,
        leader="王建国（业务副院长）",
        members=["李敏（医务科）", "张华（护理部）", "刘洋（质控办）", "陈静（药剂科）"],
    )
    _answer_items(store, load_round(store, round_id), actor, rng)
    _follow_up(store, round_id, actor, random.Random(seed + 1), started_on - DEMO_START)
    return round_id


def _answer_items(store: Store, view: RoundView, actor: Actor, rng: random.Random) -> None:
    """Most applicable items answered, as a round in progress looks; the random stream is drawn
    in one fixed order, so that a seed always gives the same round."""
    departments = ["医务科", "护理部", "内科", "外科", "妇产科", "急诊科", "药剂科", "病案室"]
    applicable = [i for i in view.items() if i.applies_to(view.profile)]
    na_done = 0
    for item in applicable:
        if rng.random() < 0.12:
            continue  # left unanswered: the demo round is in progress
        drawn = rng.choice(departments)  # drawn either way: the seed's stream stays as it was
        department = _by_words(_DEPARTMENT_BY_WORD, item.text, drawn)
        kind = kind_of(item)
        if kind.graded:
            na_done += _answer_judgement(store, view, item, actor, rng, department, na_allowed=na_done < 2)
        elif kind.numeric:
            fields = _indicator_fields(item, view.year, rng)
            answer_service.record_answer(store, view.id, item.id, actor, view=view, department=department, **fields)
        elif kind.sampled:
            records = _sampled_records(item, rng)
            answer_service.set_samples(store, view.id, item.id, records, actor, view=view)
            answer_service.record_answer(store, view.id, item.id, actor, view=view, department=department)


def _answer_judgement(
    store: Store, view: RoundView, item: Item, actor: Actor, rng: random.Random, department: str, *, na_allowed: bool
) -> int:
    """A grade, or (rarely, while ``na_allowed``) 不适用; returns 1 for 不适用."""
    if na_allowed and rng.random() < 0.05:
        answer_service.record_answer(
            store,
            view.id,
            item.id,
            actor,
            grade=NOT_APPLICABLE,
            na_reason=_CAUSES_NA,
            view=view,
            department=department,
        )
        return 1
    grade = rng.choices("ABCD", weights=(1, 3, 5, 2))[0]
    finding = _finding(item, rng.choice(_FINDINGS)) if grade in "CD" else ""
    answer_service.record_answer(
        store,
        view.id,
        item.id,
        actor,
        grade=grade,
        finding=finding,
        evidence="制度文件、会议记录、培训签到表",
        view=view,
        department=department,
    )
    return 0


def _finding(item: Item, drawn: str) -> str:
    """What the demo found short for ``item``: one that fits its words, else ``drawn`` (drawn from
    the random stream either way, so that the grades after it stay those of the seed)."""
    return _by_words(_FINDINGS_BY_WORD, item.text, drawn)


def _by_words(table: tuple[tuple[tuple[str, ...], str], ...], text: str, otherwise: str) -> str:
    """The value of the first row of ``table`` one of whose words ``text`` holds, else ``otherwise``."""
    return next((value for words, value in table if any(w in text for w in words)), otherwise)


def _indicator_fields(item: Item, year: int, rng: random.Random) -> dict:
    """A plausible value near the year's target (a ratio's numerator and denominator)."""
    denominator = rng.randint(80, 400)
    year_target = item.target_for(year)
    # rare events counted per 100 or 1,000 cases (‰, 例次/千导管日, 例次/百出院人次):
    # a few per 100 or 1,000, over more cases
    rare = item.input == "ratio" and item.unit != "%"
    if rare:
        denominator *= 10
    typical = year_target or (2 if rare else 60)
    expected = typical / item.rate_multiplier if item.input == "ratio" else 0
    rate = 0.0
    if item.input == "ratio":
        noise = rng.uniform(-0.15, 0.15)
        rate = min(1.0, max(0.0, expected * (1 + 2 * noise) if rare else expected + noise))
    fields: dict = {}
    if item.input == "ratio":
        fields = {"numerator": round(denominator * rate), "denominator": denominator}
    else:  # a value typed as it is: about what such a value is (a CMI near 1, a rate near 60 %)
        typical = year_target or _TYPICAL_VALUE.get(item.unit, 10)
        value = typical * rng.uniform(0.7, 1.3)
        # a count is whole (“9.4 个” MDT 病种); a small value keeps two places (a CMI of 0.72)
        fields = {"value": round(value) if item.unit in _COUNTED else round(value, 2 if typical < 10 else 1)}
    if item.direction in ("increase", "decrease"):
        drawn = rng.uniform(30, 70)
        if item.input == "ratio":
            fields["baseline"] = round(drawn / 30 if rare else drawn, 1)
        else:  # near the value, either side: “基线值 67CMI” beside a CMI of 1.0 failed every hospital
            fields["baseline"] = round(fields["value"] * (0.85 + 0.3 * (drawn - 30) / 40), 2)
    return fields


#: units of things counted one by one
_COUNTED = {"个", "人次", "次", "张", "份", "例", "人"}
#: a value typed without a target to be near, by its unit
_TYPICAL_VALUE = {"%": 60.0, "CMI": 1.0, "级": 3.0, "月": 36.0, "天": 3.0, "分钟": 15.0, "小时": 12.0}


def _sampled_records(item: Item, rng: random.Random) -> list[answer_service.SampleInput]:
    records = []
    used: set[str] = set()
    for _ in range(max(item.min_samples or 10, 10)):
        compliant = rng.random() > 0.08
        number = f"{rng.randint(200000, 299999)}"
        while number in used:  # a record is sampled once: set_samples refuses a repeated 病案号
            number = f"{rng.randint(200000, 299999)}"
        used.add(number)
        records.append(
            answer_service.SampleInput(
                record_no=number,
                compliant=compliant,
                note="" if compliant else "记录超时限或缺少签字",
            )
        )
    return records


def _follow_up(
    store: Store, round_id: str, actor: Actor, rng: random.Random, shift: dt.timedelta = dt.timedelta(0)
) -> None:
    """整改 under way, told on DEMO_REPORT_DATE: some done, some overdue, some in progress.

    A separate random stream, so that the answers above stay as they were. ``shift``: how much
    later than the demo's own this round started (every date moves with it).
    """

    def on(day: str) -> str:
        return (dt.date.fromisoformat(day) + shift).isoformat()

    view = load_round(store, round_id)
    report_date = DEMO_REPORT_DATE + shift
    c_items = [answer.item_id for answer in store.answers(round_id) if answer.grade == "C"]
    for item_id in sorted(c_items)[:2]:  # the user chose to rectify two C grades
        rect_service.open_rectification(store, round_id, item_id, actor, report_date)
    recheck_by = "刘洋（质控办）"
    for n, entry in enumerate(rect_service.list_rectifications(store, round_id, report_date, view)):
        scenario = n % 6
        drawn = rng.choice(_OWNERS)  # drawn either way, as above
        owner = _OWNER_OF.get(entry.rectification.department, drawn)
        analysis: dict[str, Any] = {}  # 原因分析 and 整改措施, when the scenario has them
        if scenario != 5:  # 5: owner and deadline set, nothing else yet (待整改)
            analysis = {"cause": rng.choice(_CAUSES), "measure": rng.choice(_MEASURES)}
        deadline = on(
            {0: "2025-04-30", 1: "2025-05-31", 2: "2025-07-31", 3: "2025-05-15", 4: "2025-08-31", 5: "2025-07-15"}[
                scenario
            ]
        )
        rect_service.update_rectification(
            store, entry.id, actor, today=report_date, owner=owner, deadline=deadline, **analysis
        )
        if scenario in (0, 3):  # 已完成
            rect_service.record_recheck(
                store,
                entry.id,
                actor,
                passed=True,
                by=recheck_by,
                date=on("2025-05-08" if scenario == 0 else "2025-05-12"),  # 0 late, 3 on time
                result="现场查看整改措施落实情况，已按要求整改到位。",
                today=report_date,
            )
        elif scenario == 4:  # re-checked, not yet good enough: 整改中
            rect_service.record_recheck(
                store,
                entry.id,
                actor,
                passed=False,
                date=on("2025-06-20"),
                by=recheck_by,
                result="现场查看，整改措施尚未全部落实，继续整改。",
                today=report_date,
            )
        # scenario 1 has passed its deadline without a re-check: 逾期 on DEMO_REPORT_DATE

# ruff: noqa: E501  (the table of hospitals reads best one to a line)
"""A commission's pile of 上报包: about 30 hospitals, one or two rounds each, and the awkward files.

    .venv/bin/python bench/make_packages.py OUT [--only N] [--no-awkward]

Every package is made by the program itself (services and ``export_package``, as ``main.py
export`` does) from a database of its own: hospitals of every level (一级/二级/三级) and type
(综合/中医/专科: 妇幼保健院, 精神卫生中心, 正骨医院), different selections of the built-in checklists,
some with attachments, some with a 复查轮次 that carried over the first round's open
rectifications. Deterministic (fixed seeds): the same OUT twice holds the same hospitals, answers
and scores (record ids and times differ). About 3 minutes on 2 cores.

Then what a commission really finds in its inbox folder (``--no-awkward`` leaves it out):

- the same package twice (a copy in ``QQ接收/``, and ``…(1).zip`` as a browser saves it again);
- one hospital's round exported on two days, the later with more answers (both in the folder);
- one hospital's round exported, deleted, started again under the same name (a new round id) and
  exported again five days later (both in the folder: the later counts);
- a package renamed (``上报包.zip``, ``新建文件夹/自查.zip``);
- a package from a newer format version (manifest ``format_version`` 2, re-hashed);
- a truncated download, an HTML error page named ``.zip``, a workbook named ``.zip``;
- other files: 通知, 填报说明, last year's summary, a Word lock file, ``__MACOSX/._*.zip``,
  a real package named ``*.ZIP`` (upper case, as Windows mail clients save it);
- hospitals whose names differ only by full-width/half-width characters or spaces (one
  hospital that retyped its name between rounds; one without a code that did the same), and
  one that filled in its code only before its second round;
- a hospital with no rectifications, a round with nothing answered.

``OUT/pile`` is the folder to aggregate; ``OUT/expected.json`` says what each hospital sent
(rounds, packages, which file is the newest), for checking a summary by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import random
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_exchange import write_package  # this folder is on the path when run as a script

from app.catalog import load_catalog
from app.domain.checklist import NOT_APPLICABLE
from app.domain.identifiers import uscc_check_char
from app.domain.kinds import kind_of
from app.domain.profile import COMMON_DEPARTMENTS, HospitalProfile
from app.exchange import format as fmt
from app.exchange.export import export_package
from app.services import answers as answer_service
from app.services import rectifications as rect_service
from app.services.attachments import add_attachment
from app.services.demo import _indicator_fields, _sampled_records
from app.services.profile import save_profile
from app.services.rounds import delete_round, load_round, start_round
from app.store import Actor, open_store

DEFAULT = ("qyx-core", "qyx-targets-2021")
FULL = ("qyx-core", "qyx-targets-2021", "nat-quality-2023", "hn-7measures-2024")
ALL = (
    "qyx-core",
    "qyx-targets-2021",
    "nat-quality-2023",
    "nat-experience-2023",
    "hn-7measures-2024",
    "hn-yizheng-2024",
)
SURGERY = {"performs_surgery", "transfusion", "has_emergency"}
Q1, Q2 = "2025年第一季度医疗质量自查", "2025年第二季度医疗质量复查"
#: the day the commission aggregates (and tells 逾期 on)
SUMMARY_DAY = dt.date(2025, 7, 15)


@dataclass
class Hospital:
    name: str
    level: str
    grade: str
    type: str
    beds: int
    flags: set[str]
    checklists: tuple[str, ...] = DEFAULT
    #: 0 (poor) … 1 (excellent): how its grades fall
    quality: float = 0.5
    #: the share of applicable items answered
    fill: float = 0.9
    two_rounds: bool = False
    attachments: bool = False
    has_code: bool = True
    #: its name as typed in the second round's profile (the same hospital, retyped)
    retyped: str | None = None
    #: its code left empty in the first round, filled in before the second
    code_later: bool = False
    #: grades A and B only, no indicators or sampling: a round without rectifications
    spotless: bool = False
    #: the second round started and exported with nothing answered
    empty_second: bool = False
    #: the second round exported twice: on export day and a week later with everything answered
    exported_twice: bool = False
    #: the first round exported, deleted, started again (same name, new id) and exported again
    restarted: bool = False
    extra: dict = field(default_factory=dict)


#: flags by a short name, for the table below
_FLAGS = {
    "产": "has_obstetrics",
    "术": "performs_surgery",
    "四": "performs_grade4_surgery",
    "PCI": "pci_capable",
    "溶": "reperfusion_capable",
    "血": "transfusion",
    "急": "has_emergency",
    "联": "alliance_lead",
    "县": "county_medical_center",
}


def hospital(name: str, kind: str, beds: int, flags: str, checklists, quality: float, fill: float, **kw) -> Hospital:
    """``kind``: 等级 + 等次 + 类别 as a commission writes it (``二级甲等综合``); ``flags``: short
    names from _FLAGS separated by spaces."""
    level, grade, type_ = kind[:2], kind[2:-2], kind[-2:]
    return Hospital(
        name, level, grade, type_, beds, {_FLAGS[f] for f in flags.split()}, tuple(checklists), quality, fill, **kw
    )


C = ("qyx-core",)
HOSPITALS = [
    # 洛宁县
    hospital("洛宁县人民医院", "二级甲等综合", 600, "术 血 急 产 溶 县 联", FULL, 0.6, 0.95, two_rounds=True, attachments=True),
    hospital("洛宁县中医院", "二级甲等中医", 320, "术 血 急 产", DEFAULT, 0.45, 0.9, two_rounds=True),
    hospital("洛宁县妇幼保健院", "二级乙等专科", 120, "产 术 血", C, 0.5, 0.85),
    hospital("洛宁县城关镇卫生院", "一级未定等综合", 60, "", (*C, "hn-7measures-2024"), 0.3, 0.8, has_code=False),
    hospital("洛宁县赵村镇卫生院", "一级未定等综合", 40, "", C, 0.9, 0.7, spotless=True),
    # 伊川县
    hospital("伊川县人民医院", "三级乙等综合", 1100, "术 血 急 产 PCI 溶 四 县 联", ALL, 0.7, 0.97, two_rounds=True, attachments=True),
    hospital("伊川县第二人民医院（东院）", "二级甲等综合", 350, "术 血 急 产", DEFAULT, 0.4, 0.9, two_rounds=True, retyped="伊川县第二人民医院(东院)"),
    hospital("伊川县中医院", "二级甲等中医", 400, "术 血 急", (*DEFAULT, "hn-7measures-2024"), 0.55, 0.92),
    hospital("伊川县妇幼保健计划生育服务中心", "二级甲等专科", 150, "产 术", DEFAULT, 0.35, 0.88),
    hospital("伊川县正骨医院", "二级未定等专科", 200, "术 血", C, 0.25, 0.75),
    hospital("伊川县鸣皋镇中心卫生院", "一级甲等综合", 80, "急", (*C, "hn-7measures-2024"), 0.5, 0.6, has_code=False, two_rounds=True, retyped="伊川县鸣皋镇 中心卫生院"),
    # 宜阳县
    hospital("宜阳县人民医院", "二级甲等综合", 700, "术 血 急 产 溶", FULL, 0.5, 0.8, two_rounds=True, exported_twice=True),
    hospital("宜阳县中医院", "二级甲等中医", 300, "术 血 急", DEFAULT, 0.6, 0.95),
    hospital("宜阳县妇幼保健院", "二级乙等专科", 100, "产", C, 0.65, 0.9),
    hospital("宜阳县精神卫生中心", "二级未定等专科", 260, "", C, 0.4, 0.85, two_rounds=True, empty_second=True),
    # 嵩县
    hospital("嵩县人民医院", "二级甲等综合", 650, "术 血 急 产 溶", (*DEFAULT, "hn-yizheng-2024"), 0.45, 0.9, two_rounds=True),
    hospital("嵩县中医院", "二级甲等中医", 280, "术 血 急", DEFAULT, 0.5, 0.9),  # sent from a newer program only
    hospital("嵩县妇幼保健院", "二级乙等专科", 90, "产", C, 0.2, 0.7),
    # 栾川县
    hospital("栾川县人民医院", "二级甲等综合", 550, "术 血 急 产 溶", FULL, 0.55, 0.9, attachments=True),
    hospital("栾川县中医院", "二级乙等中医", 220, "术 血 急", DEFAULT, 0.3, 0.7),  # only a truncated download
    hospital("栾川县妇幼保健院", "二级乙等专科", 80, "产", C, 0.6, 0.95, restarted=True),
    # 汝阳县
    hospital("汝阳县人民医院", "二级甲等综合", 500, "术 血 急 产", DEFAULT, 0.65, 0.95, two_rounds=True, code_later=True),
    hospital("汝阳县中医院", "二级乙等中医", 200, "术 血 急", C, 0.5, 0.8),
    hospital("汝阳县妇幼保健院", "一级甲等专科", 50, "产", C, 0.45, 0.85),
    # 市直
    hospital("洛阳市第一人民医院伊滨院区（洛阳市第一人民医院医疗健康集团成员单位）", "三级甲等综合", 1500, "术 血 急 产 PCI 溶 四 联", ALL, 0.75, 0.98, attachments=True),
    hospital("洛阳市中心医院", "三级甲等综合", 2200, "术 血 急 产 PCI 溶 四", FULL, 0.8, 0.99, two_rounds=True),
    hospital("洛阳市妇女儿童医疗保健中心", "三级甲等专科", 900, "术 血 急 产", (*DEFAULT, "nat-experience-2023"), 0.6, 0.9),
    hospital("洛阳市第三人民医院", "二级甲等综合", 450, "术 血 急", (*DEFAULT, "fx-quality-2023"), 0.35, 0.85),
    hospital("洛阳东方医院", "三级乙等综合", 800, "术 血 急 产 溶", DEFAULT, 0.5, 0.9),
    hospital("洛阳市老城区社区卫生服务中心", "一级未定等综合", 0, "", C, 0.4, 0.5),
]  # fmt: skip

FINDINGS = (
    "抽查3个临床科室，未见该项制度的年度培训记录。",
    "制度已制定，但部分科室执行不到位，抽查病历中记录不完整。",
    "职能部门未开展定期督查，无督查记录和反馈意见。",
    "科室人员对制度要求知晓率低，现场询问5人仅2人能说清流程。",
)
DEPARTMENTS = ["医务科", "护理部", "内科", "外科", "妇产科", "急诊科", "药剂科", "病案室"]


def code_for(name: str) -> str:
    rng = random.Random("code:" + name)
    body = "12410300" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc_check_char(body)


def profile_of(h: Hospital, name: str | None = None, *, code: bool = True) -> HospitalProfile:
    return HospitalProfile(
        name=name or h.name,
        code=code_for(h.name) if h.has_code and code else "",
        level=h.level,
        level_grade=h.grade,
        type=h.type,
        beds=h.beds or None,
        departments=COMMON_DEPARTMENTS,
        flags=frozenset(h.flags),
    )


def answer(store, round_id: str, actor: Actor, rng: random.Random, h: Hospital, fill: float, skip=()) -> int:
    """Answer about ``fill`` of the applicable items (those in ``skip`` left as they are)."""
    view = load_round(store, round_id)
    good = 0.25 + 0.6 * h.quality
    weights = (good * 0.5, good, 1.0 - good * 0.5, max(0.05, 0.6 - good)) if not h.spotless else (1, 2, 0, 0)
    n = 0
    for item in view.items():
        if not item.applies_to(view.profile) or item.id in skip or rng.random() > fill:
            continue
        kind = kind_of(item)
        department = rng.choice(DEPARTMENTS)
        if kind.graded:
            if rng.random() < 0.02 and not h.spotless:
                fields = {"grade": NOT_APPLICABLE, "na_reason": "本院未开展该项服务，经医务科确认不适用。"}
            else:
                grade = rng.choices("ABCD", weights=weights)[0]
                fields = {"grade": grade, "finding": rng.choice(FINDINGS) if grade in "CD" else ""}
            answer_service.record_answer(store, round_id, item.id, actor, view=view, department=department, **fields)
        elif h.spotless:
            continue
        elif kind.numeric:
            values = _indicator_fields(item, view.year, rng)
            answer_service.record_answer(store, round_id, item.id, actor, view=view, department=department, **values)
        elif kind.sampled:
            answer_service.set_samples(store, round_id, item.id, _sampled_records(item, rng), actor, view=view)
            answer_service.record_answer(store, round_id, item.id, actor, view=view, department=department)
        n += 1
    return n


def follow_up(store, round_id: str, actor: Actor, rng: random.Random, started: dt.date, today: dt.date) -> None:
    """整改 as it stands on ``today``: some done, some late, some under way, some untouched."""
    for entry in rect_service.list_rectifications(store, round_id, today):
        if entry.status == "已转入复查" or entry.carried:
            continue
        fate = rng.random()
        deadline = started + dt.timedelta(days=rng.choice((30, 45, 60, 90, 120)))
        fields: dict = {"owner": rng.choice(("李敏", "张华", "刘洋", "陈静")), "deadline": deadline}
        if fate > 0.2:
            fields |= {"cause": "科室培训不到位，督查频次不足。", "measure": "修订制度，全员培训并每月督查。"}
        rect_service.update_rectification(store, entry.id, actor, today=today, **fields)
        if fate > 0.6 and deadline <= today:
            rect_service.record_recheck(
                store, entry.id, actor, passed=True, by="质控办", date=deadline, result="已整改到位。", today=today
            )


def photo(rng: random.Random, w: int = 320, h: int = 240) -> bytes:
    from PIL import Image

    image = Image.effect_noise((w, h), rng.uniform(20, 60)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def attach(store, round_id: str, actor: Actor, rng: random.Random, work: Path) -> int:
    view = load_round(store, round_id)
    items = [a.item_id for a in store.answers(round_id) if a.grade in ("C", "D")][:3]
    n = 0
    for k, item_id in enumerate(items):
        path = work / f"现场照片{k + 1}.jpg"
        path.write_bytes(photo(rng))
        add_attachment(store, round_id, path, actor, item_id=item_id)
        n += 1
    rects = rect_service.list_rectifications(store, round_id, SUMMARY_DAY, view)
    if rects:
        path = work / "整改会议记录.txt"
        path.write_text("2025年4月整改专题会议记录\n参加人员：医务科、护理部、质控办\n", encoding="utf-8")
        add_attachment(store, round_id, path, actor, rectification_id=rects[0].id)
        n += 1
    return n


def restart(store, round_id: str, entries, actor: Actor, rng: random.Random, h: Hospital, started, today) -> str:
    """The round deleted and started again under its name (as the program suggests it), three
    days later, answered anew: a new round id, the same hospital, name, years and checklists."""
    delete_round(store, round_id, actor)
    again = start_round(store, entries, Q1, started + dt.timedelta(days=3), actor, leader="业务副院长")
    answer(store, again, actor, rng, h, h.fill)
    follow_up(store, again, actor, rng, started, today)
    return again


def package_name(name: str, round_name: str, day: dt.date) -> str:
    return f"{name}_{round_name}_{day:%Y%m%d}.zip"


def make_hospital(n: int, h: Hospital, catalog, out: Path, work: Path) -> list[dict]:
    """The hospital's database and its packages; returns what was sent."""
    actor = Actor("质控办", f"pc-{n:02d}")
    rng = random.Random(n)
    db = work / f"h{n:02d}.db"
    store = open_store(db)
    save_profile(store, profile_of(h, code=not h.code_later), actor)
    entries = [e for e in catalog.entries if e.checklist.id in h.checklists]
    sent = []
    started = dt.date(2025, 3, 10) + dt.timedelta(days=n % 15)
    first = start_round(store, entries, Q1, started, actor, leader="业务副院长", members=["医务科", "护理部"])
    answer(store, first, actor, rng, h, h.fill)
    exported_on = dt.date(2025, 6, 30) if not h.two_rounds else dt.date(2025, 4, 20)
    follow_up(store, first, actor, rng, started, exported_on)
    attachments = attach(store, first, actor, rng, work) if h.attachments else 0
    path = out / package_name(h.name, Q1, exported_on)
    export_package(store, first, path, attachments=h.attachments, today=exported_on)
    sent.append({"round": Q1, "file": path.name, "attachments": attachments, "name": h.name})
    if h.restarted:
        first = restart(store, first, entries, actor, rng, h, started, exported_on)
        day = exported_on + dt.timedelta(days=5)
        path = out / package_name(h.name, Q1, day)
        export_package(store, first, path, attachments=False, today=day)
        sent[-1] |= {"stale": True, "deleted": True}  # the round deleted and started again
        sent.append({"round": Q1, "file": path.name, "name": h.name, "newest": True})
    if h.two_rounds:
        if h.retyped or h.code_later:
            save_profile(store, profile_of(h, h.retyped), actor)
        started2 = dt.date(2025, 6, 5) + dt.timedelta(days=n % 10)
        second = rect_service.start_recheck_round(
            store, entries, Q2, started2, actor, previous_round_id=first, leader="业务副院长"
        )
        name2 = h.retyped or h.name
        day2 = dt.date(2025, 7, 1)
        if not h.empty_second:
            answer(store, second, actor, rng, h, h.fill * (0.6 if h.exported_twice else 1.0))
            follow_up(store, second, actor, rng, started2, day2)
        path = out / package_name(name2, Q2, day2)
        export_package(store, second, path, attachments=False, today=day2)
        sent.append({"round": Q2, "file": path.name, "name": name2, "empty": h.empty_second})
        if h.exported_twice:  # a week later, the rest answered, sent again
            answered = {a.item_id for a in store.answers(second)}
            answer(store, second, actor, rng, h, 1.0, skip=answered)
            day3 = dt.date(2025, 7, 8)
            path = out / package_name(name2, Q2, day3)
            export_package(store, second, path, attachments=False, today=day3)
            sent[-1]["stale"] = True
            sent.append({"round": Q2, "file": path.name, "name": name2, "newest": True})
    store.close()
    return sent


def newer_format(source: Path, out: Path) -> None:
    """``source`` as a newer program would write it: format_version 2, every hash kept right."""
    with zipfile.ZipFile(source) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    manifest = json.loads(members[fmt.MANIFEST])
    manifest["format_version"] = fmt.FORMAT_VERSION + 1
    manifest["app"]["version"] = "0.3.0"
    write_package(members, manifest, out)


def awkward(pile: Path, made: dict[str, list[dict]]) -> dict[str, str]:
    """The files a commission finds besides the packages; returns file → what it is."""
    notes: dict[str, str] = {}

    def first_file(name: str) -> Path:
        return pile / made[name][0]["file"]

    # the same package twice: a copy from QQ, and the browser's second download
    (pile / "QQ接收").mkdir()
    src = first_file("洛宁县人民医院")
    shutil.copy2(src, pile / "QQ接收" / src.name)
    twin = src.with_name(src.stem + "(1).zip")
    shutil.copy2(src, twin)
    notes[f"QQ接收/{src.name}"] = notes[twin.name] = f"与 {src.name} 完全相同"
    # renamed
    src = first_file("宜阳县中医院")
    src.rename(pile / "上报包.zip")
    notes["上报包.zip"] = "宜阳县中医院的上报包，改了文件名"
    (pile / "新建文件夹").mkdir()
    src = first_file("汝阳县中医院")
    src.rename(pile / "新建文件夹" / "自查.zip")
    notes["新建文件夹/自查.zip"] = "汝阳县中医院的上报包，改了文件名"
    # from a newer program: the hospital's only package
    src = first_file("嵩县中医院")
    newer_format(src, src)
    notes[src.name] = "由更新版本的程序导出（格式版本 2）"
    # a truncated download: the hospital's only package
    src = first_file("栾川县中医院")
    data = src.read_bytes()
    src.write_bytes(data[: len(data) * 2 // 3])
    notes[src.name] = "下载中断，只有前 2/3"
    # not packages
    (pile / "洛阳市某医院_2025年第一季度医疗质量自查.zip").write_text(
        "<!DOCTYPE html><html><head><title>文件已过期</title></head><body>下载链接已失效</body></html>",
        encoding="utf-8",
    )
    notes["洛阳市某医院_2025年第一季度医疗质量自查.zip"] = "网盘的错误页面，不是 zip"
    book = io.BytesIO()
    import xlsxwriter

    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("Sheet1").write(0, 0, "2024年汇总")
    wb.close()
    (pile / "2024年度汇总表.zip").write_bytes(book.getvalue())
    notes["2024年度汇总表.zip"] = "一个 Excel 工作簿改成了 .zip（是 zip，但不是上报包）"
    notice = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    (pile / "关于开展2025年医疗质量自查的通知.pdf").write_bytes(notice)
    (pile / "填报说明.txt").write_text("各医院请于7月10日前报送上报包。\n", encoding="utf-8")
    (pile / "2024年度汇总表.xlsx").write_bytes(book.getvalue())
    (pile / "~$年度汇总表.xlsx").write_bytes(b"\x07lock")
    (pile / "__MACOSX").mkdir()
    (pile / "__MACOSX" / "._洛宁县中医院_2025年第一季度医疗质量自查_20250420.zip").write_bytes(
        b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(100)
    )
    notes["__MACOSX/._洛宁县中医院_2025年第一季度医疗质量自查_20250420.zip"] = "苹果电脑压缩时带的元数据文件"
    # upper case: the hospital's only package
    src = first_file("汝阳县妇幼保健院")
    src.rename(src.with_suffix(".ZIP"))
    notes[src.with_suffix(".ZIP").name] = "扩展名大写的上报包（汝阳县妇幼保健院唯一的包）"
    return notes


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", type=int, help="the first N hospitals only")
    parser.add_argument("--no-awkward", action="store_true")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    pile, work = args.out / "pile", args.out / "databases"
    pile.mkdir(parents=True)
    work.mkdir()
    catalog = load_catalog()
    made: dict[str, list[dict]] = {}
    started = time.perf_counter()
    for n, h in enumerate(HOSPITALS[: args.only]):
        t = time.perf_counter()
        made[h.name] = make_hospital(n, h, catalog, pile, work)
        print(f"{n + 1:2d}. {h.name}: {len(made[h.name])} 个包，{time.perf_counter() - t:.1f} s", flush=True)
    notes = {} if args.no_awkward else awkward(pile, made)
    expected = {
        "summary_day": SUMMARY_DAY.isoformat(),
        "hospitals": {name: next(dataclasses.asdict(h) for h in HOSPITALS if h.name == name) | {"sent": sent}
                      for name, sent in made.items()},
        "awkward": notes,
    }  # fmt: skip
    (args.out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1, default=sorted))
    print(f"{sum(len(s) for s in made.values())} packages in {time.perf_counter() - started:.0f} s: {pile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""汇总: which rounds of one hospital count — a round deleted and started again counts once,
the hospital's other rounds of the period (a 复查轮次, other checklists, another year) each count."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sqlite3

import pytest
from openpyxl import load_workbook

from app.cli import main
from app.domain.outcome import verdict
from app.exchange import format as fmt
from app.exchange.aggregate import aggregate
from app.exchange.export import export_package
from app.services.answers import record_answer
from app.services.demo import demo_profile
from app.services.profile import save_profile
from app.services.rectifications import start_recheck_round
from app.services.rounds import delete_round, start_round
from app.store import Actor, open_store
from tests.package_tools import members, relisted, rezip

# ≈10 s (more under load) to build the packages the module shares
pytestmark = pytest.mark.slow

DAY = dt.date(2025, 7, 15)
Q1 = "2025年第一季度医疗质量自查"


@dataclasses.dataclass
class Pile:
    """The commission's folder, and which file is which."""

    inbox: object
    deleted: str  # the round's first package: the hospital deleted the round after sending it
    deleted_copy: str  # the same file again, as a browser's second download saves it
    restarted: str  # the round started again (a new round id), exported later
    recheck: str  # a 复查轮次 of the restarted round, in the same quarter
    nursing: str  # a round of the same name on 护理部's PC, over other checklists
    last_year: str  # 乙县: “第一季度医疗质量自查” in 2025, deleted, and the one of 2026


@pytest.fixture(scope="module")
def pile(tmp_path_factory, catalog) -> Pile:
    folder = tmp_path_factory.mktemp("restarted")
    inbox = folder / "上报包"
    (inbox / "QQ接收").mkdir(parents=True)
    actor = Actor("质控办", "pc-zkb")
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    profile = demo_profile("甲县人民医院")

    store = open_store(folder / "甲县.db")
    save_profile(store, profile, actor)
    first = start_round(store, core, Q1, dt.date(2025, 3, 10), actor)
    record_answer(store, first, "qyx-core.01.1", actor, grade="D", finding="未执行")
    record_answer(store, first, "qyx-core.02.1", actor, grade="C", finding="记录不全")
    export_package(store, first, inbox / "甲县人民医院.zip", attachments=False, today=dt.date(2025, 4, 20))
    shutil.copy(inbox / "甲县人民医院.zip", inbox / "甲县人民医院(1).zip")
    delete_round(store, first, actor)
    # started again under the same name (the program suggests it) a few days later
    again = start_round(store, core, Q1, dt.date(2025, 3, 14), actor)
    record_answer(store, again, "qyx-core.01.1", actor, grade="D", finding="未执行首诊负责制度")
    record_answer(store, again, "qyx-core.02.1", actor, grade="A")
    # in a sub-folder and under a longer name: were the name to decide, the other would win
    restarted = "QQ接收/甲县人民医院_重新上报.zip"
    export_package(store, again, inbox / restarted, attachments=False, today=dt.date(2025, 4, 25))
    recheck = start_recheck_round(store, core, f"{Q1}（复查）", dt.date(2025, 3, 30), actor, previous_round_id=again)
    record_answer(store, recheck, "qyx-core.02.1", actor, grade="B")
    export_package(store, recheck, inbox / "甲县人民医院_复查.zip", attachments=False, today=dt.date(2025, 4, 30))
    store.close()

    nursing = open_store(folder / "甲县护理部.db")  # the same hospital, its own database and checklist
    save_profile(nursing, profile, Actor("护理部", "pc-hlb"))
    other = [e for e in catalog.entries if e.checklist.id == "hn-yizheng-2024"]
    round_id = start_round(nursing, other, Q1, dt.date(2025, 3, 12), Actor("护理部", "pc-hlb"))
    export_package(nursing, round_id, inbox / "甲县护理部.zip", attachments=False, today=dt.date(2025, 4, 22))
    nursing.close()

    # 乙县 names its rounds without the year; its targets end in 2025, so 考核年度 stays 2025
    yi = open_store(folder / "乙县.db")
    save_profile(yi, demo_profile("乙县中医院"), actor)
    old = start_round(yi, core, "第一季度医疗质量自查", dt.date(2025, 3, 1), actor, year=2025)
    export_package(yi, old, inbox / "乙县_2025.zip", attachments=False, today=dt.date(2025, 4, 1))
    delete_round(yi, old, actor)
    new = start_round(yi, core, "第一季度医疗质量自查", dt.date(2026, 3, 1), actor, year=2025)
    export_package(yi, new, inbox / "乙县_2026.zip", attachments=False, today=dt.date(2026, 4, 1))
    yi.close()
    return Pile(
        inbox,
        "甲县人民医院.zip",
        "甲县人民医院(1).zip",
        restarted,
        "甲县人民医院_复查.zip",
        "甲县护理部.zip",
        "乙县_2025.zip",
    )


def test_a_round_deleted_and_started_again_counts_once_as_its_last_export(pile, tmp_path, capsys):
    """甲县 sent its 2025年第一季度 round, deleted it, started it again (a new round id) and sent
    that: both packages counted, the hospital's quarter twice (two rows, its failing items and
    rectifications twice in 常见问题 and the totals). The one exported last counts; the other,
    and its copy, are listed as not counted, naming it."""
    xlsx, db = tmp_path / "汇总.xlsx", tmp_path / "汇总.db"
    assert main(["aggregate", "--date", DAY.isoformat(), "--out", str(xlsx), "--sqlite", str(db), str(pile.inbox)]) == 0
    out = capsys.readouterr()
    assert "已汇总 2 家医院的 5 轮自查" in out.out and "2 个因重复或有更新的导出未计入" in out.out
    result = aggregate([pile.inbox], today=DAY)
    jia = [(r.round_name, result.name(r.path)) for r in result.rounds if r.hospital == "甲县人民医院"]
    assert sorted(jia) == sorted([(Q1, pile.restarted), (f"{Q1}（复查）", pile.recheck), (Q1, pile.nursing)]), (
        "the restarted round counts, once; the 复查轮次 and 护理部's round of other checklists too"
    )
    counted = next(r for r in result.rounds if result.name(r.path) == pile.restarted)
    assert {i.item_id: i.grade for i in counted.items if i.grade} == {"qyx-core.01.1": "D", "qyx-core.02.1": "A"}
    reason = (
        f"重新开始的同一轮自查：甲县人民医院“{Q1}”另有较晚导出的上报包“{pile.restarted}”（轮次名称、考核年度和"
        "检查表相同，是删除后重新开始或在另一台电脑上开始的同一轮；导出于 "
    )
    for name in (pile.deleted, pile.deleted_copy):
        assert f"未计入：{name}：{reason}" in out.err
        assert "只计最后导出的一次。" in out.err
    rows = (
        sqlite3.connect(db).execute("SELECT package, kept, reason FROM superseded_packages ORDER BY package").fetchall()
    )
    assert [(p, k) for p, k, _ in rows] == [(pile.deleted_copy, pile.restarted), (pile.deleted, pile.restarted)]
    assert all(r.startswith(reason) for _, _, r in rows)
    sheet = list(load_workbook(xlsx)["未纳入"].iter_rows(values_only=True))[1:]
    assert sorted(sheet) == sorted((p, r) for p, _, r in rows)
    assert sorted(p for (p,) in sqlite3.connect(db).execute("SELECT package FROM rounds")) == sorted(
        [pile.restarted, pile.recheck, pile.nursing, pile.last_year, "乙县_2026.zip"]
    )


def test_the_rounds_of_other_years_stay_apart_and_the_recheck_takes_over(pile):
    """The rule joins only what one database could not hold side by side: “第一季度医疗质量自查”
    of 2025 and of 2026 (考核年度 2025 both: the targets end there) are two rounds; the 复查轮次
    follows up the restarted round, whose rectification counts there only."""
    result = aggregate([pile.inbox], today=DAY)
    yi = sorted(r.started_on for r in result.rounds if r.hospital == "乙县中医院")
    assert yi == ["2025-03-01", "2026-03-01"] and not [s for s in result.superseded if s.hospital == "乙县中医院"]
    counted = next(r for r in result.rounds if result.name(r.path) == pile.restarted)
    recheck = next(r for r in result.rounds if result.name(r.path) == pile.recheck)
    assert [x.status for x in counted.rectifications] == ["已转入复查"]
    assert [x.item_id for x in recheck.rectifications] == ["qyx-core.01.1"]


def test_the_package_exported_last_counts_whichever_is_found_first(pile, tmp_path):
    """The order the files are given in, and their names, do not decide: the export time does."""
    given = [pile.inbox / pile.restarted, pile.inbox / pile.deleted]
    for paths in (given, given[::-1]):
        result = aggregate(paths, today=DAY)
        assert [r.path.name for r in result.rounds] == ["甲县人民医院_重新上报.zip"]
        assert [(s.path.name, s.restarted) for s in result.superseded] == [("甲县人民医院.zip", True)]


def test_the_later_export_counts_though_its_round_was_changed_earlier(pile, tmp_path):
    """In the pile the round counted is both exported and changed later: ranked by its last
    change alone the test above would pass. Here the round begun on another PC (or brought back
    from a backup) was changed last on 4月18日 and exported on 4月26日, after the other one,
    changed on 4月24日 and exported on 4月25日: what the hospital sent last is what it holds."""
    later = _retimed(pile.inbox / pile.deleted, tmp_path / "甲县_另一台电脑.zip", "2025-04-26", "2025-04-18")
    earlier = _retimed(pile.inbox / pile.restarted, tmp_path / "甲县_质控办.zip", "2025-04-25", "2025-04-24")
    for paths in ([later, earlier], [earlier, later]):
        result = aggregate(paths, today=DAY)
        assert [r.path.name for r in result.rounds] == [later.name]
        superseded = [(s.path.name, s.kept.name, s.restarted) for s in result.superseded]
        assert superseded == [(earlier.name, later.name, True)]
        assert "导出于 2025年4月26日" in result.superseded_reason(result.superseded[0])


def _retimed(source, out, exported: str, changed: str):
    """``source`` as exported on the day ``exported`` after its last change on ``changed`` (at
    10:00 UTC both): its manifest rewritten, and its file list made to match, as a PC whose
    clock read those times would have written it."""
    parts = members(source)
    manifest = json.loads(parts[fmt.MANIFEST])
    manifest["created_at"], manifest["round"]["updated_at"] = f"{exported}T10:00:00+00:00", f"{changed}T10:00:00+00:00"
    return rezip(source, relisted({**parts, fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()}), out)


def test_campuses_sharing_a_code_each_count_their_round(tmp_path, catalog):
    """院区 of one legal entity often share its 统一社会信用代码: 东院区 and 西院区 both ran
    “2025年第一季度医疗质量自查” on the same checklist, and the rule for a round started again
    listed 东院区's as 西院区's, restarted, its data dropped. Another name is another round."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    code = demo_profile("汝阳县人民医院").code
    for n, campus in enumerate(("汝阳县人民医院东院区", "汝阳县人民医院西院区")):
        actor = Actor("质控办", f"pc-{n}")
        store = open_store(tmp_path / f"{n}.db")
        save_profile(store, dataclasses.replace(demo_profile(campus), code=code), actor)
        round_id = start_round(store, core, Q1, dt.date(2025, 3, 10 + n), actor)
        record_answer(store, round_id, "qyx-core.01.1", actor, grade="AD"[n], finding="" if n == 0 else "未执行")
        export_package(store, round_id, tmp_path / f"{campus}.zip", attachments=False, today=dt.date(2025, 4, 20 + n))
        store.close()
    result = aggregate([tmp_path], today=DAY)
    assert not result.superseded
    assert sorted(r.path.name for r in result.rounds) == ["汝阳县人民医院东院区.zip", "汝阳县人民医院西院区.zip"]


def test_two_code_less_hospitals_of_one_name_each_count_their_round(tmp_path, catalog):
    """城关镇卫生院 of two counties, neither with a code, both ran “2025年第一季度医疗质量自查”:
    the second was dropped as the first's restart. Without a code, only one database holding
    both makes a restart; the same hospital's round deleted and started again still counts once."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    for n in range(2):
        actor = Actor("质控办", f"pc-{n}")
        store = open_store(tmp_path / f"{n}.db")
        save_profile(store, dataclasses.replace(demo_profile("城关镇卫生院"), code=""), actor)
        round_id = start_round(store, core, Q1, dt.date(2025, 3, 10 + n), actor)
        record_answer(store, round_id, "qyx-core.01.1", actor, grade="AD"[n], finding="" if n == 0 else "未执行")
        export_package(store, round_id, tmp_path / f"{n}.zip", attachments=False, today=dt.date(2025, 4, 20 + n))
        if n == 1:  # this one deleted its round and started it again
            delete_round(store, round_id, actor)
            again = start_round(store, core, Q1, dt.date(2025, 3, 12), actor)
            export_package(store, again, tmp_path / "1-again.zip", attachments=False, today=dt.date(2025, 4, 25))
        store.close()
    result = aggregate([tmp_path], today=DAY)
    assert sorted(r.path.name for r in result.rounds) == ["0.zip", "1-again.zip"]
    assert [s.path.name for s in result.superseded] == ["1.zip"]
    # and two hospitals, each in the charts and 常见问题: they were one, “1 / 1”, and the second's
    # problems left the summary (commission review)
    assert len(result.hospitals) == 2 and len(result.latest_rounds()) == 2


def test_a_coded_and_a_code_less_hospital_of_one_name_stay_two(tmp_path, catalog):
    """Of two 城关镇卫生院, the one without a code was taken for the one with: one hospital, and
    the later round's code (or none) written over the other's (commission review)."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    code = demo_profile("城关镇卫生院").code
    for n in range(2):
        actor = Actor("质控办", f"pc-{n}")
        store = open_store(tmp_path / f"{n}.db")
        save_profile(store, dataclasses.replace(demo_profile("城关镇卫生院"), code=code if n == 0 else ""), actor)
        round_id = start_round(store, core, Q1, dt.date(2025, 3, 10 + n), actor)
        record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", finding="未执行")
        export_package(store, round_id, tmp_path / f"{n}.zip", attachments=False, today=dt.date(2025, 4, 20 + n))
        store.close()
    result = aggregate([tmp_path], today=DAY)
    assert len(result.hospitals) == 2
    assert sorted((r.path.name, r.code) for r in result.rounds) == [("0.zip", code), ("1.zip", "")]
    assert {p.item_id: len(p.hospitals) for p in result.common_problems()}["qyx-core.01.1"] == 2
    # named apart in every output: two bars both labelled 城关镇卫生院 could not be told apart
    named = {r.path.name: r.hospital for r in result.rounds}
    assert named == {"0.zip": f"城关镇卫生院（{code}）", "1.zip": "城关镇卫生院（未填机构代码，1.zip）"}
    problem = next(p for p in result.common_problems() if p.item_id == "qyx-core.01.1")
    assert sorted(problem.hospitals) == sorted(named.values())
    from pypdf import PdfReader

    from app.exchange.aggregate import write_outputs

    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=tmp_path / "汇总.pdf")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总.pdf").pages)
    assert all(name in text for name in named.values())


def test_a_round_restarted_after_the_code_was_filled_in_counts_once(tmp_path, catalog):
    """Sent without a code, the commission asked for one; the hospital filled it in, deleted the
    quarter and started it again: both rounds counted, the quarter twice (commission review)."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    profile = demo_profile("某县中心卫生院")
    save_profile(store, dataclasses.replace(profile, code=""), actor)
    first = start_round(store, core, Q1, dt.date(2025, 3, 12), actor)
    export_package(store, first, tmp_path / "无代码.zip", attachments=False, today=dt.date(2025, 4, 20))
    save_profile(store, profile, actor)
    delete_round(store, first, actor)
    again = start_round(store, core, Q1, dt.date(2025, 3, 12), actor)
    export_package(store, again, tmp_path / "补填代码.zip", attachments=False, today=dt.date(2025, 4, 25))
    store.close()
    result = aggregate([tmp_path], today=DAY)
    assert [r.path.name for r in result.rounds] == ["补填代码.zip"]
    assert [s.path.name for s in result.superseded] == ["无代码.zip"]
    assert result.superseded_reason(result.superseded[0]).startswith("重新开始的同一轮自查")


def test_a_code_less_hospital_renamed_before_its_recheck_is_one(tmp_path, catalog):
    """A code-less hospital renamed between its round and the 复查轮次 was two hospitals, and the
    rectifications the re-check carried over were counted open in both rounds (commission
    review): the carry-over says they are one hospital's."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    save_profile(store, dataclasses.replace(demo_profile("某县第二人民医院"), code=""), actor)
    first = start_round(store, core, Q1, dt.date(2025, 3, 12), actor)
    record_answer(store, first, "qyx-core.01.1", actor, grade="D", finding="未执行")
    export_package(store, first, tmp_path / "一季度.zip", attachments=False, today=dt.date(2025, 4, 20))
    save_profile(store, dataclasses.replace(demo_profile("某县中医院"), code=""), actor)
    second = start_recheck_round(store, core, "二季度复查", dt.date(2025, 6, 10), actor, previous_round_id=first)
    export_package(store, second, tmp_path / "二季度.zip", attachments=False, today=dt.date(2025, 7, 1))
    store.close()
    result = aggregate([tmp_path], today=DAY)
    assert len(result.hospitals) == 1 and {r.hospital for r in result.rounds} == {"某县中医院"}
    q1 = next(r for r in result.rounds if r.path.name == "一季度.zip")
    assert [x.status for x in q1.rectifications] == ["已转入复查"]


def test_a_recheck_rounds_trend_indicators_are_judged_in_the_summary_as_at_home(tmp_path, catalog):
    """A 复查轮次's 逐步提高/降低 indicators are judged against the round before, whose records are
    not in its package: recomputed without them they all read 待判定, and the summary gave
    不符合 0 where the hospital's own report gave 3 (and showed 整改项 3 in the same row)."""
    from app.services.demo import create_demo
    from app.services.rounds import load_round, score
    from tests.helpers import start_recheck_of_demo

    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    first = create_demo(store, catalog, actor)
    second = start_recheck_of_demo(store, catalog, actor, first)
    home = score(store, second)
    view = load_round(store, second)
    trend = [i.id for i in view.items() if i.direction and home.outcomes[i.id].value is not None]
    assert trend and any(home.outcomes[i].state != "pending" for i in trend)
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    export_package(store, second, inbox / "复查.zip", attachments=False, today=dt.date(2025, 6, 30))
    store.close()
    [facts] = aggregate([inbox], today=dt.date(2025, 6, 30)).rounds
    assert facts.failing == home.tally.failing
    states = {i.item_id: i.state for i in facts.indicators}
    assert all(states[i] == verdict(home.outcomes[i].state) for i in trend)


def test_code_less_namesakes_sent_under_one_file_name_are_named_by_their_folders(tmp_path, catalog):
    """Two 城关镇卫生院 export the same quarter under the same suggested file name, kept by the
    commission in 甲县/ and 乙县/: named apart by the file's name alone, they read alike again
    (diff review)."""
    from app.exchange.export import suggested_name

    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    names = set()
    for n, county in enumerate(("甲县", "乙县")):
        actor = Actor("质控办", f"pc-{n}")
        store = open_store(tmp_path / f"{n}.db")
        save_profile(store, dataclasses.replace(demo_profile("城关镇卫生院"), code=""), actor)
        round_id = start_round(store, core, Q1, dt.date(2025, 3, 10), actor)
        name = suggested_name(store, round_id, dt.date(2025, 4, 20))
        (tmp_path / "上报包" / county).mkdir(parents=True)
        export_package(
            store, round_id, tmp_path / "上报包" / county / name, attachments=False, today=dt.date(2025, 4, 20)
        )
        names.add(name)
        store.close()
    assert len(names) == 1, "the program suggests the same name to both"
    result = aggregate([tmp_path / "上报包"], today=DAY)
    assert len(result.hospitals) == 2 and len({r.hospital for r in result.rounds}) == 2
    assert {r.hospital.split("，")[1][:2] for r in result.rounds} == {"甲县", "乙县"}


def test_hospitals_that_copied_one_database_stay_apart_though_their_rechecks_link_them(tmp_path, catalog):
    """乙县 began from a copy of 甲县's database: the rectification ids of their re-checks' sources
    are the same, and the carry-over link merged the two coded hospitals into one (diff review)."""
    import shutil

    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "甲.db")
    save_profile(store, demo_profile("甲县人民医院"), actor)
    first = start_round(store, core, Q1, dt.date(2025, 3, 10), actor)
    record_answer(store, first, "qyx-core.01.1", actor, grade="D", finding="未执行")
    store.close()
    shutil.copy(tmp_path / "甲.db", tmp_path / "乙.db")
    for n, (db, hospital) in enumerate((("甲.db", "甲县人民医院"), ("乙.db", "乙县人民医院"))):
        store = open_store(tmp_path / db)
        save_profile(store, demo_profile(hospital), actor)
        again = start_recheck_round(store, core, "二季度复查", dt.date(2025, 6, 10), actor, previous_round_id=first)
        export_package(store, again, tmp_path / f"{n}-复查.zip", attachments=False, today=dt.date(2025, 7, 1))
        if n == 0:
            export_package(store, first, tmp_path / "0-一季度.zip", attachments=False, today=dt.date(2025, 4, 1))
        store.close()
    result = aggregate([tmp_path], today=DAY)
    assert sorted(r.hospital for r in result.latest_rounds()) == ["乙县人民医院", "甲县人民医院"]
    assert len(result.hospitals) == 2


def test_a_code_less_hospitals_export_with_real_record_numbers_is_still_its_own(tmp_path, catalog):
    """A package with real 病案号 tells no database: a code-less hospital's such round became a
    hospital of its own beside its pseudonymised rounds (diff review)."""
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    save_profile(store, dataclasses.replace(demo_profile("某县中心卫生院"), code=""), actor)
    first = start_round(store, core, Q1, dt.date(2025, 3, 10), actor)
    export_package(store, first, tmp_path / "一季度.zip", attachments=False, today=dt.date(2025, 4, 1))
    second = start_round(store, core, "二季度", dt.date(2025, 6, 10), actor)
    export_package(store, second, tmp_path / "二季度.zip", attachments=False, patient_ids=True, today=DAY)
    store.close()
    result = aggregate([tmp_path], today=DAY)
    assert len(result.rounds) == 2 and len(result.hospitals) == 1


def test_a_recheck_just_begun_leaves_the_hospitals_known_problems_in_the_common_ones(tmp_path, catalog):
    """宜阳县精神卫生中心's latest round was its 复查 with nothing graded yet, and its first
    quarter's failures were in no 常见问题 row (exchange review): each item counts by the latest
    round that assessed it, so a problem stays until a later round grades the item again."""
    from app.services.demo import create_demo
    from app.services.rounds import score

    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    first = create_demo(store, catalog, actor)
    core = catalog.entries[0].checklist.id + "."  # the 复查 checks this one checklist
    failing = sorted(i for i, o in score(store, first).outcomes.items() if o.failing and i.startswith(core))
    fixed, still = failing[0], failing[1:]
    second = start_recheck_round(store, catalog.entries[:1], "复查", dt.date(2025, 6, 1), actor, first)
    record_answer(store, second, fixed, actor, grade="B")  # the one item graded again: put right
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    for round_id, name in ((first, "一季度.zip"), (second, "复查.zip")):
        export_package(store, round_id, inbox / name, attachments=False, today=DAY)
    store.close()
    problems = {p.item_id: p for p in aggregate([inbox], today=DAY).common_problems()}
    assert fixed not in problems
    assert still and all(problems[i].hospitals == ["示例县人民医院"] for i in still)
    assert all(problems[i].assessed == 1 for i in still)

"""PDF reports: real WeasyPrint PDFs of a real demo database, read back with pypdf.

The two reports are rendered once per module; every test that renders fails on any WeasyPrint
warning (a missing glyph logs “.notdef glyph rendered…”, a refused resource logs an error).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import socket
import struct
import subprocess
import sys
import zlib

import pypdf
import pytest

from app.domain.checklist import item_references
from app.domain.formats import cn_date, fixed
from app.render import FontMissingError, build_html, render_report
from app.render.charts import Bar, bar_chart
from app.render.fonts import ReportFonts, resolve_fonts
from app.services import rectifications as rect_service
from app.services.answers import record_answer
from app.services.attachments import add_attachment
from app.services.demo import DEMO_REPORT_DATE, create_demo
from app.services.rounds import load_round, score, set_round_final
from app.store import Actor, open_store
from tests.conftest import ROOT
from tests.helpers import start_recheck_of_demo

HOSTILE = (
    '<img src="file:///etc/passwd"> <script>alert(1)</script> 详见 http://example.com/x.png '
    "& <b>粗体</b> file:///etc/shadow"
)
HOSTILE_ITEM = "qyx-core.05.1"
REPORT_KINDS = ("self", "rectification")


def squeeze(text: str) -> str:
    """Text without whitespace: table cells wrap lines anywhere."""
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xa0\x20\x20" * 4 for _ in range(4))  # 4×4 dark red
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, catalog):
    """The demo round with a hostile finding and a photo on a rectification, both reports rendered."""
    folder = tmp_path_factory.mktemp("reports")
    store = open_store(folder / "demo.db")
    actor = Actor("测试员", "device-test")
    round_id = create_demo(store, catalog, actor)
    record_answer(store, round_id, HOSTILE_ITEM, actor, grade="D", finding=HOSTILE, department="医务科")
    entry = next(
        e for e in rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE) if HOSTILE_ITEM in e.item_ids
    )
    rect_service.update_rectification(store, entry.id, actor, cause=HOSTILE, deadline="2025-05-20")
    photo = folder / "整改现场.png"
    photo.write_bytes(tiny_png())
    attachment = add_attachment(store, round_id, photo, actor, rectification_id=entry.id)

    results = {}
    for kind in ("self", "rectification"):
        results[kind] = render_report(store, round_id, kind, folder / f"{kind}.pdf", today=DEMO_REPORT_DATE)
    yield {
        "store": store,
        "round": round_id,
        "results": results,
        "attachment": attachment,
        "text": {k: pdf_text(r.path) for k, r in results.items()},
    }
    store.close()


@pytest.fixture(scope="module")
def recheck(tmp_path_factory, catalog):
    """A re-check round (复查轮次) of the demo round (tests/helpers.py), both reports rendered."""
    folder = tmp_path_factory.mktemp("recheck")
    store = open_store(folder / "demo.db")
    actor = Actor("测试员", "device-test")
    first = create_demo(store, catalog, actor)
    second = start_recheck_of_demo(store, catalog, actor, first)
    results = {k: render_report(store, second, k, folder / f"{k}.pdf", today=DEMO_REPORT_DATE) for k in REPORT_KINDS}
    yield {"store": store, "first": first, "round": second, "text": {k: pdf_text(r.path) for k, r in results.items()}}
    store.close()


@pytest.mark.parametrize("kind", ["self", "rectification"])
def test_renders_without_any_weasyprint_warning(rendered, kind):
    result = rendered["results"][kind]
    assert result.warnings == ()
    assert result.pages >= 2 and result.path.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("kind", ["self", "rectification"])
def test_every_page_has_hospital_title_and_page_x_of_y(rendered, kind):
    """…except the 自查报告's cover, a page of its own (the 整改报告 starts with a title block)."""
    pages = rendered["text"][kind]
    title = {"self": "医疗质量自查报告", "rectification": "医疗质量自查整改报告"}[kind]
    first = 2 if kind == "self" else 1
    dated = {"self": "报告日期", "rectification": "统计日期"}[kind]
    for n, text in enumerate(pages[first - 1 :], first):
        assert f"第 {n} 页 共 {len(pages)} 页" in text
        assert "示例县人民医院" in text and title in squeeze(text)
        # a draft says so in the header's ink (the watermark's tint is lost to toner saving), and
        # a loose page names its round and date (review of the printed reports)
        assert f"{title}（自查稿）" in squeeze(text), n
        footer = squeeze(text).rsplit(f"{title}（自查稿）", 1)[-1]
        assert footer.startswith(f"{dated}2025年6月30日·2025年第一季度医疗质量自查第{n}页"), n
    if kind == "self":
        cover = pages[0]
        assert "页 共" not in cover
        assert squeeze(cover).count(title) == 1, "the cover's title, and no running header"


def test_a_cover_with_long_names_and_a_large_team_stays_on_one_page(store, catalog, actor, tmp_path):
    """A 27-character hospital name, a 33-character round and 8 members pushed the cover's
    signature (hospital and date) onto a second page of its own, without header or number, and
    the report began on 第 3 页: a page to sign and seal that held two lines."""
    import dataclasses

    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    name = "河南科技大学第一附属医院（河南省第一人民医院医疗集团）开元院区暨郑州市某某区人民医院"
    save_profile(store, dataclasses.replace(DEMO_PROFILE, name=name), actor)
    members = [f"成员{n}（科室{n}）" for n in range(12)]
    round_id = start_round(
        store,
        [catalog.get("qyx-core")],
        "2025年第一季度医疗质量千院行活动自查（核心制度与改进目标对照）复查",
        dt.date(2025, 3, 15),
        actor,
        leader="王建国（业务副院长）",
        members=members,
    )
    pdf = render_report(store, round_id, "self", tmp_path / "r.pdf", today=DEMO_REPORT_DATE).path
    pages = pdf_text(pdf)
    cover, first = squeeze(pages[0]), squeeze(pages[1])
    assert squeeze(name) in cover and cover.endswith("2025年6月30日") and "成员11" in cover
    # the footer's long round name wraps after the date, not inside it (报告日期 2025年6 | 月30日)
    footer = [w for w, _x0, y0, *_ in _word_boxes(pdf, 2) if y0 > 760]
    assert footer[:2] == ["报告日期", "2025年6月30日"], footer
    assert "一、基本情况" in first and "第 2 页 共" in pages[1]


def _word_boxes(pdf, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word of a page with its box (x0, y0, x1, y1), as pdftotext lays it out."""
    import re
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(w, float(a), float(b), float(c), float(d)) for a, b, c, d, w in re.findall(pattern, html)]


def test_the_credit_code_is_printed_on_one_line(store, catalog, actor, tmp_path):
    """18 characters with several wide capitals (12410300XQKX9HDLEW) shared a row with the name
    and wrapped, the last letter alone on a second line (review, reports 2)."""
    import dataclasses

    from app.domain.identifiers import uscc_check_char
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    code = "12410300MWMWMWMWM" + uscc_check_char("12410300MWMWMWMWM")  # W and M: the widest capitals
    save_profile(store, dataclasses.replace(DEMO_PROFILE, name="洛阳市第一人民医院伊滨院区", code=code), actor)
    round_id = start_round(store, [catalog.get("qyx-core")], "一季度", dt.date(2025, 3, 15), actor)
    pdf = render_report(store, round_id, "self", tmp_path / "r.pdf", today=DEMO_REPORT_DATE).path
    assert code in [word for word, *_box in _word_boxes(pdf, 2)]


def test_items_are_numbered_as_a_reviewer_cites_them(store, catalog, actor, tmp_path):
    """编号 printed ``t08.5``, ``sa1.5``, ``m.10``: the checklist's codes. The 质量行动计划's
    numbers now say what part of the document they are in, and 阜新方案's ``5-1.专项1.1`` breaks
    before 专项 in the narrow column, not as 5-1.专项 | 1.1 (review of the reports, session 12)."""
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    save_profile(store, DEMO_PROFILE, actor)
    entries = [catalog.get("nat-quality-2023"), catalog.get("fx-quality-2023")]
    round_id = start_round(store, entries, "行动计划", dt.date(2025, 3, 15), actor)
    text = "\n".join(pdf_text(render_report(store, round_id, "self", tmp_path / "r.pdf", today=DEMO_REPORT_DATE).path))
    words = set(text.split())
    assert {"任务8.1", "专项1.5", "组织1", "要求1", "指标10", "专项1.1"} <= words
    assert "5-1.专项" not in words
    assert not re.search(r"\b(t\d\d|sa\d|zx\d|org|req|m)\.\d", text)


def test_the_longest_hospital_name_taken_is_printed_over_nothing_on_the_cover(store, catalog, actor, tmp_path):
    """The profile takes a name of 100 characters; from 61 on, the cover's signature (the name
    and the date, kept at its foot) was printed over the 检查组, and the running header took five
    lines (review)."""
    import dataclasses

    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import set_round_final, start_round

    name = ("某某县人民医院（某某县医疗健康集团总院、某某县紧密型县域医共体牵头医院、某某大学附属医院）" * 2)[:100]
    save_profile(store, dataclasses.replace(DEMO_PROFILE, name=name), actor)
    members = [f"成员{n}（科室{n}）" for n in range(10)]
    round_id = start_round(store, [catalog.get("qyx-core")], "一季度", dt.date(2025, 3, 15), actor, members=members)
    set_round_final(store, round_id, True, actor)  # no 自查稿 watermark across the words
    pdf = render_report(store, round_id, "self", tmp_path / "r.pdf", today=DEMO_REPORT_DATE).path
    words = _word_boxes(pdf, 1)
    overlapping = [
        (a[0], b[0])
        for n, a in enumerate(words)
        for b in words[n + 1 :]
        if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5
    ]
    assert words and overlapping == []
    pages = pdf_text(pdf)
    assert squeeze(pages[0]).endswith("2025年6月30日") and "一、基本情况" in pages[1]
    assert squeeze(name[:39] + "…") in squeeze(pages[1])  # the running header, shortened to two lines


def test_self_report_lists_every_failing_item(rendered):
    store, round_id = rendered["store"], rendered["round"]
    text = squeeze("".join(rendered["text"]["self"]))
    failing = [item_id for item_id, o in score(store, round_id).outcomes.items() if o.failing]
    assert len(failing) > 5
    references = item_references(load_round(store, round_id).checklists)
    problems = text[text.index("五、发现的问题") :]
    assert [i for i in failing if squeeze(references[i]) not in problems] == []
    assert "qyx-core." not in problems, "reviewers read references, not internal ids"
    for part in (
        "一、基本情况",
        "自查范围",
        "自查方法",
        "检查组",
        "二、自查结果概况",
        "评价结果分布",
        "三、各检查表自查结果",
        "四、指标完成情况",
        "五、发现的问题",
        "不适用原因：",
    ):
        assert part in text
    assert "自查稿" in text  # the round is not final


def test_indicator_values_have_one_precision_per_unit(rendered):
    """One rule (formats.measure_decimals): % to 0.1, a rate in another unit to 0.01, in the
    value and the reference alike: never 66.01% beside 48.8% and 57%, or 2.326例次/千导管日."""
    text = squeeze("".join(rendered["text"]["self"]))
    section = text[text.rindex("四、指标完成情况") : text.rindex("五、发现的问题")]
    percents = re.findall(r"(?<![≥≤>\d.])(\d+(?:\.\d+)?)%", section)  # targets (≥90%) are the norm's words
    assert len(percents) > 10 and [p for p in percents if not re.fullmatch(r"\d+\.\d", p)] == []
    per_unit = re.findall(r"(\d+(?:\.\d+)?)例次/", section)
    assert per_unit and [v for v in per_unit if not re.fullmatch(r"\d+\.\d\d", v)] == []
    assert "66.0%" in section and "2.33例次/千导管日" in section


def test_indicators_print_the_numerator_and_denominator_of_their_value(rendered):
    """66.0% alone cannot be checked; the counts it came from are stored, and printed under it."""
    from app.services.rounds import answers_by_item, load_round

    store, round_id = rendered["store"], rendered["round"]
    text = squeeze("".join(rendered["text"]["self"]))
    section = text[text.rindex("四、指标完成情况") : text.rindex("五、发现的问题")]
    counts = [
        f"{a.numerator:g}/{a.denominator:g}"
        for item in load_round(store, round_id).items()
        if item.input == "ratio" and (a := answers_by_item(store, round_id).get(item.id)) and a.denominator
    ]
    assert len(counts) > 5 and [c for c in counts if c not in section] == []
    assert "66.0%101/153" in section  # under the value it was computed from
    assert "分子/分母" in section  # and the table says what they are


def test_the_indicator_table_names_what_a_trend_is_compared_with(recheck):
    """“对照值 38.6%” did not say whether 38.6% was a baseline or the previous round's value (the
    previous round had 66.0%, the same as this one): the 说明 names it, the note under the table
    says what the 对照值 is."""
    text = squeeze("".join(recheck["text"]["self"]))
    section = text[text.rindex("四、指标完成情况") : text.rindex("五、发现的问题")]
    assert "基线值51.1%" in section  # 1.3: its baseline entered in this round
    assert "上一轮数值66.0%" in section  # 1.1 (RECHECK_NO_BASELINE): the first round's value
    assert "未录入的与上一轮自查的数值比较" in section and "对照值" in section
    assert "对照值38.6%" not in section


def test_a_failing_item_reads_the_same_in_both_reports(rendered):
    """One problem sentence (domain.evaluation.problem_sentence): the self report said only
    “对照值 1例次/千导管日” or “抽查 10 份，不符合 1 份” where the 整改报告 said what was wrong."""
    store, round_id = rendered["store"], rendered["round"]
    outcomes = score(store, round_id).outcomes
    self_text = squeeze("".join(rendered["text"]["self"]))
    problems = self_text[self_text.rindex("五、发现的问题") :]
    ledger = squeeze("".join(rendered["text"]["rectification"]))
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)
    failing = [e for e in entries if len(e.item_ids) == 1 and outcomes[e.item_ids[0]].failing]
    measured = [e for e in failing if outcomes[e.item_ids[0]].value is not None]
    assert len(measured) >= 4
    for entry in failing:
        sentence = squeeze(entry.rectification.problem)
        assert sentence in problems and sentence in ledger, sentence
    assert "指标值2.33例次/千导管日（6/2580），未低于基线值1.00例次/千导管日（要求逐步降低）" in problems
    assert "抽查10份，1份不符合（要求全部符合）" in problems and "不符合1份" not in self_text
    assert "抽查153份" not in self_text  # an indicator's 101/153 are no records checked


def test_problems_chosen_on_a_c_grade_are_said_apart_from_the_failing(rendered):
    """五 said 发现问题 15 项 where 二 said 不符合 13, with nothing to say that 2 were C grades the
    检查组 chose to put right (PDF review 10)."""
    store, round_id = rendered["store"], rendered["round"]
    result = score(store, round_id)
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)
    chosen = [e for e in entries if not any(result.outcomes[i].failing for i in e.item_ids)]
    assert chosen
    text = squeeze("".join(rendered["text"]["self"]))
    problems = text[text.rindex("五、发现的问题") :]
    found = result.tally.failing + len(chosen)
    assert (
        f"本轮自查共发现问题{found}项（其中{len(chosen)}项未评为不符合，由检查组决定整改，不计入“不符合”条数"
        in problems
    )
    # the findings written on passing grades, which 三 prints, are counted and pointed to
    answers = {a.item_id: a for a in store.answers(round_id)}
    in_ledger = {i for e in entries for i in e.item_ids}
    noted = [i for i, a in answers.items() if a.finding and not result.outcomes[i].failing and i not in in_ledger]
    assert (
        noted
        and f"另有{len(noted)}条未评为不符合的条目记录了问题描述，未形成整改项（见“三、各检查表自查结果”）" in problems
    )


def test_a_recheck_round_counts_its_own_problems_apart_from_those_carried_over(recheck):
    """In a 复查轮次 the problem list held the rectifications carried over from the first round,
    an item now graded B among them (问题描述 “—”, 待整改): “发现问题 13 项” against 不符合 11."""
    store, round_id = recheck["store"], recheck["round"]
    result = score(store, round_id)
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)
    carried = [e for e in entries if e.carried]
    regraded = [e for e in carried if e.regraded]
    again = [e for e in carried if any(result.outcomes[i].failing for i in e.item_ids)]
    assert regraded and again and "B 有监管" in {e.regraded for e in regraded}
    text = squeeze("".join(recheck["text"]["self"]))
    problems = text[text.rindex("五、发现的问题") :]
    failing = result.tally.failing
    assert f"本轮自查共发现问题{failing}项（其中{len(again)}项问题上轮已发现、整改未完成，标注“上轮转入”）" in problems
    # the rectifications counted as the 整改报告 counts them, in the same words (review of the printed reports)
    counted = f"共有整改项{len(entries)}项：本轮新发现{len(entries) - len(carried)}项，上轮转入{len(carried)}项"
    assert counted in problems and counted in squeeze("".join(recheck["text"]["rectification"]))
    found, apart = problems.split(
        f"另有上轮转入的整改项{len(regraded)}项，本轮未列为问题（本轮结果见下表）：其条目本轮复评未再发现问题"
    )
    # the second list is numbered 转1, 转2…: its pages were told from the first list's by nothing
    assert f"转{len(regraded)}" in apart and "转1" not in found
    references = item_references(load_round(store, round_id).checklists)
    for entry in regraded:
        (item_id,) = entry.item_ids
        assert squeeze(references[item_id]) not in found and squeeze(references[item_id]) in apart
        assert squeeze(f"本轮复评：{entry.regraded}，复查确认后可销号") in apart
    assert found.count("上轮转入；") == len(again)

    ledger = squeeze("".join(recheck["text"]["rectification"]))
    assert (
        f"共有整改项{len(entries)}项：本轮新发现{len(entries) - len(carried)}项，上轮转入{len(carried)}项"
        f"（其中{len(regraded)}项的条目本轮复评未再发现问题" in ledger
    )
    assert ledger.count("可销号") == len(regraded) + 1  # each row, and the overview


@pytest.mark.parametrize("kind", REPORT_KINDS)
def test_dates_are_written_one_way(rendered, recheck, kind):
    """“2025年6月30日” on the cover beside “期限 2025-04-30” and a re-check on “2025-05-08”: every
    date in a printed report is now written as formats.cn_date writes it."""
    for fixture in (rendered, recheck):
        text = "".join(fixture["text"][kind])
        assert re.findall(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", text) == []
        assert "2025年6月30日" in text  # the report date
    ledger = squeeze("".join(rendered["text"]["rectification"]))
    assert "2025年5月8日，刘洋（质控办），复查通过" in ledger and "2025年4月30日" in ledger
    problems = squeeze("".join(rendered["text"]["self"]))
    assert "期限2025年4月30日" in problems[problems.rindex("五、发现的问题") :]


def test_carried_over_rectifications_already_closed_are_not_said_to_await_their_recheck(
    store, demo_round, catalog, actor, tmp_path
):
    """A 复查轮次 whose re-check of a carried-over rectification passed: the 自查报告 said all of
    those listed apart still awaited theirs (复查确认整改到位后可销号), the 整改报告 of the same round
    that one fewer did. Both reports now count the closed one apart, and agree."""
    second = start_recheck_of_demo(store, catalog, actor, demo_round)
    day = dt.date(2025, 9, 30)
    regraded = [e for e in rect_service.list_rectifications(store, second, day) if e.regraded]
    assert len(regraded) >= 2
    rect_service.record_recheck(
        store,
        regraded[0].id,
        actor,
        passed=True,
        by="刘洋（质控办）",
        date="2025-08-20",
        result="已整改到位。",
        today=day,
    )
    text = {
        k: squeeze("".join(pdf_text(render_report(store, second, k, tmp_path / f"{k}.pdf", today=day).path)))
        for k in REPORT_KINDS
    }
    waiting = len(regraded) - 1
    problems = text["self"][text["self"].rindex("五、发现的问题") :]
    assert (
        f"另有上轮转入的整改项{len(regraded)}项，本轮未列为问题（本轮结果见下表）：其中1项已复查通过（已完成）；"
        f"{waiting}项的条目本轮复评未再发现问题，复查确认整改到位后可销号。" in problems
    )
    assert f"（其中{waiting}项的条目本轮复评未再发现问题，复查确认整改到位后可销号" in text["rectification"]


def test_carried_over_rectifications_of_items_not_graded_again_are_listed_as_pending(store, demo_round, catalog, actor):
    """A re-check round just started: nothing is graded, every carried-over rectification is
    listed apart, and the sentence says their items are not graded yet (not that they pass)."""
    from app.render.model import build_self_report

    used = {c.id for c in load_round(store, demo_round).checklists}
    entries = [e for e in catalog.entries if e.checklist.id in used]
    second = rect_service.start_recheck_round(store, entries, "复查", dt.date(2025, 6, 15), actor, demo_round)
    carried = rect_service.list_rectifications(store, second, DEMO_REPORT_DATE)
    report = build_self_report(store, second, DEMO_REPORT_DATE, "serif")
    assert report.problems == [] and len(report.carried_problems) == len(carried) > 0
    assert all(p.pending and p.result == "未填" for p in report.carried_problems)
    assert (
        report.carried_intro
        == f"另有上轮转入的整改项 {len(carried)} 项，本轮未列为问题（本轮结果见下表）：其条目本轮尚未评价。"
    )
    assert "未再发现问题" not in report.carried_intro
    # one item graded again without a problem: both reports say so of that one alone (the 自查报告
    # said it of all, “其中 8 项的条目本轮尚未评价” after it; the 整改报告 said 2)
    from app.render.model import build_rectification_report
    from app.services.answers import record_answer

    record_answer(store, second, carried[0].item_ids[0], actor, grade="B")
    report = build_self_report(store, second, DEMO_REPORT_DATE, "serif")
    pending = len(report.carried_problems) - 1
    assert report.carried_intro == (
        f"另有上轮转入的整改项 {len(report.carried_problems)} 项，本轮未列为问题（本轮结果见下表）："
        f"其中 1 项的条目本轮复评未再发现问题，复查确认整改到位后可销号；{pending} 项的条目本轮尚未评价。"
    )
    ledger = build_rectification_report(store, second, DEMO_REPORT_DATE, "serif")
    assert "（其中 1 项的条目本轮复评未再发现问题，" in ledger.overview


def test_values_and_units_do_not_break_inside(rendered):
    """pypdf gives each line of a cell as a line: 2.326例次/千导管日 may wrap after the “/” only."""
    text = "\n".join(rendered["text"]["self"])
    assert text.count("千导") == text.count("千导管日") > 0
    assert text.count("百出院") == text.count("百出院人次") > 0
    assert text.count("例次/") == len(re.findall(r"\d例次/", text)) > 0


def test_dates_do_not_break_inside(rendered):
    """整改情况 wrapped “期限 2025年4月30 | 日” in its narrow column (pypdf gives each line of a
    cell as a line): a date now wraps as a whole."""
    for kind in ("self", "rectification"):
        lines = [line.strip() for page in rendered["text"][kind] for line in page.splitlines()]
        assert not [line for line in lines if re.search(r"\d{4}年\d{1,2}(月(\d{1,2})?)?$", line)], kind
    lines = [line.strip() for page in rendered["text"]["self"] for line in page.splitlines()]
    after = [b for a, b in itertools.pairwise(lines) if a.endswith("期限")]
    assert after and all(re.match(r"\d{4}年\d{1,2}月\d{1,2}日", line) for line in after)


def test_keep_dates_escapes_and_keeps_only_dates_together():
    from app.render.html import keep_dates

    assert keep_dates("<b>整改中，期限 2025年4月30日") == (
        '&lt;b&gt;整改中，<span class="nobreak">期限</span> <span class="nobreak">2025年4月30日</span>'
    )
    assert keep_dates("已完成（逾期8天），病案室") == '已完成（<span class="nobreak">逾期8天</span>），病案室'


def test_keep_units_escapes_and_keeps_only_units_together():
    from app.render.html import keep_units

    assert keep_units("对照值 1.3例次/百出院人次；<b>101/153") == (
        '对照值 <span class="nobreak">1.3例次/</span><span class="nobreak">百出院人次</span>；&lt;b&gt;101/153'
    )


def test_key_figure_labels_stay_on_one_line_above_their_figures(rendered):
    figures = next(page for page in rendered["text"]["self"] if "二、自查结果概况" in page)
    labels = "适用条目 已评条目 完成率 得分率 不符合 指标、抽查达标 整改项"
    assert labels in figures.splitlines()  # “指标、抽查达标” was split as 达 / 标
    assert re.search(r"^\d+ 条 \d+ 条 \d+% [\d.]+% \d+ 条 \d+ 条中 \d+ 条 \d+ 项$", figures, re.M)  # same page


def test_a_not_applicable_reason_reads_as_a_reason(rendered):
    """The demo hospital can give reperfusion therapy, so the branch for those that cannot does not apply."""
    text = squeeze("".join(rendered["text"]["self"]))
    reason = "本院具备静脉溶栓/取栓（再灌注治疗）能力，本条仅适用于不具备再灌注治疗能力的医院"
    assert f"不适用原因：{reason}" in text
    assert "原文" not in text and "仅适用于：" not in text  # no editors' note, no doubled colon


def test_the_method_says_what_the_problem_list_holds_and_names_things_one_way(rendered):
    text = squeeze("".join(rendered["text"]["self"]))
    method = text[text.index("（三）自查方法") : text.index("（四）检查组")]
    problems = text[text.index("五、发现的问题") :]
    assert "C有制度有落实" in problems  # C items chosen for rectification are listed
    assert "评为“D不符合”的评价条目与未达标的指标、抽查条目合计为“不符合”条目" in method
    assert "评为“C有制度有落实”并决定整改的条目" in method and "列入“五、发现的问题”" in method
    assert "整改情况见《医疗质量自查整改报告》" in method and "整改情况见《医疗质量自查整改报告》" in problems
    everything = text + squeeze("".join(rendered["text"]["rectification"]))
    assert "问题清单" not in text and "《整改报告》" not in text and "检查组长" not in everything


def test_the_printed_score_rule_gives_the_printed_scores(rendered):
    """得分率 recomputed from the summary table's grade counts with the points the note states."""
    page = next(p for p in rendered["text"]["self"] if "得分率只计" in p)
    note = squeeze(page[page.index("得分率只计") :])
    points = {code: float(p) for code, p in re.findall(r"([A-D])(\d+)分", note[: note.index("）")])}
    assert points == {"A": 4, "B": 3, "C": 2, "D": 0}
    top = re.search(r"×(\d+)分）×100%", note)
    assert top and float(top.group(1)) == max(points.values())
    header = re.search(r"检查表((?: [A-D])+) 适用 已评", page)
    assert header
    codes = header.group(1).split()
    grades = rf"((?: \d+){{{len(codes)}}})"  # then 适用 已评 完成率 得分率 不符合
    rows = re.findall(rf"^(\S+){grades} \d+ \d+ \d+% ([\d.]+)% \d+$", page, re.M)
    assert [r[0] for r in rows] == ["合计", "核心制度", "改进目标"]
    for label, counts, printed in rows:
        n = dict(zip(codes, map(int, counts.split()), strict=True))
        recomputed = sum(points[c] * n[c] for c in codes) / (sum(n.values()) * max(points.values())) * 100
        assert fixed(recomputed, 1) == printed, label  # half up, as a reader and Excel round
    assert "指标、抽查条目" in note and "不计入得分率" in note


def test_checklists_cite_their_document_by_title_and_number(rendered):
    text = squeeze("".join(rendered["text"]["self"]))
    citation = "《河南省医疗质量千院行活动方案（2021—2025年）》（豫卫医〔2021〕26号）"
    assert text.count(f"依据：{citation}。") == 2  # 核心制度 and 改进目标 come from the one programme
    scope = text[text.index("（二）自查范围") : text.index("（三）自查方法")]
    assert scope.count(citation) == 2
    # why 适用 here is fewer than the 现场检查记录表's “适用的条目” (PDF review)
    assert "“适用”不含按本院基本情况不适用的条目和检查组评为“不适用”的条目" in scope


def test_rectification_report_has_every_department_deadline_and_the_totals(rendered):
    store, round_id = rendered["store"], rendered["round"]
    text = squeeze("".join(rendered["text"]["rectification"]))
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)
    for entry in entries:
        rect = entry.rectification
        assert rect.department in text and cn_date(rect.deadline) in text
    totals = rect_service.totals(entries).by_status
    assert f"逾期{totals['逾期']}项" in text and f"已完成{totals['已完成']}项" in text
    for part in ("检查组组长（签字）", "质控办负责人（签字）", "院长（签字）", "示例县人民医院（盖章）"):
        assert part in text
    assert "（自查稿）" in text  # the demo round is not 定稿: signed as final, it was taken for one


def test_both_reports_end_with_the_same_signatures_and_seal_on_one_page(rendered):
    """The hospital signs and seals the 自查报告 as well: the same roles as the 整改报告's, one markup."""
    roles = {}
    for kind, heading in (("self", "六、审核签字"), ("rectification", "三、审核签字")):
        last = squeeze(rendered["text"][kind][-1])
        assert heading in last and "示例县人民医院（盖章）" in last, kind
        signed = last[last.index(heading) + len(heading) :]
        roles[kind] = re.findall(r"([^：）]+)（签字）：", signed)
        assert signed.count("日期：") == len(roles[kind]), kind
    assert roles["self"] == roles["rectification"] == ["检查组组长", "质控办负责人", "院长"]
    for template in ("self_report.html", "rectification_report.html"):
        assert "（盖章）" not in (ROOT / "reports" / template).read_text(encoding="utf-8"), "shared from base.html"


def test_only_a_failing_result_is_bold(store, demo_round):
    """On a black-and-white printer weight tells what colour cannot: every grade was bold, and
    未填 in bold black outshone D 不符合 on paper (review of the printed reports). The style is
    read from WeasyPrint's own layout of the report."""
    import weasyprint

    from app.render.assets import TEMPLATE_DIR

    html = build_html(store, demo_round, "self", DEMO_REPORT_DATE).html
    document = weasyprint.HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/").render()
    weights: dict[str, set[int]] = {}
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if type(box).__name__ == "TextBox" and element is not None and "r-main" in (element.get("class") or ""):
                weights.setdefault(box.text, set()).add(box.style["font_weight"])
    assert 700 in weights["D"] and 700 in weights["未达标"]
    assert {text: w for text, w in weights.items() if 700 in w and text not in ("D", "未达标")} == {}
    assert {"A", "B", "C", "未填", "达标"} <= weights.keys()


def test_a_deadline_with_two_digit_month_and_day_stays_on_one_line(store, demo_round, actor, tmp_path):
    """整改期限 printed 2026年12月10 | 日 in the landscape ledger (review of the printed reports)."""
    entry = rect_service.list_rectifications(store, demo_round, DEMO_REPORT_DATE)[0]
    rect_service.update_rectification(store, entry.id, actor, deadline="2026-12-10")
    # dated today: a report dated before the day the deadline was moved prints the one that held
    pdf = render_report(store, demo_round, "rectification", tmp_path / "r.pdf", today=dt.date.today()).path
    words = [w[0] for page in range(1, len(pdf_text(pdf)) + 1) for w in _word_boxes(pdf, page)]
    assert "2026年12月10日" in words


@pytest.mark.parametrize("kind", ["self", "rectification"])
def test_the_seal_has_clear_paper_over_the_name_and_date(rendered, kind):
    """A 42 mm round seal goes over the hospital's name and the date (骑年盖月). A dashed circle
    with 盖章处 printed in it showed through the red ink, and a seal over the date left it empty
    (review of the printed reports): nothing is printed in the 30 mm over the name."""
    pdf = rendered["results"][kind].path
    page = len(rendered["text"][kind])
    words = _word_boxes(pdf, page)
    name = next(w for w in words if w[0].endswith("（盖章）"))
    centre, top = (name[1] + name[3]) / 2, name[2]
    mm = 72 / 25.4
    printed = [w for w in words if w[4] - w[2] < 20]  # not the 自查稿 watermark's 96 pt characters
    above = [
        w
        for w in printed
        if w[4] <= top and top - w[4] < 30 * mm and w[3] > centre - 21 * mm and w[1] < centre + 21 * mm
    ]
    assert above == [], kind
    assert "盖章处" not in squeeze(rendered["text"][kind][-1])


def test_fonts_are_embedded_subsetted_cjk_fonts(rendered):
    for result in rendered["results"].values():
        fonts = set()
        for page in pypdf.PdfReader(result.path).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
                descriptor = descendant["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
                fonts.add(str(font["/BaseFont"]))
        assert fonts and all(re.match(r"^/[A-Z]{6}\+", f) for f in fonts), fonts  # subset prefix
        assert all("CJK" in f for f in fonts), fonts


def test_hostile_text_is_printed_literally_and_fetches_nothing(rendered):
    for kind in ("self", "rectification"):
        assert squeeze(HOSTILE) in squeeze("".join(rendered["text"][kind])), kind
        requests = rendered["results"][kind].requests
        assert [r.url for r in requests if not r.served] == []
        assert not any("passwd" in r.url or "example.com" in r.url for r in requests)
        assert all(r.url.endswith("/reports/report.css") or r.url.startswith("attachment:") for r in requests)


def test_attachment_photo_is_served_from_the_round(rendered):
    result = rendered["results"]["rectification"]
    url = f"attachment:{rendered['attachment'].id}"
    assert [r.served for r in result.requests if r.url == url] == [True]
    images = {img.data for page in pypdf.PdfReader(result.path).pages for img in page.images}
    assert len(images) == 1  # WeasyPrint lists the one image in the resources of every page
    assert "整改现场.png" in "".join(rendered["text"]["rectification"])


def test_a_carried_over_rectifications_earlier_photos_are_printed_in_the_recheck_round(rendered, catalog, tmp_path):
    """The photo taken while the work was done in the first round was in neither the 复查轮次's
    整改报告 (signed at closure) nor its workbook: the copy carried over had no attachments."""
    from openpyxl import load_workbook

    store, first = rendered["store"], rendered["round"]
    actor = Actor("测试员", "device-test")
    used = {c.id for c in load_round(store, first).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = rect_service.start_recheck_round(store, chosen, "复查", dt.date(2025, 6, 15), actor, first)
    try:
        copy = next(
            e for e in rect_service.list_rectifications(store, second, DEMO_REPORT_DATE) if HOSTILE_ITEM in e.item_ids
        )
        assert [a.filename for a in rect_service.earlier_evidence(store, copy.rectification)] == ["整改现场.png"]
        result = render_report(store, second, "rectification", tmp_path / "r.pdf", today=DEMO_REPORT_DATE)
        url = f"attachment:{rendered['attachment'].id}"
        assert [r.served for r in result.requests if r.url == url] == [True]
        assert "（上轮）整改现场.png" in squeeze("".join(pdf_text(result.path)))
        from app.render import registry

        book = registry.render(store, second, "rectification", tmp_path / "r.xlsx", today=DEMO_REPORT_DATE).path
        ledger = list(load_workbook(book)["整改台账"].iter_rows(values_only=True))
        column = ledger[0].index("佐证材料")
        assert "（上轮）整改现场.png" in [row[column] for row in ledger[1:]]
    finally:
        from app.services.rounds import delete_round

        delete_round(store, second, actor)  # the module's other tests read the first round alone


# --- the URL fetcher on its own ----------------------------------------------------------------


def test_fetcher_refuses_files_and_network(tmp_path, monkeypatch, caplog):
    import weasyprint

    from app.render.assets import TEMPLATE_DIR
    from app.render.fetcher import ReportFetcher

    def no_network(*args, **kwargs):
        raise AssertionError("network access")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", no_network)  # the stock fetcher is never used
    outside = tmp_path / "secret.png"
    outside.write_bytes(tiny_png())
    hostile = [
        "file:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/y.png",
        outside.as_uri(),
        f"{TEMPLATE_DIR.as_uri()}/../app/cli.py",
        "attachment:not-this-round",
        "data:text/css,body{color:red}",
    ]
    html = (
        f'<link rel="stylesheet" href="{hostile[1]}"><link rel="stylesheet" href="{hostile[6]}">'
        + "".join(f'<img src="{url}">' for url in hostile if url not in (hostile[1], hostile[6]))
        + '<img src="report.css">中文'
    )
    fetcher = ReportFetcher(roots=[TEMPLATE_DIR])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        weasyprint.HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf(
            tmp_path / "x.pdf", stylesheets=[weasyprint.CSS(string=resolve_fonts().css())]
        )
    asked = {r.url: r.served for r in fetcher.requests}
    for url in hostile:
        expected = url.replace("/reports/../app/", "/app/")  # WeasyPrint normalises the path first
        assert asked.get(url, asked.get(expected)) is False, (url, asked)
    assert asked[f"{TEMPLATE_DIR.as_uri()}/report.css"] is True
    assert len(caplog.records) >= len(hostile)  # each refusal is logged by WeasyPrint


# --- fonts, atomic writes, layering --------------------------------------------------------------


def test_missing_fonts_are_reported_before_rendering(tmp_path, monkeypatch, demo_round, store):
    resolve_fonts.cache_clear()
    with pytest.raises(FontMissingError, match=r"未找到中文字体.*fonts-noto-cjk"):
        resolve_fonts(tmp_path, ("No Such Serif",), ("No Such Sans",))

    import app.render as render

    def missing():
        raise FontMissingError("未找到中文字体")

    monkeypatch.setattr(render, "resolve_fonts", missing)
    out = tmp_path / "report.pdf"
    with pytest.raises(FontMissingError):
        render.render_report(store, demo_round, "self", out)
    assert not out.exists()


def test_bundled_fonts_come_first(tmp_path):
    for name in ("NotoSerifSC-Regular.otf", "NotoSerifSC-Bold.otf", "NotoSansSC-Regular.otf"):
        (tmp_path / name).write_bytes(b"font")
    fonts = resolve_fonts(tmp_path)
    assert isinstance(fonts, ReportFonts)
    assert (fonts.body.family, fonts.heading.family) == ("MQSC Serif", "MQSC Sans")
    assert set(fonts.files) == {
        tmp_path / "NotoSerifSC-Regular.otf",
        tmp_path / "NotoSerifSC-Bold.otf",
        tmp_path / "NotoSansSC-Regular.otf",
    }
    assert "@font-face" in fonts.css() and (tmp_path / "NotoSansSC-Regular.otf").as_uri() in fonts.css()


def test_a_failed_render_leaves_the_old_file_untouched(tmp_path, monkeypatch, demo_round, store):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "report.pdf"
    out.write_bytes(b"old report")

    import app.files

    def full_disk(fd):  # the temporary file is written, then the disk is full when it is flushed
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(app.files.os, "fsync", full_disk)
    with pytest.raises(Exception, match="无法保存报告"):
        render_report(store, demo_round, "rectification", out, today=DEMO_REPORT_DATE)
    assert out.read_bytes() == b"old report"
    assert [p.name for p in folder.iterdir()] == ["report.pdf"]  # no half-written temporary left


def test_watermark_only_until_the_round_is_final(store, demo_round, actor):
    html = build_html(store, demo_round, "self", DEMO_REPORT_DATE).html
    assert 'class="watermark"' in html
    set_round_final(store, demo_round, True, actor)
    html = build_html(store, demo_round, "self", DEMO_REPORT_DATE).html
    assert 'class="watermark"' not in html and "（自查稿）" not in html


def test_templates_autoescape_everything(store, demo_round, actor):
    record_answer(store, demo_round, HOSTILE_ITEM, actor, grade="D", finding=HOSTILE)
    for kind in ("self", "rectification"):
        html = build_html(store, demo_round, kind, dt.date(2025, 6, 30)).html
        assert "<script>" not in html and '<img src="file' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chart_labels_are_escaped():
    svg = bar_chart([Bar('<script>x</script>"', 3, "3 条")], maximum=5, font_family='A"B')
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'font-family="A&#34;B"' in svg


def test_trend_charts_name_the_unit_of_their_value_axis():
    from app.render.charts import Line, line_chart

    lines = [Line("指标值", (1.0, 2.3))]
    svg = line_chart(["一", "二"], lines, font_family="A", title="发生率", unit="例次/<千>导管日")
    assert "单位：例次/&lt;千&gt;导管日" in svg and "<千>" not in svg
    assert "单位" not in line_chart(["一", "二"], lines, font_family="A", title="发生率")


def test_importing_the_render_package_does_not_import_weasyprint():
    code = "import sys; import app.render, app.render.model, app.render.html; print('weasyprint' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_cli_report(tmp_path, cli):
    db = tmp_path / "demo.db"
    round_id = cli("demo", "--db", str(db)).stdout.strip()
    out = tmp_path / "整改报告.pdf"
    result = cli(
        "report",
        "--db",
        str(db),
        "--round",
        round_id,
        "--kind",
        "rectification",
        "--out",
        str(out),
        "--date",
        "2025-06-30",
    )
    assert result.returncode == 0, result.stderr
    assert "已生成" in result.stdout and out.read_bytes().startswith(b"%PDF")
    bad = cli("report", "--db", str(db), "--round", "nope", "--kind", "self", "--out", str(tmp_path / "x.pdf"))
    assert bad.returncode == 1 and "找不到自查轮次" in bad.stderr and not (tmp_path / "x.pdf").exists()


def test_a_page_continuing_a_section_names_it_in_its_header(rendered):
    """A page of 三 that starts with the rows of a section whose heading is on an earlier page
    (13.4 under 新技术和新项目准入制度) names that section in its running header, so that a loose
    page says what it is about; the pages after the items tables name none."""
    from app.render.model import build_self_report

    report = build_self_report(rendered["store"], rendered["round"], DEMO_REPORT_DATE, "serif")
    blocks = [block for result in report.results for block in result.sections]
    section_of = {row.number: block.running for block in blocks for row in block.items}
    hospital = squeeze(report.cover.header_name)
    continuing = 0
    for n, page in enumerate(rendered["text"]["self"]):
        text = squeeze(page)
        # the margin boxes come last in the page's text: 医院, section, 报告名称, then the footer
        header = text[text.rindex(hospital) + len(hospital) : text.rindex("医疗质量自查报告")]
        # a page that starts with the items table's repeated header, then an item (not a heading)
        first = re.match(r"(?:自查稿)?编号检查内容结果问题描述/佐证材料(\d+(?:\.\d+)+)", text)
        if first:
            continuing += 1
            assert header == squeeze(section_of[first.group(1)]), f"page {n + 1} starts with {first.group(1)}"
        elif "四、指标完成情况" in text or "六、审核签字" in text:
            assert header == "", f"page {n + 1} names a section of 三 in its header"
    assert continuing >= 5  # the demo's items run over many pages


@pytest.mark.parametrize(("kind", "header"), [("self", "检查内容"), ("rectification", "原因分析")])
def test_a_row_longer_than_a_page_continues_under_the_header(tmp_path, catalog, kind, header):
    """Users may write 2,000 characters of 原因分析 or a 20,000-character finding: such a row
    continues on the next page under the repeated header, with no blank page before it."""
    store = open_store(tmp_path / "demo.db")
    actor = Actor("测试员", "device-test")
    round_id = create_demo(store, catalog, actor)
    first = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)[0]
    rect_service.update_rectification(store, first.id, actor, cause="原因分析很长。" * 80)
    record_answer(store, round_id, "qyx-core.02.1", actor, finding="问题描述很长，" * 160)
    pages = pdf_text(render_report(store, round_id, kind, tmp_path / f"{kind}.pdf", today=DEMO_REPORT_DATE).path)
    store.close()
    table_pages = [n for n, text in enumerate(pages) if "很长" in text]
    assert any(n + 1 in table_pages for n in table_pages)  # the long rows do run over pages
    for n in table_pages:
        assert header in pages[n], f"page {n + 1} continues the table without its header"
    # (the self-report prints the finding twice, in 三 and 五: other sections lie between them)
    for n in range(table_pages[0], table_pages[-1] + 1):
        assert len(squeeze(pages[n])) > 300, f"page {n + 1} is nearly blank"


def test_a_report_that_cannot_be_saved_says_why_in_chinese(tmp_path, demo_round, store):
    from app.errors import AppError

    folder = tmp_path / "报告.pdf"
    folder.mkdir()  # the chosen file name is taken by a folder
    with pytest.raises(AppError, match="这是一个文件夹"):
        render_report(store, demo_round, "rectification", folder, today=DEMO_REPORT_DATE)


def test_problems_that_share_a_rectification_say_how_many_rectifications_they_make(profiled_store, catalog, actor):
    """五 counted 9 problems, the 整改报告 7 rectifications, and nothing said why: items of one
    requirement in two checklists share a rectification (review, reports 3)."""
    from app.services.rounds import start_round

    store = profiled_store
    entries = [catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")]
    round_id = start_round(store, entries, "一季度", dt.date(2025, 3, 15), actor)
    for item in ("qyx-targets-2021.1.3.2", "nat-quality-2023.t08.5"):  # MDT in both plans
        record_answer(store, round_id, item, actor, grade="D", finding="未建立MDT制度")
    record_answer(store, round_id, "qyx-targets-2021.1.1.1", actor, grade="D", finding="未设专职人员")
    html = squeeze(re.sub(r"<[^>]+>", "", build_html(store, round_id, "self", DEMO_REPORT_DATE).html))
    assert len(rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)) == 2
    assert "本轮自查共发现问题3项（同一要求的问题合用一个整改项，共形成整改项2项）" in html
    # one problem to each rectification: nothing to explain
    record_answer(store, round_id, "nat-quality-2023.t08.5", actor, grade="A")
    html = squeeze(re.sub(r"<[^>]+>", "", build_html(store, round_id, "self", DEMO_REPORT_DATE).html))
    assert "本轮自查共发现问题2项，整改情况见" in html


def test_a_value_and_its_fraction_break_before_the_bracket_not_the_comma(profiled_store, catalog, actor, tmp_path):
    """“指标值 7.501‰（7501/1000000），未达到目标 ≤7.5‰” printed 指标值 alone on a line, then the
    value and its fraction, then a line that began with the comma: the value and its fraction
    could not break, and were then broken anywhere (review, reports 5)."""
    from app.services.answers import record_answer
    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, [catalog.get("hn-7measures-2024")], "二季度", dt.date(2025, 5, 10), actor)
    record_answer(store, round_id, "hn-7measures-2024.2.09", actor, numerator=7501, denominator=1000000)
    for kind in ("self", "rectification"):
        pdf = render_report(store, round_id, kind, tmp_path / f"{kind}.pdf", today=DEMO_REPORT_DATE).path
        pages = len(pypdf.PdfReader(pdf).pages)
        words = [(page, *box) for page in range(1, pages + 1) for box in _word_boxes(pdf, page)]
        assert not [w for _, w, *_ in words if w.startswith(("，", "）"))], kind
        for page, word, x0, y0, _x1, _y1 in words:
            if word == "指标值":  # the value follows on its line
                assert [w for p, w, x, y, *_ in words if p == page and abs(y - y0) < 1 and x > x0], kind


def test_the_rectification_report_of_a_draft_round_says_it_is_a_draft(store, demo_round, actor, tmp_path):
    """The 自查报告 of a round not yet 定稿 says 自查稿 on its cover and across each page; its
    整改报告 said nothing, signature lines and all, and could be signed and sealed as final
    (review, reports 7)."""
    pdf = render_report(store, demo_round, "rectification", tmp_path / "draft.pdf", today=DEMO_REPORT_DATE).path
    pages = pdf_text(pdf)
    assert "（自查稿）" in pages[0] and all("自查稿" in squeeze(page) for page in pages)
    set_round_final(store, demo_round, True, actor)
    final = pdf_text(
        render_report(store, demo_round, "rectification", tmp_path / "final.pdf", today=DEMO_REPORT_DATE).path
    )
    assert not [page for page in final if "自查稿" in squeeze(page)]


def test_bar_colours_print_dark_to_light_as_results_go_from_bad_to_good(rendered):
    """The blue of 达标 and the red of 不符合 printed as the same dark grey: a 100 % bar looked
    like a 25 % one on a black-and-white printer (review of the printed reports)."""
    from app.render.charts import COLOURS, TONE_KEY

    def grey(colour: str) -> float:  # the luminance a printer turns the colour into, 0–1
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert grey(COLOURS["fail"]) < 0.3 < grey(COLOURS["warn"]) < 0.55 < min(grey(COLOURS[t]) for t in ("ok", "good"))
    assert squeeze(TONE_KEY) in squeeze("".join(rendered["text"]["self"]))


def test_an_authors_long_number_may_break_where_a_spelt_out_one_stays_whole():
    """keep_number kept everything from the first Chinese character together: an author's
    第一章第二节第三条12 ran over the next column (second diff review)."""
    from app.render.html import keep_number

    assert 'class="nobreak">专项1.1<' in str(keep_number("5-1.专项1.1"))
    assert 'class="nobreak">指标14a<' in str(keep_number("指标14a"))
    assert "nobreak" not in str(keep_number("第一章第二节第三条12")) and "nobreak" not in str(keep_number("一（一）1"))


def test_an_open_rectification_without_a_deadline_is_marked_undecided(store, catalog, actor, tmp_path):
    """A new rectification with no 责任科室, 责任人 or 整改期限 printed blank cells, is never 逾期,
    and nothing said so before the 院长 signed (rectification review)."""
    round_id = create_demo(store, catalog, actor)
    taken = {i for e in rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE) for i in e.item_ids}
    item = next(i.id for c in load_round(store, round_id).checklists for i in c.all_items() if i.id not in taken)
    record_answer(store, round_id, item, actor, grade="D", finding="新发现的问题")
    [entry] = [e for e in rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE) if item in e.item_ids]
    assert entry.rectification.deadline is None
    text = squeeze("".join(pdf_text(render_report(store, round_id, "rectification", tmp_path / "r.pdf").path)))
    assert "其中1项尚未确定整改期限（表中为“未定”），没有期限就不会显示为逾期，请确定后再签字。" in text
    row = text[text.index("新发现的问题") :][:200]
    assert row.count("未定") >= 2, row  # 责任人 and 整改期限 (责任科室 may come from the item)


def test_a_moved_deadline_is_printed_in_the_ledger(store, catalog, actor, tmp_path):
    """The 整改报告 an inspector reads says a deadline was moved, and when (rectification review)."""
    round_id = create_demo(store, catalog, actor)
    entry = next(
        e for e in rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE) if e.rectification.deadline
    )
    old = entry.rectification.deadline
    rect_service.update_rectification(store, entry.id, actor, deadline=old + dt.timedelta(days=61))
    today = dt.date.today()
    text = squeeze(
        "".join(pdf_text(render_report(store, round_id, "rectification", tmp_path / "r.pdf", today=today).path))
    )
    assert f"{cn_date(today)}，整改期限由{cn_date(old)}延至{cn_date(old + dt.timedelta(days=61))}" in text


def test_a_rectification_closed_after_its_deadline_is_told_late(rendered):
    """A re-check passed 8 days after the deadline printed 已完成 as one on time, and the office
    asked for its 按期完成 count had none (rectification review)."""
    entries = rect_service.list_rectifications(rendered["store"], rendered["round"], DEMO_REPORT_DATE)
    done = [e for e in entries if e.status == "已完成"]
    late = [e for e in done if e.days_late]
    assert late, "the demo closes some after their deadline"
    assert len(late) < len(done), "and some on time: a demo with 按期完成 0 looked like a defect"
    text = squeeze("".join(rendered["text"]["rectification"]))
    assert f"已完成的{len(done)}项中，按期完成{len(done) - len(late)}项，逾期完成{len(late)}项" in text
    first = late[0].rectification
    assert late[0].days_late == (first.recheck_date - first.deadline).days > 0
    assert f"已完成逾期{late[0].days_late}天" in text
    # and the 自查报告's 整改情况 says it too: a plain 已完成 there (numbers review)
    assert f"已完成（逾期{late[0].days_late}天）" in squeeze("".join(rendered["text"]["self"]))


def test_a_recheck_rounds_report_lists_the_rectifications_of_checklists_it_left_out(
    store, demo_round, catalog, tmp_path
):
    """A 复查轮次 of 核心制度 only said “另有上轮转入的整改项 6 项” of 10 carried over and listed
    none of 改进目标's 4 anywhere, though it counted them and the 整改报告 listed all 10
    (numbers review). They are listed last, as not checked this round."""
    from app.render.model import NOT_CHECKED
    from app.services.rectifications import start_recheck_round

    actor = Actor("质控办", "pc")
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    second = start_recheck_round(store, core, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    day = dt.date(2025, 7, 2)
    rects = rect_service.list_rectifications(store, second, day)
    others = [e for e in rects if not e.rectification.item_id.startswith("qyx-core.")]
    assert others, "the demo has open 改进目标 rectifications"
    text = squeeze("".join(pdf_text(render_report(store, second, "self", tmp_path / "r.pdf", today=day).path)))
    from app.services.rounds import references

    named = references(store, load_round(store, second))
    for entry in others:
        assert squeeze(named[entry.rectification.item_id]) in text
        assert squeeze(entry.rectification.problem)[:20] in text
    assert f"{len(others)}项的条目不在本轮选用的检查表中" in text and NOT_CHECKED in text

"""整改通知单 (app/render/rectification_notice.py): one notice per 责任科室 with its unfinished
rectifications, from a real database, the PDF read back as text."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pypdf
import pytest

from app.domain.records import UNFINISHED_STATUSES
from app.render.rectification_notice import NOTICE_TITLE, build_rectification_notice
from app.services import rectifications as rect_service
from app.services.answers import record_answer
from app.services.demo import DEMO_REPORT_DATE
from app.services.rounds import load_round, start_round
from tests.conftest import ROOT
from tests.helpers import offline_prefix
from tests.test_reports import squeeze

HOSTILE = "<b>外科</b>&amp;{{1}}"


@pytest.fixture
def notice_round(store, catalog, actor, demo_round):
    """The demo round with one rectification sent to a department named in HTML, and one with no
    department at all."""
    view = load_round(store, demo_round)
    entries = rect_service.list_rectifications(store, demo_round, DEMO_REPORT_DATE, view)
    hostile = next(e for e in entries if e.status in UNFINISHED_STATUSES)
    rect_service.update_rectification(
        store, hostile.id, actor, department=HOSTILE, problem="<script>制度未落实</script>"
    )
    unanswered = next(i for i in view.items() if i.kind == "judgement" and store.answer(demo_round, i.id) is None)
    record_answer(store, demo_round, unanswered.id, actor, grade="D", finding="未见记录")
    return demo_round


def test_each_department_gets_its_own_open_rectifications(store, notice_round):
    round_id = notice_round
    notice = build_rectification_notice(store, round_id, DEMO_REPORT_DATE, "serif")
    view = load_round(store, round_id)
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE, view)
    open_by_department: dict[str, list[str]] = {}
    for e in entries:
        if e.status in ("待整改", "整改中", "逾期"):  # spelt out: not the code's own list
            open_by_department.setdefault(e.rectification.department, []).append(e.rectification.problem)
    sent = {n.department: [row.problem for row in n.rows] for n in notice.notices}
    assert sent == {d: problems for d, problems in open_by_department.items() if d}
    assert {e.status for e in entries} >= {"已完成", "逾期"}  # some left out, some sent
    # those with no department are the office's, not sent: listed apart, with what to do
    assert notice.undecided is not None and [r.problem for r in notice.undecided.rows] == open_by_department[""]
    assert "未见记录" in open_by_department[""]
    assert "请在整改台账中确定责任科室" in notice.undecided.intro
    # departments in the profile's order: the office's own list
    order = [d for d in view.profile.departments if d in sent]
    assert [n.department for n in notice.notices][: len(order)] == order
    # each row says what its items ask, in the checklist's words
    for n in notice.notices:
        mine = [
            e
            for e in entries
            if e.rectification.department == n.department and e.status in ("待整改", "整改中", "逾期")
        ]
        for row, e in zip(n.rows, mine, strict=True):
            wanted = tuple(view.find_item(i)[1].text for i in e.item_ids)
            assert row.requirements == wanted and all(wanted)
            # the 整改台账's number, by which a notice returned is matched to its row
            assert row.ledger_number == entries.index(e) + 1
    # a deadline passed is said on the row
    assert any(row.remark.startswith("已逾期，\n请立即整改") for n in notice.notices for row in n.rows)


def test_the_pdf_gives_each_department_its_own_pages(store, notice_round, actor, tmp_path):
    """Made by the CLI in a process of its own, with no network where unshare is permitted."""
    round_id = notice_round
    # a department with three open rows: the notice that used to run onto a second page
    today = dt.date.today()
    open_ones = [e for e in rect_service.list_rectifications(store, round_id, today) if e.status in UNFINISHED_STATUSES]
    by_department: dict[str, list] = {}
    for e in open_ones:
        by_department.setdefault(e.rectification.department, []).append(e)
    busiest = max((d for d in by_department if d and d != HOSTILE), key=lambda d: len(by_department[d]))
    others = [e for e in open_ones if e.rectification.department not in (busiest, HOSTILE, "")]
    for e in others[: 3 - len(by_department[busiest])]:
        rect_service.update_rectification(store, e.id, actor, department=busiest)
    first = build_rectification_notice(store, round_id, today, "serif").notices[0].rows[0]
    store.close()
    out = tmp_path / "整改通知单.pdf"
    command = ["main.py", "report", "--db", str(store.path), "--round", round_id, "--kind", "notice", "--out", str(out)]
    result = subprocess.run(
        [*offline_prefix(), sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    pages = [page.extract_text() for page in pypdf.PdfReader(out).pages]
    starts = [n for n, page in enumerate(pages) if "致：" in page]
    assert len(starts) >= 5 and starts[0] == 0
    assert all(page.count("致：") <= 1 for page in pages)  # one department to a page
    text = squeeze("".join(pages))
    assert NOTICE_TITLE in text and "原因分析（科室填写）" in text
    assert re.search("以上共3项", text)  # the case a notice used to run onto a second page for
    assert "条目及要求" in text and squeeze(first.requirements[0]) in text
    # each row is re-checked on its own, and names its row of the 整改台账
    sent = text[: text.index("尚未确定责任科室的整改项")]
    assert sent.count("□通过□未通过") == sum(int(m) for m in re.findall(r"以上共(\d+)项", sent))
    assert f"台账{first.ledger_number}" in text
    assert all(
        role in text for role in ("质控办签发人（签字）", "科室签收人（签字）", "科室负责人（签字）", "复查人（签字）")
    )
    # the batch's page numbers meant nothing to a department handed three pages: none are printed
    assert not any(re.search(r"第\d+页共\d+页", squeeze(page)) for page in pages)
    assert f"致：{HOSTILE}" in text and "<script>制度未落实</script>" in text  # as typed, never markup
    assert "尚未确定责任科室的整改项" in text and "自查稿" not in text
    # every loose page names the department it went to
    for start, end in zip(starts, [*starts[1:], len(pages)], strict=True):
        department = pages[start].split("致：", 1)[1].split()[0]
        assert all(f"致{department}" in squeeze(page) for page in pages[start:end] if "尚未确定" not in page)
        # the count closes the notice, with its lines to sign, on the page of its last row
        closing = next(n for n in range(start, end) if "以上共" in pages[n])
        assert "科室签收人" in pages[closing] and "序号" in pages[closing]  # a row of the table above it
        # up to three rows of the board's usual length and the foot fit under the title: one page
        if re.search("以上共[123]项", squeeze(pages[closing])):
            assert closing == start, department


def test_nothing_to_put_right_says_so(store, catalog, actor, demo_round):
    round_id = start_round(store, catalog.entries[:1], "二季度", dt.date(2025, 6, 1), actor)
    notice = build_rectification_notice(store, round_id, dt.date(2025, 6, 30), "serif")
    assert notice.notices == [] and notice.undecided is None
    assert notice.nothing == "截至2025年6月30日，本轮没有尚未完成的整改项，无需发出整改通知。"


def test_the_menu_makes_the_notices_and_previews_them(qtbot, demo_window, ui_dialogs, tmp_path):
    window = demo_window
    assert "生成整改通知单 PDF(&N)…" in [a.text() for a in window.report_menu.actions()]
    out = tmp_path / "整改通知单.pdf"
    ui_dialogs.save_path = str(out)
    window.generate_report("notice")
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=60_000)
    assert ui_dialogs.previewed == [out] and ui_dialogs.preview_notes == [""]  # no 自查稿 to explain
    assert NOTICE_TITLE in "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)


def test_a_notice_tells_what_happened_so_far(store, catalog, actor, demo_round):
    """A failed re-check and the items carried into a 复查轮次: the department sees the history, and
    the first round says where its open items went (it said 无需发出 with ten carried on)."""
    from tests.helpers import start_recheck_of_demo

    first = build_rectification_notice(store, demo_round, DEMO_REPORT_DATE, "serif")
    rows = [row for n in first.notices for row in n.rows]
    assert any("复查未通过" in row.history for row in rows)  # the demo's failed re-check
    second = start_recheck_of_demo(store, catalog, actor, demo_round)
    later = dt.date(2025, 6, 30)
    carried = build_rectification_notice(store, demo_round, later, "serif")
    assert carried.notices == [] and "已转入复查轮次《2025年第二季度医疗质量自查》" in carried.nothing
    assert "请在该轮次中生成整改通知单" in carried.nothing
    rows = [row for n in build_rectification_notice(store, second, later, "serif").notices for row in n.rows]
    assert any("上轮转入" in row.remark for row in rows)
    assert any("本轮复评已无问题，请配合复查销号" in row.remark for row in rows)  # re-graded B in the 复查轮次

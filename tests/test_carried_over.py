"""已转入复查: round A's rectifications after a 复查轮次 B carried them over, in everything that
shows A — its 整改报告 and 自查报告 (real PDFs, read back), its Excel ledger, its upload package
(verified, imported) and the health commission's summary of A's and B's packages.

Before, A went on calling them 逾期 or 待整改/整改中 for ever, and a summary of both packages
counted each problem twice, as open (and late) in A and in B.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from types import SimpleNamespace

import jsonschema
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.domain.formats import cn_date
from app.domain.records import STATUS_CARRIED, STATUS_DONE, STATUS_OVERDUE, UNFINISHED_STATUSES
from app.exchange import format as fmt
from app.exchange.aggregate import aggregate, facts_row, write_outputs
from app.exchange.export import export_package
from app.exchange.merge import apply_import, plan_import
from app.exchange.verify import open_package
from app.render import registry, render_report
from app.services.demo import DEMO_REPORT_DATE, create_demo
from app.services.rectifications import list_rectifications, totals
from app.store import Actor, open_store
from tests.helpers import start_recheck_of_demo
from tests.package_tools import members, relisted, rezip

DAY = DEMO_REPORT_DATE
B_BEGAN = dt.date(2025, 6, 15)  # B's 自查日期 (tests/helpers.py)
B_NAME = "2025年第二季度医疗质量自查"  # the re-check round tests/helpers.py starts


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    return squeeze("".join(page.extract_text() for page in PdfReader(path).pages))


@pytest.fixture(scope="module")
def rounds(tmp_path_factory, catalog):
    """The demo round A (some of its rectifications 逾期 on DAY), then B carrying A's open ones
    over; A's two reports and both rounds' packages made once (rendering takes seconds)."""
    folder = tmp_path_factory.mktemp("carried")
    store = open_store(folder / "demo.db")
    actor = Actor("测试员", "device-test")
    first = create_demo(store, catalog, actor)
    before = {e.id: e.status for e in list_rectifications(store, first, DAY)}
    eve = {e.id: e.status for e in list_rectifications(store, first, B_BEGAN - dt.timedelta(days=1))}
    second = start_recheck_of_demo(store, catalog, actor, first)
    reports = {k: render_report(store, first, k, folder / f"A-{k}.pdf", today=DAY) for k in ("self", "rectification")}
    packages = {
        name: export_package(store, rid, folder / f"{name}.zip", attachments=False, today=DAY).path
        for name, rid in (("A", first), ("B", second))
    }
    yield SimpleNamespace(
        store=store,
        first=first,
        second=second,
        before=before,
        eve=eve,
        reports=reports,
        text={k: pdf_text(r.path) for k, r in reports.items()},
        packages=packages,
        folder=folder,
    )
    store.close()


def _carried(before: dict[str, str]) -> set[str]:
    return {rid for rid, status in before.items() if status != STATUS_DONE}


def test_the_scene(rounds):
    """A had late work, and B carried every open rectification of A over."""
    assert STATUS_OVERDUE in rounds.before.values()
    copies = {r.carried_from for r in rounds.store.rectifications(rounds.second) if r.carried_from}
    assert copies == _carried(rounds.before)
    entries = list_rectifications(rounds.store, rounds.first, DAY)
    assert {e.id for e in entries if e.status == STATUS_CARRIED} == copies
    assert all(e.carried_to == (B_NAME,) for e in entries if e.status == STATUS_CARRIED)


def test_a_report_of_a_dated_before_b_began_shows_a_as_it_stood(rounds, tmp_path):
    """B did not exist yet on the eve of its 自查日期: a report of A dated then says nothing of it."""
    eve = B_BEGAN - dt.timedelta(days=1)
    entries = list_rectifications(rounds.store, rounds.first, eve)
    assert {e.id: e.status for e in entries} == rounds.eve
    assert all(not e.carried_to for e in entries)
    text = pdf_text(render_report(rounds.store, rounds.first, "rectification", tmp_path / "eve.pdf", today=eve).path)
    assert "已转入" not in text and B_NAME not in text
    late = sum(s == STATUS_OVERDUE for s in rounds.eve.values())
    assert late and f"逾期{late}项" in text  # what was late then is late in it
    # on B's 自查日期 the rectifications are B's to follow up
    on_the_day = list_rectifications(rounds.store, rounds.first, B_BEGAN)
    assert sum(e.status == STATUS_CARRIED for e in on_the_day) == len(_carried(rounds.before))


def test_the_rectification_report_of_a_says_where_its_work_went(rounds):
    result = rounds.reports["rectification"]
    assert result.warnings == ()
    text = rounds.text["rectification"]
    carried = len(_carried(rounds.before))
    done = sum(1 for s in rounds.before.values() if s == STATUS_DONE)
    total = len(rounds.before)
    overview, ledger = text.split("二、整改台账")
    assert f"待整改0项，整改中0项，已完成{done}项，逾期0项，已转入复查{carried}项" in overview
    assert (
        f"已转入复查的{carried}项在《{B_NAME}》中继续整改和复查，计入该轮的整改完成率，不再计为本轮未完成或逾期"
        in overview
    )
    # the rate of the work followed up here: B's rate holds the carried-over ones, counted once
    assert (
        f"本轮跟踪项的整改完成率{round(done / (total - carried) * 100, 1)}%"
        f"（已完成{done}项÷本轮跟踪的{total - carried}项，不含已转入复查的{carried}项）" in overview
    )
    assert "“已转入复查”（复查情况栏写明转入哪一轮）" in overview  # the legend explains it
    assert "已转入复查合计" in overview  # a column of the department table
    ledger = ledger.split("三、审核签字")[0]
    assert ledger.count("已转入复查") == carried  # each row's status (the column may wrap it)
    assert ledger.count(f"已转入《{B_NAME}》继续跟踪") == carried  # 复查情况 names the round
    assert "逾期" not in re.sub(r"逾期\d+天", "", ledger)  # (逾期N天 under 已完成: closed late, not overdue)


def test_the_self_report_of_a_names_where_its_problems_are_followed_up(rounds):
    text = rounds.text["self"]
    problems = text[text.rindex("五、发现的问题") :]
    carried = len(_carried(rounds.before))
    assert problems.count(f"已转入复查（《{B_NAME}》），") == carried
    assert "逾期，" not in problems


def test_the_status_column_reads_well_in_print(rounds):
    """已转入复查 in the 14 mm status column: whole, or as 已转入 / 复查, never a lone character."""
    pages = [page.extract_text() for page in PdfReader(rounds.reports["rectification"].path).pages]
    lines = [line.strip() for page in pages for line in page.splitlines()]
    assert not any(line in ("查", "复", "入复查", "已转", "已") for line in lines), lines


def test_the_excel_ledger_of_a(rounds, tmp_path):
    out = registry.render(rounds.store, rounds.first, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    ws = load_workbook(out.path)["整改台账"]
    header = [c.value for c in ws[1]]
    status, follow_up = header.index("状态") + 1, header.index("复查情况") + 1
    rows = range(2, ws.max_row + 1)
    statuses = [ws.cell(n, status).value for n in rows]
    assert STATUS_OVERDUE not in statuses
    assert statuses.count(STATUS_CARRIED) == len(_carried(rounds.before))
    fills = {ws.cell(n, status).value: ws.cell(n, status).fill.fgColor.rgb for n in rows}
    assert len(set(fills.values())) == len(fills), "each status has its own colour"
    assert all(
        ws.cell(n, follow_up).value.startswith(f"已转入《{B_NAME}》继续跟踪")
        for n in rows
        if ws.cell(n, status).value == STATUS_CARRIED
    )
    overdue_fill = [n for n in rows if ws.cell(n, 3).fill.fgColor.rgb.endswith("FCE4E4")]
    assert overdue_fill == [], "no row is marked late"


def test_the_package_of_a_says_so_and_verifies(rounds):
    package = open_package(rounds.packages["A"])
    data = package.data
    jsonschema.Draft202012Validator(fmt.schema("data")).validate(data)
    counts = data["results"]["rectifications"]["by_status"]
    assert counts[STATUS_CARRIED] == len(_carried(rounds.before)) and counts[STATUS_OVERDUE] == 0
    assert sum(counts.values()) == data["results"]["rectifications"]["total"] == len(rounds.before)
    assert data["results"]["carried_to"] == {rid: [B_NAME] for rid in _carried(rounds.before)}
    ledger = PdfReader(__import__("io").BytesIO(members(rounds.packages["A"])["整改报告.pdf"])).pages
    assert "已转入复查" in squeeze("".join(p.extract_text() for p in ledger))


def test_the_package_of_b_states_its_totals_on_its_report_date(rounds):
    """data.json's totals are told on the day the package's PDFs and workbook tell them (the
    export's date), not on the day the export ran: B's 整改中 items past their deadline since."""
    entries = list_rectifications(rounds.store, rounds.second, DAY)
    # B has work in hand on DAY whose deadline has passed since: 逾期 if told on the export's day
    assert any(e.status == "整改中" and dt.date.today() > (e.rectification.deadline or DAY) for e in entries)
    package = open_package(rounds.packages["B"])
    results = package.data["results"]
    assert results["status_date"] == DAY.isoformat() == package.manifest["report_date"]
    own = totals(entries).by_status
    assert results["rectifications"]["by_status"] == dict(own)
    report = squeeze(
        "".join(
            p.extract_text()
            for p in PdfReader(__import__("io").BytesIO(members(rounds.packages["B"])["整改报告.pdf"])).pages
        )
    )
    stated = "，".join(f"{s}{n}项" for s, n in own.items() if s != STATUS_CARRIED)
    assert stated in report


def _as_before(path, out):
    """A's package as a program without 已转入复查 made it: no such status, no carried_to."""
    parts = members(path)
    data = json.loads(parts[fmt.DATA])
    results = data["results"]
    del results["carried_to"]
    rect = results["rectifications"]
    rect["by_status"].pop(STATUS_CARRIED)
    for counts in rect["by_department"].values():
        counts.pop(STATUS_CARRIED)
    return rezip(path, relisted({**parts, fmt.DATA: json.dumps(data, ensure_ascii=False).encode()}), out)


def test_the_summary_counts_each_problem_once(rounds, tmp_path):
    """A's carried-over rectifications are neither open nor late in the summary of A's and B's
    packages: the hospital's open and late work is what B follows up, as in its own database."""
    result = aggregate([rounds.packages["A"], rounds.packages["B"]], today=DAY)
    by_round = {r.round_id: facts_row(r) for r in result.rounds}
    a, b = by_round[rounds.first], by_round[rounds.second]
    carried = len(_carried(rounds.before))
    assert (a["未完成"], a["逾期"], a["已转入复查"], a["整改项"]) == (0, 0, carried, len(rounds.before))
    assert a["已完成"] + a["已转入复查"] + a["未完成"] == a["整改项"]
    store = rounds.store
    own = [e for rid in (rounds.first, rounds.second) for e in list_rectifications(store, rid, DAY)]
    assert a["未完成"] + b["未完成"] == sum(1 for e in own if e.status in UNFINISHED_STATUSES)
    assert a["逾期"] + b["逾期"] == sum(1 for e in own if e.status == STATUS_OVERDUE) > 0
    assert b["已转入复查"] == 0
    # A's package alone: nothing shows the follow-up, so its records count as they stand
    alone = facts_row(aggregate([rounds.packages["A"]], today=DAY).rounds[0])
    assert alone["逾期"] == sum(1 for s in rounds.before.values() if s == STATUS_OVERDUE) and alone["已转入复查"] == 0
    # a package made before 已转入复查 existed still verifies, imports and counts the same
    old = _as_before(rounds.packages["A"], tmp_path / "A-old.zip")
    again = aggregate([old, rounds.packages["B"]], today=DAY)
    assert [facts_row(r) | {"上报包": None} for r in again.rounds] == [
        facts_row(r) | {"上报包": None} for r in result.rounds
    ]
    office = open_store(tmp_path / "office.db")
    actor = Actor("质控办", "office")
    assert apply_import(office, plan_import(office, open_package(old)), actor).added > 0
    assert apply_import(office, plan_import(office, open_package(rounds.packages["B"])), actor).added > 0
    statuses = [e.status for e in list_rectifications(office, rounds.first, DAY)]
    assert statuses == [e.status for e in list_rectifications(store, rounds.first, DAY)]
    assert totals(list_rectifications(office, rounds.first, DAY)).by_status[STATUS_CARRIED] == carried
    office.close()


def test_the_summary_outputs_name_the_new_column(rounds, tmp_path):
    result = aggregate([rounds.packages["A"], rounds.packages["B"]], today=DAY)
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总报告.pdf"
    write_outputs(result, xlsx=xlsx, sqlite=db, pdf=pdf)
    sheet = list(load_workbook(xlsx)["医院"].iter_rows(values_only=True))
    header = sheet[0]
    carried = len(_carried(rounds.before))
    assert sorted(row[header.index("已转入复查")] for row in sheet[1:]) == [0, carried]
    conn = sqlite3.connect(db)
    rows = dict(conn.execute("SELECT round_id, carried_rectifications FROM rounds"))
    assert rows == {rounds.first: carried, rounds.second: 0}
    assert conn.execute(
        "SELECT COUNT(*) FROM rectifications WHERE round_id = ? AND status = ?", (rounds.first, STATUS_CARRIED)
    ).fetchone() == (carried,)
    assert conn.execute(
        "SELECT COUNT(*) FROM rectifications WHERE round_id = ? AND status = ?", (rounds.first, STATUS_OVERDUE)
    ).fetchone() == (0,)
    conn.close()
    text = pdf_text(pdf)
    # the table's column; the chart ranks the hospital by its re-check round, where they are open
    assert "已转入复查" in text and f"0（逾期0，已转入复查{carried}）" not in text


def test_two_rounds_of_one_hospital_have_one_bar_its_latest(rounds, tmp_path):
    """The charts rank hospitals by their latest rounds (each once); the table lists both rounds,
    each with its date."""
    from app.domain.formats import rate_text

    result = aggregate([rounds.packages["A"], rounds.packages["B"]], today=DAY)
    pdf = tmp_path / "汇总报告.pdf"
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=pdf)
    text = pdf_text(pdf)
    second = max(result.rounds, key=lambda r: r.started_on)
    for r in result.rounds:
        assert squeeze(f"{r.round_name}（{cn_date(dt.date.fromisoformat(r.started_on))}，未定稿；") in text
        assert squeeze(f"{r.hospital}（{cn_date(dt.date.fromisoformat(r.started_on))}）") not in text
    assert squeeze(f"各医院得分率（各医院最近一轮自查）{second.hospital}{rate_text(second.score)}") in text

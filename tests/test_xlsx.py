"""Excel workbooks, opened with openpyxl (as WPS or Excel would) and checked cell by cell."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from app.cli import main
from app.errors import InputError
from app.render import registry
from app.render.xlsx import ID_COLUMN
from app.services.rectifications import list_rectifications

DAY = dt.date(2025, 6, 30)


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_self_workbook_has_every_item_with_numbers_as_numbers(store, demo_round, tmp_path):
    out = registry.render(store, demo_round, "self", tmp_path / "自查结果.xlsx", today=DAY)
    assert out.format == "xlsx" and out.parts == 3
    book = load_workbook(out.path)
    assert book.sheetnames == ["自查结果", "指标", "说明"]
    ws = book["自查结果"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    rows = _table(ws)
    from app.services.rounds import load_round, score

    view = load_round(store, demo_round)
    outcomes = score(store, demo_round, view).outcomes
    assert len(rows) == len(view.items())
    assert all(r["条目"] and r["出处"] and r["结果"] for r in rows)
    for r, item in zip(rows, view.items(), strict=True):
        outcome = outcomes[item.id]
        if item.kind != "judgement" and outcome.value is not None:
            assert isinstance(r["数值"], float | int), r
            expected = outcome.value / 100 if r["单位"] == "%" else outcome.value
            assert r["数值"] == pytest.approx(expected)
    percent_cells = [c for c in ws["G"][1:] if isinstance(c.value, float) and c.number_format == "0.0%"]
    assert percent_cells, "rates are numbers shown as %, not strings"
    assert ws.column_dimensions["D"].width >= 40, "the item text column fits Chinese text"


def test_indicator_sheet_has_numerator_denominator_rate_and_target(store, demo_round, tmp_path):
    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    rows = _table(load_workbook(out.path)["指标"])
    ratios = [r for r in rows if r["分母"]]
    assert ratios
    for r in ratios:
        if r["单位"] == "%":
            assert r["指标值"] == pytest.approx(r["分子"] / r["分母"])
    assert {r["是否达标"] for r in rows} <= {"达标", "未达标", "待判定", "未填"}


def test_indicator_cells_show_the_precision_the_reports_print(store, demo_round, tmp_path):
    """A cell keeps the full value; its number format shows what the PDF prints (66.0%, 2.33)."""
    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    ws = load_workbook(out.path)["指标"]
    header = [c.value for c in ws[1]]
    value_col, unit_col, previous_col = (header.index(h) for h in ("指标值", "单位", "上一轮"))
    formats = {}
    for row in ws.iter_rows(min_row=2):
        for col in (value_col, previous_col):
            if isinstance(row[col].value, float):
                formats.setdefault(row[unit_col].value, set()).add(row[col].number_format)
    assert formats["%"] == {"0.0%"}
    assert formats["例次/千导管日"] == {"0.00"} and formats["例次/百出院人次"] == {"0.00"}


def test_what_a_trend_indicator_is_judged_against_is_a_number(store, demo_round, tmp_path):
    """逐步提高/降低 is judged against the baseline entered or the previous round: the baseline
    was only in 说明's words (“基线值 38.6%”), so a reviewer could not check 达标 in Excel (review)."""
    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    rows = _table(load_workbook(out.path)["指标"])
    judged = [r for r in rows if r["说明"] and r["说明"].startswith("基线值")]
    assert judged
    for r in judged:
        assert isinstance(r["基线值"], int | float) and not isinstance(r["基线值"], bool)
        against = r["基线值"] * 100 if r["单位"] == "%" else r["基线值"]
        assert r["说明"].startswith(f"基线值 {against:.1f}") or r["单位"] != "%"


def test_a_failing_item_has_the_problem_sentence_of_the_ledger(store, demo_round, tmp_path):
    from app.services.rounds import load_round, score

    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    rows = _table(load_workbook(out.path)["自查结果"])
    view = load_round(store, demo_round)
    outcomes = score(store, demo_round, view).outcomes
    problem = {item.id: r["问题描述"] for r, item in zip(rows, view.items(), strict=True)}
    failing = [e for e in list_rectifications(store, demo_round, DAY) if outcomes[e.item_ids[0]].failing]
    assert len(failing) > 5
    assert [e.rectification.problem for e in failing] == [problem[e.item_ids[0]] for e in failing]
    assert any(p and p.startswith("指标值 2.33例次/千导管日") for p in problem.values())


def test_an_items_evidence_is_in_the_results_sheet_as_the_report_prints_it(store, demo_round, actor, tmp_path):
    """The 自查报告 printed each item's 佐证材料 and attached files; the workbook had neither."""
    from PIL import Image

    from app.services.answers import record_answer
    from app.services.attachments import add_attachment

    scan = tmp_path / "值班表.png"
    Image.new("RGB", (8, 8)).save(scan)
    record_answer(store, demo_round, "qyx-core.05.4", actor, grade="B", evidence="<b>值班表</b>、公示照片")
    add_attachment(store, demo_round, scan, actor, item_id="qyx-core.05.4")
    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    rows = {r[ID_COLUMN]: r for r in _table(load_workbook(out.path)["自查结果"])}
    assert rows["qyx-core.05.4"]["佐证材料"] == "<b>值班表</b>、公示照片；附件：值班表.png"
    assert rows["qyx-core.01.1"]["佐证材料"] == "制度文件、会议记录、培训签到表"  # the demo's, typed


@pytest.mark.parametrize("kind", ["self", "rectification"])
def test_readers_columns_name_items_as_the_reports_do_and_ids_stay_far_right(store, demo_round, tmp_path, kind):
    """The workbooks go into the 上报包: 编号 “1.1.rate” and 条目 “qyx-core.01.1” were ids. A
    reader's columns now hold what the PDFs print; the ids are in the last, technical column."""
    from app.domain.checklist import item_number, item_references
    from app.services.rounds import load_round

    view = load_round(store, demo_round)
    ids = {item.id for item in view.items()}
    checklist_ids = tuple(f"{c.id}." for c in view.checklists)
    book = load_workbook(registry.render(store, demo_round, kind, tmp_path / "x.xlsx", today=DAY).path)
    for ws in book.worksheets[:-1]:  # 说明, last, holds no item
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][-1] == ID_COLUMN, ws.title
        readers = [str(v) for row in rows[1:] for v in row[:-1] if v is not None]
        assert [v for v in readers if v.startswith(checklist_ids) or v.endswith(".rate")] == [], ws.title
        assert all(set(str(row[-1]).split("、")) <= ids for row in rows[1:]), ws.title
        table = _table(ws)
        if "编号" in rows[0]:
            by_id = {item.id: item for item in view.items()}
            assert [r["编号"] for r in table] == [item_number(by_id[r[ID_COLUMN]]) for r in table]
        if "条目" in rows[0] and ws.title == "整改台账":
            references = item_references(view.checklists)
            assert [r["条目"] for r in table] == [
                "、".join(references[i] for i in r[ID_COLUMN].split("、")) for r in table
            ]
            assert "核心制度 首诊负责制度 第1条" in {r["条目"] for r in table}


def test_ledger_workbook_matches_the_ledger_with_status_colours(store, demo_round, tmp_path):
    out = registry.render(store, demo_round, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    ws = load_workbook(out.path)["整改台账"]
    rows = _table(ws)
    entries = list_rectifications(store, demo_round, DAY)
    assert [r["状态"] for r in rows] == [e.status for e in entries]
    assert [r["问题描述"] for r in rows] == [e.rectification.problem or None for e in entries]
    deadlines = [r["整改期限"] for r in rows if r["整改期限"]]
    assert deadlines and all(isinstance(d, dt.datetime) for d in deadlines), "dates are dates"
    column = [c.value for c in ws[1]].index("整改期限") + 1
    shown = {ws.cell(n, column).number_format for n in range(2, ws.max_row + 1) if ws.cell(n, column).value}
    assert shown == {'yyyy"年"m"月"d"日"'}, "shown as the reports write dates"
    assert any("年" in (r["复查情况"] or "") for r in rows) and not any("-0" in (r["复查情况"] or "") for r in rows)
    fills = {}
    for n, entry in enumerate(entries, 2):
        fills.setdefault(entry.status, ws.cell(n, 9).fill.fgColor.rgb)
    assert len(set(fills.values())) == len(fills), "each status has its own colour"
    overdue = [n for n, e in enumerate(entries, 2) if e.status == "逾期"]
    assert overdue and ws.cell(overdue[0], 3).fill.fgColor.rgb.endswith("FCE4E4")


def test_ledger_workbook_counts_the_days_late_beside_a_bare_status(store, demo_round, tmp_path):
    """A close 8 days after its deadline was a plain 已完成 in the workbook, though the board and
    the 整改报告 said 逾期8天: the commission could not count late closes from it."""
    out = registry.render(store, demo_round, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    rows = _table(load_workbook(out.path)["整改台账"])
    entries = list_rectifications(store, demo_round, DAY)
    late_closes = [(r, e) for r, e in zip(rows, entries, strict=True) if e.status == "已完成" and e.days_late]
    overdue = [(r, e) for r, e in zip(rows, entries, strict=True) if e.status == "逾期"]
    assert late_closes and overdue, "the demo has both"
    assert all(r["状态"] == "已完成" and r["逾期天数"] == e.days_late for r, e in late_closes)
    assert all(r["逾期天数"] == (DAY - e.rectification.deadline).days > 0 for r, e in overdue)
    in_time = [r for r, e in zip(rows, entries, strict=True) if e.status not in ("逾期",) and not e.days_late]
    assert in_time and all(r["逾期天数"] is None for r in in_time)


def test_a_printed_or_forwarded_workbook_says_whose_it_is(store, demo_round, actor, tmp_path):
    """自查结果.xlsx named its hospital and round in no cell and on no printed page, printed all
    columns, the program's ids too, about 3 pt high, and showed Excel's “数字以文本形式存储”
    triangle on every 编号 (01.1); the 复查日期 was only inside the 复查情况 sentence."""
    from app.services.rectifications import record_recheck

    entry = list_rectifications(store, demo_round, DAY)[0]
    record_recheck(store, entry.rectification.id, actor, passed=True, date=DAY, by="刘洋", result="已整改")
    out = registry.render(store, demo_round, "self", tmp_path / "自查结果.xlsx", today=DAY).path
    registry.render(store, demo_round, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    book = load_workbook(out)
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}
    assert about["医院名称"] == "示例县人民医院" and about["自查轮次"] == "2025年第一季度医疗质量自查"
    assert about["自查日期"] == dt.datetime(2025, 3, 15)
    assert about["报告日期（判断逾期的日期）"] == dt.datetime(2025, 6, 30)
    assert about["状态"] == "自查稿（尚未定稿）"  # as the PDFs mark it
    # the 自查报告's figures, to check the workbook against the PDF by (review, reports 7)
    # as numbers, shown as the PDF prints them (they were text: “83%”, “13 条”, review)
    assert (about["完成率"], round(about["得分率"], 4), about["不符合"], about["整改项"]) == (0.83, 0.5525, 13, 15)
    formats = {row[0].value: row[1].number_format for row in book["说明"].iter_rows()}
    assert (formats["完成率"], formats["得分率"]) == ("0%", "0.0%")
    assert book["说明"].oddHeader.left.text == "示例县人民医院　2025年第一季度医疗质量自查"
    assert book["说明"].oddFooter.center.text
    assert "完成率" not in {
        row[0] for row in load_workbook(tmp_path / "整改台账.xlsx")["说明"].iter_rows(values_only=True)
    }
    for ws in (book["自查结果"], book["指标"], load_workbook(tmp_path / "整改台账.xlsx")["整改台账"]):
        assert ws.oddHeader.left.text == "示例县人民医院　2025年第一季度医疗质量自查"
        assert ws.oddHeader.right.text == ws.title and ws.oddFooter.center.text == "第 &P 页，共 &N 页"
        last = ws.max_column
        assert ws.cell(1, last).value == ID_COLUMN
        assert ws.print_area.endswith(f"$A$1:${get_column_letter(last - 1)}${ws.max_row}")
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0  # one page wide, as many long as it takes
    with zipfile.ZipFile(out) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<ignoredError sqref="A1:P\d+" numberStoredAsText="1"/>', sheet)
    ledger = _table(load_workbook(tmp_path / "整改台账.xlsx")["整改台账"])
    assert ledger[0]["复查日期"] == dt.datetime(2025, 6, 30) and "复查通过" in ledger[0]["复查情况"]


def test_a_value_just_short_of_its_target_shows_the_decimals_that_tell_it(profiled_store, catalog, actor, tmp_path):
    """89.96% against ≥90% was a cell shown as 90.0% beside 未达标."""
    store = profiled_store
    from app.services.answers import record_answer
    from app.services.rounds import start_round

    item = "nat-quality-2023.sa3.5"
    round_id = start_round(store, [catalog.get("nat-quality-2023")], "行动计划", dt.date(2025, 6, 1), actor)
    record_answer(store, round_id, item, actor, numerator=2249, denominator=2500)
    book = registry.render(store, round_id, "self", tmp_path / "x.xlsx", today=DAY).path
    [row] = [r for r in _table(load_workbook(book)["指标"]) if r[ID_COLUMN] == item]
    ws = load_workbook(book)["指标"]
    column = [c.value for c in ws[1]].index("指标值") + 1
    [cell] = [ws.cell(n, column) for n in range(2, ws.max_row + 1) if ws.cell(n, ws.max_column).value == item]
    assert row["是否达标"] == "未达标" and cell.number_format == "0.00%" and cell.value == pytest.approx(0.8996)


def test_user_text_is_text_never_a_formula(store, demo_round, actor, tmp_path):
    from app.services.answers import record_answer

    record_answer(store, demo_round, "qyx-core.01.1", actor, grade="D", finding='=HYPERLINK("http://x")')
    out = registry.render(store, demo_round, "self", tmp_path / "x.xlsx", today=DAY)
    ws = load_workbook(out.path)["自查结果"]
    cells = [c for c in ws["K"] if c.value == '=HYPERLINK("http://x")']
    assert cells and cells[0].data_type == "s"


def test_format_follows_the_extension_and_unknown_ones_are_refused(store, demo_round, tmp_path, capsys):
    with pytest.raises(InputError, match=r"\.pdf、\.xlsx"):
        registry.render(store, demo_round, "self", tmp_path / "x.docx")
    assert (
        main(
            [
                "report",
                "--db",
                str(store.path),
                "--round",
                demo_round,
                "--kind",
                "rectification",
                "--out",
                str(tmp_path / "台账.xlsx"),
                "--date",
                "2025-06-30",
            ]
        )
        == 0
    )
    assert "2 个工作表" in capsys.readouterr().out
    assert load_workbook(tmp_path / "台账.xlsx").sheetnames == ["整改台账", "说明"]


def _column_width(ws, column: int) -> float:
    """The width Excel gives the column (openpyxl keeps adjacent columns of one width as one)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= column <= d.max)


def test_a_date_column_is_as_wide_as_the_dates_it_shows(store, demo_round, tmp_path):
    """整改期限 shows 2025年4月30日 (13 columns: a CJK character is two) but was measured as
    2025-04-30 (10): the column was 12 wide, and WPS and Excel show a number or date wider than
    its column as ########: in 宋体 10 pt 2025年10月10日 takes about 93 pixels, the column had 89."""
    from app.domain.formats import cn_date
    from app.render.xlsx import _width

    out = registry.render(store, demo_round, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    ws = load_workbook(out.path)["整改台账"]
    column = [c.value for c in ws[1]].index("整改期限") + 1
    dates = [ws.cell(n, column).value for n in range(2, ws.max_row + 1) if ws.cell(n, column).value]
    widest = max(_width(cn_date(d.date())) for d in dates)
    assert widest >= 13 and _column_width(ws, column) >= widest + 2


def test_a_wide_sheet_prints_on_pages_side_by_side_at_a_readable_size(store, demo_round, tmp_path):
    """Fitted to one page wide, 自查结果 printed at 4.4 pt and the summary's 医院 sheet (21
    columns) at 2.5 pt (review, reports 4). A sheet too wide for one page at three quarters of
    its size goes on as many pages side by side, each repeating the columns that name the row."""
    out = registry.render(store, demo_round, "self", tmp_path / "自查结果.xlsx", today=DAY).path
    registry.render(store, demo_round, "rectification", tmp_path / "整改台账.xlsx", today=DAY)
    sheets = [*load_workbook(out).worksheets, load_workbook(tmp_path / "整改台账.xlsx")["整改台账"]]
    split = []
    for ws in sheets:
        if ws.title == "说明":
            continue
        printed = [c.column_letter for c in ws[1]][:-1]  # the program's id column is not printed
        width = sum(ws.column_dimensions[letter].width for letter in printed)
        pages = ws.page_setup.fitToWidth or 1
        assert width / pages <= 200, (ws.title, width, pages)  # ≈ 150 to a page at 100 %
        if pages > 1:
            split.append(ws.title)
            assert ws.print_title_cols and ws.print_title_cols.startswith("$A:"), ws.title
            assert ws.page_setup.pageOrder == "overThenDown", ws.title  # a row's halves together
    assert "自查结果" in split


def test_the_indicator_figure_before_any_result_is_a_dash_not_0_of_0(profiled_store, catalog, actor, tmp_path):
    """A round with no indicator or sampling result said “指标、抽查达标 0 / 0” in the 自查报告's
    结果概况 and the workbook's 说明 (numbers review)."""
    from app.services.rounds import start_round

    round_id = start_round(profiled_store, [catalog.get("qyx-core")], "一季度", dt.date(2025, 3, 15), actor)
    out = registry.render(profiled_store, round_id, "self", tmp_path / "自查结果.xlsx", today=DAY).path
    about = {row[0]: row[1] for row in load_workbook(out)["说明"].iter_rows(values_only=True)}
    assert about["指标、抽查达标"] == "—"

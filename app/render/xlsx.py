"""Excel workbooks (自查结果、整改台账、指标) for staff and commissions who work in WPS or Excel.

Written with XlsxWriter (fast, flat memory); imported only when a workbook is made. Numbers are
numbers (a rate is 0.857 shown as 85.7%, not the text "85.7%"), so that a reviewer can sort,
filter and sum them.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import APP_NAME, __version__
from ..domain.checklist import Item, item_number
from ..domain.evaluation import NA_PROFILE, NA_USER, UNANSWERED, Outcome, problem_sentence
from ..domain.formats import cn_date, earlier_name, measure_decimals
from ..domain.kinds import kind_of
from ..domain.labels import ORIGIN_LABELS
from ..domain.outcome import verdict
from ..domain.records import (
    ORIGIN_CARRIED,
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_OVERDUE,
    STATUS_PENDING,
    Answer,
    days_late,
)
from ..domain.scoring import Tally, completion_percent
from ..files import save_document
from ..store import Store
from .model import evidence_text, key_figures

__all__ = ["ID_COLUMN", "SHEETS", "Sheet", "about_sheet", "measure_cell", "workbook_formats", "write_workbook"]

#: Sheets a workbook can hold, by name
SHEETS = ("自查结果", "指标", "整改台账")

#: status → cell colour (light, so that black text stays readable when printed)
_STATUS_COLOURS = {
    STATUS_DONE: "#D9EAD3",
    STATUS_OVERDUE: "#F4CCCC",
    STATUS_IN_PROGRESS: "#FFF2CC",
    STATUS_PENDING: "#EFEFEF",
    STATUS_CARRIED: "#E4DFEC",  # followed up in a later 复查轮次: neither late nor done here
}
_MAX_WIDTH = 40  # characters of a Latin font; wider columns wrap
#: points a line of the cells' 10-point text takes
_LINE_HEIGHT = 13.5
#: column widths (characters of a Latin font) one A4 landscape page prints at three quarters of
#: their size: ≈150 fit at full size between the margins
_PAGE_WIDTH = 200
#: the columns that name a row, repeated on every page of a sheet printed on pages side by side
_NAMING = ("医院", "编号", "序号")
#: columns a reader glances at rather than reads: narrower, so that a sheet printed one page wide
#: is less small (自查结果 prints at about two thirds of its size)
_NARROW = {"章节": 20, "不适用原因": 20, "出处": 20, "说明": 24, "佐证材料": 20}
#: the last column of every sheet: the checklist items' ids, for programs that join workbooks (a
#: reader goes by 编号 and 条目, as the reports print them); grey, and apart from the rest
ID_COLUMN = "条目标识（程序用）"
#: days past the deadline (see _days_late); blank when in time
LATE_COLUMN = "逾期天数"


@dataclass
class _Round:
    """What the sheets read, gathered once."""

    view: Any
    score: Any
    answers: dict[str, Answer]
    sections: dict[str, str]
    #: 核心制度 四、分级护理制度 第1条: the items as the reports name them
    references: dict[str, str]
    previous: dict[str, float]
    rectifications: list[Any]
    #: the files of each rectification (by id), and of each item (by item id)
    attachments: dict[str, list[str]]
    item_files: dict[str, list[str]]
    today: dt.date

    @property
    def heading(self) -> str:
        """Whose and which round, at the top of every printed page."""
        return f"{self.view.profile.name}　{self.view.name}"


def _gather(store: Store, round_id: str, today: dt.date) -> _Round:
    from ..services.rectifications import earlier_evidence, list_rectifications
    from ..services.rounds import answers_by_item, load_round, previous_values, score
    from ..services.rounds import references as round_references

    view = load_round(store, round_id)
    sections = {}
    for checklist in view.checklists:
        for section in checklist.all_sections():
            for item in section.items:
                sections[item.id] = section.title
    rectifications = list_rectifications(store, round_id, today, view)
    attachments: dict[str, list[str]] = {}
    for entry in rectifications:  # a carried-over one's 佐证材料 from the round before first
        rect = entry.rectification
        if rect.carried_from:
            attachments[rect.id] = [earlier_name(a.filename) for a in earlier_evidence(store, rect)]
    item_files: dict[str, list[str]] = {}
    for a in store.attachments(round_id):
        if a.rectification_id:
            attachments.setdefault(a.rectification_id, []).append(a.filename)
        elif a.item_id:
            item_files.setdefault(a.item_id, []).append(a.filename)
    return _Round(
        view,
        score(store, round_id, view),
        answers_by_item(store, round_id),
        sections,
        round_references(store, view),
        previous_values(store, view),
        rectifications,
        attachments,
        item_files,
        today,
    )


def _width(text: object) -> int:
    """Display width in Latin characters: a CJK character is two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


class Sheet:
    """One table: a bold, frozen header row with filters, and columns as wide as their text.

    Printed, each page says whose it is and which page (``heading``, e.g. the hospital and the
    round: a sheet printed or taken out of its package is otherwise anonymous); the program's
    id column is left out of the print."""

    def __init__(
        self, book: Any, name: str, headers: Sequence[str], formats: dict[str, Any], heading: str = ""
    ) -> None:
        self.ws = book.add_worksheet(name)
        self.name = name
        self.headers = tuple(headers)
        self.heading = heading
        self.printed_columns = len(headers) - (headers[-1] == ID_COLUMN)
        self.formats = formats
        self.widths = [_width(h) + 4 for h in headers]  # + the filter button
        self.caps = [_NARROW.get(h, _MAX_WIDTH) for h in headers]
        #: each row's text widths by column, for its height (set in finish)
        self.texts: list[dict[int, list[int]]] = []
        self.row = 0
        for col, header in enumerate(headers):
            self.ws.write_string(0, col, header, formats["header"])

    def add(self, values: Sequence[Any], cell_formats: Sequence[Any] | None = None, row_format: Any = None) -> None:
        self.row += 1
        self.texts.append(
            {col: [_width(line) for line in v.split("\n")] for col, v in enumerate(values) if isinstance(v, str)}
        )
        for col, value in enumerate(values):
            fmt = (
                cell_formats[col]
                if cell_formats and cell_formats[col] is not None
                else row_format or self.formats["text"]
            )
            if value is None or value == "":
                self.ws.write_blank(self.row, col, None, fmt)
            elif isinstance(value, bool):
                self.ws.write_string(self.row, col, "是" if value else "否", fmt)
            elif isinstance(value, int | float):
                self.ws.write_number(self.row, col, value, fmt)
            elif isinstance(value, dt.datetime):
                self.ws.write_datetime(self.row, col, value, self.formats["time"])
            elif isinstance(value, dt.date):
                self.ws.write_datetime(
                    self.row, col, dt.datetime(value.year, value.month, value.day), self.formats["date"]
                )
            else:
                self.ws.write_string(self.row, col, str(value), fmt)
            shown = f"{value:.4g}" if isinstance(value, float) else value
            if isinstance(value, dt.datetime):
                shown = f"{cn_date(value.date())} {value:%H:%M}"
            elif isinstance(value, dt.date):  # as the cell shows it (2025年12月25日), not 2025-12-25:
                shown = cn_date(value)  # a date wider than its column shows as ########
            self.widths[col] = max(self.widths[col], min(_width(shown) + 2, self.caps[col]))

    def finish(self) -> None:
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        # wrapped text shows in full only in a row as tall as its lines: Excel may fit the height
        # when the file opens, WPS and LibreOffice keep one line and cut the rest
        for row, texts in enumerate(self.texts, 1):
            lines = max(
                (sum(-(-w // max(self.widths[col] - 1, 1)) or 1 for w in widths) for col, widths in texts.items()),
                default=1,
            )
            if lines > 1:
                self.ws.set_row(row, _LINE_HEIGHT * min(lines, 30) + 2)
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(self.row, 1), len(self.widths) - 1)
        # 编号 such as 01.1 and 2.10 are text on purpose (as numbers 2.10 would read 2.1): no
        # “数字以文本形式存储” triangle on each of them in Excel and WPS
        self.ws.ignore_errors({"number_stored_as_text": f"A1:{_column_letter(len(self.widths) - 1)}{self.row + 1}"})
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        self.ws.set_header(f"&L{_header_text(self.heading)}&R{_header_text(self.name)}", {"margin": 0.3})
        self.ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})
        self.ws.print_area(0, 0, max(self.row, 1), self.printed_columns - 1)
        self.ws.repeat_rows(0)
        # one page wide where that prints at three quarters of the size or more; wider sheets go
        # on pages side by side, each repeating the columns that name the row: fitted to one page
        # wide, 自查结果 printed at 4.4 pt and the summary's 医院 sheet at 2.5 pt
        printed = sum(self.widths[: self.printed_columns])
        pages = max(1, math.ceil(printed / _PAGE_WIDTH))
        if pages > 1:
            self.ws.repeat_columns(0, self._naming_columns())
            # a row's pages one after another (over, then down): the default (down, then over)
            # printed every left half of a long sheet before the first right half
            self.ws.print_across()
        self.ws.fit_to_pages(pages, 0)

    def _naming_columns(self) -> int:
        """The last of the leading columns that name a row (医院, 编号 or 序号, and those before
        it), repeated on each page of a sheet printed on pages side by side; else the first."""
        return next((col for col, header in enumerate(self.headers[:3]) if header in _NAMING), 0)


def _column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _header_text(text: str) -> str:
    """User text in a page header: “&” starts a header code, and a header holds 255 characters."""
    return text.replace("&", "&&")[:100]


@dataclass(frozen=True)
class Figure:
    """A number for 说明 in one of ``workbook_formats``' formats (a percentage as a fraction)."""

    value: float
    format: str


def about_sheet(book: Any, formats: dict[str, Any], rows: Sequence[tuple[str, Any]], heading: str = "") -> None:
    """说明: what the workbook is — whose, which round or which packages, as of which day — in
    cells, where a reader who was sent the file alone finds it; numbers as numbers. Printed, it
    is headed as the other sheets are."""
    ws = book.add_worksheet("说明")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    for n, (label, value) in enumerate(rows):
        ws.write_string(n, 0, label, formats["header"])
        if isinstance(value, dt.date):
            ws.write_datetime(n, 1, dt.datetime(value.year, value.month, value.day), formats["date"])
        elif isinstance(value, Figure):
            ws.write_number(n, 1, value.value, formats[value.format])
        elif isinstance(value, int):
            ws.write_number(n, 1, value, formats["number"])
        else:
            ws.write_string(n, 1, str(value), formats["text"])
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    ws.set_header(f"&L{_header_text(heading)}&R说明", {"margin": 0.3})
    ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})


def _figures(tally: Tally, rectifications: int) -> list[tuple[str, Any]]:
    """二 结果概况's figures, labelled and ordered as printed (key_figures), for 说明: counts and
    percentages as numbers, which a reader can sort and sum (the 说明 held “83%” and “114 条” as
    text: review); “14 条中 9 条” stays as printed."""
    numbers: dict[str, Any] = {
        "适用条目": tally.applicable,
        "已评条目": tally.answered,
        "完成率": Figure(completion_percent(tally.completion) / 100, "whole_percent"),
        "不符合": tally.failing,
        "整改项": rectifications,
    }
    if tally.score is not None:
        numbers["得分率"] = Figure(tally.score / 100, "percent")
    return [(label, numbers.get(label, text)) for label, text in key_figures(tally, rectifications)]


def _value_format(formats: dict[str, Any], item: Item, outcome: Outcome) -> tuple[Callable[[float], float], Any]:
    kind = kind_of(item)
    return measure_cell(formats, kind.unit(item), kind.computed(item), outcome.decimals)


def measure_cell(
    formats: dict[str, Any], unit: str, computed: bool, decimals: int | None = None
) -> tuple[Callable[[float], float], Any]:
    """How a measured value is written: the number, shown as the reports show it
    (:func:`app.domain.formats.measure_decimals`): % as a fraction shown as % to 0.1, ‰ with its
    sign to 0.01, a rate in another unit to 0.01; a value entered in another unit (天, 个) is
    rounded to 0.01 and shown as it is. ``decimals``: more, where the value needs them to tell its
    verdict (``Outcome.decimals``: 89.96% against ≥90%), as the reports print it."""
    if decimals is not None:
        shown = formats["more"][unit == "%", unit == "‰", min(decimals, 6)]
        return ((lambda v: v / 100) if unit == "%" else (lambda v: v)), shown
    decimals = measure_decimals(unit, computed)
    if unit == "%":
        return (lambda v: v / 100), formats["percent"]
    if unit == "‰":
        return (lambda v: v), formats["permille"]
    if decimals is None:
        return (lambda v: round(v, 2)), formats["number"]
    return (lambda v: v), formats["decimal"]


def _result_words(outcome: Outcome) -> tuple[str, str]:
    """(结果, 是否达标) of an item."""
    if outcome.state in (NA_PROFILE, NA_USER):
        return "不适用", ""
    if outcome.state == UNANSWERED:
        return "未填", ""
    if outcome.grade is not None:
        return outcome.grade.display, "不符合" if outcome.grade.failing else "符合"
    word = verdict(outcome.state, otherwise="")
    return word, word


def _results_sheet(book: Any, formats: dict[str, Any], r: _Round) -> None:
    sheet = Sheet(
        book,
        "自查结果",
        [
            "检查表",
            "章节",
            "编号",
            "条目",
            "类型",
            "结果",
            "数值",
            "单位",
            "目标",
            "是否达标",
            "问题描述",
            "佐证材料",  # as the 自查报告 prints it: what was typed, then 附件：the files
            "不适用原因",
            "责任科室",
            "出处",
            ID_COLUMN,
        ],
        formats,
        r.heading,
    )
    for checklist in r.view.checklists:
        for item in checklist.all_items():
            outcome = r.score.outcomes[item.id]
            answer = r.answers.get(item.id)
            result, met = _result_words(outcome)
            kind = kind_of(item)
            value, value_format, unit = None, None, ""
            if outcome.value is not None:
                convert, value_format = _value_format(formats, item, outcome)
                value = convert(outcome.value)
                unit = kind.unit(item)
            sheet.add(
                [
                    checklist.label,
                    r.sections.get(item.id, ""),
                    item_number(item),
                    item.text,
                    kind.label,
                    result,
                    value,
                    unit,
                    outcome.target_text,
                    met,
                    problem_sentence(item, outcome, answer, r.view.year)
                    if outcome.failing
                    else (answer.finding if answer else ""),
                    evidence_text(answer, r.item_files.get(item.id, ())),
                    outcome.reason if not outcome.applicable else "",
                    answer.department if answer else "",
                    item.source,
                    item.id,
                ],
                [None] * 6 + [value_format] + [None] * 8 + [formats["id"]],
                formats["fail"] if outcome.failing else None,
            )
    sheet.finish()


def _indicators_sheet(book: Any, formats: dict[str, Any], r: _Round) -> None:
    sheet = Sheet(
        book,
        "指标",
        [
            "检查表",
            "编号",
            "指标",
            "类型",
            "分子",
            "分母",
            "指标值",
            "单位",
            "目标",
            "是否达标",
            "上一轮",
            # what 逐步提高/降低 is judged against, as a number (it was in 说明's words only: review)
            "基线值",
            "说明",
            ID_COLUMN,
        ],
        formats,
        r.heading,
    )
    for checklist in r.view.checklists:
        for item in checklist.all_items():
            kind = kind_of(item)
            if not kind.measured:
                continue
            outcome = r.score.outcomes[item.id]
            if not outcome.applicable:
                continue
            answer = r.answers.get(item.id)
            convert, value_format = _value_format(formats, item, outcome)
            numerator, denominator = kind.counts(item, outcome, answer)
            previous = r.previous.get(item.id)
            sheet.add(
                [
                    checklist.label,
                    item_number(item),
                    item.text,
                    kind.label,
                    numerator,
                    denominator,
                    None if outcome.value is None else convert(outcome.value),
                    kind.unit(item),
                    outcome.target_text,
                    verdict(outcome.state),
                    None if previous is None else convert(previous),
                    None if answer is None or answer.baseline is None else convert(answer.baseline),
                    outcome.reason,
                    item.id,
                ],
                [
                    None,
                    None,
                    None,
                    None,
                    formats["number"],
                    formats["number"],
                    value_format,
                    None,
                    None,
                    None,
                    value_format,
                    value_format,
                    None,
                    formats["id"],
                ],
                formats["fail"] if outcome.failing else None,
            )
    sheet.finish()


def _ledger_sheet(book: Any, formats: dict[str, Any], r: _Round) -> None:
    from ..services.rectifications import follow_up_text, ledger_cells

    sheet = Sheet(
        book,
        "整改台账",
        [
            "序号",
            "条目",
            "问题描述",
            "原因分析",
            "整改措施",
            "责任科室",
            "责任人",
            "整改期限",
            "状态",
            LATE_COLUMN,
            "复查日期",
            "复查情况",
            "佐证材料",
            "来源",
            ID_COLUMN,
        ],
        formats,
        r.heading,
    )
    for n, entry in enumerate(r.rectifications, 1):
        rect = entry.rectification
        status_format = formats["status"][entry.status]
        sheet.add(
            [
                n,
                ledger_cells(entry, r.references)[0],  # 条目 as the 整改报告 and the board name them
                rect.problem,
                rect.cause,
                rect.measure,
                rect.department,
                rect.owner,
                rect.deadline,
                entry.status,
                _days_late(entry, r.today) or None,
                rect.recheck_date,
                follow_up_text(entry),
                "、".join(r.attachments.get(rect.id, [])),
                ORIGIN_LABELS[ORIGIN_CARRIED] if entry.carried else "",
                "、".join(entry.item_ids),
            ],
            [formats["number"]] + [None] * 7 + [status_format, formats["number"]] + [None] * 4 + [formats["id"]],
            formats["overdue"] if entry.status == STATUS_OVERDUE else None,
        )
    sheet.finish()


def _days_late(entry: Any, today: dt.date) -> int:
    """逾期天数: a closed rectification's days past the deadline that held when it closed, an
    overdue one's days past its deadline on the report date. The 状态 column stays the bare
    status, for filtering; the late close was told only in the PDF and on the board."""
    if entry.status == STATUS_OVERDUE:
        return days_late(entry.rectification.deadline, today)
    return int(entry.days_late)


_WRITERS = {"自查结果": _results_sheet, "指标": _indicators_sheet, "整改台账": _ledger_sheet}


def write_workbook(
    store: Store, round_id: str, out: Path, sheets: Sequence[str], *, today: dt.date | None = None, title: str = ""
) -> int:
    """Write a workbook with ``sheets`` (names from SHEETS) and 说明 for the round to ``out``,
    atomically. Returns the number of sheets."""
    today = today or dt.date.today()
    r = _gather(store, round_id, today)
    profile = r.view.profile
    properties = {
        "title": f"{profile.name} {r.view.name} {title}".strip(),
        "company": profile.name,
        "comments": f"{APP_NAME} {__version__} 生成，{today.isoformat()}",
    }

    # the figures of the 自查报告's 结果概况, by which the workbook is checked against the PDF
    figures = _figures(r.score.tally, len(r.rectifications)) if "自查结果" in sheets else []

    def fill(book: Any, formats: dict[str, Any]) -> None:
        for sheet in sheets:
            _WRITERS[sheet](book, formats, r)
        about_sheet(
            book,
            formats,
            [
                ("医院名称", profile.name),
                ("机构代码", profile.code or "（未填写）"),
                ("自查轮次", r.view.name),
                ("自查日期", r.view.started_on),
                ("考核年度", r.view.year),
                # as the PDFs mark it: a workbook of a draft went out as if final
                ("状态", "定稿" if r.view.is_final else "自查稿（尚未定稿）"),
                ("报告日期（判断逾期的日期）", today),
                *figures,
                ("生成程序", f"{APP_NAME} {__version__}"),
            ],
            r.heading,
        )

    save_document(Path(out), workbook_bytes(properties, fill), "工作簿")
    return len(sheets) + 1  # and 说明


def workbook_bytes(properties: dict[str, str], fill: Callable[[Any, dict[str, Any]], None]) -> bytes:
    """A workbook made in memory: ``fill(book, formats)`` adds its sheets. The file is written
    from these bytes by save_document, so a full disk is the OSError it is and is told in
    Chinese: XlsxWriter writing the file itself wraps it in an error of its own and leaves its
    zip open (Python then complains again on exit). A workbook is small (a round's: ≈0.1 MB)."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(buffer, options)
    book.set_properties(properties)
    fill(book, workbook_formats(book))
    book.close()
    return buffer.getvalue()


def workbook_formats(book: Any) -> dict[str, Any]:
    """The cell formats every workbook of the program writes with (the 汇总 too), by name."""
    base = {
        "font_name": "宋体",
        "font_size": 10,
        "valign": "top",
        "text_wrap": True,
        "border": 1,
        "border_color": "#BFBFBF",
    }
    formats: dict[str, Any] = {
        "header": book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "font_name": "黑体"}),
        "text": book.add_format(base),
        "number": book.add_format({**base, "num_format": "General"}),
        "percent": book.add_format({**base, "num_format": "0.0%"}),
        "whole_percent": book.add_format({**base, "num_format": "0%"}),  # 完成率 (scoring.completion_percent)
        "permille": book.add_format({**base, "num_format": '0.00"‰"'}),
        "decimal": book.add_format({**base, "num_format": "0.00"}),
        "date": book.add_format({**base, "num_format": 'yyyy"年"m"月"d"日"'}),  # as formats.cn_date
        "time": book.add_format({**base, "num_format": 'yyyy"年"m"月"d"日" hh:mm'}),  # formats.cn_local_time
        "fail": book.add_format({**base, "font_color": "#9C0006"}),
        "id": book.add_format({**base, "font_name": "Arial", "font_size": 8, "font_color": "#808080"}),
        "overdue": book.add_format({**base, "bg_color": "#FCE4E4"}),
    }
    # (percent, per mille, decimals) → a format with more decimals than the unit's (measure_cell)
    formats["more"] = {
        (percent, permille, n): book.add_format(
            {**base, "num_format": "0." + "0" * n + ("%" if percent else '"‰"' if permille else "")}
        )
        for percent in (True, False)
        for permille in (False, True)
        if not (percent and permille)
        for n in range(1, 7)
    }
    formats["status"] = {
        s: book.add_format({**base, "bg_color": c, "bold": s == STATUS_OVERDUE}) for s, c in _STATUS_COLOURS.items()
    }
    return formats

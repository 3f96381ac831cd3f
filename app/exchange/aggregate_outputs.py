"""The summary's outputs: an Excel workbook, a plain SQLite database and a PDF report with charts.

The SQLite tables are documented in docs/exchange.md so that a commission can query them with
any SQLite tool (or serve them with Datasette).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import APP_NAME, __version__
from ..domain.records import RECTIFICATION_STATUSES
from ..files import save_document
from .aggregate import FACT_COLUMNS, Aggregate, facts_row

_PERCENT_COLUMNS = {"完成率", "得分率", "占比"}


class Percent(float):
    """A rate as a fraction, to be shown as % in its cell (in a column of mixed units)."""


#: bars a summary chart shows at most
CHART_ROWS = 30


def _tables(result: Aggregate) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every sheet of the workbook as (headers, rows)."""
    rounds = [facts_row(r) for r in result.rounds]
    checklist_ids: dict[str, str] = {}
    for r in result.rounds:
        for c in r.checklists:
            checklist_ids.setdefault(c.id, c.title)
    hospital_headers = [*FACT_COLUMNS, *[f"{title}得分率" for title in checklist_ids.values()], "上报包"]
    hospital_rows = []
    for r, row in zip(result.rounds, rounds, strict=True):
        scores = {c.id: c.score for c in r.checklists}
        hospital_rows.append(
            [
                *row.values(),
                *[None if (score := scores.get(i)) is None else score / 100 for i in checklist_ids],
                r.path.name,
            ]
        )
    count = len(result.rounds) or 1
    problems = [
        [item_id, checklist, text, len(hs), len(hs) / count, "、".join(hs)]
        for item_id, checklist, text, hs in result.common_problems()
    ]
    indicators = [
        [
            r.hospital,
            r.round_name,
            i.checklist,
            i.item_id,
            i.text,
            None if i.value is None else Percent(i.value / 100) if i.unit == "%" else i.value,
            i.unit,
            i.target,
            i.state,
        ]
        for r in result.rounds
        for i in r.indicators
    ]
    refused = [[str(b.path), b.reason] for b in result.refused] + [
        [str(p), "已被同一轮更新的上报包取代"] for p in result.replaced
    ]
    return {
        "医院": (hospital_headers, hospital_rows),
        "常见问题": (["条目", "检查表", "内容", "不符合医院数", "占比", "医院"], problems),
        "指标": (["医院", "轮次", "检查表", "条目", "指标", "数值", "单位", "目标", "是否达标"], indicators),
        "未纳入": (["上报包", "原因"], refused),
    }


def write_xlsx(result: Aggregate, out: Path) -> None:
    import xlsxwriter

    from ..render.xlsx import _width

    def write(temporary: Path) -> None:
        book = xlsxwriter.Workbook(
            str(temporary), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        book.set_properties(
            {"title": "医疗质量自查汇总", "comments": f"{APP_NAME} {__version__} 生成，{result.today.isoformat()}"}
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True}
        header = book.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "font_name": "黑体", "border": 1})
        text = book.add_format(base)
        percent = book.add_format({**base, "num_format": "0.0%"})
        number = book.add_format({**base, "num_format": "General"})
        for name, (headers, rows) in _tables(result).items():
            ws = book.add_worksheet(name)
            widths = [_width(h) + 4 for h in headers]
            for col, h in enumerate(headers):
                ws.write_string(0, col, h, header)
            for n, row in enumerate(rows, 1):
                for col, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        ws.write_string(n, col, "是" if value else "否", text)
                    elif isinstance(value, int | float):
                        as_percent = (
                            isinstance(value, Percent)
                            or headers[col] in _PERCENT_COLUMNS
                            or headers[col].endswith("得分率")
                        )
                        fmt = percent if as_percent else number
                        ws.write_number(n, col, value, fmt)
                    else:
                        ws.write_string(n, col, str(value), text)
                        widths[col] = max(widths[col], min(_width(value) + 2, 60))
            for col, w in enumerate(widths):
                ws.set_column(col, col, w)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        book.close()

    save_document(Path(out), write, "汇总工作簿")


SQLITE_SCHEMA = """
CREATE TABLE rounds (
    round_id TEXT PRIMARY KEY, hospital TEXT NOT NULL, code TEXT, level TEXT, type TEXT,
    round_name TEXT, year INTEGER, started_on TEXT, final INTEGER, updated_at TEXT,
    applicable INTEGER, answered INTEGER, completion REAL, score REAL, failing INTEGER,
    rectifications INTEGER, open_rectifications INTEGER, overdue_rectifications INTEGER, package TEXT
);
CREATE TABLE checklist_scores (
    round_id TEXT REFERENCES rounds(round_id), checklist_id TEXT, title TEXT,
    completion REAL, score REAL, failing INTEGER, PRIMARY KEY (round_id, checklist_id)
);
CREATE TABLE item_results (
    round_id TEXT REFERENCES rounds(round_id), item_id TEXT, checklist TEXT, text TEXT,
    state TEXT, grade TEXT, value REAL, failing INTEGER, PRIMARY KEY (round_id, item_id)
);
CREATE TABLE indicators (
    round_id TEXT REFERENCES rounds(round_id), item_id TEXT, checklist TEXT, text TEXT,
    value REAL, unit TEXT, target TEXT, result TEXT, PRIMARY KEY (round_id, item_id)
);
CREATE TABLE rectifications (
    round_id TEXT REFERENCES rounds(round_id), item_id TEXT, department TEXT, deadline TEXT, status TEXT
);
CREATE TABLE refused_packages (package TEXT, reason TEXT);
CREATE TABLE common_problems (
    item_id TEXT PRIMARY KEY, checklist TEXT, text TEXT, hospitals INTEGER, hospital_names TEXT
);
"""


def write_sqlite(result: Aggregate, out: Path) -> None:
    from .aggregate import open_count, overdue_count

    def write(temporary: Path) -> None:
        conn = sqlite3.connect(temporary)
        try:
            with conn:
                conn.executescript(SQLITE_SCHEMA)
                for r in result.rounds:
                    conn.execute(
                        "INSERT INTO rounds VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            r.round_id,
                            r.hospital,
                            r.code,
                            r.level,
                            r.type,
                            r.round_name,
                            r.year,
                            r.started_on,
                            int(r.status == "final"),
                            r.updated_at,
                            r.applicable,
                            r.answered,
                            r.completion,
                            r.score,
                            r.failing,
                            len(r.rectifications),
                            open_count(r),
                            overdue_count(r),
                            r.path.name,
                        ),
                    )
                    conn.executemany(
                        "INSERT INTO checklist_scores VALUES (?,?,?,?,?,?)",
                        [(r.round_id, c.id, c.title, c.completion, c.score, c.failing) for c in r.checklists],
                    )
                    conn.executemany(
                        "INSERT INTO item_results VALUES (?,?,?,?,?,?,?,?)",
                        [
                            (r.round_id, i.item_id, i.checklist, i.text, i.state, i.grade, i.value, int(i.failing))
                            for i in r.items
                        ],
                    )
                    conn.executemany(
                        "INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?)",
                        [
                            (r.round_id, i.item_id, i.checklist, i.text, i.value, i.unit, i.target, i.state)
                            for i in r.indicators
                        ],
                    )
                    conn.executemany(
                        "INSERT INTO rectifications VALUES (?,?,?,?,?)",
                        [(r.round_id, x.item_id, x.department, x.deadline, x.status) for x in r.rectifications],
                    )
                conn.executemany(
                    "INSERT INTO common_problems VALUES (?,?,?,?,?)",
                    [
                        (item_id, checklist, text, len(names), "、".join(names))
                        for item_id, checklist, text, names in result.common_problems()
                    ],
                )
                conn.executemany(
                    "INSERT INTO refused_packages VALUES (?,?)", [(str(b.path), b.reason) for b in result.refused]
                )
        finally:
            conn.close()

    save_document(Path(out), write, "汇总数据库")


@dataclass(frozen=True)
class _Cover:
    title: str
    hospital: Any
    report_date: str
    draft: bool = False
    generator: str = f"{APP_NAME} {__version__}"


@dataclass(frozen=True)
class _Named:
    name: str


@dataclass
class SummaryReport:
    """汇总报告: what the template lays out."""

    cover: _Cover
    overview: str
    score_chart: Markup
    rect_chart: Markup
    hospitals: list[dict[str, Any]]
    problems: list[tuple[str, str, str, list[str]]]
    refused: list[tuple[str, str]]
    statuses: tuple[str, ...] = RECTIFICATION_STATUSES
    kind: str = "aggregate"


def write_pdf(result: Aggregate, out: Path) -> None:
    from ..render import ReportSource, write_report
    from ..render.charts import Bar, bar_chart
    from ..render.fonts import resolve_fonts
    from ..render.html import render_html

    fonts = resolve_fonts()
    today = result.today
    rows = [facts_row(r) for r in result.rounds]
    # a chart of a thousand bars helps no one: the hospitals that need attention, at most 30
    shown = CHART_ROWS
    by_score = sorted((r for r in rows if r["得分率"] is not None), key=lambda r: r["得分率"])[:shown]
    score_bars = [
        Bar(
            r["医院"],
            r["得分率"] * 100,
            f"{r['得分率'] * 100:.1f}",
            "fail" if r["得分率"] < 0.5 else "warn" if r["得分率"] < 0.75 else "ok",
        )
        for r in by_score
    ]
    by_open = sorted(rows, key=lambda r: (-r["未完成"], -r["逾期"]))[:shown]
    rect_bars = [
        Bar(r["医院"], r["未完成"], f"{r['未完成']}（逾期 {r['逾期']}）", "fail" if r["逾期"] else "warn")
        for r in by_open
    ]
    biggest = max([r["未完成"] for r in by_open] + [1])
    many = len(rows) > shown
    problems = result.common_problems()[:30]
    report = SummaryReport(
        _Cover(
            "医疗质量自查汇总报告",
            _Named(f"{len(result.hospitals)} 家医院"),
            f"{today.year}年{today.month}月{today.day}日",
        ),
        f"共读取上报包 {result.read} 个，纳入 {len(result.rounds)} 轮自查（{len(result.hospitals)} 家医院），"
        f"{len(result.replaced)} 个被同一轮更新的包取代，{len(result.refused)} 个未通过校验。",
        bar_chart(
            score_bars,
            maximum=100,
            font_family=fonts.body.family,
            title=f"得分率最低的 {shown} 家医院" if many else "各医院得分率",
        ),
        bar_chart(
            rect_bars,
            maximum=biggest,
            font_family=fonts.body.family,
            title=f"未完成整改项最多的 {shown} 家医院（项）" if many else "各医院未完成的整改项（项）",
        ),
        rows,
        problems,
        [(b.path.name, b.reason) for b in result.refused],
    )
    write_report(ReportSource(render_html(report), {}), Path(out))  # atomic itself

"""The summary's outputs: an Excel workbook, a plain SQLite database and a PDF report with charts.

The SQLite tables are documented in docs/exchange.md so that a commission can query them with
any SQLite tool (or serve them with Datasette).
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import APP_NAME, __version__
from ..domain.formats import cn_date, cn_local_date, local_datetime, open_rectifications_text
from ..domain.records import RECTIFICATION_STATUSES
from ..files import save_document
from ..render.charts import label_ems, label_room
from .aggregate import FACT_COLUMNS, Aggregate, CommonProblem, RoundFacts, facts_row

#: bars a summary chart shows at most
CHART_ROWS = 30
#: what a chart's label fits in, in CJK characters (a Latin letter or digit is 0.55 of one): a
#: longer label is cut by render.charts.bar_chart with “…” — 河南科技大学第一附属医院（洛阳市第一人民医院）开元院区
#: and …景华院区 both read 河南科技大学第一附属医院（洛阳市第一…
LABEL_EMS = int(label_room())
#: of a name shortened in the middle, the characters kept at its end: where a campus or a branch
#: is named (…鸣皋分院, …伊滨院区)
_TAIL = 6
_BRACKETS = re.compile(r"（[^（）()]*）|\([^（）()]*\)")


def _head(text: str, ems: float) -> str:
    """The start of ``text`` that fits in ``ems``."""
    width = 0.0
    for n, ch in enumerate(text):
        width += label_ems(ch)
        if width > ems:
            return text[:n]
    return text


def _shortened(name: str) -> str:
    """``name`` in at most LABEL_EMS: as it is when it fits; else with what its brackets hold
    left out (洛阳市第一人民医院伊滨院区（…）: an alias or the group it belongs to); else its
    start and its last characters around “…” (_cut)."""
    if label_ems(name) <= LABEL_EMS:
        return name
    bracketed = _BRACKETS.sub(lambda m: m.group()[0] + "…" + m.group()[-1], name)
    if label_ems(bracketed) <= LABEL_EMS:
        return bracketed
    return _cut(name, _TAIL)


def _cut(name: str, tail: int) -> str:
    """``name``'s start and its last ``tail`` characters around “…”, in at most LABEL_EMS."""
    end = name[-tail:]
    return _head(name, LABEL_EMS - 1 - label_ems(end)) + "…" + end


def _around(name: str, at: int) -> str:
    """``name``'s start, the characters around its ``at``-th and its last two, each part apart
    by “…”, in at most LABEL_EMS: for names that differ only in the middle."""
    window, end = name[max(at - 2, 0) : at + 4], name[-2:]
    return _head(name, LABEL_EMS - 2 - label_ems(window + end)) + "…" + window + "…" + end


def _first_difference(a: str, b: str) -> int:
    return next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _shapes(alike: list[str]) -> Iterator[Callable[[str], str]]:
    """Ways to shorten names that _shortened made alike, the likelier first: more of their end
    (where a campus or a branch is named), more of their start, the characters around where two
    of them first differ."""
    yield from (partial(_cut, tail=tail) for tail in range(_TAIL + 1, LABEL_EMS - 3))
    yield from (partial(_cut, tail=tail) for tail in range(_TAIL - 1, 0, -1))
    differences = {_first_difference(a, b) for a in alike for b in alike if a < b}
    yield from (partial(_around, at=at) for at in sorted(differences))


def _told_apart(alike: list[str], taken: set[str]) -> dict[str, str]:
    """Labels for ``alike`` that read apart from each other and from ``taken`` (the other
    hospitals' labels): the first of _shapes that shows where they differ, shortening them all
    alike; else (names alike at both ends and in more than one place) each start numbered."""
    for shape in _shapes(alike):
        labels = {name: shape(name) for name in alike}
        if len(set(labels.values())) == len(alike) and not taken & set(labels.values()):
            return labels
    out: dict[str, str] = {}
    for name in alike:
        numbered = (_head(name, LABEL_EMS - label_ems(f"…{n}")) + f"…{n}" for n in count(1))
        out[name] = next(label for label in numbered if label not in taken)
        taken = taken | {out[name]}
    return out


def chart_labels(names: list[str]) -> dict[str, str]:
    """Each hospital's label in the charts, told apart from the others': a name too long for the
    label band is shortened by what tells hospitals apart least (_shortened); long names that
    would still read the same are shortened again together, on the names themselves (what their
    brackets hold may be what tells them apart: 汝阳县人民医院（汝阳县…总医院东院区）), until
    they show where they differ (_told_apart)."""
    labels = {name: _shortened(name) for name in names}
    groups: dict[str, list[str]] = {}
    for name, label in labels.items():
        if label != name:
            groups.setdefault(label, []).append(name)
    for label, alike in groups.items():
        if len(alike) > 1 or label in names:  # (a name that fits reading as a long one's label)
            taken = {text for name, text in labels.items() if name not in alike}
            labels |= _told_apart(alike, taken)
    return labels


def _sheets(
    result: Aggregate, formats: dict[str, Any]
) -> dict[str, tuple[list[str], list[tuple[list[Any], list[Any]]]]]:
    """Every sheet of the workbook: (headers, rows of (values, cell formats)), in the words and
    formats of the program's other workbooks (app/render/xlsx.py): items by the reference and
    编号 the reports print, the ids only in the grey last column for programs; a value shown
    with its unit's decimals; 完成率 as the program rounds it; dates as dates."""
    from ..domain.scoring import completion_percent
    from ..render.xlsx import ID_COLUMN, measure_cell

    percent, whole, text, number = formats["percent"], formats["whole_percent"], None, formats["number"]
    checklists: dict[str, str] = {}
    for r in result.rounds:
        for c in r.checklists:
            checklists.setdefault(c.id, c.title)
    hospital_headers = [*FACT_COLUMNS, *[f"{title}得分率" for title in checklists.values()], "上报包"]
    fact_formats = {"完成率": whole, "得分率": percent, "导出时间": formats["time"]}
    hospitals = []
    for r in result.rounds:
        row = facts_row(r)
        row["完成率"] = completion_percent(r.completion) / 100  # 99%, never 100% with items left
        row["自查日期"] = dt.date.fromisoformat(r.started_on)
        row["导出时间"] = local_datetime(r.exported_at)
        scores = {c.id: c.score for c in r.checklists}
        values = [
            *row.values(),
            *[None if (score := scores.get(i)) is None else score / 100 for i in checklists],
            result.name(r.path),
        ]
        cells = [fact_formats.get(h, text) for h in FACT_COLUMNS] + [percent] * len(checklists) + [text]
        hospitals.append((values, cells))
    problems = [
        (
            [
                p.checklist,
                p.reference,
                p.text,
                len(p.hospitals),
                p.assessed,
                p.share,
                "、".join(p.hospitals),
                p.item_id,
            ],
            [text, text, text, number, number, percent, text, formats["id"]],
        )
        for p in result.common_problems()
    ]
    indicators = []
    for r in result.rounds:
        for i in r.indicators:
            convert, value_format = measure_cell(formats, i.unit, i.computed, i.decimals)
            values = [
                r.hospital,
                r.round_name,
                i.checklist,
                i.number,
                i.text,
                None if i.value is None else convert(i.value),
                i.unit,
                i.target,
                i.state,
                i.note,
                i.item_id,
            ]
            indicators.append((values, [text] * 5 + [value_format] + [text] * 4 + [formats["id"]]))
    refused = [([result.name(b.path), b.reason], [text, text]) for b in result.refused]
    refused += [([result.name(s.path), result.superseded_reason(s)], [text, text]) for s in result.superseded]
    return {
        "医院": (hospital_headers, hospitals),
        "常见问题": (
            ["检查表", "条目", "内容", "不符合医院数", "已评价医院数", "不符合占比", "医院", ID_COLUMN],
            problems,
        ),
        "指标": (
            ["医院", "轮次", "检查表", "编号", "指标", "数值", "单位", "目标", "是否达标", "说明", ID_COLUMN],
            indicators,
        ),
        "未纳入": (["上报包", "原因"], refused),
    }


def write_xlsx(result: Aggregate, out: Path) -> None:
    from ..render.xlsx import Sheet, about_sheet, workbook_bytes

    heading = "　".join(x for x in (result.unit, "医疗质量自查汇总", f"汇总日期 {cn_date(result.today)}") if x)

    def fill(book: Any, formats: dict[str, Any]) -> None:
        for name, (headers, rows) in _sheets(result, formats).items():
            sheet = Sheet(book, name, headers, formats, heading)
            for values, cells in rows:
                sheet.add(values, cells)
            sheet.finish()
        about_sheet(
            book,
            formats,
            [
                *([("汇总单位", result.unit)] if result.unit else []),
                ("汇总日期（判断逾期的日期）", result.today),
                ("医院", len(result.hospitals)),
                ("纳入的自查轮次", len(result.rounds)),
                ("读取的上报包", result.read),
                ("未纳入的上报包", len(result.refused) + len(result.superseded)),
                ("生成程序", f"{APP_NAME} {__version__}"),
            ],
            heading,
        )

    properties = {"title": "医疗质量自查汇总", "comments": f"{APP_NAME} {__version__} 生成，{result.today.isoformat()}"}
    save_document(Path(out), workbook_bytes(properties, fill), "汇总工作簿")


SQLITE_SCHEMA = """
CREATE TABLE rounds (
    round_id TEXT PRIMARY KEY, hospital TEXT NOT NULL, code TEXT, level TEXT, type TEXT,
    round_name TEXT, year INTEGER, started_on TEXT, final INTEGER, updated_at TEXT,
    applicable INTEGER, answered INTEGER, completion REAL, score REAL, failing INTEGER,
    rectifications INTEGER, open_rectifications INTEGER, overdue_rectifications INTEGER,
    carried_rectifications INTEGER, package TEXT, exported_at TEXT
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
    value REAL, unit TEXT, target TEXT, result TEXT, note TEXT, PRIMARY KEY (round_id, item_id)
);
CREATE TABLE rectifications (
    round_id TEXT REFERENCES rounds(round_id), item_id TEXT, department TEXT, deadline TEXT, status TEXT
);
CREATE TABLE refused_packages (package TEXT, reason TEXT);
CREATE TABLE superseded_packages (package TEXT, kept TEXT, reason TEXT);
CREATE TABLE about (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE common_problems (
    item_id TEXT PRIMARY KEY, checklist TEXT, text TEXT, hospitals INTEGER, hospital_names TEXT, assessed INTEGER
);
"""


def _database_ids(result: Aggregate) -> list[str]:
    """Each round's ``round_id`` in the database: its own; the second hospital whose package has
    the same one (two hospitals that copied one prepared database, kept apart by the summary)
    gets it with ``#2`` (``#3`` …), so that every table joins on it as before."""
    seen: Counter[str] = Counter()
    out = []
    for r in result.rounds:
        seen[r.round_id] += 1
        out.append(r.round_id if seen[r.round_id] == 1 else f"{r.round_id}#{seen[r.round_id]}")
    return out


def _insert_round(conn: sqlite3.Connection, result: Aggregate, r: RoundFacts, round_id: str) -> None:
    from .aggregate import carried_count, open_count, overdue_count

    conn.execute(
        "INSERT INTO rounds VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            round_id,
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
            carried_count(r),
            result.name(r.path),
            r.exported_at,
        ),
    )
    conn.executemany(
        "INSERT INTO checklist_scores VALUES (?,?,?,?,?,?)",
        [(round_id, c.id, c.title, c.completion, c.score, c.failing) for c in r.checklists],
    )
    conn.executemany(
        "INSERT INTO item_results VALUES (?,?,?,?,?,?,?,?)",
        [(round_id, i.item_id, i.checklist, i.text, i.state, i.grade, i.value, int(i.failing)) for i in r.items],
    )
    conn.executemany(
        "INSERT INTO indicators VALUES (?,?,?,?,?,?,?,?,?)",
        [(round_id, i.item_id, i.checklist, i.text, i.value, i.unit, i.target, i.state, i.note) for i in r.indicators],
    )
    conn.executemany(
        "INSERT INTO rectifications VALUES (?,?,?,?,?)",
        [(round_id, x.item_id, x.department, x.deadline, x.status) for x in r.rectifications],
    )


def _about(result: Aggregate) -> list[tuple[str, str]]:
    """What the summary is, for whoever reads the file later: above all the day on which
    逾期 was judged, which the figures depend on and which no other table holds."""
    return [
        ("aggregation_date", result.today.isoformat()),
        ("unit", result.unit),
        ("generator", f"{APP_NAME} {__version__}"),
        ("packages_read", str(result.read)),
        ("rounds_counted", str(len(result.rounds))),
        ("packages_refused", str(len(result.refused))),
        ("packages_superseded", str(len(result.superseded))),
    ]


def write_sqlite(result: Aggregate, out: Path) -> None:
    def write(temporary: Path) -> None:
        conn = sqlite3.connect(temporary)
        # written once and renamed into place when complete: a journal would only be a second
        # file to leave behind when the disk fills up
        conn.execute("PRAGMA journal_mode = OFF")
        try:
            with conn:
                conn.executescript(SQLITE_SCHEMA)
                for r, round_id in zip(result.rounds, _database_ids(result), strict=True):
                    _insert_round(conn, result, r, round_id)
                conn.executemany(
                    "INSERT INTO common_problems VALUES (?,?,?,?,?,?)",
                    [
                        (p.item_id, p.checklist, p.text, len(p.hospitals), "、".join(p.hospitals), p.assessed)
                        for p in result.common_problems()
                    ],
                )
                conn.executemany(
                    "INSERT INTO refused_packages VALUES (?,?)",
                    [(result.name(b.path), b.reason) for b in result.refused],
                )
                conn.executemany("INSERT INTO about VALUES (?,?)", _about(result))
                conn.executemany(
                    "INSERT INTO superseded_packages VALUES (?,?,?)",
                    [
                        (result.name(s.path), result.name(s.kept), result.superseded_reason(s))
                        for s in result.superseded
                    ],
                )
        except sqlite3.Error as exc:  # told as the OS error it is (a full disk, above all)
            full = isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)
            raise OSError(errno.ENOSPC if full else errno.EIO, str(exc)) from exc
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


#: what the bars' shades say (the charts' own colours: render.charts.COLOURS)
SUMMARY_KEY = (
    "条形颜色由深到浅：得分率低于 50% 为深红，50% 至不足 75% 为黄褐，其余为浅色；未完成的整改项中有逾期的为深红，"
    "没有逾期的为黄褐。条形末端为数值。"
)


def period_text(days: list[dt.date]) -> str:
    """The 自查日期 a summary covers: ``2025年3月15日`` or ``2025年3月15日至2025年6月15日``."""
    if not days:
        return ""
    first, last = min(days), max(days)
    return cn_date(first) if first == last else f"{cn_date(first)}至{cn_date(last)}"


def _drafts_note(rows: list[dict[str, Any]]) -> str:
    """How many of the rounds counted are not yet 定稿: a summary ranked hospitals on drafts with
    nothing to say so (the table marked only the 定稿 ones)."""
    drafts = sum(1 for row in rows if not row["定稿"])
    if not drafts:
        return ""
    if drafts == len(rows):
        which = "纳入的自查" if drafts == 1 else f"纳入的 {drafts} 轮自查均"  # not “1 轮…均”
    else:
        which = f"纳入的自查中有 {drafts} 轮"
    return f"{which}尚未定稿（自查稿），其结果在定稿前仍可能修改。"


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
    problems: list[CommonProblem]
    #: packages that could not be counted (需重新报送): file name and reason
    refused: list[tuple[str, str]]
    #: packages not counted because another of the same round is (不影响汇总): file name and reason
    superseded: list[tuple[str, str]]
    #: under the title: how many hospitals, over which 自查日期, judged on which day
    scope: str
    #: the running header's left half and footer: a loose page tells which summary it is of
    header: str
    running: str
    #: the 已转入复查 column, printed only where a round has one
    carried_column: bool
    #: said under the charts when a hospital's name is shortened in them
    chart_note: str = ""
    #: said under 常见问题 when it lists fewer than the workbook (ties at the cut kept together)
    problems_note: str = ""
    chart_key: str = SUMMARY_KEY
    statuses: tuple[str, ...] = RECTIFICATION_STATUSES
    kind: str = "aggregate"


#: how many common problems the PDF lists (the workbook lists them all), ties at the cut aside
PRINTED_PROBLEMS = 30


def printed_problems(problems: list[CommonProblem]) -> list[CommonProblem]:
    """常见问题 as the PDF lists them: the first PRINTED_PROBLEMS, and those failing in as many
    hospitals as the last of them (the cut fell among equals, by item id) — unless that is one
    hospital: in a summary of a few hospitals nearly every item ties there, and the whole list
    came back."""
    if len(problems) <= PRINTED_PROBLEMS:
        return problems
    last = len(problems[PRINTED_PROBLEMS - 1].hospitals)
    return [p for n, p in enumerate(problems) if n < PRINTED_PROBLEMS or (last > 1 and len(p.hospitals) == last)]


def problems_note(printed: int, total: int) -> str:
    """Under the PDF's 常见问题 when the workbook has more: 219 rows became 30, silently."""
    if printed >= total:
        return ""
    return f"以上列出不符合医院数最多的 {printed} 条（共 {total} 条），完整列表见汇总工作簿的“常见问题”工作表。"


def write_pdf(result: Aggregate, out: Path) -> None:
    from ..domain.formats import percent_text, rate_text
    from ..render import ReportSource, write_report
    from ..render.charts import Bar, bar_chart
    from ..render.fonts import resolve_fonts
    from ..render.html import render_html

    fonts = resolve_fonts()
    today = result.today
    rows = [facts_row(r) for r in result.rounds]
    # the charts rank hospitals, each once, by its latest round (as 常见问题 counts them): the
    # earlier rounds of hospitals that sent two pushed other hospitals out of “the lowest 30”,
    # and a first round whose problems the re-check took over showed as a bar of 0
    latest = [facts_row(r) for r in result.latest_rounds()]
    shown = CHART_ROWS  # a chart of a thousand bars helps no one: those that need attention
    # a hospital whose latest round has no grade yet comes first: it needs attention most
    by_score = sorted(latest, key=lambda r: -1 if r["得分率"] is None else r["得分率"])[:shown]
    by_open = sorted(latest, key=lambda r: (-r["未完成"], -r["逾期"]))[:shown]
    label = chart_labels(sorted({r["医院"] for r in by_score + by_open}))
    score_bars = [
        Bar(label[r["医院"]], None, "未评分")
        if r["得分率"] is None
        else Bar(
            label[r["医院"]],
            r["得分率"] * 100,
            rate_text(r["得分率"] * 100),
            "fail" if r["得分率"] < 0.5 else "warn" if r["得分率"] < 0.75 else "ok",
        )
        for r in by_score
    ]
    rect_bars = [
        Bar(
            label[r["医院"]],
            r["未完成"],
            open_rectifications_text(r["未完成"], r["逾期"], r["已转入复查"]),
            "fail" if r["逾期"] else "warn",
        )
        for r in by_open
    ]
    biggest = max([r["未完成"] for r in by_open] + [1])
    many = len(latest) > shown
    every_problem = result.common_problems()
    problems = printed_problems(every_problem)
    period = period_text([dt.date.fromisoformat(r.started_on) for r in result.rounds])
    hospitals = f"{len(result.hospitals)} 家医院"
    report = SummaryReport(
        _Cover(
            "医疗质量自查汇总报告",
            _Named(result.unit),
            cn_date(today),
        ),
        f"共读取上报包 {result.read} 个，纳入 {len(result.rounds)} 轮自查（{len(result.hospitals)} 家医院），"
        f"{len(result.superseded)} 个因重复或有更新的导出未计入（同一轮自查只计最新的一次），"
        f"{len(result.refused)} 个未通过校验。" + _drafts_note(rows),
        bar_chart(
            score_bars,
            maximum=100,
            font_family=fonts.body.family,
            title=f"得分率最低的 {shown} 家医院（各医院最近一轮自查）"
            if many
            else "各医院得分率（各医院最近一轮自查）",
        ),
        bar_chart(
            rect_bars,
            maximum=biggest,
            font_family=fonts.body.family,
            title=(
                f"未完成整改项最多的 {shown} 家医院（项；各医院最近一轮自查）"
                if many
                else "各医院未完成的整改项（项；各医院最近一轮自查）"
            ),
        ),
        [
            # as the other reports write them: 79% (scoring.completion_percent), 57.1%, 2025年3月15日
            {
                **row,
                "完成率": percent_text(r.completion),
                "得分率": rate_text(r.score),
                "自查日期": cn_date(dt.date.fromisoformat(r.started_on)),
                "导出日期": cn_local_date(r.exported_at),
            }
            for r, row in zip(result.rounds, rows, strict=True)
        ],
        problems,
        [(result.name(b.path), b.reason) for b in result.refused],
        [(result.name(s.path), result.superseded_reason(s)) for s in result.superseded],
        "　".join(x for x in (hospitals, f"自查日期 {period}" if period else "", f"汇总日期 {cn_date(today)}") if x),
        "　".join(x for x in (result.unit, f"汇总日期 {cn_date(today)}") if x),
        " · ".join(x for x in (f"自查日期 {period}" if period else "", hospitals) if x),
        any(r["已转入复查"] for r in rows),
        "图中名称过长的医院省略了括号内或中间的部分（以“…”表示），全称见上表。"
        if any(name != text for name, text in label.items())
        else "",
        problems_note=problems_note(len(problems), len(every_problem)),
    )
    write_report(ReportSource(render_html(report), {}), Path(out))  # atomic itself

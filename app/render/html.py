"""Report model → HTML with the Jinja templates in ``reports/`` (autoescape always on)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from ..domain.formats import percent_text
from ..domain.records import STATUS_CARRIED
from ..domain.reports import REPORTS
from ..domain.text import clean_text
from .assets import TEMPLATE_DIR
from .model import RectificationReport, SelfReport

__all__ = ["render_html", "template_of"]

#: reports outside the registry: the 汇总报告 of many hospitals (app/exchange)
_OTHER_TEMPLATES = {"aggregate": "aggregate_report.html"}


def template_of(kind: str) -> str:
    """The template that lays out a report of ``kind``: the registry's, or one of the others."""
    return REPORTS[kind].template if kind in REPORTS else _OTHER_TEMPLATES[kind]


_CN_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五: the numbering of （一）（二）headings."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


#: A table cell with more text than this may be longer than a page (a narrow column of the
#: landscape 整改台账 holds about 300 characters a page): its row may continue on the next page.
LONG_CELL_CHARS = 250


def row_breaks(*texts: str | None) -> str:
    """The class that lets a row of users' text break across pages (see report.css): only a
    row that could be longer than a page, so that short rows are never split."""
    return " long" if max((len(t or "") for t in texts), default=0) > LONG_CELL_CHARS else ""


#: A run of this many characters with no line-break opportunity (no space, no CJK character)
#: gets one between every two characters (see :func:`breakable`).
LONG_RUN = 40
_RUN = re.compile(
    f"[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]{{{LONG_RUN},}}"
)
_ZWSP = "\u200b"


def _break_run(match: re.Match[str]) -> str:
    out = []
    previous = ""
    for ch in match.group():
        # never between a character and its combining mark, variation selector or joiner
        if previous and previous != "\u200d" and unicodedata.category(ch) not in ("Mn", "Me", "Mc", "Cf"):
            out.append(_ZWSP)
        out.append(ch)
        previous = ch
    return "".join(out)


def breakable(text: str) -> str:
    """``text`` with a zero-width space between the characters of every long unbroken run.

    WeasyPrint lays out the whole rest of a paragraph for each line when it finds no break
    opportunity in it, so a run of 20,000 letters or digits took minutes (time growing with the
    square of its length), even with ``overflow-wrap: anywhere``. With a break opportunity between
    every two characters it wraps exactly as ``anywhere`` would, in time linear in the text.
    The zero-width space prints nothing and is not part of the PDF's text.
    """
    return _RUN.sub(_break_run, text) if len(text) >= LONG_RUN else text


#: a value with a compound unit, ``2.326例次/千导管日``: its two halves never break inside
_COMPOUND_UNIT = re.compile(r"(\d[\d.]*[^\W\d_]{0,4}/)([^\W\d_]{1,6})")
#: wider halves (in em: CJK 1, others about 0.55) may break: kept whole, they could overflow the
#: narrowest column that prints values (本期值, 22 mm at 9 pt ≈ 6 em)
_KEPT_EM = 6.0


def _em(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def keep_units(value: str) -> Markup:
    """``value`` with each number and compound unit kept in two unbreakable halves, ``2.326例次/``
    and ``千导管日``: CJK text breaks between any two characters, which split units as
    例 | 次/千导管 | 日 in narrow columns. The rest of the text breaks as usual."""
    text = breakable(clean_text(value))
    nobreak = Markup('<span class="nobreak">{}</span>')
    out: list[str] = []
    last = 0
    for match in _COMPOUND_UNIT.finditer(text):
        out.append(text[last : match.start()])
        out += [nobreak.format(half) if _em(half) <= _KEPT_EM else half for half in match.groups()]
        last = match.end()
    out.append(text[last:])
    return Markup("").join(out)  # join escapes the plain strings


#: a date as the reports write it (formats.cn_date), and the words the 整改情况 column split
#: beside one: 期 | 限 2026年10月2日, （逾期8 | 天）
_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|期限|逾期\d+天")


def keep_dates(value: str) -> Markup:
    """``value`` with each date (``2025年4月30日``), 期限 and 逾期N天 on one line: in the narrow
    整改情况 column “期限 2025年4月30日” wrapped as 2025年4月30 | 日. The rest of the text breaks
    as usual."""
    text = breakable(clean_text(value))
    nobreak = Markup('<span class="nobreak">{}</span>')
    out: list[str] = []
    last = 0
    for match in _DATE.finditer(text):
        out += [text[last : match.start()], nobreak.format(match.group())]
        last = match.end()
    out.append(text[last:])
    return Markup("").join(out)  # join escapes the plain strings


#: an item's number from its spelt-out part on (``任务8.5``, ``专项1.1`` of ``5-1.专项1.1``): a
#: ``numbering`` label, at most four characters, and digits; an author's own number (``第一章第二节
#: 第三条12``) may break anywhere, kept whole it ran over the next column
_SPELT_OUT = re.compile(r"(?:^|(?<=\.))[\u4e00-\u9fff]{1,4}\d[0-9a-z.\-]*$")


def keep_number(number: str) -> Markup:
    """An item's 编号 (``5-1.专项1.1``) in the narrow 编号 column, breaking before its spelt-out
    part if at all: it wrapped as 5-1.专项 | 1.1."""
    text = clean_text(number)
    match = _SPELT_OUT.search(text)
    if match is None:
        return escape(text)
    return escape(text[: match.start()]) + Markup('<span class="nobreak">{}</span>').format(match.group())


#: statuses that wrap in a narrow column (状态 of the 整改台账, 14 mm), at this place only
_STATUS_PARTS = {STATUS_CARRIED: ("已转入", "复查")}


def status_words(status: str) -> Markup:
    """A 整改状态 for a narrow column or header: 已转入复查 wraps as 已转入 | 复查, never as
    已转入复 | 查 (CJK text breaks between any two characters)."""
    status, _, late = status.partition("\n")
    if late:  # 已完成 over 逾期8天 (status_text)
        return Markup('<span class="nobreak">{}</span><br><span class="r-detail nobreak">{}</span>').format(
            status, late
        )
    parts = _STATUS_PARTS.get(status)
    if parts is None:
        return escape(status)
    return Markup("").join(Markup('<span class="nobreak">{}</span>').format(part) for part in parts)


#: a bracket after a number or a percentage: ``7.501‰（7501/1000000）``, where a line may break
_BRACKET_AFTER_NUMBER = re.compile(r"(?<=[0-9%‰])（")


def fraction_breaks(text: str) -> str:
    """``text`` with a zero-width space before each bracket that follows a number: a value and its
    fraction (``7.501‰（7501/1000000）``) are one unbreakable run by Unicode's line breaking, and
    in the 问题描述 column that run, with its comma, was wider than the column: ``指标值`` stood
    alone on a line, and the run was then broken anywhere, a line beginning with ``，``."""
    return _BRACKET_AFTER_NUMBER.sub("\u200b（", text)


def printable(value: object) -> object:
    """Jinja's ``finalize``: every value a template prints passes here before it is escaped.
    Users' text loses bidi and control characters (stored before they were refused, or written
    by another program) and long runs get break opportunities. Markup (our SVG charts, our own
    URLs) is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return breakable(fraction_breaks(clean_text(value)))
    return value


@functools.cache
def environment() -> Environment:
    # autoescape=True (not select_autoescape): every template escapes, whatever its name.
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=printable,
    )
    env.filters["cn_number"] = cn_number
    env.filters["keep_units"] = keep_units
    env.filters["keep_dates"] = keep_dates
    env.filters["status_words"] = status_words
    env.filters["keep_number"] = keep_number
    env.filters["percent"] = percent_text
    env.globals["row_breaks"] = row_breaks
    return env


def render_html(report: SelfReport | RectificationReport | Any) -> str:
    """The report's HTML; ``report.kind`` names its template (the 汇总报告's model lives in app.exchange)."""
    template = environment().get_template(template_of(report.kind))
    return template.render(report=report, created=dt.datetime.now().astimezone().isoformat(timespec="seconds"))

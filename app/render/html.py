"""Report model → HTML with the Jinja templates in ``reports/`` (autoescape always on)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .assets import TEMPLATE_DIR
from .model import RectificationReport, SelfReport

__all__ = ["TEMPLATES", "render_html"]

TEMPLATES = {"self": "self_report.html", "rectification": "rectification_report.html",
             "aggregate": "aggregate_report.html"}

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


@functools.cache
def environment() -> Environment:
    # autoescape=True (not select_autoescape): every template escapes, whatever its name.
    env = Environment(loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cn_number"] = cn_number
    env.globals["row_breaks"] = row_breaks
    return env


def render_html(report: SelfReport | RectificationReport | Any) -> str:
    """The report's HTML; ``report.kind`` names its template (the 汇总报告's model lives in app.exchange)."""
    template = environment().get_template(TEMPLATES[report.kind])
    return template.render(report=report, created=dt.datetime.now().astimezone().isoformat(timespec="seconds"))

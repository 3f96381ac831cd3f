"""How numbers, dates and recurring sentences are shown: one home for the CLI, the GUI, the
reports and the workbooks, so the same value never reads two ways.

Percentages of completion round half up but reach 100% only when nothing is left
(:func:`app.domain.scoring.completion_percent`); scores and rates show one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .scoring import completion_percent

#: shown where a number is not known yet (nothing graded, no value entered)
NONE_YET = "—"
#: 责任科室 left empty, in lists and totals
NO_DEPARTMENT = "未指定科室"


def percent_text(completion: float) -> str:
    """完成率: ``0.666…`` → ``67%``; ``510/511`` → ``99%``."""
    return f"{completion_percent(completion)}%"


def score_text(score: float | None) -> str:
    """得分率 (already in %): ``55.24`` → ``55.2``; nothing graded → ``—``."""
    return NONE_YET if score is None else f"{score:.1f}"


def rate_text(value: float | None, digits: int = 1) -> str:
    """A compliance rate or percentage value: ``85.714`` → ``85.7%``."""
    return NONE_YET if value is None else f"{value:.{digits}f}%"


def number_text(value: float | None) -> str:
    """An indicator's value without its unit, to four significant digits as the 本期值 column
    prints it (``ItemKind.value_text``): ``2.3255…`` → ``2.326``; none → ``—``."""
    return NONE_YET if value is None else f"{value:.4g}"


def cn_date(day: dt.date | None) -> str:
    """A date as printed in a report: ``2025年6月30日``."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def size_text(n: int) -> str:
    """A file size as people read it: bytes below a kilobyte (a file with content never reads
    ``0 KB``), whole KB below a megabyte, else MB with one decimal: ``15`` → ``15 字节``,
    ``2000`` → ``2 KB``, ``3 * 1048576`` → ``3.0 MB``."""
    if n < 1024:
        return f"{n} 字节"
    if round(n / 1024) < 1024:
        return f"{round(n / 1024)} KB"
    return f"{n / 1048576:.1f} MB"


def sizes_compared(size: int, limit: int) -> tuple[str, str]:
    """A size refused for being above ``limit``, and the limit, in one unit (GB for limits from
    a gigabyte, else MB), the size with as many decimals as it takes to read larger:
    ``21_000_000`` against 20 MB → ``("20.03 MB", "20 MB")`` where one decimal said 20.0. In bytes
    when even three decimals would not show it: ``("20,971,521 字节", "20,971,520 字节")``."""
    unit, scale = ("GB", 1073741824) if limit >= 1073741824 else ("MB", 1048576)
    for digits in (1, 2, 3):
        shown = f"{size / scale:.{digits}f}"
        # a whole limit reads whole (20 MB); another one with the size's decimals, never rounded up
        limit_shown = f"{limit // scale}" if limit % scale == 0 else f"{limit / scale:.{digits}f}"
        if float(shown) > float(limit_shown):
            return f"{shown} {unit}", f"{limit_shown} {unit}"
    return f"{size:,} 字节", f"{limit:,} 字节"


def recheck_sentence(passed: bool | None, date: dt.date | None, by: str, result: str) -> str:
    """复查 in one line: ``2025-05-08，刘洋，复查通过：现场查看……``; empty before a re-check."""
    if passed is None:
        return ""
    verdict = "复查通过" if passed else "复查未通过"
    head = "，".join(x for x in (date.isoformat() if date else "", by, verdict) if x)
    return f"{head}：{result}" if result else head


def years_text(first: int | None, last: int | None) -> str:
    """A span of years: ``2024年``, ``2023–2025年``, ``2024年起``, ``至2025年`` ('' when open)."""
    if first and last:
        return f"{first}年" if first == last else f"{first}–{last}年"
    return f"{first}年起" if first else f"至{last}年" if last else ""


def year_list_text(years: Iterable[int]) -> str:
    """Years as a list: ``2025年``, ``2024、2025年``; a run of three or more as ``2021–2025年``."""
    ordered = sorted(set(years))
    if len(ordered) >= 3 and ordered[-1] - ordered[0] == len(ordered) - 1:
        return years_text(ordered[0], ordered[-1])
    return "、".join(str(y) for y in ordered) + "年" if ordered else ""

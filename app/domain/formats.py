"""How numbers, dates and recurring sentences are shown: one home for the CLI, the GUI, the
reports and the workbooks, so the same value never reads two ways.

Percentages of completion round half up but reach 100% only when nothing is left
(:func:`app.domain.scoring.completion_percent`); scores and rates show one decimal. A measured
value (指标值, 符合率, 基线值) follows :func:`measure_decimals` wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal

#: shown where a number is not known yet (nothing graded, no value entered)
NONE_YET = "—"
#: 责任科室 left empty, in lists and totals
NO_DEPARTMENT = "未指定科室"


def percent_text(completion: float) -> str:
    """完成率: ``0.666…`` → ``67%``; ``510/511`` → ``99%``."""
    from .scoring import completion_percent  # scoring imports the item kinds, which import this module

    return f"{completion_percent(completion)}%"


def fixed(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, half up as WPS and Excel show a cell (and as people
    round): Python's format rounds the binary value, half to even in effect, so 56.25 read 56.2
    in the PDF and 56.3 in the workbook of the same round. The shortest decimal that reads back
    as ``value`` is rounded, not its binary expansion (1.805 is 1.81)."""
    exact = Decimal(repr(float(value)))
    if not exact.is_finite():
        return str(value)
    # as many digits as the value has: the default 28 raised InvalidOperation on 1e30, and a
    # value once stored stopped the reports and the export of its round
    room = Context(prec=max(28, exact.adjusted() + decimals + 2))
    return f"{exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=room):f}"


def rate_text(value: float | None, digits: int = 1) -> str:
    """A compliance rate, percentage value or 得分率, on screen as in the reports: ``85.714`` →
    ``85.7%``, ``56.25`` → ``56.3%`` (:func:`fixed`); nothing to tell (nothing graded yet) → ``—``."""
    return NONE_YET if value is None else f"{fixed(value, digits)}%"


def measure_decimals(unit: str, computed: bool = True) -> int | None:
    """Decimals a measured value is shown with, in the reports, the workbooks and the GUI alike:
    a percentage to 0.1 (as the 得分率); a rate in any other unit (‰, 例次/千导管日) to 0.01;
    ``None`` for a value entered directly in another unit (天, 个, CMI), shown as entered but at
    most to 0.01, so that a count reads ``3个`` and not ``3.00个``."""
    if unit == "%":
        return 1
    return 2 if computed else None


def measure_text(
    value: float,
    unit: str,
    computed: bool = True,
    counts: tuple[float, float] | None = None,
    decimals: int | None = None,
) -> str:
    """A measured value with its unit (:func:`measure_decimals`, or ``decimals`` where the value
    needs more to tell its verdict: ``Outcome.decimals``), and in running text the counts it was
    computed from, so that a reader can check it: ``66.0%（101/153）``,
    ``2.33例次/千导管日（5/2150）``, ``8.5天``."""
    number = fixed(value, decimals) if decimals is not None else _number(value, unit, computed)
    return f"{number}{unit}" + (f"（{counts_text(counts)}）" if counts else "")


def number_text(value: float | None, unit: str, computed: bool = True, decimals: int | None = None) -> str:
    """A measured value without its unit, where the unit is named beside it (the trend table):
    ``2.3255…`` in 例次/千导管日 → ``2.33``, ``66.013`` in % → ``66.0``; none → ``—``.
    ``decimals``: more than the unit's, where those would round the value to its target."""
    if value is None:
        return NONE_YET
    return fixed(value, decimals) if decimals is not None else _number(value, unit, computed)


def _number(value: float, unit: str, computed: bool) -> str:
    decimals = measure_decimals(unit, computed)
    return fixed(value, 2).rstrip("0").rstrip(".") if decimals is None else fixed(value, decimals)


def typed_number(value: float) -> str:
    """A stored number as it goes back into an input box: every digit, never an exponent
    (1234567 shown as ``1.23457e+06`` was saved back as 1234570 when the user only looked at
    it): ``1234567``, ``0.5``, ``0.0000001``."""
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def counts_text(counts: tuple[float, float] | None) -> str:
    """分子/分母 as written under a value in a table: ``101/153`` ('' without counts)."""
    if counts is None:
        return ""
    return "/".join(f"{n:.0f}" if n == int(n) else f"{n:g}" for n in counts)  # 101, never 101.0 or 1e+06


def cn_date(day: dt.date | None) -> str:
    """A date as the reports print it, in running text and tables alike, and as the 整改台账
    shows it: ``2025年6月30日`` ('' for none). Workbooks keep real date cells shown the same way."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def local_datetime(iso: str) -> dt.datetime | None:
    """A stored UTC time in this computer's time zone, without it (a workbook's date and time
    cell); None for a time that is not one."""
    try:
        return dt.datetime.fromisoformat(iso).astimezone().replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


def cn_local_time(iso: str, clock: str = "%H:%M") -> str:
    """A stored UTC time (an export, a last change) in this computer's time zone, as the reports
    write a date: ``2025年7月8日 10:20``. The same time never reads as UTC in one place and as
    local time in another."""
    if (at := local_datetime(iso)) is None:
        return iso or NONE_YET
    return f"{cn_date(at.date())} {at.strftime(clock)}"


def cn_local_date(iso: str) -> str:
    """The day of a stored UTC time in this computer's time zone: ``2025年7月8日``."""
    if (at := local_datetime(iso)) is None:
        return iso or NONE_YET
    return cn_date(at.date())


def added_text(added_at: str, author: str) -> str:
    """When and by whom a file was attached, for its tooltip: ``2025年3月15日 09:30 由 李敏 添加``
    (the tooltip said SHA-256 and a hash, meaningless to the quality office)."""
    by = f" 由 {author}" if author else ""
    return f"{cn_local_time(added_at)}{by} 添加" if added_at else ""


def size_text(n: int) -> str:
    """A file size as people read it: bytes below a kilobyte (a file with content never reads
    ``0 KB``), whole KB below a megabyte, else MB with one decimal: ``15`` → ``15 字节``,
    ``2000`` → ``2 KB``, ``3 * 1048576`` → ``3.0 MB``, and GB with one decimal from 1,000 MB on
    (two years of backups read ``21.1 GB``, not ``21632.0 MB``)."""
    if n < 1024:
        return f"{n} 字节"
    if round(n / 1024) < 1024:
        return f"{round(n / 1024)} KB"
    if round(n / 1048576, 1) < 1000:
        return f"{n / 1048576:.1f} MB"
    return f"{n / 1073741824:.1f} GB"


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
    """复查 in one line: ``2025年5月8日，刘洋，复查通过：现场查看……``; empty before a re-check."""
    if passed is None:
        return ""
    verdict = "复查通过" if passed else "复查未通过"
    head = "，".join(x for x in (cn_date(date), by, verdict) if x)
    return f"{head}：{result}" if result else head


def status_text(status: str, days_late: int = 0, between: str = "\n", after: str = "") -> str:
    """A 整改状态 as the ledger shows it: ``已完成`` over ``逾期8天`` for one closed after its
    deadline (a line of its own: the column is four characters wide); in running text
    ``between="（", after="）"`` (已完成（逾期8天）) or ``between="，"``."""
    return f"{status}{between}逾期{days_late}天{after}" if days_late else status


def recurrence_sentence(round_name: str, closed_on: dt.date | None) -> str:
    """A problem found again after the previous round closed it: ``上轮《…》已整改销号（2025年5月6日
    复查通过），本轮再次发现``."""
    when = f"（{cn_date(closed_on)}复查通过）" if closed_on else ""
    return f"上轮《{round_name}》已整改销号{when}，本轮再次发现"


def deadline_sentence(day: dt.date, before: dt.date, after: dt.date) -> str:
    """整改期限 moved, in one line: ``2025年5月2日，整改期限由2025年4月30日延至2025年6月30日``."""
    how = "延至" if after > before else "提前至"
    return f"{cn_date(day)}，整改期限由{cn_date(before)}{how}{cn_date(after)}"


def regrade_sentence(result: str) -> str:
    """A rectification carried over from the previous round whose item this round no longer finds
    a problem with: ``本轮复评：B 有监管，复查确认后可销号`` ('' without a result)."""
    return f"本轮复评：{result}，复查确认后可销号" if result else ""


def earlier_name(filename: str) -> str:
    """An earlier round's 佐证材料 as a 复查轮次's reports list it: ``（上轮）整改照片.jpg``."""
    return f"（上轮）{filename}"


def refound_sentence(problem: str) -> str:
    """A rectification carried over from the previous round whose item this round finds failing
    again, in other words than the ones carried: ``本轮复评仍有问题：…`` ('' without)."""
    return f"本轮复评仍有问题：{problem}" if problem else ""


def rounds_left_out_sentence(rounds: Sequence[tuple[str, dt.date]]) -> str:
    """Rounds a trend leaves out (name, date; oldest first), said beside it ('' for none):
    ``另有 2 轮较早的自查未绘入趋势图：一月自查（2024年1月15日）、二月自查（2024年2月15日）。``
    More than three are named by the first and the last."""
    if not rounds:
        return ""
    named = [f"{name}（{cn_date(day)}）" for name, day in rounds]
    which = "、".join(named) if len(named) <= 3 else f"{named[0]}至{named[-1]}"
    return f"另有 {len(rounds)} 轮较早的自查未绘入趋势图：{which}。"


def carried_on_sentence(rounds: Sequence[str]) -> str:
    """A rectification a later 复查轮次 carried over, where it was found: ``已转入《2025年第二季度
    医疗质量自查》继续跟踪`` ('' when no round carried it over)."""
    return "已转入" + "、".join(f"《{name}》" for name in rounds) + "继续跟踪" if rounds else ""


def open_rectifications_text(unfinished: int, overdue: int, carried: int = 0) -> str:
    """未完成的整改项 as the charts label them: ``3（逾期 1）``, and the ones a later 复查轮次
    follows up, counted there and not here: ``0（逾期 0，已转入复查 2）``."""
    return f"{unfinished}（逾期 {overdue}" + (f"，已转入复查 {carried}" if carried else "") + "）"


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

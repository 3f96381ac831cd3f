"""统计图: small horizontal bar charts as inline SVG, drawn in Python from the report's numbers.

Inline SVG costs WeasyPrint next to nothing (no image decoding, no fetch) and prints sharp.
Every label is escaped: section titles come from checklist files, which users may write.
The text carries the report's font family itself, since the page's CSS does not reach into SVG.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..domain.formats import cn_date, number_text
from ..domain.text import clean_text

if TYPE_CHECKING:
    from ..services.overview import Trend

__all__ = [
    "BAR_ROW",
    "LABEL_SHARE",
    "TONE_KEY",
    "Bar",
    "Line",
    "bar_chart",
    "label_ems",
    "label_room",
    "line_chart",
    "trend_chart",
]

#: Drawing units per millimetre: text is 12 units (≈ 9 pt) whatever the chart's width.
_UNITS_PER_MM = 600 / 156
#: Height of one bar's row in drawing units: 概览 finds the bar under a click by it.
BAR_ROW = 19
_BAR = 11
_FONT = 12

#: Restrained colours whose greys go from dark to light as a result goes from bad to good: on a
#: black-and-white printer fail ≈ 20 %, warn ≈ 50 %, ok and good ≈ 70 %, muted ≈ 77 % luminance.
#: The blue of ok and the red of fail had printed as the same dark grey, a 100 % bar looking like
#: a 25 % one (review of the printed reports); the value is written at each bar's end as well.
COLOURS = {"ok": "#8fb3de", "good": "#93c193", "warn": "#b07d1a", "fail": "#8c1c13", "muted": "#c4c4c4"}
#: under the charts coloured by these tones (the 自查报告's 结果概况)
TONE_KEY = (
    "条形颜色由深到浅：深红为不符合、未达标或得分率低于 50%，黄褐为 C 或得分率 50% 至不足 75%，浅色为其余；"
    "条形末端为数值。"
)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    #: the number written at the end of the bar, e.g. ``87.5`` or ``12 项``
    text: str
    tone: str = "ok"


def _char_width(ch: str) -> float:
    # CJK ≈ 1 em; a capital ≈ 0.72 em in the CJK fonts (M, D, W …; at 0.55 an 18-character
    # 统一社会信用代码 in a label overran the chart's left edge); the rest ≈ 0.55 em
    if ord(ch) > 0x2E7F:
        return _FONT
    return _FONT * (0.72 if "A" <= ch <= "Z" else 0.55)


#: the share of a bar chart's width its labels may take (a longer label ends in …)
LABEL_SHARE = 0.4


def label_ems(label: str) -> float:
    """A label's width in CJK characters, as the charts measure it (a digit: 0.55, a capital 0.72)."""
    return sum(_char_width(ch) for ch in label) / _FONT


def label_room(width_mm: float = 156) -> float:
    """The widest label a bar chart of ``width_mm`` shows whole, in CJK characters."""
    return (int(width_mm * _UNITS_PER_MM * LABEL_SHARE) - 4) / _FONT


def _fit(label: str, room: float) -> str:
    """Shorten ``label`` to fit ``room`` drawing units."""
    width = 0.0
    for n, ch in enumerate(label):
        width += _char_width(ch)
        if width > room + 1e-6:  # (a width measured the other way may differ in its last digit)
            return label[: max(n - 1, 1)] + "…"
    return label


def bar_chart(
    bars: Sequence[Bar], *, maximum: float, font_family: str, title: str = "", width_mm: float = 156
) -> Markup:
    """A horizontal bar chart, one bar per row; ``None`` values draw no bar (e.g. 未评分).

    The label column is as wide as the longest label, up to 40% of the chart (longer ones end in …);
    the longest bar leaves room for the widest text after it.
    """
    view_width = width_mm * _UNITS_PER_MM
    longest = max((sum(_char_width(ch) for ch in bar.label) for bar in bars), default=0)
    label_width = int(min(longest + 8, view_width * LABEL_SHARE))
    top = 22 if title else 4
    height = top + BAR_ROW * len(bars) + 6
    # room after the longest bar for its text (``18（逾期 5）``), at least as much as a number takes
    widest = max((_text_width(clean_text(bar.text), _FONT) for bar in bars), default=0)
    plot = view_width - label_width - 6 - max(64, widest + 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {view_width:.0f} {height}" '
        f'width="{width_mm}mm" height="{height / _UNITS_PER_MM:.1f}mm" '
        f'font-family="{escape(font_family)}" font-size="{_FONT}">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{escape(clean_text(title))}</text>')
    axis_x = label_width + 6
    parts.append(
        f'<line x1="{axis_x}" y1="{top - 2}" x2="{axis_x}" y2="{height - 4}" stroke="#555" stroke-width="0.8"/>'
    )
    for n, bar in enumerate(bars):
        y = top + n * BAR_ROW
        mid = y + BAR_ROW / 2 + _FONT * 0.35
        label = escape(_fit(clean_text(bar.label), label_width - 4))
        parts.append(f'<text x="{label_width}" y="{mid:.1f}" text-anchor="end">{label}</text>')
        length = 0.0
        if bar.value is not None and maximum > 0:
            length = max(0.0, min(bar.value / maximum, 1.0)) * plot
            colour = COLOURS.get(bar.tone, COLOURS["ok"])
            parts.append(
                f'<rect x="{axis_x}" y="{y + (BAR_ROW - _BAR) / 2:.1f}" width="{length:.1f}" '
                f'height="{_BAR}" fill="{colour}"/>'
            )
        parts.append(f'<text x="{axis_x + length + 5:.1f}" y="{mid:.1f}">{escape(clean_text(bar.text))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value``: axis ticks a person can read."""
    import math

    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def _axis_top(values: Sequence[float], unit: str) -> float:
    """The value axis's top: room above the highest value, at a tick a person can read; for a
    percentage none of whose values is above 100, at most 100 (a rate met in full drew an axis
    up to 200 %, half of it empty)."""
    highest = max(values)
    top = _nice_ceiling(highest * 1.1)
    return 100.0 if unit == "%" and highest <= 100 < top else top


@dataclass(frozen=True)
class Line:
    """One series of a trend chart: a value per round (None: that round has none)."""

    name: str
    values: tuple[float | None, ...]
    tone: str = "ok"


#: Series colours, distinct in grey too (dark, mid, light) and by their dash pattern: seven, one
#: for each built-in checklist (a seventh series was drawn as the first one was)
_LINE_STYLES = (
    ("#3b5b8a", ""),
    ("#a63a32", "6,3"),
    ("#4f7f52", "2,3"),
    ("#b8862b", "8,3,2,3"),
    ("#6a4c93", "4,4"),
    ("#555555", "1,2"),
    ("#7a5230", "12,3"),
)
#: the values written beside the points: a little smaller than the axes' text, so they read as data
_VALUE_FONT = 11
#: the distance between values stacked under one another
_VALUE_HEIGHT = 12
#: how far a value moves at a time when looking for a free place
_STEP = 2
#: how far a value's middle may be from its point: beside it, or with one value between them
#: (seven values stacked down to the axis were legible, yet which point each belonged to was not)
_NEAR = 30
_TARGET_COLOUR = "#a63a32"
#: the line joining a series' values across rounds that have none: thinner and fainter than one
#: between consecutive rounds, so that it does not read as measured month to month
_BRIDGE_WIDTH, _BRIDGE_OPACITY = "0.8", "0.55"
#: what the legend, or the table of values, says of that line
_BRIDGE_NOTE = "细线：跨过没有数值的轮次"
#: the plot's margins: the value axis's labels on the left
_LEFT, _RIGHT = 48, 12
#: a row of the table of values under a trend
_ROW = 16
#: a legend's key: a piece of its line, then its name
_KEY = 22

_Box = tuple[float, float, float, float]  # x0, y0, x1, y1
_Segment = tuple[float, float, float, float]  # x0, y0, x1, y1: a straight piece of a drawn line
_Point = tuple[int, int, float, float]  # series, round, x, y


def line_chart(
    labels: Sequence[str],
    lines: Sequence[Line],
    *,
    font_family: str,
    title: str = "",
    maximum: float | None = None,
    minimum: float = 0.0,
    target: float | None = None,
    target_text: str = "",
    unit: str = "",
    value_text: Callable[[float, int], str] = lambda v, _n: number_text(v, "", computed=False),
    short_labels: Sequence[str] = (),
    background: str = "#fff",
    width_mm: float = 156,
    height_mm: float = 60,
) -> Markup:
    """A trend across rounds: one line per series over the rounds in ``labels``, with an optional
    dashed target line. ``unit`` is written above the value axis (单位：例次/千导管日): the ticks
    stay plain numbers.

    Each round has a band of the plot's width, its points in the middle (as a spreadsheet draws a
    line chart). Its name is written under it, on one line or on two staggered ones, or, where the
    names do not fit even so, its ``short_labels`` (the rounds' dates) instead. A series without a
    value in some rounds (a checklist used every fourth month) is one line still: its values are
    joined across those rounds by a thinner, fainter line, which the legend names.

    Every value is written (``value_text(value, round index)``): by its point, in its series' colour on a ground of the
    page's ``background``, where every value of the chart finds a place that covers no other value,
    point, line, or label of the axes or the target (:func:`_place_values`; the chart grows taller
    where many series need the room); else in a table under the plot, a row per series and each
    round's value under its band, the plot then carrying no values."""
    values = [v for line in lines for v in line.values if v is not None]
    chart = _TrendChart(
        labels=tuple(labels),
        lines=tuple(Line(clean_text(line.name), line.values, line.tone) for line in lines),
        texts={
            (s, n): clean_text(value_text(v, n))
            for s, line in enumerate(lines)
            for n, v in enumerate(line.values)
            if v is not None
        },
        short_labels=tuple(short_labels),
        font_family=font_family,
        title=clean_text(title),
        unit=unit,
        top_value=maximum or _axis_top([*values, target or 0], unit),
        target=target,
        target_text=target_text or (f"目标 {target:g}" if target is not None else ""),
        background=background,
        width_mm=width_mm,
        height_mm=height_mm,
        bottom_value=minimum,
    )
    return Markup(chart.labelled() or chart.tabled())


def trend_chart(
    rounds: Sequence[str],
    trend: Trend,
    *,
    font_family: str,
    dates: Sequence[dt.date] = (),
    maximum: float | None = None,
    floor: bool = False,
    background: str = "#fff",
    height_mm: float = 60,
) -> Markup:
    """A trend of the 概览 page and of the 自查报告 (one drawing for both): its series over the
    rounds, each value as the rest of the program writes it in that unit
    (:func:`app.domain.formats.number_text`, the unit named above the axis), the target line with
    the target as the tables state it (``目标 ≥80%``), and under the plot the rounds' names, or
    their dates where the names do not fit (``2025年1月15日``, then ``2月15日`` within a year).
    ``floor``: the axis may start above 0 where every value, and the target, is high up (score_floor)."""
    target = () if trend.target is None else (trend.target,)
    return line_chart(
        rounds,
        [Line(name, tuple(values)) for name, values in trend.series.items()],
        font_family=font_family,
        title=trend.title,
        maximum=maximum,
        minimum=score_floor([*(v for values in trend.series.values() for v in values if v is not None), *target])
        if floor
        else 0.0,
        target=trend.target,
        target_text=f"目标 {trend.target_text}" if trend.target is not None and trend.target_text else "",
        unit=trend.unit,
        value_text=trend.value_text,
        short_labels=short_dates(dates),
        background=background,
        height_mm=height_mm,
    )


def score_floor(values: Sequence[float]) -> float:
    """Where a 0–100 axis of scores may start, so that lines kept high up are told apart: seven
    checklists' 得分率 between 51 and 69 drew on top of one another on a 0–100 axis (review of
    the printed reports). 20, 40 or 60 (each a fifth of the ticks a round number), ten under the
    lowest score or more; 0 when a score is below 30."""
    low = min(values, default=0.0)
    return next((floor for floor in (60.0, 40.0, 20.0) if low - floor >= 10), 0.0)


def short_dates(dates: Sequence[dt.date]) -> list[str]:
    """Rounds' dates under a trend: the first in full, then without the year while it stays the
    same: ``2025年1月15日``, ``2月15日``, …, ``2026年1月10日``."""
    out = []
    for n, day in enumerate(dates):
        same_year = n > 0 and dates[n - 1].year == day.year
        out.append(f"{day.month}月{day.day}日" if same_year else cn_date(day))
    return out


@dataclass(frozen=True)
class _Frame:
    """Where a trend's plot lies: the rounds' bands across it, the values up it."""

    left: float
    right: float
    top: float
    bottom: float
    count: int
    top_value: float
    #: the value axis's bottom: 0, or above it where the values keep high up (score_floor)
    bottom_value: float = 0.0

    @property
    def band(self) -> float:
        return (self.right - self.left) / max(self.count, 1)

    def x(self, n: int) -> float:
        return self.left + (n + 0.5) * self.band

    def y(self, v: float) -> float:
        share = (v - self.bottom_value) / (self.top_value - self.bottom_value)
        return self.bottom - max(0.0, min(share, 1.0)) * (self.bottom - self.top)


def _round_names(labels: Sequence[str], short: Sequence[str], frame: _Frame, width: float) -> tuple[list[str], int]:
    """The rounds' names under the plot and on how many staggered lines: the names on one line
    if they fit their bands, or on two (each then has two bands), or else the short labels so,
    then those without their years (a date as long as ``2025年12月15日`` does not fit twelve
    rounds' bands; the sentence over the charts dates each round in full); failing all, the
    short labels (or names) on two lines, shortened with … (the first and the last to the room
    the chart has beside their bands)."""
    without_years = [re.sub(r"^\d{4}年", "", text) for text in short]
    for candidate in (labels, short, without_years) if short else (labels,):
        for rows in (1, 2):
            if _names_fit(candidate, rows, frame, width):
                return list(candidate), rows
    last = len(labels) - 1
    room = [2 * frame.band - 6] * len(labels)
    room[0] = min(room[0], 2 * frame.x(0) - 2)
    room[last] = min(room[last], 2 * (width - frame.x(last)) - 2)
    return [_fit(text, room[n]) for n, text in enumerate(short or labels)], 2


def _name_centres(names: Sequence[str], frame: _Frame, width: float) -> list[float]:
    """Where the rounds' names are written: under their bands, the first and last moved inside the chart."""
    halves = [_text_width(name, _FONT) / 2 for name in names]
    return [min(max(frame.x(n), half + 1), width - half - 1) for n, half in enumerate(halves)]


def _names_fit(names: Sequence[str], rows: int, frame: _Frame, width: float) -> bool:
    """Whether the names on ``rows`` staggered lines stand apart (a first or last name moved
    inside the chart comes nearer to its neighbour)."""
    widths = [_text_width(name, _FONT) for name in names]
    centres = _name_centres(names, frame, width)
    return all(w + 2 <= width for w in widths) and all(
        centres[n + rows] - centres[n] >= (widths[n] + widths[n + rows]) / 2 + 6 for n in range(len(names) - rows)
    )


def _stroke(dash: str, width: str = "1.6") -> str:
    """A line's attributes: its width, and its dashes if it has any."""
    return f'stroke-width="{width}"' + (f' stroke-dasharray="{dash}"' if dash else "")


@dataclass(frozen=True)
class _Key:
    """A legend's entry: a piece of the line as drawn, and the name."""

    name: str
    colour: str
    stroke: str  # the line's attributes: its width and dashes, or those of a line across rounds

    def svg(self, x: float, text_y: float, name: str) -> list[str]:
        """The entry at ``x``, its name's text sitting on ``text_y``."""
        return [
            f'<line x1="{x:.1f}" y1="{text_y - 4:.1f}" x2="{x + _KEY:.1f}" y2="{text_y - 4:.1f}" '
            f'stroke="{self.colour}" {self.stroke}/>',
            f'<text x="{x + _KEY + 4:.1f}" y="{text_y:.1f}">{escape(name)}</text>',
        ]


#: the legend's entry for a line across rounds without a value
_BRIDGE_KEY = _Key(_BRIDGE_NOTE, "#555", f'{_stroke("", _BRIDGE_WIDTH)} stroke-opacity="{_BRIDGE_OPACITY}"')


@dataclass(frozen=True)
class _TrendChart:
    """A trend's drawing, its values either by their points or in a table under the plot."""

    labels: tuple[str, ...]
    lines: tuple[Line, ...]
    texts: dict[tuple[int, int], str]
    short_labels: tuple[str, ...]
    font_family: str
    title: str
    unit: str
    top_value: float
    target: float | None
    target_text: str
    background: str
    bottom_value: float
    width_mm: float
    height_mm: float

    @property
    def width(self) -> float:
        return self.width_mm * _UNITS_PER_MM

    @property
    def top(self) -> float:
        above = self.unit or self.bottom_value  # the unit's line, or where the axis starts
        return (30 if self.title else 11) + (12 if above else 0)  # the top value's label stays clear of both

    @cached_property
    def bridged(self) -> bool:
        """Whether a series has rounds without a value between two with one."""
        return any(_bridges(line.values) for line in self.lines)

    def styles(self, index: int) -> tuple[str, str]:
        """A series' colour and the attributes of its line: width and dashes."""
        colour, dash = _LINE_STYLES[index % len(_LINE_STYLES)]
        return colour, _stroke(dash)

    def labelled(self) -> str | None:
        """Each value by its point, and a legend under the rounds' names (for several series, or
        a line across rounds without a value); None if a value finds no free place."""
        names, rows = self._names(_LEFT)
        keys = [_Key(line.name, *self.styles(n)) for n, line in enumerate(self.lines)] if len(self.lines) > 1 else []
        keys += [_BRIDGE_KEY] if self.bridged else []
        frame = self._frame(_LEFT, rows, BAR_ROW if keys else 0)
        legend = _legend_rows(keys, frame.right - frame.left)
        points = self._points(frame)
        room = _Room(
            (0.0, frame.top - 2, self.width, frame.bottom - 1),
            (*((px - 3.5, py - 3.5, px + 3.5, py + 3.5) for _, _, px, py in points), *(t.box for t in _ticks(frame))),
            self._segments(frame),
        )
        # the target's label where it leaves the values room (at the end of its line it stood
        # where the only place for a value at 100 % was)
        targets: list[_Label | None] = list(self._target_labels(frame, points)) or [None]
        placings = (
            (target, _place_values(points, self.texts, len(self.labels), room.plus([target.box] if target else [])))
            for target in targets
        )
        target, placed = next(((t, p) for t, p in placings if p is not None), (None, None))
        if placed is None:
            return None
        under = frame.bottom + 32 + 14 * (rows - 1)  # the rounds' names end above it
        parts = self._plot(frame, names, rows, under + BAR_ROW * len(legend), target)
        for r, row in enumerate(legend):
            for x, key, name in row:
                parts += key.svg(frame.left + x, under + BAR_ROW * (r + 1) - 6, name)
        for (index, _, _, _), label in placed:
            parts += label.svg(self.styles(index)[0], self.background)
        return "".join([*parts, "</svg>"])

    def tabled(self) -> str:
        """The plot without its values, and under the rounds' names a table of them: a row per
        series (its line's key and its name, as a legend has them), each round's value under its
        band, “—” where it has none."""
        name_room = min(max((_text_width(line.name, _FONT) for line in self.lines), default=0), self.width * 0.3)
        left = max(_LEFT, _KEY + 4 + name_room + 8)
        names, rows = self._names(left)
        frame = self._frame(left, rows, 0)
        points = self._points(frame)
        target = next(iter(self._target_labels(frame, points)), None)
        top = frame.bottom + 26 + 14 * (rows - 1)  # under the rounds' names
        height = top + _ROW * len(self.lines) + (BAR_ROW + 2 if self.bridged else 4)
        parts = self._plot(frame, names, rows, height, target)
        parts += self._table(frame, top, name_room)
        if self.bridged:
            parts += _BRIDGE_KEY.svg(0, top + _ROW * len(self.lines) + BAR_ROW - 4, _BRIDGE_NOTE)
        return "".join([*parts, "</svg>"])

    def _table(self, frame: _Frame, top: float, name_room: float) -> list[str]:
        """The rows of the table of values, between light rules; a value too wide for its band
        (12 rounds leave 40 units) is written smaller."""
        widest = max((_text_width(text, _VALUE_FONT) for text in self.texts.values()), default=0)
        size = _VALUE_FONT if widest <= frame.band - 4 else max(6.0, _VALUE_FONT * (frame.band - 4) / widest)
        parts = ['<g class="value-table">']
        for index, line in enumerate(self.lines):
            y = top + _ROW * index
            parts.append(
                f'<line x1="0" y1="{y:.1f}" x2="{frame.right:.0f}" y2="{y:.1f}" stroke="#ccc" stroke-width="0.6"/>'
            )
            parts += _Key(line.name, *self.styles(index)).svg(0, y + _ROW - 4, _fit(line.name, name_room))
            for n in range(len(self.labels)):
                text, fill = (self.texts[index, n], "#222") if (index, n) in self.texts else ("—", "#999")
                parts.append(
                    f'<text x="{frame.x(n):.1f}" y="{y + _ROW - 4:.1f}" text-anchor="middle" font-size="{size:.1f}" '
                    f'fill="{fill}">{escape(text)}</text>'
                )
        end = top + _ROW * len(self.lines)
        parts.append(
            f'<line x1="0" y1="{end:.1f}" x2="{frame.right:.0f}" y2="{end:.1f}" stroke="#ccc" stroke-width="0.6"/>'
        )
        return [*parts, "</g>"]

    def _names(self, left: float) -> tuple[list[str], int]:
        bands = _Frame(left, self.width - _RIGHT, 0, 1, len(self.labels), 1)  # across: where the names go
        return _round_names(self.labels, self.short_labels, bands, self.width)

    def _frame(self, left: float, rows: int, legend: float) -> _Frame:
        """The plot from ``left`` to the right margin, as tall as the chart's height leaves under
        the title and over the rounds' names (on ``rows`` lines) and a legend's line, or taller:
        room for a round's values stacked one under another, when every series is close to the
        others."""
        below = 32 + 14 * (rows - 1) + legend
        height = max(self.height_mm * _UNITS_PER_MM - self.top - below, (len(self.lines) + 2) * _VALUE_HEIGHT)
        return _Frame(
            left, self.width - _RIGHT, self.top, self.top + height, len(self.labels), self.top_value, self.bottom_value
        )

    def _points(self, frame: _Frame) -> list[_Point]:
        return [
            (s, n, frame.x(n), frame.y(v))
            for s, line in enumerate(self.lines)
            for n, v in enumerate(line.values)
            if v is not None
        ]

    def _segments(self, frame: _Frame) -> tuple[_Segment, ...]:
        """The lines a value may not cross: each series' (across rounds without a value too), the target's."""
        out = [
            (frame.x(n0), frame.y(v0), frame.x(n1), frame.y(v1))
            for line in self.lines
            for (n0, v0), (n1, v1) in itertools.pairwise((n, v) for n, v in enumerate(line.values) if v is not None)
        ]
        if self.target is not None:
            out.append((frame.left, frame.y(self.target), frame.right, frame.y(self.target)))
        return tuple(out)

    def _target_labels(self, frame: _Frame, points: Sequence[_Point]) -> list[_Label]:
        if self.target is None:
            return []
        area = (0.0, frame.top - 2, self.width, frame.bottom)
        taken = [(px - 3.5, py - 3.5, px + 3.5, py + 3.5) for _, _, px, py in points]
        return _target_places(frame.y(self.target), frame, self.target_text, taken, area)

    def _plot(self, frame: _Frame, names: Sequence[str], rows: int, height: float, target: _Label | None) -> list[str]:
        """The drawing's head, the title, the grid, the rounds' names, the target and the lines."""
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {self.width:.0f} {height:.0f}" '
            f'width="{self.width_mm}mm" height="{height / _UNITS_PER_MM:.1f}mm" '
            f'font-family="{escape(self.font_family)}" font-size="{_FONT}">'
        ]
        if self.title:
            parts.append(f'<text x="0" y="14" font-weight="bold">{escape(self.title)}</text>')
        parts += _grid(frame, self.unit)
        # under the axis's lowest label (the first round's name may reach under it), the first and
        # last inside the chart
        for n, (name, nx) in enumerate(zip(names, _name_centres(names, frame, self.width), strict=True)):
            parts.append(
                f'<text x="{nx:.1f}" y="{frame.bottom + 18 + 14 * (n % rows):.1f}" text-anchor="middle">'
                f"{escape(name)}</text>"
            )
        if self.target is not None:
            ty = frame.y(self.target)
            parts.append(
                f'<line x1="{frame.left:.1f}" y1="{ty:.1f}" x2="{frame.right:.0f}" y2="{ty:.1f}" '
                f'stroke="{_TARGET_COLOUR}" stroke-width="1" stroke-dasharray="5,4"/>'
            )
        for index, line in enumerate(self.lines):
            colour, dash = _LINE_STYLES[index % len(_LINE_STYLES)]
            points = [None if v is None else (frame.x(n), frame.y(v)) for n, v in enumerate(line.values)]
            parts += _polylines(points, colour, dash)
        if target is not None:
            parts += target.svg(_TARGET_COLOUR, self.background)
        return parts


def _bridges(values: Sequence[float | None]) -> list[tuple[int, int]]:
    """The pairs of rounds with a value that have rounds without one between them."""
    present = [n for n, v in enumerate(values) if v is not None]
    return [(a, b) for a, b in itertools.pairwise(present) if b > a + 1]


def _legend_rows(keys: Sequence[_Key], room: float) -> list[list[tuple[float, _Key, str]]]:
    """The legend's entries one after another, each as wide as its name, on as many lines as
    they need (seven checklists' names do not fit one line, and a name cut to “质量行…” says
    nothing): (x, entry, name as written) per line."""
    rows: list[list[tuple[float, _Key, str]]] = []
    x = room
    for key in keys:
        name = _fit(key.name, room - _KEY - 4)
        width = _KEY + 4 + _text_width(name, _FONT)
        if x + width > room:
            rows.append([])
            x = 0.0
        rows[-1].append((x, key, name))
        x += width + 14
    return rows


def _ticks(frame: _Frame) -> list[_Label]:
    """The value axis's labels."""
    values = [frame.bottom_value + (frame.top_value - frame.bottom_value) * k / 4 for k in range(5)]
    return [_Label(f"{v:.6g}", "end", frame.left - 4, frame.y(v) + 4, _FONT) for v in values]


def _grid(frame: _Frame, unit: str) -> list[str]:
    """The light grid with its values, and their unit above them (saying where the axis starts
    when that is not 0: a reader takes the lowest line for nothing)."""
    above = "单位：" + clean_text(unit) if unit else ""
    if frame.bottom_value:
        above += f"{'，' if above else ''}纵轴从 {frame.bottom_value:g} 起"
    parts = [f'<text x="0" y="{frame.top - 12}" fill="#555">{escape(above)}</text>'] if above else []
    for tick in _ticks(frame):
        gy = tick.baseline - 4
        parts.append(
            f'<line x1="{frame.left:.1f}" y1="{gy:.1f}" x2="{frame.right:.0f}" y2="{gy:.1f}" '
            'stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{tick.x:.1f}" y="{tick.baseline:.1f}" text-anchor="end" fill="#555">{tick.text}</text>')
    return parts


@lru_cache(maxsize=4096)  # placing a trend's values measures each of them for every place it tries
def _text_width(text: str, size: float) -> float:
    return sum(_char_width(ch) for ch in text) * size / _FONT


@dataclass(frozen=True)
class _Label:
    """A text placed in a chart: where it is written, and the room it takes."""

    text: str
    anchor: str
    x: float
    baseline: float
    size: int

    @cached_property
    def box(self) -> _Box:
        """From the top of its tallest characters to below its baseline, a unit to spare aside
        (kept: placing the values of a trend asks each candidate place for it several times)."""
        width = _text_width(self.text, self.size)
        x0 = self.x - width / 2 if self.anchor == "middle" else self.x if self.anchor == "start" else self.x - width
        return (x0 - 1, self.baseline - self.size * 0.9, x0 + width + 1, self.baseline + self.size * 0.22)

    def svg(self, colour: str, background: str) -> list[str]:
        """The text on a ground of the page's colour: the grid passes under it."""
        x0, y0, x1, y1 = self.box
        return [
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            f'fill="{escape(background)}" fill-opacity="0.85"/>',
            f'<text x="{self.x:.1f}" y="{self.baseline:.1f}" text-anchor="{self.anchor}" font-size="{self.size}" '
            f'fill="{colour}">{escape(self.text)}</text>',
        ]


def _overlap(a: _Box, b: _Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _inside(box: _Box, area: _Box) -> bool:
    return box[0] >= area[0] and box[1] >= area[1] and box[2] <= area[2] and box[3] <= area[3]


def _crosses(box: _Box, segment: _Segment) -> bool:
    """Whether a straight line from one end of ``segment`` to the other passes through ``box``
    (Liang–Barsky: the part of the segment within each of the box's four edges)."""
    x0, y0, x1, y1 = segment
    dx, dy = x1 - x0, y1 - y0
    start, end = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False  # parallel to this edge, and outside it
            continue
        t = q / p
        if p < 0:
            start = max(start, t)
        else:
            end = min(end, t)
        if start > end:
            return False
    return True


_CLEARANCE = 0.1


@dataclass(frozen=True)
class _Room:
    """Where a value may be written: inside ``area``, covering none of ``boxes`` (points, labels)
    and crossing none of ``segments`` (the lines)."""

    area: _Box
    boxes: tuple[_Box, ...] = ()
    segments: tuple[_Segment, ...] = ()

    def fits(self, box: _Box) -> bool:
        # a hair's clearance: two boxes just touching here overlapped once the SVG wrote their
        # positions to 0.1 (a value under the target's label, found by Hypothesis)
        grown = (box[0] - _CLEARANCE, box[1] - _CLEARANCE, box[2] + _CLEARANCE, box[3] + _CLEARANCE)
        return (
            _inside(box, self.area)
            and not any(_overlap(grown, taken) for taken in self.boxes)
            and not any(_crosses(box, segment) for segment in self.segments)
        )

    def near(self, x0: float, x1: float) -> _Room:
        """Only what lies between ``x0`` and ``x1``: what a value there may run into."""
        return _Room(
            self.area,
            tuple(b for b in self.boxes if b[0] < x1 and b[2] > x0),
            tuple(s for s in self.segments if min(s[0], s[2]) < x1 and max(s[0], s[2]) > x0),
        )

    def plus(self, boxes: Iterable[_Box]) -> _Room:
        return _Room(self.area, (*self.boxes, *boxes), self.segments)


def _target_places(ty: float, frame: _Frame, text: str, taken: Sequence[_Box], area: _Box) -> list[_Label]:
    """Where the target's label may go, best first: above its line at the right end, below it,
    the same at the left end, then between two rounds from the right; only those covering no
    point (if none is free, the least covered)."""
    ends = [("end", frame.right), ("start", frame.left + 2)]
    between = [("middle", frame.left + k * frame.band) for k in range(frame.count - 1, 0, -1)]
    labels = [_Label(text, anchor, tx, ty + dy, _FONT) for anchor, tx in ends + between for dy in (-4.0, _FONT + 1.0)]
    fitting = [label for label in labels if _inside(label.box, area)] or labels
    free = [label for label in fitting if not any(_overlap(label.box, t) for t in taken)]
    return free or [min(fitting, key=lambda label: sum(_overlap(label.box, t) for t in taken))]


_Placed = list[tuple[_Point, _Label]]


def _place_values(
    points: Sequence[_Point], texts: dict[tuple[int, int], str], count: int, room: _Room
) -> _Placed | None:
    """Each point's value, as (point, label); None if one finds no place in ``room``.

    Round by round from the left; in a round, the points from the top down: a value goes above
    its point, or below it (a lone point's also beside it, above or below, where its lines
    leave room), or under the value placed before it in this round, at the first place in the
    room (clear of the lines, the points, the axis's and the target's labels, the values of
    this round and of the rounds before). The values of close series thus stand in the order
    of their points, a stack above and under them. If that leaves the plot (close points at its
    foot), the round is placed from the bottom point up, the mirror image; then with the values
    of the upper points stacked above them all and the others under them, the split as even as
    room allows."""
    placed: _Placed = []
    for n in range(count):
        column = sorted((p for p in points if p[1] == n), key=lambda p: p[3])
        if not column:
            continue
        # in the way: what is within a value's width and a little (a lone value may stand aside)
        reach = max(_text_width(texts[p[0], n], _VALUE_FONT) for p in column) + 8
        near = room.near(column[0][2] - reach, column[0][2] + reach)
        splits = sorted(range(len(column) + 1), key=lambda k: abs(k - len(column) / 2))
        labels = (
            _stack(column, texts, near, downwards=True)
            or _stack(column[::-1], texts, near, downwards=False)
            or next((found for k in splits if (found := _split(column, k, texts, near))), None)
        )
        if labels is None:
            return None
        placed += labels
        room = room.plus(label.box for _, label in labels)
    return placed


def _split(column: Sequence[_Point], k: int, texts: dict[tuple[int, int], str], room: _Room) -> _Placed | None:
    """The values of the ``k`` upper points stacked above them, those of the others under them."""
    upper = _stack(column[:k][::-1], texts, room, downwards=False, both_sides=False)
    if upper is None:
        return None
    lower = _stack(column[k:], texts, room.plus(label.box for _, label in upper), downwards=True, both_sides=False)
    return None if lower is None else upper[::-1] + lower


def _stack(
    column: Sequence[_Point],
    texts: dict[tuple[int, int], str],
    room: _Room,
    *,
    downwards: bool,
    both_sides: bool = True,
) -> _Placed | None:
    """Values of one round, one after another, from the first point of ``column``, going down the
    chart or up it: each beside its point (on the near side first if ``both_sides``, else only
    on the far side), or beyond the value placed before it (see :func:`_place_values`). None
    where one finds no free place."""
    out: _Placed = []
    edge = None  # the far side of the value placed last: the next one goes beyond it
    for point in column:
        options = _places(
            point, texts[point[0], point[1]], len(column), edge, downwards=downwards, both_sides=both_sides
        )
        in_order = (
            o for o in options if edge is None or (o.box[1] >= edge - 0.5 if downwards else o.box[3] <= edge + 0.5)
        )
        found = next((o for o in in_order if room.fits(o.box)), None)  # the first free place
        if found is None:
            return None
        out.append((point, found))
        room = room.plus((found.box,))
        edge = found.box[3] if downwards else found.box[1]
    return out


def _places(
    point: _Point, text: str, count: int, edge: float | None, *, downwards: bool, both_sides: bool
) -> list[_Label]:
    """Where a value may go, in order of preference (see :func:`_stack`): beside its point, then
    from there, or beyond the last value if that is further, a little further each time (close
    under a point in the way rather than a whole line further). A round's lone value may also
    stand aside, above or below: where a steep line leaves its point, above and below it are
    both crossed."""
    _, _, px, py = point

    def label(baseline: float, anchor: str = "middle", x: float = px) -> _Label:
        return _Label(text, anchor, x, baseline, _VALUE_FONT)

    above, under = label(py - 7), label(py + _VALUE_FONT + 3)
    near, far = (above, under) if downwards else (under, above)
    first = [near, far] if both_sides else [far]
    if both_sides and count == 1:
        first += [
            label(y, anchor, px + dx)
            for y in (py - 5, py + _VALUE_FONT + 2)
            for anchor, dx in (("start", 5), ("end", -5))
        ]
    start = first[0].baseline
    sign = 1 if downwards else -1
    if edge is not None:
        beyond = edge + _VALUE_FONT * 0.9 + 1 if downwards else edge - _VALUE_FONT * 0.22 - 1
        start = max(start, beyond) if downwards else min(start, beyond)
    reach = (count + 2) * _VALUE_HEIGHT
    options = [*first, *(label(start + sign * k * _STEP) for k in range(int(reach / _STEP)))]
    return [o for o in options if abs(o.baseline - _VALUE_FONT * 0.34 - py) <= _NEAR]  # the box's middle


def _polylines(points: Sequence[tuple[float, float] | None], colour: str, dash: str) -> list[str]:
    """A dot at each point, joined by a line where points follow each other; where a series has
    no value in some rounds, a thinner, fainter line joins the values on either side of them."""
    present = [(n, point) for n, point in enumerate(points) if point is not None]
    runs: list[list[tuple[float, float]]] = []
    parts = []
    last = -2
    for n, (px, py) in present:
        if n > last + 1:
            if runs:  # across the rounds without a value
                (bx, by) = runs[-1][-1]
                parts.append(
                    f'<line x1="{bx:.1f}" y1="{by:.1f}" x2="{px:.1f}" y2="{py:.1f}" stroke="{colour}" '
                    f'{_stroke(dash, _BRIDGE_WIDTH)} stroke-opacity="{_BRIDGE_OPACITY}"/>'
                )
            runs.append([])
        runs[-1].append((px, py))
        last = n
    for run in runs:
        if len(run) > 1:
            joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            parts.append(f'<polyline points="{joined}" fill="none" stroke="{colour}" {_stroke(dash)}/>')
    parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{colour}"/>' for run in runs for px, py in run]
    return parts

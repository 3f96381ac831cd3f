"""统计图: small horizontal bar charts as inline SVG, drawn in Python from the report's numbers.

Inline SVG costs WeasyPrint next to nothing (no image decoding, no fetch) and prints sharp.
Every label is escaped: section titles come from checklist files, which users may write.
The text carries the report's font family itself, since the page's CSS does not reach into SVG.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from ..domain.formats import cn_date, number_text
from ..domain.text import clean_text

if TYPE_CHECKING:
    from ..services.overview import Trend

__all__ = ["BAR_ROW", "Bar", "Line", "bar_chart", "line_chart", "trend_chart"]

#: Drawing units per millimetre: text is 12 units (≈ 9 pt) whatever the chart's width.
_UNITS_PER_MM = 600 / 156
#: Height of one bar's row in drawing units: 概览 finds the bar under a click by it.
BAR_ROW = 19
_BAR = 11
_FONT = 12

#: Restrained colours that survive a black-and-white printer as distinct greys.
COLOURS = {"ok": "#3b5b8a", "good": "#4f7f52", "warn": "#b8862b", "fail": "#a63a32", "muted": "#9a9a9a"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    #: the number written at the end of the bar, e.g. ``87.5`` or ``12 项``
    text: str
    tone: str = "ok"


def _char_width(ch: str) -> float:
    return _FONT if ord(ch) > 0x2E7F else _FONT * 0.55  # CJK ≈ 1 em, the rest ≈ 0.55 em


def _fit(label: str, room: float) -> str:
    """Shorten ``label`` to fit ``room`` drawing units."""
    width = 0.0
    for n, ch in enumerate(label):
        width += _char_width(ch)
        if width > room:
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
    label_width = int(min(longest + 8, view_width * 0.4))
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


#: Series colours, distinct in grey too (dark, mid, light) and by their dash pattern
_LINE_STYLES = (
    ("#3b5b8a", ""),
    ("#a63a32", "6,3"),
    ("#4f7f52", "2,3"),
    ("#b8862b", "8,3,2,3"),
    ("#6a4c93", "4,4"),
    ("#555555", "1,2"),
)
#: the values written beside the points: a little smaller than the axes' text, so they read as data
_VALUE_FONT = 11
#: the distance between values stacked under one another
_VALUE_HEIGHT = 12
#: how far a value moves at a time when looking for a free place
_STEP = 2
_TARGET_COLOUR = "#a63a32"

_Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def line_chart(
    labels: Sequence[str],
    lines: Sequence[Line],
    *,
    font_family: str,
    title: str = "",
    maximum: float | None = None,
    target: float | None = None,
    target_text: str = "",
    unit: str = "",
    value_text: Callable[[float], str] = lambda v: number_text(v, "", computed=False),
    short_labels: Sequence[str] = (),
    background: str = "#fff",
    width_mm: float = 156,
    height_mm: float = 60,
) -> Markup:
    """A trend across rounds: one polyline per series over the rounds in ``labels``, with an
    optional dashed target line. Points without a value are skipped (the line breaks there).
    ``unit`` is written above the value axis (单位：例次/千导管日): the ticks stay plain numbers.

    Each round has a band of the plot's width, its points in the middle (as a spreadsheet draws a
    line chart). Its name is written under it, on one line or on two staggered ones, or, where the
    names do not fit even so, its ``short_labels`` (the rounds' dates) instead.

    Every point carries its value (``value_text``, in its series' colour, on a ground of the
    page's ``background`` that the lines pass under), placed by :func:`_place_values` so that no
    value overprints another, a point or the target's label; the chart grows taller where many
    series need the room."""
    view_width = width_mm * _UNITS_PER_MM
    values = [v for line in lines for v in line.values if v is not None]
    top_value = maximum or _axis_top([*values, target or 0], unit)
    left, right = 48, 12
    band = (view_width - left - right) / max(len(labels), 1)
    names, rows = _round_names(labels, short_labels, band)
    top = (30 if title else 10) + (12 if unit else 0)  # the top value's label stays clear of both
    below = 30 + 14 * (rows - 1) + (BAR_ROW if len(lines) > 1 else 0)  # the rounds' names and the legend
    # room for a round's values stacked one under another, when every series is close to the others
    view_height = max(height_mm * _UNITS_PER_MM, top + (len(lines) + 2) * _VALUE_HEIGHT + below)
    bottom = view_height - below

    def x(n: int) -> float:
        return left + (n + 0.5) * band

    def y(v: float) -> float:
        return bottom - max(0.0, min(v / top_value, 1.0)) * (bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {view_width:.0f} {view_height:.0f}" '
        f'width="{width_mm}mm" height="{view_height / _UNITS_PER_MM:.1f}mm" '
        f'font-family="{escape(font_family)}" font-size="{_FONT}">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>')
    parts += _grid(top_value, left, view_width - right, y, unit)
    for n, name in enumerate(names):
        half = _text_width(name, _FONT) / 2  # the first and last stay inside the chart
        nx = min(max(x(n), half + 1), view_width - half - 1)
        parts.append(
            f'<text x="{nx:.1f}" y="{bottom + 16 + 14 * (n % rows):.1f}" text-anchor="middle">{escape(name)}</text>'
        )
    points = [(s, n, x(n), y(v)) for s, line in enumerate(lines) for n, v in enumerate(line.values) if v is not None]
    taken = [(px - 3.5, py - 3.5, px + 3.5, py + 3.5) for _, _, px, py in points]
    area = (0.0, top - 2, view_width, bottom)
    target_label = None
    if target is not None:
        ty = y(target)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{view_width - right:.0f}" y2="{ty:.1f}" '
            f'stroke="{_TARGET_COLOUR}" stroke-width="1" stroke-dasharray="5,4"/>'
        )
        target_label = _place_target(ty, left, view_width - right, target_text or f"目标 {target:g}", taken, area)
        taken.append(target_label.box)
    for index, line in enumerate(lines):
        colour, dash = _LINE_STYLES[index % len(_LINE_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts += _polylines([None if v is None else (x(n), y(v)) for n, v in enumerate(line.values)], colour, dash_attr)
        if len(lines) > 1:
            width = (view_width - left - right) / len(lines)
            parts += _legend_entry(left + index * width, view_height - 6, width, line.name, colour, dash_attr)
    if target_label is not None:
        parts += target_label.svg(_TARGET_COLOUR, background)
    texts = {
        (s, n): clean_text(value_text(v))
        for s, line in enumerate(lines)
        for n, v in enumerate(line.values)
        if v is not None
    }
    for (index, _, _, _), label in _place_values(points, texts, len(labels), taken, area):
        parts += label.svg(_LINE_STYLES[index % len(_LINE_STYLES)][0], background)
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(
    rounds: Sequence[str],
    trend: Trend,
    *,
    font_family: str,
    dates: Sequence[dt.date] = (),
    maximum: float | None = None,
    background: str = "#fff",
    height_mm: float = 60,
) -> Markup:
    """A trend of the 概览 page and of the 自查报告 (one drawing for both): its series over the
    rounds, each point with its value as the rest of the program writes it in that unit
    (:func:`app.domain.formats.number_text`, the unit named above the axis), the target line with
    the target as the tables state it (``目标 ≥80%``), and under the plot the rounds' names, or
    their dates where the names do not fit (``2025年1月15日``, then ``2月15日`` within a year)."""
    return line_chart(
        rounds,
        [Line(name, tuple(values)) for name, values in trend.series.items()],
        font_family=font_family,
        title=trend.title,
        maximum=maximum,
        target=trend.target,
        target_text=f"目标 {trend.target_text}" if trend.target is not None and trend.target_text else "",
        unit=trend.unit,
        value_text=lambda value: number_text(value, trend.unit, trend.computed),
        short_labels=short_dates(dates),
        background=background,
        height_mm=height_mm,
    )


def short_dates(dates: Sequence[dt.date]) -> list[str]:
    """Rounds' dates under a trend: the first in full, then without the year while it stays the
    same: ``2025年1月15日``, ``2月15日``, …, ``2026年1月10日``."""
    out = []
    for n, day in enumerate(dates):
        same_year = n > 0 and dates[n - 1].year == day.year
        out.append(f"{day.month}月{day.day}日" if same_year else cn_date(day))
    return out


def _round_names(labels: Sequence[str], short: Sequence[str], band: float) -> tuple[list[str], int]:
    """The rounds' names under the plot and on how many staggered lines: the names on one line
    if they fit their bands, or on two (each then has two bands), or else the short labels so,
    then those without their years (a date as long as ``2025年12月15日`` does not fit twelve
    rounds' bands; the sentence over the charts dates each round in full); failing all, the
    short labels (or names) on two lines, shortened with …"""
    without_years = [re.sub(r"^\d{4}年", "", text) for text in short]
    for candidate in (labels, short, without_years) if short else (labels,):
        for rows in (1, 2):
            if all(_text_width(text, _FONT) <= rows * band - 6 for text in candidate):
                return list(candidate), rows
    return [_fit(text, 2 * band - 6) for text in (short or labels)], 2


def _grid(top_value: float, left: float, right: float, y: Callable[[float], float], unit: str) -> list[str]:
    """The light grid with its values, and their unit above them."""
    parts = (
        [f'<text x="0" y="{y(top_value) - 12}" fill="#555">{escape("单位：" + clean_text(unit))}</text>']
        if unit
        else []
    )
    for k in range(5):
        grid_value = top_value * k / 4
        gy = y(grid_value)
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{right:.0f}" y2="{gy:.1f}" stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{gy + 4:.1f}" text-anchor="end" fill="#555">{grid_value:.6g}</text>')
    return parts


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
        """The text on a ground of the page's colour: the lines and the grid pass under it."""
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


def _free(box: _Box, taken: Sequence[_Box]) -> bool:
    return not any(_overlap(box, t) for t in taken)


def _place_target(ty: float, x1: float, x2: float, text: str, taken: Sequence[_Box], area: _Box) -> _Label:
    """The target's label: above its line at the right end, unless that covers a point; then
    below it, then at the left end."""
    labels = [
        _Label(text, anchor, tx, ty + dy, _FONT)
        for anchor, tx in (("end", x2), ("start", x1 + 2))
        for dy in (-4.0, _FONT + 1.0)
    ]
    fitting = [label for label in labels if _inside(label.box, area)] or labels
    return min(fitting, key=lambda label: sum(_overlap(label.box, t) for t in taken))  # the first free one


def _place_values(
    points: Sequence[tuple[int, int, float, float]],
    texts: dict[tuple[int, int], str],
    count: int,
    taken: Sequence[_Box],
    area: _Box,
) -> list[tuple[tuple[int, int, float, float], _Label]]:
    """Each point's value, as (point, label).

    Round by round from the left; in a round, the points from the top down: a value goes above
    its point, or below it, or under the value placed before it in this round, at the first
    place that stays in the plot and covers nothing placed before (points, the target's label,
    the values of this round and of the rounds before). The values of close series thus stand
    in the order of their points, a stack above and under them. If that leaves the plot (close
    points at its foot), the round is placed from the bottom point up, the mirror image; then
    with the values of the upper points stacked above them all and the others under them, the
    split as even as room allows. Only if all of that fails (more series than room) does a value
    take the least covered place."""
    placed: list[tuple[tuple[int, int, float, float], _Label]] = []
    taken = list(taken)
    for n in range(count):
        column = sorted((p for p in points if p[1] == n), key=lambda p: p[3])
        if not column:
            continue
        reach = max(_text_width(texts[p[0], n], _VALUE_FONT) for p in column) / 2 + 2
        near = [t for t in taken if t[0] < column[0][2] + reach and t[2] > column[0][2] - reach]  # in the way
        splits = sorted(range(len(column) + 1), key=lambda k: abs(k - len(column) / 2))
        labels = (
            _stack(column, texts, near, area, downwards=True)
            or _stack(column[::-1], texts, near, area, downwards=False)
            or next((found for k in splits if (found := _split(column, k, texts, near, area))), None)
            or _stack(column, texts, near, area, downwards=True, settle=True)
            or []
        )
        for point, label in labels:
            placed.append((point, label))
            taken.append(label.box)
    return placed


_Placed = list[tuple[tuple[int, int, float, float], _Label]]


def _split(
    column: Sequence[tuple[int, int, float, float]],
    k: int,
    texts: dict[tuple[int, int], str],
    taken: Sequence[_Box],
    area: _Box,
) -> _Placed | None:
    """The values of the ``k`` upper points stacked above them, those of the others under them."""
    upper = _stack(column[:k][::-1], texts, taken, area, downwards=False, both_sides=False)
    if upper is None:
        return None
    lower = _stack(
        column[k:], texts, [*taken, *(label.box for _, label in upper)], area, downwards=True, both_sides=False
    )
    return None if lower is None else upper[::-1] + lower


def _stack(
    column: Sequence[tuple[int, int, float, float]],
    texts: dict[tuple[int, int], str],
    taken: Sequence[_Box],
    area: _Box,
    *,
    downwards: bool,
    both_sides: bool = True,
    settle: bool = False,
) -> _Placed | None:
    """Values of one round, one after another, from the first point of ``column``, going down the
    chart or up it: each beside its point (on the near side first if ``both_sides``, else only
    on the far side), or beyond the value placed before it (see :func:`_place_values`). None
    where one finds no free place, unless ``settle`` (then it takes the least covered)."""
    out: _Placed = []
    taken = list(taken)
    edge = None  # the far side of the value placed last: the next one goes beyond it
    sign = 1 if downwards else -1
    for point in column:
        index, n, px, py = point

        def label(baseline: float, index: int = index, n: int = n, px: float = px) -> _Label:
            return _Label(texts[index, n], "middle", px, baseline, _VALUE_FONT)

        above, under = label(py - 7), label(py + _VALUE_FONT + 3)
        near, far = (above, under) if downwards else (under, above)
        first = [near, far] if both_sides else [far]
        # then from beside its point, or beyond the last value if that is further, a little
        # further each time: close under a point in the way rather than a whole line further
        start = first[0].baseline
        if edge is not None:
            beyond = edge + _VALUE_FONT * 0.9 + 1 if downwards else edge - _VALUE_FONT * 0.22 - 1
            start = max(start, beyond) if downwards else min(start, beyond)
        reach = (len(column) + 2) * _VALUE_HEIGHT
        options = [*first, *(label(start + sign * k * _STEP) for k in range(int(reach / _STEP)))]
        in_order = (
            o
            for o in options
            if _inside(o.box, area)
            and (edge is None or (o.box[1] >= edge - 0.5 if downwards else o.box[3] <= edge + 0.5))
        )
        found = next((o for o in in_order if _free(o.box, taken)), None)  # the first free place
        if found is not None:
            chosen = found
        elif settle:
            inside = [o for o in options if _inside(o.box, area)] or options
            chosen = min(inside, key=lambda o: sum(_overlap(o.box, t) for t in taken))
        else:
            return None
        out.append((point, chosen))
        taken.append(chosen.box)
        edge = chosen.box[3] if downwards else chosen.box[1]
    return out


def _polylines(points: Sequence[tuple[float, float] | None], colour: str, dash_attr: str) -> list[str]:
    """A dot at each point, joined by a line where points follow each other; None breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    parts = []
    for run in runs:
        if len(run) > 1:
            joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
            parts.append(f'<polyline points="{joined}" fill="none" stroke="{colour}" stroke-width="1.6"{dash_attr}/>')
        parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{colour}"/>' for px, py in run]
    return parts


def _legend_entry(lx: float, ly: float, width: float, name: str, colour: str, dash_attr: str) -> list[str]:
    return [
        f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 18:.1f}" y2="{ly - 4:.1f}" '
        f'stroke="{colour}" stroke-width="1.6"{dash_attr}/>',
        f'<text x="{lx + 22:.1f}" y="{ly:.1f}">{escape(_fit(name, width - 26))}</text>',
    ]

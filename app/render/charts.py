"""统计图: small horizontal bar charts as inline SVG, drawn in Python from the report's numbers.

Inline SVG costs WeasyPrint next to nothing (no image decoding, no fetch) and prints sharp.
Every label is escaped: section titles come from checklist files, which users may write.
The text carries the report's font family itself, since the page's CSS does not reach into SVG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..domain.text import clean_text

__all__ = ["Bar", "bar_chart"]

#: Drawing units per millimetre: text is 12 units (≈ 9 pt) whatever the chart's width.
_UNITS_PER_MM = 600 / 156
_ROW = 19
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

    The label column is as wide as the longest label, up to 40% of the chart (longer ones end in …).
    """
    view_width = width_mm * _UNITS_PER_MM
    longest = max((sum(_char_width(ch) for ch in bar.label) for bar in bars), default=0)
    label_width = int(min(longest + 8, view_width * 0.4))
    top = 22 if title else 4
    height = top + _ROW * len(bars) + 6
    plot = view_width - label_width - 70  # room for the number after the longest bar
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
        y = top + n * _ROW
        mid = y + _ROW / 2 + _FONT * 0.35
        label = escape(_fit(clean_text(bar.label), label_width - 4))
        parts.append(f'<text x="{label_width}" y="{mid:.1f}" text-anchor="end">{label}</text>')
        length = 0.0
        if bar.value is not None and maximum > 0:
            length = max(0.0, min(bar.value / maximum, 1.0)) * plot
            colour = COLOURS.get(bar.tone, COLOURS["ok"])
            parts.append(
                f'<rect x="{axis_x}" y="{y + (_ROW - _BAR) / 2:.1f}" width="{length:.1f}" '
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
    width_mm: float = 156,
    height_mm: float = 60,
) -> Markup:
    """A trend across rounds: one polyline per series over the rounds in ``labels``, with an
    optional dashed target line. Points without a value are skipped (the line breaks there).
    ``unit`` is written above the value axis (单位：例次/千导管日): the ticks stay plain numbers."""
    view_width = width_mm * _UNITS_PER_MM
    view_height = height_mm * _UNITS_PER_MM
    values = [v for line in lines for v in line.values if v is not None]
    top_value = maximum or _nice_ceiling(max([*values, target or 0]) * 1.1)
    left, right = 48, 12
    top = (30 if title else 10) + (12 if unit else 0)  # the top value's label stays clear of both
    legend = _ROW if len(lines) > 1 else 0
    bottom = view_height - 30 - legend
    plot_w = view_width - left - right
    step = plot_w / max(len(labels) - 1, 1)

    def x(n: int) -> float:
        return left + (n * step if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return bottom - max(0.0, min(v / top_value, 1.0)) * (bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {view_width:.0f} {view_height:.0f}" '
        f'width="{width_mm}mm" height="{height_mm}mm" font-family="{escape(font_family)}" font-size="{_FONT}">'
    ]
    if title:
        parts.append(f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>')
    if unit:
        parts.append(f'<text x="0" y="{top - 12}" fill="#555">{escape("单位：" + clean_text(unit))}</text>')
    for k in range(5):  # light grid with its values
        grid_value = top_value * k / 4
        gy = y(grid_value)
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{view_width - right:.0f}" y2="{gy:.1f}" '
            'stroke="#ddd" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{left - 4}" y="{gy + 4:.1f}" text-anchor="end" fill="#555">{grid_value:.4g}</text>')
    room = plot_w / max(len(labels), 1) - 6
    for n, label in enumerate(labels):
        # the first and last labels stand inside the plot, not half outside it
        anchor = "middle" if 0 < n < len(labels) - 1 or len(labels) == 1 else "start" if n == 0 else "end"
        parts.append(
            f'<text x="{x(n):.1f}" y="{bottom + 16:.1f}" text-anchor="{anchor}">'
            f"{escape(_fit(label, max(room, 24)))}</text>"
        )
    if target is not None:
        parts += _target_line(y(target), left, view_width - right, target_text or f"目标 {target:g}")
    for index, line in enumerate(lines):
        colour, dash = _LINE_STYLES[index % len(_LINE_STYLES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        points = [None if value is None else (x(n), y(value)) for n, value in enumerate(line.values)]
        parts += _polylines(points, colour, dash_attr)
        if lines and len(lines) > 1:
            width = plot_w / len(lines)
            parts += _legend_entry(left + index * width, view_height - 6, width, line.name, colour, dash_attr)
    parts.append("</svg>")
    return Markup("".join(parts))


def _target_line(ty: float, x1: float, x2: float, text: str) -> list[str]:
    return [
        f'<line x1="{x1}" y1="{ty:.1f}" x2="{x2:.0f}" y2="{ty:.1f}" '
        'stroke="#a63a32" stroke-width="1" stroke-dasharray="5,4"/>',
        f'<text x="{x2:.0f}" y="{ty - 4:.1f}" text-anchor="end" fill="#a63a32">{escape(text)}</text>',
    ]


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

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

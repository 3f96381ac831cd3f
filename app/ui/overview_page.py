"""概览: the open round in charts (scores, grades, rectifications) and its trend across rounds.

The charts are the reports' own SVG (app/render/charts.py) shown with QtSvg: one drawing code
for the screen and the PDF. Clicking a bar filters the walkthrough or the board to its items.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..render.charts import _ROW, Bar, bar_chart, trend_chart
from ..services.overview import Bar as OverviewBar
from ..services.overview import Overview, Trend
from ..services.session import Changes, RoundSession
from .item_editors import plain_label
from .qt import QApplication, QGridLayout, QScrollArea, QSvgWidget, Qt, QVBoxLayout, QWidget, Signal
from .redraw import DrawnAsOf

_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


class ChartWidget(QSvgWidget):
    """An SVG chart at its natural size; a click on a bar's row emits that bar's target."""

    clicked = Signal(str, str)

    def __init__(self, svg: str, bars: Sequence[OverviewBar] = (), titled: bool = True) -> None:
        super().__init__()
        self.load(svg.encode("utf-8"))
        width, height = (float(v) for v in _VIEWBOX.search(svg).groups())  # type: ignore[union-attr]
        self.setFixedSize(int(width), int(height))
        self.bars = list(bars)
        self._top = 22 if titled else 4
        if any(b.target for b in self.bars):
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip("点击条形，转到相应的条目")

    def bar_at(self, y: float) -> OverviewBar | None:
        row = int((y - self._top) // _ROW)
        return self.bars[row] if 0 <= row < len(self.bars) and y >= self._top else None

    def mousePressEvent(self, event) -> None:
        bar = self.bar_at(event.position().y())
        if bar is not None and bar.target is not None:
            self.clicked.emit(*bar.target)
        super().mousePressEvent(event)


class OverviewPage(QWidget):
    """The 概览 tab. ``filter_requested(kind, value)``: the user clicked a bar."""

    filter_requested = Signal(str, str)

    def __init__(self, session: RoundSession) -> None:
        super().__init__()
        self.session = session
        self.overview: Overview | None = None
        # drawn again when shown after a change (the charts cost more than a tab switch)
        self.drawn = DrawnAsOf(lambda: session.today())
        session.subscribe(self._changed)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll_area)
        self.charts: list[ChartWidget] = []
        self.trend_note = plain_label()
        self.font_family = QApplication.font().family()  # the charts speak in the window's font

    def focus_charts(self) -> None:
        """The keyboard on the page: it scrolls the charts."""
        self.scroll_area.setFocus()

    def _changed(self, changes: Changes) -> None:
        if changes.sections or changes.rectifications or changes.round:
            self.drawn.mark_changed()
            if self.isVisible():
                self.refresh()

    def refresh_if_stale(self) -> None:
        if self.drawn.due:
            self.refresh()

    def refresh(self) -> None:
        self.drawn.drawn()
        self.overview = self.session.overview()
        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(16)
        self.charts = []
        cells: list[QWidget] = []
        o = self.overview
        cells.append(self._bars(o.checklists, "各检查表得分率（已评/适用；点击查看条目）", 100))
        cells.append(self._bars(o.grades, "评价结果分布（点击筛选）", max([b.value or 0 for b in o.grades] + [1])))
        for label, bars in o.sections.items():
            cells.append(self._bars(bars, f"{label}：各部分得分率（✗ 为不符合条数）", 100))
        departments = o.department_bars
        if departments:
            cells.append(
                self._bars(
                    departments,
                    "各科室未完成的整改项（点击查看整改台账）",
                    max([b.value or 0 for b in departments] + [1]),
                )
            )
        if o.closed_per_month:
            cells.append(
                self._bars(
                    o.closed_per_month, "每月完成的整改项", max([b.value or 0 for b in o.closed_per_month] + [1])
                )
            )
        trends: list[QWidget] = []
        if o.score_trend is not None and o.failing_trend is not None:
            trends.append(self._trend(o.score_trend, maximum=100))
            trends.append(self._trend(o.failing_trend))
            trends += [self._trend(t) for t in o.indicator_trends]
            # which rounds the charts compare, and those they leave out, as the report says it
            self.trend_note = plain_label("\n".join(x for x in (o.trend_intro(), o.left_out_note()) if x))
        else:
            self.trend_note = plain_label(
                "本院只有这一轮自查：开展复查或下一轮自查后，这里显示各轮得分、不符合条目和指标的变化趋势。"
            )
        self.trend_note.setWordWrap(True)
        top = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        for n, cell in enumerate(cells):
            grid.addWidget(cell, n // 2, n % 2, top)
        row = (len(cells) + 1) // 2
        heading = plain_label("历次自查趋势")
        heading.setStyleSheet("font-weight: bold;")
        grid.addWidget(heading, row, 0, 1, 2)
        grid.addWidget(self.trend_note, row + 1, 0, 1, 2)
        for n, cell in enumerate(trends):
            grid.addWidget(cell, row + 2 + n // 2, n % 2, top)
        grid.setRowStretch(row + 2 + (len(trends) + 1) // 2, 1)
        self.scroll_area.setWidget(body)

    def _bars(self, bars: Sequence[OverviewBar], title: str, maximum: float) -> QWidget:
        svg = bar_chart(
            [Bar(b.label, b.value, b.text, b.tone) for b in bars],
            maximum=maximum,
            font_family=self.font_family,
            title=title,
        )
        chart = ChartWidget(str(svg), bars)
        chart.clicked.connect(self.filter_requested)
        self.charts.append(chart)
        return chart

    def _trend(self, trend: Trend, maximum: float | None = None) -> QWidget:
        o = self.overview
        assert o is not None
        svg = trend_chart(
            o.rounds,
            trend,
            font_family=self.font_family,
            dates=o.round_dates,
            maximum=maximum,
            background=self.palette().window().color().name(),  # the ground under the values
        )
        chart = ChartWidget(str(svg))
        self.charts.append(chart)
        return chart

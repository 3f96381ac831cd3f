"""概览: the open round in charts (scores, grades, rectifications) and its trend across rounds.

The charts are the reports' own SVG (app/render/charts.py) shown with QtSvg: one drawing code
for the screen and the PDF. Clicking a bar filters the walkthrough or the board to its items; from
the keyboard, Tab goes from chart to chart, ↑ ↓ choose a bar and Enter or Space apply it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..render.charts import BAR_ROW, TONE_KEY, Bar, bar_chart, trend_chart
from ..services.overview import Bar as OverviewBar
from ..services.overview import Overview, Trend
from ..services.session import Changes, RoundSession
from .item_editors import plain_label
from .qt import (
    QApplication,
    QGridLayout,
    QPainter,
    QRect,
    QScrollArea,
    QSvgWidget,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .redraw import DrawnAsOf
from .screen import text_scale

_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


class ChartWidget(QSvgWidget):
    """An SVG chart at its natural size; a click on a bar's row emits that bar's target. A chart
    with such bars takes the keyboard too: ↑ ↓ (Home, End) choose a bar, marked as the focus is,
    and Enter or Space emit its target."""

    clicked = Signal(str, str)

    def __init__(self, svg: str, bars: Sequence[OverviewBar] = (), titled: bool = True, title: str = "") -> None:
        super().__init__()
        self.load(svg.encode("utf-8"))
        width, height = (float(v) for v in _VIEWBOX.search(svg).groups())  # type: ignore[union-attr]
        # drawn for 9 pt text, and as much larger as the window's text is: at Windows' 125 % text
        # size the charts' labels were smaller than the tabs and menus around them
        self.scale = text_scale(self)
        self.setFixedSize(round(int(width) * self.scale), round(int(height) * self.scale))
        self.bars = list(bars)
        self._top = 22 if titled else 4
        #: the rows whose bar leads somewhere, and the one the keyboard is on
        self.choices = [n for n, b in enumerate(self.bars) if b.target is not None]
        self.current: int | None = None
        if self.choices:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setToolTip("点击条形，转到相应的条目（键盘：↑ ↓ 选择，Enter 确定）")
            self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.setAccessibleName(title)

    def bar_at(self, y: float) -> OverviewBar | None:
        row = self._row_at(y)
        return self.bars[row] if row is not None else None

    def _row_at(self, y: float) -> int | None:
        y /= self.scale  # in the chart's own units
        row = int((y - self._top) // BAR_ROW)
        return row if 0 <= row < len(self.bars) and y >= self._top else None

    def mousePressEvent(self, event) -> None:
        row = self._row_at(event.position().y())
        if row is not None and row in self.choices:
            self._choose(row)
            self._apply()
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        key, keys = event.key(), Qt.Key
        if self.choices and not event.modifiers() and key in (keys.Key_Up, keys.Key_Down, keys.Key_Home, keys.Key_End):
            if key in (keys.Key_Home, keys.Key_End):
                self._choose(self.choices[0 if key == keys.Key_Home else -1])
            else:
                at = self.choices.index(self.current) if self.current in self.choices else -1
                at += 1 if key == keys.Key_Down else -1
                self._choose(self.choices[max(0, min(len(self.choices) - 1, at))])
            return
        if self.current is not None and key in (keys.Key_Return, keys.Key_Enter, keys.Key_Space):
            self._apply()
            return
        super().keyPressEvent(event)

    def _apply(self) -> None:
        target = self.bars[self.current].target if self.current is not None else None
        if target is not None:
            self.clicked.emit(*target)

    def _choose(self, row: int) -> None:
        self.current = row
        bar = self.bars[row]
        self.setAccessibleDescription(f"{bar.label}：{bar.text}")
        self.update()
        self._scroll_to(row)

    def _scroll_to(self, row: int) -> None:
        """Keep the chosen bar in view in the scroll area the chart is in (a long chart of sections)."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        inner = area.widget() if area is not None else None
        if area is not None and inner is not None:
            centre = self.mapTo(inner, self.rect().topLeft()) + self._row_rect(row).center()
            area.ensureVisible(centre.x(), centre.y(), 0, BAR_ROW)

    def _row_rect(self, row: int) -> QRect:
        top = round((self._top + row * BAR_ROW) * self.scale)
        return QRect(0, top, self.width(), round((self._top + (row + 1) * BAR_ROW) * self.scale) - top)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        if self.current is None and self.choices:
            self._choose(self.choices[0])
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus() and self.current is not None:  # the bar Enter applies, marked as focus is
            painter = QPainter(self)
            highlight = self.palette().highlight().color()
            shade = highlight.lighter(170)
            shade.setAlpha(90)
            rect = self._row_rect(self.current)
            painter.fillRect(rect, shade)
            painter.setPen(highlight)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.end()


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
        self._cells: list[QWidget] = []
        self._trends: list[QWidget] = []
        self._heading = plain_label()
        self._key = plain_label()
        self._grid = QGridLayout()
        self._columns = 0
        self.font_family = QApplication.font().family()  # the charts speak in the window's font

    def focus_charts(self) -> None:
        """The keyboard on the first chart whose bars lead somewhere (↑ ↓ choose one, Enter applies
        it); on the page, to scroll it, if none does."""
        chart = next((c for c in self.charts if c.choices), None)
        (chart or self.scroll_area).setFocus()

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
            trends.append(self._trend(o.score_trend, maximum=100, floor=True))
            trends.append(self._trend(o.failing_trend))
            trends += [self._trend(t) for t in o.indicator_trends]
            # which rounds the charts compare, and those they leave out, as the report says it
            notes = (o.trend_intro(), o.left_out_note(), o.failing_note(), o.later_note())
            self.trend_note = plain_label("\n".join(x for x in notes if x))
        else:
            self.trend_note = plain_label(o.no_trend_note())
        self.trend_note.setWordWrap(True)
        self._cells, self._trends = cells, trends
        self._heading = plain_label("历次自查趋势")
        self._heading.setStyleSheet("font-weight: bold;")
        # what the bars' colours say, as under the 自查报告's charts (the page had no key: review)
        self._key = plain_label(TONE_KEY)
        self._key.setWordWrap(True)
        self._grid = grid
        self._columns = 0
        self._arrange()
        self.scroll_area.setWidget(body)

    def _columns_that_fit(self) -> int:
        """Two charts side by side where the page has room for them (and a vertical scroll bar),
        else one under the other: at 1024 px two did not fit, and the right-hand ones were cut."""
        widest = max((chart.width() for chart in self.charts), default=0)
        margins = self._grid.contentsMargins()
        room = (
            self.scroll_area.width()
            - 2 * self.scroll_area.frameWidth()
            - self.scroll_area.verticalScrollBar().sizeHint().width()
            - margins.left()
            - margins.right()
        )
        return 2 if 2 * widest + self._grid.horizontalSpacing() <= room else 1

    def _arrange(self) -> None:
        """The colours' key, the charts in as many columns as fit, the trend under its heading and note."""
        columns = self._columns_that_fit()
        if columns == self._columns:
            return
        self._columns = columns
        grid = self._grid
        texts: list[QWidget] = [self._key, self._heading, self.trend_note]
        for widget in (*self._cells, *texts, *self._trends):
            grid.removeWidget(widget)
        for row in range(grid.rowCount()):
            grid.setRowStretch(row, 0)
        top = Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
        grid.addWidget(self._key, 0, 0, 1, columns)
        for n, cell in enumerate(self._cells):
            grid.addWidget(cell, 1 + n // columns, n % columns, top)
        row = 1 + -(-len(self._cells) // columns)
        grid.addWidget(self._heading, row, 0, 1, columns)
        grid.addWidget(self.trend_note, row + 1, 0, 1, columns)
        for n, cell in enumerate(self._trends):
            grid.addWidget(cell, row + 2 + n // columns, n % columns, top)
        grid.setRowStretch(row + 2 + -(-len(self._trends) // columns), 1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.charts:
            self._arrange()

    def _bars(self, bars: Sequence[OverviewBar], title: str, maximum: float) -> QWidget:
        svg = bar_chart(
            [Bar(b.label, b.value, b.text, b.tone) for b in bars],
            maximum=maximum,
            font_family=self.font_family,
            title=title,
        )
        chart = ChartWidget(str(svg), bars, title=title)
        chart.clicked.connect(self.filter_requested)
        self.charts.append(chart)
        return chart

    def _trend(self, trend: Trend, maximum: float | None = None, floor: bool = False) -> QWidget:
        o = self.overview
        assert o is not None
        svg = trend_chart(
            o.rounds,
            trend,
            font_family=self.font_family,
            dates=o.round_dates,
            maximum=maximum,
            floor=floor,
            background=self.palette().window().color().name(),  # the ground under the values
        )
        chart = ChartWidget(str(svg))
        self.charts.append(chart)
        return chart

"""The inputs for each item kind: grade buttons, indicator values, a grid of sampled records.

Editors only collect input and show computed results; saving goes through the page, which
calls the services. They emit ``edited(fields)`` / ``samples_edited(records)``. The panel finds an
item's editor in :data:`EDITORS` by the item's kind (the kinds themselves: ``app.domain.kinds``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..domain.checklist import NOT_APPLICABLE, Item, Scale
from ..domain.evaluation import MET, NOT_MET, UNDETERMINED, Outcome, problem_sentence
from ..domain.formats import typed_number
from ..domain.kinds import kind_of
from ..domain.kinds.indicator import Indicator, indicator_outcome
from ..domain.kinds.judgement import Judgement
from ..domain.kinds.sampling import Sampling, sampling_outcome
from ..domain.outcome import verdict
from ..domain.records import Answer, SampleRecord
from ..errors import InputError
from ..services.answers import SampleInput, parse_number, record_problem, repeat_message, repeated_records
from .qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QEvent,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .styles import ADVICE_STYLE, ERROR_STYLE

#: the background of a cell whose input is not saved (a repeated 病案号)
REFUSED_CELL = "#fde2e4"


def plain_label(text: str = "") -> QLabel:
    """A label for text that may hold what users typed: never interpreted as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


#: how much of a long text a tooltip shows: more would run off a 768-pixel-high screen
TOOLTIP_CHARS = 600


def plain_tooltip(text: str) -> str:
    """A tooltip for text users typed. A tooltip takes text that looks like HTML ("<b>…") as
    HTML, and wraps only rich text, so the text goes escaped in a paragraph that keeps its line
    breaks; a long one is cut (the cell's editor holds all of it)."""
    import html

    shown = text if len(text) <= TOOLTIP_CHARS else text[:TOOLTIP_CHARS] + "……"
    return f"<p style='white-space: pre-wrap'>{html.escape(shown)}</p>"


class TextView(QTextBrowser):
    """Text users typed, read-only and shown as typed: as high as its lines, up to ``max_lines``,
    then scrolled. A long 问题描述 in a word-wrapped label pushed a dialog's fields down, and
    the layout then cut the label through a line of characters."""

    def __init__(self, text: str, max_lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self.setPlainText(text)
        self.setFrameShape(QFrame.Shape.NoFrame)  # looks like a label; a scroll bar shows there is more
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(0)
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()  # the width decides how many lines the text wraps to

    def _fit(self) -> None:
        document = self.document()
        document.setTextWidth(self.viewport().width())
        document.size()  # lays the whole text out
        self.setFixedHeight(math.ceil(self._bottom_of_line(self.max_lines)) + 2 * self.frameWidth())

    def _bottom_of_line(self, n: int) -> float:
        """Where the ``n``-th line as laid out ends (the last line's end when there are fewer):
        lines of Chinese and of Latin text differ in height, so they are measured, not counted."""
        bottom, block = 0.0, self.document().begin()
        while block.isValid() and n > 0:
            layout = block.layout()
            shown = min(n, layout.lineCount())
            if shown:
                bottom = layout.position().y() + layout.lineAt(shown - 1).rect().bottom()
            n -= shown
            block = block.next()
        return bottom


def advice_label(text: str = "") -> QLabel:
    """Advice beside a field or over a list, in the advice colour: plain text, wrapped, hidden
    while it says nothing. Hidden, not shown, before it has a parent: shown, a parentless label
    is a window of its own."""
    label = plain_label(text)
    label.setStyleSheet(ADVICE_STYLE)
    label.setWordWrap(True)
    if not text:
        label.hide()
    return label


def error_label() -> QLabel:
    """The red message next to a field; it quotes what was typed, so it is plain text."""
    label = plain_label()
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    return label


def columns_that_fit(widgets: Sequence[QWidget], room: int, spacing: int, most: int) -> int:
    """How many columns of a grid of ``widgets`` (laid out row by row) fit in ``room`` px, each
    column as wide as its widest: ``most`` at most, one at least. Rows of buttons that may be wider
    than their pane (1024 px, an 11 pt font, 1920×1080 at 150%) are laid out by it."""
    widths = [widget.sizeHint().width() for widget in widgets]
    for columns in range(min(most, len(widths)), 1, -1):
        needed = sum(max(widths[c::columns]) for c in range(columns)) + spacing * (columns - 1)
        if needed <= room:
            return columns
    return 1


def place_in_columns(grid: QGridLayout, widgets: Sequence[QWidget], columns: int, first_row: int = 0) -> None:
    """``widgets`` in ``grid``, ``columns`` to a row from ``first_row`` on, in their order."""
    for widget in widgets:
        grid.removeWidget(widget)
    for n, widget in enumerate(widgets):
        grid.addWidget(widget, first_row + n // columns, n % columns)


def result_style(state: str) -> str:
    if state == MET:
        return "color: #1b7f3b; font-weight: bold;"
    if state == NOT_MET:
        return "color: #b00020; font-weight: bold;"
    return "color: #555;"


class ItemEditor(QWidget):
    """The inputs of one item kind. An editor emits the signals its inputs need; the panel connects
    them all, so it needs to know no editor in particular."""

    edited = Signal(dict)  # answer fields to save
    samples_edited = Signal(list)  # the sampled records (SampleInput) to save
    refused = Signal(str)  # a commit that could not be saved, and why
    not_applicable_requested = Signal()  # 不适用 chosen: the panel asks for the reason

    @classmethod
    def for_item(cls, item: Item, scale: Scale, year: int) -> ItemEditor:
        raise NotImplementedError

    def show_state(
        self, answer: Answer | None, samples: list[SampleRecord], outcome: Outcome, previous_value: float | None
    ) -> None:
        """Show the item as saved."""
        raise NotImplementedError

    def shows_error_of(self, field: str) -> bool:
        """Whether a refusal of ``field`` belongs under this editor's inputs (:meth:`show_error`)."""
        return False

    def show_error(self, message: str) -> None:
        """A refused input's message, next to the inputs."""

    def shown_error(self) -> str:
        """The refusal shown next to the inputs now ('' none): input left unsaved."""
        error = getattr(self, "error", None)
        return error.text() if isinstance(error, QLabel) else ""

    def fit_width(self, room: int) -> None:
        """Lay the inputs out no wider than ``room`` px where they can be (the item panel's width,
        again whenever it changes)."""


def _tab_past(buttons: list[QPushButton], forward: bool) -> None:
    """Tab (or Shift+Tab) on one of ``buttons``: the keyboard goes to the widget Tab reaches after
    the last of them (before the first), as if they were one."""
    widget: QWidget | None = buttons[-1] if forward else buttons[0]
    window = buttons[0].window()
    while True:
        assert widget is not None  # the chain is a ring through the window
        widget = widget.nextInFocusChain() if forward else widget.previousInFocusChain()
        if widget is None or widget is window or widget in buttons:
            return  # nothing else takes the keyboard
        if widget.isVisible() and widget.isEnabled() and widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
            reason = Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason
            widget.setFocus(reason)
            return


class JudgementEditor(ItemEditor):
    """评价：one button per grade (shortcut: its number), plus 不适用 (0)."""

    @classmethod
    def for_item(cls, item: Item, scale: Scale, year: int) -> ItemEditor:
        return cls(scale)

    def __init__(self, scale: Scale) -> None:
        super().__init__()
        self.scale = scale
        self.buttons: dict[str, QPushButton] = {}
        # the buttons side by side, or in rows where the panel is narrower than them (fit_width)
        self.grid = QGridLayout()
        self._columns = 0  # as laid out now
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(self.grid)
        row.addStretch()
        codes = [*scale.codes(), NOT_APPLICABLE]
        for n, code in enumerate(codes, 1):
            grade = scale.grade(code)
            key = "0" if code == NOT_APPLICABLE else str(n)
            label = f"{grade.display}" if grade else "不适用"
            button = QPushButton(f"{label}  [{key}]")
            button.setCheckable(True)
            button.setToolTip(f"按 {key} 键选择“{label}”")
            button.setAccessibleName(label)
            button.clicked.connect(lambda _=False, c=code: self.choose(c))
            button.installEventFilter(self)
            self.buttons[code] = button
        self._place(len(self.buttons))

    def eventFilter(self, watched, event) -> bool:
        """The grades are one Tab stop, as a choice is: the arrows move from grade to grade, Tab
        goes on past them, and Tab coming in lands on the grade given. (A QButtonGroup made them
        one Tab stop, but always at A, and its arrow keys move only in an exclusive group: B, C
        and D could be reached only by their digits or the mouse.)"""
        buttons = list(self.buttons.values())
        if watched not in buttons:
            return False
        plain = Qt.KeyboardModifier.NoModifier
        if event.type() == QEvent.Type.KeyPress and event.modifiers() in (plain, Qt.KeyboardModifier.ShiftModifier):
            key = event.key()
            if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                _tab_past(buttons, forward=key == Qt.Key.Key_Tab and event.modifiers() == plain)
                return True
            steps = {Qt.Key.Key_Left: -1, Qt.Key.Key_Up: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Down: 1}
            step = steps.get(key)
            if step and event.modifiers() == plain:
                at = buttons.index(watched) + step
                if 0 <= at < len(buttons):
                    buttons[at].setFocus(Qt.FocusReason.OtherFocusReason)
                return True
        elif event.type() == QEvent.Type.FocusIn and event.reason() in (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
        ):  # Tab from outside (from inside, _tab_past goes on past the grades): to the grade
            # given, else the first, also from below (Shift+Tab reached 不适用, and Space opened it)
            target = next((b for b in buttons if b.isChecked()), buttons[0])
            if target is not watched:
                target.setFocus(event.reason())
        return False

    def fit_width(self, room: int) -> None:
        """All the buttons in a row where it holds them, else as many to a row as fit: side by
        side, A 持续改进 [1] … 不适用 [0] were wider than the item panel on 1024×700 in the 11 pt
        font of 统信UOS and 麒麟, which then scrolled sideways and cut off every field below."""
        buttons = list(self.buttons.values())
        self._place(columns_that_fit(buttons, room, max(self.grid.horizontalSpacing(), 0), len(buttons)))

    def _place(self, columns: int) -> None:
        if columns != self._columns:
            self._columns = columns
            place_in_columns(self.grid, list(self.buttons.values()), columns)

    def shortcut_keys(self) -> dict[str, str]:
        keys = {str(n): code for n, code in enumerate(self.scale.codes(), 1)}
        keys["0"] = NOT_APPLICABLE
        return keys

    def show_state(
        self, answer: Answer | None, samples: list[SampleRecord], outcome: Outcome, previous_value: float | None
    ) -> None:
        self.show_answer(answer)

    def show_answer(self, answer: Answer | None) -> None:
        current = answer.grade if answer else None
        for code, button in self.buttons.items():
            button.setChecked(code == current)

    def choose(self, code: str) -> None:
        for c, button in self.buttons.items():
            button.setChecked(c == code)
        if code == NOT_APPLICABLE:
            self.not_applicable_requested.emit()
        else:
            self.edited.emit({"grade": code})


class IndicatorEditor(ItemEditor):
    """指标：value or numerator/denominator; the rate, the year's target and met/not met, live."""

    @classmethod
    def for_item(cls, item: Item, scale: Scale, year: int) -> ItemEditor:
        return cls(item, year)

    def __init__(self, item: Item, year: int) -> None:
        super().__init__()
        self.item, self.year = item, year
        self.previous_value: float | None = None
        self._shown: dict[str, float | None] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.fields: dict[str, QLineEdit] = {}
        row = 0
        names = ["numerator", "denominator"] if item.input == "ratio" else ["value"]
        if item.direction in ("increase", "decrease"):
            names.append("baseline")
        labels = {
            "numerator": item.numerator_label or "分子",
            "denominator": item.denominator_label or "分母",
            "value": f"指标值（{item.unit}）",
            "baseline": f"基线值（{item.unit}）",
        }
        for name in names:
            edit = QLineEdit()
            edit.setAccessibleName(labels[name])
            edit.setMaximumWidth(220)
            edit.textChanged.connect(self.recompute)
            edit.editingFinished.connect(self.commit)
            label = QLabel(labels[name] + "：")
            label.setBuddy(edit)
            label.setWordWrap(True)
            # a wrapped label in a grid shrinks to a few characters a line, and a count's name
            # (“同期VTE风险评估为中、高危的住院患者数”) then takes three lines beside a one-line field
            metrics = label.fontMetrics()
            label.setMinimumWidth(min(metrics.horizontalAdvance(label.text()), metrics.horizontalAdvance("字" * 20)))
            grid.addWidget(label, row, 0)
            grid.addWidget(edit, row, 1)
            self.fields[name] = edit
            row += 1
        self.error = error_label()
        grid.addWidget(self.error, row, 0, 1, 3)
        row += 1
        self.rate = QLabel()
        self.target = QLabel(f"{year}年目标：{item.target_text(year)}")
        self.result = QLabel()
        for label in (self.rate, self.target, self.result):
            label.setWordWrap(True)
            grid.addWidget(label, row, 0, 1, 3)
            row += 1
        grid.setColumnStretch(2, 1)

    def show_state(
        self, answer: Answer | None, samples: list[SampleRecord], outcome: Outcome, previous_value: float | None
    ) -> None:
        self.show_answer(answer, previous_value)

    def show_answer(self, answer: Answer | None, previous_value: float | None) -> None:
        self.previous_value = previous_value
        self._shown = {name: getattr(answer, name) if answer else None for name in self.fields}
        for name, edit in self.fields.items():
            value = self._shown[name]
            edit.blockSignals(True)
            edit.setText("" if value is None else typed_number(value))
            edit.blockSignals(False)
        self.error.clear()
        self.recompute()

    def _parsed(self) -> dict[str, float | None]:
        labels = {"numerator": "分子", "denominator": "分母", "value": "指标值", "baseline": "基线值"}
        return {n: parse_number(e.text(), labels[n], n) for n, e in self.fields.items()}

    def recompute(self) -> None:
        try:
            values = self._parsed()
        except InputError as err:
            self.show_error(str(err))
            return
        self.error.clear()
        answer = Answer(
            self.item.id,
            value=values.get("value"),
            numerator=values.get("numerator"),
            denominator=values.get("denominator"),
            baseline=values.get("baseline"),
        )
        if self.item.input == "ratio" and values.get("denominator") == 0:
            self.show_error("分母不能为 0。")
            return
        outcome = indicator_outcome(self.item, self.year, answer, self.previous_value)
        if outcome.value is None:
            self.rate.setText("计算结果：—（请录入）")
            self.result.setText("")
            return
        self.rate.setText(f"计算结果：{kind_of(self.item).measure(self.item, outcome.value)}")
        text = verdict(outcome.state, otherwise=verdict(UNDETERMINED))
        if problem := problem_sentence(self.item, outcome, None, self.year):  # as the reports will print it
            self.result.setText(f"判定：{text}。{problem}")
        else:
            self.result.setText(f"判定：{text}" + (f"（{outcome.reason}）" if outcome.reason else ""))
        self.result.setStyleSheet(result_style(outcome.state))

    def shows_error_of(self, field: str) -> bool:
        return field in self.fields

    def show_error(self, message: str) -> None:
        """The error instead of the result: a rate computed from the previous input would be stale."""
        self.error.setText(message)
        self.rate.setText("计算结果：—")
        self.result.setText("")

    def commit(self) -> None:
        """Save every input of the indicator together, so that a save never drops what was typed
        in a neighbouring field."""
        try:
            values = self._parsed()
        except InputError as err:
            self.show_error(str(err))
            self.refused.emit(str(err))
            return
        if values != self._shown:
            self._shown = values  # what is on its way to the database: never sent twice
            self.edited.emit(values)


class SamplingEditor(ItemEditor):
    """抽查：a grid of 病案号 / 符合 / 备注, keyboard-editable; the compliance rate, live."""

    @classmethod
    def for_item(cls, item: Item, scale: Scale, year: int) -> ItemEditor:
        return cls(item, year)

    def __init__(self, item: Item, year: int) -> None:
        super().__init__()
        self.item, self.year = item, year
        self._loading = False
        from .cell_table import CellTable  # a table class of its own: built when a grid is first shown

        self.table = CellTable(0, 3)
        self.table.setHorizontalHeaderLabels(["病案号", "符合", "备注"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        triggers = QAbstractItemView.EditTrigger
        # typing into a cell edits it, as in a spreadsheet (病案号 are typed one after another)
        self.table.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed | triggers.AnyKeyPressed)
        self.table.setAccessibleName("抽查记录")
        self.table.setMinimumHeight(160)
        self.table.itemChanged.connect(self._changed)
        self.table.entered_on_last_row.connect(self._entered_on_last_row)
        self.table.passed_over = self._blank_last_row
        self.table.start_row = lambda: self.table.setCurrentCell(self._append_blank(), 0)
        add = QPushButton("添加记录(&N)")
        add.setToolTip("Insert 键或 Ctrl+Enter 添加一行")
        remove = QPushButton("删除所选记录(&X)")
        remove.setToolTip("在表格中按 Ctrl+Delete 删除所选行")
        add.clicked.connect(self.add_row)
        remove.clicked.connect(self.remove_selected)
        for key, slot in (
            (Qt.Key.Key_Insert, self.add_row),
            ("Ctrl+Return", self.add_row),
            ("Ctrl+Delete", self.remove_selected),
        ):
            shortcut = QShortcut(QKeySequence(key), self.table, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # the result over the records: under them, at 1366×768 it was below the panel's fold, and
        # it is what the item comes to (GUI review)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

    def show_state(
        self, answer: Answer | None, samples: list[SampleRecord], outcome: Outcome, previous_value: float | None
    ) -> None:
        self.show_samples(samples, outcome)

    def show_samples(self, samples: list[SampleRecord], outcome: Outcome) -> None:
        shown = [SampleInput(s.record_no, s.compliant, s.note) for s in samples]
        counted = self._counted_rows()
        if self.table.rowCount() and [r.stored() for _, r in counted] == shown:
            # already showing this: the cells take the saved spelling (１２３ → 123) in place, since
            # rebuilding would close an open cell editor and drop a repeated row not saved
            self._loading = True
            for (row, _), record in zip(counted, shown, strict=True):
                for column, text in ((0, record.record_no), (2, record.note)):
                    cell = self.table.item(row, column)
                    if cell is not None and cell.text() != text:
                        cell.setText(text)
            self._loading = False
        else:
            self._loading = True
            self.table.setRowCount(0)
            for s in samples:
                self._append(s.record_no, s.compliant, s.note)
            self._loading = False
        self._show_repeats()
        self._update_summary()

    def _append(self, record_no: str, compliant: bool, note: str) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(record_no))
        check = QTableWidgetItem("符合" if compliant else "不符合")
        check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        check.setCheckState(Qt.CheckState.Checked if compliant else Qt.CheckState.Unchecked)
        self.table.setItem(row, 1, check)
        self.table.setItem(row, 2, QTableWidgetItem(note))
        return row

    def records(self) -> list[SampleInput]:
        out = []
        for row in range(self.table.rowCount()):
            no, check, note = (self.table.item(row, c) for c in range(3))
            out.append(
                SampleInput(
                    no.text() if no else "",
                    check is not None and check.checkState() == Qt.CheckState.Checked,
                    note.text() if note else "",
                )
            )
        return out

    def complete_records(self) -> list[SampleInput]:
        """The rows that can be saved: a row counts once its 病案号 is typed, unless an earlier
        row has the same one (that row is marked and left out until it is corrected)."""
        return [record for _, record in self._counted_rows()]

    def _counted_rows(self) -> list[tuple[int, SampleInput]]:
        records = self.records()
        refused = self._refused_rows(records)
        return [(row, r) for row, r in enumerate(records) if r.stored().record_no and row not in refused]

    @staticmethod
    def _refused_rows(records: list[SampleInput]) -> dict[int, str]:
        """Rows that cannot be saved → why, first problem first: a 病案号 too long (one such row
        had the service refuse the whole list, every later row unsaved with it), a repeat."""
        problems = {row: record_problem(r.stored()) for row, r in enumerate(records)}
        refused = {row: f"第 {row + 1} 条抽查记录{p}" for row, p in problems.items() if p}
        for first, repeat in repeated_records(records):
            if repeat not in refused:
                number = records[repeat].record_no.strip()
                refused[repeat] = repeat_message(number, first + 1, repeat + 1).removesuffix("。")
        return dict(sorted(refused.items()))

    def _show_repeats(self) -> None:
        """Mark each row that cannot be saved (a repeated 病案号, one too long) and say why: it is
        not saved (the service would refuse the whole list), while every other row is."""
        refused = self._refused_rows(self.records())
        self._loading = True  # a cell's colour is a change the table reports too
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None:
                cell.setBackground(QBrush(QColor(REFUSED_CELL)) if row in refused else QBrush())
        self._loading = False
        if refused:
            row, message = next(iter(refused.items()))
            self.error.setText(f"{message}。第 {row + 1} 条改正前不计入、不保存。")
        else:
            self.error.clear()

    def shows_error_of(self, field: str) -> bool:
        return field == "samples"

    def show_error(self, message: str) -> None:
        """A refusal of the service, under the grid."""
        self.error.setText(message)

    def add_row(self) -> None:
        """A new record to type: the last row when it is still empty (Enter has just started it,
        and Insert pressed out of habit must not leave a blank row between), else a new one."""
        last = self.table.rowCount() - 1
        blank = last >= 0 and self._blank_last_row(last)
        # a cell still being typed (its Enter is handled after this) is not blank, whatever it shows
        editing = self.table.state() == QAbstractItemView.State.EditingState
        row = last if blank and not editing else self._append_blank()
        self.table.setCurrentCell(row, 0)
        cell = self.table.item(row, 0)  # made by _append
        if cell is not None:
            self.table.editItem(cell)
        self._emit()

    def _blank_last_row(self, row: int) -> bool:
        """The last row with neither 病案号 nor 备注: begun by Enter, not yet a record."""
        if row != self.table.rowCount() - 1:
            return False
        return not any((cell := self.table.item(row, c)) is not None and cell.text().strip() for c in (0, 2))

    def _entered_on_last_row(self, column: int) -> None:
        """Enter after a 病案号 on the last row: the next record, as Insert would start it."""
        row = self.table.rowCount() - 1
        cell = self.table.item(row, 0)
        if column == 0 and cell is not None and cell.text().strip():
            # a blank row, current: what is typed next goes into it (no editor is opened: it
            # would take the keyboard from wherever the user goes next, another tab included)
            self.table.setCurrentCell(self._append_blank(), 0)

    def _append_blank(self) -> int:
        """A row for the next record, empty and 符合, not reported as an edit; returns its row."""
        self._loading = True
        row = self._append("", True, "")
        self._loading = False
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for row in rows:
            self.table.removeRow(row)
        if rows:
            self._emit()

    def _changed(self, cell: QTableWidgetItem) -> None:
        if self._loading:
            return
        if cell.column() == 1:
            self._loading = True
            cell.setText("符合" if cell.checkState() == Qt.CheckState.Checked else "不符合")
            self._loading = False
        self._emit()

    def _emit(self) -> None:
        self._show_repeats()
        self._update_summary()
        self.samples_edited.emit(self.complete_records())

    def _update_summary(self) -> None:
        records = self.complete_records()
        outcome = sampling_outcome(
            self.item, [SampleRecord(self.item.id, r.record_no, r.compliant) for r in records], self.year
        )
        if outcome.value is None:
            self.summary.setText(f"尚未录入抽查记录（填写病案号后计入）。目标：{outcome.target_text}")
            self.summary.setStyleSheet(result_style(""))
            return
        compliant = sum(r.compliant for r in records)
        result = verdict(outcome.state, otherwise=verdict(UNDETERMINED))
        rate = kind_of(self.item).measure(self.item, outcome.value)
        text = f"抽查 {len(records)} 份，符合 {compliant} 份，符合率 {rate}；目标 {outcome.target_text}：{result}" + (
            f"（{outcome.reason}）" if outcome.reason else ""
        )
        self.summary.setText(text)
        self.summary.setStyleSheet(result_style(outcome.state))


class UnsupportedEditor(ItemEditor):
    """An item of a kind that has no editor in this version: said so, nothing to enter."""

    @classmethod
    def for_item(cls, item: Item, scale: Scale, year: int) -> ItemEditor:
        return cls(kind_of(item).label)

    def __init__(self, label: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.message = plain_label(f"本程序版本不能在此录入“{label}”类条目。")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def show_state(
        self, answer: Answer | None, samples: list[SampleRecord], outcome: Outcome, previous_value: float | None
    ) -> None:
        pass


#: The editor of each item kind, by the kind's name; a kind without one gets UnsupportedEditor.
EDITORS: dict[str, type[ItemEditor]] = {
    Judgement.name: JudgementEditor,
    Indicator.name: IndicatorEditor,
    Sampling.name: SamplingEditor,
}

#: The input part of the item panel
Editor = ItemEditor


def editor_for(item: Item, scale: Scale, year: int) -> ItemEditor:
    """The editor of the item's kind, made for this item."""
    return EDITORS.get(item.kind, UnsupportedEditor).for_item(item, scale, year)

"""整改台账: a sortable, filterable table of a round's rectifications, edited in place.

Edits go through the round's session, onto the same undo stack as the walkthrough's; the board
redraws when the session says the rectifications changed (a grade in the walkthrough opens or
closes one), at once when shown, else when it is next shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..domain.formats import cn_date, recheck_sentence
from ..domain.labels import ORIGIN_LABELS
from ..domain.records import (
    ORIGIN_CARRIED,
    RECTIFICATION_STATUSES,
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_OVERDUE,
    listed_statuses,
)
from ..errors import AppError, InputError
from ..services import rectifications as rect_service
from ..services.rectifications import (
    NO_DEPARTMENT,
    RectificationEntry,
    follow_up_text,
    followed_up_note,
    ledger_cells,
)
from ..services.session import Changes, RoundSession
from . import dialogs
from .cell_table import CellTable, overlay_hint
from .date_input import DateInput
from .item_editors import TextView, advice_label, error_label, plain_label, plain_tooltip
from .qt import (
    QAbstractItemView,
    QBrush,
    QCheckBox,
    QColor,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    to_date,
)
from .redraw import DrawnAsOf
from .screen import fit_to_screen
from .shortcuts import redo_keys, undo_keys

ENTRY_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # where a column sorts by something other than its text
OVERDUE_BACKGROUND = QColor("#fde8e8")
DONE_FOREGROUND = QColor("#1b7f3b")
#: 已转入复查: followed up in a later round, only read here — grey, neither late nor done
CARRIED_BACKGROUND = QColor("#f1f3f6")
CARRIED_FOREGROUND = QColor("#3d4f6b")
#: what an empty ledger says: where its rows come from
EMPTY_LEDGER = (
    "还没有整改项。\n评为 D（不符合）的条目和未达标的指标、抽查自动生成整改项；"
    "评为 C 的条目需要整改时，在逐条自查中点“生成整改项”。"
)
#: a row is at most this many lines high: one long 问题描述 must not push a row's 条目, 期限 and
#: 状态 off the screen; the rest of the text is elided, whole in the tooltip and the editor
ROW_LINES = 4
CELL_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop

#: the columns of long text that give up width where the table is narrow (_fit_columns); 问题描述
#: stretches over the width the others leave
SHRINKING_COLUMNS = (0, 1, 2, 3, 8)
PROBLEM_COLUMN = 1
#: the fewest characters a column of text keeps on a line
NARROWEST_CHARS = 6

#: column → (header, editable field or None)
COLUMNS: list[tuple[str, str | None]] = [
    ("条目", None),
    ("问题描述", "problem"),
    ("原因分析", "cause"),
    ("整改措施", "measure"),
    ("责任科室", "department"),
    ("责任人", "owner"),
    ("整改期限", "deadline"),
    ("状态", None),
    ("复查", None),
]


#: the columns edited in several lines
MULTILINE_FIELDS = ("problem", "cause", "measure")


def recheck_text(entry: RectificationEntry) -> str:
    """The 复查 column: this round's result of a carried-over item that no longer fails and the
    re-check, as the reports say them, and how much evidence there is."""
    parts = [follow_up_text(entry)]
    if entry.attachment_count:
        parts.append(f"佐证 {entry.attachment_count} 份")
    return "；".join(p for p in parts if p)


class _Cell(QTableWidgetItem):
    """A cell that sorts by its sort key where it has one: items in checklist order (as the
    整改报告 numbers them), statuses in their order, not alphabetically."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is not None and theirs is not None:
            return mine < theirs
        return self.text() < other.text()


_NOT_CHOSEN = "not chosen"


def _measure_edit() -> QPlainTextEdit:
    """The 整改措施 of a rectification that has none, written in the 记录复查 dialog."""
    edit = QPlainTextEdit()
    edit.setPlaceholderText("尚未填写。复查通过前须写明；原评价有误时写“经复评，原评价有误，无需整改”")
    edit.setMaximumHeight(60)
    edit.setTabChangesFocus(True)
    return edit


class RecheckDialog(QDialog):
    """复查: passed or not, date, by whom, result."""

    def __init__(self, session: RoundSession, entry: RectificationEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.entry = session, entry
        self.today = session.today()
        self.setWindowTitle("记录复查")
        r = entry.rectification
        self.verdict = QComboBox()
        # nothing chosen at first: Enter must not mark an item 已完成 by accident
        self.verdict.addItem("（请选择复查结论）", _NOT_CHOSEN)
        self.verdict.addItem("复查通过（整改完成）", True)
        self.verdict.addItem("复查未通过（继续整改）", False)
        # after a failed re-check the next one is a new check (today, nothing chosen or written:
        # a pass saved over the failed one's date and words read as if it had passed that day);
        # a passed one is corrected in place
        again = r.recheck_passed is False
        if r.recheck_passed is not None:
            self.verdict.addItem("清除复查记录", None)
            if not again:
                self.verdict.setCurrentIndex(1)
        day = self.today if again else r.recheck_date or self.today
        self.date = DateInput(QDate(day.year, day.month, day.day))  # 2025-04-30 typed as shown
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate(self.today.year, self.today.month, self.today.day))  # done, not planned
        self.by = QLineEdit(r.rechecked_by)
        self.result_edit = QPlainTextEdit("" if again else r.recheck_result)
        self.last_check = TextView(
            "上次复查：" + recheck_sentence(r.recheck_passed, r.recheck_date, r.rechecked_by, r.recheck_result)
            if again
            else ""
        )
        self.last_check.setAccessibleName("上次复查")
        self.last_check.setVisible(again)
        self.result_edit.setMaximumHeight(80)
        self.result_edit.setTabChangesFocus(True)  # Tab goes on to 确定, as in every other field
        self.error = error_label()
        self.problem = TextView(r.problem)
        self.problem.setAccessibleName("问题描述")
        # which item: rows of several D grades all read “评价为“D 不符合”” (new-user review)
        # as high as its lines, as 问题 is: a word-wrapped label got a taller row than its one
        # line and sat centred in it, 12 px below 条目： (GUI review 11)
        self.item = TextView("、".join(session.references.get(i, i) for i in entry.item_ids), max_lines=3)
        self.item.setAccessibleName("条目")
        # no 整改措施 yet: written here, saved with the re-check (a pass needs one, and a 误判 was
        # closed by leaving for the board to write “原评价有误” first)
        self.measure_edit = None if r.measure else _measure_edit()
        self._lay_out(again)
        self.verdict.setFocus()  # the first thing to do, not the text above it (Shift+Tab reaches that)
        fit_to_screen(self, 520, 320)

    def _lay_out(self, again: bool) -> None:
        form = QFormLayout()
        form.addRow("条目：", self.item)
        form.addRow("问题：", self.problem)
        if self.measure_edit:
            form.addRow("整改措施(&M)：", self.measure_edit)
        if again:
            form.addRow("", self.last_check)
        form.addRow("复查结论(&V)：", self.verdict)
        form.addRow("复查日期(&D)：", self.date)
        form.addRow("复查人(&B)：", self.by)
        form.addRow("复查结果(&R)：", self.result_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.verdict.currentData() == _NOT_CHOSEN:
            self.error.setText("请选择复查结论：通过或未通过。")
            self.verdict.setFocus()
            return
        if problem := self.date.problem("复查日期"):
            self.error.setText(problem)
            self.date.setFocus()
            return
        d = self.date.date()
        measure = self.measure_edit.toPlainText().strip() if self.measure_edit else ""
        try:
            self.session.record_recheck(
                self.entry.id,
                passed=self.verdict.currentData(),
                date=to_date(d),
                by=self.by.text(),
                result=self.result_edit.toPlainText(),
                **({"measure": measure} if measure else {}),
            )
        except InputError as err:
            self.error.setText(str(err))
            # the keyboard to the field refused
            field = {"recheck_date": self.date, "rechecked_by": self.by, "recheck_result": self.result_edit}
            if self.measure_edit:
                field["measure"] = self.measure_edit
            if err.field in field:
                field[err.field].setFocus()
            return
        except AppError as err:
            dialogs.error(self, str(err))
            return
        super().accept()


class RectificationBoard(QWidget):
    """整改台账 of one round."""

    open_item = Signal(str)

    def __init__(self, session: RoundSession) -> None:
        super().__init__()
        self.session = session
        self.references = session.references  # item id → what a reviewer reads (核心制度 … 第1条)
        # item id → its place in the round's checklists
        self.item_order = {item_id: n for n, item_id in enumerate(session.items)}
        self.entries: list[RectificationEntry] = []
        self._loading = False
        self._editing = False  # a cell edit of ours: its row is redrawn in place, not the table
        self._refused_at: tuple[int, int] | None = None  # the cell of an edit just refused
        self.drawn = DrawnAsOf(lambda: session.today())  # filled when first shown
        self.departments = session.view.profile.departments
        self.summary = plain_label()  # department names are typed by users
        self.summary.setWordWrap(True)
        self.error = error_label()
        self.advice = advice_label()  # e.g. a deadline typed in the past: saved, and the row is 逾期 at once
        self.table = self._build_table()
        self.empty_hint = overlay_hint(self.table)  # an empty ledger was a blank table
        layout = QVBoxLayout(self)
        layout.addLayout(self._filters_and_buttons())
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.advice)
        hint = QLabel(
            "双击或直接输入修改单元格（整改期限可输入 2025-04-30、2025/4/30 或 2025年4月30日；"
            "单元格内换行按 Alt+Enter）；"
            "双击“条目”列转到该条目。逾期行以红色底纹标出；已转入复查的行为灰色，在复查轮次中跟踪，本轮只能查看。"
        )
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self._install_shortcuts()
        self.table.itemSelectionChanged.connect(self._enable_row_buttons)
        session.subscribe(self._changed)

    def _build_table(self) -> CellTable:
        """The ledger: one row per rectification, edited in place, sorted on request."""
        table = CellTable(0, len(COLUMNS))
        table.setHorizontalHeaderLabels([c[0] for c in COLUMNS])
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        table.setWordWrap(True)
        table.setAccessibleName("整改台账")
        header = table.horizontalHeader()
        # 整改期限 and 状态 as wide as their longest text in the font in use (2025年12月31日 had
        # its 日 wrapped to a second line at a fixed 90 px)
        metrics = table.fontMetrics()
        deadline = metrics.horizontalAdvance("2025年12月31日") + 16
        status = max(metrics.horizontalAdvance(s) for s in RECTIFICATION_STATUSES) + 16
        self.column_widths = (150, 220, 160, 180, 90, 70, deadline, status, 150)
        for col, width in enumerate(self.column_widths):
            table.setColumnWidth(col, width)
        header.setSectionResizeMode(PROBLEM_COLUMN, QHeaderView.ResizeMode.Stretch)
        self._fitted_to = -1  # the viewport width the columns were last fitted to (_fit_columns)
        table.viewport().installEventFilter(self)
        rows = table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # lines as high as Chinese text sets them (the fallback font's lines are taller than the
        # UI font's), and the grid line: the last line shown is whole, and elided
        lines = table.fontMetrics().size(0, "\n".join(["中"] * ROW_LINES)).height()
        rows.setMaximumSectionSize(lines + 1)
        # sorted on request only: automatic sorting would move a row while it is being edited
        header.setSectionsClickable(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # checklist order, as in the 整改报告
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._sort)
        table.itemChanged.connect(self._cell_edited)
        table.doubleClicked.connect(self._double_clicked)
        # 问题、原因、措施 take several lines (Alt+Enter, as in WPS and Excel)
        from .cell_editor import MultilineDelegate

        self._text_delegate = MultilineDelegate(table)
        for col, (_title, field) in enumerate(COLUMNS):
            if field in MULTILINE_FIELDS:
                table.setItemDelegateForColumn(col, self._text_delegate)
        # after the edit is committed and Tab has opened the next cell, if it does
        for delegate in (table.itemDelegate(), self._text_delegate):
            delegate.closeEditor.connect(lambda *_: QTimer.singleShot(0, self, self._editor_closed))
        # a message about one row's edit does not stay under another row the user moves to
        table.currentCellChanged.connect(
            lambda row, _col, old_row, _old_col: (
                self._clear_messages() if row != old_row and self._refused_at is None else None
            )
        )
        return table

    def _back_to_refused(self) -> None:
        """After a refused edit, the cell it was typed in, with the message: Enter had moved on
        to the row below, which cleared the message, and the old value came back unexplained
        while the status bar still said 已保存 (new-user review)."""
        if self._refused_at is not None:
            row, col = self._refused_at
            if row < self.table.rowCount():
                self.table.setCurrentCell(row, col)
            self._refused_at = None

    def _fit_columns(self) -> None:
        """Where the table is narrower than its columns (1024 px), the columns of long text —
        条目, 问题描述, 原因分析, 整改措施, 复查 — give up width in proportion (to no fewer than
        NARROWEST_CHARS characters): 整改期限 and 状态 stay in sight instead of past the table's
        right edge. Where there is room they have their widths."""
        room = self.table.viewport().width()
        if room == self._fitted_to:
            return  # a width the user set by hand stays until the table is resized
        self._fitted_to = room
        narrowest = self.table.fontMetrics().horizontalAdvance("中" * NARROWEST_CHARS) + 16
        kept = sum(width for c, width in enumerate(self.column_widths) if c not in SHRINKING_COLUMNS)
        wanted = sum(self.column_widths[c] for c in SHRINKING_COLUMNS)
        scale = min(1.0, max(room - kept, 0) / wanted)
        for col in SHRINKING_COLUMNS:
            if col != PROBLEM_COLUMN:  # it stretches over what the others leave
                self.table.setColumnWidth(col, max(narrowest, round(self.column_widths[col] * scale)))

    def eventFilter(self, watched, event) -> bool:
        # the table's viewport: resized with the board, and when its scroll bar comes or goes
        if event.type() == QEvent.Type.Resize:
            self._fit_columns()
        return False

    def _filters_and_buttons(self) -> QVBoxLayout:
        """筛选 by department, status and overdue, and the buttons acting on the selected row:
        beside the filters, or under them where the board is narrower than both (_place_actions)."""
        self.department = QComboBox()
        self.department.setAccessibleName("按责任科室筛选")
        self.status = QComboBox()
        self.status.setAccessibleName("按状态筛选")
        self.status.addItem("全部状态", "")
        for status in RECTIFICATION_STATUSES:
            self.status.addItem(status, status)
        self.overdue_only = QCheckBox("只看逾期(&O)")
        for widget in (self.department, self.status):
            widget.currentIndexChanged.connect(lambda _: self._filter_changed())
        self.overdue_only.toggled.connect(lambda _: self._filter_changed())
        self._filters: list[QWidget] = []
        row = self._first_row = QHBoxLayout()
        for text, combo in (("责任科室(&K)：", self.department), ("状态(&S)：", self.status)):
            label = QLabel(text)
            label.setBuddy(combo)
            self._filters += [label, combo]
        self._filters.append(self.overdue_only)
        for filter_widget in self._filters:
            row.addWidget(filter_widget)
        row.addStretch()
        self.go_button = QPushButton("转到条目(&G)")
        self.recheck_button = QPushButton("记录复查(&C)…")
        self.recheck_button.setToolTip("确认所选整改项是否落实：复查结论、日期、复查人和复查情况")
        self.evidence_button = QPushButton("佐证材料(&A)…")
        self.evidence_button.setToolTip("整改后的照片、制度文件、培训记录等：添加、打开、删除；打印在整改报告中")
        self.history_button = QPushButton("查看修改记录(&J)…")  # it only shows: 修改记录… read as “edit”
        self.history_button.setToolTip("所选整改项及其条目的每次修改（Ctrl+H）")
        self.delete_button = QPushButton("删除整改项(&D)…")
        self.delete_button.setToolTip("删除所选整改项（Delete 键），删除前会询问")
        self._actions = QWidget()
        buttons = QHBoxLayout(self._actions)
        buttons.setContentsMargins(0, 0, 0, 0)
        for button, slot in (
            (self.go_button, self._go_to_item),
            (self.recheck_button, self.recheck_selected),
            (self.evidence_button, self.edit_evidence),
            (self.history_button, self.show_history),
            (self.delete_button, self.delete_selected),
        ):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        # the board may be narrower than the filters and the buttons side by side (1024 px in
        # 统信UOS's font, long department names): the buttons then go on a line of their own
        self._actions.setMinimumWidth(1)
        row.addWidget(self._actions)
        self._second_row = QHBoxLayout()
        self._second_row.addStretch()
        head = QVBoxLayout()
        head.addLayout(row)
        head.addLayout(self._second_row)
        return head

    def _place_actions(self) -> None:
        """The buttons beside the filters where the board has room for both, else under them."""
        layout = self.layout()
        if layout is None:  # not yet built
            return
        margins = layout.contentsMargins()
        spacing = max(self._first_row.spacing(), 0)
        needed = sum(w.sizeHint().width() + spacing for w in self._filters) + self._actions.sizeHint().width()
        row = self._first_row if self.width() - margins.left() - margins.right() >= needed else self._second_row
        if row.indexOf(self._actions) >= 0:
            return
        (self._second_row if row is self._first_row else self._first_row).removeWidget(self._actions)
        row.addWidget(self._actions)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_actions()

    def _install_shortcuts(self) -> None:
        """Undo and redo, as in the walkthrough: one stack for the round (a cell being edited
        takes its own Ctrl+Z first), wherever the focus is in the window while the board is shown
        (on the tabs above it too); Delete on the selected row deletes it, after asking, only from
        within the board (a cell being edited takes its own Delete)."""
        context = Qt.ShortcutContext
        bindings: list[tuple[Sequence[QKeySequence], Callable[[], object], Qt.ShortcutContext]] = [
            (undo_keys(), self.undo, context.WindowShortcut),
            (redo_keys(), self.redo, context.WindowShortcut),
            ([QKeySequence(QKeySequence.StandardKey.Delete)], self.delete_selected, context.WidgetWithChildrenShortcut),
        ]
        for keys, slot, where in bindings:
            shortcut = QShortcut(self)
            shortcut.setKeys(list(keys))
            shortcut.setContext(where)
            shortcut.activated.connect(slot)

    def undo(self) -> None:
        self._step(self.session.undo)

    def redo(self) -> None:
        self._step(self.session.redo)

    def _step(self, operation: Callable[[], Changes]) -> None:
        try:
            operation()
        except AppError as err:
            dialogs.error(self, str(err))

    def _changed(self, changes: Changes) -> None:
        if changes.rectifications and not self._editing:
            self.drawn.mark_changed()
            # not under an open cell editor: its text would be replaced while being typed; the
            # table is redrawn once the editor closes (_editor_closed)
            if self.isVisible() and not self._cell_open():
                self.refresh()
        if changes.focus_rectification is not None:
            self.select(changes.focus_rectification)

    def _cell_open(self) -> bool:
        return self.table.state() == QAbstractItemView.State.EditingState

    def _clear_messages(self) -> None:
        self.error.clear()
        self.advice.clear()
        self.advice.hide()

    def _editor_closed(self) -> None:
        """A redraw put off while a cell was edited happens now, unless Tab opened the next cell."""
        if self.drawn.changed and self.isVisible() and not self._cell_open():
            self.refresh()

    def refresh_if_stale(self) -> None:
        if self.drawn.due:
            self.refresh()

    # --- showing -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.drawn.drawn()
        self.entries = self.session.rectifications()
        selected = self.selected_entry()
        self._clear_messages()
        self._fill_departments()

        self._loading = True
        # rows sized to their contents re-measure every row on each cell written: 79 rows took
        # 5–7 s to redraw on screen after a re-check or an undo (scale review); fixed while
        # filling, then measured once
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            self._fill_row(row, entry)
        header = self.table.horizontalHeader()
        if header.sortIndicatorSection() < self.table.columnCount():
            self.table.sortItems(header.sortIndicatorSection(), header.sortIndicatorOrder())
        rows.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._loading = False
        self._update_summary()
        self.apply_filter()
        if selected is not None:
            self.select(selected.id)

    def _fill_departments(self) -> None:
        """The 责任科室 filter: the profile's departments and every one typed on the board."""
        current_department = self.department.currentData()
        self.department.blockSignals(True)
        self.department.clear()
        self.department.addItem("全部科室", "")
        names = list(dict.fromkeys([*self.departments, *(e.rectification.department for e in self.entries)]))
        for name in names:
            if name:
                self.department.addItem(name, name)
        self.department.addItem(NO_DEPARTMENT, NO_DEPARTMENT)
        self.department.setCurrentIndex(max(0, self.department.findData(current_department or "")))
        self.department.blockSignals(False)

    def _filter_changed(self) -> None:
        self._clear_messages()  # a message about an earlier edit no longer belongs to what is shown
        self.apply_filter()

    def _sort(self, column: int) -> None:
        self.table.sortItems(column, self.table.horizontalHeader().sortIndicatorOrder())

    def _fill_row(self, row: int, entry: RectificationEntry) -> None:
        """One row; a rectification a later 复查轮次 follows up is greyed and read-only, each cell
        saying where it went (its 复查 column names the round)."""
        items, *cells = ledger_cells(entry, self.references)
        elsewhere = followed_up_note(entry.carried_to) if entry.followed_up_elsewhere else ""
        if entry.carried:
            items += f"（{ORIGIN_LABELS[ORIGIN_CARRIED]}）"  # as the 整改报告 marks it
        values = [items, *cells, recheck_text(entry)]
        sort_keys = {
            0: min((self.item_order.get(i, 0) for i in entry.item_ids), default=0),
            6: entry.rectification.deadline.isoformat() if entry.rectification.deadline else "",  # 2025年10月 after 9月
            7: RECTIFICATION_STATUSES.index(entry.status),
        }
        for col, text in enumerate(values):
            cell = _Cell(text)
            cell.setData(ENTRY_ROLE, entry.id)
            cell.setTextAlignment(CELL_ALIGNMENT)  # a capped row shows each column's first lines
            if col in sort_keys:
                cell.setData(SORT_ROLE, sort_keys[col])
            if COLUMNS[col][1] is None or elsewhere:
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if col == 0:
                items_text = "\n".join(self._item_text(i) for i in entry.item_ids)
                cell.setToolTip(plain_tooltip(items_text) + plain_tooltip(elsewhere) if elsewhere else items_text)
            elif text or elsewhere:
                cell.setToolTip("".join(plain_tooltip(t) for t in (text, elsewhere) if t))
            if entry.status == STATUS_OVERDUE:
                cell.setBackground(QBrush(OVERDUE_BACKGROUND))
            elif entry.status == STATUS_CARRIED:
                cell.setBackground(QBrush(CARRIED_BACKGROUND))
                cell.setForeground(QBrush(CARRIED_FOREGROUND))
            if col == 7 and entry.status == STATUS_DONE:
                cell.setForeground(QBrush(DONE_FOREGROUND))
            self.table.setItem(row, col, cell)

    def _item_text(self, item_id: str) -> str:
        """An item as the tooltip names it: its reference and its text (an item carried over from
        the previous round may not be in this round's checklists)."""
        item = self.session.items.get(item_id)
        return f"{self.references.get(item_id, item_id)}：{item.text}" if item else item_id

    def _update_summary(self) -> None:
        sums = rect_service.totals(self.entries)
        # 已完成 rows read “逾期8天” in green beside “逾期 3” counting the open ones: the late
        # closes are counted apart, as the 整改报告 words them (逾期完成)
        late = sums.done_late
        status = "　".join(
            f"{s} {sums.by_status[s]}" + (f"（其中逾期完成 {late}）" if s == STATUS_DONE and late else "")
            for s in listed_statuses(sums.by_status)
        )
        departments = "；".join(
            f"{d} {sum(c.values())}" + (f"（逾期 {c[STATUS_OVERDUE]}）" if c[STATUS_OVERDUE] else "")
            for d, c in sums.by_department.items()
        )
        self.summary.setText(f"共 {sums.total} 项：{status}\n按科室：{departments or '—'}")

    def entry_at(self, row: int) -> RectificationEntry | None:
        cell = self.table.item(row, 0)
        entry_id = cell.data(ENTRY_ROLE) if cell else None
        return next((e for e in self.entries if e.id == entry_id), None)

    def apply_filter(self) -> int:
        department = self.department.currentData() or ""
        status = self.status.currentData() or ""
        overdue = self.overdue_only.isChecked()
        shown = 0
        for row in range(self.table.rowCount()):
            entry = self.entry_at(row)
            if entry is None:  # every row shows an entry
                continue
            dept = entry.rectification.department or NO_DEPARTMENT
            visible = (
                (not department or dept == department)
                and (not status or entry.status == status)
                and (not overdue or entry.status == STATUS_OVERDUE)
            )
            self.table.setRowHidden(row, not visible)
            shown += visible
        self.empty_hint.setText("" if shown else "没有符合筛选条件的整改项。" if self.entries else EMPTY_LEDGER)
        self.empty_hint.setVisible(not shown)
        self._enable_row_buttons()
        return shown

    def _enable_row_buttons(self) -> None:
        """The buttons act on the selected row: without one they only said 请先在表格中选择."""
        chosen = self.selected_entry() is not None
        for button in (
            self.go_button,
            self.recheck_button,
            self.evidence_button,
            self.history_button,
            self.delete_button,
        ):
            button.setEnabled(chosen)

    def visible_entries(self) -> list[RectificationEntry]:
        return [
            entry
            for r in range(self.table.rowCount())
            if not self.table.isRowHidden(r) and (entry := self.entry_at(r)) is not None
        ]

    def selected_entry(self) -> RectificationEntry | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.entry_at(min(rows)) if rows else None

    def _selected_or_explain(self) -> RectificationEntry | None:
        entry = self.selected_entry()
        if entry is None:
            self.error.setText("请先在表格中选择一个整改项。")
        return entry

    def _followed_here_or_explain(self, entry: RectificationEntry, doing: str) -> bool:
        """False, with the reason under the table, for one a later 复查轮次 follows up."""
        if entry.followed_up_elsewhere:
            self.error.setText(followed_up_note(entry.carried_to, doing))
            return False
        return True

    def focus_table(self) -> None:
        """The keyboard in the ledger, on a row (the first shown if none is chosen, or a filter
        hides it): the buttons above it (记录复查, 佐证材料…) act on the selected row, and a cell
        only focused is not selected."""
        table = self.table
        if self.selected_entry() is None or table.isRowHidden(table.currentRow()):
            first = table.first_editable()
            shown = [r for r in range(table.rowCount()) if not table.isRowHidden(r)]
            if first.isValid():
                table.setCurrentCell(first.row(), self._first_empty(first.row(), first.column()))
            elif shown:  # every row read-only (followed up in a later 复查轮次): still one to look at
                table.selectRow(shown[0])
        table.setFocus()

    def _first_empty(self, row: int, column: int) -> int:
        """The row's first editable cell with nothing in it (原因分析, as a rule), from ``column``:
        on 问题描述, which the walkthrough wrote, typing the cause replaced the problem and every
        Tab after it was a column off (new-user review)."""
        for col in range(column, self.table.columnCount()):
            cell = self.table.item(row, col)
            if cell is None or self.table.isColumnHidden(col) or not cell.flags() & Qt.ItemFlag.ItemIsEditable:
                continue
            if not cell.text().strip():
                return col
        return column

    def select(self, entry_id: str) -> None:
        for row in range(self.table.rowCount()):
            cell = self.table.item(row, 0)
            if cell is not None and cell.data(ENTRY_ROLE) == entry_id:
                self.table.selectRow(row)
                return

    # --- editing -------------------------------------------------------------------------------

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        if self._loading:
            return
        field = COLUMNS[cell.column()][1]
        if field is None:
            return
        entry_id = cell.data(ENTRY_ROLE)
        self._editing = True
        try:
            self.session.update_rectification(entry_id, **{field: cell.text()})
        except InputError as err:
            self.error.setText(str(err))
            self._refused_at = (cell.row(), cell.column())
            QTimer.singleShot(0, self, self._back_to_refused)  # once Enter has moved on
        except AppError as err:
            dialogs.error(self, str(err))
        else:
            self._clear_messages()
        finally:
            self._editing = False
        # Only this row is redrawn, in place: what was saved (and the status it leads to), or the
        # old text back. Rebuilding the table would close the editor Tab has just opened.
        entry = self.session.rectification(entry_id)
        if field == "deadline" and entry.status == STATUS_OVERDUE and not self.error.text():
            # saved without a word, the row turned red at once (GUI review 14): right when the
            # ledger is filled in afterwards, a slip of the year otherwise
            self.advice.setText(
                f"整改期限 {cn_date(entry.rectification.deadline)} 早于今天，本项已计为逾期。"
                "如是补录以前的整改，可不必理会；否则请核对年份。"
            )
            self.advice.show()
        self.entries = [entry if e.id == entry_id else e for e in self.entries]
        self._loading = True
        self._fill_row(cell.row(), entry)
        self._loading = False
        self._update_summary()
        if field == "department":
            self._fill_departments()  # a department typed here becomes one to filter by

    def recheck_selected(self) -> None:
        entry = self._selected_or_explain()
        if entry is None or not self._followed_here_or_explain(entry, "记录复查"):
            return
        RecheckDialog(self.session, entry, self).exec()  # the session tells the board

    def edit_evidence(self) -> None:
        """佐证材料 of the selected rectification: copied into the database like an item's attachments."""
        from .evidence import EvidenceDialog

        entry = self._selected_or_explain()
        if entry is None:
            return
        read_only = followed_up_note(entry.carried_to) if entry.followed_up_elsewhere else ""
        EvidenceDialog(self.session, entry.id, entry.rectification.problem, self, read_only=read_only).exec()

    def delete_selected(self) -> None:
        entry = self._selected_or_explain()
        if entry is None:
            return
        if refused := self.session.deletion_refused(entry.id):  # said before asking, not after
            self.error.setText(refused)
            return
        if not dialogs.confirm(self, f"删除整改项“{entry.rectification.problem[:40]}”？"):
            return
        try:
            self.session.delete_rectification(entry.id)
        except AppError as err:
            self.error.setText(str(err))

    def show_history(self) -> None:
        from .history_dialog import HistoryDialog

        entry = self.selected_entry()
        if entry is None:
            self.error.setText("请先在表格中选择一个整改项。")
            return
        item_id = entry.rectification.item_id
        HistoryDialog(self.session, item_id, self.references.get(item_id, item_id), self).exec()

    def _go_to_item(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.open_item.emit(entry.rectification.item_id)

    def _double_clicked(self, index) -> None:
        if index.column() == 0:
            self._go_to_item()
            return
        entry = self.entry_at(index.row())
        if entry is not None and COLUMNS[index.column()][1] is not None:
            self._followed_here_or_explain(entry, "修改")  # its cells are read-only: say why

"""Tables whose Tab key goes where the user can type, and then on to the rest of the form.

Qt's tables move Tab through every cell, read-only ones included, and wrap from the last cell to
the first, so Tab never leaves them (only Ctrl+Tab does). On the 整改台账 and the 抽查 grid that
means walking over 条目、状态 and 复查 on every row and never reaching the buttons below.

:class:`CellTable` moves Tab and Shift+Tab through the cells that can be edited or ticked, in
reading order over the rows shown, and after the last (before the first) one moves the focus on to
the next (previous) widget, as a form does. Tab in an open cell editor finishes the cell and opens
the next editable one, the same way. Read-only tables do not use it: :func:`read_only` makes Tab
leave them at once and keeps the arrow keys for moving between rows.
"""

from __future__ import annotations

from collections.abc import Callable

from .qt import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QInputMethodEvent,
    QLabel,
    QModelIndex,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)


def overlay_hint(table: QAbstractItemView, text: str = "") -> QLabel:
    """A grey line in the middle of a table, where the eye goes, saying why it is empty and what
    to do (its caller hides it while the table has rows)."""
    hint = QLabel()
    hint.setTextFormat(Qt.TextFormat.PlainText)
    hint.setWordWrap(True)
    hint.setText(text)
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    hint.setStyleSheet("color: #555;")
    QVBoxLayout(table.viewport()).addWidget(hint)
    return hint


class CellTable(QTableWidget):
    """A table edited in place, with Tab from one editable cell to the next (see the module), and
    Enter down to the next row, as in WPS and Excel: Qt kept the cell, so ZY001 Enter ZY002
    Enter saved one record, ZY002 typed over ZY001."""

    #: Enter in a cell of the last row shown (the column): the 抽查 grid starts a new record
    entered_on_last_row = Signal(int)
    #: rows Tab passes over (the 抽查 grid's blank row, begun by Enter, still empty): Tab from the
    #: last record goes on to the buttons below, as before
    passed_over: Callable[[int], bool] = staticmethod(lambda row: False)
    #: a key typed into the table while it has no row: make the row it goes into (the 抽查 grid:
    #: ZY001 typed into the empty grid did nothing, and nothing said why); None: nothing to make
    start_row: Callable[[], None] | None = None

    def closeEditor(self, editor, hint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:  # Enter, not Tab or a click away
            current = self.currentIndex()
            below = [r for r in range(current.row() + 1, self.rowCount()) if not self.isRowHidden(r)]
            if below:
                self.setCurrentCell(below[0], current.column())
            elif current.isValid():
                self.entered_on_last_row.emit(current.column())

    def moveCursor(self, action, modifiers) -> QModelIndex:
        # Tab in a cell editor asks for the next cell here (EditNextItem); nothing past the last
        # one: the editor closes and the next Tab leaves the table
        if action == QAbstractItemView.CursorAction.MoveNext:
            return self._editable_after(self.currentIndex(), forward=True)
        if action == QAbstractItemView.CursorAction.MovePrevious:
            return self._editable_after(self.currentIndex(), forward=False)
        return super().moveCursor(action, modifiers)

    def keyPressEvent(self, event) -> None:
        # Ctrl+Tab and Ctrl+Shift+Tab switch the tabs the table is on (逐条自查 / 整改台账 / 概览),
        # as from any other widget; the view takes Tab with whatever modifiers for the next cell
        if (
            event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            event.ignore()
            return
        typing = bool(event.text().strip()) and not event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        )
        if typing and self.rowCount() == 0 and self.start_row is not None:
            self.start_row()  # the key then opens its first cell, as in a row already there
        super().keyPressEvent(event)

    def inputMethodEvent(self, event) -> None:
        # Text an input method commits without a preedit (a phrase picked from its list, its
        # full-width mode) into a cell not yet open: Qt opens the editor but drops the text, as a
        # key typed is not. It goes into the editor that Qt opened.
        opening = self.state() != QAbstractItemView.State.EditingState
        text = event.commitString() if opening and not event.preeditString() else ""
        super().inputMethodEvent(event)
        editor = QApplication.focusWidget()
        if text and self.state() == QAbstractItemView.State.EditingState and editor not in (None, self):
            given = QInputMethodEvent()
            given.setCommitString(text)
            QApplication.sendEvent(editor, given)

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.tabKeyNavigation() and self.isVisible() and self.isEnabled():
            target = self._editable_after(self.currentIndex(), forward=next)
            if target.isValid():
                self.setCurrentIndex(target)
                return True
        return QWidget.focusNextPrevChild(self, next)

    def first_editable(self) -> QModelIndex:
        """The first cell shown that can be typed into or ticked; invalid if none."""
        return self._editable_after(QModelIndex(), forward=True)

    def _editable_after(self, current: QModelIndex, *, forward: bool) -> QModelIndex:
        """The next (previous) cell shown that can be typed into or ticked; invalid if none."""
        columns = [c for c in range(self.columnCount()) if not self.isColumnHidden(c)]
        rows = [r for r in range(self.rowCount()) if not self.isRowHidden(r)]
        cells = [(r, c) for r in rows for c in columns]
        if not forward:
            cells.reverse()
        start = 0
        if current.isValid() and (current.row(), current.column()) in cells:
            start = cells.index((current.row(), current.column())) + 1
        for row, column in cells[start:]:
            if self.passed_over(row):
                continue
            item = self.item(row, column)
            if item is not None and _typed_in(item):
                return self.model().index(row, column)
        return QModelIndex()


def _typed_in(item: QTableWidgetItem) -> bool:
    """Can be edited, or ticked with Space (every cell is checkable by default: a tick box is one
    with a check state)."""
    flags = item.flags()
    if not flags & Qt.ItemFlag.ItemIsEnabled:
        return False
    if flags & Qt.ItemFlag.ItemIsEditable:
        return True
    return bool(flags & Qt.ItemFlag.ItemIsUserCheckable) and item.data(Qt.ItemDataRole.CheckStateRole) is not None


def read_only(table: QTableWidget) -> None:
    """A table only looked at: no cell editing, Tab leaves it, the arrows move between rows."""
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)

"""A cell editor of several lines for the 整改台账's text columns (问题描述、原因分析、整改措施).

Quality offices write causes and measures as numbered lines ("1. …；2. …"), and Qt's default cell
editor holds one line. As in WPS and Excel, Enter finishes the cell and Alt+Enter starts a new line
in it (Ctrl+Enter and Shift+Enter too); Tab moves to the next cell and Esc puts the text back, as
the one-line editor did. The editor opens a few lines high over the rows below, so that a long text
can be read while it is changed.
"""

from __future__ import annotations

from .qt import QAbstractItemDelegate, QEvent, QPlainTextEdit, QStyledItemDelegate, Qt

#: how many lines the editor shows at least
EDITOR_LINES = 6

#: Enter with one of these starts a new line in the cell
_NEW_LINE_MODIFIERS = (
    Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
)


class _CellText(QPlainTextEdit):
    def __init__(self, parent, delegate: QStyledItemDelegate) -> None:
        super().__init__(parent)
        self._delegate = delegate
        self.setFrameShape(QPlainTextEdit.Shape.Box)

    def event(self, event) -> bool:
        # Tab and Shift+Tab finish the cell and open the next (previous) one, as in the one-line
        # editor; a text edit would otherwise type a tab or move the focus out of the table
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                # Ctrl+Tab switches the tabs, from an open cell too (it moved to the next cell):
                # the cell is saved and closed, and the key goes on to the tabs
                self._finish(QAbstractItemDelegate.EndEditHint.NoHint)
                event.ignore()
                return False
            backwards = event.key() == Qt.Key.Key_Backtab or event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            hint = QAbstractItemDelegate.EndEditHint
            self._finish(hint.EditPreviousItem if backwards else hint.EditNextItem)
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & _NEW_LINE_MODIFIERS:
                self.insertPlainText("\n")
            else:  # done, and down to the next row (CellTable), as Enter in a spreadsheet
                self._finish(QAbstractItemDelegate.EndEditHint.SubmitModelCache)
            return
        super().keyPressEvent(event)

    def _finish(self, hint) -> None:
        self._delegate.commitData.emit(self)
        self._delegate.closeEditor.emit(self, hint)


class MultilineDelegate(QStyledItemDelegate):
    """Edits a cell's text in :class:`_CellText`; the view's own commit and close signals are used,
    so a saved edit goes through the table's itemChanged like any other."""

    def createEditor(self, parent, option, index):
        return _CellText(parent, self)

    def setEditorData(self, editor, index) -> None:
        editor.setPlainText(index.data(Qt.ItemDataRole.EditRole) or "")
        editor.selectAll()  # as the one-line editor: typing replaces, an arrow key keeps

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index) -> None:
        rect = option.rect
        lines = editor.fontMetrics().lineSpacing() * EDITOR_LINES + 2 * editor.frameWidth() + 8
        rect.setHeight(max(rect.height(), lines))
        room = editor.parentWidget().height() if editor.parentWidget() is not None else rect.bottom()
        if rect.bottom() > room:  # a row near the bottom: the editor opens upwards, in view
            rect.moveBottom(max(room, rect.height()))
        editor.setGeometry(rect)

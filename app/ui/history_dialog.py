"""修改记录 of one item: a read-only table, newest first."""

from __future__ import annotations

from ..services.session import RoundSession
from .cell_table import read_only
from .item_editors import plain_label
from .qt import QDialog, QDialogButtonBox, QHeaderView, QTableWidget, QTableWidgetItem, QVBoxLayout
from .qt import QWidget as _QWidget
from .screen import fit_to_screen


class HistoryDialog(QDialog):
    def __init__(self, session: RoundSession, item_id: str, title: str, parent: _QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改记录")
        fit_to_screen(self, 1000, 520)
        layout = QVBoxLayout(self)
        heading = plain_label(title)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        lines = session.history(item_id)
        self.table = QTableWidget(len(lines), 6)
        self.table.setHorizontalHeaderLabels(["时间", "修改人", "电脑", "记录", "操作", "内容"])
        read_only(self.table)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for row, line in enumerate(lines):
            values = (line.at, line.author, line.device_id[:8], line.what, line.action, "\n".join(line.changes))
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        # rows as high as their text at the columns' widths as shown, not as they were before the
        # dialog had its size: 内容 was then narrow, and the rows stood lines taller than their text
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        note = plain_label(
            "修改记录只增不改；每条记录带前一条的校验值，在程序之外改动会被“数据库检查”发现。"
            if lines
            else "本条目还没有修改记录。"
        )
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

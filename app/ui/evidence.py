"""佐证材料: opening an attachment, and the evidence of a rectification (整改台账 → 佐证材料…)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..domain.formats import added_text, size_text
from ..domain.records import Attachment
from ..errors import AppError
from ..services import attachments as attachment_service
from ..services.session import RoundSession
from . import dialogs
from .item_editors import TextView, error_label, plain_label
from .qt import (
    QDialog,
    QDialogButtonBox,
    QEventLoop,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
)
from .screen import fit_to_screen


def open_attachment(session: RoundSession, attachment: Attachment) -> None:
    """Copy an attachment out of the database (checking its SHA-256) into this process's private
    folder and open it in the program the system uses for its type. Raises AppError or OSError."""
    dialogs.open_in_viewer(session.export_attachment(attachment))


def read_files(parent, paths: Sequence[str]) -> list[attachment_service.AttachmentFile | AppError]:
    """Read the chosen files in a worker thread (a slow USB stick or network share never freezes
    the window), waiting for them in a local event loop so the caller stays simple; each path
    gives the file read or the reason it was refused, in order."""
    from .tasks import run_in_background

    def work() -> list:
        out: list = []
        for path in paths:
            try:
                out.append(attachment_service.read_attachment_file(Path(path)))
            except AppError as err:
                out.append(err)
        return out

    if not paths:
        return []
    loop = QEventLoop()
    outcome: dict = {}

    def finish(key: str, value) -> None:
        outcome[key] = value
        loop.quit()

    run_in_background(parent, "正在读取文件……", work, lambda r: finish("done", r), lambda e: finish("failed", e))
    if not outcome:
        loop.exec()
    if "failed" in outcome:
        error = outcome["failed"]
        message = error.user_message if isinstance(error, AppError) else f"读取文件时出错：{error}"
        return [AppError(message)] * len(paths)
    return outcome["done"]


class EvidenceDialog(QDialog):
    """The photos, documents and records that show a rectification was done; they print in
    the 整改报告. The session tells the board what changed."""

    def __init__(
        self, session: RoundSession, rectification_id: str, problem: str, parent=None, *, read_only: str = ""
    ) -> None:
        """``read_only``: why the files can only be opened here (a later 复查轮次 follows the
        rectification up), shown above them; adding and deleting are then off."""
        super().__init__(parent)
        self.session, self.rectification_id = session, rectification_id
        self.read_only = read_only
        self.setWindowTitle("整改佐证材料")
        self.list = QListWidget()
        self.list.setAccessibleName("佐证材料")
        self.list.itemActivated.connect(lambda _: self.open_selected())
        self.error = error_label()
        add = self.add_button = QPushButton("添加(&A)…")
        add.setToolTip("整改后的照片、制度文件、培训记录等")
        self.open_button = QPushButton("打开(&O)")
        self.remove_button = QPushButton("删除(&D)…")
        add.clicked.connect(self.add)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        row = QHBoxLayout()
        for button in (add, self.open_button, self.remove_button):
            button.setAutoDefault(False)  # Enter in the list opens the file, and only that
            row.addWidget(button)
        row.addStretch()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        self.problem = TextView(problem)
        self.problem.setAccessibleName("问题描述")
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("问题："))
        layout.addWidget(self.problem)
        if read_only:
            note = plain_label(read_only)
            note.setWordWrap(True)
            layout.addWidget(note)
            add.setEnabled(False)
        layout.addWidget(self.list, 1)
        # an empty white list said nothing of what it is for (GUI review)
        self.empty_hint = plain_label(f"还没有佐证材料。可添加{attachment_service.ACCEPTED_TEXT}；照片印在整改报告中。")
        self.empty_hint.setWordWrap(True)
        layout.addWidget(self.empty_hint)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(close)
        self.list.setFocus()  # the files, not the text above them (Shift+Tab reaches that)
        fit_to_screen(self, 560, 400)  # room for the hint under an empty list
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for a in self.session.attachments(rectification_id=self.rectification_id):
            entry = QListWidgetItem(f"{a.filename}（{size_text(a.size)}，{a.author}）")
            entry.setData(Qt.ItemDataRole.UserRole, a)
            entry.setToolTip(added_text(a.added_at, a.author))
            self.list.addItem(entry)
        if self.list.count():
            self.list.setCurrentRow(self.list.count() - 1)
        self.empty_hint.setVisible(self.list.count() == 0 and not self.read_only)
        self.open_button.setEnabled(self.list.count() > 0)
        self.remove_button.setEnabled(self.list.count() > 0 and not self.read_only)

    def selected(self) -> Attachment | None:
        entry = self.list.currentItem()
        return entry.data(Qt.ItemDataRole.UserRole) if entry else None

    def add(self) -> None:
        """Every file chosen that can be taken is added; the others are named, with the reason."""
        refused = []
        paths = dialogs.open_files(self, "添加整改佐证材料", attachment_service.FILE_FILTER)
        for read in read_files(self, paths):
            try:
                if isinstance(read, AppError):
                    raise read
                self.session.add_attachment(read, rectification_id=self.rectification_id)
            except AppError as err:
                refused.append(str(err))
        self.refresh()
        self.error.setText("\n".join(refused))

    def open_selected(self) -> None:
        attachment = self.selected()
        if attachment is None:
            return
        try:
            open_attachment(self.session, attachment)
        except (AppError, OSError) as err:
            self.error.setText(f"无法打开“{attachment.filename}”：{err}")

    def remove_selected(self) -> None:
        attachment = self.selected()
        if attachment is None or not dialogs.confirm(self, f"删除佐证材料“{attachment.filename}”？"):
            return
        try:
            self.session.remove_attachment(attachment)
        except AppError as err:
            self.error.setText(str(err))
            return
        self.refresh()

"""Modal dialogs behind small functions, so that tests can replace them.

A modal ``QMessageBox.exec()`` blocks an offscreen test; tests monkeypatch these functions
(see tests/conftest_ui.py) instead of mocking widgets.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from . import qt  # dialog classes are looked up when a dialog opens, not at start-up (see qt.py)
from .styles import ERROR_STYLE

if TYPE_CHECKING:
    from .qt import QInputDialog, QMessageBox, QWidget

TITLE = "医疗质量自查助手"
#: 报告 → this entry takes the 自查稿 mark off a round's reports; the notes below name it
FINAL_ACTION = "定稿（去除“自查稿”水印）"
#: over the preview of a draft round's report: nothing else said why it carries the mark
DRAFT_NOTE = (
    f"本轮尚未定稿，报告带“自查稿”水印。内容确认无误、要签字盖章时，请先在“报告 → {FINAL_ACTION}”中定稿，"
    "再重新生成报告。"
)


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, message: str, buttons: QMessageBox.StandardButton | None = None
) -> QMessageBox:
    box = qt.QMessageBox(icon, TITLE, message, buttons or qt.QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(qt.Qt.TextFormat.PlainText)  # names and findings typed by users are not HTML
    return box


def error(parent: QWidget | None, message: str, details: str = "") -> None:
    """``details``: a long list behind the box's 显示详情 button, so that the box stays short
    enough for a 1024×700 screen (a message box does not scroll)."""
    box = _box(parent, qt.QMessageBox.Icon.Critical, message)
    if details:
        box.setDetailedText(details)
    box.exec()


def info(parent: QWidget | None, message: str, details: str = "") -> None:
    box = _box(parent, qt.QMessageBox.Icon.Information, message)
    if details:
        box.setDetailedText(details)
    box.exec()


def confirm(parent: QWidget | None, message: str, yes: str = "", no: str = "") -> bool:
    """是 / 否, No the default. ``yes`` and ``no`` name the buttons by what they do, where a
    lasting choice hung on a bare 是 (turning the database into a summary of many hospitals)."""
    buttons = qt.QMessageBox.StandardButton
    box = _box(parent, qt.QMessageBox.Icon.Question, message, buttons.Yes | buttons.No)
    for button, text in ((buttons.Yes, yes), (buttons.No, no)):
        if text:
            box.button(button).setText(text)
    box.setDefaultButton(buttons.No)
    return box.exec() == buttons.Yes


def ask_text(parent: QWidget | None, label: str, text: str = "", problem: str = "") -> str | None:
    """One line of text, in a box wide enough to show it whole (Qt's own showed about 200 px:
    “2025年第一季度医疗质量自查” was cut while it was renamed), at most most of a 1024 px screen.
    ``problem``: why the text typed before was refused, over the label in the error colour."""
    dialog = asking_text(parent, label, text, problem)
    return dialog.textValue() if dialog.exec() else None


def asking_text(parent: QWidget | None, label: str, text: str = "", problem: str = "") -> QInputDialog:
    """The dialog of :func:`ask_text`, not yet shown (tests and screenshots look at it)."""
    from html import escape

    dialog = qt.QInputDialog(parent)
    dialog.setWindowTitle(TITLE)
    dialog.setLabelText(label)
    caption = dialog.findChild(qt.QLabel)
    assert caption is not None  # setLabelText made it
    # the label's text format is set, never guessed: a refused name typed as “<b>一季度</b>” was
    # shown in bold, as Qt's AutoText took the message that quoted it for HTML
    if problem:
        caption.setTextFormat(qt.Qt.TextFormat.RichText)
        caption.setWordWrap(True)  # it quotes the name, which may be long
        said = escape(problem).replace("\n", "<br>")
        caption.setText(f'<span style="{ERROR_STYLE}">{said}</span><br><br>{escape(label)}')
    else:
        caption.setTextFormat(qt.Qt.TextFormat.PlainText)
    dialog.setTextValue(text)
    metrics = dialog.fontMetrics()
    room = metrics.horizontalAdvance(text) + metrics.horizontalAdvance("　" * 8)
    dialog.resize(min(max(room, 420), 900), dialog.sizeHint().height())
    return dialog


def open_files(parent: QWidget | None, caption: str, filters: str) -> list[str]:
    paths, _ = qt.QFileDialog.getOpenFileNames(parent, caption, "", filters)
    return paths


def choose_folder(parent: QWidget | None, caption: str) -> str | None:
    path = qt.QFileDialog.getExistingDirectory(parent, caption, "")
    return path or None


#: the folder a file was last saved to in this session: the next save dialog opens there (a USB
#: stick, the desktop), as office programs do
_last_folder: Path | None = None


def save_folder() -> Path:
    """Where a save dialog opens: the folder last saved to, else the user's 文档 (Documents) folder,
    else the home folder. Windows' home folder (``C:\\Users\\张三``) is not among Explorer's quick
    access, and reports saved there were hard to find again (Windows review)."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    location = qt.QStandardPaths.StandardLocation.DocumentsLocation
    documents = qt.QStandardPaths.writableLocation(location)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def remember_save_folder(path: str) -> None:
    global _last_folder
    _last_folder = Path(path).parent


def save_file(parent: QWidget | None, caption: str, name: str, filters: str) -> str | None:
    """Ask where to save a file called ``name`` (a file name, no folder: see ``save_folder``)."""
    path, _ = qt.QFileDialog.getSaveFileName(parent, caption, str(save_folder() / name), filters)
    if path:
        remember_save_folder(path)
    return path or None


def preview_pdf(parent: QWidget | None, path: PurePath, note: str = "") -> None:
    """报告预览 in the program, with 打印 (a PC may have no PDF viewer); ``note`` over the pages."""
    from pathlib import Path

    from .pdf_preview import preview

    preview(Path(path), parent, note)


def open_in_viewer(path: PurePath) -> None:
    """Open a report or an attachment in the program the system uses for its type.

    Given with forward slashes (``C:/Users/…`` on Windows), which Qt reads alike on every
    system; the URL is built by Qt, so a '#' or a space in a folder name stays part of the path."""
    qt.QDesktopServices.openUrl(qt.QUrl.fromLocalFile(path.as_posix()))

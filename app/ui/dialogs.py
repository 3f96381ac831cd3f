"""Modal dialogs behind small functions, so that tests can replace them.

A modal ``QMessageBox.exec()`` blocks an offscreen test; tests monkeypatch these functions
(see tests/conftest_ui.py) instead of mocking widgets.
"""

from __future__ import annotations

from .qt import QFileDialog, QInputDialog, QLineEdit, QMessageBox, Qt, QWidget

TITLE = "医疗质量自查助手"


def _box(parent: QWidget | None, icon: QMessageBox.Icon, message: str,
         buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> QMessageBox:
    box = QMessageBox(icon, TITLE, message, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # names and findings typed by users are not HTML
    return box


def error(parent: QWidget | None, message: str) -> None:
    _box(parent, QMessageBox.Icon.Critical, message).exec()


def info(parent: QWidget | None, message: str) -> None:
    _box(parent, QMessageBox.Icon.Information, message).exec()


def confirm(parent: QWidget | None, message: str) -> bool:
    box = _box(parent, QMessageBox.Icon.Question, message,
               QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, TITLE, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def open_files(parent: QWidget | None, caption: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, caption, "", filters)
    return paths


def save_file(parent: QWidget | None, caption: str, suggested: str, filters: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
    return path or None

"""Modal dialogs behind small functions, so that tests can replace them.

A modal ``QMessageBox.exec()`` blocks an offscreen test; tests monkeypatch these functions
(see tests/conftest_ui.py) instead of mocking widgets.
"""

from __future__ import annotations

from .qt import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

TITLE = "医疗质量自查助手"


def error(parent: QWidget | None, message: str) -> None:
    QMessageBox.critical(parent, TITLE, message)


def info(parent: QWidget | None, message: str) -> None:
    QMessageBox.information(parent, TITLE, message)


def confirm(parent: QWidget | None, message: str) -> bool:
    answer = QMessageBox.question(parent, TITLE, message,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, TITLE, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def open_files(parent: QWidget | None, caption: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, caption, "", filters)
    return paths


def save_file(parent: QWidget | None, caption: str, suggested: str, filters: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
    return path or None

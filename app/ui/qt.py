"""The one module that imports PySide6; the rest of the GUI imports Qt names from here.

Names are looked up on first use (PEP 562): each first access of a PySide6 class builds its
type and its enums (``QStyle`` alone ≈10 ms), so a dialog class that start-up does not need
costs nothing until the dialog is opened. Modules on the start-up path therefore import the
dialogs they open (message boxes, file dialogs, the help and report dialogs) inside the
functions that open them.

Keeping the import in one place makes the supported range (PySide6 6.9 for glibc 2.28 systems,
through current releases) easy to hold: a shim for an API difference goes here.
"""

from __future__ import annotations

import datetime
import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # mypy sees the real PySide6 names (and their stubs); at run time they are looked up lazily below.
    from PySide6.QtCore import (
        QDate,
        QEvent,
        QEventLoop,
        QLibraryInfo,
        QLocale,
        QLockFile,
        QModelIndex,
        QObject,
        QRect,
        QRunnable,
        QStandardPaths,
        Qt,
        QThreadPool,
        QTimer,
        QTranslator,
        QUrl,
        Signal,
    )
    from PySide6.QtGui import (
        QAction,
        QBrush,
        QColor,
        QDesktopServices,
        QFont,
        QInputMethodEvent,
        QKeySequence,
        QPainter,
        QShortcut,
        QUndoCommand,
        QUndoStack,
        QValidator,
    )
    from PySide6.QtNetwork import (
        QLocalServer,
        QLocalSocket,
    )
    from PySide6.QtSvgWidgets import (
        QSvgWidget,
    )
    from PySide6.QtWidgets import (
        QAbstractItemDelegate,
        QAbstractItemView,
        QApplication,
        QCheckBox,
        QComboBox,
        QDateEdit,
        QDialog,
        QDialogButtonBox,
        QFileDialog,
        QFormLayout,
        QFrame,
        QGridLayout,
        QHBoxLayout,
        QHeaderView,
        QInputDialog,
        QLabel,
        QLayout,
        QLineEdit,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QMessageBox,
        QPlainTextEdit,
        QProgressBar,
        QProgressDialog,
        QPushButton,
        QScrollArea,
        QSpinBox,
        QSplitter,
        QStackedWidget,
        QStyledItemDelegate,
        QTableWidget,
        QTableWidgetItem,
        QTabWidget,
        QTextBrowser,
        QToolButton,
        QTreeWidget,
        QTreeWidgetItem,
        QTreeWidgetItemIterator,
        QVBoxLayout,
        QWidget,
        QWizard,
        QWizardPage,
    )

_NAMES = {
    "QtCore": (
        "QDate",
        "QEvent",
        "QEventLoop",
        "QLibraryInfo",
        "QLocale",
        "QLockFile",
        "QModelIndex",
        "QObject",
        "QRect",
        "QRunnable",
        "QStandardPaths",
        "Qt",
        "QThreadPool",
        "QTimer",
        "QTranslator",
        "QUrl",
        "Signal",
    ),
    "QtGui": (
        "QAction",
        "QBrush",
        "QColor",
        "QDesktopServices",
        "QFont",
        "QInputMethodEvent",
        "QKeySequence",
        "QPainter",
        "QShortcut",
        "QUndoCommand",
        "QUndoStack",
        "QValidator",
    ),
    "QtNetwork": ("QLocalServer", "QLocalSocket"),
    "QtWidgets": (
        "QAbstractItemDelegate",
        "QAbstractItemView",
        "QApplication",
        "QCheckBox",
        "QComboBox",
        "QDateEdit",
        "QDialog",
        "QDialogButtonBox",
        "QFileDialog",
        "QFormLayout",
        "QFrame",
        "QGridLayout",
        "QHBoxLayout",
        "QHeaderView",
        "QInputDialog",
        "QLabel",
        "QLayout",
        "QLineEdit",
        "QListWidget",
        "QListWidgetItem",
        "QMainWindow",
        "QMessageBox",
        "QPlainTextEdit",
        "QProgressBar",
        "QProgressDialog",
        "QPushButton",
        "QScrollArea",
        "QSpinBox",
        "QSplitter",
        "QStackedWidget",
        "QStyledItemDelegate",
        "QTableWidget",
        "QTableWidgetItem",
        "QTabWidget",
        "QTextBrowser",
        "QToolButton",
        "QTreeWidget",
        "QTreeWidgetItem",
        "QTreeWidgetItemIterator",
        "QVBoxLayout",
        "QWidget",
        "QWizard",
        "QWizardPage",
    ),
}
_NAMES["QtSvgWidgets"] = ("QSvgWidget",)
_MODULE_OF = {name: module for module, names in _NAMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r} (add it to _NAMES)")
    first = "PySide6.QtCore" not in sys.modules
    value = getattr(importlib.import_module(f"PySide6.{module}"), name)
    if first:
        _no_feature_scan()
    globals()[name] = value  # the next lookup is a plain module attribute
    return value


def _no_feature_scan() -> None:
    """Once loaded, PySide6 reads the source of every module named by an ``import`` that runs
    afterwards, even one loaded long before (``typing``, ``dataclasses``, the app's services), to
    see whether it says "PySide6": its ``__feature__`` switch (snake_case, true_property) acts
    per module. The program selects no feature, so every module counts as "no feature" however it
    is marked; the modules loaded so far are marked at once (−1, "not switched") instead of read.
    A PySide6 without that table (a later release) is left alone."""
    feature = sys.modules.get("shibokensupport.feature")
    flags = getattr(feature, "pyside_feature_dict", None)
    if isinstance(flags, dict):
        for loaded in list(sys.modules):
            flags.setdefault(loaded, -1)


def to_date(value: QDate) -> datetime.date:
    """A QDate as the date its toPython() returns (PySide6 types that result as object)."""
    date = value.toPython()
    assert isinstance(date, datetime.date)
    return date

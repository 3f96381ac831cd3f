"""The installed Qt binding keeps Python's reference counts right.

PySide6 6.12.0 on Python 3.11 takes one reference from None each time a Qt call returns None
(no current item, no focus widget, an empty item role) or is given None. None's count is a few
thousand after start-up, so a morning of navigating the checklist tree aborts the program with
"Fatal Python error: none_dealloc". pyproject.toml keeps that release off Python 3.11; this test
fails if such a binding is installed anyway.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTreeWidget, QTreeWidgetItem

CALLS = 200


def test_calls_that_return_or_take_none_keep_its_reference_count(qapp):
    tree = QTreeWidget()
    section = QTreeWidgetItem(tree, ["一、首诊负责制度"])
    calls = {
        "currentItem() with no current item": tree.currentItem,
        "data() of an empty role": lambda: section.data(0, Qt.ItemDataRole.UserRole),
        "parent() of a top-level item": section.parent,
        "focusWidget() with no focus": QApplication.focusWidget,
        "setCurrentItem(None)": lambda: tree.setCurrentItem(None),
        "setData(…, None)": lambda: section.setData(1, Qt.ItemDataRole.ForegroundRole, None),
    }
    leaks = {}
    for name, call in calls.items():
        call()
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            call()
        if sys.getrefcount(None) < before:  # gains are other objects' references; only losses crash
            leaks[name] = before - sys.getrefcount(None)
    assert leaks == {}, f"the Qt binding drops references to None: {leaks}"

"""帮助 → 快捷键 lists every shortcut the menus and the pages define (pytest-qt, offscreen)."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction, QKeySequence, QShortcut

from app.ui.help_dialog import SHORTCUTS, HelpDialog
from app.ui.main_window import MainWindow

ARROWS = {"Down": "↓", "Up": "↑", "Return": "Enter", "Ins": "Insert", "Del": "Delete"}


def listed_keys() -> set[str]:
    keys: set[str] = set()
    for _where, rows in SHORTCUTS:
        for text, _what in rows:
            head = re.sub(r"（.*?）", "", text)
            keys.update(k.strip() for k in re.split(r" / | 或 |、", head))
    return keys


def readable(sequence: QKeySequence) -> str:
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    for qt_name, shown in ARROWS.items():
        text = re.sub(rf"\b{qt_name}\b", shown, text)
    return text


def test_every_shortcut_of_the_menus_and_the_walkthrough_is_in_the_help(qtbot, store, catalog, actor, demo_round):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.open_round(demo_round)
    defined = {readable(a.shortcut()) for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    for shortcut in window.findChildren(QShortcut):
        for key in shortcut.keys():  # noqa: SIM118 (a Qt method, not a dict)
            text = readable(key)
            if not text.isdigit():  # the grades: listed as 0 and 1 / 2 / 3 / 4
                defined.add(text)
    assert {"Ctrl+N", "Ctrl+E", "F1", "F3", "Ctrl+↓"} <= defined  # the collection is not empty
    # the platform's other undo/redo keys (Alt+Backspace, Ctrl+Shift+Z…) work too; help names Ctrl+Z / Ctrl+Y
    standard = QKeySequence.StandardKey
    defined -= {readable(k) for key in (standard.Undo, standard.Redo) for k in QKeySequence.keyBindings(key)}
    defined -= {"Undo", "Redo"}  # the keyboard's own undo/redo keys
    missing = sorted(defined - listed_keys())
    assert not missing, f"快捷键帮助中缺少：{missing}"


def test_the_help_shows_every_group_without_markup_leaking(qtbot):
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    for where, rows in SHORTCUTS:
        assert where in text
        for keys, what in rows:
            assert keys in text and what in text
    assert "<" not in text

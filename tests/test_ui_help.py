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


def _words(text: str) -> str:
    """A menu entry or button as the guide names it: no mnemonic, no “…”."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "").removesuffix("…")


def test_the_guide_names_only_menu_entries_and_buttons_the_program_has(qtbot, store, catalog, actor, demo_round):
    """帮助 → 使用说明 walks through the six jobs by the menus' own words; an entry renamed would
    leave the guide pointing at nothing (review of the help and texts, session 13)."""
    from pathlib import Path

    from PySide6.QtWidgets import QMenu

    from app.ui.guide import BUTTONS, MENU_PATHS, guide_html

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.open_round(demo_round)
    entries = {
        (_words(m.title()), _words(a.text()))
        for m in window.menuBar().findChildren(QMenu)
        for a in m.actions()
        if a.text()
    }
    assert {("帮助", "使用说明"), ("文件", "退出"), ("报告", "定稿（去除“自查稿”水印）")} <= entries
    assert len(MENU_PATHS) > 10 and set(MENU_PATHS) <= entries
    sources = "".join(p.read_text(encoding="utf-8") for p in Path("app/ui").glob("*.py") if p.name != "guide.py")
    labels = set(re.findall(r'"([^"]+\(&\w\)…?)"', sources))  # what a button or label says, with its key
    assert len(BUTTONS) > 8 and {b for b in BUTTONS if b not in {_words(label) for label in labels}} == set()
    html = guide_html()
    for job in ("填写医院基本情况", "开展一轮自查", "整改", "打印报告", "上报", "备份与恢复"):
        assert job in html


def test_the_guide_opens_from_the_help_menu(qtbot, store, catalog, actor, monkeypatch):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(HelpDialog, "exec", lambda self: shown.append(self) or 0)
    entry = next(a for a in window.menuBar().actions() if a.text().startswith("帮助")).menu().actions()[0]
    assert entry.text() == "使用说明(&U)…"
    entry.trigger()
    assert shown[0].windowTitle() == "使用说明" and "从备份恢复" in shown[0].browser.toPlainText()

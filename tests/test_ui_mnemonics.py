"""Alt+letter reaches one thing: no two mnemonics shown together use the same letter (else the
first press only moves focus between them, and nothing is pressed or opened)."""

from __future__ import annotations

import re
from collections import Counter

from PySide6.QtWidgets import QAbstractButton, QLabel, QTabBar, QWidget

from app.services.profile import get_profile
from app.ui.application import create_application
from app.ui.main_window import MainWindow
from app.ui.profile_wizard import ProfileWizard


def mnemonics(window: QWidget) -> Counter:
    texts = [w.text() for w in window.findChildren(QAbstractButton) + window.findChildren(QLabel) if w.isVisible()]
    # a tab's letter (逐条自查(&W)) acts from anywhere in the window, as a button's does
    texts += [bar.tabText(i) for bar in window.findChildren(QTabBar) if bar.isVisible() for i in range(bar.count())]
    if hasattr(window, "menuBar"):
        texts += [a.text() for a in window.menuBar().actions()]
    return Counter(m.upper() for t in texts for m in re.findall(r"&(\w)", t.replace("&&", "")))


def clashes(window: QWidget) -> dict:
    return {letter: n for letter, n in mnemonics(window).items() if n > 1}


def test_rounds_list_and_menus(qtbot, profiled_store, catalog, actor, ui_dialogs):
    window = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.restore_position()
    window.show()
    assert window.rounds.isVisible()
    assert clashes(window) == {}


def test_every_page_of_the_profile_wizard(qtbot, profiled_store, actor, ui_dialogs):
    create_application([])  # Qt's own buttons as users see them: 下一步(&N)、上一步(&B)
    wizard = ProfileWizard(profiled_store, actor, get_profile(profiled_store))
    qtbot.addWidget(wizard)
    wizard.show()
    for _ in range(3):
        assert clashes(wizard) == {}, wizard.currentPage().title()
        wizard.next()


def test_walkthrough_board_and_overview_with_the_menus(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    """Menus count too: Alt+I must press 添加记录, not open 医院(I) (and 记录复查 must not open 轮次)."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.open_round(demo_round)
    walk = window.walkthrough
    for kind in ("judgement", "indicator", "sampling"):
        item = next(i for i in walk.items.values() if i.kind == kind and i.applies_to(walk.view.profile))
        walk.go_to(item.id)
        assert clashes(window) == {}, kind
        assert without_mnemonic(window) == set(), kind
    for tab in (1, 2):
        window.show_tab(tab)
        qtbot.wait(50)
        assert clashes(window) == {}, tab
        assert without_mnemonic(window) == set(), tab


#: buttons pressed by other keys: the grades by 1–4 and 0, as their text says; 基本要求 is read
#: with the mouse, and Tab reaches it
_OTHER_KEYS = re.compile(r"\[\d\]$|^基本要求$")


def without_mnemonic(window: QWidget) -> set[str]:
    """The buttons shown that no Alt+letter reaches: 打开, 删除附件, 删除所选记录, 修改记录… and
    删除整改项… had none, in a tool the office works by keyboard (GUI review)."""
    return {
        b.text()
        for b in window.findChildren(QAbstractButton)
        if b.isVisible() and b.text() and "&" not in b.text() and not _OTHER_KEYS.search(b.text())
    }


def test_backup_dialogs(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    from app.services.backups import backup_now
    from app.ui.backups_dialog import BackupsDialog, DamagedDialog

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    made = backup_now(store)
    for dialog in (BackupsDialog(window), DamagedDialog(window, store.path, "quick_check", made, detail="malformed")):
        qtbot.addWidget(dialog)
        dialog.show()
        assert clashes(dialog) == {}, dialog.windowTitle()

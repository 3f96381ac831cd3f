"""What the type checker relies on, and what it found."""

from __future__ import annotations

import ast
import datetime as dt

from tests.conftest import ROOT


def test_the_typed_qt_facade_names_what_run_time_looks_up():
    """mypy reads the ``if TYPE_CHECKING`` imports of app/ui/qt.py; the program looks names up in
    ``_NAMES``. A name added to one only would be Any to mypy or missing at run time."""
    from app.ui import qt

    tree = ast.parse((ROOT / "app" / "ui" / "qt.py").read_text(encoding="utf-8"))
    typed: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom) and statement.module
                typed.update({a.name: statement.module.removeprefix("PySide6.") for a in statement.names})
    assert typed == qt._MODULE_OF


def test_back_to_the_walkthrough_with_a_heading_current(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """show_item(None) raised KeyError when a checklist or section row was current (found by mypy)."""
    from app.services.rounds import start_round
    from app.ui.main_window import MainWindow

    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, "2025年一季度", dt.date(2025, 3, 15), actor)
    window = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.open_round(round_id)
    walk = window.walkthrough
    assert walk is not None
    walk.tree.setCurrentItem(walk.tree.topLevelItem(0))
    assert walk.tree.current_item_id() is None
    window.show_tab(1)
    window.show_tab(0)
    assert not walk.panel.isEnabled()

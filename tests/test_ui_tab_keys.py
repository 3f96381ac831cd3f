"""Tab in the tables: from one cell the user can type in to the next, then on to the rest of the
form; read-only tables let Tab pass (pytest-qt, offscreen, real widgets)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.rounds import start_round
from app.services.session import RoundSession
from app.ui.item_editors import SamplingEditor
from app.ui.main_window import MainWindow
from app.ui.rectification_board import COLUMNS
from app.ui.walkthrough import WalkthroughPage
from tests.helpers import wait_exposed

TODAY = dt.date(2025, 6, 20)
EDITABLE = [col for col, (_title, field) in enumerate(COLUMNS) if field is not None]


@pytest.fixture
def window(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    w.open_round(demo_round)
    w.session.today = lambda: TODAY
    return w


def focused():
    return QApplication.focusWidget()


def show_board(qtbot, window):
    window.show_tab(1)
    qtbot.waitUntil(window.board.table.isVisible)  # built on first show, shown a turn later
    return window.board


def test_tab_on_the_board_skips_the_read_only_columns_and_goes_on_to_the_next_row(qtbot, window):
    table = show_board(qtbot, window).table
    assert [COLUMNS[c][0] for c in EDITABLE] == ["问题描述", "原因分析", "整改措施", "责任科室", "责任人", "整改期限"]
    table.setFocus()
    table.setCurrentCell(0, EDITABLE[0])
    visited = [(0, EDITABLE[0])]
    for _ in range(len(EDITABLE)):
        qtbot.keyClick(table, Qt.Key.Key_Tab)
        visited.append((table.currentRow(), table.currentColumn()))
    # along row 0's editable cells, then from 整改期限 straight to row 1's 问题描述: not 状态、复查、条目
    assert visited == [(0, c) for c in EDITABLE] + [(1, EDITABLE[0])]
    qtbot.keyClick(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert (table.currentRow(), table.currentColumn()) == (0, EDITABLE[-1])
    assert focused() is table


def test_tab_after_the_last_editable_cell_leaves_the_board(qtbot, window):
    table = show_board(qtbot, window).table
    last = table.rowCount() - 1
    table.setFocus()
    table.setCurrentCell(last, EDITABLE[-1])
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert focused() is not table and focused() is not None
    assert (table.currentRow(), table.currentColumn()) == (last, EDITABLE[-1])  # no wrap to the top
    # and Shift+Tab from the first editable cell leaves it backwards
    table.setFocus()
    table.setCurrentCell(0, EDITABLE[0])
    qtbot.keyClick(table, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is not table


def test_tab_skips_the_rows_a_filter_hides(qtbot, window):
    board = show_board(qtbot, window)
    board.overdue_only.setChecked(True)
    shown = [r for r in range(board.table.rowCount()) if not board.table.isRowHidden(r)]
    assert 0 < len(shown) < board.table.rowCount()
    board.table.setFocus()
    board.table.setCurrentCell(shown[0], EDITABLE[-1])
    qtbot.keyClick(board.table, Qt.Key.Key_Tab)
    expected = (shown[1], EDITABLE[0]) if len(shown) > 1 else None
    if expected is None:
        assert focused() is not board.table
    else:
        assert (board.table.currentRow(), board.table.currentColumn()) == expected


def test_tab_in_an_open_cell_opens_the_next_rows_first_editable_cell(qtbot, window, store):
    board = show_board(qtbot, window)
    table = board.table
    table.setFocus()
    table.setCurrentCell(0, EDITABLE[-1])
    table.editItem(table.item(0, EDITABLE[-1]))
    editor = table.focusWidget()
    assert editor is not table
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: (table.currentRow(), table.currentColumn()) == (1, EDITABLE[0]))
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)


def test_tab_leaves_the_rounds_list_at_once(qtbot, window):
    window.show_rounds()
    table = window.rounds.table
    assert table.rowCount() >= 1
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert focused() is not table
    assert table.currentColumn() == 0


def test_tab_goes_from_the_last_sampled_record_on_to_the_buttons(qtbot, profiled_store, catalog, actor, ui_dialogs):
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, "2025年一季度", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.activateWindow()
    wait_exposed(qtbot, page)
    page.tree.setCurrentItem(page.tree.nodes["qyx-core.07.3"])
    editor = page.panel.editor
    assert isinstance(editor, SamplingEditor)
    table = editor.table
    for number in ("ZY001", "ZY002"):
        editor.add_row()
        qtbot.keyClicks(table.focusWidget(), number)
        qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(profiled_store.samples(round_id, "qyx-core.07.3")) == 2)
    table.setFocus()
    table.setCurrentCell(0, 2)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert (table.currentRow(), table.currentColumn()) == (1, 0)  # 备注 → next record's 病案号
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert table.currentColumn() == 1  # 符合 is ticked with Space: a stop
    table.setCurrentCell(1, 2)
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert focused() is not table
    assert focused().text().startswith("添加记录")

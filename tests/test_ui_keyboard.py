"""The whole job with the keyboard alone, as a fast typist in a 质控办 does it: every key goes to
the widget that has the focus (tests/helpers.py: press), as a user's keys do (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.rounds import start_round
from app.ui.main_window import MainWindow
from tests.helpers import activate, press, press_alt, type_with_input_method, when_modal

TODAY = dt.date(2025, 4, 1)


def focused():
    return QApplication.focusWidget()


@pytest.fixture
def window(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """The main window on a new round of the default checklists, the keyboard in its item tree."""
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, "2025年第一季度", dt.date(2025, 3, 15), actor)
    w = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    activate(w)
    w.open_round(round_id)
    w.session.today = lambda: TODAY
    return w


def test_the_walkthrough_keys_act_when_tab_has_gone_on_to_the_tabs_above(window, profiled_store):
    """Tab from an item's last input goes on to the tabs (逐条自查 / 整改台账 / 概览): the grading
    keys, F3 and Ctrl+F must not stop working there."""
    walk = window.walkthrough
    first = walk.tree.current_item_id()
    walk.panel.attachments.setFocus()  # the item's last input
    press(Qt.Key.Key_Tab)
    assert focused() is window.round_tabs.tabBar()
    press(Qt.Key.Key_2)
    assert profiled_store.answer(walk.view.id, first).grade == "B"
    assert walk.tree.current_item_id() != first  # on to the next unanswered item
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused() is walk.search


def test_undo_on_the_board_acts_from_the_tabs_above_it(qtbot, window, profiled_store):
    walk = window.walkthrough
    press(Qt.Key.Key_4)  # D: a rectification
    window.show_tab(1)
    board = window.board
    qtbot.waitUntil(board.table.isVisible)
    entry = board.entries[0]
    board.table.item(0, 2).setText("培训不到位")  # 原因分析
    assert profiled_store.rectification(entry.id).cause == "培训不到位"
    window.round_tabs.tabBar().setFocus()
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert profiled_store.rectification(entry.id).cause == ""
    assert walk.isHidden()  # the board's undo, not the walkthrough's


def test_ctrl_t_puts_the_keyboard_on_a_row_of_the_board(qtbot, window, profiled_store, ui_dialogs):
    """The board is built when first shown: the keyboard was left on its empty page, where arrows,
    Alt+C (记录复查) and Delete found nothing to act on."""
    press(Qt.Key.Key_4)  # two rectifications
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    board = window.board
    assert focused() is board.table
    assert board.selected_entry() is not None and board.table.currentColumn() == 1  # 问题描述
    press(Qt.Key.Key_Down)
    assert board.table.currentRow() == 1
    when_modal(lambda dialog: press(Qt.Key.Key_Escape))  # 记录复查 of that row
    press_alt("C")
    assert not ui_dialogs.errors and board.error.text() == ""
    activate(window)
    assert focused() is board.table and board.table.currentRow() == 1  # back where it was


def test_the_keyboard_follows_the_tabs_and_comes_back_where_it_was(qtbot, window):
    walk = window.walkthrough
    press(Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)  # 问题描述
    assert focused() is walk.panel.finding
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # 整改台账
    assert focused() is window.board.table
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # 概览
    assert window.overview.isAncestorOf(focused())
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)  # 逐条自查, in the field left
    assert focused() is walk.panel.finding
    # on the tabs themselves the arrow keys switch pages, and the keyboard stays there
    window.round_tabs.tabBar().setFocus()
    press(Qt.Key.Key_Right)
    assert window.round_tabs.currentIndex() == 1 and focused() is window.round_tabs.tabBar()


def test_enter_presses_the_button_tab_has_reached(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """Outside dialogs Qt presses a button with Space only; Enter did nothing on the buttons of the
    window — the items of the same requirement (同一要求也见于), 基于所选新建复查, 记录复查."""
    entries = [catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")]
    round_id = start_round(profiled_store, entries, "合并", dt.date(2025, 3, 15), actor)
    window = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    activate(window)
    window.open_round(round_id)
    walk = window.walkthrough
    walk.go_to("qyx-targets-2021.1.1.rate")
    walk.tree.setFocus()
    press(Qt.Key.Key_Tab)
    related = walk.panel.related_buttons[0]
    assert focused() is related
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: walk.tree.current_item_id() != "qyx-targets-2021.1.1.rate")
    assert walk.tree.current_item_id().startswith("nat-quality-2023.")
    # the rounds list: Tab to 基于所选新建复查, Enter opens its dialog
    press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    window.rounds.buttons["recheck"].setFocus()
    opened = []
    when_modal(lambda dialog: (opened.append(dialog.windowTitle()), press(Qt.Key.Key_Escape)))
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(opened))
    assert opened == ["新建复查轮次"]


def test_enter_in_the_search_box_goes_to_the_items_found(window, profiled_store):
    walk = window.walkthrough
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    type_with_input_method(focused(), "抢救记录记入病历")
    assert walk.tree.current_item_id() == "qyx-core.07.3"
    press(Qt.Key.Key_Return)
    assert focused() is walk.tree
    type_with_input_method(walk.search, "没有这样的条目")
    walk.search.setFocus()
    press(Qt.Key.Key_Return)
    assert focused() is walk.search  # nothing found: the text stays to be corrected


def test_ctrl_tab_switches_tabs_from_the_tables_too(qtbot, window):
    """The board's table and the 抽查 grid took Ctrl+Tab as Tab, for their next cell: the 概览 could
    not be reached from them."""
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    table = window.board.table
    assert focused() is table and table.rowCount() == 2
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.round_tabs.currentIndex() == 2  # 概览
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.round_tabs.currentIndex() == 1 and focused() is table
    press(Qt.Key.Key_Tab)  # Tab itself still walks the cells
    assert focused() is table and table.currentColumn() == 2


def test_a_bar_of_the_overview_is_chosen_and_applied_by_keys(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    """The 概览's bars answered the mouse only: Tab never reached a chart, and no key applied a bar."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    activate(window)
    window.open_round(demo_round)
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.round_tabs.currentIndex() == 2  # 概览
    page = window.overview
    assert focused() is page.charts[0]  # the checklists' scores, the first of them chosen
    assert page.charts[0].current == page.charts[0].choices[0]
    press(Qt.Key.Key_Tab)
    grades = page.charts[1]  # 评价结果分布
    assert focused() is grades
    failing = next(n for n in grades.choices if grades.bars[n].target == ("mode", "failing"))
    for _ in range(grades.choices.index(failing)):
        press(Qt.Key.Key_Down)
    assert grades.current == failing
    press(Qt.Key.Key_Return)
    walk = window.walkthrough
    assert window.round_tabs.currentIndex() == 0 and walk.filter_mode.currentData() == "failing"
    assert focused() is walk.tree and walk.result.outcomes[walk.tree.current_item_id()].failing
    # back to the 概览, on the chart left; on to the departments' unfinished rectifications
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert focused() is grades
    while focused().bars[focused().choices[0]].target[0] != "department":
        press(Qt.Key.Key_Tab)
    departments = focused()
    press(Qt.Key.Key_End)
    press(Qt.Key.Key_Space)
    board = window.board
    assert window.round_tabs.currentIndex() == 1
    assert board.department.currentData() == departments.bars[departments.choices[-1]].label
    assert focused() is board.table and not board.table.isRowHidden(board.table.currentRow())

"""The whole job with the keyboard alone, as a fast typist in a 质控办 does it: every key goes to
the widget that has the focus (tests/helpers.py: press), as a user's keys do (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services.profile import get_profile
from app.services.rectifications import list_rectifications
from app.services.rounds import start_round
from app.ui.item_tree import ItemTree
from app.ui.main_window import MainWindow
from app.ui.overview_page import ChartWidget
from tests.helpers import activate, press, press_alt, type_with_input_method, when_modal

TODAY = dt.date(2025, 4, 1)


def focused():
    return QApplication.focusWidget()


def window_on(qtbot, store, catalog, actor, round_id: str) -> MainWindow:
    """The main window, active, on ``round_id``: the keyboard in its item tree."""
    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    activate(w)
    w.open_round(round_id)
    w.session.today = lambda: TODAY
    return w


@pytest.fixture
def window(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """The main window on a new round of the default checklists, the keyboard in its item tree."""
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, "2025年第一季度", dt.date(2025, 3, 15), actor)
    return window_on(qtbot, profiled_store, catalog, actor, round_id)


def test_after_0_a_digit_grades_esc_leaves_and_enter_confirms_the_reason(window, profiled_store):
    """0 (不适用) put the keyboard in 不适用原因: the next digit, meant as a grade, became the
    reason (“2”, saved as 不适用); Enter only broke the line, so “本院未开展” Enter 1 saved
    “本院未开展\n1”; Esc did nothing (review)."""
    walk = window.walkthrough
    round_id = walk.view.id
    first = walk.tree.current_item_id()
    press(Qt.Key.Key_0)
    assert focused() is walk.panel.na_reason
    press(Qt.Key.Key_2)  # changed one's mind: B
    assert profiled_store.answer(round_id, first).grade == "B"
    assert focused() is walk.tree and walk.tree.current_item_id() != first
    second = walk.tree.current_item_id()
    press(Qt.Key.Key_0)
    press(Qt.Key.Key_Escape)  # not 不适用 after all
    assert focused() is walk.tree and profiled_store.answer(round_id, second) is None
    assert not walk.panel.na_reason.isVisible() and walk.panel.na_reason_error.text() == ""
    assert not [code for code, button in walk.panel.editor.buttons.items() if button.isChecked()]
    press(Qt.Key.Key_0)
    typed("本院未开展")
    press(Qt.Key.Key_Return)  # done: back in the tree, where a digit grades
    assert focused() is walk.tree
    answer = profiled_store.answer(round_id, second)
    assert (answer.grade, answer.na_reason) == ("NA", "本院未开展")
    # and on the next item, as after a grade: the next digit regraded the 不适用 one and dropped
    # its reason (new-user review)
    assert walk.tree.current_item_id() not in (first, second)
    press(Qt.Key.Key_1)
    assert (profiled_store.answer(round_id, second).grade, profiled_store.answer(round_id, second).na_reason) == (
        "NA",
        "本院未开展",
    )


def test_after_d_the_problem_is_written_on_that_item(window, profiled_store):
    """4 (D) moved on at once: Alt+F then typed the problem under the next, ungraded item, and the
    D item's 整改项 read only 评价为“D 不符合” (new-user review). A failing grade keeps its item
    with the keyboard in 问题描述; F3 goes on; a D whose problem is written moves on as before."""
    walk = window.walkthrough
    round_id = walk.view.id
    first = walk.tree.current_item_id()
    press(Qt.Key.Key_4)
    assert walk.tree.current_item_id() == first and focused() is walk.panel.finding
    typed("交接班记录不全")
    press(Qt.Key.Key_F3)
    assert focused() is walk.tree and walk.tree.current_item_id() != first
    assert profiled_store.answer(round_id, first).finding == "交接班记录不全"
    walk.tree.select(first)
    press(Qt.Key.Key_3)  # C: on to the next
    assert walk.tree.current_item_id() != first
    walk.tree.select(first)
    press(Qt.Key.Key_4)  # D again, its problem already written: on to the next
    assert walk.tree.current_item_id() != first and focused() is walk.tree
    # a mis-keyed 4 is one Ctrl+Z, and Esc leaves 问题描述 for the tree (diff review): the field
    # took Ctrl+Z for its own empty history, and Esc did nothing
    second = walk.tree.current_item_id()
    press(Qt.Key.Key_4)
    assert focused() is walk.panel.finding
    press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert profiled_store.answer(round_id, second).grade is None
    walk.tree.select(second)
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_Escape)
    assert focused() is walk.tree and walk.tree.current_item_id() == second
    assert profiled_store.answer(round_id, second).grade == "D"


def test_enter_goes_down_so_the_next_record_never_overwrites_the_last(window, profiled_store):
    """Enter kept the cell: ZY001 Enter ZY002 Enter ZY003 Enter saved one record, ZY003
    (keyboard review). Enter goes down, on the last row to a new record."""
    walk = window.walkthrough
    find("抢救记录记入病历")
    tab_to(walk.panel.editor.table)
    press(Qt.Key.Key_Insert)
    for number in ("ZY001", "ZY002", "ZY003"):
        for key in number:  # each where the keyboard is: the first one opens the cell's editor
            typed(key)
        press(Qt.Key.Key_Return)
    saved = [s.record_no for s in profiled_store.samples(walk.view.id, "qyx-core.07.3")]
    assert saved == ["ZY001", "ZY002", "ZY003"]
    press(Qt.Key.Key_Tab)  # past the row Enter began, still blank: on to the buttons below
    assert focused() is not walk.panel.editor.table


def test_the_edit_menu_names_the_undo_keys(window):
    """撤销 and 重做 showed no shortcut in the menu (the pages' own take the keys; new-user review)."""
    texts = [a.text() for a in window.edit_menu.actions()]
    assert "撤销(&U)\tCtrl+Z" in texts and "重做(&R)\tCtrl+Y" in texts


def test_typing_into_the_empty_sampling_grid_starts_the_first_record(window, profiled_store):
    """Tab into the empty 抽查 grid and type ZY001: no row appeared and nothing said why, though the
    README says 病案号 are typed straight into the grid (new-user review)."""
    walk = window.walkthrough
    find("抢救记录记入病历")
    tab_to(walk.panel.editor.table)
    assert walk.panel.editor.table.rowCount() == 0
    for key in "ZY001":
        typed(key)
    press(Qt.Key.Key_Return)
    assert [s.record_no for s in profiled_store.samples(walk.view.id, "qyx-core.07.3")] == ["ZY001"]


def test_enter_on_the_board_goes_down_so_the_next_cause_is_the_next_rows(window, profiled_store):
    """原因一 Enter abc Enter made row 1's cause “abc”: Enter kept the cell, and typing replaced it."""
    two_failing()
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    board = window.board
    first, second = (board.entry_at(r).id for r in range(2))
    assert board.table.currentColumn() == 2  # 原因分析, the first cell with nothing in it
    press(Qt.Key.Key_F2)
    typed("原因一")
    press(Qt.Key.Key_Return)
    for key in "abc":
        typed(key)
    press(Qt.Key.Key_Return)
    causes = {
        e.id: e.rectification.cause for e in list_rectifications(profiled_store, window.walkthrough.view.id, TODAY)
    }
    assert [causes[r] for r in (first, second)] == ["原因一", "abc"]


def test_chinese_committed_into_a_cell_not_yet_open_is_typed_into_it(window, profiled_store):
    """An input method that commits without a preedit (a phrase chosen from its list, full-width
    mode, a word pasted by the IME) opened the cell and lost the text: the board's 原因分析 stayed
    empty unless F2 opened it first (review, keyboard 2). The 抽查 grid's 病案号 as well."""
    press(Qt.Key.Key_4)  # D: a rectification
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    entry = window.board.entry_at(0)
    assert focused() is window.board.table and window.board.table.currentColumn() == 2  # 原因分析, not open
    type_with_input_method(focused(), "人员不足")
    press(Qt.Key.Key_Return)
    assert profiled_store.rectification(entry.id).cause == "人员不足"
    # the same cell again: the text committed replaces what was there, as a key typed does
    type_with_input_method(window.board.table, "培训不到位")
    press(Qt.Key.Key_Return)
    assert profiled_store.rectification(entry.id).cause == "培训不到位"


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
    two_failing()  # two rectifications
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    board = window.board
    assert focused() is board.table
    # 原因分析: the first empty cell; on 问题描述, typing the cause replaced the problem (new-user review)
    assert board.selected_entry() is not None and board.table.currentColumn() == 2
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
    window = window_on(qtbot, profiled_store, catalog, actor, round_id)
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
    two_failing()
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    table = window.board.table
    assert focused() is table and table.rowCount() == 2
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.round_tabs.currentIndex() == 2  # 概览
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.round_tabs.currentIndex() == 1 and focused() is table
    press(Qt.Key.Key_Tab)  # Tab itself still walks the cells
    assert focused() is table and table.currentColumn() == 3
    # and from a cell being typed in: it went to the next cell (new-user review); the text is kept
    entry = window.board.selected_entry()
    press(Qt.Key.Key_F2)
    typed("x")
    press(Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.round_tabs.currentIndex() == 2
    assert window.session.rectification(entry.id).rectification.measure.endswith("x")


def test_a_bar_of_the_overview_is_chosen_and_applied_by_keys(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    """The 概览's bars answered the mouse only: Tab never reached a chart, and no key applied a bar."""
    window = window_on(qtbot, store, catalog, actor, demo_round)
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


def typed(text: str) -> None:
    """Text typed where the keyboard is: Latin by keys, Chinese through the input method."""
    if text.isascii():
        QTest.keyClicks(focused(), text)
    else:
        type_with_input_method(focused(), text)
    QApplication.processEvents()


@pytest.mark.slow  # ≈10 s: two PDF reports, a workbook and a package are made
def test_the_whole_job_with_the_keyboard_alone(qtbot, store, catalog, actor, ui_dialogs, tmp_path):
    """From a new database to the package: the profile, a round, grades, an indicator, a 不适用, a
    sampling grid, a finding and its department; the board's cells and a 复查; a 复查轮次 from the
    list; both PDF reports, a workbook and the package; a bar of the 概览 — by keys only."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.restore_position()
    window.show()
    activate(window)
    profile = fill_the_profile(window, store)
    round_id = start_a_round(window)
    grade_items(window, store, round_id, profile)
    fill_the_board(window, store, round_id)
    start_a_recheck_round(window)
    make_reports_and_the_package(qtbot, window, ui_dialogs, tmp_path)
    # the 概览: a bar chosen and applied
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert isinstance(focused(), ChartWidget)
    press(Qt.Key.Key_Return)  # the first checklist: its items in the walkthrough
    assert window.round_tabs.currentIndex() == 0 and window.walkthrough.scope
    assert focused() is window.walkthrough.tree


def fill_the_profile(window, store):
    """The first-run wizard: name, grade, a department added, a service ticked."""

    def fill(wizard) -> None:
        typed("东风县人民医院")
        press_alt("L")  # 医院等级: 二级, then its 等次
        press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_Down)  # 甲等
        press(Qt.Key.Key_Return)  # 下一步
        assert wizard.currentPage() is wizard.departments
        press_alt("A")  # 添加科室: a new row, its name being edited
        typed("治未病科")
        press(Qt.Key.Key_Return)
        press(Qt.Key.Key_Return)  # 下一步
        assert wizard.currentPage() is wizard.services
        press(Qt.Key.Key_Tab)
        press(Qt.Key.Key_Space)  # 开展手术
        press(Qt.Key.Key_Return)  # 完成

    when_modal(fill)
    assert window.edit_profile()
    activate(window)
    profile = get_profile(store)
    assert (profile.name, profile.level, profile.level_grade, profile.departments[-1]) == (
        "东风县人民医院",
        "二级",
        "甲等",
        "治未病科",
    )
    assert profile.flags == {"performs_surgery"}
    assert focused() is window.rounds.buttons["new"]
    return profile


def start_a_round(window) -> str:
    """Ctrl+N: name, date, leader, members, the checklists chosen with Space."""

    def fill(dialog) -> None:
        typed("2025年第一季度医疗质量自查")
        press(Qt.Key.Key_Tab)
        typed("2025-03-15")  # as the field shows dates
        press_alt("L")
        typed("李敏")
        press(Qt.Key.Key_Tab)
        typed("张华、王强")
        press_alt("K")  # 检查表: the two defaults ticked; the third ticked and unticked
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Space, Qt.Key.Key_Space):
            press(key)
        press(Qt.Key.Key_Return)

    when_modal(fill)
    press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    activate(window)
    walk = window.walkthrough
    assert (walk.view.name, walk.view.started_on, walk.view.leader) == (
        "2025年第一季度医疗质量自查",
        dt.date(2025, 3, 15),
        "李敏",
    )
    window.session.today = lambda: TODAY
    assert focused() is walk.tree
    return walk.view.id


def grade_items(window, store, round_id, profile) -> None:
    """Ten grades by digits, a 不适用 and its reason, a finding and its department, an indicator's
    numerator and denominator, three sampled records."""
    walk = window.walkthrough
    first_ten = list(walk.tree.visible_item_ids())[:10]
    for digit in "1234123412":  # each moves on to the next unanswered item
        press(getattr(Qt.Key, f"Key_{digit}"))
        if digit == "4":  # D keeps its item for the problem: left for later
            press(Qt.Key.Key_F3)
    assert [store.answer(round_id, i).grade for i in first_ten] == list("ABCDABCDAB")
    na_item = walk.tree.current_item_id()
    press(Qt.Key.Key_0)
    typed("本院未设该项服务")
    press(Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert store.answer(round_id, na_item).na_reason == "本院未设该项服务"
    found = walk.tree.current_item_id()
    press_alt("F")
    typed("值班表未在院内公开")
    press_alt("K")
    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_4)  # D, from the department box
    answer = store.answer(round_id, found)
    assert (answer.grade, answer.finding, answer.department) == ("D", "值班表未在院内公开", profile.departments[0])
    find("病原学送检率")  # an indicator
    assert walk.tree.current_item_id() == "qyx-targets-2021.2.1.rate"
    tab_to(walk.panel.editor.fields["numerator"])
    typed("45")
    press(Qt.Key.Key_Tab)
    typed("60")
    press(Qt.Key.Key_Tab)
    indicator = store.answer(round_id, "qyx-targets-2021.2.1.rate")
    assert (indicator.numerator, indicator.denominator) == (45, 60)
    find("抢救记录记入病历")  # a sampling item
    tab_to(walk.panel.editor.table)
    press(Qt.Key.Key_Insert)
    typed("ZY001")
    press(Qt.Key.Key_Tab)  # to 符合, ticked with Space
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_Tab)  # to 备注
    press(Qt.Key.Key_F2)
    typed("缺医师签名")
    press(Qt.Key.Key_Return)
    for number in ("ZY002", "ZY003"):
        press(Qt.Key.Key_Insert)
        typed(number)
        press(Qt.Key.Key_Return)
    records = [(s.record_no, s.compliant, s.note) for s in store.samples(round_id, "qyx-core.07.3")]
    assert records == [("ZY001", False, "缺医师签名"), ("ZY002", True, ""), ("ZY003", True, "")]


def find(text: str) -> None:
    """Ctrl+F, the text, Enter: the keyboard on the first item found."""
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    typed(text)
    press(Qt.Key.Key_Return)
    assert isinstance(focused(), ItemTree)


def tab_to(widget) -> None:
    for _ in range(30):
        if focused() is widget:
            return
        press(Qt.Key.Key_Tab)
    raise AssertionError(f"Tab does not reach {widget}")


def fill_the_board(window, store, round_id) -> None:
    """Ctrl+T: 原因、措施、责任人、期限 of the first rectification, then its 复查 (Alt+C)."""
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    board = window.board
    assert focused() is board.table and board.table.currentColumn() == 2  # 原因分析
    entry = board.selected_entry()
    press(Qt.Key.Key_F2)
    typed("新入职医师未参加制度培训")
    press(Qt.Key.Key_Tab)  # saved; 整改措施 opens
    typed("每月组织制度培训并考核")
    press(Qt.Key.Key_Tab)  # 责任科室, as it is
    press(Qt.Key.Key_Tab)  # 责任人
    typed("周强")
    press(Qt.Key.Key_Tab)  # 整改期限
    typed("2025-04-30")
    press(Qt.Key.Key_Return)  # saved, and down to the next row, as in a spreadsheet
    assert board.selected_entry().id != entry.id
    press(Qt.Key.Key_Up)
    saved = store.rectification(entry.id)
    assert (saved.cause, saved.measure, saved.owner, saved.deadline) == (
        "新入职医师未参加制度培训",
        "每月组织制度培训并考核",
        "周强",
        dt.date(2025, 4, 30),
    )

    def recheck(dialog) -> None:
        press(Qt.Key.Key_Down)  # 复查通过
        press_alt("B")
        typed("王五")
        press_alt("R")
        typed("已组织培训，考核全部合格")
        press(Qt.Key.Key_Tab)  # on to 确定
        press(Qt.Key.Key_Return)

    when_modal(recheck)
    press_alt("C")
    activate(window)
    assert focused() is board.table
    done = {e.id: e for e in list_rectifications(store, round_id, TODAY)}[entry.id]
    assert done.status == "已完成" and done.rectification.rechecked_by == "王五"


def start_a_recheck_round(window) -> None:
    """Ctrl+L to the list, 基于所选新建复查 (Alt+C), Enter."""
    press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert focused() is window.rounds.table
    when_modal(lambda dialog: press(Qt.Key.Key_Return))
    press_alt("C")
    activate(window)
    assert window.walkthrough.view.name == "2025年第一季度医疗质量自查（复查）"
    assert focused() is window.walkthrough.tree


def make_reports_and_the_package(qtbot, window, ui_dialogs, tmp_path) -> None:
    """The two PDF reports and a workbook from the 报告 menu (Alt+P), the package (Ctrl+E)."""
    reports = (("S", "自查报告.pdf"), ("R", "整改报告.pdf"), ("X", "自查结果.xlsx"))
    for n, (letter, name) in enumerate(reports, 1):
        ui_dialogs.save_path = str(tmp_path / name)
        press_alt("P")
        press(getattr(Qt.Key, f"Key_{letter}"))
        qtbot.waitUntil(lambda n=n: len(ui_dialogs.previewed) + len(ui_dialogs.opened) == n, timeout=30000)
        activate(window)  # the progress dialog has closed
    assert [p.name for p in ui_dialogs.previewed] == ["自查报告.pdf", "整改报告.pdf"]
    assert [p.name for p in ui_dialogs.opened] == ["自查结果.xlsx"]
    ui_dialogs.save_path = str(tmp_path / "上报包.zip")
    ui_dialogs.confirm_answer = False  # 打开所在文件夹吗？
    when_modal(lambda dialog: press(Qt.Key.Key_Return))  # 导出
    press(Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(ui_dialogs.confirms), timeout=30000)
    assert (tmp_path / "上报包.zip").exists() and not ui_dialogs.errors
    activate(window)


@pytest.mark.parametrize(
    ("keys", "day"),
    [
        ("2025-03-15", dt.date(2025, 3, 15)),  # as the field shows it
        ("2025-3-5", dt.date(2025, 3, 5)),
        ("2025/1/15", dt.date(2025, 1, 15)),
        ("2025.12.1", dt.date(2025, 12, 1)),
        ("20250630", dt.date(2025, 6, 30)),
    ],
)
def test_a_date_is_taken_as_typed(qtbot, profiled_store, catalog, actor, ui_dialogs, keys, day):
    """The date field moved on to the month by itself after the year, and again on the '-' typed
    then: "2025-03-15" set the 3rd of the month shown, "2025/1/15" November — a wrong date."""
    from app.ui.rounds_page import NewRoundDialog

    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    press_alt("D")  # 自查日期
    assert focused() is dialog.ui.dateEdit
    typed(keys)
    press(Qt.Key.Key_Tab)
    assert dialog.ui.dateEdit.date().toPython() == day


def test_one_tab_leaves_a_date_field(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """Tab went from the year to the month to the day before it left the field: three Tabs for one
    field (review, keyboard 3), where a whole date is typed in one run anyway."""
    from app.ui.rounds_page import NewRoundDialog

    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    field = dialog.ui.dateEdit
    press_alt("D")  # 自查日期
    press(Qt.Key.Key_Tab)
    assert focused() is not field and not field.isAncestorOf(focused())
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is field
    press(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is not field and not field.isAncestorOf(focused())


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        ("2025-04-31", "2025年4月没有31日"),
        ("2025-02-30", "2025年2月没有30日"),
        ("20250230", "2025年2月没有30日"),
        ("2025-2-29", "2025年2月没有29日"),
        ("20251301", "2025年没有13月"),
    ],
)
def test_a_date_that_does_not_exist_is_refused_not_made_another(
    qtbot, profiled_store, catalog, actor, ui_dialogs, keys, why
):
    """2025-04-31 was saved as 2025-04-01, 2025-02-30 as 2025-02-03, 20251301 as 2025-10-01, without
    a word (review): the field keeps its date and 确定 says why."""
    from app.ui.rounds_page import NewRoundDialog

    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    before = dialog.ui.dateEdit.date().toPython()
    press_alt("D")  # 自查日期
    typed(keys)
    press(Qt.Key.Key_Tab)  # leaving the field puts its date back
    assert dialog.ui.dateEdit.date().toPython() == before
    dialog.accept()
    assert ui_dialogs.errors == [f"自查日期：{why}，请重新填写。"] and dialog.round_id is None
    assert profiled_store.rounds() == []
    typed("2025-04-30")  # typed again: taken
    assert dialog.ui.dateEdit.refused == "" and dialog.ui.dateEdit.date().toPython() == dt.date(2025, 4, 30)


def test_a_date_that_does_not_exist_is_refused_also_when_enter_is_pressed(
    qtbot, profiled_store, catalog, actor, ui_dialogs
):
    """Enter, not Tab: Qt's fix-up on Enter made 2025-04-31 into 2025-04-01 and the dialog
    started the round on that day (review). A second 确定 takes the date shown again."""
    from app.ui.rounds_page import NewRoundDialog

    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    dialog.ui.nameEdit.setText("四月")
    before = dialog.ui.dateEdit.date().toPython()
    press_alt("D")  # 自查日期
    typed("2025-04-31")
    press(Qt.Key.Key_Return)
    assert ui_dialogs.errors == ["自查日期：2025年4月没有31日，请重新填写。"] and profiled_store.rounds() == []
    assert dialog.ui.dateEdit.date().toPython() == before
    dialog.accept()  # the date shown, told once
    assert [r.started_on for r in profiled_store.rounds()] == [before.isoformat()]


def two_failing() -> None:
    """D on two items, each problem left for later (F3): two rectifications."""
    for _ in range(2):
        press(Qt.Key.Key_4)
        press(Qt.Key.Key_F3)


def in_the_recheck_dialog(act) -> None:
    """A D on the first item, the board (Ctrl+T), and 记录复查 (Alt+C) with ``act(dialog)``."""
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    when_modal(act)
    press_alt("C")  # 记录复查


def test_a_recheck_date_after_today_is_refused_not_made_today(qtbot, window, profiled_store):
    """复查日期 2099-01-01 became today (Qt keeps a date within its range), so “不能晚于今天” was
    never said (review)."""
    said = []

    def type_the_date(dialog) -> None:
        press_alt("D")  # 复查日期
        typed("2099-01-01")
        dialog.verdict.setCurrentIndex(dialog.verdict.findData(True))
        dialog.accept()
        said.append(dialog.error.text())
        press(Qt.Key.Key_Escape)

    in_the_recheck_dialog(type_the_date)
    assert said and said[0].startswith("复查日期：2099-01-01 晚于可填的最晚日期")


def test_the_recheck_date_is_taken_as_typed(qtbot, window, profiled_store):
    taken = []

    def type_the_date(dialog) -> None:
        press_alt("D")  # 复查日期
        typed("2025-03-31")
        taken.append(dialog.date.date().toPython())
        press(Qt.Key.Key_Escape)

    in_the_recheck_dialog(type_the_date)
    assert taken == [dt.date(2025, 3, 31)]


def test_a_name_refused_has_the_keyboard_back_to_correct_it(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """Enter pressed in 检查组成员 with a name already used: the red text said why, but the keyboard
    stayed in 检查组成员, where the correction went."""
    from app.ui.rounds_page import NewRoundDialog

    start_round(profiled_store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    typed("一季度")
    press_alt("M")  # 检查组成员
    typed("张华")
    press(Qt.Key.Key_Return)
    assert "已有名为“一季度”" in dialog.ui.nameError.text()
    assert focused() is dialog.ui.nameEdit
    typed("二季度")  # over the refused name
    press(Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert {r.name for r in profiled_store.rounds()} == {"一季度", "二季度"}


def test_a_recheck_refused_has_the_keyboard_on_the_field_to_fill(qtbot, window, profiled_store):
    press(Qt.Key.Key_4)
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    entry = window.board.selected_entry()
    seen = []

    def recheck(dialog) -> None:
        press(Qt.Key.Key_Down)
        press(Qt.Key.Key_Down)  # 复查未通过
        press(Qt.Key.Key_Return)  # no 复查人 yet
        seen.append(dialog.error.text())
        assert focused() is dialog.by
        typed("王五")
        press(Qt.Key.Key_Return)

    when_modal(recheck)
    press_alt("C")
    assert seen == ["请填写复查人。"]
    assert profiled_store.rectification(entry.id).rechecked_by == "王五"


def test_the_board_left_with_a_cell_open_takes_the_keyboard_back_on_its_rows(qtbot, window, profiled_store):
    """A cell was being typed on the board when the 逐条自查 tab was clicked: the editor closed
    (saving the text), and back on the board the keyboard was in the 责任科室 filter, the page's
    first widget, where ↓ meant for the rows chose 医务科 and hid every row."""
    two_failing()
    press(Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    board = window.board
    entry = board.selected_entry()
    press(Qt.Key.Key_A)  # typing opens the cell (原因分析)
    QTest.keyClicks(focused(), "bc")
    bar = window.round_tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())
    QApplication.processEvents()  # the editor closed, as between a user's clicks
    assert profiled_store.rectification(entry.id).cause == "abc"
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert focused() is board.table
    press(Qt.Key.Key_Down)
    assert board.department.currentIndex() == 0 and len(board.visible_entries()) == 2
    assert board.table.currentRow() == 1


def clicked_date_field(qtbot, store, catalog, actor, *, at_end: bool):
    """The new-round dialog's 自查日期 at 2025-04-01, clicked before the year or into the day."""
    from PySide6.QtCore import QPoint

    from app.ui.rounds_page import NewRoundDialog

    dialog = NewRoundDialog(store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(dialog)
    field = dialog.ui.dateEdit
    field.setDate(dt.date(2025, 4, 1))
    line = field.lineEdit()
    x = line.width() - 4 if at_end else 2
    QTest.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(x, line.height() // 2))
    return field


@pytest.mark.parametrize("choose", ["ctrl+a", "click before the year"])
def test_a_date_typed_over_the_whole_field_keeps_its_year(qtbot, profiled_store, catalog, actor, ui_dialogs, choose):
    """With the whole date chosen (Ctrl+A) or the cursor clicked in before the year, Qt dropped the
    year's digits (the part was full) and took the month and day: "2024-2-29" gave 2025-02-28."""
    field = clicked_date_field(qtbot, profiled_store, catalog, actor, at_end=False)
    if choose == "ctrl+a":
        press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    typed("2024-2-29")
    press(Qt.Key.Key_Tab)
    assert field.date().toPython() == dt.date(2024, 2, 29)


@pytest.mark.parametrize(
    ("keys", "day"),
    [
        ("2024-06-03", dt.date(2024, 6, 3)),  # a whole date, begun in the day
        ("2024/6/3", dt.date(2024, 6, 3)),
        ("20240603", dt.date(2024, 6, 3)),
        ("15", dt.date(2025, 4, 15)),  # the day alone, as before
    ],
)
def test_a_whole_date_typed_after_clicking_into_the_day_is_that_date(
    qtbot, profiled_store, catalog, actor, ui_dialogs, keys, day
):
    """Clicked into the day, Qt put every digit typed into the day: "2024-06-03" gave 2025-04-03."""
    field = clicked_date_field(qtbot, profiled_store, catalog, actor, at_end=True)
    assert field.currentSection() == field.Section.DaySection
    typed(keys)
    press(Qt.Key.Key_Tab)
    assert field.date().toPython() == day

"""The rounds list and the main window: create, rename, delete, restart where the user was."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit

from app.domain.formats import years_text
from app.services import rounds as round_service
from app.services.rounds import start_round
from app.ui import rounds_page
from app.ui.main_window import MainWindow
from app.ui.rounds_page import NewRoundDialog, RoundsPage
from tests.helpers import wait_exposed


@pytest.fixture
def page(qtbot, profiled_store, catalog, actor, ui_dialogs):
    widget = RoundsPage(profiled_store, lambda: catalog, actor, lambda: False)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_create_a_round_through_the_dialog(qtbot, profiled_store, catalog, actor, ui_dialogs):
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    ui = dialog.ui
    ui.nameEdit.clear()
    ui.nameEdit.insert("2025年上半年自查")
    ui.dateEdit.setDate(QDate(2025, 6, 30))
    assert ui.yearSpin.value() == 2025
    ui.leaderEdit.insert("王建国")
    ui.membersEdit.insert("李敏、张华，刘洋")
    checked = [
        ui.checklistList.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(ui.checklistList.count())
        if ui.checklistList.item(i).checkState() == Qt.CheckState.Checked
    ]
    assert checked == ["qyx-core", "qyx-targets-2021"]  # the defaults
    qtbot.mouseClick(ui.buttonBox.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    [row] = profiled_store.rounds()
    assert (row.name, row.started_on, row.leader, row.members) == (
        "2025年上半年自查",
        "2025-06-30",
        "王建国",
        ("李敏", "张华", "刘洋"),
    )
    assert dialog.round_id == row.id


def test_the_suggested_name_writes_the_quarter_as_the_documents_do(qtbot, profiled_store, catalog, actor):
    """“2026年第4季度医疗质量自查”: official documents and the demo write 第四季度."""
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    today = dt.date.today()
    quarter = "一二三四"[(today.month - 1) // 3]
    assert dialog.ui.nameEdit.text() == f"{today.year}年第{quarter}季度医疗质量自查"


def test_the_rename_box_shows_the_whole_name(qtbot, qapp):
    """重命名 was Qt's getText: about 200 px, so “2025年第一季度医疗质量自查” was cut while edited."""
    from app.ui import dialogs

    for name in ("2025年第一季度医疗质量自查", "2025年第一季度医疗质量千院行活动自查（核心制度与改进目标对照）复查"):
        dialog = dialogs.asking_text(None, "新的轮次名称：", name)
        qtbot.addWidget(dialog)
        dialog.show()
        edit = dialog.findChild(QLineEdit)
        qtbot.waitUntil(edit.isVisible)
        assert edit.fontMetrics().horizontalAdvance(name) < edit.contentsRect().width() - 8, name
        assert dialog.width() <= 900  # on a 1024 px screen


def test_used_name_and_no_checklist_are_refused_inline(qtbot, profiled_store, catalog, actor, ui_dialogs):
    start_round(profiled_store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.ui.nameEdit.setText("一季度")
    dialog.accept()
    assert "已有名为“一季度”" in dialog.ui.nameError.text()
    dialog.ui.nameEdit.setText("二季度")
    for i in range(dialog.ui.checklistList.count()):
        dialog.ui.checklistList.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.accept()
    assert "至少选择一张" in dialog.ui.checklistsError.text()
    assert len(profiled_store.rounds()) == 1


def test_list_shows_progress_rename_and_delete(qtbot, page, profiled_store, catalog, actor, ui_dialogs):
    round_id = start_round(profiled_store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    page.refresh()
    assert page.table.item(0, 0).text() == "一季度"
    assert page.table.cellWidget(0, 4).value() == 0
    ui_dialogs.text_answer = "一季度（定稿前）"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert profiled_store.round(round_id).name == "一季度（定稿前）"
    ui_dialogs.confirm_answer = False
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert len(profiled_store.rounds()) == 1 and "无法恢复" in ui_dialogs.confirms[0]
    ui_dialogs.confirm_answer = True
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert profiled_store.rounds() == []
    assert page.empty.isVisible()


def test_a_name_refused_on_rename_is_asked_again_as_typed(qtbot, page, profiled_store, catalog, actor, ui_dialogs):
    """Renaming to a name another round has showed a modal error and threw the typed name away
    (review): the box comes back with the name as typed and why."""
    start_round(profiled_store, catalog.entries[:1], "二季度", dt.date(2025, 6, 1), actor)
    round_id = start_round(profiled_store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    page.refresh()
    page.table.selectRow(next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == "一季度"))
    ui_dialogs.text_answers = ["二季度", "一季度（复查前）"]
    page.rename_selected()
    assert [text for _, text in ui_dialogs.asked] == ["一季度", "二季度"]
    assert "已有名为“二季度”" in ui_dialogs.problems[1] and ui_dialogs.errors == []
    assert profiled_store.round(round_id).name == "一季度（复查前）"


def test_a_refusal_in_the_text_box_reads_as_an_error_and_quotes_names_as_typed(qtbot, qapp):
    """The rename refusal was black text in the label, which Qt took for HTML when the name
    quoted in it was typed as HTML (“<b>二季度</b>” came out bold and the tags went)."""
    from app.ui import dialogs
    from app.ui.styles import ERROR_STYLE

    refused = dialogs.asking_text(None, "新的轮次名称：", "<b>二季度</b>", "已有名为“<b>二季度</b>”的自查轮次。")
    plain = dialogs.asking_text(None, "名称 <i>（可改）</i>：", "一季度")
    for dialog in (refused, plain):
        qtbot.addWidget(dialog)
        dialog.show()
    label = refused.findChild(QLabel)
    assert label.textFormat() == Qt.TextFormat.RichText and ERROR_STYLE in label.text()
    shown = QTextDocumentFragment.fromHtml(label.text()).toPlainText()
    assert "已有名为“<b>二季度</b>”的自查轮次。" in shown and shown.endswith("新的轮次名称：")
    assert plain.findChild(QLabel).textFormat() == Qt.TextFormat.PlainText
    assert plain.findChild(QLabel).text() == "名称 <i>（可改）</i>："
    name = "2025年第一季度医疗质量千院行活动自查（核心制度与改进目标对照）复查" * 2
    long = dialogs.asking_text(None, "新的轮次名称：", name, f"已有名为“{name}”的自查轮次，请换一个名称。")
    qtbot.addWidget(long)
    long.show()
    qtbot.waitExposed(long)
    assert long.width() <= 900  # on a 1024 px screen: the quoted name wraps


def show_active(qtbot, window):
    """Keyboard shortcuts act in the active window, as on a desktop."""
    window.show()
    wait_exposed(qtbot, window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: window.isActiveWindow())


def window_on_a_round(qtbot, store, catalog, actor):
    """The main window, active, on a new round over the default checklists."""
    round_id = start_round(
        store, [e for e in catalog.entries if e.checklist.default], "一季度", dt.date(2025, 3, 1), actor
    )
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    show_active(qtbot, window)
    window.open_round(round_id)
    return window, round_id


def test_deleting_a_round_a_recheck_follows_up_is_refused_and_a_recheck_says_what_goes_back(
    qtbot, store, demo_round, catalog, actor, ui_dialogs
):
    from app.services.rectifications import start_recheck_round

    used = {c.id for c in round_service.load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = start_recheck_round(store, chosen, "二季度复查", dt.date(2025, 6, 15), actor, previous_round_id=demo_round)
    page = RoundsPage(store, lambda: catalog, actor, lambda: False)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    names = [page.table.item(row, 0).text() for row in range(page.table.rowCount())]
    page.table.selectRow(names.index("2025年第一季度医疗质量自查"))
    page.delete_selected()
    assert ui_dialogs.confirms == [] and "已转入《二季度复查》继续跟踪，不能删除此轮" in ui_dialogs.errors[0]
    assert len(store.rounds()) == 2
    ui_dialogs.confirm_answer = False
    page.table.selectRow(names.index("二季度复查"))
    page.delete_selected()
    assert "转入的" in ui_dialogs.confirms[0] and "将回到《2025年第一季度医疗质量自查》" in ui_dialogs.confirms[0]
    assert len(store.rounds()) == 2 and second


def test_restart_restores_the_round_and_item(qtbot, profiled_store, catalog, actor, ui_dialogs):
    window, round_id = window_on_a_round(qtbot, profiled_store, catalog, actor)
    walk = window.walkthrough
    walk.tree.select("qyx-core.05.4")
    qtbot.keyClick(walk.tree, Qt.Key.Key_2)
    assert walk.tree.current_item_id() == "qyx-core.05.5"
    window.close()

    again = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(again)
    again.show()
    again.restore_position()
    assert again.walkthrough is not None and again.walkthrough.view.id == round_id
    assert again.walkthrough.tree.current_item_id() == "qyx-core.05.5"
    assert again.walkthrough.tree.nodes["qyx-core.05.4"].text(1) == "B"
    assert "已保存" in again.saved_label.text()


def test_split_names_accepts_chinese_separators():
    assert rounds_page.split_names("李敏、张华，刘洋; 陈静\n") == ["李敏", "张华", "刘洋", "陈静"]


def test_recheck_round_carries_over_open_rectifications(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    from app.services.rectifications import list_rectifications
    from app.services.rounds import load_round

    previous = load_round(store, demo_round)
    open_before = [e for e in list_rectifications(store, demo_round, dt.date(2025, 6, 30)) if e.status != "已完成"]
    dialog = NewRoundDialog(store, catalog, actor, previous=previous)
    qtbot.addWidget(dialog)
    assert dialog.ui.nameEdit.text() == f"{previous.name}（复查）"
    assert dialog.ui.previousCombo.currentData() == demo_round
    dialog.ui.dateEdit.setDate(QDate(2025, 7, 1))
    dialog.accept()
    carried = store.rectifications(dialog.round_id)
    assert len(carried) == len(open_before) > 0
    assert {r.carried_from for r in carried} == {e.id for e in open_before}
    assert not ui_dialogs.confirms, "a first re-check asks nothing"
    # a second re-check based on the same round would carry nothing: the user is told where they are
    again = NewRoundDialog(store, catalog, actor, previous=previous)
    qtbot.addWidget(again)
    again.ui.nameEdit.setText("再次复查")
    ui_dialogs.confirm_answer = False
    again.accept()
    assert again.round_id is None and "已转入复查轮次“2025年第一季度医疗质量自查（复查）”" in ui_dialogs.confirms[-1]
    ui_dialogs.confirm_answer = True
    again.accept()
    assert again.round_id is not None and store.rectifications(again.round_id) == []


def test_choosing_a_previous_round_says_its_open_rectifications_move_into_the_new_one(
    qtbot, store, catalog, actor, demo_round, ui_dialogs
):
    """对照上一轮 reads as a comparison; choosing it also makes the new round that round's
    复查轮次, moving its open rectifications (review of the help and texts, session 13). The
    dialog says so, with the number that does move, before anything is created."""
    dialog = NewRoundDialog(store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.previous_hint.isVisible() and dialog.windowTitle() == "新建自查轮次"
    dialog.ui.previousCombo.setCurrentIndex(dialog.ui.previousCombo.findData(demo_round))
    hint = dialog.previous_hint.text()
    count = int(re.search(r"未完成的整改项 (\d+) 项转入本轮", hint)[1])
    assert dialog.previous_hint.isVisible() and dialog.windowTitle() == "新建复查轮次"
    assert "复查轮次" in hint and "逐步提高/降低" in hint
    dialog.ui.nameEdit.setText("七月复查")
    dialog.accept()
    assert len(store.rectifications(dialog.round_id)) == count > 0
    dialog.ui.previousCombo.setCurrentIndex(0)
    assert not dialog.previous_hint.isVisible() and dialog.windowTitle() == "新建自查轮次"
    # a round whose rectifications are followed up already: nothing moves, and the hint says so
    again = NewRoundDialog(store, catalog, actor)
    qtbot.addWidget(again)
    again.ui.previousCombo.setCurrentIndex(again.ui.previousCombo.findData(demo_round))
    assert "整改项已在“七月复查”中跟踪，不再转入本轮" in again.previous_hint.text()


def test_back_to_the_list_the_keyboard_is_in_it(qtbot, profiled_store, catalog, actor, ui_dialogs):
    window, round_id = window_on_a_round(qtbot, profiled_store, catalog, actor)
    qtbot.keyClick(window.walkthrough.tree, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.walkthrough is None
    qtbot.waitUntil(lambda: window.rounds.table.hasFocus())
    qtbot.keyClick(window.rounds.table, Qt.Key.Key_Return)  # Enter opens the selected round again
    assert window.walkthrough is not None and window.walkthrough.view.id == round_id


def test_closing_with_input_not_yet_saved_asks_first(qtbot, profiled_store, catalog, actor, ui_dialogs):
    window, round_id = window_on_a_round(qtbot, profiled_store, catalog, actor)
    profiled_store.conn.execute("PRAGMA query_only = ON")  # the disk is full
    window.walkthrough.panel.finding.insertPlainText("未见记录")
    ui_dialogs.confirm_answer = False
    assert not window.close() and window.isVisible()
    assert "还没有保存" in ui_dialogs.confirms[-1]
    window.show_rounds()  # nor is the round left behind without asking
    assert window.walkthrough is not None
    window.generate_report("self")  # a report would leave it out
    assert "现在生成的报告不会包含它们" in ui_dialogs.errors[-1]
    profiled_store.conn.execute("PRAGMA query_only = OFF")
    assert window.close()
    first_item = next(catalog.get("qyx-core").checklist.all_items()).id
    assert profiled_store.answer(round_id, first_item).finding == "未见记录"


def test_year_defaults_to_the_last_year_with_targets_and_says_why(qtbot, profiled_store, catalog, actor):
    from PySide6.QtCore import QDate

    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    dialog.ui.dateEdit.setDate(QDate(2027, 1, 10))
    assert dialog.ui.yearSpin.value() == 2027  # the default checklists set no yearly targets
    # … but their documents are for 2021–2025: said, with the checklists' names
    assert "“核心制度”“改进目标”依据的文件适用于 2021–2025年，不含 2027 年" in dialog.year_hint.text()
    for row in range(dialog.ui.checklistList.count()):
        item = dialog.ui.checklistList.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == "hn-7measures-2024":
            item.setCheckState(Qt.CheckState.Checked)
    assert dialog.ui.yearSpin.value() == 2025
    # the year moved away from the date's: the user is told why, not left to wonder
    assert "自查日期在 2027 年，所选检查表的年度目标值只到 2025 年，考核年度因此设为 2025 年" in dialog.year_hint.text()
    assert not dialog.year_hint.isHidden()
    dialog.ui.yearSpin.setValue(2027)
    assert "只设了 2024、2025年的年度目标值" in dialog.year_hint.text() and not dialog.year_hint.isHidden()
    dialog.ui.dateEdit.setDate(QDate(2024, 5, 1))
    assert dialog.ui.yearSpin.value() == 2024 and dialog.year_hint.isHidden()
    dialog.ui.dateEdit.setDate(QDate(2020, 1, 1))  # before the targets and the documents
    assert dialog.ui.yearSpin.value() == 2020
    hint = dialog.year_hint.text()
    assert "只设了 2024、2025年的年度目标值。按 2020 年考核时" in hint
    assert "“七项举措”依据的文件适用于 2024–2025年，不含 2020 年" in hint


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (2024, 2024, "2024年"),
        (2023, 2025, "2023–2025年"),
        (2024, None, "2024年起"),
        (None, 2025, "至2025年"),
        (None, None, ""),
    ],
)
def test_programme_years_read_naturally(first, last, text):
    assert years_text(first, last) == text


def test_the_list_writes_dates_and_score_rates_as_the_reports_do(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    from app.services.rounds import score

    page = RoundsPage(store, lambda: catalog, actor, lambda: False)
    qtbot.addWidget(page)
    page.show()
    started = store.round(demo_round).started_on
    day = dt.date.fromisoformat(started)
    assert page.table.item(0, 1).text() == f"{day.year}年{day.month}月{day.day}日"
    rate = score(store, demo_round).tally.score
    assert page.table.item(0, 5).text() == f"{rate:.1f}%"


def test_each_checklist_is_read_whole_in_the_new_round_dialog(qtbot, profiled_store, catalog, actor):
    """In 统信UOS's 10.5 pt font a checklist's line — title, region, years, document — ran past
    the list's right edge in the 720 px dialog, cut at 〔国卫医政发〔2023〕12 and read only by
    scrolling sideways: the lines wrap to the list's width."""
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    font = dialog.font()
    font.setPointSizeF(10.5)
    dialog.setFont(font)
    dialog.show()
    wait_exposed(qtbot, dialog)
    checklists = dialog.ui.checklistList
    qtbot.wait(50)  # the list lays its items out after it is shown
    assert checklists.horizontalScrollBar().maximum() == 0
    for n in range(checklists.count()):
        item = checklists.item(n)
        shown = checklists.visualItemRect(item)
        assert shown.right() <= checklists.viewport().width()
        lines = -(-checklists.fontMetrics().horizontalAdvance(item.text()) // checklists.viewport().width())
        assert shown.height() >= lines * checklists.fontMetrics().lineSpacing(), item.text()


def test_a_new_round_before_the_hospital_profile_asks_for_the_profile_first(qtbot, store, catalog, actor, ui_dialogs):
    """Ctrl+N with no 医院基本情况 yet (the first-run wizard closed) opened the new-round dialog,
    which refused only once it had been filled in (review, keyboard 4)."""
    from tests.helpers import when_modal

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    shown: list[str] = []

    def close_any() -> None:  # a dialog opened by mistake fails the test, it does not hang it
        if (dialog := QApplication.activeModalWidget()) is not None:
            shown.append(dialog.windowTitle())
            dialog.reject()

    guard = QTimer(window, interval=300, timeout=close_any)
    guard.start()
    ui_dialogs.confirm_answer = False
    window.new_round()  # no: nothing opens
    guard.stop()
    assert "医院基本情况" in ui_dialogs.confirms[-1] and shown == []
    ui_dialogs.confirm_answer = True
    opened: list[str] = []
    when_modal(lambda dialog: (opened.append(dialog.windowTitle()), dialog.reject()))
    window.new_round()  # yes: the profile first; closed without saving, no round either
    assert opened == ["医院基本情况"]
    assert store.profile() is None and store.rounds() == []


def test_dialogs_open_larger_with_a_larger_text_size(qtbot, profiled_store, catalog, actor):
    """At Windows' 125 % text size (11.25 pt) the new-round dialog opened at the 720×560 chosen for
    9 pt, with room on the screen for more: each checklist's line wrapped, its document number
    split (〔2023〕92 / 号), and 4½ of 7 checklists showed (review, scaling 4). Sizes asked for
    grow with the text, as far as the screen allows."""
    from PySide6.QtWidgets import QApplication

    from app.ui.screen import room

    app = QApplication.instance()
    normal = app.font()
    assert normal.pointSizeF() == 9  # Qt's default, as on Windows
    bigger = app.font()
    bigger.setPointSizeF(11.25)
    app.setFont(bigger)
    try:
        dialog = NewRoundDialog(profiled_store, catalog, actor)
        qtbot.addWidget(dialog)
        width, height = room(dialog)
        assert (dialog.width(), dialog.height()) == (min(900, width), min(700, height))
    finally:
        app.setFont(normal)
    dialog = NewRoundDialog(profiled_store, catalog, actor)
    qtbot.addWidget(dialog)
    assert (dialog.width(), dialog.height()) == (720, 560)


def test_the_report_menu_on_the_rounds_list_acts_on_the_selected_round(
    qtbot, store, catalog, actor, demo_round, ui_dialogs, tmp_path
):
    """The 报告 menu was greyed out on the rounds list, with nothing saying why, and Ctrl+P did
    nothing (review of the help and texts). It now opens the round selected there."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    show_active(qtbot, window)  # the menus' shortcuts act in the active window
    window.show_rounds()
    assert window.walkthrough is None and window.report_menu.isEnabled()
    # 定稿, 撤销, 重做 and 修改记录 are a round's: none is open (they did nothing, unsaid: review)
    assert not any(a.isEnabled() for a in window._round_actions)
    window.rounds.table.selectRow(0)
    window.show_board()  # 报告 → 整改台账
    assert window.walkthrough is not None and window.walkthrough.view.id == demo_round
    assert window.round_tabs.currentIndex() == 1 and all(a.isEnabled() for a in window._round_actions)
    assert window.undo_action in window._round_actions and window.final_action in window._round_actions
    window.show_rounds()
    assert not any(a.isEnabled() for a in window._round_actions)
    window.rounds.table.selectRow(0)
    ui_dialogs.save_path = str(tmp_path / "自查报告.pdf")
    qtbot.keyClick(window.rounds.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(ui_dialogs.previewed), timeout=60_000)
    assert ui_dialogs.previewed == [tmp_path / "自查报告.pdf"] and window.walkthrough.view.id == demo_round


def test_the_report_menu_with_no_round_chosen_says_what_to_do(qtbot, profiled_store, catalog, actor, ui_dialogs):
    window = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.show_rounds()
    window.generate_report("self")
    assert window.walkthrough is None and "请先在轮次列表中选择一轮自查" in ui_dialogs.infos[-1]

"""The rectification board and report generation, driven through the main window."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from app.domain.formats import cn_date
from app.services import rectifications as rect_service
from app.ui import dialogs
from app.ui.evidence import EvidenceDialog
from app.ui.main_window import MainWindow
from app.ui.rectification_board import RecheckDialog
from tests.helpers import start_recheck_of_demo, type_with_input_method, wait_exposed

TODAY = dt.date(2025, 6, 20)


@pytest.fixture
def window(demo_window):
    """The demo round's window on its 整改台账, its day fixed."""
    demo_window.session.today = lambda: TODAY
    demo_window.show_tab(1)
    return demo_window


def column(board, col):
    return [board.table.item(r, col).text() for r in range(board.table.rowCount()) if not board.table.isRowHidden(r)]


def test_board_lists_every_rectification_with_counts(window, store, demo_round):
    board = window.board
    entries = rect_service.list_rectifications(store, demo_round, TODAY)
    assert board.table.rowCount() == len(entries) > 0
    assert f"共 {len(entries)} 项" in board.summary.text()
    assert "按科室：" in board.summary.text()
    # closed after the deadline: counted apart from the open 逾期, as the 整改报告 words it
    done = [e for e in entries if e.status == "已完成"]
    late = [e for e in done if e.days_late]
    assert late and f"已完成 {len(done)}（其中逾期完成 {len(late)}）" in board.summary.text()


def test_filters_by_department_status_and_overdue(window, store, demo_round):
    board = window.board
    entries = rect_service.list_rectifications(store, demo_round, TODAY)
    overdue = [e for e in entries if e.status == "逾期"]
    board.overdue_only.setChecked(True)
    assert board.apply_filter() == len(overdue)
    assert set(column(board, 7)) <= {"逾期"}
    board.overdue_only.setChecked(False)
    department = entries[0].rectification.department
    board.department.setCurrentIndex(board.department.findData(department))
    assert set(column(board, 4)) == {department}
    board.department.setCurrentIndex(0)
    board.status.setCurrentIndex(board.status.findData("已完成"))
    assert {text.split("\n")[0] for text in column(board, 7)} <= {"已完成"}  # (逾期8天 under it)


def test_an_empty_ledger_says_where_rectifications_come_from(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """An empty 整改台账 was a blank table whose buttons all answered 请先在表格中选择一个整改项
    (review of the help and texts, session 13)."""
    import datetime as dt

    from app.services.rounds import start_round

    round_id = start_round(profiled_store, [catalog.get("qyx-core")], "一季度", dt.date(2025, 3, 15), actor)
    w = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.show()
    w.open_round(round_id)
    w.show_tab(1)
    board = w.board
    assert board.table.rowCount() == 0 and not board.empty_hint.isHidden()
    assert "还没有整改项" in board.empty_hint.text() and "“生成整改项”" in board.empty_hint.text()
    assert not board.recheck_button.isEnabled() and not board.delete_button.isEnabled()
    w.show_tab(0)
    w.walkthrough.panel.editor.choose("D")  # the first item, failing: a rectification opens
    w.show_tab(1)
    assert board.table.rowCount() == 1 and board.empty_hint.isHidden()
    board.focus_table()
    assert board.recheck_button.isEnabled() and board.go_button.isEnabled()


def test_a_filter_matching_nothing_says_so(window):
    board = window.board
    board.status.setCurrentIndex(board.status.findData("已转入复查"))
    assert board.apply_filter() == 0
    assert not board.empty_hint.isHidden() and board.empty_hint.text() == "没有符合筛选条件的整改项。"
    assert not board.recheck_button.isEnabled()
    board.status.setCurrentIndex(0)
    assert board.empty_hint.isHidden()


def test_inline_edit_saves_and_bad_date_is_refused(window, store, demo_round):
    board = window.board
    board.table.sortItems(0)
    entry = board.entry_at(0)
    cell = board.table.item(0, 2)
    cell.setText("制度培训未覆盖新入职人员")
    row = store.rectification(entry.id)
    assert row.cause == "制度培训未覆盖新入职人员"
    board.select(entry.id)
    row_index = board.table.currentRow()
    board.table.item(row_index, 6).setText("明天")
    assert "不是有效的日期" in board.error.text()
    assert store.rectification(entry.id).deadline == row.deadline
    board.select(entry.id)
    board.table.item(board.table.currentRow(), 6).setText("2025/7/1")
    assert store.rectification(entry.id).deadline == dt.date(2025, 7, 1)
    assert not board.advice.isVisible()  # after today (2025-06-20): nothing to say
    # a deadline before today is saved, and said: the row turned 逾期 without a word (GUI review 14).
    # Today is the PC's: a deadline moved is dated by its clock, and counts from that day on
    window.session.today = dt.date.today
    entry = next(e for e in board.entries if e.status == "整改中")
    board.select(entry.id)
    past = dt.date.today() - dt.timedelta(days=30)
    board.table.item(board.table.currentRow(), 6).setText(past.isoformat())
    assert store.rectification(entry.id).deadline == past
    assert board.advice.isVisible() and f"{cn_date(past)} 早于今天，本项已计为逾期" in board.advice.text()
    assert not board.error.text()
    board._filter_changed()
    assert not board.advice.isVisible()


def test_recheck_dialog_marks_done(qtbot, window, store, actor, demo_round):
    board = window.board
    entry = next(e for e in board.entries if e.status != "已完成" and e.rectification.measure)
    dialog = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(dialog)
    # the item it is of, named as the board names it: several D rows share one problem sentence
    shown = dialog.item.toPlainText()
    assert shown == "、".join(window.session.references[i] for i in entry.item_ids)
    assert shown.startswith(("核心制度", "改进目标")) and "qyx" not in shown
    # beside 条目：, not 12 px below it (GUI review 11)
    dialog.show()
    QApplication.processEvents()
    label = dialog.layout().itemAt(0).layout().labelForField(dialog.item)
    assert abs(label.geometry().center().y() - dialog.item.geometry().center().y()) <= 3
    dialog.by.setText("刘洋")
    dialog.accept()  # Enter at once: nothing is chosen yet, nothing is marked done
    assert "请选择复查结论" in dialog.error.text()
    assert rect_service.get_rectification(store, entry.id, TODAY).status != "已完成"
    dialog.verdict.setCurrentIndex(dialog.verdict.findData(True))
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert rect_service.get_rectification(store, entry.id, TODAY).status == "已完成"
    empty = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(empty)
    empty.verdict.setCurrentIndex(empty.verdict.findData(True))
    empty.by.clear()
    empty.accept()
    assert "请填写复查人" in empty.error.text()


def test_a_recheck_writes_the_missing_measure_and_closes_a_misjudged_item(qtbot, window, store, demo_round):
    """A pass without a 整改措施 was refused with “请先填写”: the user left the dialog for the
    board, and a 误判 had no word on what to write. The dialog now asks for it, says what to write
    for a 误判, and saves it with the pass."""
    board = window.board
    entry = next(e for e in board.entries if e.status != "已完成" and not e.rectification.measure)
    dialog = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.measure_edit is not None and dialog.measure_edit.isVisible()
    assert "原评价有误" in dialog.measure_edit.placeholderText()
    dialog.verdict.setCurrentIndex(dialog.verdict.findData(True))
    dialog.by.setText("刘洋")
    dialog.accept()
    assert "原评价有误、无需整改时" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.focusWidget() is dialog.measure_edit  # the keyboard where the answer goes
    assert store.rectification(entry.id).recheck_passed is None
    dialog.measure_edit.setPlainText("经复评，原评价有误，无需整改")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    row = store.rectification(entry.id)
    assert (row.measure, row.recheck_passed) == ("经复评，原评价有误，无需整改", True)
    assert rect_service.get_rectification(store, entry.id, TODAY).status == "已完成"
    again = RecheckDialog(window.session, window.session.rectification(entry.id), board)
    qtbot.addWidget(again)
    assert again.measure_edit is None  # written once: corrected on the board, as every measure is


def test_a_recheck_after_a_failed_one_starts_as_a_new_check(qtbot, window, store, actor, demo_round):
    """After 复查未通过 the dialog came back with the failed verdict, its date and its words: a user
    choosing 通过 and typing a new result saved “2026年11月10日 … 复查通过”, the day it failed."""
    board = window.board
    entry = next(e for e in board.entries if e.status != "已完成" and e.rectification.measure)
    failed_on = window.session.today() - dt.timedelta(days=3)
    window.session.record_recheck(entry.id, passed=False, date=failed_on, by="刘洋", result="仍有两份记录未签字")
    entry = next(e for e in window.session.rectifications() if e.id == entry.id)
    dialog = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(dialog)
    assert dialog.verdict.currentIndex() == 0  # nothing chosen
    assert dialog.date.date().toPython() == window.session.today() and dialog.result_edit.toPlainText() == ""
    assert dialog.by.text() == "刘洋"
    assert (
        dialog.last_check.toPlainText().startswith("上次复查：")
        and "仍有两份记录未签字" in dialog.last_check.toPlainText()
    )
    dialog.verdict.setCurrentIndex(dialog.verdict.findData(True))
    dialog.result_edit.setPlainText("已全部补签")
    dialog.accept()
    rect = store.rectification(entry.id)
    assert (rect.recheck_passed, rect.recheck_date, rect.recheck_result) == (True, window.session.today(), "已全部补签")
    passed = RecheckDialog(window.session, next(e for e in window.session.rectifications() if e.id == entry.id), board)
    qtbot.addWidget(passed)  # a passed re-check is corrected in place
    assert passed.verdict.currentData() is True and passed.result_edit.toPlainText() == "已全部补签"
    assert not passed.last_check.isVisibleTo(passed)


def test_go_to_item_from_the_board(window):
    board = window.board
    board.table.selectRow(0)
    entry = board.selected_entry()
    board.go_button.click()
    assert window.round_tabs.currentIndex() == 0
    assert window.walkthrough.tree.current_item_id() == entry.rectification.item_id


def test_c_grade_offers_a_rectification(qtbot, window, store, demo_round):
    window.show_tab(0)
    walk = window.walkthrough
    item_id = next(
        i
        for i, o in walk.result.outcomes.items()
        if o.grade is not None
        and o.grade.code == "C"
        and not any(r.item_id == i for r in store.rectifications(demo_round))
    )
    walk.tree.select(item_id)
    assert walk.panel.rectification_button.isVisibleTo(walk.panel)
    walk.panel.rectification_button.click()
    assert any(r.item_id == item_id for r in store.rectifications(demo_round))
    assert "整改项：" in walk.panel.rectification_label.text()
    assert not walk.panel.rectification_button.isVisibleTo(walk.panel)
    # what is still to fill in on the board, not all four whatever was filled (review)
    assert "在“整改台账”中填写原因、措施、责任人和期限" in walk.panel.rectification_label.text()
    rect = next(r for r in store.rectifications(demo_round) if r.item_id == item_id)
    window.session.update_rectification(rect.id, cause="人员不足", owner="刘洋")
    walk.tree.select(next(i for i in walk.result.outcomes if i != item_id))
    walk.tree.select(item_id)
    assert "在“整改台账”中填写措施和期限" in walk.panel.rectification_label.text()
    window.session.update_rectification(rect.id, measure="培训", deadline=dt.date(2025, 9, 30))
    walk.tree.select(next(i for i in walk.result.outcomes if i != item_id))
    walk.tree.select(item_id)
    assert "原因、措施、责任人和期限已填写" in walk.panel.rectification_label.text()


def test_failing_grade_opens_a_rectification_automatically(qtbot, window, store, demo_round):
    window.show_tab(0)
    walk = window.walkthrough
    item_id = next(i for i, o in walk.result.outcomes.items() if o.grade is not None and o.grade.code == "A")
    walk.tree.select(item_id)
    walk.panel.editor.choose("D")
    assert any(r.item_id == item_id for r in store.rectifications(demo_round))


def test_report_is_generated_in_the_background_and_opened(qtbot, window, ui_dialogs, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "自查报告.pdf"
    ui_dialogs.save_path = str(out)
    window.generate_report("self")
    assert window.isEnabled()  # the window is not blocked while the PDF renders
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=60_000)
    assert ui_dialogs.previewed == [out] and ui_dialogs.opened == []
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "示例县人民医院" in text
    assert ui_dialogs.errors == []
    # a draft's report carries 自查稿; the preview says why and where it goes (review, session 13)
    assert "自查稿" in text and ui_dialogs.preview_notes == [dialogs.DRAFT_NOTE]
    assert f"“报告 → {dialogs.FINAL_ACTION}”" in dialogs.DRAFT_NOTE
    assert window.final_action.text().startswith(dialogs.FINAL_ACTION)
    window.final_action.trigger()
    window.generate_report("self")
    qtbot.waitUntil(lambda: len(ui_dialogs.previewed) == 2, timeout=60_000)
    assert ui_dialogs.preview_notes[-1] == ""


def test_final_toggle_is_saved(window, store, demo_round):
    window.final_action.setChecked(True)
    window.toggle_final()
    assert store.round(demo_round).status == "final"


def test_a_change_after_final_makes_the_round_a_draft_again(window, store, demo_round):
    """定稿 then a grade changed: the next report must carry the 自查稿 watermark again, not pass
    for the report that was signed; the user is told."""
    window.final_action.setChecked(True)
    window.toggle_final()
    board_entry = window.board.entry_at(0)
    window.session.update_rectification(board_entry.id, owner="王五")
    assert store.round(demo_round).status == "draft"
    assert not window.final_action.isChecked()
    assert "改回自查稿" in window.saved_label.text()
    window.final_action.setChecked(True)
    window.toggle_final()  # finalised again after checking
    assert store.round(demo_round).status == "final"
    window.session.set_final(True)  # the round itself changing is no reason to go back
    assert store.round(demo_round).status == "final"


def test_evidence_is_attached_to_a_rectification(window, store, demo_round, ui_dialogs, tmp_path, monkeypatch):
    photo = tmp_path / "整改后现场.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    board = window.board
    board.table.selectRow(0)
    entry = board.selected_entry()
    ui_dialogs.files = [str(photo), str(tmp_path / "不存在.png")]  # the second cannot be read
    dialogs = []
    monkeypatch.setattr(EvidenceDialog, "exec", lambda self: dialogs.append(self) or self.add() or 0)
    board.evidence_button.click()
    stored = store.attachments(demo_round, rectification_id=entry.id)
    assert [a.filename for a in stored][-1] == "整改后现场.png"
    assert "不存在.png" in dialogs[0].error.text()  # named, and the readable one still added
    board.select(entry.id)
    assert f"佐证 {len(stored)} 份" in board.table.item(board.table.currentRow(), 8).text()
    # the wrong photo can be taken out again
    dialog = EvidenceDialog(window.session, entry.id, entry.rectification.problem)
    assert dialog.list.count() == len(stored)
    assert dialog.empty_hint.isHidden()  # what may be added is said only while there is nothing
    assert dialog.list.item(dialog.list.count() - 1).text() == "整改后现场.png（72 字节，测试员）"
    dialog.open_selected()
    assert ui_dialogs.opened and ui_dialogs.opened[-1].name == "整改后现场.png"
    dialog.remove_selected()
    assert len(store.attachments(demo_round, rectification_id=entry.id)) == len(stored) - 1
    assert dialog.list.count() == len(stored) - 1
    assert dialog.empty_hint.isHidden() == (dialog.list.count() > 0)
    assert "单个不超过 20 MB" in dialog.empty_hint.text()
    # the board hears of it from the session
    board.select(entry.id)
    shown = board.table.item(board.table.currentRow(), 8).text()
    assert (f"佐证 {len(stored) - 1} 份" in shown) if len(stored) > 1 else ("佐证" not in shown)


def test_tab_moves_to_the_next_cell_after_a_save(qtbot, window, store):
    from PySide6.QtCore import Qt

    board = window.board
    entry = board.entry_at(0)
    board.table.setFocus()
    board.table.setCurrentCell(0, 2)
    board.table.editItem(board.table.item(0, 2))
    editor = board.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "CAUSE")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: store.rectification(entry.id).cause == "CAUSE")
    qtbot.waitUntil(lambda: board.table.currentColumn() == 3)
    editor = board.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "MEASURE")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: store.rectification(entry.id).measure == "MEASURE")
    assert store.rectification(entry.id).problem != "MEASURE"


def test_the_draft_note_is_the_rendered_rounds_though_the_user_moved_on(qtbot, window, ui_dialogs, tmp_path):
    """The note over the preview was decided when the report was done, from whatever round was
    open then: back on the rounds list, a draft's report said nothing (diff review)."""
    ui_dialogs.save_path = str(tmp_path / "自查报告.pdf")
    window.generate_report("self")
    window.show_rounds()  # while it renders
    qtbot.waitUntil(lambda: bool(ui_dialogs.previewed), timeout=60_000)
    assert window.walkthrough is None and ui_dialogs.preview_notes == [dialogs.DRAFT_NOTE]


def test_excepthook_tells_the_user_and_logs(tmp_path, ui_dialogs, monkeypatch):
    import sys

    from app.ui import application, tasks

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(tasks, "error_log", None)  # install_excepthook points it at this log
    log = tmp_path / "error.log"
    application.install_excepthook(log)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert "程序出现意外错误" in ui_dialogs.errors[-1] and str(log) in ui_dialogs.errors[-1]
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")
    # Python's words are behind 显示详情, not in what the user reads first (review, session 13)
    assert "RuntimeError" not in ui_dialogs.errors[-1] and ui_dialogs.error_details[-1] == "RuntimeError: boom"


def test_board_lists_in_checklist_order_like_the_report(window, store, demo_round):
    board = window.board
    listed = [board.entry_at(r).id for r in range(board.table.rowCount())]
    assert listed == [e.id for e in rect_service.list_rectifications(store, demo_round, TODAY)]
    items = column(board, 0)
    assert items[0].startswith("核心制度") and items[-1].startswith("改进目标")  # not reversed, not by text


def test_a_message_about_an_edit_goes_when_the_view_changes(window):
    board = window.board
    board.table.item(0, 6).setText("明天")
    assert "不是有效的日期" in board.error.text()
    board.overdue_only.setChecked(True)
    assert board.error.text() == ""


def test_a_department_typed_on_the_board_can_be_filtered_by(window):
    board = window.board
    board.table.item(0, 4).setText("设备科")
    assert board.department.findData("设备科") >= 0
    board.department.setCurrentIndex(board.department.findData("设备科"))
    assert column(board, 4) == ["设备科"]


def test_enter_in_the_evidence_list_opens_the_file_and_adds_nothing(
    qtbot, window, store, demo_round, ui_dialogs, tmp_path
):
    from PySide6.QtCore import Qt

    from app.services.attachments import add_attachment

    photo = tmp_path / "整改后.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    entry = window.board.entry_at(0)
    add_attachment(store, demo_round, photo, window.actor, rectification_id=entry.id)
    before = len(store.attachments(demo_round, rectification_id=entry.id))
    dialog = EvidenceDialog(window.session, entry.id, entry.rectification.problem)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setFocus()
    ui_dialogs.files = [str(photo)]  # what 添加… would add, were it pressed
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert ui_dialogs.opened and len(store.attachments(demo_round, rectification_id=entry.id)) == before


def test_a_message_about_an_edit_goes_when_another_row_is_chosen(window):
    board = window.board
    board.table.setCurrentCell(0, 6)
    board.table.item(0, 6).setText("明天")
    QApplication.processEvents()  # the user acts in a later turn of the event loop
    assert "不是有效的日期" in board.error.text()
    board.table.setCurrentCell(0, 5)  # the same row: the message still belongs to it
    assert board.error.text()
    board.table.setCurrentCell(1, 6)
    assert board.error.text() == ""


def test_a_date_refused_on_enter_keeps_its_message_and_its_cell(qtbot, window, store):
    """Enter on a refused 整改期限 moved on to the row below, which cleared the message: the old
    date came back unexplained while the status bar said 已保存 (new-user review)."""
    from PySide6.QtCore import Qt

    board = window.board
    assert board.table.rowCount() > 1
    entry = board.entry_at(0)
    before = store.rectification(entry.id).deadline
    editor = _open_cell(board, 0, 6)
    editor.selectAll()
    qtbot.keyClicks(editor, "2025-02-30")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "不是有效的日期" in board.error.text())  # committed in a later turn
    qtbot.wait(100)  # Enter's move to the row below, and back
    assert (board.table.currentRow(), board.table.currentColumn()) == (0, 6)
    assert "不是有效的日期" in board.error.text()
    assert store.rectification(entry.id).deadline == before
    board.table.setCurrentCell(1, 6)  # the user moves on: the message goes
    assert board.error.text() == ""


def test_characters_no_font_has_are_told_before_the_report_is_made(
    qtbot, window, store, demo_round, actor, ui_dialogs, tmp_path
):
    from app.services.answers import record_answer

    record_answer(store, demo_round, "qyx-core.01.1", actor, grade="D", finding="罕见字𠀀未能显示")
    out = tmp_path / "自查报告.pdf"
    ui_dialogs.save_path = str(out)
    ui_dialogs.confirm_answer = False
    window.generate_report("self")
    qtbot.waitUntil(lambda: bool(ui_dialogs.confirms), timeout=30_000)
    assert "U+20000" in ui_dialogs.confirms[0] or "𠀀" in ui_dialogs.confirms[0]
    qtbot.wait(200)
    assert not out.exists(), "the user chose not to render"
    ui_dialogs.confirm_answer = True
    window.generate_report("self")
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=60_000)
    assert out.exists() and ui_dialogs.previewed == [out]


def test_a_board_edit_is_undone_with_ctrl_z_on_the_board(qtbot, window, store):
    """One undo stack for the round: the board's edits are undone like the walkthrough's."""
    from PySide6.QtCore import Qt

    board = window.board
    entry = board.entry_at(0)
    before = store.rectification(entry.id).owner
    board.select(entry.id)
    board.table.item(board.table.currentRow(), 5).setText("王五")
    assert store.rectification(entry.id).owner == "王五"
    board.table.setFocus()
    qtbot.keyClick(board.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.rectification(entry.id).owner == before
    board.select(entry.id)
    assert board.table.item(board.table.currentRow(), 5).text() == before  # redrawn from the session
    window._redo()  # 编辑 → 重做, from the menu
    assert store.rectification(entry.id).owner == "王五"
    qtbot.keyClick(board.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store.rectification(entry.id).owner == before
    board.table.setFocus()
    qtbot.keyClick(board.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # redo on the board too
    assert store.rectification(entry.id).owner == "王五"


def test_the_walkthrough_shows_a_recheck_made_on_the_board_at_once(qtbot, window, store):
    board = window.board
    entry = next(e for e in board.entries if e.status != "已完成" and e.rectification.measure)
    item_id = entry.rectification.item_id
    window.go_to_item(item_id)
    window.show_tab(1)
    dialog = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(dialog)
    dialog.verdict.setCurrentIndex(dialog.verdict.findData(True))
    dialog.by.setText("刘洋")
    dialog.accept()
    assert "已完成" in window.walkthrough.panel.rectification_label.text()


def test_the_board_shown_on_a_new_day_tells_what_became_overdue(window):
    """A window left open overnight: switching back to the board draws it again for the new day."""
    board = window.board
    entry = next(e for e in board.entries if e.status == "整改中" and e.rectification.deadline)
    window.show_tab(0)
    window.session.today = lambda: entry.rectification.deadline + dt.timedelta(days=1)
    window.show_tab(1)
    assert next(e for e in board.entries if e.id == entry.id).status == "逾期"


LONG_PROBLEM = "<b>x</b> 值班表未公开。\n" + "这是很长的问题描述。" * 300  # ≈3,000 characters, as typed


def test_a_long_problem_keeps_its_row_a_few_lines_high_with_the_short_columns_at_the_top(qtbot, window):
    """One long 问题描述 made its row taller than the table, and the row's 条目, 期限 and 状态,
    drawn in the middle of it, were off the screen."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextDocument

    window.resize(1366, 740)
    board, table = window.board, window.board.table
    entry = board.entries[0]
    window.session.update_rectification(entry.id, problem=LONG_PROBLEM)
    board.select(entry.id)
    row = table.currentRow()
    table.scrollToItem(table.item(row, 0))
    qtbot.waitUntil(lambda: table.viewport().height() > 300)
    lines = table.fontMetrics().size(0, "中\n中\n中\n中").height()
    assert table.rowHeight(row) <= lines + 1 < table.viewport().height() / 4
    assert table.item(row, 1).text() == LONG_PROBLEM  # elided when drawn, whole when edited
    for col in (0, 4, 5, 6, 7):
        cell = table.item(row, col)
        assert Qt.AlignmentFlag(cell.textAlignment()) & Qt.AlignmentFlag.AlignTop
        assert table.viewport().rect().contains(table.visualItemRect(cell).topLeft())
    tip = QTextDocument()
    tip.setHtml(table.item(row, 1).toolTip())
    shown = tip.toPlainText()
    assert shown.startswith("<b>x</b> 值班表未公开。\n这是很长")  # as typed, never taken as HTML
    assert shown.endswith("……") and len(shown) < 1000  # fits on the screen


def _lines(widget, n: int) -> int:
    """The height of ``n`` lines of Chinese text in ``widget``'s font."""
    return widget.fontMetrics().size(0, "\n".join(["中"] * n)).height()


def test_a_long_problem_in_the_recheck_dialog_scrolls_in_whole_lines_above_the_fields(qtbot, window):
    """The 问题 label took the dialog's height and was cut through a line of characters just
    above 复查结论."""
    board = window.board
    window.session.update_rectification(board.entries[0].id, problem=LONG_PROBLEM)
    entry = window.session.rectification(board.entries[0].id)
    dialog = RecheckDialog(window.session, entry, board)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_exposed(qtbot, dialog)
    assert dialog.sizeHint().height() < 600  # its natural size fits a 768-pixel screen: nothing squeezed
    view = dialog.problem
    assert view.toPlainText() == LONG_PROBLEM  # shown as typed, all of it
    assert view.height() == _lines(view, 4) and view.verticalScrollBar().maximum() > 0  # whole lines, scrolled
    assert view.geometry().bottom() < dialog.verdict.geometry().top()
    for field in (dialog.verdict, dialog.date, dialog.by):
        assert field.height() >= field.sizeHint().height()
    assert dialog.focusWidget() is dialog.verdict  # the text to read comes before it, not the focus
    short = next(e for e in board.entries if e.id != entry.id)
    window.session.update_rectification(short.id, problem="值班表未公开。")
    other = RecheckDialog(window.session, window.session.rectification(short.id), board)
    qtbot.addWidget(other)
    other.show()
    wait_exposed(qtbot, other)
    assert other.problem.height() == _lines(other.problem, 1) and other.problem.verticalScrollBar().maximum() == 0


def test_a_long_problem_in_the_evidence_dialog_leaves_the_file_list_its_room(qtbot, window):
    """The 问题 label stopped mid-word without an ellipsis and left the list of files small."""
    board = window.board
    entry = board.entries[0]
    window.session.update_rectification(entry.id, problem=LONG_PROBLEM)
    dialog = EvidenceDialog(window.session, entry.id, LONG_PROBLEM, board)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_exposed(qtbot, dialog)
    assert dialog.sizeHint().height() < 600  # fits a 768-pixel screen
    assert dialog.list.height() > dialog.height() / 3  # the files are what this dialog is for
    assert dialog.focusWidget() is dialog.list
    view = dialog.problem
    assert view.toPlainText() == LONG_PROBLEM
    assert view.height() == _lines(view, 4) and view.verticalScrollBar().maximum() > 0
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())  # the end can be read
    assert view.cursorForPosition(view.viewport().rect().bottomLeft()).position() > len(LONG_PROBLEM) - 100


def _open_cell(board, row, col):
    board.table.setFocus()
    board.table.setCurrentCell(row, col)
    board.table.editItem(board.table.item(row, col))
    return board.table.focusWidget()


def test_measures_are_written_on_several_lines_with_alt_enter(qtbot, window, store):
    """整改措施 as numbered lines: Alt+Enter starts a line in the cell (as in WPS and Excel), Enter
    saves the cell; the editor opens several lines high so a long text can be read."""
    from PySide6.QtCore import Qt

    board = window.board
    entry = board.entry_at(0)
    editor = _open_cell(board, 0, 3)
    assert editor.height() >= 5 * editor.fontMetrics().lineSpacing()
    editor.selectAll()
    type_with_input_method(editor, "1.修订制度")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    type_with_input_method(editor, "2.全员培训")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_with_input_method(editor, "3.督查")
    assert store.rectification(entry.id).measure != "1.修订制度\n2.全员培训\n3.督查", "not saved while typing"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: store.rectification(entry.id).measure == "1.修订制度\n2.全员培训\n3.督查")
    assert board.table.state() != board.table.State.EditingState
    assert board.table.item(0, 3).text() == "1.修订制度\n2.全员培训\n3.督查"


def test_escape_puts_the_text_back_and_shift_tab_goes_to_the_previous_cell(qtbot, window, store):
    from PySide6.QtCore import Qt

    board = window.board
    entry = board.entry_at(0)
    before = store.rectification(entry.id).cause
    editor = _open_cell(board, 0, 2)
    editor.selectAll()
    type_with_input_method(editor, "不要的文字")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: board.table.state() != board.table.State.EditingState)
    assert store.rectification(entry.id).cause == before
    assert board.table.item(0, 2).text() == before
    editor = _open_cell(board, 0, 3)
    editor.selectAll()
    type_with_input_method(editor, "措施")
    qtbot.keyClick(editor, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: store.rectification(entry.id).measure == "措施")
    qtbot.waitUntil(lambda: board.table.currentColumn() == 2 and board.table.state() == board.table.State.EditingState)


def test_a_carried_over_rectification_whose_item_passes_now_says_so(
    qtbot, store, catalog, actor, demo_round, ui_dialogs
):
    """The board and the walkthrough say what the reports say: carried over, and this round's
    result of an item that no longer fails, to be closed with a re-check."""
    second = start_recheck_of_demo(store, catalog, actor, demo_round)
    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.show()
    w.open_round(second)
    w.session.today = lambda: TODAY
    w.show_tab(1)
    board = w.board
    entry = next(e for e in board.entries if e.regraded == "B 有监管")
    board.select(entry.id)
    row = board.table.currentRow()
    sentence = "本轮复评：B 有监管，复查确认后可销号"
    assert board.table.item(row, 0).text().endswith("（上轮转入）")
    assert board.table.item(row, 8).text() == sentence
    carried = [text for text in column(board, 0) if text.endswith("（上轮转入）")]
    assert len(carried) == sum(e.carried for e in board.entries)
    w.show_tab(0)
    w.walkthrough.tree.select(entry.rectification.item_id)
    assert sentence in w.walkthrough.panel.rectification_label.text()


def test_deadlines_read_as_the_reports_write_them_and_sort_by_date(window, store, demo_round):
    board = window.board
    window.session.update_rectification(board.entries[0].id, deadline="2025-10-01")  # text would sort it first
    board.table.sortItems(6)
    shown = column(board, 6)
    assert shown and all(d == "" or d.endswith("日") for d in shown)  # 2025年7月31日, as in the 整改报告
    days = [board.entry_at(r).rectification.deadline for r in range(board.table.rowCount())]
    dated = [d for d in days if d]
    assert dated == sorted(dated)  # by date: 2025年10月 would sort before 2025年7月 as text


def test_tab_in_the_recheck_result_moves_on_instead_of_typing_a_tab(qtbot, window):
    from PySide6.QtCore import Qt

    board = window.board
    dialog = RecheckDialog(window.session, board.entry_at(0), board)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.result_edit.setFocus()
    qtbot.waitUntil(dialog.result_edit.hasFocus)
    qtbot.keyClicks(dialog.result_edit, "ok")
    qtbot.keyClick(dialog.result_edit, Qt.Key.Key_Tab)
    assert "\t" not in dialog.result_edit.toPlainText()
    assert not dialog.result_edit.hasFocus()


def test_delete_key_on_the_board_asks_then_deletes(qtbot, window, store, ui_dialogs):
    """删除整改项 had no key: a keyboard user could not reach it. Delete asks first."""
    from PySide6.QtCore import Qt

    board = window.board
    entry = next(e for e in board.entries if e.status == "已完成")  # its item passes: deletable
    board.select(entry.id)
    board.table.setFocus()
    ui_dialogs.confirm_answer = False
    qtbot.keyClick(board.table, Qt.Key.Key_Delete)
    assert ui_dialogs.confirms and store.rectification(entry.id) is not None
    ui_dialogs.confirm_answer = True
    qtbot.keyClick(board.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: entry.id not in [e.id for e in board.entries])


def test_a_refused_delete_says_why_before_asking(qtbot, window, store, ui_dialogs):
    """The board asked “删除整改项……？” and only then said it could not be done."""
    from PySide6.QtCore import Qt

    from app.services.rectifications import deletion_refused

    board = window.board
    entry = next(e for e in board.entries if "仍评为不符合" in deletion_refused(store, e.id))
    board.select(entry.id)
    board.table.setFocus()
    ui_dialogs.confirm_answer = True
    qtbot.keyClick(board.table, Qt.Key.Key_Delete)
    assert ui_dialogs.confirms == [] and "仍评为不符合" in board.error.text()
    assert store.rectification(entry.id) is not None


def test_carried_items_of_a_checklist_left_out_are_named_by_reference(
    qtbot, store, catalog, actor, demo_round, tmp_path
):
    """A re-check of 核心制度 only: the 改进目标 rectifications it carries showed as
    'qyx-targets-2021.1.2.1' on the board, in the 整改报告 and the workbook."""
    from pypdf import PdfReader

    from app.render import registry
    from app.services.rectifications import start_recheck_round

    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    second = start_recheck_round(store, core, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.show()
    w.open_round(second)
    w.show_tab(1)
    items = column(w.board, 0)
    assert any(text.startswith("改进目标") for text in items), items
    assert not [text for text in items if "qyx-" in text], items
    pdf = registry.render(store, second, "rectification", tmp_path / "r.pdf", today=TODAY).path
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "qyx-" not in text
    book = registry.render(store, second, "rectification", tmp_path / "r.xlsx", today=TODAY).path
    from openpyxl import load_workbook

    cells = [str(c.value) for row in load_workbook(book)["整改台账"].iter_rows() for c in row[:-1] if c.value]
    assert not [c for c in cells if c.startswith("qyx-")]


@pytest.fixture
def carried_window(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    """The window at 1366×768 on round A's board after 复查轮次 B carried A's open rectifications
    over: (window, B's name, the ids of A's rectifications that were 逾期 on TODAY before)."""
    late = [e.id for e in rect_service.list_rectifications(store, demo_round, TODAY) if e.status == "逾期"]
    assert late
    second = start_recheck_of_demo(store, catalog, actor, demo_round)
    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.open_round(demo_round)
    w.session.today = lambda: TODAY
    w.show_tab(1)
    return w, store.round(second).name, late


def test_a_round_whose_open_work_a_recheck_carried_over_shows_it_as_carried(carried_window):
    """Round A's board after 复查轮次 B carried its open rectifications over: 已转入复查 (grey,
    named where they went), none 逾期, in the rows, the totals and the filters."""
    from PySide6.QtCore import Qt

    from app.ui.rectification_board import CARRIED_BACKGROUND, OVERDUE_BACKGROUND

    w, name, late = carried_window
    board = w.board
    carried = [e for e in board.entries if e.status == "已转入复查"]
    assert set(late) <= {e.id for e in carried}
    assert "逾期" not in column(board, 7) and column(board, 7).count("已转入复查") == len(carried)
    assert f"逾期 0　已转入复查 {len(carried)}" in board.summary.text()
    board.overdue_only.setChecked(True)
    assert board.apply_filter() == 0
    board.overdue_only.setChecked(False)
    board.status.setCurrentIndex(board.status.findData("已转入复查"))
    assert board.apply_filter() == len(carried)
    board.status.setCurrentIndex(0)
    board.select(carried[0].id)
    row = board.table.currentRow()
    assert board.table.item(row, 8).text().startswith(f"已转入《{name}》继续跟踪")
    for col in range(board.table.columnCount()):
        cell = board.table.item(row, col)
        assert not cell.flags() & Qt.ItemFlag.ItemIsEditable, col
        assert f"已转入《{name}》继续跟踪" in cell.toolTip(), col
        assert cell.background().color() == CARRIED_BACKGROUND != OVERDUE_BACKGROUND
    shots = os.environ.get("MQSC_SCREENSHOTS")
    if shots:
        w.grab().save(f"{shots}/board-carried.png")


def test_a_carried_over_rectification_is_only_read_on_the_board_of_its_round(
    carried_window, store, ui_dialogs, monkeypatch
):
    """Every attempt to change it says where it is followed up, and changes nothing."""
    w, name, _ = carried_window
    board = w.board
    entry = next(e for e in board.entries if e.status == "已转入复查")
    board.select(entry.id)
    row = board.table.currentRow()
    before = store.rectification(entry.id)
    opened = []
    monkeypatch.setattr(RecheckDialog, "exec", lambda self: opened.append(self) or 0)
    board.recheck_button.click()
    assert not opened and f"已转入《{name}》继续跟踪，本轮中只能查看，不能记录复查" in board.error.text()
    board.delete_selected()
    assert not ui_dialogs.confirms and "不能删除" in board.error.text()
    board.error.clear()
    board.table.doubleClicked.emit(board.table.model().index(row, 3))  # 整改措施
    assert "不能修改" in board.error.text()
    evidence = []
    monkeypatch.setattr(EvidenceDialog, "exec", lambda self: evidence.append(self) or 0)
    board.evidence_button.click()
    assert not evidence[0].add_button.isEnabled() and not evidence[0].remove_button.isEnabled()
    assert store.rectification(entry.id) == before


def test_the_walkthrough_and_overview_of_a_round_whose_work_was_carried_over(carried_window):
    w, name, _ = carried_window
    entries = w.board.entries
    entry = next(e for e in entries if e.status == "已转入复查")
    w.show_tab(0)
    w.walkthrough.tree.select(entry.rectification.item_id)
    label = w.walkthrough.panel.rectification_label.text()
    assert label == f"整改项：已转入复查（在《{name}》中继续整改和复查，本轮中只能查看）"
    w.show_tab(2)
    departments = next(
        c for c in w.overview.charts if c.bars and c.bars[0].target and c.bars[0].target[0] == "department"
    )
    unfinished = sum(e.status in ("待整改", "整改中", "逾期") for e in entries)
    assert sum(b.value for b in departments.bars) == unfinished
    assert any("已转入复查" in b.text for b in departments.bars)
    assert not any(b.tone == "fail" for b in departments.bars)  # nothing of A is late any more


def test_deadlines_and_statuses_fit_their_columns_on_one_line(qtbot, window):
    table = window.board.table
    metrics = table.fontMetrics()
    for column in (6, 7):  # 整改期限, 状态
        texts = [table.item(r, column).text() for r in range(table.rowCount())]
        texts.append("2025年12月31日" if column == 6 else "已转入复查")
        widest = max(metrics.horizontalAdvance(line) for t in texts for line in t.split("\n") if line)
        assert widest + 2 * table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin) < (
            table.columnWidth(column)
        ), (column, widest, table.columnWidth(column))


@pytest.mark.parametrize("width", [1024, 1366])
def test_every_column_is_in_sight_at_1024_px(qtbot, window, width):
    """In a 1024 px window the columns' widths added up to more than the table: 整改期限, 状态
    and 复查 were past its right edge, seen only by scrolling sideways. The long-text columns
    give up width there; where there is room every column has its width."""
    from app.ui.qt import QApplication

    board = window.board
    window.resize(width, 660)
    qtbot.waitUntil(lambda: board.table.viewport().width() < width - 20)
    QApplication.processEvents()
    table = board.table
    last = table.columnCount() - 1
    assert table.columnViewportPosition(last) + table.columnWidth(last) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    if width == 1366:
        assert [table.columnWidth(c) for c in (0, 2, 3, 8)] == [board.column_widths[c] for c in (0, 2, 3, 8)]
    for col in (6, 7):  # never narrower than their text
        assert table.columnWidth(col) == board.column_widths[col]


@pytest.mark.parametrize(("width", "beside"), [(1000, False), (1366, True)])
def test_the_buttons_go_under_the_filters_where_both_do_not_fit(qtbot, session_in_11pt, width, beside):
    """In 统信UOS's larger font the filters and the five buttons side by side need ≈1070 px: at
    1024 px the window could not be made that narrow, and its right edge (删除整改项…) was past
    the screen. The buttons go on a line of their own under the filters there."""
    from app.ui.qt import QApplication
    from app.ui.rectification_board import RectificationBoard

    board = RectificationBoard(session_in_11pt)
    qtbot.addWidget(board)
    board.refresh()
    board.resize(width, 600)
    board.show()
    QApplication.processEvents()
    assert board.minimumSizeHint().width() <= width
    buttons = [board.go_button, board.recheck_button, board.evidence_button, board.history_button, board.delete_button]
    for button in buttons:
        assert button.mapTo(board, button.rect().topRight()).x() < board.width()
        assert button.width() >= button.sizeHint().width(), button.text()
    filters_end = board.overdue_only.mapTo(board, board.overdue_only.rect().topRight())
    first = board.go_button.mapTo(board, board.go_button.rect().topLeft())
    if beside:
        assert first.x() > filters_end.x() and abs(first.y() - filters_end.y()) < board.go_button.height()
    else:
        assert first.y() > filters_end.y()


@pytest.fixture
def session_in_11pt(store, demo_round, actor):
    """The demo round's session, with the application's font at 11 pt while the test runs."""
    from app.services.session import RoundSession
    from app.ui.qt import QApplication

    font = QApplication.font()
    larger = QApplication.font()
    larger.setPointSizeF(11)
    QApplication.setFont(larger)
    yield RoundSession(store, actor, demo_round)
    QApplication.setFont(font)

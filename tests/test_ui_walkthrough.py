"""The walkthrough screen, driven through its real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.services.answers import SampleInput
from app.services.rectifications import list_rectifications
from app.services.rounds import start_round
from app.services.session import RoundSession
from app.ui.item_editors import REFUSED_CELL, IndicatorEditor, SamplingEditor
from app.ui.item_tree import FAILING_COLOUR, UNANSWERED_COLOUR
from app.ui.walkthrough import WalkthroughPage
from tests.helpers import type_with_input_method, wait_exposed

FIRST_TEN = [
    "qyx-core.01.1",
    "qyx-core.02.1",
    "qyx-core.02.2",
    "qyx-core.03.1",
    "qyx-core.03.2",
    "qyx-core.04.1",
    "qyx-core.04.2",
    "qyx-core.04.3",
    "qyx-core.05.1",
    "qyx-core.05.2",
]


@pytest.fixture
def round_id(profiled_store, catalog, actor):
    entries = [e for e in catalog.entries if e.checklist.default]
    return start_round(profiled_store, entries, "2025年一季度", dt.date(2025, 3, 15), actor)


@pytest.fixture
def page(qtbot, profiled_store, actor, round_id, ui_dialogs):
    widget = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    wait_exposed(qtbot, widget)
    return widget


def grades(store, round_id):
    return {r.item_id: r.grade for r in store.answers(round_id)}


def test_answer_ten_items_by_keyboard_alone(qtbot, page, profiled_store, round_id):
    assert page.tree.current_item_id() == FIRST_TEN[0]
    keys = [
        Qt.Key.Key_1,
        Qt.Key.Key_2,
        Qt.Key.Key_3,
        Qt.Key.Key_4,
        Qt.Key.Key_3,
        Qt.Key.Key_3,
        Qt.Key.Key_2,
        Qt.Key.Key_1,
        Qt.Key.Key_4,
        Qt.Key.Key_3,
    ]
    page.tree.setFocus()
    for key in keys:
        qtbot.keyClick(QApplication.focusWidget(), key)
        if key == Qt.Key.Key_4:  # D: its problem is written next, on this item (new-user review)
            assert QApplication.focusWidget() is page.panel.finding
            qtbot.keyClicks(page.panel.finding, "no handover log")
            qtbot.keyClick(page.panel.finding, Qt.Key.Key_F3)  # on to the next unanswered item
            assert QApplication.focusWidget() is page.tree
    assert grades(profiled_store, round_id) == dict(zip(FIRST_TEN, "ABCDCCBADC", strict=True))
    findings = {r.item_id: r.finding for r in profiled_store.answers(round_id) if r.finding}
    assert findings == {FIRST_TEN[3]: "no handover log", FIRST_TEN[8]: "no handover log"}
    # focus moved on to the next unanswered item after each grade
    assert page.tree.current_item_id() == "qyx-core.05.3"
    assert "完成" in page.progress.format()
    # the tree marks each state in its own colour: failing red, unanswered blue, graded default
    colour = {i: page.tree.nodes[i].foreground(1).color().name() for i in ("qyx-core.03.1", "qyx-core.05.3")}
    assert page.tree.nodes["qyx-core.03.1"].text(1) == "D" and colour["qyx-core.03.1"] == FAILING_COLOUR.name()
    assert colour["qyx-core.05.3"] == UNANSWERED_COLOUR.name()
    assert page.tree.nodes["qyx-core.01.1"].foreground(0).style() == Qt.BrushStyle.NoBrush


def test_digits_typed_into_a_text_field_do_not_grade(qtbot, page, profiled_store, round_id):
    page.panel.finding.setFocus()
    page.panel.finding.insertPlainText("抽查")  # QTest types ASCII only; Chinese comes by IME
    qtbot.keyClicks(page.panel.finding, "3")
    page.panel.finding.insertPlainText("份病历")
    page.panel.flush()
    row = profiled_store.answer(round_id, FIRST_TEN[0])
    assert row.finding == "抽查3份病历" and row.grade is None


def test_finding_is_saved_after_a_pause_without_leaving_the_field(qtbot, page, profiled_store, round_id):
    page.panel.finding.setFocus()
    page.panel.finding.insertPlainText("未见培训记录")
    qtbot.waitUntil(
        lambda: getattr(profiled_store.answer(round_id, FIRST_TEN[0]), "finding", None) == "未见培训记录", timeout=3000
    )


def test_not_applicable_needs_a_reason(qtbot, page, profiled_store, round_id):
    qtbot.keyClick(page.tree, Qt.Key.Key_0)
    assert profiled_store.answer(round_id, FIRST_TEN[0]) is None
    assert "请填写不适用的原因" in page.panel.na_reason_error.text()
    assert page.panel.na_reason.hasFocus()
    page.panel.na_reason.insertPlainText("本院无门诊")
    page.panel.flush()
    row = profiled_store.answer(round_id, FIRST_TEN[0])
    assert (row.grade, row.na_reason) == ("NA", "本院无门诊")
    assert page.tree.nodes[FIRST_TEN[0]].text(1) == "不适用"


def test_undo_and_redo_grade_changes(qtbot, page, profiled_store, round_id):
    qtbot.keyClick(page.tree, Qt.Key.Key_3)
    qtbot.keyClick(page.tree, Qt.Key.Key_1)
    assert grades(profiled_store, round_id) == {FIRST_TEN[0]: "C", FIRST_TEN[1]: "A"}
    qtbot.keyClick(page.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert grades(profiled_store, round_id) == {FIRST_TEN[0]: "C", FIRST_TEN[1]: None}
    assert page.tree.current_item_id() == FIRST_TEN[1]
    qtbot.keyClick(page.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert grades(profiled_store, round_id)[FIRST_TEN[0]] is None
    qtbot.keyClick(page.tree, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert grades(profiled_store, round_id)[FIRST_TEN[0]] == "C"


def select(page, item_id):
    page.tree.select(item_id)
    assert page.panel.context.item.id == item_id


def test_indicator_inputs_and_live_result(qtbot, page, profiled_store, round_id):
    item_id = "qyx-targets-2021.1.1.rate"
    select(page, item_id)
    editor = page.panel.editor
    assert isinstance(editor, IndicatorEditor)
    numerator, denominator, baseline = (editor.fields[n] for n in ("numerator", "denominator", "baseline"))
    qtbot.keyClicks(numerator, "45")
    qtbot.keyClicks(denominator, "60")
    assert "75.0%" in editor.rate.text()
    assert "待判定" in editor.result.text()  # direction-only, no baseline yet
    qtbot.keyClicks(baseline, "70")
    assert "达标" in editor.result.text() and "基线值 70.0%" in editor.result.text()  # named, as the reports do
    baseline.setFocus()
    qtbot.keyClick(baseline, Qt.Key.Key_Return)
    numerator.setFocus()
    qtbot.keyClick(numerator, Qt.Key.Key_Return)
    denominator.setFocus()
    qtbot.keyClick(denominator, Qt.Key.Key_Return)
    row = profiled_store.answer(round_id, item_id)
    assert (row.numerator, row.denominator, row.baseline) == (45, 60, 70)
    assert page.tree.nodes[item_id].text(1) == "达标"
    # below the baseline: the editor says what the 整改台账 and the reports will print
    baseline.clear()
    qtbot.keyClicks(baseline, "80")
    sentence = "指标值 75.0%（45/60），未高于基线值 80.0%（要求逐步提高）"
    assert editor.result.text() == f"判定：未达标。{sentence}"
    baseline.setFocus()
    qtbot.keyClick(baseline, Qt.Key.Key_Return)
    [entry] = list_rectifications(profiled_store, round_id, dt.date(2025, 6, 30))
    assert entry.rectification.problem == sentence


def test_looking_at_an_indicator_never_rewrites_its_numbers(qtbot, page, profiled_store, round_id, actor):
    """分母 1234567 was shown as 1.23457e+06, and only looking at the item saved 1234570."""
    from app.services.answers import record_answer

    item_id = "qyx-targets-2021.1.1.rate"
    record_answer(profiled_store, round_id, item_id, actor, numerator=12345, denominator=1234567)
    page.session.reload()
    before = profiled_store.conn.execute("SELECT max(seq) FROM history").fetchone()
    select(page, item_id)
    assert page.panel.editor.fields["denominator"].text() == "1234567"
    select(page, "qyx-core.01.1")
    select(page, item_id)
    page.panel.editor.fields["numerator"].setText("12346")  # an edit of the other box
    select(page, "qyx-core.01.1")
    row = profiled_store.answer(round_id, item_id)
    assert (row.numerator, row.denominator) == (12346, 1234567)
    assert profiled_store.conn.execute("SELECT max(seq) FROM history").fetchone()[0] == before[0] + 1


@pytest.mark.parametrize(
    ("numerator", "denominator", "message"),
    [
        ("abc", "10", "不是有效的数字"),
        ("<b>7</b>", "10", "分子“<b>7</b>”不是有效的数字"),  # quoted as typed, never as HTML
        ("3", "0", "分母不能为 0"),
        ("30", "10", "不能大于分母"),
    ],
)
def test_indicator_bad_input_is_shown_inline_and_not_saved(
    qtbot, page, profiled_store, round_id, numerator, denominator, message
):
    item_id = "qyx-targets-2021.1.1.rate"
    select(page, item_id)
    editor = page.panel.editor
    for name, text in (("denominator", denominator), ("numerator", numerator)):
        field = editor.fields[name]
        field.setFocus()
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert message in editor.error.text() and editor.error.textFormat() == Qt.TextFormat.PlainText
    row = profiled_store.answer(round_id, item_id)
    assert getattr(row, "numerator", None) is None  # the valid denominator alone may be saved, never the bad pair
    assert getattr(row, "denominator", None) != 0


def test_sampling_grid_from_the_keyboard(qtbot, page, profiled_store, round_id):
    item_id = "qyx-core.07.3"
    select(page, item_id)
    editor = page.panel.editor
    assert isinstance(editor, SamplingEditor)
    for row, number in enumerate(("ZY001", "ZY002", "ZY003", "ZY004")):
        editor.table.setFocus()
        qtbot.keyClick(editor.table, Qt.Key.Key_Insert)
        qtbot.keyClicks(editor.table.focusWidget(), number)
        qtbot.keyClick(editor.table.focusWidget(), Qt.Key.Key_Return)
        # the item delegate commits a cell editor's text on the next event loop pass
        qtbot.waitUntil(lambda r=row, n=number: editor.table.item(r, 0).text() == n)
    editor.table.item(2, 1).setCheckState(Qt.CheckState.Unchecked)
    rows = profiled_store.samples(round_id, item_id)
    assert [(r.record_no, r.compliant) for r in rows] == [
        ("ZY001", True),
        ("ZY002", True),
        ("ZY003", False),
        ("ZY004", True),
    ]
    assert "符合率 75.0%" in editor.summary.text() and "未达标" in editor.summary.text()
    assert page.tree.nodes[item_id].text(1) == "未达标"  # as the panel says it (it read 不符合: review)
    editor.table.setFocus()
    editor.table.selectRow(2)
    qtbot.keyClick(editor.table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert len(profiled_store.samples(round_id, item_id)) == 3


def add_record(qtbot, editor, number, *, input_method=False):
    """Insert, the 病案号 (from the keyboard or committed by an input method), Enter. Enter on the
    last row starts the next record: Insert then types into that row, not a second blank one."""
    editor.table.setFocus()
    rows = sum(1 for r in range(editor.table.rowCount()) if (c := editor.table.item(r, 0)) and c.text())
    qtbot.keyClick(editor.table, Qt.Key.Key_Insert)
    assert editor.table.rowCount() == rows + 1 and editor.table.currentRow() == rows
    cell = editor.table.focusWidget()
    if input_method:
        type_with_input_method(cell, number)
    else:
        qtbot.keyClicks(cell, number)
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.table.item(rows, 0).text() != "")  # committed on the next pass


def saved_records(store, round_id, item_id):
    return [(r.record_no, r.compliant) for r in store.samples(round_id, item_id)]


def test_a_record_number_too_long_is_left_out_and_the_rows_after_it_are_saved(qtbot, page, profiled_store, round_id):
    """One 150-character 病案号 had the whole list refused: no later row was saved, the status bar
    said 已保存, and the message named the row by its place among the saved ones (review)."""
    item_id = "qyx-core.07.3"
    select(page, item_id)
    editor = page.panel.editor
    add_record(qtbot, editor, "ZY2025001")
    add_record(qtbot, editor, "Z" * 150)
    add_record(qtbot, editor, "GOOD-LAST")
    assert saved_records(profiled_store, round_id, item_id) == [("ZY2025001", True), ("GOOD-LAST", True)]
    assert editor.error.text() == "第 2 条抽查记录病案号过长（150 个字符，最多 100 个）。第 2 条改正前不计入、不保存。"
    assert editor.table.item(1, 0).background().color().name() == REFUSED_CELL


def test_a_repeated_record_number_is_marked_named_and_not_saved(qtbot, page, profiled_store, round_id):
    item_id = "qyx-core.07.3"
    select(page, item_id)
    editor = page.panel.editor
    add_record(qtbot, editor, "ZY2025001")
    add_record(qtbot, editor, "123")
    add_record(qtbot, editor, "ｚｙ２０２５００１", input_method=True)  # the first record again, full-width
    assert saved_records(profiled_store, round_id, item_id) == [("ZY2025001", True), ("123", True)]
    assert "病案号“ｚｙ２０２５００１”重复（第 1 条和第 3 条）" in editor.error.text()
    assert "第 3 条改正前不计入、不保存" in editor.error.text() and editor.error.isVisible()
    assert editor.table.item(2, 0).background().color().name() == REFUSED_CELL
    assert "抽查 2 份" in editor.summary.text()
    editor.table.item(2, 1).setCheckState(Qt.CheckState.Unchecked)  # the repeated row: still not saved
    editor.table.item(1, 1).setCheckState(Qt.CheckState.Unchecked)  # another row: saved at once
    assert saved_records(profiled_store, round_id, item_id) == [("ZY2025001", True), ("123", False)]
    assert "重复" in editor.error.text()

    add_record(qtbot, editor, "１２４", input_method=True)  # saved half-width, and shown so in place
    assert saved_records(profiled_store, round_id, item_id)[-1] == ("124", True)
    assert editor.table.item(3, 0).text() == "124" and editor.table.rowCount() == 5  # and the next, begun

    editor.table.item(2, 0).setText("zy2025003")  # corrected: saved, and the mark goes
    assert saved_records(profiled_store, round_id, item_id) == [
        ("ZY2025001", True),
        ("123", False),
        ("ZY2025003", False),
        ("124", True),
    ]
    assert editor.error.text() == "" and editor.table.item(2, 0).background().style() == Qt.BrushStyle.NoBrush
    assert "抽查 4 份，符合 2 份" in editor.summary.text()


def test_a_repeat_stored_by_an_older_version_is_shown_and_kept_out_of_the_next_save(
    qtbot, profiled_store, actor, round_id, ui_dialogs
):
    item_id = "qyx-core.07.3"
    legacy = [{"record_no": "ZY2025001", "compliant": True}, {"record_no": "ZY2025001", "compliant": False}]
    profiled_store.replace_samples(round_id, item_id, legacy, actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.show()
    page.activateWindow()  # the grid's keys are shortcuts of the active window
    qtbot.waitUntil(page.isActiveWindow)
    select(page, item_id)
    editor = page.panel.editor
    assert editor.table.rowCount() == 2  # read as stored, and scored as stored meanwhile
    assert page.session.outcomes[item_id].sample_count == 2
    assert "病案号“ZY2025001”重复（第 1 条和第 2 条）" in editor.error.text()
    add_record(qtbot, editor, "ZY2025002")
    assert saved_records(profiled_store, round_id, item_id) == [("ZY2025001", True), ("ZY2025002", True)]
    assert editor.table.rowCount() == 3 + 1 and "重复" in editor.error.text()  # still there; the next begun


def test_attachments_add_refuse_oversized_and_remove(
    qtbot, page, profiled_store, round_id, ui_dialogs, tmp_path, monkeypatch
):
    from app.services import attachments

    scan = tmp_path / "制度文件.pdf"
    scan.write_bytes(b"%PDF-1.4 test")
    add, open_, remove = page.panel.attachment_buttons
    assert add.isEnabled() and not open_.isEnabled() and not remove.isEnabled()  # nothing to open yet
    ui_dialogs.files = [str(scan)]
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert open_.isEnabled() and remove.isEnabled()
    stored = profiled_store.attachments(round_id, FIRST_TEN[0])
    assert [(a.filename, a.size) for a in stored] == [("制度文件.pdf", 13)]
    assert [page.panel.attachments.item(0).text()] == ["制度文件.pdf（13 字节）"]  # not "0 KB"
    tip = page.panel.attachments.item(0).toolTip()  # when and by whom, not SHA-256 and a hash
    assert tip.endswith(" 添加") and "年" in tip and "SHA" not in tip

    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 5)
    ui_dialogs.files = [str(scan)]
    qtbot.mouseClick(page.panel.attachment_buttons[0], Qt.MouseButton.LeftButton)
    assert "超过" in page.panel.attachment_error.text()
    assert len(profiled_store.attachments(round_id)) == 1

    page.panel.attachments.setCurrentRow(0)
    qtbot.mouseClick(page.panel.attachment_buttons[2], Qt.MouseButton.LeftButton)
    assert ui_dialogs.confirms and profiled_store.attachments(round_id) == []

    # Delete in the list does what the button does, asking first (it did nothing: new-user review)
    ui_dialogs.files = [str(scan)]
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 1 << 20)
    qtbot.mouseClick(page.panel.attachment_buttons[0], Qt.MouseButton.LeftButton)
    asked = len(ui_dialogs.confirms)
    page.panel.attachments.setFocus()
    page.panel.attachments.setCurrentRow(0)
    qtbot.keyClick(page.panel.attachments, Qt.Key.Key_Delete)
    assert len(ui_dialogs.confirms) == asked + 1 and profiled_store.attachments(round_id) == []


def test_unreadable_attachment_is_refused(qtbot, page, profiled_store, round_id, ui_dialogs, tmp_path):
    ui_dialogs.files = [str(tmp_path / "不存在.pdf")]
    qtbot.mouseClick(page.panel.attachment_buttons[0], Qt.MouseButton.LeftButton)
    assert "无法读取" in page.panel.attachment_error.text()
    assert profiled_store.attachments(round_id) == []


def visible(page):
    return list(page.tree.visible_item_ids())


def test_filters_and_search(qtbot, page, profiled_store, round_id):
    qtbot.keyClick(page.tree, Qt.Key.Key_4)  # 01.1 → D
    page.panel.department.setCurrentIndex(page.panel.department.findData("医务科"))
    page.panel.department.activated.emit(page.panel.department.currentIndex())
    total = len(visible(page))
    page.filter_mode.setCurrentIndex(page.filter_mode.findData("failing"))
    assert visible(page) == [FIRST_TEN[0]]
    assert page.filter_mode.currentText() == "不符合（1）"
    page.filter_mode.setCurrentIndex(page.filter_mode.findData("unanswered"))
    not_applicable = sum(1 for o in page.result.outcomes.values() if not o.applicable)
    assert not_applicable == 5  # 11.2 and the vaginal-delivery target: no obstetrics
    assert len(visible(page)) == total - 1 - not_applicable
    page.filter_mode.setCurrentIndex(page.filter_mode.findData("na"))
    assert visible(page) == [i for i in page.items if page.result.outcomes[i].state == "na_profile"]
    page.filter_mode.setCurrentIndex(page.filter_mode.findData("all"))
    page.filter_department.setCurrentIndex(page.filter_department.findData("医务科"))
    assert visible(page) == [FIRST_TEN[1]] or visible(page) == [FIRST_TEN[0]]
    page.filter_department.setCurrentIndex(0)
    qtbot.keyClick(page.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()
    page.search.insert("危急值")
    shown = visible(page)
    assert shown and all("危急值" in page.items[i].text for i in shown)
    assert page.shown_count.text() == f"显示 {len(shown)} 条"


def test_profile_not_applicable_item_is_shown_with_its_reason(qtbot, page):
    select(page, "qyx-core.11.2")
    assert "不适用于本院" in page.panel.na_banner.text() and "有产科" in page.panel.na_banner.text()
    assert not page.panel.editor.isEnabled()


def test_items_of_the_same_topic_are_linked(qtbot, profiled_store, catalog, actor, ui_dialogs):
    entries = [catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")]
    round_id = start_round(profiled_store, entries, "合并", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.show()
    item_id = "qyx-targets-2021.1.1.rate"
    topic = page.items[item_id].topic
    others = [i for i in page.items.values() if i.topic == topic and i.id != item_id]
    assert others  # the national plan asks for the STEMI reperfusion rate too
    select(page, item_id)
    assert page.panel.related.isVisible()
    labels = [b.text() for b in page.panel.related_buttons]
    assert len(labels) == len(others) and all("（" in t for t in labels)
    page.panel.related_buttons[0].setFocus()
    qtbot.keyClick(page.panel.related_buttons[0], Qt.Key.Key_Space)
    assert page.tree.current_item_id() == others[0].id
    # the clicked button is gone with the old item; focus is back in the tree, where the keys act
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.tree)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F3)
    assert page.tree.current_item_id() != others[0].id


def test_moving_on_saves_pending_input_and_does_not_pull_back(qtbot, page, profiled_store, round_id):
    page.panel.finding.setFocus()
    page.panel.finding.insertPlainText("未见记录")
    page.tree.select(FIRST_TEN[3])  # before the 0.6 s save timer fires
    assert page.tree.current_item_id() == FIRST_TEN[3]
    assert profiled_store.answer(round_id, FIRST_TEN[0]).finding == "未见记录"

    rate = "qyx-targets-2021.1.1.rate"
    select(page, rate)
    numerator = page.panel.editor.fields["numerator"]
    numerator.setFocus()
    qtbot.keyClicks(numerator, "5")
    page.go_relative(1)  # Ctrl+↓ with the value typed but not confirmed
    assert page.tree.current_item_id() != rate
    assert profiled_store.answer(round_id, rate).numerator == 5


def test_tab_walks_the_form(qtbot, page):
    page.activateWindow()
    page.tree.setFocus()
    for expected in (page.panel.guidance_toggle, page.panel.editor.buttons["A"], page.panel.finding):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is expected  # the grades come before the text fields
    select(page, "qyx-targets-2021.1.1.rate")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.panel.editor.fields["numerator"]
    page.panel.finding.setFocus()
    qtbot.keyClick(page.panel.finding, Qt.Key.Key_Tab)
    assert page.panel.evidence.hasFocus()
    qtbot.keyClick(page.panel.evidence, Qt.Key.Key_Tab)
    assert page.panel.department.hasFocus()


def test_the_arrows_move_between_the_grades_and_tab_comes_to_the_one_given(qtbot, page, profiled_store, round_id):
    """The grades are one Tab stop, as a choice is; Tab reached only 持续改进 (A) and the arrows
    did nothing, so B, C and D could be chosen only by their digits or the mouse (review,
    keyboard 1). The arrows now move from grade to grade, and Tab comes to the grade given."""
    page.activateWindow()
    buttons = page.panel.editor.buttons
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is buttons["A"]
    for key, expected in ((Qt.Key.Key_Right, "B"), (Qt.Key.Key_Right, "C"), (Qt.Key.Key_Left, "B")):
        qtbot.keyClick(QApplication.focusWidget(), key)
        assert QApplication.focusWidget() is buttons[expected]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # pressed: graded B, on to the next item
    assert grades(profiled_store, round_id) == {FIRST_TEN[0]: "B"}
    select(page, FIRST_TEN[0])
    buttons = page.panel.editor.buttons
    page.panel.finding.setFocus()
    qtbot.keyClick(page.panel.finding, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is buttons["B"], "back to the grade given, not to A"
    qtbot.keyClick(buttons["B"], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.panel.finding, "still one Tab stop"
    buttons["C"].setFocus()
    qtbot.keyClick(buttons["C"], Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is page.panel.guidance_toggle, "one Tab stop backwards too"
    # an item not graded yet: Shift+Tab comes back to the first grade, as Tab does, not to 不适用
    select(page, FIRST_TEN[1])
    buttons = page.panel.editor.buttons
    page.panel.finding.setFocus()
    qtbot.keyClick(page.panel.finding, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is buttons["A"]
    buttons["A"].setFocus()
    qtbot.keyClick(buttons["A"], Qt.Key.Key_Left)
    assert QApplication.focusWidget() is buttons["A"], "no grade before A"
    for _ in buttons:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)
    assert QApplication.focusWidget() is list(buttons.values())[-1], "不适用, and no further"
    assert grades(profiled_store, round_id) == {FIRST_TEN[0]: "B"}, "moving grades nothing"


def test_focus_returns_to_the_tree_on_another_item(qtbot, page, profiled_store, round_id):
    """Grading with a button, or moving on from a field, leaves the keyboard where it grades:
    nothing typed for one item (a 不适用 reason, a value) goes into the next."""
    page.activateWindow()
    page.panel.editor.buttons["B"].click()  # graded B: on to the next unanswered item
    assert page.tree.current_item_id() == FIRST_TEN[1]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.tree)
    qtbot.keyClick(page.tree, Qt.Key.Key_0)  # 不适用: the reason field takes focus
    assert page.panel.na_reason.hasFocus()
    page.panel.na_reason.insertPlainText("本院无此科室")  # (QTest types ASCII only)
    qtbot.keyClick(page.panel.na_reason, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert page.tree.current_item_id() == FIRST_TEN[2]
    assert QApplication.focusWidget() is page.tree and not page.panel.na_reason.isVisible()
    qtbot.keyClick(page.tree, Qt.Key.Key_2)
    assert grades(profiled_store, round_id) == {FIRST_TEN[0]: "B", FIRST_TEN[1]: "NA", FIRST_TEN[2]: "B"}
    assert profiled_store.answer(round_id, FIRST_TEN[1]).na_reason == "本院无此科室"


def test_digits_start_editing_in_the_sampling_grid(qtbot, page, profiled_store, round_id):
    item_id = "qyx-core.07.3"
    select(page, item_id)
    table = page.panel.editor.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Insert)
    qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Escape)  # the new row, its 病案号 cell not yet typed
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, "2")  # typed straight into the cell, as in a spreadsheet: the cell opens …
    qtbot.keyClicks(table.focusWidget(), "025001")  # … and the rest goes into it
    qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: [r.record_no for r in profiled_store.samples(round_id, item_id)] == ["2025001"])
    assert profiled_store.answer(round_id, item_id) is None or profiled_store.answer(round_id, item_id).grade is None


def test_undo_from_the_menu_replaces_the_text_being_typed(qtbot, page, profiled_store, round_id):
    page.panel.finding.setFocus()
    page.panel.finding.insertPlainText("第一次")
    page.panel.flush()
    page.panel.finding.insertPlainText("第二次")
    page.flush()  # as 编辑 → 撤销 does (MainWindow._undo): what was typed is saved, then undone
    page.undo()
    assert profiled_store.answer(round_id, FIRST_TEN[0]).finding == "第一次"
    assert page.panel.finding.toPlainText() == "第一次"  # not left showing what was undone


def test_filter_follows_edits_and_an_empty_result_selects_nothing(qtbot, page, profiled_store, round_id):
    page.filter_mode.setCurrentIndex(page.filter_mode.findData("unanswered"))
    shown = len(visible(page))
    qtbot.keyClick(page.tree, Qt.Key.Key_3)  # graded: it stays while it is being edited …
    qtbot.keyClick(page.tree, Qt.Key.Key_3)  # … and leaves the 未填 list once the user moves on
    assert FIRST_TEN[0] not in visible(page) and FIRST_TEN[1] in visible(page)
    assert page.shown_count.text() == f"显示 {len(visible(page))} 条" and len(visible(page)) == shown - 1
    page.search.setText("不存在的条目xyz")
    assert visible(page) == [] and page.tree.current_item_id() is None
    assert not page.panel.isEnabled()
    qtbot.keyClick(page.tree, Qt.Key.Key_4)  # nothing is current: nothing is graded
    assert "D" not in grades(profiled_store, round_id).values()


def test_input_refused_after_moving_on_is_reported(qtbot, page, profiled_store, round_id):
    """A value typed and left by moving to the next item is not saved; the user is told which."""
    item_id = "qyx-targets-2021.1.1.rate"
    select(page, item_id)
    messages = []
    page.not_saved.connect(messages.append)
    baseline = page.panel.editor.fields["baseline"]
    baseline.setFocus()
    qtbot.keyClicks(baseline, "7O")  # a letter O for a zero
    qtbot.keyClick(baseline, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert page.tree.current_item_id() != item_id
    assert getattr(profiled_store.answer(round_id, item_id), "baseline", None) is None
    reference = page.session.references[item_id]  # named as users read it, not by its id
    assert messages and reference in messages[0] and "未保存" in messages[0] and "7O" in messages[0]


def test_input_refused_while_shown_is_reported_when_moving_on(qtbot, page, profiled_store, round_id):
    """A 25,000-character paste into 问题描述 was refused next to the field, the message went with
    the item when the user clicked the next one, and the text with it: the status bar still
    said 已保存 (review)."""
    item_id = "qyx-core.01.1"
    select(page, item_id)
    messages = []
    page.not_saved.connect(messages.append)
    page.panel.finding.setPlainText("很长" * 12_500)
    page.panel.flush()  # the save timer fired while the item was still shown
    assert "过长" in page.panel.unsaved_input() and messages == []
    select(page, "qyx-core.02.1")
    assert len(messages) == 1 and page.session.references[item_id] in messages[0] and "过长" in messages[0]
    answer = profiled_store.answer(round_id, item_id)
    assert answer is None or not answer.finding
    select(page, item_id)
    select(page, "qyx-core.02.1")
    assert len(messages) == 1, "nothing typed this time: nothing to report"


def test_one_undo_takes_back_a_department_chosen_with_the_arrow_keys(qtbot, page, profiled_store, round_id):
    page.activateWindow()
    combo = page.panel.department
    combo.setFocus()
    for _ in range(3):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    chosen = combo.currentData()
    assert chosen and profiled_store.answer(round_id, FIRST_TEN[0]).department == chosen
    page.undo()
    assert getattr(profiled_store.answer(round_id, FIRST_TEN[0]), "department", None) in (None, "")
    page.redo()
    assert profiled_store.answer(round_id, FIRST_TEN[0]).department == chosen


def test_input_the_database_refuses_is_kept_and_saved_later(qtbot, page, profiled_store, round_id, ui_dialogs):
    """A busy database or a full disk loses nothing typed: the text stays on its item, shown if
    the user comes back, and a retry saves it once the database takes writes again."""
    profiled_store.conn.execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    page.panel.finding.setFocus()
    page.panel.finding.insertPlainText("消防通道堵塞")
    page.panel.flush()
    assert ui_dialogs.errors and "已保留" in ui_dialogs.errors[-1]
    assert profiled_store.answer(round_id, FIRST_TEN[0]) is None
    page.tree.select(FIRST_TEN[1])
    page.tree.select(FIRST_TEN[0])  # back again: what was typed is still there
    assert page.panel.finding.toPlainText() == "消防通道堵塞"
    assert not page.flush()  # still refused: the window would ask before closing
    profiled_store.conn.execute("PRAGMA query_only = OFF")
    assert page._retry.isActive()  # tried again on its own, or at the next save, as here
    assert page.flush() and page.session.pending == {}
    assert profiled_store.answer(round_id, FIRST_TEN[0]).finding == "消防通道堵塞"


def test_a_later_save_is_not_overwritten_by_the_retry(qtbot, page, profiled_store, round_id, ui_dialogs):
    profiled_store.conn.execute("PRAGMA query_only = ON")
    page.panel.editor.choose("A")  # refused: waits for a retry
    assert page.session.pending
    profiled_store.conn.execute("PRAGMA query_only = OFF")
    page.panel.editor.choose("D")  # saved: newer than what waits
    assert page.session.pending == {} and page.flush()
    assert profiled_store.answer(round_id, FIRST_TEN[0]).grade == "D"


def test_sampled_records_the_database_refuses_are_kept(qtbot, page, profiled_store, round_id, ui_dialogs):
    item_id = "qyx-core.07.3"
    select(page, item_id)
    profiled_store.conn.execute("PRAGMA query_only = ON")
    records = [SampleInput("ZY001", True, ""), SampleInput("ZY002", False, "缺时间")]
    assert not page.write_samples(item_id, records)
    select(page, FIRST_TEN[0])
    select(page, item_id)
    assert page.panel.editor.complete_records() == records  # still shown
    assert not page.flush()  # so leaving would ask
    profiled_store.conn.execute("PRAGMA query_only = OFF")
    assert page.flush()
    assert [r.record_no for r in profiled_store.samples(round_id, item_id)] == ["ZY001", "ZY002"]


def test_digits_on_an_indicator_item_do_not_jump_to_another_item(qtbot, page, profiled_store, round_id):
    item_id = "qyx-targets-2021.1.1.rate"
    select(page, item_id)
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_0)
    qtbot.keyClick(page.tree, Qt.Key.Key_4)
    assert page.tree.current_item_id() == item_id and grades(profiled_store, round_id) == {}


def test_tab_reaches_the_related_items_first(qtbot, profiled_store, catalog, actor, ui_dialogs):
    entries = [catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")]
    round_id = start_round(profiled_store, entries, "合并", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.show()
    wait_exposed(qtbot, page)
    page.windowHandle().requestActivate()
    qtbot.waitUntil(page.isActiveWindow)
    select(page, "qyx-targets-2021.1.1.rate")
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.panel.related_buttons[0]


def test_an_input_error_clears_the_rate_computed_before_it(qtbot, page):
    select(page, "qyx-targets-2021.1.1.rate")
    editor = page.panel.editor
    editor.fields["numerator"].setText("45")
    editor.fields["denominator"].setText("60")
    assert "75.0%" in editor.rate.text()
    editor.fields["denominator"].setText("0")
    assert "分母不能为 0" in editor.error.text()
    assert "75" not in editor.rate.text(), "the rate of the previous input would be stale"
    editor.fields["denominator"].setText("6O")
    assert "不是有效的数字" in editor.error.text() and "75" not in editor.rate.text()


def test_no_internal_item_id_is_shown(qtbot, page):
    """Users read items as the reports name them (核心制度 … 第1条), never as qyx-core.05.3."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from app.ui.qt import QTreeWidgetItemIterator

    for item_id in FIRST_TEN[:3]:
        page.tree.select(item_id)
        texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton) if w.isVisible()]
        assert not [t for t in texts if "qyx-" in t], texts
        assert page.session.references[item_id] in page.panel.source.toolTip()
        assert page.number[item_id].startswith("本节第") and page.number[item_id] in page.panel.source.text()
    it = QTreeWidgetItemIterator(page.tree)
    while it.value():
        assert "qyx-" not in it.value().text(0)
        it += 1


def test_an_item_numbered_by_its_checklist_is_shown_by_that_number(qtbot, page):
    """改进目标 1.1.2c is the 4th item of its section: the tree said 4 and the panel 本节第4条,
    where the reports print 1.1.2c beside it and name it by it in 发现的问题."""
    item_id = "qyx-targets-2021.1.1.2c"
    page.tree.select(item_id)
    assert page.tree.nodes[item_id].text(0).startswith("1.1.2c　")
    assert "编号 1.1.2c" in page.panel.source.text() and "第4条" not in page.panel.source.text()
    assert page.session.references[item_id].endswith(" 1.1.2c")


def test_header_wraps_between_checklists_never_inside_one(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """With all seven checklists the header takes two lines at 1366×768; each checklist's figures
    stay on one line ("改进目 / 标" was the complaint), measured with the label's own text layout."""
    from PySide6.QtGui import QTextDocument

    round_id = start_round(
        profiled_store, list(catalog.entries), "2026年第4季度医疗质量自查", dt.date(2026, 11, 30), actor
    )
    widget = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    wait_exposed(qtbot, widget)
    header = widget.header
    doc = QTextDocument()
    doc.setDefaultFont(header.font())
    doc.setPlainText(header.text())
    doc.setTextWidth(header.width())
    doc.size()  # lays the text out
    block = doc.firstBlock()
    layout = block.layout()
    text = block.text()
    lines = [text[layout.lineAt(n).textStart() :][: layout.lineAt(n).textLength()] for n in range(layout.lineCount())]
    lines = [line.replace("\u2060", "").replace("\u00a0", " ") for line in lines]
    assert len(lines) >= 2, "seven checklists do not fit one line: the test would prove nothing"
    for c in catalog.entries:
        label = c.checklist.label
        assert any(label in line and "得分率" in line.split(label, 1)[1] for line in lines), (label, lines)
        assert any(f"{label} 完成 " in line for line in lines), "the completion named, as the first group's"
    assert len(lines) <= 3, lines


def test_a_long_round_name_is_shortened_in_the_title_bar(qtbot, profiled_store, catalog, actor, ui_dialogs):
    """A name of 60 characters took the title bar's width and squeezed the figures beside it."""
    from PySide6.QtWidgets import QLabel

    name = "2025年第三季度自" + "很长的名称" * 10  # 60 characters, the longest a name may be
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, name, dt.date(2025, 8, 1), actor)
    widget = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    title = next(label for label in widget.findChildren(QLabel) if label.toolTip() == f"{name}（2025年）")
    assert "…" in title.text() and title.text().endswith("（2025年）")
    assert title.width() <= 440 and widget.header.width() > 500


@pytest.mark.parametrize("width", [1024, 1280, 1600])
def test_related_items_wrap_to_the_panels_width(qtbot, profiled_store, catalog, actor, ui_dialogs, width):
    """Three buttons to a row whatever the width made the item panel wider than its pane with
    every programme chosen (1024 px, or 1920×1080 at 150%): its right-hand side, the text
    fields included, was cut off. The buttons take as many to a row as fit."""
    round_id = start_round(profiled_store, list(catalog.entries), "全部检查表", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.resize(width, 660)
    page.show()
    select(page, "qyx-targets-2021.1.1.rate")
    QApplication.processEvents()
    panel = page.panel
    assert len(panel.related_buttons) >= 2
    assert not panel.horizontalScrollBar().isVisible()
    for button in panel.related_buttons:
        assert button.mapTo(panel.viewport(), button.rect().topRight()).x() < panel.viewport().width()
    rows = {button.y() for button in panel.related_buttons}
    assert len(rows) < len(panel.related_buttons) or width < 1600, "side by side where there is room"


def test_the_search_box_keeps_room_to_show_what_is_typed(qtbot, page):
    """In a narrow pane (1024 px at 10.5 pt, or the splitter dragged to the left) the search box
    was squeezed beside the filters to a stub showing “…”: it goes on a line of its own there,
    and back beside them where they leave it room."""
    from app.ui.qt import QSplitter

    splitter = page.findChild(QSplitter)
    room = page.search.fontMetrics().horizontalAdvance("搜索条目（Ctrl+F）")
    splitter.setSizes([300, 1066])
    QApplication.processEvents()
    assert page.search.width() >= room
    assert page.search.y() > page.filter_mode.y()
    assert page.filter_department.geometry().right() < page.tree.width()  # the filters whole
    splitter.setSizes([700, 666])
    QApplication.processEvents()
    assert page.search.y() == page.filter_mode.y() and page.search.width() >= room


def test_a_sampling_item_short_of_records_is_coloured_as_unfinished(qtbot, page, profiled_store, round_id):
    """Listed under 未填 and stopped on by F3, it was shown in the ordinary colour (diff review)."""
    item_id = "qyx-core.07.3"
    select(page, item_id)
    assert page.write_samples(item_id, [SampleInput("ZY001", True, "")])
    assert page.session.outcomes[item_id].unfinished
    assert page.tree.nodes[item_id].foreground(1).color().name() == UNANSWERED_COLOUR.name()

"""The hospital-profile wizard, driven through its pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWizard

from app.services.profile import get_profile
from app.ui.profile_wizard import ProfileWizard
from tests.conftest import PROFILE_2_GENERAL
from tests.helpers import type_with_input_method


def test_first_run_wizard_saves_the_profile(qtbot, store, actor, ui_dialogs):
    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.show()
    basic = wizard.basic.ui
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()  # no name yet
    basic.nameEdit.insert("东风县人民医院")
    basic.codeEdit.setFocus()
    qtbot.keyClicks(basic.codeEdit, "12345")
    basic.codeEdit.editingFinished.emit()
    assert "机构代码格式不正确" in basic.codeError.text()
    assert not next_button.isEnabled()
    basic.codeEdit.clear()
    qtbot.keyClicks(basic.codeEdit, "12410000MB1234567L")
    assert next_button.isEnabled()
    assert basic.codeError.text() == "", "the message went as the code was put right, not when the field was left"
    basic.levelCombo.setCurrentText("二级")
    basic.gradeCombo.setCurrentText("乙等")
    basic.typeCombo.setCurrentText("中医")
    basic.bedsSpin.setValue(260)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

    departments = wizard.departments
    count = departments.list.count()
    qtbot.mouseClick(departments.add_button, Qt.MouseButton.LeftButton)
    departments.list.item(count).setText("治未病科")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)

    wizard.services.boxes["performs_surgery"].setChecked(True)
    wizard.services.boxes["has_obstetrics"].setChecked(True)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    saved = get_profile(store)
    assert (saved.name, saved.code, saved.level, saved.level_grade, saved.type, saved.beds) == (
        "东风县人民医院",
        "12410000MB1234567L",
        "二级",
        "乙等",
        "中医",
        260,
    )
    assert saved.departments[-1] == "治未病科"
    assert saved.flags == {"performs_surgery", "has_obstetrics"}


def test_beds_take_full_width_digits_and_say_what_they_cannot_take(qtbot, store, actor, ui_dialogs):
    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.show()
    basic = wizard.basic.ui
    basic.nameEdit.insert("东风县人民医院")
    spin, edit = basic.bedsSpin, basic.bedsSpin.lineEdit()
    spin.setValue(1200)
    spin.setFocus()
    edit.selectAll()
    type_with_input_method(edit, "３００")  # an input method in full-width mode
    assert (spin.value(), basic.bedsError.text()) == (300, "")

    edit.selectAll()
    type_with_input_method(edit, "三百")
    assert spin.value() == 300
    assert basic.bedsError.text() == "“三百”不能作为编制床位：请填写 0 到 20000 之间的整数（张）。"
    assert basic.bedsError.isVisible()
    edit.selectAll()
    qtbot.keyClicks(edit, "25000")  # the last 0 would go beyond the most a hospital has
    assert spin.value() == 2500 and "“25000”不能作为编制床位" in basic.bedsError.text()
    edit.selectAll()
    qtbot.keyClicks(edit, "-")  # below 0 is 未填写's own value: “-1” typed stood as “-1 张”, saved as none
    assert spin.value() == 2500 and "“-”不能作为编制床位" in basic.bedsError.text()
    qtbot.keyClicks(edit, "1")
    assert spin.value() == 1 and spin.text() == "1 张"
    edit.selectAll()
    type_with_input_method(edit, "４８０")
    assert (spin.value(), basic.bedsError.text()) == (480, "")  # a good value takes the message away

    for _ in range(2):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert get_profile(store).beds == 480


def test_esc_on_a_department_just_added_adds_none(qtbot, store, actor, ui_dialogs):
    """添加科室 then Esc kept a department named “新科室”, saved with the profile and offered as a
    责任科室 everywhere (keyboard review). Named and confirmed, it stays."""
    from PySide6.QtTest import QTest

    wizard = ProfileWizard(store, actor, PROFILE_2_GENERAL)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    page = wizard.departments
    before = page.departments()

    def editor() -> QLineEdit:
        [line] = [e for e in page.list.findChildren(QLineEdit) if e.isVisible()]
        return line

    page.add_department()
    QTest.keyClick(editor(), Qt.Key.Key_Escape)
    qtbot.wait(50)
    assert page.departments() == before
    page.add_department()
    named = editor()
    named.setText("ICU")
    QTest.keyClick(named, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.departments() == (*before, "ICU"))  # committed on the next pass


def test_leaving_the_first_run_wizard_with_something_typed_asks_first(qtbot, store, actor, ui_dialogs):
    """Esc closed the first-run wizard without a word, the name and code typed with it (review)."""
    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.reject()  # nothing typed: closes at once
    assert ui_dialogs.confirms == [] and not wizard.isVisible()
    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.basic.ui.nameEdit.setText("测试县人民医院")
    ui_dialogs.confirm_answer = False
    wizard.reject()
    assert "放弃已填写的医院基本情况" in ui_dialogs.confirms[0] and wizard.isVisible()
    ui_dialogs.confirm_answer = True
    wizard.reject()
    assert not wizard.isVisible() and get_profile(store) is None


def test_duplicate_department_is_refused_inline(qtbot, store, actor, ui_dialogs):
    wizard = ProfileWizard(store, actor, PROFILE_2_GENERAL)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    wizard.departments.list.item(1).setText(wizard.departments.list.item(0).text())
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.departments
    assert "重复" in wizard.departments.error.text()
    assert get_profile(store) is None


def test_a_duplicate_department_out_of_view_is_named_and_shown(qtbot, store, actor, ui_dialogs):
    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.resize(640, 520)
    wizard.show()
    wizard.activateWindow()  # typing goes to the active window's focus
    qtbot.waitUntil(wizard.isActiveWindow)
    wizard.basic.ui.nameEdit.insert("东风县人民医院")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    page = wizard.departments
    already = page.list.item(2).text()  # among the first of twenty names
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    editor = QApplication.focusWidget()  # the new row opens for typing
    editor.selectAll()
    type_with_input_method(editor, already)
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)  # leaving the row saves its name
    last = page.list.count() - 1
    assert wizard.currentPage() is page and get_profile(store) is None
    assert page.error.text() == (
        f"科室名称有重复：“{already}”（第 3、{last + 1} 行）。请删除或改名，每个科室只保留一行。"
    )
    assert page.list.currentRow() == last and page.list.item(last).isSelected()
    assert page.list.viewport().rect().contains(page.list.visualItemRect(page.list.item(last)))
    assert not page.list.viewport().rect().intersects(page.list.visualItemRect(page.list.item(2)))


def test_editing_later_loads_the_saved_profile(qtbot, profiled_store, actor, ui_dialogs):
    wizard = ProfileWizard(profiled_store, actor, get_profile(profiled_store))
    qtbot.addWidget(wizard)
    assert wizard.profile() == PROFILE_2_GENERAL


def test_no_beds_is_0_not_unfilled(qtbot, profiled_store, actor, ui_dialogs):
    """A 社区卫生服务中心 with no 编制床位 entered 0, which was saved as not filled in, and the
    report's cover printed “—” (review, input). 0 is kept; a field left empty shows 未填写."""
    import dataclasses

    from app.services.profile import get_profile, save_profile
    from app.ui.profile_wizard import NO_BEDS, ProfileDialog

    save_profile(profiled_store, dataclasses.replace(get_profile(profiled_store), beds=0), actor)
    dialog = ProfileDialog(profiled_store, actor, get_profile(profiled_store))
    qtbot.addWidget(dialog)
    spin = dialog.basic.ui.bedsSpin
    assert spin.text() == "0 张"
    dialog.accept()
    assert get_profile(profiled_store).beds == 0
    save_profile(profiled_store, dataclasses.replace(get_profile(profiled_store), beds=None), actor)
    dialog = ProfileDialog(profiled_store, actor, get_profile(profiled_store))
    qtbot.addWidget(dialog)
    assert dialog.basic.ui.bedsSpin.text() == "未填写"
    dialog.accept()
    assert get_profile(profiled_store).beds is None
    # typed into 未填写 where a click put the cursor (after it), or Backspace over it: no refusal
    spin = dialog.basic.ui.bedsSpin
    refused: list[str] = []
    spin.refused.connect(refused.append)
    spin.lineEdit().setCursorPosition(len("未填写"))
    qtbot.keyClicks(spin.lineEdit(), "300")
    assert (spin.value(), spin.text(), refused) == (300, "300 张", [])
    spin.setValue(NO_BEDS)
    spin.lineEdit().setCursorPosition(len("未填写"))
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Backspace)
    assert (spin.cleanText(), refused) == ("", [])


def test_editing_a_profile_opens_tabs_not_the_wizard(qtbot, profiled_store, actor, ui_dialogs):
    from app.services.profile import get_profile
    from app.ui.profile_wizard import ProfileDialog

    dialog = ProfileDialog(profiled_store, actor, get_profile(profiled_store))
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == ["基本情况", "科室", "开展的服务"]
    dialog.tabs.setCurrentIndex(2)
    dialog.services.boxes["has_obstetrics"].setChecked(True)
    dialog.basic.ui.bedsSpin.setValue(520)
    dialog.accept()
    saved = get_profile(profiled_store)
    assert "has_obstetrics" in saved.flags and saved.beds == 520
    dialog2 = ProfileDialog(profiled_store, actor, saved)
    qtbot.addWidget(dialog2)
    dialog2.basic.ui.codeEdit.setText("12345")
    dialog2.accept()
    assert dialog2.tabs.currentIndex() == 0 and dialog2.basic.ui.codeError.text()
    assert get_profile(profiled_store).code == saved.code


def test_finishing_with_no_service_ticked_asks_first(qtbot, store, actor, ui_dialogs):
    """Enter, Enter, Enter finished the wizard with no service ticked: a 二级综合医院's round then
    held 16 core-system items 不适用 (术前讨论, 手术安全核查, 临床用血 …; new-user review)."""
    from app.services.profile import get_profile

    wizard = ProfileWizard(store, actor, None)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.basic.ui.nameEdit.insert("东风县人民医院")
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.services and not wizard.services.flags()
    ui_dialogs.confirm_answer = False
    wizard.accept()
    assert "本院确实都未开展吗" in ui_dialogs.confirms[-1]
    assert store.profile() is None and wizard.isVisible() and wizard.currentPage() is wizard.services
    wizard.services.boxes["performs_surgery"].setChecked(True)
    confirms = len(ui_dialogs.confirms)
    wizard.accept()
    assert len(ui_dialogs.confirms) == confirms, "a service ticked: nothing to ask"
    assert get_profile(store).flags == {"performs_surgery"}
    # a hospital that truly runs none says so once, not at every edit (diff review)
    from app.ui.profile_wizard import ProfileDialog

    for answer, flags in ((True, frozenset()), (None, frozenset())):
        dialog = ProfileDialog(store, actor, get_profile(store))
        qtbot.addWidget(dialog)
        dialog.services.boxes["performs_surgery"].setChecked(False)
        asked = len(ui_dialogs.confirms)
        ui_dialogs.confirm_answer = bool(answer)
        dialog.accept()
        assert len(ui_dialogs.confirms) == asked + (answer is not None)
        assert get_profile(store).flags == flags


def test_esc_in_the_profile_dialog_asks_before_throwing_edits_away(qtbot, profiled_store, actor, ui_dialogs):
    """Esc closed 医院基本情况 and a changed bed count went with it, unasked (new-user review)."""
    from app.services.profile import get_profile
    from app.ui.profile_wizard import ProfileDialog

    saved = get_profile(profiled_store)
    dialog = ProfileDialog(profiled_store, actor, saved)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing changed: closes at once
    assert not dialog.isVisible() and not ui_dialogs.confirms
    dialog = ProfileDialog(profiled_store, actor, saved)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.basic.ui.bedsSpin.setValue(450)
    ui_dialogs.confirm_answer = False
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert "放弃对医院基本情况的修改吗" in ui_dialogs.confirms[-1] and dialog.isVisible()
    ui_dialogs.confirm_answer = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and get_profile(profiled_store) == saved

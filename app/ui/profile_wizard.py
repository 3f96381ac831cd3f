"""医院基本情况: a wizard on the first run, a tabbed dialog when editing it later from the 医院 menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.identifiers import check_hospital_code
from ..domain.profile import COMMON_DEPARTMENTS, FLAGS, LEVEL_GRADES, LEVELS, TYPES, HospitalProfile
from ..errors import AppError, InputError
from ..services.profile import check_departments, repeated_departments, save_profile, validate_profile
from . import dialogs
from .forms.ui_profile_basic import Ui_ProfileBasic
from .item_editors import error_label, plain_label
from .qt import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from .screen import fit_to_screen

if TYPE_CHECKING:
    from ..store import Actor, Store


class BasicPage(QWizardPage):
    """第一步：名称、代码、等级、类别、床位."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("基本情况")
        self.setSubTitle("用于报告封面和条目适用范围判断。")
        self.ui = Ui_ProfileBasic()
        holder = QWidget()
        self.ui.setupUi(holder)
        self.column = QVBoxLayout(self)
        self.column.addWidget(holder)
        self.ui.levelCombo.addItems(LEVELS)
        self.ui.gradeCombo.addItems(["（未评等次）", *LEVEL_GRADES])
        self.ui.typeCombo.addItems(TYPES)
        for combo in (self.ui.levelCombo, self.ui.gradeCombo, self.ui.typeCombo):
            # room for the longest entry: full-width brackets are measured short by some styles
            longest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
            combo.setMinimumWidth(longest + 48)
        self.ui.nameEdit.textChanged.connect(lambda: self.ui.nameError.clear())
        self.ui.codeEdit.editingFinished.connect(self.check_code)
        # a message shown follows the correction as it is typed: it stayed red, about the code
        # before, until the field was left (new-user review)
        self.ui.codeEdit.textChanged.connect(lambda: self.check_code() if self.ui.codeError.text() else None)
        self.ui.codeEdit.textChanged.connect(self.completeChanged)
        self.ui.nameEdit.textChanged.connect(self.completeChanged)
        self.ui.bedsSpin.refused.connect(self.refuse_beds)
        self.ui.bedsSpin.textChanged.connect(lambda: self.ui.bedsError.clear())

    def refuse_beds(self, typed: str) -> None:
        """What the spin box could not take: said, rather than dropped without a word."""
        shown = typed if len(typed) <= 12 else typed[:12] + "…"
        self.ui.bedsError.setText(
            f"“{shown}”不能作为编制床位：请填写 0 到 {self.ui.bedsSpin.maximum()} 之间的整数（张）。"
        )

    def check_code(self) -> bool:
        message = check_hospital_code(self.ui.codeEdit.text())
        self.ui.codeError.setText(message)
        return not message

    def isComplete(self) -> bool:
        return bool(self.ui.nameEdit.text().strip()) and not check_hospital_code(self.ui.codeEdit.text())

    def validatePage(self) -> bool:
        ok = self.check_code()
        if not self.ui.nameEdit.text().strip():
            self.ui.nameError.setText("请填写医院名称。")
            ok = False
        return ok


#: 编制床位 not filled in: the spin box's 未填写 (forms/profile_basic.ui), below 0, which is a number of beds
NO_BEDS = -1
#: the name a department added is given until it is named
NEW_DEPARTMENT = "新科室"


class DepartmentsPage(QWizardPage):
    """第二步：科室列表（责任科室的选项）."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("科室")
        self.setSubTitle("责任科室从此列表中选择。双击或按 F2 修改名称。")
        self.list = QListWidget()
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.list.setAccessibleName("科室列表")
        self.add_button = add = QPushButton("添加科室(&A)")
        self.remove_button = remove = QPushButton("删除所选(&R)")
        add.clicked.connect(self.add_department)
        remove.clicked.connect(self.remove_selected)
        self._added: QListWidgetItem | None = None  # the row 添加科室 made, while it is named
        self.list.itemDelegate().closeEditor.connect(self._editor_closed)
        self.error = error_label()
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

    def set_departments(self, names: tuple[str, ...]) -> None:
        self.list.clear()
        for name in names:
            self._append(name)

    def _append(self, name: str) -> QListWidgetItem:
        item = QListWidgetItem(name)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.addItem(item)
        return item

    def add_department(self) -> None:
        item = self._append(NEW_DEPARTMENT)
        self._added = item
        self.list.setCurrentItem(item)
        self.list.editItem(item)

    def _editor_closed(self, _editor, hint) -> None:
        """Esc on the row 添加科室 made: no department (one named “新科室” was kept, and saved, and
        offered as a 责任科室 everywhere)."""
        added, self._added = self._added, None
        cancelled = hint == QAbstractItemDelegate.EndEditHint.RevertModelCache
        if added is not None and cancelled and added.text() == NEW_DEPARTMENT:
            self.list.takeItem(self.list.row(added))

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def departments(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).text().strip() for i in range(self.list.count()))

    def validatePage(self) -> bool:
        names = self.departments()
        message = check_departments(names)
        self.error.setText(message)
        if repeats := repeated_departments(names):
            self._select_repeats(repeats)
        return not message

    def _select_repeats(self, repeats: dict[str, list[int]]) -> None:
        """Select the first row repeating a name, scrolled into view: with twenty names the repeat
        is usually out of sight."""
        self.list.setCurrentRow(min(rows[1] for rows in repeats.values()))
        self.list.scrollToItem(self.list.currentItem())


class ServicesPage(QWizardPage):
    """第三步：开展的服务（决定条目是否适用）."""

    def __init__(self) -> None:
        super().__init__()
        self.setTitle("开展的服务")
        self.setSubTitle("勾选本院具备的条件。未勾选的服务，相关条目将标为“不适用”并注明原因。")
        layout = QVBoxLayout(self)
        self.boxes: dict[str, QCheckBox] = {}
        for flag, label in FLAGS.items():
            box = QCheckBox(label)
            self.boxes[flag] = box
            layout.addWidget(box)
        layout.addStretch()

    def flags(self) -> frozenset[str]:
        return frozenset(f for f, box in self.boxes.items() if box.isChecked())


class _ProfileForm:
    """The three pages' contents as one profile: filled from it, read back, saved (wizard and dialog)."""

    basic: BasicPage
    departments: DepartmentsPage
    services: ServicesPage

    def load(self, profile: HospitalProfile | None) -> None:
        ui = self.basic.ui
        if profile is None:
            self.departments.set_departments(COMMON_DEPARTMENTS)
            ui.levelCombo.setCurrentText("二级")
            return
        ui.nameEdit.setText(profile.name)
        ui.codeEdit.setText(profile.code)
        ui.levelCombo.setCurrentText(profile.level)
        ui.gradeCombo.setCurrentText(profile.level_grade or "（未评等次）")
        ui.typeCombo.setCurrentText(profile.type)
        ui.bedsSpin.setValue(NO_BEDS if profile.beds is None else profile.beds)  # 0 beds is 0, not 未填写
        self.departments.set_departments(profile.departments)
        for flag, box in self.services.boxes.items():
            box.setChecked(flag in profile.flags)

    def profile(self) -> HospitalProfile:
        ui = self.basic.ui
        grade = ui.gradeCombo.currentText()
        return HospitalProfile(
            name=ui.nameEdit.text().strip(),
            code=ui.codeEdit.text().strip().upper(),
            level=ui.levelCombo.currentText(),
            level_grade="" if grade not in LEVEL_GRADES else grade,
            type=ui.typeCombo.currentText(),
            beds=None if ui.bedsSpin.value() == NO_BEDS else ui.bedsSpin.value(),
            departments=self.departments.departments(),
            flags=self.services.flags(),
        )

    #: the profile as shown first: leaving asks only when it changed
    _as_loaded: HospitalProfile

    def leave_confirmed(self, parent: QWidget, question: str) -> bool:
        """Esc (a second one after closing a department's editor comes naturally) threw typed or
        changed details away without a word: asked first when anything changed."""
        return self.profile() == self._as_loaded or dialogs.confirm(parent, question)

    def services_confirmed(self, parent: QWidget) -> bool:
        """No service ticked is asked about: Enter, Enter, Enter finished the wizard with none, and
        a 二级综合医院's round then held 16 core-system items 不适用 (术前讨论, 手术安全核查,
        临床用血 …), kept by the round though the profile was put right later (new-user review).
        Asked once: a profile saved with none is not asked about again."""
        saved_without = self._as_loaded.name and not self._as_loaded.flags
        if self.services.flags() or saved_without:
            return True
        return dialogs.confirm(
            parent,
            "尚未勾选本院开展的服务（手术、输血、急诊、产科等）：与这些服务有关的条目将标为“不适用”，"
            "自查轮次保留开始时的设置。\n\n本院确实都未开展吗？",
        )

    def save(self, parent: QWidget, store: Store, actor: Actor) -> str | None:
        """Validate and save; '' when saved, the field refused ('name', 'code'), or None after
        telling the user in a dialog."""
        profile = self.profile()
        try:
            validate_profile(profile)
            save_profile(store, profile, actor)
        except InputError as err:
            if err.field in ("name", "code"):
                (self.basic.ui.nameError if err.field == "name" else self.basic.ui.codeError).setText(str(err))
                return err.field
            dialogs.error(parent, str(err))
            return None
        except AppError as err:
            dialogs.error(parent, str(err))
            return None
        return ""


class ProfileWizard(_ProfileForm, QWizard):
    """First run: the profile in three steps."""

    def __init__(
        self, store: Store, actor: Actor, profile: HospitalProfile | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("医院基本情况")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.basic, self.departments, self.services = BasicPage(), DepartmentsPage(), ServicesPage()
        for page in (self.basic, self.departments, self.services):
            self.addPage(page)
        #: the user chose 从备份恢复 instead: a new PC, or the program installed again after a fault
        self.restore_requested = False
        self._offer_restore()
        fit_to_screen(self, 640, 520)
        self.load(profile)
        self._as_loaded = self.profile()

    def _offer_restore(self) -> None:
        """On a new PC the first thing shown is this wizard; the way back to the office's data
        (a backup on a U 盘) was only under 文件 → 备份与恢复, behind it (review, session 13)."""
        row = QHBoxLayout()
        row.addWidget(plain_label("以前用过本程序？可以从备份文件（如 U 盘上的备份）恢复全部资料："), 1)
        button = QPushButton("从备份恢复(&R)…")
        button.setAutoDefault(False)  # Enter still goes to the next step
        button.clicked.connect(self._restore_instead)
        row.addWidget(button)
        self.basic.column.addLayout(row)

    def _restore_instead(self) -> None:
        self.restore_requested = True
        # without asking to give up what was typed: it stays in this wizard, shown again if no
        # backup is restored; one restored has its own profile
        QWizard.reject(self)

    def reject(self) -> None:
        if self.leave_confirmed(self, "放弃已填写的医院基本情况吗？\n\n不保存就关闭，下次打开程序时需要重新填写。"):
            super().reject()

    def accept(self) -> None:
        if not self.services_confirmed(self):
            self.services.boxes[next(iter(self.services.boxes))].setFocus()
            return
        refused = self.save(self, self.store, self.actor)
        if refused:
            self.restart()
            return
        if refused == "":
            super().accept()


class ProfileDialog(_ProfileForm, QDialog):
    """Editing a profile already filled in: the same fields in tabs, saved at once with 确定."""

    def __init__(self, store: Store, actor: Actor, profile: HospitalProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("医院基本情况")
        self.basic, self.departments, self.services = BasicPage(), DepartmentsPage(), ServicesPage()
        self.tabs = QTabWidget()
        for page in (self.basic, self.departments, self.services):
            self.tabs.addTab(page, page.title())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        fit_to_screen(self, 640, 520)
        self.load(profile)
        self._as_loaded = self.profile()

    def reject(self) -> None:
        if self.leave_confirmed(self, "放弃对医院基本情况的修改吗？\n\n不保存就关闭，所做的修改不会保留。"):
            super().reject()

    def accept(self) -> None:
        for page in (self.basic, self.departments):
            if not page.validatePage():
                self.tabs.setCurrentWidget(page)
                return
        if not self.services_confirmed(self):
            self.tabs.setCurrentWidget(self.services)
            return
        refused = self.save(self, self.store, self.actor)
        if refused:
            self.tabs.setCurrentWidget(self.basic)
            return
        if refused == "":
            super().accept()

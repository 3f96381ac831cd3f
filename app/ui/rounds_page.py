"""自查轮次 list: create, open, rename, re-check and delete rounds."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..catalog import Catalog
from ..domain.formats import cn_date, rate_text, years_text
from ..domain.scoring import completion_percent
from ..errors import AppError, InputError
from ..services import rectifications as rect_service
from ..services import rounds as round_service
from ..services.profile import get_profile
from . import dialogs
from .cell_table import read_only
from .item_editors import advice_label
from .qt import (
    QAbstractItemView,
    QDate,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
    to_date,
)
from .screen import fit_to_screen

if TYPE_CHECKING:
    from ..store import Actor, Store


def split_names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[、，,；;\n]", text) if n.strip()]


class NewRoundDialog(QDialog):
    """新建自查轮次 (or a re-check round based on ``previous``)."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        actor: Actor,
        parent: QWidget | None = None,
        previous: round_service.RoundView | None = None,
    ) -> None:
        # the generated form imports dozens of Qt classes: load it when the dialog is first opened
        from .forms.ui_new_round import Ui_NewRoundDialog

        super().__init__(parent)
        self.store, self.catalog, self.actor = store, catalog, actor
        self.round_id: str | None = None
        self.ui = Ui_NewRoundDialog()
        self.ui.setupUi(self)
        fit_to_screen(self, 720, 560)
        today = dt.date.today()
        self.ui.dateEdit.setDate(QDate(today.year, today.month, today.day))
        self.year_hint = advice_label()
        self.ui.form.insertRow(3, "", self.year_hint)
        self.ui.previousCombo.addItem("（无）", None)
        for round_id, name in round_service.round_choices(store):
            self.ui.previousCombo.addItem(name, round_id)
        # choosing a previous round carries its open rectifications over: say so where it is chosen
        self.previous_hint = advice_label()
        position: tuple[int, object] = self.ui.form.getWidgetPosition(self.ui.previousCombo)  # type: ignore[assignment]
        self.ui.form.insertRow(position[0] + 1, "", self.previous_hint)
        chosen = {c.id for c in previous.checklists} if previous else None
        for entry in catalog.entries:
            c = entry.checklist
            years = years_text(c.valid_from, c.valid_to)
            label = f"{c.title}　〔{c.region}{'，' + years if years else ''}；{c.source_document}〕"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = c.id in chosen if chosen is not None else c.default
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            item.setToolTip(c.description or c.title)
            self.ui.checklistList.addItem(item)
        if previous:
            self.ui.nameEdit.setText(f"{previous.name}（复查）")
            self.ui.leaderEdit.setText(previous.leader)
            self.ui.membersEdit.setText("、".join(previous.members))
            self.ui.previousCombo.setCurrentIndex(self.ui.previousCombo.findData(previous.id))
        else:
            self.ui.nameEdit.setText(f"{today.year}年第{'一二三四'[(today.month - 1) // 3]}季度医疗质量自查")
        self.ui.nameEdit.selectAll()
        self.ui.nameEdit.textChanged.connect(lambda: self.ui.nameError.clear())
        self._suggest_year()
        self.ui.dateEdit.dateChanged.connect(lambda _: self._suggest_year())
        self.ui.checklistList.itemChanged.connect(lambda _: self._suggest_year())
        self.ui.yearSpin.valueChanged.connect(lambda _: self._advise_year())
        self._explain_previous()
        self.ui.previousCombo.currentIndexChanged.connect(lambda _: self._explain_previous())
        self.ui.buttonBox.accepted.connect(self.accept)
        self.ui.buttonBox.rejected.connect(self.reject)

    def _suggest_year(self) -> None:
        """考核年度 follows the date, but not past the last year the chosen checklists set targets for."""
        checklists = [e.checklist for e in self.selected_entries()]
        self.ui.yearSpin.setValue(round_service.default_year(checklists, to_date(self.ui.dateEdit.date())))
        self._advise_year()

    def _advise_year(self) -> None:
        checklists = [e.checklist for e in self.selected_entries()]
        day = to_date(self.ui.dateEdit.date())
        self.year_hint.setText(round_service.year_advice(checklists, self.ui.yearSpin.value(), day))
        self.year_hint.setVisible(bool(self.year_hint.text()))

    def _explain_previous(self) -> None:
        """What choosing 对照上一轮 does besides the comparison: the new round is its 复查轮次, and
        its open rectifications move into it (a reviewer took the field for a comparison only)."""
        previous = self.ui.previousCombo.currentData()
        self.setWindowTitle("新建复查轮次" if previous else "新建自查轮次")
        self.previous_hint.setVisible(bool(previous))
        if not previous:
            return
        count = len(rect_service.rectifications_to_carry(self.store, previous, to_date(self.ui.dateEdit.date())))
        if count:
            carried = (
                f"所选轮次未完成的整改项 {count} 项转入本轮继续跟踪（在所选轮次中显示为“已转入复查”；"
                "本轮删除之前，所选轮次不能删除）"
            )
        elif carriers := round_service.followed_up_in(self.store, previous):
            carried = f"所选轮次的整改项已在{'、'.join(f'“{c}”' for c in carriers)}中跟踪，不再转入本轮"
        else:
            carried = "所选轮次没有需要转入的整改项"
        self.previous_hint.setText(
            f"本轮将作为所选轮次的复查轮次：{carried}；“逐步提高/降低”类指标未填基线值时与所选轮次比较。"
        )

    def selected_entries(self):
        ids = [
            self.ui.checklistList.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.ui.checklistList.count())
            if self.ui.checklistList.item(i).checkState() == Qt.CheckState.Checked
        ]
        return [self.catalog.get(i) for i in ids]

    def accept(self) -> None:
        if problem := self.ui.dateEdit.problem("自查日期"):
            dialogs.error(self, problem)
            self.ui.dateEdit.setFocus()
            return
        date = self.ui.dateEdit.date()
        previous = self.ui.previousCombo.currentData()
        self.ui.checklistsError.clear()
        leader, members = self.ui.leaderEdit.text(), split_names(self.ui.membersEdit.text())
        year = self.ui.yearSpin.value()
        day = to_date(date)
        if previous and not self._recheck_again_confirmed(previous):
            return
        try:
            if previous:
                self.round_id = rect_service.start_recheck_round(
                    self.store,
                    self.selected_entries(),
                    self.ui.nameEdit.text(),
                    day,
                    self.actor,
                    previous_round_id=previous,
                    leader=leader,
                    members=members,
                    year=year,
                )
            else:
                self.round_id = round_service.start_round(
                    self.store,
                    self.selected_entries(),
                    self.ui.nameEdit.text(),
                    day,
                    self.actor,
                    leader=leader,
                    members=members,
                    year=year,
                )
        except InputError as err:
            label = {"name": self.ui.nameError, "checklists": self.ui.checklistsError}.get(err.field)
            if label is None:
                dialogs.error(self, str(err))
            else:
                label.setText(str(err))
                self._keyboard_to(err.field)
            return
        except AppError as err:
            dialogs.error(self, str(err))
            return
        super().accept()

    def _keyboard_to(self, field: str) -> None:
        """The keyboard to the field refused, the name ready to be typed over: Enter was pressed
        elsewhere (in 检查组成员, on 确定), and what is typed next is the correction."""
        if field == "name":
            self.ui.nameEdit.setFocus()
            self.ui.nameEdit.selectAll()
        else:
            self.ui.checklistList.setFocus()

    def _recheck_again_confirmed(self, previous: str) -> bool:
        """A round whose rectifications a re-check already follows up: a second re-check based on
        it would bring none of them over. Say where they are, and let the user choose."""
        carriers = round_service.followed_up_in(self.store, previous)
        if not carriers:
            return True
        later = "、".join(f"“{name}”" for name in carriers)
        return dialogs.confirm(
            self,
            f"所选上一轮未完成的整改项已转入复查轮次{later}，在那里继续跟踪；基于它再新建复查，不会再带入这些整改项。\n\n"
            f"要继续跟踪，请取消，并选择最近的复查轮次作为“对照上一轮”。仍要新建吗？",
        )


class RoundsPage(QWidget):
    """The list of rounds with progress; the start screen."""

    open_round = Signal(str)

    def __init__(
        self, store: Store, catalog: Callable[[], Catalog], actor: Actor, fill_profile: Callable[[], bool]
    ) -> None:
        super().__init__()
        self.store, self.catalog, self.actor = store, catalog, actor
        #: asks for the 医院基本情况 (the window's wizard); True once it is saved
        self.fill_profile = fill_profile
        title = QLabel("自查轮次")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.table = QTableWidget(0, 7)
        self.table.setHorizontalHeaderLabels(["轮次名称", "自查日期", "年度", "检查表", "完成进度", "得分率", "状态"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        read_only(self.table)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("自查轮次列表")
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (
            ("new", "新建轮次(&N)…", self.new_round),
            ("open", "打开(&O)", self.open_selected),
            ("rename", "重命名(&M)…", self.rename_selected),
            ("recheck", "基于所选新建复查(&C)…", self.recheck_selected),
            ("delete", "删除(&D)…", self.delete_selected),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        self.buttons["recheck"].setToolTip(
            "再查一遍所选轮次：新建它的复查轮次，未完成的整改项转入新轮次继续跟踪（复查轮次）"
        )
        row.addStretch()
        self.empty = QLabel("还没有自查轮次。点击“新建轮次”开始第一轮自查。")
        self.empty.setStyleSheet("color: #555; padding: 24px;")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._column = layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        for qt_key, slot in (
            (Qt.Key.Key_Return, self.open_selected),
            (Qt.Key.Key_Enter, self.open_selected),
            (Qt.Key.Key_F2, self.rename_selected),
            (Qt.Key.Key_Delete, self.delete_selected),
        ):
            shortcut = QShortcut(QKeySequence(qt_key), self.table, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._stale = True

    def showEvent(self, event) -> None:
        # scoring every round takes a moment: do it when the list is shown, not at start-up
        if self._stale:
            self.refresh()
        super().showEvent(event)
        # the keyboard starts in the list: Enter opens the selected round, F2 renames, Delete deletes
        (self.table if self.table.rowCount() else self.buttons["new"]).setFocus()

    def refresh(self) -> None:
        self._stale = False
        summaries = round_service.list_rounds(self.store)
        self.table.setRowCount(len(summaries))
        for r, s in enumerate(summaries):
            cells = [
                s.name,
                cn_date(dt.date.fromisoformat(s.started_on)),
                str(s.year),
                "、".join(s.checklists),
                "",
                rate_text(s.score),
                "已定稿" if s.status == "final" else "自查稿",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.id)
                self.table.setItem(r, c, item)
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(completion_percent(s.completion))
            bar.setFormat("%p%")
            self.table.setCellWidget(r, 4, bar)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.empty.setVisible(not summaries)
        self.table.setVisible(bool(summaries))
        self._column.setStretch(3, 0 if summaries else 1)  # keep the title at the top when empty
        if summaries and not self.table.selectedItems():
            self.table.selectRow(0)
        for key in ("open", "rename", "recheck", "delete"):
            self.buttons[key].setEnabled(bool(summaries))

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def new_round(self, previous: round_service.RoundView | None = None) -> str | None:
        if get_profile(self.store) is None:  # the round starts from it: asked first, not refused after
            question = (
                "开始自查前，需要先填写医院基本情况（级别、类型、开展的服务），用来判断哪些条目适用。现在填写吗？"
            )
            if not dialogs.confirm(self, question) or not self.fill_profile():
                return None
        dialog = NewRoundDialog(self.store, self.catalog(), self.actor, self, previous=previous)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self.refresh()
        self.open_round.emit(dialog.round_id)
        return dialog.round_id

    def open_selected(self) -> None:
        round_id = self.selected_id()
        if round_id:
            self.open_round.emit(round_id)

    def rename_selected(self) -> None:
        round_id = self.selected_id()
        if not round_id:
            return
        current = round_service.round_name(self.store, round_id)
        typed, problem = current, ""
        while True:  # a name refused is asked again, as typed, with why: it was thrown away
            name = dialogs.ask_text(self, "新的轮次名称：", typed, problem)
            if name is None or name.strip() == current:
                return
            try:
                round_service.rename_round(self.store, round_id, name, self.actor)
            except AppError as err:
                typed, problem = name, str(err)
                continue
            break
        self.refresh()

    def recheck_selected(self) -> None:
        round_id = self.selected_id()
        if round_id:
            self.new_round(previous=round_service.load_round(self.store, round_id))

    def delete_selected(self) -> None:
        round_id = self.selected_id()
        if not round_id:
            return
        name = round_service.round_name(self.store, round_id)
        if refused := round_service.deletion_refused(self.store, round_id):  # said before asking
            dialogs.error(self, refused)
            return
        note = round_service.deletion_note(self.store, round_id)
        if not dialogs.confirm(
            self,
            f"确定删除自查轮次“{name}”吗？\n\n其中的全部评价结果、抽查记录、附件和整改项都将被删除，且无法恢复。"
            + (f"\n\n{note}" if note else ""),
        ):
            return
        try:
            round_service.delete_round(self.store, round_id)
        except AppError as err:
            dialogs.error(self, str(err))
        self.refresh()

"""The right-hand panel of the walkthrough: one item, its source and guidance, and its inputs."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from ..domain.checklist import NOT_APPLICABLE, Checklist, Item
from ..domain.evaluation import NA_PROFILE, Outcome
from ..domain.formats import NO_DEPARTMENT, added_text, size_text
from ..domain.kinds import kind_of
from ..domain.records import Answer, Attachment, SampleRecord
from .item_editors import (
    ADVICE_STYLE,
    Editor,
    IndicatorEditor,
    columns_that_fit,
    editor_for,
    error_label,
    place_in_columns,
)
from .qt import (
    QComboBox,
    QEvent,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

#: How long after the last keystroke a text field is saved.
TEXT_SAVE_DELAY_MS = 600
TEXT_FIELDS = ("finding", "evidence", "na_reason")
#: buttons per row for the items that ask the same thing, at most (fewer where the panel is narrower)
RELATED_COLUMNS = 3


@dataclass(frozen=True)
class ItemContext:
    """Everything the panel shows for one item."""

    checklist: Checklist
    item: Item
    section_path: tuple[str, ...]
    section_guidance: str
    year: int
    answer: Answer | None
    samples: list[SampleRecord]
    outcome: Outcome
    attachments: list[Attachment]
    departments: tuple[str, ...]
    previous_value: float | None
    #: the item as reports name it (核心制度 分级护理制度 第1条), not its internal id
    reference: str = ""
    #: its place in its section (本节第2条, or 编号 1.1.2c), as the tree and the reports number it
    number: str = ""


def _discard(widget: QWidget) -> None:
    """Remove a widget that is being replaced. Hidden at once: deleteLater waits for the event
    loop, and until then the old widget would still paint over its replacement."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


class TextField(QPlainTextEdit):
    """A plain-text field that reports focus-out, so that pending text is saved at once. Esc goes
    back to the tree, and Ctrl+Z / Ctrl+Y with nothing typed here to undo or redo are the
    program's (编辑 → 撤销/重做): after 4 (D) the keyboard is in 问题描述, and the field took
    Ctrl+Z for its own empty history, so a mis-keyed D could not be undone (diff review)."""

    focus_lost = Signal()
    escaped = Signal()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def __init__(self) -> None:
        super().__init__()
        self.setTabChangesFocus(True)  # keyboard users walk the form with Tab

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            document = self.document()
            if (event.matches(QKeySequence.StandardKey.Undo) and not document.isUndoAvailable()) or (
                event.matches(QKeySequence.StandardKey.Redo) and not document.isRedoAvailable()
            ):
                event.ignore()  # not ours: the page's shortcut takes it
                return False
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.escaped.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ReasonField(TextField):
    """不适用原因, asked for after 0 (不适用) was pressed in the tree. The keyboard was then in it:
    a digit meant as the next grade became the reason (“2”, saved as 不适用), Enter only broke
    the line, and Esc did nothing. Now, while it is empty, a digit grades the item instead; Esc
    leaves it; Enter confirms the reason (Shift+Enter breaks the line), back in the tree."""

    confirmed = Signal()  # Enter: the reason is done
    cancelled = Signal()  # Esc
    digit_typed = Signal(str)  # a digit while empty: a grade, not a reason

    def keyPressEvent(self, event) -> None:
        key, text = event.key(), event.text()
        if key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.confirmed.emit()
        elif text.isdigit() and len(text) == 1 and not self.toPlainText().strip():
            self.digit_typed.emit(text)
        else:
            super().keyPressEvent(event)
            return
        event.accept()


#: what a screen reader says for each text field
_ACCESSIBLE_NAMES = {"finding": "问题描述", "evidence": "佐证材料", "na_reason": "不适用原因"}


class ItemPanel(QScrollArea):
    answer_edited = Signal(str, dict)
    samples_edited = Signal(str, list)
    attachment_add = Signal(str)
    attachment_open = Signal(object)
    attachment_remove = Signal(object)
    rectification_requested = Signal(str)
    related_requested = Signal(str)
    history_requested = Signal(str)  # 修改记录 of the item
    input_refused = Signal(str, str)  # item id, why: shown by the editor, or after moving on elsewhere
    back_to_items = Signal()  # the keyboard goes back to the tree (Esc in a text field)
    #: 不适用原因 confirmed with Enter: the item is done, on to the next one as after a grade
    not_applicable_done = Signal()
    grade_typed = Signal(str)  # a grade's key typed where the 不适用 reason was asked

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Tab goes from the tree straight to the item's inputs; the area scrolls to follow them
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.context: ItemContext | None = None
        self._loading = False
        self._pending: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TEXT_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)

        body = QWidget()
        self.setWidget(body)
        layout = self._body_layout = QVBoxLayout(body)
        for widget in self._item_heading():
            layout.addWidget(widget)
        self.editor_holder = QVBoxLayout()  # the kind's editor goes here (_replace_editor)
        layout.addLayout(self.editor_holder)
        self.editor: Editor | None = None
        layout.addLayout(self._text_fields())
        self.general_error = error_label()
        layout.addWidget(self.general_error)
        layout.addLayout(self._rectification_row())
        layout.addLayout(self._attachment_row())
        layout.addWidget(self.attachments)
        layout.addWidget(self.attachment_error)
        layout.addStretch()

    def _item_heading(self) -> tuple[QWidget, ...]:
        """Where the item is, what it asks, its source and note, related items and 基本要求."""
        self.breadcrumb = QLabel()
        self.breadcrumb.setStyleSheet("color: #555;")
        self.breadcrumb.setWordWrap(True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #333;")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(ADVICE_STYLE)
        self.na_banner = QLabel()
        self.na_banner.setWordWrap(True)
        self.na_banner.setStyleSheet("background: #eeeeee; color: #333; padding: 6px;")
        # items of other programmes in this round that ask the same thing (same topic): one
        # button each, reachable with Tab like every other input; up to 9 when all are chosen
        self.related = QWidget()
        self.related_grid = QGridLayout(self.related)
        self.related_grid.setContentsMargins(0, 0, 0, 0)
        self.related_grid.addWidget(QLabel("同一要求也见于（整改项共用一个）："), 0, 0, 1, RELATED_COLUMNS)
        self.related_buttons: list[QPushButton] = []
        self._related_columns = 0  # as laid out now (_place_related)
        self.guidance_toggle = QToolButton()
        self.guidance_toggle.setCheckable(True)
        self.guidance_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.guidance_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.guidance_toggle.setText("基本要求")
        self.guidance_toggle.toggled.connect(self._toggle_guidance)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.guidance.setStyleSheet("background: #f6f8fa; padding: 6px;")
        self.guidance.hide()
        for w in (self.breadcrumb, self.text, self.source, self.note, self.na_banner, self.guidance):
            # content and user text are never interpreted as HTML
            w.setTextFormat(Qt.TextFormat.PlainText)
        return (
            self.breadcrumb,
            self.text,
            self.source,
            self.note,
            self.related,
            self.na_banner,
            self.guidance_toggle,
            self.guidance,
        )

    def _text_fields(self) -> QFormLayout:
        """不适用原因, 问题描述, 佐证材料 (saved as typed, after a pause) and 责任科室."""
        form = QFormLayout()
        self.na_reason = ReasonField()
        self.na_reason.setPlaceholderText("选择“不适用”时必须填写原因")
        self.na_reason.setMaximumHeight(60)
        self.na_reason_label = QLabel("不适用原因：")
        self.na_reason_label.setBuddy(self.na_reason)
        self.na_reason_error = error_label()
        self.na_reason.confirmed.connect(self._reason_confirmed)
        self.na_reason.cancelled.connect(self._reason_left)
        self.na_reason.digit_typed.connect(self._grade_instead)
        self.finding = TextField()
        self.finding.setPlaceholderText("发现的问题（不符合或部分符合时填写）")
        self.finding.setMaximumHeight(90)
        self.evidence = TextField()
        self.evidence.setPlaceholderText("佐证材料：制度文件、会议记录、培训签到表……")
        self.evidence.setMaximumHeight(60)
        self.finding.escaped.connect(self.back_to_items.emit)
        self.evidence.escaped.connect(self.back_to_items.emit)
        self.department = QComboBox()
        self.department.setAccessibleName("责任科室")
        form.addRow(self.na_reason_label, self.na_reason)
        form.addRow("", self.na_reason_error)
        for text, field in (
            ("问题描述(&F)：", self.finding),
            ("佐证材料(&V)：", self.evidence),
            ("责任科室(&K)：", self.department),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        for name in TEXT_FIELDS:
            text_field: TextField = getattr(self, name)
            text_field.setAccessibleName(
                {"finding": "问题描述", "evidence": "佐证材料", "na_reason": "不适用原因"}[name]
            )
            text_field.textChanged.connect(lambda n=name: self._text_changed(n))
            text_field.focus_lost.connect(self.flush)
        self.department.activated.connect(self._department_changed)
        return form

    def _rectification_row(self) -> QHBoxLayout:
        """The item's rectification (or the offer of one) and its 修改记录."""
        self.rectification_label = QLabel()
        self.rectification_label.setTextFormat(Qt.TextFormat.PlainText)  # a round's name is typed by users
        self.rectification_label.setWordWrap(True)
        self.rectification_button = QPushButton("生成整改项(&Z)")
        self.rectification_button.setToolTip("C 级（或部分符合）可按需生成整改项；不符合的条目自动生成")
        self.rectification_button.clicked.connect(lambda: self._for_item(self.rectification_requested))
        self.history_button = QPushButton("查看修改记录(&J)…")  # it only shows: 修改记录… read as “edit”
        self.history_button.setToolTip(
            "本条目的评价、抽查记录、整改项和附件的每次修改：谁、何时、在哪台电脑、改了什么（Ctrl+H）"
        )
        self.history_button.clicked.connect(lambda: self._for_item(self.history_requested))
        row = QHBoxLayout()
        row.addWidget(self.rectification_label, 1)
        row.addWidget(self.rectification_button)
        row.addWidget(self.history_button)
        return row

    def _for_item(self, signal: Any) -> None:  # a SignalInstance carrying an item id
        """Emit ``signal`` with the shown item's id (a button pressed while no item is shown does nothing)."""
        if self.context is not None:
            signal.emit(self.context.item.id)

    def _attachment_row(self) -> QHBoxLayout:
        """附件: add, open and remove buttons (the list goes below them)."""
        self.attachments = QListWidget()
        self.attachments.setMaximumHeight(90)
        self.attachments.setAccessibleName("附件")
        self.attachments.itemActivated.connect(lambda i: self.attachment_open.emit(i.data(Qt.ItemDataRole.UserRole)))
        add = QPushButton("添加附件(&A)…")
        open_ = QPushButton("打开(&O)")
        remove = QPushButton("删除附件(&D)")
        add.clicked.connect(lambda: self._for_item(self.attachment_add))
        open_.clicked.connect(lambda: self._selected_attachment(self.attachment_open))
        remove.clicked.connect(lambda: self._selected_attachment(self.attachment_remove))
        self.attachment_buttons = (add, open_, remove)
        # Delete in the list, as in a file manager (it did nothing); asked first, as the button is
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.attachments, remove.click)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.attachment_error = error_label()
        row = QHBoxLayout()
        row.addWidget(QLabel("附件："))
        for button in self.attachment_buttons:
            row.addWidget(button)
        row.addStretch()
        return row

    # --- showing an item ------------------------------------------------------------------

    def show_item(self, ctx: ItemContext, refresh_text: bool = False) -> None:
        """Show ``ctx``; text the user is typing in a field of the same item is left alone
        unless ``refresh_text`` (undo/redo changed it in the database)."""
        self.flush()
        self._loading = True
        try:
            self._show(ctx, refresh_text)
        finally:
            self._loading = False

    def _show(self, ctx: ItemContext, refresh_text: bool) -> None:
        previous = self.context
        self.context = ctx
        item, answer = ctx.item, ctx.answer
        self.breadcrumb.setText(" › ".join((ctx.checklist.label, *ctx.section_path)) + f"　〔{kind_of(item).label}〕")
        self.text.setText(item.text)
        self.source.setText(
            f"出处：{ctx.checklist.source_document} {item.source}" + (f"　{ctx.number}" if ctx.number else "")
        )
        self.source.setToolTip(f"报告中记为：{ctx.reference}" if ctx.reference else "")
        self.note.setText(f"编者注：{item.note}" if item.note else "")
        self.note.setVisible(bool(item.note))
        guidance = "\n\n".join(g for g in (ctx.section_guidance, item.guidance) if g)
        self.guidance.setText(guidance)
        self.guidance_toggle.setVisible(bool(guidance))
        self.guidance.setVisible(bool(guidance) and self.guidance_toggle.isChecked())
        applicable_by_profile = ctx.outcome.state != NA_PROFILE
        self.na_banner.setText(f"本条目不适用于本院：{ctx.outcome.reason}" if not applicable_by_profile else "")
        self.na_banner.setVisible(not applicable_by_profile)

        same_item = previous is not None and previous.item.id == item.id
        editor = self.editor
        if not same_item or editor is None:
            editor = self._replace_editor(ctx)
        editor.show_state(answer, ctx.samples, ctx.outcome, ctx.previous_value)
        editor.setEnabled(applicable_by_profile)

        is_na = answer is not None and answer.grade == NOT_APPLICABLE
        for name in TEXT_FIELDS:
            field: TextField = getattr(self, name)
            value = getattr(answer, name) if answer else ""
            if field.toPlainText() != value and (refresh_text or not (same_item and field.hasFocus())):
                field.setPlainText(value)
        self.na_reason.setVisible(is_na or self.na_reason.hasFocus())
        self.na_reason_label.setVisible(self.na_reason.isVisible())
        if not same_item:
            self.na_reason_error.clear()
            self.general_error.clear()
            self.attachment_error.clear()
        self.department.clear()
        self.department.addItem(f"（{NO_DEPARTMENT}）", "")
        for name in ctx.departments:
            self.department.addItem(name, name)
        current = answer.department if answer else ""
        if current and self.department.findData(current) < 0:
            self.department.addItem(current, current)
        self.department.setCurrentIndex(max(0, self.department.findData(current)))
        for widget in (self.finding, self.evidence, self.department, *self.attachment_buttons):
            widget.setEnabled(applicable_by_profile)
        self._set_tab_order()
        self.attachments.clear()
        for a in ctx.attachments:
            entry = QListWidgetItem(f"{a.filename}（{size_text(a.size)}）")
            entry.setData(Qt.ItemDataRole.UserRole, a)
            entry.setToolTip(added_text(a.added_at, a.author))
            self.attachments.addItem(entry)
        for button in self.attachment_buttons[1:]:  # 打开, 删除: of an empty list only an error (review)
            button.setEnabled(applicable_by_profile and bool(ctx.attachments))

    def _set_tab_order(self) -> None:
        """Tab walks the item as it reads: related items, 基本要求, the inputs of its kind (made
        anew for each item, so otherwise last), then the reason, finding, evidence and the rest."""
        tab = Qt.FocusPolicy.TabFocus.value
        children = self.editor.findChildren(QWidget) if self.editor is not None else []
        inputs = [w for w in children if w.focusPolicy().value & tab]
        chain = [
            *self.related_buttons,
            self.guidance_toggle,
            *inputs,
            self.na_reason,
            self.finding,
            self.evidence,
            self.department,
            self.rectification_button,
            self.history_button,
            *self.attachment_buttons,
            self.attachments,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _replace_editor(self, ctx: ItemContext) -> Editor:
        if self.editor is not None:
            self.editor_holder.removeWidget(self.editor)
            _discard(self.editor)
        item = ctx.item
        editor = editor_for(item, ctx.checklist.scale, ctx.year)
        editor.edited.connect(lambda f: self.answer_edited.emit(item.id, f))
        editor.not_applicable_requested.connect(self.request_not_applicable)
        editor.refused.connect(lambda message: self.input_refused.emit(item.id, message))
        editor.samples_edited.connect(lambda records: self.samples_edited.emit(item.id, records))
        self.editor = editor
        editor.fit_width(self._room())  # before it is shown: never wider than the panel
        self.editor_holder.addWidget(editor)
        editor.show()  # the layout would only show it on the next event loop pass
        return editor

    # --- input ----------------------------------------------------------------------------

    def request_not_applicable(self) -> None:
        """不适用 needs a reason: show the field; it is saved with the grade once filled."""
        self.na_reason.show()
        self.na_reason_label.show()
        self.na_reason.setFocus()
        if self.na_reason.toPlainText().strip():
            self._pending["na_reason"] = self.na_reason.toPlainText()
            self.flush()
        else:
            self.na_reason_error.setText("请填写不适用的原因，填写后自动保存。")

    def _saved_not_applicable(self) -> bool:
        answer = self.context.answer if self.context is not None else None
        return answer is not None and answer.grade == NOT_APPLICABLE

    def _reason_confirmed(self) -> None:
        self.flush()
        self.not_applicable_done.emit()

    def focus_finding(self) -> None:
        """The keyboard to 问题描述: after a failing grade its problem is written next."""
        self.finding.setFocus()

    def _reason_left(self) -> None:
        """Esc: a 不适用 not yet saved (no reason given) is not chosen after all."""
        if not self._saved_not_applicable() and not self.na_reason.toPlainText().strip():
            self._pending.pop("na_reason", None)
            self.na_reason_error.clear()
            self.na_reason.hide()
            self.na_reason_label.hide()
            if self.editor is not None and self.context is not None:  # 不适用 no longer shown chosen
                ctx = self.context
                self.editor.show_state(ctx.answer, ctx.samples, ctx.outcome, ctx.previous_value)
        self.back_to_items.emit()

    def _grade_instead(self, key: str) -> None:
        self._reason_left()
        self.grade_typed.emit(key)

    def _text_changed(self, name: str) -> None:
        if self._loading or self.context is None:
            return
        self._pending[name] = getattr(self, name).toPlainText()
        self._timer.start()

    def flush(self) -> None:
        """Save pending input now (on a timer, focus-out, item change, tab change and close)."""
        self._timer.stop()
        if isinstance(self.editor, IndicatorEditor) and self.editor.isEnabled():
            self.editor.commit()  # typed but not yet confirmed with Enter or Tab
        if not self._pending or self.context is None:
            return
        fields: dict = dict(self._pending)
        self._pending.clear()
        if "na_reason" in fields:
            reason = fields["na_reason"].strip()
            answer = self.context.answer
            is_na = answer is not None and answer.grade == NOT_APPLICABLE
            if not reason and not is_na:
                fields.pop("na_reason")  # nothing to save yet
            elif reason:
                fields["grade"] = NOT_APPLICABLE
                self.na_reason_error.clear()
            else:
                self.na_reason_error.setText("选择“不适用”时须填写原因；清空原因前请先选择其他等级。")
                fields.pop("na_reason")
        if fields:
            self.answer_edited.emit(self.context.item.id, fields)

    def _department_changed(self) -> None:
        if self._loading or self.context is None:
            return
        self.answer_edited.emit(self.context.item.id, {"department": self.department.currentData() or ""})

    def _selected_attachment(self, signal) -> None:
        entry = self.attachments.currentItem()
        if entry is None:
            self.attachment_error.setText("请先在列表中选择一个附件。")
            return
        signal.emit(entry.data(Qt.ItemDataRole.UserRole))

    def show_related(self, related: list[tuple[str, str, str]]) -> None:
        """同一要求也见于: (item id, label, status) of the round's items sharing this item's topic."""
        for button in self.related_buttons:
            self.related_grid.removeWidget(button)
            _discard(button)
        self.related_buttons = []
        for item_id, label, status in related:
            button = QPushButton(f"{label}（{status}）")
            button.setToolTip("转到该条目；同一要求的条目共用一个整改项")
            button.clicked.connect(lambda _=False, i=item_id: self.related_requested.emit(i))
            self.related_buttons.append(button)
        self._related_columns = 0
        self._place_related()
        self.related.setVisible(bool(related))
        self._set_tab_order()  # the new buttons come first

    def _room(self) -> int:
        """The width the panel's contents have without scrolling sideways (a vertical scroll bar
        counted in, whether shown or not)."""
        margins = self._body_layout.contentsMargins()
        return (
            self.width()
            - 2 * self.frameWidth()
            - self.verticalScrollBar().sizeHint().width()
            - margins.left()
            - margins.right()
        )

    def _place_related(self) -> None:
        """The related items' buttons, up to RELATED_COLUMNS to a row, as many as the panel's width
        holds: three long ones side by side made the panel wider than its pane (1024 px, or
        1920×1080 at 150%) and cut off its right-hand side, text fields included."""
        if not self.related_buttons:
            return
        spacing = max(self.related_grid.horizontalSpacing(), 0)
        columns = columns_that_fit(self.related_buttons, self._room(), spacing, RELATED_COLUMNS)
        if columns == self._related_columns:
            return
        self._related_columns = columns
        place_in_columns(self.related_grid, self.related_buttons, columns, first_row=1)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_related()
        if self.editor is not None:
            self.editor.fit_width(self._room())

    def show_rectification(
        self, status: str | None, offer: bool, follow_up: str = "", elsewhere: str = "", to_fill: str = ""
    ) -> None:
        """整改: the item's rectification status (with ``follow_up``: a carried-over one's result
        in this round, as the 整改台账 says it; with ``elsewhere``: the later 复查轮次 that follows
        it up, ``《…》``; with ``to_fill``: what is still to be filled in on the board), or the
        offer to open one (C grade)."""
        if status and elsewhere:
            self.rectification_label.setText(f"整改项：{status}（在{elsewhere}中继续整改和复查，本轮中只能查看）")
            self.rectification_label.setStyleSheet("color: #3d4f6b;")
        elif status and follow_up:
            self.rectification_label.setText(f"整改项：{status}（{follow_up}；在“整改台账”中记录复查）")
            self.rectification_label.setStyleSheet("color: #b00020;" if status == "逾期" else "color: #333;")
        elif status:
            # the board's fields still empty, not all four always (they read as never filled: review)
            where = f"在“整改台账”中填写{to_fill}" if to_fill else "原因、措施、责任人和期限已填写，见“整改台账”"
            self.rectification_label.setText(f"整改项：{status}（{where}）")
            self.rectification_label.setStyleSheet("color: #b00020;" if status == "逾期" else "color: #333;")
        else:
            self.rectification_label.setText("可为本条目生成整改项。" if offer else "")
        self.rectification_button.setVisible(offer and not status)

    def unsaved_input(self) -> str:
        """Why input typed for the shown item is not saved ('' when all is): said in the status
        bar when the user moves on, as the panel's own message goes with the item."""
        shown = (self.general_error.text(), self.na_reason_error.text())
        return next((m for m in shown if m), self.editor.shown_error() if self.editor is not None else "")

    def show_error(self, field: str, message: str) -> None:
        """An input error next to the field it concerns."""
        if self.editor is not None and self.editor.shows_error_of(field):
            self.editor.show_error(message)
        elif field == "na_reason":
            self.na_reason_error.setText(message)
        elif field == "attachment":
            self.attachment_error.setText(message)
        else:
            self.general_error.setText(message)

    def _toggle_guidance(self, on: bool) -> None:
        self.guidance_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.guidance.setVisible(on and bool(self.guidance.text()))

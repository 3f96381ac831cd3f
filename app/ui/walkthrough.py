"""逐条自查: the tree on the left, the current item on the right, filters and progress on top.

Every edit goes through the services at once (one transaction) and onto an undo stack; the
widgets hold nothing that is not already in the database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ..domain.checklist import JUDGEMENT, NOT_APPLICABLE, Checklist, Section
from ..domain.evaluation import UNANSWERED
from ..domain.records import Answer, SampleRecord
from ..domain.scoring import RoundScore, completion_percent
from ..errors import AppError, InputError
from ..services import answers as answer_service
from ..services import attachments as attachment_service
from ..services import rectifications as rect_service
from ..services import rounds as round_service
from ..store import Actor, Store
from . import dialogs
from .item_editors import JudgementEditor
from .item_panel import ItemContext, ItemPanel
from .item_tree import ALL, FILTER_LABELS, ItemFilter, ItemTree, short_number
from .qt import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QProgressBar,
    QShortcut,
    QSplitter,
    Qt,
    QTimer,
    QUndoCommand,
    QUndoStack,
    QVBoxLayout,
    QWidget,
    Signal,
)

POSITION_KEY = "ui.position"
#: How long to wait before trying again to save what the database refused (busy, disk full);
#: a try waits only briefly for a lock, so that the window is not held up
RETRY_MS = 5000
#: the key under which sampled records wait in ``unsaved``, beside an answer's fields
SAMPLES = "samples"


class SavedChange(QUndoCommand):
    """One change already saved through ``write(item_id, value, record=False)``; undo writes
    the value from before back, through the same service and its validation."""

    def __init__(self, label: str, write: Callable[..., bool], item_id: str, before: Any, after: Any) -> None:
        super().__init__(f"{label} {item_id}")
        self.write, self.item_id, self.before, self.after = write, item_id, before, after
        self._applied = True  # the change was saved before it was pushed

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.write(self.item_id, self.after, record=False)

    def undo(self) -> None:
        self.write(self.item_id, self.before, record=False)

    # Choosing a 责任科室 with the arrow keys saves each department passed over; one undo takes
    # back the whole choice.
    _DEPARTMENT_CHOICE = 1

    def id(self) -> int:
        return self._DEPARTMENT_CHOICE if isinstance(self.after, dict) and set(self.after) == {"department"} else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SavedChange) or other.item_id != self.item_id:
            return False
        self.after = other.after
        return True


class WalkthroughPage(QWidget):
    saved = Signal(str)
    progress_changed = Signal(object)
    rectifications_changed = Signal()
    not_saved = Signal(str)  # why input left on another item was refused

    def __init__(self, store: Store, actor: Actor, round_id: str) -> None:
        super().__init__()
        self.store, self.actor = store, actor
        self.view = round_service.load_round(store, round_id)
        self.undo_stack = QUndoStack(self)
        # what the user entered that the database could not take (busy, full disk): kept, shown
        # on its item, and saved by a retry, so that a fault loses nothing typed
        self.unsaved: dict[str, dict] = {}
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.retry_unsaved)
        self._position: dict = {}
        self.items = {i.id: i for i in self.view.items()}
        self.checklist_of = {i.id: c for c in self.view.checklists for i in c.all_items()}
        self.section_path: dict[str, tuple[tuple[str, ...], str]] = {}
        for checklist in self.view.checklists:
            self._index_sections(checklist, checklist.sections, ())
        self.previous_values = round_service.previous_values(store, self.view)

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(160)
        self.filter_mode = QComboBox()
        self.filter_mode.setAccessibleName("筛选")
        for mode, label in FILTER_LABELS.items():
            self.filter_mode.addItem(label, mode)
        self.filter_department = QComboBox()
        self.filter_department.setAccessibleName("按责任科室筛选")
        self.filter_department.addItem("全部科室", "")
        for name in self.view.profile.departments:
            self.filter_department.addItem(name, name)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索条目（Ctrl+F）")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("搜索条目")
        self.shown_count = QLabel()
        self.tree = ItemTree()
        self.tree.set_items(self.items)
        self.panel = ItemPanel()

        bar = QHBoxLayout()
        title = QLabel(f"{self.view.name}（{self.view.year}年）")
        title.setTextFormat(Qt.TextFormat.PlainText)  # a round's name is typed by users
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        bar.addWidget(title)
        bar.addWidget(self.progress)
        bar.addWidget(self.header, 1)
        filters = QHBoxLayout()
        filter_label = QLabel("筛选(&L)：")
        filter_label.setBuddy(self.filter_mode)
        filters.addWidget(filter_label)
        filters.addWidget(self.filter_mode)
        filters.addWidget(self.filter_department)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.shown_count)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.tree)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([540, 800])
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.tree.currentItemChanged.connect(lambda *_: self._current_changed())
        self.filter_mode.currentIndexChanged.connect(lambda _: self.refilter())
        self.filter_department.currentIndexChanged.connect(lambda _: self.refilter())
        self.search.textChanged.connect(lambda _: self.refilter())
        self.panel.answer_edited.connect(lambda item_id, fields: self.write_answer(item_id, fields))
        self.panel.samples_edited.connect(lambda item_id, records: self.write_samples(item_id, records))
        self.panel.attachment_add.connect(self.add_attachments)
        self.panel.attachment_open.connect(self.open_attachment)
        self.panel.attachment_remove.connect(self.remove_attachment)
        self.panel.history_requested.connect(self.show_history)
        self.panel.rectification_requested.connect(self.open_rectification)
        self.panel.related_requested.connect(self.open_related)
        self.panel.input_refused.connect(lambda item_id, message: self._refused(item_id, "", message))
        self._install_shortcuts()

        self.tree.populate(self.view)
        self.reload()
        position = store.setting(POSITION_KEY) or {}
        self._position = position  # written again only when the user moves
        start = position.get("item_id") if position.get("round_id") == round_id else None
        self.tree.select(start if start in self.items else self.next_unanswered(None) or next(iter(self.items)))
        self.tree.setFocus()

    def _index_sections(
        self, checklist: Checklist, sections: tuple[Section, ...], path: tuple[str, ...], guidance: str = ""
    ) -> None:
        for section in sections:
            sub_path = (*path, section.title)
            sub_guidance = section.guidance or guidance
            for item in section.items:
                self.section_path[item.id] = (sub_path, sub_guidance)
            self._index_sections(checklist, section.sections, sub_path, sub_guidance)

    def _install_shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        # on for judgement items only (show_item): digits typed into a sampling grid are 病案号
        self._grade_shortcuts = []
        for key in "0123456789":
            shortcut = QShortcut(QKeySequence(key), self, lambda k=key: self.grade_by_key(k))
            shortcut.setContext(context)
            self._grade_shortcuts.append(shortcut)
        # Ctrl+Y is redo everywhere in China's office software; the platform may bind it already
        redo_keys = {k.toString(): k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)}
        redo_keys.setdefault("Ctrl+Y", QKeySequence("Ctrl+Y"))
        bindings: list[tuple[Sequence[str | QKeySequence], Callable[[], object]]] = [
            (["Ctrl+F"], self.focus_search),
            (["F3"], self.go_next_unanswered),
            (["Ctrl+Down"], lambda: self.go_relative(1)),
            (["Ctrl+Up"], lambda: self.go_relative(-1)),
            (QKeySequence.keyBindings(QKeySequence.StandardKey.Undo), self.undo_stack.undo),
            (list(redo_keys.values()), self.undo_stack.redo),
        ]
        for keys, slot in bindings:
            shortcut = QShortcut(self)
            shortcut.setKeys([QKeySequence(k) for k in keys])
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # --- state ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read answers and outcomes back from the database and refresh what shows them."""
        self.answers = round_service.answers_by_item(self.store, self.view.id)
        self.samples = round_service.samples_by_item(self.store, self.view.id)
        self.result: RoundScore = round_service.score(self.store, self.view.id, self.view)
        for item_id, outcome in self.result.outcomes.items():
            self.tree.set_outcome(item_id, outcome)
        self.tree.update_counts(self.result.outcomes)
        self._update_filter_counts()
        # the filter follows the edit (an item graded under 未填 leaves the list), but the item
        # being edited stays until the user moves on
        self._apply_filter(keep=self.tree.current_item_id())
        self._update_header()

    def _update_header(self) -> None:
        tally = self.result.tally
        self.progress.setValue(completion_percent(tally.completion))
        self.progress.setFormat("完成 %p%")
        self.progress.setToolTip(f"已填 {tally.answered} 条，适用 {tally.applicable} 条")
        parts = []
        for c in self.result.checklists:
            score = "—" if c.tally.score is None else f"{c.tally.score:.1f}"
            parts.append(f"{c.checklist.label} {completion_percent(c.tally.completion)}%·得分率{score}")
        score = "—" if tally.score is None else f"{tally.score:.1f}"
        self.header.setText(
            f"{tally.answered}/{tally.applicable}　得分率 {score}　不符合 {tally.failing}　｜　" + "　".join(parts)
        )
        self.progress_changed.emit(self.result)

    def _update_filter_counts(self) -> None:
        counts = {
            mode: sum(
                1
                for i in self.items.values()
                if ItemFilter(mode).matches(i, self.result.outcomes[i.id], self.answers.get(i.id))
            )
            for mode in FILTER_LABELS
        }
        for index in range(self.filter_mode.count()):
            mode = self.filter_mode.itemData(index)
            self.filter_mode.setItemText(index, f"{FILTER_LABELS[mode]}（{counts[mode]}）")

    def current_filter(self) -> ItemFilter:
        return ItemFilter(
            self.filter_mode.currentData() or ALL,
            self.filter_department.currentData() or "",
            self.search.text().strip(),
        )

    def _apply_filter(self, keep: str | None = None) -> None:
        shown = self.tree.apply_filter(self.current_filter(), self.result.outcomes, self.answers, keep=keep)
        self.shown_count.setText(f"显示 {shown} 条")

    def refilter(self) -> None:
        """The user changed the filter: show what matches, and an item that is shown."""
        self._apply_filter()
        current = self.tree.current_item_id()
        if current is None or self.tree.nodes[current].isHidden():
            first = next(self.tree.visible_item_ids(), None)
            if first:
                self.tree.select(first)
            else:  # nothing matches: no item is current, and none can be graded by mistake
                # PySide6's stub omits None, which Qt takes (and documents) as "no current item"
                self.tree.setCurrentItem(None)  # type: ignore[call-overload]

    def _current_changed(self) -> None:
        focus = QApplication.focusWidget()
        typing_in_panel = focus is not None and self.panel.isAncestorOf(focus)
        self.panel.flush()
        item_id = self.tree.current_item_id()
        self.panel.setEnabled(item_id is not None)
        if item_id is None:
            return
        # on another item the keyboard starts from the tree: digits grade it, and nothing typed
        # for the last item (a 不适用 reason, a value) goes into this one; the editor that had
        # focus is about to be replaced
        if typing_in_panel:
            self.tree.setFocus()
        self.show_item(item_id)
        position = {"round_id": self.view.id, "item_id": item_id}
        if position != self._position:
            self._position = position
            # where the user was is a convenience; a locked database is reported on the next edit
            with contextlib.suppress(AppError):
                self.store.set_setting(POSITION_KEY, position)

    def show_current(self) -> None:
        """Show the tree's current item again (after a reload); nothing when a heading is current."""
        item_id = self.tree.current_item_id()
        if item_id is not None:
            self.show_item(item_id)

    def show_item(self, item_id: str, refresh_text: bool = False) -> None:
        """``refresh_text``: also replace text the user is typing (undo/redo changed it)."""
        path, guidance = self.section_path[item_id]
        for shortcut in self._grade_shortcuts:
            shortcut.setEnabled(self.items[item_id].kind == JUDGEMENT)
        self.panel.show_item(
            ItemContext(
                checklist=self.checklist_of[item_id],
                item=self.items[item_id],
                section_path=path,
                section_guidance=guidance,
                year=self.view.year,
                answer=self._answer_shown(item_id),
                samples=self._samples_shown(item_id),
                outcome=self.result.outcomes[item_id],
                attachments=attachment_service.list_attachments(self.store, self.view.id, item_id),
                departments=self.view.profile.departments,
                previous_value=self.previous_values.get(item_id),
            ),
            refresh_text=refresh_text,
        )
        self._show_rectification(item_id)
        item = self.items[item_id]
        self.panel.show_related(
            [
                (
                    other.id,
                    f"{self.checklist_of[other.id].label} {short_number(other.id)}",
                    self.result.outcomes[other.id].label,
                )
                for other in self.items.values()
                if item.topic and other.topic == item.topic and other.id != item_id
            ]
        )

    def _answer_shown(self, item_id: str) -> Answer | None:
        """The saved answer, with what is waiting to be saved over it: the user sees what they entered."""
        answer = self.answers.get(item_id)
        unsaved = {k: v for k, v in self.unsaved.get(item_id, {}).items() if k != SAMPLES}
        return replace(answer or Answer(item_id), **unsaved) if unsaved else answer

    def _samples_shown(self, item_id: str) -> list[SampleRecord]:
        waiting = self.unsaved.get(item_id, {}).get(SAMPLES)
        if waiting is None:
            return self.samples.get(item_id, [])
        return [SampleRecord(item_id, s.record_no, s.compliant, s.note, n) for n, s in enumerate(waiting)]

    def _show_rectification(self, item_id: str) -> None:
        entry = rect_service.rectification_for_item(self.store, self.view, item_id, dt.date.today())
        self.panel.show_rectification(
            entry.status if entry else None, self.result.outcomes[item_id].offers_rectification
        )

    def open_rectification(self, item_id: str) -> None:
        try:
            rect_service.open_rectification(self.store, self.view.id, item_id, self.actor)
        except AppError as err:
            self.panel.show_error("rectification", str(err))
            return
        self._after_write(item_id)
        self.rectifications_changed.emit()

    # --- writing ----------------------------------------------------------------------------

    def _answer_fields(self, item_id: str, keys) -> dict:
        answer = self.answers.get(item_id)
        defaults = {"grade": None, "value": None, "numerator": None, "denominator": None, "baseline": None}
        return {k: (getattr(answer, k) if answer else defaults.get(k, "")) for k in keys}

    def write_answer(self, item_id: str, fields: dict, record: bool = True) -> bool:
        """Save ``fields`` of an item's answer; on bad input show why next to the field."""
        keys = set(fields) | ({"na_reason"} if "grade" in fields else set())
        before = self._answer_fields(item_id, keys)
        try:
            answer_service.record_answer(self.store, self.view.id, item_id, self.actor, view=self.view, **fields)
        except InputError as err:
            self._refused(item_id, err.field, str(err))
            return False
        except AppError as err:
            self._keep_unsaved(item_id, fields, err, record)
            return False
        self._saved_over_unsaved(item_id, fields)
        self.reload()
        after = self._answer_fields(item_id, keys)
        if record and after != before:
            self.undo_stack.push(SavedChange("修改", self.write_answer, item_id, before, after))
        self._after_write(item_id, select=not record)
        if record and self.items[item_id].kind == JUDGEMENT and fields.get("grade") not in (None, NOT_APPLICABLE):
            self.go_next_unanswered()
        return True

    def write_samples(self, item_id: str, records: list, record: bool = True) -> bool:
        before = [answer_service.SampleInput(s.record_no, s.compliant, s.note) for s in self.samples.get(item_id, [])]
        try:
            answer_service.set_samples(self.store, self.view.id, item_id, records, self.actor, view=self.view)
        except InputError as err:
            self._refused(item_id, "samples", str(err))
            return False
        except AppError as err:
            self._keep_unsaved(item_id, {SAMPLES: list(records)}, err, record)
            return False
        self._saved_over_unsaved(item_id, {SAMPLES: records})
        self.reload()
        if record and before != list(records):
            self.undo_stack.push(SavedChange("修改抽查记录", self.write_samples, item_id, before, list(records)))
        self._after_write(item_id, select=not record)
        return True

    def _keep_unsaved(self, item_id: str, fields: dict, err: AppError, record: bool) -> None:
        """The database refused an edit (busy, disk full): keep it to show and to save later."""
        if not record:  # undo/redo: the user sees it did not happen and can try again
            dialogs.error(self, str(err))
            return
        first = not self.unsaved
        self.unsaved.setdefault(item_id, {}).update(fields)
        self._retry.start()
        self.not_saved.emit(f"{err} 输入已保留，将自动重试保存。")
        if first:
            dialogs.error(self, f"{err}\n\n您输入的内容已保留在条目中，程序会自动重试保存。")

    def _saved_over_unsaved(self, item_id: str, fields: dict) -> None:
        """What was just saved is newer than what waits for a retry: that must not overwrite it."""
        waiting = self.unsaved.get(item_id)
        if waiting is not None:
            for key in fields:
                waiting.pop(key, None)
            if not waiting:
                del self.unsaved[item_id]

    def _refused(self, item_id: str, field: str, message: str) -> None:
        """Say why input was not saved: next to the field, or, when the input was left behind
        by moving to another item, in the status bar, so that it is not lost without a word."""
        if self.tree.current_item_id() == item_id and self.panel.context and self.panel.context.item.id == item_id:
            if field:  # (without one, the editor shows it already)
                self.panel.show_error(field, message)
        else:
            self.not_saved.emit(f"条目 {short_number(item_id)} 的输入未保存：{message}")

    def _after_write(self, item_id: str, select: bool = False) -> None:
        """Show what was saved. Undo/redo (``select``) goes to the item it changed; a save made
        while the user moves on (pending text flushed on leaving an item) must not pull them back."""
        if self.tree.current_item_id() == item_id:
            self.show_item(item_id, refresh_text=select)
        elif select:
            self.go_to(item_id)
        self.saved.emit(dt.datetime.now().strftime("%H:%M:%S"))

    # --- keyboard -----------------------------------------------------------------------------

    def grade_by_key(self, key: str) -> None:
        item_id = self.tree.current_item_id()
        if item_id is None or self.items[item_id].kind != JUDGEMENT:
            return
        editor = self.panel.editor
        if not isinstance(editor, JudgementEditor):  # the one editor graded by keys
            return
        code = editor.shortcut_keys().get(key)
        if code is not None and editor.isEnabled():
            editor.choose(code)

    def next_unanswered(self, after: str | None) -> str | None:
        ids = list(self.tree.visible_item_ids())
        start = ids.index(after) + 1 if after in ids else 0
        for item_id in ids[start:] + ids[:start]:
            if self.result.outcomes[item_id].state == UNANSWERED and item_id != after:
                return item_id
        return None

    def go_next_unanswered(self) -> None:
        target = self.next_unanswered(self.tree.current_item_id())
        if target:
            self.tree.select(target)

    def go_relative(self, step: int) -> None:
        ids = list(self.tree.visible_item_ids())
        current = self.tree.current_item_id()
        if not ids:
            return
        index = ids.index(current) + step if current in ids else 0
        self.tree.select(ids[max(0, min(len(ids) - 1, index))])

    def go_to(self, item_id: str) -> None:
        """Show an item even if the current filter hides it."""
        if self.tree.nodes[item_id].isHidden():
            self.filter_mode.setCurrentIndex(0)
            self.filter_department.setCurrentIndex(0)
            self.search.clear()
        self.tree.select(item_id)

    def open_related(self, item_id: str) -> None:
        """Go to an item that asks the same thing. The button clicked is rebuilt with the new
        item's buttons, so focus goes back to the tree, where the grading keys act."""
        self.go_to(item_id)
        self.tree.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- attachments --------------------------------------------------------------------------

    def add_attachments(self, item_id: str) -> None:
        from .evidence import read_files  # files are read in a worker thread

        paths = dialogs.open_files(self, "添加佐证材料", attachment_service.FILE_FILTER)
        refused = []  # every file that could not be added is named, not only the last
        for read in read_files(self, paths):
            try:
                if isinstance(read, AppError):
                    raise read
                attachment_service.store_attachment(self.store, self.view.id, read, self.actor, item_id=item_id)
            except InputError as err:
                refused.append(str(err))
            except AppError as err:
                dialogs.error(self, str(err))
        if refused:
            self.panel.show_error("attachment", "\n".join(refused))
        self.show_item(item_id)
        if paths:
            self.saved.emit(dt.datetime.now().strftime("%H:%M:%S"))

    def open_attachment(self, attachment) -> None:
        from .evidence import open_attachment

        try:
            open_attachment(self.store, attachment)
        except (AppError, OSError) as err:
            self.panel.show_error("attachment", f"无法打开附件：{err}")

    def show_history(self, item_id: str) -> None:
        from .history_dialog import HistoryDialog

        self.flush()  # what was just typed is a change too
        item = self.items.get(item_id)
        HistoryDialog(self.store, self.view.id, item_id, f"{item_id} {item.text}" if item else item_id, self).exec()

    def remove_attachment(self, attachment) -> None:
        if not dialogs.confirm(self, f"删除附件“{attachment.filename}”？"):
            return
        try:
            attachment_service.remove_attachment(self.store, attachment.id, self.actor)
        except AppError as err:
            self.panel.show_error("attachment", str(err))
            return
        self.show_current()

    def retry_unsaved(self) -> bool:
        """Save what the database refused before; True when nothing is left unsaved."""
        saved = []
        for item_id, fields in list(self.unsaved.items()):
            answer_fields = {k: v for k, v in fields.items() if k != SAMPLES}
            try:
                with self.store.brief_wait(), self.store.transaction():  # all of an item's input, or none
                    if answer_fields:
                        answer_service.record_answer(
                            self.store, self.view.id, item_id, self.actor, view=self.view, **answer_fields
                        )
                    if SAMPLES in fields:
                        answer_service.set_samples(
                            self.store, self.view.id, item_id, fields[SAMPLES], self.actor, view=self.view
                        )
            except InputError as err:
                self._refused(item_id, err.field, str(err))
            except AppError as err:
                self.not_saved.emit(f"{err} 输入已保留，将自动重试保存。")
                self._retry.start()
                return False
            del self.unsaved[item_id]
            saved.append(item_id)
        if saved:
            self.reload()
            current = self.tree.current_item_id()
            if current is not None and current in saved:
                self.show_item(current)
            self.saved.emit(dt.datetime.now().strftime("%H:%M:%S"))
        return not self.unsaved

    def flush(self) -> bool:
        """Save pending input now; True when nothing is left unsaved."""
        self.panel.flush()
        return self.retry_unsaved() if self.unsaved else True

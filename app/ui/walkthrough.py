"""逐条自查: the tree on the left, the current item on the right, filters and progress on top.

Every edit goes through the round's session at once (one transaction, onto its undo stack);
the widgets hold nothing that is not already in the database, and redraw what the session says
changed — whichever screen changed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from ..domain.checklist import NOT_APPLICABLE, Checklist, Section, item_number, numbered_in_order
from ..domain.formats import percent_text, rate_text, regrade_sentence
from ..domain.kinds import kind_of
from ..domain.records import Rectification
from ..domain.scoring import RoundScore, completion_percent
from ..errors import AppError, InputError
from ..services import attachments as attachment_service
from ..services.item_filter import ALL, FILTER_LABELS, ItemFilter
from ..services.session import Changes, RoundSession, SaveDeferred
from . import dialogs
from .item_editors import JudgementEditor
from .item_panel import ItemContext, ItemPanel
from .item_tree import ItemTree
from .qt import (
    QApplication,
    QComboBox,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QProgressBar,
    QShortcut,
    QSplitter,
    Qt,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .shortcuts import redo_keys, undo_keys

#: How long to wait before trying again to save what the database refused (busy, disk full);
#: a try waits only briefly for a lock, so that the window is not held up
RETRY_MS = 5000
#: the widest the round's name may be in the title bar (pixels), beside its figures
TITLE_WIDTH = 420
#: U+2060: no line break on either side of it
WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"
#: the search box has room for this many characters, or goes on a line of its own
SEARCH_CHARS = 8


class WalkthroughPage(QWidget):
    saved = Signal(str)
    progress_changed = Signal(object)
    not_saved = Signal(str)  # why input left on another item was refused

    def __init__(self, session: RoundSession) -> None:
        super().__init__()
        self.session = session
        self.view = session.view
        # what the database could not take (busy, full disk) waits in the session; a timer retries
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_MS)
        self._retry.timeout.connect(self.retry_unsaved)
        self._position: str | None = None
        self.items = session.items
        self.checklist_of = session.checklist_of
        self.section_path: dict[str, tuple[tuple[str, ...], str]] = {}
        self.number: dict[str, str] = {}  # 本节第n条, or 编号 1.1.2c (domain.checklist.numbered_in_order)
        for checklist in self.view.checklists:
            self._index_sections(checklist, checklist.sections, ())

        self.tree = ItemTree()
        self.panel = ItemPanel()
        self._build_filters()
        layout = QVBoxLayout(self)
        layout.addLayout(self._title_bar())
        layout.addWidget(self._splitter(), 1)
        self._connect_signals()
        self._install_shortcuts()

        self.tree.populate(self.view)
        self.redraw()
        session.subscribe(self._changed)
        start = self._position = session.saved_position()  # written again only when the user moves
        self.tree.select(start if start in self.items else self.next_unanswered(None) or next(iter(self.items)))
        self.tree.setFocus()

    def _build_filters(self) -> None:
        """筛选: mode, department and search above the tree, and the 范围 a bar of 概览 chose."""
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
        # 范围: the checklist or section a bar of the 概览 chose, until the user clears it
        self.scope = ""
        self.scope_label = QLabel()
        self.scope_label.setTextFormat(Qt.TextFormat.PlainText)
        self.scope_clear = QToolButton()
        self.scope_clear.setText("×")
        self.scope_clear.setToolTip("显示全部条目")
        self.scope_clear.setAccessibleName("取消范围")
        self.scope_clear.clicked.connect(lambda: self.set_scope(""))
        self.scope_label.hide()
        self.scope_clear.hide()

    def _title_bar(self) -> QHBoxLayout:
        """The round's name, its completion and the score per checklist."""
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.PlainText)  # checklist labels come from files
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFixedWidth(160)
        full = f"{self.view.name}（{self.view.year}年）"
        title = QLabel()
        title.setTextFormat(Qt.TextFormat.PlainText)  # a round's name is typed by users
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        # a long name is shortened with … (whole in the tooltip): the figures beside it stay readable
        title.setText(title.fontMetrics().elidedText(full, Qt.TextElideMode.ElideMiddle, TITLE_WIDTH))
        title.setToolTip(full)
        bar = QHBoxLayout()
        bar.addWidget(title)
        bar.addWidget(self.progress)
        bar.addWidget(self.header, 1)
        return bar

    def _splitter(self) -> QSplitter:
        """Filters and tree on the left, the current item on the right."""
        self._filters = filters = QHBoxLayout()
        self._filter_label = QLabel("筛选(&L)：")
        self._filter_label.setBuddy(self.filter_mode)
        for widget in (self._filter_label, self.filter_mode, self.filter_department):
            filters.addWidget(widget)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.shown_count)
        filters.addStretch(0)  # takes the room the search leaves when it is on a line of its own
        self._search_row = QHBoxLayout()  # the search, where the filters leave it too little room
        scope_row = QHBoxLayout()  # on a line of its own: the filters keep their room at 1366 px
        scope_row.addWidget(self.scope_label)
        scope_row.addWidget(self.scope_clear)
        scope_row.addStretch()
        left = self._left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addLayout(self._search_row)
        left_layout.addLayout(scope_row)
        left_layout.addWidget(self.tree)
        left.installEventFilter(self)  # resized: the search goes where it has room (_place_search)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([540, 800])
        return splitter

    def _place_search(self) -> None:
        """The search beside the filters where it has room for SEARCH_CHARS characters, else on
        a line of its own under them: in a narrow pane (1024 px at 10.5 pt, or the splitter
        dragged) it was squeezed to a box too small to show what was typed."""
        metrics = self.search.fontMetrics()
        search = metrics.horizontalAdvance("中" * SEARCH_CHARS) + 2 * metrics.averageCharWidth()
        widgets = (self._filter_label, self.filter_mode, self.filter_department, self.shown_count)
        spacing = max(self._filters.spacing(), 0)
        needed = sum(w.sizeHint().width() for w in widgets) + search + spacing * len(widgets)
        row = self._filters if self._left.width() >= needed else self._search_row
        if row.indexOf(self.search) >= 0:
            return
        for widget in (self.search, self.shown_count):
            (self._search_row if row is self._filters else self._filters).removeWidget(widget)
        at = 3 if row is self._filters else 0  # after the label and the two lists
        row.insertWidget(at, self.search, 1)
        row.insertWidget(at + 1, self.shown_count)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:  # the tree's pane (_splitter)
            self._place_search()
        return False

    def _connect_signals(self) -> None:
        self.tree.currentItemChanged.connect(lambda *_: self._current_changed())
        self.filter_mode.currentIndexChanged.connect(lambda _: self.refilter())
        self.filter_department.currentIndexChanged.connect(lambda _: self.refilter())
        self.search.textChanged.connect(lambda _: self.refilter())
        self.search.returnPressed.connect(self._search_entered)
        panel = self.panel
        panel.answer_edited.connect(lambda item_id, fields: self.write_answer(item_id, fields))
        panel.samples_edited.connect(lambda item_id, records: self.write_samples(item_id, records))
        panel.attachment_add.connect(self.add_attachments)
        panel.attachment_open.connect(self.open_attachment)
        panel.attachment_remove.connect(self.remove_attachment)
        panel.history_requested.connect(self.show_history)
        panel.rectification_requested.connect(self.open_rectification)
        panel.related_requested.connect(self.open_related)
        panel.input_refused.connect(lambda item_id, message: self._refused(item_id, "", message))
        panel.back_to_items.connect(self.tree.setFocus)
        panel.not_applicable_done.connect(self._not_applicable_done)
        panel.grade_typed.connect(self.grade_by_key)

    def _index_sections(
        self, checklist: Checklist, sections: tuple[Section, ...], path: tuple[str, ...], guidance: str = ""
    ) -> None:
        for section in sections:
            sub_path = (*path, section.title)
            sub_guidance = section.guidance or guidance
            in_order = numbered_in_order(section.items)
            for n, item in enumerate(section.items, 1):
                self.section_path[item.id] = (sub_path, sub_guidance)
                self.number[item.id] = f"本节第{n}条" if in_order else f"编号 {item_number(item)}"
            self._index_sections(checklist, section.sections, sub_path, sub_guidance)

    def _install_shortcuts(self) -> None:
        # while the page is on screen, wherever the focus is in the window: Tab from the last
        # input goes on to the tabs above the page (and the 提醒 banner has buttons), and the
        # keys must not stop working there; a hidden page's shortcuts never act
        context = Qt.ShortcutContext.WindowShortcut
        # on for judgement items only (show_item): digits typed into a sampling grid are 病案号
        self._grade_shortcuts = []
        for key in "0123456789":
            shortcut = QShortcut(QKeySequence(key), self, lambda k=key: self.grade_by_key(k))
            shortcut.setContext(context)
            self._grade_shortcuts.append(shortcut)
        bindings: list[tuple[Sequence[str | QKeySequence], Callable[[], object]]] = [
            (["Ctrl+F"], self.focus_search),
            (["F3"], self.go_next_unanswered),
            (["Ctrl+Down"], lambda: self.go_relative(1)),
            (["Ctrl+Up"], lambda: self.go_relative(-1)),
            (undo_keys(), self.undo),
            (redo_keys(), self.redo),
        ]
        for keys, slot in bindings:
            shortcut = QShortcut(self)
            shortcut.setKeys([QKeySequence(k) for k in keys])
            shortcut.setContext(context)
            shortcut.activated.connect(slot)

    # --- state ------------------------------------------------------------------------------

    @property
    def result(self) -> RoundScore:
        return self.session.score

    def redraw(self, item_ids: Sequence[str] | None = None) -> None:
        """Show the outcomes of ``item_ids`` (all when None), the counts, the filter and the header."""
        outcomes = self.result.outcomes
        for item_id in outcomes if item_ids is None else item_ids:
            self.tree.set_outcome(item_id, outcomes[item_id])
        self.tree.update_counts(outcomes)
        self._update_filter_counts()
        # the filter follows the edit (an item graded under 未填 leaves the list), but the item
        # being edited stays until the user moves on
        self._apply_filter(keep=self.tree.current_item_id())
        self._update_header()

    def _changed(self, changes: Changes) -> None:
        """The session changed something (here, on the board, by undo): redraw only that."""
        if changes.items or changes.sections:
            self.redraw(sorted(changes.items))
        for refusal in changes.refused:
            self._refused(refusal.item_id, refusal.field, refusal.message)
        current = self.tree.current_item_id()
        if changes.focus_item is not None:  # undo/redo: show the item it changed, text and all
            if current == changes.focus_item:
                self.show_item(current, refresh_text=True)
            else:
                self.go_to(changes.focus_item)
        elif current is not None and (current in changes.items or changes.rectifications):
            self.show_item(current)
        if changes.items or changes.rectifications:
            self.saved.emit(dt.datetime.now().strftime("%H:%M:%S"))

    def _update_header(self) -> None:
        tally = self.result.tally
        self.progress.setValue(completion_percent(tally.completion))
        self.progress.setFormat("完成 %p%")
        self.progress.setToolTip(f"已填 {tally.answered} 条，适用 {tally.applicable} 条")
        groups = [f"{tally.answered}/{tally.applicable}　得分率 {rate_text(tally.score)}　不符合 {tally.failing}　｜"]
        for c in self.result.checklists:  # each figure named, spaced as the first group's (review)
            done, score = percent_text(c.tally.completion), rate_text(c.tally.score)
            groups.append(f"{c.checklist.label} 完成 {done}·得分率 {score}")
        # a narrow window wraps the line between the groups, never inside one ("改进目 / 标"):
        # Unicode line breaking allows no break at a WORD JOINER, nor at a no-break space
        self.header.setText("　".join(WORD_JOINER.join(g.replace(" ", NO_BREAK_SPACE)) for g in groups))
        self.progress_changed.emit(self.result)

    def _update_filter_counts(self) -> None:
        counts = self.session.mode_counts()
        for index in range(self.filter_mode.count()):
            mode = self.filter_mode.itemData(index)
            self.filter_mode.setItemText(index, f"{FILTER_LABELS[mode]}（{counts[mode]}）")

    def current_filter(self) -> ItemFilter:
        return ItemFilter(
            self.filter_mode.currentData() or ALL,
            self.filter_department.currentData() or "",
            self.search.text().strip(),
            self.scope,
        )

    def set_scope(self, checklist_or_section_id: str) -> None:
        """Show only the items of a checklist or section ('' for all), named above the tree."""
        self.scope = checklist_or_section_id
        name = self.scope_names().get(checklist_or_section_id, "")
        self.scope_label.setText(f"范围：{name}")
        self.scope_label.setVisible(bool(checklist_or_section_id))
        self.scope_clear.setVisible(bool(checklist_or_section_id))
        self.refilter()

    def scope_names(self) -> dict[str, str]:
        """Checklist and section ids → what the user reads (核心制度 › 值班与交接班制度)."""
        names = {}
        for checklist in self.view.checklists:
            names[checklist.id] = checklist.label
            for section in checklist.all_sections():
                names[section.id] = f"{checklist.label} › {section.title}"
        return names

    def _apply_filter(self, keep: str | None = None) -> None:
        shown = self.tree.apply_filter(self.current_filter(), self.session.matches, keep=keep)
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
        left = self.panel.context.item.id if self.panel.context is not None else None
        if left is not None and (unsaved := self.panel.unsaved_input()):
            # refused while still shown (a 25,000-character paste), its message would go with
            # the item, and the typed text with it, while the status bar still said 已保存
            self.not_saved.emit(f"{self.session.references[left]} 的输入未保存：{unsaved}")
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
        if item_id != self._position:
            self._position = item_id
            self.session.remember_position(item_id)

    def show_current(self) -> None:
        """Show the tree's current item again (after a reload); nothing when a heading is current."""
        item_id = self.tree.current_item_id()
        if item_id is not None:
            self.show_item(item_id)

    def show_item(self, item_id: str, refresh_text: bool = False) -> None:
        """``refresh_text``: also replace text the user is typing (undo/redo changed it)."""
        path, guidance = self.section_path[item_id]
        for shortcut in self._grade_shortcuts:
            shortcut.setEnabled(kind_of(self.items[item_id]).graded)
        self.panel.show_item(
            ItemContext(
                checklist=self.checklist_of[item_id],
                item=self.items[item_id],
                section_path=path,
                section_guidance=guidance,
                year=self.view.year,
                answer=self.session.answer_shown(item_id),
                samples=self.session.samples_shown(item_id),
                outcome=self.result.outcomes[item_id],
                attachments=self.session.attachments(item_id),
                departments=self.view.profile.departments,
                previous_value=self.session.previous_values.get(item_id),
                reference=self.session.references[item_id],
                number=self.number[item_id],
            ),
            refresh_text=refresh_text,
        )
        self._show_rectification(item_id)
        item = self.items[item_id]
        self.panel.show_related(
            [
                (
                    other.id,
                    self.session.references[other.id],
                    self.result.outcomes[other.id].label,
                )
                for other in self.items.values()
                if item.topic and other.topic == item.topic and other.id != item_id
            ]
        )

    def _show_rectification(self, item_id: str) -> None:
        entry = self.session.rectification_for(item_id)
        self.panel.show_rectification(
            entry.status if entry else None,
            self.result.outcomes[item_id].offers_rectification,
            regrade_sentence(entry.regraded) if entry else "",
            "、".join(f"《{name}》" for name in entry.carried_to) if entry else "",
            _still_to_fill(entry.rectification) if entry else "",
        )

    def open_rectification(self, item_id: str) -> None:
        try:
            self.session.open_rectification(item_id)
        except AppError as err:
            self.panel.show_error("rectification", str(err))

    # --- writing ----------------------------------------------------------------------------

    def write_answer(self, item_id: str, fields: dict) -> bool:
        """Save ``fields`` of an item's answer; on bad input show why next to the field."""
        try:
            self.session.set_answer(item_id, fields)
        except InputError as err:
            self._refused(item_id, err.field, str(err))
            return False
        except SaveDeferred as err:
            self._deferred(err)
            return False
        if kind_of(self.items[item_id]).graded and fields.get("grade") not in (None, NOT_APPLICABLE):
            self._graded(item_id)
        return True

    def _graded(self, item_id: str) -> None:
        """On to the next unanswered item, but a failing grade whose problem is not written yet
        stays, with the keyboard in 问题描述: after 4 (D), Alt+F put the problem under the next
        item, and the D item's 整改项 read only 评价为“D 不符合” (new-user review)."""
        answer = self.session.answers.get(item_id)
        if self.session.outcomes[item_id].failing and not (answer and answer.finding.strip()):
            self.panel.focus_finding()
            return
        self.go_next_unanswered()

    def _not_applicable_done(self) -> None:
        """不适用 with its reason is an answer: on to the next item, as after a grade. Back on the
        same item, the next digit of the user's rhythm regraded it and dropped the reason."""
        self.tree.setFocus()
        self.go_next_unanswered()

    def write_samples(self, item_id: str, records: list) -> bool:
        try:
            self.session.set_samples(item_id, records)
        except InputError as err:
            self._refused(item_id, "samples", str(err))
            return False
        except SaveDeferred as err:
            self._deferred(err)
            return False
        return True

    def _deferred(self, err: SaveDeferred) -> None:
        """The database refused an edit (busy, disk full): the session keeps it, a timer retries."""
        self._retry.start()
        self.not_saved.emit(f"{err} 输入已保留，将自动重试保存。")
        if err.first:
            dialogs.error(self, f"{err}\n\n您输入的内容已保留在条目中，程序会自动重试保存。")

    def undo(self) -> None:
        self._step(self.session.undo)

    def redo(self) -> None:
        self._step(self.session.redo)

    def _step(self, operation: Callable[[], Changes]) -> None:
        """Undo or redo, after saving what was just typed (a change to undo too)."""
        self.flush()
        try:
            operation()
        except AppError as err:  # the user sees it did not happen and can try again
            dialogs.error(self, str(err))
            return
        # back in the tree, where a digit grades: undoing a mis-keyed 4 (D) from 问题描述 left the
        # keyboard there, and the grade meant next was typed in as the problem (diff review)
        focus = QApplication.focusWidget()
        if focus is not None and self.panel.isAncestorOf(focus):
            self.tree.setFocus()

    def _refused(self, item_id: str, field: str, message: str) -> None:
        """Say why input was not saved: next to the field, or, when the input was left behind
        by moving to another item, in the status bar, so that it is not lost without a word."""
        if self.tree.current_item_id() == item_id and self.panel.context and self.panel.context.item.id == item_id:
            if field:  # (without one, the editor shows it already)
                self.panel.show_error(field, message)
        else:
            self.not_saved.emit(f"{self.session.references[item_id]} 的输入未保存：{message}")

    # --- keyboard -----------------------------------------------------------------------------

    def grade_by_key(self, key: str) -> None:
        item_id = self.tree.current_item_id()
        if item_id is None or not kind_of(self.items[item_id]).graded:
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
            if self.result.outcomes[item_id].unfinished and item_id != after:
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
            self.set_scope("")
        self.tree.select(item_id)

    def open_related(self, item_id: str) -> None:
        """Go to an item that asks the same thing. The button clicked is rebuilt with the new
        item's buttons, so focus goes back to the tree, where the grading keys act."""
        self.go_to(item_id)
        self.tree.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_entered(self) -> None:
        """Enter in the search box: on to the items found, where the digits grade them (the first
        is current); with none found the text stays to be corrected."""
        if self.tree.current_item_id() is not None:
            self.tree.setFocus()

    # --- attachments --------------------------------------------------------------------------

    def add_attachments(self, item_id: str) -> None:
        from .evidence import read_files  # files are read in a worker thread

        paths = dialogs.open_files(self, "添加佐证材料", attachment_service.FILE_FILTER)
        refused = []  # every file that could not be added is named, not only the last
        for read in read_files(self, paths):
            try:
                if isinstance(read, AppError):
                    raise read
                self.session.add_attachment(read, item_id=item_id)
            except InputError as err:
                refused.append(str(err))
            except AppError as err:
                dialogs.error(self, str(err))
        if refused:
            self.panel.show_error("attachment", "\n".join(refused))
        self.show_item(item_id)

    def open_attachment(self, attachment) -> None:
        from .evidence import open_attachment

        try:
            open_attachment(self.session, attachment)
        except (AppError, OSError) as err:
            self.panel.show_error("attachment", f"无法打开附件：{err}")

    def show_history(self, item_id: str) -> None:
        from .history_dialog import HistoryDialog

        self.flush()  # what was just typed is a change too
        HistoryDialog(self.session, item_id, self.item_title(item_id), self).exec()

    def item_title(self, item_id: str) -> str:
        """An item as people name it: where it is in its checklist, and its text."""
        item = self.items.get(item_id)
        reference = self.session.references.get(item_id, item_id)
        return f"{reference}　{item.text}" if item is not None else reference

    def remove_attachment(self, attachment) -> None:
        if not dialogs.confirm(self, f"删除附件“{attachment.filename}”？"):
            return
        try:
            self.session.remove_attachment(attachment)
        except AppError as err:
            self.panel.show_error("attachment", str(err))

    def retry_unsaved(self) -> bool:
        """Save what the database refused before; True when nothing is left unsaved."""
        try:
            self.session.retry_pending()
        except AppError as err:
            self.not_saved.emit(f"{err} 输入已保留，将自动重试保存。")
            self._retry.start()
            return False
        return not self.session.pending

    def flush(self) -> bool:
        """Save pending input now; True when nothing is left unsaved."""
        self.panel.flush()
        return self.retry_unsaved() if self.session.pending else True


def _still_to_fill(rect: Rectification) -> str:
    """The 整改台账 fields of a rectification still empty, as the item panel names them: “原因和期限”."""
    fields = (("原因", rect.cause), ("措施", rect.measure), ("责任人", rect.owner), ("期限", rect.deadline))
    empty = [name for name, value in fields if not value]
    return "、".join(empty[:-1]) + ("和" if len(empty) > 1 else "") + (empty[-1] if empty else "")

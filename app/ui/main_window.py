"""The main window: the rounds list and the walkthrough, menus, progress in the status bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import APP_NAME, __version__
from ..domain.formats import percent_text, rate_text
from ..errors import AppError
from ..services.profile import get_profile
from ..services.rounds import round_choices
from ..services.session import Changes, RoundSession, forget_position, last_round
from . import dialogs
from .item_editors import plain_label
from .qt import (
    QAction,
    QDialog,
    QEvent,
    QKeySequence,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from .styles import ERROR_STYLE
from .walkthrough import WalkthroughPage

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..domain.scoring import RoundScore
    from ..store import Actor, Store
    from .overview_page import OverviewPage
    from .qt import QLayout, QTimer
    from .rectification_board import RectificationBoard
    from .rounds_page import RoundsPage

#: a change to the rectifications recounts the 提醒 banner this long after the last save
REMINDERS_REFRESH_MS = 300


def _layout(page: QWidget | None) -> QLayout:
    """The layout a tab's page was made with (the pages are built with the round's tabs)."""
    layout = page.layout() if page is not None else None
    assert layout is not None, "a tab page without its layout"
    return layout


class MainWindow(QMainWindow):
    def __init__(self, store: Store, catalog: Callable[[], Catalog], actor: Actor) -> None:
        """``catalog`` loads the checklist files on first use: reading and validating them is
        the slowest part of start-up, and opening a round needs only its frozen copy."""
        super().__init__()
        self.store, self.actor = store, actor
        self._catalog = catalog
        self.setWindowTitle(APP_NAME)
        self.resize(1280, 720)
        self.stack = QStackedWidget()
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.banner: QWidget | None = None  # 提醒, made when there is something to say
        self._banner_round: str | None = None
        self._banner_dismissed = False
        self._reminders_timer: QTimer | None = None
        column.addWidget(self.stack)
        self._column = column
        self.setCentralWidget(central)
        self._rounds: RoundsPage | None = None  # built when first shown: a restored round comes first
        self.session: RoundSession | None = None  # the open round's
        self.walkthrough: WalkthroughPage | None = None
        self._board: RectificationBoard | None = None  # built when its tab is first shown
        self._board_page: QWidget | None = None
        self._overview: OverviewPage | None = None  # the 概览 tab's page, built when first shown
        self.round_tabs: QTabWidget | None = None
        self._page_had_focus = False  # the tab page last shown had a widget to give the keyboard back
        self.last_report: Path | None = None
        self.changes_backed_up = 0  # the connection's total_changes at the last backup (备份与恢复)
        # background jobs of the backups dialog, referenced until they report
        self.backup_job: object = None
        self.check_job: object = None
        self.file_check_job: object = None  # the whole file's check after start-up
        self.saved_label = plain_label()
        self.progress_label = plain_label()  # it names the round, as the user typed it
        self.statusBar().addWidget(self.progress_label, 1)
        self.statusBar().addPermanentWidget(self.saved_label)
        self._build_menus()
        self._update_title()

    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None):
            act = QAction(self)  # QAction(text, parent) would also build QIcon's types (≈2 ms)
            act.setText(text)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("文件(&B)")  # F: 问题描述 in the item panel
        action(file_menu, "备份与恢复(&B)…", self.show_backups)
        file_menu.addSeparator()
        action(file_menu, "导入检查表文件(&I)…", self.import_checklists)
        action(file_menu, "保存检查表范例(&T)…", self.save_checklist_template)
        action(file_menu, "打开检查表文件夹(&O)", self.open_checklists_folder)
        file_menu.addSeparator()
        action(file_menu, "退出(&X)", self.close, "Ctrl+Q")
        rounds = self.menuBar().addMenu("轮次(&R)")
        action(rounds, "新建自查轮次(&N)…", self.new_round, "Ctrl+N")
        action(rounds, "返回轮次列表(&L)", self.show_rounds, "Ctrl+L")
        rounds.addSeparator()
        action(rounds, "导出上报包(&E)…", self.export_package, "Ctrl+E")
        action(rounds, "导入上报包(&M)…", self.import_package)
        action(rounds, "汇总多家医院的上报包(&G)…", self.aggregate)
        self.edit_menu = self.menuBar().addMenu("编辑(&E)")
        # the pages' own shortcuts act while they have the keyboard; the menu entries are for the
        # mouse, and name the keys after a tab (shown as a shortcut is; the menu showed none)
        self.undo_action = action(self.edit_menu, "撤销(&U)\tCtrl+Z", self._undo)
        self.redo_action = action(self.edit_menu, "重做(&R)\tCtrl+Y", self._redo)
        self.edit_menu.addSeparator()
        history = action(self.edit_menu, "本条目的修改记录(&H)…", self.show_history, "Ctrl+H")
        self.report_menu = self.menuBar().addMenu("报告(&P)")
        action(self.report_menu, "整改台账(&T)", self.show_board, "Ctrl+T")
        self.report_menu.addSeparator()
        from ..domain.reports import REPORTS

        keys = {
            ("self", "pdf"): ("S", "Ctrl+P"),
            ("rectification", "pdf"): ("R", None),
            ("notice", "pdf"): ("N", None),
            ("form", "pdf"): ("J", None),
            ("self", "xlsx"): ("X", None),
            ("rectification", "xlsx"): ("L", None),
        }
        for fmt in ("pdf", "xlsx"):
            for kind, report in REPORTS.items():
                if fmt not in report.formats:
                    continue
                key, shortcut = keys.get((kind, fmt), ("", None))
                label = f"生成{report.title} PDF" if fmt == "pdf" else f"导出{report.workbook_title} Excel"
                action(
                    self.report_menu,
                    f"{label}(&{key})…" if key else f"{label}…",
                    lambda _=False, k=kind, f=fmt: self.generate_report(k, f),
                    shortcut,
                )
        self.report_menu.addSeparator()
        self.final_action = action(self.report_menu, f"{dialogs.FINAL_ACTION}(&F)", self.toggle_final)
        self.final_action.setCheckable(True)
        # an open round's: with none open they did nothing, without a word (review)
        self._round_actions = (self.undo_action, self.redo_action, history, self.final_action)
        for each in self._round_actions:
            each.setEnabled(False)
        hospital = self.menuBar().addMenu("医院(&I)")
        action(hospital, "医院基本情况(&P)…", self.edit_profile)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        action(help_menu, "使用说明(&U)…", self.show_guide)
        action(help_menu, "快捷键(&K)…", self.show_help, "F1")
        action(help_menu, "数据库检查(&D)…", self.check_database)
        action(
            help_menu,
            "关于(&A)",
            lambda: dialogs.info(self, f"{APP_NAME} {__version__}\n离线医疗质量自查工具。\n数据库：{self.store.path}"),
        )

    def new_round(self) -> None:
        if self._may_leave("新建轮次"):  # the new round opens in place of this one
            self.rounds.new_round()

    def show_backups(self) -> None:
        from .backups_dialog import BackupsDialog

        BackupsDialog(self).exec()
        self.refresh_reminders()  # a stick put back, a backup made, another folder chosen

    def import_checklists(self) -> None:
        from .checklist_import import import_checklist_files

        import_checklist_files(self)

    def save_checklist_template(self) -> None:
        from .checklist_import import save_checklist_template

        save_checklist_template(self)

    def open_checklists_folder(self) -> None:
        from .checklist_import import open_checklists_folder

        open_checklists_folder(self)

    def check_database(self) -> None:
        from .backups_dialog import database_check

        database_check(self)

    def replace_store(self, store: Store) -> None:
        """Show another database (after a restore): every page is built again on it."""
        self.close_walkthrough()
        if self._rounds is not None:
            self.stack.removeWidget(self._rounds)
            self._rounds.deleteLater()
            self._rounds = None
        self.store = store
        self._update_title()
        self.restore_position()

    def show_help(self) -> None:
        from .help_dialog import HelpDialog

        HelpDialog(self).exec()

    def show_guide(self) -> None:
        from .guide import guide_html
        from .help_dialog import HelpDialog

        HelpDialog(self, "使用说明", guide_html()).exec()

    @property
    def rounds(self) -> RoundsPage:
        if self._rounds is None:
            from .rounds_page import RoundsPage

            self._rounds = RoundsPage(self.store, self.catalog, self.actor, self.edit_profile)
            self._rounds.open_round.connect(self.open_round)
            self.stack.insertWidget(0, self._rounds)
        return self._rounds

    def catalog(self) -> Catalog:
        return self._catalog()

    def _undo(self) -> None:
        if self.walkthrough:
            self.walkthrough.undo()  # after saving what was just typed: a change to undo too

    def _redo(self) -> None:
        if self.walkthrough:
            self.walkthrough.redo()

    def _update_title(self) -> None:
        profile = get_profile(self.store)
        self.setWindowTitle(f"{APP_NAME} — {profile.name}" if profile else APP_NAME)

    def edit_profile(self) -> bool:
        """The first time a three-step wizard; later the same fields in tabs, changed in one place."""
        from .profile_wizard import ProfileDialog

        profile = get_profile(self.store)
        if profile is None:
            return self._first_profile()
        dialog = ProfileDialog(self.store, self.actor, profile, self)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self._update_title()
            dialogs.info(
                self, "医院基本情况已保存。新的自查轮次将按新的情况判断条目是否适用；已开始的轮次保持开始时的情况不变。"
            ) if round_choices(self.store) else None
        return accepted

    def _first_profile(self) -> bool:
        """The first-run wizard, or the backup it offers to restore instead; again when the user
        chose none, or one without a profile."""
        from .backups_dialog import restore_from_file
        from .profile_wizard import ProfileWizard

        wizard = ProfileWizard(self.store, self.actor, None, self)
        while True:
            if wizard.exec() == QDialog.DialogCode.Accepted:
                self._update_title()
                return True
            if not wizard.restore_requested:
                return False
            wizard.restore_requested = False
            restored = restore_from_file(self, self)
            if not self.isVisible():  # the restored file could not be opened: the window closed
                return False
            if restored:
                if get_profile(self.store) is not None:
                    return True
                wizard = ProfileWizard(self.store, self.actor, None, self)  # on the restored file
            # else back to the same wizard, with what was typed in it

    def open_round(self, round_id: str) -> None:
        if not self.close_walkthrough():
            return
        self.session = RoundSession(self.store, self.actor, round_id)
        self.walkthrough = WalkthroughPage(self.session)
        self.session.subscribe(self._session_changed)
        self._schedule_reminders_refresh()  # a round started this month: no monthly reminder
        self.walkthrough.saved.connect(lambda t: self._status(f"已保存 {t}"))
        self.walkthrough.not_saved.connect(lambda message: self._status(message, problem=True))
        self.walkthrough.progress_changed.connect(self._show_progress)
        self._show_progress(self.walkthrough.result)
        self._board_page = QWidget()
        QVBoxLayout(self._board_page).setContentsMargins(0, 0, 0, 0)
        self.round_tabs = QTabWidget()
        self.round_tabs.addTab(self.walkthrough, "逐条自查(&W)")
        self.round_tabs.addTab(self._board_page, "整改台账")
        self._overview_page = QWidget()
        QVBoxLayout(self._overview_page).setContentsMargins(0, 0, 0, 0)
        self.round_tabs.addTab(self._overview_page, "概览")
        for page in (self.walkthrough, self._board_page, self._overview_page):
            page.installEventFilter(self)  # shown: whether it remembers where the keyboard was
        self.round_tabs.currentChanged.connect(self._tab_changed)
        self.stack.addWidget(self.round_tabs)
        self.stack.setCurrentWidget(self.round_tabs)
        self.walkthrough.tree.setFocus()
        self._status("已保存")
        for each in self._round_actions:
            each.setEnabled(True)
        self.final_action.setChecked(self.walkthrough.view.is_final)

    @property
    def board(self) -> RectificationBoard | None:
        """The open round's 整改台账; built on first use, as most sessions start in the walkthrough."""
        if self._board is None and self.walkthrough is not None:
            from .rectification_board import RectificationBoard

            assert self.session is not None  # opened with the walkthrough
            self._board = RectificationBoard(self.session)
            self._board.open_item.connect(self.go_to_item)
            _layout(self._board_page).addWidget(self._board)
        return self._board

    @property
    def overview(self) -> OverviewPage | None:
        """The open round's 概览 page; built on first use."""
        if self._overview is None and self.walkthrough is not None:
            from .overview_page import OverviewPage

            assert self.session is not None  # opened with the walkthrough
            self._overview = OverviewPage(self.session)
            self._overview.filter_requested.connect(self.filter_from_overview)
            _layout(self._overview_page).addWidget(self._overview)
        return self._overview

    def filter_from_overview(self, kind: str, value: str) -> None:
        """A bar of the 概览 was clicked: show its items in the walkthrough, or its department's
        rectifications on the board."""
        walk = self.walkthrough
        if walk is None:  # the 概览 belongs to the open round
            return
        if kind == "department":
            self.show_tab(1)
            board = self.board
            if board is not None:
                index = board.department.findData(value)
                if index >= 0:
                    board.department.setCurrentIndex(index)
                board.focus_table()  # on the department's first row
            return
        self.show_tab(0)
        if kind == "mode":
            walk.search.clear()
            walk.filter_mode.setCurrentIndex(max(walk.filter_mode.findData(value), 0))
            walk.refilter()
        else:  # a checklist or a section: its items, whatever their state
            walk.filter_mode.setCurrentIndex(max(walk.filter_mode.findData("all"), 0))
            walk.set_scope(value)
        walk.tree.setFocus()  # on the first of the items shown, where the digits grade it

    def _tab_changed(self, index: int) -> None:
        walk = self.walkthrough
        if walk is None:  # the tabs are the open round's: none, no board and no 概览 either
            return
        walk.flush()  # what was just typed shows on the other tabs
        if index == 2 and self.overview is not None:
            self.overview.refresh_if_stale()
        elif index == 1 and self.board is not None:
            self.board.refresh_if_stale()
        self._keyboard_into_tab(index)

    def _keyboard_into_tab(self, index: int) -> None:
        """The keyboard follows the tab shown: to where the user left it on that page, else to where
        the page's work is (the item tree, the ledger's rows, the charts). Qt moves the focus into
        the page only to a widget it finds there, and the board and the 概览 are built when first
        shown, after it looked: it left the focus on the empty page, where no key does anything.
        Where the widget left with the focus is gone (a cell editor of the board, closed when the
        tab was left), Qt takes the page's first widget instead, the 责任科室 filter, where the
        arrow keys went on to change the filter: that is not where the user left it.
        Switching with the arrow keys on the tabs themselves keeps the focus on the tabs."""
        tabs = self.round_tabs
        if tabs is None:  # the open round's
            return
        page, focus = tabs.widget(index), self.focusWidget()
        if page is None or focus is tabs.tabBar():
            return
        if focus is not None and focus is not page and page.isAncestorOf(focus) and self._page_had_focus:
            return
        if index == 0 and self.walkthrough is not None:
            self.walkthrough.tree.setFocus()
        elif index == 1 and self.board is not None:
            self.board.focus_table()
        elif index == 2 and self.overview is not None:
            self.overview.focus_charts()

    def eventFilter(self, watched, event) -> bool:
        # a page of the round's tabs being shown, before Qt moves the keyboard into it: whether
        # the page still has the widget it was left with (_keyboard_into_tab)
        if event.type() == QEvent.Type.Show and self.round_tabs is not None:
            self._page_had_focus = watched.focusWidget() is not None
        return super().eventFilter(watched, event)

    def _session_changed(self, changes: Changes) -> None:
        """Undo and redo show what they changed, on its tab."""
        if self.round_tabs is None:
            return
        if changes.focus_item is not None and self.round_tabs.currentIndex() != 0:
            self.show_tab(0)
        elif changes.focus_rectification is not None and self.round_tabs.currentIndex() == 0:
            self.show_tab(1)
            if self._board is not None:
                self._board.select(changes.focus_rectification)
        if changes.rectifications and not changes.items:
            self._status(f"已保存 {dt.datetime.now():%H:%M:%S}")
        if changes.rectifications or changes.round:
            self._schedule_reminders_refresh()
        if changes.drafted:
            self.final_action.setChecked(False)
            if self.walkthrough is not None:
                self.walkthrough.view = self.session.view if self.session is not None else self.walkthrough.view
            self._status("本轮定稿后又有修改，已改回自查稿（报告重新带“自查稿”水印）；核对后可再次定稿。", problem=True)

    def show_board(self) -> None:
        """报告 → 整改台账: the open round's, or on the rounds list the selected round's."""
        if self._open_for_report():
            self.show_tab(1)

    def _open_for_report(self) -> bool:
        """The round the 报告 menu acts on: the open one, or on the rounds list the one selected
        there, opened first. The menu was greyed out on the list with nothing saying why, and
        Ctrl+P did nothing (review of the help and texts)."""
        if self.walkthrough is not None:
            return True
        round_id = self.rounds.selected_id()
        if round_id is None:
            dialogs.info(self, "请先在轮次列表中选择一轮自查（或新建一轮）。")
            return False
        self.open_round(round_id)
        return self.walkthrough is not None

    def show_tab(self, index: int) -> None:
        if self.round_tabs is not None:
            self.round_tabs.setCurrentIndex(index)

    def go_to_item(self, item_id: str) -> None:
        walk = self.walkthrough
        if walk is None:  # asked by the open round's board
            return
        if item_id not in walk.items:
            dialogs.error(self, "这个整改项的条目不在本轮自查所选的检查表中（整改项由上一轮转入）。")
            return
        self.show_tab(0)
        walk.go_to(item_id)
        walk.tree.setFocus()

    def toggle_final(self) -> None:
        if self.walkthrough is None or self.session is None:
            return
        final = self.final_action.isChecked()
        if not self.walkthrough.flush():
            self.final_action.setChecked(not final)
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），保存后才能定稿。请稍后再试。")
            return
        try:
            self.session.set_final(final)
        except AppError as err:
            self.final_action.setChecked(not final)
            dialogs.error(self, str(err))
            return
        self.walkthrough.view = self.session.view
        self._status("已定稿" if final else "已改回自查稿")

    def generate_report(self, kind: str, fmt: str = "pdf") -> None:
        """Render a report (any kind and format of the registry) in the background, then preview a
        PDF here (the PC may have no PDF viewer) or open a workbook in the system's program."""
        from ..domain.reports import FORMATS, REPORTS
        from .report_job import ReportJob

        if not self._open_for_report() or self.walkthrough is None:
            return
        if not self.walkthrough.flush():
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），现在生成的报告不会包含它们。请稍后再试。")
            return
        view = self.walkthrough.view
        report = REPORTS[kind]
        title = report.title if fmt == "pdf" else report.workbook_title
        suggested = report.suggested_name(view.profile.name, view.name, fmt)
        path = dialogs.save_file(self, f"保存{title}", suggested, f"{FORMATS[fmt]} (*.{fmt})")
        if path:
            out = Path(path if path.lower().endswith(f".{fmt}") else f"{path}.{fmt}")
            # as rendered: the round open when it is done may be another; a blank form has no mark
            draft = report.draft(view.is_final)
            self.report_job = ReportJob(
                self, self.store.path, view.id, kind, out, lambda o, w: self._report_written(o, w, draft)
            )
            self.report_job.start()

    def _report_written(self, out: Path, warnings: tuple[str, ...], draft: bool = False) -> None:
        self.last_report = out
        if warnings:  # e.g. a photo that could not be read is printed as its name only
            self._status(f"已生成 {out}，但有 {len(warnings)} 处问题：{warnings[0]}", problem=True)
        else:
            self._status(f"已生成 {out}")
        if out.suffix.lower() == ".pdf":  # previewed and printed here: the PC may have no PDF viewer
            dialogs.preview_pdf(self, out, dialogs.DRAFT_NOTE if draft else "")
        else:
            dialogs.open_in_viewer(out)

    def show_history(self) -> None:
        """修改记录 of the item in view: the walkthrough's current item, or the board's selected row's."""
        from .history_dialog import HistoryDialog

        if self.walkthrough is None:
            return
        item_id = None
        if self.round_tabs is not None and self.round_tabs.currentIndex() == 1 and self._board is not None:
            entry = self._board.selected_entry()
            item_id = entry.rectification.item_id if entry else None
        else:
            self.walkthrough.flush()
            item_id = self.walkthrough.tree.current_item_id()
        if item_id is None:
            dialogs.error(self, "请先选中一个条目或整改项。")
            return
        HistoryDialog(self.walkthrough.session, item_id, self.walkthrough.item_title(item_id), self).exec()

    def show_reminders(self, today=None) -> None:
        """A dismissible banner: rectifications overdue or due within a week, this month's self-check."""
        from .qt import QFrame, QHBoxLayout, QPushButton

        if not self.isVisible():  # closed before the timer fired (and its database with it)
            return
        found = self._reminders(today)
        if found is None or not found.messages:
            return
        self.banner = QFrame()
        self.banner.setObjectName("reminders")
        self.banner.setStyleSheet("#reminders { background: #fff4d6; border-bottom: 1px solid #e0c27a; }")
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(10, 4, 6, 4)
        self.banner_label = plain_label("")
        self.banner_label.setWordWrap(True)  # several reminders, a backup folder's long path
        row.addWidget(self.banner_label, 1)
        self._banner_board = QPushButton("查看整改台账")
        self._banner_board.clicked.connect(self._open_banner_board)
        row.addWidget(self._banner_board)
        close = QPushButton("知道了")
        close.clicked.connect(self.dismiss_reminders)
        row.addWidget(close)
        self._column.insertWidget(0, self.banner)
        self._fill_banner(found)

    def _reminders(self, today=None):
        import datetime as dt

        from ..services.reminders import reminders

        try:
            return reminders(self.store, today or dt.date.today())
        except AppError:
            return None  # a database that cannot be read is reported by whatever reads it next

    def _fill_banner(self, found) -> None:
        assert self.banner is not None
        self.banner_label.setText("提醒：" + "；".join(found.messages) + "。")
        self._banner_round = found.round_id
        self._banner_board.setVisible(found.round_id is not None)

    def refresh_reminders(self, today=None, *, appear: bool = False) -> None:
        """The banner follows what the user does about it: a deadline moved or a re-check passed
        counts at once, and the banner goes when nothing is left to remind of. Once dismissed
        (知道了) it stays away until the next start. ``appear``: made if there was none (after an
        import, which can bring overdue work of its own)."""
        if self._banner_dismissed:
            return
        if self.banner is None:
            if appear:
                self.show_reminders(today)
            return
        found = self._reminders(today)
        if found is None:
            return
        if found.messages:
            self._fill_banner(found)
        self.banner.setVisible(bool(found.messages))

    def dismiss_reminders(self) -> None:
        """知道了: the banner is gone until the program is started again."""
        self._banner_dismissed = True
        if self.banner is not None:
            self.banner.hide()

    def _schedule_reminders_refresh(self) -> None:
        """Several saves in a row (a re-check, its rectification) recount the banner once."""
        if self.banner is None or self._banner_dismissed:
            return
        if self._reminders_timer is None:
            from .qt import QTimer

            self._reminders_timer = QTimer(self)
            self._reminders_timer.setSingleShot(True)
            self._reminders_timer.setInterval(REMINDERS_REFRESH_MS)
            self._reminders_timer.timeout.connect(self.refresh_reminders)
        self._reminders_timer.start()

    def _open_banner_board(self) -> None:
        if self._banner_round is not None:
            self._open_board_of(self._banner_round)

    def _open_board_of(self, round_id: str) -> None:
        if self.walkthrough is None or self.walkthrough.view.id != round_id:
            self.open_round(round_id)
        self.show_tab(1)
        if self.board is not None:
            self.board.overdue_only.setChecked(False)

    def _current_round_id(self) -> str | None:
        if self.walkthrough is not None:
            return self.walkthrough.view.id
        return self._rounds.selected_id() if self._rounds is not None else None

    def export_package(self) -> None:
        """导出上报包 of the open round (or the one selected in the list)."""
        from .exchange_dialogs import ExportDialog

        round_id = self._current_round_id()
        if round_id is None:
            dialogs.error(self, "请先打开或在列表中选中要导出的自查轮次。")
            return
        if self.walkthrough is not None and not self.walkthrough.flush():
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），现在导出的上报包不会包含它们。请稍后再试。")
            return
        ExportDialog(self.store, round_id, self).exec()

    def import_package(self) -> None:
        from .exchange_dialogs import import_package

        if self.walkthrough is not None and not self.walkthrough.flush():
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），请稍后再导入。")
            return

        def done(result) -> None:
            self._update_title()
            text = f"已导入：{result.text()}。"
            if self.session is not None and self.session.round_id == result.round_id:
                self.session.reload()  # every tab of the round redraws
            elif self.walkthrough is None:
                self.rounds.refresh()
            self._status(text)  # after the redraw, whose 已保存 it replaces
            self.refresh_reminders(appear=True)  # the package's rectifications count too

        self.import_job = import_package(self, self.store, self.actor, done)

    def aggregate(self) -> None:
        from .exchange_dialogs import AggregateDialog

        AggregateDialog(self, self.store).exec()

    def show_status(self, text: str, problem: bool = False) -> None:
        self._status(text, problem)

    def _status(self, text: str, problem: bool = False) -> None:
        """The right of the status bar: 已保存, or (in red) why something was not saved."""
        self.saved_label.setStyleSheet(ERROR_STYLE if problem else "")
        self.saved_label.setText(text)

    def _show_progress(self, result: RoundScore) -> None:
        if self.walkthrough is None:  # shown for the open round
            return
        tally = result.tally
        self.progress_label.setText(
            f"{self.walkthrough.view.name}：完成 {tally.answered}/{tally.applicable}"
            f"（{percent_text(tally.completion)}）"
            f"　得分率 {rate_text(tally.score)}　不符合 {tally.failing}"
        )

    def close_walkthrough(self) -> bool:
        """Leave the open round; False when the user chose to stay (input not yet saved)."""
        if self.walkthrough is not None:
            if not self._may_leave("离开本轮"):
                return False
            if self.round_tabs is not None:  # made with the walkthrough
                self.stack.removeWidget(self.round_tabs)
                self.round_tabs.deleteLater()
            self.walkthrough = self._board = self._board_page = self.round_tabs = self._overview = None
            self.session = None
            for each in self._round_actions:
                each.setEnabled(False)
        return True

    def _may_leave(self, action: str) -> bool:
        """Save what is pending; if the database still refuses it, ask before it is given up."""
        if self.walkthrough is None or self.walkthrough.flush():
            return True
        if dialogs.confirm(
            self,
            f"有修改因数据库无法写入（被占用或磁盘已满）还没有保存。\n\n"
            f"现在{action}，这些修改将丢失。仍要{action}吗？（选“否”留在这里，程序会继续重试保存）",
        ):
            self.walkthrough.session.drop_pending()  # given up, as the user chose: not asked again
            return True
        return False

    def show_rounds(self) -> None:
        if not self.close_walkthrough():
            return
        forget_position(self.store)
        self.rounds.refresh()
        self.stack.setCurrentWidget(self.rounds)
        self.progress_label.setText("")

    def restore_position(self) -> None:
        round_id = last_round(self.store)
        if round_id:
            self.open_round(round_id)
        else:
            self.stack.setCurrentWidget(self.rounds)

    def keyPressEvent(self, event) -> None:
        """Enter presses the button that has the focus, as Space does: Qt presses buttons with Enter
        only in dialogs, and here it did nothing on 基于所选新建复查, 记录复查, 添加附件, an item of the
        same requirement (同一要求也见于) — buttons a keyboard user reaches with Tab. It comes here
        because the button does not take it."""
        from .qt import QPushButton, Qt, QToolButton

        keypad = Qt.KeyboardModifier.KeypadModifier
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() & ~keypad:
            button = self.focusWidget()
            if isinstance(button, QPushButton | QToolButton) and button.isEnabled() and button.isVisible():
                button.animateClick()
                return
        super().keyPressEvent(event)

    def closeEvent(self, event) -> None:
        if not self._may_leave("退出"):
            event.ignore()
            return
        super().closeEvent(event)

"""The main window: the rounds list and the walkthrough, menus, progress in the status bar."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import APP_NAME, __version__
from ..domain.scoring import completion_percent
from ..errors import AppError
from ..services.profile import get_profile
from ..store import Actor, Store
from . import dialogs
from .item_editors import ERROR_STYLE, plain_label
from .qt import (
    QAction,
    QDialog,
    QKeySequence,
    QMainWindow,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from .walkthrough import POSITION_KEY, WalkthroughPage

if TYPE_CHECKING:
    from ..catalog import Catalog
    from .rectification_board import RectificationBoard
    from .rounds_page import RoundsPage


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
        self.setCentralWidget(self.stack)
        self._rounds: RoundsPage | None = None  # built when first shown: a restored round comes first
        self.walkthrough: WalkthroughPage | None = None
        self._board: RectificationBoard | None = None  # built when its tab is first shown
        self._board_page: QWidget | None = None
        self.round_tabs: QTabWidget | None = None
        self.last_report: Path | None = None
        self.changes_backed_up = 0  # the connection's total_changes at the last backup (备份与恢复)
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
        rounds = self.menuBar().addMenu("轮次(&R)")
        action(rounds, "新建自查轮次(&N)…", self.new_round, "Ctrl+N")
        action(rounds, "返回轮次列表(&L)", self.show_rounds, "Ctrl+L")
        rounds.addSeparator()
        action(rounds, "退出(&X)", self.close, "Ctrl+Q")
        self.edit_menu = self.menuBar().addMenu("编辑(&E)")
        self.undo_action = action(self.edit_menu, "撤销(&U)", self._undo)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = action(self.edit_menu, "重做(&R)", self._redo, "Ctrl+Y")
        # the page's own shortcuts act while it has focus; the menu entries are for the mouse
        self.undo_action.setShortcut(QKeySequence())
        self.redo_action.setShortcut(QKeySequence())
        self.report_menu = self.menuBar().addMenu("报告(&P)")
        action(self.report_menu, "整改台账(&T)", lambda: self.show_tab(1), "Ctrl+T")
        self.report_menu.addSeparator()
        action(self.report_menu, "生成自查报告 PDF(&S)…", lambda: self.generate_report("self"), "Ctrl+P")
        action(self.report_menu, "生成整改报告 PDF(&R)…", lambda: self.generate_report("rectification"))
        self.report_menu.addSeparator()
        self.final_action = action(self.report_menu, "定稿（去除“自查稿”水印）(&F)", self.toggle_final)
        self.final_action.setCheckable(True)
        self.report_menu.setEnabled(False)
        hospital = self.menuBar().addMenu("医院(&I)")
        action(hospital, "医院基本情况(&P)…", self.edit_profile)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        action(help_menu, "快捷键(&K)…", self.show_help, "F1")
        action(help_menu, "数据库检查(&D)…", self.check_database)
        action(help_menu, "关于(&A)", lambda: dialogs.info(
            self, f"{APP_NAME} {__version__}\n离线医疗质量自查工具。\n数据库：{self.store.path}"))

    def new_round(self) -> None:
        if self._may_leave("新建轮次"):  # the new round opens in place of this one
            self.rounds.new_round()

    def show_backups(self) -> None:
        from .backups_dialog import BackupsDialog

        BackupsDialog(self).exec()

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

    @property
    def rounds(self) -> RoundsPage:
        if self._rounds is None:
            from .rounds_page import RoundsPage

            self._rounds = RoundsPage(self.store, self.catalog, self.actor)
            self._rounds.open_round.connect(self.open_round)
            self.stack.insertWidget(0, self._rounds)
        return self._rounds

    def catalog(self) -> Catalog:
        return self._catalog()

    def _undo(self) -> None:
        if self.walkthrough:
            self.walkthrough.flush()  # text typed since the last save is a change to undo too
            self.walkthrough.undo_stack.undo()

    def _redo(self) -> None:
        if self.walkthrough:
            self.walkthrough.flush()
            self.walkthrough.undo_stack.redo()

    def _update_title(self) -> None:
        profile = get_profile(self.store)
        self.setWindowTitle(f"{APP_NAME} — {profile.name}" if profile else APP_NAME)

    def edit_profile(self) -> bool:
        from .profile_wizard import ProfileWizard

        wizard = ProfileWizard(self.store, self.actor, get_profile(self.store), self)
        accepted = wizard.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self._update_title()
            dialogs.info(self, "医院基本情况已保存。新的自查轮次将按新的情况判断条目是否适用；"
                               "已开始的轮次保持开始时的情况不变。") if self.store.rounds() else None
        return accepted

    def open_round(self, round_id: str) -> None:
        if not self.close_walkthrough():
            return
        self.walkthrough = WalkthroughPage(self.store, self.actor, round_id)
        self.walkthrough.saved.connect(lambda t: self._status(f"已保存 {t}"))
        self.walkthrough.not_saved.connect(lambda message: self._status(message, problem=True))
        self.walkthrough.progress_changed.connect(self._show_progress)
        self._show_progress(self.walkthrough.result)
        self._board_page = QWidget()
        QVBoxLayout(self._board_page).setContentsMargins(0, 0, 0, 0)
        self.round_tabs = QTabWidget()
        self.round_tabs.addTab(self.walkthrough, "逐条自查(&W)")
        self.round_tabs.addTab(self._board_page, "整改台账")
        self.round_tabs.currentChanged.connect(self._tab_changed)
        self.stack.addWidget(self.round_tabs)
        self.stack.setCurrentWidget(self.round_tabs)
        self.walkthrough.tree.setFocus()
        self._status("已保存")
        self.report_menu.setEnabled(True)
        self.final_action.setChecked(self.walkthrough.view.is_final)

    @property
    def board(self) -> RectificationBoard | None:
        """The open round's 整改台账; built on first use, as most sessions start in the walkthrough."""
        if self._board is None and self.walkthrough is not None:
            from .rectification_board import RectificationBoard

            self._board = RectificationBoard(self.store, self.actor, self.walkthrough.view.id,
                                             self.walkthrough.view.profile.departments)
            self._board.open_item.connect(self.go_to_item)
            self._board.changed.connect(lambda: self._status("已保存"))
            self._board_page.layout().addWidget(self._board)
        return self._board

    def _tab_changed(self, index: int) -> None:
        if index == 1 and self.board is not None:
            self.walkthrough.flush()
            self.board.refresh()
        elif index == 0 and self.walkthrough is not None:
            self.walkthrough.reload()
            self.walkthrough.show_item(self.walkthrough.tree.current_item_id())

    def show_tab(self, index: int) -> None:
        if self.round_tabs is not None:
            self.round_tabs.setCurrentIndex(index)

    def go_to_item(self, item_id: str) -> None:
        if item_id not in self.walkthrough.items:
            dialogs.error(self, f"条目“{item_id}”不在本轮自查所选的检查表中（整改项由上一轮转入）。")
            return
        self.show_tab(0)
        self.walkthrough.go_to(item_id)
        self.walkthrough.tree.setFocus()

    def toggle_final(self) -> None:
        from ..services.rounds import set_round_final

        if self.walkthrough is None:
            return
        final = self.final_action.isChecked()
        if not self.walkthrough.flush():
            self.final_action.setChecked(not final)
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），保存后才能定稿。请稍后再试。")
            return
        try:
            set_round_final(self.store, self.walkthrough.view.id, final, self.actor)
        except AppError as err:
            self.final_action.setChecked(not final)
            dialogs.error(self, str(err))
            return
        self.walkthrough.view = replace(self.walkthrough.view, status="final" if final else "draft")
        self._status("已定稿" if final else "已改回自查稿")

    def generate_report(self, kind: str) -> None:
        """Render a report in the background, then open it in the system's PDF viewer."""
        from .tasks import run_in_background

        if self.walkthrough is None:
            return
        if not self.walkthrough.flush():
            dialogs.error(self, "有修改还没有保存（数据库暂时无法写入），现在生成的报告不会包含它们。请稍后再试。")
            return
        view = self.walkthrough.view
        title = "自查报告" if kind == "self" else "整改报告"
        suggested = str(Path.home() / f"{view.profile.name}{view.name}{title}.pdf")
        path = dialogs.save_file(self, f"保存{title}", suggested, "PDF 文件 (*.pdf)")
        if not path:
            return
        out = Path(path if path.lower().endswith(".pdf") else path + ".pdf")
        db_path, round_id = self.store.path, view.id

        def work():
            from ..render import render_report
            from ..store import open_store

            store = open_store(db_path)  # the GUI's connection stays on the GUI thread
            try:
                return render_report(store, round_id, kind, out)
            finally:
                store.close()

        def done(result) -> None:
            self.last_report = out
            if result.warnings:  # e.g. a photo that could not be read is printed as its name only
                self._status(f"已生成 {out.name}，但有 {len(result.warnings)} 处问题：{result.warnings[0]}",
                             problem=True)
            else:
                self._status(f"已生成 {out.name}")
            dialogs.open_in_viewer(out)

        def failed(exc: Exception) -> None:
            message = exc.user_message if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
            dialogs.error(self, f"生成{title}失败：{message}")

        self.report_job = run_in_background(self, f"正在生成{title}……", work, done, failed)

    def show_status(self, text: str, problem: bool = False) -> None:
        self._status(text, problem)

    def _status(self, text: str, problem: bool = False) -> None:
        """The right of the status bar: 已保存, or (in red) why something was not saved."""
        self.saved_label.setStyleSheet(ERROR_STYLE if problem else "")
        self.saved_label.setText(text)

    def _show_progress(self, result) -> None:
        tally = result.tally
        score = "—" if tally.score is None else f"{tally.score:.1f}"
        self.progress_label.setText(
            f"{self.walkthrough.view.name}：完成 {tally.answered}/{tally.applicable}"
            f"（{completion_percent(tally.completion)}%）"
            f"　得分率 {score}　不符合 {tally.failing}")

    def close_walkthrough(self) -> bool:
        """Leave the open round; False when the user chose to stay (input not yet saved)."""
        if self.walkthrough is not None:
            if not self._may_leave("离开本轮"):
                return False
            self.stack.removeWidget(self.round_tabs)
            self.round_tabs.deleteLater()
            self.walkthrough = self._board = self._board_page = self.round_tabs = None
            self.report_menu.setEnabled(False)
        return True

    def _may_leave(self, action: str) -> bool:
        """Save what is pending; if the database still refuses it, ask before it is given up."""
        if self.walkthrough is None or self.walkthrough.flush():
            return True
        if dialogs.confirm(self, f"有修改因数据库无法写入（被占用或磁盘已满）还没有保存。\n\n"
                                 f"现在{action}，这些修改将丢失。仍要{action}吗？（选“否”留在这里，程序会继续重试保存）"):
            self.walkthrough.unsaved.clear()  # given up, as the user chose: not asked again
            return True
        return False

    def show_rounds(self) -> None:
        if not self.close_walkthrough():
            return
        with contextlib.suppress(AppError):  # a convenience: a read-only database still shows the list
            self.store.set_setting(POSITION_KEY, {})
        self.rounds.refresh()
        self.stack.setCurrentWidget(self.rounds)
        self.progress_label.setText("")

    def restore_position(self) -> None:
        position = self.store.setting(POSITION_KEY) or {}
        round_id = position.get("round_id")
        if round_id and any(r["id"] == round_id for r in self.store.rounds()):
            self.open_round(round_id)
        else:
            self.stack.setCurrentWidget(self.rounds)

    def closeEvent(self, event) -> None:
        if not self._may_leave("退出"):
            event.ignore()
            return
        super().closeEvent(event)

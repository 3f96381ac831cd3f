"""备份与恢复 in the GUI: the 文件 → 备份与恢复 dialog, the damaged-database dialog, automatic
backups (first open of the day, closing after changes) and 帮助 → 数据库检查.

The work is in ``app.services.backups``; this module only shows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.formats import size_text
from ..errors import AppError, DamagedError
from ..services import backups as service
from . import dialogs
from .cell_table import overlay_hint, read_only
from .item_editors import TextView, advice_label
from .qt import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QObject,
    QProgressDialog,
    QPushButton,
    QRunnable,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QThreadPool,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .screen import fit_to_screen
from .styles import ERROR_STYLE
from .tasks import failure_text

if TYPE_CHECKING:
    from ..store import Store
    from ..store.backup import Backup
    from .main_window import MainWindow


def _label(text: str = "", wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # paths are shown as typed, never as HTML
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def _when(backup: Backup) -> str:
    return f"{backup.made_at:%Y-%m-%d %H:%M:%S}"


class BackupsDialog(QDialog):
    """文件 → 备份与恢复: the backups with times and sizes, 立即备份, 恢复, 备份位置."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("备份与恢复")
        fit_to_screen(self, 780, 460)
        layout = QVBoxLayout(self)
        intro = _label(
            "程序在每天第一次打开和有修改后关闭时自动备份，升级、导入和恢复之前也会备份。"
            "每个备份都经过完整性检查；保留最近 10 个，以及最近 7 天每天一个、4 周每周一个、12 个月每月一个。"
            "附件保存在数据库中，备份包含全部内容。磁盘空间不足时，先删除较早的备份腾出空间（最新的一个始终保留），"
            "不会把磁盘占满。"
        )
        layout.addWidget(intro)
        where = QHBoxLayout()
        self.folder_label = _label(wrap=True)
        where.addWidget(self.folder_label, 1)
        self.folder_button = QPushButton("备份位置(&L)…")
        self.folder_button.clicked.connect(self.choose_folder)
        where.addWidget(self.folder_button)
        layout.addLayout(where)
        self.warning_label = _label()
        self.warning_label.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.warning_label)
        self.disk_note = advice_label()
        layout.addWidget(self.disk_note)
        self.table = self._build_table()
        layout.addWidget(self.table, 1)
        self.status = _label()
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.backup_button = QPushButton("立即备份(&B)")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("恢复所选备份(&R)…")
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_file_button = QPushButton("从其他文件恢复(&F)…")
        self.restore_file_button.clicked.connect(self.restore_other_file)
        for button in (self.backup_button, self.restore_button, self.restore_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        # Enter presses no button by itself: 备份位置, first in the dialog, was the default one, and
        # Enter on a backup in the list opened the folder chooser (keyboard review)
        for button in (self.folder_button, self.backup_button, self.restore_button, self.restore_file_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.backup_job: object = None  # 立即备份 under way
        self.refresh()
        self.table.setFocus()  # the backups, walked with the arrow keys

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(0, 4)
        table.setHorizontalHeaderLabels(["备份时间", "大小", "原因", "文件"])
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        read_only(table)
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        # widths for the longest time, size and reason, not for what is listed: with no backups
        # the columns fitted only their titles, crammed together at the left
        metrics = table.fontMetrics()
        reason = max(service.REASONS.values(), key=metrics.horizontalAdvance)
        for column, longest in enumerate(("2025-12-31 23:59:59", "999.9 MB", reason)):
            width = max(
                metrics.horizontalAdvance(longest) + 2 * metrics.averageCharWidth(), header.sectionSizeHint(column)
            )
            table.setColumnWidth(column, width)
        header.setStretchLastSection(True)  # 文件
        table.itemSelectionChanged.connect(self._selection_changed)
        table.doubleClicked.connect(lambda _index: self.restore_selected())
        # said in the empty list itself, where the eye goes, not only in the line below it
        self.empty_hint = overlay_hint(
            table, "还没有备份。\n点“立即备份”备份一次；程序也会在每天第一次打开时自动备份。"
        )
        return table

    @property
    def store(self) -> Store:
        return self.window_.store

    def refresh(self) -> None:
        folder = service.folder(self.store)
        self.folder_label.setText(f"备份位置：{folder}")
        warning = service.location_warning(self.store.path)
        self.warning_label.setText(warning or "")
        self.warning_label.setVisible(bool(warning))
        self.disk_note.setText(service.same_disk_note(self.store))
        self.disk_note.setVisible(bool(self.disk_note.text()))
        self.backups = service.listed_backups(self.store)
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            name = backup.path.name if backup.path.parent == folder else f"{backup.path.name}（{backup.path.parent}）"
            for column, text in enumerate((_when(backup), size_text(backup.size), backup.reason_text, name)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if self.backups:
            self.table.selectRow(0)
        self.empty_hint.setVisible(not self.backups)
        self.status.setText(self._space_text())
        self.status.setStyleSheet("")
        self.backup_button.setEnabled(True)
        self._selection_changed()

    def _space_text(self) -> str:
        """共 25 个备份，占用 21.1 GB；备份位置所在磁盘可用 9.3 GB。"""
        free = service.free_space(self.store)
        disk = f"备份位置所在磁盘可用 {size_text(free)}。" if free is not None else ""
        if not self.backups:
            return disk
        return f"共 {len(self.backups)} 个备份，占用 {size_text(sum(b.size for b in self.backups))}；{disk}"

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def selected(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def backup_now(self) -> None:
        """立即备份, in the background with a progress dialog: copying, checking and syncing
        two years' database with its scans (850 MB) takes seconds, which froze the window."""
        from ..services.connection import own_connection
        from .tasks import run_in_background

        if self.window_.walkthrough is not None:
            self.window_.walkthrough.flush()  # what was just typed is in the backup too
        db_path, changes = self.store.path, self.store.conn.total_changes

        def work() -> Backup:
            with own_connection(db_path) as own:  # its own connection (WAL: it reads while the window writes)
                return service.backup_now(own)

        def done(made: Backup) -> None:
            self.backup_job = None
            self.window_.changes_backed_up = changes
            self.refresh()
            room = service.made_room_text(made)
            self.status.setText(
                f"已备份并检查完好：{made.path.name}（{size_text(made.size)}）" + (f"。{room}。" if room else "")
            )
            self.status.setStyleSheet(ERROR_STYLE if room else "")  # red, as in the status bar

        def failed(exc: Exception) -> None:
            self.backup_job = None
            self.backup_button.setEnabled(True)
            message = failure_text(exc)
            dialogs.error(self, f"备份失败：{message}")

        self.backup_button.setEnabled(False)
        self.status.setText("正在备份……")
        self.backup_job = run_in_background(self, "正在备份数据库……", work, done, failed)

    def choose_folder(self) -> None:
        path = dialogs.choose_folder(self, "选择备份位置（可以是 U 盘或另一块磁盘）")
        if not path:
            return
        try:
            service.set_folder(self.store, Path(path))
        except AppError as err:
            dialogs.error(self, err.user_message)
            return
        self.refresh()

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is not None:
            self._restore(backup.path, backup.made_at)

    def restore_other_file(self) -> None:
        if restore_from_file(self.window_, self):
            self.refresh()

    def _restore(self, path: Path, made_at: dt.datetime | None) -> None:
        if restore_confirmed(self.window_, self, path, made_at):
            self.refresh()


def restore_from_file(window: MainWindow, parent: QWidget) -> bool:
    """从其他文件恢复: a backup chosen anywhere (a U 盘, another PC's backups folder)."""
    files = dialogs.open_files(parent, "选择备份文件", "数据库备份 (*.db *.sqlite);;所有文件 (*)")
    return bool(files) and restore_confirmed(window, parent, Path(files[0]), None)


def restore_confirmed(window: MainWindow, parent: QWidget, path: Path, made_at: dt.datetime | None) -> bool:
    """Restore ``path`` (a backup made at ``made_at``, if known) once the user has agreed."""
    when = f"{made_at:%Y-%m-%d %H:%M:%S} 的备份" if made_at else f"备份文件“{path.name}”"
    lost = (
        f"备份之后（{service.describe_age(made_at)}）所做的修改将不再出现在数据库中"
        if made_at
        else "备份之后所做的修改将不再出现在数据库中"
    )
    return dialogs.confirm(
        parent, f"把数据库恢复为 {when}？\n\n{lost}。恢复前，当前的数据库会先备份，并改名保留在原文件夹中。"
    ) and restore_in_window(window, path, when)


def restore_in_window(window: MainWindow, path: Path, when: str) -> bool:
    """Restore ``path`` over the window's database and show it; the window holds the lock."""
    from ..services.connection import connect

    if not _background_done(window):
        dialogs.error(window, "后台的数据库检查或备份仍在进行，没有恢复。请稍后再试。")
        return False
    if not window.close_walkthrough():
        return False
    db_path = window.store.path
    window.store.close()
    aside, problem = None, None
    try:
        aside = service.restore(db_path, path, own_lock=True)
    except AppError as err:
        problem = err.user_message
    try:
        store = connect(db_path)
    except AppError as err:
        dialogs.error(window, f"{problem or '恢复后'}\n\n无法打开数据库：{err.user_message}")
        window.close()
        return False
    window.replace_store(store)
    window.changes_backed_up = store.conn.total_changes
    if problem:
        dialogs.error(window, problem)
        return False
    kept = f"\n原来的数据库保留为：{aside}" if aside else ""
    dialogs.info(window, f"已恢复为 {when}。{kept}")
    return True


#: how long a restore waits for the jobs in the thread pool (a daily backup of 850 MB: ≈30 s)
BACKGROUND_WAIT_S = 120.0


def _background_done(window: MainWindow) -> bool:
    """Wait for the whole-file check, the daily backup and a report being written, which read the
    database on connections of their own: Windows refuses to rename a file open elsewhere, and a
    restore soon after start-up failed there with 没有访问权限 (Windows review). A modal note says
    what it waits for; False when they are still at work after BACKGROUND_WAIT_S."""
    import time

    pool = QThreadPool.globalInstance()
    if pool.waitForDone(0):
        return True
    note = QProgressDialog("正在等待后台的数据库检查和备份结束……", "", 0, 0, window)
    note.setWindowTitle("请稍候")
    note.setCancelButton(None)
    note.setWindowModality(Qt.WindowModality.ApplicationModal)
    note.setValue(0)
    note.setMinimumDuration(0)
    deadline = time.monotonic() + BACKGROUND_WAIT_S
    try:
        while not pool.waitForDone(50):
            QApplication.processEvents()
            if time.monotonic() > deadline:
                return False
        return True
    finally:
        note.reset()
        note.deleteLater()


class DamagedDialog(QDialog):
    """The database is damaged: offer the newest good backup and say what would be lost."""

    def __init__(
        self,
        parent: QWidget | None,
        db_path: Path,
        problem: str,
        backup: Backup | None,
        skipped: Sequence[str] = (),
        detail: str = "",
    ) -> None:
        super().__init__(parent)
        self.db_path, self.backup = db_path, backup
        self.chosen: Path | None = None
        self.setWindowTitle("数据库已损坏")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        title = _label("数据库文件已损坏，无法安全使用。")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        layout.addWidget(title)
        layout.addWidget(_label(f"文件：{db_path}"))
        details = _label(f"检查结果：{problem}")
        details.setStyleSheet(ERROR_STYLE)
        layout.addWidget(details)
        layout.addSpacing(6)
        if backup is not None:
            newest = _label(
                f"最新的完好备份：{_when(backup)}（{backup.reason_text}，{size_text(backup.size)}，已检查完好）"
            )
            newest.setFont(title.font())
            layout.addWidget(newest)
            offer = _label(
                f"恢复后，备份之后（{service.describe_age(backup.made_at)}）所做的修改将丢失。"
                "损坏的文件会改名保留在原文件夹中，便于技术人员检查。"
            )
        else:
            offer = _label(
                "没有找到完好的备份。可以选择一个备份文件（例如 U 盘上的备份）恢复，"
                "或退出程序，把损坏的文件交给技术人员。"
            )
        layout.addWidget(offer)
        if skipped:
            layout.addWidget(_label("较新但不能使用的备份：" + "；".join(skipped[:3])))
        buttons = QDialogButtonBox()
        self.detail_button, self.detail = self._technical_detail(layout, buttons, detail)
        if backup is not None:
            self.restore_button = buttons.addButton("从此备份恢复(&R)", QDialogButtonBox.ButtonRole.AcceptRole)
            self.restore_button.clicked.connect(self._restore_newest)
            self.restore_button.setDefault(True)
        self.other_button = buttons.addButton("选择其他备份文件(&O)…", QDialogButtonBox.ButtonRole.ActionRole)
        self.other_button.clicked.connect(self._choose_other)
        self.quit_button = buttons.addButton("退出(&Q)", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.adjustSize()  # the wrapped texts decide the height

    def _technical_detail(
        self, layout: QVBoxLayout, buttons: QDialogButtonBox, detail: str
    ) -> tuple[QPushButton | None, TextView | None]:
        """SQLite's own words, for whoever looks into the file: hidden until asked for."""
        if not detail:
            return None, None
        view = TextView(service.technical_detail([detail]), max_lines=6)
        view.setAccessibleName("技术信息")
        view.hide()
        layout.addWidget(view)
        button = buttons.addButton("技术信息(&T)", QDialogButtonBox.ButtonRole.HelpRole)
        button.setCheckable(True)

        def show(shown: bool) -> None:
            view.setVisible(shown)
            self.adjustSize()

        button.toggled.connect(show)
        return button, view

    def _restore_newest(self) -> None:
        self.chosen = self.backup.path if self.backup else None
        self.accept()

    def _choose_other(self) -> None:
        files = dialogs.open_files(self, "选择备份文件", "数据库备份 (*.db *.sqlite);;所有文件 (*)")
        if files:
            self.chosen = Path(files[0])
            self.accept()


def offer_restore(
    parent: QWidget | None, db_path: Path, problem: str, backup_dir: Path | None = None, detail: str = ""
) -> Path | None:
    """Show the damaged-database dialog; the backup file to restore, or None (quit). Tests replace it.
    ``problem`` is what the user reads, ``detail`` SQLite's own words, shown on request."""
    backup, skipped = service.newest_good_backup(db_path, backup_dir)
    dialog = DamagedDialog(parent, db_path, problem, backup, skipped, detail)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


class _Quiet(QObject):
    done = Signal(object)
    failed = Signal(object)


class _QuietJob(QRunnable):
    """Work in the thread pool without a progress dialog (an automatic backup must not get in
    the user's way); the result comes back on the GUI thread through the signals."""

    def __init__(self, work) -> None:
        super().__init__()
        self.work = work
        self.signals = _Quiet()

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class _DailyBackupReceiver(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window

    def done(self, made) -> None:
        if room := service.made_room_text(made):
            self.window_.show_status(f"已自动备份（{made.made_at:%H:%M}）。{room}。", problem=True)
        else:
            self.window_.show_status(f"已自动备份（{made.made_at:%H:%M}）")
        self.deleteLater()

    def failed(self, exc: Exception) -> None:
        self.window_.changes_backed_up = -1  # try again when closing
        message = failure_text(exc)
        self.window_.show_status(f"今天的自动备份没有完成：{message}", problem=True)
        self.deleteLater()


def daily_backup(window: MainWindow) -> None:
    """The first open of the day backs up, after the window is shown and off the GUI thread (a
    year with many scans is tens of MB); a failure is told in the status bar, in red: the program
    still works."""
    import datetime as dt

    from ..services.connection import own_connection

    store = window.store
    if store.read_only or not window.isVisible():  # closed before the timer fired
        return
    if any(b.made_at.date() == dt.date.today() for b in service.backups(store)):
        return
    db_path = store.path
    window.changes_backed_up = store.conn.total_changes  # later changes: a backup when closing

    def work():
        with own_connection(db_path) as own:  # its own connection (WAL: it reads while the window writes)
            return service.backup_now(own, "daily")

    job = _QuietJob(work)
    receiver = _DailyBackupReceiver(window)  # a child of the window: gone with it, and so are its slots
    job.signals.done.connect(receiver.done)
    job.signals.failed.connect(receiver.failed)
    window.backup_job = job  # referenced until it reports
    QThreadPool.globalInstance().start(job)


class _CheckReceiver(QObject):
    """The whole-file check's answer, on the GUI thread; a child of the window (gone with it)."""

    def __init__(self, window: MainWindow, on_damage) -> None:
        super().__init__(window)
        self.on_damage = on_damage

    def done(self, found) -> None:
        self.deleteLater()
        if found is not None:
            problem, detail = found
            self.on_damage(DamagedError(problem, detail))

    def failed(self, exc: Exception) -> None:
        self.deleteLater()
        if isinstance(exc, DamagedError):  # too damaged to open for the check
            self.on_damage(exc)


def check_whole_file(window: MainWindow, on_damage) -> None:
    """Start-up checked the records before the window was built, not the attachments' bytes
    (two years of scans: 850 MB, seconds from a disk): the whole file is checked now, in the
    thread pool on a connection of its own. Damage found → ``on_damage(DamagedError)``, the
    damaged-database dialog as when damage is met while working."""
    if not window.isVisible():  # closed before the timer fired
        return
    db_path = window.store.path
    job = _QuietJob(lambda: service.damage_found(db_path))
    receiver = _CheckReceiver(window, on_damage)
    job.signals.done.connect(receiver.done)
    job.signals.failed.connect(receiver.failed)
    window.file_check_job = job  # referenced until it reports
    QThreadPool.globalInstance().start(job)


def backup_on_close(store: Store, changes_backed_up: int) -> Backup | None:
    """Closing after changes backs up. Returns the backup (None: nothing changed, or read-only)."""
    if store.read_only or store.conn.total_changes <= changes_backed_up:
        return None
    return service.backup_now(store, "close")


def database_check(window: MainWindow) -> None:
    """帮助 → 数据库检查: the full check (integrity_check) in the background, then its result."""
    from .tasks import run_in_background

    if window.walkthrough is not None:
        window.walkthrough.flush()
    db_path = window.store.path
    folder = service.folder(window.store)

    def done(health) -> None:
        text, details = "\n\n".join(health.plain_lines()), "\n".join(health.lines())
        if health.integrity:
            dialogs.error(window, f"{text}\n\n请用“文件 → 备份与恢复”恢复最新的完好备份。", details)
        else:
            dialogs.info(window, text, details)

    def failed(exc: Exception) -> None:
        message = failure_text(exc)
        dialogs.error(window, f"数据库检查没有完成：{message}")

    window.check_job = run_in_background(
        window, "正在检查数据库……", lambda: service.check(db_path, folder), done, failed
    )

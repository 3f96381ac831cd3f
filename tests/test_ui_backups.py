"""备份与恢复 in the GUI: the dialog, the damaged-database dialog at start and while working,
automatic backups, 帮助 → 数据库检查, and one window per database (issue 11, sections 1, 2, 4)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import DamagedError
from app.services import backups as backup_service
from app.store import open_store
from app.store.backup import list_backups
from app.ui import application
from app.ui.backups_dialog import BackupsDialog, DamagedDialog, backup_on_close
from app.ui.profile_wizard import ProfileWizard
from app.ui.qt import QDialog, QLabel
from tests.conftest import ROOT
from tests.helpers import damage_table, wait_exposed


@pytest.fixture
def window(demo_window):
    return demo_window


@pytest.fixture
def started(qtbot, monkeypatch):
    monkeypatch.setattr(ProfileWizard, "exec", lambda self: 0)
    windows = []

    def run(db_path, **kw):
        result = application.start(db_path, **kw)
        if result is not None:
            qtbot.addWidget(result[0])
            windows.append(result)
        return result

    yield run
    for window, _store, instance in windows:
        window.close()  # before its store: no timer of a closed window reaches a closed store
        window.store.close()
        instance.unlock()


def back_up(qtbot, dialog: BackupsDialog) -> None:
    """立即备份, and wait for it: it runs in the background."""
    dialog.backup_button.click()
    qtbot.waitUntil(lambda: dialog.backup_job is None)


def test_enter_in_the_backups_dialog_never_chooses_another_backup_folder(window, qtbot, db_path, ui_dialogs):
    """备份位置(&L), the first button, was the default one: Enter on a backup in the list opened
    the folder chooser, one step from changing where every backup goes (keyboard review)."""
    from PySide6.QtTest import QTest

    from app.ui.qt import Qt

    chosen = []
    ui_dialogs.folder = None
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    dialog.folder_button.clicked.connect(lambda: chosen.append(True))  # pressed, by Enter or else
    dialog.show()
    back_up(qtbot, dialog)
    dialog.table.setFocus()
    dialog.table.selectRow(0)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert chosen == []


def test_backup_now_lists_the_backup_with_time_and_size(window, qtbot, db_path):
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0 and "还没有备份" in dialog.empty_hint.text()
    assert str(db_path.parent / "backups") in dialog.folder_label.text()
    back_up(qtbot, dialog)
    assert dialog.table.rowCount() == 1
    _when, size, reason, name = (dialog.table.item(0, c).text() for c in range(4))
    assert reason == "手动" and size.endswith("KB") and name.startswith("selfcheck-")
    assert dialog.empty_hint.isHidden()
    assert (db_path.parent / "backups" / name).is_file()
    assert "检查完好" in dialog.status.text()


def test_backup_now_copies_the_database_off_the_window_thread(window, qtbot, monkeypatch):
    """Copying, checking and syncing two years' database with its scans (850 MB) took 3.5 s, and
    立即备份 did it on the window's thread: the window froze. It runs in the background now, on a
    connection of its own, and the button waits for it."""
    import threading

    ran: list[tuple[threading.Thread, object]] = []
    real = backup_service.backup_now

    def backup_now(store, *args, **kwargs):
        ran.append((threading.current_thread(), store))
        return real(store, *args, **kwargs)

    monkeypatch.setattr(backup_service, "backup_now", backup_now)
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    dialog.backup_button.click()
    assert not dialog.backup_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.backup_job is None)
    [(thread, store)] = ran
    assert thread is not threading.main_thread() and store is not window.store
    assert dialog.table.rowCount() == 1 and dialog.backup_button.isEnabled()
    assert window.changes_backed_up == window.store.conn.total_changes


def test_the_columns_fit_a_backup_also_when_there_is_none_yet(window, qtbot):
    """With no backups the columns fitted their titles only: 备份时间, 大小 and 原因 crammed at the
    left, 文件 taking the rest."""
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_exposed(qtbot, dialog)
    table, metrics = dialog.table, dialog.table.fontMetrics()

    def widths() -> list[int]:
        return [table.columnWidth(c) for c in range(4)]

    empty = widths()
    for column, longest in enumerate(("2025-12-31 23:59:59", "999.9 MB", "关闭时自动")):
        assert empty[column] > metrics.horizontalAdvance(longest)
    assert empty[3] > table.viewport().width() / 3  # 文件: the rest, but not all of it
    assert dialog.empty_hint.isVisible() and "立即备份" in dialog.empty_hint.text()
    back_up(qtbot, dialog)
    assert widths() == empty  # the columns do not jump when the first backup is listed
    assert not dialog.empty_hint.isVisible()


def test_restore_from_the_dialog_names_the_time_and_brings_the_backup_back(
    window, qtbot, db_path, ui_dialogs, demo_round
):
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    back_up(qtbot, dialog)
    window.store.set_setting("after-backup", 1)
    dialog.table.selectRow(0)
    when = dialog.table.item(0, 0).text()
    dialog.restore_button.click()
    assert when in ui_dialogs.confirms[-1] and "将不再出现" in ui_dialogs.confirms[-1]
    assert "已恢复" in ui_dialogs.infos[-1] and "原来的数据库保留为" in ui_dialogs.infos[-1]
    assert window.store.setting("after-backup") is None
    assert window.store.answers(demo_round)  # the window works on the restored file
    assert list(db_path.parent.glob("selfcheck.before-restore-*.db"))


def test_a_restore_waits_for_the_jobs_reading_the_file(window, qtbot, db_path, ui_dialogs, demo_round, monkeypatch):
    """The whole-file check (0.3 s after start-up) and the daily backup read the database on
    connections of their own: Windows refuses to rename a file open elsewhere, and a restore soon
    after start-up failed there (Windows review). The restore starts once they are done."""
    import time

    from app.services.connection import own_connection
    from app.ui.qt import QRunnable, QThreadPool

    backup = backup_service.backup_now(window.store, "manual")
    finished: list[str] = []

    class SlowReader(QRunnable):
        def run(self) -> None:
            with own_connection(db_path) as own:
                own.answers(demo_round)
                time.sleep(0.5)
            finished.append("reader")

    real_restore = backup_service.restore

    def restore(*args, **kwargs):
        finished.append("restore")
        return real_restore(*args, **kwargs)

    monkeypatch.setattr(backup_service, "restore", restore)
    QThreadPool.globalInstance().start(SlowReader())
    time.sleep(0.1)  # the reader has the file open
    from app.ui.backups_dialog import restore_in_window

    assert restore_in_window(window, backup.path, "刚才")
    assert finished == ["reader", "restore"]


def test_a_restore_refuses_while_a_job_keeps_the_file_open(window, qtbot, db_path, ui_dialogs, demo_round, monkeypatch):
    """Waiting without end froze the window (Windows said 未响应), and after the wait the restore
    went ahead into the same refusal: past the limit it is not done, and says so."""
    import time

    from app.ui import backups_dialog
    from app.ui.qt import QRunnable, QThreadPool

    backup = backup_service.backup_now(window.store, "manual")
    window.store.set_setting("after-backup", 1)

    class Busy(QRunnable):
        def run(self) -> None:
            time.sleep(1.5)

    monkeypatch.setattr(backups_dialog, "BACKGROUND_WAIT_S", 0.2)
    QThreadPool.globalInstance().start(Busy())
    assert not backups_dialog.restore_in_window(window, backup.path, "刚才")
    assert "后台的数据库检查或备份仍在进行，没有恢复" in ui_dialogs.errors[-1]
    assert window.store.setting("after-backup") == 1  # the window still works on its file
    QThreadPool.globalInstance().waitForDone(5000)


def test_restore_is_not_done_when_the_user_says_no(window, qtbot, ui_dialogs):
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    back_up(qtbot, dialog)
    window.store.set_setting("after-backup", 1)
    ui_dialogs.confirm_answer = False
    dialog.restore_button.click()
    assert window.store.setting("after-backup") == 1


def test_choosing_the_backup_folder(window, qtbot, ui_dialogs, tmp_path):
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    ui_dialogs.folder = str(tmp_path / "U盘")
    dialog.folder_button.click()
    assert str(tmp_path / "U盘") in dialog.folder_label.text()
    back_up(qtbot, dialog)
    assert list((tmp_path / "U盘").glob("selfcheck-*.db"))


def test_backups_on_the_databases_own_disk_are_advised_elsewhere(window, qtbot, ui_dialogs, small_disk):
    """By default the backups are beside the database: one failing disk takes both. 备份与恢复
    says so where the folder is chosen, and stops once the folder is on another disk (a stick:
    here a filesystem of its own)."""
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.disk_note.isVisible() and "同一个磁盘分区" in dialog.disk_note.text()
    assert "“备份位置”" in dialog.disk_note.text()
    ui_dialogs.folder = str(small_disk("8M"))
    dialog.folder_button.click()
    assert ui_dialogs.folder in dialog.folder_label.text()
    assert not dialog.disk_note.isVisible() and dialog.disk_note.text() == ""


def test_the_damaged_dialog_offers_the_newest_good_backup_and_says_what_is_lost(qtbot, store, db_path):
    import datetime as dt

    made = backup_service.backup_now(store)
    dialog = DamagedDialog(None, db_path, "快速检查发现问题：Page 5 …", made)
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"{made.made_at:%Y-%m-%d %H:%M:%S}" in text and "丢失" in text and str(db_path) in text
    assert made.made_at <= dt.datetime.now()
    dialog.restore_button.click()
    assert dialog.chosen == made.path


def test_the_damaged_dialog_at_start_tells_in_chinese_and_shows_sqlites_words_on_request(
    qtbot, store, db_path, monkeypatch
):
    """It said "快速检查（quick_check）发现问题：database disk image is malformed"."""
    store.close()
    damage_table(db_path, "answers")
    shown: list[DamagedDialog] = []

    def show(dialog: DamagedDialog) -> QDialog.DialogCode:
        qtbot.addWidget(dialog)
        dialog.show()
        shown.append(dialog)
        return QDialog.DialogCode.Rejected  # 退出

    monkeypatch.setattr(DamagedDialog, "exec", show)
    assert application.open_database(db_path) is None
    [dialog] = shown
    read = " ".join(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())
    assert "检查结果：“自查结果”部分的数据已损坏，无法完整读取。" in read
    assert not re.search("[A-Za-z]{3,}", read.replace(str(db_path), ""))  # no English sentence to read
    assert dialog.detail is not None and dialog.detail.isHidden()
    dialog.detail_button.click()
    assert dialog.detail.isVisible()
    detail = dialog.detail.toPlainText()
    assert detail.startswith("技术信息（SQLite 的检查结果，供技术人员参考）：\n") and re.search("[a-z]{4,}", detail)


def test_newest_good_backup_skips_a_damaged_newer_one(store, db_path, demo_round):
    older = backup_service.backup_now(store)
    newer = backup_service.backup_now(store)
    damage_table(newer.path, "answers")
    found, skipped = backup_service.newest_good_backup(db_path)
    assert found.path == older.path and skipped == [f"{newer.path.name}：“自查结果”部分的数据已损坏，无法完整读取"]


def test_a_damaged_database_at_start_is_restored_from_the_backup(started, store, db_path, demo_round, ui_dialogs):
    made = backup_service.backup_now(store)
    store.close()
    damage_table(db_path, "answers")
    ui_dialogs.restore_choice = made.path
    _window, new_store, _ = started(db_path)
    [(shown, problem)] = ui_dialogs.damaged
    assert shown == db_path and problem == "“自查结果”部分的数据已损坏，无法完整读取。"
    assert re.search("[a-z]{4,}", ui_dialogs.damage_details[0])  # SQLite's words: apart
    assert len(new_store.answers(demo_round)) > 50
    assert "已从备份" in ui_dialogs.infos[0] and list(db_path.parent.glob("selfcheck.before-restore-*"))


def test_a_damaged_database_at_start_changes_nothing_when_the_user_quits(started, store, db_path, ui_dialogs):
    store.close()
    damage_table(db_path, "answers")
    before = db_path.read_bytes()
    assert started(db_path) is None
    assert ui_dialogs.damaged and db_path.read_bytes() == before


def test_damaged_attachments_are_found_after_the_window_is_up(
    started, qtbot, store, db_path, demo_round, ui_dialogs, actor
):
    """Start-up checks the records before the window (the attachments' bytes, 850 MB after two
    years of scans, took seconds there), then the whole file in the background: damage to the
    attachments' pages still gets the damaged-database dialog, once the window is up."""
    from tests.helpers import damage_attachment_pages

    fields = {"round_id": demo_round, "item_id": "qyx-core.01.1", "filename": "扫描件.pdf", "sha256": "x"}
    store.add_attachment({**fields, "media_type": "application/pdf", "size": 200_000}, b"\xab" * 200_000, actor)
    store.close()
    damage_attachment_pages(db_path)
    window, _store, _ = started(db_path)
    assert window.isVisible() and not ui_dialogs.damaged
    qtbot.waitUntil(lambda: bool(ui_dialogs.damaged), timeout=10_000)
    [(shown, problem)] = ui_dialogs.damaged
    assert shown == db_path and problem == "“附件”部分的数据已损坏，无法完整读取。"


def test_damage_met_while_working_offers_the_backup_not_a_crash(
    window, db_path, demo_round, ui_dialogs, tmp_path, monkeypatch
):
    """Defect 6.1 in the GUI: the excepthook answers a damaged read with the damaged-database dialog."""
    from app.ui import tasks

    monkeypatch.setattr(tasks, "error_log", None)  # install_excepthook points it at this test's log
    application.install_excepthook(tmp_path / "error.log")
    copy = tmp_path / "copy.db"
    backup_service.backup_now(window.store, out=copy)
    damage_table(copy, "answers")
    spoilt = open_store(copy)
    try:
        spoilt.answers(demo_round)
    except DamagedError:
        sys.excepthook(*sys.exc_info())
    finally:
        spoilt.close()
    assert ui_dialogs.damaged and "已损坏" in ui_dialogs.damaged[0][1]
    assert ui_dialogs.errors == []  # not the generic “unexpected error”


def test_an_empty_file_is_not_made_a_database_without_asking(started, tmp_path, ui_dialogs):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    ui_dialogs.confirm_answer = False
    assert started(path) is None
    assert "空的" in ui_dialogs.confirms[0] and path.read_bytes() == b""


def test_on_a_new_pc_the_first_run_wizard_restores_a_backup_from_a_stick(
    started, qtbot, store, demo_round, tmp_path, monkeypatch, ui_dialogs
):
    """A new PC, or the program installed again after a fault: the first thing shown is the
    profile wizard, and the way back to the office's data was only behind it, under 文件 →
    备份与恢复 (review of the help and texts, session 13). The wizard offers the backup."""
    from app.ui.qt import QPushButton

    (tmp_path / "U盘").mkdir()
    stick = backup_service.backup_now(store, "manual", tmp_path / "U盘" / "自查备份.db")
    offered = []

    def choose_restore(wizard) -> int:
        button = next(b for b in wizard.findChildren(QPushButton) if b.text() == "从备份恢复(&R)…")
        offered.append(button.isVisibleTo(wizard.basic))
        button.click()
        return wizard.result()

    monkeypatch.setattr(ProfileWizard, "exec", choose_restore)
    ui_dialogs.files = [str(stick)]
    window, _store, _instance = started(tmp_path / "新电脑" / "selfcheck.db")
    assert offered == [True]
    assert "自查备份.db" in ui_dialogs.confirms[-1] and "已恢复" in ui_dialogs.infos[-1]
    assert [r.id for r in window.store.rounds()] == [demo_round] and window.store.answers(demo_round)
    assert not any("尚未填写医院基本情况" in text for text in ui_dialogs.infos)


def test_choosing_no_backup_brings_back_the_wizard_as_it_was(started, tmp_path, monkeypatch, ui_dialogs):
    """从备份恢复, then 取消 in the file dialog: the wizard comes back with what was typed in it
    (a new, blank one came; diff review)."""
    from app.ui.qt import QPushButton

    shown = []

    def exec_(wizard) -> int:
        shown.append((wizard, wizard.basic.ui.nameEdit.text()))
        if len(shown) == 1:
            wizard.basic.ui.nameEdit.setText("城关镇卫生院")
            next(b for b in wizard.findChildren(QPushButton) if b.text() == "从备份恢复(&R)…").click()
        return wizard.result()

    monkeypatch.setattr(ProfileWizard, "exec", exec_)
    ui_dialogs.files = []  # the file dialog cancelled
    started(tmp_path / "新电脑" / "selfcheck.db")
    assert len(shown) == 2 and shown[1] == (shown[0][0], "城关镇卫生院")
    assert "尚未填写医院基本情况" in ui_dialogs.infos[-1]


def test_leaving_the_first_run_wizard_names_the_restore_too(started, tmp_path, ui_dialogs):
    started(tmp_path / "新电脑" / "selfcheck.db")  # the wizard is closed at once (exec → 0)
    assert "文件 → 备份与恢复 → 从其他文件恢复" in ui_dialogs.infos[-1]


def test_the_first_open_of_the_day_backs_up(started, qtbot, store, db_path, demo_round):
    """In the background, after the window is up; once a day."""
    store.close()
    window, _, _ = started(db_path)
    qtbot.waitUntil(lambda: "已自动备份" in window.saved_label.text(), timeout=10000)
    [made] = list_backups(db_path.parent / "backups", db_path)
    assert made.reason == "daily"
    from app.ui.backups_dialog import daily_backup

    daily_backup(window)  # a second time the same day: nothing
    qtbot.wait(300)
    assert len(list_backups(db_path.parent / "backups", db_path)) == 1


def test_closing_after_changes_backs_up(store, actor, demo_round, db_path):
    baseline = store.conn.total_changes
    assert backup_on_close(store, baseline) is None  # nothing changed
    store.set_setting("x", 1)
    made = backup_on_close(store, baseline)
    assert made is not None and made.reason == "close"


def test_database_check_from_the_help_menu(window, qtbot, ui_dialogs):
    window.check_database()
    qtbot.waitUntil(lambda: bool(ui_dialogs.infos), timeout=10000)
    # what the box says is for the quality office; SQLite's words are behind 显示详情 (review, session 13)
    assert ui_dialogs.infos[0].startswith("数据库完好，可以继续使用。") and "立即备份" in ui_dialogs.infos[0]
    assert not re.search(r"[a-z_]{4,}|SQLite", ui_dialogs.infos[0].split("（")[0])
    details = ui_dialogs.info_details[0]
    assert "完好（ok）" in details and "FULL" in details and "结论：正常" in details


def test_a_second_launch_brings_the_running_window_to_the_front(started, qtbot, store, db_path, ui_dialogs):
    store.close()
    _window, _, instance = started(db_path)
    qtbot.waitUntil(lambda: instance.server is not None, timeout=3000)
    with qtbot.waitSignal(instance.activated, timeout=3000):
        assert started(db_path) is None
    assert ui_dialogs.errors == []


def test_a_lock_left_by_a_killed_program_never_blocks_the_start(
    started, store, db_path, ui_dialogs, lock_holder, monkeypatch
):
    from app.ui import application

    monkeypatch.setattr(application, "LOCK_WAIT_S", 0.5)  # the holder does not let go by itself
    store.close()
    holder = lock_holder(db_path)
    assert started(db_path) is None and "已在另一个窗口中打开" in ui_dialogs.errors[-1]  # alive: told
    holder.kill()
    holder.wait()
    assert started(db_path) is not None  # killed: its lock went with it
    assert Path(f"{db_path}.lock").exists()


READ_ONLY_GUI = """
import resource, signal, sys
from pathlib import Path
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from app.ui import application, dialogs
from app.ui.profile_wizard import ProfileWizard
ProfileWizard.exec = lambda self: 0
told = []
dialogs.info = lambda parent, message: told.append(message)
dialogs.error = lambda parent, message: told.append("ERROR " + message)
app = application.create_application(sys.argv[:1])
resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # from here on the disk is full
window, store, instance = application.start(Path(sys.argv[1]))
from app.ui.qt import QTimer
QTimer.singleShot(1500, app.quit)
app.exec()
print(repr(store.read_only))
print(len(window.walkthrough.items) if window.walkthrough else "rounds", store.rounds()[0].name)
print("\\n".join(told))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_on_a_full_disk_the_gui_opens_read_only_and_says_so(store, demo_round, db_path, tmp_path):
    """Defect 6.9: nothing could be read from a full disk or read-only media."""
    import os

    store.set_setting("ui.position", {"round_id": demo_round, "item_id": "qyx-core.03.2"})
    store.close()
    before = db_path.read_bytes()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MQSC_DATA_DIR": str(tmp_path)}
    (tmp_path / "device-id").write_text("test-pc", encoding="ascii")
    result = subprocess.run(
        [sys.executable, "-c", READ_ONLY_GUI, str(db_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    read_only, shown, *told = result.stdout.splitlines()
    assert "磁盘已满" in read_only
    assert shown.split()[0].isdigit()  # the round the user left is shown
    assert any("只读方式打开" in line for line in told) and not any(line.startswith("ERROR") for line in told)
    assert db_path.read_bytes() == before

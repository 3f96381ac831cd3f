"""Start-up: a database that cannot be used gets a dialog naming the file; bad checklist files
are skipped with a message; the first run asks for the hospital profile."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from app.ui import application
from app.ui.profile_wizard import ProfileWizard
from tests.conftest import ROOT


@pytest.fixture
def started(qtbot):
    windows = []

    def run(db_path, **kw):
        result = application.start(db_path, **kw)
        if result is not None:
            window, store, lock = result
            qtbot.addWidget(window)
            windows.append((window, store, lock))
        return result

    yield run
    for window, store, lock in windows:
        window.close()  # before its store: no timer of a closed window reaches a closed store
        store.close()
        lock.unlock()


@pytest.fixture
def no_wizard(monkeypatch):
    """The first-run wizard is modal; here it is answered “cancel”."""
    monkeypatch.setattr(ProfileWizard, "exec", lambda self: 0)


def test_corrupt_database_gets_a_dialog_naming_the_file(tmp_path, ui_dialogs, started):
    path = tmp_path / "坏的.db"
    path.write_bytes(b"garbage" * 500)
    assert started(path) is None  # the damaged-database dialog was answered “退出”
    [(shown, problem)] = ui_dialogs.damaged
    assert shown == path and str(path) in problem and "已损坏" in problem
    assert path.read_bytes() == b"garbage" * 500


def test_second_instance_on_the_same_database_is_told_so(
    tmp_path, ui_dialogs, started, no_wizard, demo_round, db_path, monkeypatch
):
    monkeypatch.setattr(application, "LOCK_WAIT_S", 0.5)  # the first window does not let go
    first = started(db_path)
    assert first is not None
    assert started(db_path) is None
    assert "已在另一个窗口中打开" in ui_dialogs.errors[-1]


def test_a_launch_waits_for_a_closing_window_to_let_go(
    ui_dialogs, started, no_wizard, demo_round, db_path, lock_holder
):
    """A window closing makes its last backup (seconds on a large database) holding the lock, and
    answers no launch: the launch used to end there, silently, and no window came up."""
    lock_holder(db_path, release_after=1.5)
    assert started(db_path) is not None
    assert ui_dialogs.errors == []


def test_invalid_checklist_files_are_skipped_and_named(qtbot, tmp_path, ui_dialogs, started, no_wizard):
    from app.catalog import BUILTIN_DIR

    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "qyx-core.yaml").write_bytes((BUILTIN_DIR / "qyx-core.yaml").read_bytes())
    (folder / "broken.yaml").write_text("id: [", encoding="utf-8")
    window = started(tmp_path / "db.sqlite", catalog_paths=[folder])[0]
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=3000)  # checked just after the window shows
    assert [c.id for c in window.catalog().checklists] == ["qyx-core"]
    assert "broken.yaml" in ui_dialogs.errors[0] and "没有配对" in ui_dialogs.errors[0]


def test_many_checklist_problems_keep_the_message_short_and_list_them_all_behind_details(
    qtbot, tmp_path, ui_dialogs, started, no_wizard
):
    """A message box does not scroll: ten problems made it taller than a 1024×700 screen."""
    folder = tmp_path / "lists"
    folder.mkdir()
    for n in range(6):
        (folder / f"broken{n}.yaml").write_text("id: [", encoding="utf-8")
    started(tmp_path / "db.sqlite", catalog_paths=[folder])
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=3000)
    message, details = ui_dialogs.errors[0], ui_dialogs.error_details[0]
    assert all(f"broken{n}.yaml" in message for n in range(6))  # every file skipped is named
    assert message.count("没有配对") == 3 and "共 6 处错误" in message
    assert details.count("没有配对") == 6


def test_first_run_without_profile_reminds_the_user(tmp_path, ui_dialogs, started, no_wizard):
    started(tmp_path / "new.db")
    assert "尚未填写医院基本情况" in ui_dialogs.infos[0]


def test_restores_the_last_round_on_start(ui_dialogs, started, no_wizard, store, demo_round, db_path):
    store.set_setting("ui.position", {"round_id": demo_round, "item_id": "qyx-core.03.2"})
    store.close()
    window = started(db_path)[0]
    assert window.walkthrough.tree.current_item_id() == "qyx-core.03.2"


RUN_GUI = """
import gc, sys
from pathlib import Path
gc.disable()  # as main.py does
from app.ui.application import create_application, run_gui
from app.ui.qt import QTimer
app = create_application(sys.argv[:1])
QTimer.singleShot(0, lambda: (print("collector on:", gc.isenabled(), flush=True), app.quit()))
sys.exit(run_gui(sys.argv[:1], Path(sys.argv[1])))
"""


def test_run_gui_turns_the_collector_back_on_once_the_window_is_up(store, demo_round, db_path, tmp_path):
    """main.py turns the cyclic garbage collector off while the GUI starts (bench/startup.py);
    the running program has it on again. In its own process: quitting the application is final."""
    store.set_setting("ui.position", {"round_id": demo_round, "item_id": "qyx-core.03.2"})
    store.close()
    (tmp_path / "device-id").write_text("test-pc", encoding="ascii")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MQSC_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_GUI, str(db_path)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "collector on: True" in result.stdout


def test_qt_file_dialog_speaks_chinese(qtbot, tmp_path):
    """Qt's zh_CN translation leaves the file dialog's 'Look in:' and 'Files of type:' in English."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    from app.ui.application import create_application

    create_application([])
    (tmp_path / "folder").mkdir()
    dialog = QFileDialog(None, "选择上报包", str(tmp_path), "上报包 (*.zip)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    assert not [
        t
        for t in texts
        if any(
            ch.isascii() and ch.isalpha()
            for ch in t.replace("&", "").replace("(L)", "").replace("(T)", "").replace("(N)", "")
        )
    ], texts


def test_qt_print_dialog_speaks_chinese(qtbot):
    """打印 → 选项 showed 'Page Set:': every label and button of the print dialog is Chinese."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

    from app.ui.application import create_application

    create_application([])
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [w.text() for w in dialog.findChildren(QLabel) + dialog.findChildren(QAbstractButton)]
    texts += [box.title() for box in dialog.findChildren(QGroupBox)]
    english = [t for t in texts if re.search("[A-Za-z]{3}", t.replace("PDF", ""))]
    assert english == [], english


def test_without_a_display_the_gui_says_so_in_chinese(tmp_path):
    """No X or Wayland display (a remote shell, a service): Qt aborted with English and code 134."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["MQSC_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, str(ROOT / "main.py")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1, result
    assert "没有可用的图形显示" in result.stderr and "could not connect" not in result.stderr


def test_the_window_opens_whole_on_the_screen(ui_dialogs, started, no_wizard, demo_round, db_path):
    """At 1366×740 on a 1366×768 PC the window's borders went past the screen's free area and its
    status bar under the task bar (Qt does not shrink a window to the screen): here, on an
    800×800 screen, the window and its frame are on the screen."""
    window = started(db_path)[0]
    assert window.screen().availableGeometry().contains(window.frameGeometry())


@pytest.mark.parametrize(
    ("free", "maximised"),
    [
        ((1366, 728), True),  # 1366×768 less the task bar
        ((1280, 680), True),  # 1920×1080 at 150%
        ((1024, 660), True),
        ((1536, 824), False),  # 1920×1080 at 125%: room for the window and its frame
    ],
)
def test_the_window_is_maximised_where_it_would_not_fit(
    monkeypatch, ui_dialogs, started, no_wizard, demo_round, db_path, free, maximised
):
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QScreen

    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(0, 0, *free))
    window = started(db_path)[0]
    assert window.isMaximized() == maximised
    if not maximised:
        assert (window.width(), window.height()) == application.WINDOW_SIZE

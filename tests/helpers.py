"""Plain helpers the tests share; the fixtures built on them are in conftest.py."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent


class CliResult(NamedTuple):
    """A command's exit code and output, under the names subprocess.run gives them."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: object) -> CliResult:
    """``python main.py ARGS`` in this process: coverage sees the CLI, and no interpreter starts
    (≈0.3 s each). ``app.cli.main`` returns the exit code and closes what it opened."""
    from app.cli import main

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return CliResult(code, out.getvalue(), err.getvalue())


def run_main_py(*args: object, env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
    """``python main.py ARGS`` as a process of its own: for what the process boundary is about
    (start-up, the exit code main.py gives the shell, limits set on the process)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )
    return CliResult(result.returncode, result.stdout, result.stderr)


#: how another program takes each lock, in a script that gets the database as argv[1]
_LOCKS = {
    # the instance lock the GUI holds (store/lock.py)
    "instance": "from app.store.lock import InstanceLock\nlock = InstanceLock(sys.argv[1])\nassert lock.acquire()\n",
    # SQLite's write lock, as another writer (a backup tool, a second program) holds it
    "write": "c = sqlite3.connect(sys.argv[1], isolation_level=None)\nc.execute('BEGIN IMMEDIATE')\n",
    # no other connection may even read
    "exclusive": (
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA locking_mode = EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE')\n"
    ),
}


def hold_lock(path: Path, lock: str = "instance", release_after: float | None = None) -> subprocess.Popen[str]:
    """Another process holding ``lock`` on the database at ``path``, returned once it has it.
    With ``release_after`` it lets go (a write lock commits) after that many seconds; without,
    it holds on until killed (conftest's ``lock_holder`` kills it after the test)."""
    script = "import sqlite3, sys, time\n" + _LOCKS[lock] + "print('locked', flush=True)\n"
    if release_after is None:
        script += "time.sleep(60)\n"
    else:
        script += f"time.sleep({release_after})\n" + ("c.execute('COMMIT')\n" if lock == "write" else "")
    holder = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    return holder


def damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage (the header page stays intact)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(bytes((i * 37 + 11) % 256 for i in range(page_size)))


def damage_attachment_pages(path: Path, fill: bytes = b"\xab") -> None:
    """Break the chain of pages holding an attachment's bytes (all ``fill``): one of its overflow
    pages points past the end of the file. The records are sound; only the whole file's check,
    or reading that attachment, finds it. The database must be closed (no WAL)."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = path.read_bytes()
    body = fill * (page_size - 4)  # an overflow page: the next page's number, then the bytes
    for start in range(0, len(data), page_size):
        if data[start + 4 : start + page_size] == body and data[start : start + 4] != bytes(4):
            with open(path, "r+b") as f:
                f.seek(start)
                f.write(b"\x7f\xff\xff\x00")
            return
    raise AssertionError("no page of the attachment's bytes found")


def type_with_input_method(widget: object, text: str) -> None:
    """``text`` committed by an input method, as a Chinese IME (or its full-width mode) sends it:
    QTest's key clicks carry Latin-1 characters only."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


#: the indicator whose baseline a re-check round leaves out: compared with the previous round
RECHECK_NO_BASELINE = "qyx-targets-2021.1.1.rate"


def start_recheck_of_demo(store, catalog, actor, first: str) -> str:
    """A re-check round (复查轮次) of the demo round ``first``, made as a reviewer made one: the
    first round's answers and sampled records again, every other D now B (its finding dropped),
    and RECHECK_NO_BASELINE without its baseline. Returns the round id."""
    import datetime as dt

    from app.services.answers import SampleInput, record_answer, set_samples
    from app.services.rectifications import start_recheck_round
    from app.services.rounds import load_round

    used = {c.id for c in load_round(store, first).checklists}
    entries = [e for e in catalog.entries if e.checklist.id in used]
    second = start_recheck_round(
        store, entries, "2025年第二季度医疗质量自查", dt.date(2025, 6, 15), actor, previous_round_id=first
    )
    for n, row in enumerate(store.answers(first)):
        fields = {
            k: getattr(row, k)
            for k in ("grade", "na_reason", "numerator", "denominator", "value", "baseline", "finding", "evidence")
        }
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        if fields.get("grade") == "D" and n % 2:
            fields["grade"] = "B"
            fields.pop("finding", None)
        if row.item_id == RECHECK_NO_BASELINE:
            fields.pop("baseline", None)
        records = store.samples(first, row.item_id)
        if records:
            samples = [SampleInput(r.record_no, r.compliant, r.note) for r in records]
            set_samples(store, second, row.item_id, samples, actor)
        record_answer(store, second, row.item_id, actor, department=row.department, **fields)
    return second


# --- the keyboard alone: keys go where the focus is, as a user's do --------------------------


def press(key: Any, modifier: Any = None) -> None:
    """``key`` (with ``modifier``) pressed where the keyboard is: the open menu, else the widget
    with the focus. Fails when no widget has it: a user's keys would go nowhere. What the key
    posted (a widget shown by a layout, a queued redraw) is done before the next one, as it is
    between a user's keys."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    target = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert target is not None, "no widget has the focus: the keys go nowhere"
    QTest.keyClick(target, key, modifier or Qt.KeyboardModifier.NoModifier)
    QApplication.processEvents()


def press_alt(letter: str) -> None:
    """Alt+letter, and the 100 ms a button pressed by its mnemonic takes to click (animateClick)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    press(getattr(Qt.Key, f"Key_{letter.upper()}"), Qt.KeyboardModifier.AltModifier)
    QTest.qWait(150)


def activate(window: Any) -> None:
    """Make ``window`` the active one, as the window manager does when a dialog over it closes
    (the offscreen platform leaves no window active then), once no dialog is left over it (a
    progress dialog closes a moment after its work is done)."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    for _ in range(500):
        if QApplication.activeModalWidget() in (None, window):
            break
        QTest.qWait(10)
    # a progress dialog hidden and deleted a moment later can take the activation with it on the
    # offscreen platform (no window manager gives it back): activate again until it stays
    for _ in range(20):
        window.activateWindow()
        assert QTest.qWaitForWindowActive(window)
        QTest.qWait(20)
        if QApplication.activeWindow() is window:
            return
    raise AssertionError("the window does not stay active")


def when_modal(act: Callable[[Any], None]) -> None:
    """``act(dialog)`` once the next modal dialog is open and has the keyboard: its exec() blocks
    the test until it closes, so the keys for it are pressed from the dialog's own event loop."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    before = QApplication.activeModalWidget()

    def check(tries: int = 0) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog is before or QApplication.activeWindow() is not dialog:
            assert tries < 500, "no dialog opened"
            QTimer.singleShot(10, lambda: check(tries + 1))
            return
        try:
            act(dialog)
        finally:
            if dialog.isVisible():  # left open by a failing step: the test fails, it does not hang
                dialog.reject()

    QTimer.singleShot(0, check)


def wait_exposed(qtbot: Any, widget: Any) -> None:
    """Wait until ``widget``'s window is exposed. (``qtbot.waitExposed`` is a context manager
    around the ``show()``: called on its own it returns at once and waits for nothing.)"""
    qtbot.waitUntil(lambda: widget.windowHandle() is not None and widget.windowHandle().isExposed())


def fill_up(disk: Path) -> None:
    """Fill the filesystem of the folder ``disk`` (a tmpfs from the ``small_disk`` fixture)."""
    with (disk / "fill").open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass


def offline_prefix() -> list[str]:
    """``unshare -n`` where it is permitted (a command run after it has no network at all), else
    nothing: the tests that prove a report is made offline still run where unshare is refused."""
    import shutil

    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    return []

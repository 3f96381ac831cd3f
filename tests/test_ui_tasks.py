"""Background jobs: the progress dialog shows within 0.3 s, and reports steps when asked."""

from __future__ import annotations

import threading
import time

from app.ui.tasks import run_in_background


def test_progress_shows_within_a_third_of_a_second(qtbot):
    release = threading.Event()
    results = []
    job = run_in_background(None, "正在生成……", lambda: release.wait(10), results.append, results.append)
    started = time.perf_counter()
    qtbot.waitUntil(lambda: job.progress.isVisible(), timeout=2000)
    assert time.perf_counter() - started < 0.6  # 0.3 s by the timer, with room for a busy machine
    release.set()
    qtbot.waitUntil(lambda: results == [True], timeout=5000)


def test_progress_steps_reach_the_dialog(qtbot):
    release = threading.Event()
    results = []

    def work(progress):
        progress(2, 5, "附件 照片.png")
        release.wait(10)
        return "done"

    job = run_in_background(None, "正在导出……", work, results.append, results.append, reports_progress=True)
    qtbot.waitUntil(lambda: job.progress.maximum() == 5 and job.progress.value() == 2, timeout=2000)
    assert "附件 照片.png" in job.progress.labelText()
    release.set()
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)


def test_an_unforeseen_failure_is_logged_and_told_without_pythons_words(qtbot, tmp_path, monkeypatch):
    """A KeyError in an export said 程序出现意外错误（技术信息：KeyError: 'x'） where the quality
    office reads; the traceback now goes to the error log, and the message names the file."""
    from app.errors import AppError
    from app.ui import tasks

    monkeypatch.setattr(tasks, "error_log", tmp_path / "error.log")
    failures: list[Exception] = []

    def work():
        return {}["病案号"]

    run_in_background(None, "正在导出……", work, failures.append, failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    told = tasks.failure_text(failures[0])
    assert told.startswith("程序出现意外错误") and str(tmp_path / "error.log") in told and "KeyError" not in told
    assert "KeyError: '病案号'" in (tmp_path / "error.log").read_text(encoding="utf-8")
    assert tasks.failure_text(AppError("磁盘已满")) == "磁盘已满"  # our own words are told as they are

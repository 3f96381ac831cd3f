"""Long work off the GUI thread, through one helper (as Anki's QueryOp).

``run_in_background(parent, label, work, on_done, on_error)`` runs ``work()`` in the thread
pool while a progress dialog shows, then calls ``on_done(result)`` or ``on_error(exc)`` on the
GUI thread. The window keeps repainting and stays responsive meanwhile.

``work`` must not touch widgets or the GUI's database connection: it opens what it needs
(e.g. its own Store on the same file; SQLite in WAL mode lets it read while the GUI writes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .qt import QObject, QProgressDialog, QRunnable, Qt, QThreadPool, QWidget, Signal

#: where an unforeseen failure's traceback is written (application.install_excepthook sets it)
error_log: Path | None = None


def failure_text(exc: Exception) -> str:
    """What a background job's failure says to the user: an AppError's own words; else that
    something unforeseen happened and where its details are (Python's words, ``KeyError: …``,
    were in the sentence the quality office reads)."""
    from ..errors import AppError

    if isinstance(exc, AppError):
        return exc.user_message
    where = f"请把这个文件交给维护本程序的人员：{error_log}" if error_log else ""
    return f"程序出现意外错误，操作没有完成。{where}"


def write_error_log(text: str, path: Path | None = None) -> None:
    """``text`` appended to the error log (``path``, else :data:`error_log`); a log that cannot be
    written is let be: it is not what the user is doing."""
    path = path or error_log
    if path is None:
        return
    try:
        with path.open("a", encoding="utf-8") as log:
            log.write(text)
    except OSError:
        pass


def _log_unforeseen(exc: Exception) -> None:
    """The traceback of a failure no AppError explains, for whoever supports the program."""
    import traceback

    from ..errors import AppError

    if not isinstance(exc, AppError):
        write_error_log("".join(traceback.format_exception(exc)) + "\n")


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, work: Callable[..., Any], reports_progress: bool = False) -> None:
        super().__init__()
        self.work = work
        self.reports_progress = reports_progress
        self.signals = _Signals()

    def run(self) -> None:
        try:
            # progress crosses to the GUI thread as a queued signal: work never touches a widget
            result = self.work(self.signals.progress.emit) if self.reports_progress else self.work()
        except Exception as exc:  # handed to the GUI thread, which shows it
            _log_unforeseen(exc)
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


#: Jobs under way, kept referenced until they report (a collected job would lose its signals).
_running: set[_Job] = set()


def run_in_background(
    parent: QWidget | None,
    label: str,
    work: Callable[..., Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[Exception], None],
    *,
    reports_progress: bool = False,
) -> _Job:
    """``reports_progress``: ``work`` takes a ``progress(done, total, text)`` callable, shown as
    a bar and a line of text (e.g. which report of an upload package is being written)."""
    progress = QProgressDialog(label, "", 0, 0, parent)
    progress.setWindowTitle("请稍候")
    progress.setCancelButton(None)  # WeasyPrint cannot be interrupted midway
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    # Qt starts the dialog's show timer at 4 s when it is made, and moves it to a new minimum
    # duration only while the value is at its minimum: set the value first, or the first
    # feedback on a report comes after 4 s instead of 0.3 s
    progress.setValue(0)
    progress.setMinimumDuration(300)
    job = _Job(work, reports_progress)
    _running.add(job)
    job.progress = progress  # type: ignore[attr-defined]  # for tests: the dialog the user sees

    def advance(done: int, total: int, text: str) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        progress.setLabelText(f"{label}\n{text}")

    job.signals.progress.connect(advance)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        progress.reset()
        progress.deleteLater()
        _running.discard(job)
        callback(value)

    job.signals.done.connect(lambda result: finish(on_done, result))
    job.signals.failed.connect(lambda exc: finish(on_error, exc))
    QThreadPool.globalInstance().start(job)
    return job

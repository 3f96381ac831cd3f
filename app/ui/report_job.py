"""A report made in the background (报告 menu): HTML first, characters no font has told, then the
PDF or workbook in a worker thread with its own database connection, then the preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain.reports import REPORTS
from ..services.connection import own_connection
from . import dialogs
from .qt import QWidget
from .tasks import failure_text, run_in_background


class ReportJob:
    """One report of one round to ``out``; ``on_done(out, warnings)`` once it is written."""

    def __init__(
        self,
        parent: QWidget,
        db_path: Path,
        round_id: str,
        kind: str,
        out: Path,
        on_done: Callable[[Path, tuple[str, ...]], None],
    ) -> None:
        self.parent, self.db_path, self.round_id, self.kind, self.out = parent, db_path, round_id, kind, out
        self.fmt = out.suffix.lstrip(".").lower()
        report = REPORTS[kind]
        self.title = report.title if self.fmt == "pdf" else report.workbook_title
        self.on_done = on_done
        self.task: Any = None  # the running background task, referenced until it reports

    def start(self) -> None:
        if self.fmt == "pdf":  # the HTML first (milliseconds), so that missing glyphs are told before
            self.task = run_in_background(
                self.parent, f"正在准备{self.title}……", self._prepare, self._prepared, self._failed
            )
        else:
            self.task = run_in_background(self.parent, f"正在生成{self.title}……", self._write, self._done, self._failed)

    def _prepare(self) -> Any:
        from ..render import build_html

        with own_connection(self.db_path) as store:  # the GUI's connection stays on the GUI thread
            return build_html(store, self.round_id, self.kind, dt.date.today())

    def _prepared(self, source: Any) -> None:
        if source.warnings and not dialogs.confirm(self.parent, "\n".join(source.warnings) + "\n\n仍要生成报告吗？"):
            return
        from ..render import write_report

        self.task = run_in_background(
            self.parent, f"正在生成{self.title}……", lambda: write_report(source, self.out), self._done, self._failed
        )

    def _write(self) -> Any:
        from ..render.registry import render

        with own_connection(self.db_path) as store:
            return render(store, self.round_id, self.kind, self.out)

    def _done(self, result: Any) -> None:
        self.on_done(self.out, tuple(result.warnings))

    def _failed(self, exc: Exception) -> None:
        message = failure_text(exc)
        dialogs.error(self.parent, f"生成{self.title}失败：{message}")

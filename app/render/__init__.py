"""PDF reports (自查报告, 整改报告): report model → Jinja HTML → WeasyPrint PDF.

No Qt, and no WeasyPrint at import time (it is imported when a report is rendered), so the
program starts fast. See docs/reports.md for fonts, the URL fetcher and the layout choices.

Typical use::

    result = render_report(store, round_id, "self", Path("自查报告.pdf"), today=date.today())

The GUI can split it: ``build_html`` on the GUI thread (it reads the database, in milliseconds),
``write_report`` in a background job (WeasyPrint, about a second).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.reports import REPORTS
from ..errors import InputError
from .collector import collect_garbage, fewer_collections
from .fonts import FontMissingError, resolve_fonts

if TYPE_CHECKING:
    from ..store import Store
    from .pdf import RenderResult

__all__ = ["FontMissingError", "ReportSource", "build_html", "render_report", "write_report"]


@dataclass(frozen=True)
class ReportSource:
    """A report ready for WeasyPrint: its HTML and the attachments it shows (id → (bytes, media type))."""

    html: str
    images: dict[str, tuple[bytes, str]]
    #: problems found before rendering, for the user (characters no installed font has …)
    warnings: tuple[str, ...] = ()


def build_html(store: Store, round_id: str, kind: str, today: dt.date) -> ReportSource:
    """Read the round and lay out the report's HTML (milliseconds; the only step that reads the database).

    Raises FontMissingError before doing any work when no Chinese font is installed.
    """
    from .glyphs import coverage, mark_missing, needs_check
    from .html import render_html

    if kind not in REPORTS:
        raise InputError(f"报告类型应为 {'、'.join(REPORTS)} 之一。", "kind")
    with fewer_collections():
        fonts = resolve_fonts()
        report = _builder(REPORTS[kind].builder)(store, round_id, today, fonts.body.family)
        # Pango falls back to any installed font that has a character; one that none has is printed
        # as its code point, and named to the user now, before the PDF is made.
        html = render_html(report)
        warnings: list[str] = []
        if needs_check(html):
            html, warnings = mark_missing(html, coverage(fonts.files))
    return ReportSource(html, report.images, tuple(warnings))


def _builder(name: str) -> Callable[..., Any]:
    """The registry's builder: ``function`` of render/model.py, ``module:function`` of another."""
    module, _, function = name.rpartition(":")
    return getattr(importlib.import_module(f".{module or 'model'}", __name__), function)


def write_report(source: ReportSource, out: Path) -> RenderResult:
    """Render ``source`` to the PDF file ``out`` (about a second: run it off the GUI thread)."""
    with fewer_collections():  # WeasyPrint's import too
        from .assets import TEMPLATE_DIR
        from .fetcher import ReportFetcher
        from .pdf import write_pdf

        fonts = resolve_fonts()
        fetcher = ReportFetcher(roots=[TEMPLATE_DIR], files=fonts.files, attachments=source.images)
        result = write_pdf(source.html, Path(out), fonts=fonts, fetcher=fetcher)
    collect_garbage()  # WeasyPrint's cycles, here in the report's thread: not later in the window's
    return dataclasses.replace(result, warnings=source.warnings + result.warnings)


def render_report(store: Store, round_id: str, kind: str, out: Path, *, today: dt.date | None = None) -> RenderResult:
    """Render the ``kind`` report of the round to the PDF file ``out``: build_html, then write_report."""
    return write_report(build_html(store, round_id, kind, today or dt.date.today()), out)

"""HTML → PDF with WeasyPrint, written atomically, with WeasyPrint's warnings collected.

Imported only when a report is rendered: importing WeasyPrint takes about half a second.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import AppError, os_reason
from ..files import write_atomically
from .assets import TEMPLATE_DIR
from .collector import fewer_collections
from .engine import weasyprint
from .fetcher import Fetched, ReportFetcher
from .fonts import ReportFonts

__all__ = ["RenderResult", "harfbuzz_subsetting", "write_pdf"]

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderResult:
    path: Path
    pages: int
    #: WeasyPrint's warnings (missing glyphs, refused resources …), for the log and the user
    warnings: tuple[str, ...]
    #: every URL the document asked for, served or refused
    requests: tuple[Fetched, ...]
    seconds: float


def harfbuzz_subsetting() -> bool:
    """True when WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (slow)."""
    ffi = weasyprint.text.ffi
    return bool(ffi.harfbuzz_subset) and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _collect_warnings() -> Iterator[list[str]]:
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def write_pdf(html: str, out: Path, *, fonts: ReportFonts, fetcher: ReportFetcher) -> RenderResult:
    """Render ``html`` to ``out``. The file appears complete or not at all: the PDF is rendered in
    memory, written to a temporary file beside ``out`` and renamed over it (see app.files); a
    temporary file left by a report that was killed is removed then."""
    started = time.perf_counter()
    out = Path(out)
    if not out.parent.is_dir():
        raise AppError(f"保存位置“{out.parent}”不存在，请选择其他文件夹。")
    font_config = weasyprint.text.fonts.FontConfiguration()
    with _collect_warnings() as messages, fewer_collections():
        document = weasyprint.HTML(string=html, base_url=TEMPLATE_DIR.as_uri() + "/", url_fetcher=fetcher).render(
            stylesheets=[weasyprint.CSS(string=fonts.css(), font_config=font_config, url_fetcher=fetcher)],
            font_config=font_config,
        )
        pdf = document.write_pdf()  # in memory: a report killed while rendering leaves no file
        try:
            write_atomically(out, pdf)  # temporary file, fsync, rename, fsync of the folder
        except OSError as exc:
            raise AppError(f"无法保存报告“{out}”：{os_reason(exc)}") from exc
    for message in messages:
        LOG.warning("WeasyPrint: %s", message)
    return RenderResult(
        out, len(document.pages), tuple(messages), tuple(fetcher.requests), time.perf_counter() - started
    )

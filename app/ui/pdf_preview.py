"""报告预览: a report's pages in the program, printed from there — no PDF viewer needed.

A fresh 信创 desktop or a locked-down PC may have no PDF viewer, yet the reports must be printed
to be signed and sealed. Pages are drawn with PDFium (pypdfium2, a small wheel with no Qt
module behind it; QtPdf would mean PySide6-Addons) and printed through Qt's print dialog
(printer, copies, page range; duplex in the printer's own properties).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from . import dialogs
from .item_editors import advice_label, plain_label
from .qt import (
    QDialog,
    QEvent,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from .screen import fit_to_screen

#: Screen pages are laid out at this many dots per inch (A4 ≈ 800 px wide) and drawn at it times
#: the screen's device pixel ratio (1.5 at 150 %), so that text is as sharp as the screen allows;
#: printing uses the printer's resolution, capped so a page never needs more than ≈35 MB of memory
SCREEN_DPI = 96
MAX_PRINT_DPI = 300
#: the preview's size, where the pages are no wider (a portrait A4 page is ≈800 px at SCREEN_DPI)
PREVIEW_SIZE = (900, 700)
PAGE_BORDER = 1
#: pages drawn beyond those in view, above and below: the next one is there when scrolled to
NEIGHBOURS = 1


def _around_pages(layout: QVBoxLayout, scroll: QScrollArea, column: QVBoxLayout) -> int:
    """How much wider the dialog is than a page in it: margins, the scroll area's frame and its
    vertical scroll bar, the page's border."""
    margins = layout.contentsMargins().left() + layout.contentsMargins().right()
    margins += column.contentsMargins().left() + column.contentsMargins().right()
    return margins + 2 * scroll.frameWidth() + scroll.verticalScrollBar().sizeHint().width() + 2 * PAGE_BORDER


def _image(page: Any, dpi: float) -> Any:
    """A PDFium page as a QImage at ``dpi``."""
    from PySide6.QtGui import QImage

    picture = page.render(scale=dpi / 72).to_pil().convert("RGB")
    width, height = picture.size
    return QImage(picture.tobytes(), width, height, width * 3, QImage.Format.Format_RGB888).copy()


def no_preview_text(path: Path) -> str:
    """What the user is told when PDFium cannot be loaded (an installation missing a file): the
    report is there all the same, and where."""
    return (
        f"报告已保存：{path}\n\n但程序内的预览无法打开：程序的 PDF 显示组件没有找到或无法载入，"
        "本程序的安装可能不完整，请重新安装。\n\n现在打开报告所在的文件夹，用其他程序打开或打印吗？"
    )


def preview(path: Path, parent: QWidget | None = None, note: str = "") -> None:
    """报告预览 of a written report, with ``note`` over the pages (a draft's mark); where PDFium
    cannot be loaded, says so and offers the folder."""
    try:
        import pypdfium2  # noqa: F401  (loads the PDFium library: ImportError or OSError without it)
    except (ImportError, OSError):
        if dialogs.confirm(parent, no_preview_text(path)):
            dialogs.open_in_viewer(path.parent)
        return
    PreviewDialog(path, parent, note).exec()


class PreviewDialog(QDialog):
    """The pages are drawn when they come into view (with a neighbour each side) and dropped when
    scrolled far away: at 150 % an A4 page is ≈8 MB, and a hospital's self report runs to dozens
    of pages. Until drawn a page is a blank sheet of its size, so the scroll bar is right at once."""

    def __init__(self, path: Path, parent: QWidget | None = None, note: str = "") -> None:
        import pypdfium2

        super().__init__(parent)
        self.path = Path(path)
        self.document = pypdfium2.PdfDocument(str(self.path))
        self.setWindowTitle(f"报告预览 — {self.path.name}")
        layout = QVBoxLayout(self)
        where = plain_label(f"{self.path}（共 {len(self.document)} 页）")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        self.note = advice_label(note)  # what to know before printing: a draft's mark
        layout.addWidget(self.note)
        pages = QWidget()
        self.column = column = QVBoxLayout(pages)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.view = QScrollArea()
        self.view.setWidget(pages)
        self.view.setWidgetResizable(True)
        self.view.setStyleSheet("QScrollArea { background: #808080; }")
        layout.addWidget(self.view, 1)
        #: each page's (width, height) in points
        self.page_sizes = [self.document.get_page_size(n) for n in range(len(self.document))]
        # as wide as the widest page (the 整改报告 is A4 landscape), as the screen allows; the
        # pages are drawn to the width there is, so that a line is read without scrolling sideways
        self.widest = max((width for width, _ in self.page_sizes), default=0) * SCREEN_DPI / 72
        self.around = _around_pages(layout, self.view, column)
        fit_to_screen(self, max(PREVIEW_SIZE[0], math.ceil(self.widest) + self.around), PREVIEW_SIZE[1])
        self.page_labels: list[QLabel] = []
        for _ in self.page_sizes:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet(f"border: {PAGE_BORDER}px solid #bbb; background: white;")
            column.addWidget(label)
            self.page_labels.append(label)
        #: the pages that have a picture, by index: the (dpi, device pixel ratio) it was drawn at
        self.drawn: dict[int, tuple[float, float]] = {}
        self.dpi = 0.0
        self._fit_pages()
        # drawn once the layout has settled: after a resize, a scroll, a move to another screen
        self._draw_later = QTimer(self)
        self._draw_later.setSingleShot(True)
        self._draw_later.setInterval(0)
        self._draw_later.timeout.connect(self.draw_visible)
        self.view.verticalScrollBar().valueChanged.connect(lambda _value: self._draw_later.start())
        buttons = QHBoxLayout()
        for text, slot in (
            ("打印(&P)…", self.print_dialog),
            ("另存为(&S)…", self.save_as),
            ("打开所在文件夹(&F)", self.open_folder),
            ("用系统阅读器打开(&V)", self.open_viewer),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            button.setAutoDefault(False)  # Enter while reading the pages opened the print dialog
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.message = plain_label("")
        layout.addWidget(self.message)

    def _fit_pages(self) -> None:
        """Size the pages to the dialog's width (never above SCREEN_DPI); drawn again when in view."""
        width = self.width() - self.around
        dpi = SCREEN_DPI * min(1.0, width / self.widest) if self.widest > 0 else SCREEN_DPI
        if dpi == self.dpi:
            return
        self.dpi = dpi
        for label, (width_pt, height_pt) in zip(self.page_labels, self.page_sizes, strict=True):
            size = (round(width_pt * dpi / 72), round(height_pt * dpi / 72))
            label.setFixedSize(size[0] + 2 * PAGE_BORDER, size[1] + 2 * PAGE_BORDER)

    def draw_visible(self) -> None:
        """Draw the pages in view and their neighbours at the screen's resolution; drop the rest."""
        if not self.isVisible() or not self.page_labels:
            return
        self.column.activate()  # the pages where they are now, not all at the top before the first layout
        ratio = self.devicePixelRatioF()
        top = self.view.verticalScrollBar().value()
        bottom = top + self.view.viewport().height()
        seen = [n for n, page in enumerate(self.page_labels) if page.y() < bottom and page.geometry().bottom() >= top]
        if not seen:
            return
        wanted = range(max(0, seen[0] - NEIGHBOURS), min(len(self.page_labels), seen[-1] + 1 + NEIGHBOURS))
        for n in [n for n in self.drawn if n not in wanted]:
            self.page_labels[n].clear()
            del self.drawn[n]
        for n in wanted:
            if self.drawn.get(n) != (self.dpi, ratio):
                self.page_labels[n].setPixmap(self._pixmap(n, ratio))
                self.drawn[n] = (self.dpi, ratio)

    def _pixmap(self, n: int, ratio: float) -> Any:
        """Page ``n`` (0-based) at ``ratio`` device pixels to each of the page's logical pixels."""
        from PySide6.QtGui import QPixmap

        pixmap = QPixmap.fromImage(_image(self.document[n], self.dpi * ratio))
        pixmap.setDevicePixelRatio(ratio)
        return pixmap

    def event(self, event: QEvent) -> bool:
        # moved to a screen of another scale, or the scale changed: draw at the new resolution
        if event.type() == QEvent.Type.DevicePixelRatioChange:
            self._draw_later.start()
        return super().event(event)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._draw_later.start()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_pages()
        self._draw_later.start()

    def print_dialog(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.path.stem)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, len(self.document))
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        first, last = printer.fromPage(), printer.toPage()
        pages = range(first - 1, last) if first and last else range(len(self.document))
        printed = self.print_pages(printer, pages)
        self.message.setText(f"已发送到打印机：{printed} 页。")

    def print_pages(self, printer: Any, pages: range) -> int:
        """Draw ``pages`` (0-based) on ``printer``, each fitted to the printable area; returns the count."""
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QPainter

        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            dialogs.error(self, "无法开始打印：打印机不可用或已取消。")
            return 0
        count = 0
        try:
            for n in pages:
                if count:
                    printer.newPage()
                image = _image(self.document[n], dpi)
                area = painter.viewport()
                size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.setViewport(QRect(area.x(), area.y(), size.width(), size.height()))
                painter.setWindow(image.rect())
                painter.drawImage(0, 0, image)
                painter.setViewport(area)
                count += 1
        finally:
            painter.end()
        return count

    def save_as(self) -> None:
        import shutil

        target = dialogs.save_file(self, "另存为", self.path.name, "PDF 文件 (*.pdf)")
        if not target:
            return
        out = Path(target if target.lower().endswith(".pdf") else target + ".pdf")
        try:
            shutil.copyfile(self.path, out)
        except OSError as exc:
            from ..errors import os_reason

            self.message.setText(f"无法另存为“{out}”：{os_reason(exc)}")
            return
        self.message.setText(f"已另存为 {out}")

    def open_folder(self) -> None:
        dialogs.open_in_viewer(self.path.parent)

    def open_viewer(self) -> None:
        dialogs.open_in_viewer(self.path)

    def done(self, result: int) -> None:
        self._draw_later.stop()
        self.document.close()
        super().done(result)

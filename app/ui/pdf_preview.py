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
from .item_editors import plain_label
from .qt import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .screen import fit_to_screen

#: Screen pages are drawn at this many dots per inch (A4 ≈ 800 px wide); printing uses the
#: printer's resolution, capped so a page never needs more than ≈35 MB of memory
SCREEN_DPI = 96
MAX_PRINT_DPI = 300
#: the preview's size, where the pages are no wider (a portrait A4 page is ≈800 px at SCREEN_DPI)
PREVIEW_SIZE = (900, 700)
PAGE_BORDER = 1


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


class PreviewDialog(QDialog):
    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        import pypdfium2

        super().__init__(parent)
        self.path = Path(path)
        self.document = pypdfium2.PdfDocument(str(self.path))
        self.setWindowTitle(f"报告预览 — {self.path.name}")
        layout = QVBoxLayout(self)
        where = plain_label(f"{self.path}（共 {len(self.document)} 页）")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(where)
        pages = QWidget()
        column = QVBoxLayout(pages)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidget(pages)
        scroll.setWidgetResizable(True)
        scroll.setStyleSheet("QScrollArea { background: #808080; }")
        layout.addWidget(scroll, 1)
        # as wide as the widest page (the 整改报告 is A4 landscape), as the screen allows; the
        # pages are drawn to the width there is, so that a line is read without scrolling sideways
        widest = max((page.get_width() for page in self.document), default=0) * SCREEN_DPI / 72
        around = _around_pages(layout, scroll, column)
        fit_to_screen(self, max(PREVIEW_SIZE[0], math.ceil(widest) + around), PREVIEW_SIZE[1])
        dpi = SCREEN_DPI * min(1.0, (self.width() - around) / widest) if widest else SCREEN_DPI
        self.page_labels: list[QLabel] = []
        from PySide6.QtGui import QPixmap

        for page in self.document:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(_image(page, dpi)))
            label.setStyleSheet(f"border: {PAGE_BORDER}px solid #bbb; background: white;")
            column.addWidget(label)
            self.page_labels.append(label)
        buttons = QHBoxLayout()
        for text, slot in (
            ("打印(&P)…", self.print_dialog),
            ("另存为(&S)…", self.save_as),
            ("打开所在文件夹(&F)", self.open_folder),
            ("用系统阅读器打开(&V)", self.open_viewer),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.message = plain_label("")
        layout.addWidget(self.message)

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

        target = dialogs.save_file(self, "另存为", str(Path.home() / self.path.name), "PDF 文件 (*.pdf)")
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
        self.document.close()
        super().done(result)

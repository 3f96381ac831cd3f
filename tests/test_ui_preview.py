"""报告预览: the pages shown in the program and printed from there (no PDF viewer needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from pypdf import PdfReader

from app.render import render_report
from app.ui.pdf_preview import PreviewDialog


@pytest.fixture
def report(store, demo_round, tmp_path):
    return render_report(store, demo_round, "rectification", tmp_path / "整改报告.pdf", today=dt.date(2025, 6, 30))


def test_preview_shows_every_page_and_prints_a_range(qtbot, report, tmp_path, ui_dialogs):
    from PySide6.QtPrintSupport import QPrinter

    dialog = PreviewDialog(report.path)
    qtbot.addWidget(dialog)
    assert len(dialog.page_labels) == report.pages
    assert all(label.pixmap().width() > 700 for label in dialog.page_labels)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a real print path, to a file
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    assert dialog.print_pages(printer, range(1, report.pages)) == report.pages - 1
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == report.pages - 1


def test_preview_save_as_and_folder(qtbot, report, tmp_path, ui_dialogs):
    dialog = PreviewDialog(report.path)
    qtbot.addWidget(dialog)
    ui_dialogs.save_path = str(tmp_path / "副本")
    dialog.save_as()
    assert (tmp_path / "副本.pdf").read_bytes() == report.path.read_bytes()
    dialog.open_folder()
    assert ui_dialogs.opened == [report.path.parent]

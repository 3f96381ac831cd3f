"""Rendering through the report registry (app/domain/reports.py): a kind and a file suffix in,
the right writer called (WeasyPrint for PDF, XlsxWriter for Excel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..domain.reports import FORMATS, REPORTS, ReportKind
from ..errors import InputError
from ..store import Store

__all__ = ["FORMATS", "REPORTS", "Rendered", "ReportKind", "format_of", "render", "write_workbook"]

#: The upload package's workbook: every sheet
PACKAGE_SHEETS = ("自查结果", "整改台账", "指标")


@dataclass(frozen=True)
class Rendered:
    path: Path
    format: str
    #: pages of a PDF, sheets of a workbook
    parts: int
    warnings: tuple[str, ...] = ()


def format_of(path: Path, kind: str | None = None) -> str:
    """The format a file name asks for, by its suffix; with ``kind``, one that report is made in."""
    fmt = Path(path).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(
            f"不支持的报告格式“{Path(path).suffix or Path(path).name}”：输出文件应以 "
            + "、".join(f".{f}" for f in FORMATS)
            + " 结尾。",
            "out",
        )
    if kind is not None and fmt not in (report := _kind(kind)).formats:
        raise InputError(
            f"{report.title}只能生成 " + "、".join(f".{f}" for f in report.formats) + f" 文件，不能生成 .{fmt}。", "out"
        )
    return fmt


def _kind(kind: str) -> ReportKind:
    if kind not in REPORTS:
        raise InputError(f"报告类型应为 {'、'.join(REPORTS)} 之一。", "kind")
    return REPORTS[kind]


def render(store: Store, round_id: str, kind: str, out: Path, *, today: dt.date | None = None) -> Rendered:
    """Write the ``kind`` report of the round to ``out``, in the format its suffix names."""
    report = _kind(kind)
    fmt = format_of(out, kind)
    today = today or dt.date.today()
    if fmt == "pdf":
        from . import render_report

        result = render_report(store, round_id, kind, Path(out), today=today)
        return Rendered(result.path, fmt, result.pages, result.warnings)
    from .xlsx import write_workbook as write_xlsx

    sheets = write_xlsx(store, round_id, Path(out), report.sheets, today=today, title=report.workbook_title)
    return Rendered(Path(out), fmt, sheets)


def write_workbook(store: Store, round_id: str, out: Path, *, today: dt.date | None = None) -> Rendered:
    """The upload package's 自查结果.xlsx: results, ledger and indicators in one workbook."""
    from .xlsx import write_workbook as write_xlsx

    sheets = write_xlsx(store, round_id, Path(out), PACKAGE_SHEETS, today=today, title="自查结果")
    return Rendered(Path(out), "xlsx", sheets)

"""报告登记表 (report registry): every report the program makes, in every format it makes it.

The CLI's ``report`` command, the GUI's 报告 menu and the upload package all read this table
(app/render/registry.py renders from it), so a new report or format is one entry here and one
writer, not a change in three places. Plain data: the GUI builds its menu from it at start-up
without importing any rendering code.
"""

from __future__ import annotations

from dataclasses import dataclass

#: File formats, by suffix, and what the user calls them
FORMATS = {"pdf": "PDF", "xlsx": "Excel 工作簿"}


@dataclass(frozen=True)
class ReportKind:
    """A report: its CLI name, its title (PDF), its workbook title and sheets (Excel)."""

    kind: str
    title: str
    workbook_title: str
    sheets: tuple[str, ...]
    formats: tuple[str, ...] = ("pdf", "xlsx")

    def file_name(self, fmt: str) -> str:
        return f"{self.title if fmt == 'pdf' else self.workbook_title}.{fmt}"


REPORTS: dict[str, ReportKind] = {
    "self": ReportKind("self", "自查报告", "自查结果", ("自查结果", "指标")),
    "rectification": ReportKind("rectification", "整改报告", "整改台账", ("整改台账",)),
}

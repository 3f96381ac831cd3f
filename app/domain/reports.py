"""报告登记表 (report registry): every report the program makes, in every format it makes it.

The CLI's ``report`` command, the GUI's 报告 menu and the upload package all read this table
(app/render/registry.py renders from it), so a new report is one entry here, its model builder
in app/render/model.py and its template in reports/ — not a change in three places. A new format
is a suffix in FORMATS and a writer in the registry. Plain data: the GUI builds its menu from it at
start-up without importing any rendering code (builders are named, not imported).
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import safe_file_name

#: File formats, by suffix, and what the user calls them
FORMATS = {"pdf": "PDF", "xlsx": "Excel 工作簿"}


@dataclass(frozen=True)
class ReportKind:
    """A report: its CLI name, its title (PDF), its workbook title and sheets (Excel), the function
    of app/render/model.py that builds its model and the template in reports/ that lays it out."""

    kind: str
    title: str
    workbook_title: str
    sheets: tuple[str, ...]
    #: ``function`` of app/render/model.py, or ``module:function`` of another module there
    builder: str
    template: str
    formats: tuple[str, ...] = ("pdf", "xlsx")
    #: a round not yet 定稿 prints it with the 自查稿 mark (a report of results); a blank form has none
    marks_draft: bool = True

    def draft(self, is_final: bool) -> bool:
        """Printed with the 自查稿 mark: a kind that carries it, of a round not yet 定稿."""
        return self.marks_draft and not is_final

    def file_name(self, fmt: str) -> str:
        return f"{self.title if fmt == 'pdf' else self.workbook_title}.{fmt}"

    def suggested_name(self, hospital: str, round_name: str, fmt: str) -> str:
        """``<医院>_<轮次>_自查报告.pdf``, safe as a file name on Windows and Linux: a hospital
        named ``XX县人民医院/XX县医共体总院`` or a round ``第1轮:院级`` made a name Windows' save
        dialog refused, or a folder that does not exist."""
        parts = (safe_file_name(hospital, 40, "医院"), safe_file_name(round_name, 40, "自查"), self.file_name(fmt))
        return "_".join(parts)


REPORTS: dict[str, ReportKind] = {
    "self": ReportKind("self", "自查报告", "自查结果", ("自查结果", "指标"), "build_self_report", "self_report.html"),
    "rectification": ReportKind(
        "rectification",
        "整改报告",
        "整改台账",
        ("整改台账",),
        "build_rectification_report",
        "rectification_report.html",
    ),
    # printed before the inspection, to fill in on paper round the departments
    "form": ReportKind(
        "form",
        "现场检查记录表",
        "",
        (),
        "inspection_form:build_inspection_form",
        "inspection_form.html",
        formats=("pdf",),
        marks_draft=False,
    ),
    # handed to each 责任科室 after the inspection: its open rectifications, to answer and sign
    "notice": ReportKind(
        "notice",
        "整改通知单",
        "",
        (),
        "rectification_notice:build_rectification_notice",
        "rectification_notice.html",
        formats=("pdf",),
        marks_draft=False,
    ),
}

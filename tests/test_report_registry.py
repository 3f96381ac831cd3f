"""A report is one entry in the registry (app/domain/reports.py): the CLI, the GUI's 报告 menu and
rendering all find a new one there, with no other change (the architecture issue's worked example)."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest

from app import cli
from app.domain import reports
from app.domain.reports import REPORTS

#: a report made of the self-inspection model and template, under a name of its own
BRIEF = dataclasses.replace(REPORTS["self"], kind="brief", title="自查简报", workbook_title="自查简表")


@pytest.fixture
def with_brief(monkeypatch):
    monkeypatch.setitem(reports.REPORTS, "brief", BRIEF)


def test_the_cli_renders_a_new_report_from_its_entry(with_brief, demo_file, tmp_path, capsys):
    db, round_id = demo_file
    out = tmp_path / "简报.pdf"
    assert cli.main(["report", "--db", str(db), "--round", round_id, "--kind", "brief", "--out", str(out)]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "自查" in text and out.stat().st_size > 10_000
    assert (
        cli.main(
            ["report", "--db", str(db), "--round", round_id, "--kind", "brief", "--out", str(out.with_suffix(".xlsx"))]
        )
        == 0
    )
    assert out.with_suffix(".xlsx").exists()


def test_the_menu_offers_a_new_report_from_its_entry(with_brief, qtbot, store, catalog, actor, demo_round, ui_dialogs):
    from app.ui.main_window import MainWindow

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.report_menu.actions()]
    assert "生成自查简报 PDF…" in texts and "导出自查简表 Excel…" in texts


def test_an_unknown_report_is_refused_by_name(demo_file, tmp_path, capsys):
    db, round_id = demo_file
    assert (
        cli.main(["report", "--db", str(db), "--round", round_id, "--kind", "brief", "--out", str(tmp_path / "x.pdf")])
        == 1
    )
    assert "brief" in capsys.readouterr().err


@pytest.mark.parametrize("kind", REPORTS)
def test_a_suggested_report_name_is_a_file_name_on_windows(kind):
    """A hospital named ``XX县人民医院/XX县医共体总院`` or a round ``第1轮:院级`` made a name Windows'
    save dialog refused, or a folder that did not exist (Windows review)."""
    report = REPORTS[kind]
    name = report.suggested_name("甲县人民医院/甲县医共体总院", '第1轮:院级"抽查"?', "pdf")
    assert name == f"甲县人民医院_甲县医共体总院_第1轮_院级_抽查___{report.title}.pdf"
    assert not set(name) & set('<>:"/\\|?*')
    if "xlsx" in report.formats:
        assert report.suggested_name(" ", "...", "xlsx") == f"医院_自查_{report.workbook_title}.xlsx"


@pytest.mark.parametrize("kind", REPORTS)
def test_every_entry_names_a_builder_and_a_template_that_exist(kind):
    """Builders are named, not imported (the menu is built at start-up without rendering code): a
    misspelt name would fail only when a user asked for that report."""
    from app.render import _builder
    from app.render.assets import TEMPLATE_DIR

    report = REPORTS[kind]
    assert callable(_builder(report.builder))
    assert (TEMPLATE_DIR / report.template).is_file()
    assert set(report.formats) <= set(reports.FORMATS) and report.formats


def test_save_dialogs_open_in_documents_then_where_the_user_saved_last(qtbot, tmp_path, monkeypatch):
    """The home folder (``C:\\Users\\张三``) is not among Explorer's quick access: reports saved
    there were hard to find again. The first save goes to 文档, the next where the user chose."""
    from app.ui import dialogs

    documents = tmp_path / "文档"
    documents.mkdir()
    config = tmp_path / ".config"
    config.mkdir()  # as a Chinese 统信UOS desktop names it, in xdg-user-dirs' file
    (config / "user-dirs.dirs").write_text('XDG_DOCUMENTS_DIR="$HOME/文档"\n', encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setattr(dialogs, "_last_folder", None)
    assert dialogs.save_folder() == documents
    usb = tmp_path / "U盘"
    usb.mkdir()
    dialogs.remember_save_folder(str(usb / "自查报告.pdf"))
    assert dialogs.save_folder() == usb
    usb.rmdir()  # the stick taken out
    assert dialogs.save_folder() == documents

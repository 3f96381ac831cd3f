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

"""上报包 in the GUI: export, import preview with conflicts side by side, aggregation, Excel reports."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtTest import QTest

from app.domain.formats import cn_local_time, size_text
from app.exchange.export import export_package
from app.exchange.merge import plan_import
from app.exchange.verify import open_package
from app.services.attachments import list_attachments
from app.ui import dialogs
from app.ui.exchange_dialogs import AggregateDialog, ExportDialog, ImportDialog
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication
from tests.test_exchange import DAY, Departments, _both_change_the_shared_item
from tests.test_merge_fields import both_change_the_owner

SHOTS = os.environ.get("MQSC_SCREENSHOTS")  # a folder: save what the user sees (bench/screenshots.py)


def _shot(widget, name: str) -> None:
    if SHOTS:
        widget.resize(1366, 768) if widget.isWindow() and widget.width() > 1366 else None
        QApplication.processEvents()  # the layout the user sees, as the event loop finishes it
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def test_export_dialog_shows_what_goes_in_and_writes_the_package(qtbot, store, demo_round, ui_dialogs, tmp_path):
    dialog = ExportDialog(store, demo_round)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "附件" in dialog.attachments.text() and not dialog.patient_ids.isChecked()
    assert "病案号" in dialog.privacy.text()
    # a draft's reports carry 自查稿: said before the package is made, with where to finalise
    assert not dialog.draft.isHidden() and f"“报告 → {dialogs.FINAL_ACTION}”" in dialog.draft.text()
    out = tmp_path / "上报包.zip"
    ui_dialogs.save_path = str(out)
    ui_dialogs.confirm_answer = True
    _shot(dialog, "export-dialog")
    dialog.export()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    day = dt.date.today().strftime("%Y%m%d")
    assert ui_dialogs.suggested.endswith(f"示例县人民医院_2025年第一季度医疗质量自查_{day}.zip")
    assert open_package(out).manifest["patient_ids"] == "pseudonymised"
    assert ui_dialogs.opened == [tmp_path], "the user chose to open the folder"
    assert "请原样发送这个 zip 文件" in ui_dialogs.confirms[-1]  # re-zipped packages fail the check
    # the demo round has no attachment: the import preview does not say 含附件 (review, item 12)
    assert open_package(out).source_text().endswith("病案号已脱敏　无附件")


def test_export_dialog_of_a_final_round_says_nothing_of_a_draft(qtbot, store, demo_round, actor):
    from app.services.rounds import set_round_final

    set_round_final(store, demo_round, True, actor)
    dialog = ExportDialog(store, demo_round)
    qtbot.addWidget(dialog)
    assert dialog.draft.isHidden() and dialog.draft.text() == ""


def test_export_dialog_tells_a_missing_code_before_and_the_reports_warnings_after(
    qtbot, store, demo_round, actor, ui_dialogs, tmp_path
):
    """A character no font has was printed as [U+20000], said by the CLI and never by the window;
    a hospital without a code learns only at the commission that its name is all that tells it."""
    import dataclasses

    from app.services.answers import record_answer
    from app.services.profile import get_profile, save_profile

    dialog = ExportDialog(store, demo_round)
    qtbot.addWidget(dialog)
    assert dialog.no_code.isHidden()  # the demo hospital has its code
    from app.catalog import load_catalog
    from app.services.rounds import start_round

    save_profile(store, dataclasses.replace(get_profile(store), code=""), actor)
    dialog = ExportDialog(store, demo_round)
    qtbot.addWidget(dialog)
    assert dialog.no_code.isHidden()  # the round keeps the code it began with, and so does its package
    core = [e for e in load_catalog().entries if e.checklist.id == "qyx-core"]
    round_id = start_round(store, core, "二季度", dt.date(2025, 6, 1), actor)
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", finding="姓名用字𠀀")
    dialog = ExportDialog(store, round_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.no_code.isHidden() and "城关镇卫生院" in dialog.no_code.text()
    ui_dialogs.save_path = str(tmp_path / "p.zip")
    ui_dialogs.confirm_answer = False
    dialog.export()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    assert "注意：" in ui_dialogs.confirms[-1] and "U+20000" in ui_dialogs.confirms[-1]


@pytest.fixture
def conflicting(tmp_path, catalog):
    d = Departments(tmp_path, catalog)
    from_a, from_b = _both_change_the_shared_item(d)
    from app.exchange.merge import apply_import

    apply_import(d.office, plan_import(d.office, open_package(from_a)), d.office_actor)
    return d, from_b


@pytest.mark.slow  # ≈5–8 s: the conflicting fixture exports four packages
def test_import_preview_lists_conflicts_side_by_side_and_applies_the_choice(qtbot, conflicting, ui_dialogs):
    d, from_b = conflicting
    plan = plan_import(d.office, open_package(from_b))
    dialog = ImportDialog(d.office, d.office_actor, plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "冲突 1 条" in dialog.summary.text()
    assert dialog.table.rowCount() == 2, "one row per conflicting field, each with its own choice"
    assert "没有共同的来源" in dialog.table.item(0, 1).text()
    assert dialog.table.rowSpan(0, 1) == 2
    assert (dialog.table.item(0, 2).text(), dialog.table.item(0, 3).text()) == ("等级：B", "等级：D")
    assert (dialog.table.item(1, 2).text(), dialog.table.item(1, 3).text()) == (
        "问题描述：内科：部分落实",
        "问题描述：外科：未落实",
    )
    who = dialog.table.item(0, 4).text()
    assert "内科" in who and "外科" in who
    when = cn_local_time(plan.conflicts[0].local.updated_at)  # as the CLI and the summary write it
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", when) and when in who
    _shot(dialog, "import-conflicts-apart")
    dialog.choose_all("package")
    dialog.apply()
    qtbot.waitUntil(lambda: dialog.result is not None)  # after the backup, made in the background
    assert (dialog.result.added, dialog.result.updated) == (2, 0), "the conflict is counted as one, not as an update"
    assert dialog.result.text().endswith("冲突 1（1 条采用上报包的值）")
    assert d.office.answer(d.round_id, d.SHARED).grade == "D"


@pytest.mark.slow  # ≈6 s: four packages exported
def test_import_preview_lists_only_the_fields_both_sides_changed(qtbot, tmp_path, catalog):
    """内科 changed the 整改措施 and the 责任人, 外科 the 原因分析 and the 责任人: only the 责任人
    is asked; the rest is merged, and the preview says so."""
    from app.services.rectifications import list_rectifications

    d = Departments(tmp_path, catalog)
    _rect, from_b = both_change_the_owner(d, "内科：每周抽查抢救记录", "外科：人员不足")
    dialog = ImportDialog(d.office, d.office_actor, plan_import(d.office, open_package(from_b)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 1
    assert (
        "只有一方改过、已自动合并：\n"
        "　原因分析：采用上报包的“外科：人员不足”（本机原未填）\n"
        "　整改措施：保留本机的“内科：每周抽查抢救记录”（上报包未填）"
    ) in dialog.table.item(0, 1).text()
    assert (dialog.table.item(0, 2).text(), dialog.table.item(0, 3).text()) == ("责任人：张三", "责任人：李四")
    _shot(dialog, "import-conflicts")
    dialog.choose_all("package")
    dialog.apply()
    qtbot.waitUntil(lambda: dialog.result is not None)
    assert dialog.result.text().endswith("冲突 1（1 条采用上报包的值）")
    [entry] = list_rectifications(d.office, d.round_id, DAY)
    stored = entry.rectification
    assert (stored.cause, stored.measure, stored.owner) == ("外科：人员不足", "内科：每周抽查抢救记录", "李四")


@pytest.mark.slow  # ≈5–8 s: the conflicting fixture exports four packages
def test_import_preview_default_keeps_ours(qtbot, conflicting):
    d, from_b = conflicting
    dialog = ImportDialog(d.office, d.office_actor, plan_import(d.office, open_package(from_b)))
    qtbot.addWidget(dialog)
    dialog.apply()
    qtbot.waitUntil(lambda: dialog.result is not None)
    assert d.office.answer(d.round_id, d.SHARED).grade == "B"


def test_the_backup_before_an_import_is_made_off_the_window_thread(
    qtbot, store, demo_round, catalog, actor, tmp_path, monkeypatch
):
    """导入 backs up a database with something to lose first: two years with their scans (850 MB)
    took seconds, on the window's thread. The backup is made in the background on a connection of
    its own; the import, on the window's connection, does not make a second one."""
    import threading

    from app.services import backups
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.store import open_store
    from app.store.backup import list_backups

    package = export_package(store, demo_round, tmp_path / "demo.zip", attachments=False, today=DAY).path
    office = open_store(tmp_path / "office" / "selfcheck.db")
    save_profile(office, DEMO_PROFILE, actor)  # something to lose
    made: list[tuple[threading.Thread, object]] = []
    real = backups.backup_before

    def backup_before(conn, db_path, what):
        made.append((threading.current_thread(), conn))
        return real(conn, db_path, what)

    monkeypatch.setattr(backups, "backup_before", backup_before)
    dialog = ImportDialog(office, actor, plan_import(office, open_package(package)))
    qtbot.addWidget(dialog)
    dialog.apply()
    qtbot.waitUntil(lambda: dialog.result is not None)
    [(thread, conn)] = made
    assert thread is not threading.main_thread() and conn is not office.conn
    assert [b.reason for b in list_backups(office.path.parent / "backups", office.path)] == ["import"]
    assert office.rounds() and dialog.result.added > 0
    office.close()


def test_a_preview_without_conflicts_leaves_no_window_behind(qtbot, store, demo_round, actor, tmp_path):
    """The conflicts table is laid out only when there are conflicts; without any it had no
    parent: every import without a conflict (the usual one) left a hidden top-level table, whose
    header later called into the deleted dialog when the application's font changed."""
    from app.store import open_store
    from app.ui.qt import QApplication, QTableWidget

    package = export_package(store, demo_round, tmp_path / "demo.zip", attachments=False, today=DAY).path
    office = open_store(tmp_path / "office.db")

    def tables() -> int:
        return sum(isinstance(w, QTableWidget) for w in QApplication.topLevelWidgets())

    before = tables()
    dialog = ImportDialog(office, actor, plan_import(office, open_package(package)))
    assert not dialog.plan.conflicts and dialog.table.isHidden()
    assert tables() == before
    dialog.deleteLater()
    office.close()


def test_the_preview_shows_every_warning_of_the_package(qtbot, store, demo_round, actor, tmp_path):
    """The preview showed the first five warnings and dropped the rest without a word: a package
    that brought back eight rectifications deleted here said so of five."""
    from app.store import open_store
    from app.ui.qt import QLabel, QPlainTextEdit

    package = export_package(store, demo_round, tmp_path / "demo.zip", attachments=False, today=DAY).path
    office = open_store(tmp_path / "office.db")
    plan = plan_import(office, open_package(package))
    plan.warnings.extend(f"整改项：第{n}项：已在本机删除，已按上报包恢复。" for n in range(1, 9))
    dialog = ImportDialog(office, actor, plan)
    qtbot.addWidget(dialog)
    shown = "\n".join(
        [label.text() for label in dialog.findChildren(QLabel)]
        + [box.toPlainText() for box in dialog.findChildren(QPlainTextEdit)]
    )
    assert all(f"第{n}项" in shown for n in range(1, 9)), shown
    assert f"注意（{len(plan.warnings)} 条）" in shown
    office.close()


def test_another_hospitals_package_is_asked_about_plainly(
    qtbot, profiled_store, demo_file, catalog, actor, ui_dialogs, tmp_path
):
    """The question said 未导入 and then asked whether to import, and named a command-line option
    to a user at the window (review, item 12): it asks, before anything is imported, in the
    window's words."""
    from app.store import open_store
    from app.ui import dialogs
    from app.ui.qt import QMessageBox

    path, round_id = demo_file
    demo = open_store(path)
    out = export_package(demo, round_id, tmp_path / "另一家.zip", attachments=False).path
    demo.close()
    window = MainWindow(profiled_store, lambda: catalog, actor)
    qtbot.addWidget(window)
    ui_dialogs.files = [str(out)]
    ui_dialogs.confirm_answer = False
    window.import_package()
    qtbot.waitUntil(lambda: bool(ui_dialogs.confirms), timeout=30_000)
    [question] = ui_dialogs.confirms
    assert question.startswith("上报包属于“示例县人民医院”，本数据库是“测试县人民医院”的。\n")
    assert "本数据库是否用于汇总多家医院（如医共体牵头医院）？" in question
    # a lasting choice: the buttons say what they do, not 是 / 否
    assert ui_dialogs.confirm_buttons == [("用于汇总多家医院，导入", "不导入")]
    assert "点“不导入”：什么也不改" in question
    assert not any(words in question for words in ("未导入", "--multi-hospital", "命令行"))
    assert profiled_store.rounds() == [], "answered 否: nothing imported"
    if SHOTS:
        buttons = QMessageBox.StandardButton
        box = dialogs._box(window, QMessageBox.Icon.Question, question, buttons.Yes | buttons.No)
        box.show()  # a message box sizes itself to its text when shown
        _shot(box, "import-other-hospital")
        box.close()


def test_the_preview_says_what_attachments_the_package_holds(store, demo_round, actor, tmp_path):
    """“含附件” was shown whatever the package held (review, item 12): it says what it holds."""
    from app.services.attachments import add_attachment
    from tests.test_exchange import _png

    def header(name: str, **options) -> str:
        out = export_package(store, demo_round, tmp_path / f"{name}.zip", today=DAY, **options).path
        return open_package(out).source_text().splitlines()[1]

    add_attachment(store, demo_round, _png(tmp_path / "制度文件.png"), actor, item_id="qyx-core.01.1")
    size = list_attachments(store, demo_round)[0].size
    assert header("with").endswith(f"　附件 1 个（{size_text(size)}）")
    assert header("without", attachments=False).endswith("　附件 1 个未随包提供")


def test_import_from_the_menu_verifies_first_and_refuses_a_broken_file(
    qtbot, store, demo_round, catalog, actor, ui_dialogs, tmp_path
):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    bad = tmp_path / "坏的.zip"
    bad.write_bytes(b"PK junk")
    ui_dialogs.files = [str(bad)]
    window.import_package()
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=10_000)
    assert "未通过校验" in ui_dialogs.errors[0] and "zip" in ui_dialogs.errors[0]


def test_aggregate_dialog_lists_hospitals_and_refused_packages(qtbot, store, demo_round, ui_dialogs, tmp_path):
    """The packages to ask for again come first: below 30 hospitals' rounds they were out of
    sight, and the line under the list did not count the copies not counted."""
    folder = tmp_path / "packages"
    (folder / "QQ接收").mkdir(parents=True)
    export_package(store, demo_round, folder / "示例.zip", attachments=False)
    shutil.copy(folder / "示例.zip", folder / "QQ接收" / "示例.zip")
    (folder / "坏的.zip").write_bytes(b"junk")
    dialog = AggregateDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    ui_dialogs.folder = str(folder)
    dialog.add_folder()
    dialog.sqlite.setChecked(True)
    ui_dialogs.save_path = str(tmp_path / "汇总.xlsx")
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    assert dialog.outcome.rowCount() == 3
    rows = [[dialog.outcome.item(r, c).text() for c in range(4)] for r in range(3)]
    assert rows[0][0] == "坏的.zip" and rows[0][3].startswith("未纳入：")
    # a copy not counted is a hospital's round: named as one, its file in the 说明
    assert rows[1][:2] == ["示例县人民医院", "2025年第一季度医疗质量自查"]
    assert rows[1][3].startswith("未计入“QQ接收/示例.zip”：重复的上报包：与“示例.zip”")
    assert rows[2][0] == "示例县人民医院"
    assert "（1 个上报包未通过校验，1 个因重复或有更新的导出未计入，列在最前）" in dialog.status.text()
    QApplication.processEvents()
    assert dialog.outcome.height() > 2 * dialog.sources.height(), "the outcome has the room, not the one folder"
    # each 说明 whole, on as many lines as it takes: one line each, the refusal lost what to do
    # (“…，请报…”) and the full text was only in a tooltip (review, scaling 2)
    from PySide6.QtCore import QRect, Qt

    outcome, metrics = dialog.outcome, dialog.outcome.fontMetrics()
    for row in range(3):
        room = QRect(0, 0, outcome.columnWidth(3) - 8, 10_000)
        needed = metrics.boundingRect(room, Qt.TextFlag.TextWordWrap, outcome.item(row, 3).text()).height()
        assert outcome.rowHeight(row) >= needed, (row, outcome.rowHeight(row), needed)
    assert (tmp_path / "汇总.xlsx").exists() and (tmp_path / "汇总.db").exists()
    assert (tmp_path / "汇总_汇总报告.pdf").exists()
    _shot(dialog, "aggregate")


def test_the_summary_does_not_replace_a_hospital_database_named_like_its_workbook(
    qtbot, store, demo_round, ui_dialogs, tmp_path
):
    """Saving 汇总.xlsx beside the program's own 汇总.db (kept for 多家医院 imports) asked only
    “以下文件已存在，将被覆盖” and then wrote the summary over that database; the command line
    refused the same (commission review)."""
    from app.store import open_store
    from app.store.schema import holds_our_data

    dialog, folder = _dialog_with_a_package(qtbot, store, demo_round, tmp_path)
    precious = tmp_path / "汇总.db"
    open_store(precious).close()
    before = precious.read_bytes()
    dialog.sources.addItem(str(folder))
    dialog.sqlite.setChecked(True)
    ui_dialogs.save_path = str(tmp_path / "汇总.xlsx")
    dialog.run()
    assert ui_dialogs.errors and "是本程序的数据库文件，不会被覆盖" in ui_dialogs.errors[-1]
    assert not ui_dialogs.confirms, "refused before it asks to overwrite"
    assert precious.read_bytes() == before and holds_our_data(precious)
    assert not (tmp_path / "汇总.xlsx").exists()


def test_an_empty_folder_is_told_as_empty_not_as_refused(qtbot, store, demo_round, ui_dialogs, tmp_path):
    """A folder with no package said “全部未通过校验”, though nothing had been checked (commission
    review)."""
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    (empty / "说明.txt").write_text("无", encoding="utf-8")
    dialog = AggregateDialog(None, store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.sources.addItem(str(empty))
    ui_dialogs.save_path = str(tmp_path / "汇总.xlsx")
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    assert dialog.status.text() == "所选的文件夹中没有上报包（.zip 文件），请检查选择的位置。"


def _aggregate_on(qtbot, dialog, ui_dialogs, keys: str, out: Path):
    """汇总日期 typed as a user types it (Alt+T, then the date), the summary run into ``out``."""
    from PySide6.QtCore import Qt

    from tests.helpers import activate, press, press_alt

    activate(dialog)
    press_alt("T")
    assert QApplication.focusWidget() is dialog.date
    QTest.keyClicks(dialog.date, keys)
    press(Qt.Key.Key_Tab)
    dialog.result = None
    ui_dialogs.save_path = str(out)
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    return dialog.result


def _overdue(db: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT hospital, open_rectifications, overdue_rectifications FROM rounds").fetchall()


def _dialog_with_a_package(qtbot, store, demo_round, tmp_path) -> tuple[AggregateDialog, Path]:
    """The 汇总 dialog shown, and a folder holding the demo round's package."""
    folder = tmp_path / "packages"
    folder.mkdir()
    export_package(store, demo_round, folder / "示例.zip", attachments=False)
    dialog = AggregateDialog(None, store)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, folder


def test_the_aggregation_date_is_chosen_in_the_dialog_as_on_the_command_line(
    qtbot, store, demo_round, ui_dialogs, tmp_path
):
    """The dialog had no date: 逾期 was told on the day the summary was made, so a commission
    could not make, in the GUI, the summary of its deadline day that `main.py aggregate --date`
    makes. Today at first; typed as the other date fields take it; the same numbers as the
    command line on that date."""
    from app.cli import main

    dialog, folder = _dialog_with_a_package(qtbot, store, demo_round, tmp_path)
    assert dialog.day() == dt.date.today()
    dialog.sources.addItem(str(folder))
    dialog.sqlite.setChecked(True)
    dialog.pdf.setChecked(False)
    # the demo's deadlines: none passed by 20 May, eight by 1 August
    for keys, day, overdue in (("2025-05-20", dt.date(2025, 5, 20), 0), ("2025/8/1", dt.date(2025, 8, 1), 8)):
        out = tmp_path / day.isoformat() / "汇总.xlsx"
        out.parent.mkdir()
        result = _aggregate_on(qtbot, dialog, ui_dialogs, keys, out)
        assert result.today == day
        assert ui_dialogs.suggested.endswith(f"医疗质量自查汇总_{day:%Y%m%d}.xlsx")
        assert f"整改状态按 {day.year}年{day.month}月{day.day}日 判断" in dialog.status.text()
        [(_, _, shown)] = _overdue(out.with_suffix(".db"))
        assert shown == overdue
        cli = tmp_path / day.isoformat() / "命令行.db"
        command = ["aggregate", "--date", day.isoformat(), "--out", str(cli.with_suffix(".xlsx")), "--sqlite", str(cli)]
        assert main([*command, str(folder)]) == 0
        assert _overdue(out.with_suffix(".db")) == _overdue(cli)
    assert not ui_dialogs.confirms, "a past date is asked about nothing"


def test_a_date_after_today_is_asked_about_and_declining_writes_nothing(qtbot, store, demo_round, ui_dialogs, tmp_path):
    """A year typed wrong (2052 for 2025) counted every rectification 逾期, without a word."""
    from tests.helpers import activate

    dialog, folder = _dialog_with_a_package(qtbot, store, demo_round, tmp_path)
    dialog.sources.addItem(str(folder))
    later = dt.date.today() + dt.timedelta(days=40)
    dialog.date.setDate(later)
    outputs = tmp_path / "汇总"
    outputs.mkdir()
    ui_dialogs.save_path = str(outputs / "汇总.xlsx")
    ui_dialogs.confirm_answer = False
    activate(dialog)
    dialog.run()
    assert len(ui_dialogs.confirms) == 1 and "晚于今天" in ui_dialogs.confirms[0]
    assert f"{later.year}年{later.month}月{later.day}日" in ui_dialogs.confirms[0]
    assert ui_dialogs.suggested is None and dialog.job is None, "no file asked for, nothing run"
    assert list(outputs.iterdir()) == []
    assert QApplication.focusWidget() is dialog.date, "back to the date, to correct it"
    ui_dialogs.confirm_answer = True  # meant: the summary as it will stand on that day
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    assert dialog.result.today == later and (outputs / "汇总.xlsx").exists()


def test_report_menu_offers_excel_too(qtbot, store, demo_round, catalog, actor, ui_dialogs, tmp_path):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.open_round(demo_round)
    labels = [a.text() for a in window.report_menu.actions()]
    assert "导出自查结果 Excel(&X)…" in labels and "导出整改台账 Excel(&L)…" in labels
    out = tmp_path / "台账.xlsx"
    ui_dialogs.save_path = str(out)
    window.generate_report("rectification", "xlsx")
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=30_000)
    assert ui_dialogs.opened == [out]
    assert load_workbook(out).sheetnames == ["整改台账", "说明"]
    assert ui_dialogs.suggested.endswith("整改台账.xlsx")


def test_an_older_export_sent_after_the_newer_one_says_why_nothing_changes(qtbot, departments_pcs, monkeypatch):
    """The department trial: 护理部 sent its first package again after its second. The preview
    listed 新增 0、更新 0、未变 26 and a greyed 导入, and said nothing of why."""
    d = departments_pcs
    first = d.older_export_after_newer(monkeypatch)
    dialog = ImportDialog(d.office, d.office_actor, plan_import(d.office, open_package(first)))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.import_button.isEnabled()
    assert dialog.summary.text().endswith(
        "\n上报包中的内容本机都已有，没有需要导入的内容。这是导出该包的电脑较早的一次导出：其中 1 条记录，"
        "本机已有该电脑之后修改的版本（来自之前导入的、较新的上报包）。"
        "如需该电脑此后的修改，请向其索取最新导出的上报包。"
    )
    _shot(dialog, "import-older-export")
    # the same package again: all here, nothing newer here
    again = ImportDialog(d.office, d.office_actor, plan_import(d.office, open_package(d.tmp / "a2.zip")))
    qtbot.addWidget(again)
    assert "本机都已有" in again.summary.text() and "较早" not in again.summary.text()
    # another department's package whose records the office has since seen changed by others is no older export
    d.answer(d.b, d.b_actor, d.ITEM_B, grade="A")
    from_b = d.export(d.b, "b")
    d.office_import(from_b)
    d.answer(d.office, d.office_actor, d.ITEM_B, grade="B")
    later = ImportDialog(d.office, d.office_actor, plan_import(d.office, open_package(from_b)))
    qtbot.addWidget(later)
    assert "本机都已有" in later.summary.text() and "较早" not in later.summary.text()


@pytest.fixture
def departments_pcs(tmp_path, catalog):
    return Departments(tmp_path, catalog)


def test_the_summary_unit_is_typed_once_printed_on_every_page_and_kept(qtbot, store, demo_round, ui_dialogs, tmp_path):
    """The printed summary said nowhere who made it: a commission's report to its superiors
    carried no 汇总单位 (review of the printed summary). The dialog offers the hospital's own
    name (a 医共体's lead hospital summarising its members), prints the unit typed above the
    title and in every page's header and the workbook's, and offers it again next time."""
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from tests.helpers import activate, press_alt

    dialog, folder = _dialog_with_a_package(qtbot, store, demo_round, tmp_path)
    assert dialog.unit.text() == "示例县人民医院"  # the demo's profile: no summary made yet
    activate(dialog)
    press_alt("U")
    assert QApplication.focusWidget() is dialog.unit
    dialog.unit.selectAll()
    dialog.unit.insert("洛阳市卫生健康委员会")  # as an input method commits it
    dialog.sources.addItem(str(folder))
    ui_dialogs.save_path = str(tmp_path / "汇总.xlsx")
    dialog.run()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=60_000)
    pages = ["".join(p.extract_text().split()) for p in PdfReader(tmp_path / "汇总_汇总报告.pdf").pages]
    assert pages[0].startswith("洛阳市卫生健康委员会医疗质量自查汇总报告")  # above the title
    assert all("洛阳市卫生健康委员会汇总日期" in page for page in pages)  # the header
    header = load_workbook(tmp_path / "汇总.xlsx")["医院"].oddHeader.left.text
    assert header.startswith("洛阳市卫生健康委员会　医疗质量自查汇总　汇总日期")
    again, without = AggregateDialog(None, store), AggregateDialog()
    qtbot.addWidget(again)
    qtbot.addWidget(without)
    assert again.unit.text() == "洛阳市卫生健康委员会"
    assert without.unit.text() == ""  # no database: nothing to offer


def test_the_summary_unit_is_kept_as_typed_even_without_a_summary(qtbot, store, demo_round, ui_dialogs, tmp_path):
    """Kept only after a summary that counted a round, a unit typed and the dialog closed was lost
    (diff review): every edit is saved when it is made."""
    from PySide6.QtCore import Qt

    from tests.helpers import activate, press, press_alt

    dialog, _ = _dialog_with_a_package(qtbot, store, demo_round, tmp_path)
    activate(dialog)
    press_alt("U")
    dialog.unit.selectAll()
    dialog.unit.insert("宜阳县卫生健康委员会")
    press(Qt.Key.Key_Tab)  # on to the next field: the edit is finished
    dialog.reject()
    again = AggregateDialog(None, store)
    qtbot.addWidget(again)
    assert again.unit.text() == "宜阳县卫生健康委员会"

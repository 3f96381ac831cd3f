"""Render every screen and dialog of the GUI on the demo database to PNG, at a given screen size.

    .venv/bin/python bench/screenshots.py [OUT_DIR] [--size 1366x768]

The sizes to look at (the logical screen: what Qt lays out in):

    … --size 1366x768                             old Windows PCs at 100%
    QT_SCALE_FACTOR=1.5  … --size 1280x720        1920×1080 at 150% (统信UOS、麒麟 laptops)
    QT_SCALE_FACTOR=1.25 … --size 1536x864        1920×1080 at 125%
    … --size 1024x700                             the floor
    … --font-pt 10.5                              统信UOS's and 麒麟's larger system font

The offscreen screen is made that size (times QT_SCALE_FACTOR), so that what reads the screen's
size reads the user's. The main window is drawn maximised under a ≈40 px task bar and a ≈30 px
title bar. Every window and dialog is checked against the screen less the task bar: one that does
not fit is named on stderr (``does not fit``). The README's screenshots come from here; look at
every PNG after a change to a screen.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MQSC_DATA_DIR", tempfile.mkdtemp(prefix="mqsc-shots-"))

#: what the task bar and a window's title bar take of the screen's height (Windows 10, UOS dock)
TASKBAR = 40
TITLE_BAR = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="out/screenshots")
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--font-pt", type=float, help="the system font's size, where not Qt's default (9 pt)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    _offscreen_screen(width, height)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from app.catalog import load_catalog
    from app.services.demo import create_demo, recent_demo_start
    from app.store import Actor, open_store
    from app.ui.application import create_application
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication

    app = create_application(sys.argv[:1])
    _taskbar()
    if args.font_pt:  # 统信UOS and 麒麟 set 10.5–11 pt where Windows sets 9 pt
        font = app.font()
        font.setPointSizeF(args.font_pt)
        app.setFont(font)
    store = open_store(Path(tempfile.mkdtemp()) / "demo.db")
    catalog = load_catalog()
    actor = Actor("截图", "bench")
    # dated to end today, as the screens tell statuses on today: the fixed demo showed 10 of 15
    # rectifications a year 逾期 on the board, the overview and the README's pictures
    round_id = create_demo(store, catalog, actor, started_on=recent_demo_start(dt.date.today()))
    shot = _shooter(app, out)

    window = MainWindow(store, lambda: catalog, actor)
    window.resize(width, height - TASKBAR - TITLE_BAR)
    window.restore_position()
    shot(window, "01-rounds")
    # the order matters: each step starts from the round and tab the one before it left open
    window.open_round(round_id)
    _walkthrough_screens(window, shot)
    _rectification_screens(window, shot)
    _overview_screen(window, shot)
    _related_items_screen(store, catalog, actor, window, shot)
    window.open_round(round_id)
    _dialog_screens(store, catalog, actor, window, shot)
    _backup_screens(store, window, shot)
    _message_screens(window, shot)
    _report_screens(store, round_id, window, shot)
    _exchange_screens(store, round_id, actor, window, shot)
    _reminders_screen(window, shot)
    QApplication.closeAllWindows()
    if shot.misfits:
        print("\n".join(shot.misfits), file=sys.stderr)


def _offscreen_screen(width: int, height: int) -> None:
    """Qt's offscreen platform with one screen of ``width``×``height`` logical pixels (its default
    is 800×800), unless QT_QPA_PLATFORM names another platform."""
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return
    scale = float(os.environ.get("QT_SCALE_FACTOR") or 1)
    screen = {"name": "screen", "x": 0, "y": 0, "width": round(width * scale), "height": round(height * scale)}
    config = Path(tempfile.mkdtemp(prefix="mqsc-screen-")) / "screen.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def _taskbar() -> None:
    """The screen's free area without a task bar at its foot, as a real screen reports it (the
    offscreen screen has none): what the program sizes its windows by."""
    from PySide6.QtGui import QScreen

    QScreen.availableGeometry = lambda self: self.geometry().adjusted(0, 0, 0, -TASKBAR)


def _shooter(app, out: Path):
    """shot(widget, name): shows the widget and saves it as OUT/name.png; a window or dialog
    larger than the screen less the task bar (with its title bar), or that cannot be made small
    enough, goes on ``shot.misfits``."""

    def shot(widget, name: str) -> None:
        widget.show()
        for _ in range(3):  # layouts settle over more than one pass of the event loop
            app.processEvents()
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")
        if widget.isWindow():
            screen = widget.screen().availableGeometry()
            room_w, room_h = screen.width(), screen.height() - TITLE_BAR
            least = widget.minimumSizeHint().expandedTo(widget.minimumSize())
            for what, size in (("size", widget.size()), ("minimum size", least)):
                if size.width() > room_w or size.height() > room_h:
                    shot.misfits.append(
                        f"does not fit: {name}: {what} {size.width()}×{size.height()} > {room_w}×{room_h}"
                    )

    shot.misfits = []
    return shot


def _walkthrough_screens(window, shot) -> None:
    """逐项自查 with one item of each kind selected, then the failing-only filter."""
    walk = window.walkthrough
    for name, item_id in (
        ("02-walkthrough-judgement", "qyx-core.05.3"),
        ("03-walkthrough-indicator", "qyx-targets-2021.1.1.rate"),
        ("04-walkthrough-sampling", "qyx-core.07.3"),
        ("05-walkthrough-not-applicable", "qyx-targets-2021.1.2.3"),
    ):
        walk.tree.select(item_id)
        if name.endswith("judgement"):
            walk.panel.guidance_toggle.setChecked(True)
        shot(window, name)
    walk.filter_mode.setCurrentIndex(walk.filter_mode.findData("failing"))
    shot(window, "06-walkthrough-filter-failing")
    walk.filter_mode.setCurrentIndex(walk.filter_mode.findData("all"))


def _rectification_screens(window, shot) -> None:
    """整改 board, 记录复查 and 佐证材料 of its first entry, 修改记录; leaves the window on 逐项自查."""
    from app.ui.evidence import EvidenceDialog
    from app.ui.history_dialog import HistoryDialog
    from app.ui.rectification_board import RecheckDialog

    window.show_tab(1)
    shot(window, "12-rectification-board")
    board = window.board
    refused = next((n for n, e in enumerate(board.entries) if window.session.deletion_refused(e.id)), None)
    if refused is not None:  # refused before any confirmation: said under the table
        board.select(board.entries[refused].id)
        board.delete_selected()
        shot(window, "12b-rectification-board-delete-refused")
    board.table.selectRow(0)
    entry = board.selected_entry()
    shot(EvidenceDialog(window.session, entry.id, entry.rectification.problem, board), "14-evidence")
    recheck = RecheckDialog(window.session, entry, board)
    shot(recheck, "17-recheck")
    shot(recheck.date.calendarWidget(), "17b-recheck-calendar")
    unwritten = next((e for e in board.entries if not e.rectification.measure and e.status != "已完成"), None)
    if unwritten is not None:  # no 整改措施 yet: written in the dialog, with what a 误判 writes
        shot(RecheckDialog(window.session, unwritten, board), "17c-recheck-no-measure")
    item_id = entry.rectification.item_id
    shot(HistoryDialog(window.session, item_id, board.references.get(item_id, item_id), board), "18-history")
    window.show_tab(0)


def _overview_screen(window, shot) -> None:
    window.show_tab(2)
    shot(window, "19-overview")
    window.show_tab(0)


def _related_items_screen(store, catalog, actor, window, shot) -> None:
    from app.services.rounds import start_round

    # a round over two programmes: items asking the same thing are linked to each other
    joint = start_round(
        store,
        [catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")],
        "2025年国家行动计划对照自查",
        dt.date(2025, 7, 1),
        actor,
    )
    window.open_round(joint)
    window.walkthrough.tree.select("qyx-targets-2021.1.1.rate")
    shot(window, "13-walkthrough-related")


def _dialog_screens(store, catalog, actor, window, shot) -> None:
    """新建自查 (and with many checklists, and a re-check round), the hospital profile's wizard and
    its tabbed dialog, and help."""
    from app.services.profile import get_profile
    from app.services.rounds import load_round
    from app.ui.help_dialog import HelpDialog
    from app.ui.profile_wizard import ProfileDialog, ProfileWizard
    from app.ui.rounds_page import NewRoundDialog

    shot(NewRoundDialog(store, catalog, actor, window), "07-new-round")
    # years from now: a checklist file for each year's targets, and every one chosen
    more = dataclasses.replace(catalog, entries=[*catalog.entries, *_later_years(catalog)])
    dialog = NewRoundDialog(store, more, actor, window)
    for n in range(dialog.ui.checklistList.count()):
        dialog.ui.checklistList.item(n).setCheckState(dialog.ui.checklistList.item(0).checkState())
    shot(dialog, "07b-new-round-many-checklists")
    rounds = [r.id for r in store.rounds()]
    shot(NewRoundDialog(store, catalog, actor, window, previous=load_round(store, rounds[0])), "07c-new-recheck-round")
    wizard = ProfileWizard(store, actor, get_profile(store), window)
    shot(wizard, "08-profile-basic")
    wizard.next()
    shot(wizard, "09-profile-departments")
    wizard.next()
    shot(wizard, "10-profile-services")
    profile = ProfileDialog(store, actor, get_profile(store), window)
    for n, name in enumerate(("basic", "departments", "services")):
        profile.tabs.setCurrentIndex(n)
        shot(profile, f"10{'bcd'[n]}-profile-dialog-{name}")
    shot(HelpDialog(window), "11-help")


def _later_years(catalog) -> list:
    """Copies of the built-in checklists as files of later years would add them."""
    entries = []
    for year in (2026, 2027):
        for entry in catalog.entries:
            c = entry.checklist
            later = dataclasses.replace(c, id=f"{c.id}-{year}", title=f"{c.title}（{year}年版）", default=False)
            entries.append(dataclasses.replace(entry, checklist=later))
    return entries


def _backup_screens(store, window, shot) -> None:
    """文件 → 备份与恢复 with a week of backups, and the damaged-database dialog."""
    from app.services.backups import folder
    from app.store.backup import list_backups, make_backup, new_backup_path
    from app.ui.backups_dialog import BackupsDialog, DamagedDialog

    now = dt.datetime.now().replace(microsecond=0)
    for days, hour, minute, reason in (
        (6, 8, 2, "daily"),
        (5, 8, 11, "daily"),
        (4, 7, 58, "daily"),
        (4, 17, 36, "close"),
        (3, 8, 5, "daily"),
        (2, 8, 1, "daily"),
        (1, 8, 9, "daily"),
        (1, 16, 52, "manual"),
        (0, 8, 3, "daily"),
    ):
        when = (now - dt.timedelta(days=days)).replace(hour=hour, minute=minute)
        make_backup(store.conn, new_backup_path(folder(store), store.path, reason, when))
    shot(BackupsDialog(window), "15-backups")
    newest = list_backups(folder(store), store.path)[0]
    problem = "“自查结果”部分的数据已损坏，无法完整读取。"
    detail = "*** in database main ***\nOn tree page 18 cell 3: 2nd reference to page 41\nPage 57 is never used"
    damaged = DamagedDialog(window, store.path, problem, newest, detail=detail)
    shot(damaged, "16-damaged-database")
    damaged.detail_button.setChecked(True)
    shot(damaged, "16b-damaged-database-detail")


def _message_screens(window, shot) -> None:
    """The message boxes and small dialogs as app/ui/dialogs.py and tasks.py make them: Qt's own
    buttons must speak Chinese."""
    from app.ui import dialogs
    from app.ui.application import checklist_problems_message
    from app.ui.exchange_dialogs import MULTI_HOSPITAL_NO, MULTI_HOSPITAL_YES, PACKAGE_FILTER, other_hospital_question
    from app.ui.qt import QFileDialog, QMessageBox, QThreadPool
    from app.ui.tasks import run_in_background

    buttons = QMessageBox.StandardButton
    confirm = dialogs._box(
        window,
        QMessageBox.Icon.Question,
        other_hospital_question("另一县中医院", "示例县人民医院"),
        buttons.Yes | buttons.No,
    )
    confirm.button(buttons.Yes).setText(MULTI_HOSPITAL_YES)  # as dialogs.confirm names them
    confirm.button(buttons.No).setText(MULTI_HOSPITAL_NO)
    shot(confirm, "20-message-confirm")
    from app.catalog import Problem

    folder = "C:/Users/质控办/AppData/Roaming/医疗质量自查助手/checklists"
    problems = [
        Problem(
            f"{folder}/hn-{n}.yaml",
            40 + n,
            f"条目“hn-zk-2025.2.{n}”的 target",
            "目标值应只写数字（现为“≥90%”），如 target: 90；“≥”“≤”另写在 direction 中",
        )
        for n in range(10)
    ]
    skipped = [f"{folder}/hn-{n}.yaml" for n in range(3)]
    message, details = checklist_problems_message(skipped, problems)
    error = dialogs._box(window, QMessageBox.Icon.Critical, message)  # as dialogs.error makes it
    error.setDetailedText(details)
    shot(error, "21-message-error-long")
    shot(dialogs.asking_text(window, "新的轮次名称：", "2025年第一季度医疗质量自查"), "22-ask-text")
    shot(
        dialogs.asking_text(
            window,
            "新的轮次名称：",
            "2025年第二季度医疗质量自查",
            "已有名为“2025年第二季度医疗质量自查”的自查轮次，请换一个名称。",
        ),
        "22b-ask-text-refused",
    )
    job = run_in_background(
        window, "正在导出上报包……", lambda progress: time.sleep(0.5), _ignore, _ignore, reports_progress=True
    )
    job.progress.setMaximum(4)
    job.progress.setValue(1)
    job.progress.setLabelText("正在导出上报包……\n自查报告（PDF）")
    shot(job.progress, "23-progress")
    QThreadPool.globalInstance().waitForDone()
    files = QFileDialog(window, "选择上报包", str(Path.home()), PACKAGE_FILTER)
    files.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own, as where the system has none
    shot(files, "24-file-dialog")


def _ignore(_result) -> None:
    pass


def _report_screens(store, round_id, window, shot) -> None:
    """报告预览 of the 整改报告, and the print dialog it opens."""
    from app.render.registry import render
    from app.ui.pdf_preview import PreviewDialog
    from app.ui.qt import QPushButton

    out = Path(tempfile.mkdtemp()) / "示例县人民医院_整改报告.pdf"
    render(store, round_id, "rectification", out, today=dt.date.today())
    preview = PreviewDialog(out, window)
    shot(preview, "25-pdf-preview")
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printing = QPrintDialog(printer, preview)  # as PreviewDialog.print_dialog makes it
    printing.setMinMax(1, len(preview.document))
    printing.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
    printing.show()
    options = next((b for b in printing.findChildren(QPushButton) if b.text().startswith("选项")), None)
    if options is not None:
        options.click()  # the page range and copies
    shot(printing, "25b-print-dialog")


def _exchange_screens(store, round_id, actor, window, shot) -> None:
    """导出上报包; 导入 with conflicts (a department's PC and the office both changed an item and
    a rectification); 汇总 with a refused package."""
    from app.exchange.aggregate import aggregate
    from app.exchange.export import export_package
    from app.exchange.merge import apply_import, plan_import
    from app.exchange.verify import open_package
    from app.services import answers, rectifications
    from app.store import Actor, open_store
    from app.store.backup import make_backup
    from app.ui.exchange_dialogs import AggregateDialog, ExportDialog, ImportDialog

    shot(ExportDialog(store, round_id, window), "26-export")
    folder = Path(tempfile.mkdtemp(prefix="mqsc-packages-"))
    office_path = folder / "office.db"
    make_backup(store.conn, office_path)
    office = open_store(office_path)
    start = export_package(office, round_id, folder / "start.zip", patient_ids=True, attachments=False).path
    department = open_store(folder / "department.db")
    apply_import(department, plan_import(department, open_package(start)), Actor("", ""))
    item = "qyx-core.05.3"  # graded B in the demo
    [rect, *_] = rectifications.list_rectifications(office, round_id, dt.date.today())
    nurse = Actor("内科 王芳", "pc-neike")
    for db, who, grade, finding, owner in (
        (office, actor, "C", "值班人员培训记录不全，缺少考核成绩。", "李敏"),
        (department, nurse, "D", "内科未开展值班人员培训，无培训和考核记录。", "王芳（内科护士长）"),
    ):
        answers.record_answer(db, round_id, item, who, grade=grade, finding=finding)
        rectifications.update_rectification(db, rect.id, who, owner=owner)
    package = export_package(department, round_id, folder / "内科.zip", patient_ids=True, attachments=False).path
    shot(ImportDialog(office, actor, plan_import(office, open_package(package)), window), "27-import-conflicts")
    (folder / "损坏的上报包.zip").write_bytes(b"not a zip")
    dialog = AggregateDialog(window, store)
    for path in (start, package, folder / "损坏的上报包.zip"):
        dialog.sources.addItem(str(path))
    dialog.date.setDate(dt.date.today())  # the date the summary below is made on
    dialog.show_result(aggregate(dialog.paths(), dt.date.today()), [folder / "医疗质量自查汇总.xlsx"])
    shot(dialog, "28-aggregate")


def _reminders_screen(window, shot) -> None:
    """The 提醒 banner over the walkthrough (the demo's deadlines have passed)."""
    window.show_reminders()
    shot(window, "29-reminders")
    from app.services.backups import set_folder

    stick = Path(tempfile.mkdtemp()) / "U盘" / "备份"
    set_folder(window.store, stick)
    stick.rmdir()  # the stick left at home
    window.refresh_reminders()
    shot(window, "29b-reminders-stick-missing")


if __name__ == "__main__":
    main()

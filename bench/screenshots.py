"""Render every screen of the GUI on the demo database to PNG, at 1366×768 (or a given size).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/screenshots.py [OUT_DIR] [--size 1366x768]

For 1920×1080 at 150%: ``QT_SCALE_FACTOR=1.5 … --size 1280x720`` (the logical size). The README's
screenshots come from here; look at every PNG after a change to a screen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MQSC_DATA_DIR", tempfile.mkdtemp(prefix="mqsc-shots-"))

from app.catalog import load_catalog
from app.services.demo import create_demo
from app.services.profile import get_profile
from app.services.rounds import start_round
from app.store import Actor, open_store
from app.ui.application import create_application
from app.ui.evidence import EvidenceDialog
from app.ui.help_dialog import HelpDialog
from app.ui.main_window import MainWindow
from app.ui.profile_wizard import ProfileWizard
from app.ui.qt import QApplication
from app.ui.rounds_page import NewRoundDialog


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="out/screenshots")
    parser.add_argument("--size", default="1366x768")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = create_application(sys.argv[:1])
    store = open_store(Path(tempfile.mkdtemp()) / "demo.db")
    catalog = load_catalog()
    actor = Actor("截图", "bench")
    round_id = create_demo(store, catalog, actor)
    shot = _shooter(app, out)

    window = MainWindow(store, lambda: catalog, actor)
    window.resize(width, height - 28)  # the task bar
    window.restore_position()
    shot(window, "01-rounds")
    # the order matters: each step starts from the round and tab the one before it left open
    window.open_round(round_id)
    _walkthrough_screens(window, shot)
    _rectification_screens(window, shot)
    _related_items_screen(store, catalog, actor, window, shot)
    window.open_round(round_id)
    _dialog_screens(store, catalog, actor, window, shot)
    _backup_screens(store, window, shot)
    QApplication.closeAllWindows()


def _shooter(app, out: Path):
    """shot(widget, name): shows the widget and saves it as OUT/name.png."""

    def shot(widget, name: str) -> None:
        widget.show()
        for _ in range(3):  # layouts settle over more than one pass of the event loop
            app.processEvents()
        widget.grab().save(str(out / f"{name}.png"))
        print(out / f"{name}.png")

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


def _rectification_screens(window, shot) -> None:
    """整改 board and the evidence dialog of its first entry; leaves the window on 逐项自查."""
    window.show_tab(1)
    shot(window, "12-rectification-board")
    board = window.board
    board.table.selectRow(0)
    entry = board.selected_entry()
    shot(EvidenceDialog(window.session, entry.id, entry.rectification.problem, window), "14-evidence")
    window.show_tab(0)


def _related_items_screen(store, catalog, actor, window, shot) -> None:
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
    """新建自查, the three pages of the hospital profile wizard, and help."""
    dialog = NewRoundDialog(store, catalog, actor, window)
    shot(dialog, "07-new-round")
    wizard = ProfileWizard(store, actor, get_profile(store), window)
    shot(wizard, "08-profile-basic")
    wizard.next()
    shot(wizard, "09-profile-departments")
    wizard.next()
    shot(wizard, "10-profile-services")
    shot(HelpDialog(window), "11-help")


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
    shot(DamagedDialog(window, store.path, problem, newest, detail=detail), "16-damaged-database")


if __name__ == "__main__":
    main()

"""What the user waits for on a large database: the GUI offscreen, step by step.

    .venv/bin/python bench/make_big_db.py --db big.db          # two years, ≈850 MB
    .venv/bin/python bench/bench_scale.py --db big.db [--shots out/scale] [--keep]

Works on a copy of ``--db`` (in a temporary folder, removed unless ``--keep``): it grades an item,
backs up and imports. For each step it prints the wall time and the longest time the GUI thread
did not return to its event loop (``blocked``): a timer ticks every 10 ms on the GUI thread while
background work runs, and the longest gap between its ticks is the longest freeze the user saw.
A step that blocks longer than 0.3 s is marked ``!``. ``--shots`` saves the screens at 1366×768.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BLOCK_LIMIT = 0.3
WIDTH, HEIGHT = 1366, 768


def _offscreen(width: int, height: int) -> None:
    screen = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height}
    config = Path(tempfile.mkdtemp(prefix="mqsc-screen-")) / "screen.json"
    config.write_text(json.dumps({"screens": [{**screen, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


class Clock:
    """Times steps; ``wait`` runs the event loop until a condition holds, watching for freezes."""

    def __init__(self, app) -> None:
        from app.ui.qt import QTimer

        self.app = app
        self.rows: list[tuple[str, float, float]] = []
        self._last = time.perf_counter()
        self._gap = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self._gap = max(self._gap, now - self._last)
        self._last = now

    def step(self, name: str, action: Callable[[], object], until: Callable[[], bool] | None = None) -> object:
        """``action`` on the GUI thread, then the event loop until ``until()`` (background work)."""
        self._gap = 0.0
        began = time.perf_counter()
        self._last = began
        self.timer.start()
        result = action()
        self._tick()  # the action itself blocked the GUI thread all along
        for _ in range(3):
            self.app.processEvents()
        if until is not None:
            deadline = began + 600
            while not until() and time.perf_counter() < deadline:
                self.app.processEvents()
                time.sleep(0.002)
        self._tick()
        self.timer.stop()
        wall = time.perf_counter() - began
        self.rows.append((name, wall, self._gap))
        mark = "!" if self._gap > BLOCK_LIMIT else " "
        rss, peak = _memory_mb()
        print(
            f"{mark} {name:<44} {wall:7.2f} s   blocked {self._gap:6.2f} s   RSS {rss:5.0f} MB (peak {peak:5.0f})",
            flush=True,
        )
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--shots", type=Path, help="save screenshots here (1366×768)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument(
        "--skip", default="", help="comma-separated steps to leave out: reports, export, import, backup"
    )
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    _offscreen(WIDTH, HEIGHT)
    work = Path(tempfile.mkdtemp(prefix="mqsc-scale-"))
    os.environ["MQSC_DATA_DIR"] = str(work)
    db = work / "selfcheck.db"
    began = time.perf_counter()
    shutil.copyfile(args.db, db)
    print(f"copied {args.db} ({db.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - began:.1f} s")
    try:
        Trial(db, work, args.shots).run(skip)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


class Trial:
    """The user's day on the database, step by step; dialogs answered as the user would."""

    def __init__(self, db: Path, work: Path, shots: Path | None) -> None:
        from app.catalog import load_catalog
        from app.services.connection import connect
        from app.ui import dialogs
        from app.ui.application import create_application

        self.app = create_application(sys.argv[:1])
        self.db, self.work, self.shots = db, work, shots
        self.catalog = load_catalog()
        self.clock = Clock(self.app)
        store = connect(db)
        self.newest = store.rounds()[0].id
        store.set_setting("ui.position", {"round_id": self.newest, "item_id": None})
        store.close()
        self.answers: dict[str, object] = {}  # what the dialogs were asked
        dialogs.info = lambda parent, message: self.answers.setdefault("info", message)
        dialogs.error = lambda parent, message, details="": self.answers.setdefault("error", message)
        dialogs.confirm = lambda parent, message: False
        dialogs.preview_pdf = lambda parent, path: self.answers.setdefault("preview", path)
        dialogs.open_in_viewer = lambda path: None

    def shot(self, widget, name: str) -> None:
        if self.shots is None:
            return
        self.shots.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            self.app.processEvents()
        widget.grab().save(str(self.shots / f"{name}.png"))

    def start_up(self):
        """As application.start: open with the quick check, the window on the last round."""
        from app.store import Actor
        from app.ui.application import open_database
        from app.ui.main_window import MainWindow

        store = open_database(self.db)
        window = MainWindow(store, lambda: self.catalog, Actor("基准", "bench"))
        window.resize(WIDTH, HEIGHT - 70)
        window.restore_position()
        window.show()
        return window

    def round_screens(self) -> None:
        from app.domain.kinds import kind_of
        from app.ui.history_dialog import HistoryDialog

        clock, window = self.clock, self.window
        clock.step("reminders banner (after the first paint)", window.show_reminders)
        self.shot(window, "02-reminders")
        clock.step("rounds list (Ctrl+L)", window.show_rounds)
        self.shot(window, "03-rounds")
        clock.step("open the newest round", lambda: window.open_round(self.newest))
        walk = window.walkthrough
        assert walk is not None
        item = next(i for i in walk.items.values() if kind_of(i).graded and i.applies_to(walk.view.profile))
        walk.tree.select(item.id)
        self.app.processEvents()
        clock.step("grade an item D (a save)", lambda: walk.grade_by_key("4"))
        clock.step("grade it B again", lambda: (walk.tree.select(item.id), walk.grade_by_key("2")))
        clock.step("reminders refresh after the grade", lambda: window.refresh_reminders())
        clock.step("整改台账 (first time)", lambda: window.show_tab(1))
        self.shot(window, "04-board")
        # what a re-check, an undo or an attachment costs: the board redrawn while on screen
        # (filled while hidden, the first time above hides a per-cell re-measure of the rows)
        clock.step("整改台账 redrawn on screen", lambda: window.board.refresh())
        clock.step("概览 (first time, trend of 24 rounds)", lambda: window.show_tab(2))
        self.overview_shots()
        clock.step("back to 逐条自查", lambda: window.show_tab(0))
        clock.step("search 培训", lambda: walk.search.setText("培训"))
        clock.step("search cleared", lambda: walk.search.setText(""))
        walk.tree.select(item.id)  # make_big_db.py edits the first judgement item of the last round
        self.app.processEvents()
        dialog = clock.step(
            "修改记录 of the much-edited item",
            lambda: HistoryDialog(walk.session, item.id, walk.item_title(item.id), window),
        )
        self.shot(dialog, "06-history")
        clock.step("rounds list again (one round changed)", window.show_rounds)
        clock.step("open the newest round again", lambda: window.open_round(self.newest))

    def overview_shots(self) -> None:
        """概览 at its top, then scrolled to the trend and on down, a screen at a time."""
        page = self.window.overview
        if page is None or self.shots is None:
            return
        self.shot(self.window, "05-overview")
        bar = page.scroll_area.verticalScrollBar()
        bar.setValue(page._heading.y())
        for n in range(4):
            self.shot(self.window, f"05{'abcd'[n]}-overview-trend")
            if bar.value() >= bar.maximum():
                break
            bar.setValue(bar.value() + page.scroll_area.viewport().height())

    def reports(self) -> None:
        from app.ui import dialogs

        for kind in ("self", "rectification"):
            out = self.work / f"{kind}.pdf"
            dialogs.save_file = lambda parent, caption, suggested, filters, out=out: str(out)
            self.answers.pop("preview", None)
            self.clock.step(
                f"report {kind} PDF (background)",
                lambda kind=kind: self.window.generate_report(kind),
                lambda: "preview" in self.answers or "error" in self.answers,
            )
            print(f"    {out.stat().st_size / 2**20:.1f} MB" if out.exists() else f"    {self.answers.get('error')}")

    def export(self) -> Path:
        from app.ui import dialogs
        from app.ui.exchange_dialogs import ExportDialog

        package = self.work / "package.zip"
        dialogs.save_file = lambda parent, caption, suggested, filters: str(package)
        export = self.clock.step("导出上报包 dialog", lambda: ExportDialog(self.window.store, self.newest, self.window))
        self.clock.step(
            "export with attachments (background)",
            export.export,
            lambda: export.result is not None or bool(export.error.text()),
        )
        print(f"    {package.stat().st_size / 2**20:.0f} MB" if package.exists() else f"    {export.error.text()}")
        return package

    def import_package(self, package: Path) -> None:
        """导入上报包 into another (new) database, as the county's office would."""
        from app.services.connection import connect
        from app.services.demo import DEMO_PROFILE
        from app.services.profile import save_profile
        from app.store import Actor
        from app.ui import dialogs, exchange_dialogs
        from app.ui.main_window import MainWindow

        other = self.work / "other" / "selfcheck.db"
        other.parent.mkdir()
        store = connect(other)
        save_profile(store, DEMO_PROFILE, Actor("县卫健委", "bench"))
        second = MainWindow(store, lambda: self.catalog, Actor("县卫健委", "bench"))
        dialogs.open_files = lambda parent, caption, filters: [str(package)]
        previewed: dict[str, object] = {}
        original = exchange_dialogs.ImportDialog.exec

        def preview_only(dialog) -> int:  # 导入 is pressed below, timed on its own
            previewed["dialog"] = dialog
            return 0

        exchange_dialogs.ImportDialog.exec = preview_only  # type: ignore[method-assign]
        try:
            self.clock.step(
                "import: verify and preview (background, then GUI)",
                second.import_package,
                lambda: "dialog" in previewed or "error" in self.answers,
            )
        finally:
            exchange_dialogs.ImportDialog.exec = original  # type: ignore[method-assign]
        dialog = previewed.get("dialog")
        if dialog is None:
            print(f"    import failed: {self.answers.get('error')}")
            return
        self.clock.step(
            "import: 导入 (backup in the background, then apply)",
            dialog.apply,  # type: ignore[attr-defined]
            lambda: dialog.result is not None or bool(dialog.error.text()),  # type: ignore[attr-defined]
        )
        print(f"    {dialog.result.text() if dialog.result else dialog.error.text()}")  # type: ignore[attr-defined]
        second.close()
        store.close()

    def backups(self) -> None:
        from app.ui.backups_dialog import BackupsDialog, daily_backup, database_check

        clock, window = self.clock, self.window
        window.changes_backed_up = 0
        status = window.saved_label.text
        clock.step(
            "automatic backup of the day (background)",
            lambda: daily_backup(window),
            lambda: window.backup_job is None or "已自动备份" in status() or "没有完成" in status(),
        )
        dialog = clock.step("备份与恢复 dialog", lambda: BackupsDialog(window))
        clock.step("立即备份", dialog.backup_now, lambda: "已备份" in dialog.status.text() or "error" in self.answers)
        self.shot(dialog, "07-backups")
        self.answers.pop("info", None)
        clock.step(
            "数据库检查 (background)",
            lambda: database_check(window),
            lambda: "info" in self.answers or "error" in self.answers,
        )

    def run(self, skip: set[str]) -> None:
        from app.ui.qt import QThreadPool

        self.window = self.clock.step("start-up: quick check, window on the newest round", self.start_up)
        self.shot(self.window, "01-walkthrough")
        self.round_screens()
        if "reports" not in skip:
            self.reports()
        if "export" not in skip:
            package = self.export()
            if "import" not in skip and package.exists():
                self.import_package(package)
        if "backup" not in skip:
            self.backups()
        QThreadPool.globalInstance().waitForDone()
        print(f"peak RSS {_memory_mb()[1]:.0f} MB")


def _memory_mb() -> tuple[float, float]:
    """(resident, peak resident) of this process in MB (Linux; zeros elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0, 0.0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


if __name__ == "__main__":
    raise SystemExit(main())

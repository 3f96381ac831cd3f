"""Start-up time: process start → main window shown on a demo database, against a bare PySide6
window in the same run. Target (issue 13): within 1.5× of the bare window.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/startup.py [--runs 15]
    xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python bench/startup.py   # a real window
    .venv/bin/python bench/startup.py --xev [--runs 9]   # first MapNotify, seen by an X event watcher

The first two forms have each child print the time at which its event loop first ran after
``show()``. ``--xev`` starts its own Xvfb and times each process from its start to the first
MapNotify of a top-level window, as ``xev -root -event substructure`` reports it (Debian package
x11-utils): the watcher sleeps until the X server tells it, so it takes no CPU from the program
measured, as polling for the window from another process would. The app runs as installed
(``main.py``), the bare window as a script of its own; both are killed once mapped.

The app restores the demo round at an item, as after a day's work. ``--db PATH`` times it on a
copy of another database instead (e.g. two years made by bench/make_big_db.py), reopened at its
newest round. Where its time goes, and why
start-up is arranged as it is: docs/architecture.md (GUI → Start-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent

# Each child prints the wall-clock time at which its window has been shown and the event loop
# has run once (the window painted): process start → shown, without the interpreter's exit.
SHOWN = """
def shown():
    import time
    print("shown", time.time(), flush=True)
    app.quit()
"""

BARE = (
    """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 740); w.show()
"""
    + SHOWN
    + """
QTimer.singleShot(0, shown)
sys.exit(app.exec())
"""
)

APP = (
    """
import gc; gc.disable()  # as main.py does before it imports the GUI
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from app.ui.application import create_application, run_gui
app = create_application(sys.argv[:1])  # run_gui uses this instance
"""
    + SHOWN.replace("{", "{{").replace("}", "}}")
    + """
from app.ui.qt import QTimer
QTimer.singleShot(0, shown)  # runs in the first turn of run_gui's event loop, as in the bare window
sys.exit(run_gui(sys.argv[:1], Path({db!r})))
"""
)


def measure(code: str, env: dict) -> float:
    began = time.time()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    words = result.stdout.split()
    if result.returncode or "shown" not in words:
        raise SystemExit(f"run failed:\n{result.stderr}")
    return float(words[words.index("shown") + 1]) - began


#: the bare window for --xev: shown, then the event loop until it is killed
BARE_XEV = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1366, 740); w.show()
sys.exit(app.exec())
"""


class MapWatcher:
    """An Xvfb of its own and ``xev`` on its root window; ``time_to_map`` starts a command and
    returns the seconds until the X server announced a top-level window mapped."""

    def __init__(self) -> None:
        read, write = os.pipe()
        # -displayfd: the server picks a free display and writes its number when it is ready
        self.server = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as numbers:
            self.display = ":" + numbers.readline().strip()
        self.xev = subprocess.Popen(
            ["xev", "-display", self.display, "-root", "-event", "substructure"],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.events: Queue[tuple[float, str]] = Queue()
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.5)  # xev has selected the events before the first run

    def _read(self) -> None:
        assert self.xev.stdout is not None
        for line in self.xev.stdout:  # blocks: no polling
            if line.startswith("MapNotify"):
                self.events.put((time.monotonic(), line))

    def time_to_map(self, command: list[str], env: dict) -> float:
        while not self.events.empty():
            self.events.get_nowait()
        began = time.monotonic()
        child = subprocess.Popen(
            command, env={**env, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}, stdout=subprocess.DEVNULL
        )
        try:
            mapped, _ = self.events.get(timeout=60)
        except Empty:
            raise SystemExit(f"no window mapped: {command}") from None
        finally:
            child.kill()
            child.wait()
        time.sleep(0.2)  # the killed client's windows are gone before the next run starts
        return mapped - began

    def close(self) -> None:
        self.xev.kill()
        self.server.kill()
        self.xev.wait()
        self.server.wait()


def report(bare: list[float], app: list[float], target: float = 1.5) -> None:
    b, a = statistics.median(bare), statistics.median(app)
    pairs = statistics.median(x / y for x, y in zip(app, bare, strict=True))
    print(f"bare PySide6 window : median {b * 1000:6.0f} ms  (min {min(bare) * 1000:.0f})")
    print(f"app on the database : median {a * 1000:6.0f} ms  (min {min(app) * 1000:.0f})")
    print(
        f"ratio               : {a / b:.2f}× of medians, {min(app) / min(bare):.2f}× of minima, "
        f"{pairs:.2f}× median of pairs  (target ≤ {target}×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--xev", action="store_true", help="an Xvfb of its own; time to the first MapNotify")
    parser.add_argument("--db", type=Path, help="time start-up on a copy of this database (its newest round)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mqsc-bench-"))
    try:
        run(args, workdir)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)  # with --db, a copy of a large database


def run(args: argparse.Namespace, workdir: Path) -> None:
    env = {
        **os.environ,
        "MQSC_DATA_DIR": str(workdir),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
    }
    # as installed: byte-code compiled (PYTHONDONTWRITEBYTECODE, set on some machines, would
    # otherwise make every run compile the app's modules from source)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")], check=True)
    db = workdir / "demo.db"
    sys.path.insert(0, str(ROOT))
    from app.store import open_store

    if args.db:
        import shutil

        shutil.copyfile(args.db, db)  # the app writes to it (its position, a backup)
        store = open_store(db)
        position = {"round_id": store.rounds()[0].id, "item_id": None}
    else:
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "demo", "--db", str(db)],
            check=True,
            env=env,
            capture_output=True,
            text=True,
        )
        store = open_store(db)
        position = {"round_id": result.stdout.strip(), "item_id": "qyx-core.05.3"}
    # as after a day's work: the app reopens the round at the item the user left
    store.set_setting("ui.position", position)
    store.close()
    bare, app = [], []
    if args.xev:
        watcher = MapWatcher()
        try:
            bare_command = [sys.executable, "-c", BARE_XEV]
            app_command = [sys.executable, str(ROOT / "main.py")]
            app_env = {**env, "MQSC_DB": str(db)}
            watcher.time_to_map(bare_command, env), watcher.time_to_map(app_command, app_env)  # warm the file cache
            # interleaved, so that a change in the machine's load hits both alike
            for _ in range(args.runs):
                bare.append(watcher.time_to_map(bare_command, env))
                app.append(watcher.time_to_map(app_command, app_env))
        finally:
            watcher.close()
        report(bare, app)
        return
    app_code = APP.format(root=str(ROOT), db=str(db))
    measure(BARE, env), measure(app_code, env)  # warm the file cache
    # interleaved, so that a change in the machine's load hits both alike
    for _ in range(args.runs):
        bare.append(measure(BARE, env))
        app.append(measure(app_code, env))
    report(bare, app)


if __name__ == "__main__":
    main()

"""Start-up time: process start → main window shown on a demo database, against a bare PySide6
window in the same run. Target: within 2× of the bare window.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/startup.py [--runs 15]
    xvfb-run -a env QT_QPA_PLATFORM=xcb .venv/bin/python bench/startup.py   # a real window

The app restores the demo round at an item, as after a day's work. Where its time goes, and why
start-up is arranged as it is: docs/architecture.md (GUI → Start-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="mqsc-bench-"))
    env = {
        **os.environ,
        "MQSC_DATA_DIR": str(workdir),
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
    }
    # as installed: byte-code compiled (PYTHONDONTWRITEBYTECODE, set on some machines, would
    # otherwise make every run compile the app's modules from source)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "app")], check=True)
    db = workdir / "demo.db"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "demo", "--db", str(db)],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    # as after a day's work: the app reopens the round at the item the user left
    sys.path.insert(0, str(ROOT))
    from app.store import open_store

    store = open_store(db)
    store.set_setting("ui.position", {"round_id": result.stdout.strip(), "item_id": "qyx-core.05.3"})
    store.close()
    app_code = APP.format(root=str(ROOT), db=str(db))
    measure(BARE, env), measure(app_code, env)  # warm the file cache
    # interleaved, so that a change in the machine's load hits both alike
    bare, app = [], []
    for _ in range(args.runs):
        bare.append(measure(BARE, env))
        app.append(measure(app_code, env))
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare PySide6 window : median {b * 1000:6.0f} ms  (min {min(bare) * 1000:.0f})")
    print(f"app, demo database  : median {a * 1000:6.0f} ms  (min {min(app) * 1000:.0f})")
    print(f"ratio               : {a / b:.2f}× of medians, {min(app) / min(bare):.2f}× of minima  (target ≤ 2×)")


if __name__ == "__main__":
    main()

"""The program's window on a real X display, for tests/test_input_method.py to type into with a
real input method. One command per line on stdin, one JSON line back on stdout:

- ``finding``: the walkthrough's 问题描述 of the current item gets the keyboard → ``{"ready": …}``
- ``board``: the 整改台账, its first row's 原因分析 cell current, no editor open → ``{"ready": …}``
- ``saved``: what the database holds now for the field last chosen → ``{"saved": "…"}``
- ``messages``: the texts of the message boxes on screen → ``{"messages": […]}``
- ``env``: the input method variables a program started from here inherits → ``{"env": {…}}``
- ``bridge``: whether the program is fcitx 4's client (app/ui/fcitx4.py) → ``{"bridge": …}``
- ``away``: the keyboard goes to the walkthrough's item tree (as on a click there) → ``{"away": true}``
- ``where``: the screen position of a point inside 问题描述, at its bottom right (clear of its text
  and of fcitx's candidate window under the cursor) → ``{"x": …, "y": …}``

``plain`` as the third argument makes the application without the program's start-up (no input
method adaptation): the control, to show what users had before.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    db_path, round_id, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    from PySide6.QtCore import QSocketNotifier
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui import application
    from app.ui.application import create_application, start

    app = QApplication(sys.argv) if mode == "plain" else create_application(sys.argv)
    started = start(Path(db_path))
    assert started is not None
    window, store, _instance = started
    window.open_round(round_id)
    window.activateWindow()
    chosen: dict[str, str] = {}

    def saved() -> str:
        window.walkthrough.panel.flush()
        if chosen["field"] == "finding":
            row = store.answer(round_id, chosen["item"])
            return row.finding if row else ""
        return store.rectification(chosen["rectification"]).cause

    def finding() -> dict:
        walk = window.walkthrough
        window.show_tab(0)
        chosen.update(field="finding", item=walk.tree.current_item_id() or "")
        walk.panel.finding.setFocus()
        walk.panel.finding.moveCursor(walk.panel.finding.textCursor().MoveOperation.End)
        return {"ready": saved()}

    def board() -> dict:
        window.show_tab(1)
        window.board.table.setCurrentCell(0, 2)  # 原因分析
        window.board.table.setFocus()
        chosen.update(field="cause", rectification=window.board.entries[0].id)
        return {"ready": saved()}

    def away() -> dict:
        window.walkthrough.tree.setFocus()
        return {"away": True}

    def where() -> dict:
        field = window.walkthrough.panel.finding
        point = field.mapToGlobal(field.rect().bottomRight())
        return {"x": point.x() - 20, "y": point.y() - 10}

    def messages() -> dict:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return {"messages": [box.text() for box in boxes]}

    commands = {
        "finding": finding,
        "board": board,
        "saved": lambda: {"saved": saved()},
        "env": lambda: {"env": {k: os.environ.get(k) for k in ("QT_IM_MODULE", "IBUS_USE_PORTAL")}},
        "messages": messages,
        "bridge": lambda: {"bridge": getattr(application.input_bridge, "active", False)},
        "away": away,
        "where": where,
    }

    def command() -> None:
        line = sys.stdin.readline().strip()
        if not line:
            app.quit()
            return
        print(json.dumps(commands[line](), ensure_ascii=False), flush=True)

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(command)
    print(json.dumps({"started": True}), flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())

"""What start-up leaves until the window is painted (docs/architecture.md, GUI → Start-up):
PySide6's Qt namespace (its 93 enums) is not built before the first turn of the event loop,
and what needed it (the item panel's tab order) is in place right after that turn."""

from __future__ import annotations

import os
import subprocess
import sys

from app.ui import qt
from tests.conftest import ROOT


def test_enum_numbers_are_the_enums() -> None:
    Qt = qt.Qt
    assert Qt.TextFormat.PlainText.value == qt.PLAIN_TEXT
    assert Qt.FocusPolicy.NoFocus.value == qt.NO_FOCUS
    assert Qt.TextInteractionFlag.TextSelectableByMouse.value == qt.SELECTABLE_BY_MOUSE
    assert Qt.ToolButtonStyle.ToolButtonTextBesideIcon.value == qt.TEXT_BESIDE_ICON
    assert Qt.ArrowType.RightArrow.value == qt.RIGHT_ARROW
    assert Qt.ShortcutContext.WidgetWithChildrenShortcut.value == qt.WIDGET_WITH_CHILDREN_SHORTCUT
    assert Qt.ItemDataRole.ForegroundRole.value == qt.FOREGROUND_ROLE
    assert Qt.ItemDataRole.UserRole.value == qt.USER_ROLE


def test_properties_set_by_number_read_back_as_the_enums(qtbot) -> None:
    label = qt.QLabel("<b>不是粗体</b>")
    qtbot.addWidget(label)
    label.setProperty("textFormat", qt.PLAIN_TEXT)
    label.setProperty("textInteractionFlags", qt.SELECTABLE_BY_MOUSE)
    label.setProperty("focusPolicy", qt.NO_FOCUS)
    assert label.textFormat() == qt.Qt.TextFormat.PlainText
    assert label.textInteractionFlags() == qt.Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.focusPolicy() == qt.Qt.FocusPolicy.NoFocus
    shortcut = qt.QShortcut(label)
    shortcut.setProperty("context", qt.WIDGET_WITH_CHILDREN_SHORTCUT)
    assert shortcut.context() == qt.Qt.ShortcutContext.WidgetWithChildrenShortcut


RUN_GUI = """
import gc, sys
from pathlib import Path
gc.disable()  # as main.py does
from app.ui.application import create_application, run_gui
from app.ui.main_window import MainWindow
from app.ui.qt import QApplication, QTimer, enums_built
app = create_application(sys.argv[:1])

def first_turn():
    print("built at the first turn:", enums_built(), flush=True)
    QTimer.singleShot(0, second_turn)

def second_turn():
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
    panel = window.walkthrough.panel
    print("built after it:", enums_built())
    print("tab order set:", panel.guidance_toggle.nextInFocusChain() is panel.editor.buttons["A"], flush=True)
    app.quit()

QTimer.singleShot(0, first_turn)
sys.exit(run_gui(sys.argv[:1], Path(sys.argv[1])))
"""


def test_the_qt_namespace_waits_for_the_first_paint(store, demo_round, db_path, tmp_path) -> None:
    """In its own process: a test session has long built the namespace."""
    store.set_setting("ui.position", {"round_id": demo_round, "item_id": "qyx-core.03.2"})
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MQSC_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", RUN_GUI, str(db_path)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "built at the first turn: False" in result.stdout
    assert "built after it: True" in result.stdout
    assert "tab order set: True" in result.stdout

"""The core never imports Qt: domain, catalog, store, services and the CLI run without PySide6."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

CORE = [
    "app.domain.checklist",
    "app.domain.evaluation",
    "app.domain.scoring",
    "app.domain.records",
    "app.catalog",
    "app.store",
    "app.services.rounds",
    "app.services.answers",
    "app.services.demo",
    "app.cli",
    "app.cli_backup",
    "app.files",
    "app.store.backup",
    "app.store.health",
    "app.store.lock",
    "app.services.backups",
]

BLOCK_QT = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'weasyprint'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
print('ok')
"""


def test_core_modules_import_without_qt_or_weasyprint():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT, *CORE], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_only_the_ui_package_mentions_pyside():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "app").rglob("*.py")
        if "PySide6" in p.read_text(encoding="utf-8") and "ui" not in p.relative_to(ROOT).parts
    ]
    assert offenders == []


START_UP = """
import sys
from pathlib import Path
from app.ui.application import create_application, start
app = create_application(sys.argv[:1])
window, store, lock = start(Path(sys.argv[1]))
assert window.walkthrough is not None, "the last round was not restored"
print(" ".join(sorted(sys.modules)))
"""

#: Not needed to show the window on the round the user left: each is imported on first use.
NOT_AT_START_UP = [
    "yaml",
    "jsonschema",
    "sqlite_utils",
    "weasyprint",
    "jinja2",
    "hashlib",
    "uuid",
    "html",
    "app.catalog",
    "app.render",
    "app.ui.rectification_board",
    "app.ui.rounds_page",
    "app.ui.profile_wizard",
    "app.ui.help_dialog",
    "app.ui.tasks",
]


def test_start_up_imports_only_what_the_first_window_needs(demo_round, store, tmp_path):
    """What keeps start-up near a bare Qt window (bench/startup.py): a regression here costs
    tens of milliseconds on every start."""
    from app.services.session import POSITION_KEY

    store.set_setting(POSITION_KEY, {"round_id": demo_round, "item_id": "qyx-core.05.3"})
    (tmp_path / "device-id").write_text("test-pc", encoding="ascii")  # made on the first start
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MQSC_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", START_UP, str(store.path)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stdout.split())
    assert "app.ui.walkthrough" in loaded
    assert [name for name in NOT_AT_START_UP if name in loaded] == []

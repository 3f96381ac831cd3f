"""The core never imports Qt: domain, catalog, store, services and the CLI run without PySide6."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

CORE = ["app.domain.checklist", "app.domain.evaluation", "app.domain.scoring", "app.domain.records",
        "app.catalog", "app.store", "app.services.rounds", "app.services.answers",
        "app.services.demo", "app.cli"]

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
    result = subprocess.run([sys.executable, "-c", BLOCK_QT, *CORE], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_only_the_ui_package_mentions_pyside():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if "PySide6" in p.read_text(encoding="utf-8") and "ui" not in p.relative_to(ROOT).parts]
    assert offenders == []

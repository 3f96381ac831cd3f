"""The core never imports Qt: domain, catalog, store, services and the CLI run without PySide6;
and every import in app/ follows the layer order of docs/architecture.md."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import pytest

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
    "app.cli_output",
    "app.cli_samples",
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


# --- the layer order of docs/architecture.md ---------------------------------------------------

#: Layers, lowest first: a module imports its own layer and those before it, never one after it.
#: render comes before exchange (an upload package holds the rendered workbook and the aggregate
#: reports); ui and cli are side by side and do not import each other.
LAYERS = (("base",), ("domain",), ("catalog",), ("store",), ("services",), ("render",), ("exchange",), ("ui", "cli"))
RULE = "layers import only those above them: domain ← catalog ← store ← services ← render ← exchange ← ui, cli"
RANK = {layer: rank for rank, names in enumerate(LAYERS) for layer in names}
#: modules every layer may use: the package itself (name, version), errors, files, paths, frozen
BASE = {"app", "app.errors", "app.files", "app.paths", "app.frozen"}

#: (importing module, imported module) → why the rule does not apply
ALLOWED = {("app.cli", "app.ui.application"): "the gui command is how the command line starts the GUI"}


def layer_of(module: str) -> str:
    if module in BASE:
        return "base"
    if module == "app.cli" or module.startswith("app.cli_"):  # the command line's modules
        return "cli"
    return module.split(".")[1]


def _under_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            return True
    return False


def app_imports(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every import of an app module, at module level or inside a function;
    those under ``if TYPE_CHECKING:`` are left out (they never run: annotations only)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            # "from . import x": x is a module when app has a file for it, else a name in the package
            names = [f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base for alias in node.names]
            targets = list(dict.fromkeys(names))
        else:
            continue
        if not _under_type_checking(node, parents):
            found += [(node.lineno, t) for t in targets if t == "app" or t.startswith("app.")]
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer_violations(source: str, module: str, is_package: bool, where: str) -> list[str]:
    importer = layer_of(module)
    out = []
    for line, target in app_imports(source, module, is_package):
        imported = layer_of(target)
        if imported == importer or RANK[imported] < RANK[importer] or (module, target) in ALLOWED:
            continue
        out.append(f"{where}:{line}: {module} ({importer}) imports {target} ({imported}): {RULE}")
    return out


def test_every_import_follows_the_layer_order():
    violations = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "forms" in parts:  # generated by pyside6-uic
            continue
        is_package = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if is_package else parts)
        source = path.read_text(encoding="utf-8")
        violations += layer_violations(source, module, is_package, str(path.relative_to(ROOT)))
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("app.store.history", "from ..services import rounds\n", "app.services.rounds (services)"),
        ("app.domain.scoring", "def f():\n    from app.catalog import load_catalog\n", "app.catalog (catalog)"),
        ("app.render.pdf", "import app.exchange.export\n", "app.exchange.export (exchange)"),
        ("app.ui.tasks", "from app import cli\n", "app.cli (cli)"),
        ("app.services", "from .. import files\nfrom . import rounds\n", None),
        ("app.exchange.export", "from ..render import xlsx\n", None),
        ("app.store.lock", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..ui import qt\n", None),
    ],
)
def test_the_layer_check_finds_an_import_against_the_order(module, source, expected):
    """The check itself: relative and function-level imports count, TYPE_CHECKING ones do not."""
    found = layer_violations(source, module, module == "app.services", "x.py")
    if expected is None:
        assert found == []
    else:
        [message] = found
        assert f"imports {expected}: layers import only" in message and message.startswith("x.py:")

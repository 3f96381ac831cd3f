"""Screens go through the services, never the store (the architecture issue's rule).

- No screen imports ``app.store`` at run time. The two modules that are not screens but start the
  program — start-up (open, lock, quick check) and the single-instance lock — are the exceptions,
  named below. An import under ``if TYPE_CHECKING:`` (a type in a signature) is not a
  dependency at run time and is allowed.
- The round's screens hold a :class:`~app.services.session.RoundSession`: they do not even name
  a store.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parent.parent / "app" / "ui"
#: not screens: start-up (it opens and checks the database) and the single-instance lock
DATABASE_MODULES = {"application.py", "single_instance.py"}
#: the screens of an open round: everything through the session
ROUND_SCREENS = {
    "walkthrough.py",
    "item_panel.py",
    "item_tree.py",
    "item_editors.py",
    "rectification_board.py",
    "overview_page.py",
    "history_dialog.py",
    "evidence.py",
}
SCREENS = sorted(p for p in UI.glob("*.py") if p.name not in DATABASE_MODULES)


def _type_checking_blocks(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def store_imports(path: Path) -> list[str]:
    """``file:line`` of every run-time import of app.store in a module (any level, any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_blocks(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:  # relative to app/ui/: one dot is app.ui, two are app
            package = {0: "", 1: "app.ui.", 2: "app."}.get(node.level, "app.")
            names = [package + node.module] if node.module else [package + a.name for a in node.names]
        if any(n == "app.store" or n.startswith("app.store.") for n in names):
            found.append(f"{path.name}:{node.lineno}")
    return sorted(found)


@pytest.mark.parametrize("path", SCREENS, ids=lambda p: p.name)
def test_no_screen_imports_the_store(path):
    assert store_imports(path) == [], "a screen uses app.services (a RoundSession for a round), not app.store"


@pytest.mark.parametrize("name", sorted(ROUND_SCREENS))
def test_round_screens_do_not_name_a_store(name):
    tree = ast.parse((UI / name).read_text(encoding="utf-8"))
    named = sorted(
        {
            f"{name}:{node.lineno}"
            for node in ast.walk(tree)
            if (isinstance(node, ast.Name) and node.id == "store")
            or (isinstance(node, ast.Attribute) and node.attr in ("store", "_store"))
            or (isinstance(node, ast.arg) and node.arg == "store")
        }
    )
    assert named == [], "the round's screens hold the session"


def test_the_rule_sees_an_import_it_must_refuse(tmp_path):
    """The checker itself: a run-time import is found, one for type checking only is not."""
    module = tmp_path / "screen.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ..store import Store\n"
        "def f():\n"
        "    from ..store.backup import list_backups\n"
        "import app.store\n",
        encoding="utf-8",
    )
    assert store_imports(module) == ["screen.py:5", "screen.py:6"]

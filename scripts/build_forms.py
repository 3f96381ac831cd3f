"""Compile forms/*.ui (Qt Designer) to app/ui/forms/ui_<name>.py with pyside6-uic.

Run after editing a form: ``.venv/bin/python scripts/build_forms.py``. The generated modules are
committed, so the app and its tests need no build step; tests/test_ui_forms.py checks they are current.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
OUT = ROOT / "app" / "ui" / "forms"
HEADER = "# Generated from forms/{name}.ui by scripts/build_forms.py: do not edit.\n"


def uic() -> str:
    exe = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-uic")
    if not exe:
        raise SystemExit("pyside6-uic not found (it comes with PySide6-Essentials)")
    return exe


def compile_form(ui: Path) -> str:
    result = subprocess.run(
        [uic(), "--no-autoconnection", str(ui)], capture_output=True, text=True, check=True, encoding="utf-8"
    )
    # uic stamps its own version in a comment; drop it so output does not depend on the Qt release
    body = "\n".join(
        line for line in result.stdout.splitlines() if not line.startswith("##") or "Form generated" in line
    )
    return HEADER.format(name=ui.stem) + body + "\n"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "__init__.py").write_text('"""Generated Qt Designer forms."""\n', encoding="utf-8")
    for ui in sorted(FORMS.glob("*.ui")):
        target = OUT / f"ui_{ui.stem}.py"
        target.write_text(compile_form(ui), encoding="utf-8")
        print(f"{ui.relative_to(ROOT)} -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""The generated form modules match the Designer files they come from."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("build_forms", ROOT / "scripts" / "build_forms.py")
build_forms = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_forms)


@pytest.mark.parametrize("ui", sorted((ROOT / "forms").glob("*.ui")), ids=lambda p: p.name)
def test_generated_form_is_current(ui):
    try:
        build_forms.uic()
    except SystemExit:
        pytest.skip("pyside6-uic not installed")
    committed = (ROOT / "app" / "ui" / "forms" / f"ui_{ui.stem}.py").read_text(encoding="utf-8")
    assert build_forms.compile_form(ui) == committed, f"run {sys.executable} scripts/build_forms.py"

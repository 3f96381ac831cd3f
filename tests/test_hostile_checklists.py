"""Hostile checklist files (issue 11, defect 6.6): deep nesting, huge integers, special files and
oversized files each get a clear message for that file while the other files still load."""

from __future__ import annotations

import os
import threading

import pytest

from app.catalog import ChecklistError, load_catalog, read_checklist_file
from app.catalog import loader as loader_module
from tests.test_catalog import VALID

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev are POSIX")


def _other(tmp_path):
    """A valid file beside the hostile one: it must still load."""
    (tmp_path / "good.yaml").write_text(VALID, encoding="utf-8")


def _load_in_thread(paths, timeout=20.0):
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["catalog"] = load_catalog(paths)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"loading did not return within {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["catalog"]


def _deep_sections(depth: int) -> str:
    lines = VALID.splitlines()
    head = "\n".join(lines[: lines.index("sections:")])
    body = ["sections:"]
    indent = ""
    for n in range(depth):
        body += [f"{indent}  - id: deep-list.{n}", f"{indent}    title: 第{n}层", f"{indent}    sections:"]
        indent += "    "
    body += [f"{indent}  - id: deep-list.x", f"{indent}    title: 底层", f"{indent}    items: []"]
    return head.replace("test-list", "deep-list") + "\n" + "\n".join(body) + "\n"


@pytest.mark.parametrize("depth", [170, 600])
def test_sections_nested_very_deep_are_refused_for_that_file_only(tmp_path, depth):
    _other(tmp_path)
    (tmp_path / "deep.yaml").write_text(_deep_sections(depth), encoding="utf-8")
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    problems = [p for p in catalog.problems if p.file.endswith("deep.yaml")]
    assert problems and "层" in problems[0].message, problems


def test_flow_nesting_is_refused_too(tmp_path):
    _other(tmp_path)
    (tmp_path / "brackets.yaml").write_text("id: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    assert any(p.file.endswith("brackets.yaml") for p in catalog.problems)


def test_a_5000_digit_integer_is_named_with_its_line(tmp_path):
    _other(tmp_path)
    text = VALID.replace("targets: {2024: 70, 2025: 80}", "targets: {2024: " + "7" * 5000 + "}")
    (tmp_path / "huge.yaml").write_text(text.replace("test-list", "huge-list"), encoding="utf-8")
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    problem = next(p for p in catalog.problems if p.file.endswith("huge.yaml"))
    assert problem.line == text.splitlines().index(next(x for x in text.splitlines() if "7777" in x)) + 1
    assert "数字" in problem.message and "位" in problem.message


@posix_only
def test_a_fifo_among_the_checklists_is_refused_without_waiting(tmp_path):
    _other(tmp_path)
    os.mkfifo(tmp_path / "pipe.yaml")
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    problem = next(p for p in catalog.problems if p.file.endswith("pipe.yaml"))
    assert "不是普通文件" in problem.message


@posix_only
def test_a_link_to_dev_zero_is_refused(tmp_path):
    _other(tmp_path)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    assert "不是普通文件" in next(p for p in catalog.problems if p.file.endswith("zero.yaml")).message


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(loader_module, "MAX_FILE_BYTES", 2000)
    path = tmp_path / "big.yaml"
    path.write_text(VALID + "# " + "很长的注释" * 400 + "\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match="过大"):
        read_checklist_file(path)


def test_a_folder_named_like_a_checklist_is_refused(tmp_path):
    _other(tmp_path)
    (tmp_path / "folder.yaml").mkdir()
    catalog = _load_in_thread([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    assert any(p.file.endswith("folder.yaml") for p in catalog.problems)


def test_any_unexpected_failure_is_that_files_problem(tmp_path, monkeypatch):
    """Whatever a hostile file triggers, the others load and the user gets a message, not a traceback."""
    _other(tmp_path)
    (tmp_path / "odd.yaml").write_text(VALID.replace("test-list", "odd-list"), encoding="utf-8")
    real = loader_module.validate_data

    def explode(data, file, lines=None):
        if "odd" in file:
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, file, lines)

    monkeypatch.setattr(loader_module, "validate_data", explode)
    catalog = load_catalog([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    assert any(p.file.endswith("odd.yaml") for p in catalog.problems)

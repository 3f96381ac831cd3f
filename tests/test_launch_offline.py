"""./run.sh and ./test.sh start at once, with no network, once the project is set up (issue 10).

They set up (pip, apt) only when .venv is missing or pyproject.toml / scripts/setup.sh changed,
which ``scripts/setup.sh`` decides from a stamp keyed by the SHA-256 of those two files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from app import __version__
from tests.conftest import ROOT

#: What a launch without set-up may cost, generously (≈0.1 s measured on a 2-core machine).
QUICK_S = 10


def _set_up() -> bool:
    return subprocess.run(["bash", "scripts/setup.sh", "--check"], cwd=ROOT, capture_output=True).returncode == 0


needs_setup = pytest.mark.skipif(not _set_up(), reason="the project is not set up: run ./test.sh first")


def _can_unshare_network() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


def _launch(prefix: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run(
        [*prefix, "./run.sh", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    return result, time.monotonic() - start


@needs_setup
def test_run_sh_starts_without_a_package_index():
    result, took = _launch([], {"PIP_NO_INDEX": "1"})
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    assert "安装" not in result.stdout + result.stderr  # no set-up ran
    assert took < QUICK_S


@needs_setup
@pytest.mark.skipif(not _can_unshare_network(), reason="unshare -n is not permitted here (needs root)")
def test_run_sh_starts_with_no_network_at_all():
    result, took = _launch(["unshare", "-n"])
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout
    assert took < QUICK_S


@needs_setup
def test_run_sh_names_files_of_the_folder_it_is_run_from(tmp_path):
    """run.sh changed into the project folder: ``demo --db rel.db`` run from elsewhere made the
    database in the project folder, and ``report --out`` and ``restore FILE`` read there too."""
    result = subprocess.run(
        [str(ROOT / "run.sh"), "demo", "--db", "相对路径.db"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_NO_INDEX": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "相对路径.db").exists() and not (ROOT / "相对路径.db").exists()


def _fake_checkout(tmp_path):
    """A copy of the set-up script and pyproject.toml beside a .venv that has a python."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n", encoding="utf-8")
    python.chmod(0o755)
    return tmp_path


def _check(root) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/setup.sh", "--check"], cwd=root, capture_output=True, text=True)


def _stamp(root) -> None:
    key = subprocess.run(
        "cat pyproject.toml scripts/setup.sh | sha256sum | cut -d' ' -f1",
        shell=True,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (root / ".venv" / ".setup-stamp").write_text(key, encoding="ascii")


def test_set_up_is_due_without_a_stamp(tmp_path):
    root = _fake_checkout(tmp_path)
    result = _check(root)
    assert result.returncode == 1
    assert "上次安装未完成" in result.stdout


def test_set_up_is_not_due_when_the_stamp_matches(tmp_path):
    root = _fake_checkout(tmp_path)
    _stamp(root)
    assert _check(root).returncode == 0


def test_set_up_is_due_again_when_pyproject_changes(tmp_path):
    root = _fake_checkout(tmp_path)
    _stamp(root)
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n# a new dependency\n")
    result = _check(root)
    assert result.returncode == 1
    assert "pyproject.toml" in result.stdout


def test_set_up_is_due_without_a_virtual_environment(tmp_path):
    root = _fake_checkout(tmp_path)
    shutil.rmtree(root / ".venv")
    result = _check(root)
    assert result.returncode == 1
    assert ".venv" in result.stdout


def test_if_needed_returns_at_once_when_set_up(tmp_path):
    """The offline fast path runs no pip and no apt: here they would fail (the fake python does nothing)."""
    root = _fake_checkout(tmp_path)
    _stamp(root)
    result = subprocess.run(
        ["bash", "scripts/setup.sh", "--if-needed"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/usr/bin:/bin", "PIP_NO_INDEX": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_a_set_up_that_fails_says_in_chinese_that_it_needs_the_network(tmp_path):
    """The first run without network ended, after 43 s of English pip retries, with “ERROR: No
    matching distribution found for sqlite-utils>=4” (review): a failed step now says what it
    means, and the stamp is not written."""
    root = _fake_checkout(tmp_path)
    python = root / ".venv" / "bin" / "python"
    python.write_text('#!/bin/sh\necho "ERROR: No matching distribution found for sqlite-utils>=4" >&2\nexit 1\n')
    result = subprocess.run(
        ["bash", "scripts/setup.sh", "--if-needed"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "需要联网" in result.stderr and "安装包" in result.stderr
    assert not (root / ".venv" / ".setup-stamp").exists()

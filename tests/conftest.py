"""Shared fixtures: a temporary database file, the built-in catalog, a demo round, the command
line in-process, another program holding a lock, a content test's checklist and source text.
Plain helpers are in tests/helpers.py and tests/content_walk.py."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.catalog import load_catalog
from app.domain.profile import HospitalProfile
from app.services.profile import save_profile
from app.store import Actor, open_store
from tests.content_walk import read_checklist, read_seed
from tests.helpers import ROOT, CliResult, hold_lock, run_cli

__all__ = ["PROFILE_2_GENERAL", "ROOT"]  # what test modules import from here


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Keep the device id and default database out of the real user folder."""
    monkeypatch.setenv("MQSC_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))


@pytest.fixture(scope="session")
def catalog():
    cat = load_catalog()
    assert not cat.problems, cat.problems
    return cat


@pytest.fixture
def actor():
    return Actor("测试员", "device-test")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "selfcheck.db"


@pytest.fixture
def store(db_path):
    s = open_store(db_path)
    yield s
    s.close()


PROFILE_2_GENERAL = HospitalProfile(
    name="测试县人民医院",
    level="二级",
    level_grade="甲等",
    type="综合",
    beds=300,
    flags=frozenset({"performs_surgery", "transfusion"}),
)


@pytest.fixture
def profiled_store(store, actor):
    save_profile(store, PROFILE_2_GENERAL, actor)
    return store


@pytest.fixture
def demo_file(tmp_path, catalog, actor):
    """A closed database file holding the demo round: (path, round id)."""
    from app.services.demo import create_demo

    path = tmp_path / "demo.db"
    store = open_store(path)
    round_id = create_demo(store, catalog, actor)
    store.close()
    return path, round_id


@pytest.fixture
def demo_round(store, catalog, actor):
    from app.services.demo import create_demo

    return create_demo(store, catalog, actor)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Runs ``python main.py ARGS`` in-process: ``cli("score", "--db", path)`` → exit code, stdout,
    stderr (tests/helpers.py: run_cli; run_main_py where the process itself is the point)."""
    return run_cli


@pytest.fixture
def lock_holder() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Starts another process holding a lock on a database (tests/helpers.py: hold_lock), and
    kills whatever is still running after the test."""
    started: list[subprocess.Popen[str]] = []

    def start(path: Path, lock: str = "instance", release_after: float | None = None) -> subprocess.Popen[str]:
        started.append(hold_lock(path, lock, release_after))
        return started[-1]

    yield start
    for holder in started:
        holder.kill()
        holder.wait()


@pytest.fixture(scope="module")
def doc(request):
    """The checklist file a content test module checks (its ``CHECKLIST`` id), as plain data."""
    return read_checklist(request.module.CHECKLIST)


@pytest.fixture(scope="module")
def seed(request):
    """The source text of a content test module (its ``SEED`` file), without white space."""
    return read_seed(request.module.SEED)


class DialogRecorder:
    """Stands in for app.ui.dialogs: records messages, answers questions as told."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.error_details: list[str] = []  # what each error keeps behind 显示详情 ('' for none)
        self.infos: list[str] = []
        self.info_details: list[str] = []  # what each information box keeps behind 显示详情
        self.confirms: list[str] = []
        #: the buttons each question named, where it named them ("" for 是 / 否)
        self.confirm_buttons: list[tuple[str, str]] = []
        self.confirm_answer = True
        self.text_answer: str | None = None  # what every text box answers …
        self.text_answers: list[str | None] = []  # … unless these answer, one each, first
        self.asked: list[tuple[str, str]] = []  # the text boxes shown: (label, text typed in it)
        self.problems: list[str] = []  # why the text typed before was refused, as each box said
        self.files: list[str] = []
        self.save_path: str | None = None
        self.folder: str | None = None
        self.suggested: str | None = None  # the name a save dialog proposed
        self.damaged: list[tuple[Path, str]] = []  # the damaged-database dialogs shown (file, problem)
        self.damage_details: list[str] = []  # SQLite's words each of them keeps as its technical detail
        self.restore_choice: Path | None = None  # the backup the damaged-database dialog answers
        self.opened: list[Path] = []  # files that would have been opened in the system viewer
        self.previewed: list[Path] = []  # reports shown in the in-app preview
        self.preview_notes: list[str] = []  # what each preview said over the pages ('' for nothing)

    def _ask_text(self, parent, label: str, text: str = "", problem: str = "") -> str | None:
        self.asked.append((label, text))
        self.problems.append(problem)
        return self.text_answers.pop(0) if self.text_answers else self.text_answer

    def _error(self, parent, message: str, details: str = "") -> None:
        self.errors.append(message)
        self.error_details.append(details)

    def install(self, monkeypatch) -> None:
        from app.ui import dialogs

        monkeypatch.setattr(dialogs, "error", self._error)
        monkeypatch.setattr(dialogs, "info", self._info)
        monkeypatch.setattr(dialogs, "confirm", self._confirm)
        monkeypatch.setattr(dialogs, "ask_text", self._ask_text)
        monkeypatch.setattr(dialogs, "open_files", lambda parent, caption, filters: list(self.files))
        monkeypatch.setattr(dialogs, "save_file", self._save_file)
        monkeypatch.setattr(dialogs, "choose_folder", lambda parent, caption: self.folder)
        from app.ui import backups_dialog

        monkeypatch.setattr(backups_dialog, "offer_restore", self._offer_restore)
        monkeypatch.setattr(dialogs, "open_in_viewer", self.opened.append)
        monkeypatch.setattr(dialogs, "preview_pdf", self._preview_pdf)

    def _info(self, parent, message: str, details: str = "") -> None:
        self.infos.append(message)
        self.info_details.append(details)

    def _preview_pdf(self, parent, path, note: str = "") -> None:
        self.previewed.append(path)
        self.preview_notes.append(note)

    def _offer_restore(self, parent, db_path, problem, backup_dir=None, detail=""):
        self.damaged.append((Path(db_path), problem))
        self.damage_details.append(detail)
        return self.restore_choice

    def _save_file(self, parent, caption, suggested, filters) -> str | None:
        self.suggested = suggested
        return self.save_path

    def _confirm(self, parent, message, yes="", no="") -> bool:
        self.confirms.append(message)
        self.confirm_buttons.append((yes, no))
        return self.confirm_answer


@pytest.fixture
def ui_dialogs(monkeypatch):
    recorder = DialogRecorder()
    recorder.install(monkeypatch)
    return recorder


@pytest.fixture
def demo_window(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    """The main window, shown, open on the demo round; its modal dialogs recorded (ui_dialogs)."""
    from app.ui.main_window import MainWindow

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.open_round(demo_round)
    return window


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Callable[[str], Path]]:
    """``small_disk("3M")``: a real filesystem of that size (a tmpfs), where one can be mounted
    (root); skips the test where none can. Unmounted after the test."""
    mounted: list[Path] = []

    def mount(size: str) -> Path:
        disk = tmp_path / f"disk{len(mounted)}"
        disk.mkdir()
        command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)]
        if subprocess.run(command, capture_output=True).returncode:
            pytest.skip("no tmpfs can be mounted here (needs root)")
        mounted.append(disk)
        return disk

    try:
        yield mount
    finally:
        for disk in mounted:  # --lazy: detached even while a handle is open
            subprocess.run(["umount", "--lazy", str(disk)], check=False)


@pytest.fixture
def full_disk(small_disk) -> Path:
    """A real filesystem of 3 MB; tests.helpers.fill_up fills it."""
    return small_disk("3M")

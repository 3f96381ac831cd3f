"""Hostile attachments (issue 11, defects 6.4, 6.5 and the file-name half of 6.8): special files,
symlinks, files that lie about their size, names with bidi controls or line breaks, and the
folder an attachment is opened from. Real files, a real SQLite database, real threads."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.errors import InputError
from app.services import attachments as attachment_service
from app.services.attachments import add_attachment, export_attachment, list_attachments
from app.services.session import RoundSession
from tests.conftest import ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, symlinks and /proc are POSIX")


def _add_in_thread(db_path, round_id, path, actor, timeout=10.0):
    """add_attachment on its own connection in a daemon thread: a call that would block for good
    fails the test instead of hanging it."""
    from app.store import open_store

    outcome: dict = {}

    def run() -> None:
        store = open_store(db_path)
        try:
            outcome["value"] = add_attachment(store, round_id, path, actor)
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            store.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"adding {path.name} did not return within {timeout} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def round_id(demo_round):
    return demo_round


def _count(store, round_id) -> int:
    return len(store.attachments(round_id))


# --- 6.5: only regular files, read with a hard limit ---------------------------------------------


@posix_only
def test_a_name_an_item_already_has_is_numbered_and_another_items_is_not(store, round_id, actor, tmp_path):
    """Two photos both listed as 现场照片.jpg could not be told apart in the reports, and a
    package extracted on Windows held one of them."""
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(32))
    shouting = tmp_path / "现场照片.JPG"
    shouting.write_bytes(b"\xff\xd8\xff" + bytes(33))
    names = [
        add_attachment(store, round_id, p, actor, item_id="qyx-core.05.3").filename for p in (photo, photo, shouting)
    ]
    assert names == ["现场照片.jpg", "现场照片（2）.jpg", "现场照片（3）.JPG"]
    assert add_attachment(store, round_id, photo, actor, item_id="qyx-core.05.4").filename == "现场照片.jpg"
    stored = [a.filename for a in list_attachments(store, round_id, item_id="qyx-core.05.3")]
    assert sorted(stored) == sorted(names)
    assert attachment_service.numbered_name("说明", {"说明", "说明（2）"}) == "说明（3）"  # no extension


def test_a_fifo_is_refused_at_once(store, round_id, actor, tmp_path):
    fifo = tmp_path / "会议记录.pdf"
    os.mkfifo(fifo)
    before = _count(store, round_id)
    with pytest.raises(InputError, match="不是普通文件"):
        _add_in_thread(store.path, round_id, fifo, actor)  # never blocks: opened non-blocking
    assert _count(store, round_id) == before


@posix_only
@pytest.mark.parametrize("target", ["/dev/zero", "/etc/hostname", "/proc/self/status"])
def test_a_symlink_is_refused_whatever_it_points_to(store, round_id, actor, tmp_path, target):
    if not Path(target).exists():
        pytest.skip(f"{target} does not exist here")
    link = tmp_path / "制度文件.pdf"
    link.symlink_to(target)
    before = _count(store, round_id)
    with pytest.raises(InputError, match="链接"):
        _add_in_thread(store.path, round_id, link, actor)
    assert _count(store, round_id) == before


@posix_only
def test_a_folder_named_like_a_document_is_refused(store, round_id, actor, tmp_path):
    folder = tmp_path / "扫描件.pdf"
    folder.mkdir()
    with pytest.raises(InputError, match="不是普通文件"):
        add_attachment(store, round_id, folder, actor)


def test_a_file_that_grows_past_the_limit_while_read_is_refused(store, round_id, actor, tmp_path, monkeypatch):
    """The size is checked while reading, not only from what the file system reports."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF" + b"0" * 100)
    real_fstat = os.fstat

    def lying_fstat(fd):  # a file that says it is small (as /proc files say 0)
        result = real_fstat(fd)
        if stat.S_ISREG(result.st_mode) and result.st_size == 104:
            values = list(result)
            values[stat.ST_SIZE] = 10
            return os.stat_result(values)
        return result

    before = _count(store, round_id)
    monkeypatch.setattr(attachment_service, "MAX_ATTACHMENT_BYTES", 50)
    monkeypatch.setattr(os, "fstat", lying_fstat)
    monkeypatch.setattr(Path, "stat", lambda self, **kw: os.stat_result([*list(os.stat(self))[:6], 10, 0, 0, 0]))
    with pytest.raises(InputError, match="超过"):
        add_attachment(store, round_id, scan, actor)
    assert _count(store, round_id) == before


@pytest.mark.parametrize(
    ("size", "told"),
    [
        (21_000_000, "大小为 20.03 MB，超过上限 20 MB"),  # one decimal read "20.0 MB，超过 20 MB"
        (20 * 1048576 + 1, "大小为 20,971,521 字节，超过上限 20,971,520 字节"),
        (25 * 1048576, "大小为 25.0 MB，超过上限 20 MB"),
    ],
)
def test_a_file_over_the_limit_reads_larger_than_the_limit(store, round_id, actor, tmp_path, size, told):
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(size)  # sparse: no disk space needed
    with pytest.raises(InputError, match=re.escape(f"文件“big.pdf”{told}。请压缩或拆分后再添加。")):
        add_attachment(store, round_id, big, actor)
    assert _count(store, round_id) == 0


def test_reading_happens_apart_from_storing(tmp_path):
    """The GUI reads files in a worker thread (no store there) and stores them on its own thread."""
    scan = tmp_path / "制度.pdf"
    scan.write_bytes(b"%PDF-1.4 ok")
    read = attachment_service.read_attachment_file(scan)
    assert (read.name, read.data, read.media_type) == ("制度.pdf", b"%PDF-1.4 ok", "application/pdf")
    assert len(read.sha256) == 64


# --- 6.8: file names ------------------------------------------------------------------------------


@posix_only
def test_a_file_name_with_a_line_break_is_refused(store, round_id, actor, tmp_path):
    scan = tmp_path / "制度\n文件.pdf"
    scan.write_bytes(b"%PDF-1.4")
    before = _count(store, round_id)
    with pytest.raises(InputError, match="换行"):
        add_attachment(store, round_id, scan, actor)
    assert _count(store, round_id) == before


def test_bidi_controls_are_taken_out_of_a_file_name(store, round_id, actor, tmp_path):
    """ "照片\\u202egpj.pdf" shows as 照片fdp.jpg where the override is obeyed."""
    scan = tmp_path / "照片\u202egpj.pdf"
    scan.write_bytes(b"%PDF-1.4")
    added = add_attachment(store, round_id, scan, actor)
    assert added.filename == "照片gpj.pdf"
    assert [a.filename for a in list_attachments(store, round_id)][-1] == "照片gpj.pdf"


# --- 6.4: opening an attachment -------------------------------------------------------------------


@pytest.fixture
def stored(store, round_id, actor, tmp_path):
    scan = tmp_path / "会议纪要.pdf"
    scan.write_bytes(b"%PDF-1.4 minutes")
    return add_attachment(store, round_id, scan, actor)


def test_opened_from_a_private_folder_of_this_process(store, stored):
    path = export_attachment(store, stored)
    assert path.read_bytes() == b"%PDF-1.4 minutes" and path.name == "会议纪要.pdf"
    private = attachment_service.private_folder()
    assert path.is_relative_to(private)
    if os.name == "posix":
        assert stat.S_IMODE(private.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, "not readable by other users"
    again = export_attachment(store, stored)
    assert again != path and again.read_bytes() == path.read_bytes()  # a viewer may still hold the first


@posix_only
def test_a_planted_symlink_is_never_written_through(store, stored, tmp_path):
    """The old shared folder <tmp>/mqsc-attachments/<hash>/<name> let another user plant a symlink
    there; writing the attachment overwrote its target."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "shared"
    target = folder / stored.sha256[:12] / stored.filename
    target.parent.mkdir(parents=True)
    target.symlink_to(victim)
    try:
        path = export_attachment(store, stored, folder)
    except OSError:
        path = None
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert path is None or not path.is_symlink()


def test_the_private_folder_is_removed_when_the_program_ends(tmp_path, demo_round, store, stored):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.services.attachments import export_attachment, list_attachments\n"
        "from app.store import open_store\n"
        "store = open_store(Path(sys.argv[1]))\n"
        "a = list_attachments(store, sys.argv[2])[-1]\n"
        "print(export_attachment(store, a))\n"
    )
    store.close()
    done = subprocess.run(
        [sys.executable, "-c", script, str(store.path), demo_round],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    opened = Path(done.stdout.strip())
    assert opened.name == "会议纪要.pdf"
    assert not opened.exists() and not opened.parent.exists()


def test_what_a_process_that_ended_left_opened_is_removed_by_the_next(tmp_path, monkeypatch, store, stored):
    """Windows cannot delete a file another program holds open: scans opened in WPS stayed in
    %TEMP% for good, as they do after a crash anywhere (Windows review). The next process that
    opens an attachment removes the folders of processes no longer running, and no other."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(attachment_service, "_private", None)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"mqsc-open-{int(ended.stdout)}-k2j4"
    (left / "x1").mkdir(parents=True)
    (left / "x1" / "病历扫描.pdf").write_bytes(b"%PDF-1.4 scan")
    running = tmp_path / f"mqsc-open-{os.getppid()}-a8f0"  # another program, still open
    (running / "x2").mkdir(parents=True)
    other = tmp_path / "mqsc-open-notes"  # not a folder of ours by its name
    other.mkdir()
    path = export_attachment(store, stored)
    assert path.is_relative_to(tmp_path) and f"mqsc-open-{os.getpid()}-" in str(path)
    assert not left.exists() and running.exists() and other.exists()


def test_the_gui_reads_files_off_its_thread(qtbot, tmp_path, monkeypatch):
    from app.ui.evidence import read_files
    from app.ui.qt import QWidget

    scan = tmp_path / "制度.pdf"
    scan.write_bytes(b"%PDF-1.4 ok")
    threads = []
    real = attachment_service.read_attachment_file

    def spy(path):
        threads.append(threading.current_thread())
        return real(path)

    monkeypatch.setattr(attachment_service, "read_attachment_file", spy)
    parent = QWidget()
    qtbot.addWidget(parent)
    read = read_files(parent, [str(scan), str(tmp_path / "没有.pdf")])
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert read[0].data == b"%PDF-1.4 ok"
    assert isinstance(read[1], InputError) and "没有.pdf" in str(read[1])


@posix_only
def test_the_item_panel_names_refused_files_and_stores_the_good_one(
    qtbot, profiled_store, actor, catalog, ui_dialogs, tmp_path
):
    """Through the real walkthrough page: a FIFO, a symlink and a name with a line break are each
    named with the reason; the ordinary file chosen with them is stored."""
    import datetime as dt

    from PySide6.QtCore import Qt

    from app.services.rounds import start_round
    from app.ui.walkthrough import WalkthroughPage

    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(profiled_store, entries, "2025年一季度", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.show()
    os.mkfifo(tmp_path / "管道.pdf")
    (tmp_path / "链接.pdf").symlink_to("/etc/hostname" if Path("/etc/hostname").exists() else "/etc/passwd")
    (tmp_path / "两\n行.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "制度.pdf").write_bytes(b"%PDF-1.4 ok")
    ui_dialogs.files = [str(tmp_path / n) for n in ("管道.pdf", "链接.pdf", "两\n行.pdf", "制度.pdf")]
    qtbot.mouseClick(page.panel.attachment_buttons[0], Qt.MouseButton.LeftButton)
    assert [a.filename for a in profiled_store.attachments(round_id)] == ["制度.pdf"]
    assert page.panel.attachments.count() == 1
    assert not ui_dialogs.errors
    shown = page.panel.attachment_error.text()
    assert "管道.pdf" in shown and "不是普通文件" in shown
    assert "链接.pdf" in shown and "链接（快捷方式）" in shown
    assert "两↵行.pdf" in shown and "换行" in shown

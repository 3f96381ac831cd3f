"""Issue 11, section 1 and defects 6.1, 6.7, 6.9, 6.10: every connection's settings, files the
store must refuse before changing anything, damage met after opening, read-only fallback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.errors import DamagedError, StoreError
from app.exchange.export import pseudonym_key
from app.store import open_store
from app.store.schema import LATEST_VERSION, migrate
from tests.conftest import ROOT
from tests.helpers import damage_table


def test_every_connection_is_wal_full_sync_foreign_keys_secure_delete(store):
    pragma = lambda name: store.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert (pragma("journal_mode"), pragma("synchronous"), pragma("foreign_keys"), pragma("secure_delete")) == (
        "wal",
        2,
        1,
        1,
    )


def test_a_deleted_attachment_leaves_no_bytes_in_the_file(profiled_store, catalog, actor, db_path):
    import datetime as dt

    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    secret = b"SECRET-PATIENT-NAME-" * 500
    attachment = store.add_attachment(
        {
            "round_id": round_id,
            "item_id": "qyx-core.01.1",
            "filename": "a.pdf",
            "media_type": "application/pdf",
            "size": len(secret),
            "sha256": "x",
        },
        secret,
        actor,
    )
    store.delete_attachment(attachment)
    store.close()
    assert b"SECRET-PATIENT-NAME-" not in db_path.read_bytes()


def _look_alike(path, version=LATEST_VERSION):
    """Our table names with other columns (another tool that happens to use the same names)."""
    ours = sqlite3.connect(":memory:")
    migrate(ours)
    conn = sqlite3.connect(path)
    for (name,) in ours.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        conn.execute(f'CREATE TABLE "{name}" (id INTEGER PRIMARY KEY, payload TEXT)')
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", [1, LATEST_VERSION])
def test_a_look_alike_is_refused_before_anything_changes(tmp_path, version):
    path = tmp_path / "lookalike.db"
    _look_alike(path, version)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="其他程序的数据库"):
        open_store(path)
    assert path.read_bytes() == before  # the header is not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lookalike.db"]


def test_a_read_command_never_makes_a_database_of_an_empty_file(tmp_path, cli):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    result = cli("score", "--db", path, "--round", "x")
    assert result.returncode == 1 and "空的" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]


@pytest.mark.parametrize("command", [["score"], ["rectifications"], ["report", "--kind", "self", "--out", "r.pdf"]])
def test_damage_found_after_opening_is_the_damaged_message_with_the_newest_backup(demo_file, command, cli, monkeypatch):
    path, round_id = demo_file
    monkeypatch.chdir(path.parent)  # where r.pdf would go
    assert cli("backup", "--db", path).returncode == 0
    damage_table(path, "answers")
    before = path.read_bytes()
    result = cli(*command, "--db", path, "--round", round_id)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "sqlite3" not in result.stderr
    assert "已损坏" in result.stderr and "最新的完好备份" in result.stderr, result.stderr
    assert "python main.py restore --db" in result.stderr
    assert path.read_bytes() == before


def test_every_read_turns_damage_into_a_damaged_error(demo_file):
    path, round_id = demo_file
    damage_table(path, "answers")
    store = open_store(path)
    try:
        with pytest.raises(DamagedError, match="已损坏"):
            store.answers(round_id)
    finally:
        store.close()


def _limit_file_size(limit: int) -> str:
    """Python that makes every file write beyond ``limit`` bytes fail, as on a full disk
    (RLIMIT_FSIZE: no root needed), then runs the CLI with the given arguments."""
    return (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
        "from app.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )


full_disk = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")


@full_disk
def test_reading_works_on_a_full_disk(demo_file, tmp_path):
    """Defect 6.9: nothing could be read when SQLite's shared-memory file could not be made."""
    path, round_id = demo_file
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", _limit_file_size(0), "score", "--db", str(path), "--round", round_id, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"answered"' in result.stdout
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db", "userdata"] or "demo.db-wal" not in [
        p.name for p in tmp_path.iterdir() if p.stat().st_size
    ]


@full_disk
def test_a_read_only_store_says_why_refuses_writes_and_saves_again_once_it_can(demo_file):
    """Writing impossible (here: a full disk) → opened read-only, with the reason, and writes
    refused. The connection then stayed read-only: every retry failed after the disk was cleaned
    up (or a locked stick unlocked), and the window's kept input was lost on leaving."""
    path, _ = demo_file
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))\n"
        "from app.store import open_store\n"
        "s = open_store(sys.argv[1])\n"
        "print(s.read_only)\n"
        "try:\n"
        "    s.set_setting('kept', 1)\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "s.set_setting('kept', 2)\n"
        "print(repr(s.read_only), s.setting('kept'))\n"
        "s.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    reason, refused, saved = result.stdout.splitlines()
    assert "磁盘已满" in reason
    assert refused.startswith("StoreError") and "只读" in refused
    assert saved == "'' 2"
    store = open_store(path)
    assert store.setting("kept") == 2 and store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


@full_disk
def test_a_database_that_cannot_be_written_exports_under_the_key_made_when_it_was_opened(demo_file):
    """The 病案号 key was made on the first export: on a full disk or a write-protected stick the
    default (pseudonymised) export failed with “本次修改未保存”. Opening writable makes it now."""
    path, _ = demo_file
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))\n"
        "from app.store import open_store\n"
        "from app.exchange.export import pseudonym_key\n"
        "s = open_store(sys.argv[1])\n"
        "print(bool(s.read_only), pseudonym_key(s).hex())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    read_only, key = result.stdout.split()
    store = open_store(path)
    assert read_only == "True" and bytes.fromhex(key) == pseudonym_key(store)  # the same pseudonyms
    store.close()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user")
def test_a_shared_memory_file_left_read_only_does_not_keep_the_database_read_only(demo_file):
    """Opened once while chmod 444, the database left a -shm file of mode 0444 behind; made
    writable again, every save still failed with “只读”, until the -shm was deleted (review)."""
    import tempfile

    user = 65534  # nobody: reaches /tmp, not pytest's own folder
    folder = Path(tempfile.mkdtemp(prefix="mqsc-shm-"))
    path = folder / "demo.db"
    shutil.copy(demo_file[0], path)
    for p in (folder, path):
        os.chown(p, user, user)
    folder.chmod(0o755)
    holder = sqlite3.connect(path)  # keeps the -shm there, as another window would
    holder.execute("SELECT count(*) FROM rounds").fetchone()
    shm = Path(f"{path}-shm")
    os.chown(shm, user, user)
    shm.chmod(0o444)
    code = (
        "import os, sys\n"
        "from app.store import open_store\n"
        "import app.store.backup, app.store.health, app.store.lock, sqlite_utils.plugins\n"
        "sqlite_utils.plugins.ensure_plugins_loaded()  # before /root is out of reach\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "s = open_store(sys.argv[1])\n"
        "s.set_setting('saved', 1)\n"
        "print(repr(s.read_only), s.setting('saved'))\n"
        "s.close()\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
    finally:
        holder.close()
        shutil.rmtree(folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["''", "1"]


@full_disk
def test_a_demo_failing_on_a_full_disk_leaves_no_database(tmp_path):
    path = tmp_path / "demo.db"
    result = subprocess.run(
        [sys.executable, "-c", _limit_file_size(8192), "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 1
    assert "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert not any(p.name.startswith("demo.db") for p in tmp_path.iterdir())


def test_no_single_damaged_page_gives_a_traceback(demo_file, tmp_path):
    """Defect 6.1, swept: every page but the header, overwritten with garbage or with zeros
    (zeros in a long value's overflow page are invisible to SQLite, but not to the JSON parser)."""
    import contextlib
    import io
    import shutil

    from app.cli import main

    path, round_id = demo_file
    page_size = sqlite3.connect(path).execute("PRAGMA page_size").fetchone()[0]
    pages = path.stat().st_size // page_size
    spoilt = tmp_path / "spoilt.db"
    damaged = 0
    for page in range(2, pages + 1):
        for fill in (bytes((i * 37 + 11) % 256 for i in range(page_size)), bytes(page_size)):
            for leftover in (spoilt, tmp_path / "spoilt.db-wal", tmp_path / "spoilt.db-shm"):
                leftover.unlink(missing_ok=True)
            shutil.copy(path, spoilt)
            with open(spoilt, "r+b") as f:
                f.seek((page - 1) * page_size)
                f.write(fill)
            before = spoilt.read_bytes()
            for command in ("score", "rectifications"):
                err = io.StringIO()
                with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                    code = main([command, "--db", str(spoilt), "--round", round_id])  # raises on a traceback
                assert code in (0, 1)
                if code == 1:
                    damaged += 1
                    assert "已损坏" in err.getvalue(), (page, err.getvalue())
            assert spoilt.read_bytes() == before
    assert damaged > pages  # most pages matter to these commands


def test_read_only_connections_take_any_file_name(tmp_path, capsys):
    """The read-only paths (check, backups, the fallback) use SQLite URIs, where '#', '?', '%'
    and spaces mean something: a hospital's folder name must not."""
    from app.cli import main

    path = tmp_path / "质控 #1?50%" / "数据 库.db"
    assert main(["demo", "--db", str(path)]) == 0
    assert main(["backup", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["check", "--db", str(path), "--json"]) == 0
    assert '"integrity": "ok"' in capsys.readouterr().out


def test_the_installed_program_names_itself_in_the_restore_command(demo_file, cli, monkeypatch, tmp_path):
    """From a package there is no ``python main.py``: the command shown is the program itself."""
    import sys

    path, round_id = demo_file
    assert cli("backup", "--db", path).returncode == 0
    damage_table(path, "answers")
    program = tmp_path / "Program Files" / "医疗质量自查助手" / "mqsc.exe"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    result = cli("score", "--db", path, "--round", round_id)
    assert f'"{program}" restore --db' in result.stderr and "python main.py" not in result.stderr

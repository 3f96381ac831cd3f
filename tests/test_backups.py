"""Issue 11, sections 1, 2 and 4: check, backups (made, checked, rotated), restore, the instance
lock, the network/cloud warning, and defect 6.2 (validation inside the write transaction)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.errors import InputError, StoreError
from app.services import backups as backup_service
from app.store import open_store
from app.store.backup import Backup, check_backup, list_backups, to_remove
from app.store.health import Health
from app.store.lock import InstanceLock, held_elsewhere
from app.store.schema import LATEST_VERSION, migrate
from tests.helpers import damage_table


def test_check_reports_a_healthy_database(demo_file, cli):
    path, _ = demo_file
    code, out, _ = cli("check", "--db", path, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["integrity"] == "ok" and report["journal_mode"] == "wal" and report["synchronous"] == "FULL"
    assert report["schema_version"] == LATEST_VERSION and report["sqlite_version"] == sqlite3.sqlite_version
    assert report["history"] in ("ok", "not yet recorded") and report["last_backup"] is None
    code, out, _ = cli("check", "--db", path)
    assert code == 0 and "完好" in out and "FULL" in out and "结论：正常" in out


def test_check_finds_damage_and_changes_nothing(demo_file, cli):
    path, _ = demo_file
    damage_table(path, "answers")
    before = path.read_bytes()
    code, out, _ = cli("check", "--db", path, "--json")
    assert code == 1 and json.loads(out)["integrity"] != "ok"
    assert json.loads(out)["damage"] == "“自查结果”部分的数据已损坏，无法完整读取。"
    assert path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == ["demo.db"]


def test_check_says_which_part_is_damaged_and_marks_sqlites_own_words(demo_file, cli):
    """The user reads Chinese; SQLite's English ("database disk image is malformed") is kept,
    under a heading saying it is for a technician."""
    path, _ = demo_file
    damage_table(path, "rectifications")
    code, out, _ = cli("check", "--db", path)
    lines = out.splitlines()
    verdict = next(i for i, line in enumerate(lines) if line.startswith("完整性检查"))
    assert code == 1
    assert lines[verdict] == "完整性检查（integrity_check）：发现问题：“整改项”部分的数据已损坏，无法完整读取。"
    assert lines[verdict + 1] == "    技术信息（SQLite 的检查结果，供技术人员参考）："
    assert re.search("[a-z]{4,}", lines[verdict + 2]) and lines[verdict + 2].startswith("      ")
    assert "结论：有问题（见上）" in out


def test_check_of_a_damaged_file_finds_the_backup_in_the_chosen_folder(demo_file, cli, tmp_path):
    """Backups on a stick (备份位置 chosen in the window): check said “没有备份” and “没有找到完好的
    备份。请用 … check 查看损坏情况”, sending the user back to the command just run, while the
    window's damaged-database dialog found the good backup."""
    from app.store.backup import FOLDER_SETTING

    path, round_id = demo_file
    stick = tmp_path / "U盘" / "备份"
    stick.mkdir(parents=True)  # as 备份位置 leaves it
    store = open_store(path)
    store.set_setting(FOLDER_SETTING, str(stick))
    store.close()
    assert cli("backup", "--db", path)[0] == 0
    [made] = list_backups(stick, path)
    damage_table(path, "rectifications")
    code, out, _ = cli("check", "--db", path)
    assert code == 1 and f"最新的完好备份：{made.path}" in out and f"restore --db {path} {made.path}" in out
    code, _, err = cli("rectifications", "--db", path, "--round", round_id)  # a command meeting the damage
    assert code == 1 and f"最新的完好备份：{made.path}" in err
    made.path.unlink()  # the stick not plugged in: where it looked, and what else to do
    code, out, _ = cli("check", "--db", path)
    assert f"在“{stick}”、“{path.parent / 'backups'}”中没有找到完好的备份。备份放在 U 盘等其他位置时" in out
    assert "check 查看损坏情况" not in out


def _with_a_scan(path: Path, round_id: str, actor) -> None:
    """An attachment of 200 KB of 0xAB bytes (tests.helpers.damage_attachment_pages finds them)."""
    store = open_store(path)
    fields = {"round_id": round_id, "item_id": "qyx-core.01.1", "filename": "扫描件.pdf"}
    store.add_attachment(
        {**fields, "media_type": "application/pdf", "size": 200_000, "sha256": "x"}, b"\xab" * 200_000, actor
    )
    store.close()


def test_the_records_are_checked_apart_from_the_attachments_bytes(demo_file, actor):
    """Start-up's check (before the window) reads every table but the attachments, whose pages
    are the files' bytes (two years of scans: 95 % of the file, seconds from a disk); the whole
    file's check, made once the window is up, finds damage to those too."""
    from app.store.health import quick_check, quick_check_records
    from tests.helpers import damage_attachment_pages

    path, round_id = demo_file
    _with_a_scan(path, round_id, actor)
    damage_attachment_pages(path)
    conn = sqlite3.connect(path)
    assert quick_check_records(conn) == [] and quick_check(conn) != []
    conn.close()
    assert backup_service.damage_found(path)[0] == "“附件”部分的数据已损坏，无法完整读取。"
    damage_table(path, "answers")
    conn = sqlite3.connect(path)
    assert quick_check_records(conn) != []
    conn.close()


def test_a_file_that_is_no_database_is_told_so_in_chinese(tmp_path, cli):
    path = tmp_path / "selfcheck.db"
    path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(8192)))
    code, out, _ = cli("check", "--db", path)
    assert code == 1 and "发现问题：文件已损坏，或不是数据库文件，无法读取。" in out


def test_every_line_of_sqlites_report_stands_on_its_own_line_under_the_heading(tmp_path):
    raw = "*** in database main ***\nPage 25: btreeInitPage() returns error code 11\nPage 44 is never used"
    damage = "“修改记录”部分的数据已损坏，无法完整读取。"
    text = "\n".join(Health(tmp_path / "x.db", integrity=[raw], damage=damage).lines())
    assert f"发现问题：{damage}\n    技术信息（SQLite 的检查结果，供技术人员参考）：\n" in text
    assert "\n      *** in database main ***\n      Page 25: btreeInitPage() returns error code 11\n" in text
    unexplained = Health(tmp_path / "x.db", integrity=[raw]).to_dict()
    assert unexplained["damage"] == "文件的内部结构有错误，无法确定是哪部分数据。"


def test_backup_is_checked_listed_and_complete(demo_file, cli):
    path, round_id = demo_file
    code, out, _ = cli("backup", "--db", path)
    assert code == 0 and "已备份并检查完好" in out
    code, out, _ = cli("backups", "--db", path, "--json")
    listed = json.loads(out)
    assert listed["folder"] == str(path.parent / "backups")
    [entry] = listed["backups"]
    assert entry["checked"] is True and entry["size"] > 0 and entry["reason"] == "manual"
    assert dt.datetime.fromisoformat(entry["time"]) <= dt.datetime.now()
    copy = Path(entry["file"])
    assert check_backup(copy) == "ok"
    conn = sqlite3.connect(copy)  # everything is in it, attachments included
    assert conn.execute("SELECT count(*) FROM answers WHERE round_id = ?", (round_id,)).fetchone()[0] > 50
    assert not list(copy.parent.glob(".*.part"))
    code, out, _ = cli("check", "--db", path, "--json")
    assert json.loads(out)["last_backup"]["file"] == str(copy)


def test_backup_to_a_chosen_file(demo_file, cli, tmp_path):
    path, _ = demo_file
    out_file = tmp_path / "U盘" / "备份.db"
    out_file.parent.mkdir()
    code, _, _ = cli("backup", "--db", path, "--out", out_file)
    assert code == 0 and check_backup(out_file) == "ok"


def test_a_damaged_database_gives_no_backup(demo_file, cli):
    path, _ = demo_file
    damage_table(path, "answers")
    code, _, err = cli("backup", "--db", path)
    assert code == 1 and ("检查未通过" in err or "已损坏" in err) and "Traceback" not in err
    assert list_backups(path.parent / "backups", path) == []
    assert not list((path.parent / "backups").glob(".*"))


def _backup(day: dt.datetime, n: int = 0) -> Backup:
    return Backup(Path(f"db-{day:%Y%m%d-%H%M%S}-{n}-daily.db"), day, 1, "daily")


def test_rotation_keeps_10_recent_7_daily_4_weekly_12_monthly():
    start = dt.datetime(2025, 1, 1, 9)
    backups = [_backup(start + dt.timedelta(days=d, hours=h), h) for d in range(400) for h in (0, 8)]
    kept = [b for b in backups if b not in to_remove(backups)]
    newest = sorted(backups, key=lambda b: b.made_at, reverse=True)
    assert newest[:10] == sorted(kept, key=lambda b: b.made_at, reverse=True)[:10]
    days = {b.made_at.date() for b in kept}
    assert {(newest[0].made_at - dt.timedelta(days=d)).date() for d in range(7)} <= days
    assert len({(b.made_at.year, b.made_at.month) for b in kept}) == 12
    assert len(kept) <= 10 + 7 + 4 + 12
    older = [b for b in kept if b not in newest[:10]]
    assert older and all(b.made_at.hour == 9 for b in older)  # the first of its day, week or month


def test_a_day_of_imports_keeps_the_state_the_day_began_with():
    """Eleven imports in an afternoon, each with its 导入前 backup: the morning's daily backup and
    every one before the first import were rotated out, so a bad choice found at the eleventh
    import could only be undone by losing the morning's work."""
    yesterday = [_backup(dt.datetime(2025, 6, 29, 9), 0)]
    morning = _backup(dt.datetime(2025, 6, 30, 8), 0)
    imports = [_backup(dt.datetime(2025, 6, 30, 14, m), 0) for m in range(11)]
    kept = [b for b in [*yesterday, morning, *imports] if b not in to_remove([*yesterday, morning, *imports])]
    assert morning in kept and yesterday[0] in kept and imports[-10:] == sorted(kept, key=lambda b: b.made_at)[-10:]


def test_rotation_runs_after_each_backup(demo_file, tmp_path):
    path, _ = demo_file
    folder = path.parent / "backups"
    folder.mkdir()
    for d in range(30):  # thirty old backups, one a day
        (folder / f"demo-{(dt.datetime(2025, 1, 1) + dt.timedelta(days=d)):%Y%m%d-%H%M%S}-daily.db").write_bytes(b"x")
    store = open_store(path)
    made = backup_service.backup_now(store)
    store.close()
    left = list_backups(folder, path)
    assert made in left and len(left) < 31 and to_remove(left) == []  # rotated: nothing more to drop


def test_daily_backup_once_a_day(demo_file):
    path, _ = demo_file
    store = open_store(path)
    assert backup_service.daily_backup(store) is not None
    assert backup_service.daily_backup(store) is None
    store.close()


def test_a_chosen_backup_folder_is_used_and_checked(demo_file, tmp_path):
    path, _ = demo_file
    store = open_store(path)
    usb = tmp_path / "usb"
    assert backup_service.set_folder(store, usb) == usb.resolve()
    made = backup_service.backup_now(store)
    assert made.path.parent == usb.resolve()
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="不能把备份放在"):
        backup_service.set_folder(store, blocker / "sub")
    assert backup_service.folder(store) == usb.resolve()
    store.close()


def test_an_old_database_is_backed_up_before_it_is_upgraded(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO hospital (id, name, level, type, updated_at) VALUES ('h', '旧库', '一级', '综合', 'x')")
    conn.close()
    open_store(path).close()
    [made] = list_backups(tmp_path / "backups", path)
    assert made.reason == "migration"
    assert sqlite3.connect(made.path).execute("PRAGMA user_version").fetchone()[0] == 1


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root, as “sudo mqsc backup”")
def test_a_backup_made_as_root_of_a_users_database_belongs_to_the_user(demo_file, cli):
    """``sudo mqsc backup --db ~user/…`` made backups/ and the backup owned by root: the user's
    own backups, rotation and the next upgrade (which backs up first) then failed (review)."""
    path, _ = demo_file
    user = 65534  # nobody
    for p in path.parent.iterdir():
        os.chown(p, user, user)
    os.chown(path.parent, user, user)
    assert cli("backup", "--db", path)[0] == 0
    [made] = list_backups(path.parent / "backups", path)
    assert (made.path.parent.stat().st_uid, made.path.stat().st_uid) == (user, user)
    # a folder that was there is not given away (--out /root/x.db would have given /root)
    roots = path.parent.parent / "root-owned"
    roots.mkdir()
    assert cli("backup", "--db", path, "--out", roots / "x.db")[0] == 0
    assert (roots.stat().st_uid, (roots / "x.db").stat().st_uid) == (0, user)


def test_an_old_database_whose_backup_stick_is_not_there_is_upgraded_backed_up_beside_it(tmp_path):
    """The backup before an upgrade went only to the chosen folder: with the stick at home it was
    refused, the upgrade with it, and neither the window nor the CLI could open the database (nor
    reach 备份与恢复 to choose another folder)."""
    import json

    from app.store.backup import FOLDER_SETTING
    from app.store.schema import LATEST_VERSION

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=LATEST_VERSION - 1)
    stick = tmp_path / "U盘" / "备份"
    conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (FOLDER_SETTING, json.dumps(str(stick))))
    conn.close()
    open_store(path).close()
    [made] = list_backups(tmp_path / "backups", path)
    assert made.reason == "migration" and not stick.exists()


def test_restore_brings_back_the_backup_and_keeps_the_current_file(demo_file, cli, actor):
    path, round_id = demo_file
    cli("backup", "--db", path)
    [made] = list_backups(path.parent / "backups", path)
    store = open_store(path)
    store.set_setting("after-backup", True)
    store.close()
    code, out, err = cli("restore", "--db", path, made.path)
    assert code == 0, err
    assert "原来的数据库保留为" in out
    # checked at once, as a user told to restore would: “日志模式 delete … 结论：有问题” it said
    code, out, err = cli("check", "--db", path)
    assert code == 0 and "日志模式（journal_mode）：wal" in out, out + err
    assert not list(path.parent.glob("*.restore*-wal")) and not list(path.parent.glob(".*-shm"))
    restored = open_store(path)
    assert restored.setting("after-backup") is None and restored.answers(round_id)
    restored.close()
    [aside] = path.parent.glob("demo.before-restore-*.db")
    assert open_store(aside).setting("after-backup") is True


def test_restore_onto_a_new_pc_makes_its_data_folder(demo_file, cli, tmp_path):
    """Moving to a new PC: restore before the first start, into a data folder not made yet, said
    “恢复失败：文件或文件夹不存在” (review)."""
    path, _ = demo_file
    cli("backup", "--db", path)
    [made] = list_backups(path.parent / "backups", path)
    new_pc = tmp_path / "新电脑 数据" / "selfcheck.db"
    code, _, err = cli("restore", "--db", new_pc, made.path)
    assert code == 0, err
    store = open_store(new_pc)
    assert store.rounds()
    store.close()


def test_restore_never_replays_the_old_wal_onto_the_backup(demo_file, cli):
    """A program killed with its changes still in ``-wal``: restoring must not apply that WAL
    to the restored file (SQLite would, and the result would be corrupt)."""
    path, _ = demo_file
    cli("backup", "--db", path)
    [made] = list_backups(path.parent / "backups", path)
    code = (
        "import sqlite3, sys, os\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c.execute(\"INSERT INTO settings VALUES ('late', '1')\")\n"
        "os._exit(0)\n"
    )  # no checkpoint, -wal left as after kill -9
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=30)
    assert Path(f"{path}-wal").stat().st_size > 0
    assert cli("restore", "--db", path, made.path)[0] == 0
    code, out, _ = cli("check", "--db", path, "--json")
    assert json.loads(out)["integrity"] == "ok"
    store = open_store(path)
    assert store.setting("late") is None
    store.close()


@pytest.mark.parametrize("content", [b"", b"\x00garbage" * 1000, "sqlite-other"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(demo_file, cli, tmp_path, content):
    path, _ = demo_file
    bad = tmp_path / "bad.db"
    if content == "sqlite-other":
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE moz_places (id)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(content)
    before, names = path.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    code, _, err = cli("restore", "--db", path, bad)
    assert code == 1 and "不能用于恢复" in err
    assert not re.search("[A-Za-z]{4,}", err.replace(str(bad), ""))  # said in Chinese, not in SQLite's words
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == names


def test_restore_and_import_are_refused_while_the_gui_has_the_database(demo_file, cli):
    path, round_id = demo_file
    cli("backup", "--db", path)
    [made] = list_backups(path.parent / "backups", path)
    package = path.parent / "上报包.zip"
    assert cli("export", "--db", path, "--round", round_id, "--out", package, "--no-attachments")[0] == 0
    before = path.read_bytes()
    with InstanceLock(path) as gui:
        assert gui.acquire()
        code, _, err = cli("restore", "--db", path, made.path)
        assert code == 1 and "正在图形界面中打开" in err
        code, _, err = cli("answer", "--db", path, "--round", "x", "--item", "y", "--grade", "A")
        assert code == 1 and "正在图形界面中打开" in err
        # an import too: written under the open window, it was overwritten by the window's next edit
        code, _, err = cli("import", "--db", path, package)
        assert code == 1 and "正在图形界面中打开" in err
        assert cli("import", "--db", path, package, "--dry-run")[0] == 0  # a dry run writes nothing
    assert path.read_bytes() == before


def test_a_lock_of_a_killed_program_never_blocks(tmp_path, lock_holder):
    path = tmp_path / "x.db"
    holder = lock_holder(path)
    assert held_elsewhere(path)
    holder.kill()  # SIGKILL: no clean-up runs
    holder.wait()
    assert Path(f"{path}.lock").exists()  # the file stays, the lock does not
    assert not held_elsewhere(path)


def test_validation_happens_inside_the_write_transaction(demo_file, actor):
    """Defect 6.2: a second writer commits a smaller denominator while the first validates a
    numerator against the old one; both used to be stored (numerator > denominator)."""
    from app.services.answers import record_answer
    from app.services.rounds import load_round

    path, round_id = demo_file
    first = open_store(path)
    view = load_round(first, round_id)
    item = next(
        i
        for i in view.items()
        if i.kind == "indicator" and i.input == "ratio" and i.unit == "%" and i.applies_to(view.profile)
    )
    record_answer(first, round_id, item.id, actor, view=view, numerator=10, denominator=100)
    second = sqlite3.connect(path, isolation_level=None, timeout=10)
    second.execute("BEGIN IMMEDIATE")
    second.execute("UPDATE answers SET denominator = 20 WHERE round_id = ? AND item_id = ?", (round_id, item.id))
    outcome: list = []

    def write() -> None:
        try:
            record_answer(first, round_id, item.id, actor, view=view, numerator=90)
            outcome.append("stored")
        except InputError as err:
            outcome.append(str(err))

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(0.5)  # the first writer has read and validated by now (old code), or waits for the lock
    second.execute("COMMIT")
    thread.join(10)
    row = first.answer(round_id, item.id)
    first.close()
    assert row.numerator <= row.denominator, outcome
    assert "不能大于分母" in outcome[0]


@pytest.mark.parametrize(
    "path, warned",
    [
        ("/home/u/OneDrive/质控/selfcheck.db", True),
        ("/home/u/OneDrive - 某医院/selfcheck.db", True),
        ("/home/u/坚果云/selfcheck.db", True),
        ("/home/u/Dropbox/selfcheck.db", True),
        ("//server/share/selfcheck.db", True),
        ("/run/user/1000/gvfs/smb-share:server=pc/d/selfcheck.db", True),
        ("/home/u/文档/selfcheck.db", False),
    ],
)
def test_network_share_and_cloud_folder_warning(path, warned):
    warning = backup_service.location_warning(Path(path))
    assert (warning is not None) == warned
    if warned:
        assert "不能可靠地加锁" in warning


def test_a_syncthing_folder_is_warned(tmp_path):
    (tmp_path / ".stfolder").mkdir()
    assert backup_service.location_warning(tmp_path / "a" / "selfcheck.db")


def test_the_store_refuses_to_restore_its_own_file(demo_file):
    path, _ = demo_file
    with pytest.raises(StoreError, match="就是当前的数据库"):
        backup_service.restore(path, path)
    assert os.path.exists(path)


def test_check_reports_where_the_change_history_breaks(demo_file, cli):
    """Runs once the change history (app.store.history, issue 11 section 3) is merged in."""
    history = pytest.importorskip("app.store.history")
    assert hasattr(history, "verify_chain")
    path, _ = demo_file
    code, out, _ = cli("check", "--db", path, "--json")
    assert code == 0 and json.loads(out)["history"] == "ok"
    conn = sqlite3.connect(path)
    conn.execute("UPDATE history SET author = 'someone else' WHERE seq = (SELECT min(seq) + 1 FROM history)")
    conn.commit()
    conn.close()
    code, out, _ = cli("check", "--db", path, "--json")
    report = json.loads(out)
    assert code == 1 and report["history"] not in ("ok", "not yet recorded") and "第" in report["history"]

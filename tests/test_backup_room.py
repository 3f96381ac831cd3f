"""Backups never fill the disk (app/store/backup_room.py): older backups make room, the newest
stays, and a backup that cannot fit is refused with a message, deleting nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import StoreError
from app.services import backups as backup_service
from app.store import open_store
from app.store.backup import Backup, check_backup, list_backups
from app.store.backup_room import KEEP_ALWAYS, MARGIN, Room, floor, room_plan
from app.ui.qt import QLabel

MB = 1 << 20


def _backup(made_at: dt.datetime, size: int = MB) -> Backup:
    return Backup(Path(f"db-{made_at:%Y%m%d-%H%M%S}-daily.db"), made_at, size, "daily")


def _with_scan(path: Path, round_id: str, actor, size: int) -> None:
    store = open_store(path)
    fields = {"round_id": round_id, "item_id": "qyx-core.01.1", "filename": "扫描件.pdf"}
    store.add_attachment(
        {**fields, "media_type": "application/pdf", "size": size, "sha256": "x"}, b"\xab" * size, actor
    )
    store.close()


def test_a_backup_that_fits_deletes_nothing():
    backups = [_backup(dt.datetime(2025, 6, d, 9)) for d in range(1, 20)]
    assert room_plan(backups, Room(needed=MB, free=100 * MB, keep_free=MB)) == []


def test_room_comes_first_from_backups_kept_only_for_being_recent():
    """Ten backups today and one of each of the three months before: the monthly ones spread the
    history back, and today's first is the day's (the state the day began with); today's others
    go first, oldest first, the newest never."""
    today = [_backup(dt.datetime(2025, 6, 30, h)) for h in range(8, 18)]
    monthly = [_backup(dt.datetime(2025, m, 28, 17)) for m in (3, 4, 5)]
    plan = room_plan(today + monthly, Room(needed=MB, free=MB, keep_free=MB + MB // 2))
    assert plan == today[1:3]
    plan = room_plan(today + monthly, Room(needed=MB, free=0, keep_free=11 * MB))  # 12 MB short
    assert plan is not None and plan[:8] == today[1:9] and plan[8:] == [*monthly, today[0]]


def test_the_newest_backup_is_never_deleted_and_nothing_is_when_it_cannot_fit():
    backups = [_backup(dt.datetime(2025, 6, d, 9)) for d in range(1, 6)]
    assert room_plan(backups, Room(needed=MB, free=0, keep_free=3 * MB)) == backups[:4]  # all but the newest
    assert room_plan(backups, Room(needed=MB, free=0, keep_free=3 * MB + 1)) is None
    assert room_plan([], Room(needed=MB, free=MB // 2, keep_free=0)) is None


@given(
    st.lists(st.tuples(st.integers(0, 800), st.integers(1, 50)), max_size=40, unique_by=lambda t: t[0]),
    st.integers(1, 50),
    st.integers(0, 400),
    st.integers(0, 30),
)
def test_a_plan_makes_just_enough_room_oldest_spare_first(made, needed, free, keep_free):
    start = dt.datetime(2024, 1, 1)
    backups = [_backup(start + dt.timedelta(hours=6 * h), size) for h, size in made]
    room = Room(needed, free, keep_free)
    plan = room_plan(backups, room)
    newest = sorted(backups, key=lambda b: b.made_at, reverse=True)[:KEEP_ALWAYS]
    spare_total = sum(b.size for b in backups if b not in newest)
    if plan is None:
        assert room.short > spare_total  # only refused when even all the spare ones would not do
        return
    assert not set(b.path for b in plan) & set(b.path for b in newest)
    freed = sum(b.size for b in plan)
    assert freed >= room.short
    if plan:
        assert freed - plan[-1].size < room.short  # no backup deleted beyond what was needed


def test_the_databases_own_disk_keeps_a_share_free_other_disks_a_margin():
    assert floor(500 * 1024 * MB, on_database_disk=True) == 1 << 30  # 5 % capped at 1 GiB
    assert floor(3 * MB, on_database_disk=True) == int(3 * MB * 0.05)
    assert floor(500 * 1024 * MB, on_database_disk=False) == MARGIN


def test_backups_on_a_small_disk_make_room_and_never_fill_it(demo_file, actor, small_disk):
    """A 3 MB USB stick for backups of a 0.8 MB database: every backup is made, older ones make
    room for it, and the stick never has less than the margin free."""
    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    usb = small_disk("3M")
    store = open_store(path)
    backup_service.set_folder(store, usb)
    made = [backup_service.backup_now(store) for _ in range(6)]
    store.close()
    assert shutil.disk_usage(usb).free >= MARGIN
    assert sum(m.made_room for m in made) > 0 and all(m.made_room <= 1 for m in made)
    left = [b.path for b in list_backups(usb, path)]
    assert made[-1].path in left and 1 <= len(left) < 6
    assert check_backup(made[-1].path) == "ok"
    assert not [p for p in usb.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_on_the_databases_own_disk_backups_leave_room_to_keep_working(demo_file, actor, small_disk):
    """Backups beside the database on a small disk: after each the disk keeps 5 % free, and the
    database still takes the user's next answer."""
    from app.services.answers import record_answer

    source, round_id = demo_file
    _with_scan(source, round_id, actor, 300_000)  # 0.65 MB: eight backups would not fit
    disk = small_disk("4M")
    path = disk / "demo.db"
    shutil.copy(source, path)
    store = open_store(path)
    for _ in range(8):
        backup_service.backup_now(store, "daily")
        assert shutil.disk_usage(disk).free >= floor(shutil.disk_usage(disk).total, on_database_disk=True)
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="A")
    store.close()
    assert len(list_backups(disk / "backups", path)) >= 1


def test_a_backup_that_cannot_fit_is_refused_saying_why_and_deletes_nothing(
    demo_file, actor, small_disk, cli, monkeypatch
):
    path, round_id = demo_file
    usb = small_disk("3M")
    store = open_store(path)
    backup_service.set_folder(store, usb)
    first, second = backup_service.backup_now(store), backup_service.backup_now(store)
    store.close()
    _with_scan(path, round_id, actor, 2_500_000)  # the database no longer fits on the stick
    before = sorted(p.name for p in usb.iterdir())
    store = open_store(path)
    with pytest.raises(StoreError) as raised:
        backup_service.backup_now(store)
    store.close()
    message = raised.value.user_message
    assert "磁盘空间不足" in message and "原有备份保留不变" in message and "备份位置" in message, message
    assert sorted(p.name for p in usb.iterdir()) == before and first.path.exists() and second.path.exists()
    monkeypatch.chdir(usb)  # a file named as typed in the stick's folder: the message names the folder
    code, _out, err = cli("backup", "--db", str(path), "--out", "备份.db")
    assert code == 1 and f"“{usb}”所在的磁盘空间不足" in err and not (usb / "备份.db").exists()
    # a file of the user's choosing: no backup folder, no older backups to speak of
    assert "备份位置" not in err and "原有备份" not in err and "改存到空间充足的磁盘或 U 盘" in err, err


def test_the_command_line_says_when_older_backups_made_room_and_lists_the_space(demo_file, actor, small_disk, cli):
    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    usb = small_disk("3M")
    store = open_store(path)
    backup_service.set_folder(store, usb)
    store.close()
    outputs = [cli("backup", "--db", str(path)) for _ in range(4)]
    assert all(code == 0 for code, _out, _err in outputs)
    assert any("注意：备份位置所在的磁盘空间不足，为此删除了 1 个较早的备份" in out for _c, out, _e in outputs)
    code, out, _err = cli("backups", "--db", str(path))
    assert code == 0 and "所在磁盘可用" in out and re.search(r"共 \d+ 个备份，占用 [\d.]+ (KB|MB)。", out), out


def test_the_backups_dialog_tells_what_the_backups_take_and_what_is_free(
    qtbot, store, catalog, actor, demo_round, ui_dialogs
):
    from app.ui.backups_dialog import BackupsDialog
    from app.ui.main_window import MainWindow

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    dialog = BackupsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.status.text().startswith("备份位置所在磁盘可用 ")  # no backup yet: the folder is not made
    backup_service.backup_now(store)
    backup_service.backup_now(store)
    dialog.refresh()
    assert re.fullmatch(r"共 2 个备份，占用 \d+ KB；备份位置所在磁盘可用 [\d.]+ (MB|GB)。", dialog.status.text())
    assert "不会把磁盘占满" in dialog.findChildren(QLabel)[0].text()


def test_the_window_says_in_red_when_the_days_backup_had_to_delete_older_ones(
    demo_file, actor, small_disk, qtbot, monkeypatch
):
    """The first open of the day backs up in the background; when the stick is short and an older
    backup made room, the status bar says so, in red: the user should clean up or move backups."""
    from app.store.backup import make_backup, new_backup_path
    from app.ui import application
    from app.ui.profile_wizard import ProfileWizard
    from app.ui.styles import ERROR_STYLE

    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    usb = small_disk("3M")
    store = open_store(path)
    backup_service.set_folder(store, usb)
    for days in (3, 2):  # two older backups: the stick has room for one more only after dropping one
        make_backup(store.conn, new_backup_path(usb, path, "daily", dt.datetime.now() - dt.timedelta(days=days)))
    store.close()
    monkeypatch.setattr(ProfileWizard, "exec", lambda self: 0)
    started = application.start(path)
    assert started is not None
    window, _store, instance = started
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: "已自动备份" in window.saved_label.text(), timeout=15000)
        assert "磁盘空间不足，为此删除了 1 个较早的备份" in window.saved_label.text()
        assert window.saved_label.styleSheet() == ERROR_STYLE
        assert len(list_backups(usb, path)) == 2
    finally:
        window.close()
        window.store.close()
        instance.unlock()


def _two_older_backups(path: Path, usb: Path) -> list[Path]:
    """Two backups of the database, three and two days old, in the backup folder ``usb``."""
    from app.store.backup import make_backup, new_backup_path

    store = open_store(path)
    backup_service.set_folder(store, usb)
    made = []
    for days in (3, 2):
        made.append(new_backup_path(usb, path, "daily", dt.datetime.now() - dt.timedelta(days=days)))
        make_backup(store.conn, made[-1])
    store.close()
    return made


def test_a_damaged_database_deletes_no_backup_to_make_room(demo_file, actor, small_disk):
    """The new backup of a damaged database would fail its check: deleting good ones for it
    would lose them for nothing, as the damage repeats on every open. Checked before deleting."""
    from tests.helpers import damage_table

    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    usb = small_disk("3M")
    older = _two_older_backups(path, usb)
    damage_table(path, "answers")
    store = open_store(path)
    try:
        with pytest.raises(StoreError) as raised:
            backup_service.backup_now(store)
    finally:
        store.close()
    assert "损坏" in raised.value.user_message or "检查未通过" in raised.value.user_message, raised.value
    assert all(p.exists() for p in older)


def test_a_backup_that_cannot_be_deleted_is_not_counted_as_room(demo_file, actor, small_disk):
    """Windows keeps a file open in another program from being deleted (an antivirus scanning
    the backup): the space is then not there, and the backup must not eat into the margin."""
    from app.store.backup import list_backups, make_room

    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    usb = small_disk("3M")
    older = _two_older_backups(path, usb)
    stuck = usb / "还在打开"  # a folder with something in it: unlink fails, as for a file in use
    stuck.mkdir()
    (stuck / "x").write_bytes(b"x")
    listed = list_backups(usb, path)
    in_use = Backup(stuck, listed[-1].made_at - dt.timedelta(days=1), listed[-1].size, "daily")
    store = open_store(path)
    try:
        with pytest.raises(StoreError) as raised:
            make_room(store.conn, usb / "new.db", path, [in_use, *listed])
    finally:
        store.close()
    message = raised.value.user_message
    assert "为腾出空间要删除的 1 个较早的备份无法删除（可能正被其他程序打开）" in message, message
    assert "没有生成备份。" in message and "保留不变" not in message
    assert stuck.exists() and all(p.exists() for p in older)  # only the oldest was to go


def test_a_backup_killed_while_written_leaves_no_part_behind(demo_file, small_disk):
    """A PC switched off during the backup on closing leaves its .part, as large as the
    database, under that backup's own name: the next backup removes it, whatever its name."""
    import subprocess
    import sys

    path, _ = demo_file
    usb = small_disk("3M")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    part = usb / f".{path.stem}-20250101-080000-close.db.{gone.pid}.abcd1234.part"
    part.write_bytes(b"\0" * 1_500_000)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # another program's backup under way: its file stays
        writing = usb / f".{path.stem}-20250101-090000-manual.db.{running.pid}.efgh5678.part"
        writing.write_bytes(b"\0" * 1000)
        store = open_store(path)
        backup_service.set_folder(store, usb)
        made = backup_service.backup_now(store)
        store.close()
        assert not part.exists() and made.path.exists() and writing.exists()
    finally:
        running.kill()
        running.wait()


def test_a_chosen_folder_not_there_has_no_free_space_told(demo_file, tmp_path):
    """A stick taken out: its folder is not measured by its parent's disk (under /media that is
    the system disk), and the default backups/ not made yet is measured by the database's."""
    path, _ = demo_file
    store = open_store(path)
    try:
        free = backup_service.free_space(store)
        assert free is not None and abs(free - shutil.disk_usage(path.parent).free) < 64 * MB  # others write too
        stick = tmp_path / "stick"
        backup_service.set_folder(store, stick)
        stick.rmdir()  # taken out
        assert backup_service.free_space(store) is None
    finally:
        store.close()


def test_a_stick_left_at_home_is_said_on_opening_and_the_backup_goes_beside_the_database(
    demo_file, tmp_path, actor, qtbot
):
    """The daily backup's failure was a red line in the status bar, gone with the next 已保存, and
    days went by without a backup. The banner now says it until the stick is back; the backup
    no longer makes the folder where the stick was mounted (on the system disk, as if it were
    the stick) but goes beside the database, and says so."""
    from app.ui.main_window import MainWindow

    path, _ = demo_file
    stick = tmp_path / "media" / "U盘"
    store = open_store(path)
    backup_service.set_folder(store, stick / "备份")
    shutil.rmtree(stick)  # taken out
    window = MainWindow(store, lambda: None, actor)
    qtbot.addWidget(window)
    try:
        window.show()
        window.show_reminders(dt.date(2025, 3, 20))
        assert window.banner is not None
        assert (
            f"备份位置“{stick / '备份'}”不存在或无法访问（U 盘未插入？），备份暂时保存在数据库旁的 backups 文件夹中"
            in window.banner_label.text()
        )
        made = backup_service.backup_now(store, "daily")
        assert not stick.exists()
        assert made.path.parent == path.parent / "backups" and made.instead_of == stick / "备份"
        assert "本次备份保存在数据库旁的 backups 文件夹中" in backup_service.made_room_text(made)
        assert [b.path for b in backup_service.backups(store)] == [made.path]  # listed: the day has its backup
        (stick / "备份").mkdir(parents=True)  # put back
        window.refresh_reminders(dt.date(2025, 3, 20))
        assert "无法访问" not in window.banner_label.text() or window.banner.isHidden()
        on_stick = backup_service.backup_now(store, "manual")
        assert on_stick.path.parent == stick / "备份"
        # the one made beside the database while the stick was out is still there to restore
        assert [b.path for b in backup_service.listed_backups(store)] == [on_stick.path, made.path]
        from app.ui.backups_dialog import BackupsDialog

        dialog = BackupsDialog(window)
        assert dialog.table.item(1, 3).text() == f"{made.path.name}（{made.path.parent}）"
        dialog.close()
    finally:
        window.close()
        store.close()


def test_the_reminders_say_before_a_backup_would_delete_older_ones(demo_file, actor, small_disk, qtbot):
    """On opening, the banner says the backup folder is short before the next backup deletes
    older ones (or cannot be made), so the user can clean up or choose another folder first."""
    from app.services.reminders import reminders
    from app.ui.main_window import MainWindow

    path, round_id = demo_file
    _with_scan(path, round_id, actor, 400_000)
    store = open_store(path)
    try:
        assert reminders(store, dt.date(2025, 3, 20)).backup_room == ""  # backups/ beside it: room
    finally:
        store.close()
    usb = small_disk("3M")
    _two_older_backups(path, usb)
    store = open_store(path)
    window = MainWindow(store, lambda: None, actor)
    qtbot.addWidget(window)
    try:
        expected = "备份位置的磁盘空间不足，下次备份将删除 1 个较早的备份（见“文件 → 备份与恢复”）"
        assert reminders(store, dt.date(2025, 3, 20)).backup_room == expected
        window.show()
        window.show_reminders(dt.date(2025, 3, 20))
        assert window.banner is not None and expected in window.banner_label.text()
        _with_scan(path, round_id, actor, 2_500_000)  # now too large for the stick at all
        assert "下次备份将无法完成" in reminders(store, dt.date(2025, 3, 20)).backup_room
    finally:
        window.close()
        store.close()


def test_a_backup_short_only_of_the_margin_says_so():
    """“备份需要约 364 KB，现在可用 1.2 MB。没有生成备份”: the 1 MB a stick keeps free was not said,
    and the message read as a contradiction."""
    from app.store.backup import _no_room_text
    from app.store.backup_room import MARGIN, Room

    text = _no_room_text(Path("/media/U盘/备份"), Room(needed=364 * 1024, free=1_200_000, keep_free=MARGIN))
    assert "备份需要约 364 KB（另需留出 1.0 MB 的余量），现在可用 1.1 MB。" in text
    short = _no_room_text(Path("/media/U盘/备份"), Room(needed=2 * MB, free=MB, keep_free=MARGIN))
    assert "余量" not in short  # short of the backup itself: as before

"""备份与恢复: automatic and manual backups, the backup folder, restore, and the warning for a
database on a network share or in a cloud-synced folder. Shared by the GUI and the CLI.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, overload

from ..errors import InputError, StoreError, os_reason
from ..store import Store
from ..store.backup import (
    FOLDER_MISSING,
    FOLDER_SETTING,
    REASONS,
    Backup,
    backup_before,
    backup_folder,
    backup_to_folder,
    check_backup,
    default_folder,
    list_backups,
    restore_backup,
)
from ..store.health import technical_detail
from ..store.lock import InstanceLock

if TYPE_CHECKING:
    from ..store.health import Health

__all__ = [
    "REASONS",
    "Backup",
    "backup_before",
    "backup_now",
    "backups",
    "daily_backup",
    "damage_found",
    "folder",
    "free_space",
    "listed_backups",
    "location_warning",
    "made_room_text",
    "newest_good_backup",
    "restore",
    "room_warning",
    "set_folder",
    "technical_detail",
]


def folder(store: Store) -> Path:
    return backup_folder(store.conn, store.path)


def backups(store: Store) -> list[Backup]:
    """The backups where they go now: the chosen folder, or beside the database while a chosen
    one is not there (store.backup.backup_to_folder). Rotation and room are reckoned on these."""
    chosen, beside = folder(store), default_folder(store.path)
    return list_backups(chosen if chosen.is_dir() else beside, store.path)


def listed_backups(store: Store) -> list[Backup]:
    """Every backup the user can restore, newest first: where they go now, and those made beside
    the database while the chosen stick was out (they vanished from 备份与恢复 once it was back)."""
    chosen, beside = folder(store), default_folder(store.path)
    found = list_backups(chosen, store.path) if chosen.is_dir() else []
    found += list_backups(beside, store.path) if beside != chosen else []
    return sorted(found, key=lambda b: (b.made_at, b.seq), reverse=True)


def _measured_folder(store: Store) -> Path | None:
    """Where the backup folder's disk can be measured. The default ``backups/`` may not be made
    yet: its parent's disk is the same. A folder the user chose that is not there (a stick taken
    out) is not measured by its parent's: under /media that would be the system disk, told as
    the stick's."""
    where = folder(store)
    if where.exists():
        return where
    return where.parent if where == default_folder(store.path) else None


def free_space(store: Store) -> int | None:
    """Free bytes on the backup folder's disk; None when it cannot be told."""
    import shutil

    where = _measured_folder(store)
    if where is None:
        return None
    try:
        return shutil.disk_usage(where).free
    except OSError:
        return None


def same_disk_note(store: Store) -> str:
    """建议 while the backups are on the database's own disk (as ``backups/`` beside it is, by
    default): when that disk fails they are lost with the data. Said where the folder is chosen;
    a reviewer found the advice only in the folder dialog's title. ``st_dev`` tells partitions
    (on Windows, volumes) apart, not disks: the words say 分区, which is what is known."""
    where = _measured_folder(store)
    if where is None:
        return ""
    try:
        same = os.stat(where).st_dev == os.stat(Path(store.path).resolve().parent).st_dev
    except OSError:
        return ""
    if not same:
        return ""
    return (
        "备份与数据库在同一个磁盘分区（盘符）上：这块硬盘损坏时，备份会和数据一起丢失。"
        "建议用“备份位置”把备份放到 U 盘或另一块硬盘上。"
    )


def room_warning(store: Store) -> str:
    """提醒 when the next backup would have to delete older ones, or could not be made at all:
    said on opening, before it happens, so the user can clean up or choose another folder (a
    backup that deletes older ones also says so when it does). A folder the user chose that is
    not there (a stick left at home) is said too: the daily backup's failure alone was a red line
    in the status bar, gone with the next 已保存, and days went by without a backup. Empty when
    there is room."""
    import sqlite3

    from ..store.backup_room import room_for, room_plan

    where = _measured_folder(store)
    if where is None:
        return (
            f"备份位置“{folder(store)}”{FOLDER_MISSING}，备份暂时保存在数据库旁的 backups 文件夹中："
            "请插入 U 盘，或在“文件 → 备份与恢复”中更改备份位置"
        )
    try:
        room = room_for(store.conn, where, store.path)
    except (OSError, sqlite3.Error):
        return ""
    plan = room_plan(backups(store), room)
    if plan is None:
        return "备份位置的磁盘空间不足，下次备份将无法完成（见“文件 → 备份与恢复”）"
    if plan:
        return f"备份位置的磁盘空间不足，下次备份将删除 {len(plan)} 个较早的备份（见“文件 → 备份与恢复”）"
    return ""


def made_room_text(made: Backup) -> str:
    """What the user is told of where ``made`` went and what it cost: the chosen folder not there
    (it went beside the database instead), older backups deleted to make room."""
    parts = []
    if made.instead_of is not None:
        parts.append(f"备份位置“{made.instead_of}”{FOLDER_MISSING}，本次备份保存在数据库旁的 backups 文件夹中")
    if made.made_room:
        parts.append(
            f"备份位置所在的磁盘空间不足，为此删除了 {made.made_room} 个较早的备份；请清理磁盘或改用空间充足的备份位置"
        )
    return "。".join(parts)


def check(db_path: Path, backups_folder: Path) -> Health:
    """数据库检查: the full integrity check, the change history's chain, the newest good backup;
    never changes the file."""
    from ..store.health import check_database

    return check_database(db_path, backups_folder)


def damage_found(db_path: Path) -> tuple[str, str] | None:
    """The whole file's quick check (the attachments' bytes too, which start-up leaves out), on
    a connection of its own: (which part is damaged, in the user's words; SQLite's own words),
    or None when the file is sound. For the GUI's thread pool, once the window is up."""
    from ..store.health import explain_damage, quick_check
    from .connection import own_connection

    with own_connection(db_path) as store:
        problems = quick_check(store.conn)
        return (explain_damage(store.conn), "\n".join(problems)) if problems else None


@overload
def backup_now(store: Store, reason: str = "manual", out: None = None) -> Backup: ...
@overload
def backup_now(store: Store, reason: str, out: Path) -> Path: ...
@overload
def backup_now(store: Store, reason: str = "manual", out: Path | None = None) -> Backup | Path: ...
def backup_now(store: Store, reason: str = "manual", out: Path | None = None) -> Backup | Path:
    """A backup now: in the backup folder (with rotation), or to the file ``out``."""
    if out is not None:
        from ..store.backup import make_backup, make_room

        out = Path(out)
        if out.exists() and out.is_dir():
            raise InputError(f"“{out}”是一个文件夹，请给出备份文件的文件名。", "out")
        if out.exists() and out.resolve() == Path(store.path).resolve():
            raise InputError("备份文件不能是数据库本身。", "out")
        if not out.parent.is_dir():
            raise InputError(f"保存位置“{out.parent}”不存在，请选择其他文件夹。", "out")
        make_room(store.conn, out, store.path, [], to_file=True)
        make_backup(store.conn, out)
        return out
    return backup_to_folder(store.conn, store.path, reason)


def daily_backup(store: Store, today: dt.date | None = None) -> Backup | None:
    """The first open of a day makes a backup (none when there already is one of today)."""
    today = today or dt.date.today()
    if any(b.made_at.date() == today for b in backups(store)):
        return None
    return backup_to_folder(store.conn, store.path, "daily")


def set_folder(store: Store, path: Path | None) -> Path:
    """Keep backups in ``path`` (``None``: back to ``backups/`` beside the database). The folder
    must exist or be creatable, and be writable."""
    import json

    if path is not None:
        path = Path(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
            probe = path / f".mqsc-write-test-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise InputError(f"不能把备份放在“{path}”：{os_reason(exc)}。请选择其他文件夹。", "folder") from exc
    with store.transaction() as db:
        if path is None:
            db.execute("DELETE FROM settings WHERE key = ?", (FOLDER_SETTING,))
        else:
            store.upsert(
                "settings",
                {"key": FOLDER_SETTING, "value": json.dumps(str(path.resolve()), ensure_ascii=False)},
                pk="key",
            )
    return folder(store)


def newest_good_backup(db_path: Path, backup_dir: Path | None = None) -> tuple[Backup | None, list[str]]:
    """The newest backup of ``db_path`` that passes the check now, and why newer ones do not."""
    folders = [backup_dir] if backup_dir else []
    folders.append(default_folder(db_path))
    seen, found = set(), []
    for f in folders:
        for b in list_backups(f, db_path):
            if b.path.resolve() not in seen:
                seen.add(b.path.resolve())
                found.append(b)
    found.sort(key=lambda b: b.made_at, reverse=True)
    skipped: list[str] = []
    for b in found:
        verdict = check_backup(b.path)
        if verdict == "ok":
            return b, skipped
        skipped.append(f"{b.path.name}：{verdict}")
    return None, skipped


def restore(db_path: Path, backup: Path, *, own_lock: bool = False) -> Path | None:
    """Restore ``backup`` over the database; refused while another program has it open
    (``own_lock``: the caller, the GUI, holds the lock itself and has closed its connection).
    The lock is held while the files change, so no window can open the database half-way.
    Returns where the replaced file was kept."""
    verdict = check_backup(backup)  # before the lock: a refused file leaves nothing behind
    if verdict != "ok":
        raise StoreError(f"备份文件“{backup}”不能用于恢复：{verdict}。未作任何修改。")
    lock = None if own_lock else InstanceLock(db_path)
    try:
        if lock is not None and not lock.acquire():
            raise StoreError(
                f"数据库“{db_path}”正在图形界面中打开，不能恢复。请关闭程序窗口后重试，"
                "或在窗口中使用“文件 → 备份与恢复”。"
            )
    except OSError:
        lock = None  # no lock file can be made here: the restore itself will say why it cannot write
    try:
        return restore_backup(db_path, backup)
    finally:
        if lock is not None:
            lock.release()


def describe_age(made_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """How long ago, as the user reads it: what a restore would lose."""
    seconds = max(0, int(((now or dt.datetime.now()) - made_at).total_seconds()))
    if seconds < 90:
        return "不到 2 分钟"
    if seconds < 3600 * 2:
        return f"约 {round(seconds / 60)} 分钟"
    if seconds < 86400 * 2:
        return f"约 {round(seconds / 3600)} 小时"
    return f"约 {round(seconds / 86400)} 天"


#: Folder names of cloud-sync clients (their folders are synced file by file, behind SQLite's back)
CLOUD_NAMES = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "icloud",
    "icloud drive",
    "baidunetdisk",
    "baidusyncdisk",
    "百度网盘",
    "百度云同步盘",
    "nutstore",
    "坚果云",
    "wpsdrive",
    "wps云盘",
    "wps网盘",
    "wps云文档",
    "天翼云盘",
    "阿里云盘",
    "adrive",
    "weiyun",
    "腾讯微云",
    "seafile",
    "nextcloud",
    "owncloud",
    "box sync",
    "sync.com",
    "megasync",
    "yandex.disk",
)
NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "fuse.gvfsd-fuse",
    "davfs",
    "fuse.davfs2",
    "fuse.rclone",
    "ncpfs",
    "virtiofs",
}


def location_warning(path: Path) -> str | None:
    """A warning when ``path`` (the database) is on a network share or in a cloud-synced folder:
    SQLite's locking is not reliable there, and a sync client copies a half-written file."""
    path = Path(path).resolve() if Path(path).exists() else Path(os.path.abspath(path))
    text = str(path)
    kind = None
    if text.startswith("\\\\") or text.startswith("//") or _windows_remote_drive(path) or _network_mount(path):
        kind = "网络共享文件夹"
    elif any(
        part.lower() in CLOUD_NAMES or part.lower().startswith(("onedrive -", "onedrive-")) for part in path.parts
    ) or _syncthing(path):
        kind = "网盘同步文件夹"
    if kind is None:
        return None
    return (
        f"数据库位于{kind}中（“{path.parent}”）。SQLite 在这类位置不能可靠地加锁，同步程序还可能复制到"
        "写了一半的文件，数据可能损坏或丢失。请把数据库放在本机磁盘上，只把备份放在网盘或 U 盘中"
        "（“文件 → 备份与恢复 → 备份位置”）。"
    )


def _windows_remote_drive(path: Path) -> bool:
    if sys.platform != "win32" or not path.drive:
        return False
    import ctypes

    DRIVE_REMOTE = 4
    return ctypes.windll.kernel32.GetDriveTypeW(path.drive + "\\") == DRIVE_REMOTE


def _network_mount(path: Path) -> bool:
    """Linux: the file system of the longest mount point containing ``path``."""
    if "/gvfs/" in str(path):
        return True
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    best, fstype = "", ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (str(path) == point or str(path).startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, fstype = point, fields[2]
    return fstype in NETWORK_FS


def _syncthing(path: Path) -> bool:
    return any((parent / ".stfolder").exists() for parent in path.parents)

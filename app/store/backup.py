"""Backups of the database file (备份): made, checked, rotated and restored.

A backup is made with SQLite's online backup API into a temporary file beside its final name,
checked with ``PRAGMA integrity_check``, fsynced and only then renamed: a backup file that has
its final name is complete and was good when it was made. Attachments live inside the database,
so a backup is everything.

Names: ``<database stem>-YYYYMMDD-HHMMSS-<reason>.db`` in the backup folder (``backups/`` beside
the database unless the user chose another folder, kept in the settings table). The time is
local time, as the user reads it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import StoreError, os_reason
from ..files import (
    fsync_file,
    fsync_folder,
    owned_like,
    remove_stale_parts,
    remove_stale_parts_of,
    replace_patiently,
    temporary_beside,
)

__all__ = [
    "REASONS",
    "Backup",
    "backup_before",
    "backup_folder",
    "check_backup",
    "default_folder",
    "list_backups",
    "make_backup",
    "make_room",
    "rotate",
    "to_remove",
]

BACKUP_DIR_NAME = "backups"
#: The settings key of a folder the user chose (a USB stick, another disk)
FOLDER_SETTING = "backup.folder"
STAMP = "%Y%m%d-%H%M%S"
#: Why a backup was made (the last part of its name) → how the user reads it
REASONS = {
    "daily": "每日自动",
    "close": "关闭时自动",
    "manual": "手动",
    "migration": "升级前",
    "restore": "恢复前",
    "import": "导入前",
}
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?-(?P<reason>[a-z]+)\.db$")

#: Rotation (as Anki does it): the 10 newest backups, and the newest of each of the last 7 days
#: that have one, of the last 4 weeks and of the last 12 months.
KEEP_RECENT, KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 10, 7, 4, 12


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: dt.datetime
    size: int
    reason: str
    #: 2, 3 … for a second backup within the same second
    seq: int = 1
    #: older backups deleted to make room for this one (the disk was short)
    made_room: int = 0
    #: the chosen backup folder it was meant for, not there (a stick taken out): it was made in
    #: ``backups/`` beside the database instead
    instead_of: Path | None = None

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def to_dict(self) -> dict:
        return {
            "file": str(self.path),
            "time": self.made_at.isoformat(timespec="seconds"),
            "size": self.size,
            "reason": self.reason,
            "checked": True,
        }


def default_folder(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / BACKUP_DIR_NAME


def backup_folder(conn: sqlite3.Connection | None, db_path: Path) -> Path:
    """The folder the user chose for this database's backups, or ``backups/`` beside it."""
    if conn is not None:
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (FOLDER_SETTING,)).fetchone()
        except sqlite3.Error:  # an old database (no settings yet) or a damaged one
            row = None
        if row:
            import json

            try:
                chosen = json.loads(row[0])
            except ValueError:
                chosen = None
            if isinstance(chosen, str) and chosen:
                return Path(chosen)
    return default_folder(db_path)


def _parse(path: Path, stem: str) -> Backup | None:
    match = _NAME.match(path.name)
    if not match or match["stem"] != stem:
        return None
    try:
        made_at = dt.datetime.strptime(match["stamp"], STAMP)
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return Backup(path, made_at, size, match["reason"], int(match["n"] or 1))


def list_backups(folder: Path, db_path: Path) -> list[Backup]:
    """The backups of the database ``db_path`` in ``folder``, newest first."""
    try:
        files = list(Path(folder).glob(f"{Path(db_path).stem}-*.db"))
    except OSError:
        return []
    found = [b for f in files if (b := _parse(f, Path(db_path).stem)) is not None]
    return sorted(found, key=lambda b: (b.made_at, b.seq), reverse=True)


def to_remove(
    backups: list[Backup],
    recent: int = KEEP_RECENT,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> list[Backup]:
    """Which of ``backups`` rotation drops (the rest: see KEEP_*).

    Of each day, week and month kept, the first backup is kept: the state the day began with,
    which undoes the day's mistakes, while the newest are kept as the recent ones. Keeping the
    day's newest instead, a day of imports (each with its 导入前 backup) rotated out the
    morning's backup and every one before the first import."""
    ordered = sorted(backups, key=lambda b: (b.made_at, b.seq), reverse=True)
    keep: set[Path] = {b.path for b in ordered[:recent]}
    for count, period in (
        (daily, lambda d: d.date()),
        (weekly, lambda d: d.isocalendar()[:2]),
        (monthly, lambda d: (d.year, d.month)),
    ):
        first: dict = {}  # period → its first backup, newest period first
        for backup in ordered:
            first[period(backup.made_at)] = backup
        keep.update(b.path for b in list(first.values())[:count])
    return [b for b in ordered if b.path not in keep]


def rotate(folder: Path, db_path: Path) -> list[Path]:
    """Delete the backups rotation no longer keeps; returns their paths."""
    removed = []
    for backup in to_remove(list_backups(folder, db_path)):
        try:
            backup.path.unlink()
            removed.append(backup.path)
        except OSError:
            pass
    return removed


def _problems(conn: sqlite3.Connection, pragma: str = "integrity_check") -> list[str]:
    rows = [row[0] for row in conn.execute(f"PRAGMA {pragma}(20)")]
    return [] if rows == ["ok"] else rows


def _damage(conn: sqlite3.Connection, error: sqlite3.Error | None = None) -> str:
    """Which part of a damaged file is damaged, as the damaged-database dialog says it (SQLite's
    English report is for a technician, not for the reason a backup is passed over)."""
    from .health import explain_damage

    return explain_damage(conn, error).rstrip("。")


def check_backup(path: Path) -> str:
    """ "ok", or why the file cannot be used as a backup of this program's database."""
    path = Path(path)
    if problem := _file_problem(path):
        return problem
    try:
        from . import sqlite_uri

        conn = sqlite3.connect(sqlite_uri(path, "mode=ro&immutable=1"), uri=True)
    except sqlite3.Error as exc:
        return f"无法打开（{exc}）"
    try:
        return _database_problem(conn) or "ok"
    except sqlite3.Error as exc:
        return _damage(conn, exc)
    finally:
        conn.close()


def _file_problem(path: Path) -> str:
    if not path.is_file():
        return "文件不存在"
    if path.stat().st_size == 0:
        return "文件是空的"
    return ""


def _database_problem(conn: sqlite3.Connection) -> str:
    """Why the open file is not a good backup of ours ("" when it is); raises sqlite3.Error."""
    from .schema import LATEST_VERSION, is_our_database, user_version

    version = user_version(conn)
    if not is_our_database(conn, version) or version == 0:
        return "不是本程序的数据库"
    if version > LATEST_VERSION:
        return f"由更新版本的程序创建（结构版本 {version}）"
    return _damage(conn) if _problems(conn) else ""


def make_backup(source: sqlite3.Connection, target: Path, made_room: int = 0) -> None:
    """Copy the database of ``source`` (its committed state) to the file ``target``: a temporary
    file first, checked, fsynced, renamed. Raises StoreError; ``target`` never exists half-written.
    ``made_room``: how many older backups were deleted for this one (its failure says so)."""
    older = f"为腾出空间已删除 {made_room} 个较早的备份" if made_room else "原有备份保留不变"
    target = Path(target)
    main_file = source.execute("PRAGMA database_list").fetchone()[2]
    database = Path(main_file) if main_file else None
    try:
        _make_folder(target.parent, database)
        remove_stale_parts(target)
        temporary = temporary_beside(target)
    except OSError as exc:
        raise StoreError(f"无法在“{target.parent}”中写入备份：{os_reason(exc)}。") from exc
    try:
        copy = sqlite3.connect(temporary, isolation_level=None)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            problems = _problems(copy)
            damage = _damage(copy) if problems else ""
        finally:
            copy.close()
        if problems:
            raise StoreError(
                f"数据库检查未通过，没有生成备份（{older}）：{damage}。请从备份恢复。", "; ".join(problems)
            )
        fsync_file(temporary)
        replace_patiently(temporary, target)
        fsync_folder(target.parent)
        if database is not None:
            owned_like([target], database)  # made by root for a user's database (sudo)
    except sqlite3.Error as exc:
        from . import store_error

        raise store_error(exc, "备份失败") from exc
    except OSError as exc:
        raise StoreError(f"无法写入备份“{target}”：{os_reason(exc)}（{older}）。") from exc
    finally:
        temporary.unlink(missing_ok=True)


def _make_folder(folder: Path, database: Path | None) -> None:
    """Make ``folder`` if it is not there; made by root for a user's database (sudo), it is given
    to that user. A folder that was there is never given away (``--out /root/x.db``)."""
    if folder.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    if database is not None:
        owned_like([folder], database)


def new_backup_path(folder: Path, db_path: Path, reason: str, when: dt.datetime | None = None) -> Path:
    stamp = (when or dt.datetime.now()).strftime(STAMP)
    stem = Path(db_path).stem
    path = Path(folder) / f"{stem}-{stamp}-{reason}.db"
    n = 1
    while path.exists():
        n += 1
        path = Path(folder) / f"{stem}-{stamp}-{n}-{reason}.db"
    return path


def backup_to_folder(conn: sqlite3.Connection, db_path: Path, reason: str, folder: Path | None = None) -> Backup:
    """A new backup in the database's backup folder, then rotation; returns it. Older backups
    make room for it when the disk is short (``store.backup_room``); ``Backup.made_room`` says
    how many."""
    folder = Path(folder) if folder else backup_folder(conn, db_path)
    instead_of = None
    if not folder.is_dir() and folder != default_folder(db_path):
        # A chosen folder that is not there (the stick at home): made again, it would be a folder
        # on the system disk where the stick was mounted; refused, there was no backup for days
        # and an upgrade, which backs up first, could not open the database at all.
        instead_of, folder = folder, default_folder(db_path)
    path = new_backup_path(folder, db_path, reason)
    deleted = make_room(conn, path, db_path, list_backups(folder, db_path))
    make_backup(conn, path, made_room=len(deleted))
    rotate(folder, db_path)
    found = _parse(path, Path(db_path).stem)
    assert found is not None
    return replace(found, made_room=len(deleted), instead_of=instead_of)


#: a backup folder the user chose that is not there (a stick taken out)
FOLDER_MISSING = "不存在或无法访问（U 盘未插入？）"
#: what to do when a backup does not fit in the backup folder …
FOLDER_ADVICE = "请清理磁盘，或改用空间充足的备份位置（U 盘或另一块磁盘）。"
#: … or in a file the user named (``backup --out``)
FILE_ADVICE = "请清理磁盘，或改存到空间充足的磁盘或 U 盘。"


def make_room(
    conn: sqlite3.Connection, target: Path, db_path: Path, backups: list[Backup], *, to_file: bool = False
) -> list[Path]:
    """Room on ``target``'s disk for a backup of ``conn``'s database, deleting older ``backups``
    if need be (``backup_room.room_plan``); returns what was deleted. Raises StoreError, having
    deleted nothing, when even that would not make room or when the database fails its quick
    check (a backup that would then fail its own check is no reason to lose good ones); and,
    having deleted what it could, when a backup that could not be deleted still leaves it short.
    ``to_file``: the backup goes to a file the user named (``backup --out``), outside the backup
    folder: the message then speaks of that file's folder, not of the backup folder's backups."""
    from .backup_room import KEEP_ALWAYS, room_for, room_plan

    folder = Path(target).absolute().parent  # named in messages: “.” would say nothing
    try:
        _make_folder(folder, Path(db_path))
        # a backup killed while written (a PC switched off during the backup on closing) left a
        # .part as large as the database, under its own time's name
        remove_stale_parts_of(folder, f"{Path(db_path).stem}-*.db")
        room = room_for(conn, folder, db_path)
    except OSError as exc:
        raise StoreError(f"无法在“{folder}”中写入备份：{os_reason(exc)}。") from exc
    plan = room_plan(backups, room)
    if plan is None:
        raise StoreError(_no_room_text(folder, room, to_file=to_file, tried=len(backups) > KEEP_ALWAYS))
    if not plan:
        return []
    try:
        problems = _problems(conn, "quick_check")
    except sqlite3.Error as exc:
        from . import store_error

        raise store_error(exc, "备份失败") from exc
    if problems:
        raise StoreError(
            f"数据库检查未通过，没有生成备份（原有备份保留不变）：{_damage(conn)}。请从备份恢复。", "; ".join(problems)
        )
    deleted = []
    for backup in plan:
        try:
            backup.path.unlink()
            deleted.append(backup.path)
        except OSError:
            pass  # open in another program (Windows): counted below
    try:
        room = room_for(conn, folder, db_path)
    except OSError as exc:
        raise StoreError(f"无法在“{folder}”中写入备份：{os_reason(exc)}。") from exc
    if room.short > 0:
        raise StoreError(_no_room_text(folder, room, deleted=len(deleted), stuck=len(plan) - len(deleted)))
    return deleted


def _no_room_text(
    folder: Path, room, *, to_file: bool = False, tried: bool = False, deleted: int = 0, stuck: int = 0
) -> str:
    """Why a backup was not made for want of space, and what became of the older ones (none
    where the backup was to go to a file of the user's choosing)."""
    from ..domain.formats import size_text
    from .backup_room import MARGIN

    # the room kept free is said whenever it is what the backup lacks: “需要约 364 KB，现在可用
    # 1.2 MB” left unsaid the 1 MB a stick keeps free, and read as a contradiction
    kept = (
        f"（另需为数据库和系统留出 {size_text(room.keep_free)}）"
        if room.keep_free > MARGIN
        else f"（另需留出 {size_text(room.keep_free)} 的余量）"
        if room.keep_free and room.free >= room.needed
        else ""
    )
    in_use = "（可能正被其他程序打开）"
    if deleted or stuck:
        if not deleted:
            older = f"，为腾出空间要删除的 {stuck} 个较早的备份无法删除{in_use}"
        else:
            older = f"，为腾出空间已删除 {deleted} 个较早的备份" + (
                f"，另有 {stuck} 个无法删除{in_use}" if stuck else "，仍然不够"
            )
        outcome = "没有生成备份。"
    elif to_file:
        older, outcome = "", "没有生成备份。"
    else:
        older = "，删除较早的备份也不够" if tried else ""
        outcome = "没有生成备份，原有备份保留不变。"
    place, advice = (f"“{folder}”", FILE_ADVICE) if to_file else (f"备份位置“{folder}”", FOLDER_ADVICE)
    return (
        f"{place}所在的磁盘空间不足{older}：备份需要约 {size_text(room.needed)}{kept}，"
        f"现在可用 {size_text(room.free)}。{outcome}{advice}"
    )


def backup_before(conn: sqlite3.Connection, db_path: Path, what: str) -> Backup:
    """The backup made before a migration, an import or a restore: if it cannot be made, the
    change is not made either."""
    reason = {"升级前": "migration", "导入前": "import", "恢复前": "restore"}.get(what, "manual")
    try:
        return backup_to_folder(conn, db_path, reason)
    except StoreError as err:
        raise StoreError(f"{what}的备份没有完成，为安全起见未作任何修改：{err.user_message}", err.detail) from err


def restore_backup(db_path: Path, backup: Path) -> Path | None:
    """Put the backup file ``backup`` in place of the database ``db_path``.

    The backup is checked first (nothing changes if it is not good). The current file, if any,
    is first backed up when it can be read, then kept aside as ``<stem>.before-restore-<time><suffix>``
    (with its ``-wal``, so no commit is lost); returns that path. The caller makes sure no other
    window has the database open."""
    db_path, backup = Path(db_path), Path(backup)
    verdict = check_backup(backup)
    if verdict != "ok":
        raise StoreError(f"备份文件“{backup}”不能用于恢复：{verdict}。未作任何修改。")
    if db_path.exists() and backup.resolve() == db_path.resolve():
        raise StoreError("所选文件就是当前的数据库，不是备份。未作任何修改。")
    aside = None
    try:
        # restoring on a new PC before the first start, into a data folder not made yet
        db_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = temporary_beside(db_path)
        try:
            with open(backup, "rb") as src, open(temporary, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            _as_the_program_keeps_it(temporary)
            if db_path.exists():
                _checkpoint_and_backup(db_path)
                stamp = dt.datetime.now().strftime(STAMP)
                aside = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}{db_path.suffix}")
                for suffix in ("-wal", "-shm"):  # never left beside the restored file: SQLite would replay it
                    side = Path(f"{db_path}{suffix}")
                    if side.exists():
                        replace_patiently(side, Path(f"{aside}{suffix}"))
                replace_patiently(db_path, aside)
            replace_patiently(temporary, db_path)
        finally:
            for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
                leftover.unlink(missing_ok=True)
        fsync_folder(db_path.parent)
    except OSError as exc:
        raise StoreError(f"恢复失败：{os_reason(exc)}（“{db_path}”）。", str(exc)) from exc
    return aside


def _as_the_program_keeps_it(path: Path) -> None:
    """A backup (one self-contained file, journal_mode DELETE) back in WAL mode, as the program
    keeps its database: restored as it was, ``check`` said 日志模式 delete, 结论：有问题, right
    after a restore done as the program had said to."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()  # the last connection: its empty -wal and -shm go with it


def _checkpoint_and_backup(db_path: Path) -> None:
    """Fold the current file's WAL into it and back it up, when it can be read (a damaged file
    is only kept aside)."""
    from . import CONNECTION_PRAGMAS
    from .schema import is_our_database, user_version

    try:
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    except sqlite3.Error:
        return
    try:
        for pragma in CONNECTION_PRAGMAS:
            conn.execute(pragma)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        if is_our_database(conn, user_version(conn)):
            backup_to_folder(conn, db_path, "restore")
    except (sqlite3.Error, StoreError):
        pass
    finally:
        conn.close()

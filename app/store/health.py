"""数据库检查: the state of a database file, read without changing it.

``quick_check`` is SQLite's ``PRAGMA quick_check`` (every page and record is read, indexes are not
compared with their tables); the GUI runs ``quick_check_records`` (every table but the attachments)
before its window, and ``quick_check`` of the whole file in the background once the window is up.
``check_database`` is the full check of ``python main.py check`` and 帮助 → 数据库检查
(``PRAGMA integrity_check``).

What SQLite says about a damaged file ("database disk image is malformed", "Page 25: …") is English
and about pages; ``explain_damage`` says in Chinese which part of the data is damaged, where that
can be told, and SQLite's own words are kept apart as the technical detail.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.labels import TABLE_LABELS

__all__ = ["Health", "check_database", "explain_damage", "quick_check", "quick_check_records"]

SYNCHRONOUS_WORDS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
#: Until the change history (修改记录) exists, ``check`` says so instead of inventing a verdict.
HISTORY_NOT_RECORDED = "not yet recorded"
MAX_PROBLEMS = 20
#: a table of the file that is none of ours by name (SQLite's own, such as sqlite_sequence)
OTHER_PART = "程序内部数据"
UNKNOWN_DAMAGE = "文件的内部结构有错误，无法确定是哪部分数据。"
NOT_A_DATABASE = "文件已损坏，或不是数据库文件，无法读取。"
#: SQLite's words, shown apart from the explanation for whoever looks into the file
TECHNICAL = "技术信息（SQLite 的检查结果，供技术人员参考）"


@dataclass
class Health:
    path: Path
    integrity: list[str] = field(default_factory=list)  # empty: ok
    journal_mode: str = ""
    synchronous: str = ""
    schema_version: int | None = None
    sqlite_version: str = sqlite3.sqlite_version
    history: str = HISTORY_NOT_RECORDED
    last_backup: dict | None = None
    #: the file cannot be used at all (missing, empty, another program's, newer): why
    refused: str = ""
    #: what ``integrity`` means for the user: which part of the data is damaged
    damage: str = ""
    #: the folder looked in for the last backup: the one chosen in 备份与恢复 (read from the file
    #: even when it is damaged elsewhere), else ``backups/`` beside it
    backups_folder: Path | None = None

    @property
    def ok(self) -> bool:
        from .schema import LATEST_VERSION

        return (
            not self.integrity
            and not self.refused
            and self.journal_mode == "wal"
            and self.synchronous == "FULL"
            and self.schema_version == LATEST_VERSION
            and self.history in ("ok", HISTORY_NOT_RECORDED)
        )

    def plain_lines(self) -> list[str]:
        """The check as a quality office reads it (帮助 → 数据库检查): whether the data can be used
        and the newest backup. :meth:`lines`, with SQLite's words, goes behind 显示详情: a reviewer
        found 日志模式（journal_mode）：wal and 结构版本（schema_version）：4 all the box said."""
        from ..domain.formats import cn_local_time

        if self.refused:
            verdict = f"这个数据库不能使用：{self.refused}"
        elif self.integrity:
            verdict = f"数据库已损坏：{self.damage or UNKNOWN_DAMAGE}"
        elif self.history not in ("ok", HISTORY_NOT_RECORDED):  # not a setting: said as what it is
            verdict = f"数据可以继续使用，但修改记录不完整：{self.history}。请告诉维护本程序的人员。"
        elif self.ok:
            verdict = "数据库完好，可以继续使用。"
        else:
            verdict = "数据库可以使用，但有的设置与程序的要求不同（见详情），请告诉维护本程序的人员。"
        backup = self.last_backup
        return [
            verdict,
            f"最近的备份：{cn_local_time(backup['time'])}（{Path(backup['file']).name}）"
            if backup
            else "还没有备份：请在“文件 → 备份与恢复”中点“立即备份”。",
        ]

    def lines(self) -> list[str]:
        """The whole report (CLI ``check``, and 帮助 → 数据库检查's 显示详情)."""
        if self.integrity:
            detail = technical_detail(self.integrity, "\n      ")
            integrity = f"发现问题：{self.damage or UNKNOWN_DAMAGE}\n    {detail}"
        else:
            integrity = "—" if self.refused else "完好（ok）"
        backup = self.last_backup
        lines = [f"数据库：{self.path}"]
        if self.refused:
            lines.append(f"不能使用：{self.refused}")
        lines += [
            f"完整性检查（integrity_check）：{integrity}",
            f"日志模式（journal_mode）：{self.journal_mode or '—'}",
            f"同步写入（synchronous）：{self.synchronous or '—'}",
            f"结构版本（schema_version）：{self.schema_version if self.schema_version is not None else '—'}",
            f"SQLite 版本：{self.sqlite_version}",
            "修改记录（history）："
            + {"ok": "完好（ok）", HISTORY_NOT_RECORDED: "尚未记录"}.get(self.history, self.history),
            f"最近的备份：{backup['time'].replace('T', ' ') + '  ' + backup['file'] if backup else '没有备份'}",
            "结论：" + ("正常" if self.ok else "有问题（见上）"),
        ]
        return lines

    def to_dict(self) -> dict:
        return {
            "database": str(self.path),
            "ok": self.ok,
            "integrity": "ok" if not self.integrity else self.integrity,
            "journal_mode": self.journal_mode,
            "synchronous": self.synchronous,
            "schema_version": self.schema_version,
            "sqlite_version": self.sqlite_version,
            "history": self.history,
            "last_backup": self.last_backup,
            **({"refused": self.refused} if self.refused else {}),
            **({"damage": self.damage or UNKNOWN_DAMAGE} if self.integrity else {}),
        }


def technical_detail(problems: Sequence[str], indent: str = "\n") -> str:
    """SQLite's report under a heading that says what it is, a line each (``indent`` starts them)."""
    lines = [line for problem in problems for line in problem.splitlines() if line.strip()]
    return f"{TECHNICAL}：" + "".join(indent + line for line in lines)


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds (empty: the file is sound)."""
    try:
        rows = [row[0] for row in conn.execute(f"PRAGMA quick_check({MAX_PROBLEMS})")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


#: the table whose pages are mostly the attachments' bytes: what start-up leaves to the background
FILES_TABLE = "attachments"


def quick_check_records(conn: sqlite3.Connection) -> list[str]:
    """``quick_check`` of every table but the attachments (whose pages are mostly the files'
    bytes: after two years of scans, 95 % of the file), each with its indexes: what the GUI
    checks before its window is built. It cannot tell a page used by two tables, nor the
    attachments' damage: the whole file is checked again (:func:`quick_check`) once the window is
    up. SQLite older than 3.33 checks no single table: the whole file is checked here then."""
    if sqlite3.sqlite_version_info < (3, 33, 0):
        return quick_check(conn)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    problems: list[str] = []
    for table in tables:
        if table == FILES_TABLE:
            continue
        quoted = table.replace('"', '""')
        try:
            rows = [row[0] for row in conn.execute(f'PRAGMA quick_check("{quoted}")')]
        except sqlite3.DatabaseError as exc:  # a damaged root page: the check itself fails
            rows = [str(exc)]
        problems += [] if rows == ["ok"] else rows
    return problems[:MAX_PROBLEMS]


def explain_damage(conn: sqlite3.Connection | None, error: sqlite3.Error | None = None) -> str:
    """What the user is told about a file whose check found problems (``error``: the check could
    not even run): which parts of the data are damaged, by the names the program gives them."""
    if conn is None or (error is not None and getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB"):
        return NOT_A_DATABASE
    parts = damaged_parts(conn)
    if not parts:
        return UNKNOWN_DAMAGE
    return "、".join(f"“{part}”" for part in parts) + "部分的数据已损坏，无法完整读取。"


def damaged_parts(conn: sqlite3.Connection) -> list[str]:
    """The parts whose tables (with their indexes) fail a quick check of their own, in the order
    the tables were made; empty when that cannot be told: the list of tables cannot be read, or
    SQLite is older than 3.33, whose quick_check takes no table name."""
    if sqlite3.sqlite_version_info < (3, 33, 0):
        return []
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage")]
    except sqlite3.DatabaseError:
        return []
    parts = [TABLE_LABELS.get(table, OTHER_PART) for table in tables if not _table_sound(conn, table)]
    return list(dict.fromkeys(parts))


def _table_sound(conn: sqlite3.Connection, table: str) -> bool:
    quoted = table.replace('"', '""')
    try:
        return [row[0] for row in conn.execute(f'PRAGMA quick_check("{quoted}")')] == ["ok"]
    except sqlite3.DatabaseError:  # a damaged root page: the check itself fails
        return False


def _history(conn: sqlite3.Connection) -> str:
    """The change-history chain (修改记录): "ok", or where it breaks; "not yet recorded" while this
    version of the program keeps no history (``app.store.history`` with ``verify_chain``)."""
    try:
        from . import history
    except ImportError:
        return HISTORY_NOT_RECORDED
    verify = getattr(history, "verify_chain", None)
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'").fetchone()
    if verify is None or not has_table:
        return HISTORY_NOT_RECORDED
    result = verify(conn)
    return "ok" if result.ok else (result.reason or f"第 {result.broken_at} 条起校验不符")


def _read_only(path: Path) -> sqlite3.Connection:
    from . import CONNECTION_PRAGMAS

    wal = Path(f"{path}-wal")
    immutable = not wal.exists() and not Path(f"{path}-shm").exists()
    # immutable when there is no WAL to read: checking leaves no -wal/-shm behind (read-only media too)
    from . import sqlite_uri

    query = "mode=ro&immutable=1" if immutable else "mode=ro"
    conn = sqlite3.connect(sqlite_uri(path, query), uri=True, isolation_level=None, timeout=5)
    for pragma in CONNECTION_PRAGMAS:
        conn.execute(pragma)
    return conn


def chosen_backup_folder(db_path: Path) -> Path:
    """The backup folder of a database not open here (a damaged one, met by a command): the one
    chosen in 备份与恢复, read as ``check`` reads (no -wal or -shm left behind), else
    ``backups/`` beside it."""
    from .backup import backup_folder, default_folder

    try:
        conn = _read_only(Path(db_path))
    except sqlite3.Error:
        return default_folder(db_path)
    try:
        return backup_folder(conn, db_path)
    finally:
        conn.close()


def _integrity(conn: sqlite3.Connection, full: bool) -> list[str]:
    """What the full check (or the quick one) finds; raises sqlite3.DatabaseError when the full
    check cannot even run."""
    if not full:
        return quick_check(conn)
    rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})")]
    return [] if rows == ["ok"] else rows


def check_database(path: Path, backups_folder: Path | None = None, full: bool = True) -> Health:
    """Everything ``check`` reports on ``path``; never changes the file."""
    from .backup import backup_folder, list_backups
    from .schema import LATEST_VERSION, is_our_database, user_version

    path = Path(path)
    health = Health(path)
    if not path.is_file():
        health.refused = "文件不存在" if not path.exists() else "不是文件"
        return health
    if path.stat().st_size == 0:
        health.refused = "文件是空的（0 字节）"
        return health
    conn = None
    try:
        conn = _read_only(path)
        health.schema_version = user_version(conn)
        if not is_our_database(conn, health.schema_version) or health.schema_version == 0:
            health.refused = "不是本程序的数据库"
        elif health.schema_version > LATEST_VERSION:
            health.refused = f"由更新版本的程序创建（结构版本 {health.schema_version}）"
        # read from the header: a read-only connection that skips the WAL reports "delete"
        with path.open("rb") as f:
            header = f.read(20)
        health.journal_mode = (
            "wal" if len(header) == 20 and header[18] == 2 else (conn.execute("PRAGMA journal_mode").fetchone()[0])
        )
        health.synchronous = SYNCHRONOUS_WORDS.get(conn.execute("PRAGMA synchronous").fetchone()[0], "?")
        if not health.refused:
            health.history = _history(conn)
        health.integrity = _integrity(conn, full)
        if health.integrity:
            health.damage = explain_damage(conn)
    except sqlite3.DatabaseError as exc:
        health.integrity = [str(exc)]
        health.damage = explain_damage(conn, exc)
    # the chosen folder is one setting: read even from a file damaged elsewhere (backup_folder
    # falls back to backups/ beside it when it cannot be read), as the window reads it
    folder = backups_folder or backup_folder(conn, path)
    health.backups_folder = folder
    if conn is not None:
        conn.close()
    found = list_backups(folder, path)
    if found:
        health.last_backup = found[0].to_dict()
    return health

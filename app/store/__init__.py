"""The SQLite store (数据库): one function per query or write; every write one transaction."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.records import Answer, Attachment, Rectification, SampleRecord
from ..errors import DamagedError, NotFoundError, StoreError, os_reason
from . import history
from . import records as rec
from .history import ChainCheck, Entry
from .records import FrozenChecklist, HospitalRecord, RoundRecord
from .schema import LATEST_VERSION, is_our_database, migrate, user_version

if TYPE_CHECKING:
    import sqlite_utils

    from .lock import InstanceLock

__all__ = ["CONNECTION_PRAGMAS", "Actor", "Store", "new_id", "now", "open_store"]


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and on which PC: stamped on every record for later merging."""

    author: str
    device_id: str


#: How long a write waits for another program's lock before it is reported
BUSY_TIMEOUT_MS = 5000


def new_id() -> str:
    import uuid  # deferred, like hashlib elsewhere: opening the window writes nothing

    return str(uuid.uuid4())


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _sync(actor: Actor) -> dict[str, str]:
    return {"updated_at": now(), "author": actor.author, "device_id": actor.device_id}


#: SQLite that has ``INSERT … ON CONFLICT … DO UPDATE`` (2018; Debian 10 has 3.27)
MIN_SQLITE = (3, 24, 0)

#: Who deletes, when the caller cannot say (kept for old callers; the history shows it blank)
NOBODY = Actor("", "")


#: Kept on every connection (DESIGN, issue 11): the last commits survive a power cut
#: (``synchronous=NORMAL`` in WAL mode may lose them), deleted attachments are overwritten.
CONNECTION_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL", "PRAGMA secure_delete = ON")

#: Errors after which the file is opened read-only instead (so it can still be viewed, printed
#: and backed up): a read-only disk or folder, a full disk, files that cannot be created.
_READ_ONLY_FALLBACK = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_FULL", "SQLITE_IOERR")


def sqlite_uri(path: Path, query: str) -> str:
    """A SQLite URI for ``path`` with ``query`` ("mode=ro", …). SQLite takes no host in a URI, so a
    Windows network path (``\\\\server\\share\\x.db``) becomes ``file:////server/share/x.db``."""
    import os
    from urllib.parse import quote

    text = str(Path(path).resolve())
    if os.name == "nt":
        text = text.replace("\\", "/")
        if not text.startswith("/"):  # C:/…
            text = "/" + text
    return f"file://{quote(text, safe='/:')}?{query}"


def _connect(path: Path, mode: str = "") -> sqlite3.Connection:
    """A connection as every part of the program uses it: ``mode`` "" (read-write), "ro", or
    "immutable" (read-only media where not even SQLite's shared-memory file can be made)."""
    query = {"ro": "mode=ro", "immutable": "mode=ro&immutable=1"}.get(mode)
    target = sqlite_uri(path, query) if query else str(path)
    conn = sqlite3.connect(
        target, uri=bool(query), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _remove_new_empty(files: list[Path]) -> None:
    """Remove the empty ``-wal``/``-shm`` files a failed open left behind (they were not there)."""
    for file in files:
        try:
            if file.exists() and file.stat().st_size == 0:
                file.unlink()
        except OSError:
            pass


def _open_connection(path: Path) -> tuple[sqlite3.Connection, int, str]:
    """Open ``path`` read-write or, when writing is impossible, read-only: (conn, version, why
    read-only or "")."""
    sidecars = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
    try:
        return (*_connect_and_read_version(path, ""), "")
    except sqlite3.Error as exc:
        first = exc
        name = getattr(exc, "sqlite_errorname", "") or ""
        if not name.startswith(_READ_ONLY_FALLBACK) or not path.exists() or path.stat().st_size == 0:
            raise
    _remove_new_empty(sidecars)
    reason = _why_not_writable(path, first)
    wal = Path(f"{path}-wal")
    modes = ["ro"] + ([] if wal.exists() and wal.stat().st_size else ["immutable"])
    for mode in modes:
        try:
            return (*_connect_and_read_version(path, mode), reason)
        except sqlite3.Error:
            _remove_new_empty(sidecars)
    raise first


#: free space below which a folder counts as full: SQLite needs room for its -shm file (32 KB)
_FULL_BELOW = 64 * 1024


def _why_not_writable(path: Path, error: sqlite3.Error) -> str:
    """What the user is told when the database opens read-only. A full disk leaves SQLite no room
    for its -shm file, which it reports as read-only: say the disk is full, not to check rights."""
    import shutil

    try:
        full = shutil.disk_usage(path.parent).free < _FULL_BELOW
    except OSError:
        full = False
    if full:
        return f"无法写入：{DISK_FULL}。"
    return store_error(error, "无法写入").user_message


def _connect_and_read_version(path: Path, mode: str) -> tuple[sqlite3.Connection, int]:
    """A connection and the database's version; a connection that cannot read it is closed here,
    not left to the cyclic collector (which the GUI turns off while it starts)."""
    conn = _connect(path, mode)
    try:
        return conn, user_version(conn)
    except BaseException:
        conn.close()
        raise


def open_store(
    path: Path | str, *, create: bool = True, allow_empty: bool = False, backup_before_migration: bool = True
) -> Store:
    """Open (creating or upgrading) the database at ``path``.

    Refuses, without touching the file, a database written by a newer version of the program,
    another program's SQLite file (also one with the same table names but other columns), a file
    that is not a database, and one that cannot be opened. ``create=False`` (commands that only
    read) refuses a missing file; an existing empty file becomes a database only with
    ``allow_empty`` (the user was asked). When the file cannot be written (read-only disk, full
    disk) it is opened read-only: ``Store.read_only`` says why. An older database is backed up
    before it is upgraded.
    """
    _require_sqlite()
    path = Path(path)
    _check_path(path, create=create, allow_empty=allow_empty)
    conn, version, read_only = _open_ours(path)
    try:
        _set_up(conn, path, version, read_only, backup_before_migration)
    except sqlite3.Error as exc:
        conn.close()
        raise store_error(exc, f"无法打开数据库“{path}”") from exc
    except StoreError:
        conn.close()
        raise
    return Store(conn, path, read_only=read_only)


def _require_sqlite() -> None:
    if sqlite3.sqlite_version_info < MIN_SQLITE:  # writes use ON CONFLICT … DO UPDATE (Store.upsert)
        raise StoreError(
            f"本机的 SQLite 版本 {sqlite3.sqlite_version} 过旧，本程序需要 "
            f"{'.'.join(map(str, MIN_SQLITE))} 或更新的版本。请使用安装包（自带较新的 SQLite）。"
        )


def _check_path(path: Path, *, create: bool, allow_empty: bool) -> None:
    """Refuse a folder, a missing file (unless creating) and an empty one (unless allowed); make
    the folder of a new database."""
    if path.exists() and path.is_dir():
        raise StoreError(f"数据库路径“{path}”是一个文件夹，请指定一个文件。")
    exists = path.exists()
    if not exists and not create:
        raise StoreError(f"数据库文件“{path}”不存在。请检查路径，或先用 demo 命令或图形界面创建。")
    if exists and path.stat().st_size == 0 and not allow_empty:
        raise StoreError(
            f"数据库文件“{path}”是空的（0 字节），其中没有任何数据，未作任何修改。"
            "如果它是被意外清空的，请从备份恢复；新建数据库请指定一个不存在的文件名。"
        )
    if not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法创建数据库所在文件夹“{path.parent}”：{os_reason(exc)}") from exc


def _open_ours(path: Path) -> tuple[sqlite3.Connection, int, str]:
    """A connection to ``path`` once it is known to be this program's database, of a version this
    program can use: (conn, version, why read-only or ""). Nothing is written before this."""
    _shared_memory_writable_like(path)
    try:
        conn, version, read_only = _open_connection(path)
    except sqlite3.Error as exc:
        raise store_error(exc, f"无法打开数据库“{path}”") from exc
    try:
        ours = is_our_database(conn, version)
    except sqlite3.Error as exc:  # a damaged file: nothing of ours stays open beside it
        conn.close()
        raise store_error(exc, f"无法打开数据库“{path}”") from exc
    refusal = _refusal(path, version, read_only, ours)
    if refusal:
        conn.close()
        raise StoreError(refusal)
    return conn, version, read_only


def _shared_memory_writable_like(path: Path) -> None:
    """SQLite makes the ``-shm`` file with the database's permissions: opened once while the file
    was read-only (``chmod 444``), it stays read-only after the file is made writable again, and
    every save then failed with “只读”, the user told to check permissions already right (review).
    A ``-shm`` of ours that is read-only beside a writable database is made writable like it."""
    shm = Path(f"{path}-shm")
    try:
        if shm.exists() and not os.access(shm, os.W_OK) and os.access(path, os.W_OK):
            shm.chmod(path.stat().st_mode & 0o666)
    except OSError:
        pass  # another user's: SQLite says why when it is used


def _refusal(path: Path, version: int, read_only: str, ours: bool) -> str:
    """Why the database must be left alone ("" when it may be opened)."""
    if not ours:
        return (
            f"“{path}”是其他程序的数据库，不是本程序的数据库，为避免损坏其中的数据，未作任何修改。"
            "请换用其他数据库文件。"
        )
    if version > LATEST_VERSION:
        return (
            f"数据库“{path}”由更新版本的程序创建（结构版本 {version}，本程序支持到 {LATEST_VERSION}），"
            "为避免损坏数据，未作任何修改。请升级本程序后再打开。"
        )
    if read_only and version < LATEST_VERSION:
        return f"数据库“{path}”需要升级到新的结构版本，但{read_only.removeprefix('无法写入：')}"
    return ""


def _set_up(conn: sqlite3.Connection, path: Path, version: int, read_only: str, backup: bool) -> None:
    """The connection's pragmas; for a writable file also WAL mode and the migrations, after a
    backup of an older database."""
    for pragma in CONNECTION_PRAGMAS:
        conn.execute(pragma)
    if read_only:
        return
    if 0 < version < LATEST_VERSION and backup:
        from .backup import backup_before

        backup_before(conn, path, "升级前")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    migrate(conn)
    _make_patient_key(conn)


#: this database's secret for 病案号 pseudonyms (``exchange.export``): in no pseudonymised
#: package (one with 病案号 carries it, for the hospital's departments)
PATIENT_KEY_SETTING = "exchange.patient_key"


def _make_patient_key(conn: sqlite3.Connection) -> None:
    """Give the database its pseudonym secret when it is opened writable, once it has its
    hospital: made only on the first export, it could not be made for an export from a
    read-only copy (a locked stick, a CD), and the default, pseudonymised export failed there.
    Not before the hospital is there: a database prepared once and copied to several hospitals
    would give them one key, and the summary (aggregate._restarted) takes one key for one
    database (Store.save_profile makes it with the first profile)."""
    if conn.execute("SELECT 1 FROM settings WHERE key = ?", (PATIENT_KEY_SETTING,)).fetchone():
        return
    if not conn.execute("SELECT 1 FROM hospital LIMIT 1").fetchone():
        return
    with contextlib.suppress(sqlite3.Error):  # busy or full: the first export makes it, as before
        conn.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)",
            (PATIENT_KEY_SETTING, _json(os.urandom(32).hex())),
        )


DISK_FULL = "磁盘已满或无法写入，请清理磁盘空间（或检查 U 盘、网络盘）后重试"
#: SQLite's error (``sqlite_errorname``, by prefix) → what the user is told and can do
_ERRORS = (
    (("SQLITE_BUSY", "SQLITE_LOCKED"), "数据库正被其他程序占用（可能已在另一个窗口中打开），请关闭它后重试"),
    (
        ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"),
        "数据库文件或其所在文件夹是只读的（或没有访问权限），请检查权限，或把数据库复制到可写的位置",
    ),
    (("SQLITE_FULL", "SQLITE_IOERR"), DISK_FULL),
    (("SQLITE_NOTADB", "SQLITE_CORRUPT"), "文件已损坏或不是本程序的数据库，请从备份恢复，或换用其他数据库文件"),
)
_DAMAGED = ("SQLITE_NOTADB", "SQLITE_CORRUPT")


def store_error(exc: sqlite3.Error, what: str) -> StoreError:
    """A StoreError saying ``what`` failed and why, from SQLite's error code: a locked or a
    read-only database is not called corrupt (the user would throw away good data). A damaged
    file gives a DamagedError, which the GUI and the CLI answer with the offer of a backup."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    reason = next((text for prefixes, text in _ERRORS if name.startswith(prefixes)), None)
    kind = DamagedError if name.startswith(_DAMAGED) else StoreError
    return kind(f"{what}：{reason or exc}。", f"{name}: {exc}")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _chunks(ids: list[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """``ids`` a few hundred at a time (SQLite limits the parameters of a statement), each with
    the ``?, ?, …`` of its ``IN (…)``."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        yield chunk, ", ".join("?" * len(chunk))


class Store:
    """Thin, typed access to the tables: reads return typed records (``app.store.records``: one
    function per table turns a row into its record), writes take the fields to set.

    Reads are plain SQL on the connection; writes go through sqlite-utils (upserts, inserts,
    ``atomic()``), which is imported on the first write. Its import (≈70 ms with the plugin scan it
    does) would otherwise be a fifth of the program's start-up, which only reads.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path, read_only: str = "") -> None:
        self.conn = conn
        self.path = path
        #: why the database was opened read-only ("" when it can be written)
        self.read_only = read_only
        #: the InstanceLock a command that writes holds while it runs (None: not taken here)
        self.instance_lock: InstanceLock | None = None
        self._db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def reopen_writable(self) -> bool:
        """Open a read-only database (a write-protected stick, a disk full when the program
        started) for writing again, once that works: the edits kept while it was read-only are
        then saved. The connection stayed read-only, so every retry failed after the stick was
        unlocked or the disk cleaned up, and leaving lost the morning's input. True when it now
        can be written."""
        if not self.read_only:
            return True
        if self.conn.in_transaction:
            return False
        try:
            conn, version, read_only = _open_ours(self.path)
        except StoreError:
            return False
        if read_only or version != LATEST_VERSION:
            conn.close()
            return False
        try:
            _set_up(conn, self.path, version, "", backup=False)
        except sqlite3.Error:  # still full, or the stick locked again while it was set up
            conn.close()
            return False
        old, self.conn, self._db, self.read_only = self.conn, conn, None, ""
        old.close()
        return True

    @contextmanager
    def brief_wait(self, ms: int = 200) -> Iterator[None]:
        """Wait at most ``ms`` for another program's lock (instead of 5 s): for a background
        retry, which must not hold up the window while the database stays busy."""
        self.conn.execute(f"PRAGMA busy_timeout = {int(ms)}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One transaction (nested: a savepoint); a disk or lock error becomes a StoreError.

        The outermost one is ``BEGIN IMMEDIATE``: it takes the write lock at once, waiting up to
        the busy timeout for another writer. sqlite-utils' plain ``BEGIN`` would fail at once,
        without waiting, when its first read turned into a write under someone else's lock."""
        outermost = not self.conn.in_transaction
        if outermost and self.read_only:  # unlocked or cleaned up since it was opened?
            self.reopen_writable()
        try:
            if outermost:
                self.conn.execute("BEGIN IMMEDIATE")
            try:
                with self.db.atomic() as db:  # a savepoint inside it
                    yield db
                if outermost:
                    self.conn.execute("COMMIT")
            except BaseException:
                if outermost and self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            if self.read_only:  # why it could not be opened for writing (a full disk, rights)
                why = self.read_only.rstrip("。")
                raise StoreError(f"本次修改未保存：数据库只能以只读方式打开（{why}）。", str(exc)) from exc
            raise store_error(exc, "本次修改未保存") from exc

    def _rows(self, sql: str, params: tuple | dict = ()) -> list[dict]:
        """A read; a damaged page met on the way is a DamagedError, never a raw sqlite3 error."""
        try:
            cursor = self.conn.execute(sql, params)
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor]
        except sqlite3.DatabaseError as exc:
            if str(exc).startswith("Could not decode to UTF-8"):  # garbage bytes where text was stored
                raise DamagedError(
                    f"无法读取数据库“{self.path}”：文件已损坏（保存的文字无法解码），请从备份恢复。", str(exc)[:200]
                ) from exc
            raise store_error(exc, f"无法读取数据库“{self.path}”") from exc

    def _one(self, sql: str, params: tuple | dict = ()) -> dict | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def upsert(self, table: str, row: dict, pk: str = "id") -> None:
        """Insert ``row``, or update the given columns of the row with its ``pk``: SQLite's own
        ``ON CONFLICT … DO UPDATE`` (3.24+). sqlite-utils falls back, below SQLite 3.35, to an
        INSERT OR IGNORE that a NOT NULL column makes ignore silently: nothing was saved."""
        columns = list(row)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != pk)
        sql = (
            f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
            f'VALUES ({", ".join("?" * len(columns))}) ON CONFLICT("{pk}") DO '
            + (f"UPDATE SET {updates}" if updates else "NOTHING")
        )
        self.conn.execute(sql, [row[c] for c in columns])

    def _log(
        self,
        table: str,
        record_id: str,
        round_id: str | None,
        item_id: str | None,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any] | None,
        actor: Actor,
        at: str | None = None,
    ) -> None:
        """Append the change to the history, in the caller's transaction (修改记录)."""
        entry = history.change_entry(
            table,
            record_id,
            round_id,
            item_id,
            before,
            after,
            at=at or now(),
            author=actor.author,
            device_id=actor.device_id,
        )
        if entry is not None:
            history.append(self.conn, entry)

    # --- settings ---------------------------------------------------------------------------

    def setting(self, key: str, default: Any = None) -> Any:
        row = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return rec.loads(row["value"], self.path) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction():
            self.upsert("settings", {"key": key, "value": _json(value)}, pk="key")

    def remember(self, key: str, value: Any) -> bool:
        """Keep ``value`` as a setting if the database takes it now: for a cache the program can
        do without (False, and nothing written, when the file is read-only or busy). One
        statement, committed by itself, without sqlite-utils: the rounds list may be the first
        screen, and start-up writes nothing else."""
        if self.read_only or self.conn.in_transaction:
            return False
        try:
            with self.brief_wait(0):
                self.upsert("settings", {"key": key, "value": _json(value)}, pk="key")
        except sqlite3.Error:
            return False
        return True

    def change_stamps(self) -> dict[str, int]:
        """Each round's newest change-history entry (its sequence number). Every change to a
        round's records is recorded in the history with it, in the change's transaction
        (imports too): a round whose stamp is as before has not changed."""
        rows = self.conn.execute("SELECT round_id, max(seq) FROM history WHERE round_id IS NOT NULL GROUP BY round_id")
        return dict(rows.fetchall())

    # --- hospital profile -------------------------------------------------------------------

    def profile(self) -> HospitalRecord | None:
        row = self._one("SELECT * FROM hospital LIMIT 1")
        return rec.hospital_from_row(row, self.path) if row else None

    def save_profile(self, fields: Mapping[str, Any], actor: Actor) -> str:
        existing = self._one("SELECT id FROM hospital LIMIT 1")
        row = {
            **fields,
            "departments": _json(list(fields.get("departments", []))),
            "flags": _json(sorted(fields.get("flags", []))),
            **_sync(actor),
        }
        row["id"] = existing["id"] if existing else new_id()
        with self.transaction():
            before = self._one("SELECT * FROM hospital WHERE id = ?", (row["id"],))
            self.upsert("hospital", row)
            self._log("hospital", row["id"], None, None, before, {**(before or {}), **row}, actor, row["updated_at"])
            _make_patient_key(self.conn)  # with the first profile: each copy of a prepared database its own
        return row["id"]

    # --- rounds -----------------------------------------------------------------------------

    def insert_round(self, fields: Mapping[str, Any], checklists: list[dict[str, Any]], actor: Actor) -> str:
        round_id = new_id()
        row = {
            **fields,
            "id": round_id,
            "members": _json(fields.get("members", [])),
            "profile": _json(fields["profile"]),
            "created_at": now(),
            **_sync(actor),
        }
        with self.transaction() as db:
            db.table("rounds").insert(row)
            self._log("rounds", round_id, round_id, None, None, row, actor, row["updated_at"])
            db.table("round_checklists").insert_all(
                {**c, "round_id": round_id, "content": _json(c["content"]), "position": i}
                for i, c in enumerate(checklists)
            )
        return round_id

    def rounds(self) -> list[RoundRecord]:
        """Newest first."""
        return [
            rec.round_from_row(r, self.path)
            for r in self._rows("SELECT * FROM rounds ORDER BY started_on DESC, created_at DESC")
        ]

    def round(self, round_id: str) -> RoundRecord:
        row = self._one("SELECT * FROM rounds WHERE id = ?", (round_id,))
        if row is None:
            raise NotFoundError(f"找不到自查轮次“{round_id}”。")
        return rec.round_from_row(row, self.path)

    def update_round(self, round_id: str, fields: Mapping[str, Any], actor: Actor) -> None:
        if "members" in fields:
            fields = {**fields, "members": _json(fields["members"])}
        if "profile" in fields:
            fields = {**fields, "profile": _json(fields["profile"])}
        with self.transaction() as db:
            before = self._one("SELECT * FROM rounds WHERE id = ?", (round_id,))
            db.table("rounds").update(round_id, {**fields, **_sync(actor)})
            self._log("rounds", round_id, round_id, None, before, {**(before or {}), **fields}, actor)

    def delete_round(self, round_id: str, actor: Actor = NOBODY) -> None:
        with self.transaction() as db:
            before = self._one("SELECT * FROM rounds WHERE id = ?", (round_id,))
            db.execute("DELETE FROM rounds WHERE id = ?", (round_id,))
            self._log("rounds", round_id, round_id, None, before, None, actor)

    def round_checklists(self, round_id: str) -> list[FrozenChecklist]:
        rows = self._rows("SELECT * FROM round_checklists WHERE round_id = ? ORDER BY position", (round_id,))
        return [rec.checklist_from_row(row, self.path) for row in rows]

    # --- answers ----------------------------------------------------------------------------

    def answers(self, round_id: str) -> list[Answer]:
        return [rec.answer_from_row(r) for r in self._rows("SELECT * FROM answers WHERE round_id = ?", (round_id,))]

    def answer(self, round_id: str, item_id: str) -> Answer | None:
        row = self._answer_row(round_id, item_id)
        return rec.answer_from_row(row) if row else None

    def _answer_row(self, round_id: str, item_id: str) -> dict[str, Any] | None:
        return self._one("SELECT * FROM answers WHERE round_id = ? AND item_id = ?", (round_id, item_id))

    def save_answer(self, round_id: str, item_id: str, fields: Mapping[str, Any], actor: Actor) -> Answer:
        """Create or update the item's answer with ``fields`` (columns of ``answers``); returns
        the answer as saved."""
        with self.transaction():
            existing = self._answer_row(round_id, item_id)
            row = {**(existing or {"id": new_id(), "round_id": round_id, "item_id": item_id}), **fields, **_sync(actor)}
            self.upsert("answers", row)
            self._log("answers", row["id"], round_id, item_id, existing, row, actor, row["updated_at"])
            saved = self._answer_row(round_id, item_id)  # with the defaults of the columns not given
        assert saved is not None
        return rec.answer_from_row(saved)

    # --- sampled records --------------------------------------------------------------------

    def samples(self, round_id: str, item_id: str | None = None) -> list[SampleRecord]:
        """The round's (or the item's) sampled records, by item and position."""
        return [rec.sample_from_row(r) for r in self._sample_rows(round_id, item_id)]

    def _sample_rows(self, round_id: str, item_id: str | None) -> list[dict[str, Any]]:
        if item_id is None:
            return self._rows("SELECT * FROM samples WHERE round_id = ? ORDER BY item_id, position", (round_id,))
        return self._rows(
            "SELECT * FROM samples WHERE round_id = ? AND item_id = ? ORDER BY position", (round_id, item_id)
        )

    def replace_samples(self, round_id: str, item_id: str, records: list[Mapping[str, Any]], actor: Actor) -> None:
        """Store the item's sampled records as given (their order is their position)."""
        rows = [
            {
                "id": r.get("id") or new_id(),
                "position": i,
                "record_no": r.get("record_no", ""),
                "compliant": int(bool(r["compliant"])),
                "note": r.get("note", ""),
                **_sync(actor),
            }
            for i, r in enumerate(records)
        ]
        with self.transaction():
            self.put_samples(round_id, item_id, rows, actor)

    # --- attachments ------------------------------------------------------------------------

    def add_attachment(self, fields: Mapping[str, Any], data: bytes, actor: Actor) -> str:
        attachment_id = new_id()
        with self.transaction() as db:
            db.table("attachments").insert(
                {
                    **fields,
                    "id": attachment_id,
                    "data": data,
                    "added_at": now(),
                    "author": actor.author,
                    "device_id": actor.device_id,
                }
            )
            self._log("attachments", attachment_id, fields["round_id"], fields.get("item_id"), None, fields, actor)
        return attachment_id

    def attachments(
        self, round_id: str, item_id: str | None = None, rectification_id: str | None = None
    ) -> list[Attachment]:
        """The round's attachments (of an item, of a rectification), oldest first, without their
        bytes (see attachment_data)."""
        sql = (
            "SELECT id, round_id, item_id, rectification_id, filename, media_type, size, sha256, "
            "added_at, author, device_id FROM attachments WHERE round_id = ?"
        )
        params: list = [round_id]
        if item_id is not None:
            sql += " AND item_id = ?"
            params.append(item_id)
        if rectification_id is not None:
            sql += " AND rectification_id = ?"
            params.append(rectification_id)
        return [rec.attachment_from_row(r) for r in self._rows(sql + " ORDER BY added_at, id", tuple(params))]

    def attachment_data(self, attachment_id: str) -> bytes:
        row = self._one("SELECT data FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise NotFoundError("找不到该附件，可能已被删除。")
        return row["data"]

    def attachment_chunks(self, attachment_id: str, size: int = 1 << 20) -> Iterator[bytes]:
        """The attachment's bytes ``size`` at a time, read from the file as they are used: what
        writes many large scans somewhere (an upload package) holds one piece at a time."""
        row = self._one("SELECT rowid FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise NotFoundError("找不到该附件，可能已被删除。")
        try:
            with self.conn.blobopen("attachments", "data", row["rowid"], readonly=True) as blob:
                while chunk := blob.read(size):
                    yield chunk
        except sqlite3.Error as exc:
            raise store_error(exc, f"无法读取数据库“{self.path}”中的附件") from exc

    def delete_attachment(self, attachment_id: str, actor: Actor = NOBODY) -> None:
        with self.transaction() as db:
            before = self._one(
                "SELECT id, round_id, item_id, rectification_id, filename, media_type, size, sha256 "
                "FROM attachments WHERE id = ?",
                (attachment_id,),
            )
            db.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
            if before:
                self._log("attachments", attachment_id, before["round_id"], before["item_id"], before, None, actor)

    # --- rectifications ---------------------------------------------------------------------

    def rectifications(self, round_id: str) -> list[Rectification]:
        """As stored (``problem`` "" while it follows the findings), oldest first."""
        rows = self._rows("SELECT * FROM rectifications WHERE round_id = ? ORDER BY created_at, id", (round_id,))
        return [rec.rectification_from_row(r) for r in rows]

    def rectifications_carried_from(self, round_id: str) -> list[Rectification]:
        """Copies, in any round, of ``round_id``'s rectifications (复查轮次 carry them over)."""
        rows = self._rows(
            "SELECT copy.* FROM rectifications AS copy JOIN rectifications AS source "
            "ON copy.carried_from = source.id WHERE source.round_id = ?",
            (round_id,),
        )
        return [rec.rectification_from_row(r) for r in rows]

    def rectification(self, rectification_id: str) -> Rectification:
        row = self._one("SELECT * FROM rectifications WHERE id = ?", (rectification_id,))
        if row is None:
            raise NotFoundError("找不到该整改项。")
        return rec.rectification_from_row(row)

    def save_rectification(self, fields: Mapping[str, Any], actor: Actor) -> str:
        """Create or update a rectification with ``fields`` (columns of ``rectifications``; a new
        one needs round_id and item_id); returns its id."""
        row = {**fields, **_sync(actor)}
        row.setdefault("id", new_id())
        with self.transaction():
            before = self._one("SELECT * FROM rectifications WHERE id = ?", (row["id"],))
            if not before:
                row.setdefault("created_at", now())
            self.upsert("rectifications", row)
            after = {**(before or {}), **row}
            self._log(
                "rectifications",
                row["id"],
                after["round_id"],
                after["item_id"],
                before,
                after,
                actor,
                row["updated_at"],
            )
        return row["id"]

    def delete_rectification(self, rectification_id: str, actor: Actor = NOBODY) -> None:
        with self.transaction() as db:
            before = self._one("SELECT * FROM rectifications WHERE id = ?", (rectification_id,))
            db.execute("DELETE FROM rectifications WHERE id = ?", (rectification_id,))
            if before:
                self._log(
                    "rectifications", rectification_id, before["round_id"], before["item_id"], before, None, actor
                )

    # --- change history (修改记录) ----------------------------------------------------------------

    def history(
        self,
        *,
        round_id: str | None = None,
        item_id: str | None = None,
        record_table: str | None = None,
        record_id: str | None = None,
    ) -> list[Entry]:
        """Entries in the order they were recorded here, filtered by what is given."""
        where, params = [], []
        for column, value in (
            ("round_id", round_id),
            ("item_id", item_id),
            ("record_table", record_table),
            ("record_id", record_id),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM history" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        return [history.Entry.from_row(r) for r in self._rows(sql, tuple(params))]

    def follow_up_history(self, rectification_ids: Iterable[str]) -> list[Entry]:
        """The changes to these rectifications that touched a re-check (its verdict, date, result
        or who made it) or the 整改期限, in the order recorded: the re-checks a later one replaced
        and the deadlines moved live only here. By the records' index: a round's whole history,
        read for one cell edited on the board, grew to 35 ms with two years of changes (scale
        review)."""
        rows = []
        for chunk, marks in _chunks(list(dict.fromkeys(rectification_ids))):
            sql = (
                f"SELECT * FROM history WHERE record_table = 'rectifications' AND record_id IN ({marks})"
                " AND (changes LIKE '%\"recheck%' OR changes LIKE '%\"deadline\"%')"  # recheck_passed, …
            )
            rows += self._rows(sql, tuple(chunk))
        return [history.Entry.from_row(r) for r in sorted(rows, key=lambda r: r["seq"])]

    def record_hashes(self, table: str, record_id: str) -> set[str]:
        """Every content hash the record has had here: its ancestry, for merging."""
        rows = self.conn.execute(
            "SELECT old_hash, new_hash FROM history WHERE record_table = ? AND record_id = ?", (table, record_id)
        ).fetchall()
        return {h for row in rows for h in row if h}

    def known_history_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for chunk, marks in _chunks(ids):
            known.update(r[0] for r in self.conn.execute(f"SELECT id FROM history WHERE id IN ({marks})", chunk))
        return known

    def append_history(self, entries: list[Entry]) -> int:
        """Append entries recorded elsewhere (an imported package's), each once; in the caller's
        transaction. Returns how many were new."""
        known = self.known_history_ids([e.id for e in entries])
        new = [e for e in entries if e.id not in known]
        for entry in new:
            history.append(self.conn, entry)
        return len(new)

    def verify_history(self) -> ChainCheck:
        return history.verify_chain(self.conn)

    # --- records as stored, for export packages and their import ------------------------------

    def put_record(
        self,
        table: str,
        row: Mapping[str, Any],
        actor: Actor,
        *,
        before: Mapping[str, Any] | None = None,
        log: bool = True,
    ) -> None:
        """Write ``row`` as given (its id, times and author kept: it was made elsewhere), in the
        caller's transaction; ``log`` appends the change to the history as made by ``actor``."""
        encoded = {
            k: _json(v) if k in ("members", "departments", "flags", "profile") and not isinstance(v, str) else v
            for k, v in row.items()
        }
        self.upsert(table, encoded)
        if log:
            key = row["id"]
            round_id = row.get("round_id") or (row["id"] if table == "rounds" else None)
            self._log(table, key, round_id, row.get("item_id"), before, {**(before or {}), **row}, actor)

    def insert_round_checklists(self, round_id: str, checklists: list[Mapping[str, Any]]) -> None:
        self.db.table("round_checklists").insert_all(
            {
                "round_id": round_id,
                "checklist_id": c["checklist_id"],
                "version": c["version"],
                "sha256": c["sha256"],
                "content": _json(c["content"]),
                "position": c["position"],
            }
            for c in checklists
        )

    def put_samples(
        self, round_id: str, item_id: str, rows: list[dict[str, Any]], actor: Actor, *, log: bool = True
    ) -> None:
        """Replace the item's sampled records with ``rows`` as given, in the caller's transaction."""
        before = self._sample_rows(round_id, item_id)
        self.conn.execute("DELETE FROM samples WHERE round_id = ? AND item_id = ?", (round_id, item_id))
        self.db.table("samples").insert_all({**r, "round_id": round_id, "item_id": item_id} for r in rows)
        if log:
            self._log(
                "samples",
                history.samples_key(round_id, item_id),
                round_id,
                item_id,
                history.samples_record(before) if before else None,
                history.samples_record(rows) if rows else None,
                actor,
            )

    def put_attachment(self, row: Mapping[str, Any], size: int, chunks: Iterable[bytes]) -> None:
        """Store an attachment made elsewhere, as given, in the caller's transaction: its ``size``
        bytes written a piece at a time as ``chunks`` yields them (an imported package's scans are
        never all in memory). Fewer or more bytes than ``size`` are refused (StoreError)."""
        columns = [c for c in row if c != "data"]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.conn.execute(
            f"INSERT INTO attachments ({names}, data) VALUES ({', '.join('?' * len(columns))}, zeroblob(?))",
            [*(row[c] for c in columns), size],
        )
        rowid, written = cursor.lastrowid, 0
        assert rowid is not None  # the row just inserted
        with self.conn.blobopen("attachments", "data", rowid) as blob:
            for chunk in chunks:
                if written + len(chunk) > size:
                    break
                blob.write(chunk)
                written += len(chunk)
            else:
                if written == size:
                    return
        raise StoreError(f"附件“{row.get('filename', '')}”的大小与记录的不符（应为 {size} 字节），未导入。")

    def rounds_holding(self, table: str, ids: list[str]) -> dict[str, str]:
        """Which round holds each of these record ids (answers, rectifications, attachments)."""
        if table not in ("answers", "rectifications", "attachments"):
            raise ValueError(table)
        out: dict[str, str] = {}
        for chunk, marks in _chunks(ids):
            # through _rows: a damaged page is a DamagedError, said in Chinese (an import into a
            # damaged database ended in a traceback here)
            rows = self._rows(f"SELECT id, round_id FROM {table} WHERE id IN ({marks})", tuple(chunk))
            out.update((r["id"], r["round_id"]) for r in rows)
        return out

    def was_deleted(self, table: str, record_id: str) -> bool:
        """True when the history here records the record's deletion."""
        return (
            self.conn.execute(
                "SELECT 1 FROM history WHERE record_table = ? AND record_id = ? AND action = 'delete'",
                (table, record_id),
            ).fetchone()
            is not None
        )

    def columns(self, table: str) -> set[str]:
        return {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}

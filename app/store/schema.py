"""The database schema and its migrations, numbered by ``PRAGMA user_version``.

A migration is frozen once released: it is appended, never edited. Each step is a tuple of
literal SQL statements, one statement per string, written out in full (no column list or other
fragment shared between steps, which an edit for a later step would silently change in an old
one). ``tests/test_migrations.py`` records a checksum of every released step and fails, telling
you to append a new migration instead, when one changes.

A step runs in one transaction with its version bump: ``BEGIN``, each statement on its own
(``Connection.execute`` takes exactly one, so a step is never split on ``;``, which a ``;`` in a
string literal or a trigger body would break), ``PRAGMA user_version = n``, ``COMMIT``. The
version lives in the database header, which SQLite journals like any page: a step that fails, or
a power cut in the middle of one, leaves the database at the version before it, with none of the
step's tables. ``executescript`` is not used: it commits whatever transaction is open before it
runs, so the version bump could not share the step's transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# v1: the records of a round (DESIGN: Records); every synchronisable one carries updated_at, author, device_id.
_V1 = (
    """CREATE TABLE hospital (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    level_grade TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL,
    beds INTEGER,
    departments TEXT NOT NULL DEFAULT '[]',
    flags TEXT NOT NULL DEFAULT '[]',
    updated_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE rounds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    started_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    leader TEXT NOT NULL DEFAULT '',
    members TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'final')),
    previous_round_id TEXT REFERENCES rounds(id) ON DELETE SET NULL,
    profile TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE round_checklists (
    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    checklist_id TEXT NOT NULL,
    version TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (round_id, checklist_id)
)""",
    """CREATE TABLE answers (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    grade TEXT,
    na_reason TEXT NOT NULL DEFAULT '',
    value REAL,
    numerator REAL,
    denominator REAL,
    baseline REAL,
    finding TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT '',
    UNIQUE (round_id, item_id)
)""",
    """CREATE TABLE samples (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    record_no TEXT NOT NULL DEFAULT '',
    compliant INTEGER NOT NULL CHECK (compliant IN (0, 1)),
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT ''
)""",
    "CREATE INDEX samples_by_item ON samples (round_id, item_id, position)",
    """CREATE TABLE rectifications (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    problem TEXT NOT NULL DEFAULT '',
    cause TEXT NOT NULL DEFAULT '',
    measure TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    deadline TEXT,
    recheck_date TEXT,
    rechecked_by TEXT NOT NULL DEFAULT '',
    recheck_result TEXT NOT NULL DEFAULT '',
    recheck_passed INTEGER CHECK (recheck_passed IN (0, 1)),
    origin TEXT NOT NULL DEFAULT 'auto',
    carried_from TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, author TEXT NOT NULL DEFAULT '', device_id TEXT NOT NULL DEFAULT ''
)""",
    "CREATE INDEX rectifications_by_round ON rectifications (round_id, item_id)",
    """CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    item_id TEXT,
    rectification_id TEXT REFERENCES rectifications(id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    added_at TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT ''
)""",
    "CREATE INDEX attachments_by_item ON attachments (round_id, item_id)",
)

# v2: settings (the GUI's last position, the current user) kept with the data they refer to.
_V2 = (
    """CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
)

# v3: 修改记录, the append-only change history (app/store/history.py). No foreign key to the
# round: the history of a deleted round stays, as an inspector would expect.
_V3 = (
    """CREATE TABLE history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    round_id TEXT,
    record_table TEXT NOT NULL,
    record_id TEXT NOT NULL,
    item_id TEXT,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    old_hash TEXT,
    new_hash TEXT,
    at TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    prev TEXT NOT NULL,
    entry_hash TEXT NOT NULL
)""",
    "CREATE INDEX history_by_record ON history (record_table, record_id)",
    "CREATE INDEX history_by_round ON history (round_id, item_id)",
)

# v4: attachments are listed from an index that holds every column but the file's bytes. The
# bytes (``data``) come before ``added_at``, ``author`` and ``device_id`` in the row, and SQLite
# reaches a column after a large BLOB only by reading every page of it: listing a round's
# attachments read all their bytes (850 MB for two years' scans, 0.2 s warm, seconds from disk).
# The index starts with (round_id, item_id) like the one it replaces.
_V4 = (
    """CREATE INDEX attachments_listed ON attachments (
    round_id, item_id, rectification_id, added_at, id,
    filename, media_type, size, sha256, author, device_id
)""",
    "DROP INDEX attachments_by_item",
)

#: The steps in order: ``MIGRATIONS[n - 1]`` brings a database from version n - 1 to n.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4)
LATEST_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def _columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t: [row[1] for row in conn.execute(f'PRAGMA table_info("{t}")')] for t in tables}


def expected_columns(version: int) -> dict[str, list[str]]:
    """The tables and columns a database of ``version`` has, made by running the migrations in memory."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn, target=version)
        return _columns(conn)
    finally:
        conn.close()


def is_our_database(conn: sqlite3.Connection, version: int) -> bool:
    """An empty database (a new file: ours to set up) or one with exactly this program's tables
    and columns for its version. Another program's SQLite file (a browser's history, a HIS
    extract, a look-alike with the same table names) is never changed. A newer version's
    database need only have our core tables (its new columns are unknown here)."""
    found = _columns(conn)
    if version == 0:
        return not found
    if version > LATEST_VERSION:
        return {"hospital", "rounds", "answers"} <= found.keys()
    expected = expected_columns(version)
    return all(found.get(table) == columns for table, columns in expected.items())


def holds_our_data(path: Path) -> bool:
    """``path`` is one of this program's databases (SQLite with its core tables), or a SQLite
    file too damaged to tell: a file that a command's output must never replace."""
    from . import sqlite_uri

    try:
        with path.open("rb") as head:
            if head.read(16) != b"SQLite format 3\x00":
                return False
        conn = sqlite3.connect(sqlite_uri(path, "mode=ro&immutable=1"), uri=True)
    except (OSError, sqlite3.Error):
        return False
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return True
    finally:
        conn.close()
    return {"hospital", "rounds", "answers"} <= tables


def migrate(conn: sqlite3.Connection, target: int = LATEST_VERSION) -> None:
    """Apply the migrations after the database's version, up to ``target``, one transaction each.

    ``conn`` must be in autocommit mode (``isolation_level=None``, as every connection here is):
    the transaction is opened and closed here, not by the sqlite3 module."""
    for version in range(user_version(conn) + 1, target + 1):
        conn.execute("BEGIN")
        try:
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

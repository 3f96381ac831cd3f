"""Migrations are frozen: released steps never change, each is plain literal SQL, each runs whole."""

from __future__ import annotations

import ast
import hashlib
import inspect
import sqlite3

import pytest

from app.store import open_store, schema
from app.store.schema import LATEST_VERSION, MIGRATIONS, migrate, user_version

#: sha256 of each released step's statements (joined by NUL). A step that no longer matches was
#: edited after release: databases already at that version would never see the edit.
RELEASED = {
    1: "97a2b20f8c61c80b9e787213f6c464ef3b849aeaba2f320460a948ca50574e08",
    2: "b33766a194c546d4fa029233fd5d60c6c372b7f9101d4c44d74eb34627dcf6c0",
    3: "37114daf0eccc99c7f6e3cebc084681a3d61e45ebb0b7c137d041319d257bdcf",
    4: "8c9095a980375f52c604efac8f7338db2d55bd9f48bf7be9064ef8828f361dad",
}


def _checksum(step: tuple[str, ...]) -> str:
    return hashlib.sha256("\x00".join(step).encode("utf-8")).hexdigest()


@pytest.mark.parametrize("version", sorted(RELEASED))
def test_a_released_migration_is_never_edited(version):
    assert _checksum(MIGRATIONS[version - 1]) == RELEASED[version], (
        f"migration {version} was released and has changed: append a new migration instead "
        "(and restore this one as it was)"
    )


def test_every_migration_is_released_with_a_recorded_checksum():
    assert sorted(RELEASED) == list(range(1, LATEST_VERSION + 1)), (
        "record the checksum of the new migration in RELEASED when it is released"
    )


def _assignments(tree: ast.Module) -> dict[str, ast.expr]:
    out: dict[str, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            out[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            out[node.target.id] = node.value
    return out


def test_each_step_is_a_tuple_of_literal_statements_sharing_no_fragment():
    """No f-string, concatenation or name inside a step: nothing another step could change."""
    values = _assignments(ast.parse(inspect.getsource(schema)))
    steps = values["MIGRATIONS"]
    assert isinstance(steps, ast.Tuple)
    assert len(steps.elts) == LATEST_VERSION
    for n, step in enumerate(steps.elts, 1):
        assert isinstance(step, ast.Name), f"migration {n} must be a named module constant"
        statements = values[step.id]
        assert isinstance(statements, ast.Tuple), f"migration {n} ({step.id}) must be a tuple of statements"
        for statement in statements.elts:
            assert isinstance(statement, ast.Constant) and isinstance(statement.value, str), (
                f"migration {n} ({step.id}) has a statement that is not a plain string literal"
            )


def test_each_statement_is_a_whole_statement():
    """One string, one statement: ``execute`` refuses a second one, so a step cannot hide two
    (a ``;`` inside a statement, as in a trigger's body, is fine: nothing splits on it)."""
    for step in MIGRATIONS:
        for statement in step:
            assert sqlite3.complete_statement(statement + ";"), statement[:60]


def _schema_sql(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_a_version_1_database_made_from_the_frozen_text_is_migrated_forward(tmp_path, actor):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:  # as the first release made it
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO hospital (id, name, level, type, departments, updated_at) "
        "VALUES ('h1', '一版医院', '二级', '综合', '[\"内科\"]', '2024-01-01')"
    )
    conn.execute(
        "INSERT INTO rounds (id, name, started_on, year, profile, created_at, updated_at) "
        "VALUES ('r1', '2024 年自查', '2024-03-01', 2024, '{}', '2024-03-01', '2024-03-01')"
    )
    conn.execute(
        "INSERT INTO answers (id, round_id, item_id, grade, updated_at) VALUES ('a1', 'r1', 'x.1', 'B', '2024-03-02')"
    )
    conn.close()

    store = open_store(path, backup_before_migration=False)
    assert user_version(store.conn) == LATEST_VERSION
    fresh = sqlite3.connect(":memory:", isolation_level=None)
    migrate(fresh)
    assert _schema_sql(store.conn) == _schema_sql(fresh)  # as if it had been made today
    assert store.profile().name == "一版医院"
    assert store.profile().departments == ("内科",)
    assert [r.name for r in store.rounds()] == ["2024 年自查"]
    assert store.answer("r1", "x.1").grade == "B"
    store.set_setting("last", "kept")  # v2's table
    assert store.setting("last") == "kept"
    assert store.history() == []  # v3's table
    store.close()


def test_a_step_that_fails_leaves_the_database_at_the_version_before_it(tmp_path):
    """The step and its version bump are one transaction: half a step is never kept."""
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=2)
    # v3 makes the history table, then two indexes; the second's name is taken here
    conn.execute("CREATE INDEX history_by_round ON settings (value)")
    with pytest.raises(sqlite3.OperationalError, match="history_by_round"):
        migrate(conn)
    assert user_version(conn) == 2
    assert not conn.in_transaction
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "history" not in names and "history_by_record" not in names
    conn.close()

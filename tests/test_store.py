"""The SQLite file: schema, migrations, refusal of files it must not touch, round-trips."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from app.errors import StoreError
from app.store import open_store
from app.store.schema import LATEST_VERSION, migrate


def test_new_database_is_at_latest_version_with_wal_and_foreign_keys(store, db_path):
    conn = store.db.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"hospital", "rounds", "answers", "samples", "attachments", "rectifications", "settings"} <= set(
        store.db.table_names()
    )


def test_old_version_database_is_migrated_keeping_its_data(tmp_path, actor):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute(
        "INSERT INTO hospital (id, name, level, type, updated_at) "
        "VALUES ('h1', '旧库医院', '一级', '综合', '2024-01-01')"
    )
    conn.close()
    store = open_store(path)
    assert store.db.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
    assert store.profile().name == "旧库医院"
    store.set_setting("last", {"round": "x"})  # a table the migration added
    assert store.setting("last") == {"round": "x"}


def test_newer_version_database_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    for table in ("hospital", "rounds", "answers", "something_new"):  # ours, grown since
        conn.execute(f"CREATE TABLE {table} (x)")
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="更新版本的程序"):
        open_store(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "future.db-wal").exists()


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="已损坏或不是本程序的数据库"):
        open_store(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(StoreError, match="文件夹"):
        open_store(tmp_path)


def test_answer_round_trip_and_sync_columns(profiled_store, catalog, actor):
    import datetime as dt

    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    saved = store.save_answer(round_id, "qyx-core.01.1", {"grade": "B", "finding": "无"}, actor)
    again = store.save_answer(round_id, "qyx-core.01.1", {"finding": "有问题"}, actor)
    assert again.id == saved.id
    row = store.answer(round_id, "qyx-core.01.1")
    assert (row.grade, row.finding, row.author, row.device_id) == ("B", "有问题", "测试员", "device-test")
    assert row.updated_at


def test_deleting_a_round_deletes_its_records(profiled_store, catalog, actor):
    import datetime as dt

    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    store.save_answer(round_id, "qyx-core.01.1", {"grade": "B"}, actor)
    store.delete_round(round_id)
    assert store.answers(round_id) == []
    assert store.round_checklists(round_id) == []


def test_a_failed_write_changes_nothing(profiled_store, catalog, actor):
    import datetime as dt

    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    store.replace_samples(round_id, "qyx-core.07.3", [{"record_no": "A1", "compliant": True}], actor)
    with pytest.raises(KeyError):  # the second record is malformed: the whole replace is undone
        store.replace_samples(
            round_id, "qyx-core.07.3", [{"record_no": "1", "compliant": True}, {"record_no": "2"}], actor
        )
    assert [s.record_no for s in store.samples(round_id)] == ["A1"]


def test_a_full_disk_is_reported_and_nothing_is_half_written(profiled_store, catalog, actor):
    import datetime as dt

    from app.services.rounds import start_round

    store = profiled_store
    round_id = start_round(store, catalog.entries[:1], "一季度", dt.date(2025, 3, 1), actor)
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own “disk full”
    with pytest.raises(StoreError, match="磁盘已满"):
        store.add_attachment(
            {
                "round_id": round_id,
                "item_id": "qyx-core.01.1",
                "filename": "大.pdf",
                "media_type": "application/pdf",
                "size": 1,
                "sha256": "x",
            },
            b"x" * 200_000,
            actor,
        )
    assert store.attachments(round_id) == []


def test_a_read_only_database_is_reported_on_write(db_path, actor):
    from app.store import Store

    open_store(db_path).close()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    store = Store(conn, db_path)
    with pytest.raises(StoreError, match="只读"):
        store.set_setting("x", 1)


@pytest.mark.parametrize("version", [0, 1, 74])
def test_another_programs_database_is_refused_and_left_unchanged(tmp_path, version):
    """A browser's history or a HIS extract is SQLite too: it is never given our tables."""
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="其他程序的数据库"):
        open_store(path)
    assert path.read_bytes() == before and not (tmp_path / "places.sqlite-wal").exists()


def test_an_empty_file_becomes_a_new_database_only_when_asked(tmp_path):
    path = tmp_path / "new.db"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="空的"):
        open_store(path)
    assert path.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]
    open_store(path, allow_empty=True).close()  # the user was asked
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_a_write_waits_for_another_program_holding_the_lock(db_path, actor, lock_holder):
    """Another process writing for a second (a backup tool, the report thread) is waited for,
    not reported: the transaction takes the write lock at once and SQLite waits for it."""
    import time

    store = open_store(db_path)
    holder = lock_holder(db_path, "write", release_after=1)
    began = time.monotonic()
    store.set_setting("ui.position", {"round_id": "x"})  # would fail at once with a plain BEGIN
    assert time.monotonic() - began >= 0.5
    assert store.setting("ui.position") == {"round_id": "x"}
    holder.wait(10)
    store.close()


@pytest.mark.slow  # 5 s: SQLite's busy timeout runs out
def test_a_locked_database_is_not_called_corrupt(db_path, lock_holder):
    open_store(db_path).close()
    lock_holder(db_path, "exclusive")
    with pytest.raises(StoreError) as excinfo:
        open_store(db_path)
    assert "占用" in str(excinfo.value) and "损坏" not in str(excinfo.value)


def test_a_background_retry_waits_only_briefly_for_a_lock(db_path, lock_holder):
    import time

    store = open_store(db_path)
    holder = lock_holder(db_path, "write", release_after=3)
    try:
        began = time.monotonic()
        with pytest.raises(StoreError, match="占用"), store.brief_wait():
            store.set_setting("x", 1)
        assert time.monotonic() - began < 1.5
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # the usual wait is back
    finally:
        holder.wait(10)
        store.close()


def test_writes_persist_where_sqlite_utils_would_use_its_old_upsert(store, catalog, actor):
    """Below SQLite 3.35 sqlite-utils upserts with INSERT OR IGNORE + UPDATE, which a NOT NULL
    column turns into a silent no-op: the store writes with SQLite's own ON CONFLICT instead."""
    import datetime as dt

    import sqlite_utils

    from app.services.answers import record_answer
    from app.services.profile import get_profile, save_profile
    from app.services.rounds import start_round
    from tests.conftest import PROFILE_2_GENERAL

    store._db = sqlite_utils.Database(store.conn, use_old_upsert=True)  # what an old SQLite gets
    save_profile(store, PROFILE_2_GENERAL, actor)
    assert get_profile(store) is not None
    round_id = start_round(store, [catalog.get("qyx-core")], "旧版 SQLite", dt.date(2025, 3, 1), actor)
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", finding="未落实")
    record_answer(store, round_id, "qyx-core.01.1", actor, finding="仍未落实")
    assert store.answer(round_id, "qyx-core.01.1").finding == "仍未落实"
    assert store.rectifications(round_id), "the D opened its rectification"
    store.set_setting("x", 1)
    store.set_setting("x", 2)
    assert store.setting("x") == 2


def test_listing_attachments_reads_an_index_not_the_files_bytes(demo_round, store, actor):
    """The bytes come before added_at, author and device_id in the row: a listing that read the
    row would read every page of every file (two years of scans: 850 MB). Every way of listing
    is answered from the covering index alone."""
    from app.services.rectifications import list_rectifications

    rect = list_rectifications(store, demo_round, dt.date(2025, 6, 30))[0].rectification
    for target in ({"item_id": rect.item_id}, {"rectification_id": rect.id}):
        fields = {"round_id": demo_round, "filename": "扫描件.pdf", "media_type": "application/pdf"}
        store.add_attachment({**fields, **target, "size": 300_000, "sha256": "x"}, bytes(300_000), actor)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        assert len(store.attachments(demo_round)) == 2
        assert len(store.attachments(demo_round, item_id=rect.item_id)) == 1
        assert len(store.attachments(demo_round, rectification_id=rect.id)) == 1
    finally:
        store.conn.set_trace_callback(None)
    listings = [s for s in statements if "FROM attachments" in s]
    assert len(listings) == 3
    for sql in listings:
        plan = " ".join(row[3] for row in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "COVERING INDEX" in plan, (sql, plan)

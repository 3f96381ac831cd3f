"""The store's reads return typed records, and each record gives back the row it was read from."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.domain.records import Answer, Attachment, Rectification, SampleRecord
from app.errors import DamagedError
from app.services.attachments import add_attachment
from app.services.rectifications import list_rectifications, record_recheck, update_rectification
from app.store import records as rec

#: table → (row → record, record → row, JSON columns); the package carries rows in this form
TABLES = {
    "hospital": (rec.hospital_from_row, rec.hospital_to_row, ("departments", "flags")),
    "rounds": (rec.round_from_row, rec.round_to_row, ("members", "profile")),
    "round_checklists": (rec.checklist_from_row, rec.checklist_to_row, ("content",)),
    "answers": (rec.answer_from_row, rec.answer_to_row, ()),
    "samples": (rec.sample_from_row, rec.sample_to_row, ()),
    "rectifications": (rec.rectification_from_row, rec.rectification_to_row, ()),
    "attachments": (rec.attachment_from_row, rec.attachment_to_row, ()),
}
_FLAGS = ("compliant", "recheck_passed")


@pytest.fixture
def full_round(store, demo_round, actor, tmp_path):
    """The demo round with every kind of value: a passed and a failed re-check, a deadline,
    attachments of an item and of a rectification."""
    first, second = list_rectifications(store, demo_round, dt.date(2025, 6, 30))[:2]
    update_rectification(store, first.id, actor, measure="培训", deadline="2025-07-31")
    record_recheck(store, first.id, actor, passed=True, date="2025-06-20", by="刘洋", today=dt.date(2025, 6, 30))
    record_recheck(store, second.id, actor, passed=False, date="2025-06-21", by="刘洋", today=dt.date(2025, 6, 30))
    scan = tmp_path / "制度.pdf"
    scan.write_bytes(b"%PDF-1.4 test")
    add_attachment(store, demo_round, scan, actor, item_id=first.rectification.item_id)
    add_attachment(store, demo_round, scan, actor, rectification_id=first.id)
    return demo_round


def _as_read(table: str, row: dict, json_columns: tuple[str, ...]) -> dict:
    """A raw row as the package carries it: JSON decoded, 0/1 flags as booleans."""
    out = {}
    for key, value in row.items():
        if key in json_columns:
            value = json.loads(value)
        elif key in _FLAGS and value is not None:
            value = bool(value)
        out[key] = value
    return out


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_record_gives_back_its_row_in_column_order(store, full_round, table):
    from_row, to_row, json_columns = TABLES[table]
    ordered = [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})")]
    columns = ", ".join(c for c in ordered if c != "data")  # the bytes are read on their own
    cursor = store.conn.execute(f"SELECT {columns} FROM {table}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, values, strict=True)) for values in cursor]
    assert rows, f"the fixture should have {table} rows"
    for row in rows:
        record = from_row(row, store.path) if json_columns else from_row(row)
        expected = _as_read(table, row, json_columns)
        assert list(to_row(record).items()) == list(expected.items())  # values and their order


def test_reads_return_typed_records(store, full_round):
    assert store.profile().profile.name == store.round(full_round).profile["name"]
    assert all(isinstance(a, Answer) and a.round_id == full_round for a in store.answers(full_round))
    assert all(isinstance(s, SampleRecord) and isinstance(s.compliant, bool) for s in store.samples(full_round))
    rects = store.rectifications(full_round)
    assert all(isinstance(r, Rectification) for r in rects)
    assert {r.recheck_passed for r in rects} >= {True, False, None}
    assert dt.date(2025, 7, 31) in {r.deadline for r in rects}
    attachments = store.attachments(full_round)
    assert all(isinstance(a, Attachment) for a in attachments) and len(attachments) == 2
    [frozen] = store.round_checklists(full_round)[:1]
    assert frozen.content["id"] == frozen.checklist_id and frozen.position == 0


def test_saving_an_answer_returns_it_with_the_columns_not_given(store, full_round, actor):
    item = "qyx-core.01.1"
    store.conn.execute("DELETE FROM answers WHERE item_id = ?", (item,))
    saved = store.save_answer(full_round, item, {"grade": "B"}, actor)
    assert saved == store.answer(full_round, item)
    assert (saved.grade, saved.finding, saved.value, saved.author) == ("B", "", None, actor.author)


def test_json_that_no_longer_parses_is_damage(store, full_round):
    store.conn.execute("UPDATE rounds SET members = '[\"李' WHERE id = ?", (full_round,))
    with pytest.raises(DamagedError, match="已损坏"):
        store.round(full_round)

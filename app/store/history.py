"""修改记录 (change history): an append-only log of every change to a round's records.

Each entry says what changed (field: old → new), who, when and on which PC, and carries the
hash of the entry before it, so that an entry edited or removed outside the program breaks the
chain and ``verify_chain`` says where. Entries also serve the merge of export packages: the
content hashes a record has had (``old_hash``/``new_hash``) are its ancestry, so an import can
tell "the package's version grew out of ours" from "both sides changed it".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The fields whose values make up a record's content (what a change or a merge is about);
#: ids, timestamps and authors are not content.
CONTENT_FIELDS: dict[str, tuple[str, ...]] = {
    "hospital": ("name", "code", "level", "level_grade", "type", "beds", "departments", "flags"),
    "rounds": ("name", "started_on", "year", "leader", "members", "status"),
    "answers": (
        "grade",
        "na_reason",
        "value",
        "numerator",
        "denominator",
        "baseline",
        "finding",
        "evidence",
        "department",
    ),
    "samples": ("records",),
    "rectifications": (
        "item_id",
        "problem",
        "cause",
        "measure",
        "department",
        "owner",
        "deadline",
        "recheck_date",
        "rechecked_by",
        "recheck_result",
        "recheck_passed",
        "origin",
        "carried_from",
    ),
    "attachments": ("item_id", "rectification_id", "filename", "media_type", "size", "sha256"),
}

#: Entry fields covered by the chain hash, in this order
_HASHED = (
    "id",
    "round_id",
    "record_table",
    "record_id",
    "item_id",
    "action",
    "changes",
    "old_hash",
    "new_hash",
    "at",
    "author",
    "device_id",
)
GENESIS = "0" * 64


def _normal(value: Any) -> Any:
    """One spelling per value: SQLite hands back 90.0 where JSON may say 90, and 1 where a
    package says true; lists stay lists."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


def canonical(value: Any) -> str:
    return json.dumps(_normal(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(text: str) -> str:
    import hashlib  # deferred: start-up only reads

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Columns the database keeps as JSON text and a package as lists
_JSON_COLUMNS = frozenset({"members", "departments", "flags"})


def content(table: str, row: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    out = {}
    for f in CONTENT_FIELDS[table]:
        value = row.get(f)
        if f in _JSON_COLUMNS and isinstance(value, str):
            value = json.loads(value)
        out[f] = _normal(value)
    return out


def content_hash(table: str, row: Mapping[str, Any] | None) -> str | None:
    """The hash of a record's content: equal for equal content on any PC."""
    data = content(table, row)
    return None if data is None else _sha256(canonical(data))


def samples_record(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """An item's sampled records as one record (they are edited, and merged, as a whole)."""
    return {
        "records": [
            {"record_no": r["record_no"], "compliant": int(bool(r["compliant"])), "note": r.get("note") or ""}
            for r in records
        ]
    }


def samples_key(round_id: str, item_id: str) -> str:
    return f"{round_id}/{item_id}"


@dataclass(frozen=True)
class Entry:
    """One change, as shown in 修改记录 and carried in export packages."""

    id: str
    round_id: str | None
    record_table: str
    record_id: str
    item_id: str | None
    action: str
    changes: dict[str, list[Any]]
    old_hash: str | None
    new_hash: str | None
    at: str
    author: str
    device_id: str

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in _HASHED}

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Entry:
        values = {f: row[f] for f in _HASHED}
        if isinstance(values["changes"], str):
            values["changes"] = json.loads(values["changes"])
        return cls(**values)


def _entry_hash(prev: str, entry: Mapping[str, Any]) -> str:
    return _sha256(prev + "\n" + canonical({f: entry[f] for f in _HASHED}))


def _last_hash(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT entry_hash FROM history ORDER BY seq DESC LIMIT 1").fetchone()
    return row[0] if row else GENESIS


def append(conn: sqlite3.Connection, entry: Entry) -> None:
    """Append ``entry`` at the end of the chain (inside the caller's transaction)."""
    prev = _last_hash(conn)
    data = entry.to_dict()
    conn.execute(
        "INSERT INTO history (id, round_id, record_table, record_id, item_id, action, changes, old_hash, "
        "new_hash, at, author, device_id, prev, entry_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (*[canonical(v) if f == "changes" else v for f, v in data.items()], prev, _entry_hash(prev, data)),
    )


def change_entry(
    table: str,
    record_id: str,
    round_id: str | None,
    item_id: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    at: str,
    author: str,
    device_id: str,
    action: str | None = None,
) -> Entry | None:
    """The entry for a change from ``before`` to ``after`` (None: created or deleted), or None
    when the content did not change (saving the same text twice is not a change)."""
    import uuid

    old, new = content(table, before), content(table, after)
    if old == new and action is None:
        return None
    fields = CONTENT_FIELDS[table]
    changes = {
        f: [None if old is None else old[f], None if new is None else new[f]]
        for f in fields
        if (old or {}).get(f) != (new or {}).get(f)
    }
    if action is None:
        action = "insert" if before is None else "delete" if after is None else "update"
    return Entry(
        str(uuid.uuid4()),
        round_id,
        table,
        record_id,
        item_id,
        action,
        changes,
        content_hash(table, before),
        content_hash(table, after),
        at,
        author,
        device_id,
    )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    entries: int
    #: the first entry (1-based position) whose link does not hold, and why
    broken_at: int | None = None
    reason: str = ""


def verify_chain(conn: sqlite3.Connection) -> ChainCheck:
    """Walk the chain from the start: every entry must link to the one before and hash to itself."""
    prev = GENESIS
    n = 0
    cursor = conn.execute("SELECT * FROM history ORDER BY seq")
    columns = [d[0] for d in cursor.description]
    for n, values in enumerate(cursor, 1):
        row = dict(zip(columns, values, strict=True))
        if row["prev"] != prev:
            return ChainCheck(False, n, n, f"第 {n} 条修改记录与前一条不相连（之前的记录被删除或改动过）")
        data = Entry.from_row(row).to_dict()
        if _entry_hash(prev, data) != row["entry_hash"]:
            return ChainCheck(False, n, n, f"第 {n} 条修改记录的内容与其校验值不符（被改动过）")
        prev = row["entry_hash"]
    return ChainCheck(True, n)

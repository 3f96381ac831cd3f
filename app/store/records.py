"""Rows ↔ typed records: the one place a table's row becomes its record, and back.

Each table has exactly one ``*_from_row`` (a row as SQLite returns it → the record the store's
read methods return) and one ``*_to_row`` (a record → its row in column order, JSON columns
decoded, flags as booleans, dates as ISO text: the form the export package carries, byte for
byte as before the store was typed, and that the import merges). The records are the domain's
where the domain has the type (``Answer``, ``SampleRecord``, ``Attachment``, ``Rectification``);
the hospital, round and frozen-checklist rows have theirs here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.profile import HospitalProfile
from ..domain.records import Answer, Attachment, Rectification, SampleRecord
from ..errors import DamagedError

__all__ = [
    "FrozenChecklist",
    "HospitalRecord",
    "RoundRecord",
    "answer_from_row",
    "answer_to_row",
    "attachment_from_row",
    "attachment_to_row",
    "checklist_from_row",
    "checklist_to_row",
    "hospital_from_row",
    "hospital_to_row",
    "loads",
    "rectification_from_row",
    "rectification_to_row",
    "round_from_row",
    "round_to_row",
    "sample_from_row",
    "sample_to_row",
]

Row = Mapping[str, Any]


def loads(text: str, path: Path) -> Any:
    """Stored JSON; text that no longer parses (a page of it zeroed, which SQLite cannot notice in
    the middle of a long value) is damage, reported as such."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise DamagedError(
            f"无法读取数据库“{path}”：文件已损坏（保存的内容无法解析），请从备份恢复。", f"JSON: {exc}"
        ) from exc


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


# --- hospital (医院基本情况) ---------------------------------------------------------------------


@dataclass(frozen=True)
class HospitalRecord:
    """医院基本情况 as stored: the profile with its id and who last changed it, when, where."""

    id: str
    name: str
    code: str
    level: str
    level_grade: str
    type: str
    beds: int | None
    departments: tuple[str, ...]
    flags: tuple[str, ...]
    updated_at: str
    author: str
    device_id: str

    @property
    def profile(self) -> HospitalProfile:
        return HospitalProfile(
            name=self.name,
            code=self.code,
            level=self.level,
            level_grade=self.level_grade,
            type=self.type,
            beds=self.beds,
            departments=self.departments,
            flags=frozenset(self.flags),
        )


def hospital_from_row(row: Row, path: Path) -> HospitalRecord:
    return HospitalRecord(
        id=row["id"],
        name=row["name"],
        code=row["code"],
        level=row["level"],
        level_grade=row["level_grade"],
        type=row["type"],
        beds=row["beds"],
        departments=tuple(loads(row["departments"], path)),
        flags=tuple(loads(row["flags"], path)),
        updated_at=row["updated_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def hospital_to_row(record: HospitalRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "code": record.code,
        "level": record.level,
        "level_grade": record.level_grade,
        "type": record.type,
        "beds": record.beds,
        "departments": list(record.departments),
        "flags": list(record.flags),
        "updated_at": record.updated_at,
        "author": record.author,
        "device_id": record.device_id,
    }


# --- rounds (自查轮次) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRecord:
    """自查轮次 as stored; ``services.rounds.RoundView`` is the round with its checklists."""

    id: str
    name: str
    #: ISO date (自查日期)
    started_on: str
    #: 考核年度
    year: int
    leader: str
    members: tuple[str, ...]
    #: "draft" or "final" (定稿)
    status: str
    previous_round_id: str | None
    #: the hospital profile as it was when the round started (kept as stored: a package's
    #: profile may carry fields this version does not know)
    profile: Mapping[str, Any]
    created_at: str
    updated_at: str
    author: str
    device_id: str


def round_from_row(row: Row, path: Path) -> RoundRecord:
    return RoundRecord(
        id=row["id"],
        name=row["name"],
        started_on=row["started_on"],
        year=row["year"],
        leader=row["leader"],
        members=tuple(loads(row["members"], path)),
        status=row["status"],
        previous_round_id=row["previous_round_id"],
        profile=loads(row["profile"], path),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def round_to_row(record: RoundRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "started_on": record.started_on,
        "year": record.year,
        "leader": record.leader,
        "members": list(record.members),
        "status": record.status,
        "previous_round_id": record.previous_round_id,
        "profile": dict(record.profile),
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "author": record.author,
        "device_id": record.device_id,
    }


# --- round_checklists (a round's frozen checklists) ----------------------------------------------


@dataclass(frozen=True)
class FrozenChecklist:
    """A checklist as it was frozen into a round when the round started: the file's data, its
    version and hash, and its place in the round."""

    round_id: str
    checklist_id: str
    version: str
    sha256: str
    content: Mapping[str, Any]
    position: int


def checklist_from_row(row: Row, path: Path) -> FrozenChecklist:
    return FrozenChecklist(
        round_id=row["round_id"],
        checklist_id=row["checklist_id"],
        version=row["version"],
        sha256=row["sha256"],
        content=loads(row["content"], path),
        position=row["position"],
    )


def checklist_to_row(record: FrozenChecklist) -> dict[str, Any]:
    return {
        "round_id": record.round_id,
        "checklist_id": record.checklist_id,
        "version": record.version,
        "sha256": record.sha256,
        "content": dict(record.content),
        "position": record.position,
    }


# --- answers (自查结果) --------------------------------------------------------------------------


def answer_from_row(row: Row) -> Answer:
    return Answer(
        id=row["id"],
        round_id=row["round_id"],
        item_id=row["item_id"],
        grade=row["grade"],
        na_reason=row["na_reason"],
        value=row["value"],
        numerator=row["numerator"],
        denominator=row["denominator"],
        baseline=row["baseline"],
        finding=row["finding"],
        evidence=row["evidence"],
        department=row["department"],
        updated_at=row["updated_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def answer_to_row(record: Answer) -> dict[str, Any]:
    return {
        "id": record.id,
        "round_id": record.round_id,
        "item_id": record.item_id,
        "grade": record.grade,
        "na_reason": record.na_reason,
        "value": record.value,
        "numerator": record.numerator,
        "denominator": record.denominator,
        "baseline": record.baseline,
        "finding": record.finding,
        "evidence": record.evidence,
        "department": record.department,
        "updated_at": record.updated_at,
        "author": record.author,
        "device_id": record.device_id,
    }


# --- samples (抽查病历) --------------------------------------------------------------------------


def sample_from_row(row: Row) -> SampleRecord:
    return SampleRecord(
        id=row["id"],
        round_id=row["round_id"],
        item_id=row["item_id"],
        position=row["position"],
        record_no=row["record_no"],
        compliant=bool(row["compliant"]),
        note=row["note"],
        updated_at=row["updated_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def sample_to_row(record: SampleRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "round_id": record.round_id,
        "item_id": record.item_id,
        "position": record.position,
        "record_no": record.record_no,
        "compliant": record.compliant,
        "note": record.note,
        "updated_at": record.updated_at,
        "author": record.author,
        "device_id": record.device_id,
    }


# --- rectifications (整改项) ---------------------------------------------------------------------


def rectification_from_row(row: Row) -> Rectification:
    passed = row["recheck_passed"]
    return Rectification(
        id=row["id"],
        round_id=row["round_id"],
        item_id=row["item_id"],
        problem=row["problem"],
        cause=row["cause"],
        measure=row["measure"],
        department=row["department"],
        owner=row["owner"],
        deadline=_date(row["deadline"]),
        recheck_date=_date(row["recheck_date"]),
        rechecked_by=row["rechecked_by"],
        recheck_result=row["recheck_result"],
        recheck_passed=None if passed is None else bool(passed),
        origin=row["origin"],
        carried_from=row["carried_from"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def rectification_to_row(record: Rectification) -> dict[str, Any]:
    return {
        "id": record.id,
        "round_id": record.round_id,
        "item_id": record.item_id,
        "problem": record.problem,
        "cause": record.cause,
        "measure": record.measure,
        "department": record.department,
        "owner": record.owner,
        "deadline": _iso(record.deadline),
        "recheck_date": _iso(record.recheck_date),
        "rechecked_by": record.rechecked_by,
        "recheck_result": record.recheck_result,
        "recheck_passed": record.recheck_passed,
        "origin": record.origin,
        "carried_from": record.carried_from,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "author": record.author,
        "device_id": record.device_id,
    }


# --- attachments (佐证材料; the bytes are read on their own: Store.attachment_data) ----------------


def attachment_from_row(row: Row) -> Attachment:
    return Attachment(
        id=row["id"],
        round_id=row["round_id"],
        item_id=row["item_id"],
        rectification_id=row["rectification_id"],
        filename=row["filename"],
        media_type=row["media_type"],
        size=row["size"],
        sha256=row["sha256"],
        added_at=row["added_at"],
        author=row["author"],
        device_id=row["device_id"],
    )


def attachment_to_row(record: Attachment) -> dict[str, Any]:
    return {
        "id": record.id,
        "round_id": record.round_id,
        "item_id": record.item_id,
        "rectification_id": record.rectification_id,
        "filename": record.filename,
        "media_type": record.media_type,
        "size": record.size,
        "sha256": record.sha256,
        "added_at": record.added_at,
        "author": record.author,
        "device_id": record.device_id,
    }

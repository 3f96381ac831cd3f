"""What users record during a round: answers, sampled records, attachments, rectifications."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

#: 整改状态
STATUS_PENDING = "待整改"
STATUS_IN_PROGRESS = "整改中"
STATUS_DONE = "已完成"
STATUS_OVERDUE = "逾期"
#: a later 复查轮次 carried it over: it is followed up (worked on, re-checked, closed) there, and
#: counted there; where it was found it is neither late nor open any more
STATUS_CARRIED = "已转入复查"
RECTIFICATION_STATUSES = (STATUS_PENDING, STATUS_IN_PROGRESS, STATUS_DONE, STATUS_OVERDUE, STATUS_CARRIED)
#: 未完成: still to be done in its own round (已完成 is done; 已转入复查 is followed up elsewhere)
UNFINISHED_STATUSES = (STATUS_PENDING, STATUS_IN_PROGRESS, STATUS_OVERDUE)


def listed_statuses(counts: Mapping[str, int]) -> tuple[str, ...]:
    """The statuses a total lists, in order: 已转入复查 only where something has it (a round no
    复查轮次 has followed up, most of them, does not list a column of zeros)."""
    return tuple(s for s in RECTIFICATION_STATUSES if s != STATUS_CARRIED or counts.get(s, 0))


#: How a rectification came about (来源)
ORIGIN_AUTO = "auto"  # opened by a failing answer; removed again if the answer stops failing untouched
ORIGIN_OFFERED = "offered"  # opened by the user for an item whose grade offers one (C 级)
ORIGIN_CARRIED = "carried"  # copied, still open, from an earlier round for its re-check


@dataclass(frozen=True)
class Answer:
    """One item's answer in a round (自查结果); also the stored row (``app.store.records``)."""

    item_id: str
    grade: str | None = None
    na_reason: str = ""
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    baseline: float | None = None
    finding: str = ""
    evidence: str = ""
    department: str = ""
    id: str = ""
    updated_at: str = ""
    author: str = ""
    device_id: str = ""
    round_id: str = ""


@dataclass(frozen=True)
class SampleRecord:
    """一份抽查病历: 病案号, 是否符合, 备注."""

    item_id: str
    record_no: str
    compliant: bool
    note: str = ""
    position: int = 0
    id: str = ""
    round_id: str = ""
    updated_at: str = ""
    author: str = ""
    device_id: str = ""


@dataclass(frozen=True)
class Attachment:
    """佐证材料 metadata; the bytes stay in the store."""

    id: str
    round_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    item_id: str | None = None
    rectification_id: str | None = None
    added_at: str = ""
    author: str = ""
    device_id: str = ""


@dataclass(frozen=True)
class Rectification:
    """整改项: a problem found and how it is being fixed.

    As stored, ``problem`` is "" while 问题描述 follows the findings of the items it covers; the
    整改 services fill it in (``RectificationEntry.rectification``).
    """

    id: str
    round_id: str
    item_id: str
    problem: str
    cause: str = ""
    measure: str = ""
    department: str = ""
    owner: str = ""
    deadline: dt.date | None = None
    recheck_date: dt.date | None = None
    rechecked_by: str = ""
    recheck_result: str = ""
    recheck_passed: bool | None = None
    origin: str = "auto"
    carried_from: str | None = None
    created_at: str = ""
    updated_at: str = ""
    author: str = ""
    device_id: str = ""

    @property
    def done(self) -> bool:
        """已完成: the re-check passed."""
        return bool(self.recheck_passed)

    def as_of(self, day: dt.date) -> Rectification:
        """The rectification as it stood on ``day``: a re-check dated after it had not happened
        (a 整改报告 dated 6月5日 listed a re-check of 6月10日 and counted the item 已完成)."""
        if self.recheck_date is None or self.recheck_date <= day:
            return self
        return replace(self, recheck_passed=None, recheck_date=None, rechecked_by="", recheck_result="")

    def status(self, today: dt.date, *, followed_up_elsewhere: bool = False) -> str:
        """整改状态, derived from the dates and the re-check; never stored.

        Overdue means past the deadline's day: on the deadline itself the item is still in time.
        ``followed_up_elsewhere``: a later 复查轮次 holds a copy of it (``carried_from``), so it is
        已转入复查 unless its re-check here passed.
        """
        if self.recheck_date is not None and self.recheck_date > today:
            return self.as_of(today).status(today, followed_up_elsewhere=followed_up_elsewhere)
        if self.recheck_passed:
            return STATUS_DONE
        if followed_up_elsewhere:
            return STATUS_CARRIED
        if self.deadline is not None and today > self.deadline:
            return STATUS_OVERDUE
        if self.cause or self.measure or self.recheck_passed is False:
            return STATUS_IN_PROGRESS
        return STATUS_PENDING


def days_late(deadline: dt.date | None, closed_on: dt.date) -> int:
    """逾期完成: how many days after ``deadline`` a rectification closed on ``closed_on`` was closed
    (0: in time, or no deadline). A late close looked like one on time, and an office asked for
    its 按期完成 count had none (rectification review)."""
    return max((closed_on - deadline).days, 0) if deadline is not None else 0

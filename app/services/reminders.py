"""提醒 on opening: rectifications overdue or due within a week, this month's self-check, and a
backup folder whose disk is short.

千院行 and 阜新 both ask hospitals to check themselves every month; a quality office with a
year of rounds needs to be told what is late without opening each one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..domain.records import STATUS_OVERDUE, UNFINISHED_STATUSES
from ..store import Store

#: days before a deadline that a rectification is mentioned
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Reminders:
    #: the round the banner's 查看整改台账 opens: the newest with late work, else the newest with
    #: work due soon (a newer round with one item due soon hid the 9 late ones of the round before)
    round_id: str | None
    monthly_missing: bool
    month: str
    #: the backup folder's disk is short (services.backups.room_warning)
    backup_room: str = ""
    #: where the late and the soon-due work is: (round name, count), newest round first
    overdue_in: tuple[tuple[str, int], ...] = ()
    due_soon_in: tuple[tuple[str, int], ...] = ()

    @property
    def overdue(self) -> int:
        return sum(n for _, n in self.overdue_in)

    @property
    def due_soon(self) -> int:
        return sum(n for _, n in self.due_soon_in)

    @property
    def messages(self) -> list[str]:
        out = []
        if self.overdue:
            out.append(f"{self.overdue} 项整改已逾期{_where(self.overdue_in)}")
        if self.due_soon:
            out.append(f"{self.due_soon} 项整改将在 {DUE_SOON_DAYS} 天内到期{_where(self.due_soon_in)}")
        if self.monthly_missing:
            out.append(f"本月（{self.month}）尚未开始自查")
        if self.backup_room:
            out.append(self.backup_room)
        return out


def _where(rounds: tuple[tuple[str, int], ...]) -> str:
    """（《二季度复查》）, or （《二季度复查》7 项、《一季度》2 项） when several rounds hold them."""
    if not rounds:
        return ""
    if len(rounds) == 1:
        return f"（《{rounds[0][0]}》）"
    shown = "、".join(f"《{name}》{n} 项" for name, n in rounds[:3])
    return f"（{shown}{'等' if len(rounds) > 3 else ''}）"


def reminders(store: Store, today: dt.date) -> Reminders:
    """What is late or due, over the rectifications still followed up where they are: a
    re-check round's carried-over copies stand for the originals, which are 已转入复查.

    A status is derived from the rectification's own record (its deadline and re-check) and from
    whether a 复查轮次 begun by ``today`` holds a copy of it, as the 整改台账 tells it on that day:
    no round is scored and no answer read. This runs when the window opens and after every change
    to a rectification, on every round of the database (two years: 24 rounds)."""
    rounds = store.rounds()  # newest first
    begun = {record.id for record in rounds if dt.date.fromisoformat(record.started_on) <= today}
    stored = {record.id: store.rectifications(record.id) for record in rounds}
    followed_elsewhere = {
        rect.carried_from for rects in stored.values() for rect in rects if rect.carried_from and rect.round_id in begun
    }
    overdue: dict[str, int] = {}  # round id → count, newest round first
    due_soon: dict[str, int] = {}
    for record in rounds:
        for rect in stored[record.id]:
            if rect.carried_from and record.id not in begun:
                continue  # a 复查轮次 dated ahead: its original is still followed up, and counted, where it is
            status = rect.status(today, followed_up_elsewhere=rect.id in followed_elsewhere)
            if status not in UNFINISHED_STATUSES:  # 已完成, or 已转入复查 (counted in its copy)
                continue
            if status == STATUS_OVERDUE:
                overdue[record.id] = overdue.get(record.id, 0) + 1
            elif rect.deadline is not None and 0 <= (rect.deadline - today).days <= DUE_SOON_DAYS:
                due_soon[record.id] = due_soon.get(record.id, 0) + 1
    names = {record.id: record.name for record in rounds}
    where = next(iter(overdue), None) or next(iter(due_soon), None)
    month = f"{today.year}年{today.month}月"
    started_this_month = any(record.started_on[:7] == today.strftime("%Y-%m") for record in rounds)
    from .backups import room_warning

    return Reminders(
        where,
        bool(rounds) and not started_this_month,
        month,
        room_warning(store),
        tuple((names[i], n) for i, n in overdue.items()),
        tuple((names[i], n) for i, n in due_soon.items()),
    )

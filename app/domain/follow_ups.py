"""A rectification's follow-up as its change history tells it (整改的复查与期限变动): the re-checks
a later one replaced, the moves of its 整改期限, and the rectification as it stood on a given day.

The record keeps only its latest re-check and deadline; a 整改报告 must also tell the failed
re-check before the pass, the pass a later failure undid, and the deadline moved after it was
missed, and a report dated earlier must count as things stood then. Pure functions over the
history's entries, used by the hospital's reports (services) and the commission's summary
(exchange) alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from .records import Rectification, days_late


class HistoryEntry(Protocol):
    """What is read of a change (``app.store.history.Entry``)."""

    @property
    def record_id(self) -> str: ...
    @property
    def changes(self) -> Mapping[str, Sequence[Any]]: ...
    @property
    def at(self) -> str: ...


#: a re-check as recorded: (复查日期, 通过, 复查人, 复查结果)
Recheck = tuple[dt.date | None, bool, str, str]
_RECHECK_FIELDS = ("recheck_passed", "recheck_date", "rechecked_by", "recheck_result")


def replay_rechecks(entries: Iterable[HistoryEntry]) -> tuple[dict[str, list[Recheck]], dict[str, Recheck | None]]:
    """Rectification id → the re-checks that a later one replaced, in the order recorded, told
    from the change history (``Store.follow_up_history``): a failed one followed by a later
    re-check, and a pass followed by a later failure (整改未巩固: the 销号 signed that day must
    stay in the record). A change dated the same day or earlier corrects the re-check rather than
    following it, as does a pass after a pass (a closed item is not passed twice). A change back
    to the re-check replaced last takes it off again: an undo, or the latest one cleared
    (``record_recheck`` puts the one before back). With it, the re-check each record holds at the
    end of its history (which is not the stored one where an import kept this PC's value over a
    package's history)."""
    state: dict[str, dict[str, Any]] = {}
    out: dict[str, list[Recheck]] = {}
    for entry in entries:
        changed = {f: v for f, v in entry.changes.items() if f in _RECHECK_FIELDS}
        if not changed:
            continue
        values = state.setdefault(entry.record_id, {})
        old = _as_recheck({**values, **{f: v[0] for f, v in changed.items()}})
        values.update({f: v[1] for f, v in changed.items()})
        new = _as_recheck(values)
        checks = out.setdefault(entry.record_id, [])
        if new is not None and checks and new == checks[-1]:
            checks.pop()
        elif old is not None and new is not None and _follows(old, new) and old not in checks:
            checks.append(old)  # (not twice: an import tells a change twice, its PC's and its own)
    return {k: v for k, v in out.items() if v}, {k: _as_recheck(v) for k, v in state.items()}


def _as_recheck(values: Mapping[str, Any]) -> Recheck | None:
    """The re-check a rectification's columns hold (None: none)."""
    if values.get("recheck_passed") is None:
        return None
    day = values.get("recheck_date")
    return (
        dt.date.fromisoformat(day) if day else None,
        bool(values["recheck_passed"]),
        values.get("rechecked_by") or "",
        values.get("recheck_result") or "",
    )


#: a 整改期限 moved: (the day it was changed, from, to)
DeadlineMove = tuple[dt.date, dt.date, dt.date]


@dataclass(frozen=True)
class FollowUps:
    """What a rectification's record no longer holds: the re-checks of the rounds it was carried
    from (``earlier``), its own that a later one replaced, and the moves of its deadline
    (``deadlines``: those of the rounds it was carried from too; ``own_deadlines``: its own)."""

    earlier: Sequence[Recheck] = ()
    replaced: Sequence[Recheck] = ()
    deadlines: Sequence[DeadlineMove] = ()
    own_deadlines: Sequence[DeadlineMove] = ()
    #: the re-check its own history ends at (None: none, or no history of re-checks)
    replayed: Recheck | None = None


def deadline_moves(entries: Iterable[HistoryEntry]) -> dict[str, list[DeadlineMove]]:
    """Rectification id → its 整改期限's moves, in the order made: an extension (4月30日 to 6月30日
    on 5月2日) made the item 整改中 again where it had been 逾期, and nothing showed it had ever been
    late (rectification review). Setting a first deadline is no move; one cleared and set again
    moved from the one cleared. Moves made the same day are one (a typo and its fix; an edit and
    its undo: none), and a move told twice (an import: the package's entry and the merge's own) is
    one."""
    out: dict[str, list[DeadlineMove]] = {}
    last: dict[str, str] = {}  # each record's last deadline set
    for entry in entries:
        change = entry.changes.get("deadline")
        if not change:
            continue
        before, after = change[0] or last.get(entry.record_id), change[1]
        if not after:
            continue  # cleared: a move only once another is set
        last[entry.record_id] = after
        if not before or before == after:
            continue
        day = dt.datetime.fromisoformat(entry.at).astimezone().date()  # the PC's day, as users say it
        move = (day, dt.date.fromisoformat(before), dt.date.fromisoformat(after))
        moves = out.setdefault(entry.record_id, [])
        if moves and moves[-1][1:] == move[1:]:
            continue
        if moves and moves[-1][0] == day:
            move = (day, moves.pop()[1], move[2])
        if move[1] != move[2]:
            moves.append(move)
    return {k: v for k, v in out.items() if v}


def own_follow_ups(entries: Iterable[HistoryEntry]) -> dict[str, FollowUps]:
    """Each rectification's own :class:`FollowUps`, from its change history: the re-checks it
    replaced, its deadline's moves and where its re-checks end (those of the rounds it was carried
    from are the caller's to add)."""
    entries = list(entries)
    replaced, ends = replay_rechecks(entries)
    moves = deadline_moves(entries)
    return {
        rid: FollowUps(
            replaced=replaced.get(rid, []),
            deadlines=moves.get(rid, []),
            own_deadlines=moves.get(rid, []),
            replayed=ends.get(rid),
        )
        for rid in {*replaced, *moves, *ends}
    }


def _follows(old: Recheck, new: Recheck) -> bool:
    """Whether ``new`` is another re-check after ``old``, not ``old`` corrected."""
    if old[1] and new[1]:
        return False
    return (new[0] or dt.date.min) > (old[0] or dt.date.min)


def recheck_of(rect: Rectification) -> Recheck | None:
    """The re-check a rectification holds, as the history's replay tells it (None: none)."""
    if rect.recheck_passed is None:
        return None
    return (rect.recheck_date, bool(rect.recheck_passed), rect.rechecked_by, rect.recheck_result)


def on_or_before(check: Recheck, day: dt.date) -> bool:
    return check[0] is None or check[0] <= day


def by_date(checks: Iterable[Recheck]) -> list[Recheck]:
    """Re-checks in the order they were made (those of a package merged from another PC were
    recorded here in the order of the import, not of their dates); undated ones first."""
    return sorted(checks, key=lambda c: c[0] or dt.date.min)


def standing(stored: Rectification, follow_ups: FollowUps, day: dt.date) -> tuple[Rectification, list[Recheck]]:
    """``stored`` as it stood on ``day`` (a report's date): a re-check dated later had not been
    made, and the one it replaced stood (a 整改报告 dated between a pass and the failure that
    replaced it printed 整改中 where the one signed that day said 已完成); a deadline moved later
    held as it was. With its own replaced re-checks made by then, oldest first, the standing one
    left out. The hospital's reports and the commission's summary both count by it."""
    rect = stored.as_of(day)
    own = by_date(c for c in follow_ups.replaced if on_or_before(c, day))
    if rect.recheck_passed is None and stored.recheck_passed is not None and own:
        made, passed, by, result = own.pop()
        rect = replace(rect, recheck_date=made, recheck_passed=passed, rechecked_by=by, recheck_result=result)
    later = [m for m in follow_ups.own_deadlines if m[0] > day]
    if later:
        rect = replace(rect, deadline=later[0][1])
    return rect, own


def closed_late(rect: Rectification, stored: Rectification, follow_ups: FollowUps) -> int:
    """逾期完成: against the deadline that held on the day of the passed re-check (moved after
    the close, it would make a late close look in time)."""
    if not rect.done or rect.recheck_date is None:
        return 0
    closed = rect.recheck_date
    moved_after = [m for m in follow_ups.own_deadlines if m[0] > closed]
    deadline = moved_after[0][1] if moved_after else stored.deadline
    return days_late(deadline, closed)

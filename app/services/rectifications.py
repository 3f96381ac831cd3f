"""整改 (rectification follow-up): open, fill in, re-check, carry over, delete and count.

The rules, shared by the GUI, the CLI and the reports:

- A failing answer (D, indicator not met, sampling below target) opens a rectification by itself
  (origin ``auto``, :func:`sync_rectification`, called by the answer services in their transaction).
  A grade that *offers* one (C) opens one only when the user asks (:func:`open_rectification`).
- Items of the round that share a ``topic`` share one rectification: a problem found twice
  (e.g. in the 千院行 list and in the national plan) is fixed, and counted, once.
- 问题描述 follows the findings of the items it covers until someone writes their own text
  (stored ``problem`` is then non-empty).
- When nothing it covers fails any more, an ``auto`` rectification with no work recorded on it
  is removed; one with work recorded stays, so no one's work is ever thrown away.
- 整改状态 is derived from the data (:meth:`app.domain.records.Rectification.status`).
- A rectification a later 复查轮次 carried over is followed up there (its copy names it in
  ``carried_from``): here it is 已转入复查, counted as neither open nor late, and read-only —
  its text, re-check and evidence are changed in the round that carries it, so the two never
  say different things.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..domain.checklist import Item, Scale
from ..domain.evaluation import Outcome, evaluate, problem_sentence, result_text
from ..domain.follow_ups import (
    DeadlineMove,
    FollowUps,
    Recheck,
    closed_late,
    on_or_before,
    own_follow_ups,
    recheck_of,
    standing,
)
from ..domain.formats import (
    NO_DEPARTMENT,
    carried_on_sentence,
    cn_date,
    deadline_sentence,
    recheck_sentence,
    recurrence_sentence,
    refound_sentence,
    regrade_sentence,
    status_text,
)
from ..domain.kinds import kind_of
from ..domain.profile import MAX_NAME
from ..domain.records import (
    ORIGIN_AUTO,
    ORIGIN_CARRIED,
    ORIGIN_OFFERED,
    RECTIFICATION_STATUSES,
    STATUS_DONE,
    Answer,
    Attachment,
    Rectification,
)
from ..domain.scoring import RoundScore
from ..domain.text import MAX_TEXT, clean_text
from ..errors import InputError, NotFoundError
from ..store import Actor, Store
from ..store.records import rectification_to_row
from . import UNSET
from .rounds import RoundView, answers_by_item, load_round, previous_values, score, start_round

if TYPE_CHECKING:
    from ..catalog import CatalogEntry

__all__ = [
    "NO_DEPARTMENT",
    "UNSET",
    "RectificationEntry",
    "RectificationTotals",
    "carried_to",
    "carry_over_open_rectifications",
    "delete_rectification",
    "deletion_refused",
    "ensure_followed_up_here",
    "follow_up_text",
    "followed_up_note",
    "get_rectification",
    "list_rectifications",
    "open_rectification",
    "parse_date",
    "record_recheck",
    "rectification_for_item",
    "start_recheck_round",
    "sync_rectification",
    "sync_rectifications",
    "totals",
    "update_rectification",
]


@dataclass(frozen=True)
class RectificationEntry:
    """A rectification as listed: its record (problem filled in), status on a date, items covered."""

    rectification: Rectification
    status: str
    #: the items it covers: its own and the failing items of the round sharing its topic
    item_ids: tuple[str, ...]
    #: True while 问题描述 is taken from the findings (nobody has written their own)
    problem_from_findings: bool
    attachment_count: int = 0
    #: carried over from the previous round, not yet done, and none of its items has a problem in
    #: this round: their results here (``B 有监管``), so that the office closes it with a re-check;
    #: "" otherwise (also while its item is not graded again yet)
    regraded: str = ""
    #: the 复查轮次 (names) that carried it over and follow it up: it is 已转入复查 here
    carried_to: tuple[str, ...] = ()
    #: its re-checks and the moves of its 整改期限 up to the day it is told on, by date, each as a
    #: sentence (``2025年6月1日，刘洋，复查未通过：……``, ``2025年5月2日，整改期限由……延至……``): the
    #: record keeps only the latest of each, and a 整改报告 signed at closure told nothing of a
    #: failed re-check or a deadline moved, which is what PDCA and an inspector ask to see
    timeline: tuple[str, ...] = ()
    #: this round's own, for an item whose rectification the previous round closed: the problem
    #: came back (``上轮《…》已整改销号（…复查通过），本轮再次发现``), where it read as found for the
    #: first time (rectification review); "" otherwise
    recurred: str = ""
    #: 逾期完成: days after the deadline that held then that the re-check closing it passed (0: in
    #: time, not done, or no deadline); a deadline moved after the close does not make it in time
    days_late: int = 0
    #: carried over, not yet done, and its items fail again in this round, described otherwise
    #: than the carried 问题描述: this round's words, so that the 整改报告 and the 整改台账 agree
    #: with the 自查报告's 发现的问题, which prints them ("" otherwise)
    refound: str = ""

    @property
    def id(self) -> str:
        return self.rectification.id

    @property
    def carried(self) -> bool:
        """转入 from the previous round (复查轮次)."""
        return bool(self.rectification.carried_from)

    @property
    def followed_up_elsewhere(self) -> bool:
        """A later 复查轮次 carried it over: read-only here (its status is 已转入复查, or 已完成
        when its re-check here passed before)."""
        return bool(self.carried_to)


@dataclass
class RectificationTotals:
    """整改统计: counts by status, and by department and status."""

    by_status: Counter = field(default_factory=Counter)
    by_department: dict[str, Counter] = field(default_factory=dict)
    #: of the 已完成, those whose passing re-check came after the deadline (逾期完成)
    done_late: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "by_status": {s: self.by_status[s] for s in RECTIFICATION_STATUSES},
            "by_department": {d: {s: c[s] for s in RECTIFICATION_STATUSES} for d, c in self.by_department.items()},
        }


# --- what the round says about an item ---------------------------------------------------------


class _Facts:
    """Answers and outcomes of a round's items, looked up lazily and cached.

    ``sync_rectification`` runs after every answer, so it evaluates only the few items it needs;
    listing passes in the outcomes of the whole round, computed once.
    """

    def __init__(
        self,
        store: Store,
        view: RoundView,
        outcomes: Mapping[str, Outcome] | None = None,
        answers: Mapping[str, Answer] | None = None,
    ) -> None:
        self.store = store
        self.view = view
        self._outcomes: dict[str, Outcome] = dict(outcomes or {})
        self._answers: dict[str, Answer | None] = dict(answers or {})
        self._all_answers_loaded = answers is not None
        self._previous: dict[str, float] | None = None
        self._items = {i.id: (c.scale, i) for c in view.checklists for i in c.all_items()}

    def item(self, item_id: str) -> Item | None:
        found = self._items.get(item_id)
        return found[1] if found else None

    def answer(self, item_id: str) -> Answer | None:
        if item_id not in self._answers:
            if self._all_answers_loaded:
                return None
            self._answers[item_id] = self.store.answer(self.view.id, item_id)
        return self._answers[item_id]

    def outcome(self, item: Item) -> Outcome:
        if item.id not in self._outcomes:
            scale: Scale = self._items[item.id][0]
            answer = self.answer(item.id)
            kind = kind_of(item)
            samples = self.store.samples(self.view.id, item.id) if kind.sampled else []
            previous = None
            if kind.compares_with_previous(item, answer):
                if self._previous is None:
                    self._previous = previous_values(self.store, self.view)
                previous = self._previous.get(item.id)
            self._outcomes[item.id] = evaluate(
                item, scale, self.view.profile, self.view.year, answer, samples, previous
            )
        return self._outcomes[item.id]

    def group(self, item_id: str) -> tuple[Item, ...]:
        """The item and the round's other items with the same topic (one rectification for all)."""
        item = self.item(item_id)
        if item is None:
            return ()
        if not item.topic:
            return (item,)
        return tuple(i for _, i in self._items.values() if i.topic == item.topic)

    def failing(self, items: Sequence[Item]) -> list[Item]:
        return [i for i in items if self.outcome(i).failing]

    def problem_text(self, items: Sequence[Item]) -> str:
        """问题描述 from the findings of ``items`` (or, without a finding, from the result)."""
        texts: list[str] = []
        for item in items:
            text = self._item_problem(item)
            if text and text not in texts:
                texts.append(text)
        return "；".join(texts)

    def _item_problem(self, item: Item) -> str:
        return problem_sentence(item, self.outcome(item), self.answer(item.id), self.view.year)


# --- stored rectifications ---------------------------------------------------------------------


_WORK_FIELDS = ("problem", "cause", "measure", "owner", "deadline", "recheck_date", "rechecked_by", "recheck_result")


def _has_work(store: Store, rect: Rectification) -> bool:
    """Has anyone recorded work on it? The department does not count: it is filled in for them."""
    return (
        any(getattr(rect, k) for k in _WORK_FIELDS)
        or rect.recheck_passed is not None
        or bool(store.attachments(rect.round_id, rectification_id=rect.id))
    )


def _covered(facts: _Facts, rect: Rectification) -> list[Item]:
    """The items whose problem the rectification describes: the failing ones of its group,
    or its own item when none fails (a C grade's rectification, or one whose item was fixed)."""
    group = facts.group(rect.item_id)
    failing = facts.failing(group)
    if failing:
        return failing
    own = facts.item(rect.item_id)
    return [own] if own else []


def _entry(
    facts: _Facts,
    stored: Rectification,
    today: dt.date,
    attachments: int = 0,
    carried_to: tuple[str, ...] = (),
    follow_ups: FollowUps | None = None,
    recurred: str = "",
) -> RectificationEntry:
    """``follow_ups``: its re-checks and deadline moves the record no longer holds
    (:func:`_follow_ups_of`)."""
    follow_ups = follow_ups or FollowUps()
    covered = _covered(facts, stored)
    derived = not stored.problem
    rect, own = standing(replace(stored, problem=facts.problem_text(covered)) if derived else stored, follow_ups, today)
    dated = [(c[0], recheck_sentence(c[1], c[0], c[2], c[3])) for c in follow_ups.earlier if on_or_before(c, today)]
    dated += [(c[0], recheck_sentence(c[1], c[0], c[2], c[3])) for c in own]
    dated += [(m[0], deadline_sentence(*m)) for m in follow_ups.deadlines if m[0] <= today]
    if rect.recheck_passed is not None:  # the one standing, in its place by date
        text = recheck_sentence(rect.recheck_passed, rect.recheck_date, rect.rechecked_by, rect.recheck_result)
        dated.append((rect.recheck_date, text))
    return RectificationEntry(
        rect,
        rect.status(today, followed_up_elsewhere=bool(carried_to)),
        tuple(i.id for i in covered) or (rect.item_id,),
        derived,
        attachments,
        _regraded(facts, rect, covered),
        carried_to,
        tuple(text for _, text in sorted(dated, key=lambda d: d[0] or dt.date.min)),
        recurred,
        closed_late(rect, stored, follow_ups),
        _refound(facts, rect, covered),
    )


def carried_to(store: Store, round_id: str, on: dt.date | None = None) -> dict[str, tuple[str, ...]]:
    """The round's rectifications that a later 复查轮次 carried over: id → the names of the rounds
    holding their copies (one, unless merged packages brought two), oldest round first.

    ``on``: only rounds whose 自查日期 is not after it — a report dated before the 复查轮次 began
    shows the rectification as it stood then. Without it, every copy counts: a rectification a
    复查轮次 holds is read-only here whatever its date, so the two never disagree."""
    copies = store.rectifications_carried_from(round_id)
    if not copies:
        return {}
    records = [r for r in reversed(store.rounds()) if on is None or dt.date.fromisoformat(r.started_on) <= on]
    order = {record.id: (n, record.name) for n, record in enumerate(records)}
    out: dict[str, tuple[str, ...]] = {}
    for copy in sorted(copies, key=lambda c: order.get(c.round_id, (len(order), ""))):
        if copy.round_id not in order:
            continue
        name = order[copy.round_id][1]
        if copy.carried_from and name and name not in out.get(copy.carried_from, ()):
            out[copy.carried_from] = (*out.get(copy.carried_from, ()), name)
    return out


def followed_up_note(rounds: Sequence[str], doing: str = "") -> str:
    """Why a rectification that a later 复查轮次 carried over is only read here (``doing``: what
    was refused, e.g. ``修改``), as the board and the services say it."""
    where = "、".join(f"《{n}》" for n in rounds)
    refused = f"，不能{doing}" if doing else ""
    return f"该整改项已转入{where}继续跟踪，本轮中只能查看{refused}；整改和复查请在该轮的整改台账中记录。"


def ensure_followed_up_here(store: Store, rectification_id: str, doing: str) -> None:
    """InputError when a later 复查轮次 carried the rectification over: it is followed up there,
    and here only read (``doing``: what was refused, e.g. ``修改``)."""
    rect = store.rectification(rectification_id)  # raises NotFoundError
    names = carried_to(store, rect.round_id).get(rect.id)
    if names:
        raise InputError(followed_up_note(names, doing), "rectification")


def _regraded(facts: _Facts, rect: Rectification, covered: Sequence[Item]) -> str:
    """The results this round of a rectification's items, when none has a problem: a carried-over
    one's items graded again, or this round's own item regraded (D to B) after work on its
    rectification began, which kept it. A C grade the user gave a rectification is a problem."""
    if rect.done or not covered or facts.failing(covered):
        return ""
    outcomes = [(item, facts.outcome(item)) for item in covered]
    if not all(o.answered for _, o in outcomes):
        return ""
    if not rect.carried_from and any(o.offers_rectification for _, o in outcomes):
        return ""
    return "、".join(dict.fromkeys(result_text(item, o) for item, o in outcomes))


def _refound(facts: _Facts, rect: Rectification, covered: Sequence[Item]) -> str:
    """This round's problem text of a carried-over rectification's items failing again, when it
    is not the carried one's."""
    if not rect.carried_from or rect.done or not covered or not facts.failing(covered):
        return ""
    found = facts.problem_text(covered)
    return "" if found == rect.problem else found


def follow_up_text(entry: RectificationEntry) -> str:
    """复查情况 as the 整改台账, the board and the 整改报告 show it: where a later 复查轮次 follows
    it up, this round's result of a carried-over item that no longer fails, then its re-checks
    and deadline moves by date."""
    parts = (
        entry.recurred,
        carried_on_sentence(entry.carried_to),
        regrade_sentence(entry.regraded),
        refound_sentence(entry.refound),
        *entry.timeline,
    )
    return "；".join(p for p in parts if p)


def _group(
    store: Store, facts: _Facts, item_id: str, stored: Sequence[Rectification] | None = None
) -> list[Rectification]:
    """The round's rectifications of the item and of the items sharing its topic (``stored``:
    the round's rectifications, when the caller has read them)."""
    ids = {i.id for i in facts.group(item_id)} or {item_id}
    return [r for r in (stored if stored is not None else store.rectifications(facts.view.id)) if r.item_id in ids]


def _update(store: Store, rect: Rectification, changes: Mapping[str, Any], actor: Actor) -> None:
    """Write ``changes`` over ``rect``: the store saves whole rows (an upsert needs every column)."""
    store.save_rectification({**rectification_to_row(rect), **changes}, actor)


# --- opening and closing with the answers ------------------------------------------------------


def sync_rectification(
    store: Store, view: RoundView, item_id: str, actor: Actor, previous_department: str | None = None
) -> None:
    """Bring the item's rectification in line with its answer (called after every change to it).

    Idempotent: a failing item (or its topic group) gets exactly one rectification. Its 责任科室
    follows the answer's while it is empty or still the one copied from the answer
    (``previous_department``, the answer's before this change); one set on the board stays.
    """
    with store.transaction():
        _sync(store, _Facts(store, view), item_id, actor, previous_department)


def sync_rectifications(store: Store, view: RoundView, item_ids: Iterable[str], actor: Actor) -> None:
    """:func:`sync_rectification` for each of ``item_ids`` (an import touches every item of the
    round): the round's items, answers, outcomes and rectifications are read once for all of them,
    the rectifications again only after one was written. Item by item, a round of 656 items with
    77 rectifications read 50,000 rectification rows."""
    facts = _Facts(store, view)
    with store.transaction():
        stored = store.rectifications(view.id)
        for item_id in item_ids:
            if _sync(store, facts, item_id, actor, None, stored):
                stored = store.rectifications(view.id)


def _sync(
    store: Store,
    facts: _Facts,
    item_id: str,
    actor: Actor,
    previous_department: str | None,
    stored: Sequence[Rectification] | None = None,
) -> bool:
    """sync_rectification's work, in the caller's transaction; True when it wrote anything."""
    view = facts.view
    group = facts.group(item_id)
    if not group:
        return False
    failing = facts.failing(group)
    rects = _group(store, facts, item_id, stored)
    if failing and not rects:
        answer = facts.answer(failing[0].id)
        store.save_rectification(
            {
                "round_id": view.id,
                "item_id": failing[0].id,
                "problem": "",
                "department": answer.department if answer else "",
                "origin": ORIGIN_AUTO,
            },
            actor,
        )
        return True
    failing_ids = {i.id for i in failing}
    offering = any(facts.outcome(i).offers_rectification for i in group)
    followed_up = carried_to(store, view.id) if rects else {}
    wrote = False
    for rect in rects:
        if rect.id in followed_up:
            continue  # a 复查轮次 follows it up: its copy there names it, and it stays as it was
        untouched = not _has_work(store, rect)
        if not failing:
            # an untouched automatic one goes when nothing fails; one the user asked for on a
            # C grade goes too once no item offers one any more (regraded A or B)
            if untouched and (rect.origin == ORIGIN_AUTO or (rect.origin == ORIGIN_OFFERED and not offering)):
                store.delete_rectification(rect.id, actor)
                wrote = True
            continue
        untouched = untouched and rect.origin == ORIGIN_AUTO
        changes: dict[str, Any] = {}
        if untouched and rect.item_id not in failing_ids:
            changes["item_id"] = failing[0].id  # point at an item that still fails
        answer = facts.answer(changes.get("item_id", rect.item_id))
        # (previous_department is the edited item's: it says nothing about a sibling's row)
        copied = previous_department if rect.item_id == item_id else None
        if answer is not None and answer.department != rect.department and rect.department in ("", copied):
            changes["department"] = answer.department  # 责任科室 typed, changed or undone after the grade
        if changes:
            _update(store, rect, changes, actor)
            wrote = True
    return wrote


def open_rectification(
    store: Store, round_id: str, item_id: str, actor: Actor, today: dt.date | None = None
) -> RectificationEntry:
    """生成整改项 for an item at the user's request (a C grade offers one).

    Returns the existing one if the item, or another item of its topic, already has one.
    """
    view = load_round(store, round_id)
    facts = _Facts(store, view)
    _, item = view.find_item(item_id)
    outcome = facts.outcome(item)
    if not (outcome.failing or outcome.offers_rectification):
        raise InputError("只有评为不符合（或“C 有制度有落实”“部分符合”）的条目才能生成整改项。", "item")
    rects = _group(store, facts, item_id)
    if rects:
        own = next((r for r in rects if r.item_id == item_id), rects[0])
        return _entry(facts, own, today or dt.date.today())
    answer = facts.answer(item_id)
    new_id = store.save_rectification(
        {
            "round_id": round_id,
            "item_id": item_id,
            "problem": "",
            "department": answer.department if answer else "",
            "origin": ORIGIN_AUTO if outcome.failing else ORIGIN_OFFERED,
        },
        actor,
    )
    return _entry(facts, store.rectification(new_id), today or dt.date.today())


# --- reading ----------------------------------------------------------------------------------


def earlier_evidence(store: Store, rect: Rectification) -> list[Attachment]:
    """The 佐证材料 of the rectifications a carried-over one was copied from (the previous round's,
    and so on back), oldest first: the 复查轮次's 整改报告, signed at closure, printed none of the
    photos taken while the work was done in the round before."""
    return [
        a
        for earlier in carried_chain(store, rect)
        for a in store.attachments(earlier.round_id, rectification_id=earlier.id)
    ]


def carried_chain(store: Store, rect: Rectification) -> list[Rectification]:
    """The rectifications ``rect`` was carried over from (the previous round's, and so on back),
    oldest first; a chain ends at a round deleted."""
    chain: list[Rectification] = []
    source, seen = rect.carried_from, {rect.id}
    while source and source not in seen:
        seen.add(source)
        try:
            earlier = store.rectification(source)
        except NotFoundError:
            break
        chain.insert(0, earlier)
        source = earlier.carried_from
    return chain


def list_rectifications(
    store: Store, round_id: str, today: dt.date, view: RoundView | None = None, result: RoundScore | None = None
) -> list[RectificationEntry]:
    """整改台账 of a round, in the order of the items in the checklists, with status on ``today``
    (``result``: the round's score, when the caller has it already)."""
    view = view or load_round(store, round_id)
    result = result or score(store, round_id, view)
    facts = _Facts(store, view, result.outcomes, answers_by_item(store, round_id))
    attachments = Counter(a.rectification_id for a in store.attachments(round_id) if a.rectification_id)
    position = {item.id: n for n, item in enumerate(view.items())}
    stored = store.rectifications(round_id)
    position |= _positions_where_found(store, [r for r in stored if r.item_id not in position], len(position))
    rects = sorted(stored, key=lambda r: (position.get(r.item_id, len(position)), r.created_at, r.id))
    later = carried_to(store, round_id, today)
    follow_ups = _follow_ups_of(store, rects)
    again = _recurred(store, view, rects)
    return [
        _entry(facts, r, today, attachments[r.id], later.get(r.id, ()), follow_ups.get(r.id), again.get(r.id, ""))
        for r in rects
    ]


def _recurred(store: Store, view: RoundView, rects: Sequence[Rectification]) -> dict[str, str]:
    """The round's own rectifications whose item's rectification the previous round (the one a
    复查轮次 is based on) closed with a passed re-check: id → the sentence saying the problem came
    back."""
    own = [r for r in rects if not r.carried_from]
    if not own or not view.previous_round_id:
        return {}
    try:
        previous = store.round(view.previous_round_id)
    except NotFoundError:
        return {}
    closed = {r.item_id: r for r in store.rectifications(previous.id) if r.done}
    return {
        r.id: recurrence_sentence(previous.name, closed[r.item_id].recheck_date) for r in own if r.item_id in closed
    }


def _positions_where_found(store: Store, rects: Sequence[Rectification], after: int) -> dict[str, int]:
    """Places after ``after`` for items of checklists the round does not use, in the order of the
    nearest round they were carried through that uses them (a 复查轮次 of 核心制度 only carries
    改进目标's rectifications too, and so does the next): they came in the order of their random
    record ids, 08.3, 13.4, 07.1, 02.1, and month one's ledger and month two's could not be laid
    side by side (rectification review)."""
    out: dict[str, int] = {}
    orders: dict[str, list[str]] = {}
    for rect in rects:
        for source in reversed(carried_chain(store, rect)):
            if source.round_id not in orders:
                try:
                    orders[source.round_id] = [item.id for item in load_round(store, source.round_id).items()]
                except NotFoundError:
                    orders[source.round_id] = []
            if rect.item_id in orders[source.round_id]:
                out[rect.item_id] = after + orders[source.round_id].index(rect.item_id)
                break
    return out


def _follow_ups_of(store: Store, rects: Sequence[Rectification]) -> dict[str, FollowUps]:
    """Each rectification's :class:`FollowUps`: the re-checks of the rounds it was carried from
    (the copy starts without a re-check, and the 复查轮次's 整改报告, where the item is closed, told
    nothing of the failed re-check that made it be carried over), its own that a later one
    replaced, and the moves of its deadline and of those it was copied from."""
    chains = {rect.id: carried_chain(store, rect) for rect in rects}
    ids = [r.id for r in rects] + [e.id for chain in chains.values() for e in chain]
    own = own_follow_ups(store.follow_up_history(ids))
    out: dict[str, FollowUps] = {}
    for rect in rects:
        earlier: list[Recheck] = []
        moved: list[DeadlineMove] = []
        for source in chains[rect.id]:
            theirs = own.get(source.id, FollowUps())
            earlier += theirs.replaced
            if source.recheck_passed is False:  # its last check, the copy took over from it
                earlier.append((source.recheck_date, False, source.rechecked_by, source.recheck_result))
            moved += theirs.own_deadlines
        mine = own.get(rect.id)
        if earlier or moved or mine:
            mine = mine or FollowUps()
            out[rect.id] = replace(mine, earlier=list(dict.fromkeys(earlier)), deadlines=[*moved, *mine.own_deadlines])
    return out


def get_rectification(
    store: Store, rectification_id: str, today: dt.date, view: RoundView | None = None
) -> RectificationEntry:
    """One rectification as the ledger lists it (``view``: its round, when the caller has it)."""
    rect = store.rectification(rectification_id)  # raises NotFoundError
    view = view or load_round(store, rect.round_id)
    count = len(store.attachments(rect.round_id, rectification_id=rectification_id))
    later = carried_to(store, rect.round_id, today).get(rect.id, ())
    follow_ups = _follow_ups_of(store, [rect]).get(rect.id)
    again = _recurred(store, view, [rect]).get(rect.id, "")
    return _entry(_Facts(store, view), rect, today, count, later, follow_ups, again)


def rectification_for_item(store: Store, view: RoundView, item_id: str, today: dt.date) -> RectificationEntry | None:
    """The rectification that covers the item (its own, or its topic's), if there is one."""
    facts = _Facts(store, view)
    rects = _group(store, facts, item_id)
    if not rects:
        return None
    own = next((r for r in rects if r.item_id == item_id), rects[0])
    count = len(store.attachments(view.id, rectification_id=own.id))
    return _entry(facts, own, today, count, carried_to(store, view.id, today).get(own.id, ()))


#: 条目, 问题描述, 原因分析, 整改措施, 责任科室, 责任人, 整改期限, 状态
LedgerCells = tuple[str, str, str, str, str, str, str, str]


def ledger_cells(entry: RectificationEntry, references: Mapping[str, str]) -> LedgerCells:
    """整改台账's columns as the board and the 整改报告 both show them: 条目 (by reference), 问题描述,
    原因分析, 整改措施, 责任科室, 责任人, 整改期限, 状态."""
    r = entry.rectification
    return (
        "、".join(references.get(i, i) for i in entry.item_ids),
        r.problem,
        r.cause,
        r.measure,
        r.department,
        r.owner,
        cn_date(r.deadline),
        status_text(entry.status, entry.days_late),
    )


def totals(entries: Sequence[RectificationEntry]) -> RectificationTotals:
    """Counts by status, and by 责任科室 and status (departments in order of first appearance)."""
    out = RectificationTotals(Counter({s: 0 for s in RECTIFICATION_STATUSES}))
    for entry in entries:
        out.by_status[entry.status] += 1
        out.done_late += entry.status == STATUS_DONE and entry.days_late > 0
        department = entry.rectification.department or NO_DEPARTMENT
        out.by_department.setdefault(department, Counter())[entry.status] += 1
    return out


# --- editing ---------------------------------------------------------------------------------

# compiled (and cached by ``re``) when a date is first typed, not when the program starts
_DATE_FORMATS = (
    r"^(\d{4})-(\d{1,2})-(\d{1,2})$",
    r"^(\d{4})/(\d{1,2})/(\d{1,2})$",
    r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$",
    r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$",
    r"^(\d{4})(\d{2})(\d{2})$",  # as the date boxes take it
)


def parse_date(value: dt.date | str | None, label: str, field_name: str) -> dt.date | None:
    """A date typed by a user: 2025-04-30, 2025/4/30, 2025.4.30 or 2025年4月30日 ('' → None)."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip().translate(str.maketrans("０１２３４５６７８９－／", "0123456789-/"))
    if not text:
        return None
    for pattern in _DATE_FORMATS:
        if match := re.match(pattern, text):
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise InputError(f"{label}“{value}”不是有效的日期，请按 2025-04-30 的格式填写。", field_name)


def _text(value: str | None, label: str, field_name: str, limit: int) -> str:
    text = clean_text(value or "").strip()  # no bidi or control characters
    if len(text) > limit:
        raise InputError(f"{label}过长（{len(text)} 字，最多 {limit} 字）。", field_name)
    return text


def _not_before_round(date: dt.date, view: RoundView, label: str, field_name: str) -> None:
    if date < view.started_on:
        raise InputError(
            f"{label}（{date.isoformat()}）不能早于本轮自查日期（{view.started_on.isoformat()}）。", field_name
        )


def _not_before_first_round(store: Store, rect: Rectification, view: RoundView, day: dt.date) -> None:
    """A re-check is not dated before the round that found the problem. A copy a 复查轮次 carried
    over may be re-checked from the first round on: a re-check made on 5月28日 and entered on
    6月3日, the 复查轮次 begun on 6月1日, fitted neither round (the first is read-only once it is
    carried over), and staff had to write a false date (rectification review)."""
    chain = carried_chain(store, rect)
    if not chain:
        _not_before_round(day, view, "复查日期", "recheck_date")
        return
    first = store.round(chain[0].round_id)
    start = dt.date.fromisoformat(first.started_on)
    if day < start:
        raise InputError(
            f"复查日期（{day.isoformat()}）不能早于发现该问题的《{first.name}》的自查日期（{start.isoformat()}）。",
            "recheck_date",
        )


def update_rectification(
    store: Store,
    rectification_id: str,
    actor: Actor,
    *,
    today: dt.date | None = None,
    problem: str = UNSET,
    cause: str = UNSET,
    measure: str = UNSET,
    department: str = UNSET,
    owner: str = UNSET,
    deadline: dt.date | str | None = UNSET,
    restoring: bool = False,
) -> RectificationEntry:
    """Set the given fields (fields left UNSET keep their value); validates everything first.
    ``restoring``: undo or redo puts back a value that was stored before, which may precede the
    round (a carried-over rectification keeps its old deadline): only new input must not.
    One a later 复查轮次 carried over is changed there (InputError)."""
    ensure_followed_up_here(store, rectification_id, "修改")  # raises NotFoundError
    rect = store.rectification(rectification_id)
    view = load_round(store, rect.round_id)
    facts = _Facts(store, view)
    changes: dict[str, Any] = {}
    for name, value, label, limit in (
        ("problem", problem, "问题描述", MAX_TEXT),
        ("cause", cause, "原因分析", MAX_TEXT),
        ("measure", measure, "整改措施", MAX_TEXT),
        ("department", department, "责任科室", MAX_NAME),
        ("owner", owner, "责任人", MAX_NAME),
    ):
        if value is not UNSET:
            changes[name] = _text(value, label, name, limit)
    if "problem" in changes and changes["problem"] == facts.problem_text(_covered(facts, rect)):
        changes["problem"] = ""  # unchanged text keeps following the findings
    if deadline is not UNSET:
        date = parse_date(deadline, "整改期限", "deadline")
        if date is not None and not restoring:
            _not_before_round(date, view, "整改期限", "deadline")
        changes["deadline"] = date.isoformat() if date else None
    if changes:
        _update(store, rect, changes, actor)
    return get_rectification(store, rectification_id, today or dt.date.today(), view)


#: why a pass is refused without a 整改措施, and what to write when there was nothing to rectify
NO_MEASURE = "复查通过前须写明整改措施；原评价有误、无需整改时，可写“经复评，原评价有误，无需整改”。"


def record_recheck(
    store: Store,
    rectification_id: str,
    actor: Actor,
    *,
    passed: bool | None,
    date: dt.date | str | None = None,
    by: str = "",
    result: str = "",
    measure: str | None = None,
    today: dt.date | None = None,
    restoring: bool = False,
) -> RectificationEntry:
    """复查: record whether the re-check passed. ``None`` clears the latest re-check: the one it
    replaced, if any, stands again (a failure recorded by mistake after a pass is taken back by
    clearing it, as the README says). A re-check is recorded once it has happened: its date is
    not after ``today``, nor before a re-check it follows. ``restoring``: undo or redo puts back
    what was stored before, and is not checked again. One a later 复查轮次 carried over is
    re-checked there (InputError). ``measure``, when given, is the 整改措施 written with it, in the
    same save: a pass needs one, and the office recording a re-check (or closing a 误判, “经复评，
    原评价有误，无需整改”) had to leave the dialog for the board to write it first."""
    today = today or dt.date.today()
    ensure_followed_up_here(store, rectification_id, "记录复查")  # raises NotFoundError
    rect = store.rectification(rectification_id)
    view = load_round(store, rect.round_id)
    follow_ups = _follow_ups_of(store, [rect]).get(rect.id) or FollowUps()
    replaced = follow_ups.replaced
    written = None if measure is None else _text(measure, "整改措施", "measure", MAX_TEXT)
    if not restoring:  # undo and redo put back what was stored, a blank measure included
        written = _measure_with_recheck(rect, passed, written)
    if passed is None:
        # the one before stands again, when the history ends where the record is (an import
        # that kept this PC's re-check over a package's history would otherwise bring back one
        # the office had rejected)
        agrees = follow_ups.replayed == recheck_of(rect)
        changes = _recheck_columns(replaced[-1] if replaced and agrees else None)
    else:
        day = parse_date(date, "复查日期", "recheck_date")
        if day is None:
            raise InputError("请填写复查日期。", "recheck_date")
        if not restoring:
            _check_recheck_date(store, rect, view, day, passed, [*follow_ups.earlier, *replaced], today)
        by = _text(by, "复查人", "rechecked_by", MAX_NAME)
        if not by:
            raise InputError("请填写复查人。", "rechecked_by")
        if passed and not (rect.measure if written is None else written):
            raise InputError(NO_MEASURE, "measure")
        changes = _recheck_columns((day, passed, by, _text(result, "复查结果", "recheck_result", MAX_TEXT)))
    if written is not None:
        changes["measure"] = written
    _update(store, rect, changes, actor)
    return get_rectification(store, rectification_id, today, view)


def _measure_with_recheck(rect: Rectification, passed: bool | None, written: str | None) -> str | None:
    """The 整改措施 a re-check writes (None: it writes none). Only a missing one is written with a
    re-check: blank is not given, and a re-check cleared, or a measure the board already holds,
    is not where a measure is written or replaced (InputError)."""
    if not written:
        return None
    if passed is None:
        raise InputError("清除复查记录时不能同时填写整改措施；整改措施请在整改台账中填写。", "measure")
    if rect.measure and rect.measure != written:
        raise InputError("该整改项已填写整改措施，请在整改台账中修改，不在记录复查时替换。", "measure")
    return written


def _recheck_columns(check: Recheck | None) -> dict[str, Any]:
    """A re-check as the rectification's columns hold it (None: no re-check)."""
    if check is None:
        return {"recheck_passed": None, "recheck_date": None, "rechecked_by": "", "recheck_result": ""}
    day, passed, by, result = check
    return {
        "recheck_passed": int(passed),
        "recheck_date": day.isoformat() if day else None,
        "rechecked_by": by,
        "recheck_result": result,
    }


def _check_recheck_date(
    store: Store,
    rect: Rectification,
    view: RoundView,
    day: dt.date,
    passed: bool,
    before: Sequence[Recheck],
    today: dt.date,
) -> None:
    """A re-check is dated between the round that found the problem and today, and not before
    the re-checks it follows: those it replaced here, those of the rounds it was carried from,
    and the one recorded now when it gives another verdict (a pass dated before the failure it
    follows read 5月25日未通过；5月20日通过, and counted the item 已完成 on 5月22日)."""
    _not_before_first_round(store, rect, view, day)
    if day > today:
        raise InputError(
            f"复查日期（{day.isoformat()}）不能晚于今天（{today.isoformat()}）：复查做过后再记录。", "recheck_date"
        )
    follows = [c for c in before if c[0] is not None]
    if rect.recheck_passed is not None and rect.recheck_date and passed != rect.recheck_passed:
        follows.append((rect.recheck_date, rect.recheck_passed, rect.rechecked_by, rect.recheck_result))
    last = max(follows, key=lambda c: c[0] or dt.date.min, default=None)
    if last is not None and last[0] is not None and day < last[0]:
        raise InputError(
            f"复查日期（{day.isoformat()}）不能早于上次复查（{last[0].isoformat()}，"
            f"{'通过' if last[1] else '未通过'}）。如上次复查记错了，请先清除该复查，再重新记录。",
            "recheck_date",
        )


def delete_rectification(store: Store, rectification_id: str, actor: Actor | None = None) -> None:
    """删除整改项, unless :func:`deletion_refused` says why not (InputError)."""
    if refused := deletion_refused(store, rectification_id):
        raise InputError(refused, "rectification")
    store.delete_rectification(rectification_id, *([actor] if actor else []))


def deletion_refused(store: Store, rectification_id: str) -> str:
    """Why the rectification may not be deleted ('' when it may), asked before the confirmation:
    while a later 复查轮次 follows it up (its copy there names it); for such a copy, which deleted
    left its original 未完成 (逾期, in the reminders) in the round it came from with no word of it
    (rectification review) and is closed with a re-check instead; and while it is the only one
    for an item that still fails. Raises NotFoundError."""
    rect = store.rectification(rectification_id)
    names = carried_to(store, rect.round_id).get(rect.id)
    if names:
        return followed_up_note(names, "删除")
    if rect.carried_from:
        source = _source_round_name(store, rect.carried_from)
        return (
            f"该整改项由上一轮{source}转入，不能删除：删除后，上一轮中的原整改项会重新变为未完成。"
            "问题已解决或原评价有误时，请在“记录复查”中写明整改措施（如“经复评，原评价有误，无需整改”）并记录复查通过，即可销号；"
            "整个复查轮次建错了时，可删除该轮次。"
        )
    facts = _Facts(store, load_round(store, rect.round_id))
    group = facts.group(rect.item_id)
    others = [r for r in _group(store, facts, rect.item_id) if r.id != rectification_id]
    if group and facts.failing(group) and not others:
        return "该条目仍评为不符合，整改项不能删除；如评价有误，请先修改评价。"
    return ""


def _source_round_name(store: Store, rectification_id: str) -> str:
    """``《2025年第一季度医疗质量自查》``, the round of the rectification a copy was carried from
    ('' when it is not in this database)."""
    try:
        return f"《{store.round(store.rectification(rectification_id).round_id).name}》"
    except NotFoundError:
        return ""


# --- re-check rounds -------------------------------------------------------------------------


def start_recheck_round(
    store: Store,
    entries: Sequence[CatalogEntry],
    name: str,
    started_on: dt.date,
    actor: Actor,
    previous_round_id: str,
    **fields: Any,
) -> str:
    """复查轮次: a new round compared with ``previous_round_id``, with its open rectifications
    carried over, in one transaction (both or neither)."""
    with store.transaction():
        round_id = start_round(store, entries, name, started_on, actor, previous_round_id=previous_round_id, **fields)
        carry_over_open_rectifications(store, previous_round_id, round_id, actor)
    return round_id


def rectifications_to_carry(store: Store, round_id: str, day: dt.date) -> list[Rectification]:
    """The rectifications of ``round_id`` a 复查轮次 started on ``day`` would carry over: those
    not 已完成 and not followed up in another re-check already, with the deadline they have now:
    a 复查轮次 dated before the day a deadline was moved would copy the one that held on its date.
    Nor one whose re-check passed after ``day``: it was already recorded 已完成 in its round, and
    the copy was 逾期 in the new one, the same problem counted closed and open (numbers review)."""
    already = {r.carried_from for r in store.rectifications_carried_from(round_id)}
    stored = {r.id: r for r in store.rectifications(round_id)}
    return [
        replace(e.rectification, deadline=stored[e.id].deadline)
        for e in list_rectifications(store, round_id, day)
        if not e.rectification.done and not stored[e.id].done and e.rectification.id not in already
    ]


def carry_over_open_rectifications(
    store: Store, from_round_id: str, to_round_id: str, actor: Actor
) -> list[Rectification]:
    """Copy the rectifications of ``from_round_id`` not yet 已完成 into ``to_round_id`` (复查轮次).

    The copies keep problem, cause, measure, department, owner and deadline, start without a
    re-check, and name their source (``carried_from``). Nothing is copied twice: not into the same
    round, and not one already followed up in another re-check of the same round.
    An untouched automatic rectification the new round already opened for the same item gives
    way to the copy, which carries the history; one with work on it is kept and nothing is copied.
    """
    if from_round_id == to_round_id:
        raise InputError("不能把整改项转入同一轮自查。", "round")
    target = load_round(store, to_round_id)
    target_facts = _Facts(store, target)
    carried: list[Rectification] = []
    with store.transaction():
        for rect in rectifications_to_carry(store, from_round_id, target.started_on):
            existing = _group(store, target_facts, rect.item_id)
            if any(r.origin != ORIGIN_AUTO or _has_work(store, r) for r in existing):
                continue
            for old in existing:
                store.delete_rectification(old.id, actor)
            fields = {
                "round_id": to_round_id,
                "item_id": rect.item_id,
                "problem": rect.problem,
                "cause": rect.cause,
                "measure": rect.measure,
                "department": rect.department,
                "owner": rect.owner,
                "deadline": rect.deadline.isoformat() if rect.deadline else None,
                "origin": ORIGIN_CARRIED,
                "carried_from": rect.id,
            }
            new_id = store.save_rectification(fields, actor)
            carried.append(
                replace(
                    rect,
                    id=new_id,
                    round_id=to_round_id,
                    origin=ORIGIN_CARRIED,
                    carried_from=rect.id,
                    recheck_date=None,
                    rechecked_by="",
                    recheck_result="",
                    recheck_passed=None,
                )
            )
    return carried

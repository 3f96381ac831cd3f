"""The open round as the screens see it (本轮自查会话): one object between the screens and the store.

A screen holds a :class:`RoundSession`, never the store. The session keeps what the screens show
(answers, sampled records, outcomes, scores, the rectifications), writes every edit through the
services in one transaction, and keeps what the database refused (busy, disk full) until a retry
saves it. Every operation returns :class:`Changes` — which items, sections and rectifications
it touched — and tells the subscribers, so each screen redraws only that (Anki's ``OpChanges``
is the model). Undo and redo are data here (:class:`Step`), so an edit on the 整改台账 is undone
the same way as a grade in the walkthrough.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.checklist import Checklist, Item
from ..domain.evaluation import Outcome, evaluate
from ..domain.records import Answer, Attachment, Rectification, SampleRecord
from ..domain.scoring import RoundScore, rescore, score_round
from ..errors import AppError, InputError, NotFoundError
from . import answers as answer_service
from . import attachments as attachment_service
from . import rectifications as rect_service
from . import rounds as round_service
from .item_filter import ItemFilter, mode_counts

if TYPE_CHECKING:
    from ..store import Actor, Store
    from .attachments import AttachmentFile
    from .history import HistoryLine
    from .overview import EarlierRounds, Overview

#: where the user was (round and item), restored at the next start
POSITION_KEY = "ui.position"
#: the key under which sampled records wait in ``pending``, beside an answer's fields
SAMPLES = "samples"
#: a field an error names → the field whose value caused it (不适用 without its reason)
_CAUSED_BY = {"na_reason": "grade"}
#: an answer's fields before anything was entered (text fields are "")
_ANSWER_DEFAULTS: dict[str, Any] = {
    "grade": None,
    "value": None,
    "numerator": None,
    "denominator": None,
    "baseline": None,
}


def last_round(store: Store) -> str | None:
    """The round the user had open when the program last closed, if it is still there."""
    round_id = (store.setting(POSITION_KEY) or {}).get("round_id")
    return round_id if round_id in dict(round_service.round_choices(store)) else None


def forget_position(store: Store) -> None:
    """The user left the round for the rounds list: the next start shows the list."""
    with contextlib.suppress(AppError):  # a convenience: a read-only database still shows the list
        store.set_setting(POSITION_KEY, {})


@dataclass(frozen=True)
class Refusal:
    """Input that could not be saved because it is invalid: where, and why."""

    item_id: str
    field: str
    message: str


@dataclass(frozen=True)
class Changes:
    """What an operation changed, for the screens to redraw (and nothing else)."""

    #: items whose answer, samples, outcome or attachments changed
    items: frozenset[str] = frozenset()
    #: sections whose tally (counts, score) changed
    sections: frozenset[str] = frozenset()
    #: the rectifications changed (opened, edited, closed, removed)
    rectifications: bool = False
    #: the round itself changed (name, 定稿)
    round: bool = False
    #: undo/redo: the item or rectification the user should now see
    focus_item: str | None = None
    focus_rectification: str | None = None
    #: saved input that is no longer pending; input refused as invalid on a retry
    refused: tuple[Refusal, ...] = ()
    #: the change made a 定稿 round a 自查稿 again
    drafted: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.items | other.items,
            self.sections | other.sections,
            self.rectifications or other.rectifications,
            self.round or other.round,
            other.focus_item or self.focus_item,
            other.focus_rectification or self.focus_rectification,
            self.refused + other.refused,
            self.drafted or other.drafted,
        )

    @property
    def scores(self) -> bool:
        return bool(self.sections)


NOTHING = Changes()


class SaveDeferred(AppError):
    """The database refused the write (busy, disk full): the input is kept in the session and
    saved by :meth:`RoundSession.retry_pending`. ``first`` is True when nothing was pending before."""

    def __init__(self, err: AppError, first: bool) -> None:
        super().__init__(str(err), err.detail)
        self.first = first


@dataclass
class Step:
    """One saved change that undo can take back (一步修改): ``before`` and ``after`` are what the
    service is called with to put either state back, through the same validation."""

    label: str
    target: str  # "answer", "samples", "rectification" or "recheck"
    key: str  # the item's or the rectification's id
    before: Any
    after: Any
    #: a rectification's item: undoing a grade can remove an untouched rectification and redoing
    #: it opens a new one, which later steps then apply to
    item_id: str = ""

    def merges_with(self, other: Step) -> bool:
        """Choosing a 责任科室 with the arrow keys saves each department passed over; one undo
        takes back the whole choice."""
        return (
            self.target == other.target == "answer"
            and self.key == other.key
            and set(self.after) == set(other.after) == {"department"}
        )


@dataclass
class _Undo:
    done: list[Step] = field(default_factory=list)
    undone: list[Step] = field(default_factory=list)

    def push(self, step: Step) -> None:
        if self.done and self.done[-1].merges_with(step):
            self.done[-1].after = step.after
        else:
            self.done.append(step)
        self.undone.clear()


def _has_work(entry: rect_service.RectificationEntry) -> bool:
    """Something written on a rectification (not only opened): undoing its opening would lose it."""
    r = entry.rectification
    written = (r.cause, r.measure, r.owner, r.deadline, r.recheck_passed is not None, entry.attachment_count)
    return any(written) or not entry.problem_from_findings


class RoundSession:
    """One open round, for the screens: reading, writing, pending input, undo, what changed."""

    def __init__(self, store: Store, actor: Actor, round_id: str, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._store, self.actor, self.today = store, actor, today
        self.view = round_service.load_round(store, round_id)
        self.items: dict[str, Item] = {i.id: i for i in self.view.items()}
        self.checklist_of: dict[str, Checklist] = {i.id: c for c in self.view.checklists for i in c.all_items()}
        self.references = round_service.references(self._store, self.view)
        self.previous_values = round_service.previous_values(store, self.view)
        self.answers = round_service.answers_by_item(store, round_id)
        self.samples = round_service.samples_by_item(store, round_id)
        self.score: RoundScore = score_round(
            self.view.checklists, self.view.profile, self.view.year, self.answers, self.samples, self.previous_values
        )
        #: what the user entered that the database could not take yet, by item
        self.pending: dict[str, dict[str, Any]] = {}
        self._undo = _Undo()
        self._listeners: list[Callable[[Changes], None]] = []
        self._rectifications: list[rect_service.RectificationEntry] | None = None
        self._listed_on: dt.date | None = None
        #: the earlier rounds 概览's trend has read (overview.EarlierRounds), kept until they change
        self._earlier_rounds: EarlierRounds = {}

    # --- subscribing ---------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[Changes], None]) -> None:
        """``listener(changes)`` after every operation that changed something."""
        self._listeners.append(listener)

    def _tell(self, changes: Changes) -> Changes:
        if changes != NOTHING:
            changes = self._draft_again(changes)
            for listener in list(self._listeners):
                listener(changes)
        return changes

    def _draft_again(self, changes: Changes) -> Changes:
        """A 定稿 round whose answers or rectifications change is a 自查稿 again (its reports carry
        the watermark once more): a report printed after the change must not pass for the one
        that was signed. The screens say so (``Changes.drafted``)."""
        if not self.view.is_final or not (changes.items or changes.rectifications):
            return changes
        round_service.set_round_final(self._store, self.view.id, False, self.actor)
        self.view = replace(self.view, status="draft")
        return changes | Changes(round=True, drafted=True)

    # --- reading -------------------------------------------------------------------------------

    @property
    def round_id(self) -> str:
        return self.view.id

    @property
    def outcomes(self) -> dict[str, Outcome]:
        return self.score.outcomes

    def answer_shown(self, item_id: str) -> Answer | None:
        """The saved answer with what is waiting to be saved over it: the user sees what they typed."""
        answer = self.answers.get(item_id)
        waiting = {k: v for k, v in self.pending.get(item_id, {}).items() if k != SAMPLES}
        return replace(answer or Answer(item_id), **waiting) if waiting else answer

    def samples_shown(self, item_id: str) -> list[SampleRecord]:
        waiting = self.pending.get(item_id, {}).get(SAMPLES)
        if waiting is None:
            return self.samples.get(item_id, [])
        return [SampleRecord(item_id, s.record_no, s.compliant, s.note, n) for n, s in enumerate(waiting)]

    def mode_counts(self) -> dict[str, int]:
        return mode_counts(self.items.values(), self.outcomes, self.answers)

    def matches(self, flt: ItemFilter, item_id: str) -> bool:
        return flt.matches(self.items[item_id], self.outcomes[item_id], self.answers.get(item_id))

    def attachments(self, item_id: str | None = None, rectification_id: str | None = None) -> list[Attachment]:
        return attachment_service.list_attachments(
            self._store, self.view.id, item_id=item_id, rectification_id=rectification_id
        )

    def rectification_for(self, item_id: str) -> rect_service.RectificationEntry | None:
        return rect_service.rectification_for_item(self._store, self.view, item_id, self.today())

    def rectifications(self) -> list[rect_service.RectificationEntry]:
        """整改台账 of the round, listed again only after something changed it, or on a new day
        (a window left open overnight shows what became 逾期)."""
        today = self.today()
        if self._rectifications is None or self._listed_on != today:  # 逾期 is told on a date
            self._listed_on = today
            self._rectifications = rect_service.list_rectifications(
                self._store, self.view.id, today, self.view, result=self.score
            )
        return self._rectifications

    def rectification(self, rectification_id: str) -> rect_service.RectificationEntry:
        return rect_service.get_rectification(self._store, rectification_id, self.today())

    def history(self, item_id: str) -> list[HistoryLine]:
        from .history import item_history

        return item_history(self._store, self.view.id, item_id, self.actor.device_id)

    def overview(self) -> Overview:
        from .overview import build_overview

        return build_overview(self._store, self.view.id, self.today(), earlier=self._earlier_rounds)

    def saved_position(self) -> str | None:
        """The item the user was on when this round was last open."""
        position = self._store.setting(POSITION_KEY) or {}
        return position.get("item_id") if position.get("round_id") == self.view.id else None

    def remember_position(self, item_id: str) -> None:
        """Where the user is: a convenience, so a locked database is told on the next edit, not here."""
        with contextlib.suppress(AppError):
            self._store.set_setting(POSITION_KEY, {"round_id": self.view.id, "item_id": item_id})

    # --- after a write ------------------------------------------------------------------------

    def _reread(self, item_ids: Sequence[str]) -> Changes:
        """Read the items' answers and samples back and score them again (their sections only)."""
        changed: dict[str, Outcome] = {}
        for item_id in item_ids:
            row = round_service.answer_of(self._store, self.view.id, item_id)
            if row is None:
                self.answers.pop(item_id, None)
            else:
                self.answers[item_id] = row
            self.samples[item_id] = round_service.samples_of(self._store, self.view.id, item_id)
            checklist = self.checklist_of[item_id]
            changed[item_id] = evaluate(
                self.items[item_id],
                checklist.scale,
                self.view.profile,
                self.view.year,
                self.answers.get(item_id),
                self.samples[item_id],
                self.previous_values.get(item_id),
            )
        self.score, sections = rescore(self.score, changed)
        self._rectifications = None  # an answer opens, closes or words a rectification
        return Changes(items=frozenset(item_ids), sections=sections, rectifications=True)

    def reload(self) -> Changes:
        """Read the whole round again (after an import wrote into it). The undo history goes:
        undoing an edit made before the import would write its old value over the imported one."""
        self._undo = _Undo()
        self.view = replace(self.view, status=self._store.round(self.view.id).status)  # 定稿 → 自查稿
        self.answers = round_service.answers_by_item(self._store, self.view.id)
        self.samples = round_service.samples_by_item(self._store, self.view.id)
        self.score = score_round(
            self.view.checklists, self.view.profile, self.view.year, self.answers, self.samples, self.previous_values
        )
        self._rectifications = None
        sections = frozenset(s.id for c in self.view.checklists for s in c.all_sections())
        return self._tell(Changes(frozenset(self.items), sections, rectifications=True, round=True))

    # --- answers ------------------------------------------------------------------------------

    def _answer_fields(self, item_id: str, keys: set[str]) -> dict[str, Any]:
        answer = self.answers.get(item_id)
        return {k: (getattr(answer, k) if answer else _ANSWER_DEFAULTS.get(k, "")) for k in keys}

    def set_answer(self, item_id: str, fields: Mapping[str, Any]) -> Changes:
        """Save ``fields`` of an item's answer. Raises :class:`InputError` (nothing saved) or
        :class:`SaveDeferred` (kept, to be retried)."""
        return self._tell(self._set_answer(item_id, fields, record=True))

    def _set_answer(self, item_id: str, fields: Mapping[str, Any], *, record: bool) -> Changes:
        keys = set(fields) | ({"na_reason"} if "grade" in fields else set())
        before = self._answer_fields(item_id, keys)
        try:
            answer_service.record_answer(self._store, self.view.id, item_id, self.actor, view=self.view, **fields)
        except InputError:
            raise
        except AppError as err:
            raise self._defer(item_id, dict(fields), err, record) from err
        self._saved_over_pending(item_id, fields)
        changes = self._reread([item_id])
        after = self._answer_fields(item_id, keys)
        if record and after != before:
            self._undo.push(Step("修改", "answer", item_id, before, after))
        return changes

    def set_samples(self, item_id: str, records: Sequence[answer_service.SampleInput]) -> Changes:
        """Replace the item's sampled records (抽查记录); raises like :meth:`set_answer`."""
        return self._tell(self._set_samples(item_id, records, record=True))

    def _set_samples(self, item_id: str, records: Sequence[answer_service.SampleInput], *, record: bool) -> Changes:
        before = self._sample_inputs(item_id)
        try:
            answer_service.set_samples(self._store, self.view.id, item_id, records, self.actor, view=self.view)
        except InputError:
            raise
        except AppError as err:
            raise self._defer(item_id, {SAMPLES: list(records)}, err, record) from err
        self._saved_over_pending(item_id, {SAMPLES: records})
        changes = self._reread([item_id])
        if record and before != list(records):
            self._undo.push(Step("修改抽查记录", "samples", item_id, before, list(records)))
        return changes

    def _sample_inputs(self, item_id: str) -> list[answer_service.SampleInput]:
        return [answer_service.SampleInput(s.record_no, s.compliant, s.note) for s in self.samples.get(item_id, [])]

    def _defer(self, item_id: str, fields: dict[str, Any], err: AppError, record: bool) -> AppError:
        """Keep what the database refused, to show it and save it later. Undo and redo are not
        kept: the user sees that they did not happen and can try again."""
        if not record:
            return err
        first = not self.pending
        self.pending.setdefault(item_id, {}).update(fields)
        return SaveDeferred(err, first)

    def _saved_over_pending(self, item_id: str, fields: Mapping[str, Any]) -> None:
        """What was just saved is newer than what waits for a retry: that must not overwrite it."""
        waiting = self.pending.get(item_id)
        if waiting is not None:
            for key in fields:
                waiting.pop(key, None)
            if not waiting:
                del self.pending[item_id]

    def retry_pending(self) -> Changes:
        """Save what the database refused before, each item's input in one transaction. Raises
        :class:`AppError` while the database still refuses; input now found invalid is dropped
        and named in ``Changes.refused``."""
        saved: list[str] = []
        refused: list[Refusal] = []
        # what a retry saves is undone like any edit: the state before it, and the fields it set
        steps: list[tuple[Step, set[str]]] = []
        for item_id, fields in list(self.pending.items()):
            before_answer = self._answer_fields(item_id, (set(fields) - {SAMPLES}) | {"na_reason"})
            before_samples = self._sample_inputs(item_id)
            try:
                done, item_refused = self._save_pending_item(item_id, fields)
            except AppError:
                self._tell(self._retried(saved, refused, steps))  # what was saved or dropped is told
                raise
            refused += item_refused
            del self.pending[item_id]
            if not done:
                continue
            saved.append(item_id)
            keys = {k for k in done if k != SAMPLES} | ({"na_reason"} if "grade" in done else set())
            if keys:
                before = {k: before_answer.get(k, _ANSWER_DEFAULTS.get(k, "")) for k in keys}
                steps.append((Step("修改", "answer", item_id, before, None), keys))
            if SAMPLES in done:
                steps.append((Step("修改抽查记录", "samples", item_id, before_samples, list(done[SAMPLES])), set()))
        return self._tell(self._retried(saved, refused, steps))

    def _save_pending_item(self, item_id: str, fields: Mapping[str, Any]) -> tuple[dict[str, Any], list[Refusal]]:
        """Save one item's waiting input in one transaction: (the fields saved, those refused).
        A field now found invalid is left out and named, and the rest is saved: a finding typed
        beside a mistyped number is not lost with it. AppError while the database refuses."""
        waiting = dict(fields)
        refused: list[Refusal] = []
        while waiting:
            answer_fields = {k: v for k, v in waiting.items() if k != SAMPLES}
            try:
                with self._store.brief_wait(), self._store.transaction():
                    if answer_fields:
                        answer_service.record_answer(
                            self._store, self.view.id, item_id, self.actor, view=self.view, **answer_fields
                        )
                    if SAMPLES in waiting:
                        answer_service.set_samples(
                            self._store, self.view.id, item_id, waiting[SAMPLES], self.actor, view=self.view
                        )
            except InputError as err:
                refused.append(Refusal(item_id, err.field, str(err)))
                culprit = err.field if err.field in waiting else _CAUSED_BY.get(err.field, "")
                if culprit not in waiting:
                    return {}, refused  # no one field to blame: nothing of the item is saved
                del waiting[culprit]
            else:
                return waiting, refused
        return {}, refused

    def _retried(self, saved: list[str], refused: list[Refusal], steps: list[tuple[Step, set[str]]]) -> Changes:
        """Read back what a retry saved and put it on the undo stack; name what it dropped."""
        changes = self._reread(saved) if saved else NOTHING
        for step, keys in steps:
            if step.key in saved:
                if step.target == "answer":
                    step.after = self._answer_fields(step.key, keys)
                if step.after != step.before:
                    self._undo.push(step)
        return replace(changes, refused=tuple(refused)) if refused else changes

    def drop_pending(self) -> None:
        """Give up what could not be saved (the user chose to leave without it)."""
        self.pending.clear()

    # --- rectifications -----------------------------------------------------------------------

    def open_rectification(self, item_id: str) -> Changes:
        """生成整改项 at the user's request (a C grade offers one); undone like an edit."""
        had = self.rectification_for(item_id) is not None
        changes = self._open_rectification(item_id, True)
        if not had:
            self._undo.push(Step("生成整改项", "open", item_id, False, True, item_id))
        return self._tell(changes)

    def _open_rectification(self, item_id: str, wanted: bool) -> Changes:
        """Open the item's rectification, or (undo) remove it again while nothing is written on it."""
        if wanted:
            rect_service.open_rectification(self._store, self.view.id, item_id, self.actor, self.today())
        else:
            entry = self.rectification_for(item_id)
            if entry is not None:
                if _has_work(entry):
                    raise InputError("这个整改项已填写了内容，不能再撤销“生成整改项”；如不需要，请在整改台账中删除。")
                rect_service.delete_rectification(self._store, entry.id, self.actor)
        self._rectifications = None
        return Changes(items=frozenset([item_id]), rectifications=True)

    def _rect_fields(self, entry: rect_service.RectificationEntry, keys: Sequence[str]) -> dict[str, Any]:
        """The fields as stored, for undo: the entry tells them as of the session's day, and a
        deadline moved after that day reads as the one before the move."""
        r = self._store.rectification(entry.id)
        values = {
            "problem": "" if entry.problem_from_findings else r.problem,
            "cause": r.cause,
            "measure": r.measure,
            "department": r.department,
            "owner": r.owner,
            "deadline": r.deadline.isoformat() if r.deadline else None,
        }
        return {k: values[k] for k in keys}

    def update_rectification(self, rectification_id: str, **fields: Any) -> Changes:
        """Set fields of a rectification (问题、原因、措施、科室、责任人、期限); raises InputError."""
        return self._tell(self._update_rectification(rectification_id, fields, record=True))

    def _update_rectification(self, rectification_id: str, fields: Mapping[str, Any], *, record: bool) -> Changes:
        old = self.rectification(rectification_id)
        before = self._rect_fields(old, list(fields))
        entry = rect_service.update_rectification(
            self._store, rectification_id, self.actor, today=self.today(), restoring=not record, **fields
        )
        after = self._rect_fields(entry, list(fields))
        if record and after != before:
            self._undo.push(
                Step("修改整改项", "rectification", rectification_id, before, after, entry.rectification.item_id)
            )
        return self._rectification_changed(entry)

    def record_recheck(self, rectification_id: str, **recheck: Any) -> Changes:
        """复查 (passed, date, by, result, and a missing 整改措施 written with it, undone with it);
        ``passed=None`` clears it. Raises InputError."""
        return self._tell(self._record_recheck(rectification_id, recheck, record=True))

    def _record_recheck(self, rectification_id: str, recheck: Mapping[str, Any], *, record: bool) -> Changes:
        def state(r: Rectification) -> dict[str, Any]:
            # a 整改措施 written with the re-check is undone with it
            measure = {"measure": r.measure} if "measure" in recheck else {}
            return {
                "passed": r.recheck_passed,
                "date": r.recheck_date,
                "by": r.rechecked_by,
                "result": r.recheck_result,
                **measure,
            }

        before = state(self.rectification(rectification_id).rectification)
        entry = rect_service.record_recheck(
            self._store, rectification_id, self.actor, today=self.today(), restoring=not record, **recheck
        )
        after = state(entry.rectification)
        if record and after != before:
            self._undo.push(Step("记录复查", "recheck", rectification_id, before, after, entry.rectification.item_id))
        return self._rectification_changed(entry)

    def _rectification_changed(self, entry: rect_service.RectificationEntry) -> Changes:
        if self._rectifications is not None:
            self._rectifications = [entry if e.id == entry.id else e for e in self._rectifications]
        return Changes(items=frozenset(entry.item_ids), rectifications=True)

    def deletion_refused(self, rectification_id: str) -> str:
        """Why 删除 is refused ('' when it is not), asked before the confirmation."""
        return rect_service.deletion_refused(self._store, rectification_id)

    def delete_rectification(self, rectification_id: str) -> Changes:
        """删除整改项 (asked for with a confirmation, so not on the undo stack)."""
        entry = self.rectification(rectification_id)
        rect_service.delete_rectification(self._store, rectification_id, self.actor)
        self._rectifications = None
        self._undo.done = [s for s in self._undo.done if s.key != rectification_id]
        self._undo.undone = [s for s in self._undo.undone if s.key != rectification_id]
        return self._tell(Changes(items=frozenset(entry.item_ids), rectifications=True))

    # --- attachments --------------------------------------------------------------------------

    def add_attachment(
        self, read: AttachmentFile, *, item_id: str | None = None, rectification_id: str | None = None
    ) -> Changes:
        attachment_service.store_attachment(
            self._store, self.view.id, read, self.actor, item_id=item_id, rectification_id=rectification_id
        )
        return self._attachments_changed(item_id, rectification_id)

    def remove_attachment(self, attachment: Attachment) -> Changes:
        if attachment.rectification_id is not None:  # evidence of work a 复查轮次 follows up stays
            rect_service.ensure_followed_up_here(self._store, attachment.rectification_id, "删除佐证材料")
        attachment_service.remove_attachment(self._store, attachment.id, self.actor)
        return self._attachments_changed(attachment.item_id, attachment.rectification_id)

    def export_attachment(self, attachment: Attachment) -> Path:
        """A copy of the attachment in a private folder, to open in the system's viewer."""
        return attachment_service.export_attachment(self._store, attachment)

    def _attachments_changed(self, item_id: str | None, rectification_id: str | None) -> Changes:
        if rectification_id is not None:
            self._rectifications = None  # the board counts 佐证
        return self._tell(
            Changes(items=frozenset([item_id] if item_id else []), rectifications=rectification_id is not None)
        )

    # --- the round ----------------------------------------------------------------------------

    def set_final(self, final: bool) -> Changes:
        """定稿 (or back to 自查稿)."""
        round_service.set_round_final(self._store, self.view.id, final, self.actor)
        self.view = replace(self.view, status="final" if final else "draft")
        return self._tell(Changes(round=True))

    # --- undo ---------------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo.done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undo.undone)

    def undo_text(self) -> str:
        step = self._undo.done[-1] if self._undo.done else None
        return f"撤销{step.label}" if step else ""

    def undo(self) -> Changes:
        """Put the state before the last change back; AppError when it cannot be (nothing changes)."""
        self._save_pending_first()
        if not self._undo.done:
            return NOTHING
        step = self._undo.done[-1]
        changes = self._apply_or_drop(step, step.before, self._undo.done, "撤销")
        self._undo.undone.append(self._undo.done.pop())
        return self._tell(changes)

    def redo(self) -> Changes:
        self._save_pending_first()
        if not self._undo.undone:
            return NOTHING
        step = self._undo.undone[-1]
        changes = self._apply_or_drop(step, step.after, self._undo.undone, "重做")
        self._undo.done.append(self._undo.undone.pop())
        return self._tell(changes)

    def _save_pending_first(self) -> None:
        """Input waiting for a retry is saved before an undo or redo (its save would otherwise
        drop it as older); while the database still refuses, so is the undo (AppError)."""
        if self.pending:
            self.retry_pending()

    def _apply_or_drop(self, step: Step, state: Any, stack: list[Step], verb: str) -> Changes:
        """Apply a step; one that can never apply again (its record is gone, its value no longer
        valid) leaves the stack with the reason, so that the steps below it stay reachable."""
        try:
            return self._apply(step, state)
        except (InputError, NotFoundError) as err:
            stack.pop()
            raise AppError(f"这一步（{step.label}）无法{verb}：{err} 已从撤销记录中移除。") from err

    def _follow_reopened(self, step: Step) -> None:
        """A rectification removed and opened again (undo, redo of a grade) has a new id: the
        steps that named the old one now name the new one."""
        try:
            self.rectification(step.key)
        except NotFoundError:
            entry = self.rectification_for(step.item_id) if step.item_id in self.items else None
            if entry is None:
                raise
            for other in (*self._undo.done, *self._undo.undone):
                if other.key == step.key:
                    other.key = entry.id

    def _apply(self, step: Step, state: Any) -> Changes:
        if step.target == "answer":
            return replace(self._set_answer(step.key, state, record=False), focus_item=step.key)
        if step.target == "samples":
            return replace(self._set_samples(step.key, state, record=False), focus_item=step.key)
        if step.target == "open":
            return replace(self._open_rectification(step.key, state), focus_item=step.key)
        self._follow_reopened(step)
        if step.target == "rectification":
            changes = self._update_rectification(step.key, state, record=False)
        else:
            assert step.target == "recheck"
            # cleared with the 整改措施 it was written with, if any
            recheck = (
                state if state["passed"] is not None else {k: v for k, v in state.items() if k in ("passed", "measure")}
            )
            changes = self._record_recheck(step.key, recheck, record=False)
        return replace(changes, focus_rectification=step.key)

"""自查轮次: start, list, open, rename and delete inspection rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.checklist import NOT_APPLICABLE, Checklist, Item, item_references
from ..domain.evaluation import indicator_value
from ..domain.formats import year_list_text, years_text
from ..domain.profile import MAX_NAME, HospitalProfile
from ..domain.records import Answer, SampleRecord
from ..domain.scoring import RoundScore, score_round
from ..domain.text import clean_text, name_key
from ..errors import InputError, NotFoundError
from ..store import Actor, Store
from ..store.records import FrozenChecklist, RoundRecord
from .profile import get_profile

if TYPE_CHECKING:  # the catalog (YAML, validation) is loaded only to start a round
    from ..catalog import CatalogEntry


@dataclass(frozen=True)
class RoundView:
    """A round with its frozen checklists and the profile it started with."""

    id: str
    name: str
    started_on: dt.date
    year: int
    leader: str
    members: tuple[str, ...]
    status: str
    previous_round_id: str | None
    profile: HospitalProfile
    checklists: tuple[Checklist, ...]
    hashes: dict[str, str]

    @property
    def is_final(self) -> bool:
        return self.status == "final"

    def find_item(self, item_id: str) -> tuple[Checklist, Item]:
        for checklist in self.checklists:
            item = checklist.item(item_id)
            if item is not None:
                return checklist, item
        raise NotFoundError(f"本轮自查中没有条目“{item_id}”。")

    def items(self) -> list[Item]:
        return [i for c in self.checklists for i in c.all_items()]


def start_round(
    store: Store,
    entries: Sequence[CatalogEntry],
    name: str,
    started_on: dt.date,
    actor: Actor,
    leader: str = "",
    members: Sequence[str] = (),
    year: int | None = None,
    previous_round_id: str | None = None,
) -> str:
    """Start a round over ``entries``, freezing their content; returns the round's id."""
    name = valid_round_name(store, name)
    if not entries:
        raise InputError("请至少选择一张检查表。", "checklists")
    profile = get_profile(store)
    if profile is None:
        raise InputError("请先填写医院基本情况，再开始自查。", "profile")
    if previous_round_id is not None:
        store.round(previous_round_id)  # raises NotFoundError
    leader, team = _team(leader, members)
    fields = {
        "name": name,
        "started_on": started_on.isoformat(),
        "year": year or started_on.year,
        "leader": leader,
        "members": team,
        "previous_round_id": previous_round_id,
        "profile": profile.to_dict(),
    }
    frozen = [
        {"checklist_id": e.checklist.id, "version": e.checklist.version, "sha256": e.sha256, "content": e.data}
        for e in entries
    ]
    return store.insert_round(fields, frozen, actor)


#: more names than any 检查组 has: 5,000 characters pasted into 组长 ran the cover over 15 pages
MAX_MEMBERS = 30


def _team(leader: str, members: Sequence[str]) -> tuple[str, list[str]]:
    """检查组组长 and 成员 as saved, each a name no longer than other names (责任人, 复查人)."""
    leader = clean_text(leader).strip()
    if len(leader) > MAX_NAME:
        raise InputError(f"检查组组长过长（{len(leader)} 字，最多 {MAX_NAME} 字）。", "leader")
    team = [m for m in (clean_text(m).strip() for m in members) if m]
    if long := next((m for m in team if len(m) > MAX_NAME), None):
        raise InputError(f"检查组成员“{long[:10]}…”过长（{len(long)} 字，每人最多 {MAX_NAME} 字）。", "members")
    if len(team) > MAX_MEMBERS:
        raise InputError(f"检查组成员过多（{len(team)} 人，最多 {MAX_MEMBERS} 人）。", "members")
    return leader, team


def target_years(checklists: Sequence[Checklist]) -> set[int]:
    """The years the checklists set targets for (a target without a year applies to every year)."""
    return {year for c in checklists for item in c.all_items() for year in item.targets}


def default_year(checklists: Sequence[Checklist], day: dt.date) -> int:
    """考核年度 for a round started on ``day``: its year, unless the checklists' yearly targets
    end before it; then their last year, so that the round is judged against targets at all."""
    years = target_years(checklists)
    return max(years) if years and day.year > max(years) else day.year


def year_advice(checklists: Sequence[Checklist], year: int, day: dt.date | None = None) -> str:
    """What the user should know about 考核年度 ``year`` with these checklists ('' when nothing):
    that it was set away from the year of ``day`` (the 自查日期) and why, which yearly targets
    apply when it has none, and which checklists' documents are for other years."""
    notes = [_targets_note(checklists, year, day), _period_note(checklists, year)]
    return "\n".join(note for note in notes if note)


def _targets_note(checklists: Sequence[Checklist], year: int, day: dt.date | None) -> str:
    years = target_years(checklists)
    if not years:
        return ""
    if day is not None and year != day.year and year == default_year(checklists, day):
        return (
            f"自查日期在 {day.year} 年，所选检查表的年度目标值只到 {year} 年，考核年度因此设为 {year} 年，"
            "指标按该年的目标值判定；需要时可以改。"
        )
    if year in years:
        return ""
    return (
        f"所选检查表只设了 {year_list_text(years)}的年度目标值。按 {year} 年考核时，分年度设目标的指标显示"
        f"“{year}年无目标值”，判为待判定；不分年度的目标照常适用。"
    )


def _period_note(checklists: Sequence[Checklist], year: int) -> str:
    """Checklists whose source documents cover other years: named, grouped by their years."""
    outside: dict[str, dict[str, None]] = {}  # (each name once: two versions of one checklist share it)
    for c in checklists:
        if not c.valid_in(year):
            outside.setdefault(years_text(c.valid_from, c.valid_to), {})[f"“{c.label}”"] = None
    return "；".join(
        f"{''.join(names)}依据的文件适用于 {period}，不含 {year} 年" for period, names in outside.items()
    ) + ("。条目照常使用，报告中写明所依据的文件。" if outside else "")


#: Checklists built from rounds' frozen copies, by checklist id and SHA-256 of the content: the
#: rounds frozen from one file share it (a Checklist is immutable). Two years of monthly rounds
#: built the same few files 83 times to draw a list; bounded by the file versions a database saw.
_BUILT: dict[tuple[str, str], Checklist] = {}
_MAX_BUILT = 64


def frozen_checklist(frozen: FrozenChecklist) -> Checklist:
    """The checklist a round froze (its SHA-256 is checked against the content when a package is
    imported, and computed from it when a round starts)."""
    key = (frozen.checklist_id, frozen.sha256)
    built = _BUILT.get(key)
    if built is None:
        built = Checklist.from_dict(dict(frozen.content))
        if len(_BUILT) >= _MAX_BUILT:
            _BUILT.clear()
        _BUILT[key] = built
    return built


def load_round(store: Store, round_id: str) -> RoundView:
    record = store.round(round_id)
    frozen = store.round_checklists(round_id)
    return RoundView(
        id=record.id,
        name=record.name,
        started_on=dt.date.fromisoformat(record.started_on),
        year=record.year,
        leader=record.leader,
        members=record.members,
        status=record.status,
        previous_round_id=record.previous_round_id,
        profile=HospitalProfile.from_dict(dict(record.profile)),
        checklists=tuple(frozen_checklist(f) for f in frozen),
        hashes={f.checklist_id: f.sha256 for f in frozen},
    )


def references(store: Store, view: RoundView) -> dict[str, str]:
    """Each item as the reports name it (核心制度 首诊负责制度 第1条), for the round's checklists and,
    where this round's rectifications name an item of none of them (carried over from a round
    that had a checklist this re-check left out), for the earlier rounds' checklists too: never
    an internal id on screen or paper."""
    out = item_references(view.checklists)
    missing = {r.item_id for r in store.rectifications(view.id)} - out.keys()
    return out | {item_id: reference for item_id, (reference, _) in items_found_earlier(store, view, missing).items()}


def items_found_earlier(store: Store, view: RoundView, item_ids: Iterable[str]) -> dict[str, tuple[str, Item]]:
    """Items of none of the round's checklists, as the earlier round that checked them names them
    (reference, item): a 复查轮次 that left a checklist out still follows up its rectifications."""
    missing = set(item_ids)
    out: dict[str, tuple[str, Item]] = {}
    seen = {view.id}
    previous = view.previous_round_id
    while missing and previous and previous not in seen:
        seen.add(previous)
        earlier = load_round(store, previous)
        found = item_references(earlier.checklists)
        items = {item.id: item for item in earlier.items()}
        out.update({item_id: (found[item_id], items[item_id]) for item_id in missing & found.keys()})
        missing -= found.keys()
        previous = earlier.previous_round_id
    return out


def round_name(store: Store, round_id: str) -> str:
    return store.round(round_id).name


def round_choices(store: Store) -> list[tuple[str, str]]:
    """(id, name) of every round, for a list to choose from (no scores: cheap)."""
    return [(record.id, record.name) for record in store.rounds()]


def rename_round(store: Store, round_id: str, name: str, actor: Actor) -> None:
    name = valid_round_name(store, name, round_id)
    store.round(round_id)
    store.update_round(round_id, {"name": name}, actor)


#: as the new-round form allows; reports print the name on every page
MAX_ROUND_NAME = 60


def round_named(store: Store, name: str) -> RoundRecord | None:
    """The round of this name, names compared as people mean them (全角/半角, spaces, invisible
    characters and case aside: ``name_key``); one database never holds two such."""
    key = name_key(name)
    return next((r for r in store.rounds() if name_key(r.name) == key), None)


def valid_round_name(store: Store, name: str, round_id: str | None = None) -> str:
    """The name as it will be saved: trimmed, at most 60 characters, and not another round's (of
    ``round_id``, the round being renamed) — nor one that only looks different from it: 全角
    digits, spaces, invisible characters."""
    name = clean_text(name).strip()
    if not name_key(name):  # (also a name of invisible characters only)
        raise InputError("请填写自查轮次名称。", "name")
    if len(name) > MAX_ROUND_NAME:
        raise InputError(f"自查轮次名称过长（{len(name)} 字，最多 {MAX_ROUND_NAME} 字）。", "name")
    other = round_named(store, name)
    if other is not None and other.id != round_id:
        raise InputError(f"已有名为“{other.name}”的自查轮次，请换一个名称。", "name")
    return name


def set_round_final(store: Store, round_id: str, final: bool, actor: Actor) -> None:
    """定稿: a final round's report drops the “自查稿” watermark."""
    store.update_round(round_id, {"status": "final" if final else "draft"}, actor)


def delete_round(store: Store, round_id: str, actor: Actor | None = None) -> None:
    """Delete a round with all it holds. Refused while a later 复查轮次 follows up its
    rectifications: deleted from the middle of a chain, the first round's rectifications came
    back open (and late) while the last round still followed them, and a new 复查 of the first
    round carried them a third time."""
    if refused := deletion_refused(store, round_id):
        raise InputError(refused)
    store.delete_round(round_id, *([actor] if actor else []))


def deletion_refused(store: Store, round_id: str) -> str:
    """Why the round cannot be deleted ('' when it can): see :func:`delete_round`."""
    record = store.round(round_id)
    if not (carriers := followed_up_in(store, round_id)):
        return ""
    later = "、".join(f"《{name}》" for name in carriers)
    return (
        f"“{record.name}”的整改项已转入{later}继续跟踪，不能删除此轮：删除后这些问题会在上一轮和"
        f"{later}中被重复跟踪。确要删除，请先删除{later}。"
    )


def deletion_note(store: Store, round_id: str) -> str:
    """What deleting a 复查轮次 does besides removing it: the rectifications it carried over go
    back to the rounds they came from, open there again ('' when it carried none)."""
    sources = {r.carried_from for r in store.rectifications(round_id) if r.carried_from}
    if not sources:
        return ""
    origins = set()
    for source in sources:
        try:
            origins.add(store.rectification(source).round_id)
        except NotFoundError:  # its round was deleted since: nothing goes back there
            continue
    names = [record.name for record in store.rounds() if record.id in origins]
    where = "、".join(f"《{name}》" for name in names) or "原来的轮次"
    return f"本轮从{where}转入的 {len(sources)} 项整改将回到{where}，在那里重新计为未完成或逾期。"


def followed_up_in(store: Store, round_id: str) -> list[str]:
    """The names of the 复查轮次 that carried over this round's rectifications, oldest first: a
    second re-check based on this round would carry nothing (each is followed up once)."""
    carriers = {r.round_id for r in store.rectifications_carried_from(round_id)}
    return [record.name for record in store.rounds() if record.id in carriers]


def answers_by_item(store: Store, round_id: str) -> dict[str, Answer]:
    return {answer.item_id: answer for answer in store.answers(round_id)}


def answer_of(store: Store, round_id: str, item_id: str) -> Answer | None:
    """One item's saved answer (after a save: only that item is read back)."""
    return store.answer(round_id, item_id)


def samples_by_item(store: Store, round_id: str) -> dict[str, list[SampleRecord]]:
    out: dict[str, list[SampleRecord]] = {}
    for record in store.samples(round_id):
        out.setdefault(record.item_id, []).append(record)
    return out


def samples_of(store: Store, round_id: str, item_id: str) -> list[SampleRecord]:
    """One item's sampled records, in order."""
    return store.samples(round_id, item_id)


def previous_values(
    store: Store, view: RoundView, known: Mapping[str, tuple[RoundView, Mapping[str, Answer]]] | None = None
) -> dict[str, float]:
    """Indicator values of the round's previous round: the reference for 逐步提高/降低 (``known``:
    rounds the caller has open, with their answers, by id: the previous one is not read again)."""
    if not view.previous_round_id:
        return {}
    if known and view.previous_round_id in known:
        previous, answers = known[view.previous_round_id]
    else:
        try:
            previous = load_round(store, view.previous_round_id)
        except NotFoundError:
            return {}
        answers = answers_by_item(store, previous.id)
    current = {item.id: item for item in view.items()}
    values: dict[str, float] = {}
    for item in previous.items():
        # a rate is recomputed in this round's unit: a newer checklist version may count it per
        # mille where the previous round's copy had per cent
        now = current.get(item.id)
        if now is not None and item.input == now.input == "ratio":
            item = now
        answer = answers.get(item.id)
        if answer is not None and answer.grade == NOT_APPLICABLE:  # 不适用 there: nothing to compare
            continue
        value = indicator_value(item, answer)
        if value is not None:
            values[item.id] = value
    return values


def score(store: Store, round_id: str, view: RoundView | None = None) -> RoundScore:
    """完成率与得分 of a round."""
    view = view or load_round(store, round_id)
    return score_round(
        view.checklists,
        view.profile,
        view.year,
        answers_by_item(store, round_id),
        samples_by_item(store, round_id),
        previous_values(store, view),
    )


@dataclass(frozen=True)
class RoundSummary:
    """One line of the rounds list."""

    id: str
    name: str
    started_on: str
    year: int
    status: str
    checklists: tuple[str, ...]
    completion: float
    score: float | None


#: where the rounds list keeps what it computed (settings key), and what it must match
SUMMARIES_SETTING = "rounds.summaries"


def list_rounds(store: Store, *, remember: bool = True) -> list[RoundSummary]:
    """The rounds list, newest first, with each round's checklists, 完成率 and 得分率.

    A round's figures are computed once and kept in the database with the round's change stamp
    (its newest 修改记录 entry) and the program's version; a round is opened and scored again
    only when it changed since, so the list does not read the answers of every round of two
    years each time it is shown. 完成率 and 得分率 depend on the round's own records only (the
    previous round's values decide whether a trend indicator is met, which neither counts).
    ``remember=False``: compute what changed without keeping it (a command that only reads)."""
    from .. import __version__

    records = store.rounds()
    stamps = store.change_stamps()
    kept = store.setting(SUMMARIES_SETTING) or {}
    known: dict[str, dict] = {}
    for record in records:
        stamp = f"{__version__}:{stamps.get(record.id, 0)}"
        summary = kept.get(record.id) if isinstance(kept, dict) else None
        if not isinstance(summary, dict) or summary.get("stamp") != stamp:
            summary = {"stamp": stamp, **_figures(store, record.id)}
        known[record.id] = summary
    if remember and known != kept:
        store.remember(SUMMARIES_SETTING, known)  # rounds deleted since drop out
    return [
        RoundSummary(
            record.id,
            record.name,
            record.started_on,
            record.year,
            record.status,
            tuple(known[record.id]["checklists"]),
            known[record.id]["completion"],
            known[record.id]["score"],
        )
        for record in records
    ]


def _figures(store: Store, round_id: str) -> dict:
    view = load_round(store, round_id)
    tally = score_round(
        view.checklists, view.profile, view.year, answers_by_item(store, round_id), samples_by_item(store, round_id)
    ).tally
    return {"checklists": [c.label for c in view.checklists], "completion": tally.completion, "score": tally.score}

"""导入合并: bring a verified package's round into this database, record by record.

Records are matched by UUID (an answer or a rectification also by its item, when two PCs made
one each for the same item), never by position. For each record the package's version is:

- **added** when this database does not have it;
- **unchanged** when both are equal, or when ours grew out of the package's (its content hash is
  in our record's history: we changed it since);
- **updated** when the package's version grew out of ours (our hash is in the package's history);
- otherwise both changed it since they parted, and the fields are merged three ways against
  the version both had last (their **common ancestor**, found and rebuilt from the change
  history): a field changed on one side only takes that side's value; a field changed on both
  sides to different values is a **conflict**, which never silently resolves. The caller
  settles each conflicting field (``"local"`` or ``"package"``); unsettled ones keep the local
  value and come back with the next import. Without a common ancestor every field that
  differs is a conflict.

Everything is written in one transaction after the plan is made; a refused import writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.checklist import Checklist, item_references
from ..domain.identifiers import PSEUDONYM_PREFIX
from ..domain.labels import TABLE_LABELS
from ..domain.profile import same_hospital
from ..errors import AppError
from ..store import PATIENT_KEY_SETTING, Actor, Store, history, now
from ..store import records as rec
from . import threeway
from .verify import Package

LOCAL, PACKAGE = "local", "package"
#: how much of a value merged without asking the conflicts' list shows
_MERGED_CHARS = 24
#: a conflict not settled: the local value stays, and the conflict comes back with the next import
UNRESOLVED = "unresolved"
#: a conflict settled part by part, some parts each way
MIXED = "mixed"
#: how each way of settling a conflict reads in the result
SETTLED_TEXT = {
    PACKAGE: "采用上报包的值",
    LOCAL: "保留本机的值",
    MIXED: "逐项选择了两边的值",
    UNRESOLVED: "未处理：暂保留本机的值，下次导入时再列出",
}


class ImportRefused(AppError):
    """The package cannot go into this database (another hospital's, another checklist set …)."""


class OtherHospital(ImportRefused):
    """Another hospital's package, for a database not (yet) confirmed to collect several. The
    GUI asks the user with ``theirs`` and ``ours``; the CLI names its option."""

    def __init__(self, theirs: str, ours: str) -> None:
        super().__init__(f"上报包属于“{theirs}”，本数据库是“{ours}”的，尚未用于汇总多家医院，未导入。")
        self.theirs, self.ours = theirs, ours


@dataclass(frozen=True)
class Side:
    """One side of a conflict: the values, and who wrote them when."""

    values: dict[str, Any]
    author: str
    updated_at: str
    device_id: str


@dataclass(frozen=True)
class Conflict:
    """A record both sides changed since they parted, in ways that cannot both be kept: its
    ``parts`` (groups of fields, each settled as a whole) were changed on both sides to
    different values. Fields changed on one side only are merged without asking: ``taken``
    from the package, ``kept`` from here."""

    key: str
    table: str
    item_id: str | None
    label: str
    local: Side
    package: Side
    parts: tuple[tuple[str, ...], ...]
    taken: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    #: False: no version both sides had was found, so every field that differs is in ``parts``
    ancestor: bool = True

    @property
    def fields(self) -> list[str]:
        """The conflicting fields whose values differ, in the record's order."""
        return [f for part in self.parts for f in self.differing(part)]

    def differing(self, part: Sequence[str]) -> list[str]:
        return [f for f in part if self.local.values.get(f) != self.package.values.get(f)]

    def part_key(self, part: Sequence[str]) -> str:
        """The key that settles one part (the conflict's own key settles all of them)."""
        return f"{self.key}#{part[0]}"

    def to_dict(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {
                "values": {f: s.values[f] for f in self.fields},
                "author": s.author,
                "updated_at": s.updated_at,
                "device_id": s.device_id,
            }

        return {
            "key": self.key,
            "table": self.table,
            "what": TABLE_LABELS[self.table],
            "item_id": self.item_id,
            "label": self.label,
            "local": side(self.local),
            "package": side(self.package),
            "parts": [{"key": self.part_key(p), "fields": self.differing(p)} for p in self.parts],
            "taken_from_package": self.differing(self.taken),
            "kept_from_local": self.differing(self.kept),
            "merged": self.merged_lines(),
            "common_ancestor": self.ancestor,
        }

    def merged_lines(self) -> list[str]:
        """What of the record is merged without asking, value by value, as the person settling
        the conflict reads it: a field only the package changed is taken from it, one only this
        PC changed is kept (``等级：采用上报包的“B”（本机原为“C”）``). Without the values the
        person could not see what was being taken. An empty value is 未填, as in 修改记录; one
        side's empty value is that side's clearing (``按上报包清空``)."""
        from ..domain.labels import FIELD_LABELS
        from ..services.history import EMPTY, quoted

        def short(name: str, value: Any) -> str | None:
            return quoted(name, value, _MERGED_CHARS)

        lines = []
        for name in self.differing(self.taken):
            new, old = short(name, self.package.values.get(name)), short(name, self.local.values.get(name))
            was = f"本机原为{old}" if old else f"本机原{EMPTY}"
            done = f"采用上报包的{new}" if new else "按上报包清空"
            lines.append(f"{FIELD_LABELS.get(name, name)}：{done}（{was}）")
        for name in self.differing(self.kept):
            ours, theirs = short(name, self.local.values.get(name)), short(name, self.package.values.get(name))
            there = f"上报包为{theirs}" if theirs else f"上报包{EMPTY}"
            done = f"保留本机的{ours}" if ours else "保持本机已清空"
            lines.append(f"{FIELD_LABELS.get(name, name)}：{done}（{there}）")
        return lines


@dataclass
class _Change:
    table: str
    key: str
    item_id: str | None
    incoming: dict[str, Any]
    local: dict[str, Any] | None
    local_id: str | None
    incoming_hash: str | None
    local_hash: str | None = None
    #: the package's version, when ``incoming`` is not exactly it (fields merged from both sides)
    package_hash: str | None = None
    merged: bool = False

    @property
    def theirs_hash(self) -> str | None:
        return self.package_hash or self.incoming_hash


@dataclass
class ImportPlan:
    """What an import would do, shown before it is done (导入预览)."""

    package: Package
    round_id: str
    round_name: str
    new_round: bool
    other_hospital: bool
    added: list[_Change] = field(default_factory=list)
    updated: list[_Change] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: a package's rectification matched to ours by item: its id → ours (its attachments follow)
    rect_ids: dict[str, str] = field(default_factory=dict)
    #: of the unchanged, those whose version here holds a later change made on the package's own
    #: PC: the package is an older export of that PC (a newer one was imported here)
    older: int = 0
    #: the pseudonym key (hex) this database takes from the package (:func:`_shared_key`)
    shared_key: str | None = None
    _pending: dict[str, _Change] = field(default_factory=dict, repr=False)
    _entry_ids: set[str] | None = field(default=None, repr=False)

    @property
    def package_entry_ids(self) -> set[str]:
        if self._entry_ids is None:
            self._entry_ids = {e["id"] for e in self.package.data["history"]}
        return self._entry_ids

    def counts(self) -> dict[str, int]:
        """How many of the package's records are added, updated, unchanged or in conflict (each
        record once: they add up to the package's records); ``merged``: of the updated, those
        that take fields from both sides."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "conflicts": len(self.conflicts),
            "merged": sum(1 for c in self.updated if c.merged),
        }

    @property
    def changes_nothing(self) -> bool:
        """Nothing to add, update or settle: no 导入前 backup is made for it (a day of imports of
        packages already here rotated out the backups taken before them)."""
        return self.nothing_new_text() is not None

    def nothing_new_text(self) -> str | None:
        """Why the package changes nothing here, as the person importing reads it (None: it
        changes something): all of it is here; and when the PC that exported it changed some of
        it since, in a package imported here before, that this one is an older export (a
        department that sent its first package again after its second), and what to do."""
        counts = self.counts()
        if counts["added"] + counts["updated"] + counts["conflicts"]:
            return None
        text = "上报包中的内容本机都已有，没有需要导入的内容。"
        if self.older:
            text += (
                f"这是导出该包的电脑较早的一次导出：其中 {self.older} 条记录，本机已有该电脑之后修改的版本"
                "（来自之前导入的、较新的上报包）。如需该电脑此后的修改，请向其索取最新导出的上报包。"
            )
        return text

    def by_table(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for name, changes in (("added", self.added), ("updated", self.updated)):
            for change in changes:
                out.setdefault(TABLE_LABELS[change.table], {"added": 0, "updated": 0})[name] += 1
        return out


@dataclass(frozen=True)
class ImportResult:
    """What an import did. Each of the package's records is counted once, as the preview counted
    it: added, updated, unchanged or in conflict; how each conflict was settled is in ``resolved``."""

    round_id: str
    added: int
    updated: int
    unchanged: int
    conflicts: tuple[Conflict, ...]
    #: how each conflict was settled: key → package, local, mixed (some parts each way) or
    #: unresolved (the local values stay; the conflict comes back with the next import)
    resolved: dict[str, str]
    warnings: tuple[str, ...]
    #: each settled part: part key → local or package
    choices: dict[str, str] = field(default_factory=dict)
    #: the round was 定稿 here and the import changed what its reports say: it is 自查稿 again
    drafted: bool = False

    def settled(self) -> dict[str, int]:
        """How many conflicts were settled each way (package, local, mixed, unresolved), in that order."""
        counts = {how: 0 for how in SETTLED_TEXT}
        for how in self.resolved.values():
            counts[how] += 1
        return counts

    def text(self) -> str:
        """The result as a sentence: 新增 1，更新 2，未变 115，冲突 2（1 条采用上报包的值，1 条保留本机的值）"""
        text = f"新增 {self.added}，更新 {self.updated}，未变 {self.unchanged}，冲突 {len(self.conflicts)}"
        settled = [f"{n} 条{SETTLED_TEXT[how]}" for how, n in self.settled().items() if n]
        text += f"（{'，'.join(settled)}）" if settled else ""
        return text + ("；本轮已定稿，导入改变了评价或整改，已改回自查稿，核对后可再次定稿" if self.drafted else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "round_id": self.round_id,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": [
                {
                    **c.to_dict(),
                    "settled": self.resolved[c.key],
                    "choices": {
                        f: self.choices[c.part_key(p)]
                        for p in c.parts
                        if c.part_key(p) in self.choices
                        for f in c.differing(p)
                    },
                }
                for c in self.conflicts
            ],
            "warnings": list(self.warnings),
            "drafted": self.drafted,
        }


# --- planning --------------------------------------------------------------------------------


_COLLECTS_SETTING = "exchange.collects_hospitals"


def collects_hospitals(store: Store) -> bool:
    """True once the user confirmed that this database collects several hospitals' rounds."""
    return bool(store.setting(_COLLECTS_SETTING, False))


def plan_import(store: Store, package: Package, *, allow_other_hospital: bool = False) -> ImportPlan:
    """Compare the package with the database; writes nothing."""
    data = package.data
    round_in = data["round"]
    own = _local_profile(store)
    other = _other_hospital(store, own, round_in["profile"], allow_other_hospital)
    checklists = _frozen_checklists(data)
    items = _item_labels(checklists)
    existing_round = _local_round(store, round_in["id"])
    if existing_round is None:
        _refuse_a_round_deleted_here(store, round_in)
    _refuse_another_hospitals_round(existing_round, round_in["profile"])
    _refuse_records_of_other_rounds(store, data)
    plan = ImportPlan(package, round_in["id"], round_in["name"], existing_round is None, other)
    _refuse_other_checklists_or_items(store, data, existing_round, items)
    ancestry = _ancestry(data["history"])
    if own is None:
        plan.added.append(
            _Change(
                "hospital",
                data["hospital"]["id"],
                None,
                data["hospital"],
                None,
                None,
                history.content_hash("hospital", data["hospital"]),
            )
        )
    else:  # the profile here is this database's own: the package's is counted, not taken
        plan.unchanged += 1
    _plan_record(store, plan, ancestry, "rounds", round_in, existing_round, round_in["name"])
    _plan_answers(store, plan, ancestry, items, existing_round is not None)
    _plan_samples(store, plan, ancestry, items)
    _plan_rectifications(store, plan, ancestry, items, existing_round is not None)
    _plan_attachments(store, plan, items, existing_round is not None)
    if package.manifest["patient_ids"] == "pseudonymised" and any(c.table == "samples" for c in plan.added):
        plan.warnings.append("上报包中的病案号已脱敏：导入的抽查记录以“脱敏-”代码代替病案号，可计数，不能对应到病历。")
    plan.shared_key = _shared_key(store, plan)
    return plan


#: said when this database takes the pseudonym key of its hospital's package
KEY_TAKEN = (
    "本机改用上报包中本院的病案号脱敏密钥：此后本机导出的脱敏上报包，导出该包的电脑（如质控办）"
    "能把其中的病案号对应回原号，本机修改的抽查记录在那里作为更新导入。"
)
#: said when it keeps its own
KEY_KEPT = (
    "本机已有以病案号原号录入的抽查记录，继续使用本机自己的病案号脱敏密钥：本轮发回导出该包的电脑合并时，"
    "请选“保留病案号原样”导出，否则对方无法把病案号对应回原号。"
)


def _shared_key(store: Store, plan: ImportPlan) -> str | None:
    """The pseudonym key to take from a package with 病案号. The office sent its round to 内科
    with 病案号 kept; 内科 corrected a record and sent back its default (脱敏) package, its
    numbers pseudonymised under its own key: the office paired none of them with its records,
    kept its own and counted the correction as 未变 (review, exchange 1). A database takes its
    own hospital's key while it holds no real 病案号 (now or in its history) that it could have
    pseudonymised under a key of its own, so nothing it exported before changes meaning; one
    that does keeps its key, and the clerk is told how to send the round back."""
    from .export import stored_pseudonym_key

    theirs = plan.package.manifest.get("patient_key")
    if not theirs or plan.other_hospital:
        return None
    ours = stored_pseudonym_key(store)
    if ours is not None and ours.hex() == theirs:
        return None
    if ours is not None and _holds_record_numbers(store):
        plan.warnings.append(KEY_KEPT)
        return None
    plan.warnings.append(KEY_TAKEN)
    return theirs


def _holds_record_numbers(store: Store) -> bool:
    """Whether a sampled record here, now or in its history, is known by its real 病案号."""
    return any(not n.startswith(PSEUDONYM_PREFIX) for n in _record_numbers(store))


def _record_numbers(store: Store, round_id: str | None = None) -> Iterator[str]:
    """The 病案号 of the sampled records of a round (or of every round), now and in their history."""
    for rid in [round_id] if round_id is not None else [r.id for r in store.rounds()]:
        yield from (s.record_no for s in store.samples(rid))
    for entry in store.history(round_id=round_id, record_table="samples"):
        for records in entry.changes.get("records") or ():
            yield from (str(r["record_no"]) for r in records or ())


def _other_hospital(store: Store, own: dict[str, Any] | None, theirs: dict[str, Any], allowed: bool) -> bool:
    """Whether the package is another hospital's; refused unless allowed or already collecting."""
    other = own is not None and not same_hospital(own, theirs)
    if other and own is not None and not (allowed or collects_hospitals(store)):
        raise OtherHospital(theirs["name"], own["name"])
    return other


def _refuse_a_round_deleted_here(store: Store, round_in: Mapping[str, Any]) -> None:
    """A package of a round deleted here: its records belong to no round (the dry run counted them
    as added, the import failed on SQLite's “FOREIGN KEY constraint failed”), and bringing the
    round back unasked would undo the deletion."""
    deleted = [e for e in store.history(record_table="rounds", record_id=round_in["id"]) if e.action == "delete"]
    if not deleted:
        return
    from ..domain.formats import cn_local_time

    last = deleted[-1]
    who = f"，{last.author}" if last.author else ""
    raise ImportRefused(
        f"这一轮自查“{round_in['name']}”已于 {cn_local_time(last.at)} 在本机删除{who}。上报包中的记录属于这一轮，"
        "没有导入，本数据库未作任何修改。如需找回这一轮，可从删除之前的备份恢复（“文件 → 备份与恢复”），"
        "或把上报包导入另一个数据库查看。"
    )


def _refuse_another_hospitals_round(existing_round: dict[str, Any] | None, theirs: dict[str, Any]) -> None:
    if existing_round is not None and not same_hospital(existing_round["profile"], theirs):
        raise ImportRefused(
            f"本数据库中编号相同的一轮自查属于“{existing_round['profile'].get('name')}”，"
            f"上报包属于“{theirs['name']}”：两家医院用了同一份轮次（如复制的数据库），无法合并。"
        )


def _refuse_other_checklists_or_items(
    store: Store, data: dict[str, Any], existing_round: dict[str, Any] | None, items: Mapping[str, str]
) -> None:
    """The same round must use the same frozen checklists here and in the package, and every
    answered or sampled item must be in them."""
    if existing_round is not None:
        local_frozen = {(c.checklist_id, c.sha256) for c in store.round_checklists(data["round"]["id"])}
        if local_frozen != {(c["checklist_id"], c["sha256"]) for c in data["checklists"]}:
            raise ImportRefused(
                f"本数据库中的“{existing_round['name']}”与上报包中的同一轮使用的检查表版本不同，无法合并。"
            )
    for item_id in {a["item_id"] for a in data["answers"]} | {s["item_id"] for s in data["samples"]}:
        if item_id not in items:
            raise ImportRefused(f"上报包中的条目“{item_id}”不在本轮的检查表中，数据不完整或被改动过，未导入。")


def _plan_answers(
    store: Store,
    plan: ImportPlan,
    ancestry: _Ancestry,
    items: Mapping[str, str],
    round_exists: bool,
) -> None:
    rid = plan.round_id
    local_answers = {a.id: rec.answer_to_row(a) for a in store.answers(rid)} if round_exists else {}
    by_item = {a["item_id"]: a for a in local_answers.values()}
    for answer in plan.package.data["answers"]:
        local = local_answers.get(answer["id"]) or by_item.get(answer["item_id"])
        _plan_record(
            store, plan, ancestry, "answers", {**answer, "round_id": rid}, local, _item_label(items, answer["item_id"])
        )


def _plan_rectifications(
    store: Store,
    plan: ImportPlan,
    ancestry: _Ancestry,
    items: Mapping[str, str],
    round_exists: bool,
) -> None:
    rid = plan.round_id
    incoming = plan.package.data["rectifications"]
    local_rects = {r.id: rec.rectification_to_row(r) for r in store.rectifications(rid)} if round_exists else {}
    incoming_ids = {r["id"] for r in incoming}
    for rect in incoming:
        local = local_rects.get(rect["id"])
        if local is None:  # opened on both PCs for the same item: one rectification, not two
            twins = [r for r in local_rects.values() if r["item_id"] == rect["item_id"] and r["id"] not in incoming_ids]
            local = twins[0] if len(twins) == 1 else None
            if local is not None:
                plan.rect_ids[rect["id"]] = local["id"]  # its attachments follow it
        _plan_record(
            store,
            plan,
            ancestry,
            "rectifications",
            {**rect, "round_id": rid},
            local,
            f"整改项：{rect['problem'] or _item_label(items, rect['item_id'])}",
        )


def _frozen_checklists(data: dict[str, Any]) -> list[Checklist]:
    from .checklists import frozen_checklists

    try:
        return frozen_checklists(data)
    except AppError as err:
        raise ImportRefused(f"{err}未导入。") from None


def _refuse_records_of_other_rounds(store: Store, data: dict[str, Any]) -> None:
    """A record id that is another round's here: a forged or mixed-up package would move that
    record into this round (writes go by id)."""
    round_id = data["round"]["id"]
    for table in ("answers", "rectifications", "attachments"):
        held = store.rounds_holding(table, [r["id"] for r in data[table]])
        if any(holder != round_id for holder in held.values()):
            raise ImportRefused(
                f"上报包中有记录的编号与本数据库中另一轮自查的{TABLE_LABELS[table]}相同，"
                "数据被改动过或来自复制的数据库，未导入。"
            )


def _local_profile(store: Store) -> dict[str, Any] | None:
    """The hospital profile here, as a row to compare with the package's."""
    record = store.profile()
    return rec.hospital_to_row(record) if record else None


def _local_round(store: Store, round_id: str) -> dict[str, Any] | None:
    """The round here, as a row to compare with the package's (None: not here)."""
    from ..errors import NotFoundError

    try:
        return rec.round_to_row(store.round(round_id))
    except NotFoundError:
        return None


def _item_labels(checklists: Sequence[Checklist]) -> dict[str, str]:
    """Each item of the package's checklists as people read it in the preview and the CLI: where it
    stands (核心制度 … 第1条, as the reports name it) and the start of its text, not its id."""
    references = item_references(checklists)
    return {i.id: f"{references[i.id]} {_text_start(i.text)}" for c in checklists for i in c.all_items()}


def _text_start(text: str, length: int = 60) -> str:
    """The start of an item's text, without its closing 。: messages go on after it ("…记入病历：…")."""
    return text[:length] + "…" if len(text) > length else text.rstrip("。；;，,、 ")


def _item_label(items: Mapping[str, str], item_id: str) -> str:
    return items.get(item_id, item_id)


_Ancestry = dict[tuple[str, str], list[dict[str, Any]]]


def _ancestry(entries: list[dict[str, Any]]) -> _Ancestry:
    """The package's history entries of each record, in the package's order."""
    out: _Ancestry = {}
    for e in entries:
        out.setdefault((e["record_table"], e["record_id"]), []).append(e)
    return out


def _hashes(entries: list[dict[str, Any]]) -> set[str]:
    """Every content hash the record has had: its ancestry."""
    return {h for e in entries for h in (e["old_hash"], e["new_hash"]) if h}


def _plan_record(
    store: Store,
    plan: ImportPlan,
    ancestry: _Ancestry,
    table: str,
    incoming: dict[str, Any],
    local: dict[str, Any] | None,
    label: str,
) -> None:
    key = incoming["id"]
    item_id = incoming.get("item_id")
    incoming_hash = history.content_hash(table, incoming)
    if local is None:
        if _deleted_since(store, table, key, incoming_hash):
            plan.unchanged += 1
            return
        plan.added.append(_Change(table, key, item_id, incoming, None, None, incoming_hash))
        if store.was_deleted(table, key):
            plan.warnings.append(_back_after_deletion(store, table, key, label))
        return
    local_hash = history.content_hash(table, local)
    local_key = local["id"]
    _decide(store, plan, ancestry, table, local_key, key, item_id, incoming, local, incoming_hash, local_hash, label)


def _back_after_deletion(store: Store, table: str, key: str, label: str) -> str:
    """A record deleted here that the package changed since (a department went on filling in a
    rectification the office deleted): it comes back, so that nothing the department wrote is
    lost, and the office is told why a row it deleted is there again."""
    from ..domain.formats import cn_local_time

    last = [e for e in store.history(record_table=table, record_id=key) if e.action == "delete"][-1]
    who = f"（{last.author}）" if last.author else ""
    return (
        f"{label}：已于 {cn_local_time(last.at)} 在本机删除{who}，上报包中有本机没有的修改，已按上报包恢复；"
        "如仍不需要，可再次删除。"
    )


def _decide(
    store: Store,
    plan: ImportPlan,
    ancestry: _Ancestry,
    table: str,
    local_key: str,
    incoming_key: str,
    item_id: str | None,
    incoming: dict[str, Any],
    local: dict[str, Any],
    incoming_hash: str | None,
    local_hash: str | None,
    label: str,
) -> None:
    change = _Change(table, local_key, item_id, incoming, local, local_key, incoming_hash, local_hash)
    theirs = ancestry.get((table, incoming_key), [])
    if incoming_hash == local_hash:
        plan.unchanged += 1
        return
    ours = store.history(record_table=table, record_id=local_key)
    # A version is known to the other side by the change that made it, not by its content alone:
    # 质控办 setting an answer back to A, as it was before 内科 made it B, has A's hash, which 内科's
    # package holds; taken as grown out of ours, the package's B silently undid the office's A.
    if local_hash in _hashes(theirs) and (not ours or ours[-1].id in plan.package_entry_ids):
        plan.updated.append(change)  # the package's grew out of ours
    elif incoming_hash in store.record_hashes(table, local_key) and (
        not theirs or theirs[-1]["id"] in {e.id for e in ours}
    ):
        plan.unchanged += 1  # ours grew out of the package's
        plan.older += _sender_changed_since(store, plan, table, local_key)
    else:
        _merge_fields(store, plan, theirs, change, label)


def _sender_changed_since(store: Store, plan: ImportPlan, table: str, key: str) -> bool:
    """Whether our record holds a change made on the package's PC that the package does not
    know: that PC exported again since, and the newer package came here first."""
    device = plan.package.manifest["device_id"]
    known = plan.package_entry_ids
    return any(e.device_id == device and e.id not in known for e in store.history(record_table=table, record_id=key))


def _merge_fields(store: Store, plan: ImportPlan, theirs: list[dict[str, Any]], change: _Change, label: str) -> None:
    """Both sides changed the record since they parted: field by field against the version both
    had last, each side's own changes are kept; what both changed differently is a conflict."""
    assert change.local is not None
    table = change.table
    ours_now, theirs_now = history.content(table, change.local) or {}, history.content(table, change.incoming) or {}
    ours = _local_history(store, change)
    shared, ancestor = _common_version(change, theirs, ours, ours_now, theirs_now)
    if table == "samples" and _merge_samples(plan, change, _records_base(change, theirs, ours, shared, ancestor)):
        return
    merge = threeway.merge_fields(table, ancestor, ours_now, theirs_now)
    if merge.conflicts:
        conflict = Conflict(
            f"{table}:{change.key}",
            table,
            change.item_id,
            label,
            _side(ours_now, change.local),
            _side(theirs_now, change.incoming),
            merge.conflicts,
            merge.taken,
            merge.kept,
            merge.ancestor,
        )
        plan.conflicts.append(conflict)
        plan._pending[conflict.key] = change
    elif not merge.taken:
        plan.unchanged += 1  # what the package changed, we have
    elif not merge.kept:
        plan.updated.append(change)  # what we changed, the package has
    else:
        plan.updated.append(_merged(change, merge.taken))


def _records_base(
    change: _Change,
    theirs: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    shared: str | None,
    ancestor: dict[str, Any] | None,
) -> list[Any] | None:
    """The sampled records both sides had last (None: not known)."""
    if change.local_hash is None or change.incoming_hash is None:
        return None
    return threeway.records_base(ancestor, shared, theirs, change.incoming_hash, ours, change.local_hash)


def _merge_samples(plan: ImportPlan, change: _Change, base: list[Any] | None) -> bool:
    """Both sides changed an item's sampled records: merged record by record (each known by its
    病案号) against ``base``, the list both had last, when no record was changed on both sides to
    different values. Two departments that each sampled records of one item began from none:
    that is their common ancestor (:func:`threeway.records_base`). False: the lists conflict as
    wholes."""
    assert change.local is not None
    if base is None:
        return False
    rows = threeway.merge_records(base, change.local["rows"], change.incoming["rows"])
    if rows is None:
        return False
    merged = {"id": change.key, "item_id": change.item_id, **history.samples_record(rows)}
    merged_hash = history.content_hash("samples", merged)
    if merged_hash == change.local_hash:
        plan.unchanged += 1  # what the package changed, we have
    elif merged_hash == change.incoming_hash:
        plan.updated.append(change)  # what we changed, the package has
    else:
        ids: set[str] = set()
        written = []
        for position, row in enumerate(rows):
            row_id = row["id"] if row["id"] not in ids else _uuid()
            ids.add(row_id)
            written.append({**row, "id": row_id, "position": position})
        incoming = {**change.incoming, **merged, "rows": written}
        plan.updated.append(
            _Change(
                "samples",
                change.key,
                change.item_id,
                incoming,
                change.local,
                change.local_id,
                merged_hash,
                change.local_hash,
                change.incoming_hash,
                merged=True,
            )
        )
    return True


def _local_history(store: Store, change: _Change) -> list[dict[str, Any]]:
    """This database's history entries of the record."""
    return [e.to_dict() for e in store.history(record_table=change.table, record_id=change.key)]


def _common_version(
    change: _Change,
    theirs: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    ours_now: dict[str, Any],
    theirs_now: dict[str, Any],
) -> tuple[str | None, dict[str, Any] | None]:
    """The hash of the version both sides had last (None: none found) and its content, rebuilt
    from both histories (None: not known, also when the version could not be rebuilt)."""
    if change.local_hash is None or change.incoming_hash is None:
        return None, None
    ancestor = threeway.common_ancestor(theirs, ours, change.incoming_hash, change.local_hash)
    if ancestor is None:
        return None, None
    known: dict[str | None, dict[str, Any] | None] = {change.local_hash: ours_now, change.incoming_hash: theirs_now}
    return ancestor, threeway.versions(change.table, [*theirs, *ours], known).get(ancestor)


def _side(content: dict[str, Any], row: dict[str, Any]) -> Side:
    return Side(content, row.get("author", ""), row.get("updated_at", ""), row.get("device_id", ""))


def _merged(change: _Change, from_package: Sequence[str]) -> _Change:
    """The change that writes our record with ``from_package`` fields taken from the package's;
    the package's version becomes an ancestor of it. Neither side wrote this version: it is
    written as the importer's (:func:`_write`)."""
    local, package = change.local, change.incoming
    assert local is not None
    row: dict[str, Any] = {**local, **{f: package[f] for f in from_package if f in package}}
    return _Change(
        change.table,
        change.key,
        change.item_id,
        row,
        local,
        change.local_id,
        history.content_hash(change.table, row),
        change.local_hash,
        change.incoming_hash,
        merged=True,
    )


def _deleted_since(store: Store, table: str, key: str, incoming_hash: str | None) -> bool:
    """Deleted here after it was as the package has it: the package's copy is older, not new."""
    return store.was_deleted(table, key) and incoming_hash in store.record_hashes(table, key)


def _plan_samples(store: Store, plan: ImportPlan, ancestry: _Ancestry, items: Mapping[str, str]) -> None:
    package = plan.package
    pseudonymised = package.manifest["patient_ids"] == "pseudonymised"
    rid = plan.round_id
    ours = _own_pseudonyms(store, rid) if not plan.new_round else {}
    for group in package.data["samples"]:
        item_id = group["item_id"]
        key = history.samples_key(rid, item_id)
        local_rows = [rec.sample_to_row(s) for s in store.samples(rid, item_id)] if not plan.new_round else []
        rows = _numbered(group["records"], ours)
        if ours and ("samples", key) in ancestry:
            ancestry[("samples", key)] = [_numbered_entry(e, ours) for e in ancestry[("samples", key)]]
        incoming = {"id": key, "item_id": item_id, **history.samples_record(rows), "rows": rows}
        if not rows:
            _plan_cleared_samples(store, plan, ancestry.get(("samples", key), []), key, item_id, local_rows, items)
            continue
        if local_rows and _pseudonyms_and_numbers(local_rows, rows):
            # records known by 病案号 cannot be paired with pseudonyms of another database's key:
            # merged, each record was there twice (10 real and 10 脱敏-…) and all were scored
            plan.unchanged += 1
            plan.warnings.append(
                f"{_item_label(items, item_id)}：本机与上报包的抽查记录一方为病案号原号、一方为脱敏代码，"
                "无法逐份对应，保留本机的抽查记录。"
            )
            continue
        if pseudonymised and local_rows and any(str(r["record_no"]).startswith(PSEUDONYM_PREFIX) for r in rows):
            # real 病案号 here: pseudonyms never replace them (our own, read back, are ours)
            plan.unchanged += 1
            if history.content_hash("samples", history.samples_record(local_rows)) != history.content_hash(
                "samples", incoming
            ):
                plan.warnings.append(f"{_item_label(items, item_id)}：上报包中的病案号已脱敏，保留本机的抽查记录。")
            continue
        if not local_rows:
            if _deleted_since(store, "samples", key, history.content_hash("samples", incoming)):
                plan.unchanged += 1
                continue
            plan.added.append(
                _Change("samples", key, item_id, incoming, None, None, history.content_hash("samples", incoming))
            )
            continue
        last = max(local_rows, key=lambda r: r["updated_at"])
        local = {
            "id": key,
            **history.samples_record(local_rows),
            "rows": local_rows,
            "author": last["author"],
            "updated_at": last["updated_at"],
            "device_id": last["device_id"],
        }
        first = group["records"][0] if group["records"] else {}
        incoming |= {
            "author": first.get("author", ""),
            "updated_at": max((r["updated_at"] for r in group["records"]), default=""),
            "device_id": first.get("device_id", ""),
        }
        _decide(
            store,
            plan,
            ancestry,
            "samples",
            key,
            key,
            item_id,
            incoming,
            local,
            history.content_hash("samples", incoming),
            history.content_hash("samples", local),
            _item_label(items, item_id),  # (the conflict's table says 抽查记录)
        )


def _plan_cleared_samples(
    store: Store,
    plan: ImportPlan,
    theirs: list[dict[str, Any]],
    key: str,
    item_id: str,
    local_rows: list[dict[str, Any]],
    items: Mapping[str, str],
) -> None:
    """An item whose records the package's PC removed, all of them (export.round_data sends it
    as an empty list): they go here too when the PC removed what we hold, unchanged since.
    Removing 1 of 10 came across, removing all 10 did not."""
    if not local_rows:
        plan.unchanged += 1
        return
    local = {"id": key, "item_id": item_id, **history.samples_record(local_rows), "rows": local_rows}
    local_hash = history.content_hash("samples", local)
    last = theirs[-1] if theirs else None
    if last is not None and last["new_hash"] is None and last["old_hash"] == local_hash:
        incoming = {"id": key, "item_id": item_id, "records": [], "rows": []}
        plan.updated.append(_Change("samples", key, item_id, incoming, local, key, None, local_hash))
        return
    plan.unchanged += 1
    if last is not None and last["new_hash"] is None:  # removed there, changed here since: ours stay
        plan.warnings.append(
            f"{_item_label(items, item_id)}：上报包一方已删除全部抽查记录，本机其后又有修改，保留本机的抽查记录。"
        )


def _own_pseudonyms(store: Store, round_id: str) -> dict[str, str]:
    """This database's pseudonyms of the round's real 病案号 → the numbers: a department that
    took the office's default (脱敏) package sends back the office's own pseudonyms, which are
    its records under another name. Also of the numbers the round's records had once (their
    history): a record the office removed after sending its package was otherwise another key's
    pseudonym in the department's list, and the two lists had no version in common."""
    from .export import pseudonym, stored_pseudonym_key

    key = stored_pseudonym_key(store)
    if key is None:
        return {}
    numbers = set(_record_numbers(store, round_id))
    return {pseudonym(key, n): n for n in numbers if not n.startswith(PSEUDONYM_PREFIX)}


def _numbered(records: Sequence[Mapping[str, Any]], ours: Mapping[str, str]) -> list[dict[str, Any]]:
    """``records`` with this database's own pseudonyms (``ours``) read back as its 病案号."""
    return [{**r, "record_no": ours.get(r["record_no"], r["record_no"])} for r in records]


def _numbered_entry(entry: dict[str, Any], ours: Mapping[str, str]) -> dict[str, Any]:
    """A package's history entry of sampled records, its lists read back as ours (:func:`_numbered`)
    and its hashes those of the lists read back. Its records must be known here as the rows are:
    the department that changed one of the office's pseudonymised records made an entry from a
    list the office knows only by its real numbers, and the change came in as a conflict of two
    lists with nothing in common. A pseudonymised package has no hashes of sampled records at
    all (export): they are made here, from the lists."""
    lists = entry["changes"].get("records")
    if lists is None:  # e.g. how a conflict was settled: its versions are known by hash only
        return entry
    old, new = (None if v is None else _numbered(v, ours) for v in lists)

    def hashed(records: list[dict[str, Any]] | None) -> str | None:
        return None if not records else history.content_hash("samples", history.samples_record(records))

    return {
        **entry,
        "changes": {**entry["changes"], "records": [old, new]},
        "old_hash": hashed(old),
        "new_hash": hashed(new),
    }


def _pseudonyms_and_numbers(local: Sequence[Mapping[str, Any]], incoming: Sequence[Mapping[str, Any]]) -> bool:
    """One side's records all pseudonyms, the other's all real 病案号 (neither empty)."""

    def kinds(rows: Sequence[Mapping[str, Any]]) -> set[bool]:
        return {str(r["record_no"]).startswith(PSEUDONYM_PREFIX) for r in rows}

    ours, theirs = kinds(local), kinds(incoming)
    return len(ours) == len(theirs) == 1 and ours != theirs


def _plan_attachments(store: Store, plan: ImportPlan, items: Mapping[str, str], round_exists: bool) -> None:
    local = store.attachments(plan.round_id) if round_exists else []
    rect_items = {r["id"]: r.get("item_id") for r in plan.package.data["rectifications"]}
    ids = {a.id for a in local}
    same = {(a.sha256, a.item_id, a.rectification_id) for a in local}
    for attachment in plan.package.data["attachments"]:
        rect = attachment.get("rectification_id")
        attachment = {**attachment, "rectification_id": plan.rect_ids.get(rect, rect)} if rect else attachment
        key = (attachment["sha256"], attachment.get("item_id"), attachment.get("rectification_id"))
        if attachment["id"] in ids or key in same:
            plan.unchanged += 1  # an attachment never changes; the same file twice is kept once
        elif store.was_deleted("attachments", attachment["id"]):
            # deleted here (a photo showing a patient, removed on purpose): the package's copy is
            # older, not new, and it would have gone out again to the commission
            plan.unchanged += 1
        elif attachment["path"] is None:
            # where it belongs: two attachments of one name were otherwise one message twice
            where = ""
            if attachment.get("item_id"):
                where = _item_label(items, attachment["item_id"]) + "："
            elif rect_items.get(rect):  # (rect: the package's id)
                where = _item_label(items, rect_items[rect]) + "的整改项："
            plan.warnings.append(
                f"{where}附件“{attachment['filename']}”未随上报包提供（导出时未选择包含附件），未导入。"
            )
        else:
            plan.added.append(
                _Change("attachments", attachment["id"], attachment.get("item_id"), attachment, None, None, None)
            )


# --- applying --------------------------------------------------------------------------------


def backup_first(store: Store, plan: ImportPlan) -> bool:
    """Whether the import is backed up first (导入前): it changes something, in a database with
    something to lose (a profile or a round; a new, empty database has nothing)."""
    return not plan.changes_nothing and bool(store.rounds() or store.profile())


def apply_import(
    store: Store,
    plan: ImportPlan,
    actor: Actor,
    resolutions: Mapping[str, str] | None = None,
    *,
    allow_other_hospital: bool = False,
    backed_up: bool = False,
) -> ImportResult:
    """Write the plan in one transaction. ``resolutions`` settles conflicts, each as a whole (its
    key → local or package) or part by part (a part key → local or package); a part left out
    keeps the local value, and its conflict is reported and comes back with the next import.

    A database with something to lose is backed up first, unless the caller did so
    (``backed_up``: the GUI makes that backup in the background). The package's attachments are
    copied in a piece at a time, checked against its manifest again on the way: one changed since
    it was verified undoes the whole import."""
    from ..services.rectifications import sync_rectifications
    from ..services.rounds import load_round

    choices = _checked(plan, resolutions)
    settled = {c.key: _settle(c, plan._pending[c.key], choices) for c in plan.conflicts}
    data = plan.package.data
    rid = plan.round_id
    touched_items: set[str] = set()
    if not backed_up and backup_first(store, plan):
        from ..store.backup import backup_before

        backup_before(store.conn, store.path, "导入前")
    skipped = {  # an unsettled conflict must come back: the package's versions are no ancestors of ours
        (c.table, key)
        for c in plan.conflicts
        if settled[c.key].outcome == UNRESOLVED
        for key in (plan._pending[c.key].key, plan._pending[c.key].incoming["id"])
    }
    with store.transaction():
        if plan.other_hospital:
            store.set_setting(_COLLECTS_SETTING, True)
        if plan.shared_key:
            store.set_setting(PATIENT_KEY_SETTING, plan.shared_key)
        # the package's history first: the changes it brings were made before this import, and
        # 修改记录 lists entries in the order they were recorded here (newest first)
        store.append_history(
            [history.Entry.from_row(e) for e in data["history"] if (e["record_table"], e["record_id"]) not in skipped]
        )
        writes = [*plan.added, *plan.updated, *(s.write for s in settled.values() if s.write)]
        for change in writes:
            if change.table == "rounds" and change.local is None:
                _add_round(store, plan, dict(change.incoming), actor)
            else:
                _write(store, change, actor, rid, plan.package, plan.rect_ids)
            if change.item_id and change.table in ("answers", "samples", "rectifications"):
                touched_items.add(change.item_id)  # the rules of 整改 apply to what came in
        _link_merges(store, plan, settled, rid, actor)
        if touched_items:
            sync_rectifications(store, load_round(store, rid), sorted(touched_items), actor)
        drafted = not plan.new_round and _draft_again(store, writes, rid, actor)
    return ImportResult(  # counted as in the preview: a settled conflict is not also an update
        rid,
        len(plan.added),
        len(plan.updated),
        plan.unchanged,
        tuple(plan.conflicts),
        {key: s.outcome for key, s in settled.items()},
        tuple(plan.warnings),
        choices,
        drafted,
    )


#: what a round's reports are made of: a change to any makes a 定稿 round a 自查稿 again
_REPORTED = ("answers", "samples", "rectifications", "attachments")


def _draft_again(store: Store, writes: Sequence[_Change], rid: str, actor: Actor) -> bool:
    """A 定稿 round the import changed is a 自查稿 again, as after an edit made here
    (services.session): it stayed 定稿, and went to the commission as such, unreviewed D and
    new 整改项 and all, its 自查报告 without the 自查稿 watermark."""
    from ..services.rounds import set_round_final

    if store.round(rid).status != "final" or not any(c.table in _REPORTED for c in writes):
        return False
    set_round_final(store, rid, False, actor)
    return True


def _checked(plan: ImportPlan, resolutions: Mapping[str, str] | None) -> dict[str, str]:
    """The choice for each part (part key → local or package): a conflict's own key stands for
    all its parts, a part's key (which wins) for that part."""
    parts = {c.part_key(p): c.key for c in plan.conflicts for p in c.parts}
    for key, choice in (resolutions or {}).items():
        if choice not in (LOCAL, PACKAGE) or (key not in plan._pending and key not in parts):
            raise AppError(f"无法识别的冲突处理：{key} → {choice}")
    given = resolutions or {}
    choices = {part: given.get(part, given.get(conflict)) for part, conflict in parts.items()}
    return {part: choice for part, choice in choices.items() if choice is not None}


@dataclass(frozen=True)
class _Settlement:
    """What settling a conflict writes (None: our record stays as it is), and how it went."""

    write: _Change | None
    outcome: str  # LOCAL, PACKAGE, MIXED or UNRESOLVED


def _settle(conflict: Conflict, change: _Change, choices: Mapping[str, str]) -> _Settlement:
    """The record as the choices make it: fields changed only in the package, and the parts
    chosen from it, are the package's; the rest stays ours."""
    chosen = [choices.get(conflict.part_key(p)) for p in conflict.parts]
    sides = {c or UNRESOLVED for c in chosen}
    outcome = UNRESOLVED if UNRESOLVED in sides else MIXED if len(sides) > 1 else sides.pop()
    from_package = [
        *conflict.taken,
        *(f for p, choice in zip(conflict.parts, chosen, strict=True) if choice == PACKAGE for f in p),
    ]
    if not from_package:
        return _Settlement(None, outcome)
    if outcome == PACKAGE and not conflict.kept:
        return _Settlement(change, outcome)  # the package's version as it is
    return _Settlement(_merged(change, from_package), outcome)


def _link_merges(
    store: Store, plan: ImportPlan, settled: Mapping[str, _Settlement], round_id: str, actor: Actor
) -> None:
    """Make the package's version an ancestor of ours wherever ours now holds what it had to say:
    a record whose fields were merged from both sides, and every settled conflict (kept as ours,
    or merged). The same package then brings nothing back.

    A conflict settled for the package's version as it is needs no link (ours is now the
    package's), but gets one all the same: it is the record that the conflict was settled here,
    and by whom. 修改记录 on other PCs leaves out this PC's plain import entries, and without it
    listed the change there as if no one had chosen."""
    for change in plan.updated:
        if change.merged:
            _log_link(store, change, round_id, actor, threeway.MERGED, change.incoming_hash)
    for conflict in plan.conflicts:
        settlement = settled[conflict.key]
        pending = plan._pending[conflict.key]
        if settlement.outcome == UNRESOLVED:
            continue
        if settlement.write is pending:
            _log_link(store, pending, round_id, actor, PACKAGE, pending.incoming_hash)
        elif settlement.write is None:
            _log_link(store, pending, round_id, actor, LOCAL, pending.local_hash)
        else:
            _log_link(store, pending, round_id, actor, threeway.MERGED, settlement.write.incoming_hash)


def _add_round(store: Store, plan: ImportPlan, row: dict[str, Any], actor: Actor) -> None:
    """A round new here, under a free name, linked to its previous round only if that is here too."""
    from ..services.rounds import valid_round_name

    try:
        valid_round_name(store, row["name"])
    except AppError:
        row["name"] = _free_name(store, row["name"], row["profile"].get("name", "") if plan.other_hospital else "导入")
    if row.get("previous_round_id") and _local_round(store, row["previous_round_id"]) is None:
        row["previous_round_id"] = None
    _put(store, "rounds", row, None, actor)
    store.insert_round_checklists(plan.round_id, plan.package.data["checklists"])


def _log_link(store: Store, change: _Change, round_id: str, actor: Actor, how: str, result_hash: str | None) -> None:
    """A ``merge`` entry from the package's version to ours (``how``: kept as ours, merged, or
    the package's taken)."""
    store.append_history(
        [
            history.Entry(
                _uuid(),
                round_id,
                change.table,
                change.local_id or change.key,
                change.item_id,
                "merge",
                {"resolved": [PACKAGE, how]},
                change.theirs_hash,
                result_hash,
                now(),
                actor.author,
                actor.device_id,
            )
        ]
    )


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


def _free_name(store: Store, name: str, hospital: str) -> str:
    from ..services.rounds import MAX_ROUND_NAME, valid_round_name

    for n in range(1, 100):
        suffix = f"（{hospital}）" if n == 1 else f"（{hospital} {n}）"
        candidate = name[: MAX_ROUND_NAME - len(suffix)] + suffix
        try:
            return valid_round_name(store, candidate)
        except AppError:
            continue
    raise ImportRefused(f"无法为导入的自查轮次“{name}”找到不重复的名称。")


def _put(store: Store, table: str, row: dict[str, Any], before: dict[str, Any] | None, actor: Actor) -> None:
    columns = store.columns(table)
    clean = {k: v for k, v in row.items() if k in columns}
    for flag in ("compliant", "recheck_passed"):
        if isinstance(clean.get(flag), bool):
            clean[flag] = int(clean[flag])
    store.put_record(table, clean, actor, before=before, log=False)
    entry = history.change_entry(
        table,
        clean["id"],
        clean.get("round_id") or (clean["id"] if table == "rounds" else None),
        clean.get("item_id"),
        before,
        {**(before or {}), **clean},
        at=now(),
        author=actor.author,
        device_id=actor.device_id,
        action="merge",
    )
    if entry is not None:
        store.append_history([entry])


def _write(
    store: Store,
    change: _Change,
    actor: Actor,
    rid: str,
    package: Package,
    plan_rect_ids: Mapping[str, str],
) -> None:
    from ..services.rounds import valid_round_name

    row = dict(change.incoming)
    if change.merged:  # a version neither side had: the import made it
        row |= {"updated_at": now(), "author": actor.author, "device_id": actor.device_id}
    if change.table == "hospital":
        _put(store, "hospital", row, None, actor)
    elif change.table == "samples":
        columns = store.columns("samples") - {"round_id", "item_id"}
        rows = [{k: (int(v) if k == "compliant" else v) for k, v in r.items() if k in columns} for r in row["rows"]]
        store.put_samples(rid, change.item_id or "", rows, actor, log=False)
        store.append_history(
            [
                history.Entry(
                    _uuid(),
                    rid,
                    "samples",
                    change.key,
                    change.item_id,
                    "merge",
                    {"records": [None if change.local is None else change.local["records"], row["records"]]},
                    change.local_hash,
                    change.incoming_hash,
                    now(),
                    actor.author,
                    actor.device_id,
                )
            ]
        )
    elif change.table == "attachments":
        rect = row.get("rectification_id")
        row["rectification_id"] = plan_rect_ids.get(rect, rect) if rect else rect
        fields = {k: v for k, v in row.items() if k != "path"} | {"round_id": rid}
        store.put_attachment(fields, row["size"], package.member_chunks(row["path"]))
    elif change.table == "rounds":
        assert change.local is not None  # a round new here is written by the caller
        # the round's own fields only: its link to an earlier round stays as it is here
        fields = {f: row[f] for f in history.CONTENT_FIELDS["rounds"]}
        if fields["name"] != change.local["name"]:
            try:
                valid_round_name(store, fields["name"], rid)
            except AppError:
                fields["name"] = _free_name(store, fields["name"], row["profile"].get("name", ""))
        meta = {k: row[k] for k in ("updated_at", "author", "device_id")}
        _put(store, "rounds", {**change.local, **fields, **meta}, change.local, actor)
    else:
        if change.local is not None:
            row["id"] = change.local["id"]  # matched by item: keep our id, take their content
            if change.table == "rectifications":
                row["created_at"] = change.local["created_at"]
        _put(store, change.table, {**row, "round_id": rid}, change.local, actor)

"""Three-way merge of one record's fields, against the version both sides had last.

Two PCs that both changed a record since they parted (a department's 整改措施 on one, another's
原因分析 on the other) did not change the same thing. Which fields each side changed shows only
against their **common ancestor**, the version both had last. The change history holds it:

- every entry links the content hash the record had before a change to the one after
  (``old_hash`` → ``new_hash``) and lists the changed fields with their old and new values;
  following the links back from each side's version gives the versions it grew out of, and
  the latest version in both is the ancestor (:func:`common_ancestor`). Two records made
  apart (two PCs that each opened a rectification for the same item) have one when they
  started equal;
- the version's fields are rebuilt by replaying the entries from the versions known in full
  (ours and the package's as they are now, and every record's first entry, which lists all its
  fields), each step accepted only when the result hashes to the entry's hash, so an entry that
  does not describe its change in full (how a conflict was settled, a 病案号 list exported
  without its hashes) is never trusted.

When no common version is found, or it cannot be rebuilt, there is no ancestor and every field
that differs is a conflict, as it was before the merge went field by field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..store import history

#: A history marker (``changes = {"resolved": [package, MERGED]}``): the record took fields from
#: both sides, so the package's version is one of its ancestors
MERGED = "merged"

#: Fields whose values belong together, merged and settled as one: a grade and its 不适用 reason;
#: an indicator's figures (validated against each other: a numerator from one side and a
#: denominator from the other could be a rate above 100 %); a re-check; a round's date and year.
TOGETHER: dict[str, tuple[tuple[str, ...], ...]] = {
    "answers": (("grade", "na_reason"), ("value", "numerator", "denominator", "baseline")),
    "rectifications": (("recheck_date", "rechecked_by", "recheck_result", "recheck_passed"),),
    "rounds": (("started_on", "year"),),
}


def groups(table: str) -> tuple[tuple[str, ...], ...]:
    """The record's fields as they are merged: groups of :data:`TOGETHER`, every other field on
    its own, in the order of the record's fields."""
    out: list[tuple[str, ...]] = []
    for name in history.CONTENT_FIELDS[table]:
        group = next((g for g in TOGETHER.get(table, ()) if name in g), (name,))
        if group not in out:
            out.append(group)
    return tuple(out)


@dataclass(frozen=True)
class FieldMerge:
    """Which side each group of fields that differs comes from."""

    #: changed in the package only: the package's value is taken
    taken: tuple[str, ...]
    #: changed here only: our value stays
    kept: tuple[str, ...]
    #: changed on both sides, to different values: the user decides, group by group
    conflicts: tuple[tuple[str, ...], ...]
    #: False: no common ancestor, so each group that differs is a conflict
    ancestor: bool


def merge_fields(
    table: str, ancestor: Mapping[str, Any] | None, ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> FieldMerge:
    """Compare the two versions' contents group by group against ``ancestor`` (None: unknown)."""
    taken: list[str] = []
    kept: list[str] = []
    conflicts: list[tuple[str, ...]] = []
    for group in groups(table):
        mine, their = [ours.get(f) for f in group], [theirs.get(f) for f in group]
        if mine == their:
            continue
        base = None if ancestor is None else [ancestor.get(f) for f in group]
        if base is not None and mine == base:
            taken += group
        elif base is not None and their == base:
            kept += group
        else:
            conflicts.append(group)
    return FieldMerge(tuple(taken), tuple(kept), tuple(conflicts), ancestor is not None)


def common_ancestor(
    theirs: Sequence[Mapping[str, Any]], ours: Sequence[Mapping[str, Any]], theirs_now: str, ours_now: str
) -> str | None:
    """The content hash of the latest version both sides had, or None.

    ``theirs`` are the package's history entries of the record, in the package's order;
    ``ours`` this database's; ``theirs_now`` and ``ours_now`` the hashes of the two versions
    now. A common version is one each side's version grew out of, following the entries'
    links back from it. Of several, the latest: the one an entry both sides hold arrived at
    last in the package's order (content can return to an earlier version, by an undo for
    one, so a hash alone does not say which time it was), else the latest in that order.

    Links, not the bare sets of hashes, decide what a version grew out of: a record's first entry
    here lists the fields it was given, while the stored row also has the columns' defaults (""),
    so the first entry's hash is not the row's and the next change starts from the row's. That
    first version is then a root of its own, which following the links back never reaches."""
    common = _grew_from(theirs, theirs_now) & _grew_from(ours, ours_now)
    if not common:
        return None
    ids = {e["id"] for e in ours}

    def last(hash_: str, where: str, shared: bool) -> int:
        return max(
            (n for n, e in enumerate(theirs) if e[where] == hash_ and (e["id"] in ids or not shared)), default=-1
        )

    return max(
        sorted(common),
        key=lambda h: (last(h, "new_hash", True), last(h, "new_hash", False), last(h, "old_hash", False)),
    )


def _grew_from(entries: Sequence[Mapping[str, Any]], now: str) -> set[str]:
    """Every version the entries lead from to ``now`` (``now`` included)."""
    before: dict[str, set[str]] = {}
    for e in entries:
        if e["old_hash"] and e["new_hash"]:
            before.setdefault(e["new_hash"], set()).add(e["old_hash"])
    seen, todo = {now}, [now]
    while todo:
        for older in before.get(todo.pop(), ()):
            if older not in seen:
                seen.add(older)
                todo.append(older)
    return seen


def versions(
    table: str, entries: Iterable[Mapping[str, Any]], known: Mapping[str | None, Mapping[str, Any] | None]
) -> dict[str, dict[str, Any]]:
    """Every version of the record whose content the entries let us rebuild: content hash →
    content, starting from ``known`` (hash → content). A step is taken forwards (old + change →
    new) or backwards (new − change → old), and kept only when it hashes as the entry says."""
    fields = history.CONTENT_FIELDS[table]
    out = {h: dict(c) for h, c in known.items() if h is not None and c is not None}
    steps = [e for e in entries if e["new_hash"] and e["changes"] and set(e["changes"]) <= set(fields)]
    progress = True
    while progress:
        progress = False
        for entry in steps:
            rebuilt = _step(table, entry, out, fields)
            if rebuilt is not None:
                out[rebuilt[0]] = rebuilt[1]
                progress = True
    return out


def _step(
    table: str, entry: Mapping[str, Any], known: Mapping[str, dict[str, Any]], fields: Sequence[str]
) -> tuple[str, dict[str, Any]] | None:
    """The version this entry lets us rebuild that is not known yet, if its hash agrees."""
    old, new, changes = entry["old_hash"], entry["new_hash"], entry["changes"]
    if new not in known and (old is None or old in known):
        start = dict.fromkeys(fields) if old is None else known[old]
        target, guess = new, {**start, **{f: values[1] for f, values in changes.items()}}
    elif old is not None and old not in known and new in known:
        target, guess = old, {**known[new], **{f: values[0] for f, values in changes.items()}}
    else:
        return None
    content = history.content(table, guess)
    if content is None or history.content_hash(table, content) != target:
        return None
    return target, content


def records_base(
    ancestor: Mapping[str, Any] | None,
    shared: str | None,
    theirs: Sequence[Mapping[str, Any]],
    theirs_now: str,
    ours: Sequence[Mapping[str, Any]],
    ours_now: str,
) -> list[Mapping[str, Any]] | None:
    """The sampled records both sides had last, to merge an item's lists against (None: not
    known, the lists conflict as wholes): the common version's (``ancestor``, rebuilt from the
    version ``shared``), else the empty list when the two lists each began from none.

    The empty list only when no version is shared at all (one shared but not rebuilt is not
    "none in common"), and when neither side ever cleared the list: a list cleared and sampled
    again also leads from no records to now, though both sides had the cleared records, and
    merged against none those records came back on the side that had deleted them."""
    if ancestor is not None:
        return list(ancestor["records"])
    if shared is not None or _cleared(theirs) or _cleared(ours):
        return None
    return [] if _grew_from_nothing(theirs, theirs_now) and _grew_from_nothing(ours, ours_now) else None


def _cleared(entries: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the record was ever emptied (an entry from a version to none)."""
    return any(e["old_hash"] and e["new_hash"] is None for e in entries)


def _grew_from_nothing(entries: Sequence[Mapping[str, Any]], now: str) -> bool:
    """Whether the entries lead from no record at all to ``now``: a record's first entry has no
    ``old_hash``."""
    versions = _grew_from(entries, now)
    return any(e["old_hash"] is None and e["new_hash"] in versions for e in entries)


def merge_records(
    base: Sequence[Mapping[str, Any]], ours: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]] | None:
    """An item's sampled records merged record by record, each known by its 病案号, against the
    list both sides had last (``base``; empty when each began from none): a record added,
    changed or removed on one side only is taken from that side, so two departments that each
    sampled other records of the item keep both. None when a 病案号 was changed on both sides to
    different values, or repeats within a list: then the lists conflict as wholes. Records are
    the rows as given (ours, then the package's new ones, in each side's order); only their
    ``record_no``, ``compliant`` and ``note`` are compared."""

    def by_number(rows: Sequence[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]] | None:
        out = {r["record_no"]: r for r in rows}
        return out if len(out) == len(rows) else None

    def same(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
        if a is None or b is None:
            return a is b
        return (a["record_no"], bool(a["compliant"]), a.get("note") or "") == (
            b["record_no"],
            bool(b["compliant"]),
            b.get("note") or "",
        )

    b, o, t = by_number(base), by_number(ours), by_number(theirs)
    if b is None or o is None or t is None:
        return None
    merged: list[Mapping[str, Any]] = []
    for number in [*o, *(n for n in t if n not in o), *(n for n in b if n not in o and n not in t)]:
        mine, their, was = o.get(number), t.get(number), b.get(number)
        if same(mine, their) or same(their, was):
            keep = mine
        elif same(mine, was):
            keep = their
        else:
            return None
        if keep is not None:
            merged.append(keep)
    return merged

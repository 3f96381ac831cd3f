"""Checklists (检查表), their sections, items and grade scales."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .profile import Condition, HospitalProfile

#: The grade code for 不适用 chosen by the user (needs a reason, excluded from the score).
NOT_APPLICABLE = "NA"

#: Multipliers for rates entered as numerator / denominator.
RATE_UNITS: dict[str, float] = {"%": 100.0, "‰": 1000.0, "‱": 10000.0}

DIRECTIONS: dict[str, str] = {
    ">=": "≥",
    ">": ">",
    "<=": "≤",
    "increase": "逐步提高",
    "decrease": "逐步降低",
}


@dataclass(frozen=True)
class Grade:
    """One grade of a scale (评定等级), e.g. C 有制度有落实."""

    code: str
    label: str
    points: float
    failing: bool = False
    offers_rectification: bool = False

    @property
    def display(self) -> str:
        return self.code if self.code == self.label else f"{self.code} {self.label}"


@dataclass(frozen=True)
class Scale:
    """评分标准: the grades a judgement item can be given."""

    id: str
    label: str
    grades: tuple[Grade, ...]

    @property
    def max_points(self) -> float:
        return max(g.points for g in self.grades)

    def grade(self, code: str) -> Grade | None:
        return next((g for g in self.grades if g.code == code), None)

    def codes(self) -> list[str]:
        return [g.code for g in self.grades]


SCALES: dict[str, Scale] = {
    "pdca": Scale(
        "pdca",
        "PDCA 四级评价",
        (
            Grade("A", "持续改进", 4),
            Grade("B", "有监管", 3),
            Grade("C", "有制度有落实", 2, offers_rectification=True),
            Grade("D", "不符合", 0, failing=True),
        ),
    ),
    "compliance": Scale(
        "compliance",
        "符合程度",
        (
            Grade("符合", "符合", 2),
            Grade("部分符合", "部分符合", 1, offers_rectification=True),
            Grade("不符合", "不符合", 0, failing=True),
        ),
    ),
    "yes_no": Scale(
        "yes_no",
        "是/否",
        (
            Grade("是", "是", 1),
            Grade("否", "否", 0, failing=True),
        ),
    ),
}


@dataclass(frozen=True)
class Item:
    """检查条目: one question the inspector answers. What it is asked and judged by depends on its
    ``kind`` (条目类型), a name in :data:`app.domain.kinds.REGISTRY`."""

    id: str
    kind: str
    text: str
    source: str
    checklist_id: str = ""
    section_id: str = ""
    guidance: str = ""
    note: str = ""
    topic: str = ""
    #: The item's own condition and those of its sections; all must hold.
    conditions: tuple[Condition, ...] = ()
    applies_note: str = ""
    unit: str = ""
    input: str = "value"
    per: float | None = None
    numerator_label: str = ""
    denominator_label: str = ""
    direction: str = ""
    targets: dict[int, float] = field(default_factory=dict)
    target: float | None = None
    min_samples: int | None = None
    #: 编号 as printed (``任务8.5``), from the checklist's ``numbering``; empty: the id's own
    number: str = ""
    #: ``number`` is the author's own (``number: 一（一）1`` in the file), printed as written
    number_given: bool = False
    #: fields of the checklist file not named above: those of a kind that reads its own
    extra: Mapping[str, Any] = field(default_factory=dict)

    def target_for(self, year: int) -> float | None:
        """The target that applies in ``year`` (None: no numeric target that year)."""
        if year in self.targets:
            return self.targets[year]
        return self.target

    @property
    def has_numeric_target(self) -> bool:
        return bool(self.targets) or self.target is not None

    @property
    def rate_multiplier(self) -> float:
        return RATE_UNITS.get(self.unit, self.per or 1.0)

    def applies_to(self, profile: HospitalProfile) -> bool:
        return all(c.holds(profile) for c in self.conditions)

    def not_applicable_reason(self, profile: HospitalProfile) -> str:
        """Why the item does not apply to this hospital, as the reports and the GUI print it: what
        the hospital is and whom the item is for, e.g. ``本院无产科，本条仅适用于有产科的医院``
        ("" when it applies). ``applies_note`` (the source's words, for the checklist's editors)
        is not part of it: the reason is told from the profile and the condition alone."""
        parts = dict.fromkeys(part for c in self.conditions for part in c.unmet(profile))
        return "；".join(f"本院{fact}，本条仅适用于{asks}" for fact, asks in parts)

    def target_text(self, year: int) -> str:
        """The target in words for ``year``, e.g. ``≥80%`` or ``逐步提高``."""
        if self.direction in ("increase", "decrease"):
            return DIRECTIONS[self.direction]
        value = self.target_for(year)
        if value is None:
            return f"{year}年无目标值"
        return f"{DIRECTIONS.get(self.direction, '≥')}{value:g}{self.unit}"


@dataclass(frozen=True)
class Section:
    """A section of a checklist (章节), holding items and sub-sections."""

    id: str
    title: str
    source: str = ""
    guidance: str = ""
    note: str = ""
    applies_note: str = ""
    items: tuple[Item, ...] = ()
    sections: tuple[Section, ...] = ()

    def all_items(self) -> Iterator[Item]:
        yield from self.items
        for sub in self.sections:
            yield from sub.all_items()

    def all_sections(self) -> Iterator[Section]:
        yield self
        for sub in self.sections:
            yield from sub.all_sections()


@dataclass(frozen=True)
class Checklist:
    """检查表: one source programme's check points."""

    id: str
    version: str
    title: str
    source_document: str
    source_title: str
    region: str
    scale: Scale
    sections: tuple[Section, ...]
    short_title: str = ""
    seed: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    default: bool = False
    description: str = ""
    notes: tuple[str, ...] = ()
    #: what the letter codes of the items' numbers stand for (``t`` → 任务, ``m`` → 指标)
    numbering: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.short_title or self.title

    @property
    def citation(self) -> str:
        """The source document as a report cites it: ``《title》（number）``."""
        if not self.source_title:
            return self.source_document
        return (
            f"《{self.source_title}》（{self.source_document}）" if self.source_document else f"《{self.source_title}》"
        )

    def all_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.all_items()

    def all_sections(self) -> Iterator[Section]:
        for section in self.sections:
            yield from section.all_sections()

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.all_items() if i.id == item_id), None)

    def numbered_as(self, numbering: Mapping[str, str]) -> Checklist:
        """This checklist with its items' numbers spelt out as ``numbering`` says, where that
        differs from its own: a round frozen before its checklist spelt its codes out (or spelt
        them otherwise), read beside rounds frozen after (a summary printed ``m.10`` and ``指标10``
        for one item). An author's own ``number`` stays as written."""
        if not numbering or numbering == self.numbering:
            return self

        def renumbered(section: Section) -> Section:
            items = tuple(
                dataclasses.replace(i, number=readable_number(local_number(i.id, self.id), numbering))
                if not i.number_given
                else i
                for i in section.items
            )
            return dataclasses.replace(section, items=items, sections=tuple(map(renumbered, section.sections)))

        return dataclasses.replace(self, sections=tuple(map(renumbered, self.sections)), numbering=numbering)

    def valid_in(self, year: int) -> bool:
        if self.valid_from is not None and year < self.valid_from:
            return False
        return self.valid_to is None or year <= self.valid_to

    @classmethod
    def from_dict(cls, data: dict) -> Checklist:
        """Build a checklist from validated data: a content file, or a round's frozen copy of one."""
        checklist_id = data["id"]
        numbering = data.get("numbering", {})

        def condition(node: dict) -> tuple[Condition, ...]:
            return (Condition.from_dict(node["applies_if"]),) if "applies_if" in node else ()

        def item(node: dict, section_id: str, inherited: tuple[Condition, ...], inherited_note: str) -> Item:
            return Item(
                id=node["id"],
                kind=node["kind"],
                text=node["text"].strip(),
                source=node["source"],
                checklist_id=checklist_id,
                section_id=section_id,
                guidance=node.get("guidance", "").strip(),
                note=node.get("note", "").strip(),
                topic=node.get("topic", ""),
                conditions=inherited + condition(node),
                applies_note=node.get("applies_note", inherited_note),
                unit=node.get("unit", ""),
                input=node.get("input", "value"),
                per=node.get("per"),
                numerator_label=node.get("numerator", ""),
                denominator_label=node.get("denominator", ""),
                direction=node.get("direction", ""),
                targets={int(y): float(v) for y, v in node.get("targets", {}).items()},
                target=float(node["target"]) if "target" in node else None,
                min_samples=node.get("min_samples"),
                # the author's own (一（一）1) where given, else the id's, codes spelt out
                number=node.get("number") or readable_number(local_number(node["id"], checklist_id), numbering),
                number_given="number" in node,
                extra={k: v for k, v in node.items() if k not in _ITEM_KEYS},
            )

        def section(node: dict, inherited: tuple[Condition, ...], inherited_note: str) -> Section:
            conditions = inherited + condition(node)
            note = node.get("applies_note", inherited_note)
            return Section(
                id=node["id"],
                title=node["title"],
                source=node.get("source", ""),
                guidance=node.get("guidance", "").strip(),
                note=node.get("note", "").strip(),
                applies_note=node.get("applies_note", ""),
                items=tuple(item(i, node["id"], conditions, note) for i in node.get("items", [])),
                sections=tuple(section(s, conditions, note) for s in node.get("sections", [])),
            )

        valid = data.get("valid_years", {})
        return cls(
            id=checklist_id,
            version=data["version"],
            title=data["title"],
            short_title=data.get("short_title", ""),
            source_document=data["source"]["document"],
            source_title=data["source"]["title"],
            seed=data["source"].get("seed", ""),
            region=data["region"],
            scale=SCALES[data["scale"]],
            sections=tuple(section(s, (), "") for s in data["sections"]),
            valid_from=valid.get("from"),
            valid_to=valid.get("to"),
            default=data.get("default", False),
            description=data.get("description", "").strip(),
            notes=tuple(data.get("notes", ())),
            numbering=numbering,
        )


#: The keys of an item's definition that :class:`Item` has a field for.
_ITEM_KEYS = frozenset(
    (
        *("id", "kind", "text", "source", "number", "guidance", "note", "topic", "applies_if", "applies_note"),
        *("unit", "input", "per", "numerator", "denominator", "direction", "targets", "target", "min_samples"),
    )
)


def version_key(version: str) -> list[tuple[int, int | str]]:
    """A checklist version to compare: ``2023.10`` after ``2023.9``, the numeric parts as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in version.split(".")]


def item_number(item: Item) -> str:
    """编号: the number printed beside an item under its checklist's headings, on screen, in the
    reports and the workbooks: ``05.1``, ``2.3``, ``任务8.5``, ``指标14a``."""
    return item.number or local_number(item.id, item.checklist_id)


def local_number(item_id: str, checklist_id: str) -> str:
    """The item's number in its id: ``t08.5``, ``m.10`` (an indicator's ``.rate`` suffix is an
    id's business, not a reader's)."""
    return item_id.removeprefix(checklist_id + ".").removesuffix(".rate")


_CODED = re.compile(r"([a-z]+)(\d*)(.*)")


def readable_number(number: str, numbering: Mapping[str, str]) -> str:
    """An id's number as a reader cites it: the letter codes that name a part of the document
    spelt out, their numbers without the zeros that keep ids in order — ``t08.5`` → ``任务8.5``,
    ``ind.14a`` → ``指标14a``, ``5-1.zx1.1`` → ``5-1.专项1.1``. ``sa1.5`` meant nothing to the
    reviewer reading a report; the codes not in ``numbering`` stay as they are."""
    out: list[str] = []
    label = ""
    for part in number.split("."):
        coded = _CODED.fullmatch(part)
        if coded and coded[1] in numbering:
            label, part = numbering[coded[1]], coded[2] + coded[3]
            if not part:  # ``m`` of ``m.10``: its label goes before the next part
                continue
        if label:
            part, label = label + re.sub(r"^0+(?=\d)", "", part), ""
        out.append(part)
    return ".".join([*out, label] if label else out)


def item_references(checklists: Iterable[Checklist]) -> dict[str, str]:
    """What a reviewer reads for each item instead of its id: the checklist, the section and the
    item's place in it, e.g. ``核心制度 分级护理制度 第1条`` or ``改进目标 提高……率 第2条（指标）``."""
    from .kinds import kind_of  # the kinds import this module

    out: dict[str, str] = {}
    for checklist in checklists:
        for section in checklist.all_sections():
            title = section_label(section.title)
            in_order = numbered_in_order(section.items)
            for n, item in enumerate(section.items, 1):
                place = f"第{n}条" if in_order else item_number(item)
                out[item.id] = f"{checklist.label} {title} {place}{kind_of(item).reference_suffix}"
    return out


def numbered_in_order(items: Sequence[Item]) -> bool:
    """Whether a section's items are numbered 1, 2, 3… (``05.1``, ``05.2``): then a reader
    finds them as 第n条. Where the checklist numbers them otherwise (``1.1.2c``, ``ind.14a``),
    the screen and the references show the number the reports print beside them, as they do
    where the author gives the numbers (``一（一）1``)."""
    return not any(item.number_given for item in items) and all(
        local_number(item.id, item.checklist_id).rsplit(".", 1)[-1].lstrip("0") == str(n)
        for n, item in enumerate(items, 1)
    )


def section_label(title: str) -> str:
    """A section title short enough for a reference or a page's running head (24 characters): an abbreviation's
    definition goes first (提高急性ST段抬高型心肌梗死（以下简称急性STEMI）再灌注治疗率 was cut as
    “…（以下简称急性ST…”, the rate it is about left out), then the tail."""
    if len(title) > 24:
        title = re.sub(r"（以下简称[^）]*）", "", title)
    return title if len(title) <= 24 else title[:23] + "…"

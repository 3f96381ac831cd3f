"""汇总: many hospitals' upload packages in one summary, for a 医共体 lead hospital or a commission.

Every package is verified; a bad one is listed with its reason and the rest still count. A round
sent twice (the same round UUID) counts once: the package with the newer last change wins. A
round deleted and started again (a new UUID: the same hospital under the same name, round name,
考核年度, year and checklists) counts once too: the package exported last wins. Scores are
recomputed from the records with the same rules as the program's own, never taken from the
numbers a package states. An item is numbered alike in every round: as the newest version of its
checklist among the packages numbers it (a round frozen before its checklist spelt ``m.10`` out
as ``指标10`` is printed beside rounds frozen after it).

A rectification that a 复查轮次 of the same hospital carried over (its copy there names it in
``carried_from``) is 已转入复查 when that round's package is counted too, as it is in the
hospital's own database: the problem counts once, as open or late only where it is followed up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..domain.checklist import Checklist, item_number, item_references, version_key
from ..domain.collation import pinyin_key
from ..domain.follow_ups import FollowUps, own_follow_ups, standing
from ..domain.formats import cn_local_time
from ..domain.kinds import kind_of
from ..domain.outcome import GRADED, MET, NOT_MET, verdict
from ..domain.profile import HospitalProfile, hospital_key
from ..domain.records import (
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_OVERDUE,
    UNFINISHED_STATUSES,
    Answer,
    Rectification,
    SampleRecord,
)
from ..domain.scoring import score_round
from ..domain.text import clean_text, name_key
from ..errors import AppError, InputError
from ..store.history import Entry
from .checklists import frozen_checklists
from .verify import Package, PackageError, open_package


@dataclass(frozen=True)
class Refused:
    path: Path
    reason: str


@dataclass(frozen=True)
class Superseded:
    """A package not counted because another of the same round is: a copy of it (or the round
    exported again without a change since), an export made before the round's last change, or
    (``restarted``) the export of a round the hospital started again under a new id, exported
    before the one counted."""

    path: Path
    #: the package of the round that is counted
    kept: Path
    hospital: str
    round_name: str
    #: the round's last change as this package and the one counted hold it (UTC, ISO)
    updated_at: str
    kept_updated_at: str
    #: another round of the same hospital, name, years and checklists (see _restarted)
    restarted: bool = False
    #: when this package and the one counted were exported (the manifests' created_at; UTC, ISO)
    exported_at: str = ""
    kept_exported_at: str = ""

    @property
    def same(self) -> bool:
        return not self.restarted and self.updated_at == self.kept_updated_at


@dataclass(frozen=True)
class ChecklistFacts:
    id: str
    title: str
    completion: float
    score: float | None
    failing: int


@dataclass(frozen=True)
class IndicatorFacts:
    item_id: str
    checklist: str
    text: str
    unit: str
    value: float | None
    target: str
    state: str
    #: 编号 as the reports print it beside the item (``2.4``)
    number: str = ""
    #: computed from counts (a rate) rather than entered: decides its decimals (formats.measure_decimals)
    computed: bool = True
    #: more decimals where the usual ones would tell the wrong verdict (Outcome.decimals)
    decimals: int | None = None
    #: what it was judged against, or why it could not be (Outcome.reason: “基线值 38.6%”)
    note: str = ""


@dataclass(frozen=True)
class ItemFacts:
    item_id: str
    checklist: str
    text: str
    state: str
    grade: str | None
    value: float | None
    failing: bool
    #: the item as the reports name it (核心制度 首诊负责制度 第1条), never by its id
    reference: str = ""


@dataclass(frozen=True)
class CommonProblem:
    """An item failing in some hospitals' latest rounds."""

    item_id: str
    checklist: str
    reference: str
    text: str
    hospitals: list[str]
    #: the hospitals whose latest round has a result for the item (graded, met or not): the share
    #: failing is of these, not of all hospitals (most checklists are chosen by some only)
    assessed: int = 0

    @property
    def share(self) -> float:
        return len(self.hospitals) / self.assessed if self.assessed else 0.0


@dataclass(frozen=True)
class RectificationFacts:
    item_id: str
    department: str
    deadline: str | None
    status: str
    id: str = ""
    #: the rectification of an earlier round this one is the carried-over copy of
    carried_from: str | None = None


@dataclass
class RoundFacts:
    """One hospital's round, as the summary counts it."""

    path: Path
    hospital: str
    code: str
    level: str
    type: str
    round_id: str
    round_name: str
    year: int
    started_on: str
    status: str
    updated_at: str
    applicable: int
    answered: int
    completion: float
    score: float | None
    failing: int
    checklists: list[ChecklistFacts]
    items: list[ItemFacts]
    indicators: list[IndicatorFacts]
    rectifications: list[RectificationFacts]
    #: who the hospital is among the packages (see _identify): its code, else its name
    hospital_id: str = ""
    #: when the package was exported (its manifest's created_at; UTC, ISO)
    exported_at: str = ""
    #: which database it was exported from (the id of its 病案号 pseudonym key; '' when the
    #: package holds real 病案号): rounds of one database are one hospital's, whatever its name
    database: str = ""

    def rect_counts(self) -> Counter:
        return Counter(r.status for r in self.rectifications)


@dataclass
class Aggregate:
    rounds: list[RoundFacts] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    #: packages not counted because another of the same round is (a copy, or a newer export)
    superseded: list[Superseded] = field(default_factory=list)
    read: int = 0
    today: dt.date = field(default_factory=dt.date.today)
    #: each package as the summary names it: its path within the folder given (QQ接收/甲县.zip)
    names: dict[Path, str] = field(default_factory=dict)
    #: 汇总单位: who made the summary (洛阳市卫生健康委员会, a 医共体's lead hospital), printed
    #: above the report's title and in every page's header; '' when not given
    unit: str = ""

    def name(self, path: Path) -> str:
        """A package's file as the summary names it: within the folder given, so that a copy in a
        sub-folder is told apart from the file of the same name beside it; a file given by itself
        by its name."""
        return self.names.get(path, path.name)

    def superseded_reason(self, s: Superseded) -> str:
        """Why a package is not counted, naming the one that is."""
        round_ = f"{s.hospital}“{s.round_name}”"
        if s.same:
            return f"重复的上报包：与“{self.name(s.kept)}”是同一轮自查（{round_}）的相同内容，只计一次。"
        if s.restarted:
            kept, this = _times(s.kept_exported_at, s.exported_at)
            return (
                f"重新开始的同一轮自查：{round_}另有较晚导出的上报包“{self.name(s.kept)}”（轮次名称、考核年度和"
                f"检查表相同，是删除后重新开始或在另一台电脑上开始的同一轮；导出于 {kept}，本包为 {this}），"
                "只计最后导出的一次。"
            )
        kept, this = _times(s.kept_updated_at, s.updated_at)
        return (
            f"较早的导出：同一轮自查（{round_}）另有更新的上报包“{self.name(s.kept)}”"
            f"（最后修改于 {kept}，本包为 {this}），只计最新的一次。"
        )

    @property
    def hospitals(self) -> list[str]:
        return sorted({r.hospital_id for r in self.rounds})

    def latest_rounds(self) -> list[RoundFacts]:
        """Each hospital's latest round (by 自查日期, then last change), in the order of rounds."""
        latest: dict[str, RoundFacts] = {}
        for r in sorted(self.rounds, key=lambda r: (r.started_on, r.updated_at)):
            latest[r.hospital_id] = r
        kept = {id(r) for r in latest.values()}
        return [r for r in self.rounds if id(r) in kept]

    def common_problems(self) -> list[CommonProblem]:
        """The items failing in hospitals' latest results, those of the most hospitals first.
        A hospital that sent several rounds counts once for each item, by the latest round that
        assessed it: a 复查轮次 just begun, with nothing graded yet, hid the hospital's known
        problems from the list (exchange review); one that grades an item again decides it."""
        latest: dict[tuple[str, str], tuple[str, Any]] = {}  # (hospital, item) → (hospital's name, item)
        for r in sorted(self.rounds, key=lambda r: (r.started_on, r.updated_at)):
            for item in r.items:
                if item.state in (GRADED, MET, NOT_MET):
                    latest[r.hospital_id, item.item_id] = (r.hospital, item)
        names = {r.hospital_id: r.hospital for r in self.latest_rounds()}  # as the summary names them
        failing: dict[str, CommonProblem] = {}
        assessed: Counter[str] = Counter()
        for (hospital_id, item_id), (hospital, item) in latest.items():
            assessed[item_id] += 1
            if item.failing:
                problem = CommonProblem(item.item_id, item.checklist, item.reference, item.text, [])
                failing.setdefault(item_id, problem).hospitals.append(names.get(hospital_id, hospital))
        rows = [
            CommonProblem(
                p.item_id, p.checklist, p.reference, p.text, sorted(p.hospitals, key=pinyin_key), assessed[p.item_id]
            )
            for p in failing.values()
        ]
        return sorted(rows, key=lambda p: (-len(p.hospitals), p.item_id))


def package_paths(paths: Iterable[Path]) -> list[Path]:
    """The given files, and every ``*.zip`` inside the given folders (sorted, recursively)."""
    return list(_found(paths)[0])


def _found(paths: Iterable[Path]) -> tuple[dict[Path, str], dict[Path, tuple[str, str]]]:
    """:func:`package_paths`, each with the name the summary gives it (:meth:`Aggregate.name`),
    and the files in the folders that look like a hospital's package but are not read as one,
    each with its name and the reason it is listed as not counted (:func:`_look_alike`).

    ``.ZIP`` too: Windows mail clients and some 统信UOS/麒麟 file managers save attachments in
    capitals, and on Linux a case-sensitive ``*.zip`` would skip that hospital without a word.
    Not the metadata a Mac adds to every file it zips (``__MACOSX/._医院.zip``): a few hundred
    bytes that are no package, but named after one they would be listed as that hospital's
    damaged package."""
    packages: dict[Path, str] = {}
    look_alikes: dict[Path, tuple[str, str]] = {}
    for path in paths:
        if not path.is_dir():
            packages[path] = path.name
            continue
        for found in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = found.relative_to(path)
            if _mac_metadata(relative):
                continue
            if relative.suffix.lower() == ".zip":
                packages[found] = relative.as_posix()
            elif (reason := _look_alike(relative.as_posix())) is not None:
                look_alikes[found] = relative.as_posix(), reason
    return packages, look_alikes


def _mac_metadata(relative: Path) -> bool:
    return relative.name.startswith("._") or "__MACOSX" in relative.parts


#: archives of other kinds, by suffix: a hospital that packed its package again, or sent its
#: folder packed by another program
_ARCHIVES = {".rar": "RAR", ".7z": "7z", ".zipx": "zipx", ".tar": "tar", ".gz": "gz", ".tgz": "tgz", ".xz": "xz"}


def _look_alike(name: str) -> str | None:
    """Why a file in a folder of packages is listed as not counted, when it may be a hospital's
    package in another form (None for other files: a notice, a photo). Skipped without a word,
    the hospital would be missing from the summary and nobody told."""
    lower = name.lower()
    if ".zip." in lower.rsplit("/", 1)[-1]:  # 甲县.zip.下载, .zip.crdownload, .zip.part, .zip.tmp
        return f"“{name}”是没有下载完的文件，不是完整的上报包：请等下载完成后再汇总，或请报送单位重新发送。"
    kind = _ARCHIVES.get(Path(lower).suffix)
    if kind is None:
        return None
    return (
        f"“{name}”是 {kind} 压缩文件，不是本程序导出的上报包（.zip）：如果其中装着上报包，请先解压；"
        "否则请报送单位直接发送本程序导出的上报包，不要改用其他软件压缩。"
    )


#: 汇总单位 at most, in characters: one line above the report's title
UNIT_MAX = 40


def clean_unit(text: str) -> str:
    """汇总单位 as typed, spaces at its ends and control characters aside; raises InputError
    when it is too long to print on one line."""
    unit = " ".join(clean_text(text).split())
    if len(unit) > UNIT_MAX:
        raise InputError(f"汇总单位不能超过 {UNIT_MAX} 个字（现有 {len(unit)} 个）。", "unit")
    return unit


def aggregate(paths: Sequence[Path], today: dt.date | None = None, *, unit: str = "") -> Aggregate:
    """Verify and summarise the packages at ``paths`` (files or folders), for ``unit`` (汇总单位)."""
    unit = clean_unit(unit)  # refused before the folders are walked
    packages, look_alikes = _found(paths)
    result = Aggregate(today=today or dt.date.today(), names=packages, unit=unit)
    newest, others = _newest_of_each_round(result)
    for path, (name, reason) in look_alikes.items():
        result.read += 1
        result.refused.append(Refused(path, reason))
        result.names[path] = name
    result.refused.sort(key=lambda b: result.name(b.path))
    numberings = _newest_numberings(newest.values())
    for package in newest.values():
        try:
            result.rounds.append(round_facts(package, result.today, numberings))
        except AppError as err:
            result.refused.append(Refused(package.path, err.user_message))
        except Exception:  # a structure the checks let through but scoring cannot use
            result.refused.append(Refused(package.path, "数据无法汇总（记录的内容与检查表不一致）。"))
    _identify(result.rounds)
    _drop_restarted(result, newest, others)
    for key, losers in others.items():
        result.superseded += [_superseded(path, manifest, newest[key]) for path, manifest in losers]
    result.superseded.sort(key=lambda s: result.name(s.path))
    _mark_carried_over(result.rounds)
    _one_name_each(result.rounds, result.name)
    result.rounds.sort(key=lambda r: (pinyin_key(r.hospital), r.started_on, pinyin_key(r.round_name)))
    return result


def _newest_numberings(packages: Iterable[Package]) -> dict[str, Mapping[str, str]]:
    """Checklist id → ``numbering``, as the newest version of it among the packages has one."""
    newest: dict[str, Checklist] = {}
    for package in packages:
        try:
            checklists = frozen_checklists(package.data)
        except AppError:
            continue  # refused, with its reason, when its round is summarised
        for c in checklists:
            if c.numbering and (c.id not in newest or version_key(c.version) > version_key(newest[c.id].version)):
                newest[c.id] = c
    return {checklist_id: c.numbering for checklist_id, c in newest.items()}


def _newest_of_each_round(
    result: Aggregate,
) -> tuple[dict[str, Package], dict[str, list[tuple[Path, dict[str, Any]]]]]:
    """Each package verified (a refused one listed in ``result``); of each round (by its id) the
    newest package (_rank), and the others by round: only their manifests are kept, not their data."""
    newest: dict[str, Package] = {}
    others: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path in result.names:
        result.read += 1
        try:
            package = open_package(path)
        except PackageError as err:
            result.refused.append(Refused(path, err.user_message))
            continue
        hospital = package.manifest["hospital"]
        # the same round of the same hospital; two hospitals copying one database keep theirs apart
        round_id = hospital_key(hospital["code"], hospital["name"]) + "|" + package.manifest["round"]["id"]
        held = newest.get(round_id)
        if held is None or _rank(package, result) > _rank(held, result):
            newest[round_id] = package
            if held is not None:
                others.setdefault(round_id, []).append((held.path, held.manifest))
        else:
            others.setdefault(round_id, []).append((package.path, package.manifest))
    return newest, others


def _superseded(
    path: Path, manifest: dict[str, Any], kept: Package | RoundFacts, restarted: bool = False
) -> Superseded:
    """The package at ``path`` (its manifest) not counted, ``kept`` counted instead."""
    if isinstance(kept, Package):
        kept_updated, kept_exported = kept.manifest["round"]["updated_at"], kept.manifest["created_at"]
    else:
        kept_updated, kept_exported = kept.updated_at, kept.exported_at
    return Superseded(
        path,
        kept.path,
        manifest["hospital"]["name"],
        manifest["round"]["name"],
        manifest["round"]["updated_at"],
        kept_updated,
        restarted,
        manifest["created_at"],
        kept_exported,
    )


def _drop_restarted(
    result: Aggregate, newest: dict[str, Package], others: dict[str, list[tuple[Path, dict[str, Any]]]]
) -> None:
    """Each round started again (_restarted) out of ``result.rounds``, listed as superseded with
    its own older copies (taken out of ``others``): each names the package counted instead."""
    restarted = _restarted(result.rounds, result)
    dropped = {id(loser) for loser, _ in restarted}
    result.rounds = [r for r in result.rounds if id(r) not in dropped]
    key_of = {package.path: key for key, package in newest.items()}
    for loser, kept in restarted:
        key = key_of[loser.path]
        for path, manifest in [(loser.path, newest[key].manifest), *others.pop(key, [])]:
            result.superseded.append(_superseded(path, manifest, kept, restarted=True))


def _restarted(rounds: Sequence[RoundFacts], result: Aggregate) -> list[tuple[RoundFacts, RoundFacts]]:
    """The rounds a hospital started again, each with the one counted instead: (not counted, counted).

    A hospital that deleted its 2025年第一季度 round and started it again (a new round id) sent
    both rounds' packages, and each counted, the quarter twice. Two rounds are one started again
    when they are of the same hospital under the same name (院区 of one legal entity often share
    its code: each runs its own quarter), have the same name (as a database tells names apart:
    全角/半角, spaces, case aside), the same 考核年度 and 自查日期 year, and the same checklists
    (by id, any version). One hospital's database never holds two rounds of one name, so two such
    packages are a round deleted and started again, or one begun on another PC (or restored from a
    backup): the one exported last is what the hospital now holds. A 复查轮次 (named apart by
    the program: “…（复查）”), a round of other checklists, or of another year, stays apart; so
    do the rounds of a hospital that renamed itself between them (both count, as they did before
    this rule: the packages do not tell a renamed hospital from a campus under its code).

    Without a code, a name is all that tells hospitals apart, and 城关镇卫生院 of two counties
    both send “2025年第一季度医疗质量自查”: one was dropped as the other's restart. Code-less
    rounds are one started again only when one database holds both (a deleted and restarted
    round, or one restored from a backup: the copy keeps its database's key; _identify), and a
    code-less round is one with the coded round its database restarted after the code was
    filled in (the quarter counted twice)."""
    periods: dict[tuple, list[RoundFacts]] = {}
    for r in rounds:
        checklists = frozenset(c.id for c in r.checklists)
        # the name as a database compares it; a code-less round's database is in its hospital_id,
        # and one from a package that tells no database is never taken for another's restart
        hospital = (r.hospital_id, hospital_key("", r.hospital), "" if r.code or r.database else r.round_id)
        key = (*hospital, name_key(r.round_name), r.year, r.started_on[:4], checklists)
        periods.setdefault(key, []).append(r)
    out = []
    for same in periods.values():
        if len(same) > 1:
            ranked = sorted(same, key=lambda r: (r.exported_at, r.updated_at, _name_rank(result.name(r.path))))
            out += [(loser, ranked[-1]) for loser in ranked[:-1]]
    return out


def _identify(rounds: Sequence[RoundFacts]) -> None:
    """Who each round's hospital is. With a code, the code (院区 under one code apart:
    _campuses_apart). Without one, a name is not enough: 城关镇卫生院 of two counties were one
    hospital, and one of them left the charts and 常见问题. A code-less round is of the hospital
    of its name **and database** (the package's pseudonym key), and of the coded hospital of its
    name when one database holds both (a hospital that filled in its code after its first round:
    its re-check's rectifications count once). A package with real 病案号 tells no database:
    its round goes by name, to the one hospital of that name (coded, else with a database) if
    there is exactly one.
    Last, a 复查轮次 and the round it re-checked are one hospital whatever their names and codes
    (_joined_by_carry_over): a code-less hospital that renamed itself was two, and counted the
    rectifications it carried over twice."""
    coded_by_name: dict[str, set[str]] = {}
    coded_in: dict[tuple[str, str], set[str]] = {}  # (database, name) → codes
    for r in rounds:
        if r.code:
            name = hospital_key("", r.hospital)
            coded_by_name.setdefault(name, set()).add(hospital_key(r.code, r.hospital))
            if r.database:
                coded_in.setdefault((r.database, name), set()).add(hospital_key(r.code, r.hospital))
    code_less: dict[str, set[str]] = {}  # name → the code-less hospitals of that name with a database
    for r in rounds:
        name = hospital_key("", r.hospital)
        if r.code:
            r.hospital_id = hospital_key(r.code, r.hospital)
        elif r.database:
            same = coded_in.get((r.database, name), set())
            r.hospital_id = next(iter(same)) if len(same) == 1 else f"{name}|{r.database}"
            code_less.setdefault(name, set()).add(r.hospital_id)
    for r in rounds:
        if not r.code and not r.database:  # real 病案号: the one hospital of its name, if one
            name = hospital_key("", r.hospital)
            same = coded_by_name.get(name, set()) or code_less.get(name, set())
            r.hospital_id = next(iter(same)) if len(same) == 1 else name
    _campuses_apart(rounds)
    _joined_by_carry_over(rounds)


def _joined_by_carry_over(rounds: Sequence[RoundFacts]) -> None:
    """A 复查轮次 carried its rectifications over from a round of the same database: both are one
    hospital's, under the id of the coded one if either has a code."""
    round_of = {x.id: r for r in rounds for x in r.rectifications if x.id}
    group = {r.hospital_id: r.hospital_id for r in rounds}
    for r in rounds:
        for x in r.rectifications:
            source = round_of.get(x.carried_from) if x.carried_from else None
            if source is None or _told_apart(r, source):
                continue
            a, b = sorted((_root(group, r.hospital_id), _root(group, source.hospital_id)), key=_coded_first)
            group[b] = a
    for r in rounds:
        r.hospital_id = _root(group, r.hospital_id)


def _told_apart(a: RoundFacts, b: RoundFacts) -> bool:
    """Two rounds whose packages say they are of different hospitals, whatever links them: two
    codes, or two databases (hospitals that copied one prepared database share its records' ids,
    and a carry-over link merged 甲县 and 乙县)."""
    return bool((a.code and b.code and a.code != b.code) or (a.database and b.database and a.database != b.database))


def _coded_first(hospital_id: str) -> tuple[bool, str]:
    return (not hospital_id.startswith("code:"), hospital_id)


def _campuses_apart(rounds: Sequence[RoundFacts]) -> None:
    """院区 under one code are hospitals of their own: 东院区 and 西院区 of one legal entity share
    its 统一社会信用代码 and each runs its own rounds. Under one code, rounds of different names
    are one hospital only when one database holds both (a hospital that renamed itself between
    rounds); from databases of their own, they are campuses, each listed, ranked and charted
    under its name (东院区's round was listed as 西院区's, and its problems left the charts)."""
    by_id: dict[str, list[RoundFacts]] = {}
    for r in rounds:
        by_id.setdefault(r.hospital_id, []).append(r)
    for hospital_id, same in by_id.items():
        names = {hospital_key("", r.hospital) for r in same}
        if len(names) < 2:
            continue
        # names joined by a database that holds rounds of both: one hospital, renamed
        group = {name: name for name in names}
        first_name: dict[str, str] = {}
        for r in same:
            if r.database:
                name = hospital_key("", r.hospital)
                seen = first_name.setdefault(r.database, name)
                group[_root(group, name)] = _root(group, seen)
        if len({_root(group, name) for name in names}) > 1:
            for r in same:
                r.hospital_id = f"{hospital_id}|{_root(group, hospital_key('', r.hospital))}"


def _root(group: dict[str, str], name: str) -> str:
    """The name that stands for ``name``'s group (union–find without ranks: a few names)."""
    while group[name] != name:
        name = group[name]
    return name


def _one_name_each(rounds: Sequence[RoundFacts], package_name: Callable[[Path], str]) -> None:
    """Each hospital under one name: the one its latest round gives. A hospital that retyped its
    name between rounds (全角/半角 brackets, a space: 第二人民医院（东院） and 第二人民医院(东院))
    is one hospital (hospital_key), and the summary lists, sorts, charts and stores its rounds
    together, as a person filtering the 医院 column or grouping by it in SQLite expects."""
    latest: dict[str, RoundFacts] = {}
    for r in sorted(rounds, key=lambda r: (r.started_on, r.updated_at)):
        latest[r.hospital_id] = r
    # hospitals of one name (城关镇卫生院 of two counties) are named apart, by code or by package:
    # two bars labelled alike, and “城关镇卫生院、城关镇卫生院” among a problem's hospitals
    namesakes = Counter(hospital_key("", r.hospital) for r in latest.values())
    for r in rounds:
        own = latest[r.hospital_id]
        # a package by its path within the folder: two 城关镇卫生院 name their files alike
        # (suggested_name), and a commission keeps them in folders of their own (甲县/, 乙县/)
        apart = f"（{own.code}）" if own.code else f"（未填机构代码，{package_name(own.path)}）"
        r.hospital = own.hospital + (apart if namesakes[hospital_key("", own.hospital)] > 1 else "")
        r.code = own.code


def _mark_carried_over(rounds: Sequence[RoundFacts]) -> None:
    """已转入复查: a rectification whose copy another round of the same hospital among the
    packages holds (a 复查轮次) is followed up, and counted, there; 已完成 stays 已完成."""
    copies: dict[tuple[str, str], set[str]] = {}
    for r in rounds:
        hospital = r.hospital_id
        for x in r.rectifications:
            if x.carried_from:
                copies.setdefault((hospital, x.carried_from), set()).add(r.round_id)
    if not copies:
        return
    for r in rounds:
        hospital = r.hospital_id
        r.rectifications = [
            replace(x, status=STATUS_CARRIED)
            if x.status != STATUS_DONE and copies.get((hospital, x.id), set()) - {r.round_id}
            else x
            for x in r.rectifications
        ]


def _times(kept: str, this: str) -> tuple[str, str]:
    """Two stored times as the reasons write them: to the minute, or to the second when they
    fall within one minute (changed, or exported, again within the minute)."""
    if cn_local_time(kept) == cn_local_time(this):
        return cn_local_time(kept, "%H:%M:%S"), cn_local_time(this, "%H:%M:%S")
    return cn_local_time(kept), cn_local_time(this)


def _rank(package: Package, result: Aggregate) -> tuple[str, str, int, int]:
    """Which of a round's packages counts: the newest (its round's last change, then when it was
    exported); of copies, the one nearest the folder given (_name_rank)."""
    return (
        package.manifest["round"]["updated_at"],
        package.manifest["created_at"],
        *_name_rank(result.name(package.path)),
    )


def _name_rank(name: str) -> tuple[int, int]:
    """Of copies, the one nearest the folder given rather than one in QQ接收/ below it, and
    甲县.zip rather than the browser's second download 甲县(1).zip: the higher, the likelier."""
    return -name.count("/"), -len(name)


def _previous_values(data: dict[str, Any]) -> dict[str, float]:
    """The previous round's indicator values the package states (``results.previous_values``),
    for its 逐步提高/降低 indicators: that round's records are not in the package, and recomputed
    without them every such indicator read 待判定 (a round the hospital's own report gave 不符合
    3 had 0 in the summary). Like the answers, they are the hospital's word; anything that is not
    an item id and a finite number is left out. Packages of earlier versions have none."""
    stated = data.get("results", {}).get("previous_values")
    if not isinstance(stated, dict):
        return {}
    return {
        item_id: float(value)
        for item_id, value in stated.items()
        if isinstance(item_id, str)
        and len(item_id) <= 200
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
    }


def round_facts(
    package: Package, today: dt.date, numberings: Mapping[str, Mapping[str, str]] | None = None
) -> RoundFacts:
    """The round of ``package`` scored again; its items numbered as ``numberings`` says where the
    frozen checklist does not spell its codes out (see _newest_numberings)."""
    data = package.data
    round_row = data["round"]
    profile = HospitalProfile.from_dict(round_row["profile"])
    checklists = [c.numbered_as((numberings or {}).get(c.id, {})) for c in frozen_checklists(data)]
    fields = Answer.__dataclass_fields__
    answers = {a["item_id"]: Answer(**{k: v for k, v in a.items() if k in fields}) for a in data["answers"]}
    samples = {
        s["item_id"]: [
            SampleRecord(s["item_id"], r["record_no"], bool(r["compliant"]), r["note"], r["position"], r["id"])
            for r in s["records"]
        ]
        for s in data["samples"]
    }
    result = score_round(checklists, profile, round_row["year"], answers, samples, _previous_values(data))
    references = item_references(checklists)
    items, indicators = [], []
    for checklist in checklists:
        for item in checklist.all_items():
            outcome = result.outcomes[item.id]
            items.append(
                ItemFacts(
                    item.id,
                    checklist.label,
                    item.text,
                    outcome.state,
                    outcome.grade.code if outcome.grade else None,
                    outcome.value,
                    outcome.failing,
                    references[item.id],
                )
            )
            kind = kind_of(item)
            if kind.measured and outcome.applicable:
                unit = kind.unit(item)
                state = verdict(outcome.state)
                indicators.append(
                    IndicatorFacts(
                        item.id,
                        checklist.label,
                        item.text,
                        unit,
                        outcome.value,
                        outcome.target_text,
                        state,
                        item_number(item),
                        kind.computed(item),
                        outcome.decimals,
                        outcome.reason,
                    )
                )
    rects = []
    # as on the hospital's own 整改报告 of that date: a re-check dated after the summary's date has
    # not happened yet (5 已完成 in a May summary of re-checks made in June, where the package said
    # 0 and 3 逾期), the one it replaced stood, and a deadline moved later held as it was
    follow_ups = own_follow_ups(Entry.from_row(e) for e in data["history"] if e["record_table"] == "rectifications")
    for r in data["rectifications"]:
        rect = Rectification(
            id=r["id"],
            round_id=round_row["id"],
            item_id=r["item_id"],
            problem=r["problem"],
            cause=r.get("cause") or "",
            measure=r.get("measure") or "",
            deadline=dt.date.fromisoformat(r["deadline"]) if r.get("deadline") else None,
            recheck_date=dt.date.fromisoformat(r["recheck_date"]) if r.get("recheck_date") else None,
            recheck_passed=r.get("recheck_passed"),
        )
        rect, _ = standing(rect, follow_ups.get(r["id"], FollowUps()), today)
        rects.append(
            RectificationFacts(
                r["item_id"],
                r.get("department") or "",
                rect.deadline.isoformat() if rect.deadline else None,
                rect.status(today),
                r["id"],
                r.get("carried_from"),
            )
        )
    tally = result.tally
    return RoundFacts(
        package.path,
        profile.name,
        profile.code,
        profile.level_label,
        profile.type,
        round_row["id"],
        round_row["name"],
        round_row["year"],
        round_row["started_on"],
        round_row["status"],
        package.manifest["round"]["updated_at"],
        tally.applicable,
        tally.answered,
        tally.completion,
        tally.score,
        tally.failing,
        [
            ChecklistFacts(c.checklist.id, c.checklist.label, c.tally.completion, c.tally.score, c.tally.failing)
            for c in result.checklists
        ],
        items,
        indicators,
        rects,
        exported_at=package.manifest["created_at"],
        database=package.manifest.get("pseudonym_key") or "",
    )


def open_count(r: RoundFacts) -> int:
    """未完成: not done, and not followed up in a 复查轮次 (its copy there counts)."""
    return sum(1 for x in r.rectifications if x.status in UNFINISHED_STATUSES)


def overdue_count(r: RoundFacts) -> int:
    return sum(1 for x in r.rectifications if x.status == STATUS_OVERDUE)


def carried_count(r: RoundFacts) -> int:
    return sum(1 for x in r.rectifications if x.status == STATUS_CARRIED)


def write_outputs(result: Aggregate, *, xlsx: Path, sqlite: Path | None = None, pdf: Path | None = None) -> None:
    from .aggregate_outputs import write_pdf, write_sqlite, write_xlsx

    refuse_to_replace_data(xlsx, sqlite, pdf)
    write_xlsx(result, xlsx)
    if sqlite is not None:
        write_sqlite(result, sqlite)
    if pdf is not None:
        write_pdf(result, pdf)


def refuse_to_replace_data(*outputs: Path | None) -> None:
    """AppError, before anything is written, when an output would replace one of this program's
    databases: the 汇总 dialog names its database after the workbook (汇总.xlsx → 汇总.db), and a
    hospital database of that name beside it was overwritten with the summary."""
    from ..store.schema import holds_our_data

    for path in outputs:
        if path is not None and path.exists() and holds_our_data(path):
            raise AppError(f"“{path}”是本程序的数据库文件，不会被覆盖。请换一个文件名。")


FACT_COLUMNS = (
    "医院",
    "机构代码",
    "等级",
    "类别",
    "轮次",
    "考核年度",
    "自查日期",
    "定稿",
    "导出时间",
    "适用条目",
    "已评条目",  # as the package's own 说明 and the 自查报告 say
    "完成率",
    "得分率",
    "不符合条目",
    "整改项",
    "未完成",
    "逾期",
    "已完成",
    "已转入复查",
)


def facts_row(r: RoundFacts) -> dict[str, Any]:
    """A round's line in the summary (the same numbers in every output)."""
    counts = r.rect_counts()
    return {
        "医院": r.hospital,
        "机构代码": r.code,
        "等级": r.level,
        "类别": r.type,
        "轮次": r.round_name,
        "考核年度": r.year,
        "自查日期": r.started_on,
        "定稿": r.status == "final",
        # how current the hospital's 整改 figures are: they stand as exported, and are judged 逾期
        # on the day of the summary (UTC, ISO; each output writes it in local time)
        "导出时间": r.exported_at,
        "适用条目": r.applicable,
        "已评条目": r.answered,
        "完成率": r.completion,
        "得分率": None if r.score is None else r.score / 100,
        "不符合条目": r.failing,
        "整改项": len(r.rectifications),
        "未完成": open_count(r),
        "逾期": overdue_count(r),
        "已完成": counts[STATUS_DONE],
        "已转入复查": carried_count(r),
    }

"""The checklist catalog: built-in and user checklist files, validated (检查表目录)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.checklist import Checklist
from ..errors import os_reason
from ..paths import user_checklists_dir
from .loader import (
    ChecklistError,
    Problem,
    checklist_data,
    read_checklist_bytes,
    read_checklist_file,
    validate_data,
)

__all__ = [
    "BUILTIN_DIR",
    "SUFFIXES",
    "TEMPLATE",
    "Catalog",
    "CatalogEntry",
    "ChecklistError",
    "Problem",
    "checklist_files",
    "content_hash",
    "default_paths",
    "load_catalog",
    "read_checklist_bytes",
    "read_checklist_file",
    "read_entry",
    "validate_data",
]

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "checklists"
#: a valid checklist with a comment on every field, in Chinese: where a 质控中心's own begins
TEMPLATE = BUILTIN_DIR / "template" / "example.yaml"

LOG = logging.getLogger(__name__)


def content_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON of a checklist: what a round freezes."""
    import hashlib  # loads OpenSSL (≈3 ms): only when a round is started or a file checked

    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: what a checklist file's name may end with
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class CatalogEntry:
    """One valid checklist file: the built checklist and the data it was built from."""

    checklist: Checklist
    data: dict
    path: Path

    @property
    def sha256(self) -> str:
        return content_hash(self.data)

    @property
    def builtin(self) -> bool:
        """One of the program's own checklists (not imported on this PC)."""
        return self.path.parent.resolve() == BUILTIN_DIR.resolve()

    @property
    def origin(self) -> str:
        return "内置" if self.builtin else "本机导入"


@dataclass
class Catalog:
    """The checklists available for new rounds, and the files that were skipped."""

    entries: list[CatalogEntry] = field(default_factory=list)
    #: files that were skipped, with every problem found in them
    problems: list[Problem] = field(default_factory=list)

    def get(self, checklist_id: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.checklist.id == checklist_id), None)

    @property
    def checklists(self) -> list[Checklist]:
        return [e.checklist for e in self.entries]

    @property
    def skipped_files(self) -> list[str]:
        return sorted({p.file for p in self.problems})

    def put(self, entry: CatalogEntry) -> None:
        """Add ``entry``, or put it in the place of the entry of its id (an imported checklist)."""
        self.entries = [e for e in self.entries if e.checklist.id != entry.checklist.id] + [entry]
        self.order()

    def order(self) -> None:
        """The default selection first (the 千院行 files), then by id."""
        self.entries.sort(key=lambda e: (not e.checklist.default, e.checklist.id))

    def clash(self, checklist: Checklist) -> str:
        """Why ``checklist`` cannot join this catalog ('' when it can): its id is a built-in
        checklist's (an imported checklist of the same id is replaced by a newer file). Its items'
        ids begin with its own, so they are no other checklist's: answers are stored by them."""
        same = self.get(checklist.id)
        if same is not None and same.builtin:
            return (
                f"检查表编号“{checklist.id}”与内置检查表“{same.checklist.title}”相同。"
                "请给这张检查表另起一个编号（id），其条目编号也以新的编号开头。"
            )
        return ""


def checklist_files(paths: Iterable[Path], problems: list[Problem] | None = None) -> list[Path]:
    """The checklist files at ``paths`` (files, or folders of them); a folder that cannot be
    read is one of ``problems`` (given), not a traceback."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                files += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
            except OSError as exc:
                if problems is not None:
                    problems.append(Problem(str(path), 1, "(文件夹)", f"无法读取文件夹（{os_reason(exc)}）"))
        else:
            files.append(path)
    return files


def read_entry(path: Path, raw: bytes | None = None) -> CatalogEntry:
    """One checklist file (or ``raw``, its bytes as read before), valid by itself; raises
    ChecklistError naming every problem (a file that fails in a way the checks did not foresee
    included: a hostile file must not stop the others loading, nor show a traceback)."""
    try:
        data = checklist_data(read_checklist_bytes(path) if raw is None else raw, str(path))
        return CatalogEntry(Checklist.from_dict(data), data, path)
    except ChecklistError:
        raise
    except Exception as exc:
        LOG.warning("checklist file %s could not be loaded", path, exc_info=True)
        problem = Problem(str(path), 1, "(文件)", f"文件无法读取或校验（{type(exc).__name__}）")
        raise ChecklistError([problem]) from None


def default_paths() -> list[Path]:
    """The built-in checklists, then those imported on this PC (a folder the first import makes)."""
    imported = user_checklists_dir()
    return [BUILTIN_DIR, imported] if imported.is_dir() else [BUILTIN_DIR]


def load_catalog(paths: Iterable[Path] | None = None) -> Catalog:
    """Load every checklist file (by default the built-in ones, then those imported on this PC);
    invalid ones are skipped and their problems kept.

    Item and checklist ids must be unique across files: a later file that reuses an id is
    skipped, since answers are stored by item id.
    """
    catalog = Catalog()
    seen_items: dict[str, str] = {}
    for path in checklist_files(default_paths() if paths is None else paths, catalog.problems):
        try:
            entry = read_entry(path)
        except ChecklistError as err:
            catalog.problems += err.problems
            continue
        checklist = entry.checklist
        if same := catalog.get(checklist.id):
            catalog.problems.append(
                Problem(
                    str(path),
                    1,
                    "id",
                    f"检查表编号“{checklist.id}”与 {same.path} 重复，本文件未载入（使用的是 {same.path.name}）",
                )
            )
            continue
        clash = next((i.id for i in checklist.all_items() if i.id in seen_items), None)
        if clash:
            catalog.problems.append(Problem(str(path), 1, "id", f"条目编号“{clash}”已在 {seen_items[clash]} 中使用"))
            continue
        seen_items.update((i.id, path.name) for i in checklist.all_items())
        catalog.entries.append(entry)
    catalog.order()
    return catalog

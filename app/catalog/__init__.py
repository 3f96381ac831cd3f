"""The checklist catalog: built-in and user checklist files, validated (检查表目录)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.checklist import Checklist
from .loader import ChecklistError, Problem, read_checklist_file, validate_data

__all__ = [
    "BUILTIN_DIR",
    "Catalog",
    "CatalogEntry",
    "ChecklistError",
    "Problem",
    "content_hash",
    "load_catalog",
    "read_checklist_file",
    "validate_data",
]

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "checklists"

LOG = logging.getLogger(__name__)


def content_hash(data: dict) -> str:
    """SHA-256 of the canonical JSON of a checklist: what a round freezes."""
    import hashlib  # loads OpenSSL (≈3 ms): only when a round is started or a file checked

    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CatalogEntry:
    """One valid checklist file: the built checklist and the data it was built from."""

    checklist: Checklist
    data: dict
    path: Path

    @property
    def sha256(self) -> str:
        return content_hash(self.data)


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


def checklist_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def load_catalog(paths: Iterable[Path] = (BUILTIN_DIR,)) -> Catalog:
    """Load every checklist file; invalid ones are skipped and their problems kept.

    Item and checklist ids must be unique across files: a later file that reuses an id is
    skipped, since answers are stored by item id.
    """
    catalog = Catalog()
    seen_items: dict[str, str] = {}
    for path in checklist_files(paths):
        try:
            data = read_checklist_file(path)
            checklist = Checklist.from_dict(data)
        except ChecklistError as err:
            catalog.problems += err.problems
            continue
        except Exception as exc:  # a hostile file must not stop the others loading (nor show a traceback)
            LOG.warning("checklist file %s could not be loaded", path, exc_info=True)
            catalog.problems.append(Problem(str(path), 1, "(文件)", f"文件无法读取或校验（{type(exc).__name__}）"))
            continue
        if catalog.get(checklist.id):
            catalog.problems.append(Problem(str(path), 1, "id", f"检查表编号“{checklist.id}”与其他文件重复"))
            continue
        clash = next((i.id for i in checklist.all_items() if i.id in seen_items), None)
        if clash:
            catalog.problems.append(Problem(str(path), 1, "id", f"条目编号“{clash}”已在 {seen_items[clash]} 中使用"))
            continue
        seen_items.update((i.id, path.name) for i in checklist.all_items())
        catalog.entries.append(CatalogEntry(checklist, data, path))
    catalog.entries.sort(key=lambda e: (not e.checklist.default, e.checklist.id))
    return catalog

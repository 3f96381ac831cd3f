"""导入检查表: a checklist file of the user's own (a 质控中心's, say) put among this PC's checklists.

The file is checked as the program loads checklists (its schema, its rules, and no id that
another checklist has: answers are stored by item id), then copied, byte for byte, into the
folder of imported checklists (``paths.user_checklists_dir``), where it stays when the program is
upgraded. A newer version of a checklist imported before replaces it; rounds already started
keep the content they froze.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog, CatalogEntry, ChecklistError, Problem, read_checklist_bytes, read_entry
from ..errors import AppError, os_reason
from ..files import write_atomically
from ..paths import user_checklists_dir

__all__ = ["ImportedChecklist", "import_checklist"]


@dataclass(frozen=True)
class ImportedChecklist:
    entry: CatalogEntry
    #: the version of the checklist it replaced ('' when it is new on this PC)
    replaced: str = ""
    #: the very same content was imported before: nothing was written
    unchanged: bool = False

    @property
    def message(self) -> str:
        """What the user is told, in Chinese."""
        checklist = self.entry.checklist
        items = sum(1 for _ in checklist.all_items())
        what = f"“{checklist.title}”（版本 {checklist.version}，{items} 个条目）"
        if self.unchanged:
            return f"本机已有{what}，内容相同，未作修改。"
        done = f"已更新{what}，原为版本 {self.replaced}" if self.replaced else f"已导入{what}"
        return f"{done}。新建自查轮次时可以选用；已开始的轮次仍用开始时的内容。\n文件保存在：{self.entry.path}"


def import_checklist(source: Path, catalog: Catalog, folder: Path | None = None) -> ImportedChecklist:
    """Check ``source`` against ``catalog`` and copy it into ``folder`` (the imported checklists'),
    putting it into ``catalog``. Raises ChecklistError (the file's own problems) or AppError (why
    it cannot join the others, or why it could not be saved); nothing is written then."""
    folder = folder or user_checklists_dir()
    raw = read_checklist_bytes(source)
    entry = read_entry(source, raw)  # these bytes are what is checked, and what is copied
    checklist = entry.checklist
    if why := catalog.clash(checklist):
        raise ChecklistError([Problem(str(source), 1, "id", why)])
    same = catalog.get(checklist.id)  # imported before (a built-in one is a clash)
    if same is not None and same.sha256 == entry.sha256:
        return ImportedChecklist(same, same.checklist.version, unchanged=True)
    if same is not None and same.checklist.version == checklist.version:
        raise ChecklistError(
            [
                Problem(
                    str(source),
                    1,
                    "version",
                    f"本机已导入的“{same.checklist.title}”也是版本 {checklist.version}，内容却不同。"
                    "修改检查表后请提高版本号（version），各轮自查用的是哪一版才分得清。",
                )
            ]
        )
    target = same.path if same is not None else _free_name(folder, checklist.id)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(target, raw)
    except OSError as exc:
        raise AppError(f"无法保存检查表文件“{target}”：{os_reason(exc)}") from exc
    installed = CatalogEntry(checklist, entry.data, target)
    catalog.put(installed)
    return ImportedChecklist(installed, same.checklist.version if same is not None else "")


def _free_name(folder: Path, checklist_id: str) -> Path:
    """``<id>.yaml`` in ``folder``, or ``<id>-2.yaml`` … where a file of that name is there
    already (an invalid one the catalog skipped: it is not overwritten)."""
    target, n = folder / f"{checklist_id}.yaml", 1
    while target.exists():
        n += 1
        target = folder / f"{checklist_id}-{n}.yaml"
    return target

"""导入检查表: a checklist file of the user's own (a 质控中心's, say) put among this PC's checklists.

The file is checked as the program loads checklists (its schema, its rules, and no id that
another checklist has: answers are stored by item id), then copied, byte for byte, into the
folder of imported checklists (``paths.user_checklists_dir``), where it stays when the program is
upgraded. A newer version of a checklist imported before replaces it; rounds already started
keep the content they froze.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalog import (
    Catalog,
    CatalogEntry,
    ChecklistError,
    Problem,
    checklist_files,
    load_catalog,
    read_checklist_bytes,
    read_entry,
)
from ..domain.checklist import Checklist, version_key
from ..errors import AppError, os_reason
from ..files import write_atomically
from ..paths import user_checklists_dir

__all__ = [
    "ImportedChecklist",
    "check_import",
    "import_checklist",
    "import_problem",
    "installed_checklists",
    "save_template",
]


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
            return f"本机的检查表文件夹中已有{what}，内容相同，未作修改；新建自查轮次时可以选用。"
        done = f"已更新{what}，原为版本 {self.replaced}" if self.replaced else f"已导入{what}"
        return f"{done}。新建自查轮次时可以选用；已开始的轮次仍用开始时的内容。\n文件保存在：{self.entry.path}"


#: names Windows keeps for its devices: a checklist is saved as ``<id>.yaml``, and ``con.yaml``
#: cannot be made there
_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)
#: the template's id (checklists/template/example.yaml): two offices importing the template under
#: it would be one checklist to a summary
TEMPLATE_ID = "example-2025"


def installed_checklists(folder: Path) -> Catalog:
    """The checklists imported on this PC as the folder holds them now (not as the window read
    them at start: a file may have been mended, removed or added since)."""
    return load_catalog([folder]) if folder.is_dir() else Catalog()


def import_problem(entry: CatalogEntry, raw: bytes, catalog: Catalog, installed: Catalog) -> Problem | None:
    """Why ``entry`` (read as ``raw``) cannot be imported beside ``catalog`` and the checklists
    ``installed`` on this PC, or None. `checklists validate FILE` asks the same."""
    if why := _id_problem(entry.checklist, catalog):
        return Problem(str(entry.path), _line_of(raw, "id"), "id", why)
    same = installed.get(entry.checklist.id)
    if same is not None and _bytes(same.path) != raw and (why := _version_problem(same, entry)):
        return Problem(str(entry.path), _line_of(raw, "version"), "version", why)
    return None


def _line_of(raw: bytes, key: str) -> int:
    """The line of the file's own ``key`` (not an item's): the dialog says 第几行 to mend, and the
    template's first line is a comment."""
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    return next((n for n, line in enumerate(lines, 1) if re.match(rf"{key}\s*:", line)), 1)


def _id_problem(checklist: Checklist, catalog: Catalog) -> str:
    if why := catalog.clash(checklist):
        return why
    if checklist.id == TEMPLATE_ID:
        return "这是范例的编号：请把 id 改成自己检查表的编号（如 ly-zkjc-2025），章节和条目的编号一并改"
    if checklist.id in _DEVICE_NAMES:
        return f"检查表编号“{checklist.id}”是 Windows 保留的名称，不能用作文件名，请另起一个"
    return ""


def _version_problem(same: CatalogEntry, entry: CatalogEntry) -> str:
    """A file of a checklist imported before, whose content differs: only a newer version."""
    title, kept, given = same.checklist.title, same.checklist.version, entry.checklist.version
    if version_key(given) < version_key(kept):
        return f"本机已导入的“{title}”是较新的版本 {kept}，这个文件是版本 {given}：较旧的版本不导入"
    if version_key(given) == version_key(kept):
        return (
            f"本机已导入的“{title}”也是版本 {given}，内容却不同。修改检查表后请提高版本号（version），"
            "各轮自查用的是哪一版才分得清"
        )
    return ""


def check_import(paths: Sequence[Path]) -> Catalog:
    """The files at ``paths`` (files or folders) checked as importing them checks them, each
    among the other checklists (built in, imported on this PC, and the other files given)."""
    given = Catalog()
    files = checklist_files(paths, given.problems)
    catalog = load_catalog()
    resolved = {f.resolve() for f in files}
    catalog.entries = [e for e in catalog.entries if e.path.resolve() not in resolved]
    installed = installed_checklists(user_checklists_dir())
    for path in files:
        try:
            raw = read_checklist_bytes(path)
            entry = read_entry(path, raw)
        except ChecklistError as err:
            given.problems += err.problems
            continue
        problem = import_problem(entry, raw, catalog, installed)
        if problem is None and (twin := given.get(entry.checklist.id)) is not None:
            # one of them would be skipped at every start
            why = f"检查表编号“{entry.checklist.id}”与同时校验的 {twin.path.name} 相同"
            problem = Problem(str(path), _line_of(raw, "id"), "id", why)
        if problem is not None:
            given.problems.append(problem)
            continue
        catalog.put(entry)
        given.entries.append(entry)
    return given


def import_checklist(source: Path, catalog: Catalog, folder: Path | None = None) -> ImportedChecklist:
    """Check ``source`` against ``catalog`` and the checklists in ``folder`` (those imported on this
    PC), copy it there and put it into ``catalog``. Raises ChecklistError (the file's problems, or
    why it cannot join the others) or AppError (why it could not be saved); nothing is written then."""
    folder = folder or user_checklists_dir()
    raw = read_checklist_bytes(source)
    entry = read_entry(source, raw)  # these bytes are what is checked, and what is copied
    installed = installed_checklists(folder)
    if problem := import_problem(entry, raw, catalog, installed):
        raise ChecklistError([problem])
    same = installed.get(entry.checklist.id)
    if same is not None and _bytes(same.path) == raw:  # imported before, or mended in the folder
        catalog.put(same)
        return ImportedChecklist(same, same.checklist.version, unchanged=True)
    if folder.exists() and not folder.is_dir():
        raise AppError(
            f"无法保存检查表：“{folder}”应是存放检查表的文件夹，现在是一个同名的文件。请把它改名或移走后重试。"
        )
    target = same.path if same is not None else _free_name(folder, entry.checklist.id, installed)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(target, raw)
    except OSError as exc:
        raise AppError(f"无法保存检查表文件“{target}”：{os_reason(exc)}") from exc
    put = CatalogEntry(entry.checklist, entry.data, target)
    catalog.put(put)
    return ImportedChecklist(put, same.checklist.version if same is not None else "")


def save_template(out: Path) -> None:
    """检查表范例 saved as ``out`` (an author begins from it); AppError in Chinese when it cannot be."""
    from ..catalog import TEMPLATE
    from ..files import save_document

    save_document(out, TEMPLATE.read_bytes(), "检查表范例")


def _bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _free_name(folder: Path, checklist_id: str, installed: Catalog) -> Path:
    """``<id>.yaml`` in ``folder``; a file of that name that is no valid checklist (this one, broken
    and skipped at every start) is replaced, and one that holds another checklist is not:
    ``<id>-2.yaml`` … then."""
    taken = {e.path.name for e in installed.entries}
    target, n = folder / f"{checklist_id}.yaml", 1
    while target.name in taken:
        n += 1
        target = folder / f"{checklist_id}-{n}.yaml"
    return target

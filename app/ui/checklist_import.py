"""文件 → 导入检查表文件… and 打开检查表文件夹: a checklist of the user's own (a 质控中心's) among
this PC's, checked as the program checks its own (app/services/checklists.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AppError
from . import dialogs

if TYPE_CHECKING:
    from ..catalog import Problem
    from .main_window import MainWindow

#: what the file dialog offers: 记事本 may have saved a ``.yaml.txt``, hence all files too
FILE_FILTER = "检查表文件 (*.yaml *.yml);;所有文件 (*)"


def problems_text(problems: Sequence[Problem], with_file: bool = True) -> tuple[str, str]:
    """The first three problems for a message box (it fits a 1024×700 screen) and all of them
    for 显示详情, each as ``第 9 行（条目“…”的 target）：…``."""
    first = "\n".join(p.plain(with_file) for p in problems[:3])
    more = f"\n……共 {len(problems)} 处错误，全部见“显示详情”。" if len(problems) > 3 else ""
    return first + more, "\n".join(p.plain(with_file) for p in problems)


def import_checklist_files(window: MainWindow) -> None:
    from ..catalog import ChecklistError
    from ..services.checklists import import_checklist

    for name in dialogs.open_files(window, "选择要导入的检查表文件", FILE_FILTER):
        try:
            imported = import_checklist(Path(name), window.catalog())
        except ChecklistError as err:
            first, details = problems_text(err.problems, with_file=False)
            dialogs.error(
                window,
                f"检查表文件“{Path(name).name}”有错误，未导入：\n\n{first}\n\n"
                "请按说明改好文件后重新导入；见“帮助 → 使用说明”第七部分。",
                details,
            )
            continue
        except AppError as err:
            dialogs.error(window, f"检查表文件“{Path(name).name}”未导入：{err}")
            continue
        dialogs.info(window, imported.message)


def save_checklist_template(window: MainWindow) -> None:
    """检查表范例: a valid checklist commented in Chinese, where an author begins."""
    from ..services.checklists import save_template

    name = dialogs.save_file(window, "保存检查表范例", "检查表范例.yaml", "检查表文件 (*.yaml)")
    if not name:
        return
    out = Path(name if name.lower().endswith((".yaml", ".yml")) else name + ".yaml")
    try:
        save_template(out)
    except AppError as err:
        dialogs.error(window, str(err))
        return
    dialogs.info(
        window,
        f"已保存检查表范例：{out}\n\n用记事本或 WPS 打开，照其中以 # 开头的说明改写（保存为 UTF-8 编码），"
        "再用“文件 → 导入检查表文件…”导入。",
    )


def open_checklists_folder(window: MainWindow) -> None:
    """The folder of imported checklists, made if there is none yet (nothing imported)."""
    from ..paths import user_checklists_dir

    folder = user_checklists_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..errors import os_reason

        dialogs.error(window, f"无法打开检查表文件夹“{folder}”：{os_reason(exc)}")
        return
    dialogs.open_in_viewer(folder)

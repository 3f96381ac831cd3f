"""Start the GUI: Chinese translations, the database (with a clear dialog when it cannot be
opened), the catalog (saying which files were skipped), first-run profile, last position."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .. import APP_NAME
from ..catalog import load_catalog
from ..errors import AppError
from ..paths import current_user, default_db_path, device_id
from ..services.profile import get_profile
from ..store import Actor, Store, open_store
from . import dialogs
from .qt import QApplication, QLibraryInfo, QLocale, QLockFile, QTranslator


def create_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    app._translators = []  # keep references: a collected translator stops translating
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)
            app._translators.append(translator)
    return app


class LockError(AppError):
    pass


def acquire_lock(db_path: Path):
    """One window per database: a second instance is told so instead of fighting over the file."""
    lock = QLockFile(str(db_path) + ".lock")
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        raise LockError(f"数据库“{db_path}”已在另一个窗口中打开。\n请切换到已打开的窗口，或关闭它后再试。")
    return lock


def open_main_window(store: Store, actor: Actor):
    from .main_window import MainWindow

    catalog = load_catalog()
    window = MainWindow(store, catalog, actor)
    return window, catalog


def run_gui(argv: list[str], db_path: Path | None = None) -> int:
    app = create_application(argv)
    db_path = db_path or Path(os.environ.get("MQSC_DB") or default_db_path())
    try:
        _mkdir(db_path.parent)
        lock = acquire_lock(db_path)
        store = open_store(db_path)
    except AppError as err:
        dialogs.error(None, str(err))
        return 1
    actor = Actor(current_user(), device_id())
    window, catalog = open_main_window(store, actor)
    window.resize(min(1366, window.screen().availableGeometry().width()),
                  min(740, window.screen().availableGeometry().height()))
    window.show()
    if catalog.problems:
        skipped = "\n".join(catalog.skipped_files)
        details = "\n".join(str(p) for p in catalog.problems[:10])
        dialogs.error(window, f"以下检查表文件有错误，已跳过：\n{skipped}\n\n{details}")
    if get_profile(store) is None and not window.edit_profile():
        dialogs.info(window, "尚未填写医院基本情况。开始自查前请通过“医院 → 医院基本情况”填写。")
    window.restore_position()
    code = app.exec()
    store.close()
    lock.unlock()
    return code


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建数据文件夹“{path}”：{exc.strerror or exc}") from exc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_gui(sys.argv))

"""Start the GUI: Chinese translations, the database (with a clear dialog when it cannot be
opened), the catalog (saying which files were skipped), first-run profile, last position."""

from __future__ import annotations

import functools
import gc
import os
import sys
from pathlib import Path

from .. import APP_NAME
from ..errors import AppError, os_reason
from ..paths import current_user, data_dir, default_db_path, device_id

# The Qt-free layers the first window needs are imported before PySide6: once loaded, PySide6
# reads the source of every module imported after it (for its ``__feature__`` switch).
from ..services import answers, attachments, rectifications, rounds  # noqa: F401
from ..services.profile import get_profile
from ..store import Actor, open_store
from . import dialogs
from .qt import QApplication, QLibraryInfo, QLocale, QLockFile, QTimer, QTranslator

CATALOG_CHECK_DELAY_MS = 300


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
    gaps = _MissingTranslations(app)  # installed last: asked first
    app.installTranslator(gaps)
    app._translators.append(gaps)
    return app


#: What Qt's own zh_CN translation leaves in English (the file dialog's labels), by context
_GAPS = {("QFileDialog", "Look in:"): "查找范围：", ("QFileDialog", "Files of type:"): "文件类型：",
         ("QFileDialog", "&Look in:"): "查找范围(&L)：", ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
         **{(context, english): chinese for context in ("QAbstractFileIconProvider", "QFileIconProvider")
            for english, chinese in (("Folder", "文件夹"), ("File", "文件"), ("Drive", "驱动器"),
                                     ("%1 File", "%1 文件"))}}


class _MissingTranslations(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):
        return _GAPS.get((context, source))

    def isEmpty(self) -> bool:
        return False


class LockError(AppError):
    pass


def acquire_lock(db_path: Path):
    """One window per database: a second instance is told so instead of fighting over the file."""
    lock = QLockFile(str(db_path) + ".lock")
    lock.setStaleLockTime(0)
    if not lock.tryLock(200):
        if lock.error() == QLockFile.LockError.LockFailedError:
            raise LockError(f"数据库“{db_path}”已在另一个窗口中打开。\n请切换到已打开的窗口，或关闭它后再试。")
        # no lock file could be made beside the database: the folder is read-only or the disk full
        raise LockError(f"无法在“{db_path.parent}”中创建锁文件：文件夹是只读的（或没有写入权限），或磁盘已满。\n"
                        "请检查该文件夹的权限和磁盘空间，或把数据库复制到可写的位置后再打开。")
    return lock


def start(db_path: Path, catalog_paths=None):
    """Everything up to the event loop: returns (window, store, lock), or None after telling the
    user in a dialog why the database cannot be used."""
    try:
        _mkdir(db_path.parent)
        lock = acquire_lock(db_path)
        store = open_store(db_path)
    except AppError as err:
        dialogs.error(None, str(err))
        return None
    actor = Actor(current_user(), device_id())

    @functools.cache
    def catalog():
        from ..catalog import load_catalog  # YAML and validation: read after the window is up

        return load_catalog(catalog_paths) if catalog_paths else load_catalog()

    from .main_window import MainWindow

    window = MainWindow(store, catalog, actor)
    geometry = window.screen().availableGeometry()
    window.resize(min(1366, geometry.width()), min(740, geometry.height()))
    window.restore_position()
    window.show()

    def check_catalog() -> None:
        if catalog().problems:
            skipped = "\n".join(catalog().skipped_files)
            details = "\n".join(str(p) for p in catalog().problems[:10])
            dialogs.error(window, f"以下检查表文件有错误，已跳过（其余检查表可正常使用）：\n{skipped}\n\n{details}")

    # after the first paint: the window is up while the checklist files are read
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, check_catalog)
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window.show_reminders)  # not worth delaying the first paint
    if get_profile(store) is None and not window.edit_profile():
        dialogs.info(window, "尚未填写医院基本情况。开始自查前请通过“医院 → 医院基本情况”填写。")
    return window, store, lock


def install_excepthook(log_path: Path) -> None:
    """An unexpected error in a slot is logged and told to the user, not only printed to a console
    nobody sees; the program keeps running."""
    import traceback

    def hook(kind, value, tb) -> None:
        detail = "".join(traceback.format_exception(kind, value, tb))
        try:
            with log_path.open("a", encoding="utf-8") as log:
                log.write(detail + "\n")
        except OSError:
            pass
        message = value.user_message if isinstance(value, AppError) else (
            f"程序出现意外错误，刚才的操作可能没有完成。\n详细信息已写入：{log_path}\n\n{kind.__name__}: {value}")
        dialogs.error(QApplication.activeWindow(), message)

    sys.excepthook = hook


def run_gui(argv: list[str], db_path: Path | None = None) -> int:
    app = create_application(argv)
    install_excepthook(data_dir() / "error.log")
    started = start(db_path or Path(os.environ.get("MQSC_DB") or default_db_path()))
    if started is None:
        return 1
    _window, store, lock = started
    # what start-up built lives as long as the window: keep it out of every later collection
    # (main.py turned the collector off while it was being built)
    gc.freeze()
    gc.enable()
    code = app.exec()
    store.close()
    lock.unlock()
    return code


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建数据文件夹“{path}”：{os_reason(exc)}") from exc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_gui(sys.argv))

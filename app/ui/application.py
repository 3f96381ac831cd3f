"""Start the GUI: Chinese translations, the database (with a clear dialog when it cannot be
opened), the catalog (saying which files were skipped), first-run profile, last position."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .. import APP_NAME
from ..errors import AppError, DamagedError, os_reason
from ..paths import current_user, data_dir, default_db_path, device_id

# The Qt-free layers the first window needs are imported before PySide6: once loaded, PySide6
# reads the source of every module imported after it (for its ``__feature__`` switch).
from ..services import answers, attachments, rectifications, rounds, session  # noqa: F401
from ..services.profile import get_profile
from ..store import Actor, open_store
from ..store import lock as _lock  # noqa: F401  (the single-instance lock, Qt-free: before PySide6)
from ..store.health import explain_damage, quick_check_records
from . import dialogs
from .input_method import adapted_for_qt, temporarily_set
from .platform_choice import platform_changes
from .qt import QApplication, QLibraryInfo, QLocale, QTimer, QTranslator

if TYPE_CHECKING:
    from ..catalog import Problem

CATALOG_CHECK_DELAY_MS = 300
#: the application's translators: a collected translator stops translating
_translators: list[QTranslator] = []
#: set when start() found the database open in another window and brought that one forward
brought_to_front = False
#: the first open of the day backs up once the window is up (备份与恢复)
BACKUP_DELAY_MS = 1000
#: how long a launch waits for a closing window (or a command) to let go of the database
LOCK_WAIT_S = 15.0
#: the main window's size (contents) on a screen with room for it
WINDOW_SIZE = (1366, 740)
#: set when start-up asked Qt for ibus through fcitx5's portal (app/ui/input_method.py)
input_method_switched = False
#: the bus name fcitx5 serves ibus's protocol under
IBUS_PORTAL = "org.freedesktop.portal.IBus"
#: the program as fcitx 4's client, where fcitx 4 runs (app/ui/fcitx4.py); kept for the process
input_bridge: object | None = None
NO_INPUT_METHOD = (
    "本机的输入法设置为 fcitx，但没有找到正在运行的 fcitx（既没有 fcitx5 的输入接口，也没有 fcitx 4）："
    "在本程序中只能输入英文字母和数字，不能直接输入中文。\n\n"
    "可以先在其他程序（如 WPS）中输入中文，复制后在本程序中粘贴（Ctrl+V）；输入法启动后重新打开本程序，即可直接输入。"
    "\n\n本提示只显示一次。"
)


def display_problem() -> str:
    """Why no window can open here ('' when one can): on Linux without an X or Wayland display
    (a remote shell, a service) Qt would abort the process with English messages."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return (
        "没有可用的图形显示（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开图形界面。"
        "请在桌面中打开本程序；在终端中可以使用命令行功能（加 --help 查看）。"
    )


def create_application(argv: list[str]) -> QApplication:
    # the process's one application is this GUI's (instance() is typed as the QCoreApplication base)
    app = cast(QApplication, QApplication.instance())
    if app is None:
        if sys.platform.startswith("linux"):  # Qt reads the platform's and input method's variables as it starts
            global input_method_switched
            plugins = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
            with adapted_for_qt(plugins) as switched, temporarily_set(platform_changes(os.environ, plugins)):
                app = QApplication(argv)
            input_method_switched = switched
        else:
            app = QApplication(argv)
    app.setApplicationName(APP_NAME)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    _translators.clear()  # keep references to this application's
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)
            _translators.append(translator)
    gaps = _MissingTranslations(app)  # installed last: asked first
    app.installTranslator(gaps)
    _translators.append(gaps)
    return app


#: What Qt's own zh_CN translation leaves in English (the file dialog's labels), by context
_GAPS = {
    ("QFileDialog", "Look in:"): "查找范围：",
    ("QFileDialog", "Files of type:"): "文件类型：",
    ("QFileDialog", "&Look in:"): "查找范围(&L)：",
    ("QFileDialog", "Files of &type:"): "文件类型(&T)：",
    ("QPrintSettingsOutput", "Page &Set:"): "打印页(&S)：",  # 打印 → 选项: all, odd or even pages
    **{
        (context, english): chinese
        for context in ("QAbstractFileIconProvider", "QFileIconProvider")
        for english, chinese in (("Folder", "文件夹"), ("File", "文件"), ("Drive", "驱动器"), ("%1 File", "%1 文件"))
    },
}


class _MissingTranslations(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):
        return _GAPS.get((context, source))

    def isEmpty(self) -> bool:
        return False


class LockError(AppError):
    pass


def acquire_instance(db_path: Path):
    """One window per database: the instance (lock + activation server), or None when the window
    that has the database open was asked to come to the front instead."""
    from .single_instance import SingleInstance, acquire, ask_running_window

    try:
        instance = acquire(db_path)
    except OSError:
        # no lock file can be made beside the database (read-only folder or media, full disk):
        # nothing can be written there, so the database opens read-only and cannot be fought over
        return SingleInstance(db_path, None)
    if instance is None:
        if ask_running_window(db_path):
            return None
        # No window answered: one that is closing (its last backup takes seconds on a large
        # database, and it stopped listening first) or a command holds the lock; both let go soon.
        instance = _wait_for(db_path, LOCK_WAIT_S)
    if instance is None:
        raise LockError(
            f"数据库“{db_path}”已在另一个窗口中打开（或正被命令行程序使用）。\n请切换到已打开的窗口，或关闭它后再试。"
            "如果刚刚关闭了程序，它可能正在做关闭时的自动备份，请稍候再打开。"
        )
    return instance


def _wait_for(db_path: Path, seconds: float):
    """The instance once whoever holds the lock lets go, or None after ``seconds`` (the busy
    cursor meanwhile)."""
    import time

    from .qt import Qt
    from .single_instance import acquire

    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.2)
            instance = acquire(db_path)
            if instance is not None:
                return instance
        return None
    finally:
        QApplication.restoreOverrideCursor()


def open_database(db_path: Path):
    """The store, after the quick check; a damaged file gets the offer of the newest good
    backup. None when the user was told why it cannot be used (or chose to quit)."""
    allow_empty = False
    if db_path.is_file() and db_path.stat().st_size == 0:
        if not dialogs.confirm(
            None,
            f"数据库文件“{db_path}”是空的（0 字节），其中没有任何数据。\n\n"
            "要在这个文件中新建一个空白数据库吗？\n（如果它是被意外清空的，请选“否”，"
            "然后用备份恢复。）",
        ):
            return None
        allow_empty = True
    backup_dir = None
    try:
        store = open_store(db_path, allow_empty=allow_empty)
        # the records only: the attachments' bytes (95 % of two years' file) are checked in the
        # background once the window is up (check_whole_file)
        problems = quick_check_records(store.conn)
        if problems:
            from ..store.backup import backup_folder

            backup_dir = backup_folder(store.conn, db_path)
            damage = explain_damage(store.conn)
            store.close()
            # the user reads which part is damaged; SQLite's English goes to the technical detail
            raise DamagedError(damage, "\n".join(problems))
        return store
    except DamagedError as err:
        return _recover(db_path, err.user_message, backup_dir, err.detail)
    except AppError as err:
        dialogs.error(None, str(err))
        return None


def _recover(db_path: Path, problem: str, backup_dir: Path | None, detail: str = ""):
    from ..services.backups import restore
    from .backups_dialog import offer_restore

    chosen = offer_restore(None, db_path, problem, backup_dir, detail)
    if chosen is None:
        return None
    try:
        aside = restore(db_path, chosen, own_lock=True)
        store = open_store(db_path)
    except AppError as err:
        dialogs.error(None, f"恢复失败：{err.user_message}")
        return None
    kept = f"\n损坏的文件保留为：{aside}" if aside else ""
    dialogs.info(None, f"已从备份“{chosen.name}”恢复。{kept}")
    return store


def start(db_path: Path, catalog_paths=None):
    """Everything up to the event loop: returns (window, store, instance), or None after telling
    the user in a dialog why the database cannot be used (or after bringing the window that has
    it open to the front)."""
    instance = _claim(db_path)
    if instance is None:
        return None
    store = open_database(db_path)
    if store is None:
        instance.unlock()
        return None
    catalog = _lazy_catalog(catalog_paths)
    window = _show_window(store, catalog)
    _schedule_after_first_paint(window, instance, catalog, db_path)
    if get_profile(store) is None and not window.edit_profile():
        dialogs.info(
            window,
            "尚未填写医院基本情况。开始自查前请通过“医院 → 医院基本情况”填写。\n\n"
            "以前用过本程序、有备份文件（如 U 盘上的备份）时，可以用“文件 → 备份与恢复 → 从其他文件恢复”恢复全部资料。",
        )
    return window, store, instance


def _claim(db_path: Path):
    """The database's single-instance lock, or None when there is nothing to open here: the user
    was told why, or the window that has it open came to the front (run_gui exits quietly then)."""
    try:
        _mkdir(db_path.parent)
        instance = acquire_instance(db_path)
    except AppError as err:
        dialogs.error(None, str(err))
        return None
    if instance is None:
        global brought_to_front
        brought_to_front = True
    return instance


def _lazy_catalog(catalog_paths):
    """The catalog, read on first use and then kept: the window is up before the YAML is read."""

    @functools.cache
    def catalog():
        from ..catalog import load_catalog  # YAML and validation: read after the window is up

        return load_catalog(catalog_paths) if catalog_paths else load_catalog()

    return catalog


def _show_window(store, catalog):
    """The main window at its last position, shown before anything slow (the catalog) is read:
    WINDOW_SIZE where the screen has room for it with its frame, else maximised (1366×768 with a
    task bar, 1920×1080 at 150%): a window as large as the free area would have its title bar
    or its status bar under the task bar or off the screen."""
    actor = Actor(current_user(), device_id())
    from .main_window import MainWindow
    from .screen import fit_to_screen, fits

    window = MainWindow(store, catalog, actor)
    fit_to_screen(window, *WINDOW_SIZE)  # also the size it takes when no longer maximised
    window.restore_position()
    if fits(window, *WINDOW_SIZE):
        window.show()
    else:
        window.showMaximized()
    return window


def checklist_problems_message(skipped_files: Sequence[str], problems: Sequence[Problem]) -> tuple[str, str]:
    """The message and the 显示详情 text for checklist files with errors (checklist_import.problems_text)."""
    from .checklist_import import problems_text

    skipped = "\n".join(skipped_files)
    first, details = problems_text(problems)
    return f"以下检查表文件有错误，已跳过（其余检查表可正常使用）：\n{skipped}\n\n{first}", details


def _schedule_after_first_paint(window, instance, catalog, db_path: Path) -> None:
    """What may wait until the window is drawn: the user sees it at once, and a dialog raised
    here has the window as its parent."""

    def check_catalog() -> None:
        problems = catalog().problems
        if problems:
            dialogs.error(window, *checklist_problems_message(catalog().skipped_files, problems))

    def warn_about_location() -> None:
        from ..services.backups import location_warning

        if window.store.read_only:
            dialogs.info(
                window,
                f"数据库只能以只读方式打开：{window.store.read_only}\n\n可以查看、打印报告和备份。修改暂时无法保存："
                "输入的内容会保留，解除 U 盘写保护、清理磁盘空间或改好权限后，程序自动保存。",
            )
        warning = location_warning(db_path)
        if warning:
            dialogs.info(window, warning)

    def daily_backup() -> None:
        from .backups_dialog import daily_backup

        daily_backup(window)

    def check_whole_file() -> None:
        from .backups_dialog import check_whole_file

        check_whole_file(window, _damaged_while_running)

    def activated() -> None:
        from .single_instance import bring_to_front

        bring_to_front(window)

    instance.activated.connect(activated)
    # after the first paint: the window is up while the checklist files are read
    QTimer.singleShot(0, instance, instance.listen)
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window, check_catalog)
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window, warn_about_location)
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window, lambda: connect_input_method(window))
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window, check_whole_file)
    QTimer.singleShot(BACKUP_DELAY_MS, window, daily_backup)  # not if the window is gone by then
    QTimer.singleShot(CATALOG_CHECK_DELAY_MS, window, window.show_reminders)  # after the first paint


def connect_input_method(window) -> None:
    """Where the desktop asked for fcitx and Qt was adapted for it (input_method_switched):
    fcitx5 serves ibus's protocol and Qt's ibus plugin talks to it, nothing to do; fcitx 4
    serves its own, and the program becomes its client (app/ui/fcitx4.py); with neither, the
    user would type Latin letters not knowing why: said once per database."""
    global input_bridge
    if not input_method_switched:
        return
    from PySide6.QtDBus import QDBusConnection

    connection = QDBusConnection.sessionBus()
    if connection.isConnected():
        bus = connection.interface()
        if IBUS_PORTAL in [*bus.registeredServiceNames().value(), *bus.activatableServiceNames().value()]:
            return
    try:
        from . import fcitx4
    except ImportError:  # jeepney missing (a source install without it): as without fcitx 4
        pass
    else:
        input_bridge = fcitx4.connect()
        if input_bridge is not None:
            return
    if window.store.setting("ui.input_method_notice"):
        return
    dialogs.info(window, NO_INPUT_METHOD)
    with contextlib.suppress(AppError):  # a read-only database: said again next time
        window.store.set_setting("ui.input_method_notice", True)


def _damaged_while_running(error: DamagedError) -> None:
    """A damaged page met while working: offer the newest good backup in the window."""
    from .backups_dialog import offer_restore, restore_in_window
    from .main_window import MainWindow

    window = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)), None)
    if window is None:
        dialogs.error(None, error.user_message)
        return
    from ..services.backups import folder

    try:
        backup_dir = folder(window.store)
    except AppError:
        backup_dir = None
    chosen = offer_restore(window, window.store.path, error.user_message, backup_dir, error.detail)
    if chosen is not None:
        restore_in_window(window, chosen, f"备份“{chosen.name}”")


def install_excepthook(log_path: Path) -> None:
    """An unexpected error in a slot is logged and told to the user, not only printed to a console
    nobody sees; the program keeps running."""
    import traceback

    from . import tasks

    tasks.error_log = log_path  # background jobs' unforeseen failures go there too

    def hook(kind, value, tb) -> None:
        tasks.write_error_log("".join(traceback.format_exception(kind, value, tb)) + "\n", log_path)
        if isinstance(value, DamagedError):
            _damaged_while_running(value)
            return
        if isinstance(value, AppError):
            dialogs.error(QApplication.activeWindow(), value.user_message)
            return
        dialogs.error(
            QApplication.activeWindow(),
            f"程序出现意外错误，刚才的操作可能没有完成。请把这个文件交给维护本程序的人员：\n{log_path}",
            f"{kind.__name__}: {value}",  # behind 显示详情
        )

    sys.excepthook = hook


def run_gui(argv: list[str], db_path: Path | None = None) -> int:
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    app = create_application(argv)
    install_excepthook(data_dir() / "error.log")
    started = start(db_path or Path(os.environ.get("MQSC_DB") or default_db_path()))
    if started is None:
        return 0 if brought_to_front else 1  # a second launch that raised the first is no failure
    window, _store, instance = started
    # what start-up built lives as long as the window: keep it out of every later collection
    # (main.py turned the collector off while it was being built)
    gc.freeze()
    gc.enable()
    code = app.exec()
    # the window is gone: a launch from now on must not be told it came to the front; it waits
    # for the lock instead (acquire_instance), which the backup below holds for a few seconds
    instance.stop_listening()
    store = window.store  # another one after a restore
    try:
        from .backups_dialog import backup_on_close

        backup_on_close(store, window.changes_backed_up)
    except AppError as err:  # the window is gone: the log says why there is no backup of today's work
        from .tasks import write_error_log

        write_error_log(f"关闭时的自动备份没有完成：{err.user_message}\n", data_dir() / "error.log")
    store.close()
    instance.unlock()
    return code


def _mkdir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(f"无法创建数据文件夹“{path}”：{os_reason(exc)}") from exc


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_gui(sys.argv))

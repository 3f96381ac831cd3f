"""Errors that carry a message for the user (in Chinese) and detail for the log.

The data layers raise these; the CLI and the GUI catch them at the boundary and show
``user_message``. No traceback reaches a user.
"""

from __future__ import annotations


class AppError(Exception):
    """Base class: ``str(err)`` is the Chinese message shown to the user."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.user_message = message
        self.detail = detail


class InputError(AppError):
    """Invalid user input (输入有误); nothing was written."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(AppError):
    """A round, item or record that does not exist."""


class StoreError(AppError):
    """The database cannot be opened or written."""


class DamagedError(StoreError):
    """The database file is damaged (a page cannot be read): the user is offered a backup."""


_OS_REASONS = {
    "ENOSPC": "磁盘已满",
    "EDQUOT": "磁盘配额已满",
    "EACCES": "没有访问权限",
    "EPERM": "没有访问权限",
    "EROFS": "磁盘是只读的",
    "ENOENT": "文件或文件夹不存在",
    "EISDIR": "这是一个文件夹",
    "ENOTDIR": "路径中有同名的文件",
    "EEXIST": "已存在同名的文件",
    "EBUSY": "文件正被其他程序使用",
    "ENAMETOOLONG": "文件名太长",
    "EIO": "读写出错（磁盘或 U 盘可能有故障）",
}


#: Windows' own codes where its errno says only "permission denied": replacing or deleting a file
#: that WPS, a PDF reader or an antivirus scan holds open fails so, and "没有访问权限" sent users
#: to check folder rights (Windows review)
_HELD_OPEN = "文件正被其他程序打开（如 WPS、PDF 阅读器），请关闭后重试"
_WINDOWS_REASONS = {
    32: _HELD_OPEN,  # ERROR_SHARING_VIOLATION
    33: _HELD_OPEN,  # ERROR_LOCK_VIOLATION
    5: "没有访问权限，或文件正被其他程序打开（如 WPS、PDF 阅读器，请关闭后重试）",  # ERROR_ACCESS_DENIED
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese (the system's own text is often English)."""
    import errno

    windows = _WINDOWS_REASONS.get(getattr(exc, "winerror", None) or 0)
    if windows:
        return windows
    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name) or exc.strerror or str(exc)

"""Files that appear complete or not at all: a temporary name beside the target, fsync, rename,
fsync of the folder (so that the rename itself survives a power cut).

Used for reports, backups and exports. A temporary file left by a process that was killed
(``.<name>.<pid>.<random>.part``) is removed the next time the same file is written.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "fsync_folder",
    "remove_stale_parts",
    "remove_stale_parts_of",
    "save_document",
    "temporary_beside",
    "write_atomically",
]

PART_SUFFIX = ".part"
#: Windows refuses to rename over a file another program holds open, for as long as it holds it
RENAME_REFUSED_WHILE_OPEN = os.name == "nt"


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` durable. A no-op where folders cannot be opened
    (Windows: NTFS makes the rename durable with the file's own flush)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file this program has just written to the disk. Opened for writing: Windows
    flushes only a handle with write access (``_commit`` refuses a read-only one, EBADF), and
    every backup and export failed there with “Bad file descriptor” (Windows review)."""
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (when in doubt: yes, and its file is kept)."""
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:
    """Windows: open the process for a query and read whether it has exited. A PC switched off
    during the backup on closing leaves its ``.part`` (as large as the database, 845 MB after two
    years of scans); while this said "alive" for every process, none was ever removed there."""
    if sys.platform != "win32":
        return True
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # ERROR_ACCESS_DENIED: it runs, as another user
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove temporary files of ``target`` left by processes that no longer run (killed while
    writing). Returns what was removed."""
    return remove_stale_parts_of(target.parent, target.name)


def remove_stale_parts_of(folder: Path, name_pattern: str) -> list[Path]:
    """Remove the temporary files in ``folder`` of the files named like ``name_pattern`` (a glob:
    ``demo-*.db`` for every backup of ``demo.db``, whose names differ by their time) left by
    processes that no longer run. Returns what was removed."""
    removed = []
    for part in Path(folder).glob(f".{name_pattern}.*{PART_SUFFIX}"):
        pid_text = part.name[: -len(PART_SUFFIX)].rsplit(".", 2)[-2]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not pid_alive(int(pid_text)):
            try:
                part.unlink()
                removed.append(part)
            except OSError:
                pass
    return removed


def owned_like(paths: list[Path], model: Path) -> None:
    """Give ``paths`` the owner of ``model`` where root made them (``sudo mqsc backup`` on a
    user's database): a backup folder and files owned by root, the user's own program could no
    longer back up into the folder, rotate the files, or upgrade a database (which backs up
    first). Only what root owns is changed, and the caller passes only what it made: a folder
    that was there (``--out /root/x.db``) is never given away. Nothing happens for other users or
    on Windows."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    try:
        owner = model.stat()
    except OSError:
        return
    if owner.st_uid == 0:
        return
    for path in paths:
        try:
            if path.stat().st_uid == 0:
                os.chown(path, owner.st_uid, owner.st_gid)
        except OSError:
            pass  # a file system without owners (a FAT stick): nothing to give


def temporary_beside(target: Path) -> Path:
    """A new, empty, hidden file in the target's folder, named after the target and this process."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=PART_SUFFIX, dir=target.parent)
    os.close(fd)
    return Path(name)


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: the classic two calls (briefly a process-wide change)
    os.umask(mask)
    return mask


def replace_patiently(source: Path, target: Path, tries: int = 5, pause: float = 0.2) -> None:
    """``os.replace``, tried again for about a second while Windows refuses it: an antivirus
    scanner or the search indexer opens a new file for a moment, and the rename fails while it
    looks (a backup of 850 MB, a package just written). Refused to the end, it raises; elsewhere
    a refusal is final at once."""
    import time

    for attempt in range(tries):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if not RENAME_REFUSED_WHILE_OPEN or attempt == tries - 1:
                raise
            time.sleep(pause)


def write_atomically(target: Path, write: Callable[[Path], None] | bytes) -> None:
    """Write ``target`` through a temporary file: ``write`` (bytes, or a function that writes the
    temporary path given to it), fsync, rename over ``target``, fsync the folder. On any error the
    temporary file is removed and ``target`` is as it was. Raises OSError."""
    target = Path(target)
    remove_stale_parts(target)
    temporary = temporary_beside(target)
    try:
        if isinstance(write, bytes | bytearray):
            with open(temporary, "wb") as f:
                f.write(write)
                f.flush()
                os.fsync(f.fileno())
        else:
            write(temporary)
            fsync_file(temporary)
        # mkstemp makes the file private (0600); a report or a package is a document like any
        # other, readable by colleagues as the user's umask allows
        if os.name == "posix":
            os.chmod(temporary, 0o666 & ~_umask())
        replace_patiently(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def save_document(target: Path, write: Callable[[Path], None] | bytes, what: str) -> None:
    """:func:`write_atomically` for what the user saves (a report, a package, a workbook): the
    folder checked first, and an OS error told in Chinese (AppError) naming ``what`` and where."""
    from .errors import AppError, os_reason

    target = Path(target)
    if not target.parent.is_dir():
        raise AppError(f"保存位置“{target.parent}”不存在，请选择其他文件夹。")
    try:
        write_atomically(target, write)
    except OSError as exc:
        raise AppError(f"无法保存{what}“{target}”：{os_reason(exc)}") from exc

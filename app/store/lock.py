"""One program per database (实例锁): an operating-system lock on ``<database>.lock``.

The system releases the lock when the process ends, however it ends (kill -9, a power cut), so a
stale lock never blocks the next start. The GUI holds it while a database is open; the commands
that write (``answer``, ``demo``, ``restore``) take it for their few milliseconds, so only one
program writes to a database at a time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["InstanceLock", "lock_path"]


def lock_path(db_path: Path) -> Path:
    return Path(f"{db_path}.lock")


class InstanceLock:
    def __init__(self, db_path: Path) -> None:
        self.path = lock_path(Path(db_path))
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock without waiting: False when another program holds it. Raises OSError
        when the lock file cannot be made (a read-only folder, a full disk)."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if sys.platform == "win32":  # os.name == "nt", in a form mypy narrows on
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        try:  # for a person looking at the file: which process has it
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            if sys.platform == "win32":  # os.name == "nt", in a form mypy narrows on
                import msvcrt

                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def held_elsewhere(db_path: Path) -> bool:
    """True while another program (the GUI) has the database open."""
    lock = InstanceLock(db_path)
    if not lock.path.exists():  # nobody has it open (and no lock file is left behind by asking)
        return False
    try:
        if not lock.acquire():
            return True
    except OSError:
        return False  # no lock can be made here (read-only folder): nobody else can have made one
    lock.release()
    return False

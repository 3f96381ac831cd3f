"""One window per database (单实例): a second launch brings the running window to the front.

The database's instance lock (``app.store.lock``, an operating-system lock the system releases
when a process dies, so a stale lock never blocks) says whether a window has it open; a
QLocalServer named after the database lets the second launch ask that window to come forward.
The server starts once the window is shown: QtNetwork costs ≈20 ms that start-up does not pay.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.lock import InstanceLock
from .qt import QObject, Signal

if TYPE_CHECKING:
    from .qt import QLocalServer

ACTIVATE = b"activate\n"


def server_name(db_path: Path) -> str:
    """The same for every launch of this user on this database; short enough for every platform."""
    import hashlib  # not at start-up: the server listens once the window is shown

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    key = f"{user}\n{Path(db_path).resolve()}".encode()
    return "mqsc-" + hashlib.sha256(key).hexdigest()[:24]


class SingleInstance(QObject):
    """Held by the running window: the lock, and the server that hears a second launch."""

    activated = Signal()

    def __init__(self, db_path: Path, lock: InstanceLock | None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.lock = lock
        self.server: QLocalServer | None = None

    def listen(self) -> None:
        from .qt import QLocalServer

        name = server_name(self.db_path)
        QLocalServer.removeServer(name)  # left by a killed instance: we hold the lock, so it is stale
        self.server = server = QLocalServer(self)
        server.newConnection.connect(self._connection)
        server.listen(name)

    def _connection(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket) -> None:
        if bytes(socket.readAll().data()).startswith(ACTIVATE.strip()):
            self.activated.emit()

    def stop_listening(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def unlock(self) -> None:
        self.stop_listening()
        if self.lock is not None:
            self.lock.release()


def acquire(db_path: Path) -> SingleInstance | None:
    """The instance for ``db_path``, or None when another window has it (a running window or a
    command). Raises OSError when the lock file cannot be made."""
    lock = InstanceLock(db_path)
    if not lock.acquire():
        return None
    return SingleInstance(db_path, lock)


def ask_running_window(db_path: Path, timeout_ms: int = 1000) -> bool:
    """Ask the window that has ``db_path`` open to come to the front; False when none answered."""
    from .qt import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(server_name(db_path))
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(ACTIVATE)
    ok = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return ok


def bring_to_front(window) -> None:
    from .qt import Qt

    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()

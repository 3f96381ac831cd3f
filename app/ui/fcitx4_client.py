"""fcitx 4's D-Bus frontend, as a client of it (Qt-free): one input context of the program's,
keys in, what fcitx makes of them out (app/ui/fcitx4.py puts it into Qt's text fields).

D-Bus through jeepney (pure Python): fcitx 4 checks argument types strictly (``u``, not ``i``),
which PySide6's QtDBus cannot be told. Calls are synchronous, ≈1 ms a key, and go to the unique
name fcitx had when the input context was made: after fcitx is restarted an old input context
number may be another program's.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import open_dbus_connection

INTERFACE_IM = "org.fcitx.Fcitx.InputMethod"
INTERFACE_IC = "org.fcitx.Fcitx.InputContext"
#: fcitx 4's capability flags (its frontend's CAPACITY_*): what is composed is shown in the field,
#: as plain text (UpdatePreedit, not the formatted variant); fcitx commits it itself when the field
#: loses the keyboard (the flag that would leave that to the program is not set)
CAPABILITY_PREEDIT = 1 << 1
CAPABILITY_PASSWORD = 1 << 3
#: how long a call to fcitx may take (seconds)
CALL_TIMEOUT = 0.5
PRESS, RELEASE = 0, 1
#: the program's name as fcitx 4 knows it (its per-program input method state)
PROGRAM = "mqsc"


def service_name(environ: Mapping[str, str]) -> str | None:
    """fcitx 4's bus name for this X display (``:0`` and ``:0.0`` → ``org.fcitx.Fcitx-0``), or
    None without an X display."""
    match = re.fullmatch(r"[^:]*:(\d+)(?:\.\d+)?", environ.get("DISPLAY", "").strip())
    return f"org.fcitx.Fcitx-{match.group(1)}" if match else None


def session_bus_address(environ: Mapping[str, str]) -> str | None:
    """The session bus: as the environment names it, or where systemd puts it for the user."""
    address = environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").is_socket():
        return f"unix:path={Path(runtime, 'bus')}"
    return None


def char_index(text: str, utf8_offset: int) -> int:
    """fcitx gives the cursor in the text being composed as a byte offset into its UTF-8."""
    return len(text.encode("utf-8")[: max(0, utf8_offset)].decode("utf-8", errors="ignore"))


@dataclass(frozen=True)
class Commit:
    text: str


@dataclass(frozen=True)
class Preedit:
    text: str
    cursor: int  # in characters


@dataclass(frozen=True)
class ForwardedKey:
    keysym: int
    state: int
    release: bool


Reply = Commit | Preedit | ForwardedKey


class Fcitx4Client:
    """One input context of fcitx 4 on the session bus. Qt-free: the bridge below feeds it keys
    and applies what it answers; ``replies()`` are what fcitx sent since the last call. Errors:
    OSError (fcitx gone, an error answer, no bus), TimeoutError (no answer in time)."""

    def __init__(self, address: str, service: str, program: str) -> None:
        self.connection = open_dbus_connection(address)
        try:
            (owner,) = self._checked(message_bus.GetNameOwner(service))
            methods = DBusAddress("/inputmethod", bus_name=owner, interface=INTERFACE_IM)
            created = self._checked(new_method_call(methods, "CreateICv3", "si", (program, os.getpid())))
            path = f"/inputcontext_{created[0]}"
            self.context = DBusAddress(path, bus_name=owner, interface=INTERFACE_IC)
            # fcitx's signals for this input context, kept in order until read (jeepney's own
            # queue keeps one message by default)
            rule = MatchRule(type="signal", sender=owner, interface=INTERFACE_IC, path=path)
            self._checked(message_bus.AddMatch(rule))
            self._signals: deque[Any] = deque()
            self._filter = self.connection.filter(rule, queue=self._signals)
            self._filter.__enter__()
        except (OSError, TimeoutError, ValueError, KeyError):
            self.connection.close()
            raise

    def _checked(self, message: Any) -> tuple:
        reply = self.connection.send_and_get_reply(message, timeout=CALL_TIMEOUT)
        if reply.header.message_type == MessageType.error:
            raise OSError(f"fcitx: {reply.body[0] if reply.body else reply.header.fields}")
        return tuple(reply.body)

    def _call(self, method: str, signature: str = "", args: tuple = ()) -> tuple:
        body = self._checked(new_method_call(self.context, method, signature, args))
        # signals that came in the same read as the reply are still in jeepney's buffer, where the
        # socket notifier cannot see them
        self.read_pending()
        return body

    def set_capability(self, flags: int) -> None:
        self._call("SetCapacity", "u", (flags,))

    def focus_in(self) -> None:
        self._call("FocusIn")

    def focus_out(self) -> None:
        self._call("FocusOut")

    def reset(self) -> None:
        self._call("Reset")

    def set_cursor_rect(self, x: int, y: int, width: int, height: int) -> None:
        self._call("SetCursorRect", "iiii", (x, y, width, height))

    def process_key(self, keysym: int, keycode: int, state: int, release: bool, time: int) -> bool:
        """Whether fcitx took the key (it then says what it made of it in ``replies()``)."""
        (taken,) = self._call("ProcessKeyEvent", "uuuiu", (keysym, keycode, state, RELEASE if release else PRESS, time))
        return bool(taken)

    def fileno(self) -> int:
        return self.connection.sock.fileno()

    def read_pending(self) -> None:
        """Take in what fcitx sent on its own (a candidate chosen with the mouse), without waiting."""
        while True:
            try:
                self.connection.recv_messages(timeout=0)
            except TimeoutError:
                return

    def replies(self) -> list[Reply]:
        out: list[Reply] = []
        while self._signals:
            message = self._signals.popleft()
            name, body = message.header.fields.get(HeaderFields.member), message.body
            if name == "CommitString":
                out.append(Commit(body[0]))
            elif name == "UpdatePreedit":
                out.append(Preedit(body[0], char_index(body[0], body[1])))
            elif name == "ForwardKey":
                out.append(ForwardedKey(body[0], body[1], body[2] == RELEASE))
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError):  # fcitx gone already: nothing to tell it
            self._checked(new_method_call(self.context, "DestroyIC"))
        self.connection.close()

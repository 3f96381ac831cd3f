"""Chinese input through fcitx 4 (输入法), as 统信UOS 20 and some 麒麟 set it up (搜狗 on fcitx 4).

The Qt this program runs on carries no fcitx plugin (app/ui/input_method.py says why), and
fcitx 4, unlike fcitx5, serves no ibus protocol that Qt's own plugin could use. So where fcitx 4
runs, the program is its client itself, as Qt's fcitx plugin would be: it creates an input
context with fcitx 4's D-Bus frontend (``org.fcitx.Fcitx-<display>``, ``CreateICv3``), hands it
each key pressed in a text field (X keysym, keycode and modifier state, which Qt's xcb keyboard
gives as the event's native values), and turns what fcitx sends back — the text being composed
(``UpdatePreedit``) and the text chosen (``CommitString``) — into Qt's input method events for the
field. fcitx draws its own candidate window where the field's cursor is (``SetCursorRect``).

Keys go to fcitx only while a field that takes text has the keyboard; a key fcitx does not want
(its input method switched off, Ctrl+S, a digit with nothing composed) reaches the program as
before. fcitx toggles itself with its own trigger (Ctrl+Space by default).

D-Bus through jeepney (pure Python): fcitx 4 checks argument types strictly (``u``, not ``i``),
which PySide6's QtDBus cannot be told. Calls are synchronous, ≈1 ms a key; a call that fails or
takes over half a second turns the bridge off, and typing goes on without an input method.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, message_bus, new_method_call
from jeepney.io.blocking import open_dbus_connection
from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QSocketNotifier, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

INTERFACE_IM = "org.fcitx.Fcitx.InputMethod"
INTERFACE_IC = "org.fcitx.Fcitx.InputContext"
#: fcitx 4's capability flags (its frontend's CAPACITY_*): preedit shown in the field, as plain
#: text (UpdatePreedit, not the formatted variant), and what is composed is committed when the
#: field loses the keyboard
CAPABILITY_PREEDIT = 1 << 1
CAPABILITY_PASSWORD = 1 << 3
CAPABILITY_UNFOCUS_COMMIT = 1 << 5
#: how long a call to fcitx may take before the bridge gives up on it (seconds)
CALL_TIMEOUT = 0.5
PRESS, RELEASE = 0, 1

#: X keysyms fcitx may hand back (ForwardKey) that are not a character, with the Qt key each is
_FORWARDED_KEYS = {
    0xFF08: Qt.Key.Key_Backspace,
    0xFF09: Qt.Key.Key_Tab,
    0xFF0D: Qt.Key.Key_Return,
    0xFF1B: Qt.Key.Key_Escape,
    0xFF50: Qt.Key.Key_Home,
    0xFF51: Qt.Key.Key_Left,
    0xFF52: Qt.Key.Key_Up,
    0xFF53: Qt.Key.Key_Right,
    0xFF54: Qt.Key.Key_Down,
    0xFF57: Qt.Key.Key_End,
    0xFFFF: Qt.Key.Key_Delete,
}


def service_name(environ: Mapping[str, str]) -> str | None:
    """fcitx 4's bus name for this X display (``:0`` and ``:0.0`` → ``org.fcitx.Fcitx-0``), or
    None without an X display."""
    match = re.fullmatch(r"[^:]*:(\d+)(?:\.\d+)?", environ.get("DISPLAY", "").strip())
    return f"org.fcitx.Fcitx-{match.group(1)}" if match else None


@dataclass(frozen=True)
class Commit:
    text: str


@dataclass(frozen=True)
class Preedit:
    text: str
    cursor: int


@dataclass(frozen=True)
class ForwardedKey:
    keysym: int
    state: int
    release: bool


Reply = Commit | Preedit | ForwardedKey


class Fcitx4Client:
    """One input context of fcitx 4 on the session bus. Qt-free: the bridge below feeds it keys
    and applies what it answers; ``replies()`` are what fcitx sent since the last call."""

    def __init__(self, service: str, program: str) -> None:
        self.connection = open_dbus_connection(bus="SESSION")
        try:
            methods = DBusAddress("/inputmethod", bus_name=service, interface=INTERFACE_IM)
            created = self.connection.send_and_get_reply(
                new_method_call(methods, "CreateICv3", "si", (program, os.getpid())), timeout=CALL_TIMEOUT
            )
            _raise_for_error(created)
            path = f"/inputcontext_{created.body[0]}"
            self.context = DBusAddress(path, bus_name=service, interface=INTERFACE_IC)
            # fcitx's signals for this input context, kept in order until read (jeepney's own
            # queue keeps one message by default)
            rule = MatchRule(type="signal", interface=INTERFACE_IC, path=path)
            _raise_for_error(self.connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT))
            self._signals: deque[Any] = deque()
            self._filter = self.connection.filter(rule, queue=self._signals)
            self._filter.__enter__()
        except Exception:
            self.connection.close()
            raise

    def _call(self, method: str, signature: str = "", args: tuple = ()) -> tuple:
        reply = self.connection.send_and_get_reply(
            new_method_call(self.context, method, signature, args), timeout=CALL_TIMEOUT
        )
        _raise_for_error(reply)
        return tuple(reply.body)

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
                out.append(Preedit(body[0], body[1]))
            elif name == "ForwardKey":
                out.append(ForwardedKey(body[0], body[1], body[2] == RELEASE))
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError, TimeoutError):  # fcitx gone already: nothing to tell it
            self._call("DestroyIC")
        self.connection.close()


def _raise_for_error(reply: Any) -> None:
    if reply.header.message_type == MessageType.error:
        raise OSError(f"fcitx: {reply.body[0] if reply.body else reply.header.fields}")


def connect(environ: Mapping[str, str] = os.environ) -> Fcitx4Bridge | None:
    """The bridge to fcitx 4 where it serves this display on the session bus, else None."""
    service = service_name(environ)
    if service is None or not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    try:
        client = Fcitx4Client(service, "mqsc")
    except (OSError, TimeoutError, ValueError, KeyError):  # no such service or no bus: no input method
        return None
    return Fcitx4Bridge(client)


class Fcitx4Bridge(QObject):
    """Keys of the field with the keyboard to fcitx 4, its answers back into the field."""

    def __init__(self, client: Fcitx4Client) -> None:
        super().__init__()
        self.client = client
        self.active = True
        self.target: QWidget | None = None  # the field that receives what fcitx composes
        self.preedit = ""
        self.forwarding = False  # a key fcitx handed back is on its way to the field
        self.notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._fcitx_wrote)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.installEventFilter(self)
        app.focusChanged.connect(self._focus_changed)
        self._focus_changed(None, app.focusWidget())

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        """A call to fcitx; one that fails (fcitx ended, a broken answer, no answer in time)
        turns the bridge off: typing goes on without an input method, as where there is none."""
        if not self.active:
            return None
        try:
            return method(*args)
        except (OSError, TimeoutError, ValueError, KeyError, IndexError):
            self.stop()
            return None

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.removeEventFilter(self)
        self.notifier.setEnabled(False)
        if self.target is not None and self.preedit:
            _send(self.target, QInputMethodEvent("", []))
        self.preedit, self.target = "", None
        self.client.close()

    # -- focus -------------------------------------------------------------------------------

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not self.active:
            return
        takes_text = new is not None and _takes_text(new)
        if self.target is not None and self.target is not new:
            self._call(self.client.focus_out)
            self._apply()  # what fcitx commits on losing the field goes into that field
            self._show_preedit("")
            self.target = None
        if takes_text and new is not None and self.target is not new:
            self.target = new
            password = isinstance(new, QLineEdit) and new.echoMode() != QLineEdit.EchoMode.Normal
            flags = CAPABILITY_PREEDIT | CAPABILITY_UNFOCUS_COMMIT | (CAPABILITY_PASSWORD if password else 0)
            self._call(self.client.set_capability, flags)
            self._call(self.client.focus_in)
            self._cursor_to_fcitx()

    def _cursor_to_fcitx(self) -> None:
        """Where fcitx draws its candidates: under the field's cursor, in screen pixels."""
        target = self.target
        if target is None or not self.active:
            return
        rect = target.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
        if isinstance(rect, QRectF):
            rect = rect.toRect()
        if not isinstance(rect, QRect):
            return
        top_left = target.mapToGlobal(rect.topLeft())
        ratio = target.devicePixelRatioF()
        self._call(
            self.client.set_cursor_rect,
            round(top_left.x() * ratio),
            round(top_left.y() * ratio),
            max(1, round(rect.width() * ratio)),
            max(1, round(rect.height() * ratio)),
        )

    # -- keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.forwarding or not self.active or watched is not self.target:
            return False
        if kind == QEvent.Type.ShortcutOverride and self.preedit:
            # while a word is being composed its keys (digits pick a candidate) are fcitx's,
            # never the page's shortcuts
            event.accept()
            return True
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        taken = self._call(
            self.client.process_key,
            event.nativeVirtualKey(),
            event.nativeScanCode(),
            event.nativeModifiers(),
            kind == QEvent.Type.KeyRelease,
            event.timestamp() & 0xFFFFFFFF,
        )
        self._apply()
        if taken:
            self._cursor_to_fcitx()
        return bool(taken)

    def _fcitx_wrote(self) -> None:
        if self.active:
            self._call(self.client.read_pending)
            self._apply()

    def _apply(self) -> None:
        if not self.active:
            return
        for reply in self.client.replies():
            if isinstance(reply, Commit):
                if self.target is not None:
                    event = QInputMethodEvent("", [])
                    event.setCommitString(reply.text)
                    self.preedit = ""
                    _send(self.target, event)
            elif isinstance(reply, Preedit):
                self._show_preedit(reply.text, reply.cursor)
            elif isinstance(reply, ForwardedKey):
                self._forward(reply)

    def _show_preedit(self, text: str, cursor: int | None = None) -> None:
        self.preedit = text
        if self.target is None:
            return
        position = len(text) if cursor is None else max(0, min(len(text), cursor))
        attributes = [QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.Cursor, position, 1)]
        _send(self.target, QInputMethodEvent(text, attributes))

    def _forward(self, key: ForwardedKey) -> None:
        """A key fcitx hands back for the field to act on as if typed."""
        event = key_event(key)
        if self.target is None or event is None:
            return
        self.forwarding = True
        try:
            _send(self.target, event)
        finally:
            self.forwarding = False


def key_event(key: ForwardedKey) -> QKeyEvent | None:
    """The Qt key event of an X keysym fcitx hands back: a Latin-1 character or one of the
    editing keys; None for any other (fcitx's modules forward no others to a text field)."""
    qt_key = _FORWARDED_KEYS.get(key.keysym)
    text = ""
    if qt_key is None:
        if not (0x20 <= key.keysym <= 0x7E or 0xA0 <= key.keysym <= 0xFF):
            return None
        text = chr(key.keysym)
        qt_key = Qt.Key(ord(text.upper())) if text.isalpha() and text.isascii() else Qt.Key(key.keysym)
    elif qt_key in (Qt.Key.Key_Return, Qt.Key.Key_Tab):
        text = "\r" if qt_key == Qt.Key.Key_Return else "\t"
    kind = QEvent.Type.KeyRelease if key.release else QEvent.Type.KeyPress
    return QKeyEvent(kind, qt_key, Qt.KeyboardModifier.NoModifier, text)


def _takes_text(widget: QWidget) -> bool:
    """A field the user types text into (line and text edits, a table that opens its cell
    editor on typing): Qt's own flag for widgets that accept an input method."""
    return widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled) and bool(
        widget.inputMethodQuery(Qt.InputMethodQuery.ImEnabled)
    )


def _send(widget: QWidget, event: QEvent) -> None:
    QApplication.sendEvent(widget, event)

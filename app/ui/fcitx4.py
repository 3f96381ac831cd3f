"""Chinese input through fcitx 4 (输入法), as 统信UOS 20 and some 麒麟 set it up (搜狗 on fcitx 4).

The Qt this program runs on carries no fcitx plugin (app/ui/input_method.py says why), and
fcitx 4, unlike fcitx5, serves no ibus protocol that Qt's own plugin could use. So where fcitx 4
runs, the program is its client itself, as Qt's fcitx plugin would be: it creates an input
context with fcitx 4's D-Bus frontend (``org.fcitx.Fcitx-<display>``, ``CreateICv3``), hands it
each key pressed in a text field (X keysym, keycode and modifier state, which Qt's xcb keyboard
gives as the event's native values), and turns what fcitx sends back — the text being composed
(``UpdatePreedit``) and the text chosen (``CommitString``) — into Qt's input method events for the
field. fcitx draws its own candidate window where the field's cursor is (``SetCursorRect``).

Keys go to fcitx only while a field that takes text has the keyboard (not number and date
fields, whose keys are theirs); a key fcitx does not want (its input method switched off, Ctrl+S,
a digit with nothing composed) reaches the program as before. fcitx toggles itself with its own
trigger (Ctrl+Space by default). What is being composed when the field loses the keyboard, or is
clicked, is committed into it, as fcitx does for its own programs.

The talking to fcitx is app/ui/fcitx4_client.py's. When fcitx ends, or fails to answer three
keys in a row within half a second, typing goes on without it; the next time a field gets the
keyboard (at most every 5 s) the bridge looks for fcitx again, with a new input context (after a
restart the old one's number may be another program's).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QRect, QRectF, QSocketNotifier, Qt
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QTextCharFormat
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from .fcitx4_client import (
    CAPABILITY_PASSWORD,
    CAPABILITY_PREEDIT,
    PROGRAM,
    Commit,
    Fcitx4Client,
    ForwardedKey,
    Preedit,
    service_name,
    session_bus_address,
)

#: how many keys in a row fcitx may leave unanswered before the bridge lets go of it
TIMEOUTS_TO_GIVE_UP = 3
#: how often, at most, a missing fcitx is looked for again (seconds)
RECONNECT_INTERVAL = 5.0
#: fields whose keys are their own: numbers and dates (Qt's input method hints)
_NUMBER_HINTS = (
    Qt.InputMethodHint.ImhDigitsOnly
    | Qt.InputMethodHint.ImhFormattedNumbersOnly
    | Qt.InputMethodHint.ImhPreferNumbers
    | Qt.InputMethodHint.ImhDate
    | Qt.InputMethodHint.ImhTime
)

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


def connect(environ: Mapping[str, str] = os.environ) -> Fcitx4Bridge | None:
    """The bridge to fcitx 4 where it serves this display on the session bus, else None."""
    service, address = service_name(environ), session_bus_address(environ)
    if service is None or address is None:
        return None
    try:
        client = Fcitx4Client(address, service, PROGRAM)
    except (OSError, TimeoutError, ValueError, KeyError):  # no such service or no bus: no input method
        return None
    return Fcitx4Bridge(client, address, service)


class Fcitx4Bridge(QObject):
    """Keys of the field with the keyboard to fcitx 4, its answers back into the field."""

    def __init__(self, client: Fcitx4Client, address: str, service: str) -> None:
        super().__init__()
        self.address, self.service = address, service
        self.client: Fcitx4Client | None = None
        self.notifier: QSocketNotifier | None = None
        self.target: QWidget | None = None  # the field that receives what fcitx composes
        self.preedit = ""
        self.forwarding = False  # a key fcitx handed back is on its way to the field
        self.timeouts = 0  # keys in a row fcitx did not answer in time
        self.looked_for = 0.0  # when fcitx was last looked for (time.monotonic())
        self._use(client)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.installEventFilter(self)
        app.focusChanged.connect(self._focus_changed)
        self._focus_changed(None, app.focusWidget())

    @property
    def active(self) -> bool:
        return self.client is not None

    def _use(self, client: Fcitx4Client) -> None:
        self.client, self.timeouts = client, 0
        self.notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._fcitx_wrote)

    def _look_for_fcitx(self) -> None:
        """fcitx was gone (or restarted): a new input context, if it is back."""
        if time.monotonic() - self.looked_for < RECONNECT_INTERVAL:
            return
        self.looked_for = time.monotonic()
        with contextlib.suppress(OSError, TimeoutError, ValueError, KeyError):  # not back: try later
            self._use(Fcitx4Client(self.address, self.service, PROGRAM))

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        """A call to fcitx. One that fails (fcitx ended, a broken answer) lets go of fcitx: typing
        goes on without it; one left unanswered counts, and three in a row let go too."""
        if self.client is None:
            return None
        try:
            result = method(*args)
        except TimeoutError:
            self.timeouts += 1
            if self.timeouts >= TIMEOUTS_TO_GIVE_UP:
                self.stop()
            raise
        except (OSError, ValueError, KeyError, IndexError):
            self.stop()
            return None
        self.timeouts = 0
        return result

    def _try(self, method: Callable[..., Any], *args: Any) -> Any:
        """``_call`` where an unanswered call is simply not waited for."""
        try:
            return self._call(method, *args)
        except TimeoutError:
            return None

    def stop(self) -> None:
        """Let go of fcitx: what was being composed goes from the field, keys go to it as typed."""
        if self.client is None:
            return
        client, self.client = self.client, None
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.preedit and _alive(self.target):
            _send(self.target, QInputMethodEvent("", []))
        self.preedit, self.target = "", None
        self.looked_for = time.monotonic()
        client.close()

    # -- focus -------------------------------------------------------------------------------

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if not _alive(new):
            new = None
        takes_text = new is not None and _takes_text(new)
        if self.client is None:
            if not takes_text:
                return
            self._look_for_fcitx()
            if self.client is None:
                return
        if self.target is not None and self.target is not new:
            # fcitx commits what is being composed into the field losing the keyboard (its
            # CommitString is applied before the target changes)
            self._try(self.client.focus_out)
            self._apply()
            if self.preedit and _alive(self.target):
                _send(self.target, QInputMethodEvent("", []))
            self.preedit, self.target = "", None
        if takes_text and new is not None and self.target is not new and self.client is not None:
            self.target = new
            password = isinstance(new, QLineEdit) and new.echoMode() != QLineEdit.EchoMode.Normal
            self._try(self.client.set_capability, CAPABILITY_PREEDIT | (CAPABILITY_PASSWORD if password else 0))
            self._try(self.client.focus_in)
            self._cursor_to_fcitx()

    def _cursor_to_fcitx(self) -> None:
        """Where fcitx draws its candidates: under the field's cursor, in the X server's pixels."""
        target = self.target
        if self.client is None or not _alive(target):
            return
        assert target is not None
        rect = target.inputMethodQuery(Qt.InputMethodQuery.ImCursorRectangle)
        if isinstance(rect, QRectF):
            rect = rect.toRect()
        if not isinstance(rect, QRect):
            return
        point = target.mapToGlobal(rect.topLeft())
        # Qt's global coordinates are the X server's scaled about each screen's own origin
        screen = target.screen()
        origin = screen.geometry().topLeft()
        ratio = screen.devicePixelRatio()
        self._try(
            self.client.set_cursor_rect,
            round((point.x() - origin.x()) * ratio + origin.x()),
            round((point.y() - origin.y()) * ratio + origin.y()),
            max(1, round(rect.width() * ratio)),
            max(1, round(rect.height() * ratio)),
        )

    # -- keys --------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.forwarding or self.client is None or self.target is None:
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            if self.preedit and self._inside_target(watched):
                self._clicked_while_composing()
            return False
        if watched is not self.target:
            return False
        if kind == QEvent.Type.ShortcutOverride and self.preedit:
            # while a word is being composed its keys (digits pick a candidate) are fcitx's,
            # never the page's shortcuts
            event.accept()
            return True
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return False

    def _clicked_while_composing(self) -> None:
        """Qt drops a field's preedit when it is clicked: the word is committed where it is, as
        on losing the keyboard, and fcitx starts afresh."""
        self._commit(self.preedit)
        if self.client is not None:
            self._try(self.client.reset)
        self._apply()

    def _key(self, event: QKeyEvent) -> bool:
        """Whether fcitx took the key (then the field does not get it)."""
        if self.client is None:
            return False
        try:
            taken = self._call(
                self.client.process_key,
                event.nativeVirtualKey(),
                event.nativeScanCode(),
                event.nativeModifiers(),
                event.type() == QEvent.Type.KeyRelease,
                event.timestamp() & 0xFFFFFFFF,
            )
        except TimeoutError:
            # fcitx busy (loading a dictionary): it may still act on the key, so the key is not
            # typed twice; a word it commits later comes through the socket notifier
            return True
        self._apply()
        if taken:
            self._cursor_to_fcitx()
        return bool(taken)

    def _inside_target(self, watched: QObject) -> bool:
        """The field itself or a part of it (a text edit's clicks go to its viewport)."""
        target = self.target
        if target is None or not _alive(target):
            return False
        return watched is target or (isinstance(watched, QWidget) and target.isAncestorOf(watched))

    def _fcitx_wrote(self) -> None:
        if self.client is not None:
            self._try(self.client.read_pending)
            self._apply()

    def _apply(self) -> None:
        if self.client is None:
            return
        for reply in self.client.replies():
            if isinstance(reply, Commit):
                self._commit(reply.text)
            elif isinstance(reply, Preedit):
                self._show_preedit(reply.text, reply.cursor)
            elif isinstance(reply, ForwardedKey):
                self._forward(reply)

    def _commit(self, text: str) -> None:
        self.preedit = ""
        if _alive(self.target):
            event = QInputMethodEvent("", [])
            event.setCommitString(text)
            _send(self.target, event)

    def _show_preedit(self, text: str, cursor: int | None = None) -> None:
        self.preedit = text
        if not _alive(self.target):
            return
        position = len(text) if cursor is None else max(0, min(len(text), cursor))
        underlined = QTextCharFormat()
        underlined.setFontUnderline(True)  # a word being composed, not yet typed
        attributes = [
            QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.TextFormat, 0, len(text), underlined),
            QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.Cursor, position, 1),
        ]
        _send(self.target, QInputMethodEvent(text, attributes))

    def _forward(self, key: ForwardedKey) -> None:
        """A key fcitx hands back for the field to act on as if typed."""
        event = key_event(key)
        if event is None or not _alive(self.target):
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
    """A field the user types text into: one that accepts an input method (Qt's own flag and
    query: line and text edits, a table's cell editor), but no number or date field."""
    if not widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled):
        return False
    if not widget.inputMethodQuery(Qt.InputMethodQuery.ImEnabled):
        return False
    return not widget.inputMethodHints() & _NUMBER_HINTS


def _alive(widget: QWidget | None) -> bool:
    """A field can be deleted while it has the keyboard: Qt then reports the focus change after
    PySide has let go of it."""
    return widget is not None and shiboken6.isValid(widget)


def _send(widget: QWidget | None, event: QEvent) -> None:
    if widget is not None and _alive(widget):
        QApplication.sendEvent(widget, event)

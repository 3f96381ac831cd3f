"""Chinese input (输入法) on a desktop whose input method is fcitx, as on 统信UOS and 麒麟
(app/ui/input_method.py).

The rules are checked as data; then, on Linux, a real X server (Xvfb), a session bus and fcitx5
run, and the program's window is typed into with xdotool — real key presses that go through the
input method, which QTest's key events never do. fcitx5's 快速输入 (quick phrase) stands in for a
pinyin engine: the same path (preedit, then commit) without a 100 MB dictionary.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.demo import create_demo
from app.store import Actor, open_store
from app.ui.input_method import adapted_for_qt, input_method_changes

PORTAL = {"QT_IM_MODULE": "ibus", "IBUS_USE_PORTAL": "1"}


# --- the rules ---------------------------------------------------------------------------------


def test_fcitx_asked_for_and_no_fcitx_plugin_gives_ibus_through_the_portal(tmp_path):
    for desktop in (
        {"QT_IM_MODULE": "fcitx"},
        {"QT_IM_MODULE": "fcitx5", "XMODIFIERS": "@im=fcitx"},
        {"XMODIFIERS": "@im=fcitx"},  # 麒麟 may set only the X and GTK variables
        {"GTK_IM_MODULE": "fcitx"},
    ):
        assert input_method_changes(desktop, [tmp_path]) == PORTAL, desktop


def test_other_desktops_are_left_as_they_are(tmp_path):
    for desktop in (
        {},
        {"QT_IM_MODULE": "ibus", "XMODIFIERS": "@im=ibus"},
        {"QT_IM_MODULE": "ibus", "XMODIFIERS": "@im=fcitx"},  # Qt asked for ibus: Qt gets ibus
        {"QT_IM_MODULE": "compose"},
        {"QT_IM_MODULES": "fcitx;ibus", "QT_IM_MODULE": "fcitx"},  # Qt's own list: someone chose
    ):
        assert input_method_changes(desktop, [tmp_path]) == {}, desktop


def test_a_fcitx_plugin_in_qt_is_used(tmp_path):
    contexts = tmp_path / "platforminputcontexts"
    contexts.mkdir()
    (contexts / "libfcitx5platforminputcontextplugin.so").write_bytes(b"")
    assert input_method_changes({"QT_IM_MODULE": "fcitx"}, [tmp_path]) == {}
    # also where QT_PLUGIN_PATH adds it
    assert input_method_changes({"QT_IM_MODULE": "fcitx", "QT_PLUGIN_PATH": str(tmp_path)}, []) == {}


def test_the_changes_hold_while_qt_starts_and_go_afterwards(tmp_path):
    """Programs opened from here (WPS for an attachment) keep the desktop's input method."""
    environ = {"QT_IM_MODULE": "fcitx", "IBUS_USE_PORTAL": "yes", "LANG": "zh_CN.UTF-8"}
    with adapted_for_qt([tmp_path], environ) as switched:
        assert switched and environ == {"QT_IM_MODULE": "ibus", "IBUS_USE_PORTAL": "yes", "LANG": "zh_CN.UTF-8"}
    assert environ == {"QT_IM_MODULE": "fcitx", "IBUS_USE_PORTAL": "yes", "LANG": "zh_CN.UTF-8"}
    environ = {"XMODIFIERS": "@im=fcitx"}
    with adapted_for_qt([tmp_path], environ) as switched:
        assert switched and environ["QT_IM_MODULE"] == "ibus" and environ["IBUS_USE_PORTAL"] == "1"
    assert environ == {"XMODIFIERS": "@im=fcitx"}
    with adapted_for_qt([tmp_path], {"QT_IM_MODULE": "ibus"}) as switched:
        assert not switched


def test_the_qt_the_program_runs_on_has_no_fcitx_plugin():
    """Why the rule exists. A PySide6 release that ships one fails here: the rule then steps
    aside by itself (test_a_fcitx_plugin_in_qt_is_used), and this test has done its job."""
    from PySide6.QtCore import QLibraryInfo

    contexts = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforminputcontexts"
    names = os.listdir(contexts)
    assert any("ibus" in n for n in names)
    assert input_method_changes({"QT_IM_MODULE": "fcitx"}, [contexts.parent]) == PORTAL


# --- a real input method -------------------------------------------------------------------------

TOOLS = ("Xvfb", "dbus-daemon", "dbus-send", "fcitx5", "xdotool")
DBUS_SEND = ("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus")


def _wait(condition, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def desktop(tmp_path_factory):
    """An fcitx desktop: Xvfb, a session bus and fcitx5 with 快速输入 phrases yy → 医院, zg → 整改."""
    yield from _desktop(tmp_path_factory, fcitx5=True)


@pytest.fixture(scope="module")
def desktop_without_fcitx5(tmp_path_factory):
    """A desktop set up for fcitx whose fcitx has no ibus frontend (fcitx 4): Xvfb and a bus."""
    yield from _desktop(tmp_path_factory, fcitx5=False)


#: fcitx 4 unpacked by scripts/setup.sh (its Debian packages conflict with fcitx5's)
FCITX4 = Path(__file__).resolve().parent.parent / ".venv" / "fcitx4" / "usr"


class Fcitx4:
    """fcitx 4 on the test desktop, to be stopped and started again as a user's may be."""

    def __init__(self, desktop: dict[str, str], home: Path) -> None:
        (home / ".config/fcitx").mkdir(parents=True)
        profile = "[Profile]\nIMName=pinyin\nEnabledIMList=fcitx-keyboard-us:True,pinyin:True\n"
        (home / ".config/fcitx/profile").write_text(profile)
        self.env = {**desktop, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        self.name = "org.fcitx.Fcitx-" + desktop["DISPLAY"].lstrip(":")
        self.process: subprocess.Popen | None = None

    def serving(self) -> bool:
        reply = subprocess.run(
            [*DBUS_SEND, "org.freedesktop.DBus.NameHasOwner", f"string:{self.name}"],
            env=self.env,
            capture_output=True,
            text=True,
        )
        return "boolean true" in reply.stdout

    def start(self) -> None:
        multiarch = next((FCITX4 / "lib").glob("*/libfcitx-core.so.0")).parent
        self.process = subprocess.Popen(
            [str(FCITX4 / "bin" / "fcitx"), "-D"],
            env={**self.env, "FCITXDIR": str(FCITX4), "LD_LIBRARY_PATH": str(multiarch)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self.serving, f"fcitx 4 ({self.name}) on the session bus")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
            _wait(lambda: not self.serving(), "fcitx 4 to leave the bus")


@pytest.fixture
def fcitx4_desktop(desktop_without_fcitx5, tmp_path):
    """The fcitx 4 of 统信UOS 20 and some 麒麟 (搜狗 runs on it), with its pinyin and its own
    trigger, Ctrl+Space: a fresh fcitx each test, so that each starts with it switched off."""
    if not (FCITX4 / "bin" / "fcitx").is_file():
        pytest.fail(f"no fcitx 4 in {FCITX4}: MQSC_SETUP_TESTS=1 scripts/setup.sh unpacks it")
    fcitx = Fcitx4(desktop_without_fcitx5, tmp_path / "fcitx4-home")
    fcitx.start()
    try:
        yield fcitx
    finally:
        fcitx.stop()


def _desktop(tmp_path_factory, fcitx5: bool):
    if not sys.platform.startswith("linux"):
        pytest.skip("an fcitx desktop is Linux only")
    missing = [t for t in TOOLS if shutil.which(t) is None]
    assert not missing, f"missing {missing}: scripts/setup.sh installs them for the tests"
    home = tmp_path_factory.mktemp("fcitx-home")
    (home / ".config/fcitx5").mkdir(parents=True)
    (home / ".config/fcitx5/profile").write_text(
        "[Groups/0]\nName=Default\nDefault Layout=us\nDefaultIM=keyboard-us\n\n"
        "[Groups/0/Items/0]\nName=keyboard-us\nLayout=\n\n[GroupOrder]\n0=Default\n"
    )
    (home / ".local/share/fcitx5/data").mkdir(parents=True)
    (home / ".local/share/fcitx5/data/QuickPhrase.mb").write_text("yy 医院\nzg 整改\n", encoding="utf-8")
    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    started: list[subprocess.Popen] = []
    try:
        started.append(
            subprocess.Popen(
                ["Xvfb", f":{number}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        _wait(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), "Xvfb")
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE, text=True
        )
        started.append(bus)
        assert bus.stdout is not None
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "DISPLAY": f":{number}",
            "DBUS_SESSION_BUS_ADDRESS": bus.stdout.readline().strip(),
            "LANG": "C.UTF-8",
        }
        if not fcitx5:
            yield env
            return
        started.append(
            subprocess.Popen(
                ["fcitx5", "--disable=wayland,waylandim,notificationitem,kimpanel"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

        def portal_up() -> bool:
            reply = subprocess.run(
                [*DBUS_SEND, "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.portal.IBus"],
                env=env,
                capture_output=True,
                text=True,
            )
            return "boolean true" in reply.stdout

        _wait(portal_up, "fcitx5's ibus portal on the session bus")
        yield env
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(10)


class Window:
    """The program's window in a child process (tests/ime_child.py), on the fcitx desktop."""

    def __init__(self, desktop: dict[str, str], db: Path, round_id: str, mode: str) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("QT_", "IBUS_"))},
            **desktop,
            "QT_QPA_PLATFORM": "xcb",
            "QT_IM_MODULE": "fcitx",  # what an fcitx desktop sets
            "XMODIFIERS": "@im=fcitx",
            "GTK_IM_MODULE": "fcitx",
        }
        child = Path(__file__).with_name("ime_child.py")
        self.process = subprocess.Popen(
            [sys.executable, str(child), str(db), round_id, mode],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.env = env
        assert self.ask("") == {"started": True}

    def ask(self, command: str) -> dict | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        if command:
            self.process.stdin.write(command + "\n")
            self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, f"the window ended (exit code {self.process.poll()})"
        return json.loads(line)

    def type(self, *keys: str, phrase: str) -> None:
        """``phrase`` through 快速输入 (Super+`), then ``keys`` as they are."""
        time.sleep(0.5)  # the input context of the focused field is set up over the bus
        xdotool = ["xdotool"]
        subprocess.run([*xdotool, "key", "super+grave"], env=self.env, check=True)
        subprocess.run([*xdotool, "type", "--delay", "60", phrase], env=self.env, check=True)
        subprocess.run([*xdotool, "key", "space", *keys], env=self.env, check=True)

    def saved_becomes(self, expected: str) -> str:
        deadline = time.monotonic() + 10
        while True:
            reply = self.ask("saved")
            assert reply is not None
            if reply["saved"] == expected or time.monotonic() > deadline:
                return reply["saved"]
            time.sleep(0.2)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(20)

    def __enter__(self) -> Window:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


@pytest.fixture
def demo(tmp_path, catalog):
    db = tmp_path / "demo.db"
    store = open_store(db)
    round_id = create_demo(store, catalog, Actor("测试员", "device-test"))
    store.close()
    return db, round_id


@pytest.mark.slow
def test_fcitx_types_chinese_into_the_walkthrough_and_the_board(desktop, demo):
    with Window(desktop, *demo, mode="adapted") as window:
        before = window.ask("finding")["ready"]
        window.type(phrase="yy")
        assert window.saved_becomes(before + "医院") == before + "医院"
        # straight into a board cell, without F2: the input method's preedit opens the cell's
        # editor, its commit fills it, Enter saves
        window.ask("board")
        window.type("Return", phrase="zg")
        assert window.saved_becomes("整改") == "整改"
        # what Qt was given while it started is not handed on to programs opened from here
        assert window.ask("env") == {"env": {"QT_IM_MODULE": "fcitx", "IBUS_USE_PORTAL": None}}


@pytest.mark.slow
def test_without_the_adaptation_fcitx_types_only_latin_letters(desktop, demo):
    """The control: Qt made as it comes, on the same desktop, gets no input method at all."""
    with Window(desktop, *demo, mode="plain") as window:
        before = window.ask("finding")["ready"]
        window.type(phrase="yy")
        # the keys arrive as they are: Super+` as a `, the letters as letters (the space is trimmed)
        assert window.saved_becomes(before + "`yy") == before + "`yy"


def _messages(window: Window, wanted: bool) -> list[str]:
    """The message boxes on screen, once they are as ``wanted`` (start-up raises them 0.3 s after
    the first paint) or after 5 s."""
    deadline = time.monotonic() + 5
    while True:
        reply = window.ask("messages")
        assert reply is not None
        if bool(reply["messages"]) == wanted or time.monotonic() > deadline:
            return reply["messages"]
        time.sleep(0.2)


@pytest.mark.slow
def test_without_fcitx5_the_user_is_told_once_how_to_enter_chinese(desktop_without_fcitx5, demo):
    """fcitx 4 has no ibus frontend: typing gives Latin letters. Say so, and what to do, once."""
    with Window(desktop_without_fcitx5, *demo, mode="adapted") as window:
        messages = _messages(window, wanted=True)
    assert len(messages) == 1 and "不能直接输入中文" in messages[0] and "粘贴（Ctrl+V）" in messages[0]
    with Window(desktop_without_fcitx5, *demo, mode="adapted") as again:
        assert _messages(again, wanted=True) == []  # waited the 5 s: nothing came


@pytest.mark.slow
def test_with_fcitx5_nothing_is_said(desktop, demo):
    with Window(desktop, *demo, mode="adapted") as window:
        window.ask("finding")  # the window is up and working
        assert _messages(window, wanted=True) == []


# --- fcitx 4: the program as its client (app/ui/fcitx4.py) ---------------------------------------


def _keys(window: Window, *keys: str, text: str = "") -> None:
    for key in keys:
        subprocess.run(["xdotool", "key", key], env=window.env, check=True)
    if text:
        subprocess.run(["xdotool", "type", "--delay", "80", text], env=window.env, check=True)


def _bridge_up(window: Window) -> None:
    _wait(lambda: (window.ask("bridge") or {}).get("bridge") is True, "the program to become fcitx 4's client", 10)


@contextlib.contextmanager
def _typing_into_the_finding(fcitx4: Fcitx4, demo) -> Iterator[tuple[Window, str]]:
    """The program on the fcitx 4 desktop, fcitx's client, 问题描述 with the keyboard: the window
    and what the field held before."""
    with Window(fcitx4.env, *demo, mode="adapted") as window:
        _bridge_up(window)
        before = window.ask("finding")["ready"]
        time.sleep(0.3)  # the field's input context is focused over the bus
        yield window, before


@pytest.mark.slow
def test_fcitx4_types_pinyin_into_the_walkthrough_and_the_board(fcitx4_desktop, demo):
    with _typing_into_the_finding(fcitx4_desktop, demo) as (window, before):
        # fcitx switched off: letters are letters, typed through it as through no input method
        _keys(window, text="ok")
        assert window.saved_becomes(before + "ok") == before + "ok"
        # Ctrl+Space switches on its pinyin; 'nihao' and the space choose 你好
        _keys(window, "ctrl+space", text="nihao")
        _keys(window, "space")
        assert window.saved_becomes(before + "ok你好") == before + "ok你好"
        # a board cell without F2: the first key opens the cell's editor, the word goes there
        window.ask("board")
        time.sleep(0.3)
        _keys(window, text="zhenggai")
        _keys(window, "space", "Return")
        assert window.saved_becomes("整改") == "整改"
        assert _messages(window, wanted=True) == []  # nothing to tell: Chinese can be typed


@pytest.mark.slow
def test_fcitx4_escape_cancels_a_word_and_other_keys_stay_the_fields(fcitx4_desktop, demo):
    """While a word is being composed Escape cancels it and nothing is typed; with nothing
    composed, Enter is the field's own (a new line in 问题描述)."""
    with _typing_into_the_finding(fcitx4_desktop, demo) as (window, before):
        _keys(window, text="ok")
        _keys(window, "ctrl+space", text="yiyuan")
        _keys(window, "Escape", "Return")
        _keys(window, text="yiyuan")
        _keys(window, "space")
        assert window.saved_becomes(before + "ok\n医院") == before + "ok\n医院"


@pytest.mark.slow
def test_a_word_being_composed_goes_into_the_field_that_loses_the_keyboard(fcitx4_desktop, demo):
    """A click elsewhere while fcitx 4 shows 医院 being composed: the word is typed where it
    was being composed, as fcitx does for its own programs, not lost."""
    with _typing_into_the_finding(fcitx4_desktop, demo) as (window, before):
        _keys(window, "ctrl+space", text="yiyuan")
        time.sleep(0.3)
        window.ask("away")
        assert window.saved_becomes(before + "医院") == before + "医院"


@pytest.mark.slow
def test_a_click_in_the_field_while_composing_types_the_word_there(fcitx4_desktop, demo):
    """Qt clears a field's preedit on a click; the word fcitx shows is typed, not dropped."""
    with _typing_into_the_finding(fcitx4_desktop, demo) as (window, before):
        spot = window.ask("where")
        _keys(window, "ctrl+space", text="yiyuan")
        time.sleep(0.3)
        click = ["xdotool", "mousemove", str(spot["x"]), str(spot["y"]), "click", "1"]
        subprocess.run(click, env=window.env, check=True)
        time.sleep(0.3)
        # the word is typed (and saved) by the click, so nothing is being composed any more and
        # hao is a word of its own (Escape, which proved it before, now leaves the field)
        assert window.saved_becomes(before + "医院") == before + "医院"
        _keys(window, text="hao")
        _keys(window, "space")
        assert window.saved_becomes(before + "医院好") == before + "医院好"


@pytest.mark.slow
def test_when_fcitx4_ends_typing_goes_on_and_when_it_is_back_so_is_chinese(fcitx4_desktop, demo):
    with _typing_into_the_finding(fcitx4_desktop, demo) as (window, before):
        fcitx4_desktop.stop()
        _keys(window, text="abc")
        assert window.saved_becomes(before + "abc") == before + "abc"
        assert window.ask("bridge") == {"bridge": False}
        # restarted (from its tray icon, or after a crash): its old input context numbers may be
        # other programs' now; the next time a field gets the keyboard the program makes a new one
        fcitx4_desktop.start()
        time.sleep(5)  # fcitx4.RECONNECT_INTERVAL since it was last looked for
        window.ask("board")
        window.ask("finding")
        time.sleep(0.3)
        _keys(window, "ctrl+End", "ctrl+space", text="nihao")
        _keys(window, "space")
        assert window.saved_becomes(before + "abc你好") == before + "abc你好"


def test_number_and_date_fields_keep_their_keys_and_a_deleted_field_is_let_go(qtbot, fcitx4_desktop):
    """In the test process (offscreen Qt) on the test desktop's bus: a spin box or date field never
    gets a preedit (its own key handling stays), and a field deleted while it has the keyboard
    is dropped without an error."""
    from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit, QSpinBox, QVBoxLayout, QWidget

    from app.ui import fcitx4

    bridge = fcitx4.connect(fcitx4_desktop.env)
    assert bridge is not None and bridge.active
    try:
        page = QWidget()
        layout = QVBoxLayout(page)
        text, number, date = QLineEdit(), QSpinBox(), QDateEdit()
        for field in (text, number, date):
            layout.addWidget(field)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitExposed(page)
        page.activateWindow()
        text.setFocus()
        qtbot.waitUntil(lambda: bridge.target is text)
        for field in (number, date):
            field.setFocus()
            qtbot.waitUntil(lambda f=field: QApplication.focusWidget() is f)
            assert bridge.target is None
        text.setFocus()
        qtbot.waitUntil(lambda: bridge.target is text)
        text.deleteLater()
        qtbot.waitUntil(lambda: bridge.target is None)
        assert bridge.active
    finally:
        bridge.stop()


@pytest.mark.parametrize(
    ("display", "name"),
    [
        (":0", "org.fcitx.Fcitx-0"),
        (":0.0", "org.fcitx.Fcitx-0"),
        (":12", "org.fcitx.Fcitx-12"),
        ("localhost:10.0", "org.fcitx.Fcitx-10"),  # an X session over ssh
        ("", None),
        ("wayland-0", None),
    ],
)
def test_fcitx4_is_looked_for_under_its_name_for_the_display(display, name):
    from app.ui.fcitx4_client import service_name

    assert service_name({"DISPLAY": display}) == name


def test_keys_fcitx4_hands_back_are_typed_into_the_field(qtbot):
    """ForwardKey: fcitx 4's modules may give a key back for the field to act on as typed."""
    from PySide6.QtWidgets import QApplication, QLineEdit

    from app.ui.fcitx4 import key_event
    from app.ui.fcitx4_client import ForwardedKey

    field = QLineEdit()
    qtbot.addWidget(field)
    for keysym in (ord("o"), ord("K"), ord("2"), 0xFF08, 0xE9, ord("!")):  # BackSpace removes the 2; é
        for release in (False, True):
            event = key_event(ForwardedKey(keysym, 0, release))
            assert event is not None
            QApplication.sendEvent(field, event)
    assert field.text() == "oKé!"
    assert key_event(ForwardedKey(0xFFE1, 0, False)) is None  # Shift: nothing to type


def test_the_cursor_fcitx4_gives_in_bytes_is_placed_between_characters():
    from app.ui.fcitx4_client import char_index

    assert [char_index("医院yi", n) for n in (0, 3, 6, 7, 8, 99)] == [0, 1, 2, 3, 4, 4]
    assert char_index("医院", 4) == 1  # inside a character: before it


def test_the_session_bus_is_found_where_systemd_puts_it(tmp_path):
    import socket

    from app.ui.fcitx4_client import session_bus_address

    assert session_bus_address({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/x"}) == "unix:path=/run/x"
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) is None  # no bus there
    with socket.socket(socket.AF_UNIX) as bus:
        bus.bind(str(tmp_path / "bus"))
        assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) == f"unix:path={tmp_path / 'bus'}"

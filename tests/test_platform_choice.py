"""The platform plugin Qt is asked for, where the desktop names one this Qt lacks
(app/ui/platform_choice.py): the rules as data, then the program's start-up on a real X display."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.ui.platform_choice import platform_changes
from tests.helpers import ROOT


@pytest.fixture
def bundle_plugins(tmp_path):
    """Qt's plugin folder as the .deb carries it: xcb, offscreen and minimal."""
    platforms = tmp_path / "platforms"
    platforms.mkdir()
    for name in ("libqxcb.so", "libqoffscreen.so", "libqminimal.so"):
        (platforms / name).write_bytes(b"")
    return [tmp_path]


@pytest.mark.parametrize(
    ("asked", "display", "given"),
    [
        ("wayland", ":0", "xcb"),  # a Wayland session of 麒麟 or 统信UOS: XWayland is there
        ("dxcb", ":0", "xcb"),  # older deepin desktops
        ("wayland-egl:nodecorations", ":0", "xcb"),
        ("wayland;xcb", ":0", "xcb"),  # a list: the choices this Qt has
        ("xcb", ":0", None),  # this Qt has it: as asked
        ("offscreen", "", None),
        ("xcb:nomitshm", ":0", None),
        ("", ":0", None),  # not asked: Qt chooses
        ("wayland", "", None),  # no X display to fall back on: Qt says so itself
    ],
)
def test_qt_is_given_a_platform_it_has(bundle_plugins, asked, display, given):
    environ = {"QT_QPA_PLATFORM": asked, "DISPLAY": display}
    assert platform_changes(environ, bundle_plugins) == ({"QT_QPA_PLATFORM": given} if given else {})


def test_with_the_wheels_plugins_a_wayland_session_keeps_wayland():
    from PySide6.QtCore import QLibraryInfo

    plugins = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    assert platform_changes({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, plugins) == {}


CHILD = """
import json, os, sys
sys.path.insert(0, {root!r})
from app.ui.application import create_application
app = create_application(sys.argv[:1])
print(json.dumps({{"platform": app.platformName(), "after": os.environ.get("QT_QPA_PLATFORM")}}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X displays are Linux only")
def test_the_program_starts_on_x_where_the_desktop_asks_for_a_plugin_qt_lacks(tmp_path):
    """Without the choice Qt aborts the process ("no Qt platform plugin could be initialized")."""
    number = next(n for n in range(150, 250) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "800x600x24", "-nolisten", "tcp"])
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("QT_")},
            "DISPLAY": f":{number}",
            "QT_QPA_PLATFORM": "dxcb",
            "MQSC_DATA_DIR": str(tmp_path),
        }
        code = CHILD.format(root=str(ROOT))
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        # xcb for Qt, and the desktop's own choice again for programs opened from here
        assert json.loads(result.stdout.strip().splitlines()[-1]) == {"platform": "xcb", "after": "dxcb"}
    finally:
        server.terminate()
        server.wait(10)

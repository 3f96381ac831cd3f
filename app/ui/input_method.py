"""Chinese input (输入法) on desktops whose input method is fcitx, as 统信UOS and 麒麟 set up.

Such a desktop asks every Qt program for Qt's fcitx plugin (``QT_IM_MODULE=fcitx``, or only
``XMODIFIERS=@im=fcitx``). The Qt this program runs on — the PySide6 wheel and the bundle the
installers make from it — carries no fcitx plugin, only ibus and compose: Qt would load no input
method at all, and nothing but Latin letters could be typed into a 问题描述.

fcitx5 also speaks ibus's protocol (its ibus frontend, on by default) and offers it on the
session bus under the name flatpak programs use, ``org.freedesktop.portal.IBus``. Qt's ibus
plugin talks to that name when ``IBUS_USE_PORTAL`` is set; without it the plugin also insists
that an ``ibus-daemon`` program be installed, which an fcitx desktop does not have. So where
fcitx is asked for and Qt has no fcitx plugin, the program asks Qt for ibus through the portal.
Measured with fcitx5 5.0.21 (tests/test_input_method.py types Chinese through it into the
walkthrough and the 整改台账). fcitx 4 has no ibus frontend: there, as before, no Chinese.

Qt-free: the caller names Qt's plugin folders, so this is tested without starting Qt.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path

__all__ = ["adapted_for_qt", "input_method_changes", "temporarily_set"]


def _asks_for_fcitx(environ: Mapping[str, str]) -> bool:
    module = environ.get("QT_IM_MODULE", "").strip().lower()
    if module:
        return module.startswith("fcitx")
    x_method = environ.get("XMODIFIERS", "").lower()
    gtk_module = environ.get("GTK_IM_MODULE", "").lower()
    return "@im=fcitx" in x_method or gtk_module.startswith("fcitx")


def _has_fcitx_plugin(plugin_dirs: Iterable[Path]) -> bool:
    for folder in plugin_dirs:
        try:
            names = os.listdir(Path(folder) / "platforminputcontexts")
        except OSError:
            continue
        if any("fcitx" in name.lower() for name in names):
            return True
    return False


def input_method_changes(environ: Mapping[str, str], plugin_dirs: Iterable[Path]) -> dict[str, str]:
    """The variables to set before Qt starts so that fcitx can type into the program ({} when
    nothing is to change: no fcitx asked for, a fcitx plugin present, or ``QT_IM_MODULES``,
    Qt's own list of choices, set by someone who chose)."""
    if environ.get("QT_IM_MODULES") or not _asks_for_fcitx(environ):
        return {}
    folders = [*plugin_dirs, *(Path(p) for p in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p)]
    if _has_fcitx_plugin(folders):
        return {}
    return {"QT_IM_MODULE": "ibus", "IBUS_USE_PORTAL": environ.get("IBUS_USE_PORTAL") or "1"}


@contextmanager
def adapted_for_qt(plugin_dirs: Iterable[Path], environ: MutableMapping[str, str] = os.environ) -> Iterator[bool]:
    """``input_method_changes`` applied while the QApplication is made inside the block (Qt and
    its ibus plugin read them then), and the variables as they were afterwards: a program opened
    from here — WPS for an attachment, a PDF viewer — keeps the desktop's own input method (with
    fcitx 4, ibus through a portal would leave it none). Yields whether anything changed."""
    changes = input_method_changes(environ, plugin_dirs)
    with temporarily_set(changes, environ):
        yield bool(changes)


@contextmanager
def temporarily_set(changes: Mapping[str, str], environ: MutableMapping[str, str] = os.environ) -> Iterator[None]:
    """Environment variables set inside the block and as they were afterwards."""
    before = {name: environ.get(name) for name in changes}
    environ.update(changes)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value

"""Which of Qt's platform plugins the window opens with, where the desktop names one this Qt lacks.

A desktop may ask every Qt program for a platform plugin (``QT_QPA_PLATFORM``): ``wayland`` in a
Wayland session of 麒麟 or 统信UOS, ``dxcb`` on older deepin desktops. The .deb carries Qt's xcb
plugin alone (with offscreen and minimal), so Qt would stop the program before its window, with
an English message nobody sees when it is opened from the menu. Where the desktop names only
plugins this Qt lacks and there is an X display (every Wayland session of these desktops runs
XWayland), the program asks Qt for xcb; a list of choices (``wayland;xcb``) keeps those it has.

Qt-free: the caller names Qt's plugin folders, so this is tested without starting Qt. The change
holds while the QApplication is made and goes afterwards (``input_method.temporarily_set``): programs
opened from here keep the desktop's choice.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["platform_changes"]


def _available(plugin_dirs: Iterable[Path]) -> list[str]:
    names: list[str] = []
    for folder in plugin_dirs:
        try:
            names += os.listdir(Path(folder) / "platforms")
        except OSError:
            continue
    return names


def _has(name: str, files: list[str]) -> bool:
    """Whether a platform plugin file serves ``name`` (``wayland-egl`` is in ``libqwayland…``)."""
    stem = name.split(":", 1)[0].strip().split("-", 1)[0]
    return bool(stem) and any(file.startswith(f"libq{stem}") or file.startswith(f"q{stem}") for file in files)


def platform_changes(environ: Mapping[str, str], plugin_dirs: Iterable[Path]) -> dict[str, str]:
    """The ``QT_QPA_PLATFORM`` Qt should be given ({} to leave it as it is)."""
    asked = environ.get("QT_QPA_PLATFORM", "").strip()
    if not asked:
        return {}
    files = _available(plugin_dirs)
    if not files:  # nothing to go by: Qt's own folders could not be read
        return {}
    choices = [choice for choice in asked.split(";") if choice.strip()]
    kept = [choice for choice in choices if _has(choice, files)]
    if kept == choices:
        return {}
    if kept:
        return {"QT_QPA_PLATFORM": ";".join(kept)}
    if environ.get("DISPLAY") and _has("xcb", files):
        return {"QT_QPA_PLATFORM": "xcb"}
    return {}

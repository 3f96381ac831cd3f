"""Start-up of the installed program (a PyInstaller bundle), before WeasyPrint or Qt is loaded.

On Windows the installer ships Pango, HarfBuzz, Fontconfig and their DLLs (from MSYS2's
mingw-w64 packages) and Fontconfig's configuration in the bundle folder; WeasyPrint finds the
DLLs through ``WEASYPRINT_DLL_DIRECTORIES`` and Fontconfig its configuration through
``FONTCONFIG_FILE``. Both are set here, overriding any GTK installation the PC may have, so
the program always uses the libraries it was tested with. Linux needs nothing: the bundle's
libraries are found by the loader, and Fontconfig reads the system's /etc/fonts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path

__all__ = ["bundle_dir", "prepare"]


def bundle_dir() -> Path | None:
    """The folder PyInstaller unpacked the program into, or None when run from source."""
    folder = getattr(sys, "_MEIPASS", None)
    return Path(folder) if folder else None


def prepare(
    environ: MutableMapping[str, str] = os.environ,
    platform: str = sys.platform,
    bundle: Path | None = None,
    short_path: Callable[[str], str] | None = None,
) -> None:
    """Point WeasyPrint and Fontconfig at the bundled libraries (Windows, installed program only).

    Fontconfig opens its configuration by a narrow (code-page) path, and the installer's folder is
    %LOCALAPPDATA%\\Programs\\医疗质量自查助手, under a user folder often named in Chinese too
    (张三). A character the code page lacks would leave Fontconfig without its configuration, so
    without 宋体 and any Chinese in the reports (a precaution: not yet seen on a real PC). The
    configuration is given by its ASCII short (8.3) name where Windows has one (``short_path``:
    GetShortPathNameW); the file is the same, and its spelling then means the same in any code page."""
    bundle = bundle or bundle_dir()
    if bundle is None or platform != "win32":
        return
    short = short_path or _windows_short_path
    environ["WEASYPRINT_DLL_DIRECTORIES"] = str(bundle)  # (Python loads DLLs by wide paths)
    fonts_conf = bundle / "etc" / "fonts" / "fonts.conf"
    if fonts_conf.is_file():
        environ["FONTCONFIG_FILE"] = _ascii_path(str(fonts_conf), short)
        environ["FONTCONFIG_PATH"] = _ascii_path(str(fonts_conf.parent), short)


def _ascii_path(path: str, short_path: Callable[[str], str]) -> str:
    """``path`` in ASCII where it has a short name that is; else as it is."""
    if path.isascii():
        return path
    short = short_path(path)
    return short if short and short.isascii() else path


def _windows_short_path(path: str) -> str:
    """The 8.3 short name of an existing ``path`` ('' when the volume keeps none)."""
    try:
        import ctypes

        get_short_path = ctypes.windll.kernel32.GetShortPathNameW  # type: ignore[attr-defined]
        size = get_short_path(path, None, 0)
        if not size:
            return ""
        buffer = ctypes.create_unicode_buffer(size)
        return buffer.value if get_short_path(path, buffer, size) else ""
    except (AttributeError, OSError):  # not Windows
        return ""

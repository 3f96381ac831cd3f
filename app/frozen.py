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
from collections.abc import MutableMapping
from pathlib import Path

__all__ = ["bundle_dir", "prepare"]


def bundle_dir() -> Path | None:
    """The folder PyInstaller unpacked the program into, or None when run from source."""
    folder = getattr(sys, "_MEIPASS", None)
    return Path(folder) if folder else None


def prepare(
    environ: MutableMapping[str, str] = os.environ, platform: str = sys.platform, bundle: Path | None = None
) -> None:
    """Point WeasyPrint and Fontconfig at the bundled libraries (Windows, installed program only)."""
    bundle = bundle or bundle_dir()
    if bundle is None or platform != "win32":
        return
    environ["WEASYPRINT_DLL_DIRECTORIES"] = str(bundle)
    fonts_conf = bundle / "etc" / "fonts" / "fonts.conf"
    if fonts_conf.is_file():
        environ["FONTCONFIG_FILE"] = str(fonts_conf)
        environ["FONTCONFIG_PATH"] = str(fonts_conf.parent)

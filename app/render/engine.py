"""WeasyPrint, imported without the library search that takes half its import time.

WeasyPrint loads Pango, HarfBuzz and Fontconfig through cffi under several names each, the
Windows and macOS names first. cffi answers every name that the dynamic loader does not know
with ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and then ``gcc`` and
``ld`` to look for it: about 200 processes, ≈0.2 s of a report made from the command line.
The Linux names WeasyPrint tries later (``libpango-1.0.so.0`` …) are the sonames the loader
finds by itself, so here the search answers "not found" at once and WeasyPrint moves on to
them. Should a library be found only by that search (a system where the soname differs), the
import is done again WeasyPrint's own way.

Render modules import WeasyPrint from here, before any ``weasyprint`` import of their own::

    from .engine import weasyprint
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

__all__ = ["weasyprint"]


def _not_searched(name: str) -> None:
    return None


def _import_without_search() -> None:
    if os.name != "posix" or "weasyprint.text.ffi" in sys.modules:
        return  # Windows' find_library only looks along PATH: no processes to save
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        # WeasyPrint prints its installation help when no name loads; the import below tells
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint.text.ffi  # noqa: F401
    except OSError:
        pass
    finally:
        ctypes.util.find_library = search


_import_without_search()

import weasyprint  # noqa: E402  (after the import above, which it then finds done)

"""Characters no installed font can print (issue 11, defect 6.8), found before WeasyPrint runs.

WeasyPrint (Pango) already falls back, character by character, to any font Fontconfig knows that
has the character: emoji print from an emoji or symbol font, CJK Extension B from SimSun-ExtB or
HanaMinB where one is installed. What no font has would print as an empty box (``.notdef``). This
module asks Fontconfig, the library WeasyPrint renders with, for the union of the characters of
every installed font plus the report's own font files, so that such characters can be printed as
their code point (``[U+20000]``) and named to the user before rendering.

Only ``cffi`` is imported (WeasyPrint depends on it); Fontconfig is the library WeasyPrint loads.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path

__all__ = ["GlyphCoverage", "coverage", "mark_missing"]

LOG = logging.getLogger(__name__)

_CDEF = """
typedef int FcBool;
typedef unsigned int FcChar32;
typedef unsigned char FcChar8;
typedef struct _FcConfig FcConfig;
typedef struct _FcPattern FcPattern;
typedef struct _FcCharSet FcCharSet;
typedef struct _FcFontSet { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
FcConfig * FcInitLoadConfigAndFonts (void);
void FcConfigDestroy (FcConfig *config);
FcBool FcConfigAppFontAddFile (FcConfig *config, const FcChar8 *file);
FcFontSet * FcConfigGetFonts (FcConfig *config, int set);
int FcPatternGetCharSet (FcPattern *p, const char *object, int n, FcCharSet **c);
FcCharSet * FcCharSetCreate (void);
void FcCharSetDestroy (FcCharSet *fcs);
FcBool FcCharSetMerge (FcCharSet *a, const FcCharSet *b, FcBool *changed);
FcBool FcCharSetHasChar (const FcCharSet *fcs, FcChar32 ucs4);
"""
#: The names WeasyPrint itself tries (weasyprint/text/ffi.py), on every platform.
_LIBRARIES = (
    "libfontconfig-1",
    "fontconfig-1",
    "fontconfig",
    "libfontconfig.so.1",
    "libfontconfig.1.dylib",
    "libfontconfig-1.dll",
)


def _printable_needs_glyph(ch: str) -> bool:
    """Characters Pango draws no glyph for (controls, format characters such as ZWSP and ZWJ,
    variation selectors, line breaks) cannot be missing."""
    if ch.isascii():
        return False
    code = ord(ch)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp", "Cs")


class GlyphCoverage:
    """The characters of every font Fontconfig knows, plus ``files`` (the shipped report fonts)."""

    def __init__(self, files: Iterable[Path] = ()) -> None:
        import cffi

        self._lock = threading.Lock()
        self._known: dict[str, bool] = {}
        self._ffi = ffi = cffi.FFI()
        ffi.cdef(_CDEF)
        self._lib = None
        for name in _LIBRARIES:
            try:
                self._lib = ffi.dlopen(name)
                break
            except OSError:
                continue
        if self._lib is None:
            LOG.warning("Fontconfig not found: characters without a glyph are not checked")
            return
        lib = self._lib
        config = lib.FcInitLoadConfigAndFonts()
        for path in files:
            lib.FcConfigAppFontAddFile(config, str(path).encode())
        self._charset = lib.FcCharSetCreate()
        changed = ffi.new("FcBool *")
        charset = ffi.new("FcCharSet **")
        for which in (0, 1):  # FcSetSystem, FcSetApplication
            fonts = lib.FcConfigGetFonts(config, which)
            if fonts == ffi.NULL:
                continue
            for n in range(fonts.nfont):
                if lib.FcPatternGetCharSet(fonts.fonts[n], b"charset", 0, charset) == 0:  # FcResultMatch
                    lib.FcCharSetMerge(self._charset, charset[0], changed)
        lib.FcConfigDestroy(config)  # the merged charset is our own copy

    def has(self, ch: str) -> bool:
        if self._lib is None or not _printable_needs_glyph(ch):
            return True
        with self._lock:
            known = self._known.get(ch)
            if known is None:
                known = self._known[ch] = bool(self._lib.FcCharSetHasChar(self._charset, ord(ch)))
        return known

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` that no font has, in order of first appearance."""
        return [ch for ch in dict.fromkeys(text) if not ch.isascii() and not self.has(ch)]


@functools.cache
def coverage(files: tuple[Path, ...] = ()) -> GlyphCoverage:
    """One per process and set of report fonts: fonts are not installed while the program runs."""
    return GlyphCoverage(files)


def _where(html: str, index: int) -> str:
    """A few characters of text before ``index``, without markup: where the character is."""
    before = re.sub(r"<[^>]*>|^[^<]*>", " ", html[max(0, index - 200) : index])
    before = re.sub(r"\s+", " ", before).strip()
    return before[-12:]


#: Characters every Chinese font the report accepts has (GB 2312/GBK's hanzi, CJK and full-width
#: punctuation, Latin-1, general punctuation, ①…⑳, the math signs of targets): a report made of
#: these alone needs no Fontconfig look-up (building the coverage costs ≈0.2 s once per process).
_COMMON = re.compile(
    "[\x00-\xff\u2010-\u205e\u2190-\u2193\u2212\u2264\u2265\u2460-\u2473\u25a1\u25b2\u25cb\u25cf"
    "\u3000-\u303f\u4e00-\u9fa5\uff01-\uff5e]*"
)


def needs_check(html: str) -> bool:
    """Whether ``html`` has a character outside :data:`_COMMON` (then :func:`coverage` is asked)."""
    return _COMMON.fullmatch(html) is None


def mark_missing(html: str, glyphs: GlyphCoverage) -> tuple[str, list[str]]:
    """``html`` with every character no font has written as ``[U+XXXX]``, and one warning naming
    them (with where the first few are), or none."""
    named: list[str] = []
    missing = glyphs.missing(html)
    for ch in missing:
        code = f"U+{ord(ch):04X}"
        if len(named) < 5:
            context = _where(html, html.index(ch))
            named.append(f"“{ch}”（{code}" + (f"，见“…{context}{ch}”）" if context else "）"))
        html = html.replace(ch, f"[{code}]")
    if not named:
        return html, []
    more = f"等 {len(missing)} 个" if len(missing) > len(named) else ""
    return html, [
        f"报告中有本机字体没有的字符，已印为其编码（如 [U+20000]）：{'、'.join(named)}{more}。"
        "安装含有这些字的字体（如 Windows 的 SimSun-ExtB，统信UOS/麒麟/Debian 的 fonts-hanazono）"
        "后重新生成即可正常打印。"
    ]

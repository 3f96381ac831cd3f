"""Users' text made safe to store, show and print (issue 11, defect 6.8).

- Bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM, RLM, ALM) are removed: a printed
  report obeyed them, so "ABC\\u202eEVIL\\u202c" printed as "ABCLIVE" and a signed document could
  show other text than was typed. Chinese, English and digits never need them.
- Other control characters (NUL, form feed, C1 controls …) are removed; tabs and line breaks stay,
  ``\\r\\n`` and ``\\r`` become ``\\n`` and the Unicode line/paragraph separators a line break.
- Lone surrogates (bytes that were not UTF-8, e.g. a command-line argument) become U+FFFD, which
  SQLite can store.

File names get the same cleaning of bidi controls, but a name with a line break or another control
character is refused (:func:`filename_problem`): it would print as two lines or hide its type.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BIDI_CONTROLS",
    "MAX_TEXT",
    "clean_text",
    "filename_problem",
    "half_width",
    "has_bidi_controls",
    "name_key",
    "safe_file_name",
]

#: The longest free text a user may enter in one field (问题描述、原因分析、整改措施、复查结果,
#: 佐证材料说明, a sampled record's note): about ten printed pages. One limit for all, since a
#: finding becomes a rectification's 问题描述 word for word and must fit there too.
MAX_TEXT = 20_000

#: Embedding, override and isolate controls, and the invisible direction marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
#: C0 controls but tab and line feed, DEL, C1 controls
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_DROP = re.compile(f"[{_BIDI}{_CONTROLS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_WORK = re.compile(f"[{_BIDI}{_CONTROLS}\r\u2028\u2029\ud800-\udfff]")


def has_bidi_controls(text: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in text)


def clean_text(text: str) -> str:
    """``text`` without bidi and other control characters (tabs and line breaks kept)."""
    if not _NEEDS_WORK.search(text):  # the common case: nothing to do, no copy
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _SURROGATE.sub("\ufffd", _DROP.sub("", text))


def half_width(text: str) -> str:
    """Full-width letters, digits, punctuation and spaces, as an input method in 全角 mode types
    them, as the ordinary ones (NFKC): ``１，２００`` → ``1,200``."""
    return unicodedata.normalize("NFKC", text)


def name_key(name: str) -> str:
    """A name as people mean it, for telling names apart: 全角 digits as the ordinary ones, and
    spaces, invisible characters and case aside (``２０２５年 第一季度`` is ``2025年第一季度``)."""
    text = unicodedata.normalize("NFKC", name)  # ２０２５ → 2025, 全角空格 → space
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf").casefold()


def filename_problem(name: str) -> str | None:
    """Why a file name cannot be kept (in Chinese), or None. Bidi controls are not a reason:
    :func:`clean_text` removes them."""
    if any(ch in "\n\r\u2028\u2029" for ch in name):
        return "文件名中有换行符"
    if re.search(f"[{_CONTROLS}\ud800-\udfff]", name):
        return "文件名中有控制字符或无法识别的字符"
    return None


def safe_file_name(name: str, limit: int, empty: str = "_") -> str:
    """``name`` as a file name on any system: the characters Windows forbids, controls and bidi
    controls as “_”, no leading or trailing space or dot, at most ``limit`` characters, its
    extension kept when it is cut (``…整改通知单扫描件.pdf``, not ``…整改通知单扫``, which Windows
    could not open)."""
    text = "".join("_" if ch in '<>:"/\\|?*' or not ch.isprintable() else ch for ch in clean_text(name))
    text = text.strip(" .")
    if len(text) > limit:
        stem, dot, suffix = text.rpartition(".")
        if dot and stem and 0 < len(suffix) <= 8 and suffix.isalnum():
            text = stem[: limit - len(suffix) - 1].rstrip(" .") + "." + suffix
        else:
            text = text[:limit].rstrip(" .")
    return text or empty

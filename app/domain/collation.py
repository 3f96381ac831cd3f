"""Chinese names in the order a person looks them up: by 汉语拼音, character by character.

``sorted()`` orders by code point, which for Chinese is by radical and stroke count: a summary
listed 伊川, 偃师, 孟津, 宜阳, 嵩县 … 甲县, and a clerk could not find a hospital in it. Letters,
digits and punctuation come before Chinese characters, as in a dictionary's index; a character
beyond GBK comes after those it has.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["pinyin_key"]


@functools.cache
def _ranks() -> dict[str, int]:
    from .pinyin_order import ORDER  # 64 KB of source: read only by what sorts names

    return {c: n for n, c in enumerate(ORDER)}


def pinyin_key(text: str) -> tuple[tuple[int, int], ...]:
    """A sort key for ``text``: 安阳 before 洛阳 before 偃师 before 郑州."""
    ranks = _ranks()
    return tuple(
        (1, ranks[c]) if c in ranks else (2, ord(c)) if unicodedata.category(c) == "Lo" else (0, ord(c)) for c in text
    )

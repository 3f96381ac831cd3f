"""Codes people type: the hospital's code, checked as 统一社会信用代码 (GB 32100-2015) or
组织机构代码 (GB 11714-1997), and a sampled record's 病案号, normalised the same way."""

from __future__ import annotations

from .text import clean_text, half_width

#: 病案号 in an upload package made without patient ids: a keyed hash, marked so that no one takes
#: it for a real number (``exchange.export`` makes them)
PSEUDONYM_PREFIX = "脱敏-"

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def uscc_check_char(body: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """18-character unified social credit code with its check character."""
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_valid_org_code(code: str) -> bool:
    """9-character organisation code (8 body characters, check digit or X), ``-`` allowed."""
    code = code.replace("-", "")
    if len(code) != 9 or not code[:8].isalnum() or not code[:8].isascii():
        return False
    total = sum(int(c, 36) * w for c, w in zip(code[:8].upper(), _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(check, str(check))
    return code[8].upper() == expected


def normalize_code(code: str) -> str:
    """The code as it is checked and saved: 全角 characters (an input method's full-width mode)
    made half-width, spaces taken out, letters upper-case. Normalising again changes nothing:
    taking a space out can let NFKC compose anew (``A´`` → ``A ́`` → ``Á``), so it runs to a fixed
    point (at most a few rounds)."""
    for _ in range(4):
        normal = "".join(half_width(code).split()).upper()
        if normal == code:
            break
        code = normal
    return code


def normalize_record_no(record_no: str) -> str:
    """A sampled record's 病案号 as saved and compared: normalised like a typed code
    (:func:`normalize_code`), so ``ｚｙ２０２５ ００１`` and ``ZY2025001`` are one record and cannot be
    counted twice. A pseudonym from an upload package is kept as it is: its hex digits were made
    from the number and are compared exactly, and rewriting them would change imported records."""
    record_no = clean_text(record_no).strip()
    if record_no.startswith(PSEUDONYM_PREFIX):
        return record_no
    return normalize_code(record_no)


def check_hospital_code(code: str) -> str:
    """'' when the code is empty or valid, otherwise the message for the user."""
    code = normalize_code(code)
    if not code or is_valid_uscc(code) or is_valid_org_code(code):
        return ""
    if len(code) == 18:
        return "统一社会信用代码校验位不正确，请核对（18位，不含字母 I、O、Z、S、V）。"
    return "机构代码格式不正确：应为18位统一社会信用代码或9位组织机构代码。"

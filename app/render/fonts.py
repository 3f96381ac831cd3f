"""中文字体: the CJK fonts of the PDF reports, found the same way on every run.

Order of search, first hit wins:

1. fonts the installer ships in :data:`BUNDLED_DIR` (``NotoSerifSC-*.otf`` and ``NotoSansSC-*.otf``,
   single-face OpenType files), loaded through ``@font-face`` and the report's URL fetcher;
2. the system fonts in :data:`BODY_FAMILIES` / :data:`HEADING_FAMILIES`, in that order, asked of
   Fontconfig, the library WeasyPrint itself uses, so a family found here is the one rendered.

A family counts only when Fontconfig's best match for it *is* that family (not a substitute),
so a machine without Chinese fonts gets :class:`FontMissingError` before rendering instead of
a PDF of boxes. System ``.ttc`` collections are named by family, never loaded by file: a
collection holds the JP, KR, SC and TC faces and only the family name picks the SC one.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AppError

__all__ = [
    "BODY_FAMILIES",
    "BUNDLED_DIR",
    "HEADING_FAMILIES",
    "FontFace",
    "FontMissingError",
    "ReportFonts",
    "resolve_fonts",
]


def _bundled_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller unpacks data files here
    base = Path(frozen) if frozen else Path(__file__).resolve().parents[2]
    return base / "fonts"


#: Where the installer puts the fonts it ships.
BUNDLED_DIR = _bundled_dir()

#: 宋体-style families for body text, in order of preference.
BODY_FAMILIES: tuple[str, ...] = (
    "Noto Serif CJK SC",
    "Noto Serif SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "思源宋体",
    "SimSun",
    "宋体",
    "NSimSun",
    "新宋体",
    "Songti SC",
    "STSong",
    "AR PL UMing CN",
)
#: 黑体-style families for headings and table heads, in order of preference.
HEADING_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "思源黑体",
    "Microsoft YaHei",
    "微软雅黑",
    "SimHei",
    "黑体",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Heiti SC",
    "Droid Sans Fallback",
)

#: The files the installer ships: (family used in CSS, regular file, bold file).
_BUNDLED = {
    "body": ("MQSC Serif", "NotoSerifSC-Regular.otf", "NotoSerifSC-Bold.otf"),
    "heading": ("MQSC Sans", "NotoSansSC-Regular.otf", "NotoSansSC-Bold.otf"),
}


class FontMissingError(AppError):
    """No Chinese font: the report is not rendered (it would be boxes)."""


@dataclass(frozen=True)
class FontFace:
    """A family as CSS names it; ``files`` (weight → file) only for fonts loaded by ``@font-face``."""

    family: str
    files: dict[int, Path] = field(default_factory=dict)
    #: where it was found, for the log and the docs
    source: str = ""

    def font_face_rules(self) -> str:
        return "".join(
            f"@font-face {{ font-family: {_css_string(self.family)}; font-weight: {weight}; "
            f"src: url({_css_string(path.resolve().as_uri())}); }}\n"
            for weight, path in sorted(self.files.items())
        )


@dataclass(frozen=True)
class ReportFonts:
    body: FontFace
    heading: FontFace

    @property
    def files(self) -> tuple[Path, ...]:
        """Font files the URL fetcher may serve."""
        return tuple(p for face in (self.body, self.heading) for p in face.files.values())

    def css(self) -> str:
        """The font rules of a report: our own string, kept out of the autoescaped templates."""
        body = f"{_css_string(self.body.family)}, {_css_string(self.heading.family)}"
        heading = f"{_css_string(self.heading.family)}, {_css_string(self.body.family)}"
        return (
            self.body.font_face_rules()
            + self.heading.font_face_rules()
            + f"html {{ font-family: {body}; }}\n"
            + f".sans, h1, h2, h3, h4, th, .cover-title, .running {{ font-family: {heading}; }}\n"
        )


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def _bundled(folder: Path, role: str) -> FontFace | None:
    family, regular, bold = _BUNDLED[role]
    if not (folder / regular).is_file():
        return None
    files = {400: folder / regular}
    if (folder / bold).is_file():
        files[700] = folder / bold
    return FontFace(family, files, f"随程序安装：{folder / regular}")


def system_fonts(families: Sequence[str]) -> dict[str, str]:
    """Of ``families``, those Fontconfig renders from a font of that very family: family → file."""
    from .engine import weasyprint

    ffi, fontconfig = weasyprint.text.ffi.ffi, weasyprint.text.ffi.fontconfig

    found: dict[str, str] = {}
    config = fontconfig.FcInitLoadConfigAndFonts()
    value = ffi.new("FcChar8 **")
    result = ffi.new("FcResult *")
    try:
        for family in families:
            pattern = fontconfig.FcPatternCreate()
            fontconfig.FcPatternAddString(pattern, b"family", family.encode())
            fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
            fontconfig.FcDefaultSubstitute(pattern)
            match = fontconfig.FcFontMatch(config, pattern, result)
            fontconfig.FcPatternDestroy(pattern)
            if match == ffi.NULL:
                continue
            names = []
            n = 0  # a font has several family names (e.g. 微软雅黑 and Microsoft YaHei)
            while fontconfig.FcPatternGetString(match, b"family", n, value) == fontconfig.FcResultMatch:
                names.append(ffi.string(value[0]).decode("utf-8", "replace").casefold())
                n += 1
            if family.casefold() in names:
                has_file = fontconfig.FcPatternGetString(match, b"file", 0, value) == fontconfig.FcResultMatch
                found[family] = ffi.string(value[0]).decode("utf-8", "replace") if has_file else ""
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcConfigDestroy(config)
    return found


def _system(families: Sequence[str], available: dict[str, str]) -> FontFace | None:
    family = next((f for f in families if f in available), None)
    return FontFace(family, source=f"系统字体：{available[family]}") if family else None


@functools.cache
def resolve_fonts(
    bundled_dir: Path | None = None,
    body_families: Sequence[str] = BODY_FAMILIES,
    heading_families: Sequence[str] = HEADING_FAMILIES,
) -> ReportFonts:
    """The report fonts (cached: fonts are not installed while the program runs).

    A machine with only one style (say 文泉驿微米黑) uses it for both. Raises FontMissingError.
    """
    folder = BUNDLED_DIR if bundled_dir is None else bundled_dir
    body = _bundled(folder, "body")
    heading = _bundled(folder, "heading")
    if body is None or heading is None:
        available = system_fonts([*body_families, *heading_families])
        body = body or _system(body_families, available)
        heading = heading or _system(heading_families, available)
    if body is None:
        if heading is None:
            raise FontMissingError(
                "未找到中文字体，无法生成 PDF 报告（否则汉字会显示为方框）。"
                "请安装思源/Noto 中文字体：Debian、统信UOS、麒麟上运行 "
                "sudo apt-get install fonts-noto-cjk；Windows 系统自带的宋体、微软雅黑也可使用。"
                f"也可以把 NotoSerifSC-Regular.otf 等字体文件放入“{folder}”文件夹。",
                f"searched {folder} and fontconfig families {[*body_families, *heading_families]}",
            )
        body = heading
    elif heading is None:
        heading = body
    return ReportFonts(body, heading)

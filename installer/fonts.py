"""Make the report fonts the installers ship: the Simplified Chinese faces of Noto Serif/Sans CJK.

    python installer/fonts.py OUT_DIR [TTC_DIR]

Debian's ``fonts-noto-cjk`` holds each weight as a ``.ttc`` collection (JP, KR, SC, TC, HK faces);
the program's bundled-font lookup (``app/render/fonts.py``) wants single-face files named
``NotoSerifSC-Regular.otf`` and so on. This copies the SC face of each collection out unchanged
(all its glyphs: a name written in a rare character still prints) and the font licence beside
them. The Noto CJK fonts are under the SIL Open Font License 1.1, which allows redistribution
with the software as long as the licence goes with them and the fonts are not sold alone.
Needs fontTools (a WeasyPrint dependency, so it is in every build environment).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools.ttLib import TTCollection

#: output file → (collection file, family name of the face to take)
FACES = {
    "NotoSerifSC-Regular.otf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "NotoSerifSC-Bold.otf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "NotoSansSC-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    "NotoSansSC-Bold.otf": ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
}
DEFAULT_TTC_DIR = Path("/usr/share/fonts/opentype/noto")
LICENSE_CANDIDATES = (
    Path("/usr/share/doc/fonts-noto-cjk/copyright"),
    Path("/usr/share/licenses/google-noto-cjk-fonts/LICENSE"),
)


def family(font) -> str:
    return font["name"].getDebugName(1) or ""


def extract(out_dir: Path, ttc_dir: Path = DEFAULT_TTC_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    for out_name, (ttc_name, wanted) in FACES.items():
        collection = TTCollection(str(ttc_dir / ttc_name), lazy=True)
        face = next((f for f in collection.fonts if family(f) == wanted), None)
        if face is None:
            raise SystemExit(f"{ttc_dir / ttc_name}: no face named {wanted!r}")
        face.save(str(out_dir / out_name))
        made.append(out_dir / out_name)
    licence = next((p for p in LICENSE_CANDIDATES if p.is_file()), None)
    if licence is None:
        raise SystemExit("the Noto CJK licence (SIL OFL 1.1) was not found: install fonts-noto-cjk")
    shutil.copy(licence, out_dir / "LICENSE-NotoCJK-OFL.txt")
    made.append(out_dir / "LICENSE-NotoCJK-OFL.txt")
    return made


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    for path in extract(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else DEFAULT_TTC_DIR):
        print(f"{path}  {path.stat().st_size // 1024} KiB")

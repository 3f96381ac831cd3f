"""Write app/domain/pinyin_order.py: the Chinese characters of GBK in 汉语拼音 order.

    pip install pypinyin  # a development tool only: the program reads the module written here
    .venv/bin/python scripts/make_pinyin_order.py

The summary lists hospitals by name as a person looks them up (伊川, 偃师, 宜阳 … under Y),
not by code point. Python has no Chinese collation of its own (``locale.strxfrm`` depends on the
machine's locales; ICU would add megabytes), and GB2312's own order is by pinyin only for its
3,755 common characters: 偃, 嵩, 栾, 郏, 漯, 濮 of Henan's place names are among the rest and sorted
last. So each character's most common reading (pypinyin, MIT; its data: pinyin-data, MIT) fixes
its place once, here: by syllable, then tone, then common characters (GB2312 level 1, level 2)
before rare ones, then by code; a few characters take the reading names give them (NAME_READINGS).
"""

from __future__ import annotations

from pathlib import Path

from pypinyin import Style, pinyin

OUT = Path(__file__).resolve().parents[1] / "app" / "domain" / "pinyin_order.py"

#: characters whose most common reading is not the one hospitals' and places' names use:
#: 长垣、长葛、长沙 (not zhǎng), 浚县 (not jùn), 重庆 (not zhòng), 泌阳 (not mì), 蚌埠 (not bàng)
NAME_READINGS = {"长": "chang2", "浚": "xun4", "重": "chong2", "泌": "bi4", "蚌": "beng4"}


def _rarity(gbk: bytes) -> int:
    if 0xB0 <= gbk[0] <= 0xD7:
        return 0  # GB2312 level 1
    return 1 if 0xD8 <= gbk[0] <= 0xF7 else 2


def main() -> None:
    chars = []
    for code in range(0x4E00, 0xA000):
        try:
            chars.append((chr(code), chr(code).encode("gbk")))
        except UnicodeEncodeError:
            continue

    def key(pair: tuple[str, bytes]) -> tuple[str, str, int, bytes]:
        reading = (
            NAME_READINGS.get(pair[0])
            or pinyin(pair[0], style=Style.TONE3, neutral_tone_with_five=True, errors=lambda _: ["~"])[0][0]
        )
        syllable = reading.rstrip("012345")
        return syllable, reading[len(syllable) :] or "5", _rarity(pair[1]), pair[1]

    order = "".join(c for c, _ in sorted(chars, key=key))
    lines = [order[i : i + 100] for i in range(0, len(order), 100)]
    OUT.write_text(
        '"""The Chinese characters of GBK in 汉语拼音 order (written by scripts/make_pinyin_order.py;\n'
        'do not edit): see app/domain/collation.py."""\n\n'
        "ORDER = (\n" + "".join(f'    "{line}"\n' for line in lines) + ")\n",
        encoding="utf-8",
    )
    print(f"{OUT}: {len(order)} characters")


if __name__ == "__main__":
    main()

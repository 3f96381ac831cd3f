"""Names in 汉语拼音 order (app/domain/collation.py)."""

from __future__ import annotations

from app.domain.collation import pinyin_key

#: 洛阳's counties and districts: 偃, 嵩, 栾, 瀍 are outside GB2312's pinyin-ordered common
#: characters, and code-point order put 伊川 before 偃师 before 孟津
LUOYANG = ["伊川县", "偃师区", "孟津区", "宜阳县", "嵩县", "新安县", "栾川县", "汝阳县", "洛宁县"]
LUOYANG += ["瀍河回族区", "涧西区"]


def test_names_sort_by_pinyin_character_by_character():
    assert sorted(LUOYANG, key=pinyin_key) == [
        "瀍河回族区",
        "涧西区",
        "栾川县",
        "洛宁县",
        "孟津区",
        "汝阳县",
        "嵩县",
        "新安县",
        "偃师区",
        "伊川县",
        "宜阳县",
    ]
    assert sorted(["洛阳市中心医院", "洛阳市第三人民医院", "洛宁县人民医院"], key=pinyin_key) == [
        "洛宁县人民医院",  # ning before yang
        "洛阳市第三人民医院",
        "洛阳市中心医院",  # di before zhong
    ]


def test_digits_letters_and_brackets_come_first_and_rare_characters_last():
    names = ["𠀀县医院", "第二人民医院", "2号院区", "A县医院", "（东院）第二人民医院"]
    assert sorted(names, key=pinyin_key) == ["2号院区", "A县医院", "（东院）第二人民医院", "第二人民医院", "𠀀县医院"]


def test_characters_read_otherwise_in_names_sort_by_the_names_reading():
    """长垣、长葛 are cháng, 浚县 xùn, 重庆 chóng: by the characters' most common readings they
    sorted under zhang, jun and zhong (diff review)."""
    names = ["柘城县", "长垣市", "长葛市", "浚县", "郑州市", "重庆市", "郏县", "新乡市"]
    assert sorted(names, key=pinyin_key) == ["长葛市", "长垣市", "重庆市", "郏县", "新乡市", "浚县", "柘城县", "郑州市"]


def test_biyang_and_bengbu_sort_under_b():
    assert sorted(["确山县", "泌阳县", "洛阳市", "蚌埠市", "安阳市"], key=pinyin_key) == [
        "安阳市",
        "蚌埠市",
        "泌阳县",
        "洛阳市",
        "确山县",
    ]

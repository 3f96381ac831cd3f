"""Loading and validating checklist files: the built-ins pass, broken files are rejected clearly."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog import BUILTIN_DIR, ChecklistError, load_catalog, read_checklist_file

VALID = """\
id: test-list
version: "1"
title: 测试检查表
source: {document: 测试〔2024〕1号, title: 测试文件}
region: 河南省
scale: pdca
sections:
  - id: test-list.1
    title: 第一节
    items:
      - id: test-list.1.1
        kind: judgement
        text: 是否建立制度。
        source: 一(1)
      - id: test-list.1.2
        kind: indicator
        text: 某某率
        source: 一(2)
        unit: "%"
        input: ratio
        direction: ">="
        targets: {2024: 70, 2025: 80}
"""


def write(tmp_path, text, name="broken.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_builtin_file_is_valid():
    catalog = load_catalog([BUILTIN_DIR])
    assert catalog.problems == []
    ids = [c.id for c in catalog.checklists]
    assert {"qyx-core", "qyx-targets-2021"} <= set(ids)
    # the 千院行 files are the default selection and come first
    assert [c.id for c in catalog.checklists if c.default] == ids[:2]


def test_valid_file_builds_domain_objects(tmp_path):
    checklist = load_catalog([write(tmp_path, VALID, "ok.yaml")]).checklists[0]
    indicator = checklist.item("test-list.1.2")
    assert indicator.targets == {2024: 70.0, 2025: 80.0}
    assert indicator.target_for(2025) == 80.0
    assert indicator.target_for(2023) is None
    assert indicator.target_text(2023) == "2023年无目标值"
    assert indicator.target_text(2024) == "≥70%"


BROKEN = [
    ("yaml syntax", VALID.replace("title: 第一节", "title: [第一节"), 9, "(语法)", "方括号 [ ] 或花括号 { } 没有配对"),
    ("missing field", VALID.replace("        source: 一(1)\n", ""), 11, "条目“test-list.1.1”", "缺少必填字段“source”"),
    (
        "duplicate id",
        VALID.replace("id: test-list.1.2", "id: test-list.1.1"),
        15,
        "条目“test-list.1.1”的 id",
        "编号“test-list.1.1”重复（第 11 行已用过）",
    ),
    (
        "unknown kind",
        VALID.replace("kind: judgement", "kind: opinion"),
        12,
        "条目“test-list.1.1”的 kind",
        "未知的条目类型“opinion”（可选：judgement（评价）、indicator（指标）、sampling（抽查））",
    ),
    ("unknown scale", VALID.replace("scale: pdca", "scale: stars"), 6, "scale", "未知的评分标准“stars”"),
    ("target without unit", VALID.replace('        unit: "%"\n', ""), 15, "条目“test-list.1.2”的 unit", "指标缺少单位"),
    (
        "wrong id prefix",
        VALID.replace("id: test-list.1.1", "id: other.1.1"),
        11,
        "条目“other.1.1”的 id",
        "应以“test-list.”开头",
    ),
    (
        "unknown field",
        VALID.replace("        source: 一(1)", "        source: 一(1)\n        colour: red"),
        15,
        "条目“test-list.1.1”的 colour",
        "未知字段“colour”",
    ),
    (
        "unknown flag",
        VALID.replace("        source: 一(1)", "        source: 一(1)\n        applies_if: {flags: [has_zoo]}"),
        15,
        "条目“test-list.1.1”的 applies_if.flags[0]",
        "未知的服务项目“has_zoo”（可选：has_obstetrics（有产科）",
    ),
    (
        "numbering code no id uses",
        VALID.replace("sections:\n", "numbering: {t: 任务}\nsections:\n"),
        7,
        "numbering.t",
        "编号中没有以“t”开头的部分",
    ),
    (
        "numbering code only a section id uses",  # a section's id is never printed
        VALID.replace("sections:\n", "numbering: {t: 任务}\nsections:\n").replace(
            "  - id: test-list.1\n", "  - id: test-list.t1\n"
        ),
        7,
        "numbering.t",
        "编号中没有以“t”开头的部分",
    ),
    (
        "numbering label with a dot",
        VALID.replace("sections:\n", "numbering: {t: 任.务}\nsections:\n").replace(
            "test-list.1.1\n", "test-list.t1.1\n"
        ),
        7,
        "numbering.t",
        "“任.务”格式不正确",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "field", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_rejected_with_file_line_field_and_reason(tmp_path, case, text, line, field, message):
    path = write(tmp_path, text)
    with pytest.raises(ChecklistError) as excinfo:
        read_checklist_file(path)
    problem = excinfo.value.problems[0]
    assert problem.file == str(path)
    assert problem.field == field
    assert message in problem.message
    assert problem.line == line
    assert str(problem).startswith(f"{path}:{line}: {field}: ")


def test_broken_files_are_skipped_and_valid_ones_still_load(tmp_path):
    write(tmp_path, VALID, "good.yaml")
    write(tmp_path, VALID.replace("kind: judgement", "kind: opinion").replace("test-list", "bad-list"), "bad.yaml")
    catalog = load_catalog([tmp_path])
    assert [c.id for c in catalog.checklists] == ["test-list"]
    assert catalog.skipped_files == [str(tmp_path / "bad.yaml")]


def test_item_ids_must_be_unique_across_files(tmp_path):
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    catalog = load_catalog([tmp_path])
    assert len(catalog.checklists) == 1
    assert "重复" in catalog.problems[0].message


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path):
    with pytest.raises(ChecklistError, match="映射"):
        read_checklist_file(write(tmp_path, "- just\n- a list\n"))


def test_unreadable_encoding_is_rejected(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(VALID.encode("gbk"))
    with pytest.raises(ChecklistError, match="不是 UTF-8 编码") as excinfo:
        read_checklist_file(path)
    first_chinese = next(n for n, line in enumerate(VALID.splitlines(), 1) if not line.isascii())
    assert excinfo.value.problems[0].line == first_chinese


def test_a_utf16_file_is_named_as_such(tmp_path):
    path = tmp_path / "unicode.yaml"
    path.write_bytes(VALID.encode("utf-16"))  # Notepad's “Unicode”, with its byte order mark
    with pytest.raises(ChecklistError, match="UTF-16"):
        read_checklist_file(path)


def test_yaml_aliases_are_refused_before_they_expand(tmp_path):
    """A 321-byte “billion laughs” file would take gigabytes and minutes to expand."""
    import time

    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    began = time.monotonic()
    with pytest.raises(ChecklistError, match="锚点和别名") as excinfo:
        read_checklist_file(write(tmp_path, "\n".join(levels) + "\n"))
    assert time.monotonic() - began < 2
    assert excinfo.value.problems[0].line == 1  # where the anchor is


def test_a_field_given_twice_is_refused(tmp_path):
    """YAML keeps the last of two equal keys: the first edit would vanish without a word."""
    text = VALID.replace("        source: 一(1)", "        source: 一(1)\n        source: 一(2)")
    assert text != VALID
    with pytest.raises(ChecklistError, match="字段“source”在同一处写了两次") as excinfo:
        read_checklist_file(write(tmp_path, text))
    assert excinfo.value.problems[0].line == text.splitlines().index("        source: 一(2)") + 1


@pytest.mark.parametrize(
    ("number", "printed"),
    [
        ("t08.5", "任务8.5"),
        ("sa1.5", "专项1.5"),
        ("m.10", "指标10"),
        ("m.21-1", "指标21-1"),
        ("ind.14a", "指标14a"),
        ("org.1", "组织1"),
        ("5-1.zx1.1", "5-1.专项1.1"),
        ("5-1.zx1", "5-1.专项1"),
        ("01.1", "01.1"),  # no letter code: the checklist's own number, zeros and all
        ("1.1.2c", "1.1.2c"),
        ("x9.1", "x9.1"),  # a code the checklist does not spell out
    ],
)
def test_an_items_number_is_printed_with_its_codes_spelt_out(number, printed):
    """编号 beside an item in the reports, the workbooks and the tree: ``sa1.5`` and ``m.10`` were
    the checklists' codes, meaningless to a reviewer (review of the reports, session 12)."""
    from app.domain.checklist import readable_number

    numbering = {"t": "任务", "sa": "专项", "m": "指标", "ind": "指标", "org": "组织", "zx": "专项"}
    assert readable_number(number, numbering) == printed


@given(st.from_regex(r"[a-z0-9]+(\.[a-z0-9_-]+){0,3}", fullmatch=True))
def test_a_number_is_unchanged_without_numbering_and_keeps_its_digits_with_it(number):
    from app.domain.checklist import readable_number

    assert readable_number(number, {}) == number
    spelt = readable_number(number, {code: "某" for code in ("a", "t", "m", "zx")})
    assert spelt.count(".") <= number.count(".")
    assert [d.lstrip("0") for d in re.findall(r"\d+", spelt)] == [d.lstrip("0") for d in re.findall(r"\d+", number)]


def test_every_builtin_item_is_numbered_without_a_letter_code():
    """Each built-in code is spelt out: no 编号 a reviewer reads starts a part with a Latin code."""
    from app.domain.checklist import item_number

    numbers = {item_number(item) for entry in load_catalog().entries for item in entry.checklist.all_items()}
    assert {n for n in numbers if re.search(r"(^|\.)[a-z]{2,}|(^|\.)[a-z]\d", n)} == set()
    assert {"任务8.5", "专项1.5", "指标10", "指标14a", "组织1", "要求1", "5-1.专项1.1", "正文2.01"} <= numbers


def test_a_reference_names_an_item_out_of_order_by_its_spelt_out_number():
    from app.domain.checklist import item_references

    references = item_references(entry.checklist for entry in load_catalog().entries)
    assert references["nat-experience-2023.ind.14a"].endswith(" 指标14a（指标）")
    assert references["nat-quality-2023.t08.5"].endswith(" 第5条")  # numbered 1, 2, 3…: by place

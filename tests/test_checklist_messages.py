"""What a quality-office author is told about a checklist file typed in 记事本 or WPS: the slip,
on its own line, and how to mend it, in Chinese (review of checklist authoring: libyaml's
“could not find expected ':'”, one line after a full-width colon, told them nothing)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.catalog import ChecklistError
from app.catalog.loader import checklist_data

BASE = """\
id: ly-zk
version: "2025.1"
title: 专项检查表
source: {document: 洛卫医〔2025〕18号, title: 通知}
region: 洛阳市
scale: pdca
sections:
  - id: ly-zk.1
    title: 组织建设
    source: 一、
    items:
      - id: ly-zk.1.1
        kind: indicator
        text: 成立委员会
        source: 一、1.
        unit: "%"
        direction: ">="
        target: 90
"""

SLIPS = [
    ("tab", "    title: 组织建设", "\ttitle: 组织建设", 9, "Tab 键缩进"),
    ("no colon", "    title: 组织建设", "    title 组织建设", 9, "缺少英文冒号"),
    ("full-width colon", "    title: 组织建设", "    title：组织建设", 9, "中文冒号“：”"),
    ("full-width space", "    title: 组织建设", "　　title: 组织建设", 9, "全角空格"),
    ("dash without space", "  - id: ly-zk.1\n", "  -id: ly-zk.1\n", 8, "“-”后缺少空格"),
    ("unquoted percent", 'unit: "%"', "unit: %", 16, "值以“%”开头"),
    ("unquoted >=", 'direction: ">="', "direction: >=", 17, "值以“>”开头"),
    ("colon in a value", "text: 成立委员会", "text: 查阅资料: 会议记录", 14, "值中有英文冒号加空格"),
    ("indentation", "        kind: indicator", "         kind: indicator", 13, "缩进与同一层"),
    ("open quote", 'version: "2025.1"', 'version: "2025.1', 2, '英文双引号（"）没有配对'),
    ("open bracket", "title: 组织建设", "title: [组织建设", 9, "方括号 [ ] 或花括号 { } 没有配对"),
    ("target with its sign", "target: 90", "target: ≥90%", 18, "目标值应只写数字（现为“≥90%”）"),
    ("version as a number", 'version: "2025.1"', "version: 2025.1", 2, '版本号应加英文双引号，如 version: "2025.1"'),
    ("kind in Chinese", "kind: indicator", "kind: 指标", 13, "judgement（评价）、indicator（指标）、sampling（抽查）"),
]


@pytest.mark.parametrize(("case", "old", "new", "line", "told"), SLIPS, ids=[s[0] for s in SLIPS])
def test_each_slip_is_told_on_its_own_line_with_the_mend(case, old, new, line, told):
    assert old in BASE
    with pytest.raises(ChecklistError) as refused:
        checklist_data(BASE.replace(old, new, 1).encode(), "专项.yaml")
    problem = refused.value.problems[0]
    assert problem.line == line, problem
    assert told in problem.message, problem
    assert not any(word in str(problem) for word in ("could not", "found", "expected", "mapping values")), problem


def test_a_quote_inside_a_plain_value_does_not_take_the_blame_for_a_slip_below():
    """``title: 21"显示器专项检查表`` is valid YAML: a full-width colon further down was told as
    that line's open quote (diff review)."""
    text = BASE.replace("title: 专项检查表", 'title: 21"显示器专项检查表')
    text = text.replace("    title: 组织建设", "    title：组织建设")
    with pytest.raises(ChecklistError) as refused:
        checklist_data(text.encode(), "专项.yaml")
    assert (refused.value.problems[0].line, "中文冒号“：”" in refused.value.problems[0].message) == (9, True)


def test_a_problem_is_placed_by_the_items_id_not_by_indices_from_zero():
    with pytest.raises(ChecklistError) as refused:
        checklist_data(BASE.replace("target: 90", "target: ≥90%").encode(), "专项.yaml")
    assert refused.value.problems[0].field == "条目“ly-zk.1.1”的 target"


def test_a_section_without_items_is_refused_by_its_title():
    text = BASE + "  - id: ly-zk.2\n    title: 重点环节\n    source: 二、\n    items: []\n"
    with pytest.raises(ChecklistError) as refused:
        checklist_data(text.encode(), "专项.yaml")
    (problem,) = refused.value.problems
    assert (problem.line, problem.field) == (19, "章节“ly-zk.2”")
    assert problem.message.startswith("章节“重点环节”没有条目")


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=" \t\n:：-\"'[]{}%>|#&*!@`　a1中,", max_size=120),
    at=st.integers(min_value=0, max_value=len(BASE)),
)
def test_any_slip_is_told_on_a_line_of_the_file_without_a_traceback(text, at):
    damaged = BASE[:at] + text + BASE[at:]
    try:
        checklist_data(damaged.encode(), "专项.yaml")
    except ChecklistError as err:
        assert 1 <= err.problems[0].line <= damaged.count("\n") + 2

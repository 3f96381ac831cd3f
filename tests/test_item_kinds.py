"""Item kinds (条目类型) come from one registry: a kind added there is loaded, validated, scored,
reported and shown without a change anywhere else, and nothing outside the kinds names one."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap

import pytest

from app.catalog import load_catalog
from app.catalog.loader import SCHEMA_PATH, checklist_schema
from app.domain.checklist import Item
from app.domain.kinds import REGISTRY, ItemKind, UnknownKindError, kind_of
from app.domain.outcome import MET, NOT_MET, UNANSWERED, Outcome
from app.errors import InputError
from app.render.model import build_self_report
from app.services.answers import record_answer
from app.services.rectifications import list_rectifications
from app.services.rounds import load_round, score, start_round
from tests.conftest import ROOT


class Count(ItemKind):
    """计数: events counted in the period (例数), met when there are no more than ``max_count``."""

    name = "count"
    label = "计数"
    numeric = True
    measured = True
    fields = {"max_count": {"type": "integer", "minimum": 0}}  # noqa: RUF012 (a test's kind)

    def definition_problems(self, item):
        if "max_count" not in item:
            yield "max_count", "计数条目须给出上限（max_count）"

    def validate_numbers(self, item, merged, given, numbers):
        if numbers - {"value"}:
            raise InputError("计数条目只录入例数。", sorted(numbers - {"value"})[0])

    def evaluate(self, item, scale, year, answer, samples, previous_value):
        limit = item.extra["max_count"]
        target = f"≤{limit}例"
        if answer is None or answer.value is None:
            return Outcome(UNANSWERED, target_text=target)
        return Outcome(MET if answer.value <= limit else NOT_MET, value=answer.value, target_text=target)

    def unit(self, item):
        return "例"


COUNT_FILE = """\
id: test-count
version: "1"
title: 计数测试
source: {document: 测试〔2025〕1号, title: 测试文件}
region: 河南省
scale: pdca
sections:
  - id: test-count.1
    title: 第一节
    items:
      - id: test-count.1.1
        kind: judgement
        text: 是否建立制度。
        source: 一(1)
      - id: test-count.1.2
        kind: count
        text: 发生Ⅲ级以上手术部位感染例数
        source: 一(2)
        max_count: 0
"""


@pytest.fixture
def with_count(monkeypatch):
    """The registry with the kind above added, as its one entry would add it."""
    monkeypatch.setitem(REGISTRY, Count.name, Count())


@pytest.fixture
def count_file(tmp_path):
    path = tmp_path / "count.yaml"
    path.write_text(COUNT_FILE, encoding="utf-8")
    return path


def test_the_loader_takes_a_registered_kind_and_its_own_fields(with_count, count_file):
    catalog = load_catalog([count_file])
    assert catalog.problems == []
    item = catalog.entries[0].checklist.item("test-count.1.2")
    assert isinstance(kind_of(item), Count)
    assert item.extra == {"max_count": 0}


def test_without_the_entry_the_kind_is_unknown_and_the_message_lists_the_registry(count_file):
    problems = load_catalog([count_file]).problems
    assert [(p.line, p.field) for p in problems] == [
        (16, "条目“test-count.1.2”的 kind"),
        (19, "条目“test-count.1.2”的 max_count"),
    ]
    options = "judgement（评价）、indicator（指标）、sampling（抽查）"
    assert problems[0].message == f"未知的条目类型“count”（可选：{options}）"
    assert problems[1].message == "未知字段“max_count”"  # the kind's field comes with the kind
    with pytest.raises(UnknownKindError, match="count"):
        kind_of(Item(id="x.1", kind="count", text="", source=""))


def test_the_kinds_own_definition_check_reaches_the_files_line(with_count, tmp_path):
    path = tmp_path / "count.yaml"
    path.write_text(COUNT_FILE.replace("        max_count: 0\n", ""), encoding="utf-8")
    (problem,) = load_catalog([path]).problems
    assert (problem.line, problem.field, problem.message) == (
        15,  # the item's line: the field is not there
        "条目“test-count.1.2”的 max_count",
        "计数条目须给出上限（max_count）",
    )


def test_answers_scores_and_report_rows_follow_the_kind(with_count, count_file, profiled_store, actor):
    store = profiled_store
    entries = load_catalog([count_file]).entries
    round_id = start_round(store, entries, "计数试点", dt.date(2025, 3, 15), actor)
    view = load_round(store, round_id)
    with pytest.raises(InputError, match="计数条目只录入例数"):
        record_answer(store, round_id, "test-count.1.2", actor, view=view, numerator=1)
    with pytest.raises(InputError, match="不评等级"):
        record_answer(store, round_id, "test-count.1.2", actor, view=view, grade="A")
    record_answer(store, round_id, "test-count.1.2", actor, view=view, value=2)
    record_answer(store, round_id, "test-count.1.1", actor, view=view, grade="A")

    result = score(store, round_id)
    outcome = result.outcomes["test-count.1.2"]
    assert (outcome.state, outcome.value, outcome.failing) == (NOT_MET, 2, True)
    tally = result.tally
    assert (tally.answered, tally.not_met, tally.failing) == (2, 1, 1)
    assert tally.score == 100.0  # a count is not scored: the A alone makes the 得分率

    (rectification,) = list_rectifications(store, round_id, dt.date(2025, 3, 31))
    assert rectification.item_ids == ("test-count.1.2",)  # failing: a rectification is opened

    report = build_self_report(store, round_id, dt.date(2025, 3, 31), "sans-serif")
    (row,) = report.indicators
    assert (row.kind, row.target, row.value, row.result) == ("计数测试·计数", "≤0例", "2例", "未达标")


def test_a_kind_without_an_editor_is_shown_and_says_so(qtbot, with_count, count_file, profiled_store, actor):
    from app.services.session import RoundSession
    from app.ui.item_editors import EDITORS, UnsupportedEditor
    from app.ui.walkthrough import WalkthroughPage

    assert set(EDITORS) == set(REGISTRY) - {Count.name}, "every built-in kind has its editor"
    round_id = start_round(profiled_store, load_catalog([count_file]).entries, "计数试点", dt.date(2025, 3, 15), actor)
    page = WalkthroughPage(RoundSession(profiled_store, actor, round_id))
    qtbot.addWidget(page)
    page.go_to("test-count.1.2")
    editor = page.panel.editor
    assert isinstance(editor, UnsupportedEditor)
    assert "计数" in editor.message.text()
    assert "计数" in page.panel.breadcrumb.text()


# --- the schema file and the registry ------------------------------------------------------

#: Item fields every kind has; the others belong to the kinds that declare them.
COMMON_ITEM_FIELDS = {
    *("id", "kind", "text", "source", "number", "guidance", "note", "topic"),
    *("applies_if", "applies_note"),
}


def test_the_schema_file_agrees_with_the_registry():
    """The loader takes the kind names and fields from the registry; the file, which people and
    their editors read, must say the same."""
    on_file = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    expected = checklist_schema(on_file)["$defs"]["item"]["properties"]
    properties = on_file["$defs"]["item"]["properties"]
    wrong = {k: v for k, v in expected.items() if properties.get(k) != v}
    assert not wrong, "checklists/schema.json: set these item properties: " + json.dumps(wrong, ensure_ascii=False)
    declared = {name for kind in REGISTRY.values() for name in kind.fields}
    assert set(properties) - COMMON_ITEM_FIELDS - declared == set(), "fields no kind declares"


def test_kinds_declare_a_shared_field_alike():
    seen: dict[str, object] = {}
    for kind in REGISTRY.values():
        for name, schema in kind.fields.items():
            assert seen.setdefault(name, schema) == schema, f"{kind.name} declares {name} differently"


# --- nothing outside the kinds names one -----------------------------------------------------

#: Where kinds may be named: the kinds themselves, and the UI's mapping of kinds to editors.
ALLOWED = ("app/domain/kinds/", "app/ui/item_editors.py")


def kind_mentions(root) -> list[str]:
    """Lines outside ALLOWED that compare an item's kind with a name or name one: a kind's name as
    a string, a constant like JUDGEMENT, or a kind class."""
    names = "|".join(REGISTRY)
    classes = "|".join(type(k).__name__ for k in REGISTRY.values())
    constants = "|".join(name.upper() for name in REGISTRY)
    pattern = re.compile(
        rf"""["'](?:{names})["']"""
        rf"|kind\s*(?:==|!=|(?:not\s+)?in)\s*\(?\s*(?:{constants})\b"
        rf"|\b(?:{classes})\b(?!Editor)"
    )
    found = []
    for path in [*(root / "app").rglob("*.py"), *(root / "reports").rglob("*.html")]:
        relative = path.relative_to(root).as_posix()
        if relative.startswith(ALLOWED):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and not line.lstrip().startswith(('"""', "#")):
                found.append(f"{relative}:{n}: {line.strip()}")
    return found


def test_no_module_outside_the_kinds_compares_with_a_kind():
    assert kind_mentions(ROOT) == []


def test_the_kind_check_finds_what_it_looks_for(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "app" / "m.py").write_text(
        textwrap.dedent("""\
            if item.kind == JUDGEMENT:
                pass
            if kind in (INDICATOR, SAMPLING):
                pass
            scores = {"sampling": 1}
            isinstance(k, Indicator)
            report.kind == "self"
            """),
        encoding="utf-8",
    )
    (tmp_path / "reports" / "t.html").write_text("{% if row.kind == 'indicator' %}", encoding="utf-8")
    assert [line.split(":")[1] for line in kind_mentions(tmp_path)] == ["1", "3", "5", "6", "1"]


def test_a_long_section_title_in_a_reference_drops_its_abbreviation_not_its_subject(catalog):
    """提高急性ST段抬高型心肌梗死（以下简称急性STEMI）再灌注治疗率 was cut in the middle of its
    bracket: 改进目标 提高急性ST段抬高型心肌梗死（以下简称急性ST… 第4条."""
    from app.domain.checklist import item_references

    references = item_references([catalog.get("qyx-targets-2021").checklist])
    stemi = [r for r in references.values() if "心肌梗死" in r]
    assert stemi and all(r.startswith("改进目标 提高急性ST段抬高型心肌梗死再灌注治疗率 1.1") for r in stemi)
    assert not [r for r in references.values() if "…" in r]  # a title that fits keeps its bracket


def test_a_reference_names_an_item_by_the_number_printed_beside_it(catalog):
    """发现的问题 said “第4条” of an item that section 三 prints as 1.1.2c (the 4th of its section):
    a reviewer looking it up found no 第4条. Sections numbered 1, 2, 3… keep 第n条."""
    from app.domain.checklist import item_number, item_references

    checklists = [e.checklist for e in catalog.entries]
    references = item_references(checklists)
    assert references["qyx-targets-2021.1.1.2c"] == "改进目标 提高急性ST段抬高型心肌梗死再灌注治疗率 1.1.2c"
    assert references["qyx-targets-2021.1.1.1"] == "改进目标 提高急性ST段抬高型心肌梗死再灌注治疗率 1.1.1"
    assert references["qyx-core.04.1"] == "核心制度 分级护理制度 第1条"
    for checklist in checklists:
        for section in checklist.all_sections():
            for n, item in enumerate(section.items, 1):
                place = references[item.id].rsplit(" ", 1)[-1]
                assert place.startswith((f"第{n}条", item_number(item))), (item.id, place)

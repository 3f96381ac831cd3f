"""Three-way merge, field by field: departments that changed different fields of one record both
keep their work; only a field both changed to different values is a conflict.

Real databases and real packages (the departments of tests/test_exchange.py), and Hypothesis on
the merge's pieces and on whole imports.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.exchange import format as fmt
from app.exchange import threeway
from app.exchange.export import _manifest, round_data
from app.exchange.merge import LOCAL, MIXED, PACKAGE, UNRESOLVED, apply_import, plan_import
from app.exchange.verify import open_package
from app.services.history import item_history
from app.services.rectifications import list_rectifications, update_rectification
from app.store import Actor, history, open_store
from tests.package_tools import members, relisted, rezip
from tests.test_exchange import DAY, Departments, _forge

RATE = "qyx-targets-2021.1.1.rate"  # an indicator entered as 分子/分母, in %


@pytest.fixture
def departments(tmp_path, catalog):
    return Departments(tmp_path, catalog)


def _shared_rectification(d: Departments) -> str:
    """The office grades the shared item D, which opens its 整改项, and both departments import
    that: one rectification, the same on three PCs."""
    d.answer(d.office, d.office_actor, d.SHARED, grade="D", finding="未落实")
    start = d.export(d.office, "with-rectification")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        apply_import(db, plan_import(db, open_package(start)), actor)
    [entry] = list_rectifications(d.office, d.round_id, DAY)
    return entry.id


def both_change_the_owner(d: Departments, measure: str, cause: str) -> tuple[str, Path]:
    """On the shared 整改项, 内科 writes the 整改措施 and 外科 the 原因分析, each a different 责任人
    (张三, 李四); the office imports 内科's package. Returns the 整改项 and 外科's package, still to
    import: the 责任人 is its one conflict, the other two fields merge without asking."""
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure=measure, owner="张三")
    update_rectification(d.b, rect, d.b_actor, cause=cause, owner="李四")
    from_b = d.export(d.b, "b")
    d.office_import(d.export(d.a, "a"))
    return rect, from_b


def test_each_department_keeps_the_fields_it_changed(departments):
    """内科 wrote the 整改措施 and 外科 the 原因分析 of one 整改项 (review, item 2): the office gets
    both, with no conflict, and neither package changes anything when imported again."""
    d = departments
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure="内科：每周抽查抢救记录")
    update_rectification(d.b, rect, d.b_actor, cause="外科：人员不足")
    from_a, from_b = d.export(d.a, "a"), d.export(d.b, "b")
    d.office_import(from_a)
    plan, result = d.office_import(from_b)
    assert (plan.counts()["updated"], plan.counts()["merged"], result.conflicts) == (1, 1, ())
    stored = d.office.rectification(rect)
    assert (stored.cause, stored.measure) == ("外科：人员不足", "内科：每周抽查抢救记录")
    for path in (from_a, from_b):
        _, again = d.office_import(path)
        assert (again.added, again.updated, len(again.conflicts)) == (0, 0, 0)
    assert d.office.verify_history().ok
    lines = [c for line in item_history(d.office, d.round_id, d.SHARED) for c in line.changes]
    assert "合并：本机和上报包各自修改的内容都已保留" in lines and "原因分析：未填 → 外科：人员不足" in lines


@pytest.mark.slow  # ≈6 s: five packages exported
def test_the_departments_take_the_merged_record_back_without_a_conflict(departments):
    """Both sides' versions are ancestors of the office's merged one: each department's next
    import of the office's package is a plain update."""
    d = departments
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure="内科措施")
    update_rectification(d.b, rect, d.b_actor, cause="外科原因")
    d.office_import(d.export(d.a, "a"))
    d.office_import(d.export(d.b, "b"))
    merged = d.export(d.office, "merged")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        result = apply_import(db, plan_import(db, open_package(merged)), actor)
        assert (result.updated, result.conflicts) == (1, ())
        assert (db.rectification(rect).cause, db.rectification(rect).measure) == ("外科原因", "内科措施")


def test_only_the_field_both_changed_is_a_conflict(departments, tmp_path):
    """Both changed the 责任人, differently, and each one field more: the 责任人 is the conflict,
    the other two are merged; settled, it stays settled; left (as the command line leaves it),
    it comes back and nothing else changes."""
    d = departments
    rect, from_b = both_change_the_owner(d, "内科措施", "外科原因")
    d.office.close()
    for how, owner, settled in (("part", "李四", PACKAGE), ("all-local", "张三", LOCAL), (None, "张三", UNRESOLVED)):
        copy = tmp_path / f"office-{how}.db"
        shutil.copyfile(tmp_path / "office.db", copy)
        office = open_store(copy)
        plan = plan_import(office, open_package(from_b))
        [conflict] = plan.conflicts
        assert (conflict.fields, conflict.taken, conflict.kept, conflict.ancestor) == (
            ["owner"],
            ("cause",),
            ("measure",),
            True,
        )
        resolutions = {"part": {conflict.part_key(("owner",)): PACKAGE}, "all-local": {conflict.key: LOCAL}}
        result = apply_import(office, plan, d.office_actor, resolutions.get(how or ""))
        assert result.resolved == {conflict.key: settled}
        stored = office.rectification(rect)
        assert (stored.cause, stored.measure, stored.owner) == ("外科原因", "内科措施", owner)
        entries = len(office.history())
        again = apply_import(office, plan_import(office, open_package(from_b)), d.office_actor)
        assert (again.added, again.updated) == (0, 0)
        assert len(again.conflicts) == (settled == UNRESOLVED), "a settled conflict stays settled"
        assert office.rectification(rect) == stored
        if settled == UNRESOLVED:
            assert len(office.history()) == entries, "the same package twice changes nothing"
        office.close()


def test_an_indicators_figures_are_merged_together(departments, tmp_path):
    """A numerator from one side and a denominator from the other could be a rate above 100 %:
    the figures of an indicator are one part, whatever each side changed of them."""
    d = departments
    d.answer(d.office, d.office_actor, RATE, numerator=5, denominator=10)
    start = d.export(d.office, "rate")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        apply_import(db, plan_import(db, open_package(start)), actor)
    d.answer(d.a, d.a_actor, RATE, numerator=8, finding="内科复核")
    d.answer(d.b, d.b_actor, RATE, denominator=6, department="外科")
    d.office_import(d.export(d.a, "a"))
    plan, result = d.office_import(d.export(d.b, "b"), "all-package")
    [conflict] = plan.conflicts
    assert conflict.parts == (("value", "numerator", "denominator", "baseline"),)
    assert conflict.fields == ["numerator", "denominator"]
    assert (conflict.taken, conflict.kept) == (("department",), ("finding",))
    answer = d.office.answer(d.round_id, RATE)
    assert (answer.numerator, answer.denominator, answer.finding, answer.department) == (5, 6, "内科复核", "外科")
    assert result.resolved == {conflict.key: PACKAGE}


def test_rectifications_two_pcs_opened_apart_merge_from_their_empty_start(departments):
    """Both departments graded the item D, so each PC opened its own 整改项 for it (two ids, one
    rectification): they began equal, and that beginning is their common ancestor."""
    d = departments
    for db, actor, fields in (
        (d.a, d.a_actor, {"measure": "内科措施"}),
        (d.b, d.b_actor, {"cause": "外科原因"}),
    ):
        d.answer(db, actor, d.SHARED, grade="D", finding="未落实")
        [entry] = list_rectifications(db, d.round_id, DAY)
        update_rectification(db, entry.id, actor, **fields)
    d.office_import(d.export(d.a, "a"))
    plan, result = d.office_import(d.export(d.b, "b"))
    assert (plan.counts()["merged"], result.conflicts) == (1, ())
    [entry] = list_rectifications(d.office, d.round_id, DAY)
    assert (entry.rectification.cause, entry.rectification.measure) == ("外科原因", "内科措施")


def test_without_the_history_every_differing_field_is_a_conflict(departments):
    """A package whose change history is missing (an older or edited file) gives no common
    version: each field that differs is listed, none is taken silently."""
    d = departments
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure="内科措施")
    update_rectification(d.b, rect, d.b_actor, cause="外科原因")
    d.office_import(d.export(d.a, "a"))
    bare = _forge(d.export(d.b, "b"), lambda data: data.update(history=[]))
    plan, _ = d.office_import(bare, "all-package")
    [conflict] = plan.conflicts
    assert not conflict.ancestor and conflict.fields == ["cause", "measure"]
    assert (conflict.taken, conflict.kept) == ((), ())
    assert (d.office.rectification(rect).cause, d.office.rectification(rect).measure) == ("外科原因", "")


def test_parts_settled_each_way_are_reported_as_mixed(departments, tmp_path):
    d = departments
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure="内科措施", owner="张三")
    update_rectification(d.b, rect, d.b_actor, measure="外科措施", owner="李四")
    d.office_import(d.export(d.a, "a"))
    plan = plan_import(d.office, open_package(d.export(d.b, "b")))
    [conflict] = plan.conflicts
    assert conflict.parts == (("measure",), ("owner",))
    # the conflict's key settles every part, a part's own key that part
    result = apply_import(d.office, plan, d.office_actor, {conflict.key: LOCAL, conflict.part_key(("owner",)): PACKAGE})
    assert result.resolved == {conflict.key: MIXED}
    assert result.text().endswith("冲突 1（1 条逐项选择了两边的值）")
    stored = d.office.rectification(rect)
    assert (stored.measure, stored.owner) == ("内科措施", "李四")


# --- Hypothesis: the pieces ----------------------------------------------------------------------

_RECT_FIELDS = ("problem", "cause", "measure", "department", "owner", "deadline")
_contents = st.fixed_dictionaries({f: st.sampled_from(["", "甲", "乙", None]) for f in _RECT_FIELDS})


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(_contents, min_size=1, max_size=8), data=st.data())
def test_every_version_is_rebuilt_from_the_history(steps, data):
    """From the entries the program writes for a record's changes, in any order, and any one
    version known in full (or none: the first entry lists every field), each version the record
    had is rebuilt exactly, including versions it returned to (an undo)."""
    rows = [{**dict.fromkeys(history.CONTENT_FIELDS["rectifications"]), **s, "item_id": "x"} for s in steps]
    entries = []
    for before, after in zip([None, *rows], rows, strict=False):
        entry = history.change_entry("rectifications", "r", "round", "x", before, after, at="", author="", device_id="")
        if entry is not None:
            entries.append(entry.to_dict())
    shuffled = data.draw(st.permutations(entries))
    start = data.draw(st.sampled_from([None, *rows]))
    known = (
        {}
        if start is None
        else {history.content_hash("rectifications", start): history.content("rectifications", start)}
    )
    rebuilt = threeway.versions("rectifications", shuffled, known)
    for row in rows:
        assert rebuilt[history.content_hash("rectifications", row)] == history.content("rectifications", row)


def test_an_entry_that_does_not_describe_its_change_is_not_trusted():
    """How a conflict was settled (``resolved``) links two versions without their fields, and a
    forged entry's values may not match its hash: neither makes up a version."""
    row = {**dict.fromkeys(history.CONTENT_FIELDS["rectifications"]), "cause": "甲"}
    other = {**row, "cause": "乙"}
    first = history.content_hash("rectifications", row)
    second = history.content_hash("rectifications", other)
    link = {"old_hash": first, "new_hash": second, "changes": {"resolved": ["package", "local"]}}
    forged = {"old_hash": first, "new_hash": second, "changes": {"cause": ["甲", "丙"]}}
    known = {first: history.content("rectifications", row)}
    assert set(threeway.versions("rectifications", [link, forged], known)) == {first}


_answer = st.fixed_dictionaries(
    {
        "grade": st.sampled_from(["A", "B", "NA", None]),
        "na_reason": st.sampled_from(["", "无此科室"]),
        "numerator": st.sampled_from([None, 5, 8]),
        "denominator": st.sampled_from([None, 6, 10]),
        "finding": st.sampled_from(["", "甲", "乙"]),
        "department": st.sampled_from(["", "内科", "外科"]),
    }
)


def _full(answer):
    return history.content("answers", answer)


@settings(max_examples=300, deadline=None)
@given(base=_answer, ours=_answer, theirs=_answer, known=st.booleans())
def test_each_field_comes_from_the_side_that_changed_it(base, ours, theirs, known):
    base, ours, theirs = _full(base), _full(ours), _full(theirs)
    merge = threeway.merge_fields("answers", base if known else None, ours, theirs)
    conflicting = {f for group in merge.conflicts for f in group}
    for group in threeway.groups("answers"):
        mine, their, was = ([v[f] for f in group] for v in (ours, theirs, base))
        placed = [name for name, fields in (("taken", merge.taken), ("kept", merge.kept)) if group[0] in fields]
        placed += ["conflict"] if group[0] in conflicting else []
        if mine == their:
            assert placed == [], "the same on both sides: nothing to merge"
        elif known and mine == was:
            assert placed == ["taken"], "changed in the package only: taken"
        elif known and their == was:
            assert placed == ["kept"], "changed here only: kept"
        else:
            assert placed == ["conflict"], "changed on both sides, differently (or no ancestor)"
    assert merge.ancestor is known
    # the merge is the same seen from the other side
    mirror = threeway.merge_fields("answers", base if known else None, theirs, ours)
    assert (mirror.taken, mirror.kept, mirror.conflicts) == (merge.kept, merge.taken, merge.conflicts)


# --- Hypothesis: whole imports ----------------------------------------------------------------

_BASE = {"cause": "原因0", "measure": "措施0", "owner": "王五", "department": "医务科", "deadline": "2025-07-01"}


def _values(side: str) -> dict[str, list[str]]:
    """What a side may type into each field: the value both started from, or one of its own
    (the sides never type the same new text, so what each changed stays recognisable)."""
    months = {"A": "08", "B": "09"}
    return {
        f: [base, f"2025-{months[side]}-01", f"2025-{months[side]}-02"]
        if f == "deadline"
        else [base, f"{side}1", f"{side}2"]
        for f, base in _BASE.items()
    }


@pytest.fixture(scope="module")
def three_copies(tmp_path_factory, catalog):
    """One database with a 整改项 whose fields are filled in, copied later to the office and
    two departments; and a real package of it, whose reports the quick packages below reuse."""
    from app.services.answers import record_answer
    from app.services.profile import save_profile
    from app.services.rounds import start_round
    from tests.conftest import PROFILE_2_GENERAL

    folder = tmp_path_factory.mktemp("three-copies")
    actor = Actor("质控办", "pc-office")
    office = open_store(folder / "office.db")
    save_profile(office, PROFILE_2_GENERAL, actor)
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(office, entries, "2025年上半年自查", dt.date(2025, 5, 1), actor)
    record_answer(office, round_id, Departments.SHARED, actor, grade="D", finding="未落实")
    [entry] = list_rectifications(office, round_id, DAY)
    update_rectification(office, entry.id, actor, **_BASE)
    from app.exchange.export import export_package

    template = export_package(office, round_id, folder / "template.zip", patient_ids=True, attachments=False, today=DAY)
    office.close()
    return folder / "office.db", round_id, entry.id, members(template.path)


def _quick_package(store, round_id: str, template: dict[str, bytes], out: Path) -> Path:
    """A real package of the round as it is now, verified like any other; its reports are the
    template's (rendering them would take seconds, and merging never reads them)."""
    data = round_data(store, round_id, patient_ids=True)
    manifest = _manifest(store, data, DAY, True, False)
    parts = {
        **template,
        fmt.DATA: json.dumps(data, ensure_ascii=False).encode(),
        fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode(),
    }
    return rezip(out, relisted(parts))


_edits = st.lists(st.tuples(st.sampled_from(sorted(_BASE)), st.integers(0, 2)), max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a_edits=_edits, b_edits=_edits, data=st.data())
def test_two_departments_edits_merge_field_by_field(three_copies, tmp_path_factory, a_edits, b_edits, data):
    """Whatever fields two departments change, and change back, on copies of one database: after
    the office imports both, each field changed on one side only has that side's value, a field
    both changed to different values is a conflict settled as chosen, and neither package
    changes anything when imported again."""
    source, round_id, rect, template = three_copies
    folder = tmp_path_factory.mktemp("edits")
    stores = {}
    for name in ("office", "A", "B"):
        shutil.copyfile(source, folder / f"{name}.db")
        stores[name] = open_store(folder / f"{name}.db")
    final = {}
    for side, edits in (("A", a_edits), ("B", b_edits)):
        values = _values(side)
        for field_name, n in edits:
            update_rectification(stores[side], rect, Actor(side, f"pc-{side}"), **{field_name: values[field_name][n]})
        final[side] = stores[side].rectification(rect)
    office, actor = stores["office"], Actor("质控办", "pc-office")
    packages = {side: _quick_package(stores[side], round_id, template, folder / f"{side}.zip") for side in "AB"}
    apply_import(office, plan_import(office, open_package(packages["A"])), actor)
    plan = plan_import(office, open_package(packages["B"]))
    choices = {c.part_key(p): data.draw(st.sampled_from([LOCAL, PACKAGE])) for c in plan.conflicts for p in c.parts}
    conflicting = {f for c in plan.conflicts for f in c.fields}
    apply_import(office, plan, actor, choices)
    merged = office.rectification(rect)
    for field_name, base in _BASE.items():
        a, b, got = (str(getattr(r, field_name) or "") for r in (final["A"], final["B"], merged))
        if a != b and base not in (a, b):
            assert field_name in conflicting
            [key] = [c.part_key((field_name,)) for c in plan.conflicts]
            assert got == (b if choices[key] == PACKAGE else a)
        else:
            assert field_name not in conflicting
            assert got == (b if a == base else a)
    for side in "AB":
        again = apply_import(office, plan_import(office, open_package(packages[side])), actor)
        assert (again.added, again.updated, again.conflicts) == (0, 0, ())
    for store in stores.values():
        store.close()


def test_merged_values_read_as_修改记录_writes_them():
    """An empty value was 空 here (本机原为空) and （空） in 修改记录 and beside it; it is 未填
    everywhere, and a value one side emptied reads as that side's clearing."""
    from app.exchange.merge import Conflict, Side

    def side(**values):
        return Side({"owner": "", **values}, "", "", "")

    conflict = Conflict(
        "rectifications:r",
        "rectifications",
        None,
        "整改项",
        side(cause="", measure="", department="内科", deadline="2025-06-30"),
        side(cause="人员不足", measure="每周抽查", department="", deadline=""),
        (("owner",),),
        taken=("cause", "department"),
        kept=("measure", "deadline"),
    )
    assert conflict.merged_lines() == [
        "原因分析：采用上报包的“人员不足”（本机原未填）",
        "责任科室：按上报包清空（本机原为“内科”）",
        "整改措施：保持本机已清空（上报包为“每周抽查”）",
        "整改期限：保留本机的“2025-06-30”（上报包未填）",
    ]


def _office_starts_with(d: Departments, item: str, grade: str) -> None:
    """The office grades ``item`` and 内科 takes the office's package, as departments start."""
    d.answer(d.office, d.office_actor, item, grade=grade)
    apply_import(d.a, plan_import(d.a, open_package(d.export(d.office, "start-graded"))), Actor("", ""))


def test_the_office_setting_a_value_back_is_not_undone_by_a_departments_package(departments):
    """内科 made A into B; the office imported it and set it back to A. The package, whose history
    holds A (before B), was taken as grown out of the office's A: re-importing it, or a newer
    one with another change, silently made it B again (review, merge 1)."""
    d = departments
    _office_starts_with(d, d.ITEM_A, "A")
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="B")
    first = d.export(d.a, "a1")
    d.office_import(first)
    assert d.office.answer(d.round_id, d.ITEM_A).grade == "B"
    d.answer(d.office, d.office_actor, d.ITEM_A, grade="A")
    plan, again = d.office_import(first)
    assert (again.updated, len(again.conflicts)) == (0, 0) and plan.changes_nothing
    assert d.office.answer(d.round_id, d.ITEM_A).grade == "A"
    d.answer(d.a, d.a_actor, d.ITEM_A, finding="内科：已补齐记录")  # another field, later
    _, newer = d.office_import(d.export(d.a, "a2"))
    answer = d.office.answer(d.round_id, d.ITEM_A)
    assert (answer.grade, answer.finding) == ("A", "内科：已补齐记录") and not newer.conflicts


def test_a_department_setting_a_value_back_is_taken_and_an_older_package_does_not_undo_it(departments):
    """内科 made A into B and back to A: the office, holding B, kept it (A's hash is in its own
    history, so the package looked older); and after C → B → C, the B package imported again
    made it B (review, merge 1)."""
    d = departments
    _office_starts_with(d, d.ITEM_A, "A")
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="B")
    d.office_import(d.export(d.a, "b"))
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    d.office_import(d.export(d.a, "back"))
    assert d.office.answer(d.round_id, d.ITEM_A).grade == "A"
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="C")
    d.office_import(d.export(d.a, "c1"))
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="B")
    b_again = d.export(d.a, "b2")
    d.office_import(b_again)
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="C")
    d.office_import(d.export(d.a, "c2"))
    assert d.office.answer(d.round_id, d.ITEM_A).grade == "C"
    _, again = d.office_import(b_again)
    assert again.updated == 0 and d.office.answer(d.round_id, d.ITEM_A).grade == "C"


def test_an_attachment_deleted_by_the_office_stays_deleted(departments, tmp_path):
    """内科 attached 签到表; the office imported it, then deleted it (a photo showing a patient).
    Importing the same package again, or a newer one, brought it back as 新增 1, and the office's
    own package to the commission then carried it (review, merge 3)."""
    from app.exchange.export import export_package
    from app.services.attachments import add_attachment, remove_attachment
    from tests.test_exchange import _png

    def export(name: str) -> Path:
        return export_package(d.a, d.round_id, tmp_path / f"{name}.zip", patient_ids=True, today=DAY).path

    d = departments
    added = add_attachment(d.a, d.round_id, _png(tmp_path / "签到表.png"), d.a_actor, item_id=d.ITEM_A)
    first = export("a1")
    d.office_import(first)
    [here] = d.office.attachments(d.round_id)
    remove_attachment(d.office, here.id, d.office_actor)
    _, again = d.office_import(first)
    d.answer(d.a, d.a_actor, d.ITEM_B, grade="B")
    _, newer = d.office_import(export("a2"))
    assert (again.added, newer.added) == (0, 1)  # the newer package's answer only
    assert d.office.attachments(d.round_id) == [] and here.id == added.id


def test_an_import_that_changes_a_final_round_makes_it_a_draft_again(departments):
    """The office's 定稿 round took 内科's D and a new 整改项 and stayed 定稿: its package to the
    commission said final, and its 自查报告 had no 自查稿 watermark (review, merge 4)."""
    from app.services.rounds import set_round_final
    from app.services.session import RoundSession

    d = departments
    set_round_final(d.office, d.round_id, True, d.office_actor)
    open_in_window = RoundSession(d.office, d.office_actor, d.round_id)
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="D", finding="内科：未落实")
    package = d.export(d.a, "a")
    _, result = d.office_import(package)
    assert result.drafted and d.office.round(d.round_id).status == "draft"
    open_in_window.reload()  # as the window does after an import
    assert not open_in_window.view.is_final
    assert result.text().endswith("已改回自查稿，核对后可再次定稿") and result.to_dict()["drafted"]
    set_round_final(d.office, d.round_id, True, d.office_actor)
    _, again = d.office_import(package)  # nothing new: 定稿 stays
    assert not again.drafted and d.office.round(d.round_id).status == "final"


def test_a_package_of_a_round_deleted_here_is_refused_saying_so(departments, tmp_path):
    """The dry run said 新增 117 and the import failed with “FOREIGN KEY constraint failed”, after
    a 导入前 backup (review, merge 5)."""
    from app.exchange.merge import ImportRefused
    from app.services.rounds import delete_round

    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="B")
    package = d.export(d.a, "a")
    delete_round(d.office, d.round_id, d.office_actor)
    before = (tmp_path / "office.db").read_bytes()
    with pytest.raises(ImportRefused, match=r"已于 .* 在本机删除，质控办。上报包中的记录属于这一轮，没有导入"):
        plan_import(d.office, open_package(package))
    assert (tmp_path / "office.db").read_bytes() == before and not (tmp_path / "backups").exists()


def test_a_failed_recheck_imported_is_listed_once(departments):
    """内科 recorded a failed re-check, the office imported it; then a passed one, imported too: the
    office's ledger listed the failed re-check twice (the package's change and the import's own
    entry both tell it), in the 整改台账, the 整改报告 and the workbook (review)."""
    from app.services.rectifications import follow_up_text, record_recheck

    d = departments
    rect = _shared_rectification(d)
    update_rectification(d.a, rect, d.a_actor, measure="培训")
    record_recheck(d.a, rect, d.a_actor, passed=False, date="2025-05-02", by="刘洋", result="未落实", today=DAY)
    d.office_import(d.export(d.a, "a1"))
    record_recheck(d.a, rect, d.a_actor, passed=True, date="2025-06-02", by="刘洋", result="已落实", today=DAY)
    d.office_import(d.export(d.a, "a2"))
    [entry] = list_rectifications(d.office, d.round_id, DAY)
    assert follow_up_text(entry) == "2025年5月2日，刘洋，复查未通过：未落实；2025年6月2日，刘洋，复查通过：已落实"

"""Sampled records (抽查记录) merged record by record: two departments that each sampled other
records of one item both keep them (the department trial: 医务科 and 病案室 both sampled
急危重患者抢救制度 第3条, and the import offered only one list or the other).

Real databases and real packages: the quality office and two department PCs of
tests/test_exchange.py.
"""

from __future__ import annotations

import pytest

from app.exchange import threeway
from app.exchange.merge import PACKAGE, apply_import, plan_import
from app.exchange.verify import open_package
from app.services import answers as answer_service
from app.services.history import item_history, records_apart
from app.services.rounds import load_round
from app.store import history
from tests.test_exchange import DAY, Departments


@pytest.fixture
def departments(tmp_path, catalog):
    return Departments(tmp_path, catalog)


def _item(d: Departments) -> str:
    return next(i.id for i in load_round(d.office, d.round_id).items() if i.kind == "sampling")


def _sample(db, d: Departments, actor, item: str, *records: tuple[str, bool]) -> None:
    answer_service.set_samples(db, d.round_id, item, [answer_service.SampleInput(n, c) for n, c in records], actor)


def _records(db, d: Departments, item: str) -> list[tuple[str, bool]]:
    return [(s.record_no, s.compliant) for s in db.samples(d.round_id, item)]


def _sent_pseudonymised(d: Departments, tmp_path, item: str, *records: tuple[str, bool]):
    """The office samples ``records`` and sends its default (脱敏) package to 内科, whose new
    database imports it. Returns 内科's database and the package."""
    from app.exchange.export import export_package
    from app.store import Actor, open_store

    _sample(d.office, d, d.office_actor, item, *records)
    shared = export_package(d.office, d.round_id, tmp_path / "脱敏.zip", attachments=False, today=DAY).path
    nk = open_store(tmp_path / "nk.db")
    apply_import(nk, plan_import(nk, open_package(shared)), Actor("", ""))
    return nk, shared


def test_two_departments_sampling_one_item_keep_both_lists(departments):
    d = departments
    item = _item(d)
    _sample(d.a, d, d.a_actor, item, ("YW001", True), ("YW002", False))
    _sample(d.b, d, d.b_actor, item, ("BA001", True), ("BA002", True), ("BA003", True))
    from_a, from_b = d.export(d.a, "a"), d.export(d.b, "b")
    d.office_import(from_a)
    plan, result = d.office_import(from_b)
    assert result.conflicts == (), "each sampled other records: nothing to choose"
    assert (plan.counts()["updated"], plan.counts()["merged"]) == (1, 1)
    assert _records(d.office, d, item) == [
        ("YW001", True),
        ("YW002", False),
        ("BA001", True),
        ("BA002", True),
        ("BA003", True),
    ]
    authors = {s.author for s in d.office.samples(d.round_id, item)}
    assert authors == {"内科", "外科"}, "each record keeps who entered it"
    for path in (from_a, from_b):  # neither package brings anything back
        plan, _ = d.office_import(path)
        assert (plan.counts()["added"], plan.counts()["updated"], plan.conflicts) == (0, 0, [])
    # each department takes the office's merged list as a plain update
    merged = d.export(d.office, "merged")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        plan = plan_import(db, open_package(merged))
        assert not plan.conflicts
        apply_import(db, plan, actor)
        assert len(_records(db, d, item)) == 5
    assert any("5 份" in change for line in item_history(d.office, d.round_id, item) for change in line.changes)


def test_records_changed_on_one_side_each_are_merged_against_the_list_both_had(departments):
    """The office's list went out; 内科 removed one record and added one, 外科 corrected another."""
    d = departments
    item = _item(d)
    _sample(d.office, d, d.office_actor, item, ("Z1", True), ("Z2", True), ("Z3", True))
    start = d.export(d.office, "samples")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        apply_import(db, plan_import(db, open_package(start)), actor)
    _sample(d.a, d, d.a_actor, item, ("Z1", True), ("Z3", True), ("Z4", True))
    _sample(d.b, d, d.b_actor, item, ("Z1", True), ("Z2", True), ("Z3", False))
    d.office_import(d.export(d.a, "a"))
    _, result = d.office_import(d.export(d.b, "b"))
    assert result.conflicts == ()
    assert _records(d.office, d, item) == [("Z1", True), ("Z3", False), ("Z4", True)]


def test_one_record_changed_differently_on_both_sides_is_still_a_conflict_of_the_lists(departments, capsys):
    d = departments
    item = _item(d)
    _sample(d.a, d, d.a_actor, item, ("R1", True), ("A2", True))
    _sample(d.b, d, d.b_actor, item, ("R1", False), ("B2", True))
    d.office_import(d.export(d.a, "a"))
    plan, result = d.office_import(d.export(d.b, "b"), "all-package")
    [conflict] = plan.conflicts
    assert conflict.table == "samples" and result.resolved == {conflict.key: PACKAGE}
    assert _records(d.office, d, item) == [("R1", False), ("B2", True)]
    # said record by record, not “2 份，不符合 0 份 ≠ 2 份，不符合 1 份”; named once as 抽查记录
    assert not conflict.label.startswith("抽查记录")
    ours, theirs = records_apart(conflict.local.values["records"], conflict.package.values["records"])
    assert ours == "2 份，不符合 0 份：R1 符合；A2 符合；B2 无"
    assert theirs == "2 份，不符合 1 份：R1 不符合；A2 无；B2 符合"
    from app.cli_exchange import _print_conflict

    _print_conflict(conflict.to_dict())
    printed = capsys.readouterr().out
    assert f"冲突：抽查记录 {conflict.label}" in printed and "抽查记录 抽查记录" not in printed
    assert "本机（内科" in printed and "R1 符合；A2 符合；B2 无" in printed and "R1 不符合；A2 无；B2 符合" in printed


def _cleared_and_sampled_again(d: Departments, item: str, clearing, adding) -> None:
    """内科's A1, A2 went to the office; then ``clearing`` (db, actor) cleared the item's list
    (wrong records) and sampled A3, while ``adding`` sampled one more of its own."""
    _sample(d.a, d, d.a_actor, item, ("A1", True), ("A2", True))
    d.office_import(d.export(d.a, "a1"))
    db, actor = clearing
    _sample(db, d, actor, item)
    _sample(db, d, actor, item, ("A3", True))
    db, actor = adding
    _sample(db, d, actor, item, ("A1", True), ("A2", True), ("X1", False))


@pytest.mark.parametrize(
    ("cleared_by", "expected"),
    [
        ("a", [("A1", True), ("A2", True), ("X1", False)]),
        ("office", [("A3", True)]),
    ],
    ids=["the-department-cleared", "the-office-cleared"],
)
def test_records_one_side_cleared_do_not_come_back(departments, cleared_by, expected):
    """Both lists began from none, but one side's history also holds the clearing: its new list
    grew from that, not from the start both shared. Merged against the empty list, A1 and A2
    (deleted by the side that cleared) came back silently; the lists are one conflict instead,
    whichever side cleared (内科, then the office as its mirror), and the office keeps its own."""
    d = departments
    item = _item(d)
    department, office = (d.a, d.a_actor), (d.office, d.office_actor)
    clearing, adding = (department, office) if cleared_by == "a" else (office, department)
    _cleared_and_sampled_again(d, item, clearing, adding)
    plan, result = d.office_import(d.export(d.a, "a2"))
    [conflict] = plan.conflicts
    assert conflict.table == "samples" and not conflict.ancestor
    assert (plan.counts()["updated"], result.resolved) == (0, {conflict.key: "unresolved"})
    assert _records(d.office, d, item) == expected


def test_a_version_both_had_but_not_rebuilt_is_no_empty_start():
    """Both lists grew from a version both had (h0), whose records the entries do not describe
    (a settled conflict's link, an entry without its values): the records both had are not
    known, and that is not "nothing in common"; merged against none, h0's records that one
    side removed since would come back."""

    def records(*numbers: str) -> dict:
        return history.samples_record({"record_no": n, "compliant": True} for n in numbers)

    h0, ours_now, theirs_now = (history.content_hash("samples", records(*n)) for n in (["R1"], ["R2"], ["R3"]))
    assert h0 and ours_now and theirs_now
    start = {"id": "e0", "old_hash": None, "new_hash": h0, "changes": {}}
    link = {"resolved": ["package", "local"]}
    theirs = [start, {"id": "e1", "old_hash": h0, "new_hash": theirs_now, "changes": link}]
    ours = [start, {"id": "e2", "old_hash": h0, "new_hash": ours_now, "changes": link}]
    shared = threeway.common_ancestor(theirs, ours, theirs_now, ours_now)
    known = {ours_now: records("R2"), theirs_now: records("R3")}
    assert shared == h0 and h0 not in threeway.versions("samples", [*theirs, *ours], known)
    assert threeway.records_base(None, shared, theirs, theirs_now, ours, ours_now) is None
    # with no version in common at all, the two lists each began from none
    apart = [{**start, "new_hash": theirs_now}], [{**start, "id": "e3", "new_hash": ours_now}]
    assert threeway.records_base(None, None, apart[0], theirs_now, apart[1], ours_now) == []


def test_the_offices_own_pseudonyms_coming_back_are_its_records_not_new_ones(departments, tmp_path):
    """The office gave 内科 its default (脱敏) package; 内科 graded another item and sent it back
    with 病案号 kept: every sampled item then held 10 real and 10 脱敏-… records, all scored
    (review, merge 2). The office knows its own pseudonyms; another key's are not merged."""
    from app.exchange.export import export_package
    from app.store import Actor, open_store

    d = departments
    item = _item(d)
    nk, shared = _sent_pseudonymised(d, tmp_path, item, ("ZY001", True), ("ZY002", False))
    assert all(s.record_no.startswith("脱敏-") for s in nk.samples(d.round_id, item))
    answer_service.record_answer(nk, d.round_id, d.ITEM_A, d.a_actor, grade="B")
    back = export_package(nk, d.round_id, tmp_path / "nk.zip", patient_ids=True, attachments=False, today=DAY).path
    plan, _ = d.office_import(back)
    assert _records(d.office, d, item) == [("ZY001", True), ("ZY002", False)]
    assert not [w for w in plan.warnings if "抽查" in w]
    # the office's own 脱敏 copy (the commission's) imported back: nothing to say either
    plan, _ = d.office_import(shared)
    assert plan.warnings == [] and _records(d.office, d, item) == [("ZY001", True), ("ZY002", False)]
    # 外科's own pseudonyms (its key, not ours) met by real numbers: kept apart, and said
    _sample(d.b, d, d.b_actor, item, ("WK001", True))
    wk = export_package(d.b, d.round_id, tmp_path / "wk.zip", attachments=False, today=DAY).path
    other = open_store(tmp_path / "other.db")
    apply_import(other, plan_import(other, open_package(wk)), Actor("", ""))
    _sample(d.b, d, d.b_actor, item, ("WK001", True), ("WK002", True))
    plan = plan_import(other, open_package(d.export(d.b, "wk-ids")))
    assert any("一方为病案号原号、一方为脱敏代码" in w for w in plan.warnings)


def test_a_department_that_cleared_an_items_records_clears_them_here(departments):
    """Removing 1 of 10 records on 内科's PC came across; removing all of them did not: the package
    left the item out, and the office kept the records without a word (review, merge 6)."""
    d = departments
    item = _item(d)
    _sample(d.a, d, d.a_actor, item, ("ZY001", True), ("ZY002", False))
    d.office_import(d.export(d.a, "a1"))
    assert _records(d.office, d, item) == [("ZY001", True), ("ZY002", False)]
    _sample(d.a, d, d.a_actor, item)  # all removed
    _, result = d.office_import(d.export(d.a, "a2"))
    assert _records(d.office, d, item) == [] and result.updated == 1 and not result.conflicts
    # a PC that never had records of the item sends none, and clears nothing
    _sample(d.office, d, d.office_actor, item, ("ZY003", True))
    d.office_import(d.export(d.b, "b"))
    assert _records(d.office, d, item) == [("ZY003", True)]


def test_a_change_to_the_offices_own_pseudonyms_comes_back_as_an_update(departments, tmp_path):
    """内科 took the office's default (脱敏) package, corrected one record and sent it back. Its
    records are the office's under their pseudonyms, and its history holds the hashes of that
    pseudonymised list: the office's list went unrecognised in it, and the correction came in as a
    whole-list conflict to settle by hand (review, merge 2, left over)."""
    from app.exchange.export import export_package

    d = departments
    item = _item(d)
    nk, _ = _sent_pseudonymised(d, tmp_path, item, ("ZY001", True), ("ZY002", False))
    first, second = (s.record_no for s in nk.samples(d.round_id, item))
    _sample(nk, d, d.a_actor, item, (first, True), (second, True))  # ZY002 was compliant after all
    for patient_ids in (True, False):  # sent back with or without 病案号: the same records
        back = export_package(
            nk, d.round_id, tmp_path / f"nk-{patient_ids}.zip", patient_ids=patient_ids, attachments=False, today=DAY
        ).path
        plan = plan_import(d.office, open_package(back))
        assert plan.conflicts == [], [c.to_dict() for c in plan.conflicts]
        assert [c.table for c in plan.updated] == ["samples"]
    apply_import(d.office, plan, d.office_actor)
    assert _records(d.office, d, item) == [("ZY001", True), ("ZY002", True)]
    # the office changes the list again: the department's old package is older, not a conflict
    _sample(d.office, d, d.office_actor, item, ("ZY001", False), ("ZY002", True))
    plan, _ = d.office_import(back)
    assert (plan.conflicts, plan.updated) == ([], [])
    assert _records(d.office, d, item) == [("ZY001", False), ("ZY002", True)]


@pytest.mark.parametrize("patient_ids", [True, False])
def test_a_correction_of_pseudonymised_records_merges_with_a_record_the_office_removed_since(
    departments, tmp_path, patient_ids
):
    """The office sent ZY001–ZY003 (脱敏), then removed ZY003; 内科 corrected ZY002. The office
    knew its pseudonyms only of the records it still held: ZY003's came back as a record of
    another key, and the correction was a whole-list conflict, or was dropped with a warning
    (review of the last commit). Both changes are kept."""
    from app.exchange.export import export_package

    d = departments
    item = _item(d)
    nk, _ = _sent_pseudonymised(d, tmp_path, item, ("ZY001", True), ("ZY002", False), ("ZY003", True))
    _sample(d.office, d, d.office_actor, item, ("ZY001", True), ("ZY002", False))  # ZY003 removed
    first, second, third = (s.record_no for s in nk.samples(d.round_id, item))
    _sample(nk, d, d.a_actor, item, (first, True), (second, True), (third, True))  # ZY002 corrected
    back = export_package(
        nk, d.round_id, tmp_path / "nk.zip", patient_ids=patient_ids, attachments=False, today=DAY
    ).path
    plan = plan_import(d.office, open_package(back))
    assert plan.conflicts == [] and not [w for w in plan.warnings if "抽查" in w]
    apply_import(d.office, plan, d.office_actor)
    assert _records(d.office, d, item) == [("ZY001", True), ("ZY002", True)]


def _department_with_a_profile(tmp_path, name: str):
    """A department's new database, with the hospital's profile typed in its first-run wizard
    (so with a pseudonym key of its own) before anything is imported."""
    from app.services.profile import save_profile
    from app.store import Actor, open_store
    from tests.conftest import PROFILE_2_GENERAL

    db = open_store(tmp_path / f"{name}.db")
    save_profile(db, PROFILE_2_GENERAL, Actor(name, f"pc-{name}"))
    return db


def test_a_department_given_real_numbers_sends_back_a_correction_the_office_reads(departments, tmp_path):
    """The README's way round a hospital: the office sends its round to 内科 with 病案号 kept, 内科
    corrects a record and sends back its default (脱敏) package. Pseudonymised under 内科's own
    key, no record paired with the office's: the office kept its list, counted the correction as
    未变 and warned of every sampled item alike (review, exchange 1). A package with 病案号 carries
    the office's key, and 内科's database, holding no 病案号 of its own, takes it."""
    from app.exchange.export import export_package, stored_pseudonym_key
    from app.exchange.merge import KEY_TAKEN
    from app.store import Actor

    d = departments
    item = _item(d)
    _sample(d.office, d, d.office_actor, item, ("ZY001", True), ("ZY002", True))
    nk = _department_with_a_profile(tmp_path, "内科")
    assert stored_pseudonym_key(nk) not in (None, stored_pseudonym_key(d.office))
    plan = plan_import(nk, open_package(d.export(d.office, "with-ids")))
    assert KEY_TAKEN in plan.warnings
    apply_import(nk, plan, Actor("", ""))
    assert stored_pseudonym_key(nk) == stored_pseudonym_key(d.office)
    _sample(nk, d, d.a_actor, item, ("ZY001", True), ("ZY002", False))
    back = export_package(nk, d.round_id, tmp_path / "nk.zip", attachments=False, today=DAY).path
    assert open_package(back).manifest["patient_ids"] == "pseudonymised"
    assert "patient_key" not in open_package(back).manifest  # the commission's copy never has it
    plan, _ = d.office_import(back)
    assert [c.table for c in plan.updated] == ["samples"] and not plan.conflicts
    assert not [w for w in plan.warnings if "抽查" in w or "密钥" in w]
    assert _records(d.office, d, item) == [("ZY001", True), ("ZY002", False)]
    # the department's next package with 病案号 changes nothing about keys either way
    assert KEY_TAKEN not in plan_import(nk, open_package(d.export(d.office, "again"))).warnings


def test_a_database_with_real_numbers_of_its_own_keeps_its_key_and_is_told(departments, tmp_path, catalog):
    """Its own pseudonyms, sent before, would change meaning under another key: it keeps its
    own, and the clerk learns how to send the round back so that the office can read it. Another
    hospital's package (a summary's database) never gives its key."""
    from app.exchange.export import export_package, stored_pseudonym_key
    from app.exchange.merge import KEY_KEPT, KEY_TAKEN
    from app.services.demo import create_demo
    from app.store import Actor, open_store

    d = departments
    item = _item(d)
    nk = _department_with_a_profile(tmp_path, "内科")
    own = stored_pseudonym_key(nk)
    pseudonymised = export_package(d.office, d.round_id, tmp_path / "p.zip", attachments=False, today=DAY).path
    apply_import(nk, plan_import(nk, open_package(pseudonymised)), Actor("", ""))
    _sample(nk, d, d.a_actor, item, ("NK001", True))
    plan = plan_import(nk, open_package(d.export(d.office, "with-ids")))
    assert KEY_KEPT in plan.warnings and KEY_TAKEN not in plan.warnings
    apply_import(nk, plan, Actor("", ""))
    assert stored_pseudonym_key(nk) == own
    collector = open_store(tmp_path / "collector.db")
    create_demo(collector, catalog, Actor("汇总", "pc-c"), hospital="乙县人民医院")
    plan = plan_import(collector, open_package(d.export(d.office, "other")), allow_other_hospital=True)
    assert plan.other_hospital and not [w for w in plan.warnings if "密钥" in w]
    key = stored_pseudonym_key(collector)
    apply_import(collector, plan, Actor("", ""), allow_other_hospital=True)
    assert stored_pseudonym_key(collector) == key


def test_numbers_typed_on_a_departments_copy_are_said_to_need_sending_back_kept(
    departments, tmp_path, monkeypatch, qtbot, capsys
):
    """内科 took the office's default (脱敏) package and sampled records of its own; sent back
    pseudonymised, they reached the office as codes nobody could trace to a patient's record
    (exchange review 2). Exporting them pseudonymised from 内科's PC says so (dialog and CLI);
    on the office's PC, where the round began, there is nothing to say."""
    from app.exchange.export import entered_numbers_note, export_package
    from app.store import Actor, open_store
    from app.ui.exchange_dialogs import ExportDialog

    d = departments
    item = _item(d)
    pseudonymised = export_package(d.office, d.round_id, tmp_path / "p.zip", attachments=False, today=DAY).path
    nk = open_store(tmp_path / "nk.db")
    apply_import(nk, plan_import(nk, open_package(pseudonymised)), Actor("", ""))
    folder = tmp_path / "pc-a-data"
    folder.mkdir()
    (folder / "device-id").write_text(d.a_actor.device_id, encoding="ascii")
    monkeypatch.setenv("MQSC_DATA_DIR", str(folder))  # 内科's PC, as the program names it
    assert entered_numbers_note(nk, d.round_id) == ""  # nothing typed here yet
    _sample(nk, d, d.a_actor, item, ("NK001", True), ("NK002", False))
    note = entered_numbers_note(nk, d.round_id)
    assert "本机录入了 2 份抽查记录的病案号" in note and "保留抽查记录的病案号原样" in note
    dialog = ExportDialog(nk, d.round_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.entered.isVisible() and dialog.entered.text() == note
    dialog.patient_ids.setChecked(True)
    assert not dialog.entered.isVisible()
    from app.cli import main

    out = str(tmp_path / "nk.zip")
    assert main(["export", "--db", str(nk.path), "--round", d.round_id, "--out", out, "--no-attachments"]) == 0
    said = capsys.readouterr().err
    assert "本机录入了 2 份" in said and "请加 --with-patient-ids 导出" in said
    # the office's own round, on the office's PC: its numbers are its own to read back
    (folder / "device-id").write_text(d.office_actor.device_id, encoding="ascii")
    _sample(d.office, d, d.office_actor, item, ("ZY001", True))
    assert entered_numbers_note(d.office, d.round_id) == ""

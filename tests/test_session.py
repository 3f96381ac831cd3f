"""The round session (app/services/session.py), without Qt: what changed, incremental scores,
undo and redo as data across the walkthrough and the board, input kept when the database refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.kinds.judgement import Judgement
from app.errors import AppError, InputError
from app.services import rounds as round_service
from app.services.answers import SampleInput
from app.services.session import Changes, RoundSession, SaveDeferred

TODAY = dt.date(2025, 6, 20)
JUDGEMENT = Judgement.name


@pytest.fixture
def session(store, actor, demo_round):
    return RoundSession(store, actor, demo_round, today=lambda: TODAY)


def first(session: RoundSession, kind: str, applicable: bool = True) -> str:
    return next(
        i.id
        for i in session.items.values()
        if i.kind == kind and i.applies_to(session.view.profile) == applicable and i.id not in session.answers
    )


def section_ids_of(session: RoundSession, item_id: str) -> set[str]:
    """The section that holds the item, and every section above it."""
    checklist = session.checklist_of[item_id]

    def path(sections, above):
        for s in sections:
            if any(i.id == item_id for i in s.items):
                return {*above, s.id}
            found = path(s.sections, {*above, s.id})
            if found:
                return found
        return None

    return path(checklist.sections, set())


def test_a_grade_says_what_it_changed_and_tells_the_subscribers(session):
    heard: list[Changes] = []
    session.subscribe(heard.append)
    item_id = first(session, JUDGEMENT)
    changes = session.set_answer(item_id, {"grade": "D"})
    assert heard == [changes]
    assert changes.items == {item_id} and changes.rectifications
    assert changes.sections == section_ids_of(session, item_id)  # its sections, not the round's
    assert session.outcomes[item_id].failing
    assert any(item_id in e.item_ids for e in session.rectifications())  # opened with the grade


def test_refused_input_changes_nothing_and_tells_nobody(session, store):
    heard: list[Changes] = []
    session.subscribe(heard.append)
    item_id = first(session, JUDGEMENT)
    with pytest.raises(InputError):
        session.set_answer(item_id, {"grade": "不存在的等级"})
    assert heard == [] and store.answer(session.round_id, item_id) is None and not session.can_undo


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scores_kept_up_to_date_equal_scores_counted_from_scratch(session, store, data):
    """Whatever is graded, the incremental score is the score of the whole round read afresh."""
    judgement = [i for i in session.items.values() if i.kind == JUDGEMENT and i.applies_to(session.view.profile)]
    for _ in range(data.draw(st.integers(1, 4))):
        item = data.draw(st.sampled_from(judgement))
        codes = session.checklist_of[item.id].scale.codes()
        grade = data.draw(st.sampled_from([*codes, None]))
        session.set_answer(item.id, {"grade": grade})
    fresh = round_service.score(store, session.round_id)
    assert session.score.to_dict() == fresh.to_dict()
    assert session.outcomes == fresh.outcomes


def test_samples_and_indicators_are_scored_incrementally_too(session, store):
    sampling = first(session, "sampling")
    session.set_samples(sampling, [SampleInput("A1", True), SampleInput("A2", False)])
    indicator = next(
        i
        for i in session.items.values()
        if i.kind == "indicator" and i.input == "ratio" and i.applies_to(session.view.profile)
    )
    session.set_answer(indicator.id, {"numerator": "3", "denominator": "7"})
    assert session.score.to_dict() == round_service.score(store, session.round_id).to_dict()


def test_undo_and_redo_are_data_across_walkthrough_and_board(session, store):
    item_id = first(session, JUDGEMENT)
    session.set_answer(item_id, {"grade": "D"})
    entry = next(e for e in session.rectifications() if item_id in e.item_ids)
    session.update_rectification(entry.id, cause="制度未落实", deadline="2025-07-31")
    assert session.undo_text() == "撤销修改整改项"

    changes = session.undo()  # the board's edit first
    assert changes.focus_rectification == entry.id
    row = store.rectification(entry.id)
    assert row.cause == "" and row.deadline is None
    changes = session.undo()  # then the grade, which takes the untouched rectification away
    assert changes.focus_item == item_id and store.answer(session.round_id, item_id).grade is None
    assert not any(item_id in e.item_ids for e in session.rectifications())
    assert not session.can_undo and session.can_redo

    session.redo()
    session.redo()
    assert store.answer(session.round_id, item_id).grade == "D"
    # the grade's redo opened the rectification anew; the board's edit follows it there
    reopened = session.rectification_for(item_id)
    assert reopened is not None and reopened.rectification.cause == "制度未落实"
    assert session.score.to_dict() == round_service.score(store, session.round_id).to_dict()


def test_a_recheck_is_undone_to_what_it_was(session, store):
    entry = next(e for e in session.rectifications() if e.rectification.measure and e.status != "已完成")
    session.record_recheck(entry.id, passed=True, date=TODAY, by="刘洋", result="已整改")
    assert session.rectification(entry.id).status == "已完成"
    session.undo()
    assert session.rectification(entry.id).status == entry.status
    assert store.rectification(entry.id).recheck_passed == entry.rectification.recheck_passed


def test_a_measure_written_with_a_recheck_is_undone_and_redone_with_it(session, store):
    """记录复查 writes the missing 整改措施 with the pass, in one save: one undo takes both back
    (undoing the pass alone would leave a measure the office never wrote on the board)."""
    item_id = first(session, JUDGEMENT)
    session.set_answer(item_id, {"grade": "D", "finding": "未见制度文件"})
    entry = session.rectification_for(item_id)
    assert entry is not None and entry.rectification.measure == ""
    session.record_recheck(entry.id, passed=True, date=TODAY, by="刘洋", measure="经复评，原评价有误，无需整改")
    row = store.rectification(entry.id)
    assert (row.recheck_passed, row.measure) == (True, "经复评，原评价有误，无需整改")
    assert session.rectification(entry.id).status == "已完成"
    session.undo()
    row = store.rectification(entry.id)
    assert (row.recheck_passed, row.measure) == (None, "")
    session.redo()
    row = store.rectification(entry.id)
    assert (row.recheck_passed, row.measure) == (True, "经复评，原评价有误，无需整改")


def test_rechecks_undone_redone_cleared_and_corrected_are_told_once(session, store):
    """Undo of a re-check that followed another was refused (“不能早于上次复查”) and dropped from
    the stack; a failure taken back by clearing left the pass before it in the list with the
    item 整改中; an undo printed the failure twice; a corrected date counted as a second re-check
    (diff review)."""
    from app.services.rectifications import follow_up_text

    entry = next(e for e in session.rectifications() if e.rectification.measure and e.status != "已完成")
    rid = entry.id

    def told() -> str:
        return follow_up_text(session.rectification(rid))

    session.record_recheck(rid, passed=False, date=dt.date(2025, 6, 1), by="刘洋", result="a")
    session.record_recheck(rid, passed=False, date=dt.date(2025, 6, 10), by="刘洋", result="b")
    assert told() == "2025年6月1日，刘洋，复查未通过：a；2025年6月10日，刘洋，复查未通过：b"
    session.undo()
    assert told() == "2025年6月1日，刘洋，复查未通过：a"
    session.redo()
    session.record_recheck(rid, passed=True, date=dt.date(2025, 6, 12), by="王芳")
    session.undo()
    session.undo()
    assert told() == "2025年6月1日，刘洋，复查未通过：a"
    # a pass, a failure recorded by mistake, cleared: the pass stands again, once
    session.record_recheck(rid, passed=True, date=dt.date(2025, 6, 5), by="王芳")
    session.record_recheck(rid, passed=False, date=dt.date(2025, 6, 18), by="王芳", result="误")
    session.record_recheck(rid, passed=None)
    assert session.rectification(rid).status == "已完成"
    assert told() == "2025年6月1日，刘洋，复查未通过：a；2025年6月5日，王芳，复查通过"
    # a date corrected to an earlier day, a verdict corrected the same day: one re-check each
    session.record_recheck(rid, passed=True, date=dt.date(2025, 6, 4), by="王芳")
    assert told() == "2025年6月1日，刘洋，复查未通过：a；2025年6月4日，王芳，复查通过"
    with pytest.raises(InputError, match="不能早于上次复查（2025-06-01，未通过）"):
        session.record_recheck(rid, passed=True, date=dt.date(2025, 5, 30), by="王芳")
    session.record_recheck(rid, passed=False, date=dt.date(2025, 6, 4), by="王芳", result="看错了")
    assert told() == "2025年6月1日，刘洋，复查未通过：a；2025年6月4日，王芳，复查未通过：看错了"


def test_a_carried_copy_is_not_passed_before_the_failure_that_carried_it(store, catalog, actor, demo_round):
    """The copy starts without a re-check: a pass dated before the source's failure was taken,
    and read 6月25日未通过；5月1日通过 (diff review)."""
    from app.services import rectifications as rect_service

    entry = next(
        e
        for e in rect_service.list_rectifications(store, demo_round, TODAY)
        if e.rectification.measure and e.status != "已完成"
    )
    rect_service.record_recheck(
        store, entry.id, actor, passed=False, date=dt.date(2025, 6, 10), by="刘洋", result="未落实", today=TODAY
    )
    used = {c.id for c in round_service.load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = rect_service.start_recheck_round(
        store, chosen, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round
    )
    copy = next(
        e for e in rect_service.list_rectifications(store, second, TODAY) if e.rectification.carried_from == entry.id
    )
    later = dt.date(2025, 7, 5)
    with pytest.raises(InputError, match="不能早于上次复查（2025-06-10，未通过）"):
        rect_service.record_recheck(
            store, copy.id, actor, passed=True, date=dt.date(2025, 6, 1), by="王芳", today=later
        )
    done = rect_service.record_recheck(
        store, copy.id, actor, passed=True, date=dt.date(2025, 6, 20), by="王芳", today=later
    )
    assert rect_service.follow_up_text(done) == "2025年6月10日，刘洋，复查未通过：未落实；2025年6月20日，王芳，复查通过"


def test_choosing_a_department_with_the_arrow_keys_is_one_undo(session, store):
    item_id = first(session, JUDGEMENT)
    session.set_answer(item_id, {"grade": "A"})
    for name in session.view.profile.departments[:3]:
        session.set_answer(item_id, {"department": name})
    session.undo()
    assert store.answer(session.round_id, item_id).department == ""
    assert store.answer(session.round_id, item_id).grade == "A"


def test_input_the_database_refuses_waits_in_the_session(session, store):
    item_id = first(session, JUDGEMENT)
    store.conn.execute("PRAGMA query_only = ON")  # every write fails, as on a full disk
    with pytest.raises(SaveDeferred) as refused:
        session.set_answer(item_id, {"finding": "消防通道堵塞"})
    assert refused.value.first
    assert session.answer_shown(item_id).finding == "消防通道堵塞"  # shown as typed
    with pytest.raises(SaveDeferred) as again:
        other = next(i for i in session.items if i != item_id and i not in session.answers)
        session.set_answer(other, {"finding": "另一条"})
    assert not again.value.first  # the user was told once
    with pytest.raises(Exception):  # noqa: B017  (still refused: the database says why)
        session.retry_pending()
    store.conn.execute("PRAGMA query_only = OFF")
    changes = session.retry_pending()
    assert item_id in changes.items and session.pending == {}
    assert store.answer(session.round_id, item_id).finding == "消防通道堵塞"


def test_a_pending_edit_found_invalid_on_retry_is_named(session, store):
    item_id = first(session, JUDGEMENT)
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(SaveDeferred):
        session.set_answer(item_id, {"grade": "NA"})  # 不适用 without a reason: refused on retry
    store.conn.execute("PRAGMA query_only = OFF")
    changes = session.retry_pending()
    assert [r.item_id for r in changes.refused] == [item_id] and "原因" in changes.refused[0].message
    assert session.pending == {}


def test_the_board_hears_of_a_grade_at_once(session):
    """The rectification list is read again after a grade, not on the next tab switch."""
    before = {e.id for e in session.rectifications()}
    item_id = first(session, JUDGEMENT)
    session.set_answer(item_id, {"grade": "D"})
    after = session.rectifications()
    assert len(after) == len(before) + 1


def test_the_ledger_is_told_again_on_a_new_day(session):
    """A window left open overnight: what is overdue is judged on the day it is shown."""
    entry = next(e for e in session.rectifications() if e.status == "整改中" and e.rectification.deadline)
    session.today = lambda: entry.rectification.deadline + dt.timedelta(days=1)
    assert next(e for e in session.rectifications() if e.id == entry.id).status == "逾期"


def test_an_import_clears_the_undo_history(session, store):
    """Undoing an edit made before an import would write its old value over what was imported."""
    item_id = first(session, JUDGEMENT)
    session.set_answer(item_id, {"grade": "A"})
    assert session.can_undo
    session.reload()  # what the window does once an import wrote into the open round
    assert not session.can_undo and not session.can_redo
    assert session.undo() == Changes()
    assert store.answer(session.round_id, item_id).grade == "A"


def test_a_step_that_can_never_apply_again_leaves_the_stack(session, store, actor):
    """Its rectification gone (removed elsewhere): the undo says so once, and the steps below it
    stay reachable instead of every Ctrl+Z repeating the same error."""
    first_item = first(session, JUDGEMENT)
    session.set_answer(first_item, {"finding": "第一步"})
    failing = next(
        i
        for i in session.items
        if i != first_item
        and i not in session.answers
        and session.items[i].kind == JUDGEMENT
        and session.items[i].applies_to(session.view.profile)
    )
    session.set_answer(failing, {"grade": "D"})
    entry = session.rectification_for(failing)
    session.update_rectification(entry.id, owner="王五")
    store.delete_rectification(entry.id, actor)  # e.g. by another program on the same file
    with pytest.raises(AppError, match="已从撤销记录中移除"):
        session.undo()
    session.undo()  # the grade
    session.undo()  # and the first step: reachable
    assert store.answer(session.round_id, first_item).finding == ""


def test_opening_a_rectification_on_request_is_undone_and_redone(session):
    item_id = next(
        i.id
        for i in session.items.values()
        if i.id not in session.answers and i.applies_to(session.view.profile) and i.kind == JUDGEMENT
    )
    session.set_answer(item_id, {"grade": "C"})
    session.open_rectification(item_id)
    assert session.undo_text() == "撤销生成整改项"
    session.undo()
    assert session.rectification_for(item_id) is None
    session.redo()
    assert session.rectification_for(item_id) is not None


def test_a_retry_saves_what_is_valid_beside_what_is_not(session, store):
    """不适用 without a reason is refused on the retry; the finding typed beside it is saved."""
    item_id = first(session, JUDGEMENT)
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(SaveDeferred):
        session.set_answer(item_id, {"finding": "制度未更新"})
    with pytest.raises(SaveDeferred):
        session.set_answer(item_id, {"grade": "NA"})
    store.conn.execute("PRAGMA query_only = OFF")
    changes = session.retry_pending()
    assert [r.field for r in changes.refused] == ["na_reason"]
    saved = store.answer(session.round_id, item_id)
    assert saved.finding == "制度未更新" and saved.grade is None
    session.undo()  # the retried save is one step
    assert store.answer(session.round_id, item_id).finding == ""


def test_pending_samples_are_retried_and_undone(session, store):
    item_id = first(session, "sampling")
    store.conn.execute("PRAGMA query_only = ON")
    with pytest.raises(SaveDeferred):
        session.set_samples(item_id, [SampleInput("A1", True)])
    store.conn.execute("PRAGMA query_only = OFF")
    session.retry_pending()
    assert [s.record_no for s in store.samples(session.round_id, item_id)] == ["A1"]
    session.undo()
    assert store.samples(session.round_id, item_id) == []

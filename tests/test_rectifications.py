"""整改: opening with failing answers, topics, editing, re-check, status on fixed dates, carry-over."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.domain.records import (
    ORIGIN_AUTO,
    ORIGIN_CARRIED,
    ORIGIN_OFFERED,
    STATUS_CARRIED,
    STATUS_DONE,
    STATUS_IN_PROGRESS,
    STATUS_OVERDUE,
    STATUS_PENDING,
    Rectification,
)
from app.errors import InputError
from app.services import rectifications as svc
from app.services.answers import SampleInput, record_answer, set_samples
from app.services.rounds import delete_round, load_round, start_round

DAY = dt.date(2025, 3, 15)
TODAY = dt.date(2025, 6, 30)
JUDGED = "qyx-targets-2021.1.3.2"  # MDT (topic mdt), judgement
SAME_TOPIC = "nat-quality-2023.t08.5"  # MDT in the national plan: same topic
RATE = "qyx-targets-2021.1.2.rate"  # indicator, ratio, 逐步提高
SAMPLED = "qyx-core.08.3"  # sampling, 100% target


@pytest.fixture
def round_id(profiled_store, catalog, actor):
    entries = [catalog.get("qyx-core"), catalog.get("qyx-targets-2021"), catalog.get("nat-quality-2023")]
    return start_round(profiled_store, entries, "2025年一季度", DAY, actor)


def entries(store, round_id, today=TODAY):
    return svc.list_rectifications(store, round_id, today)


# --- status rules (domain) ----------------------------------------------------------------------

DEADLINE = dt.date(2025, 4, 30)


@pytest.mark.parametrize(
    ("fields", "today", "status"),
    [
        ({}, TODAY, STATUS_PENDING),
        ({"deadline": DEADLINE, "owner": "李敏"}, DEADLINE, STATUS_PENDING),
        ({"cause": "培训不足"}, TODAY, STATUS_IN_PROGRESS),
        ({"measure": "组织培训", "deadline": DEADLINE}, DEADLINE, STATUS_IN_PROGRESS),  # on the day: in time
        ({"measure": "组织培训", "deadline": DEADLINE}, DEADLINE + dt.timedelta(days=1), STATUS_OVERDUE),
        ({"deadline": DEADLINE}, dt.date(2025, 5, 1), STATUS_OVERDUE),
        ({"recheck_passed": False}, TODAY, STATUS_IN_PROGRESS),
        ({"recheck_passed": False, "deadline": DEADLINE}, TODAY, STATUS_OVERDUE),
        ({"recheck_passed": True}, TODAY, STATUS_DONE),
        ({"recheck_passed": True, "deadline": DEADLINE}, TODAY, STATUS_DONE),  # done late is done
    ],
)
def test_status_follows_from_the_data(fields, today, status):
    rect = Rectification(id="r", round_id="x", item_id="i", problem="p", **fields)
    assert rect.status(today) == status


# --- opening and closing with the answers -------------------------------------------------------


def test_failing_grade_opens_one_and_only_one(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D")
    record_answer(store, round_id, JUDGED, actor, grade="D")
    [entry] = entries(store, round_id)
    assert entry.rectification.origin == ORIGIN_AUTO and entry.status == STATUS_PENDING
    assert entry.rectification.problem == "评价为“D 不符合”" and entry.problem_from_findings
    # the finding and the department are typed after the grade: the rectification follows
    record_answer(store, round_id, JUDGED, actor, finding="未建立多学科诊疗工作制度", department="医务科")
    [entry] = entries(store, round_id)
    assert (entry.rectification.problem, entry.rectification.department) == ("未建立多学科诊疗工作制度", "医务科")
    assert len(store.rectifications(round_id)) == 1


def test_indicator_not_met_and_sampling_below_target_open_one(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, RATE, actor, numerator=20, denominator=100, baseline=30)
    set_samples(store, round_id, SAMPLED, [SampleInput("1001", True), SampleInput("1002", False)], actor)
    by_item = {e.rectification.item_id: e.rectification.problem for e in entries(store, round_id)}
    assert by_item[RATE] == "指标值 20.0%（20/100），未高于基线值 30.0%（要求逐步提高）"
    assert by_item[SAMPLED] == "抽查 2 份，1 份不符合（要求全部符合）；份数少于要求的 10 份"
    # met again: both untouched automatic rectifications go away
    record_answer(store, round_id, RATE, actor, numerator=40)
    set_samples(store, round_id, SAMPLED, [SampleInput("1001", True)], actor)
    assert entries(store, round_id) == []


def test_regrading_removes_an_untouched_one_and_keeps_one_with_work(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="无MDT制度")
    record_answer(store, round_id, JUDGED, actor, grade="B")
    assert store.rectifications(round_id) == []
    record_answer(store, round_id, JUDGED, actor, grade="D")
    [entry] = entries(store, round_id)
    svc.update_rectification(store, entry.id, actor, cause="科室未重视")
    record_answer(store, round_id, JUDGED, actor, grade="B")
    [kept] = entries(store, round_id)
    assert kept.id == entry.id and kept.rectification.cause == "科室未重视"
    # kept, it says why a B item still has one (it stood in 发现的问题 with no word of the B)
    assert kept.regraded == "B 有监管" and "本轮复评：B 有监管，复查确认后可销号" in svc.follow_up_text(kept)
    # and going back to D does not open a second one
    record_answer(store, round_id, JUDGED, actor, grade="D")
    assert [e.id for e in entries(store, round_id)] == [entry.id]


def test_items_sharing_a_topic_share_one_rectification(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    record_answer(store, round_id, SAME_TOPIC, actor, grade="D", finding="MDT病例未追踪随访")
    [entry] = entries(store, round_id)
    assert set(entry.item_ids) == {JUDGED, SAME_TOPIC}
    assert entry.rectification.problem == "未建立MDT制度；MDT病例未追踪随访"
    assert svc.totals(entries(store, round_id)).total == 1
    # the first item is fixed, the other still fails: the rectification stays and follows it
    record_answer(store, round_id, JUDGED, actor, grade="A")
    [entry] = entries(store, round_id)
    assert entry.item_ids == (SAME_TOPIC,) and entry.rectification.item_id == SAME_TOPIC
    assert entry.rectification.problem == "MDT病例未追踪随访"


def test_a_c_grade_offers_one_at_the_users_choice(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="C")
    assert store.rectifications(round_id) == []
    entry = svc.open_rectification(store, round_id, JUDGED, actor, TODAY)
    assert entry.rectification.origin == ORIGIN_OFFERED
    assert svc.open_rectification(store, round_id, JUDGED, actor, TODAY).id == entry.id  # idempotent
    # regraded B before anyone worked on it: it goes, as it no longer describes a problem
    record_answer(store, round_id, JUDGED, actor, grade="B")
    assert entries(store, round_id) == []
    # with work recorded on it, it stays
    record_answer(store, round_id, JUDGED, actor, grade="C")
    entry = svc.open_rectification(store, round_id, JUDGED, actor, TODAY)
    svc.update_rectification(store, entry.id, actor, cause="培训不到位")
    assert entries(store, round_id)[0].regraded == ""  # a C the user wanted fixed is a problem
    record_answer(store, round_id, JUDGED, actor, grade="B")
    assert [e.id for e in entries(store, round_id)] == [entry.id]
    assert entries(store, round_id)[0].regraded == "B 有监管"
    record_answer(store, round_id, SAME_TOPIC, actor, grade="B")
    with pytest.raises(InputError, match="只有评为不符合"):
        svc.open_rectification(store, round_id, SAME_TOPIC, actor)


# --- editing ---------------------------------------------------------------------------------


@pytest.fixture
def rect_id(profiled_store, round_id, actor):
    record_answer(profiled_store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度", department="医务科")
    return entries(profiled_store, round_id)[0].id


def test_a_deadline_is_taken_in_every_way_the_date_boxes_take_one(profiled_store, rect_id, actor):
    """The board's 期限 cell refused 20250630, which the date boxes take (review)."""
    for typed in ("2025-06-30", "2025/6/30", "2025.6.30", "2025年6月30日", "20250630"):
        svc.update_rectification(profiled_store, rect_id, actor, deadline=typed)
        assert profiled_store.rectification(rect_id).deadline == dt.date(2025, 6, 30), typed


def test_update_validates_and_writes_nothing_on_error(profiled_store, round_id, rect_id, actor):
    store = profiled_store
    before = store.rectification(rect_id)
    with pytest.raises(InputError, match=r"整改期限（2025-03-01）不能早于本轮自查日期（2025-03-15）") as err:
        svc.update_rectification(store, rect_id, actor, cause="培训不足", deadline="2025-03-01")
    assert err.value.field == "deadline"
    with pytest.raises(InputError, match="不是有效的日期"):
        svc.update_rectification(store, rect_id, actor, deadline="2025-02-30")
    with pytest.raises(InputError, match="不是有效的日期"):
        svc.update_rectification(store, rect_id, actor, deadline="20250230")
    with pytest.raises(InputError, match="整改措施过长"):
        svc.update_rectification(store, rect_id, actor, measure="整" * (svc.MAX_TEXT + 1))
    with pytest.raises(InputError, match="责任人过长"):
        svc.update_rectification(store, rect_id, actor, owner="李" * 51)
    assert store.rectification(rect_id) == before

    entry = svc.update_rectification(
        store,
        rect_id,
        actor,
        today=TODAY,
        cause=" 培训不足 ",
        measure="组织培训",
        owner="李敏",
        deadline="2025年5月31日",
    )
    rect = entry.rectification
    assert (rect.cause, rect.owner, rect.deadline, entry.status) == (
        "培训不足",
        "李敏",
        dt.date(2025, 5, 31),
        STATUS_OVERDUE,
    )
    # saving the problem text as shown keeps it following the findings; a new text replaces it
    assert svc.update_rectification(store, rect_id, actor, problem="未建立MDT制度").problem_from_findings
    entry = svc.update_rectification(store, rect_id, actor, problem="MDT制度缺失，未开展多学科会诊")
    assert not entry.problem_from_findings
    record_answer(store, round_id, JUDGED, actor, finding="另一个描述")
    assert entries(store, round_id)[0].rectification.problem == "MDT制度缺失，未开展多学科会诊"


def test_a_measure_is_written_with_the_recheck_that_needs_it(profiled_store, rect_id, actor):
    """A 误判 (or a rectification nobody wrote measures for) closed from the 记录复查 dialog: the
    measure and the pass are one save, and one 修改记录 entry; a measure too long changes nothing."""
    store = profiled_store
    before = len(store.history(record_id=rect_id))
    with pytest.raises(InputError, match="整改措施过长"):
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-10", by="刘洋", measure="措" * 20_001)
    assert store.rectification(rect_id).measure == "" and store.rectification(rect_id).recheck_passed is None
    entry = svc.record_recheck(
        store, rect_id, actor, passed=True, date="2025-05-10", by="刘洋", measure="经复评，原评价有误，无需整改"
    )
    assert entry.rectification.measure == "经复评，原评价有误，无需整改" and entry.rectification.recheck_passed
    assert len(store.history(record_id=rect_id)) == before + 1


def test_a_recheck_writes_only_a_missing_measure(profiled_store, rect_id, actor):
    """A blank measure is not given (it deleted the stored one with a failed re-check); a measure
    is not written with a re-check cleared, nor over the one the board holds."""
    store = profiled_store
    svc.update_rectification(store, rect_id, actor, measure="制定MDT制度")
    svc.record_recheck(store, rect_id, actor, passed=False, date="2025-05-10", by="刘洋", measure="  ")
    assert store.rectification(rect_id).measure == "制定MDT制度"
    with pytest.raises(InputError, match="已填写整改措施，请在整改台账中修改"):
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-12", by="刘洋", measure="另一措施")
    with pytest.raises(InputError, match="清除复查记录时不能同时填写整改措施"):
        svc.record_recheck(store, rect_id, actor, passed=None, measure="另一措施")
    row = store.rectification(rect_id)
    assert (row.measure, row.recheck_passed) == ("制定MDT制度", False)
    # the same words again are no replacement: a pass is recorded
    svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-12", by="刘洋", measure="制定MDT制度")
    assert store.rectification(rect_id).recheck_passed is True


def test_recheck_passed_failed_and_cleared(profiled_store, rect_id, actor):
    store = profiled_store
    with pytest.raises(InputError, match="复查通过前须写明整改措施；原评价有误、无需整改时"):
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-10", by="刘洋")
    with pytest.raises(InputError, match="复查通过前须写明整改措施"):  # blank is not written
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-10", by="刘洋", measure=" \n ")
    assert store.rectification(rect_id).recheck_passed is None
    svc.update_rectification(store, rect_id, actor, measure="制定MDT制度", deadline="2025-04-30")
    with pytest.raises(InputError, match="请填写复查人"):
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-05-10")
    with pytest.raises(InputError, match="请填写复查日期"):
        svc.record_recheck(store, rect_id, actor, passed=True, by="刘洋")
    with pytest.raises(InputError, match="复查日期（2025-01-10）不能早于"):
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-01-10", by="刘洋")
    with pytest.raises(InputError, match="复查日期（2025-07-01）不能晚于今天"):  # not done yet: not 已完成
        svc.record_recheck(store, rect_id, actor, passed=True, date="2025-07-01", by="刘洋", today=TODAY)

    failed = svc.record_recheck(
        store,
        rect_id,
        actor,
        passed=False,
        date="2025-04-20",
        by="刘洋",
        result="制度未经院办发文",
        today=dt.date(2025, 4, 21),
    )
    assert failed.status == STATUS_IN_PROGRESS and failed.rectification.recheck_passed is False
    done = svc.record_recheck(
        store, rect_id, actor, passed=True, date="2025-05-10", by="刘洋", result="已发文并执行", today=TODAY
    )
    assert done.status == STATUS_DONE
    assert (done.rectification.recheck_date, done.rectification.rechecked_by) == (dt.date(2025, 5, 10), "刘洋")
    # clearing takes the latest re-check back: the failure it followed stands again, then none
    cleared = svc.record_recheck(store, rect_id, actor, passed=None, today=TODAY)
    assert cleared.status == STATUS_OVERDUE and cleared.rectification.recheck_date == dt.date(2025, 4, 20)
    assert cleared.rectification.recheck_passed is False
    assert cleared.timeline == ("2025年4月20日，刘洋，复查未通过：制度未经院办发文",)  # the pass is gone
    cleared = svc.record_recheck(store, rect_id, actor, passed=None, today=TODAY)
    assert cleared.status == STATUS_OVERDUE and cleared.rectification.recheck_date is None


def test_delete_is_refused_while_the_item_still_fails(profiled_store, round_id, rect_id, actor):
    store = profiled_store
    with pytest.raises(InputError, match="仍评为不符合"):
        svc.delete_rectification(store, rect_id)
    record_answer(store, round_id, JUDGED, actor, grade="C")  # no longer failing, but untouched → removed
    assert store.rectifications(round_id) == []
    offered = svc.open_rectification(store, round_id, JUDGED, actor)
    svc.delete_rectification(store, offered.id)
    assert store.rectifications(round_id) == []


def test_a_carried_copy_is_closed_with_a_recheck_not_deleted(store, demo_round, catalog, actor):
    """Deleting a copy in the 复查轮次 (its item regraded A there: 误判) reopened the original in
    the round it came from: that round's 整改报告 went from 逾期 0, 100 % to 逾期 1, and the
    reminders counted it again, with no word of it in the confirmation (rectification review)."""
    used = {c.id for c in load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = svc.start_recheck_round(store, chosen, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    day = dt.date(2025, 7, 20)
    copy = entries(store, second, day)[0]
    record_answer(store, second, copy.rectification.item_id, actor, grade="A")
    before = [(e.id, e.status) for e in entries(store, demo_round, day)]
    refused = svc.deletion_refused(store, copy.id)
    assert (
        refused.startswith("该整改项由上一轮《2025年第一季度医疗质量自查》转入，不能删除") and "记录复查通过" in refused
    )
    with pytest.raises(InputError, match="不能删除"):
        svc.delete_rectification(store, copy.id, actor)
    assert store.rectification(copy.id) is not None
    assert [(e.id, e.status) for e in entries(store, demo_round, day)] == before
    # closed as the message says: a measure, then a passed re-check
    svc.update_rectification(store, copy.id, actor, measure="经复评，原评价有误，无需整改")
    svc.record_recheck(store, copy.id, actor, passed=True, date=day, by="王芳", today=day)
    assert svc.get_rectification(store, copy.id, day).status == STATUS_DONE
    # the original is asked about too, before any confirmation
    original = copy.rectification.carried_from
    assert svc.deletion_refused(store, original).startswith("该整改项已转入《复查》继续跟踪")


def test_a_carried_copy_may_be_rechecked_before_its_recheck_round_began(store, demo_round, catalog, actor):
    """A re-check made on 6月28日 and entered on 7月3日, the 复查轮次 begun on 7月1日: the first
    round is read-only once it carried the item over, and the 复查轮次 refused a date before its
    own, so staff wrote a false one (rectification review). From the first round's date on it
    is taken."""
    used = {c.id for c in load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = svc.start_recheck_round(store, chosen, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    day = dt.date(2025, 7, 3)
    copy = next(e for e in entries(store, second, day) if e.rectification.measure)
    done = svc.record_recheck(store, copy.id, actor, passed=True, date=dt.date(2025, 6, 28), by="王芳", today=day)
    assert done.status == STATUS_DONE and done.rectification.recheck_date == dt.date(2025, 6, 28)
    with pytest.raises(InputError, match=r"不能早于发现该问题的《2025年第一季度医疗质量自查》的自查日期（2025-03-15）"):
        svc.record_recheck(store, copy.id, actor, passed=True, date=dt.date(2025, 3, 1), by="王芳", today=day)


def test_a_recheck_round_dated_before_a_recorded_pass_does_not_carry_it(store, demo_round, catalog, actor):
    """A pass recorded on 7月5日, then a 复查轮次 dated 7月1日: the item was carried, 已完成 in the
    first round and 逾期 in the second, counted in both (numbers review)."""
    used = {c.id for c in load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    day = dt.date(2025, 7, 5)
    closed = next(e for e in entries(store, demo_round, day) if e.status == "逾期")
    svc.record_recheck(store, closed.id, actor, passed=True, date=day, by="王芳", today=day)
    second = svc.start_recheck_round(store, chosen, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    copies = entries(store, second, day)
    assert copies and closed.id not in {c.rectification.carried_from for c in copies}
    assert svc.get_rectification(store, closed.id, day).status == STATUS_DONE


def test_carried_items_of_a_checklist_left_out_keep_their_checklist_order(store, demo_round, catalog, actor):
    """A 复查轮次 of 核心制度 only carries 改进目标's rectifications too: they came last in the
    order of their random record ids (08.3, 13.4, 07.1 …), so month one's ledger and month two's
    could not be laid side by side (rectification review). They keep the first round's order."""
    # the demo's 1.1.2c is open; 1.1.3 comes after it in the checklist, before it by its id's digits
    record_answer(store, demo_round, "qyx-targets-2021.1.1.3", actor, grade="D", finding="未落实")
    first = [e.rectification.item_id for e in entries(store, demo_round) if e.status != STATUS_DONE]
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    second = svc.start_recheck_round(store, core, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    carried = [e.rectification.item_id for e in entries(store, second, dt.date(2025, 7, 1))]
    others = [i for i in carried if not i.startswith("qyx-core.")]
    assert len(others) >= 3 and carried[-len(others) :] == others
    assert others == [i for i in first if i in others]
    assert others.index("qyx-targets-2021.1.1.2c") < others.index("qyx-targets-2021.1.1.3")
    # and the next 复查轮次 of 核心制度 only, whose source lists them no more either
    third = svc.start_recheck_round(store, core, "再复查", dt.date(2025, 8, 1), actor, previous_round_id=second)
    carried = [e.rectification.item_id for e in entries(store, third, dt.date(2025, 8, 1))]
    assert [i for i in carried if not i.startswith("qyx-core.")] == others


def test_a_moved_deadline_is_told_and_a_report_dated_before_keeps_the_old_one(profiled_store, round_id, actor):
    """Extending 4月30日 to 6月30日 turned 逾期 back into 整改中 and left no trace: an inspector
    could not tell the item had been late, and a report dated before the move printed the new
    deadline (rectification review). The move is told in 复查情况, dated the day it was made."""
    from app.domain.formats import cn_date

    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    [entry] = entries(store, round_id)
    svc.update_rectification(store, entry.id, actor, measure="制定制度", deadline="2025-04-30")  # first set: no move
    assert entries(store, round_id)[0].timeline == ()
    svc.update_rectification(store, entry.id, actor, deadline="2025-06-03")
    svc.update_rectification(store, entry.id, actor, deadline="2025-06-30")  # the same day: one move
    today = dt.date.today()
    [now] = entries(store, round_id, today)
    moved = f"{cn_date(today)}，整改期限由2025年4月30日延至2025年6月30日"
    assert now.timeline == (moved,) and svc.follow_up_text(now) == moved
    assert now.rectification.deadline == dt.date(2025, 6, 30)
    # a re-check made before the move is told before it, the one standing too (it came last)
    svc.record_recheck(store, entry.id, actor, passed=True, date=dt.date(2025, 6, 20), by="王芳", today=today)
    assert svc.get_rectification(store, entry.id, today).timeline == ("2025年6月20日，王芳，复查通过", moved)
    svc.record_recheck(store, entry.id, actor, passed=None, today=today)
    # a report dated the day before the move: the deadline that held, and no word of the move
    [before] = entries(store, round_id, today - dt.timedelta(days=1))
    assert before.rectification.deadline == dt.date(2025, 4, 30) and before.timeline == ()
    assert before.status == STATUS_OVERDUE
    # moved and moved back the same day (an undo): nothing to tell
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", finding="首诊记录不全")
    other = next(e for e in entries(store, round_id) if "qyx-core.01.1" in e.item_ids)
    svc.update_rectification(store, other.id, actor, deadline="2025-05-31")
    svc.update_rectification(store, other.id, actor, deadline="2025-07-31")
    svc.update_rectification(store, other.id, actor, deadline="2025-05-31")
    assert svc.get_rectification(store, other.id, today).timeline == ()


def test_a_problem_closed_last_round_and_found_again_says_so(store, demo_round, catalog, actor):
    """首诊负责 第1条 closed in round one and graded D again in the 复查轮次 read as found for the
    first time, with no word of its 销号 (rectification review)."""
    closed = next(e for e in entries(store, demo_round) if e.status == STATUS_DONE)
    item = closed.rectification.item_id
    used = {c.id for c in load_round(store, demo_round).checklists}
    chosen = [e for e in catalog.entries if e.checklist.id in used]
    second = svc.start_recheck_round(store, chosen, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round)
    record_answer(store, second, item, actor, grade="D", finding="再次发现")
    day = dt.date(2025, 7, 10)
    [again] = [e for e in entries(store, second, day) if item in e.item_ids]
    when = f"{closed.rectification.recheck_date.year}年{closed.rectification.recheck_date.month}月"
    assert again.recurred.startswith(f"上轮《2025年第一季度医疗质量自查》已整改销号（{when}")
    assert again.recurred.endswith("复查通过），本轮再次发现")
    assert svc.follow_up_text(again).startswith(again.recurred)
    assert svc.get_rectification(store, again.id, day).recurred == again.recurred
    from app.render.model import build_self_report

    [row] = [p for p in build_self_report(store, second, day, "serif").problems if p.rectification_id == again.id]
    assert again.recurred in row.rectification  # 发现的问题 of the 自查报告 says it too
    # a problem the previous round had not closed is carried, not “found again”
    assert not [e for e in entries(store, second, day) if e.carried and e.recurred]


def test_totals_by_department_and_status(profiled_store, round_id, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", department="医务科")
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", department="内科")
    record_answer(store, round_id, "qyx-core.02.1", actor, grade="D")
    listed = entries(store, round_id)
    done = next(e for e in listed if e.rectification.item_id == "qyx-core.01.1")
    svc.update_rectification(store, done.id, actor, measure="培训")
    svc.record_recheck(store, done.id, actor, passed=True, date="2025-04-01", by="刘洋")
    result = svc.totals(entries(store, round_id)).to_dict()
    assert result["total"] == 3
    assert result["by_status"] == {
        STATUS_PENDING: 2,
        STATUS_IN_PROGRESS: 0,
        STATUS_DONE: 1,
        STATUS_OVERDUE: 0,
        STATUS_CARRIED: 0,
    }
    assert result["by_department"]["内科"][STATUS_DONE] == 1
    assert result["by_department"][svc.NO_DEPARTMENT][STATUS_PENDING] == 1


# --- re-check rounds ------------------------------------------------------------------------


def test_carry_over_copies_open_ones_once(profiled_store, round_id, catalog, actor):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", department="内科")
    listed = {e.rectification.item_id: e for e in entries(store, round_id)}
    first, second = listed[JUDGED], listed["qyx-core.01.1"]
    svc.update_rectification(
        store, first.id, actor, cause="未重视", measure="建立制度", owner="李敏", deadline="2025-04-30"
    )
    svc.update_rectification(store, second.id, actor, measure="培训")
    svc.record_recheck(store, second.id, actor, passed=True, date="2025-04-01", by="刘洋")
    recheck = start_round(
        store,
        [catalog.get("qyx-core"), catalog.get("qyx-targets-2021")],
        "复查",
        dt.date(2025, 7, 1),
        actor,
        previous_round_id=round_id,
    )
    # the re-check round already failed the same item; its untouched rectification gives way
    record_answer(store, recheck, JUDGED, actor, grade="D")
    carried = svc.carry_over_open_rectifications(store, round_id, recheck, actor)
    assert [c.carried_from for c in carried] == [first.id]
    [entry] = entries(store, recheck, dt.date(2025, 7, 1))
    rect = entry.rectification
    assert (rect.origin, rect.carried_from, rect.problem, rect.cause, rect.deadline) == (
        ORIGIN_CARRIED,
        first.id,
        "未建立MDT制度",
        "未重视",
        dt.date(2025, 4, 30),
    )
    assert entry.status == STATUS_OVERDUE and rect.recheck_passed is None
    assert svc.carry_over_open_rectifications(store, round_id, recheck, actor) == []
    with pytest.raises(InputError, match="同一轮"):
        svc.carry_over_open_rectifications(store, recheck, recheck, actor)
    # a second re-check of the same round does not follow the problem up in two ledgers
    again = start_round(
        store, [catalog.get("qyx-core")], "再次复查", dt.date(2025, 7, 2), actor, previous_round_id=round_id
    )
    assert svc.carry_over_open_rectifications(store, round_id, again, actor) == []


def _carried_over(store, round_id, catalog, actor):
    """Two failing items of the first round, one of them closed, the other overdue on TODAY and
    then carried over by a 复查轮次: (the overdue one's id, the closed one's id, the re-check round)."""
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D", department="内科")
    listed = {e.rectification.item_id: e for e in entries(store, round_id)}
    late, closed = listed[JUDGED], listed["qyx-core.01.1"]
    svc.update_rectification(store, late.id, actor, measure="建立制度", deadline="2025-04-30")
    svc.update_rectification(store, closed.id, actor, measure="培训")
    svc.record_recheck(store, closed.id, actor, passed=True, date="2025-04-01", by="刘洋")
    assert svc.get_rectification(store, late.id, TODAY).status == STATUS_OVERDUE
    recheck = svc.start_recheck_round(
        store,
        [catalog.get("qyx-core"), catalog.get("qyx-targets-2021")],
        "2025年二季度复查",
        dt.date(2025, 6, 1),
        actor,
        previous_round_id=round_id,
    )
    return late.id, closed.id, recheck


def test_a_rectification_a_recheck_carried_over_is_no_longer_overdue_where_it_was_found(
    profiled_store, round_id, catalog, actor
):
    """Round A's overdue rectification, carried over by 复查轮次 B: in A it is 已转入复查 (named
    where it went), counted neither as 逾期 nor as open; B's copy is the one that is late."""
    store = profiled_store
    late, closed, recheck = _carried_over(store, round_id, catalog, actor)
    listed = {e.id: e for e in entries(store, round_id)}
    assert listed[late].status == STATUS_CARRIED and listed[late].carried_to == ("2025年二季度复查",)
    assert listed[late].followed_up_elsewhere
    assert svc.follow_up_text(listed[late]) == "已转入《2025年二季度复查》继续跟踪"
    assert listed[closed].status == STATUS_DONE and not listed[closed].followed_up_elsewhere  # not carried
    assert svc.get_rectification(store, late, TODAY).status == STATUS_CARRIED
    assert svc.rectification_for_item(store, load_round(store, round_id), JUDGED, TODAY).status == STATUS_CARRIED
    counts = svc.totals(list(listed.values())).to_dict()
    assert counts["by_status"] == {
        STATUS_PENDING: 0,
        STATUS_IN_PROGRESS: 0,
        STATUS_DONE: 1,
        STATUS_OVERDUE: 0,
        STATUS_CARRIED: 1,
    }
    assert sum(sum(d.values()) for d in counts["by_department"].values()) == counts["total"] == 2
    [copy] = entries(store, recheck)
    assert copy.rectification.carried_from == late and copy.status == STATUS_OVERDUE
    # a C grade's rectification that was never carried over keeps its status
    assert Rectification("x", round_id, JUDGED, "", deadline=DAY).status(TODAY) == STATUS_OVERDUE
    assert Rectification("x", round_id, JUDGED, "", deadline=DAY).status(TODAY, followed_up_elsewhere=True) == (
        STATUS_CARRIED
    )


def test_a_rectification_followed_up_in_a_recheck_is_only_read_where_it_was_found(
    profiled_store, round_id, catalog, actor, tmp_path
):
    """Its text, re-check and evidence are recorded in the 复查轮次: A's copy refuses them (naming
    B) and is not changed, so the two rounds never tell different stories; B's copy takes them."""
    from app.services.attachments import add_attachment

    store = profiled_store
    late, _, recheck = _carried_over(store, round_id, catalog, actor)
    before = store.rectification(late)
    photo = tmp_path / "整改后.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    attempts = {
        "不能修改": lambda: svc.update_rectification(store, late, actor, measure="另一措施"),
        "不能记录复查": lambda: svc.record_recheck(store, late, actor, passed=True, date="2025-06-20", by="刘洋"),
        "不能删除": lambda: svc.delete_rectification(store, late, actor),
        "不能添加佐证材料": lambda: add_attachment(store, round_id, photo, actor, rectification_id=late),
    }
    for refused, attempt in attempts.items():
        with pytest.raises(InputError, match=f"已转入《2025年二季度复查》继续跟踪，本轮中只能查看，{refused}"):
            attempt()
    assert store.rectification(late) == before
    assert store.attachments(round_id, rectification_id=late) == []
    [copy] = entries(store, recheck)
    assert svc.update_rectification(store, copy.id, actor, measure="另一措施").rectification.measure == "另一措施"
    # an answer changed in A afterwards does not remove the rectification B's copy names
    record_answer(store, round_id, JUDGED, actor, grade="A")
    assert store.rectification(late) == before


def test_an_untouched_rectification_carried_over_stays_when_its_item_passes_where_it_was_found(
    profiled_store, round_id, catalog, actor
):
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D")
    [entry] = entries(store, round_id)
    recheck = svc.start_recheck_round(
        store, [catalog.get("qyx-targets-2021")], "复查", dt.date(2025, 6, 1), actor, previous_round_id=round_id
    )
    record_answer(store, round_id, JUDGED, actor, grade="A")  # nothing written on it, but B follows it up
    assert [e.id for e in entries(store, round_id)] == [entry.id]
    assert [e.rectification.carried_from for e in entries(store, recheck)] == [entry.id]


def test_a_carried_over_one_says_when_its_item_no_longer_fails(profiled_store, round_id, catalog, actor):
    """In a re-check round an item regraded B has no problem any more: its carried-over
    rectification says so (the office closes it with a re-check), until the re-check is recorded."""
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    record_answer(store, round_id, "qyx-core.01.1", actor, grade="D")
    recheck = svc.start_recheck_round(
        store,
        [catalog.get("qyx-core"), catalog.get("qyx-targets-2021")],
        "复查",
        dt.date(2025, 7, 1),
        actor,
        previous_round_id=round_id,
    )
    later = dt.date(2025, 7, 2)
    assert all(e.carried and e.regraded == "" for e in entries(store, recheck, later))  # not graded yet
    record_answer(store, recheck, JUDGED, actor, grade="B")
    record_answer(store, recheck, "qyx-core.01.1", actor, grade="D")
    by_item = {e.rectification.item_id: e for e in entries(store, recheck, later)}
    fixed, failing = by_item[JUDGED], by_item["qyx-core.01.1"]
    assert (fixed.regraded, failing.regraded) == ("B 有监管", "")
    assert fixed.rectification.problem == "未建立MDT制度"  # the problem the first round found
    assert svc.follow_up_text(fixed) == "本轮复评：B 有监管，复查确认后可销号"
    svc.update_rectification(store, fixed.id, actor, measure="建立制度")
    svc.record_recheck(store, fixed.id, actor, passed=True, date=later, by="刘洋", today=later)
    [done] = [e for e in entries(store, recheck, later) if e.id == fixed.id]
    assert done.status == STATUS_DONE and done.regraded == ""


def test_a_carried_over_one_failing_again_in_other_words_says_this_rounds(profiled_store, round_id, catalog, actor):
    """The 自查报告 printed this round's finding for a re-failed item, the 整改报告 and the ledger
    the first round's: one problem in two wordings. The rectification now says this round's too."""
    from app.render.model import build_self_report

    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    recheck = svc.start_recheck_round(
        store, [catalog.get("qyx-targets-2021")], "复查", dt.date(2025, 7, 1), actor, previous_round_id=round_id
    )
    later = dt.date(2025, 7, 2)
    record_answer(store, recheck, JUDGED, actor, grade="D", finding="未建立MDT制度")
    [same] = entries(store, recheck, later)
    assert same.refound == "" and "仍有问题" not in svc.follow_up_text(same)  # the same words: said once
    record_answer(store, recheck, JUDGED, actor, grade="D", finding="制度已建立，但MDT病例未追踪随访")
    [entry] = entries(store, recheck, later)
    assert entry.rectification.problem == "未建立MDT制度"  # what is being rectified
    assert entry.refound == "制度已建立，但MDT病例未追踪随访"
    assert svc.follow_up_text(entry) == "本轮复评仍有问题：制度已建立，但MDT病例未追踪随访"
    [row] = build_self_report(store, recheck, later, "serif").problems
    assert row.finding == entry.refound


def test_a_round_in_the_middle_of_a_recheck_chain_cannot_be_deleted(store, demo_round, catalog, actor):
    """一季度 → 二季度复查 → 三季度复查: deleting 二季度 brought 一季度's 8 rectifications back
    open (7 late) while 三季度 still followed them, and a new 复查 of 一季度 carried them again."""
    from app.services.rounds import deletion_note, deletion_refused

    def recheck(previous: str, name: str, day: dt.date) -> str:
        used = {c.id for c in load_round(store, previous).checklists}
        chosen = [e for e in catalog.entries if e.checklist.id in used]
        return svc.start_recheck_round(store, chosen, name, day, actor, previous_round_id=previous)

    second = recheck(demo_round, "二季度复查", dt.date(2025, 6, 15))
    third = recheck(second, "三季度复查", dt.date(2025, 9, 15))
    day = dt.date(2025, 10, 1)
    carried = len(entries(store, third, day))
    assert carried > 0
    refused = deletion_refused(store, second)
    assert refused == (
        "“二季度复查”的整改项已转入《三季度复查》继续跟踪，不能删除此轮：删除后这些问题会在上一轮和"
        "《三季度复查》中被重复跟踪。确要删除，请先删除《三季度复查》。"
    )
    with pytest.raises(InputError, match="不能删除此轮"):
        delete_round(store, second, actor)
    assert deletion_refused(store, demo_round).startswith("“2025年第一季度医疗质量自查”的整改项已转入《二季度复查》")
    open_in_first = [e for e in entries(store, demo_round, day) if e.status != "已转入复查"]
    # the chain is undone from its end, each step saying where its rectifications go back
    assert deletion_note(store, third) == (
        f"本轮从《二季度复查》转入的 {carried} 项整改将回到《二季度复查》，在那里重新计为未完成或逾期。"
    )
    assert deletion_refused(store, third) == ""
    delete_round(store, third, actor)
    delete_round(store, second, actor)
    assert len([e for e in entries(store, demo_round, day) if e.status != "已转入复查"]) > len(open_in_first)


def test_a_report_dated_before_a_recheck_does_not_count_it(store, demo_round, actor):
    """A 整改报告 dated 6月5日 listed a re-check of 6月10日 and counted its item 已完成."""
    done = next(e for e in entries(store, demo_round, dt.date(2025, 6, 30)) if e.status == "已完成")
    checked = done.rectification.recheck_date
    before = checked - dt.timedelta(days=1)
    [then] = [e for e in entries(store, demo_round, before) if e.id == done.id]
    assert then.status != "已完成" and then.rectification.recheck_date is None
    assert svc.follow_up_text(then) == ""
    [on_the_day] = [e for e in entries(store, demo_round, checked) if e.id == done.id]
    assert on_the_day.status == "已完成" and store.rectification(done.id).recheck_passed  # nothing stored changed


def test_demo_has_rectifications_in_every_state(demo_round, store):
    from app.services.demo import DEMO_REPORT_DATE

    listed = svc.list_rectifications(store, demo_round, DEMO_REPORT_DATE)
    by_status = svc.totals(listed).by_status
    assert all(by_status[s] > 0 for s in (STATUS_PENDING, STATUS_IN_PROGRESS, STATUS_DONE, STATUS_OVERDUE))
    assert all(e.rectification.department and e.rectification.deadline for e in listed)
    assert {e.rectification.origin for e in listed} == {ORIGIN_AUTO, ORIGIN_OFFERED}


def test_cli_lists_rectifications(tmp_path, cli):
    db = tmp_path / "demo.db"
    round_id = cli("demo", "--db", str(db)).stdout.strip()
    result = cli("rectifications", "--db", str(db), "--round", round_id, "--json", "--date", "2025-06-30")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["totals"]["total"] == len(data["rectifications"]) > 0
    assert {"problem", "department", "deadline", "status", "items"} <= set(data["rectifications"][0])
    text = cli("rectifications", "--db", str(db), "--round", round_id, "--date", "2025-06-30")
    assert text.returncode == 0 and "逾期" in text.stdout and "合计" in text.stdout
    bad = cli("rectifications", "--db", str(db), "--round", round_id, "--date", "明天")
    assert bad.returncode == 1 and "不是有效的日期" in bad.stderr


def test_department_follows_the_answer_until_set_on_the_board(profiled_store, round_id, actor):
    """责任科室 chosen with the arrow keys passes through several departments; the rectification
    ends with the last, undo takes it back, and one set on the board is kept."""
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D")
    for department in ("医务科", "护理部", "质控办"):
        record_answer(store, round_id, JUDGED, actor, department=department)
    [entry] = entries(store, round_id)
    assert entry.rectification.department == "质控办"
    record_answer(store, round_id, JUDGED, actor, department="")  # undone to 未指定
    [entry] = entries(store, round_id)
    assert entry.rectification.department == ""
    svc.update_rectification(store, entry.id, actor, department="药剂科")
    record_answer(store, round_id, JUDGED, actor, department="内科")
    [entry] = entries(store, round_id)
    assert entry.rectification.department == "药剂科"


def test_a_sibling_items_edit_keeps_the_department_set_on_the_board(profiled_store, catalog, actor):
    """Items of one topic share a rectification; editing one of them says nothing about the
    department the user gave the rectification on the board."""
    store = profiled_store
    round_id = start_round(
        store, [catalog.get("qyx-core"), catalog.get("nat-quality-2023")], "合并", dt.date(2025, 3, 15), actor
    )
    failing, sibling = "qyx-core.19.4", "nat-quality-2023.t01.2"  # both ask for a quality committee
    record_answer(store, round_id, failing, actor, grade="D")
    [entry] = svc.list_rectifications(store, round_id, TODAY)
    svc.update_rectification(store, entry.id, actor, department="质控办")
    record_answer(store, round_id, sibling, actor, finding="委员会未按季度开会")
    [entry] = svc.list_rectifications(store, round_id, TODAY)
    assert entry.rectification.department == "质控办"


def test_a_failed_numeric_indicator_says_its_value_and_target(profiled_store, catalog, actor):
    from app.services.rounds import load_round, start_round

    store = profiled_store
    entries_ = [e for e in catalog.entries if e.checklist.id == "hn-7measures-2024"]
    round_id = start_round(store, entries_, "七项举措自查", dt.date(2025, 3, 1), actor)
    view = load_round(store, round_id)
    item = next(
        i
        for i in view.items()
        if i.kind == "indicator"
        and i.input == "ratio"
        and i.direction == ">="
        and i.target_for(2025) is not None
        and i.applies_to(view.profile)
    )
    target = item.target_for(2025)
    numerator = max(0, int(target) - 10) if item.unit == "%" else 0
    record_answer(store, round_id, item.id, actor, numerator=numerator, denominator=100)
    [problem] = [e.rectification.problem for e in entries(store, round_id) if e.rectification.item_id == item.id]
    assert problem.startswith("指标值 ") and f"未达到目标 ≥{target:g}{item.unit}" in problem


def test_a_problem_regraded_b_after_work_began_says_so_in_the_self_report(profiled_store, round_id, actor):
    """发现的问题 listed the item with its B and its rectification, and no word of why."""
    from app.render.model import build_self_report

    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="无MDT制度")
    [entry] = entries(store, round_id)
    svc.update_rectification(store, entry.id, actor, measure="制定MDT制度")
    record_answer(store, round_id, JUDGED, actor, grade="B")
    [row] = build_self_report(store, round_id, TODAY, "serif").problems
    assert row.result.startswith("B") and row.rectification.startswith("本轮复评：B 有监管，复查确认后可销号；")


def _failed_once(store, round_id, actor, by: str = "刘洋"):
    """A D on the MDT item, a 整改措施, and a re-check failed on 5月2日; the rectification."""
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    [entry] = entries(store, round_id)
    svc.update_rectification(store, entry.id, actor, measure="制定制度")
    svc.record_recheck(
        store, entry.id, actor, passed=False, date=dt.date(2025, 5, 2), by=by, result="未落实", today=TODAY
    )
    return entry


def test_a_failed_recheck_stays_in_the_ledger_after_a_later_one(profiled_store, round_id, actor):
    """复查未通过, 继续整改, 复查通过: the record kept only the pass, and the 整改报告 signed at
    closure said nothing of the failed re-check (it lived only in 修改记录)."""
    store = profiled_store
    entry = _failed_once(store, round_id, actor, by="刘")
    # a typo in the failed re-check corrected: still one re-check
    svc.record_recheck(
        store, entry.id, actor, passed=False, date=dt.date(2025, 5, 2), by="刘洋", result="未落实", today=TODAY
    )
    assert entries(store, round_id)[0].timeline == ("2025年5月2日，刘洋，复查未通过：未落实",)  # one re-check
    svc.record_recheck(
        store, entry.id, actor, passed=True, date=dt.date(2025, 6, 9), by="王芳", result="已落实", today=TODAY
    )
    [done] = entries(store, round_id)
    assert done.status == STATUS_DONE
    assert done.timeline == ("2025年5月2日，刘洋，复查未通过：未落实", "2025年6月9日，王芳，复查通过：已落实")
    assert svc.follow_up_text(done) == "2025年5月2日，刘洋，复查未通过：未落实；2025年6月9日，王芳，复查通过：已落实"
    assert svc.get_rectification(store, entry.id, TODAY).timeline == done.timeline
    # as it stood on 6月1日 (a report dated then): the failed re-check, and nothing later
    assert (
        svc.follow_up_text(entries(store, round_id, dt.date(2025, 6, 1))[0]) == "2025年5月2日，刘洋，复查未通过：未落实"
    )
    # a pass cleared as recorded by mistake, then a re-check passed: the failed one stays once
    svc.record_recheck(store, entry.id, actor, passed=None, today=TODAY)
    svc.record_recheck(store, entry.id, actor, passed=True, date=dt.date(2025, 6, 10), by="王芳", today=TODAY)
    assert entries(store, round_id)[0].timeline == (
        "2025年5月2日，刘洋，复查未通过：未落实",
        "2025年6月10日，王芳，复查通过",
    )


def test_a_pass_that_did_not_hold_stays_in_the_ledger_and_in_reports_dated_then(profiled_store, round_id, actor):
    """复查通过 on 5月6日, 整改未巩固 on 5月25日: the pass vanished from 复查情况, and a report
    dated 5月10日 printed later said 整改中 where the one signed that day had said 已完成."""
    store = profiled_store
    record_answer(store, round_id, JUDGED, actor, grade="D", finding="未建立MDT制度")
    [entry] = entries(store, round_id)
    svc.update_rectification(store, entry.id, actor, measure="制定制度")
    record = svc.record_recheck
    record(store, entry.id, actor, passed=True, date=dt.date(2025, 5, 6), by="刘洋", result="已落实", today=TODAY)
    record(store, entry.id, actor, passed=False, date=dt.date(2025, 5, 25), by="王芳", result="整改未巩固", today=TODAY)
    [now] = entries(store, round_id)
    assert now.status == STATUS_IN_PROGRESS
    assert (
        svc.follow_up_text(now) == "2025年5月6日，刘洋，复查通过：已落实；2025年5月25日，王芳，复查未通过：整改未巩固"
    )
    [then] = entries(store, round_id, dt.date(2025, 5, 10))
    assert then.status == STATUS_DONE and svc.follow_up_text(then) == "2025年5月6日，刘洋，复查通过：已落实"
    assert then.rectification.recheck_passed and then.rectification.recheck_date == dt.date(2025, 5, 6)
    [before] = entries(store, round_id, dt.date(2025, 5, 1))
    assert before.status != STATUS_DONE and svc.follow_up_text(before) == ""
    # a pass after the failure closes it again; the report lists all three
    record(store, entry.id, actor, passed=True, date=dt.date(2025, 6, 20), by="王芳", today=TODAY)
    assert svc.follow_up_text(entries(store, round_id)[0]).count("复查") == 3
    # a date corrected to an earlier day (the same verdict) is one re-check, not two
    record(store, entry.id, actor, passed=True, date=dt.date(2025, 6, 18), by="王芳", today=TODAY)
    assert svc.follow_up_text(entries(store, round_id)[0]).count("复查") == 3


def test_a_recheck_cannot_be_dated_before_the_one_it_follows(profiled_store, round_id, actor):
    """A pass dated 5月20日 after a failure of 5月25日 printed “5月25日未通过；5月20日通过” and
    counted the item 已完成 in a report dated 5月22日."""
    store = profiled_store
    entry = _failed_once(store, round_id, actor)  # failed on 5月2日
    with pytest.raises(InputError, match="不能早于上次复查（2025-05-02，未通过）") as refused:
        svc.record_recheck(store, entry.id, actor, passed=True, date=dt.date(2025, 5, 1), by="王芳", today=TODAY)
    assert refused.value.field == "recheck_date"
    assert entries(store, round_id)[0].rectification.recheck_date == dt.date(2025, 5, 2)
    # cleared first (the failure was recorded by mistake), the earlier pass is taken
    svc.record_recheck(store, entry.id, actor, passed=None, today=TODAY)
    svc.record_recheck(store, entry.id, actor, passed=True, date=dt.date(2025, 5, 1), by="王芳", today=TODAY)
    assert entries(store, round_id)[0].status == STATUS_DONE


def test_a_failed_recheck_before_the_carry_over_is_listed_in_the_recheck_round(
    profiled_store, round_id, catalog, actor
):
    """The copy a 复查轮次 makes starts without a re-check: the 整改报告 of the round where the
    item is closed told nothing of the failed re-check that had it carried over (review)."""
    store = profiled_store
    _failed_once(store, round_id, actor)
    recheck = svc.start_recheck_round(
        store, [catalog.get("qyx-targets-2021")], "复查", dt.date(2025, 7, 1), actor, previous_round_id=round_id
    )
    later = dt.date(2025, 7, 20)
    [copy] = entries(store, recheck, later)
    assert copy.timeline == ("2025年5月2日，刘洋，复查未通过：未落实",)
    svc.record_recheck(store, copy.id, actor, passed=True, date=later, by="王芳", result="已落实", today=later)
    assert svc.follow_up_text(svc.get_rectification(store, copy.id, later)) == (
        "2025年5月2日，刘洋，复查未通过：未落实；2025年7月20日，王芳，复查通过：已落实"
    )

"""A rectification's follow-up told from its change history (app/domain/follow_ups.py): entries
as an import brings them, a deadline cleared and set again, a close before a deadline moved, and
the hospital's reports and the commission's summary counting alike on a date before a move."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from app.domain.follow_ups import FollowUps, closed_late, deadline_moves, standing
from app.domain.records import STATUS_OVERDUE, Rectification
from app.services import rectifications as svc
from app.services.answers import record_answer
from app.services.demo import DEMO_REPORT_DATE
from app.services.rounds import start_round

ID = "r1"


@pytest.fixture
def round_id(profiled_store, catalog, actor):
    return start_round(profiled_store, [catalog.get("qyx-targets-2021")], "2025年一季度", dt.date(2025, 4, 1), actor)


def change(at: str, **fields):
    return SimpleNamespace(record_id=ID, changes=fields, at=at)


def test_a_move_an_import_tells_twice_is_one():
    """The package's entry (5月12日, the other PC) and the merge's own (5月20日) made two moves: a
    report printed the extension twice, and one dated 5月15日 said 5月10日 and 逾期 beside the
    line telling the move on 5月12日 (diff review)."""
    moves = deadline_moves(
        [
            change("2025-05-12T02:00:00+00:00", deadline=["2025-05-10", "2025-06-30"]),
            change("2025-05-20T02:00:00+00:00", deadline=["2025-05-10", "2025-06-30"]),
        ]
    )
    assert moves == {ID: [(dt.date(2025, 5, 12), dt.date(2025, 5, 10), dt.date(2025, 6, 30))]}


def test_a_deadline_cleared_and_set_again_moved():
    """4月30日 cleared on 5月5日 and 6月30日 set on 5月6日 was no move: a report dated 5月3日 said
    6月30日 and 整改中 where the item was 逾期 (diff review)."""
    moves = deadline_moves(
        [
            change("2025-04-01T02:00:00+00:00", deadline=[None, "2025-04-30"]),  # set first: no move
            change("2025-05-05T02:00:00+00:00", deadline=["2025-04-30", None]),
            change("2025-05-06T02:00:00+00:00", deadline=[None, "2025-06-30"]),
        ]
    )
    assert moves == {ID: [(dt.date(2025, 5, 6), dt.date(2025, 4, 30), dt.date(2025, 6, 30))]}
    stored = Rectification(ID, "round", "item", "问题", deadline=dt.date(2025, 6, 30), measure="m")
    then, _ = standing(stored, FollowUps(deadlines=moves[ID], own_deadlines=moves[ID]), dt.date(2025, 5, 3))
    assert then.deadline == dt.date(2025, 4, 30) and then.status(dt.date(2025, 5, 3)) == STATUS_OVERDUE


def test_a_close_stays_late_when_the_deadline_is_moved_after_it():
    """Closed on 5月10日, ten days after 4月30日, then the deadline moved to 6月30日: reports dated
    later called it 按期完成 (diff review)."""
    move = (dt.date(2025, 5, 15), dt.date(2025, 4, 30), dt.date(2025, 6, 30))
    closed = Rectification(
        ID,
        "round",
        "item",
        "问题",
        deadline=dt.date(2025, 6, 30),
        recheck_date=dt.date(2025, 5, 10),
        recheck_passed=True,
    )
    follow_ups = FollowUps(deadlines=[move], own_deadlines=[move])
    for day in (dt.date(2025, 5, 12), dt.date(2025, 5, 20)):
        rect, _ = standing(closed, follow_ups, day)
        assert closed_late(rect, closed, follow_ups) == 10, day


def test_an_edit_on_the_board_keeps_the_earlier_rechecks_in_its_row(profiled_store, round_id, actor):
    """update_rectification answered without the history: after any edit the row's 复查 column
    lost the earlier re-checks until the ledger was listed again (diff review)."""
    store = profiled_store
    record_answer(store, round_id, "qyx-targets-2021.1.3.2", actor, grade="D", finding="无MDT制度")
    [entry] = svc.list_rectifications(store, round_id, dt.date(2025, 6, 30))
    svc.update_rectification(store, entry.id, actor, measure="制定制度")
    for day, result in ((dt.date(2025, 5, 2), "a"), (dt.date(2025, 5, 20), "b")):
        svc.record_recheck(store, entry.id, actor, passed=False, date=day, by="刘洋", result=result, today=day)
    edited = svc.update_rectification(store, entry.id, actor, owner="张华", today=dt.date(2025, 6, 30))
    assert edited.timeline == ("2025年5月2日，刘洋，复查未通过：a", "2025年5月20日，刘洋，复查未通过：b")


def test_a_clear_does_not_bring_back_a_recheck_the_record_no_longer_follows(profiled_store, round_id, actor):
    """An import that kept this PC's re-check over a package's history: the history ends at the
    package's pass, the record holds the office's failure. Clearing that failure wrote the
    package's earlier failure into the record, one the office had rejected (diff review)."""
    store = profiled_store
    record_answer(store, round_id, "qyx-targets-2021.1.3.2", actor, grade="D", finding="无MDT制度")
    [entry] = svc.list_rectifications(store, round_id, dt.date(2025, 6, 30))
    svc.update_rectification(store, entry.id, actor, measure="制定制度")
    day = dt.date(2025, 6, 30)
    svc.record_recheck(store, entry.id, actor, passed=False, date=dt.date(2025, 5, 2), by="甲", result="a1", today=day)
    svc.record_recheck(store, entry.id, actor, passed=True, date=dt.date(2025, 5, 4), by="甲", today=day)
    # the import's outcome: the office's own value in the record, no entry of it in the history
    store.conn.execute(
        "UPDATE rectifications SET recheck_passed = 0, recheck_date = '2025-05-05', rechecked_by = '质控办',"
        " recheck_result = 'o1' WHERE id = ?",
        (entry.id,),
    )
    cleared = svc.record_recheck(store, entry.id, actor, passed=None, today=day)
    assert cleared.rectification.recheck_passed is None  # not a1 again, which its history had replaced
    assert "".join(cleared.timeline).count("a1") <= 1


def test_the_summary_counts_as_the_hospital_on_a_date_before_a_deadline_moved(store, catalog, actor, tmp_path):
    """A summary dated before a hospital moved a deadline counted the item as not 逾期 where the
    hospital's own 整改报告 of that date, and the code's comment, said 逾期 (diff review)."""
    from app.exchange.aggregate import aggregate, facts_row
    from app.exchange.export import export_package
    from app.services.demo import create_demo

    round_id = create_demo(store, catalog, actor)
    late = next(e for e in svc.list_rectifications(store, round_id, DEMO_REPORT_DATE) if e.status == STATUS_OVERDUE)
    svc.update_rectification(store, late.id, actor, deadline="2025-12-31")  # moved today, after the date
    own = svc.list_rectifications(store, round_id, DEMO_REPORT_DATE)
    assert next(e for e in own if e.id == late.id).status == STATUS_OVERDUE
    package = tmp_path / "甲县.zip"
    export_package(store, round_id, package, attachments=False, today=dt.date.today())
    [row] = aggregate([package], today=DEMO_REPORT_DATE).rounds
    assert facts_row(row)["逾期"] == sum(1 for e in own if e.status == STATUS_OVERDUE)

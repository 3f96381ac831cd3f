"""Review of the round session step (RoundSession and the screens on it): defects found, each as
a test that failed before the fix. Real SQLite files; Qt offscreen where a screen is involved."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.kinds.judgement import Judgement
from app.errors import AppError
from app.services.session import Changes, RoundSession, SaveDeferred

TODAY = dt.date(2025, 6, 20)
JUDGEMENT = Judgement.name


@pytest.fixture
def session(store, actor, demo_round):
    return RoundSession(store, actor, demo_round, today=lambda: TODAY)


def unanswered(session: RoundSession, kind: str = JUDGEMENT, skip: tuple[str, ...] = ()) -> str:
    return next(
        i.id
        for i in session.items.values()
        if i.kind == kind
        and i.applies_to(session.view.profile)
        and i.id not in session.answers
        and i.id not in skip
        and not i.topic  # one item, one rectification
        and session.checklist_of[i.id].scale.id == "pdca"
    )


def refuse_writes(store, on: bool) -> None:
    """Every write fails, as on a full disk or while another program holds the write lock."""
    store.conn.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")


# --- 1. input the database refused, retried ------------------------------------------------------


def test_a_retry_that_stops_half_way_still_names_the_input_it_dropped(session, store):
    heard: list[Changes] = []
    session.subscribe(heard.append)
    a = unanswered(session)
    b = unanswered(session, skip=(a,))
    c = unanswered(session, skip=(a, b))
    refuse_writes(store, True)
    for item_id, fields in ((a, {"finding": "消防通道堵塞"}), (b, {"grade": "NA"}), (c, {"finding": "第三条"})):
        with pytest.raises(SaveDeferred):
            session.set_answer(item_id, fields)
    refuse_writes(store, False)
    # the database takes a's input, b's is invalid (不适用 without a reason), then refuses c's again
    store.conn.execute(
        "CREATE TEMP TRIGGER busy_again BEFORE INSERT ON answers WHEN NEW.item_id = ? "
        "BEGIN SELECT RAISE(ABORT, 'database is locked'); END".replace("?", f"'{c}'")
    )
    with pytest.raises(AppError):
        session.retry_pending()
    assert store.answer(session.round_id, a).finding == "消防通道堵塞"
    assert b not in session.pending  # b's input is gone ...
    # ... so the user must be told, as the retry that does not stop half way does
    assert any(r.item_id == b for ch in heard for r in ch.refused), heard


def test_undo_and_redo_after_a_retried_save_keep_what_was_typed(session, store):
    item_id = unanswered(session)
    session.set_answer(item_id, {"finding": "交接班记录不全"})
    refuse_writes(store, True)
    with pytest.raises(SaveDeferred):
        session.set_answer(item_id, {"finding": "交接班记录不全，3月有5天未签名"})
    refuse_writes(store, False)
    session.retry_pending()
    assert store.answer(session.round_id, item_id).finding == "交接班记录不全，3月有5天未签名"
    session.undo()
    session.redo()
    # undo then redo must leave the answer as the user last typed it
    assert store.answer(session.round_id, item_id).finding == "交接班记录不全，3月有5天未签名"


def test_undo_while_input_is_pending_does_not_throw_the_input_away(session, store):
    """The board's Ctrl+Z calls session.undo() directly (no flush/retry first)."""
    item_id = unanswered(session)
    session.set_answer(item_id, {"finding": "初稿"})
    refuse_writes(store, True)
    with pytest.raises(SaveDeferred):
        session.set_answer(item_id, {"finding": "初稿，补充：抢救记录6小时内未补记"})
    refuse_writes(store, False)  # the database is free again before the retry timer fires
    session.undo()
    session.retry_pending()
    texts = {store.answer(session.round_id, item_id).finding}
    session.redo()
    texts.add(store.answer(session.round_id, item_id).finding)
    # the typed text survives somewhere: still pending, saved, or brought back by redo
    pending = session.pending.get(item_id, {}).get("finding")
    assert "初稿，补充：抢救记录6小时内未补记" in texts | {pending}


# --- 2. undo/redo across walkthrough and board --------------------------------------------------


def test_redo_of_a_board_edit_on_a_c_grade_rectification(session, store):
    item_id = unanswered(session)
    session.set_answer(item_id, {"grade": "C"})
    session.open_rectification(item_id)  # 生成整改项 (not an undoable step)
    entry = session.rectification_for(item_id)
    session.update_rectification(entry.id, cause="培训不到位", measure="每月组织培训")
    session.undo()  # the board's edit
    session.undo()  # the C grade: the untouched rectification goes with it
    assert session.rectification_for(item_id) is None
    session.redo()  # C again
    try:
        session.redo()  # the board's edit again
    except AppError as err:
        pytest.fail(f"redo refused: {err}; can_redo={session.can_redo}")
    assert store.answer(session.round_id, item_id).grade == "C"
    again = session.rectification_for(item_id)
    assert again is not None and again.rectification.cause == "培训不到位"


def test_undo_of_a_new_deadline_for_a_carried_over_rectification(store, actor, demo_round, catalog):
    from app.services import rectifications as rect_service
    from app.services.rounds import load_round

    first = RoundSession(store, actor, demo_round, today=lambda: TODAY)
    entry = next(e for e in first.rectifications() if e.status != "已完成")
    first.update_rectification(entry.id, measure="修订制度", deadline="2025-04-30")
    checklists = [catalog.get(c.id) for c in load_round(store, demo_round).checklists]
    recheck = rect_service.start_recheck_round(
        store, checklists, "复查", dt.date(2025, 7, 1), actor, previous_round_id=demo_round
    )
    later = dt.date(2025, 7, 10)
    session = RoundSession(store, actor, recheck, today=lambda: later)
    carried = next(e for e in session.rectifications() if e.rectification.carried_from == entry.id)
    assert carried.status == "逾期" and carried.rectification.deadline == dt.date(2025, 4, 30)
    item_id = next(
        i
        for i in session.items
        if i not in session.answers
        and session.items[i].kind == JUDGEMENT
        and session.items[i].applies_to(session.view.profile)
    )
    session.set_answer(item_id, {"finding": "复查时发现的新问题"})  # an earlier step of the morning
    session.update_rectification(carried.id, deadline="2025-08-31")  # 整改台账: a new deadline
    try:
        session.undo()
    except AppError as err:
        pytest.fail(f"undo refused: {err}")
    assert store.rectification(carried.id).deadline == dt.date(2025, 4, 30)
    session.undo()
    assert store.answer(session.round_id, item_id).finding == ""


# --- 3. the screens on the session --------------------------------------------------------------


@pytest.fixture
def window(demo_window):
    demo_window.session.today = lambda: TODAY
    return demo_window


def test_a_board_cell_being_typed_in_survives_a_retried_save(qtbot, window, store):
    from PySide6.QtCore import Qt

    walk, session = window.walkthrough, window.session
    item_id = unanswered(session)
    refuse_writes(store, True)  # the database is busy for a while
    walk.write_answer(item_id, {"finding": "病历首页漏填"})
    assert item_id in session.pending
    window.show_tab(1)  # the tab switch tries again, still refused
    board = window.board
    qtbot.waitUntil(board.isVisible)
    assert item_id in session.pending
    board.table.sortItems(0)
    entry = board.entry_at(0)
    board.table.setFocus()
    board.table.setCurrentCell(0, 2)
    board.table.editItem(board.table.item(0, 2))
    editor = board.table.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "STAFF NOT TRAINED")  # (QtTest types ASCII only)
    refuse_writes(store, False)
    walk.retry_unsaved()  # what the walkthrough's timer does every 5 s
    assert session.pending == {}
    qtbot.keyClick(board.table.focusWidget(), Qt.Key.Key_Return)
    qtbot.wait(50)
    assert store.rectification(entry.id).cause == "STAFF NOT TRAINED"

"""提醒: overdue and soon-due rectifications, and a month without a self-check."""

from __future__ import annotations

import datetime as dt

from app.services.reminders import reminders
from app.ui.main_window import MainWindow


def test_counts_on_a_given_day(store, demo_round):
    found = reminders(store, dt.date(2025, 6, 30))  # the demo's statuses are told on this day
    assert found.overdue >= 1 and found.round_id == demo_round
    assert not found.monthly_missing or found.month == "2025年6月"
    assert any("逾期" in m for m in found.messages)
    soon = reminders(store, dt.date(2025, 7, 25))
    assert soon.due_soon >= 1, "a deadline of 2025-07-31 is a week away"
    march = reminders(store, dt.date(2025, 3, 20))
    assert not march.monthly_missing, "the demo round started in March"


def _from_the_ledgers(store, today: dt.date) -> tuple[int, int, str | None]:
    """(overdue, due soon, round) as every round's 整改台账 tells them on ``today``; a 复查轮次
    not begun by then follows nothing up yet: its copies' originals are counted where they are
    (counted in both, the banner's 逾期 doubled: numbers review)."""
    from app.domain.records import STATUS_OVERDUE, UNFINISHED_STATUSES
    from app.services.rectifications import list_rectifications
    from app.services.reminders import DUE_SOON_DAYS

    overdue = due = 0
    late_in = soon_in = None
    for record in store.rounds():
        begun = dt.date.fromisoformat(record.started_on) <= today
        for entry in list_rectifications(store, record.id, today):
            if entry.carried and not begun:
                continue
            deadline = entry.rectification.deadline
            if entry.status == STATUS_OVERDUE:
                overdue += 1
                late_in = late_in or record.id
            elif entry.status in UNFINISHED_STATUSES and deadline and 0 <= (deadline - today).days <= DUE_SOON_DAYS:
                due += 1
                soon_in = soon_in or record.id
    return overdue, due, late_in or soon_in


def test_the_reminders_agree_with_the_ledgers_without_reading_an_answer(store, demo_round, catalog, actor):
    """On the days around a 复查轮次 (before it began, the day it did, later) the banner counts
    what the rounds' 整改台账 show, the carried-over ones once. It reads the rectifications only:
    with two years of rounds, scoring each one (its answers, samples and checklists) to count
    them froze the window for half a second after every change to a rectification."""
    from tests.helpers import start_recheck_of_demo

    second = start_recheck_of_demo(store, catalog, actor, demo_round)
    assert store.rectifications_carried_from(demo_round), "the re-check carried rectifications over"
    for day in ("2025-05-10", "2025-06-14", "2025-06-15", "2025-07-25", "2025-09-30"):
        today = dt.date.fromisoformat(day)
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        try:
            found = reminders(store, today)
        finally:
            store.conn.set_trace_callback(None)
        read = {t for s in statements for t in ("answers", "samples", "round_checklists") if f"FROM {t}" in s}
        assert not read, f"the reminders read {read}"
        assert (found.overdue, found.due_soon, found.round_id) == _from_the_ledgers(store, today), day
    assert reminders(store, dt.date(2025, 9, 30)).round_id == second


def test_the_banner_opens_the_round_with_the_late_work_and_says_where_it_is(store, demo_round, catalog, actor):
    """A 复查 round with 9 late rectifications and a newer monthly round whose one item is due
    soon: “查看整改台账” opened the newer round, 共 1 项, 逾期 0, and nothing said where the 9 were."""
    from app.services.answers import record_answer
    from app.services.rectifications import list_rectifications, update_rectification
    from app.services.rounds import start_round

    today = dt.date(2025, 6, 30)
    late = sum(1 for e in list_rectifications(store, demo_round, today) if e.status == "逾期")
    newer = start_round(store, catalog.entries[:1], "2025年6月自查", dt.date(2025, 6, 20), actor)
    record_answer(store, newer, "qyx-core.01.1", actor, grade="D", finding="未执行")
    [entry] = list_rectifications(store, newer, today)
    update_rectification(store, entry.id, actor, deadline="2025-07-03")
    found = reminders(store, today)
    assert found.round_id == demo_round
    assert found.messages[0] == f"{late} 项整改已逾期（《2025年第一季度医疗质量自查》）"
    assert found.messages[1] == "1 项整改将在 7 天内到期（《2025年6月自查》）"
    record_answer(store, newer, "qyx-core.02.1", actor, grade="D", finding="未执行")
    late_here = next(e for e in list_rectifications(store, newer, today) if e.item_ids == ("qyx-core.02.1",))
    update_rectification(store, late_here.id, actor, deadline="2025-06-25")
    assert reminders(store, today).messages[0] == (
        f"{late + 1} 项整改已逾期（《2025年6月自查》1 项、《2025年第一季度医疗质量自查》{late} 项）"
    )
    assert reminders(store, today).round_id == newer  # the newest round with late work


def test_nothing_to_say_for_an_empty_database(profiled_store):
    assert reminders(profiled_store, dt.date(2025, 6, 30)).messages == []


def test_banner_is_shown_and_dismissed(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.restore_position()
    window.show_reminders(dt.date(2025, 6, 30))
    assert window.banner is not None
    qtbot.waitUntil(window.banner.isVisible)
    import os

    if os.environ.get("MQSC_SCREENSHOTS"):
        window.resize(1366, 768)
        window.grab().save(os.path.join(os.environ["MQSC_SCREENSHOTS"], "reminders.png"))
    assert "项整改已逾期" in window.banner_label.text()
    window._open_board_of(demo_round)
    assert window.round_tabs.currentIndex() == 1
    window.dismiss_reminders()
    assert not window.banner.isVisible()


def _overdue(text: str) -> int:
    import re

    found = re.search(r"(\d+) 项整改已逾期", text)
    return int(found.group(1)) if found else 0


def test_banner_recounts_when_the_user_deals_with_an_overdue_item(qtbot, store, demo_round, catalog, actor):
    """Moving a deadline on the board (or passing a re-check) counts at once; the banner does not
    keep telling of work that is done. Today's date: every demo deadline of 2025 is past."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.restore_position()
    window.open_round(demo_round)
    window.show_reminders()
    before = _overdue(window.banner_label.text())
    assert before >= 2
    session = window.session
    late = [r for r in session.rectifications() if r.status == "逾期"]
    session.update_rectification(late[0].rectification.id, deadline=dt.date.today() + dt.timedelta(days=365))
    qtbot.waitUntil(lambda: _overdue(window.banner_label.text()) == before - 1, timeout=3000)
    for entry in late[1:]:
        session.update_rectification(entry.rectification.id, deadline=dt.date.today() + dt.timedelta(days=365))
    # nothing overdue any more, none due within a week: only the monthly reminder may be left
    qtbot.waitUntil(lambda: "逾期" not in window.banner_label.text() or window.banner.isHidden(), timeout=3000)


def test_a_dismissed_banner_stays_away(qtbot, store, demo_round, catalog, actor):
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.open_round(demo_round)
    window.show_reminders()
    window.dismiss_reminders()  # 知道了
    late = next(r for r in window.session.rectifications() if r.status == "逾期")
    window.session.update_rectification(late.rectification.id, deadline=dt.date.today() + dt.timedelta(days=365))
    qtbot.wait(500)
    assert window.banner.isHidden()


def test_after_an_import_the_banner_appears_for_the_packages_overdue_work(qtbot, store, demo_round, catalog, actor):
    """A window that had nothing to remind of is told after an import (import_package's done calls
    refresh_reminders(appear=True)); a plain recount never makes a banner appear mid-work."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.show_reminders(dt.date(2025, 3, 20))  # the demo round's month, before any deadline
    assert window.banner is None
    window.refresh_reminders(dt.date(2025, 6, 30))
    assert window.banner is None
    window.refresh_reminders(dt.date(2025, 6, 30), appear=True)
    assert window.banner is not None and "项整改已逾期" in window.banner_label.text()

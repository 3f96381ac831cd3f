"""修改记录: every change appended, chained by hash, shown per item, carried through a merge."""

from __future__ import annotations

import re
import sqlite3

from app.services.answers import SampleInput, record_answer, set_samples
from app.services.history import item_history
from app.services.session import RoundSession
from app.ui.history_dialog import HistoryDialog


def test_each_change_is_recorded_with_old_and_new_values(store, demo_round, actor):
    item = "qyx-core.01.1"
    before = len(store.history(item_id=item))
    record_answer(store, demo_round, item, actor, grade="D", finding="未见培训记录")
    record_answer(store, demo_round, item, actor, finding="未见培训记录")  # the same text again: no change
    record_answer(store, demo_round, item, actor, grade="B")
    entries = store.history(round_id=demo_round, item_id=item)
    answer_entries = [e for e in entries if e.record_table == "answers"][-2:]
    assert len(store.history(item_id=item)) > before
    assert answer_entries[-1].changes["grade"][1] == "B"
    assert answer_entries[-2].changes["finding"][1] == "未见培训记录"
    assert all(e.author == actor.author and e.device_id == actor.device_id for e in answer_entries)
    lines = item_history(store, demo_round, item)
    assert lines[0].what == "自查结果" and lines[0].action == "修改"
    assert any("等级：D → B" in c for c in lines[0].changes)
    assert any(line.what == "整改项" for line in lines), "the D opened a rectification, recorded too"


def test_sampled_records_are_recorded_as_counts(store, demo_round, actor):
    item = next(r.item_id for r in store.samples(demo_round))
    set_samples(store, demo_round, item, [SampleInput("A1", True), SampleInput("A2", False, "缺签字")], actor)
    line = next(line for line in item_history(store, demo_round, item) if line.what == "抽查记录")
    assert "→ 2 份，不符合 1 份" in line.changes[0]


def test_an_entry_edited_outside_the_program_breaks_the_chain_there(store, demo_round, db_path):
    assert store.verify_history().ok
    count = store.verify_history().entries
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE history SET author = '某人' WHERE seq = 5")
    check = store.verify_history()
    assert not check.ok and check.broken_at == 5 and "改动" in check.reason
    with conn:
        conn.execute("UPDATE history SET author = (SELECT author FROM history WHERE seq = 4) WHERE seq = 5")
        conn.execute("DELETE FROM history WHERE seq = 7")
    check = store.verify_history()
    assert not check.ok and check.broken_at == 7 and "不相连" in check.reason
    assert count > 7


def test_history_dialog_lists_the_items_changes(qtbot, store, demo_round, actor):
    record_answer(store, demo_round, "qyx-core.02.1", actor, grade="C", finding="部分科室未执行")
    dialog = HistoryDialog(RoundSession(store, actor, demo_round), "qyx-core.02.1", "核心制度 第1条")
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() >= 1
    assert "问题描述" in dialog.table.item(0, 5).text() and dialog.table.item(0, 1).text() == actor.author


def test_the_item_panel_and_the_board_open_the_history(
    qtbot, store, demo_round, catalog, actor, ui_dialogs, monkeypatch
):
    from app.ui import history_dialog
    from app.ui.main_window import MainWindow

    shown = []
    monkeypatch.setattr(history_dialog.HistoryDialog, "exec", lambda self: shown.append(self) or 0)
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.show()
    window.open_round(demo_round)
    window.walkthrough.go_to("qyx-core.01.1")
    window.walkthrough.panel.history_button.click()
    assert shown and shown[-1].table.rowCount() >= 1
    window.show_tab(1)
    window.board.table.selectRow(0)
    window.board.history_button.click()
    assert len(shown) == 2 and shown[-1].table.rowCount() >= 1


def test_history_rows_are_as_high_as_their_text(qtbot, store, demo_round, actor):
    """The rows were measured before the dialog had its size, with 内容 still narrow: shown, they
    stood a line or more taller than their text, and fewer of them fitted."""
    from app.ui.qt import QApplication

    dialog = HistoryDialog(RoundSession(store, actor, demo_round), "qyx-core.01.1", "核心制度 首诊负责制度 第1条")
    qtbot.addWidget(dialog)
    dialog.show()
    QApplication.processEvents()
    table = dialog.table
    from app.ui.qt import Qt

    metrics = table.fontMetrics()
    line = metrics.size(0, "中").height()  # as high as the fallback font sets Chinese text
    for row in range(table.rowCount()):
        text = table.item(row, 5).text()  # 内容, the column that wraps
        need = metrics.boundingRect(0, 0, table.columnWidth(5) - 8, 10_000, Qt.TextFlag.TextWordWrap, text).height()
        assert need <= table.rowHeight(row) < need + line // 2, (row, table.rowHeight(row), need)  # no blank line


def test_history_of_a_merged_round_tells_who_changed_what(tmp_path, catalog):
    """The department trial: 质控办 graded an item C, every department imported the round, 外科
    corrected the grade to B. Each department's package carried its PC's import of the round
    (``等级：未填 → C`` by 内科), and the import's own entry came before the changes it brought."""
    from app.exchange.merge import apply_import, plan_import
    from app.exchange.verify import open_package
    from tests.test_exchange import Departments

    d = Departments(tmp_path, catalog)
    d.answer(d.office, d.office_actor, d.SHARED, grade="C", finding="记录不全")
    start = d.export(d.office, "graded")
    for db, actor in ((d.a, d.a_actor), (d.b, d.b_actor)):
        apply_import(db, plan_import(db, open_package(start)), actor)
    d.answer(d.b, d.b_actor, d.SHARED, grade="B", finding="")
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    d.office_import(d.export(d.a, "a"))
    d.office_import(d.export(d.b, "b"))
    lines = RoundSession(d.office, d.office_actor, d.round_id).history(d.SHARED)
    answers = [(line.author, line.action, line.changes) for line in lines if line.what == "自查结果"]
    assert [(author, action) for author, action, _ in answers] == [
        ("质控办", "导入合并"),  # arrived here last
        ("外科", "修改"),
        ("质控办", "新建"),
    ]
    assert "等级：C → B" in answers[1][2]
    # the department's own PC lists its import of the round: the record's arrival there
    own = RoundSession(d.b, d.b_actor, d.round_id).history(d.SHARED)
    assert [(line.author, line.action) for line in own if line.what == "自查结果"][-2:] == [
        ("外科", "导入合并"),
        ("质控办", "新建"),
    ]


def test_a_conflict_settled_for_the_package_on_another_pc_is_listed(tmp_path, catalog):
    """质控办 settled 内科's B against 外科's D for 外科's (the package's) value. 内科's PC then
    listed its own import of the office's round, B → D, and the two answers, but not that a
    conflict had been settled there, nor who settled it, as it does for a conflict settled for
    the local value."""
    from app.exchange.merge import apply_import, plan_import
    from app.exchange.verify import open_package
    from tests.test_exchange import Departments

    d = Departments(tmp_path, catalog)
    d.answer(d.a, d.a_actor, d.SHARED, grade="B", finding="内科：部分落实")
    d.answer(d.b, d.b_actor, d.SHARED, grade="D", finding="外科：未落实")
    d.office_import(d.export(d.a, "a"))
    d.office_import(d.export(d.b, "b"), "all-package")
    apply_import(d.a, plan_import(d.a, open_package(d.export(d.office, "office"))), d.a_actor)
    lines = RoundSession(d.a, d.a_actor, d.round_id).history(d.SHARED)
    answers = [(line.author, line.action, line.changes) for line in lines if line.what == "自查结果"]
    assert [(author, changes[:1]) for author, _, changes in answers] == [
        ("内科", ("问题描述：内科：部分落实 → 外科：未落实",)),  # the import here
        ("质控办", ("冲突处理：采用上报包的值",)),
        ("外科", ("问题描述：未填 → 外科：未落实",)),
        ("内科", ("问题描述：未填 → 内科：部分落实",)),
    ]


def test_database_check_says_a_broken_history_as_what_it_is(store, demo_round, db_path, tmp_path):
    """帮助 → 数据库检查 told a history edited outside the program as 有的设置与程序的要求不同
    (diff review), and the newest backup by its ISO time and whole path."""
    from app.services import backups as backup_service

    backup_service.backup_now(store, "manual")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE history SET author = '某人' WHERE seq = 5")
    verdict, backup = backup_service.check(db_path, backup_service.folder(store)).plain_lines()
    assert verdict.startswith("数据可以继续使用，但修改记录不完整：") and "改动" in verdict
    assert re.fullmatch(r"最近的备份：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d（[^/\\]+\.db）", backup)

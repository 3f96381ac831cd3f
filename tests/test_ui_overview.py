"""概览: charts of the open round and its trend; a click on a bar filters the walkthrough or the board."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from app.services.answers import record_answer
from app.services.overview import build_overview
from app.services.rounds import start_round
from app.ui.main_window import MainWindow


def copy_round(store, source, catalog, actor, name="2025年第二季度医疗质量自查", day=dt.date(2025, 6, 15)):
    """A later round of the demo hospital with the answers of ``source``, half its D grades fixed."""
    entries = [e for e in catalog.entries if e.checklist.default]
    round_id = start_round(store, entries, name, day, actor, previous_round_id=source)
    for n, row in enumerate(store.answers(source)):
        values = {k: getattr(row, k) for k in ("grade", "numerator", "denominator", "value", "baseline")}
        fields = {k: v for k, v in values.items() if v is not None}
        if fields.get("grade") == "D" and n % 2:
            fields["grade"] = "B"  # half the failures fixed
        if "grade" in fields and fields["grade"] == "NA":
            fields["na_reason"] = row.na_reason
        record_answer(store, round_id, row.item_id, actor, **fields)
    return round_id


@pytest.fixture
def second_round(store, demo_round, catalog, actor):
    """A later round of the demo hospital, partly answered: a trend of two points."""
    return copy_round(store, demo_round, catalog, actor)


def _overview_of(qtbot, store, catalog, actor, round_id, size=(1366, 768)) -> MainWindow:
    """A main window on ``round_id``'s 概览 tab."""
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.open_round(round_id)
    window.show_tab(2)
    return window


def test_result_bars_add_up_to_the_failing_count_shown_everywhere(store, demo_round):
    """评价结果分布 counts the indicator and sampling items too: its failing bars (D, 未达标) add up
    to the 不符合 of the header and the report, and every applicable item is in one bar."""
    from app.services.rounds import score

    o = build_overview(store, demo_round, dt.date(2025, 6, 30))
    total = score(store, demo_round).tally
    by_label = {b.label: b.value for b in o.grades}
    assert by_label["指标、抽查未达标"] >= 1 and by_label["指标、抽查达标"] >= 1
    failing = sum(b.value for b in o.grades if b.target == ("mode", "failing"))
    assert failing == total.failing
    assert sum(b.value for b in o.grades) == total.total


def test_the_page_keys_its_colours_and_names_its_fractions(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    """“核心制度 57.7%（57/69）” read as the score's own fraction, and nothing said what the
    bars' colours meant (GUI review 1, 13)."""
    from app.render.charts import TONE_KEY

    window = _overview_of(qtbot, store, catalog, actor, demo_round)
    page = window._overview
    qtbot.waitUntil(page._key.isVisible)
    assert page._key.text() == TONE_KEY
    assert page._key.geometry().top() < min(c.geometry().top() for c in page.charts)  # above the charts
    t = next(c for c in page.overview.checklists if c.label == "核心制度")
    assert t.text.endswith("（已评 57/69）"), t.text


def test_overview_numbers_and_trend(store, demo_round, second_round):
    first = build_overview(store, demo_round, dt.date(2025, 6, 30))
    assert first.score_trend is None, "no earlier round: no trend"
    assert first.later_rounds == ["2025年第二季度医疗质量自查"]
    o = build_overview(store, second_round, dt.date(2025, 6, 30))
    assert o.rounds == ["2025年第一季度医疗质量自查", "2025年第二季度医疗质量自查"]
    failing = o.failing_trend.series["不符合"]
    assert failing[1] < failing[0]
    assert any(len([v for v in t.series["指标值"] if v is not None]) == 2 for t in o.indicator_trends)
    assert {b.label for b in o.checklists} == {"核心制度", "改进目标"} or len(o.checklists) == 2


def test_overview_tab_and_bar_clicks(qtbot, store, demo_round, second_round, catalog, actor, ui_dialogs):
    window = _overview_of(qtbot, store, catalog, actor, second_round)
    page = window.overview
    assert len(page.charts) >= 6
    qtbot.waitUntil(lambda: page.charts[0].isVisible())
    shots = os.environ.get("MQSC_SCREENSHOTS")
    if shots:
        window.grab().save(str(Path(shots) / "overview.png"))
        page.scroll_area.widget().grab().save(str(Path(shots) / "overview-all.png"))
        bar = page.scroll_area.verticalScrollBar()
        bar.setValue(page.trend_note.y() - 40)  # the trend: its heading at the top
        qtbot.waitUntil(lambda: bar.value() > 0)
        window.grab().save(str(Path(shots) / "overview-trend.png"))
        bar.setValue(0)
    grades = page.charts[1]
    failing_row = next(n for n, b in enumerate(grades.bars) if b.target == ("mode", "failing"))
    page.filter_requested.emit(*grades.bars[failing_row].target)
    assert window.round_tabs.currentIndex() == 0
    assert window.walkthrough.filter_mode.currentData() == "failing"
    assert grades.bar_at(grades._top + failing_row * 19 + 5) is grades.bars[failing_row]
    section = page.charts[2].bars[0]
    page.filter_requested.emit(*section.target)
    walk = window.walkthrough
    assert walk.scope == section.target[1] and walk.search.text() == ""  # no internal id typed for the user
    assert walk.scope_label.isVisible() and "qyx-" not in walk.scope_label.text()
    shown = list(walk.tree.visible_item_ids())
    assert shown and all(i.startswith(section.target[1] + ".") for i in shown)
    walk.scope_clear.click()
    assert len(list(walk.tree.visible_item_ids())) > len(shown) and not walk.scope_label.isVisible()
    window.show_tab(2)
    departments = next(c for c in page.charts if c.bars and c.bars[0].target and c.bars[0].target[0] == "department")
    page.filter_requested.emit(*departments.bars[0].target)
    assert window.round_tabs.currentIndex() == 1
    assert window.board.department.currentData() == departments.bars[0].label


def test_the_first_rounds_overview_points_to_the_later_rounds(qtbot, store, demo_round, catalog, actor, ui_dialogs):
    """The 概览 of the first round said “本院只有这一轮自查” while a second round existed."""
    window = _overview_of(qtbot, store, catalog, actor, demo_round)
    assert (
        window.overview.trend_note.text()
        == "本院只有这一轮自查：开展复查或下一轮自查后，这里显示各轮得分、不符合条目和指标的变化趋势。"
    )
    second = copy_round(store, demo_round, catalog, actor)
    third = copy_round(store, demo_round, catalog, actor, "2025年第三季度医疗质量自查", dt.date(2025, 9, 15))
    window.open_round(demo_round)
    window.show_tab(2)
    assert window.overview.trend_note.text() == (
        "本轮之前没有自查可比较。本轮之后另有 2 轮自查，不在此比较；"
        "打开最近一轮（2025年第三季度医疗质量自查）的概览，可看到包括本轮在内的变化趋势。"
    )
    window.open_round(second)  # a trend up to it, and the round after it named
    window.show_tab(2)
    assert window.overview.trend_note.text().endswith(
        "\n本轮之后另有 1 轮自查，不在此比较；"
        "打开最近一轮（2025年第三季度医疗质量自查）的概览，可看到包括本轮在内的变化趋势。"
    )
    window.open_round(third)
    window.show_tab(2)
    assert "本轮之后" not in window.overview.trend_note.text()


@pytest.mark.parametrize(("width", "columns"), [(1024, 1), (1280, 2), (1366, 2)])
def test_charts_stand_side_by_side_only_where_both_fit(
    qtbot, store, demo_round, second_round, catalog, actor, ui_dialogs, width, columns
):
    """Two columns of 600 px charts in a 1024 px window cut the right-hand ones (评价结果分布 and
    the others beside): they stand one under the other there, side by side where there is room."""
    window = _overview_of(qtbot, store, catalog, actor, second_round, (width, 660))
    page = window.overview
    qtbot.waitUntil(lambda: page.charts[-1].isVisible())
    viewport = page.scroll_area.viewport()
    for chart in page.charts:
        assert chart.mapTo(viewport, chart.rect().topRight()).x() < viewport.width()
    assert not page.scroll_area.horizontalScrollBar().isVisible()
    assert len({chart.x() for chart in page.charts}) == columns


@pytest.mark.slow  # ≈8 s: a second round and the PDF
def test_self_report_has_a_trend_section_once_there_are_earlier_rounds(store, demo_round, second_round, tmp_path):
    from pypdf import PdfReader

    from app.render import render_report

    texts = {}
    for name, round_id in (("first", demo_round), ("second", second_round)):
        out = render_report(store, round_id, "self", tmp_path / f"{name}.pdf", today=dt.date(2025, 6, 30)).path
        texts[name] = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "历次自查趋势" not in texts["first"]
    assert "历次自查趋势" in texts["second"] and "不符合条目数" in texts["second"]
    second = "".join(texts["second"].split())
    rounds = "2025年第一季度医疗质量自查（2025年3月15日）、2025年第二季度医疗质量自查（本轮，2025年6月15日）"
    assert f"本院各轮自查按自查日期先后比较如下：{rounds}。" in second
    assert "此前" not in second  # the rounds compared include this one
    assert "单位：%" in second and "单位：条" in second and "单位：例次/千导管日" in second  # value axes
    assert "项指标限于篇幅未绘趋势图" in second and "医疗质量安全不良事件报告率（例次/百出院人次）" in second


def test_indicators_beyond_the_trend_charts_are_listed_with_their_values(store, demo_round, second_round):
    from app.render.model import MAX_INDICATOR_TRENDS, build_self_report

    o = build_overview(store, second_round, dt.date(2025, 6, 30))
    report = build_self_report(store, second_round, dt.date(2025, 6, 30), "serif")
    assert len(o.indicator_trends) > MAX_INDICATOR_TRENDS, "the demo has more indicators than charts"
    assert len(report.trend_charts) == 2 + MAX_INDICATOR_TRENDS
    left_out = o.indicator_trends[MAX_INDICATOR_TRENDS:]
    assert [row.name for row in report.trend_rest] == [f"{t.title}（{t.unit}）" for t in left_out]
    for row, trend in zip(report.trend_rest, left_out, strict=True):
        shown = [float(v) if v != "—" else None for v, _ in row.values]
        assert shown == pytest.approx(trend.series["指标值"], abs=0.05)  # to 0.1 or 0.01 (formats.measure_decimals)
        assert row.target == (trend.target_text or "—")
    assert report.trend_years == [(2025, 2)] and report.trend_days == [("3月", "15日"), ("6月", "15日")]
    assert report.trend_intro == (
        "本院各轮自查按自查日期先后比较如下：2025年第一季度医疗质量自查（2025年3月15日）、"
        "2025年第二季度医疗质量自查（本轮，2025年6月15日）。"
    )
    assert report.trend_left_out == ""  # every round is drawn


@pytest.fixture
def fourteen_rounds(store, demo_round, catalog, actor):
    """The demo hospital's 14 rounds, a fortnight apart, from the demo's of 2025-03-15 on: two
    more than a trend draws (build_overview's max_trends)."""
    entries = [e for e in catalog.entries if e.checklist.default]
    ids = [demo_round]
    for n in range(2, 15):
        day = dt.date(2025, 4, 1) + dt.timedelta(days=14 * (n - 2))
        ids.append(start_round(store, entries, f"第{n}轮自查", day, actor))
        record_answer(store, ids[-1], "qyx-core.01.1", actor, grade="ABCD"[n % 4])
        record_answer(store, ids[-1], "qyx-targets-2021.2.4.rate", actor, numerator=n, denominator=2000)
    return ids


#: what the trend of the 14th round leaves out, and the rounds it draws
LEFT_OUT = "另有 2 轮较早的自查未绘入趋势图：2025年第一季度医疗质量自查（2025年3月15日）、第2轮自查（2025年4月1日）。"
DRAWN = "本院最近 12 轮自查按自查日期先后比较如下：第3轮自查（2025年4月15日）、第4轮自查（2025年4月29日）、"


def test_rounds_beyond_the_trend_window_are_named_on_the_overview(
    qtbot, store, fourteen_rounds, catalog, actor, ui_dialogs
):
    window = _overview_of(qtbot, store, catalog, actor, fourteen_rounds[-1])
    page = window.overview
    qtbot.waitUntil(lambda: page.charts[0].isVisible())
    assert page.overview.rounds == [f"第{n}轮自查" for n in range(3, 15)]  # what the charts draw
    note = page.trend_note
    assert note.text().startswith(DRAWN) and note.text().endswith(LEFT_OUT)
    assert "第14轮自查（本轮，2025年9月16日）。\n另有" in note.text()  # a line of its own
    page.scroll_area.ensureWidgetVisible(note)
    qtbot.waitUntil(note.isVisible)
    assert note.wordWrap() and note.width() <= page.scroll_area.viewport().width()
    shots = os.environ.get("MQSC_SCREENSHOTS")
    if shots:
        window.grab().save(str(Path(shots) / "overview-14-rounds.png"))


def test_the_rounds_beyond_the_trend_window_are_named_without_being_opened(store, fourteen_rounds):
    """The trend draws 12 rounds: the earlier ones are named from their records, and neither
    their checklists nor their answers are read (two years of monthly rounds opened every round
    of the database to draw 12 of them)."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        o = build_overview(store, fourteen_rounds[-1], dt.date(2025, 10, 8))
    finally:
        store.conn.set_trace_callback(None)
    assert [name for name, _ in o.earlier_rounds] == ["2025年第一季度医疗质量自查", "第2轮自查"]
    opened = [s for s in statements if "FROM round_checklists" in s or "FROM answers" in s]
    for round_id in fourteen_rounds[:2]:
        assert not [s for s in opened if round_id in s], "a round the trend leaves out was read"
    for round_id in fourteen_rounds[2:]:
        assert [s for s in opened if round_id in s]


@pytest.mark.slow  # ≈6 s: the PDF
def test_the_report_says_which_rounds_its_trend_leaves_out(store, fourteen_rounds, tmp_path):
    """The sentence over the charts lists the rounds they draw, then those they leave out."""
    from pypdf import PdfReader

    from app.render import render_report

    out = render_report(store, fourteen_rounds[-1], "self", tmp_path / "self.pdf", today=dt.date(2025, 10, 8)).path
    text = "".join("".join(page.extract_text() for page in PdfReader(out).pages).split())
    squeezed = "".join((DRAWN + LEFT_OUT).split())
    start = text.index(squeezed[: squeezed.index("：") + 1])
    intro = text[start : text.index("。另有", start) + 1]
    assert intro.startswith("".join(DRAWN.split()))
    assert intro.count("轮自查（") == 12 and "第2轮自查" not in intro and "第一季度" not in intro
    assert "第14轮自查（本轮，2025年9月16日）" in intro
    assert "".join(LEFT_OUT.split()) in text


def test_the_charts_grow_with_the_text_and_their_bars_are_still_found(qtbot, store, demo_round):
    """At Windows' 125 % text size the charts' labels stayed at the 12 px they are drawn with,
    smaller than the tabs and menus around them (review, scaling 1). A chart grows with the text,
    and a click or a key still finds the bar it is on."""
    from app.render.charts import Bar, bar_chart
    from app.ui.overview_page import ChartWidget
    from app.ui.qt import QApplication

    bars = build_overview(store, demo_round, dt.date(2025, 6, 30)).grades
    svg = str(
        bar_chart([Bar(b.label, b.value, b.text, b.tone) for b in bars], maximum=100, font_family="", title="分布")
    )
    app = QApplication.instance()
    normal, bigger = app.font(), app.font()
    bigger.setPointSizeF(normal.pointSizeF() * 1.25)
    plain = ChartWidget(svg, bars)
    app.setFont(bigger)
    try:
        grown = ChartWidget(svg, bars)
    finally:
        app.setFont(normal)
    qtbot.addWidget(plain)
    qtbot.addWidget(grown)
    assert (grown.width(), grown.height()) == (round(plain.width() * 1.25), round(plain.height() * 1.25))
    last = len(bars) - 1
    y = grown._row_rect(last).center().y()
    assert grown.bar_at(y) is bars[last] and plain.bar_at(y) is not bars[last]


def test_the_trend_reads_an_earlier_round_again_only_once_it_has_changed(store, fourteen_rounds, actor):
    """概览 scored the 11 earlier rounds of its trend again on every redraw, whatever had changed
    (0.24–0.31 s on two years of rounds, at each return to the tab after an edit; review, scale).
    The session keeps them until their records change."""
    from app.services.session import RoundSession

    session = RoundSession(store, actor, fourteen_rounds[-1], today=lambda: dt.date(2025, 10, 8))
    statements: list[str] = []

    def earlier_read() -> set[str]:
        read = [s for s in statements if "FROM answers" in s]
        return {r for r in fourteen_rounds[:-1] if any(r in s for s in read)}

    store.conn.set_trace_callback(statements.append)
    try:
        first = session.overview()
        assert earlier_read() == set(fourteen_rounds[2:-1])
        statements.clear()
        session.set_answer("qyx-core.02.1", {"grade": "D"})  # an edit of this round
        again = session.overview()
        assert earlier_read() == set()
        statements.clear()
        record_answer(store, fourteen_rounds[4], "qyx-core.01.1", actor, grade="D")  # e.g. an import
        changed = session.overview()
        assert earlier_read() == {fourteen_rounds[4]}
    finally:
        store.conn.set_trace_callback(None)
    # what the trend shows of round 5 (the third drawn) is what it now holds: B there, now D
    before, after = again.failing_trend.series["不符合"], changed.failing_trend.series["不符合"]
    assert after[2] == before[2] + 1 and after[:2] + after[3:] == before[:2] + before[3:]
    assert first.failing_trend.series["不符合"][:-1] == before[:-1]

"""历次自查趋势 after a year of monthly self-checks: twelve rounds, 核心制度 assessed in every
fourth of them only. The score trend draws it as one line, every value in the section is
legible, and the indicators without a chart of their own are a table with a column per round,
each value short of that round's target marked as the report marks failures elsewhere. Read
from the model, the HTML and the PDF itself (pdftotext's word boxes)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from app.domain.outcome import NOT_MET
from app.render import build_html, render_report
from app.render.charts import trend_chart
from app.render.model import MAX_INDICATOR_TRENDS, build_self_report
from app.services.answers import record_answer
from app.services.overview import build_overview
from app.services.rounds import load_round, score, set_round_final, start_round
from tests.test_trend_charts import NS, assert_readable, table_rows

TODAY = dt.date(2026, 3, 1)


def month(n: int) -> dt.date:
    """The n-th month after the demo round's (2025-03-15)."""
    return dt.date(2025 + (2 + n) // 12, (2 + n) % 12 + 1, 15)


@pytest.fixture
def year_of_rounds(store, demo_round, catalog, actor):
    """The demo round and eleven monthly rounds after it: 改进目标 in each, 核心制度 in every
    fourth and the last; the demo's answers, the indicators' counts a little different each month."""
    answers = store.answers(demo_round)
    ids = [demo_round]
    for n in range(1, 12):
        both = n % 4 == 0 or n == 11
        entries = (
            [catalog.get("qyx-core"), catalog.get("qyx-targets-2021")] if both else [catalog.get("qyx-targets-2021")]
        )
        ids.append(start_round(store, entries, f"{month(n).year}年{month(n).month}月医疗质量自查", month(n), actor))
        view = load_round(store, ids[-1])
        items = {item.id for item in view.items()}
        for row in answers:
            if row.item_id in items:
                record_answer(store, ids[-1], row.item_id, actor, view=view, **_moved(row, n))
    return ids


def _moved(row, n: int) -> dict:
    """An answer's fields as the demo has them, a count down by up to four tenths with the month
    (below the baseline of an indicator to raise: not met)."""
    fields = {k: getattr(row, k) for k in ("grade", "numerator", "denominator", "value", "baseline", "na_reason")}
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    if fields.get("numerator") is not None and fields.get("denominator"):
        moved = round(fields["numerator"] * (0.6 + 0.1 * ((n * 7) % 5)))
        fields["numerator"] = min(moved, fields["denominator"])
    return fields


def test_a_checklist_assessed_every_fourth_month_is_one_line(store, year_of_rounds):
    o = build_overview(store, year_of_rounds[-1], TODAY)
    core = o.score_trend.series["核心制度"]
    assert [n for n, v in enumerate(core) if v is not None] == [0, 4, 8, 11]
    svg = trend_chart(o.rounds, o.score_trend, font_family="A", dates=o.round_dates, maximum=100, height_mm=55)
    root = ET.fromstring(str(svg))
    joined = [ln for ln in root.iter(NS + "line") if ln.get("stroke-opacity")]
    assert len(joined) == 3 + 1  # 一 → 五 → 九 → 十二 across the months without it, and the legend's key
    assert_readable(svg)
    rows = table_rows(svg)
    values = {name: [v for v in row if v != "—"] for name, row in rows.items()} if rows else {}
    assert not rows or (len(values["核心制度"]) == 4 and len(values["改进目标"]) == 12)


def test_failing_counts_of_rounds_over_other_checklists_are_given_out_of_their_items(
    store, year_of_rounds, catalog, actor, tmp_path
):
    """Rounds over two checklists between rounds over one: 不符合条目数 read as a collapse and a
    relapse (review of the printed reports). The note gives each round's count out of its items."""
    o = build_overview(store, year_of_rounds[-1], TODAY)
    results = [score(store, round_id) for round_id in year_of_rounds]
    assert o.applicable == [r.tally.applicable for r in results] and len(set(o.applicable)) == 2
    note = o.failing_note()
    first, last = results[0].tally, results[-1].tally
    assert note.startswith("各轮所选检查表不同") and f"{first.failing}/{first.applicable}" in note
    assert note.endswith(f"{o.rounds[-1]} {last.failing}/{last.applicable}。")
    # rounds over the same checklists: nothing is said, though items graded 不适用 or a changed
    # profile make their applicable items differ (the sentence said the checklists differed)
    from app.services.demo import create_demo
    from app.store import open_store
    from tests.helpers import start_recheck_of_demo

    other = open_store(tmp_path / "two.db")
    recheck = start_recheck_of_demo(other, catalog, actor, create_demo(other, catalog, actor))
    record_answer(other, recheck, "qyx-core.01.1", actor, grade="NA", na_reason="本院不开展")
    pair = build_overview(other, recheck, TODAY)
    assert len(set(pair.applicable)) == 2 and len(set(pair.checklist_ids)) == 1
    assert pair.failing_note() == ""


def _expected_failures(store, ids: list[str], view) -> dict[str, list[bool]]:
    """Per indicator of the newest round: whether each round found its value short of its target."""
    results = [score(store, round_id).outcomes for round_id in ids]
    labels = {c.id: c.label for c in view.checklists}
    return {
        f"{labels[item.checklist_id]}：{item.text}（{item.unit}）": [
            item.id in outcomes and outcomes[item.id].state == NOT_MET for outcomes in results
        ]
        for item in view.items()
    }


def test_indicators_without_a_chart_are_a_table_of_the_rounds(store, year_of_rounds):
    """A column per round under its date (the year over its months), the target beside the
    indicator, a value short of that round's target in the results' failing style."""
    newest = year_of_rounds[-1]
    report = build_self_report(store, newest, TODAY, "serif")
    assert len(report.trend_charts) == 2 + MAX_INDICATOR_TRENDS and report.trend_rest
    assert report.trend_years == [(2025, 10), (2026, 2)]
    assert report.trend_days[0] == ("3月", "15日") and report.trend_days[-1] == ("2月", "15日")
    expected = _expected_failures(store, year_of_rounds, load_round(store, newest))
    failing = 0
    for row in report.trend_rest:
        assert len(row.values) == 12
        assert [tone == "fail" for _, tone in row.values] == expected[row.name]
        failing += sum(tone == "fail" for _, tone in row.values)
    assert failing, "the demo's indicators include some short of their targets"
    html = build_html(store, newest, "self", TODAY).html
    table = html[html.index('<table class="grid trend-rest">') :]
    table = table[: table.index("</table>")]
    assert (
        table.count('<th class="day">') == 12 and '<th colspan="10"><span class="nobreak">2025</span>年</th>' in table
    )
    assert table.count('<td class="result fail">') == failing


def words(pdf, first: int, last: int) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """pdftotext's words on pages first..last: (page, text, box in points)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    out = []
    for number, page in enumerate(xhtml.split("<page ")[1:], start=first):
        for found in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page
        ):
            out.append((number, found.group(5), tuple(float(v) for v in found.groups()[:4])))
    return out


@pytest.mark.slow  # ≈? s: the PDF
def test_the_trend_section_prints_legibly_within_the_page(store, year_of_rounds, actor, tmp_path):
    """In the PDF, no word of the trend section (the charts' values, dates and tables, the
    indicators' table) runs into another, and none passes the page's right margin."""
    newest = year_of_rounds[-1]
    set_round_final(store, newest, True, actor)  # no watermark over the words
    out = render_report(store, newest, "self", tmp_path / "self.pdf", today=TODAY).path
    pages = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    first = next(n for n, text in enumerate(pages, start=1) if "历次自查趋势" in text)
    last = next(n for n, text in enumerate(pages, start=1) if "三、各检查表自查结果" in text)
    found = words(out, first, last)
    right = (210 - 26) / 25.4 * 72 + 0.5  # A4 less the right margin, in points
    for n, (page, text, box) in enumerate(found):
        assert box[2] <= right, (page, text)
        for other_page, other, other_box in found[n + 1 :]:
            if other_page == page:
                # pdftotext's boxes are the font's whole height: lines a little apart overlap
                ox = min(box[2], other_box[2]) - max(box[0], other_box[0])
                oy = min(box[3], other_box[3]) - max(box[1], other_box[1])
                height = min(box[3] - box[1], other_box[3] - other_box[1])
                assert ox <= 0.3 or oy <= 0.25 * height, (page, text, other)
    table = "".join(pages[first - 1 : last])
    assert "另有" in table and "项指标限于篇幅未绘趋势图" in table
    note = build_overview(store, newest, TODAY).failing_note()
    assert note and note.replace(" ", "") in table.replace("\n", "").replace(" ", "")


def test_a_trend_skips_a_not_applicable_round_and_keeps_the_decimals_that_tell_a_miss(profiled_store, catalog, actor):
    """An indicator marked 不适用 kept the numbers typed before, and the trend drew them (its own
    report said 不适用); 1999/2500 against ≥80% was 79.96% 未达标 in the tables and “80.0” on the
    trend's point and row (numbers review)."""
    from app.render.model import _trend_row

    store, checklist = profiled_store, [catalog.get("hn-7measures-2024")]
    rate, other = "hn-7measures-2024.3.06", "hn-7measures-2024.3.07"
    rounds = [start_round(store, checklist, f"{m}月", dt.date(2025, m, 15), actor) for m in (3, 4, 5)]
    record_answer(store, rounds[0], rate, actor, numerator=1999, denominator=2500)
    record_answer(store, rounds[0], other, actor, numerator=50, denominator=100)
    record_answer(store, rounds[0], other, actor, grade="NA", na_reason="本月未开展")
    for n, round_id in enumerate(rounds[1:], 1):
        record_answer(store, round_id, rate, actor, numerator=1600, denominator=2000)
        record_answer(store, round_id, other, actor, numerator=80 + n, denominator=100)
    overview = build_overview(store, rounds[-1], dt.date(2025, 6, 1))
    missed = next(t for t in overview.indicator_trends if "疼痛评估率" in t.title)
    skipped = next(t for t in overview.indicator_trends if "疼痛评分" in t.title)
    assert skipped.series["指标值"][0] is None and skipped.series["指标值"][1:] == [81.0, 82.0]
    assert missed.not_met[0] and missed.decimals[0] == 2
    row = _trend_row(missed)
    assert row.values[0][0] == "79.96" and row.values[1][0] == "80.0"
    svg = trend_chart(overview.rounds, missed, font_family="Noto Sans CJK SC")
    assert "79.96" in svg

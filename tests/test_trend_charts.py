"""Trend charts (app/render/charts.py): every point carries its value, written as the rest of the
program writes it, and no value overprints another value, a point or the target's label, also
where several series run close together. Read from the SVG itself, as the screen and the PDF
draw it."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.domain.formats import number_text
from app.render.charts import Line, _text_width, line_chart, trend_chart
from app.services.overview import Trend, build_overview
from app.services.rounds import score

NS = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]


def labels(svg: str) -> list[tuple[str, float, float, Box, str]]:
    """Texts drawn on a ground (the points' values and the target's label): (text, x, baseline,
    ground, colour)."""
    children = list(ET.fromstring(str(svg)))
    out = []
    for ground, text in itertools.pairwise(children):
        if ground.tag == NS + "rect" and text.tag == NS + "text":
            x, y, w, h = (float(ground.get(k)) for k in ("x", "y", "width", "height"))
            out.append(
                (text.text or "", float(text.get("x")), float(text.get("y")), (x, y, x + w, y + h), text.get("fill"))
            )
    return out


def points(svg: str) -> list[tuple[float, float, str]]:
    return [
        (float(c.get("cx")), float(c.get("cy")), c.get("fill")) for c in ET.fromstring(str(svg)).iter(NS + "circle")
    ]


def overlap(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def assert_legible(svg: str) -> None:
    """No ground covers another, or a point; each stays inside the chart."""
    drawn = labels(svg)
    width, height = (float(v) for v in ET.fromstring(str(svg)).get("viewBox").split()[2:])
    for n, (text, _, _, box, _) in enumerate(drawn):
        assert box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height, text
        for other in drawn[n + 1 :]:
            assert not overlap(box, other[3]), (text, other[0])
        for px, py, _ in points(svg):
            assert not (box[0] - 2.6 < px < box[2] + 2.6 and box[1] - 2.6 < py < box[3] + 2.6), (text, px, py)


def test_every_point_carries_its_value_in_the_decimals_of_its_unit():
    rate = Trend(
        "血管内导管相关血流感染发生率", {"指标值": [2.3255, None, 2.7]}, 2.5, "例次/千导管日", True, "≤2.5例次/千导管日"
    )
    svg = trend_chart(["一季度", "二季度", "三季度"], rate, font_family="A")
    texts = [t[0] for t in labels(svg)]
    assert sorted(texts) == sorted(["2.33", "2.70", "目标 ≤2.5例次/千导管日"])  # none for the round without a value
    failing = Trend("不符合条目数", {"不符合": [13.0, 8.0]}, unit="条", computed=False)
    assert sorted(t[0] for t in labels(trend_chart(["一", "二"], failing, font_family="A"))) == ["13", "8"]
    days = Trend("平均住院日", {"指标值": [8.5, 8.25]}, unit="天", computed=False)
    assert sorted(t[0] for t in labels(trend_chart(["一", "二"], days, font_family="A"))) == ["8.25", "8.5"]
    share = Trend("得分率", {"核心制度": [66.013, 87.5], "改进目标": [90.0, None]}, unit="%")
    assert sorted(t[0] for t in labels(trend_chart(["一", "二"], share, font_family="A"))) == ["66.0", "87.5", "90.0"]


def _ticks(svg: str) -> list[str]:
    """The value axis's tick labels, bottom up."""
    texts = ET.fromstring(str(svg)).iter(NS + "text")
    return [t.text or "" for t in texts if t.get("text-anchor") == "end" and t.get("fill") == "#555"]


def test_a_percentage_reaching_100_ends_its_axis_at_100_not_200():
    """Two years of rounds: an indicator met in full (100.0%) drew its axis up to 200, the plot
    half empty; a percentage above 100 (a bed occupancy rate) and other units keep their room."""
    full = Trend("病案首页主要诊断编码正确率", {"指标值": [100.0, 72.2, 66.1]}, 90.0, "%", True, "≥90%")
    svg = trend_chart(["一", "二", "三"], full, font_family="A")
    assert _ticks(svg) == ["0", "25", "50", "75", "100"]
    assert_legible(svg)
    over = Trend("床位使用率", {"指标值": [104.0, 96.0]}, unit="%")
    assert _ticks(trend_chart(["一", "二"], over, font_family="A"))[-1] == "200"
    count = Trend("培训次数", {"指标值": [100.0, 60.0]}, unit="次", computed=False)
    assert _ticks(trend_chart(["一", "二"], count, font_family="A"))[-1] == "200"


def test_values_stand_by_their_points_in_their_series_colour():
    svg = line_chart(["一", "二", "三"], [Line("指标值", (20.0, 50.0, 80.0))], font_family="A", maximum=100)
    drawn = sorted(labels(svg), key=lambda t: t[1])
    dots = sorted(points(svg))
    assert [t[0] for t in drawn] == ["20", "50", "80"]
    for (_, x, baseline, _, colour), (px, py, fill) in zip(drawn, dots, strict=True):
        assert x == pytest.approx(px) and colour == fill
        assert py - 12 < baseline < py  # just above its point, where there is room


def close_series(count: int, rounds: int) -> list[Line]:
    """Series within a few points of each other, crossing now and then."""
    names = ("核心制度", "改进目标", "七项举措", "行动计划", "患者体验", "医政要点", "阜新")
    return [
        Line(names[s], tuple(55.0 + ((s * 7 + n * 3) % 9) * 0.6 - s * 0.4 for n in range(rounds))) for s in range(count)
    ]


@pytest.mark.parametrize(("count", "rounds"), [(2, 2), (2, 12), (4, 12)])
def test_close_series_never_overprint_and_keep_their_order(count, rounds):
    lines = close_series(count, rounds)
    svg = line_chart([f"{n + 1}月自查" for n in range(rounds)], lines, font_family="A", maximum=100, unit="%")
    drawn = labels(svg)
    assert len(drawn) == count * rounds
    assert_legible(svg)
    assert_readable(svg)
    dots = points(svg)
    for n in range(rounds):  # in a round, the values read top to bottom in the order of their points
        x = sorted({px for px, _, _ in dots})[n]
        by_point = [fill for _, fill in sorted((py, fill) for px, py, fill in dots if px == pytest.approx(x))]
        column = [t for t in drawn if t[1] == pytest.approx(x)]
        by_label = [colour for _, colour in sorted((t[2], t[4]) for t in column)]
        assert by_label == by_point


@pytest.mark.parametrize("count", [5, 7])
def test_many_close_series_are_read_from_a_table(count):
    """Five or seven series within a few points of each other: their values would stand in
    stacks reaching far from the points they belong to, so they are written in a table."""
    lines = close_series(count, 12)
    svg = line_chart([f"{n + 1}月自查" for n in range(12)], lines, font_family="A", maximum=100, unit="%")
    assert labels(svg) == []
    assert table_rows(svg) == {line.name: [f"{v:g}" for v in line.values] for line in lines}
    assert_readable(svg)


def test_the_target_keeps_its_label_and_values_near_it_make_room():
    values = (79.0, 80.5, 79.6, 80.0, 81.0, 80.2, 79.9, 80.1, 79.5, 80.0, 80.3, 80.1)
    svg = line_chart(
        [str(n) for n in range(12)],
        [Line("指标值", values)],
        font_family="A",
        maximum=100,
        target=80,
        target_text="目标 ≥80%",
        value_text=lambda v, _n: number_text(v, "%"),
    )
    texts = [t[0] for t in labels(svg)]
    assert "目标 ≥80%" in texts and sorted(t for t in texts if t != "目标 ≥80%") == sorted(f"{v:.1f}" for v in values)
    assert_legible(svg)


def test_a_wide_value_does_not_overprint_the_next_round():
    svg = line_chart(
        [str(n) for n in range(12)], [Line("指标值", tuple(12345.67 + n for n in range(12)))], font_family="A"
    )
    assert_legible(svg)
    assert "e+" not in svg  # the value axis too: 15000, not 1.5e+04


def test_the_demo_trend_carries_each_rounds_scores(store, demo_round, catalog, actor):
    """The demo hospital's two rounds: each checklist's 得分率 of each round, to 0.1 as the tables print it
    (the unit, %, is written once above the axis)."""
    from tests.test_ui_overview import copy_round

    second = copy_round(store, demo_round, catalog, actor)
    o = build_overview(store, second, dt.date(2025, 6, 30))
    svg = trend_chart(o.rounds, o.score_trend, font_family="A", dates=o.round_dates, maximum=100)
    expected = [f"{c.tally.score:.1f}" for r in (demo_round, second) for c in score(store, r).checklists]
    assert sorted(t[0] for t in labels(svg)) == sorted(expected)
    assert_legible(svg)


def test_rounds_are_named_by_their_dates_where_their_names_do_not_fit():
    """Twelve monthly rounds' names would be cut to “2025…” under the plot: their dates are
    written instead (the year once, and where it changes), on two staggered lines; the sentence
    over the charts pairs each name with its date. Two rounds keep their names."""
    trend = Trend("不符合条目数", {"不符合": [float(n % 5) for n in range(12)]}, unit="条", computed=False)
    days = [dt.date(2024, 7, 15) + dt.timedelta(days=30 * n) for n in range(12)]
    names = [f"{d.year}年{d.month}月医疗质量自查" for d in days]
    svg = trend_chart(names, trend, font_family="A", dates=days)
    texts = [t.text for t in ET.fromstring(str(svg)).iter(NS + "text")]
    assert not any(name in texts for name in names) and not any("…" in t for t in texts)
    assert texts.count("2024年7月15日") == 1 and "8月14日" in texts and "2025年1月11日" in texts
    lines = {t.get("y") for t in ET.fromstring(str(svg)).iter(NS + "text") if t.text in ("2024年7月15日", "8月14日")}
    assert len(lines) == 2  # staggered
    two = trend_chart(
        names[:2], Trend("不符合条目数", {"不符合": [3.0, 1.0]}, unit="条"), font_family="A", dates=days[:2]
    )
    # 2025年12月15日 is wider than two bands of twelve, but its neighbours on its line are not:
    # it keeps its year, and none is cut to “2025年12月1…”
    days = [dt.date(2025, 12, 15) + dt.timedelta(days=30 * n) for n in range(12)]
    svg = trend_chart([f"{d.year}年{d.month}月医疗质量自查" for d in days], trend, font_family="A", dates=days)
    texts = [t.text for t in ET.fromstring(str(svg)).iter(NS + "text")]
    assert {"2025年12月15日", "2026年1月14日", "2月13日"} <= set(texts) and not any("…" in t for t in texts if t)
    assert_readable(svg)
    # dates as wide all along do not fit: they go without their years (the sentence over the
    # charts dates each round in full)
    days = [dt.date(2025 + n, 12, 15) for n in range(12)]
    svg = trend_chart([f"{d.year}年{d.month}月医疗质量自查" for d in days], trend, font_family="A", dates=days)
    texts = [t.text for t in ET.fromstring(str(svg)).iter(NS + "text")]
    assert texts.count("12月15日") == 12 and not any("…" in t or "年" in t for t in texts if t)
    assert all(name in [t.text for t in ET.fromstring(str(two)).iter(NS + "text")] for name in names[:2])


def test_a_bars_text_stays_inside_the_chart():
    """The longest bar left 70 units for its text: ``18（逾期 5）`` (a department's open
    rectifications on the 概览 tab, a hospital's in the 汇总报告) lost its end."""
    from app.render.charts import Bar, _text_width, bar_chart

    bars = [Bar("内科", 18, "18（逾期 5）"), Bar("外科", 126, "126（逾期 12）"), Bar("急诊科", 0, "0（逾期 0）")]
    svg = bar_chart(bars, maximum=126, font_family="A", title="各科室未完成的整改项")
    width = float(ET.fromstring(str(svg)).get("viewBox").split()[2])
    for text in ET.fromstring(str(svg)).iter(NS + "text"):
        if "逾期" in text.text:
            assert float(text.get("x")) + _text_width(text.text, 12) <= width, text.text


# ---- every text of a trend legible, the values clear of the lines (two years of monthly rounds)


def texts(svg: str) -> list[tuple[str, Box]]:
    """Every text of the drawing and the room it takes, measured as the chart measures it
    (charts._Label.box: its width by character, from the top of its tallest characters to
    below its baseline, a unit to spare aside)."""
    root = ET.fromstring(str(svg))
    out = []
    for text in root.iter(NS + "text"):
        content = text.text or ""
        size = float(text.get("font-size") or root.get("font-size"))
        width = _text_width(content, size)
        x, baseline = float(text.get("x")), float(text.get("y"))
        anchor = text.get("text-anchor") or "start"
        x0 = x - width / 2 if anchor == "middle" else x if anchor == "start" else x - width
        out.append((content, (x0 - 1, baseline - size * 0.9, x0 + width + 1, baseline + size * 0.22)))
    return out


def segments(svg: str) -> list[tuple[float, float, float, float]]:
    """The lines drawn over the plot: the series (across rounds without a value too) and the target."""
    root = ET.fromstring(str(svg))
    out = []
    for polyline in root.iter(NS + "polyline"):
        xy = [tuple(float(v) for v in pair.split(",")) for pair in polyline.get("points").split()]
        out += [(*a, *b) for a, b in itertools.pairwise(xy)]
    for line in root.iter(NS + "line"):
        if line.get("stroke-opacity") or line.get("stroke-dasharray") == "5,4":  # across rounds; the target
            out.append(tuple(float(line.get(k)) for k in ("x1", "y1", "x2", "y2")))
    return out


def crosses(box: Box, segment) -> bool:
    """Whether the segment passes through the box: sampled finely along its length."""
    x0, y0, x1, y1 = segment
    steps = int(max(abs(x1 - x0), abs(y1 - y0)) * 4) + 1
    return any(
        box[0] < x0 + (x1 - x0) * k / steps < box[2] and box[1] < y0 + (y1 - y0) * k / steps < box[3]
        for k in range(steps + 1)
    )


def assert_readable(svg: str) -> None:
    """No text covers another (values, the axes' labels, the rounds' names, the legend, the table
    of values), each is inside the drawing, and no value by its point crosses a line or covers
    a point."""
    width, height = (float(v) for v in ET.fromstring(str(svg)).get("viewBox").split()[2:])
    drawn = texts(svg)
    for n, (text, box) in enumerate(drawn):
        assert box[0] >= -1 and box[2] <= width + 1 and box[1] >= 0 and box[3] <= height, (
            text
        )  # (-1: the unit to spare)
        for other, other_box in drawn[n + 1 :]:
            assert not overlap(box, other_box), (text, other)
    lines = segments(svg)
    for text, _, _, box, _ in labels(svg):
        if not text.startswith("目标"):
            assert not any(crosses(box, s) for s in lines), f"{text} crosses a line"
            for px, py, _ in points(svg):
                assert not (box[0] - 2.6 < px < box[2] + 2.6 and box[1] - 2.6 < py < box[3] + 2.6), (text, px, py)


def table_rows(svg: str) -> dict[str, list[str]]:
    """The table of values under the plot: its rows' names and cells, left to right."""
    group = next((g for g in ET.fromstring(str(svg)).iter(NS + "g") if g.get("class") == "value-table"), None)
    if group is None:
        return {}
    rows: dict[float, list[tuple[float, str]]] = {}
    for text in group.iter(NS + "text"):
        rows.setdefault(float(text.get("y")), []).append((float(text.get("x")), text.text or ""))
    return {cells[0][1]: [t for _, t in cells[1:]] for cells in (sorted(r) for _, r in sorted(rows.items()))}


def monthly(count: int, start: dt.date = dt.date(2025, 12, 10)) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1, start.day)
        for n in range(count)
    ]


#: the 自查报告's 各检查表得分率 of the two years' database (bench/make_big_db.py): 核心制度 and
#: 改进目标 in every round, the others every fourth, all of them in the latest
CHECKLISTS = ("核心制度", "改进目标", "阜新方案", "七项举措", "医政要点", "患者体验", "质量行动计划")
EVERY = [68.1, 61.3, 60.4, 66.1, 60.4, 62.1, 60.8, 60.2, 63.5, 66.5, 62.3, 64.1]
TARGETS = [63.6, 65.0, 56.6, 65.4, 60.7, 65.0, 60.9, 63.2, 60.3, 65.4, 70.6, 60.6]
SOMETIMES = {
    "阜新方案": (62.9, 58.9, 64.2, 59.6),
    "七项举措": (62.7, 61.9, 65.4, 66.7),
    "医政要点": (71.1, 61.8, 61.1, 55.3),
    "患者体验": (63.4, 59.8, 63.6, 65.7),
    "质量行动计划": (61.7, 59.3, 65.4, 64.4),
}


def two_years_of_scores() -> Trend:
    def every_fourth(values):
        return [values[(n // 4) + (n == 11)] if n % 4 == 0 or n == 11 else None for n in range(12)]

    series = {"核心制度": EVERY, "改进目标": TARGETS}
    series |= {name: every_fourth(values) for name, values in SOMETIMES.items()}
    return Trend("各检查表得分率", series, unit="%")


def test_seven_checklists_over_twelve_monthly_rounds_are_read_from_a_table():
    """The values of seven checklists were stacked under each other down to the axis and over
    the dates (“58.9” over “59.8”): every value is now in a table under the plot, a row per
    checklist with its full name and its line's key, a column per round under its date."""
    days = monthly(12)
    trend = two_years_of_scores()
    svg = trend_chart(
        [f"{d.year}年{d.month}月医疗质量自查" for d in days], trend, font_family="A", dates=days, maximum=100
    )
    assert_readable(svg)
    rows = table_rows(svg)
    assert list(rows) == list(CHECKLISTS)  # 质量行动计划, not “质量行…”
    for name, values in trend.series.items():
        assert rows[name] == [number_text(v, "%") if v is not None else "—" for v in values]
    assert labels(svg) == []  # no value by its point: the table has them all
    xs = {round(float(t.get("x")), 1) for t in ET.fromstring(str(svg)).iter(NS + "text") if t.text == "3月10日"}
    cells = {round(float(t.get("x")), 1) for t in ET.fromstring(str(svg)).iter(NS + "text") if t.text == "66.1"}
    assert xs == cells  # a round's values stand under its date


def test_a_checklist_used_every_fourth_month_is_one_line():
    """Its values are joined across the months without it, by a thinner, fainter line than the
    month-to-month one (the months between were not measured), which the legend names."""
    trend = Trend(
        "得分率", {"核心制度": [60.0, 62.0, 61.0, 63.0, 64.0], "阜新方案": [50.0, None, None, 70.0, 72.0]}, unit="%"
    )
    svg = trend_chart(["一", "二", "三", "四", "五"], trend, font_family="A", maximum=100)
    root = ET.fromstring(str(svg))
    red = [p for p in root.iter(NS + "polyline") if p.get("stroke") == "#a63a32"]
    across = [ln for ln in root.iter(NS + "line") if ln.get("stroke") == "#a63a32" and ln.get("stroke-opacity")]
    assert len(red) == 1 and len(red[0].get("points").split()) == 2  # 四 to 五, as measured
    assert len(across) == 1  # 一 to 四, across 二 and 三
    line = across[0]
    dots = sorted((x, y) for x, y, fill in points(svg) if fill == "#a63a32")
    assert (float(line.get("x1")), float(line.get("y1"))) == pytest.approx(dots[0], abs=0.1)
    assert (float(line.get("x2")), float(line.get("y2"))) == pytest.approx(dots[1], abs=0.1)
    assert float(line.get("stroke-width")) < float(red[0].get("stroke-width"))
    assert "细线：跨过没有数值的轮次" in [t for t, _ in texts(svg)]
    assert_readable(svg)
    whole = trend_chart(["一", "二"], Trend("得分率", {"核心制度": [60.0, 62.0]}, unit="%"), font_family="A")
    assert "跨过" not in whole and "stroke-opacity" not in whole


def test_seven_series_have_seven_styles():
    """A seventh checklist was drawn in the first one's colour and dashes."""
    svg = trend_chart([str(n) for n in range(12)], two_years_of_scores(), font_family="A", maximum=100)
    styles = {(p.get("stroke"), p.get("stroke-dasharray")) for p in ET.fromstring(str(svg)).iter(NS + "polyline")}
    keys = [ln for ln in ET.fromstring(str(svg)).iter(NS + "line") if ln.get("x1") == "0.0" and ln.get("x2") == "22.0"]
    assert len({(k.get("stroke"), k.get("stroke-dasharray")) for k in keys[:7]}) == 7
    assert len(styles) == 2  # only the two checklists of every month have lines of their own


def test_few_rounds_keep_their_values_by_their_points():
    """The demo's two rounds, or three, of two checklists: the values stand by their points, the
    legend under the names, as before; no table."""
    trend = Trend("各检查表得分率", {"核心制度": [57.7, 59.1, 63.0], "改进目标": [50.9, 53.4, 52.1]}, unit="%")
    for count in (2, 3):
        days = monthly(count, dt.date(2025, 3, 15))
        names = [f"2025年第{n + 1}季度医疗质量自查" for n in range(count)]
        short = Trend(trend.title, {k: v[:count] for k, v in trend.series.items()}, unit="%")
        svg = trend_chart(names, short, font_family="A", dates=days, maximum=100)
        assert sorted(t[0] for t in labels(svg)) == sorted(f"{v:.1f}" for vs in short.series.values() for v in vs)
        assert table_rows(svg) == {} and {"核心制度", "改进目标"} <= {t for t, _ in texts(svg)}
        assert_readable(svg)


def test_the_targets_label_makes_room_for_a_value_at_the_top():
    """An indicator met in full in the first and the last round (the 概览 tab of two years of
    rounds): the only place for either value, under its point, was where the target's label
    stood at either end of its line. The label goes between two rounds and the values stay by
    their points, rather than all of them going into a table."""
    values = [100.0, None, None, None, 80.6, None, None, None, 97.6, None, None, 100.0]
    trend = Trend("阜新方案：病案首页主要诊断编码正确率", {"指标值": values}, 90.0, "%", True, "≥90%")
    days = monthly(12)
    svg = trend_chart([f"{d.year}年{d.month}月医疗质量自查" for d in days], trend, font_family="A", dates=days)
    assert sorted(t[0] for t in labels(svg)) == sorted(["100.0", "80.6", "97.6", "100.0", "目标 ≥90%"])
    assert table_rows(svg) == {}
    assert_readable(svg)


def test_a_steep_line_leaves_its_values_clear():
    """Not met, then met in full and back: above and below a point are both crossed by its lines,
    its value stands aside."""
    svg = line_chart(
        [str(n) for n in range(12)],
        [Line("不符合", tuple(95.0 if n % 4 == 0 else 12.0 + n for n in range(12)))],
        font_family="A",
        unit="条",
    )
    assert len(labels(svg)) == 12
    assert_readable(svg)


#: a checklist's label as a hospital may write it in its own checklist file
LONG = "县级医院医疗质量安全专项整治行动自查表"


def _series(rounds: int):
    value = st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 1)))
    return st.lists(value, min_size=rounds, max_size=rounds)


@st.composite
def trends(draw):
    rounds = draw(st.integers(2, 12))
    count = draw(st.integers(1, 7))
    names = draw(st.sampled_from((CHECKLISTS, tuple(f"{name}（{LONG}）" for name in CHECKLISTS))))
    series = {names[n]: draw(_series(rounds)) for n in range(count)}
    target = draw(st.one_of(st.none(), st.floats(0, 100, allow_nan=False).map(lambda v: round(v))))
    start = draw(st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 28)))
    gap = draw(st.sampled_from((14, 30, 91)))
    days = [start + dt.timedelta(days=gap * n) for n in range(rounds)]
    named = draw(st.booleans())
    maximum = draw(st.sampled_from((100.0, None)))
    trend = Trend("各检查表得分率", series, target, "%", True, f"≥{target}%" if target is not None else "")
    return trend, days, named, maximum


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trends())
@example(  # found by Hypothesis: “0.0” placed just touching “目标 ≥2%”, covered once the SVG rounded them
    (
        Trend("各检查表得分率", {"核心制度": [None] * 11, "改进目标": [None] * 10 + [0.0]}, 2, "%", True, "≥2%"),
        [dt.date(2024, 1, 1) + dt.timedelta(days=14 * n) for n in range(11)],
        False,
        100.0,
    )
)
def test_no_value_covers_another_or_a_line_whatever_the_series(case):
    """Random series (0–100, with rounds lacking values), 2–12 rounds, 1–7 series, with a
    target or not: every value is written once, by its point or in the table, and nothing
    written covers anything else."""
    trend, days, named, maximum = case
    names = (
        [f"{d.year}年{d.month}月医疗质量自查" for d in days] if named else [f"第{n + 1}轮" for n in range(len(days))]
    )
    svg = trend_chart(names, trend, font_family="A", dates=days, maximum=maximum)
    assert_readable(svg)
    expected = sorted(number_text(v, "%") for values in trend.series.values() for v in values if v is not None)
    by_points = sorted(t[0] for t in labels(svg) if not t[0].startswith("目标"))
    rows = table_rows(svg)
    in_table = sorted(v for values in rows.values() for v in values if v != "—")
    assert (by_points, in_table) in ((expected, []), ([], expected))
    assert all(len(values) == len(days) for values in rows.values())


def test_series_names_are_escaped_in_the_legend_and_in_the_table():
    """A checklist's label comes from its file, which a hospital may write."""
    name = '<script>x</script>\u202e"'
    few = line_chart(["一", "二"], [Line(name, (1.0, 2.0)), Line("核心制度", (3.0, 4.0))], font_family="A")
    many = line_chart(["一", "二"], [Line(name, (50.0 + n, 50.5 + n)) for n in range(7)], font_family="A", maximum=100)
    assert table_rows(many) and not labels(many)  # the table's names
    for svg in (few, many):
        assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;&#34;" in svg and "\u202e" not in svg


def _unit_line(svg: str) -> str:
    return next(
        (t.text or "" for t in ET.fromstring(str(svg)).iter(NS + "text") if (t.text or "").startswith("单位")), ""
    )


def test_scores_kept_high_up_are_drawn_on_an_axis_starting_above_zero_which_says_so():
    """Seven checklists' 得分率 between 51 and 69 drew on top of one another on a 0–100 axis
    (review of the printed reports): the score trend starts at 40 there, the lines two thirds
    further apart, and says so above the axis; lower scores, and other trends, keep their 0."""
    from app.render.charts import score_floor

    days = monthly(12)
    trend = two_years_of_scores()
    lowest = min(v for values in trend.series.values() for v in values if v is not None)
    assert 50 <= lowest < 60
    names = [f"{d.year}年{d.month}月医疗质量自查" for d in days]
    zoomed = trend_chart(names, trend, font_family="A", dates=days, maximum=100, floor=True)
    assert _ticks(zoomed) == ["40", "55", "70", "85", "100"] and _unit_line(zoomed) == "单位：%，纵轴从 40 起"
    assert_readable(zoomed)
    flat = trend_chart(names, trend, font_family="A", dates=days, maximum=100)
    assert _ticks(flat)[0] == "0" and _unit_line(flat) == "单位：%"

    def spread(svg: str) -> float:
        ys = [y for _, y, _ in points(svg)]
        return max(ys) - min(ys)

    assert score_floor([51.0, 69.0]) == 40 and score_floor([75.0, 90.0]) == 60 and score_floor([35.0]) == 20
    assert score_floor([29.9, 90.0]) == 0 and score_floor([]) == 0
    low = Trend("各检查表得分率", {"核心制度": [25.0, 80.0]}, unit="%")
    assert _ticks(trend_chart(["一", "二"], low, font_family="A", maximum=100, floor=True))[0] == "0"
    # a target below the scores keeps its line on the plot, not on the axis
    aimed = Trend("得分率", {"核心制度": [70.0, 80.0]}, 45.0, "%", True, "≥45%")
    assert _ticks(trend_chart(["一", "二"], aimed, font_family="A", maximum=100, floor=True))[0] == "20"
    assert spread(zoomed) > 1.5 * spread(flat)

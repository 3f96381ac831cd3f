"""Trend charts (app/render/charts.py): every point carries its value, written as the rest of the
program writes it, and no value overprints another value, a point or the target's label, also
where several series run close together. Read from the SVG itself, as the screen and the PDF
draw it."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest

from app.domain.formats import number_text
from app.render.charts import Line, line_chart, trend_chart
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
    ends = [t.text or "" for t in ET.fromstring(str(svg)).iter(NS + "text") if t.get("text-anchor") == "end"]
    return [text for text in ends if text.replace(".", "", 1).isdigit()]  # not the target's label


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


@pytest.mark.parametrize(("count", "rounds"), [(2, 2), (2, 12), (5, 12), (7, 12)])
def test_close_series_never_overprint_and_keep_their_order(count, rounds):
    lines = close_series(count, rounds)
    svg = line_chart([f"{n + 1}月自查" for n in range(rounds)], lines, font_family="A", maximum=100, unit="%")
    drawn = labels(svg)
    assert len(drawn) == count * rounds
    assert_legible(svg)
    dots = points(svg)
    for n in range(rounds):  # in a round, the values read top to bottom in the order of their points
        x = sorted({px for px, _, _ in dots})[n]
        by_point = [fill for _, fill in sorted((py, fill) for px, py, fill in dots if px == pytest.approx(x))]
        column = [t for t in drawn if t[1] == pytest.approx(x)]
        by_label = [colour for _, colour in sorted((t[2], t[4]) for t in column)]
        assert by_label == by_point


def test_the_target_keeps_its_label_and_values_near_it_make_room():
    values = (79.0, 80.5, 79.6, 80.0, 81.0, 80.2, 79.9, 80.1, 79.5, 80.0, 80.3, 80.1)
    svg = line_chart(
        [str(n) for n in range(12)],
        [Line("指标值", values)],
        font_family="A",
        maximum=100,
        target=80,
        target_text="目标 ≥80%",
        value_text=lambda v: number_text(v, "%"),
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
    # 2025年12月15日 is wider than two bands of twelve: the dates go without their years rather
    # than being cut to “2025年12月1…” (the sentence over the charts dates each round in full)
    days = [dt.date(2025, 12, 15) + dt.timedelta(days=30 * n) for n in range(12)]
    svg = trend_chart([f"{d.year}年{d.month}月医疗质量自查" for d in days], trend, font_family="A", dates=days)
    texts = [t.text for t in ET.fromstring(str(svg)).iter(NS + "text")]
    assert "12月15日" in texts and "1月14日" in texts and not any("…" in t or "年" in t for t in texts if t)
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

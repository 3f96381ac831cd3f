"""汇总报告's charts: every hospital told apart from the others by its label, however long its name."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from pypdf import PdfReader

from app.exchange.aggregate import aggregate, write_outputs
from app.exchange.aggregate_outputs import LABEL_EMS, chart_labels
from app.exchange.export import export_package
from app.render.charts import label_ems
from app.services.answers import record_answer
from app.services.demo import demo_profile
from app.services.profile import save_profile
from app.services.rounds import start_round
from app.store import Actor, open_store

DAY = dt.date(2025, 7, 15)
#: names of 医共体 members and 院区 as hospitals register them: alike for their first 19
#: characters, which was all the chart's label band showed
LONG = (
    "河南科技大学第一附属医院（洛阳市第一人民医院）开元院区",
    "河南科技大学第一附属医院（洛阳市第一人民医院）景华院区",
    "伊川县人民医院医疗健康服务集团成员单位鸣皋分院",
    "伊川县人民医院医疗健康服务集团成员单位白沙分院",
)
SHORT = "洛阳市中心医院"


def test_a_long_name_is_shortened_by_what_tells_hospitals_apart_least():
    names = [*LONG, SHORT, "洛阳市第一人民医院伊滨院区（洛阳市第一人民医院医疗健康集团成员单位）"]
    labels = chart_labels(names)
    assert labels[SHORT] == SHORT, "a name that fits is left as it is"
    assert labels[names[-1]] == "洛阳市第一人民医院伊滨院区（…）", "what the brackets hold, left out"
    assert labels[LONG[0]] == "河南科技大学第一附属医院（…）开元院区"
    assert labels[LONG[2]].endswith("鸣皋分院") and labels[LONG[3]].endswith("白沙分院")
    assert len(set(labels.values())) == len(names)
    assert all(label_ems(label) <= LABEL_EMS for label in labels.values())
    # alike at both ends but for one character: more of the end is kept until they differ
    twins = [
        "洛阳市第一人民医院医疗健康集团成员单位伊滨院区眼科分院",
        "洛阳市第一人民医院医疗健康集团成员单位龙门院区眼科分院",
    ]
    assert len(set(chart_labels(twins).values())) == 2


#: 院区 of one hospital, registered with what tells them apart inside the brackets
CAMPUSES = tuple(f"汝阳县人民医院（汝阳县医疗健康集团总医院{side}院区）" for side in "东西南")


def test_names_alike_but_inside_their_brackets_show_what_is_inside():
    """Both read 汝阳县人民医院（…）: the names were shortened again, each the same way as before."""
    labels = chart_labels([*CAMPUSES[:2], "汝阳县人民医院"])
    assert labels == {
        CAMPUSES[0]: "汝阳县人民医院（汝阳县…总医院东院区）",
        CAMPUSES[1]: "汝阳县人民医院（汝阳县…总医院西院区）",
        "汝阳县人民医院": "汝阳县人民医院",  # a name that fits, beside the long ones, as it is
    }
    three = chart_labels([*CAMPUSES, "洛阳市第一人民医院伊滨院区（洛阳市第一人民医院医疗健康集团成员单位）"])
    assert [three[name][-4:] for name in CAMPUSES] == ["东院区）", "西院区）", "南院区）"]
    assert three["洛阳市第一人民医院伊滨院区（洛阳市第一人民医院医疗健康集团成员单位）"].endswith("院区（…）")


def test_names_alike_at_both_ends_show_where_they_differ():
    side = "河南省洛阳市伊川县人民医院医疗健康服务集团{}院区成员单位鸣皋镇卫生院分院"
    labels = chart_labels([side.format("东"), side.format("西")])
    assert labels[side.format("东")] == "河南省…东院区成员单位鸣皋镇卫生院分院", "more of the end"
    middle = "河南省洛阳市伊川县人民医院医疗健康服务集团{}院区成员单位鸣皋镇中心卫生院白沙分院"
    labels = chart_labels([middle.format("东"), middle.format("西")])
    assert labels[middle.format("西")] == "河南省洛阳市伊川县…集团西院区成…分院", "around where they differ"
    # a name that fits and reads as a long one's label keeps it; the long one is shortened again
    labels = chart_labels(["汝阳县人民医院（…）", CAMPUSES[0]])
    assert labels["汝阳县人民医院（…）"] == "汝阳县人民医院（…）"
    assert labels[CAMPUSES[0]] == "汝阳县人民医院（汝阳县…总医院东院区）"


def test_every_label_differs_and_fits_however_alike_the_names():
    """Names made of a few characters, alike in every way a shortened label could hide."""
    rng = random.Random(20250715)
    for _ in range(300):
        stem = "".join(rng.choice("县人民医院（）()集团分A1") for _ in range(rng.randint(10, 40)))
        names = sorted({_varied(stem, rng) for _ in range(rng.randint(2, 6))})
        labels = chart_labels(names)
        assert len(set(labels.values())) == len(names), labels
        assert all(label_ems(label) <= LABEL_EMS for label in labels.values()), labels


def _varied(stem: str, rng: random.Random) -> str:
    at = rng.randrange(len(stem))
    return stem[:at] + rng.choice("东西南北中") + stem[at + 1 :]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, catalog):
    folder = tmp_path_factory.mktemp("long-names")
    core = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    for n, name in enumerate((*LONG, SHORT)):
        actor = Actor("质控办", f"pc-{n}")
        store = open_store(folder / f"{n}.db")
        save_profile(store, demo_profile(name), actor)  # a code of its own
        round_id = start_round(store, core, "2025年第一季度医疗质量自查", dt.date(2025, 3, 10), actor)
        for item, grade in (("qyx-core.01.1", "D"), ("qyx-core.02.1", "ABCD"[n % 4])):
            record_answer(store, round_id, item, actor, grade=grade, finding="" if grade in "AB" else "未执行")
        export_package(store, round_id, folder / f"{n}.zip", attachments=False, today=DAY)
        store.close()
    return folder


@pytest.mark.slow  # ≈9 s with the five packages the module shares
def test_the_charts_tell_hospitals_with_long_names_apart(inbox, tmp_path):
    """河南科技大学第一附属医院（洛阳市第一人民医院）开元院区 and …景华院区 were both
    “河南科技大学第一附属医院（洛阳市第一…” in both charts: a reader could not tell which bar
    was which hospital's."""
    result = aggregate([inbox], today=DAY)
    assert len(result.hospitals) == 5
    pdf = tmp_path / "汇总报告.pdf"
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=pdf)
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    labels = chart_labels([*LONG, SHORT])
    for name in LONG:  # (pypdf reads the second chart after the heading that follows it)
        assert text.count("".join(labels[name].split())) == 2, f"{labels[name]}: once in each chart"
    assert "河南科技大学第一附属医院（洛阳市第一…" not in text and "伊川县人民医院医疗健康服务集团成员单…" not in text
    assert "图中名称过长的医院省略了括号内或中间的部分（以“…”表示），全称见上表。" in text
    assert all(name in text[: text.index("各医院得分率")] for name in LONG), "the table gives the names in full"


@pytest.mark.slow
def test_no_note_when_every_name_fits(inbox, tmp_path):
    result = aggregate([inbox / "4.zip"], today=DAY)
    pdf = tmp_path / "汇总报告.pdf"
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=pdf)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert SHORT in text and "名称过长" not in text

"""现场检查记录表 (app/render/inspection_form.py): a round's applicable items as a blank paper form,
a real WeasyPrint PDF read back as text, made by the CLI and the 报告 menu."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pypdf
import pytest

from app.catalog import load_catalog
from app.render.inspection_form import FORM_TITLE, build_inspection_form
from app.render.model import section_blocks
from app.services.demo import create_demo
from app.services.profile import get_profile, save_profile
from app.services.rounds import load_round, start_round
from app.store import Actor, open_store
from tests.conftest import ROOT
from tests.helpers import offline_prefix
from tests.test_reports import squeeze

NOT_FOR_THE_DEMO = "qyx-targets-2021.1.2.3"  # only for hospitals without reperfusion capability


HOSTILE_HOSPITAL = "<i>甲县</i>人民医院&amp;{{7*7}}"
HOSTILE_ROUND = "<b>一季度</b>检查<script>x</script>"


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    """A new round of the demo's two checklists for a hospital and a round named in HTML, its form
    made by the CLI in a process of its own (offline where it can be): (the round, its pages' text)."""
    folder = tmp_path_factory.mktemp("form")
    db = folder / "demo.db"
    store = open_store(db)
    actor = Actor("测试员", "device-test")
    catalog = load_catalog()
    demo = load_round(store, create_demo(store, catalog, actor))
    profile = get_profile(store)
    assert profile is not None
    save_profile(store, dataclasses.replace(profile, name=HOSTILE_HOSPITAL), actor)
    entries = [e for e in catalog.entries if e.checklist.id in {c.id for c in demo.checklists}]
    round_id = start_round(store, entries, HOSTILE_ROUND, demo.started_on, actor)
    view = load_round(store, round_id)
    store.close()
    out = folder / "现场检查记录表.pdf"
    command = ["main.py", "report", "--db", str(db), "--round", round_id, "--kind", "form", "--out", str(out)]
    result = subprocess.run(
        [*offline_prefix(), sys.executable, *command], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return view, [page.extract_text() for page in pypdf.PdfReader(out).pages]


def test_the_form_lists_every_item_that_applies_and_none_that_does_not(form):
    view, pages = form
    text = squeeze("".join(pages))
    assert FORM_TITLE in text
    listed = left_out = 0
    for checklist in view.checklists:
        for item in checklist.all_items():
            if item.applies_to(view.profile):
                assert squeeze(item.text) in text, item.id
                listed += 1
            else:
                assert squeeze(item.text) not in text, item.id
                left_out += 1
    assert left_out == 1 and listed > 100
    assert "本表列出按本院基本情况适用的条目45条（不适用的1条未列出）" in text


def test_each_kind_of_item_asks_for_what_the_program_takes(store, demo_round):
    view = load_round(store, demo_round)
    form = build_inspection_form(store, demo_round, view.started_on, "serif")
    rows = {row.number: row for c in form.checklists for block in c.sections for row in block.items}
    # graded: the checklist's grades as boxes (the legend says what they mean), room to write
    assert rows["01.1"].choices == ("A", "B", "C", "D") and rows["01.1"].blanks == ()
    assert form.checklists[0].legend == "评价等级（PDCA 四级评价）：A 持续改进；B 有监管；C 有制度有落实；D 不符合。"
    # sampled: a line for each record the program takes (病案号, 符合/不符合), at least the 10 asked for
    sampled = rows["06.3"]
    assert (sampled.sample_lines, sampled.choices, sampled.blanks) == (10, (), ())
    assert "至少抽查 10 份，要求：全部符合" in sampled.notes
    # measured: numerator and denominator; 逐步降低 compares with a baseline in the item's unit, or the last round
    measured = next(r for r in rows.values() if "2025年目标：逐步降低" in r.notes)
    assert measured.blanks == ("分子", "分母", "基线值（%）") and measured.sample_lines == 0
    assert "没有基线值的留空：与上一轮自查的数值比较" in measured.notes


def test_the_pdf_has_a_line_for_every_record_to_sample(form):
    view, pages = form
    text = squeeze("".join(pages))
    sampled = [i for c in view.checklists for i in c.all_items() if i.kind == "sampling" and i.applies_to(view.profile)]
    assert sampled and text.count("□符合□不符合") == sum(i.min_samples or 10 for i in sampled)
    assert text.count("序号病案号是否符合问题序号病案号是否符合问题") == len(sampled)


def test_values_years_without_targets_and_other_scales():
    """What the built-in checklists do not have: a value entered directly, a year past the last
    target (it read “2026年目标：2026年无目标值”), a scale other than PDCA."""
    from app.domain.checklist import SCALES, Checklist, Item
    from app.render.inspection_form import _form_row, _legend

    checklist = Checklist("x", "1", "自定检查表", "", "", "河南省", SCALES["compliance"], ())
    days = Item("x.1", "indicator", "平均住院日", "一", unit="天", direction="<=", targets={2024: 9})
    row = _form_row(checklist, days, 2026)
    assert row.blanks == ("数值（天）",) and row.notes == ("2026年目标：无目标值",)
    assert _form_row(checklist, days, 2024).notes == ("2024年目标：≤9天",)
    graded = _form_row(checklist, Item("x.2", "judgement", "制度健全", "二"), 2026)
    assert graded.choices == ("符合", "部分符合", "不符合")
    assert _legend(checklist) == "评价等级（符合程度）：符合；部分符合；不符合。"


def test_a_blank_form_carries_no_draft_mark_and_no_user_html(form):
    """The round is not 定稿, but a blank form is not a report of results: no 自查稿 (the watermark
    follows the cover, which the registry's marks_draft decides). Names typed as HTML print as typed."""
    view, pages = form
    text = "".join(pages)
    assert not view.is_final and "自查稿" not in text
    assert squeeze(HOSTILE_ROUND) in squeeze(text) and squeeze(HOSTILE_HOSPITAL) in squeeze(text)
    assert "检查人（签字）" in squeeze(text) and "被检查科室负责人（签字）" in squeeze(text)
    # a loose sheet: which checklist (numbers repeat across them) and a place for the department
    assert all("被检查科室：" in page for page in pages)
    assert sum("核心制度 ·" in page for page in pages) >= 5


def test_a_section_with_nothing_that_applies_prints_no_heading(store, demo_round):
    view = load_round(store, demo_round)
    targets = next(c for c in view.checklists if c.id == "qyx-targets-2021")
    section = next(s for s in targets.all_sections() if any(i.id == NOT_FOR_THE_DEMO for i in s.items))
    rows = {i.id: i.id for i in targets.all_items() if i.id not in {x.id for x in section.items}}
    blocks = section_blocks(targets.sections, rows, listed_only=True)
    headings = [title for block in blocks for title, _ in block.headings]
    assert section.title not in headings
    assert [i for block in blocks for i in block.items] == list(rows)  # every other row, in order
    # the whole checklist: every section heading once, as the 自查报告 prints them
    everything = section_blocks(targets.sections, {i.id: i.id for i in targets.all_items()})
    assert section.title in [title for block in everything for title, _ in block.headings]
    with pytest.raises(KeyError):  # the 自查报告 has a row for every item: one missing is a bug, not a gap
        section_blocks(targets.sections, rows)


def test_the_form_is_a_pdf_only(demo_file, tmp_path, cli):
    db, round_id = demo_file
    result = cli("report", "--db", db, "--round", round_id, "--kind", "form", "--out", tmp_path / "表.xlsx")
    assert result.returncode == 1 and "现场检查记录表只能生成 .pdf 文件" in result.stderr
    assert not (tmp_path / "表.xlsx").exists()


def test_the_menu_makes_the_form_and_previews_it_without_the_draft_note(qtbot, demo_window, ui_dialogs, tmp_path):
    window = demo_window
    texts = [a.text() for a in window.report_menu.actions()]
    assert "生成现场检查记录表 PDF(&J)…" in texts
    assert not any("现场检查记录表" in t and "Excel" in t for t in texts)
    out = tmp_path / "现场检查记录表.pdf"
    ui_dialogs.save_path = str(out)
    window.generate_report("form")
    qtbot.waitUntil(lambda: window.last_report is not None, timeout=60_000)
    assert ui_dialogs.previewed == [out] and ui_dialogs.preview_notes == [""]
    assert FORM_TITLE in "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)


def test_nothing_recorded_in_the_round_reaches_the_form(store, demo_round):
    """A round half done prints as blank as a new one: no grade, finding or sampled record."""
    from app.render.html import render_html

    answers = store.answers(demo_round)
    findings = [a.finding for a in answers if len(a.finding) >= 6]
    records = [r.record_no for r in store.samples(demo_round) if len(r.record_no) >= 4]
    assert findings and records  # the demo has both
    model = build_inspection_form(store, demo_round, load_round(store, demo_round).started_on, "serif")
    html = render_html(model)
    assert not model.cover.draft
    assert not [f for f in findings if f in html] and not [r for r in records if r in html]


def test_a_long_blank_stays_in_its_cell(store, demo_round, tmp_path):
    """基线值（例次/千导管日）, kept on one line, ran into the 问题记录 column and the blank to write
    on landed there (PDF review 2): a long one wraps in its cell, its line under it."""
    from app.render import render_report
    from tests.test_reports import _word_boxes

    pdf = render_report(store, demo_round, "form", tmp_path / "form.pdf").path
    pages = pypdf.PdfReader(pdf).pages
    checked = 0
    for number, page in enumerate(pages, 1):
        if "导管日" not in page.extract_text():
            continue
        words = _word_boxes(pdf, number)
        # the 评价 / 数据 column: its heading is centred in it, its fields start at its left
        heading = [(x0, x1) for w, x0, _y0, x1, _y1 in words if w in ("评价", "数据")]
        left = min(x0 for w, x0, *_ in words if w == "分子")
        right = 2 * (min(x0 for x0, _ in heading) + max(x1 for _, x1 in heading)) / 2 - left
        label = [(w, x1) for w, _x0, _y0, x1, _y1 in words if w.startswith("基线值（例次") or w.endswith("管日）")]
        assert label and all(x1 < right for _w, x1 in label), (label, right)
        checked += 1
    assert checked

"""现场检查记录表 (app/render/inspection_form.py): a round's applicable items as a blank paper form,
a real WeasyPrint PDF read back as text, made by the CLI and the 报告 menu."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pypdf
import pytest

from app.catalog import load_catalog
from app.domain.checklist import item_number
from app.render.inspection_form import FORM_TITLE, build_inspection_form
from app.render.model import section_blocks
from app.services.demo import create_demo
from app.services.rounds import load_round, rename_round
from app.store import Actor, open_store
from tests.conftest import ROOT
from tests.test_reports import squeeze

NOT_FOR_THE_DEMO = "qyx-targets-2021.1.2.3"  # only for hospitals without reperfusion capability


def _offline() -> list[str]:
    """``unshare -n`` where it is permitted: the form is made with no network at all."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    return []


@pytest.fixture(scope="module")
def form(tmp_path_factory):
    """The demo round's form, made by the CLI in a process of its own (offline where it can be),
    with a round name typed as HTML: (the round as loaded, the PDF's pages as text)."""
    folder = tmp_path_factory.mktemp("form")
    db = folder / "demo.db"
    store = open_store(db)
    actor = Actor("测试员", "device-test")
    round_id = create_demo(store, load_catalog(), actor)
    rename_round(store, round_id, "<b>一季度</b>检查", actor)
    view = load_round(store, round_id)
    store.close()
    out = folder / "现场检查记录表.pdf"
    command = ["main.py", "report", "--db", str(db), "--round", round_id, "--kind", "form", "--out", str(out)]
    result = subprocess.run(
        [*_offline(), sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return view, [page.extract_text() for page in pypdf.PdfReader(out).pages]


def test_the_form_lists_every_item_that_applies_and_none_that_does_not(form):
    view, pages = form
    text = squeeze("".join(pages))
    assert FORM_TITLE in text and "示例县人民医院" in text
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
    assert "本表列出适用于本院的条目45条（按医院基本情况不适用的1条未列出）" in text


def test_each_kind_of_item_asks_for_what_the_walkthrough_asks(form):
    view, pages = form
    text = squeeze("".join(pages))
    # graded: the checklist's grades as boxes, the legend saying what they mean
    assert "□A□B□C□D□不适用" in text
    assert "评价等级（PDCA四级评价）：A持续改进；B有监管；C有制度有落实；D不符合。" in text
    # sampled: how many, what is required, and room for the records that fail
    assert "至少抽查10份，要求：全部符合" in text and "抽查份数" in text and "不符合的病历号及问题" in text
    # measured: numerator and denominator, the year's target; a baseline where 逐步降低 compares with one
    assert "分子" in text and "分母" in text and f"{view.year}年目标：逐步降低" in text and "基线值" in text
    # the same numbers as the walkthrough and the reports, never the ids
    numbers = [item_number(i) for c in view.checklists for i in c.all_items() if i.applies_to(view.profile)]
    assert all(n in text for n in numbers[:20]) and "qyx-" not in text


def test_a_blank_form_carries_no_draft_mark_and_no_user_html(form):
    """The round is not 定稿, but a blank form is not a report of results: no 自查稿. The round name
    typed as HTML is printed as typed."""
    view, pages = form
    text = "".join(pages)
    assert not view.is_final and "自查稿" not in text
    assert "<b>一季度</b>检查" in text
    assert "检查人（签字）" in squeeze(text) and "被检查科室负责人（签字）" in squeeze(text)


def test_a_section_with_nothing_that_applies_prints_no_heading(store, catalog, actor, demo_round):
    view = load_round(store, demo_round)
    targets = next(c for c in view.checklists if c.id == "qyx-targets-2021")
    section = next(s for s in targets.all_sections() if any(i.id == NOT_FOR_THE_DEMO for i in s.items))
    rows = {i.id: i.id for i in targets.all_items() if i.id not in {x.id for x in section.items}}
    blocks = section_blocks(targets.sections, rows)
    headings = [title for block in blocks for title, _ in block.headings]
    assert section.title not in headings
    assert [i for block in blocks for i in block.items] == list(rows)  # every other row, in order
    # the whole checklist: every section heading once, as the 自查报告 prints them
    everything = section_blocks(targets.sections, {i.id: i.id for i in targets.all_items()})
    assert section.title in [title for block in everything for title, _ in block.headings]


def test_the_form_is_a_pdf_only(demo_file, tmp_path, cli):
    db, round_id = demo_file
    result = cli("report", "--db", db, "--round", round_id, "--kind", "form", "--out", tmp_path / "表.xlsx")
    assert result.returncode == 1 and "现场检查记录表只能生成 .pdf 文件" in result.stderr
    assert not (tmp_path / "表.xlsx").exists()


@pytest.fixture
def window(qtbot, store, catalog, actor, demo_round, ui_dialogs):
    from app.ui.main_window import MainWindow

    w = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(w)
    w.show()
    w.open_round(demo_round)
    return w


def test_the_menu_makes_the_form_and_previews_it_without_the_draft_note(qtbot, window, ui_dialogs, tmp_path):
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

"""Users' text cleaned before it is stored (issue 11, defect 6.8): bidi controls and other control
characters never reach the database, line breaks and tabs stay, lone surrogates cannot crash a
write. app/domain/text.py, used by the services."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.text import clean_text, filename_problem
from app.services import rectifications as rect_service
from app.services.answers import SampleInput, record_answer, set_samples
from app.services.demo import DEMO_REPORT_DATE
from app.services.rounds import load_round, rename_round, start_round

RLO = "ABC\u202eEVIL\u202c"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        (RLO, "ABCEVIL"),
        ("左\u2067右\u2069\u200e\u200f\u061c", "左右"),
        ("第一行\r\n第二行\r第三行\u2028第四行", "第一行\n第二行\n第三行\n第四行"),
        ("制表\t符与\x00空\x07字符\x1b[31m\x85", "制表\t符与空字符[31m"),
        ("坏\udcff字节", "坏\ufffd字节"),
        ("表情😀与生僻字𠀀和组合字é", "表情😀与生僻字𠀀和组合字é"),
    ],
)
def test_clean_text(typed, kept):
    assert clean_text(typed) == kept


def test_clean_text_returns_ordinary_text_as_it_is():
    text = "值班表未全院公开。\n抽查 3 个科室。"
    assert clean_text(text) is text


def test_file_name_problems():
    assert filename_problem("制度\n文件.pdf") and "换行" in filename_problem("制度\n文件.pdf")
    assert filename_problem("制度\x07.pdf")
    assert filename_problem("照片\u202egpj.pdf") is None  # cleaned, not refused
    assert filename_problem("会议纪要（2025）.docx") is None


def test_answers_are_stored_without_bidi_controls(store, demo_round, actor):
    answer = record_answer(
        store, demo_round, "qyx-core.05.1", actor, grade="D", finding=RLO, evidence="记录\u202d本", department="医务科"
    )
    assert answer.finding == "ABCEVIL" and answer.evidence == "记录本"
    row = store.answer(demo_round, "qyx-core.05.1")
    assert row.finding == "ABCEVIL"


def test_a_lone_surrogate_from_the_command_line_does_not_crash_a_write(store, demo_round, actor):
    """`python main.py answer --finding $'\\xff'` gives Python a lone surrogate, which SQLite
    cannot encode."""
    answer = record_answer(store, demo_round, "qyx-core.05.1", actor, grade="D", finding="坏\udcff")
    assert answer.finding == "坏\ufffd"


def test_sampled_records_are_cleaned(store, demo_round, actor):
    view = load_round(store, demo_round)
    item = next(i for i in view.items() if i.kind == "sampling" and i.applies_to(view.profile))
    set_samples(store, demo_round, item.id, [SampleInput("ZY\u202e001", True, "备\u202e注")], actor)
    assert [(s.record_no, s.note) for s in store.samples(demo_round, item.id)] == [("ZY001", "备注")]


def test_rectifications_rounds_and_team_are_cleaned(store, demo_round, actor, catalog):
    entry = rect_service.list_rectifications(store, demo_round, DEMO_REPORT_DATE)[0]
    rect_service.update_rectification(store, entry.id, actor, cause=RLO, measure="措\u2066施", owner="李\u202e敏")
    rect_service.record_recheck(
        store,
        entry.id,
        actor,
        passed=False,
        date=dt.date(2025, 6, 1),
        by="张\u202e华",
        result="未\u202e通过",
        today=DEMO_REPORT_DATE,
    )
    row = store.rectification(entry.id)
    assert (row.cause, row.measure, row.owner) == ("ABCEVIL", "措施", "李敏")
    assert (row.rechecked_by, row.recheck_result) == ("张华", "未通过")
    rename_round(store, demo_round, "2025年\u202e第二季度自查", actor)
    # the team is set when a round starts (there is no later edit of it)
    team_round = start_round(
        store, catalog.entries[:1], "2025年第三季度自查", dt.date(2025, 7, 1), actor, "王\u202e建国", ["李\u202e敏"]
    )
    renamed, team = load_round(store, demo_round), load_round(store, team_round)
    assert (renamed.name, team.leader, team.members) == ("2025年第二季度自查", "王建国", ("李敏",))

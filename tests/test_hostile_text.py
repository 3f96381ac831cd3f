"""Users' text cleaned before it is stored (issue 11, defect 6.8): bidi controls and other control
characters never reach the database, line breaks and tabs stay, lone surrogates cannot crash a
write. app/domain/text.py, used by the services."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.text import clean_text, filename_problem, safe_file_name
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


@given(st.text(max_size=200), st.integers(min_value=10, max_value=120))
def test_a_safe_file_name_is_short_clean_and_keeps_its_extension(name, limit):
    shown = safe_file_name(name, limit)
    assert 0 < len(shown) <= limit
    assert not set(shown) & set('<>:"/\\|?*') and shown.isprintable()
    assert shown == shown.strip(" .") or shown == "_"
    suffix = name.rpartition(".")[2]
    if "." in name and 0 < len(suffix) <= 8 and suffix.isascii() and suffix.isalnum() and name.strip(" .") == name:
        assert shown.endswith("." + suffix) or len(name.rpartition(".")[0].strip(" .")) == 0


def test_a_long_attachment_name_keeps_its_extension_in_the_package(store, demo_round, actor, tmp_path):
    """An 86-character 整改通知单扫描件.pdf went into the package as …整改通知单扫, with no .pdf:
    Windows could not tell how to open it."""
    import zipfile

    from app.exchange.export import export_package
    from app.services.attachments import add_attachment

    name = "关于" + "医疗质量安全核心制度落实情况" * 5 + "的整改通知单扫描件.pdf"
    scan = tmp_path / name
    scan.write_bytes(b"%PDF-1.4 scan")
    add_attachment(store, demo_round, scan, actor, item_id="qyx-core.01.1")
    export_package(store, demo_round, tmp_path / "p.zip", today=DEMO_REPORT_DATE)
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        names = [n.rsplit("/", 1)[1] for n in zf.namelist() if "关于医疗质量" in n]
    assert names == [name[:76] + ".pdf"]  # 80 characters with the extension


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

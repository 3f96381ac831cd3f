"""``main.py samples``: a sampling item's records from the command line (app/cli_samples.py), into
a real database through the grid's service, refusals changing nothing."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.cli_samples import COMPLIANT_WORDS, NONCOMPLIANT_WORDS, parse_record
from app.errors import InputError
from app.store import open_store

SAMPLED = "qyx-core.06.3"  # 讨论结论是否记入病历: at least 10 records, all must comply


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_records_replace_the_items_and_open_a_rectification_when_one_fails(demo_file, cli):
    db, round_id = demo_file
    listed = cli("samples", "--db", db, "--round", round_id, "--item", SAMPLED)
    assert listed.returncode == 0 and listed.stdout.count("符合") >= 10
    result = cli(
        "samples", "--db", db, "--round", round_id, "--item", SAMPLED,
        "--record", "2025001:符合", "--record", "ｂ2025002：不符合：未记录讨论结论",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "2. B2025002  不符合  未记录讨论结论" in result.stdout  # stored as the grid stores it
    assert "抽查 2 份，1 份不符合：未达标" in result.stdout
    store = open_store(db)
    try:
        records = store.samples(round_id, SAMPLED)
        assert [(r.record_no, r.compliant) for r in records] == [("2025001", True), ("B2025002", False)]
        assert any(r.item_id == SAMPLED for r in store.rectifications(round_id))  # as the grid would
    finally:
        store.close()
    as_json = json.loads(cli("samples", "--db", db, "--round", round_id, "--item", SAMPLED, "--json").stdout)
    assert as_json["records"][1] == {"record_no": "B2025002", "compliant": False, "note": "未记录讨论结论"}
    cleared = cli("samples", "--db", db, "--round", round_id, "--item", SAMPLED, "--clear")
    assert cleared.returncode == 0 and "尚无抽查记录" in cleared.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--item", SAMPLED, "--record", "2025001:maybe"], "应为“符合”或“不符合”"),
        (["--item", SAMPLED, "--record", "2025001"], "写法应为 病案号:符合"),
        (["--item", SAMPLED, "--record", "A1:符合", "--record", "a1:不符合"], "病案号“A1”重复（第 1 条和第 2 条）"),
        (["--item", "qyx-core.01.1", "--record", "1:符合"], "不是抽查条目"),
        (["--item", "qyx-core.01.1"], "不是抽查条目"),  # listing it told “尚无抽查记录”
        (["--item", "qyx-core.99.9", "--record", "1:符合"], "没有条目“qyx-core.99.9”"),
    ],
)
def test_a_refused_record_changes_nothing(demo_file, cli, args, said):
    db, round_id = demo_file
    before = digest(db)
    result = cli("samples", "--db", db, "--round", round_id, *args)
    assert result.returncode == 1 and said in result.stderr
    assert digest(db) == before


def test_nothing_is_written_while_the_window_has_the_database(demo_file, cli, lock_holder):
    """While the GUI has the database open it is the one writer: nothing is written here."""
    db, round_id = demo_file
    lock_holder(db)
    before = digest(db)
    result = cli("samples", "--db", db, "--round", round_id, "--item", SAMPLED, "--record", "1:符合")
    assert result.returncode == 1 and "正在图形界面中打开" in result.stderr
    assert digest(db) == before


record_numbers = st.text(st.characters(blacklist_characters=":：", blacklist_categories=("Cs",)), min_size=1).filter(
    lambda s: s.strip() != ""
)


@given(record_numbers, st.sampled_from(sorted(COMPLIANT_WORDS | NONCOMPLIANT_WORDS)), st.text())
def test_a_record_written_as_documented_reads_back(number, word, note):
    record = parse_record(f"{number}:{word}:{note}")
    assert (record.record_no, record.compliant, record.note) == (number.strip(), word in COMPLIANT_WORDS, note)


@given(st.text())
def test_any_text_is_a_record_or_a_chinese_refusal(spec):
    try:
        parse_record(spec)
    except InputError as err:
        assert spec in err.user_message and "病案号" in err.user_message

"""Property-based tests (Hypothesis) of what users and files can feed the program (issue 11,
section 5): the checklist loader, answer input and report text. Properties: no crash (only the
program's own errors, with a Chinese message), no traceback reaches the user, nothing is written
when input is refused. Example counts are kept small enough for CI (the module runs in ≈30 s)."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import string
import unicodedata

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.catalog import ChecklistError, load_catalog, read_checklist_file
from app.domain.identifiers import normalize_record_no
from app.errors import AppError, InputError
from app.render.html import LONG_RUN, breakable, printable
from app.services import rectifications as rect_service
from app.services.answers import SampleInput, parse_number, record_answer, set_samples
from app.services.demo import DEMO_REPORT_DATE, create_demo
from app.services.rounds import load_round
from app.store import Actor, open_store
from tests.test_catalog import VALID

FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]

#: What users type and files hold: every kind of character, with the troublesome ones made common.
TRICKY = "\u202e\u202d\u202a\u202b\u202c\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u200b\u200d\ufeff\x00\x07\r\n\t\x85"
user_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(TRICKY),
        st.sampled_from("医疗质量😀𠀀é<>&\"'%％０１.-"),
    ),
    max_size=300,
)


# --- the checklist loader ------------------------------------------------------------------------

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    user_text,
)
yaml_data = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["id", "title", "sections", "items", "kind", "text", "targets"]) | user_text,
            children,
            max_size=5,
        ),
    ),
    max_leaves=30,
)


def _mutations():
    """The valid file with a piece of it replaced by something else."""
    return st.tuples(
        st.integers(0, len(VALID)),
        st.integers(0, 40),
        user_text
        | st.sampled_from(
            ["[", "]", "{", "}", ":", "- ", "&a ", "*a", "!!python/object:os.system", "\t", "  ", "9" * 5000, "\n  - "]
        ),
    )


def _check_refusal(path, before: bytes) -> None:
    try:
        data = read_checklist_file(path)
    except ChecklistError as err:
        assert err.problems and all(p.line >= 1 and p.message for p in err.problems)
        assert "Traceback" not in str(err)
    else:
        assert isinstance(data, dict)
    assert path.read_bytes() == before, "reading a checklist file never changes it"


@settings(max_examples=120, deadline=None, suppress_health_check=FIXTURES)
@given(data=yaml_data)
def test_any_yaml_document_is_loaded_or_refused_with_a_message(tmp_path, data):
    path = tmp_path / "any.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _check_refusal(path, path.read_bytes())


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(change=_mutations())
def test_a_damaged_valid_file_is_loaded_or_refused_and_others_still_load(tmp_path, change):
    start, length, insert = change
    folder = tmp_path / "lists"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "a-good.yaml").write_text(VALID, encoding="utf-8")
    damaged = VALID[:start] + insert + VALID[start + length :]
    path = folder / "b-damaged.yaml"
    path.write_bytes(damaged.encode("utf-8", "surrogatepass"))
    before = path.read_bytes()
    _check_refusal(path, before)
    catalog = load_catalog([folder])
    assert "test-list" in [c.id for c in catalog.checklists]


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURES)
@given(raw=st.binary(max_size=400))
def test_any_bytes_are_loaded_or_refused(tmp_path, raw):
    path = tmp_path / "bytes.yaml"
    path.write_bytes(raw)
    _check_refusal(path, raw)


# --- answer input --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, catalog):
    folder = tmp_path_factory.mktemp("properties")
    store = open_store(folder / "demo.db")
    round_id = create_demo(store, catalog, Actor("测试员", "device-test"))
    store.close()
    return folder / "demo.db", round_id


@pytest.fixture
def demo(demo_db, tmp_path):
    """A copy of the demo database for each test (Hypothesis runs all its examples on it)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_db[0], path)
    store = open_store(path)
    yield store, demo_db[1]
    store.close()


def _snapshot(store, round_id):
    answers = store.conn.execute("SELECT * FROM answers ORDER BY item_id").fetchall()
    rects = store.conn.execute("SELECT * FROM rectifications ORDER BY id").fetchall()
    return [tuple(r) for r in answers], [tuple(r) for r in rects]


ITEMS = ["qyx-core.05.1", "qyx-core.01.1", "qyx-targets-2021.01.1"]
grades = st.one_of(st.none(), st.sampled_from(["A", "B", "C", "D", "NA", "E", "a", "", "不适用"]), user_text)
numbers = st.one_of(
    st.none(),
    user_text,
    st.floats(allow_nan=True),
    st.integers(-(10**30), 10**30),
    st.sampled_from(["１２", "12%", "７O", "-1", "1e309", "nan", "0"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(
    item=st.sampled_from(ITEMS),
    grade=grades,
    text=user_text,
    na_reason=user_text,
    value=numbers,
    numerator=numbers,
    denominator=numbers,
)
def test_any_answer_is_saved_cleaned_or_refused_with_nothing_written(
    demo, item, grade, text, na_reason, value, numerator, denominator
):
    store, round_id = demo
    actor = Actor("测试员", "device-test")
    fields = {"grade": grade, "finding": text, "na_reason": na_reason}
    view_item = item
    if item.startswith("qyx-targets"):
        view_item = next(i.id for i in load_round(store, round_id).items() if i.kind == "indicator")
        fields = {"value": value, "numerator": numerator, "denominator": denominator, "finding": text}
    before = _snapshot(store, round_id)
    try:
        answer = record_answer(store, round_id, view_item, actor, **fields)
    except InputError as err:
        assert err.user_message and "Traceback" not in err.user_message
        assert _snapshot(store, round_id) == before, "a refused answer wrote something"
    else:
        for stored in (answer.finding, answer.na_reason):
            assert not re.search(
                "[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b-\x1f\ud800-\udfff]", stored or ""
            )


@settings(max_examples=200, deadline=None)
@given(text=numbers)
def test_parse_number_gives_a_number_or_a_message(text):
    try:
        value = parse_number(text, "指标值", "value")
    except InputError as err:
        assert "指标值" in err.user_message
    else:
        assert value is None or (value >= 0 and value == value and value != float("inf"))


#: 病案号 as typed: one record in several spellings (full-width, lower case, spaces), pseudonyms,
#: blanks, and anything at all
record_numbers = st.one_of(
    st.sampled_from(["ZY2025001", "ｚｙ２０２５００１", "zy 2025001", "１２３", " 123", "脱敏-0a1b", "脱敏-0A1B"]),
    st.sampled_from(["", "　", "\u200b"]),
    user_text.map(lambda text: text[:30]),
)
HALF_WIDTH = string.ascii_letters + string.digits


@settings(max_examples=150, deadline=None, suppress_health_check=FIXTURES)
@given(rows=st.lists(st.tuples(record_numbers, st.booleans()), max_size=6))
def test_any_sampled_records_are_saved_normalised_and_once_or_refused(demo, rows):
    store, round_id = demo
    item_id = next(i.id for i in load_round(store, round_id).items() if i.kind == "sampling")
    before = store.samples(round_id, item_id)
    records = [SampleInput(number, compliant) for number, compliant in rows]
    try:
        set_samples(store, round_id, item_id, records, Actor("测试员", "device-test"))
    except InputError as err:
        assert err.user_message and err.field == "samples"
        assert store.samples(round_id, item_id) == before, "refused records were written"
    else:
        saved = [r.record_no for r in store.samples(round_id, item_id)]
        assert saved == [normalize_record_no(number) for number, _ in rows]
        assert len(set(saved)) == len(saved), "one record saved twice"
        assert all(normalize_record_no(n) == n for n in saved)


@settings(max_examples=100, deadline=None)
@given(number=st.text(alphabet=HALF_WIDTH + " ", min_size=1, max_size=20).filter(str.strip))
def test_a_full_width_record_number_is_the_half_width_one(number):
    full_width = "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in number)
    assert normalize_record_no(full_width) == normalize_record_no(number) == "".join(number.split()).upper()


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURES)
@given(finding=user_text)
def test_the_cli_never_shows_a_traceback(demo, finding):
    from app import cli

    store, round_id = demo
    path = str(store.path)
    args = [
        "answer",
        "--db",
        path,
        "--round",
        round_id,
        "--item",
        "qyx-core.05.1",
        "--grade",
        "D",
        "--finding",
        finding,
    ]
    assume("\x00" not in finding)  # an argv cannot hold NUL
    before = _snapshot(store, round_id)
    out = io.StringIO()
    with contextlib.redirect_stderr(out), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(args)  # argparse refusing an argument returns its code too
    assert code in (0, 1, 2), out.getvalue()
    assert "Traceback" not in out.getvalue()
    if code != 0:
        assert _snapshot(store, round_id) == before


# --- report text ---------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(text=user_text)
def test_printed_text_has_no_bidi_controls_and_no_long_unbroken_run(text):
    printed = printable(text)
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\x00-\x08\x0b-\x1f]", printed)
    # marks and format characters are never separated from the character they belong to
    bases = "".join(ch for ch in printed if unicodedata.category(ch) not in ("Mn", "Me", "Mc", "Cf") or ch == "\u200b")
    unbroken = r"[^\s\u200b\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
    assert not re.search(unbroken + f"{{{LONG_RUN + 1},}}", bases)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=string.ascii_letters + string.digits + "./:-_" + "é\u0301😀", max_size=400))
def test_breakable_only_adds_zero_width_spaces(text):
    out = breakable(text)
    assert out.replace("\u200b", "") == text
    assert not re.search(r"\S{" + str(LONG_RUN + 2) + ",}", out.replace("\u0301", "").replace("\u200b", " "))


@pytest.fixture(scope="module")
def report_db(demo_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-properties")
    path = folder / "demo.db"
    shutil.copy(demo_db[0], path)
    return path, demo_db[1]


report_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"]),
        st.sampled_from(TRICKY),
    ),
    min_size=1,
    max_size=600,
)


@settings(max_examples=8, deadline=None, suppress_health_check=FIXTURES)
@given(cause=report_text, measure=report_text)
def test_any_rectification_text_renders_without_an_empty_box(report_db, tmp_path, cause, measure):
    """Real PDFs (the 整改报告, ≈0.6 s each): whatever the text, the report renders, and no
    character is drawn as WeasyPrint's empty box: a character no font has is printed as its code
    point and named in a warning instead."""
    from app.render import render_report

    store = open_store(report_db[0])
    try:
        entry = rect_service.list_rectifications(store, report_db[1], DEMO_REPORT_DATE)[0]
        rect_service.update_rectification(
            store, entry.id, Actor("测试员", "d"), cause=cause[:2000], measure=measure[:2000]
        )
        result = render_report(store, report_db[1], "rectification", tmp_path / "r.pdf", today=DEMO_REPORT_DATE)
    except AppError as err:
        pytest.fail(f"refused: {err}")
    finally:
        store.close()
    assert result.pages >= 1
    assert not [w for w in result.warnings if "notdef" in w], result.warnings

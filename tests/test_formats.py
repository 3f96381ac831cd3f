"""One way to show numbers and the re-check (app/domain/formats.py), used everywhere."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.domain.formats import (
    NONE_YET,
    counts_text,
    measure_text,
    percent_text,
    rate_text,
    recheck_sentence,
    size_text,
    sizes_compared,
    typed_number,
)
from app.services.answers import MAX_NUMBER, parse_number

APP = Path(__file__).resolve().parent.parent / "app"


def test_completion_rounds_half_up_but_not_to_a_full_hundred():
    assert percent_text(2 / 3) == "67%" and percent_text(510 / 511) == "99%" and percent_text(1.0) == "100%"


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_completion_is_100_percent_exactly_when_all_is_answered(answered, applicable):
    answered = min(answered, applicable)
    assert (percent_text(answered / applicable) == "100%") == (answered == applicable)


def test_scores_rates_and_sizes():
    assert rate_text(None) == NONE_YET and rate_text(55.24) == "55.2%"
    assert rate_text(85.714) == "85.7%"
    assert size_text(3 * 1048576) == "3.0 MB"


def test_rates_and_values_round_half_up_as_the_workbooks_show_them():
    """9/16 graded points = 56.25%: the PDF said 56.2% and the workbook 56.3%; 1/80 = 1.25% read
    1.2% and 1.3%; 1805 per million = 1.805‰ read 1.80‰ and 1.81‰."""
    assert rate_text(9 / 16 * 100) == "56.3%" and rate_text(1 / 80 * 100) == "1.3%"
    assert (
        measure_text(1805 / 1_000_000 * 1000, "‰") == "1.81‰" and measure_text(0.125, "个", computed=False) == "0.13个"
    )
    assert rate_text(-0.05) == "-0.1%" and rate_text(100) == "100.0%"


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_shown_rate_is_the_half_up_rounding_of_its_shortest_decimal(numerator, denominator):
    from decimal import ROUND_HALF_UP, Decimal

    value = numerator / denominator * 100
    expected = Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert rate_text(value) == f"{expected}%"
    assert abs(float(rate_text(value)[:-1]) - value) <= 0.05 + 1e-9


@given(st.floats(min_value=0, max_value=MAX_NUMBER, allow_nan=False) | st.integers(0, int(MAX_NUMBER)).map(float))
def test_a_stored_number_goes_back_into_its_box_as_the_same_number(value):
    """1234567 was shown as 1.23457e+06, and leaving the item saved 1234570: the box must read
    back as exactly what is stored, without an exponent."""
    shown = typed_number(value)
    assert "e" not in shown.lower() and parse_number(shown, "分母", "denominator") == value


def test_a_huge_value_is_refused_on_input_and_printed_if_already_stored():
    """Thirty 9s typed as 中位时间 raised InvalidOperation on every keystroke and stopped the
    reports and the export of the round; such a value is now refused, and one stored before
    still prints."""
    import pytest

    from app.errors import InputError

    with pytest.raises(InputError, match="过大"):
        parse_number("9" * 30, "指标值", "value")
    assert rate_text(1e30) == "1000000000000000000000000000000.0%"
    assert measure_text(1e30, "分钟", computed=False).startswith("1000000000000000000000000000000")


def test_sizes_below_a_kilobyte_are_told_in_bytes_never_as_0_kb():
    assert [size_text(n) for n in (0, 1, 15, 1023)] == ["0 字节", "1 字节", "15 字节", "1023 字节"]
    assert [size_text(n) for n in (1024, 2000, 1048575)] == ["1 KB", "2 KB", "1.0 MB"]  # not "1024 KB"


def test_large_sizes_read_in_gigabytes():
    mb, gb = 1048576, 1073741824
    assert [size_text(n) for n in (845 * mb, 999 * mb, 1000 * mb, 21 * gb + 100 * mb)] == [
        "845.0 MB",
        "999.0 MB",
        "1.0 GB",
        "21.1 GB",
    ]


@given(st.integers(1, 10**12))
def test_a_file_with_content_never_reads_as_nothing(n):
    number, unit = size_text(n).split(" ")
    assert float(number) > 0 and unit in ("字节", "KB", "MB", "GB")
    assert len(number.split(".")[0]) <= 4  # never "21632.0 MB"


def test_a_size_over_its_limit_reads_larger_in_the_same_unit():
    mb, gb = 1048576, 1073741824
    assert sizes_compared(21_000_000, 20 * mb) == ("20.03 MB", "20 MB")
    assert sizes_compared(20 * mb + 2000, 20 * mb) == ("20.002 MB", "20 MB")
    assert sizes_compared(20 * mb + 1, 20 * mb) == ("20,971,521 字节", "20,971,520 字节")
    assert sizes_compared(2 * gb + 100 * mb, 2 * gb) == ("2.1 GB", "2 GB")


@given(st.integers(1, 4 * 1073741824), st.integers(1, 10**10))
def test_a_refused_size_never_reads_as_at_or_below_its_limit(limit, over):
    shown, limit_shown = sizes_compared(limit + over, limit)
    (size_number, unit), (limit_number, limit_unit) = shown.split(" "), limit_shown.split(" ")
    assert unit == limit_unit
    assert float(size_number.replace(",", "")) > float(limit_number.replace(",", ""))


def test_sizes_are_formatted_in_one_place():
    """No module but formats.py writes a size by dividing by 1024 in an f-string (``0 KB`` came
    from two lists doing so)."""
    offenders = [
        where
        for where, node in _nodes_outside_formats()
        if isinstance(node, ast.FormattedValue)
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.op, ast.Div)
        and isinstance(node.value.right, ast.Constant)
        and node.value.right.value in (1024, 1048576, 1073741824)
    ]
    assert offenders == [], "use app.domain.formats.size_text"


def _nodes_outside_formats():
    """(file:line, node) for every syntax node of the app but formats.py and the generated forms."""
    for path in APP.rglob("*.py"):
        if path.name == "formats.py" or "forms" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            yield f"{path.relative_to(APP)}:{getattr(node, 'lineno', 0)}", node


def test_a_measured_value_has_one_precision_per_unit():
    assert [measure_text(v, "%") for v in (66.0131, 48.8, 100, 57)] == ["66.0%", "48.8%", "100.0%", "57.0%"]
    assert measure_text(2.325581395348837, "例次/千导管日") == "2.33例次/千导管日"
    assert measure_text(1, "例次/千导管日") == "1.00例次/千导管日" and measure_text(1.5, "‰") == "1.50‰"
    # entered as it is in a unit of its own: a count stays a count
    assert [measure_text(v, "个", computed=False) for v in (3, 8.456, 8.5)] == ["3个", "8.46个", "8.5个"]
    assert measure_text(48.8, "%", computed=False) == "48.8%"
    # in running text with the counts it came from; in a table they go under it
    assert measure_text(66.013, "%", counts=(101.0, 153.0)) == "66.0%（101/153）"
    assert counts_text((1234567, 2000000)) == "1234567/2000000" and counts_text(None) == ""


def test_measured_values_are_formatted_in_one_place():
    """No module but formats.py writes an outcome's value or a reference with a precision of its
    own (``66.01%`` beside ``48.8%`` and ``2.326…`` came from three of them)."""
    offenders = [
        where
        for where, node in _nodes_outside_formats()
        if isinstance(node, ast.FormattedValue)
        and node.format_spec is not None
        and (
            (isinstance(node.value, ast.Attribute) and node.value.attr == "value")
            or (isinstance(node.value, ast.Name) and node.value.id in ("reference", "previous", "baseline", "rate"))
        )
    ]
    assert offenders == [], "use app.domain.formats.measure_text (or the item kind's measure)"


def test_the_recheck_sentence():
    assert recheck_sentence(None, None, "", "") == ""
    assert recheck_sentence(True, dt.date(2025, 5, 8), "刘洋", "已整改") == "2025年5月8日，刘洋，复查通过：已整改"
    assert recheck_sentence(False, None, "", "") == "复查未通过"


def test_scores_are_formatted_in_one_place():
    """No module but formats.py writes a score with ``:.1f`` beside its own '—' for None."""
    offenders = [
        where
        for where, node in _nodes_outside_formats()
        if isinstance(node, ast.IfExp)
        and isinstance(node.body, ast.Constant)
        and node.body.value == "—"
        and isinstance(node.orelse, ast.JoinedStr)
    ]
    assert offenders == [], "use app.domain.formats (rate_text, percent_text)"


def test_rounds_a_trend_leaves_out_are_named_with_their_dates():
    from app.domain.formats import rounds_left_out_sentence

    assert rounds_left_out_sentence([]) == ""
    two = [("一月自查", dt.date(2024, 1, 15)), ("二月自查", dt.date(2024, 2, 15))]
    assert rounds_left_out_sentence(two) == (
        "另有 2 轮较早的自查未绘入趋势图：一月自查（2024年1月15日）、二月自查（2024年2月15日）。"
    )
    many = [(f"{m}月自查", dt.date(2023, m, 1)) for m in range(1, 9)]
    assert rounds_left_out_sentence(many) == (
        "另有 8 轮较早的自查未绘入趋势图：1月自查（2023年1月1日）至8月自查（2023年8月1日）。"
    )

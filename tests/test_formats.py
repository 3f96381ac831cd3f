"""One way to show numbers and the re-check (app/domain/formats.py), used everywhere."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.domain.formats import NONE_YET, percent_text, rate_text, recheck_sentence, score_text, size_text

APP = Path(__file__).resolve().parent.parent / "app"


def test_completion_rounds_half_up_but_not_to_a_full_hundred():
    assert percent_text(2 / 3) == "67%" and percent_text(510 / 511) == "99%" and percent_text(1.0) == "100%"


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_completion_is_100_percent_exactly_when_all_is_answered(answered, applicable):
    answered = min(answered, applicable)
    assert (percent_text(answered / applicable) == "100%") == (answered == applicable)


def test_scores_rates_and_sizes():
    assert score_text(None) == NONE_YET and score_text(55.24) == "55.2"
    assert rate_text(85.714) == "85.7%"
    assert size_text(10) == "1 KB" and size_text(3 * 1048576) == "3.0 MB"


def test_the_recheck_sentence():
    assert recheck_sentence(None, None, "", "") == ""
    assert recheck_sentence(True, dt.date(2025, 5, 8), "刘洋", "已整改") == "2025-05-08，刘洋，复查通过：已整改"
    assert recheck_sentence(False, None, "", "") == "复查未通过"


def test_scores_are_formatted_in_one_place():
    """No module but formats.py writes a score with ``:.1f`` beside its own '—' for None."""
    offenders = []
    for path in APP.rglob("*.py"):
        if path.name == "formats.py" or "forms" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.IfExp)
                and isinstance(node.body, ast.Constant)
                and node.body.value == "—"
                and isinstance(node.orelse, ast.JoinedStr)
            ):
                offenders.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert offenders == [], "use app.domain.formats (score_text, rate_text, percent_text)"

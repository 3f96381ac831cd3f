"""kill -9 at random moments while answers are recorded (issue 11, section 5). A modest count
here; bench/kill_harness.py runs hundreds."""

from __future__ import annotations

import sys

import pytest

from tests.kill_harness import run_harness

RUNS = 12


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_no_acknowledged_write_is_lost_or_half_written_after_kill_9(tmp_path):
    totals = run_harness(tmp_path, RUNS)
    assert totals.runs == RUNS and totals.acknowledged > RUNS  # the writer got going before the kills
    assert totals.problems == []
    assert (totals.integrity_failures, totals.lost, totals.half_written) == (0, 0, 0)

"""筛选: which items of a round a screen shows — a mode (全部/未填/不符合/不适用), a 责任科室 and
search text — and how many items each mode would show."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..domain.checklist import Item
from ..domain.evaluation import NA_PROFILE, NA_USER, Outcome
from ..domain.records import Answer

ALL, UNANSWERED_ONLY, FAILING_ONLY, NOT_APPLICABLE_ONLY = "all", "unanswered", "failing", "na"
FILTER_LABELS = {ALL: "全部", UNANSWERED_ONLY: "未填", FAILING_ONLY: "不符合", NOT_APPLICABLE_ONLY: "不适用"}


@dataclass(frozen=True)
class ItemFilter:
    """What the walkthrough shows: a mode, a 责任科室, search text, and a checklist or section
    (``within``: its id) when the user came from a bar of the 概览."""

    mode: str = ALL
    department: str = ""
    text: str = ""
    within: str = ""

    def matches(self, item: Item, outcome: Outcome, answer: Answer | None) -> bool:
        if not self._mode_shows(outcome):
            return False
        if self.department and (answer is None or answer.department != self.department):
            return False
        if self.within and not item.id.startswith(self.within + "."):  # ids nest: list.section.item
            return False
        if self.text:
            needle = self.text.lower()
            haystack = f"{item.id} {item.text} {item.source} {answer.finding if answer else ''}".lower()
            return needle in haystack
        return True

    def _mode_shows(self, outcome: Outcome) -> bool:
        if self.mode == UNANSWERED_ONLY:
            # a sampling item with fewer records than it needs (待判定) too: the 未填 bar said 19,
            # the filter showed 18 (numbers review)
            return outcome.unfinished
        if self.mode == FAILING_ONLY:
            return outcome.failing
        if self.mode == NOT_APPLICABLE_ONLY:
            return outcome.state in (NA_PROFILE, NA_USER)
        return True


def mode_counts(
    items: Iterable[Item], outcomes: Mapping[str, Outcome], answers: Mapping[str, Answer]
) -> dict[str, int]:
    """How many items each mode shows (the counts beside 全部/未填/不符合/不适用)."""
    counts = dict.fromkeys(FILTER_LABELS, 0)
    filters = [ItemFilter(mode) for mode in FILTER_LABELS]
    for item in items:
        for flt in filters:
            counts[flt.mode] += flt.matches(item, outcomes[item.id], answers.get(item.id))
    return counts

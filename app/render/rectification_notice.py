"""整改通知单: the round's unfinished rectifications, one notice per 责任科室, to hand out.

After a self-inspection the 质控办 tells each department what it must put right, by when, and asks
for its 原因分析 and 整改措施 back, signed by the head of the department. The 整改报告 is the office's
ledger of every department; a notice is one department's page(s): its own items only, what has
happened to them so far (a failed re-check, a moved deadline, a re-grade), room to write what the
board has not recorded yet, and the lines to issue it, receive it, return it and re-check it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..domain.formats import cn_date
from ..domain.labels import ORIGIN_LABELS
from ..domain.records import ORIGIN_CARRIED, STATUS_CARRIED, STATUS_OVERDUE, UNFINISHED_STATUSES
from ..services.rectifications import RectificationEntry, follow_up_text, ledger_cells, list_rectifications
from ..services.rounds import RoundView, items_found_earlier, load_round
from ..services.rounds import references as round_references
from ..store import Store
from .model import Cover, round_cover

__all__ = ["NOTICE_TITLE", "RectificationNotice", "build_rectification_notice"]

NOTICE_TITLE = "医疗质量整改通知单"
#: a deadline nobody set, left for the office to write in by hand before the notice goes out
DATE_TO_WRITE = "　　年　月　日"


@dataclass(frozen=True)
class NoticeRow:
    """One rectification on a department's notice."""

    number: int
    #: its 序号 in the round's 整改台账 (整改报告, workbook, the package's 整改项NN folder): the
    #: returned notice is matched to the ledger by it
    ledger_number: int
    items: str
    #: what each of its items asks, worded as the checklist words it: the department reads the
    #: standard it is held to, not only a reference to look up
    requirements: tuple[str, ...]
    problem: str
    #: what has happened to it so far, as the 整改台账 tells it ('' for nothing yet)
    history: str
    owner: str
    deadline: str
    #: 已逾期，请立即整改 / 上轮转入 / 本轮复评已无问题 …, under the deadline, a line each
    #: ('' for none)
    remark: str
    #: as recorded on the board ('' leaves the cell to write in)
    cause: str
    measure: str


@dataclass(frozen=True)
class DepartmentNotice:
    #: the department it is sent to ('' for the office's own list of those with none yet)
    department: str
    intro: str
    rows: tuple[NoticeRow, ...]


@dataclass(frozen=True)
class RectificationNotice:
    cover: Cover
    notices: list[DepartmentNotice]
    #: the rectifications no department is named for: not sent, listed for the office to decide
    undecided: DepartmentNotice | None
    #: said instead of any notice when nothing is left to put right here ('' otherwise)
    nothing: str
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    kind: str = "notice"


def _row(
    number: int, ledger_number: int, entry: RectificationEntry, references: dict[str, str], texts: dict[str, str]
) -> NoticeRow:
    items, problem, cause, measure, _, owner, deadline, _ = ledger_cells(entry, references)
    remarks = []
    if entry.status == STATUS_OVERDUE:  # two lines: the date's column wrapped it as 请立即整 / 改
        remarks.append("已逾期，\n请立即整改")
    if entry.carried:
        remarks.append(ORIGIN_LABELS[ORIGIN_CARRIED])
    if entry.regraded:  # nothing left to put right: the office closes it with a re-check
        remarks.append("本轮复评已无问题，请配合复查销号")
    history = follow_up_text(entry)
    requirements = tuple(texts[i] for i in entry.item_ids if texts.get(i))
    return NoticeRow(
        number,
        ledger_number,
        items,
        requirements,
        problem,
        history,
        owner,
        deadline or DATE_TO_WRITE,
        "\n".join(remarks),
        cause,
        measure,
    )


def build_rectification_notice(store: Store, round_id: str, today: dt.date, font_family: str) -> RectificationNotice:
    """The 整改通知单 of a round on ``today``: a notice for each department with unfinished rectifications."""
    view = load_round(store, round_id)
    references = round_references(store, view)
    entries = list_rectifications(store, round_id, today, view)
    open_entries = [e for e in entries if e.status in UNFINISHED_STATUSES]
    texts = _item_texts(store, view, {i for e in open_entries for i in e.item_ids})
    ledger = {e.id: n for n, e in enumerate(entries, 1)}
    by_department: dict[str, list[RectificationEntry]] = {}
    for entry in open_entries:
        by_department.setdefault(entry.rectification.department, []).append(entry)
    # the profile's order (the office's own list), then any other department as first met
    order = {d: n for n, d in enumerate(view.profile.departments)}
    named = sorted((d for d in by_department if d), key=lambda d: order.get(d, len(order)))
    found = f"经{view.name}（自查日期{cn_date(view.started_on)}）"
    notices = [
        DepartmentNotice(
            department,
            f"{found}，贵科室有以下 {len(by_department[department])} 项问题需要整改。"
            "请按整改期限完成整改（已逾期的请立即整改），在“原因分析”“整改措施”栏填写（已填写的请核对），"
            "由科室负责人签字后于　　年　月　日前交回质控办；整改完成后请通知质控办复查。",
            tuple(_row(n, ledger[e.id], e, references, texts) for n, e in enumerate(by_department[department], 1)),
        )
        for department in named
    ]
    unnamed = by_department.get("", [])
    undecided = (
        DepartmentNotice(
            "",
            f"以下 {len(unnamed)} 项整改项尚未确定责任科室，没有列入以上各科室的通知单。"
            "请在整改台账中确定责任科室后重新生成。本页留存质控办，不发出。",
            tuple(_row(n, ledger[e.id], e, references, texts) for n, e in enumerate(unnamed, 1)),
        )
        if unnamed
        else None
    )
    return RectificationNotice(
        round_cover(view, "notice", NOTICE_TITLE, today), notices, undecided, _nothing(open_entries, entries, today)
    )


def _item_texts(store: Store, view: RoundView, item_ids: set[str]) -> dict[str, str]:
    """The text of each item, from the round's checklists or, for one carried over from a round
    whose checklist this one left out, from that round's."""
    texts = {item.id: item.text for item in view.items() if item.id in item_ids}
    earlier = items_found_earlier(store, view, item_ids - texts.keys())
    return texts | {item_id: item.text for item_id, (_, item) in earlier.items()}


def _nothing(open_entries: list[RectificationEntry], entries: list[RectificationEntry], today: dt.date) -> str:
    """Why no notice is sent ('' when some are): nothing open, or the open ones followed up in a
    later 复查轮次, whose notices send them (it read 无需发出 with 10 items carried on unfinished)."""
    if open_entries:
        return ""
    carried = [e for e in entries if e.status == STATUS_CARRIED]
    if carried:
        rounds = "、".join(f"《{n}》" for n in dict.fromkeys(n for e in carried for n in e.carried_to))
        return (
            f"截至{cn_date(today)}，本轮尚未完成的 {len(carried)} 项整改项已转入复查轮次{rounds}继续跟踪，"
            "请在该轮次中生成整改通知单。"
        )
    return f"截至{cn_date(today)}，本轮没有尚未完成的整改项，无需发出整改通知。"

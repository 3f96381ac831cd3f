"""The checklist → section → item tree of the walkthrough, with status marks and filters."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..domain.checklist import Section, item_number, numbered_in_order
from ..domain.evaluation import Outcome
from ..services.item_filter import ItemFilter
from ..services.rounds import RoundView
from .qt import QColor, QFont, QHeaderView, Qt, QTreeWidget, QTreeWidgetItem, QTreeWidgetItemIterator

ITEM_ROLE = Qt.ItemDataRole.UserRole
FOREGROUND_ROLE = Qt.ItemDataRole.ForegroundRole
FAILING_COLOUR = QColor("#b00020")
NA_COLOUR = QColor("#777777")
UNANSWERED_COLOUR = QColor("#1d5fa8")


class ItemTree(QTreeWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setColumnCount(2)
        self.setHeaderLabels(["检查条目", "状态"])
        self.header().setStretchLastSection(False)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setUniformRowHeights(True)
        self.setAccessibleName("检查条目树")
        # the text colour per state, as item data (the view paints a colour as a brush); None is
        # the default colour. Colours, not QBrush: building a QBrush makes PySide6 build the image
        # and gradient types its other constructors take (≈2 ms of start-up)
        self._colours = {"failing": FAILING_COLOUR, "na": NA_COLOUR, "unanswered": UNANSWERED_COLOUR, "": None}
        self.nodes: dict[str, QTreeWidgetItem] = {}
        self.section_nodes: list[tuple[QTreeWidgetItem, list[str]]] = []

    def populate(self, view: RoundView) -> None:
        self.clear()
        self.nodes.clear()
        self.section_nodes.clear()
        for checklist in view.checklists:
            top = QTreeWidgetItem([checklist.title, ""])
            bold = QFont(top.font(0))
            bold.setBold(True)
            top.setFont(0, bold)
            top.setToolTip(0, f"{checklist.title}（{checklist.source_document}）")
            self.addTopLevelItem(top)
            self.section_nodes.append((top, [i.id for i in checklist.all_items()]))
            for section in checklist.sections:
                self._add_section(top, section)
            top.setExpanded(True)

    def _add_section(self, parent: QTreeWidgetItem, section: Section) -> None:
        node = QTreeWidgetItem(parent, [section.title, ""])
        node.setToolTip(0, f"{section.title}　{section.source}")
        self.section_nodes.append((node, [i.id for i in section.all_items()]))
        in_order = numbered_in_order(section.items)  # 第n条 of its section, else its 编号: as the reports
        for n, item in enumerate(section.items, 1):
            leaf = QTreeWidgetItem(node, [f"{n if in_order else item_number(item)}　{item.text}", ""])
            leaf.setData(0, ITEM_ROLE, item.id)
            leaf.setToolTip(0, item.text)
            self.nodes[item.id] = leaf
        for sub in section.sections:
            self._add_section(node, sub)
        node.setExpanded(True)

    def set_outcome(self, item_id: str, outcome: Outcome) -> None:
        leaf = self.nodes[item_id]
        leaf.setText(1, outcome.label)  # 未达标, as the panel, 概览 and the reports say (it read 不符合)
        key = (
            "failing"
            if outcome.failing
            else "na"
            if not outcome.applicable
            else "unanswered"
            if outcome.unfinished  # a sampling item short of records too, as the 未填 filter finds it
            else ""
        )
        colour = self._colours[key]
        leaf.setData(0, FOREGROUND_ROLE, colour)
        leaf.setData(1, FOREGROUND_ROLE, colour)

    def update_counts(self, outcomes: dict[str, Outcome]) -> None:
        for node, item_ids in self.section_nodes:
            applicable = [outcomes[i] for i in item_ids if outcomes[i].applicable]
            answered = sum(o.answered for o in applicable)
            failing = sum(o.failing for o in applicable)
            text = f"{answered}/{len(applicable)}" + (f" ✗{failing}" if failing else "")
            node.setText(1, text)

    def apply_filter(self, flt: ItemFilter, matches: Callable[[ItemFilter, str], bool], keep: str | None = None) -> int:
        """Hide items that do not match, except ``keep``; returns how many are shown."""
        shown = 0
        for item_id, leaf in self.nodes.items():
            visible = item_id == keep or matches(flt, item_id)
            leaf.setHidden(not visible)
            shown += visible
        for node, item_ids in reversed(self.section_nodes):
            node.setHidden(all(self.nodes[i].isHidden() for i in item_ids))
        return shown

    def keyboardSearch(self, search: str) -> None:
        """No type-ahead: the rows start with item numbers, so a digit typed on an indicator or
        sampling item (which digits do not grade) would jump to another item, and the next digit
        grade that one. Ctrl+F searches."""

    def current_item_id(self) -> str | None:
        current = self.currentItem()
        return current.data(0, ITEM_ROLE) if current else None

    def select(self, item_id: str) -> None:
        leaf = self.nodes.get(item_id)
        if leaf is not None:
            self.setCurrentItem(leaf)
            self.scrollToItem(leaf)

    def visible_item_ids(self) -> Iterator[str]:
        it = QTreeWidgetItemIterator(self)
        while it.value():
            node = it.value()
            item_id = node.data(0, ITEM_ROLE)
            if item_id and not node.isHidden() and not (node.parent() and self._hidden_ancestor(node)):
                yield item_id
            it += 1

    @staticmethod
    def _hidden_ancestor(node: QTreeWidgetItem) -> bool:
        parent = node.parent()
        while parent is not None:
            if parent.isHidden():
                return True
            parent = parent.parent()
        return False

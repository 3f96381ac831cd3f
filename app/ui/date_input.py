"""A date field that takes a date typed as it is shown (2025-04-30) or as people write it
(2025/4/30, 2025.4.30).

Qt's QDateEdit moves on to the next part of the date by itself once one is full (after "2025", to
the month), and a separator typed then moves it on once more: "2025-03-15" typed into a yyyy-MM-dd
field set the day to 3 and left the month as it was, "2025-3-5" gave the 3rd of March — a wrong
date, without a word. Only the format's own separator moved on at all; "2025/1/15" gave November.

Qt also drops a digit typed where the part it would go into is already full, or over a selection of
more than one part: with the whole date chosen (Ctrl+A) or the cursor put before the year with the
mouse, "2024-2-29" kept the year shown and gave 2025-02-28. The digit now starts the part anew.

Wherever the cursor was, a whole date typed in one run (2025-04-03, 2025/4/3, 20250403) is taken
as that date: after clicking into the day, Qt had put the digits into the day alone.
"""

from __future__ import annotations

import datetime as dt
import re

from .qt import QDate, QDateEdit, Qt, QWidget

#: what people type between the year, month and day
SEPARATORS = "-/."
_SECTION = QDateEdit.Section
#: a whole date typed in one run: 2025-4-3, 2025/04/03, 2025.4.3, 20250403
_WHOLE_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})|(\d{4})(\d{2})(\d{2})")
#: the digits each part of the date holds, and its largest value
_PARTS = {_SECTION.YearSection: (4, 9999), _SECTION.MonthSection: (2, 12), _SECTION.DaySection: (2, 31)}


class DateInput(QDateEdit):
    """A separator typed just after the field moved on by itself is taken as done; any other moves
    on to the next part, as the format's own separator does."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._moved_on = False  # the last digit filled its part and the field moved on
        self._typed = ""  # digits and separators typed in a row since the cursor was last put
        self._before = self.date()  # the date before the run typed now began
        #: why the date last typed in one run was not taken ('' when it was): the field gets back
        #: the date it had, and the dialog's 确定 says why, once (problem)
        self.refused = ""
        self._calendar_hooked = False

    def _chosen(self, *_) -> None:
        """A date chosen (the calendar, the arrow keys): what was refused before is over. Not on
        every dateChanged: Qt's own fix-up on Enter or focus-out changes the date too."""
        self.refused = ""
        self._typed = ""

    def stepBy(self, steps: int) -> None:
        self._chosen()
        super().stepBy(steps)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        calendar = self.calendarWidget() if self.calendarPopup() else None
        if calendar is not None and not self._calendar_hooked:
            calendar.clicked.connect(self._chosen)
            self._calendar_hooked = True

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # before Qt's own fix-up on Enter makes 2025-04-31 into 2025-04-01 and the dialog
            # takes it: the date goes back, and the dialog's 确定 says why (problem)
            self._give_back()
        text = event.text()
        typing = bool(text) and (text.isdigit() or text in SEPARATORS)
        if typing and not self._typed:
            self._before = self.date()
        self._typed = self._typed + text if typing else ""
        if text and text in SEPARATORS:
            moved_on, self._moved_on = self._moved_on, False
            if not moved_on:
                self._next_section()
            event.accept()
            return
        if text.isdigit():
            self._choose_part_typed_over()
        before = self.currentSectionIndex()
        super().keyPressEvent(event)
        self._moved_on = text.isdigit() and self.currentSectionIndex() != before
        if typing:
            self._take_whole_date()

    def _take_whole_date(self) -> None:
        """The run typed so far, when it is a whole date, is the date: Qt fills the parts from the
        cursor on, and a run begun in the day had gone into the day alone."""
        found = _WHOLE_DATE.fullmatch(self._typed)
        if found is None:
            return
        year, month, day = (int(g) for g in found.groups() if g is not None)
        self.refused = _impossible(year, month, day)
        typed = QDate(year, month, day)
        if not self.refused and not self.minimumDate() <= typed <= self.maximumDate():
            latest = self.maximumDate()
            self.refused = (
                f"{typed.toString('yyyy-MM-dd')} 晚于可填的最晚日期 {latest.toString('yyyy-MM-dd')}"
                if typed > latest
                else f"{typed.toString('yyyy-MM-dd')} 早于可填的最早日期 {self.minimumDate().toString('yyyy-MM-dd')}"
            )
        if self.refused:
            # Qt makes 2025-02-30 into 2025-02-03, 20251301 into 2025-10-01, and a 复查日期 of 2099
            # into today, without a word; a key more may still make a date (2025-04-0 → 2025-04-03):
            # leaving the field or 确定 puts the date back and says why (problem)
            return
        if typed != self.date():
            self.setDate(typed)
        self.setCurrentSection(QDateEdit.Section.DaySection)

    def _give_back(self) -> None:
        """A date typed but not taken: the field shows again the date it had before."""
        if self.refused:
            self.setDate(self._before)
            self._typed = ""  # what is typed next is a new try

    def problem(self, label: str) -> str:
        """The message a dialog shows for a date typed but not taken ('' when there is none),
        once: the field shows its date again, which a second 确定 takes."""
        self._give_back()
        message = f"{label}：{self.refused}，请重新填写。" if self.refused else ""
        self.refused = ""
        return message

    def focusOutEvent(self, event) -> None:
        self._give_back()
        super().focusOutEvent(event)

    def mousePressEvent(self, event) -> None:
        self._typed = ""  # the cursor was put somewhere: a new run starts
        super().mousePressEvent(event)

    def _next_section(self) -> None:
        """On to the next part of the date, selected: what is typed there replaces it."""
        index = self.currentSectionIndex()
        if index + 1 < self.sectionCount():
            self.setCurrentSectionIndex(index + 1)
            self.setSelectedSection(self.currentSection())

    def _choose_part_typed_over(self) -> None:
        """Before a digit: where Qt would refuse it, the part it starts is chosen, to be replaced —
        the first part chosen when more than one is (Ctrl+A), else the part at the cursor when it
        cannot take another digit (2025, 04, 31). A part being typed keeps its digits."""
        edit = self.lineEdit()
        if edit.hasSelectedText():
            if edit.selectedText() == self.sectionText(self.currentSection()):
                return  # one part chosen: the digit replaces it, as Qt does
            self.setCurrentSectionIndex(self._part_at(edit.selectionStart()))
        else:
            part = self.sectionText(self.currentSection())
            digits, largest = _PARTS.get(self.currentSection(), (0, 0))
            if not digits or not part.isdigit() or (len(part) < digits and int(part + "0") <= largest):
                return
        self.setSelectedSection(self.currentSection())

    def _part_at(self, position: int) -> int:
        """The index of the part of the date at ``position`` of the text shown."""
        text, start = self.lineEdit().text(), 0
        for index in range(self.sectionCount()):
            part = self.sectionText(self.sectionAt(index))
            found = text.find(part, start)
            if found < 0:
                break
            start = found + len(part)
            if position < start:
                return index
        return max(self.sectionCount() - 1, 0)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Tab leaves the field, as any other field: Qt's went from the year to the month to the
        # day first, three Tabs for one field where a whole date is typed in one run anyway
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event) -> None:
        self._moved_on = False
        self._typed = ""
        super().focusInEvent(event)


def _impossible(year: int, month: int, day: int) -> str:
    """Why a date typed is no date ('' when it is one): ``2025年4月没有31日``."""
    if not 1 <= month <= 12:
        return f"{year}年没有{month}月"
    try:
        dt.date(year, month, day)
    except ValueError:
        return f"{year}年{month}月没有{day}日" if day else f"日期“{year}-{month}-{day}”不完整"
    return ""

"""A date field that takes a date typed as it is shown (2025-04-30) or as people write it
(2025/4/30, 2025.4.30).

Qt's QDateEdit moves on to the next part of the date by itself once one is full (after "2025", to
the month), and a separator typed then moves it on once more: "2025-03-15" typed into a yyyy-MM-dd
field set the day to 3 and left the month as it was, "2025-3-5" gave the 3rd of March — a wrong
date, without a word. Only the format's own separator moved on at all; "2025/1/15" gave November.
"""

from __future__ import annotations

from .qt import QDateEdit

#: what people type between the year, month and day
SEPARATORS = "-/."


class DateInput(QDateEdit):
    """A separator typed just after the field moved on by itself is taken as done; any other moves
    on to the next part, as the format's own separator does."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self._moved_on = False  # the last digit filled its part and the field moved on

    def keyPressEvent(self, event) -> None:
        text = event.text()
        if text and text in SEPARATORS:
            moved_on, self._moved_on = self._moved_on, False
            if not moved_on:
                self._next_section()
            event.accept()
            return
        before = self.currentSectionIndex()
        super().keyPressEvent(event)
        self._moved_on = text.isdigit() and self.currentSectionIndex() != before

    def _next_section(self) -> None:
        """On to the next part of the date, selected: what is typed there replaces it."""
        index = self.currentSectionIndex()
        if index + 1 < self.sectionCount():
            self.setCurrentSectionIndex(index + 1)
            self.setSelectedSection(self.currentSection())

    def focusInEvent(self, event) -> None:
        self._moved_on = False
        super().focusInEvent(event)

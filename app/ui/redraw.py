"""When a tab of the open round must be drawn again (整改台账, 概览): it is drawn when shown, and
again when shown after the round changed or on a new day — 逾期 and the overdue counts are told on
a date, and a window may stay open overnight."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


class DrawnAsOf:
    """What a tab last drew: whether the round changed since, and on which day."""

    def __init__(self, today: Callable[[], dt.date]) -> None:
        self._today = today
        self._on: dt.date | None = None  # not drawn yet
        self.changed = True

    def mark_changed(self) -> None:
        self.changed = True

    @property
    def due(self) -> bool:
        return self.changed or self._on != self._today()

    def drawn(self) -> None:
        self.changed, self._on = False, self._today()

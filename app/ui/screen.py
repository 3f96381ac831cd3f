"""Windows no larger than the screen they open on.

The program runs on 1366×768 PCs and on 1920×1080 laptops at 150% (a 1280×720 screen to Qt),
where the task bar leaves ≈680 pixels. A dialog sized for a larger screen there has its buttons
under the task bar, or its right edge off the screen, and Qt does not shrink it: a window's size
is what the program asks for. Sizes are therefore asked for through :func:`fit_to_screen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .qt import QWidget

#: what a window's frame takes beyond its contents: the title bar (≈30 px on Windows 10, more on
#: some 统信UOS themes) and the borders; the size asked for is the contents'
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def room(widget: QWidget) -> tuple[int, int]:
    """The largest contents a window of ``widget`` can have with its frame on the screen it opens
    on: the screen's free area (without the task bar) less the frame."""
    area = widget.screen().availableGeometry()
    return area.width() - FRAME_WIDTH, area.height() - FRAME_HEIGHT


def fits(widget: QWidget, width: int, height: int) -> bool:
    """Whether a window ``width``×``height`` (contents) fits on the screen, frame and all."""
    room_width, room_height = room(widget)
    return width <= room_width and height <= room_height


#: the text size the sizes asked for were chosen at: Qt's default, as on Windows at 100 %
DESIGN_POINT_SIZE = 9.0


def text_scale(widget: QWidget) -> float:
    """How much larger than the 9 pt the program's sizes were chosen for ``widget``'s text is (1 if
    not larger)."""
    return max(1.0, widget.font().pointSizeF() / DESIGN_POINT_SIZE)


def fit_to_screen(widget: QWidget, width: int, height: int) -> None:
    """``widget.resize(width, height)``, chosen for 9 pt text and as much larger as the text is
    (Windows' “make text bigger”, 统信UOS's and 麒麟's 10.5–11 pt: at 11.25 pt the new-round
    dialog's checklists wrapped in a window sized for 9 pt), but no larger than the screen's free
    area allows."""
    scale = text_scale(widget)
    room_width, room_height = room(widget)
    widget.resize(min(round(width * scale), room_width), min(round(height * scale), room_height))

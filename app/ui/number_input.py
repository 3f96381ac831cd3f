"""A spin box for a count (编制床位) that takes what an input method types.

Qt's QSpinBox drops any keystroke that is not an ASCII digit without a word: ``３００`` typed in an
input method's full-width mode left the field as it was, while the other fields of the program take
full-width digits. Forms made in Qt Designer use it as a promoted QSpinBox (header ``..number_input``).
"""

from __future__ import annotations

from ..domain.text import half_width
from .qt import QSpinBox, QValidator, Signal


class CountSpinBox(QSpinBox):
    """A whole number: full-width digits and separators count as the ordinary ones; input that
    can never become a number in range is refused as before, and told through :attr:`refused`."""

    #: what the field would have held (without its suffix) when an edit was refused
    refused = Signal(str)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        # a validator may change the text: the field then holds the half-width digits
        typed = half_width(text).removeprefix(self.prefix()).removesuffix(self.suffix()).strip()
        special = self.specialValueText()
        if special and typed != special and (special in typed or special.startswith(typed)):
            # typing into 未填写 (clicked into, not chosen): “未填写3” is 3 and “未填” (a Backspace)
            # is empty, not refused as no number
            typed = typed.replace(special, "").strip() if special in typed else ""
            text, pos = typed, len(typed)
        if typed.startswith("-"):
            # a count has no sign: a minimum below 0 is the special value's (编制床位's 未填写,
            # reached by the arrow keys), and a typed “-1” stood as “-1 张” and was saved as none
            self.refused.emit(typed)
            return QValidator.State.Invalid, text, pos
        result = super().validate(half_width(text), pos)
        if result[0] == QValidator.State.Invalid:
            self.refused.emit(typed)
        return result

"""What an item kind (条目类型) provides: everything that differs between 评价, 指标 and 抽查.

A kind is a stateless object; the registry (:mod:`app.domain.kinds`) holds one of each, found by
the name checklist files use (``kind: indicator``). Callers look the kind up and ask it; no code
outside this package compares ``item.kind`` with a name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ...errors import InputError
from ..checklist import NOT_APPLICABLE
from ..formats import measure_text

if TYPE_CHECKING:
    from ..checklist import Item, Scale
    from ..outcome import Outcome
    from ..records import Answer, SampleRecord

#: The answer's number fields (指标值、分子、分母、基线值).
NUMBER_FIELDS = ("value", "numerator", "denominator", "baseline")

#: A problem in one item's definition: (field, Chinese message).
DefinitionProblem = tuple[str, str]


class ItemKind(ABC):
    """One kind of checklist item. Subclasses set the class attributes and implement ``evaluate``;
    the other methods have the defaults of an item that is neither graded nor given numbers."""

    #: the name in checklist files, e.g. ``judgement``
    name: ClassVar[str]
    #: the name users read, e.g. 评价
    label: ClassVar[str]
    #: takes a grade of the checklist's scale (评价等级): grade buttons, keys 1–4, 得分
    graded: ClassVar[bool] = False
    #: takes numbers (指标值 or 分子/分母, 基线值)
    numeric: ClassVar[bool] = False
    #: takes sampled records (抽查记录)
    sampled: ClassVar[bool] = False
    #: has a value against a target: listed with the indicators in reports, workbooks and summaries
    measured: ClassVar[bool] = False
    #: JSON Schema of the checklist-file fields its items may have beyond the common ones (id, text,
    #: source, guidance…); the loader adds them to ``checklists/schema.json``'s item
    fields: ClassVar[Mapping[str, Mapping[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"<item kind {self.name}>"

    # --- checklist files ------------------------------------------------------------------

    def definition_problems(self, item: Mapping[str, Any]) -> Iterable[DefinitionProblem]:
        """What the schema cannot say about one item's definition (checked once the file passes
        the schema): missing units, targets the direction needs, fields the kind does not use."""
        return ()

    # --- answers --------------------------------------------------------------------------

    def validate(self, item: Item, scale: Scale, merged: Mapping[str, Any], given: Mapping[str, Any]) -> None:
        """Refuse an answer this kind cannot take (raises InputError). ``merged`` is the answer as it
        would be saved, ``given`` what this call changes; applicability and 不适用 are checked before."""
        grade = merged.get("grade")
        if grade is not None and grade != NOT_APPLICABLE:
            self.validate_grade(scale, grade)
        numbers = {k for k in NUMBER_FIELDS if given.get(k) is not None}
        self.validate_numbers(item, merged, given, numbers)

    def validate_grade(self, scale: Scale, grade: str) -> None:
        raise InputError("指标和抽查条目不评等级，请录入数值或抽查记录。", "grade")

    def validate_numbers(
        self, item: Item, merged: Mapping[str, Any], given: Mapping[str, Any], numbers: set[str]
    ) -> None:
        """``numbers``: the number fields ``given`` sets to a value."""
        if numbers:
            raise InputError("只有指标条目可以录入数值。", sorted(numbers)[0])

    # --- outcome and score ----------------------------------------------------------------

    @abstractmethod
    def evaluate(
        self,
        item: Item,
        scale: Scale,
        year: int,
        answer: Answer | None,
        samples: Sequence[SampleRecord],
        previous_value: float | None,
    ) -> Outcome:
        """The outcome of an applicable item not marked 不适用 (the caller has checked both)."""

    def compares_with_previous(self, item: Item, answer: Answer | None) -> bool:
        """Whether ``evaluate`` needs the previous round's value (looked up only then: it costs a query)."""
        return False

    def points(self, scale: Scale, outcome: Outcome) -> tuple[float, float] | None:
        """(得分, 满分) the outcome adds to the 得分率; None: the item is not scored."""
        return None

    # --- display --------------------------------------------------------------------------

    def unit(self, item: Item) -> str:
        """The unit the value is shown in."""
        return item.unit

    def computed(self, item: Item) -> bool:
        """Whether the item's value is computed (a rate from counts) rather than entered as it is:
        it decides how many decimals the value is shown with (:func:`~app.domain.formats.measure_decimals`)."""
        return False

    def measure(self, item: Item, value: float) -> str:
        """A value of this item (its own, a baseline, the previous round's) with its unit, as
        everything shows it: ``66.0%``, ``2.33例次/千导管日``."""
        return measure_text(value, self.unit(item), self.computed(item))

    def value_text(self, item: Item, outcome: Outcome, with_counts: bool = False) -> str:
        """The value as reports print it ("" when there is none); ``with_counts`` adds the counts it
        was computed from, as running text does: ``66.0%（101/153）``."""
        if outcome.value is None:
            return ""
        counts = outcome.counts if with_counts else None
        return measure_text(outcome.value, self.unit(item), self.computed(item), counts, outcome.decimals)

    def target_column(self, outcome: Outcome) -> str:
        """The target in a table's 目标 column, where the column's heading says what it is of."""
        return outcome.target_text

    def target_words(self, item: Item, year: int) -> str:
        """The target of ``year`` in words, as outcomes state it: ``≥80%``, ``逐步提高``."""
        return item.target_text(year)

    def counts(self, item: Item, outcome: Outcome, answer: Answer | None) -> tuple[float | None, float | None]:
        """(分子, 分母) behind the value, for the workbook's indicator sheet."""
        return None, None

    def problem_text(self, item: Item, outcome: Outcome, year: int) -> str:
        """What the result itself says is wrong, for :func:`app.domain.evaluation.problem_sentence`:
        a value below its target ("" unless the outcome is 未达标), or a grade ("" when there is
        nothing to say)."""
        return ""

    @property
    def reference_suffix(self) -> str:
        """What an item's reference adds after 第n条 (e.g. ``（指标）``)."""
        return f"（{self.label}）"

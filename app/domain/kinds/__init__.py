"""Item kinds (条目类型): one module per kind, and the registry that finds them by name.

Adding a kind is a module with an :class:`ItemKind` subclass and an entry in :data:`REGISTRY`
(docs/architecture.md, "Item kinds", has a worked example); the checklist schema's kind names and
fields, the loader's messages, evaluation, scoring and the reports follow from it. The GUI finds
the kind's editor in ``app.ui.item_editors.EDITORS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import AppError
from .base import ItemKind
from .indicator import Indicator
from .judgement import Judgement
from .sampling import Sampling

if TYPE_CHECKING:
    from ..checklist import Item

__all__ = ["REGISTRY", "ItemKind", "UnknownKindError", "kind_named", "kind_of"]

#: Every item kind by its name in checklist files, in the order messages list them.
REGISTRY: dict[str, ItemKind] = {kind.name: kind for kind in (Judgement(), Indicator(), Sampling())}


class UnknownKindError(AppError):
    """An item of a kind this version does not know (e.g. a round frozen by a newer version)."""

    def __init__(self, name: str) -> None:
        known = "、".join(REGISTRY)
        super().__init__(f"未知的条目类型“{name}”（本程序支持：{known}），请升级程序后再打开。")
        self.name = name


def kind_named(name: str) -> ItemKind:
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownKindError(name) from None


def kind_of(item: Item) -> ItemKind:
    return kind_named(item.kind)

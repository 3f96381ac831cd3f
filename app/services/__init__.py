"""Use cases shared by the GUI and the CLI (业务服务). They call the store and the domain."""

from typing import Any


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


#: Marks a keyword argument the caller leaves as it is (``None`` would clear the field).
UNSET: Any = _Unset()

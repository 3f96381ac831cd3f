"""汇总单位 kept between summaries: the commission or 医共体 lead hospital that makes them types
its name once, not on every month's summary."""

from __future__ import annotations

from ..store import Store
from .profile import get_profile

UNIT_SETTING = "aggregate.unit"


def summary_unit(store: Store) -> str:
    """The unit of the last summary made with this database; else the hospital's own name (a lead
    hospital summarising its members' packages); else ''."""
    kept = store.setting(UNIT_SETTING)
    if isinstance(kept, str):
        return kept
    profile = get_profile(store)
    return profile.name if profile else ""


def remember_summary_unit(store: Store, unit: str) -> bool:
    """Keep ``unit`` for the next summary; False when the database does not take it now (read-only,
    or busy with a backup), the unit still serving this summary."""
    return store.remember(UNIT_SETTING, unit)

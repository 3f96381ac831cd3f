"""医院基本情况: read and save the hospital profile."""

from __future__ import annotations

from ..domain.identifiers import check_hospital_code, normalize_code
from ..domain.profile import FLAGS, LEVEL_GRADES, LEVELS, MAX_NAME, TYPES, HospitalProfile
from ..domain.text import clean_text, name_key
from ..errors import InputError
from ..store import Actor, Store


def get_profile(store: Store) -> HospitalProfile | None:
    record = store.profile()
    return record.profile if record else None


def validate_profile(profile: HospitalProfile) -> None:
    """Raise InputError naming the first invalid field."""
    if not name_key(profile.name):  # also a name of zero-width spaces only, invisible on every page
        raise InputError("请填写医院名称。", "name")
    if message := check_hospital_code(profile.code):
        raise InputError(message, "code")
    if profile.level not in LEVELS:
        raise InputError(f"医院等级应为{'、'.join(LEVELS)}之一。", "level")
    if profile.level_grade and profile.level_grade not in LEVEL_GRADES:
        raise InputError(f"等次应为{'、'.join(LEVEL_GRADES)}之一。", "level_grade")
    if profile.type not in TYPES:
        raise InputError(f"医院类别应为{'、'.join(TYPES)}之一。", "type")
    if profile.beds is not None and not 0 <= profile.beds <= 20000:
        raise InputError("床位数应为 0 到 20000 之间的整数。", "beds")
    unknown = set(profile.flags) - set(FLAGS)
    if unknown:
        raise InputError(f"未知的服务项目：{'、'.join(sorted(unknown))}", "flags")
    if message := check_departments([d.strip() for d in profile.departments]):
        raise InputError(message, "departments")


def check_departments(names: list[str] | tuple[str, ...]) -> str:
    """'' when the department list can be saved, otherwise the message for the user."""
    if any(not n for n in names):
        return "科室名称不能为空。"
    if too_long := next((n for n in names if len(n) > MAX_NAME), None):
        return f"科室名称“{too_long[:12]}…”过长（{len(too_long)} 字，最多 {MAX_NAME} 字）。"
    if repeats := repeated_departments(names):
        # the list scrolls: a name and its rows tell where to look among twenty
        named = [f"“{name}”（第 {'、'.join(str(row + 1) for row in rows)} 行）" for name, rows in repeats.items()]
        more = f"等 {len(named)} 个" if len(named) > 3 else ""
        return f"科室名称有重复：{'、'.join(named[:3])}{more}。请删除或改名，每个科室只保留一行。"
    return ""


def repeated_departments(names: list[str] | tuple[str, ...]) -> dict[str, list[int]]:
    """Each name given more than once, with its rows (from 0), in the order the repeats come."""
    rows: dict[str, list[int]] = {}
    for row, name in enumerate(names):
        rows.setdefault(name, []).append(row)
    repeated = {name: at for name, at in rows.items() if len(at) > 1}
    return dict(sorted(repeated.items(), key=lambda entry: entry[1][1]))


def save_profile(store: Store, profile: HospitalProfile, actor: Actor) -> None:
    validate_profile(profile)
    data = profile.to_dict()
    data["code"] = normalize_code(data["code"])
    data["name"] = clean_text(data["name"]).strip()
    store.save_profile(data, actor)

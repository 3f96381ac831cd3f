"""Hospital profile (医院基本情况) and the applicability rules built on it."""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS: tuple[str, ...] = ("一级", "二级", "三级")
LEVEL_GRADES: tuple[str, ...] = ("甲等", "乙等", "丙等", "未定等")
TYPES: tuple[str, ...] = ("综合", "中医", "专科")

#: Service flags that drive applicability, with the label shown to users.
FLAGS: dict[str, str] = {
    "has_obstetrics": "有产科",
    "performs_surgery": "开展手术",
    "performs_grade4_surgery": "开展四级手术",
    "pci_capable": "具备PCI能力",
    "reperfusion_capable": "具备静脉溶栓/取栓（再灌注治疗）能力",
    "transfusion": "开展输血",
    "has_emergency": "设急诊科",
    "alliance_lead": "医联体牵头医院",
    "county_medical_center": "县域医疗中心",
}

#: The same flags, negated, for reasons such as “仅适用于：不具备PCI能力”.
NEGATED_FLAGS: dict[str, str] = {
    "has_obstetrics": "无产科",
    "performs_surgery": "不开展手术",
    "performs_grade4_surgery": "不开展四级手术",
    "pci_capable": "不具备PCI能力",
    "reperfusion_capable": "不具备再灌注治疗能力",
    "transfusion": "不开展输血",
    "has_emergency": "未设急诊科",
    "alliance_lead": "非医联体牵头医院",
    "county_medical_center": "非县域医疗中心",
}

#: The longest name of a department or a person (责任科室、责任人、复查人), here and on the 整改台账
MAX_NAME = 50

#: Departments a county hospital usually has; the profile starts from this list.
COMMON_DEPARTMENTS: tuple[str, ...] = (
    "医务科",
    "护理部",
    "质控办",
    "院感科",
    "药剂科",
    "病案室",
    "信息科",
    "设备科",
    "内科",
    "外科",
    "妇产科",
    "儿科",
    "急诊科",
    "重症医学科",
    "麻醉科",
    "手术室",
    "检验科",
    "影像科",
    "输血科",
    "康复医学科",
    "中医科",
)


@dataclass(frozen=True)
class HospitalProfile:
    """医院基本情况: set up once, copied into each round when it starts."""

    name: str
    level: str
    type: str
    code: str = ""
    level_grade: str = ""
    beds: int | None = None
    departments: tuple[str, ...] = COMMON_DEPARTMENTS
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def level_label(self) -> str:
        return f"{self.level}{self.level_grade}"

    def describe_flags(self) -> str:
        return "、".join(FLAGS[f] for f in FLAGS if f in self.flags) or "无"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "code": self.code,
            "level": self.level,
            "level_grade": self.level_grade,
            "type": self.type,
            "beds": self.beds,
            "departments": list(self.departments),
            "flags": sorted(self.flags),
        }

    @classmethod
    def from_dict(cls, data: dict) -> HospitalProfile:
        return cls(
            name=data["name"],
            code=data.get("code") or "",
            level=data["level"],
            level_grade=data.get("level_grade") or "",
            type=data["type"],
            beds=data.get("beds"),
            departments=tuple(data.get("departments") or ()),
            flags=frozenset(data.get("flags") or ()),
        )


@dataclass(frozen=True)
class Condition:
    """适用条件: every listed part must hold (``any_of``: at least one sub-condition)."""

    levels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    not_flags: tuple[str, ...] = ()
    any_of: tuple[Condition, ...] = ()

    def holds(self, profile: HospitalProfile) -> bool:
        if self.levels and profile.level not in self.levels:
            return False
        if self.types and profile.type not in self.types:
            return False
        if any(f not in profile.flags for f in self.flags):
            return False
        if any(f in profile.flags for f in self.not_flags):
            return False
        return not self.any_of or any(c.holds(profile) for c in self.any_of)

    def describe(self) -> str:
        """The condition in words, e.g. ``二级、三级医院；有产科``."""
        parts = []
        if self.levels:
            parts.append("、".join(self.levels) + "医院")
        if self.types:
            parts.append("、".join(self.types) + "医院")
        parts += [FLAGS[f] for f in self.flags]
        parts += [NEGATED_FLAGS[f] for f in self.not_flags]
        if self.any_of:
            parts.append("或".join(f"（{c.describe()}）" for c in self.any_of))
        return "；".join(parts)

    def unmet(self, profile: HospitalProfile) -> list[tuple[str, str]]:
        """Why the condition does not hold for ``profile``: (what the hospital is, whom the condition
        asks for) for each part that fails, e.g. ``("无产科", "有产科的医院")``; [] when it holds."""
        out = []
        if self.levels and profile.level not in self.levels:
            out.append((f"为{profile.level}医院", "、".join(self.levels) + "医院"))
        if self.types and profile.type not in self.types:
            out.append((f"为{profile.type}医院", "、".join(self.types) + "医院"))
        out += [(NEGATED_FLAGS[f], _hospitals(FLAGS[f])) for f in self.flags if f not in profile.flags]
        out += [(FLAGS[f], _hospitals(NEGATED_FLAGS[f])) for f in self.not_flags if f in profile.flags]
        if self.any_of and not any(c.holds(profile) for c in self.any_of):
            alternatives = [c.unmet(profile) for c in self.any_of]
            facts = dict.fromkeys(fact for parts in alternatives for fact, _ in parts)
            asks = "或".join("且".join(ask for _, ask in parts) for parts in alternatives)
            out.append(("、".join(facts), asks))
        return out

    def to_dict(self) -> dict:
        out: dict = {}
        for key in ("levels", "types", "flags", "not_flags"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        if self.any_of:
            out["any_of"] = [c.to_dict() for c in self.any_of]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Condition:
        return cls(
            levels=tuple(data.get("levels", ())),
            types=tuple(data.get("types", ())),
            flags=tuple(data.get("flags", ())),
            not_flags=tuple(data.get("not_flags", ())),
            any_of=tuple(cls.from_dict(c) for c in data.get("any_of", ())),
        )


def _hospitals(words: str) -> str:
    """``有产科`` → ``有产科的医院``; words that name a kind of hospital stay as they are."""
    return words if words.endswith(("医院", "医疗中心")) else f"{words}的医院"


def _identity_text(text: str | None) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def hospital_key(code: str | None, name: str | None) -> str:
    """Who a hospital is, for telling packages apart: its code when it has one, else its name
    (全角/半角, spaces and case aside)."""
    return f"code:{_identity_text(code)}" if _identity_text(code) else f"name:{_identity_text(name)}"


def same_hospital(a: dict, b: dict) -> bool:
    """Two profiles (dicts with name and code) of one hospital: by code when both have one, else by name."""
    if _identity_text(a.get("code")) and _identity_text(b.get("code")):
        return _identity_text(a.get("code")) == _identity_text(b.get("code"))
    return _identity_text(a.get("name")) == _identity_text(b.get("name"))

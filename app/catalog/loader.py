"""Read checklist YAML files, validate them and build the domain's Checklist.

Every problem is reported as ``file:line: field: message`` in Chinese, so that whoever edits a
content file can find the line. The same builder turns a round's frozen JSON copy back into a
Checklist.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..domain.checklist import SCALES, local_number
from ..domain.kinds import REGISTRY, kind_named
from ..domain.profile import FLAGS
from ..errors import AppError, os_reason

Path_ = tuple[str | int, ...]

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "checklists" / "schema.json"

#: The largest built-in file is ≈60 KB; a hostile one must not be read into memory whole.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Nodes nested deeper than this are refused before validation (the built-in files reach ≈12;
#: jsonschema recursed out of stack at ≈170 nested sections).
MAX_DEPTH = 64
#: An integer with more digits is refused (Python refuses to convert 4,300 and more).
MAX_INT_DIGITS = 30


@dataclass(frozen=True)
class Problem:
    """One validation problem (校验错误)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    def plain(self, with_file: bool = True) -> str:
        """As a dialog tells it: ``专项.yaml 第 9 行（条目“ly-zk.1.1”的 target）：…`` (``:9:`` is
        no line number to a quality-office clerk)."""
        where = "" if self.field.startswith("(") else f"（{self.field}）"
        file = f"{Path(self.file).name} " if with_file else ""
        return f"{file}第 {self.line} 行{where}：{self.message}"


class ChecklistError(AppError):
    """A checklist file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def checklist_schema(base: dict | None = None) -> dict:
    """The schema content files are checked against: ``checklists/schema.json`` (or ``base``) with
    its item-kind part from the registry: the kind names and the fields each kind's items may have.

    The file carries the same part for editors and tools that read it; a test keeps them equal.
    """
    schema = copy.deepcopy(base) if base is not None else json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    properties = schema["$defs"]["item"]["properties"]
    properties["kind"] = {"enum": list(REGISTRY)}
    for kind in REGISTRY.values():
        properties.update(copy.deepcopy(dict(kind.fields)))
    return schema


def _validator():
    return _build_validator(tuple(REGISTRY.values()))


@cache
def _build_validator(kinds: tuple) -> Any:
    """One validator per set of kinds (tests register a kind for a while)."""
    import jsonschema  # deferred: only needed when content files are read

    return jsonschema.Draft202012Validator(checklist_schema())


def _field(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(文件)"


_NODE_NAMES = {"items": "条目", "sections": "章节"}


def _place(path: Path_, data: Any) -> str:
    """Where a problem is, as the file's author finds it: ``条目“ly-zkjc-2025.1.2”的 target``,
    ``章节“ly-zkjc-2025.1”的 items``, not ``sections[0].sections[1].items[0].target`` (indices
    counted from 0, which a quality-office author took for the first section)."""
    node: Any = data
    where, rest = "", []
    for n, part in enumerate(path):
        node = _child(node, part)
        kind = _NODE_NAMES.get(str(path[n - 1])) if n and isinstance(part, int) else None
        if kind is None or not isinstance(part, int):
            rest.append(part)
            continue
        node_id = node.get("id") if isinstance(node, dict) else None
        where = f"{kind}“{node_id}”" if isinstance(node_id, str) and node_id else f"{where}第 {part + 1} 个{kind}"
        rest = []
    if not where:
        return _field(path)
    return f"{where}的 {_field(tuple(rest))}" if rest else where


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


class _LineMap:
    """Line numbers of YAML nodes by their path in the loaded data."""

    def __init__(self, node: Any) -> None:
        self.lines: dict[Path_, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: Any, path: Path_) -> None:
        import yaml

        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                self.lines[sub] = key.start_mark.line + 1
                self._walk(value, sub)
                self.lines[sub] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                self._walk(value, (*path, i))

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def _stringify_keys(data: Any) -> Any:
    """YAML reads ``2024: 70`` with an int key; JSON (and the schema) needs strings."""
    if isinstance(data, dict):
        return {str(k): _stringify_keys(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_stringify_keys(v) for v in data]
    return data


_TYPE_NAMES = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "array": "列表",
    "object": "映射",
}


def _required(error) -> tuple[Path_, str]:
    missing = [k for k in error.validator_value if k not in (error.instance or {})]
    return tuple(error.absolute_path), "缺少必填字段“" + "”“".join(missing) + "”"


def _additional(error) -> tuple[Path_, str]:
    extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
    message = "未知字段“" + "”“".join(extra) + "”"
    if "scale" in extra and "kind" in error.instance:  # a yes/no item among graded ones
        message += "：评分标准（scale）写在检查表开头，对整张检查表有效；用另一种评分标准的条目请另建一张检查表"
    return (*error.absolute_path, extra[0]), message


def _enum(error) -> tuple[Path_, str]:
    path: Path_ = tuple(error.absolute_path)
    named: dict[str, tuple[str, Iterable[str]]] = {"kind": ("条目类型", REGISTRY), "scale": ("评分标准", SCALES)}
    what, names = named.get(str(path[-1]) if path else "", ("", ()))
    if what == "条目类型":
        labels = "、".join(f"{name}（{REGISTRY[name].label}）" for name in REGISTRY)
        return path, f"未知的{what}“{error.instance}”（可选：{labels}）"
    if what:
        return path, f"未知的{what}“{error.instance}”（可选：{'、'.join(names)}）"
    values = [str(v) for v in error.validator_value]
    if values and all(v in FLAGS for v in values):  # a service: 有产科 is has_obstetrics
        labels = "、".join(f"{v}（{FLAGS[v]}）" for v in values)
        return path, f"未知的服务项目“{error.instance}”（可选：{labels}）"
    if path and str(path[-1]) == "direction":
        return path, f'取值“{error.instance}”无效（可选：{"、".join(values)}；须加英文双引号，如 direction: ">="）'
    return path, f"取值“{error.instance}”无效（可选：{'、'.join(values)}）"


def _type_message(error) -> str:
    wanted = _TYPE_NAMES.get(error.validator_value, error.validator_value)
    if error.instance is None and error.validator_value in ("array", "object"):
        return "不能为空：请在下一行起列出内容（列表的每一项以“- ”开头，比上一行多缩进两个空格）"
    where = str(error.absolute_path[-1]) if error.absolute_path else ""
    if error.validator_value == "number" and isinstance(error.instance, str):
        if where == "target" or (len(error.absolute_path) > 1 and error.absolute_path[-2] == "targets"):
            return f"目标值应只写数字（现为“{error.instance}”），如 target: 90；“≥”“≤”另写在 direction 中"
        return f"应只写数字（现为“{error.instance}”），不带单位和符号"
    if where == "number" and isinstance(error.instance, int | float):
        return f'条目自己的编号应加英文双引号，如 number: "{error.instance}"（否则 2.10 会被读成 2.1）'
    if where == "version" and isinstance(error.instance, int | float):
        return f'版本号应加英文双引号，如 version: "{error.instance}"（否则 2025.10 会被读成 2025.1）'
    return f"类型应为{wanted}"


def _pattern_message(error) -> str:
    where = str(error.absolute_path[-1]) if error.absolute_path else ""
    if where == "id":
        top = len(error.absolute_path) == 1
        example = "ly-zkjc-2025" if top else "ly-zkjc-2025.1.2"
        rule = "" if top else "，以检查表编号开头、各级之间用“.”分隔"
        return f"编号“{error.instance}”只能用小写英文字母、数字和“-”{rule}，如 {example}"
    if where == "number":
        return f"条目自己的编号“{error.instance}”不能含空格，如 number: 一（一）1"
    if where == "targets":
        return f"目标值的年份只写四位数字（现为“{error.instance}”），如 targets: {{2025: 90}}"
    return f"“{error.instance}”格式不正确（应匹配 {error.validator_value}）"


def _any_of(error) -> str | None:
    return "章节须包含 items 或 sections" if isinstance(error.instance, dict) and "title" in error.instance else None


#: Messages by the schema keyword that failed: each returns the message, or None for the generic one.
_MESSAGES: dict[str, Callable[[Any], str | None]] = {
    "type": lambda e: _type_message(e),
    "pattern": lambda e: _pattern_message(e),
    "minItems": lambda e: "不能为空",
    "minLength": lambda e: "不能为空",
    "maxLength": lambda e: f"过长（至多 {e.validator_value} 个字，现有 {len(e.instance)} 个）",
    "minProperties": lambda e: "不能为空",
    "anyOf": _any_of,
    "minimum": lambda e: f"数值 {e.instance} 超出允许范围",
    "maximum": lambda e: f"数值 {e.instance} 超出允许范围",
    "exclusiveMinimum": lambda e: f"数值 {e.instance} 超出允许范围",
    "propertyNames": lambda e: "目标值的键应为四位年份",
}

#: Keywords whose message also changes the path it is reported at.
_PLACED: dict[str, Callable[[Any], tuple[Path_, str]]] = {
    "required": _required,
    "additionalProperties": _additional,
    "enum": _enum,
}


def _schema_message(error) -> tuple[Path_, str]:
    """Turn a jsonschema error into (path, Chinese message)."""
    placed = _PLACED.get(error.validator)
    if placed is not None:
        return placed(error)
    message = _MESSAGES.get(error.validator, lambda e: None)(error)
    return tuple(error.absolute_path), message or f"不符合格式要求（{error.message}）"


def _semantic_problems(data: dict, lines: _LineMap) -> Iterable[tuple[Path_, str]]:
    """Checks the schema cannot express: id prefixes, unique ids, units and targets."""
    prefix = data["id"] + "."
    seen: dict[str, Path_] = {}
    item_ids: list[str] = []

    def check_id(node: dict, path: Path_) -> Iterable[tuple[Path_, str]]:
        node_id = node["id"]
        if not node_id.startswith(prefix):
            yield (*path, "id"), f"编号“{node_id}”应以“{prefix}”开头"
        if node_id in seen:
            yield (*path, "id"), f"编号“{node_id}”重复（第 {lines.line((*seen[node_id], 'id'))} 行已用过）"
        seen.setdefault(node_id, path)

    def walk(section: dict, path: Path_) -> Iterable[tuple[Path_, str]]:
        yield from check_id(section, path)
        if not section.get("items") and not section.get("sections"):
            yield path, f"章节“{section['title']}”没有条目：请在 items 下列出条目，或在 sections 下列出下一级章节"
        for i, item in enumerate(section.get("items", [])):
            ipath = (*path, "items", i)
            yield from check_id(item, ipath)
            yield from _item_problems(item, ipath)
            item_ids.append(item["id"])
        for i, sub in enumerate(section.get("sections", [])):
            yield from walk(sub, (*path, "sections", i))

    for i, section in enumerate(data["sections"]):
        yield from walk(section, ("sections", i))
    yield from _unused_numbering(data, item_ids)


def _unused_numbering(data: dict, item_ids: Iterable[str]) -> Iterable[tuple[Path_, str]]:
    """A ``numbering`` code that no item's number uses is a slip (``ta`` for ``t``): the numbers
    it was meant for would print as codes. Items only: a section's id is never printed, and an
    indicator's ``.rate`` is not part of its number."""
    numbers = (local_number(item_id, data["id"]) for item_id in item_ids)
    used = {m[0] for number in numbers for part in number.split(".") if (m := re.match(r"[a-z]+", part))}
    for code in data.get("numbering", {}):
        if code not in used:
            yield ("numbering", code), f"编号中没有以“{code}”开头的部分，这一项用不上"


def _item_problems(item: dict, path: Path_) -> Iterable[tuple[Path_, str]]:
    for field, message in kind_named(item["kind"]).definition_problems(item):
        yield (*path, field), message


def validate_data(data: Any, file: str, lines: _LineMap | None = None) -> dict:
    """Validate loaded data; return it with string year keys, or raise ChecklistError."""
    lines = lines or _LineMap(None)
    if not isinstance(data, dict):
        raise ChecklistError([Problem(file, 1, "(文件)", "文件内容应为一个映射（id、title、sections…）")])
    data = _stringify_keys(data)
    found = [_schema_message(e) for e in _validator().iter_errors(data)]
    if not found:
        found = list(_semantic_problems(data, lines))
    if found:
        found.sort(key=lambda pm: lines.line(pm[0]))
        raise ChecklistError([Problem(file, lines.line(p), _place(p, data), m) for p, m in found])
    return data


def _parse(text: str) -> tuple[Any, Any]:
    """Parse once, keeping both the node tree (for line numbers) and the data.

    PyYAML is imported here, not at start-up: opening a round needs only its frozen JSON copy.
    libyaml's parser is used when PyYAML was built with it (the wheels are): ~20× faster.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        _check_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


class _NodeProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _check_nodes(root) -> None:
    """Refuse what YAML allows but a checklist file must not have, before it is built:
    anchors and aliases (&a … *a: a small hostile file of aliases of aliases, a “billion
    laughs”, would expand into gigabytes) and a field given twice in one place (YAML keeps the
    last silently, so an edit could be lost without a word)."""
    seen: set[int] = set()
    stack = [(root, 1)] if root is not None else []
    while stack:
        node, depth = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:  # the composer shares an aliased node: this is its second use
            raise _NodeProblem(line, "检查表文件不支持 YAML 锚点和别名（& 和 *），请把内容直接写出。")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise _NodeProblem(line, f"内容嵌套层数过多（超过 {MAX_DEPTH} 层），请检查章节的缩进。")
        if not isinstance(node.value, list):
            if node.tag == "tag:yaml.org,2002:int" and sum(c.isdigit() for c in node.value) > MAX_INT_DIGITS:
                digits = sum(c.isdigit() for c in node.value)
                raise _NodeProblem(line, f"数字过长（{digits} 位，最多 {MAX_INT_DIGITS} 位）。")
            continue
        keys: set = set()
        for child in node.value:
            if isinstance(child, tuple):  # a mapping's (key, value)
                key = child[0]
                if isinstance(key.value, str):
                    if key.value in keys:
                        raise _NodeProblem(key.start_mark.line + 1, f"字段“{key.value}”在同一处写了两次。")
                    keys.add(key.value)
                stack.extend((c, depth + 1) for c in child)
            else:
                stack.append((child, depth + 1))


@dataclass(frozen=True)
class _Slip:
    """A YAML syntax error where it was found: libyaml's words, and the lines near it."""

    problem: str
    context: str
    #: the line libyaml stopped at, and the line the construct it was reading began on
    line: int
    started: int
    lines: tuple[str, ...]

    def text(self, n: int) -> str:
        return self.lines[n - 1] if 0 < n <= len(self.lines) else ""

    def near(self) -> tuple[int, ...]:
        """The lines the slip may be on: libyaml stops on the line after it, or on it."""
        return tuple(dict.fromkeys((self.started, self.line - 1, self.line)))


#: what a YAML value cannot start with unquoted
_NEEDS_QUOTES = "%@`>|!&*"
#: an unquoted value holding a colon and a space: ``text: 查阅资料: 会议记录``
_COLON_IN_VALUE = re.compile(r"^\s*(?:-\s+)?[^\s:#][^:#]*:\s+[^\s\"'].*?:\s")


#: a line whose value is quoted: ``version: "2025.1"``, ``- "x"`` (``title: 21"显示器`` is not)
_QUOTED_VALUE = re.compile(r'^\s*(?:-\s+)?(?:[^\s:#"][^:#]*:\s+)?"')


def _unpaired_quote(slip: _Slip) -> tuple[int, str] | None:
    n = next(
        (n for n in range(1, slip.line + 1) if _QUOTED_VALUE.match(slip.text(n)) and _open_quote(slip.text(n))),
        None,
    )
    if n is None:
        return None
    return n, '这一行的英文双引号（"）没有配对：值两端都要有引号，值中间的引号请改用中文引号“”'


def _tab(slip: _Slip) -> tuple[int, str] | None:
    n = next((n for n in slip.near() if "\t" in slip.text(n)[: len(slip.text(n)) - len(slip.text(n).lstrip())]), None)
    if n is None and "tab character" not in slip.problem:
        return None
    return n or slip.line, "这一行用 Tab 键缩进了：只能用空格缩进，请把 Tab 换成空格，与同一层的字段对齐"


def _full_width_space(slip: _Slip) -> tuple[int, str] | None:
    n = next((n for n in slip.near() if slip.text(n).lstrip(" ").startswith("\u3000")), None)
    return None if n is None else (n, "这一行开头有全角空格：缩进只能用半角空格（输入法切换到半角后输入）")


def _dash(slip: _Slip) -> tuple[int, str] | None:
    n = next((n for n in slip.near() if re.match(r"^\s*-[^\s-]", slip.text(n))), None)
    return None if n is None else (n, "“-”后缺少空格：列表的每一项应写成“- id: …”")


def _colon(slip: _Slip) -> tuple[int, str] | None:
    if "simple key" not in slip.context:
        return None
    if "：" in slip.text(slip.started).split("#")[0]:
        return slip.started, "字段名后用了中文冒号“：”：应为英文冒号加一个空格，如 title: 组织建设"
    return (
        slip.started,
        "这一行缺少英文冒号：字段名后应为英文冒号加一个空格，如 title: 组织建设（上一行文字的延续请写在同一行）",
    )


def _mapping_here(slip: _Slip) -> tuple[int, str] | None:
    if "mapping values are not allowed" not in slip.problem:
        return None
    if _COLON_IN_VALUE.match(slip.text(slip.line)):
        return slip.line, "值中有英文冒号加空格（“: ”）：请改用中文冒号“：”，或把整个值加英文双引号"
    return slip.line, "这一行的缩进与同一层的其他字段不一致：同一层的字段应对齐（用相同数量的空格）"


def _value_start(slip: _Slip) -> tuple[int, str] | None:
    if "cannot start any token" not in slip.problem and "block scalar" not in slip.context:
        return None
    first = slip.text(slip.line).split(":", 1)[-1].strip()[:1]
    if not first or first not in _NEEDS_QUOTES:
        return None
    return slip.line, f'值以“{first}”开头：以 % @ ` > | ! & * 开头的值须加英文双引号，如 unit: "%"、direction: ">="'


def _bracket(slip: _Slip) -> tuple[int, str] | None:
    if "flow" not in slip.context and "or ']'" not in slip.problem and "or '}'" not in slip.problem:
        return None
    line = slip.started if slip.started < slip.line else slip.line
    return line, (
        "方括号 [ ] 或花括号 { } 没有配对：以“[”“{”开头的值须以“]”“}”结束；"
        "文字以方括号开头时请改用中文括号【】，或把整个值加英文双引号"
    )


def _unclosed(slip: _Slip) -> tuple[int, str] | None:
    if "unexpected end of stream" not in slip.problem:
        return None
    return slip.line, "文件在引号或括号中结束了：请检查引号、方括号 [ ] 和花括号 { } 是否配对"


#: the slips, most telling first: an open quote makes every later line look wrong
_SLIPS = (_unpaired_quote, _tab, _full_width_space, _dash, _colon, _mapping_here, _value_start, _bracket, _unclosed)


def syntax_problem(exc: Any, text: str) -> tuple[int, str]:
    """A YAML syntax error as (line, what to do, in Chinese) for the slips people make typing a
    checklist in 记事本 or WPS: libyaml's words (“could not find expected ':'”, “found character
    that cannot start any token”), often one line after the slip, told a quality-office author
    nothing (review of checklist authoring)."""
    problem_mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = problem_mark.line + 1 if problem_mark is not None else 1
    slip = _Slip(
        getattr(exc, "problem", None) or str(exc),
        getattr(exc, "context", None) or "",
        line,
        context_mark.line + 1 if context_mark is not None else line,
        tuple(text.splitlines()),
    )
    if "nesting depth" in slip.problem:  # libyaml's own limit
        return line, "内容嵌套层数过多，请检查章节的缩进"
    for told in _SLIPS:
        if found := told(slip):
            return found
    return line, f"YAML 语法错误（{slip.problem}）：请检查这一行和上一行的缩进、冒号和引号"


def _open_quote(line: str) -> bool:
    """Whether ``line`` leaves an English double quote open (a comment aside)."""
    quotes, quoted = 0, False
    for i, ch in enumerate(line):
        if ch == "#" and not quoted and (i == 0 or line[i - 1] == " "):
            break
        if ch == '"' and (i == 0 or line[i - 1] != "\\"):
            quotes += 1
            quoted = not quoted
    return quotes % 2 == 1


def _read_limited(path: Path) -> bytes:
    """The file's bytes: a regular file only (a FIFO would block for good, ``/dev/zero`` never
    ends), at most :data:`MAX_FILE_BYTES`. Raises OSError or ValueError (the reason in Chinese)."""
    import os
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("不是普通文件（而是文件夹、设备或管道等），已跳过")
        chunks: list[bytes] = []
        total = 0
        while total <= MAX_FILE_BYTES:
            chunk = os.read(fd, min(1 << 20, MAX_FILE_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > MAX_FILE_BYTES:
        raise ValueError(f"文件过大（超过 {MAX_FILE_BYTES // 1048576} MB），不像是检查表文件")
    return b"".join(chunks)


def read_checklist_file(path: Path) -> dict:
    """Read and validate one checklist file; return its data. Raises ChecklistError."""
    return checklist_data(read_checklist_bytes(path), str(path))


def read_checklist_bytes(path: Path) -> bytes:
    """A checklist file's bytes, read as the loader reads them; raises ChecklistError."""
    try:
        return _read_limited(path)
    except OSError as exc:
        raise ChecklistError([Problem(str(path), 1, "(文件)", f"无法读取文件（{os_reason(exc)}）")]) from exc
    except ValueError as exc:
        raise ChecklistError([Problem(str(path), 1, "(文件)", str(exc))]) from None


def checklist_data(raw: bytes, name: str) -> dict:
    """The checklist data of a file's bytes, validated (``name``: the file, for the messages).
    Raises ChecklistError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # Windows Notepad's “ANSI” is GBK
        line = raw[: exc.start].count(b"\n") + 1
        found = "UTF-16（记事本的“Unicode”）" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "可能是 GBK/ANSI"
        raise ChecklistError(
            [
                Problem(
                    name, line, "(编码)", f"文件不是 UTF-8 编码（{found}），请用记事本或 WPS“另存为”UTF-8 编码后重试。"
                )
            ]
        ) from exc
    import yaml

    try:
        node, data = _parse(text)
    except _NodeProblem as problem:
        raise ChecklistError([Problem(name, problem.line, "(语法)", problem.message)]) from None
    except yaml.YAMLError as exc:
        line, reason = syntax_problem(exc, text)
        raise ChecklistError([Problem(name, line, "(语法)", reason)]) from exc
    except (RecursionError, ValueError, OverflowError) as exc:  # limits above make these unlikely
        raise ChecklistError([Problem(name, 1, "(文件)", f"文件内容无法处理（{type(exc).__name__}）")]) from None
    try:
        return validate_data(data, name, _LineMap(node))
    except (RecursionError, ValueError, OverflowError) as exc:
        raise ChecklistError([Problem(name, 1, "(文件)", f"文件内容无法校验（{type(exc).__name__}）")]) from None

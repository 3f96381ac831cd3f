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
    return (*error.absolute_path, extra[0]), "未知字段“" + "”“".join(extra) + "”"


def _enum(error) -> tuple[Path_, str]:
    path: Path_ = tuple(error.absolute_path)
    named: dict[str, tuple[str, Iterable[str]]] = {"kind": ("条目类型", REGISTRY), "scale": ("评分标准", SCALES)}
    what, names = named.get(str(path[-1]) if path else "", ("", ()))
    if what:
        return path, f"未知的{what}“{error.instance}”（可选：{'、'.join(names)}）"
    return path, f"取值“{error.instance}”无效（可选：{'、'.join(map(str, error.validator_value))}）"


def _any_of(error) -> str | None:
    return "章节须包含 items 或 sections" if isinstance(error.instance, dict) and "title" in error.instance else None


#: Messages by the schema keyword that failed: each returns the message, or None for the generic one.
_MESSAGES: dict[str, Callable[[Any], str | None]] = {
    "type": lambda e: f"类型应为{_TYPE_NAMES.get(e.validator_value, e.validator_value)}",
    "pattern": lambda e: f"“{e.instance}”格式不正确（应匹配 {e.validator_value}）",
    "minItems": lambda e: "不能为空",
    "minLength": lambda e: "不能为空",
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


def _semantic_problems(data: dict) -> Iterable[tuple[Path_, str]]:
    """Checks the schema cannot express: id prefixes, unique ids, units and targets."""
    prefix = data["id"] + "."
    seen: dict[str, Path_] = {}
    item_ids: list[str] = []

    def check_id(node: dict, path: Path_) -> Iterable[tuple[Path_, str]]:
        node_id = node["id"]
        if not node_id.startswith(prefix):
            yield (*path, "id"), f"编号“{node_id}”应以“{prefix}”开头"
        if node_id in seen:
            yield (*path, "id"), f"编号“{node_id}”重复（与{_field(seen[node_id])}相同）"
        seen.setdefault(node_id, path)

    def walk(section: dict, path: Path_) -> Iterable[tuple[Path_, str]]:
        yield from check_id(section, path)
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
        found = list(_semantic_problems(data))
    if found:
        found.sort(key=lambda pm: lines.line(pm[0]))
        raise ChecklistError([Problem(file, lines.line(p), _field(p), m) for p, m in found])
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
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        if "nesting depth" in reason:  # libyaml's own limit, in English
            reason = "内容嵌套层数过多，请检查章节的缩进"
        raise ChecklistError([Problem(name, line, "(语法)", f"YAML 语法错误：{reason}")]) from exc
    except (RecursionError, ValueError, OverflowError) as exc:  # limits above make these unlikely
        raise ChecklistError([Problem(name, 1, "(文件)", f"文件内容无法处理（{type(exc).__name__}）")]) from None
    try:
        return validate_data(data, name, _LineMap(node))
    except (RecursionError, ValueError, OverflowError) as exc:
        raise ChecklistError([Problem(name, 1, "(文件)", f"文件内容无法校验（{type(exc).__name__}）")]) from None

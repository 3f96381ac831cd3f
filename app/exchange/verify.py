"""校验上报包: everything about a package is checked before anything is written anywhere.

A package comes from outside (a commission receives them from many sources), so the checks
assume a hostile file: member names that climb out of a folder, links, a few megabytes that
inflate to gigabytes, hashes that do not match, members nobody listed. Nothing is extracted to
disk: members are read into memory one at a time, with a hard limit on what each may inflate to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..domain.formats import size_text, sizes_compared
from ..domain.text import clean_text, filename_problem
from ..errors import AppError
from . import format as fmt

__all__ = ["Package", "PackageError", "open_package"]


class PackageError(AppError):
    """The package is refused; the message says what and where."""


_UNSAFE_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|(\\)|(\x00)|(^|/)\.\.(/|$)|[\x01-\x1f]")


@dataclass
class Package:
    """A verified package: its manifest and data, and its attachments on demand."""

    path: Path
    manifest: dict[str, Any]
    data: dict[str, Any]

    @property
    def hospital_name(self) -> str:
        return self.manifest["hospital"]["name"]

    @property
    def round_name(self) -> str:
        return self.manifest["round"]["name"]

    def member_chunks(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        """A listed member's bytes ``size`` at a time, for copying it without holding it: checked
        against the manifest as it is read, so that a member changed since it was verified raises
        PackageError by its last piece (the caller writes in a transaction it then rolls back)."""
        listed = {f["path"]: f for f in self.manifest["files"]}
        if name not in listed:
            raise PackageError(f"上报包中没有“{name}”。")
        entry, digest, total = listed[name], hashlib.sha256(), 0
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(zf.getinfo(name)) as stream:
                while chunk := stream.read(size):
                    total += len(chunk)
                    if total > entry["size"]:
                        raise PackageError(f"上报包“{self.path.name}”中的“{name}”在校验后被改动过。")
                    digest.update(chunk)
                    yield chunk
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise PackageError(f"无法读取上报包“{self.path.name}”中的“{name}”：{exc}") from exc
        if total != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise PackageError(f"上报包“{self.path.name}”中的“{name}”在校验后被改动过。")

    def source_text(self) -> str:
        """What the verified package is, as the import preview and the CLI's import say it:
        whose round, when exported, and what it carries."""
        from ..domain.formats import cn_local_time

        summary = self.summary()
        ids = "病案号已脱敏" if summary["patient_ids"] == "pseudonymised" else "含病案号"
        return (
            f"上报包：{self.path.name}（校验通过）\n"
            f"{summary['hospital']['name']}　{summary['round']['name']}　导出于 {cn_local_time(summary['created_at'])}"
            f"　{ids}　{_attachments_text(summary['attachments'])}"
        )

    def summary(self) -> dict[str, Any]:
        m = self.manifest
        carried = [a for a in self.data["attachments"] if a["path"] is not None]
        return {
            "hospital": m["hospital"],
            "round": m["round"],
            "format_version": m["format_version"],
            "created_at": m["created_at"],
            "patient_ids": m["patient_ids"],
            "attachments_included": m["attachments_included"],
            # what the round has, and what of it the package carries (exported without attachments: none)
            "attachments": {
                "listed": len(self.data["attachments"]),
                "included": len(carried),
                "bytes": sum(a["size"] for a in carried),
            },
            "files": len(m["files"]) + 1,  # with the manifest: what the zip shows
            "records": {
                k: len(self.data[k]) for k in ("answers", "samples", "rectifications", "attachments", "history")
            },
        }


def _attachments_text(attachments: dict[str, int]) -> str:
    """What the package holds of the round's attachments: 附件 2 个（1.2 MB）, 无附件, or those
    the round has and the package left out (exported without attachments)."""
    listed, included = attachments["listed"], attachments["included"]
    if not listed:
        return "无附件"
    text = f"附件 {included} 个（{size_text(attachments['bytes'])}）" if included else ""
    missing = listed - included
    if missing:
        text += ("，另 " if text else "附件 ") + f"{missing} 个未随包提供"
    return text


def _shown(name: str) -> str:
    """A name as a message can show it: in the characters it was written in (a name another zip
    program wrote without the UTF-8 flag, GBK from Windows' 发送到 → 压缩文件夹, reads “ÖÐÎÄ.zip”
    as zipfile gives it), control characters (which the name may not have) as �."""
    name = next(iter(_as_written(name)), name)
    return "".join(ch if ch.isprintable() else "�" for ch in name)


def _as_written(name: str) -> list[str]:
    """A member name zipfile read as cp437 (the zip format's rule for names without the UTF-8
    flag our export sets) as UTF-8 (zip on 统信UOS/麒麟 and macOS) and as GBK (a Chinese
    Windows), each where it decodes; none for an ASCII name or one read as UTF-8 already."""
    if name.isascii():
        return []
    out = []
    for encoding in ("utf-8", "gbk"):
        try:
            out.append(name.encode("cp437").decode(encoding))
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return out


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """The member's bytes a megabyte at a time, refusing (without inflating further) past ``limit``."""
    total = 0
    with zf.open(info) as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise PackageError(f"“{info.filename}”解压后超过声明的大小（可能是“压缩炸弹”），已拒绝。")
            yield chunk


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's bytes, refusing past ``limit`` bytes."""
    return b"".join(_chunks(zf, info, limit))


def _digest(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[str, int]:
    """(SHA-256, size) of the member, read a piece at a time, refusing past ``limit`` bytes."""
    digest, total = hashlib.sha256(), 0
    for chunk in _chunks(zf, info, limit):
        total += len(chunk)
        digest.update(chunk)
    return digest.hexdigest(), total


def _no_constants(name: str) -> Any:
    raise ValueError(f"不允许的数值 {name}")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses as infinity, which nothing downstream can use
        raise ValueError(f"数值 {text[:20]} 超出范围")
    return value


#: How deep a package's JSON may nest: data.json needs 8 (checklist sections about 12 more)
MAX_DEPTH = 40


def _depth_ok(value: Any) -> bool:
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return True


def _json(payload: bytes, what: str) -> Any:
    try:
        value = json.loads(payload.decode("utf-8"), parse_constant=_no_constants, parse_float=_finite)
        # a lone surrogate ("\ud800") is valid JSON but no text encoding can hold it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise PackageError(f"{what}含有无法识别的字符（不是有效的 UTF-8 文本），已拒绝。") from None
    except RecursionError:
        raise PackageError(f"{what}嵌套过深，已拒绝。") from None
    except ValueError as exc:
        reason = str(exc) if any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)) else "格式错误"
        raise PackageError(f"{what}不是有效的 JSON（{reason[:80]}）。") from None
    if not _depth_ok(value):
        raise PackageError(f"{what}嵌套过深（超过 {MAX_DEPTH} 层），已拒绝。")
    return value


def _check_count(infos: list[zipfile.ZipInfo], name: str) -> None:
    if len(infos) > fmt.MAX_MEMBERS:
        raise PackageError(f"“{name}”中有 {len(infos)} 个文件，超过上限 {fmt.MAX_MEMBERS}，已拒绝。")


def _check_members(infos: list[zipfile.ZipInfo], name: str) -> None:
    seen: set[str] = set()
    for info in infos:
        _check_member(info, name, seen)
        seen.add(info.filename)
    total = sum(info.file_size for info in infos)
    if total > fmt.MAX_TOTAL_BYTES:
        shown, limit = sizes_compared(total, fmt.MAX_TOTAL_BYTES)
        raise PackageError(f"“{name}”解压后共 {shown}，超过上限 {limit}，已拒绝。")
    # many members just under the per-member threshold add up to a bomb too; stored members (PDFs,
    # photos) are left out, or a few real megabytes would hide hundreds inflated from nothing
    inflated = sum(i.file_size for i in infos if i.compress_type != zipfile.ZIP_STORED)
    compressed = sum(i.compress_size for i in infos if i.compress_type != zipfile.ZIP_STORED)
    if inflated > 16 * 1048576 and inflated > fmt.MAX_RATIO * max(compressed, 1):
        raise PackageError(
            f"“{name}”整体压缩比异常（{compressed} 字节解压为 {inflated} 字节，可能是“压缩炸弹”），已拒绝。"
        )


def _check_member(info: zipfile.ZipInfo, name: str, seen: set[str]) -> None:
    """One zip entry: a plain, unencrypted file under a safe name, seen once, of a sane size."""
    member = info.filename
    if _UNSAFE_NAME.search(member):
        raise PackageError(f"“{name}”中的文件名“{_shown(member)}”不安全（绝对路径、盘符、“..”或控制字符），已拒绝。")
    if member.endswith("/") or info.is_dir():
        raise PackageError(f"“{name}”中有文件夹条目“{member}”，上报包不应包含，已拒绝。")
    mode = info.external_attr >> 16
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise PackageError(f"“{name}”中的“{member}”是链接或特殊文件，已拒绝。")
    if info.flag_bits & 0x1:
        raise PackageError(f"“{name}”中的“{member}”已加密，无法校验，已拒绝。")
    if member in seen:
        raise PackageError(f"“{name}”中“{member}”出现了两次，已拒绝。")
    if info.file_size > fmt.MAX_MEMBER_BYTES:
        shown, limit = sizes_compared(info.file_size, fmt.MAX_MEMBER_BYTES)
        raise PackageError(f"“{name}”中的“{member}”解压后为 {shown}，超过上限 {limit}，已拒绝。")
    if info.file_size > 1048576 and info.file_size > fmt.MAX_RATIO * max(info.compress_size, 1):
        raise PackageError(
            f"“{name}”中的“{member}”压缩比异常（{info.compress_size} 字节解压为 "
            f"{info.file_size} 字节，可能是“压缩炸弹”），已拒绝。"
        )


def open_package(path: Path) -> Package:
    """Verify the package at ``path`` and return it; raises PackageError saying what is wrong."""
    path = Path(path)
    name = path.name
    try:
        info = path.lstat()
    except OSError:
        raise PackageError(f"找不到上报包“{path}”。") from None
    if not stat.S_ISREG(info.st_mode):
        raise PackageError(f"“{path}”不是普通文件（文件夹、链接或设备），已拒绝。")
    try:
        with zipfile.ZipFile(path) as zf:
            return _verify(zf, path)
    except PackageError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError):
        raise PackageError(f"“{name}”不是有效的上报包：{_as_named(_not_a_zip(path), path)}") from None
    except OSError as exc:
        raise PackageError(f"无法读取“{name}”：{exc.strerror or exc}") from None


#: what to ask of whoever sent a document in a package's place: it said only what the file was
#: (exchange review)
_ASK_PACKAGE = "请报送单位发送本程序导出的上报包（“轮次 → 导出上报包”生成的 .zip 文件）。"
#: a package put into another archive (as a .rar file's refusal words it)
_UNPACK = "：如果其中装着上报包，请先解压；否则请报送单位直接发送本程序导出的上报包，不要改用其他软件压缩。"

#: what a file that is no zip is, by its first bytes, in the words of the person who received it
_SIGNATURES = (
    (b"PK", "zip 文件不完整或已损坏（可能下载或复制时中断），请报送单位重新发送。"),
    (b"Rar!", "这是 RAR 压缩文件，不是本程序导出的上报包（zip）" + _UNPACK),
    (b"7z\xbc\xaf\x27\x1c", "这是 7z 压缩文件，不是本程序导出的上报包（zip）" + _UNPACK),
    (b"%PDF", "这是 PDF 文件，改了扩展名，不是上报包。" + _ASK_PACKAGE),
    (b"\xd0\xcf\x11\xe0", "这是 Word、Excel 等文档（旧格式），改了扩展名，不是上报包。" + _ASK_PACKAGE),
)


def _as_named(words: str, path: Path) -> str:
    """What a file is, said of a file named ``path``: a real 自查报告.pdf chosen by mistake was
    told it was a PDF with its extension changed (review, exchange 4)."""
    if path.suffix.lower() == ".zip":
        return words
    # chosen by mistake: it is the user's choice to make again, not the sender's file to resend
    return words.replace("改了扩展名，", "").replace(_ASK_PACKAGE, "请选择本程序导出的上报包（.zip 文件）。")


def _not_a_zip(path: Path) -> str:
    """Why a file is no zip: a truncated download (it starts as one) and a web page saved in
    its place (a share link that expired) call for different things of the one who sent it."""
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError:
        head = b""
    if not head:
        return "文件是空的（0 字节），请报送单位重新发送。"
    for signature, words in _SIGNATURES:
        if head.startswith(signature):
            return words
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")):
        return "这是一个网页（可能保存的是下载页面或已失效的链接），不是上报包，请报送单位重新发送上报包本身。"
    return "不是 zip 文件（可能是其他文件改了扩展名），请报送单位重新发送。"


#: what a zip that is no package is, by the members that make it what it is (names only: nothing
#: is read), in the words of the person who received it
_ZIP_KINDS = (
    ("xl/", "这是 Excel 工作簿（.xlsx），改了扩展名，不是上报包。"),
    ("word/", "这是 Word 文档（.docx），改了扩展名，不是上报包。"),
    ("ppt/", "这是 PowerPoint 演示文稿（.pptx），改了扩展名，不是上报包。"),
)


def _not_a_package(names: set[str]) -> str | None:
    """Why a zip without a manifest is no package, when its members say what it is: an Office
    document (.xlsx, .docx, .pptx and WPS's, OpenDocument, OFD are zips), a zip holding packages,
    a package unzipped and zipped again. Each asks something else of the sender; None: a zip of
    something else."""
    return _document_kind(names) or _packed_again(names)


def _document_kind(names: set[str]) -> str | None:
    kind = _which_document(names)
    return kind + _ASK_PACKAGE if kind else None


def _which_document(names: set[str]) -> str | None:
    if "[Content_Types].xml" in names:  # Office Open XML, as Office and WPS write it
        for folder, words in _ZIP_KINDS:
            if any(n.startswith(folder) for n in names):
                return words
        return "这是 Office 文档，改了扩展名，不是上报包。"
    if "mimetype" in names and "content.xml" in names:
        return "这是 OpenDocument 文档（.odt、.ods 等），改了扩展名，不是上报包。"
    if "OFD.xml" in names:
        return "这是 OFD 版式文档，改了扩展名，不是上报包。"
    return None


def _packed_again(names: set[str]) -> str | None:
    """A package put into another zip, or unzipped and its folder zipped."""
    if folders := sorted(n.removesuffix(fmt.MANIFEST) for n in names if n.endswith("/" + fmt.MANIFEST)):
        return (
            f"这是上报包解压后又重新压缩的文件（{fmt.MANIFEST} 在“{_shown(folders[0].rstrip('/'))}”文件夹中），"
            "不是上报包本身，请报送单位直接发送本程序导出的上报包。"
        )
    if inner := sorted(n for n in names if n.lower().endswith(".zip")):
        more = f"等 {len(inner)} 个压缩文件" if len(inner) > 1 else ""
        return f"这是一个压缩包，里面装着“{_shown(inner[0])}”{more}，请先解压，再汇总或导入里面的上报包。"
    return None


def _verify(zf: zipfile.ZipFile, path: Path) -> Package:
    name = path.name
    infos = zf.infolist()
    _check_count(infos, name)
    names = {i.filename for i in infos}
    if fmt.MANIFEST not in names:  # told by its members' names before anything is read
        what = _not_a_package(names)
        if what is None:
            raise PackageError(f"“{name}”中没有 {fmt.MANIFEST}，不是本程序导出的上报包。{_ASK_PACKAGE}")
        raise PackageError(f"“{name}”不是有效的上报包：{_as_named(what, path)}")
    _check_members(infos, name)
    by_name = {i.filename: i for i in infos}
    manifest = _read_manifest(zf, by_name, name)
    try:
        listed = _listed_files(manifest, by_name, name)
        data = _read_data(zf, by_name, listed, name)
        _check_consistency(data, manifest, listed, name)
        from .checklists import frozen_checklists

        try:
            frozen_checklists(data)
        except AppError as err:
            raise PackageError(f"“{name}”中的{err.user_message}") from None
    except PackageError as err:
        raise PackageError(_whose(err.user_message, manifest, name)) from None
    return Package(path, manifest, data)


def _whose(message: str, manifest: dict, name: str) -> str:
    """``message`` with the hospital the manifest names after the package's name: 40 refusals
    of files renamed 上报包.zip or 自查.zip left the commission asking who should send theirs again.
    The manifest passed its schema; its name is the hospital's word, not checked against the data."""
    hospital = _shown(str(manifest["hospital"]["name"]).strip())[:60]
    quoted = f"“{name}”"
    if not hospital or quoted not in message:
        return message
    return message.replace(quoted, f"{quoted}（{hospital}）", 1)


def _read_manifest(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], name: str) -> dict:
    """The manifest (present: _verify checked), if it is this program's, of a format version it
    reads, and valid."""
    manifest = _json(_read(zf, by_name[fmt.MANIFEST], fmt.MAX_MANIFEST_BYTES), f"“{name}”的 {fmt.MANIFEST}")
    if not isinstance(manifest, dict) or manifest.get("format") != fmt.FORMAT:
        raise PackageError(f"“{name}”不是本程序的上报包（格式标识不符）。")
    version = manifest.get("format_version")
    if isinstance(version, int | float) and not isinstance(version, bool) and version > fmt.FORMAT_VERSION:
        raise PackageError(_newer_format(manifest, name, version))
    problems = fmt.schema_errors(manifest, "manifest")
    if problems:
        raise PackageError(f"“{name}”的 {fmt.MANIFEST} 不符合格式要求：" + "；".join(problems))
    return manifest


def _newer_format(manifest: dict, name: str, version: float) -> str:
    """A package of a newer format, with what its manifest says of whom and what program it is
    from (unchecked, so only short text is shown): the clerk learns which version to install, and
    whose package it is without asking."""

    def said(value: Any) -> str:
        return _shown(value.strip())[:60] if isinstance(value, str) else ""

    def part(key: str) -> dict:
        value = manifest.get(key)
        return value if isinstance(value, dict) else {}

    app, hospital = part("app"), part("hospital")
    whose = f"（{said(hospital.get('name'))}）" if said(hospital.get("name")) else ""
    program = said(app.get("version"))
    if not _later_version(program):  # a version no later than ours says nothing true
        program = ""
    by = f"医疗质量自查助手 {program} " if program else "更新版本的程序"
    upgrade = f"请把本程序升级到 {program} 或更新的版本" if program else "请升级本程序"
    return (
        f"“{name}”{whose}由{by}导出（上报包格式第 {version} 版；本程序 {__version__} 只能读取到第 "
        f"{fmt.FORMAT_VERSION} 版）：{upgrade}，再汇总或导入这个上报包。"
    )


def _later_version(text: str) -> bool:
    """Whether ``text`` is a version (1.2.3) later than this program's."""
    if not re.fullmatch(r"\d{1,4}(\.\d{1,4}){0,3}", text):
        return False
    ours = tuple(int(m) for m in re.findall(r"\d+", __version__.split("+")[0])[:4])
    return tuple(int(part) for part in text.split(".")) > ours


#: what a hospital is asked for when its package was changed after the export
_RESEND = "请报送单位重新导出上报包，原样发送（不要解压、打开或改动其中的文件，也不要重新压缩）。"


def _listed_files(manifest: dict, by_name: dict[str, zipfile.ZipInfo], name: str) -> dict[str, dict]:
    """The manifest's file list by path: once each, only the format's files, all present, no others."""
    listed = {f["path"]: f for f in manifest["files"]}
    if len(listed) != len(manifest["files"]):
        raise PackageError(f"“{name}”的文件清单中有重复的条目。")
    expected = {fmt.DATA, fmt.WORKBOOK, *fmt.REPORTS.values()}
    if unknown := sorted(m for m in listed if m not in expected and not m.startswith(fmt.ATTACHMENT_DIR + "/")):
        raise PackageError(f"“{name}”中有不属于上报包格式的文件：{'、'.join(unknown[:5])}，已拒绝。")
    present = set(by_name) - {fmt.MANIFEST}
    if missing := sorted(set(listed) - present):
        if _names_recoded(by_name.values(), missing):
            raise PackageError(
                f"“{name}”是上报包解压后又用其他软件重新压缩的文件（中文文件名的编码变了，"
                f"“{missing[0]}”等文件因此对不上清单），不是上报包本身。{_RESEND}"
            )
        raise PackageError(f"“{name}”缺少清单中列出的文件：{'、'.join(missing[:5])}。{_RESEND}")
    if extra := sorted(present - set(listed)):
        raise PackageError(
            f"“{name}”中有清单未列出的文件：{'、'.join(_shown(e) for e in extra[:5])}，已拒绝："
            f"上报包导出后被加入了文件。{_RESEND}说明材料请另行发送。"
        )
    return listed


def _names_recoded(infos: Iterable[zipfile.ZipInfo], missing: list[str]) -> bool:
    """Whether the missing members are there under names another zip program wrote without the
    UTF-8 flag our export sets — in the machine's code page (GBK on a Chinese Windows: “发送到 →
    压缩文件夹”), or as UTF-8 (zip on 统信UOS/麒麟): the package was unzipped and zipped again."""
    recoded = {n for info in infos if not info.flag_bits & 0x800 for n in _as_written(info.filename)}
    return any(m in recoded for m in missing)


def _read_data(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], listed: dict[str, dict], name: str) -> dict:
    """Every listed file checked against its size and hash; the data file read and validated."""
    payloads: dict[str, bytes] = {}
    for member, entry in listed.items():
        info = by_name[member]
        if info.file_size != entry["size"]:
            raise PackageError(
                f"“{name}”中“{member}”的大小与清单不符（清单 {entry['size']} 字节，实际 {info.file_size} 字节）："
                f"文件在导出后被打开保存或改动过。{_RESEND}"
            )
        if member == fmt.DATA:
            payload = _read(zf, info, entry["size"])
            digest, size = hashlib.sha256(payload).hexdigest(), len(payload)
            payloads[member] = payload
        else:  # hashed a piece at a time: attachments are never held whole
            digest, size = _digest(zf, info, entry["size"])
        if size != entry["size"] or digest != entry["sha256"]:
            raise PackageError(f"“{name}”中“{member}”的校验值与清单不符：文件已损坏或被改动。{_RESEND}")
    if fmt.DATA not in payloads:
        raise PackageError(f"“{name}”中没有 {fmt.DATA}。")
    data = _json(payloads[fmt.DATA], f"“{name}”的 {fmt.DATA}")
    problems = fmt.schema_errors(data, "data")
    if problems:
        raise PackageError(f"“{name}”的 {fmt.DATA} 不符合格式要求：" + "；".join(problems))
    return data


def _check_consistency(data: dict, manifest: dict, listed: dict[str, dict], name: str) -> None:
    """What a schema cannot say: records that belong together agree, dates are dates, and every
    attachment is a file the program itself would have accepted."""
    round_id = data["round"]["id"]
    _check_same_round(data, manifest, name)
    _check_unique(data, name)
    _check_attachments(data, listed, name)
    for entry in data["history"]:
        own = entry["round_id"] == round_id or (entry["record_table"] == "hospital" and entry["round_id"] is None)
        if not own or (entry["record_table"] == "rounds" and entry["record_id"] != round_id):
            raise PackageError(f"“{name}”的修改记录中有不属于本轮的记录，已拒绝。")
    _check_dates(data, name)


def _check_same_round(data: dict, manifest: dict, name: str) -> None:
    """The manifest and the data speak of the same round and the same frozen checklists."""
    if data["round"]["id"] != manifest["round"]["id"]:
        raise PackageError(f"“{name}”的清单与数据不属于同一轮自查。")
    frozen = [(c["checklist_id"], c["version"], c["sha256"]) for c in data["checklists"]]
    if len({c[0] for c in frozen}) != len(frozen):
        raise PackageError(f"“{name}”的数据中同一检查表出现了两次。")
    if sorted(frozen) != sorted((c["id"], c["version"], c["sha256"]) for c in manifest["checklists"]):
        raise PackageError(f"“{name}”的清单与数据中的检查表（编号、版本或校验值）不一致。")


def _check_unique(data: dict, name: str) -> None:
    """Record ids once each; one answer and one set of sampled records per item."""
    for table in ("answers", "rectifications", "attachments"):
        ids = [r["id"] for r in data[table]]
        if len(set(ids)) != len(ids):
            raise PackageError(f"“{name}”的数据中有重复的记录编号，已拒绝。")
    for key in ("answers", "samples"):
        items = [r["item_id"] for r in data[key]]
        if len(set(items)) != len(items):
            what = "自查结果" if key == "answers" else "抽查记录"
            raise PackageError(f"“{name}”的数据中同一条目有两份{what}，已拒绝。")
    sample_ids = [r["id"] for group in data["samples"] for r in group["records"]]
    if len(set(sample_ids)) != len(sample_ids):
        raise PackageError(f"“{name}”的数据中有重复的抽查记录编号，已拒绝。")


def _check_attachments(data: dict, listed: dict[str, dict], name: str) -> None:
    """Each attachment one the program would accept, matching its own listed file; no file unused."""
    from ..services.attachments import ALLOWED_SUFFIXES, MAX_ATTACHMENT_BYTES

    referenced = set()
    for attachment in data["attachments"]:
        filename = attachment["filename"]
        if filename_problem(filename) or clean_text(filename) != filename or "/" in filename or "\\" in filename:
            raise PackageError(f"“{name}”中附件的文件名“{_shown(filename)}”含有控制字符或路径，已拒绝。")
        if Path(filename).suffix.lower() not in ALLOWED_SUFFIXES or attachment["size"] > MAX_ATTACHMENT_BYTES:
            raise PackageError(f"“{name}”中的附件“{filename}”类型或大小不是本程序允许的佐证材料，已拒绝。")
        member = attachment["path"]
        if member is None:
            continue
        entry = listed.get(member)
        if (
            entry is None
            or member in referenced
            or entry["sha256"] != attachment["sha256"]
            or entry["size"] != attachment["size"]
        ):
            raise PackageError(f"“{name}”中附件“{filename}”与其记录的校验值不符。")
        referenced.add(member)
    if unused := sorted(m for m in listed if m.startswith(fmt.ATTACHMENT_DIR + "/") and m not in referenced):
        raise PackageError(f"“{name}”中有未被任何记录引用的附件文件：{'、'.join(unused[:3])}，已拒绝。")


def _check_dates(data: dict, name: str) -> None:
    dates = [("自查日期", data["round"]["started_on"])]
    dates += [
        (f"整改项“{r['problem'][:20]}”", r.get(f)) for r in data["rectifications"] for f in ("deadline", "recheck_date")
    ]
    for what, value in dates:
        if value is None:
            continue
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            raise PackageError(f"“{name}”中{what}的日期“{value!r}”无效，已拒绝。") from None

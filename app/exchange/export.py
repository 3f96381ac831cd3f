"""导出上报包: a round, its records, reports and attachments in one verifiable zip file.

The file appears complete or not at all (written beside its final name, flushed to disk, then
renamed). 病案号 are replaced by a keyed hash unless the caller asks to keep them: the health
commission needs counts, not identities (个人信息保护法).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from .. import APP_NAME, __version__
from ..domain.identifiers import PSEUDONYM_PREFIX
from ..domain.records import Attachment
from ..domain.text import safe_file_name
from ..errors import AppError
from ..files import save_document
from ..store import PATIENT_KEY_SETTING, Store
from ..store import records as rec
from . import format as fmt

#: progress(done, total, what): for the GUI's progress dialog
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    #: the files in the zip, manifest.json with them (the clerk counts what the zip shows)
    files: int
    attachments: int
    patient_ids: bool
    seconds: float
    #: report warnings (a picture that could not be read …), for the user
    warnings: tuple[str, ...] = ()


def suggested_name(store: Store, round_id: str, today: dt.date) -> str:
    """``<医院>_<轮次>_<日期>.zip``, safe as a file name on Windows and Linux."""
    record = store.round(round_id)
    parts = [record.profile.get("name") or "医院", record.name, today.strftime("%Y%m%d")]
    return "_".join(safe_file_name(p, 40) for p in parts) + ".zip"


def entered_numbers_note(store: Store, round_id: str, keep: str = "请选“保留抽查记录的病案号原样”") -> str:
    """Said on a pseudonymised export of a round begun on another PC (a department's copy of
    the office's round) that holds 病案号 typed on this one: a keyed hash cannot be read back,
    and the office received those records as pseudonyms it could never trace to a patient's
    record (exchange review 2). Sent back with 病案号 kept, they merge as the numbers they are.
    ``keep``: how to keep them, as the window or the command line asks it."""
    from ..paths import device_id

    here = device_id()
    begun = store.history(round_id=round_id, record_table="rounds", record_id=round_id)
    if not begun or begun[0].device_id in ("", here):
        return ""
    typed = [s for s in store.samples(round_id) if s.device_id == here and not s.record_no.startswith(PSEUDONYM_PREFIX)]
    if not typed:
        return ""
    return (
        f"本轮是在其他电脑上开始的（如质控办），本机录入了 {len(typed)} 份抽查记录的病案号：脱敏后，"
        f"对方无法把这些病案号对应回原病历。发回对方合并时，{keep}；报送卫生健康委的上报包由开始本轮的电脑导出。"
    )


def no_code_note(store: Store, round_id: str) -> str:
    """Said on exporting a round whose package has no 机构代码 (the round keeps the profile it
    started with): the commission's summary tells hospitals apart by it. The hospital's profile
    was asked, so a round begun before the code was filled in went out without one, unsaid."""
    if store.round(round_id).profile.get("code"):
        return ""
    profile = store.profile()
    if profile is not None and profile.code:
        return (
            "本轮开始时医院基本情况中尚未填写机构代码，上报包中没有机构代码（各轮保留开始时的医院信息）："
            "卫生健康委汇总时按医院名称和本数据库识别本院（名称不变时，与之后带代码的各轮算作同一家医院）。"
        )
    return (
        "本院基本情况中尚未填写机构代码（统一社会信用代码）：卫生健康委汇总时，同名的医院（如各县的城关镇卫生院）"
        "只能按名称和各自的数据库区分。请在“医院 → 医院基本情况”中填写，之后新开始的轮次会带上。"
    )


def stored_pseudonym_key(store: Store) -> bytes | None:
    """This database's pseudonym key if it has one yet (never made here)."""
    key = store.setting(PATIENT_KEY_SETTING)
    return bytes.fromhex(key) if key else None


def pseudonym_key(store: Store) -> bytes:
    """This database's secret for 病案号 pseudonyms, in no pseudonymised package: the hospital can match a
    pseudonym to its record again, the commission cannot. Opening the database writable makes
    it; a database of an earlier version first opened read-only has none yet."""
    key = store.setting(PATIENT_KEY_SETTING)
    if not key:
        if store.read_only:
            raise AppError(
                "这个数据库还没有病案号脱敏用的密钥，而它现在只能以只读方式打开，无法生成密钥。"
                "请解除 U 盘写保护（或把数据库复制到可写的位置），用本程序打开一次后再导出。"
            )
        key = os.urandom(32).hex()
        store.set_setting(PATIENT_KEY_SETTING, key)
    return bytes.fromhex(key)


def pseudonym(key: bytes, record_no: str) -> str:
    if record_no.startswith(PSEUDONYM_PREFIX):  # imported as a pseudonym: it stays that one
        return record_no
    digest = hmac.new(key, record_no.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:20]


def key_id(key: bytes) -> str:
    """Names the key without revealing it (so a package says which database's key it used)."""
    return hashlib.sha256(b"mqsc-key-id:" + key).hexdigest()[:16]


def _without(row: dict, *names: str) -> dict:
    return {k: v for k, v in row.items() if k not in names}


def round_data(
    store: Store,
    round_id: str,
    *,
    patient_ids: bool = False,
    attachment_paths: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """``data.json``: every record of the round as stored (with its UUID, time, author and PC),
    the hospital profile and the round's change history, plus computed results for readers, with
    rectification statuses told on ``today`` (the package's report date: its PDFs and workbook
    tell them on the same day)."""
    from ..services.rectifications import list_rectifications, totals
    from ..services.rounds import load_round, previous_values, score

    key = None if patient_ids else pseudonym_key(store)

    def record_no(value: str) -> str:
        return value if key is None else pseudonym(key, value)

    samples: dict[str, list[dict]] = {}
    for sample in store.samples(round_id):
        samples.setdefault(sample.item_id, []).append(
            {**_without(rec.sample_to_row(sample), "round_id", "item_id"), "record_no": record_no(sample.record_no)}
        )
    paths = attachment_paths or {}
    hospital = store.profile()
    # this hospital's profile history only: a database that collects several hospitals holds the
    # others' (imported with their rounds), and their codes, beds and departments went out in this
    # hospital's package, and into the commission's 修改记录
    own = store.history(record_table="hospital", record_id=hospital.id) if hospital else []
    round_entries = store.history(round_id=round_id)
    # an item whose records were all removed here is sent as an empty list: left out, the office
    # kept its 10 records, and nothing said that this PC had cleared them
    for item_id in dict.fromkeys(e.item_id for e in round_entries if e.record_table == "samples" and e.item_id):
        samples.setdefault(item_id, [])
    entries = [e.to_dict() for e in own] + [e.to_dict() for e in round_entries]
    if key is not None:
        entries = [_pseudonymised_entry(e, record_no) for e in entries]
    view = load_round(store, round_id)
    result = score(store, round_id, view)
    today = today or dt.date.today()
    rects = list_rectifications(store, round_id, today, view)
    return {
        "hospital": rec.hospital_to_row(hospital) if hospital else None,
        "round": rec.round_to_row(store.round(round_id)),
        "checklists": [_without(rec.checklist_to_row(c), "round_id") for c in store.round_checklists(round_id)],
        "answers": [_without(rec.answer_to_row(a), "round_id") for a in store.answers(round_id)],
        "samples": [{"item_id": item_id, "records": records} for item_id, records in samples.items()],
        "rectifications": [_without(rec.rectification_to_row(r), "round_id") for r in store.rectifications(round_id)],
        "attachments": [
            {**_without(rec.attachment_to_row(a), "round_id"), "path": paths.get(a.id)}
            for a in store.attachments(round_id)
        ],
        "history": entries,
        "results": {
            "score": result.to_dict(),
            "rectifications": totals(rects).to_dict(),
            # 已转入复查: rectification id → the 复查轮次 that follow it up (their packages hold the copies)
            "carried_to": {e.id: list(e.carried_to) for e in rects if e.carried_to},
            "status_date": today.isoformat(),
            # the previous round's values that 逐步提高/降低 indicators are judged against: that
            # round's records are not in this package, and a summary without them judged none
            "previous_values": previous_values(store, view),
        },
    }


def _pseudonymised_entry(entry: dict, record_no: Callable[[str], str]) -> dict:
    """A history entry of sampled records, with 病案号 pseudonymised and no content hashes: a
    hash of a short list of record numbers could be reversed by trying every number."""
    if entry["record_table"] != "samples":
        return entry
    changes = {}
    for field, values in entry["changes"].items():
        if field != "records":  # e.g. how a merge conflict was settled: no record numbers in it
            changes[field] = values
            continue
        changes[field] = [
            None if v is None else [{**r, "record_no": record_no(r["record_no"])} for r in v] for v in values
        ]
    return {**entry, "changes": changes, "old_hash": None, "new_hash": None}


def last_change(data: dict[str, Any]) -> str:
    """The time of the round's newest change: which of two packages of a round is newer."""
    times = [data["round"]["updated_at"]]
    times += [r["updated_at"] for key in ("answers", "rectifications") for r in data[key]]
    times += [r["updated_at"] for s in data["samples"] for r in s["records"]]
    times += [a["added_at"] for a in data["attachments"]]
    times += [e["at"] for e in data["history"]]
    return max(times)


def attachment_members(store: Store, round_id: str, attachments: list[Attachment], today: dt.date) -> dict[str, str]:
    """Each attachment's member name, in a folder a reviewer can find it by: ``整改项03`` for the
    佐证材料 of the 整改台账's third row (numbered as the package's workbook and 整改报告 number
    it on ``today``), ``核心制度 05.3`` for an item's: the 检查表 and 编号 of its row in the
    workbook's 自查结果, whose 佐证材料 names it. (The item's reference, cut to a folder's length,
    kept “.2a” of “…再灌注治疗率 1.1.2a” as if it were an extension, and named another item.)

    A folder per attachment id, as the first packages had, left the health commission clicking
    through 36-character ids to find the scan a ledger row named. Any path under ``attachments/``
    is read by every version (data.json names each attachment's member), so the format stays.
    A name is kept whole up to 80 characters with its extension, so that the package extracted
    under its own name in a QQ or WeChat download folder stays within Windows' 260; a name met
    twice in a folder (Windows extracts case-blind; adding gives a repeated name its （2）, but a
    merge can bring two) gets （2）, （3）…"""
    from ..domain.checklist import item_number
    from ..services.attachments import numbered_name
    from ..services.rectifications import list_rectifications
    from ..services.rounds import load_round

    view = load_round(store, round_id)
    numbers = {e.id: n for n, e in enumerate(list_rectifications(store, round_id, today, view), 1)}
    rows = {item.id: f"{c.label} {item_number(item)}" for c in view.checklists for item in c.all_items()}
    taken: dict[str, set[str]] = {}
    out: dict[str, str] = {}
    for attachment in attachments:
        if attachment.rectification_id in numbers:
            folder = f"整改项{numbers[attachment.rectification_id]:02d}"
        elif attachment.item_id in rows:
            folder = safe_file_name(rows[attachment.item_id], 40)
        else:
            folder = attachment.id
        names = taken.setdefault(folder, set())
        name = numbered_name(safe_file_name(attachment.filename, 80), names)
        names.add(name)
        out[attachment.id] = f"{fmt.ATTACHMENT_DIR}/{folder}/{name}"
    return out


def export_package(
    store: Store,
    round_id: str,
    out: Path,
    *,
    attachments: bool = True,
    patient_ids: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the round's upload package to ``out``."""
    from ..render import registry

    started = time.perf_counter()
    today = today or dt.date.today()
    out = Path(out)
    if not out.parent.is_dir():
        raise AppError(f"保存位置“{out.parent}”不存在，请选择其他文件夹。")
    rows = store.attachments(round_id) if attachments else []
    paths = attachment_members(store, round_id, rows, today)
    rows.sort(key=lambda a: paths[a.id])  # listed in the zip folder by folder
    data = round_data(store, round_id, patient_ids=patient_ids, attachment_paths=paths, today=today)
    steps = 4 + len(rows)

    def step(n: int, what: str) -> None:
        if progress:
            progress(n, steps, what)

    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mqsc-export-") as work:
        members: list[Member] = [
            Member(fmt.DATA, lambda: [json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")])
        ]
        for n, (kind, name) in enumerate(fmt.REPORTS.items(), 1):
            step(n, f"生成{registry.REPORTS[kind].title}")
            target = Path(work) / name
            outcome = registry.render(store, round_id, kind, target, today=today)
            warnings += outcome.warnings
            members.append(Member(name, partial(_file_chunks, target)))
        step(3, "生成 Excel 工作簿")
        workbook = Path(work) / fmt.WORKBOOK
        registry.write_workbook(store, round_id, workbook, today=today)
        members.append(Member(fmt.WORKBOOK, partial(_file_chunks, workbook)))
        # read from the database while they are written: a round's scans may weigh gigabytes
        members += [
            Member(paths[a.id], partial(store.attachment_chunks, a.id), (n, f"附件 {a.filename}"))
            for n, a in enumerate(rows, 4)
        ]
        manifest = _manifest(store, data, today, patient_ids, attachments)
        _write_zip(out, manifest, members, step)
        step(steps, "写入上报包")
    return ExportResult(
        out,
        out.stat().st_size,
        len(members) + 1,
        len(rows),
        patient_ids,
        time.perf_counter() - started,
        tuple(warnings),
    )


@dataclass(frozen=True)
class Member:
    """A file of the package: its name, its bytes a piece at a time, and the step it is (if any)."""

    name: str
    chunks: Callable[[], Iterable[bytes]]
    step: tuple[int, str] | None = None


def _file_chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(size):
            yield chunk


def _manifest(store: Store, data: dict, today: dt.date, patient_ids: bool, attachments: bool) -> dict:
    from ..paths import device_id

    hospital = data["round"]["profile"]
    round_row = data["round"]
    # a package with 病案号 goes to the hospital's own departments: its key lets their databases
    # pseudonymise those numbers as this one does, so that this one can read them back
    key = stored_pseudonym_key(store) if patient_ids else None
    return {
        "format": fmt.FORMAT,
        "format_version": fmt.format_version_for(data["checklists"], patient_key=key is not None),
        "app": {"name": APP_NAME, "version": __version__},
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "report_date": today.isoformat(),
        "device_id": device_id(),
        "hospital": {
            "name": hospital.get("name", ""),
            "code": hospital.get("code", ""),
            "level": hospital.get("level", ""),
            "level_grade": hospital.get("level_grade", ""),
            "type": hospital.get("type", ""),
        },
        "round": {
            "id": round_row["id"],
            "name": round_row["name"],
            "year": round_row["year"],
            "started_on": round_row["started_on"],
            "status": round_row["status"],
            "updated_at": last_change(data),
        },
        "checklists": [
            {"id": c["checklist_id"], "version": c["version"], "sha256": c["sha256"]} for c in data["checklists"]
        ],
        "patient_ids": "included" if patient_ids else "pseudonymised",
        "pseudonym_key": None if patient_ids else key_id(pseudonym_key(store)),
        **({"patient_key": key.hex()} if key is not None else {}),
        "attachments_included": attachments,
        "files": [],
    }


def _write_zip(out: Path, manifest: dict, members: list[Member], step: Callable[[int, str], None]) -> None:
    """The members, each streamed into the zip while its hash and size are counted, then the
    manifest that lists them."""

    def write(temporary: Path) -> None:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for member in members:
                if member.step is not None:
                    step(*member.step)
                digest, size = hashlib.sha256(), 0
                compress = zipfile.ZIP_DEFLATED if member.name.endswith(".json") else zipfile.ZIP_STORED
                with zf.open(_info(member.name, compress), "w") as target:
                    for chunk in member.chunks():
                        digest.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
                manifest["files"].append({"path": member.name, "sha256": digest.hexdigest(), "size": size})
            zf.writestr(
                _info(fmt.MANIFEST, zipfile.ZIP_DEFLATED),
                json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"),
            )

    save_document(out, write, "上报包")


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = compress
    info.external_attr = (stat.S_IFREG | 0o644) << 16  # a regular file: never a link or a device
    return info

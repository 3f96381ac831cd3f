"""上报包: export → verify → import/merge, on real databases, real zip files and real reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import jsonschema
import pytest
from pypdf import PdfReader

from app import __version__
from app.errors import AppError
from app.exchange import format as fmt
from app.exchange.export import export_package, pseudonym, pseudonym_key, suggested_name
from app.exchange.merge import LOCAL, PACKAGE, ImportRefused, apply_import, plan_import
from app.exchange.verify import PackageError, open_package
from app.services import answers as answer_service
from app.services.attachments import add_attachment, list_attachments
from app.services.profile import save_profile
from app.services.rectifications import list_rectifications
from app.services.rounds import load_round, score, start_round
from app.store import Actor, Store, open_store
from tests.conftest import PROFILE_2_GENERAL
from tests.package_tools import members as _members
from tests.package_tools import relisted as _relisted
from tests.package_tools import rezip as _rezip

DAY = dt.date(2025, 6, 30)


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (40, 30), (200, 30, 30)).save(path)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory, catalog):
    """The demo round with a photo on an item and one on a rectification, and its package
    (made once: rendering its two reports takes seconds)."""
    from app.services.demo import create_demo

    folder = tmp_path_factory.mktemp("exported")
    store = open_store(folder / "source.db")
    actor = Actor("测试员", "device-test")
    round_id = create_demo(store, catalog, actor)
    rect = list_rectifications(store, round_id, DAY)[0]
    add_attachment(store, round_id, _png(folder / "制度文件.png"), actor, item_id="qyx-core.01.1")
    add_attachment(store, round_id, _png(folder / "整改照片.png"), actor, rectification_id=rect.id)
    out = export_package(store, round_id, folder / "上报包.zip", today=DAY).path
    yield store, round_id, out
    store.close()


@pytest.fixture
def package(exported, tmp_path):
    """A copy of the package, for a test to tamper with."""
    copy = tmp_path / "上报包.zip"
    copy.write_bytes(exported[2].read_bytes())
    return copy


# --- export ------------------------------------------------------------------------------------


def test_package_lists_every_member_with_its_hash(package):
    members = _members(package)
    manifest = json.loads(members[fmt.MANIFEST])
    # the demo's two checklists have no numbering: format 1, which every reader reads
    assert manifest["format"] == fmt.FORMAT and manifest["format_version"] == 1
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members) - {fmt.MANIFEST}
    for name, entry in listed.items():
        assert hashlib.sha256(members[name]).hexdigest() == entry["sha256"]
        assert len(members[name]) == entry["size"]
    assert {fmt.DATA, fmt.WORKBOOK, *fmt.REPORTS.values()} <= set(listed)
    assert sum(1 for n in listed if n.startswith("attachments/")) == 2
    assert manifest["hospital"]["name"] == "示例县人民医院"
    assert manifest["round"]["status"] == "draft"
    assert {c["id"] for c in manifest["checklists"]} == {"qyx-core", "qyx-targets-2021"}


def test_attachments_are_found_by_the_ledger_row_or_the_item_they_belong_to(store, demo_round, actor, tmp_path):
    """A folder per attachment id left the health commission clicking through 36-character ids
    to find the scan that a row of the 整改台账 named. The ledger's row number names the folder
    of a rectification's files, the 检查表 and 编号 of the 自查结果 row an item's (its reference,
    cut to a folder's length, kept “.2a” of “…再灌注治疗率 1.1.2a” as an extension and named
    item 1.2a); every name in the zip is the one the workbook lists."""
    from openpyxl import load_workbook

    third = list_rectifications(store, demo_round, DAY)[2]
    for name in ("整改照片.png", "整改照片.PNG", "签到表.png"):
        add_attachment(store, demo_round, _png(tmp_path / name), actor, rectification_id=third.id)
    long_name = "急诊科值班人员培训及考核情况汇总表含签到表试卷成绩统计和整改前后对比照片说明第二次补充材料.png"
    add_attachment(store, demo_round, _png(tmp_path / "制度文件.png"), actor, item_id="qyx-core.05.3")
    add_attachment(store, demo_round, _png(tmp_path / long_name), actor, item_id="qyx-targets-2021.1.1.2a")
    out = export_package(store, demo_round, tmp_path / "上报包.zip", today=DAY).path
    members = _members(out)
    attached = sorted(n for n in members if n.startswith("attachments/"))
    assert attached == sorted(
        [
            "attachments/整改项03/整改照片.png",
            "attachments/整改项03/整改照片（2）.PNG",  # as stored: Windows would extract both to one file
            "attachments/整改项03/签到表.png",
            "attachments/核心制度 05.3/制度文件.png",
            f"attachments/改进目标 1.1.2a/{long_name}",
        ]
    )
    book = load_workbook(io.BytesIO(members[fmt.WORKBOOK]))
    ledger = {row[0]: row for row in book["整改台账"].iter_rows(min_row=2, values_only=True) if isinstance(row[0], int)}
    assert set(ledger[3][12].split("、")) == {"整改照片.png", "整改照片（2）.PNG", "签到表.png"}  # row 3's 佐证材料
    results = list(book["自查结果"].iter_rows(values_only=True))
    head = results[0]
    by_row = {(r[head.index("检查表")], r[head.index("编号")]): r[head.index("佐证材料")] for r in results[1:]}
    assert by_row["核心制度", "05.3"].endswith("附件：制度文件.png")
    assert by_row["改进目标", "1.1.2a"].endswith(f"附件：{long_name}")
    target = open_store(tmp_path / "office.db")
    apply_import(target, plan_import(target, open_package(out)), actor)
    assert {a.filename: target.attachment_data(a.id) for a in list_attachments(target, demo_round)} == {
        a.filename: store.attachment_data(a.id) for a in list_attachments(store, demo_round)
    }


def test_exported_data_and_manifest_validate_against_the_published_schemas(package):
    members = _members(package)
    for name, schema in ((fmt.MANIFEST, "manifest"), (fmt.DATA, "data")):
        document = json.loads(members[name])
        jsonschema.Draft202012Validator(fmt.schema(schema)).validate(document)
    data = json.loads(members[fmt.DATA])
    assert all({"id", "updated_at", "author", "device_id"} <= set(a) for a in data["answers"])
    assert data["history"], "the change history travels with the package"


def test_reports_in_the_package_are_real_pdfs_of_this_hospital(package):
    members = _members(package)
    for name in fmt.REPORTS.values():
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(members[name])).pages)
        assert "示例县人民医院" in text


@pytest.mark.slow  # ≈5–8 s: two packages exported
def test_patient_record_numbers_are_pseudonymised_by_default(store, demo_round, tmp_path):
    real = {s.record_no for s in store.samples(demo_round)}
    out = export_package(store, demo_round, tmp_path / "p.zip", today=DAY).path
    data = json.loads(_members(out)[fmt.DATA])
    manifest = json.loads(_members(out)[fmt.MANIFEST])
    exported = {r["record_no"] for s in data["samples"] for r in s["records"]}
    assert manifest["patient_ids"] == "pseudonymised"
    assert not exported & real
    key = pseudonym_key(store)
    assert exported == {pseudonym(key, n) for n in real}  # the hospital can match them again
    # as a token, not inside another one: a hash, a UUID or another number can hold the same six
    # digits by chance (a fresh-clone CI run failed so)
    text = json.dumps(data, ensure_ascii=False)
    assert not any(re.search(rf"(?<![0-9a-f.]){n}(?![0-9a-f])", text) for n in real), "not even in the history"
    kept = export_package(store, demo_round, tmp_path / "k.zip", today=DAY, patient_ids=True).path
    data = json.loads(_members(kept)[fmt.DATA])
    assert {r["record_no"] for s in data["samples"] for r in s["records"]} == real
    assert json.loads(_members(kept)[fmt.MANIFEST])["patient_ids"] == "included"


def _read_only(path: Path) -> Store:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, isolation_level=None)
    return Store(conn, path, read_only="数据库文件所在的 U 盘写保护")


def test_copies_of_a_database_prepared_without_a_hospital_get_keys_of_their_own(tmp_path, actor):
    """Opening made the key: a database prepared once and copied to two 城关镇卫生院 gave both one
    key, the summary took them for one database, and dropped one's round as a restart (review)."""
    import shutil

    from app.exchange.export import key_id

    prepared = tmp_path / "prepared.db"
    open_store(prepared).close()
    copies = [tmp_path / f"{n}.db" for n in range(2)]
    for path in copies:
        shutil.copy(prepared, path)
    keys = []
    for path in copies:
        store = open_store(path)
        save_profile(store, PROFILE_2_GENERAL, actor)
        keys.append(key_id(pseudonym_key(store)))
        store.close()
    assert keys[0] != keys[1]


def test_a_database_without_a_key_opened_read_only_says_how_to_get_one(demo_file):
    path, _ = demo_file
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DELETE FROM settings WHERE key = 'exchange.patient_key'")  # as an earlier version left it
    conn.close()
    before = path.read_bytes()
    store = _read_only(path)
    with pytest.raises(AppError, match=r"还没有病案号脱敏用的密钥.*用本程序打开一次后再导出"):
        pseudonym_key(store)
    store.close()
    assert path.read_bytes() == before
    store = open_store(path)
    assert store.setting("exchange.patient_key") and not store.read_only
    store.close()


def test_without_attachments_the_package_says_so(exported, tmp_path):
    store, round_id, _ = exported
    out = export_package(store, round_id, tmp_path / "n.zip", attachments=False, today=DAY).path
    members = _members(out)
    assert not [n for n in members if n.startswith("attachments/")]
    data = json.loads(members[fmt.DATA])
    assert len(data["attachments"]) == 2 and all(a["path"] is None for a in data["attachments"])
    assert json.loads(members[fmt.MANIFEST])["attachments_included"] is False
    assert open_package(out).summary()["attachments"] == {"listed": 2, "included": 0, "bytes": 0}
    # imported elsewhere, each attachment left out is named with where it belongs
    office = open_store(tmp_path / "office.db")
    warnings = [w for w in plan_import(office, open_package(out)).warnings if "未随上报包提供" in w]
    assert len(warnings) == 2 and all(w.startswith("核心制度 首诊负责制度 第1条 ") for w in warnings)
    assert any("的整改项：附件“整改照片.png”" in w for w in warnings)
    assert any("可追溯：附件“制度文件.png”" in w for w in warnings)
    office.close()


def _without_reports(monkeypatch) -> None:
    """Stub reports and workbook: WeasyPrint's memory and time are not what a test measures."""
    from types import SimpleNamespace

    from app.render import registry

    def render(store, round_id, kind, target, today=None):
        target.write_bytes(b"%PDF-1.7 stub")
        return SimpleNamespace(warnings=())

    def write_workbook(store, round_id, target, today=None):
        target.write_bytes(b"PK stub")

    monkeypatch.setattr(registry, "render", render)
    monkeypatch.setattr(registry, "write_workbook", write_workbook)


SCAN_SIZE, SCANS = 8 << 20, 3


@pytest.fixture
def scans(store, demo_round, actor, monkeypatch):
    """The demo round with three 8 MB scans (random bytes, as scans do not compress)."""
    import os

    _without_reports(monkeypatch)
    for n in range(SCANS):
        data = os.urandom(SCAN_SIZE)
        fields = {"round_id": demo_round, "item_id": "qyx-core.01.1", "filename": f"扫描件{n}.pdf"}
        fields |= {"media_type": "application/pdf", "size": SCAN_SIZE, "sha256": hashlib.sha256(data).hexdigest()}
        store.add_attachment(fields, data, actor)
    return store, demo_round


def _peak(work):
    """(what ``work()`` returned, the most Python memory it held at once)."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_attachments_are_streamed_into_the_package_not_held(scans, tmp_path):
    """A round's scans may weigh gigabytes: the export read every attachment into memory before
    writing the zip. They are copied from the database a piece at a time."""
    store, round_id = scans
    result, peak = _peak(lambda: export_package(store, round_id, tmp_path / "big.zip", today=DAY))
    assert result.attachments == SCANS
    assert peak < SCAN_SIZE, f"the export held {peak / 2**20:.1f} MB at once"
    assert open_package(result.path).summary()["attachments"]["bytes"] == SCAN_SIZE * SCANS


def test_the_attachments_are_streamed_out_of_the_package_not_held(scans, tmp_path, actor):
    """The import read every attachment of the package into memory before writing any; checking
    the package read each member whole, twice over. Both go a piece at a time now."""
    store, round_id = scans
    out = export_package(store, round_id, tmp_path / "big.zip", today=DAY).path
    target = open_store(tmp_path / "office.db")
    open_package(out)  # once before measuring: the modules a first check imports weigh megabytes
    package, peak = _peak(lambda: open_package(out))
    assert peak < SCAN_SIZE, f"checking the package held {peak / 2**20:.1f} MB at once"
    plan = plan_import(target, package)
    result, peak = _peak(lambda: apply_import(target, plan, actor))
    assert peak < SCAN_SIZE, f"the import held {peak / 2**20:.1f} MB at once"
    assert result.added > 0
    for a in list_attachments(store, round_id):
        assert target.attachment_data(a.id) == store.attachment_data(a.id)


def test_an_attachment_changed_after_the_check_undoes_the_whole_import(scans, tmp_path, actor):
    store, round_id = scans
    out = export_package(store, round_id, tmp_path / "big.zip", today=DAY).path
    target = open_store(tmp_path / "office.db")
    plan = plan_import(target, open_package(out))
    members = _members(out)
    scan = next(n for n in members if n.startswith("attachments/"))
    _rezip(out, {**members, scan: bytes(len(members[scan]))})  # same size, other bytes
    with pytest.raises(PackageError, match="校验后被改动"):
        apply_import(target, plan, actor)
    assert target.rounds() == [] and target.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_suggested_name_and_no_partial_file_on_failure(store, demo_round, tmp_path):
    assert suggested_name(store, demo_round, DAY) == "示例县人民医院_2025年第一季度医疗质量自查_20250630.zip"
    with pytest.raises(AppError, match="不存在"):
        export_package(store, demo_round, tmp_path / "missing" / "x.zip", today=DAY)
    assert list(tmp_path.glob("**/*.part")) == []


# --- verify ------------------------------------------------------------------------------------


def test_an_intact_package_verifies(package):
    pkg = open_package(package)
    assert pkg.hospital_name == "示例县人民医院"
    assert pkg.summary()["records"]["attachments"] == 2
    sizes = sum(a["size"] for a in pkg.data["attachments"])
    assert pkg.summary()["attachments"] == {"listed": 2, "included": 2, "bytes": sizes}


def test_a_changed_byte_is_found(package, tmp_path):
    members = _members(package)
    data = json.loads(members[fmt.DATA])
    data["answers"][0]["finding"] = "改过的内容"
    _rezip(package, {**members, fmt.DATA: json.dumps(data, ensure_ascii=False).encode()})
    with pytest.raises(PackageError, match=r"data\.json"):
        open_package(package)


RESEND = "请报送单位重新导出上报包，原样发送（不要解压、打开或改动其中的文件，也不要重新压缩）。"


def test_a_missing_unlisted_or_resaved_member_says_what_to_ask_the_hospital_for(package):
    """“大小与清单不符”, “有清单未列出的文件：情况说明.txt”: true, but the clerk was not told what
    happened or what to ask the hospital for, nor, with forty files named 上报包.zip, whose it was:
    the hospital the manifest names follows the file's name."""
    members = _members(package)
    whose = f"“{package.name}”（示例县人民医院）"
    _rezip(package, {k: v for k, v in members.items() if k != fmt.WORKBOOK})
    with pytest.raises(PackageError) as missing:
        open_package(package)
    assert missing.value.user_message == f"{whose}缺少清单中列出的文件：{fmt.WORKBOOK}。{RESEND}"
    _rezip(package, {**members, "情况说明.txt": "因故晚报".encode()})
    with pytest.raises(PackageError) as extra:
        open_package(package)
    assert extra.value.user_message == (
        f"{whose}中有清单未列出的文件：情况说明.txt，已拒绝：上报包导出后被加入了文件。{RESEND}说明材料请另行发送。"
    )
    _rezip(package, {**members, fmt.WORKBOOK: members[fmt.WORKBOOK] + b"\0"})  # opened and saved
    with pytest.raises(PackageError) as resaved:
        open_package(package)
    assert resaved.value.user_message.endswith(f"：文件在导出后被打开保存或改动过。{RESEND}")
    assert resaved.value.user_message.startswith(whose)


def _rezip_unflagged(package: Path, members: dict[str, bytes], encoding: str) -> None:
    """The members zipped again by another program: names in ``encoding`` without the UTF-8 flag
    (Windows' 发送到 → 压缩文件夹 writes GBK on a Chinese system, zip on Linux UTF-8). Python's
    zipfile would set the flag, so the names are put in after."""
    stand_ins = {
        name: f"{n:0{len(name.encode(encoding)) - 4}d}.tmp" for n, name in enumerate(members) if not name.isascii()
    }
    _rezip(package, {stand_ins.get(name, name): data for name, data in members.items()})
    raw = package.read_bytes()
    for name, stand_in in stand_ins.items():
        raw = raw.replace(stand_in.encode(), name.encode(encoding))
    package.write_bytes(raw)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_a_package_zipped_again_by_another_program_is_told_for_what_it_is(package, encoding):
    """Unzipped and zipped again (by Windows, or zip on 统信UOS), the package read “缺少清单中列出的
    文件：整改报告.pdf、自查报告.pdf、自查结果.xlsx” while the file manager shows those very files."""
    members = _members(package)
    _rezip_unflagged(package, members, encoding)
    with zipfile.ZipFile(package) as zf:
        assert fmt.WORKBOOK not in zf.namelist() and not any(i.flag_bits & 0x800 for i in zf.infolist())
    with pytest.raises(PackageError) as recoded:
        open_package(package)
    assert recoded.value.user_message.startswith(
        f"“{package.name}”（示例县人民医院）是上报包解压后又用其他软件重新压缩的文件（中文文件名的编码变了，"
    )
    assert recoded.value.user_message.endswith(f"不是上报包本身。{RESEND}")


def test_a_round_over_numbered_checklists_is_format_2_which_a_reader_of_1_refuses_plainly(
    store, catalog, actor, tmp_path, monkeypatch
):
    """质量行动计划 spells its codes out (numbering): a reader of format 1, checking the
    package's checklists as strictly as checklist files, refused it as 不符合检查表格式 (diff
    review). The package says format 2; such a reader tells the user to upgrade instead."""
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    save_profile(store, DEMO_PROFILE, actor)
    round_id = start_round(store, [catalog.get("nat-quality-2023")], "行动计划", dt.date(2025, 3, 15), actor)
    out = export_package(store, round_id, tmp_path / "p.zip", today=dt.date(2025, 6, 30)).path
    package = open_package(out)  # this program reads it
    assert package.manifest["format_version"] == 2
    monkeypatch.setattr(fmt, "FORMAT_VERSION", 1)
    with pytest.raises(PackageError) as older:
        open_package(out)
    assert "上报包格式第 2 版" in older.value.user_message and "请升级本程序" in older.value.user_message


def test_only_a_package_with_patient_ids_carries_the_key_and_says_format_3(
    store, catalog, actor, tmp_path, monkeypatch
):
    """The key lets the hospital's departments pseudonymise as the office does (test_merge_samples);
    the commission's 脱敏 copy never has it, and a manifest that says 脱敏 and has one is refused."""
    from app.exchange.export import stored_pseudonym_key
    from app.services.demo import create_demo

    round_id = create_demo(store, catalog, actor)
    kept = export_package(store, round_id, tmp_path / "ids.zip", patient_ids=True, today=dt.date(2025, 6, 30)).path
    manifest = open_package(kept).manifest
    assert manifest["format_version"] == 3 and bytes.fromhex(manifest["patient_key"]) == stored_pseudonym_key(store)
    plain = export_package(store, round_id, tmp_path / "p.zip", today=dt.date(2025, 6, 30)).path
    assert "patient_key" not in open_package(plain).manifest and open_package(plain).manifest["format_version"] == 1
    members = _members(plain)
    manifest = json.loads(members[fmt.MANIFEST])
    manifest["patient_key"] = "0" * 64
    members[fmt.MANIFEST] = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
    with pytest.raises(PackageError) as leaked:
        open_package(_rezip(plain, members, tmp_path / "leaked.zip"))
    assert "patient_key" in leaked.value.user_message
    monkeypatch.setattr(fmt, "FORMAT_VERSION", 2)  # a program of format 2 asks for an upgrade
    with pytest.raises(PackageError) as older:
        open_package(kept)
    assert "上报包格式第 3 版" in older.value.user_message


def test_a_newer_format_version_names_the_program_and_the_hospital(package):
    members = _members(package)
    manifest = json.loads(members[fmt.MANIFEST])
    manifest["format_version"] = fmt.FORMAT_VERSION + 1
    manifest["app"]["version"] = "0.3.0"
    _rezip(package, {**members, fmt.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(PackageError) as newer:
        open_package(package)
    assert newer.value.user_message == (
        f"“{package.name}”（示例县人民医院）由医疗质量自查助手 0.3.0 导出（上报包格式第 {fmt.FORMAT_VERSION + 1} 版；"
        f"本程序 {__version__} 只能读取到第 {fmt.FORMAT_VERSION} 版）：请把本程序升级到 0.3.0 或更新的版本，"
        "再汇总或导入这个上报包。"
    )
    # unchecked text: only a later version is named
    for app in ("not an object", {"version": __version__}, {"version": "9" * 100}):
        manifest["app"] = app
        _rezip(package, {**members, fmt.MANIFEST: json.dumps(manifest).encode()})
        with pytest.raises(PackageError, match=r"）由更新版本的程序导出（.*：请升级本程序，再汇总或导入"):
            open_package(package)


def test_data_that_fails_the_schema_is_refused_even_with_matching_hashes(package):
    members = _members(package)
    data = json.loads(members[fmt.DATA])
    data["answers"][0]["item_id"] = {"not": "a string"}
    _rezip(package, _relisted({**members, fmt.DATA: json.dumps(data).encode()}))
    with pytest.raises(PackageError, match="不符合格式要求"):
        open_package(package)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/passwd", "C:/Windows/evil.dll", "a/../../b", "attachments\\..\\x"]
)
def test_unsafe_member_names_are_refused(package, name):
    members = _members(package)
    _rezip(package, _relisted({**members, name: b"x"}))
    with pytest.raises(PackageError, match="不安全"):
        open_package(package)


def test_a_symlink_member_is_refused(package):
    members = _members(package)
    with zipfile.ZipFile(package, "a") as zf:
        info = zipfile.ZipInfo("attachments/link")
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/shadow")
    del members
    with pytest.raises(PackageError, match="链接"):
        open_package(package)


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        pytest.param(2 * 1024**3, "超过上限", marks=pytest.mark.slow),  # ≈7 s compressing 2 GiB of zeros
        (48 * 1024**2, "压缩比异常"),
    ],
)
def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, size, reason):
    """2 GiB of zeros in about 2 MB: refused from its header, quickly and in bounded memory; a
    smaller member that inflates a thousandfold, by its ratio."""
    import resource
    import time
    import zlib

    bomb = tmp_path / "bomb.zip"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(16 * 1024 * 1024)
    body = b"".join(compressor.compress(chunk) for _ in range(size // len(chunk))) + compressor.flush()
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.writestr(fmt.MANIFEST, b"{}")
    # the raw deflate stream above is what an attacker ships; zipfile would compress it all again
    _append_raw(bomb, ("data.json", body, crc, size))
    assert bomb.stat().st_size < 4 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(PackageError, match=reason):
        open_package(bomb)
    assert time.perf_counter() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024  # KiB


def _append_raw(path: Path, member: tuple[str, bytes, int, int]) -> None:
    """Rewrite ``path`` with ``member`` (already deflated) added, using zip64 sizes."""
    name, body, crc, size = member
    with zipfile.ZipFile(path) as zf:
        existing = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in existing:
            zf.writestr(info, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = size
        info.compress_size = len(body)
        info.CRC = crc
        zf.fp.seek(zf.start_dir)  # type: ignore[union-attr]
        info.header_offset = zf.start_dir
        zf.fp.write(info.FileHeader(zip64=True))  # type: ignore[union-attr]
        zf.fp.write(body)  # type: ignore[union-attr]
        zf.start_dir = zf.fp.tell()  # type: ignore[union-attr]
        zf.filelist.append(info)
        zf.NameToInfo[name] = info
        zf._didModify = True


def test_a_member_over_the_limit_is_told_larger_than_the_limit(tmp_path):
    """Refused from its header, and its size reads above the limit (64.0 MB read like 64 MB)."""
    oversized = tmp_path / "oversized.zip"
    with zipfile.ZipFile(oversized, "w") as zf:
        zf.writestr(fmt.MANIFEST, b"{}")
    _append_raw(oversized, ("data.json", b"\x03\x00", 0, fmt.MAX_MEMBER_BYTES + 2000))
    with pytest.raises(PackageError, match=re.escape("“data.json”解压后为 64.002 MB，超过上限 64 MB，已拒绝。")):
        open_package(oversized)


def test_a_member_inflating_past_its_declared_size_is_refused(tmp_path):
    """A header that lies about the size: reading stops at the declared size."""
    import zlib

    liar = tmp_path / "liar.zip"
    payload = bytes(10 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(payload) + compressor.flush()
    with zipfile.ZipFile(liar, "w") as zf:
        zf.writestr(fmt.MANIFEST, json.dumps({"format": fmt.FORMAT}).encode())
    _append_raw(liar, ("data.json", body, zlib.crc32(payload), 100))
    with pytest.raises(PackageError):
        open_package(liar)


def test_too_many_members_and_non_zip_files_are_refused(tmp_path):
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for n in range(fmt.MAX_MEMBERS + 1):
            zf.writestr(f"f{n}", b"")
    with pytest.raises(PackageError, match="超过上限"):
        open_package(many)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PackageError, match="zip"):
        open_package(junk)
    with pytest.raises(PackageError, match="不是普通文件"):
        open_package(tmp_path)


def _zip(path: Path, members: dict[str, bytes], folders: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for folder in folders:  # as Windows' 发送到 → 压缩文件夹 writes them
            zf.writestr(zipfile.ZipInfo(folder), b"")
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_a_document_or_a_packed_package_named_zip_is_told_for_what_it_is(package, tmp_path):
    """An .xlsx is a zip: a workbook renamed .zip (last year's 汇总表, a hospital's 自查结果.xlsx sent
    in place of its package) was told “中没有 manifest.json，不是本程序导出的上报包”, which says
    nothing of what to ask for; so was a package sent inside another zip, or unzipped and zipped
    again. Each is named for what it is, from its members' names, and nothing is counted."""
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    parts = _members(package)
    (inbox / "自查结果.zip").write_bytes(parts[fmt.WORKBOOK])  # the program's own workbook
    word = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "_rels/.rels": b"<Relationships/>",
        "word/document.xml": b"<w:document/>",
    }
    _zip(inbox / "通知.zip", word)
    _zip(inbox / "打包.zip", {"甲县人民医院.zip": package.read_bytes()})
    _zip(inbox / "重新压缩.zip", {f"甲县人民医院/{n}": d for n, d in parts.items()}, folders=("甲县人民医院/",))
    _zip(inbox / "其他.zip", {"说明.txt": "各医院请于7月10日前报送。".encode()})
    reasons = {path.name: "" for path in inbox.iterdir()}
    for name in reasons:
        with pytest.raises(PackageError) as err:
            open_package(inbox / name)
        reasons[name] = err.value.user_message
    assert reasons == {
        # each says what to ask of the sender, not only what the file is (exchange review)
        "自查结果.zip": f"“自查结果.zip”不是有效的上报包：这是 Excel 工作簿（.xlsx），改了扩展名，不是上报包。{ASK}",
        "通知.zip": f"“通知.zip”不是有效的上报包：这是 Word 文档（.docx），改了扩展名，不是上报包。{ASK}",
        "打包.zip": "“打包.zip”不是有效的上报包：这是一个压缩包，里面装着“甲县人民医院.zip”，"
        "请先解压，再汇总或导入里面的上报包。",
        "重新压缩.zip": "“重新压缩.zip”不是有效的上报包：这是上报包解压后又重新压缩的文件（manifest.json 在"
        "“甲县人民医院”文件夹中），不是上报包本身，请报送单位直接发送本程序导出的上报包。",
        "其他.zip": f"“其他.zip”中没有 manifest.json，不是本程序导出的上报包。{ASK}",
    }
    from app.exchange.aggregate import aggregate

    result = aggregate([inbox], today=DAY)
    assert (result.rounds, result.superseded) == ([], [])
    assert {b.path.name: b.reason for b in result.refused} == reasons


ASK = "请报送单位发送本程序导出的上报包（“轮次 → 导出上报包”生成的 .zip 文件）。"


def test_a_document_under_its_own_name_is_not_said_to_be_renamed(tmp_path):
    """自查报告.pdf chosen by mistake was “a PDF with its extension changed” (review, exchange 4)."""
    pdf, xlsx = tmp_path / "自查报告.pdf", tmp_path / "自查结果.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n")
    _zip(xlsx, {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    said = {}
    for path in (pdf, xlsx):
        with pytest.raises(PackageError) as err:
            open_package(path)
        said[path.name] = err.value.user_message
    assert said == {
        # the user's own choice to make again, not the sender's file to resend
        "自查报告.pdf": "“自查报告.pdf”不是有效的上报包：这是 PDF 文件，不是上报包。"
        "请选择本程序导出的上报包（.zip 文件）。",
        "自查结果.xlsx": "“自查结果.xlsx”不是有效的上报包：这是 Excel 工作簿（.xlsx），不是上报包。"
        "请选择本程序导出的上报包（.zip 文件）。",
    }


def test_a_name_windows_zipped_in_gbk_is_shown_in_chinese(package, tmp_path):
    """Windows' 发送到 → 压缩文件夹 writes names in GBK without the UTF-8 flag; zipfile reads them
    as cp437, and the message read “里面装着“ÖÐÎÄ.zip”” (Windows review)."""
    outer = _zip(tmp_path / "打包.zip", {"ABCDEFGH.zip": package.read_bytes()})
    gbk = "甲县医院.zip".encode("gbk")  # as long as the placeholder: the headers give the length
    outer.write_bytes(outer.read_bytes().replace(b"ABCDEFGH.zip", gbk))
    with zipfile.ZipFile(outer) as zf:
        [info] = zf.infolist()
        assert not info.flag_bits & 0x800 and info.filename != "甲县医院.zip"
    with pytest.raises(PackageError, match=re.escape("里面装着“甲县医院.zip”")):
        open_package(outer)


# --- import ------------------------------------------------------------------------------------


@pytest.mark.slow  # ≈9 s: exports, imports and renders both reports
def test_round_trip_into_an_empty_database_is_identical(exported, package, tmp_path, actor):
    store, rid, _ = exported
    target = open_store(tmp_path / "office.db")
    result = apply_import(target, plan_import(target, open_package(package)), actor)
    assert result.added > 100 and result.updated == 0 and not result.conflicts
    assert score(target, rid).to_dict() == score(store, rid).to_dict()
    ours = [(e.rectification, e.status, e.item_ids) for e in list_rectifications(store, rid, DAY)]
    theirs = [(e.rectification, e.status, e.item_ids) for e in list_rectifications(target, rid, DAY)]
    assert ours == theirs
    for a in list_attachments(store, rid):
        assert target.attachment_data(a.id) == store.attachment_data(a.id)
    assert target.verify_history().ok
    from app.render import render_report

    for kind in ("self", "rectification"):
        texts = []
        for db, name in ((store, "source"), (target, "target")):
            out = render_report(db, rid, kind, tmp_path / f"{name}-{kind}.pdf", today=DAY).path
            texts.append("".join(page.extract_text() for page in PdfReader(out).pages))
        assert texts[0] == texts[1] and "示例县人民医院" in texts[0], kind


def test_importing_the_same_package_twice_changes_nothing(package, tmp_path, actor):
    target = open_store(tmp_path / "office.db")
    pkg = open_package(package)
    apply_import(target, plan_import(target, pkg), actor)
    size_before = target.conn.execute("SELECT COUNT(*) FROM history").fetchone()[0]
    backups = sorted((tmp_path / "backups").glob("office-*"))  # none: the first went into an empty database
    again = apply_import(target, plan_import(target, pkg), actor)
    assert (again.added, again.updated, again.conflicts) == (0, 0, ())
    assert target.conn.execute("SELECT COUNT(*) FROM history").fetchone()[0] == size_before
    # nothing to import, no 导入前 backup: a day of such imports rotated out the ones before them
    assert sorted((tmp_path / "backups").glob("office-*")) == backups


def test_an_import_reads_the_rounds_rectifications_once_for_all_its_items(package, tmp_path, actor):
    """After writing, the import brings each item's rectification in line with its answer. Item by
    item that read the round's rectifications once per item (a round of 656 items with 77
    rectifications: 50,000 rows, a third of a second on the window's thread)."""
    target = open_store(tmp_path / "office.db")
    plan = plan_import(target, open_package(package))
    statements: list[str] = []
    target.conn.set_trace_callback(statements.append)
    try:
        result = apply_import(target, plan, actor)
    finally:
        target.conn.set_trace_callback(None)
    items = {a.item_id for a in target.answers(result.round_id)}
    assert len(items) > 50
    reads = [s for s in statements if s.startswith("SELECT * FROM rectifications WHERE round_id")]
    assert len(reads) <= 3, f"the round's rectifications were read {len(reads)} times"
    # the package's rectifications, as they were: none opened or removed by the sync
    imported = {r.id for r in target.rectifications(result.round_id)}
    assert imported == {r["id"] for r in plan.package.data["rectifications"]}


def test_another_hospitals_package_is_refused_unless_confirmed(package, profiled_store, actor, catalog):
    before = profiled_store.path.read_bytes()
    with pytest.raises(ImportRefused, match="汇总多家医院"):
        plan_import(profiled_store, open_package(package))
    assert profiled_store.path.read_bytes() == before
    plan = plan_import(profiled_store, open_package(package), allow_other_hospital=True)
    result = apply_import(profiled_store, plan, actor)
    assert result.added > 0
    assert profiled_store.profile().name == PROFILE_2_GENERAL.name  # its own profile stays
    assert load_round(profiled_store, result.round_id).profile.name == "示例县人民医院"
    # the imported hospital's profile history stays here: it went out in this hospital's own package
    own_round = start_round(profiled_store, catalog.entries[:1], "本院自查", dt.date(2025, 6, 1), actor)
    out = export_package(profiled_store, own_round, profiled_store.path.parent / "本院.zip", attachments=False)
    data = json.loads(zipfile.ZipFile(out.path).read(fmt.DATA))
    own_id = profiled_store.profile().id
    assert [e["record_id"] for e in data["history"] if e["record_table"] == "hospital"] == [own_id]
    assert "示例县人民医院" not in json.dumps(data, ensure_ascii=False)


class Departments:
    """A quality office and two department PCs filling parts of one round."""

    ITEM_A, ITEM_B, SHARED = "qyx-core.01.1", "qyx-core.02.1", "qyx-core.03.1"

    def __init__(self, tmp_path: Path, catalog) -> None:
        self.tmp = tmp_path
        self.office_actor = Actor("质控办", "pc-office")
        self.office = open_store(tmp_path / "office.db")
        save_profile(self.office, PROFILE_2_GENERAL, self.office_actor)
        entries = [e for e in catalog.entries if e.checklist.default]
        self.round_id = start_round(self.office, entries, "2025年上半年自查", dt.date(2025, 5, 1), self.office_actor)
        start = self.export(self.office, "start")
        self.a, self.b = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
        self.a_actor, self.b_actor = Actor("内科", "pc-a"), Actor("外科", "pc-b")
        for db in (self.a, self.b):
            apply_import(db, plan_import(db, open_package(start)), Actor("", ""))

    def older_export_after_newer(self, monkeypatch) -> Path:
        """内科 exports, changes the item, exports again; the office imports the second package.
        Returns the first: an older export of 内科's PC, sent after the newer one. The exports
        name 内科's PC as the program does (the device id in its data folder)."""
        folder = self.tmp / "pc-a-data"
        folder.mkdir()
        (folder / "device-id").write_text(self.a_actor.device_id, encoding="ascii")
        monkeypatch.setenv("MQSC_DATA_DIR", str(folder))
        self.answer(self.a, self.a_actor, self.ITEM_A, grade="C", finding="内科：记录不全")
        first = self.export(self.a, "a1")
        self.answer(self.a, self.a_actor, self.ITEM_A, grade="B", finding="")
        self.office_import(self.export(self.a, "a2"))
        return first

    def export(self, store, name: str) -> Path:
        return export_package(
            store, self.round_id, self.tmp / f"{name}.zip", patient_ids=True, attachments=False, today=DAY
        ).path

    def answer(self, store, actor, item, **fields):
        return answer_service.record_answer(store, self.round_id, item, actor, **fields)

    def office_import(self, path: Path, resolutions=None):
        plan = plan_import(self.office, open_package(path))
        if resolutions == "all-package":
            resolutions = {c.key: PACKAGE for c in plan.conflicts}
        elif resolutions == "all-local":
            resolutions = {c.key: LOCAL for c in plan.conflicts}
        return plan, apply_import(self.office, plan, self.office_actor, resolutions)


@pytest.fixture
def departments(tmp_path, catalog):
    return Departments(tmp_path, catalog)


def _both_change_the_shared_item(d: Departments):
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    d.answer(d.a, d.a_actor, d.SHARED, grade="B", finding="内科：部分落实")
    d.answer(d.b, d.b_actor, d.ITEM_B, grade="C", finding="外科：培训不足")
    d.answer(d.b, d.b_actor, d.SHARED, grade="D", finding="外科：未落实")
    return d.export(d.a, "a"), d.export(d.b, "b")


def test_departments_merge_and_a_conflict_is_shown_side_by_side(departments):
    d = departments
    from_a, from_b = _both_change_the_shared_item(d)
    _, first = d.office_import(from_a)
    assert first.added == 2 and not first.conflicts
    _, second = d.office_import(from_b)
    assert second.added == 1 + 1  # 外科's item and the rectification its D opened
    [conflict] = second.conflicts
    assert conflict.item_id == d.SHARED
    assert conflict.local.values["grade"] == "B" and conflict.local.author == "内科"
    assert conflict.package.values["grade"] == "D" and conflict.package.author == "外科"
    assert "第" in conflict.label and d.SHARED not in conflict.label  # as the reports name it, not by id
    # each PC answered the item on its own: no version in common, so each difference is asked
    assert conflict.fields == ["grade", "finding"] and not conflict.ancestor
    assert conflict.parts == (("grade", "na_reason"), ("finding",))
    assert d.office.answer(d.round_id, d.SHARED).grade == "B", "unresolved: the local value stays"
    assert d.office.answer(d.round_id, d.ITEM_B).grade == "C"


def test_a_conflict_resolved_for_the_package_takes_its_value_and_stays_settled(departments):
    d = departments
    from_a, from_b = _both_change_the_shared_item(d)
    d.office_import(from_a)
    _, result = d.office_import(from_b, "all-package")
    assert result.resolved == {f"answers:{d.office.answer(d.round_id, d.SHARED).id}": PACKAGE}
    assert d.office.answer(d.round_id, d.SHARED).grade == "D"
    assert list_rectifications(d.office, d.round_id, DAY), "the D opened its rectification"
    for path in (from_b, from_a):  # neither package brings the conflict back
        _, again = d.office_import(path)
        assert (again.added, again.updated, len(again.conflicts)) == (0, 0, 0)
    assert d.office.answer(d.round_id, d.SHARED).grade == "D"


@pytest.mark.slow  # ≈5 s: four packages exported
def test_a_conflict_resolved_for_this_device_keeps_ours_and_stays_settled(departments):
    d = departments
    from_a, from_b = _both_change_the_shared_item(d)
    d.office_import(from_a)
    d.office_import(from_b, "all-local")
    assert d.office.answer(d.round_id, d.SHARED).grade == "B"
    _, again = d.office_import(from_b)
    assert (again.updated, len(again.conflicts)) == (0, 0)
    assert any(e.action == "merge" for e in d.office.history(item_id=d.SHARED))


@pytest.mark.slow  # ≈7 s: four packages exported
def test_a_later_change_on_one_side_updates_without_conflict(departments):
    d = departments
    from_a, _ = _both_change_the_shared_item(d)
    d.office_import(from_a)
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="B", finding="复核后降为 B")
    _, result = d.office_import(d.export(d.a, "a2"))
    assert (result.updated, len(result.conflicts)) == (1, 0)
    assert d.office.answer(d.round_id, d.ITEM_A).finding == "复核后降为 B"
    # and a change made in the office since is not overwritten by an older package
    d.answer(d.office, d.office_actor, d.ITEM_A, grade="A", finding="质控办复核")
    _, stale = d.office_import(d.export(d.a, "a3"))
    assert stale.updated == 0 and d.office.answer(d.round_id, d.ITEM_A).grade == "A"


def _records(path: Path) -> int:
    """The package's records as an import counts them: the hospital's profile (added to a new
    database, else unchanged: 新增 119 into a new one and 未变 118 the second time, review), the
    round, and each answer, item's sampled records, rectification and attachment."""
    data = open_package(path).data
    return 2 + sum(len(data[k]) for k in ("answers", "samples", "rectifications", "attachments"))


def test_the_result_counts_each_record_once_and_says_how_each_conflict_was_settled(departments, tmp_path):
    """The preview said 新增 1，更新 2，未变 115，冲突 2; the result said 未变 117 after keeping ours
    and 更新 4 after taking the package's: a settled conflict was counted a second time."""
    d = departments
    from_a, from_b = _both_change_the_shared_item(d)
    d.office_import(from_a)
    d.office.close()
    ways = (("all-package", "1 条采用上报包的值"), ("all-local", "1 条保留本机的值"), (None, "1 条未处理"))
    for how, settled in ways:
        copy = tmp_path / f"office-{how}.db"
        copy.write_bytes((tmp_path / "office.db").read_bytes())
        office = open_store(copy)
        plan = plan_import(office, open_package(from_b))
        counts = plan.counts()
        assert sum(counts.values()) == _records(from_b)
        fresh = open_store(tmp_path / f"fresh-{how}.db")
        assert sum(plan_import(fresh, open_package(from_b)).counts().values()) == _records(from_b)
        choice = {"all-package": PACKAGE, "all-local": LOCAL}.get(how or "")
        result = apply_import(office, plan, d.office_actor, {c.key: choice for c in plan.conflicts} if choice else None)
        assert (result.added, result.updated, result.unchanged, len(result.conflicts)) == (
            counts["added"],
            counts["updated"],
            counts["unchanged"],
            counts["conflicts"],
        ), how
        assert result.text() == (
            f"新增 {counts['added']}，更新 {counts['updated']}，未变 {counts['unchanged']}，冲突 1（{settled}"
            + ("：暂保留本机的值，下次导入时再列出）" if how is None else "）")
        )
        office.close()


def test_a_refused_import_writes_nothing(departments, tmp_path):
    d = departments
    from_a, _ = _both_change_the_shared_item(d)
    d.office.close()
    before = (tmp_path / "office.db").read_bytes()
    office = open_store(tmp_path / "office.db")
    members = _members(from_a)
    data = json.loads(members[fmt.DATA])
    data["answers"][0]["item_id"] = "qyx-core.不存在"
    forged = _rezip(
        from_a, _relisted({**members, fmt.DATA: json.dumps(data, ensure_ascii=False).encode()}), tmp_path / "forged.zip"
    )
    with pytest.raises(ImportRefused, match="不在本轮的检查表中"):
        plan_import(office, open_package(forged))
    office.close()
    assert (tmp_path / "office.db").read_bytes() == before


# --- forged packages the schema lets through (review of the exchange layer) ---------------------


def _forge(package: Path, change) -> Path:
    """Change data.json with ``change(data)`` and keep the manifest's hashes in step."""
    parts = _members(package)
    data = json.loads(parts[fmt.DATA])
    change(data)
    return _rezip(package, _relisted({**parts, fmt.DATA: json.dumps(data, ensure_ascii=False).encode()}))


def _first_rect(data):
    return data["rectifications"][0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: _first_rect(d).update(deadline="2025-99-99"), "日期"),
        (lambda d: _first_rect(d).update(deadline="２０２５-０１-０１"), "格式"),
        (lambda d: _first_rect(d).update(deadline="2025-01-01\n"), "格式"),
        (lambda d: d["history"].append({**d["history"][0], "id": "x1", "round_id": "another-round"}), "不属于本轮"),
        (lambda d: d["history"][0].update(changes={"grade": "x"}), "格式"),
        (lambda d: d["answers"].append({**d["answers"][0], "id": "dup-item"}), "两份自查结果"),
        (lambda d: d["answers"].append({**d["answers"][1], "id": d["answers"][0]["id"]}), "重复的记录编号"),
        (lambda d: d["attachments"][0].update(filename="整改照片.exe"), "不是本程序允许"),
        (lambda d: d["attachments"][0].update(filename="整改\u202egnp.bat"), "控制字符"),
        (lambda d: d["checklists"][0]["content"]["sections"].pop(), "校验值不符"),
        (lambda d: d["checklists"][0]["content"].update(sections={"a": 1}), "校验值不符"),
    ],
)
def test_forged_data_with_matching_hashes_is_refused(package, change, reason):
    with pytest.raises(PackageError, match=reason):
        open_package(_forge(package, change))


def test_checklist_content_rehashed_by_a_forger_must_still_be_a_valid_checklist(package):
    from app.catalog import content_hash

    def change(data):
        frozen = data["checklists"][0]
        frozen["content"]["sections"] = [{"id": "x"}]  # not a checklist any more
        frozen["sha256"] = content_hash(frozen["content"])

    parts = _members(_forge(package, change))
    manifest = json.loads(parts[fmt.MANIFEST])
    data = json.loads(parts[fmt.DATA])
    manifest["checklists"][0]["sha256"] = data["checklists"][0]["sha256"]
    _rezip(package, {**parts, fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()})
    with pytest.raises(PackageError, match="不符合检查表格式"):
        open_package(package)


@pytest.mark.parametrize(
    ("raw", "reason"), [('"numerator": 1e999', "超出范围"), ('"finding": "\\ud800"', "无法识别的字符")]
)
def test_infinite_numbers_and_lone_surrogates_are_refused(package, raw, reason):
    """Valid JSON that no program downstream can use: infinity, a lone surrogate."""
    parts = _members(package)
    text = parts[fmt.DATA].decode()
    forged = text.replace('"finding": ""', raw, 1)
    assert forged != text
    _rezip(package, _relisted({**parts, fmt.DATA: forged.encode()}))
    with pytest.raises(PackageError, match=reason):
        open_package(package)


def test_many_small_members_adding_up_to_a_bomb_are_refused(package):
    parts = _members(package)
    data = json.loads(parts[fmt.DATA])
    zeros = bytes(1024 * 1024)
    extra = {}
    for n in range(40):
        name = f"attachments/bomb{n}/z.json"
        extra[name] = zeros
        data["attachments"].append(
            {
                **data["attachments"][0],
                "id": f"bomb{n}",
                "path": name,
                "size": len(zeros),
                "filename": "z.txt",
                "sha256": hashlib.sha256(zeros).hexdigest(),
            }
        )
    _rezip(package, _relisted({**parts, **extra, fmt.DATA: json.dumps(data, ensure_ascii=False).encode()}))
    with pytest.raises(PackageError, match="整体压缩比"):
        open_package(package)


def test_a_format_version_written_as_a_float_is_still_compared(package):
    parts = _members(package)
    manifest = json.loads(parts[fmt.MANIFEST])
    manifest["format_version"] = fmt.FORMAT_VERSION + 1.0
    _rezip(package, {**parts, fmt.MANIFEST: json.dumps(manifest).encode()})
    with pytest.raises(PackageError, match="更新版本"):
        open_package(package)


# --- merging: what a quality office meets (review of the exchange layer) -----------------------


def test_a_record_id_of_another_round_is_refused(departments, tmp_path):
    """A package cannot move another round's answer into its own round (writes go by id)."""
    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    from_a = d.export(d.a, "a")
    d.office_import(from_a)
    other = _forge(from_a, lambda data: data["round"].update(id="forged-round") or data.update(history=[]))
    parts = _members(other)
    manifest = json.loads(parts[fmt.MANIFEST])
    manifest["round"]["id"] = "forged-round"
    _rezip(other, {**parts, fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()})
    with pytest.raises(ImportRefused, match="另一轮自查"):
        plan_import(d.office, open_package(other))


@pytest.mark.slow  # ≈5 s: three packages exported
def test_kept_local_sampled_records_still_export_pseudonymised(departments, tmp_path):
    d = departments
    item = next(i.id for i in load_round(d.office, d.round_id).items() if i.kind == "sampling")
    # the same record judged differently on each PC: the lists conflict, and the local one is kept
    for db, actor, compliant in ((d.a, d.a_actor, True), (d.b, d.b_actor, False)):
        answer_service.set_samples(db, d.round_id, item, [answer_service.SampleInput("A1", compliant)], actor)
    d.office_import(d.export(d.a, "a"))
    _, result = d.office_import(d.export(d.b, "b"), "all-local")
    assert result.resolved and list(result.resolved.values()) == [LOCAL]
    out = export_package(d.office, d.round_id, tmp_path / "upload.zip", attachments=False, today=DAY).path
    assert open_package(out).manifest["patient_ids"] == "pseudonymised"


def test_twin_rectifications_keep_both_sides_photos(departments, tmp_path):
    """Both PCs graded the item D (each opened a rectification) and attached a photo to it."""
    d = departments
    for db, actor, color in ((d.a, d.a_actor, (200, 0, 0)), (d.b, d.b_actor, (0, 0, 200))):
        d.answer(db, actor, d.SHARED, grade="D", finding="未落实")
        rect = list_rectifications(db, d.round_id, DAY)[0]
        from PIL import Image

        photo = tmp_path / f"{actor.author}.png"
        Image.new("RGB", (20, 20), color).save(photo)
        add_attachment(db, d.round_id, photo, actor, rectification_id=rect.id)
    for db, name, how in ((d.a, "a", None), (d.b, "b", "all-package")):
        path = export_package(db, d.round_id, tmp_path / f"{name}.zip", patient_ids=True, today=DAY).path
        d.office_import(path, how)
    [rect] = list_rectifications(d.office, d.round_id, DAY)
    photos = list_attachments(d.office, d.round_id, rectification_id=rect.id)
    assert sorted(a.filename for a in photos) == ["内科.png", "外科.png"]


def test_a_round_update_keeps_the_link_to_the_previous_round_and_a_free_name(departments, catalog, tmp_path):
    from app.services.rectifications import start_recheck_round
    from app.services.rounds import rename_round, set_round_final

    d = departments
    entries = [e for e in catalog.entries if e.checklist.default]
    recheck = start_recheck_round(
        d.office, entries, "复查", dt.date(2025, 6, 1), d.office_actor, previous_round_id=d.round_id
    )
    start = export_package(d.office, recheck, tmp_path / "r.zip", patient_ids=True, attachments=False, today=DAY).path
    apply_import(d.a, plan_import(d.a, open_package(start)), d.a_actor)
    assert d.a.round(recheck).previous_round_id == d.round_id  # A has the first round too
    set_round_final(d.office, recheck, True, d.office_actor)
    start_round(d.a, entries, "复查（内科）", dt.date(2025, 6, 2), d.a_actor)  # a name A already uses
    rename_round(d.a, recheck, "复查 ", d.a_actor)
    rename_round(d.office, recheck, "复查（内科）", d.office_actor)
    from_office = export_package(
        d.office, recheck, tmp_path / "r2.zip", patient_ids=True, attachments=False, today=DAY
    ).path
    result = apply_import(d.a, plan_import(d.a, open_package(from_office)), d.a_actor, {})
    row = d.a.round(recheck)
    assert row.previous_round_id == d.round_id
    assert result.conflicts or row.name != "复查（内科）", "never two rounds of one name"


def test_the_same_round_id_from_another_hospital_is_not_merged(departments, tmp_path, catalog):
    """Two hospitals that copied one prepared database share a round id: keep them apart."""
    from app.exchange.aggregate import aggregate

    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    ours = d.export(d.a, "ours")
    theirs = _forge(d.export(d.b, "theirs"), lambda data: data["round"]["profile"].update(name="乙镇卫生院", code=""))
    parts = _members(theirs)
    manifest = json.loads(parts[fmt.MANIFEST])
    manifest["hospital"].update(name="乙镇卫生院", code="")
    _rezip(theirs, {**parts, fmt.MANIFEST: json.dumps(manifest, ensure_ascii=False).encode()})
    commission = open_store(tmp_path / "commission.db")
    apply_import(commission, plan_import(commission, open_package(ours)), d.office_actor)
    with pytest.raises(ImportRefused, match="两家医院"):
        plan_import(commission, open_package(theirs), allow_other_hospital=True)
    result = aggregate([ours, theirs], today=DAY)
    assert len(result.rounds) == 2
    # the summary database too: rounds.round_id was its primary key, and writing it failed with
    # a traceback (UNIQUE constraint failed), after the workbook and before the PDF
    from app.exchange.aggregate import write_outputs

    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", sqlite=tmp_path / "汇总.db", pdf=tmp_path / "汇总.pdf")
    conn = sqlite3.connect(tmp_path / "汇总.db")
    rounds = dict(conn.execute("SELECT hospital, round_id FROM rounds"))
    assert sorted(rounds.values()) == [d.round_id, f"{d.round_id}#2"]
    for hospital, round_id in rounds.items():  # each hospital's rows join on its own id
        (items,) = conn.execute("SELECT COUNT(*) FROM item_results WHERE round_id = ?", (round_id,)).fetchone()
        assert items == len(next(r for r in result.rounds if r.hospital == hospital).items)
    assert (tmp_path / "汇总.pdf").exists()


def test_a_rectification_deleted_here_does_not_come_back_with_an_older_package(departments):
    from app.services.rectifications import delete_rectification

    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="C", finding="部分落实")
    from app.services.rectifications import open_rectification

    open_rectification(d.a, d.round_id, d.ITEM_A, d.a_actor, DAY)
    from_a = d.export(d.a, "a")
    d.office_import(from_a)
    [rect] = list_rectifications(d.office, d.round_id, DAY)
    delete_rectification(d.office, rect.id, d.office_actor)
    _, again = d.office_import(from_a)
    assert again.added == 0 and list_rectifications(d.office, d.round_id, DAY) == []


def test_a_rectification_deleted_here_and_edited_there_comes_back_saying_so(departments):
    """The office deleted a rectification that 内科 went on to fill in: 内科's work came back with
    its next package without a word, and the office could not tell why a deleted row was there
    again (review, merge, left over). It comes back (nothing 内科 wrote is lost), and the import
    says that it had been deleted here, when and by whom."""
    from app.services.rectifications import delete_rectification, open_rectification, update_rectification

    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="C", finding="部分落实")
    rect = open_rectification(d.a, d.round_id, d.ITEM_A, d.a_actor, DAY)
    d.office_import(d.export(d.a, "a1"))
    delete_rectification(d.office, rect.rectification.id, d.office_actor)
    update_rectification(d.a, rect.rectification.id, d.a_actor, today=DAY, measure="每月督查一次")
    plan, result = d.office_import(d.export(d.a, "a2"))
    [back] = list_rectifications(d.office, d.round_id, DAY)
    assert back.rectification.measure == "每月督查一次" and result.added == 1
    [warning] = [w for w in plan.warnings if "删除" in w]
    assert "质控办" in warning and "本机删除" in warning and "每月督查一次" not in warning
    assert warning == result.warnings[-1], warning
    # deleted again, the same package leaves it deleted, and says nothing more
    delete_rectification(d.office, back.rectification.id, d.office_actor)
    plan, again = d.office_import(d.export(d.a, "a2"))
    assert again.added == 0 and list_rectifications(d.office, d.round_id, DAY) == []
    assert not [w for w in plan.warnings if "删除" in w]


def test_keeping_our_answer_drops_the_packages_untouched_rectification(departments):
    d = departments
    from_a, from_b = _both_change_the_shared_item(d)  # 内科 B, 外科 D (which opened a rectification)
    d.office_import(from_a)
    d.office_import(from_b, "all-local")
    assert d.office.answer(d.round_id, d.SHARED).grade == "B"
    assert [e for e in list_rectifications(d.office, d.round_id, DAY) if d.SHARED in e.item_ids] == []


def test_an_import_into_a_database_with_data_backs_it_up_first(departments):
    from app.store.backup import backup_folder, list_backups

    d = departments
    d.answer(d.a, d.a_actor, d.ITEM_A, grade="A")
    folder = backup_folder(d.office.conn, d.office.path)
    before = len(list_backups(folder, d.office.path))
    d.office_import(d.export(d.a, "a"))
    made = list_backups(folder, d.office.path)
    assert len(made) == before + 1 and made[0].reason == "import"


def test_saved_documents_follow_the_users_umask(store, demo_round, tmp_path):
    import os
    import stat as stat_

    old = os.umask(0o022)
    try:
        out = export_package(store, demo_round, tmp_path / "p.zip", attachments=False, today=DAY).path
        from app.render import registry

        workbook = registry.render(store, demo_round, "rectification", tmp_path / "t.xlsx", today=DAY).path
    finally:
        os.umask(old)
    for path in (out, workbook):
        assert stat_.S_IMODE(path.stat().st_mode) == 0o644, path  # colleagues can open it, as any document


def test_item_labels_in_import_messages_do_not_double_punctuation(catalog):
    """“…是否记入病历。：上报包中的病案号已脱敏” read badly: a label is followed by ：."""
    from app.exchange.merge import _item_labels

    labels = _item_labels([e.checklist for e in catalog.entries])
    texts = {i.id: i.text for e in catalog.entries for i in e.checklist.all_items()}
    assert any(t.endswith("。") and len(t) <= 60 for t in texts.values()), "the case is in the content"
    assert [label for label in labels.values() if label[-1] in "。；;，,、"] == []


def test_an_import_into_a_damaged_database_is_told_in_chinese(exported, tmp_path):
    """Planning read the records' rounds past the store's damage check: a traceback
    (sqlite3.DatabaseError) instead of the message every other command gives. Nothing is written."""
    from app.errors import DamagedError
    from tests.helpers import damage_table

    db = tmp_path / "damaged.db"
    source = open_store(db)
    copy = open_package(exported[2])
    apply_import(source, plan_import(source, copy), Actor("", ""))
    source.close()
    damage_table(db, "answers")
    store = open_store(db)
    before = len(store.history())
    with pytest.raises(DamagedError) as damaged:
        plan_import(store, copy)
    assert "文件已损坏" in damaged.value.user_message
    assert len(store.history()) == before
    store.close()

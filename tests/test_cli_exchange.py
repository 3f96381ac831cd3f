"""The exchange commands as a user types them (in-process, so coverage sees them)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.exchange import format as fmt
from app.exchange.verify import PackageError, open_package
from tests.package_tools import members, rezip


def test_export_verify_import_from_the_command_line(store, demo_round, tmp_path, capsys):
    out = tmp_path / "上报包.zip"
    assert (
        main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(out), "--date", "2025-06-30"]) == 0
    )
    said = capsys.readouterr()
    assert "病案号已脱敏" in said.out and "机构代码" not in said.err  # the demo hospital has its code
    with zipfile.ZipFile(out) as zf:  # “4 个文件” of a zip of 5: the manifest went uncounted (review)
        assert f"，{len(zf.namelist())} 个文件，" in said.out
    assert main(["verify", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["hospital"]["name"] == "示例县人民医院"
    target = tmp_path / "质控办.db"
    assert main(["import", "--db", str(target), str(out), "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["added"] > 100 and dry["dry_run"]
    assert not target.exists(), "a dry run writes nothing, not even a new database"
    assert main(["import", "--db", str(target), str(out), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["added"] == dry["added"] and first["conflicts"] == []
    assert main(["import", "--db", str(target), str(out), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (second["added"], second["updated"]) == (0, 0)
    # every record counted both times, the profile too (新增 119, then 未变 118: review)
    assert second["ok"] and second["unchanged"] == first["added"]
    assert main(["import", "--db", str(target), str(out)]) == 0
    said = capsys.readouterr().out
    assert "没有需要导入的内容" in said and "已导入" not in said
    # a failure answers in JSON too when JSON was asked for (it printed 错误：… only)
    pdf = tmp_path / "自查报告.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    assert main(["import", "--db", str(target), str(pdf), "--dry-run", "--json"]) == 1
    failed = json.loads(capsys.readouterr().out)
    assert failed == {
        "ok": False,
        "reason": "“自查报告.pdf”不是有效的上报包：这是 PDF 文件，不是上报包。请选择本程序导出的上报包（.zip 文件）。",
    }


def test_import_says_what_the_package_is_as_the_preview_does(store, demo_round, tmp_path, capsys):
    """The window's preview names the package, when it was exported, whether its 病案号 are
    pseudonymised and what attachments it carries; the CLI's dry run said only the counts."""
    from app.exchange.verify import open_package

    out = tmp_path / "甲县.zip"
    assert main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(out), "--no-attachments"]) == 0
    capsys.readouterr()
    source = open_package(out).source_text()
    assert "甲县.zip" in source and "病案号已脱敏" in source and "附件" in source
    for dry_run in (["--dry-run"], []):
        assert main(["import", "--db", str(tmp_path / "质控办.db"), str(out), *dry_run]) == 0
        said = capsys.readouterr().out
        assert said.startswith(source + "\n"), said


def test_an_export_without_a_code_says_the_summary_tells_the_hospital_by_its_name(
    store, demo_round, actor, tmp_path, capsys
):
    import dataclasses

    from app.services.profile import get_profile, save_profile
    from app.services.rounds import start_round

    coded = get_profile(store)
    save_profile(store, dataclasses.replace(coded, code=""), actor)
    out = tmp_path / "p.zip"
    # the demo round began with a code, and keeps it: nothing to say
    assert main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(out), "--no-attachments"]) == 0
    assert "机构代码" not in capsys.readouterr().err
    from app.catalog import load_catalog

    core = [e for e in load_catalog().entries if e.checklist.id == "qyx-core"]
    round_id = start_round(store, core, "二季度", dt.date(2025, 6, 1), actor)  # begun without one
    assert main(["export", "--db", str(store.path), "--round", round_id, "--out", str(out), "--no-attachments"]) == 0
    assert "注意：本院基本情况中尚未填写机构代码" in capsys.readouterr().err
    # the code filled in since: the round's package still has none, and the note says so (the
    # hospital's profile was asked, and the round went out without one unsaid: commission review)
    save_profile(store, coded, actor)
    assert main(["export", "--db", str(store.path), "--round", round_id, "--out", str(out), "--no-attachments"]) == 0
    assert "注意：本轮开始时医院基本情况中尚未填写机构代码" in capsys.readouterr().err


def test_verify_gives_the_export_time_as_the_summary_does(store, demo_round, tmp_path, capsys, monkeypatch):
    """verify printed “导出于 2026-11-30T13:22:28+00:00” (UTC) where the summary of the same package
    said “2026年11月30日 21:22”: a clerk in China saw two times eight hours apart."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        out = tmp_path / "p.zip"
        main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(out), "--no-attachments"])
        capsys.readouterr()
        exported = dt.datetime.fromisoformat(open_package(out).manifest["created_at"])
        assert main(["verify", str(out)]) == 0
        local = exported.astimezone(dt.timezone(dt.timedelta(hours=8)))
        shown = f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
        assert capsys.readouterr().out.rstrip().endswith(f"导出于 {shown}")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_verify_says_why_and_exits_1(store, demo_round, tmp_path, capsys):
    out = tmp_path / "p.zip"
    main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(out), "--no-attachments"])
    capsys.readouterr()
    parts = members(out)
    rezip(out, {**parts, fmt.WORKBOOK: parts[fmt.WORKBOOK] + b"x"})
    assert main(["verify", str(out)]) == 1
    assert "自查结果.xlsx" in capsys.readouterr().err
    assert main(["verify", str(out), "--json"]) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False and "自查结果.xlsx" in result["reason"]


def test_a_refused_import_leaves_no_database_behind(tmp_path, capsys):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x05\x06" + bytes(18))
    target = tmp_path / "new.db"
    assert main(["import", "--db", str(target), str(bad)]) == 1
    assert "上报包" in capsys.readouterr().err
    assert not target.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused_cleanly(tmp_path, data):
    path = tmp_path / "random.zip"
    path.write_bytes(data)
    try:
        open_package(path)
    except PackageError as err:
        assert err.user_message
    else:  # pragma: no cover - random bytes are never a valid package
        raise AssertionError("random bytes verified")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    field=st.sampled_from(["format_version", "hospital", "round", "files", "checklists", "patient_ids", "created_at"]),
    value=_json_values,
)
def test_a_mangled_manifest_is_refused_cleanly(tmp_path_factory, field, value):
    """Whatever a manifest field is replaced with, the answer is a PackageError, never a crash."""
    folder = tmp_path_factory.mktemp("m")
    path = folder / "p.zip"
    manifest = {
        "format": fmt.FORMAT,
        "format_version": 1,
        "app": {"name": "x", "version": "1"},
        "created_at": "2025-01-01T00:00:00+00:00",
        "hospital": {"name": "医院", "code": "", "level": "二级"},
        "round": {
            "id": "r",
            "name": "n",
            "year": 2025,
            "started_on": "2025-01-01",
            "status": "draft",
            "updated_at": "x",
        },
        "checklists": [],
        "patient_ids": "included",
        "pseudonym_key": None,
        "attachments_included": False,
        "files": [],
        field: value,
    }
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(fmt.MANIFEST, json.dumps(manifest))
        zf.writestr(fmt.DATA, b"{}")
    try:
        open_package(path)
    except PackageError as err:
        assert err.user_message
    else:  # pragma: no cover
        raise AssertionError("a mangled package verified")


def test_no_output_replaces_a_database_or_an_existing_backup(demo_file, cli, tmp_path):
    """A typo in --out made the user's database a zip (export) or a summary (aggregate), exit 0."""
    import hashlib
    import shutil

    db, round_id = demo_file
    other = tmp_path / "内科.db"
    shutil.copy(db, other)
    package = tmp_path / "包.zip"
    assert cli("export", "--db", db, "--round", round_id, "--out", package, "--no-attachments")[0] == 0
    # a new file of the right kind is written as before, whatever its name
    assert cli("export", "--db", db, "--round", round_id, "--out", tmp_path / "x.db.zip", "--no-attachments")[0] == 0
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    refusals = [
        (("export", "--db", db, "--round", round_id, "--out", db), "应是 .zip 文件"),
        (("aggregate", "--out", tmp_path / "汇总.xlsx", "--sqlite", db, package), "本程序的数据库文件"),
        (("backup", "--db", db, "--out", db), "正在使用的数据库"),
        (("aggregate", "--out", tmp_path / "汇总.xlsx", "--sqlite", other, package), "本程序的数据库文件"),
        (("backup", "--db", db, "--out", other), "本程序的数据库文件"),
        (("backup", "--db", db, "--out", package), "已存在，不会被覆盖"),
        (("report", "--db", db, "--round", round_id, "--kind", "self", "--out", tmp_path / "x.docx"), ".pdf、.xlsx"),
    ]
    for args, message in refusals:
        code, _out, err = cli(*map(str, args))
        assert code == 1 and message in err, (args, err)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert zipfile.is_zipfile(package) and not zipfile.is_zipfile(other)
    assert (
        cli("aggregate", "--out", str(tmp_path / "汇总.xlsx"), "--sqlite", str(tmp_path / "汇总.db"), str(package))[0]
        == 0
    )
    # the summary database of an earlier run is replaced on the next, as before
    assert (
        cli("aggregate", "--out", str(tmp_path / "汇总.xlsx"), "--sqlite", str(tmp_path / "汇总.db"), str(package))[0]
        == 0
    )


def test_import_says_how_each_conflict_was_left(tmp_path, catalog, capsys):
    """The command line settles no conflict: it says so, for the whole import and for each one."""
    from tests.test_exchange import Departments, _both_change_the_shared_item

    d = Departments(tmp_path, catalog)
    from_a, from_b = _both_change_the_shared_item(d)
    d.office_import(from_a)
    d.office.close()
    capsys.readouterr()
    assert main(["import", "--db", str(tmp_path / "office.db"), str(from_b), "--author", "质控办"]) == 0
    out = capsys.readouterr().out
    assert "冲突 1（1 条未处理：暂保留本机的值，下次导入时再列出）" in out
    assert "（未处理：暂保留本机的值，下次导入时再列出）\n" in out
    assert main(["import", "--db", str(tmp_path / "office.db"), str(from_b), "--json"]) == 0
    [conflict] = json.loads(capsys.readouterr().out)["conflicts"]
    assert conflict["settled"] == "unresolved"


def test_another_hospitals_package_names_the_option_on_the_command_line(demo_file, profiled_store, tmp_path, capsys):
    path, round_id = demo_file
    out = tmp_path / "另一家.zip"
    assert main(["export", "--db", str(path), "--round", round_id, "--out", str(out), "--no-attachments"]) == 0
    profiled_store.close()
    capsys.readouterr()
    assert main(["import", "--db", str(profiled_store.path), str(out)]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "上报包属于“示例县人民医院”，本数据库是“测试县人民医院”的，尚未用于汇总多家医院，未导入。"
            "若本数据库用于汇总多家医院（如医共体牵头医院），请加 --multi-hospital 再导入。"
        )
    )
    assert main(["import", "--db", str(profiled_store.path), str(out), "--multi-hospital"]) == 0


def test_aggregate_tells_statuses_on_the_date_given(store, demo_round, tmp_path, capsys):
    """As export and report do: a summary dated to match the packages' report date agrees with them."""
    from openpyxl import load_workbook

    package = tmp_path / "demo.zip"
    store.close()
    assert main(["export", "--db", str(store.path), "--round", demo_round, "--out", str(package)]) == 0

    def overdue_on(day: str) -> int:
        out = tmp_path / f"汇总{day}.xlsx"
        assert main(["aggregate", "--out", str(out), "--date", day, str(package)]) == 0
        rows = list(load_workbook(out)["医院"].iter_rows(values_only=True))
        return rows[1][rows[0].index("逾期")]

    assert overdue_on("2025-03-16") == 0  # the day after the round began: no deadline has passed
    assert overdue_on("2025-06-30") > 0
    assert main(["aggregate", "--out", str(tmp_path / "x.xlsx"), "--date", "6月30日", str(package)]) == 1
    assert "--date" in capsys.readouterr().err


def test_import_names_the_values_merged_without_asking(tmp_path, catalog, capsys):
    """Beside a conflict, what was merged without asking is told with its values: the person
    settling it sees what is taken, not only which fields."""
    from tests.test_exchange import Departments
    from tests.test_merge_fields import both_change_the_owner

    d = Departments(tmp_path, catalog)
    _rect, from_b = both_change_the_owner(d, "内科：每周抽查抢救记录", "外科：人员不足")
    d.office.close()
    capsys.readouterr()
    assert main(["import", "--db", str(tmp_path / "office.db"), str(from_b), "--author", "质控办"]) == 0
    out = capsys.readouterr().out
    assert "    责任人：本机“张三”" in out, out
    assert (
        "    只有一方改过、已自动合并：\n"
        "      原因分析：采用上报包的“外科：人员不足”（本机原未填）\n"
        "      整改措施：保留本机的“内科：每周抽查抢救记录”（上报包未填）\n"
    ) in out, out


def test_an_older_export_says_why_nothing_changes_and_what_to_do(tmp_path, catalog, capsys, monkeypatch):
    """内科 sent its first package again after its second: the GUI's preview said why nothing was
    new, the command line only counted 未变 26."""
    from tests.test_exchange import Departments

    d = Departments(tmp_path, catalog)
    first = d.older_export_after_newer(monkeypatch)
    d.office.close()
    capsys.readouterr()
    office = str(tmp_path / "office.db")
    older = (
        "上报包中的内容本机都已有，没有需要导入的内容。这是导出该包的电脑较早的一次导出：其中 1 条记录，"
        "本机已有该电脑之后修改的版本（来自之前导入的、较新的上报包）。"
        "如需该电脑此后的修改，请向其索取最新导出的上报包。"
    )
    for dry_run in (["--dry-run"], []):
        assert main(["import", "--db", office, str(first), *dry_run]) == 0
        assert capsys.readouterr().out.splitlines()[3:] == [older]  # after the package and the counts
        assert main(["import", "--db", office, str(first), "--json", *dry_run]) == 0
        assert json.loads(capsys.readouterr().out)["nothing_new"] == older
    assert main(["import", "--db", office, str(tmp_path / "a2.zip"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["nothing_new"] == "上报包中的内容本机都已有，没有需要导入的内容。"


def test_a_conflicts_empty_value_reads_as_elsewhere(tmp_path, catalog, capsys):
    """The command line printed a conflict's values as stored: 本机“”, or 本机“None”."""
    from tests.test_exchange import Departments

    d = Departments(tmp_path, catalog)
    d.answer(d.a, d.a_actor, d.SHARED, grade="NA", na_reason="无此科室")
    d.answer(d.b, d.b_actor, d.SHARED, grade="D", finding="外科：未落实")
    d.office_import(d.export(d.a, "a"))
    from_b = d.export(d.b, "b")
    d.office.close()
    capsys.readouterr()
    assert main(["import", "--db", str(tmp_path / "office.db"), str(from_b), "--author", "质控办"]) == 0
    out = capsys.readouterr().out
    assert "    等级：本机“不适用”（内科 " in out, out
    assert "    不适用原因：本机“无此科室”（内科 " in out and "） ≠ 上报包未填（外科 " in out, out
    assert "    问题描述：本机未填（内科 " in out and "） ≠ 上报包“外科：未落实”（外科 " in out, out
    assert re.search(r"（内科 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d）", out), out  # local time, as the dialog shows it
    assert "+00:00" not in out

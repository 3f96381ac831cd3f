"""Every CLI command, end to end on a temporary database: in-process through ``app.cli.main``
(the ``cli`` fixture), and as ``python main.py`` where the process itself is the point."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_cli, run_main_py


def test_main_py_starts_and_exits_0():
    result = run_main_py("--version")
    assert result.returncode == 0 and "医疗质量自查助手" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["checklists", "show", "nope"], "没有编号为“nope”的检查表"), (["bogus"], "的取值 'bogus' 无效")],
)
def test_main_py_exits_1_with_the_message_and_no_traceback(args, message):
    result = run_main_py(*args)
    assert result.returncode == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_version(cli):
    result = cli("--version")
    assert result.returncode == 0 and "医疗质量自查助手" in result.stdout


def test_validate_builtin_files(cli):
    result = cli("checklists", "validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "校验通过" in result.stdout


def test_validate_reports_each_error_as_file_line_field_message(tmp_path, cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: x\nversion: '1'\ntitle: t\nsource: {document: d, title: t}\nregion: r\nscale: stars\nsections: []\n",
        encoding="utf-8",
    )
    result = cli("checklists", "validate", str(bad))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{bad}:6: scale: 未知的评分标准“stars”（可选：pdca、compliance、yes_no）" in lines
    assert any(line.startswith(f"{bad}:7: sections: ") for line in lines)


def test_list_json(cli):
    result = cli("checklists", "list", "--json")
    assert result.returncode == 0
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["qyx-core"]["sections"] == 20  # 18 core systems, 四(二), 五、六 (issue 14)
    assert rows["qyx-core"]["items"] >= 50
    assert set(rows["qyx-core"]) >= {"id", "version", "title", "sections", "items"}


def test_show_json_has_the_contract_fields(cli):
    result = cli("checklists", "show", "qyx-targets-2021", "--json")
    data = json.loads(result.stdout)
    assert {"id", "version", "title", "source", "sections"} <= set(data)
    section = data["sections"][0]
    assert {"id", "title", "sections"} <= set(section)

    def items(node):
        yield from node.get("items", [])
        for sub in node.get("sections", []):
            yield from items(sub)

    all_items = [i for s in data["sections"] for i in items(s)]
    assert all({"id", "kind", "text", "source"} <= set(i) for i in all_items)
    indicator = next(i for i in all_items if i["kind"] == "indicator")
    assert indicator["unit"] == "%" and indicator["direction"] in ("increase", "decrease")
    assert any("applies_if" in i for i in all_items)


def test_show_unknown_id_fails_cleanly(cli):
    result = cli("checklists", "show", "nope")
    assert result.returncode == 1
    assert "没有编号为“nope”的检查表" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    db = folder / "demo.db"
    with pytest.MonkeyPatch.context() as env:  # set up before conftest's per-test data folder
        env.setenv("MQSC_DATA_DIR", str(folder))
        result = run_cli("demo", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db, result.stdout.strip()


def test_demo_prints_the_round_id(demo):
    db, round_id = demo
    assert len(round_id) == 36 and db.exists()


def test_a_recent_demo_is_as_far_along_today_as_the_fixed_one_on_its_report_date(demo, cli, tmp_path):
    """Opened on the day it was made, the fixed demo had 10 of 15 rectifications a year 逾期."""
    import datetime as dt

    from app.services.demo import DEMO_REPORT_DATE

    db, _ = demo
    recent = tmp_path / "recent.db"
    made = cli("demo", "--db", str(recent), "--recent")
    assert made.returncode == 0, made.stderr
    [fixed] = json.loads(cli("rounds", "--db", str(db), "--json").stdout)
    [moved] = json.loads(cli("rounds", "--db", str(recent), "--json").stdout)
    started = dt.date.fromisoformat(moved["started_on"])
    assert started == dt.date.today() - dt.timedelta(days=107)
    assert moved["name"] == f"{started.year}年第{'一二三四'[(started.month - 1) // 3]}季度医疗质量自查"

    def statuses(path, round_id, day):
        rows = cli("rectifications", "--db", str(path), "--round", round_id, "--date", day.isoformat(), "--json")
        return [r["status"] for r in json.loads(rows.stdout)["rectifications"]]

    then = statuses(db, fixed["id"], DEMO_REPORT_DATE)
    assert statuses(recent, moved["id"], dt.date.today()) == then and {"逾期", "整改中", "已完成"} <= set(then)


def test_score_json(demo, cli):
    db, round_id = demo
    result = cli("score", "--db", str(db), "--round", round_id, "--json")
    data = json.loads(result.stdout)
    assert data["round"]["id"] == round_id
    assert 60 < data["completion"] < 100
    assert [c["id"] for c in data["checklists"]] == ["qyx-core", "qyx-targets-2021"]
    assert data["checklists"][0]["sections"][0]["title"] == "首诊负责制度"


def test_score_text(demo, cli):
    db, round_id = demo
    result = cli("score", "--db", str(db), "--round", round_id)
    assert result.returncode == 0 and "首诊负责制度" in result.stdout and "得分率" in result.stdout


def test_answer_records_through_the_service(demo, cli):
    db, round_id = demo
    result = cli(
        "answer",
        "--db",
        str(db),
        "--round",
        round_id,
        "--item",
        "qyx-core.02.1",
        "--grade",
        "D",
        "--finding",
        "查房记录缺失",
        "--department",
        "内科",
        "--author",
        "李敏",
    )
    assert result.returncode == 0, result.stderr
    from app.store import open_store

    store = open_store(db)
    row = store.answer(round_id, "qyx-core.02.1")
    assert (row.grade, row.finding, row.department, row.author) == ("D", "查房记录缺失", "内科", "李敏")
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grade", "Z"], "等级“Z”无效"),
        (["--grade", "NA"], "须填写原因"),
        (["--value", "12"], "只有指标条目"),
    ],
)
def test_answer_invalid_input_exits_1_and_writes_nothing(demo, args, message, cli):
    from app.store import open_store

    db, round_id = demo
    store = open_store(db)
    before = store.answer(round_id, "qyx-core.03.1")
    result = cli("answer", "--db", str(db), "--round", round_id, "--item", "qyx-core.03.1", *args)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    assert store.answer(round_id, "qyx-core.03.1") == before
    store.close()


def test_answer_indicator_ratio(demo, cli):
    db, round_id = demo
    result = cli(
        "answer",
        "--db",
        str(db),
        "--round",
        round_id,
        "--item",
        "qyx-targets-2021.1.2.rate",
        "--numerator",
        "30",
        "--denominator",
        "0",
    )
    assert result.returncode == 1 and "分母不能为 0" in result.stderr


def test_unknown_round_fails_cleanly_and_says_where_the_rounds_are_listed(demo, cli):
    db, _ = demo
    result = cli("score", "--db", str(db), "--round", "no-such-round")
    assert result.returncode == 1
    assert result.stderr.startswith("错误：找不到自查轮次“no-such-round”。--round 可以是轮次名称或编号；")
    assert f"python main.py rounds --db {db}" in result.stderr


def test_rounds_are_listed_and_named_by_their_names(demo_file, cli):
    """The window shows no round ids, and report, export, score and rectifications took only an
    id: a round made in the window could not be named on the command line."""
    db, round_id = demo_file
    listed = cli("rounds", "--db", str(db))
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == [
        "2025年第一季度医疗质量自查（2025年3月15日，2025年度，自查稿）完成 83%  得分率 55.2%  核心制度、改进目标",
        f"    编号：{round_id}",
    ]
    rows = json.loads(cli("rounds", "--db", str(db), "--json").stdout)
    assert [(r["id"], r["name"], round(r["completion"], 3)) for r in rows] == [
        (round_id, "2025年第一季度医疗质量自查", 0.833)
    ]
    by_id = cli("score", "--db", str(db), "--round", round_id, "--json")
    by_name = cli("score", "--db", str(db), "--round", "２０２５年第一季度 医疗质量自查", "--json")  # as typed
    assert by_name.returncode == 0 and by_name.stdout == by_id.stdout


def test_rectifications_are_listed_with_the_ledgers_columns(demo_file, cli):
    """The text listing gave status, deadline, department, owner, an internal id and the problem:
    no 原因, 措施 or 复查, which the README promised."""
    db, _ = demo_file
    result = cli("rectifications", "--db", str(db), "--round", "2025年第一季度医疗质量自查", "--date", "2025-06-30")
    lines = result.stdout.splitlines()
    assert lines[0] == "2025年第一季度医疗质量自查：整改项 15 项（按 2025年6月30日 判断状态）"
    assert lines[1:7] == [
        "  1. [已完成，逾期8天] 核心制度 首诊负责制度 第1条",  # re-checked 5月8日, deadline 4月30日
        "     责任科室：病案室  责任人：马红  整改期限：2025年4月30日",
        "     问题：职能部门未开展定期督查，无督查记录和反馈意见。",
        "     原因：信息系统缺少时限提醒和必填项控制，依赖人工登记，容易遗漏。",
        "     措施：修订科室执行细则；一个月内完成全员培训和考核，留存签到表和试卷。",
        "     复查：2025年5月8日，刘洋（质控办），复查通过：现场查看整改措施落实情况，已按要求整改到位。",
    ]
    assert "qyx-" not in result.stdout and lines[-1].startswith("合计：")


def test_default_database_lives_in_the_data_folder(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("MQSC_DATA_DIR", str(tmp_path))
    result = cli("demo")
    assert result.returncode == 0
    assert (tmp_path / "selfcheck.db").exists()


def test_a_mistyped_database_path_is_refused_and_not_created(tmp_path, cli):
    missing = tmp_path / "typo.db"
    result = cli("score", "--db", str(missing), "--round", "x")
    assert result.returncode == 1 and "不存在" in result.stderr
    assert not missing.exists()


def test_demo_never_overwrites_a_real_hospitals_database(profiled_store, cli):
    path = profiled_store.path
    profiled_store.close()
    result = cli("demo", "--db", str(path))
    assert result.returncode == 1 and "已有“测试县人民医院”的资料" in result.stderr
    assert "Traceback" not in result.stderr
    from app.services.profile import get_profile
    from app.store import open_store

    store = open_store(path)
    assert get_profile(store).name == "测试县人民医院" and store.rounds() == []
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "--db", "x.db"], "缺少必需的参数：--round"),
        (["report", "--round", "a", "--kind", "x", "--out", "y.pdf"], "参数 --kind 的取值 'x' 无效"),
        (["bogus"], "的取值 'bogus' 无效"),
        (["score", "--round", "a", "--zzz"], "无法识别的参数：--zzz"),
    ],
)
def test_wrong_arguments_are_told_in_chinese_with_exit_code_1(tmp_path, args, message, cli):
    result = cli(*args)
    assert result.returncode == 1 and message in result.stderr and "usage" not in result.stderr


@pytest.mark.parametrize("command", [(), ("export",), ("import",), ("checklists", "show")])
def test_help_is_in_chinese(cli, command):
    """argparse's own words (usage:, options:, show this help message and exit) were English."""
    code, out, _err = cli(*command, "--help")
    assert code == 0 and out.startswith("用法：")
    for english in ("usage", "options:", "positional arguments", "show this help", "show program"):
        assert english not in out, (command, out)
    assert "显示本帮助并退出" in out


def test_checklist_items_are_listed_with_their_kind_in_chinese(cli):
    code, out, _err = cli("checklists", "show", "qyx-targets-2021")
    assert code == 0 and "（评价）" in out and "（指标）" in out
    assert "(judgement)" not in out and "(indicator)" not in out


def test_output_cut_short_by_the_reader_gives_no_traceback():
    """``main.py checklists show qyx-core | head -2`` printed a BrokenPipeError traceback."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "checklists", "show", "qyx-core"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()
    child.stdout.close()  # as head does after its lines
    err = child.stderr.read().decode()
    child.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_a_bad_date_is_named_by_its_option(demo_file, cli):
    """export --date 2026-02-30 was called 统计日期, though export's --date is the 报告日期."""
    db, round_id = demo_file
    code, _out, err = cli("export", "--db", str(db), "--round", round_id, "--out", "x.zip", "--date", "2026-02-30")
    assert code == 1 and "日期（--date）" in err and "统计日期" not in err

"""导入检查表: a checklist of the user's own (a 质控中心's), checked as the program's own are,
copied into the folder of imported checklists, where it stays when the program is upgraded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.catalog import ChecklistError, load_catalog
from app.cli import main
from app.errors import AppError
from app.paths import user_checklists_dir
from app.services.checklists import check_import, import_checklist

CHECKLIST = """\
id: ly-zkjc-2025
version: "2025.1"
title: 洛阳市2025年医疗质量安全专项检查表
short_title: 洛阳专项
source:
  document: 洛卫医〔2025〕18号
  title: 洛阳市卫生健康委关于开展2025年医疗质量安全专项检查的通知
region: 河南省洛阳市
scale: pdca
sections:
  - id: ly-zkjc-2025.1
    title: 组织建设
    source: 一、（一）
    items:
      - id: ly-zkjc-2025.1.1
        kind: judgement
        text: 成立医疗质量管理委员会，每季度至少召开一次会议并有记录。
        source: 一、（一）1.
      - id: ly-zkjc-2025.1.2
        kind: judgement
        text: 各临床科室成立科室质量与安全管理小组，有年度工作计划。
        source: 一、（一）2.
"""


def _file(folder: Path, text: str = CHECKLIST, name: str = "洛阳专项.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_an_imported_checklist_is_copied_as_it_is_and_loaded_from_then_on(tmp_path):
    source = _file(tmp_path / "下载", "# 洛阳市质控中心编制\n" + CHECKLIST)
    catalog = load_catalog()
    imported = import_checklist(source, catalog)
    assert imported.entry.path == user_checklists_dir() / "ly-zkjc-2025.yaml"
    assert imported.entry.path.read_bytes() == source.read_bytes()  # the author's comments kept
    assert catalog.get("ly-zkjc-2025").origin == "本机导入"
    assert "已导入“洛阳市2025年医疗质量安全专项检查表”（版本 2025.1，2 个条目）" in imported.message
    again = load_catalog()  # the next start
    assert again.get("ly-zkjc-2025") is not None and not again.problems
    assert again.get("qyx-core").origin == "内置"
    # the same file again: nothing to do; a newer version replaces it in place
    assert import_checklist(source, again).unchanged
    newer = _file(tmp_path / "下载", CHECKLIST.replace('"2025.1"', '"2025.2"'), "洛阳专项（修订）.yaml")
    updated = import_checklist(newer, again)
    assert updated.replaced == "2025.1" and "已更新" in updated.message and "原为版本 2025.1" in updated.message
    assert _files(user_checklists_dir()) == {"ly-zkjc-2025.yaml": newer.read_bytes()}
    assert load_catalog().get("ly-zkjc-2025").checklist.version == "2025.2"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CHECKLIST.replace("ly-zkjc-2025", "qyx-core"), "与内置检查表“医疗质量安全核心制度落实情况自查表”相同"),
        (
            CHECKLIST.replace("id: ly-zkjc-2025.1.1\n", "id: ly-zkjc-2025.1.2\n"),
            "ly-zkjc-2025.1.2",
        ),
        (CHECKLIST.replace("kind: judgement", "kind: 评价", 1), "kind"),
        (CHECKLIST.replace("title: 组织建设", "title：组织建设"), "(语法)"),
    ],
    ids=["built-in id", "repeated item id", "unknown kind", "full-width colon"],
)
def test_a_file_that_cannot_join_is_refused_and_nothing_is_written(tmp_path, text, message):
    source = _file(tmp_path / "下载", text)
    catalog = load_catalog()
    before = [e.checklist.id for e in catalog.entries]
    with pytest.raises(ChecklistError) as refused:
        import_checklist(source, catalog)
    assert any(message in str(p) for p in refused.value.problems), refused.value.problems
    assert _files(user_checklists_dir()) == {} and [e.checklist.id for e in catalog.entries] == before


def test_a_changed_file_under_the_same_version_is_refused(tmp_path):
    catalog = load_catalog()
    import_checklist(_file(tmp_path / "a", CHECKLIST), catalog)
    installed = _files(user_checklists_dir())
    changed = _file(tmp_path / "b", CHECKLIST.replace("每季度", "每月"))
    with pytest.raises(ChecklistError) as refused:
        import_checklist(changed, catalog)
    assert "也是版本 2025.1，内容却不同" in str(refused.value.problems[0]) and "请提高版本号" in str(
        refused.value.problems[0]
    )
    assert _files(user_checklists_dir()) == installed


def test_a_full_disk_is_told_and_leaves_nothing(tmp_path):
    from tests.helpers import fill_up

    disk = Path("/dev/shm") / f"mqsc-cl-{tmp_path.name}"
    folder = disk / "checklists"
    try:
        import subprocess

        disk.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
        if mounted.returncode:
            pytest.skip("needs root to mount a small tmpfs")
        fill_up(disk)
        with pytest.raises(AppError, match=r"无法保存检查表文件.*磁盘"):
            import_checklist(_file(tmp_path / "a"), load_catalog(), folder)
        assert not folder.exists() or not any(folder.iterdir())
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
        disk.rmdir()


def test_the_loader_names_both_files_of_one_id_and_reads_yml_files(tmp_path):
    folder = user_checklists_dir()
    _file(folder, CHECKLIST, "ly-zkjc-2025 - 副本.yml")
    _file(folder, CHECKLIST.replace('"2025.1"', '"2025.2"'), "ly-zkjc-2025.yaml")
    catalog = load_catalog()
    assert catalog.get("ly-zkjc-2025").path.name == "ly-zkjc-2025 - 副本.yml"  # .yml is read
    [problem] = catalog.problems
    assert problem.file.endswith("ly-zkjc-2025.yaml")
    assert f"与 {folder / 'ly-zkjc-2025 - 副本.yml'} 重复，本文件未载入（使用的是 ly-zkjc-2025 - 副本.yml）" in str(
        problem
    )


def test_the_command_line_validates_among_the_others_and_imports(tmp_path, capsys):
    clash = _file(tmp_path, CHECKLIST.replace("ly-zkjc-2025", "qyx-core"), "clash.yaml")
    assert not check_import([clash]).entries
    assert main(["checklists", "validate", str(clash)]) == 1
    assert "与内置检查表" in capsys.readouterr().out
    assert main(["checklists", "validate", "checklists/qyx-core.yaml"]) == 0  # itself is no clash
    source = _file(tmp_path / "下载")
    assert main(["checklists", "import", str(source)]) == 0
    assert "已导入“洛阳市2025年医疗质量安全专项检查表”" in capsys.readouterr().out
    assert main(["checklists", "list"]) == 0
    listed = capsys.readouterr().out
    assert "ly-zkjc-2025" in listed and "[本机导入：" in listed
    assert main(["checklists", "import", str(clash)]) == 1
    assert "未导入" in capsys.readouterr().err


def test_the_window_imports_a_checklist_that_the_next_round_can_use(qtbot, store, actor, ui_dialogs, tmp_path):
    from app.ui.main_window import MainWindow
    from app.ui.rounds_page import NewRoundDialog

    catalog = load_catalog()
    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    entries = [a.text() for a in file_menu.actions()]
    assert "导入检查表文件(&I)…" in entries and "打开检查表文件夹(&O)" in entries
    ui_dialogs.files = [str(_file(tmp_path / "下载"))]
    window.import_checklists()
    assert ui_dialogs.infos and "已导入“洛阳市2025年医疗质量安全专项检查表”" in ui_dialogs.infos[-1]
    dialog = NewRoundDialog(store, window.catalog(), actor, window)
    qtbot.addWidget(dialog)
    listed = dialog.ui.checklistList
    assert any("洛阳市2025年医疗质量安全专项检查表" in listed.item(n).text() for n in range(listed.count()))
    ui_dialogs.files = [str(_file(tmp_path / "坏", CHECKLIST.replace("title: 组织建设", "title：组织建设")))]
    window.import_checklists()
    assert ui_dialogs.errors and "有错误，未导入" in ui_dialogs.errors[-1]
    # told by its line, as a clerk reads it, not as path:12: (语法): …
    assert "\n第 12 行：字段名后用了中文冒号“：”" in ui_dialogs.errors[-1] and ":12:" not in ui_dialogs.errors[-1]


def test_the_template_is_a_valid_checklist_of_every_kind_that_imports_as_it_is(tmp_path, capsys):
    """An author begins from 文件 → 保存检查表范例 (or ``checklists template``): a file that imports
    unchanged, with an item of each kind and a condition, every field explained in a comment."""
    from app.catalog import TEMPLATE
    from app.domain.kinds import REGISTRY

    out = tmp_path / "我的检查表.yaml"
    assert main(["checklists", "template", str(out)]) == 0
    assert out.read_bytes() == TEMPLATE.read_bytes() and "已保存检查表范例" in capsys.readouterr().out
    assert main(["checklists", "template", str(out)]) == 1  # not overwritten
    assert "已存在，未覆盖" in capsys.readouterr().err
    with pytest.raises(ChecklistError, match="这是范例的编号"):  # two offices' templates would be one
        import_checklist(out, load_catalog())
    out.write_text(out.read_text(encoding="utf-8").replace("example-2025", "ly-zk-2025"), encoding="utf-8")
    imported = import_checklist(out, load_catalog())
    items = list(imported.entry.checklist.all_items())
    assert {i.kind for i in items} == set(REGISTRY) and any(i.conditions for i in items)
    comments = [line for line in out.read_text(encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    assert len(comments) > 15 and "Tab" in "".join(comments) and "英文双引号" in "".join(comments)


def test_the_window_saves_the_template(qtbot, store, actor, ui_dialogs, tmp_path):
    from app.catalog import TEMPLATE
    from app.ui.main_window import MainWindow

    window = MainWindow(store, load_catalog, actor)
    qtbot.addWidget(window)
    ui_dialogs.save_path = str(tmp_path / "范例")  # typed without the suffix
    window.save_checklist_template()
    assert (tmp_path / "范例.yaml").read_bytes() == TEMPLATE.read_bytes()
    assert "已保存检查表范例" in ui_dialogs.infos[-1] and "导入检查表文件" in ui_dialogs.infos[-1]


def test_an_authors_own_numbers_print_beside_the_items_in_the_report(store, actor, tmp_path):
    """一（一）1 of the author's document could not be kept: ids allow no Chinese, and the report
    printed 1.1.1 (review of checklist authoring). ``number:`` prints as written."""
    import datetime as dt

    from pypdf import PdfReader

    from app.catalog import TEMPLATE
    from app.render import render_report
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    catalog = load_catalog()
    own = _file(tmp_path, TEMPLATE.read_text(encoding="utf-8").replace("example-2025", "ly-zk-2025"))
    entry = import_checklist(own, catalog).entry
    assert [i.number for i in entry.checklist.all_items()] == ["一（一）1", "一（一）2", "二1", "二2"]
    save_profile(store, DEMO_PROFILE, actor)
    round_id = start_round(store, [entry], "专项自查", dt.date(2025, 6, 1), actor)
    out = render_report(store, round_id, "self", tmp_path / "自查报告.pdf", today=dt.date(2025, 6, 30)).path
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "一（一）1成立医疗质量管理委员会" in text and "二2抽查运行病历10份" in text
    assert "1.1.1成立" not in text


def test_the_folder_as_it_is_now_decides_not_the_catalog_read_at_start(tmp_path):
    """The window's catalog is read at start; the folder may change under it (diff review): a file
    removed through 打开检查表文件夹 was “本机已有…未作修改” and gone at the next start, and a file
    mended in place was copied to <id>-2.yaml, which then clashed at every start."""
    catalog = load_catalog()
    import_checklist(_file(tmp_path / "a"), catalog)
    installed = user_checklists_dir() / "ly-zkjc-2025.yaml"
    installed.unlink()
    again = import_checklist(_file(tmp_path / "a"), catalog)
    assert not again.unchanged and installed.exists()
    # broken in place, then mended in place and imported from there: loaded, no copy
    installed.write_text(CHECKLIST.replace("title: 组织建设", "title：组织建设"), encoding="utf-8")
    assert load_catalog().problems
    installed.write_text(CHECKLIST, encoding="utf-8")
    mended = import_checklist(installed, load_catalog())
    assert mended.unchanged and sorted(p.name for p in user_checklists_dir().iterdir()) == ["ly-zkjc-2025.yaml"]
    # broken in place, and a good copy imported from elsewhere: the broken file is replaced
    installed.write_text("id: [", encoding="utf-8")
    import_checklist(_file(tmp_path / "b"), load_catalog())
    assert sorted(p.name for p in user_checklists_dir().iterdir()) == ["ly-zkjc-2025.yaml"]
    assert not load_catalog().problems


def test_an_older_version_does_not_replace_a_newer_one(tmp_path):
    catalog = load_catalog()
    import_checklist(_file(tmp_path / "a", CHECKLIST.replace('"2025.1"', '"2025.10"')), catalog)
    with pytest.raises(ChecklistError) as refused:
        import_checklist(_file(tmp_path / "b", CHECKLIST.replace('"2025.1"', '"2025.9"')), catalog)
    assert "是较新的版本 2025.10，这个文件是版本 2025.9：较旧的版本不导入" in str(refused.value.problems[0])
    assert load_catalog().get("ly-zkjc-2025").checklist.version == "2025.10"


def test_validate_asks_what_import_asks_and_reads_folders(tmp_path, capsys):
    import_checklist(_file(tmp_path / "a"), load_catalog())
    changed = _file(tmp_path / "b", CHECKLIST.replace("每季度", "每月"))
    assert main(["checklists", "validate", str(changed)]) == 1
    assert "内容却不同" in capsys.readouterr().out
    assert main(["checklists", "validate", "checklists"]) == 0  # a folder, as before
    assert "全部 7 个检查表文件校验通过" in capsys.readouterr().out


def test_a_windows_device_name_is_no_checklist_id(tmp_path):
    text = CHECKLIST.replace("ly-zkjc-2025", "con")
    with pytest.raises(ChecklistError, match="Windows 保留的名称"):
        import_checklist(_file(tmp_path / "a", text), load_catalog())


def test_an_unreadable_folder_of_checklists_is_told_not_raised(monkeypatch):
    """Root reads any folder, so the refusal a clerk's Windows account meets is made here."""
    folder = user_checklists_dir()
    folder.mkdir(parents=True)
    real = Path.iterdir

    def refused(path):
        if path == folder:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "iterdir", refused)
    catalog = load_catalog()
    assert catalog.get("qyx-core") is not None
    assert [(p.file, p.field) for p in catalog.problems] == [(str(folder), "(文件夹)")]
    assert "无法读取文件夹" in catalog.problems[0].message


def test_show_gives_an_author_the_rules_to_proof_read(tmp_path, capsys):
    """``checklists show`` printed ids and texts only: an author could not proof-read targets,
    conditions or the records to check (review of checklist authoring)."""
    from app.catalog import TEMPLATE

    own = _file(tmp_path, TEMPLATE.read_text(encoding="utf-8").replace("example-2025", "ly-zk-2025"))
    assert main(["checklists", "import", str(own)]) == 0
    capsys.readouterr()
    assert main(["checklists", "show", "ly-zk-2025"]) == 0
    shown = capsys.readouterr().out
    assert "版本 2025.1；本机导入" in shown and "一（一）2  （评价）产科建立危重孕产妇救治绿色通道" in shown
    assert "适用：有产科" in shown and "目标：2025年 ≥90%" in shown and "至少抽查 10 份" in shown
    assert "目标：全部符合" in shown and "条目标识 ly-zk-2025.2.2" in shown


def test_an_authors_numbers_show_on_screen_and_in_references_too(qtbot, tmp_path):
    """Only the PDF and the workbook printed 一（一）1: the tree said 1, the walkthrough 本节第1条
    and the references 第1条, as for ids numbered in order (second diff review)."""
    from app.catalog import TEMPLATE
    from app.domain.checklist import item_references
    from app.ui.item_tree import ItemTree

    own = _file(tmp_path, TEMPLATE.read_text(encoding="utf-8").replace("example-2025", "ly-zk-2025"))
    checklist = import_checklist(own, load_catalog()).entry.checklist
    assert item_references([checklist])["ly-zk-2025.1.1.1"] == "专项检查 （一）组织建设 一（一）1"
    from types import SimpleNamespace

    tree = ItemTree()
    qtbot.addWidget(tree)
    tree.populate(SimpleNamespace(checklists=[checklist]))  # what the tree reads of a round
    assert tree.nodes["ly-zk-2025.1.1.2"].text(0).startswith("一（一）2　产科建立危重孕产妇救治绿色通道")


def test_refusals_name_the_line_of_the_files_own_id_or_version(tmp_path, capsys):
    """The template's first line is a comment: “第 1 行（id）” sent its author to it."""
    from app.catalog import TEMPLATE

    with pytest.raises(ChecklistError) as refused:
        import_checklist(TEMPLATE, load_catalog())
    line = (
        TEMPLATE.read_text(encoding="utf-8")
        .splitlines()
        .index(next(x for x in TEMPLATE.read_text(encoding="utf-8").splitlines() if x.startswith("id:")))
    )
    assert refused.value.problems[0].line == line + 1 > 10
    # two files of one id checked together: one would be skipped at every start
    a = _file(tmp_path / "a", CHECKLIST)
    b = _file(tmp_path / "b", "# 修订版\n" + CHECKLIST.replace('"2025.1"', '"2025.2"'))
    assert main(["checklists", "validate", str(a), str(b)]) == 1
    told = capsys.readouterr().out
    assert f"{b}:2: id: 检查表编号“ly-zkjc-2025”与同时校验的 洛阳专项.yaml 相同" in told


def test_a_number_written_as_a_number_is_told_to_be_quoted(tmp_path):
    text = CHECKLIST.replace("        source: 一、（一）1.\n", "        source: 一、（一）1.\n        number: 2.1\n")
    with pytest.raises(ChecklistError) as refused:
        import_checklist(_file(tmp_path, text), load_catalog())
    assert 'number: "2.1"' in refused.value.problems[0].message


def test_show_gives_the_target_of_the_other_years_beside_those_named(tmp_path, capsys):
    judged = "        kind: judgement\n        text: 各临床科室成立科室质量与安全管理小组，有年度工作计划。\n"
    measured = '        kind: indicator\n        text: 某某率\n        unit: "%"\n        direction: ">="\n'
    text = CHECKLIST.replace("id: ly-zkjc-2025.1.2\n" + judged, "id: ly-zkjc-2025.1.2\n" + measured)
    text = text.replace(
        "        source: 一、（一）2.\n",
        "        source: 一、（一）2.\n        targets: {2025: 90}\n        target: 80\n",
    )
    assert main(["checklists", "import", str(_file(tmp_path, text))]) == 0
    capsys.readouterr()
    assert main(["checklists", "show", "ly-zkjc-2025"]) == 0
    assert "目标：2025年 ≥90%，其他年份 ≥80%" in capsys.readouterr().out

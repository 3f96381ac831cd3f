"""汇总: generated hospitals' packages into one workbook, SQLite database and PDF."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli import main
from app.domain.formats import cn_date, cn_local_date, local_datetime
from app.exchange.aggregate import aggregate
from app.exchange.export import export_package
from app.services.demo import create_demo
from app.store import Actor, open_store
from tests.package_tools import members, relisted, rezip

DAY = dt.date(2025, 6, 30)
HOSPITALS = ("甲县人民医院", "乙县中医院", "丙县妇幼保健院")


# ≈13 s (more under load) to build the packages the module shares
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packages(tmp_path_factory, catalog):
    """Three hospitals' packages, a newer package of the first one's round, and a broken file."""
    folder = tmp_path_factory.mktemp("packages")
    actor = Actor("质控办", "pc")
    rounds = {}
    for n, name in enumerate(HOSPITALS):
        store = open_store(folder / f"{n}.db")
        rounds[name] = create_demo(store, catalog, actor, seed=n, hospital=name)
        export_package(store, rounds[name], folder / f"{name}.zip", attachments=False, today=DAY)
        if n == 0:  # the same round, sent again after more work: it must count once, as the newer
            from app.services.answers import record_answer

            record_answer(store, rounds[name], "qyx-core.01.1", actor, grade="A")
            (folder / "newer").mkdir()
            export_package(store, rounds[name], folder / "newer" / "甲县再次上报.zip", attachments=False, today=DAY)
        store.close()
    (folder / "坏文件.zip").write_bytes(b"not a zip")
    return folder, rounds


def test_each_round_counts_once_and_a_bad_package_is_listed(packages):
    folder, _ = packages
    result = aggregate([folder], today=DAY)
    assert result.read == 5
    assert sorted(r.hospital for r in result.rounds) == sorted(HOSPITALS)
    assert [b.path.name for b in result.refused] == ["坏文件.zip"]
    assert [s.path.name for s in result.superseded] == ["甲县人民医院.zip"]
    first = next(r for r in result.rounds if r.hospital == HOSPITALS[0])
    assert first.path.name == "甲县再次上报.zip"
    assert next(i for i in first.items if i.item_id == "qyx-core.01.1").grade == "A"
    scores = {r.hospital: r.score for r in result.rounds}
    assert len(set(scores.values())) == 3, "the seeds make different hospitals"


def test_scores_are_recomputed_not_taken_from_the_package(packages, tmp_path):
    """A package whose stated score was changed (hashes made to match) still counts what its records say."""
    folder, _ = packages
    source = folder / "乙县中医院.zip"
    honest = aggregate([source], today=DAY).rounds[0]
    parts = members(source)
    data = json.loads(parts["data.json"])
    assert data["results"]["score"]["score"] == pytest.approx(honest.score, abs=0.05)
    data["results"]["score"]["score"] = 99.9
    forged = rezip(
        source, relisted({**parts, "data.json": json.dumps(data, ensure_ascii=False).encode()}), tmp_path / "forged.zip"
    )
    assert aggregate([forged], today=DAY).rounds[0].score == pytest.approx(honest.score)


def test_workbook_sqlite_and_pdf(packages, tmp_path, capsys):
    folder, _ = packages
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总报告.pdf"
    code = main(["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), str(folder)])
    assert code == 0
    captured = capsys.readouterr()
    assert "坏文件.zip" in captured.err and "已汇总 3 家医院" in captured.out
    book = load_workbook(xlsx)
    assert book.sheetnames == ["医院", "常见问题", "指标", "未纳入", "说明"]
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}  # 逾期 as of when
    assert about["汇总日期（判断逾期的日期）"].date() == dt.date.today() and about["纳入的自查轮次"] == 3
    assert book["医院"].oddHeader.left.text == f"医疗质量自查汇总　汇总日期 {cn_date(dt.date.today())}"
    hospitals = list(book["医院"].iter_rows(values_only=True))
    header = hospitals[0]
    assert {row[header.index("医院")] for row in hospitals[1:]} == set(HOSPITALS)
    score_cell = book["医院"].cell(2, header.index("得分率") + 1)
    assert isinstance(score_cell.value, float) and score_cell.number_format == "0.0%"
    problems = list(book["常见问题"].iter_rows(values_only=True))[1:]
    counts = [row[3] for row in problems]
    assert counts == sorted(counts, reverse=True) and counts[0] <= 3
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM rounds").fetchone()[0] == 3
    top = conn.execute("SELECT item_id, hospitals FROM common_problems ORDER BY hospitals DESC, item_id").fetchone()
    assert (top[0], top[1]) == (problems[0][-1], problems[0][3])  # the id, for programs: last
    assert conn.execute("SELECT COUNT(*) FROM refused_packages").fetchone()[0] == 1
    # each indicator's 说明, as the workbook's 指标 sheet has it: what 逐步降低 was judged against
    notes = [note for (note,) in conn.execute("SELECT note FROM indicators")]
    assert any(note.startswith("基线值") for note in notes) and "" in notes
    about = dict(conn.execute("SELECT key, value FROM about"))  # the day 逾期 was judged on, above all
    assert about["aggregation_date"] == dt.date.today().isoformat() and about["rounds_counted"] == "3"
    assert about["packages_refused"] == "1" and about["generator"].startswith("医疗质量自查助手 ")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "医疗质量自查汇总报告" in text and all(h in text for h in HOSPITALS)
    assert "坏文件.zip" in text
    squeezed = "".join(text.split())
    # the demo rounds are drafts: said, not left to the absence of “已定稿”
    assert "纳入的3轮自查均尚未定稿（自查稿）" in squeezed and squeezed.count("，未定稿；") == 3
    assert "".join(problems[0][1].split()) in squeezed and top[0] not in squeezed  # by reference, not id
    # dates and rates as every report writes them
    from app.domain.formats import percent_text, rate_text

    result = aggregate([folder], today=DAY)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", squeezed) and re.search(r"汇总日期：\d{4}年\d{1,2}月\d{1,2}日", squeezed)
    for r in result.rounds:
        dates = f"{cn_date(dt.date.fromisoformat(r.started_on))}，未定稿；{cn_local_date(r.exported_at)}导出"
        assert f"{r.round_name}（{dates}）{percent_text(r.completion)}{rate_text(r.score)}" in squeezed


def test_the_summary_tells_when_each_hospital_exported_its_package(packages, tmp_path):
    """The summary judged 逾期 on its own day from figures each hospital exported at some earlier
    time, and said when in no output: a package three months old read as today's state."""
    folder, _ = packages
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总报告.pdf"
    assert main(["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), str(folder)]) == 0
    exported = {r.hospital: r.exported_at for r in aggregate([folder], today=DAY).rounds}
    assert len(set(exported.values())) == 3 and all(exported.values())
    rows = _table(load_workbook(xlsx)["医院"])
    for row in rows:
        shown = local_datetime(exported[row["医院"]])
        assert shown is not None and abs(row["导出时间"] - shown) < dt.timedelta(seconds=1)
    assert load_workbook(xlsx)["医院"].cell(2, 1 + list(rows[0]).index("导出时间")).number_format.endswith("hh:mm")
    conn = sqlite3.connect(db)
    assert dict(conn.execute("SELECT hospital, exported_at FROM rounds")) == exported
    text = "".join("".join(page.extract_text() for page in PdfReader(pdf).pages).split())
    assert "各医院的整改进展截至其上报包的导出日期" in text
    assert all(f"{cn_local_date(at)}导出" in text for at in exported.values())


def test_the_summary_lists_hospitals_by_pinyin_and_says_what_it_covers_on_every_page(packages, tmp_path):
    """A clerk looks a hospital up by name: code-point order listed 丙, 乙, 甲. The printed summary
    said what it covered only on its first page, and its header twice that it was a summary
    (review of the printed summary): a loose page now gives the 汇总日期 above and the 自查日期 and
    hospitals below; a package that is only a copy is told apart from one that needs sending again."""
    from app.exchange.aggregate import write_outputs

    folder, _ = packages
    result = aggregate([folder], today=DAY)
    assert [r.hospital for r in result.rounds] == ["丙县妇幼保健院", "甲县人民医院", "乙县中医院"]
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=tmp_path / "汇总报告.pdf")
    sheet = list(load_workbook(tmp_path / "汇总.xlsx")["医院"].iter_rows(values_only=True))
    assert [row[0] for row in sheet[1:]] == ["丙县妇幼保健院", "甲县人民医院", "乙县中医院"]
    pages = ["".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总报告.pdf").pages]
    assert len(pages) > 1
    for page in pages:
        assert f"汇总日期{cn_date(DAY)}" in page and f"自查日期{cn_date(dt.date(2025, 3, 15))}·3家医院" in page
    text = "".join(pages)
    assert "3家医院自查日期" in text and "汇总日期：" in text and "报告日期" not in text
    assert "处理办法见各包的原因" in text and "坏文件.zip" in text
    copies = text.split("只计一次，不影响汇总")[1]
    assert copies.startswith("：文件原因甲县人民医院.zip较早的导出") and "坏文件.zip" not in copies
    assert "已转入复查" not in text.split("二、常见问题")[0].split("一、各医院自查结果")[1]  # no such rounds


def _table(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_workbook_names_items_as_the_reports_do_and_shows_values_as_they_print(packages, tmp_path, catalog):
    """The 汇总 workbook speaks like the hospitals' own (app/render/xlsx.py): items by the
    reference and 编号 the reports print, ids (qyx-core.04.1) only in the grey last column for
    programs; a value with its unit's decimals, never 2.3255813953488373; dates as dates."""
    from app.domain.checklist import item_number, item_references
    from app.domain.kinds import kind_of
    from app.domain.scoring import completion_percent
    from app.exchange.aggregate import write_outputs
    from app.render.xlsx import ID_COLUMN

    folder, _ = packages
    result = aggregate([folder], today=DAY)
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx")
    book = load_workbook(tmp_path / "汇总.xlsx")
    checklists = [e.checklist for e in catalog.entries]
    items = {item.id: item for c in checklists for item in c.all_items()}
    for name in ("常见问题", "指标"):
        ws = book[name]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][-1] == ID_COLUMN and all(row[-1] in items for row in rows[1:]), name
        readers = [str(v) for row in rows[1:] for v in row[:-1] if v is not None]
        assert [v for v in readers if v in items or v.startswith(tuple(f"{c.id}." for c in checklists))] == []
        assert {ws.cell(n, ws.max_column).font.color.rgb for n in range(2, ws.max_row + 1)} == {"FF808080"}
    problems = _table(book["常见问题"])
    references = item_references(checklists)
    assert problems and [p["条目"] for p in problems] == [references[p[ID_COLUMN]] for p in problems]
    assert [p[ID_COLUMN] for p in problems] == [p.item_id for p in result.common_problems()]
    ws = book["指标"]
    header = [c.value for c in ws[1]]
    indicators = _table(ws)
    assert [r["编号"] for r in indicators] == [item_number(items[r[ID_COLUMN]]) for r in indicators]
    units = set()
    for n, row in enumerate(indicators, 2):
        cell = ws.cell(n, header.index("数值") + 1)
        if cell.value is None:
            continue
        item, unit = items[row[ID_COLUMN]], row["单位"]
        units.add(unit)
        computed = kind_of(item).computed(item)
        expected = {"%": "0.0%", "‰": '0.00"‰"'}.get(unit, "0.00" if computed else "General")
        assert cell.number_format == expected, (row["指标"], unit)
        if expected == "General":  # shown as entered, at most to 0.01 (formats.measure_decimals)
            assert cell.value == round(cell.value, 2)
    assert {"%", "例次/千导管日"} <= units
    # what 逐步提高/降低 was judged against, as each hospital's own workbook says (review)
    assert any(r["说明"] and r["说明"].startswith("基线值") for r in indicators)
    ws = book["医院"]
    header = [c.value for c in ws[1]]
    for n, r in enumerate(result.rounds, 2):
        completion = ws.cell(n, header.index("完成率") + 1)
        assert completion.value == pytest.approx(completion_percent(r.completion) / 100)
        assert completion.number_format == "0%"
        day = ws.cell(n, header.index("自查日期") + 1)
        assert day.is_date and day.value.date().isoformat() == r.started_on
        assert day.number_format == 'yyyy"年"m"月"d"日"'


def test_the_summary_shows_a_value_just_short_of_its_target_with_the_decimals_that_tell_it(
    profiled_store, catalog, actor, tmp_path
):
    """The hospital's workbook printed 89.96% against ≥90%; the summary's printed 90.0% beside 未达标."""
    from app.exchange.aggregate import write_outputs
    from app.render.xlsx import ID_COLUMN
    from app.services.answers import record_answer
    from app.services.rounds import start_round

    item = "nat-quality-2023.sa3.5"
    round_id = start_round(profiled_store, [catalog.get("nat-quality-2023")], "行动计划", dt.date(2025, 6, 1), actor)
    record_answer(profiled_store, round_id, item, actor, numerator=2249, denominator=2500)
    export_package(profiled_store, round_id, tmp_path / "p.zip", attachments=False, today=DAY)
    write_outputs(aggregate([tmp_path / "p.zip"], today=DAY), xlsx=tmp_path / "汇总.xlsx")
    ws = load_workbook(tmp_path / "汇总.xlsx")["指标"]
    header = [c.value for c in ws[1]]
    [n] = [n for n in range(2, ws.max_row + 1) if ws.cell(n, len(header)).value == item]
    assert header[-1] == ID_COLUMN and ws.cell(n, header.index("是否达标") + 1).value == "未达标"
    cell = ws.cell(n, header.index("数值") + 1)
    assert cell.number_format == "0.00%" and cell.value == pytest.approx(0.8996)


def test_a_package_named_in_capitals_in_a_folder_counts(packages, tmp_path):
    """甲县.ZIP as a mail client saved it: on Linux a case-sensitive *.zip skipped the hospital
    without a word (it was neither counted nor listed as refused)."""
    folder, _ = packages
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(folder / "乙县中医院.zip", inbox / "乙县中医院.ZIP")
    shutil.copy(folder / "丙县妇幼保健院.zip", inbox / "丙县妇幼保健院.Zip")
    result = aggregate([inbox], today=DAY)
    assert result.read == 2 and not result.refused
    assert sorted(r.hospital for r in result.rounds) == ["丙县妇幼保健院", "乙县中医院"]


def test_a_macs_metadata_files_are_not_taken_for_damaged_packages(packages, tmp_path):
    """A folder unzipped on a Mac holds __MACOSX/._乙县中医院.zip (AppleDouble, a few hundred
    bytes) beside each file: it was listed as “._乙县中医院.zip 不是有效的上报包：zip 文件已损坏”,
    which sends the commission after a hospital whose package is fine."""
    folder, _ = packages
    inbox = tmp_path / "上报包"
    (inbox / "__MACOSX").mkdir(parents=True)
    shutil.copy(folder / "乙县中医院.zip", inbox / "乙县中医院.zip")
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(200)
    (inbox / "__MACOSX" / "._乙县中医院.zip").write_bytes(apple_double)
    (inbox / "._乙县中医院.zip").write_bytes(apple_double)
    result = aggregate([inbox], today=DAY)
    assert (result.read, result.refused, [r.hospital for r in result.rounds]) == (1, [], ["乙县中医院"])
    # a file the user names is read whatever it is called
    assert aggregate([inbox / "._乙县中医院.zip"], today=DAY).refused


def test_archives_of_other_kinds_and_unfinished_downloads_are_listed_not_skipped(packages, tmp_path, capsys):
    """嵩县中医院_上报包.rar and a browser's unfinished 洛宁县….zip.下载 beside a package: the
    summary read one package, refused none, and two hospitals were missing without a word."""
    folder, _ = packages
    inbox = tmp_path / "上报包"
    (inbox / "QQ接收").mkdir(parents=True)
    shutil.copy(folder / "乙县中医院.zip", inbox / "乙县中医院.zip")
    (inbox / "嵩县中医院_上报包.rar").write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(64))
    (inbox / "QQ接收" / "洛宁县妇幼保健院_上报包.zip.下载").write_bytes(b"PK\x03\x04" + bytes(64))
    (inbox / "通知.docx").write_bytes(b"PK\x03\x04")  # not a hospital's: not listed
    (inbox / "Thumbs.db").write_bytes(bytes(8))
    result = aggregate([inbox], today=DAY)
    assert [r.hospital for r in result.rounds] == ["乙县中医院"]
    assert result.read == 3
    assert [(result.name(b.path), b.reason) for b in result.refused] == [
        (
            "QQ接收/洛宁县妇幼保健院_上报包.zip.下载",
            "“QQ接收/洛宁县妇幼保健院_上报包.zip.下载”是没有下载完的文件，不是完整的上报包："
            "请等下载完成后再汇总，或请报送单位重新发送。",
        ),
        (
            "嵩县中医院_上报包.rar",
            "“嵩县中医院_上报包.rar”是 RAR 压缩文件，不是本程序导出的上报包（.zip）：如果其中装着上报包，"
            "请先解压；否则请报送单位直接发送本程序导出的上报包，不要改用其他软件压缩。",
        ),
    ]
    xlsx = tmp_path / "汇总.xlsx"
    assert main(["aggregate", "--out", str(xlsx), str(inbox)]) == 0
    assert "未纳入：嵩县中医院_上报包.rar：" in capsys.readouterr().err
    assert [row["上报包"] for row in _table(load_workbook(xlsx)["未纳入"])] == [
        "QQ接收/洛宁县妇幼保健院_上报包.zip.下载",
        "嵩县中医院_上报包.rar",
    ]


def test_packages_are_named_by_their_path_within_the_folder(packages, tmp_path, capsys):
    """QQ接收/乙县中医院.zip, a broken copy beside the good 乙县中医院.zip: the PDF and the dialog
    named both 乙县中医院.zip, so the commission could not tell which file to ask for again;
    the workbook gave the whole path of the machine instead."""
    folder, _ = packages
    inbox = tmp_path / "上报包"
    (inbox / "QQ接收").mkdir(parents=True)
    good = shutil.copy(folder / "乙县中医院.zip", inbox / "乙县中医院.zip")
    (inbox / "QQ接收" / "乙县中医院.zip").write_bytes(good.read_bytes()[:5000])
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总.pdf"
    assert main(["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), str(inbox)]) == 0
    assert "未纳入：QQ接收/乙县中医院.zip：" in capsys.readouterr().err
    book = load_workbook(xlsx)
    assert [row["上报包"] for row in _table(book["未纳入"])] == ["QQ接收/乙县中医院.zip"]
    assert [row["上报包"] for row in _table(book["医院"])] == ["乙县中医院.zip"]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT package FROM refused_packages").fetchall() == [("QQ接收/乙县中医院.zip",)]
    assert conn.execute("SELECT package FROM rounds").fetchall() == [("乙县中医院.zip",)]
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    assert "QQ接收/乙县中医院.zip" in text


def test_copies_and_older_exports_are_named_with_the_package_counted_instead(packages, tmp_path, capsys):
    """The commission's folder: a hospital's package twice more (a copy from QQ, the browser's
    second download) and another's exported on two days. Each package not counted was listed as
    “已被同一轮更新的上报包取代”, which is untrue of a copy, names neither the package counted nor
    why, and the command line, the PDF and the SQLite database did not list them at all."""
    folder, _ = packages
    inbox = tmp_path / "上报包"
    (inbox / "QQ接收").mkdir(parents=True)
    for copy in ("乙县中医院.zip", "QQ接收/乙县中医院.zip", "乙县中医院(1).zip"):
        shutil.copy(folder / "乙县中医院.zip", inbox / copy)
    shutil.copy(folder / "甲县人民医院.zip", inbox / "甲县人民医院_20250620.zip")
    shutil.copy(folder / "newer" / "甲县再次上报.zip", inbox / "甲县人民医院_20250630.zip")
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总.pdf"
    assert main(["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), str(inbox)]) == 0
    err = capsys.readouterr()
    round_ = "“2025年第一季度医疗质量自查”"
    copy = f"重复的上报包：与“乙县中医院.zip”是同一轮自查（乙县中医院{round_}）的相同内容，只计一次。"
    older = f"较早的导出：同一轮自查（甲县人民医院{round_}）另有更新的上报包“甲县人民医院_20250630.zip”（最后修改于"
    expected = {"QQ接收/乙县中医院.zip": copy, "乙县中医院(1).zip": copy, "甲县人民医院_20250620.zip": older}
    assert "3 个因重复或有更新的导出未计入" in err.out
    for name, reason in expected.items():
        assert f"未计入：{name}：{reason}" in err.err
    book = load_workbook(xlsx)
    assert {row["上报包"]: row["原因"] for row in _table(book["未纳入"])}.keys() == expected.keys()
    assert all(row["原因"].startswith(expected[row["上报包"]]) for row in _table(book["未纳入"]))
    assert sorted(row["上报包"] for row in _table(book["医院"])) == ["乙县中医院.zip", "甲县人民医院_20250630.zip"]
    rows = sqlite3.connect(db).execute("SELECT package, kept, reason FROM superseded_packages").fetchall()
    assert {(p, k) for p, k, _ in rows} == {
        ("QQ接收/乙县中医院.zip", "乙县中医院.zip"),
        ("乙县中医院(1).zip", "乙县中医院.zip"),
        ("甲县人民医院_20250620.zip", "甲县人民医院_20250630.zip"),
    }
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    assert "3个因重复或有更新的导出未计入" in text
    assert all("".join(reason.split()) in text for reason in expected.values())


@pytest.fixture(scope="module")
def retyped(tmp_path_factory, catalog):
    """A hospital's two rounds: 丁县第二人民医院（东院） in the first, (东院) half-width in the second."""
    import dataclasses

    from app.services.answers import record_answer
    from app.services.profile import get_profile, save_profile
    from app.services.rounds import start_round

    folder = tmp_path_factory.mktemp("retyped")
    actor = Actor("质控办", "pc")
    store = open_store(folder / "h.db")
    first = create_demo(store, catalog, actor, seed=5, hospital="丁县第二人民医院（东院）")
    inbox = folder / "上报包"
    inbox.mkdir()
    export_package(store, first, inbox / "一季度.zip", attachments=False, today=DAY)
    save_profile(store, dataclasses.replace(get_profile(store), name="丁县第二人民医院(东院)"), actor)
    entries = [e for e in catalog.entries if e.checklist.default]
    second = start_round(store, entries, "2025年第二季度医疗质量自查", dt.date(2025, 6, 10), actor)
    record_answer(store, second, "qyx-core.01.1", actor, grade="D", finding="未执行")
    export_package(store, second, inbox / "二季度.zip", attachments=False, today=DAY)
    store.close()
    return inbox


def test_a_hospital_that_retyped_its_name_is_listed_as_one(retyped, tmp_path, capsys):
    """第二人民医院（东院） in the first round, 第二人民医院(东院) in the re-check: the summary knew
    them for one hospital (same code: “1 家医院”), yet listed its rounds under two names, sorted
    apart (the later first), charted as two hospitals, and stored two names in SQLite, so a
    GROUP BY hospital counted two."""
    inbox = retyped
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总.pdf"
    assert main(["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), str(inbox)]) == 0
    assert "已汇总 1 家医院的 2 轮自查" in capsys.readouterr().out
    rows = _table(load_workbook(xlsx)["医院"])
    assert [(r["医院"], r["轮次"]) for r in rows] == [
        ("丁县第二人民医院(东院)", "2025年第一季度医疗质量自查"),
        ("丁县第二人民医院(东院)", "2025年第二季度医疗质量自查"),
    ]
    assert {r["医院"] for r in _table(load_workbook(xlsx)["指标"])} == {"丁县第二人民医院(东院)"}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(DISTINCT hospital) FROM rounds").fetchone()[0] == 1
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
    assert "（东院）" not in text


def test_the_charts_rank_each_hospital_once_by_its_latest_round(packages, retyped, tmp_path):
    """A hospital that sent two rounds had two bars (told apart by date) in “得分率最低的 30 家
    医院”: with 30 hospitals of which 10 sent two rounds, 10 hospitals were left out of the
    chart, and a first round whose rectifications the re-check took over was a bar of 0."""
    from app.exchange.aggregate import write_outputs

    folder, _ = packages
    result = aggregate([folder, retyped], today=DAY)
    assert len(result.hospitals) == 4 and len(result.rounds) == 5
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=tmp_path / "汇总.pdf")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总.pdf").pages)
    # its latest round has one item graded, D: the lowest, once, without a date
    assert "各医院得分率（各医院最近一轮自查）丁县第二人民医院(东院)0.0%" in text
    assert "丁县第二人民医院(东院)（2025年" not in text
    assert "各医院未完成的整改项（项；各医院最近一轮自查）" in text
    assert [r.round_name for r in result.latest_rounds() if r.hospital == "丁县第二人民医院(东院)"] == [
        "2025年第二季度医疗质量自查"
    ]


def test_the_share_of_a_common_problem_is_of_the_hospitals_that_assessed_it(packages, retyped, tmp_path):
    """常见问题 counted each hospital once (its latest round) but divided by the rounds: four
    hospitals with five rounds, an item failing in all four read 80%. And most checklists are
    chosen by some hospitals only: the share is of those whose latest round has a result."""
    from app.exchange.aggregate import write_outputs
    from app.render.xlsx import ID_COLUMN

    folder, _ = packages
    result = aggregate([folder, retyped], today=DAY)
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", sqlite=tmp_path / "汇总.db", pdf=tmp_path / "汇总.pdf")
    rows = {row[ID_COLUMN]: row for row in _table(load_workbook(tmp_path / "汇总.xlsx")["常见问题"])}
    # by hand, from the data.json of each hospital's latest package: who graded the item, who D
    item = "qyx-core.01.1"
    grades = []
    for r in result.latest_rounds():
        answers = {a["item_id"]: a for a in json.loads(members(r.path)["data.json"])["answers"]}
        grades.append(answers.get(item, {}).get("grade"))
    graded, failing = sum(g in ("A", "B", "C", "D") for g in grades), grades.count("D")
    assert len(grades) == 4 and failing >= 1  # the retyped hospital's latest round: 01.1 is D
    row = rows[item]
    assert (row["不符合医院数"], row["已评价医院数"]) == (failing, graded)
    assert row["不符合占比"] == pytest.approx(failing / graded)
    for row in rows.values():
        assert 0 < row["不符合医院数"] <= row["已评价医院数"] <= 4
        assert row["不符合占比"] == pytest.approx(row["不符合医院数"] / row["已评价医院数"])
    conn = sqlite3.connect(tmp_path / "汇总.db")
    assert conn.execute("SELECT hospitals, assessed FROM common_problems WHERE item_id = ?", (item,)).fetchone() == (
        failing,
        graded,
    )
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总.pdf").pages)
    assert "".join(rows[item]["内容"].split()) + f"{failing}/{graded}" in text


def test_campuses_under_one_code_are_two_hospitals_and_a_renamed_hospital_one(tmp_path, catalog):
    """洛宁县人民医院东院区 and 西院区 share their legal entity's code, each with its own database
    and rounds: the summary said “1 家医院”, listed 东院区's round as 西院区's, and left 东院区's
    problems out of the charts. A hospital renamed between two rounds of one database stays one."""
    import dataclasses

    from app.services.demo import demo_profile
    from app.services.profile import get_profile, save_profile
    from app.services.rounds import start_round

    actor = Actor("质控办", "pc")
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    code = demo_profile("洛宁县人民医院").code
    for n, campus in enumerate(("洛宁县人民医院东院区", "洛宁县人民医院西院区")):
        store = open_store(tmp_path / f"{n}.db")
        round_id = create_demo(store, catalog, actor, seed=n, hospital=campus)
        save_profile(store, dataclasses.replace(get_profile(store), code=code), actor)
        round_id = start_round(
            store, [e for e in catalog.entries if e.checklist.default], "二季度自查", dt.date(2025, 6, 1), actor
        )
        export_package(store, round_id, inbox / f"{campus}.zip", attachments=False, today=DAY)
        store.close()
    store = open_store(tmp_path / "renamed.db")
    first = create_demo(store, catalog, actor, seed=3, hospital="洛宁县中医院")
    export_package(store, first, inbox / "中医院一季度.zip", attachments=False, today=DAY)
    save_profile(store, dataclasses.replace(get_profile(store), name="洛宁县中医医院"), actor)
    second = start_round(
        store, [e for e in catalog.entries if e.checklist.default], "二季度自查", dt.date(2025, 6, 1), actor
    )
    export_package(store, second, inbox / "中医医院二季度.zip", attachments=False, today=DAY)
    store.close()
    result = aggregate([inbox], today=DAY)
    assert not result.refused and len(result.rounds) == 4
    assert sorted((r.hospital, r.round_name) for r in result.rounds) == [
        ("洛宁县中医医院", "2025年第一季度医疗质量自查"),  # renamed: one hospital, its latest name
        ("洛宁县中医医院", "二季度自查"),
        ("洛宁县人民医院东院区", "二季度自查"),
        ("洛宁县人民医院西院区", "二季度自查"),
    ]
    assert len(result.hospitals) == 3
    assert sorted(r.hospital for r in result.latest_rounds()) == [
        "洛宁县中医医院",
        "洛宁县人民医院东院区",
        "洛宁县人民医院西院区",
    ]


def test_a_hospital_that_filled_in_its_code_after_its_first_round_is_one(tmp_path, catalog):
    """戊县卫生院 left its code empty in its first round and filled it in before the re-check: the
    summary counted two hospitals, and the rectifications the re-check carried over counted
    twice, open (and late) in both rounds, since a round was known by its code, else its name."""
    import dataclasses

    from app.services.answers import record_answer
    from app.services.demo import demo_profile
    from app.services.profile import save_profile
    from app.services.rectifications import start_recheck_round
    from app.services.rounds import start_round

    actor = Actor("质控办", "pc")
    store = open_store(tmp_path / "h.db")
    profile = demo_profile("戊县卫生院")
    save_profile(store, dataclasses.replace(profile, code=""), actor)
    entries = [e for e in catalog.entries if e.checklist.id == "qyx-core"]
    first = start_round(store, entries, "一季度自查", dt.date(2025, 3, 15), actor)
    record_answer(store, first, "qyx-core.01.1", actor, grade="D", finding="未执行")
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    export_package(store, first, inbox / "一季度.zip", attachments=False, today=DAY)
    save_profile(store, profile, actor)
    second = start_recheck_round(store, entries, "二季度复查", dt.date(2025, 6, 10), actor, previous_round_id=first)
    export_package(store, second, inbox / "二季度.zip", attachments=False, today=DAY)
    store.close()
    result = aggregate([inbox], today=DAY)
    assert len(result.hospitals) == 1
    assert [(r.hospital, r.code, r.round_name) for r in result.rounds] == [
        ("戊县卫生院", profile.code, "一季度自查"),
        ("戊县卫生院", profile.code, "二季度复查"),
    ]
    assert [[x.status for x in r.rectifications] for r in result.rounds] == [["已转入复查"], ["待整改"]]


def test_a_file_that_is_no_package_is_told_apart_by_what_it_is(packages, tmp_path):
    """A truncated download, a share link's web page saved as 甲县.zip and a RAR archive all
    read “zip 文件已损坏、不完整或格式不对”: the commission could not tell whom to ask for what
    (send the file again, or send the package and not its link)."""
    folder, _ = packages
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    whole = (folder / "乙县中医院.zip").read_bytes()
    (inbox / "中断.zip").write_bytes(whole[: len(whole) // 2])
    (inbox / "网页.zip").write_text(
        "\ufeff<!DOCTYPE html><html><head><title>链接已失效</title></head></html>", encoding="utf-8"
    )
    (inbox / "压缩.zip").write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(64))
    (inbox / "空.zip").write_bytes(b"")
    (inbox / "文本.zip").write_text("各医院请于7月10日前报送。", encoding="utf-8")
    reasons = {b.path.name: b.reason for b in aggregate([inbox], today=DAY).refused}
    assert reasons == {
        "中断.zip": "“中断.zip”不是有效的上报包：zip 文件不完整或已损坏（可能下载或复制时中断），请报送单位重新发送。",
        "网页.zip": "“网页.zip”不是有效的上报包：这是一个网页（可能保存的是下载页面或已失效的链接），"
        "不是上报包，请报送单位重新发送上报包本身。",
        "压缩.zip": "“压缩.zip”不是有效的上报包：这是 RAR 压缩文件，不是本程序导出的上报包（zip）：如果其中装着上报包，"
        "请先解压；否则请报送单位直接发送本程序导出的上报包，不要改用其他软件压缩。",
        "空.zip": "“空.zip”不是有效的上报包：文件是空的（0 字节），请报送单位重新发送。",
        "文本.zip": "“文本.zip”不是有效的上报包：不是 zip 文件（可能是其他文件改了扩展名），请报送单位重新发送。",
    }


def test_a_recheck_dated_after_the_summary_date_has_not_happened_yet(tmp_path, catalog):
    """The summary dated 2025-05-01 counted 5 整改项 已完成 and none 逾期 where the hospital's own
    package of that date (its 整改报告, data.json) said 0 已完成 and 3 逾期: re-checks of June
    were counted as done in May (review, reports 1)."""
    from collections import Counter

    store = open_store(tmp_path / "demo.db")
    round_id = create_demo(store, catalog, Actor("质控办", "pc"))
    may = dt.date(2025, 5, 1)
    package = export_package(store, round_id, tmp_path / "p.zip", attachments=False, today=may).path
    stated = json.loads(members(package)["data.json"])["results"]["rectifications"]["by_status"]
    counted = Counter(r.status for r in aggregate([package], today=may).rounds[0].rectifications)
    assert stated["已完成"] == 0 and stated["逾期"] > 0, "the demo has re-checks after 5月1日"
    assert dict(counted) == {status: n for status, n in stated.items() if n}


def _as_frozen_before_numbering(store, round_id: str, checklist_id: str, numbering: dict | None = None) -> None:
    """The round as one started before its checklist spelt its codes out (or spelt them as
    ``numbering``): its frozen copy is that content, of the version before, hashed as the program
    hashes it."""
    import json

    from app.catalog import content_hash

    row = store.db.execute(
        "SELECT content FROM round_checklists WHERE round_id = ? AND checklist_id = ?", (round_id, checklist_id)
    ).fetchone()
    content = json.loads(row[0])
    content.pop("numbering", None)
    if numbering:
        content["numbering"] = numbering
    content["version"] = "2023.2"
    with store.db.conn:
        store.db.execute(
            "UPDATE round_checklists SET content = ?, version = ?, sha256 = ? WHERE round_id = ? AND checklist_id = ?",
            (json.dumps(content, ensure_ascii=False), "2023.2", content_hash(content), round_id, checklist_id),
        )


def test_an_item_is_numbered_alike_in_rounds_frozen_before_and_after_its_checklist_spelt_codes_out(tmp_path, catalog):
    """质量行动计划 spelt its codes out (``m.10`` → 指标10) in version 2023.3. A summary over a
    round frozen before and one frozen after listed one indicator as ``m.10`` for one hospital and
    指标10 for the other, and named a common problem by whichever hospital came first."""
    from app.services.demo import demo_profile
    from app.services.profile import save_profile
    from app.services.rounds import start_round

    actor = Actor("质控办", "pc")
    inbox = tmp_path / "上报包"
    inbox.mkdir()
    checklist = catalog.get("nat-quality-2023")
    assert checklist.checklist.numbering  # what this test is about
    for n, name in enumerate(HOSPITALS[:2]):
        store = open_store(tmp_path / f"{n}.db")
        save_profile(store, demo_profile(name), actor)
        round_id = start_round(store, [checklist], "行动计划自查", dt.date(2025, 3, 15), actor)
        if n == 0:
            _as_frozen_before_numbering(store, round_id, checklist.checklist.id)
        export_package(store, round_id, inbox / f"{name}.zip", attachments=False, today=DAY)
        store.close()
    result = aggregate([inbox], today=DAY)
    assert not result.refused and len(result.rounds) == 2
    before, after = sorted(result.rounds, key=lambda r: HOSPITALS.index(r.hospital))
    numbers = [{i.item_id: i.number for i in r.indicators} for r in (before, after)]
    references = [{i.item_id: i.reference for i in r.items} for r in (before, after)]
    shared = numbers[0].keys() & numbers[1].keys()  # applicability follows each hospital's services
    assert len(shared) > 20 and all(numbers[0][i] == numbers[1][i] for i in shared)
    assert references[0] == references[1]
    assert "指标10" in numbers[0].values() and not any(n.startswith("m.") for n in numbers[0].values())
    # a copy that spelt the codes otherwise is spelt as the newest version spells them too
    store = open_store(tmp_path / "0.db")
    round_id = store.rounds()[0].id
    _as_frozen_before_numbering(
        store, round_id, checklist.checklist.id, {**checklist.checklist.numbering, "m": "旧指标"}
    )
    export_package(store, round_id, inbox / f"{HOSPITALS[0]}.zip", attachments=False, today=DAY)
    store.close()
    respelt = aggregate([inbox], today=DAY)
    assert {i.number for r in respelt.rounds for i in r.indicators if i.item_id.endswith(".m.10")} == {"指标10"}
    # with nothing newer among the packages, a round frozen before keeps its codes
    alone = aggregate([inbox / f"{HOSPITALS[0]}.zip"], today=DAY)
    assert "旧指标10" in {i.number for i in alone.rounds[0].indicators}


def test_the_summary_unit_heads_every_output_and_a_long_one_is_refused_before_any_work(packages, tmp_path, capsys):
    folder, _ = packages
    xlsx, db, pdf = tmp_path / "汇总.xlsx", tmp_path / "汇总.db", tmp_path / "汇总报告.pdf"
    unit = "洛阳市卫生健康委员会"
    command = ["aggregate", "--out", str(xlsx), "--sqlite", str(db), "--pdf", str(pdf), "--date", "2025-06-30"]
    assert main([*command, "--unit", f" {unit}\u202e ", str(folder)]) == 0  # spaces and controls aside
    pages = ["".join(page.extract_text().split()) for page in PdfReader(pdf).pages]
    assert all(f"{unit}汇总日期2025年6月30日医疗质量自查汇总报告" in page for page in pages)  # the header
    assert f"{unit}医疗质量自查汇总报告3家医院" in pages[0]
    book = load_workbook(xlsx)
    assert book["医院"].oddHeader.left.text == f"{unit}　医疗质量自查汇总　汇总日期 2025年6月30日"
    assert {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}["汇总单位"] == unit
    assert dict(sqlite3.connect(db).execute("SELECT key, value FROM about"))["unit"] == unit
    capsys.readouterr()
    other = tmp_path / "长"
    other.mkdir()
    long_unit = "洛阳市" * 14
    assert main(["aggregate", "--out", str(other / "汇总.xlsx"), "--unit", long_unit, str(folder)]) == 1
    assert "汇总单位不能超过 40 个字（现有 42 个）" in capsys.readouterr().err
    assert list(other.iterdir()) == []


def test_the_pdf_says_when_it_lists_fewer_common_problems_than_the_workbook(packages, tmp_path, monkeypatch):
    """The PDF cut 常见问题 to 30 rows (219 in the workbook), said nothing, and cut among items
    failing in as many hospitals by their ids (commission review)."""
    from app.exchange import aggregate_outputs
    from app.exchange.aggregate import CommonProblem, write_outputs

    def problem(n: int, hospitals: int) -> CommonProblem:
        return CommonProblem(f"i{n}", "c", "r", "t", [f"h{k}" for k in range(hospitals)])

    ranked = [problem(0, 3), problem(1, 2), problem(2, 2), problem(3, 2), problem(4, 1)]
    monkeypatch.setattr(aggregate_outputs, "PRINTED_PROBLEMS", 2)
    assert [p.item_id for p in aggregate_outputs.printed_problems(ranked)] == ["i0", "i1", "i2", "i3"]
    singles = [problem(0, 2), problem(1, 1), problem(2, 1), problem(3, 1)]  # a tie of one hospital each
    assert [p.item_id for p in aggregate_outputs.printed_problems(singles)] == ["i0", "i1"]
    folder, _ = packages
    result = aggregate([folder], today=DAY)
    total = len(result.common_problems())
    assert total > 2
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=tmp_path / "汇总.pdf")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总.pdf").pages)
    printed = len(aggregate_outputs.printed_problems(result.common_problems()))
    assert f"以上列出不符合医院数最多的{printed}条（共{total}条），完整列表见汇总工作簿的“常见问题”工作表。" in text
    monkeypatch.setattr(aggregate_outputs, "PRINTED_PROBLEMS", total)  # all of them printed: nothing to say
    write_outputs(result, xlsx=tmp_path / "汇总.xlsx", pdf=tmp_path / "汇总.pdf")
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(tmp_path / "汇总.pdf").pages)
    assert "完整列表见汇总工作簿" not in text


def test_the_drafts_note_counts_one_round_without_saying_all():
    """“纳入的 1 轮自查均尚未定稿” read oddly for a summary of one package."""
    from app.exchange.aggregate_outputs import _drafts_note

    assert _drafts_note([{"定稿": False}]) == "纳入的自查尚未定稿（自查稿），其结果在定稿前仍可能修改。"
    assert _drafts_note([{"定稿": False}] * 3).startswith("纳入的 3 轮自查均尚未定稿")
    assert _drafts_note([{"定稿": False}, {"定稿": True}]).startswith("纳入的自查中有 1 轮尚未定稿")
    assert _drafts_note([{"定稿": True}]) == ""

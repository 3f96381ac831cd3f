"""汇总: generated hospitals' packages into one workbook, SQLite database and PDF."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli import main
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
    assert [p.name for p in result.replaced] == ["甲县人民医院.zip"]
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
    assert book.sheetnames == ["医院", "常见问题", "指标", "未纳入"]
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
    assert (top[0], top[1]) == (problems[0][0], problems[0][3])
    assert conn.execute("SELECT COUNT(*) FROM refused_packages").fetchone()[0] == 1
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "医疗质量自查汇总报告" in text and all(h in text for h in HOSPITALS)
    assert "坏文件.zip" in text

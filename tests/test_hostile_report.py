"""Reports of hostile but valid data (issue 11, defects 6.3 and 6.8): long unbroken text, huge
photos, bidi controls, characters no report font has. Real WeasyPrint PDFs, read back with pypdf."""

from __future__ import annotations

import io
import re
import time

import pypdf
import pytest

from app.render import build_html, render_report
from app.services import rectifications as rect_service
from app.services.answers import record_answer
from app.services.attachments import add_attachment
from app.services.demo import DEMO_REPORT_DATE, create_demo
from app.store import Actor, open_store

ITEM = "qyx-core.05.1"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


@pytest.fixture
def demo(tmp_path, catalog):
    store = open_store(tmp_path / "demo.db")
    actor = Actor("测试员", "device-test")
    round_id = create_demo(store, catalog, actor)
    yield store, round_id, actor
    store.close()


def _timed_render(store, round_id, kind, out):
    started = time.perf_counter()
    result = render_report(store, round_id, kind, out, today=DEMO_REPORT_DATE)
    return result, time.perf_counter() - started


@pytest.mark.slow  # ≈8 s: renders a long report twice
def test_a_long_unbroken_run_costs_about_what_its_pages_cost(demo, tmp_path):
    """6.3: WeasyPrint lays out the rest of a paragraph for every line when the text has no break
    opportunity, so a long run of digits took time growing with its square (10,000: ≈10 s)."""
    store, round_id, actor = demo
    _timed_render(store, round_id, "self", tmp_path / "warm.pdf")  # fonts, caches
    _, normal = _timed_render(store, round_id, "self", tmp_path / "normal.pdf")
    digits = "".join(str(n % 10) for n in range(10_000))
    record_answer(store, round_id, ITEM, actor, grade="D", finding=digits)
    result, seconds = _timed_render(store, round_id, "self", tmp_path / "long.pdf")
    assert result.warnings == ()
    printed = "".join(re.findall(r"\d{40,}", squeeze(pdf_text(result.path))))
    assert printed.startswith(digits), "every digit is printed, in order (三, then again in 五)"
    assert seconds < 3 * normal, f"{seconds:.1f} s for 10,000 digits, normal report {normal:.1f} s"


def _gradient_png(side: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((side, side)).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def _embedded_images(path) -> list[tuple[int, int]]:
    """(width, height) of every image XObject, read from its dictionary (never decoded)."""
    sizes = []

    def walk(resources) -> None:
        for obj in (resources or {}).get("/XObject", {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                sizes.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in pypdf.PdfReader(path).pages:
        walk(page.get("/Resources"))
    return sizes


def test_photos_are_embedded_at_print_resolution(demo, tmp_path):
    """6.3: a 6,000 × 6,000 photo printed as a 28 mm thumbnail was embedded whole."""
    store, round_id, actor = demo
    entry = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)[0]
    photo = tmp_path / "现场.png"
    photo.write_bytes(_gradient_png(6000))
    add_attachment(store, round_id, photo, actor, rectification_id=entry.id)
    result = render_report(store, round_id, "rectification", tmp_path / "r.pdf", today=DEMO_REPORT_DATE)
    assert result.warnings == ()
    sizes = _embedded_images(result.path)
    assert sizes, "the photo is printed"
    assert max(max(s) for s in sizes) <= 1200, sizes


def test_the_report_holds_photos_at_print_resolution_not_the_files(demo, tmp_path):
    """The 整改报告's model kept every photo it prints as the file, up to the rendering's end (up
    to four per rectification, 20 MB each): a year's evidence photos all at once. It keeps each
    at print resolution, the file read one at a time."""
    import os

    from PIL import Image

    store, round_id, actor = demo
    entries = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)[:3]
    originals = 0
    for n, entry in enumerate(entries):
        photo = tmp_path / f"现场{n}.jpg"
        Image.frombytes("RGB", (2400, 1800), os.urandom(2400 * 1800 * 3)).save(photo, "JPEG", quality=95)
        originals += photo.stat().st_size
        add_attachment(store, round_id, photo, actor, rectification_id=entry.id)
    source = build_html(store, round_id, "rectification", DEMO_REPORT_DATE)
    assert len(source.images) == 3
    for data, _media in source.images.values():
        assert max(Image.open(io.BytesIO(data)).size) <= 1000
    assert sum(len(data) for data, _ in source.images.values()) < originals / 4
    result = render_report(store, round_id, "rectification", tmp_path / "r.pdf", today=DEMO_REPORT_DATE)
    sizes = _embedded_images(result.path)
    assert result.warnings == () and sizes and max(max(s) for s in sizes) <= 1000


def test_an_image_too_large_to_decode_is_listed_by_name(demo, tmp_path):
    """6.3: a 12,000 × 12,000 PNG (a few hundred KB) cost 26 s and 1.3 GB; now it is not decoded
    at all: the report names it and says why."""
    import struct
    import zlib

    store, round_id, actor = demo
    entry = rect_service.list_rectifications(store, round_id, DEMO_REPORT_DATE)[0]
    side = 12_000

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\0" + b"\x80" * side
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    photo = tmp_path / "巨幅.png"
    photo.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )
    add_attachment(store, round_id, photo, actor, rectification_id=entry.id)
    result, seconds = _timed_render(store, round_id, "rectification", tmp_path / "r.pdf")
    assert _embedded_images(result.path) == []
    text = squeeze(pdf_text(result.path))
    assert "巨幅.png" in text and "图片过大" in text
    assert seconds < 10


def test_bidi_controls_in_stored_text_are_not_obeyed_in_print(demo, tmp_path):
    """6.8: "ABC\\u202eEVIL\\u202c" printed as ABCLIVE. Text stored before the fix (or by another
    program) is neutralised when printed."""
    store, round_id, actor = demo
    record_answer(store, round_id, ITEM, actor, grade="D", finding="值班表")
    with store.transaction() as db:  # as an older version (or another program) stored it
        db.execute(
            "UPDATE answers SET finding = ? WHERE round_id = ? AND item_id = ?",
            ("ABC\u202eEVIL\u202c 与 \u2067منع\u2069", round_id, ITEM),
        )
    source = build_html(store, round_id, "self", DEMO_REPORT_DATE)
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", source.html)
    result = render_report(store, round_id, "self", tmp_path / "s.pdf", today=DEMO_REPORT_DATE)
    text = squeeze(pdf_text(result.path))
    assert "ABCEVIL" in text and "LIVE" not in text


def test_characters_without_a_glyph_are_marked_and_reported_before_rendering(demo, tmp_path):
    """6.8: emoji fall back to a font that has them; a character no installed font has (𠀀,
    CJK Extension B) is printed as its code point, not an empty box, and the warning says so
    before WeasyPrint runs."""
    store, round_id, actor = demo
    record_answer(store, round_id, ITEM, actor, grade="D", finding="值班表😀未公开，姓名用字𠀀")
    source = build_html(store, round_id, "self", DEMO_REPORT_DATE)
    assert any("𠀀" in w and "U+20000" in w for w in source.warnings), source.warnings
    result = render_report(store, round_id, "self", tmp_path / "s.pdf", today=DEMO_REPORT_DATE)
    assert not [w for w in result.warnings if "notdef" in w], result.warnings
    assert any("U+20000" in w for w in result.warnings)
    text = squeeze(pdf_text(result.path))
    assert "姓名用字[U+20000]" in text


def test_a_long_first_row_of_a_section_starts_under_its_heading(demo, tmp_path):
    """Seen on the pages of a pathological report: a section heading is kept with its first row,
    and when that row is longer than a page both moved on, leaving most of a page blank."""
    store, round_id, actor = demo
    record_answer(store, round_id, "qyx-core.02.1", actor, grade="D", finding="".join(str(n % 10) for n in range(3000)))
    result = render_report(store, round_id, "self", tmp_path / "s.pdf", today=DEMO_REPORT_DATE)
    pages = [squeeze(page.extract_text()) for page in pypdf.PdfReader(result.path).pages]
    first = next(n for n, text in enumerate(pages) if "首诊负责制度" in text and "01.1" in text)
    assert "三级查房制度" in pages[first] and "0123456789" in pages[first]


def test_chart_labels_lose_bidi_controls():
    """Section titles come from checklist files, which anyone can edit; the SVG charts are Markup
    (not passed through the templates' cleaning), so they clean their own labels."""
    from app.render.charts import Bar, bar_chart

    svg = bar_chart([Bar("核心\u202e制度", 50, "5\u202e0%")], maximum=100, font_family="x", title="标\u2067题")
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", str(svg))
    assert "核心制度" in svg and "标题" in svg

"""The Windows code paths, checked here on Linux (issue 10): the data folder, the start-up of the
installed program (WeasyPrint's DLLs, Fontconfig), the report fonts Windows has, and opening a
file with the system's viewer. What only Windows itself can show is listed in installer/README.md."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.windows
import pytest

from app import frozen, paths
from app.render import fonts
from tests.conftest import ROOT

LOCAL = r"C:\Users\张三\AppData\Local"
ROAMING = r"C:\Users\张三\AppData\Roaming"


@pytest.fixture
def on_windows(monkeypatch):
    """platformdirs as on Windows, with a user whose profile folder has a Chinese name."""
    folders = {"CSIDL_LOCAL_APPDATA": LOCAL, "CSIDL_APPDATA": ROAMING}
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", folders.__getitem__)
    monkeypatch.setattr(platformdirs, "PlatformDirs", platformdirs.windows.Windows)
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)


def test_data_folder_is_local_appdata_not_roaming(on_windows):
    """%LOCALAPPDATA%\\MedQualitySelfCheck, as the README and the uninstaller say: a SQLite file
    must not roam with the profile, and no vendor folder is put in between."""
    assert PureWindowsPath(str(paths.data_dir())) == PureWindowsPath(LOCAL, "MedQualitySelfCheck")
    assert PureWindowsPath(str(paths.default_db_path())) == PureWindowsPath(
        LOCAL, "MedQualitySelfCheck", "selfcheck.db"
    )


def test_data_folder_can_be_moved_to_a_usb_stick(on_windows, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, r"E:\自查数据")
    assert str(paths.data_dir()) == r"E:\自查数据"


def test_installed_program_on_windows_points_weasyprint_at_its_dlls(tmp_path):
    (tmp_path / "etc" / "fonts").mkdir(parents=True)
    (tmp_path / "etc" / "fonts" / "fonts.conf").write_text("<fontconfig/>", encoding="utf-8")
    environ = {"WEASYPRINT_DLL_DIRECTORIES": r"C:\Program Files\GTK3-Runtime Win64\bin"}
    frozen.prepare(environ, platform="win32", bundle=tmp_path)
    assert environ["WEASYPRINT_DLL_DIRECTORIES"] == str(tmp_path)  # ours, not another GTK's
    assert environ["FONTCONFIG_FILE"] == str(tmp_path / "etc" / "fonts" / "fonts.conf")
    assert environ["FONTCONFIG_PATH"] == str(tmp_path / "etc" / "fonts")


def test_fontconfig_is_given_its_configuration_in_ascii_where_windows_has_a_short_name(tmp_path):
    """The installer's folder is %LOCALAPPDATA%\\Programs\\医疗质量自查助手, under a user folder
    often named 张三: Fontconfig opens its configuration by a narrow (code-page) path. Given by the
    ASCII short (8.3) name Windows keeps for it, the same file is read whatever the code page."""
    bundle = tmp_path / "医疗质量自查助手"
    conf = bundle / "etc" / "fonts" / "fonts.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("<fontconfig/>", encoding="utf-8")
    short = {
        str(conf): r"C:\Users\9D1B~1\AppData\Local\Programs\6C34~1\etc\fonts\fonts.conf",
        str(conf.parent): r"C:\Users\9D1B~1\AppData\Local\Programs\6C34~1\etc\fonts",
    }
    asked: list[str] = []

    def short_path(path: str) -> str:
        asked.append(path)
        return short.get(path, "")

    environ = {"USERPROFILE": r"C:\Users\张三"}
    frozen.prepare(environ, platform="win32", bundle=bundle, short_path=short_path)
    assert environ["FONTCONFIG_FILE"] == short[str(conf)]
    assert environ["FONTCONFIG_PATH"] == short[str(conf.parent)]
    assert environ["WEASYPRINT_DLL_DIRECTORIES"] == str(bundle)  # Python opens DLLs by wide paths
    assert environ["USERPROFILE"] == r"C:\Users\张三"  # nothing else is touched
    # no short name (turned off on the volume): the path stays as it is, the best there is
    environ = {}
    frozen.prepare(environ, platform="win32", bundle=bundle, short_path=lambda path: "")
    assert environ["FONTCONFIG_FILE"] == str(conf)
    # an ASCII path is left alone, unasked
    (tmp_path / "etc" / "fonts").mkdir(parents=True)
    (tmp_path / "etc" / "fonts" / "fonts.conf").write_text("<fontconfig/>", encoding="utf-8")
    asked.clear()
    frozen.prepare({}, platform="win32", bundle=tmp_path, short_path=short_path)
    assert str(tmp_path).isascii() and asked == []
    assert frozen._windows_short_path(str(conf)) == ""  # (not on Windows: no short names asked)


def test_installed_program_without_fontconfig_files_sets_only_the_dll_folder(tmp_path):
    environ: dict[str, str] = {}
    frozen.prepare(environ, platform="win32", bundle=tmp_path)
    assert environ == {"WEASYPRINT_DLL_DIRECTORIES": str(tmp_path)}


@pytest.mark.parametrize("platform", ["linux", "darwin"])
def test_installed_program_elsewhere_changes_nothing(tmp_path, platform):
    environ: dict[str, str] = {}
    frozen.prepare(environ, platform=platform, bundle=tmp_path)
    assert environ == {}


def test_run_from_source_changes_nothing(monkeypatch):
    monkeypatch.delattr("sys._MEIPASS", raising=False)
    environ: dict[str, str] = {}
    frozen.prepare(environ, platform="win32")
    assert environ == {}


def test_main_prepares_only_the_installed_program(monkeypatch):
    import main

    called = []
    monkeypatch.setattr(frozen, "prepare", lambda: called.append(True))
    monkeypatch.setattr("sys.argv", ["main.py", "--version"])
    assert main.run() == 0
    assert called == []
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert main.run() == 0
    assert called == [True]


WINDOWS_FONTS = {
    "SimSun": r"C:\Windows\Fonts\simsun.ttc",
    "宋体": r"C:\Windows\Fonts\simsun.ttc",
    "Microsoft YaHei": r"C:\Windows\Fonts\msyh.ttc",
    "微软雅黑": r"C:\Windows\Fonts\msyh.ttc",
    "SimHei": r"C:\Windows\Fonts\simhei.ttf",
}


def test_reports_use_simsun_and_microsoft_yahei_on_windows(tmp_path, monkeypatch):
    """A Windows PC without the bundled fonts: 宋体 for text, 微软雅黑 for headings (as Fontconfig
    names them from C:\\Windows\\Fonts)."""
    monkeypatch.setattr(
        fonts, "system_fonts", lambda families: {f: WINDOWS_FONTS[f] for f in families if f in WINDOWS_FONTS}
    )
    chosen = fonts.resolve_fonts(tmp_path / "no-bundled-fonts")
    assert chosen.body.family == "SimSun"
    assert chosen.heading.family == "Microsoft YaHei"
    assert chosen.files == ()  # named by family: the .ttc collections are never loaded by file


def test_bundled_fonts_come_first_on_windows_too(tmp_path, monkeypatch):
    monkeypatch.setattr(fonts, "system_fonts", lambda families: dict(WINDOWS_FONTS))
    for name in ("NotoSerifSC-Regular.otf", "NotoSansSC-Regular.otf"):
        (tmp_path / name).write_bytes(b"")
    chosen = fonts.resolve_fonts(tmp_path)
    assert (chosen.body.family, chosen.heading.family) == ("MQSC Serif", "MQSC Sans")


def test_open_in_viewer_hands_qt_a_local_file_url_for_a_windows_path(monkeypatch):
    """A path with a drive letter, a Chinese folder, a space and a '#' (which would start a URL
    fragment if the URL were built as text) reaches the system viewer as that very file."""
    from app.ui import dialogs, qt

    opened = []
    monkeypatch.setattr(qt.QDesktopServices, "openUrl", opened.append)
    dialogs.open_in_viewer(PureWindowsPath(r"C:\Users\张三\Documents\自查报告 #2.pdf"))
    (url,) = opened
    assert url.isLocalFile()
    assert not url.hasFragment()
    # Qt on Windows turns this path back into C:/Users/…; here it is the URL's path as is
    assert url.path() == "/C:/Users/张三/Documents/自查报告 #2.pdf"
    assert url.toString() == "file:///C:/Users/张三/Documents/自查报告 %232.pdf"


def test_open_in_viewer_keeps_a_posix_path(monkeypatch, tmp_path):
    from app.ui import dialogs, qt

    opened = []
    monkeypatch.setattr(qt.QDesktopServices, "openUrl", opened.append)
    path = tmp_path / "整改报告 #1.pdf"
    dialogs.open_in_viewer(path)
    assert opened[0].isLocalFile()
    assert Path(opened[0].toLocalFile()) == path


@pytest.fixture
def windows_flush(monkeypatch):
    """``os.fsync`` as on Windows: ``_commit`` flushes only a handle with write access and
    refuses a read-only one with EBADF. Folders are let through: the program never flushes a
    folder on Windows (``fsync_folder`` returns at once there)."""
    import errno
    import fcntl
    import os
    import stat

    real = os.fsync

    def fsync(fd: int) -> None:
        read_only = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
        if read_only and not stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EBADF, "Bad file descriptor")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_backups_exports_and_summaries_are_flushed_as_windows_allows(windows_flush, demo_file, cli, tmp_path):
    """Every backup, 上报包 and 汇总数据库 failed on Windows with “Bad file descriptor”: the file
    was flushed through a read-only handle (Windows review). PDFs worked, so the installer's
    check (demo and reports) did not show it."""
    db, round_id = demo_file
    backup = cli("backup", "--db", db)
    assert backup.returncode == 0, backup.stderr
    package = tmp_path / "上报包.zip"
    export = cli("export", "--db", db, "--round", round_id, "--out", package, "--no-attachments")
    assert export.returncode == 0, export.stderr
    summary = cli("aggregate", "--out", tmp_path / "汇总.xlsx", "--sqlite", tmp_path / "汇总.db", package)
    assert summary.returncode == 0, summary.stderr
    assert (tmp_path / "汇总.db").stat().st_size > 0 and cli("backups", "--db", db).stdout.count("手动") >= 1


def test_a_registry_that_calls_css_plain_text_leaves_the_report_styled(demo_file, tmp_path, monkeypatch):
    """``mimetypes`` reads the Windows registry, where a program may have made ``.css``
    ``text/plain``; WeasyPrint then ignored the stylesheet (“Unsupported stylesheet type”), and the
    report came out unstyled and five pages longer (Windows review)."""
    import mimetypes

    from app.render import render_report
    from app.store import open_store

    db, round_id = demo_file
    monkeypatch.setattr(mimetypes, "types_map", {**mimetypes.types_map, ".css": "text/plain"})
    mimetypes.add_type("text/plain", ".css")
    assert mimetypes.guess_type("report.css")[0] == "text/plain"
    store = open_store(db)
    try:
        result = render_report(store, round_id, "rectification", tmp_path / "整改报告.pdf", today=dt.date(2025, 6, 30))
    finally:
        store.close()
        mimetypes.add_type("text/css", ".css")
    assert result.warnings == ()
    assert result.pages == 4  # as styled: landscape, 9 pt ledger


def test_command_output_in_code_page_936_is_printed_whole(demo_file, cli):
    """Windows writes output sent to a file or another program in code page 936 (GBK): a finding
    pasted with ``kg/m²`` or ``•`` stopped ``rectifications > 台账.txt`` half-way with a traceback
    (Windows review). Text prints ``?`` for what GBK lacks; JSON escapes it and stays whole."""
    import json

    db, round_id = demo_file
    finding = "BMI≥28 kg/m²的患者未评估 • 见附表"
    item = "qyx-core.01.1"
    answered = cli("answer", "--db", db, "--round", round_id, "--item", item, "--grade", "D", "--finding", finding)
    assert answered.returncode == 0, answered.stderr
    gbk = {"PYTHONIOENCODING": "gbk"}  # as Windows' console code page sets it for a pipe
    text = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "rectifications", "--db", str(db), "--round", round_id],
        capture_output=True,
        env={**os.environ, **gbk},
        cwd=ROOT,
        timeout=120,
    )
    assert text.returncode == 0 and b"Traceback" not in text.stderr, text.stderr.decode("gbk", "replace")
    assert "BMI≥28 kg/m?的患者未评估 ? 见附表" in text.stdout.decode("gbk")
    listed = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "rectifications", "--db", str(db), "--round", round_id, "--json"],
        capture_output=True,
        env={**os.environ, **gbk},
        cwd=ROOT,
        timeout=120,
    )
    assert listed.returncode == 0
    assert finding in json.dumps(json.loads(listed.stdout.decode("gbk")), ensure_ascii=False)
    # every command's JSON (verify, import and aggregate print theirs through the same function)
    package = db.parent / "报告•².zip"
    assert cli("export", "--db", db, "--round", round_id, "--out", package, "--no-attachments").returncode == 0
    verified = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "verify", "--json", str(package)],
        capture_output=True,
        env={**os.environ, **gbk},
        cwd=ROOT,
        timeout=120,
    )
    assert verified.returncode == 0 and json.loads(verified.stdout.decode("gbk"))["path"] == str(package)


def test_a_file_held_open_elsewhere_is_told_as_such(tmp_path, monkeypatch):
    """Windows refuses to replace a file that WPS or a PDF reader holds open (error 32, or 5 for
    a rename), and says "permission denied": users were sent to check folder rights. A scanner
    holding a new file for a moment is waited for; one that keeps it is named."""
    from app import files
    from app.errors import os_reason

    held = PermissionError(13, "Permission denied")
    held.winerror = 32  # type: ignore[attr-defined]
    assert "正被其他程序打开" in os_reason(held) and "WPS" in os_reason(held)
    denied = PermissionError(13, "Access is denied")
    denied.winerror = 5  # type: ignore[attr-defined]
    assert os_reason(denied).startswith("没有访问权限，或文件正被其他程序打开")
    assert os_reason(PermissionError(13, "Permission denied")) == "没有访问权限"  # elsewhere

    monkeypatch.setattr(files, "RENAME_REFUSED_WHILE_OPEN", True)
    source, target = tmp_path / "new.pdf", tmp_path / "自查报告.pdf"
    source.write_bytes(b"new")
    target.write_bytes(b"old")
    real_replace, refusals = os.replace, [held, held]

    def replace_while_scanned(a, b):
        if refusals:
            raise refusals.pop()
        real_replace(a, b)

    monkeypatch.setattr(os, "replace", replace_while_scanned)
    files.replace_patiently(source, target, pause=0.01)
    assert target.read_bytes() == b"new" and not source.exists()
    source.write_bytes(b"newer")
    refusals[:] = [held] * 5
    with pytest.raises(PermissionError):
        files.replace_patiently(source, target, pause=0.01)
    assert target.read_bytes() == b"new"

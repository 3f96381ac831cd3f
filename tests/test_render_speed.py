"""app.render.engine: WeasyPrint imported without ctypes' library search, and still imported
when a library can only be found by that search. Each case runs in a new interpreter: the
import happens once per process."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_weasyprint_loads_its_libraries_without_searching() -> None:
    out = run_python(
        "import ctypes.util\n"
        "searched = []\n"
        "search = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: searched.append(name) or search(name)\n"
        "patched = ctypes.util.find_library\n"
        "from app.render.engine import weasyprint\n"
        "assert ctypes.util.find_library is patched, 'the search is put back'\n"
        "assert weasyprint.text.ffi.pango and weasyprint.text.ffi.fontconfig\n"
        "print(len(searched))\n"
    )
    assert out.strip() == "0"


def test_a_library_found_only_by_the_search_still_loads() -> None:
    # the first import fails as it would where a library's soname is none WeasyPrint tries
    out = run_python(
        "import importlib.abc, sys\n"
        "class Refuse(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'weasyprint.text.ffi':\n"
        "            sys.meta_path.remove(self)\n"
        "            raise OSError('cannot load library')\n"
        "sys.meta_path.insert(0, Refuse())\n"
        "from app.render.engine import weasyprint\n"
        "print(weasyprint.HTML(string='<p>x</p>').render().pages[0].width > 0)\n"
    )
    assert out.strip() == "True"


def test_collections_are_rarer_only_while_reports_render() -> None:
    import gc

    from app.render.collector import RENDER_GC_THRESHOLD, fewer_collections

    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold()[0] == RENDER_GC_THRESHOLD
        with fewer_collections():  # a second report, in another thread
            pass
        assert gc.get_threshold()[0] == RENDER_GC_THRESHOLD, "the first report is still rendering"
    assert gc.get_threshold() == before
    try:
        with fewer_collections():
            raise RuntimeError("a failed render")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_a_report_leaves_no_cycles_for_the_windows_thread_to_collect(store, demo_round, tmp_path) -> None:
    """WeasyPrint leaves objects in reference cycles (two years' 自查报告: 380,000). While reports
    render, the collector runs seldom; the first full collection after one ran in whichever thread
    next allocated, most often the window's: a half-second freeze at the user's next click. The
    report's own thread collects them before it returns (the demo's report left 5,000)."""
    import gc
    import threading

    from app.render import render_report

    gc.collect()
    worker = threading.Thread(target=lambda: render_report(store, demo_round, "self", tmp_path / "r.pdf"))
    worker.start()
    worker.join()
    assert (tmp_path / "r.pdf").is_file()
    assert gc.collect() < 1000

"""Every dialog fits the screens the program is used on, with its frame, the task bar aside.

The screens, as Qt sees them (logical pixels), less a ≈40 px task bar: 1366×768 PCs at 100%,
1920×1080 laptops at 150% (1280×720) and 125% (1536×864), and 1024×700 as the floor. Each dialog
is made as the program makes it, on a screen of each size (its free area stood in for), and must
have its contents and its least size within the free area less its frame (app/ui/screen.py).
bench/screenshots.py draws them at these sizes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen

from app.ui.screen import FRAME_HEIGHT, FRAME_WIDTH

TASKBAR = 40
#: (width, height) of each screen, logical pixels
SCREENS = {"1366×768": (1366, 768), "1920×1080 at 150%": (1280, 720), "at 125%": (1536, 864), "floor": (1024, 700)}


def on_screens(monkeypatch, make: Callable[[], object]) -> list[tuple[str, object]]:
    """``make()`` on each screen; the dialogs shown."""
    made = []
    for name, (width, height) in SCREENS.items():
        free = QRect(0, 0, width, height - TASKBAR)
        monkeypatch.setattr(QScreen, "availableGeometry", lambda self, free=free: free)
        dialog = make()
        dialog.show()
        made.append((name, dialog))
    return made


def assert_fits(made) -> None:
    from app.ui.qt import QApplication

    QApplication.processEvents()
    for name, dialog in made:
        width, height = SCREENS[name]
        room = (width - FRAME_WIDTH, height - TASKBAR - FRAME_HEIGHT)
        least = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
        for what, size in (("size", dialog.size()), ("least size", least)):
            assert size.width() <= room[0] and size.height() <= room[1], (
                f"{type(dialog).__name__} on {name}: {what} {size.width()}×{size.height()} > {room[0]}×{room[1]}"
            )
        dialog.close()


@pytest.fixture
def session(store, demo_round, actor):
    from app.services.session import RoundSession

    return RoundSession(store, actor, demo_round)


def test_import_preview_fits(qtbot, monkeypatch, store, demo_round, actor, tmp_path):
    """It asked for 1100 px: on a 1024 px screen its right edge, with 取消, was off the screen."""
    from app.exchange.export import export_package
    from app.exchange.merge import plan_import
    from app.exchange.verify import open_package
    from app.ui.exchange_dialogs import ImportDialog

    package = open_package(export_package(store, demo_round, tmp_path / "p.zip", attachments=False).path)
    plan = plan_import(store, package)
    assert_fits(on_screens(monkeypatch, lambda: ImportDialog(store, actor, plan)))


def test_help_fits(qtbot, monkeypatch):
    """640 px high and a title bar did not fit 1024×700 less the task bar: its 关闭 went under it."""
    from app.ui.help_dialog import HelpDialog

    assert_fits(on_screens(monkeypatch, HelpDialog))


def test_history_and_board_dialogs_fit(qtbot, monkeypatch, session):
    from app.ui.evidence import EvidenceDialog
    from app.ui.history_dialog import HistoryDialog
    from app.ui.rectification_board import RecheckDialog

    entry = session.rectifications()[0]
    for make in (
        lambda: HistoryDialog(session, entry.rectification.item_id, "核心制度 首诊负责制度 第1条"),
        lambda: RecheckDialog(session, entry),
        lambda: EvidenceDialog(session, entry.id, entry.rectification.problem),
    ):
        assert_fits(on_screens(monkeypatch, make))


def test_round_and_profile_dialogs_fit(qtbot, monkeypatch, store, demo_round, catalog, actor):
    from app.services.profile import get_profile
    from app.services.rounds import load_round
    from app.ui.profile_wizard import ProfileDialog, ProfileWizard
    from app.ui.rounds_page import NewRoundDialog

    profile = get_profile(store)
    for make in (
        lambda: NewRoundDialog(store, catalog, actor),
        lambda: NewRoundDialog(store, catalog, actor, previous=load_round(store, demo_round)),
        lambda: ProfileWizard(store, actor, profile),
        lambda: ProfileDialog(store, actor, profile),
    ):
        assert_fits(on_screens(monkeypatch, make))


def test_exchange_and_backup_dialogs_fit(qtbot, monkeypatch, store, demo_round, catalog, actor, tmp_path):
    from app.ui.backups_dialog import BackupsDialog, DamagedDialog
    from app.ui.exchange_dialogs import AggregateDialog, ExportDialog
    from app.ui.main_window import MainWindow

    window = MainWindow(store, lambda: catalog, actor)
    qtbot.addWidget(window)
    problem = "“自查结果”部分的数据已损坏，无法完整读取。"
    for make in (
        lambda: ExportDialog(store, demo_round),
        AggregateDialog,
        lambda: BackupsDialog(window),
        lambda: DamagedDialog(None, store.path, problem, None, detail="Page 57 is never used"),
    ):
        assert_fits(on_screens(monkeypatch, make))


def test_report_preview_fits_and_shows_whole_lines(qtbot, monkeypatch, store, demo_round, tmp_path):
    """报告预览 asked for 900×700: with its title bar taller than 1366×768 less the task bar, and
    the 整改报告's landscape pages (1123 px) wider than it, each line read by scrolling sideways.
    It is as wide as a page where the screen allows, and draws the pages to the width it has."""
    from app.render import render_report
    from app.ui.pdf_preview import PreviewDialog
    from app.ui.qt import QApplication, QScrollArea

    report = render_report(store, demo_round, "rectification", tmp_path / "整改报告.pdf", today=dt.date(2025, 6, 30))
    made = on_screens(monkeypatch, lambda: PreviewDialog(report.path))
    QApplication.processEvents()
    for name, dialog in made:
        viewport = dialog.findChild(QScrollArea).viewport()
        widest = max(label.width() for label in dialog.page_labels)
        assert widest <= viewport.width(), f"on {name}: a page {widest} px wide in {viewport.width()} px"
        assert not dialog.findChild(QScrollArea).horizontalScrollBar().isVisible()
    on_1536 = dict(made)["at 125%"]
    assert on_1536.page_labels[0].pixmap().width() >= 1120, "at its size where there is room"
    assert_fits(made)


#: an item of each kind in the demo round (bench/screenshots.py draws the same), and the indicator
#: whose counts have the longest names
DEMO_ITEMS = (
    "qyx-core.05.3",
    "qyx-targets-2021.1.1.rate",
    "qyx-core.07.3",
    "qyx-targets-2021.1.2.3",
    "qyx-targets-2021.2.2.rate",
)


@pytest.mark.parametrize(("screen", "font_pt"), [("floor", 11), ("floor", None), ("1920×1080 at 150%", 10.5)])
def test_the_item_panel_never_scrolls_sideways(qtbot, monkeypatch, store, demo_round, catalog, actor, screen, font_pt):
    """On 1024×700 in the 11 pt font of 统信UOS and 麒麟, the grade buttons side by side (A 持续改进
    [1] … 不适用 [0]) were wider than the item panel: it scrolled sideways, and cut off the right-hand
    side of every field under them. Every item, of each kind, shows whole in the panel's width."""
    from app.ui.qt import QApplication, QLabel, QLineEdit

    with _demo_window(qtbot, monkeypatch, store, catalog, actor, demo_round, screen, font_pt) as window:
        panel = window.walkthrough.panel
        for item_id in DEMO_ITEMS:
            window.walkthrough.tree.select(item_id)
            for _ in range(3):  # layouts settle over more than one pass
                QApplication.processEvents()
            assert panel.context is not None and panel.context.item.id == item_id
            scroll = panel.horizontalScrollBar()
            assert scroll.maximum() == 0, f"{item_id}: {scroll.maximum()} px to scroll sideways on {screen}"
            assert panel.widget().width() <= panel.viewport().width()
            # a count's name beside its field (同期VTE风险评估为中、高危的住院患者数) takes two lines
            # at most, not a column of three-character lines
            for field in panel.findChildren(QLineEdit):
                label = next((w for w in panel.findChildren(QLabel) if w.buddy() is field), None)
                if label is not None and label.isVisible():
                    one_line = label.heightForWidth(10_000)
                    lines = 1 + (label.heightForWidth(label.width()) - one_line) / label.fontMetrics().lineSpacing()
                    assert lines < 2.5, f"{item_id}: {label.text()} in {lines:.1f} lines on {screen}"


@pytest.mark.parametrize("font_pt", [None, 11])
def test_a_sampling_items_result_shows_without_scrolling_at_1366_by_768(
    qtbot, monkeypatch, store, demo_round, catalog, actor, font_pt
):
    """Under the records, “抽查 10 份，符合 10 份，符合率 100.0%…达标” was below the panel's fold at
    1366×768 with 基本要求 open, in the 11 pt font of 统信UOS: the result the item comes to is
    now over its records, in view as the item opens (GUI review)."""
    from app.ui.qt import QApplication

    with _demo_window(qtbot, monkeypatch, store, catalog, actor, demo_round, "1366×768", font_pt) as window:
        panel = window.walkthrough.panel
        panel.guidance_toggle.setChecked(True)
        window.walkthrough.tree.select("qyx-core.07.3")
        for _ in range(3):
            QApplication.processEvents()
        summary = panel.editor.summary
        assert "抽查" in summary.text() and summary.isVisible()
        bottom = summary.mapTo(panel.viewport(), summary.rect().bottomLeft()).y()
        assert panel.verticalScrollBar().value() == 0 and bottom <= panel.viewport().height(), bottom


@contextlib.contextmanager
def _demo_window(qtbot, monkeypatch, store, catalog, actor, demo_round, screen: str, font_pt: float | None):
    """The main window on the demo round, filling ``screen`` in the system font of ``font_pt``
    points (None: Qt's default), the font put back after."""
    from app.ui.main_window import MainWindow
    from app.ui.qt import QApplication

    width, height = SCREENS[screen]
    free = QRect(0, 0, width, height - TASKBAR)
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: free)
    font = QApplication.font()
    if font_pt:
        larger = QApplication.font()
        larger.setPointSizeF(font_pt)
        QApplication.setFont(larger)
    try:
        window = MainWindow(store, lambda: catalog, actor)
        qtbot.addWidget(window)
        window.resize(width - FRAME_WIDTH, height - TASKBAR - FRAME_HEIGHT)
        window.show()
        window.open_round(demo_round)
        yield window
    finally:
        QApplication.setFont(font)

"""上报包 in the GUI: export a round, import (preview, conflicts side by side), aggregate many.

The work is done by app.exchange, off the GUI thread; these dialogs only ask and show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.formats import cn_date, cn_local_time, rate_text, size_text
from ..errors import AppError
from ..services.attachments import list_attachments
from ..services.connection import own_connection
from ..services.history import describe, records_apart
from . import dialogs
from .cell_table import read_only
from .date_input import DateInput
from .item_editors import advice_label, plain_label
from .qt import (
    QCheckBox,
    QComboBox,
    QDate,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    to_date,
)
from .screen import fit_to_screen
from .styles import ADVICE_STYLE, ERROR_STYLE
from .tasks import failure_text, run_in_background

if TYPE_CHECKING:
    from ..store import Actor, Store

PACKAGE_FILTER = "上报包 (*.zip)"


def _wrapped(text: str) -> QLabel:
    label = plain_label(text)
    label.setWordWrap(True)
    return label


# --- 导出上报包 ---------------------------------------------------------------------------------


class ExportDialog(QDialog):
    """What goes into the package, with what it weighs, before the file is chosen."""

    def __init__(self, store: Store, round_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ..services.rounds import load_round

        self.store, self.round_id = store, round_id
        self.view = load_round(store, round_id)
        self.result: Any = None
        self.setWindowTitle("导出上报包")
        self.setMinimumSize(640, 320)  # wrapped labels need the room: a minimal height would overlap them
        rows = list_attachments(store, round_id)
        size = sum(a.size for a in rows)
        layout = QVBoxLayout(self)
        layout.addWidget(
            _wrapped(
                f"将“{self.view.profile.name} {self.view.name}”导出为一个上报包（zip）：全部自查数据、修改记录、"
                "自查报告和整改报告（PDF）、自查结果工作簿（Excel），可在其他电脑上校验、导入或汇总。"
            )
        )
        self.attachments = QCheckBox(f"包含附件（{len(rows)} 个，共 {size_text(size)}）(&A)")
        self.attachments.setChecked(True)
        self.attachments.setEnabled(bool(rows))
        layout.addWidget(self.attachments)
        self.patient_ids = QCheckBox("保留抽查记录的病案号原样（仅用于本院各科室之间合并）(&K)")
        layout.addWidget(self.patient_ids)
        self.privacy = _wrapped(
            "默认将病案号替换为本院密钥下的代码：卫生健康委只需要数量，不需要身份（个人信息保护法），"
            "本院仍可凭本数据库对应到原病历。附件按原样打包，可能含有患者信息，上报前请检查。"
        )
        self.privacy.setStyleSheet("color: #555;")
        layout.addWidget(self.privacy)
        from ..exchange.export import entered_numbers_note, no_code_note

        # a department's copy with 病案号 typed here: said while they would go out pseudonymised
        self.entered = advice_label(entered_numbers_note(store, round_id))
        layout.addWidget(self.entered)
        if self.entered.text():
            self.patient_ids.toggled.connect(lambda kept: self.entered.setVisible(not kept))
        self.no_code = advice_label(no_code_note(store, round_id))
        layout.addWidget(self.no_code)
        self.draft = advice_label(
            ""
            if self.view.is_final
            else f"本轮尚未定稿：包中的自查报告和整改报告带“自查稿”水印。正式上报前，请先在“报告 → "
            f"{dialogs.FINAL_ACTION}”中定稿，再导出。"
        )
        layout.addWidget(self.draft)
        self.error = _wrapped("")
        self.error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("导出(&E)…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.job: Any = None

    def export(self) -> None:
        from ..exchange.export import suggested_name

        today = dt.date.today()
        suggested = suggested_name(self.store, self.round_id, today)
        path = dialogs.save_file(self, "保存上报包", suggested, PACKAGE_FILTER)
        if not path:
            return
        out = Path(path if path.lower().endswith(".zip") else path + ".zip")
        db_path, round_id = self.store.path, self.round_id
        attachments, patient_ids = self.attachments.isChecked(), self.patient_ids.isChecked()

        def work(progress: Callable[[int, int, str], None]) -> Any:
            from ..exchange.export import export_package

            with own_connection(db_path) as store:  # the GUI's connection stays on the GUI thread
                return export_package(
                    store,
                    round_id,
                    out,
                    attachments=attachments,
                    patient_ids=patient_ids,
                    today=today,
                    progress=progress,
                )

        def done(result: Any) -> None:
            self.result = result
            self.accept()
            note = "病案号保留原样" if result.patient_ids else "病案号已替换为代码"
            warnings = "".join(f"\n\n注意：{w}" for w in result.warnings)  # a picture the reports could not show
            if dialogs.confirm(
                self.parentWidget(),
                f"已导出上报包：\n{result.path}\n\n{size_text(result.size)}，{note}。请原样发送这个 zip 文件："
                f"解压后再压缩的包，接收方校验时无法通过。{warnings}\n\n打开所在文件夹吗？",
            ):
                dialogs.open_in_viewer(result.path.parent)

        def failed(exc: Exception) -> None:
            self.error.setText(f"导出失败：{failure_text(exc)}")
            self.export_button.setEnabled(True)

        self.export_button.setEnabled(False)
        self.job = run_in_background(self, "正在导出上报包……", work, done, failed, reports_progress=True)


# --- 导入上报包 ---------------------------------------------------------------------------------


#: warnings shown as lines in the import preview; more go into a box that scrolls
_WARNING_LINES = 4


class ImportDialog(QDialog):
    """导入预览: what the package holds, what will change, and each conflict side by side."""

    def __init__(self, store: Store, actor: Actor, plan: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor, self.plan = store, actor, plan
        self.result: Any = None
        self.setWindowTitle("导入上报包")
        fit_to_screen(self, 1100, 620)
        counts = plan.counts()
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(plan.package.source_text()))
        self.summary = _wrapped(_plan_text(plan, counts))
        layout.addWidget(self.summary)
        self._add_warnings(layout, plan.warnings)
        self._build_conflicts_table()
        self._add_conflicts(layout)
        self.error = _wrapped("")
        self.error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.error)
        layout.addWidget(self._build_buttons(counts))
        self.backup_job: Any = None  # the backup before the import, under way

    def _add_warnings(self, layout: QVBoxLayout, warnings: list[str]) -> None:
        """Every warning of the plan: a few as lines, more in a box of their own that scrolls (the
        first five only, as before, dropped the rest without a word)."""
        if len(warnings) <= _WARNING_LINES:
            for warning in warnings:
                note = _wrapped(f"注意：{warning}")
                note.setStyleSheet(ADVICE_STYLE)
                layout.addWidget(note)
            return
        title = _wrapped(f"注意（{len(warnings)} 条）：")
        title.setStyleSheet(ADVICE_STYLE)
        layout.addWidget(title)
        box = QPlainTextEdit("\n".join(f"{n}．{warning}" for n, warning in enumerate(warnings, 1)))
        box.setReadOnly(True)
        box.setStyleSheet(ADVICE_STYLE)
        if self.plan.conflicts:  # the conflicts need the room
            box.setMaximumHeight(self.fontMetrics().lineSpacing() * 6)
        layout.addWidget(box, 0 if self.plan.conflicts else 10)  # (the stretch after takes a little)

    def _build_conflicts_table(self) -> None:
        """One row per conflicting part of a record (a field, or fields that go together), both
        sides and who changed them, with a local/package choice; the record, what was merged
        without asking and who changed it span the record's rows."""
        self.table = QTableWidget(0, 6, self)  # the dialog's own even when not shown (no conflicts)
        self.table.setHorizontalHeaderLabels(
            ["记录", "内容", "本机", "上报包", "修改人与时间（本机 / 上报包）", "采用"]
        )
        read_only(self.table)  # Tab goes on to the 采用 choices
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col, mode in enumerate(
            [
                QHeaderView.ResizeMode.Fixed,  # set below: Qt sizes a column to contents without its spanned cells
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.Stretch,
                QHeaderView.ResizeMode.ResizeToContents,
                QHeaderView.ResizeMode.ResizeToContents,
            ]
        ):
            header.setSectionResizeMode(col, mode)
        metrics = self.table.fontMetrics()
        self.table.setColumnWidth(0, max(metrics.horizontalAdvance(t) for t in ("记录", "自查结果", "抽查记录")) + 16)
        self.choices: dict[str, QComboBox] = {}
        self._spans: list[tuple[int, int]] = []  # (first row, rows) of each record over several rows
        for conflict in self.plan.conflicts:
            self._add_conflict_row(conflict)
        self._fit_rows()
        # the text wraps anew when a column's width changes; the header reports the change before
        # it holds the new width, so the rows are fitted once the change is done
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_rows)
        header.sectionResized.connect(lambda *_: self._refit.start())

    def _fit_rows(self) -> None:
        """Rows as tall as their text at the columns' widths. Qt leaves spanned cells out of a
        row's height, so a record over several rows gets what its text needs on its last row."""
        self.table.resizeRowsToContents()
        metrics = self.table.fontMetrics()
        for first, count in self._spans:
            cells = [(col, self.table.item(first, col)) for col in (1, 4)]
            need = max(
                metrics.boundingRect(
                    0, 0, max(self.table.columnWidth(col) - 12, 40), 100_000, Qt.TextFlag.TextWordWrap, item.text()
                ).height()
                + 12
                for col, item in cells
                if item is not None
            )
            have = sum(self.table.rowHeight(r) for r in range(first, first + count))
            if need > have:
                last = first + count - 1
                self.table.setRowHeight(last, self.table.rowHeight(last) + need - have)

    def _add_conflict_row(self, conflict: Any) -> None:
        first = self.table.rowCount()
        record = [
            (0, conflict.to_dict()["what"]),
            (1, _record_text(conflict)),
            (
                4,
                f"{conflict.local.author or '—'} {cn_local_time(conflict.local.updated_at)}\n"
                f"{conflict.package.author or '—'} {cn_local_time(conflict.package.updated_at)}",
            ),
        ]
        for n, part in enumerate(conflict.parts):
            row = first + n
            self.table.insertRow(row)
            cells = [
                (2, _values_text(conflict, part, conflict.local)),
                (3, _values_text(conflict, part, conflict.package)),
            ]
            for col, text in [*(record if n == 0 else []), *cells]:
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
            self.table.setCellWidget(row, 5, self._choice(conflict.part_key(part)))
        if len(conflict.parts) > 1:
            self._spans.append((first, len(conflict.parts)))
            for col, _ in record:
                self.table.setSpan(first, col, len(conflict.parts), 1)

    def _choice(self, key: str) -> QWidget:
        """本机的值 / 上报包的值 for one part, centred like the text beside it (not stretched to the row)."""
        choice = QComboBox()
        choice.addItem("本机的值", "local")
        choice.addItem("上报包的值", "package")
        self.choices[key] = choice
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(2, 2, 2, 2)
        column.addStretch(1)
        column.addWidget(choice)
        column.addStretch(1)
        return cell

    def _add_conflicts(self, layout: QVBoxLayout) -> None:
        """The table with its explanation and the choose-all buttons; nothing when there are none."""
        if not self.plan.conflicts:
            self.table.hide()
            layout.addStretch(1)
            return
        layout.addWidget(
            _wrapped(
                "以下内容在本机和上报包中被改成了不同的值，请逐项选择采用哪一方的值（默认保留本机的值）；"
                "同一条记录中只有一方改过的内容已自动合并，写在“内容”一栏中："
            )
        )
        layout.addWidget(self.table, 1)
        bulk = QHBoxLayout()
        for text, value in (("全部采用本机的值(&L)", "local"), ("全部采用上报包的值(&P)", "package")):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, v=value: self.choose_all(v))
            bulk.addWidget(button)
        bulk.addStretch(1)
        layout.addLayout(bulk)

    def _build_buttons(self, counts: dict[str, int]) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        # a package that changes nothing can only be looked at: 关闭, not 取消
        nothing = counts["added"] + counts["updated"] + counts["conflicts"] == 0
        self.import_button = buttons.addButton("导入(&M)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(not nothing)
        buttons.addButton("关闭" if nothing else "取消", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        return buttons

    def choose_all(self, value: str) -> None:
        for combo in self.choices.values():
            combo.setCurrentIndex(combo.findData(value))

    def resolutions(self) -> dict[str, str]:
        return {key: combo.currentData() for key, combo in self.choices.items()}

    def apply(self) -> None:
        """导入: the backup of a database with something to lose first, in the background (two
        years with their scans are 850 MB: seconds, which froze the window), then the import."""
        from ..exchange.merge import backup_first

        if not backup_first(self.store, self.plan):
            self._apply()
            return
        db_path = self.store.path

        def work() -> Any:
            from ..services.backups import backup_before

            with own_connection(db_path) as own:  # reads only (WAL): the window's connection writes
                return backup_before(own.conn, db_path, "导入前")

        def failed(exc: Exception) -> None:
            self.backup_job = None
            self.import_button.setEnabled(True)
            self.error.setText(f"导入失败，未作任何修改：{failure_text(exc)}")

        def done(_backup: Any) -> None:
            self.backup_job = None
            self.import_button.setEnabled(True)
            self._apply(backed_up=True)

        self.import_button.setEnabled(False)
        self.backup_job = run_in_background(self, "正在备份数据库（导入前）……", work, done, failed)

    def _apply(self, *, backed_up: bool = False) -> None:
        from ..exchange.merge import apply_import

        try:
            self.result = apply_import(self.store, self.plan, self.actor, self.resolutions(), backed_up=backed_up)
        except AppError as err:
            self.error.setText(f"导入失败，未作任何修改：{err}")
            return
        self.accept()


def _record_text(conflict: Any) -> str:
    """The record in conflict, and what of it is merged without asking."""
    lines = [conflict.label]
    if merged := conflict.merged_lines():
        lines.append("只有一方改过、已自动合并：")
        lines += [f"　{line}" for line in merged]
    if not conflict.ancestor:
        lines.append("两边各自填写，没有共同的来源：不同之处逐项列出")
    return "\n".join(lines)


def _values_text(conflict: Any, part: Any, side: Any) -> str:
    from ..domain.labels import FIELD_LABELS

    def text(f: str) -> str:
        if f == "records":  # which records differ, not only how many
            mine, other = records_apart(conflict.local.values.get(f), conflict.package.values.get(f))
            return mine if side is conflict.local else other
        return describe(f, side.values.get(f))

    return "\n".join(f"{FIELD_LABELS.get(f, f)}：{text(f)}" for f in conflict.differing(part))


def _plan_text(plan: Any, counts: dict[str, int]) -> str:
    """What the import will do to this database, before the user commits to it."""
    target = "新增一轮自查" if plan.new_round else "合并到本机已有的同一轮"
    merged = f"（其中 {counts['merged']} 条合并了两边各自修改的内容）" if counts.get("merged") else ""
    return (
        f"{target}：新增 {counts['added']} 条记录，更新 {counts['updated']} 条{merged}，未变 {counts['unchanged']} 条，"
        f"冲突 {counts['conflicts']} 条。"
        + ("\n（来自其他医院：本数据库将用于汇总多家医院。）" if plan.other_hospital else "")
        + (f"\n{nothing_new}" if (nothing_new := plan.nothing_new_text()) else "")
    )


#: the buttons of other_hospital_question, named by what they do
MULTI_HOSPITAL_YES = "用于汇总多家医院，导入"
MULTI_HOSPITAL_NO = "不导入"


def other_hospital_question(theirs: str, ours: str) -> str:
    """Asked before another hospital's package is imported (nothing is imported yet)."""
    return (
        f"上报包属于“{theirs}”，本数据库是“{ours}”的。\n\n"
        "本数据库是否用于汇总多家医院（如医共体牵头医院）？\n\n"
        f"点“{MULTI_HOSPITAL_YES}”：导入该医院的这一轮自查（保留其医院信息，本院的信息不变），"
        "今后可直接导入其他医院的上报包。\n"
        f"点“{MULTI_HOSPITAL_NO}”：什么也不改，本数据库仍只有本院的自查。"
    )


def import_package(parent: QWidget, store: Store, actor: Actor, on_done: Callable[[Any], None]) -> Any:
    """Choose a package, verify it off the GUI thread, preview, merge: the 导入上报包 command.
    Returns the verification job (None when no file was chosen); the caller keeps it."""
    paths = dialogs.open_files(parent, "选择上报包", PACKAGE_FILTER)
    if not paths:
        return None
    path = Path(paths[0])

    def work() -> Any:
        from ..exchange.verify import open_package

        return open_package(path)

    def verified(package: Any) -> None:
        from ..exchange.merge import OtherHospital, plan_import

        try:
            try:
                plan = plan_import(store, package)
            except OtherHospital as err:
                question = other_hospital_question(err.theirs, err.ours)
                if not dialogs.confirm(parent, question, MULTI_HOSPITAL_YES, MULTI_HOSPITAL_NO):
                    return
                plan = plan_import(store, package, allow_other_hospital=True)
        except AppError as err:
            dialogs.error(parent, f"无法导入：{err}")
            return
        dialog = ImportDialog(store, actor, plan, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.result is not None:
            on_done(dialog.result)

    def failed(exc: Exception) -> None:
        dialogs.error(parent, f"上报包未通过校验，未导入：{failure_text(exc)}")

    return run_in_background(parent, "正在校验上报包……", work, verified, failed)


# --- 汇总 --------------------------------------------------------------------------------------


class AggregateDialog(QDialog):
    """汇总多家医院: packages or folders in, a workbook (and optionally SQLite and a PDF) out."""

    def __init__(self, parent: QWidget | None = None, store: Store | None = None) -> None:
        super().__init__(parent)
        self.store = store  # where the 汇总单位 is kept; None: typed each time
        self.setWindowTitle("汇总多家医院的上报包")
        fit_to_screen(self, 900, 560)
        self.result: Any = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            _wrapped(
                "加入各医院的上报包（或存放上报包的文件夹）。每个包先校验，未通过的列出原因，其余照常汇总；"
                "同一轮自查上报了多次的，只计最新的一次。"
            )
        )
        self.sources = QListWidget()
        layout.addWidget(self.sources, 1)
        row = QHBoxLayout()
        for text, slot in (
            ("添加上报包(&F)…", self.add_files),
            ("添加文件夹(&D)…", self.add_folder),
            ("移除(&R)", self.remove),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.sqlite = QCheckBox("同时生成 SQLite 数据库（可用任何 SQLite 工具查询）(&Q)")
        self.pdf = QCheckBox("同时生成汇总报告 PDF（含统计图）(&P)")
        self.pdf.setChecked(True)
        layout.addWidget(self.sqlite)
        layout.addWidget(self.pdf)
        layout.addLayout(self._date_row())
        layout.addLayout(self._unit_row())
        self.outcome = QTableWidget(0, 4)
        # a refused package is named by its file: nothing in it can be trusted to say whose it is
        self.outcome.setHorizontalHeaderLabels(["医院（未纳入的为文件名）", "轮次", "得分率", "说明"])
        read_only(self.outcome)
        self.outcome.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.outcome.verticalHeader().setVisible(False)
        # each 说明 whole, wrapped: a refusal's last words say what to do (请报送单位重新发送)
        self.outcome.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.outcome.hide()
        # once shown, the outcome (30 hospitals and more) takes most of the height: the list of
        # sources is a folder or two
        layout.addWidget(self.outcome, 4)
        self.status = _wrapped("")
        layout.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.run_button = buttons.addButton("汇总(&G)…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.job: Any = None

    def _date_row(self) -> QHBoxLayout:
        """汇总日期, as ``main.py aggregate --date`` takes it: the day 逾期 is told on, and the
        report's date. Today each time the dialog opens: a date kept from last month's summary
        would count this month's overdue rectifications as still under way."""
        today = dt.date.today()
        self.date = DateInput(QDate(today.year, today.month, today.day))  # 2025-07-15 typed as shown
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        label = QLabel("汇总日期(&T)：")
        label.setBuddy(self.date)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.date)
        row.addWidget(_wrapped("整改项是否逾期按这一天判断，汇总报告每页写明这一天。"), 1)
        return row

    def _unit_row(self) -> QHBoxLayout:
        """汇总单位, as ``main.py aggregate --unit`` takes it: above the report's title and in
        every page's header; kept for the next summary."""
        from ..exchange.aggregate import UNIT_MAX
        from ..services.summaries import summary_unit

        self.unit = QLineEdit(summary_unit(self.store) if self.store else "")
        self.unit.setMaxLength(UNIT_MAX)
        self.unit.editingFinished.connect(self._remember_unit)  # kept as typed, whether or not a summary follows
        self.unit.setPlaceholderText("如：洛阳市卫生健康委员会")
        label = QLabel("汇总单位(&U)：")
        label.setBuddy(self.unit)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.unit, 1)
        row.addWidget(_wrapped("印在汇总报告标题上方和每页页眉、工作簿页眉；可不填。"), 1)
        return row

    def day(self) -> dt.date:
        return to_date(self.date.date())

    def paths(self) -> list[Path]:
        return [Path(self.sources.item(n).text()) for n in range(self.sources.count())]

    def add_files(self) -> None:
        for path in dialogs.open_files(self, "选择上报包", PACKAGE_FILTER):
            self.sources.addItem(path)

    def add_folder(self) -> None:
        folder = dialogs.choose_folder(self, "选择存放上报包的文件夹")
        if folder:
            self.sources.addItem(folder)

    def remove(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))

    def _outputs(self, day: dt.date) -> tuple[Path, Path | None, Path | None] | None:
        """The workbook the user saves as and the files named after it; None when the user
        cancels, or an output would replace one of the program's databases."""
        from ..exchange.aggregate import refuse_to_replace_data

        path = dialogs.save_file(self, "保存汇总工作簿", f"医疗质量自查汇总_{day:%Y%m%d}.xlsx", "Excel 工作簿 (*.xlsx)")
        if not path:
            return None
        xlsx = Path(path if path.lower().endswith(".xlsx") else path + ".xlsx")
        sqlite = xlsx.with_suffix(".db") if self.sqlite.isChecked() else None
        pdf = xlsx.with_name(xlsx.stem + "_汇总报告.pdf") if self.pdf.isChecked() else None
        try:
            refuse_to_replace_data(xlsx, sqlite, pdf)
        except AppError as err:
            dialogs.error(self, str(err))
            return None
        # the save dialog asked about the workbook only: the files named after it are asked about here
        existing = [p for p in (sqlite, pdf) if p is not None and p.exists()]
        if existing and not dialogs.confirm(
            self, "以下文件已存在，将被覆盖：\n" + "\n".join(str(p) for p in existing) + "\n\n继续吗？"
        ):
            return None
        return xlsx, sqlite, pdf

    def run(self) -> None:
        paths = self.paths()
        if not paths:
            self.status.setText("请先添加上报包或文件夹。")
            return
        if problem := self.date.problem("汇总日期"):
            self.status.setText(problem)
            self.date.setFocus()
            return
        day = self.day()
        if day > dt.date.today() and not dialogs.confirm(
            self,
            f"汇总日期 {cn_date(day)} 晚于今天：期限在今天之后、这一天之前的整改项将按逾期统计，"
            "汇总报告也写这一天。\n\n仍按这一天汇总吗？",
        ):
            self.date.setFocus()
            return
        if (outputs := self._outputs(day)) is None:
            return
        xlsx, sqlite, pdf = outputs
        unit = self.unit.text()
        self._remember_unit()

        def work() -> Any:
            from ..exchange.aggregate import aggregate, write_outputs

            result = aggregate(paths, day, unit=unit)
            if result.rounds:
                write_outputs(result, xlsx=xlsx, sqlite=sqlite, pdf=pdf)
            return result

        def done(result: Any) -> None:
            self.result = result
            self.show_result(result, [p for p in (xlsx, sqlite, pdf) if p])

        def failed(exc: Exception) -> None:
            self.status.setText(f"汇总失败：{failure_text(exc)}")
            self.status.setStyleSheet(ERROR_STYLE)

        self.status.setStyleSheet("")
        self.job = run_in_background(self, "正在校验并汇总上报包……", work, done, failed)

    def _remember_unit(self) -> None:
        if self.store is None:
            return
        from ..exchange.aggregate import clean_unit
        from ..services.summaries import remember_summary_unit

        try:
            unit = clean_unit(self.unit.text())
        except AppError:
            return  # longer than the field takes: the summary says so
        if not remember_summary_unit(self.store, unit):
            self.status.setText("汇总单位未能保存（数据库只读或正忙），本次汇总仍会使用；下次打开时需要重新填写。")

    def show_result(self, result: Any, outputs: list[Path]) -> None:
        self.outcome.setRowCount(0)
        # the packages to ask for again, or to know about, first: below 30 hospitals' rounds they
        # were out of sight, and the line under the list did not count those not counted
        rows = [(result.name(b.path), "", "", f"未纳入：{b.reason}") for b in result.refused]
        # a package not counted is still a hospital's round: named as one, the file in the reason
        rows += [
            (s.hospital, s.round_name, "", f"未计入“{result.name(s.path)}”：{result.superseded_reason(s)}")
            for s in result.superseded
        ]
        rows += [
            (
                r.hospital,
                r.round_name,
                rate_text(r.score),
                f"完成 {r.answered}/{r.applicable}，不符合 {r.failing}，整改项 {len(r.rectifications)}",
            )
            for r in result.rounds
        ]
        for values in rows:
            row = self.outcome.rowCount()
            self.outcome.insertRow(row)
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if text.startswith("未纳入"):
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.outcome.setItem(row, col, item)
        self.outcome.resizeColumnsToContents()
        self.outcome.show()
        if result.rounds:
            saved = "、".join(str(p) for p in outputs)
            problems = [f"{len(result.refused)} 个上报包未通过校验"] if result.refused else []
            if result.superseded:
                problems.append(f"{len(result.superseded)} 个因重复或有更新的导出未计入")
            listed = f"（{'，'.join(problems)}，列在最前）" if problems else ""
            self.status.setText(
                f"已汇总 {len(result.hospitals)} 家医院的 {len(result.rounds)} 轮自查{listed}，"
                f"整改状态按 {cn_date(result.today)} 判断。已保存：{saved}"
            )
        elif result.refused or result.superseded:
            self.status.setText(f"没有可汇总的上报包：读取的 {result.read} 个均未纳入，原因见上表。")
        else:  # nothing checked: an empty folder, or one of other files (commission review)
            self.status.setText("所选的文件夹中没有上报包（.zip 文件），请检查选择的位置。")

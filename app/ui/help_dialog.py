"""帮助 → 快捷键: every keyboard shortcut of the program in one table, grouped by where it acts.

tests/test_ui_help.py checks that every shortcut of the menus is listed here.
"""

from __future__ import annotations

from html import escape

from .qt import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget
from .screen import fit_to_screen

#: (where, [(keys, what they do)])
SHORTCUTS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "逐条自查",
        [
            (
                "1 / 2 / 3 / 4",
                "评定等级（A 持续改进 / B 有监管 / C 有制度有落实 / D 不符合）；评定后自动跳到下一个未填条目"
                "（D 而问题描述未填时，光标转到问题描述，写好后按 F3）",
            ),
            ("0", "不适用（须填写原因）"),
            ("F3", "下一个未填条目"),
            ("Ctrl+↓ / Ctrl+↑", "下一个 / 上一个条目"),
            ("↑ / ↓（在条目树中）", "逐条浏览"),
            ("Tab / Shift+Tab", "在输入框之间移动"),
            ("Ctrl+F", "搜索条目"),
            ("Enter（在搜索框中）", "转到找到的条目（条目树中），数字键即可评定"),
            ("Insert 或 Ctrl+Enter（抽查表格中）", "添加一条抽查记录"),
            ("Ctrl+Delete（抽查表格中）", "删除所选抽查记录"),
        ],
    ),
    (
        "表格（整改台账、抽查记录）",
        [
            ("Tab / Shift+Tab", "走过可填写的单元格，最后一格之后离开表格"),
            ("直接输入、F2 或双击", "修改单元格；Enter 保存，Esc 放弃修改"),
            ("Alt+Enter（整改台账中）", "在问题描述、原因分析、整改措施单元格内换行"),
            ("Delete（整改台账中）", "删除所选整改项（先询问）"),
        ],
    ),
    (
        "概览",
        [
            ("Tab / Shift+Tab", "在可点击的图表之间移动"),
            ("↑ / ↓、Home / End（在图表中）", "选择条形"),
            ("Enter 或空格", "按所选条形转到逐条自查中的条目或整改台账"),
        ],
    ),
    (
        "轮次列表",
        [
            ("Enter", "打开所选轮次"),
            ("F2", "重命名所选轮次"),
            ("Delete", "删除所选轮次（先询问）"),
        ],
    ),
    (
        "任何时候",
        [
            ("Enter 或空格（在按钮上）", "按下用 Tab 选中的按钮"),
            ("Ctrl+Z / Ctrl+Y", "撤销 / 重做（评价和整改台账中的修改）"),
            ("Ctrl+H", "本条目的修改记录"),
            ("Ctrl+N", "新建自查轮次"),
            ("Ctrl+L", "返回轮次列表"),
            ("Ctrl+T", "整改台账（在轮次列表中：打开所选轮次的）"),
            ("Ctrl+Tab / Ctrl+Shift+Tab", "在逐条自查、整改台账、概览之间切换（表格中也可）"),
            ("Ctrl+P", "生成自查报告 PDF（在轮次列表中：所选轮次的）"),
            ("Ctrl+E", "导出上报包"),
            ("Ctrl+Q", "退出"),
            ("F1", "本帮助（全部操作步骤见“帮助 → 使用说明”）"),
        ],
    ),
]


def shortcuts_html() -> str:
    parts = ["<h3>键盘操作</h3>"]
    for where, rows in SHORTCUTS:
        parts.append(f"<h4>{escape(where)}</h4><table cellpadding='3'>")
        parts.extend(f"<tr><td width='240'><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in rows)
        parts.append("</table>")
    parts.append("<p>所有修改立即自动保存，状态栏显示“已保存”。</p>")
    return "".join(parts)


class HelpDialog(QDialog):
    """帮助 → 快捷键, or any other page of help (使用说明) given as ``html``."""

    def __init__(self, parent: QWidget | None = None, title: str = "快捷键", html: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.browser = QTextBrowser()
        self.browser.setHtml(shortcuts_html() if html is None else html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        fit_to_screen(self, 720, 640)  # scrolled on a lower screen (1024×700)

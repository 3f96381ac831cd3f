"""帮助 → 快捷键: every keyboard shortcut of the program in one table."""

from __future__ import annotations

from .qt import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

SHORTCUTS = [
    ("1 / 2 / 3 / 4", "评定等级（A 持续改进 / B 有监管 / C 有制度有落实 / D 不符合）；评定后自动跳到下一个未填条目"),
    ("0", "不适用（须填写原因）"),
    ("F3", "下一个未填条目"),
    ("Ctrl+↓ / Ctrl+↑", "下一个 / 上一个条目"),
    ("↑ / ↓（在条目树中）", "逐条浏览"),
    ("Tab / Shift+Tab", "在输入框之间移动；在整改台账和抽查表格中走过可填写的单元格，最后一格之后离开表格"),
    ("Ctrl+F", "搜索条目"),
    ("Ctrl+Z / Ctrl+Y", "撤销 / 重做评价修改"),
    ("Insert 或 Ctrl+Enter（抽查表格中）", "添加一条抽查记录"),
    ("Ctrl+Delete（抽查表格中）", "删除所选抽查记录"),
    ("Ctrl+N", "新建自查轮次"),
    ("Ctrl+T", "整改台账"),
    ("Ctrl+P", "生成自查报告 PDF"),
    ("Ctrl+L", "返回轮次列表"),
    ("F1", "本帮助"),
]


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("快捷键")
        browser = QTextBrowser()
        rows = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in SHORTCUTS)
        browser.setHtml(
            "<h3>键盘操作</h3><table cellpadding='4'>" + rows + "</table>"
            "<p>所有修改立即自动保存，状态栏显示“已保存”。</p>"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
        self.resize(620, 480)

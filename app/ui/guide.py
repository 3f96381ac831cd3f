"""帮助 → 使用说明: the six jobs of a quality office, step by step, with the menus' own words, and
how a 质控中心 adds a checklist of its own.

The installed program carries no README, and nothing on screen said how to print for signing,
hand a round in, or get the data back on a new PC (review of the help and texts, session 13).
Every menu entry and button named here goes through :func:`menu` or :func:`button`, and
tests/test_ui_help.py checks each against the program, so that a renamed entry cannot leave the
guide pointing at nothing.
"""

from __future__ import annotations

from html import escape

from .dialogs import FINAL_ACTION

#: the menu paths and buttons the guide names, as the test checks them
MENU_PATHS: list[tuple[str, ...]] = []
BUTTONS: list[str] = []


def menu(*path: str) -> str:
    """“报告 → 生成自查报告 PDF”: a menu entry, named by the words on screen."""
    MENU_PATHS.append(path)
    return "“" + " → ".join(path) + "”"


def button(label: str) -> str:
    """“记录复查”: a button, named by the words on it."""
    BUTTONS.append(label)
    return f"“{label}”"


#: (job, steps)
GUIDE: list[tuple[str, list[str]]] = [
    (
        "一、填写医院基本情况（只需一次）",
        [
            "第一次打开程序时出现“医院基本情况”向导：填写医院名称、机构代码（统一社会信用代码）、等级、类别、"
            "编制床位，再列出本院的科室（整改项的责任科室从中选择），勾选本院开展的服务（产科、手术、PCI 等）。",
            "程序按这些情况判断哪些条目适用；不适用的条目不计分，并写明原因。",
            f"以后修改：{menu('医院', '医院基本情况')}。已经开始的轮次保持开始时的情况。",
            f"换了新电脑或重新安装：在向导第一页点{button('从备份恢复')}，选择以前的备份文件（见第六部分）。",
        ],
    ),
    (
        "二、开展一轮自查",
        [
            f"{menu('轮次', '新建自查轮次')}（Ctrl+N）：填写轮次名称、自查日期和检查组，勾选检查表"
            "（默认选中千院行的两张）。",
            "左侧是“检查表 → 章节 → 条目”，右侧是当前条目的原文、出处和评价方法。",
            f"到科室现场检查时，可先打印{menu('报告', '生成现场检查记录表 PDF')}：列出本轮适用于本院的条目，"
            "编号与程序中相同，在纸上勾选等级、填写数据和问题，回来后按编号录入。",
            "评价条目：按数字键 1–4 评定 A–D（也可点等级按钮），0 为不适用（须写明原因）；"
            "评定后自动跳到下一个未填条目；评为 D 时光标转到“问题描述”，写好后按 F3 到下一条。发现问题的，"
            "填写“问题描述”，选择“责任科室”。",
            "指标条目：填写数值，或分子和分母，程序计算结果并与当年的目标值比较。",
            "抽查条目：逐份填写病案号和是否符合（Insert 键添加一行），程序计算符合率。",
            f"佐证材料：{button('添加附件')}可附上照片、扫描件等文件。",
            "每次修改立即自动保存（状态栏显示“已保存”），没有“保存”按钮；关闭程序再打开，回到原来的条目。",
            "窗口上方显示完成进度和得分率；“概览”标签页用图表显示各检查表、各章节的情况和历次自查的变化。",
        ],
    ),
    (
        "三、整改并跟踪到完成",
        [
            "评为 D（不符合）的条目、未达标的指标和抽查，自动生成整改项；评为 C 的，需要整改时在条目下点"
            f"{button('生成整改项')}。",
            f"“整改台账”标签页（{menu('报告', '整改台账')}，Ctrl+T）列出全部整改项：在表格中填写原因分析、整改措施、"
            "责任科室、责任人和整改期限。",
            f"通知各科室整改：{menu('报告', '生成整改通知单 PDF')}，每个责任科室一份，列出该科室未完成的整改项；"
            "科室填写原因分析和整改措施、签字后交回，再录入整改台账。",
            f"整改落实后，选中整改项，点{button('记录复查')}，选择复查结论，填写复查日期、复查人和复查情况；"
            f"{button('佐证材料')}可附上整改的证明文件。",
            f"下一次自查时，在{menu('轮次', '新建自查轮次')}中选择“对照上一轮”："
            "上一轮未完成的整改项转入新的一轮继续跟踪。",
            "打开程序时，窗口上方的提醒列出逾期和 7 天内到期的整改项，以及本月还没有开始的月度自查。",
        ],
    ),
    (
        "四、打印报告，签字盖章",
        [
            f"内容核对无误后先定稿：{menu('报告', FINAL_ACTION)}。没有定稿的报告每页带“自查稿”水印。",
            f"{menu('报告', '生成自查报告 PDF')}（Ctrl+P）或{menu('报告', '生成整改报告 PDF')}，选择保存的位置。",
            f"报告生成后在程序中预览：点{button('打印')}选择打印机、份数和页码范围，不需要另外安装 PDF 阅读器。",
            "自查报告最后是“审核签字”：检查组组长、质控办负责人、院长签字，加盖公章。",
            f"需要 Excel 表格时：{menu('报告', '导出自查结果 Excel')}、{menu('报告', '导出整改台账 Excel')}。",
        ],
    ),
    (
        "五、上报卫生健康委",
        [
            f"{menu('轮次', '导出上报包')}（Ctrl+E）：生成一个 zip 文件，内有全部自查数据、自查报告和整改报告（PDF）、"
            "自查结果工作簿（Excel），可选择是否包含附件。病案号默认替换为代码（上级只需要数量）。",
            "把这个 zip 文件原样拷到 U 盘或上报用的电脑发送。不要解压后再压缩：接收方校验时会发现文件被改动过。",
            f"各科室在自己的电脑上分别填写时：科室导出上报包，质控办用{menu('轮次', '导入上报包')}合并；"
            "合并前先显示将要改动的内容和两边都改过的地方，由您选择保留哪一边。",
            f"收到多家医院的上报包时（卫生健康委、医院集团）：{menu('轮次', '汇总多家医院的上报包')}生成汇总表。",
        ],
    ),
    (
        "六、备份与恢复",
        [
            "程序每天第一次打开时、有修改后关闭时，以及升级、导入和恢复之前，自动备份数据库。",
            f"{menu('文件', '备份与恢复')}：查看备份，{button('立即备份')}；"
            f"{button('备份位置')}可改到 U 盘或另一块硬盘。建议这样做：电脑的硬盘损坏时，放在别处的备份仍然完好。",
            f"恢复：在同一对话框中选中一个备份，点{button('恢复所选备份')}；或点{button('从其他文件恢复')}，"
            "选择 U 盘上的备份文件。恢复之前，当前的数据库会先备份并保留。",
            f"换了新电脑：安装程序后，在第一次出现的向导中点{button('从备份恢复')}。",
            f"怀疑数据有问题时：{menu('帮助', '数据库检查')}。数据库损坏时，程序打开时会说明，并提供最新的完好备份。",
        ],
    ),
    (
        "七、使用自己的检查表（质控中心、医院集团）",
        [
            "检查表是一个文本文件（YAML 格式，UTF-8 编码，扩展名 .yaml）：检查表编号（id）、版本（version）、标题、"
            f"文件依据，以下是章节和条目。{menu('文件', '保存检查表范例')}保存一个每个字段都有中文说明的范例，"
            "用记事本或 WPS 照着改写即可。",
            f"{menu('文件', '导入检查表文件')}：程序先检查文件（格式、编号是否与内置检查表相同等），"
            "有错误时说明在第几行、怎样改正，不导入；没有错误的复制到本机的检查表文件夹，升级程序后仍在。",
            f"导入后，{menu('轮次', '新建自查轮次')}中即可勾选。导入的文件在{menu('文件', '打开检查表文件夹')}中。",
            "修改检查表后请提高版本号再导入，新版本替换旧版本；已开始的轮次仍用开始时的内容，报告不会变。",
            "各医院使用同一张检查表时，把同一个文件发给各医院导入；上报包中带有各轮所用的检查表内容，汇总时不需要另外导入。",
        ],
    ),
]


FOOTER = f"键盘操作见{menu('帮助', '快捷键')}（F1）。"


def guide_html() -> str:
    parts = ["<h3>使用说明</h3><p>自查工作的六件事，按顺序做（第七部分：使用自己的检查表）。所有修改立即自动保存。</p>"]
    for job, steps in GUIDE:
        parts.append(f"<h4>{escape(job)}</h4><ol>")
        parts.extend(f"<li>{escape(step)}</li>" for step in steps)
        parts.append("</ol>")
    parts.append(f"<p>{escape(FOOTER)}</p>")
    return "".join(parts)

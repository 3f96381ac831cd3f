"""Command line (命令行): a thin wrapper over the services, for scripting and batch entry.

Every command accepts ``--db PATH``; without it the database lives in the user data folder.
Errors print a Chinese message on stderr and exit 1; nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from . import APP_NAME, __version__
from .cli_output import print_json
from .errors import AppError

if TYPE_CHECKING:
    from .domain.checklist import Item

Handler = Callable[[argparse.Namespace], int]


def _tolerant_output() -> None:
    """Print what the output's encoding cannot take as ``?``, not as a traceback: Windows writes
    output sent to a file or another program in code page 936 (GBK), and a finding pasted with
    ``kg/m²`` or ``•`` stopped ``rectifications > 台账.txt`` half-way (Windows review)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "") == "strict":
            reconfigure(errors="replace")


def _open(args: argparse.Namespace, create: bool = False, write: bool = False):
    """The database; only ``demo`` creates one, so a mistyped --db leaves no stray file behind (and
    a read command never turns an empty file into a database). A command that writes takes the
    database's lock: while the GUI has it open, the GUI is the one writer."""
    from .paths import default_db_path
    from .store import open_store
    from .store.lock import InstanceLock

    path = Path(args.db) if args.db else default_db_path()
    if not create and not path.exists():
        raise AppError(f"数据库文件“{path}”不存在。请检查 --db 参数，或先用 demo 命令或图形界面创建。")
    lock = InstanceLock(path) if write else None
    try:
        if lock is not None and path.parent.is_dir() and not lock.acquire():
            raise AppError(
                f"数据库“{path}”正在图形界面中打开，为避免两处同时修改，命令行未作任何修改。"
                "请在图形界面中录入，或关闭它后重试。"
            )
    except OSError:
        lock = None  # no lock file can be made here (read-only folder): opening will say so
    if lock is not None:
        args.opened.callback(lock.release)
    store = open_store(path, create=create, allow_empty=create)
    store.instance_lock = lock  # held until the command ends
    args.opened.callback(store.close)
    if getattr(args, "round", None):
        args.round = _round_id(store, args.round)
    return store


def _round_id(store, given: str) -> str:
    """--round: a round's id, or its name as the window lists it (全角/半角, spaces and case
    aside): the window shows no ids, so a round made there could not be named on the command line."""
    from .services.rounds import round_named

    if any(r.id == given for r in store.rounds()):
        return given
    if (named := round_named(store, given)) is not None:
        return named.id
    raise AppError(
        f"找不到自查轮次“{given}”。--round 可以是轮次名称或编号；"
        f"运行 python main.py rounds --db {store.path} 查看各轮的名称和编号。"
    )


def cmd_rounds(args: argparse.Namespace) -> int:
    import dataclasses
    import datetime as dt

    from .domain.formats import NONE_YET, cn_date, percent_text, rate_text
    from .services.rounds import list_rounds

    store = _open(args)
    rounds = list_rounds(store, remember=False)
    if args.json:
        print_json([dataclasses.asdict(r) for r in rounds])
        return 0
    if not rounds:
        print("还没有自查轮次。")
        return 0
    for r in rounds:
        status = "已定稿" if r.status == "final" else "自查稿"
        started = cn_date(dt.date.fromisoformat(r.started_on))
        score = rate_text(r.score) if r.score is not None else NONE_YET
        print(
            f"{r.name}（{started}，{r.year}年度，{status}）完成 {percent_text(r.completion)}  得分率 {score}"
            f"  {'、'.join(r.checklists)}\n    编号：{r.id}"
        )
    return 0


def _actor(args: argparse.Namespace):
    from .paths import current_user, device_id
    from .store import Actor

    return Actor(getattr(args, "author", None) or current_user(), device_id())


def _catalog():
    from .catalog import load_catalog

    return load_catalog()


def cmd_validate(args: argparse.Namespace) -> int:
    from .services.checklists import check_import

    # given files (or folders): each as importing it would check it, among the other checklists
    catalog = check_import([Path(p) for p in args.files]) if args.files else _catalog()
    for problem in catalog.problems:
        print(problem)
    if catalog.problems:
        print(f"共 {len(catalog.problems)} 处错误，{len(catalog.skipped_files)} 个文件未通过校验。", file=sys.stderr)
        return 1
    print(f"全部 {len(catalog.entries)} 个检查表文件校验通过。")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    catalog = _catalog()
    rows = [
        {
            "id": entry.checklist.id,
            "version": entry.checklist.version,
            "title": entry.checklist.title,
            "region": entry.checklist.region,
            "default": entry.checklist.default,
            "sections": sum(1 for _ in entry.checklist.all_sections()),
            "items": sum(1 for _ in entry.checklist.all_items()),
            "origin": entry.origin,
            "file": str(entry.path),
        }
        for entry in catalog.entries
    ]
    if args.json:
        print_json(rows)
    else:
        for r in rows:
            mark = "*" if r["default"] else " "
            print(
                f"{mark} {r['id']:<22} {r['version']:<8} {r['sections']:>3} 节 {r['items']:>4} 条  "
                f"{r['title']}（{r['region']}）" + ("" if r["origin"] == "内置" else f"  [本机导入：{r['file']}]")
            )
    for problem in catalog.problems:
        print(f"已跳过：{problem}", file=sys.stderr)
    return 0


def cmd_import_checklist(args: argparse.Namespace) -> int:
    from .catalog import ChecklistError
    from .services.checklists import import_checklist

    try:
        imported = import_checklist(Path(args.file), _catalog())
    except ChecklistError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        print("未导入：请按上面的说明改好文件后重试。", file=sys.stderr)
        return 1
    print(imported.message)
    return 0


def cmd_checklist_template(args: argparse.Namespace) -> int:
    from .services.checklists import save_template

    out = Path(args.out)
    if out.exists():  # the GUI's save dialog asks; the command line does not overwrite
        raise AppError(f"“{out}”已存在，未覆盖。请换一个文件名。")
    save_template(out)
    print(f"已保存检查表范例：{out}（照其中的说明改写后，用 checklists import 导入）")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from .domain.checklist import item_number
    from .domain.kinds import kind_of

    entry = _catalog().get(args.id)
    if entry is None:
        raise AppError(f"没有编号为“{args.id}”的检查表。可用 checklists list 查看。")
    if args.json:
        print_json(entry.data)
        return 0
    checklist = entry.checklist
    print(f"{checklist.title}（{checklist.source_document}；版本 {checklist.version}；{entry.origin}）")
    for section in checklist.all_sections():
        print(f"\n[{section.id}] {section.title}  {section.source}")
        for item in section.items:
            print(f"  {item_number(item)}  （{kind_of(item).label}）{item.text}")
            for line in _proof_lines(item):  # what an author checks beside the text
                print(f"      {line}")
    return 0


def _proof_lines(item: Item) -> list[str]:
    """An item's rules as a checklist's author proof-reads them: its id, whom it applies to,
    targets by year, the least number of records."""
    from .domain.kinds import kind_of

    words = kind_of(item).target_words
    lines = [f"条目标识 {item.id}"]
    lines += [f"适用：{c.describe()}" for c in item.conditions]
    targets = [f"{year}年 {words(item, year)}" for year in sorted(item.targets)]
    if item.target is not None or item.direction in ("increase", "decrease"):
        # the same every year, or in the years ``targets`` does not name
        every = words(item, max(item.targets, default=dt.date.today().year) + 1)
        targets.append(f"其他年份 {every}" if targets else every)
    if targets:
        lines.append("目标：" + "，".join(targets))
    if item.min_samples:
        lines.append(f"至少抽查 {item.min_samples} 份")
    return lines


def cmd_demo(args: argparse.Namespace) -> int:
    from .paths import default_db_path
    from .services.demo import DEMO_START, create_demo, recent_demo_start

    path = Path(args.db) if args.db else default_db_path()
    start = recent_demo_start(dt.date.today()) if args.recent else DEMO_START
    created = not path.exists() or path.stat().st_size == 0
    try:
        store = _open(args, create=True, write=True)
        try:
            print(
                create_demo(store, _catalog(), _actor(args), seed=args.seed, hospital=args.hospital, started_on=start)
            )
        finally:
            store.close()
    except AppError:
        if created:  # a failed demo (a full disk) leaves no empty or partial database behind
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.lock")):
                leftover.unlink(missing_ok=True)
        raise
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    from .domain.checklist import NOT_APPLICABLE
    from .services.answers import UNSET, record_answer

    store = _open(args, write=True)
    grade = args.grade
    if grade is not None and grade.strip().upper() in ("NA", "不适用"):
        grade = NOT_APPLICABLE

    def given(value):
        return UNSET if value is None else value

    answer = record_answer(
        store,
        args.round,
        args.item,
        _actor(args),
        grade=given(grade),
        na_reason=given(args.na_reason),
        value=given(args.value),
        numerator=given(args.numerator),
        denominator=given(args.denominator),
        baseline=given(args.baseline),
        finding=given(args.finding),
        evidence=given(args.note),
        department=given(args.department),
    )
    print(f"已保存：{answer.item_id}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from .domain.formats import percent_text, rate_text
    from .services.rounds import load_round, score

    store = _open(args)
    view = load_round(store, args.round)
    result = score(store, args.round, view)
    if args.json:
        print_json({"round": {"id": view.id, "name": view.name, "year": view.year}, **result.to_dict()})
        return 0

    def line(label: str, tally, indent: int = 0) -> None:
        print(
            f"{'  ' * indent}{label}  完成 {tally.answered}/{tally.applicable}"
            f"（{percent_text(tally.completion)}）  得分率 {rate_text(tally.score)}  不符合 {tally.failing}"
        )

    print(f"{view.name}（{view.year}年）")
    line("合计", result.tally)
    for c in result.checklists:
        line(c.checklist.title, c.tally, 1)
        stack = [(s, 2) for s in reversed(c.sections)]
        while stack:
            s, depth = stack.pop()
            line(s.section.title, s.tally, depth)
            stack += [(sub, depth + 1) for sub in reversed(s.sections)]
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from .ui.application import run_gui

    return run_gui(sys.argv[:1], Path(args.db) if args.db else None)


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before anything is read or written, an output that would replace the database in
    use or another of this program's databases (``export --out demo.db`` made the user's data a
    zip), or that is not of its kind. ``args.outputs``: option → the suffixes it takes (set by
    each command's parser); no suffixes: any name, but not a file that exists (a backup)."""
    from .paths import default_db_path
    from .store.schema import holds_our_data

    database = Path(args.db) if getattr(args, "db", None) else default_db_path()
    for option, suffixes in getattr(args, "outputs", {}).items():
        value = getattr(args, option, None)
        if not value:
            continue
        path = Path(value)
        if suffixes and path.suffix.lower() not in suffixes:
            raise AppError(f"--{option} 应是 {'、'.join(suffixes)} 文件，而不是“{path.name}”。")
        if not path.exists():
            continue
        if database.exists() and path.samefile(database):
            raise AppError(f"--{option} 指向正在使用的数据库“{path}”，不能覆盖它。请换一个文件名。")
        if holds_our_data(path):
            raise AppError(f"“{path}”是本程序的数据库文件，不会被覆盖。请换一个文件名。")
        if not suffixes:
            raise AppError(f"“{path}”已存在，不会被覆盖。请换一个文件名。")


def _date_arg(args: argparse.Namespace):
    """--date: the day statuses are told on (逾期 depends on it); today by default."""
    import datetime as dt

    from .services.rectifications import parse_date

    return parse_date(args.date, "日期（--date）", "date") or dt.date.today()


def cmd_rectifications(args: argparse.Namespace) -> int:
    from .services.rectifications import list_rectifications, totals
    from .services.rounds import load_round

    store = _open(args)
    today = _date_arg(args)
    view = load_round(store, args.round)
    entries = list_rectifications(store, args.round, today, view)
    counts = totals(entries)
    if args.json:
        print_json(
            {
                "round": {"id": view.id, "name": view.name},
                "date": today.isoformat(),
                "rectifications": [
                    {
                        "id": e.id,
                        "items": list(e.item_ids),
                        "status": e.status,
                        "problem": r.problem,
                        "cause": r.cause,
                        "measure": r.measure,
                        "department": r.department,
                        "owner": r.owner,
                        "deadline": r.deadline.isoformat() if r.deadline else None,
                        "recheck_date": r.recheck_date.isoformat() if r.recheck_date else None,
                        "rechecked_by": r.rechecked_by,
                        "recheck_result": r.recheck_result,
                        "recheck_passed": r.recheck_passed,
                        "origin": r.origin,
                        "carried_from": r.carried_from,
                        "regraded": e.regraded,
                        "refound": e.refound,
                        "recurred": e.recurred,
                        "days_late": e.days_late,
                        "timeline": list(e.timeline),
                        "carried_to": list(e.carried_to),
                        "attachments": e.attachment_count,
                    }
                    for e in entries
                    for r in [e.rectification]
                ],
                "totals": counts.to_dict(),
            }
        )
        return 0
    from .domain.formats import NO_DEPARTMENT, cn_date, status_text
    from .domain.records import listed_statuses
    from .services.rectifications import follow_up_text, ledger_cells
    from .services.rounds import references

    names = references(store, view)
    print(f"{view.name}：整改项 {counts.total} 项（按 {cn_date(today)} 判断状态）")
    for n, e in enumerate(entries, 1):
        r = e.rectification
        deadline = cn_date(r.deadline) if r.deadline else "未定期限"
        print(f"{n:>3}. [{status_text(e.status, e.days_late, '，')}] {ledger_cells(e, names)[0]}")
        print(f"     责任科室：{r.department or NO_DEPARTMENT}  责任人：{r.owner or '—'}  整改期限：{deadline}")
        for label, text in (("问题", r.problem), ("原因", r.cause), ("措施", r.measure), ("复查", follow_up_text(e))):
            if text:
                print(f"     {label}：{text}")
    print("合计：" + "，".join(f"{s} {counts.by_status[s]}" for s in listed_statuses(counts.by_status)))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .render import registry

    registry.format_of(Path(args.out), args.kind)  # a wrong suffix is told before the database is opened
    store = _open(args)
    result = registry.render(store, args.round, args.kind, Path(args.out), today=_date_arg(args))
    for warning in result.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    parts = f"{result.parts} 页" if result.format == "pdf" else f"{result.parts} 个工作表"
    print(f"已生成：{result.path}（{parts}）")
    return 0


#: argparse's own messages (English) → what the user reads
_ARGPARSE_MESSAGES = (
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", "参数 {0} 的取值 {1} 无效，可选：{2}"),
    (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
)


class _Parser(argparse.ArgumentParser):
    """Help and errors in Chinese (argparse's own words are English), errors with exit code 1
    like every other error of the command line. Subcommands' parsers are made of this class too."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")
        self._positionals.title = "参数"
        self._optionals.title = "选项"

    def format_usage(self) -> str:
        return _chinese_usage(super().format_usage())

    def format_help(self) -> str:
        return _chinese_usage(super().format_help())

    def error(self, message: str):
        import re

        for pattern, chinese in _ARGPARSE_MESSAGES:
            if match := re.fullmatch(pattern, message):
                message = chinese.format(*match.groups())
                break
        print(f"错误：{message}\n用法：python {self.prog} --help", file=sys.stderr)
        sys.exit(1)


def _chinese_usage(text: str) -> str:
    return "用法：" + text.removeprefix("usage: ") if text.startswith("usage: ") else text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="main.py", description=f"{APP_NAME}：不带参数运行时打开图形界面。")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    def add(group, name: str, handler: Handler, help_text: str, example: str) -> argparse.ArgumentParser:
        p = group.add_parser(
            name,
            help=help_text,
            description=f"{help_text}\n\n示例：{example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(handler=handler)
        p.add_argument("--db", metavar="PATH", help="数据库文件（默认在用户数据文件夹中）")
        return p

    _add_checklists_commands(sub, add)
    add(sub, "gui", cmd_gui, "打开图形界面（可指定数据库）", "python main.py gui --db demo.db")
    p = add(
        sub,
        "demo",
        cmd_demo,
        "创建演示数据：二级综合县医院及一轮已大部分填写的自查，输出轮次编号",
        "python main.py demo --db demo.db",
    )
    p.add_argument("--author", help="填写人（默认为系统用户名）")
    p.add_argument("--hospital", metavar="NAME", help="演示医院名称（不同名称生成不同的机构代码和床位）")
    p.add_argument(
        "--seed", type=int, default=2025, metavar="N", help="随机种子：不同种子生成不同的评价结果（默认 2025）"
    )
    p.add_argument(
        "--recent",
        action="store_true",
        help="自查日期定在今天之前 107 天（默认为 2025年3月15日），整改期限和复查日期随之移动："
        "今天打开时各整改项的状态与默认演示在 2025年6月30日 时相同（培训用）",
    )
    p = add(
        sub,
        "rounds",
        cmd_rounds,
        "列出数据库中的自查轮次：名称、自查日期、完成率、得分率和编号（--round 可用名称或编号）",
        "python main.py rounds --db demo.db",
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(
        sub,
        "answer",
        cmd_answer,
        "录入一个条目的自查结果（与界面使用同一服务）",
        'python main.py answer --db demo.db --round ID --item qyx-core.01.1 --grade C --finding "未见培训记录"',
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument("--item", required=True, metavar="ITEM_ID", help="条目编号")
    p.add_argument("--grade", metavar="G", help="等级，如 A/B/C/D；NA 或“不适用”表示不适用")
    p.add_argument("--na-reason", metavar="TEXT", help="不适用原因（选择不适用时必填）")
    p.add_argument("--value", metavar="V", help="指标值（直接录入的指标）")
    p.add_argument("--numerator", metavar="N", help="分子（按比率计算的指标）")
    p.add_argument("--denominator", metavar="D", help="分母")
    p.add_argument("--baseline", metavar="V", help="基线值（逐步提高/降低类指标的对照）")
    p.add_argument("--finding", metavar="TEXT", help="问题描述")
    p.add_argument("--note", metavar="TEXT", help="佐证材料说明")
    p.add_argument("--department", metavar="TEXT", help="责任科室")
    p.add_argument("--author", help="填写人（默认为系统用户名）")
    p = add(
        sub,
        "score",
        cmd_score,
        "显示一轮自查的完成率和得分（按检查表、章节）",
        "python main.py score --db demo.db --round ID --json",
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(
        sub,
        "rectifications",
        cmd_rectifications,
        "列出一轮自查的整改项（整改台账）及按状态的统计",
        "python main.py rectifications --db demo.db --round ID --json",
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="按哪一天判断是否逾期（默认今天）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    from .domain.reports import REPORTS

    p = add(
        sub,
        "report",
        cmd_report,
        "生成报告（格式按输出文件的扩展名）：" + "、".join(f"{r.title}（{k}）" for k, r in REPORTS.items()),
        "python main.py report --db demo.db --round ID --kind self --out 自查报告.pdf",
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument(
        "--kind",
        required=True,
        choices=tuple(REPORTS),
        help="；".join(
            f"{k}：{r.title}" + (f"（Excel 为{r.workbook_title}）" if "xlsx" in r.formats else "（仅 PDF）")
            for k, r in REPORTS.items()
        ),
    )
    p.add_argument("--out", required=True, metavar="FILE.pdf|FILE.xlsx", help="输出文件：.pdf 或 .xlsx")
    p.set_defaults(outputs={"out": (".pdf", ".xlsx")})
    p.add_argument("--date", metavar="YYYY-MM-DD", help="报告日期，也是判断逾期的日期（默认今天）")
    from .cli_backup import add_commands as add_backup_commands  # check, backup, backups, restore
    from .cli_exchange import add_commands
    from .cli_samples import add_commands as add_samples_command

    add_samples_command(sub, add)
    add_backup_commands(sub, add)

    add_commands(sub, add)
    return parser


def _add_checklists_commands(sub, add) -> None:
    """checklists validate, import, template, list and show."""
    checklists = sub.add_parser("checklists", help="检查表：校验、导入、列出、查看")
    cl_sub = checklists.add_subparsers(dest="checklists_command", metavar="子命令", required=True)
    p = add(
        cl_sub,
        "validate",
        cmd_validate,
        "校验检查表文件，与导入时的检查相同（不给文件时校验内置和本机导入的检查表）",
        "python main.py checklists validate checklists/qyx-core.yaml",
    )
    p.add_argument("files", nargs="*", metavar="FILE")
    p = add(
        cl_sub,
        "import",
        cmd_import_checklist,
        "导入自己的检查表文件（校验后复制到本机的检查表文件夹，升级程序后仍在；新版本替换旧版本）",
        "python main.py checklists import 洛阳市专项检查表.yaml",
    )
    p.add_argument("file", metavar="FILE.yaml")
    p = add(
        cl_sub,
        "template",
        cmd_checklist_template,
        "保存检查表范例（每个字段都有中文说明），编写自己的检查表时由此开始",
        "python main.py checklists template 我的检查表.yaml",
    )
    p.add_argument("out", metavar="OUT.yaml")
    p = add(
        cl_sub, "list", cmd_list, "列出内置和本机导入的检查表（* 为默认选用）", "python main.py checklists list --json"
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(cl_sub, "show", cmd_show, "显示一张检查表的全部内容", "python main.py checklists show qyx-core --json")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="输出 JSON")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code; callable in-process (the tests do), since it
    neither exits nor leaves a database or lock open behind it."""
    _tolerant_output()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version and wrong arguments: argparse has said why
        return done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    with ExitStack() as args.opened:  # what _open opened, closed when the command ends
        try:
            _check_outputs(args)
            return handler(args)
        except AppError as err:
            from .cli_backup import report_error  # a damaged database: the newest good backup too

            report_error(err, args)
            return 1

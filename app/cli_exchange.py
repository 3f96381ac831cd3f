"""Command line for 上报包 and 汇总: export, verify, import, aggregate (thin, over app.exchange)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cli_output import print_json
from .errors import AppError

Add = Callable[..., argparse.ArgumentParser]


def cmd_export(args: argparse.Namespace) -> int:
    from .cli import _date_arg, _open
    from .domain.formats import size_text
    from .exchange.export import entered_numbers_note, export_package, no_code_note

    store = _open(args)
    result = export_package(
        store,
        args.round,
        Path(args.out),
        attachments=not args.no_attachments,
        patient_ids=args.with_patient_ids,
        today=_date_arg(args),
    )
    entered = "" if args.with_patient_ids else entered_numbers_note(store, args.round, "请加 --with-patient-ids 导出")
    for warning in [*result.warnings, no_code_note(store, args.round), entered]:
        if warning:
            print(f"注意：{warning}", file=sys.stderr)
    ids = "病案号保留原样" if result.patient_ids else "病案号已脱敏（替换为本院密钥下的代码）"
    print(
        f"已导出：{result.path}（{size_text(result.size)}，{result.files} 个文件，附件 {result.attachments} 个，"
        f"{ids}，用时 {result.seconds:.1f} 秒）"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from .domain.formats import cn_local_time
    from .exchange.verify import PackageError, open_package

    try:
        package = open_package(Path(args.file))
    except PackageError as err:
        if args.json:
            print_json({"ok": False, "path": args.file, "reason": err.user_message})
        else:
            print(f"校验未通过：{err.user_message}", file=sys.stderr)
        return 1
    summary = package.summary()
    if args.json:
        print_json({"ok": True, "path": args.file, "reason": None, **summary})
    else:
        h, r = summary["hospital"], summary["round"]
        print(
            f"校验通过：{h['name']}（{h['code'] or '无机构代码'}）{r['name']}，{summary['files']} 个文件，"
            f"格式版本 {summary['format_version']}，导出于 {cn_local_time(summary['created_at'])}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .exchange.merge import OtherHospital
    from .exchange.verify import open_package

    package = open_package(Path(args.file))  # before the database is touched
    try:
        return _import(args, package)
    except OtherHospital as err:
        raise AppError(f"{err}若本数据库用于汇总多家医院（如医共体牵头医院），请加 --multi-hospital 再导入。") from None


def _import(args: argparse.Namespace, package: Any) -> int:
    from .cli import _actor, _open
    from .exchange.merge import apply_import, plan_import

    if args.dry_run and args.db and not Path(args.db).exists():
        import tempfile

        from .store import open_store

        # a dry run into a database not yet made: compare with an empty one, leave no file behind
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(Path(folder) / "empty.db")
            plan = plan_import(store, package, allow_other_hospital=args.multi_hospital)
            store.close()
    else:  # the window's lock too: an import under an open window was overwritten by its next edit
        store = _open(args, create=True, write=not args.dry_run)
        plan = plan_import(store, package, allow_other_hospital=args.multi_hospital)
    if args.dry_run:
        output: dict[str, Any] = {
            **plan.counts(),
            "conflicts": [c.to_dict() for c in plan.conflicts],
            "warnings": plan.warnings,
            "nothing_new": plan.nothing_new_text(),
            "dry_run": True,
        }
        summary = (
            f"将导入“{package.hospital_name} {package.round_name}”：新增 {output['added']}，更新 {output['updated']}，"
            f"未变 {output['unchanged']}，冲突 {len(output['conflicts'])}（试运行，未写入）"
        )
    else:
        result = apply_import(store, plan, _actor(args))
        output = {**result.to_dict(), "nothing_new": plan.nothing_new_text(), "dry_run": False}
        done = "" if output["nothing_new"] else "已导入"  # not “已导入” above “没有需要导入的内容”
        summary = f"{done}“{package.hospital_name} {package.round_name}”：{result.text()}"
    if args.json:
        print_json({"ok": True, **output})
        return 0
    print(package.source_text())
    print(summary)
    if output["nothing_new"]:
        print(output["nothing_new"])
    for conflict in output["conflicts"]:
        _print_conflict(conflict)
    for warning in output["warnings"]:
        print(f"注意：{warning}", file=sys.stderr)
    return 0


def _print_conflict(conflict: dict[str, Any]) -> None:
    """A conflict's differing fields side by side, and what of the record was merged without asking."""
    from .domain.formats import cn_local_time
    from .domain.labels import FIELD_LABELS
    from .exchange.merge import SETTLED_TEXT, UNRESOLVED
    from .services.history import EMPTY, quoted, records_apart

    def shown(field: str, value: Any) -> str:  # 本机“B”, 本机未填
        return quoted(field, value) or EMPTY

    local, theirs = conflict["local"], conflict["package"]
    print(f"  冲突：{conflict['what']} {conflict['label']}（{SETTLED_TEXT[conflict.get('settled', UNRESOLVED)]}）")
    ours = f"{local['author']} {cn_local_time(local['updated_at'])}"
    package = f"{theirs['author']} {cn_local_time(theirs['updated_at'])}"
    for f, value in local["values"].items():
        if f == "records":  # which records differ, not only how many
            mine, other = records_apart(value, theirs["values"].get(f))
            print(f"    {FIELD_LABELS.get(f, f)}：\n      本机（{ours}）{mine}\n      上报包（{package}）{other}")
            continue
        print(
            f"    {FIELD_LABELS.get(f, f)}：本机{shown(f, value)}（{ours}） ≠ "
            f"上报包{shown(f, theirs['values'].get(f))}（{package}）"
        )
    if conflict["merged"]:
        print("    只有一方改过、已自动合并：")
        for line in conflict["merged"]:
            print(f"      {line}")


def cmd_aggregate(args: argparse.Namespace) -> int:
    from .cli import _date_arg
    from .exchange.aggregate import aggregate, write_outputs

    result = aggregate([Path(p) for p in args.paths], today=_date_arg(args), unit=args.unit or "")
    for bad in result.refused:
        print(f"未纳入：{result.name(bad.path)}：{bad.reason}", file=sys.stderr)
    for skipped in result.superseded:
        print(f"未计入：{result.name(skipped.path)}：{result.superseded_reason(skipped)}", file=sys.stderr)
    if not result.hospitals:
        raise AppError("没有可汇总的上报包。")
    write_outputs(
        result,
        xlsx=Path(args.out),
        sqlite=Path(args.sqlite) if args.sqlite else None,
        pdf=Path(args.pdf) if args.pdf else None,
    )
    written = "、".join(str(p) for p in (args.out, args.sqlite, args.pdf) if p)
    print(
        f"已汇总 {len(result.hospitals)} 家医院的 {len(result.rounds)} 轮自查（读取 {result.read} 个上报包，"
        f"{len(result.superseded)} 个因重复或有更新的导出未计入，{len(result.refused)} 个未通过校验）：{written}"
    )
    return 0


def add_commands(sub: Any, add: Add) -> None:
    p = add(
        sub,
        "export",
        cmd_export,
        "导出上报包（zip）：数据、两份 PDF 报告、Excel 工作簿和附件，供上报或合并",
        "python main.py export --db demo.db --round ID --out 示例县人民医院_2025一季度_20250630.zip",
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument("--out", required=True, metavar="FILE.zip", help="输出的上报包")
    p.set_defaults(outputs={"out": (".zip",)})
    p.add_argument("--no-attachments", action="store_true", help="不包含附件（文件更小）")
    p.add_argument(
        "--with-patient-ids",
        action="store_true",
        help="保留抽查记录的病案号原样（默认替换为本院密钥下的代码，仅本院可对应）",
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="报告日期（默认今天）")
    p = add(
        sub,
        "verify",
        cmd_verify,
        "校验上报包是否完整、未被改动（退出码 0 为通过）",
        "python main.py verify 上报包.zip --json",
    )
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(
        sub,
        "import",
        cmd_import,
        "校验并导入上报包，按记录编号合并到本数据库（冲突保留本机的值并列出）",
        "python main.py import --db 质控办.db 内科.zip --dry-run",
    )
    p.add_argument("file", metavar="FILE.zip")
    p.add_argument("--dry-run", action="store_true", help="只显示将会发生的变化，不写入")
    p.add_argument("--json", action="store_true", help="输出 JSON：added、updated、unchanged、conflicts、nothing_new")
    p.add_argument("--multi-hospital", action="store_true", help="本数据库用于汇总多家医院：允许导入其他医院的上报包")
    p.add_argument("--author", help="导入人（默认为系统用户名）")
    p = add(
        sub,
        "aggregate",
        cmd_aggregate,
        "汇总多家医院的上报包（文件或文件夹）：Excel，可选 SQLite 数据库和 PDF 汇总报告",
        "python main.py aggregate --out 汇总.xlsx --sqlite 汇总.db --pdf 汇总报告.pdf 上报包/",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="输出的汇总工作簿")
    p.add_argument("--sqlite", metavar="FILE.db", help="同时写出汇总数据的 SQLite 数据库")
    p.add_argument("--pdf", metavar="FILE.pdf", help="同时生成汇总报告 PDF（含统计图）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="汇总日期，也是判断逾期的日期（默认今天）")
    p.add_argument(
        "--unit", metavar="名称", help="汇总单位，印在汇总报告标题上方和每页页眉、工作簿页眉（如“洛阳市卫健委”）"
    )
    p.set_defaults(outputs={"out": (".xlsx",), "sqlite": (".db", ".sqlite", ".sqlite3"), "pdf": (".pdf",)})

"""Command line for the database itself: check, backup, backups, restore (数据库检查、备份与恢复).

Registered by ``app.cli.build_parser``; the handlers are a few lines over ``app.store.health``
and ``app.services.backups``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_output import print_json
from .errors import AppError, DamagedError


def _db_path(args: argparse.Namespace) -> Path:
    from .paths import default_db_path

    return Path(args.db) if args.db else default_db_path()


def cmd_check(args: argparse.Namespace) -> int:
    from .services.backups import location_warning
    from .store.health import check_database

    path = _db_path(args)
    health = check_database(path)
    warning = location_warning(path)
    if args.json:
        print_json({**health.to_dict(), "location_warning": warning})
        return 0 if health.ok else 1
    print("\n".join(health.lines()))
    if warning:
        print(f"注意：{warning}")
    if health.integrity:
        print(damaged_hint(args.db, health.backups_folder))
    return 0 if health.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from .domain.formats import size_text
    from .services.backups import backup_now, made_room_text
    from .store import open_store

    store = open_store(_db_path(args), create=False)
    try:
        made = backup_now(store, "manual", Path(args.out) if args.out else None)
    finally:
        store.close()
    path = made if isinstance(made, Path) else made.path
    print(f"已备份并检查完好：{path}（{size_text(path.stat().st_size)}）")
    if not isinstance(made, Path) and (room := made_room_text(made)):
        print(f"注意：{room}。")
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    from .domain.formats import size_text
    from .services.backups import folder, free_space, listed_backups
    from .store import open_store

    store = open_store(_db_path(args), create=False)
    try:
        where, found, free = folder(store), listed_backups(store), free_space(store)
    finally:
        store.close()
    total = sum(b.size for b in found)
    if args.json:
        print_json({"folder": str(where), "total": total, "free": free, "backups": [b.to_dict() for b in found]})
        return 0
    print(f"备份位置：{where}" + (f"（所在磁盘可用 {size_text(free)}）" if free is not None else ""))
    if not found:
        print("还没有备份。可用 python main.py backup 立即备份。")
    for b in found:
        name = b.path.name if b.path.parent == where else str(b.path)  # made beside the database: the stick was out
        print(f"{b.made_at:%Y-%m-%d %H:%M:%S}  {size_text(b.size):>9}  {b.reason_text:<6}  已检查  {name}")
    if found:
        print(f"共 {len(found)} 个备份，占用 {size_text(total)}。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from .services.backups import restore

    path = _db_path(args)
    aside = restore(path, Path(args.file))
    print(f"已从“{args.file}”恢复到“{path}”。")
    if aside:
        print(f"原来的数据库保留为：{aside}")
    return 0


def damaged_hint(db: str | None, folder: Path | None = None) -> str:
    """What to do about a damaged database: the newest good backup (in the chosen backup folder,
    then ``backups/`` beside it) and the command to restore it."""
    from .services.backups import newest_good_backup
    from .store.backup import default_folder
    from .store.health import chosen_backup_folder

    path = Path(db) if db else _db_path(argparse.Namespace(db=None))
    if folder is None:
        folder = chosen_backup_folder(path)
    try:
        backup, _ = newest_good_backup(path, folder)
    except OSError:
        backup = None
    if backup is None:
        looked = "、".join(f"“{f}”" for f in dict.fromkeys((folder, default_folder(path))))
        return (
            f"在{looked}中没有找到完好的备份。备份放在 U 盘等其他位置时，请插入后再运行此命令，"
            f"或用 {_command()} restore --db {path} 备份文件 恢复；也可联系技术人员。"
        )
    return (
        f"最新的完好备份：{backup.path}（{backup.made_at:%Y-%m-%d %H:%M}）。恢复：\n"
        f"  {_command()} restore --db {path} {backup.path}"
    )


def _command() -> str:
    """How this user runs the program: the installed executable, or ``python main.py`` from source
    (a command to copy must work where it is shown)."""
    if not getattr(sys, "frozen", False):
        return "python main.py"
    return f'"{sys.executable}"' if " " in sys.executable else sys.executable


def report_error(err: AppError, args: argparse.Namespace) -> None:
    if getattr(args, "json", False):  # a script that asked for JSON gets it on failure too
        from .cli_output import print_json

        print_json({"ok": False, "reason": err.user_message})
    print(f"错误：{err.user_message}", file=sys.stderr)
    if isinstance(err, DamagedError):
        print(damaged_hint(getattr(args, "db", None)), file=sys.stderr)


def add_commands(sub, add) -> None:
    """The parsers of check, backup, backups and restore (``add`` is cli.build_parser's helper)."""
    p = add(
        sub,
        "check",
        cmd_check,
        "检查数据库：完整性、修改记录、日志模式、同步写入、结构版本、SQLite 版本、最近的备份；正常时退出码 0，否则 1",
        "python main.py check --db demo.db --json",
    )
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(
        sub,
        "backup",
        cmd_backup,
        "立即备份数据库（检查完好后才保存），默认放在备份位置并按规则轮换",
        "python main.py backup --db demo.db --out 备份.db",
    )
    p.add_argument("--out", metavar="FILE", help="备份到这个文件（默认放在备份位置；不覆盖已有文件）")
    p.set_defaults(outputs={"out": ()})
    p = add(sub, "backups", cmd_backups, "列出备份：时间、大小、原因", "python main.py backups --db demo.db --json")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p = add(
        sub,
        "restore",
        cmd_restore,
        "从备份恢复：先检查备份，当前数据库改名保留，图形界面打开时拒绝",
        "python main.py restore --db demo.db backups/demo-20250630-120000-daily.db",
    )
    p.add_argument("file", metavar="FILE", help="备份文件")

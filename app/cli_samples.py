"""Command line for sampled records (抽查记录): list a sampling item's records, or replace them.

Registered by ``app.cli.build_parser``. A record is written as the grid shows it, ``病案号:符合``
or ``病案号:不符合:备注`` (a full-width colon too); the records given replace the item's, through
the same service as the grid, so repeats and malformed 病案号 are refused the same way.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from .cli_output import print_json
from .errors import InputError

if TYPE_CHECKING:
    from .services.answers import SampleInput

#: how 符合 / 不符合 may be typed after the colon (case aside)
COMPLIANT_WORDS = frozenset({"符合", "合格", "是", "√", "y", "yes", "1"})
NONCOMPLIANT_WORDS = frozenset({"不符合", "不合格", "否", "×", "x", "n", "no", "0"})
RECORD_FORMAT = "病案号:符合 或 病案号:不符合[:备注]"


def parse_record(spec: str) -> SampleInput:
    """``2025001:不符合:未记录讨论结论`` → SampleInput; InputError says what is wrong and how to write it."""
    from .services.answers import SampleInput

    parts = re.split("[:：]", spec, maxsplit=2)
    if len(parts) < 2 or not parts[0].strip():
        raise InputError(f"抽查记录“{spec}”的写法应为 {RECORD_FORMAT}。", "record")
    word = parts[1].strip().casefold()
    if word in COMPLIANT_WORDS:
        compliant = True
    elif word in NONCOMPLIANT_WORDS:
        compliant = False
    else:
        raise InputError(
            f"抽查记录“{spec}”中“{parts[1].strip()}”应为“符合”或“不符合”（写法：{RECORD_FORMAT}）。", "record"
        )
    return SampleInput(parts[0].strip(), compliant, parts[2] if len(parts) == 3 else "")


def cmd_samples(args: argparse.Namespace) -> int:
    from .cli import _actor, _open
    from .domain.kinds import kind_of
    from .domain.kinds.sampling import samples_text
    from .domain.outcome import verdict
    from .services.answers import set_samples
    from .services.rounds import load_round, score

    records = [parse_record(spec) for spec in args.record or ()]  # all checked before the database
    writes = bool(records) or args.clear
    store = _open(args, write=writes)
    view = load_round(store, args.round)
    _, item = view.find_item(args.item)
    if not kind_of(item).sampled:  # listing one told “尚无抽查记录” of an item that never has any
        raise InputError(f"条目“{item.id}”不是抽查条目，没有抽查记录。", "item")
    if writes:
        set_samples(store, view.id, item.id, records, _actor(args), view=view)
    stored = store.samples(view.id, item.id)
    outcome = score(store, view.id, view).outcomes[item.id]
    # 抽查 2 份，1 份不符合：未达标; 待判定 says why (份数少于要求的 10 份)
    summary = (samples_text(outcome) or "尚无抽查记录") + f"：{verdict(outcome.state)}"
    summary += f"（{outcome.reason}）" if outcome.reason else ""
    if args.json:
        listed = [{"record_no": r.record_no, "compliant": r.compliant, "note": r.note} for r in stored]
        print_json({"item": item.id, "records": listed, "summary": summary})
        return 0
    if writes:
        print(f"已保存：{item.id}")
    for n, r in enumerate(stored, 1):
        print(f"{n}. {r.record_no}  {'符合' if r.compliant else '不符合'}" + (f"  {r.note}" if r.note else ""))
    print(summary)
    return 0


def add_commands(sub, add) -> None:
    p = add(
        sub,
        "samples",
        cmd_samples,
        "查看或录入一个抽查条目的抽查记录（给出 --record 时替换该条目的全部记录）",
        "python main.py samples --db demo.db --round 一季度 --item qyx-core.06.3 "
        "--record 2025001:符合 --record 2025002:不符合:未记录讨论结论",
    )
    p.add_argument("--round", required=True, metavar="ID", help="自查轮次的名称或编号（见 rounds 命令）")
    p.add_argument("--item", required=True, metavar="ITEM_ID", help="抽查条目的编号")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--record",
        action="append",
        metavar="病案号:符合|不符合[:备注]",
        help="一份抽查记录，可重复；给出的记录按顺序替换该条目原有的全部记录",
    )
    group.add_argument("--clear", action="store_true", help="删除该条目的全部抽查记录")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--author", help="填写人（默认为系统用户名）")

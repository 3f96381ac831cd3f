"""A database as a county hospital's quality office has it after two years of monthly rounds.

    .venv/bin/python bench/make_big_db.py --db big.db [--rounds 24] [--attachments 300]
        [--min-mb 0.5] [--max-mb 5] [--all-every 4] [--recheck-every 3] [--edits 300] [--seed 1]

Made only with the program's own services (no SQL), as the GUI would make it:

- ``--rounds`` monthly rounds ending this month (the hospital profile is the demo's); every
  ``--all-every``-th round, and the last, over all built-in checklists, the others over the
  default ones; every ``--recheck-every``-th round (from the third on) a 复查轮次 made with the
  re-check function, based on the round before it, so it carries that round's open rectifications;
- every applicable item answered: grades (with 问题描述 on C and D), indicator values, sampled
  records (10 or the item's minimum), a few 不适用 with a reason;
- most rectifications filled in (原因分析, 整改措施, 责任人, 整改期限) and most of the older rounds'
  re-checked (passed, or failed and still open); the newest ones pending, some overdue;
- ``--attachments`` attachments of ``--min-mb``–``--max-mb`` MB of random bytes (scans and photos
  do not compress), named .pdf and .jpg, spread over the rounds' items and rectifications;
- ``--edits`` changes to one item of the last round (its 问题描述 and grade, back and forth), so
  that its 修改记录 is long.

Prints what it made and the file's size; the ids of the newest round and of the edited item on
the last line (``newest=… item=…``) for the other benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.catalog import CatalogEntry, load_catalog  # noqa: E402
from app.domain.checklist import NOT_APPLICABLE, Item  # noqa: E402
from app.domain.kinds import kind_of  # noqa: E402
from app.services import answers as answer_service  # noqa: E402
from app.services import rectifications as rect_service  # noqa: E402
from app.services.attachments import AttachmentFile, store_attachment  # noqa: E402
from app.services.demo import DEMO_PROFILE  # noqa: E402
from app.services.profile import save_profile  # noqa: E402
from app.services.rounds import RoundView, default_year, load_round, start_round  # noqa: E402
from app.store import Actor, open_store  # noqa: E402

DEPARTMENTS = ("医务科", "护理部", "内科", "外科", "妇产科", "儿科", "急诊科", "药剂科", "病案室", "检验科", "院感科")
AUTHORS = (Actor("刘洋", "质控办-PC01"), Actor("李敏", "医务科-PC02"), Actor("张华", "护理部-PC03"))
FINDINGS = (
    "抽查3个临床科室，未见该项制度的年度培训记录。",
    "制度已制定，但部分科室执行不到位，抽查病历中记录不完整，个别病历缺少上级医师审签。",
    "职能部门未开展定期督查，无督查记录和反馈意见；科室自查记录为空白。",
    "相关登记本记录不全，部分记录缺少签字和时间，交接内容过于简单，无法追溯。",
    "科室人员对制度要求知晓率低，现场询问5人仅2人能说清流程；新入职人员未参加岗前培训。",
)
CAUSES = (
    "科室对制度要求学习不够，未建立常态化培训机制，新入职人员岗前培训未覆盖该项内容。",
    "职能部门督查频次不足，发现问题后未跟踪整改，未形成PDCA闭环。",
    "信息系统缺少时限提醒和必填项控制，依赖人工登记，容易遗漏。",
    "科室质控小组职责不清，自查流于形式，未按月统计分析。",
)
MEASURES = (
    "修订科室执行细则；月底前完成全员培训和考核，留存签到表和试卷。",
    "医务科每月抽查并全院通报，结果纳入科室绩效考核。",
    "信息科在电子病历系统中增加时限提醒和必填项控制，上线后由医务科验证。",
    "明确科室质控员，每周检查登记本的签字和时间，每月在科务会上分析反馈。",
)
OWNERS = ("李敏", "张华", "刘洋", "陈静", "赵磊", "孙丽", "周强")


def month_start(today: dt.date, back: int) -> dt.date:
    """The 10th of the month ``back`` months before ``today``'s."""
    months = today.year * 12 + today.month - 1 - back
    return dt.date(months // 12, months % 12 + 1, 10)


def answer_all(store, view: RoundView, rng: random.Random, actor: Actor) -> int:
    """Every applicable item answered; returns how many."""
    n = 0
    for item in view.items():
        if not item.applies_to(view.profile):
            continue
        department = rng.choice(DEPARTMENTS)
        kind = kind_of(item)
        if kind.graded:
            if rng.random() < 0.02:
                fields: dict = {"grade": NOT_APPLICABLE, "na_reason": "本院未开展该项诊疗服务，经医务科确认不适用。"}
            else:
                grade = rng.choices("ABCD", weights=(2, 4, 4, 1))[0]
                fields = {"grade": grade, "finding": rng.choice(FINDINGS) if grade in "CD" else ""}
            answer_service.record_answer(
                store,
                view.id,
                item.id,
                actor,
                view=view,
                department=department,
                evidence="制度文件、会议记录、培训签到表、督查记录",
                **fields,
            )
        elif kind.numeric:
            answer_service.record_answer(
                store, view.id, item.id, actor, view=view, department=department, **indicator(item, view.year, rng)
            )
        elif kind.sampled:
            answer_service.set_samples(store, view.id, item.id, samples(item, rng), actor, view=view)
            answer_service.record_answer(store, view.id, item.id, actor, view=view, department=department)
        n += 1
    return n


def indicator(item: Item, year: int, rng: random.Random) -> dict:
    """A value near the year's target (a ratio's numerator and denominator), sometimes off it."""
    target = item.target_for(year)
    if item.input != "ratio":
        return {"value": round((target or 10) * rng.uniform(0.6, 1.4), 1)}
    rare = item.unit != "%"
    denominator = rng.randint(80, 400) * (10 if rare else 1)
    typical = (target or (2 if rare else 60)) / item.rate_multiplier
    rate = min(1.0, max(0.0, typical * rng.uniform(0.7, 1.3)))
    fields: dict = {"numerator": round(denominator * rate), "denominator": denominator}
    if item.direction in ("increase", "decrease"):
        baseline = rng.uniform(30, 70)
        fields["baseline"] = round(baseline / 30 if rare else baseline, 1)
    return fields


def samples(item: Item, rng: random.Random) -> list[answer_service.SampleInput]:
    numbers = rng.sample(range(200000, 300000), max(item.min_samples or 10, 10))
    out = []
    for number in numbers:
        compliant = rng.random() > 0.06
        out.append(answer_service.SampleInput(f"ZY{number}", compliant, "" if compliant else "记录超时限或缺少签字"))
    return out


def follow_up(store, view: RoundView, rng: random.Random, today: dt.date, actor: Actor) -> tuple[int, int]:
    """Fill in the round's rectifications as the months went by: (filled in, re-checked)."""
    age = (today - view.started_on).days
    filled = rechecked = 0
    for entry in rect_service.list_rectifications(store, view.id, today, view):
        rect = entry.rectification
        if rect.done or entry.carried_to:
            continue
        if rng.random() < 0.15 and age < 60:
            continue  # not looked at yet
        deadline = view.started_on + dt.timedelta(days=rng.choice((20, 30, 45, 60, 90)))
        fields: dict = {"owner": rng.choice(OWNERS), "deadline": deadline}
        if not rect.measure:
            fields |= {"cause": rng.choice(CAUSES), "measure": rng.choice(MEASURES)}
        rect_service.update_rectification(store, rect.id, actor, today=today, **fields)
        filled += 1
        day = min(view.started_on + dt.timedelta(days=rng.randint(15, 50)), today)
        chance = 0.75 if age > 90 else 0.4 if age > 30 else 0.1
        if rng.random() < chance:
            passed = rng.random() < 0.8
            rect_service.record_recheck(
                store,
                rect.id,
                actor,
                passed=passed,
                date=day,
                by="刘洋（质控办）",
                result="现场查看并抽查10份记录，均已按要求整改到位。"
                if passed
                else "抽查10份仍有2份不完整，继续整改。",
                today=today,
            )
            rechecked += 1
    return filled, rechecked


def attach(store, view: RoundView, count: int, rng: random.Random, sizes: tuple[float, float], actor: Actor) -> int:
    """``count`` attachments of random bytes: half on answered items, half on rectifications."""
    import hashlib

    items = [a.item_id for a in store.answers(view.id)]
    rects = [e.rectification.id for e in rect_service.list_rectifications(store, view.id, dt.date.today(), view)]
    rects = [r for r in rects if not rect_service.carried_to(store, view.id).get(r)]
    total = 0
    for n in range(count):
        size = int(rng.uniform(*sizes) * 1024 * 1024)
        data = rng.randbytes(size)
        suffix, media = (".pdf", "application/pdf") if n % 3 else (".jpg", "image/jpeg")
        name = f"{'整改佐证' if n % 2 and rects else '现场检查'}{n + 1:03d}{suffix}"
        file = AttachmentFile(name, data, media, hashlib.sha256(data).hexdigest())
        if n % 2 and rects:
            store_attachment(store, view.id, file, actor, rectification_id=rng.choice(rects))
        else:
            store_attachment(store, view.id, file, actor, item_id=rng.choice(items))
        total += size
    return total


def long_history(store, view: RoundView, edits: int, actor: Actor) -> str:
    """``edits`` changes to one judgement item of ``view``: 问题描述 typed in steps, the grade
    changed back and forth; returns the item's id."""
    item = next(i for i in view.items() if kind_of(i).graded and i.applies_to(view.profile))
    for n in range(edits):
        grade = "CDBA"[n % 4] if n % 5 == 0 else None
        fields: dict = {"finding": f"第{n + 1}次修改：" + FINDINGS[n % len(FINDINGS)]}
        if grade:
            fields["grade"] = grade
        answer_service.record_answer(store, view.id, item.id, AUTHORS[n % len(AUTHORS)], view=view, **fields)
    return item.id


def view_actor(n: int) -> Actor:
    return AUTHORS[n % len(AUTHORS)]


def make_round(
    store,
    n: int,
    args: argparse.Namespace,
    previous: str | None,
    checklists: tuple[list[CatalogEntry], list[CatalogEntry]],
    today: dt.date,
) -> tuple[RoundView, bool]:
    """The ``n``-th round: over all checklists or the default ones, a 复查轮次 of ``previous`` or not."""
    everything, defaults = checklists
    started = month_start(today, args.rounds - 1 - n)
    entries = everything if (n % args.all_every == 0 or n == args.rounds - 1) else defaults
    name = f"{started.year}年{started.month}月医疗质量自查"
    common = {
        "leader": "王建国（业务副院长）",
        "members": ["李敏（医务科）", "张华（护理部）", "刘洋（质控办）", "陈静（药剂科）"],
        "year": default_year([e.checklist for e in entries], started),
    }
    recheck = previous is not None and n % args.recheck_every == 2
    if previous is not None and recheck:
        name = name.replace("医疗质量自查", "复查")
        round_id = rect_service.start_recheck_round(
            store, entries, name, started, view_actor(n), previous_round_id=previous, **common
        )
    else:
        round_id = start_round(store, entries, name, started, view_actor(n), **common)
    return load_round(store, round_id), recheck


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="a new database file")
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--attachments", type=int, default=300, help="in all, spread over the rounds")
    parser.add_argument("--min-mb", type=float, default=0.5)
    parser.add_argument("--max-mb", type=float, default=5.0)
    parser.add_argument("--all-every", type=int, default=4, help="every n-th round over all checklists")
    parser.add_argument("--recheck-every", type=int, default=3, help="every n-th round a 复查轮次")
    parser.add_argument("--edits", type=int, default=300, help="changes to one item of the last round")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.db.exists():
        parser.error(f"{args.db} exists: give a new file")
    began = time.perf_counter()
    rng = random.Random(args.seed)
    catalog = load_catalog()
    everything: list[CatalogEntry] = list(catalog.entries)
    defaults = [e for e in everything if e.checklist.default]
    store = open_store(args.db)
    save_profile(store, DEMO_PROFILE, AUTHORS[0])
    today = dt.date.today()
    previous: str | None = None
    per_round = [
        args.attachments // args.rounds + (1 if n < args.attachments % args.rounds else 0) for n in range(args.rounds)
    ]
    per_round.reverse()  # the newest rounds have the most
    attached = 0
    view: RoundView | None = None
    for n in range(args.rounds):
        view, recheck = make_round(store, n, args, previous, (everything, defaults), today)
        answered = answer_all(store, view, rng, view_actor(n))
        filled, rechecked = follow_up(store, view, rng, today, view_actor(n))
        attached += attach(store, view, per_round[n], rng, (args.min_mb, args.max_mb), view_actor(n))
        print(
            f"{view.name}{'（复查轮次）' if recheck else ''}: {len(view.checklists)} 张检查表, {answered} 条已填, "
            f"整改 {filled} 项已填写、{rechecked} 项已复查, {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        previous = view.id
    assert view is not None
    item_id = long_history(store, view, args.edits, AUTHORS[0])
    store.close()
    size = args.db.stat().st_size / 1024 / 1024
    print(f"{args.db}: {size:.0f} MB, attachments {attached / 1024 / 1024:.0f} MB, {time.perf_counter() - began:.0f} s")
    print(f"newest={view.id} item={item_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

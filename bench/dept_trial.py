"""The department trial: one round filled in by six departments through 上报包, as a hospital would.

    .venv/bin/python bench/dept_trial.py [OUT_DIR] [--seed N]

质控办 starts a round over the default checklists and exports it with 病案号; 医务科、护理部、药剂科、
院感科、病案室、检验科 each import it on their own PC (own database, own data folder, so own device
id, own user name), fill in their part and export; 质控办 imports every package in a random order
through the real import dialog (offscreen), settling conflicts as a person would, then imports all
of them again. Then a 复查轮次 goes round the same way. What happens on the way:

- 医务科 and 病案室 both sample records for one sampling item;
- 护理部 corrects a grade 质控办 entered before the round went out;
- 药剂科 edits after exporting once and exports again; 护理部 sends its first package again after
  the second (an old package by mistake);
- 院感科 imports 检验科's package before it exports (a package from another department);
- 检验科's PC clock is an hour fast.

At the end the merged round is compared with the same round filled in directly (every answer,
sampled record, attachment and rectification once, the same scores), the 修改记录 is read for who
changed what, the reports are rendered and read back, and the merged round's export is verified.
Each import into 质控办 is timed: the figures are printed and written to OUT_DIR/timings.json.
Department work goes through the CLI (``main.py import`` / ``export``, each PC with its own
MQSC_DATA_DIR and USER) and the services the window uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DEPARTMENTS = ("医务科", "护理部", "药剂科", "院感科", "病案室", "检验科")
OFFICE = "质控办"
SKEWED = "检验科"  # its PC clock is an hour fast
SKEW = dt.timedelta(hours=1)
#: run main.py with the clock moved by SKEW (every datetime.now in the program, as on that PC)
_SKEWED_MAIN = """
import datetime, runpy, sys
class _Skewed(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return super().now(tz) + datetime.timedelta(hours=1)
datetime.datetime = _Skewed
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@dataclass
class PC:
    """One department's PC: its data folder (device id), its database, its user."""

    name: str
    folder: Path
    skewed: bool = False
    packages: list[Path] = field(default_factory=list)

    @property
    def db(self) -> Path:
        return self.folder / "selfcheck.db"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "MQSC_DATA_DIR": str(self.folder), "USER": self.name, "LOGNAME": self.name}

    def cli(self, *args: str) -> str:
        main = [sys.executable, str(ROOT / "main.py")]
        if self.skewed:
            main = [sys.executable, "-c", _SKEWED_MAIN, str(ROOT / "main.py")]
        done = subprocess.run([*main, *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"{self.name}: main.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout + done.stderr

    def device_id(self) -> str:
        """The PC's id, as the program makes it in its data folder on first use."""
        from app.paths import DATA_DIR_ENV, device_id

        saved = os.environ.get(DATA_DIR_ENV)
        os.environ[DATA_DIR_ENV] = str(self.folder)
        try:
            return device_id()
        finally:
            os.environ[DATA_DIR_ENV] = saved or ""

    def actor(self) -> Any:
        from app.store import Actor

        return Actor(self.name, self.device_id())

    def export(self, round_id: str, label: str, day: dt.date) -> Path:
        out = self.folder.parent / "packages" / f"{self.name}_{label}.zip"
        self.cli(
            "export", "--db", str(self.db), "--round", round_id, "--out", str(out), "--with-patient-ids",
            "--date", day.isoformat(),
        )  # fmt: skip
        self.cli("verify", str(out))
        self.packages.append(out)
        return out

    def import_(self, package: Path) -> str:
        return self.cli("import", "--db", str(self.db), str(package))


class Clock:
    """app.store.now moved by SKEW while a skewed PC's edits are made in this process."""

    def __init__(self, skewed: bool) -> None:
        self.skewed = skewed

    def __enter__(self) -> None:
        import app.store as store_module

        self.saved = store_module.now
        if self.skewed:

            def skewed_now() -> str:
                return (dt.datetime.now(dt.UTC) + SKEW).isoformat(timespec="seconds")

            store_module.now = skewed_now

    def __exit__(self, *exc: object) -> None:
        import app.store as store_module

        store_module.now = self.saved


# --- what each department fills in --------------------------------------------------------------


@dataclass
class Plan:
    """The round as the hospital means it to end: item → fields, sampled records, rectification fields."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    samples: dict[str, list[tuple[str, bool, str]]] = field(default_factory=dict)
    rectifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    attachments: list[tuple[str, str | None, str]] = field(default_factory=list)  # (item, rect item, file)
    owner: dict[str, str] = field(default_factory=dict)  # item → the department that filled it last


def assign(view: Any, rng: random.Random) -> dict[str, list[Any]]:
    """Each department's items: a share of the judgement items, the indicators split, the
    sampling items to 医务科 and 病案室."""
    from app.domain.kinds import kind_of

    applicable = [i for i in view.items() if i.applies_to(view.profile)]
    judged = [i for i in applicable if kind_of(i).graded]
    numeric = [i for i in applicable if kind_of(i).numeric]
    sampled = [i for i in applicable if kind_of(i).sampled]
    out: dict[str, list[Any]] = {d: [] for d in (OFFICE, *DEPARTMENTS)}
    for n, item in enumerate(judged):
        out[(OFFICE, *DEPARTMENTS)[n % 7]].append(item)
    for n, item in enumerate(numeric):
        out[("药剂科", "院感科", "检验科")[n % 3]].append(item)
    for n, item in enumerate(sampled):
        out[("医务科", "病案室")[n % 2]].append(item)
    return out


FINDINGS = ("抽查3个科室未见培训记录。", "制度执行不到位，记录不完整。", "未开展定期督查。", "登记本缺少签字。")


def judgement_fields(dept: str, rng: random.Random) -> dict[str, Any]:
    grade = rng.choices("ABCD", weights=(1, 3, 4, 2))[0]
    return {
        "grade": grade,
        "finding": f"{dept}：{rng.choice(FINDINGS)}" if grade in "CD" else "",
        "evidence": f"{dept}提供的制度文件和记录",
        "department": dept,
    }


def sample_rows(prefix: str, count: int, rng: random.Random) -> list[tuple[str, bool, str]]:
    return [(f"{prefix}{rng.randint(100000, 999999)}", rng.random() > 0.1, "") for _ in range(count)]


# --- the trial ---------------------------------------------------------------------------------


class Trial:
    def __init__(self, out: Path, seed: int) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.today = dt.date.today()
        self.started = self.today - dt.timedelta(days=45)
        self.pcs = {name: PC(name, out / name, skewed=name == SKEWED) for name in (OFFICE, *DEPARTMENTS)}
        for pc in self.pcs.values():
            pc.folder.mkdir(parents=True)
        (out / "packages").mkdir()
        self.plan = Plan()
        self.timings: list[dict[str, Any]] = []
        self.findings: list[str] = []
        self.conflicts: list[tuple[str, str, str | None, list[str]]] = []
        self.shots = True

    def note(self, text: str) -> None:
        print("  !!", text)
        self.findings.append(text)

    # 质控办 starts the round --------------------------------------------------------------------

    def start(self) -> str:
        from app.catalog import BUILTIN_DIR, load_catalog
        from app.services.demo import DEMO_PROFILE
        from app.services.profile import save_profile
        from app.services.rounds import default_year, load_round, start_round
        from app.store import open_store

        office = self.pcs[OFFICE]
        self.catalog = load_catalog([BUILTIN_DIR])
        self.entries = [e for e in self.catalog.entries if e.checklist.default]
        store = open_store(office.db)
        save_profile(store, DEMO_PROFILE, office.actor())
        year = default_year([e.checklist for e in self.entries], self.started)
        rid = start_round(
            store, self.entries, f"{self.started.year}年第四季度医疗质量自查", self.started, office.actor(),
            leader="王建国", members=["李敏（医务科）", "张华（护理部）"], year=year,
        )  # fmt: skip
        self.round_id = rid
        view = load_round(store, rid)
        self.items = assign(view, self.rng)
        # 质控办 grades its own share before the round goes out, one of them wrongly (护理部 corrects it)
        for item in self.items[OFFICE][:4]:
            self.answer(store, office, rid, item.id, {"grade": "C", "finding": "质控办初评：记录不全。"})
        self.corrected = self.items[OFFICE][0].id
        store.close()
        return str(office.export(rid, "start", self.today))

    def answer(self, store: Any, pc: PC, rid: str, item_id: str, fields: dict[str, Any]) -> None:
        from app.services.answers import record_answer

        with Clock(pc.skewed):
            record_answer(store, rid, item_id, pc.actor(), **fields)
        self.plan.answers.setdefault(item_id, {}).update(fields)
        self.plan.owner[item_id] = pc.name

    def samples(self, store: Any, pc: PC, rid: str, item_id: str, rows: list[tuple[str, bool, str]]) -> None:
        from app.services.answers import SampleInput, set_samples

        with Clock(pc.skewed):
            set_samples(store, rid, item_id, [SampleInput(n, c, note) for n, c, note in rows], pc.actor())
        self.plan.samples[item_id] = rows

    def rectify(self, store: Any, pc: PC, rid: str, item_id: str, **fields: Any) -> str | None:
        from app.services.rectifications import rectification_for_item, update_rectification
        from app.services.rounds import load_round

        entry = rectification_for_item(store, load_round(store, rid), item_id, self.today)
        if entry is None:
            return None
        with Clock(pc.skewed):
            update_rectification(store, entry.id, pc.actor(), today=self.today, **fields)
        self.plan.rectifications.setdefault(item_id, {}).update(fields)
        return entry.id

    def attach(self, store: Any, pc: PC, rid: str, item_id: str, rect_id: str | None = None) -> None:
        from app.services.attachments import add_attachment

        path = pc.folder / f"{pc.name}-{item_id}{'-整改' if rect_id else ''}.pdf"
        path.write_bytes(b"%PDF-1.4\n% " + f"{pc.name} {item_id} {rect_id}".encode() + b"\n%%EOF\n")
        with Clock(pc.skewed):
            add_attachment(store, rid, path, pc.actor(), item_id=None if rect_id else item_id, rectification_id=rect_id)
        self.plan.attachments.append((item_id, rect_id, path.name))

    # each department ---------------------------------------------------------------------------

    def fill(self, name: str, items: list[Any]) -> None:
        from app.domain.kinds import kind_of
        from app.services.demo import _indicator_fields
        from app.services.rounds import load_round
        from app.store import open_store

        pc = self.pcs[name]
        store = open_store(pc.db)
        rid = self.round_id
        view = load_round(store, rid)
        for n, item in enumerate(items):
            kind = kind_of(item)
            if kind.graded:
                fields = judgement_fields(name, self.rng)
                self.answer(store, pc, rid, item.id, fields)
                if fields["grade"] == "D":
                    rect = self.rectify(
                        store, pc, rid, item.id, cause=f"{name}：督查不足", measure=f"{name}：每月督查并通报",
                        department=name, owner=f"{name}负责人", deadline=self.today + dt.timedelta(days=30),
                    )  # fmt: skip
                    if rect and n % 2 == 0:
                        self.attach(store, pc, rid, item.id, rect)
                if n % 5 == 0:
                    self.attach(store, pc, rid, item.id)
            elif kind.numeric:
                figures = _indicator_fields(item, view.year, self.rng)
                self.answer(store, pc, rid, item.id, {**figures, "department": name})
            elif kind.sampled:
                self.samples(store, pc, rid, item.id, sample_rows("ZY", max(item.min_samples or 10, 10), self.rng))
                self.answer(store, pc, rid, item.id, {"department": name})
        store.close()


# --- 质控办 imports, in the dialog ---------------------------------------------------------------


class Office:
    """质控办's PC: the import dialog driven as a person drives it, each import timed."""

    def __init__(self, trial: Trial) -> None:
        from app.store import open_store
        from app.ui.application import create_application

        self.trial = trial
        self.pc = trial.pcs[OFFICE]
        self.app = create_application(sys.argv[:1])
        self.store = open_store(self.pc.db)
        self.actor = self.pc.actor()

    def import_(self, path: Path, phase: str) -> Any:
        from app.exchange.merge import plan_import
        from app.exchange.verify import open_package
        from app.ui.exchange_dialogs import ImportDialog

        t0 = time.perf_counter()
        package = open_package(path)
        t1 = time.perf_counter()
        plan = plan_import(self.store, package)
        t2 = time.perf_counter()
        dialog = ImportDialog(self.store, self.actor, plan)
        dialog.resize(1366, 768)
        dialog.show()
        self.app.processEvents()
        shown = {
            "summary": dialog.summary.text(),
            "rows": dialog.table.rowCount(),
            "import_enabled": dialog.import_button.isEnabled(),
        }
        for conflict in plan.conflicts:
            self.settle(dialog, conflict, path)
        if self.trial.shots:
            dialog.grab().save(str(self.trial.out / f"import-{phase}-{path.stem}.png"))
        t3 = time.perf_counter()
        result = None
        if dialog.import_button.isEnabled():
            dialog.import_button.click()
            deadline = time.monotonic() + 120
            while dialog.result is None and not dialog.error.text() and time.monotonic() < deadline:
                self.app.processEvents()
                time.sleep(0.01)
            if dialog.error.text():
                self.trial.note(f"{path.name}: 导入失败：{dialog.error.text()}")
            result = dialog.result
        else:
            dialog.reject()
        t4 = time.perf_counter()
        dialog.deleteLater()
        self.app.processEvents()
        counts = plan.counts()
        row = {
            "phase": phase,
            "package": path.name,
            "verify_s": round(t1 - t0, 3),
            "plan_s": round(t2 - t1, 3),
            "apply_s": round(t4 - t3, 3),
            "records_here": self.records(),
            **counts,
            "text": result.text() if result else shown["summary"],
        }
        self.trial.timings.append(row)
        took = f"校验 {row['verify_s']} s，预览 {row['plan_s']} s，导入 {row['apply_s']} s"
        print(f"  {phase} {path.name}: {row['text']}  ({took})")
        return plan, result, shown

    def records(self) -> int:
        rid = self.trial.round_id
        return sum(
            self.store.conn.execute(f"SELECT count(*) FROM {t} WHERE round_id = ?", (rid,)).fetchone()[0]
            for t in ("answers", "samples", "rectifications", "attachments")
        )

    def settle(self, dialog: Any, conflict: Any, path: Path) -> None:
        """As a person: the department that owns the item knows best; a list of sampled records
        both filled is kept whole from the side with more records (the dialog offers no union)."""
        trial = self.trial
        owner = trial.plan.owner.get(conflict.item_id or "", "")
        sides = f"本机 {conflict.local.author} / 上报包 {conflict.package.author}"
        print(f"    冲突：{conflict.label[:40]} {sides}: {conflict.fields}")
        for part in conflict.parts:
            if conflict.table == "samples":
                ours = len(conflict.local.values.get("records") or [])
                theirs = len(conflict.package.values.get("records") or [])
                choice = "package" if theirs > ours else "local"
            else:
                choice = "package" if conflict.package.author == owner else "local"
            combo = dialog.choices[conflict.part_key(part)]
            combo.setCurrentIndex(combo.findData(choice))
        trial.conflicts.append((path.name, conflict.table, conflict.item_id, conflict.fields))


# --- the scenario ----------------------------------------------------------------------------


def run(trial: Trial) -> None:
    t = time.perf_counter()
    print("质控办：开始一轮并导出（含病案号）")
    start = Path(trial.start())
    for name in DEPARTMENTS:
        trial.pcs[name].import_(start)
    print(f"  各科室导入：{time.perf_counter() - t:.1f} s")
    nursing_old, nursing_new = departments_work(trial)
    print(f"  各科室填写并导出：{time.perf_counter() - t:.1f} s")
    packages = [p for name in DEPARTMENTS for p in trial.pcs[name].packages]
    office = Office(trial)
    for phase in ("第一遍", "第二遍"):
        order = packages[:]
        trial.rng.shuffle(order)
        if order.index(nursing_old) < order.index(nursing_new):  # the old one is sent after the new one
            a, b = order.index(nursing_old), order.index(nursing_new)
            order[a], order[b] = order[b], order[a]
        print(f"质控办导入（{phase}）：{' '.join(p.stem for p in order)}")
        for path in order:
            office.import_(path, phase)
    check(trial, office)
    recheck(trial, office)
    (trial.out / "timings.json").write_text(json.dumps(trial.timings, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n发现：" if trial.findings else "\n没有发现问题")
    for finding in trial.findings:
        print(" -", finding)


def departments_work(trial: Trial) -> tuple[Path, Path]:
    """Each department fills its part and exports, with the overlaps and mistakes of the
    scenario; returns 护理部's first and second packages."""
    pcs, items = trial.pcs, trial.items
    from app.domain.kinds import kind_of

    shared = next(i.id for i in items["病案室"] if kind_of(i).sampled)  # 医务科 samples it too
    # 检验科 (clock an hour fast) fills and exports; 院感科 imports its package first
    trial.fill("检验科", items["检验科"])
    lab = pcs["检验科"].export(trial.round_id, "1", trial.today)
    pcs["院感科"].import_(lab)
    trial.fill("院感科", items["院感科"])
    pcs["院感科"].export(trial.round_id, "1", trial.today)
    # 医务科 and 病案室 both sample the shared item
    trial.fill("医务科", items["医务科"])
    from app.store import open_store

    store = open_store(pcs["医务科"].db)
    medical = sample_rows("YW", 5, trial.rng)
    trial.samples(store, pcs["医务科"], trial.round_id, shared, medical)
    store.close()
    pcs["医务科"].export(trial.round_id, "1", trial.today)
    trial.fill("病案室", items["病案室"])
    trial.plan.samples[shared] = trial.plan.samples[shared] + medical  # the hospital means both
    pcs["病案室"].export(trial.round_id, "1", trial.today)
    # 护理部 corrects 质控办's grade, exports, edits again, exports again
    trial.fill("护理部", items["护理部"])
    store = open_store(pcs["护理部"].db)
    trial.answer(store, pcs["护理部"], trial.round_id, trial.corrected, {"grade": "B", "finding": ""})
    store.close()
    nursing_old = pcs["护理部"].export(trial.round_id, "1", trial.today)
    store = open_store(pcs["护理部"].db)
    last = items["护理部"][-1].id
    trial.answer(store, pcs["护理部"], trial.round_id, last, {"evidence": "护理部补充：护理质控记录"})
    store.close()
    nursing_new = pcs["护理部"].export(trial.round_id, "2", trial.today)
    # 药剂科 exports, edits after exporting, exports again
    trial.fill("药剂科", items["药剂科"])
    pcs["药剂科"].export(trial.round_id, "1", trial.today)
    store = open_store(pcs["药剂科"].db)
    first = items["药剂科"][0].id
    fields = {"grade": "D", "finding": "药剂科：处方点评未覆盖全部科室。"}
    trial.answer(store, pcs["药剂科"], trial.round_id, first, fields)
    trial.rectify(
        store, pcs["药剂科"], trial.round_id, first, cause="药剂科：人员不足", measure="药剂科：增配临床药师",
        department="药剂科", owner="陈静", deadline=trial.today + dt.timedelta(days=20),
    )  # fmt: skip
    store.close()
    pcs["药剂科"].export(trial.round_id, "2", trial.today)

    # 质控办 reviews its own first grade meanwhile: 护理部 changed it too (a conflict to settle)
    store = open_store(pcs[OFFICE].db)
    trial.answer(store, pcs[OFFICE], trial.round_id, trial.corrected, {"finding": "质控办复核：护理记录不全。"})
    store.close()
    trial.plan.answers[trial.corrected]["finding"] = ""  # 护理部 knows best: its value is chosen
    trial.plan.owner[trial.corrected] = "护理部"
    return nursing_old, nursing_new


def check(trial: Trial, office: Office) -> None:
    """The merged round against the plan, and against the same round filled in directly."""
    from app.services.rounds import score

    store, rid = office.store, trial.round_id
    check_answers(trial, store, rid)
    check_records(trial, store, rid)
    check_rectifications(trial, store, rid)
    direct = direct_round(trial)
    merged_score = score(store, rid).to_dict()
    if merged_score != direct:
        trial.note(f"得分与直接填写的不同：{json.dumps(merged_score)[:300]} ≠ {json.dumps(direct)[:300]}")
    tally = {k: merged_score[k] for k in ("answered", "applicable", "score", "failing")}
    print(f"  得分：{tally}")
    history_of(trial, office)
    reports_and_export(trial, office, rid, "merged")


def check_answers(trial: Trial, store: Any, rid: str) -> None:
    """Every answer once, with the values its department (or the choice in the dialog) gave."""
    plan = trial.plan
    answers = {a.item_id: a for a in store.answers(rid)}
    if len(answers) != len(store.answers(rid)):
        trial.note("同一条目有两条自查结果")
    for item_id, fields in plan.answers.items():
        got = answers.get(item_id)
        if got is None:
            trial.note(f"{item_id}: 自查结果缺失")
            continue
        for f, v in fields.items():
            value = getattr(got, f)
            if f in ("value", "numerator", "denominator", "baseline") and v is not None:
                v = float(v)
            if value != v and not (v == "" and value in (None, "")):
                trial.note(f"{item_id}: {f} 为 {value!r}，应为 {v!r}（{plan.owner.get(item_id)}）")


def check_records(trial: Trial, store: Any, rid: str) -> None:
    """Every sampled record and attachment once."""
    plan = trial.plan
    for item_id, rows in plan.samples.items():
        got = sorted((s.record_no, s.compliant) for s in store.samples(rid, item_id))
        want = sorted((n, c) for n, c, _ in rows)
        if got != want:
            trial.note(f"{item_id}: 抽查记录 {len(got)} 条，应为 {len(want)} 条（丢失 {len(set(want) - set(got))} 条）")
    names = sorted(a.filename for a in store.attachments(rid))
    want_names = sorted(name for _, _, name in plan.attachments)
    if names != want_names:
        trial.note(f"附件 {len(names)} 个，应为 {len(want_names)} 个")


def check_rectifications(trial: Trial, store: Any, rid: str) -> None:
    """One rectification per item, with its department's 原因、措施、科室、责任人、期限."""
    rects: dict[str, list[Any]] = {}
    for r in store.rectifications(rid):
        rects.setdefault(r.item_id, []).append(r)
    for item_id, many in rects.items():
        if len(many) > 1:
            trial.note(f"{item_id}: {len(many)} 个整改项")
    for item_id, fields in trial.plan.rectifications.items():
        if item_id not in rects:
            trial.note(f"{item_id}: 整改项缺失")
            continue
        r = rects[item_id][0]
        for f, v in fields.items():
            if getattr(r, f) != v:
                trial.note(f"{item_id}: 整改项 {f} 为 {getattr(r, f)!r}，应为 {v!r}")


def history_of(trial: Trial, office: Office) -> None:
    """修改记录 of the items several PCs touched: who changed what."""
    from app.services.history import item_history

    shared = [trial.corrected, *[i for i in trial.plan.samples if i.startswith("qyx-core.07")]]
    skewed = next(i for i, who in trial.plan.owner.items() if who == SKEWED)
    for item_id in [*shared, skewed]:
        lines = item_history(office.store, trial.round_id, item_id, office.actor.device_id)  # as the window lists it
        copies = [line for line in lines if line.action == "导入合并" and line.author != OFFICE]
        if copies:
            trial.note(f"{item_id}: 修改记录列出其他电脑上的导入 {len(copies)} 条")
        print(f"  修改记录 {item_id}：")
        for line in lines[:8]:
            print(f"    {line.at} {line.author} {line.what} {line.action} {'；'.join(line.changes)[:90]}")
        authors = {line.author for line in lines}
        if item_id == trial.corrected and "护理部" not in authors:
            trial.note(f"{item_id}: 修改记录中没有护理部的修改")


def reports_and_export(trial: Trial, office: Office, rid: str, label: str) -> None:
    """Both reports render and read back; the merged round's export verifies."""
    from pypdf import PdfReader

    from app.render import registry

    for kind in ("self", "rectification"):
        out = trial.out / f"{label}-{kind}.pdf"
        t = time.perf_counter()
        registry.render(office.store, rid, kind, out, today=trial.today)
        text = "".join(page.extract_text() or "" for page in PdfReader(out).pages)
        print(f"  报告 {kind}：{len(PdfReader(out).pages)} 页，{time.perf_counter() - t:.1f} s")
        for word in ("示例县人民医院", "护理部", "药剂科：增配临床药师" if kind == "rectification" else "药剂科"):
            if word not in text.replace("\n", ""):
                trial.note(f"{label} {kind} 报告中没有“{word}”")
    out = trial.pcs[OFFICE].export(rid, label, trial.today)
    print(f"  合并后的上报包：{out.name} 校验通过")


def recheck(trial: Trial, office: Office) -> None:
    """复查轮次: 质控办 starts it (open rectifications carried over), the departments re-check
    their own and re-grade the items, 质控办 merges their packages twice."""
    from app.domain.kinds import kind_of
    from app.services.answers import record_answer
    from app.services.rectifications import (
        list_rectifications,
        record_recheck,
        start_recheck_round,
        update_rectification,
    )
    from app.services.rounds import load_round

    first = trial.round_id
    day = trial.today - dt.timedelta(days=3)
    rid = start_recheck_round(office.store, trial.entries, "第四季度复查", day, office.actor, first)
    trial.round_id = rid
    carried = list_rectifications(office.store, rid, trial.today)
    print(f"复查轮次：转入 {len(carried)} 个整改项")
    start = trial.pcs[OFFICE].export(rid, "recheck-start", trial.today)
    trial.pcs[OFFICE].packages.remove(start)
    packages = []
    for name in DEPARTMENTS:
        pc = trial.pcs[name]
        pc.import_(start)
        from app.store import open_store

        store = open_store(pc.db)
        view = load_round(store, rid)
        for entry in list_rectifications(store, rid, trial.today):
            rect = entry.rectification
            if rect.department != name:
                continue
            with Clock(pc.skewed):
                if not rect.measure:
                    update_rectification(store, rect.id, pc.actor(), measure=f"{name}：专项整改", today=trial.today)
                record_recheck(
                    store, rect.id, pc.actor(), passed=True, date=trial.today, by=f"{name}复查人",
                    result=f"{name}：已整改到位", today=trial.today,
                )  # fmt: skip
                if kind_of(view.find_item(rect.item_id)[1]).graded:
                    record_answer(store, rid, rect.item_id, pc.actor(), grade="B", finding="")
            trial.attach(store, pc, rid, rect.item_id, rect.id)
        store.close()
        packages.append(pc.export(rid, "recheck", trial.today))
    for phase in ("复查第一遍", "复查第二遍"):
        order = packages[:]
        trial.rng.shuffle(order)
        for path in order:
            office.import_(path, phase)
    entries = list_rectifications(office.store, rid, trial.today)
    open_ = [e for e in entries if e.status != "已完成"]
    print(f"  复查轮次：{len(entries)} 个整改项，未完成 {len(open_)}")
    for e in open_:
        trial.note(f"复查轮次整改项未完成：{e.rectification.item_id} {e.status} {e.rectification.department}")
    before = list_rectifications(office.store, first, trial.today)
    print(f"  上一轮：{sorted({e.status for e in before})}")
    reports_and_export(trial, office, rid, "recheck-merged")


def direct_round(trial: Trial) -> dict[str, Any]:
    """The same round filled in directly on one PC, from the plan: its score."""
    from app.services.answers import SampleInput, record_answer, set_samples
    from app.services.demo import DEMO_PROFILE
    from app.services.profile import save_profile
    from app.services.rectifications import rectification_for_item, update_rectification
    from app.services.rounds import load_round, score, start_round
    from app.store import Actor, open_store

    store = open_store(trial.out / "direct.db")
    actor = Actor("直接填写", "pc-direct")
    save_profile(store, DEMO_PROFILE, actor)
    office = open_store(trial.pcs[OFFICE].db)
    merged = office.round(trial.round_id)
    office.close()
    rid = start_round(store, trial.entries, merged.name, trial.started, actor, year=merged.year)
    for item_id, fields in trial.plan.answers.items():
        record_answer(store, rid, item_id, actor, **fields)
    for item_id, rows in trial.plan.samples.items():
        set_samples(store, rid, item_id, [SampleInput(n, c, note) for n, c, note in rows], actor)
    view = load_round(store, rid)
    for item_id, fields in trial.plan.rectifications.items():
        entry = rectification_for_item(store, view, item_id, trial.today)
        if entry is not None:
            update_rectification(store, entry.id, actor, today=trial.today, **fields)
    result = score(store, rid).to_dict()
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="mqsc-trial-"))
    out.mkdir(parents=True, exist_ok=True)
    run(Trial(out, args.seed))


if __name__ == "__main__":
    main()

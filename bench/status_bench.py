"""Status benchmark: /status, /status <unit> and the weekly digest on a big synthetic plan.

    python bench/status_bench.py [--quick] [--profile]

In one process, no Telegram: the same functions the handlers call (handlers/status.py `_render`
and services/digests.py `make_digest`), on a synthetic plan stored with `storage.import_plan` and
reports bulk-inserted into the same SQLite file. Two sizes, N = 1,000 and 10,000 items (200 and
2,000 with --quick, a smoke run), with N/50 units and 10·N reports spread over the year:

- /status: `current_snapshot` → `list_plans` → `status_overview` → `paginate`;
- /status <unit>: `match_unit` → `current_snapshot` → `unit_view` → `paginate`, random units;
- the digest: `make_digest` (this week against last week, and the chart PNG).

Each in two regimes: warm (nothing written between calls, the snapshot cache serves; one
untimed call first) and cold (a report stored with `add_report` before each call, untimed, so
the snapshot is rebuilt from the database: the worst case). Prints p50/p95 per size, the time ratio 10,000 vs 1,000 items
(linear: at most 1.2 × 10), a phase breakdown of the cold path, and with --profile cProfile's
top 15 of a cold /status and of the chart.

Exit status: 0 when every result was right, even if a speed target was missed (marked MISSED);
1 when a view gave a wrong result (not what the handler renders, wrong counts, no PNG), because
then the figures measure nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import calendar
import cProfile
import gc
import hashlib
import io
import logging
import math
import os
import platform
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import cn2an  # noqa: E402

from config import Settings  # noqa: E402
from handlers.status import _render  # noqa: E402  # what /status answers, to check against
from plans.followup.status import Snapshot, build_snapshot  # noqa: E402
from plans.model import Item, Milestone, Plan, Section, Status, Target, UnitRef  # noqa: E402
from render.chart import find_cjk_font, progress_chart  # noqa: E402
from render.digest import compose_digest  # noqa: E402
from render.paging import Page, paginate  # noqa: E402
from render.views import status_overview, unit_items, unit_view  # noqa: E402
from services.core import Services  # noqa: E402
from services.digests import DigestResult, current_snapshot, cycle_start, make_digest  # noqa: E402
from storage import Database, StoredUnit, import_plan, list_plans, match_unit  # noqa: E402
from storage.db import utc_timestamp  # noqa: E402
from storage.reports_repo import NewReport, add_report  # noqa: E402
from storage.status_repo import data_version, load_records, load_reports  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
YEAR = 2023
# Monday 2023-11-20, 10:00: 323 days into the plan year; the monthly cycle began on 10-25.
NOW = datetime(YEAR, 11, 20, 10, 0, tzinfo=TZ)
IMPORT_AT = datetime(YEAR, 1, 10, 9, 0, tzinfo=TZ)
YEAR_START = datetime(YEAR, 1, 1, tzinfo=TZ)

ITEMS_PER_UNIT = 50  # units = N / 50
REPORTS_PER_ITEM = 10  # reports = 10 · N
TARGET_STATUS_S = 0.100  # p95 of /status and /status <unit>
TARGET_DIGEST_S = 2.0  # p95 of the digest with its chart
LINEAR_SLACK = 1.2  # 10x the data may take at most 12x the time, as import_bench allows


class WrongResult(Exception):
    """A view gave a result the benchmark did not expect."""


@dataclass(frozen=True)
class Calls:
    """The two plan sizes, and how many timed calls per view and regime."""

    small: int  # items; units and reports follow
    big: int
    warm: int
    cold: tuple[int, int]  # at the small and the big size
    digest: int  # warm and cold each
    phases: int  # calls of each step in the breakdown (median shown)


FULL = Calls(small=1_000, big=10_000, warm=30, cold=(30, 10), digest=5, phases=2)
# A smoke run: a tenth of the sizes (the targets are for 10,000 items), few calls.
QUICK = Calls(small=200, big=2_000, warm=10, cold=(5, 5), digest=2, phases=1)


# ---------------------------------------------------------------------------- output


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print("  " + fmt.format(*headers))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("  " + fmt.format(*row))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least q of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]


def _short_paths(text: str) -> str:
    return text.replace(str(ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")


# ---------------------------------------------------------------------------- synthetic data

DISTRICTS = (
    "玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区", "六合区",
    "溧水区", "高淳区", "江北新区", "经开区", "高新区", "天宁区", "钟楼区", "新北区", "武进区",
    "金坛区", "溧阳市",
)  # fmt: skip
DEPARTMENTS = (
    "发改委", "科技局", "工信局", "财政局", "人社局", "住建局", "商务局", "市场监管局", "数据局",
    "农业农村局",
)  # fmt: skip
VERBS = (
    "加快推进", "深入实施", "持续推动", "全面落实", "着力提升", "大力培育", "积极争创", "统筹推进",
    "扎实开展", "优化完善",
)  # fmt: skip
TOPICS = (
    "高新技术企业培育", "科技成果转化", "重大科技基础设施建设", "产学研协同创新", "科技金融服务体系",
    "知识产权保护", "创新平台建设", "高层次人才引育", "数字经济发展", "营商环境优化",
    "专精特新企业梯队培育", "科技招商引资", "新型研发机构建设", "农业科技示范", "绿色低碳技术攻关",
    "创新联合体组建", "孵化载体提档升级", "技术合同交易", "国际科技合作", "科普基础设施建设",
)  # fmt: skip
MEASURES = (("家", 20, 200), ("亿元", 5, 100), ("项", 10, 80), ("个", 3, 30), ("人", 100, 2000))
PEOPLE = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周强", "吴婷", "徐军")
PROGRESS_TEXTS = (
    "已完成{p}%,按计划推进",
    "完成{p}%,正在组织专家论证",
    "进度{p}%,已召开专题推进会",
    "已完成{p}%,资金已拨付到位",
    "完成{p}%,部分企业材料待补充",
    "完成{p}%,正在开展现场核查",
)
BLOCKED_TEXTS = ("用地指标尚未落实,需协调", "配套资金未到位,申请市级协调", "审批流程较长,进度受阻")
DONE_TEXTS = ("已全面完成,材料已归档", "已完成并通过验收", "已完成,成效明显")
# An item's span ends at its deadline: (month, day, weight). Most are "年内" (Dec 31).
DEADLINES = ((12, 31, 55), (11, 30, 8), (11, 25, 4), (10, 31, 8), (9, 30, 10), (6, 30, 10),
             (3, 31, 5))  # fmt: skip
# What happens to an item over the year, before the reports are drawn; never: no report at all.
FATES = (("on_track", 50), ("behind", 20), ("done", 18), ("blocked", 5), ("never", 7))


def unit_names(count: int) -> list[str]:
    """`count` distinct unit names, district × department, every district early in the list."""
    names = [
        DISTRICTS[i % len(DISTRICTS)] + DEPARTMENTS[(i % len(DISTRICTS) + i // len(DISTRICTS)) % 10]
        for i in range(count)
    ]
    assert len(set(names)) == count, "unit names must be distinct"
    return names


@dataclass
class Synthetic:
    """A synthetic plan and, once stored, its reports: what the checks compare the views with."""

    n: int
    plan: Plan
    units: list[str]
    fates: list[str]  # by item index
    reports: int = 0
    last_week_reports: int = 0  # made after NOW - 7 days (the digest's "new reports")
    pairs: int = 0  # (item, unit) pairs with at least one report


def _pick(rng: random.Random, choices: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def build_plan(n: int, rng: random.Random) -> Synthetic:
    """N items in sections of 50, each with 1-3 lead and 0-2 support units out of N/50, a
    deadline, and for some of them milestones and a quantitative target."""
    units = unit_names(n // ITEMS_PER_UNIT)
    weights = [1 + (i * 37) % 5 for i in range(len(units))]  # some units carry 5x the load
    items: list[Item] = []
    sections: list[Section] = []
    fates: list[str] = []
    for index in range(n):
        k, j = divmod(index, ITEMS_PER_UNIT)
        label = cn2an.an2cn(k + 1) + "、"
        if j == 0:
            sections.append(Section(label, f"{VERBS[k % 10]}{TOPICS[k % 20]}工作", (label,)))
        month, mday, _ = _pick(rng, DEADLINES)
        deadline = date(YEAR, month, mday)
        n_lead = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
        n_support = rng.choices((0, 1, 2), weights=(50, 30, 20))[0]
        chosen: list[str] = []
        while len(chosen) < min(n_lead + n_support, len(units)):
            name = rng.choices(units, weights=weights)[0]
            if name not in chosen:
                chosen.append(name)
        refs = tuple(UnitRef(u, "lead" if i < n_lead else "support") for i, u in enumerate(chosen))
        title = rng.choice(VERBS) + rng.choice(TOPICS)
        targets: tuple[Target, ...] = ()
        text = f"{title}。{chosen[0]}牵头,建立工作专班,按月调度推进。"
        if rng.random() < 0.3:
            measure, low, high = rng.choice(MEASURES)
            value = float(rng.randint(low, high))
            target_text = f"全年新增{value:g}{measure}以上"
            targets = (Target(target_text, value, measure, "≥"),)
            text += target_text + "。"
        milestones: tuple[Milestone, ...] = ()
        if rng.random() < 0.3 and month > 3:
            months = sorted(rng.sample(range(2, month), k=min(2, month - 2)))
            milestones = tuple(
                Milestone(date(YEAR, m, calendar.monthrange(YEAR, m)[1]), f"{m}月底前完成阶段任务")
                for m in months[: rng.randint(1, 2)]
            )
        items.append(
            Item(
                seq=index + 1,
                number=f"({cn2an.an2cn(j + 1)})",
                path=(label, f"({cn2an.an2cn(j + 1)})"),
                kind="indicator" if targets and rng.random() < 0.5 else "task",
                title=title,
                text=text,
                units=refs,
                deadline=deadline,
                deadline_text="年内" if (month, mday) == (12, 31) else f"{month}月底前",
                milestones=milestones,
                targets=targets,
            )
        )
        fate = _pick(rng, FATES)[0]
        if deadline < NOW.date() and fate in ("on_track", "behind"):
            fate = "done" if rng.random() < 0.7 else fate  # most past-deadline items got done
        fates.append(fate)
    plan = Plan(
        title=f"{YEAR}年全市重点工作任务(基准测试 {n:,} 项)",
        year=YEAR,
        items=tuple(items),
        sections=tuple(sections),
    )
    return Synthetic(n, plan, units, fates)


def report_rows(
    syn: Synthetic, item_ids: list[int], unit_ids: dict[str, int], rng: random.Random
) -> list[tuple[Any, ...]]:
    """10·N report rows for the `reports` table, oldest first.

    Every item but the "never" ones draws reports at random times between Jan 1 and NOW, each
    from a lead unit (70%) or a support unit. Per (item, unit) the percent climbs with the
    share of the item's span elapsed (ahead for on_track, well behind for behind), starting at
    not_started when still 0; a done item's lead ends with done, a blocked one with blocked.
    Items with a target get the value in its measure word on half their reports.
    """
    total = REPORTS_PER_ITEM * syn.n
    reporting = [i for i, fate in enumerate(syn.fates) if fate != "never"]
    span_s = (NOW - YEAR_START).total_seconds()
    per_item: dict[int, list[datetime]] = {}
    for index in rng.choices(reporting, k=total):
        moment = YEAR_START + timedelta(seconds=rng.uniform(0, span_s))
        per_item.setdefault(index, []).append(moment)
    rows: list[tuple[Any, ...]] = []
    for index, moments in per_item.items():
        item = syn.plan.items[index]
        fate = syn.fates[index]
        leads = [u.name for u in item.units if u.role == "lead"]
        supports = [u.name for u in item.units if u.role == "support"]
        by_unit: dict[str, list[datetime]] = {}
        for moment in moments:
            unit = rng.choice(supports) if supports and rng.random() < 0.3 else rng.choice(leads)
            by_unit.setdefault(unit, []).append(moment)
        deadline = datetime.combine(item.deadline or date(YEAR, 12, 31), datetime.max.time(), TZ)
        pace = 1.1 if fate in ("on_track", "done", "blocked") else 0.55
        for unit, times in by_unit.items():
            times.sort()
            person = PEOPLE[(index + len(unit)) % len(PEOPLE)]
            percent = 0.0
            for k, moment in enumerate(times):
                last = k == len(times) - 1
                elapsed = min((moment - YEAR_START) / (deadline - YEAR_START), 1.0)
                raw = 100.0 * elapsed * pace * rng.uniform(0.9, 1.1)
                percent = max(percent, min(95.0, 5.0 * round(raw / 5.0)))
                status: Status = "in_progress" if percent > 0 else "not_started"
                text = rng.choice(PROGRESS_TEXTS).format(p=f"{percent:g}")
                expected: str | None = None
                if last and unit in leads and fate == "done":
                    status, percent, text = "done", 100.0, rng.choice(DONE_TEXTS)
                elif last and unit in leads and fate == "blocked":
                    status, text = "blocked", rng.choice(BLOCKED_TEXTS)
                elif fate == "behind" and rng.random() < 0.3:
                    expected = (deadline.date() + timedelta(days=rng.randint(0, 60))).isoformat()
                value = measure = None
                if item.targets and rng.random() < 0.5:
                    target = item.targets[0]
                    value, measure = round(target.value * percent / 100.0), target.measure
                stamp = utc_timestamp(moment)
                rows.append(
                    (
                        item_ids[index],
                        unit_ids[unit],
                        status,
                        percent,
                        text,
                        expected,
                        stamp,
                        stamp,
                        value,
                        measure,
                        rng.choices(("reply", "command", "button"), weights=(6, 3, 1))[0],
                        person,
                        moment,
                    )
                )
            syn.pairs += 1
    rows.sort(key=lambda r: r[-1])
    week_ago = NOW - timedelta(days=7)
    syn.reports = len(rows)
    syn.last_week_reports = sum(1 for r in rows if r[-1] > week_ago)
    return [r[:-1] for r in rows]


async def store(db: Database, syn: Synthetic, rng: random.Random) -> tuple[list[int], dict]:
    """Import the plan, then bulk-insert its reports; return item ids (plan order) and unit ids."""
    result = await import_plan(
        db,
        syn.plan,
        source_name="synthetic.txt",
        content_hash=hashlib.sha256(syn.plan.title.encode()).hexdigest(),
        now=IMPORT_AT,
    )
    if result.items_added != syn.n or len(result.units_created) != len(syn.units):
        raise WrongResult(
            f"import of {syn.n:,} items and {len(syn.units)} units gave {result.items_added:,}"
            f" items and {len(result.units_created)} units"
        )
    rows = await db.fetchall(
        "SELECT id FROM items WHERE plan_id = ? ORDER BY seq", (result.plan_id,)
    )
    item_ids = [int(r["id"]) for r in rows]
    unit_ids = {
        str(r["name"]): int(r["id"]) for r in await db.fetchall("SELECT id, name FROM units")
    }
    reports = report_rows(syn, item_ids, unit_ids, rng)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO reports (item_id, unit_id, status, percent, text, expected_date,"
            " created_at, updated_at, value, measure, source, reporter_name)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            reports,
        )
    count = await db.fetchone("SELECT COUNT(*) FROM reports")
    if count is None or count[0] != syn.reports or syn.reports != REPORTS_PER_ITEM * syn.n:
        raise WrongResult(f"{count[0] if count else 0:,} reports stored, expected {syn.reports:,}")
    return item_ids, unit_ids


# ---------------------------------------------------------------------------- the views


class Clock:
    """The bot's clock, fixed: the benchmark replays a Monday in November."""

    def __call__(self) -> datetime:
        return NOW


@dataclass
class Bench:
    """One stored plan with a Services around it, and what the timed calls need."""

    syn: Synthetic
    db: Database
    svc: Services
    item_ids: list[int]
    unit_ids: dict[str, int]
    rng: random.Random
    writes: int = 0

    def __post_init__(self) -> None:
        # Writes go to items that have reports already, so the never-reported ones stay so.
        self.reporting = [i for i, fate in enumerate(self.syn.fates) if fate != "never"]

    async def write_report(self) -> None:
        """Store one report through the bot's own path (untimed): the next call is cold."""
        index = self.rng.choice(self.reporting)
        item = self.syn.plan.items[index]
        lead = item.units[0].name
        percent = float(self.rng.randint(1, 19) * 5)
        await add_report(
            self.db,
            NewReport(
                item_id=self.item_ids[index],
                unit_id=self.unit_ids[lead],
                status="in_progress",
                text=f"已完成{percent:g}%,正在推进",
                percent=percent,
                source="reply",
                reporter_name="基准测试",
            ),
            now=NOW,
        )
        self.writes += 1

    async def status(self) -> Page:
        """What /status computes: handlers.status._show + _render for view "all", page 1."""
        snap = await current_snapshot(self.svc)
        plans = [p.title for p in await list_plans(self.db) if p.active]
        lines = status_overview(
            self.svc.texts, snap, cycle_start=cycle_start(self.svc, snap.today), plan_titles=plans
        )
        return paginate(lines, 1, view="all", arg="")

    async def status_unit(self, name: str) -> Page:
        """What /status <unit> computes: match_unit, then _show + _render for view "unit"."""
        found = await match_unit(self.db, name)
        if not isinstance(found, StoredUnit):
            raise WrongResult(f"/status {name}: match_unit gave {found!r}")
        snap = await current_snapshot(self.svc)
        lines = unit_view(self.svc.texts, snap, found.name, tz=self.svc.tz)
        return paginate(lines, 1, view="unit", arg=found.name)

    async def digest(self) -> DigestResult:
        return await make_digest(self.svc, self.svc.now())


class GcTimer:
    """Wall time spent in the cyclic garbage collector (a gc.callbacks hook), to tell it apart.

    A collection runs with the GIL held, in whichever thread triggered it, so starts and stops
    never interleave."""

    def __init__(self) -> None:
        self.total = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.total += time.perf_counter() - self._start


GC = GcTimer()


async def timed(
    fn: Callable[[], Awaitable[Any]],
    calls: int,
    before: Callable[[], Awaitable[None]] | None = None,
) -> tuple[list[float], list[float]]:
    """Wall times of `calls` calls of `fn`, each after an untimed `before` (a write), and the
    part of each spent in garbage collection. Without `before`, one untimed call first fills
    the cache (the digest's week-ago snapshot is not there after a /status)."""
    if before is None:
        await fn()
    gc.collect()
    times: list[float] = []
    in_gc: list[float] = []
    for _ in range(calls):
        if before is not None:
            await before()
        gc_before = GC.total
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
        in_gc.append(GC.total - gc_before)
    return times, in_gc


@dataclass
class Timings:
    """Samples in seconds, by (view, regime), for one plan size."""

    n: int
    samples: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    in_gc: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    phases: dict[str, tuple[float, float]] = field(default_factory=dict)  # (time, in gc)
    setup: dict[str, float] = field(default_factory=dict)
    mix: str = ""


STEP_RECORDS = "load_records (items, units, targets)"
STEP_REPORTS = "load_reports (every current report)"
STEP_SNAPSHOT = "build_snapshot (today)"
VIEWS = ("/status", "/status <unit>", "digest + chart")
TARGETS = {"/status": TARGET_STATUS_S, "/status <unit>": TARGET_STATUS_S}
TARGETS["digest + chart"] = TARGET_DIGEST_S


async def check_views(b: Bench) -> None:
    """Raise WrongResult unless the views say what the handler says about the data we stored."""
    snap = await current_snapshot(b.svc)
    syn = b.syn
    if len(snap.items) != syn.n:
        raise WrongResult(f"the snapshot has {len(snap.items):,} items, expected {syn.n:,}")
    current = sum(len(s.reports) for s in snap.items)
    if current != syn.reports + b.writes:
        raise WrongResult(
            f"the snapshot has {current:,} reports, {syn.reports + b.writes:,} stored"
        )
    never = {i for i, f in enumerate(syn.fates) if f == "never"}
    unreported = {i for i, s in enumerate(snap.items) if not s.reports}
    if not unreported >= never:
        raise WrongResult("an item with no report stored shows reports")
    page = await b.status()
    want = await _render(b.svc, snap, "all", "", 1)
    if page != want:
        raise WrongResult(f"/status differs from handlers.status._render:\n{page}\n{want}")
    lights = snap.by_light()
    if str(syn.n) not in page.chunks[0].replace(",", "") or sum(lights.values()) != syn.n:
        raise WrongResult(f"/status does not count {syn.n} items: {page.chunks[0][:300]}")
    for name in (syn.units[0], syn.units[-1]):
        page = await b.status_unit(name)
        want = await _render(b.svc, snap, "unit", name, 1)
        if page != want:
            raise WrongResult(f"/status {name} differs from handlers.status._render")
        expected = sum(1 for item in syn.plan.items if any(u.name == name for u in item.units))
        if len(unit_items(snap, name)) != expected or f"{expected}" not in page.chunks[0]:
            raise WrongResult(
                f"/status {name}: expected {expected} items, got {page.chunks[0][:200]}"
            )
    result = await b.digest()
    headline = result.digest.headline
    if headline["items"] != syn.n or headline["new_reports"] != syn.last_week_reports + b.writes:
        raise WrongResult(
            f"digest headline {headline}: expected {syn.n} items and"
            f" {syn.last_week_reports + b.writes} new reports"
        )
    if not result.chart.startswith(b"\x89PNG\r\n\x1a\n") or not 10_000 < len(result.chart) < 3e6:
        raise WrongResult(f"the chart is not a PNG of sensible size ({len(result.chart):,} bytes)")


def describe_mix(snap: Snapshot, syn: Synthetic) -> str:
    lights = snap.by_light()
    statuses = snap.by_status()
    n = len(snap.items)
    return (
        f"lights {lights['green'] * 100 // n}% green, {lights['yellow'] * 100 // n}% yellow,"
        f" {lights['red'] * 100 // n}% red; status "
        + ", ".join(f"{k.replace('_', ' ')} {v * 100 // n}%" for k, v in statuses.items())
        + f"; {syn.reports / max(syn.pairs, 1):.1f} reports per (item, unit) on average,"
        f" {syn.last_week_reports:,} in the last week"
    )


async def measure(n: int, calls: Calls, big: bool, tmp: Path) -> Timings:
    """Build and store the N-item plan, check the views, then time them warm and cold."""
    rng = random.Random(20231120 + n)
    timings = Timings(n)
    started = time.perf_counter()
    syn = build_plan(n, rng)
    db = await Database.open(tmp / f"status-{n}.sqlite3")
    try:
        t0 = time.perf_counter()
        item_ids, unit_ids = await store(db, syn, rng)
        timings.setup["store"] = time.perf_counter() - t0
        settings = Settings(_env_file=None, database=db.path)  # type: ignore[call-arg]
        svc = Services(settings=settings, db=db, clock=Clock())
        b = Bench(syn, db, svc, item_ids, unit_ids, random.Random(n))
        await check_views(b)  # also the warm-up: imports, the CJK font, matplotlib's caches
        timings.mix = describe_mix(await current_snapshot(svc), syn)
        timings.setup["all"] = time.perf_counter() - started

        cold = calls.cold[1 if big else 0]

        def random_unit() -> Awaitable[Page]:
            return b.status_unit(b.rng.choice(syn.units))  # ~1 us of the timed call

        runs: list[tuple[str, str, Callable[[], Awaitable[Any]], int, bool]] = [
            ("/status", "warm", b.status, calls.warm, False),
            ("/status", "cold", b.status, cold, True),
            ("/status <unit>", "warm", random_unit, calls.warm, False),
            ("/status <unit>", "cold", random_unit, cold, True),
            ("digest + chart", "warm", b.digest, calls.digest, False),
            ("digest + chart", "cold", b.digest, calls.digest, True),
        ]
        for view, regime, fn, count, write in runs:
            times, in_gc = await timed(fn, count, b.write_report if write else None)
            timings.samples[view, regime] = times
            timings.in_gc[view, regime] = in_gc
        await check_views(b)  # the writes are all in: still right
        timings.phases = await phases(b, calls.phases)
    finally:
        await db.close()
    return timings


async def phases(b: Bench, repeat: int) -> dict[str, tuple[float, float]]:
    """Median time of each step of the cold path, called one at a time as the handlers do,
    and the median part of it spent in garbage collection."""
    svc, db = b.svc, b.db
    texts, tz = svc.texts, svc.tz
    out: dict[str, list[float]] = {}
    out_gc: dict[str, list[float]] = {}
    started = gc_started = 0.0

    def start() -> None:
        nonlocal started, gc_started
        gc_started = GC.total
        started = time.perf_counter()

    def done(step: str) -> None:
        out.setdefault(step, []).append(time.perf_counter() - started)
        out_gc.setdefault(step, []).append(GC.total - gc_started)

    week_ago = NOW - timedelta(days=7)
    name = b.syn.units[0]
    for _ in range(repeat):
        gc.collect()
        start()
        await data_version(db)
        done("PRAGMA data_version")
        start()
        records = await load_records(db)
        done(STEP_RECORDS)
        start()
        reports = await load_reports(db)
        done(STEP_REPORTS)
        start()
        snap = build_snapshot(records, reports, today=NOW.date(), tz=tz)
        done(STEP_SNAPSHOT)
        start()
        before = build_snapshot(records, reports, today=week_ago.date(), tz=tz, until=week_ago)
        done("build_snapshot (a week ago, for the digest)")
        start()
        titles = [p.title for p in await list_plans(db) if p.active]
        done("list_plans")
        start()
        lines = status_overview(
            texts, snap, cycle_start=cycle_start(svc, snap.today), plan_titles=titles
        )
        done("status_overview")
        start()
        paginate(lines, 1, view="all")
        done("paginate (overview)")
        start()
        await match_unit(db, name)
        done("match_unit")
        start()
        paginate(unit_view(texts, snap, name, tz=tz), 1, view="unit", arg=name)
        done("unit_view + paginate")
        start()
        compose_digest(
            texts,
            snap,
            before,
            cycle_start=cycle_start(svc, NOW.date()),
            title=titles[0],
            tz=tz,
            since=week_ago,
        )
        done("compose_digest")
        start()
        progress_chart(snap, title=titles[0])
        done("progress_chart (PNG)")
        del records, reports, snap, before
    return {k: (statistics.median(v), statistics.median(out_gc[k])) for k, v in out.items()}


# ---------------------------------------------------------------------------- report


def print_size(t: Timings) -> None:
    syn_units = t.n // ITEMS_PER_UNIT
    print(
        f"\n{t.n:,} items, {syn_units} units, {REPORTS_PER_ITEM * t.n:,} reports"
        f" (stored in {t.setup['store']:.1f} s; setup and checks {t.setup['all']:.1f} s)"
    )
    print(f"  {t.mix}")
    rows = []
    for view in VIEWS:
        for regime in ("warm", "cold"):
            xs = t.samples[view, regime]
            rows.append(
                [
                    view,
                    regime,
                    str(len(xs)),
                    ms(percentile(xs, 0.5)),
                    ms(percentile(xs, 0.95)),
                    ms(max(xs)),
                    ms(statistics.mean(t.in_gc[view, regime])),
                ]
            )
    table(["view", "regime", "calls", "p50 ms", "p95 ms", "max ms", "in gc ms/call"], rows)


def net_p50(t: Timings, view: str, regime: str) -> float:
    """The median of the calls' times less the time each spent in garbage collection."""
    pairs = zip(t.samples[view, regime], t.in_gc[view, regime], strict=True)
    return percentile([total - in_gc for total, in_gc in pairs], 0.5)


def print_summary(small: Timings, big: Timings) -> list[str]:
    ratio = big.n / small.n
    limit = LINEAR_SLACK * ratio
    print(
        f"\nTargets at {big.n:,} items (p95) and growth {small.n:,} -> {big.n:,} items"
        f" (p50 ratio; linear: <= x{limit:g})"
    )
    rows = []
    misses: list[str] = []
    for view in VIEWS:
        target = TARGETS[view]
        for regime in ("warm", "cold"):
            p95 = percentile(big.samples[view, regime], 0.95)
            growth = percentile(big.samples[view, regime], 0.5) / percentile(
                small.samples[view, regime], 0.5
            )
            net = net_p50(big, view, regime) / net_p50(small, view, regime)
            fast, linear = p95 <= target, growth <= limit
            rows.append(
                [
                    view,
                    regime,
                    ms(p95),
                    f"<= {target * 1000:,.0f}",
                    verdict(fast),
                    f"x{growth:.1f}",
                    verdict(linear),
                    f"x{net:.1f}",
                ]
            )
            if not fast:
                misses.append(f"{view} {regime} p95 {ms(p95)} ms > {target * 1000:,.0f} ms")
            if not linear:
                misses.append(f"{view} {regime} grows x{growth:.1f} for x{ratio:g} the data")
    table(["view", "regime", "p95 ms", "target", "", "growth", "linear", "without gc"], rows)
    return misses


def print_phases(small: Timings, big: Timings, repeat: int) -> None:
    print(f"\nThe cold path step by step, each called alone (median of {repeat})")
    rows = []
    for name, (seconds, in_gc) in big.phases.items():
        before, before_gc = small.phases[name]
        rows.append(
            [
                name,
                ms(before),
                ms(before_gc),
                ms(seconds),
                ms(in_gc),
                f"x{seconds / before:.1f}" if before else "-",
            ]
        )
    n1, n2 = f"{small.n:,}", f"{big.n:,}"
    table(["step", f"{n1} ms", "in gc", f"{n2} ms", "in gc", "growth"], rows)
    p = {name: seconds for name, (seconds, _) in big.phases.items()}
    view = p["list_plans"] + p["status_overview"] + p["paginate (overview)"]
    total = p["PRAGMA data_version"] + p[STEP_RECORDS] + p[STEP_REPORTS] + p[STEP_SNAPSHOT] + view
    whole = percentile(big.samples["/status", "cold"], 0.5)
    in_gc = statistics.mean(big.in_gc["/status", "cold"])
    print(
        f"  cold /status at {n2} items: its steps add up to {ms(total)} ms"
        f" (the whole call: p50 {ms(whole)} ms, {ms(in_gc)} ms of it in gc on average);"
        f" load_records {p[STEP_RECORDS] / total:.0%}, load_reports {p[STEP_REPORTS] / total:.0%},"
        f" build_snapshot {p[STEP_SNAPSHOT] / total:.0%}, the view {view / total:.0%}"
    )


async def profile_cold(n: int, tmp: Path) -> None:
    """cProfile of one cold /status and one chart on the N-item plan (a fresh store)."""
    rng = random.Random(20231120 + n)
    syn = build_plan(n, rng)
    db = await Database.open(tmp / f"profile-{n}.sqlite3")
    try:
        item_ids, unit_ids = await store(db, syn, rng)
        settings = Settings(_env_file=None, database=db.path)  # type: ignore[call-arg]
        svc = Services(settings=settings, db=db, clock=Clock())
        b = Bench(syn, db, svc, item_ids, unit_ids, random.Random(n))
        await b.status()
        await b.write_report()
        gc.collect()
        profile = cProfile.Profile()
        profile.enable()
        await b.status()
        profile.disable()
        print_profile(f"one cold /status at {n:,} items (the event loop's thread)", profile)
        snap = await current_snapshot(svc)
        progress_chart(snap, title=syn.plan.title)
        profile = cProfile.Profile()
        profile.enable()
        progress_chart(snap, title=syn.plan.title)
        profile.disable()
        print_profile(f"one progress_chart at {n:,} items", profile)
    finally:
        await db.close()


def print_profile(name: str, profile: cProfile.Profile) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    body = out.getvalue()
    at = body.find("   ncalls")
    print(f"\ncProfile of {name}: top 15 by own time, {stats.total_tt * 1000:,.0f} ms in all")  # type: ignore[attr-defined]
    print(_short_paths(body[at:].rstrip() if at >= 0 else body.rstrip()))


# ---------------------------------------------------------------------------- main


async def run(calls: Calls, profile: bool) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="duban-status-bench-") as name:
        tmp = Path(name)
        small = await measure(calls.small, calls, False, tmp)
        gc.collect()
        big = await measure(calls.big, calls, True, tmp)
        gc.collect()
        print_size(small)
        print_size(big)
        misses = print_summary(small, big)
        print_phases(small, big, calls.phases)
        if profile:
            gc.collect()
            await profile_cold(calls.big, tmp)
    return misses


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="duban status and digest benchmark")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.warm} warm calls, {QUICK.cold[1]} cold and {QUICK.digest} digests a size",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="then print cProfile's top 15 of a cold /status and of the chart at 10,000 items",
    )
    args = p.parse_args(argv)
    calls = QUICK if args.quick else FULL
    started = time.perf_counter()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    print("duban status benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  {platform.platform()}, {platform.machine()}, {os.cpu_count() or '?'} CPUs")
    print(f"  now = {NOW.isoformat()} ({NOW:%A}); CJK font: {find_cjk_font() or 'none'}")
    print(
        f"  calls a size: {calls.warm} warm; cold {calls.cold[0]} at {calls.small:,} items and"
        f" {calls.cold[1]} at {calls.big:,}; digest {calls.digest} warm and {calls.digest} cold"
    )
    gc.callbacks.append(GC)
    try:
        misses = asyncio.run(run(calls, args.profile))
    except WrongResult as e:
        print(f"\nWRONG RESULT: {e}", file=sys.stderr)
        return 1
    finally:
        gc.callbacks.remove(GC)

    print(f"\ntotal run time {time.perf_counter() - started:.1f} s")
    if misses:
        print("MISSED: " + "; ".join(misses))
    else:
        print("all targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

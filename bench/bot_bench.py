"""Bot benchmark: duban's progress replies against a plain PTB echo bot, and one big nudge pass.

    python bench/bot_bench.py [--quick] [--concurrency 8,4,16] [--profile]

Everything runs in one process and one event loop, against the Bot API sandbox on loopback:

1. Progress-reply throughput. N contacts of seed 000's units each send M `/report <seq>
   完成NN%,预计11月底完成` commands at once; duban (the real Application of `build_application`)
   parses, stores and confirms every one. A minimal python-telegram-bot echo bot (Application +
   MessageHandler, the same polling settings and `concurrent_updates`) gets the same burst from
   the same number of people on a second sandbox. The two are run alternately after a warm-up,
   and the ratio duban/echo of messages handled per second is compared with the target >= 0.7.
2. A nudge pass of 3,000 units (one item and one contact each) under a sandbox global limit of
   300 msg/s, run by `run_nudge_pass` at a replayed date where every unit is due, with
   `send_rate` = the limit. The achieved rate (first to last sendMessage in the sandbox's call
   log) over the limit is compared with the target >= 0.9, with zero 429 responses. The pass is
   repeated for a few `send_concurrency` values, each time on a fresh copy of the database.

Exit status: 0 when every result was right, even if a target was missed (marked MISSED);
1 when a result was wrong (a lost or wrong confirmation, a report not stored, a missing or
duplicate nudge), because then the figures measure nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import gc
import io
import logging
import os
import platform
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

import telegram  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bot.app import UPDATE_SLOTS, build_application, running  # noqa: E402
from config import Settings  # noqa: E402
from plans.documents.sources import parse_file  # noqa: E402
from plans.model import Item, Plan, UnitRef  # noqa: E402
from sandbox import BotApiSandbox, Limit, SandboxUser  # noqa: E402
from services.core import Services  # noqa: E402
from services.nudging import PassReport, run_nudge_pass  # noqa: E402
from storage import Database, import_plan, items_by_ids, list_units, unit_item_ids  # noqa: E402
from storage.people_repo import create_invite, redeem_invite  # noqa: E402

DATA = ROOT / "tests" / "data"
SEED = DATA / "seeds" / "000_0585e7f56649ebe7.txt"
TZ = ZoneInfo("Asia/Shanghai")

DUBAN_TOKEN = "424242:BENCH-duban"
ECHO_TOKEN = "434343:BENCH-echo"
ADMIN_ID = 9001

# The same as running() uses, so that the echo bot polls like duban. (Its concurrent_updates
# is read from duban's Application.)
POLL_TIMEOUT = 1
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

REPLY_TEXT = "/report {seq} 完成{percent}%,预计11月底完成"
SENT_RE = re.compile(r"/report (\d+) 完成(\d+)%")
# "已记录 第 4 项《加快高新技术企业培育》:完成 60%,预计 2023-11-30 完成。…"
CONFIRMATION_RE = re.compile(r"已记录 第 (\d+) 项《[^》]*》:\D*(\d+)%")
TARGET_RATIO = 0.7
TARGET_LIMIT_SHARE = 0.9
# The reply benchmark's clock: mid-year, so "预计11月底完成" reads as 2023-11-30.
REPLY_NOW = datetime(2023, 6, 15, 10, 0, tzinfo=TZ)
# The nudge plan is imported on Feb 20; on Mon Dec 18 at 09:30 the Dec 31 deadline of every item
# is due (its 14-day nudge fell on Fri Dec 15, so this pass sends the catch-up).
IMPORT_AT = datetime(2023, 2, 20, 10, 0, tzinfo=TZ)
PASS_AT = datetime(2023, 12, 18, 9, 30, tzinfo=TZ)
DEADLINE = date(2023, 12, 31)
NUDGE_MARK = "【督办提醒】"
NUDGE_USER_BASE = 7_000_000
WARM_UP_UNITS = 300


class WrongResult(Exception):
    """The bot gave a result the benchmark did not expect."""


@dataclass(frozen=True)
class Sizes:
    contacts: int  # people sending progress replies
    replies: int  # messages each of them sends per round
    rounds: int  # timed rounds per bot
    units: int  # units (= items = contacts) of the nudge pass
    limit: int  # the sandbox's global limit for the pass, msg/s


FULL = Sizes(contacts=50, replies=10, rounds=3, units=3000, limit=300)
QUICK = Sizes(contacts=50, replies=4, rounds=2, units=300, limit=100)


# ---------------------------------------------------------------------------- output


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def rate(amount: float, seconds: float) -> float:
    return amount / seconds if seconds > 0 else float("inf")


def table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print("  " + fmt.format(*headers))
    print("  " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("  " + fmt.format(*row))


@dataclass
class CpuMeter:
    """Wall time, this process's CPU time (all threads) and the CPU the rest of the machine used.

    The last comes from /proc/stat (Linux): all busy CPU time minus ours, in cores. Anything
    well above 0 means other processes competed with the benchmark for the CPUs.
    """

    wall: float = 0.0
    cpu: float = 0.0
    others: float | None = None  # cores
    _start: tuple[float, float, float | None] = (0.0, 0.0, None)

    def __enter__(self) -> CpuMeter:
        self._start = (time.perf_counter(), time.process_time(), _machine_busy())
        return self

    def __exit__(self, *exc: object) -> None:
        wall0, cpu0, busy0 = self._start
        self.wall = time.perf_counter() - wall0
        self.cpu = time.process_time() - cpu0
        busy = _machine_busy()
        if busy is not None and busy0 is not None and self.wall > 0:
            self.others = max(0.0, (busy - busy0 - self.cpu) / self.wall)


def _machine_busy() -> float | None:
    """CPU seconds all processes have used since boot (user, system, irq, steal), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[1:9])
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def cores(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


class Profiler:
    """cProfile around the timed parts (with --profile): top 15 functions and time by package.

    Only own time (tottime) is shown: with coroutines, cProfile's cumulative time follows
    whichever task resumes, so it says little about which handler costs what.
    """

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.profiles: dict[str, cProfile.Profile] = {}
        self.messages: Counter[str] = Counter()

    @contextmanager
    def measure(self, name: str, messages: int) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        profile = self.profiles.setdefault(name, cProfile.Profile())
        self.messages[name] += messages
        profile.enable()
        try:
            yield
        finally:
            profile.disable()

    def report(self) -> None:
        for name, profile in self.profiles.items():
            n = self.messages[name]
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("tottime").print_stats(15)
            body = out.getvalue()
            at = body.find("   ncalls")
            print(f"\ncProfile of {name}, {n:,} messages: top 15 by own time")
            print(_short_paths(body[at:].rstrip() if at >= 0 else body.rstrip()))
            groups: Counter[str] = Counter()
            raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
            for (filename, _, function), (_, _, tottime, _, _) in raw.items():
                groups[_group(filename, function)] += tottime
            total = sum(groups.values())
            print(f"  own time by package: {total / n * 1000:.2f} ms per message in all")
            for group, seconds in groups.most_common(14):
                print(f"    {group:<34} {seconds / n * 1000:6.3f} ms/msg  {seconds / total:4.0%}")


NO_PROFILE = Profiler(enabled=False)


def _group(filename: str, function: str) -> str:
    """The package a profiled function belongs to, for the by-package breakdown."""
    if filename == "~":
        return "(idle in epoll)" if "epoll" in function else "(builtins)"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if path.is_relative_to(ROOT):
        top = path.relative_to(ROOT).parts[0]
        return {"sandbox": "sandbox (not duban)", "bench": "benchmark driver"}.get(
            top, f"duban {top}/"
        )
    if path.parent.name.startswith("python3"):
        return f"stdlib {path.stem}"
    return f"stdlib {path.parent.name}"  # a package: asyncio, json, …


def _short_paths(text: str) -> str:
    return text.replace(str(ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")


# ---------------------------------------------------------------------------- shared setup


def settings_for(sb: BotApiSandbox, database: Path, **extra: Any) -> Settings:
    """duban's settings for a bench run: no .env, the sandbox as the Bot API."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=SecretStr(sb.token),
        database=database,
        bot_api_url=sb.root,
        admin_ids=[ADMIN_ID],
        **extra,
    )


class Clock:
    """The bot's clock, fixed: the benchmark replays a date."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def no_limits(token: str, **kw: Any) -> BotApiSandbox:
    return BotApiSandbox(
        token=token, private_chat_limit=None, group_chat_limit=None, **{"global_limit": None, **kw}
    )


def send_calls_after(sb: BotApiSandbox, index: int) -> list[Any]:
    """sendMessage calls logged from position `index` of the call log on."""
    return [c for c in sb.calls[index:] if c.method == "sendMessage"]


# ---------------------------------------------------------------------------- 1. replies


@dataclass
class Contact:
    user: SandboxUser
    seqs: list[int]  # the items of the contact's unit, by sequence number


@dataclass
class Side:
    """One bot of the side-by-side comparison, with the people who write to it."""

    name: str
    sb: BotApiSandbox
    contacts: list[Contact]
    expect: Callable[[str], object]  # the key of the answer a sent text must get
    seen: Callable[[str], object]  # the key of an answer the bot sent
    check_db: Callable[[int], Any] | None = None  # async: the number of stored reports is right
    sent_total: int = 0
    rates: list[float] = field(default_factory=list)  # messages handled per second, per round
    cpu_ms: list[float] = field(default_factory=list)  # process CPU per message, per round
    concurrent_updates: int = 1
    others: list[float] = field(default_factory=list)  # other processes' CPU, cores, per round


def reply_texts(contact: Contact, index: int, count: int, start: int) -> list[str]:
    """`count` /report commands for items of the contact's unit, each a little different."""
    out = []
    for k in range(start, start + count):
        seq = contact.seqs[(index + k) % len(contact.seqs)]
        out.append(REPLY_TEXT.format(seq=seq, percent=10 + (index * 7 + k) % 80))
    return out


async def reply_round(
    side: Side, per_contact: int, profiler: Profiler | None = None
) -> tuple[float, float, float | None]:
    """Every contact sends `per_contact` messages at once: (messages handled per second,
    process CPU ms per message, other processes' CPU in cores).

    The clock runs from just before the first message is sent to the sandbox's timestamp of the
    bot's last answer. Every answer is then checked against what was sent.
    """
    sb = side.sb
    log_at = len(sb.calls)
    sends_before = sb.stats.by_method["sendMessage"]
    cursors = {c.user.id: len(sb.sent(c.user.id)) for c in side.contacts}
    batches = [
        reply_texts(c, i, per_contact, side.sent_total // max(1, len(side.contacts)))
        for i, c in enumerate(side.contacts)
    ]
    total = per_contact * len(side.contacts)
    gc.collect()
    with (profiler or NO_PROFILE).measure(f"{side.name} replies", total), CpuMeter() as meter:
        started = time.time()
        for k in range(per_contact):  # one message from each person, then the next
            for contact, texts in zip(side.contacts, batches, strict=True):
                contact.user.send_text(texts[k])
        await sb.wait_for(
            lambda: sb.stats.by_method["sendMessage"] - sends_before >= total or None,
            timeout=60 + total / 20,
            what=f"{total} answers from {side.name}",
        )
    calls = send_calls_after(sb, log_at)
    ended = max(c.at for c in calls)
    await asyncio.sleep(0.05)  # anything extra the bot sends shows up as a wrong result below
    side.sent_total += total
    check_answers(side, cursors, batches)
    if side.check_db is not None:
        await side.check_db(side.sent_total)
    return rate(total, ended - started), meter.cpu / total * 1000, meter.others


def check_answers(side: Side, cursors: dict[int, int], batches: list[list[str]]) -> None:
    problems: list[str] = []
    failed = [c for c in side.sb.calls if c.status != 200 and c.method != "getUpdates"]
    if failed:
        problems.append(f"{len(failed)} failed calls, e.g. {failed[0].method} {failed[0].status}")
    if side.sb.errors:
        problems.append(f"the sandbox failed: {side.sb.errors[0]!r}")
    for contact, texts in zip(side.contacts, batches, strict=True):
        answers = [
            m["text"] or "" for m in side.sb.sent(contact.user.id)[cursors[contact.user.id] :]
        ]
        want = Counter(side.expect(t) for t in texts)
        got = Counter(side.seen(a) for a in answers)
        if got != want:
            missing = list((want - got).elements())[:2]
            extra = list((got - want).elements())[:2]
            problems.append(
                f"{side.name}, chat {contact.user.id}: {len(answers)} answers to {len(texts)}"
                f" messages; missing {missing}, unexpected {extra}"
            )
        if len(problems) >= 5:
            break
    if problems:
        raise WrongResult(f"{side.name} answered wrongly:\n    " + "\n    ".join(problems))


def sent_key(text: str) -> object:
    """(item, percent) of a /report command the benchmark sent."""
    m = SENT_RE.match(text)
    assert m is not None
    return int(m.group(1)), int(m.group(2))


def confirmation_key(text: str) -> object:
    """(item, percent) of duban's confirmation, or the text itself if it is not one."""
    m = CONFIRMATION_RE.match(text)
    return (int(m.group(1)), int(m.group(2))) if m else text


async def duban_side(stack: AsyncExitStack, tmp: Path, n_contacts: int) -> Side:
    sb = await stack.enter_async_context(no_limits(DUBAN_TOKEN))
    settings = settings_for(
        sb,
        tmp / "replies.db",
        # The sandbox has no limit here and duban's own limiter is not what is measured: let it
        # allow far more than the bot can send (it still runs, and its cost counts as duban's).
        send_rate=100_000.0,
    )
    db = await stack.enter_async_context(await Database.open(settings.database))
    parsed = parse_file(SEED)
    await import_plan(
        db, parsed.plan, source_name=SEED.name, content_hash=parsed.content_hash, now=IMPORT_AT
    )
    units = await list_units(db)
    owned = await unit_item_ids(db, [u.id for u in units])
    items = await items_by_ids(db, sorted(set().union(*owned.values())))
    contacts: list[Contact] = []
    for i in range(n_contacts):
        unit = units[i % len(units)]
        seqs = sorted(items[item_id].item.seq for item_id in owned[unit.id])
        user = sb.create_user(f"联络员{i + 1}", started=True)
        token = f"bench-invite-{i}"
        await create_invite(
            db,
            token=token,
            role="contact",
            unit_id=unit.id,
            created_by=ADMIN_ID,
            expires_at=REPLY_NOW + timedelta(days=7),
            now=REPLY_NOW,
        )
        await redeem_invite(
            db, token=token, user_id=user.id, chat_id=user.id, display_name=user.first_name,
            now=REPLY_NOW,
        )  # fmt: skip
        contacts.append(Contact(user, seqs))

    svc = Services(settings=settings, db=db, clock=Clock(REPLY_NOW))
    app = build_application(settings, db, services=svc)
    await stack.enter_async_context(running(app, poll_timeout=POLL_TIMEOUT))

    async def check_db(expected: int) -> None:
        rows = await db.fetchall(
            "SELECT count(*), count(DISTINCT message_id || ':' || chat_id),"
            " sum(percent IS NOT NULL AND expected_date = '2023-11-30') FROM reports"
        )
        count, distinct, understood = (int(v or 0) for v in rows[0])
        if not (count == distinct == understood == expected):
            raise WrongResult(
                f"duban stored {count} reports ({distinct} distinct messages, {understood} with"
                f" percent and expected date 2023-11-30), expected {expected}"
            )

    return Side(
        "duban",
        sb,
        contacts,
        expect=sent_key,
        seen=confirmation_key,
        check_db=check_db,
        concurrent_updates=UPDATE_SLOTS,  # handlers at once; PTB's own bound counts waiting ones
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


@asynccontextmanager
async def echo_running(app: Application) -> Any:  # type: ignore[type-arg]
    """Polling exactly as duban's running() does, without duban's menus."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def echo_side(stack: AsyncExitStack, n_contacts: int, concurrent_updates: int) -> Side:
    sb = await stack.enter_async_context(no_limits(ECHO_TOKEN))
    app = (
        Application.builder()
        .token(sb.token)
        .base_url(sb.base_url)
        .base_file_url(sb.base_file_url)
        .concurrent_updates(concurrent_updates)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await stack.enter_async_context(echo_running(app))
    contacts = [
        Contact(sb.create_user(f"用户{i + 1}", started=True), list(range(1, 29)))
        for i in range(n_contacts)
    ]
    return Side(
        "echo",
        sb,
        contacts,
        expect=lambda t: t,
        seen=lambda t: t,
        concurrent_updates=concurrent_updates,
    )


async def bench_replies(sizes: Sizes, tmp: Path, profiler: Profiler) -> list[str]:
    async with AsyncExitStack() as stack:
        duban = await duban_side(stack, tmp, sizes.contacts)
        echo_bot = await echo_side(stack, sizes.contacts, duban.concurrent_updates)
        sides = (duban, echo_bot)
        for side in sides:  # warm-up: connections, caches, the first SQLite pages
            await reply_round(side, 2)
        for _ in range(sizes.rounds):
            for side in sides:
                handled, cpu_ms, others = await reply_round(side, sizes.replies, profiler)
                side.rates.append(handled)
                side.cpu_ms.append(cpu_ms)
                if others is not None:
                    side.others.append(others)

    total = sizes.contacts * sizes.replies
    print(
        f"1. Progress replies: {sizes.contacts} contacts x {sizes.replies} messages at once"
        f" ({total} per round), {sizes.rounds} rounds each, alternating after a warm-up;"
        f" no sandbox limits; concurrent_updates {duban.concurrent_updates} for both"
    )
    rows = []
    for side in sides:
        rows.append(
            [
                side.name,
                f"{max(side.rates):,.0f}",
                f"{statistics.median(side.rates):,.0f}",
                " ".join(f"{r:,.0f}" for r in side.rates),
                f"{1000 / max(side.rates):.2f}",
                f"{statistics.median(side.cpu_ms):.2f}",
                cores(max(side.others) if side.others else None),
            ]
        )
    table(
        [
            "bot",
            "best msg/s",
            "median msg/s",
            "rounds msg/s",
            "ms/msg (best)",
            "CPU ms/msg",
            "other load",
        ],
        rows,
    )
    ratio = max(duban.rates) / max(echo_bot.rates)
    median_ratio = statistics.median(duban.rates) / statistics.median(echo_bot.rates)
    print(
        f"  every /report parsed, stored (percent + expected date) and confirmed;"
        f" {duban.sent_total} reports in SQLite"
    )
    print(
        f"  ratio duban/echo: {ratio:.2f} (best), {median_ratio:.2f} (median),"
        f" target >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}"
    )
    return [] if ratio >= TARGET_RATIO else [f"reply throughput ratio {ratio:.2f}"]


# ---------------------------------------------------------------------------- 2. nudge pass


def nudge_plan(units: int) -> Plan:
    """A plan of `units` items, each with its own unit and a Dec 31 deadline."""
    items = tuple(
        Item(
            seq=n,
            number=f"{n}.",
            path=(),
            kind="task",
            title=f"第{n}项重点任务",
            text=f"{n}.第{n}项重点任务年底前完成。(责任单位:第{n}单位)",
            units=(UnitRef(f"第{n}单位"),),
            deadline=DEADLINE,
            deadline_text="年底前",
        )
        for n in range(1, units + 1)
    )
    return Plan(title=f"{units}个单位的基准计划", year=2023, items=items)


async def build_nudge_db(path: Path, units: int) -> None:
    """The template database: the plan, and one contact per unit (chat id = user id)."""
    async with await Database.open(path) as db:
        result = await import_plan(
            db, nudge_plan(units), source_name="bench", content_hash=f"bench-{units}",
            now=IMPORT_AT,
        )  # fmt: skip
        if result.items_added != units or len(result.units_created) != units:
            raise WrongResult(f"the {units}-unit plan imported as {result}")
        rows = await db.fetchall("SELECT id, name FROM units ORDER BY id")
        stamp = IMPORT_AT.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO contacts (unit_id, role, telegram_user_id, chat_id, display_name,"
                " joined_at) VALUES (?, 'contact', ?, ?, ?, ?)",
                [
                    (r["id"], NUDGE_USER_BASE + k, NUDGE_USER_BASE + k, f"{r['name']}联络员", stamp)
                    for k, r in enumerate(rows)
                ],
            )


@dataclass
class PassResult:
    concurrency: int
    sent: int
    span: float  # first to last sendMessage, s
    wall: float  # the whole run_nudge_pass call, s
    cpu: float  # process CPU time (all threads) during the pass, s
    others: float | None  # CPU other processes used meanwhile, cores
    too_many: int
    rate_limited: int

    @property
    def rate(self) -> float:
        # n messages spaced 1/r apart span (n - 1)/r seconds
        return rate(self.sent - 1, self.span)


async def nudge_pass(
    template: Path, db_path: Path, sizes: Sizes, concurrency: int, profiler: Profiler
) -> PassResult:
    shutil.copyfile(template, db_path)
    limit = Limit.per_second(sizes.limit)
    async with BotApiSandbox(
        token=DUBAN_TOKEN, global_limit=limit, private_chat_limit=None, group_chat_limit=None
    ) as sb:
        users = [
            sb.create_user(f"联络员{k + 1}", user_id=NUDGE_USER_BASE + k, started=True)
            for k in range(sizes.units)
        ]
        settings = settings_for(
            sb, db_path, send_rate=float(sizes.limit), send_concurrency=concurrency
        )
        async with await Database.open(db_path) as db:
            svc = Services(settings=settings, db=db, clock=Clock(PASS_AT))
            app = build_application(settings, db, services=svc)
            async with app:  # as `duban send-due --at` runs it: no polling
                log_at = len(sb.calls)
                gc.collect()
                name = f"nudge pass, send_concurrency={concurrency}"
                with profiler.measure(name, sizes.units), CpuMeter() as meter:
                    report = await run_nudge_pass(svc, app.bot, now=PASS_AT)
            pending = await db.fetchall("SELECT count(*) FROM nudges WHERE state = 'pending'")
        calls = send_calls_after(sb, log_at)
        check_nudges(sb, users, report, calls, int(pending[0][0]))
        times = [c.at for c in calls if c.status == 200]
        return PassResult(
            concurrency=concurrency,
            sent=len(times),
            span=max(times) - min(times),
            wall=meter.wall,
            cpu=meter.cpu,
            others=meter.others,
            too_many=sb.stats.too_many_requests,
            rate_limited=sb.stats.rate_limited,
        )


def check_nudges(
    sb: BotApiSandbox, users: list[SandboxUser], report: PassReport, calls: list[Any], pending: int
) -> None:
    problems: list[str] = []
    n = len(users)
    if not report.ran or report.units_sent != n or report.messages_sent != n:
        problems.append(f"the pass reported: {report.summary()}")
    if report.failed or report.unreachable or report.waiting_units:
        problems.append(
            f"failed {report.failed[:3]}, unreachable {report.unreachable[:3]},"
            f" waiting {report.waiting_units[:3]}"
        )
    if pending:
        problems.append(f"{pending} nudges still pending after the pass")
    if sb.errors:
        problems.append(f"the sandbox failed: {sb.errors[0]!r}")
    wrong = []
    for k, user in enumerate(users):
        nudges = [m for m in sb.sent(user.id) if NUDGE_MARK in (m["text"] or "")]
        if len(nudges) != 1 or f"第{k + 1}单位" not in (nudges[0]["text"] or ""):
            wrong.append(f"contact {k + 1}: {len(nudges)} nudges")
    if wrong:
        problems.append(f"{len(wrong)} of {n} contacts did not get exactly one nudge: {wrong[:3]}")
    others = [c for c in calls if c.status not in (200, 429)]
    if others:
        problems.append(
            f"{len(others)} sends failed, e.g. {others[0].status} {others[0].description}"
        )
    if problems:
        raise WrongResult("the nudge pass went wrong:\n    " + "\n    ".join(problems))


async def bench_nudges(
    sizes: Sizes, tmp: Path, concurrencies: list[int], profiler: Profiler
) -> list[str]:
    template = tmp / "nudges-template.db"
    started = time.perf_counter()
    await build_nudge_db(template, sizes.units)
    setup = time.perf_counter() - started
    default = Settings.model_fields["send_concurrency"].default
    # Warm-up: a small pass first, so that the first timed pass does not pay for first use.
    warm = dataclasses.replace(sizes, units=min(WARM_UP_UNITS, sizes.units))
    await build_nudge_db(tmp / "nudges-warm-up-template.db", warm.units)
    await nudge_pass(
        tmp / "nudges-warm-up-template.db", tmp / "nudges-warm-up.db", warm, default, NO_PROFILE
    )
    results = []
    for k, concurrency in enumerate(concurrencies):
        results.append(
            await nudge_pass(
                template,
                tmp / f"nudges-{k}.db",
                sizes,
                concurrency,
                profiler if concurrency == default else NO_PROFILE,
            )
        )

    print(
        f"\n2. Nudge pass: {sizes.units:,} units, one item and one contact each, sandbox global"
        f" limit {sizes.limit} msg/s, send_rate {sizes.limit}"
    )
    print(f"  (plan import and {sizes.units:,} contacts: {setup:.1f} s, not measured)")
    rows = []
    for r in results:
        rows.append(
            [
                f"{r.concurrency}{' (default)' if r.concurrency == default else ''}",
                f"{r.sent:,}",
                f"{r.span:.2f}",
                f"{r.rate:,.1f}",
                f"{r.rate / sizes.limit:.3f}",
                str(r.too_many),
                str(r.rate_limited),
                f"{r.wall:.2f}",
                f"{r.cpu / r.sent * 1000:.2f}",
                f"{r.cpu / r.wall:.0%}",
                cores(r.others),
            ]
        )
    table(
        [
            "send_concurrency",
            "sent",
            "first..last s",
            "msg/s",
            "÷ limit",
            "429s",
            "by limit",
            "pass s",
            "CPU ms/msg",
            "CPU/pass",
            "other load",
        ],
        rows,
    )
    print(f"  every one of the {sizes.units:,} contacts got exactly one nudge, in every run")
    best = max(results, key=lambda r: (r.too_many == 0, r.rate))
    close = [r.concurrency for r in results if r.too_many == 0 and r.rate >= 0.98 * best.rate]
    print(
        f"  best send_concurrency: {best.concurrency} ({best.rate:,.1f} msg/s);"
        f" within 2% of it: {', '.join(map(str, close))}"
    )
    main = next((r for r in results if r.concurrency == default), results[0])
    share = main.rate / sizes.limit
    ok = share >= TARGET_LIMIT_SHARE and main.too_many == 0
    print(
        f"  send_concurrency {main.concurrency}: {share:.3f} of the limit with {main.too_many}"
        f" 429s, target >= {TARGET_LIMIT_SHARE} with no 429: {verdict(ok)}"
    )
    return [] if ok else [f"nudge pass at {share:.3f} of the limit with {main.too_many} 429s"]


# ---------------------------------------------------------------------------- main


async def run(sizes: Sizes, concurrencies: list[int], profiler: Profiler) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="duban-bot-bench-") as name:
        tmp = Path(name)
        misses = await bench_replies(sizes, tmp, profiler)
        misses += await bench_nudges(sizes, tmp, concurrencies, profiler)
    return misses


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="duban bot benchmark")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK.units} units at {QUICK.limit} msg/s, fewer and smaller reply rounds",
    )
    p.add_argument(
        "--concurrency",
        default="8,4,16",
        help="send_concurrency values for the nudge pass, comma-separated (default 8,4,16)",
    )
    p.add_argument(
        "--profile", action="store_true", help="print cProfile's top 15 of duban's parts"
    )
    args = p.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    try:
        concurrencies = [int(v) for v in args.concurrency.split(",") if v.strip()]
    except ValueError:
        p.error("--concurrency takes numbers separated by commas")
    if not concurrencies or min(concurrencies) < 1:
        p.error("--concurrency needs at least one value >= 1")
    started = time.perf_counter()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    print("duban bot benchmark")
    print(f"  Python {platform.python_version()} ({platform.python_implementation()})")
    print(f"  {platform.platform()}, {platform.machine()}, {os.cpu_count() or '?'} CPUs")
    print(f"  python-telegram-bot {telegram.__version__}; sandbox on 127.0.0.1, one event loop")
    print()
    if not SEED.exists():
        print(f"bot_bench: no seed {SEED}", file=sys.stderr)
        return 1
    profiler = Profiler(args.profile)
    if args.profile:
        print(
            "  --profile: cProfile slows every bot down; compare figures only between normal runs"
        )
        print()
    try:
        misses = asyncio.run(run(sizes, concurrencies, profiler))
    except WrongResult as e:
        print(f"\nWRONG RESULT: {e}", file=sys.stderr)
        return 1
    profiler.report()

    print(f"\ntotal run time {time.perf_counter() - started:.1f} s")
    if misses:
        print("MISSED: " + "; ".join(misses))
    else:
        print("all targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

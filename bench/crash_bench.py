"""Crashes in the middle of a nudge pass: SIGKILL `duban send-due` at random moments, restart it.

    python bench/crash_bench.py [--units 300] [--kills 20] [--latency 0.25] [--seed 1] [--quick]

A plan of N units in a real SQLite file, one item each, except units 7, 57, 107, …, which
have 120 (their message is two chunks). Every unit has a contact; every 3rd a second one and
every 5th a third (one private chat each), so a unit's message goes to several chats in turn.
The Bot API sandbox runs in this process with Telegram's flood limits and `latency` seconds on
every sendMessage. `duban send-due --at <a working day>` runs as a subprocess, as cron starts it,
and is killed with SIGKILL a random moment (uniform in [0, window]) after its first message was
answered; then it is started again, K times in all. A pass claims all its units at its start,
so a restart before the killed run's lease (DUBAN_CLAIM_LEASE, 1 s here) has run out finds them
held and ends at once; it is started again, as cron would. After the last kill, once the lease
has run out, a final pass runs to its end and one more finds nothing left to do.

What is counted, from the sandbox's call log, the chats and the database:
- lost: chats that did not get every item of their unit (must be 0);
- duplicates: copies of a message beyond the first;
- in flight at a kill: sendMessage requests the killed process wrote (the sandbox took them up
  before the next run started: a request written just before the kill may be taken up just
  after it) and the sandbox answered after the kill -- the message arrives all the same, the
  killed process never hears of it;
- answered, not yet recorded: requests answered just before the kill whose answer the killed
  process had not yet written down as delivered (still `sending` in nudge_deliveries; it may
  have noted the message itself for replies just before) -- in flight from duban's side; the
  gap between the answer and the kill is printed;
- wrong duplicates: copies of a message the database had recorded as delivered (must be 0).
Every duplicate must be one of the two kinds in flight: duplicates = in flight (sandbox) +
answered-not-recorded, and none of a recorded message. Exit status 1 when a check fails.

The suite runs a small version (tests/test_nudge_delivery.py: --quick's 40 units, with 2 kills);
the figures of a full run are in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from plans.model import Item, Plan, UnitRef  # noqa: E402
from sandbox import ApiCall, BotApiSandbox  # noqa: E402
from storage import Database, import_plan  # noqa: E402
from storage.people_repo import create_invite, redeem_invite  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "626262:CRASH-bench_token"
IMPORT_AT = datetime(2023, 2, 20, 10, 0, tzinfo=TZ)
PASS_AT = "2023-12-18T09:30"  # a Monday, 13 days before the deadline: every unit is due
DEADLINE = date(2023, 12, 31)
USER_BASE = 8_000_000
LONG_EVERY = 50  # units 7, 57, 107, … have LONG_ITEMS items: a two-chunk message
LONG_ITEMS = 120
LEASE = 1  # seconds (DUBAN_CLAIM_LEASE): short, so the final pass need not wait long


@dataclass(frozen=True)
class Sizes:
    units: int
    kills: int
    latency: float  # seconds the sandbox takes over each sendMessage
    window: float  # a kill comes uniformly within this many seconds after the first answer
    check: bool = True  # run one more pass after the final one (it must find nothing to do)


FULL = Sizes(units=300, kills=20, latency=0.25, window=1.0)
QUICK = Sizes(units=40, kills=3, latency=0.25, window=0.6, check=False)


@dataclass
class Kill:
    """One SIGKILL and what the sandbox and the database said about that moment."""

    at: float  # time.time() just before the signal
    after_first: float  # seconds after the run's first answered sendMessage
    # when the next run started: a request the killed one wrote may reach the sandbox's
    # handler only after the kill, but before that, none of another process can
    next_start: float = float("inf")
    in_flight: int = 0  # sendMessage received before, answered after
    # (chat, message) recorded as delivered: in nudge_deliveries' message_ids (in bot_messages
    # for a duban without that table)
    recorded: set[tuple[int, int]] = field(default_factory=set)
    sending: set[int] = field(default_factory=set)  # chats left `sending` in the database
    duplicates: int = 0  # copies caused by this kill, of either kind
    unrecorded: int = 0  # of those, answered before the kill but not yet recorded
    gaps: list[float] = field(default_factory=list)  # answer → kill, for those


@dataclass
class Figures:
    """What a run of the bench found."""

    sizes: Sizes
    chats: int
    long_units: int
    kills: list[Kill]
    lost: list[str]
    duplicates: int
    wrong: list[str]  # duplicates of a recorded message, or of one not in flight at any kill
    final_summary: str
    check_summary: str
    restarts: int  # runs started before the final pass (a restart may find all held)
    pending_after: int
    seconds: float

    @property
    def in_flight(self) -> int:
        return sum(k.in_flight for k in self.kills)

    @property
    def unrecorded(self) -> int:
        return sum(k.unrecorded for k in self.kills)

    def problems(self) -> list[str]:
        found: list[str] = []
        if self.lost:
            found.append(f"{len(self.lost)} chats lost items, e.g. {self.lost[:3]}")
        if self.wrong:
            found.append(f"{len(self.wrong)} duplicates not in flight, e.g. {self.wrong[:3]}")
        if self.duplicates > self.in_flight + self.unrecorded:
            found.append(
                f"{self.duplicates} duplicates > {self.in_flight} in flight"
                f" + {self.unrecorded} answered but not recorded"
            )
        if self.pending_after:
            found.append(f"{self.pending_after} nudges still pending after the final pass")
        if self.sizes.check and " 0 units claimed" not in self.check_summary:
            found.append(f"the pass after the final one still claimed: {self.check_summary}")
        return found

    def report(self) -> str:
        s = self.sizes
        lines = [
            f"crash bench: {s.units} units, {self.chats} chats ({self.long_units} two-chunk"
            f" messages' units), sandbox latency {s.latency} s, {len(self.kills)} kills"
            f" within {s.window} s of a run's first answer ({self.restarts} runs started);"
            f" {self.seconds:.0f} s in all",
            "  kill  after first answer  in flight  duplicates  (answered, not yet recorded)",
        ]
        for n, k in enumerate(self.kills, 1):
            gaps = f"  gap {max(k.gaps) * 1000:.0f} ms" if k.gaps else ""
            lines.append(
                f"  {n:>4}  {k.after_first:>17.2f}s  {k.in_flight:>9}  {k.duplicates:>10}"
                f"  ({k.unrecorded}){gaps}"
            )
        lines += [
            f"  lost: {len(self.lost)} chats",
            f"  duplicates: {self.duplicates} = in flight at the kills {self.in_flight}"
            f" (sandbox) + answered but not yet recorded {self.unrecorded};"
            f" wrong (not in flight): {len(self.wrong)}",
            f"  final pass: {self.final_summary}",
        ]
        if self.sizes.check:
            lines.append(f"  pass after it: {self.check_summary}")
        return "\n".join(lines)


def crash_plan(units: int) -> tuple[Plan, dict[str, list[str]]]:
    """The plan, and each unit's item titles (what its chats must receive)."""
    items: list[Item] = []
    titles: dict[str, list[str]] = {}
    for n in range(1, units + 1):
        unit = f"第{n}单位"
        count = LONG_ITEMS if n % LONG_EVERY == 7 else 1
        for j in range(1, count + 1):
            title = f"第{n}单位第{j}项任务" + ("推进重点工作落实到位" if count > 1 else "")
            seq = len(items) + 1
            items.append(
                Item(
                    seq=seq,
                    number=f"{seq}.",
                    path=(),
                    kind="task",
                    title=title,
                    text=f"{seq}.{title}年底前完成。(责任单位:{unit})",
                    units=(UnitRef(unit),),
                    deadline=DEADLINE,
                    deadline_text="年底前",
                )
            )
            titles.setdefault(unit, []).append(title)
    return Plan(title=f"{units}个单位的崩溃基准计划", year=2023, items=tuple(items)), titles


def contacts_of(n: int) -> int:
    """How many contacts unit n has."""
    return 1 + (n % 3 == 0) + (n % 5 == 0)


async def build_db(path: Path, units: int) -> tuple[dict[int, str], dict[str, list[str]]]:
    """The plan and every unit's contacts; returns chat → unit name, and unit → titles."""
    plan, titles = crash_plan(units)
    chats: dict[int, str] = {}
    async with await Database.open(path) as db:
        await import_plan(
            db, plan, source_name="crash-bench", content_hash=f"crash-{units}", now=IMPORT_AT
        )
        rows = await db.fetchall("SELECT id, name FROM units ORDER BY id")
        ids = {r["name"]: int(r["id"]) for r in rows}
        expires = IMPORT_AT + timedelta(days=7)
        for n in range(1, units + 1):
            unit = f"第{n}单位"
            for c in range(contacts_of(n)):
                chat = USER_BASE + n * 10 + c
                token = f"crash-{n}-{c}"
                await create_invite(
                    db, token=token, role="contact", unit_id=ids[unit], created_by=0,
                    expires_at=expires, now=IMPORT_AT,
                )  # fmt: skip
                await redeem_invite(
                    db, token=token, user_id=chat, chat_id=chat,
                    display_name=f"{unit}联络员{c + 1}", now=IMPORT_AT,
                )  # fmt: skip
                chats[chat] = unit
    return chats, titles


def env_for(tmp: Path, root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_DATABASE=str(tmp / "duban.db"),
        DUBAN_BOT_API_URL=root,
        DUBAN_BOT_TOKEN=TOKEN,
        DUBAN_CLAIM_LEASE=str(LEASE),
        DUBAN_LANGUAGE="zh",
    )
    return env


async def start_pass(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "send-due", "--at", PASS_AT, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def run_pass(env: dict[str, str], cwd: Path) -> str:
    """A pass to its end; its one-line summary."""
    proc = await start_pass(env, cwd)
    out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"send-due exited {proc.returncode}: {err.decode()[-2000:]}")
    return out.decode().strip()


def sends(sb: BotApiSandbox) -> list[ApiCall]:
    return sb.calls_to("sendMessage")


def look_at_db(path: Path, kill: Kill) -> None:
    """What the killed process had written down: messages recorded as delivered, chats left
    `sending`. duban notes a message (bot_messages, for replies) and then its delivery, in two
    statements: a kill between them leaves the chat `sending`, in doubt, so the deliveries are
    what says a message arrived."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            rows = conn.execute("SELECT chat_id, state, message_ids FROM nudge_deliveries")
            deliveries = [(int(c), str(state), json.loads(ids)) for c, state, ids in rows]
        except sqlite3.OperationalError:  # a duban that does not note what is in flight
            kill.recorded = {
                (int(c), int(m))
                for c, m in conn.execute(
                    "SELECT chat_id, message_id FROM bot_messages WHERE kind = 'nudge'"
                )
            }
            kill.sending = set()
        else:
            kill.recorded = {(c, int(m)) for c, _, ids in deliveries for m in ids}
            kill.sending = {c for c, state, _ in deliveries if state == "sending"}
    finally:
        conn.close()


def lease_free_at(path: Path) -> float:
    """When (time.time()) no pending nudge is held any longer: claimed_at is stored to the
    second, and `claim_units` takes a claim over once claimed_at < now - lease (both to the
    second), that is from claimed_at + lease + 1 s on. 0 when none is held."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (last,) = conn.execute(
            "SELECT max(claimed_at) FROM nudges WHERE state = 'pending' AND claimed_at IS NOT NULL"
        ).fetchone()
    finally:
        conn.close()
    if last is None:
        return 0.0
    return datetime.fromisoformat(str(last).replace("Z", "+00:00")).timestamp() + LEASE + 1


def pending_nudges(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT count(*) FROM nudges WHERE state = 'pending'").fetchone()
        return int(row[0])
    finally:
        conn.close()


async def first_answer(
    sb: BotApiSandbox, proc: asyncio.subprocess.Process, started: float
) -> ApiCall | None:
    """The run's first answered sendMessage (None if the run ended without one); a request
    the killed run left in flight may be answered after this one started, and does not count."""

    def found() -> ApiCall | bool | None:
        call = next((c for c in sends(sb) if c.status == 200 and c.at - c.duration > started), None)
        return call or (proc.returncode is not None) or None

    got = await sb.wait_for(found, timeout=60, what="the pass's first message")
    return got if isinstance(got, ApiCall) else None


async def run_crashes(sizes: Sizes, tmp: Path, *, seed: int = 1) -> Figures:
    """The whole run: build, kill K times, final pass, count."""
    rng = random.Random(seed)
    started = time.monotonic()
    chats, titles = await build_db(tmp / "duban.db", sizes.units)
    async with BotApiSandbox(token=TOKEN) as sb:
        for chat in chats:
            sb.create_user(f"联络员{chat}", user_id=chat, started=True)
        sb.set_latency(sizes.latency, "sendMessage")
        env = env_for(tmp, sb.root)
        kills: list[Kill] = []
        restarts = 0
        while len(kills) < sizes.kills:
            start = time.time()
            if kills and kills[-1].next_start == float("inf"):
                kills[-1].next_start = start
            proc = await start_pass(env, tmp)
            restarts += 1
            first = await first_answer(sb, proc, start)
            if first is None:  # it ended without sending
                out, err = await proc.communicate()
                if proc.returncode != 0:
                    raise RuntimeError(f"send-due exited {proc.returncode}: {err.decode()[-2000:]}")
                if "left to another pass" in out.decode():
                    continue  # the killed run's lease had not run out yet: cron comes again
                break  # nothing left to send
            await asyncio.sleep(rng.uniform(0, sizes.window))
            now = time.time()
            try:
                proc.send_signal(signal.SIGKILL)
            except ProcessLookupError:  # it finished first: nothing left to send
                await proc.communicate()
                break
            await proc.communicate()
            kill = Kill(at=now, after_first=now - first.at)
            look_at_db(tmp / "duban.db", kill)
            kills.append(kill)
            # what the killed run had written reaches the sandbox's handlers before a restart
            await asyncio.sleep(sizes.latency)
        # the requests in flight at the last kill are answered within the latency, and the
        # final pass must find the killed run's claims run out
        await asyncio.sleep(
            max(sizes.latency, lease_free_at(tmp / "duban.db") + 0.05 - time.time())
        )
        if kills:
            kills[-1].next_start = time.time()
        final = await run_pass(env, tmp)
        check = await run_pass(env, tmp) if sizes.check else ""
        figures = count(sb, chats, titles, kills)
        assert not sb.errors, sb.errors
    return Figures(
        sizes=sizes,
        chats=len(chats),
        long_units=(sizes.units + LONG_EVERY - 7) // LONG_EVERY,
        kills=kills,
        lost=figures[0],
        duplicates=figures[1],
        wrong=figures[2],
        final_summary=final,
        check_summary=check,
        restarts=restarts,
        pending_after=pending_nudges(tmp / "duban.db"),
        seconds=time.monotonic() - started,
    )


def count(
    sb: BotApiSandbox, chats: dict[int, str], titles: dict[str, list[str]], kills: list[Kill]
) -> tuple[list[str], int, list[str]]:
    """Lost chats, duplicates, and the duplicates no kill explains.

    A message that went out n times was sent again n - 1 times: each copy but the last must
    have been in doubt at a kill (in flight, or answered but not yet recorded), and is counted
    against that kill.
    """
    answered = [c for c in sends(sb) if c.status == 200]
    for kill in kills:
        kill.in_flight = sum(1 for c in answered if in_flight(c, kill))
    by_message: dict[tuple[str, object], list[ApiCall]] = {}
    for c in answered:
        by_message.setdefault((str(c.params.get("chat_id")), c.params.get("text")), []).append(c)
    lost: list[str] = []
    wrong: list[str] = []
    duplicates = 0
    for chat, unit in chats.items():
        sent = sb.sent(chat)
        text = "\n".join(m["text"] or "" for m in sent)
        missing = [t for t in titles[unit] if t not in text]
        if missing:
            lost.append(f"{chat} ({unit}): {len(missing)} items missing")
        for raw, n in Counter(m["raw_text"] for m in sent).items():
            if n < 2:
                continue
            duplicates += n - 1
            messages = [m["message_id"] for m in sent if m["raw_text"] == raw]
            calls = sorted(by_message.get((str(chat), raw), []), key=lambda c: c.at)
            if len(calls) != n:
                wrong.append(f"chat {chat}: {n} copies but {len(calls)} answered requests")
                continue
            for call, message_id in zip(calls[:-1], messages, strict=False):
                why = classify(call, chat, message_id, kills)
                if why:
                    wrong.append(f"chat {chat}: {why}")
    return lost, duplicates, wrong


def in_flight(call: ApiCall, kill: Kill) -> bool:
    """Whether the request was on its way at the kill: written by the killed process (it
    reached the sandbox before the next run started) and not answered before the kill."""
    return call.at - call.duration < kill.next_start and call.at > kill.at


def classify(call: ApiCall, chat: int, message_id: int, kills: list[Kill]) -> str:
    """Why a message was sent again: '' when it was in doubt at a kill, else the fault."""
    for kill in kills:
        if in_flight(call, kill):
            kill.duplicates += 1
            return ""
    later = [k for k in kills if k.at >= call.at]
    if not later:
        return f"message {message_id} answered after the last kill, yet sent again"
    kill = later[0]
    if (chat, message_id) in kill.recorded:
        return f"message {message_id} was recorded as delivered before the kill"
    if chat not in kill.sending:
        return f"message {message_id} was answered {kill.at - call.at:.3f} s before a kill"
    kill.duplicates += 1
    kill.unrecorded += 1
    kill.gaps.append(kill.at - call.at)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=FULL.units)
    parser.add_argument("--kills", type=int, default=FULL.kills)
    parser.add_argument("--latency", type=float, default=FULL.latency)
    parser.add_argument("--window", type=float, default=FULL.window)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.units} units, 3 kills")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes(args.units, args.kills, args.latency, args.window)
    with tempfile.TemporaryDirectory(prefix="duban-crash-") as tmp:
        figures = asyncio.run(run_crashes(sizes, Path(tmp), seed=args.seed))
    print(figures.report())
    problems = figures.problems()
    for problem in problems:
        print(f"FAILED: {problem}")
    print("all checks held" if not problems else f"{len(problems)} checks failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

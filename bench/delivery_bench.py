"""Delivery under faults: a burst of progress replies while the Bot API misbehaves.

    python bench/delivery_bench.py [--contacts 500] [--units 1000] [--only burst|pass]
                                   [--seed 1] [--quick]

N contacts of seed 000's units (joined through real invites in a real SQLite file) each send
one progress reply at the same moment -- half as `/report <seq> 完成NN%`, half as free text
`<seq> 完成NN%` -- to the real Application of `build_application`, polling the Bot API sandbox
with Telegram's flood limits (30 msg/s overall, 1 msg/s per chat). Meanwhile a fault driver
deals the bot's calls a shuffled deck per block of 100 calls:

- 5 answered 500/502/503/504 (the call has no effect),
- 1 stalled past the client's read timeout (the call then takes effect: a timed-out send may
  have been delivered),
- 1 dropped after it took effect (accepted, but the answer was lost),
- 1 burst of 4 consecutive 429s with retry_after 1 s.

Checks: every reply is stored exactly once, with the text that was sent; every contact gets a
confirmation; no contact is told that something failed. Confirmations are at-least-once: a
send whose answer was lost (or timed out) is sent again, so a few contacts see theirs twice --
counted and printed, not an error. Exit status 1 when a check fails.

Then a nudge pass under the same deck (`--units 1000`): `run_nudge_pass`, as `duban send-due`
runs it (the real Bot of `build_application`, no polling), over a plan of N units with one item
and one contact each, at a replayed date where every unit is due, with a short claim lease. A
pass that leaves nudges pending (a chat whose three tries all failed) is followed by another,
after the lease runs out if a claim is still held. Checks: every contact has its nudge, the
nudges table says `sent` for all, and every duplicate is explained -- a chat gets a second copy
only where a sendMessage to it was stalled past the timeout or lost its answer after it took
effect.

The suite runs small versions of both (tests/test_delivery.py, tests/test_pass_faults.py); the
figures of a full run are in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from bench.bot_bench import (  # noqa: E402
    NUDGE_MARK,
    NUDGE_USER_BASE,
    PASS_AT,
    build_nudge_db,
)
from bot.app import build_application, running  # noqa: E402
from config import Settings  # noqa: E402
from handlers.sender import TelegramSender  # noqa: E402
from plans.documents.sources import parse_file  # noqa: E402
from render.texts import Texts  # noqa: E402
from sandbox import BotApiSandbox, SandboxUser  # noqa: E402
from services.core import Services  # noqa: E402
from services.nudging import PassReport, run_nudge_pass  # noqa: E402
from storage import Database, import_plan, items_by_ids, list_units, unit_item_ids  # noqa: E402
from storage.people_repo import create_invite, redeem_invite  # noqa: E402

SEED = ROOT / "tests" / "data" / "seeds" / "000_0585e7f56649ebe7.txt"
TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "515151:BENCH-delivery"
ADMIN_ID = 9001
NOW = datetime(2023, 6, 15, 10, 0, tzinfo=TZ)
CONFIRMED = "已记录"
ERROR_TEXT = Texts("zh")("error")
SERVER_ERRORS = (500, 502, 503, 504)


@dataclass(frozen=True)
class Deck:
    """How many of each fault one block of calls gets, at shuffled positions."""

    block: int = 100
    errors: int = 5
    stalls: int = 1
    drops: int = 1
    bursts: int = 1
    burst_size: int = 4

    def cards(self, rng: random.Random) -> list[str | None]:
        cards: list[str | None] = (
            ["error"] * self.errors
            + ["stall"] * self.stalls
            + ["drop"] * self.drops
            + ["burst"] * self.bursts
        )
        cards += [None] * (self.block - len(cards))
        rng.shuffle(cards)
        return cards


@dataclass
class FaultDriver:
    """Deals a card to every call the sandbox logs; a fault card hits the call after it."""

    sb: BotApiSandbox
    deck: Deck
    rng: random.Random
    stall_seconds: float
    dealt: Counter[str] = field(default_factory=Counter)
    _hand: list[str | None] = field(default_factory=list)

    def _next(self) -> str | None:
        if not self._hand:
            self._hand = self.deck.cards(self.rng)
        return self._hand.pop()

    def deal(self, card: str) -> None:
        sb = self.sb
        if card == "error":
            sb.inject(None, self.rng.choice(SERVER_ERRORS))
        elif card == "stall":
            sb.stall(1, None, seconds=self.stall_seconds)
        elif card == "drop":
            sb.drop_connections(1, None, after_processing=True)
        elif card == "burst":
            sb.inject(None, 429, self.deck.burst_size, retry_after=1)
        self.dealt[card] += 1

    async def run(self) -> None:
        """Until cancelled: deal for every call logged since the last look (every 5 ms)."""
        seen = len(self.sb.calls)
        while True:
            await asyncio.sleep(0.005)
            now = len(self.sb.calls)
            for call in self.sb.calls[seen:now]:
                if call.method == "getUpdates":
                    continue
                card = self._next()
                if card is not None:
                    self.deal(card)
            seen = now


@dataclass
class Person:
    user: SandboxUser
    seq: int
    text: str
    sent_at: float = 0.0


@dataclass
class BurstResult:
    """What a burst did; `problems` lists every check that failed (empty: all held)."""

    contacts: int
    seconds: float
    stored: int
    stored_once: int
    texts_right: int
    confirmed: int
    confirmations: int
    told_error: int
    calls: int
    dealt: Counter[str]
    statuses: Counter[int]
    dropped: int
    stalled: int
    latencies: list[float]
    problems: list[str]

    @property
    def duplicates(self) -> int:
        return self.confirmations - self.confirmed

    def lines(self) -> list[str]:
        lat = sorted(self.latencies) or [0.0]
        p50 = statistics.median(lat)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        s = self.statuses
        return [
            f"{self.contacts} contacts, one reply each, sent at once; done in {self.seconds:.1f} s",
            f"bot calls {self.calls}: 200 {s[200]}, 5xx {sum(s[c] for c in SERVER_ERRORS)},"
            f" 429 {s[429]}, answers dropped after the send took effect {self.dropped},"
            f" stalled past the client timeout {self.stalled}",
            f"faults dealt: {self.dealt['error']} server errors, {self.dealt['stall']} stalls,"
            f" {self.dealt['drop']} lost answers, {self.dealt['burst']} bursts of 429",
            f"reports stored {self.stored} (exactly once: {self.stored_once},"
            f" text as sent: {self.texts_right})",
            f"contacts confirmed {self.confirmed}/{self.contacts},"
            f" confirmations sent {self.confirmations} ({self.duplicates} duplicates),"
            f" told something failed: {self.told_error}",
            f"time to confirmation: median {p50:.2f} s, p95 {p95:.2f} s, max {lat[-1]:.2f} s",
        ]


def settings_for(sb: BotApiSandbox, database: Path, api_timeout: float) -> Settings:
    """duban's settings for the burst: no .env, the sandbox as the Bot API."""
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        bot_token=SecretStr(sb.token),
        database=database,
        bot_api_url=sb.root,
        admin_ids=[ADMIN_ID],
        scheduler=False,
        api_timeout=api_timeout,
    )


async def _people(db: Database, sb: BotApiSandbox, count: int) -> list[Person]:
    """`count` contacts spread over the units, each with one item of their unit to report."""
    units = [u for u in await list_units(db) if u.item_count]
    owned = await unit_item_ids(db, [u.id for u in units])
    items = await items_by_ids(db, sorted(set().union(*owned.values())))
    people = []
    for i in range(count):
        unit = units[i % len(units)]
        seqs = sorted(items[item_id].item.seq for item_id in owned[unit.id])
        seq = seqs[(i // len(units)) % len(seqs)]
        user = sb.create_user(f"联络员{i + 1}", started=True)
        token = f"burst-invite-{i}"
        await create_invite(
            db,
            token=token,
            role="contact",
            unit_id=unit.id,
            created_by=ADMIN_ID,
            expires_at=NOW + timedelta(days=7),
            now=NOW,
        )
        await redeem_invite(
            db, token=token, user_id=user.id, chat_id=user.id, display_name=user.first_name,
            now=NOW,
        )  # fmt: skip
        percent = 10 + i % 80
        text = f"/report {seq} 完成{percent}%" if i % 2 == 0 else f"{seq} 完成{percent}%"
        people.append(Person(user, seq, text))
    return people


def _confirmations(sb: BotApiSandbox, person: Person) -> list[str]:
    return [m["text"] or "" for m in sb.sent(person.user.id) if CONFIRMED in (m["text"] or "")]


async def run_burst(
    tmp: Path, contacts: int, deck: Deck, *, seed: int = 1, api_timeout: float = 5.0
) -> BurstResult:
    """One burst of `contacts` replies under the faults of `deck`; see the module docstring.
    `api_timeout` is the bot's DUBAN_API_TIMEOUT: a stalled call outlasts it by a second."""
    rng = random.Random(seed)
    async with BotApiSandbox(token=TOKEN) as sb:  # Telegram's limits
        settings = settings_for(sb, tmp / "burst.db", api_timeout)
        async with await Database.open(settings.database) as db:
            parsed = parse_file(SEED)
            await import_plan(
                db, parsed.plan, source_name=SEED.name, content_hash=parsed.content_hash, now=NOW
            )
            people = await _people(db, sb, contacts)
            svc = Services(settings=settings, db=db, clock=lambda: NOW)
            app = build_application(settings, db, services=svc)
            read_timeout = app.bot.request.read_timeout or 5.0
            driver = FaultDriver(sb, deck, rng, stall_seconds=read_timeout + 1.0)
            async with running(app, poll_timeout=1):
                first_call = len(sb.calls)
                faults = asyncio.create_task(driver.run())
                started = time.perf_counter()
                for person in people:
                    person.sent_at = time.time()
                    person.user.send_text(person.text)
                with contextlib.suppress(TimeoutError):  # the missing ones are counted below
                    await sb.wait_for(
                        lambda: all(_confirmations(sb, p) for p in people) or None,
                        timeout=60 + contacts * 0.3,
                        what="a confirmation for every contact",
                    )
                seconds = time.perf_counter() - started
                faults.cancel()
                sb.clear_faults()
                # stalled calls answer late (and then take effect): let them land
                stalled = driver.dealt["stall"]
                await sb.wait_for(
                    lambda: (
                        sum(c.duration >= driver.stall_seconds for c in sb.calls[first_call:])
                        >= stalled
                        or None
                    ),
                    timeout=driver.stall_seconds + 10,
                    what="stalled calls to finish",
                )
            rows = await db.fetchall(
                "SELECT reporter_user_id, count(*), max(text) FROM reports GROUP BY 1"
            )
        calls = [c for c in sb.calls[first_call:] if c.method != "getUpdates"]
        by_user = {int(r[0]): (int(r[1]), str(r[2])) for r in rows}
        # what a report keeps: the text after "/report <seq>"; of a free text, the text (or
        # what follows the item number: which one is the reply parser's business, not this)
        expected = {
            p.user.id: {p.text.split(None, 2)[-1]}
            if p.text.startswith("/")
            else {p.text, p.text.split(None, 1)[-1]}
            for p in people
        }
        first_ok: dict[int, float] = {}
        for c in calls:
            if c.method == "sendMessage" and c.status == 200:
                chat = int(c.params.get("chat_id", 0))
                first_ok.setdefault(chat, c.at)
        latencies = [first_ok[p.user.id] - p.sent_at for p in people if p.user.id in first_ok]
        confirmed = sum(bool(_confirmations(sb, p)) for p in people)
        told_error = sum(
            any(ERROR_TEXT in (m["text"] or "") for m in sb.sent(p.user.id)) for p in people
        )
        result = BurstResult(
            contacts=contacts,
            seconds=seconds,
            stored=sum(n for n, _ in by_user.values()),
            stored_once=sum(by_user.get(uid, (0, ""))[0] == 1 for uid in expected),
            texts_right=sum(by_user.get(uid, (0, ""))[1] in t for uid, t in expected.items()),
            confirmed=confirmed,
            confirmations=sum(len(_confirmations(sb, p)) for p in people),
            told_error=told_error,
            calls=len(calls),
            dealt=driver.dealt,
            statuses=Counter(c.status for c in calls if c.status is not None),
            dropped=sum(c.status is None for c in calls),
            stalled=sum(c.duration >= driver.stall_seconds for c in calls),
            latencies=latencies,
            problems=[],
        )
        if result.stored != contacts or result.stored_once != contacts:
            result.problems.append(
                f"{result.stored} reports stored for {contacts} replies,"
                f" {result.stored_once} contacts with exactly one"
            )
        if result.texts_right != contacts:
            result.problems.append(f"only {result.texts_right} reports hold the text sent")
        if result.confirmed != contacts:
            missing = [p.user.id for p in people if not _confirmations(sb, p)]
            result.problems.append(f"{len(missing)} contacts got no confirmation: {missing[:10]}")
        if told_error:
            result.problems.append(f"{told_error} contacts were told something failed")
        if sb.errors:
            result.problems.append(f"sandbox errors: {sb.errors[:3]}")
        return result


# ---------------------------------------------------------------------------- a nudge pass

PASS_LEASE = 5  # s: DUBAN_CLAIM_LEASE for the pass, short so a held claim is soon taken over
MAX_PASSES = 5


@dataclass
class PassFaultResult:
    """What a nudge pass under faults did; `problems` lists every check that failed."""

    units: int
    seconds: float
    passes: int
    lease_waits: int  # passes that had to wait for a claim's lease to run out first
    reports: list[str]  # each pass's summary
    calls: int  # bot calls during the passes (sendMessage and the rest)
    sends: int  # sendMessage calls
    nudge_messages: int  # nudge messages the contacts have, duplicates included
    delivered: int  # contacts with their unit's nudge
    duplicates: int  # nudge messages beyond one per contact
    explained: int  # sendMessage calls that took effect with no answer (lost or timed out)
    unexplained: int  # duplicates in chats with fewer such calls than extra copies
    nudges_sent: int  # rows of the nudges table in state sent
    nudges_other: Counter[str]  # rows in any other state, by state
    dealt: Counter[str]
    statuses: Counter[int]  # of the sendMessage calls
    dropped: int  # sendMessage calls whose answer was lost after they took effect
    stalled: int  # sendMessage calls stalled past the client timeout (then taking effect)
    stall_ends: Counter[int]  # how the sandbox answered those once the stall ended
    problems: list[str]

    def lines(self) -> list[str]:
        s = self.statuses
        other = ", ".join(f"{k} {v}" for k, v in sorted(self.nudges_other.items())) or "none"
        return [
            f"{self.units} units, one item and one contact each, all due; {self.passes}"
            f" pass(es) ({self.lease_waits} waited for a lease of {PASS_LEASE} s),"
            f" {self.seconds:.1f} s",
            *(f"pass {k + 1}: {line}" for k, line in enumerate(self.reports)),
            f"bot calls {self.calls}, sendMessage {self.sends}: 200 {s[200]},"
            f" 5xx {sum(s[c] for c in SERVER_ERRORS)}, 429 {s[429]},"
            f" answers lost after the send took effect {self.dropped},"
            f" stalled past the client timeout {self.stalled} (answered when the stall"
            f" ended: {', '.join(f'{k} {v}' for k, v in sorted(self.stall_ends.items()))})",
            f"faults dealt: {self.dealt['error']} server errors, {self.dealt['stall']} stalls,"
            f" {self.dealt['drop']} lost answers, {self.dealt['burst']} bursts of 429",
            f"contacts with their nudge {self.delivered}/{self.units},"
            f" nudge messages {self.nudge_messages} ({self.duplicates} duplicates;"
            f" explained by lost or timed-out sends: {self.explained},"
            f" unexplained {self.unexplained})",
            f"nudges table: sent {self.nudges_sent}, other states: {other}",
        ]


def pass_settings(sb: BotApiSandbox, database: Path, lease: int, api_timeout: float) -> Settings:
    """duban's settings for `duban send-due`: the burst's, with a short claim lease."""
    return settings_for(sb, database, api_timeout).model_copy(update={"claim_lease": lease})


def _stalls_waiting(sb: BotApiSandbox) -> int:
    """Stall faults dealt but not yet taken by a call (they never will be once cleared).

    The sandbox keeps its fault queue private; the bench reads it to know how many stalled
    calls are still to land, rather than sleeping for the longest stall."""
    return sum(1 for fault in sb._faults if fault.stall)


async def _lease_held(db: Database, lease: int) -> float:
    """Seconds until the last live claim on a pending nudge runs out (0: none held)."""
    rows = await db.fetchall(
        "SELECT max(claimed_at) FROM nudges WHERE state = 'pending' AND claimed_at IS NOT NULL"
    )
    if rows[0][0] is None:
        return 0.0
    claimed = datetime.fromisoformat(str(rows[0][0]).replace("Z", "+00:00"))
    left = lease - (datetime.now(claimed.tzinfo) - claimed).total_seconds()
    return max(0.0, left)


async def run_pass(
    tmp: Path,
    units: int,
    deck: Deck,
    *,
    seed: int = 1,
    lease: int = PASS_LEASE,
    api_timeout: float = 5.0,
) -> PassFaultResult:
    """A nudge pass to `units` units under the faults of `deck`; see the module docstring.
    `api_timeout` is the bot's DUBAN_API_TIMEOUT: a stalled call outlasts it by a second."""
    rng = random.Random(seed)
    database = tmp / "pass.db"
    await build_nudge_db(database, units)
    async with BotApiSandbox(token=TOKEN) as sb:  # Telegram's limits
        users = [
            sb.create_user(f"联络员{k + 1}", user_id=NUDGE_USER_BASE + k, started=True)
            for k in range(units)
        ]
        settings = pass_settings(sb, database, lease, api_timeout)
        reports: list[PassReport] = []
        lease_waits = 0
        async with await Database.open(database) as db:
            svc = Services(settings=settings, db=db, clock=lambda: PASS_AT)
            app = build_application(settings, db, services=svc)
            read_timeout = app.bot.request.read_timeout or 5.0
            driver = FaultDriver(sb, deck, rng, stall_seconds=read_timeout + 1.0)
            async with app:  # as `duban send-due --at` runs it: no polling
                first_call = len(sb.calls)
                faults = asyncio.create_task(driver.run())
                started = time.perf_counter()
                try:
                    while len(reports) < MAX_PASSES:
                        wait = await _lease_held(db, lease)
                        if wait:  # a claim outlived its pass: the next one takes it over
                            lease_waits += 1
                            await asyncio.sleep(wait + 0.1)  # the lease is wall-clock time
                        reports.append(
                            await run_nudge_pass(svc, TelegramSender(app.bot), now=PASS_AT)
                        )
                        pending = await db.fetchall(
                            "SELECT count(*) FROM nudges WHERE state = 'pending'"
                        )
                        if not pending[0][0]:
                            break
                finally:
                    faults.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await faults
                seconds = time.perf_counter() - started
                # stalled calls answer late (and then take effect): let them land
                stalled_taken = driver.dealt["stall"] - _stalls_waiting(sb)
                sb.clear_faults()
                await sb.wait_for(
                    lambda: (
                        sum(c.duration >= driver.stall_seconds for c in sb.calls[first_call:])
                        >= stalled_taken
                        or None
                    ),
                    timeout=driver.stall_seconds + 10,
                    what="stalled calls to finish",
                )
            states = await db.fetchall("SELECT state, count(*) FROM nudges GROUP BY state")
        calls = [c for c in sb.calls[first_call:] if c.method != "getUpdates"]
        sends = [c for c in calls if c.method == "sendMessage"]
        # per chat: the sends that took effect with no answer the bot could see
        blind: Counter[int] = Counter()
        for c in sends:
            lost = c.status is None
            timed_out = c.status == 200 and c.duration >= driver.stall_seconds
            if lost or timed_out:
                blind[int(c.params.get("chat_id", 0))] += 1
        delivered = 0
        copies: dict[int, int] = {}
        for k, user in enumerate(users):
            mine = [
                m["text"] or ""
                for m in sb.sent(user.id)
                if NUDGE_MARK in (m["text"] or "") and f"第{k + 1}单位" in (m["text"] or "")
            ]
            copies[user.id] = len(mine)
            delivered += bool(mine)
        duplicates = sum(max(0, n - 1) for n in copies.values())
        unexplained = sum(max(0, n - 1 - blind[chat]) for chat, n in copies.items())
        by_state = Counter({str(r[0]): int(r[1]) for r in states})
        nudges_sent = by_state.pop("sent", 0)
        result = PassFaultResult(
            units=units,
            seconds=seconds,
            passes=len(reports),
            lease_waits=lease_waits,
            reports=[r.summary() for r in reports],
            calls=len(calls),
            sends=len(sends),
            nudge_messages=sum(copies.values()),
            delivered=delivered,
            duplicates=duplicates,
            explained=sum(blind.values()),
            unexplained=unexplained,
            nudges_sent=nudges_sent,
            nudges_other=by_state,
            dealt=driver.dealt,
            statuses=Counter(c.status for c in sends if c.status is not None),
            dropped=sum(c.status is None for c in sends),
            stalled=sum(c.duration >= driver.stall_seconds for c in sends),
            stall_ends=Counter(c.status or 0 for c in sends if c.duration >= driver.stall_seconds),
            problems=[],
        )
        if delivered != units:
            missing = [k + 1 for k, u in enumerate(users) if not copies[u.id]]
            result.problems.append(
                f"{units - delivered} contacts got no nudge (units {missing[:10]})"
            )
        if unexplained:
            extra = [chat for chat, n in copies.items() if n - 1 > blind[chat]]
            result.problems.append(
                f"{unexplained} duplicates not explained by a lost or timed-out send,"
                f" chats {extra[:10]}"
            )
        if nudges_sent != units or by_state:
            result.problems.append(f"nudges table: {nudges_sent} sent, others {dict(by_state)}")
        if any(r.unreachable for r in reports):
            result.problems.append(
                "chats marked unreachable: "
                + "; ".join(", ".join(r.unreachable) for r in reports if r.unreachable)
            )
        if sb.errors:
            result.problems.append(f"sandbox errors: {sb.errors[:3]}")
        return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="duban delivery under Bot API faults")
    p.add_argument("--contacts", type=int, default=500, help="contacts replying at once")
    p.add_argument("--units", type=int, default=1000, help="units of the nudge pass")
    p.add_argument(
        "--only", choices=("burst", "pass"), help="run one part: the reply burst or the pass"
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the fault deck")
    p.add_argument("--quick", action="store_true", help="100 contacts, 100 units")
    args = p.parse_args(argv)
    contacts = 100 if args.quick else args.contacts
    units = 100 if args.quick else args.units
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    deck = Deck()
    print("duban delivery bench: Bot API faults during a burst of replies and a nudge pass")
    print(
        f"  per {deck.block} bot calls: {deck.errors} 5xx, {deck.stalls} stalled past the"
        f" client timeout, {deck.drops} answer lost after the send, {deck.bursts} burst of"
        f" {deck.burst_size} x 429 (seed {args.seed})"
    )
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "burst"):
            print("\n1. A burst of progress replies")
            result = asyncio.run(run_burst(Path(tmp), contacts, deck, seed=args.seed))
            for line in result.lines():
                print("  " + line)
            problems += result.problems
            if not result.problems:
                print("  every reply stored once and confirmed; nobody told something failed")
        if args.only in (None, "pass"):
            print(f"\n2. A nudge pass (duban send-due), claim lease {PASS_LEASE} s")
            passed = asyncio.run(run_pass(Path(tmp), units, deck, seed=args.seed))
            for line in passed.lines():
                print("  " + line)
            problems += passed.problems
            if not passed.problems:
                print(
                    "  every contact has its nudge, every nudge is sent, every duplicate"
                    " follows a lost or timed-out send"
                )
    if problems:
        print("WRONG RESULT: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Nudges and digests that never go out twice when they need not: two passes at once, crashes
mid-pass, and chats that moved (a group upgraded to a supergroup) or went away.

Real SQLite files, the real Application talking to the Bot API sandbox; the crash test kills
`duban send-due` processes (bench/crash_bench.py, small).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bench.crash_bench import (
    IMPORT_AT,
    QUICK,
    build_db,
    run_crashes,
)
from bot.app import build_application
from config import Settings
from handlers.sender import TelegramSender
from plans.model import PersonRole
from sandbox import BotApiSandbox
from services.core import Services
from services.digests import iso_week, send_digest
from services.nudging import PassReport, run_nudge_pass
from storage import Database
from storage.db import utc_timestamp
from storage.nudges_repo import (
    ClaimEnd,
    DueRow,
    claim_units,
    end_claim,
    mark_sending,
    record_due,
)
from storage.people_repo import create_invite, redeem_invite
from storage.status_repo import claim_digest, digest_delivered
from tests.e2e_support import TZ, Clock

TOKEN = "636363:NUDGE-delivery"
PASS_AT = datetime(2023, 12, 18, 9, 30, tzinfo=TZ)  # a Monday: nudges and the digest are due
LEASE = 300


def settings_for(sb: BotApiSandbox, database: Path, **extra: Any) -> Settings:
    # chat_rate 0: the sandboxes here have no per-chat limit, and a digest's text and chart or
    # a long nudge's chunks would each wait Telegram's second
    return Settings(
        bot_token=SecretStr(TOKEN),
        database=database,
        bot_api_url=sb.root,
        claim_lease=LEASE,
        **{"send_concurrency": 4, "chat_rate": 0, **extra},
    )


@dataclass
class Bot:
    """One duban process's worth: its own database connections and Application."""

    db: Database
    svc: Services
    app: Any

    async def pass_at(self, when: datetime) -> PassReport:
        return await run_nudge_pass(self.svc, TelegramSender(self.app.bot), now=when)


@asynccontextmanager
async def bots(
    sb: BotApiSandbox, database: Path, count: int, **extra: Any
) -> AsyncIterator[list[Bot]]:
    """`count` bots on one database file, as the bot and a cron `duban send-due` would be."""
    async with AsyncExitStack() as stack:
        out = []
        for _ in range(count):
            settings = settings_for(sb, database, **extra)
            db = await stack.enter_async_context(await Database.open(database))
            svc = Services(settings=settings, db=db, clock=Clock(PASS_AT))
            app = build_application(settings, db, services=svc)
            await stack.enter_async_context(app)
            out.append(Bot(db, svc, app))
        yield out


def users_for(sb: BotApiSandbox, chats: dict[int, str]) -> None:
    for chat in chats:
        sb.create_user(f"联络员{chat}", user_id=chat, started=True)


def copies(sb: BotApiSandbox, chat: int) -> Counter[str | None]:
    return Counter(m["raw_text"] for m in sb.sent(chat))


def missing(sb: BotApiSandbox, chat: int, titles: list[str]) -> list[str]:
    text = "\n".join(m["text"] or "" for m in sb.sent(chat))
    return [t for t in titles if t not in text]


async def join(db: Database, token: str, role: PersonRole, chat: int, unit_id: int | None) -> None:
    await create_invite(
        db, token=token, role=role, unit_id=unit_id, created_by=0,
        expires_at=IMPORT_AT + timedelta(days=7), now=IMPORT_AT,
    )  # fmt: skip
    await redeem_invite(
        db, token=token, user_id=abs(chat), chat_id=chat, display_name=f"{role}{chat}",
        now=IMPORT_AT,
    )  # fmt: skip


# -- two passes at once -----------------------------------------------------------------------


async def test_two_passes_at_once_send_each_chat_its_message_once(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    chats, titles = await build_db(database, 24)  # unit 7's message is two chunks
    # no flood limits (nor pacing): the 37 messages took 1.3 s at Telegram's 30 a second
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None, global_limit=None) as sb:
        users_for(sb, chats)
        sb.set_latency(0.03, "sendMessage")  # both passes are mid-way at once
        async with bots(sb, database, 2, send_rate=2000) as (one, two):
            first, second = await asyncio.gather(one.pass_at(PASS_AT), two.pass_at(PASS_AT))
            again = await one.pass_at(PASS_AT + timedelta(hours=1))
        twice = {chat: n for chat in chats for n in copies(sb, chat).values() if n > 1}
        assert not twice, f"sent twice: {twice}"
        assert not [chat for chat, unit in chats.items() if missing(sb, chat, titles[unit])]
        assert first.claimed + second.claimed == 24, (first.summary(), second.summary())
        assert first.units_sent + second.units_sent == 24
        assert again.claimed == 0 and again.messages_sent == 0
        assert "units claimed" in first.summary()


async def test_two_digests_at_once_go_out_once(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    await build_db(database, 3)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        readers = {9101: "leader", 9102: "coordinator", 9103: "admin"}
        for chat in readers:
            sb.create_user(f"读者{chat}", user_id=chat, started=True)
        async with bots(sb, database, 2) as (one, two):
            for chat, role in readers.items():
                await join(one.db, f"digest-{chat}", role, chat, None)  # type: ignore[arg-type]
            # the scheduled digest and `duban digest --send` (force) at the same moment
            results = await asyncio.gather(
                send_digest(one.svc, TelegramSender(one.app.bot), PASS_AT),
                send_digest(two.svc, TelegramSender(two.app.bot), PASS_AT, force=True),
            )
            later = await send_digest(one.svc, TelegramSender(one.app.bot), PASS_AT, force=True)
        sent = [r for r in results if r is not None]
        assert len(sent) == 1 and sent[0].recipients == 3 and later is None
        for chat in readers:
            photos = [m for m in sb.sent(chat) if m["method"] == "sendPhoto"]
            assert len(photos) == 1, (chat, len(photos))


async def test_a_crashed_digest_is_taken_over_without_the_chats_it_reached(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    await build_db(database, 2)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        readers = {9201: "leader", 9202: "coordinator"}
        for chat in readers:
            sb.create_user(f"读者{chat}", user_id=chat, started=True)
        async with bots(sb, database, 1) as (one,):
            for chat, role in readers.items():
                await join(one.db, f"digest-{chat}", role, chat, None)  # type: ignore[arg-type]
            # a sender reached the leader, then died; its lease has run out
            week = iso_week(PASS_AT.date())
            gone = datetime.now(UTC) - timedelta(seconds=LEASE + 5)
            assert await claim_digest(one.db, week, owner="dead", now=gone, lease=LEASE) == []
            assert await digest_delivered(one.db, week, owner="dead", chat_id=9201, now=gone)
            result = await send_digest(one.svc, TelegramSender(one.app.bot), PASS_AT)
        assert result is not None and result.recipients == 2
        assert sb.sent(9201) == []  # it had it
        assert [m["method"] for m in sb.sent(9202)][-1] == "sendPhoto"


# -- crashes ------------------------------------------------------------------------------------


async def test_killed_passes_lose_nothing_and_repeat_only_what_was_in_flight(
    tmp_path: Path,
) -> None:
    """bench/crash_bench.py --quick with two kills, not three: the first kills a pass that
    started afresh, the second one that took over what the first left in doubt. Each kill costs
    about 2 s, mostly waiting for the killed pass's lease (1 s, stored to the second)."""
    sizes = replace(QUICK, kills=2)
    figures = await run_crashes(sizes, tmp_path, seed=3)
    print(figures.report())
    assert not figures.problems(), "\n".join(figures.problems())
    assert len(figures.kills) == sizes.kills and figures.in_flight > 0  # it did kill mid-send


async def test_a_claim_is_all_or_nothing_until_its_lease_runs_out(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    await build_db(database, 2)
    async with await Database.open(database) as db:
        items = await db.fetchall("SELECT item_id, unit_id FROM item_units ORDER BY item_id")
        await record_due(
            db,
            [
                DueRow(r["unit_id"], r["item_id"], kind, PASS_AT.date(), None)
                for r in items
                for kind in ("upcoming", "cycle")
            ],
            now=PASS_AT,
        )
        one, two = (int(r["unit_id"]) for r in items)
        nudges = {
            unit: [
                int(r["id"])
                for r in await db.fetchall("SELECT id FROM nudges WHERE unit_id = ?", (unit,))
            ]
            for unit in (one, two)
        }
        t = datetime.now(UTC)
        # A holds one of unit one's two nudges: B gets unit two, and nothing of unit one
        a = await claim_units(db, {one: nudges[one][:1]}, owner="A", now=t, lease=60)
        b = await claim_units(db, nudges, owner="B", now=t, lease=60)
        assert list(a) == [one] and list(b) == [two]
        assert list(b[two].nudge_ids) == nudges[two]
        # once A's lease ran out, B gets all of unit one; A may no longer send
        later = t + timedelta(seconds=62)
        taken = await claim_units(db, {one: nudges[one]}, owner="B", now=later, lease=60)
        assert list(taken[one].nudge_ids) == nudges[one]
        assert not await mark_sending(
            db, a[one], chat_id=1, nudge_ids=nudges[one][:1], fingerprint="x", chunk=0, now=later
        )
        assert await mark_sending(
            db, taken[one], chat_id=1, nudge_ids=nudges[one], fingerprint="x", chunk=0, now=later
        )
        await end_claim(db, taken[one], ClaimEnd([], None, None, 0), now=PASS_AT)  # none arrived
        rows = await db.fetchall("SELECT state, claimed_by FROM nudges WHERE unit_id = ?", (one,))
        assert {(r["state"], r["claimed_by"]) for r in rows} == {("pending", None)}
        marks = await db.fetchall("SELECT nudge_id, state, claimed_by FROM nudge_deliveries")
        assert sorted(tuple(r) for r in marks) == [(n, "sending", "B") for n in nudges[one]]


async def test_a_crashed_pass_is_taken_over_after_its_lease(tmp_path: Path) -> None:
    """The state a SIGKILL leaves, made by rewinding a finished pass: unit 3's second chat and
    the second chunk of unit 7's long message were in flight (they arrived; the database still
    says `sending`), unit 3's first chat had its message recorded."""
    database = tmp_path / "duban.db"
    chats, titles = await build_db(database, 7)
    long_chat = next(c for c, u in chats.items() if u == "第7单位")
    first, second = sorted(c for c, u in chats.items() if u == "第3单位")
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        users_for(sb, chats)
        async with bots(sb, database, 1) as (bot,):
            done = await bot.pass_at(PASS_AT)
            assert done.claimed == 7 and done.uncertain == 0
            long_messages = sb.sent(long_chat)
            assert len(long_messages) == 2  # two chunks
            in_flight = [
                (second, sb.sent(second)[0]["message_id"]),
                (long_chat, long_messages[1]["message_id"]),
            ]
            claimed_at = utc_timestamp(datetime.now(UTC))
            await rewind(bot.db, ("第3单位", "第7单位"), in_flight, claimed_at)

            # within the lease the claims are the dead pass's: left alone
            busy = await bot.pass_at(PASS_AT)
            assert busy.busy == 2 and busy.claimed == 0 and busy.messages_sent == 0

            expired = utc_timestamp(datetime.now(UTC) - timedelta(seconds=LEASE + 5))
            await bot.db.write_one(
                "UPDATE nudges SET claimed_at = ? WHERE claimed_by = 'dead'", (expired,)
            )
            report = await bot.pass_at(PASS_AT)
            pending = await bot.db.fetchall("SELECT id FROM nudges WHERE state != 'sent'")
    assert report.claimed == 2 and report.uncertain == 2 and report.resent == 2
    assert report.messages_sent == 2, report.summary()
    assert len(sb.sent(first)) == 1  # recorded as delivered: not sent again
    assert [m["raw_text"] for m in sb.sent(second)] == [sb.sent(second)[0]["raw_text"]] * 2
    again = sb.sent(long_chat)
    assert len(again) == 3 and again[2]["raw_text"] == again[1]["raw_text"]  # chunk 2 only
    assert not missing(sb, long_chat, titles["第7单位"])
    assert "2 chats left mid-request by an earlier pass" in report.summary()
    assert "2 resent" in report.summary()
    assert pending == []


async def rewind(
    db: Database, units: tuple[str, ...], in_flight: list[tuple[int, int]], claimed_at: str
) -> None:
    """Put the database back as a pass killed with these messages in flight leaves it."""
    async with db.transaction() as conn:
        unit_ids = [
            int(r[0])
            for r in await conn.execute_fetchall(
                f"SELECT id FROM units WHERE name IN ({','.join('?' * len(units))})", units
            )
        ]
        marks = ",".join("?" * len(unit_ids))
        await conn.execute(
            "UPDATE nudges SET state = 'pending', sent_at = NULL, batch_id = NULL,"
            " chat_id = NULL, message_id = NULL, claimed_by = 'dead', claimed_at = ?"
            f" WHERE unit_id IN ({marks})",
            (claimed_at, *unit_ids),
        )
        for chat, message in in_flight:
            await conn.execute(
                "UPDATE nudge_deliveries SET state = 'sending', chunks_done = chunks_done - 1,"
                " message_ids = json_remove(message_ids, '$[#-1]') WHERE chat_id = ?",
                (chat,),
            )
            await conn.execute(
                "DELETE FROM bot_messages WHERE chat_id = ? AND message_id = ?", (chat, message)
            )


# -- chats that moved or went away -----------------------------------------------------------


async def test_an_upgraded_group_is_moved_and_nudged_there_once(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    chats, titles = await build_db(database, 4)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        users_for(sb, chats)
        unit1 = next(c for c, u in chats.items() if u == "第1单位")
        unit2 = next(c for c, u in chats.items() if u == "第2单位")
        group = sb.create_group("第4单位工作群", [sb.user(unit1)])
        sb.user(unit2).block_bot()  # 403
        async with bots(sb, database, 1) as (bot,):
            (unit4,) = [
                int(r[0])
                for r in await bot.db.fetchall("SELECT id FROM units WHERE name = '第4单位'")
            ]
            await join(bot.db, "group", "contact", group.id, unit4)
            (unit1_id,) = [
                int(r[0])
                for r in await bot.db.fetchall("SELECT id FROM units WHERE name = '第1单位'")
            ]
            await join(bot.db, "gone", "contact", 8_999_999, unit1_id)  # no such chat: 400
            supergroup = sb.migrate_group(group, notify_bot=False)
            report = await bot.pass_at(PASS_AT)
            again = await bot.pass_at(PASS_AT + timedelta(hours=1))
            rows = await bot.db.fetchall("SELECT chat_id, active FROM contacts ORDER BY id")
        assert report.migrated and str(supergroup.id) in report.migrated[0]
        assert report.failed == [], report.failed
        nudges = sb.sent(supergroup.id)
        assert len(nudges) == 1 and not missing(sb, supergroup.id, titles["第4单位"])
        assert sb.sent(group.id) == []
        states = {int(r["chat_id"]): bool(r["active"]) for r in rows}
        assert states[supergroup.id] and group.id not in states  # moved, still a contact
        assert not states[unit2] and not states[8_999_999]  # blocked, and gone: deactivated
        assert len(report.unreachable) == 2
        assert "moved to a supergroup" in report.summary()
        assert again.messages_sent == 0 and again.claimed == 0

"""Delivery: a stored report is always confirmed -- through 5xx, timeouts, lost answers and
429s -- and nobody is told it failed; one busy chat holds up no other.

The real Application talks HTTP to the Bot API sandbox; the sandbox's faults stand in for
Telegram's bad moments. tests/test_telegram_cases.py and tests/test_stop.py go on from here.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from bench.delivery_bench import Deck, run_burst
from bot.app import build_application, running
from handlers import common
from render.texts import Texts
from sandbox import BotApiSandbox, Limit, SandboxChat, SandboxUser
from services.core import Services
from storage import Database
from tests.e2e_support import ADMIN_ID, TOKEN, World, settings_for

ERROR_TEXT = Texts("zh")("error")  # "抱歉,处理时出错了,请稍后再试。"
RECORDED = "已记录"


def told_error(sb: BotApiSandbox, *chats: int) -> list[str]:
    """Every bot message in `chats` that says something failed."""
    return [
        m["text"] or "" for chat in chats for m in sb.sent(chat) if ERROR_TEXT in (m["text"] or "")
    ]


def recorded(sb: BotApiSandbox, chat: int) -> list[dict[str, Any]]:
    return [dict(m) for m in sb.sent(chat) if RECORDED in (m["text"] or "")]


async def bound_group(w: World, members: list[SandboxUser], unit: str) -> SandboxChat:
    """A group chat joined to `unit` through its invite link, as a unit would do it."""
    group = w.sb.create_group(f"{unit}工作群", members)
    link = await w.invite(unit)
    token = link.rsplit("=", 1)[1]
    sent = members[0].send_text(group, f"/start@{w.sb.bot_username} {token}")
    bound = await w.next_answer(group.id, sent)
    assert "本群已绑定" in bound["text"]
    return group


# -- 1. a stored report is confirmed, and nobody is told it failed --------------------------


@pytest.mark.usefixtures("retries_unpaused")  # conftest: a 5xx costs 10 ms, not half a second
async def test_a_stored_report_is_confirmed_through_server_errors(world: World) -> None:
    w = world
    contact = w.sb.create_user("王联络")
    await w.join(contact, "局高新处")
    # the first two tries of the confirmation meet a 500 and a 502
    w.sb.inject("sendMessage", status=500)
    w.sb.inject("sendMessage", status=502)
    sent = contact.send_text("/report 4 完成60%")
    confirm = await w.sb.wait_for_message(
        contact.id, lambda m: RECORDED in (m["text"] or ""), timeout=15, after=sent["message_id"]
    )
    assert "第 4 项" in confirm["text"]
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]
    assert told_error(w.sb, contact.id) == []
    # the confirmation is the one a reply amends
    answer = await w.say(contact, "补充:已上报", reply_to=confirm)
    assert "已更新" in answer["text"]


@pytest.mark.usefixtures("retries_unpaused")
async def test_a_confirmation_whose_answer_was_lost_is_sent_again(world: World) -> None:
    """Telegram has no idempotency key: a send accepted but unanswered is sent again, so the
    contact may see the confirmation twice (at-least-once) -- never none, never an error."""
    w = world
    contact = w.sb.create_user("李联络")
    await w.join(contact, "局产学研处")
    w.sb.drop_connections(1, "sendMessage", after_processing=True)
    contact.send_text("/report 7 完成50%")
    await w.sb.wait_for(lambda: len(recorded(w.sb, contact.id)) >= 2 or None, timeout=15)
    assert len(recorded(w.sb, contact.id)) == 2
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]
    assert told_error(w.sb, contact.id) == []
    # the copy the bot got an answer for is on record: a reply to it amends the report
    second = recorded(w.sb, contact.id)[-1]
    answer = await w.say(contact, "龙城实验室已验收", reply_to=second)
    assert "已更新" in answer["text"]


async def test_the_error_handler_does_not_call_a_stored_report_a_failure(world: World) -> None:
    """Whatever fails after a handler has stored what the person sent, the error handler must
    not tell them to try again. Two handlers of the test's own, on the real Application, fail
    the same way -- one after marking its update stored, as `record_progress` does."""
    w = world

    async def stored_then_fails(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        common.note_stored(update)
        raise RuntimeError("a fault after the report was stored")

    async def fails(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("a fault before anything was stored")

    w.app.add_handler(CommandHandler("after", stored_then_fails), group=-2)
    w.app.add_handler(CommandHandler("before", fails), group=-2)

    async def said_to(command: str) -> list[str]:
        """What the bot said to `command`: duban does not know it, and its "no such command"
        comes after the error handler has had its turn."""
        sent = w.admin.send_text(f"/{command}")
        last = await w.sb.wait_for_message(
            ADMIN_ID, lambda m: f"/{command}" in (m["text"] or ""), after=sent["message_id"]
        )
        return [
            m["text"] or ""
            for m in w.sb.sent(ADMIN_ID)
            if sent["message_id"] < m["message_id"] <= last["message_id"]
        ]

    assert any(ERROR_TEXT in text for text in await said_to("before"))  # nothing stored
    assert not any(ERROR_TEXT in text for text in await said_to("after"))


@pytest.mark.usefixtures("retries_unpaused")  # conftest: a 5xx costs 10 ms, not half a second
async def test_a_burst_of_replies_under_faults_is_stored_once_and_confirmed(
    tmp_path: Path,
) -> None:
    """The small version of bench/delivery_bench.py: 40 contacts at once, and per 40 bot calls
    two 5xx, one stall past the client timeout, one lost answer and a burst of four 429s."""
    deck = Deck(block=40, errors=2, stalls=1, drops=1, bursts=1, burst_size=4)
    # a 1-second Bot API timeout (DUBAN_API_TIMEOUT), so the stall lasts 2 s, not 6: the sandbox
    # is on loopback, where an answer takes milliseconds
    result = await run_burst(tmp_path, 40, deck, seed=7, api_timeout=1.0)
    print("\n".join(result.lines()))
    assert result.problems == []
    assert result.dealt["error"] and result.dealt["stall"] and result.dealt["drop"]
    assert result.dealt["burst"] and result.statuses[429] >= 1  # the faults did happen


# -- 2. one busy chat does not hold up the others ----------------------------------------------


async def test_a_busy_group_does_not_hold_up_a_private_chat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group sends twelve commands at once; each answer waits for the group's flood limit
    (here 360 a minute, so the test is short: Telegram's 20 make it 3 s an answer). A /whoami
    in a private chat sent right after must not wait for the group's queue."""
    monkeypatch.chdir(tmp_path)
    rate = 360  # a minute
    async with BotApiSandbox(
        token=TOKEN,
        private_chat_limit=None,
        group_chat_limit=Limit.per_minute(rate),
    ) as sb:
        settings = settings_for(sb, tmp_path, group_rate=rate)
        async with await Database.open(settings.database) as db:
            app = build_application(settings, db, services=Services(settings=settings, db=db))
            async with running(app, poll_timeout=1):
                admin = sb.create_user("办公室", user_id=ADMIN_ID)
                people = [sb.create_user(f"组员{k}") for k in range(3)]
                group = sb.create_group("热闹的群", people)
                started = time.perf_counter()
                for k in range(12):
                    people[k % 3].send_text(group, "/whoami")
                asked = admin.send_text("/whoami")
                asked_at = time.perf_counter()
                await sb.wait_for_message(ADMIN_ID, timeout=20, after=asked["message_id"])
                waited = time.perf_counter() - asked_at
                group_answers_before = len(sb.sent(group))
                await sb.wait_for(lambda: len(sb.sent(group)) >= 12 or None, timeout=30)
                flood = time.perf_counter() - started
    print(
        f"\nflood of 12 in the group: {flood:.2f} s; private /whoami answered after"
        f" {waited:.3f} s, with {group_answers_before} of the group's answers out"
    )
    assert flood > 0.9 * 11 * 60 / rate  # the group really was busy: 11 pauses of 1/6 s
    assert group_answers_before <= 3
    assert waited < flood / 6

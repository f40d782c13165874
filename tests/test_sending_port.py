"""The sending port: the services send through `services.sending.Sender` and read its faults,
knowing nothing of python-telegram-bot.

Two sides: Telegram's errors, as python-telegram-bot raises them, become the port's faults
(handlers.sender.translate); and a whole nudge pass runs on a real SQLite file through a
sender that is not Telegram at all (a messenger kept in memory), blocked, moved and slowed
chats included.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bench.crash_bench import IMPORT_AT, USER_BASE, build_db
from config import Settings
from handlers.sender import translate
from services.core import Services
from services.nudging import run_nudge_pass
from services.sending import (
    Blocked,
    Buttons,
    ChatGone,
    Migrated,
    RateLimited,
    Refused,
    SendFailed,
    Sent,
    Transient,
)
from storage import Database
from storage.people_repo import active_contacts, create_invite, redeem_invite
from tests.e2e_support import TZ

PASS_AT = datetime(2023, 12, 18, 9, 30, tzinfo=TZ)  # a Monday, 13 days before the deadline
COORDINATOR = 777


@pytest.mark.parametrize(
    ("error", "fault", "detail"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Blocked, None),
        (BadRequest("Bad Request: chat not found"), ChatGone, None),
        (BadRequest("Bad Request: message is too long"), Refused, None),
        (ChatMigrated(-100123), Migrated, -100123),
        (RetryAfter(7), RateLimited, 7.0),
        (TimedOut(), Transient, None),
        (NetworkError("Bad Gateway"), Transient, None),
        (TelegramError("Conflict"), Transient, None),
    ],
)
def test_telegram_faults_in_the_ports_terms(
    error: TelegramError, fault: type[SendFailed], detail: float | None
) -> None:
    got = translate(error)
    assert type(got) is fault
    assert got.reason == error.message
    if isinstance(got, Migrated):
        assert got.new_chat_id == detail
    if isinstance(got, RateLimited):
        assert got.retry_after == detail


class MemoryMessenger:
    """A messenger that is not Telegram: it keeps what it is sent, and some chats answer with
    faults: `blocked` chats refuse, `moved` groups name their new id once, `slow` chats ask
    once to wait."""

    def __init__(self, *, blocked: set[int], moved: dict[int, int], slow: set[int]) -> None:
        self.blocked = blocked
        self.moved = moved
        self.slow = set(slow)
        self.inbox: dict[int, list[str]] = {}
        self.buttons: dict[int, list[Buttons]] = {}
        self.tries = 0

    async def send_text(self, chat_id: int, html: str, *, buttons: Buttons = ()) -> Sent:
        self.tries += 1
        if chat_id in self.blocked:
            raise Blocked("blocked")
        if chat_id in self.moved:
            raise Migrated("moved", self.moved[chat_id])
        if chat_id in self.slow:
            self.slow.discard(chat_id)
            raise RateLimited("slow down", 0.01)
        self.inbox.setdefault(chat_id, []).append(html)
        self.buttons.setdefault(chat_id, []).append(buttons)
        return Sent(chat_id, len(self.inbox[chat_id]))

    async def send_picture(
        self, chat_id: int, png: bytes, *, filename: str, caption_html: str = ""
    ) -> Sent:
        raise AssertionError("a nudge pass sends no pictures")


async def test_a_nudge_pass_through_a_messenger_that_is_not_telegram(tmp_path: Path) -> None:
    database = tmp_path / "duban.db"
    chats, _ = await build_db(database, 5)  # units 1..5; unit 3 and 5 have two contacts
    async with await Database.open(database) as db:
        await create_invite(
            db, token="coord", role="coordinator", unit_id=None, created_by=0,
            expires_at=IMPORT_AT + timedelta(days=7), now=IMPORT_AT,
        )  # fmt: skip
        await redeem_invite(
            db, token="coord", user_id=COORDINATOR, chat_id=COORDINATOR,
            display_name="督查室", now=IMPORT_AT,
        )  # fmt: skip
        unit_one = USER_BASE + 10  # unit 1's only contact blocked the bot
        unit_two = USER_BASE + 20  # unit 2's group became a supergroup
        unit_four = USER_BASE + 40  # unit 4's chat is slowed down once
        messenger = MemoryMessenger(blocked={unit_one}, moved={unit_two: -1002}, slow={unit_four})
        settings = Settings(bot_token=SecretStr("1:x"), database=database, timezone="Asia/Shanghai")
        svc = Services(settings=settings, db=db)

        report = await run_nudge_pass(svc, messenger, now=PASS_AT)

        reached = set(chats) - {unit_one, unit_two} | {-1002}
        assert set(messenger.inbox) >= reached
        for chat in reached:
            assert len(messenger.inbox[chat]) == 1  # one message each, the slowed one too
            assert "【督办提醒】" in messenger.inbox[chat][0]
            assert messenger.buttons[chat][0]  # the item buttons go with it
        assert report.units_sent == 4 and report.unreachable == [chats_name(unit_one)]
        assert report.migrated == [f"{chats_name(unit_two)} → -1002"]
        assert report.failed == []
        # the unit that lost its only contact is reported to the coordinator
        notice = messenger.inbox[COORDINATOR]
        assert any("第1单位" in text for text in notice)
        # the database followed: the blocked chat is inactive, the group moved
        active = {c.chat_id for c in await active_contacts(db)}
        assert unit_one not in active and unit_two not in active and -1002 in active

        # a second pass at the same moment sends nothing new
        tries = messenger.tries
        again = await run_nudge_pass(svc, messenger, now=PASS_AT)
        assert again.messages_sent == 0 and messenger.tries == tries


def chats_name(chat: int) -> str:
    """The display name build_db gives a contact's chat."""
    n, c = divmod(chat - USER_BASE, 10)
    return f"第{n}单位联络员{c + 1}"

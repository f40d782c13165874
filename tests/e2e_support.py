"""What the end-to-end tests share: the sandbox world, a settable clock, helpers to act as people."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from config import Settings
from handlers.sender import TelegramSender
from sandbox import BotApiSandbox, SandboxUser
from services.core import Services
from services.nudging import PassReport, run_nudge_pass
from storage import Database

DATA = Path(__file__).resolve().parent / "data"
SEED_000 = DATA / "seeds" / "000_0585e7f56649ebe7.txt"
SEED_001 = DATA / "seeds" / "001_90bbfd82e3d25245.txt"
TOKEN = "424242:TEST-token_e2e"
ADMIN_ID = 9001
TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """The bot's clock, set by the test (the only thing about the bot a test swaps)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass
class World:
    sb: BotApiSandbox
    db: Database
    svc: Services
    app: Any
    clock: Clock
    admin: SandboxUser

    async def say(self, user: SandboxUser, text: str, **kw: Any) -> dict[str, Any]:
        """Send as `user` and wait for the bot's answer in that chat."""
        chat = kw.pop("chat", None)
        if "reply_to" in kw:
            sent = user.send_text(chat or user.id, text, reply_to=kw.pop("reply_to"))
        elif chat is not None:
            sent = user.send_text(chat, text)
        else:
            sent = user.send_text(text)
        return await self.next_answer(chat or user.id, sent)

    async def next_answer(self, chat: int, after: dict[str, Any]) -> dict[str, Any]:
        """The bot's first message in `chat` after the user's message `after`."""
        return dict(
            await self.sb.wait_for_message(chat, timeout=10, after=int(after["message_id"]))
        )

    async def pass_at(self, when: datetime) -> PassReport:
        self.clock.moment = when
        return await run_nudge_pass(self.svc, TelegramSender(self.app.bot), now=when)

    async def invite(self, target: str) -> str:
        answer = await self.say(self.admin, f"/invite {target}")
        links = re.findall(r"https://t\.me/\S+\?start=[\w-]+", answer["text"])
        assert links, answer["text"]
        return str(links[0])

    async def join(self, user: SandboxUser, target: str) -> dict[str, Any]:
        link = await self.invite(target)
        user.open_link(link)
        return dict(await self.sb.wait_for_message(user.id, timeout=10))

    async def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in await self.db.fetchall(sql, params)]


def settings_for(sb: BotApiSandbox, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        bot_token=SecretStr(TOKEN),
        database=tmp_path / "duban.db",
        bot_api_url=sb.root,
        admin_ids=[ADMIN_ID],
        **{"send_concurrency": 4, **extra},
    )

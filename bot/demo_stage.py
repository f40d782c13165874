"""The demo's stage: the sandbox and the real bot in one process, the people, and the clock.

`stage()` starts the Bot API sandbox on loopback and the bot on a new database, with the
demo's own settings and a clock the demo moves along its calendar (START … LEDGER_AT). A
`Stage` is what every act goes through: a person says or presses something, the stage waits
until the bot has handled it and prints what the bot sent (bot/transcript.py).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import build_application, running
from bot.demo_folder import DB_NAME
from bot.demo_words import Lang, words
from bot.transcript import Button, Transcript, buttons_of
from config import Settings
from handlers.sender import TelegramSender
from sandbox import BotApiSandbox, SandboxUser, SentMessage
from services.core import Services
from services.digests import send_digest
from services.nudging import PassReport, run_nudge_pass
from storage import Database

TOKEN = "700000:DEMO-duban_offline"
BOT_USERNAME = "duban_demo_bot"
COORDINATOR_ID = 700001  # the demo's admin (what DUBAN_ADMIN_IDS holds for a real bot)
TZ = ZoneInfo("Asia/Shanghai")
WAIT = 15.0  # seconds to wait for the bot before giving up (it answers in milliseconds)

# A month of the plan year, on 2023's working days: Monday Mar 6 the import and the invites;
# Monday Mar 27 the monthly progress request (the 25th was a Saturday) and the replies;
# Thursday Mar 30 /status; Monday Apr 3 the weekly digest and the ledger. A quarter into the
# year a unit that has not reported is behind 序时进度 but not yet hopelessly: the lights differ.
START = datetime(2023, 3, 6, 10, 0, tzinfo=TZ)
NUDGE_AT = datetime(2023, 3, 27, 9, 0, tzinfo=TZ)
REPLY_AT = datetime(2023, 3, 27, 10, 5, tzinfo=TZ)
STATUS_AT = datetime(2023, 3, 30, 16, 20, tzinfo=TZ)
DIGEST_AT = datetime(2023, 4, 3, 9, 0, tzinfo=TZ)
LEDGER_AT = datetime(2023, 4, 3, 9, 40, tzinfo=TZ)

# The people: the coordinator (an admin), three units' contacts and a leader.
UNITS = ("局高新处", "局产学研处", "局对外合作处")
NAMES = {
    "coordinator": "赵敏",
    "leader": "刘卫东",
    "局高新处": "王建国",
    "局产学研处": "李娜",
    "局对外合作处": "陈静",
}
ACTS = ("import", "invite", "nudge", "reply", "status", "digest", "ledger")


class DemoSettings(Settings):
    """Settings from the demo alone: neither the environment nor a .env file may change them
    (a DUBAN_WEBHOOK_URL or DUBAN_DATABASE meant for the real bot must not leak in)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@dataclass
class Clock:
    """The bot's clock and the sandbox's, moved by the demo (the only thing it swaps)."""

    moment: datetime

    def __call__(self) -> datetime:
        return self.moment

    def timestamp(self) -> float:
        return self.moment.timestamp()


@dataclass
class Person:
    """Someone in the demo: a sandbox user with a role, and how the transcript names them."""

    key: str  # "coordinator", "leader" or a unit's name
    name: str
    user: SandboxUser
    label: str  # 王建国(局高新处)


@dataclass
class Stage:
    """The running world: sandbox, database, the bot's Application, the clock and the people.

    Every act goes through here: a person says or presses something, the stage waits until
    the bot has handled it, then prints what the bot sent, in the order it sent it, and keeps
    the files it sent (the ledger, the digest chart) in the folder.
    """

    sb: BotApiSandbox
    db: Database
    svc: Services
    app: Any  # telegram.ext.Application
    clock: Clock
    out: Transcript
    lang: Lang
    folder: Path
    people: dict[str, Person] = field(default_factory=dict)
    kept: dict[Path, str] = field(default_factory=dict)  # files saved → "ledger" / "chart"
    _calls_seen: int = 0
    _shown: dict[int, int] = field(default_factory=dict)  # chat → last bot message shown
    _presses: dict[str, Person] = field(default_factory=dict)  # callback query id → presser

    def words(self, key: str, **kwargs: object) -> str:
        return words(self.lang, key, **kwargs)

    def when(self, moment: datetime | None = None) -> str:
        """2023-03-27 周一 09:00"""
        m = (moment or self.clock.moment).astimezone(TZ)
        day = self.words("weekdays").split()[m.weekday()]
        return f"{m:%Y-%m-%d} {day} {m:%H:%M}"

    def act(self, number: int, key: str, moment: datetime) -> None:
        """Move the clock and print the progress line: ── 3/7 催办 · 2023-03-27 周一 09:00 ──"""
        self.clock.moment = moment
        self.out.act(f"{number}/{len(ACTS)} {self.words('act_' + key)} · {self.when()}")

    def add_person(self, key: str, *, user_id: int | None = None) -> Person:
        name = NAMES[key]
        user = self.sb.create_user(name, user_id=user_id, language_code=self.lang)
        role = self.words(key) if key in ("coordinator", "leader") else key
        person = Person(key, name, user, self.words("who", name=name, role=role))
        self.people[key] = person
        return person

    # -- waiting and showing --------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until the bot has fetched and handled every update the people caused.

        An update leaves the sandbox's queue when the bot confirms it (its next getUpdates),
        which python-telegram-bot does after putting it on the Application's queue; the
        queue's join() returns once every update taken from it has been handled."""
        await self.sb.wait_for(lambda: not self.sb.pending_updates or None, WAIT, what="updates")
        await asyncio.wait_for(self.app.update_queue.join(), WAIT)

    def show(self, *, only: int | None = None) -> list[SentMessage]:
        """Print what the bot did since the last look, in the order it did it; keep the files
        it sent; return its new messages. With `only` (a chat id), other chats' messages are
        passed over. A long message just shown to someone else is abbreviated."""
        calls = self.sb.calls[self._calls_seen :]
        self._calls_seen += len(calls)
        new: list[SentMessage] = []
        shown: set[tuple[str, str]] = set()
        for call in calls:
            if call.status != 200:
                continue
            method, params = call.method.lower(), call.params
            if method in ("sendmessage", "sendphoto", "senddocument"):
                for record in self._unshown(int(params.get("chat_id", 0))):
                    new.append(record)
                    self._keep(record)
                    if only is None or record["chat_id"] == only:
                        self._print(record, shown)
            elif method.startswith("editmessage"):
                chat_id, message_id = (
                    int(params.get("chat_id", 0)),
                    int(params.get("message_id", 0)),
                )
                found = [r for r in self.sb.sent(chat_id) if r["message_id"] == message_id]
                if found and message_id <= self._shown.get(chat_id, 0) and only in (None, chat_id):
                    self._print(found[0], shown, edited=True)
            elif method == "answercallbackquery" and params.get("text"):
                presser = self._presses.get(str(params.get("callback_query_id")))
                if presser is not None and only in (None, presser.user.id):
                    self.out.toast(presser.label, str(params["text"]))
        return new

    def _unshown(self, chat_id: int) -> list[SentMessage]:
        last = self._shown.get(chat_id, 0)
        found = [r for r in self.sb.sent(chat_id) if r["message_id"] > last and not r["deleted"]]
        if found:
            self._shown[chat_id] = found[-1]["message_id"]
        return found

    def _label(self, chat_id: int) -> str:
        for p in self.people.values():
            if p.user.id == chat_id:
                return p.label
        return str(chat_id)

    def _print(
        self, record: SentMessage, shown: set[tuple[str, str]], *, edited: bool = False
    ) -> None:
        text = record["text"] or record["caption"] or ""
        attachment = None
        if record["document"]:
            attachment = str(record["document"].get("file_name") or "document")
        elif record["photo"]:
            attachment = "photo"
        to = self._label(record["chat_id"])
        key = (text, attachment or "")
        if key in shown and (attachment or len(text) > 80):
            self.out.bot(to, self.words("same"))
            return
        shown.add(key)
        self.out.bot(
            to,
            text,
            record["entities"],
            markup=record["reply_markup"],
            attachment=attachment,
            edited=edited,
        )

    def _keep(self, record: SentMessage) -> None:
        """Save a ledger or a digest chart the bot sent into the folder."""
        document, photo = record["document"], record["photo"]
        if document and str(document.get("file_name", "")).endswith(".xlsx"):
            path = self.folder / Path(str(document["file_name"])).name
            path.write_bytes(self.sb.file_bytes(document["file_id"]))
            self.kept[path] = "ledger"
        elif photo:
            path = self.folder / f"digest-{self.clock.moment.date().isoformat()}.png"
            path.write_bytes(self.sb.file_bytes(photo[-1]["file_id"]))
            self.kept[path] = "chart"

    def last_with_buttons(self, person: Person) -> SentMessage | None:
        """The latest bot message in `person`'s chat that carries inline buttons."""
        for record in reversed(self.sb.sent(person.user.id)):
            if buttons_of(record["reply_markup"]) and not record["deleted"]:
                return record
        return None

    # -- what people do -------------------------------------------------------------------

    async def say(
        self,
        person: Person,
        text: str,
        *,
        reply_to: SentMessage | None = None,
        typed: bool = False,
    ) -> list[SentMessage]:
        """`person` sends `text` (as a reply to a bot message, if given); the bot's answers.
        `typed`: the person typed it on this screen, so it is only written to the file."""
        self.out.person(person.label, text, on_screen=not typed)
        if reply_to is not None:
            person.user.reply(reply_to, text)
        else:
            person.user.send_text(text)
        await self.settle()
        return self.show()

    async def press(
        self, person: Person, message: SentMessage, button: Button
    ) -> list[SentMessage]:
        """`person` presses `button` on the bot's `message`."""
        self.out.pressed(person.label, button)
        query = person.user.press(message, button.callback_data)
        self._presses[str(query["id"])] = person
        await self.settle()
        return self.show()

    async def open_link(self, person: Person, link: str) -> list[SentMessage]:
        """`person` follows an invite deep link: Telegram sends /start TOKEN for them."""
        self.out.person(person.label, f"▶ {self.words('opens')} {link}")
        person.user.open_link(link)
        await self.settle()
        return self.show()

    async def invite(self, target: str) -> str:
        """The coordinator asks for an invite link for `target` (a unit, or 领导)."""
        for record in await self.say(self.people["coordinator"], f"/invite {target}"):
            links = re.findall(r"https://t\.me/\S+\?start=[\w-]+", record["text"] or "")
            if links:
                return str(links[0])
        raise RuntimeError(f"the bot sent no invite link for {target}")

    async def nudge_pass(self, moment: datetime, *, only: int | None = None) -> PassReport:
        """The scheduled nudge pass at `moment`, as `duban run` runs it."""
        self.clock.moment = moment
        report = await run_nudge_pass(self.svc, TelegramSender(self.app.bot), now=moment)
        self.show(only=only)
        self.out.note(self.pass_line(report))
        return report

    async def tick(self, moment: datetime) -> None:
        """What `duban run`'s scheduled job does (bot.app.nudge_job): the nudges due now, then
        the weekly digest if it is due and not yet sent."""
        await self.nudge_pass(moment)
        digest = await send_digest(self.svc, TelegramSender(self.app.bot), moment)
        self.show()
        if digest is not None:
            self.out.note(self.words("digest_sent", count=digest.recipients))
            if digest.legend:  # drawn without a CJK font: the bars are labelled #1…#n
                self.out.note("\n".join(digest.legend))

    def pass_line(self, report: PassReport) -> str:
        if not report.ran:
            summary = self.words("no_pass", reason=report.reason)
        elif report.messages_sent:
            summary = self.words(
                "pass_summary", units=report.units_sent, messages=report.messages_sent
            )
        else:
            summary = self.words("pass_none")
        return self.words("pass", when=self.when(report.at), summary=summary)


def no_proxies() -> None:
    """Forget HTTP(S)_PROXY and ALL_PROXY for this process: the demo talks only to the sandbox
    on loopback, and httpx would send even that through a proxy set for reaching Telegram."""
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[name]


@asynccontextmanager
async def stage(folder: Path, lang: Lang, out: Transcript) -> AsyncIterator[Stage]:
    """Start the sandbox and the bot on a new database in `folder`; stop both afterwards."""
    no_proxies()
    clock = Clock(START)
    async with AsyncExitStack() as stack:
        sb = await stack.enter_async_context(
            BotApiSandbox(
                token=TOKEN,
                bot_username=BOT_USERNAME,
                private_chat_limit=None,  # Telegram's 1 msg/s per chat would only slow the show
                clock=clock.timestamp,
                control_api=False,
            )
        )
        settings = DemoSettings(
            bot_token=SecretStr(TOKEN),
            database=folder / DB_NAME,
            bot_api_url=sb.root,
            admin_ids=[COORDINATOR_ID],
            language=lang,
            scheduler=False,  # the demo runs the passes itself, on its clock
            chat_rate=0,  # the sandbox above keeps no per-chat limit: pacing would only wait
        )
        db = await stack.enter_async_context(await Database.open(settings.database))
        svc = Services(settings=settings, db=db, clock=clock)
        app = build_application(settings, db, services=svc)
        await stack.enter_async_context(running(app, poll_timeout=1))
        s = Stage(sb, db, svc, app, clock, out, lang, folder)
        s._calls_seen = len(sb.calls)  # the bot's start-up: getMe, setMyCommands
        yield s
        if sb.errors:
            raise RuntimeError(f"the Bot API sandbox failed: {sb.errors[0]!r}")

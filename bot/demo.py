"""`duban demo`: the product played offline, on the Bot API sandbox, for a person to watch.

On a machine with no bot token and no network, the sandbox (sandbox/, a Bot API server on
loopback) and the real bot run in one process: the same Application, handlers, SQLite storage,
nudge pass and weekly digest as `duban run`. The one thing swapped is the clock, so that a month
of the plan year plays in seconds. The people are sandbox users; the bot reaches them over HTTP
as it would reach Telegram. What they say and what the bot answers is printed as it happens
(bot/transcript.py) and kept, with the database, the ledger and the digest chart, in a folder.

`duban demo --chat` (bot/chat.py) opens the same world to the person at the keyboard.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import site
import sys
import sysconfig
import time
import unicodedata
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, TextIO
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.app import build_application, running
from bot.errors import UserError
from bot.transcript import Button, Transcript, buttons_of, use_colour
from config import Settings
from plans.documents.review import review_plan
from plans.documents.sources import parse_file
from render.review import plain_text, review_lines
from render.texts import Texts
from sandbox import BotApiSandbox, SandboxUser, SentMessage
from services.core import Services
from services.digests import send_digest
from services.nudging import PassReport, run_nudge_pass
from storage import Database, import_plan, list_items

Lang = Literal["zh", "en"]

PLAN_NAME = "changzhou-2023-plan.txt"
TOKEN = "700000:DEMO-duban_offline"
BOT_USERNAME = "duban_demo_bot"
COORDINATOR_ID = 700001  # the demo's admin (what DUBAN_ADMIN_IDS holds for a real bot)
TZ = ZoneInfo("Asia/Shanghai")
MARKER = ".duban-demo"  # marks a folder this command made, so that a rerun may reuse it
DB_NAME = "duban.db"
TRANSCRIPT_NAME = "transcript.txt"
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

# The narrator's words. The bot's own words come from its message catalog (render/texts.py).
WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "duban 演示:常州市科技局党组 2023 年工作要点,一个月的督办",
        "setup": "Bot API 沙盒在 {root}(本机回环,不需要令牌和网络);机器人与 duban run 运行的完全相同,只有时钟是回放的。",
        "who": "{name}({role})",
        "coordinator": "督查室",
        "leader": "局领导",
        "act_import": "导入",
        "act_invite": "邀请",
        "act_nudge": "催办",
        "act_reply": "反馈",
        "act_status": "查询",
        "act_digest": "周报",
        "act_ledger": "台账",
        "imported": "已导入计划 {plan_id}《{title}》({year} 年):{items} 项,{units} 个责任单位,截止日期 {dates}",
        "opens": "打开邀请链接",
        "pass": "催办轮次 {when}:{summary}",
        "pass_summary": "{units} 个单位收到催办,共 {messages} 条消息",
        "pass_none": "没有到期的催办",
        "no_pass": "不发送:{reason}",
        "digest_sent": "周报已发给 {count} 位领导和督查室成员",
        "digest_pass": "周一 {hour}:00,周报发给领导和督查室。",
        "same": "(同上)",
        "files": "演示文件夹 {folder}:",
        "file_db": "数据库(SQLite),例如:duban --database {path} items",
        "file_ledger": "督查台账",
        "file_chart": "周报图表",
        "file_transcript": "对话记录",
        "next": "下一步:",
        "next_chat": "自己来试:duban demo --chat(以联络员、督查室或领导的身份打字)",
        "next_real": "正式运行:在 @BotFather 创建机器人,然后\n    DUBAN_BOT_TOKEN=<令牌> DUBAN_ADMIN_IDS=<您的 Telegram 用户 id> duban run\n  导入自己的计划:duban import 工作要点.docx",
        "took": "用时 {seconds:.1f} 秒。",
        "weekdays": "周一 周二 周三 周四 周五 周六 周日",
    },
    "en": {
        "title": "duban demo: a month of following up the Changzhou S&T bureau's 2023 work plan",
        "setup": "Bot API sandbox at {root} (loopback: no token, no network); the bot is the one duban run runs, only the clock is replayed.",
        "who": "{name} ({role})",
        "coordinator": "coordinator",
        "leader": "leader",
        "act_import": "Import",
        "act_invite": "Invites",
        "act_nudge": "Nudges",
        "act_reply": "Replies",
        "act_status": "Status",
        "act_digest": "Digest",
        "act_ledger": "Ledger",
        "imported": "Imported plan {plan_id} “{title}” ({year}): {items} items, {units} responsible units, deadlines {dates}",
        "opens": "opens the invite link",
        "pass": "nudge pass {when}: {summary}",
        "pass_summary": "{units} units nudged, {messages} messages",
        "pass_none": "nothing due",
        "no_pass": "nothing sent: {reason}",
        "digest_sent": "the digest went to {count} leaders and coordinators",
        "digest_pass": "Monday {hour}:00: the weekly digest goes to the leaders and coordinators.",
        "same": "(the same as above)",
        "files": "The demo folder {folder}:",
        "file_db": "the database (SQLite), e.g. duban --database {path} items",
        "file_ledger": "the ledger (督查台账)",
        "file_chart": "the digest chart",
        "file_transcript": "the conversation",
        "next": "What next:",
        "next_chat": "try it yourself: duban demo --chat (type as a contact, the coordinator or a leader)",
        "next_real": "run it for real: create a bot with @BotFather, then\n    DUBAN_BOT_TOKEN=<token> DUBAN_ADMIN_IDS=<your Telegram user id> duban run\n  import your own plan: duban import plan.docx",
        "took": "Took {seconds:.1f} s.",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    },
}


def words(lang: Lang, key: str, **kwargs: object) -> str:
    """The narrator's text `key` in `lang`."""
    text = WORDS[lang][key]
    return text.format(**kwargs) if kwargs else text


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


def example_plan() -> Path:
    """The Changzhou plan that ships with duban: examples/ in the source tree, or where
    `pip install .` put it (share/duban/examples under the installation prefix)."""
    here = Path(__file__).resolve().parent.parent / "examples"
    prefixes = [sys.prefix, sysconfig.get_path("data"), site.USER_BASE or ""]
    places = [here] + [Path(p) / "share" / "duban" / "examples" for p in prefixes if p]
    for place in places:
        if (place / PLAN_NAME).is_file():
            return place / PLAN_NAME
    raise UserError(f"the demo's plan {PLAN_NAME} is missing; looked in {here}")


def prepare_folder(folder: Path) -> None:
    """Make `folder` ready for a new demo: create it, or clear an earlier demo's files in it.
    A non-empty folder that no demo made is refused, so nothing of the user's is overwritten."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--out {folder}: not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        if not (folder / MARKER).is_file():
            raise UserError(
                f"--out {folder}: the folder is not empty and is not an earlier demo's; "
                "choose another with --out DIR"
            )
        for path in folder.iterdir():
            if path.is_file() and (path.name == MARKER or demo_file(path.name)):
                path.unlink()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("made by duban demo; running it again replaces its files\n")
    except OSError as e:
        raise UserError(f"--out {folder}: cannot write there: {e.strerror or e}") from None


def demo_file(name: str) -> bool:
    """Whether a file of this name is one a demo leaves (and a rerun replaces)."""
    return (
        name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", TRANSCRIPT_NAME)
        or re.fullmatch(r"(?:督查台账|ledger)-[\d-]+\.xlsx|digest-[\d-]+\.png", name) is not None
    )


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
        report = await run_nudge_pass(self.svc, self.app.bot, now=moment)
        self.show(only=only)
        self.out.note(self.pass_line(report))
        return report

    async def tick(self, moment: datetime) -> None:
        """What `duban run`'s scheduled job does (bot.app.nudge_job): the nudges due now, then
        the weekly digest if it is due and not yet sent."""
        await self.nudge_pass(moment)
        digest = await send_digest(self.svc, self.app.bot, moment)
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


# ------------------------------------------------------------------------------- the acts


async def act_import(s: Stage, plan_file: Path) -> None:
    """1. The coordinator imports the plan on the command line, as `duban import` does."""
    parsed = parse_file(plan_file)
    plan = parsed.plan
    result = await import_plan(
        s.db,
        plan,
        source_name=parsed.source_name,
        content_hash=parsed.content_hash,
        now=s.clock.moment,
    )
    dates = sorted({i.deadline.isoformat() for i in plan.items if i.deadline})
    summary = s.words(
        "imported",
        plan_id=result.plan_id,
        title=plan.title,
        year=plan.year,
        items=len(plan.items),
        units=len({u.name for i in plan.items for u in i.units}),
        dates=", ".join(dates[:3]) + (" …" if len(dates) > 3 else ""),
    )
    stored = [x.item for x in await list_items(s.db, plan_id=result.plan_id)]
    review = review_plan(stored, year=plan.year, skipped=plan.skipped, warnings=plan.warnings)
    lines = review_lines(Texts(s.lang), review, title=plan.title, fix="cli")
    head = plain_text(lines).split("\n")[:3]
    s.out.shell(f"duban import examples/{plan_file.name}", [summary, *head])


async def act_invite(s: Stage) -> None:
    """2. The coordinator starts the bot and invites three units and a leader; they join."""
    await s.say(s.people["coordinator"], "/start")
    for unit in UNITS:
        await s.open_link(s.people[unit], await s.invite(unit))
    leader_link = await s.invite("领导" if s.lang == "zh" else "leader")
    await s.open_link(s.people["leader"], leader_link)


async def act_nudge(s: Stage) -> dict[str, SentMessage]:
    """3. The scheduled pass on a working morning: each unit's contact gets one nudge.
    (Only the nudges: this Monday's digest is left for act 6.)"""
    await s.nudge_pass(NUDGE_AT)
    nudges: dict[str, SentMessage] = {}
    for unit in UNITS:
        found = s.last_with_buttons(s.people[unit])
        if found is not None:
            nudges[unit] = found
    return nudges


# What the contacts answer, the way people do.
REPLIES: dict[Lang, dict[str, Sequence[str]]] = {
    "zh": {
        "局高新处": (
            "9 完成40%,预计11月底完成",  # a percent and an expected date
            "4 已净增高企180家",  # a number against the item's target (600家以上)
            "6 有困难:用地指标未落实",  # blocked, with the reason
        ),
        "局产学研处": (
            "收到",  # an acknowledgement
            "16 已促成产学研合作项目12个",  # against 30个以上
        ),
    },
    "en": {
        "局高新处": (
            "9 40% done, expected by end of November",
            "4 已净增高企180家",  # the plan's targets are Chinese, and so is this reply
            "6 blocked: the land quota has not been approved",
        ),
        "局产学研处": ("got it", "16 已促成产学研合作项目12个"),
    },
}
DONE_ITEM = "14"  # 局对外合作处 presses ✅ for this item on its nudge


async def act_reply(s: Stage, nudges: dict[str, SentMessage]) -> None:
    """4. The contacts answer: a percent with a date, a number against the target, blocked
    with a reason, an acknowledgement, and a button pressed on the nudge."""
    replies = REPLIES[s.lang]
    for unit, minutes in (("局高新处", 7), ("局产学研处", 25)):
        for k, text in enumerate(replies[unit]):
            s.clock.moment += timedelta(minutes=minutes + 4 * k)
            # the first answer is a reply to the nudge; later ones are new messages
            await s.say(s.people[unit], text, reply_to=nudges.get(unit) if k == 0 else None)
    nudge = nudges.get("局对外合作处")
    done = _done_button(nudge, DONE_ITEM) if nudge else None
    if nudge is not None and done is not None:
        s.clock.moment += timedelta(hours=3, minutes=12)
        await s.press(s.people["局对外合作处"], nudge, done)
        # 销号: the coordinator checks the unit's done and closes the item
        await _press_labelled(s, s.people["coordinator"], ("销号", "Sign off"), minutes=20)
    # 延期: the unit that is blocked asks for more time, and the coordinator grants it
    s.clock.moment += timedelta(minutes=15)
    await s.say(s.people["局高新处"], EXTEND_REQUEST[s.lang])
    await _press_labelled(s, s.people["coordinator"], ("同意", "Grant"), minutes=10)


EXTEND_REQUEST: dict[Lang, str] = {
    "zh": "/extend 6 9月底 用地指标待省厅批复",
    "en": "/extend 6 2023-09-30 the land quota awaits the province's approval",
}


async def _press_labelled(s: Stage, person: Person, labels: Sequence[str], *, minutes: int) -> None:
    """`person` presses the button labelled one of `labels` on their latest bot message."""
    message = s.last_with_buttons(person)
    if message is None:
        return
    for row in buttons_of(message["reply_markup"]):
        for b in row:
            if b.label in labels:
                s.clock.moment += timedelta(minutes=minutes)
                await s.press(person, message, b)
                return


def _done_button(message: SentMessage, seq: str) -> Button | None:
    """The ✅ button of item `seq` on a nudge (its callback data ends in :d)."""
    for row in buttons_of(message["reply_markup"]):
        for b in row:
            if b.callback_data and b.callback_data.endswith(":d") and b.label.startswith(f"{seq} "):
                return b
    return None


async def act_status(s: Stage) -> None:
    """5. The coordinator asks for the overview and for one unit."""
    await s.say(s.people["coordinator"], "/status")
    await s.say(s.people["coordinator"], "/status 局高新处")


async def act_digest(s: Stage) -> None:
    """6. Monday 09:00: the weekly digest with its chart goes to the leader and coordinator."""
    s.out.note(s.words("digest_pass", hour=f"{DIGEST_AT.hour:02d}"))
    await s.tick(DIGEST_AT)


async def act_ledger(s: Stage) -> None:
    """7. The coordinator exports the ledger (督查台账) as .xlsx."""
    await s.say(s.people["coordinator"], "/export")


async def setup_world(s: Stage, plan_file: Path) -> None:
    """Acts 1 and 2: the plan imported, the people in. `--chat` starts from here too."""
    s.add_person("coordinator", user_id=COORDINATOR_ID)
    for unit in UNITS:
        s.add_person(unit)
    s.add_person("leader")
    s.act(1, "import", START)
    await act_import(s, plan_file)
    s.act(2, "invite", START + timedelta(minutes=5))
    await act_invite(s)


async def play(s: Stage, plan_file: Path) -> None:
    """The whole script."""
    await setup_world(s, plan_file)
    s.act(3, "nudge", NUDGE_AT)
    nudges = await act_nudge(s)
    s.act(4, "reply", REPLY_AT)
    await act_reply(s, nudges)
    s.act(5, "status", STATUS_AT)
    await act_status(s)
    s.act(6, "digest", DIGEST_AT)
    await act_digest(s)
    s.act(7, "ledger", LEDGER_AT)
    await act_ledger(s)


def print_files(s: Stage) -> None:
    """The end: name the folder's files and say what to do next."""
    folder = _shown_path(s.folder)
    s.out.blank()
    s.out.note(s.words("files", folder=folder))
    listed = [(DB_NAME, s.words("file_db", path=f"{folder}{DB_NAME}"))]
    listed += [(p.name, s.words(f"file_{what}")) for p, what in sorted(s.kept.items())]
    listed.append((TRANSCRIPT_NAME, s.words("file_transcript")))
    width = max(_width(name) for name, _ in listed)
    for name, what in listed:
        s.out.note(f"  {name}{' ' * (width - _width(name))}  {what}")
    s.out.blank()
    s.out.note(s.words("next"))
    s.out.note("  " + s.words("next_chat"))
    s.out.note("  " + s.words("next_real"))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown_path(folder: Path) -> str:
    """The folder as the user would type it: relative to here when it is below here."""
    with suppress(ValueError):
        return f"{folder.resolve().relative_to(Path.cwd().resolve())}/"
    return f"{folder}/"


async def run_demo(folder: Path, lang: Lang, screen: TextIO) -> int:
    """`duban demo`: play the script, leave the folder, exit 0."""
    began = time.monotonic()
    plan_file = example_plan()
    prepare_folder(folder)
    with (folder / TRANSCRIPT_NAME).open("w", encoding="utf-8") as file:
        out = Transcript(screen, colour=use_colour(screen), file=file)
        out.note(words(lang, "title"))
        async with stage(folder, lang, out) as s:
            out.note(words(lang, "setup", root=s.sb.root))
            await play(s, plan_file)
        print_files(s)
        out.note(words(lang, "took", seconds=time.monotonic() - began))
    return 0


def prepare_screen(
    out_dir: str | None, lang: str, screen: TextIO | None
) -> tuple[Path, Lang, TextIO]:
    """The demo's folder, language and screen, set up for `duban demo` and `--chat` alike."""
    folder = Path(out_dir or "duban-demo")
    language: Lang = "en" if lang == "en" else "zh"
    screen = screen or sys.stdout
    if isinstance(screen, io.TextIOWrapper):  # a console without CJK or emoji must not crash it
        screen.reconfigure(errors="replace")
    # The bot's log lines would interleave with the conversation: errors only, on stderr.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    return folder, language, screen


def main(out_dir: str | None, lang: str, screen: TextIO | None = None) -> int:
    """`duban demo [--out DIR] [--lang zh|en]` (`--chat` is bot.chat.main)."""
    folder, language, screen = prepare_screen(out_dir, lang, screen)
    return asyncio.run(run_demo(folder, language, screen))

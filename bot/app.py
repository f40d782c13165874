"""Assemble the Telegram Application: handlers, rate limiter, error handler, menus, jobs.

Every command the bot has is registered in `register_handlers`, in one place.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager, suppress
from datetime import timedelta
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.nudging import run_nudge_pass
from bot.services import Services
from bot.statusing import send_digest
from config import Settings
from handlers import admin, onboarding, reporting, status
from storage import Database
from storage.people_repo import contacts_by_role

log = logging.getLogger(__name__)


class RedactToken(logging.Filter):
    """Keep the bot token out of every log line (httpx logs request URLs, which carry it)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, "<token>")
            record.args = ()
        return True


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """Log to stderr, quiet the chatty HTTP client, and redact the token everywhere."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats in parallel, one chat's updates in order.

    A person who answers the bot's confirmation at once must find it recorded: the handler
    that sent it still holds the chat until it has written what the message was about.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat → (lock, users)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]  # idle chats hold no lock
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def register_handlers(app: Application) -> None:  # type: ignore[type-arg]
    """Every command and message the bot understands."""
    NEW = filters.UpdateType.MESSAGE  # an edited command is an edit, not a new command
    app.add_handler(CommandHandler("start", onboarding.start, filters=NEW))
    app.add_handler(CommandHandler("help", onboarding.help_, filters=NEW))
    app.add_handler(CommandHandler("whoami", onboarding.whoami, filters=NEW))
    app.add_handler(CommandHandler("invite", admin.invite, filters=NEW))
    app.add_handler(CommandHandler("addunit", admin.add_unit_command, filters=NEW))
    app.add_handler(CommandHandler("unassigned", admin.unassigned, filters=NEW))
    app.add_handler(CommandHandler("assign", admin.assign, filters=NEW))
    app.add_handler(CommandHandler("review", admin.review, filters=NEW))
    app.add_handler(CommandHandler("merge", admin.merge, filters=NEW))
    app.add_handler(CommandHandler("rename", admin.rename, filters=NEW))
    app.add_handler(CommandHandler("report", reporting.report, filters=NEW))
    app.add_handler(CommandHandler("mine", reporting.mine, filters=NEW))
    app.add_handler(CommandHandler("status", status.status, filters=NEW))
    app.add_handler(CommandHandler("overdue", status.overdue, filters=NEW))
    app.add_handler(CommandHandler("due", status.due, filters=NEW))
    app.add_handler(CommandHandler("stale", status.stale, filters=NEW))
    app.add_handler(CommandHandler("blocked", status.blocked, filters=NEW))
    app.add_handler(CommandHandler("export", status.export, filters=NEW))
    app.add_handler(CommandHandler("digest", status.digest, filters=NEW))
    app.add_handler(CallbackQueryHandler(status.on_page, pattern=r"^pg:"))
    app.add_handler(CallbackQueryHandler(reporting.on_button, pattern=r"^[ri]:"))
    app.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, reporting.on_edit)
    )
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.ALL), reporting.on_file
        )
    )
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, reporting.on_text
        )
    )
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, onboarding.unknown_command)
    )
    app.add_error_handler(on_error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the fault (without the token) and tell the person something went wrong."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        svc = context.bot_data.get("svc")
        text = svc.texts("error") if isinstance(svc, Services) else "Error"
        with suppress(TelegramError):
            await update.effective_message.reply_text(html.escape(text))


def build_application(
    settings: Settings, db: Database, *, services: Services | None = None
) -> Application:  # type: ignore[type-arg]
    """The Application, talking to DUBAN_BOT_API_URL, with the rate limiter and handlers."""
    if settings.bot_token is None:
        raise ValueError("DUBAN_BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    rate = settings.send_rate * 0.95  # keep under the server's limit: its window is not ours
    # A small bucket sent often: a leaky bucket of a whole second's messages would allow a
    # burst of that size on top of the steady rate and overrun a sliding-window limit.
    limiter = AIORateLimiter(
        overall_max_rate=max(1.0, rate / 20),
        overall_time_period=max(1.0, rate / 20) / rate,
        # 20 a minute per group, evenly: a bucket of 20 would allow 40 in the first minute.
        group_max_rate=1,
        group_time_period=3.1,
        max_retries=3,
    )
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        .rate_limiter(limiter)
        .concurrent_updates(PerChatUpdateProcessor(8))
        .build()
    )
    app.bot_data["svc"] = services or Services(settings=settings, db=db)
    register_handlers(app)
    return app


async def set_menus(app: Application) -> None:  # type: ignore[type-arg]
    """Set the command menus: contacts' by default, coordinators' and leaders' per chat."""
    svc: Services = app.bot_data["svc"]
    try:
        await app.bot.set_my_commands(
            [BotCommand(c, d) for c, d in [*onboarding.CONTACT_COMMANDS, ("start", "开始 / 加入")]],
            scope=BotCommandScopeAllPrivateChats(),
        )
        for contact in await contacts_by_role(svc.db, ("admin", "coordinator", "leader")):
            commands = (
                onboarding.LEADER_COMMANDS
                if contact.role == "leader"
                else onboarding.COORDINATOR_COMMANDS
            )
            await app.bot.set_my_commands(
                [BotCommand(c, d) for c, d in commands], scope=BotCommandScopeChat(contact.chat_id)
            )
    except TelegramError as e:
        log.warning("could not set the command menus: %s", e.message)


@asynccontextmanager
async def running(app: Application, *, poll_timeout: int = 30) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the bot (long polling, jobs) for the duration of the block, in the caller's loop.

    `duban run` and the end-to-end tests share this; the database is the caller's to open
    and close, so a test can look into it while the bot runs.
    """
    async with app:
        await set_menus(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            allowed_updates=["message", "edited_message", "callback_query"],
        )
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def nudge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The scheduled pass: nudges due now, and the weekly digest once it is due.

    Both are no-ops outside working hours or when already sent: the database remembers.
    """
    svc: Services = context.bot_data["svc"]
    now = svc.now()
    await run_nudge_pass(svc, context.bot, now=now)
    await send_digest(svc, context.bot, now)


def schedule_jobs(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Run the nudge pass every few minutes; the database makes repeats harmless."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    app.job_queue.run_repeating(
        nudge_job, interval=timedelta(minutes=settings.pass_minutes), first=5, name="nudges"
    )

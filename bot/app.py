"""Assemble the Telegram Application: handlers, rate limiter, error handler, menus, jobs.

Every command the bot has is registered in `register_handlers`, in one place.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    JobQueue,
    MessageHandler,
    filters,
)

from bot.errors import UserError
from bot.pacing import PacedRateLimiter
from bot.updates import UPDATE_SLOTS, LoggedUpdates, PerChatUpdateProcessor, stop_updater
from config import Settings
from handlers import admin, common, onboarding, reporting, status, workflow
from handlers.context import CONTEXT_TYPES, App, Ctx
from services.core import Services
from services.digests import send_digest
from services.log_events import log_update_error
from services.nudging import run_nudge_pass
from storage import Database
from storage.people_repo import active_contacts

log = logging.getLogger(__name__)


def register_handlers(app: App) -> None:
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
    app.add_handler(CommandHandler("pending", workflow.pending, filters=NEW))
    app.add_handler(CommandHandler("extend", workflow.extend, filters=NEW))
    app.add_handler(CallbackQueryHandler(status.on_page, pattern=r"^pg:"))
    app.add_handler(CallbackQueryHandler(workflow.on_signoff_button, pattern=r"^so:"))
    app.add_handler(CallbackQueryHandler(workflow.on_extension_button, pattern=r"^ex:"))
    # before everything else: an answer the bot asked a coordinator for, a request for more time
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, workflow.on_awaited_answer),
        group=-1,
    )
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
        MessageHandler(
            filters.UpdateType.MESSAGE
            & (
                filters.VOICE
                | filters.AUDIO
                | filters.VIDEO
                | filters.VIDEO_NOTE
                | filters.Sticker.ALL
                | filters.ANIMATION
                | filters.LOCATION
                | filters.CONTACT
            ),
            reporting.on_not_text,
        )
    )
    # a group became a supergroup: its unit follows it to the new chat id
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, common.on_chat_migrated))
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, onboarding.unknown_command)
    )
    app.add_error_handler(on_error)


async def on_error(update: object, context: Ctx) -> None:
    """Log the fault (without the token) and tell the person something went wrong."""
    log_update_error(update, context.error)
    if common.stored_before_failing(update):
        return  # what they sent is recorded: "try again" would record it twice
    if isinstance(update, Update) and update.effective_message is not None:
        with suppress(TelegramError):
            await update.effective_message.reply_text(html.escape(context.svc.texts("error")))


def build_application(settings: Settings, db: Database, *, services: Services | None = None) -> App:
    """The Application, talking to DUBAN_BOT_API_URL, with the rate limiter and handlers."""
    if settings.bot_token is None:
        raise ValueError("DUBAN_BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    rate = settings.send_rate * 0.95  # keep under the server's limit: its window is not ours
    # A small bucket sent often: a leaky bucket of a whole second's messages would allow a
    # burst of that size on top of the steady rate and overrun a sliding-window limit.
    limiter = PacedRateLimiter(
        # Telegram's one message a second in a private chat (0: not paced, e.g. a sandbox
        # without that limit)
        private_interval=1.0 / settings.chat_rate if settings.chat_rate else 0.0,
        overall_max_rate=max(1.0, rate / 20),
        overall_time_period=max(1.0, rate / 20) / rate,
        # 20 a minute per group, evenly: a bucket of 20 would allow 40 in the first minute.
        # 3 % under the limit: at Telegram's 20 a minute, one message every 3.1 s.
        group_max_rate=1,
        group_time_period=60 / (settings.group_rate * 0.97),
        max_retries=3,
    )
    app = (
        Application.builder()
        .token(token)
        .base_url(f"{settings.bot_api_url}/bot")
        .base_file_url(f"{settings.bot_api_url}/file/bot")
        .rate_limiter(limiter)
        # A call not answered in api_timeout seconds is a timeout (tried again; it may have
        # gone through). Long polling waits its own timeout on top of this.
        .read_timeout(settings.api_timeout)
        .get_updates_read_timeout(settings.api_timeout)
        .concurrent_updates(LoggedUpdates(PerChatUpdateProcessor(UPDATE_SLOTS)))
        .context_types(CONTEXT_TYPES)
        .job_queue(JobQueue[Ctx]())
        # Every message is HTML (the catalog escapes what it quotes), without link previews.
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .build()
    )
    app.bot_data.svc = services or Services(settings=settings, db=db)
    register_handlers(app)
    return app


async def set_menus(app: App) -> None:
    """Set the command menus: contacts' by default in private chats, and for every chat where
    someone holds another role, the union of that chat's roles (onboarding.menu_for, the same
    rule a join applies)."""
    svc = app.bot_data.svc
    t = svc.texts
    try:
        default = [*onboarding.menu_for(t, {"contact"}), ("start", t("menu_start"))]
        await app.bot.set_my_commands(
            [BotCommand(c, d) for c, d in default], scope=BotCommandScopeAllPrivateChats()
        )
        roles: dict[int, set[str]] = {}
        for contact in await active_contacts(svc.db):
            roles.setdefault(contact.chat_id, set()).add(contact.role)
        for chat_id, held in roles.items():
            if held == {"contact"}:
                continue  # the default above
            await app.bot.set_my_commands(
                [BotCommand(c, d) for c, d in onboarding.menu_for(t, held)],
                scope=BotCommandScopeChat(chat_id),
            )
    except TelegramError as e:
        log.warning("could not set the command menus: %s", e.message)


ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


@asynccontextmanager
async def running(app: App, *, poll_timeout: int = 30) -> AsyncIterator[App]:
    """Run the bot (updates, jobs) for the duration of the block, in the caller's loop.

    Updates come by long polling, or by webhook when DUBAN_WEBHOOK_URL is set; either way
    they reach the same handlers. `duban run` and the end-to-end tests share this; the
    database is the caller's to open and close, so a test can look into it while the bot runs.
    """
    settings = app.bot_data.svc.settings
    if settings.webhook_url:
        check_webhook_address(settings)  # before anything reaches the Bot API
    async with app:
        await set_menus(app)
        await app.start()
        assert app.updater is not None
        try:
            if settings.webhook_url:
                await start_webhook(app, settings)
            else:
                # Deletes a webhook left by webhook mode first: Telegram allows one or the other.
                await app.updater.start_polling(
                    poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
        except BaseException:
            await app.stop()  # else leaving `async with app` hides the error: "still running"
            raise
        try:
            yield app
        finally:
            await stop_updater(app.updater)
            await app.stop()


def check_webhook_address(settings: Settings) -> None:
    """Fail early, in one line, when the webhook server could not listen on DUBAN_WEBHOOK_LISTEN.

    Tried before setWebhook, so a port already taken does not leave Telegram posting to
    whatever holds it.
    """
    try:
        from tornado.netutil import bind_sockets
    except ImportError:
        raise UserError(
            "DUBAN_WEBHOOK_URL needs python-telegram-bot's webhook server: "
            "pip install 'python-telegram-bot[webhooks]'"
        ) from None
    host, port = settings.webhook_address
    try:
        for sock in bind_sockets(port, host):
            sock.close()
    except OSError as e:
        raise UserError(
            f"DUBAN_WEBHOOK_LISTEN: cannot listen on {settings.webhook_listen}: {e.strerror or e}"
        ) from None


async def start_webhook(app: App, settings: Settings) -> None:
    """Set the webhook and serve it on DUBAN_WEBHOOK_LISTEN, at DUBAN_WEBHOOK_URL's path.

    python-telegram-bot's server answers 403, and hands nothing on, when a request lacks
    DUBAN_WEBHOOK_SECRET in X-Telegram-Bot-Api-Secret-Token.
    """
    assert app.updater is not None and settings.webhook_url and settings.webhook_secret
    host, port = settings.webhook_address
    try:
        await app.updater.start_webhook(
            listen=host,
            port=port,
            url_path=re.escape(settings.webhook_path),  # the server matches it as a pattern
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=ALLOWED_UPDATES,
        )
    except OSError as e:  # taken since check_webhook_address
        raise UserError(
            f"DUBAN_WEBHOOK_LISTEN: cannot listen on {settings.webhook_listen}: {e.strerror or e}"
        ) from None
    except BadRequest as e:
        raise UserError(
            f"DUBAN_WEBHOOK_URL: the Bot API refused the webhook: {e.message}"
        ) from None
    log.info(
        "updates come by webhook to %s (listening on %s)",
        settings.webhook_url,
        settings.webhook_listen,
    )


async def nudge_job(context: Ctx) -> None:
    """The scheduled pass: nudges due now, and the weekly digest once it is due.

    Both are no-ops outside working hours or when already sent: the database remembers.
    """
    svc = context.svc
    now = svc.now()
    await run_nudge_pass(svc, context.sender, now=now)
    await send_digest(svc, context.sender, now)


def schedule_jobs(app: App, settings: Settings, *, first: float = 5) -> None:
    """Run the nudge pass every few minutes (the first `first` seconds after start-up); the
    database makes repeats harmless."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot's job-queue extra is not installed")
    app.job_queue.run_repeating(
        nudge_job, interval=timedelta(minutes=settings.pass_minutes), first=first, name="nudges"
    )

"""The CLI commands that talk to Telegram: run, send-due, invite."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, running, schedule_jobs
from bot.errors import ApiUnreachable, UserError, parse_at
from config import Settings
from handlers.sender import TelegramSender
from plans.model import PersonRole
from services.core import Services
from services.digests import make_digest, send_digest
from services.invites import ROLE_WORDS, make_invite
from services.logs import configure_logging
from services.nudging import run_nudge_pass
from storage import Database, StoredUnit, match_unit

log = logging.getLogger(__name__)

MISSING_TOKEN = (
    "DUBAN_BOT_TOKEN is not set. Create a bot with @BotFather, then run:\n"
    "  DUBAN_BOT_TOKEN=123456:ABC... DUBAN_ADMIN_IDS=<your Telegram user id> duban run\n"
    "(or put DUBAN_BOT_TOKEN=... in a .env file here). Without a token, duban can still\n"
    "import and list plans: duban import FILE, duban items."
)


@contextmanager
def bot_api_errors(settings: Settings) -> Iterator[None]:
    """Turn the Bot API's refusals into one-line errors: a bad token is the user's to fix
    (exit 2), an unreachable server means the work could not be done (exit 1)."""
    try:
        yield
    except InvalidToken:
        raise UserError("the Bot API refused DUBAN_BOT_TOKEN (unauthorized)") from None
    except NetworkError as e:
        raise ApiUnreachable(
            f"cannot reach the Bot API at {settings.bot_api_url}: {e.message}"
        ) from None


def _require_token(settings: Settings) -> None:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        raise UserError(MISSING_TOKEN)


async def run_bot(settings: Settings) -> int:
    """`duban run`: poll for updates and run the scheduled passes until SIGINT/SIGTERM."""
    _require_token(settings)
    assert settings.bot_token is not None
    configure_logging(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with await Database.open(settings.database) as db:
        app = build_application(settings, db)
        if settings.scheduler:
            schedule_jobs(app, settings)
        with bot_api_errors(settings):
            async with running(app):
                me = app.bot.username
                log.info(
                    "duban is running as @%s (scheduler %s)",
                    me,
                    "on" if settings.scheduler else "off",
                )
                await stop.wait()
    return 0


async def send_due(settings: Settings, at: str | None, out: TextIO) -> int:
    """`duban send-due [--at]`: one nudge pass as if the clock read `at`."""
    _require_token(settings)
    assert settings.bot_token is not None
    configure_logging(settings, logging.WARNING)
    async with await Database.open(settings.database) as db:
        svc = Services(settings=settings, db=db)
        now = parse_at(at, svc.tz) or svc.now()
        app = build_application(settings, db, services=svc)
        with bot_api_errors(settings):
            async with app:
                report = await run_nudge_pass(svc, TelegramSender(app.bot), now=now)
    print(report.summary(), file=out)
    return 0


async def invite(settings: Settings, target: str, out: TextIO) -> int:
    """`duban invite UNIT|coordinator|leader|admin`: an invite link, to bootstrap without chat."""
    _require_token(settings)
    assert settings.bot_token is not None
    configure_logging(settings, logging.WARNING)
    async with await Database.open(settings.database) as db:
        svc = Services(settings=settings, db=db)
        role: PersonRole | None = ROLE_WORDS.get(target.lower())
        unit: StoredUnit | None = None
        if role is None:
            found = await match_unit(db, target)
            if isinstance(found, list):
                if not found:
                    raise UserError(f"unknown unit: {target!r} (see: duban units)")
                names = ", ".join(u.name for u in found[:10])
                raise UserError(f"{target!r} matches several units: {names}")
            unit, role = found, "contact"
        app = build_application(settings, db, services=svc)
        with bot_api_errors(settings):
            async with app:
                username = app.bot.username
        link, group_link = await make_invite(
            svc, bot_username=username, role=role, unit=unit, created_by=0
        )
    what = f"contact of {unit.name}" if unit else role
    print(f"Invite link for {what} (works once, for {settings.invite_days} days):", file=out)
    print(link, file=out)
    if unit:
        print(f"For the unit's group chat: {group_link}", file=out)
    return 0


async def digest(settings: Settings, at: str | None, send: bool, out_dir: Path, out: TextIO) -> int:
    """`duban digest [--at] [--send] [--out DIR]`: print the digest, write its chart, maybe send."""
    if send:
        _require_token(settings)
    async with await Database.open(settings.database) as db:
        svc = Services(settings=settings, db=db)
        now = parse_at(at, svc.tz) or svc.now()
        result = await make_digest(svc, now)
        out_dir.mkdir(parents=True, exist_ok=True)
        chart = out_dir / f"duban-digest-{now.date().isoformat()}.png"
        chart.write_bytes(result.chart)
        print(html_to_text("\n".join(result.digest.text_lines)), file=out)
        print("", file=out)
        print(result.digest.paragraph, file=out)
        if result.legend:
            print("\n".join(result.legend), file=out)
        print(f"\nchart: {chart}", file=out)
        if send:
            assert settings.bot_token is not None
            configure_logging(settings, logging.WARNING)
            app = build_application(settings, db, services=svc)
            with bot_api_errors(settings):
                async with app:
                    sent = await send_digest(svc, TelegramSender(app.bot), now, force=True)
            if sent is None:  # once a week, whoever sends it
                print("not sent: this week's digest went out already (or is going out)", file=out)
            else:
                print(
                    f"sent to {sent.recipients} chats"
                    + (f"; unreachable: {', '.join(sent.unreachable)}" if sent.unreachable else ""),
                    file=out,
                )
    return 0


def html_to_text(text: str) -> str:
    """The digest's HTML as plain text for a terminal."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))

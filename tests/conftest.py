"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_application, running
from plans.documents.sources import parse_file
from sandbox import BotApiSandbox
from services.core import Services
from storage import import_plan
from storage.db import Database
from tests.e2e_support import (
    ADMIN_ID,
    SEED_000,
    TOKEN,
    TZ,
    Clock,
    World,
    settings_for,
)


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A new, fully migrated database in a real SQLite file of its own."""
    db = await Database.open(tmp_path / "duban.sqlite3")
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    # Telegram's 1 msg/s per private chat is exercised in its own test; here it would only
    # make every answer wait a second.
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        settings = settings_for(sb, tmp_path, chat_rate=0)  # the sandbox has no such limit here
        async with await Database.open(settings.database) as db:
            clock = Clock(datetime(2023, 2, 20, 10, 0, tzinfo=TZ))
            svc = Services(settings=settings, db=db, clock=clock)
            parsed = parse_file(SEED_000)
            await import_plan(
                db,
                parsed.plan,
                source_name=SEED_000.name,
                content_hash=parsed.content_hash,
                now=clock.moment,
            )
            app = build_application(settings, db, services=svc)
            async with running(app, poll_timeout=1):
                admin = sb.create_user("办公室", user_id=ADMIN_ID)
                w = World(sb, db, svc, app, clock, admin)
                welcome = await w.say(admin, "/start")
                assert "管理员" in welcome["text"]
                yield w
            assert not sb.errors, sb.errors

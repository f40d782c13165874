"""Shared pytest fixtures."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

import handlers.common
import services.delivery
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
from tests.figures import Figures, recorder, report_figures


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A new, fully migrated database in a real SQLite file of its own."""
    db = await Database.open(tmp_path / "duban.sqlite3")
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def figures(record_property: Callable[[str, object], None]) -> Figures:
    """`with figures(): print(...)`: shown after the run (tests/figures.py)."""
    return recorder(record_property)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The figures tests recorded, passed or failed, from whichever process ran them."""
    reports = [
        (report.nodeid, report.user_properties)
        for category in ("passed", "failed")
        for report in terminalreporter.getreports(category)
        if report.when == "call"
    ]
    lines = report_figures(reports)
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


# The files that take longest (seconds of waiting on a sandbox, a lease or a child process,
# measured with --durations), in that order, run first: a worker that takes one of them last
# would keep the whole run waiting. With `--no-loadscope-reorder` (addopts) xdist hands files
# out in this order; the rest keep pytest's.
SLOWEST_FIRST = (
    "test_nudge_delivery.py",
    "test_delivery.py",
    "test_bad_documents.py",
    "test_logs.py",
    "test_demo.py",
    "test_hostile_replies.py",
    "test_e2e.py",
    "test_ops.py",
    "test_pass_faults.py",
    "test_sandbox.py",
    "test_webhook.py",
    "test_run.py",
    "test_authorization.py",
    "test_workflow.py",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the CPUs. Much of the suite waits rather than computes
    -- on a sandbox's flood limits and injected stalls, a claim's lease, a child process -- and
    a spare worker fills those waits (2 CPUs: 61 s with two workers, 54 s with three)."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: k for k, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture
def groups_unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the bot's pace in group chats for a `world` set up after this fixture (it reads
    DUBAN_GROUP_RATE from the environment): at Telegram's 20 messages a minute per group every
    answer in a group waits 3 s. The sandbox keeps Telegram's limit; the pace itself is
    exercised in test_delivery's busy group."""
    monkeypatch.setenv("DUBAN_GROUP_RATE", "6000")


@pytest.fixture
def retries_unpaused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the bot's pause before it tries a failed send again -- an answer's (0.5 s, then
    twice as long) and a delivery's (0.5 s times the attempt) -- to 10 ms, for tests of what a
    retry does rather than how long it waits: each 5xx in them cost half a second or more. A
    429's retry_after is still waited for."""
    monkeypatch.setattr(handlers.common, "FIRST_PAUSE", 0.01)
    monkeypatch.setattr(services.delivery, "RETRY_PAUSE", 0.01)


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    # Telegram's 1 msg/s per private chat is exercised in its own test; here it would only
    # make every answer wait a second. Its 30 a second for the whole bot (exercised in
    # test_delivery, test_pass_faults and the benchmarks) paces sends about 35 ms apart, which
    # made every question and answer of a test take that long: lifted too, bot and sandbox.
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None, global_limit=None) as sb:
        # no such limits in the sandbox here: the bot need not keep to them
        settings = settings_for(sb, tmp_path, chat_rate=0, send_rate=2000)
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

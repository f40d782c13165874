"""What every handler shares, set once on the Application: python-telegram-bot's Defaults (HTML,
no link previews) and a typed context carrying the services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.context import BotData, Ctx
from tests.e2e_support import World


def _preview_off(params: dict[str, object]) -> bool:
    options = params.get("link_preview_options")
    if isinstance(options, str):
        options = json.loads(options)
    return isinstance(options, dict) and options.get("is_disabled") is True


async def test_every_message_is_html_without_link_previews(world: World) -> None:
    w = world
    contact = w.sb.create_user("高新处联络")
    await w.join(contact, "局高新处")
    await w.say(contact, "/help")
    await w.say(contact, "/mine")
    answer = await w.say(contact, "4 完成60%,见 https://example.com/report")
    assert "60" in answer["text"] and "<" not in answer["text"]  # HTML read, not shown
    await w.say(w.admin, "/status")
    await w.say(w.admin, "/nosuchcommand")
    sends = [c for c in w.sb.calls_to("sendMessage") if c.status == 200]
    assert len(sends) >= 6
    for call in sends:
        assert call.params.get("parse_mode") == "HTML", call.params
        assert _preview_off(call.params), call.params


async def test_handlers_read_the_services_from_a_typed_context(world: World) -> None:
    w = world
    assert isinstance(w.app.bot_data, BotData)
    assert w.app.bot_data.svc is w.svc
    assert w.app.context_types.context is Ctx


def test_an_application_without_services_says_so() -> None:
    with pytest.raises(RuntimeError, match="build_application"):
        _ = BotData().svc


async def test_the_bot_api_timeout_comes_from_the_settings(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from bot.app import build_application
    from config import Settings
    from storage import Database

    settings = Settings(bot_token=SecretStr("1:x"), database=tmp_path / "d.db", api_timeout=2.5)
    async with await Database.open(settings.database) as db:
        app = build_application(settings, db)
        assert app.bot.request.read_timeout == 2.5

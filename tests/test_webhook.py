"""Webhook mode: `duban run` with DUBAN_WEBHOOK_URL as a process, and the sandbox's webhooks.

The sandbox pushes updates to the bot's webhook server over loopback HTTP, as Telegram would
push them to the public URL; the bot's server is python-telegram-bot's, configured by duban.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import signal
import socket
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from render.texts import Texts
from sandbox import BotApiSandbox
from sandbox.world import Webhook
from tests.test_run import duban_here

TOKEN = "777001:HOOK-secret_token_value"
SECRET = "s3cret_webhook-Token"
ADMIN = 4242


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_for(tmp_path: Path, root: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUBAN_")}
    env.update(
        DUBAN_DATABASE=str(tmp_path / "duban.db"),
        DUBAN_BOT_API_URL=root,
        DUBAN_ADMIN_IDS=str(ADMIN),
        DUBAN_BOT_TOKEN=TOKEN,
        DUBAN_SCHEDULER="off",
        # unpaced private chats, as the sandboxes here have no per-chat limit: a second answer
        # in a chat waited a second for Telegram's 1 a second
        DUBAN_CHAT_RATE="0",
        **extra,
    )
    return env


def webhook_env(tmp_path: Path, root: str, port: int, **extra: str) -> dict[str, str]:
    return env_for(
        tmp_path,
        root,
        DUBAN_WEBHOOK_URL=f"http://127.0.0.1:{port}/duban/hook.1",
        DUBAN_WEBHOOK_LISTEN=f"127.0.0.1:{port}",
        DUBAN_WEBHOOK_SECRET=SECRET,
        **extra,
    )


async def duban_exits(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`duban run` expected to stop by itself: exit status and stderr."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def start_run(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop(proc: asyncio.subprocess.Process) -> str:
    """SIGTERM, then its stderr; it must have stopped cleanly."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    logs = err.decode()
    assert proc.returncode == 0, logs
    return logs


def shown(catalog_text: str) -> str:
    """A catalog message as the person sees it (HTML parsed away)."""
    return html.unescape(re.sub(r"<[^>]+>", "", catalog_text))


def forged_start(user_id: int, update_id: int) -> dict[str, Any]:
    """A well-formed update: /start from `user_id` in their private chat."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 999,
            "from": {"id": user_id, "is_bot": False, "first_name": "办公室"},
            "chat": {"id": user_id, "type": "private", "first_name": "办公室"},
            "date": 1_767_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def admin_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "duban.db") as conn:
        row = conn.execute(
            "SELECT count(*) FROM contacts WHERE telegram_user_id = ?", (ADMIN,)
        ).fetchone()
    return int(row[0])


def sandbox() -> BotApiSandbox:
    return BotApiSandbox(
        token=TOKEN,
        private_chat_limit=None,
        loopback_http_webhooks=True,
        webhook_retry=(0.05, 0.5),
    )


async def test_webhook_mode_end_to_end_then_back_to_polling(tmp_path: Path) -> None:
    port = free_port()
    async with sandbox() as sb:
        env = webhook_env(tmp_path, sb.root, port)
        proc = await start_run(env, tmp_path)
        try:
            hook = await sb.wait_for(lambda: sb.webhook, timeout=30, what="setWebhook")
            assert hook.url == f"http://127.0.0.1:{port}/duban/hook.1"
            assert hook.secret_token == SECRET
            stranger = sb.create_user("路人")
            stranger.start()
            answer = await sb.wait_for_message(stranger, timeout=30)
            assert answer["text"] == shown(Texts("zh")("welcome_unknown"))
            assert [d for d in sb.webhook_deliveries if d.status == 200]
            assert not sb.calls_to("getUpdates")  # no polling in webhook mode

            # Posts straight to the bot's server: no secret, a wrong one → 403, not handled.
            admin = sb.create_user("办公室", user_id=ADMIN, started=True)
            update = forged_start(ADMIN, 900_001)
            async with aiohttp.ClientSession() as http:
                for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                    async with http.post(hook.url, json=update, headers=headers) as response:
                        assert response.status == 403, headers
                # The admin's next message comes after the forged one in the same chat: had the
                # bot taken the forged /start, its answer would come first.
                admin.send_text("/whoami")
                answer = await sb.wait_for_message(admin, timeout=30)
                assert str(ADMIN) in (answer["text"] or "")
                assert [m["message_id"] for m in sb.sent(admin)] == [answer["message_id"]]
                assert admin_rows(tmp_path) == 0  # /start from an admin would have stored them

                # The same post with the secret is handled: the check above could fail.
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(hook.url, json=update, headers=headers) as response:
                    assert response.status == 200
                welcome = await sb.wait_for_message(admin, timeout=30)
                assert "办公室" in (welcome["text"] or "")
                assert admin_rows(tmp_path) == 1
        finally:
            logs = await stop(proc)
        assert "updates come by webhook" in logs
        assert SECRET not in logs and TOKEN not in logs

        # The bot is down and the webhook still set: Telegram keeps the update and retries.
        assert sb.webhook is not None
        stranger.send_text("/whoami")

        def failed() -> Webhook | None:
            hook = sb.webhook
            return hook if hook is not None and hook.last_error_message else None

        hook = await sb.wait_for(failed, timeout=10, what="a failed delivery")
        assert hook.last_error_message == "Connection refused"
        assert len(sb.pending_updates) == 1
        # Polling again: PTB deletes the webhook, and the waiting update is answered.
        proc = await start_run(env_for(tmp_path, sb.root), tmp_path)
        try:
            answer = await sb.wait_for_message(stranger, timeout=30)
            assert str(stranger.id) in (answer["text"] or "")
            assert sb.webhook is None
            assert sb.calls_to("deleteWebhook")
            polls = sb.calls_to("getUpdates")
            assert polls and all(c.status == 200 for c in polls), [c.status for c in polls]
        finally:
            await stop(proc)


async def test_refuses_to_start_without_a_valid_secret(tmp_path: Path) -> None:
    """As a process without a secret; the other two by the same `main` in this process."""
    root = "http://127.0.0.1:9"  # never reached: the settings stop it first
    env = webhook_env(tmp_path, root, 8080)
    del env["DUBAN_WEBHOOK_SECRET"]
    code, err = await duban_exits(env, tmp_path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert "DUBAN_WEBHOOK_SECRET" in err and "DUBAN_WEBHOOK_URL" in err
    bad = "not+allowed/in=telegram"
    code, _, err = await duban_here("run", env={**env, "DUBAN_WEBHOOK_SECRET": bad}, cwd=tmp_path)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "DUBAN_WEBHOOK_SECRET" in err and bad not in err
    code, _, err = await duban_here(
        "run", env={**env, "DUBAN_WEBHOOK_LISTEN": "8080"}, cwd=tmp_path
    )
    assert code == 2 and "DUBAN_WEBHOOK_LISTEN" in err, err
    assert not (tmp_path / "duban.db").exists()


async def test_a_refused_webhook_or_a_taken_port_is_one_line(tmp_path: Path) -> None:
    """Two `duban run` processes at once, each against a sandbox of its own."""

    async def refused() -> None:
        # Telegram's rule (no loopback, https only) refuses the URL: exit 2 with its reason.
        async with BotApiSandbox(token=TOKEN) as sb:
            cwd = tmp_path / "refused"
            cwd.mkdir()
            code, err = await duban_exits(webhook_env(cwd, sb.root, free_port()), cwd)
            assert code == 2, err
            last = err.strip().splitlines()[-1]  # after python-telegram-bot's own log lines
            assert last.startswith("duban: DUBAN_WEBHOOK_URL: the Bot API refused the webhook: ")
            assert "https url must be provided" in last.lower()

    async def taken_port() -> None:
        # The port is taken: refused before setWebhook, so Telegram is not sent elsewhere.
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            async with sandbox() as sb:
                cwd = tmp_path / "taken"
                cwd.mkdir()
                code, err = await duban_exits(webhook_env(cwd, sb.root, port), cwd)
                assert code == 2, err
                assert len(err.strip().splitlines()) == 1 and "DUBAN_WEBHOOK_LISTEN" in err, err
                assert not sb.calls_to("setWebhook")

    await asyncio.gather(refused(), taken_port())


# -- the sandbox behaves like Telegram -----------------------------------------------------------


class Receiver:
    """A webhook endpoint on loopback that records what arrives and fails while told to."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, Any], dict[str, str]]] = []
        self.failing = True

    async def handle(self, request: web.Request) -> web.Response:
        self.got.append((await request.json(), dict(request.headers)))
        return web.Response(status=500 if self.failing else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield rec, f"http://127.0.0.1:{port}/hook"
    finally:
        await runner.cleanup()


async def test_sandbox_refuses_webhooks_telegram_refuses() -> None:
    async with BotApiSandbox(token=TOKEN) as sb:
        bot = Bot(sb.token, base_url=sb.base_url)
        async with bot:
            https = "bad webhook: An HTTPS URL must be provided for webhook"
            cases = {
                "http://127.0.0.1:8080/x": https,
                "http://example.org/x": https,
                "https://127.0.0.1/x": "bad webhook: IP address 127.0.0.1 is reserved",
                "https://10.1.2.3:8443/x": "bad webhook: IP address 10.1.2.3 is reserved",
                "https://example.org:8080/x": (
                    "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
                ),
            }
            for url, reason in cases.items():
                with pytest.raises(BadRequest):
                    await bot.set_webhook(url)
                assert sb.calls[-1].description == f"Bad Request: {reason}", url
            with pytest.raises(BadRequest):
                await bot.set_webhook("https://example.org/x", secret_token="a+b")
            assert sb.calls[-1].description == (
                "Bad Request: secret token contains unallowed characters"
            )
            assert sb.webhook is None
            assert await bot.set_webhook("https://example.org:8443/x", secret_token="ok_-1")
            info = await bot.get_webhook_info()
            assert info.url == "https://example.org:8443/x" and info.pending_update_count == 0


async def test_sandbox_delivers_in_order_retries_and_reports(
    receiver: tuple[Receiver, str],
) -> None:
    rec, url = receiver
    async with BotApiSandbox(
        token=TOKEN, loopback_http_webhooks=True, webhook_retry=(0.02, 0.1)
    ) as sb:
        bot = Bot(sb.token, base_url=sb.base_url)
        async with bot:
            user = sb.create_user("李四")
            poll = asyncio.create_task(bot.get_updates(timeout=10))
            # the poll is logged when it ends; its start shows in the sandbox's poll counter
            await sb.wait_for(lambda: sb._api._poll_generation == 1 or None, timeout=5)
            assert await bot.set_webhook(url, secret_token=SECRET, allowed_updates=["message"])
            with pytest.raises(Conflict, match="terminated by setWebhook request"):
                await poll  # a long poll waiting when the webhook came
            with pytest.raises(Conflict) as refused:
                await bot.get_updates()
            assert refused.value.message == (
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
            first, second = user.send_text("一"), user.send_text("二")
            await sb.wait_for(lambda: len(rec.got) >= 3 or None, timeout=5, what="retries")
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 2
            assert (
                info.last_error_message
                == "Wrong response from the webhook: 500 Internal Server Error"
            )
            assert info.last_error_date is not None and info.allowed_updates == ("message",)
            rec.failing = False
            await sb.wait_for(lambda: not sb.pending_updates or None, timeout=5, what="delivery")
            texts = [body["message"]["text"] for body, _ in rec.got]
            # the first update again and again until taken, and only then the second
            assert set(texts[:-1]) == {"一"} and texts[-1] == "二", texts
            assert rec.got[-1][0]["message"]["message_id"] == second["message_id"]
            assert rec.got[0][0]["message"]["message_id"] == first["message_id"]
            for _, headers in rec.got:
                assert headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
                assert headers["Content-Type"] == "application/json"
            statuses = [d.status for d in sb.webhook_deliveries]
            assert statuses[-2:] == [200, 200] and set(statuses[:-2]) == {500}
            # deleteWebhook: getUpdates works again and gets what came since
            assert await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
            user.send_text("三")
            updates = await bot.get_updates(timeout=5)
            assert [u.message.text for u in updates if u.message] == ["三"]

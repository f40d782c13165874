"""The sandbox server: Bot API over HTTP on loopback, and the Python API tests drive it with.

    async with BotApiSandbox(token="123:ABC") as sb:
        bot = telegram.Bot(sb.token, base_url=sb.base_url, base_file_url=sb.base_file_url)
        alice = sb.create_user("Alice")
        alice.send_command("/start")
        ...
        reply = await sb.wait_for_message(alice)

The class is assembled from its concerns: people and chats are :mod:`sandbox.people`, what tests
read is :class:`~sandbox.reading.SandboxReading`, injected faults are
:class:`~sandbox.faults.FaultInjection` (applied here, per request), the Bot API methods are
:mod:`sandbox.methods`, and pushing updates to a webhook is :mod:`sandbox.webhook_delivery`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from .faults import FaultInjection
from .limits import Limit, Limits, RateLimiter
from .methods import METHODS, BotApi
from .model import JSON, ApiCall, ApiError, Stats
from .params import Params
from .people import ChatRef, SandboxChat, SandboxUser
from .reading import SandboxReading
from .sending import MAX_UPLOAD_BYTES
from .webhook_delivery import WebhookDelivery, deliver_updates
from .world import World

__all__ = ["DOWNLOAD_METHOD", "BotApiSandbox", "WebhookDelivery"]

log = logging.getLogger("sandbox")

# Telegram answers 401 to a well-formed token it does not know, 404 to a malformed one.
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
# File downloads are not a Bot API method; faults and the call log name them this way.
DOWNLOAD_METHOD = "downloadFile"

DEFAULT_GLOBAL_LIMIT = Limit.per_second(30)
DEFAULT_PRIVATE_CHAT_LIMIT = Limit.per_second(1)
DEFAULT_GROUP_CHAT_LIMIT = Limit.per_minute(20)


class BotApiSandbox(SandboxReading, FaultInjection):
    """A stand-in for api.telegram.org on 127.0.0.1, with people to talk to the bot.

    Limits default to Telegram's documented ones (30 msg/s overall, 1/s per private chat,
    20/min per group); pass ``None`` to switch one off, or change ``sandbox.limits`` at runtime.
    In privacy mode (the Telegram default) the bot only sees commands and replies to it in
    groups. ``clock`` gives message dates (Unix seconds); limits always use real time.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "duban_test_bot",
        bot_first_name: str = "督办",
        global_limit: Limit | None = DEFAULT_GLOBAL_LIMIT,
        private_chat_limit: Limit | None = DEFAULT_PRIVATE_CHAT_LIMIT,
        group_chat_limit: Limit | None = DEFAULT_GROUP_CHAT_LIMIT,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.time,
        control_api: bool = True,
        loopback_http_webhooks: bool = False,
        webhook_retry: tuple[float, float] = (0.2, 5.0),
        webhook_timeout: float = 10.0,
    ) -> None:
        if not _TOKEN_RE.fullmatch(token):
            raise ValueError("a bot token looks like '123456:ABC-def'")
        self.token = token
        self.limits = Limits(global_limit, private_chat_limit, group_chat_limit)
        self.world = World(
            bot_id=int(token.split(":", 1)[0]),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            privacy_mode=privacy_mode,
            clock=clock,
        )
        self.stats = Stats()
        self.calls: list[ApiCall] = []
        self.errors: list[BaseException] = []  # exceptions inside the sandbox: bugs, not faults
        self._api = BotApi(
            self.world,
            RateLimiter(self.limits),
            self.stats,
            loopback_http_webhooks=loopback_http_webhooks,
        )
        # Deliveries: first pause after a failure, doubling up to the second; per-POST timeout.
        self._webhook_retry = webhook_retry
        self._webhook_timeout = webhook_timeout
        self._webhook_task: asyncio.Task[None] | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._faults = []
        self._latency = {}
        self._cursors = {}
        self._host = host
        self._port = port
        self._control_api = control_api
        self._runner: web.AppRunner | None = None
        self._root: str | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> BotApiSandbox:
        """Start listening; ``root`` is valid afterwards."""
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        # Uploads up to Telegram's 50 MB must fit; aiohttp's default cap is 1 MB.
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        if self._control_api:
            from .control import add_control_routes

            add_control_routes(app, self)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self._root = f"http://{host}:{port}"
        self._api.closing = False
        self._webhook_task = asyncio.create_task(
            deliver_updates(
                self.world,
                self._api,
                self.webhook_deliveries,
                retry=self._webhook_retry,
                timeout=self._webhook_timeout,
            ),
            name="sandbox-webhook",
        )
        log.info("Bot API sandbox listening on %s", self._root)
        return self

    async def close(self) -> None:
        """Stop listening. Waiting long polls return (empty) first, so this is quick."""
        if self._runner is None:
            return
        self._api.closing = True
        self.world.notify()
        if self._webhook_task is not None:
            # Also cancelled: Python 3.11's wait_for can swallow a cancel; `closing` ends it then.
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        await self._runner.cleanup()
        self._runner = None

    async def __aenter__(self) -> BotApiSandbox:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- addresses ------------------------------------------------------------------------------

    @property
    def root(self) -> str:
        """Root URL for DUBAN_BOT_API_URL, e.g. ``http://127.0.0.1:41234``."""
        if self._root is None:
            raise RuntimeError("the sandbox is not running; use `async with` or start()")
        return self._root

    @property
    def base_url(self) -> str:
        """``base_url`` for ``telegram.Bot`` / ``ApplicationBuilder``."""
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        """``base_file_url`` for ``telegram.Bot`` / ``ApplicationBuilder``."""
        return f"{self.root}/file/bot"

    @property
    def bot_id(self) -> int:
        """The bot's user id (the number before ':' in the token)."""
        return self.world.bot_id

    @property
    def bot_username(self) -> str:
        """The bot's @username, without the @."""
        return self.world.bot_username

    def deep_link(self, payload: str) -> str:
        """``https://t.me/<bot>?start=<payload>``; users follow it with ``open_link``."""
        return f"https://t.me/{self.world.bot_username}?start={payload}"

    # -- people and chats ---------------------------------------------------------------------

    def create_user(
        self,
        first_name: str = "用户",
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = False,
    ) -> SandboxUser:
        """A new person. Until they press Start (or ``started=True``), the bot may not write
        to them: Telegram answers 403 "bot can't initiate conversation with a user"."""
        return self.world.create_user(
            first_name,
            user_id=user_id,
            last_name=last_name,
            username=username,
            language_code=language_code,
            started=started,
        )

    def create_group(
        self,
        title: str,
        members: tuple[SandboxUser, ...] | list[SandboxUser] = (),
        *,
        admins: tuple[SandboxUser, ...] | list[SandboxUser] = (),
        supergroup: bool = False,
        bot_is_admin: bool = False,
        chat_id: int | None = None,
    ) -> SandboxChat:
        """A group chat with the bot as a member (or admin, which also lifts privacy mode)."""
        return self.world.create_group(
            title,
            members,
            admins=admins,
            supergroup=supergroup,
            bot_is_admin=bot_is_admin,
            chat_id=chat_id,
        )

    def migrate_group(
        self, group: SandboxChat, *, by: SandboxUser | None = None, notify_bot: bool = True
    ) -> SandboxChat:
        """Upgrade a group to a supergroup (new ``-100…`` id, service messages, and 400 with
        ``migrate_to_chat_id`` for the old id); see :meth:`World.migrate_group`."""
        return self.world.migrate_group(group, by=by, notify_bot=notify_bot)

    def user(self, user_id: int) -> SandboxUser:
        """The person with this id."""
        return self.world.users[user_id]

    def chat(self, chat: ChatRef) -> SandboxChat:
        """The chat for a chat id, a user (their private chat) or a chat."""
        return self.world.chat(chat)

    # -- HTTP -----------------------------------------------------------------------------------

    def _check_token(self, token: str) -> ApiError | None:
        if token == self.token:
            return None
        if _TOKEN_RE.fullmatch(token):
            return ApiError(401, "Unauthorized")
        return ApiError(404, "Not Found")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["method"]
        entry = METHODS.get(name.lower())
        method = entry[0] if entry is not None else name
        error = self._check_token(request.match_info["token"])
        if error is not None:
            now = asyncio.get_running_loop().time()
            return self._respond(method, {}, error.status, error.body(), now)
        return await self._serve(request, method, lambda params: self._api.call(name, params))

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        error = self._check_token(request.match_info["token"])
        path = request.match_info["path"]
        if error is not None:
            now = asyncio.get_running_loop().time()
            logged = {"file_path": path}
            return self._respond(DOWNLOAD_METHOD, logged, error.status, error.body(), now)

        async def download(_: Params) -> bytes:
            stored = self.world.file_paths.get(path)
            if stored is None:
                raise ApiError(404, "Not Found")
            return stored.data

        return await self._serve(request, DOWNLOAD_METHOD, download, {"file_path": path})

    async def _serve(
        self,
        request: web.Request,
        method: str,
        run: Callable[[Params], Any],
        extra: JSON | None = None,
    ) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        started = loop.time()
        key = method.lower()
        try:
            params = await Params.from_request(request)
        except ApiError as exc:
            return self._respond(method, extra or {}, exc.status, exc.body(), started)
        logged = {**(extra or {}), **params.loggable()}
        latency = self._latency_for(key)
        if latency:
            await asyncio.sleep(latency)
        fault = self._take_fault(key)
        if fault is not None and fault.stall:
            await asyncio.sleep(fault.stall)
            fault = None
        drop_after = fault is not None and fault.drop and fault.after_processing
        if fault is not None and fault.drop and not drop_after:
            return self._drop(request, method, logged, started)
        if fault is not None and not fault.drop:
            self.stats.injected += 1
            error = ApiError(fault.status, fault.description, retry_after=fault.retry_after)
            return self._respond(method, logged, error.status, error.body(), started)
        try:
            result = await run(params)
        except ApiError as exc:
            status, body = exc.status, exc.body()
        except Exception as exc:  # a sandbox bug: answer like Telegram would, and keep it
            log.exception("sandbox failed in %s", method)
            self.errors.append(exc)
            status = 500
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {exc!r}",
            }
        else:
            if drop_after:
                return self._drop(request, method, logged, started)
            if isinstance(result, bytes):  # a file download
                self._record(method, logged, 200, None, started)
                return web.Response(body=result, content_type="application/octet-stream")
            status, body = 200, {"ok": True, "result": result}
        if drop_after:
            return self._drop(request, method, logged, started)
        return self._respond(method, logged, status, body, started)

    def _respond(
        self, method: str, params: JSON, status: int, body: JSON, started: float
    ) -> web.Response:
        self._record(method, params, status, body.get("description"), started)
        text = json.dumps(body, ensure_ascii=False)
        return web.Response(text=text, status=status, content_type="application/json")

    def _drop(
        self, request: web.Request, method: str, params: JSON, started: float
    ) -> web.Response:
        self.stats.dropped += 1
        self._record(method, params, None, "connection dropped", started)
        if request.transport is not None:
            request.transport.abort()
        # aiohttp cannot write to an aborted transport; this response goes nowhere.
        return web.Response(status=500)

    def _record(
        self, method: str, params: JSON, status: int | None, description: str | None, started: float
    ) -> None:
        duration = asyncio.get_running_loop().time() - started
        self.calls.append(ApiCall(method, params, status, description, time.time(), duration))
        self.stats.calls += 1
        self.stats.by_method[method] += 1
        if status is not None:
            self.stats.by_status[status] += 1
            if status == 429:
                self.stats.too_many_requests += 1

    async def _not_found(self, request: web.Request) -> web.Response:
        body = ApiError(404, "Not Found").body()
        return web.Response(text=json.dumps(body), status=404, content_type="application/json")

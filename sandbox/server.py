"""The sandbox server: Bot API over HTTP on loopback, and the Python API tests drive it with.

    async with BotApiSandbox(token="123:ABC") as sb:
        bot = telegram.Bot(sb.token, base_url=sb.base_url, base_file_url=sb.base_file_url)
        alice = sb.create_user("Alice")
        alice.send_command("/start")
        ...
        reply = await sb.wait_for_message(alice)

Faults (``inject``, ``set_latency``, ``drop_connections``) apply per request before the method
runs (a dropped connection may instead be dropped after it ran, to model "sent, but the answer
was lost"). A fault without a method matches every method except getUpdates, so a polling loop
running beside the code under test cannot swallow a fault meant for the bot's sends.

Webhooks work as in Telegram: after ``setWebhook`` getUpdates answers 409 and every pending
update is POSTed to the URL (JSON, with the ``X-Telegram-Bot-Api-Secret-Token`` header), one at
a time and in order; an answer other than 2xx, or none, is retried with a growing pause and
shows in ``getWebhookInfo`` as ``last_error_message``. Telegram wants an https URL on port 80,
88, 443 or 8443 of a public address; ``loopback_http_webhooks=True`` also admits http:// to a
loopback host on any port, for a bot running beside the tests. ``sandbox.webhook_deliveries``
lists every attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from .limits import Limit, Limits, RateLimiter
from .methods import MAX_UPLOAD_BYTES, METHODS, BotApi, scope_key
from .model import JSON, ApiCall, ApiError, SentMessage, Stats
from .params import Params
from .world import ChatRef, SandboxChat, SandboxUser, Webhook, World

__all__ = ["DOWNLOAD_METHOD", "BotApiSandbox", "WebhookDelivery"]

log = logging.getLogger("sandbox")

# Telegram answers 401 to a well-formed token it does not know, 404 to a malformed one.
_TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
# File downloads are not a Bot API method; faults and the call log name them this way.
DOWNLOAD_METHOD = "downloadFile"

DEFAULT_GLOBAL_LIMIT = Limit.per_second(30)
DEFAULT_PRIVATE_CHAT_LIMIT = Limit.per_second(1)
DEFAULT_GROUP_CHAT_LIMIT = Limit.per_minute(20)

_T = TypeVar("_T")


@dataclass
class _Fault:
    method: str | None  # lower-case, None = any except getUpdates
    remaining: int
    status: int = 500
    description: str = ""
    retry_after: int | None = None
    drop: bool = False
    after_processing: bool = False
    stall: float = 0.0  # answer this late, then as normal (see BotApiSandbox.stall)

    def matches(self, method: str) -> bool:
        if self.method is None:
            return method != "getupdates"
        return self.method == method


@dataclass(frozen=True)
class WebhookDelivery:
    """One POST of an update to the webhook.

    ``status`` is the HTTP status the bot answered, ``None`` when no answer came; ``error`` is
    what getWebhookInfo then reports as ``last_error_message`` (``None`` when delivered).
    """

    update_id: int
    url: str
    status: int | None
    error: str | None
    at: float


class BotApiSandbox:
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
        self._faults: list[_Fault] = []
        self._latency: dict[str | None, float] = {}
        self._cursors: dict[int, int] = {}
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
            self._deliver_webhook_updates(), name="sandbox-webhook"
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

    # -- what the bot did -----------------------------------------------------------------------

    def sent(self, chat: ChatRef) -> list[SentMessage]:
        """Every message the bot sent to ``chat``, oldest first (deleted ones flagged)."""
        return [m.record for m in self.world.chat(chat).messages.values() if m.record is not None]

    def messages(self, chat: ChatRef) -> list[JSON]:
        """The whole conversation in ``chat`` as Telegram Message objects, users' included."""
        return self.world.chat(chat).messages_json()

    async def wait_for_message(
        self,
        chat: ChatRef,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int | None = None,
    ) -> SentMessage:
        """Wait for the next bot message in ``chat`` (matching ``predicate``) and return it.

        "Next" means after the message the previous ``wait_for_message`` on this chat returned
        (or after message id ``after``), so consecutive calls walk through the bot's replies in
        order and never return the same one twice.
        """
        target = self.world.chat(chat)
        cursor = after if after is not None else self._cursors.get(target.id, 0)

        def found() -> SentMessage | None:
            for stored in target.messages.values():
                record = stored.record
                if (
                    record is not None
                    and stored.message_id > cursor
                    and (predicate is None or predicate(record))
                ):
                    return record
            return None

        try:
            record = await self.world.wait_until(found, timeout)
        except TimeoutError:
            raise TimeoutError(self._describe_timeout(target, cursor, timeout)) from None
        self._cursors[target.id] = record["message_id"]
        return record

    def _describe_timeout(self, chat: SandboxChat, cursor: int, timeout: float) -> str:
        sent = [
            (r["message_id"], r["text"] or r["caption"]) for r in self.sent(chat) if r is not None
        ]
        failed = [
            f"{c.method} -> {c.status} {c.description}" for c in self.calls if c.status != 200
        ]
        return (
            f"no matching bot message in chat {chat.id} after message {cursor} within "
            f"{timeout} s; the bot sent {sent}; failed calls: {failed[-5:]}"
        )

    async def wait_for(
        self, condition: Callable[[], _T | None], timeout: float = 5.0, *, what: str = ""
    ) -> _T:
        """Wait until ``condition()`` is truthy and return its value.

        Re-checked on every sandbox change and every 20 ms, so conditions on the bot's own
        state (a handler's side effects, a database row) work as well.
        """
        try:
            return await self.world.wait_until(condition, timeout, recheck=0.02)
        except TimeoutError:
            raise TimeoutError(
                f"timed out after {timeout} s waiting for {what or condition}"
            ) from None

    def calls_to(self, method: str) -> list[ApiCall]:
        """The logged calls of one method (name matched case-insensitively)."""
        wanted = method.lower()
        return [c for c in self.calls if c.method.lower() == wanted]

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates the bot has not confirmed yet."""
        return list(self.world.updates)

    @property
    def webhook(self) -> Webhook | None:
        """The webhook the bot set (url, secret_token, last_error_*), or ``None``."""
        return self.world.webhook

    @property
    def answers(self) -> dict[str, JSON]:
        """answerCallbackQuery results by query id: text, show_alert, url, cache_time."""
        return self.world.answers

    def commands(self, scope: Any = None, language_code: str = "") -> list[JSON]:
        """The command list stored for exactly this scope (a dict or a PTB BotCommandScope)."""
        key = scope_key(self.world, _as_dict(scope))
        return list(self.world.commands.get((key, language_code), []))

    def visible_commands(
        self, chat: ChatRef, user: SandboxUser | None = None, language_code: str = ""
    ) -> list[JSON]:
        """The menu a user would see in ``chat``, resolving scopes in Telegram's order."""
        target = self.world.chat(chat)
        keys: list[tuple[Any, ...]]
        if not target.is_group:
            keys = [("chat", target.id), ("all_private_chats",), ("default",)]
        else:
            is_admin = user is not None and user.id in target.admins
            keys = [("chat_member", target.id, user.id)] if user is not None else []
            if is_admin:
                keys.append(("chat_administrators", target.id))
            keys.append(("chat", target.id))
            if is_admin:
                keys.append(("all_chat_administrators",))
            keys += [("all_group_chats",), ("default",)]
        languages = [language_code, ""] if language_code else [""]
        for key in keys:
            for language in languages:
                found = self.world.commands.get((key, language))
                if found is not None:
                    return list(found)
        return []

    def file_bytes(self, file_id: str) -> bytes:
        """The content behind a file id (e.g. a document the bot sent)."""
        return self.world.files[file_id].data

    # -- faults -------------------------------------------------------------------------------

    def inject(
        self,
        method: str | None = None,
        status: int = 500,
        count: int = 1,
        *,
        description: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``count`` matching calls with an error instead of running them.

        ``status=429`` gets ``parameters.retry_after`` (default 1), like a real flood wait.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                try:
                    description = HTTPStatus(status).phrase
                except ValueError:
                    description = f"Error {status}"
        self._faults.append(
            _Fault(
                method.lower() if method else None,
                count,
                status=status,
                description=description,
                retry_after=retry_after if status == 429 else None,
            )
        )

    def drop_connections(
        self, count: int = 1, method: str | None = None, *, after_processing: bool = False
    ) -> None:
        """Close the connection without answering, for the next ``count`` matching calls.

        With ``after_processing=True`` the call takes effect first (the message is sent) and
        only the answer is lost -- the case that makes a retrying client send twice.
        """
        self._faults.append(
            _Fault(
                method.lower() if method else None,
                count,
                drop=True,
                after_processing=after_processing,
            )
        )

    def stall(self, count: int = 1, method: str | None = None, *, seconds: float = 30.0) -> None:
        """Hold the next ``count`` matching calls for ``seconds`` before running them.

        A client whose timeout is shorter gives up, yet the call then takes effect as Telegram's
        would: a timed-out send may well have been delivered.
        """
        self._faults.append(
            _Fault(method.lower() if method else None, count, stall=max(0.0, seconds))
        )

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every matching call by ``seconds`` (0 removes the delay)."""
        key = method.lower() if method else None
        if seconds > 0:
            self._latency[key] = seconds
        else:
            self._latency.pop(key, None)

    def clear_faults(self) -> None:
        """Forget pending injected errors, drops and latencies."""
        self._faults.clear()
        self._latency.clear()

    def _take_fault(self, method: str) -> _Fault | None:
        for fault in self._faults:
            if fault.matches(method):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _latency_for(self, method: str) -> float:
        if method in self._latency:
            return self._latency[method]
        if method == "getupdates":
            return 0.0
        return self._latency.get(None, 0.0)

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

    # -- webhook delivery -----------------------------------------------------------------------

    async def _deliver_webhook_updates(self) -> None:
        """While a webhook is set, push the oldest pending update until the bot takes it."""
        world = self.world
        first, longest = self._webhook_retry
        delay = first
        timeout = aiohttp.ClientTimeout(total=self._webhook_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not self._api.closing:
                hook = world.webhook
                if hook is None or not world.updates:
                    with contextlib.suppress(TimeoutError):
                        await world.wait_until(_has_work(world, self._api), 3600.0)
                    delay = first
                    continue
                update = world.updates[0]
                status, error = await self._post_update(session, hook, update)
                self.webhook_deliveries.append(
                    WebhookDelivery(update["update_id"], hook.url, status, error, time.time())
                )
                if error is None:
                    world.confirm(update["update_id"] + 1)  # taken: gone for good
                    delay = first
                    world.notify()
                    continue
                hook.last_error_date = int(world.clock())
                hook.last_error_message = error
                world.notify()
                # Back off, but a new setWebhook or deleteWebhook starts afresh at once.
                with contextlib.suppress(TimeoutError):
                    await world.wait_until(_replaced(world, hook, self._api), delay)
                delay = min(longest, delay * 2)

    async def _post_update(
        self, session: aiohttp.ClientSession, hook: Webhook, update: JSON
    ) -> tuple[int | None, str | None]:
        """POST one update; (status, None) when taken, else (status or None, Telegram's text)."""
        headers = {"Content-Type": "application/json"}
        if hook.secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with session.post(
                hook.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return response.status, None
                reason = f" {response.reason}" if response.reason else ""
                return (
                    response.status,
                    f"Wrong response from the webhook: {response.status}{reason}",
                )
        except TimeoutError:
            return None, "Read timeout expired"
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, ConnectionRefusedError):
                return None, "Connection refused"
            return None, f"Connection failed: {exc.os_error.strerror or exc.os_error}"
        except aiohttp.ClientError as exc:
            return None, f"Connection failed: {exc}"

    async def _not_found(self, request: web.Request) -> web.Response:
        body = ApiError(404, "Not Found").body()
        return web.Response(text=json.dumps(body), status=404, content_type="application/json")


def _as_dict(scope: Any) -> Any:
    """Accept PTB's BotCommandScope objects as well as plain dicts."""
    if scope is None or isinstance(scope, Mapping):
        return dict(scope) if scope is not None else None
    to_dict = getattr(scope, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"not a command scope: {scope!r}")


def _has_work(world: World, api: BotApi) -> Callable[[], bool]:
    return lambda: api.closing or (world.webhook is not None and bool(world.updates))


def _replaced(world: World, hook: Webhook, api: BotApi) -> Callable[[], bool]:
    return lambda: api.closing or world.webhook is not hook

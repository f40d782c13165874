"""The Bot API methods the sandbox implements, with Telegram's validation and error texts.

Each method validates everything first and changes state last, without awaiting in between,
so a request that fails leaves no trace and concurrent requests cannot interleave half-done.
The order of checks is: parameters (400) -> may the bot write there (403) -> flood limits
(429) -> store. A message rejected for any reason does not count against a limit.

Parameter checks are :mod:`sandbox.validation`; what sends and edits share (403s, reply targets,
files, storing the message and its record) is :mod:`sandbox.sending`; setWebhook's URL rules are
:mod:`sandbox.webhook`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from .files import StoredFile
from .limits import RateLimiter
from .model import JSON, ApiError, Stats, bad_request
from .params import Params
from .people import SandboxChat
from .sending import (
    check_can_send,
    editable,
    input_file,
    post,
    reply_target,
    save_version,
    set_markup,
    store_upload,
)
from .validation import CHAT_ACTIONS, bot_commands, find_chat, render, reply_markup, scope_key
from .webhook import Webhook, check_webhook_url
from .world import ALL_UPDATE_TYPES, DEFAULT_ALLOWED_UPDATES, World

__all__ = ["METHODS", "BotApi", "scope_key"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

Handler = Callable[["BotApi", Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}  # lower-case name -> (canonical name, handler)


def _method(name: str) -> Callable[[Handler], Handler]:
    # Telegram matches method names case-insensitively; the canonical name goes in the log.
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


class BotApi:
    """The bot's side of the sandbox: implements the methods in :data:`METHODS`."""

    def __init__(
        self,
        world: World,
        limiter: RateLimiter,
        stats: Stats,
        *,
        loopback_http_webhooks: bool = False,
    ) -> None:
        self.world = world
        self.limiter = limiter
        self.stats = stats
        self.loopback_http_webhooks = loopback_http_webhooks
        self.closing = False
        self._poll_generation = 0

    async def call(self, method: str, params: Params) -> Any:
        """Run a method by (case-insensitive) name; 404 for names the sandbox lacks."""
        entry = METHODS.get(method.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        return await entry[1](self, params)

    # -- shared checks -----------------------------------------------------------------------

    def _chat(self, p: Params) -> SandboxChat:
        return find_chat(self.world, p.values.get("chat_id"))

    def _throttle(self, chat: SandboxChat) -> None:
        now = asyncio.get_running_loop().time()
        retry = self.limiter.retry_after(chat.id, is_group=chat.is_group, now=now)
        if retry is not None:
            self.stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        self.limiter.record(chat.id, is_group=chat.is_group, now=now)

    def _admit(self, chat: SandboxChat) -> None:
        """The 403 and 429 checks a new message passes; it counts against the limits."""
        check_can_send(chat)
        self._throttle(chat)

    # -- methods ------------------------------------------------------------------------------

    @_method("getMe")
    async def get_me(self, p: Params) -> JSON:
        """The bot's own User object."""
        return {
            **self.world.bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_method("getUpdates")
    async def get_updates(self, p: Params) -> list[JSON]:
        """Confirm updates below ``offset``, then return pending ones, long-polling if asked.

        While a webhook is set, Telegram refuses (409) and a waiting poll ends with 409 too.
        """
        if self.world.webhook is not None:
            raise ApiError(409, _WEBHOOK_ACTIVE)
        offset = p.get_int("offset") or 0
        limit = min(100, max(1, p.get_int("limit") or 100))
        timeout = max(0.0, p.get_float("timeout") or 0.0)
        allowed = p.get_json("allowed_updates", error="can't parse allowed updates")
        if isinstance(allowed, list):
            wanted = frozenset(str(a) for a in allowed) & ALL_UPDATE_TYPES
            self.world.allowed_updates = wanted or DEFAULT_ALLOWED_UPDATES
        self.world.confirm(offset)
        # A newer getUpdates ends an older one still waiting, as Telegram does (with 409).
        self._poll_generation += 1
        generation = self._poll_generation
        self.world.notify()

        def ready() -> bool:
            return bool(
                self.world.updates
                or self.closing
                or generation != self._poll_generation
                or self.world.webhook is not None
            )

        if timeout > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                await self.world.wait_until(ready, timeout)
        if self.world.webhook is not None:
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        if generation != self._poll_generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        return self.world.updates[:limit]

    @_method("setWebhook")
    async def set_webhook(self, p: Params) -> bool:
        """Set (or, with an empty ``url``, remove) the webhook updates are pushed to.

        Checked as Telegram does: an https URL on port 80, 88, 443 or 8443 whose address is
        not reserved. A sandbox created with ``loopback_http_webhooks=True`` also accepts
        http:// and any port for a loopback host, so a bot on this machine can be reached.
        """
        url = (p.get_str("url") or "").strip()
        secret = p.get_str("secret_token") or None
        if url:
            check_webhook_url(url, loopback_http_webhooks=self.loopback_http_webhooks)
            if secret is not None and not _SECRET_TOKEN_RE.fullmatch(secret):
                raise bad_request("secret token contains unallowed characters")
        allowed = p.get_json("allowed_updates", error="can't parse allowed updates")
        if isinstance(allowed, list):
            wanted = frozenset(str(a) for a in allowed) & ALL_UPDATE_TYPES
            self.world.allowed_updates = wanted or DEFAULT_ALLOWED_UPDATES
        if p.get_bool("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook = (
            Webhook(
                url,
                secret,
                max_connections=p.get_int("max_connections") or 40,
                ip_address=p.get_str("ip_address") or None,
            )
            if url
            else None
        )
        self.world.notify()
        return True

    @_method("deleteWebhook")
    async def delete_webhook(self, p: Params) -> bool:
        """Remove the webhook: getUpdates works again. ``drop_pending_updates`` clears the queue."""
        self.world.webhook = None
        if p.get_bool("drop_pending_updates"):
            self.world.updates.clear()
        self.world.notify()
        return True

    @_method("getWebhookInfo")
    async def get_webhook_info(self, p: Params) -> JSON:
        """The webhook, how many updates wait, and the last delivery error."""
        hook = self.world.webhook
        if hook is None:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self.world.updates),
            }
        return hook.info(len(self.world.updates), self.world.allowed_updates)

    @_method("setMyCommands")
    async def set_my_commands(self, p: Params) -> bool:
        """Store a command list under its scope and language; an empty list deletes it."""
        cleaned = bot_commands(p)
        key = (self._scope(p), p.get_str("language_code") or "")
        if cleaned:
            self.world.commands[key] = cleaned
        else:
            self.world.commands.pop(key, None)
        self.world.notify()
        return True

    @_method("getMyCommands")
    async def get_my_commands(self, p: Params) -> list[JSON]:
        """The list stored for exactly this scope and language (Telegram does not fall back)."""
        key = (self._scope(p), p.get_str("language_code") or "")
        return self.world.commands.get(key, [])

    @_method("deleteMyCommands")
    async def delete_my_commands(self, p: Params) -> bool:
        """Forget the list of one scope and language."""
        self.world.commands.pop((self._scope(p), p.get_str("language_code") or ""), None)
        self.world.notify()
        return True

    def _scope(self, p: Params) -> tuple[Any, ...]:
        return scope_key(
            self.world, p.get_json("scope", error="can't parse BotCommandScope JSON object")
        )

    @_method("sendMessage")
    async def send_message(self, p: Params) -> JSON:
        """Send a text message."""
        chat = self._chat(p)
        rendered = render(
            p,
            "text",
            "entities",
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        assert rendered is not None  # `empty` makes a missing text an error
        markup = reply_markup(p)
        reply_to = reply_target(self.world, p, chat)
        content: JSON = {"text": rendered.text}
        if rendered.entities:
            content["entities"] = rendered.entities
        self._admit(chat)
        return post(self.world, chat, "sendMessage", content, rendered, markup, reply_to)

    @_method("sendPhoto")
    async def send_photo(self, p: Params) -> JSON:
        """Send a photo, uploaded or by file_id."""
        return self._send_media(p, "photo")

    @_method("sendDocument")
    async def send_document(self, p: Params) -> JSON:
        """Send a document, uploaded or by file_id."""
        return self._send_media(p, "document")

    def _send_media(self, p: Params, kind: Literal["document", "photo"]) -> JSON:
        chat = self._chat(p)
        rendered = render(
            p,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty=None,
        )
        markup = reply_markup(p)
        reply_to = reply_target(self.world, p, chat)
        source = input_file(self.world, p, kind, kind)
        self._admit(chat)  # before storing an upload, so a refused message leaves nothing behind
        stored = (
            source if isinstance(source, StoredFile) else store_upload(self.world, source, kind)
        )
        content: JSON = (
            {"photo": stored.photo_json()}
            if kind == "photo"
            else {"document": stored.document_json()}
        )
        if rendered is not None:
            content["caption"] = rendered.text
            if rendered.entities:
                content["caption_entities"] = rendered.entities
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        return post(self.world, chat, method, content, rendered, markup, reply_to)

    @_method("editMessageText")
    async def edit_message_text(self, p: Params) -> JSON:
        """Replace a bot message's text (and keyboard: none given removes it, as in Telegram)."""
        _, stored = editable(self.world, p)
        if "text" not in stored.json:
            raise bad_request("there is no text in the message to edit")
        rendered = render(
            p,
            "text",
            "entities",
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            empty="message text is empty",
        )
        assert rendered is not None
        markup = reply_markup(p)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        old_markup = stored.json.get("reply_markup")
        if (
            rendered.text == stored.json["text"]
            and rendered.entities == stored.json.get("entities", [])
            and markup == old_markup
        ):
            raise bad_request(_NOT_MODIFIED)
        record = save_version(stored)
        stored.json["text"] = rendered.text
        if rendered.entities:
            stored.json["entities"] = rendered.entities
        else:
            stored.json.pop("entities", None)
        set_markup(stored, markup)
        stored.json["edit_date"] = int(self.world.clock())
        record["text"] = rendered.text
        record["raw_text"] = rendered.raw
        record["parse_mode"] = rendered.parse_mode
        record["entities"] = rendered.entities
        record["reply_markup"] = markup
        self.world.notify()
        return stored.json

    @_method("editMessageReplyMarkup")
    async def edit_message_reply_markup(self, p: Params) -> JSON:
        """Replace (or with none given, remove) a bot message's inline keyboard."""
        _, stored = editable(self.world, p)
        markup = reply_markup(p)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        if markup == stored.json.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        record = save_version(stored)
        set_markup(stored, markup)
        stored.json["edit_date"] = int(self.world.clock())
        record["reply_markup"] = markup
        self.world.notify()
        return stored.json

    @_method("deleteMessage")
    async def delete_message(self, p: Params) -> bool:
        """Delete a message: the bot's own, any in a private chat, others' only as admin."""
        chat = self._chat(p)
        message_id = p.get_int("message_id", error="message identifier is not specified")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = self.world.message(chat.id, message_id)
        if stored is None:
            raise bad_request("message to delete not found")
        if not stored.from_bot and chat.is_group and chat.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        stored.deleted = True
        if stored.record is not None:
            stored.record["deleted"] = True
        self.world.notify()
        return True

    @_method("answerCallbackQuery")
    async def answer_callback_query(self, p: Params) -> bool:
        """Answer a button press once; the answer is kept in ``sandbox.answers``."""
        query_id = p.get_str("callback_query_id")
        if query_id is None or query_id not in self.world.callback_queries:
            raise bad_request(_QUERY_INVALID)
        text = p.get_str("text")
        if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        del self.world.callback_queries[query_id]
        self.world.answers[query_id] = {
            "text": text,
            "show_alert": p.get_bool("show_alert"),
            "url": p.get_str("url"),
            "cache_time": p.get_int("cache_time") or 0,
        }
        self.world.notify()
        return True

    @_method("getFile")
    async def get_file(self, p: Params) -> JSON:
        """File info with the ``file_path`` to download it from."""
        file_id = p.get_str("file_id")
        if not file_id:
            raise bad_request("file_id not specified")
        stored = self.world.files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": self.world.assign_file_path(stored),
        }

    @_method("sendChatAction")
    async def send_chat_action(self, p: Params) -> bool:
        """Show "typing…" and the like; checked like a send, but never rate limited."""
        chat = self._chat(p)
        if p.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        check_can_send(chat)
        return True

    @_method("getChat")
    async def get_chat(self, p: Params) -> JSON:
        """A ChatFullInfo with the fields python-telegram-bot requires."""
        chat = self._chat(p)
        info = dict(chat.to_json())
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

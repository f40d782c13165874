"""The Bot API methods the sandbox implements, with Telegram's validation and error texts.

Each method validates everything first and changes state last, without awaiting in between,
so a request that fails leaves no trace and concurrent requests cannot interleave half-done.
The order of checks is: parameters (400) -> may the bot write there (403) -> flood limits
(429) -> store. A message rejected for any reason does not count against a limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from .html import HtmlParseError, parse_html, utf16_len
from .limits import RateLimiter
from .model import JSON, ApiError, MessageVersion, SentMessage, Stats, bad_request, forbidden
from .params import Params, Upload
from .world import (
    ALL_UPDATE_TYPES,
    DEFAULT_ALLOWED_UPDATES,
    INACCESSIBLE_AFTER,
    SandboxChat,
    StoredFile,
    StoredMessage,
    Webhook,
    World,
    image_size,
)

__all__ = ["METHODS", "BotApi", "scope_key"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_BUTTONS = 100
MAX_COMMANDS = 100
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_WEBHOOK_PORTS = (80, 88, 443, 8443)
_BAD_PORT = "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")

Handler = Callable[["BotApi", Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}  # lower-case name -> (canonical name, handler)


def _method(name: str) -> Callable[[Handler], Handler]:
    # Telegram matches method names case-insensitively; the canonical name goes in the log.
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = (name, handler)
        return handler

    return register


@dataclass(frozen=True)
class _Rendered:
    """Message text as sent and as shown."""

    text: str
    entities: list[JSON]
    raw: str
    parse_mode: str | None


def scope_key(world: World, scope: Any) -> tuple[Any, ...]:
    """Normalise a BotCommandScope object to the key commands are stored under."""
    if scope is None:
        return ("default",)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        return (kind,)
    if kind not in ("chat", "chat_administrators", "chat_member"):
        raise bad_request(f"unsupported bot command scope type {kind!r}")
    chat = _find_chat(world, scope.get("chat_id"))
    if kind != "chat" and not chat.is_group:
        raise bad_request(f"can't use {kind} scope in private chats")
    if kind == "chat_member":
        try:
            user_id = int(scope.get("user_id", ""))
        except (TypeError, ValueError):
            raise bad_request("invalid user_id specified") from None
        if user_id not in world.users:
            raise bad_request("user not found")
        return (kind, chat.id, user_id)
    return (kind, chat.id)


def _find_chat(world: World, value: Any) -> SandboxChat:
    if value is None or value == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(value)
    except (TypeError, ValueError):
        # "@channelusername" works only for public channels, which the sandbox does not have.
        raise bad_request("chat not found") from None
    chat = world.find_chat(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    if chat.migrated_to is not None:
        raise ChatMigratedError(chat.migrated_to)
    return chat


class ChatMigratedError(ApiError):
    """400 for a group upgraded to a supergroup, naming the new id as Telegram does."""

    def __init__(self, migrate_to_chat_id: int) -> None:
        super().__init__(400, "Bad Request: group chat was upgraded to a supergroup chat")
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JSON:
        """The error body with ``parameters.migrate_to_chat_id``."""
        body = super().body()
        body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def _strip(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace as Telegram does, moving entities along."""
    left = text.lstrip()
    lead = utf16_len(text[: len(text) - len(left)])
    stripped = left.rstrip()
    total = utf16_len(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


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
        return _find_chat(self.world, p.values.get("chat_id"))

    def _check_can_send(self, chat: SandboxChat) -> None:
        user = chat.user
        if user is not None:
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")

    def _throttle(self, chat: SandboxChat) -> None:
        now = asyncio.get_running_loop().time()
        retry = self.limiter.retry_after(chat.id, is_group=chat.is_group, now=now)
        if retry is not None:
            self.stats.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        self.limiter.record(chat.id, is_group=chat.is_group, now=now)

    def _render(
        self,
        p: Params,
        field: str,
        entities_field: str,
        *,
        limit: int,
        too_long: str,
        empty: str | None,
    ) -> _Rendered | None:
        """Parse text/caption per ``parse_mode``; ``None`` for an absent optional caption."""
        raw = p.get_str(field)
        if raw is None or raw == "":
            if empty is not None:
                raise bad_request(empty)
            return None
        mode = (p.get_str("parse_mode") or "").strip()
        entities: list[JSON] = []
        if mode.lower() == "html":
            try:
                parsed = parse_html(raw)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
            text, entities = parsed.text, parsed.entities
        elif mode.lower() in ("markdownv2", "markdown"):
            # Not parsed: duban sends HTML. The text is kept verbatim so tests still see it.
            text = raw
        elif mode:
            raise bad_request("unsupported parse_mode")
        else:
            text = raw
            given = p.get_json(entities_field, error=f"can't parse {entities_field} JSON object")
            if isinstance(given, list):
                entities = [e for e in given if isinstance(e, dict)]
        text, entities = _strip(text, entities)
        if not text:
            if empty is not None:
                raise bad_request(empty)
            return None
        if len(text) > limit:
            raise bad_request(too_long)
        return _Rendered(text, entities, raw, mode or None)

    def _reply_markup(self, p: Params) -> JSON | None:
        error = "can't parse reply keyboard markup JSON object"
        markup = p.get_json("reply_markup", error=error)
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request(error)
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    'can\'t parse inline keyboard: field "inline_keyboard" must be an Array of Arrays'
                )
            count = 0
            for row in rows:
                for button in row:
                    count += 1
                    self._check_button(button)
            if count > MAX_BUTTONS:
                raise bad_request("reply markup is too long")
        elif not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request(error)
        return markup

    @staticmethod
    def _check_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        if not button["text"]:
            raise bad_request("BUTTON_TEXT_INVALID")
        if not any(k in button for k in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
                raise bad_request("BUTTON_URL_INVALID")

    def _reply_target(self, p: Params, chat: SandboxChat) -> StoredMessage | None:
        params = p.get_json("reply_parameters", error="can't parse reply parameters JSON object")
        if params is not None:
            if not isinstance(params, dict) or "message_id" not in params:
                raise bad_request("can't parse reply parameters JSON object")
            target_chat = chat
            if params.get("chat_id") not in (None, "", chat.id):
                target_chat = _find_chat(self.world, params["chat_id"])
            try:
                message_id = int(params["message_id"])
            except (TypeError, ValueError):
                raise bad_request("invalid message_id specified") from None
            allow = bool(params.get("allow_sending_without_reply"))
        else:
            legacy = p.get_int("reply_to_message_id")
            if legacy is None:
                return None
            target_chat, message_id = chat, legacy
            allow = p.get_bool("allow_sending_without_reply")
        target = self.world.message(target_chat.id, message_id)
        if target is not None and self.world.clock() - target.json["date"] > INACCESSIBLE_AFTER:
            # What Telegram no longer hands back (a button on it brings an InaccessibleMessage)
            # cannot be quoted either.
            target = None
        if target is None and not allow:
            raise bad_request("message to be replied not found")
        return target

    def _admit(self, chat: SandboxChat) -> None:
        """The 403 and 429 checks a new message passes; it counts against the limits."""
        self._check_can_send(chat)
        self._throttle(chat)

    def _post(
        self,
        chat: SandboxChat,
        method: str,
        content: JSON,
        rendered: _Rendered | None,
        markup: JSON | None,
        reply_to: StoredMessage | None,
    ) -> JSON:
        """Store an admitted bot message and its SentMessage record; return the Message."""
        if markup is not None and "inline_keyboard" in markup:
            # Only inline keyboards are part of the Message object Telegram returns.
            content["reply_markup"] = markup
        stored = self.world.add_message(
            chat, self.world.bot_json(), content, from_bot=True, reply_to=reply_to
        )
        is_text = "text" in content
        record: SentMessage = {
            "chat_id": chat.id,
            "message_id": stored.message_id,
            "method": method,
            "text": rendered.text if rendered is not None and is_text else None,
            "caption": rendered.text if rendered is not None and not is_text else None,
            "raw_text": rendered.raw if rendered is not None else None,
            "parse_mode": rendered.parse_mode if rendered is not None else None,
            "entities": rendered.entities if rendered is not None else [],
            "reply_markup": markup,
            "reply_to": reply_to.message_id if reply_to is not None else None,
            "date": stored.json["date"],
            "edits": [],
            "deleted": False,
            "document": content.get("document"),
            "photo": content.get("photo"),
            "message": stored.json,
        }
        stored.record = record
        self.world.notify()
        return stored.json

    def _input_file(
        self, p: Params, field: str, kind: Literal["document", "photo"]
    ) -> StoredFile | Upload:
        """The file to send: an existing one by file_id, or an upload not yet stored."""
        upload = p.upload(field)
        if upload is not None:
            limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES
            if len(upload.data) > limit:
                raise ApiError(413, "Request Entity Too Large")
            return upload
        ref = p.get_str(field)
        if not ref:
            raise bad_request(f"there is no {field} in the request")
        if ref.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")  # the sandbox has no internet
        stored = self.world.files.get(ref)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored

    def _store_upload(self, upload: Upload, kind: Literal["document", "photo"]) -> StoredFile:
        if kind == "photo":
            width, height = image_size(upload.data)
            return self.world.store_file("photo", upload.data, width=width, height=height)
        return self.world.store_file(
            "document",
            upload.data,
            file_name=upload.file_name,
            mime_type=upload.content_type or "application/octet-stream",
        )

    def _editable(self, p: Params) -> tuple[SandboxChat, StoredMessage]:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in the sandbox
        chat = self._chat(p)
        message_id = p.get_int("message_id", error="message identifier is not specified")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        stored = self.world.message(chat.id, message_id)
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        self._check_can_send(chat)
        return chat, stored

    @staticmethod
    def _save_version(stored: StoredMessage) -> SentMessage:
        record = stored.record
        assert record is not None  # bot messages always have one
        version: MessageVersion = {
            "text": record["text"],
            "caption": record["caption"],
            "raw_text": record["raw_text"],
            "parse_mode": record["parse_mode"],
            "entities": record["entities"],
            "reply_markup": record["reply_markup"],
            "date": int(stored.json.get("edit_date") or stored.json["date"]),
        }
        record["edits"].append(version)
        return record

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
            self._check_webhook_url(url)
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

    def _check_webhook_url(self, url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not host or parts.scheme not in ("http", "https"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        try:
            port = parts.port
        except ValueError:
            raise bad_request(_BAD_PORT) from None
        loopback = _is_loopback(host)
        if loopback and self.loopback_http_webhooks:
            return
        if parts.scheme != "https":
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (port or 443) not in _WEBHOOK_PORTS:
            raise bad_request(_BAD_PORT)
        try:
            ip = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
        except ValueError:
            return  # a host name: the sandbox resolves none
        if not ip.is_global:
            raise bad_request(f"bad webhook: IP address {ip} is reserved")

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
        commands = p.get_json("commands", error="can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad_request("too many commands specified")
        cleaned: list[JSON] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).lower()
            description = str(command.get("description", ""))
            if not _COMMAND_NAME_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
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
        rendered = self._render(
            p,
            "text",
            "entities",
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        assert rendered is not None  # `empty` makes a missing text an error
        markup = self._reply_markup(p)
        reply_to = self._reply_target(p, chat)
        content: JSON = {"text": rendered.text}
        if rendered.entities:
            content["entities"] = rendered.entities
        self._admit(chat)
        return self._post(chat, "sendMessage", content, rendered, markup, reply_to)

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
        rendered = self._render(
            p,
            "caption",
            "caption_entities",
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty=None,
        )
        markup = self._reply_markup(p)
        reply_to = self._reply_target(p, chat)
        source = self._input_file(p, kind, kind)
        self._admit(chat)  # before storing an upload, so a refused message leaves nothing behind
        stored = source if isinstance(source, StoredFile) else self._store_upload(source, kind)
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
        return self._post(chat, method, content, rendered, markup, reply_to)

    @_method("editMessageText")
    async def edit_message_text(self, p: Params) -> JSON:
        """Replace a bot message's text (and keyboard: none given removes it, as in Telegram)."""
        _, stored = self._editable(p)
        if "text" not in stored.json:
            raise bad_request("there is no text in the message to edit")
        rendered = self._render(
            p,
            "text",
            "entities",
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            empty="message text is empty",
        )
        assert rendered is not None
        markup = self._reply_markup(p)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        old_markup = stored.json.get("reply_markup")
        if (
            rendered.text == stored.json["text"]
            and rendered.entities == stored.json.get("entities", [])
            and markup == old_markup
        ):
            raise bad_request(_NOT_MODIFIED)
        record = self._save_version(stored)
        stored.json["text"] = rendered.text
        if rendered.entities:
            stored.json["entities"] = rendered.entities
        else:
            stored.json.pop("entities", None)
        self._set_markup(stored, markup)
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
        _, stored = self._editable(p)
        markup = self._reply_markup(p)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        if markup == stored.json.get("reply_markup"):
            raise bad_request(_NOT_MODIFIED)
        record = self._save_version(stored)
        self._set_markup(stored, markup)
        stored.json["edit_date"] = int(self.world.clock())
        record["reply_markup"] = markup
        self.world.notify()
        return stored.json

    @staticmethod
    def _set_markup(stored: StoredMessage, markup: JSON | None) -> None:
        if markup is None:
            stored.json.pop("reply_markup", None)
        else:
            stored.json["reply_markup"] = markup

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
        self._check_can_send(chat)
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


def _is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

"""Telegram's checks on the parameters of what the bot sends, with its error texts (400).

Text and captions per ``parse_mode`` (trimmed as Telegram trims them), inline keyboards and
their buttons, the chat a request names (including a group upgraded to a supergroup), and
command scopes. Nothing here changes sandbox state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .html import HtmlParseError, parse_html, utf16_len
from .model import JSON, ApiError, bad_request
from .params import Params
from .people import SandboxChat
from .world import World

__all__ = [
    "CHAT_ACTIONS",
    "ChatMigratedError",
    "Rendered",
    "bot_commands",
    "check_button",
    "find_chat",
    "render",
    "reply_markup",
    "scope_key",
]

MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100
MAX_COMMANDS = 100

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
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")

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


@dataclass(frozen=True)
class Rendered:
    """Message text as sent and as shown."""

    text: str
    entities: list[JSON]
    raw: str
    parse_mode: str | None


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


def render(
    p: Params,
    field: str,
    entities_field: str,
    *,
    limit: int,
    too_long: str,
    empty: str | None,
) -> Rendered | None:
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
    return Rendered(text, entities, raw, mode or None)


def reply_markup(p: Params) -> JSON | None:
    """The ``reply_markup`` parameter, checked; ``None`` when there is none."""
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
                check_button(button)
        if count > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
    elif not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request(error)
    return markup


def check_button(button: Any) -> None:
    """One inline keyboard button: text, exactly what it does, callback data of 1-64 bytes."""
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


def bot_commands(p: Params) -> list[JSON]:
    """setMyCommands' ``commands``, checked and normalised (names lower-cased)."""
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
    return cleaned


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
    chat = find_chat(world, scope.get("chat_id"))
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


def find_chat(world: World, value: Any) -> SandboxChat:
    """The chat a ``chat_id`` names; 400 when the sandbox has none or it was upgraded."""
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

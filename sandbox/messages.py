"""Messages in chats: as the sandbox keeps them, as tests point at them, and the entities
Telegram marks in the texts people send.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from .html import utf16_len
from .model import JSON, SentMessage

__all__ = [
    "INACCESSIBLE_AFTER",
    "MESSAGE_LIMIT",
    "MessageRef",
    "StoredMessage",
    "detect_entities",
    "locate",
]

# A button pressed on a message older than this gets an InaccessibleMessage in its query.
INACCESSIBLE_AFTER = 48 * 3600

# A message as tests hold it: a SentMessage record or a Telegram Message dict.
MessageRef: TypeAlias = Mapping[str, Any]

# Telegram marks these in every text users send; PTB's CommandHandler relies on bot_command.
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}\b")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+")

MESSAGE_LIMIT = 4096  # characters (UTF-16 code units) in one text message


def detect_entities(text: str) -> list[JSON]:
    """The commands, @mentions and URLs a Telegram client marks in ``text``, in order."""
    found: list[JSON] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found


@dataclass
class StoredMessage:
    """A message in a chat, from a user or from the bot, in its current state."""

    chat_id: int
    message_id: int
    sender_id: int
    from_bot: bool
    json: JSON
    record: SentMessage | None = None  # bot messages only
    deleted: bool = False


def locate(message: MessageRef) -> tuple[int, int]:
    """(chat id, message id) of a SentMessage record or a Telegram Message dict."""
    if "chat_id" in message:
        return int(message["chat_id"]), int(message["message_id"])
    return int(message["chat"]["id"]), int(message["message_id"])

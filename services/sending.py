"""The sending port: how the services send a message, knowing nothing of the chat library.

The nudge pass, the digest and the workflow's notices send through a `Sender` and read its
faults as the exceptions below, which say what the chat service answered in the terms a
clerk would use: the person blocked the bot, the chat is gone, the group moved, slow down,
refused, or a fault that may pass. The adapter for Telegram (python-telegram-bot) is
`handlers.sender.TelegramSender`; a test or another messenger can bring its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# Rows of (label, data) buttons under a message, as render.compose.Composed holds them.
Buttons = Sequence[Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class Sent:
    """A message that arrived: where (a group that moved has a new chat id) and its id."""

    chat_id: int
    message_id: int


class SendFailed(Exception):
    """The message did not go out (or may not have: see `Transient`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Blocked(SendFailed):
    """The person blocked the bot, or the bot is no longer in the group (Telegram's 403)."""


class ChatGone(SendFailed):
    """No such chat, or the bot never met it (Telegram's 400 "chat not found")."""


class Migrated(SendFailed):
    """The group became a supergroup with another id: send there."""

    def __init__(self, reason: str, new_chat_id: int) -> None:
        super().__init__(reason)
        self.new_chat_id = new_chat_id


class RateLimited(SendFailed):
    """Too many messages: wait `retry_after` seconds before the next (Telegram's 429)."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Refused(SendFailed):
    """The message itself was refused (a 400 other than a missing chat): sending it again
    would be refused again."""


class Transient(SendFailed):
    """A timeout, a dropped connection or a server error: it may pass, and the message may
    have arrived all the same."""


class Sender(Protocol):
    """Sends HTML messages (without link previews) and pictures to chats, or raises one of
    the `SendFailed` faults above."""

    async def send_text(self, chat_id: int, html: str, *, buttons: Buttons = ()) -> Sent:
        """Send one message of at most 4096 characters, with `buttons` under it."""
        ...

    async def send_picture(
        self, chat_id: int, png: bytes, *, filename: str, caption_html: str = ""
    ) -> Sent:
        """Send a picture with a caption."""
        ...

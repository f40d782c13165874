"""The sending port (services.sending) for Telegram: python-telegram-bot's Bot behind `Sender`.

It sends once and translates Telegram's answer; retrying is the caller's (services.nudging
decides what a fault means for a nudge pass).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from services.sending import (
    Blocked,
    Buttons,
    ChatGone,
    Migrated,
    RateLimited,
    Refused,
    SendFailed,
    Sent,
    Transient,
)


def keyboard(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Inline buttons from rows of (label, callback data); None for none."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in buttons
        ]
    )


class TelegramSender:
    """A `services.sending.Sender` over python-telegram-bot's `Bot`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_text(self, chat_id: int, html: str, *, buttons: Buttons = ()) -> Sent:
        return await _sent(
            lambda: self.bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(buttons),
                disable_web_page_preview=True,
            )
        )

    async def send_picture(
        self, chat_id: int, png: bytes, *, filename: str, caption_html: str = ""
    ) -> Sent:
        return await _sent(
            lambda: self.bot.send_photo(
                chat_id,
                InputFile(png, filename=filename),
                caption=caption_html or None,
                parse_mode=ParseMode.HTML,
            )
        )


async def _sent(call: Callable[[], Awaitable[Message]]) -> Sent:
    try:
        message = await call()
    except TelegramError as e:
        raise translate(e) from e
    return Sent(message.chat_id, message.message_id)


def retry_seconds(error: RetryAfter) -> float:
    """The seconds a 429 asks to wait (python-telegram-bot gives an int or a timedelta)."""
    wait = error.retry_after
    return float(wait) if isinstance(wait, int | float) else wait.total_seconds()


def translate(error: TelegramError) -> SendFailed:
    """Telegram's fault in the port's terms."""
    reason = error.message
    if isinstance(error, ChatMigrated):
        return Migrated(reason, int(error.new_chat_id))
    if isinstance(error, RetryAfter):
        return RateLimited(reason, retry_seconds(error))
    if isinstance(error, Forbidden):
        return Blocked(reason)
    if isinstance(error, BadRequest):  # before NetworkError: BadRequest is one in PTB
        return ChatGone(reason) if "chat not found" in reason.lower() else Refused(reason)
    return Transient(reason)  # NetworkError, TimedOut, a 5xx, a reply that was not JSON

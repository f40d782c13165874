"""Sending within Telegram's limits: PTB's AIORateLimiter (overall and per-group rates, retries
after a 429), plus Telegram's one message a second in a private chat.

AIORateLimiter paces groups but not private chats; a burst of answers to one person then meets
a 429, and its retry pauses every other send of the bot for the retry_after. Pacing each private
chat (new messages only: edits and callback answers do not count) avoids the 429 altogether.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

PRIVATE_INTERVAL = 1.0  # seconds between two new messages to one private chat
_SENDS = ("send", "copyMessage", "copyMessages", "forwardMessage", "forwardMessages")
_KEEP = 4096  # private chats remembered before idle ones are forgotten


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter that also spaces new messages to one private chat by PRIVATE_INTERVAL."""

    def __init__(self, *, private_interval: float = PRIVATE_INTERVAL, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_interval = private_interval
        self._next: dict[int, float] = {}  # private chat → when its next message may go
        self._locks: dict[int, asyncio.Lock] = {}  # private chat → one send at a time

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            if len(self._locks) > _KEEP:  # forget idle chats
                now = asyncio.get_running_loop().time()
                self._locks = {c: k for c, k in self._locks.items() if k.locked()}
                self._next = {c: t for c, t in self._next.items() if t > now}
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id: object = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        if not (isinstance(chat_id, int) and chat_id > 0 and endpoint.startswith(_SENDS)):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        # One send at a time per private chat, the next one PRIVATE_INTERVAL after the answer
        # to the last: spacing by the answer, not by a reserved start, cannot bunch when the
        # loop is busy or after AIORateLimiter's pause on a 429.
        loop = asyncio.get_running_loop()
        async with self._lock(chat_id):
            wait = self._next.get(chat_id, 0.0) - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            finally:
                self._next[chat_id] = loop.time() + self._private_interval

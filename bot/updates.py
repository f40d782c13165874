"""How updates are let in: one chat's in order, different chats side by side, each logged.

`PerChatUpdateProcessor` orders and bounds the handling; `LoggedUpdates` wraps it to log one
line per update (services.log_events). `stop_updater` stops polling without sitting out PTB's pause.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor, Updater

from services.log_events import handling, log_update

UPDATE_SLOTS = 8  # handlers running at once (PerChatUpdateProcessor)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Different chats in parallel, one chat's updates in order.

    A person who answers the bot's confirmation at once must find it recorded: the handler
    that sent it still holds the chat until it has written what the message was about.

    An update waits for its chat's turn first and only then for one of the `slots` in which
    handlers run: a group with a dozen queued commands (each waiting for the one before it,
    which waits for the group's flood limit) holds one slot, not all of them, and a private
    /whoami is not kept waiting behind the group. PTB's own bound, `max_concurrent_updates`,
    is taken before anything else (`process_update` is final), so it counts the updates let
    in, waiting for their chat or not: `admitted` of them, far more than `slots`.
    """

    def __init__(self, slots: int, *, admitted: int = 1024) -> None:
        super().__init__(max(slots, admitted))
        self.slots = slots
        self._running = asyncio.Semaphore(slots)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}  # chat → (lock, users)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once its chat's turn has come and a slot is free."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._running:
                await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock, self._running:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]  # idle chats hold no lock
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


# python-telegram-bot names the task of its polling loop so (Updater._start_polling).
POLLING_TASK = "Updater:start_polling:polling_task"


async def stop_updater(updater: Updater, *, grace: float = 0.25) -> None:
    """Stop polling (or the webhook server) without sitting out PTB's pause between retries.

    After a failed getUpdates, PTB's polling loop sleeps before trying again -- half as long
    again after each failure, up to 30 s -- and `Updater.stop()` sets the loop's stop event but
    then waits for that sleep to end: after a 90 s outage SIGTERM took 15 s. A loop that is
    fetching sees the event at once; one still going after `grace` is asleep, and is cancelled
    (`Updater.stop()` allows for a cancelled polling task). It then confirms the updates it
    fetched with one last getUpdates, as always.
    """
    polling = [t for t in asyncio.all_tasks() if t.get_name() == POLLING_TASK and not t.done()]
    stopping = asyncio.ensure_future(updater.stop())
    done, _ = await asyncio.wait({stopping}, timeout=grace)
    if not done:
        for task in polling:
            task.cancel()
    await stopping


class LoggedUpdates(BaseUpdateProcessor):
    """`inner` (its ordering and concurrency unchanged), logging one INFO line per update: its
    id, kind, command name, chat id and latency in ms, of which waiting for its turn."""

    def __init__(self, inner: BaseUpdateProcessor) -> None:
        # As many slots as `inner`: whatever `inner` lets through passes here at once.
        super().__init__(inner.max_concurrent_updates)
        self.inner = inner

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        with handling(update) as event:
            outcome = "error"

            async def timed() -> None:
                event.began = time.perf_counter()
                await coroutine

            try:
                await self.inner.process_update(update, timed())
                outcome = "error" if event.failed else "ok"
            except asyncio.CancelledError:
                outcome = "cancelled"
                raise
            finally:
                log_update(event, outcome)

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

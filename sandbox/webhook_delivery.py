"""Pushing updates to the webhook, as Telegram does once the bot has set one.

After ``setWebhook`` getUpdates answers 409 and every pending update is POSTed to the URL (JSON,
with the ``X-Telegram-Bot-Api-Secret-Token`` header), one at a time and in order; an answer
other than 2xx, or none, is retried with a growing pause and shows in ``getWebhookInfo`` as
``last_error_message``. ``sandbox.webhook_deliveries`` lists every attempt.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from .methods import BotApi
from .model import JSON
from .webhook import Webhook
from .world import World

__all__ = ["WebhookDelivery", "deliver_updates"]


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


async def deliver_updates(
    world: World,
    api: BotApi,
    deliveries: list[WebhookDelivery],
    *,
    retry: tuple[float, float],
    timeout: float,
) -> None:
    """While a webhook is set, push the oldest pending update until the bot takes it.

    ``retry`` is the first pause after a failure, doubling up to the second; ``timeout`` is per
    POST. Every attempt is appended to ``deliveries``; runs until ``api.closing``.
    """
    first, longest = retry
    delay = first
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        while not api.closing:
            hook = world.webhook
            if hook is None or not world.updates:
                with contextlib.suppress(TimeoutError):
                    await world.wait_until(_has_work(world, api), 3600.0)
                delay = first
                continue
            update = world.updates[0]
            status, error = await _post_update(session, hook, update)
            deliveries.append(
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
                await world.wait_until(_replaced(world, hook, api), delay)
            delay = min(longest, delay * 2)


async def _post_update(
    session: aiohttp.ClientSession, hook: Webhook, update: JSON
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


def _has_work(world: World, api: BotApi) -> Callable[[], bool]:
    return lambda: api.closing or (world.webhook is not None and bool(world.updates))


def _replaced(world: World, hook: Webhook, api: BotApi) -> Callable[[], bool]:
    return lambda: api.closing or world.webhook is not hook

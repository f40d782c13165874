"""What tests read from the sandbox: the bot's messages, waits for them, the call log, the
pending updates and callback answers, the command menus, and the files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .model import JSON, ApiCall, SentMessage
from .people import ChatRef, SandboxChat, SandboxUser
from .validation import scope_key
from .webhook import Webhook
from .world import World

__all__ = ["SandboxReading"]

_T = TypeVar("_T")


class SandboxReading:
    """The reading side of :class:`~sandbox.server.BotApiSandbox`, which sets these up."""

    world: World
    calls: list[ApiCall]
    _cursors: dict[int, int]

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


def _as_dict(scope: Any) -> Any:
    """Accept PTB's BotCommandScope objects as well as plain dicts."""
    if scope is None or isinstance(scope, Mapping):
        return dict(scope) if scope is not None else None
    to_dict = getattr(scope, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError(f"not a command scope: {scope!r}")

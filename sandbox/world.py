"""The simulated Telegram side: all sandbox state, and the operations on it both sides share.

Everything here is plain in-memory state driven from one event loop: the people and chats
(:mod:`sandbox.people`), their messages, the files sent, and the bot's pending updates. Tests act
as people (no HTTP involved; see :mod:`sandbox.actions`), and the Bot API methods in
:mod:`sandbox.methods` read and change the same state, so what a user does is visible to the
bot's next ``getUpdates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import secrets
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from .files import StoredFile
from .messages import INACCESSIBLE_AFTER, MessageRef, StoredMessage
from .model import JSON
from .people import ChatRef, SandboxChat, SandboxUser
from .webhook import Webhook

__all__ = [
    "ALL_UPDATE_TYPES",
    "DEFAULT_ALLOWED_UPDATES",
    "INACCESSIBLE_AFTER",
    "ChatRef",
    "MessageRef",
    "SandboxChat",
    "SandboxUser",
    "StoredFile",
    "StoredMessage",
    "Webhook",
    "World",
]

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# What Telegram delivers when a bot never said otherwise (or sent an empty list).
DEFAULT_ALLOWED_UPDATES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

# The sender of service messages Telegram posts on behalf of a chat (migrate_from_chat_id).
_GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

_T = TypeVar("_T")


class World:
    """All sandbox state, plus the operations that both sides (users and bot) perform on it."""

    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        privacy_mode: bool,
        clock: Callable[[], float],
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.privacy_mode = privacy_mode
        self.clock = clock
        self.users: dict[int, SandboxUser] = {}
        self.groups: dict[int, SandboxChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        self.updates: list[JSON] = []  # pending (unconfirmed) updates, oldest first
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.filtered_updates = 0  # updates not queued because allowed_updates excluded them
        self.webhook: Webhook | None = None  # set: updates are pushed, getUpdates answers 409
        # (scope key, language code) -> commands; see sandbox.validation.scope_key for the keys
        self.commands: dict[tuple[tuple[Any, ...], str], list[JSON]] = {}
        self.callback_queries: dict[str, SandboxUser] = {}  # unanswered query id -> presser
        self.answers: dict[str, JSON] = {}  # query id -> what answerCallbackQuery said
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(100_001)
        self._group_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Event()

    # -- identity -----------------------------------------------------------------------------

    def bot_json(self) -> JSON:
        """The bot as a User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- registry -----------------------------------------------------------------------------

    def create_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
        started: bool = False,
    ) -> SandboxUser:
        """Register a person. ``started=True`` acts as if they had pressed Start already."""
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid <= 0 or uid in self.users:
            raise ValueError(f"user id {uid} is invalid or taken")
        user = SandboxUser(
            self,
            uid,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        user.started = started
        self.users[uid] = user
        return user

    def create_group(
        self,
        title: str,
        members: tuple[SandboxUser, ...] | list[SandboxUser] = (),
        *,
        admins: tuple[SandboxUser, ...] | list[SandboxUser] = (),
        supergroup: bool = False,
        bot_is_admin: bool = False,
        chat_id: int | None = None,
    ) -> SandboxChat:
        """Create a group with the bot in it (ids look like Telegram's: negative)."""
        n = next(self._group_ids)
        if chat_id is None:
            chat_id = -(1_001_000_000_000 + n) if supergroup else -(4_000_000_000 + n)
        if chat_id >= 0 or chat_id in self.groups:
            raise ValueError(f"group id {chat_id} is invalid or taken")
        chat = SandboxChat(self, chat_id, "supergroup" if supergroup else "group", title=title)
        for user in members:
            chat.add_member(user)
        for user in admins:
            chat.add_member(user, admin=True)
        chat.bot_status = "administrator" if bot_is_admin else "member"
        self.groups[chat_id] = chat
        return chat

    def migrate_group(
        self, group: SandboxChat, *, by: SandboxUser | None = None, notify_bot: bool = True
    ) -> SandboxChat:
        """Upgrade a group to a supergroup, as Telegram does (a group grows, or an admin turns
        on a supergroup feature); return the new chat.

        The supergroup gets a new ``-100…`` id and takes over the title, members, admins and the
        bot's membership. The old group gets a service message with ``migrate_to_chat_id`` (from
        the person who upgraded it) and the supergroup one with ``migrate_from_chat_id`` (from
        GroupAnonymousBot, ``sender_chat`` the supergroup); the bot gets both as ``message``
        updates unless ``notify_bot=False`` (a bot that missed them, say while it was down for
        longer than Telegram keeps updates). From then on the Bot API answers requests naming
        the old id with 400 "group chat was upgraded to a supergroup chat" and
        ``parameters.migrate_to_chat_id``, and nobody can post in the old group.
        """
        if group.type != "group" or group.id not in self.groups:
            raise ValueError(f"only a basic group can be upgraded, not {group!r}")
        if group.migrated_to is not None:
            raise ValueError(f"{group!r} was already upgraded to {group.migrated_to}")
        n = next(self._group_ids)
        new_id = -(1_001_000_000_000 + n)  # the shape create_group gives supergroups
        while new_id in self.groups:
            new_id -= 1
        new = SandboxChat(self, new_id, "supergroup", title=group.title)
        new.members = dict(group.members)
        new.admins = set(group.admins)
        new.bot_status = group.bot_status
        self.groups[new_id] = new
        group.migrated_to = new_id
        actor = by or next(iter(group.members.values()), None)
        sender = actor.to_json() if actor is not None else _GROUP_ANONYMOUS_BOT
        old_notice = self.add_message(group, sender, {"migrate_to_chat_id": new_id}, from_bot=False)
        new_notice = self.add_message(
            new,
            _GROUP_ANONYMOUS_BOT,
            {"sender_chat": new.to_json(), "migrate_from_chat_id": group.id},
            from_bot=False,
        )
        bot_inside = group.bot_status in ("member", "administrator")
        if notify_bot and bot_inside:  # service messages reach bots even in privacy mode
            self.push_update("message", old_notice.json)
            self.push_update("message", new_notice.json)
        else:
            self.notify()
        return new

    def find_chat(self, chat_id: int) -> SandboxChat | None:
        """The chat with this id, if the sandbox knows it."""
        if chat_id > 0:
            user = self.users.get(chat_id)
            return user.private_chat if user is not None else None
        return self.groups.get(chat_id)

    def chat(self, ref: ChatRef | None, default: SandboxUser | None = None) -> SandboxChat:
        """Resolve a chat reference; ``None`` means ``default``'s private chat."""
        if ref is None:
            if default is None:
                raise ValueError("no chat given")
            return default.private_chat
        if isinstance(ref, SandboxChat):
            return ref
        if isinstance(ref, SandboxUser):
            return ref.private_chat
        chat = self.find_chat(ref)
        if chat is None:
            raise KeyError(f"no chat {ref} in the sandbox")
        return chat

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message that still exists, or ``None``."""
        chat = self.find_chat(chat_id)
        if chat is None:
            return None
        stored = chat.messages.get(message_id)
        return None if stored is None or stored.deleted else stored

    # -- change notification ------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everyone waiting for a change (long polls, ``wait_for`` helpers)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(
        self, condition: Callable[[], _T | None], timeout: float, *, recheck: float | None = None
    ) -> _T:
        """Return ``condition()``'s first truthy value; ``TimeoutError`` after ``timeout`` s.

        The condition is re-checked on every sandbox change, and every ``recheck`` seconds too
        when it depends on state outside the sandbox (say, a list a bot handler appends to).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            result = condition()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            if recheck is not None:
                remaining = min(remaining, recheck)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # -- updates ------------------------------------------------------------------------------

    def push_update(self, kind: str, payload: JSON) -> JSON | None:
        """Queue an update for the bot, unless its ``allowed_updates`` exclude the kind.

        Like Telegram, the filter applies when the update is created: changing
        ``allowed_updates`` does not touch updates already queued.
        """
        if kind not in self.allowed_updates:
            self.filtered_updates += 1
            return None
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` for good; a negative offset keeps the last ``-offset``."""
        if offset > 0:
            keep = 0
            while keep < len(self.updates) and self.updates[keep]["update_id"] < offset:
                keep += 1
            del self.updates[:keep]
        elif offset < 0:
            del self.updates[: max(0, len(self.updates) + offset)]

    # -- messages -----------------------------------------------------------------------------

    def add_message(
        self,
        chat: SandboxChat,
        sender: JSON,
        content: JSON,
        *,
        from_bot: bool,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """Store a new message in ``chat`` and return it."""
        message_id = chat.next_message_id()
        body: JSON = {
            "message_id": message_id,
            "from": sender,
            "chat": chat.to_json(),
            "date": int(self.clock()),
        }
        if reply_to is not None:
            # Telegram nests the replied-to message one level deep only.
            nested = {k: v for k, v in reply_to.json.items() if k != "reply_to_message"}
            body["reply_to_message"] = copy.deepcopy(nested)
        body.update(content)
        stored = StoredMessage(chat.id, message_id, sender["id"], from_bot, body)
        chat.messages[message_id] = stored
        return stored

    # -- files --------------------------------------------------------------------------------

    def store_file(
        self,
        kind: Literal["document", "photo"],
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        """Keep uploaded bytes under a fresh file id."""
        n = next(self._file_ids)
        # Real ids are opaque base64; the prefixes are the ones Telegram uses for each kind.
        prefix = "BQACAgUAAxkBAAI" if kind == "document" else "AgACAgUAAxkBAAI"
        stored = StoredFile(
            file_id=f"{prefix}{n:06d}{secrets.token_urlsafe(18)}",
            file_unique_id=f"AgAD{n:06d}{secrets.token_urlsafe(4)}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.files[stored.file_id] = stored
        return stored

    def assign_file_path(self, stored: StoredFile) -> str:
        """Give a file the download path getFile reports (stable once assigned)."""
        if stored.file_path is None:
            if stored.kind == "photo":
                path = f"photos/file_{len(self.file_paths)}.jpg"
            else:
                suffix = ""
                if stored.file_name and "." in stored.file_name:
                    suffix = "." + stored.file_name.rsplit(".", 1)[1]
                path = f"documents/file_{len(self.file_paths)}{suffix}"
            stored.file_path = path
            self.file_paths[path] = stored
        return stored.file_path

    def new_query_id(self) -> str:
        """A fresh callback query id (opaque digits, as Telegram's are)."""
        return f"{4_000_000_000_000_000 + next(self._query_ids)}"

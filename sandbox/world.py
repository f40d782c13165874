"""The simulated Telegram side: people, chats, messages, files and the bot's pending updates.

Everything here is plain in-memory state driven from one event loop. Tests act as people through
:class:`SandboxUser` (no HTTP involved), and the Bot API methods in :mod:`sandbox.methods` read
and change the same state, so what a user does is visible to the bot's next ``getUpdates``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import mimetypes
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar, overload
from urllib.parse import parse_qs, urlparse

from .html import utf16_len
from .model import JSON, SentMessage

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

# A button pressed on a message older than this gets an InaccessibleMessage in its query.
INACCESSIBLE_AFTER = 48 * 3600
# The sender of service messages Telegram posts on behalf of a chat (migrate_from_chat_id).
_GROUP_ANONYMOUS_BOT: JSON = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

# A message as tests hold it: a SentMessage record or a Telegram Message dict.
MessageRef: TypeAlias = Mapping[str, Any]

_T = TypeVar("_T")

# Telegram marks these in every text users send; PTB's CommandHandler relies on bot_command.
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}\b")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]+")

MESSAGE_LIMIT = 4096  # characters (UTF-16 code units) in one text message


def _detect_entities(text: str) -> list[JSON]:
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


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, so PhotoSize looks plausible; (0, 0) if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            length = int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[i + 5 : i + 7], "big")
                width = int.from_bytes(data[i + 7 : i + 9], "big")
                return width, height
            i += 2 + length
    return 0, 0


@dataclass
class StoredFile:
    """A file somebody uploaded; the bot reaches it by ``file_id`` and downloads ``file_path``."""

    file_id: str
    file_unique_id: str
    kind: Literal["document", "photo"]
    data: bytes
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    file_path: str | None = None

    def document_json(self) -> JSON:
        """The Document object Telegram puts in a message."""
        doc: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        return doc

    def photo_json(self) -> list[JSON]:
        """The PhotoSize list; Telegram sends several sizes, the sandbox keeps the original only."""
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "file_size": len(self.data),
                "width": self.width,
                "height": self.height,
            }
        ]


@dataclass
class Webhook:
    """The webhook set with setWebhook: where updates go and how the last delivery went.

    A new setWebhook replaces the object, which is how a delivery in progress (and its
    backoff) notices that the webhook changed.
    """

    url: str
    secret_token: str | None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None

    def info(self, pending: int, allowed_updates: frozenset[str]) -> JSON:
        """The WebhookInfo object getWebhookInfo answers."""
        info: JSON = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
            "max_connections": self.max_connections,
            "allowed_updates": sorted(allowed_updates),
        }
        if self.ip_address is not None:
            info["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message or ""
        return info


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


class SandboxChat:
    """A chat the bot can be in: one user's private chat with the bot, or a group."""

    def __init__(
        self,
        world: World,
        chat_id: int,
        chat_type: Literal["private", "group", "supergroup"],
        *,
        title: str | None = None,
        user: SandboxUser | None = None,
    ) -> None:
        self._world = world
        self.id = chat_id
        self.type = chat_type
        self.title = title
        self.user = user  # the other party of a private chat
        self.members: dict[int, SandboxUser] = {}
        self.admins: set[int] = set()
        self.bot_status: Literal["member", "administrator", "left", "kicked"] = "member"
        self.messages: dict[int, StoredMessage] = {}
        self._message_ids = itertools.count(1)
        self.migrated_to: int | None = None  # the supergroup this group was upgraded to

    def __repr__(self) -> str:
        return f"SandboxChat(id={self.id}, type={self.type!r}, title={self.title!r})"

    @property
    def is_group(self) -> bool:
        """True for groups and supergroups (they share the group flood limit)."""
        return self.type != "private"

    def to_json(self) -> JSON:
        """The Chat object Telegram puts in messages."""
        if self.user is not None:
            return self.user.chat_json()
        return {"id": self.id, "type": self.type, "title": self.title}

    def next_message_id(self) -> int:
        """Message ids count up from 1 in every chat, shared by the bot and the users."""
        return next(self._message_ids)

    def add_member(self, user: SandboxUser, *, admin: bool = False) -> None:
        """Put ``user`` into this group (optionally as an administrator)."""
        self.members[user.id] = user
        if admin:
            self.admins.add(user.id)

    def remove_bot(self, *, kicked: bool = True) -> None:
        """Take the bot out of the group; later sends get 403 like in Telegram."""
        old = self.bot_status
        self.bot_status = "kicked" if kicked else "left"
        self._world.bot_membership_changed(self, old, self.bot_status, by=None)

    def add_bot(self, *, admin: bool = False) -> None:
        """Put the bot (back) into the group."""
        old = self.bot_status
        self.bot_status = "administrator" if admin else "member"
        self._world.bot_membership_changed(self, old, self.bot_status, by=None)

    def migrate(self, *, by: SandboxUser | None = None, notify_bot: bool = True) -> SandboxChat:
        """Upgrade this group to a supergroup; see :meth:`World.migrate_group`."""
        return self._world.migrate_group(self, by=by, notify_bot=notify_bot)

    def messages_json(self) -> list[JSON]:
        """Every message in the chat that still exists, users' and the bot's, in order."""
        return [m.json for m in self.messages.values() if not m.deleted]


class SandboxUser:
    """A person using Telegram. Methods act as that person and return the resulting object.

    Every action is synchronous: it changes the sandbox state and queues the update the bot
    will get on its next ``getUpdates``. Chats are given as a :class:`SandboxChat` or chat id;
    without one, the user's private chat with the bot is meant.
    """

    def __init__(
        self,
        world: World,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        self._world = world
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = False  # has opened the private chat with the bot (pressed Start)
        self.blocked = False  # has blocked the bot
        self.deactivated = False  # account deleted
        self.private_chat = SandboxChat(world, user_id, "private", user=self)

    def __repr__(self) -> str:
        return f"SandboxUser(id={self.id}, first_name={self.first_name!r})"

    def to_json(self) -> JSON:
        """The User object Telegram puts in ``from``."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def chat_json(self) -> JSON:
        """The Chat object of this user's private chat."""
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat

    # -- sending -----------------------------------------------------------------------------

    @overload
    def send_text(self, chat: str, /) -> JSON: ...
    @overload
    def send_text(
        self, chat: SandboxChat | int | None, text: str, /, *, reply_to: MessageRef | None = None
    ) -> JSON: ...
    def send_text(
        self,
        chat: SandboxChat | int | str | None,
        text: str | None = None,
        /,
        *,
        reply_to: MessageRef | None = None,
    ) -> JSON:
        """Send a text: ``send_text(chat, text)``, or ``send_text(text)`` in the private chat.

        Telegram marks ``/commands``, ``@mentions`` and URLs in the text as entities; so does
        this, which is how a text starting with ``/`` reaches a CommandHandler.
        """
        target: SandboxChat | int | None
        if text is None:
            if not isinstance(chat, str):
                raise TypeError("send_text(chat, text) or send_text(text)")
            body, target = chat, None
        else:
            if isinstance(chat, str):
                raise TypeError("send_text(chat, text): chat must be a SandboxChat or a chat id")
            body, target = text, chat
        if not body.strip():
            raise ValueError("Telegram clients do not send empty messages")
        if len(body.encode("utf-16-le")) // 2 > MESSAGE_LIMIT:
            raise ValueError(
                f"Telegram clients do not send a message over {MESSAGE_LIMIT} characters"
                " (they split it)"
            )
        content: JSON = {"text": body}
        entities = _detect_entities(body)
        if entities:
            content["entities"] = entities
        return self._world.user_message(self, self._world.chat(target, self), content, reply_to)

    def send_command(self, command: str, chat: SandboxChat | int | None = None) -> JSON:
        """Send ``/command args`` (bot_command entity at offset 0, as Telegram sets it)."""
        if not command.startswith("/"):
            raise ValueError(f"a command starts with '/': {command!r}")
        return self.send_text(chat, command)

    def start(self, payload: str | None = None) -> JSON:
        """Press Start in the private chat, optionally with a deep-link payload."""
        return self.send_command(f"/start {payload}" if payload else "/start")

    def open_link(self, url: str) -> JSON:
        """Follow a ``https://t.me/<bot>?start=<payload>`` deep link (or ``startgroup``)."""
        parsed = urlparse(url)
        name = parsed.path.strip("/")
        if parsed.netloc not in ("t.me", "telegram.me") or name != self._world.bot_username:
            raise ValueError(f"not a deep link to @{self._world.bot_username}: {url}")
        query = parse_qs(parsed.query)
        payload = (query.get("start") or [""])[0]
        return self.start(payload or None)

    def reply(self, to_message: MessageRef, text: str) -> JSON:
        """Reply to a message (normally one the bot sent) in the chat it is in."""
        chat_id, _ = _locate(to_message)
        return self.send_text(chat_id, text, reply_to=to_message)

    def edit(self, message: MessageRef, new_text: str) -> JSON:
        """Edit a text this user sent; the bot gets an ``edited_message`` update."""
        return self._world.user_edit(self, message, new_text)

    def press(
        self,
        bot_message: MessageRef,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        inaccessible: bool | None = None,
    ) -> JSON:
        """Press an inline button on a bot message, found by its callback data or its text.

        Returns the CallbackQuery sent to the bot (its ``id`` is fresh for every press).
        Raises ``LookupError`` when the message has no such button -- a person could not press
        a button that is not there, and a test that tries has a bug worth seeing.

        On a message older than 48 hours (by the sandbox clock), or with ``inaccessible=True``,
        the query carries an InaccessibleMessage -- chat, message id and ``date`` 0 -- as
        Telegram sends when it no longer hands the message back.
        """
        return self._world.press(self, bot_message, callback_data, text, inaccessible)

    def upload_document(
        self,
        name: str,
        data: bytes,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
        *,
        chat: SandboxChat | int | None = None,
        mime_type: str | None = None,
    ) -> JSON:
        """Send a file as a document; the bot can ``getFile`` and download the same bytes."""
        if reply_to is not None and chat is None:
            chat = _locate(reply_to)[0]
        stored = self._world.store_file(
            "document", data, file_name=name, mime_type=mime_type or _guess_mime(name)
        )
        content: JSON = {"document": stored.document_json()}
        if caption:
            content["caption"] = caption
        return self._world.user_message(self, self._world.chat(chat, self), content, reply_to)

    def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
        *,
        chat: SandboxChat | int | None = None,
    ) -> JSON:
        """Send a photo; ``message.photo[-1]`` is downloadable by the bot."""
        if reply_to is not None and chat is None:
            chat = _locate(reply_to)[0]
        width, height = image_size(data)
        stored = self._world.store_file("photo", data, width=width, height=height)
        content: JSON = {"photo": stored.photo_json()}
        if caption:
            content["caption"] = caption
        return self._world.user_message(self, self._world.chat(chat, self), content, reply_to)

    # -- relationship with the bot -------------------------------------------------------------

    def block_bot(self) -> None:
        """Block the bot: its sends to this user's private chat now fail with 403."""
        if not self.blocked:
            self.blocked = True
            self._world.bot_membership_changed(self.private_chat, "member", "kicked", by=self)

    def unblock_bot(self) -> None:
        """Unblock the bot (Telegram also does this when the user presses Start again)."""
        if self.blocked:
            self.blocked = False
            self._world.bot_membership_changed(self.private_chat, "kicked", "member", by=self)

    def deactivate(self) -> None:
        """Delete the account: sends to it fail with 403 "user is deactivated"."""
        self.deactivated = True


def _guess_mime(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _locate(message: MessageRef) -> tuple[int, int]:
    """(chat id, message id) of a SentMessage record or a Telegram Message dict."""
    if "chat_id" in message:
        return int(message["chat_id"]), int(message["message_id"])
    return int(message["chat"]["id"]), int(message["message_id"])


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
        # (scope key, language code) -> commands; see sandbox.methods for the scope keys
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

    def user_message(
        self, user: SandboxUser, chat: SandboxChat, content: JSON, reply_to: MessageRef | None
    ) -> JSON:
        """A user posts ``content`` in ``chat``; the bot gets it unless privacy mode hides it."""
        if chat.migrated_to is not None:
            raise ValueError(f"{chat!r} was upgraded to supergroup {chat.migrated_to}; post there")
        if chat.is_group:
            chat.members.setdefault(user.id, user)
        elif chat.user is not user:
            raise ValueError(f"{user!r} cannot write in {chat.user!r}'s private chat")
        else:
            user.started = True
            if user.blocked:  # writing to a blocked bot unblocks it, as Start does
                user.unblock_bot()
        target: StoredMessage | None = None
        if reply_to is not None:
            chat_id, message_id = _locate(reply_to)
            if chat_id != chat.id:
                raise ValueError("a reply must be sent in the chat of the message it replies to")
            target = self.message(chat_id, message_id)
            if target is None:
                raise LookupError(f"message {message_id} does not exist in chat {chat_id}")
        stored = self.add_message(chat, user.to_json(), content, from_bot=False, reply_to=target)
        if self.bot_sees(chat, stored.json):
            self.push_update("message", stored.json)
        else:
            self.notify()
        return copy.deepcopy(stored.json)

    def bot_sees(self, chat: SandboxChat, message: JSON) -> bool:
        """Whether Telegram would deliver a user's message in ``chat`` to the bot.

        In groups a bot in privacy mode (Telegram's default) only gets commands meant for it
        and replies to its own messages -- free text in a group never reaches it.
        """
        if not chat.is_group:
            return True
        if chat.bot_status not in ("member", "administrator"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        replied = message.get("reply_to_message")
        if replied is not None and replied.get("from", {}).get("id") == self.bot_id:
            return True
        text = message.get("text") or message.get("caption") or ""
        for entity in message.get("entities", ()):
            if entity["type"] == "bot_command" and entity["offset"] == 0:
                command = text[: entity["length"]]
                _, _, target = command.partition("@")
                return not target or target.lower() == self.bot_username.lower()
        return False

    def user_edit(self, user: SandboxUser, message: MessageRef, new_text: str) -> JSON:
        """``user`` edits their own text message; the bot gets ``edited_message``."""
        chat_id, message_id = _locate(message)
        stored = self.message(chat_id, message_id)
        if stored is None or stored.sender_id != user.id:
            raise LookupError(f"{user!r} has no message {message_id} in chat {chat_id}")
        if "text" not in stored.json:
            raise ValueError("only text messages can be edited by the sandbox users")
        if not new_text.strip():
            raise ValueError("Telegram clients do not allow an empty text")
        stored.json["text"] = new_text
        entities = _detect_entities(new_text)
        if entities:
            stored.json["entities"] = entities
        else:
            stored.json.pop("entities", None)
        stored.json["edit_date"] = int(self.clock())
        chat = self.chat(chat_id)
        if self.bot_sees(chat, stored.json):
            self.push_update("edited_message", stored.json)
        else:
            self.notify()
        return copy.deepcopy(stored.json)

    def press(
        self,
        user: SandboxUser,
        bot_message: MessageRef,
        callback_data: str | None,
        button_text: str | None,
        inaccessible: bool | None = None,
    ) -> JSON:
        """``user`` presses a callback button; the bot gets a ``callback_query``."""
        chat_id, message_id = _locate(bot_message)
        stored = self.message(chat_id, message_id)
        if stored is None or not stored.from_bot:
            raise LookupError(f"no bot message {message_id} in chat {chat_id}")
        chat = self.chat(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"{chat!r} was upgraded to supergroup {chat.migrated_to}")
        rows = stored.json.get("reply_markup", {}).get("inline_keyboard", [])
        buttons = [b for row in rows for b in row if "callback_data" in b]
        for button in buttons:
            if (callback_data is None or button["callback_data"] == callback_data) and (
                button_text is None or button["text"] == button_text
            ):
                data = button["callback_data"]
                break
        else:
            offered = [(b["text"], b["callback_data"]) for b in buttons]
            raise LookupError(
                f"message {message_id} has no button with data={callback_data!r}"
                f" text={button_text!r}; it has {offered}"
            )
        query_id = f"{4_000_000_000_000_000 + next(self._query_ids)}"
        if inaccessible is None:
            inaccessible = self.clock() - stored.json["date"] > INACCESSIBLE_AFTER
        message: JSON = (
            # Bot API's InaccessibleMessage: what is left of a message Telegram won't hand back.
            {"chat": chat.to_json(), "message_id": message_id, "date": 0}
            if inaccessible
            else copy.deepcopy(stored.json)
        )
        query: JSON = {
            "id": query_id,
            "from": user.to_json(),
            "message": message,
            # Stable per chat, as Telegram's opaque chat_instance is.
            "chat_instance": str(abs(hash(("chat_instance", chat_id))) % 10**18),
            "data": data,
        }
        self.callback_queries[query_id] = user
        self.push_update("callback_query", query)
        return copy.deepcopy(query)

    def bot_membership_changed(
        self, chat: SandboxChat, old: str, new: str, *, by: SandboxUser | None
    ) -> None:
        """Tell the bot its status in ``chat`` changed (``my_chat_member``), as Telegram does."""
        actor = by or (chat.user if chat.user is not None else None)
        if actor is None and chat.members:
            actor = next(iter(chat.members.values()))
        if actor is None:
            self.notify()
            return
        bot = self.bot_json()
        now = int(self.clock())
        self.push_update(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": actor.to_json(),
                "date": now,
                "old_chat_member": _member_json(bot, old),
                "new_chat_member": _member_json(bot, new),
            },
        )

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


# How tests name a chat: the chat, a user (meaning their private chat) or a chat id.
ChatRef: TypeAlias = SandboxChat | SandboxUser | int


def _member_json(user: JSON, status: str) -> JSON:
    member: JSON = {"user": user, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    if status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=False,
            can_restrict_members=False,
            can_promote_members=False,
            can_change_info=False,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
        )
    return member

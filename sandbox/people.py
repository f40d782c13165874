"""The people and chats tests act through: a :class:`SandboxUser` sends, edits, presses buttons
and blocks the bot; a :class:`SandboxChat` is a private chat or a group the bot is in.

Every action is synchronous and goes through :mod:`sandbox.actions`, which changes the
:class:`~sandbox.world.World` and queues what the bot will see on its next ``getUpdates``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Literal, TypeAlias, overload
from urllib.parse import parse_qs, urlparse

from . import actions
from .files import guess_mime, image_size
from .messages import MESSAGE_LIMIT, MessageRef, StoredMessage, detect_entities, locate
from .model import JSON

if TYPE_CHECKING:
    from .world import World

__all__ = ["ChatRef", "SandboxChat", "SandboxUser"]


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
        actions.bot_membership_changed(self._world, self, old, self.bot_status, by=None)

    def add_bot(self, *, admin: bool = False) -> None:
        """Put the bot (back) into the group."""
        old = self.bot_status
        self.bot_status = "administrator" if admin else "member"
        actions.bot_membership_changed(self._world, self, old, self.bot_status, by=None)

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
        entities = detect_entities(body)
        if entities:
            content["entities"] = entities
        return actions.user_message(
            self._world, self, self._world.chat(target, self), content, reply_to
        )

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
        chat_id, _ = locate(to_message)
        return self.send_text(chat_id, text, reply_to=to_message)

    def edit(self, message: MessageRef, new_text: str) -> JSON:
        """Edit a text this user sent; the bot gets an ``edited_message`` update."""
        return actions.user_edit(self._world, self, message, new_text)

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
        return actions.press(self._world, self, bot_message, callback_data, text, inaccessible)

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
            chat = locate(reply_to)[0]
        stored = self._world.store_file(
            "document", data, file_name=name, mime_type=mime_type or guess_mime(name)
        )
        content: JSON = {"document": stored.document_json()}
        if caption:
            content["caption"] = caption
        return actions.user_message(
            self._world, self, self._world.chat(chat, self), content, reply_to
        )

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
            chat = locate(reply_to)[0]
        width, height = image_size(data)
        stored = self._world.store_file("photo", data, width=width, height=height)
        content: JSON = {"photo": stored.photo_json()}
        if caption:
            content["caption"] = caption
        return actions.user_message(
            self._world, self, self._world.chat(chat, self), content, reply_to
        )

    def send_voice(
        self,
        data: bytes,
        duration: int = 3,
        reply_to: MessageRef | None = None,
        *,
        chat: SandboxChat | int | None = None,
    ) -> JSON:
        """Send a voice message (an OGG/Opus recording the bot can download)."""
        stored = self._world.store_file("document", data, mime_type="audio/ogg")
        voice: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self._send_content({"voice": voice}, chat, reply_to)

    def send_sticker(
        self,
        emoji: str = "👍",
        reply_to: MessageRef | None = None,
        *,
        chat: SandboxChat | int | None = None,
    ) -> JSON:
        """Send a sticker (a 512×512 WebP image standing for `emoji`)."""
        stored = self._world.store_file("document", b"RIFF\0\0\0\0WEBP", mime_type="image/webp")
        sticker: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._send_content({"sticker": sticker}, chat, reply_to)

    def send_location(
        self, latitude: float, longitude: float, *, chat: SandboxChat | int | None = None
    ) -> JSON:
        """Share a location."""
        location: JSON = {"latitude": latitude, "longitude": longitude}
        return self._send_content({"location": location}, chat, None)

    def _send_content(
        self, content: JSON, chat: SandboxChat | int | None, reply_to: MessageRef | None
    ) -> JSON:
        if reply_to is not None and chat is None:
            chat = locate(reply_to)[0]
        return actions.user_message(
            self._world, self, self._world.chat(chat, self), content, reply_to
        )

    # -- relationship with the bot -------------------------------------------------------------

    def block_bot(self) -> None:
        """Block the bot: its sends to this user's private chat now fail with 403."""
        if not self.blocked:
            self.blocked = True
            actions.bot_membership_changed(
                self._world, self.private_chat, "member", "kicked", by=self
            )

    def unblock_bot(self) -> None:
        """Unblock the bot (Telegram also does this when the user presses Start again)."""
        if self.blocked:
            self.blocked = False
            actions.bot_membership_changed(
                self._world, self.private_chat, "kicked", "member", by=self
            )

    def deactivate(self) -> None:
        """Delete the account: sends to it fail with 403 "user is deactivated"."""
        self.deactivated = True


# How tests name a chat: the chat, a user (meaning their private chat) or a chat id.
ChatRef: TypeAlias = SandboxChat | SandboxUser | int

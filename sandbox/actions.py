"""What people do, as Telegram passes it on to the bot: messages, edits, button presses, and
changes to the bot's membership in a chat.

:class:`~sandbox.people.SandboxUser` and :class:`~sandbox.people.SandboxChat` act through these;
each changes the :class:`~sandbox.world.World` and queues the update the bot gets -- unless
privacy mode hides a group message from it (:func:`bot_sees`).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from .messages import INACCESSIBLE_AFTER, MessageRef, StoredMessage, detect_entities, locate
from .model import JSON

if TYPE_CHECKING:
    from .people import SandboxChat, SandboxUser
    from .world import World

__all__ = ["bot_membership_changed", "bot_sees", "press", "user_edit", "user_message"]


def user_message(
    world: World, user: SandboxUser, chat: SandboxChat, content: JSON, reply_to: MessageRef | None
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
        chat_id, message_id = locate(reply_to)
        if chat_id != chat.id:
            raise ValueError("a reply must be sent in the chat of the message it replies to")
        target = world.message(chat_id, message_id)
        if target is None:
            raise LookupError(f"message {message_id} does not exist in chat {chat_id}")
    stored = world.add_message(chat, user.to_json(), content, from_bot=False, reply_to=target)
    if bot_sees(world, chat, stored.json):
        world.push_update("message", stored.json)
    else:
        world.notify()
    return copy.deepcopy(stored.json)


def bot_sees(world: World, chat: SandboxChat, message: JSON) -> bool:
    """Whether Telegram would deliver a user's message in ``chat`` to the bot.

    In groups a bot in privacy mode (Telegram's default) only gets commands meant for it
    and replies to its own messages -- free text in a group never reaches it.
    """
    if not chat.is_group:
        return True
    if chat.bot_status not in ("member", "administrator"):
        return False
    if not world.privacy_mode or chat.bot_status == "administrator":
        return True
    replied = message.get("reply_to_message")
    if replied is not None and replied.get("from", {}).get("id") == world.bot_id:
        return True
    text = message.get("text") or message.get("caption") or ""
    for entity in message.get("entities", ()):
        if entity["type"] == "bot_command" and entity["offset"] == 0:
            command = text[: entity["length"]]
            _, _, target = command.partition("@")
            return not target or target.lower() == world.bot_username.lower()
    return False


def user_edit(world: World, user: SandboxUser, message: MessageRef, new_text: str) -> JSON:
    """``user`` edits their own text message; the bot gets ``edited_message``."""
    chat_id, message_id = locate(message)
    stored = world.message(chat_id, message_id)
    if stored is None or stored.sender_id != user.id:
        raise LookupError(f"{user!r} has no message {message_id} in chat {chat_id}")
    if "text" not in stored.json:
        raise ValueError("only text messages can be edited by the sandbox users")
    if not new_text.strip():
        raise ValueError("Telegram clients do not allow an empty text")
    stored.json["text"] = new_text
    entities = detect_entities(new_text)
    if entities:
        stored.json["entities"] = entities
    else:
        stored.json.pop("entities", None)
    stored.json["edit_date"] = int(world.clock())
    chat = world.chat(chat_id)
    if bot_sees(world, chat, stored.json):
        world.push_update("edited_message", stored.json)
    else:
        world.notify()
    return copy.deepcopy(stored.json)


def press(
    world: World,
    user: SandboxUser,
    bot_message: MessageRef,
    callback_data: str | None,
    button_text: str | None,
    inaccessible: bool | None = None,
) -> JSON:
    """``user`` presses a callback button; the bot gets a ``callback_query``."""
    chat_id, message_id = locate(bot_message)
    stored = world.message(chat_id, message_id)
    if stored is None or not stored.from_bot:
        raise LookupError(f"no bot message {message_id} in chat {chat_id}")
    chat = world.chat(chat_id)
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
    query_id = world.new_query_id()
    if inaccessible is None:
        inaccessible = world.clock() - stored.json["date"] > INACCESSIBLE_AFTER
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
    world.callback_queries[query_id] = user
    world.push_update("callback_query", query)
    return copy.deepcopy(query)


def bot_membership_changed(
    world: World, chat: SandboxChat, old: str, new: str, *, by: SandboxUser | None
) -> None:
    """Tell the bot its status in ``chat`` changed (``my_chat_member``), as Telegram does."""
    actor = by or (chat.user if chat.user is not None else None)
    if actor is None and chat.members:
        actor = next(iter(chat.members.values()))
    if actor is None:
        world.notify()
        return
    bot = world.bot_json()
    now = int(world.clock())
    world.push_update(
        "my_chat_member",
        {
            "chat": chat.to_json(),
            "from": actor.to_json(),
            "date": now,
            "old_chat_member": _member_json(bot, old),
            "new_chat_member": _member_json(bot, new),
        },
    )


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

"""What the bot's sends and edits share, beyond checking parameters: may it write to the chat
(403), the message it replies to, the file it sends, storing the message with its SentMessage
record, and the versions an edit keeps.
"""

from __future__ import annotations

from typing import Literal

from .files import StoredFile, image_size
from .messages import INACCESSIBLE_AFTER, StoredMessage
from .model import JSON, ApiError, MessageVersion, SentMessage, bad_request, forbidden
from .params import Params, Upload
from .people import SandboxChat
from .validation import Rendered, find_chat
from .world import World

__all__ = [
    "MAX_UPLOAD_BYTES",
    "check_can_send",
    "editable",
    "input_file",
    "post",
    "reply_target",
    "save_version",
    "set_markup",
    "store_upload",
]

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_PHOTO_BYTES = 10 * 1024 * 1024


def check_can_send(chat: SandboxChat) -> None:
    """403 where Telegram would not let the bot write: blocked, not started, not a member."""
    user = chat.user
    if user is not None:
        if user.deactivated:
            raise forbidden("user is deactivated")
        if user.blocked:
            raise forbidden("bot was blocked by the user")
        if not user.started:
            raise forbidden("bot can't initiate conversation with a user")
        return
    kind = "supergroup" if chat.type == "supergroup" else "group"
    if chat.bot_status == "kicked":
        raise forbidden(f"bot was kicked from the {kind} chat")
    if chat.bot_status == "left":
        raise forbidden(f"bot is not a member of the {kind} chat")


def reply_target(world: World, p: Params, chat: SandboxChat) -> StoredMessage | None:
    """The message a send replies to (``reply_parameters`` or the legacy fields), if any."""
    params = p.get_json("reply_parameters", error="can't parse reply parameters JSON object")
    if params is not None:
        if not isinstance(params, dict) or "message_id" not in params:
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = chat
        if params.get("chat_id") not in (None, "", chat.id):
            target_chat = find_chat(world, params["chat_id"])
        try:
            message_id = int(params["message_id"])
        except (TypeError, ValueError):
            raise bad_request("invalid message_id specified") from None
        allow = bool(params.get("allow_sending_without_reply"))
    else:
        legacy = p.get_int("reply_to_message_id")
        if legacy is None:
            return None
        target_chat, message_id = chat, legacy
        allow = p.get_bool("allow_sending_without_reply")
    target = world.message(target_chat.id, message_id)
    if target is not None and world.clock() - target.json["date"] > INACCESSIBLE_AFTER:
        # What Telegram no longer hands back (a button on it brings an InaccessibleMessage)
        # cannot be quoted either.
        target = None
    if target is None and not allow:
        raise bad_request("message to be replied not found")
    return target


def post(
    world: World,
    chat: SandboxChat,
    method: str,
    content: JSON,
    rendered: Rendered | None,
    markup: JSON | None,
    reply_to: StoredMessage | None,
) -> JSON:
    """Store an admitted bot message and its SentMessage record; return the Message."""
    if markup is not None and "inline_keyboard" in markup:
        # Only inline keyboards are part of the Message object Telegram returns.
        content["reply_markup"] = markup
    stored = world.add_message(chat, world.bot_json(), content, from_bot=True, reply_to=reply_to)
    is_text = "text" in content
    record: SentMessage = {
        "chat_id": chat.id,
        "message_id": stored.message_id,
        "method": method,
        "text": rendered.text if rendered is not None and is_text else None,
        "caption": rendered.text if rendered is not None and not is_text else None,
        "raw_text": rendered.raw if rendered is not None else None,
        "parse_mode": rendered.parse_mode if rendered is not None else None,
        "entities": rendered.entities if rendered is not None else [],
        "reply_markup": markup,
        "reply_to": reply_to.message_id if reply_to is not None else None,
        "date": stored.json["date"],
        "edits": [],
        "deleted": False,
        "document": content.get("document"),
        "photo": content.get("photo"),
        "message": stored.json,
    }
    stored.record = record
    world.notify()
    return stored.json


def input_file(
    world: World, p: Params, field: str, kind: Literal["document", "photo"]
) -> StoredFile | Upload:
    """The file to send: an existing one by file_id, or an upload not yet stored."""
    upload = p.upload(field)
    if upload is not None:
        limit = MAX_PHOTO_BYTES if kind == "photo" else MAX_UPLOAD_BYTES
        if len(upload.data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        return upload
    ref = p.get_str(field)
    if not ref:
        raise bad_request(f"there is no {field} in the request")
    if ref.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")  # the sandbox has no internet
    stored = world.files.get(ref)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(
            f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
        )
    return stored


def store_upload(world: World, upload: Upload, kind: Literal["document", "photo"]) -> StoredFile:
    """Keep an admitted upload under a fresh file id."""
    if kind == "photo":
        width, height = image_size(upload.data)
        return world.store_file("photo", upload.data, width=width, height=height)
    return world.store_file(
        "document",
        upload.data,
        file_name=upload.file_name,
        mime_type=upload.content_type or "application/octet-stream",
    )


def editable(world: World, p: Params) -> tuple[SandboxChat, StoredMessage]:
    """The bot message an edit names, in a chat the bot may still write to."""
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in the sandbox
    chat = find_chat(world, p.values.get("chat_id"))
    message_id = p.get_int("message_id", error="message identifier is not specified")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    stored = world.message(chat.id, message_id)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    check_can_send(chat)
    return chat, stored


def save_version(stored: StoredMessage) -> SentMessage:
    """Keep the record's current state in its ``edits``; return the record to update."""
    record = stored.record
    assert record is not None  # bot messages always have one
    version: MessageVersion = {
        "text": record["text"],
        "caption": record["caption"],
        "raw_text": record["raw_text"],
        "parse_mode": record["parse_mode"],
        "entities": record["entities"],
        "reply_markup": record["reply_markup"],
        "date": int(stored.json.get("edit_date") or stored.json["date"]),
    }
    record["edits"].append(version)
    return record


def set_markup(stored: StoredMessage, markup: JSON | None) -> None:
    """Put the inline keyboard on the Message object, or take it off for ``None``."""
    if markup is None:
        stored.json.pop("reply_markup", None)
    else:
        stored.json["reply_markup"] = markup

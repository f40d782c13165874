"""What every handler needs: who is speaking, how to answer, how to find an item."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter, TelegramError

from handlers.context import Ctx
from handlers.sender import keyboard, retry_seconds
from plans.model import Contact
from plans.refs import ItemRef
from render.chunks import split_message
from render.texts import esc
from services.core import Services
from storage import StoredItem
from storage.people_repo import move_chat

log = logging.getLogger(__name__)

# One Bot API call is tried this often; the pause after a fault doubles from the first to the
# most (a 429 waits what Telegram asks instead): about 15 s of trying, then the fault stands.
SEND_ATTEMPTS = 5
FIRST_PAUSE = 0.5
MOST_PAUSE = 8.0

_T = TypeVar("_T")


@dataclass(frozen=True)
class Who:
    """The person behind an update and what they may do."""

    user_id: int | None
    chat_id: int
    name: str
    admin: bool
    memberships: tuple[Contact, ...]

    @property
    def coordinator(self) -> bool:
        return self.admin or any(m.role in ("admin", "coordinator") for m in self.memberships)

    @property
    def leader(self) -> bool:
        return any(m.role == "leader" for m in self.memberships)

    @property
    def unit_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(m.unit_id for m in self.memberships if m.unit_id))

    @property
    def known(self) -> bool:
        return self.admin or bool(self.memberships)

    def contact_for(self, unit_ids: Iterable[int]) -> Contact | None:
        wanted = set(unit_ids)
        return next(
            (m for m in self.memberships if m.role == "contact" and m.unit_id in wanted), None
        )


async def who(update: Update, svc: Services) -> Who:
    """Look the speaker up: admins from the settings, everyone else by membership."""
    user = update.effective_user
    chat = update.effective_chat
    assert chat is not None
    user_id = user.id if user else None
    found = await svc.memberships(user_id=user_id, chat_id=chat.id)
    name = user.full_name if user else (chat.title or "")
    return Who(user_id, chat.id, name, svc.is_admin(user_id), tuple(found))


async def with_retries(call: Callable[[], Awaitable[_T]], *, what: str) -> _T:
    """Run one Bot API call until it goes through, or raise its last fault.

    A network error, a timeout or a 5xx is tried again after a pause that doubles; a 429 after
    the time Telegram asks for (python-telegram-bot's rate limiter has retried it already).
    Anything else -- 400, 403, a group that became a supergroup -- is raised at once: trying
    again would not help. A timeout or a lost answer may hide a call that went through, and
    Telegram has no idempotency key: a message may then arrive twice (at least once).
    """
    pause = FIRST_PAUSE
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as e:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = retry_seconds(e)
            fault: TelegramError = e
        except BadRequest:
            raise
        except NetworkError as e:  # TimedOut, a dropped connection, a 5xx
            if attempt == SEND_ATTEMPTS:
                raise
            wait, pause = pause, min(MOST_PAUSE, pause * 2)
            fault = e
        log.info(
            "%s failed (%s: %s); try %d of %d in %.1f s",
            what,
            type(fault).__name__,
            fault.message,
            attempt + 1,
            SEND_ATTEMPTS,
            wait,
        )
        await asyncio.sleep(wait)
    raise AssertionError("unreachable: the last attempt returns or raises")


async def answer(
    update: Update,
    text_or_lines: str | Sequence[str],
    *,
    buttons: Sequence[Sequence[tuple[str, str]]] = (),
    quote: bool = True,
    svc: Services | None = None,
) -> list[Message]:
    """Reply in the update's chat, split under Telegram's limit; buttons go on the last part.

    Each part is tried again on transient faults (see `with_retries`). A group that became a
    supergroup gets the rest at its new id, and with `svc` its memberships move there. A
    button on a message Telegram no longer hands back is answered with a new message in its
    chat. Raises the TelegramError of a part that could not be delivered.
    """
    chat = update.effective_chat
    assert chat is not None
    message = update.effective_message
    if message is not None and not message.is_accessible:
        # A button on a message Telegram no longer hands back (PTB 22 gives it as a Message
        # dated 0; its type hints promise InaccessibleMessage, i.e. None here). It cannot be
        # quoted either: answer with a new message in its chat.
        message = None
    lines = [text_or_lines] if isinstance(text_or_lines, str) else list(text_or_lines)
    chunks = split_message(lines)
    markup = keyboard(buttons)
    bot = update.get_bot()
    chat_id = chat.id
    sent: list[Message] = []
    for k, chunk in enumerate(chunks):
        last = k == len(chunks) - 1
        # In a group the quote says whom the bot answers; in a private chat it is noise
        # (and a heavier answer to parse).
        part = await send_text(
            bot,
            chat_id,
            chunk,
            markup=markup if last else None,
            answering=message,
            quote=quote and k == 0 and chat.type != "private",
            svc=svc,
        )
        chat_id = part.chat_id  # a group that moved: the rest goes where the first part went
        sent.append(part)
    return sent


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    answering: Message | None = None,
    quote: bool = False,
    svc: Services | None = None,
) -> Message:
    """Send one HTML message to `chat_id`, tried again on transient faults.

    `answering`, a message in that chat, keeps the answer in its forum topic and is quoted
    with `quote` (unless it is gone by then). On ChatMigrated the group's memberships move to
    the supergroup (with `svc`) and the message goes there once, unquoted.
    """

    def call(target: int) -> Awaitable[Message]:
        if answering is not None and answering.chat_id == target:
            return answering.reply_text(
                text,
                reply_markup=markup,
                do_quote=quote,
                allow_sending_without_reply=True,
            )
        return bot.send_message(
            target,
            text,
            reply_markup=markup,
        )

    try:
        return await with_retries(lambda: call(chat_id), what=f"message to chat {chat_id}")
    except ChatMigrated as e:
        new_id = int(e.new_chat_id)
        await chat_moved(svc, chat_id, new_id)
        return await with_retries(lambda: call(new_id), what=f"message to chat {new_id}")


async def chat_moved(svc: Services | None, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its memberships follow it (when `svc` is at hand)."""
    if svc is None:
        log.warning("group %s is now supergroup %s; its memberships were not moved", old_id, new_id)
        return
    moved = await move_chat(svc.db, old_id, new_id)
    log.info("group %s is now supergroup %s: %d memberships moved", old_id, new_id, len(moved))


async def on_chat_migrated(update: Update, context: Ctx) -> None:
    """Telegram's service messages when a group becomes a supergroup (one in the old chat with
    migrate_to_chat_id, one in the new with migrate_from_chat_id): the unit keeps its chat."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        await chat_moved(context.svc, message.chat_id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id:
        await chat_moved(context.svc, message.migrate_from_chat_id, message.chat_id)


async def answer_query(
    query: CallbackQuery, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answer a pressed button (stops its spinner) -- best effort: a press is acted on even
    when its answer cannot be given, say because it came too late for Telegram."""
    try:
        await with_retries(
            lambda: query.answer(text, show_alert=show_alert), what="answer to a button"
        )
    except TelegramError as e:
        log.info("a button press went unanswered: %s: %s", type(e).__name__, e.message)


# The update whose handler has stored what the person sent. Each update is handled in a task
# of its own, and the error handler runs in that task: it reads this to know.
_STORED: ContextVar[int | None] = ContextVar("duban_stored_update", default=None)


def note_stored(update: Update) -> None:
    """Mark that this update's report (or amendment) is in the database: from now on a
    failure must not be reported to the person as if nothing had been recorded."""
    _STORED.set(update.update_id)


def stored_before_failing(update: object) -> bool:
    """Whether the handler of `update` had stored its report when it failed."""
    return isinstance(update, Update) and _STORED.get() == update.update_id


async def confirm(update: Update, svc: Services, text: str, *, what: str) -> list[Message]:
    """Tell the person what was stored. Never raises: the thing is stored, whatever the Bot API
    does now, so the error handler must not tell them it failed (retrying would store it
    twice). A confirmation that cannot be delivered after every retry is logged."""
    try:
        return await answer(update, text, svc=svc)
    except TelegramError as e:
        chat = update.effective_chat
        log.warning(
            "%s stored, but its confirmation to chat %s failed: %s: %s",
            what,
            chat.id if chat else "?",
            type(e).__name__,
            e.message,
        )
        return []


def roles_text(svc: Services, w: Who) -> str:
    """ "督查协调员、局高新处 联络员" — what the person is, in words."""
    t = svc.texts
    parts: list[str] = []
    if w.admin:
        parts.append(t("role_admin"))
    for m in w.memberships:
        if m.role == "contact":
            parts.append(t("role_contact", unit=esc(m.unit_name or "")))
        elif not (m.role == "admin" and w.admin):
            parts.append(t(f"role_{m.role}"))
    return t("list_sep").join(dict.fromkeys(parts))


async def multi_plan(svc: Services) -> bool:
    return (await svc.catalog()).multi


def ref(item: StoredItem, multi: bool) -> str:
    return ItemRef.format(item.plan_id, item.item.seq, multi=multi)


@dataclass(frozen=True)
class ItemLookup:
    """The item a reference names, or why it names none."""

    item: StoredItem | None
    error: str = ""


async def resolve_item(
    svc: Services, text: str, *, preferred: set[int] | None = None
) -> ItemLookup:
    """The item "4" or "2-15" refers to. With several plans, a bare "4" is resolved among
    `preferred` item ids (the person's units' items) when that makes it unique."""
    t = svc.texts
    wanted = ItemRef.parse(text)
    if wanted is None:
        return ItemLookup(None, t("item_unknown", item=esc(text), hint=""))
    seq = wanted.seq
    catalog = await svc.catalog()
    found = [s for s in catalog.by_seq.get(seq, []) if wanted.matches(s.plan_id, seq)]
    if preferred is not None and len(found) > 1:
        found = [s for s in found if s.id in preferred] or found
    if not found:
        return ItemLookup(None, t("item_unknown", item=esc(text), hint=""))
    if len(found) > 1:
        example = ItemRef.format(found[0].plan_id, seq, multi=True)
        return ItemLookup(None, t("item_ambiguous", item=esc(text), example=example))
    return ItemLookup(found[0])


# ------------------------------------------------------------------------------ who may do what

Role = Literal["coordinator", "leader", "contact"]
Handler = Callable[[Update, Ctx], Coroutine[Any, Any, None]]


def holds(w: Who, roles: Iterable[Role]) -> bool:
    """Whether the person holds any of `roles` here (an admin is a coordinator)."""
    for role in roles:
        if role == "coordinator" and w.coordinator:
            return True
        if role == "leader" and w.leader:
            return True
        if role == "contact" and any(m.role == "contact" for m in w.memberships):
            return True
    return False


def requires(*roles: Role, refusal: str = "refused") -> Callable[[Handler], Handler]:
    """The one guard of commands and buttons: people holding none of `roles` get the refusal
    (as an alert on a button) and the handler does not run."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Ctx) -> None:
            svc = context.svc
            if holds(await who(update, svc), roles):
                await handler(update, context)
                return
            query = update.callback_query
            if query is not None:
                with contextlib.suppress(TelegramError):
                    await query.answer(svc.texts(refusal), show_alert=True)
            elif update.effective_message is not None:
                await answer(update, svc.texts(refusal))

        return guarded

    return wrap

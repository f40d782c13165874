"""What every handler needs: who is speaking, how to answer, how to find an item."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.services import Services
from plans.chunks import split_message
from plans.model import Contact
from plans.texts import esc
from storage import StoredItem

ITEM_REF = re.compile(r"^(?:(\d{1,4})-)?(\d{1,4})$")


def svc_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    svc = context.bot_data["svc"]
    assert isinstance(svc, Services)
    return svc


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


async def answer(
    update: Update,
    text_or_lines: str | Sequence[str],
    *,
    buttons: Sequence[Sequence[tuple[str, str]]] = (),
    quote: bool = True,
) -> list[Message]:
    """Reply in the update's chat, split under Telegram's limit; buttons go on the last part."""
    message = update.effective_message
    assert message is not None
    lines = [text_or_lines] if isinstance(text_or_lines, str) else list(text_or_lines)
    chunks = split_message(lines)
    markup = (
        InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in buttons
            ]
        )
        if buttons
        else None
    )
    sent = []
    for k, chunk in enumerate(chunks):
        last = k == len(chunks) - 1
        sent.append(
            await message.reply_text(
                chunk,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                # In a group the quote says whom the bot answers; in a private chat it is noise
                # (and a heavier answer to parse).
                do_quote=quote and k == 0 and message.chat.type != "private",
                disable_web_page_preview=True,
            )
        )
    return sent


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
    return "、".join(dict.fromkeys(parts))


async def multi_plan(svc: Services) -> bool:
    return (await svc.catalog()).multi


def ref(item: StoredItem, multi: bool) -> str:
    return f"{item.plan_id}-{item.item.seq}" if multi else str(item.item.seq)


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
    m = ITEM_REF.match(text.strip().lstrip("#第").rstrip("项."))
    if m is None:
        return ItemLookup(None, t("item_unknown", item=esc(text), hint=""))
    plan_id = int(m.group(1)) if m.group(1) else None
    seq = int(m.group(2))
    catalog = await svc.catalog()
    found = [s for s in catalog.by_seq.get(seq, []) if plan_id is None or s.plan_id == plan_id]
    if preferred is not None and len(found) > 1:
        found = [s for s in found if s.id in preferred] or found
    if not found:
        return ItemLookup(None, t("item_unknown", item=esc(text), hint=""))
    if len(found) > 1:
        example = f"{found[0].plan_id}-{seq}"
        return ItemLookup(None, t("item_ambiguous", item=esc(text), example=example))
    return ItemLookup(found[0])

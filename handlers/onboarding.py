"""Joining and finding one's way: /start with an invite token, /help, /whoami, menus."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.common import Who, answer, multi_plan, ref, roles_text, who
from handlers.context import Ctx
from render.chunks import clip
from render.texts import Texts, esc
from services.core import Services
from storage import list_items
from storage.people_repo import InviteError, add_admin_chat, redeem_invite

log = logging.getLogger(__name__)

# The command menus, by role; their descriptions are in the message catalog ("menu_<command>").
CONTACT_COMMANDS = ("mine", "report", "extend", "help", "whoami")
VIEW_COMMANDS = ("status", "overdue", "due", "stale", "blocked", "export", "digest")
COORDINATOR_COMMANDS = (
    *VIEW_COMMANDS,
    "pending",
    "invite",
    "unassigned",
    "assign",
    "addunit",
    "review",
    "merge",
    "rename",
    "report",
    "help",
    "whoami",
)
LEADER_COMMANDS = (*VIEW_COMMANDS, "help", "whoami")
DEFAULT_COMMANDS = ("start", "help", "whoami")


def menu_for(t: Texts, roles: Iterable[str]) -> list[tuple[str, str]]:
    """The one rule for a person's command menu: the union of their roles' commands (admin and
    coordinator first, then contact, then leader), in a stable order, described in the
    deployment's language. Used at start-up for every known chat and on every role change."""
    held = set(roles)
    names: list[str] = []
    if held & {"admin", "coordinator"}:
        names += COORDINATOR_COMMANDS
    if "contact" in held:
        names += CONTACT_COMMANDS
    if "leader" in held:
        names += LEADER_COMMANDS
    return [(name, t(f"menu_{name}")) for name in dict.fromkeys(names or DEFAULT_COMMANDS)]


def roles_of(w: Who) -> set[str]:
    """The roles a person holds in this chat (an admin of the settings counts as admin)."""
    return {m.role for m in w.memberships} | ({"admin"} if w.admin else set())


def commands_for(t: Texts, w: Who) -> list[tuple[str, str]]:
    """The menu this person sees in this chat."""
    return menu_for(t, roles_of(w))


async def set_menu(context: Ctx, w: Who) -> None:
    """Give this chat the command menu of its roles (set_my_commands, chat scope)."""
    commands = [BotCommand(c, d) for c, d in commands_for(context.svc.texts, w)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(w.chat_id))
    except TelegramError as e:  # a menu is a nicety; never fail the join over it
        log.warning("could not set the menu of chat %s: %s", w.chat_id, e.message)


async def start(update: Update, context: Ctx) -> None:
    """Join with an invite token, or greet a known person, or turn a stranger away politely."""
    svc = context.svc
    t = svc.texts
    speaker = await who(update, svc)
    token = context.args[0] if context.args else ""
    if not token:
        if (
            speaker.admin
            and update.effective_chat
            and update.effective_chat.type == ChatType.PRIVATE
        ):
            await add_admin_chat(svc.db, user_id=speaker.chat_id, display_name=speaker.name)
            speaker = await who(update, svc)
        if not speaker.known:
            await answer(update, t("welcome_unknown"))
            return
        await answer(
            update, t("welcome_back", name=esc(speaker.name), roles=roles_text(svc, speaker))
        )
        await set_menu(context, speaker)
        return
    await _join(update, context, svc, speaker, token)


async def _join(update: Update, context: Ctx, svc: Services, speaker: Who, token: str) -> None:
    t = svc.texts
    chat = update.effective_chat
    assert chat is not None
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    try:
        redeemed = await redeem_invite(
            svc.db,
            token=token[:128],
            user_id=speaker.user_id or chat.id,
            chat_id=chat.id,
            display_name=(chat.title or speaker.name) if group else speaker.name,
            now=svc.now(),
        )
    except InviteError as e:
        await answer(update, t(f"invite_{e.reason}"))
        return
    contact = redeemed.contact
    if redeemed.already_member:
        what = (
            t("role_contact", unit=esc(contact.unit_name or ""))
            if contact.role == "contact"
            else t(f"role_{contact.role}")
        )
        await answer(update, t("joined_again", what=what))
    elif contact.role == "contact":
        assert contact.unit_name is not None
        items = await list_items(svc.db, unit=contact.unit_name)
        multi = await multi_plan(svc)
        head = "joined_group" if group else "joined_contact"
        lines = [t(head, name=esc(speaker.name), unit=esc(contact.unit_name), count=len(items))]
        lines += [
            t(
                "joined_item",
                ref=ref(s, multi),
                title=esc(clip(s.item.title, 40)),
                deadline=s.item.deadline or esc(s.item.deadline_text),
            )
            for s in items
        ] or [t("no_items_yet")]
        lines.append(t("help_contact"))
        await answer(update, lines)
    else:
        await answer(
            update, t("joined_role", name=esc(speaker.name), role=t(f"role_{contact.role}"))
        )
    await set_menu(context, await who(update, svc))


async def help_(update: Update, context: Ctx) -> None:
    """Show the commands of the speaker's roles."""
    svc = context.svc
    await answer(update, help_text(svc.texts, await who(update, svc)))


def help_text(t: Texts, w: Who) -> list[str]:
    if not w.known:
        return [t("help_unknown")]
    parts = []
    if w.coordinator or w.leader:
        parts.append(t("help_views"))
    if w.coordinator:
        parts.append(t("help_coordinator"))
    if any(m.role == "contact" for m in w.memberships):
        parts.append(t("help_contact"))
    if w.leader:
        parts.append(t("help_leader"))
    return parts


async def whoami(update: Update, context: Ctx) -> None:
    """Say who the bot thinks the speaker is."""
    svc = context.svc
    w = await who(update, svc)
    key = "whoami" if w.known else "whoami_none"
    await answer(
        update,
        svc.texts(key, user_id=w.user_id or "", chat_id=w.chat_id, roles=roles_text(svc, w)),
    )


async def unknown_command(update: Update, context: Ctx) -> None:
    """Answer a command the bot does not have (in groups, only when addressed to us)."""
    svc = context.svc
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split()[0]
    if (
        "@" in command
        and context.bot.username
        and not command.lower().endswith("@" + context.bot.username.lower())
    ):
        return  # another bot's command in a group
    if not (await who(update, svc)).known:
        await answer(update, svc.texts("welcome_unknown"))
        return
    await answer(update, svc.texts("unknown_command", command=esc(clip(command, 40))))

"""Joining and finding one's way: /start with an invite token, /help, /whoami, menus."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.services import Services
from handlers import admin
from handlers.common import Who, answer, multi_plan, ref, roles_text, svc_of, who
from plans.chunks import clip
from plans.texts import Texts, esc
from storage import list_items
from storage.people_repo import InviteError, add_admin_chat, redeem_invite

log = logging.getLogger(__name__)

CONTACT_COMMANDS = [
    ("mine", "我的事项和进度"),
    ("report", "反馈进展:/report 事项号 进展"),
    ("extend", "申请延期:/extend 事项号 新日期 原因"),
    ("help", "帮助"),
    ("whoami", "我的身份"),
]
VIEW_COMMANDS = [
    ("status", "总体进展 / 单位 / 事项"),
    ("overdue", "逾期事项"),
    ("due", "临期事项:/due 天数"),
    ("stale", "久未反馈的事项"),
    ("blocked", "有困难的事项"),
    ("export", "导出督查台账"),
    ("digest", "立即生成周报"),
]
COORDINATOR_COMMANDS = [
    *VIEW_COMMANDS,
    ("pending", "待销号和待审批的延期"),
    ("invite", "生成邀请链接"),
    ("unassigned", "未分配责任单位的事项"),
    ("assign", "分配责任单位"),
    ("addunit", "新增单位"),
    *admin.REVIEW_COMMANDS,
    ("report", "代为登记进展"),
    ("help", "帮助"),
    ("whoami", "我的身份"),
]
LEADER_COMMANDS = [*VIEW_COMMANDS, ("help", "帮助"), ("whoami", "我的身份")]
DEFAULT_COMMANDS = [("start", "开始 / 加入"), ("help", "帮助"), ("whoami", "我的身份")]


def commands_for(w: Who) -> list[tuple[str, str]]:
    """The menu a person sees: the union of their roles' commands, in a stable order."""
    menu: list[tuple[str, str]] = []
    if w.coordinator:
        menu += COORDINATOR_COMMANDS
    if any(m.role == "contact" for m in w.memberships):
        menu += CONTACT_COMMANDS
    if w.leader:
        menu += LEADER_COMMANDS
    return list(dict.fromkeys(menu)) or DEFAULT_COMMANDS


async def set_menu(context: ContextTypes.DEFAULT_TYPE, w: Who) -> None:
    """Give this chat the command menu of its roles (set_my_commands, chat scope)."""
    commands = [BotCommand(c, d) for c, d in commands_for(w)]
    try:
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(w.chat_id))
    except TelegramError as e:  # a menu is a nicety; never fail the join over it
        log.warning("could not set the menu of chat %s: %s", w.chat_id, e.message)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Join with an invite token, or greet a known person, or turn a stranger away politely."""
    svc = svc_of(context)
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


async def _join(
    update: Update, context: ContextTypes.DEFAULT_TYPE, svc: Services, speaker: Who, token: str
) -> None:
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
            f"{ref(s, multi)}. {esc(clip(s.item.title, 40))}(截止 {s.item.deadline or esc(s.item.deadline_text)})"
            for s in items
        ] or [t("no_items_yet")]
        lines.append(t("help_contact"))
        await answer(update, lines)
    else:
        await answer(
            update, t("joined_role", name=esc(speaker.name), role=t(f"role_{contact.role}"))
        )
    await set_menu(context, await who(update, svc))


async def help_(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the commands of the speaker's roles."""
    svc = svc_of(context)
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


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say who the bot thinks the speaker is."""
    svc = svc_of(context)
    w = await who(update, svc)
    key = "whoami" if w.known else "whoami_none"
    await answer(
        update,
        svc.texts(key, user_id=w.user_id or "", chat_id=w.chat_id, roles=roles_text(svc, w)),
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a command the bot does not have (in groups, only when addressed to us)."""
    svc = svc_of(context)
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

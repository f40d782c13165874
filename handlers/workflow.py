"""The 督办 workflow in chat: 销号 of a unit's "done", /pending, and extensions (/extend).

- With sign-off on (DUBAN_SIGNOFF, the default), a unit's done waits for 销号: coordinators get
  one message per done with the item, the unit, the reply and its evidence, and two buttons.
  `销号` closes the item for that unit; `退回` asks the coordinator for a one-line reason (their
  next message in that chat, `/skip` for none) and sends the item back: in progress, chased again.
- `/extend N DATE REASON` (or a reply "申请延期至3月底,原因是…") asks for more time; coordinators
  grant (`同意`: that unit's deadline moves, nudges follow) or refuse (`不同意`: nothing changes).
- A decision is taken once: the second coordinator to press learns it was already decided.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from handlers.common import Who, answer, multi_plan, ref, requires, resolve_item, who
from handlers.context import Ctx
from handlers.sender import TelegramSender
from plans.model import Extension
from plans.refs import ItemRef
from plans.replies.extensions import asks_for_extension, read_extension
from render.chunks import callback_data, clip, parse_callback
from render.compose import Composed
from render.texts import esc
from services.core import Services
from services.delivery import deliver, notify_coordinators
from services.sending import Sender
from storage import StoredItem
from storage.people_repo import unit_contacts
from storage.reports_repo import find_bot_message
from storage.workflow_repo import (
    SignoffCase,
    await_input,
    decide_extension,
    decide_signoff,
    extension_history,
    get_extension,
    pending_extensions,
    pending_signoffs,
    request_extension,
    signoff_case,
    signoff_state,
    take_input,
)

log = logging.getLogger(__name__)

SIGNOFF = "so"  # so:<report id>:y|n
EXTEND = "ex"  # ex:<extension id>:y|n
PENDING_SHOWN = 10  # cases shown with their buttons in /pending; the rest are counted


def signoff_buttons(svc: Services, report_id: int) -> list[tuple[str, str]]:
    t = svc.texts
    return [
        (t("button_signoff"), callback_data(SIGNOFF, report_id, "y")),
        (t("button_return"), callback_data(SIGNOFF, report_id, "n")),
    ]


def _case_ref(case: SignoffCase, multi: bool) -> str:
    return ItemRef.format(case.plan_id, case.seq, multi=multi)


def case_text(svc: Services, case: SignoffCase, multi: bool) -> str:
    """One 销号 case: the item, the unit and who reported, the reply and its evidence."""
    t = svc.texts
    evidence = t("list_sep").join(
        esc(e.file_name or t(f"evidence_{e.kind}")) for e in case.evidence
    )
    return t(
        "signoff_case",
        ref=_case_ref(case, multi),
        title=esc(clip(case.title, 40)),
        unit=esc(case.unit_name),
        who=esc(case.reporter_name or "—"),
        text=esc(clip(case.text, 300)) or t("signoff_no_text"),
        evidence=t("signoff_evidence", files=evidence) if evidence else "",
        day=case.created_at.astimezone(svc.tz).strftime("%m-%d %H:%M"),
    )


async def announce_done(svc: Services, sender: Sender, report_id: int) -> None:
    """Ask the coordinators to 销号 a unit's done: one message, two buttons, then the evidence."""
    case = await signoff_case(svc.db, report_id)
    if case is None:
        return
    multi = await multi_plan(svc)
    text = svc.texts("signoff_head") + "\n" + case_text(svc, case, multi)
    # In the background: the reply's handler (its chat and its update slot) is free at once,
    # whatever the coordinators' chats make the request wait (1 msg/s each).
    task = asyncio.create_task(
        notify_coordinators(svc, sender, Composed([text], [signoff_buttons(svc, report_id)]))
    )
    _NOTICES.add(task)
    task.add_done_callback(_NOTICES.discard)


_NOTICES: set[asyncio.Task[int]] = set()  # 销号 requests on their way (kept from the GC)


async def _tell_unit(svc: Services, sender: Sender, unit_id: int, text: str) -> None:
    for contact in await unit_contacts(svc.db, unit_id):
        await deliver(svc, sender, contact, Composed([text]))


async def _close_buttons(query_message: Message | None, note: str) -> None:
    """Take the buttons off a decided message and say what was decided under it."""
    if query_message is None or not query_message.text_html:
        return
    try:
        await query_message.edit_text(f"{query_message.text_html}\n{note}", reply_markup=None)
    except TelegramError as e:  # too old to edit, or unchanged: the decision stands
        log.info("could not edit a decided message: %s", e)


async def _pressed(update: Update) -> tuple[CallbackQuery, int, str] | None:
    """The decision button pressed: its query, the record's id and the choice (y/n); a
    malformed one is answered and gives None."""
    query = update.callback_query
    if query is None or not query.data:
        return None
    parsed = parse_callback(query.data)
    if parsed is None or parsed[2] not in ("y", "n"):
        await query.answer()
        return None
    return query, parsed[1], parsed[2]


@requires("coordinator", refusal="coordinators_only")
async def on_signoff_button(update: Update, context: Ctx) -> None:
    """销号 (so:id:y) or 退回 (so:id:n) pressed by a coordinator."""
    svc = context.svc
    t = svc.texts
    pressed = await _pressed(update)
    if pressed is None:
        return
    query, report_id, choice = pressed
    speaker = await who(update, svc)
    message = query.message if isinstance(query.message, Message) else None
    case = await signoff_case(svc.db, report_id)
    if case is None:
        await query.answer(t("signoff_gone"), show_alert=True)
        return
    multi = await multi_plan(svc)
    if choice == "n" and await signoff_state(svc.db, report_id) != "pending":
        await query.answer(t("signoff_already"), show_alert=True)
        await _close_buttons(message, t("signoff_already"))
        return
    if choice == "n":
        chat_id = update.effective_chat.id if update.effective_chat else speaker.chat_id
        await await_input(
            svc.db,
            chat_id=chat_id,
            user_id=speaker.user_id or 0,
            kind="return_reason",
            ref=report_id,
            now=svc.now(),
        )
        await query.answer()
        await context.bot.send_message(
            chat_id,
            t("signoff_ask_reason", ref=_case_ref(case, multi), unit=esc(case.unit_name)),
        )
        return
    decided = await decide_signoff(
        svc.db, report_id, signed=True, by=speaker.user_id, now=svc.now()
    )
    if decided is None:
        await query.answer(t("signoff_already"), show_alert=True)
        await _close_buttons(message, t("signoff_already"))
        return
    await query.answer(t("signoff_done_short"))
    ref_ = _case_ref(case, multi)
    await _close_buttons(message, t("signoff_signed_note", who=esc(speaker.name)))
    await _tell_unit(
        svc,
        context.sender,
        case.unit_id,
        t("signoff_signed_unit", ref=ref_, title=esc(clip(case.title, 30))),
    )


async def on_awaited_answer(update: Update, context: Ctx) -> None:
    """Runs before every other handler on a text: a coordinator's answer the bot asked for (the
    reason for 退回), or a contact's request for more time written as a reply. Anything else
    goes on to the usual handlers."""
    svc = context.svc
    message = update.effective_message
    if message is None or message.text is None:
        return
    speaker = await who(update, svc)
    if speaker.coordinator and speaker.user_id is not None:
        awaited = await take_input(svc.db, chat_id=message.chat_id, user_id=speaker.user_id)
        command = message.text.split("@")[0].split()[0] if message.text.startswith("/") else ""
        # another command drops the question and is answered as usual
        if awaited is not None and command in ("", "/skip"):
            kind, ref_id = awaited
            if kind == "return_reason":
                await _return_with_reason(update, context, svc, speaker, ref_id, message.text)
                raise ApplicationHandlerStop
    if message.text.startswith("/"):
        return
    if asks_for_extension(message.text) and any(m.role == "contact" for m in speaker.memberships):
        await _extension_in_reply(update, svc, speaker, message)
        raise ApplicationHandlerStop


async def _return_with_reason(
    update: Update,
    context: Ctx,
    svc: Services,
    speaker: Who,
    report_id: int,
    text: str,
) -> None:
    t = svc.texts
    reason = "" if text.strip().split("@")[0] == "/skip" else text.strip()
    decided = await decide_signoff(
        svc.db, report_id, signed=False, by=speaker.user_id, note=reason, now=svc.now()
    )
    if decided is None:
        await answer(update, t("signoff_already"))
        return
    case = decided.case
    ref_ = _case_ref(case, await multi_plan(svc))
    shown = esc(reason) if reason else t("signoff_no_reason")
    await answer(
        update, t("signoff_returned_note", ref=ref_, unit=esc(case.unit_name), reason=shown)
    )
    await _tell_unit(
        svc, context.sender, case.unit_id, t("signoff_returned_unit", ref=ref_, reason=shown)
    )


@requires("coordinator", refusal="coordinators_only")
async def pending(update: Update, context: Ctx) -> None:
    """/pending: dones awaiting 销号, oldest first, each with its buttons; then open requests
    for more time."""
    svc = context.svc
    t = svc.texts
    cases = await pending_signoffs(svc.db)
    requests = await pending_extensions(svc.db)
    if not cases and not requests:
        await answer(update, t("pending_none"))
        return
    multi = await multi_plan(svc)
    if cases:
        await answer(update, t("pending_head", count=len(cases)))
        for case in cases[:PENDING_SHOWN]:
            await answer(
                update,
                case_text(svc, case, multi),
                buttons=[signoff_buttons(svc, case.report_id)],
                quote=False,
            )
        if len(cases) > PENDING_SHOWN:
            await answer(update, t("pending_more", count=len(cases) - PENDING_SHOWN), quote=False)
    catalog = await svc.catalog()
    for ext in requests[:PENDING_SHOWN]:
        stored = catalog.items.get(ext.item_id)
        if stored is None:
            continue
        await answer(
            update,
            _extension_text(svc, ext, stored, multi),
            buttons=[_extension_buttons(svc, ext.id)],
            quote=False,
        )


# ------------------------------------------------------------------------------ 延期


def _extension_buttons(svc: Services, ext_id: int) -> list[tuple[str, str]]:
    t = svc.texts
    return [
        (t("button_grant"), callback_data(EXTEND, ext_id, "y")),
        (t("button_refuse"), callback_data(EXTEND, ext_id, "n")),
    ]


def _extension_text(svc: Services, ext: Extension, stored: StoredItem, multi: bool) -> str:
    t = svc.texts
    return t(
        "extension_case",
        ref=ref(stored, multi),
        title=esc(clip(stored.item.title, 40)),
        unit=esc(ext.unit_name),
        who=esc(ext.requester_name or "—"),
        old=ext.old_deadline.isoformat() if ext.old_deadline else "—",
        new=ext.new_deadline.isoformat(),
        reason=esc(clip(ext.reason, 200)) or t("signoff_no_reason"),
    )


async def extend(update: Update, context: Ctx) -> None:
    """/extend N DATE REASON — a contact asks for more time on an item of their unit."""
    svc = context.svc
    t = svc.texts
    speaker = await who(update, svc)
    if not speaker.known:  # a stranger learns nothing of the plan, not even its item numbers
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await answer(update, t("welcome_unknown"))
        return
    args = list(context.args or [])
    if not args:
        await answer(update, t("extend_usage"))
        return
    catalog = await svc.catalog()
    mine = {
        i for m in speaker.memberships if m.unit_id for i in catalog.unit_items.get(m.unit_id, ())
    }
    lookup = await resolve_item(svc, args[0], preferred=mine or None)
    if lookup.item is None:
        await answer(update, lookup.error + "\n" + t("extend_usage"))
        return
    await _ask_extension(update, svc, speaker, lookup.item, " ".join(args[1:]))


async def _extension_in_reply(
    update: Update, svc: Services, speaker: Who, message: Message
) -> None:
    """ "申请延期至3月底,原因是…" as a reply to a nudge (or starting with the item number)."""
    t = svc.texts
    text = message.text or ""
    candidates: list[int] = []
    replied = message.reply_to_message
    if replied is not None:
        sent = await find_bot_message(svc.db, replied.chat_id, replied.message_id)
        if sent is not None:
            candidates = list(sent.item_ids)
    head = text.strip().split(maxsplit=1)
    catalog = await svc.catalog()
    stored: StoredItem | None = None
    if head and head[0].rstrip(".、:").lstrip("第").rstrip("项").isdigit():
        lookup = await resolve_item(svc, head[0].rstrip(".、:"))
        stored = lookup.item
        text = head[1] if len(head) > 1 else ""
    elif len(candidates) == 1:
        stored = catalog.items.get(candidates[0])
    else:
        mine = sorted(
            i
            for m in speaker.memberships
            if m.unit_id
            for i in catalog.unit_items.get(m.unit_id, set())
        )
        if len(mine) == 1:
            stored = catalog.items.get(mine[0])
    if stored is None:
        await answer(update, t("extend_which"))
        return
    await _ask_extension(update, svc, speaker, stored, text)


async def _ask_extension(
    update: Update, svc: Services, speaker: Who, stored: StoredItem, text: str
) -> None:
    t = svc.texts
    multi = await multi_plan(svc)
    item_ref = ref(stored, multi)
    membership = speaker.contact_for(
        [u for u, items in (await svc.catalog()).unit_items.items() if stored.id in items]
    )
    if membership is None or membership.unit_id is None:
        await answer(update, t("item_not_yours", item=item_ref))
        return
    if stored.item.deadline is None:
        await answer(update, t("extend_ongoing", ref=item_ref))
        return
    today = svc.now().date()
    current = await _unit_deadline(svc, stored, membership.unit_id) or stored.item.deadline
    ask = read_extension(text, after=max(current, today))
    if ask is None:
        await answer(update, t("extend_no_date") + "\n" + t("extend_usage"))
        return
    if ask.new_deadline <= current:
        await answer(
            update,
            t("extend_not_later", date=ask.new_deadline.isoformat(), current=current.isoformat()),
        )
        return
    if not ask.reason:
        await answer(update, t("extend_no_reason") + "\n" + t("extend_usage"))
        return
    ext = await request_extension(
        svc.db,
        item_id=stored.id,
        unit_id=membership.unit_id,
        contact_id=membership.id,
        requester_name=speaker.name,
        old_deadline=current,
        new_deadline=ask.new_deadline,
        phrase=ask.phrase,
        reason=ask.reason,
        now=svc.now(),
    )
    await answer(
        update,
        t("extend_sent", ref=item_ref, old=current.isoformat(), new=ask.new_deadline.isoformat()),
    )
    text_ = t("extension_head") + "\n" + _extension_text(svc, ext, stored, multi)
    await notify_coordinators(
        svc, TelegramSender(update.get_bot()), Composed([text_], [_extension_buttons(svc, ext.id)])
    )


async def _unit_deadline(svc: Services, stored: StoredItem, unit_id: int) -> date | None:
    """The unit's current deadline for the item: the latest extension granted, else the plan's."""
    granted = [
        e
        for e in await extension_history(svc.db, stored.id)
        if e.unit_id == unit_id and e.state == "granted"
    ]
    granted.sort(key=lambda e: e.decided_at or e.created_at)
    return granted[-1].new_deadline if granted else stored.item.deadline


@requires("coordinator", refusal="coordinators_only")
async def on_extension_button(update: Update, context: Ctx) -> None:
    """同意 (ex:id:y) or 不同意 (ex:id:n) pressed by a coordinator."""
    svc = context.svc
    t = svc.texts
    pressed = await _pressed(update)
    if pressed is None:
        return
    query, ext_id, choice = pressed
    speaker = await who(update, svc)
    message = query.message if isinstance(query.message, Message) else None
    if await get_extension(svc.db, ext_id) is None:
        await query.answer(t("signoff_gone"), show_alert=True)
        return
    decided = await decide_extension(
        svc.db, ext_id, grant=choice == "y", by=speaker.user_id, now=svc.now()
    )
    if decided is None:
        await query.answer(t("signoff_already"), show_alert=True)
        await _close_buttons(message, t("signoff_already"))
        return
    catalog = await svc.catalog()
    stored = catalog.items.get(decided.item_id)
    item_ref = ref(stored, catalog.multi) if stored else "?"
    old = decided.old_deadline.isoformat() if decided.old_deadline else "—"
    new = decided.new_deadline.isoformat()
    if decided.state == "granted":
        await query.answer(t("extension_granted_short"))
        await _close_buttons(message, t("extension_granted_note", who=esc(speaker.name)))
        unit_text = t("extension_granted_unit", ref=item_ref, new=new, old=old)
    else:
        await query.answer(t("extension_refused_short"))
        await _close_buttons(message, t("extension_refused_note", who=esc(speaker.name)))
        unit_text = t("extension_refused_unit", ref=item_ref, old=old)
    await _tell_unit(svc, context.sender, decided.unit_id, unit_text)

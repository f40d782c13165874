"""Progress replies: a reply to a nudge, a button press, /report, an edit, a file — and /mine.

Whatever the way in, a report is stored verbatim with what duban understood of it, and the
bot confirms in one line what it recorded, so the contact can correct it at once.

Storing a report and confirming it is handlers/progress.py; here are the ways in, how a
message is tied to its item, and /mine.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import Message, Update
from telegram.constants import ChatType

from handlers.common import (
    Who,
    answer,
    answer_query,
    confirm,
    multi_plan,
    note_stored,
    ref,
    resolve_item,
    who,
)
from handlers.context import Ctx
from handlers.progress import (
    TEXT_LIMIT,
    amend_from_reply,
    load_items,
    record_lines,
    record_progress,
    report_unit,
    status_of,
    what_recorded,
)
from handlers.sender import TelegramSender
from handlers.workflow import announce_done
from plans.followup.status import ItemState
from plans.model import Evidence, Report, Status
from plans.replies import read_progress
from render.chunks import callback_data, clip, parse_callback
from render.compose import status_buttons
from render.texts import esc
from services.core import Services
from storage import StoredItem, list_items
from storage.reports_repo import (
    amend_report,
    create_draft,
    find_bot_message,
    latest_reports,
    record_bot_message,
    reports_for_message,
    take_draft,
)

BUTTON_STATUS: dict[str, Status] = {"d": "done", "p": "in_progress", "b": "blocked"}
MAX_CHOICES = 24


async def _my_item_ids(svc: Services, speaker: Who) -> set[int]:
    return (await svc.catalog()).items_of(speaker.unit_ids)


async def _refuse_stranger(update: Update, svc: Services, speaker: Who) -> bool:
    """Strangers get a polite refusal (in private) and no plan data; True if refused."""
    if speaker.known:
        return False
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        await answer(update, svc.texts("welcome_unknown"), svc=svc)
    return True


async def report(update: Update, context: Ctx) -> None:
    """Report progress: /report <item> <text>."""
    svc = context.svc
    speaker = await who(update, svc)
    if await _refuse_stranger(update, svc, speaker):
        return
    args = context.args or []
    if len(args) < 2:
        await answer(update, svc.texts("report_usage"), svc=svc)
        return
    lookup = await resolve_item(svc, args[0], preferred=await _my_item_ids(svc, speaker))
    if lookup.item is None:
        await answer(update, [lookup.error, svc.texts("report_usage")], svc=svc)
        return
    message = update.effective_message
    text = message.text.split(None, 2)[2] if message and message.text else " ".join(args[1:])
    await record_progress(
        update, svc, speaker, lookup.item, text, source="command", message=message
    )


async def on_text(update: Update, context: Ctx) -> None:
    """A text message: a reply to a nudge or confirmation, or free text naming an item."""
    svc = context.svc
    message = update.effective_message
    if message is None or not message.text:
        return
    speaker = await who(update, svc)
    if await _refuse_stranger(update, svc, speaker):
        return
    await _route(update, svc, speaker, message, message.text, evidence=())


async def _route(
    update: Update,
    svc: Services,
    speaker: Who,
    message: Message,
    text: str,
    *,
    evidence: Sequence[Evidence],
) -> None:
    """Tie a message to its item (reply target, item number, or a question) and record it."""
    t = svc.texts
    group = message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    candidates: list[int] = []
    replied = message.reply_to_message
    sent = None
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        sent = await find_bot_message(svc.db, replied.chat_id, replied.message_id)
    elif group:
        return  # in a group, only replies to the bot are for the bot
    reading = read_progress(text[:TEXT_LIMIT], today=svc.now().date())
    if reading.acknowledgement and not evidence:
        # 收到 / 好的 / 👌 is not progress: record nothing, say how to report
        await answer(update, t("ack_hint"))
        return
    if sent is not None and sent.kind == "confirm" and sent.report_id is not None:
        await amend_from_reply(update, svc, sent.report_id, sent.item_ids, text, evidence)
        return
    if sent is not None:
        candidates = list(sent.item_ids)
    mine = await _my_item_ids(svc, speaker)
    if "\n" in text.strip() and not evidence:
        # "3 完成60%" / "4 已完成" on lines of their own: one report per line
        lines = await _item_lines(svc, text, preferred=set(candidates) or mine)
        if lines:
            await record_lines(update, svc, speaker, lines, message=message)
            return
    if reading.several_items:
        # "第24项 第999项完成": one reply naming two items is not silently one item's report
        named: list[int] = []
        for item_ref in reading.item_refs:
            found = await resolve_item(svc, item_ref, preferred=set(candidates) or mine)
            if found.item is not None and found.item.id not in named:
                named.append(found.item.id)
        await _ask_which(update, svc, speaker, message, text, named or sorted(mine))
        return
    if reading.item_refs:
        lookup = await resolve_item(svc, reading.item_refs[0], preferred=set(candidates) or mine)
        if lookup.item is None:
            await answer(update, lookup.error, svc=svc)
            return
        await record_progress(
            update,
            svc,
            speaker,
            lookup.item,
            text,  # stored as sent
            source="reply",
            message=message,
            evidence=evidence,
        )
        return
    if len(candidates) == 1:
        items = await load_items(svc, candidates)
        if candidates[0] in items:
            await record_progress(
                update,
                svc,
                speaker,
                items[candidates[0]],
                text,
                source="reply",
                message=message,
                evidence=evidence,
            )
            return
    if evidence:
        await answer(update, t("file_needs_item"), svc=svc)
        return
    await _ask_which(update, svc, speaker, message, text, candidates or sorted(mine))


async def _ask_which(
    update: Update, svc: Services, speaker: Who, message: Message, text: str, item_ids: list[int]
) -> None:
    """Keep the text as a draft and ask which item it is about, with a button per item."""
    t = svc.texts
    if not item_ids:
        if speaker.coordinator and not speaker.unit_ids:
            await answer(update, t("help_coordinator"), svc=svc)
        else:
            await answer(update, t("which_item_none"), svc=svc)
        return
    draft_id = await create_draft(
        svc.db,
        chat_id=message.chat_id,
        user_id=speaker.user_id,
        message_id=message.message_id,
        text=text[:TEXT_LIMIT],
    )
    items = await load_items(svc, item_ids[:MAX_CHOICES])
    multi = await multi_plan(svc)
    buttons = [
        [(f"{ref(s, multi)}. {clip(s.item.title, 24)}", callback_data("i", draft_id, s.id))]
        for s in items.values()
        if s.item is not None
    ]
    sent = await answer(update, t("which_item"), buttons=buttons, svc=svc)
    for m in sent:
        await record_bot_message(
            svc.db, chat_id=m.chat_id, message_id=m.message_id, kind="ask", item_ids=list(items)
        )


async def on_edit(update: Update, context: Ctx) -> None:
    """An edited message updates the report it carried (the old version is kept); a reply that
    answered several items a line each updates each report with its own line."""
    svc = context.svc
    message = update.edited_message
    if message is None or not message.text:
        return
    speaker = await who(update, svc)
    if not speaker.known:
        return
    olds = await reports_for_message(svc.db, message.chat_id, message.message_id)
    if not olds:
        return  # the original was not a report (a question, a draft): nothing to update
    edited = message.text
    if edited.startswith("/"):  # an edited "/report 16 …": the report is what follows the item
        parts = edited.split(None, 2)
        edited = parts[2] if len(parts) == 3 else ""
    if len(olds) == 1:
        texts = {olds[0].item_id: edited}
    else:
        lines = await _item_lines(svc, edited, preferred={o.item_id for o in olds})
        texts = {item.id: line for item, line in lines}
    items = await load_items(svc, list(texts))
    updated = [
        await _amend(update, svc, old, items[old.item_id], texts[old.item_id])
        for old in olds
        if old.item_id in texts and old.item_id in items
    ]
    if updated:
        what = ", ".join(f"report {o.id}" for o in olds)
        await confirm(update, svc, "\n".join(updated), what=f"edit of {what}")


async def _amend(update: Update, svc: Services, old: Report, stored: StoredItem, text: str) -> str:
    """Store the new version of `old` read from `text`; the line that says so."""
    now = svc.now()
    reading = read_progress(text[:TEXT_LIMIT], targets=stored.item.targets, today=now.date())
    status = status_of(reading, None) if reading.understood else old.status
    new = await amend_report(
        svc.db,
        old.id,
        now=now,
        signoff_on=svc.settings.signoff,
        text=(reading.text if reading.item_refs else text)[:TEXT_LIMIT],
        status=status,
        percent=reading.percent
        if reading.percent is not None
        else (100.0 if status == "done" else None),
        expected_date=reading.expected_date,
        value=reading.value,
        measure=reading.measure,
        source="edit",
    )
    note_stored(update)
    if new.signoff == "pending" and old.signoff != "pending":
        await announce_done(svc, TelegramSender(update.get_bot()), new.id)
    return svc.texts(
        "updated",
        item=ref(stored, await multi_plan(svc)),
        title=esc(clip(stored.item.title, 30)),
        what=what_recorded(svc, reading, new.status),
    )


async def on_file(update: Update, context: Ctx) -> None:
    """A photo or document sent as a reply is kept as evidence on the report."""
    svc = context.svc
    message = update.effective_message
    if message is None:
        return
    speaker = await who(update, svc)
    if await _refuse_stranger(update, svc, speaker):
        return
    evidence: Evidence
    if message.document is not None:
        d = message.document
        evidence = Evidence(
            kind="document",
            file_id=d.file_id,
            file_unique_id=d.file_unique_id,
            file_name=d.file_name or "",
            mime_type=d.mime_type or "",
            file_size=d.file_size,
        )
    elif message.photo:
        p = message.photo[-1]  # the largest size
        evidence = Evidence(
            kind="photo", file_id=p.file_id, file_unique_id=p.file_unique_id, file_size=p.file_size
        )
    else:
        return
    await _route(update, svc, speaker, message, message.caption or "", evidence=(evidence,))


async def _item_lines(
    svc: Services, text: str, *, preferred: set[int]
) -> list[tuple[StoredItem, str]]:
    """A reply of two or more lines, each naming one item of its own ("3 完成60%" / "4 已完成"):
    the items with their lines; empty when any line names none, several or an unknown item."""
    lines = [line.strip() for line in text[:TEXT_LIMIT].splitlines() if line.strip()]
    if len(lines) < 2:
        return []
    today = svc.now().date()
    out: list[tuple[StoredItem, str]] = []
    for line in lines:
        reading = read_progress(line, today=today)
        if reading.several_items or len(reading.item_refs) != 1:
            return []
        found = await resolve_item(svc, reading.item_refs[0], preferred=preferred)
        if found.item is None or any(found.item.id == s.id for s, _ in out):
            return []
        out.append((found.item, line))
    return out


async def on_not_text(update: Update, context: Ctx) -> None:
    """A voice message, video, sticker or location: duban reads text (and keeps photos and files
    as evidence). In a private chat, or in reply to one of duban's messages, it says so in one
    line; anything else said in a group is the group's business."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    replied = message.reply_to_message
    to_bot = (
        replied is not None
        and replied.from_user is not None
        and replied.from_user.id == context.bot.id
    )
    if chat.type == "private" or to_bot:
        await answer(update, context.svc.texts("not_text"), svc=context.svc)


async def on_button(update: Update, context: Ctx) -> None:
    """A status button under a nudge (r:item:d|p|b) or an item choice for a draft (i:draft:item)."""
    svc = context.svc
    t = svc.texts
    query = update.callback_query
    if query is None or not query.data:
        return
    speaker = await who(update, svc)
    parsed = parse_callback(query.data)
    if parsed is None:
        await answer_query(query)
        return
    kind, first, second = parsed
    if not speaker.known:
        await answer_query(query, t("refused"), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    if kind == "r" and second in BUTTON_STATUS:
        items = await load_items(svc, [first])
        stored = items.get(first)
        if stored is None or await report_unit(svc, speaker, stored) is None:
            await answer_query(query, t("not_member_button"), show_alert=True)
            return
        await answer_query(query, t("button_ok"))
        await record_progress(
            update,
            svc,
            speaker,
            stored,
            "",
            source="button",
            message=None,
            status=BUTTON_STATUS[second],
        )
        return
    if kind == "i" and second.isdigit():
        draft = await take_draft(
            svc.db, first, chat_id=query.message.chat.id if query.message else 0, now=svc.now()
        )
        if draft is None:
            await answer_query(query, t("draft_gone"))
            return
        items = await load_items(svc, [int(second)])
        stored = items.get(int(second))
        if stored is None:
            await answer_query(query, t("draft_gone"))
            return
        await answer_query(query, t("button_ok"))
        await record_progress(
            update, svc, speaker, stored, draft.text, source="reply", message=message
        )
        return
    await answer_query(query)


async def mine(update: Update, context: Ctx) -> None:
    """The contact's items with light, last report and next deadline."""
    svc = context.svc
    t = svc.texts
    speaker = await who(update, svc)
    if await _refuse_stranger(update, svc, speaker):
        return
    units = [m for m in speaker.memberships if m.role == "contact" and m.unit_id]
    if not units:
        await answer(update, t("mine_none"), svc=svc)
        return
    today = svc.now().date()
    multi = await multi_plan(svc)
    snap = await svc.snapshots.snapshot(svc.db, svc.tz, today)
    states = {state.record.item_id: state for state in snap.items}
    lines: list[str] = []
    for membership in units:
        assert membership.unit_name is not None and membership.unit_id is not None
        items = await list_items(svc.db, unit=membership.unit_name)
        reports = await latest_reports(svc.db, [s.id for s in items])
        lines.append(t("mine_head", unit=esc(membership.unit_name), count=len(items)))
        for s in items:
            last = reports.get((s.id, membership.unit_id))
            lines.append(_mine_line(svc, s, last, today, multi, states.get(s.id)))
    buttons = []
    for membership in units:
        items = await list_items(svc.db, unit=membership.unit_name)
        buttons += [status_buttons(t, s.id, ref(s, multi)) for s in items[:10]]
    await answer(update, lines, buttons=buttons[:30], svc=svc)


def _mine_line(
    svc: Services,
    s: StoredItem,
    last: Report | None,
    today: date,
    multi: bool,
    state: ItemState | None,
) -> str:
    """One item of /mine: its light and deadline as /status shows them (the snapshot's: one
    light rule), the next dated step, and the unit's own last report."""
    t = svc.texts
    item = s.item
    colour = state.light if state is not None else None
    deadline = state.deadline if state is not None else item.deadline
    dot = {"green": "🟢", "yellow": "🟡", "red": "🔴", None: "⚪"}[colour]
    upcoming = [
        m.date
        for m in item.milestones
        if m.date >= today and (deadline is None or m.date < deadline)
    ]
    milestone = t("next_milestone", date=upcoming[0].isoformat()) if upcoming else ""
    if last is None:
        progress = t("mine_never")
    else:
        percent = f"{last.percent:.0f}% " if last.percent is not None else ""
        progress = t(
            "mine_last",
            status=t(f"status_{last.status}"),
            percent=percent,
            when=last.created_at.astimezone(svc.tz).strftime("%m-%d"),
        )
    return t(
        "mine_line",
        light=dot,
        ref=ref(s, multi),
        title=esc(clip(item.title, 30)),
        deadline=deadline.isoformat() if deadline else item.deadline_text,
        milestone=milestone,
        progress=progress,
    )

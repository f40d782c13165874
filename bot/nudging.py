"""One nudge pass: clock tick → what is due (storage + schedule) → one message per unit → record.

Used by the scheduled job of `duban run` and by `duban send-due [--at]`. The database decides
what is due and remembers what was sent, so passes can run as often as wanted: a second pass
on the same day sends nothing new, and a pass after downtime sends one catch-up per unit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.services import Services
from plans.compose import Composed, EscalationLine, NudgeLine, compose_escalation, compose_nudge
from plans.model import Contact
from plans.schedule import ItemWatch, SentNudge, due_nudges, escalations, may_send_now
from plans.texts import esc
from storage.nudges_repo import (
    DueRow,
    WatchRow,
    mark_sent,
    pending_nudges,
    record_due,
    record_escalation,
    sent_history,
    skip_nudges,
    watch_rows,
)
from storage.people_repo import contacts_by_role, deactivate_chat, unit_contacts

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
RETRY_PAUSE = 0.5  # seconds, times the attempt number
_URGENCY = {"overdue": 0, "upcoming": 1, "cycle": 2}


@dataclass
class PassReport:
    """What a pass did, for the CLI's output and the logs."""

    at: datetime
    ran: bool = True
    reason: str = ""
    recorded: int = 0
    units_sent: int = 0
    messages_sent: int = 0
    waiting_units: list[str] = field(default_factory=list)  # due, but no contact yet
    unreachable: list[str] = field(default_factory=list)  # chats that blocked us or vanished
    failed: list[str] = field(default_factory=list)  # chats that failed for other reasons
    escalations: int = 0

    def summary(self) -> str:
        if not self.ran:
            return f"{self.at:%Y-%m-%d %H:%M %Z}: no pass — {self.reason}"
        parts = [
            f"{self.at:%Y-%m-%d %H:%M %Z}: {self.recorded} nudges newly due",
            f"{self.messages_sent} messages to {self.units_sent} units",
        ]
        if self.waiting_units:
            parts.append(f"{len(self.waiting_units)} units have no contact yet")
        if self.unreachable:
            parts.append(f"unreachable: {', '.join(self.unreachable)}")
        if self.failed:
            parts.append(f"failed: {', '.join(self.failed)}")
        if self.escalations:
            parts.append(f"{self.escalations} escalations")
        return "; ".join(parts)


def _watch(row: WatchRow, svc: Services) -> ItemWatch:
    return ItemWatch(
        unit_id=row.unit_id,
        item_id=row.item_id,
        deadline=row.deadline,
        milestones=row.milestones,
        done=row.status == "done",
        last_report_on=row.last_report_at.astimezone(svc.tz).date() if row.last_report_at else None,
        active_from=row.active_from.astimezone(svc.tz).date(),
    )


def ref_of(plan_id: int, seq: int, multi: bool) -> str:
    return f"{plan_id}-{seq}" if multi else str(seq)


async def run_nudge_pass(
    svc: Services, bot: Bot, *, now: datetime, check_hours: bool = True
) -> PassReport:
    """Record what is due at `now`, send each unit one message, escalate what needs it."""
    now = now.astimezone(svc.tz)
    report = PassReport(at=now)
    if check_hours and not may_send_now(now, svc.policy):
        report.ran = False
        report.reason = "not a working day or outside sending hours"
        return report
    today = now.date()
    rows = await watch_rows(svc.db)
    watches = [_watch(r, svc) for r in rows]
    due = due_nudges(watches, today, svc.policy)
    report.recorded = await record_due(
        svc.db,
        [DueRow(d.unit_id, d.item_id, d.kind, d.due_on, d.about) for d in due],
        now=now,
    )

    by_pair = {(r.unit_id, r.item_id): r for r in rows}
    multi = (await svc.catalog()).multi
    pending = await pending_nudges(svc.db)
    stale: list[int] = []
    semaphore = asyncio.Semaphore(svc.settings.send_concurrency)
    jobs = []
    # Every unit's chats in one query, not one per unit: a pass may cover thousands of units.
    by_unit: dict[int, list[Contact]] = {}
    for contact in await contacts_by_role(svc.db, ("contact",)):
        if contact.unit_id is not None:
            by_unit.setdefault(contact.unit_id, []).append(contact)
    for unit_id, nudges in pending.items():
        lines: list[NudgeLine] = []
        ids: list[int] = []
        # One line per item: the most urgent of its pending nudges speaks for all of them.
        nudges = sorted(nudges, key=lambda n: (n.item_id or 0, _URGENCY.get(n.kind, 9)))
        seen: set[int] = set()
        for n in nudges:
            row = by_pair.get((unit_id, n.item_id or 0))
            if row is None or row.status == "done":
                stale.append(n.id)  # done or removed since it was recorded
                continue
            ids.append(n.id)
            if row.item_id in seen:
                continue
            seen.add(row.item_id)
            days_left = (n.about - today).days if n.about else None
            lines.append(
                NudgeLine(
                    item_id=row.item_id,
                    ref=ref_of(row.plan_id, row.seq, multi),
                    title=row.title,
                    kind=n.kind,
                    about=n.about,
                    deadline=row.deadline,
                    days_left=days_left,
                    milestone=n.about is not None and n.about != row.deadline,
                )
            )
        if lines:
            unit_name = by_pair[(unit_id, lines[0].item_id)].unit_name
            jobs.append(
                _send_unit(
                    svc,
                    bot,
                    semaphore,
                    unit_name,
                    lines,
                    ids,
                    now,
                    report,
                    unit_id=unit_id,
                    contacts=by_unit.get(unit_id, []),
                )
            )
    if stale:
        await skip_nudges(svc.db, stale)
    await asyncio.gather(*jobs)
    await _escalate(svc, bot, watches, rows, today, now, report, multi)
    log.info("nudge pass: %s", report.summary())
    return report


async def _send_unit(
    svc: Services,
    bot: Bot,
    semaphore: asyncio.Semaphore,
    unit_name: str,
    lines: list[NudgeLine],
    nudge_ids: list[int],
    now: datetime,
    report: PassReport,
    *,
    unit_id: int,
    contacts: list[Contact],
) -> None:
    if not contacts:
        report.waiting_units.append(unit_name)  # stays pending: a later contact gets it
        return
    composed = compose_nudge(svc.texts, unit_name, lines)
    sent: list[tuple[int, int]] = []
    async with semaphore:
        for contact in contacts:
            messages = await deliver(svc, bot, contact, composed, report, unit_name=unit_name)
            sent.extend((m.chat_id, m.message_id) for m in messages)
    if sent:
        await mark_sent(
            svc.db,
            unit_id=unit_id,
            nudge_ids=nudge_ids,
            messages=sent,
            item_ids=[line.item_id for line in lines],
            now=now,
        )
        report.units_sent += 1
        report.messages_sent += len(sent)


def keyboard(composed: Composed) -> InlineKeyboardMarkup | None:
    if not composed.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in composed.buttons
        ]
    )


async def deliver(
    svc: Services,
    bot: Bot,
    contact: Contact,
    composed: Composed,
    report: PassReport | None = None,
    *,
    unit_name: str | None = None,
) -> list[Message]:
    """Send a composed message to one chat, retrying network faults and 429s.

    A chat that blocked the bot (403) or no longer exists (400 chat not found) is marked
    inactive, and the coordinators hear when a unit has no reachable contact left.
    """
    out: list[Message] = []
    markup = keyboard(composed)
    for k, chunk in enumerate(composed.chunks):
        last = k == len(composed.chunks) - 1
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                out.append(
                    await bot.send_message(
                        contact.chat_id,
                        chunk,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup if last else None,
                        disable_web_page_preview=True,
                    )
                )
                break
            except RetryAfter as e:  # the rate limiter's own retries ran out
                if attempt == SEND_ATTEMPTS:
                    _failed(report, contact, "429")
                    return out
                await asyncio.sleep(_seconds(e.retry_after))
            except Forbidden:
                await _unreachable(svc, bot, contact, report, unit_name)
                return out
            except BadRequest as e:
                if "chat not found" in e.message.lower():
                    await _unreachable(svc, bot, contact, report, unit_name)
                else:
                    log.warning("chat %s refused a message: %s", contact.chat_id, e.message)
                    _failed(report, contact, e.message)
                return out
            except (NetworkError, TelegramError) as e:
                # Timeouts, dropped connections and 5xx answers pass; try again a little later.
                if attempt == SEND_ATTEMPTS:
                    _failed(report, contact, e.message)
                    return out
                await asyncio.sleep(RETRY_PAUSE * attempt)
    return out


def _seconds(retry_after: object) -> float:
    seconds = getattr(retry_after, "total_seconds", None)
    return float(seconds()) if callable(seconds) else float(retry_after)  # type: ignore[arg-type]


def _failed(report: PassReport | None, contact: Contact, why: str) -> None:
    log.warning("could not reach chat %s: %s", contact.chat_id, why)
    if report is not None:
        report.failed.append(f"{contact.chat_id} ({why})")


async def _unreachable(
    svc: Services,
    bot: Bot,
    contact: Contact,
    report: PassReport | None,
    unit_name: str | None,
) -> None:
    lost = await deactivate_chat(svc.db, contact.chat_id, now=svc.now())
    who = contact.display_name or str(contact.chat_id)
    if report is not None:
        report.unreachable.append(who)
    for membership in lost:
        if membership.unit_id is None or await unit_contacts(svc.db, membership.unit_id):
            continue
        text = svc.texts(
            "unreachable",
            unit=esc(membership.unit_name or unit_name or ""),
            who=esc(who),
        )
        await notify_coordinators(svc, bot, Composed([text]))


async def notify_coordinators(svc: Services, bot: Bot, composed: Composed) -> int:
    """Send a message to every coordinator and admin chat; how many got it."""
    reached = 0
    for contact in await contacts_by_role(svc.db, ("admin", "coordinator")):
        if await deliver(svc, bot, contact, composed):
            reached += 1
    return reached


async def _escalate(
    svc: Services,
    bot: Bot,
    watches: Sequence[ItemWatch],
    rows: Sequence[WatchRow],
    today: date,
    now: datetime,
    report: PassReport,
    multi: bool,
) -> None:
    history = [
        SentNudge(s.unit_id, s.item_id, s.kind, s.sent_at.astimezone(svc.tz).date())
        for s in await sent_history(svc.db)
    ]
    found = escalations(history, watches, today, svc.policy)
    if not found:
        return
    by_pair = {(r.unit_id, r.item_id): r for r in rows}
    names = {r.unit_id: r.unit_name for r in rows}
    lines: list[EscalationLine] = []
    for e in found:
        fresh = await record_escalation(
            svc.db, unit_id=e.unit_id, item_id=e.item_id, reason=e.reason, day=e.due_on, now=now
        )
        if not fresh:
            continue
        row = by_pair.get((e.unit_id, e.item_id or 0))
        lines.append(
            EscalationLine(
                unit_name=names.get(e.unit_id, str(e.unit_id)),
                reason=e.reason,
                count=e.count,
                ref=ref_of(row.plan_id, row.seq, multi) if row else "",
                title=row.title if row else "",
            )
        )
    if lines:
        await notify_coordinators(svc, bot, compose_escalation(svc.texts, lines))
        report.escalations += len(lines)

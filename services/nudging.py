"""One nudge pass: clock tick → what is due (storage + schedule) → one message per unit → record.

Used by the scheduled job of `duban run` and by `duban send-due [--at]`. The database decides
what is due and remembers what was sent, so passes can run as often as wanted: a second pass
on the same day sends nothing new, and a pass after downtime sends one catch-up per unit. Two
passes at once never both send a unit its message: a pass claims the units' nudges before it
sends, and writes down before and after each request what it did (storage/nudges_repo.py), so
a pass killed mid-way repeats, once its lease runs out, only the messages that were in flight.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from plans.followup.schedule import ItemWatch, SentNudge, due_nudges, escalations, may_send_now
from plans.model import Contact
from render.compose import Composed, EscalationLine, NudgeLine, compose_escalation, compose_nudge
from services.core import Services
from services.delivery import deliver, notify_coordinators
from services.log_events import log_nudge_pass
from services.sending import Sender, Sent
from storage.nudges_repo import (
    ClaimEnd,
    DueRow,
    PendingNudge,
    UnitClaim,
    WatchRow,
    claim_units,
    claimer_name,
    end_claims,
    mark_chunk_sent,
    mark_sending,
    mark_stopped,
    pending_nudges,
    record_due,
    record_escalation,
    sent_history,
    skip_nudges,
    watch_rows,
)
from storage.people_repo import contacts_by_role

log = logging.getLogger(__name__)

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
    claimed: int = 0  # units this pass claimed (and so sent to, unless every chat failed)
    busy: int = 0  # units another pass was sending to: left to it
    uncertain: int = 0  # chats an earlier pass left mid-request (a crash, or a send that gave up)
    resent: int = 0  # of those, chats sent the message again (at-least-once)
    migrated: list[str] = field(default_factory=list)  # groups now supergroups: moved

    def summary(self) -> str:
        if not self.ran:
            return f"{self.at:%Y-%m-%d %H:%M %Z}: no pass — {self.reason}"
        parts = [
            f"{self.at:%Y-%m-%d %H:%M %Z}: {self.recorded} nudges newly due",
            f"{self.messages_sent} messages to {self.units_sent} units",
            f"{self.claimed} units claimed",
        ]
        if self.busy:
            parts.append(f"{self.busy} units left to another pass sending them")
        if self.uncertain or self.resent:
            parts.append(
                f"{self.uncertain} chats left mid-request by an earlier pass (a crash or a send"
                f" that gave up), {self.resent} resent"
            )
        if self.migrated:
            parts.append(f"moved to a supergroup: {', '.join(self.migrated)}")
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
        done=row.done,
        last_report_on=row.last_report_at.astimezone(svc.tz).date() if row.last_report_at else None,
        active_from=row.active_from.astimezone(svc.tz).date(),
    )


def ref_of(plan_id: int, seq: int, multi: bool) -> str:
    return f"{plan_id}-{seq}" if multi else str(seq)


async def run_nudge_pass(
    svc: Services, sender: Sender, *, now: datetime, check_hours: bool = True
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
    units: list[_UnitNudges] = []
    for unit_id, nudges in pending.items():
        live: list[tuple[PendingNudge, WatchRow]] = []
        for n in nudges:
            row = by_pair.get((unit_id, n.item_id or 0))
            if row is None or row.done:
                stale.append(n.id)  # done or removed since it was recorded
                continue
            live.append((n, row))
        if not live:
            continue
        if not by_unit.get(unit_id):
            report.waiting_units.append(live[0][1].unit_name)  # a later contact gets them
            continue
        units.append(_UnitNudges(unit_id, live[0][1].unit_name, live, today, multi))
    if stale:
        await skip_nudges(svc.db, stale)
    # One claim for the pass: of two passes at once, each unit goes to one of them.
    claims = await claim_units(
        svc.db,
        {u.unit_id: [n.id for n, _ in u.nudges] for u in units},
        owner=claimer_name(),
        now=_wall(),
        lease=svc.settings.claim_lease,
    )
    report.claimed = len(claims)
    report.busy = len(units) - len(claims)  # another pass has them (or sent them meanwhile)
    progress = {unit: _UnitProgress(svc, claim, now) for unit, claim in claims.items()}
    for u in units:
        if u.unit_id in claims:
            contacts = by_unit[u.unit_id]
            jobs.append(
                _send_unit(svc, sender, semaphore, u, progress[u.unit_id], report, contacts)
            )
    try:
        await asyncio.gather(*jobs)
    finally:
        # Also when cancelled (SIGTERM): what arrived becomes sent, the rest is released.
        # A crash before this loses nothing: the deliveries say what arrived.
        await end_claims(svc.db, [(p.claim, p.end()) for p in progress.values()], now=now)
    await _escalate(svc, sender, watches, rows, today, now, report, multi)
    log_nudge_pass(report)
    return report


@dataclass(frozen=True)
class _UnitNudges:
    """A unit's live pending nudges, with what composing its message needs."""

    unit_id: int
    unit_name: str
    nudges: list[tuple[PendingNudge, WatchRow]]
    today: date
    multi: bool

    def lines(self, nudge_ids: set[int]) -> list[NudgeLine]:
        """One line per item: the most urgent of its pending nudges speaks for all of them."""
        chosen = sorted(
            (pair for pair in self.nudges if pair[0].id in nudge_ids),
            key=lambda pair: (pair[0].item_id or 0, _URGENCY.get(pair[0].kind, 9)),
        )
        lines: list[NudgeLine] = []
        seen: set[int] = set()
        for n, row in chosen:
            if row.item_id in seen:
                continue
            seen.add(row.item_id)
            lines.append(
                NudgeLine(
                    item_id=row.item_id,
                    ref=ref_of(row.plan_id, row.seq, self.multi),
                    title=row.title,
                    kind=n.kind,
                    about=n.about,
                    deadline=row.deadline,
                    days_left=(n.about - self.today).days if n.about else None,
                    milestone=n.about is not None and n.about != row.deadline,
                )
            )
        return lines


def _wall() -> datetime:
    """The real time, for leases: they are about processes alive now, not a replayed date."""
    return datetime.now(UTC)


async def _send_unit(
    svc: Services,
    sender: Sender,
    semaphore: asyncio.Semaphore,
    unit: _UnitNudges,
    progress: _UnitProgress,
    report: PassReport,
    contacts: list[Contact],
) -> None:
    """Send the unit's chats the message they lack about its claimed nudges."""
    messages = 0
    async with semaphore:
        for contact in contacts:
            messages += await _send_to_chat(svc, sender, unit, progress, contact, report)
    if messages:
        report.units_sent += 1
        report.messages_sent += messages


class _UnitProgress:
    """What a claimed unit's chats got so far, to end its claim with."""

    def __init__(self, svc: Services, claim: UnitClaim, now: datetime) -> None:
        self.svc = svc
        self.claim = claim
        self.now = now
        self.renewed = claim.claimed_at  # the lease runs from here
        self.chats: set[int] = set()
        self.arrived: set[int] = set()
        self.first: tuple[int, int | None] | None = None
        for (nudge, chat), got in claim.deliveries.items():
            if got.state == "sent":  # before a crash
                self.chats.add(chat)
                self.arrived.add(nudge)
                self.first = self.first or (chat, got.first_message)

    def end(self) -> ClaimEnd:
        chat, message = self.first or (None, None)
        return ClaimEnd(sorted(self.arrived), chat, message, len(self.chats))


async def _send_to_chat(
    svc: Services,
    sender: Sender,
    unit: _UnitNudges,
    progress: _UnitProgress,
    contact: Contact,
    report: PassReport,
) -> int:
    """Send one chat the unit's message about the claimed nudges it has not received; how many
    messages went out. After a crash: nothing if it got them, the rest of a long message if
    part of it arrived, and again what was in flight (it may or may not have arrived)."""
    claim = progress.claim
    chat = contact.chat_id
    earlier = {n: claim.deliveries.get((n, chat)) for n in claim.nudge_ids}
    todo = [n for n, got in earlier.items() if got is None or got.state != "sent"]
    if not todo:
        return 0  # it arrived before a crash
    lines = unit.lines(set(todo))
    composed = compose_nudge(svc.texts, unit.unit_name, lines)
    fingerprint = _fingerprint(composed)
    left = [earlier[n] for n in todo]
    uncertain = any(got is not None and got.state == "sending" for got in left)
    first = 0
    if all(got is not None and got.fingerprint == fingerprint for got in left):
        first = min(got.chunks_done for got in left if got is not None)  # resume the message
    if uncertain:
        report.uncertain += 1
    chat_progress = _NudgeProgress(progress, todo, fingerprint, [line.item_id for line in lines])
    messages = await deliver(
        svc, sender, contact, composed, report, unit_name=unit.unit_name,
        first_chunk=first, progress=chat_progress,
    )  # fmt: skip
    if uncertain and chat_progress.requests:
        report.resent += 1
    return len(messages)


def _fingerprint(composed: Composed) -> str:
    data = json.dumps([composed.chunks, composed.buttons], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


class _NudgeProgress:
    """Progress of a unit's message to one chat, written down as it happens: `sending` before
    each request, `sent` after."""

    def __init__(
        self, unit: _UnitProgress, nudge_ids: list[int], fingerprint: str, item_ids: list[int]
    ) -> None:
        self.unit = unit
        self.nudge_ids = nudge_ids
        self.fingerprint = fingerprint
        self.item_ids = item_ids
        self.requests = 0

    async def before(self, chat_id: int, chunk: int) -> bool:
        unit = self.unit
        now = _wall()
        # Renewed when half the lease is gone: it cannot run out before the request.
        renew = (now - unit.renewed).total_seconds() > unit.svc.settings.claim_lease / 2
        held = await mark_sending(
            unit.svc.db, unit.claim, chat_id=chat_id, nudge_ids=self.nudge_ids,
            fingerprint=self.fingerprint, chunk=chunk, now=now, renew=renew,
        )  # fmt: skip
        if not held:
            log.warning("unit %s: another pass took the nudges over", unit.claim.unit_id)
            return False
        if renew:
            unit.renewed = now
        self.requests += 1
        return True

    async def sent(self, chat_id: int, chunk: int, last: bool, message: Sent) -> None:
        unit = self.unit
        await mark_chunk_sent(
            unit.svc.db, unit.claim, chat_id=chat_id, nudge_ids=self.nudge_ids, chunk=chunk,
            last=last, message_id=message.message_id, item_ids=self.item_ids, now=unit.now,
        )  # fmt: skip
        unit.first = unit.first or (chat_id, message.message_id)
        if last:
            unit.chats.add(chat_id)
            unit.arrived.update(self.nudge_ids)

    async def refused(self, chat_id: int, chunk: int) -> None:
        await mark_stopped(
            self.unit.svc.db, chat_id=chat_id, nudge_ids=self.nudge_ids, now=self.unit.now
        )


async def _escalate(
    svc: Services,
    sender: Sender,
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
        await notify_coordinators(svc, sender, compose_escalation(svc.texts, lines))
        report.escalations += len(lines)

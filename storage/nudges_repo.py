"""Nudges (催办): what is due, what was sent, to whom — the database is the source of truth.

A pass records every due nudge as `pending` (one row per unit, item, kind and day, so running a
pass twice adds nothing). Then, unit by unit, it claims the unit's pending nudges: one guarded
UPDATE takes all of them or none, so two passes at once (the bot's scheduler and a cron
`duban send-due`) never both send a unit its message. For each of the unit's chats it notes in
`nudge_deliveries` that the message is `sending` (with the chunks already delivered) just before
each HTTP request, and `sent` — together with the message, for replies to find — right after.
When the unit's chats are done, the nudges that reached a chat become `sent` and the claim ends;
the rest are released to a later pass.

A claim is a lease (`claimed_at`, renewed before every request): when the claimer dies, the
first pass after the lease runs out takes the nudges over. It skips the chats that have the
message, resumes a long message after its delivered chunks, and sends again to the chats left
`sending` — their request was in flight at the crash and may or may not have arrived. So a crash
loses nothing and repeats at most the messages that were in flight (at-least-once).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage.db import Database, parse_timestamp, utc_timestamp
from storage.reports_repo import BOT_MESSAGE_SQL, bot_message_row


@dataclass(frozen=True)
class WatchRow:
    """One (unit, item) pair under follow-up, with what the schedule needs to know of it."""

    unit_id: int
    unit_name: str
    item_id: int
    plan_id: int
    seq: int
    title: str
    deadline: date | None  # None for ongoing work (持续推进)
    milestones: tuple[date, ...]
    status: str | None  # of the unit's latest report on the item
    percent: float | None
    last_report_at: datetime | None
    active_from: datetime  # plan year start for the plan's own units; else the /assign time
    signoff: str | None = None  # of that report: pending, signed, returned (销号)

    @property
    def done(self) -> bool:
        """Nothing to chase: done and not sent back (awaiting 销号 or signed off)."""
        return self.status == "done" and self.signoff != "returned"


@dataclass(frozen=True)
class DueRow:
    """A nudge to record: the schedule's DueNudge in storage terms."""

    unit_id: int
    item_id: int
    kind: str
    due_on: date
    about: date | None


@dataclass(frozen=True)
class PendingNudge:
    """A recorded nudge not yet sent."""

    id: int
    unit_id: int
    item_id: int | None
    kind: str
    due_on: date
    about: date | None


@dataclass(frozen=True)
class SentRow:
    """A nudge that went out, for escalation rules."""

    unit_id: int
    item_id: int | None
    kind: str
    due_on: date
    sent_at: datetime


async def watch_rows(db: Database, unit_id: int | None = None) -> list[WatchRow]:
    """Every live item of an active plan with each unit responsible for it."""
    where = "i.removed_at IS NULL AND p.active = 1"
    params: tuple[object, ...] = ()
    if unit_id is not None:
        where += " AND iu.unit_id = ?"
        params = (unit_id,)
    async with db.snapshot() as conn:
        rows = list(
            await conn.execute_fetchall(
                f"""
                SELECT iu.unit_id, u.name AS unit_name, i.id AS item_id, i.plan_id, i.seq,
                       i.title,
                       -- 延期: a unit granted more time is due on its new date
                       coalesce((SELECT e.new_deadline FROM extensions e
                                 WHERE e.item_id = i.id AND e.unit_id = iu.unit_id
                                   AND e.state = 'granted' AND i.deadline IS NOT NULL
                                 ORDER BY e.decided_at DESC, e.id DESC LIMIT 1),
                                i.deadline) AS deadline,
                       -- the plan's own items are watched from the start of the plan year, so
                       -- an item already overdue at import is chased; an /assign from then on
                       coalesce(iu.assigned_at, printf('%04d-01-01T12:00:00Z', p.year))
                           AS active_from,
                       (SELECT json_group_array(m.date) FROM milestones m
                         WHERE m.item_id = i.id) AS milestones,
                       r.status, r.percent, r.created_at AS reported_at, r.signoff
                FROM item_units iu
                JOIN items i ON i.id = iu.item_id
                JOIN plans p ON p.id = i.plan_id
                JOIN units u ON u.id = iu.unit_id
                LEFT JOIN reports r ON r.id = (
                    SELECT r2.id FROM reports r2
                    WHERE r2.item_id = i.id AND r2.unit_id = iu.unit_id
                      AND r2.superseded_by IS NULL
                    ORDER BY r2.created_at DESC, r2.id DESC LIMIT 1)
                WHERE {where}
                ORDER BY iu.unit_id, i.plan_id, i.seq
                """,
                params,
            )
        )
    return [
        WatchRow(
            unit_id=r["unit_id"],
            unit_name=r["unit_name"],
            item_id=r["item_id"],
            plan_id=r["plan_id"],
            seq=r["seq"],
            title=r["title"],
            deadline=date.fromisoformat(r["deadline"]) if r["deadline"] else None,
            milestones=tuple(date.fromisoformat(d) for d in json.loads(r["milestones"] or "[]")),
            status=r["status"],
            percent=r["percent"],
            last_report_at=parse_timestamp(r["reported_at"]) if r["reported_at"] else None,
            active_from=parse_timestamp(r["active_from"]),
            signoff=r["signoff"],
        )
        for r in rows
    ]


async def record_due(db: Database, due: Iterable[DueRow], *, now: datetime) -> int:
    """Record due nudges as pending (once each); older pending nudges of the same unit and
    item are superseded (skipped): a catch-up sends the newest, not the backlog. Returns how
    many new nudges were recorded."""
    due = list(due)
    stamp = utc_timestamp(now)
    async with db.transaction() as conn:
        before = conn.total_changes
        await conn.executemany(
            "INSERT OR IGNORE INTO nudges (unit_id, item_id, kind, due_on, about, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    d.unit_id,
                    d.item_id,
                    d.kind,
                    d.due_on.isoformat(),
                    d.about.isoformat() if d.about else None,
                    stamp,
                )
                for d in due
            ],
        )
        added = conn.total_changes - before
        await conn.executemany(
            "UPDATE nudges SET state = 'skipped' WHERE state = 'pending' AND unit_id = ?"
            " AND item_id = ? AND due_on < ?",
            [(d.unit_id, d.item_id, d.due_on.isoformat()) for d in due],
        )
    return added


async def pending_nudges(db: Database) -> dict[int, list[PendingNudge]]:
    """Pending nudges grouped by unit, oldest first."""
    rows = await db.fetchall(
        "SELECT id, unit_id, item_id, kind, due_on, about FROM nudges WHERE state = 'pending'"
        " ORDER BY unit_id, item_id, due_on"
    )
    out: dict[int, list[PendingNudge]] = {}
    for r in rows:
        out.setdefault(r["unit_id"], []).append(
            PendingNudge(
                id=r["id"],
                unit_id=r["unit_id"],
                item_id=r["item_id"],
                kind=r["kind"],
                due_on=date.fromisoformat(r["due_on"]),
                about=date.fromisoformat(r["about"]) if r["about"] else None,
            )
        )
    return out


async def skip_nudges(db: Database, nudge_ids: Sequence[int]) -> None:
    """Drop pending nudges that no longer apply (the item was done or removed meanwhile)."""
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE nudges SET state = 'skipped' WHERE id = ? AND state = 'pending'",
            [(i,) for i in nudge_ids],
        )


@dataclass(frozen=True)
class Delivery:
    """What an earlier claim left about one nudge in one chat."""

    state: str  # 'sending': chunk `chunks_done` may or may not have arrived; 'sent'; 'stopped'
    fingerprint: str  # of the message it was part of
    chunks_done: int  # chunks of that message known to have arrived


@dataclass(frozen=True)
class UnitClaim:
    """A unit's pending nudges, held by one pass until it ends the claim (or its lease runs out)."""

    unit_id: int
    owner: str
    nudge_ids: tuple[int, ...]
    deliveries: dict[tuple[int, int], Delivery]  # (nudge id, chat id) → left by earlier claims


def claimer_name() -> str:
    """A name for one pass's claims: host, process and a random part (two passes of one
    process are two claimers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


async def claim_unit(
    db: Database,
    *,
    unit_id: int,
    nudge_ids: Sequence[int],
    owner: str,
    now: datetime,
    lease: float,
) -> UnitClaim | None:
    """Claim a unit's pending nudges for the pass `owner`: all that are still pending, or none
    when another pass holds any of them (its lease of `lease` seconds, from its last request,
    has not run out). Nudges sent or skipped meanwhile are left out; None if none is left.

    `now` is the wall clock (a lease is about processes alive now, not a replayed date).
    """
    if not nudge_ids:
        return None
    ids = list(nudge_ids)
    stamp = utc_timestamp(now)
    expired = utc_timestamp(now - timedelta(seconds=lease))
    async with db.transaction() as conn:
        # BEGIN IMMEDIATE holds the database's write lock: no other process claims in between.
        held = await conn.execute_fetchall(
            f"SELECT 1 FROM nudges WHERE id IN ({_marks(ids)}) AND state = 'pending'"
            " AND claimed_at >= ? AND claimed_by != ? LIMIT 1",
            (*ids, expired, owner),
        )
        if list(held):
            return None
        claimed = [
            int(r[0])
            for r in await conn.execute_fetchall(
                f"UPDATE nudges SET claimed_by = ?, claimed_at = ? WHERE id IN ({_marks(ids)})"
                " AND unit_id = ? AND state = 'pending'"
                " AND (claimed_at IS NULL OR claimed_at < ? OR claimed_by = ?) RETURNING id",
                (owner, stamp, *ids, unit_id, expired, owner),
            )
        ]
        if not claimed:
            return None
        rows = await conn.execute_fetchall(
            "SELECT nudge_id, chat_id, state, fingerprint, chunks_done FROM nudge_deliveries"
            f" WHERE nudge_id IN ({_marks(claimed)})",
            claimed,
        )
        deliveries = {
            (int(r["nudge_id"]), int(r["chat_id"])): Delivery(
                r["state"], r["fingerprint"], int(r["chunks_done"])
            )
            for r in rows
        }
    return UnitClaim(unit_id, owner, tuple(sorted(claimed)), deliveries)


async def mark_sending(
    db: Database,
    claim: UnitClaim,
    *,
    chat_id: int,
    nudge_ids: Sequence[int],
    fingerprint: str,
    chunk: int,
    now: datetime,
) -> bool:
    """Note, just before the request, that chunk `chunk` of a message about `nudge_ids` is on
    its way to `chat_id` (the chunks before it arrived), and renew the claim's lease. False if
    the claim was lost (its lease ran out and another pass took it): do not send then."""
    stamp = utc_timestamp(now)
    async with db.transaction() as conn:
        ids = claim.nudge_ids
        renewed = await conn.execute(
            f"UPDATE nudges SET claimed_at = ? WHERE id IN ({_marks(ids)}) AND claimed_by = ?"
            " AND state != 'sent'",
            (stamp, *ids, claim.owner),
        )
        if renewed.rowcount != len(ids):
            return False
        await conn.executemany(
            "INSERT INTO nudge_deliveries (nudge_id, chat_id, state, claimed_by, fingerprint,"
            " chunks_done, updated_at) VALUES (?, ?, 'sending', ?, ?, ?, ?)"
            " ON CONFLICT (nudge_id, chat_id) DO UPDATE SET state = 'sending',"
            " claimed_by = excluded.claimed_by, fingerprint = excluded.fingerprint,"
            " chunks_done = excluded.chunks_done, updated_at = excluded.updated_at,"
            " message_ids = CASE WHEN excluded.chunks_done = 0 THEN '[]' ELSE message_ids END",
            [(n, chat_id, claim.owner, fingerprint, chunk, stamp) for n in nudge_ids],
        )
    return True


async def mark_chunk_sent(
    db: Database,
    claim: UnitClaim,
    *,
    chat_id: int,
    nudge_ids: Sequence[int],
    chunk: int,
    last: bool,
    message_id: int,
    item_ids: Sequence[int],
    now: datetime,
) -> None:
    """Note, right after the answer, that chunk `chunk` arrived as `message_id` (and, for the
    `last` chunk, that the whole message did); record the message, so replies to it find the
    unit and its items."""
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE nudge_deliveries SET chunks_done = ?, state = ?, updated_at = ?,"
            " message_ids = json_insert(message_ids, '$[#]', ?)"
            " WHERE nudge_id = ? AND chat_id = ?",
            [
                (
                    chunk + 1,
                    "sent" if last else "sending",
                    utc_timestamp(now),
                    message_id,
                    n,
                    chat_id,
                )
                for n in nudge_ids
            ],
        )
        await conn.execute(
            BOT_MESSAGE_SQL,
            bot_message_row(chat_id, message_id, "nudge", claim.unit_id, item_ids, None, now),
        )


async def mark_stopped(
    db: Database, *, chat_id: int, nudge_ids: Sequence[int], now: datetime
) -> None:
    """Note that the Bot API refused the chunk on its way to `chat_id`: it did not arrive (the
    chunks before it did), so it is not in doubt."""
    async with db.transaction() as conn:
        await conn.executemany(
            "UPDATE nudge_deliveries SET state = 'stopped', updated_at = ?"
            " WHERE nudge_id = ? AND chat_id = ? AND state = 'sending'",
            [(utc_timestamp(now), n, chat_id) for n in nudge_ids],
        )


async def end_claim(db: Database, claim: UnitClaim, *, now: datetime) -> list[int]:
    """End the claim: the nudges that reached a chat (in this pass or an earlier one) become
    `sent`, in one batch; the others go back to pending for a later pass. Returns the sent ids."""
    ids = claim.nudge_ids
    stamp = utc_timestamp(now)
    async with db.transaction() as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT nudge_id, chat_id, json_extract(message_ids, '$[0]') AS first"
                f" FROM nudge_deliveries WHERE nudge_id IN ({_marks(ids)}) AND state = 'sent'"
                " ORDER BY updated_at, chat_id",
                ids,
            )
        )
        first: dict[int, tuple[int, int | None]] = {}
        for r in rows:
            first.setdefault(int(r["nudge_id"]), (int(r["chat_id"]), r["first"]))
        sent = sorted(first)
        if sent:
            cursor = await conn.execute(
                "INSERT INTO nudge_batches (unit_id, created_at, sent_at, recipients)"
                " VALUES (?, ?, ?, ?)",
                (claim.unit_id, stamp, stamp, len({r["chat_id"] for r in rows})),
            )
            await conn.executemany(
                "UPDATE nudges SET state = 'sent', sent_at = ?, batch_id = ?, chat_id = ?,"
                " message_id = ?, claimed_at = NULL WHERE id = ? AND claimed_by = ?",
                [(stamp, cursor.lastrowid, *first[n], n, claim.owner) for n in sent],
            )
        rest = [n for n in ids if n not in first]
        if rest:
            await conn.execute(
                "UPDATE nudges SET claimed_by = NULL, claimed_at = NULL"
                f" WHERE id IN ({_marks(rest)}) AND claimed_by = ? AND state = 'pending'",
                (*rest, claim.owner),
            )
    return sent


async def record_escalation(
    db: Database, *, unit_id: int, item_id: int | None, reason: str, day: date, now: datetime
) -> bool:
    """Note that an escalation about (unit, item, reason) went out today; False if it already
    did (so a second pass on the same day does not repeat it)."""
    async with db.transaction() as conn:
        before = conn.total_changes
        await conn.execute(
            "INSERT OR IGNORE INTO nudges (unit_id, item_id, kind, due_on, state, sent_at,"
            " created_at) VALUES (?, ?, ?, ?, 'sent', ?, ?)",
            (
                unit_id,
                item_id,
                f"escalation:{reason}",
                day.isoformat(),
                utc_timestamp(now),
                utc_timestamp(now),
            ),
        )
        return conn.total_changes > before


async def sent_history(db: Database) -> list[SentRow]:
    """Every sent nudge (escalations excluded), oldest first."""
    rows = await db.fetchall(
        "SELECT unit_id, item_id, kind, due_on, sent_at FROM nudges WHERE state = 'sent'"
        " AND kind NOT LIKE 'escalation:%' ORDER BY sent_at, id"
    )
    return [
        SentRow(
            unit_id=r["unit_id"],
            item_id=r["item_id"],
            kind=r["kind"],
            due_on=date.fromisoformat(r["due_on"]),
            sent_at=parse_timestamp(r["sent_at"]),
        )
        for r in rows
    ]

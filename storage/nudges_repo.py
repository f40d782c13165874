"""Nudges (催办): what is due, what was sent, to whom — the database is the source of truth.

A pass records every due nudge as `pending` (one row per unit, item, kind and day, so running a
pass twice adds nothing), then claims the pending nudges of the units it will send to, in one
UPDATE … RETURNING: a unit's nudges all or none, so of two passes at once (the bot's scheduler
and a cron `duban send-due`) one sends a unit its message and the other leaves it. For each of
the unit's chats it notes in `nudge_deliveries` that the message is `sending` (with the chunks
already delivered) just before each HTTP request, and `sent` right after, having recorded the
message for replies to find. When the pass ends, the nudges that reached a chat become `sent`
and the claims end; the rest go back to pending for a later pass.

A claim is a lease (`claimed_at`, renewed before a request once half of it has gone): when the
claimer dies, the first pass after the lease runs out takes its nudges over. That pass skips
the chats that have the message, resumes a long message after its delivered chunks, and sends
again to the chats left `sending` — their request was in flight at the crash and may or may not
have arrived. So a crash loses nothing and repeats at most the messages that were in flight
(at-least-once).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
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
    first_message: int | None  # the id its first chunk arrived as


@dataclass(frozen=True)
class UnitClaim:
    """A unit's pending nudges, held by one pass until it ends the claim (or its lease runs out)."""

    unit_id: int
    owner: str
    nudge_ids: tuple[int, ...]
    deliveries: dict[tuple[int, int], Delivery]  # (nudge id, chat id) → left by earlier claims
    claimed_at: datetime  # wall clock; the lease runs from here until renewed


@dataclass(frozen=True)
class ClaimEnd:
    """How a claim ends: the nudges that reached a chat, in this pass or an earlier one."""

    sent: Sequence[int]
    chat_id: int | None  # the first message that carried them, for the record
    message_id: int | None
    recipients: int  # chats that have the message


def claimer_name() -> str:
    """A name for one pass's claims: host, process and a random part (two passes of one
    process are two claimers)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


async def claim_units(
    db: Database,
    units: Mapping[int, Sequence[int]],
    *,
    owner: str,
    now: datetime,
    lease: float,
) -> dict[int, UnitClaim]:
    """Claim for the pass `owner` the pending nudges of each unit in `units` (unit → nudge
    ids): a unit's nudges all, or none when another pass holds any of them (its lease of
    `lease` seconds, from its claim or last renewal, has not run out). Nudges sent or skipped
    meanwhile are left out. One UPDATE … RETURNING: of two passes at once, one gets a unit.

    `now` is the wall clock (a lease is about processes alive now, not a replayed date).
    """
    if not any(units.values()):
        return {}
    ids = json.dumps(sorted({n for nudges in units.values() for n in nudges}))
    expired = utc_timestamp(now - timedelta(seconds=lease))
    async with db.transaction() as conn:
        rows = await conn.execute_fetchall(
            "UPDATE nudges SET claimed_by = ?, claimed_at = ?"
            " WHERE id IN (SELECT value FROM json_each(?)) AND state = 'pending'"
            " AND (claimed_at IS NULL OR claimed_at < ? OR claimed_by = ?)"
            " AND unit_id NOT IN (SELECT h.unit_id FROM nudges h"
            "  WHERE h.id IN (SELECT value FROM json_each(?)) AND h.state = 'pending'"
            "   AND h.claimed_at >= ? AND h.claimed_by != ?)"
            " RETURNING id, unit_id",
            (owner, utc_timestamp(now), ids, expired, owner, ids, expired, owner),
        )
        claimed: dict[int, list[int]] = {}
        for r in rows:
            claimed.setdefault(int(r["unit_id"]), []).append(int(r["id"]))
    if not claimed:
        return {}
    # Only a claim's holder writes deliveries: those there now are earlier holders'.
    found = await db.fetchall(
        "SELECT nudge_id, chat_id, state, fingerprint, chunks_done,"
        " json_extract(message_ids, '$[0]') AS first_message FROM nudge_deliveries"
        " WHERE nudge_id IN (SELECT value FROM json_each(?))",
        (json.dumps([n for nudges in claimed.values() for n in nudges]),),
    )
    by_nudge: dict[int, dict[tuple[int, int], Delivery]] = {}
    for r in found:
        got = Delivery(r["state"], r["fingerprint"], int(r["chunks_done"]), r["first_message"])
        by_nudge.setdefault(int(r["nudge_id"]), {})[(int(r["nudge_id"]), int(r["chat_id"]))] = got
    return {
        unit: UnitClaim(
            unit,
            owner,
            tuple(sorted(nudges)),
            {k: v for n in nudges for k, v in by_nudge.get(n, {}).items()},
            now,
        )
        for unit, nudges in claimed.items()
    }


async def mark_sending(
    db: Database,
    claim: UnitClaim,
    *,
    chat_id: int,
    nudge_ids: Sequence[int],
    fingerprint: str,
    chunk: int,
    now: datetime,
    renew: bool = False,
) -> bool:
    """Note, just before the request, that chunk `chunk` of a message about `nudge_ids` is on
    its way to `chat_id` (the chunks before it arrived); with `renew`, restart the claim's
    lease from `now` (wall clock). False if the claim was lost (its lease ran out and another
    pass took it): do not send then.

    One statement, which checks the claim as it writes: a nudge no longer ours yields a NULL
    nudge_id, which the NOT NULL constraint refuses, and the whole statement is undone.
    """
    mark = (
        "INSERT INTO nudge_deliveries (nudge_id, chat_id, state, claimed_by, fingerprint,"
        " chunks_done, updated_at)"
        " SELECT CASE WHEN claimed_by = ? AND state != 'sent' THEN id END,"
        " ?, 'sending', ?, ?, ?, ? FROM nudges WHERE id IN (SELECT value FROM json_each(?))"
        " ON CONFLICT (nudge_id, chat_id) DO UPDATE SET state = 'sending',"
        " claimed_by = excluded.claimed_by, fingerprint = excluded.fingerprint,"
        " chunks_done = excluded.chunks_done, updated_at = excluded.updated_at,"
        " message_ids = CASE WHEN excluded.chunks_done = 0 THEN '[]' ELSE message_ids END"
    )
    stamp = utc_timestamp(now)
    params = (claim.owner, chat_id, claim.owner, fingerprint, chunk, stamp, json.dumps(nudge_ids))
    try:
        if not renew:
            await db.write_one(mark, params)
            return True
        async with db.transaction() as conn:
            await conn.execute(mark, params)
            await conn.execute(
                "UPDATE nudges SET claimed_at = ? WHERE id IN (SELECT value FROM json_each(?))"
                " AND claimed_by = ?",
                (stamp, json.dumps(claim.nudge_ids), claim.owner),
            )
    except sqlite3.IntegrityError:
        return False
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
    `last` chunk, that the whole message did), having recorded the message, so replies to it
    find the unit and its items. Two single statements, the message first: a crash between
    them leaves the chunk `sending`, in doubt, as if it had been in flight."""
    await db.write_one(
        BOT_MESSAGE_SQL,
        bot_message_row(chat_id, message_id, "nudge", claim.unit_id, item_ids, None, now),
    )
    await db.write_one(
        "UPDATE nudge_deliveries SET chunks_done = ?, state = ?, updated_at = ?,"
        " message_ids = json_insert(message_ids, '$[#]', ?)"
        " WHERE nudge_id IN (SELECT value FROM json_each(?)) AND chat_id = ?",
        (
            chunk + 1,
            "sent" if last else "sending",
            utc_timestamp(now),
            message_id,
            json.dumps(list(nudge_ids)),
            chat_id,
        ),
    )


async def mark_stopped(
    db: Database, *, chat_id: int, nudge_ids: Sequence[int], now: datetime
) -> None:
    """Note that the Bot API refused the chunk on its way to `chat_id`: it did not arrive (the
    chunks before it did), so it is not in doubt."""
    await db.write_one(
        "UPDATE nudge_deliveries SET state = 'stopped', updated_at = ?"
        " WHERE nudge_id IN (SELECT value FROM json_each(?)) AND chat_id = ?"
        " AND state = 'sending'",
        (utc_timestamp(now), json.dumps(list(nudge_ids)), chat_id),
    )


async def end_claims(
    db: Database, ends: Sequence[tuple[UnitClaim, ClaimEnd]], *, now: datetime
) -> None:
    """End claims, all in one transaction: each claim's `end.sent` (the nudges that reached a
    chat) become `sent`, in one batch per unit; its other nudges go back to pending for a
    later pass. A claim no longer held (its lease ran out, another pass took it) is left to
    its new holder."""
    stamp = utc_timestamp(now)
    sent = [(claim, end) for claim, end in ends if end.sent]
    async with db.transaction() as conn:
        if sent:
            rows = list(await conn.execute_fetchall("SELECT max(id) FROM nudge_batches"))
            first = int(rows[0][0] or 0) + 1  # we hold the write lock: these ids are ours
            await conn.executemany(
                "INSERT INTO nudge_batches (id, unit_id, created_at, sent_at, recipients)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (first + k, claim.unit_id, stamp, stamp, end.recipients)
                    for k, (claim, end) in enumerate(sent)
                ],
            )
            await conn.executemany(
                "UPDATE nudges SET state = 'sent', sent_at = ?, batch_id = ?, chat_id = ?,"
                " message_id = ?, claimed_at = NULL"
                " WHERE id IN (SELECT value FROM json_each(?)) AND claimed_by = ?",
                [
                    (
                        stamp,
                        first + k,
                        end.chat_id,
                        end.message_id,
                        json.dumps(sorted(set(end.sent) & set(claim.nudge_ids))),
                        claim.owner,
                    )
                    for k, (claim, end) in enumerate(sent)
                ],
            )
        await conn.executemany(
            "UPDATE nudges SET claimed_by = NULL, claimed_at = NULL"
            " WHERE id IN (SELECT value FROM json_each(?)) AND claimed_by = ?"
            " AND state = 'pending'",
            [
                (json.dumps(sorted(set(claim.nudge_ids) - set(end.sent))), claim.owner)
                for claim, end in ends
            ],
        )


async def end_claim(db: Database, claim: UnitClaim, end: ClaimEnd, *, now: datetime) -> None:
    """End one claim (see end_claims)."""
    await end_claims(db, [(claim, end)], now=now)


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

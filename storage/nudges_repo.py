"""Nudges (催办): what is due, what was sent, to whom — the database is the source of truth.

A pass records every due nudge as `pending` (one row per unit, item, kind and day, so running a
pass twice adds nothing), sends one message per unit, and marks that unit's nudges `sent` in
the same transaction that records the messages. A crash between units loses nothing and
repeats nothing: the next pass finds the sent ones sent and the rest pending.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

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
    active_from: datetime  # when the unit got the item (import or assignment)


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
                       i.title, i.deadline,
                       coalesce(iu.assigned_at, p.imported_at) AS active_from,
                       (SELECT json_group_array(m.date) FROM milestones m
                         WHERE m.item_id = i.id) AS milestones,
                       r.status, r.percent, r.created_at AS reported_at
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


async def mark_sent(
    db: Database,
    *,
    unit_id: int,
    nudge_ids: Sequence[int],
    messages: Sequence[tuple[int, int]],
    item_ids: Sequence[int],
    now: datetime,
) -> None:
    """Record one unit's message: its nudges sent, and each (chat, message) it went out as."""
    stamp = utc_timestamp(now)
    first_chat, first_message = messages[0] if messages else (None, None)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO nudge_batches (unit_id, created_at, sent_at, recipients)"
            " VALUES (?, ?, ?, ?)",
            (unit_id, stamp, stamp, len(messages)),
        )
        batch_id = cursor.lastrowid
        await conn.executemany(
            "UPDATE nudges SET state = 'sent', sent_at = ?, batch_id = ?, chat_id = ?,"
            " message_id = ? WHERE id = ? AND state = 'pending'",
            [(stamp, batch_id, first_chat, first_message, i) for i in nudge_ids],
        )
        await conn.executemany(
            BOT_MESSAGE_SQL,
            [bot_message_row(c, m, "nudge", unit_id, item_ids, None, now) for c, m in messages],
        )


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

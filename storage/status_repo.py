"""What the status views read: every live item of the active plans and every current report.

Loading is a handful of queries whatever the size; the caller caches the result by
`data_version`, which changes whenever any connection commits, so a cached snapshot is never
stale and never rebuilt needlessly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from plans.followup.status import ItemRecord
from plans.model import Report
from plans.refs import ItemRef
from storage.db import Database, utc_timestamp
from storage.plans_repo import load_items
from storage.reports_repo import report_from_row
from storage.workflow_repo import granted_extensions


async def data_version(db: Database) -> int:
    """A number that changes whenever the database content may have changed."""
    row = await db.fetchone("PRAGMA data_version")
    assert row is not None
    version = int(row[0])
    # data_version sees other connections' commits; our own writer counts as another one.
    return version


async def load_records(db: Database, plan_id: int | None = None) -> list[ItemRecord]:
    """Live items of active plans, in plan order, with refs as chat shows them."""
    async with db.snapshot() as conn:
        plans = {
            int(r["id"]): int(r["year"])
            for r in await conn.execute_fetchall("SELECT id, year FROM plans WHERE active = 1")
        }
        where = "i.removed_at IS NULL AND i.plan_id IN (SELECT id FROM plans WHERE active = 1)"
        params: tuple[object, ...] = ()
        if plan_id is not None:
            where += " AND i.plan_id = ?"
            params = (plan_id,)
        items = await load_items(conn, where, params)
        extensions = await granted_extensions(conn)
    multi = len(plans) > 1
    return [
        ItemRecord(
            item_id=s.id,
            plan_id=s.plan_id,
            ref=ItemRef.format(s.plan_id, s.item.seq, multi=multi),
            item=s.item,
            plan_start=date(plans[s.plan_id], 1, 1),
            extensions=tuple(extensions.get(s.id, ())),
        )
        for s in items
    ]


async def load_reports(db: Database) -> list[Report]:
    """Every current (not superseded) report on a live item, oldest first, without evidence."""
    rows = await db.fetchall(
        """
        SELECT r.*, u.name AS unit_name
        FROM reports r
        JOIN units u ON u.id = r.unit_id
        JOIN items i ON i.id = r.item_id
        WHERE r.superseded_by IS NULL AND i.removed_at IS NULL
        ORDER BY r.created_at, r.id
        """
    )
    return [report_from_row(r) for r in rows]


@dataclass(frozen=True)
class ReportChanges:
    """Reports written or superseded since a mark, and the new mark."""

    current: list[Report]  # new or changed reports that are current
    superseded: list[int]  # ids of reports superseded since the mark
    max_id: int
    max_updated: str


async def report_changes(db: Database, *, after_id: int, updated_since: str) -> ReportChanges:
    """What changed in `reports` since (after_id, updated_since): new rows by id, edited or
    superseded ones by updated_at (second precision, so the boundary second is read again;
    applying a report twice is harmless). Pass (0, "") for everything."""
    rows = await db.fetchall(
        """
        SELECT r.*, u.name AS unit_name FROM reports r JOIN units u ON u.id = r.unit_id
        WHERE r.id > ?
        UNION
        SELECT r.*, u.name AS unit_name FROM reports r JOIN units u ON u.id = r.unit_id
        WHERE r.updated_at >= ?
        ORDER BY created_at, id
        """,
        (after_id, updated_since or "9999"),
    )
    current = [report_from_row(r) for r in rows if r["superseded_by"] is None]
    superseded = [int(r["id"]) for r in rows if r["superseded_by"] is not None]
    return ReportChanges(
        current=current,
        superseded=superseded,
        max_id=max([after_id, *(int(r["id"]) for r in rows)]),
        max_updated=max([updated_since, *(str(r["updated_at"]) for r in rows)]),
    )


async def digest_sent(db: Database, week: str) -> bool:
    """Whether the digest of ISO week `week` ("2023-W47") already went out."""
    row = await db.fetchone("SELECT sent_at FROM digests WHERE week = ?", (week,))
    return row is not None and row["sent_at"] is not None


async def claim_digest(
    db: Database, week: str, *, owner: str, now: datetime, lease: float
) -> list[int] | None:
    """Claim the sending of `week`'s digest for `owner`: the week's row is the claim, made by
    one INSERT … ON CONFLICT, so of two senders at once one gets it. A claim whose holder went
    quiet for `lease` seconds (it crashed) is taken over. Returns the chats an earlier holder
    already reached, or None: the digest went out, or another sender has it.

    `now` is the wall clock (a lease is about processes alive now, not a replayed date).
    """
    stamp = utc_timestamp(now)
    expired = utc_timestamp(now - timedelta(seconds=lease))
    async with db.transaction() as conn:
        rows = list(
            await conn.execute_fetchall(
                "INSERT INTO digests (week, created_at, claimed_by, claimed_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (week) DO UPDATE SET"
                " claimed_by = excluded.claimed_by, claimed_at = excluded.claimed_at"
                " WHERE digests.sent_at IS NULL"
                " AND (digests.claimed_at IS NULL OR digests.claimed_at < ?)"
                " RETURNING delivered",
                (week, stamp, owner, stamp, expired),
            )
        )
    if not rows:
        return None
    return [int(c) for c in json.loads(rows[0]["delivered"])]


async def digest_delivered(
    db: Database, week: str, *, owner: str, chat_id: int, now: datetime
) -> bool:
    """Note that `chat_id` got the digest, and renew the lease; False if the claim was lost."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE digests SET delivered = json_insert(delivered, '$[#]', ?), claimed_at = ?"
            " WHERE week = ? AND claimed_by = ? AND sent_at IS NULL",
            (chat_id, utc_timestamp(now), week, owner),
        )
        return cursor.rowcount == 1


async def release_digest(db: Database, week: str, *, owner: str) -> None:
    """Give the claim up unsent (making the digest failed): the next sender may take it."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE digests SET claimed_by = NULL, claimed_at = NULL"
            " WHERE week = ? AND claimed_by = ? AND sent_at IS NULL",
            (week, owner),
        )


async def record_digest(
    db: Database,
    week: str,
    *,
    owner: str,
    recipients: int,
    headline: dict[str, float | int],
    now: datetime,
) -> None:
    """Remember that the digest of `week`, claimed by `owner`, was sent (to how many chats,
    with which numbers)."""
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE digests SET sent_at = ?, recipients = ?, headline = ?"
            " WHERE week = ? AND claimed_by = ?",
            (utc_timestamp(now), recipients, json.dumps(headline), week, owner),
        )

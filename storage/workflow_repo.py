"""The 督办 workflow's records: 销号 of a unit's "done", extensions (延期), and the answers the bot
is waiting for.

- 销号: a done stored while sign-off is on carries `reports.signoff = 'pending'`. A coordinator
  signs it (`signed`) or sends it back with a reason (`returned`). A decision is taken once: the
  update only touches a report still pending and current, so two coordinators pressing at once
  get one decision and one "already decided".
- 延期: a contact's request is one `extensions` row per (item, unit) while pending (asking again
  replaces the pending request); a coordinator grants or refuses it once. Granted rows move the
  unit's deadline (`granted_extensions`); the history is every row.
- `awaiting_input`: the bot asked a person in a chat for one more message (the reason for sending
  a report back); their next message there is that answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import aiosqlite

from plans.model import Evidence, Extension
from storage.db import Database, parse_timestamp, utc_timestamp
from storage.reports_repo import evidence_of


@dataclass(frozen=True)
class SignoffCase:
    """A done that awaits 销号, with what a coordinator needs to decide it."""

    report_id: int
    item_id: int
    plan_id: int
    seq: int
    title: str
    unit_id: int
    unit_name: str
    reporter_name: str
    text: str
    created_at: datetime
    chat_id: int | None  # where the contact reported (to tell them the decision)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class SignoffDecision:
    """A decision taken: the case as it was, and what was decided."""

    case: SignoffCase
    signoff: Literal["signed", "returned"]
    note: str


_CASE_SQL = """
    SELECT r.id AS report_id, r.item_id, i.plan_id, i.seq, i.title, r.unit_id,
           u.name AS unit_name, r.reporter_name, r.text, r.created_at, r.chat_id
    FROM reports r
    JOIN items i ON i.id = r.item_id
    JOIN plans p ON p.id = i.plan_id
    JOIN units u ON u.id = r.unit_id
"""


def _case(row: aiosqlite.Row, evidence: tuple[Evidence, ...] = ()) -> SignoffCase:
    return SignoffCase(
        report_id=row["report_id"],
        item_id=row["item_id"],
        plan_id=row["plan_id"],
        seq=row["seq"],
        title=row["title"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        reporter_name=row["reporter_name"],
        text=row["text"],
        created_at=parse_timestamp(row["created_at"]),
        chat_id=row["chat_id"],
        evidence=evidence,
    )


async def pending_signoffs(db: Database) -> list[SignoffCase]:
    """Every current done awaiting 销号 on a live item of an active plan, oldest first."""
    rows = await db.fetchall(
        _CASE_SQL
        + """
        WHERE r.signoff = 'pending' AND r.superseded_by IS NULL
          AND i.removed_at IS NULL AND p.active = 1
        ORDER BY r.created_at, r.id
        """
    )
    evidence = await evidence_of(db, [int(r["report_id"]) for r in rows])
    return [_case(r, evidence.get(int(r["report_id"]), ())) for r in rows]


async def signoff_state(db: Database, report_id: int) -> str | None:
    """The report's 销号 state (pending, signed, returned), None when it has none."""
    row = await db.fetchone("SELECT signoff FROM reports WHERE id = ?", (report_id,))
    return str(row["signoff"]) if row is not None and row["signoff"] else None


async def signoff_case(db: Database, report_id: int) -> SignoffCase | None:
    """One report as a 销号 case (whatever its state), or None if there is no such report."""
    row = await db.fetchone(_CASE_SQL + " WHERE r.id = ?", (report_id,))
    if row is None:
        return None
    evidence = await evidence_of(db, [report_id])
    return _case(row, evidence.get(report_id, ()))


async def decide_signoff(
    db: Database,
    report_id: int,
    *,
    signed: bool,
    by: int | None,
    note: str = "",
    now: datetime,
) -> SignoffDecision | None:
    """Sign off (or send back, with `note`) a pending done; None when it is no longer pending:
    decided by someone else, or replaced by a newer report of the unit."""
    stamp = utc_timestamp(now)
    state: Literal["signed", "returned"] = "signed" if signed else "returned"
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "UPDATE reports SET signoff = ?, signoff_at = ?, signoff_by = ?, signoff_note = ?,"
            " updated_at = ? WHERE id = ? AND signoff = 'pending' AND superseded_by IS NULL",
            (state, stamp, by, note, stamp, report_id),
        )
        if cursor.rowcount != 1:
            return None
    case = await signoff_case(db, report_id)
    assert case is not None
    return SignoffDecision(case=case, signoff=state, note=note)


# ------------------------------------------------------------------------------ extensions


_EXT_SQL = """
    SELECT e.*, u.name AS unit_name FROM extensions e JOIN units u ON u.id = e.unit_id
"""


def _extension(row: aiosqlite.Row) -> Extension:
    return Extension(
        id=row["id"],
        item_id=row["item_id"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        old_deadline=date.fromisoformat(row["old_deadline"]) if row["old_deadline"] else None,
        new_deadline=date.fromisoformat(row["new_deadline"]),
        phrase=row["phrase"],
        reason=row["reason"],
        state=row["state"],
        created_at=parse_timestamp(row["created_at"]),
        requester_name=row["requester_name"],
        decided_at=parse_timestamp(row["decided_at"]) if row["decided_at"] else None,
    )


async def request_extension(
    db: Database,
    *,
    item_id: int,
    unit_id: int,
    contact_id: int | None,
    requester_name: str,
    old_deadline: date | None,
    new_deadline: date,
    phrase: str,
    reason: str,
    now: datetime,
) -> Extension:
    """Record a unit's request for more time; a pending request of the unit for the item is
    replaced (the newest request is the one to decide)."""
    stamp = utc_timestamp(now)
    values = (
        contact_id,
        requester_name,
        old_deadline.isoformat() if old_deadline else None,
        new_deadline.isoformat(),
        phrase,
        reason,
        stamp,
    )
    async with db.transaction(changes="catalog") as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT id FROM extensions WHERE item_id = ? AND unit_id = ? AND state = 'pending'",
                (item_id, unit_id),
            )
        )
        if rows:
            ext_id = int(rows[0]["id"])
            await conn.execute(
                "UPDATE extensions SET contact_id = ?, requester_name = ?, old_deadline = ?,"
                " new_deadline = ?, phrase = ?, reason = ?, created_at = ? WHERE id = ?",
                (*values, ext_id),
            )
        else:
            cursor = await conn.execute(
                "INSERT INTO extensions (contact_id, requester_name, old_deadline, new_deadline,"
                " phrase, reason, created_at, item_id, unit_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, item_id, unit_id),
            )
            assert cursor.lastrowid is not None
            ext_id = cursor.lastrowid
        row = next(iter(await conn.execute_fetchall(_EXT_SQL + " WHERE e.id = ?", (ext_id,))))
    return _extension(row)


async def decide_extension(
    db: Database, ext_id: int, *, grant: bool, by: int | None, now: datetime
) -> Extension | None:
    """Grant or refuse a pending request; None when it is no longer pending."""
    stamp = utc_timestamp(now)
    async with db.transaction(changes="catalog") as conn:
        cursor = await conn.execute(
            "UPDATE extensions SET state = ?, decided_at = ?, decided_by = ?"
            " WHERE id = ? AND state = 'pending'",
            ("granted" if grant else "refused", stamp, by, ext_id),
        )
        if cursor.rowcount != 1:
            return None
        row = next(iter(await conn.execute_fetchall(_EXT_SQL + " WHERE e.id = ?", (ext_id,))))
    return _extension(row)


async def get_extension(db: Database, ext_id: int) -> Extension | None:
    row = await db.fetchone(_EXT_SQL + " WHERE e.id = ?", (ext_id,))
    return _extension(row) if row is not None else None


async def pending_extensions(db: Database) -> list[Extension]:
    """Requests awaiting a decision, oldest first."""
    rows = await db.fetchall(_EXT_SQL + " WHERE e.state = 'pending' ORDER BY e.created_at, e.id")
    return [_extension(r) for r in rows]


async def granted_extensions(
    conn: aiosqlite.Connection, item_ids: Sequence[int] | None = None
) -> dict[int, list[Extension]]:
    """Granted extensions by item, in the order they were decided (the last one counts)."""
    rows = await conn.execute_fetchall(
        _EXT_SQL + " WHERE e.state = 'granted' ORDER BY e.decided_at, e.id"
    )
    wanted = set(item_ids) if item_ids is not None else None
    out: dict[int, list[Extension]] = {}
    for r in rows:
        if wanted is None or r["item_id"] in wanted:
            out.setdefault(int(r["item_id"]), []).append(_extension(r))
    return out


async def extension_history(db: Database, item_id: int) -> list[Extension]:
    """Every request on the item, oldest first (the ledger's 延期情况 and /status N)."""
    rows = await db.fetchall(
        _EXT_SQL + " WHERE e.item_id = ? ORDER BY e.created_at, e.id", (item_id,)
    )
    return [_extension(r) for r in rows]


# ------------------------------------------------------------------------------ awaited answers


async def await_input(
    db: Database, *, chat_id: int, user_id: int, kind: str, ref: int, now: datetime
) -> None:
    """Remember that the bot asked this person in this chat for one more message."""
    await db.write_one(
        "INSERT INTO awaiting_input (chat_id, user_id, kind, ref, created_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (chat_id, user_id) DO UPDATE SET kind = excluded.kind, ref = excluded.ref,"
        " created_at = excluded.created_at",
        (chat_id, user_id, kind, ref, utc_timestamp(now)),
    )


async def take_input(db: Database, *, chat_id: int, user_id: int) -> tuple[str, int] | None:
    """The question this person's message answers, forgotten as it is taken; None if none."""
    async with db.transaction() as conn:
        rows = list(
            await conn.execute_fetchall(
                "DELETE FROM awaiting_input WHERE chat_id = ? AND user_id = ? RETURNING kind, ref",
                (chat_id, user_id),
            )
        )
    return (str(rows[0]["kind"]), int(rows[0]["ref"])) if rows else None

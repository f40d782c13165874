"""Progress reports, the evidence sent with them, and the bot messages replies refer to.

A report is never overwritten: editing the message that carried it stores a new report and
points the old one at it (`superseded_by`), so the history of what a unit said is kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import aiosqlite

from plans.model import Evidence, Report, Signoff, Status
from storage.db import Database, parse_timestamp, utc_timestamp


@dataclass(frozen=True)
class NewReport:
    """What to store for a report; the repository adds id and timestamps."""

    item_id: int
    unit_id: int
    status: Status
    text: str
    percent: float | None = None
    expected_date: date | None = None
    value: float | None = None
    measure: str | None = None
    source: str = "command"  # reply, button, command, edit
    contact_id: int | None = None
    reporter_user_id: int | None = None
    reporter_name: str = ""
    chat_id: int | None = None
    message_id: int | None = None
    evidence: tuple[Evidence, ...] = ()
    signoff: Signoff | None = None  # "pending" for a done that awaits 销号


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent that a person may reply to."""

    chat_id: int
    message_id: int
    kind: str
    unit_id: int | None
    item_ids: tuple[int, ...]
    report_id: int | None


async def add_report(
    db: Database, new: NewReport, *, now: datetime, supersedes: int | None = None
) -> Report:
    """Store a report (and its evidence); if `supersedes`, link the old one to it.

    The Report returned is built from what was written (no read-back: this is the hot path of
    every reply); its unit_name is left empty.
    """
    stamp = utc_timestamp(now)
    if supersedes is None and not new.evidence:
        # the common case, one statement: atomic on its own, one trip to the writer
        report_id = await db.write_one(_INSERT_SQL, _insert_row(new, stamp))
    else:
        async with db.transaction() as conn:
            report_id = await _insert(conn, new, stamp)
            if supersedes is not None:
                await conn.execute(
                    "UPDATE reports SET superseded_by = ?, updated_at = ? WHERE id = ?",
                    (report_id, stamp, supersedes),
                )
    return Report(
        id=report_id,
        item_id=new.item_id,
        unit_id=new.unit_id,
        status=new.status,
        percent=_clamp(new.percent),
        text=new.text,
        created_at=parse_timestamp(stamp),
        expected_date=new.expected_date,
        value=new.value,
        measure=new.measure,
        source=new.source,
        reporter_name=new.reporter_name,
        evidence=new.evidence,
        signoff=new.signoff,
    )


async def latest_report(db: Database, item_id: int, unit_id: int) -> Report | None:
    """The unit's current report on the item (one query; evidence not loaded)."""
    row = await db.fetchone(
        "SELECT r.*, u.name AS unit_name FROM reports r JOIN units u ON u.id = r.unit_id"
        " WHERE r.item_id = ? AND r.unit_id = ? AND r.superseded_by IS NULL"
        " ORDER BY r.created_at DESC, r.id DESC LIMIT 1",
        (item_id, unit_id),
    )
    return report_from_row(row) if row is not None else None


async def amend_report(
    db: Database,
    report_id: int,
    *,
    now: datetime,
    signoff_on: bool = False,
    **fields: object,
) -> Report:
    """Store a new version of a report with some fields changed (a line of text added to a
    button press, a corrected percent); the old version stays, superseded. `fields` are
    NewReport fields. The 销号 state goes with the report unless `fields` sets it; a version
    that is not done has none; with `signoff_on`, a version that becomes done (from not done,
    or from sent back) awaits 销号."""
    stamp = utc_timestamp(now)
    async with db.transaction() as conn:
        rows = list(await conn.execute_fetchall("SELECT * FROM reports WHERE id = ?", (report_id,)))
        if not rows:
            raise LookupError(f"no report {report_id}")
        old = rows[0]
        evidence = (await _select(conn, "r.id = ?", (report_id,)))[0].evidence
        base = NewReport(
            item_id=old["item_id"],
            unit_id=old["unit_id"],
            status=old["status"],
            text=old["text"],
            percent=old["percent"],
            expected_date=date.fromisoformat(old["expected_date"])
            if old["expected_date"]
            else None,
            value=old["value"],
            measure=old["measure"],
            source=old["source"],
            contact_id=old["contact_id"],
            reporter_user_id=old["reporter_user_id"],
            reporter_name=old["reporter_name"],
            chat_id=old["chat_id"],
            message_id=old["message_id"],
            evidence=evidence,
            signoff=old["signoff"],  # a done awaiting 销号 still awaits it with a line added
        )
        new = replace(base, **fields)  # type: ignore[arg-type]
        if new.status != "done":
            new = replace(new, signoff=None)  # only a done is signed off
        elif "signoff" not in fields and (old["status"] != "done" or old["signoff"] == "returned"):
            new = replace(new, signoff="pending" if signoff_on else None)
        new_id = await _insert(conn, new, stamp)
        await conn.execute(
            "UPDATE reports SET superseded_by = ?, updated_at = ? WHERE id = ?",
            (new_id, stamp, report_id),
        )
        return (await _select(conn, "r.id = ?", (new_id,)))[0]


async def reports_for_message(db: Database, chat_id: int, message_id: int) -> list[Report]:
    """The current reports a person's message (`chat_id`, `message_id`) carried: one, or one
    per line of a reply that answered several items a line each."""
    async with db.snapshot() as conn:
        return await _select(
            conn,
            "r.chat_id = ? AND r.message_id = ? AND r.superseded_by IS NULL",
            (chat_id, message_id),
        )


async def latest_reports(
    db: Database, item_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], Report]:
    """The current report of each (item, unit) pair: the newest not superseded."""
    where = (
        "r.superseded_by IS NULL AND r.id = (SELECT r2.id FROM reports r2"
        " WHERE r2.item_id = r.item_id AND r2.unit_id = r.unit_id"
        " AND r2.superseded_by IS NULL ORDER BY r2.created_at DESC, r2.id DESC LIMIT 1)"
    )
    params: tuple[object, ...] = ()
    if item_ids is not None:
        ids = list(item_ids)
        if not ids:
            return {}
        where += f" AND r.item_id IN ({','.join('?' * len(ids))})"
        params = tuple(ids)
    async with db.snapshot() as conn:
        rows = await _select(conn, where, params)
    return {(r.item_id, r.unit_id): r for r in rows}


async def record_bot_message(
    db: Database,
    *,
    chat_id: int,
    message_id: int,
    kind: str,
    unit_id: int | None = None,
    item_ids: Sequence[int] = (),
    report_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Remember what a sent message was about, so a reply to it can be understood."""
    await db.write_one(
        BOT_MESSAGE_SQL,
        bot_message_row(chat_id, message_id, kind, unit_id, item_ids, report_id, now),
    )


BOT_MESSAGE_SQL = (
    "INSERT OR REPLACE INTO bot_messages"
    " (chat_id, message_id, kind, unit_id, item_ids, report_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def bot_message_row(
    chat_id: int,
    message_id: int,
    kind: str,
    unit_id: int | None,
    item_ids: Sequence[int],
    report_id: int | None,
    now: datetime | None,
) -> tuple[object, ...]:
    return (
        chat_id,
        message_id,
        kind,
        unit_id,
        json.dumps(list(item_ids)),
        report_id,
        utc_timestamp(now),
    )


async def find_bot_message(db: Database, chat_id: int, message_id: int) -> BotMessage | None:
    """What a bot message was about, or None if the bot never recorded it."""
    row = await db.fetchone(
        "SELECT * FROM bot_messages WHERE chat_id = ? AND message_id = ?", (chat_id, message_id)
    )
    if row is None:
        return None
    return BotMessage(
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        kind=row["kind"],
        unit_id=row["unit_id"],
        item_ids=tuple(json.loads(row["item_ids"])),
        report_id=row["report_id"],
    )


async def create_draft(
    db: Database, *, chat_id: int, user_id: int | None, message_id: int | None, text: str
) -> int:
    """Keep a reply that needs an item chosen; return the draft id for the buttons."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO drafts (chat_id, user_id, message_id, text) VALUES (?, ?, ?, ?)",
            (chat_id, user_id, message_id, text),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


@dataclass(frozen=True)
class Draft:
    """A reply waiting for its item."""

    id: int
    chat_id: int
    user_id: int | None
    message_id: int | None
    text: str


async def take_draft(db: Database, draft_id: int, *, chat_id: int, now: datetime) -> Draft | None:
    """Use a draft once (a second press of the button finds nothing)."""
    async with db.transaction() as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT * FROM drafts WHERE id = ? AND chat_id = ? AND used_at IS NULL",
                (draft_id, chat_id),
            )
        )
        if not rows:
            return None
        await conn.execute(
            "UPDATE drafts SET used_at = ? WHERE id = ?", (utc_timestamp(now), draft_id)
        )
    r = rows[0]
    return Draft(r["id"], r["chat_id"], r["user_id"], r["message_id"], r["text"])


_INSERT_SQL = """
    INSERT INTO reports (item_id, unit_id, contact_id, status, percent, text, expected_date,
                         chat_id, message_id, created_at, updated_at, value, measure, source,
                         reporter_user_id, reporter_name, signoff)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def _insert_row(new: NewReport, stamp: str) -> tuple[object, ...]:
    return (
        new.item_id,
        new.unit_id,
        new.contact_id,
        new.status,
        _clamp(new.percent),
        new.text,
        new.expected_date.isoformat() if new.expected_date else None,
        new.chat_id,
        new.message_id,
        stamp,
        stamp,
        new.value,
        new.measure,
        new.source,
        new.reporter_user_id,
        new.reporter_name,
        new.signoff,
    )


async def _insert(conn: aiosqlite.Connection, new: NewReport, stamp: str) -> int:
    cursor = await conn.execute(_INSERT_SQL, _insert_row(new, stamp))
    assert cursor.lastrowid is not None
    await _insert_evidence(conn, cursor.lastrowid, new.evidence)
    return cursor.lastrowid


def _clamp(percent: float | None) -> float | None:
    return None if percent is None else max(0.0, min(100.0, percent))


async def _insert_evidence(
    conn: aiosqlite.Connection, report_id: int, evidence: Iterable[Evidence]
) -> None:
    evidence = list(evidence)
    if not evidence:
        return
    await conn.executemany(
        "INSERT INTO evidence (report_id, kind, file_id, file_unique_id, file_name, mime_type,"
        " file_size) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (report_id, e.kind, e.file_id, e.file_unique_id, e.file_name, e.mime_type, e.file_size)
            for e in evidence
        ],
    )


async def _select(
    conn: aiosqlite.Connection, where: str, params: tuple[object, ...]
) -> list[Report]:
    # `where` is a constant fragment from this module; values are bound parameters.
    rows = list(
        await conn.execute_fetchall(
            f"SELECT r.*, u.name AS unit_name FROM reports r JOIN units u ON u.id = r.unit_id"
            f" WHERE {where} ORDER BY r.created_at, r.id",
            params,
        )
    )
    evidence = await _evidence(conn, [int(r["id"]) for r in rows])
    return [report_from_row(r, evidence.get(r["id"], ())) for r in rows]


async def _evidence(
    conn: aiosqlite.Connection, ids: Sequence[int]
) -> dict[int, tuple[Evidence, ...]]:
    found: dict[int, list[Evidence]] = {}
    if ids:
        for e in await conn.execute_fetchall(
            f"SELECT * FROM evidence WHERE report_id IN ({','.join('?' * len(ids))}) ORDER BY id",
            list(ids),
        ):
            found.setdefault(e["report_id"], []).append(
                Evidence(
                    kind=e["kind"],
                    file_id=e["file_id"],
                    file_unique_id=e["file_unique_id"],
                    file_name=e["file_name"],
                    mime_type=e["mime_type"],
                    file_size=e["file_size"],
                )
            )
    return {k: tuple(v) for k, v in found.items()}


async def evidence_of(db: Database, report_ids: Sequence[int]) -> dict[int, tuple[Evidence, ...]]:
    """The photos and documents sent with each report, by report id."""
    async with db.snapshot() as conn:
        return await _evidence(conn, report_ids)


def report_from_row(row: sqlite3.Row, evidence: tuple[Evidence, ...] = ()) -> Report:
    """A Report from a `reports` row joined with its unit's name (as `unit_name`)."""
    return Report(
        id=row["id"],
        item_id=row["item_id"],
        unit_id=row["unit_id"],
        status=row["status"],
        percent=row["percent"],
        text=row["text"],
        created_at=parse_timestamp(row["created_at"]),
        expected_date=date.fromisoformat(row["expected_date"]) if row["expected_date"] else None,
        value=row["value"],
        measure=row["measure"],
        source=row["source"],
        reporter_name=row["reporter_name"],
        unit_name=row["unit_name"],
        evidence=evidence,
        signoff=row["signoff"],
        signoff_note=row["signoff_note"],
    )

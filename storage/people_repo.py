"""People the bot talks to: contacts of units, coordinators, leaders — and the invites they join by.

Invite tokens are stored only as their SHA-256: the database alone cannot be used to join.
Redeeming is one guarded UPDATE, so a token works once even if two people race for it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from plans.model import Contact, PersonRole
from storage.db import Database, parse_timestamp, utc_timestamp


def hash_token(token: str) -> str:
    """The stored form of an invite token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Invite:
    """An invite as stored (never with its token)."""

    id: int
    role: PersonRole
    unit_id: int | None
    unit_name: str | None
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Redeemed:
    """The outcome of redeeming a token: the invite, and the contact it created or found."""

    invite: Invite
    contact: Contact
    already_member: bool


class InviteError(Exception):
    """An invite token that cannot be used; `reason` is unknown, used or expired."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def create_invite(
    db: Database,
    *,
    token: str,
    role: PersonRole,
    unit_id: int | None,
    created_by: int,
    expires_at: datetime,
    now: datetime | None = None,
) -> int:
    """Store an invite for `token` (hashed); return its id."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "INSERT INTO invites (token_hash, unit_id, role, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                hash_token(token),
                unit_id,
                role,
                created_by,
                utc_timestamp(now),
                utc_timestamp(expires_at),
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def redeem_invite(
    db: Database,
    *,
    token: str,
    user_id: int,
    chat_id: int,
    display_name: str,
    now: datetime,
) -> Redeemed:
    """Use an invite once: mark it used and make `chat_id` a contact with its role and unit.

    Raises InviteError("unknown" | "used" | "expired"). A chat that already has that
    membership is reactivated rather than duplicated.
    """
    stamp = utc_timestamp(now)
    async with db.transaction(changes="people") as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT i.*, u.name AS unit_name FROM invites i"
                " LEFT JOIN units u ON u.id = i.unit_id WHERE token_hash = ?",
                (hash_token(token),),
            )
        )
        if not rows:
            raise InviteError("unknown")
        row = rows[0]
        if row["used_at"] is not None:
            raise InviteError("used")
        if row["expires_at"] <= stamp:
            raise InviteError("expired")
        await conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
            (stamp, user_id, row["id"]),
        )
        existing = list(
            await conn.execute_fetchall(
                "SELECT id, active FROM contacts WHERE ifnull(unit_id, 0) = ifnull(?, 0)"
                " AND role = ? AND chat_id = ?",
                (row["unit_id"], row["role"], chat_id),
            )
        )
        if existing:
            contact_id = int(existing[0]["id"])
            already = bool(existing[0]["active"])
            await conn.execute(
                "UPDATE contacts SET active = 1, blocked_at = NULL, display_name = ?,"
                " telegram_user_id = ? WHERE id = ?",
                (display_name, user_id, contact_id),
            )
        else:
            cursor = await conn.execute(
                "INSERT INTO contacts (unit_id, role, telegram_user_id, chat_id, display_name,"
                " joined_at) VALUES (?, ?, ?, ?, ?, ?)",
                (row["unit_id"], row["role"], user_id, chat_id, display_name, stamp),
            )
            assert cursor.lastrowid is not None
            contact_id, already = cursor.lastrowid, False
    invite = _invite(row)
    contact = Contact(
        id=contact_id,
        role=row["role"],
        chat_id=chat_id,
        user_id=user_id,
        display_name=display_name,
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
    )
    return Redeemed(invite=invite, contact=contact, already_member=already)


async def active_contacts(db: Database) -> list[Contact]:
    """Every active membership (a deployment has hundreds: the bot keeps them in memory)."""
    rows = await db.fetchall(f"{_CONTACT_SELECT} WHERE c.active = 1 ORDER BY c.id")
    return [_contact(r) for r in rows]


async def unit_contacts(db: Database, unit_id: int) -> list[Contact]:
    """Active chats of a unit: its contacts' private chats and its group chats."""
    rows = await db.fetchall(
        f"{_CONTACT_SELECT} WHERE c.active = 1 AND c.role = 'contact' AND c.unit_id = ?"
        " ORDER BY c.id",
        (unit_id,),
    )
    return [_contact(r) for r in rows]


async def contacts_by_role(db: Database, roles: Sequence[PersonRole]) -> list[Contact]:
    """Active contacts holding any of `roles` (e.g. the coordinators to escalate to)."""
    marks = ",".join("?" * len(roles))
    rows = await db.fetchall(
        f"{_CONTACT_SELECT} WHERE c.active = 1 AND c.role IN ({marks}) ORDER BY c.id",
        tuple(roles),
    )
    return [_contact(r) for r in rows]


async def deactivate_chat(db: Database, chat_id: int, *, now: datetime) -> list[Contact]:
    """Mark every membership of `chat_id` inactive (the user blocked the bot, or the chat is
    gone); return the memberships that were active."""
    async with db.transaction(changes="people") as conn:
        rows = list(
            await conn.execute_fetchall(
                f"{_CONTACT_SELECT} WHERE c.active = 1 AND c.chat_id = ?", (chat_id,)
            )
        )
        await conn.execute(
            "UPDATE contacts SET active = 0, blocked_at = ? WHERE chat_id = ? AND active = 1",
            (utc_timestamp(now), chat_id),
        )
    return [_contact(r) for r in rows]


async def move_chat(db: Database, old_chat_id: int, new_chat_id: int) -> list[Contact]:
    """A group upgraded to a supergroup (Telegram's ChatMigrated): its memberships move to
    the new chat id; return them as they are now. Idempotent: a second call moves nothing.

    Where the new chat already has the same membership (someone joined it on its own), that
    one is kept -- active if either was -- and the old chat's is deactivated, so every
    membership stays one per chat and the reports made through the old one keep pointing at it.
    """
    async with db.transaction(changes="people") as conn:
        old = list(
            await conn.execute_fetchall(
                "SELECT id, unit_id, role, active FROM contacts WHERE chat_id = ?",
                (old_chat_id,),
            )
        )
        moved: list[int] = []
        for row in old:
            twins = list(
                await conn.execute_fetchall(
                    "SELECT id FROM contacts WHERE chat_id = ? AND role = ?"
                    " AND ifnull(unit_id, 0) = ifnull(?, 0)",
                    (new_chat_id, row["role"], row["unit_id"]),
                )
            )
            if not twins:
                await conn.execute(
                    "UPDATE contacts SET chat_id = ? WHERE id = ?", (new_chat_id, row["id"])
                )
                if row["active"]:
                    moved.append(int(row["id"]))
                continue
            twin = int(twins[0]["id"])
            if row["active"]:
                await conn.execute(
                    "UPDATE contacts SET active = 1, blocked_at = NULL WHERE id = ?", (twin,)
                )
                await conn.execute("UPDATE contacts SET active = 0 WHERE id = ?", (row["id"],))
                moved.append(twin)
        if not moved:
            return []
        marks = ",".join("?" * len(moved))
        rows = list(
            await conn.execute_fetchall(
                f"{_CONTACT_SELECT} WHERE c.id IN ({marks}) ORDER BY c.id", tuple(moved)
            )
        )
    return [_contact(r) for r in rows]


async def add_admin_chat(db: Database, *, user_id: int, display_name: str) -> Contact:
    """Record an admin (from DUBAN_ADMIN_IDS) once they talk to the bot, so escalations reach them."""
    async with db.transaction(changes="people") as conn:
        await conn.execute(
            "INSERT INTO contacts (unit_id, role, telegram_user_id, chat_id, display_name)"
            " VALUES (NULL, 'admin', ?, ?, ?)"
            " ON CONFLICT DO UPDATE SET active = 1, blocked_at = NULL,"
            " display_name = excluded.display_name",
            (user_id, user_id, display_name),
        )
        rows = list(
            await conn.execute_fetchall(
                f"{_CONTACT_SELECT} WHERE c.role = 'admin' AND c.chat_id = ?", (user_id,)
            )
        )
    return _contact(rows[0])


_CONTACT_SELECT = (
    "SELECT c.id, c.role, c.chat_id, c.telegram_user_id, c.display_name, c.unit_id,"
    " c.active, u.name AS unit_name FROM contacts c LEFT JOIN units u ON u.id = c.unit_id"
)


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(
        id=row["id"],
        role=row["role"],
        chat_id=row["chat_id"],
        user_id=row["telegram_user_id"],
        display_name=row["display_name"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        active=bool(row["active"]),
    )


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(
        id=row["id"],
        role=row["role"],
        unit_id=row["unit_id"],
        unit_name=row["unit_name"],
        expires_at=parse_timestamp(row["expires_at"]),
        used_at=parse_timestamp(row["used_at"]) if row["used_at"] else None,
    )

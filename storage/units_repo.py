"""The unit directory: responsible units (责任单位) and every spelling they are known by.

A name resolves to a unit through `unit_aliases`, keyed by `plans.documents.units.unit_key`: first the
name's own key, then the keys of the spellings `plans.documents.units.aliases_for` derives from it, so
"高新处", "局高新处" and "市科技局高新处" all find one unit.

Two spellings of one unit that the rule misses are folded together by `merge_units` (the folded
name becomes an alias of the other), a misspelt unit is corrected by `rename_unit` (the old name
stays an alias); either way later commands and re-imports naming the old spelling land on the
unit it now belongs to.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import aiosqlite

from plans.documents.unit_aliases import aliases_for, unit_key
from plans.documents.units import clean_unit_name
from storage.db import Database, utc_timestamp
from storage.errors import StorageError, UnknownUnit

# Longest unit name a coordinator may give (/addunit, /rename): real names are under 20.
UNIT_NAME_MAX = 60


@dataclass(frozen=True)
class StoredUnit:
    """A unit with the other spellings it answers to and how many live items name it."""

    id: int
    name: str
    aliases: tuple[str, ...]
    item_count: int
    lead_count: int


async def find_unit(db: Database, name: str) -> StoredUnit | None:
    """The unit `name` refers to, by its name or any alias; None if there is none."""
    async with db.snapshot() as conn:
        found = await resolve_unit(conn, name)
        if found is None:
            return None
        units = await _load_units(conn, "u.id = ?", (found[0],))
    return units[0]


async def search_units(db: Database, text: str) -> list[StoredUnit]:
    """Units whose name or an alias contains `text`, for offering choices when a name is
    ambiguous. Blank text matches nothing."""
    needle = unit_key(text.strip())
    if not needle:
        return []
    async with db.snapshot() as conn:
        return await _load_units(
            conn,
            "u.id IN (SELECT unit_id FROM unit_aliases WHERE instr(alias_key, ?) > 0)"
            " OR instr(u.name, ?) > 0",
            (needle, needle),
        )


async def list_units(db: Database) -> list[StoredUnit]:
    """Every known unit, in the order they were first seen."""
    async with db.snapshot() as conn:
        return await _load_units(conn, "1", ())


async def resolve_unit(conn: aiosqlite.Connection, name: str) -> tuple[int, str] | None:
    """`(id, name)` of the unit `name` refers to, or None. Works inside a transaction too."""
    for key in _lookup_keys(name):
        rows = list(
            await conn.execute_fetchall(
                "SELECT u.id, u.name FROM unit_aliases a JOIN units u ON u.id = a.unit_id"
                " WHERE a.alias_key = ?",
                (key,),
            )
        )
        if rows:
            return int(rows[0]["id"]), str(rows[0]["name"])
    return None


async def ensure_unit(conn: aiosqlite.Connection, name: str, now: str) -> tuple[int, str, bool]:
    """`(id, name, created)` of the unit `name` refers to, creating it if unknown.

    Must run inside a write transaction. The spellings derived from `name` are recorded as
    aliases of the unit, except those another unit already owns: they stay with their owner.
    """
    keys = _lookup_keys(name)
    if not keys:
        raise StorageError(f"empty unit name: {name!r}")
    found = await resolve_unit(conn, name)
    if found is None:
        canonical = clean_unit_name(name)
        async with conn.execute(
            "INSERT INTO units (name, key, created_at) VALUES (?, ?, ?)",
            (canonical, keys[0], now),
        ) as cursor:
            unit_id = cursor.lastrowid
        assert unit_id is not None
        created = True
    else:
        (unit_id, canonical), created = found, False
    await conn.executemany(
        "INSERT OR IGNORE INTO unit_aliases (alias_key, unit_id) VALUES (?, ?)",
        [(key, unit_id) for key in keys],
    )
    return unit_id, canonical, created


def _lookup_keys(name: str) -> list[str]:
    """The keys to try for `name`, its own first."""
    cleaned = clean_unit_name(name)
    if not cleaned:
        return []
    keys = [unit_key(cleaned), *(unit_key(alias) for alias in aliases_for(cleaned))]
    return [key for key in dict.fromkeys(keys) if key]


async def _load_units(
    conn: aiosqlite.Connection, where: str, params: tuple[object, ...]
) -> list[StoredUnit]:
    # `where` is a constant fragment from this module; values are always bound parameters.
    rows = await conn.execute_fetchall(
        f"""
        SELECT u.id, u.name, u.key,
               COUNT(i.id) AS item_count,
               COUNT(CASE WHEN iu.role = 'lead' THEN i.id END) AS lead_count
        FROM units u
        LEFT JOIN item_units iu ON iu.unit_id = u.id
        LEFT JOIN items i ON i.id = iu.item_id AND i.removed_at IS NULL
        WHERE {where}
        GROUP BY u.id
        ORDER BY u.id
        """,
        params,
    )
    alias_rows = await conn.execute_fetchall(
        f"""
        SELECT a.unit_id, a.alias_key FROM unit_aliases a
        WHERE a.unit_id IN (SELECT u.id FROM units u WHERE {where})
        ORDER BY a.rowid
        """,
        params,
    )
    aliases: dict[int, list[str]] = {}
    for row in alias_rows:
        aliases.setdefault(int(row["unit_id"]), []).append(str(row["alias_key"]))
    return [
        StoredUnit(
            id=int(row["id"]),
            name=str(row["name"]),
            aliases=tuple(a for a in aliases.get(int(row["id"]), []) if a != row["key"]),
            item_count=int(row["item_count"]),
            lead_count=int(row["lead_count"]),
        )
        for row in rows
    ]


async def add_unit(db: Database, name: str) -> tuple[StoredUnit, bool]:
    """Create a unit by name (with its aliases) unless it exists; `(unit, created)`."""
    async with db.transaction(changes="catalog") as conn:
        unit_id, _, created = await ensure_unit(conn, name, utc_timestamp())
        units = await _load_units(conn, "u.id = ?", (unit_id,))
    return units[0], created


async def match_unit(db: Database, text: str) -> StoredUnit | list[StoredUnit]:
    """The unit `text` names — exactly, by an alias, or as the only unit containing it.

    Returns the unit, or the list of candidates when the name is unknown (empty list) or
    ambiguous (several), so the caller can say which.
    """
    exact = await find_unit(db, text)
    if exact is not None:
        return exact
    candidates = await search_units(db, text)
    if len(candidates) == 1:
        return candidates[0]
    return candidates


async def assign_units(
    db: Database, item_id: int, unit_ids: list[int], role: str, *, now: datetime
) -> None:
    """Make units responsible for an item (a coordinator's /assign); an existing assignment
    of the same unit takes the new role."""
    if role not in ("lead", "support"):
        raise StorageError(f"role must be lead or support, not {role!r}")
    stamp = utc_timestamp(now)
    async with db.transaction(changes="catalog") as conn:
        rows = list(
            await conn.execute_fetchall(
                "SELECT coalesce(max(position), -1) AS last FROM item_units WHERE item_id = ?",
                (item_id,),
            )
        )
        position = int(rows[0]["last"]) + 1
        for unit_id in unit_ids:
            # assigned_at marks the row as the coordinator's, which re-imports keep.
            await conn.execute(
                "INSERT INTO item_units (item_id, unit_id, role, position, assigned_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (item_id, unit_id) DO UPDATE SET role = excluded.role,"
                " assigned_at = excluded.assigned_at",
                (item_id, unit_id, role, position, stamp),
            )
            position += 1


# ---------------------------------------------------------------------------- merge, rename


class UnitChangeRefused(StorageError):
    """A merge or rename that would be wrong, with nothing changed. `reason`:
    "same" (both names are one unit already, or the new name is the current one),
    "taken" (the new name belongs to unit `other`), "blank" or "too_long" (the new name)."""

    def __init__(
        self,
        reason: Literal["same", "taken", "blank", "too_long"],
        message: str,
        *,
        unit: str = "",
        other: str = "",
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.unit = unit
        self.other = other


@dataclass(frozen=True)
class MergeResult:
    """What folding `source` into `target` moved (counts of the source's rows)."""

    source: str
    target: str
    target_id: int
    items: int
    reports: int
    contacts: int
    invites: int
    nudges: int


@dataclass(frozen=True)
class RenameResult:
    """A unit's old and new name."""

    unit_id: int
    old: str
    new: str


async def merge_units(
    db: Database, source: str, target: str, *, now: datetime | None = None
) -> MergeResult:
    """Fold unit `source` into unit `target`: two spellings of one unit.

    Everything that names the source — its items, reports, contacts, invites, nudge records,
    bot messages — moves to the target, and every spelling of the source becomes an alias of
    the target, so later commands and re-imports that name it land on the target. Where both
    were on one item the target's entry stays, leading if either led; a chat that was a contact
    of both keeps one membership (its reports follow it). One transaction: all or nothing.

    Names are looked up exactly (name or alias): raises UnknownUnit for either, and
    UnitChangeRefused("same") when both name one unit.
    """
    stamp = utc_timestamp(now)
    async with db.transaction(changes="catalog") as conn:
        found = await resolve_unit(conn, source)
        if found is None:
            raise UnknownUnit(source)
        into = await resolve_unit(conn, target)
        if into is None:
            raise UnknownUnit(target)
        (source_id, source_name), (target_id, target_name) = found, into
        if source_id == target_id:
            raise UnitChangeRefused(
                "same", f"{source!r} and {target!r} are one unit: {target_name}", unit=target_name
            )
        counts = await _row_counts(conn, source_id)
        await _fold_item_units(conn, source_id, target_id)
        await _fold_contacts(conn, source_id, target_id)
        await conn.execute(
            "DELETE FROM nudges WHERE unit_id = ? AND EXISTS (SELECT 1 FROM nudges t"
            " WHERE t.unit_id = ? AND ifnull(t.item_id, 0) = ifnull(nudges.item_id, 0)"
            " AND t.kind = nudges.kind AND t.due_on = nudges.due_on)",
            (source_id, target_id),
        )
        # updated_at: the status views re-read reports changed since they last looked.
        await conn.execute(
            "UPDATE reports SET unit_id = ?, updated_at = ? WHERE unit_id = ?",
            (target_id, stamp, source_id),
        )
        await _repoint_unit_references(conn, source_id, target_id)
        await conn.execute("DELETE FROM units WHERE id = ?", (source_id,))
    db.changed("people")
    return MergeResult(source=source_name, target=target_name, target_id=target_id, **counts)


async def rename_unit(
    db: Database, name: str, new_name: str, *, now: datetime | None = None
) -> RenameResult:
    """Give the unit `name` refers to the name `new_name`; it keeps its items, reports and
    contacts, and the old name (with its spellings) stays an alias.

    Raises UnknownUnit, or UnitChangeRefused: "blank" / "too_long" new name, "same" (already
    its name), "taken" (another unit goes by it: merge them instead).
    """
    new = clean_unit_name(new_name)
    if not new:
        raise UnitChangeRefused("blank", "the new unit name is empty")
    if len(new) > UNIT_NAME_MAX:
        raise UnitChangeRefused("too_long", f"the new unit name is over {UNIT_NAME_MAX} characters")
    stamp = utc_timestamp(now)
    async with db.transaction(changes="catalog") as conn:
        found = await resolve_unit(conn, name)
        if found is None:
            raise UnknownUnit(name)
        unit_id, old = found
        owner = await resolve_unit(conn, new)
        if owner is not None and owner[0] != unit_id:
            raise UnitChangeRefused(
                "taken", f"{new!r} is already unit {owner[1]!r}", unit=old, other=owner[1]
            )
        if new == old:
            raise UnitChangeRefused("same", f"the unit is already called {new!r}", unit=old)
        try:
            await conn.execute(
                "UPDATE units SET name = ?, key = ? WHERE id = ?", (new, unit_key(new), unit_id)
            )
        except sqlite3.IntegrityError:  # a unit whose own key was left to another's alias
            raise UnitChangeRefused(
                "taken", f"{new!r} is already a unit's name", unit=old, other=new
            ) from None
        await conn.executemany(
            "INSERT OR IGNORE INTO unit_aliases (alias_key, unit_id) VALUES (?, ?)",
            [(key, unit_id) for key in _lookup_keys(new)],
        )
        # Contacts and reports show the unit's name through a join: touch them so the caches
        # keyed by their versions (people) and times (reports) pick the new name up.
        await conn.execute("UPDATE contacts SET unit_id = unit_id WHERE unit_id = ?", (unit_id,))
        await conn.execute("UPDATE reports SET updated_at = ? WHERE unit_id = ?", (stamp, unit_id))
    db.changed("people")
    return RenameResult(unit_id=unit_id, old=old, new=new)


async def _row_counts(conn: aiosqlite.Connection, unit_id: int) -> dict[str, int]:
    """How many items, reports, contacts, invites and nudge records name the unit."""
    counts: dict[str, int] = {}
    for key, sql in (
        ("items", "SELECT COUNT(*) FROM item_units WHERE unit_id = ?"),
        ("reports", "SELECT COUNT(*) FROM reports WHERE unit_id = ?"),
        ("contacts", "SELECT COUNT(*) FROM contacts WHERE unit_id = ?"),
        ("invites", "SELECT COUNT(*) FROM invites WHERE unit_id = ?"),
        ("nudges", "SELECT COUNT(*) FROM nudges WHERE unit_id = ?"),
    ):
        rows = list(await conn.execute_fetchall(sql, (unit_id,)))
        counts[key] = int(rows[0][0])
    return counts


async def _fold_item_units(conn: aiosqlite.Connection, source_id: int, target_id: int) -> None:
    """Where both units are on an item, the target's entry stays (leading if either led, the
    coordinator's if either was) and the source's goes; elsewhere the source's entry moves."""
    both = (
        "SELECT s.item_id FROM item_units s WHERE s.unit_id = ? AND s.item_id = item_units.item_id"
    )
    await conn.execute(
        "UPDATE item_units SET"
        " role = CASE WHEN EXISTS (SELECT 1 FROM item_units s WHERE s.unit_id = ?"
        "   AND s.item_id = item_units.item_id AND s.role = 'lead') THEN 'lead' ELSE role END,"
        " assigned_at = coalesce(assigned_at, (SELECT s.assigned_at FROM item_units s"
        "   WHERE s.unit_id = ? AND s.item_id = item_units.item_id))"
        f" WHERE unit_id = ? AND EXISTS ({both})",
        (source_id, source_id, target_id, source_id),
    )
    await conn.execute(
        "DELETE FROM item_units WHERE unit_id = ? AND item_id IN"
        " (SELECT item_id FROM item_units WHERE unit_id = ?)",
        (source_id, target_id),
    )


async def _fold_contacts(conn: aiosqlite.Connection, source_id: int, target_id: int) -> None:
    """A chat that is a contact of both units keeps the target's membership (active if either
    was); the source's membership goes, and the reports made through it follow."""
    twin = (
        "SELECT t.id FROM contacts t WHERE t.unit_id = ? AND t.role = s.role"
        " AND t.chat_id = s.chat_id"
    )
    doubles = [
        (int(r["source"]), int(r["target"]), int(r["active"]))
        for r in await conn.execute_fetchall(
            f"SELECT s.id AS source, ({twin}) AS target, s.active FROM contacts s"
            f" WHERE s.unit_id = ? AND EXISTS ({twin})",
            (target_id, source_id, target_id),
        )
    ]
    for source_contact, target_contact, active in doubles:
        await conn.execute(
            "UPDATE reports SET contact_id = ? WHERE contact_id = ?",
            (target_contact, source_contact),
        )
        if active:
            await conn.execute(
                "UPDATE contacts SET active = 1, blocked_at = NULL WHERE id = ?",
                (target_contact,),
            )
        await conn.execute("DELETE FROM contacts WHERE id = ?", (source_contact,))


async def _repoint_unit_references(
    conn: aiosqlite.Connection, source_id: int, target_id: int
) -> None:
    """Point every column that references units(id) at the target instead of the source:
    aliases, assignments, contacts, invites, nudges, batches, bot messages — and any table a
    later migration adds, so a merge never leaves rows behind for a cascade to delete."""
    tables = [
        str(r["name"])
        for r in await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        for fk in await conn.execute_fetchall(
            'SELECT "table", "from" FROM pragma_foreign_key_list(?)', (table,)
        ):
            if fk["table"] != "units":
                continue
            # identifiers come from the schema itself, quoted; values are bound
            column = str(fk["from"]).replace('"', '""')
            name = table.replace('"', '""')
            await conn.execute(
                f'UPDATE "{name}" SET "{column}" = ? WHERE "{column}" = ?',
                (target_id, source_id),
            )

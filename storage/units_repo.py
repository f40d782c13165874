"""The unit directory: responsible units (责任单位) and every spelling they are known by.

A name resolves to a unit through `unit_aliases`, keyed by `plans.units.unit_key`: first the
name's own key, then the keys of the spellings `plans.units.aliases_for` derives from it, so
"高新处", "局高新处" and "市科技局高新处" all find one unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from plans.units import aliases_for, clean_unit_name, unit_key
from storage.db import Database, utc_timestamp
from storage.errors import StorageError


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
            await conn.execute(
                "INSERT INTO item_units (item_id, unit_id, role, position, assigned_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (item_id, unit_id) DO UPDATE SET role = excluded.role",
                (item_id, unit_id, role, position, stamp),
            )
            position += 1

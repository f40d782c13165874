"""Writing a plan's rows for an import (storage/plan_import.py): its sections, and each item
with its units, targets and milestones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import aiosqlite

from plans.model import Item, Section


async def store_sections(
    conn: aiosqlite.Connection, plan_id: int, sections: Sequence[Section]
) -> tuple[bool, dict[tuple[str, ...], int]]:
    """Make the plan's stored sections equal `sections`; return (changed, id by path).

    Nothing outside the plan refers to a section, so a changed outline is simply rewritten.
    """
    rows = list(
        await conn.execute_fetchall(
            "SELECT id, number, title, path FROM sections WHERE plan_id = ? ORDER BY position",
            (plan_id,),
        )
    )
    current = [
        Section(number=row["number"], title=row["title"], path=tuple(json.loads(row["path"])))
        for row in rows
    ]
    changed = current != list(sections)
    ids: list[int] = [int(row["id"]) for row in rows]
    if changed:
        await conn.execute("DELETE FROM sections WHERE plan_id = ?", (plan_id,))
        ids = []
        for position, section in enumerate(sections):
            async with conn.execute(
                "INSERT INTO sections (plan_id, number, title, path, position)"
                " VALUES (?, ?, ?, ?, ?)",
                (plan_id, section.number, section.title, json_list(section.path), position),
            ) as cursor:
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
    by_path: dict[tuple[str, ...], int] = {}
    for section, section_id in zip(sections, ids, strict=True):
        by_path.setdefault(section.path, section_id)
    return changed, by_path


def section_for(path: tuple[str, ...], section_ids: dict[tuple[str, ...], int]) -> int | None:
    """The section whose path is the longest prefix of an item's path."""
    for length in range(len(path), 0, -1):
        if path[:length] in section_ids:
            return section_ids[path[:length]]
    return None


def _item_columns(item: Item) -> tuple[Any, ...]:
    return (
        item.seq,
        item.number,
        json_list(item.path),
        item.kind,
        item.title,
        item.text,
        item.deadline.isoformat() if item.deadline else None,
        item.deadline_text,
    )


async def insert_item(
    conn: aiosqlite.Connection, plan_id: int, section_id: int | None, item: Item, stamp: str
) -> int:
    """A new item row (without its units, targets, milestones: `store_children`); its id."""
    async with conn.execute(
        "INSERT INTO items (plan_id, section_id, seq, number, path, kind, title, text,"
        " deadline, deadline_text, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (plan_id, section_id, *_item_columns(item), stamp, stamp),
    ) as cursor:
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def update_item(
    conn: aiosqlite.Connection, item_id: int, section_id: int | None, item: Item, stamp: str
) -> None:
    """Rewrite an item's row in place (its id stays) and clear its children for `store_children`."""
    await conn.execute(
        "UPDATE items SET section_id = ?, seq = ?, number = ?, path = ?, kind = ?, title = ?,"
        " text = ?, deadline = ?, deadline_text = ?, updated_at = ? WHERE id = ?",
        (section_id, *_item_columns(item), stamp, item_id),
    )
    for table in ("item_units", "targets", "milestones"):
        await conn.execute(f"DELETE FROM {table} WHERE item_id = ?", (item_id,))


async def store_children(
    conn: aiosqlite.Connection,
    item_id: int,
    item: Item,
    unit_ids: Sequence[int],
    assigned: dict[int, str],
) -> None:
    """Insert an item's units, targets and milestones (the item has none stored); `assigned`
    gives the time a coordinator assigned a unit, for the units they did (the document's own
    units leave assigned_at NULL, so the common case does not name the column)."""
    rows = [
        (item_id, unit_id, ref.role, position)
        for position, (unit_id, ref) in enumerate(zip(unit_ids, item.units, strict=True))
    ]
    if assigned:
        await conn.executemany(
            "INSERT INTO item_units (item_id, unit_id, role, position, assigned_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(*row, assigned.get(row[1])) for row in rows],
        )
    else:
        await conn.executemany(
            "INSERT INTO item_units (item_id, unit_id, role, position) VALUES (?, ?, ?, ?)",
            rows,
        )
    await conn.executemany(
        "INSERT INTO targets (item_id, position, text, value, upper, measure, op)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (item_id, position, t.text, t.value, t.upper, t.measure, t.op)
            for position, t in enumerate(item.targets)
        ],
    )
    await conn.executemany(
        "INSERT INTO milestones (item_id, position, date, text) VALUES (?, ?, ?, ?)",
        [
            (item_id, position, m.date.isoformat(), m.text)
            for position, m in enumerate(item.milestones)
        ],
    )


def json_list(value: Sequence[str]) -> str:
    """A list of strings as stored: JSON, Chinese kept readable."""
    return json.dumps(list(value), ensure_ascii=False)

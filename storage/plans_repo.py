"""Plans and their items as stored: reading them (the plans, an item, a unit's items, items by
id). Importing a plan is storage/plan_import.py.

`load_items` is the one reader of an item's rows (its units, targets and milestones) that the
other repositories share.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from plans.model import Item, Milestone, Target, UnitRef
from storage.db import Database, parse_timestamp
from storage.errors import UnknownUnit
from storage.units_repo import resolve_unit


@dataclass(frozen=True)
class StoredPlan:
    """A plan as stored, with the number of its live (not removed) items."""

    id: int
    title: str
    year: int
    source_name: str
    content_hash: str
    default_units: tuple[str, ...]
    item_count: int
    imported_at: datetime
    updated_at: datetime
    active: bool
    # What the last import of the plan read but did not take as items, and its warnings:
    # the parts of the import review that cannot be recomputed from the stored items.
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredItem:
    """An item with its database id and the id of its plan.

    `item.units` carry the units' directory names, which may be a fuller spelling than the
    plan used (the plan's "高新处" comes back as the stored "局高新处").
    """

    id: int
    plan_id: int
    item: Item


async def list_plans(db: Database) -> list[StoredPlan]:
    """Every stored plan, in import order."""
    rows = await db.fetchall(
        """
        SELECT p.*,
               (SELECT COUNT(*) FROM items i
                WHERE i.plan_id = p.id AND i.removed_at IS NULL) AS item_count
        FROM plans p ORDER BY p.id
        """
    )
    return [
        StoredPlan(
            id=int(row["id"]),
            title=str(row["title"]),
            year=int(row["year"]),
            source_name=str(row["source_name"]),
            content_hash=str(row["content_hash"]),
            default_units=tuple(json.loads(row["default_units"])),
            item_count=int(row["item_count"]),
            imported_at=parse_timestamp(row["imported_at"]),
            updated_at=parse_timestamp(row["updated_at"]),
            active=bool(row["active"]),
            warnings=tuple(json.loads(row["warnings"])),
            skipped=tuple(json.loads(row["skipped"])),
        )
        for row in rows
    ]


async def list_items(
    db: Database, *, plan_id: int | None = None, unit: str | None = None
) -> list[StoredItem]:
    """Live items, ordered by plan and seq; only `plan_id`'s, only those naming `unit`.

    `unit` may be any alias of the unit. Raises UnknownUnit if no unit goes by that name.
    """
    where = ["i.removed_at IS NULL"]
    params: list[object] = []
    async with db.snapshot() as conn:
        if plan_id is not None:
            where.append("i.plan_id = ?")
            params.append(plan_id)
        if unit is not None:
            found = await resolve_unit(conn, unit)
            if found is None:
                raise UnknownUnit(unit)
            where.append("i.id IN (SELECT item_id FROM item_units WHERE unit_id = ?)")
            params.append(found[0])
        return await load_items(conn, " AND ".join(where), tuple(params))


async def get_item(db: Database, plan_id: int, seq: int) -> StoredItem | None:
    """The live item numbered `seq` in plan `plan_id`, or None."""
    async with db.snapshot() as conn:
        items = await load_items(
            conn, "i.plan_id = ? AND i.seq = ? AND i.removed_at IS NULL", (plan_id, seq)
        )
    return items[0] if items else None


async def load_items(
    conn: aiosqlite.Connection, where: str, params: tuple[object, ...]
) -> list[StoredItem]:
    """Items matching `where` (over `items i`) with their units, targets and milestones.

    Four queries whatever the number of items. `where` must be a constant SQL fragment;
    values go in `params`.
    """
    selected = f"SELECT i.id FROM items i WHERE {where}"
    rows = await conn.execute_fetchall(
        f"SELECT i.* FROM items i WHERE {where} ORDER BY i.plan_id, i.seq, i.id", params
    )
    units: dict[int, list[UnitRef]] = {}
    for row in await conn.execute_fetchall(
        f"""
        SELECT iu.item_id, u.name, iu.role FROM item_units iu JOIN units u ON u.id = iu.unit_id
        WHERE iu.item_id IN ({selected}) ORDER BY iu.item_id, iu.position
        """,
        params,
    ):
        units.setdefault(row["item_id"], []).append(UnitRef(row["name"], row["role"]))
    targets: dict[int, list[Target]] = {}
    for row in await conn.execute_fetchall(
        f"""
        SELECT item_id, text, value, upper, measure, op FROM targets
        WHERE item_id IN ({selected}) ORDER BY item_id, position
        """,
        params,
    ):
        targets.setdefault(row["item_id"], []).append(
            Target(
                text=row["text"],
                value=row["value"],
                measure=row["measure"],
                op=row["op"],
                upper=row["upper"],
            )
        )
    milestones: dict[int, list[Milestone]] = {}
    for row in await conn.execute_fetchall(
        f"""
        SELECT item_id, date, text FROM milestones
        WHERE item_id IN ({selected}) ORDER BY item_id, position
        """,
        params,
    ):
        milestones.setdefault(row["item_id"], []).append(
            Milestone(date=date.fromisoformat(row["date"]), text=row["text"])
        )
    return [
        StoredItem(
            id=row["id"],
            plan_id=row["plan_id"],
            item=Item(
                seq=row["seq"],
                number=row["number"],
                path=tuple(json.loads(row["path"])),
                kind=row["kind"],
                title=row["title"],
                text=row["text"],
                units=tuple(units.get(row["id"], ())),
                deadline=date.fromisoformat(row["deadline"]) if row["deadline"] else None,
                deadline_text=row["deadline_text"],
                milestones=tuple(milestones.get(row["id"], ())),
                targets=tuple(targets.get(row["id"], ())),
            ),
        )
        for row in rows
    ]


async def unassigned_items(db: Database, plan_id: int | None = None) -> list[StoredItem]:
    """Live items no unit is responsible for yet (plans that name no units)."""
    where = (
        "i.removed_at IS NULL AND NOT EXISTS (SELECT 1 FROM item_units iu WHERE iu.item_id = i.id)"
        " AND i.plan_id IN (SELECT id FROM plans WHERE active = 1)"
    )
    params: tuple[object, ...] = ()
    if plan_id is not None:
        where += " AND i.plan_id = ?"
        params = (plan_id,)
    async with db.snapshot() as conn:
        return await load_items(conn, where, params)


async def items_by_ids(db: Database, item_ids: Sequence[int]) -> dict[int, StoredItem]:
    """Items by database id (removed ones included: old nudges may name them)."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    async with db.snapshot() as conn:
        items = await load_items(conn, f"i.id IN ({','.join('?' * len(ids))})", tuple(ids))
    return {s.id: s for s in items}


async def unit_item_ids(db: Database, unit_ids: Sequence[int]) -> dict[int, set[int]]:
    """For each unit, the ids of the live items it is responsible for."""
    ids = list(unit_ids)
    if not ids:
        return {}
    rows = await db.fetchall(
        "SELECT iu.unit_id, iu.item_id FROM item_units iu JOIN items i ON i.id = iu.item_id"
        f" WHERE i.removed_at IS NULL AND iu.unit_id IN ({','.join('?' * len(ids))})",
        tuple(ids),
    )
    out: dict[int, set[int]] = {u: set() for u in ids}
    for r in rows:
        out[r["unit_id"]].add(r["item_id"])
    return out

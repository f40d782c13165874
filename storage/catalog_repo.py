"""The catalog: active plans, their live items, and which unit answers for which item.

Replies read it on every message and it changes only on imports and assignments, so the bot
keeps it in memory keyed by `catalog_version` (a counter that triggers bump in the same
transaction as any change to those tables, whichever process makes it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from storage.db import Database
from storage.plans_repo import StoredItem, StoredPlan, list_plans, load_items


@dataclass(frozen=True)
class Catalog:
    """What is being followed up, indexed the ways chat needs it."""

    version: int
    plans: tuple[StoredPlan, ...]  # active plans
    items: dict[int, StoredItem]  # live items of active plans, by id
    by_seq: dict[int, list[StoredItem]] = field(default_factory=dict)  # seq → one per plan
    unit_items: dict[int, set[int]] = field(default_factory=dict)  # unit id → item ids
    item_units: dict[int, list[tuple[int, str]]] = field(
        default_factory=dict
    )  # item → (unit, role)

    @property
    def multi(self) -> bool:
        """Several active plans: items are referred to as plan-seq."""
        return len(self.plans) > 1

    def ref(self, item: StoredItem) -> str:
        return f"{item.plan_id}-{item.item.seq}" if self.multi else str(item.item.seq)

    def items_of(self, unit_ids: tuple[int, ...] | list[int]) -> set[int]:
        """Ids of the items any of these units answers for."""
        out: set[int] = set()
        for unit_id in unit_ids:
            out |= self.unit_items.get(unit_id, set())
        return out

    def lead_unit(self, item_id: int) -> int | None:
        """The first lead unit of an item (or its first unit)."""
        units = self.item_units.get(item_id, [])
        return next((u for u, role in units if role == "lead"), units[0][0] if units else None)


async def versions(db: Database) -> dict[str, int]:
    """The counters that move when the catalog ("catalog") or the people ("people") change."""
    rows = await db.fetchall("SELECT key, value FROM meta")
    return {str(r["key"]).removesuffix("_version"): int(r["value"]) for r in rows}


async def load_catalog(db: Database) -> Catalog:
    """Read the whole catalog (a few queries, whatever its size)."""
    async with db.snapshot() as conn:
        version_rows = list(
            await conn.execute_fetchall("SELECT value FROM meta WHERE key = 'catalog_version'")
        )
        items = await load_items(
            conn,
            "i.removed_at IS NULL AND i.plan_id IN (SELECT id FROM plans WHERE active = 1)",
            (),
        )
        links = await conn.execute_fetchall(
            "SELECT iu.item_id, iu.unit_id, iu.role FROM item_units iu JOIN items i"
            " ON i.id = iu.item_id WHERE i.removed_at IS NULL ORDER BY iu.item_id, iu.position"
        )
    plans = tuple(p for p in await list_plans(db) if p.active)
    by_id = {s.id: s for s in items}
    by_seq: dict[int, list[StoredItem]] = defaultdict(list)
    for s in items:
        by_seq[s.item.seq].append(s)
    unit_items: dict[int, set[int]] = defaultdict(set)
    item_units: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in links:
        if row["item_id"] in by_id:
            unit_items[row["unit_id"]].add(row["item_id"])
            item_units[row["item_id"]].append((row["unit_id"], row["role"]))
    return Catalog(
        version=int(version_rows[0]["value"]) if version_rows else 0,
        plans=plans,
        items=by_id,
        by_seq=dict(by_seq),
        unit_items=dict(unit_items),
        item_units=dict(item_units),
    )

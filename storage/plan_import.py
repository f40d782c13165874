"""Importing a parsed plan, and re-importing an edited one.

An item keeps its id across re-imports of its plan, even when renumbered or re-titled, because
reports point at it. Items that disappear from the plan are marked removed, never deleted.
A coordinator's own assignments (/assign: item_units rows with assigned_at) survive re-imports.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import aiosqlite

from plans.model import LEAD, SUPPORT, Item, Plan, Role, UnitRef
from storage.db import Database, utc_timestamp
from storage.item_rows import (
    insert_item,
    json_list,
    section_for,
    store_children,
    store_sections,
    update_item,
)
from storage.plans_repo import StoredItem, load_items
from storage.units_repo import ensure_unit


@dataclass(frozen=True)
class ImportResult:
    """What an import did. `unchanged` means the stored plan already said the same thing."""

    plan_id: int
    created: bool
    unchanged: bool
    items_added: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_removed: int = 0
    units_created: tuple[str, ...] = ()


async def import_plan(
    db: Database,
    plan: Plan,
    *,
    source_name: str,
    content_hash: str,
    now: datetime | None = None,
) -> ImportResult:
    """Store `plan`, or bring the stored plan of the same title and year up to date with it.

    All in one transaction. The same content_hash as stored writes nothing (but the plan's
    warnings and skipped parts, should this duban read them differently). Otherwise incoming
    items are matched to live stored items by (number, title), then title, then (path, number);
    matched items are updated in place and keep their ids, the rest are added, and stored items
    left unmatched are marked removed. Unknown units are created with their aliases; a name
    that is an alias (a merged unit's old name, a renamed unit's old name) finds its unit.
    Units a coordinator assigned to an item stay on it, with the role they gave. A plan that
    comes out the same from another file (another encoding, another format) leaves the plan's
    row as it was: its source name, hash and updated_at name the file that last changed it.
    """
    stamp = utc_timestamp(now)
    async with db.transaction(changes="catalog") as conn:
        plan_row = await _one(
            conn,
            "SELECT id, content_hash, default_units FROM plans WHERE title = ? AND year = ?",
            (plan.title, plan.year),
        )
        if plan_row is not None and plan_row["content_hash"] == content_hash:
            await _store_review(conn, int(plan_row["id"]), plan, only_if_changed=True)
            count = await _one(
                conn,
                "SELECT COUNT(*) AS n FROM items WHERE plan_id = ? AND removed_at IS NULL",
                (plan_row["id"],),
            )
            assert count is not None
            return ImportResult(
                plan_id=int(plan_row["id"]),
                created=False,
                unchanged=True,
                items_unchanged=int(count["n"]),
            )

        default_units = json_list(plan.default_units)
        if plan_row is None:
            async with conn.execute(
                "INSERT INTO plans (title, year, source_name, content_hash, default_units,"
                " imported_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (plan.title, plan.year, source_name, content_hash, default_units, stamp, stamp),
            ) as cursor:
                assert cursor.lastrowid is not None
                plan_id = cursor.lastrowid
            if plan.warnings or plan.skipped:  # else the columns' default, [], says it
                await _store_review(conn, plan_id, plan)
            stored: list[StoredItem] = []
        else:
            # The plan's own row is written at the end, and only if the plan changed: the same
            # plan in another file (another encoding, .docx instead of .txt) leaves it as it is.
            plan_id = int(plan_row["id"])
            stored = await load_items(conn, "i.plan_id = ? AND i.removed_at IS NULL", (plan_id,))
            await _store_review(conn, plan_id, plan, only_if_changed=True)

        sections_changed, section_ids = await store_sections(conn, plan_id, plan.sections)

        units_created: list[str] = []
        incoming: list[tuple[Item, list[int]]] = []
        # A plan names a dozen units thousands of times; resolve each spelling once.
        known: dict[str, tuple[int, str]] = {}
        for item in plan.items:
            refs: list[UnitRef] = []
            unit_ids: list[int] = []
            for ref in item.units:
                if ref.name not in known:
                    unit_id, name, created = await ensure_unit(conn, ref.name, stamp)
                    known[ref.name] = (unit_id, name)
                    if created:
                        units_created.append(name)
                unit_id, name = known[ref.name]
                # Two spellings of one unit on one item ("高新处", "局高新处", or a merged
                # unit's old name beside its new one): one entry, the first place, lead if
                # either spelling leads.
                if unit_id not in unit_ids:
                    unit_ids.append(unit_id)
                    refs.append(UnitRef(name, ref.role))
                elif ref.role == LEAD:
                    refs[unit_ids.index(unit_id)] = UnitRef(name, LEAD)
            incoming.append((replace(item, units=tuple(refs)), unit_ids))

        matches = match_items(stored, [item for item, _ in incoming])
        restored = await _restorable(conn, plan_id, incoming, matches)
        manual = await _manual_assignments(conn, plan_id) if plan_row is not None else {}
        added = updated = unchanged = 0
        for index, (incoming_item, match) in enumerate(zip(incoming, matches, strict=True)):
            previous_id = match.id if match is not None else restored.get(index)
            kept = manual.get(previous_id, []) if previous_id is not None else []
            item, unit_ids, assigned = _with_manual(*incoming_item, kept)
            section_id = section_for(item.path, section_ids)
            if match is None and index in restored:
                # An item dropped by an earlier edit is back: it keeps its id and its reports.
                item_id = restored[index]
                await update_item(conn, item_id, section_id, item, stamp)
                await conn.execute("UPDATE items SET removed_at = NULL WHERE id = ?", (item_id,))
                updated += 1
            elif match is None:
                item_id = await insert_item(conn, plan_id, section_id, item, stamp)
                added += 1
            elif match.item != item:
                item_id = match.id
                await update_item(conn, item_id, section_id, item, stamp)
                updated += 1
            else:
                if sections_changed:
                    await conn.execute(
                        "UPDATE items SET section_id = ? WHERE id = ?", (section_id, match.id)
                    )
                unchanged += 1
                continue
            await store_children(conn, item_id, item, unit_ids, assigned)

        matched_ids = {m.id for m in matches if m is not None}
        removed = [(stamp, stamp, s.id) for s in stored if s.id not in matched_ids]
        await conn.executemany(
            "UPDATE items SET removed_at = ?, updated_at = ? WHERE id = ?", removed
        )
        same = (
            plan_row is not None
            and not (added or updated or removed or sections_changed)
            and plan_row["default_units"] == default_units
        )
        if plan_row is not None and not same:
            await conn.execute(
                "UPDATE plans SET source_name = ?, content_hash = ?, default_units = ?,"
                " updated_at = ? WHERE id = ?",
                (source_name, content_hash, default_units, stamp, plan_id),
            )

        return ImportResult(
            plan_id=plan_id,
            created=plan_row is None,
            unchanged=same,
            items_added=added,
            items_updated=updated,
            items_unchanged=unchanged,
            items_removed=len(removed),
            units_created=tuple(units_created),
        )


async def _store_review(
    conn: aiosqlite.Connection, plan_id: int, plan: Plan, *, only_if_changed: bool = False
) -> None:
    """Keep what the import review cannot recompute later: the plan's warnings and the parts
    of the document read but not taken as items. `only_if_changed` writes nothing when the
    stored ones say the same (a re-import of the same document)."""
    values = (json_list(plan.warnings), json_list(plan.skipped))
    if only_if_changed:
        row = await _one(conn, "SELECT warnings, skipped FROM plans WHERE id = ?", (plan_id,))
        if row is not None and (row["warnings"], row["skipped"]) == values:
            return
    await conn.execute(
        "UPDATE plans SET warnings = ?, skipped = ? WHERE id = ?", (*values, plan_id)
    )


async def _restorable(
    conn: aiosqlite.Connection,
    plan_id: int,
    incoming: Sequence[tuple[Item, list[int]]],
    matches: Sequence[StoredItem | None],
) -> dict[int, int]:
    """Incoming items (by index) that match a removed item of the plan exactly: its id."""
    unmatched = [i for i, m in enumerate(matches) if m is None]
    if not unmatched:
        return {}
    removed = await load_items(conn, "i.plan_id = ? AND i.removed_at IS NOT NULL", (plan_id,))
    if not removed:
        return {}
    found = match_items(removed, [incoming[i][0] for i in unmatched], keys=_MATCH_KEYS[:2])
    return {i: m.id for i, m in zip(unmatched, found, strict=True) if m is not None}


@dataclass(frozen=True)
class _Manual:
    """A coordinator's assignment of a unit to an item (an item_units row with assigned_at)."""

    unit_id: int
    name: str
    role: str
    assigned_at: str


async def _manual_assignments(conn: aiosqlite.Connection, plan_id: int) -> dict[int, list[_Manual]]:
    """The coordinator's assignments on the plan's items (removed ones too), by item id."""
    rows = await conn.execute_fetchall(
        "SELECT iu.item_id, iu.unit_id, u.name, iu.role, iu.assigned_at FROM item_units iu"
        " JOIN units u ON u.id = iu.unit_id JOIN items i ON i.id = iu.item_id"
        " WHERE i.plan_id = ? AND iu.assigned_at IS NOT NULL ORDER BY iu.item_id, iu.position",
        (plan_id,),
    )
    out: dict[int, list[_Manual]] = {}
    for row in rows:
        out.setdefault(int(row["item_id"]), []).append(
            _Manual(int(row["unit_id"]), str(row["name"]), str(row["role"]), row["assigned_at"])
        )
    return out


def _with_manual(
    item: Item, unit_ids: list[int], manual: Sequence[_Manual]
) -> tuple[Item, list[int], dict[int, str]]:
    """The item's units as the document names them, with the coordinator's assignments kept:
    an assigned unit the document also names takes the assigned role, the others follow the
    document's units. Also returns when each assigned unit was assigned, by unit id."""
    if not manual:
        return item, unit_ids, {}
    refs, ids = list(item.units), list(unit_ids)
    for m in manual:
        role: Role = LEAD if m.role == LEAD else SUPPORT
        if m.unit_id in ids:
            k = ids.index(m.unit_id)
            refs[k] = UnitRef(refs[k].name, role)
        else:
            ids.append(m.unit_id)
            refs.append(UnitRef(m.name, role))
    return replace(item, units=tuple(refs)), ids, {m.unit_id: m.assigned_at for m in manual}


def match_items(
    stored: Sequence[StoredItem],
    incoming: Sequence[Item],
    keys: Sequence[Callable[[Item], Hashable | None]] | None = None,
) -> list[StoredItem | None]:
    """For each incoming item, the stored item it continues, or None if it is new.

    Passes run strictest first over all incoming items, so a loose match never takes a stored
    item that a later incoming item matches exactly. Among equal keys, document order pairs up.
    """
    result: list[StoredItem | None] = [None] * len(incoming)
    taken: set[int] = set()
    for key in keys if keys is not None else _MATCH_KEYS:
        pool: dict[Hashable, deque[StoredItem]] = {}
        for candidate in stored:
            k = key(candidate.item)
            if candidate.id not in taken and k is not None:
                pool.setdefault(k, deque()).append(candidate)
        for index, item in enumerate(incoming):
            k = key(item)
            if result[index] is not None or k is None or not pool.get(k):
                continue
            found = pool[k].popleft()
            result[index] = found
            taken.add(found.id)
    return result


_MATCH_KEYS: tuple[Callable[[Item], Hashable | None], ...] = (
    lambda item: (item.number, item.title),
    lambda item: item.title or None,
    lambda item: (item.path, item.number) if item.number else None,
)


async def _one(
    conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]
) -> sqlite3.Row | None:
    rows = list(await conn.execute_fetchall(sql, params))
    return rows[0] if rows else None

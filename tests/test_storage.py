"""Tests of storage/: schema, migrations, transactions, plan import and the unit directory.

Every test runs against a real SQLite file (the `fresh_db` fixture or its own under tmp_path).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from plans.model import SUPPORT, Item, Milestone, Plan, Section, Target, UnitRef
from storage import (
    Database,
    StorageError,
    StoredItem,
    UnknownUnit,
    find_unit,
    get_item,
    import_plan,
    list_items,
    list_plans,
    list_units,
    search_units,
)
from storage.migrations import MIGRATIONS, latest_version, split_statements

LATEST = latest_version(MIGRATIONS)
NEXT = LATEST + 1

T1 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


def make_plan() -> Plan:
    """A small plan in the shape of seed 000: two sections, five items, shared units."""
    sections = (
        Section(number="一、", title="坚持党建引领", path=("一",)),
        Section(number="二、", title="培育创新主体", path=("二",)),
    )
    items = (
        Item(
            seq=1,
            number="(一)",
            path=("一", "(一)"),
            kind="task",
            title="深刻把握党的二十大精神",
            text="深刻把握党的二十大精神。(责任单位:局机关党委)",
            units=(UnitRef("局机关党委"), UnitRef("各辖市、区科技局", SUPPORT)),
        ),
        Item(
            seq=2,
            number="(一)",
            path=("二", "(一)"),
            kind="task",
            title="打造创新型领军企业",
            text="新增省级以上企业研发机构50家。(责任单位:局高新处)",
            units=(UnitRef("局高新处"), UnitRef("各辖市、区科技局", SUPPORT)),
            targets=(Target(text="50家", value=50, measure="家"),),
            deadline=date(2025, 12, 31),
            deadline_text="年内",
        ),
        Item(
            seq=3,
            number="(二)",
            path=("二", "(二)"),
            kind="task",
            title="加快高新技术企业培育",
            text="净增高新技术企业600家以上,10月完成申报。(责任单位:局高新处)",
            units=(UnitRef("局高新处"),),
            targets=(Target(text="600家以上", value=600, measure="家"),),
            milestones=(Milestone(date(2025, 10, 31), "10月完成申报"),),
            deadline=date(2025, 12, 31),
            deadline_text="年内",
        ),
        Item(
            seq=4,
            number="(三)",
            path=("二", "(三)"),
            kind="task",
            title="持续强化双招双引",
            text="引进科技型企业。(责任单位:局创新处、高新处)",
            units=(UnitRef("局创新处"), UnitRef("局高新处", SUPPORT)),
        ),
        Item(
            seq=5,
            number="(四)",
            path=("二", "(四)"),
            kind="indicator",
            title="研发投入占比达3.35%",
            text="全社会研发投入占GDP比重达3.35%。",
            units=(UnitRef("局创新处"),),
            targets=(Target(text="3.35%", value=3.35, measure="%"),),
        ),
    )
    return Plan(
        title="常州市科技局2025年工作要点",
        year=2025,
        items=items,
        sections=sections,
        default_units=("各辖市、区科技局",),
    )


async def add_report(db: Database, item_id: int, unit_name: str, text: str) -> int:
    """Store a progress report the way the reporting feature will, and return its id."""
    unit = await find_unit(db, unit_name)
    assert unit is not None
    async with (
        db.transaction() as conn,
        conn.execute(
            "INSERT INTO reports (item_id, unit_id, status, percent, text) VALUES (?, ?, ?, ?, ?)",
            (item_id, unit.id, "in_progress", 60, text),
        ) as cursor,
    ):
        assert cursor.lastrowid is not None
        return cursor.lastrowid


async def scalar(db: Database, sql: str) -> Any:
    row = await db.fetchone(sql)
    assert row is not None
    return row[0]


async def count(db: Database, table: str) -> int:
    return int(await scalar(db, f"SELECT COUNT(*) FROM {table}"))


# --- schema, pragmas, migrations -------------------------------------------------------------


async def test_new_database_has_schema_and_pragmas(fresh_db: Database) -> None:
    assert await scalar(fresh_db, "PRAGMA journal_mode") == "wal"
    assert await scalar(fresh_db, "PRAGMA foreign_keys") == 1
    assert await scalar(fresh_db, "PRAGMA user_version") == LATEST
    async with fresh_db.transaction() as conn:
        writer = {
            pragma: next(iter(await conn.execute_fetchall(f"PRAGMA {pragma}")))[0]
            for pragma in ("foreign_keys", "busy_timeout", "synchronous", "query_only")
        }
    assert writer == {"foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1, "query_only": 0}
    tables = {
        row["name"]
        for row in await fresh_db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert tables >= {
        "plans",
        "sections",
        "items",
        "units",
        "unit_aliases",
        "item_units",
        "targets",
        "milestones",
        "contacts",
        "invites",
        "reports",
        "nudges",
    }


async def test_reader_connection_cannot_write(fresh_db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await fresh_db.fetchall("INSERT INTO units (name, key) VALUES ('x', 'x')")
    assert await count(fresh_db, "units") == 0


async def test_enum_checks_reject_unknown_values(fresh_db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        async with fresh_db.transaction() as conn:
            await conn.execute("INSERT INTO contacts (role, chat_id) VALUES ('boss', 1)")


async def test_nudge_is_unique_even_without_item(fresh_db: Database) -> None:
    async with fresh_db.transaction() as conn:
        await conn.execute("INSERT INTO units (name, key) VALUES ('局高新处', '局高新处')")
    insert = "INSERT INTO nudges (unit_id, item_id, kind, due_on) VALUES (1, NULL, 'cycle', ?)"
    async with fresh_db.transaction() as conn:
        await conn.execute(insert, ("2025-05-06",))
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        async with fresh_db.transaction() as conn:
            await conn.execute(insert, ("2025-05-06",))
    assert await count(fresh_db, "nudges") == 1


# A v2 that rebuilds `units` the way SQLite requires for changing a column. With foreign keys
# left on, DROP TABLE units would delete every item_units row through ON DELETE CASCADE.
REBUILD_UNITS_V2 = """
CREATE TABLE units_new (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    key        TEXT NOT NULL UNIQUE,
    short_name TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO units_new (id, name, key, short_name, created_at)
    SELECT id, name, key, NULL, created_at FROM units;
DROP TABLE units;
ALTER TABLE units_new RENAME TO units;
-- a ';' in a comment and in a string must not split a statement
UPDATE units SET short_name = replace(name, '局', '') WHERE name <> 'a;b';
"""


async def test_old_database_upgrades_in_place_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "duban.sqlite3"
    async with await Database.open(path) as db:
        result = await import_plan(db, make_plan(), source_name="plan.txt", content_hash="h1")
        item = await get_item(db, result.plan_id, 3)
        assert item is not None
        report_id = await add_report(db, item.id, "局高新处", "已净增高企320家")
        before = await list_items(db)

    async with await Database.open(path, migrations=[*MIGRATIONS, (NEXT, REBUILD_UNITS_V2)]) as db:
        assert await scalar(db, "PRAGMA user_version") == NEXT
        assert await scalar(db, "PRAGMA foreign_keys") == 1
        assert await list_items(db) == before
        assert [i.item.seq for i in await list_items(db, unit="高新处")] == [2, 3, 4]
        row = await db.fetchone("SELECT short_name FROM units WHERE name = '局高新处'")
        assert row is not None and row["short_name"] == "高新处"
        report = await db.fetchone(
            "SELECT r.text, i.seq FROM reports r JOIN items i ON i.id = r.item_id WHERE r.id = ?",
            (report_id,),
        )
        assert report is not None and tuple(report) == ("已净增高企320家", 3)


async def test_v1_database_with_reports_upgrades_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "duban.sqlite3"
    async with await Database.open(path, migrations=MIGRATIONS[:1]) as db:
        result = await import_plan(db, make_plan(), source_name="plan.txt", content_hash="h1")
        item = await get_item(db, result.plan_id, 3)
        assert item is not None
        report_id = await add_report(db, item.id, "局高新处", "已净增高企320家")
        before = await list_items(db)
    async with await Database.open(path) as db:
        assert await scalar(db, "PRAGMA user_version") == LATEST
        assert await list_items(db) == before
        row = await db.fetchone(
            "SELECT text, source, value FROM reports WHERE id = ?", (report_id,)
        )
        assert row is not None and tuple(row) == ("已净增高企320家", "command", None)


async def test_failed_migration_leaves_database_at_old_version(tmp_path: Path) -> None:
    path = tmp_path / "duban.sqlite3"
    async with await Database.open(path) as db:
        await import_plan(db, make_plan(), source_name="plan.txt", content_hash="h1")
    broken = [*MIGRATIONS, (NEXT, "CREATE TABLE extra (x); INSERT INTO missing VALUES (1);")]
    with pytest.raises(StorageError, match=f"schema version {NEXT} failed"):
        await Database.open(path, migrations=broken)
    async with await Database.open(path) as db:
        assert await scalar(db, "PRAGMA user_version") == LATEST
        assert await db.fetchone("SELECT name FROM sqlite_master WHERE name = 'extra'") is None
        assert len(await list_items(db)) == 5


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "duban.sqlite3"
    async with await Database.open(path, migrations=[*MIGRATIONS, (NEXT, "CREATE TABLE x (y);")]):
        pass
    with pytest.raises(StorageError) as refused:
        await Database.open(path)
    assert str(refused.value) == (
        f"database schema version {NEXT} is newer than this duban ({LATEST}); upgrade duban"
    )


async def test_migration_versions_must_be_consecutive(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="1, 2, 3"):
        await Database.open(
            tmp_path / "x.sqlite3", migrations=[*MIGRATIONS, (NEXT + 1, "SELECT 1;")]
        )


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    sql = """
    CREATE TABLE t (a TEXT DEFAULT 'x;y'); -- trailing; comment
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 'z'; END;
    -- only a comment;
    """
    statements = list(split_statements(sql))
    assert len(statements) == 2
    conn = sqlite3.connect(":memory:")
    for statement in statements:
        conn.execute(statement)
    conn.execute("INSERT INTO t DEFAULT VALUES")
    assert conn.execute("SELECT a FROM t").fetchall() == [("z",)]
    conn.close()


# --- transactions ----------------------------------------------------------------------------


async def test_transaction_rolls_back_on_exception(fresh_db: Database) -> None:
    await import_plan(fresh_db, make_plan(), source_name="plan.txt", content_hash="h1")
    units_before = await list_units(fresh_db)
    with pytest.raises(RuntimeError, match="boom"):
        async with fresh_db.transaction() as conn:
            await conn.execute("INSERT INTO units (name, key) VALUES ('局农社处', '局农社处')")
            await conn.execute("UPDATE items SET title = 'changed'")
            raise RuntimeError("boom")
    assert await list_units(fresh_db) == units_before
    assert await fresh_db.fetchone("SELECT 1 FROM items WHERE title = 'changed'") is None
    # The writer is usable again afterwards.
    async with fresh_db.transaction() as conn:
        await conn.execute("INSERT INTO units (name, key) VALUES ('局农社处', '局农社处')")
    assert await fresh_db.fetchone("SELECT 1 FROM units WHERE name = '局农社处'") is not None


async def test_failed_import_writes_nothing(fresh_db: Database) -> None:
    plan = make_plan()
    # The last item breaks a CHECK constraint after units and items before it were written.
    bad = replace(plan, items=(*plan.items[:-1], replace(plan.items[-1], kind="goal")))  # type: ignore[arg-type]
    with pytest.raises(sqlite3.IntegrityError):
        await import_plan(fresh_db, bad, source_name="plan.txt", content_hash="h1")
    for table in ("plans", "items", "units", "unit_aliases", "sections"):
        assert await count(fresh_db, table) == 0, table


async def test_transactions_are_serialised(fresh_db: Database) -> None:
    async with fresh_db.transaction() as conn:
        await conn.execute("INSERT INTO units (name, key) VALUES ('n0', 'n0')")

    async def bump() -> None:
        async with fresh_db.transaction() as conn:
            rows = list(await conn.execute_fetchall("SELECT COUNT(*) FROM units"))
            await asyncio.sleep(0)  # give the other task every chance to interleave
            await conn.execute(
                "INSERT INTO units (name, key) VALUES (?, ?)", (f"n{rows[0][0]}", f"n{rows[0][0]}")
            )

    await asyncio.gather(*(bump() for _ in range(10)))
    assert await count(fresh_db, "units") == 11


async def test_nested_transaction_fails_instead_of_hanging(fresh_db: Database) -> None:
    with pytest.raises(StorageError, match="does not nest"):
        async with fresh_db.transaction(), fresh_db.transaction():
            pass


# --- importing plans -------------------------------------------------------------------------


async def test_import_stores_plan_items_and_units(fresh_db: Database) -> None:
    plan = make_plan()
    result = await import_plan(fresh_db, plan, source_name="plan.txt", content_hash="h1", now=T1)
    assert result.created and not result.unchanged
    assert (result.items_added, result.items_updated, result.items_removed) == (5, 0, 0)
    assert result.units_created == ("局机关党委", "各辖市、区科技局", "局高新处", "局创新处")

    [stored_plan] = await list_plans(fresh_db)
    assert (stored_plan.id, stored_plan.title, stored_plan.year) == (
        result.plan_id,
        plan.title,
        2025,
    )
    assert stored_plan.item_count == 5
    assert stored_plan.default_units == ("各辖市、区科技局",)
    assert stored_plan.imported_at == T1 and stored_plan.active

    items = await list_items(fresh_db)
    assert [i.item for i in items] == list(plan.items)
    assert all(i.plan_id == result.plan_id for i in items)
    third = await get_item(fresh_db, result.plan_id, 3)
    assert third is not None and third.item == plan.items[2]
    assert third.item.milestones[0].date == date(2025, 10, 31)
    assert await get_item(fresh_db, result.plan_id, 99) is None

    section = await fresh_db.fetchone(
        "SELECT s.title FROM items i JOIN sections s ON s.id = i.section_id WHERE i.id = ?",
        (third.id,),
    )
    assert section is not None and section["title"] == "培育创新主体"


async def test_reimport_with_same_hash_writes_nothing(fresh_db: Database) -> None:
    first = await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1", now=T1)
    again = await import_plan(fresh_db, make_plan(), source_name="b.txt", content_hash="h1", now=T2)
    assert again == replace(
        first, created=False, unchanged=True, items_added=0, items_unchanged=5, units_created=()
    )
    [stored_plan] = await list_plans(fresh_db)
    assert (stored_plan.source_name, stored_plan.updated_at) == ("a.txt", T1)


async def test_reimport_of_same_content_with_new_hash_changes_no_item(fresh_db: Database) -> None:
    await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1", now=T1)
    before = await fresh_db.fetchall("SELECT id, updated_at FROM items ORDER BY id")
    result = await import_plan(
        fresh_db, make_plan(), source_name="a.docx", content_hash="h2", now=T2
    )
    assert result.unchanged and not result.created
    assert (result.items_unchanged, result.items_updated, result.items_added) == (5, 0, 0)
    after = await fresh_db.fetchall("SELECT id, updated_at FROM items ORDER BY id")
    assert [tuple(r) for r in after] == [tuple(r) for r in before]


async def test_reimport_of_edited_plan_keeps_item_ids_and_reports(fresh_db: Database) -> None:
    plan = make_plan()
    first = await import_plan(fresh_db, plan, source_name="a.txt", content_hash="h1", now=T1)
    ids = {i.item.title: i.id for i in await list_items(fresh_db)}
    report_on_renumbered = await add_report(
        fresh_db, ids["加快高新技术企业培育"], "局高新处", "已净增高企320家"
    )
    report_on_removed = await add_report(
        fresh_db, ids["打造创新型领军企业"], "局高新处", "已新增研发机构20家"
    )

    one, _dropped, three, four, five = plan.items
    edited = replace(
        plan,
        items=(
            # unchanged
            one,
            # (一) 打造创新型领军企业 dropped; 加快高新技术企业培育 renumbered (二) → (一)
            replace(three, seq=2, number="(一)", path=("二", "(一)")),
            # same number and title, new text and an extra support unit spelled short
            replace(
                four,
                seq=3,
                text="引进科技型企业100家。(责任单位:局创新处、高新处、局农社处)",
                units=(*four.units, UnitRef("局农社处", SUPPORT)),
                targets=(Target(text="100家", value=100, measure="家"),),
            ),
            # re-titled: found again by its place in the outline
            replace(five, seq=4, title="研发投入占GDP比重达3.4%"),
            # new
            Item(
                seq=5,
                number="(五)",
                path=("二", "(五)"),
                kind="task",
                title="深化科技金融",
                text="新增科技贷款。(责任单位:局高新处)",
                units=(UnitRef("高新处"),),
            ),
        ),
    )
    result = await import_plan(fresh_db, edited, source_name="a.txt", content_hash="h2", now=T2)
    assert result.plan_id == first.plan_id
    assert not (result.created or result.unchanged)
    assert (
        result.items_added,
        result.items_updated,
        result.items_unchanged,
        result.items_removed,
    ) == (1, 3, 1, 1)
    assert result.units_created == ("局农社处",)

    items = await list_items(fresh_db)
    assert [(i.item.seq, i.item.title) for i in items] == [
        (1, "深刻把握党的二十大精神"),
        (2, "加快高新技术企业培育"),
        (3, "持续强化双招双引"),
        (4, "研发投入占GDP比重达3.4%"),
        (5, "深化科技金融"),
    ]
    by_seq = {i.item.seq: i for i in items}
    assert by_seq[1].id == ids["深刻把握党的二十大精神"]
    assert by_seq[2].id == ids["加快高新技术企业培育"]
    assert by_seq[3].id == ids["持续强化双招双引"]
    assert by_seq[4].id == ids["研发投入占比达3.35%"]
    assert by_seq[5].id not in ids.values()
    assert by_seq[3].item.targets == (Target(text="100家", value=100, measure="家"),)
    assert by_seq[3].item.support_units == ("局高新处", "局农社处")
    # The new item named "高新处": it resolves to the stored unit and comes back by that name.
    assert by_seq[5].item.units == (UnitRef("局高新处"),)

    # Both reports survive; the renumbered item's report follows it to its new seq, and the
    # removed item is still there for its report to point at.
    rows = await fresh_db.fetchall(
        "SELECT r.id, i.seq, i.title, i.removed_at FROM reports r"
        " JOIN items i ON i.id = r.item_id ORDER BY r.id"
    )
    assert [tuple(r) for r in rows] == [
        (report_on_renumbered, 2, "加快高新技术企业培育", None),
        (report_on_removed, 2, "打造创新型领军企业", "2025-04-01T08:00:00Z"),
    ]
    assert await get_item(fresh_db, first.plan_id, 2) == by_seq[2]
    [stored_plan] = await list_plans(fresh_db)
    assert stored_plan.item_count == 5 and stored_plan.updated_at == T2


async def test_reimport_matches_by_title_when_number_changes(fresh_db: Database) -> None:
    plan = make_plan()
    await import_plan(fresh_db, plan, source_name="a.txt", content_hash="h1")
    old_id = {i.item.title: i.id for i in await list_items(fresh_db)}["持续强化双招双引"]
    # Moved to another section under another number: only its title still matches.
    moved = replace(plan.items[3], number="(二)", path=("一", "(二)"), seq=2)
    others = [
        replace(item, seq=n) for n, item in enumerate(plan.items, 1) if item is not plan.items[3]
    ]
    reordered = (others[0], moved, *(replace(i, seq=i.seq + 1) for i in others[1:]))
    await import_plan(
        fresh_db, replace(plan, items=reordered), source_name="a.txt", content_hash="h2"
    )
    item = await get_item(fresh_db, 1, 2)
    assert item is not None and (item.id, item.item.title) == (old_id, "持续强化双招双引")


# --- units -----------------------------------------------------------------------------------


async def test_units_are_found_by_alias(fresh_db: Database) -> None:
    await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1")
    unit = await find_unit(fresh_db, "高新处")
    assert unit is not None and unit.name == "局高新处"
    assert "高新处" in unit.aliases
    assert (unit.item_count, unit.lead_count) == (3, 2)
    assert await find_unit(fresh_db, "市科技局高新处") == unit
    assert await find_unit(fresh_db, " 局高新处 ") == unit
    joint = await find_unit(fresh_db, "各辖市、区科技局")
    assert joint is not None and joint.item_count == 2 and joint.lead_count == 0


async def test_unknown_unit(fresh_db: Database) -> None:
    await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1")
    assert await find_unit(fresh_db, "局外事处") is None
    with pytest.raises(UnknownUnit) as unknown:
        await list_items(fresh_db, unit="局外事处")
    assert unknown.value.name == "局外事处"
    assert isinstance(unknown.value, StorageError)


async def test_alias_owned_by_another_unit_is_not_taken(fresh_db: Database) -> None:
    # An earlier, independent unit already answers to "高新处".
    async with fresh_db.transaction() as conn:
        await conn.execute("INSERT INTO units (id, name, key) VALUES (1, '高新处', '高新处')")
        await conn.execute("INSERT INTO unit_aliases (alias_key, unit_id) VALUES ('高新处', 1)")
        await conn.execute("INSERT INTO units (id, name, key) VALUES (2, '局高新处', '局高新处')")
        await conn.execute("INSERT INTO unit_aliases (alias_key, unit_id) VALUES ('局高新处', 2)")
    await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1")
    short = await find_unit(fresh_db, "高新处")
    assert short is not None and short.id == 1
    full = await find_unit(fresh_db, "局高新处")
    assert full is not None and full.id == 2 and full.item_count == 3
    assert "高新处" not in full.aliases


async def test_list_items_by_unit_and_plan(fresh_db: Database) -> None:
    plan = make_plan()
    first = await import_plan(fresh_db, plan, source_name="a.txt", content_hash="h1")
    other = Plan(
        title="泰安2025年全市科技工作打算",
        year=2025,
        items=(
            Item(
                seq=1,
                number="1.",
                path=("1.",),
                kind="task",
                title="建设创新平台",
                text="建设创新平台。",
                units=(UnitRef("高新处"),),
            ),
        ),
    )
    second = await import_plan(fresh_db, other, source_name="b.txt", content_hash="h9")
    assert second.units_created == ()

    def keys(items: list[StoredItem]) -> list[tuple[int, int]]:
        return [(i.plan_id, i.item.seq) for i in items]

    assert keys(await list_items(fresh_db, unit="局高新处")) == [
        (first.plan_id, 2),
        (first.plan_id, 3),
        (first.plan_id, 4),
        (second.plan_id, 1),
    ]
    assert keys(await list_items(fresh_db, unit="高新处", plan_id=second.plan_id)) == [
        (second.plan_id, 1)
    ]
    assert keys(await list_items(fresh_db, unit="各辖市、区科技局")) == [
        (first.plan_id, 1),
        (first.plan_id, 2),
    ]
    assert len(await list_items(fresh_db, plan_id=first.plan_id)) == 5
    assert [p.item_count for p in await list_plans(fresh_db)] == [5, 1]


async def test_list_and_search_units(fresh_db: Database) -> None:
    await import_plan(fresh_db, make_plan(), source_name="a.txt", content_hash="h1")
    units = await list_units(fresh_db)
    assert [(u.name, u.item_count, u.lead_count) for u in units] == [
        ("局机关党委", 1, 1),
        ("各辖市、区科技局", 2, 0),
        ("局高新处", 3, 2),
        ("局创新处", 2, 2),
    ]
    assert [u.name for u in await search_units(fresh_db, "新处")] == ["局高新处", "局创新处"]
    assert [u.name for u in await search_units(fresh_db, "机关")] == ["局机关党委"]
    assert await search_units(fresh_db, "  ") == []

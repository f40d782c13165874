"""The status views' cache: brought up to date incrementally, it must equal a rebuild from scratch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from plans.documents.sources import parse_file
from services.core import SnapshotCache
from storage import Database, get_item, import_plan
from storage.reports_repo import NewReport, add_report, amend_report, record_bot_message
from storage.units_repo import find_unit

SEED = Path(__file__).resolve().parent / "data" / "seeds" / "000_0585e7f56649ebe7.txt"
TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2023, 11, 20)


async def fresh(db: Database, today: date = TODAY, until: datetime | None = None):  # type: ignore[no-untyped-def]
    return await SnapshotCache().snapshot(db, TZ, today, until=until)


async def test_incremental_updates_equal_a_rebuild(fresh_db: Database) -> None:
    db = fresh_db
    parsed = parse_file(SEED)
    plan_id = (
        await import_plan(
            db,
            parsed.plan,
            source_name="000",
            content_hash="a",
            now=datetime(2023, 2, 20, tzinfo=UTC),
        )
    ).plan_id
    cache = SnapshotCache()
    week_ago = datetime(2023, 11, 13, 10, tzinfo=TZ)
    assert await cache.snapshot(db, TZ, TODAY) == await fresh(db)
    assert await cache.snapshot(db, TZ, week_ago.date(), until=week_ago) == await fresh(
        db, week_ago.date(), week_ago
    )

    unit = await find_unit(db, "局高新处")
    item = await get_item(db, plan_id, 4)
    assert unit is not None and item is not None
    moment = datetime(2023, 11, 10, 9, tzinfo=TZ)
    first = await add_report(
        db,
        NewReport(
            item_id=item.id, unit_id=unit.id, status="in_progress", text="完成30%", percent=30
        ),
        now=moment,
    )
    snap = await cache.snapshot(db, TZ, TODAY)
    assert snap == await fresh(db)
    assert next(s for s in snap.items if s.record.item_id == item.id).percent == 30

    # an edit supersedes the report; last week's snapshot sees the report made before it
    await amend_report(db, first.id, now=moment + timedelta(days=8), percent=60.0, text="完成60%")
    assert await cache.snapshot(db, TZ, TODAY) == await fresh(db)
    assert await cache.snapshot(db, TZ, week_ago.date(), until=week_ago) == await fresh(
        db, week_ago.date(), week_ago
    )

    # a commit that touches no report changes nothing
    await record_bot_message(db, chat_id=1, message_id=1, kind="other")
    assert await cache.snapshot(db, TZ, TODAY) == await fresh(db)

    # a re-import that drops an item reloads the items
    edited = replace(parsed.plan, items=parsed.plan.items[:-1])
    await import_plan(db, edited, source_name="000", content_hash="b", now=moment)
    snap = await cache.snapshot(db, TZ, TODAY)
    assert snap == await fresh(db) and len(snap.items) == 27


async def test_a_merge_or_rename_from_another_process_shows_at_once(fresh_db: Database) -> None:
    # The bot's cache was built; then `duban units --merge` / `--rename` ran from the command line
    # (another connection): the reports now belong to another unit's name, and /status must say so.
    from storage import merge_units, rename_unit

    db = fresh_db
    parsed = parse_file(SEED)
    plan_id = (
        await import_plan(
            db,
            parsed.plan,
            source_name="000",
            content_hash="a",
            now=datetime(2023, 2, 20, tzinfo=UTC),
        )
    ).plan_id
    unit = await find_unit(db, "局高新处")
    item = await get_item(db, plan_id, 4)
    assert unit is not None and item is not None
    await add_report(
        db,
        NewReport(
            item_id=item.id, unit_id=unit.id, status="in_progress", text="完成30%", percent=30
        ),
        now=datetime(2023, 11, 10, 9, tzinfo=TZ),
    )
    cache = SnapshotCache()
    before = await cache.snapshot(db, TZ, TODAY)
    assert "局高新处" in before.unit_reports

    other = await Database.open(db.path)
    try:
        await rename_unit(other, "局高新处", "局高新技术处", now=datetime(2023, 11, 15, tzinfo=UTC))
    finally:
        await other.close()
    after = await cache.snapshot(db, TZ, TODAY)
    assert after == await fresh(db)
    assert "局高新处" not in after.unit_reports and "局高新技术处" in after.unit_reports
    state = next(s for s in after.items if s.record.item_id == item.id)
    assert state.last is not None and state.last.unit_name == "局高新技术处"
    # the next report goes through the incremental path: it must not bring the old name back
    await add_report(
        db,
        NewReport(
            item_id=item.id, unit_id=unit.id, status="in_progress", text="完成40%", percent=40
        ),
        now=datetime(2023, 11, 17, 9, tzinfo=TZ),
    )
    again = await cache.snapshot(db, TZ, TODAY)
    assert again == await fresh(db)
    assert set(again.unit_reports) == {"局高新技术处"}

    other = await Database.open(db.path)
    try:
        await merge_units(other, "局高新技术处", "局创新处", now=datetime(2023, 11, 16, tzinfo=UTC))
    finally:
        await other.close()
    merged = await cache.snapshot(db, TZ, TODAY)
    assert merged == await fresh(db)
    assert set(merged.unit_reports) == {"局创新处"}

"""The import review and its fixes: the findings (plans/documents/review.py), merging and renaming units
(storage/units_repo.py), what re-imports keep (storage/plan_import.py), schema v5, and the
command line (`duban parse`, `duban import`, `duban units --merge/--rename`).

Storage and CLI tests run on a real SQLite file under tmp_path; the CLI through bot.cli.main.
"""

from __future__ import annotations

import os
import sqlite3
import string
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from handlers.admin import two_names
from plans.documents.review import MANY_TARGETS, Review, looks_odd, review_plan
from plans.documents.sources import parse_bytes, parse_file
from plans.model import SUPPORT, Item, Plan, Target, UnitRef
from render.review import plain_text, review_lines, seq_ranges
from render.texts import EN, ZH, Texts, esc
from sandbox import parse_html
from storage import (
    UNIT_NAME_MAX,
    Database,
    UnitChangeRefused,
    UnknownUnit,
    add_unit,
    assign_units,
    find_unit,
    get_item,
    import_plan,
    list_items,
    list_plans,
    list_units,
    merge_units,
    rename_unit,
)
from storage.migrations import MIGRATIONS, latest_version
from storage.people_repo import create_invite, redeem_invite
from storage.reports_repo import NewReport, add_report

DATA = Path(__file__).resolve().parent / "data"
SEED_000 = DATA / "seeds" / "000_0585e7f56649ebe7.txt"
SEED_003 = DATA / "seeds" / "003_a1b9d9430421bfe0.txt"
T1 = datetime(2023, 3, 1, 8, 0, tzinfo=UTC)
T2 = datetime(2023, 4, 1, 8, 0, tzinfo=UTC)

# A small plan with one of each doubt: item 5 names no unit, 区科技局 is a piece of
# 各辖市、区科技局, 局高新处 / 局高新技术处 appear once each, items 3 and 5 have no deadline
# phrase, item 2 has four numbers read as targets.
PLAN_TEXT = """某市科技局2023年工作要点
一、重点任务
(一)培育高新技术企业,净增高企600家,年内完成。(责任单位:局高新处)
(二)建设孵化载体,新增孵化器5家、众创空间3家、加速器2家、产业园1个,10月底前完成。(责任单位:区科技局)
(三)推进科技金融,设立基金。(责任单位:各辖市、区科技局)
(四)组织科技活动周,上半年完成。(责任单位:各辖市、区科技局)
(五)开展专项行动。
(六)完善统计制度,年内完成。(责任单位:局高新技术处)
"""


def item(seq: int, *units: str, deadline_text: str = "年内", targets: int = 0) -> Item:
    return Item(
        seq=seq,
        number=f"({seq})",
        path=("一", f"({seq})"),
        kind="task",
        title=f"事项{seq}",
        text=f"事项{seq}的内容。",
        units=tuple(UnitRef(u) for u in units),
        deadline=date(2023, 12, 31),
        deadline_text=deadline_text,
        targets=tuple(Target(f"{k}家", k, "家") for k in range(1, targets + 1)),
    )


def sample_plan() -> Plan:
    return parse_bytes(PLAN_TEXT.encode("utf-8"), name="plan.txt").plan


def small_plan(*items: Item, skipped: tuple[str, ...] = (), warnings: tuple[str, ...] = ()) -> Plan:
    return Plan(
        title="某市科技局2023年工作要点",
        year=2023,
        items=items,
        skipped=skipped,
        warnings=warnings,
    )


# ---------------------------------------------------------------------------- findings


def test_a_plan_without_doubts_reviews_clean_in_one_line() -> None:
    items = [item(1, "局高新处"), item(2, "局高新处", "局创新处"), item(3, "局创新处")]
    review = review_plan(items, year=2023)
    assert review.clean
    for lang in ("zh", "en"):
        lines = review_lines(Texts(lang), review, title="计划")
        assert len(lines) == 1
    assert "没有发现需要核对的地方" in review_lines(Texts("zh"), review, title="计划")[0]


def test_each_kind_of_doubt_is_found() -> None:
    plan = sample_plan()
    review = review_plan(plan.items, year=plan.year)
    assert review.no_unit == (5,)
    [alike] = review.look_alikes
    assert (alike.name, alike.other, alike.why) == ("区科技局", "各辖市、区科技局", "contained")
    assert (alike.seqs, alike.other_seqs) == ((2,), (3, 4))
    assert [u.name for u in review.once] == ["局高新处", "局高新技术处"]
    assert review.no_deadline == (3, 5)
    assert review.many_targets == ((2, 4),)
    assert review.odd_names == ()


def test_names_that_differ_only_by_a_prefix_are_look_alikes() -> None:
    items = [item(1, "市科技局"), item(2, "区科技局"), item(3, "区科技局")]
    [alike] = review_plan(items, year=2023).look_alikes
    assert (alike.name, alike.other, alike.why) == ("市科技局", "区科技局", "prefix")


def test_spellings_the_directory_joins_by_itself_are_not_look_alikes() -> None:
    # 高新处 / 局高新处 are one unit in the directory: the import files them together.
    items = [item(1, "局高新处"), item(2, "高新处"), item(3, "局高新处")]
    assert review_plan(items, year=2023).look_alikes == ()


def test_a_chain_of_fragments_points_at_its_end() -> None:
    items = [
        item(1, "区"),
        item(2, "区科技局"),
        item(3, "各辖市、区科技局"),
        item(4, "各辖市、区科技局"),
    ]
    found = {a.name: a.other for a in review_plan(items, year=2023).look_alikes}
    assert found == {"区": "各辖市、区科技局", "区科技局": "各辖市、区科技局"}


@pytest.mark.parametrize(
    ("name", "odd"),
    [
        ("局高新处", False),
        ("各辖市、区科技局", False),
        ("常州经开区科技金融局", False),
        ("市财政(地税)局", False),
        ("公共服务集团", False),
        ("区住房", True),  # "区住房和城建局" cut at 和
        ("下同", True),
        ("市税务局(列第一位者为工作牵头单位或汇总单位", True),
        ("各有关部门,乡镇人民政府按职责分工分别负责", True),
        ("局高新技术处2", True),
    ],
)
def test_names_that_do_not_look_whole(name: str, odd: bool) -> None:
    assert looks_odd(name) is odd


def test_skipped_text_and_warnings_are_kept_but_the_recomputed_warning_is_not() -> None:
    items = [item(1, "局高新处"), item(2)]
    review = review_plan(
        items,
        year=2023,
        skipped=("分工原则: 一是坚持…", " "),
        warnings=("1 items name no unit: 2", "no year in the title: 2023 assumed"),
    )
    assert review.skipped == ("分工原则: 一是坚持…",)
    assert review.warnings == ("no year in the title: 2023 assumed",)
    assert review.no_unit == (2,)


def test_seq_ranges_are_compact() -> None:
    assert seq_ranges(Texts("zh"), [1, 2, 3, 5, 7, 8]) == "1–3、5、7–8"
    assert seq_ranges(Texts("en"), [4]) == "4"
    assert seq_ranges(Texts("en"), range(1, 80, 2)).endswith(", …")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("fix", ["chat", "cli"])
def test_rendering_is_compact_valid_html_with_the_fixes(lang: str, fix: Any) -> None:
    plan = sample_plan()
    review = review_plan(
        plan.items, year=plan.year, skipped=("附件:1. 责任分工表",), warnings=("年份按 2023 年",)
    )
    lines = review_lines(Texts(lang), review, title=plan.title, fix=fix)
    for line in lines:
        parse_html(line)
    text = plain_text(lines)
    merge = "duban units --merge" if fix == "cli" else "/merge"
    assert f"{merge} 区科技局 各辖市、区科技局" in text
    assert "/assign 5 " in text
    assert "2023-12-31" in text and "附件:1. 责任分工表" in text and "年份按 2023 年" in text
    assert ("/status 2" in text) is (fix == "chat")
    assert len(lines) <= 12


def test_rendering_escapes_hostile_names_and_caps_each_kind() -> None:
    units = [f"<b>单位{k}</b>&" for k in range(20)]
    items = [item(k + 1, name, deadline_text="") for k, name in enumerate(units)]
    items += [item(21, "区"), *(item(22 + k, f"区局{k}") for k in range(9))]
    review = review_plan(items, year=2023, skipped=tuple(f"跳过{k}" for k in range(9)))
    lines = review_lines(Texts("zh"), review, title="<script>x</script>", plan_id=3)
    for line in lines:
        parse_html(line)
    joined = "\n".join(lines)
    assert "<script>" not in joined and "&lt;script&gt;" in joined
    assert "<b>单位" not in joined and "&lt;b&gt;单位" in joined
    assert "计划 3" in joined and "/assign" not in joined  # every item has a unit
    assert joined.count("……另有") >= 2  # once-only names and skipped parts are capped
    assert len(lines) <= 25


def test_review_texts_exist_in_both_languages_with_the_same_fields() -> None:
    keys = [k for k in ZH if k.startswith(("rv_", "merge", "rename", "unit_not_found"))]
    assert len(keys) > 20
    fields = string.Formatter()
    for key in keys:
        assert {f for _, f, _, _ in fields.parse(ZH[key]) if f} == {
            f for _, f, _, _ in fields.parse(EN[key]) if f
        }, key
        parse_html(Texts("en")(key, **{f: esc("<&>") for _, f, _, _ in fields.parse(EN[key]) if f}))


def test_many_targets_threshold() -> None:
    review = review_plan([item(1, "局高新处", targets=MANY_TARGETS - 1)], year=2023)
    assert review.many_targets == ()
    review = review_plan([item(1, "局高新处", targets=MANY_TARGETS)], year=2023)
    assert review.many_targets == ((1, MANY_TARGETS),)
    assert isinstance(review, Review)


# ---------------------------------------------------------------------------- storage


async def scalar(db: Database, sql: str, params: tuple[Any, ...] = ()) -> Any:
    row = await db.fetchone(sql, params)
    assert row is not None
    return row[0]


def stored_units(items: list[Any]) -> dict[int, list[tuple[str, str]]]:
    return {s.item.seq: [(u.name, u.role) for u in s.item.units] for s in items}


async def unit_id(db: Database, name: str) -> int:
    unit = await find_unit(db, name)
    assert unit is not None, name
    return unit.id


async def test_merge_moves_everything_and_the_old_name_finds_the_target(
    fresh_db: Database,
) -> None:
    db = fresh_db
    plan = small_plan(
        item(1, "区科技局"),
        replace(item(2), units=(UnitRef("区科技局"), UnitRef("各辖市、区科技局", SUPPORT))),
        item(3, "各辖市、区科技局"),
    )
    await import_plan(db, plan, source_name="p.txt", content_hash="h1", now=T1)
    source, target = await unit_id(db, "区科技局"), await unit_id(db, "各辖市、区科技局")
    first = await get_item(db, 1, 1)
    second = await get_item(db, 1, 2)
    assert first is not None and second is not None

    # a contact of the source, another chat that is a contact of both, an open invite
    for token, unit, chat in (("t1", source, 501), ("t2", source, 502), ("t3", target, 502)):
        await invite(db, token, unit)
        await redeem_invite(
            db, token=token, user_id=chat, chat_id=chat, display_name=f"c{chat}", now=T1
        )
    await invite(db, "t4", source)  # not used yet
    contact_sql = "SELECT id FROM contacts WHERE unit_id = ? AND chat_id = 502"
    twin = await scalar(db, contact_sql, (source,))
    for item_id, contact in ((first.id, None), (second.id, twin)):
        new = NewReport(
            item_id=item_id, unit_id=source, status="in_progress", text="完成60%", percent=60
        )
        await add_report(db, replace(new, contact_id=contact), now=T1)
    async with db.transaction() as conn:
        for unit in (source, target):
            await conn.execute(
                "INSERT INTO nudges (unit_id, item_id, kind, due_on) VALUES (?, ?, 'cycle', ?)",
                (unit, second.id, "2023-04-25"),
            )
        await conn.execute(
            "INSERT INTO nudges (unit_id, item_id, kind, due_on) VALUES (?, ?, 'before', ?)",
            (source, first.id, "2023-12-17"),
        )
        await conn.execute(
            "INSERT INTO bot_messages (chat_id, message_id, kind, unit_id) VALUES (501, 1, 'nudge', ?)",
            (source,),
        )

    merged = await merge_units(db, "区科技局", "各辖市、区科技局", now=T2)

    assert (merged.source, merged.target, merged.target_id) == (
        "区科技局",
        "各辖市、区科技局",
        target,
    )
    assert (merged.items, merged.reports, merged.contacts, merged.invites) == (2, 2, 2, 3)
    assert await find_unit(db, "区科技局") == await find_unit(db, "各辖市、区科技局")
    assert [u.name for u in await list_units(db)] == ["各辖市、区科技局"]
    assert stored_units(await list_items(db, unit="区科技局")) == {
        1: [("各辖市、区科技局", "lead")],
        2: [("各辖市、区科技局", "lead")],  # both were on item 2: one entry, leading
        3: [("各辖市、区科技局", "lead")],
    }
    kept = await scalar(db, contact_sql, (target,))
    reports = await db.fetchall("SELECT unit_id, contact_id, updated_at FROM reports ORDER BY id")
    assert [tuple(r) for r in reports] == [
        (target, None, "2023-04-01T08:00:00Z"),
        (target, kept, "2023-04-01T08:00:00Z"),
    ]
    contacts = await db.fetchall("SELECT unit_id, chat_id FROM contacts ORDER BY chat_id")
    assert [tuple(c) for c in contacts] == [(target, 501), (target, 502)]
    assert await scalar(db, "SELECT COUNT(*) FROM invites WHERE unit_id = ?", (target,)) == 4
    nudges = await db.fetchall("SELECT unit_id, kind FROM nudges ORDER BY id")
    assert sorted(tuple(n) for n in nudges) == [(target, "before"), (target, "cycle")]
    assert await scalar(db, "SELECT unit_id FROM bot_messages") == target
    assert list(await db.fetchall("PRAGMA foreign_key_check")) == []

    # any later use of the old name lands on the target: /addunit, /assign, a re-import
    unit, created = await add_unit(db, "区科技局")
    assert (unit.name, created) == ("各辖市、区科技局", False)


async def invite(db: Database, token: str, unit: int) -> None:
    await create_invite(
        db,
        token=token,
        role="contact",
        unit_id=unit,
        created_by=1,
        expires_at=T1 + timedelta(days=7),
        now=T1,
    )


async def import_two_units(db: Database) -> None:
    plan = small_plan(item(1, "局高新处"), item(2, "局创新处"))
    await import_plan(db, plan, source_name="p", content_hash="h1", now=T1)


async def test_merge_refusals_change_nothing(fresh_db: Database) -> None:
    db = fresh_db
    await import_two_units(db)
    before = [tuple(r) for r in await db.fetchall("SELECT * FROM item_units ORDER BY rowid")]
    with pytest.raises(UnknownUnit) as unknown:
        await merge_units(db, "局不存在处", "局高新处")
    assert unknown.value.name == "局不存在处"
    with pytest.raises(UnknownUnit) as no_target:
        await merge_units(db, "局高新处", "局新名处")
    assert no_target.value.name == "局新名处"
    with pytest.raises(UnitChangeRefused) as same:
        await merge_units(db, "高新处", "局高新处")
    assert (same.value.reason, same.value.unit) == ("same", "局高新处")
    assert [
        tuple(r) for r in await db.fetchall("SELECT * FROM item_units ORDER BY rowid")
    ] == before
    assert len(await list_units(db)) == 2


async def test_rename_keeps_everything_and_the_old_name(fresh_db: Database) -> None:
    db = fresh_db
    await import_two_units(db)
    old_id = await unit_id(db, "局高新处")
    renamed = await rename_unit(db, "高新处", "局高新技术处", now=T2)
    assert (renamed.unit_id, renamed.old, renamed.new) == (old_id, "局高新处", "局高新技术处")
    for name in ("局高新处", "高新处", "局高新技术处", "高新技术处"):
        found = await find_unit(db, name)
        assert found is not None and (found.id, found.name) == (old_id, "局高新技术处"), name
    assert stored_units(await list_items(db, unit="局高新技术处")) == {
        1: [("局高新技术处", "lead")]
    }

    with pytest.raises(UnitChangeRefused) as taken:
        await rename_unit(db, "局高新技术处", "创新处")
    assert (taken.value.reason, taken.value.other) == ("taken", "局创新处")
    with pytest.raises(UnitChangeRefused) as same:
        await rename_unit(db, "局高新技术处", " 局高新技术处 ")
    assert same.value.reason == "same"
    with pytest.raises(UnitChangeRefused) as long:
        await rename_unit(db, "局高新技术处", "局" * (UNIT_NAME_MAX + 1))
    assert long.value.reason == "too_long"
    with pytest.raises(UnitChangeRefused) as blank:
        await rename_unit(db, "局高新技术处", "()、")
    assert blank.value.reason == "blank"
    with pytest.raises(UnknownUnit):
        await rename_unit(db, "局不存在处", "局新处")
    assert [u.name for u in await list_units(db)] == ["局高新技术处", "局创新处"]


async def test_reimport_keeps_merges_renames_and_assignments(fresh_db: Database) -> None:
    db = fresh_db
    plan = small_plan(
        item(1, "区科技局"),
        item(2, "局高新处"),
        item(3),
        item(4, "局创新处"),
    )
    await import_plan(db, plan, source_name="p", content_hash="h1", now=T1)
    await add_unit(db, "各辖市、区科技局")
    await merge_units(db, "区科技局", "各辖市、区科技局")
    await rename_unit(db, "局高新处", "局高新技术处")
    third, fourth = await get_item(db, 1, 3), await get_item(db, 1, 4)
    assert third is not None and fourth is not None
    spare = (await add_unit(db, "局规划处"))[0]
    await assign_units(db, third.id, [spare.id], "lead", now=T1)
    creative = await unit_id(db, "局创新处")
    await assign_units(db, fourth.id, [creative], "support", now=T1)  # a role the plan did not give
    expected = {
        1: [("各辖市、区科技局", "lead")],
        2: [("局高新技术处", "lead")],
        3: [("局规划处", "lead")],
        4: [("局创新处", "support")],
    }
    assert stored_units(await list_items(db)) == expected

    # the same document again (another file, another hash): nothing changes
    same = await import_plan(db, plan, source_name="p.docx", content_hash="h2", now=T2)
    assert same.unchanged and same.items_unchanged == 4
    assert stored_units(await list_items(db)) == expected

    # an edited document: item 3 re-titled, item 4 now also names 局规划处, a new item 5
    edited = small_plan(
        item(1, "区科技局"),
        item(2, "局高新处"),
        replace(item(3), title="事项3(修订)", text="事项3的新内容。"),
        item(4, "局创新处", "局规划处"),
        item(5, "区科技局"),
    )
    result = await import_plan(db, edited, source_name="p2", content_hash="h3", now=T2)
    assert (result.items_added, result.items_updated, result.units_created) == (1, 2, ())
    assert stored_units(await list_items(db)) == {
        **expected,
        4: [("局创新处", "support"), ("局规划处", "lead")],
        5: [("各辖市、区科技局", "lead")],
    }
    marks = await db.fetchall(
        "SELECT i.seq, iu.assigned_at IS NOT NULL FROM item_units iu JOIN items i"
        " ON i.id = iu.item_id ORDER BY i.seq, iu.position"
    )
    assert [tuple(m) for m in marks] == [(1, 0), (2, 0), (3, 1), (4, 1), (4, 0), (5, 0)]


async def test_plan_keeps_its_warnings_and_skipped_parts(fresh_db: Database) -> None:
    db = fresh_db
    plan = small_plan(item(1, "局高新处"), skipped=("分工原则: 一是…",), warnings=("年份按 2023",))
    await import_plan(db, plan, source_name="p", content_hash="h1", now=T1)
    [stored] = await list_plans(db)
    assert (stored.skipped, stored.warnings) == (("分工原则: 一是…",), ("年份按 2023",))
    # the same document read by a newer parser that skips something else
    await import_plan(db, replace(plan, skipped=("附件",)), source_name="p", content_hash="h1")
    [stored] = await list_plans(db)
    assert stored.skipped == ("附件",) and stored.updated_at == T1
    await import_plan(
        db, replace(plan, skipped=(), warnings=()), source_name="p", content_hash="h2"
    )
    [stored] = await list_plans(db)
    assert (stored.skipped, stored.warnings) == ((), ())


async def test_v4_database_upgrades_to_v5_with_empty_reviews(tmp_path: Path) -> None:
    path = tmp_path / "duban.sqlite3"
    assert latest_version(MIGRATIONS) >= 5
    async with (
        await Database.open(path, migrations=MIGRATIONS[:4]) as db,
        db.transaction() as conn,
    ):
        await conn.execute(
            "INSERT INTO plans (title, year, source_name, content_hash) VALUES ('旧计划', 2022, 'a', 'h')"
        )
    async with await Database.open(path) as db:
        assert await scalar(db, "PRAGMA user_version") == latest_version(MIGRATIONS)
        [plan] = await list_plans(db)
        assert (plan.title, plan.warnings, plan.skipped) == ("旧计划", (), ())
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            async with db.transaction() as conn:
                await conn.execute("UPDATE plans SET skipped = 'not json'")


# ---------------------------------------------------------------------------- command line


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `duban --database DB ARGV…` in tmp_path without DUBAN_* variables: (status, out, err)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith("DUBAN_"):
            monkeypatch.delenv(name)
    db = tmp_path / "duban.db"

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(["--database", str(db), *argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.txt"
    path.write_text(PLAN_TEXT, encoding="utf-8")
    return path


def test_import_ends_with_the_review_and_fixes_make_findings_go_away(
    cli: Any, tmp_path: Path
) -> None:
    plan = plan_file(tmp_path)
    status, out, err = cli("import", str(plan))
    assert (status, err) == (0, "")
    review = out[out.index("导入检查") :]
    assert out.rstrip().endswith(review.rstrip())
    assert "1 项没有责任单位:第 5 项" in review
    assert "duban units --merge 区科技局 各辖市、区科技局" in review
    assert "局高新处(第 1 项)、局高新技术处(第 6 项)" in review
    assert "2 项没有写完成时限,按 2023-12-31 计:第 3、5 项" in review
    assert "第 2 项(4 个)" in review
    assert "<code>" not in review

    status, out, err = cli("units", "--merge", "区科技局", "各辖市、区科技局")
    assert (status, err) == (0, "")
    assert out.startswith("Merged 区科技局 into 各辖市、区科技局: 1 items")
    status, out, err = cli("units", "--rename", "局高新技术处", "局高新技术产业处")
    assert (status, err) == (0, "") and "Renamed 局高新技术处 to 局高新技术产业处" in out

    # the same file again: nothing changes, and the review shows what is stored now
    status, out, _ = cli("import", str(plan))
    assert out.startswith("Nothing changed")
    assert "区科技局" not in out.replace("各辖市、区科技局", "")
    assert "局高新技术产业处(第 6 项)" in out
    units = cli("units")[1]
    assert "区科技局" in units and "局高新技术处" in units  # as aliases


def test_units_fix_errors_are_one_line_and_change_nothing(cli: Any, tmp_path: Path) -> None:
    cli("import", str(plan_file(tmp_path)))
    before = cli("units")[1]
    cases = [
        (("--merge", "局不存在处", "局高新处"), "unknown unit: '局不存在处'"),
        (("--merge", "局高新处", "局新名处"), "duban units --rename 局高新处 局新名处"),
        (("--merge", "高新处", "局高新处"), "nothing to merge"),
        (
            ("--rename", "局高新处", "各辖市、区科技局"),
            "duban units --merge 局高新处 各辖市、区科技局",
        ),
        (("--rename", "局高新处", "局" * 61), "over 60 characters"),
        (("--rename", "局高新处", "局高新处"), "already called"),
    ]
    for argv, expected in cases:
        status, out, err = cli("units", *argv)
        assert (status, out) == (2, ""), argv
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("duban: ") and expected in lines[0], err
    assert cli("units")[1] == before


def expected_review(path: Path, lang: str) -> str:
    plan = parse_file(path).plan
    review = review_plan(plan.items, year=plan.year, skipped=plan.skipped, warnings=plan.warnings)
    return plain_text(review_lines(Texts(lang), review, title=plan.title, fix="cli"))


def test_parse_ends_with_the_review_in_the_configured_language(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = cli("parse", str(SEED_003))
    assert (status, err) == (0, "")
    assert out.endswith("\n\n" + expected_review(SEED_003, "zh") + "\n")
    assert "20 项没有责任单位:第 1–20 项" in out and "个以上数字指标" in out

    monkeypatch.setenv("DUBAN_LANGUAGE", "en")
    out = cli("parse", str(SEED_000))[1]
    assert out.endswith("\n\n" + expected_review(SEED_000, "en") + "\n")
    assert "Import review “市科技局党组2023年工作要点”, 28 items" in out
    assert "Items without a deadline phrase" in out and "2023-12-31 assumed" in out

    monkeypatch.setenv("DUBAN_CYCLE_DAY", "99")  # a wrong setting that parse does not need
    status, out, err = cli("parse", str(SEED_000))
    assert (status, err) == (0, "") and "导入检查" in out


def test_parse_json_has_no_review(cli: Any, tmp_path: Path) -> None:
    status, out, _ = cli("parse", str(plan_file(tmp_path)), "--json")
    assert status == 0 and "导入检查" not in out and out.startswith("{")


def test_with_several_plans_the_review_names_items_plan_seq(cli: Any, tmp_path: Path) -> None:
    cli("import", str(SEED_000))
    status, out, _ = cli("import", str(plan_file(tmp_path)))
    assert status == 0
    assert "导入检查 计划 2《某市科技局2023年工作要点》,共 6 项(事项号写作 2-序号)" in out
    assert "/assign 2-5 单位名" in out


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["区科技局", "各辖市、区科技局"], ("区科技局", "各辖市、区科技局")),
        (["区科技局", "→", "各辖市、区科技局"], ("区科技局", "各辖市、区科技局")),
        (["局高新处", "改为", "局高新技术处"], ("局高新处", "局高新技术处")),
        (["局高新处"], None),
        (["甲", "乙", "丙"], None),
        ([], None),
    ],
)
def test_two_unit_names_from_a_command(args: list[str], names: tuple[str, str] | None) -> None:
    assert two_names(args) == names

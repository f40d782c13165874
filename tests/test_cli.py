"""Tests of the `duban` command line over a real SQLite file: parse, import, re-import, listings.

The CLI is driven through `bot.cli.main([...])` with `--database` in tmp_path; one test runs the
installed console script in a subprocess to prove the entry point. Seeds come from tests/data/.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.cli import main
from plans.documents.sources import parse_file
from storage import Database, StoredItem, list_items

DATA = Path(__file__).resolve().parent / "data"
SEEDS = sorted((DATA / "seeds").glob("*.txt"))
SEED_000 = DATA / "seeds" / "000_0585e7f56649ebe7.txt"
SEED_001 = DATA / "seeds" / "001_90bbfd82e3d25245.txt"
SEED_002 = DATA / "seeds" / "002_c19ef93a40d4afc0.txt"
GOLD = json.loads((DATA / "fixtures" / "seeds-gold.json").read_text(encoding="utf-8"))

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run every command in tmp_path (no .env, no ./data of the checkout), with no DUBAN_* env."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith("DUBAN_"):
            monkeypatch.delenv(name)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "db" / "duban.db"


def duban(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `duban ARGV…` in-process; return (exit status, stdout, stderr)."""
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    status, out, err = duban(capsys, *argv)
    assert (status, err) == (0, ""), err
    return out


def one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("duban: "), err
    return lines[0]


def row_counts(path: Path) -> dict[str, int]:
    """Rows in every table of the database, read through a read-only connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def query(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def table_rows(out: str) -> list[list[str]]:
    """The data rows of a table printed by the CLI: the lines after the dashed rule, split on
    runs of two or more spaces (cells never hold two spaces in a row)."""
    lines = out.splitlines()
    rule = next(k for k, line in enumerate(lines) if re.fullmatch(r"-+(  -+)*", line))
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip() or line.startswith("note:"):
            break
        rows.append(re.split(r" {2,}", line.strip()))
    return rows


async def _add_report(path: Path, item_id: int, text: str) -> int:
    """Record a progress report against an item, as the reporting feature will."""
    database = await Database.open(path)
    try:
        async with database.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT unit_id FROM item_units WHERE item_id = ? ORDER BY position",
                    (item_id,),
                )
            )
            async with conn.execute(
                "INSERT INTO reports (item_id, unit_id, status, percent, text)"
                " VALUES (?, ?, 'in_progress', 60, ?)",
                (item_id, rows[0][0], text),
            ) as cursor:
                assert cursor.lastrowid is not None
                return cursor.lastrowid
    finally:
        await database.close()


def add_report(path: Path, item_id: int, text: str) -> int:
    return asyncio.run(_add_report(path, item_id, text))


async def _live_items(path: Path, plan_id: int) -> dict[int, StoredItem]:
    database = await Database.open(path)
    try:
        return {s.id: s for s in await list_items(database, plan_id=plan_id)}
    finally:
        await database.close()


def live_items(path: Path, plan_id: int = 1) -> dict[int, StoredItem]:
    """The plan's live items by id, read back through storage's own API."""
    return asyncio.run(_live_items(path, plan_id))


# ---------------------------------------------------------------------------- parse


ITEM_KEYS = {
    "seq",
    "number",
    "path",
    "kind",
    "title",
    "text",
    "units",
    "deadline",
    "deadline_text",
    "milestones",
    "targets",
}


def test_parse_json_prints_the_design_shape_and_touches_no_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    ranges = milestones = 0
    for seed in SEEDS:
        out = ok(capsys, "--database", str(db), "parse", str(seed), "--json")
        plan = json.loads(out)  # the whole of stdout is one JSON document

        assert set(plan) == {"title", "year", "default_units", "items"}
        assert plan == parse_file(seed).plan.to_json()
        gold = GOLD["plans"][seed.name]
        assert plan["year"] == gold["year"]
        assert len(plan["items"]) == gold["item_count"]
        assert isinstance(plan["title"], str) and plan["title"]
        assert all(isinstance(u, str) for u in plan["default_units"])
        for seq, item in enumerate(plan["items"], start=1):
            assert set(item) == ITEM_KEYS
            assert item["seq"] == seq
            assert item["kind"] in ("task", "indicator")
            assert isinstance(item["path"], list) and item["number"] in item["path"]
            assert ISO_DATE.match(item["deadline"]), item["deadline"]
            date.fromisoformat(item["deadline"])
            assert isinstance(item["deadline_text"], str)
            for unit in item["units"]:
                assert set(unit) == {"name", "role"}
                assert unit["role"] in ("lead", "support")
            for milestone in item["milestones"]:
                assert set(milestone) == {"date", "text"}
                assert ISO_DATE.match(milestone["date"])
                milestones += 1
            for target in item["targets"]:
                assert set(target) == {"text", "value", "upper", "measure", "op"}
                assert isinstance(target["value"], int | float)
                assert target["upper"] is None or isinstance(target["upper"], int | float)
                assert target["op"] in ("≥", ">", "≤", "≈", "range")
                ranges += target["upper"] is not None

    assert ranges and milestones  # the seeds have both (002: "1-2家", "10月竣工")
    assert not db.parent.exists()
    assert not (tmp_path / "data").exists()  # nor the default database


def test_parse_json_of_seed_000(capsys: pytest.CaptureFixture[str]) -> None:
    plan = json.loads(ok(capsys, "parse", str(SEED_000), "--json"))
    assert plan["title"] == "市科技局党组2023年工作要点"
    assert plan["default_units"] == ["各辖市、区科技局", "常州经开区科技金融局"]
    second = plan["items"][1]
    assert (second["number"], second["path"]) == ("(二)", ["一、", "(二)"])
    assert {"name": "各辖市、区科技局", "role": "support"} in second["units"]
    assert second["deadline"] == "2023-12-31"


def test_parse_prints_a_readable_table(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    out = ok(capsys, "--database", str(db), "parse", str(SEED_000))

    lines = out.splitlines()
    assert lines[0].startswith("市科技局党组2023年工作要点")
    header = next(line for line in lines if line.startswith("seq"))
    assert header.split() == ["seq", "no.", "title", "units", "deadline", "targets"]
    rows = table_rows(out)
    assert [r[0] for r in rows] == [str(n) for n in range(1, 29)]
    assert rows[0][1] == "(一)"
    assert "局机关党委" in rows[0][3]
    assert all(r[4].startswith("2023-12-31") for r in rows)
    assert not db.parent.exists()


def test_parse_without_a_year_assumes_the_current_one_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = tmp_path / "noyear.txt"
    plan.write_text("科技工作要点\n(一)培育高新技术企业,6月底前完成。(责任单位:局高新处)\n")

    status, out, err = duban(capsys, "parse", str(plan))
    this_year = date.today().year
    assert status == 0
    assert f"plan year {this_year}" in out
    warning = [line for line in (out + err).splitlines() if "assumed" in line]
    assert len(warning) == 1 and "--year" in warning[0] and str(this_year) in warning[0]

    parsed = json.loads(ok(capsys, "parse", str(plan), "--json", "--year", "2026"))
    assert parsed["year"] == 2026
    assert parsed["items"][0]["deadline"] == "2026-06-30"


# ---------------------------------------------------------------------------- import


def test_import_prints_a_summary_and_reimport_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    expected = parse_file(SEED_000).plan
    unit_names = {u.name for i in expected.items for u in i.units}

    out = ok(capsys, "--database", str(db), "import", str(SEED_000))

    assert out.startswith("Imported plan 1: 市科技局党组2023年工作要点 (2023)")
    assert "items: 28 items" in out
    assert f"units: {len(unit_names)} named, {len(unit_names)} new:" in out
    assert "局高新处" in out
    assert "items without any unit: none" in out
    assert "deadlines: 28 on 2023-12-31; 0 items with dated milestones" in out
    counts = row_counts(db)
    assert counts["plans"] == 1
    assert counts["items"] == 28
    assert counts["units"] == len(unit_names)

    again = ok(capsys, "--database", str(db), "import", str(SEED_000))

    assert again.startswith("Nothing changed: plan 1")
    assert "Imported" not in again and "Updated" not in again
    assert row_counts(db) == counts


def test_import_summary_counts_items_without_units_and_milestones(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    out = ok(capsys, "--database", str(db), "import", str(SEED_001))
    assert "items: 21 items" in out
    assert "items without any unit: 21 (1, 2, 3," in out

    out = ok(capsys, "--database", str(db), "import", str(SEED_002))
    assert out.startswith("Imported plan 2:")
    plan = parse_file(SEED_002).plan
    with_milestones = sum(1 for i in plan.items if i.milestones)
    assert with_milestones > 0
    assert f"{with_milestones} items with dated milestones" in out
    assert row_counts(db)["plans"] == 2


def test_same_plan_in_another_encoding_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    ok(capsys, "--database", str(db), "import", str(SEED_000))
    counts = row_counts(db)
    gbk = tmp_path / "seed-gbk.txt"
    gbk.write_bytes(SEED_000.read_text(encoding="utf-8").encode("gb18030"))

    out = ok(capsys, "--database", str(db), "import", str(gbk))

    assert out.startswith("Nothing changed")
    assert row_counts(db) == counts


def test_listings_after_import(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    ok(capsys, "--database", str(db), "import", str(SEED_000))

    plans = table_rows(ok(capsys, "--database", str(db), "plans"))
    assert [r[:5] for r in plans] == [
        ["1", "2023", "市科技局党组2023年工作要点", "28", SEED_000.name]
    ]

    units = {r[1]: r for r in table_rows(ok(capsys, "--database", str(db), "units"))}
    assert "局高新处" in units
    assert units["局高新处"][-1] == "高新处"  # the alias column
    assert "各辖市、区科技局" in units  # one unit although it holds 、
    items = parse_file(SEED_000).plan.items
    expected = [i.seq for i in items if "局高新处" in i.lead_units + i.support_units]
    leading = [i.seq for i in items if "局高新处" in i.lead_units]
    assert units["局高新处"][2:4] == [str(len(expected)), str(len(leading))]

    by_alias = ok(capsys, "--database", str(db), "items", "--unit", "高新处")
    by_name = ok(capsys, "--database", str(db), "items", "--unit", "局高新处")
    assert by_alias == by_name
    assert [int(r[0]) for r in table_rows(by_alias)] == expected

    all_items = table_rows(ok(capsys, "--database", str(db), "items", "--plan", "1"))
    assert [r[0] for r in all_items] == [str(n) for n in range(1, 29)]


def test_items_of_an_unknown_unit_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    ok(capsys, "--database", str(db), "import", str(SEED_000))

    status, out, err = duban(capsys, "--database", str(db), "items", "--unit", "不存在的单位")

    assert status == 2
    assert out == ""
    assert "不存在的单位" in one_error_line(err)


def test_items_filtered_by_plan(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    ok(capsys, "--database", str(db), "import", str(SEED_000))
    ok(capsys, "--database", str(db), "import", str(SEED_001))

    second = table_rows(ok(capsys, "--database", str(db), "items", "--plan", "2"))

    assert [r[0] for r in second] == [str(n) for n in range(1, 22)]  # one plan: plain seq
    assert second[0][2] == parse_file(SEED_001).plan.items[0].title


def test_empty_database_listings_say_so(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    assert "No items" in ok(capsys, "--database", str(db), "items")
    assert "No units" in ok(capsys, "--database", str(db), "units")
    assert "No plans" in ok(capsys, "--database", str(db), "plans")


# ---------------------------------------------------------------------------- re-import


def _edit_seed_000(path: Path) -> None:
    """Change (四)'s text, delete (五), re-title (十六), add (二十七) at the end."""
    text = path.read_text(encoding="utf-8")
    edits = [
        (
            "推动常州国家农业科技园建设并通过验收。",
            "推动常州国家农业科技园建设并通过验收,新增省级高新区1家。",
        ),
        ("(十六)优化创新政策支撑。", "(十六)完善创新政策体系。"),
        (
            "扫一扫在手机打开当前页",
            "(二十七)加强科技宣传工作。讲好科技创新故事,10月底前完成年度宣传片。"
            "(责任单位:局办公室)\n扫一扫在手机打开当前页",
        ),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    lines = text.split("\n")
    kept = [line for line in lines if not line.startswith("(五)加速建设重大科创平台")]
    assert len(kept) == len(lines) - 1
    path.write_text("\n".join(kept), encoding="utf-8")


def _ids_by_number(db: Path) -> dict[str, int]:
    rows = query(db, "SELECT id, number FROM items WHERE plan_id = 1 AND removed_at IS NULL")
    return {number: item_id for item_id, number in rows}


def test_reimport_of_an_edited_plan_keeps_reports(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    plan_file = tmp_path / "plan.txt"
    shutil.copy(SEED_000, plan_file)
    ok(capsys, "--database", str(db), "import", str(plan_file))
    ids = _ids_by_number(db)
    edited, removed, retitled = ids["(四)"], ids["(五)"], ids["(十六)"]
    reports = {
        add_report(db, edited, "完成60%,溧阳高新区已上报"): edited,
        add_report(db, removed, "龙城实验室已集聚人才30名"): removed,
        add_report(db, retitled, "政策已起草"): retitled,
    }
    _edit_seed_000(plan_file)

    out = ok(capsys, "--database", str(db), "import", str(plan_file))

    assert out.startswith("Updated plan 1:")
    m = re.search(r"(\d+) added, (\d+) updated, (\d+) unchanged, (\d+) removed", out)
    assert m is not None, out
    added, updated, unchanged, gone = map(int, m.groups())
    assert (added, gone) == (1, 1)
    assert updated >= 2  # (四) and (十六) at least; later items were renumbered too
    assert added + updated + unchanged == 28

    # Every report survives and still points at the item it was recorded against.
    assert dict(query(db, "SELECT id, item_id FROM reports")) == reports
    live = live_items(db)
    assert removed not in live
    assert "新增省级高新区1家" in live[edited].item.text
    assert live[edited].item.number == "(四)"
    assert live[retitled].item.title == "完善创新政策体系"
    assert live[retitled].item.number == "(十六)"
    new = [s for s in live.values() if s.item.number == "(二十七)"]
    assert len(new) == 1 and new[0].item.deadline == date(2023, 10, 31)
    assert sorted(s.item.seq for s in live.values()) == list(range(1, 29))

    # The removed item is soft-removed: kept with its report, absent from listings.
    assert query(db, "SELECT removed_at IS NOT NULL FROM items WHERE id = ?", (removed,)) == [(1,)]
    listing = ok(capsys, "--database", str(db), "items")
    assert "加速建设重大科创平台" not in listing
    assert "完善创新政策体系" in listing and "加强科技宣传工作" in listing
    assert len(table_rows(listing)) == 28


def test_item_restored_by_a_later_import_keeps_its_id(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    plan_file = tmp_path / "plan.txt"
    shutil.copy(SEED_000, plan_file)
    ok(capsys, "--database", str(db), "import", str(plan_file))
    item_id = _ids_by_number(db)["(五)"]
    add_report(db, item_id, "龙城实验室已集聚人才30名")
    _edit_seed_000(plan_file)
    ok(capsys, "--database", str(db), "import", str(plan_file))

    ok(capsys, "--database", str(db), "import", str(SEED_000))  # (五) is back

    assert _ids_by_number(db)["(五)"] == item_id


def _ledger(deadline_of_2: object) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    for row in [
        ["XX市科技局2024年重点工作督查台账", None, None, None, None],
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        [1, "净增高新技术企业600家以上", "局高新处", "局产学研处", "2024年6月底"],
        [2, "新建省级研发机构3家", "局产学研处", "各辖市、区科技局", deadline_of_2],
        [3, "举办国际科技合作交流活动", "局合作处", None, "年底前"],
    ]:
        ws.append(row)
    ws.merge_cells("A1:E1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_and_reimport_of_an_xlsx_ledger(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(_ledger(datetime(2024, 10, 15)))

    out = ok(capsys, "--database", str(db), "import", str(ledger))
    assert out.startswith("Imported plan 1: XX市科技局2024年重点工作 (2024)")
    counts = row_counts(db)

    ledger.write_bytes(_ledger(datetime(2024, 10, 15)))  # saved again: new bytes, same content
    assert ok(capsys, "--database", str(db), "import", str(ledger)).startswith("Nothing changed")
    assert row_counts(db) == counts

    ledger.write_bytes(_ledger("11月底"))
    out = ok(capsys, "--database", str(db), "import", str(ledger))
    assert "0 added, 1 updated, 2 unchanged, 0 removed" in out
    rows = table_rows(ok(capsys, "--database", str(db), "items", "--unit", "产学研处"))
    assert [(r[0], r[4]) for r in rows] == [
        ("1", "2024-06-30 (2024年6月底)"),
        ("2", "2024-11-30 (11月底)"),
    ]


# ---------------------------------------------------------------------------- many plans


def test_all_five_seeds_in_one_database(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    counts = [GOLD["plans"][seed.name]["item_count"] for seed in SEEDS]
    for plan_id, seed in enumerate(SEEDS, start=1):
        out = ok(capsys, "--database", str(db), "import", str(seed))
        assert out.startswith(f"Imported plan {plan_id}:")

    plans = table_rows(ok(capsys, "--database", str(db), "plans"))
    assert [(r[0], r[3]) for r in plans] == [
        (str(k), str(n)) for k, n in enumerate(counts, start=1)
    ]
    rows = table_rows(ok(capsys, "--database", str(db), "items"))
    assert [r[0] for r in rows] == [
        f"{plan_id}-{seq}" for plan_id, n in enumerate(counts, start=1) for seq in range(1, n + 1)
    ]
    assert row_counts(db)["items"] == sum(counts)


# ---------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DUBAN_TIMEZONE", "Mars/Base"), ("DUBAN_ADMIN_IDS", "alice,bob")],
)
@pytest.mark.parametrize("source", ["env", "dotenv"])
@pytest.mark.parametrize("command", [["items"], ["import", str(SEED_001)]])
def test_a_wrong_setting_is_one_line_naming_the_variable(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variable: str,
    value: str,
    source: str,
    command: list[str],
) -> None:
    if source == "env":
        monkeypatch.setenv(variable, value)
    else:
        (tmp_path / ".env").write_text(f"{variable}={value}\n", encoding="utf-8")
    db = tmp_path / "db" / "duban.db"

    status, out, err = duban(capsys, "--database", str(db), *command)

    assert status == 2
    assert out == ""
    assert variable in one_error_line(err)
    assert not db.parent.exists()


def test_database_setting_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DUBAN_DATABASE", str(tmp_path / "env.db"))
    ok(capsys, "import", str(SEED_001))
    assert row_counts(tmp_path / "env.db")["items"] == 21
    assert not (tmp_path / "data").exists()


# ---------------------------------------------------------------------------- the database file


# aiosqlite's worker thread outlives the failed connect and complains on its own.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_database_that_is_a_directory_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = duban(capsys, "--database", str(tmp_path), "items")
    assert status == 2
    one_error_line(err)


# aiosqlite's worker thread outlives the failed connect and complains on its own.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_database_that_is_not_sqlite_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("这不是数据库\n" * 20, encoding="utf-8")
    before = notes.read_bytes()

    status, _, err = duban(capsys, "--database", str(notes), "import", str(SEED_001))

    assert status == 2
    one_error_line(err)
    assert notes.read_bytes() == before


# ---------------------------------------------------------------------------- entry point


def test_installed_console_script(tmp_path: Path) -> None:
    script = shutil.which("duban", path=str(Path(sys.executable).parent)) or shutil.which("duban")
    assert script, "the `duban` console script is not installed (pip install -e .)"
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DUBAN_")}
    db = tmp_path / "duban.db"

    parsed = subprocess.run(
        [script, "parse", str(SEED_001), "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stderr
    assert len(json.loads(parsed.stdout)["items"]) == 21

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    failed = subprocess.run(
        [script, "--database", str(db), "import", str(empty)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert "empty" in one_error_line(failed.stderr)
    assert not db.exists()

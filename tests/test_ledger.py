"""The 督查台账 export: cell by cell, its print layout, CSV, hostile texts and the round trip
through the importer."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from plans.documents.parser import PlanFormatError, make_title
from plans.documents.sources import parse_bytes, parse_file
from plans.followup.status import ItemRecord, Snapshot, build_snapshot
from plans.model import Item, Plan, Report, Status, Target, UnitRef
from render.ledger import (
    LEDGER_COLUMNS,
    MAX_CELL_CHARS,
    ledger_csv,
    ledger_rows,
    ledger_title,
    ledger_xlsx,
)

TZ = ZoneInfo("Asia/Shanghai")
SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
SEED_000 = SEEDS / "000_0585e7f56649ebe7.txt"
TODAY = date(2023, 6, 30)  # 序时进度 180/364 = 49.5%
HEADER_ROW = 3
FILLS = {"绿": "C6EFCE", "黄": "FFEB9C", "红": "FFC7CE"}


def records_of(plan: Plan, *, plan_id: int = 1, prefix: str = "") -> list[ItemRecord]:
    return [
        ItemRecord(
            item_id=plan_id * 1000 + item.seq,
            plan_id=plan_id,
            ref=f"{prefix}{item.seq}",
            item=item,
            plan_start=date(plan.year, 1, 1),
        )
        for item in plan.items
    ]


def report(
    n: int,
    seq: int,
    unit: str,
    status: Status,
    percent: float | None,
    text: str,
    at: datetime,
) -> Report:
    return Report(
        id=n,
        item_id=1000 + seq,
        unit_id=1,
        status=status,
        percent=percent,
        text=text,
        created_at=at,
        unit_name=unit,
    )


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_file(SEED_000).plan


@pytest.fixture(scope="module")
def snap(plan: Plan) -> Snapshot:
    at = datetime(2023, 6, 20, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai: the ledger's local time
    reports = [
        report(1, 3, "局高新处", "in_progress", 60, "完成60%,已培育创新型领军企业32家", at),
        report(2, 4, "局高新处", "in_progress", 35, "推进中", datetime(2023, 6, 25, 10, tzinfo=TZ)),
        report(3, 5, "局创新处", "done", None, "", datetime(2023, 6, 28, 16, 5, tzinfo=TZ)),
        report(
            4,
            6,
            "局高新处",
            "blocked",
            20,
            "有困难:用地指标未落实",
            datetime(2023, 6, 29, 8, tzinfo=TZ),
        ),
    ]
    return build_snapshot(records_of(plan), reports, today=TODAY, tz=TZ)


@pytest.fixture(scope="module")
def xlsx(snap: Snapshot, plan: Plan) -> bytes:
    return ledger_xlsx(snap, TZ, title=plan.title)


@pytest.fixture(scope="module")
def sheet(xlsx: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(xlsx)).active


def row_of(sheet: Any, seq: int) -> list[Any]:
    return [c.value for c in sheet[HEADER_ROW + seq]]


# ---------------------------------------------------------------------------- content


def test_title_rows_and_header(sheet: Any) -> None:
    assert sheet.title == "督查台账"
    assert sheet["A1"].value == "市科技局党组2023年工作要点督查台账"
    assert sheet["A2"].value == "截至2023年6月30日"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert merged == {"A1:L1", "A2:L2"}
    assert sheet["A1"].font.b and sheet["A1"].alignment.horizontal == "center"
    assert tuple(c.value for c in sheet[HEADER_ROW]) == LEDGER_COLUMNS
    for cell in sheet[HEADER_ROW]:
        assert cell.font.b
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("D9E1F2")
    assert sheet.max_row == HEADER_ROW + 28


def test_a_reported_row_column_by_column(sheet: Any, plan: Plan) -> None:
    item = plan.items[2]
    assert row_of(sheet, 3) == [
        3,
        item.text,
        "局高新处",
        "各辖市、区科技局、常州经开区科技金融局",
        "超50家; 超700家",
        "2023年12月31日",
        "6月20日 局高新处:完成60%,已培育创新型领军企业32家",
        60,
        "推进中",
        "绿",
        "2023-06-20 09:30",
        None,  # 延期情况: none granted
    ]
    assert item.text.startswith(item.title + "。")  # the title is the first sentence


def test_unreported_done_and_blocked_rows(sheet: Any, plan: Plan) -> None:
    # no report: blank progress, not started, red (49.5 points behind 序时进度)
    first = row_of(sheet, 1)
    assert first[2] == "局机关党委、各辖市、区科技局、常州经开区科技金融局"
    assert first[3] is None and first[4] is None
    assert first[6:] == [None, None, "未启动", "红", None, None]
    # done with no text and no percent: the status words stand in, and 100
    assert row_of(sheet, 5)[6:] == [
        "6月28日 局创新处:已完成",
        100,
        "已完成",
        "绿",
        "2023-06-28 16:05",
        None,
    ]
    assert row_of(sheet, 6)[6:] == [
        "6月29日 局高新处:有困难:用地指标未落实",
        20,
        "有困难",
        "红",
        "2023-06-29 08:00",
        None,
    ]
    assert row_of(sheet, 4)[7:10] == [35, "推进中", "黄"]  # 14.5 points behind


def test_light_cells_are_filled_by_colour(sheet: Any) -> None:
    seen = set()
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        light = row[9]
        assert light.fill.fill_type == "solid"
        assert light.fill.fgColor.rgb.endswith(FILLS[light.value])
        assert light.font.b
        seen.add(light.value)
        for other in row[:9]:
            assert other.fill.fill_type is None
    assert seen == {"绿", "黄", "红"}


def test_rows_match_ledger_rows(sheet: Any, snap: Snapshot) -> None:
    rows = ledger_rows(snap, TZ)
    assert len(rows) == len(snap.items)
    for k, expected in enumerate(rows, start=1):
        got = row_of(sheet, k)
        assert got[0] == int(str(expected[0]))
        assert got[1:] == expected[1:]


# ---------------------------------------------------------------------------- layout


def test_print_layout(sheet: Any) -> None:
    assert sheet.freeze_panes == "A4"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHIJK"}
    assert widths["B"] >= 40 and widths["G"] >= 30  # 工作任务, 最新进展
    assert widths["A"] <= 8 and widths["H"] <= 8 and widths["J"] <= 8  # 序号, 进度%, 预警
    assert all(w >= 6 for w in widths.values())
    ps = sheet.page_setup
    assert ps.orientation == "landscape"
    assert int(ps.paperSize) == int(sheet.PAPERSIZE_A4) == 9
    assert int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.auto_filter.ref == f"A3:L{HEADER_ROW + 28}"


def test_cell_formats(sheet: Any) -> None:
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1):
        for cell in row:
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
            assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
            assert not cell.quotePrefix
        assert row[7].number_format == "0"  # 进度%
        assert row[0].number_format == "0" and isinstance(row[0].value, int)
        assert row[0].alignment.horizontal == "center"
        assert row[1].alignment.horizontal == "left"
    assert sheet["H6"].value == 60 and sheet["H6"].data_type == "n"


def test_refs_of_several_plans_stay_text(plan: Plan) -> None:
    snap = build_snapshot(records_of(plan, prefix="2-")[:3], [], today=TODAY, tz=TZ)
    sheet = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(snap, TZ, title=plan.title))).active
    assert [sheet.cell(r, 1).value for r in (4, 5, 6)] == ["2-1", "2-2", "2-3"]
    assert sheet["A4"].number_format == "@"


# ---------------------------------------------------------------------------- csv


def test_csv_has_bom_and_the_same_rows(snap: Snapshot) -> None:
    data = ledger_csv(snap, TZ)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == LEDGER_COLUMNS
    expected = ledger_rows(snap, TZ)
    assert len(rows) == 1 + len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        assert got == [
            "" if v is None else str(int(v)) if isinstance(v, float) else v for v in want
        ]
    assert rows[3][7] == "60" and rows[3][10] == "2023-06-20 09:30"
    assert rows[3][1] == snap.items[2].item.text  # the task text whole, newlines and all


# ---------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_round_trip_through_the_importer(seed: str) -> None:
    original = parse_file(SEEDS / seed).plan
    snap = build_snapshot(records_of(original), [], today=date(original.year, 6, 30), tz=TZ)
    back = parse_bytes(ledger_xlsx(snap, TZ, title=original.title), name="ledger.xlsx").plan
    assert back.year == original.year
    assert back.title == original.title  # the importer drops the "督查台账" it added
    assert len(back.items) == len(original.items)
    for a, b in zip(original.items, back.items, strict=True):
        assert b.number == str(a.seq)
        assert b.title == a.title
        assert b.text == a.text
        assert b.units == a.units
        assert b.deadline == a.deadline
        assert b.targets == a.targets
        # every milestone comes back; the 完成时限 date itself reads as one more, on the deadline
        assert set(a.milestones) <= set(b.milestones)
        assert {m.date for m in set(b.milestones) - set(a.milestones)} <= {a.deadline}


def test_round_trip_keeps_milestones_and_dates(plan: Plan) -> None:
    original = parse_file(SEEDS / "002_c19ef93a40d4afc0.txt").plan
    item = original.items[17]
    assert len(item.milestones) == 2
    snap = build_snapshot(records_of(original), [], today=date(2020, 6, 30), tz=TZ)
    cell = ledger_rows(snap, TZ)[17][5]
    assert cell == "2020年12月31日\n" + "\n".join(m.text for m in item.milestones)
    assert "青峰创元大厦10月竣工投用" in str(cell)


def test_a_title_without_the_year_gets_it(plan: Plan) -> None:
    # exported in January for last year's plan: the importer must still read 2023, not 2024
    snap = build_snapshot(records_of(plan), [], today=date(2024, 1, 5), tz=TZ)
    assert ledger_title(snap, "科技局重点工作") == "科技局重点工作2023年度督查台账"
    assert ledger_title(snap, "市科技局2023年工作要点督查台账") == "市科技局2023年工作要点督查台账"
    back = parse_bytes(ledger_xlsx(snap, TZ, title="科技局重点工作"), name="x.xlsx").plan
    assert back.year == 2023
    assert [i.deadline for i in back.items] == [i.deadline for i in plan.items]


def test_a_reimported_ledger_exports_the_same(plan: Plan) -> None:
    original = parse_file(SEEDS / "002_c19ef93a40d4afc0.txt").plan
    snap = build_snapshot(records_of(original), [], today=date(2020, 6, 30), tz=TZ)
    first = ledger_xlsx(snap, TZ, title=original.title)
    back = parse_bytes(first, name="ledger.xlsx").plan
    again = build_snapshot(records_of(back), [], today=date(2020, 6, 30), tz=TZ)
    rows_1, rows_2 = ledger_rows(snap, TZ), ledger_rows(again, TZ)
    assert [r[:6] for r in rows_1] == [r[:6] for r in rows_2]


# ---------------------------------------------------------------------------- hostile input

INJECTION = "=cmd|' /C calc'!A0"


def hostile_snapshot(text: str, *, unit: str = "局高新处", report_text: str = "") -> Snapshot:
    item = Item(
        seq=1,
        number="1.",
        path=("1.",),
        kind="task",
        title=make_title(text),
        text=text,
        units=(UnitRef(unit), UnitRef("@SUM(1+1)", "support")),
        deadline=date(2023, 12, 31),
        targets=(Target("+600家", 600, "家"),),
    )
    records = [ItemRecord(1, 1, "1", item, date(2023, 1, 1))]
    reports = []
    if report_text:
        at = datetime(2023, 6, 1, 9, tzinfo=TZ)
        reports.append(Report(1, 1, 1, "in_progress", 10, report_text, at, unit_name=unit))
    return build_snapshot(records, reports, today=TODAY, tz=TZ)


def test_formula_injection_is_stored_as_text() -> None:
    snap = hostile_snapshot(INJECTION, unit="#N/A")
    data = ledger_xlsx(snap, TZ, title=INJECTION)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # not one formula in the sheet
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    task, lead, support, targets = ws["B4"], ws["C4"], ws["D4"], ws["E4"]
    assert task.value == INJECTION and task.data_type == "s" and task.quotePrefix
    assert lead.value == "#N/A" and lead.data_type == "s"  # text, not an error value
    assert support.value == "@SUM(1+1)" and support.quotePrefix
    assert targets.value == "+600家" and targets.quotePrefix
    assert ws["A1"].value == f"{INJECTION}2023年度督查台账"
    # and the importer reads the text back as it was written
    back = parse_bytes(data, name="x.xlsx").plan
    assert back.items[0].text == INJECTION


def test_formula_injection_in_csv_gets_an_apostrophe() -> None:
    snap = hostile_snapshot(INJECTION, unit="-1+1")
    rows = list(csv.reader(io.StringIO(ledger_csv(snap, TZ).decode("utf-8-sig"))))
    assert rows[1][1] == "'" + INJECTION
    assert rows[1][2] == "'-1+1"
    assert rows[1][3] == "'@SUM(1+1)"
    assert rows[1][4] == "'+600家"
    assert ledger_rows(snap, TZ)[0][1] == INJECTION  # the rows themselves are the plain data


def test_control_characters_are_dropped() -> None:
    snap = hostile_snapshot("推进\x00项目\x07建设。\t第二句\n第三行", report_text="完成\x1b10%")
    row = ledger_rows(snap, TZ)[0]
    assert row[1] == "推进项目建设。\t第二句\n第三行"
    assert row[6] == "6月1日 局高新处:完成10%"
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(snap, TZ, title="t2023年"))).active
    assert ws["B4"].value == row[1]


def test_long_texts() -> None:
    long = "加快推进科技创新。" + "甲" * 9991
    assert len(long) == 10_000
    snap = hostile_snapshot(long, report_text="乙" * 10_000)
    data = ledger_xlsx(snap, TZ, title="2023年工作要点")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["B4"].value == long
    assert ws["G4"].value == "6月1日 局高新处:" + "乙" * 10_000
    assert parse_bytes(data, name="x.xlsx").plan.items[0].title == "加快推进科技创新"

    huge = hostile_snapshot("甲" * 50_000)
    cell = ledger_rows(huge, TZ)[0][1]
    assert isinstance(cell, str) and len(cell) == MAX_CELL_CHARS and cell.endswith("…")
    openpyxl.load_workbook(io.BytesIO(ledger_xlsx(huge, TZ, title="t")))


@pytest.mark.parametrize(
    ("title", "text", "cell"),
    [
        ("重点任务", "具体内容如下。", "重点任务\n具体内容如下。"),
        (
            "加快推进",
            "加快推进科技创新。",
            "加快推进\n加快推进科技创新。",
        ),  # a prefix, not the sentence
        ("加快推进科技创新", "加快推进科技创新。具体如下。", "加快推进科技创新。具体如下。"),
        ("只有标题", "", "只有标题"),
    ],
)
def test_task_text_starts_with_the_title_sentence(title: str, text: str, cell: str) -> None:
    snap = hostile_snapshot("x")
    item = replace(snap.items[0].item, title=title, text=text)
    snap = build_snapshot([replace(snap.items[0].record, item=item)], [], today=TODAY, tz=TZ)
    assert ledger_rows(snap, TZ)[0][1] == cell
    data = ledger_xlsx(snap, TZ, title="2023年工作要点")
    assert parse_bytes(data, name="x.xlsx").plan.items[0].title == title


def test_only_texts_that_look_like_formulas_get_the_quote_prefix() -> None:
    hostile = hostile_snapshot(INJECTION).items[0]
    plain = replace(
        hostile.record, item_id=2, ref="2", item=replace(hostile.item, title="正常", text="正常。")
    )
    snap = build_snapshot([hostile.record, plain], [], today=TODAY, tz=TZ)
    ws = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(snap, TZ, title="2023年"))).active
    assert ws["B4"].quotePrefix and not ws["B5"].quotePrefix
    assert ws["D4"].quotePrefix and ws["D5"].quotePrefix  # "@SUM(1+1)" on both rows
    assert not ws["C4"].quotePrefix and not ws["C5"].quotePrefix


def test_empty_snapshot() -> None:
    empty = Snapshot(today=TODAY, items=())
    assert ledger_rows(empty, TZ) == []
    data = ledger_xlsx(empty, TZ, title="市科技局2023年工作要点")
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.max_row == HEADER_ROW
    assert tuple(c.value for c in ws[HEADER_ROW]) == LEDGER_COLUMNS
    assert ws["A1"].value == "市科技局2023年工作要点督查台账"
    assert ledger_csv(empty, TZ).decode("utf-8-sig") == ",".join(LEDGER_COLUMNS) + "\r\n"
    with pytest.raises(PlanFormatError, match="no task rows"):
        parse_bytes(data, name="empty.xlsx")

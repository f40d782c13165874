"""The 督查台账 (ledger): one row per item with its latest progress, as .xlsx for printing or .csv.

The ledger is read by people (printed, landscape A4, lights as cell colours) and by duban itself:
importing the exported .xlsx gives back the plan (numbers, titles, units, deadlines, targets), so
every cell the importer reads is written in the form it reads — 工作任务 starts with the item's
title sentence, units are joined with 、, 完成时限 is a Chinese date ("2023年12月31日"; the
importer's time rules don't read ISO dates) followed by the milestones' own clauses, one a line.

Cells are data, never formulas: a text starting with "=" is stored as a string (with Excel's
quote prefix) in the .xlsx, and the .csv prefixes such texts with an apostrophe, so a report
saying "=cmd|' /C calc'!A0" is shown, not run.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections import Counter
from copy import copy
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from plans.documents.parser import make_title
from plans.followup.lights import Light
from plans.followup.status import ItemState, Snapshot
from plans.model import Item, Status
from plans.text import plan_year

LEDGER_COLUMNS = (
    "序号",
    "工作任务",
    "牵头单位",
    "配合单位",
    "量化指标",
    "完成时限",
    "最新进展",
    "进度%",
    "状态",
    "预警",
    "更新时间",
    "延期情况",
)

Cell = str | float | None

STATUS_WORDS: dict[Status, str] = {
    "not_started": "未启动",
    "in_progress": "推进中",
    "done": "已完成",
    "blocked": "有困难",
}
LIGHT_WORDS: dict[Light, str] = {"green": "绿", "yellow": "黄", "red": "红"}

# Excel refuses a cell longer than this; a longer text is cut with an ellipsis.
MAX_CELL_CHARS = 32767
# Characters XML 1.0 can't carry (openpyxl raises on them): C0 controls except tab and newlines.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"), full-width included.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

# Column widths in Excel character units (a Chinese character is about two).
_WIDTHS = (6, 48, 16, 16, 20, 18, 40, 7, 10, 6, 17, 24)
_CENTERED = {"序号", "进度%", "状态", "预警", "更新时间"}
# Excel's own "good / neutral / bad" fills and fonts: light enough to print, dark text on top.
_LIGHT_FILLS: dict[str, tuple[str, str]] = {
    "绿": ("C6EFCE", "006100"),
    "黄": ("FFEB9C", "9C5700"),
    "红": ("FFC7CE", "9C0006"),
}
_HEADER_FILL = "D9E1F2"
_TITLE_ROW, _DATE_ROW, _HEADER_ROW = 1, 2, 3


def ledger_rows(snap: Snapshot, tz: ZoneInfo) -> list[list[Cell]]:
    """One row per item, in plan order, in the order of LEDGER_COLUMNS; None for an empty cell.

    Texts are cleaned for a spreadsheet (no control characters, at most MAX_CELL_CHARS) but not
    yet guarded against formula injection: that depends on the format (see ledger_xlsx/csv).
    """
    return [_row(s, snap.today, tz) for s in snap.items]


def _row(s: ItemState, today: date, tz: ZoneInfo) -> list[Cell]:
    item = s.item
    last = s.last
    percent = float(s.percent) if s.percent is not None else (100.0 if s.done else None)
    progress = updated = None
    if last is not None:
        local = last.created_at.astimezone(tz)
        day = local.date()
        when = f"{day.month}月{day.day}日" if day.year == today.year else _cn_date(day)
        who = f" {last.unit_name}" if last.unit_name and len(item.units) > 1 else ""
        words = last.text.strip() or STATUS_WORDS[last.status]
        progress = f"{when}{who}:{words}"
        updated = local.strftime("%Y-%m-%d %H:%M")
    row: list[Cell] = [
        s.record.ref,
        _task_text(item),
        "、".join(item.lead_units),
        "、".join(item.support_units),
        "; ".join(t.text for t in item.targets),
        _deadline_text(item),
        progress,
        percent,
        _status_words(s),
        LIGHT_WORDS[s.light],
        updated,
        _extensions_text(s),
    ]
    return [(_clean(v) or None) if isinstance(v, str) else v for v in row]


def _status_words(s: ItemState) -> str:
    """ "推进中", with 销号 when it is on: "待销号", "已销号", "推进中(已退回)"."""
    if s.done and s.signoff == "pending":
        return "待销号"
    if s.done and s.signoff == "signed":
        return "已销号"
    words = STATUS_WORDS[s.status or "not_started"]
    return f"{words}(已退回)" if s.signoff == "returned" else words


def _extensions_text(s: ItemState) -> str:
    """Granted extensions, one per line: "局高新处:延至2024年3月31日(原定2023年12月31日)"."""
    lines = []
    for e in s.record.extensions:
        old = f"(原定{_cn_date(e.old_deadline)})" if e.old_deadline else ""
        lines.append(f"{e.unit_name}:延至{_cn_date(e.new_deadline)}{old}")
    return "\n".join(lines)


def _task_text(item: Item) -> str:
    """The full task text with the title as its first sentence (the importer's make_title reads
    the title from there); the title alone would lose what the task is."""
    text = item.text.strip()
    if not text:
        return item.title
    if not item.title or make_title(text) == item.title:
        return text
    return f"{item.title}\n{text}"


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _deadline_text(item: Item) -> str:
    """The deadline as a Chinese date, then each milestone's own clause ("青峰创元大厦10月竣工投用")
    on a line of its own: the importer reads the same dates and clauses back, and an export of a
    re-import is the same cell (the deadline line, read back as a milestone, is not repeated).
    Ongoing work keeps its phrase (持续推进), which reads back as no deadline."""
    lines = [_cn_date(item.deadline)] if item.deadline else [item.deadline_text or "持续推进"]
    for m in item.milestones:
        text = m.text.strip()
        if text and text not in lines:
            lines.append(text)
    return "\n".join(lines)


def _clean(text: str) -> str:
    text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    return text


def ledger_title(snap: Snapshot, title: str) -> str:
    """The title row: the plan title + 督查台账, with the plan year put in when the title lacks it
    (the importer takes the plan year from this row)."""
    year = _plan_year(snap)
    title = title.strip()
    if title.endswith(("督查台账", "台账")):
        title = re.sub(r"督查台账$|台账$", "", title)
    if plan_year(title) != year:
        title = f"{title}{year}年度"
    return f"{title}督查台账"


def _plan_year(snap: Snapshot) -> int:
    years = Counter(s.record.plan_start.year for s in snap.items)
    return years.most_common(1)[0][0] if years else snap.today.year


def ledger_xlsx(snap: Snapshot, tz: ZoneInfo, *, title: str) -> bytes:
    """The ledger as an .xlsx workbook formatted for printing (landscape A4, fit to width)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    rows = ledger_rows(snap, tz)
    ncols = len(LEDGER_COLUMNS)
    last_col = get_column_letter(ncols)
    wb = Workbook()
    ws = wb.active
    ws.title = "督查台账"

    _set_text(ws.cell(_TITLE_ROW, 1), ledger_title(snap, title))
    ws.cell(_TITLE_ROW, 1).font = Font(name="黑体", size=16, bold=True)
    ws.cell(_TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A{_TITLE_ROW}:{last_col}{_TITLE_ROW}")
    ws.row_dimensions[_TITLE_ROW].height = 30
    ws.cell(_DATE_ROW, 1, f"截至{_cn_date(snap.today)}").font = Font(name="宋体", size=10)
    ws.cell(_DATE_ROW, 1).alignment = Alignment(horizontal="right", vertical="center")
    ws.merge_cells(f"A{_DATE_ROW}:{last_col}{_DATE_ROW}")

    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for c, name in enumerate(LEDGER_COLUMNS, start=1):
        cell = ws.cell(_HEADER_ROW, c, name)
        cell.font = Font(name="黑体", size=10.5, bold=True)
        cell.fill = header_fill
        cell.border = _border()
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS[c - 1]
    ws.row_dimensions[_HEADER_ROW].height = 22

    light_col = LEDGER_COLUMNS.index("预警")
    ref_col = LEDGER_COLUMNS.index("序号")
    # Styling a cell through openpyxl's API hashes every style object: 10,000 items took 10 s.
    # Each kind of cell is styled once and the others copy its style indices.
    styled: dict[tuple[int, object], Any] = {}
    for r, row in enumerate(rows, start=_HEADER_ROW + 1):
        for c, value in enumerate(row):
            if c == ref_col and isinstance(value, str) and value.isdigit():
                value = int(value)  # a number, so Excel sorts it and shows no warning
            cell = ws.cell(r, c + 1)
            kind = (c, value if c == light_col else type(value) if c == ref_col else None)
            template = styled.get(kind)
            if template is not None:
                cell._style = copy(template)
            else:
                _style_body_cell(cell, c, value)
                styled[kind] = copy(cell._style)
            if isinstance(value, str):
                _set_text(cell, value)
            else:
                cell.value = value

    last_row = _HEADER_ROW + len(rows)
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{_HEADER_ROW}:{last_col}{max(last_row, _HEADER_ROW)}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.print_area = f"A1:{last_col}{max(last_row, _HEADER_ROW)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@functools.cache
def _border() -> Any:
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="808080")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def _style_body_cell(cell: Any, c: int, value: Cell) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(name="宋体", size=10)
    cell.border = _border()
    cell.alignment = Alignment(
        horizontal="center" if LEDGER_COLUMNS[c] in _CENTERED else "left",
        vertical="top",
        wrap_text=True,
    )
    name = LEDGER_COLUMNS[c]
    if name == "进度%":
        cell.number_format = "0"
    elif name == "序号":
        cell.number_format = "0" if isinstance(value, int) else "@"
    elif name == "预警" and isinstance(value, str) and value in _LIGHT_FILLS:
        fill, ink = _LIGHT_FILLS[value]
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(name="宋体", size=10, bold=True, color=ink)


def _set_text(cell: Any, text: str) -> None:
    """Write a text as text: openpyxl makes "=…" a formula and "#N/A" an error value. A text
    that looks like a formula also gets Excel's quote prefix, so it stays text when edited."""
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = text.startswith(_FORMULA_START)


def ledger_csv(snap: Snapshot, tz: ZoneInfo) -> bytes:
    """The ledger as CSV: UTF-8 with a BOM (so Excel and WPS don't read it as GBK), CRLF lines,
    the header row then one row per item; texts a spreadsheet would run as a formula start
    with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    for row in ledger_rows(snap, tz):
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f"{round(value, 1):g}"
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value

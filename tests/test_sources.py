"""Tests of plans/documents/sources.py: reading plan files — text in any encoding, .docx, .xlsx — and
refusing everything else with one clear line, through `parse_file` and through the `duban` CLI.

Every document is a real file: .docx built with python-docx, .xlsx with openpyxl, text written
in the encoding under test. Nothing of ours is mocked.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import random
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.cli import main
from plans.documents.parser import PlanFormatError
from plans.documents.sources import MAX_BYTES, parse_file
from plans.model import LEAD, SUPPORT, Plan

DATA = Path(__file__).resolve().parent / "data"
SEED_000 = DATA / "seeds" / "000_0585e7f56649ebe7.txt"
SEED_001 = DATA / "seeds" / "001_90bbfd82e3d25245.txt"

# A plan in the style of the seeds: 一、 sections, (一) items numbered across sections,
# (责任单位:…) with abbreviated siblings, time phrases that resolve to different days.
SEED_STYLE = [
    "XX市科技局2024年工作要点",
    "2024年是实施“十四五”规划的关键之年。全市科技工作的总体要求是:坚持创新驱动发展。",
    "一、强化企业创新主体地位",
    "(一)加快高新技术企业培育。净增高新技术企业600家以上,6月底前完成认定申报。"
    "(责任单位:局高新处、产学研处)",
    "(二)建设高水平研发机构。新增省级以上企业研发机构50家,三季度完成绩效评估。"
    "(责任单位:局产学研处)",
    "二、优化科技创新生态",
    "(三)深化科技体制改革。年底前出台科技体制改革实施方案。"
    "(牵头单位:局政策法规处,配合单位:局办公室、人事处)",
]


# ---------------------------------------------------------------------------- builders


def docx_bytes(
    paragraphs: list[str], table: list[list[str]] | None = None, after: Sequence[str] = ()
) -> bytes:
    """A real .docx: paragraphs, then an optional table (first row the header), then more."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table is not None:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    for text in after:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: list[list[object]], merge: str | None = None, sheet: str = "台账") -> bytes:
    """A real .xlsx with one sheet holding `rows`; `merge` is a range such as "A1:E1"."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ledger_rows() -> list[list[object]]:
    """A 督查台账: title row (merged above the header), header, section rows, mixed cell types."""
    return [
        ["XX市科技局2024年重点工作督查台账", None, None, None, None],
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["一、科技创新", None, None, None, None],
        [1, "净增高新技术企业600家以上", "局高新处", "局产学研处、政策法规处", "2024年6月底"],
        [
            2.0,
            "新建省级研发机构3家",
            "局产学研处、高新处",
            "各辖市、区科技局",
            datetime(2024, 10, 15),
        ],
        ["二、开放合作", None, None, None, None],
        [3, "举办国际科技合作交流活动", "局合作处", None, "年底前"],
    ]


def rezip(data: bytes, *, drop: str = "", garble: str = "") -> bytes:
    """The archive `data` with one member dropped or its XML replaced by junk."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name == drop:
                continue
            dst.writestr(name, b"<w:document><<not xml" if name == garble else src.read(name))
    return out.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def units(plan: Plan, seq: int) -> list[tuple[str, str]]:
    return [(u.name, u.role) for u in plan.items[seq - 1].units]


# ---------------------------------------------------------------------------- .docx


def test_docx_paragraphs_in_the_style_of_the_seeds(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "要点.docx", docx_bytes(SEED_STYLE)))
    plan = parsed.plan

    assert parsed.kind == "docx"
    assert (plan.title, plan.year) == ("XX市科技局2024年工作要点", 2024)
    assert [(i.number, i.path) for i in plan.items] == [
        ("(一)", ("一、", "(一)")),
        ("(二)", ("一、", "(二)")),
        ("(三)", ("二、", "(三)")),
    ]
    assert [i.title for i in plan.items] == [
        "加快高新技术企业培育",
        "建设高水平研发机构",
        "深化科技体制改革",
    ]
    # "局高新处、产学研处": the abbreviated sibling gets the 局 prefix.
    assert units(plan, 1) == [("局高新处", LEAD), ("局产学研处", LEAD)]
    assert units(plan, 3) == [
        ("局政策法规处", LEAD),
        ("局办公室", SUPPORT),
        ("局人事处", SUPPORT),
    ]
    assert [(i.deadline, i.deadline_text) for i in plan.items] == [
        (date(2024, 6, 30), "6月底"),
        (date(2024, 9, 30), "三季度"),
        (date(2024, 12, 31), "年底"),
    ]
    first = plan.items[0]
    assert [(t.value, t.measure, t.op) for t in first.targets] == [(600, "家", "≥")]
    assert [m.date for m in first.milestones] == [date(2024, 6, 30)]
    # The annotation is taken out of the text; the rest is kept.
    assert "责任单位" not in first.text
    assert first.text.startswith("加快高新技术企业培育。净增高新技术企业600家以上")
    assert [s.title for s in plan.sections] == ["强化企业创新主体地位", "优化科技创新生态"]


def test_docx_and_text_of_the_same_plan_parse_alike(tmp_path: Path) -> None:
    from_docx = parse_file(write(tmp_path, "plan.docx", docx_bytes(SEED_STYLE))).plan
    from_text = parse_file(write(tmp_path, "plan.txt", "\n".join(SEED_STYLE).encode())).plan
    assert from_docx == from_text


def test_docx_whose_body_is_a_table(tmp_path: Path) -> None:
    table = [
        ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        ["1", "净增高新技术企业600家以上", "局高新处", "局产学研处、政策法规处", "2024年9月底"],
        ["2", "建设新型研发机构", "局产学研处", "各辖市、区科技局", "年底前"],
        ["3", "开展科技招商活动", "局合作处", "", "三季度"],
    ]
    data = docx_bytes(["XX市科技局2024年重点工作任务清单"], table, after=["XX市科技局办公室"])
    parsed = parse_file(write(tmp_path, "清单.docx", data))
    plan = parsed.plan

    assert parsed.kind == "docx"
    assert (plan.title, plan.year) == ("XX市科技局2024年重点工作任务清单", 2024)
    assert [(i.seq, i.number) for i in plan.items] == [(1, "1"), (2, "2"), (3, "3")]
    assert [i.title for i in plan.items] == [
        "净增高新技术企业600家以上",
        "建设新型研发机构",
        "开展科技招商活动",
    ]
    assert units(plan, 1) == [
        ("局高新处", LEAD),
        ("局产学研处", SUPPORT),
        ("局政策法规处", SUPPORT),
    ]
    # 各辖市、区科技局 is one unit although it holds a 、.
    assert units(plan, 2) == [("局产学研处", LEAD), ("各辖市、区科技局", SUPPORT)]
    assert units(plan, 3) == [("局合作处", LEAD)]
    assert [(i.deadline, i.deadline_text) for i in plan.items] == [
        (date(2024, 9, 30), "2024年9月底"),
        (date(2024, 12, 31), "年底"),
        (date(2024, 9, 30), "三季度"),
    ]
    assert [(t.value, t.measure) for t in plan.items[0].targets] == [(600, "家")]


def test_docx_table_with_part_rows_and_office_columns(tmp_path: Path) -> None:
    """A 分解表 as bureaus write them: parts numbered 一、二 on rows of their own over items
    numbered 1, 2 (a part is no item), and the units under 牵头科室 / 配合股室 (any office word
    after 牵头, 责任 or 配合 names a unit column)."""
    table = [
        ["序号", "重点任务", "具体措施", "牵头科室", "配合股室", "时间安排"],
        ["一", "学前教育普惠发展", "", "", "", ""],
        ["1", "新建幼儿园", "新建公办幼儿园3所", "基建科", "财务股", "2026年8月底"],
        ["2", "普惠率提升", "普惠性幼儿园覆盖率达到92%", "学前科", "", "年底前"],
        ["二", "义务教育优质均衡", "", "", "", ""],
        ["3", "集团化办学", "组建教育集团5个", "基教科", "督导室", "9月"],
    ]
    plan = parse_file(
        write(tmp_path, "分解表.docx", docx_bytes(["云溪区教育局2026年重点工作任务分解表"], table))
    ).plan
    assert [(i.number, i.title, i.path) for i in plan.items] == [
        ("1", "新建幼儿园", ("一、", "1")),
        ("2", "普惠率提升", ("一、", "2")),
        ("3", "集团化办学", ("二、", "3")),
    ]
    assert [(s.number, s.title) for s in plan.sections] == [
        ("一、", "学前教育普惠发展"),
        ("二、", "义务教育优质均衡"),
    ]
    assert units(plan, 1) == [("基建科", LEAD), ("财务股", SUPPORT)]
    assert units(plan, 3) == [("基教科", LEAD), ("督导室", SUPPORT)]
    assert [i.deadline for i in plan.items] == [
        date(2026, 8, 31),
        date(2026, 12, 31),
        date(2026, 9, 30),
    ]


def test_docx_table_numbered_only_in_chinese_keeps_its_rows_as_items(tmp_path: Path) -> None:
    """Rows numbered 一、二 are parts only over rows numbered 1, 2: in a table numbered 一, 二
    and nothing else they are the items, units or not."""
    table = [
        ["序号", "工作任务", "责任单位"],
        ["一", "推进数字化转型", ""],
        ["二", "完善考核机制", "办公室"],
    ]
    data = docx_bytes(["2026年工作要点"], table)
    plan = parse_file(write(tmp_path, "要点.docx", data)).plan
    assert [(i.number, i.title) for i in plan.items] == [
        ("一", "推进数字化转型"),
        ("二", "完善考核机制"),
    ]


def test_docx_table_with_merged_cells_keeps_its_columns_in_line(tmp_path: Path) -> None:
    """Word writes a cell merged across two columns once (gridSpan) and a cell merged down as
    empty continuations (vMerge): the columns stay in line with the header (完成时限 is the
    fifth), the lower header row names 牵头 | 配合, and a 牵头 cell merged over two tasks is the
    unit of both."""
    document = docx.Document()
    document.add_paragraph("海州区发改委2026年重点工作任务")
    rows = [
        ["序号", "工作任务", "责任单位", "", "完成时限"],
        ["", "", "牵头", "配合", ""],
        ["1", "编制年度重大项目计划", "计划科", "各科室", "2026年3月底"],
        ["2", "推进重点项目建设", "项目科", "", "2026年12月"],
        ["3", "开展项目督查", "", "督查室", "每季度"],
    ]
    table = document.add_table(rows=len(rows), cols=5)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if value:
                table.cell(r, c).text = value
    for (r1, c1), (r2, c2) in (((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 3)),
                               ((0, 4), (1, 4)), ((3, 2), (4, 2))):  # fmt: skip
        table.cell(r1, c1).merge(table.cell(r2, c2))
    buffer = io.BytesIO()
    document.save(buffer)
    plan = parse_file(write(tmp_path, "台账.docx", buffer.getvalue())).plan
    assert units(plan, 1) == [("计划科", LEAD), ("各科室", SUPPORT)]
    assert units(plan, 3) == [("项目科", LEAD), ("督查室", SUPPORT)]
    assert [(i.deadline, i.deadline_text) for i in plan.items] == [
        (date(2026, 3, 31), "2026年3月底"),
        (date(2026, 12, 31), "2026年12月"),
        (date(2026, 12, 31), "每季度"),
    ]


def test_docx_soft_line_break_separates_items(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("XX市科技局2024年工作要点")
    paragraph = document.add_paragraph()
    paragraph.add_run("(一)培育高新技术企业。6月底前完成。(责任单位:局高新处)").add_break()
    paragraph.add_run("(二)建设研发机构。三季度完成。(责任单位:局产学研处)")
    buffer = io.BytesIO()
    document.save(buffer)

    plan = parse_file(write(tmp_path, "soft.docx", buffer.getvalue())).plan

    assert [i.number for i in plan.items] == ["(一)", "(二)"]
    assert units(plan, 2) == [("局产学研处", LEAD)]


# ---------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("gb18030", b""),
        ("utf-8", b"\xef\xbb\xbf"),  # UTF-8 with BOM, as Windows Notepad saves
        ("utf-16", b""),  # Python writes the BOM for "utf-16"
        ("utf-16-be", b"\xfe\xff"),
    ],
    ids=["gb18030", "utf-8-bom", "utf-16", "utf-16-be-bom"],
)
def test_text_encodings_give_the_same_plan(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = SEED_000.read_text(encoding="utf-8")
    reference = parse_file(SEED_000).plan
    path = write(tmp_path, "seed.txt", prefix + text.encode(encoding))

    parsed = parse_file(path)

    assert parsed.kind == "text"
    assert parsed.plan == reference
    assert len(parsed.plan.items) == 28


def test_small_plan_in_gb18030_gives_the_same_plan(tmp_path: Path) -> None:
    text = "\r\n".join(SEED_STYLE)  # saved on Windows: CRLF line ends too
    utf8 = parse_file(write(tmp_path, "u.txt", text.encode("utf-8"))).plan
    gbk = parse_file(write(tmp_path, "g.txt", text.encode("gb18030"))).plan
    assert gbk == utf8
    assert units(gbk, 1) == [("局高新处", LEAD), ("局产学研处", LEAD)]


# ---------------------------------------------------------------------------- .xlsx


def test_xlsx_ledger(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "台账.xlsx", xlsx_bytes(ledger_rows(), merge="A1:E1")))
    plan = parsed.plan

    assert parsed.kind == "xlsx"
    assert (plan.title, plan.year) == ("XX市科技局2024年重点工作", 2024)  # the 台账 is not the plan
    # 序号 1 (int) and 2.0 (float) both read as the number the sheet shows.
    assert [(i.seq, i.number) for i in plan.items] == [(1, "1"), (2, "2"), (3, "3")]
    assert [i.title for i in plan.items] == [
        "净增高新技术企业600家以上",
        "新建省级研发机构3家",
        "举办国际科技合作交流活动",
    ]
    assert units(plan, 1) == [
        ("局高新处", LEAD),
        ("局产学研处", SUPPORT),
        ("局政策法规处", SUPPORT),
    ]
    assert units(plan, 2) == [
        ("局产学研处", LEAD),
        ("局高新处", LEAD),
        ("各辖市、区科技局", SUPPORT),
    ]
    # The datetime cell is a day, not "10月" → month end.
    assert [i.deadline for i in plan.items] == [
        date(2024, 6, 30),
        date(2024, 10, 15),
        date(2024, 12, 31),
    ]
    assert [s.title for s in plan.sections] == ["一、科技创新", "二、开放合作"]
    assert [i.path[0] for i in plan.items] == ["一、科技创新", "一、科技创新", "二、开放合作"]
    assert [(t.value, t.measure) for t in plan.items[1].targets] == [(3, "家")]


def test_xlsx_with_a_two_row_header_and_cells_merged_down(tmp_path: Path) -> None:
    """A 台账 as offices draw it in Excel: 责任单位 merged over 牵头 | 配合 (the lower row names
    the columns), 序号 and 工作任务 merged down over both header rows, and one 牵头 cell merged
    over two tasks (Excel keeps its text in the first row only: it is the unit of both)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["海州区发改委2026年重点工作任务台账"])
    ws.append(["序号", "工作任务", "责任单位", "", "完成时限"])
    ws.append(["", "", "牵头", "配合", ""])
    ws.append([1, "编制年度重大项目计划", "计划科", "各科室", "2026年3月底"])
    ws.append([2, "推进重点项目建设,完成投资50亿元", "项目科", "", "2026年12月"])
    ws.append([3, "开展项目督查", "", "督查室", "每季度"])
    ws.append(["二、其他工作"])
    ws.append([4, "做好信息报送", "办公室", "", "全年"])
    for cells in ("A1:E1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "C5:C6", "A7:E7"):
        ws.merge_cells(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = parse_file(write(tmp_path, "台账.xlsx", buffer.getvalue())).plan
    assert [i.title for i in plan.items] == [
        "编制年度重大项目计划",
        "推进重点项目建设,完成投资50亿元",
        "开展项目督查",
        "做好信息报送",
    ]
    assert units(plan, 1) == [("计划科", LEAD), ("各科室", SUPPORT)]
    assert units(plan, 2) == [("项目科", LEAD)]
    assert units(plan, 3) == [("项目科", LEAD), ("督查室", SUPPORT)]
    assert units(plan, 4) == [("办公室", LEAD)]
    assert [s.title for s in plan.sections] == ["二、其他工作"]


def test_xlsx_rows_numbered_1_over_1_1_are_parts(tmp_path: Path) -> None:
    """序号 1 with only a title over rows numbered 1.1, 1.2 is a part, not an item; 责任主体 is a
    unit column and 完成情况 (progress) is not part of the item."""
    rows: list[list[object]] = [
        ["序号", "工作内容", "责任主体", "完成时间", "完成情况"],
        [1, "产业发展", "", "", ""],
        [1.1, "招引亿元项目15个", "招商中心", "2026年12月31日", "已完成8个"],
        [1.2, "新增规上企业10家", "经发科", "2026年11月30日", ""],
        [2, "民生保障", "", "", ""],
        [2.1, "新建养老服务中心2个", "民政科、卫健科", "2026年9月30日", ""],
    ]
    plan = parse_file(write(tmp_path, "台账.xlsx", xlsx_bytes(rows))).plan
    assert [(i.number, i.title, i.path) for i in plan.items] == [
        ("1.1", "招引亿元项目15个", ("1、", "1.1")),
        ("1.2", "新增规上企业10家", ("1、", "1.2")),
        ("2.1", "新建养老服务中心2个", ("2、", "2.1")),
    ]
    assert [s.title for s in plan.sections] == ["产业发展", "民生保障"]
    assert units(plan, 3) == [("民政科", LEAD), ("卫健科", LEAD)]
    assert "已完成" not in plan.items[0].text


def test_xlsx_roles_written_inside_a_unit_cell(tmp_path: Path) -> None:
    """One 责任单位 column whose cells say the roles themselves: "牵头:X\n配合:Y、Z", "牵头单位:X;
    配合单位:Y", or "X(牵头)、Y" (the one marked leads, the others support)."""
    rows: list[list[object]] = [
        ["序号", "工作任务", "责任单位", "完成时限"],
        [1, "推进城市更新项目5个", "牵头:住建局\n配合:自然资源局、财政局", "2026年10月底"],
        [2, "建成智慧停车平台", "牵头单位:城管局;配合单位:公安交警", "6月底前"],
        [3, "完成老旧管网改造50公里", "水务集团(牵头)、住建局", "年底前"],
        [4, "推进数字城管", "城管局、大数据中心", "年底前"],
    ]
    plan = parse_file(write(tmp_path, "台账.xlsx", xlsx_bytes(rows))).plan
    assert units(plan, 1) == [("住建局", LEAD), ("自然资源局", SUPPORT), ("财政局", SUPPORT)]
    assert units(plan, 2) == [("城管局", LEAD), ("公安交警", SUPPORT)]
    assert units(plan, 3) == [("水务集团", LEAD), ("住建局", SUPPORT)]
    assert units(plan, 4) == [("城管局", LEAD), ("大数据中心", LEAD)]


def test_xlsx_plan_table_on_a_later_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["本台账每月25日前更新"])
    ledger = workbook.create_sheet("2024台账")
    for row in ledger_rows():
        ledger.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    plan = parse_file(write(tmp_path, "book.xlsx", buffer.getvalue())).plan

    assert len(plan.items) == 3
    assert plan.title == "XX市科技局2024年重点工作"


def test_xlsx_without_a_plan_header_is_refused(tmp_path: Path) -> None:
    rows: list[list[object]] = [["姓名", "电话", "处室"], ["张三", "0519-12345678", "高新处"]]
    path = write(tmp_path, "通讯录.xlsx", xlsx_bytes(rows))

    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)

    message = str(caught.value)
    assert "通讯录.xlsx" in message
    assert "工作任务" in message  # says which header it looked for
    assert "\n" not in message


# ---------------------------------------------------------------------------- pasted tables


def test_pipe_delimited_table_pasted_as_text(tmp_path: Path) -> None:
    text = "\n".join(
        [
            "XX市科技局2024年重点任务清单",
            "| 序号 | 工作任务 | 牵头单位 | 完成时限 |",
            "|---|---|---|---|",
            "| 1 | 净增高新技术企业600家以上 | 局高新处 | 2024年11月底 |",
            "| 2 | 新建省级研发机构20家 | 局产学研处、高新处 | 上半年 |",
            "| 3 | 举办创新创业大赛 | 局创新处 | 三季度 |",
        ]
    )
    plan = parse_file(write(tmp_path, "pasted.txt", text.encode())).plan

    assert (plan.title, plan.year) == ("XX市科技局2024年重点任务清单", 2024)
    assert [i.title for i in plan.items] == [
        "净增高新技术企业600家以上",
        "新建省级研发机构20家",
        "举办创新创业大赛",
    ]
    assert units(plan, 2) == [("局产学研处", LEAD), ("局高新处", LEAD)]
    assert [i.deadline for i in plan.items] == [
        date(2024, 11, 30),
        date(2024, 6, 30),
        date(2024, 9, 30),
    ]


def test_tab_delimited_table_pasted_as_text(tmp_path: Path) -> None:
    text = "XX市科技局2024年重点任务清单\n序号\t工作任务\t牵头单位\t完成时限\n1\t净增高企600家\t局高新处\t6月底\n"
    plan = parse_file(write(tmp_path, "tabs.txt", text.encode())).plan
    assert [(i.title, i.deadline) for i in plan.items] == [("净增高企600家", date(2024, 6, 30))]
    assert units(plan, 1) == [("局高新处", LEAD)]


# ---------------------------------------------------------------------------- bad input


@functools.cache  # bytes are immutable; building a document is the slow part
def _real_docx() -> bytes:
    return docx_bytes(SEED_STYLE)


@functools.cache
def _real_xlsx() -> bytes:
    return xlsx_bytes(ledger_rows())


# name → (file name, bytes, a word the message must contain so the user knows what is wrong)
BAD_FILES: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "empty": ("empty.txt", lambda: b"", "empty"),
    "whitespace": ("blank.txt", lambda: b" \r\n\t\n   \n", "empty"),
    "cjk-whitespace": ("blank2.txt", lambda: "\u3000 \u00a0\n\u3000".encode(), "empty"),
    "binary": (
        "garbage.txt",
        lambda: random.Random(7).randbytes(4096) + b"\x00" * 64,
        "binary",
    ),
    "png": ("scan.png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "image"),
    "pdf": ("plan.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    "html": (
        "page.txt",
        lambda: (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            "<title>XX市科技局2024年工作要点</title></head><body>"
            "<p>一、强化企业创新主体地位</p><p>(一)加快高新技术企业培育。</p></body></html>"
        ).encode(),
        "HTML",
    ),
    "neither-encoding": (
        "latin.txt",
        lambda: bytes([0x81, 0x30, 0x81, 0xFF, 0xFE, 0x80]) * 80,
        "UTF-8",
    ),
    "no-items": (
        "prose.txt",
        lambda: "XX市科技局2024年工作要点\n今年要继续做好科技工作。\n努力开创新局面。\n".encode(),
        "no numbered items",
    ),
    "docx-truncated": ("cut.docx", lambda: _real_docx()[:1500], "damaged"),
    "docx-missing-document": (
        "hollow.docx",
        lambda: rezip(_real_docx(), drop="word/document.xml"),
        "docx",
    ),
    "docx-missing-content-types": (
        "nocontent.docx",
        lambda: rezip(_real_docx(), drop="[Content_Types].xml"),
        "docx",
    ),
    "docx-broken-xml": (
        "broken.docx",
        lambda: rezip(_real_docx(), garble="word/document.xml"),
        "docx",
    ),
    "xlsx-truncated": ("cut.xlsx", lambda: _real_xlsx()[:1200], "damaged"),
    "xlsx-broken-xml": (
        "broken.xlsx",
        lambda: rezip(_real_xlsx(), garble="xl/worksheets/sheet1.xml"),
        "xlsx",
    ),
    "legacy-doc": ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016), ".doc"),
    "docx-without-text": ("blank.docx", lambda: docx_bytes([]), "no text"),
}


def _make_bad(tmp_path: Path, case: str) -> tuple[Path, str]:
    """Create the bad input `case` under tmp_path; return its path and the expected word."""
    if case == "directory":
        path = tmp_path / "plans"
        path.mkdir()
        return path, "directory"
    if case == "missing":
        return tmp_path / "nowhere.txt", "no such file"
    if case in ("over-limit", "50mb"):
        path = tmp_path / "huge.txt"
        with path.open("wb") as f:  # sparse: nothing is written, the size is what counts
            f.truncate(MAX_BYTES + 1 if case == "over-limit" else 50 * 1024 * 1024)
        return path, "too large"
    name, make, word = BAD_FILES[case]
    return write(tmp_path, name, make()), word


BAD_CASES = [*BAD_FILES, "directory", "missing", "over-limit", "50mb"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_parse_file_refuses_bad_input_with_one_clear_line(tmp_path: Path, case: str) -> None:
    path, word = _make_bad(tmp_path, case)

    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)

    message = str(caught.value)
    assert word.lower() in message.lower(), message
    assert "\n" not in message and message.strip() == message
    assert "Traceback" not in message


@pytest.mark.parametrize("case", ["cjk-whitespace", "binary", "html", "neither-encoding"])
def test_message_names_the_file_once(tmp_path: Path, case: str) -> None:
    path, _ = _make_bad(tmp_path, case)
    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)
    assert str(caught.value).count(path.name) == 1, str(caught.value)


def test_size_message_shows_a_size_above_the_limit(tmp_path: Path) -> None:
    path, _ = _make_bad(tmp_path, "over-limit")
    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)
    numbers = [float(n) for n in re.findall(r"(\d+(?:\.\d+)?)\s*MB", str(caught.value))]
    # "21 MB … (limit 20 MB)", "20.0001 MB", or simply "over the 20 MB limit" all read right.
    assert len(numbers) < 2 or numbers[0] > numbers[1], str(caught.value)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    """A file of exactly MAX_BYTES is read (and refused for its content, not its size)."""
    path = tmp_path / "limit.txt"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES)
    with pytest.raises(PlanFormatError) as caught:
        parse_file(path)
    assert "too large" not in str(caught.value)
    assert "binary" in str(caught.value)


# Through the CLI: exit 2, one "duban:" line on stderr, and the database untouched.


def _one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("duban: "), err
    return lines[0]


def _fingerprint(directory: Path) -> dict[str, str]:
    """Every file of the database directory with the sha256 of its bytes."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if p.is_file()
    }


@pytest.fixture(autouse=True)
def _no_duban_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads DUBAN_* variables; the developer's own must not leak into these tests."""
    for name in list(os.environ):
        if name.upper().startswith("DUBAN_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def stored_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding seed 001, built once; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "duban.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path.parent)  # no .env of the checkout
        for name in list(os.environ):
            if name.upper().startswith("DUBAN_"):
                mp.delenv(name)
        assert main(["--database", str(path), "import", str(SEED_001)]) == 0
    return path


@pytest.mark.parametrize("case", BAD_CASES)
def test_cli_import_of_bad_input_leaves_the_database_unchanged(
    tmp_path: Path,
    case: str,
    stored_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    db = db_dir / "duban.db"
    db.write_bytes(stored_db.read_bytes())
    before = _fingerprint(db_dir)
    path, word = _make_bad(tmp_path, case)
    capsys.readouterr()

    status = main(["--database", str(db), "import", str(path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    line = _one_error_line(err)
    assert word.lower() in line.lower()
    assert _fingerprint(db_dir) == before


@pytest.mark.parametrize("case", BAD_CASES)
def test_cli_import_of_bad_input_creates_no_database(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path, word = _make_bad(tmp_path, case)
    db = tmp_path / "data" / "duban.db"

    status = main(["--database", str(db), "import", str(path)])

    _, err = capsys.readouterr()
    assert status == 2
    assert word.lower() in _one_error_line(err).lower()
    assert not db.parent.exists()


@pytest.mark.parametrize("case", BAD_CASES)
def test_cli_parse_of_bad_input(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path, word = _make_bad(tmp_path, case)

    status = main(["parse", str(path), "--json"])

    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert word.lower() in _one_error_line(err).lower()


# ---------------------------------------------------------------------------- hostile strings

HOSTILE = [
    '加强<script>alert("x")</script>网络安全管理。',
    "完善A&amp;B&lt;C&gt;协同机制。",
    "推进\u202e反向文本\u202c与\u200f方向标记的处理。",
    "推进科技创新工作," * 1112 + "持续发力。",  # a 10,000-character line
    "建设😀创新🚀平台,打造“科创🌟高地”。",
    "规范ｆｕｌｌ－ｗｉｄｔｈ字符ＡＢＣ１２３的写法。",  # NFKC turns these into ASCII
]


def _hostile_lines() -> list[str]:
    labels = "一二三四五六"
    return ["XX市科技局2024年工作要点"] + [
        f"({labels[k]}){text}(责任单位:局办公室)" for k, text in enumerate(HOSTILE)
    ]


@pytest.mark.parametrize("container", ["txt", "docx"])
def test_hostile_strings_are_kept_verbatim(tmp_path: Path, container: str) -> None:
    lines = _hostile_lines()
    data = docx_bytes(lines) if container == "docx" else "\n".join(lines).encode()
    assert len(HOSTILE[3]) >= 10_000

    plan = parse_file(write(tmp_path, f"hostile.{container}", data)).plan

    assert [i.text for i in plan.items] == [unicodedata.normalize("NFKC", t) for t in HOSTILE]
    assert all(units(plan, i.seq) == [("局办公室", LEAD)] for i in plan.items)
    assert plan.items[0].title == '加强<script>alert("x")</script>网络安全管理'
    assert plan.items[5].text == "规范full-width字符ABC123的写法。"
    assert len(plan.items[3].title) <= 60


def test_emoji_zwj_sequence_is_kept(tmp_path: Path) -> None:
    text = "培育👩‍🔬科研人才队伍。"
    data = f"XX市科技局2024年工作要点\n(一){text}(责任单位:局人事处)\n".encode()
    plan = parse_file(write(tmp_path, "zwj.txt", data)).plan
    assert plan.items[0].text == unicodedata.normalize("NFKC", text)

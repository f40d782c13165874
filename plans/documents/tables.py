"""Plans laid out as tables (督查台账): one row per item, columns named in a header row.

`parse_rows` turns the rows of a table (from a .docx, an .xlsx, or text read by text_tables)
into a Plan: each row's task, measures and schedule make the item's text; its unit columns the
lead and support units (a 责任单位 beside a 牵头单位 column supports); its 完成时限 the deadline
and milestones; its target column the targets. A row of only a date and a unit under a merged
task is one more step of the item above; a short cell alone on its row is a category; a 项目
column over several task rows makes the project the item and its rows its steps. What each
column means is in columns.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from plans.deadlines import item_deadline
from plans.documents.assignments import cell_units
from plans.documents.columns import base_kind, column_kind, find_header
from plans.documents.items import (
    Context,
    PlanFormatError,
    build_item,
    read_item_text,
    warnings,
    with_defaults,
)
from plans.documents.units import split_units
from plans.model import LEAD, SUPPORT, Item, Milestone, Plan, Role, Section, UnitRef
from plans.targets import find_targets
from plans.text import normalize, plan_year

# A part's number: 一, 二、, (三), 第四部分
_CN_NUMBER = re.compile(
    r"[(]?[一二三四五六七八九十]{1,3}[)、.]?|第[一二三四五六七八九十]{1,3}(?:部分|章|篇)"
)
_DATE_ONLY = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}[日号])?(?:底|前|底前)?")


@dataclass
class _Row:
    cells: list[str]
    cols: dict[str, int]

    def get(self, key: str) -> str:
        c = self.cols.get(key)
        return (
            self.cells[c].strip() if c is not None and c < len(self.cells) and self.cells[c] else ""
        )

    def all(self, kind: str) -> list[tuple[str, str]]:
        return [(k, self.get(k)) for k in self.cols if base_kind(k) == kind and self.get(k)]


def parse_rows(
    rows: Sequence[Sequence[str]],
    *,
    title: str,
    year: int | None,
    document_date: date | None = None,
    ctx: Context | None = None,
    notes: Sequence[str] = (),
) -> Plan:
    """Parse a plan table (a ledger 台账): one row per item, columns named in a header row."""
    grid = [[normalize(str(c)).strip() if c is not None else "" for c in row] for row in rows]
    found = find_header(grid)
    if found is None:
        raise PlanFormatError(
            "no plan table found: expected a header row with 工作任务 and 牵头单位/责任单位/完成时限"
        )
    header_at, cols = found
    above = [c for row in grid[:header_at] for c in row if c]
    header_at, cols = _two_row_header(grid, header_at, cols)
    cols = _retype(grid[header_at + 1 :], cols)
    if not title and above:
        title = above[0]
    notes = list(notes)
    if ctx is None:
        year = year or plan_year(title) or plan_year(" ".join(above)) or _year_in_column(grid, cols)
        if year is None:
            year = date.today().year
            notes.append(
                f"no year in the document: assumed {year}, the current year (--year sets it)"
            )
        ctx = Context(year=year, document_date=document_date)
    has_lead_column = any(
        base_kind(k) == "lead" and re.search("牵头", grid[header_at][c]) for k, c in cols.items()
    )

    # rows numbered 一、二 are parts when the items are numbered 1, 2 (else they are the items);
    # a row numbered 1 is a part over rows numbered 1.1, 1.2
    at = cols.get("number")
    numbers = [row[at].strip() for row in grid[header_at + 1 :] if at is not None and at < len(row)]
    parts_over_items = any(re.fullmatch(r"\d{1,3}(?:\.0)?", n) for n in numbers)
    has_subnumbers = {n.rsplit(".", 1)[0] for n in numbers if re.fullmatch(r"\d{1,3}\.\d{1,2}", n)}
    items: list[Item] = []
    sections: list[Section] = []
    section: tuple[str, ...] = ()
    last_section = ""
    last_task = ""
    for cells in grid[header_at + 1 :]:
        row = _Row(cells, cols)
        if _is_header_again(cells):
            continue
        task = row.get("task")
        filled = [c for c in cells if c]
        if len(filled) == 1 and len(filled[0]) <= 8 and len(cols) >= 3 and filled[0] == task:
            task = ""  # a short cell alone on its row: a category over the rows below
        sec = row.get("section")
        if sec and sec != last_section:
            last_section, section = sec, (sec,)
            sections.append(Section(number=sec, title=sec, path=section))
        units = _row_units(row, grid[header_at], has_lead_column, ctx)
        when = row.get("deadline")
        if not task:
            if items and (units or when) and not row.get("number"):
                items[-1] = _continue(items[-1], units, when, ctx)
                continue
            if len(filled) == 1 and not filled[0].isdigit():
                section = (filled[0],)
                sections.append(Section(number=filled[0], title=filled[0], path=section))
                continue
            measures = row.get("measures") or row.get("schedule")
            if not (measures and last_task):
                continue
            task = last_task  # a merged 工作任务 cell: the row above's task goes on
        number = row.get("number")
        if number.endswith(".0") and number[:-2].isdigit():
            number = number[:-2]  # Excel stores 序号 1 as 1.0
        part = (parts_over_items and _CN_NUMBER.fullmatch(number)) or number in has_subnumbers
        if part and not (units or when or _details(row)):
            # "一 | 学前教育普惠发展 | | |": a part numbered 一、二 over the rows numbered 1, 2
            # (or 1 over 1.1, 1.2)
            label = number if number[-1] in "、.)" else f"{number}、"  # as a text plan's 一、
            section = (label,)
            sections.append(Section(number=label, title=task, path=section))
            last_task = ""
            continue
        last_task = task
        noted = read_item_text(task, ctx)
        text_units, text = noted.units, noted.text
        measures = "\n".join(v for _, v in row.all("measures"))
        m_units: tuple[UnitRef, ...] = ()
        noted_when = noted.when
        if measures:
            m_noted = read_item_text(measures, ctx)
            m_units, measures = m_noted.units, m_noted.text
            noted_when = noted_when or m_noted.when
        schedule = "\n".join(v for _, v in row.all("schedule"))
        all_units = list(units)
        for u in (*text_units, *m_units):
            if all(x.name != u.name for x in all_units):
                all_units.append(u)
        target_text = row.get("targets")
        targets = find_targets(target_text, column=True) if target_text else []
        stated = f"{text}\n{measures}" if measures and measures != text else text
        body = f"{stated}\n{schedule}" if schedule else stated
        seq = len(items) + 1
        item = build_item(
            ctx,
            seq=seq,
            number=number or str(seq),
            path=(*section, number) if number else section,
            kind="task",
            text=body,
            units=with_defaults(all_units, ctx.all_support),
            when=when or noted_when,
            targets=targets,
            target_text=stated,  # quantities in a schedule (实施计划, 工作流程) are steps
        )
        # a 完成时限 cell that is only a date ("2023年12月31日") is the deadline, not a step
        steps = tuple(
            m
            for m in item.milestones
            if not (_DATE_ONLY.fullmatch(m.text) and m.date == item.deadline)
        )
        items.append(replace(item, milestones=steps, deadline_text=item.deadline_text or when))
    if not items:
        raise PlanFormatError("the plan table has a header but no task rows")
    if "section" in cols and re.search("项目", grid[header_at][cols["section"]]):
        items, sections = _projects(items), []
    return Plan(
        title=title,
        year=ctx.year,
        items=tuple(items),
        sections=tuple(sections),
        default_units=ctx.all_support,
        warnings=warnings(items, notes),
    )


def _details(row: _Row) -> bool:
    """Whether a row says more about its task: measures, a schedule, targets, persons, progress."""
    return any(row.all(kind) for kind in ("measures", "schedule", "targets", "persons"))


def _projects(items: list[Item]) -> list[Item]:
    """A 项目 column over several task rows: the project is the item, its rows are its steps
    ("1.城市人居环境提升项目" with four tasks, each with its own date and unit, is one item)."""
    out: list[Item] = []
    for project, group in _groups(items):
        label = re.match(r"^(\d{1,3})\s*[.、]\s*", project)
        number = label.group(1) if label else str(len(out) + 1)
        title = project[label.end() :] if label else project
        units: list[UnitRef] = []
        for i in group:
            units += [u for u in i.units if all(x.name != u.name for x in units)]
        steps: list[Milestone] = []
        for i in group:
            for m in (*i.milestones, *((Milestone(i.deadline, i.title),) if i.deadline else ())):
                if m not in steps:
                    steps.append(m)
        dated = [i for i in group if i.deadline is not None]
        last = max(dated, key=lambda i: i.deadline or date.min) if dated else group[0]
        out.append(
            replace(
                group[0],
                seq=len(out) + 1,
                number=number,
                path=(number,),
                title=title or group[0].title,
                text="\n".join(i.text for i in group),
                units=tuple(units),
                deadline=last.deadline,
                deadline_text=last.deadline_text,
                milestones=tuple(sorted(steps, key=lambda m: m.date)),
                targets=tuple(t for i in group for t in i.targets),
            )
        )
    return out


def _groups(items: list[Item]) -> list[tuple[str, list[Item]]]:
    groups: list[tuple[str, list[Item]]] = []
    for item in items:
        project = item.path[0] if item.path else ""
        if groups and groups[-1][0] == project:
            groups[-1][1].append(item)
        else:
            groups.append((project, [item]))
    return groups


def _retype(rows: Sequence[Sequence[str]], cols: dict[str, int]) -> dict[str, int]:
    """A 任务 column of figures beside a 项目 column: the 项目 is the item, the figures its target."""
    if "section" not in cols or "task" not in cols or "targets" in cols:
        return cols
    values = [r[cols["task"]] for r in rows if cols["task"] < len(r) and r[cols["task"]]]
    figures = sum(1 for v in values if len(v) <= 15 and re.search(r"\d", v))
    if values and figures * 2 > len(values):
        cols = dict(cols)
        cols["targets"] = cols.pop("task")
        cols["task"] = cols.pop("section")
    return cols


def _two_row_header(
    grid: list[list[str]], at: int, cols: dict[str, int]
) -> tuple[int, dict[str, int]]:
    """A header of two rows (责任单位 merged over 牵头 | 配合): the lower row names the columns
    under the upper one. Then the lower row is the header, with the upper's names where it has
    none; `grid` gets that row in its place."""
    if at + 1 >= len(grid):
        return at, cols
    upper, lower = grid[at], grid[at + 1]
    filled = [(c, v) for c, v in enumerate(lower) if v]
    if not filled or any(
        column_kind(v) is None and (c >= len(upper) or v != upper[c]) for c, v in filled
    ):
        return at, cols  # a row of data, or of something else
    width = max(len(upper), len(lower))
    combined = [
        lower[c]
        if c < len(lower) and lower[c] and column_kind(lower[c])
        else (upper[c] if c < len(upper) else "")
        for c in range(width)
    ]
    found = find_header([combined])
    if combined == upper or found is None:
        return at, cols  # the header again (as on a new page), or no header of its own
    grid[at + 1] = combined
    return at + 1, found[1]


def _is_header_again(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(column_kind(c) for c in filled)


def _row_units(
    row: _Row, header: Sequence[str], has_lead_column: bool, ctx: Context
) -> list[UnitRef]:
    units: list[UnitRef] = []
    for key, value in [*row.all("lead"), *row.all("support")]:
        role: Role = LEAD
        if base_kind(key) == "support":
            role = SUPPORT
        elif has_lead_column and "牵头" not in header[row.cols[key]]:
            role = SUPPORT  # 责任单位 beside a 牵头单位 column supports
        named = cell_units(value, ctx.year) or [UnitRef(name, role) for name in split_units(value)]
        for u in named:
            if all(x.name != u.name for x in units):
                units.append(u)
    return units


def _continue(item: Item, units: list[UnitRef], when: str, ctx: Context) -> Item:
    """A row of only a date and a unit, under a merged task: one more step and unit of it."""
    merged = list(item.units)
    for u in units:
        if all(x.name != u.name for x in merged):
            merged.append(u)
    milestones = list(item.milestones)
    deadline, deadline_text = item.deadline, item.deadline_text
    if when:
        due = item_deadline(when, ctx.year, ctx.document_date)
        if due.date is not None and due.text:
            step = f"{when}({'、'.join(u.name for u in units)})" if units else when
            milestones.append(Milestone(due.date, step))
            if deadline is None or due.date > deadline:
                deadline, deadline_text = due.date, due.text
    return replace(
        item,
        units=tuple(merged),
        milestones=tuple(milestones),
        deadline=deadline,
        deadline_text=deadline_text,
    )


def _year_in_column(grid: Sequence[Sequence[str]], cols: dict[str, int]) -> int | None:
    c = cols.get("deadline")
    if c is None:
        return None
    for row in grid:
        if c < len(row):
            y = plan_year(row[c])
            if y:
                return y
    return None

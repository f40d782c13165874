"""Plans laid out as tables (督查台账): one row per item, columns named in a header row.

Tables reach duban as rows (.docx, .xlsx, pipe- or tab-delimited text) or, from scraped pages,
as a stream of cells: one cell per line (with or without a `|` line between cells), or rows
flattened to one line with spaces between the cells. A clerk reads such a stream by what each
cell is: a bare number in the 序号 column starts a row (and may skip numbers: a ledger of
selected items); unit names go to the unit columns, a time phrase to the 完成时限 column, a
person to 责任人; the header repeated inside the table is skipped; a cell that fits no column
(a stray number) is dropped. A row that fills only the right-hand columns continues the row
above it (its left cells were merged).

What the columns mean: 工作任务 (or 任务名称, 目标任务, 实事项目) is the item; 项目/类别 group
items; 具体要求 / 工作举措 / 细化措施 add to the item's text; a schedule (实施计划, 工作流程)
too, but its quantities are steps, not targets; 牵头 columns name the lead,
配合/参与 the support, 责任单位 the lead unless a 牵头 column exists; 完成时限 the deadline and
milestones; 指标要求 the target. 完成情况 (progress), 分值 (scores), 责任人 (persons) and
目标类型 are read but are not part of the item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from plans.deadlines import find_time_phrases, item_deadline
from plans.documents.items import (
    Context,
    PlanFormatError,
    build_item,
    read_item_text,
    warnings,
    with_defaults,
)
from plans.documents.units import is_person_or_role, looks_like_unit, split_units
from plans.model import LEAD, SUPPORT, Item, Milestone, Plan, Role, Section, UnitRef
from plans.targets import find_targets
from plans.text import normalize, plan_year

# Column kinds, tried in this order for each header cell.
_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序|No\.?)$", re.I)),
    ("progress", re.compile(r"完成情况|进展情况|工作进展|目前进展|序时进度|备注")),
    ("persons", re.compile(r"责任人|责任领导|牵头领导|分管领导|联系人|包保领导")),
    ("score", re.compile(r"^(?:分值|分数|权重|考核分值)$")),
    ("kind", re.compile(r"^(?:目标类型|指标类型|类型|属性)$")),
    (
        "support",
        re.compile(r"配合单位|协办单位|参与单位|配合部门|协同单位|参与部门|配合科室|配合处室"),
    ),
    (
        "lead",
        re.compile(
            r"牵头单位|责任单位|负责单位|责任部门|牵头部门|主责单位|责任处室|牵头处室|责任科室"
            r"|责任股室|牵头责任单位|监考单位|承办单位|实施单位"
        ),
    ),
    (
        "deadline",
        re.compile(
            r"完成时限|时间节点|完成时间|时限|进度安排|时间要求|完成期限|截止时间|限期时间|时间安排"
        ),
    ),
    ("targets", re.compile(r"量化指标|指标要求|目标值|^指标$|考核指标")),
    ("schedule", re.compile(r"实施计划|工作流程|推进计划|节点安排|实施步骤|推进步骤")),
    (
        "measures",
        re.compile(r"具体要求|工作举措|细化措施|工作措施|推进措施|主要措施|任务单|措施|工作要求"),
    ),
    (
        "task",
        re.compile(
            r"工作任务|重点任务|主要任务|具体任务|任务内容|工作内容|工作事项|任务名称|目标任务"
            r"|实事项目|^任务$|^工作$|^事项$|^项目内容$"
        ),
    ),
    (
        "section",
        re.compile(r"^(?:类别|分类|板块|领域|专项|重点领域|工作类别|项目类别|项目名称|项目)$"),
    ),
)
_MULTI = {"lead", "support", "persons"}  # a cell per name may follow one another
_OPTIONAL = {"number", "score", "kind", "deadline", "lead", "support", "persons", "targets"}
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_NUMBER_CELL = re.compile(r"^[-+]?\d+(?:\.\d+)?%?$")
_ONGOING = re.compile(r"持续|长期|常态|经常性|全年|年终|每[年季月周]")
_DATE_CELL = re.compile(r"(?:19|20)\d{2}\s*[.\-/年]\s*\d{1,2}|\d{1,2}月")
_DATE_ONLY = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}[日号])?(?:底|前|底前)?")


def column_kind(cell: str) -> str | None:
    """What a header cell names ("责任科室" → lead), or None."""
    name = re.sub(r"\s+", "", cell or "")
    if not name or len(name) > 16:
        return None
    for kind, pattern in _COLUMNS:
        if pattern.search(name):
            return kind
    return None


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The header row of a plan table (within the first rows) and where each column is."""
    for r, row in enumerate(rows[:15]):
        cols = _columns(row)
        if ("task" in cols or "section" in cols) and len(cols) >= 3:
            return r, cols
        if "task" in cols and ("lead" in cols or "number" in cols or "deadline" in cols):
            return r, cols
    return None


def _columns(row: Sequence[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, cell in enumerate(row):
        kind = column_kind(cell)
        if kind is None:
            continue
        key = kind
        while key in cols:  # a second lead column (牵头单位 and 责任单位) is kept as lead2
            key += "2"
        cols[key] = c
    # 项目 beside 工作任务 groups the tasks; alone, it is the item (实事项目).
    if "section" in cols and "task" not in cols:
        cols["task"] = cols.pop("section")
    return cols


# ---------------------------------------------------------------------------- text to rows


def text_table(lines: Sequence[str]) -> list[list[str]] | None:
    """A table written as text: delimited rows, a stream of cells, or space-separated rows."""
    for sep in ("|", "\t"):
        rows = [_split_row(line, sep) for line in lines if sep in line and line.strip() != sep]
        if len(rows) >= 2 and find_header(rows) is not None:
            if sum(1 for line in lines if line.strip() == sep) > len(rows):
                break  # "|" on lines of its own separates cells: a stream, read below
            return _right_align(rows)
    stream = [line for line in lines if line.strip() != "|"]
    return _stream_table(stream) or _spaced_table(lines)


def _split_row(line: str, sep: str) -> list[str]:
    return [c.strip() for c in line.strip().strip(sep).split(sep)]


def _right_align(rows: list[list[str]]) -> list[list[str]]:
    """Rows shorter than the header lost their left cells to a merge: align them right."""
    found = find_header(rows)
    if found is None:
        return rows
    width = len(rows[found[0]])
    out: list[list[str]] = []
    for k, row in enumerate(rows):
        cells = list(row)
        while cells and not cells[-1]:
            cells.pop()
        if k > found[0] and 0 < len(cells) < width and not _BARE_NUMBER.match(cells[0]):
            cells = [""] * (width - len(cells)) + cells
        out.append(cells)
    return out


def _stream_table(lines: Sequence[str]) -> list[list[str]] | None:
    """One cell per line under a header written one cell per line."""
    for start in range(min(len(lines), 60)):
        header: list[str] = []
        k = start
        while k < len(lines) and column_kind(lines[k]) is not None and len(header) < 12:
            header.append(lines[k])
            k += 1
        if len(header) >= 3 and find_header([header]) is not None:
            return _assemble(header, lines[k:])
    return None


def _fits(cell: str, kind: str) -> bool:
    """Whether a cell can be in a column of this kind."""
    flat = re.sub(r"\s+", "", cell)
    if kind == "number":
        return bool(_BARE_NUMBER.match(flat))
    if kind == "score":
        return bool(_NUMBER_CELL.match(flat)) and float(flat.rstrip("%")) <= 100
    if kind == "kind":
        return len(flat) <= 4
    if kind in ("lead", "support", "lead2", "support2"):
        names = split_units(cell)
        return bool(names) and all(looks_like_unit(n) for n in names)
    if kind == "persons":
        parts = [p for p in re.split(r"[、,,;;\n]", cell) if p.strip()]
        return bool(parts) and all(is_person_or_role(p) for p in parts)
    if kind == "deadline":
        return len(flat) <= 60 and bool(
            _ONGOING.search(flat) or _DATE_CELL.search(flat) or find_time_phrases(flat, 2000)
        )
    if kind == "targets":
        return len(flat) <= 40
    # text columns take anything but a stray bare number
    return not _BARE_NUMBER.match(flat)


def _base(kind: str) -> str:
    return kind.rstrip("2")


def _assemble(header: list[str], cells: Sequence[str]) -> list[list[str]]:
    """Rows from a stream of cells, each cell put in the column it fits."""
    kinds = [column_kind(h) or "text" for h in header]
    names = {re.sub(r"\s+", "", h) for h in header}
    cells = [c for c in cells if re.sub(r"\s+", "", c) not in names and column_kind(c) is None]
    starts = _row_numbers(cells, consecutive="number" not in kinds)
    if len(starts) >= 2 and ("number" in kinds or starts[0] <= len(kinds)):
        if "number" not in kinds:
            # a 序号 column without a header cell: as many columns before it as cells before "1"
            at = min(starts[0], len(kinds))
            kinds.insert(at, "number")
            header = [*header[:at], "序号", *header[at:]]
        return [header, *_merged_down(kinds, _numbered_rows(kinds, cells, starts))]
    return [header, *_merged_down(kinds, _unnumbered_rows(kinds, cells))]


def _merged_down(kinds: list[str], rows: list[list[str]]) -> list[list[str]]:
    """A cell missing from a unit column was merged with the one above it (the stream keeps a
    merged cell once): the row's units are those of the row above."""
    above: dict[int, str] = {}
    for row in rows:
        if sum(1 for c in row if c) < 2:
            continue  # a category or cut-off row
        for c, kind in enumerate(kinds):
            if _base(kind) != "lead" or c >= len(row):
                continue
            if row[c]:
                above[c] = row[c]
            elif c in above:
                row[c] = above[c]
    return rows


def _row_numbers(cells: Sequence[str], *, consecutive: bool) -> list[int]:
    """Where rows start: bare numbers that go up (a stray smaller number is not a row); without
    a 序号 header cell, only numbers that count 1, 2, 3… are row numbers."""
    starts: list[int] = []
    last = 0
    for i, c in enumerate(cells):
        if not _BARE_NUMBER.match(c):
            continue
        if (int(c) == last + 1) if consecutive else (int(c) > last):
            starts.append(i)
            last = int(c)
    return starts


def _numbered_rows(kinds: list[str], cells: Sequence[str], starts: list[int]) -> list[list[str]]:
    at = kinds.index("number")
    rows: list[list[str]] = []
    left = list(cells[: starts[0]])
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(cells)
        row, rest = _place(cells[i + 1 : end], kinds, at + 1)
        row[at] = cells[i]
        lead_in = left[-at:] if at else []
        for j, c in enumerate(lead_in):
            row[at - len(lead_in) + j] = c
        left = [c for c in rest if not _BARE_NUMBER.match(c)]
        rows.append(row)
    return rows


def _unnumbered_rows(kinds: list[str], cells: Sequence[str]) -> list[list[str]]:
    scored = len(kinds) > 1 and kinds[1] == "score"
    rows: list[list[str]] = []
    i = 0
    while i < len(cells):
        if scored and not (i + 1 < len(cells) and _fits(cells[i + 1], "score")):
            rows.append([cells[i]])  # a category cell spanning the rows below it
            i += 1
            continue
        row, rest = _place(cells[i:], kinds, 0, scored=scored)
        used = len(cells) - i - len(rest)
        if used == 0:
            i += 1  # a cell that fits nowhere (a stray number)
            continue
        rows.append(row)
        i += used
    return rows


def _place(
    cells: Sequence[str], kinds: list[str], col: int, *, scored: bool = False
) -> tuple[list[str], list[str]]:
    """Fill one row from `col` on; return it and the cells that did not fit."""
    width = len(kinds)
    row = [""] * width
    for i, cell in enumerate(cells):
        next_is_score = i + 1 < len(cells) and _fits(cells[i + 1], "score")
        if scored and col > 0 and i > 0 and next_is_score and not _fits(cell, "score"):
            return row, list(cells[i:])  # a name followed by a score starts the next row
        placed = False
        while col < width:
            kind = kinds[col]
            if kind == "number":
                col += 1
                continue
            if row[col] and _base(kind) in _MULTI and _fits(cell, kind):
                row[col] += "\n" + cell
                placed = True
                break
            if row[col]:
                col += 1
                continue
            fits = _fits(cell, kind)
            if scored and _base(kind) == "task":
                # in a scored table the column after the score holds figures, not unit names
                fits = not any(_fits(cell, k) for k in kinds[col + 1 :] if _base(k) == "lead")
            if fits:
                row[col] = cell
                multi = _base(kind) in _MULTI
                if not multi or (col + 1 < width and _base(kinds[col + 1]) in _MULTI):
                    col += 1
                placed = True
                break
            if _base(kind) in _OPTIONAL:
                col += 1
                continue
            break
        if placed:
            continue
        if _BARE_NUMBER.match(cell) and col < width:
            continue  # a stray number inside the row
        return row, list(cells[i:])
    return row, []


def _spaced_table(lines: Sequence[str]) -> list[list[str]] | None:
    """Rows flattened to one line, cells separated by spaces, under a header of the same kind."""
    for h, line in enumerate(lines[:60]):
        header = line.split()
        if len(header) < 4 or sum(1 for c in header if column_kind(c)) < len(header) - 1:
            continue
        if find_header([header]) is None:
            continue
        kinds = [column_kind(c) or "text" for c in header]
        rows = [header]
        for row_line in lines[h + 1 :]:
            m = re.match(r"^(\d{1,4}) (.*)$", row_line)
            if m is None:
                if len(rows) > 1:  # a row broken over two lines
                    rows[-1][-1] += row_line
                continue
            rows.append([m.group(1), *_spaced_cells(m.group(2), kinds[1:])])
        return rows if len(rows) > 1 else None
    return None


def _spaced_cells(rest: str, kinds: list[str]) -> list[str]:
    """Cells of a space-separated row: unit columns from the right, the sentence before them,
    the short cells before that (a cell broken by spaces is joined)."""
    tokens = rest.split(" ")
    out = [""] * len(kinds)
    k = len(kinds) - 1
    while k >= 0 and _base(kinds[k]) in ("lead", "support") and tokens:
        out[k] = tokens.pop()
        k -= 1
    # the longest sentence is the text column just left of the units
    if k >= 0 and tokens:
        sentence = max(
            range(len(tokens)),
            key=lambda i: (("。" in tokens[i]) or ("," in tokens[i]), len(tokens[i])),
        )
        out[k] = "".join(tokens[sentence:])
        tokens = tokens[:sentence]
        k -= 1
    # what is left fills the first columns; a one- or two-character token ends the cell before it
    groups: list[str] = []
    for t in tokens:
        if groups and t and len(t) <= 2 and groups[-1]:
            groups[-1] += t
        else:
            groups.append(t)
    if k >= 0:
        head = groups[: k + 1]
        if len(groups) > k + 1:
            head = [*groups[:k], "".join(groups[k:])]
        for j, g in enumerate(head):
            out[j] = g
    return out


# ---------------------------------------------------------------------------- rows to a plan


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
        return [(k, self.get(k)) for k in self.cols if _base(k) == kind and self.get(k)]


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
    cols = _retype(grid[header_at + 1 :], cols)
    above = [c for row in grid[:header_at] for c in row if c]
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
        _base(k) == "lead" and re.search("牵头", grid[header_at][c]) for k, c in cols.items()
    )

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
        units = _row_units(row, grid[header_at], has_lead_column)
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
        last_task = task
        number = row.get("number")
        if number.endswith(".0") and number[:-2].isdigit():
            number = number[:-2]  # Excel stores 序号 1 as 1.0
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


def _is_header_again(cells: Sequence[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(column_kind(c) for c in filled)


def _row_units(row: _Row, header: Sequence[str], has_lead_column: bool) -> list[UnitRef]:
    units: list[UnitRef] = []
    for key, value in [*row.all("lead"), *row.all("support")]:
        role: Role = LEAD
        if _base(key) == "support":
            role = SUPPORT
        elif has_lead_column and "牵头" not in header[row.cols[key]]:
            role = SUPPORT  # 责任单位 beside a 牵头单位 column supports
        for name in split_units(value):
            if all(u.name != name for u in units):
                units.append(UnitRef(name, role))
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

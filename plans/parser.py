"""Turn a plan document into a Plan: hierarchy, items, units, targets, deadlines.

Plans number their parts with a small family of markers, outermost first:
一、 / (一) / 1. or 1、 / (1) / ①. Any of them can hold the items; numbering restarts or runs on
across sections. A numbered line with numbered lines under it is a heading; one without is an
item — unless it reads like a heading at a level that holds headings elsewhere ("一、总体思路"
followed by a paragraph). Short label lines such as "主要目标:" / "重点措施:" open pseudo-sections;
items under 主要目标 are indicators.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from plans.deadlines import item_deadline
from plans.model import LEAD, SUPPORT, Item, ItemKind, Plan, Role, Section, UnitRef
from plans.targets import find_targets
from plans.text import extract_body, normalize, plan_year
from plans.units import expand_siblings, split_units


class PlanFormatError(ValueError):
    """The document is not a plan we can read; the message says why, for the user."""


_CN = "一二三四五六七八九十百零〇"
# (rank, pattern). The label is group 1, the rest of the line group 2.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN}]{{1,7}}、)\s*(.*)$")),
    (1, re.compile(rf"^(第[{_CN}]{{1,7}}(?:部分|章))\s*(.*)$")),
    (2, re.compile(rf"^(\([{_CN}]{{1,7}}\))\s*(.*)$")),
    (3, re.compile(r"^(\d{1,3}(?:\.(?!\d)|、))\s*(.*)$")),
    (4, re.compile(r"^(\(\d{1,3}\))\s*(.*)$")),
    (5, re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(.*)$")),
)
_PSEUDO_RANK = 0
_PSEUDO = re.compile(r"^([\u4e00-\u9fff、]{2,12})[::]?$")
_PSEUDO_WORDS = re.compile(r"目标|任务|措施|举措|重点|指标|要求|保障|工作")
_INDICATOR_HEADING = re.compile(r"主要目标|预期目标|主要指标|目标指标|发展目标|工作目标|主要预期")

_LEAD_LABELS = r"责任单位|牵头单位|负责单位|责任部门|牵头部门|主责单位|责任处室|牵头处室|责任科室|承办单位|实施单位"
_SUPPORT_LABELS = r"配合单位|协办单位|参与单位|配合部门|协同单位|协助单位|配合处室"
_LABEL = re.compile(rf"({_LEAD_LABELS}|{_SUPPORT_LABELS})\s*:\s*")
_SUPPORT_LABEL = re.compile(_SUPPORT_LABELS)
# (责任单位:…) / [责任单位:…] / 【责任单位:…】, at any place in the item.
_UNIT_PAREN = re.compile(
    rf"[(\[【]\s*((?:{_LEAD_LABELS}|{_SUPPORT_LABELS})\s*:(?:[^()\[\]【】]|\([^()]*\))*)[)\]】]"
)
# A line that is only a unit label: "牵头单位:市科技局".
_UNIT_LINE = re.compile(rf"(?:^|\n)\s*((?:{_LEAD_LABELS}|{_SUPPORT_LABELS})\s*:[^\n]*)")
# (局高新处牵头,各区配合) — the whole parenthesis is the assignment, nothing else.
_LEAD_PAREN = re.compile(
    r"[(\[【]([^()\[\]【】]{2,60}?)牵头(?:[,;、]([^()\[\]【】]{2,60}?)(?:配合|参与|协同))?[)\]】]"
)
# "以下各项均需各辖市、区科技局,常州经开区科技金融局落实,不再单独列出"
_DEFAULT_NOTE = re.compile(
    r"以下(?:各项|各条|所有|全部)?(?:任务|工作|事项)?[^。;]{0,6}?(?:均需|均由|均要|都需|均请|需)"
    r"(.{2,80}?)(?:共同|负责|参与|配合|协同)?(?:落实|负责|配合|参与|承担|推进)"
)
_FIRST_IS_LEAD = re.compile(r"(?:排在?|列)(?:第一|首)位的?(?:为|是)牵头|第一(?:个)?单位为牵头")
_TITLE_MAX = 60
_DATE_ONLY = re.compile(r"(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}[日号])?(?:底|前|底前)?")


@dataclass
class _Node:
    rank: int
    label: str
    head: str  # the text on the numbered line after the label
    body: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    child_rank: int | None = None  # for pseudo-sections: the rank of their first numbered child

    @property
    def full_text(self) -> str:
        return "\n".join([self.head, *self.body]).strip()

    @property
    def is_pseudo(self) -> bool:
        return self.rank == _PSEUDO_RANK


def parse_text(text: str, *, source_name: str = "", year: int | None = None) -> Plan:
    """Parse a plan written as text (scraped page, .txt, paragraphs of a .docx)."""
    body = extract_body(text)
    plan_year_ = year or body.year
    if plan_year_ is None:
        raise PlanFormatError("no plan year found in the title or text; pass --year")
    table_lines = _text_table(body.lines)
    if table_lines is not None:
        return parse_rows(
            table_lines,
            title=body.title or source_name,
            year=plan_year_,
            document_date=body.document_date,
        )
    root = _build_tree(body.lines)
    nodes = _leaf_items(root)
    if not nodes:
        raise PlanFormatError(
            "no numbered items found: expected lines such as '一、', '(一)', '1.' "
            "or a table with a 工作任务 column"
        )
    return _make_plan(
        title=body.title or source_name,
        year=plan_year_,
        document_date=body.document_date,
        nodes=nodes,
        root=root,
        first_is_lead=bool(_FIRST_IS_LEAD.search(text)),
    )


# ---------------------------------------------------------------------------- the hierarchy


def _classify(line: str) -> tuple[int, str, str] | None:
    for rank, pattern in _MARKERS:
        m = pattern.match(line)
        if m and m.group(2):
            return rank, m.group(1), m.group(2)
    return None


def _build_tree(lines: Sequence[str]) -> _Node:
    root = _Node(rank=-1, label="", head="")
    stack = [root]
    for line in lines:
        marked = _classify(line)
        if marked is None:
            pm = _PSEUDO.match(line)
            if pm and _PSEUDO_WORDS.search(pm.group(1)) and line.endswith((":", ":")):
                while stack[-1].rank >= _PSEUDO_RANK:
                    stack.pop()
                node = _Node(rank=_PSEUDO_RANK, label="", head=pm.group(1), parent=stack[-1])
                stack[-1].children.append(node)
                stack.append(node)
            else:
                stack[-1].body.append(line)
            continue
        rank, label, head = marked
        # Close deeper or equal levels; a pseudo-section closes when a numbered line outranks
        # the numbering it introduced ("重点措施" lists without a label line after 主要目标 1.–8.).
        while stack[-1] is not root and (
            stack[-1].rank >= rank
            or (
                stack[-1].is_pseudo
                and stack[-1].child_rank is not None
                and rank < stack[-1].child_rank
            )
        ):
            stack.pop()
        parent = stack[-1]
        if parent.is_pseudo and parent.child_rank is None:
            parent.child_rank = rank
        node = _Node(rank=rank, label=label, head=head, parent=parent)
        parent.children.append(node)
        stack.append(node)
    return root


def _looks_like_heading(node: _Node) -> bool:
    return "。" not in node.head and len(node.head) <= 40 and not _UNIT_PAREN.search(node.head)


def _leaf_items(root: _Node) -> list[_Node]:
    """The nodes that are items, in document order."""
    heading_ranks: set[int] = set()
    leaves: list[_Node] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            if child.children:
                if not child.is_pseudo:
                    heading_ranks.add(child.rank)
                walk(child)
            elif not child.is_pseudo:
                leaves.append(child)

    walk(root)
    return [
        n for n in leaves if not (n.rank in heading_ranks and _looks_like_heading(n) and n.body)
    ]


def _path(node: _Node) -> tuple[str, ...]:
    labels: list[str] = []
    cur: _Node | None = node
    while cur is not None and cur.rank >= 0:
        if not cur.is_pseudo:
            labels.append(cur.label)
        cur = cur.parent
    return tuple(reversed(labels))


def _kind(node: _Node) -> ItemKind:
    cur = node.parent
    while cur is not None and cur.rank >= 0:
        if _INDICATOR_HEADING.search(cur.head[:12]):
            return "indicator"
        cur = cur.parent
    return "task"


def _sections(root: _Node) -> list[Section]:
    out: list[Section] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            if child.children:
                label = child.label or child.head
                out.append(Section(number=label, title=child.head, path=_path(child) or (label,)))
                walk(child)

    walk(root)
    return out


# ---------------------------------------------------------------------------- items


@dataclass(frozen=True)
class _Units:
    units: tuple[UnitRef, ...]
    default_note: tuple[str, ...]  # units a "以下各项均需…落实" note makes support of later items
    text: str  # the item text without the unit annotations


def _extract_units(text: str, first_is_lead: bool) -> _Units:
    found: list[UnitRef] = []
    defaults: list[str] = []

    def add(names: list[str], role: Role) -> None:
        for k, name in enumerate(names):
            r: Role = SUPPORT if (role == LEAD and first_is_lead and k > 0) else role
            if name and all(u.name != name for u in found):
                found.append(UnitRef(name, r))

    def labelled(segment: str) -> None:
        # "责任单位:局机关党委,各辖市、区科技局。以下各项均需…" / "牵头单位:X,配合单位:Y、Z"
        sentences = re.split(r"[。;;]", segment)
        head, notes = sentences[0], "。".join(sentences[1:])
        for note in (head, notes):
            nm = _DEFAULT_NOTE.search(note)
            if nm:
                defaults.extend(split_units(nm.group(1)))
        parts = _LABEL.split(head)
        # parts: ["", label, names, label, names, ...]
        groups: list[tuple[list[str], Role]] = []
        for i in range(1, len(parts) - 1, 2):
            role: Role = SUPPORT if _SUPPORT_LABEL.fullmatch(parts[i]) else LEAD
            listed = re.sub(r"[,,]$", "", parts[i + 1].strip())
            if not _DEFAULT_NOTE.search(listed):
                groups.append((split_units(listed), role))
        # "牵头单位:局规划处,配合单位:农社处": the support list abbreviates like the lead list.
        expanded = iter(expand_siblings([n for names, _ in groups for n in names]))
        for names, role in groups:
            add([next(expanded) for _ in names], role)

    def paren(m: re.Match[str]) -> str:
        labelled(m.group(1))
        return ""

    cleaned = _UNIT_PAREN.sub(paren, text)

    def lead_paren(m: re.Match[str]) -> str:
        add(split_units(m.group(1)), LEAD)
        if m.group(2):
            add(split_units(m.group(2)), SUPPORT)
        return ""

    # Only at the end of the item: "龙头企业牵头、高校院所支撑" in prose is not an assignment.
    tail = _LEAD_PAREN.search(cleaned[-80:]) if not found else None
    if tail and cleaned.rstrip("。 \n").endswith(tail.group(0)):
        cleaned = (
            cleaned[: len(cleaned) - 80 + tail.start()]
            if len(cleaned) > 80
            else cleaned[: tail.start()]
        )
        lead_paren(tail)

    def line(m: re.Match[str]) -> str:
        labelled(m.group(1))
        return "\n"

    cleaned = _UNIT_LINE.sub(line, cleaned)
    if not found and not defaults:
        nm = _DEFAULT_NOTE.search(cleaned)
        if nm and "不再" in cleaned[nm.end() : nm.end() + 12]:
            defaults.extend(split_units(nm.group(1)))
    cleaned = re.sub(r"\n{2,}", "\n", cleaned).strip()
    return _Units(tuple(found), tuple(dict.fromkeys(defaults)), cleaned)


def make_title(text: str) -> str:
    """The item's title: its first sentence, cut at a natural boundary when too long."""
    first = re.split(r"[。!?\n]", text.strip(), maxsplit=1)[0].strip()
    if len(first) <= _TITLE_MAX:
        return first
    for sep in (";", ":", ","):
        cut = first.split(sep, 1)[0]
        if 4 <= len(cut) <= _TITLE_MAX:
            return cut
    return first[:_TITLE_MAX]


def _make_plan(
    *,
    title: str,
    year: int,
    document_date: date | None,
    nodes: list[_Node],
    root: _Node,
    first_is_lead: bool,
) -> Plan:
    items: list[Item] = []
    default_units: tuple[str, ...] = ()
    for seq, node in enumerate(nodes, start=1):
        extracted = _extract_units(node.full_text, first_is_lead)
        units = list(extracted.units)
        for name in default_units:
            if all(u.name != name for u in units):
                units.append(UnitRef(name, SUPPORT))
        text = extracted.text
        deadline, deadline_text, milestones = item_deadline(text, year, document_date)
        items.append(
            Item(
                seq=seq,
                number=node.label,
                path=_path(node),
                kind=_kind(node),
                title=make_title(text),
                text=text,
                units=tuple(units),
                deadline=deadline,
                deadline_text=deadline_text,
                milestones=milestones,
                targets=tuple(find_targets(text)),
            )
        )
        if extracted.default_note:
            default_units = extracted.default_note
    return Plan(
        title=title,
        year=year,
        items=tuple(items),
        sections=tuple(_sections(root)),
        default_units=default_units,
        warnings=_warnings(items),
    )


def _warnings(items: list[Item]) -> tuple[str, ...]:
    without = [i.seq for i in items if not i.units]
    if without and len(without) < len(items):
        return (f"{len(without)} items name no unit: {', '.join(map(str, without))}",)
    return ()


# ---------------------------------------------------------------------------- tables

_COLUMNS: dict[str, re.Pattern[str]] = {
    "number": re.compile(r"^(?:序号|编号|序|No\.?)$", re.I),
    "section": re.compile(r"^(?:类别|分类|板块|领域|专项|重点领域|工作类别|项目类别)$"),
    "task": re.compile(
        r"(?:工作任务|重点任务|主要任务|具体任务|任务内容|工作内容|工作事项|任务名称|目标任务|^任务$|^工作$|^事项$)"
    ),
    "lead": re.compile(
        r"(?:牵头单位|责任单位|负责单位|责任部门|牵头部门|主责单位|责任处室|牵头处室)"
    ),
    "support": re.compile(r"(?:配合单位|协办单位|参与单位|配合部门|协同单位)"),
    "deadline": re.compile(
        r"(?:完成时限|时间节点|完成时间|时限|进度安排|时间要求|完成期限|截止时间)"
    ),
    "targets": re.compile(r"(?:量化指标|指标|目标值)"),
}


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The header row of a plan table (within the first rows) and where each column is."""
    for r, row in enumerate(rows[:15]):
        cols: dict[str, int] = {}
        for c, cell in enumerate(row):
            name = re.sub(r"\s+", "", cell or "")
            for key, pattern in _COLUMNS.items():
                if key not in cols and pattern.search(name):
                    cols[key] = c
                    break
        if "task" in cols and ("lead" in cols or "number" in cols or "deadline" in cols):
            return r, cols
    return None


def parse_rows(
    rows: Sequence[Sequence[str]],
    *,
    title: str,
    year: int | None,
    document_date: date | None = None,
) -> Plan:
    """Parse a plan table (a ledger 台账): one row per item, columns named in a header row."""
    rows = [[normalize(str(c)).strip() if c is not None else "" for c in row] for row in rows]
    found = find_header(rows)
    if found is None:
        raise PlanFormatError(
            "no plan table found: expected a header row with 工作任务 and 牵头单位/责任单位/完成时限"
        )
    header_at, cols = found
    above = [c for row in rows[:header_at] for c in row if c]
    if not title and above:
        title = above[0]
    year = year or plan_year(title) or plan_year(" ".join(above))
    if year is None:
        for row in rows[header_at + 1 :]:
            if "deadline" in cols and cols["deadline"] < len(row):
                year = plan_year(row[cols["deadline"]])
                if year:
                    break
    if year is None:
        raise PlanFormatError("no plan year found in the title or the table; pass --year")

    def cell(row: Sequence[str], key: str) -> str:
        c = cols.get(key)
        return row[c].strip() if c is not None and c < len(row) and row[c] else ""

    items: list[Item] = []
    sections: list[Section] = []
    section: tuple[str, ...] = ()
    last_section_cell = ""
    for row in rows[header_at + 1 :]:
        task = cell(row, "task")
        filled = [c for c in row if c]
        if not task:
            # A row with one cell of text spanning the table is a section heading ("一、…").
            if len(filled) == 1 and not filled[0].isdigit():
                section = (filled[0],)
                sections.append(Section(number=filled[0], title=filled[0], path=section))
            continue
        sec = cell(row, "section")
        if sec and sec != last_section_cell:
            last_section_cell = sec
            section = (sec,)
            sections.append(Section(number=sec, title=sec, path=section))
        number = cell(row, "number")
        if number.endswith(".0") and number[:-2].isdigit():
            number = number[:-2]  # Excel stores 序号 1 as 1.0
        units = [UnitRef(n, LEAD) for n in split_units(cell(row, "lead"))]
        units += [
            UnitRef(n, SUPPORT)
            for n in split_units(cell(row, "support"))
            if all(u.name != n for u in units)
        ]
        extracted = _extract_units(task, False)
        for u in extracted.units:
            if all(x.name != u.name for x in units):
                units.append(u)
        text = extracted.text
        when = cell(row, "deadline")
        deadline, deadline_text, milestones = item_deadline(when or text, year, document_date)
        # A 完成时限 cell that is only a date ("2023年12月31日") is the deadline, not a step.
        milestones = tuple(m for m in milestones if not _DATE_ONLY.fullmatch(m.text))
        if when and not deadline_text:
            deadline_text = when
        target_text = cell(row, "targets")
        targets = find_targets(target_text) if target_text else []
        targets += [t for t in find_targets(text) if t not in targets]
        items.append(
            Item(
                seq=len(items) + 1,
                number=number or str(len(items) + 1),
                path=(*section, number) if number else section,
                kind="task",
                title=make_title(text),
                text=text,
                units=tuple(units),
                deadline=deadline,
                deadline_text=deadline_text,
                milestones=milestones,
                targets=tuple(targets),
            )
        )
    if not items:
        raise PlanFormatError("the plan table has a header but no task rows")
    return Plan(
        title=title,
        year=year,
        items=tuple(items),
        sections=tuple(sections),
        warnings=_warnings(items),
    )


def _text_table(lines: Sequence[str]) -> list[list[str]] | None:
    """A table pasted as text: pipe- or tab-delimited rows under a 序号 | 工作任务 | … header."""
    for sep in ("|", "\t"):
        rows = [
            [c.strip() for c in line.strip().strip(sep).split(sep)] for line in lines if sep in line
        ]
        if len(rows) >= 2 and find_header(rows) is not None:
            return rows
    # one cell per line is not a table; whitespace-separated columns are ambiguous in Chinese
    return None

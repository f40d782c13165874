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

from plans.documents.assignments import notice_rules
from plans.documents.columns import find_header
from plans.documents.items import (
    Context,
    PlanFormatError,
    build_item,
    make_title,
    read_item_text,
    warnings,
)
from plans.documents.items import with_defaults as _with_defaults
from plans.documents.tables import parse_rows
from plans.documents.text_tables import text_table
from plans.model import LEAD, Item, ItemKind, Plan, Section, UnitRef
from plans.numerals import cn_to_number
from plans.text import Body, extract_body, normalize

__all__ = ["PlanFormatError", "find_header", "make_title", "parse_rows", "parse_text"]

_CN = "一二三四五六七八九十百零〇"
# (rank, pattern). The label is group 1, the rest of the line group 2.
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN}]{{1,7}}、)\s*(.*)$")),
    (1, re.compile(rf"^(第[{_CN}]{{1,7}}(?:部分|章))\s*(.*)$")),
    (2, re.compile(rf"^(\([{_CN}]{{1,7}}\))\s*(.*)$")),
    (3, re.compile(r"^(\d{1,4}(?:\.(?!\d)|、))\s*(.*)$")),
    (3, re.compile(rf"^(第[{_CN}]{{1,7}}[项件])[,:、\s]*(.*)$")),
    (5, re.compile(r"^(\(\d{1,4}\))\s*(.*)$")),
    (6, re.compile(r"^([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])\s*(.*)$")),
)
# "1.1招引亿元项目15个" under item 1: a sub-item (rank 4), when its first number is the item's
# ("8.5G基站" after item 7 is item 8, below; "2.5亿元" is an amount).
_DECIMAL_RANK = 4
_DECIMAL = re.compile(r"^(\d{1,3})\.(\d{1,2})(?:\.(?!\d)|、)?\s*(?![\d%万亿千百元倍个])(.+)$")
# "8.5G基站建设…" after item 7: a number, a dot and a digit is item 8 when 8 comes next.
_NUMBER_BEFORE_DIGIT = re.compile(r"^(\d{1,4})\.(\d.*)$")
_PSEUDO_RANK = 0
_PSEUDO = re.compile(r"^([\u4e00-\u9fff、]{2,12})[::]?$")
_PSEUDO_WORDS = re.compile(r"目标|任务|措施|举措|重点|指标|要求|保障|工作")
_INDICATOR_HEADING = re.compile(
    r"主要目标|预期目标|主要指标|目标指标|发展目标|工作目标|主要预期|约束性指标"
)
# Sections of a notice that say how the work is divided, not what the work is.
_NOTICE_SECTION = re.compile(
    r"^(?:分工原则|总体要求|指导思想|基本原则|工作原则|主要原则|分工安排原则)"
)
# Labels that may follow one another inside a line: (一)…(二)…, 1.…2.…, (1)…(2)…
_INLINE: tuple[re.Pattern[str], ...] = (
    re.compile(rf"\(([{_CN}]{{1,3}})\)"),
    re.compile(r"(?<![\d.])(\d{1,4})(?:\.(?![\d%])|、)"),
    re.compile(r"\((\d{1,4})\)"),
)
_INLINE_BOUNDARY = re.compile(r"[。;;!?:]\s*$|\s$")
# "这十件实事是:A;B;C" — things announced with a colon and listed with semicolons.
_ANNOUNCED_LIST = re.compile(r"(?:分别是|分别为|如下|是|为|包括)[::]")
_UNIT_NOTE = re.compile(r"[(\[【][^()\[\]【】]*(?:牵头|负责|单位|部门)[^()\[\]【】]*[)\]】]\s*。?$")


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
    ctx, notes = _context(normalize(text), body, year)
    title = body.title or source_name
    table = text_table(body.lines)
    if table is not None:
        return parse_rows(table, title=title, year=ctx.year, ctx=ctx, notes=notes)
    root = _build_tree(_split_inline(body.lines))
    skipped = list(body.skipped)
    nodes = _leaf_items(root, skipped)
    if not nodes:
        nodes = _announced_list(body.lines)
    if not nodes:
        raise PlanFormatError(
            "no numbered items found: expected lines such as '一、', '(一)', '1.' "
            "or a table with a 工作任务 column"
        )
    return _make_plan(title, ctx, nodes, root, notes, skipped)


def _context(text: str, body: Body, year: int | None) -> tuple[Context, list[str]]:
    """The plan year (and where it came from), the horizon and the notice's unit rules."""
    notes: list[str] = []
    chosen = year or body.year
    if chosen is None:
        chosen = date.today().year
        notes.append(
            f"no year in the document: assumed {chosen}, the current year (--year sets it)"
        )
    elif year is None and body.year_source in ("document date", "document number"):
        notes.append(f"plan year {chosen} taken from the {body.year_source} (--year sets it)")
    if body.horizon is not None:
        notes.append(
            f"a five-year plan: items without a date of their own are due by the end of {body.horizon}"
        )
    rules = notice_rules(text)
    ctx = Context(
        year=chosen,
        document_date=body.document_date,
        horizon=body.horizon,
        first_is_lead=rules.first_is_lead,
        all_support=rules.all_support,
    )
    return ctx, notes


# ---------------------------------------------------------------------------- the hierarchy


def _classify(line: str) -> tuple[int, str, str] | None:
    for rank, pattern in _MARKERS:
        m = pattern.match(line)
        if m and m.group(2):
            return rank, m.group(1), m.group(2)
    return None


def _split_inline(lines: Sequence[str]) -> list[str]:
    """Put labels that continue a line's numbering inside the line on lines of their own.

    "(一)…。(二)…。(三)…" is three items; so is "这十件实事是:1.…。2.…". A label counts when it
    follows a sentence end (or a space) and is the next number after the line's own label (or
    is the first number, after a colon).
    """
    out: list[str] = []
    for line in lines:
        out.extend(_split_line(line))
    return out


def _split_line(line: str) -> list[str]:
    for pattern in _INLINE:
        own = pattern.match(line)
        expected = (_ordinal(own.group(1)) or 0) + 1 if own else 1
        cuts: list[int] = []
        for m in pattern.finditer(line):
            if m.start() == 0:
                continue
            value = _ordinal(m.group(1))
            before = line[: m.start()]
            if value != expected or not _INLINE_BOUNDARY.search(before):
                continue
            if not line[m.end() : m.end() + 1].strip():
                continue
            cuts.append(m.start())
            expected += 1
        # a first "1." after a full stop needs a "2." after it: "…。 1.…。 2.…"
        if cuts and (len(cuts) >= 2 or re.search(r"[::]\s*$", line[: cuts[0]]) or own):
            parts = [line[a:b].strip() for a, b in zip([0, *cuts], [*cuts, len(line)], strict=True)]
            return [p for p in parts if p]
    return [line]


def _ordinal(label: str) -> int | None:
    value = cn_to_number(label)
    return int(value) if value is not None and value.is_integer() else None


def _build_tree(lines: Sequence[str]) -> _Node:
    root = _Node(rank=-1, label="", head="")
    stack = [root]
    last_number = 0  # the last "N." seen, for "8.5G…" (item 8) after item 7
    for line in lines:
        marked = _classify(line)
        m = _NUMBER_BEFORE_DIGIT.match(line)
        if marked is None and m and int(m.group(1)) == last_number + 1:
            marked = (3, m.group(1) + ".", m.group(2))
        dm = _DECIMAL.match(line) if marked is None and last_number else None
        if dm and int(dm.group(1)) == last_number:
            marked = (_DECIMAL_RANK, f"{dm.group(1)}.{dm.group(2)}", dm.group(3))
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
        if rank == 3 and label[:-1].isdigit():
            last_number = int(label[:-1])
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
    return "。" not in node.head and len(node.head) <= 40 and not _UNIT_NOTE.search(node.head)


def _leaf_items(root: _Node, skipped: list[str]) -> list[_Node]:
    """The nodes that are items, in document order."""
    heading_ranks: set[int] = set()
    leaves: list[_Node] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            if child.rank == 1 and _NOTICE_SECTION.match(child.head):
                skipped.append(f"{child.label}{child.head}")
                continue
            if child.children:
                # an item over its 1.1, 1.2 is their heading; its siblings remain items
                if not child.is_pseudo and any(c.rank != _DECIMAL_RANK for c in child.children):
                    heading_ranks.add(child.rank)
                walk(child)
            elif not child.is_pseudo:
                leaves.append(child)
            else:
                leaves.extend(_unnumbered(child))

    walk(root)
    out: list[_Node] = []
    for n in leaves:
        lines = _unnumbered(n)  # a heading over one-line items that carry their own units
        if lines or (n.label and n.rank in heading_ranks and _looks_like_heading(n) and n.body):
            out.extend(lines)
            if not lines:  # a section of prose ("五、保障措施"): shown in the import review
                first = n.body[0]
                skipped.append(
                    f"{n.label}{n.head}: {first if len(first) <= 20 else first[:20] + '…'}"
                )
        elif n.label and not n.body and _looks_like_heading(n) and n.rank in heading_ranks:
            skipped.append(f"{n.label}{n.head}")  # a heading with nothing under it
        else:
            out.append(n)
    return out


def _unnumbered(node: _Node) -> list[_Node]:
    """A heading's unnumbered lines are items when most of them name their own units."""
    lines = node.body
    if not lines or not _looks_like_heading(node):
        return []
    noted = sum(1 for line in lines if _UNIT_NOTE.search(line))
    if noted == 0 or noted * 2 < len(lines):
        return []
    return [
        _Node(rank=node.rank + 1, label="", head=line, parent=node)
        for line in lines
        if len(line) > 4
    ]


def _announced_list(lines: Sequence[str]) -> list[_Node]:
    """Items listed in one sentence: "这十件实事分别是:A;B;C。" (three or more)."""
    for line in lines:
        m = _ANNOUNCED_LIST.search(line)
        if m is None:
            continue
        parts = [p.strip(" 。") for p in re.split(r"[;;]", line[m.end() :])]
        parts = [p for p in parts if len(p) >= 4]
        if len(parts) >= 3:
            root = _Node(rank=-1, label="", head="")
            return [
                _Node(rank=3, label=f"{k}", head=p, parent=root) for k, p in enumerate(parts, 1)
            ]
    return []


def _path(node: _Node) -> tuple[str, ...]:
    labels: list[str] = []
    cur: _Node | None = node
    while cur is not None and cur.rank >= 0:
        if not cur.is_pseudo and cur.label:
            labels.append(cur.label)
        cur = cur.parent
    return tuple(reversed(labels))


def _kind(node: _Node) -> ItemKind:
    cur = node.parent
    while cur is not None and cur.rank >= 0:
        if _INDICATOR_HEADING.search(cur.head[:16]):
            return "indicator"
        cur = cur.parent
    return "task"


def _sections(root: _Node, ctx: Context) -> list[Section]:
    out: list[Section] = []

    def walk(node: _Node) -> None:
        for child in node.children:
            if child.children:
                label = child.label or child.head
                # "(一)外贸提质。(责任单位:外贸科)": the title without the units it names
                title = read_item_text(child.head, ctx).text.rstrip("。.;; ") or child.head
                out.append(Section(number=label, title=title, path=_path(child) or (label,)))
                walk(child)

    walk(root)
    return out


def _under_heading(
    node: _Node, units: Sequence[UnitRef], ctx: Context, read: dict[int, tuple[UnitRef, ...]]
) -> tuple[UnitRef, ...]:
    """An item's units: its own, or, when it names no lead, those of the nearest heading above
    it that names units ("(一)外贸提质。(责任单位:外贸科)" over "1.新增外贸企业30家。"), with the
    item's own support units after them. `read` keeps the headings' units already read."""
    if any(u.role == LEAD for u in units):
        return tuple(units)
    parent = node.parent
    while parent is not None and parent.rank >= 0:
        key = id(parent)
        if key not in read:  # each heading read once, however many items it has
            read[key] = read_item_text(parent.full_text, ctx).units
        named = read[key]
        if named:
            own = [u for u in units if all(u.name != h.name for h in named)]
            return (*named, *own)
        parent = parent.parent
    return tuple(units)


def _number(node: _Node) -> str:
    if node.label:
        return node.label
    siblings = [c for c in (node.parent.children if node.parent else []) if not c.label]
    k = next((i for i, c in enumerate(siblings, 1) if c is node), 0)
    return f"{k}" if k else ""


def _make_plan(
    title: str,
    ctx: Context,
    nodes: list[_Node],
    root: _Node,
    notes: list[str],
    skipped: list[str],
) -> Plan:
    items: list[Item] = []
    defaults: tuple[str, ...] = ctx.all_support
    headings: dict[int, tuple[UnitRef, ...]] = {}
    for seq, node in enumerate(nodes, start=1):
        note = read_item_text(node.full_text, ctx)
        units = _under_heading(node, note.units, ctx, headings)
        note_units, text = note.default_note, note.text
        items.append(
            build_item(
                ctx,
                seq=seq,
                number=_number(node) or str(seq),
                path=_path(node) or (str(seq),),
                kind=_kind(node),
                text=text,
                units=_with_defaults(list(units), defaults),
                when=note.when,
            )
        )
        if note_units:
            defaults = tuple(dict.fromkeys((*ctx.all_support, *note_units)))
    return Plan(
        title=title,
        year=ctx.year,
        items=tuple(items),
        sections=tuple(_sections(root, ctx)),
        default_units=defaults,
        warnings=warnings(items, notes),
        skipped=tuple(skipped),
    )

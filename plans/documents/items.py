"""What every reader of a plan (numbered text or table) does the same way once it has an item's
text: its title, its units, deadline, milestones and targets, and the import's warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from plans.deadlines import item_deadline, year_end
from plans.documents.assignments import Assignment, extract_units
from plans.model import SUPPORT, Item, ItemKind, Milestone, Target, UnitRef
from plans.targets import find_targets

_TITLE_MAX = 60


class PlanFormatError(ValueError):
    """The document is not a plan we can read; the message says why, for the user."""


@dataclass(frozen=True)
class Context:
    """What the whole document says that applies to each item."""

    year: int
    document_date: date | None = None
    horizon: int | None = None  # the last year of a multi-year plan: items are due by its end
    first_is_lead: bool = False
    all_support: tuple[str, ...] = ()  # support units of every item ("除特别注明的外…")

    @property
    def default_deadline(self) -> date | None:
        return date(self.horizon, 12, 31) if self.horizon else None


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


def with_defaults(units: list[UnitRef], defaults: tuple[str, ...]) -> tuple[UnitRef, ...]:
    """The item's own units, then the document's default support units it does not name."""
    out = list(units)
    for name in defaults:
        if all(u.name != name for u in out):
            out.append(UnitRef(name, SUPPORT))
    return tuple(out)


def build_item(
    ctx: Context,
    *,
    seq: int,
    number: str,
    path: tuple[str, ...],
    kind: ItemKind,
    text: str,
    units: tuple[UnitRef, ...],
    title: str = "",
    when: str = "",
    targets: list[Target] | None = None,
    target_text: str | None = None,
) -> Item:
    """An item from its (annotation-free) text; `when` is a separate 完成时限 cell if any;
    `target_text` the part of the text that states targets (all of it unless given)."""
    deadline, deadline_text, milestones = item_deadline(
        text, ctx.year, ctx.document_date, default=ctx.default_deadline
    )
    if when:
        # a 完成时限 cell says when the item is due; the text may still hold dated steps
        cell = item_deadline(when, ctx.year, ctx.document_date, default=ctx.default_deadline)
        if cell.text or cell.date is None:
            steps = [m for m in cell.milestones if m not in milestones]
            deadline, deadline_text, milestones = cell.date, cell.text, (*milestones, *steps)
    found = list(targets or [])
    found += [
        t for t in find_targets(text if target_text is None else target_text) if t not in found
    ]
    if not when and deadline is not None and deadline_text:
        step = _part_by(text, deadline_text, found)
        if step is not None:  # "10个,6月底前完成5个": a step; the whole is due at year end
            if all(m.date != deadline for m in milestones):
                milestones = (*milestones, Milestone(deadline, step))
            deadline, deadline_text = ctx.default_deadline or year_end(ctx.year), ""
    return Item(
        seq=seq,
        number=number,
        path=path,
        kind=kind,
        title=title or make_title(text),
        text=text,
        units=units,
        deadline=deadline,
        deadline_text=deadline_text,
        milestones=tuple(milestones),
        targets=tuple(found),
    )


_PART_AFTER = re.compile(
    r"\s*(?:之?前|以前|底前)?\s*(?:要|需|须|应)?\s*(?:完成|实现|达到|新增|引进|建成|开工|落地)\s*"
    r"(\d+(?:\.\d+)?)\s*([^\d\s,,。;;、]{1,3})"
)


def _part_by(text: str, phrase: str, targets: list[Target]) -> str | None:
    """The step, as the plan writes it, when the item's latest date (`phrase`) is when only part
    of its quantity is due ("引进项目10个,6月底前完成5个": 5 of the 10 by June); else None."""
    if text.count(phrase) != 1:
        return None
    at = text.index(phrase) + len(phrase)
    m = _PART_AFTER.match(text, at)
    if m is None:
        return None
    part, measure = float(m.group(1)), m.group(2)
    whole = [t for t in targets if t.measure and measure.startswith(t.measure) and t.value > part]
    return f"{phrase}{text[at : m.end()]}".strip() if whole else None


def read_item_text(text: str, ctx: Context) -> Assignment:
    """Units named in an item's text, the default units a note there sets, a 完成时限 field
    written beside them, and the bare text."""
    return extract_units(text, ctx.first_is_lead, ctx.year)


def warnings(items: list[Item] | tuple[Item, ...], notes: list[str]) -> tuple[str, ...]:
    """One line for each thing the coordinator should check before inviting anyone."""
    out = list(notes)
    without = [i.seq for i in items if not i.units]
    if without and len(without) < len(items):
        out.append(f"{len(without)} items name no unit: {', '.join(map(str, without))}")
    return tuple(out)

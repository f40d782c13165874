"""Domain objects of a work plan (工作要点): plans, items, units, targets and milestones.

Frozen dataclasses, no I/O. The JSON shape of `duban parse --json` (DESIGN.md) is produced by
`Plan.to_json()`; nothing else defines it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Role = Literal["lead", "support"]
ItemKind = Literal["task", "indicator"]
# "≥" at least (以上/超/突破/不少于/达 — a plan's target is a floor), ">" strictly more (高于/多于),
# "≤" at most (以内/不超过), "≈" about (左右/约), "range" low..upper (1-2家).
TargetOp = Literal["≥", ">", "≤", "≈", "range"]

LEAD: Role = "lead"
SUPPORT: Role = "support"


@dataclass(frozen=True)
class UnitRef:
    """A responsible unit as named on one item, with its role there."""

    name: str
    role: Role = LEAD


@dataclass(frozen=True)
class Target:
    """A quantitative target: the value and measure word exactly as the plan writes them."""

    text: str
    value: float
    measure: str
    op: TargetOp = "≥"
    upper: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": _num(self.value),
            "upper": None if self.upper is None else _num(self.upper),
            "measure": self.measure,
            "op": self.op,
        }


@dataclass(frozen=True)
class Milestone:
    """A dated step inside an item ("10月竣工投用"), with the phrase it came from."""

    date: date
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "text": self.text}


@dataclass(frozen=True)
class Section:
    """A heading that groups items ("二、实施创新主体“智能”计划", "(一)实施科技体制改革攻坚行动")."""

    number: str
    title: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    """One task or indicator of the plan, the unit of follow-up."""

    seq: int
    number: str
    path: tuple[str, ...]
    kind: ItemKind
    title: str
    text: str
    units: tuple[UnitRef, ...] = ()
    deadline: date | None = None
    deadline_text: str = ""
    milestones: tuple[Milestone, ...] = ()
    targets: tuple[Target, ...] = ()

    @property
    def lead_units(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units if u.role == LEAD)

    @property
    def support_units(self) -> tuple[str, ...]:
        return tuple(u.name for u in self.units if u.role == SUPPORT)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "number": self.number,
            "path": list(self.path),
            "kind": self.kind,
            "title": self.title,
            "text": self.text,
            "units": [{"name": u.name, "role": u.role} for u in self.units],
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "milestones": [m.to_json() for m in self.milestones],
            "targets": [t.to_json() for t in self.targets],
        }


@dataclass(frozen=True)
class Plan:
    """A parsed plan document: title, plan year, sections and items in document order."""

    title: str
    year: int
    items: tuple[Item, ...]
    sections: tuple[Section, ...] = ()
    default_units: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # Parts of the document read but not taken as items (cover notice sections such as 分工原则,
    # an attachment list), each as "what: first words", for the import review.
    skipped: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "year": self.year,
            "default_units": list(self.default_units),
            "items": [i.to_json() for i in self.items],
        }


def _num(v: float) -> int | float:
    """Print 600.0 as 600 but keep 8.3 as 8.3."""
    return int(v) if float(v).is_integer() else v


# ---------------------------------------------------------------------------- follow-up

Status = Literal["not_started", "in_progress", "done", "blocked"]
# 销号: a unit's "done" waits for a coordinator's check (pending), who closes the item for that
# unit (signed) or sends it back with a reason (returned: the item is in progress again).
Signoff = Literal["pending", "signed", "returned"]
PersonRole = Literal["admin", "coordinator", "leader", "contact"]


@dataclass(frozen=True)
class Contact:
    """Someone (or a group chat) the bot talks to, with the role and unit they joined as."""

    id: int
    role: PersonRole
    chat_id: int
    user_id: int | None
    display_name: str
    unit_id: int | None = None
    unit_name: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Evidence:
    """A photo or document sent with a report, kept by its Telegram file id."""

    kind: Literal["photo", "document"]
    file_id: str
    file_unique_id: str = ""
    file_name: str = ""
    mime_type: str = ""
    file_size: int | None = None


@dataclass(frozen=True)
class Report:
    """A unit's progress on an item (进展反馈), as the contact wrote it and as duban read it."""

    id: int
    item_id: int
    unit_id: int
    status: Status
    percent: float | None
    text: str
    created_at: datetime
    expected_date: date | None = None
    value: float | None = None
    measure: str | None = None
    source: str = "command"
    reporter_name: str = ""
    unit_name: str = ""
    evidence: tuple[Evidence, ...] = ()
    signoff: Signoff | None = None  # set on a "done" while 销号 is on
    signoff_note: str = ""  # the coordinator's reason for sending it back


@dataclass(frozen=True)
class Extension:
    """A unit's request for more time on an item (延期申请), and what the coordinator decided."""

    id: int
    item_id: int
    unit_id: int
    unit_name: str
    old_deadline: date | None
    new_deadline: date
    phrase: str  # as the contact wrote the new date ("3月底")
    reason: str
    state: Literal["pending", "granted", "refused"]
    created_at: datetime
    requester_name: str = ""
    decided_at: datetime | None = None

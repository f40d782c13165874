"""Where the plan stands at a moment: each item's status, percent and light, and the totals.

A Snapshot is built from the stored items and reports (the caller loads them) and `today`;
every view — /status, the ledger, the weekly digest — reads the same Snapshot, so they never
disagree about an item.

An item's status is what its lead unit(s) said last; support units' reports count only when no
lead unit has reported (a support unit finishing its part does not finish the item).

销号: a "done" that a coordinator sent back (退回) is in progress again; one still waiting is done
and awaits 销号 (`ItemState.signoff`). 延期: an item is due when its responsible units are due;
a unit granted an extension is due on the new date (`ItemState.deadline`, with the plan's date
kept in `original_deadline`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from plans.followup.lights import Light, light
from plans.model import Extension, Item, Report, Signoff, Status, Target


@dataclass(frozen=True)
class ItemRecord:
    """A stored item as the status views need it: ids, the plan's year, the item itself."""

    item_id: int
    plan_id: int
    ref: str  # "4", or "2-15" when several plans are active
    item: Item
    plan_start: date  # start of the item's span: Jan 1 of the plan year
    extensions: tuple[Extension, ...] = ()  # granted ones, oldest first

    def unit_deadline(self, unit_name: str) -> date | None:
        """The unit's deadline for the item: the latest extension granted to it, else the plan's."""
        if self.item.deadline is None:
            return None
        moved = [e.new_deadline for e in self.extensions if e.unit_name == unit_name]
        return moved[-1] if moved else self.item.deadline

    def deadline(self) -> date | None:
        """When the item is due: the earliest of its lead units' deadlines (all units' when none
        leads); the plan's date when no unit was granted more time."""
        names = list(self.item.lead_units) or [u.name for u in self.item.units]
        dates = [d for d in (self.unit_deadline(n) for n in names) if d is not None]
        return min(dates) if dates else self.item.deadline


@dataclass(frozen=True)
class TargetProgress:
    """A target with the value last reported against it (same measure word), if any."""

    target: Target
    reported: float | None

    @property
    def reached(self) -> bool:
        if self.reported is None:
            return False
        goal = (
            self.target.upper
            if self.target.op == "range" and self.target.upper
            else self.target.value
        )
        if self.target.op == "≤":
            return self.reported <= goal
        return self.reported >= goal


@dataclass(frozen=True)
class ItemState:
    """One item on `today`: what it is, what was reported, and its light."""

    record: ItemRecord
    status: Status | None  # None: no report yet
    percent: float | None
    light: Light
    last: Report | None  # the report the status comes from
    reports: tuple[Report, ...]  # every current report on the item, oldest first
    targets: tuple[TargetProgress, ...]
    next_due: date | None  # the next milestone or the deadline, on or after today
    deadline: date | None  # the item's deadline; None for ongoing work (持续推进)
    original_deadline: date | None = None  # the plan's date, when an extension moved it
    signoff: Signoff | None = None  # of the report the status comes from

    @property
    def item(self) -> Item:
        return self.record.item

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def overdue(self) -> bool:
        return not self.done and self.deadline is not None and self.next_due is None

    @property
    def progress(self) -> float:
        """Percent for averages: done is 100, no report is 0."""
        if self.done:
            return 100.0
        return self.percent or 0.0


@dataclass(frozen=True)
class Snapshot:
    """Every item's state on one day, in plan order."""

    today: date
    items: tuple[ItemState, ...]
    unit_reports: Mapping[str, date] = field(default_factory=dict)  # unit → its latest report day
    cycle_days: int = 31  # the reporting cycle: silent longer than this is stale (yellow, /stale)

    def by_light(self) -> dict[Light, int]:
        counts: dict[Light, int] = {"green": 0, "yellow": 0, "red": 0}
        for s in self.items:
            counts[s.light] += 1
        return counts

    def by_status(self) -> dict[str, int]:
        counts = {"not_started": 0, "in_progress": 0, "done": 0, "blocked": 0}
        for s in self.items:
            counts[s.status or "not_started"] += 1
        return counts

    def mean_progress(self) -> float:
        return sum(s.progress for s in self.items) / len(self.items) if self.items else 0.0

    def targets_reached(self) -> tuple[int, int]:
        """(targets reached, targets in all)."""
        all_targets = [t for s in self.items for t in s.targets]
        return sum(1 for t in all_targets if t.reached), len(all_targets)

    def units(self) -> list[str]:
        """Every unit responsible for an item, in order of first appearance."""
        return list(dict.fromkeys(u.name for s in self.items for u in s.item.units))

    def silent_units(self, since: date) -> list[str]:
        """Units with open items and no report on or after `since` (the current cycle)."""
        open_units = dict.fromkeys(u.name for s in self.items if not s.done for u in s.item.units)
        return [u for u in open_units if (self.unit_reports.get(u) or date.min) < since]


def build_snapshot(
    records: Iterable[ItemRecord],
    reports: Iterable[Report],
    *,
    today: date,
    tz: ZoneInfo,
    until: datetime | None = None,
    cycle_days: int = 31,
) -> Snapshot:
    """The state of every item on `today`, from its reports made up to `until` (default: end
    of `today` in `tz`) — so last week's snapshot is built from the same data as today's.
    `cycle_days` is the reporting cycle's length (NudgePolicy.cycle_days): an item silent for
    longer is yellow."""
    cutoff = until or datetime.combine(today, time.max, tzinfo=tz)
    per_item: dict[int, list[Report]] = {}
    unit_reports: dict[str, date] = {}
    for r in reports:
        if r.created_at > cutoff:
            continue
        per_item.setdefault(r.item_id, []).append(r)
        day = r.created_at.astimezone(tz).date()
        if r.unit_name and day > unit_reports.get(r.unit_name, date.min):
            unit_reports[r.unit_name] = day
    states = [
        item_state(
            rec,
            sorted(per_item.get(rec.item_id, ()), key=lambda r: (r.created_at, r.id)),
            today,
            tz,
            cycle_days,
        )
        for rec in records
    ]
    return Snapshot(
        today=today, items=tuple(states), unit_reports=unit_reports, cycle_days=cycle_days
    )


def item_state(
    record: ItemRecord,
    reports: Sequence[Report],
    today: date,
    tz: ZoneInfo,
    cycle_days: int = 31,
) -> ItemState:
    """One item's state from its reports (oldest first)."""
    item = record.item
    leads = {u.name for u in item.units if u.role == "lead"}
    lead_reports = [r for r in reports if r.unit_name in leads]
    chosen = lead_reports or list(reports)
    last = chosen[-1] if chosen else None
    status = last.status if last else None
    percent = last.percent if last else None
    signoff = last.signoff if last else None
    if status == "done" and signoff == "returned":  # sent back: in progress again
        status, percent = "in_progress", None
    deadline = record.deadline()
    colour = light(
        status=status,
        percent=percent,
        start=record.plan_start,
        deadline=deadline,
        today=today,
        last_report_on=reports[-1].created_at.astimezone(tz).date() if reports else None,
        cycle_days=cycle_days,
    )
    dates = [*(m.date for m in item.milestones), *([deadline] if deadline else [])]
    upcoming = sorted(d for d in dates if d >= today)
    return ItemState(
        record=record,
        status=status,
        percent=percent,
        light=colour,
        last=last,
        reports=tuple(reports),
        targets=tuple(_target_progress(t, reports) for t in item.targets),
        next_due=upcoming[0] if upcoming else None,
        deadline=deadline,
        original_deadline=item.deadline if deadline != item.deadline else None,
        signoff=signoff,
    )


def _target_progress(target: Target, reports: Sequence[Report]) -> TargetProgress:
    """The latest value reported in the target's own measure word (家 for 家, 亿元 for 亿元)."""
    for r in reversed(reports):
        if r.value is not None and r.measure == target.measure:
            return TargetProgress(target, r.value)
    if reports and reports[-1].status == "done":
        return TargetProgress(target, target.upper or target.value)
    return TargetProgress(target, None)


def update_snapshot(
    snap: Snapshot,
    records: Mapping[int, ItemRecord],
    reports: Mapping[int, Sequence[Report]],
    changed: Iterable[int],
    *,
    unit_reports: Mapping[str, date],
    tz: ZoneInfo,
    until: datetime | None = None,
) -> Snapshot:
    """`snap` with the items in `changed` rebuilt from their reports (oldest first), as
    build_snapshot would, without touching the others: one new report costs one item.
    `unit_reports` is each unit's latest report day up to the snapshot's cutoff (the caller
    keeps it, since a report superseded elsewhere can move it back)."""
    cutoff = until or datetime.combine(snap.today, time.max, tzinfo=tz)
    changed = set(changed)
    states = list(snap.items)
    for k, state in enumerate(states):
        item_id = state.record.item_id
        if item_id in changed and item_id in records:
            kept = [r for r in reports.get(item_id, ()) if r.created_at <= cutoff]
            states[k] = item_state(records[item_id], kept, snap.today, tz, snap.cycle_days)
    return Snapshot(
        today=snap.today,
        items=tuple(states),
        unit_reports=dict(unit_reports),
        cycle_days=snap.cycle_days,
    )

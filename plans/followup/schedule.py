"""When to nudge (催办) a unit about an item: working days, quiet hours, due nudges, escalations.

Pure functions: no Telegram, no SQL, no clock. `today` and `now` are always parameters, so a pass
can be replayed at any moment (`duban send-due --at …`).

The scheduler asks `due_nudges` "what should have been sent by today?" and gets the *newest* due
nudge of each kind per (unit, item) only, each with the working day it became due (`due_on`). The
database dedupes on (unit, item, kind, due_on): a nudge already sent is not sent again, and a bot
that was down for a week finds one catch-up nudge per item rather than a week's backlog.

Working days are Chinese working days (chinesecalendar: public holidays are off, 调休 make-up
Saturdays and Sundays are on). Outside the years chinesecalendar knows, Monday–Friday count, and a
warning is logged once per year.
"""

from __future__ import annotations

import calendar
import functools
import logging
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import chinese_calendar

log = logging.getLogger(__name__)

NudgeKind = Literal["upcoming", "cycle", "overdue"]
EscalationReason = Literal["overdue", "ignored"]

# Order of kinds within one item in `due_nudges` output: the most urgent first.
NUDGE_KINDS: tuple[NudgeKind, ...] = ("overdue", "upcoming", "cycle")
_KIND_RANK = {kind: rank for rank, kind in enumerate(NUDGE_KINDS)}

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Policy


@dataclass(frozen=True)
class NudgePolicy:
    """How and when units are nudged. Defaults follow the issue ("Nudges (催办)")."""

    before_days: tuple[int, ...] = (
        14,
        7,
        3,
        1,
        0,
    )  # before each deadline and milestone; 0 = on the day
    cycle: Literal["monthly", "weekly", "off"] = "monthly"
    cycle_day: int = 25  # day of month (monthly, clamped to the month's length) or ISO weekday 1-7
    overdue_every: int = 3  # working days between overdue reminders
    escalate_overdue_after: int = 2  # escalate after this many overdue reminders of one item
    escalate_ignored_after: int = 2  # ... or when a unit ignored this many requests in a row
    send_hour: int = 9  # local hour; quiet before it and from quiet_from on
    quiet_from: int = 21

    @property
    def cycle_days(self) -> int:
        """How long an item may stay silent before it is stale (yellow; /stale): one reporting
        cycle — a week with a weekly cycle, else a month."""
        return 7 if self.cycle == "weekly" else 31

    def __post_init__(self) -> None:
        if any(k < 0 for k in self.before_days):
            raise ValueError(f"before_days must be >= 0: {self.before_days}")
        if self.cycle not in ("monthly", "weekly", "off"):
            raise ValueError(f"cycle must be monthly, weekly or off: {self.cycle!r}")
        if self.cycle == "monthly" and not 1 <= self.cycle_day <= 31:
            raise ValueError(f"monthly cycle_day must be 1..31: {self.cycle_day}")
        if self.cycle == "weekly" and not 1 <= self.cycle_day <= 7:
            raise ValueError(f"weekly cycle_day must be an ISO weekday 1..7: {self.cycle_day}")
        if self.overdue_every < 1:
            raise ValueError(f"overdue_every must be >= 1: {self.overdue_every}")
        if self.escalate_overdue_after < 1 or self.escalate_ignored_after < 1:
            raise ValueError("escalation thresholds must be >= 1")
        if not 0 <= self.send_hour < self.quiet_from <= 24:
            raise ValueError(
                f"need 0 <= send_hour < quiet_from <= 24: {self.send_hour}, {self.quiet_from}"
            )


# --------------------------------------------------------------------------------------------
# Working days


@dataclass(frozen=True)
class _Year:
    """The working days of one year, as sorted ordinals and as a set."""

    ordinals: tuple[int, ...]
    lookup: frozenset[int]


@functools.cache
def _year(year: int) -> _Year:
    """One year's working days, computed once: chinesecalendar, else Monday–Friday (warned)."""
    first = date(year, 1, 1)
    days = [first + timedelta(days=i) for i in range(366 if calendar.isleap(year) else 365)]
    try:
        working = [d for d in days if chinese_calendar.is_workday(d)]
    except NotImplementedError:
        log.warning(
            "chinesecalendar has no holidays for %d: counting Monday-Friday as working days",
            year,
        )
        working = [d for d in days if d.weekday() < 5]
    ordinals = tuple(d.toordinal() for d in working)
    return _Year(ordinals, frozenset(ordinals))


def is_working_day(day: date) -> bool:
    """A Chinese working day: holidays are off, 调休 weekend days are on.

    Outside chinesecalendar's years, Monday–Friday; one warning is logged per such year.
    """
    return day.toordinal() in _year(day.year).lookup


def previous_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the last working day before it."""
    while not is_working_day(day):
        day -= _ONE_DAY
    return day


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (n > 0) or before it (n < 0); `day` itself for n == 0.

    `day` need not be a working day: add_working_days(a Saturday, 1) is the next working day.
    """
    year, here = day.year, day.toordinal()
    if n > 0:
        while True:
            ordinals = _year(year).ordinals
            i = bisect_right(ordinals, here) if year == day.year else 0
            if n <= len(ordinals) - i:
                return date.fromordinal(ordinals[i + n - 1])
            n -= len(ordinals) - i
            year += 1
    left = -n
    while left:
        ordinals = _year(year).ordinals
        i = bisect_left(ordinals, here) if year == day.year else len(ordinals)
        if left <= i:
            return date.fromordinal(ordinals[i - left])
        left -= i
        year -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days d have start < d <= end (0 when end <= start)."""
    total = 0
    for year in range(start.year, end.year + 1):
        ordinals = _year(year).ordinals
        lo = bisect_right(ordinals, start.toordinal()) if year == start.year else 0
        hi = bisect_right(ordinals, end.toordinal()) if year == end.year else len(ordinals)
        total += max(hi - lo, 0)
    return total


def may_send_now(now: datetime, policy: NudgePolicy) -> bool:
    """True on a working day between send_hour (inclusive) and quiet_from (exclusive).

    `now` is local time (tz-aware in the bot's zone, or naive local): its own date and hour count.
    """
    return is_working_day(now.date()) and policy.send_hour <= now.hour < policy.quiet_from


# --------------------------------------------------------------------------------------------
# Due nudges


@dataclass(frozen=True)
class ItemWatch:
    """One (unit, item) pair to watch, built by the caller from storage."""

    unit_id: int
    item_id: int
    deadline: date | None  # None for ongoing work (持续推进): milestones and cycle only
    milestones: tuple[date, ...]  # dated steps (may include dates already past)
    done: bool  # the unit's last report says done
    last_report_on: date | None  # date of the unit's latest report on this item
    active_from: date  # when the item became this unit's: no nudges about dates before it


@dataclass(frozen=True)
class DueNudge:
    """A nudge that should have been sent by the pass's day.

    (unit_id, item_id, kind, due_on) is the dedupe key of the database.
    """

    unit_id: int
    item_id: int
    kind: NudgeKind
    due_on: date  # the working day it became due
    about: date | None  # the deadline or milestone it is about (None for cycle)
    days_left: int | None  # about - today: negative when overdue, None for cycle


def due_nudges(watches: Iterable[ItemWatch], today: date, policy: NudgePolicy) -> list[DueNudge]:
    """The newest nudge of each kind due by `today` for each watched (unit, item), done items aside.

    - upcoming: for every milestone and the deadline D with D >= active_from and D >= today,
      each offset k of before_days gives the send day previous_working_day(D - k), skipped when
      D - k or the send day falls before active_from. The latest send day <= today becomes
      due_on; `about` is the nearest such D that has a send day <= today (so the line names the
      most pressing date, while due_on only moves forward and dedupes cleanly).
    - overdue: when today > deadline >= active_from, reminders fall on
      add_working_days(next_working_day(deadline + 1), m * overdue_every), m = 0, 1, …;
      due_on is the latest one <= today. A report that is not "done" does not stop them.
    - cycle: the latest cycle date <= today (the cycle day moved to the next working day), if it
      is >= active_from, unless the unit reported on the item on or after it, or an upcoming or
      overdue nudge of the item is due that day or later (that nudge asks for progress too, and
      one item gets one line).

    Sorted by unit_id, item_id, then kind in NUDGE_KINDS order (overdue, upcoming, cycle).
    """
    out: list[DueNudge] = []
    for w in watches:
        if w.done:
            continue
        found: list[DueNudge] = []
        upcoming = _upcoming(w, today, policy)
        if upcoming is not None:
            found.append(upcoming)
        overdue = _overdue(w, today, policy)
        if overdue is not None:
            found.append(overdue)
        cycle_on = _cycle_due_on(w, today, policy)
        if (
            cycle_on is not None
            and (w.last_report_on is None or w.last_report_on < cycle_on)
            and all(n.due_on < cycle_on for n in found)
        ):
            found.append(DueNudge(w.unit_id, w.item_id, "cycle", cycle_on, None, None))
        out.extend(found)
    out.sort(key=lambda n: (n.unit_id, n.item_id, _KIND_RANK[n.kind]))
    return out


def _upcoming(w: ItemWatch, today: date, policy: NudgePolicy) -> DueNudge | None:
    latest_send: date | None = None
    nearest: date | None = None
    dates = {*w.milestones, *([w.deadline] if w.deadline is not None else [])}
    for d in sorted(dates):
        if d < w.active_from or d < today:
            continue
        for k in policy.before_days:
            target = d - timedelta(days=k)
            if target < w.active_from:
                continue
            send = previous_working_day(target)
            if send < w.active_from or send > today:
                continue
            if latest_send is None or send > latest_send:
                latest_send = send
            if nearest is None or d < nearest:
                nearest = d
    if latest_send is None or nearest is None:
        return None
    return DueNudge(w.unit_id, w.item_id, "upcoming", latest_send, nearest, (nearest - today).days)


def latest_overdue_reminder(deadline: date, today: date, every: int) -> date | None:
    """The latest overdue reminder day <= today, or None before the first one.

    Reminders fall on the first working day after the deadline, then every `every` working days.
    """
    first = next_working_day(deadline + _ONE_DAY)
    if first > today:
        return None
    steps = working_days_between(first, today) // every
    return add_working_days(first, steps * every)


def _overdue(w: ItemWatch, today: date, policy: NudgePolicy) -> DueNudge | None:
    if w.deadline is None or today <= w.deadline or w.deadline < w.active_from:
        return None
    due_on = latest_overdue_reminder(w.deadline, today, policy.overdue_every)
    if due_on is None:  # today is a holiday right after the deadline
        return None
    return DueNudge(w.unit_id, w.item_id, "overdue", due_on, w.deadline, (w.deadline - today).days)


def cycle_date(today: date, policy: NudgePolicy) -> date | None:
    """The latest reporting-cycle date <= today (moved to its next working day), None if off."""
    if policy.cycle == "off":
        return None
    if policy.cycle == "weekly":
        # Moving to the next working day spans at most a holiday (< 2 weeks): look back 3 weeks.
        last = today - timedelta(days=(today.isoweekday() - policy.cycle_day) % 7)
        for weeks in range(4):
            moved = next_working_day(last - timedelta(weeks=weeks))
            if moved <= today:
                return moved
        return None  # pragma: no cover - holidays are shorter than three weeks
    year, month = today.year, today.month
    for _ in range(4):
        length = calendar.monthrange(year, month)[1]
        moved = next_working_day(date(year, month, min(policy.cycle_day, length)))
        if moved <= today:
            return moved
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None  # pragma: no cover - holidays are shorter than three months


def _cycle_due_on(w: ItemWatch, today: date, policy: NudgePolicy) -> date | None:
    due = cycle_date(today, policy)
    if due is None or due < w.active_from:
        return None
    return due


# --------------------------------------------------------------------------------------------
# Escalations


@dataclass(frozen=True)
class SentNudge:
    """A nudge line that was actually sent (not merely pending), loaded from storage.

    kind is a NudgeKind; rows of other kinds (the caller's own notices) are ignored here.
    item_id is None for a unit-level message; such rows count as requests to the unit.
    """

    unit_id: int
    item_id: int | None
    kind: str
    sent_on: date


@dataclass(frozen=True)
class Escalation:
    """Tell the coordinators: an item stays overdue, or a unit ignores its requests.

    due_on is the day the threshold was reached (the escalate_*_after-th reminder or ignored
    request): it stays the same while the situation lasts, so the caller dedupes on
    (unit_id, item_id, reason, due_on) and escalates once per episode. count grows with it.
    """

    unit_id: int
    item_id: int | None  # None for "ignored" (the unit as a whole)
    reason: EscalationReason
    count: int
    due_on: date


def escalations(
    history: Iterable[SentNudge],
    watches: Iterable[ItemWatch],
    today: date,
    policy: NudgePolicy,
) -> list[Escalation]:
    """Escalations due by `today`.

    Inputs:
    - history: the nudges sent to the units concerned (rows dated after `today` are ignored,
      so a replayed day sees only its past). One row per (unit, item, kind) line sent; the lines
      of one message share sent_on, and all lines sent to a unit on one day count as ONE request.
    - watches: every (unit, item) pair of those units, done items included. A pair's
      last_report_on is the date of the unit's latest report on that item; the unit's latest
      report on any item is the newest of them.

    Rules:
    - overdue: for a watch not done with today > deadline, the "overdue" rows of that
      (unit, item) sent after the deadline are counted; escalate_overdue_after or more gives
      Escalation(unit, item, "overdue", count, due_on = the day of the threshold-th reminder).
      A deadline moved later (延期) starts a new count, a done report ends it.
    - ignored: a unit's requests are the distinct days it was sent any nudge (upcoming, cycle or
      overdue). A request is answered by any report of the unit dated on or after it (a report on
      the same day counts: dates carry no time). When the last escalate_ignored_after requests
      are all unanswered: Escalation(unit, None, "ignored", count = requests since the unit's
      last report, due_on = the threshold-th of them).

    Sorted by unit_id, then item-level (by item_id) before the unit-level "ignored".
    """
    watches = list(watches)
    overdue_sent: dict[tuple[int, int], list[date]] = defaultdict(list)
    request_days: dict[int, set[date]] = defaultdict(set)
    for row in history:
        if row.sent_on > today or row.kind not in _KIND_RANK:
            continue
        request_days[row.unit_id].add(row.sent_on)
        if row.kind == "overdue" and row.item_id is not None:
            overdue_sent[(row.unit_id, row.item_id)].append(row.sent_on)

    out: list[Escalation] = []
    for w in watches:
        if w.done or w.deadline is None or today <= w.deadline:
            continue
        sent = sorted({d for d in overdue_sent.get((w.unit_id, w.item_id), ()) if d > w.deadline})
        if len(sent) >= policy.escalate_overdue_after:
            out.append(
                Escalation(
                    w.unit_id,
                    w.item_id,
                    "overdue",
                    len(sent),
                    sent[policy.escalate_overdue_after - 1],
                )
            )

    last_report: dict[int, date] = {}
    for w in watches:
        if w.last_report_on is not None and (
            w.unit_id not in last_report or w.last_report_on > last_report[w.unit_id]
        ):
            last_report[w.unit_id] = w.last_report_on
    for unit_id, days in request_days.items():
        reported = last_report.get(unit_id)
        ignored = sorted(d for d in days if reported is None or d > reported)
        if len(ignored) >= policy.escalate_ignored_after:
            out.append(
                Escalation(
                    unit_id,
                    None,
                    "ignored",
                    len(ignored),
                    ignored[policy.escalate_ignored_after - 1],
                )
            )

    out.sort(key=lambda e: (e.unit_id, e.item_id is None, e.item_id or 0))
    return out

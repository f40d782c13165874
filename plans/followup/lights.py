"""The traffic light (预警) of an item — the one place the rule lives (DESIGN.md, "Domain vocabulary").

- green: on schedule, and every item whose status is done (even when it was done late);
- yellow: 10 to 30 points behind 序时进度 (both ends included), or due within 7 days and not done,
  or no report for a whole cycle;
- red: blocked, overdue (past the deadline and not done), or more than 30 points behind.

序时进度 is the share of the item's span (plan start → deadline) already elapsed, in points;
"points behind" is 序时进度 minus the reported percent (no percent counts as 0).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from plans.model import Status

Light = Literal["green", "yellow", "red"]

YELLOW_BEHIND = 10.0  # points behind 序时进度 from which an item is yellow (inclusive)
RED_BEHIND = 30.0  # points behind 序时进度 beyond which an item is red (exclusive)
DUE_SOON_DAYS = 7  # due within this many days (inclusive) and not done: yellow


def elapsed_share(start: date, deadline: date, today: date) -> float:
    """序时进度 as a share 0..1: elapsed days (today - start) over the span (deadline - start).

    0 on the start day and before, 1 on the deadline and after. A span of zero or less (deadline
    on or before start) is 0 before the deadline and 1 from it on.
    """
    span = (deadline - start).days
    if span <= 0:
        return 1.0 if today >= deadline else 0.0
    return min(max((today - start).days / span, 0.0), 1.0)


def points_behind(percent: float | None, start: date, deadline: date, today: date) -> float:
    """序时进度 minus the reported percent, in points (negative when ahead), rounded to 1e-6.

    The rounding keeps the edges exact: 40% elapsed and 30% done is 10 points behind, not
    10.000000000000007.
    """
    return round(elapsed_share(start, deadline, today) * 100.0 - (percent or 0.0), 6)


def light(
    *,
    status: Status | None,
    percent: float | None,
    start: date,
    deadline: date | None,
    today: date,
    last_report_on: date | None,
    cycle_days: int = 31,
) -> Light:
    """The light of an item on `today`.

    status None means no report yet (like not_started); percent None counts as 0 for lateness.
    start is the start of the item's span (the plan start, Jan 1 of the plan year, unless the
    caller knows better). The deadline day itself is not overdue (due in 0 days: yellow at most
    from the deadline rule). "No report for a whole cycle" applies only once the item is at least
    cycle_days into its span, when last_report_on is None or more than cycle_days before today.
    Ongoing work (持续推进, deadline None) has no 序时进度 and is never overdue: only blocked and
    silence colour it.
    """
    if status == "done":
        return "green"
    if status == "blocked" or (deadline is not None and today > deadline):
        return "red"
    if deadline is not None:
        behind = points_behind(percent, start, deadline, today)
        if behind > RED_BEHIND:
            return "red"
        if behind >= YELLOW_BEHIND:
            return "yellow"
        if (deadline - today).days <= DUE_SOON_DAYS:
            return "yellow"
    if (today - start).days >= cycle_days and (
        last_report_on is None or (today - last_report_on).days > cycle_days
    ):
        return "yellow"
    return "green"

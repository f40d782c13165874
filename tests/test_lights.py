"""The traffic light of an item (plans/followup/lights.py) on every edge of the DESIGN.md rule.

Most cases use a span of exactly 100 days (2024-01-01 → 2024-04-10), so that k days into it
序时进度 is k points, and a report dated the same day, so that only the rule under test speaks.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from plans.followup.lights import Light, elapsed_share, light, points_behind
from plans.model import Status

START = date(2024, 1, 1)
DEADLINE = date(2024, 4, 10)  # START + 100 days


def day(k: int) -> date:
    return START + timedelta(days=k)


def light_at(
    k: int,
    percent: float | None,
    status: Status | None = "in_progress",
    *,
    last_report_on: date | None = None,
    deadline: date = DEADLINE,
    cycle_days: int = 31,
) -> Light:
    today = day(k)
    return light(
        status=status,
        percent=percent,
        start=START,
        deadline=deadline,
        today=today,
        last_report_on=today if last_report_on is None else last_report_on,
        cycle_days=cycle_days,
    )


# ------------------------------------------------------------------------------ 序时进度


@pytest.mark.parametrize(
    ("today", "share"),
    [
        (date(2023, 12, 1), 0.0),  # before the span
        (START, 0.0),
        (day(25), 0.25),
        (day(50), 0.5),
        (DEADLINE, 1.0),
        (date(2024, 6, 1), 1.0),  # after it
    ],
)
def test_elapsed_share(today: date, share: float) -> None:
    assert elapsed_share(START, DEADLINE, today) == pytest.approx(share)


def test_elapsed_share_of_a_whole_year() -> None:
    assert elapsed_share(date(2023, 1, 1), date(2023, 12, 31), date(2023, 7, 2)) == pytest.approx(
        182 / 364
    )


@pytest.mark.parametrize(
    ("deadline", "today", "share"),
    [
        (START, date(2023, 12, 31), 0.0),  # a span of zero days
        (START, START, 1.0),
        (date(2023, 12, 1), date(2023, 11, 1), 0.0),  # deadline before the start
        (date(2023, 12, 1), date(2024, 1, 5), 1.0),
    ],
)
def test_elapsed_share_of_an_empty_span(deadline: date, today: date, share: float) -> None:
    assert elapsed_share(START, deadline, today) == share


def test_points_behind_is_exact_on_the_edges() -> None:
    assert 56 / 100 * 100 - 26 != 30  # what plain floats would say
    assert points_behind(26, START, DEADLINE, day(56)) == 30
    assert points_behind(4, START, DEADLINE, day(14)) == 10
    assert points_behind(None, START, DEADLINE, day(14)) == 14
    assert points_behind(80, START, DEADLINE, day(50)) == -30


# ------------------------------------------------------------------------------ lateness


@pytest.mark.parametrize(
    ("k", "percent", "expected"),
    [
        (50, 50, "green"),  # on schedule
        (50, 40.01, "green"),  # 9.99 behind
        (50, 40, "yellow"),  # exactly 10 behind
        (14, 4, "yellow"),  # exactly 10, where floats say 10.000000000000002
        (50, 20, "yellow"),  # exactly 30 behind
        (56, 26, "yellow"),  # exactly 30, where floats say 30.000000000000007
        (50, 19.99, "red"),  # 30.01 behind
        (56, 25.99, "red"),
        (80, 0, "red"),
        (50, 120, "green"),  # ahead
    ],
)
def test_points_behind_schedule(k: int, percent: float, expected: Light) -> None:
    assert light_at(k, percent) == expected


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (9, "green"),  # 9 points behind
        (10, "yellow"),  # no percent counts as 0: 10 behind
        (30, "yellow"),
        (31, "red"),
    ],
)
def test_no_percent_counts_as_zero(k: int, expected: Light) -> None:
    assert light_at(k, None) == expected
    assert light_at(k, None, status=None) == expected  # no report at all
    assert light_at(k, None, status="not_started") == expected


# ------------------------------------------------------------------------------ deadline


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (92, "green"),  # due in 8 days
        (93, "yellow"),  # due in 7 days
        (99, "yellow"),
        (100, "yellow"),  # the deadline day itself: due, not overdue
        (101, "red"),  # the day after: overdue
        (200, "red"),
    ],
)
def test_due_soon_and_overdue(k: int, expected: Light) -> None:
    assert light_at(k, 99) == expected


def test_overdue_is_red_even_at_100_percent_unless_done() -> None:
    assert light_at(101, 100, status="in_progress") == "red"
    assert light_at(101, 100, status="done") == "green"


@pytest.mark.parametrize("k", [10, 60, 100, 101, 300])
@pytest.mark.parametrize("percent", [None, 0, 10, 100])
def test_done_is_green_even_late(k: int, percent: float | None) -> None:
    assert light_at(k, percent, status="done", last_report_on=date(2023, 1, 1)) == "green"


@pytest.mark.parametrize("k", [0, 10, 50])
def test_blocked_is_red_even_ahead_of_schedule(k: int) -> None:
    assert light_at(k, k + 40, status="blocked") == "red"
    assert light_at(k, k + 40, status="in_progress") == "green"


# ------------------------------------------------------------------------------ no report for a cycle

YEAR_END = date(2024, 12, 31)  # a long span, so lateness stays under 10 points in February


@pytest.mark.parametrize(
    ("k", "last_report_on", "expected"),
    [
        (30, None, "green"),  # not yet a whole cycle into the span
        (31, None, "yellow"),  # a whole cycle and never a report
        (45, day(14), "green"),  # the last report 31 days ago: not older than the cycle
        (45, day(13), "yellow"),  # 32 days ago
        (45, day(44), "green"),
    ],
)
def test_no_report_for_a_whole_cycle(k: int, last_report_on: date | None, expected: Light) -> None:
    got = light(
        status="in_progress",
        percent=10,
        start=START,
        deadline=YEAR_END,
        today=day(k),
        last_report_on=last_report_on,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("k", "cycle_days", "last_report_on", "expected"),
    [
        (10, 7, day(2), "yellow"),  # 8 days since the report, cycle 7
        (10, 8, day(2), "green"),
        (6, 7, None, "green"),  # 6 days into the span: a 7-day cycle has not passed yet
        (7, 7, None, "yellow"),
    ],
)
def test_cycle_length_is_a_parameter(
    k: int, cycle_days: int, last_report_on: date | None, expected: Light
) -> None:
    got = light(
        status="in_progress",
        percent=5,
        start=START,
        deadline=YEAR_END,
        today=day(k),
        last_report_on=last_report_on,
        cycle_days=cycle_days,
    )
    assert got == expected


def test_red_outranks_yellow() -> None:
    # Due in 3 days, stale, 40 points behind: red.
    assert light_at(97, 57, last_report_on=day(10)) == "red"

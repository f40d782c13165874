"""Working days, sending hours, due nudges and escalations (plans/followup/schedule.py).

Dates are real: 2023 National Day ran Sep 29 – Oct 6 with Sat Oct 7 and Sun Oct 8 worked (调休);
2024 Spring Festival ran Feb 10 – 17 with Sun Feb 4 and Sun Feb 18 worked; 2024 Dragon Boat was
Mon Jun 10; 2025 Spring Festival ran Jan 28 – Feb 4 with Sun Jan 26 and Sat Feb 8 worked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plans.followup import schedule
from plans.followup.schedule import (
    DueNudge,
    Escalation,
    ItemWatch,
    NudgePolicy,
    SentNudge,
    add_working_days,
    cycle_date,
    due_nudges,
    escalations,
    is_working_day,
    latest_overdue_reminder,
    may_send_now,
    next_working_day,
    previous_working_day,
    working_days_between,
)

D = date.fromisoformat
OFF = NudgePolicy(cycle="off")


def watch(
    deadline: str,
    *,
    unit: int = 1,
    item: int = 10,
    milestones: tuple[str, ...] = (),
    done: bool = False,
    last_report_on: str | None = None,
    active_from: str = "2023-01-01",
) -> ItemWatch:
    return ItemWatch(
        unit_id=unit,
        item_id=item,
        deadline=D(deadline),
        milestones=tuple(D(m) for m in milestones),
        done=done,
        last_report_on=D(last_report_on) if last_report_on else None,
        active_from=D(active_from),
    )


# ------------------------------------------------------------------------------ working days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2023-09-28", True),  # Thursday before the National Day break
        ("2023-09-29", False),  # Mid-Autumn, a Friday
        ("2023-10-02", False),  # National Day, a Monday
        ("2023-10-06", False),
        ("2023-10-07", True),  # 调休 Saturday
        ("2023-10-08", True),  # 调休 Sunday
        ("2023-10-14", False),  # an ordinary Saturday
        ("2024-02-04", True),  # 调休 Sunday before Spring Festival
        ("2024-02-12", False),  # Spring Festival, a Monday
        ("2024-02-18", True),  # 调休 Sunday after it
        ("2024-06-10", False),  # Dragon Boat, a Monday
        ("2024-06-28", True),
        ("2024-06-29", False),
        ("2025-01-26", True),  # 调休 Sunday
        ("2025-02-03", False),  # Spring Festival, a Monday
        ("2025-02-08", True),  # 调休 Saturday
    ],
)
def test_is_working_day_follows_the_chinese_calendar(day: str, working: bool) -> None:
    assert is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("day", "previous", "following"),
    [
        ("2023-10-05", "2023-09-28", "2023-10-07"),  # inside National Day
        ("2023-10-07", "2023-10-07", "2023-10-07"),  # a working Saturday is itself
        ("2024-02-10", "2024-02-09", "2024-02-18"),  # Spring Festival lands on a working Sunday
        ("2024-02-03", "2024-02-02", "2024-02-04"),
        ("2025-02-01", "2025-01-27", "2025-02-05"),
        ("2024-06-05", "2024-06-05", "2024-06-05"),  # an ordinary Wednesday
    ],
)
def test_previous_and_next_working_day(day: str, previous: str, following: str) -> None:
    assert previous_working_day(D(day)) == D(previous)
    assert next_working_day(D(day)) == D(following)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        ("2023-09-28", 1, "2023-10-07"),
        ("2023-09-28", 2, "2023-10-08"),
        ("2023-09-28", 3, "2023-10-09"),
        ("2023-10-07", -1, "2023-09-28"),
        ("2024-06-28", 1, "2024-07-01"),  # Friday + 1 = Monday
        ("2024-06-29", 1, "2024-07-01"),  # from a Saturday
        ("2024-06-29", -1, "2024-06-28"),
        ("2024-06-29", 0, "2024-06-29"),  # n = 0 is the day itself, working or not
        ("2023-12-29", 1, "2024-01-02"),  # across the year and New Year's Day
        ("2024-01-02", -1, "2023-12-29"),
        ("2024-12-31", 3, "2025-01-06"),
    ],
)
def test_add_working_days(day: str, n: int, expected: str) -> None:
    assert add_working_days(D(day), n) == D(expected)


def _step_working_days(day: date, n: int) -> date:
    step = timedelta(days=1 if n > 0 else -1)
    for _ in range(abs(n)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def test_add_working_days_agrees_with_stepping_day_by_day() -> None:
    for start in (D("2023-01-01"), D("2023-09-29"), D("2024-02-09"), D("2024-12-28")):
        for n in (-300, -41, -5, -1, 1, 2, 7, 60, 300):
            assert add_working_days(start, n) == _step_working_days(start, n), (start, n)


def test_working_days_between() -> None:
    assert working_days_between(D("2024-06-28"), D("2024-07-02")) == 2  # Mon, Tue
    assert working_days_between(D("2023-09-28"), D("2023-10-08")) == 2  # the 调休 weekend only
    assert working_days_between(D("2024-07-02"), D("2024-06-28")) == 0
    assert working_days_between(D("2023-12-29"), D("2024-01-02")) == 1


@pytest.fixture
def fresh_calendar() -> Iterator[None]:
    schedule._year.cache_clear()
    yield
    schedule._year.cache_clear()


def test_outside_the_calendar_falls_back_to_monday_friday_with_one_warning_per_year(
    fresh_calendar: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="plans.followup.schedule")
    assert is_working_day(D("2040-01-02")) is True  # Monday
    assert is_working_day(D("2040-01-07")) is False  # Sunday
    assert is_working_day(D("2040-10-01")) is True  # a Monday: no National Day known
    assert next_working_day(D("2040-06-02")) == D("2040-06-04")
    assert add_working_days(D("2040-03-02"), 1) == D("2040-03-05")
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "2040" in warnings[0].getMessage()

    assert is_working_day(D("2041-01-01")) is True  # Tuesday, a second year: a second warning
    assert is_working_day(D("2024-10-01")) is False  # a known year warns nothing
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [("2041" in r.getMessage()) for r in warnings] == [False, True]
    assert is_working_day(D("2040-01-03")) is True  # back to 2040: already warned
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


# ------------------------------------------------------------------------------ sending hours

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("now", "ok"),
    [
        (datetime(2023, 10, 7, 9, 0), True),  # a working Saturday at nine
        (datetime(2023, 10, 7, 8, 59), False),
        (datetime(2023, 10, 7, 20, 59), True),
        (datetime(2023, 10, 7, 21, 0), False),
        (datetime(2023, 10, 2, 10, 0), False),  # National Day
        (datetime(2023, 10, 14, 10, 0), False),  # an ordinary Saturday
        (datetime(2024, 2, 4, 10, 0, tzinfo=SHANGHAI), True),  # 调休 Sunday, tz-aware
        (datetime(2024, 2, 4, 23, 30, tzinfo=SHANGHAI), False),
    ],
)
def test_may_send_now(now: datetime, ok: bool) -> None:
    assert may_send_now(now, NudgePolicy()) is ok


def test_may_send_now_follows_the_policy_hours() -> None:
    policy = NudgePolicy(send_hour=14, quiet_from=16)
    assert not may_send_now(datetime(2024, 6, 28, 13, 59), policy)
    assert may_send_now(datetime(2024, 6, 28, 15, 59), policy)
    assert not may_send_now(datetime(2024, 6, 28, 16, 0), policy)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cycle": "weekly", "cycle_day": 8},
        {"cycle": "monthly", "cycle_day": 0},
        {"overdue_every": 0},
        {"send_hour": 21, "quiet_from": 21},
        {"before_days": (7, -1)},
        {"escalate_ignored_after": 0},
    ],
)
def test_policy_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        NudgePolicy(**kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ upcoming


@pytest.mark.parametrize(
    ("today", "due_on", "days_left"),
    [
        ("2023-09-25", None, None),  # 14 days before is Sep 26: nothing yet
        ("2023-09-26", "2023-09-26", 14),
        ("2023-09-27", "2023-09-26", 13),
        ("2023-09-28", "2023-09-28", 12),  # 7 days before is Oct 3, a holiday: moved back
        ("2023-10-02", "2023-09-28", 8),  # a holiday itself: nothing new
        ("2023-10-07", "2023-10-07", 3),  # 3 days before is a working Saturday
        ("2023-10-09", "2023-10-09", 1),
        ("2023-10-10", "2023-10-10", 0),  # on the day
    ],
)
def test_upcoming_offsets_land_on_working_days(
    today: str, due_on: str | None, days_left: int | None
) -> None:
    got = due_nudges([watch("2023-10-10")], D(today), OFF)
    if due_on is None:
        assert got == []
    else:
        assert got == [DueNudge(1, 10, "upcoming", D(due_on), D("2023-10-10"), days_left)]


def test_upcoming_stops_after_the_date_and_overdue_takes_over() -> None:
    got = due_nudges([watch("2023-10-10")], D("2023-10-11"), OFF)
    assert [n.kind for n in got] == ["overdue"]


def test_catch_up_after_a_week_down_gives_one_nudge_per_item_the_latest() -> None:
    watches = [
        watch("2024-06-28", item=1),  # sends Jun 14, 21, 25, 27, 28
        watch("2024-07-31", item=2, milestones=("2024-06-27",)),  # milestone: Jun 13, 20, 24, 26
        watch("2024-07-05", item=3, milestones=("2024-06-20",)),  # milestone past; Jun 21, 28
    ]
    got = due_nudges(watches, D("2024-06-26"), OFF)
    assert got == [
        DueNudge(1, 1, "upcoming", D("2024-06-25"), D("2024-06-28"), 2),
        DueNudge(1, 2, "upcoming", D("2024-06-26"), D("2024-06-27"), 1),
        DueNudge(1, 3, "upcoming", D("2024-06-21"), D("2024-07-05"), 9),
    ]


def test_upcoming_names_the_nearest_date_but_is_due_on_the_latest_send_day() -> None:
    # Milestone Jun 24: its 7-day send was Mon Jun 17. Deadline Jul 2: its 14-day send is Jun 18.
    w = watch("2024-07-02", milestones=("2024-06-24",))
    got = due_nudges([w], D("2024-06-19"), OFF)
    assert got == [DueNudge(1, 10, "upcoming", D("2024-06-18"), D("2024-06-24"), 5)]


def test_daily_passes_send_every_offset_once_and_due_on_never_goes_back() -> None:
    w = watch("2023-10-10", active_from="2023-09-01")
    sent: list[DueNudge] = []
    keys: set[tuple[str, date]] = set()
    day = D("2023-09-01")
    while day <= D("2023-10-20"):
        if is_working_day(day):
            for n in due_nudges([w], day, NudgePolicy()):
                if (n.kind, n.due_on) not in keys:
                    keys.add((n.kind, n.due_on))
                    sent.append(n)
        day += timedelta(days=1)
    by_kind = {
        k: [n.due_on.isoformat() for n in sent if n.kind == k]
        for k in ("upcoming", "cycle", "overdue")
    }
    assert by_kind == {
        "upcoming": ["2023-09-26", "2023-09-28", "2023-10-07", "2023-10-09", "2023-10-10"],
        "cycle": ["2023-09-25"],
        "overdue": ["2023-10-11", "2023-10-16", "2023-10-19"],
    }


def test_done_items_get_nothing() -> None:
    for today in ("2023-10-09", "2023-10-20"):
        assert due_nudges([watch("2023-10-10", done=True)], D(today), NudgePolicy()) == []


def test_custom_offsets() -> None:
    policy = NudgePolicy(before_days=(30,), cycle="off")
    assert due_nudges([watch("2024-07-31")], D("2024-07-01"), policy) == [
        DueNudge(1, 10, "upcoming", D("2024-07-01"), D("2024-07-31"), 30)
    ]
    assert due_nudges([watch("2024-07-31")], D("2024-07-30"), policy)[0].due_on == D("2024-07-01")


# ------------------------------------------------------------------------------ active_from


def test_active_from_suppresses_the_past() -> None:
    # Assigned Jun 20: the Jun 10 milestone, the 14-day send (Jun 14) and the May cycle are history.
    late = watch("2024-06-30", milestones=("2024-06-10",), active_from="2024-06-20")
    assert due_nudges([late], D("2024-06-20"), NudgePolicy()) == []
    assert due_nudges([late], D("2024-06-21"), NudgePolicy()) == [
        DueNudge(1, 10, "upcoming", D("2024-06-21"), D("2024-06-30"), 9)  # Jun 23 (Sun) → Fri
    ]
    # The same item held since January was due its 14-day nudge on Fri Jun 14 (Jun 16 is a
    # Sunday); that nudge, newer than the May 27 cycle date, answers the cycle too.
    early = watch("2024-06-30", milestones=("2024-06-10",), active_from="2024-01-01")
    assert due_nudges([early], D("2024-06-20"), NudgePolicy()) == [
        DueNudge(1, 10, "upcoming", D("2024-06-14"), D("2024-06-30"), 10),
    ]


def test_send_day_moved_back_before_active_from_is_skipped() -> None:
    # 7 days before Jun 30 is Sunday Jun 23 (after active_from) but it moves back to Fri Jun 21.
    w = watch("2024-06-30", active_from="2024-06-23")
    assert due_nudges([w], D("2024-06-26"), OFF) == []
    assert due_nudges([w], D("2024-06-27"), OFF)[0].due_on == D("2024-06-27")


def test_no_overdue_about_a_deadline_before_active_from() -> None:
    w = watch("2024-02-29", active_from="2024-03-15")
    assert due_nudges([w], D("2024-03-20"), OFF) == []
    assert due_nudges([watch("2024-02-29")], D("2024-03-20"), OFF)[0].kind == "overdue"


def test_cycle_before_active_from_is_not_due() -> None:
    w = watch("2024-12-31", active_from="2024-07-26")
    assert due_nudges([w], D("2024-08-23"), NudgePolicy()) == []
    assert due_nudges([w], D("2024-08-26"), NudgePolicy()) == [
        DueNudge(1, 10, "cycle", D("2024-08-26"), None, None)
    ]


# ------------------------------------------------------------------------------ cycle


@pytest.mark.parametrize(
    ("today", "expected", "policy"),
    [
        ("2024-08-25", "2024-07-25", NudgePolicy()),  # the 25th is a Sunday: not yet
        ("2024-08-26", "2024-08-26", NudgePolicy()),  # ... it moved to Monday
        ("2024-02-25", "2024-01-25", NudgePolicy()),  # Sunday in the Spring Festival month
        ("2024-02-26", "2024-02-26", NudgePolicy()),
        ("2023-06-25", "2023-06-25", NudgePolicy()),  # a 调休 Sunday is a working day
        ("2023-10-05", "2023-08-30", NudgePolicy(cycle_day=30)),  # Sep 30 moved to Oct 7
        ("2023-10-07", "2023-10-07", NudgePolicy(cycle_day=30)),
        ("2024-03-01", "2024-02-29", NudgePolicy(cycle_day=31)),  # clamped to February's end
        ("2024-04-30", "2024-04-30", NudgePolicy(cycle_day=31)),
        ("2024-01-10", "2023-12-25", NudgePolicy()),  # across the year
        ("2024-02-14", "2024-02-05", NudgePolicy(cycle="weekly", cycle_day=1)),  # Mon Feb 12 off
        ("2024-02-18", "2024-02-18", NudgePolicy(cycle="weekly", cycle_day=1)),  # → Sun Feb 18
        ("2024-06-30", "2024-06-28", NudgePolicy(cycle="weekly", cycle_day=5)),
        ("2024-07-01", "2024-07-01", NudgePolicy(cycle="weekly", cycle_day=7)),  # Sunday → Monday
    ],
)
def test_cycle_date(today: str, expected: str, policy: NudgePolicy) -> None:
    assert cycle_date(D(today), policy) == D(expected)


def test_cycle_off() -> None:
    assert cycle_date(D("2024-08-26"), OFF) is None
    assert due_nudges([watch("2024-12-31")], D("2024-08-26"), OFF) == []


def test_cycle_nudge_on_the_25th_moved_from_sunday_to_monday() -> None:
    w = watch("2024-12-31")
    assert due_nudges([w], D("2024-08-25"), NudgePolicy()) == [
        DueNudge(1, 10, "cycle", D("2024-07-25"), None, None)
    ]
    assert due_nudges([w], D("2024-08-26"), NudgePolicy()) == [
        DueNudge(1, 10, "cycle", D("2024-08-26"), None, None)
    ]


@pytest.mark.parametrize(
    ("last_report_on", "expected"),
    [
        (None, True),
        ("2024-08-23", True),  # before the cycle date: still asked
        ("2024-08-26", False),  # on the cycle date: answered
        ("2024-08-27", False),
    ],
)
def test_a_report_on_or_after_the_cycle_date_answers_it(
    last_report_on: str | None, expected: bool
) -> None:
    w = watch("2024-12-31", last_report_on=last_report_on)
    got = due_nudges([w], D("2024-08-28"), NudgePolicy())
    assert (got == [DueNudge(1, 10, "cycle", D("2024-08-26"), None, None)]) is expected
    if not expected:
        assert got == []


def test_no_cycle_line_when_upcoming_or_overdue_is_due_the_same_day_or_later() -> None:
    policy = NudgePolicy()  # cycle Thu Jul 25 2024
    upcoming = watch("2024-08-08", item=1)  # 14 days before = Jul 25
    overdue = watch("2024-07-24", item=2)  # first reminder Jul 25
    for today in ("2024-07-25", "2024-07-26"):
        got = due_nudges([upcoming, overdue], D(today), policy)
        assert [(n.item_id, n.kind, n.due_on) for n in got] == [
            (1, "upcoming", D("2024-07-25")),
            (2, "overdue", D("2024-07-25")),
        ]
    # An upcoming nudge due the day before the cycle date does not answer it.
    earlier = watch("2024-08-07", item=3)  # 14 days before = Jul 24
    got = due_nudges([earlier], D("2024-07-25"), policy)
    assert [(n.kind, n.due_on) for n in got] == [
        ("upcoming", D("2024-07-24")),
        ("cycle", D("2024-07-25")),
    ]


# ------------------------------------------------------------------------------ overdue


@pytest.mark.parametrize(
    ("today", "due_on"),
    [
        ("2024-06-26", None),  # the deadline day itself is not overdue
        ("2024-06-27", "2024-06-27"),
        ("2024-06-28", "2024-06-27"),
        ("2024-06-29", "2024-06-27"),  # Saturday
        ("2024-07-01", "2024-06-27"),
        ("2024-07-02", "2024-07-02"),  # Thu + 3 working days across the weekend
        ("2024-07-04", "2024-07-02"),
        ("2024-07-05", "2024-07-05"),
        ("2024-07-07", "2024-07-05"),
        ("2024-07-08", "2024-07-05"),
        ("2024-07-10", "2024-07-10"),
    ],
)
def test_overdue_every_three_working_days_across_a_weekend(today: str, due_on: str | None) -> None:
    got = [n for n in due_nudges([watch("2024-06-26")], D(today), OFF) if n.kind == "overdue"]
    if due_on is None:
        assert got == []
    else:
        days_left = (D("2024-06-26") - D(today)).days
        assert got == [DueNudge(1, 10, "overdue", D(due_on), D("2024-06-26"), days_left)]


def test_overdue_across_national_day() -> None:
    w = watch("2023-09-27")
    assert due_nudges([w], D("2023-10-06"), OFF)[0].due_on == D("2023-09-28")
    assert due_nudges([w], D("2023-10-09"), OFF)[0].due_on == D("2023-10-09")  # Oct 7, 8, 9


def test_overdue_waits_for_the_first_working_day_after_the_deadline() -> None:
    # Deadline Thu Sep 28 2023; Sep 29 – Oct 6 are holidays: the first reminder is Oct 7.
    assert due_nudges([watch("2023-09-28")], D("2023-10-02"), OFF) == []
    assert due_nudges([watch("2023-09-28")], D("2023-10-07"), OFF)[0].due_on == D("2023-10-07")


def test_a_report_that_is_not_done_does_not_stop_overdue_reminders() -> None:
    w = watch("2024-06-26", last_report_on="2024-07-03")
    got = due_nudges([w], D("2024-07-05"), OFF)
    assert got == [DueNudge(1, 10, "overdue", D("2024-07-05"), D("2024-06-26"), -9)]


def test_latest_overdue_reminder_matches_its_definition() -> None:
    deadline = D("2023-09-20")
    for every in (1, 2, 3, 5):
        reminders = [
            add_working_days(next_working_day(deadline + timedelta(days=1)), m * every)
            for m in range(200)
        ]
        day = deadline
        while day < D("2024-01-31"):
            day += timedelta(days=1)
            expected = max((r for r in reminders if r <= day), default=None)
            assert latest_overdue_reminder(deadline, day, every) == expected, (every, day)


# ------------------------------------------------------------------------------ order


def test_order_is_unit_item_then_kind() -> None:
    watches = [
        watch("2024-08-07", unit=2, item=5),
        watch("2024-07-24", unit=1, item=9),
        watch("2024-08-07", unit=1, item=3),
        watch("2024-07-10", unit=1, item=4, milestones=("2024-08-02",)),
    ]
    got = due_nudges(watches, D("2024-07-25"), NudgePolicy())
    assert [(n.unit_id, n.item_id, n.kind) for n in got] == [
        (1, 3, "upcoming"),
        (1, 3, "cycle"),
        (1, 4, "overdue"),  # reminded Jul 24: the cycle date Jul 25 is newer
        (1, 4, "upcoming"),
        (1, 4, "cycle"),
        (1, 9, "overdue"),
        (2, 5, "upcoming"),
        (2, 5, "cycle"),
    ]
    assert due_nudges(reversed(watches), D("2024-07-25"), NudgePolicy()) == got


# ------------------------------------------------------------------------------ escalations


def sent(day: str, kind: str = "overdue", unit: int = 1, item: int | None = 10) -> SentNudge:
    return SentNudge(unit, item, kind, D(day))


def test_an_item_that_stays_overdue_is_escalated_after_two_reminders() -> None:
    w = watch("2024-06-26", last_report_on="2024-06-28")
    one = [sent("2024-06-27")]
    two = [*one, sent("2024-07-02")]
    three = [*two, sent("2024-07-05")]

    def overdue(history: list[SentNudge], today: str, policy: NudgePolicy) -> list[Escalation]:
        return [e for e in escalations(history, [w], D(today), policy) if e.reason == "overdue"]

    policy = NudgePolicy()
    assert overdue(one, "2024-07-02", policy) == []
    assert overdue(two, "2024-07-02", policy) == [Escalation(1, 10, "overdue", 2, D("2024-07-02"))]
    # The count grows; the day the threshold was reached stays (the caller escalates once).
    assert overdue(three, "2024-07-05", policy) == [
        Escalation(1, 10, "overdue", 3, D("2024-07-02"))
    ]
    # A higher threshold waits for more reminders.
    strict = NudgePolicy(escalate_overdue_after=3)
    assert overdue(two, "2024-07-03", strict) == []
    assert overdue(three, "2024-07-05", strict) == [
        Escalation(1, 10, "overdue", 3, D("2024-07-05"))
    ]


def test_overdue_escalation_ignores_done_items_old_deadlines_and_the_future() -> None:
    history = [sent("2024-06-27"), sent("2024-07-02")]
    policy = NudgePolicy()
    done = watch("2024-06-26", done=True, last_report_on="2024-07-02")
    assert escalations(history, [done], D("2024-07-03"), policy) == []
    # The deadline moved to Jul 1 (延期): reminders about the old deadline don't count.
    moved = watch("2024-07-01", last_report_on="2024-07-02")
    assert escalations(history, [moved], D("2024-07-03"), policy) == []
    # A replayed earlier day does not see reminders sent after it.
    w = watch("2024-06-26", last_report_on="2024-06-28")
    assert escalations(history, [w], D("2024-07-01"), policy) == []


def test_a_unit_that_ignores_two_requests_in_a_row_is_escalated() -> None:
    history = [
        sent("2024-06-20", "upcoming", item=10),
        sent("2024-06-20", "cycle", item=11),  # same message: one request
        sent("2024-06-25", "cycle", item=11),
    ]
    watches = [
        watch("2024-12-31", item=10, last_report_on="2024-06-19"),
        watch("2024-12-31", item=11),
    ]
    policy = NudgePolicy()
    assert escalations(history, watches, D("2024-06-26"), policy) == [
        Escalation(1, None, "ignored", 2, D("2024-06-25"))
    ]
    assert escalations(history[:2], watches, D("2024-06-26"), policy) == []  # one request only
    assert escalations(history, watches, D("2024-06-24"), policy) == []  # before the second


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        (None, 2),
        ("2024-06-19", 2),
        ("2024-06-20", None),  # a report the day of the first request answers it
        ("2024-06-21", None),
        ("2024-06-25", None),  # ... and the day of the second
    ],
)
def test_any_report_of_the_unit_answers_its_requests(
    reported: str | None, expected: int | None
) -> None:
    history = [sent("2024-06-20", "cycle", item=10), sent("2024-06-25", "overdue", item=10)]
    watches = [watch("2024-12-31", item=10), watch("2024-12-31", item=12, last_report_on=reported)]
    got = escalations(history, watches, D("2024-06-26"), NudgePolicy())
    assert [e.count for e in got if e.reason == "ignored"] == (
        [] if expected is None else [expected]
    )


def test_ignored_counts_requests_since_the_last_report_and_skips_other_kinds() -> None:
    history = [
        sent("2024-06-03", "cycle"),
        sent("2024-06-05", "escalation", item=None),  # not a request to the unit
        sent("2024-06-12", "cycle"),
        sent("2024-06-14", "upcoming", unit=2),
        sent("2024-06-17", "upcoming"),
        sent("2024-06-18", "upcoming"),
    ]
    watches = [watch("2024-12-31", last_report_on="2024-06-10"), watch("2024-12-31", unit=2)]
    got = escalations(history, watches, D("2024-06-20"), NudgePolicy(escalate_ignored_after=3))
    assert got == [Escalation(1, None, "ignored", 3, D("2024-06-18"))]
    # With the default threshold of two, the same three requests count 3 since Jun 17.
    got = escalations(history, watches, D("2024-06-20"), NudgePolicy())
    assert got == [Escalation(1, None, "ignored", 3, D("2024-06-17"))]
    # The unit's latest report on any item counts, whatever order the watches come in.
    answered = [watch("2024-12-31", item=1, last_report_on="2024-06-18"), *watches]
    assert escalations(history, answered, D("2024-06-20"), NudgePolicy()) == []


def test_escalations_order_items_before_the_unit() -> None:
    history = [sent("2024-06-27", item=10), sent("2024-07-02", item=10)]
    history += [sent("2024-06-27", unit=2, item=20), sent("2024-07-02", unit=2, item=20)]
    watches = [watch("2024-06-26", unit=2, item=20), watch("2024-06-26", unit=1, item=10)]
    got = escalations(history, watches, D("2024-07-03"), NudgePolicy())
    assert [(e.unit_id, e.item_id, e.reason) for e in got] == [
        (1, 10, "overdue"),
        (1, None, "ignored"),
        (2, 20, "overdue"),
        (2, None, "ignored"),
    ]

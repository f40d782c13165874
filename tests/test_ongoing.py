"""Ongoing work (持续推进, 长期坚持): an item with no deadline is chased by the reporting cycle and
its dated steps, is never overdue, has no 序时进度, and keeps its phrase through the ledger.

A clerk's rule: "an item the plan says is ongoing has no due date; ask for progress every cycle,
and remind before each dated step, but never call it late".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from plans.documents.sources import parse_bytes, parse_text
from plans.followup.lights import light
from plans.followup.schedule import ItemWatch, NudgePolicy, due_nudges
from plans.followup.status import ItemRecord, build_snapshot
from plans.model import Item, Milestone, Report, UnitRef
from render.digest import why_red
from render.ledger import ledger_rows, ledger_xlsx
from render.texts import Texts
from render.views import due_text, item_view, overdue_days

TZ = ZoneInfo("Asia/Shanghai")
ZH = Texts("zh")
D = date.fromisoformat
MONTHLY = NudgePolicy(cycle="monthly", cycle_day=25)


def ongoing_item(seq: int = 1, *, milestones: tuple[Milestone, ...] = ()) -> Item:
    return Item(
        seq=seq,
        number=str(seq),
        path=(),
        kind="task",
        title="深化科技体制改革",
        text="深化科技体制改革。(责任单位:局政策法规处;完成时限:持续推进)",
        units=(UnitRef("局政策法规处", "lead"),),
        deadline=None,
        deadline_text="持续推进",
        milestones=milestones,
    )


def watch(**kw: object) -> ItemWatch:
    base = ItemWatch(
        unit_id=1,
        item_id=1,
        deadline=None,
        milestones=(),
        done=False,
        last_report_on=None,
        active_from=D("2023-01-01"),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ the importer


def test_the_importer_reads_ongoing_phrases_as_no_deadline() -> None:
    plan = parse_text(
        "市科技局2023年工作要点\n"
        "1.深化科技体制改革。(责任单位:局政策法规处;完成时限:持续推进)\n"
        "2.建设科技创新平台。(责任单位:局高新处;完成时限:2023年10月底)\n"
    )
    assert [i.deadline for i in plan.items] == [None, date(2023, 10, 31)]
    assert plan.items[0].deadline_text == "持续推进"


# ------------------------------------------------------------------------------ nudges


def test_ongoing_work_gets_the_cycle_request_but_never_an_overdue_reminder() -> None:
    late_in_year = D("2023-12-27")  # after the year's end would have made a Dec-31 item overdue
    due = due_nudges([watch()], late_in_year, MONTHLY)
    assert [n.kind for n in due] == ["cycle"]
    assert due[0].due_on == D("2023-12-25")
    # and in the next year too: ongoing work has no end
    due = due_nudges([watch()], D("2024-03-26"), MONTHLY)
    assert [(n.kind, n.due_on) for n in due] == [("cycle", D("2024-03-25"))]


def test_ongoing_work_is_reminded_before_its_dated_steps() -> None:
    w = watch(milestones=(D("2023-06-30"),))
    due = due_nudges([w], D("2023-06-26"), NudgePolicy(cycle="off"))
    assert [(n.kind, n.about) for n in due] == [("upcoming", D("2023-06-30"))]
    assert due_nudges([w], D("2023-07-10"), NudgePolicy(cycle="off")) == []


def test_done_ongoing_work_is_not_chased() -> None:
    assert due_nudges([watch(done=True)], D("2023-12-27"), MONTHLY) == []


# ------------------------------------------------------------------------------ lights


def test_ongoing_work_is_never_red_for_time_only_for_blocked() -> None:
    common = {"start": D("2023-01-01"), "deadline": None, "last_report_on": D("2023-12-20")}
    assert light(status="in_progress", percent=5, today=D("2023-12-28"), **common) == "green"  # type: ignore[arg-type]
    assert light(status=None, percent=None, today=D("2024-02-01"), **common) == "yellow"  # type: ignore[arg-type]
    assert light(status="blocked", percent=50, today=D("2023-06-01"), **common) == "red"  # type: ignore[arg-type]
    # the same report on an item due at the year's end is red: 5% against 98% of the year gone
    dated = {**common, "deadline": D("2023-12-31")}
    assert light(status="in_progress", percent=5, today=D("2023-12-28"), **dated) == "red"  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ views


def _snap(today: date, reports: list[Report] | None = None, item: Item | None = None):  # type: ignore[no-untyped-def]
    rec = ItemRecord(1, 1, "1", item or ongoing_item(), date(2023, 1, 1))
    return build_snapshot([rec], reports or [], today=today, tz=TZ)


def test_status_views_say_ongoing_not_a_year_end_date() -> None:
    snap = _snap(D("2024-01-10"))
    state = snap.items[0]
    assert state.deadline is None and not state.overdue
    assert overdue_days(state, snap.today) is None
    assert due_text(ZH, state, snap.today) == "持续推进"
    view = "\n".join(item_view(ZH, snap, state))
    assert "无截止日期(持续推进)" in view
    assert "逾期" not in view and "12-31" not in view


def test_an_ongoing_item_with_a_step_ahead_shows_the_step() -> None:
    item = ongoing_item(milestones=(Milestone(D("2023-06-30"), "6月底前出台实施意见"),))
    snap = _snap(D("2023-06-01"), item=item)
    assert snap.items[0].next_due == D("2023-06-30")
    assert due_text(ZH, snap.items[0], snap.today).startswith("节点 06-30")


def test_a_red_ongoing_item_is_red_because_blocked() -> None:
    blocked = Report(
        id=1,
        item_id=1,
        unit_id=1,
        status="blocked",
        percent=None,
        text="有困难:经费未落实",
        created_at=datetime(2023, 5, 1, 2, tzinfo=UTC),
        unit_name="局政策法规处",
    )
    snap = _snap(D("2023-05-02"), [blocked])
    assert snap.items[0].light == "red"
    assert why_red(ZH, snap.items[0], snap.today) == ZH("why_blocked")


# ------------------------------------------------------------------------------ ledger


def test_the_ledger_keeps_the_phrase_and_reads_back_as_ongoing() -> None:
    plan = parse_text(
        "市科技局2023年工作要点\n"
        "1.深化科技体制改革。(责任单位:局政策法规处;完成时限:持续推进)\n"
        "2.建设科技创新平台。(责任单位:局高新处;完成时限:2023年10月底)\n"
    )
    records = [ItemRecord(i.seq, 1, str(i.seq), i, date(2023, 1, 1)) for i in plan.items]
    snap = build_snapshot(records, [], today=D("2023-06-30"), tz=TZ)
    assert ledger_rows(snap, TZ)[0][5] == "持续推进"
    back = parse_bytes(ledger_xlsx(snap, TZ, title=plan.title), name="ledger.xlsx").plan
    assert [i.deadline for i in back.items] == [None, date(2023, 10, 31)]

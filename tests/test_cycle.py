"""One reporting cycle, from the settings, for the lights and /stale: with DUBAN_CYCLE=weekly an
item silent for more than a week is stale; with the monthly cycle, after a month."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from config import Settings
from plans.followup.schedule import NudgePolicy
from plans.followup.status import ItemRecord, build_snapshot, update_snapshot
from plans.model import Item, Report, UnitRef
from render.texts import Texts
from render.views import filtered
from services.core import SnapshotCache, policy_from

TZ = ZoneInfo("Asia/Shanghai")


def _record() -> ItemRecord:
    item = Item(
        seq=1,
        number="1",
        path=(),
        kind="task",
        title="建设科技创新平台",
        text="建设科技创新平台。",
        units=(UnitRef("局高新处", "lead"),),
        deadline=date(2023, 12, 31),
        deadline_text="年底前",
    )
    return ItemRecord(1, 1, "1", item, date(2023, 1, 1))


REPORT = Report(
    id=1,
    item_id=1,
    unit_id=1,
    status="in_progress",
    percent=60.0,
    text="完成60%",
    created_at=datetime(2023, 6, 1, 2, tzinfo=UTC),
    unit_name="局高新处",
)


@pytest.mark.parametrize(("cycle", "days"), [("weekly", 7), ("monthly", 31), ("off", 31)])
def test_the_policy_says_how_long_a_cycle_is(cycle: str, days: int) -> None:
    assert NudgePolicy(cycle=cycle, cycle_day=1).cycle_days == days  # type: ignore[arg-type]
    settings = Settings(cycle=cycle, cycle_day=1)  # type: ignore[arg-type]
    assert policy_from(settings).cycle_days == days


def test_ten_days_of_silence_is_stale_in_a_weekly_cycle_only() -> None:
    today = date(2023, 6, 11)  # 10 days after the report; 60% is ahead of 序时进度 (44%)
    weekly = build_snapshot([_record()], [REPORT], today=today, tz=TZ, cycle_days=7)
    monthly = build_snapshot([_record()], [REPORT], today=today, tz=TZ, cycle_days=31)
    assert weekly.items[0].light == "yellow" and monthly.items[0].light == "green"
    t = Texts("zh")
    assert "1." in "\n".join(filtered(t, weekly, "stale", days=7, tz=TZ))
    assert "1." not in "\n".join(filtered(t, monthly, "stale", days=7, tz=TZ)[1:])
    # an incremental update keeps the snapshot's cycle
    again = update_snapshot(weekly, {1: _record()}, {1: [REPORT]}, [1], unit_reports={}, tz=TZ)
    assert again.cycle_days == 7 and again.items[0].light == "yellow"


def test_the_bot_builds_its_snapshots_with_the_settings_cycle() -> None:
    cache = SnapshotCache(cycle_days=policy_from(Settings(cycle="weekly")).cycle_days)
    assert cache.cycle_days == 7

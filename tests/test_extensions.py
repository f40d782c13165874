"""Reading a request for more time, and how 销号 and 延期 show in the status, the ledger and the
digest (pure: no chat, no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from plans.followup.status import ItemRecord, build_snapshot
from plans.model import Extension, Item, Report, UnitRef
from plans.replies.extensions import asks_for_extension, read_extension
from render.digest import compose_digest
from render.ledger import LEDGER_COLUMNS, ledger_rows
from render.texts import Texts

TZ = ZoneInfo("Asia/Shanghai")
D = date.fromisoformat


@pytest.mark.parametrize(
    ("text", "after", "new", "reason"),
    [
        ("2024-03-31 政策待审议", "2023-12-31", "2024-03-31", "政策待审议"),
        ("2024/3/31 政策待审议", "2023-12-31", "2024-03-31", "政策待审议"),
        ("3月底 资金未到位", "2023-12-31", "2024-03-31", "资金未到位"),  # next March
        ("11月底 等待审批", "2023-10-31", "2023-11-30", "等待审批"),  # this November
        ("申请延期至3月底,原因是政策待审议", "2023-12-31", "2024-03-31", "政策待审议"),
        ("申请延期到明年一季度,因为用地手续未办结", "2023-12-31", "2024-03-31", "用地手续未办结"),
        ("延期至2024年6月30日 设备到货晚", "2023-12-31", "2024-06-30", "设备到货晚"),
        ("明年3月底 土地报批", "2023-06-30", "2024-03-31", "土地报批"),
    ],
)
def test_new_date_and_reason(text: str, after: str, new: str, reason: str) -> None:
    ask = read_extension(text, after=D(after))
    assert ask is not None
    assert (ask.new_deadline, ask.reason) == (D(new), reason)


@pytest.mark.parametrize("text", ["下个月再说", "原因是资金不足", "", "2024-02-30 不存在的日子"])
def test_no_date_no_request(text: str) -> None:
    assert read_extension(text, after=D("2023-12-31")) is None


def test_which_replies_ask_for_more_time() -> None:
    assert asks_for_extension("申请延期至3月底,原因是…")
    assert asks_for_extension("4 延期到明年3月")
    assert not asks_for_extension("已完成60%,预计11月底完成")
    assert not asks_for_extension("未延期,按期推进")


def _item(seq: int = 1) -> Item:
    return Item(
        seq=seq,
        number=str(seq),
        path=(),
        kind="task",
        title="建设科技创新平台",
        text="建设科技创新平台。",
        units=(UnitRef("局高新处", "lead"),),
        deadline=D("2023-12-31"),
        deadline_text="年底前",
    )


def _report(signoff: str | None, when: datetime, status: str = "done") -> Report:
    return Report(
        id=1,
        item_id=1,
        unit_id=1,
        status=status,  # type: ignore[arg-type]
        percent=100.0,
        text="已完成",
        created_at=when,
        unit_name="局高新处",
        signoff=signoff,  # type: ignore[arg-type]
    )


GRANTED = Extension(
    id=1,
    item_id=1,
    unit_id=1,
    unit_name="局高新处",
    old_deadline=D("2023-12-31"),
    new_deadline=D("2024-03-31"),
    phrase="3月底",
    reason="政策待审议",
    state="granted",
    created_at=datetime(2023, 12, 1, tzinfo=UTC),
)


def test_a_granted_extension_moves_the_items_deadline_and_shows_in_the_ledger() -> None:
    rec = ItemRecord(1, 1, "1", _item(), D("2023-01-01"), extensions=(GRANTED,))
    snap = build_snapshot([rec], [], today=D("2024-01-10"), tz=TZ)
    state = snap.items[0]
    assert state.deadline == D("2024-03-31") and state.original_deadline == D("2023-12-31")
    assert not state.overdue  # (still red: nothing reported against 序时进度)
    row = ledger_rows(snap, TZ)[0]
    assert row[LEDGER_COLUMNS.index("延期情况")] == "局高新处:延至2024年3月31日(原定2023年12月31日)"
    # a unit without an extension keeps the plan's date
    assert rec.unit_deadline("局创新处") == D("2023-12-31")


@pytest.mark.parametrize(
    ("signoff", "words", "done"),
    [
        (None, "已完成", True),
        ("pending", "待销号", True),
        ("signed", "已销号", True),
        ("returned", "推进中(已退回)", False),
    ],
)
def test_signoff_states_in_status_and_ledger(signoff: str | None, words: str, done: bool) -> None:
    rec = ItemRecord(1, 1, "1", _item(), D("2023-01-01"))
    when = datetime(2023, 11, 1, 2, tzinfo=UTC)
    snap = build_snapshot([rec], [_report(signoff, when)], today=D("2023-11-02"), tz=TZ)
    assert snap.items[0].done is done
    assert ledger_rows(snap, TZ)[0][LEDGER_COLUMNS.index("状态")] == words


def test_the_digest_counts_dones_waiting_for_signoff() -> None:
    records = [ItemRecord(i, 1, str(i), replace(_item(i), seq=i), D("2023-01-01")) for i in (1, 2)]
    old = replace(_report("pending", datetime(2023, 11, 1, 2, tzinfo=UTC)), item_id=1)
    new = replace(_report("pending", datetime(2023, 11, 9, 2, tzinfo=UTC)), id=2, item_id=2)
    now = build_snapshot(records, [old, new], today=D("2023-11-13"), tz=TZ)
    before = build_snapshot(records, [], today=D("2023-11-06"), tz=TZ)
    d = compose_digest(Texts("zh"), now, before, cycle_start=None, title="工作要点", tz=TZ)
    assert d.headline["awaiting_signoff"] == 2
    text = "\n".join(d.text_lines)
    assert "待销号 2 项,其中 1 项已等待超过 3 个工作日" in text
    assert "1. 建设科技创新平台" in text

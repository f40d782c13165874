"""The 督办 workflow end to end, through the real Application and the Bot API sandbox: a unit's
done waits for 销号, a coordinator signs it off or sends it back with a reason, a unit asks for
more time and a coordinator grants or refuses it, and an item already overdue at import is chased.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from plans.documents.parser import parse_text
from sandbox import BotApiSandbox, SandboxUser
from services.core import Services
from storage import Database, import_plan
from tests.e2e_support import ADMIN_ID, TOKEN, TZ, Clock, World, settings_for
from tests.test_e2e import nudge_button


def buttons_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(message: dict[str, Any], label: str) -> str:
    for b in buttons_of(message):
        if b["text"] == label:
            return str(b["callback_data"])
    raise LookupError(f"no button {label!r} on {message.get('text')!r}")


async def latest_with(w: World, chat: int, needle: str, after: int = 0) -> dict[str, Any]:
    """The newest bot message in `chat` containing `needle` (waiting for it)."""

    def found() -> bool:
        return any(m["message_id"] > after and needle in (m["text"] or "") for m in w.sb.sent(chat))

    await w.sb.wait_for(found, what=f"a message with {needle!r} in chat {chat}", timeout=10)
    return dict(
        [m for m in w.sb.sent(chat) if m["message_id"] > after and needle in (m["text"] or "")][-1]
    )


def last_id(w: World, chat: int) -> int:
    sent = w.sb.sent(chat)
    return int(sent[-1]["message_id"]) if sent else 0


async def done_by_button(w: World, contact: SandboxUser, seq: str) -> dict[str, Any]:
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if m["text"] and "【督办提醒】" in m["text"])
    mark = last_id(w, ADMIN_ID)
    contact.press(nudge, nudge_button(nudge, seq, "d"))
    confirm = await latest_with(w, contact.id, "待督查室销号", after=int(nudge["message_id"]))
    assert f"第 {seq} 项" in confirm["text"]
    return await latest_with(w, ADMIN_ID, "【待销号】", after=mark)


async def test_done_awaits_signoff_then_signed_off(world: World) -> None:
    w = world
    contact = w.sb.create_user("王联络")
    await w.join(contact, "局高新处")
    case = await done_by_button(w, contact, "4")
    assert "第 4 项" in case["text"] and "局高新处" in case["text"] and "王联络" in case["text"]
    assert [b["text"] for b in buttons_of(case)] == ["销号", "退回"]
    assert await w.rows("SELECT status, signoff FROM reports") == [("done", "pending")]

    # awaiting 销号: not nudged, shown as 待销号
    status = await w.say(w.admin, "/status 4")
    assert "待销号" in status["text"]
    mark = last_id(w, contact.id)
    await w.pass_at(datetime(2023, 12, 25, 9, 30, tzinfo=TZ))
    later = [m for m in w.sb.sent(contact.id) if m["message_id"] > mark]
    assert not any("4. 加快高新技术企业培育" in (m["text"] or "") for m in later)

    listed = await w.say(w.admin, "/pending")  # the same case, listed with its own buttons
    assert "待销号 1 项" in listed["text"]
    copy = await latest_with(w, ADMIN_ID, "王联络", after=int(listed["message_id"]) - 1)
    w.admin.press(case, button(case, "销号"))
    told = await latest_with(w, contact.id, "已销号", after=mark)
    assert "第 4 项" in told["text"]
    assert await w.rows("SELECT signoff, signoff_by FROM reports") == [("signed", ADMIN_ID)]
    status = await w.say(w.admin, "/status 4")
    assert "已销号" in status["text"]
    edited = next(m for m in w.sb.sent(ADMIN_ID) if m["message_id"] == case["message_id"])
    assert "已销号" in edited["text"] and not buttons_of(edited)

    # the other copy's buttons decide nothing twice
    before = len(w.sb.answers)
    w.admin.press(copy, button(copy, "退回"))
    w.admin.press(copy, button(copy, "销号"))
    await w.sb.wait_for(lambda: len(w.sb.answers) >= before + 2, what="both presses answered")
    assert "处理过" in str(list(w.sb.answers.values())[-1])
    assert await w.rows("SELECT signoff FROM reports") == [("signed",)]
    pending = await w.say(w.admin, "/pending")
    assert "没有待销号" in pending["text"]


async def test_returned_with_a_reason_is_chased_again(world: World) -> None:
    w = world
    contact = w.sb.create_user("李联络")
    await w.join(contact, "局高新处")
    case = await done_by_button(w, contact, "4")
    w.admin.press(case, button(case, "退回"))
    ask = await latest_with(w, ADMIN_ID, "退回理由", after=int(case["message_id"]))
    assert "/skip" in ask["text"]
    mark = last_id(w, contact.id)
    note = await w.say(w.admin, "佐证材料不全,请补充认定名单")
    assert "已退回第 4 项" in note["text"]
    told = await latest_with(w, contact.id, "被退回", after=mark)
    assert "第 4 项被退回:佐证材料不全,请补充认定名单" in told["text"]
    assert await w.rows("SELECT signoff, signoff_note FROM reports") == [
        ("returned", "佐证材料不全,请补充认定名单")
    ]
    status = await w.say(w.admin, "/status 4")
    assert "已退回" in status["text"]

    # chased again: the cycle's progress request names item 4
    mark = last_id(w, contact.id)
    await w.pass_at(datetime(2023, 12, 25, 9, 30, tzinfo=TZ))
    nudge = await latest_with(w, contact.id, "【督办提醒】", after=mark)
    assert "4. 加快高新技术企业培育" in nudge["text"]

    # the unit reports done again: a new 销号 case
    contact.press(nudge, nudge_button(nudge, "4", "d"))
    again = await latest_with(w, ADMIN_ID, "【待销号】", after=int(case["message_id"]))
    assert "第 4 项" in again["text"]
    listing = await w.say(w.admin, "/pending")
    assert "待销号 1 项" in listing["text"]


async def test_return_without_a_reason_with_skip(world: World) -> None:
    w = world
    contact = w.sb.create_user("周联络")
    await w.join(contact, "局高新处")
    case = await done_by_button(w, contact, "4")
    w.admin.press(case, button(case, "退回"))
    await latest_with(w, ADMIN_ID, "退回理由", after=int(case["message_id"]))
    note = await w.say(w.admin, "/skip")
    assert "未写理由" in note["text"]
    assert await w.rows("SELECT signoff, signoff_note FROM reports") == [("returned", "")]


async def test_extension_granted_moves_the_units_deadline(world: World) -> None:
    w = world
    contact = w.sb.create_user("赵联络")
    await w.join(contact, "局高新处")
    mark = last_id(w, ADMIN_ID)
    sent = await w.say(contact, "/extend 4 2024-03-31 政策待审议")
    assert "2023-12-31 → 2024-03-31" in sent["text"] and "等待" in sent["text"]
    case = await latest_with(w, ADMIN_ID, "【延期申请】", after=mark)
    assert "政策待审议" in case["text"] and "2024-03-31" in case["text"]
    mark = last_id(w, contact.id)
    w.admin.press(case, button(case, "同意"))
    told = await latest_with(w, contact.id, "已批准", after=mark)
    assert "2024-03-31" in told["text"]
    status = await w.say(w.admin, "/status 4")
    assert "截止 2024-03-31(原定 12-31,已批准延期)" in status["text"]

    # nudges follow the new date: no overdue reminder for item 4 in January
    mark = last_id(w, contact.id)
    await w.pass_at(datetime(2024, 1, 8, 9, 30, tzinfo=TZ))
    later = "\n".join(m["text"] or "" for m in w.sb.sent(contact.id) if m["message_id"] > mark)
    assert "已逾期" in later  # the unit's other items are overdue
    line = next(part for part in later.split("\n4. ")[1:2])
    assert "已逾期" not in line.split("\n")[1]


async def test_extension_refused_changes_nothing_and_reply_asks_work(world: World) -> None:
    w = world
    contact = w.sb.create_user("钱联络")
    await w.join(contact, "局高新处")
    mark = last_id(w, ADMIN_ID)
    sent = await w.say(contact, "4 申请延期至3月底,原因是用地指标未落实")
    assert "→ 2024-03-31" in sent["text"]
    case = await latest_with(w, ADMIN_ID, "【延期申请】", after=mark)
    assert "用地指标未落实" in case["text"]
    mark = last_id(w, contact.id)
    w.admin.press(case, button(case, "不同意"))
    told = await latest_with(w, contact.id, "未获批准", after=mark)
    assert "2023-12-31" in told["text"]
    assert await w.rows("SELECT state FROM extensions") == [("refused",)]
    status = await w.say(w.admin, "/status 4")
    assert "原定" not in status["text"]


@pytest.mark.parametrize(
    ("command", "needle"),
    [
        ("/extend", "用法"),
        ("/extend 4", "没有看出新的截止日期"),
        ("/extend 4 2024-03-31", "请写明延期原因"),
        ("/extend 4 2023-06-30 提前", "不晚于"),
        ("/extend 999 2024-03-31 资金未到位", "用法"),
        ("/extend 7 2024-03-31 资金未到位", "不是您单位负责"),
        ("/extend 4 2024-03-31 原因", "请写明延期原因"),
    ],
)
async def test_bad_extension_requests_get_a_clear_answer(
    world: World, command: str, needle: str
) -> None:
    w = world
    contact = w.sb.create_user("孙联络")
    await w.join(contact, "局高新处")
    answer = await w.say(contact, command)
    assert needle in answer["text"]
    assert await w.rows("SELECT count(*) FROM extensions") == [(0,)]


async def test_pending_is_for_coordinators(world: World) -> None:
    w = world
    contact = w.sb.create_user("吴联络")
    await w.join(contact, "局高新处")
    answer = await w.say(contact, "/pending")
    assert "只限督查协调员" in answer["text"]


# ------------------------------------------------------------------------------ 销号 off


@pytest.fixture
async def world_without_signoff(tmp_path: Path) -> AsyncIterator[World]:
    async with _world(tmp_path, signoff=False) as w:
        yield w


async def test_with_signoff_off_done_closes_the_item(world_without_signoff: World) -> None:
    w = world_without_signoff
    contact = w.sb.create_user("郑联络")
    await w.join(contact, "局高新处")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if m["text"] and "【督办提醒】" in m["text"])
    mark = last_id(w, ADMIN_ID)
    contact.press(nudge, nudge_button(nudge, "4", "d"))
    confirm = await latest_with(w, contact.id, "已完成", after=int(nudge["message_id"]))
    assert "销号" not in confirm["text"]
    assert await w.rows("SELECT status, signoff FROM reports") == [("done", None)]
    assert not any("【待销号】" in (m["text"] or "") for m in w.sb.sent(ADMIN_ID)[mark:])


# ------------------------------------------------------------------------------ overdue at import

LATE_PLAN = """市科技局2023年工作要点
1.出台科技创新若干政策。(责任单位:局政策法规处;完成时限:2023年6月底)
2.建设科技创新平台。(责任单位:局政策法规处;完成时限:2023年12月底)
"""


async def test_an_item_overdue_at_import_is_chased(tmp_path: Path) -> None:
    # the plan is imported in November, long after item 1 was due at the end of June
    async with _world(tmp_path, plan=LATE_PLAN, at=datetime(2023, 11, 1, 10, tzinfo=TZ)) as w:
        contact = w.sb.create_user("冯联络")
        await w.join(contact, "局政策法规处")
        await w.pass_at(datetime(2023, 11, 2, 9, 30, tzinfo=TZ))
        nudge = await latest_with(w, contact.id, "【督办提醒】")
        assert "1. 出台科技创新若干政策" in nudge["text"] and "已逾期" in nudge["text"]


# ------------------------------------------------------------------------------ helpers


class _world:
    """A world like conftest's, with settings and a plan of the test's choosing."""

    def __init__(
        self,
        tmp_path: Path,
        *,
        plan: str | None = None,
        at: datetime = datetime(2023, 2, 20, 10, 0, tzinfo=TZ),
        **settings: Any,
    ) -> None:
        self.tmp_path, self.plan, self.at, self.settings = tmp_path, plan, at, settings

    async def __aenter__(self) -> World:
        from contextlib import AsyncExitStack

        from plans.documents.sources import parse_file
        from tests.e2e_support import SEED_000

        self.stack = AsyncExitStack()
        sb = await self.stack.enter_async_context(
            BotApiSandbox(token=TOKEN, private_chat_limit=None, global_limit=None)
        )
        unpaced = {"chat_rate": 0, "send_rate": 2000}  # as conftest's: the sandbox has no limit
        settings = settings_for(sb, self.tmp_path, **{**unpaced, **self.settings})
        db = await self.stack.enter_async_context(await Database.open(settings.database))
        clock = Clock(self.at)
        svc = Services(settings=settings, db=db, clock=clock)
        plan = parse_text(self.plan) if self.plan else parse_file(SEED_000).plan
        await import_plan(db, plan, source_name="plan", content_hash="x", now=clock.moment)
        app = build_application(settings, db, services=svc)
        await self.stack.enter_async_context(running(app, poll_timeout=1))
        admin = sb.create_user("办公室", user_id=ADMIN_ID)
        w = World(sb, db, svc, app, clock, admin)
        await w.say(admin, "/start")
        return w

    async def __aexit__(self, *exc: object) -> None:
        await self.stack.aclose()


async def test_an_acknowledgement_records_nothing_and_says_how_to_report(world: World) -> None:
    w = world
    contact = w.sb.create_user("陈联络")
    await w.join(contact, "局高新处")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if m["text"] and "【督办提醒】" in m["text"])
    for text in ("收到", "好的👌"):
        answer = await w.say(contact, text, reply_to=nudge)
        assert "汇报进展请直接回复" in answer["text"]
    assert await w.rows("SELECT count(*) FROM reports") == [(0,)]


async def test_a_reply_naming_two_items_asks_which(world: World) -> None:
    w = world
    contact = w.sb.create_user("褚联络")
    await w.join(contact, "局高新处")
    answer = await w.say(contact, "第3项 第4项完成")
    assert "哪一项" in answer["text"]
    assert await w.rows("SELECT count(*) FROM reports") == [(0,)]

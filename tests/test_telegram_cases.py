"""Two real Telegram cases: a group upgraded to a supergroup (ChatMigrated), and a button on
a message too old for Telegram to hand back (InaccessibleMessage). The sandbox produces both
(`migrate_group`, `press` on a message older than 48 h); the real Application handles them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from storage import Database
from storage.people_repo import move_chat
from tests.e2e_support import TZ, World
from tests.test_delivery import RECORDED, bound_group, told_error

pytestmark = pytest.mark.usefixtures("groups_unpaced")  # conftest: 3 s an answer in a group

# -- 4. a group upgraded to a supergroup ---------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 5) -> None:
    """Wait for a condition on the database (re-checked every 20 ms, like `sandbox.wait_for`
    re-checks conditions on the bot's state)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


async def test_upgraded_group_keeps_its_unit_through_the_service_message(world: World) -> None:
    w = world
    lead, member = w.sb.create_user("组长"), w.sb.create_user("组员")
    group = await bound_group(w, [lead, member], "局高新处")
    supergroup = w.sb.migrate_group(group)
    assert supergroup.id < -1_000_000_000_000 and supergroup.type == "supergroup"
    assert [m.get("migrate_to_chat_id") for m in w.sb.messages(group)][-1] == supergroup.id

    async def moved() -> bool:
        rows = await w.rows("SELECT chat_id, active FROM contacts WHERE role = 'contact'")
        return rows == [(supergroup.id, 1)]

    await eventually(moved, "the unit's contact to move to the supergroup")
    # the supergroup is the unit's chat now: a member's report there counts for the unit
    sent = member.send_text(supergroup, "/report 4 完成30%")
    confirm = await w.next_answer(supergroup.id, sent)
    assert RECORDED in confirm["text"] and "第 4 项" in confirm["text"]
    assert await w.rows("SELECT reporter_name, percent FROM reports") == [("组员", 30.0)]


async def test_a_send_to_an_upgraded_group_moves_the_contact_and_goes_to_the_supergroup(
    world: World,
) -> None:
    """The bot misses the service messages; its confirmation to the old id gets 400 with
    migrate_to_chat_id: the unit's contact moves and the confirmation goes to the new id."""
    w = world
    lead, member = w.sb.create_user("组长"), w.sb.create_user("组员")
    group = await bound_group(w, [lead, member], "局高新处")
    w.sb.set_latency(0.8, "sendMessage")  # the confirmation is in flight when the group moves
    member.send_text(group, "/report 9 完成40%")

    async def stored() -> bool:
        return await w.rows("SELECT count(*) FROM reports") == [(1,)]

    await eventually(stored, "the report to be stored")
    supergroup = w.sb.migrate_group(group, notify_bot=False)
    confirm = await w.sb.wait_for_message(
        supergroup.id, lambda m: RECORDED in (m["text"] or ""), timeout=15
    )
    w.sb.clear_faults()
    assert "第 9 项" in confirm["text"]
    failed = [c.description for c in w.sb.calls_to("sendMessage") if c.status == 400]
    assert failed == ["Bad Request: group chat was upgraded to a supergroup chat"]
    assert await w.rows("SELECT chat_id FROM contacts WHERE role = 'contact'") == [(supergroup.id,)]
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]
    assert told_error(w.sb, group.id, supergroup.id) == []
    # the next message for the unit goes straight to the supergroup
    sent = member.send_text(supergroup, "/report 10 完成20%")
    again = await w.next_answer(supergroup.id, sent)
    assert RECORDED in again["text"] and "第 10 项" in again["text"]


async def test_move_chat_keeps_one_membership_per_chat(fresh_db: Database) -> None:
    from storage.people_repo import create_invite, redeem_invite
    from storage.units_repo import add_unit

    now = datetime(2023, 5, 1, 10, 0, tzinfo=TZ)
    unit, _ = await add_unit(fresh_db, "局高新处")
    for token, chat in (("a", -4001), ("b", -100500)):
        await create_invite(
            fresh_db,
            token=token,
            role="contact",
            unit_id=unit.id,
            created_by=1,
            expires_at=now.replace(month=6),
            now=now,
        )
        await redeem_invite(
            fresh_db, token=token, user_id=7, chat_id=chat, display_name="群", now=now
        )
    # the supergroup already joined on its own: the old group's membership folds into it
    moved = await move_chat(fresh_db, -4001, -100500)
    assert [c.chat_id for c in moved] == [-100500]
    rows = await fresh_db.fetchall("SELECT chat_id, active FROM contacts ORDER BY id")
    assert [tuple(r) for r in rows] == [(-4001, 0), (-100500, 1)]
    assert await move_chat(fresh_db, -4001, -100500) == []  # nothing left to move


# -- 5. a button on a message Telegram no longer hands back --------------------------------------


async def test_a_button_on_an_inaccessible_message_is_confirmed_in_a_new_message(
    world: World,
) -> None:
    w = world
    contact = w.sb.create_user("赵联络")
    await w.join(contact, "局产学研处")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if "【督办提醒】" in (m["text"] or ""))
    button = next(
        b["callback_data"]
        for row in nudge["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"].startswith("7 ") and b["callback_data"].endswith("d")
    )
    # three days later by the sandbox's clock: Telegram no longer hands the nudge back
    real_clock = w.sb.world.clock
    w.sb.world.clock = lambda: real_clock() + 72 * 3600
    query = contact.press(nudge, button)
    assert query["message"]["date"] == 0 and "text" not in query["message"]
    confirm = await w.sb.wait_for_message(
        contact.id, lambda m: RECORDED in (m["text"] or ""), timeout=10
    )
    assert "第 7 项" in confirm["text"] and "已完成" in confirm["text"]
    assert confirm["method"] == "sendMessage" and confirm["reply_to"] is None
    await w.sb.wait_for(lambda: query["id"] in w.sb.answers or None, what="callback answered")
    assert await w.rows("SELECT count(*), max(status) FROM reports") == [(1, "done")]
    assert told_error(w.sb, contact.id) == []
    assert not any(m["edits"] for m in w.sb.sent(contact.id))  # a new message, not an edit


async def test_a_button_in_a_group_on_an_inaccessible_message_is_confirmed(world: World) -> None:
    """In a group the confirmation used to quote the nudge -- which Telegram no longer hands
    back, nor lets anyone quote: the report was stored and the person told it failed."""
    w = world
    lead, member = w.sb.create_user("组长"), w.sb.create_user("组员")
    group = await bound_group(w, [lead, member], "局高新处")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(group.id) if "【督办提醒】" in (m["text"] or ""))
    button = next(
        b["callback_data"]
        for row in nudge["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"].startswith("9 ") and b["callback_data"].endswith("p")
    )
    real_clock = w.sb.world.clock
    w.sb.world.clock = lambda: real_clock() + 72 * 3600
    query = member.press(nudge, button)
    confirm = await w.sb.wait_for_message(
        group.id, lambda m: RECORDED in (m["text"] or ""), timeout=10
    )
    assert "第 9 项" in confirm["text"] and confirm["reply_to"] is None
    await w.sb.wait_for(lambda: query["id"] in w.sb.answers or None, what="callback answered")
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]
    assert told_error(w.sb, group.id) == []


# -- what duban cannot read: a voice message, a sticker, a location ------------------------------


async def test_a_voice_message_sticker_or_location_gets_one_line_asking_for_text(
    world: World,
) -> None:
    """A contact answering a nudge by voice, with a sticker or a location is told in one line to
    answer in text (nothing is stored as progress); in a group only what replies to duban gets
    that line -- the members' own voice notes to each other are theirs."""
    w = world
    contact = w.sb.create_user("联络员")
    await w.join(contact, "局高新处")
    for send in (
        lambda: contact.send_voice(b"OggS" + bytes(60), duration=4),
        lambda: contact.send_sticker("👍"),
        lambda: contact.send_location(31.78, 119.95),
    ):
        sent = send()
        hint = await w.next_answer(contact.id, sent)
        assert "请用文字回复" in hint["text"]
    assert await w.rows("SELECT count(*) FROM reports") == [(0,)]

    lead, member = w.sb.create_user("组长"), w.sb.create_user("组员")
    group = await bound_group(w, [lead, member], "局农社处")
    confirm = await w.say(member, "/report 4 完成30%", chat=group.id)
    before = len(w.sb.sent(group.id))
    member.send_voice(b"OggS" + bytes(60), chat=group)  # to the others, not to duban
    sent = member.send_voice(b"OggS" + bytes(60), reply_to=confirm)
    hint = await w.next_answer(group.id, sent)
    assert "请用文字回复" in hint["text"]
    assert len(w.sb.sent(group.id)) == before + 1  # one answer, to the reply only


# -- one reply, one line per item ---------------------------------------------------------------


async def test_a_reply_with_one_line_per_item_is_one_report_per_line(world: World) -> None:
    """A contact answers a nudge about several items in one message, a line for each: each line
    is stored as the report of its item, and one message confirms them all. A reply to that
    confirmation is asked which item it is about, not added to one of them at random; a
    second line that names no item stays part of the first line's report."""
    w = world
    contact = w.sb.create_user("联络员")
    await w.join(contact, "局高新处")
    sent = contact.send_text("3 完成60%,预计11月底完成\n4 已完成\n5 受资金影响,暂停")
    answer = await w.next_answer(contact.id, sent)
    assert answer["text"].count(RECORDED) == 3
    rows = await w.rows(
        "SELECT i.seq, r.status, r.percent, r.text FROM reports r JOIN items i ON i.id = r.item_id"
        " ORDER BY i.seq"
    )
    assert rows == [
        (3, "in_progress", 60.0, "3 完成60%,预计11月底完成"),
        (4, "done", 100.0, "4 已完成"),
        (5, "blocked", None, "5 受资金影响,暂停"),
    ]
    # editing the message updates each report with its own line, in one answer
    contact.edit(sent, "3 完成80%\n4 已完成\n5 资金已到位,完成30%")
    updated = await w.sb.wait_for_message(contact.id, timeout=10)
    assert updated["text"].count("已更新") == 3
    current = await w.rows(
        "SELECT i.seq, r.status, r.percent, r.text FROM reports r JOIN items i ON i.id = r.item_id"
        " WHERE r.superseded_by IS NULL ORDER BY i.seq"
    )
    assert current == [
        (3, "in_progress", 80.0, "3 完成80%"),
        (4, "done", 100.0, "4 已完成"),
        (5, "in_progress", 30.0, "5 资金已到位,完成30%"),
    ]
    # a second line naming no item is part of the first line's report, as before
    one = await w.say(contact, "3 完成70%\n其余工作正常推进")
    assert one["text"].count(RECORDED) == 1
    assert await w.rows("SELECT count(*), max(text) FROM reports WHERE percent = 70") == [
        (1, "3 完成70%\n其余工作正常推进")
    ]
    # a reply to the combined confirmation: which item?
    which = await w.say(contact, "补充:已报送材料", reply_to=answer)
    assert RECORDED not in which["text"]
    assert await w.rows("SELECT count(*) FROM reports WHERE superseded_by IS NULL") == [(4,)]

"""End to end: the real Application, over HTTP, against the Bot API sandbox, on the seed plans.

invite → join → nudge at a replayed date → reply → stored report → confirmation; buttons,
edits, files; restarts; 429, 403 and 5xx from the sandbox; people who are not allowed.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application, running
from plans.documents.sources import parse_file
from sandbox import BotApiSandbox, Limit, SandboxUser
from services.core import Services
from storage import Database, import_plan
from tests.e2e_support import ADMIN_ID, SEED_000, SEED_001, TOKEN, TZ, Clock, World, settings_for


def nudge_button(message: dict[str, Any], seq: str, status: str) -> str:
    """The callback data of a status button for item `seq` on a nudge."""
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"].startswith(f"{seq} ") and button["callback_data"].endswith(status):
                return str(button["callback_data"])
    raise LookupError(f"no {status} button for item {seq}")


async def test_invite_join_nudge_reply_report_confirm(world: World) -> None:
    w = world
    contact = w.sb.create_user("王联络")
    joined = await w.join(contact, "高新处")
    assert "局高新处" in joined["text"] and "联络员" in joined["text"]
    assert "4. 加快高新技术企业培育" in joined["text"]  # the unit's items are listed

    # 2023-12-18 (Mon): the 14-day nudge before the Dec 31 deadline fell on Fri Dec 15.
    report = await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    assert report.units_sent >= 1
    nudges = [m for m in w.sb.sent(contact.id) if m["text"] and "【督办提醒】" in m["text"]]
    assert len(nudges) == 1, "one message per unit, not one per item"
    nudge = nudges[0]
    assert nudge["text"].count("截止 2023-12-31") == 10  # 局高新处 has ten items
    assert len(nudge["reply_markup"]["inline_keyboard"]) == 10

    # the contact replies to the nudge, naming the item
    confirm = await w.say(contact, "4 完成60%,已净增高企320家,预计11月底完成", reply_to=nudge)
    assert "第 4 项" in confirm["text"] and "60" in confirm["text"]
    rows = await w.rows(
        "SELECT r.text, r.status, r.percent, r.value, r.measure, i.seq, r.source FROM reports r"
        " JOIN items i ON i.id = r.item_id"
    )
    assert rows == [
        ("4 完成60%,已净增高企320家,预计11月底完成", "in_progress", 60.0, 320.0, "家", 4, "reply")
    ]

    # a second pass the same day sends nothing new
    again = await w.pass_at(datetime(2023, 12, 18, 15, 0, tzinfo=TZ))
    assert again.messages_sent == 0


async def test_buttons_reply_to_confirmation_and_edit_keep_history(world: World) -> None:
    w = world
    contact = w.sb.create_user("李联络")
    await w.join(contact, "局产学研处")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if m["text"] and "【督办提醒】" in m["text"])

    contact.press(nudge, nudge_button(nudge, "7", "d"))
    confirm = await w.sb.wait_for_message(contact.id, timeout=10, after=nudge["message_id"])
    assert "已完成" in confirm["text"]
    answer = await w.say(contact, "龙城实验室已通过验收", reply_to=confirm)
    assert "已更新" in answer["text"]
    rows = await w.rows("SELECT text, status, superseded_by IS NULL FROM reports ORDER BY id")
    assert rows == [("", "done", 0), ("龙城实验室已通过验收", "done", 1)]

    # blocked via the button asks for the reason
    contact.press(nudge, nudge_button(nudge, "8", "b"))
    blocked = await w.sb.wait_for_message(contact.id, timeout=10)
    assert "有困难" in blocked["text"] and "说明" in blocked["text"]

    # an edited reply updates its report and keeps the old version
    sent = contact.send_text("/report 16 完成30%")
    first = await w.sb.wait_for_message(contact.id, timeout=10)
    assert "30" in first["text"]
    contact.edit(sent, "/report 16 完成50%,预计12月20日完成")
    updated = await w.sb.wait_for_message(contact.id, timeout=10)
    assert "已更新" in updated["text"] and "50" in updated["text"]
    history = await w.rows(
        "SELECT r.text, r.percent, r.expected_date, r.superseded_by IS NULL FROM reports r"
        " JOIN items i ON i.id = r.item_id WHERE i.seq = 16 ORDER BY r.id"
    )
    assert history == [
        ("完成30%", 30.0, None, 0),
        ("完成50%,预计12月20日完成", 50.0, "2023-12-20", 1),
    ]


async def test_reply_without_item_gets_a_question_and_files_become_evidence(world: World) -> None:
    w = world
    contact = w.sb.create_user("赵联络")
    await w.join(contact, "局对外合作处")
    question = await w.say(contact, "进度过半,推进中")
    assert "哪一项" in question["text"]
    buttons = [b for row in question["reply_markup"]["inline_keyboard"] for b in row]
    choice = next(b for b in buttons if b["text"].startswith("13."))
    contact.press(question, choice["callback_data"])
    confirm = await w.sb.wait_for_message(contact.id, timeout=10)
    assert "第 13 项" in confirm["text"]
    # the draft is used once: a second press does not record twice
    contact.press(question, choice["callback_data"])
    await w.sb.wait_for(lambda: len(w.sb.answers) >= 2, what="second callback answered")
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]

    # a document sent as a reply to the confirmation is kept as evidence on that report
    contact.upload_document("验收报告.pdf", b"%PDF-1.4 test", reply_to=confirm)
    kept = await w.sb.wait_for_message(contact.id, timeout=10)
    assert "验收报告.pdf" in kept["text"] or "已更新" in kept["text"]
    evidence = await w.rows("SELECT kind, file_name FROM evidence")
    assert evidence == [("document", "验收报告.pdf")]


async def test_coordinator_assigns_units_for_plans_that_name_none(world: World) -> None:
    w = world
    parsed = parse_file(SEED_001)
    await import_plan(
        w.db,
        parsed.plan,
        source_name=SEED_001.name,
        content_hash=parsed.content_hash,
        now=datetime(2023, 3, 1, tzinfo=TZ),
    )
    listing = await w.say(w.admin, "/unassigned")
    assert "2-1." in listing["text"] and "2-21." in listing["text"]
    unknown = await w.say(w.admin, "/assign 2-3 泰安市科技局平台科")
    assert "没有找到单位" in unknown["text"]
    added = await w.say(w.admin, "/addunit 泰安市科技局平台科")
    assert "已新增单位" in added["text"]
    done = await w.say(w.admin, "/assign 2-3 平台科 lead")
    assert "已将第 2-3 项" in done["text"] and "泰安市科技局平台科" in done["text"]
    ambiguous = await w.say(w.admin, "/assign 3 局高新处")
    assert "多个计划" in ambiguous["text"]
    usage = await w.say(w.admin, "/assign")
    assert "用法" in usage["text"]


async def test_strangers_and_contacts_are_kept_to_their_place(world: World) -> None:
    w = world
    stranger = w.sb.create_user("陌生人")
    for text in ("/start", "/mine", "/report 4 已完成", "/invite 局高新处", "你好"):
        answer = await w.say(stranger, text)
        assert "邀请链接" in answer["text"] or "没有权限" in answer["text"], text
        assert "高新" not in answer["text"]  # no plan data leaks
    bad = await w.say(stranger, "/start not-a-real-token")
    assert "无效" in bad["text"]

    contact = w.sb.create_user("孙联络")
    await w.join(contact, "局科评处")
    refused = await w.say(contact, "/invite leader")
    assert "没有权限" in refused["text"]
    not_yours = await w.say(contact, "/report 4 已完成")
    assert "不是您单位负责的事项" in not_yours["text"]
    unknown = await w.say(contact, "/frobnicate")
    assert "没有这个命令" in unknown["text"]
    hostile = await w.say(contact, "/report 28 <b>完成</b> & <script>alert(1)</script> 完成50%")
    assert "已记录" in hostile["text"]
    stored = await w.rows("SELECT text FROM reports")
    assert stored == [("<b>完成</b> & <script>alert(1)</script> 完成50%",)]

    # an invite works once
    link = await w.invite("局科评处")
    first, second = w.sb.create_user("甲"), w.sb.create_user("乙")
    first.open_link(link)
    await w.sb.wait_for_message(first.id, timeout=10)
    second.open_link(link)
    used = await w.sb.wait_for_message(second.id, timeout=10)
    assert "已被使用" in used["text"]


async def test_menus_by_role(world: World) -> None:
    w = world
    contact = w.sb.create_user("周联络")
    await w.join(contact, "局办公室")
    await w.sb.wait_for(
        lambda: w.sb.commands({"type": "chat", "chat_id": contact.id}) or None, what="menu"
    )
    contact_menu = {c["command"] for c in w.sb.commands({"type": "chat", "chat_id": contact.id})}
    admin_menu = {c["command"] for c in w.sb.commands({"type": "chat", "chat_id": ADMIN_ID})}
    assert {"mine", "report"} <= contact_menu and "invite" not in contact_menu
    assert {"invite", "assign", "unassigned"} <= admin_menu


async def test_blocked_contact_is_deactivated_and_coordinators_told(world: World) -> None:
    w = world
    contact = w.sb.create_user("钱联络")
    await w.join(contact, "局科服处")
    contact.block_bot()
    report = await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    assert report.unreachable == ["钱联络"]
    assert await w.rows("SELECT active FROM contacts WHERE chat_id = ?", (contact.id,)) == [(0,)]
    warning = await w.sb.wait_for_message(
        ADMIN_ID, lambda m: "没有可联系" in (m["text"] or ""), timeout=10
    )
    assert "局科服处" in warning["text"]
    # its nudges stay pending: a contact who joins later gets them
    pending = await w.rows(
        "SELECT count(*) FROM nudges n JOIN units u ON u.id = n.unit_id"
        " WHERE u.name = '局科服处' AND n.state = 'pending'"
    )
    assert pending[0][0] > 0
    newcomer = w.sb.create_user("孙新")
    await w.join(newcomer, "局科服处")
    again = await w.pass_at(datetime(2023, 12, 18, 11, 0, tzinfo=TZ))
    assert again.units_sent == 1
    assert any("【督办提醒】" in (m["text"] or "") for m in w.sb.sent(newcomer.id))


@pytest.mark.usefixtures("retries_unpaused")  # conftest: a 5xx costs 10 ms, not half a second
async def test_429_and_5xx_are_retried_without_loss(world: World) -> None:
    w = world
    contact = w.sb.create_user("吴联络")
    await w.join(contact, "局农社处")
    w.sb.inject("sendMessage", status=429, count=1, retry_after=1)
    w.sb.inject("sendMessage", status=502, count=1)
    w.sb.inject("sendMessage", status=500, count=1)
    report = await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    assert report.units_sent == 1 and report.failed == []
    nudges = [m for m in w.sb.sent(contact.id) if "【督办提醒】" in (m["text"] or "")]
    assert len(nudges) == 1


@pytest.mark.usefixtures("retries_unpaused")
async def test_restart_between_units_neither_loses_nor_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None) as sb:
        settings = settings_for(sb, tmp_path, send_concurrency=1, chat_rate=0)  # no chat limit
        clock = Clock(datetime(2023, 2, 20, 10, 0, tzinfo=TZ))
        people: dict[str, SandboxUser] = {}
        async with await Database.open(settings.database) as db:
            parsed = parse_file(SEED_000)
            await import_plan(
                db,
                parsed.plan,
                source_name="000",
                content_hash=parsed.content_hash,
                now=clock.moment,
            )
            svc = Services(settings=settings, db=db, clock=clock)
            app = build_application(settings, db, services=svc)
            async with running(app, poll_timeout=1):
                admin = sb.create_user("办公室", user_id=ADMIN_ID)
                w = World(sb, db, svc, app, clock, admin)
                await w.say(admin, "/start")
                for unit in ("局高新处", "局产学研处", "局对外合作处"):
                    people[unit] = sb.create_user(unit + "联络员")
                    await w.join(people[unit], unit)
                # the process dies while the second unit's message is on its way
                sb.drop_connections(count=10, method="sendMessage")
                sb.clear_faults()
                sb.drop_connections(count=1, method="sendMessage")
                await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
                sent_before = next(
                    u
                    for u in ("局产学研处", "局对外合作处")
                    if any("【督办提醒】" in (m["text"] or "") for m in sb.sent(people[u].id))
                )
        # restart: a new database connection and a new Application, the same file
        async with await Database.open(settings.database) as db:
            svc = Services(settings=settings, db=db, clock=clock)
            app = build_application(settings, db, services=svc)
            async with running(app, poll_timeout=1):
                w2 = World(sb, db, svc, app, clock, sb.user(ADMIN_ID))
                await w2.pass_at(datetime(2023, 12, 18, 10, 0, tzinfo=TZ))
                await w2.pass_at(datetime(2023, 12, 19, 9, 30, tzinfo=TZ))
                # a button on a message sent before the restart still works after it
                person = people[sent_before]
                old = next(m for m in sb.sent(person.id) if "【督办提醒】" in (m["text"] or ""))
                seq = "7" if sent_before == "局产学研处" else "13"
                person.press(old, nudge_button(old, seq, "p"))
                confirm = await sb.wait_for_message(person.id, timeout=10, after=old["message_id"])
                assert f"第 {seq} 项" in (confirm["text"] or "")
        for unit, person in people.items():
            nudges = [m for m in sb.sent(person.id) if "【督办提醒】" in (m["text"] or "")]
            assert len(nudges) == 1, (unit, len(nudges))


async def test_catch_up_after_a_week_down_is_one_message(world: World) -> None:
    w = world
    contact = w.sb.create_user("郑联络")
    await w.join(contact, "局机关纪委")
    # nothing ran between Dec 15 (14 days before) and Dec 28 (3 days before): one catch-up
    await w.pass_at(datetime(2023, 12, 28, 9, 30, tzinfo=TZ))
    nudges = [m for m in w.sb.sent(contact.id) if "【督办提醒】" in (m["text"] or "")]
    assert len(nudges) == 1 and "还有 3 天" in nudges[0]["text"]
    # a Saturday that is not a 调休 working day: no pass
    report = await w.pass_at(datetime(2023, 12, 30, 9, 30, tzinfo=TZ))
    assert not report.ran
    # at night: no pass
    assert not (await w.pass_at(datetime(2023, 12, 29, 23, 0, tzinfo=TZ))).ran


@pytest.mark.parametrize("limit", [Limit.per_second(1)])
async def test_sandbox_flood_limit_is_respected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: Limit
) -> None:
    """A burst of answers to one private chat stays within 1 msg/s without losing any."""
    monkeypatch.chdir(tmp_path)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=limit) as sb:
        settings = settings_for(sb, tmp_path)
        async with await Database.open(settings.database) as db:
            svc = Services(settings=settings, db=db)
            app = build_application(settings, db, services=svc)
            async with running(app, poll_timeout=1):
                admin = sb.create_user("办公室", user_id=ADMIN_ID)
                for _ in range(3):
                    admin.send_text("/whoami")
                await sb.wait_for(
                    lambda: len(sb.sent(ADMIN_ID)) >= 3 or None, timeout=15, what="3 answers"
                )
        assert len(sb.sent(ADMIN_ID)) == 3
        # paced, not retried: a 429 would have paused every other send of the bot
        assert sb.stats.too_many_requests == 0, sb.stats


async def test_a_unit_group_chat_joins_and_answers_nudges(
    groups_unpaced: None, world: World
) -> None:
    w = world
    lead, member = w.sb.create_user("组长"), w.sb.create_user("组员")
    group = w.sb.create_group("高新处工作群", [lead, member])
    link = await w.invite("局高新处")
    token = link.rsplit("=", 1)[1]
    sent = lead.send_text(group, f"/start@{w.sb.bot_username} {token}")
    bound = await w.next_answer(group.id, sent)
    assert "本群已绑定" in bound["text"] and "局高新处" in bound["text"]
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(group.id) if "【督办提醒】" in (m["text"] or ""))
    # any member of the bound group may answer for the unit
    confirm = await w.say(member, "9 推进中,完成40%", chat=group.id, reply_to=nudge)
    assert "第 9 项" in confirm["text"]
    assert await w.rows("SELECT reporter_name, percent FROM reports") == [("组员", 40.0)]
    # chatter in the group that is not a reply to the bot is not taken for a report
    member.send_text(group, "今天下午开会")
    await w.pass_at(datetime(2023, 12, 18, 16, 0, tzinfo=TZ))
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]


async def test_overdue_reminders_escalate_to_coordinators(world: World) -> None:
    w = world
    contact = w.sb.create_user("冯联络")
    await w.join(contact, "局引智处")
    # 2024-01-02 (Tue) is the first working day after the Dec 31 deadline (Jan 1 is a holiday)
    first = await w.pass_at(datetime(2024, 1, 2, 9, 30, tzinfo=TZ))
    assert first.units_sent == 1
    overdue = [m for m in w.sb.sent(contact.id) if "已逾期" in (m["text"] or "")]
    assert len(overdue) == 1 and "已逾期 2 天" in overdue[0]["text"]
    assert first.escalations == 0
    # three working days later: the second reminder, and the coordinators hear of it
    second = await w.pass_at(datetime(2024, 1, 5, 9, 30, tzinfo=TZ))
    assert second.units_sent == 1 and second.escalations >= 1
    warning = await w.sb.wait_for_message(
        ADMIN_ID, lambda m: "督办预警" in (m["text"] or ""), timeout=10
    )
    assert "局引智处" in warning["text"] and "逾期" in warning["text"]
    # the same episode is not escalated twice
    third = await w.pass_at(datetime(2024, 1, 5, 14, 0, tzinfo=TZ))
    assert third.escalations == 0


async def test_mine_shows_lights_progress_and_deadlines(world: World) -> None:
    w = world
    contact = w.sb.create_user("陈联络")
    await w.join(contact, "局组织人事处")
    w.clock.moment = datetime(2023, 11, 20, 10, 0, tzinfo=TZ)
    await w.say(contact, "/report 21 已完成")
    await w.say(contact, "/report 26 有困难:编制未批复")
    mine = await w.say(contact, "/mine")
    text = mine["text"]
    assert "局组织人事处" in text
    assert re.search(r"🟢 21\. .*\n.*已完成 100%", text)
    assert re.search(r"🔴 26\. .*\n.*有困难", text)
    assert "27." in text and "尚未反馈" in text
    buttons = [b["callback_data"] for row in mine["reply_markup"]["inline_keyboard"] for b in row]
    assert all(len(b.encode()) <= 64 for b in buttons)


async def test_invite_links_expire(world: World) -> None:
    w = world
    link = await w.invite("局规划处")
    w.clock.moment = w.clock.moment.replace(day=28)  # 8 days after the fixture's Feb 20
    late = w.sb.create_user("迟到者")
    late.open_link(link)
    answer = await w.sb.wait_for_message(late.id, timeout=10)
    assert "已过期" in answer["text"]


async def test_a_photo_reply_to_a_nudge_is_evidence(world: World) -> None:
    w = world
    contact = w.sb.create_user("褚联络")
    await w.join(contact, "局机关纪委")
    await w.pass_at(datetime(2023, 12, 18, 9, 30, tzinfo=TZ))
    nudge = next(m for m in w.sb.sent(contact.id) if "【督办提醒】" in (m["text"] or ""))
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
    sent = contact.send_photo(png, caption="已完成,见现场照片", reply_to=nudge)
    confirm = await w.next_answer(contact.id, sent)
    assert "第 24 项" in confirm["text"] and "已完成" in confirm["text"]
    assert await w.rows(
        "SELECT e.kind, r.status FROM evidence e JOIN reports r ON r.id = e.report_id"
    ) == [("photo", "done")]

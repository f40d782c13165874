"""End to end: coordinators' and leaders' views over reports recorded through the bot."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

import openpyxl

from plans.documents.sources import parse_bytes, parse_file
from storage import import_plan
from tests.e2e_support import ADMIN_ID, SEED_000, TZ, World


async def _reports(w: World) -> None:
    """Three units report through the bot in November 2023."""
    w.clock.moment = datetime(2023, 11, 13, 10, 0, tzinfo=TZ)
    gx, cx, dw = w.sb.create_user("高新"), w.sb.create_user("产学研"), w.sb.create_user("外合")
    await w.join(gx, "局高新处")
    await w.join(cx, "局产学研处")
    await w.join(dw, "局对外合作处")
    await w.say(gx, "/report 4 已净增高企320家,完成53%")
    await w.say(gx, "/report 3 已完成")
    # the done goes to the coordinators for 销号: let that message arrive before they ask
    await w.sb.wait_for(
        lambda: any("【待销号】" in (m["text"] or "") for m in w.sb.sent(w.admin.id)),
        what="the request for 销号",
    )
    w.clock.moment = datetime(2023, 11, 20, 9, 0, tzinfo=TZ)
    await w.say(cx, "/report 7 有困难:资金未到位")
    await w.say(dw, "/report 15 完成90%,预计12月15日完成")


def _text(message: dict[str, Any]) -> str:
    return str(message["text"] or "")


async def test_status_views_for_coordinators_and_leaders(world: World) -> None:
    w = world
    await _reports(w)
    w.clock.moment = datetime(2023, 11, 20, 10, 0, tzinfo=TZ)
    overview = _text(await w.say(w.admin, "/status"))
    assert "28" in overview and "🔴" in overview and "🟢" in overview
    assert "局机关党委" in overview  # a unit that has not reported this cycle

    unit = _text(await w.say(w.admin, "/status 高新处"))
    assert "局高新处" in unit and "4." in unit and "320" in unit

    item = _text(await w.say(w.admin, "/status 4"))
    assert "加快高新技术企业培育" in item and "600家以上" in item and "320" in item

    blocked = _text(await w.say(w.admin, "/blocked"))
    assert "7." in blocked and "资金未到位" in blocked
    assert "4." not in blocked.split("\n", 1)[1]
    due = _text(await w.say(w.admin, "/due 60"))
    assert "15." in due
    assert "用法" in _text(await w.say(w.admin, "/due soon"))
    overdue = _text(await w.say(w.admin, "/overdue"))
    assert "0" in overdue or "没有" in overdue

    # a leader joins through an invite and may read, but not invite
    leader = w.sb.create_user("局长")
    joined = await w.join(leader, "leader")
    assert "领导" in _text(joined)
    assert "28" in _text(await w.say(leader, "/status"))
    assert "没有权限" in _text(await w.say(leader, "/invite 局高新处"))
    # a contact may not read the whole plan
    contact = w.sb.create_user("联络员")
    await w.join(contact, "局办公室")
    assert "没有权限" in _text(await w.say(contact, "/status"))


async def test_long_answers_page_with_buttons(world: World) -> None:
    w = world
    seed = SEED_000.parent / "002_c19ef93a40d4afc0.txt"
    parsed = parse_file(seed)
    plan = replace(parsed.plan, year=2023)  # a second active plan in the same year
    await import_plan(w.db, plan, source_name=seed.name, content_hash="x", now=w.clock.moment)
    w.clock.moment = datetime(2023, 11, 20, 10, 0, tzinfo=TZ)
    first = await w.say(w.admin, "/stale")
    buttons = [b for row in (first["reply_markup"] or {}).get("inline_keyboard", []) for b in row]
    assert buttons, "61 stale items need more than one page"
    forward = next(b for b in buttons if b["text"] == "▶")
    assert len(forward["callback_data"].encode()) <= 64
    w.admin.press(first, forward["callback_data"])
    await w.sb.wait_for(
        lambda: (w.sb.sent(ADMIN_ID)[-1]["edits"] if w.sb.sent(ADMIN_ID) else None) or None,
        what="the page edited in place",
    )
    page_two = w.sb.sent(ADMIN_ID)[-1]
    assert page_two["message_id"] == first["message_id"] and page_two["text"] != first["text"]


async def test_export_is_a_printable_ledger_that_imports_back(world: World) -> None:
    w = world
    await _reports(w)
    sent = w.admin.send_text("/export")
    message = await w.next_answer(ADMIN_ID, sent)
    assert message["document"] is not None and message["document"]["file_name"].endswith(".xlsx")
    data = w.sb.file_bytes(message["document"]["file_id"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in next(sheet.iter_rows(min_row=1, max_row=6)) if c.value]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    head_at = next(i for i, r in enumerate(rows) if r[0] == "序号")
    assert rows[head_at][:6] == ["序号", "工作任务", "牵头单位", "配合单位", "量化指标", "完成时限"]
    by_ref = {str(r[0]): r for r in rows[head_at + 1 :]}
    assert (
        "320" in str(by_ref["4"][6]) and by_ref["3"][8] == "待销号"
    )  # a done awaits 销号 (DUBAN_SIGNOFF=on)
    assert header  # a title above the header
    plan = parse_bytes(data, name="ledger.xlsx").plan
    original = parse_bytes(SEED_000.read_bytes(), name=SEED_000.name).plan
    assert [i.title for i in plan.items] == [i.title for i in original.items]
    assert [i.deadline for i in plan.items] == [i.deadline for i in original.items]


async def test_digest_on_demand_and_on_schedule(world: World) -> None:
    w = world
    await _reports(w)
    leader = w.sb.create_user("局长")
    await w.join(leader, "leader")
    w.clock.moment = datetime(2023, 11, 20, 10, 0, tzinfo=TZ)
    sent = w.admin.send_text("/digest")
    text = _text(await w.next_answer(ADMIN_ID, sent))
    assert "周报" in text and "红灯" in text and "局产学研处" in text
    photo = await w.sb.wait_for_message(ADMIN_ID, lambda m: bool(m["photo"]), timeout=10)
    png = w.sb.file_bytes(photo["photo"][-1]["file_id"])
    assert png.startswith(b"\x89PNG") and 20_000 < len(png) < 2_000_000
    paragraph = _text(
        await w.sb.wait_for_message(ADMIN_ID, lambda m: "截至" in (m["text"] or ""), timeout=10)
    )
    assert re.search(r"截至11月20日.*28项任务中,已完成1项", paragraph)

    # the scheduled digest: Monday 09:00 on a working day, once a week
    from handlers.sender import TelegramSender
    from services.digests import send_digest

    early = await send_digest(
        w.svc, TelegramSender(w.app.bot), datetime(2023, 11, 27, 8, 30, tzinfo=TZ)
    )
    assert early is None
    monday = await send_digest(
        w.svc, TelegramSender(w.app.bot), datetime(2023, 11, 27, 9, 5, tzinfo=TZ)
    )
    assert monday is not None and monday.recipients == 2  # the admin and the leader
    again = await send_digest(
        w.svc, TelegramSender(w.app.bot), datetime(2023, 11, 27, 15, 0, tzinfo=TZ)
    )
    assert again is None
    assert any("周报" in (m["text"] or "") for m in w.sb.sent(leader.id))

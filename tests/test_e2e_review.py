"""End to end: the import review in chat and its fixes, through the real Application and the Bot
API sandbox: /review, /merge A B, /rename A NEW, wrong input, and people who may not use them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_application, running
from plans.documents.sources import parse_bytes
from plans.model import Plan
from sandbox import BotApiSandbox
from services.core import Services
from storage import Database, find_unit, import_plan
from tests.e2e_support import ADMIN_ID, TOKEN, TZ, Clock, World, settings_for

PLAN_TEXT = """某市科技局2023年工作要点
一、重点任务
(一)培育高新技术企业,净增高企600家,年内完成。(责任单位:局高新处)
(二)建设孵化载体,新增孵化器5家、众创空间3家、加速器2家、产业园1个,10月底前完成。(责任单位:区科技局)
(三)推进科技金融,设立基金。(责任单位:各辖市、区科技局)
(四)组织科技活动周,上半年完成。(责任单位:各辖市、区科技局)
(五)开展专项行动。
(六)完善统计制度,年内完成。(责任单位:局高新技术处)
"""
SKIPPED = "分工原则:一是坚持问题导向,二是压实责任"


def sample_plan(text: str = PLAN_TEXT) -> tuple[Plan, str]:
    parsed = parse_bytes(text.encode("utf-8"), name="plan.txt")
    return replace(parsed.plan, skipped=(SKIPPED,)), parsed.content_hash


@pytest.fixture
async def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    """The bot running on the sandbox over a database holding the sample plan."""
    monkeypatch.chdir(tmp_path)
    async with BotApiSandbox(token=TOKEN, private_chat_limit=None, global_limit=None) as sb:
        # unpaced, as conftest's world: the sandbox has no per-chat or global limit here, and
        # pacing the admin's answers at Telegram's 1 a second made each answer wait that long
        settings = settings_for(sb, tmp_path, chat_rate=0, send_rate=2000)
        async with await Database.open(settings.database) as db:
            clock = Clock(datetime(2023, 3, 1, 10, 0, tzinfo=TZ))
            plan, content_hash = sample_plan()
            await import_plan(
                db, plan, source_name="plan.txt", content_hash=content_hash, now=clock.moment
            )
            svc = Services(settings=settings, db=db, clock=clock)
            app = build_application(settings, db, services=svc)
            async with running(app, poll_timeout=1):
                admin = sb.create_user("办公室", user_id=ADMIN_ID)
                w = World(sb, db, svc, app, clock, admin)
                await w.say(admin, "/start")
                yield w
            assert not sb.errors, sb.errors


async def test_review_then_fix_with_merge_rename_and_assign(world: World) -> None:
    w = world
    contact = w.sb.create_user("区联络")
    await w.join(contact, "区科技局")
    reported = await w.say(contact, "/report 2 完成40%")
    assert "第 2 项" in reported["text"]

    review = (await w.say(w.admin, "/review"))["text"]
    assert "导入检查《某市科技局2023年工作要点》,共 6 项" in review
    assert "1 项没有责任单位:第 5 项" in review and "/assign 5 单位名" in review
    assert "“区科技局”(1 项)是“各辖市、区科技局”(2 项)名称的一部分" in review
    assert "/merge 区科技局 各辖市、区科技局" in review
    assert "局高新处(第 1 项)、局高新技术处(第 6 项)" in review
    assert "2 项没有写完成时限,按 2023-12-31 计:第 3、5 项" in review
    assert "第 2 项(4 个)" in review and "/status 2" in review
    assert SKIPPED in review

    merged = (await w.say(w.admin, "/merge 区科技局 各辖市、区科技局"))["text"]
    assert "已将 区科技局 并入 各辖市、区科技局" in merged
    assert "事项 1 项、反馈 1 条、联络员 1 个" in merged
    assigned = (await w.say(w.admin, "/assign 5 局高新处"))["text"]
    assert "已将第 5 项" in assigned
    renamed = (await w.say(w.admin, "/rename 局高新技术处 局高新技术产业处"))["text"]
    assert "已将 局高新技术处 改名为 局高新技术产业处" in renamed

    after = (await w.say(w.admin, "/review"))["text"]
    assert "没有责任单位" not in after
    assert "区科技局”" not in after and "/merge 区科技局" not in after
    assert "局高新技术产业处(第 6 项)" in after
    assert SKIPPED in after  # recorded at import, shown until the next import says otherwise

    # the contact now belongs to the merged unit, with its report and all its items
    mine = (await w.say(contact, "/mine"))["text"]
    assert "各辖市、区科技局" in mine
    assert all(f"{seq}. " in mine for seq in (2, 3, 4)) and "完成" in mine
    status = (await w.say(w.admin, "/status 各辖市、区科技局"))["text"]
    assert "区联络" in status and "40" in status
    # the old names still work in any command
    assert "各辖市、区科技局" in (await w.say(w.admin, "/status 区科技局"))["text"]
    assert "局高新技术产业处" in (await w.say(w.admin, "/assign 3 局高新技术处 support"))["text"]

    # a re-import of an edited plan keeps the fixes
    plan, content_hash = sample_plan(PLAN_TEXT + "(七)加强科技宣传,年内完成。(责任单位:区科技局)\n")
    await import_plan(w.db, plan, source_name="plan2.txt", content_hash=content_hash)
    again = (await w.say(w.admin, "/review"))["text"]
    assert "没有责任单位" not in again and "/merge 区科技局" not in again
    assert "共 7 项" in again and "只出现一次" not in again  # both now have two items
    units = await w.rows(
        "SELECT i.seq, u.name, iu.role FROM item_units iu JOIN items i ON i.id = iu.item_id"
        " JOIN units u ON u.id = iu.unit_id WHERE i.seq IN (2, 3, 5, 7) ORDER BY i.seq, iu.position"
    )
    assert units == [
        (2, "各辖市、区科技局", "lead"),
        (3, "各辖市、区科技局", "lead"),
        (3, "局高新技术产业处", "support"),
        (5, "局高新处", "lead"),
        (7, "各辖市、区科技局", "lead"),
    ]
    assert await w.rows("SELECT count(*) FROM reports") == [(1,)]


async def test_wrong_input_gets_a_clear_answer_and_changes_nothing(world: World) -> None:
    w = world
    before = await w.rows("SELECT id, name FROM units ORDER BY id")
    cases = {
        "/merge": "用法",
        "/merge 局高新处": "用法",
        "/merge 局高新处 局高新技术处 各辖市、区科技局": "用法",
        "/rename 局高新处": "用法",
        "/merge 局不存在处 局高新处": "没有找到单位“局不存在处”",
        "/merge 科技 局高新处": "名称相近的单位",
        "/merge 局高新处 高新处": "是同一个单位 局高新处",
        "/merge 局高新处 局新名处": "/rename 局高新处 局新名处",
        "/rename 局高新处 各辖市、区科技局": "/merge 局高新处 各辖市、区科技局",
        "/rename 局高新处 局高新处": "已经是这个名称",
        "/rename 局高新处 " + "局" * 200: "太长",
        "/merge " + "局" * 4000 + " 局高新处": "太长",  # within Telegram's 4096
        "/review 99": "没有计划 99",
        "/review abc": "没有计划 abc",
    }
    for text, expected in cases.items():
        answer = (await w.say(w.admin, text))["text"]
        assert expected in answer, (text, answer)
    # HTML in names is shown as text, never interpreted
    hostile = (await w.say(w.admin, "/merge <b>x</b>&<script> 局高新处"))["text"]
    assert "<b>x</b>&<script>" in hostile
    hostile = (await w.say(w.admin, "/rename 局高新处 <i>局</i>"))["text"]
    assert "<i>局</i>" in hostile
    assert await find_unit(w.db, "<i>局</i>") is not None
    assert await w.rows("SELECT id, name FROM units ORDER BY id") == [
        (unit_id, "<i>局</i>" if name == "局高新处" else name) for unit_id, name in before
    ]
    review = (await w.say(w.admin, "/review"))["text"]
    assert "<i>局</i>" in review
    assert not w.sb.errors


async def test_people_who_are_not_coordinators_are_refused(world: World) -> None:
    w = world
    stranger = w.sb.create_user("陌生人")
    contact = w.sb.create_user("高新联络")
    await w.join(contact, "局高新处")
    leader = w.sb.create_user("领导")
    await w.join(leader, "leader")
    for person in (stranger, contact, leader):
        for text in ("/review", "/merge 区科技局 各辖市、区科技局", "/rename 局高新处 局新处"):
            answer = (await w.say(person, text))["text"]
            assert "没有权限" in answer, (person.first_name, text, answer)
            assert "区科技局" not in answer  # nothing of the plan leaks
    assert await find_unit(w.db, "区科技局") is not None
    assert (await find_unit(w.db, "区科技局")) != (await find_unit(w.db, "各辖市、区科技局"))
    coordinator = w.sb.create_user("督查")
    await w.join(coordinator, "coordinator")
    assert "导入检查" in (await w.say(coordinator, "/review"))["text"]
    assert "/review" in (await w.say(coordinator, "/help"))["text"]

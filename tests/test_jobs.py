"""The scheduled path end to end: `duban run`'s JobQueue job (bot.app.nudge_job) sends the nudges
due and, on Monday morning, the weekly digest, through the real Application and the sandbox."""

from __future__ import annotations

from datetime import datetime

from bot.app import schedule_jobs
from tests.e2e_support import ADMIN_ID, TZ, World


async def test_the_scheduled_job_sends_nudges_and_the_monday_digest(world: World) -> None:
    w = world
    contact = w.sb.create_user("定时联络")
    await w.join(contact, "局高新处")
    leader = w.sb.create_user("领导")
    await w.join(leader, "leader")
    # Monday 2023-12-18, 09:30: nudges are due (14 days before Dec 31) and so is the digest
    w.clock.moment = datetime(2023, 12, 18, 9, 30, tzinfo=TZ)
    schedule_jobs(w.app, w.svc.settings, first=0.05)
    nudge = await w.sb.wait_for_message(contact.id, timeout=15, after=0)
    await w.sb.wait_for(
        lambda: any("【督办提醒】" in (m["text"] or "") for m in w.sb.sent(contact.id)),
        what="the nudge",
        timeout=15,
    )
    await w.sb.wait_for(
        lambda: any(m["photo"] for m in w.sb.sent(leader.id)), what="the digest chart", timeout=30
    )
    texts = "\n".join(m["text"] or m["caption"] or "" for m in w.sb.sent(leader.id))
    assert "周报" in texts or "督办" in texts
    await w.sb.wait_for(
        lambda: any(m["photo"] for m in w.sb.sent(ADMIN_ID)), what="the coordinators' copy"
    )
    assert nudge is not None
    assert await w.rows("SELECT week FROM digests") == [("2023-W51",)]

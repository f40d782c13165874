"""Snapshots for the status views (cached until the database changes) and the weekly digest pass."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from plans.followup.schedule import cycle_date, is_working_day, next_working_day
from plans.followup.status import Snapshot
from render.chart import progress_chart
from render.compose import Composed
from render.digest import Digest, compose_digest
from services.core import Services
from services.delivery import deliver
from services.sending import Sender, SendFailed
from storage import list_plans
from storage.nudges_repo import claimer_name
from storage.people_repo import contacts_by_role
from storage.status_repo import (
    claim_digest,
    digest_delivered,
    digest_sent,
    record_digest,
    release_digest,
)

log = logging.getLogger(__name__)
_CHART_LOCK = asyncio.Lock()


async def current_snapshot(svc: Services, now: datetime | None = None) -> Snapshot:
    now = (now or svc.now()).astimezone(svc.tz)
    return await svc.snapshots.snapshot(svc.db, svc.tz, now.date())


def cycle_start(svc: Services, today: date) -> date | None:
    """The first day of the current reporting cycle (the last cycle date on or before today)."""
    return cycle_date(today, svc.policy)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_due(svc: Services, now: datetime) -> bool:
    """Whether `now` is at or after this week's digest time (its day moved to a working day)."""
    now = now.astimezone(svc.tz)
    today = now.date()
    monday = today - timedelta(days=today.isoweekday() - 1)
    day = next_working_day(monday + timedelta(days=svc.settings.digest_day - 1))
    if iso_week(day) != iso_week(today):
        return False  # a holiday week: the next working day is next week's
    moment = datetime.combine(day, time(svc.settings.digest_hour), tzinfo=svc.tz)
    return is_working_day(today) and now >= moment and now.hour < svc.settings.quiet_from


@dataclass
class DigestResult:
    digest: Digest
    chart: bytes
    legend: list[str] | None
    recipients: int = 0
    unreachable: list[str] = field(default_factory=list)


async def make_digest(svc: Services, now: datetime) -> DigestResult:
    """The digest at `now`: this week's snapshot against last week's, and the chart."""
    now = now.astimezone(svc.tz)
    snap = await svc.snapshots.snapshot(svc.db, svc.tz, now.date())
    week_ago = now - timedelta(days=7)
    before = await svc.snapshots.snapshot(svc.db, svc.tz, week_ago.date(), until=week_ago)
    plans = [p for p in await list_plans(svc.db) if p.active]
    title = (
        plans[0].title if len(plans) == 1 else svc.texts("list_sep").join(p.title for p in plans)
    )
    digest = compose_digest(
        svc.texts,
        snap,
        before,
        cycle_start=cycle_start(svc, now.date()),
        title=title,
        tz=svc.tz,
        since=week_ago,
    )
    async with _CHART_LOCK:  # matplotlib is not thread-safe: one chart at a time
        chart = await asyncio.to_thread(progress_chart, snap, title=title, lang=svc.texts.lang)
    return DigestResult(digest, chart.png, chart.legend)


async def send_digest(
    svc: Services, sender: Sender, now: datetime, *, force: bool = False
) -> DigestResult | None:
    """Send this week's digest to every leader and coordinator, once per week.

    `force` sends it before its time (`duban digest --send`), but still once: the week's row is
    claimed first, so of two senders at once (that and the scheduled one, or two processes) one
    sends and the other returns None, as it does once the digest went out. A sender that
    crashed is taken over when its lease runs out, skipping the chats it reached.
    """
    now = now.astimezone(svc.tz)
    week = iso_week(now.date())
    if (not force and not digest_due(svc, now)) or await digest_sent(svc.db, week):
        return None  # (a read first: the scheduler asks every few minutes once it went out)
    owner = claimer_name()
    lease = svc.settings.claim_lease
    reached = await claim_digest(svc.db, week, owner=owner, now=_wall(), lease=lease)
    if reached is None:
        return None
    try:
        result = await make_digest(svc, now)
    except BaseException:
        await release_digest(svc.db, week, owner=owner)
        raise
    recipients = await contacts_by_role(svc.db, ("leader", "coordinator", "admin"))
    seen: set[int] = set(reached)
    result.recipients = len(reached)
    for contact in recipients:
        if contact.chat_id in seen:
            continue
        seen.add(contact.chat_id)
        messages = await deliver(svc, sender, contact, Composed(result.digest.text_chunks))
        if not messages:
            result.unreachable.append(contact.display_name or str(contact.chat_id))
            continue
        chat_id = messages[-1].chat_id  # a group upgraded meanwhile has a new id
        try:
            await sender.send_picture(
                chat_id,
                result.chart,
                filename=f"duban-{week}.png",
                caption_html=svc.texts("digest_chart_caption"),
            )
        except SendFailed as e:
            log.warning("digest chart to %s failed: %s", chat_id, e.reason)
        result.recipients += 1
        if not await digest_delivered(svc.db, week, owner=owner, chat_id=chat_id, now=_wall()):
            log.warning("digest of %s: another sender took it over", week)
            return result
    await record_digest(
        svc.db,
        week,
        owner=owner,
        recipients=result.recipients,
        headline=result.digest.headline,
        now=now,
    )
    return result


def _wall() -> datetime:
    """The real time, for leases."""
    return datetime.now(UTC)

"""Delivering a composed message to a contact's chat, through the sending port.

`deliver` sends a message's chunks and decides what each fault means: a 429 waits what the
chat service asks, a passing fault is tried again, a person who blocked the bot or a chat that
is gone is marked inactive (and the coordinators hear when a unit has nobody left), and a group
that became a supergroup is followed to its new id. The nudge pass, the digest and the 督办
workflow's notices all deliver this way.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Protocol

from plans.model import Contact
from render.compose import Composed
from render.texts import esc
from services.core import Services
from services.sending import (
    Blocked,
    ChatGone,
    Migrated,
    RateLimited,
    Refused,
    Sender,
    Sent,
    Transient,
)
from storage.people_repo import contacts_by_role, deactivate_chat, move_chat, unit_contacts

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
RETRY_PAUSE = 0.5  # seconds, times the attempt number


class Reach(Protocol):
    """Where `deliver` writes down who could not be reached (a nudge pass's report)."""

    unreachable: list[str]  # chats that blocked us or vanished
    failed: list[str]  # chats that failed for other reasons
    migrated: list[str]  # groups now supergroups: moved


class Progress(Protocol):
    """What `deliver` tells about each chunk: before its request, after the answer, or that
    the chat service refused it (it did not arrive)."""

    async def before(self, chat_id: int, chunk: int) -> bool:
        """Just before a request; False stops the delivery."""
        ...

    async def sent(self, chat_id: int, chunk: int, last: bool, message: Sent) -> None:
        """Right after the chunk arrived."""
        ...

    async def refused(self, chat_id: int, chunk: int) -> None:
        """The request for the chunk was answered with an error: it did not arrive."""
        ...


async def deliver(
    svc: Services,
    sender: Sender,
    contact: Contact,
    composed: Composed,
    report: Reach | None = None,
    *,
    unit_name: str | None = None,
    first_chunk: int = 0,
    progress: Progress | None = None,
) -> list[Sent]:
    """Send a composed message (from chunk `first_chunk` on) to one chat, retrying passing
    faults and 429s; `progress` hears about every request.

    A chat that blocked the bot or no longer exists is marked inactive, and the coordinators
    hear when a unit has no reachable contact left. A group upgraded to a supergroup is moved
    to its new id, for every membership, and the chunk sent there once more.
    """
    out: list[Sent] = []
    target = contact
    moved = False
    for k in range(first_chunk, len(composed.chunks)):
        chunk = composed.chunks[k]
        last = k == len(composed.chunks) - 1
        attempt = 0
        while True:
            attempt += 1
            if progress is not None and not await progress.before(target.chat_id, k):
                _failed(report, target, "another pass took it over")
                return out
            try:
                message = await sender.send_text(
                    target.chat_id, chunk, buttons=composed.buttons if last else ()
                )
            except Migrated as e:
                if progress is not None:
                    await progress.refused(target.chat_id, k)
                if moved:
                    _failed(report, target, "moved twice")
                    return out
                moved = True
                target = await _migrated(svc, target, e.new_chat_id, report)
                attempt -= 1  # the resend to the new id is not a retry
                continue
            except RateLimited as e:  # the rate limiter's own retries ran out
                if progress is not None:
                    await progress.refused(target.chat_id, k)
                if attempt >= SEND_ATTEMPTS:
                    _failed(report, target, "429")
                    return out
                await asyncio.sleep(e.retry_after)
                continue
            except (Blocked, ChatGone):
                if progress is not None:
                    await progress.refused(target.chat_id, k)
                await _unreachable(svc, sender, target, report, unit_name)
                return out
            except Refused as e:
                if progress is not None:
                    await progress.refused(target.chat_id, k)
                log.warning("chat %s refused a message: %s", target.chat_id, e.reason)
                _failed(report, target, e.reason)
                return out
            except Transient as e:
                # Timeouts, dropped connections and 5xx answers pass; try again a little later.
                # The chunk may have arrived all the same: it stays "sending" (in doubt).
                if attempt >= SEND_ATTEMPTS:
                    _failed(report, target, e.reason)
                    return out
                await asyncio.sleep(RETRY_PAUSE * attempt)
                continue
            out.append(message)
            if progress is not None:
                await progress.sent(target.chat_id, k, last, message)
            break
    return out


async def notify_coordinators(svc: Services, sender: Sender, composed: Composed) -> int:
    """Send a message to every coordinator and admin chat; how many got it."""
    reached = 0
    for contact in await contacts_by_role(svc.db, ("admin", "coordinator")):
        if await deliver(svc, sender, contact, composed):
            reached += 1
    return reached


async def _migrated(
    svc: Services, contact: Contact, new_chat_id: int, report: Reach | None
) -> Contact:
    """The group `contact` was upgraded to the supergroup `new_chat_id`: move its memberships."""
    await move_chat(svc.db, contact.chat_id, new_chat_id)
    log.info("chat %s is now the supergroup %s: moved", contact.chat_id, new_chat_id)
    if report is not None:
        report.migrated.append(f"{contact.display_name or contact.chat_id} → {new_chat_id}")
    return replace(contact, chat_id=new_chat_id)


def _failed(report: Reach | None, contact: Contact, why: str) -> None:
    log.warning("could not reach chat %s: %s", contact.chat_id, why)
    if report is not None:
        report.failed.append(f"{contact.chat_id} ({why})")


async def _unreachable(
    svc: Services,
    sender: Sender,
    contact: Contact,
    report: Reach | None,
    unit_name: str | None,
) -> None:
    lost = await deactivate_chat(svc.db, contact.chat_id, now=svc.now())
    who = contact.display_name or str(contact.chat_id)
    if report is not None:
        report.unreachable.append(who)
    for membership in lost:
        if membership.unit_id is None or await unit_contacts(svc.db, membership.unit_id):
            continue
        text = svc.texts(
            "unreachable",
            unit=esc(membership.unit_name or unit_name or ""),
            who=esc(who),
        )
        await notify_coordinators(svc, sender, Composed([text]))

"""Storing a contact's report and confirming it: the one path every way of reporting ends in.

`record_progress` stores a report on an item, verbatim with what duban understood of it (the
status, percent, date, value), for the unit the speaker reports for, and confirms it in one
line; `amend_from_reply` adds a reply to that confirmation to the same report. The ways in
(/report, replies, buttons, edits, files) are handlers/reporting.py.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Message, Update

from handlers.common import Who, answer, confirm, multi_plan, note_stored, ref
from handlers.sender import TelegramSender
from handlers.workflow import announce_done
from plans.model import Evidence, Report, Status
from plans.replies import ProgressReading, describe, read_progress
from render.chunks import clip
from render.texts import esc
from services.core import Services
from services.log_events import log_report_stored
from storage import StoredItem, items_by_ids
from storage.reports_repo import (
    NewReport,
    add_report,
    amend_report,
    latest_report,
    record_bot_message,
)
from storage.workflow_repo import signoff_state

# The feature's logger: its lines are named handlers.reporting, wherever the code sits.
log = logging.getLogger("handlers.reporting")

# What one report keeps of a message: all of it (Telegram caps a message at 4096 characters, so
# nothing is cut and nobody's words are lost without telling them).
TEXT_LIMIT = 4096


@dataclass(frozen=True)
class ReportingFor:
    """Who a report is from: the unit it counts for and the membership behind it."""

    unit_id: int
    contact_id: int | None


async def report_unit(svc: Services, speaker: Who, stored: StoredItem) -> ReportingFor | None:
    """The unit this speaker reports for on this item, or None if they may not."""
    catalog = await svc.catalog()
    for membership in speaker.memberships:
        unit_id = membership.unit_id
        if (
            membership.role == "contact"
            and unit_id is not None
            and stored.id in catalog.unit_items.get(unit_id, set())
        ):
            return ReportingFor(unit_id, membership.id)
    lead = catalog.lead_unit(stored.id)
    if speaker.coordinator and lead is not None:  # on behalf of the item's lead unit
        return ReportingFor(lead, None)
    return None


def status_of(reading: ProgressReading, previous: Report | None) -> Status:
    if reading.status is not None:
        return reading.status
    if reading.percent is not None and reading.percent >= 100:
        return "done"
    if previous is not None and previous.status != "done":
        return previous.status
    return "in_progress"


def what_recorded(svc: Services, reading: ProgressReading, status: Status) -> str:
    if reading.understood:
        return esc(describe(reading, svc.texts.lang))
    return svc.texts("status_unread") if status == "in_progress" else svc.texts(f"status_{status}")


async def record_progress(
    update: Update,
    svc: Services,
    speaker: Who,
    stored: StoredItem,
    text: str,
    *,
    source: str,
    message: Message | None,
    evidence: Sequence[Evidence] = (),
    status: Status | None = None,
) -> Report | None:
    """Store a report on `stored` from `speaker` and confirm it in one line."""
    done = await store_progress(
        update, svc, speaker, stored, text,
        source=source, message=message, evidence=evidence, status=status,
    )  # fmt: skip
    if done is None:
        return None
    report, key, fields = done
    await _confirm_reports(update, svc, [(report, stored.id)], svc.texts(key, **fields))
    return report


async def record_lines(
    update: Update,
    svc: Services,
    speaker: Who,
    lines: Sequence[tuple[StoredItem, str]],
    *,
    message: Message | None,
) -> None:
    """A reply with one line per item ("3 完成60%" / "4 已完成"): one report per line, confirmed
    together in one message (a reply to it is asked which item it is about)."""
    t = svc.texts
    stored_lines: list[str] = []
    reports: list[tuple[Report, int]] = []
    for item, text in lines:
        done = await store_progress(
            update, svc, speaker, item, text, source="reply", message=message
        )
        if done is not None:
            reports.append((done[0], item.id))
            stored_lines.append(t("recorded_line", **done[2]))
    if reports:
        tail = t("recorded_lines_tail") if len(reports) > 1 else t("recorded_line_tail")
        await _confirm_reports(update, svc, reports, "\n".join([*stored_lines, tail]))


async def store_progress(
    update: Update,
    svc: Services,
    speaker: Who,
    stored: StoredItem,
    text: str,
    *,
    source: str,
    message: Message | None,
    evidence: Sequence[Evidence] = (),
    status: Status | None = None,
) -> tuple[Report, str, dict[str, str]] | None:
    """Store a report on `stored` from `speaker`: the report, the catalog key of its
    confirmation and the confirmation's fields (item, title, what). An item that is not the
    speaker's is answered here, and nothing stored (None)."""
    t = svc.texts
    multi = await multi_plan(svc)
    target = await report_unit(svc, speaker, stored)
    if target is None:
        await answer(update, t("item_not_yours", item=ref(stored, multi)), svc=svc)
        return None
    now = svc.now()
    text = text[:TEXT_LIMIT]
    reading = read_progress(text, targets=stored.item.targets, today=now.date())
    final: Status
    if status is not None:
        final = status
    elif reading.status is not None or (reading.percent or 0) >= 100:
        final = status_of(reading, None)
    else:  # the reply does not say: the status stays what the unit said last
        final = status_of(reading, await latest_report(svc.db, stored.id, target.unit_id))
    percent = reading.percent
    if final == "done" and percent is None:
        percent = 100.0
    report = await add_report(
        svc.db,
        NewReport(
            item_id=stored.id,
            unit_id=target.unit_id,
            status=final,
            text=text,
            percent=percent,
            expected_date=reading.expected_date,
            value=reading.value,
            measure=reading.measure,
            source=source,
            contact_id=target.contact_id,
            reporter_user_id=speaker.user_id,
            reporter_name=speaker.name,
            chat_id=message.chat_id if message else None,
            message_id=message.message_id if message else None,
            evidence=tuple(evidence),
            # 销号: a done waits for a coordinator's check when sign-off is on
            signoff="pending" if final == "done" and svc.settings.signoff else None,
        ),
        now=now,
    )
    # From here on the report is stored: nothing may tell the person otherwise (a retry would
    # store it twice). The confirmation is tried until it goes through; see `confirm`.
    note_stored(update)
    log_report_stored(report)
    what = what_recorded(svc, reading, final) if (text or not status) else t(f"status_{final}")
    title = esc(clip(stored.item.title, 30))
    if report.signoff == "pending":
        what = f"{what}\n{t('signoff_awaiting')}"
    if source == "button" and final == "blocked":
        key = "recorded_blocked"
    elif source == "button":
        key = "recorded_button"
    else:
        key = "recorded"
    return report, key, {"item": ref(stored, multi), "title": title, "what": what}


async def _confirm_reports(
    update: Update, svc: Services, reports: Sequence[tuple[Report, int]], text: str
) -> None:
    """Send the confirmation of stored reports, note it as their reply target (a reply to the
    confirmation of one report amends it; of several, asks which item), and send each done that
    awaits 销号 to the coordinators."""
    first = reports[0][0]
    what = f"report {first.id}" if len(reports) == 1 else f"reports {first.id}…{reports[-1][0].id}"
    sent = await confirm(update, svc, text, what=what)
    try:
        for m in sent:
            await record_bot_message(
                svc.db,
                chat_id=m.chat_id,
                message_id=m.message_id,
                kind="confirm",
                unit_id=first.unit_id,
                item_ids=[item_id for _, item_id in reports],
                report_id=first.id if len(reports) == 1 else None,
                now=svc.now(),
            )
    except sqlite3.Error as e:
        log.warning("%s confirmed, but not noted as its reply target: %s", what, e)
    for report, _ in reports:
        if report.signoff == "pending":
            await announce_done(svc, TelegramSender(update.get_bot()), report.id)


async def load_items(svc: Services, item_ids: Sequence[int]) -> dict[int, StoredItem]:
    """Items by id from the in-memory catalog; ones it lacks (removed since) from storage."""
    catalog = await svc.catalog()
    found = {i: catalog.items[i] for i in item_ids if i in catalog.items}
    missing = [i for i in item_ids if i not in found]
    if missing:
        found.update(await items_by_ids(svc.db, missing))
    return found


async def amend_from_reply(
    update: Update,
    svc: Services,
    report_id: int,
    item_ids: Sequence[int],
    text: str,
    evidence: Sequence[Evidence],
) -> None:
    """A reply to a confirmation adds its text (and files) to that report."""
    t = svc.texts
    items = await load_items(svc, item_ids)
    stored = items.get(item_ids[0]) if item_ids else None
    if stored is None:
        await answer(update, t("which_item_none"), svc=svc)
        return
    now = svc.now()
    reading = read_progress(text[:TEXT_LIMIT], targets=stored.item.targets, today=now.date())
    fields: dict[str, object] = {"text": text[:TEXT_LIMIT]}
    if evidence:
        fields["evidence"] = tuple(evidence)
    for name in ("percent", "expected_date", "value", "measure", "status"):
        value = getattr(reading, name)
        if value is not None:
            fields[name] = value
    was = await signoff_state(svc.db, report_id)
    new = await amend_report(svc.db, report_id, now=now, signoff_on=svc.settings.signoff, **fields)
    note_stored(update)
    if new.signoff == "pending" and was != "pending":
        await announce_done(svc, TelegramSender(update.get_bot()), new.id)
    multi = await multi_plan(svc)
    what = what_recorded(svc, reading, new.status)
    if not text and evidence:
        kept = t(
            "evidence_kept",
            name=esc(evidence[0].file_name or evidence[0].kind),
            item=ref(stored, multi),
        )
        await confirm(update, svc, kept, what=f"evidence on report {report_id}")
        return
    updated = t(
        "updated", item=ref(stored, multi), title=esc(clip(stored.item.title, 30)), what=what
    )
    await confirm(update, svc, updated, what=f"amendment of report {report_id}")
